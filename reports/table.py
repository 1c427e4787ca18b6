"""The default terminal report: a table of findings, then violations and errors.

The tables look like rich's (its box characters), but are laid out here in one pass over the
rows: rich measures and renders every cell through its whole layout machinery, about 1.5 ms a
row, so 100,000 findings took minutes (``bench/bench_table_report.py`` compares with JSON).

The table fits the width there is: the terminal's, ``$COLUMNS`` when set (also when the output
is not a terminal), else 140 columns. Category keys and numbers are never broken; container paths
are shortened from the left (``…/exports/customers.csv``: the file name stays); dotted field
names wrap at their dots; and when even that does not fit, the source, container and field share
one "where" column, then the masked examples (findings) or the category (violations, whose
message names it) are left out, with a line saying so. File containers are shown relative to the
folder their source reads (``access.log``, not ``/srv/app/logs/access.log``).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, ClassVar

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from piimap.model import Finding, ScanResult, Violation
from piimap.redact import printable
from piimap.reports.locations import display_container, display_message, source_roots
from piimap.terminal import markup_safe, table_width
from piimap.wording import counted

__all__ = ["TableReport", "table_width"]

_BOX = box.HEAVY_HEAD
_MIN_WIDTH = 4  # a column folded narrower than this would be unreadable
_ELLIPSIS = "…"

# How a cell may be broken to fit its column.
_KEEP = "keep"  # never: category keys, numbers, rule ids (the row may overflow a tiny terminal)
_PATH = "path"  # shortened from the left, the last segments kept (containers)
_DOTTED = "dotted"  # wrapped after its dots or slashes (field paths)
_WORDS = "words"  # wrapped at spaces, long words folded (messages)
_LIST = "list"  # wrapped after its ", " separators, a long item folded (masked examples)
_WHERE = "where"  # source, container and field, each as above, on as few lines as fit


def _cell(text: str) -> str:
    """Names come from scanned data: no terminal control sequences (nothing is read as markup)."""
    return printable(text)


@dataclass(frozen=True)
class _Column:
    key: str  # the record field it shows
    header: str
    fit: str = _WORDS
    right: bool = False  # numbers are right-aligned
    short_header: str = ""  # used when the full header is wider than every cell
    minimum: int = 10  # narrower than this, another layout is tried


@dataclass(frozen=True)
class _Layout:
    """One way to show a table: its columns (of the records' fields), and a note when it leaves
    something out."""

    columns: tuple[_Column, ...]
    note: str = ""


@dataclass(frozen=True)
class _Table:
    """A table to print: its title, its layouts (widest first), the names of its records' fields,
    and the records (each a tuple of those fields, text or a "where" tuple)."""

    title: str
    layouts: tuple[_Layout, ...]
    keys: tuple[str, ...]
    records: list[tuple[object, ...]]


#: Unread sources and containers listed under "no personal data found"; the rest are counted.
MAX_UNREAD_LISTED = 10


class TableReport:
    """``--format table`` (the default)."""

    format: ClassVar[str] = "table"

    def write(self, result: ScanResult, stream: IO[str]) -> None:
        console = Console(file=stream, width=table_width(stream), soft_wrap=False)
        roots = source_roots(result)

        def where(source: str | None, container: str | None, field: str | None) -> tuple[str, ...]:
            shown = display_container(container, roots.get(source or "")) if container else None
            return tuple(_cell(part) if part else "" for part in (source, shown, field))

        if result.findings:
            _print_table(console, _findings_table(result.findings, where))
        else:
            _print_nothing_found(console, result)
        if result.violations:
            _print_table(console, _violations_table(result.violations, where, roots))
        sources_ok = sum(1 for status in result.sources if status.status == "ok")
        errors = f", {counted(len(result.errors), 'error')}" if result.errors else ""
        console.print(
            f"{counted(len(result.findings), 'finding')} (sources read: {sources_ok}/{len(result.sources)}{errors})"
        )
        reused = sum(status.skipped for status in result.sources)
        if reused:
            total = sum(status.containers for status in result.sources)
            console.print(
                f"{reused} of {counted(total, 'container')} unchanged since the last run: "
                "findings reused (--full rescans)"
            )


Where = Callable[[str | None, str | None, str | None], tuple[str, ...]]


_FINDING_KEYS = ("where", "category", "confidence", "matched", "examples")


def _findings_table(findings: Sequence[Finding], where: Where) -> _Table:
    """The findings table: every finding once as a record, in three layouts, widest first."""
    category = _Column("category", "category", _KEEP)
    confidence = _Column("confidence", "confidence", _KEEP, right=True, short_header="conf")
    matched = _Column("matched", "matched", _KEEP, right=True)
    examples = _Column("examples", "examples", _LIST, minimum=20)
    where_column = _Column("where", "where", _WHERE, minimum=16)
    records: list[tuple[object, ...]] = [
        (
            where(
                finding.source, finding.container, finding.field if finding.field is not None else "(text)"
            ),
            finding.category,
            f"{finding.confidence:.2f}",
            f"{finding.matched}/{finding.sampled}",
            _cell(", ".join(finding.examples)),
        )
        for finding in findings
    ]
    layouts = (
        _Layout(
            (
                _Column("where.0", "source", _KEEP),
                _Column("where.1", "container", _PATH, minimum=12),
                _Column("where.2", "field", _DOTTED),
                category,
                confidence,
                matched,
                examples,
            )
        ),
        _Layout((where_column, category, confidence, matched, examples)),
        _Layout(
            (where_column, category, confidence, matched),
            note="masked examples left out to fit {width} columns (a wider terminal, COLUMNS=N, "
            "or --format json shows them)",
        ),
    )
    return _Table("Personal data found", layouts, _FINDING_KEYS, records)


_VIOLATION_KEYS = ("rule", "severity", "where", "category", "message")


def _violations_table(violations: Sequence[Violation], where: Where, roots: dict[str, str | None]) -> _Table:
    """The violations table, widest layout first (the message names the category too)."""
    rule = _Column("rule", "rule", _KEEP)
    severity = _Column("severity", "severity", _WORDS, minimum=8)
    message = _Column("message", "message", _WORDS, minimum=24)
    records: list[tuple[object, ...]] = [
        (
            violation.rule,
            violation.severity + (" (suppressed)" if violation.suppressed else ""),
            where(violation.source, violation.container, violation.field),
            violation.category or "",
            _cell(display_message(violation, roots)),  # the same relative path as "where"
        )
        for violation in violations
    ]
    layouts = (
        _Layout(
            (
                rule,
                severity,
                _Column("where", "where", _WHERE, minimum=16),
                _Column("category", "category", _KEEP),
                message,
            )
        ),
        _Layout((rule, severity, _Column("where", "where", _WHERE, minimum=12), message)),
    )
    return _Table("Violations", layouts, _VIOLATION_KEYS, records)


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


def _print_table(console: Console, table: _Table) -> None:
    """A titled table in the first layout that fits the console (the last one otherwise), header
    in bold on a terminal; rows are written as plain text, in one pass. The cells are measured
    once, whatever the number of layouts tried."""
    total = console.width
    natural = _natural_widths(table)
    layout = table.layouts[-1]
    fitted = None
    for candidate in table.layouts:
        fitted = _column_widths(candidate.columns, natural, total)
        if fitted is not None:
            layout = candidate
            break
    if fitted is None:
        fitted = _column_widths(layout.columns, natural, total, force=True)
    assert fitted is not None
    headers, widths = fitted
    columns = layout.columns
    getters = [_getter(table.keys, column.key) for column in columns]
    padded = [width + 2 for width in widths]
    table_width = sum(padded) + len(widths) + 1
    header = _BOX.head_left + _BOX.head_vertical.join(
        f" {text.ljust(width)} " for text, width in zip(headers, widths)
    )
    _print_line(console, table.title.center(table_width).rstrip(), "italic")
    console.file.write(_BOX.get_top(padded) + "\n")
    _print_line(console, header + _BOX.head_right, "bold")
    console.file.write(_BOX.get_row(padded, "head", edge=True) + "\n")
    write = console.file.write
    lines: list[str] = []
    for record in table.records:
        cells = [_fit(get(record), width, column.fit) for get, width, column in zip(getters, widths, columns)]
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
    if layout.note:
        console.file.write("\n".join(textwrap.wrap(layout.note.format(width=total), max(total, 20))) + "\n")


def _getter(keys: tuple[str, ...], key: str) -> Callable[[tuple[object, ...]], object]:
    """Reads field ``key`` of a record; ``where.1`` is the container part of the "where" field."""
    name, _, part = key.partition(".")
    index = keys.index(name)
    if not part:
        return lambda record: record[index]
    position = int(part)
    return lambda record: record[index][position]  # type: ignore[index]


def _natural_widths(table: _Table) -> dict[str, int]:
    """The widest cell of each field (and of each part of "where"), in one pass over the records."""
    natural = dict.fromkeys(table.keys, 0)
    where_index = table.keys.index("where")
    parts = [0, 0, 0]
    for record in table.records:
        for key, value in zip(table.keys, record):
            width = _natural(value)
            if width > natural[key]:
                natural[key] = width
        where_parts: tuple[str, ...] = record[where_index]  # type: ignore[assignment]
        for position, part in enumerate(where_parts):
            width = _natural(part)
            if width > parts[position]:
                parts[position] = width
    natural.update({f"where.{position}": width for position, width in enumerate(parts)})
    return natural


def _print_line(console: Console, text: str, style: str) -> None:
    """One line, in ``style`` on a terminal; never wrapped or cropped."""
    if console.is_terminal:
        console.print(Text(text, style=style), soft_wrap=True, highlight=False)
    else:
        console.file.write(text + "\n")


def _natural(value: object) -> int:
    """The cells a value takes on one line (a "where" tuple joined by ``": "``)."""
    if isinstance(value, tuple):
        parts = [part for part in value if part]
        return sum(map(_natural, parts)) + 2 * (len(parts) - 1) if parts else 0
    return max(map(_cells, _text_lines(str(value))))


def _column_widths(
    columns: Sequence[_Column], natural_widths: dict[str, int], total: int, *, force: bool = False
) -> tuple[list[str], list[int]] | None:
    """Headers and widths fitting ``total`` cells, or ``None`` when a breakable column would get
    less than its minimum (unless ``force``: then it gets what is left, at least a few cells).

    Each column is as wide as its widest cell; when that is too wide, a header wider than its
    cells is shortened, and the columns that may break share what the others leave, the narrow
    ones keeping their width."""
    natural = [natural_widths[column.key] for column in columns]
    headers = [column.header for column in columns]
    room = total - (3 * len(columns) + 1)
    if sum(max(width, _cells(header)) for width, header in zip(natural, headers)) > room:
        headers = [
            column.short_header if column.short_header and width < _cells(column.header) else column.header
            for column, width in zip(columns, natural)
        ]
    natural = [max(width, _cells(header)) for width, header in zip(natural, headers)]
    breakable = [index for index, column in enumerate(columns) if column.fit != _KEEP]
    share = room - sum(width for index, width in enumerate(natural) if index not in breakable)
    if sum(natural[index] for index in breakable) <= share:
        return headers, natural
    widths = list(natural)
    pending = sorted(breakable, key=natural.__getitem__)
    while pending:
        each = max(_MIN_WIDTH, share // len(pending))
        index = pending[0]
        if natural[index] <= each:  # narrow enough: keeps its width, the others share the rest
            share -= natural[index]
            pending.pop(0)
            continue
        if not force and any(each < min(columns[index].minimum, natural[index]) for index in pending):
            return None
        for index in pending:
            widths[index] = each
        break
    return headers, widths


def _cells(text: str) -> int:
    """Terminal cells ``text`` takes (wide characters take two)."""
    return len(text) if text.isascii() else cell_len(text)


def _text_lines(text: str) -> list[str]:
    """The lines of a cell: a newline in a name starts a line within the cell (tabs are expanded)."""
    if text.isprintable():
        return [text]
    return text.expandtabs(8).splitlines() or [""]


def _fit(value: object, width: int, fit: str) -> list[str]:
    """A cell's lines for a column ``width`` cells wide, broken as ``fit`` says."""
    if fit == _WHERE:
        return _fit_where(value if isinstance(value, tuple) else (str(value),), width)
    text = str(value)
    lines = _text_lines(text)
    if len(lines) > 1:
        return [part for line in lines for part in _fit(line, width, fit)]
    if fit == _KEEP or _cells(text) <= width:
        return [text]
    if fit == _PATH:
        return [_shorten_left(text, width)]
    if fit == _DOTTED:
        return [line.rstrip(" ") for line in _wrap_after(text, width, "./ ")]
    if fit == _LIST:
        return _wrap_list(text, width)
    return _wrap(text, width)


def _wrap_list(text: str, width: int) -> list[str]:
    """``a, b, c`` broken after its commas, never inside an item unless the item alone is too wide."""
    lines: list[str] = []
    current = ""
    for item in text.split(", "):
        if current and _cells(current) + 2 + _cells(item) <= width:
            current += ", " + item
            continue
        if current:
            lines.append(current + ",")
        folded = _wrap(item, width) if _cells(item) > width else [item]
        lines.extend(folded[:-1])
        current = folded[-1]
    lines.append(current)
    return lines


def _fit_where(parts: tuple[str, ...], width: int) -> list[str]:
    """``source: container: field`` (empty parts left out) on as few lines as fit: the source whole
    (folded only when it alone is wider than the column), the container shortened from the left,
    the field wrapped after its dots."""
    present = [(index, part) for index, part in enumerate(parts) if part]
    lines: list[str] = []
    current = ""
    for position, (index, part) in enumerate(present):
        piece = part + (":" if position < len(present) - 1 else "")
        if current and _cells(current) + 1 + _cells(piece) <= width:
            current += " " + piece
            continue
        if current:
            lines.append(current)
        if _cells(piece) <= width:
            current = piece
        elif index == 1:  # the container
            current = _shorten_left(piece, width)
        else:
            pieces = _wrap_after(piece, width, "./") if index == 2 else _wrap(piece, width)
            lines.extend(pieces[:-1])
            current = pieces[-1]
    lines.append(current)
    return lines


def _shorten_left(text: str, width: int) -> str:
    """``text`` in ``width`` cells: ``…`` and its end, cut after a ``/`` or ``.`` when one is near
    enough (``…/exports/customers.csv``), so the last segments stay whole."""
    if _cells(text) <= width:
        return text
    if width <= 1:
        return _ELLIPSIS[:width]
    keep = width - 1
    tail = text[-keep:] if text.isascii() else _tail_cells(text, keep)
    for offset, character in enumerate(tail[: max(1, len(tail) // 2)]):
        if character in "/." and offset:
            return _ELLIPSIS + tail[offset:]
    return _ELLIPSIS + tail


def _tail_cells(text: str, cells: int) -> str:
    """The longest end of ``text`` that takes at most ``cells`` cells."""
    taken = 0
    start = len(text)
    while start > 0 and taken + cell_len(text[start - 1]) <= cells:
        start -= 1
        taken += cell_len(text[start])
    return text[start:]


def _wrap_after(text: str, width: int, separators: str) -> list[str]:
    """``text`` broken after its separators (``visitor.`` / ``advertising_id``); a segment still
    too wide is folded."""
    segments: list[str] = []
    start = 0
    for index, character in enumerate(text):
        if character in separators:
            segments.append(text[start : index + 1])
            start = index + 1
    segments.append(text[start:])
    lines: list[str] = []
    current = ""
    for segment in segments:
        if _cells(current) + _cells(segment) <= width:
            current += segment
            continue
        if current:
            lines.append(current)
        folded = _fold(segment, width) if _cells(segment) > width else [segment]
        lines.extend(folded[:-1])
        current = folded[-1]
    lines.append(current)
    return [line for line in lines if line] or [""]


def _wrap(text: str, width: int) -> list[str]:
    """``text`` as lines of at most ``width`` cells: broken at spaces; a word too long for a line is
    broken after its dots or slashes (``user.contact.`` / ``phone_number``), else folded."""
    if _cells(text) <= width:
        return [text]
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        if _cells(current) + 1 + _cells(word) <= width if current else _cells(word) <= width:
            current = f"{current} {word}" if current else word
            continue
        if current:
            lines.append(current)
        pieces = _wrap_after(word, width, "./") if _cells(word) > width else [word]
        lines.extend(pieces[:-1])
        current = pieces[-1]
    lines.append(current)
    return lines


def _fold(text: str, width: int) -> list[str]:
    """``text`` cut into lines of at most ``width`` cells (wide characters take two)."""
    if text.isascii():
        return [text[start : start + width] for start in range(0, len(text), width)] or [""]
    lines: list[str] = []
    line, line_width = "", 0
    for character in text:
        character_width = cell_len(character)
        if line_width + character_width > width and line:
            lines.append(line)
            line, line_width = "", 0
        line += character
        line_width += character_width
    lines.append(line)
    return lines
