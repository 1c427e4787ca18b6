"""File formats shared by the file and object-store connectors: detect a format, stream field samples.

Two functions make the public API:

* :func:`detect_format` names the format of a file from its name and first bytes:
  ``csv``, ``tsv``, ``json``, ``jsonl``, ``parquet``, ``accesslog``, ``text`` or ``binary``
  (a ``.gz`` suffix or gzip magic bytes are looked through);
* :func:`iter_field_samples` reads a byte stream (gzip-compressed or not, detected by its magic
  bytes) and yields :class:`~piimap.model.FieldSample` batches: one field per CSV column, per dotted
  JSON path, per access-log part; free text (syslog, application logs) as lines of field ``None``.

Memory stays flat whatever the input size: input is read in blocks of at most 1 MiB, every line
is cut at :func:`max_line_bytes` (the rest of a longer line is skipped without being held), values
are cut at ``settings.max_value_length``, and values leave in batches of at most 5000 per field.
A CSV or TSV row (a wide export) is read whole up to :data:`MAX_ROW_BYTES`; a longer row is cut
there, and a warning says how many rows lost the fields after the cut.

Bad input is reported, never fatal: a binary file is skipped with a one-line warning; invalid
UTF-8 is decoded with replacement characters and still scanned; truncated or corrupt gzip data,
broken JSON documents and over-large decompression (``max_decompressed_bytes``, default 1 GiB,
and a ratio guard against gzip bombs) raise :class:`~piimap.model.ContainerUnreadable` *after*
every readable value has been yielded, so the engine classifies those and reports the error.

Sampling (``limit`` > 0) reads a bounded sample spread over the input: a plain seekable file is
read in up to 16 windows at evenly spaced offsets (re-synchronised to line boundaries); a stream
that cannot seek (gzip, an object-store body) gives a uniform reservoir over its first
``20 * limit`` lines or 64 MiB; a JSON document gives its first ``limit`` records; Parquet its
rows from row groups spread over the file.
"""

from __future__ import annotations

import gzip
import io
import logging
import os
import re
import tempfile
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, Protocol, cast, runtime_checkable

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

from piimap.connectors.accesslog import AccessLogParser, looks_like_access_log
from piimap.connectors.fmt_columns import Columns, SampleEmitter
from piimap.connectors.fmt_csv import MAX_ROW_BYTES, CsvParser, sniff_delimiter
from piimap.connectors.fmt_json import JsonLinesParser, JsonTooLarge, flatten_records_into, iter_json_records
from piimap.connectors.fmt_lines import (
    CutLines,
    iter_line_blocks,
    iter_line_views,
    iter_window_lines,
    read_line,
    reservoir_lines,
)
from piimap.connectors.fmt_parquet import ParquetUnreadable
from piimap.connectors.logtally import (
    DrainedRow,
    TallyBudget,
    native_tally_available,
    parse_each_block,
    tally_blocks,
)
from piimap.connectors.toolkit import describe_error
from piimap.model import ContainerUnreadable, FieldSample
from piimap.settings import ScanSettings

__all__ = [
    "FORMATS",
    "DEFAULT_MAX_DECOMPRESSED_BYTES",
    "MAX_ROW_BYTES",
    "MAX_COMPRESSION_RATIO",
    "detect_format",
    "iter_field_samples",
    "max_line_bytes",
    "looks_binary",
]

log = logging.getLogger(__name__)

FORMATS = ("csv", "tsv", "json", "jsonl", "parquet", "accesslog", "text", "binary")
#: Stop reading a compressed stream after this many decompressed bytes (option ``max_decompressed_bytes``).
DEFAULT_MAX_DECOMPRESSED_BYTES = 1 << 30
#: Stop when a compressed stream expands more than this many times (after :data:`_RATIO_FLOOR` bytes).
MAX_COMPRESSION_RATIO = 200
_RATIO_FLOOR = 64 << 20
_HEAD_BYTES = 64 << 10
_GZIP_MAGIC = b"\x1f\x8b"
_PARQUET_MAGIC = b"PAR1"
_COMPRESSED_SUFFIXES = (".gz", ".gzip")
_ROTATION_SUFFIX = re.compile(r"(?:\.\d{1,4}|-\d{8}(?:\d{2})?)$")
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\v\b\x1b")
_RECORDS_PER_BLOCK = 1000
_JSON_LINES_LOOKED_AT = 20
# A JSON document's opening, as opposed to a log line such as "[2024-01-01 10:00:00] INFO ...".
_JSON_START = re.compile(r'\s*(?:\{\s*["}]|\[\s*[\[{"\]])')


class _BlockParser(Protocol):
    def parse_text(self, text: str, columns: Columns) -> None: ...


@runtime_checkable
class _StreamParser(Protocol):
    """A parser that reads a whole stream itself (counting values across blocks, in C when built)."""

    def parse_blocks(self, blocks: Iterable[bytes | memoryview]) -> Iterator[Columns]: ...


class _TextParser:
    """Free text: every non-empty line is one value of the field ``None``."""

    def parse_blocks(self, blocks: Iterable[bytes | memoryview]) -> Iterator[Columns]:
        """A whole stream: lines counted by shape in C when it is built (:mod:`piimap.connectors.logtally`)."""
        if not native_tally_available():
            yield from parse_each_block(blocks, self.parse_text)
            return
        yield from tally_blocks(
            "text", blocks, budget=TallyBudget(), parse_rejected=self.parse_text, to_columns=_drained_lines
        )

    def parse_text(self, text: str, columns: Columns) -> None:
        columns.extend(None, filter(None, text.splitlines()))


def _drained_lines(rows: list[DrainedRow]) -> Columns:
    columns = Columns()
    for _kind, _name, counts, _nulls in rows:
        columns.tally(None, Counter(counts))
    return columns


def max_line_bytes(settings: ScanSettings) -> int:
    """Longest line read from a file; longer lines are cut here and the rest skipped."""
    return max(64 << 10, 4 * settings.max_value_length)


def looks_binary(head: bytes) -> bool:
    """True when ``head`` is not text: more than 10% control bytes (NUL included) or 30% undecodable
    sequences. A log or JSON Lines file with a few corrupt lines (NUL bytes in them) is still text."""
    sample = head[:8192]
    if not sample:
        return False
    controls = sum(1 for byte in sample if byte < 32 and byte not in _TEXT_CONTROLS)
    if controls * 10 > len(sample):
        return True
    text = sample.decode("utf-8", "replace")
    return text.count("\ufffd") * 10 > len(text) * 3


def detect_format(name: str, head: bytes) -> str:
    """'csv','tsv','json','jsonl','parquet','accesslog','text','binary' from the name (also under .gz)
    and first bytes."""
    lower = name.lower().rsplit("/", 1)[-1]
    if head.startswith(_GZIP_MAGIC):
        head = _gunzip_head(head)
    for suffix in _COMPRESSED_SUFFIXES:
        lower = lower.removesuffix(suffix)
    lower = _ROTATION_SUFFIX.sub("", lower)
    extension = os.path.splitext(lower)[1]
    if head.startswith(_PARQUET_MAGIC) or extension in (".parquet", ".pq"):
        return "parquet"
    if looks_binary(head):
        return "binary"
    if extension == ".csv":
        return "csv"
    if extension in (".tsv", ".tab"):
        return "tsv"
    text = head.decode("utf-8", "replace").lstrip("\ufeff")
    lines = text.splitlines()
    if len(head) >= _HEAD_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line of a cut head is partial
    if extension in (".jsonl", ".ndjson"):
        return "jsonl"
    if extension == ".json" or _JSON_START.match(text):
        return "jsonl" if _is_json_lines(lines) else "json"
    if _is_json_lines(lines):
        return "jsonl"
    if looks_like_access_log(lines[:20]):
        return "accesslog"
    return "text"


def _gunzip_head(head: bytes) -> bytes:
    """As many decompressed bytes as the compressed head gives (detection only)."""
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, _HEAD_BYTES)
    except zlib.error:
        return b""


def _is_json_lines(lines: list[str]) -> bool:
    """True when the first non-empty line, or most of the first 20, are each a whole JSON object
    or array on its own (so one corrupt line at the top does not make JSON Lines free text)."""
    import json

    def whole_json(line: str) -> bool:
        if line[:1] not in ("{", "["):
            return False
        try:
            json.loads(line)
        except (ValueError, RecursionError):
            return False
        return True

    first = [line for line in map(str.strip, lines[:_JSON_LINES_LOOKED_AT]) if line]
    if not first:
        return False
    if whole_json(first[0]):
        return True
    return 2 * sum(map(whole_json, first)) > len(first)


def iter_field_samples(
    stream: BinaryIO,
    *,
    source: str,
    container: str,
    name: str,
    limit: int,
    settings: ScanSettings,
    fmt: str | None = None,
    max_decompressed_bytes: int = DEFAULT_MAX_DECOMPRESSED_BYTES,
) -> Iterator[FieldSample]:
    """Read a (possibly gzip-compressed: detect by magic bytes) stream and yield FieldSamples.

    ``limit`` = values (rows/lines/records) to look at; 0 = all (batches of <= 5000 values per
    field per FieldSample). Structured formats give one FieldSample per field (CSV header names;
    JSON dotted paths with arrays as ``items[]``); text gives ``field=None`` samples of lines;
    access logs give fields ``client_ip``, ``remote_user``, ``request_path``, ``query.<param>``
    (URL-decoded, so ``%40`` emails are found), ``referrer``, ``user_agent``, ``cookie.<name>`` ...
    A binary input yields nothing (a one-line warning says it was skipped).

    Raises :class:`~piimap.model.ContainerUnreadable` for unreadable input after yielding what was
    readable. ``name`` (a path or object key) is used for format detection and messages.
    """
    emitter = SampleEmitter(source, container, settings, aggregate=limit <= 0)
    cuts = CutLines()
    try:
        opened = _open_input(stream, max_decompressed_bytes)
        fmt = fmt or detect_format(name, opened.head)
        if fmt not in FORMATS:
            raise ContainerUnreadable(f"unknown format '{fmt}' (known: {', '.join(FORMATS)})")
        if fmt == "binary":
            log.warning("skipped binary file: %s", name)
            return
        if not opened.head:
            log.info("empty file: %s", name)
            return
        for columns in _iter_columns(opened, fmt, limit, settings, cuts):
            yield from emitter.take(columns)
    except (EOFError, OSError, ValueError, zlib.error, _DecompressionLimit, RecursionError) as error:
        yield from emitter.flush()
        raise ContainerUnreadable(_describe_read_error(error, emitter.values_seen)) from error
    finally:
        if cuts.count:
            log.warning(
                "%s: %d rows longer than %d MiB were cut: their fields after the cut were not read",
                name,
                cuts.count,
                MAX_ROW_BYTES >> 20,
            )
    yield from emitter.flush()


def _describe_read_error(error: BaseException, values_seen: int) -> str:
    if isinstance(error, _DecompressionLimit):
        problem = str(error)
    elif isinstance(error, EOFError):
        problem = "truncated compressed data (the stream ends early)"
    elif isinstance(error, (zlib.error, gzip.BadGzipFile)):
        problem = f"corrupt compressed data ({error})"
    elif isinstance(error, PermissionError):
        problem = "permission denied"
    elif isinstance(error, (JsonTooLarge, ParquetUnreadable)):
        problem = str(error)
    elif isinstance(error, RecursionError):  # hostile input: JSON nested thousands of levels deep
        problem = "JSON nested too deeply to read"
    elif isinstance(error, ValueError) and type(error).__name__ == "JSONDecodeError":
        problem = f"invalid JSON ({getattr(error, 'msg', error)})"
    else:
        problem = describe_error(error)
    return f"{problem}; the {values_seen} values read before it were scanned"


# -- input: gzip detection, decompression guard ---------------------------------------------------


class _DecompressionLimit(Exception):
    """Decompression went past ``max_decompressed_bytes`` or the ratio guard."""


class _CountingReader(io.RawIOBase):
    """Counts bytes read from ``stream``; replays ``head`` first. Works on streams with only ``read``."""

    def __init__(
        self, stream: BinaryIO | io.RawIOBase, head: bytes = b"", pending_error: BaseException | None = None
    ):
        self._stream = stream
        self._head = memoryview(head)
        self._pending_error = pending_error
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        view = memoryview(buffer).cast("B")
        if self._head:
            size = min(len(view), len(self._head))
            view[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        if self._pending_error is not None:
            error, self._pending_error = self._pending_error, None
            raise error
        data = self._stream.read(len(view))
        if not data:
            return 0
        size = len(data)
        view[:size] = data
        self.count += size
        return size


class _GuardedReader(io.RawIOBase):
    """Decompressed bytes of a gzip stream, stopping at a size limit and at suspicious ratios."""

    def __init__(self, compressed: _CountingReader, max_bytes: int):
        self._compressed = compressed
        self._gzip = gzip.GzipFile(fileobj=compressed, mode="rb")
        self._max_bytes = max_bytes
        self.produced = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        # one decompression step: ``readinto`` would gather several and drop them all when the
        # stream then turns out to be truncated
        size = self._gzip.readinto1(buffer)
        self.produced += size
        if self.produced > self._max_bytes:
            raise _DecompressionLimit(
                f"stopped after {self._max_bytes >> 20} MiB of decompressed data (max_decompressed_bytes)"
            )
        compressed = max(1, self._compressed.count)
        if self.produced > _RATIO_FLOOR and self.produced > MAX_COMPRESSION_RATIO * compressed:
            raise _DecompressionLimit(
                f"stopped: data expands more than {MAX_COMPRESSION_RATIO}x when decompressed (a gzip bomb?)"
            )
        return size


@dataclass
class _Input:
    reader: BinaryIO  # decompressed bytes from the start
    head: bytes
    compressed: bool
    seekable: bool  # ``reader`` is a plain seekable stream: windows can be sampled

    @property
    def unbuffered(self) -> BinaryIO:
        """``reader`` without the read-ahead buffer :func:`_open_input` put on a decompressed or
        unseekable stream, for reading everything: a buffered read that fails part-way (truncated
        gzip) drops every byte it had gathered, one raw read at a time loses none."""
        raw = getattr(self.reader, "raw", None)
        return cast(BinaryIO, raw) if isinstance(raw, _CountingReader) else self.reader


def _open_input(stream: BinaryIO, max_decompressed_bytes: int) -> _Input:
    seekable = _is_seekable(stream)
    start = stream.tell() if seekable else 0
    magic = stream.read(2)
    if seekable:
        stream.seek(start)
        counting = _CountingReader(stream)
    else:
        counting = _CountingReader(stream, magic)
    if magic != _GZIP_MAGIC:
        if seekable:
            head = stream.read(_HEAD_BYTES)
            stream.seek(start)
            return _Input(stream, head, compressed=False, seekable=True)
        head, error = _read_head(counting)
        if error is not None and not head:
            raise error
        reader = io.BufferedReader(_CountingReader(counting, head, error), 1 << 20)
        return _Input(reader, head, compressed=False, seekable=False)
    guarded = _GuardedReader(counting, max_decompressed_bytes)
    head, error = _read_head(guarded)
    if error is not None and not head:
        raise error
    reader = io.BufferedReader(_CountingReader(guarded, head, error), 1 << 20)
    return _Input(reader, head, compressed=True, seekable=False)


def _is_seekable(stream: BinaryIO) -> bool:
    try:
        return bool(stream.seekable()) and not isinstance(stream, gzip.GzipFile)
    except (AttributeError, ValueError, OSError):
        return False


def _read_head(reader: io.RawIOBase) -> tuple[bytes, BaseException | None]:
    """Up to the first 64 KiB of ``reader``; an error is returned, to be raised after the head is used."""
    head = bytearray()
    buffer = bytearray(_HEAD_BYTES)
    try:
        while len(head) < _HEAD_BYTES:
            size = reader.readinto(memoryview(buffer)[: _HEAD_BYTES - len(head)])
            if not size:
                break
            head += buffer[:size]
    except (EOFError, OSError, zlib.error, _DecompressionLimit) as error:
        return bytes(head), error
    return bytes(head), None


# -- formats -> columns ---------------------------------------------------------------------------


def _iter_columns(
    opened: _Input, fmt: str, limit: int, settings: ScanSettings, cuts: CutLines
) -> Iterator[Columns]:
    if fmt == "parquet":
        yield from _iter_parquet(opened, limit, settings.max_value_length)
    elif fmt == "json":
        yield from _iter_json(opened.reader, limit)
    elif fmt in ("csv", "tsv"):  # a row is many values: read it whole, up to MAX_ROW_BYTES
        line_cap = max(MAX_ROW_BYTES, max_line_bytes(settings))
        yield from _iter_lines(opened, _parser_for(fmt, opened.head), limit, line_cap, cuts)
    else:
        yield from _iter_lines(opened, _parser_for(fmt, opened.head), limit, max_line_bytes(settings))


def _parser_for(fmt: str, head: bytes) -> _BlockParser:
    if fmt == "accesslog":
        return AccessLogParser()
    if fmt == "jsonl":
        return JsonLinesParser()
    if fmt == "csv":
        return CsvParser(sniff_delimiter(head.decode("utf-8", "replace"), ","))
    if fmt == "tsv":
        return CsvParser("\t")
    return _TextParser()


def _decode(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _iter_lines(
    opened: _Input, parser: _BlockParser, limit: int, line_cap: int, cuts: CutLines | None = None
) -> Iterator[Columns]:
    reader = opened.reader
    if limit <= 0:
        reader = opened.unbuffered
        if isinstance(parser, _StreamParser):  # counts across blocks, in C when it is built
            yield from parser.parse_blocks(iter_line_views(reader, line_cap))
            return
        for block in iter_line_blocks(reader, line_cap, cuts=cuts):
            columns = Columns()
            parser.parse_text(_decode(block), columns)
            yield columns
        return
    if isinstance(parser, CsvParser):  # the header row is read first and not counted
        parser.parse_text(_decode(read_line(reader, line_cap, cuts)), Columns())
    if opened.seekable:
        start = reader.tell()
        end = reader.seek(0, os.SEEK_END)
        for lines in iter_window_lines(
            reader, start=start, end=end, limit=limit, max_line_bytes=line_cap, cuts=cuts
        ):
            columns = Columns()
            parser.parse_text(_decode(b"".join(lines)), columns)
            yield columns
        return
    lines, error = reservoir_lines(reader, limit=limit, max_line_bytes=line_cap, cuts=cuts)
    for index in range(0, len(lines), _RECORDS_PER_BLOCK):
        columns = Columns()
        parser.parse_text(_decode(b"".join(lines[index : index + _RECORDS_PER_BLOCK])), columns)
        yield columns
    if error is not None:
        raise error


def _iter_json(reader: BinaryIO, limit: int) -> Iterator[Columns]:
    block: list[tuple[str, object]] = []
    records = 0
    try:
        for pair in iter_json_records(reader):
            block.append(pair)
            records += 1
            if limit and records >= limit:
                break
            if len(block) >= _RECORDS_PER_BLOCK:
                yield _flattened(block)
                block = []
    except (ValueError, EOFError, OSError, zlib.error, _DecompressionLimit):
        yield _flattened(block)  # the records before a broken part of the document are still classified
        raise
    yield _flattened(block)


def _flattened(block: list[tuple[str, object]]) -> Columns:
    columns = Columns()
    flatten_records_into(block, columns)
    return columns


def _iter_parquet(opened: _Input, limit: int, max_value_length: int) -> Iterator[Columns]:
    from piimap.connectors.fmt_parquet import iter_parquet_columns

    if opened.seekable:
        yield from iter_parquet_columns(opened.reader, limit=limit, max_value_length=max_value_length)
        return
    # Parquet keeps its index at the end: spool a compressed or unseekable stream to disk first.
    with tempfile.TemporaryFile(prefix="piimap-parquet-") as spool:
        while True:
            chunk = opened.reader.read(1 << 20)
            if not chunk:
                break
            spool.write(chunk)
        spool.seek(0)
        yield from iter_parquet_columns(spool, limit=limit, max_value_length=max_value_length)


# -- record-level reading, for ``piimap locate`` (scans do not use these) ------------------------


def open_records(
    stream: BinaryIO,
    name: str,
    *,
    fmt: str | None = None,
    max_decompressed_bytes: int = DEFAULT_MAX_DECOMPRESSED_BYTES,
) -> tuple[str, BinaryIO, bytes]:
    """``(format, reader, head)`` of a (possibly gzip) stream: the decompressed bytes from the start,
    with the same gzip-bomb and size guards as a scan, and the format detected as a scan would."""
    opened = _open_input(stream, max_decompressed_bytes)
    return (fmt or detect_format(name, opened.head)), opened.unbuffered, opened.head


def line_parser(fmt: str, head: bytes) -> _BlockParser:
    """The parser a scan uses for one line-oriented format (``parse_text(text, columns)``)."""
    return _parser_for(fmt, head)


def read_error_message(error: BaseException, values_seen: int) -> str:
    """The one-line message a scan gives for an input that broke after ``values_seen`` values."""
    return _describe_read_error(error, values_seen)
