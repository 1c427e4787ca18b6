"""Grouping many similar names into a few containers: key patterns, schemas and spread samples.

Shared by the S3 connector (object keys) and the files connector (dated or numbered file names),
so a bucket or folder of a million similar objects is sampled as a few containers, not a million.

A name pattern alone can put different tables together: ``exports/t0/dt=*/part-*.csv`` and
``exports/t1/dt=*/part-*.csv`` are both ``exports/t*/dt=*/part-*.csv``. A :class:`KeyGroup`
therefore also remembers, for each wildcard of its pattern, the values it took while they are
few (at most :data:`MAX_SPLIT_VALUES`), with an even spread of the members per value. Before the
group becomes containers, :meth:`KeyGroup.split` reads the first bytes of one member per value of
such a wildcard (dates and timestamps excepted: they partition one table by time) and compares
their :class:`SchemaPrint` (format and field names); values whose schemas differ become groups
of their own, named after the values (``exports/t{0,3}/dt=*/part-*.csv``, or ``exports/t7/...``
for one value). Wildcards are tried from the left, within a budget of reads per group.
"""

from __future__ import annotations

import io
import json
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from piimap.name_masking import mask_path

__all__ = [
    "MAX_SPLIT_VALUES",
    "SCHEMA_HEAD_BYTES",
    "KeyGroup",
    "SchemaPrint",
    "SpreadSample",
    "Subgroup",
    "cluster_by_schema",
    "key_pattern",
    "schema_print",
]

#: a wildcard that takes more distinct values than this is not a table name: no split on it
MAX_SPLIT_VALUES = 32
#: bytes read from the start of a file or object to learn its schema
SCHEMA_HEAD_BYTES = 16 << 10
#: wildcards of a pattern whose values are remembered (the leftmost ones)
_MAX_TRACKED_WILDCARDS = 8
#: a group named after its values lists at most this many of them; more keep the wildcard
_MAX_NAMED_VALUES = 8
#: records of a JSON head whose field paths make its schema
_SCHEMA_RECORDS = 50
#: two JSON schemas are one table when this share of the smaller one's paths is in both
_JSON_OVERLAP = 0.8


_UUID = re.compile(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}")
# 2026-11-27, 20261127, 2026-11-27T10:15:00Z, 20261127T101500Z, 2026-11-27_10-15-00.123
_TIMESTAMP = re.compile(
    r"(?<!\d)\d{4}[-_/]?\d{2}[-_/]?\d{2}(?:[T_ -]?\d{2}[:_-]?\d{2}(?:[:_-]?\d{2}(?:\.\d+)?)?Z?)?(?!\d)"
)
_TOKEN = re.compile(r"[0-9A-Za-z]+")
_HEX_ID = re.compile(r"(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{8,}")
_DIGITS = re.compile(r"\d+")
_STARS = re.compile(r"\*(?:[-_.:]?\*)+")
_EXTENSION = re.compile(r"(?:\.[A-Za-z][A-Za-z0-9]{0,7})+$")
_CODEC_SUFFIXES = frozenset({"gz", "bz2", "xz", "zst", "lz4", "snappy", "tar", "7z"})
_PARTITION = re.compile(r"^(?P<name>[^=]+)=.*$")


def key_pattern(key: str) -> str:
    """The pattern a key belongs to: dates, numbers, UUIDs and hashes replaced with ``*``.

    ``events/dt=2026-11-27/part-00001.jsonl.gz`` -> ``events/dt=*/part-*.jsonl.gz``;
    ``logs/2026/11/27/access-1732700000.log`` -> ``logs/*/*/*/access-*.log``. Hive-style
    partitions keep their name (``country=fr`` -> ``country=*``); file extensions are kept.
    Personal data in a key is masked first (:mod:`piimap.name_masking`):
    ``exports/jane@example.org.csv`` -> ``exports/<email>.csv``.
    """
    segments = mask_path(key).split("/")  # personal data first: jane@example.org.csv -> <email>.csv
    normalised = []
    for position, segment in enumerate(segments):
        partition = _PARTITION.match(segment)
        if partition and position < len(segments) - 1:
            normalised.append(f"{partition['name']}=*")
            continue
        extension = ""
        if position == len(segments) - 1:
            match = _EXTENSION.search(segment)
            if match and match.start() > 0:
                segment, extension = segment[: match.start()], _normalise_extension(match.group())
        normalised.append(_normalise_segment(segment) + extension)
    return "/".join(normalised)


def _normalise_extension(extension: str) -> str:
    """``.c000.snappy.parquet`` -> ``.c*.snappy.parquet``: the last suffix and codecs stay as they are."""
    *inner, last = extension[1:].split(".")
    kept = [part if part.lower() in _CODEC_SUFFIXES else _DIGITS.sub("*", part) for part in inner]
    return "." + ".".join([*kept, last])


def _normalise_segment(segment: str) -> str:
    segment = _UUID.sub("*", segment)
    segment = _TIMESTAMP.sub("*", segment)
    segment = _TOKEN.sub(_normalise_token, segment)
    return _STARS.sub("*", segment)


def _normalise_token(match: re.Match[str]) -> str:
    token = match.group()
    if _HEX_ID.fullmatch(token):
        return "*"
    return _DIGITS.sub("*", token)


class SpreadSample:
    """Keeps ``size`` items spread evenly over a stream of unknown length, in flat memory.

    Items are kept at a stride that doubles whenever ``2 * size`` are held (dropping every other
    one), so the kept items stay evenly spaced from the first, and the last item is remembered.
    :meth:`picks` then chooses the kept items nearest to ``size`` evenly spaced positions, the
    first and the last item included. The choice
    depends only on the order of the stream, so the same listing gives the same picks.
    ``size == 0`` keeps everything.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.count = 0
        self._kept: list[Any] = []
        self._stride = 1
        self._last: Any = None

    def add(self, item: Any) -> None:
        if self.size == 0 or self.count % self._stride == 0:
            self._kept.append(item)
            if self.size and len(self._kept) >= 2 * self.size:
                self._kept = self._kept[::2]
                self._stride *= 2
        self._last = item
        self.count += 1

    @property
    def first(self) -> Any:
        """The first item added (None before any)."""
        return self._kept[0] if self._kept else None

    def picks(self) -> list[Any]:
        if self.size == 0 or self.count <= self.size:
            return list(self._kept)  # nothing was dropped yet
        if self.size == 1:
            return [self._last]
        # Aim at evenly spaced positions; kept item ``index`` is stream item ``index * stride``.
        span = self.count - 1
        chosen = []
        for slot in range(self.size - 1):
            position = slot * span / (self.size - 1)
            chosen.append(self._kept[min(round(position / self._stride), len(self._kept) - 1)])
        chosen.append(self._last)
        return list({id(item): item for item in chosen}.values())


def _evenly(items: Sequence[Any], size: int) -> list[Any]:
    """``size`` of ``items`` at evenly spaced positions, first and last included (all when ``size`` is 0)."""
    if size == 0 or len(items) <= size:
        return list(items)
    if size == 1:
        return [items[-1]]
    span = len(items) - 1
    return [items[round(slot * span / (size - 1))] for slot in range(size)]


# -- schemas --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchemaPrint:
    """What the first bytes of a data file say about its table: the format and the field names.

    CSV/TSV keep their header in order; JSON and JSON Lines the sorted field paths of their first
    records (as the scan names them: ``user.email``, ``items[].sku``); other formats no fields.
    """

    format: str
    fields: tuple[str, ...] = ()

    def same_table(self, other: SchemaPrint) -> bool:
        """True when both could be one table: the same format, and the same header (CSV/TSV) or
        JSON paths that mostly agree (records of one table may leave optional keys out)."""
        if self.format != other.format:
            return False
        if self.format in ("csv", "tsv"):
            return self.fields == other.fields
        mine, theirs = set(self.fields), set(other.fields)
        if not mine or not theirs:  # a head too short to hold a whole record says nothing
            return True
        return len(mine & theirs) >= _JSON_OVERLAP * min(len(mine), len(theirs))


def schema_print(name: str, head: bytes) -> SchemaPrint | None:
    """The :class:`SchemaPrint` of a file or object from its name and first bytes (gzip looked
    through); None when its schema cannot be told from its head (Parquet keeps it at the end)."""
    from piimap.connectors.formats import detect_format

    if head[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(wbits=31).decompress(head, 4 * SCHEMA_HEAD_BYTES)
        except zlib.error:
            return None
    fmt = detect_format(name, head)
    if fmt == "parquet":
        return None
    text = head.decode("utf-8", "replace").lstrip("\ufeff")
    if fmt in ("csv", "tsv"):
        return SchemaPrint(fmt, _header_of(text, fmt))
    if fmt in ("json", "jsonl"):
        return SchemaPrint(fmt, _json_paths(text, fmt))
    return SchemaPrint(fmt)


def _header_of(text: str, fmt: str) -> tuple[str, ...]:
    """The field names the CSV parser gives the first row of ``text``."""
    from piimap.connectors.fmt_columns import Columns
    from piimap.connectors.fmt_csv import CsvParser, sniff_delimiter

    first_line = next(iter(text.splitlines()), "")
    parser = CsvParser("\t" if fmt == "tsv" else sniff_delimiter(text, ","))
    parser.parse_text(first_line, Columns())
    return tuple(parser.header or ())


def _json_paths(text: str, fmt: str) -> tuple[str, ...]:
    """Sorted field paths of the first whole records of a JSON or JSON Lines head."""
    from piimap.connectors.fmt_columns import Columns
    from piimap.connectors.fmt_json import flatten_into, iter_json_records

    columns = Columns()
    if fmt == "jsonl":
        for line in text.splitlines()[:_SCHEMA_RECORDS]:
            try:
                flatten_into(json.loads(line), "", columns)
            except ValueError:  # the cut last line, or a line that is not JSON
                continue
    else:
        try:
            for count, (prefix, record) in enumerate(iter_json_records(io.BytesIO(text.encode("utf-8")))):
                flatten_into(record, prefix, columns)
                if count + 1 >= _SCHEMA_RECORDS:
                    break
        except (ValueError, RecursionError):  # the head ends inside a record
            pass
    names = {*columns.values, *columns.nulls} - {None}
    return tuple(sorted(str(name) for name in names))


def cluster_by_schema(prints: Sequence[SchemaPrint | None]) -> list[list[int]]:
    """Indexes of ``prints`` gathered into tables, in first-seen order.

    Each print joins the first table whose first print it matches (:meth:`SchemaPrint.same_table`);
    an unknown print (None) joins the first table, so what cannot be read never splits a group.
    """
    tables: list[list[int]] = []
    firsts: list[SchemaPrint | None] = []
    for index, schema in enumerate(prints):
        for number, first in enumerate(firsts):
            if schema is None or first is None or first.same_table(schema):
                tables[number].append(index)
                if first is None:
                    firsts[number] = schema
                break
        else:
            tables.append([index])
            firsts.append(schema)
    return tables


# -- groups of one pattern ------------------------------------------------------------------------


@dataclass(frozen=True)
class Subgroup:
    """A group of similarly named members that hold one table: its name, size and picked members."""

    name: str
    count: int
    picks: tuple[Any, ...]


def _wildcard_reader(pattern: str) -> re.Pattern[str]:
    """A regex whose groups are the texts the wildcards of ``pattern`` stand for in a name."""
    parts = [re.escape(part) for part in pattern.split("*")]
    return re.compile("([^/]*?)".join(parts), re.DOTALL)


class KeyGroup:
    """The members of one name pattern: an even spread of them, and the values of its wildcards.

    For each of its leftmost wildcards, the group keeps an even spread of the members per value
    the wildcard took, until it has taken more than :data:`MAX_SPLIT_VALUES` values (then it is
    not a table name, and is forgotten). Memory stays flat: at most that many spreads per wildcard.
    """

    def __init__(self, pattern: str, per_group: int) -> None:
        self.pattern = pattern
        self.members = SpreadSample(per_group)
        wildcards = min(pattern.count("*"), _MAX_TRACKED_WILDCARDS)
        self._values: list[dict[str, SpreadSample] | None] = [{} for _ in range(wildcards)]
        self._reader = _wildcard_reader(pattern) if wildcards else None
        self._tracking = wildcards

    @property
    def count(self) -> int:
        return self.members.count

    def add(self, name: str, item: Any) -> None:
        """Add ``item``, whose name (key or file name) is ``name``."""
        self.members.add(item)
        if not self._tracking:
            return
        match = self._reader.fullmatch(name) if self._reader else None
        if match is None:  # cannot happen for a name of this pattern; never guess
            self._values = [None] * len(self._values)
            self._tracking = 0
            return
        for position, table in enumerate(self._values):
            if table is None:
                continue
            value = match.group(position + 1)
            spread = table.get(value)
            if spread is None:
                if len(table) >= MAX_SPLIT_VALUES:
                    self._values[position] = None  # many values: a partition or an id, not a table
                    self._tracking -= 1
                    continue
                spread = table[value] = SpreadSample(self.members.size)
            spread.add(item)

    def whole(self) -> Subgroup:
        """The group as one container."""
        return Subgroup(self.pattern, self.members.count, tuple(self.members.picks()))

    def split(
        self, schemas_of: Callable[[list[Any]], list[SchemaPrint | None]], max_reads: int
    ) -> list[Subgroup]:
        """The group split where one wildcard's values hold different schemas, else the whole group.

        ``schemas_of`` gives the schema of each of a list of members (one read each); at most
        ``max_reads`` are asked for. Wildcards are tried from the left; the first whose values
        fall into two tables or more splits the group, one subgroup per table.
        """
        reads = 0
        for position, table in enumerate(self._values):
            if table is None or len(table) < 2 or all(_TIMESTAMP.fullmatch(value) for value in table):
                continue
            if reads + len(table) > max_reads:
                continue
            reads += len(table)
            values = list(table)
            tables = cluster_by_schema(schemas_of([table[value].first for value in values]))
            if len(tables) < 2:
                continue
            largest = max(range(len(tables)), key=lambda number: len(tables[number]))
            subgroups = []
            for number, indexes in enumerate(tables):
                chosen = [values[index] for index in indexes]
                spreads = [table[value] for value in chosen]
                pool = [pick for spread in spreads for pick in spread.picks()]
                subgroups.append(
                    Subgroup(
                        self._named(position, chosen, keep_wildcard=number == largest),
                        sum(spread.count for spread in spreads),
                        tuple(_evenly(pool, self.members.size)),
                    )
                )
            return subgroups
        return [self.whole()]

    def _named(self, position: int, values: list[str], *, keep_wildcard: bool) -> str:
        """The pattern with wildcard ``position`` replaced by ``values`` (``{a,b}``, or one value)."""
        if len(values) == 1:
            text = values[0]
        elif len(values) > _MAX_NAMED_VALUES and keep_wildcard:
            text = "*"
        else:
            text = "{" + ",".join(values) + "}"
        parts = self.pattern.split("*")
        return "*".join(parts[: position + 1]) + text + "*".join(parts[position + 1 :])
