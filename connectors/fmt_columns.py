"""Columns of parsed values and the emitter that turns them into bounded :class:`FieldSample` batches.

Every file-format reader fills a :class:`Columns` (field name -> values) for one block of input;
a :class:`SampleEmitter` per container merges those blocks, truncates long values, caps the number
of distinct fields, and yields a :class:`FieldSample` whenever a field holds a full batch, so
memory stays flat however large the file is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from piimap.model import FieldRef, FieldSample
from piimap.settings import ScanSettings

__all__ = ["Columns", "SampleEmitter", "BATCH_SIZE", "MAX_FIELDS"]

#: Values per field per :class:`FieldSample` when a container is read in full.
BATCH_SIZE = 5000
#: Distinct field names kept per container; values of later fields are classified as free text.
MAX_FIELDS = 1000
# Values held across all fields before everything buffered is flushed (bounds memory when a
# container has many sparse fields).
_MAX_BUFFERED_VALUES = 50_000
_ABSENT = ("", "-")


class Columns:
    """Values of one block of input, per field (``None`` is unstructured text)."""

    __slots__ = ("values", "nulls")

    def __init__(self) -> None:
        self.values: dict[str | None, list[str]] = {}
        self.nulls: dict[str | None, int] = {}

    def add(self, field: str | None, value: str) -> None:
        """Add one present value."""
        bucket = self.values.get(field)
        if bucket is None:
            self.values[field] = [value]
        else:
            bucket.append(value)

    def extend(self, field: str | None, values: Iterable[str]) -> None:
        """Add values that are all present."""
        bucket = self.values.get(field)
        if bucket is None:
            self.values[field] = list(values)
        else:
            bucket.extend(values)

    def extend_present(
        self, field: str | None, values: Iterable[str], absent: tuple[str, ...] = _ABSENT
    ) -> None:
        """Add values, counting those in ``absent`` (by default ``""`` and ``"-"``, not logged) as nulls."""
        values = list(values)
        present = [value for value in values if value not in absent]
        if len(present) != len(values):
            self.null(field, len(values) - len(present))
        if present:
            self.extend(field, present)

    def null(self, field: str | None, count: int = 1) -> None:
        """Count ``count`` missing values of ``field``."""
        self.nulls[field] = self.nulls.get(field, 0) + count

    def __len__(self) -> int:
        return sum(len(values) for values in self.values.values())


class SampleEmitter:
    """Turns the :class:`Columns` of one container into :class:`FieldSample` batches."""

    def __init__(self, source: str, container: str, settings: ScanSettings, *, batch_size: int = BATCH_SIZE):
        self._source = source
        self._container = container
        self._max_length = max(1, settings.max_value_length)
        self._batch_size = max(1, batch_size)
        self._buffers: dict[str | None, list[str]] = {}
        self._nulls: dict[str | None, int] = {}
        self._refs: dict[str | None, FieldRef] = {}
        self._buffered = 0
        self.values_seen = 0

    def take(self, columns: Columns) -> Iterator[FieldSample]:
        """Merge ``columns`` into the buffers; yield every batch that is full."""
        for field, count in columns.nulls.items():
            field = self._admit(field)
            self._nulls[field] = self._nulls.get(field, 0) + count
        for field, values in columns.values.items():
            if not values:
                continue
            admitted = self._admit(field)
            if admitted != field:  # too many fields: keep the value as text, with its name
                values = [f"{field}: {value}" for value in values]
            if max(map(len, values)) > self._max_length:
                values = [value[: self._max_length] for value in values]
            self.values_seen += len(values)
            self._buffered += len(values)
            buffer = self._buffers.setdefault(admitted, [])
            buffer.extend(values)
            while len(buffer) >= self._batch_size:
                batch = buffer[: self._batch_size]
                del buffer[: self._batch_size]
                self._buffered -= len(batch)
                yield self._sample(admitted, batch)
        if self._buffered > _MAX_BUFFERED_VALUES:
            yield from self.flush()

    def flush(self) -> Iterator[FieldSample]:
        """Yield everything still buffered."""
        fields = list(self._buffers)
        for field in fields:
            batch = self._buffers.pop(field)
            if batch:
                yield self._sample(field, batch)
        self._buffered = 0
        self._nulls.clear()

    def _admit(self, field: str | None) -> str | None:
        if field is None or field in self._refs:
            return field
        if len(self._refs) >= MAX_FIELDS:
            return None
        self._refs[field] = FieldRef(self._source, self._container, field)
        return field

    def _sample(self, field: str | None, batch: list[str]) -> FieldSample:
        ref = self._refs.get(field)
        if ref is None:
            ref = self._refs.setdefault(field, FieldRef(self._source, self._container, field))
        return FieldSample(ref, tuple(batch), self._nulls.pop(field, 0))
