"""Apache Parquet through pyarrow (an optional dependency: ``pip install 'piimap[parquet]'``).

Columns are read in record batches, so memory stays flat; nested columns (structs, lists, maps)
are flattened into dotted paths like JSON. A bounded sample takes its rows from row groups spread
over the file rather than only the first one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from piimap.connectors.fmt_columns import BATCH_SIZE, Columns
from piimap.connectors.fmt_json import flatten_into
from piimap.connectors.fmt_lines import WINDOWS
from piimap.model import ContainerUnreadable

__all__ = ["iter_parquet_columns"]


def _pyarrow() -> tuple[Any, Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq
    except ImportError:
        raise ContainerUnreadable(
            "reading Parquet needs pyarrow, which is not installed (pip install 'piimap[parquet]')"
        ) from None
    return pa, pc, pq


def iter_parquet_columns(source: BinaryIO, *, limit: int) -> Iterator[Columns]:
    """Yield the values of a Parquet file as :class:`Columns`, one record batch at a time.

    ``limit`` rows (``0`` = all) taken from up to :data:`WINDOWS` evenly spaced row groups.
    """
    pa, pc, pq = _pyarrow()
    parquet = pq.ParquetFile(source)
    groups = list(range(parquet.num_row_groups))
    quota = 0
    if limit > 0 and groups:
        count = min(len(groups), WINDOWS, limit)
        groups = sorted({groups[index * len(groups) // count] for index in range(count)})
        quota = -(-limit // len(groups))
    for group in groups:
        remaining = quota
        batch_size = min(BATCH_SIZE, quota or BATCH_SIZE)
        for batch in parquet.iter_batches(batch_size=batch_size, row_groups=[group]):
            if quota:
                batch = batch.slice(0, remaining)
                remaining -= batch.num_rows
            yield _batch_columns(batch, pa, pc)
            if quota and remaining <= 0:
                break


def _batch_columns(batch: Any, pa: Any, pc: Any) -> Columns:
    columns = Columns()
    for name, column in zip(batch.schema.names, batch.columns):
        kind = column.type
        if column.null_count:
            columns.null(name, column.null_count)
            column = column.drop_null()
        if pa.types.is_nested(kind):
            for value in column.to_pylist():
                flatten_into(value, name, columns)
            continue
        if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_fixed_size_binary(kind):
            values = [value.decode("utf-8", "replace") for value in column.to_pylist()]
        elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
            values = column.to_pylist()
        else:
            try:
                values = pc.cast(column, pa.string()).to_pylist()
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                values = [str(value) for value in column.to_pylist()]
        columns.extend_present(name, values, ("",))
    return columns
