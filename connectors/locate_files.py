"""``piimap locate`` for log and data files, on disk (``files``) and in buckets (``s3``).

A streaming search: every file (every object) of a container is read once, from the start, in
blocks of whole lines, with the scan's readers (gzip with its bomb guards, format detection,
S3 streaming). A block is searched at C speed for the identifiers first (lower-cased needles
such as the e-mail and its ``%40`` form; for a phone, its digits with any separators between),
and only the lines that hold one are parsed with the scan's parser for the format (access log,
JSON Lines, CSV/TSV, free text) and compared field by field with the identifier kind's rules. A
JSON document is read record by record. Parquet is not searched (reported as skipped).

The search stops at ``max_rows_scanned`` lines (or records) per container, or at ``max_matches``
matching lines, and says so (``partial``). A row key is the file (object key) and line number:
``access.log.1:118``.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, ClassVar

from piimap.connectors import formats
from piimap.connectors.files import FileConnector
from piimap.connectors.fmt_columns import Columns
from piimap.connectors.fmt_lines import iter_line_blocks
from piimap.evidence import example_for
from piimap.locate_identifiers import KINDS, kind_of
from piimap.locate_model import ContainerTarget, Identifier, LocateRequest, Lookup, Match, target_fields
from piimap.model import ContainerUnreadable, SourceSpec, SourceUnavailable
from piimap.settings import ScanSettings

__all__ = ["FileLocator", "S3Locator", "StreamSearch"]

log = logging.getLogger(__name__)

_LINE_FORMATS = ("accesslog", "jsonl", "csv", "tsv", "text")


@dataclass(frozen=True)
class StreamHit:
    """One field of one line (record) that holds an identifier."""

    line: int
    field: str | None
    identifier: Identifier
    value: str
    name_only: bool


class StreamSearch:
    """Searches the members of one container for some identifiers, within the request's limits."""

    def __init__(
        self, identifiers: Sequence[Identifier], request: LocateRequest, settings: ScanSettings
    ) -> None:
        self.identifiers = tuple(identifiers)
        self.region = request.default_region
        self.max_lines = request.limits.max_rows_scanned
        self.max_matches = request.limits.max_matches
        self.line_cap = formats.max_line_bytes(settings)
        self.lines_read = 0
        self.matching_lines = 0
        self.excluded = 0
        self.stopped = False
        self.skipped: list[str] = []
        self._needles = tuple({needle for i in self.identifiers for needle in kind_of(i).needles(i)})
        self._patterns = tuple(p for i in self.identifiers if (p := kind_of(i).line_pattern(i)) is not None)
        self._emails = tuple(i for i in self.identifiers if i.kind == "email")

    @property
    def exhausted(self) -> bool:
        return self.stopped

    def search(self, stream: BinaryIO, name: str, max_decompressed_bytes: int) -> Iterator[StreamHit]:
        """Hits in one file or object (``name`` is used to detect its format)."""
        fmt, reader, head = formats.open_records(stream, name, max_decompressed_bytes=max_decompressed_bytes)
        if fmt in ("binary", "parquet"):
            self.skipped.append(f"{os.path.basename(name)}: {fmt} files are not searched")
            return
        if fmt == "json":
            yield from self._search_json(reader)
            return
        parser = formats.line_parser(fmt, head)
        header_lines = 0
        if fmt in ("csv", "tsv"):
            parser.parse_text(head.split(b"\n", 1)[0].decode("utf-8", "replace"), Columns())
            header_lines = 1
        line_number = 0
        for block in iter_line_blocks(reader, self.line_cap):
            room = self.max_lines - self.lines_read
            lines_in_block = block.count(b"\n") + (0 if block.endswith(b"\n") else 1)
            at_limit = lines_in_block >= room
            if lines_in_block > room:
                block, lines_in_block = _first_lines(block, room), room
            for start in self._candidate_lines(block):
                number = line_number + block.count(b"\n", 0, start) + 1
                if number <= header_lines:
                    continue
                end = block.find(b"\n", start)
                line = block[start : end if end >= 0 else len(block)].decode("utf-8", "replace")
                columns = Columns()
                parser.parse_text(line, columns)
                yield from self._take(number, columns)
                if self.stopped:  # enough matching lines
                    self.lines_read += number - line_number
                    return
            line_number += lines_in_block
            self.lines_read += lines_in_block
            if at_limit:
                self.stopped = True
                return

    def _search_json(self, reader: BinaryIO) -> Iterator[StreamHit]:
        from piimap.connectors.fmt_json import flatten_into, iter_json_records

        for number, (prefix, record) in enumerate(iter_json_records(reader), start=1):
            if self.lines_read >= self.max_lines:
                self.stopped = True
                return
            self.lines_read += 1
            columns = Columns()
            flatten_into(record, prefix, columns)
            yield from self._take(number, columns)
            if self.stopped:
                return

    def _candidate_lines(self, block: bytes) -> list[int]:
        """Start offsets of the lines of ``block`` that may hold an identifier (C-speed search)."""
        offsets: set[int] = set()
        lowered = block.lower() if self._needles else b""
        for needle in self._needles:
            position = lowered.find(needle)
            while position >= 0:
                offsets.add(position)
                position = lowered.find(needle, position + len(needle))
        for pattern in self._patterns:
            offsets.update(match.start() for match in pattern.finditer(block))
        return sorted({block.rfind(b"\n", 0, offset) + 1 for offset in offsets})

    def _take(self, line: int, columns: Columns) -> list[StreamHit]:
        """The hits of one parsed line (record), counted; stops the search at ``max_matches`` lines."""
        hits = list(self._hits(line, columns))
        if hits:
            self.matching_lines += 1
            self.stopped = self.stopped or self.matching_lines >= self.max_matches
        return hits

    def _hits(self, line: int, columns: Columns) -> Iterator[StreamHit]:
        values = list(_values(columns))
        found = []
        for identifier in self.identifiers:
            kind = kind_of(identifier)
            for field, value in values:
                # a field equal to the identifier, or a text field mentioning it as a whole token
                if kind.matches(identifier, value, self.region) or kind.found_in_text(
                    identifier, value, self.region
                ):
                    found.append(StreamHit(line, field, identifier, value, kind.by_tokens))
        if found and all(hit.name_only for hit in found) and self._contradicted(values):
            self.excluded += 1
            return
        yield from found

    def _contradicted(self, values: list[tuple[str | None, str]]) -> bool:
        """A line matched by name only that holds an e-mail address, none of them the person's."""
        if not self._emails:
            return False
        email = KINDS["email"]
        addresses = [value for _, value in values if email.normalise(value, self.region) is not None]
        return bool(addresses) and not any(
            email.matches(identifier, value, self.region)
            for identifier in self._emails
            for value in addresses
        )


def _values(columns: Columns) -> Iterator[tuple[str | None, str]]:
    for field, values in columns.values.items():
        for value in values:
            yield field, value
    for field, counts in columns.counts.items():
        for value in counts:
            yield field, value


def _first_lines(block: bytes, count: int) -> bytes:
    """The first ``count`` lines of ``block``."""
    end = -1
    for _ in range(count):
        end = block.find(b"\n", end + 1)
        if end < 0:
            return block
    return block[: end + 1]


def _identifiers_for(target: ContainerTarget, identifiers: Iterable[Identifier]) -> list[Identifier]:
    """The identifiers whose category a stored scan found in this container."""
    return [identifier for identifier in identifiers if target_fields(target, identifier)]


class _StreamingLocator:
    """What the file and the bucket locators share: one streaming search per planned container."""

    name: ClassVar[str]

    def __init__(self, spec: SourceSpec, settings: ScanSettings) -> None:
        self.spec = spec
        self.settings = settings

    def _members(self) -> dict[str, tuple[tuple[str, int], ...]]:
        """Container name -> its members as ``(path or key, size)``."""
        raise NotImplementedError

    def _open(self, container: str, member: str) -> Any:
        """A context manager giving a binary stream of one member."""
        raise NotImplementedError

    def _label(self, member: str) -> str:
        return os.path.basename(member)

    max_decompressed_bytes = formats.DEFAULT_MAX_DECOMPRESSED_BYTES

    def locate(self, request: LocateRequest) -> Iterator[Match | Lookup]:
        members = self._members()
        for target in request.targets:
            wanted = _identifiers_for(target, request.identifiers)
            if not wanted:
                continue
            kinds = ",".join(identifier.kind for identifier in wanted)
            parts = members.get(target.container)
            if parts is None:
                yield Lookup(
                    self.spec.name,
                    target.container,
                    None,
                    "stream",
                    "skipped",
                    identifier=kinds,
                    message="no longer there (rescan with --rescan)",
                )
                continue
            size = sum(part_size for _, part_size in parts)
            described = f"{len(parts)} file{'s' if len(parts) != 1 else ''}, {size:,} bytes"
            if request.limits.plan_only:
                yield Lookup(
                    self.spec.name,
                    target.container,
                    None,
                    "stream",
                    "planned",
                    identifier=kinds,
                    message=f"reads {described} line by line, at most {request.limits.max_rows_scanned:,} lines",
                )
                continue
            yield from self._search(target.container, parts, wanted, request, kinds, described)

    def _search(
        self,
        container: str,
        parts: tuple[tuple[str, int], ...],
        wanted: list[Identifier],
        request: LocateRequest,
        kinds: str,
        described: str,
    ) -> Iterator[Match | Lookup]:
        search = StreamSearch(wanted, request, self.settings)
        problems: list[str] = []
        matched_lines: set[str] = set()
        for member, _ in parts:
            if search.exhausted:
                break
            label = self._label(member)
            name = member[:-3] if member.lower().endswith(".gz") else member
            try:
                with self._open(container, member) as stream:
                    for hit in search.search(stream, name, self.max_decompressed_bytes):
                        row_key = f"{label}:{hit.line}"
                        matched_lines.add(row_key)
                        yield Match(
                            source=self.spec.name,
                            container=container,
                            field=hit.field,
                            category=hit.identifier.category,
                            row_key=row_key,
                            identifier=hit.identifier.kind,
                            example=example_for(request.evidence, hit.identifier.category, hit.value),
                            name_only=hit.name_only,
                        )
            except SourceUnavailable:
                raise
            except ContainerUnreadable as error:
                problems.append(str(error))
            except Exception as error:
                problems.append(f"{label}: {formats.read_error_message(error, search.lines_read)}")
        notes = list(search.skipped)
        if search.stopped:
            notes.append(
                f"stopped after {search.lines_read:,} lines (--max-rows-scanned)"
                if search.matching_lines < request.limits.max_matches
                else f"stopped at {request.limits.max_matches} matching lines (--max-matches)"
            )
        status = "error" if problems else ("partial" if search.stopped or search.skipped else "ran")
        yield Lookup(
            self.spec.name,
            container,
            None,
            "stream",
            status,
            identifier=kinds,
            rows_scanned=search.lines_read,
            matches=len(matched_lines),
            excluded=search.excluded,
            message="; ".join(problems + notes) or f"read {described}",
        )

    def close(self) -> None:
        """Nothing is held between lookups."""


class FileLocator(_StreamingLocator):
    """Searches the files of a ``files`` source: every file of a rotation or name group, newest first."""

    name: ClassVar[str] = "files"

    def __init__(self, spec: SourceSpec, settings: ScanSettings) -> None:
        super().__init__(spec, settings)
        self.connector = FileConnector(spec, settings)
        self.max_decompressed_bytes = self.connector.max_decompressed_bytes

    @classmethod
    def accepts(cls, url: str) -> bool:
        return FileConnector.accepts(url)

    def _members(self) -> dict[str, tuple[tuple[str, int], ...]]:
        found = {}
        for container in self.connector.discover():
            members = container.locator or (container.name,)
            found[container.name] = tuple((path, _size(path)) for path in members)
        return found

    def _open(self, container: str, member: str) -> Any:
        return open(member, "rb")  # noqa: SIM115 - a context manager for the caller


class S3Locator(_StreamingLocator):
    """Searches every object of a planned object group of an ``s3`` source (not only the sampled ones)."""

    name: ClassVar[str] = "s3"

    def __init__(self, spec: SourceSpec, settings: ScanSettings) -> None:
        from piimap.connectors.s3 import S3Connector

        super().__init__(spec, settings)
        self.connector = S3Connector(
            SourceSpec(spec.name, spec.url, {**spec.options, "objects_per_group": 0}), settings
        )

    @classmethod
    def accepts(cls, url: str) -> bool:
        from piimap.connectors.s3 import S3Connector

        return S3Connector.accepts(url)

    def _members(self) -> dict[str, tuple[tuple[str, int], ...]]:
        return {
            container.name: tuple((key, size) for key, size in container.locator[1])
            for container in self.connector.discover()
        }

    def _label(self, member: str) -> str:
        return member

    def _open(self, container: str, member: str) -> Any:
        from piimap.connectors.s3 import CHUNK_SIZE, ObjectStream

        body = self.connector.client().get_object(Bucket=self.connector.bucket, Key=member)["Body"]
        return _ClosingStream(
            io.BufferedReader(
                ObjectStream(body.iter_chunks(CHUNK_SIZE), truncated=False, name=member), CHUNK_SIZE
            ),
            body,
        )

    def close(self) -> None:
        self.connector.close()


class _ClosingStream:
    """``with`` support for an object body: the buffered stream, and the HTTP body closed after."""

    def __init__(self, stream: BinaryIO, body: Any) -> None:
        self.stream = stream
        self.body = body

    def __enter__(self) -> BinaryIO:
        return self.stream

    def __exit__(self, *exc_info: object) -> None:
        self.body.close()


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0
