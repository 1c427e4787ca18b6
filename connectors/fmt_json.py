"""JSON documents and JSON Lines as :class:`~piimap.connectors.fmt_columns.Columns`.

Two jobs, two modules: :mod:`piimap.connectors.json_stream` reads a JSON document as a stream of
records without loading it whole, and :mod:`piimap.connectors.json_flatten` flattens records
into dotted field paths (``user.devices[].idfa``), many at once where they share a shape. This
module is the JSON Lines parser the file formats use: with the C extension, lines are flattened
and counted in C (:mod:`piimap.connectors.logtally`); the names of both modules are available
from here as before.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import cast

from piimap.connectors import logtally
from piimap.connectors.fmt_columns import Columns
from piimap.connectors.json_flatten import flatten_into, flatten_lines_into, flatten_records_into
from piimap.connectors.json_stream import MAX_JSON_VALUE_BYTES, JsonTooLarge, iter_json_records
from piimap.connectors.logtally import (
    DrainedRow,
    TallyBudget,
    native_tally_available,
    parse_each_block,
    tally_blocks,
)

__all__ = [
    "MAX_JSON_VALUE_BYTES",
    "JsonLinesParser",
    "JsonTooLarge",
    "flatten_into",
    "flatten_lines_into",
    "flatten_records_into",
    "iter_json_records",
]


class JsonLinesParser:
    """JSON Lines: one record per line; junk lines become free text."""

    def __init__(self, *, native: bool | None = None, budget: TallyBudget | None = None) -> None:
        self._native = (
            native_tally_available() if native is None else native and logtally.LogTally is not None
        )
        self._budget = budget or TallyBudget()

    def parse_blocks(self, blocks: Iterable[bytes | memoryview]) -> Iterator[Columns]:
        """Parse a whole stream given as blocks of complete lines, counting repeated values.

        With the C extension (:mod:`piimap.connectors.logtally`), lines holding one JSON object
        are flattened and counted in C, and handed over as counted :class:`Columns` when its
        budget is reached and at the end; other lines (arrays, non-ASCII, non-JSON...) are parsed
        here. Without it, each block is decoded and parsed with :meth:`parse_text`.
        """
        if not self._native:
            yield from parse_each_block(blocks, self.parse_text)
            return
        yield from tally_blocks(
            "jsonl", blocks, budget=self._budget, parse_rejected=self.parse_text, to_columns=_drained_paths
        )

    def parse_text(self, text: str, columns: Columns) -> None:
        """Add the records of the lines of ``text`` to ``columns``; other non-blank lines are free text."""
        flatten_lines_into(text.splitlines(), columns)


def _drained_paths(rows: list[DrainedRow]) -> Columns:
    """The C tally's fields (one per dotted path, in the order they were first seen) as Columns."""
    columns = Columns()
    for _kind, name, counts, nulls in rows:
        path = cast(str | None, name)  # JSON Lines fields are named by their dotted path
        if counts:
            columns.tally(path, Counter(counts))
        if nulls:
            columns.null(path, nulls)
    return columns
