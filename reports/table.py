"""The default terminal report: a table of findings, then violations and errors.

The tables look like rich's (its box characters), but are laid out here in one pass over the
rows: rich measures and renders every cell through its whole layout machinery, about 1.5 ms a
row, so 100,000 findings took minutes (``bench/bench_table_report.py`` compares with JSON).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, ClassVar

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from piimap.model import ScanResult
from piimap.redact import printable
from piimap.terminal import markup_safe

__all__ = ["TableReport"]

_BOX = box.HEAVY_HEAD
_MIN_WIDTH = 4  # a column folded narrower than this would be unreadable


def _cell(text: str) -> str:
    """Names come from scanned data: no terminal control sequences (nothing is read as markup)."""
    return printable(text)


@dataclass(frozen=True)
class _Column:
    header: str
    right: bool = False  # numbers are right-aligned
    no_wrap: bool = False  # keys and numbers stay whole


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
        console.print(f"  {markup_safe(line)}", soft_wrap=True)  # one line each, never wrapped
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
            columns = (
                _Column("source"),
                _Column("container"),
                _Column("field"),
                _Column("category", no_wrap=True),
                _Column("confidence", right=True, no_wrap=True),
                _Column("matched", right=True, no_wrap=True),
                _Column("examples"),
            )
            rows = [
                (
                    _cell(finding.source),
                    _cell(finding.container),
                    _cell(finding.field if finding.field is not None else "(text)"),
                    finding.category,
                    f"{finding.confidence:.2f}",
                    f"{finding.matched}/{finding.sampled}",
                    _cell(", ".join(finding.examples)),
                )
                for finding in result.findings
            ]
            _print_table(console, "Personal data found", columns, rows)
        else:
            _print_nothing_found(console, result)
        if result.violations:
            violation_columns = (
                _Column("rule", no_wrap=True),
                _Column("severity"),
                _Column("where"),
                _Column("category", no_wrap=True),
                _Column("message"),
            )
            violation_rows: list[tuple[str, ...]] = []
            for violation in result.violations:
                where = "/".join(
                    part for part in (violation.source, violation.container, violation.field) if part
                )
                violation_rows.append(
                    (
                        violation.rule,
                        violation.severity + (" (suppressed)" if violation.suppressed else ""),
                        _cell(where),
                        violation.category or "",
                        _cell(violation.message),
                    )
                )
            _print_table(console, "Violations", violation_columns, violation_rows)
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


def _print_table(
    console: Console, title: str, columns: Sequence[_Column], rows: Sequence[Sequence[str]]
) -> None:
    """A titled table, header in bold on a terminal; rows are written as plain text, in one pass."""
    widths = _column_widths(columns, rows, console.width)
    padded = [width + 2 for width in widths]
    table_width = sum(padded) + len(widths) + 1
    header = _BOX.head_left + _BOX.head_vertical.join(
        f" {column.header.ljust(width)} " for column, width in zip(columns, widths)
    )
    _print_line(console, title.center(table_width).rstrip(), "italic")
    console.file.write(_BOX.get_top(padded) + "\n")
    _print_line(console, header + _BOX.head_right, "bold")
    console.file.write(_BOX.get_row(padded, "head", edge=True) + "\n")
    write = console.file.write
    lines: list[str] = []
    for row in rows:
        cells = [_wrap(text, width, column.no_wrap) for text, width, column in zip(row, widths, columns)]
        for index in range(max(map(len, cells))):
            parts = []
            for lines_of_cell, width, column in zip(cells, widths, columns):
                text = lines_of_cell[index] if index < len(lines_of_cell) else ""
                padding = " " * max(0, width - _cells(text))
                parts.append(f" {padding}{text} " if column.right else f" {text}{padding} ")
            lines.append(_BOX.mid_left + _BOX.mid_vertical.join(parts) + _BOX.mid_right + "\n")
        if len(lines) >= 1000:
            write("".join(lines))
            lines.clear()
    write("".join(lines))
    write(_BOX.get_bottom(padded) + "\n")


def _print_line(console: Console, text: str, style: str) -> None:
    """One line, in ``style`` on a terminal; never wrapped or cropped."""
    if console.is_terminal:
        console.print(Text(text, style=style), soft_wrap=True, highlight=False)
    else:
        console.file.write(text + "\n")


def _column_widths(columns: Sequence[_Column], rows: Sequence[Sequence[str]], total: int) -> list[int]:
    """Each column as wide as its widest cell; when that is too wide for ``total`` cells, the columns
    that may wrap share what the others leave, the narrow ones keeping their width."""
    natural = [_cells(column.header) for column in columns]
    for row in rows:
        for index, text in enumerate(row):
            width = max(map(_cells, _text_lines(text)))
            if width > natural[index]:
                natural[index] = width
    room = total - (3 * len(columns) + 1)
    wrapping = [index for index, column in enumerate(columns) if not column.no_wrap]
    fixed = sum(width for index, width in enumerate(natural) if index not in wrapping)
    share = room - fixed
    if sum(natural[index] for index in wrapping) <= share:
        return natural
    widths = list(natural)
    pending = sorted(wrapping, key=natural.__getitem__)
    while pending:
        each = max(_MIN_WIDTH, share // len(pending))
        index = pending[0]
        if natural[index] <= each:  # narrow enough: keeps its width, the others share the rest
            share -= natural[index]
            pending.pop(0)
            continue
        for index in pending:
            widths[index] = each
        break
    return widths


def _cells(text: str) -> int:
    """Terminal cells ``text`` takes (wide characters take two)."""
    return len(text) if text.isascii() else cell_len(text)


def _text_lines(text: str) -> list[str]:
    """The lines of a cell: a newline in a name starts a line within the cell (tabs are expanded)."""
    if text.isprintable():
        return [text]
    return text.expandtabs(8).splitlines() or [""]


def _wrap(text: str, width: int, no_wrap: bool) -> list[str]:
    """``text`` as lines of at most ``width`` cells: broken at spaces, long words folded."""
    lines = _text_lines(text)
    if len(lines) > 1:
        return [part for line in lines for part in _wrap(line, width, no_wrap)]
    text = lines[0]
    if no_wrap or _cells(text) <= width:
        return [text]
    if text.isascii():
        return textwrap.wrap(text, width, break_on_hyphens=False, expand_tabs=False) or [""]
    lines = []
    line, line_width = "", 0
    for character in text:  # wide characters: fold by cells
        character_width = cell_len(character)
        if line_width + character_width > width and line:
            lines.append(line)
            line, line_width = "", 0
        line += character
        line_width += character_width
    lines.append(line)
    return lines
