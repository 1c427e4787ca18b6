"""Field-level precision and recall per category on the evaluation splits, with names and value-only.

    .venv/bin/python bench/eval_report.py [--values-per-column N] [--splits tuning,validation,held-out] [--misses]
                                          [--identifiers]

Builds the tuning, validation and held-out splits of the evaluation corpus (``tests/eval/eval_corpus.py``),
scans every column through the engine twice — with its field and table names, and with every name
replaced by a neutral one (value-only; columns only a name can tell from ids are left out there) —
and prints precision and recall per category at the default reporting threshold (0.5), and at the
thresholds chosen on the tuning split only: per category, the one that gives the most recall while
precision stays >= 0.98 in both modes (of equally good ones the nearest to 0.5). ``--misses`` lists every false
positive and false negative (of the splits asked for). ``--identifiers`` scores issue #13's categories
(government ids, cards, bank accounts, credentials, user agents, usernames, address parts, precise
location, dates of birth) on their own corpus (``tests/eval/identifier_corpus.py``) instead.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "eval"))
from eval_corpus import (  # noqa: E402
    CATEGORIES,
    build_corpus,
    build_heldout,
    build_validation,
    evaluate,
    precision_recall,
)

TARGET_PRECISION = 0.98
THRESHOLDS = tuple(round(0.3 + 0.05 * step, 2) for step in range(13))  # 0.30 .. 0.90
DEFAULT_THRESHOLD = 0.5


def _use_identifier_corpus() -> dict:
    """Switch the report to issue #13's corpus and categories; the split builders by name."""
    global CATEGORIES
    from identifier_corpus import (
        IDENTIFIER_CATEGORIES,
        build_identifier_corpus,
        build_identifier_heldout,
        build_identifier_heldout2,
        build_identifier_heldout3,
        build_identifier_validation,
    )

    CATEGORIES = IDENTIFIER_CATEGORIES
    return {
        "tuning": build_identifier_corpus,
        "validation": build_identifier_validation,
        "held-out": build_identifier_heldout,
        "held-out-2": build_identifier_heldout2,
        "held-out-3": build_identifier_heldout3,
    }


def choose_thresholds(runs) -> dict[str, float]:
    """Per category, the threshold with the most recall on ``runs`` (summed over them) while precision
    stays >= the target in each; of equally good ones the one nearest the default."""
    chosen = {}
    for category in CATEGORIES:
        best, best_recall = None, -1.0
        for threshold in THRESHOLDS:
            results = [precision_recall(run, category, threshold) for run in runs]
            # a run with neither positive columns nor false positives (value-only, for categories only a
            # field name tells) says nothing about the threshold
            results = [result for result in results if result[2] or result[3]]
            if any(precision < TARGET_PRECISION for precision, *_ in results):
                continue
            recall = sum(result[1] for result in results)
            closer = best is None or abs(threshold - DEFAULT_THRESHOLD) < abs(best - DEFAULT_THRESHOLD)
            if recall > best_recall + 1e-9 or (recall > best_recall - 1e-9 and closer):
                best, best_recall = threshold, recall
        chosen[category] = best if best is not None else THRESHOLDS[-1]
    return chosen


def print_table(runs, thresholds: dict[str, float]) -> None:
    header = ["category", "threshold"] + [f"{split} {mode}" for split, mode in runs]
    print("| " + " | ".join(header) + " |")
    print("|" + " --- |" * len(header))
    for category in CATEGORIES:
        cells = [f"`{category}`", f"{thresholds[category]:.2f}"]
        for results in runs.values():
            precision, recall, positives, _ = precision_recall(results, category, thresholds[category])
            cells.append(f"{precision:.3f} / {recall:.3f} ({positives})")
        print("| " + " | ".join(cells) + " |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values-per-column", type=int, default=60)
    parser.add_argument("--misses", action="store_true", help="list every false positive and false negative")
    parser.add_argument("--misses-at", type=float, default=None, help="list the misses at this threshold")
    parser.add_argument(
        "--splits", default=None, help="comma-separated splits to score (default: every split of the corpus)"
    )
    parser.add_argument("--identifiers", action="store_true", help="issue #13's categories and corpus")
    args = parser.parse_args()
    builders = {"tuning": build_corpus, "validation": build_validation, "held-out": build_heldout}
    if args.identifiers:
        builders = _use_identifier_corpus()
    asked = args.splits.split(",") if args.splits else list(builders)
    wanted = ["tuning", *(split for split in asked if split != "tuning")]
    splits = {split: builders[split](args.values_per_column) for split in wanted}
    runs = {}
    for split, columns in splits.items():
        for mode, hide in (("names", False), ("value-only", True)):
            runs[(split, mode)] = evaluate(columns, hide_names=hide)
    chosen = choose_thresholds([runs[("tuning", "names")], runs[("tuning", "value-only")]])
    for split, columns in splits.items():
        negatives = sum(1 for column in columns if column.category is None)
        values = sum(len(column.values) for column in columns)
        print(f"{split}: {len(columns)} columns ({negatives} hard negatives), {values} values")
    print(f"\nprecision / recall (positive columns) at the default threshold {DEFAULT_THRESHOLD:.2f}:")
    print_table(runs, dict.fromkeys(CATEGORIES, DEFAULT_THRESHOLD))
    print(f"\nat the thresholds chosen on the tuning split (most recall at precision >= {TARGET_PRECISION}):")
    print_table(runs, chosen)
    if args.misses:
        for key, results in runs.items():
            for category in CATEGORIES:
                at = chosen[category] if args.misses_at is None else args.misses_at
                for miss in precision_recall(results, category, at)[3]:
                    print(f"{key[0]} {key[1]} {category}: {miss}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
