"""The terminal table report against the JSON report, on the same large scan result.

Builds a scan result of N findings (100,000 by default: a warehouse with many tables of PII
columns) and N violations, renders it with ``--format json`` (the reference, measured in the
same run) and ``--format table``, and prints both times and their ratio. The table is laid out in
one pass; with rich's own ``Table`` it took ~1.5 ms a row (minutes for 100,000 findings, 530 s
more than JSON in issue #12), so the ratio is the figure to watch. ``--scaling`` also times a
tenth and a half of the findings, to show the time grows linearly.

    .venv/bin/python bench/bench_table_report.py [--findings 100000] [--scaling] [--columns N]

``--columns N`` lays the table out for an N-column terminal (as ``COLUMNS=N``): at 80 columns the
table tries its wider layouts first and falls back to one "where" column without examples; the
cells are measured once whatever the number of layouts tried.
"""

from __future__ import annotations

import argparse
import os

from benchclock import Clock, Timing

from piimap.model import Finding, ScanResult, SourceStatus, Violation
from piimap.reports import render_report


def scan_result(count: int) -> ScanResult:
    """``count`` findings over ``count // 8`` tables, and as many violations."""
    findings = tuple(
        Finding(
            source="warehouse",
            container=f"analytics.customer_events_{index // 8:05d}",
            field=f"contact_{index % 8}_email_address",
            category="user.contact.email",
            confidence=0.5 + (index % 50) / 100,
            matched=index % 1000,
            sampled=1000,
            classifier="email",
            examples=(f"j***{index}@e***.com", f"a***{index}@b***.org"),
        )
        for index in range(count)
    )
    violations = tuple(
        Violation(
            rule="undeclared-category",
            message=f"user.contact.email found in {finding.container}.{finding.field} is not declared",
            source=finding.source,
            container=finding.container,
            field=finding.field,
            category=finding.category,
        )
        for finding in findings
    )
    return ScanResult(
        started="2026-01-01T00:00:00+00:00",
        finished="2026-01-01T01:00:00+00:00",
        sources=(SourceStatus(name="warehouse", url="postgresql://scanner@db/warehouse", status="ok"),),
        findings=findings,
        violations=violations,
    )


def time_report(report_format: str, result: ScanResult) -> tuple[Timing, int]:
    with Clock() as clock:
        text = render_report(report_format, result)
    return clock.timing, len(text)


def compare(count: int) -> float:
    result = scan_result(count)
    json_timing, json_size = time_report("json", result)
    table_timing, table_size = time_report("table", result)
    ratio = table_timing.wall / json_timing.wall
    print(f"{count:>8} findings  json  {json_timing.wall:7.2f} s  ({json_size / 1e6:6.1f} MB)")
    print(
        f"{'':>8}           table {table_timing.wall:7.2f} s  ({table_size / 1e6:6.1f} MB)  table/json = {ratio:.2f}"
    )
    return table_timing.wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--scaling", action="store_true", help="also time a tenth and a half of the findings")
    parser.add_argument("--columns", type=int, help="terminal width to lay the table out for (default 140)")
    options = parser.parse_args()
    if options.columns:
        os.environ["COLUMNS"] = str(options.columns)
    counts = [options.findings // 10, options.findings // 2] if options.scaling else []
    times = {count: compare(count) for count in [*counts, options.findings]}
    if options.scaling:
        base = counts[0]
        for count, seconds in times.items():
            print(f"table: {1000 * seconds / count:.3f} s per 1,000 findings at {count:>8} findings")
        print(
            f"growth from {base} to {options.findings} findings: x{times[options.findings] / times[base]:.1f}"
        )


if __name__ == "__main__":
    main()
