"""Full reads of logs counted in C: the driver shared by access logs, JSON Lines and free text.

A whole file (``--sample-size 0``) of one of these formats is handed, block by block, to the C
extension ``piimap.connectors._accesslog`` (its ``LogTally``) when it was built. It counts every
line it handles without making a Python object per line, gives back the lines it does not handle
(for the format's Python parser, which is the reference it is tested against), and is drained
into :class:`Columns` whenever one of its budgets is reached, so memory stays flat.

High-cardinality fields (a new client address, session cookie or order id on every line) keep
their first :attr:`TallyBudget.exact_values` distinct values exactly and count the rest by
*shape* (digits, ids and addresses replaced by their class), each shape drained as a few of the
values seen under it (:attr:`TallyBudget.reps`) that share its count. Shapes keep what the IP
and email validators decide on, so those categories' counts stay exact; for validators that look
at the digits themselves (phone numbers, Luhn checks), a shape's values stand for it as a
stratified sample does. ``PIIMAP_PURE_PYTHON=1`` turns the extension off: every value is then
parsed and counted in Python, exactly.
"""

from __future__ import annotations

import importlib
import os
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from piimap.connectors.fmt_columns import Columns

if TYPE_CHECKING:
    from piimap.connectors._accesslog import LogTally as NativeTally


def _native_tally() -> type[NativeTally] | None:
    try:
        return importlib.import_module("piimap.connectors._accesslog").LogTally
    except ImportError:  # built without a C compiler: the Python parsers do all the work
        return None


#: the C extension's tally, or None where it was not built
LogTally = _native_tally()

__all__ = ["DrainedRow", "TallyBudget", "native_tally_available", "parse_each_block", "tally_blocks"]

#: what ``LogTally.drain()`` gives per field: (kind, name, {value: count}, nulls)
DrainedRow = tuple[str, "str | int | None", dict[str, int], int]


@dataclass(frozen=True)
class TallyBudget:
    """How much a ``LogTally`` holds before it counts by shape or asks to be drained."""

    #: distinct values per field counted exactly; later new values are counted by their shape
    exact_values: int = 1024
    #: distinct access-log request lines and tails counted whole (each parsed once)
    part_values: int = 8192
    #: values kept per shape, standing for it when drained
    reps: int = 4
    #: drain once this many exact values (and whole request lines / tails) are held...
    max_distinct: int = 120_000
    #: ...or this many bytes of values, shapes and names...
    max_bytes: int = 32 << 20
    #: ...or this many shapes
    max_shapes: int = 20_000

    @classmethod
    def exact(cls) -> TallyBudget:
        """Every distinct value counted exactly (no shapes): what the Python parsers give."""
        return cls(exact_values=1 << 40)


def native_tally_available() -> bool:
    """True when the C extension is built and not switched off with ``PIIMAP_PURE_PYTHON=1``."""
    return LogTally is not None and os.environ.get("PIIMAP_PURE_PYTHON", "") in ("", "0")


def parse_each_block(
    blocks: Iterable[bytes | memoryview], parse_text: Callable[[str, Columns], None]
) -> Iterator[Columns]:
    """Without the C extension: each block decoded (UTF-8, bad bytes replaced) and parsed on its own."""
    for block in blocks:
        columns = Columns()
        parse_text(str(block, "utf-8", "replace"), columns)
        yield columns


def tally_blocks(
    fmt: str,
    blocks: Iterable[bytes | memoryview],
    *,
    budget: TallyBudget,
    parse_rejected: Callable[[str, Columns], None],
    to_columns: Callable[[list[DrainedRow]], Columns],
) -> Iterator[Columns]:
    """Count ``blocks`` (complete lines of format ``fmt``) in C; yield :class:`Columns` as it drains.

    Lines the C code hands back are parsed by ``parse_rejected`` (the format's Python parser),
    block by block; the tally is drained (``to_columns`` turns its rows into Columns) whenever
    its budget says so and at the end, and also when reading fails part-way, before the error
    is raised, so what was read is kept.
    """
    if LogTally is None:
        raise RuntimeError("the C extension piimap.connectors._accesslog is not built")
    tally = LogTally(fmt, seed=random.getrandbits(64), **asdict(budget))  # a per-file hash key
    try:
        for block in blocks:
            rejected = tally.feed(block)
            if rejected:
                columns = Columns()
                parse_rejected(rejected.decode("utf-8", "replace"), columns)
                yield columns
            if tally.must_drain:
                yield to_columns(tally.drain())
    except Exception:  # unreadable past this point (truncated gzip...): keep what was read
        yield to_columns(tally.drain())
        raise
    yield to_columns(tally.drain())
