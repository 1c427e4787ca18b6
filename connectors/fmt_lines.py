"""Reading line-oriented input with bounded memory: whole-file blocks, spread windows, reservoirs.

Three ways to get lines out of a byte stream, each with every line capped at ``max_line_bytes``
(the rest of an over-long line is skipped in chunks, never held whole):

* :func:`iter_line_blocks` reads everything, in blocks of complete lines (``--sample-size 0``);
  :func:`iter_line_views` does the same into one reused buffer, for a consumer (the C access-log
  parser) that is done with each block before it asks for the next;
* :func:`iter_window_lines` samples a seekable file at evenly spaced offsets, re-synchronising on
  the next line boundary, so a sample covers the whole file rather than its head;
* :func:`reservoir_lines` samples a stream that cannot seek (gzip, an object store body): a
  uniform reservoir over the first lines read, bounded by a line count and a byte budget.

Pass a :class:`CutLines` to learn how many lines were cut.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import BinaryIO, Protocol, cast


class ReadIntoStream(Protocol):
    """A binary stream that fills a buffer (``io.RawIOBase``, ``io.BufferedReader``, a file opened ``rb``)."""

    def readinto(self, buffer: memoryview, /) -> int | None: ...


__all__ = [
    "BLOCK_SIZE",
    "CutLines",
    "iter_line_blocks",
    "iter_line_views",
    "read_line",
    "iter_window_lines",
    "reservoir_lines",
    "WINDOWS",
    "RESERVOIR_MAX_BYTES",
    "RESERVOIR_LINES_PER_SAMPLE",
]

#: Bytes read at a time when a stream is read in full.
BLOCK_SIZE = 1 << 20
#: Most windows a sampled file is split into.
WINDOWS = 16
#: A reservoir sample of a non-seekable stream looks at most at this many (decompressed) bytes...
RESERVOIR_MAX_BYTES = 64 << 20
#: ...and at most this many lines per line wanted.
RESERVOIR_LINES_PER_SAMPLE = 20
_SKIP_CHUNK = 1 << 16
# A window's lines are handed over in parts of about this many bytes (long lines, many of them).
_WINDOW_PART_BYTES = 4 << 20


class CutLines:
    """Counts the lines a reader cut at its length cap."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0

    def add(self) -> None:
        self.count += 1


def iter_line_blocks(
    stream: BinaryIO, max_line_bytes: int, block_size: int = BLOCK_SIZE, cuts: CutLines | None = None
) -> Iterator[bytes]:
    """Yield the whole stream as blocks of complete lines; over-long lines are cut at ``max_line_bytes``
    (and counted in ``cuts``)."""
    pending = b""
    while True:
        chunk = stream.read(block_size)
        if not chunk:
            if pending:
                yield pending
            return
        data = pending + chunk if pending else chunk
        cut = data.rfind(b"\n")
        if cut < 0:
            if len(data) <= max_line_bytes:
                pending = data
                continue
            yield data[:max_line_bytes] + b"\n"
            pending = _skip_rest_of_line(stream)
            if cuts is not None:
                cuts.add()
            continue
        yield data[: cut + 1]
        pending = data[cut + 1 :]
        if len(pending) > max_line_bytes:
            yield pending[:max_line_bytes] + b"\n"
            pending = _skip_rest_of_line(stream)
            if cuts is not None:
                cuts.add()


def iter_line_views(
    stream: BinaryIO, max_line_bytes: int, block_size: int = BLOCK_SIZE
) -> Iterator[memoryview | bytes]:
    """:func:`iter_line_blocks` without a new ``bytes`` per block: views of one buffer (``readinto``).

    Each view is valid only until the next one is requested. The same lines come out, and a line
    longer than ``max_line_bytes`` is cut the same way (the cut line is yielded as ``bytes``).
    """
    # typing.BinaryIO leaves readinto out; every stream read here (a file opened "rb", an
    # io.BufferedReader, an io.RawIOBase) has it
    readinto = cast(ReadIntoStream, stream).readinto
    buffer = bytearray(block_size + max_line_bytes + 1)
    view = memoryview(buffer)
    start = end = 0  # buffer[start:end] is read and not yet yielded (part of a line)
    skipping = False  # inside an over-long line: drop bytes up to its newline
    with view:
        while True:
            if start:  # move the incomplete line to the front
                view[: end - start] = view[start:end]
                end -= start
                start = 0
            count = readinto(view[end : end + block_size])
            if not count:
                if end > start and not skipping:
                    yield view[start:end]
                return
            scan_from, end = end, end + count
            if skipping:
                newline = buffer.find(b"\n", scan_from, end)
                if newline < 0:
                    start = end
                    continue
                start, skipping = newline + 1, False
            cut = buffer.rfind(b"\n", start, end)
            if cut >= 0:
                yield view[start : cut + 1]
                start = cut + 1
            if end - start > max_line_bytes:
                yield bytes(view[start : start + max_line_bytes]) + b"\n"
                start, skipping = end, True


def _skip_rest_of_line(stream: BinaryIO) -> bytes:
    """Read and drop bytes up to the next newline; return what follows it in the chunk read."""
    while True:
        chunk = stream.read(_SKIP_CHUNK)
        if not chunk:
            return b""
        newline = chunk.find(b"\n")
        if newline >= 0:
            return chunk[newline + 1 :]


def _skip_past_newline(stream: BinaryIO, end: int) -> bool:
    """Move just past the next newline if there is one before ``end``; False if there is none.

    Never reads far past ``end``: a window inside one long line costs its own bytes, not the
    rest of the line (16 windows of a 640 MiB line read 5 GB, and took 14 s, before).
    """
    while stream.tell() < end:
        chunk = stream.read(min(_SKIP_CHUNK, end - stream.tell()))
        if not chunk:
            return False
        newline = chunk.find(b"\n")
        if newline >= 0:
            stream.seek(newline + 1 - len(chunk), 1)
            return True
    return False


def read_line(stream: BinaryIO, max_bytes: int, cuts: CutLines | None = None) -> bytes:
    """One line (``b""`` at the end), cut at ``max_bytes``; the rest of a longer line is skipped
    (and the cut counted in ``cuts``)."""
    line = stream.readline(max_bytes)
    if len(line) == max_bytes and not line.endswith(b"\n"):
        dropped = 0
        while True:
            rest = stream.readline(_SKIP_CHUNK)
            dropped += len(rest) - rest.endswith(b"\n")
            if not rest or rest.endswith(b"\n"):
                break
        if dropped and cuts is not None:
            cuts.add()
        line += b"\n"
    return line


def iter_window_lines(
    stream: BinaryIO,
    *,
    start: int,
    end: int,
    limit: int,
    max_line_bytes: int,
    cuts: CutLines | None = None,
) -> Iterator[list[bytes]]:
    """Yield up to ``limit`` lines of the seekable ``stream`` between ``start`` and ``end``, as windows.

    The byte range is split into at most :data:`WINDOWS` equal parts; each window seeks to its
    offset, skips the partial line there, and reads its share of lines without running into the
    next window. A file with fewer lines than ``limit`` is therefore read completely. A window of
    long lines is yielded in parts of a few MiB.
    """
    if limit <= 0 or end <= start:
        return
    windows = min(WINDOWS, limit)
    share, extra = divmod(limit, windows)
    offsets = [start + (end - start) * index // windows for index in range(windows)] + [end]
    for index in range(windows):
        wanted = share + (1 if index < extra else 0)
        window_start, window_end = offsets[index], offsets[index + 1]
        stream.seek(window_start)
        if window_start > start:
            stream.seek(window_start - 1)
            if stream.read(1) != b"\n" and not _skip_past_newline(stream, window_end):
                continue  # no line starts in this window (one long line spans it)
        lines: list[bytes] = []
        taken = part_bytes = 0
        while taken < wanted and stream.tell() < window_end:
            line = read_line(stream, max_line_bytes, cuts)
            if not line:
                break
            lines.append(line)
            taken += 1
            part_bytes += len(line)
            if part_bytes >= _WINDOW_PART_BYTES:
                yield lines
                lines, part_bytes = [], 0
        if lines:
            yield lines


def reservoir_lines(
    stream: BinaryIO, *, limit: int, max_line_bytes: int, seed: int = 0, cuts: CutLines | None = None
) -> tuple[list[bytes], Exception | None]:
    """A uniform random sample of ``limit`` lines from the head of a non-seekable stream.

    Looks at no more than ``limit * RESERVOIR_LINES_PER_SAMPLE`` lines and
    :data:`RESERVOIR_MAX_BYTES` bytes, so sampling a large gzip file stays cheap; the sample is
    spread over that head rather than being its first lines. Deterministic for a given ``seed``.
    When reading fails part-way, the sample so far is returned with the error (to be raised by
    the caller once the sample has been used).
    """
    chooser = random.Random(seed)
    reservoir: list[bytes] = []
    budget_lines = max(limit, limit * RESERVOIR_LINES_PER_SAMPLE)
    seen = 0
    read_bytes = 0
    try:
        while seen < budget_lines and read_bytes < RESERVOIR_MAX_BYTES:
            line = read_line(stream, max_line_bytes, cuts)
            if not line:
                break
            read_bytes += len(line)
            if seen < limit:
                reservoir.append(line)
            else:
                slot = chooser.randrange(seen + 1)
                if slot < limit:
                    reservoir[slot] = line
            seen += 1
    except Exception as error:  # truncated or corrupt input: keep what was sampled
        return reservoir, error
    return reservoir, None
