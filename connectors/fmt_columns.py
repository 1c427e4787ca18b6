"""Columns of parsed values and the emitter that turns them into bounded :class:`FieldSample` batches.

Every file-format reader fills a :class:`Columns` (field name -> values) for one block of input;
a :class:`SampleEmitter` per container merges those blocks, truncates long values, caps the number
of distinct fields, and yields a :class:`FieldSample` whenever a field holds a full batch, so
memory stays flat however large the file is.

A full read (``aggregate=True``) counts repeated values of a structured field instead of keeping
each occurrence: the field's buffer is a ``Counter`` (filled at C speed) and its samples carry
distinct values with :attr:`~piimap.model.FieldSample.counts`, so a user agent seen a million
times is classified once. A batch then holds at most ``batch_size`` *distinct* values. Free text
(field ``None``) keeps every line, since log lines rarely repeat, except lines a parser has
already counted (the C tally's lines standing for their shapes), which stay counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping

from piimap.model import FieldRef, FieldSample
from piimap.settings import ScanSettings

__all__ = ["ABSENT_VALUES", "Columns", "SampleEmitter", "BATCH_SIZE", "COUNTED_BATCH_SIZE", "MAX_FIELDS"]

#: Values per field per :class:`FieldSample` when a container is read in full.
BATCH_SIZE = 5000
#: Distinct values per field per counted :class:`FieldSample` (``aggregate``): each sample is
#: classified on its own, so fewer, larger samples of a huge log mean fewer early-stop checks.
COUNTED_BATCH_SIZE = 50_000
#: Distinct field names kept per container; values of later fields are classified as free text.
MAX_FIELDS = 1000
# Values held across all fields before everything buffered is flushed (bounds memory when a
# container has many sparse fields)...
_MAX_BUFFERED_VALUES = 100_000
# ...and characters: 100,000 values of 4096 CJK characters are 800 MB.
_MAX_BUFFERED_CHARS = 16 << 20
#: values that mean "not logged" / "no value" in text formats; counted as nulls
ABSENT_VALUES = ("", "-")


class Columns:
    """Values of one block of input, per field (``None`` is unstructured text)."""

    __slots__ = ("values", "counts", "nulls")

    def __init__(self) -> None:
        self.values: dict[str | None, list[str]] = {}
        #: values a parser has already counted: field -> {value: occurrences}
        self.counts: dict[str | None, Counter[str]] = {}
        self.nulls: dict[str | None, int] = {}

    def tally(self, field: str | None, counts: Mapping[str, int]) -> None:
        """Add present values already counted (``{value: occurrences}``)."""
        bucket = self.counts.get(field)
        if bucket is None:
            self.counts[field] = counts if isinstance(counts, Counter) else Counter(counts)
        else:
            bucket.update(counts)

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
        self, field: str | None, values: Iterable[str], absent: tuple[str, ...] = ABSENT_VALUES
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
        """Values held (occurrences, for counted values)."""
        listed = sum(len(values) for values in self.values.values())
        return listed + sum(counts.total() for counts in self.counts.values())


class SampleEmitter:
    """Turns the :class:`Columns` of one container into :class:`FieldSample` batches.

    With ``aggregate`` (a full read), structured fields are counted per distinct value and leave
    as samples with ``counts``; otherwise every occurrence is kept in order.
    """

    def __init__(
        self,
        source: str,
        container: str,
        settings: ScanSettings,
        *,
        batch_size: int = BATCH_SIZE,
        counted_batch_size: int = COUNTED_BATCH_SIZE,
        aggregate: bool = False,
    ):
        self._source = source
        self._container = container
        self._max_length = max(1, settings.max_value_length)
        self._batch_size = max(1, batch_size)
        self._counted_batch_size = max(1, counted_batch_size)
        self._aggregate = aggregate
        self._buffers: dict[str | None, list[str]] = {}
        self._tallies: dict[str | None, Counter[str]] = {}
        self._nulls: dict[str | None, int] = {}
        self._refs: dict[str | None, FieldRef] = {}
        self._buffered = 0
        self._chars = 0  # characters held, or more (a repeated value counted is counted again)
        self.values_seen = 0

    def take(self, columns: Columns) -> Iterator[FieldSample]:
        """Merge ``columns`` into the buffers; yield every batch that is full."""
        for field, count in columns.nulls.items():
            field = self._admit(field)
            self._nulls[field] = self._nulls.get(field, 0) + count
        for field, values in columns.values.items():
            if values:
                yield from self._take_listed(field, values)
        for field, counts in columns.counts.items():
            if counts:
                yield from self._take_counted(field, counts)
        if self._buffered > _MAX_BUFFERED_VALUES or self._over_character_budget():
            yield from self.flush()

    def _over_character_budget(self) -> bool:
        """True when the values held come to more than ``_MAX_BUFFERED_CHARS`` characters.

        ``_chars`` is kept cheaply but counts a repeated value each time it is counted, so
        when it is over, the characters held are counted exactly (and ``_chars`` corrected).
        """
        if self._chars <= _MAX_BUFFERED_CHARS:
            return False
        self._chars = sum(sum(map(len, buffer)) for buffer in self._buffers.values())
        self._chars += sum(sum(map(len, tally)) for tally in self._tallies.values())
        return self._chars > _MAX_BUFFERED_CHARS

    def _take_listed(self, field: str | None, values: list[str]) -> Iterator[FieldSample]:
        admitted = self._admit(field)
        if admitted != field:  # too many fields: keep the value as text, with its name
            values = [f"{field}: {value}" for value in values]
        if max(map(len, values)) > self._max_length:  # cut before they are held, counted or not
            values = [value[: self._max_length] for value in values]
        self._chars += sum(map(len, values))
        if admitted is not None and self._aggregate:
            yield from self._tally(admitted, values)
            return
        self.values_seen += len(values)
        self._buffered += len(values)
        buffer = self._buffers.setdefault(admitted, [])
        buffer.extend(values)
        while len(buffer) >= self._batch_size:
            batch = buffer[: self._batch_size]
            del buffer[: self._batch_size]
            self._buffered -= len(batch)
            self._chars -= sum(map(len, batch))
            yield self._sample(admitted, batch)

    def _take_counted(self, field: str | None, counts: Counter[str]) -> Iterator[FieldSample]:
        admitted = self._admit(field)
        if admitted != field:
            counts = Counter({f"{field}: {value}": count for value, count in counts.items()})
        if self._aggregate and (admitted is not None or field is None):
            if max(map(len, counts)) > self._max_length:  # cut before they are held
                cut: Counter[str] = Counter()
                for value, count in counts.items():
                    cut[value[: self._max_length]] += count
                counts = cut
            self._chars += sum(map(len, counts))
            yield from self._tally(admitted, counts)
            return
        listed = [value for value, count in counts.items() for _ in range(count)]
        yield from self._take_listed(admitted, listed)

    def _tally(self, field: str | None, values: list[str] | Counter[str]) -> Iterator[FieldSample]:
        tally = self._tallies.get(field)
        if tally is None:  # a parser's Counter is adopted as it is (Columns are not reused)
            tally = self._tallies[field] = values if isinstance(values, Counter) else Counter(values)
            before_distinct = 0
        else:
            before_distinct = len(tally)
            tally.update(values)  # a list is counted in C; a Counter is merged per distinct value
        self.values_seen += values.total() if isinstance(values, Counter) else len(values)
        self._buffered += len(tally) - before_distinct
        if len(tally) >= self._counted_batch_size:
            del self._tallies[field]
            self._buffered -= len(tally)
            yield from self._counted_samples(field, tally)

    def flush(self) -> Iterator[FieldSample]:
        """Yield everything still buffered."""
        for field in list(self._buffers):
            batch = self._buffers.pop(field)
            if batch:
                yield self._sample(field, batch)
        for field in list(self._tallies):
            yield from self._counted_samples(field, self._tallies.pop(field))
        self._buffered = 0
        self._chars = 0
        self._nulls.clear()

    def _counted_samples(self, field: str | None, tally: Counter[str]) -> Iterator[FieldSample]:
        """Batches of at most ``counted_batch_size`` distinct values with their counts (cut when taken)."""
        values, counts = list(tally), list(tally.values())
        size = self._counted_batch_size
        for start in range(0, len(values), size):
            yield self._sample(field, values[start : start + size], tuple(counts[start : start + size]))

    def _admit(self, field: str | None) -> str | None:
        if field is None or field in self._refs:
            return field
        if len(self._refs) >= MAX_FIELDS:
            return None
        self._refs[field] = FieldRef(self._source, self._container, field)
        return field

    def _sample(
        self, field: str | None, batch: list[str], counts: tuple[int, ...] | None = None
    ) -> FieldSample:
        ref = self._refs.get(field)
        if ref is None:
            ref = self._refs.setdefault(field, FieldRef(self._source, self._container, field))
        return FieldSample(ref, tuple(batch), self._nulls.pop(field, 0), counts)
