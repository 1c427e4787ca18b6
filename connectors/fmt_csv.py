"""CSV and TSV: the header row names the fields, every other row gives one value per field.

Ragged rows are tolerated: missing cells are simply absent and extra cells become the fields
``column_<n>`` (1-based position). Empty header cells are named the same way and repeated header
names get a ``_2``, ``_3`` suffix. Rows the ``csv`` module cannot parse are kept as free text.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence

from piimap.connectors.fmt_columns import Columns

__all__ = ["MAX_ROW_BYTES", "CsvParser", "sniff_delimiter"]

_EMPTY = ("",)
#: Longest CSV / TSV row read whole (rows of wide exports are longer than other formats' lines).
MAX_ROW_BYTES = 8 << 20


#: csv.Sniffer takes quadratic time on some inputs (2 KB of ``{"a":{"a":...`` takes 0.2 s, 16 KB
#: 12 s), so it only ever sees this much of the head (tests/test_fuzz_parsers.py).
_SNIFF_CHARS = 2048


def sniff_delimiter(head: str, default: str = ",") -> str:
    """The delimiter of the CSV text ``head`` (one of ``, ; | TAB``), or ``default``."""
    sample = "\n".join(head.splitlines()[:20])
    if len(sample) > _SNIFF_CHARS:  # whole lines when there are several, else a cut first line
        cut = sample.rfind("\n", 0, _SNIFF_CHARS)
        sample = sample[: cut if cut > 0 else _SNIFF_CHARS]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;|\t").delimiter
    except csv.Error:
        return default


class CsvParser:
    """Rows of delimited text into :class:`Columns`; the first row parsed is the header."""

    def __init__(self, delimiter: str = ",") -> None:
        self.delimiter = delimiter
        self.header: list[str] | None = None
        # The csv module refuses cells over 128 KiB (the whole row then became free text, cut at
        # max_value_length, so the fields after the cell were lost). Rows are capped by the reader
        # (MAX_ROW_BYTES, plus at most one read block): allow cells that long. Only ever raised.
        if csv.field_size_limit() < 2 * MAX_ROW_BYTES:
            csv.field_size_limit(2 * MAX_ROW_BYTES)

    def parse_text(self, text: str, columns: Columns) -> None:
        lines = text.splitlines()
        try:
            rows = list(csv.reader(lines, delimiter=self.delimiter))
        except csv.Error:
            rows = []
            for line in lines:
                try:
                    rows.extend(csv.reader([line], delimiter=self.delimiter))
                except csv.Error:
                    columns.add(None, line)
        if self.header is None and rows:
            self.header = _field_names(rows.pop(0))
        rows = [row for row in rows if row]
        if not rows:
            return
        header = self.header or []
        width = len(header)
        if set(map(len, rows)) == {width}:  # the common case: transpose in C
            for name, values in zip(header, zip(*rows)):
                columns.extend_present(name, values, _EMPTY)
            return
        for row in rows:
            for index, cell in enumerate(row):
                name = header[index] if index < width else f"column_{index + 1}"
                if cell:
                    columns.add(name, cell)
                else:
                    columns.null(name)


def _field_names(row: Sequence[str]) -> list[str]:
    names: list[str] = []
    seen: dict[str, int] = {}
    for index, cell in enumerate(row):
        name = cell.strip().lstrip("\ufeff") or f"column_{index + 1}"
        count = seen.get(name, 0) + 1
        seen[name] = count
        names.append(name if count == 1 else f"{name}_{count}")
    return names
