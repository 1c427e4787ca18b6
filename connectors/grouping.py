"""Grouping many similar names into a few containers: key patterns and spread samples.

Shared by the S3 connector (object keys) and the files connector (dated or numbered file names),
so a bucket or folder of a million similar objects is sampled as a few containers, not a million.
"""

from __future__ import annotations

import re
from typing import Any

from piimap.name_masking import mask_path

__all__ = ["key_pattern", "SpreadSample"]


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
