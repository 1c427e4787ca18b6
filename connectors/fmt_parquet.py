"""Apache Parquet through pyarrow (an optional dependency: ``pip install 'piimap[parquet]'``).

Columns are read one leaf column at a time, in record batches, so memory stays flat; nested
columns are flattened into dotted paths like JSON: ``profile.ip`` (a struct), ``tags[]`` (a list),
``attributes[].key`` and ``attributes[].value`` (a map). A bounded sample takes its rows from row
groups spread over the file rather than only the first one.

Memory stays bounded whatever the file holds. Parquet decompresses a page whole, and a few KB
of compressed page can hold gigabytes (a 1.5 GiB string compresses to 49 KB), so the page
headers of a column chunk are read before the chunk is (they give every page's compressed and
decompressed size, and the decompressor never goes past the size its header states):

* a column chunk with a page larger than :data:`MAX_PAGE_BYTES` is not read, and reported;
* a batch holds about :data:`BATCH_BYTES` of values, by the pages' own bytes per value;
* dictionary-encoded text is read as dictionaries (an entry repeated a million times is not
  copied a million times), and text is cut at ``max_value_length`` inside Arrow, before it
  becomes Python strings;
* a list or map column with more than :data:`MAX_REPEATED_VALUES` values in one row group is
  not read, and reported: batches are cut by rows, and one row could hold them all.

The file is read through a small buffer (never a whole row group or column chunk at once).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from piimap.connectors.fmt_columns import BATCH_SIZE, Columns
from piimap.connectors.fmt_lines import WINDOWS
from piimap.model import ContainerUnreadable

__all__ = [
    "BATCH_BYTES",
    "MAX_PAGE_BYTES",
    "MAX_REPEATED_VALUES",
    "ParquetTooLarge",
    "ParquetUnreadable",
    "iter_parquet_columns",
]

#: Largest page (compressed or decompressed) read; a column chunk with a larger one is skipped.
MAX_PAGE_BYTES = 64 << 20
#: Values held per record batch (by the pages' decompressed bytes per value).
BATCH_BYTES = 16 << 20
#: Most values a list or map column may hold in one row group to be read.
MAX_REPEATED_VALUES = 8_000_000
_READ_BUFFER = 1 << 20
# Bytes Arrow keeps per value besides the value itself (offsets, levels, dictionary indices).
_VALUE_OVERHEAD = 16
_DEFAULT_MAX_VALUE_LENGTH = 4096
_MIB = 1 << 20


class ParquetUnreadable(ValueError):
    """A part of a Parquet file piimap cannot read: corrupt, or too large (the message says which)."""


class ParquetTooLarge(ParquetUnreadable):
    """Columns of a Parquet file that would take more memory to read than allowed (not read)."""


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


def iter_parquet_columns(
    source: BinaryIO, *, limit: int, max_value_length: int = _DEFAULT_MAX_VALUE_LENGTH
) -> Iterator[Columns]:
    """Yield the values of a seekable Parquet file as :class:`Columns`, leaf column by leaf column.

    ``limit`` rows (``0`` = all) taken from up to :data:`WINDOWS` evenly spaced row groups.
    Raises :class:`ParquetTooLarge` after everything else was yielded when some column chunks
    were too large to read (see the module docstring).
    """
    pa, pc, pq = _pyarrow()
    metadata = pq.ParquetFile(source).metadata
    leaves = [metadata.schema.column(index) for index in range(metadata.num_columns)]
    options = {"metadata": metadata, "pre_buffer": False, "buffer_size": _READ_BUFFER}
    dense = pq.ParquetFile(source, **options)
    text = [leaf.path for leaf in leaves if leaf.physical_type == "BYTE_ARRAY"]
    as_dictionary = pq.ParquetFile(source, read_dictionary=text, **options) if text else dense
    groups = list(range(metadata.num_row_groups))
    quota = 0
    if limit > 0 and groups:
        count = min(len(groups), WINDOWS, limit)
        groups = sorted({groups[index * len(groups) // count] for index in range(count)})
        quota = -(-limit // len(groups))
    converter = _Converter(pa, pc, max(1, max_value_length))
    refused: list[str] = []
    for group in groups:
        row_group = metadata.row_group(group)
        counted: set[str] = set()  # inner paths whose nulls an earlier leaf of this group counted
        for index, leaf in enumerate(leaves):
            where = f"column {leaf.path!r} in row group {group}"
            try:
                pages = _chunk_pages(source, row_group.column(index))
            except ParquetUnreadable as error:
                raise ParquetUnreadable(f"{where}: {error}") from None
            problem = _too_large(leaf, pages)
            if problem:
                refused.append(f"{where}: {problem}")
                continue
            as_text_dictionary = _reads_as_dictionary(leaf, pages)
            batches = (as_dictionary if as_text_dictionary else dense).iter_batches(
                batch_size=_batch_rows(leaf, pages, as_text_dictionary, row_group.num_rows, quota),
                row_groups=[group],
                columns=[leaf.path],
                use_threads=False,
            )
            seen: set[str] = set()
            for batch in _first_rows(batches, quota):
                for name, column in zip(batch.schema.names, batch.columns):
                    yield from converter.columns(column, name, counted, seen)
            counted |= seen
    if refused:
        more = f" and {len(refused) - 3} more" if len(refused) > 3 else ""
        raise ParquetTooLarge(f"not read (too large for bounded memory): {'; '.join(refused[:3])}{more}")


def _first_rows(batches: Iterator[Any], quota: int) -> Iterator[Any]:
    """The record batches holding the first ``quota`` rows (all of them when ``quota`` is 0)."""
    remaining = quota
    for batch in batches:
        if quota:
            batch = batch.slice(0, remaining)
            remaining -= batch.num_rows
        yield batch
        if quota and remaining <= 0:
            return


# -- what a column chunk's page headers say -------------------------------------------------------


@dataclass(frozen=True)
class _ChunkPages:
    """The page headers of one column chunk, summed up."""

    largest_page: int  # bytes, compressed or decompressed, of its largest page
    total_bytes: int  # decompressed bytes of all its pages
    dictionary_bytes: int  # decompressed bytes of its dictionary page (0: none)
    values: int  # values (nulls included) in its data pages
    bytes_per_value: int  # the most decompressed bytes per value of any data page, rounded up
    dictionary_pages: int  # data pages encoded with the dictionary...
    other_pages: int  # ...and data pages encoded otherwise (PLAIN, DELTA_*)


@dataclass(frozen=True)
class _PageHeader:
    length: int  # bytes of the header itself
    compressed: int
    uncompressed: int
    values: int  # of a data page; 0 for other pages
    kind: str  # "dictionary" (a dictionary page), "indices" (a data page of dictionary indices), "data"


def _chunk_pages(source: BinaryIO, chunk: Any) -> _ChunkPages:
    """Walk the page headers of one column chunk the way Parquet readers do (from its first page,
    over ``total_compressed_size`` bytes, until its values are all seen)."""
    start = chunk.data_page_offset
    dictionary_offset = chunk.dictionary_page_offset
    if chunk.has_dictionary_page and dictionary_offset and 0 < dictionary_offset < start:
        start = dictionary_offset
    end = start + chunk.total_compressed_size
    position = start
    largest = total = dictionary_bytes = values = bytes_per_value = 0
    kinds = {"indices": 0, "data": 0}
    while position < end and values < chunk.num_values:
        header = _read_page_header(source, position)
        largest = max(largest, header.compressed, header.uncompressed)
        total += header.uncompressed
        if header.kind == "dictionary":
            dictionary_bytes = max(dictionary_bytes, header.uncompressed)
        elif header.values > 0:
            kinds[header.kind] += 1
            values += header.values
            bytes_per_value = max(bytes_per_value, -(-header.uncompressed // header.values))
        position += header.length + header.compressed
    return _ChunkPages(
        largest, total, dictionary_bytes, values, bytes_per_value, kinds["indices"], kinds["data"]
    )


def _too_large(leaf: Any, pages: _ChunkPages) -> str | None:
    if pages.largest_page > MAX_PAGE_BYTES:
        return f"a page of {_size(pages.largest_page)}, over the {_size(MAX_PAGE_BYTES)} limit"
    if leaf.max_repetition_level > 0 and pages.values > MAX_REPEATED_VALUES:
        return f"{pages.values:,} list values, over the {MAX_REPEATED_VALUES:,} limit"
    return None


def _reads_as_dictionary(leaf: Any, pages: _ChunkPages) -> bool:
    """Text encoded with a dictionary is read as one: entries are not copied once per row.

    When some pages are PLAIN too (a writer gave up on the dictionary part-way), pyarrow adds
    their values to the dictionary, which then grows to the chunk's distinct values: only for a
    chunk no larger than a page.
    """
    if leaf.physical_type != "BYTE_ARRAY" or not pages.dictionary_pages:
        return False
    return not pages.other_pages or pages.total_bytes <= MAX_PAGE_BYTES


def _batch_rows(leaf: Any, pages: _ChunkPages, as_dictionary: bool, group_rows: int, quota: int) -> int:
    """Rows per record batch so that one batch holds about :data:`BATCH_BYTES`."""
    per_value = pages.bytes_per_value + _VALUE_OVERHEAD
    if leaf.physical_type == "FIXED_LEN_BYTE_ARRAY":
        per_value += max(0, leaf.length or 0)  # dictionary indices are copied out whole
    elif leaf.physical_type == "BYTE_ARRAY" and pages.dictionary_pages and not as_dictionary:
        per_value += pages.dictionary_bytes  # an entry (at most the dictionary) per index
    values_per_row = max(1, -(-pages.values // max(1, group_rows)))
    rows = max(1, min(BATCH_SIZE, BATCH_BYTES // (per_value * values_per_row)))
    return min(rows, quota) if quota else rows


def _size(count: int) -> str:
    return f"{count / (1 << 30):.1f} GiB" if count >= 1 << 30 else f"{count / _MIB:.0f} MiB"


# -- Arrow arrays to Python strings ------------------------------------------------------------------


class _Converter:
    """Arrow columns to :class:`Columns`: nested types flattened, text cut before it reaches Python."""

    def __init__(self, pa: Any, pc: Any, max_length: int) -> None:
        self._pa = pa
        self._pc = pc
        self._max_length = max_length

    def columns(self, array: Any, path: str, counted: set[str], seen: set[str]) -> Iterator[Columns]:
        """The leaves under ``array`` (at ``path``), at most :data:`BATCH_SIZE` values per ``Columns``.

        Nulls of inner nodes (a missing struct or list) count once per row group: not when a
        path is in ``counted`` (an earlier leaf's read saw it); inner paths are added to ``seen``.
        """
        for leaf_path, values, nulls, inner in self._walk(array, path):
            if inner:
                seen.add(leaf_path)
                if nulls and leaf_path not in counted:
                    columns = Columns()
                    columns.null(leaf_path, nulls)
                    yield columns
                continue
            if nulls:
                columns = Columns()
                columns.null(leaf_path, nulls)
                yield columns
            for start in range(0, len(values), BATCH_SIZE):
                columns = Columns()
                columns.extend_present(leaf_path, self._python(values.slice(start, BATCH_SIZE)), ("",))
                yield columns

    def _walk(self, array: Any, path: str) -> Iterator[tuple[str, Any, int, bool]]:
        """``(path, present values, nulls, inner)`` for every node under ``array``, depth first."""
        types = self._pa.types
        kind = array.type
        nulls = array.null_count
        if nulls:
            array = array.drop_null()
        if types.is_struct(kind):
            yield path, None, nulls, True
            for field, child in zip(kind, array.flatten()):
                yield from self._walk(child, f"{path}.{field.name}")
        elif types.is_map(kind):
            yield path, None, nulls, True
            offsets = array.offsets
            start, stop = offsets[0].as_py(), offsets[-1].as_py()  # ``keys`` ignores a slice
            yield from self._walk(array.keys.slice(start, stop - start), f"{path}[].key")
            yield from self._walk(array.items.slice(start, stop - start), f"{path}[].value")
        elif types.is_list(kind) or types.is_large_list(kind) or types.is_fixed_size_list(kind):
            yield path, None, nulls, True
            yield from self._walk(array.flatten(), f"{path}[]")
        else:
            yield path, array, nulls, False

    def _python(self, values: Any) -> list[str]:
        """Present leaf values as Python strings; text and bytes cut at ``max_length`` first."""
        pa, pc = self._pa, self._pc
        if pa.types.is_dictionary(values.type):
            # Only the entries this batch uses are copied and cut, so the cost does not grow
            # with the dictionary (which grows batch after batch when some pages are PLAIN).
            used = pc.unique(values.indices)
            entries = values.dictionary.take(used)
            cut, _ = self._cut(entries)
            return self._python((entries if cut is None else cut).take(pc.index_in(values.indices, used)))
        cut, is_bytes = self._cut(values)
        if cut is not None:
            if is_bytes:
                return [value.decode("utf-8", "replace") for value in cut.to_pylist()]
            return cut.to_pylist()
        try:
            return pc.cast(values, pa.string()).to_pylist()
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return [str(value) for value in values.to_pylist()]

    def _cut(self, values: Any) -> tuple[Any, bool]:
        """``(values cut at max_length, they are bytes)``; ``(None, False)`` when not text or bytes."""
        pa, pc, types = self._pa, self._pc, self._pa.types
        kind = values.type
        if types.is_string(kind) or types.is_large_string(kind) or types.is_string_view(kind):
            if types.is_string_view(kind):
                values = values.cast(pa.large_string())
            return pc.utf8_slice_codeunits(values, 0, self._max_length), False
        if types.is_binary(kind) or types.is_large_binary(kind) or types.is_binary_view(kind):
            if types.is_binary_view(kind):
                values = values.cast(pa.large_binary())
            return pc.binary_slice(values, 0, self._max_length), True
        if types.is_fixed_size_binary(kind):
            return pc.binary_slice(values.cast(pa.binary()), 0, self._max_length), True
        return None, False


# -- just enough of the Thrift compact protocol to read a page header ------------------------------

_BOOL_TRUE, _BOOL_FALSE, _BYTE, _I16, _I32, _I64, _DOUBLE, _BINARY, _LIST, _SET, _MAP, _STRUCT = range(1, 13)
_HEADER_READ = 4096
#: Fields and elements read in one page header before it is called corrupt (a header has ~15).
_MAX_HEADER_ITEMS = 10_000
_MAX_HEADER_DEPTH = 16
_DICTIONARY_PAGE = 7
#: PageHeader fields holding a page type's own header -> (its num_values field, its encoding field)
_PAGE_TYPE_HEADERS = {5: (1, 2), _DICTIONARY_PAGE: (0, 0), 8: (1, 4)}  # data page, dictionary, data page v2
_DICTIONARY_ENCODINGS = (2, 8)  # PLAIN_DICTIONARY, RLE_DICTIONARY


class _CompactReader:
    """Reads Thrift compact protocol values from a seekable file, a few KB at a time.

    Binary values (statistics) are skipped by position, never read.
    """

    def __init__(self, stream: BinaryIO, position: int) -> None:
        self._stream = stream
        self.position = position
        self._base = position
        self._buffer = b""
        self._items = 0

    def byte(self) -> int:
        offset = self.position - self._base
        if not 0 <= offset < len(self._buffer):
            self._stream.seek(self.position)
            self._buffer = self._stream.read(_HEADER_READ)
            self._base, offset = self.position, 0
            if not self._buffer:
                raise ParquetUnreadable("a Parquet page header runs past the end of the file")
        self.position += 1
        return self._buffer[offset]

    def varint(self) -> int:
        result = shift = 0
        while True:
            byte = self.byte()
            result |= (byte & 0x7F) << shift
            if byte < 0x80:
                return result
            shift += 7
            if shift > 63:
                raise ParquetUnreadable("corrupt Parquet page header (an integer is too long)")

    def integer(self) -> int:
        raw = self.varint()
        return (raw >> 1) ^ -(raw & 1)

    def fields(self) -> Iterator[tuple[int, int]]:
        """``(field id, type)`` of each field of a struct; the caller reads or skips each value."""
        last = 0
        while True:
            header = self.byte()
            if header == 0:
                return
            self._count()
            delta, kind = header >> 4, header & 0x0F
            last = last + delta if delta else self.integer()
            yield last, kind

    def skip(self, kind: int, depth: int = 0, in_collection: bool = False) -> None:
        if depth > _MAX_HEADER_DEPTH:
            raise ParquetUnreadable("corrupt Parquet page header (nested too deeply)")
        if kind in (_BOOL_TRUE, _BOOL_FALSE):
            self.position += 1 if in_collection else 0  # a field's boolean is in its field header
        elif kind == _BYTE:
            self.position += 1
        elif kind in (_I16, _I32, _I64):
            self.varint()
        elif kind == _DOUBLE:
            self.position += 8
        elif kind == _BINARY:
            length = self.varint()  # read before the position is (``+=`` would read it first)
            self.position += length
        elif kind in (_LIST, _SET):
            header = self.byte()
            size = header >> 4
            if size == 15:
                size = self.varint()
            for _ in range(size):
                self._count()
                self.skip(header & 0x0F, depth + 1, in_collection=True)
        elif kind == _MAP:
            size = self.varint()
            types = self.byte() if size else 0
            for _ in range(size):
                self._count()
                self.skip(types >> 4, depth + 1, in_collection=True)
                self.skip(types & 0x0F, depth + 1, in_collection=True)
        elif kind == _STRUCT:
            for _, field_kind in self.fields():
                self.skip(field_kind, depth + 1)
        else:
            raise ParquetUnreadable(f"corrupt Parquet page header (unknown Thrift type {kind})")

    def _count(self) -> None:
        self._items += 1
        if self._items > _MAX_HEADER_ITEMS:
            raise ParquetUnreadable("corrupt Parquet page header (too many fields)")


def _read_page_header(stream: BinaryIO, position: int) -> _PageHeader:
    """The Parquet ``PageHeader`` at ``position``: sizes, and the values of a data page."""
    reader = _CompactReader(stream, position)
    sizes: dict[int, int] = {}
    values = 0
    kind_of_page = "data"
    for field, kind in reader.fields():
        if field in (2, 3) and kind == _I32:  # uncompressed_page_size, compressed_page_size
            sizes[field] = reader.integer()
        elif field in _PAGE_TYPE_HEADERS and kind == _STRUCT:
            values_field, encoding_field = _PAGE_TYPE_HEADERS[field]
            if field == _DICTIONARY_PAGE:
                kind_of_page = "dictionary"
            for inner, inner_kind in reader.fields():
                if inner == values_field and inner_kind == _I32:
                    values = reader.integer()
                elif inner == encoding_field and inner_kind == _I32:
                    kind_of_page = "indices" if reader.integer() in _DICTIONARY_ENCODINGS else "data"
                else:
                    reader.skip(inner_kind, 1)
        else:
            reader.skip(kind)
    uncompressed, compressed = sizes.get(2, -1), sizes.get(3, -1)
    if uncompressed < 0 or compressed < 0 or values < 0:
        raise ParquetUnreadable("corrupt Parquet page header (no valid page sizes)")
    return _PageHeader(reader.position - position, compressed, uncompressed, values, kind_of_page)
