"""Hostile files for the memory tests, written with flat memory however much they expand to.

Each writer streams its file to disk: a test can make a Parquet file whose one value is 1.5 GiB
without the test process ever holding that value.

:func:`write_parquet_bomb` writes the Parquet file by hand (pyarrow itself needs about three times
the value's size in memory to write it): one row group, one ``BYTE_ARRAY`` (UTF-8) column, one
PLAIN-encoded data page compressed with GZIP, and a footer, all encoded with the Thrift compact
protocol as the Parquet format specifies. ``claimed_uncompressed`` makes the footer lie about the
column chunk's size, as a hostile file can.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

__all__ = [
    "gzip_of_repeated",
    "write_parquet_bomb",
    "write_long_line",
    "write_huge_json_value",
    "write_gzip_bomb",
    "write_deep_json",
    "write_csv_with_giant_field",
]

_MIB = 1 << 20


# -- gzip of a long run, in constant time per MiB ---------------------------------------------------


def gzip_of_repeated(prefix: bytes, unit: bytes, count: int, suffix: bytes = b"") -> bytes:
    """The gzip data of ``prefix + unit * count + suffix``, without building that string.

    Raw deflate blocks ended by a full flush do not depend on what came before them, so one MiB
    of ``unit`` (whose length divides a MiB) compresses to the same block every time: it is
    compressed once and repeated.
    """
    assert _MIB % len(unit) == 0
    per_chunk = _MIB // len(unit)
    chunk = unit * per_chunk
    whole, rest = divmod(count, per_chunk)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    parts = [b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"]
    parts.append(compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH))
    crc = zlib.crc32(prefix)
    if whole:
        block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
        again = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
        assert block == again, "a full flush should make every block of the run the same"
        parts.append(block * whole)
        for _ in range(whole):
            crc = zlib.crc32(chunk, crc)
    tail = unit * rest + suffix
    parts.append(compressor.compress(tail) + compressor.flush())
    crc = zlib.crc32(tail, crc)
    size = len(prefix) + len(unit) * count + len(suffix)
    parts.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
    return b"".join(parts)


# -- a minimal Thrift compact protocol writer (the Parquet footer and page header) -------------------

_I32, _I64, _BINARY, _LIST, _STRUCT = 5, 6, 8, 9, 12


def _varint(number: int) -> bytes:
    out = bytearray()
    while True:
        byte = number & 0x7F
        number >>= 7
        if number:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _zigzag(number: int) -> bytes:
    return _varint((number << 1) ^ (number >> 63))


def _encode(kind: int, value: object) -> bytes:
    if kind in (_I32, _I64):
        return _zigzag(int(value))  # type: ignore[call-overload]
    if kind == _BINARY:
        data = value.encode() if isinstance(value, str) else bytes(value)  # type: ignore[arg-type]
        return _varint(len(data)) + data
    if kind == _STRUCT:
        return _struct(value)  # type: ignore[arg-type]
    element_kind, items = value  # type: ignore[misc]
    size = len(items)
    header = (
        bytes([(size << 4) | element_kind]) if size < 15 else bytes([0xF0 | element_kind]) + _varint(size)
    )
    return header + b"".join(_encode(element_kind, item) for item in items)


def _struct(fields: list[tuple[int, int, object]]) -> bytes:
    """``[(field id, compact type, value), ...]`` in ascending id order, then the stop byte."""
    out = bytearray()
    last = 0
    for field_id, kind, value in fields:
        out.append(((field_id - last) << 4) | kind)
        out += _encode(kind, value)
        last = field_id
    out.append(0)
    return bytes(out)


def _page_header(uncompressed: int, compressed: int) -> bytes:
    """A DATA_PAGE header for one PLAIN value of a required column (levels RLE, none stored)."""
    data_page = [(1, _I32, 1), (2, _I32, 0), (3, _I32, 3), (4, _I32, 3)]
    return _struct([(1, _I32, 0), (2, _I32, uncompressed), (3, _I32, compressed), (5, _STRUCT, data_page)])


def write_parquet_bomb(
    path: Path,
    value_bytes: int,
    *,
    email: str = "jane.doe@example.org",
    claimed_uncompressed: int | None = None,
) -> int:
    """A Parquet file of one row: ``email`` (a short string) and ``note``, ``a`` * ``value_bytes``.

    ``note``'s page is GZIP-compressed (about 1 KiB per MiB of value); ``claimed_uncompressed``
    is the size the footer then claims for its column chunk. Returns the file's size.
    """
    email_bytes = email.encode()
    email_page = struct.pack("<I", len(email_bytes)) + email_bytes
    note_page = gzip_of_repeated(struct.pack("<I", value_bytes), b"a", value_bytes)
    chunks = [  # (name, codec, page header, page, decompressed size)
        ("email", 0, _page_header(len(email_page), len(email_page)), email_page, len(email_page)),
        ("note", 2, _page_header(4 + value_bytes, len(note_page)), note_page, 4 + value_bytes),
    ]
    body = bytearray(b"PAR1")
    columns = []
    for name, codec, header, page, decompressed in chunks:
        offset = len(body)
        body += header + page
        uncompressed = len(header) + decompressed
        if name == "note" and claimed_uncompressed is not None:
            uncompressed = claimed_uncompressed
        meta = [
            (1, _I32, 6),  # BYTE_ARRAY
            (2, _LIST, (_I32, [0])),  # encodings: PLAIN
            (3, _LIST, (_BINARY, [name])),
            (4, _I32, codec),  # UNCOMPRESSED or GZIP
            (5, _I64, 1),  # num_values
            (6, _I64, uncompressed),
            (7, _I64, len(header) + len(page)),
            (9, _I64, offset),  # data_page_offset
        ]
        columns.append([(2, _I64, offset), (3, _STRUCT, meta)])
    schema = [[(4, _BINARY, "schema"), (5, _I32, 2)]]
    schema += [[(1, _I32, 6), (3, _I32, 0), (4, _BINARY, name), (6, _I32, 0)] for name, *_ in chunks]  # UTF8
    row_group = [(1, _LIST, (_STRUCT, columns)), (2, _I64, len(body)), (3, _I64, 1)]
    footer = _struct(
        [(1, _I32, 1), (2, _LIST, (_STRUCT, schema)), (3, _I64, 1), (4, _LIST, (_STRUCT, [row_group]))]
    )
    body += footer + struct.pack("<I", len(footer)) + b"PAR1"
    path.write_bytes(bytes(body))
    return len(body)


# -- text, JSON, gzip, CSV -------------------------------------------------------------------------


def _write_run(path: Path, head: bytes, unit: bytes, count: int, tail: bytes, *, gzipped: bool) -> None:
    """``head + unit * count + tail``, plain (written a MiB at a time) or gzip-compressed."""
    if gzipped:
        path.write_bytes(gzip_of_repeated(head, unit, count, tail))
        return
    per_chunk = _MIB // len(unit)
    chunk = unit * per_chunk
    with open(path, "wb") as stream:
        stream.write(head)
        whole, rest = divmod(count, per_chunk)
        for _ in range(whole):
            stream.write(chunk)
        stream.write(unit * rest + tail)


def write_long_line(path: Path, size: int, *, gzipped: bool = False) -> None:
    """A text file that is one line of ``size`` bytes starting with an email, then a short line."""
    _write_run(path, b"jane.doe@example.org ", b"y", size, b"\ncall +1 415 555 0100\n", gzipped=gzipped)


def write_huge_json_value(path: Path, size: int, *, gzipped: bool = False) -> None:
    """A JSON document: a record with an email, one whose string is ``size`` bytes, another email."""
    head = b'[{"email": "jane.doe@example.org"}, {"note": "'
    tail = b'"}, {"email": "john.roe@example.org"}]\n'
    _write_run(path, head, b"z", size, tail, gzipped=gzipped)


def write_gzip_bomb(path: Path, size: int) -> None:
    """A ``.log.gz`` whose one line expands to ``size`` bytes (about 1 KiB per MiB on disk)."""
    path.write_bytes(gzip_of_repeated(b"jane.doe@example.org ", b"x", size, b"\n"))


def write_deep_json(path: Path, depth: int) -> None:
    """A JSON document nested ``depth`` arrays deep around one email."""
    path.write_bytes(b"[" * depth + b'"jane.doe@example.org"' + b"]" * depth)


def write_csv_with_giant_field(path: Path, size: int, *, gzipped: bool = False) -> None:
    """A CSV whose third row has one quoted field of ``size`` bytes (1 KiB lines of it)."""
    head = b'email,notes\njane.doe@example.org,short\njohn.roe@example.org,"'
    line = b"q" * 1023 + b"\n"
    _write_run(path, head, line, size // len(line), b'"\nmary.major@example.org,last\n', gzipped=gzipped)
