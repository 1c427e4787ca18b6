"""Comparing parsed :class:`Columns`: every field's values as one multiset, nulls included."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from piimap.connectors.fmt_columns import Columns


def expanded(columns: Columns | Iterable[Columns]) -> dict[str | None, Counter[str]]:
    """Every field's values (listed and counted together) plus ``"<null>"`` for its nulls.

    Given several Columns (what one parse yielded), they are merged; fields left empty are dropped.
    """
    fields: dict[str | None, Counter[str]] = {}
    for block in [columns] if isinstance(columns, Columns) else columns:
        for field, values in block.values.items():
            fields.setdefault(field, Counter()).update(values)
        for field, counts in block.counts.items():
            fields.setdefault(field, Counter()).update(counts)
        for field, nulls in block.nulls.items():
            fields.setdefault(field, Counter())["<null>"] += nulls
    return {field: +counts for field, counts in fields.items() if +counts}
