"""The default terminal report: a rich table of findings, then violations and errors."""

from __future__ import annotations

from typing import IO, ClassVar

from rich.console import Console
from rich.table import Table

from piimap.model import ScanResult
from piimap.terminal import markup_safe

__all__ = ["TableReport"]


def _cell(text: str) -> str:
    """Names come from scanned data: no rich markup, no terminal control sequences."""
    return markup_safe(text)


#: Unread sources and containers listed under "no personal data found"; the rest are counted.
MAX_UNREAD_LISTED = 10


def _print_nothing_found(console: Console, result: ScanResult) -> None:
    """ "No personal data found", unless something could not be read: then say what, and that
    only the rest was checked."""
    unread = [f"{status.name}: {status.error}" for status in result.sources if status.status != "ok"]
    unread += [error.one_line() for error in result.errors if error.container is not None]
    if not unread:
        console.print("No personal data found.")
        return
    console.print("Not read, so not checked for personal data:")
    for line in unread[:MAX_UNREAD_LISTED]:
        console.print(f"  {_cell(line)}", soft_wrap=True)  # one line each, never wrapped
    if len(unread) > MAX_UNREAD_LISTED:
        console.print(f"  ... and {len(unread) - MAX_UNREAD_LISTED} more (see the errors on stderr)")
    read = sum(1 for status in result.sources if status.status == "ok")
    console.print("Nothing else was read." if not read else "No personal data found in what could be read.")


class TableReport:
    """``--format table`` (the default)."""

    format: ClassVar[str] = "table"

    def write(self, result: ScanResult, stream: IO[str]) -> None:
        console = Console(file=stream, width=140 if not stream.isatty() else None, soft_wrap=False)
        if result.findings:
            table = Table(title="Personal data found", show_lines=False)
            for column in ("source", "container", "field", "category", "confidence", "matched", "examples"):
                table.add_column(
                    column,
                    overflow="fold",
                    justify="right" if column in ("confidence", "matched") else "left",
                    no_wrap=column in ("category", "confidence", "matched"),  # keys and numbers stay whole
                )
            for finding in result.findings:
                table.add_row(
                    _cell(finding.source),
                    _cell(finding.container),
                    _cell(finding.field if finding.field is not None else "(text)"),
                    finding.category,
                    f"{finding.confidence:.2f}",
                    f"{finding.matched}/{finding.sampled}",
                    _cell(", ".join(finding.examples)),
                )
            console.print(table)
        else:
            _print_nothing_found(console, result)
        if result.violations:
            table = Table(title="Violations")
            for column in ("rule", "severity", "where", "category", "message"):
                table.add_column(column, overflow="fold", no_wrap=column in ("rule", "category"))
            for violation in result.violations:
                where = "/".join(
                    part for part in (violation.source, violation.container, violation.field) if part
                )
                table.add_row(
                    violation.rule,
                    violation.severity + (" (suppressed)" if violation.suppressed else ""),
                    _cell(where),
                    violation.category or "",
                    _cell(violation.message),
                )
            console.print(table)
        sources_ok = sum(1 for status in result.sources if status.status == "ok")
        console.print(
            f"{len(result.findings)} findings in {sources_ok}/{len(result.sources)} sources"
            + (f", {len(result.errors)} errors" if result.errors else "")
        )
        reused = sum(status.skipped for status in result.sources)
        if reused:
            total = sum(status.containers for status in result.sources)
            console.print(
                f"{reused} of {total} containers unchanged since the last run: findings reused (--full rescans)"
            )
