"""JSON Lines full-read speed: the block parser against the line-by-line reference, in the same run.

Generates a deterministic JSON Lines event log (default 50 MB) of records like
``{"ts": 1700000123, "event": "click", "user": {"email": "...", "ip": "..."}, "page": "/cart",
"device_id": "<uuid>"}`` (about 2% of events anonymous, ``"user": null``), then times, by CPU time
(``time.process_time``; on a shared machine wall-clock time mostly measures the neighbours):

1. the parser alone: ``JsonLinesParser.parse_text`` on the 1 MiB blocks the file connector reads;
2. the connector: ``iter_field_samples`` with ``limit=0`` (read, parse, count values per field);
3. the full scan: ``scan(..., ScanSettings(sample_size=0), executor=SerialExecutor())``, every
   classifier through the engine;

each with the Python block parser (``new``) and with the reference it replaced, one line at a time
(``old``: ``json_flatten._parse_lines_one_by_one``), both with ``PIIMAP_PURE_PYTHON=1``, and the
connector and full scan also with the C log tally (``C``, :mod:`piimap.connectors.logtally`),
alternating, the best of ``--repeat`` runs. The scans must give the same findings; the script
says whether they do. A scan of a small log
first loads what a process loads once (plugins, patterns, the spaCy model); it is not counted.

``--profile`` adds the top functions of one full scan with the block parser (cProfile), to show
where the remaining time goes.

Run: ``.venv/bin/python bench/bench_jsonl.py [--mb 50] [--repeat 3] [--profile] [--dir DIR] [--keep]``.
Figures are printed, never asserted: compare ratios, not absolute numbers, on a shared machine.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

EVENTS = ("click", "view", "scroll", "add_to_cart", "purchase", "login", "logout")
PAGES = ("/", "/cart", "/checkout", "/products/42", "/products/7", "/search", "/account/settings", "/blog")
TARGET_RATIO = 3.0


@dataclass(frozen=True)
class Truth:
    lines: int
    with_email: int
    size: int


def generate(path: Path, megabytes: float, seed: int = 20240101) -> Truth:
    """A deterministic event log of about ``megabytes`` MB; returns its known counts."""
    chooser = random.Random(seed)
    users = [
        (
            f"user{index}.{chooser.choice(('smith', 'lee', 'garcia', 'kim'))}@example.com",
            ".".join(
                str(part)
                for part in (
                    chooser.randint(11, 99),
                    chooser.randint(0, 255),
                    chooser.randint(0, 255),
                    chooser.randint(1, 254),
                )
            ),
        )
        for index in range(50_000)
    ]
    devices = [str(uuid.UUID(int=chooser.getrandbits(128), version=4)) for _ in range(200_000)]
    target = int(megabytes * 1_000_000)
    lines = with_email = size = 0
    with open(path, "w", encoding="ascii", newline="\n") as stream:
        while size < target:
            chunk = []
            for _ in range(10_000):
                user = None
                if chooser.random() >= 0.02:
                    email, address = chooser.choice(users)
                    user = {"email": email, "ip": address}
                    with_email += 1
                record = {
                    "ts": 1_700_000_000 + lines,
                    "event": chooser.choice(EVENTS),
                    "user": user,
                    "page": chooser.choice(PAGES),
                    "device_id": chooser.choice(devices),
                }
                chunk.append(json.dumps(record) + "\n")
                lines += 1
            text = "".join(chunk)
            stream.write(text)
            size += len(text)
    return Truth(lines=lines, with_email=with_email, size=size)


@contextlib.contextmanager
def parser(which: str) -> Iterator[None]:
    """Run JSON Lines through the C tally (``C``), the Python block parser (``new``) or the line-by-line
    reference (``old``)."""
    from piimap.connectors import fmt_json

    if which == "C":
        yield
        return
    previous = os.environ.get("PIIMAP_PURE_PYTHON")
    os.environ["PIIMAP_PURE_PYTHON"] = "1"
    try:
        if which == "new":
            yield
        else:
            with _one_by_one(fmt_json):
                yield
    finally:
        if previous is None:
            os.environ.pop("PIIMAP_PURE_PYTHON", None)
        else:
            os.environ["PIIMAP_PURE_PYTHON"] = previous


@contextlib.contextmanager
def _one_by_one(fmt_json) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """``JsonLinesParser.parse_text`` replaced by the one-line-at-a-time reference."""

    def one_by_one(self: fmt_json.JsonLinesParser, text: str, columns: fmt_json.Columns) -> None:
        from piimap.connectors import json_flatten

        json_flatten._parse_lines_one_by_one(text.splitlines(), columns)

    block_parser = fmt_json.JsonLinesParser.parse_text
    fmt_json.JsonLinesParser.parse_text = one_by_one  # type: ignore[method-assign]
    try:
        yield
    finally:
        fmt_json.JsonLinesParser.parse_text = block_parser  # type: ignore[method-assign]


def cpu_seconds(run: Callable[[], object]) -> tuple[float, object]:
    started = time.process_time()
    result = run()
    return time.process_time() - started, result


def parse_only(path: Path) -> int:
    """Parse the file's 1 MiB blocks as the connector reads them; returns the values parsed."""
    from piimap.connectors.fmt_columns import Columns
    from piimap.connectors.fmt_json import JsonLinesParser
    from piimap.connectors.fmt_lines import iter_line_blocks

    parser_ = JsonLinesParser()
    values = 0
    with open(path, "rb") as stream:
        for block in iter_line_blocks(stream, 1 << 20):
            columns = Columns()
            parser_.parse_text(block.decode("utf-8", "replace"), columns)
            values += len(columns) + sum(columns.nulls.values())
    return values


def connector(path: Path) -> dict[str | None, int]:
    """The file connector's full read; returns the distinct values per field in its samples."""
    from piimap.connectors.formats import iter_field_samples
    from piimap.settings import ScanSettings

    distinct: dict[str | None, int] = {}
    with open(path, "rb") as stream:
        for sample in iter_field_samples(
            stream, source="bench", container=str(path), name=path.name, limit=0, settings=ScanSettings()
        ):
            distinct[sample.field.name] = distinct.get(sample.field.name, 0) + len(sample.values)
    return distinct


def full_scan(path: Path) -> dict[tuple[str | None, str], tuple[int, int]]:
    from piimap.engine import SerialExecutor, scan
    from piimap.model import SourceSpec
    from piimap.settings import ScanSettings

    result = scan([SourceSpec("bench", str(path))], ScanSettings(sample_size=0), executor=SerialExecutor())
    if result.errors:
        raise SystemExit(f"scan failed: {[error.one_line() for error in result.errors]}")
    return {
        (finding.field, finding.category): (finding.matched, finding.sampled) for finding in result.findings
    }


def best_of(
    repeat: int, path: Path, run: Callable[[Path], object], kinds: tuple[str, ...] = ("C", "new", "old")
) -> dict[str, tuple[float, object]]:
    """The least CPU time of ``repeat`` runs per parser, the parsers alternating."""
    best: dict[str, tuple[float, object]] = {}
    for _ in range(repeat):
        for which in kinds:
            with parser(which):
                seconds, result = cpu_seconds(lambda: run(path))
            if which not in best or seconds < best[which][0]:
                best[which] = (seconds, result)
    return best


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    arguments.add_argument("--mb", type=float, default=50, help="size of the generated log (default 50 MB)")
    arguments.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is kept")
    arguments.add_argument(
        "--profile", action="store_true", help="profile one full scan with the block parser"
    )
    arguments.add_argument("--dir", help="where to write the logs (default: a temporary directory)")
    arguments.add_argument("--keep", action="store_true", help="keep the generated logs")
    args = arguments.parse_args()
    args.repeat = max(1, args.repeat)

    directory = Path(args.dir or tempfile.mkdtemp(prefix="piimap-bench-jsonl-"))
    directory.mkdir(parents=True, exist_ok=True)
    log_path = directory / "events.jsonl"
    try:
        started = time.perf_counter()
        truth = generate(log_path, args.mb)
        megabytes = truth.size / 1e6
        print(
            f"generated {megabytes:.0f} MB, {truth.lines} records ({truth.with_email} with a user) "
            f"in {time.perf_counter() - started:.1f}s"
        )
        warm_path = directory / "warm-up.jsonl"
        generate(warm_path, 1, seed=7)
        warm_seconds, _ = cpu_seconds(lambda: full_scan(warm_path))
        print(
            f"start-up (plugins, patterns, spaCy model; once per process, not in the rates): {warm_seconds:.2f}s CPU"
        )

        print(f"{'':28}{'C MB/s':>10}{'new MB/s':>10}{'old MB/s':>10}{'new/old':>8}")

        def row(label: str, best: dict[str, tuple[float, object]], note: str = "") -> None:
            new, old = best["new"][0], best["old"][0]
            native = f"{megabytes / best['C'][0]:10.1f}" if "C" in best else f"{'-':>10}"
            print(f"{label:28}{native}{megabytes / new:10.1f}{megabytes / old:10.1f}{old / new:8.2f}  {note}")

        parsed = best_of(args.repeat, log_path, parse_only, ("new", "old"))
        same = parsed["new"][1] == parsed["old"][1]
        row(
            "parser only (CPU)", parsed, f"({parsed['new'][1]} values; same count: {'yes' if same else 'NO'})"
        )
        read = best_of(args.repeat, log_path, connector)
        met = read["old"][0] / read["new"][0] >= TARGET_RATIO
        row("connector (CPU)", read, f"(target ratio >= {TARGET_RATIO:g}: {'met' if met else 'NOT met'})")
        scanned = best_of(max(1, args.repeat - 1), log_path, full_scan)
        agree = scanned["new"][1] == scanned["old"][1] == scanned["C"][1]
        row("full scan (CPU)", scanned, f"(same findings: {'yes' if agree else 'NO'})")

        distinct = read["C"][1]
        assert isinstance(distinct, dict)
        connector_seconds, scan_seconds = read["C"][0], scanned["C"][0]
        print(
            f"full scan with the C tally: {scan_seconds:.2f}s CPU, of which reading "
            f"{connector_seconds:.2f}s ({100 * connector_seconds / scan_seconds:.0f}%) and classifying "
            f"{scan_seconds - connector_seconds:.2f}s; distinct values classified per field: "
            + ", ".join(
                f"{name} {count}" for name, count in sorted(distinct.items(), key=lambda item: -item[1])
            )
        )
        findings = scanned["C"][1]
        assert isinstance(findings, dict)
        emails = findings.get(("user.email", "user.contact.email"), (0, 0))
        print(
            f"user.email: {emails[0]}/{emails[1]} matched/sampled (records with a user: {truth.with_email})"
        )

        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(full_scan, log_path)
            report = io.StringIO()
            pstats.Stats(profile, stream=report).sort_stats("tottime").print_stats(15)
            print(report.getvalue())
    finally:
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
