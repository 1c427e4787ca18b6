"""Log and data files on the local disk: a path, a directory (recursive), a glob, or a ``file://`` URL.

Every regular file is a container named by its path, except rotated logs: ``access.log``,
``access.log.1``, ``access.log.2.gz`` (and ``-YYYYMMDD`` date suffixes) form ONE container named
``access.log`` whose files are read newest first, and files of one folder whose names differ only
by dates, numbers or ids form one container named by their pattern (``events/clicks-*.jsonl``). A container's fingerprint is the size and
modification time (ns) of its file(s), so unchanged files can be skipped on a rescan.

Such a group holds one table only when its files share a schema: the first bytes of one file per
value of a wildcard with few values (``export-1.csv``, ``export-2.csv``; dates excepted) are read,
and values whose schemas differ (CSV header, JSON field paths, format) become containers of their
own, named after the values (``export-{1,3}.csv``); the files of a rotation group whose schemas
differ are split the same way, the newest keeping the group's name (``access.log``, and
``access.log{.3,.4.gz}``). See :mod:`piimap.connectors.grouping`.

Formats are detected per file (:func:`piimap.connectors.formats.detect_format`): web server
access logs, JSON and JSON Lines logs, CSV/TSV, Parquet, free text, each optionally gzipped.
Hidden directories (``.git``...) are not descended into, and special files (FIFOs, sockets,
devices) are skipped. Source options (config file):

``include`` / ``exclude``
    glob patterns matched against each file's path and its name;
``max_decompressed_bytes``
    stop reading one compressed file after this many bytes (default 1 GiB);
``format``
    force one format for every file instead of detecting it;
``files_per_group``
    how many files of a group of similarly named ones (``clicks-2026-11-20.jsonl``,
    ``clicks-2026-11-21.jsonl``... form one container ``clicks-*.jsonl``) are read per scan,
    spread evenly over the group (default 3; every file with ``--sample-size 0``).
"""

from __future__ import annotations

import errno
import glob
import logging
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, BinaryIO, ClassVar
from urllib.parse import unquote, urlsplit

from pydantic import AfterValidator, Field, Strict

from piimap.connectors.formats import DEFAULT_MAX_DECOMPRESSED_BYTES, FORMATS, iter_field_samples
from piimap.connectors.grouping import (
    SCHEMA_HEAD_BYTES,
    KeyGroup,
    SchemaPrint,
    SpreadSample,
    cluster_by_schema,
    key_pattern,
    schema_print,
)
from piimap.connectors.toolkit import NameFilter, connector_options
from piimap.model import (
    ConfigError,
    Container,
    ContainerKind,
    ContainerUnreadable,
    FieldSample,
    SourceSpec,
    SourceUnavailable,
)
from piimap.name_masking import mask_path
from piimap.outputs import file_type_name
from piimap.schema.base import ConfigModel, GlobList, NonNegativeInt, PositiveInt
from piimap.settings import ScanSettings

__all__ = ["FileConnector", "NotRegularFile", "open_regular_file", "rotation_base"]

log = logging.getLogger(__name__)

#: files of a dated or numbered group read per scan (all of them with ``--sample-size 0``)
DEFAULT_FILES_PER_GROUP = 3
_GLOB_CHARACTERS = re.compile(r"[*?\[]")
# access.log.1, access.log.2.gz, access.log-20240101, access.log-2024010112.gz
_ROTATED = re.compile(r"^(?P<base>.+?)(?:\.(?P<number>\d{1,4})|-(?P<date>\d{8}(?:\d{2})?))(?:\.gz)?$")


#: files of one group whose first bytes are read to tell its tables apart
SCHEMA_READS_PER_GROUP = 64


def _group_similar(containers: dict[str, list[str]]) -> dict[str, list[str]]:
    """Merge single files of one folder whose names differ only by dates, numbers or ids.

    ``clicks-2026-11-20.jsonl`` and ``clicks-2026-11-21.jsonl`` become one container
    ``clicks-*.jsonl`` (the S3 connector groups object keys the same way), split where the files
    hold different schemas (:meth:`KeyGroup.split`); a file alone in its pattern stays as it is,
    and a rotation group is split only where its files' schemas differ (:func:`_split_rotation`).
    """
    by_pattern: dict[str, KeyGroup] = {}
    for name, members in containers.items():
        if len(members) != 1 or members[0] != name:
            continue
        directory, file_name = os.path.split(name)
        pattern = key_pattern(file_name)
        if pattern != file_name:  # dates, numbers, ids or personal data (``<email>.csv``) replaced
            group = by_pattern.setdefault(os.path.join(directory, pattern), KeyGroup(pattern, 0))
            group.add(mask_path(file_name), name)
    grouped: dict[str, list[str]] = {}
    for name, members in containers.items():
        if len(members) > 1:
            grouped.update(_split_rotation(name, members))
        else:
            grouped[name] = members
    for pattern, group in by_pattern.items():
        if group.count < 2 or pattern in grouped:
            continue
        directory = os.path.dirname(pattern)
        for subgroup in group.split(_schemas_of_files, SCHEMA_READS_PER_GROUP):
            names = sorted(subgroup.picks)
            label = os.path.join(directory, subgroup.name)
            if len(names) == 1 or label in grouped:
                continue  # a file alone with its schema keeps its own name (and container)
            for name in names:
                del grouped[name]
            grouped[label] = names
    return grouped


def _split_rotation(name: str, members: list[str]) -> dict[str, list[str]]:
    """A rotation group (newest first) as one container, or one per schema when its files differ.

    The files holding the newest one's schema keep ``name``; each other schema's files are named
    after their suffixes (``access.log{.3,.4.gz}``).
    """
    tables = cluster_by_schema(_schemas_of_files(members[:SCHEMA_READS_PER_GROUP]))
    if len(tables) < 2:
        return {name: members}
    tables[0] += range(SCHEMA_READS_PER_GROUP, len(members))  # files past the budget stay with the newest
    split = {name: [members[index] for index in tables[0]]}
    base = os.path.basename(name)
    for indexes in tables[1:]:
        paths = [members[index] for index in indexes]
        suffixes = [os.path.basename(path).removeprefix(base) for path in paths]
        label = suffixes[0] if len(suffixes) == 1 else "{" + ",".join(suffixes) + "}"
        split[f"{name}{label}"] = paths
    return split


def _schemas_of_files(paths: list[str]) -> list[SchemaPrint | None]:
    """The schema of each file from its first bytes; None for one that cannot be read."""
    prints: list[SchemaPrint | None] = []
    for path in paths:
        head = _head_of(path)
        prints.append(None if head is None else schema_print(path, head))
    return prints


def _head_of(path: str) -> bytes | None:
    """The first bytes of a regular file; None when it cannot be read or is no longer a regular
    file (opened without blocking, so a FIFO put in its place cannot hang discovery)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        return os.read(descriptor, SCHEMA_HEAD_BYTES)
    except OSError:
        return None
    finally:
        os.close(descriptor)


def rotation_base(file_name: str) -> tuple[str, tuple[int, int, str]] | None:
    """``("access.log", order)`` for a rotated file name, ``None`` otherwise.

    ``order`` sorts a rotation group newest first: numbered files by number, dated ones by
    date, descending.
    """
    match = _ROTATED.match(file_name)
    if match is None:
        return None
    if match["number"] is not None:
        return match["base"], (1, int(match["number"]), "")
    inverted = "".join(chr(ord("9") - ord(digit) + ord("0")) for digit in match["date"])
    return match["base"], (2, 0, inverted)


def _known_format(name: str) -> str:
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r} (known: {', '.join(FORMATS)})")
    return name


class FileOptions(ConfigModel):
    """Source options of local files and directories."""

    include: GlobList = Field(default=(), description="only files whose path or name matches these globs")
    exclude: GlobList = Field(default=(), description="skip files whose path or name matches these globs")
    format: Annotated[str, Strict(), AfterValidator(_known_format)] | None = Field(
        default=None, description=f"force one format instead of detecting it: {', '.join(FORMATS)}"
    )
    max_decompressed_bytes: PositiveInt = Field(
        default=DEFAULT_MAX_DECOMPRESSED_BYTES,
        description="stop reading one compressed file after this many bytes",
    )
    files_per_group: NonNegativeInt = Field(
        default=DEFAULT_FILES_PER_GROUP,
        description="files read per group of similarly named files; 0 = every file",
    )


class FileConnector:
    """Reads local files and directories of logs and data files."""

    name = "files"
    options_model: ClassVar[type[FileOptions]] = FileOptions

    @classmethod
    def accepts(cls, url: str) -> bool:
        """Plain paths, directories and globs, and ``file://`` URLs; never another scheme."""
        if "://" in url:
            return url.lower().startswith("file://")
        return bool(url.strip())

    def __init__(self, spec: SourceSpec, settings: ScanSettings) -> None:
        self.spec = spec
        self.settings = settings
        self.pattern = _path_of(spec.url)
        options = spec.options
        self.names = NameFilter.from_options(options)
        self.max_decompressed_bytes = int(
            options.get("max_decompressed_bytes") or DEFAULT_MAX_DECOMPRESSED_BYTES
        )
        self.files_per_group = int(options.get("files_per_group", DEFAULT_FILES_PER_GROUP))
        self.format = options.get("format")
        if self.format is not None and self.format not in FORMATS:
            known = ", ".join(FORMATS)
            raise ConfigError(f"source {spec.name}: unknown format '{self.format}' (known: {known})")
        connector_options(FileOptions, spec)

    def discover(self) -> Iterator[Container]:
        """Yield one container per file, rotation group or group of similarly named files."""
        paths = sorted(set(self._iter_paths()))
        groups: dict[str, list[tuple[tuple[int, int, str], str]]] = {}
        for path in paths:
            if not self._wanted(path):
                continue
            directory, file_name = os.path.split(path)
            rotated = rotation_base(file_name)
            if rotated is None:
                groups.setdefault(path, []).append(((0, 0, ""), path))
            else:
                base, order = rotated
                groups.setdefault(os.path.join(directory, base), []).append((order, path))
        containers: dict[str, list[str]] = {}
        for name in sorted(groups):
            members = [path for _, path in sorted(groups[name])]
            if len(members) == 1 and members[0] != name and not os.path.exists(name):
                name = members[0]  # a lone "backup.1" keeps its own name
            containers[name] = members
        for name, members in sorted(_group_similar(containers).items()):
            yield Container(
                source=self.spec.name,
                name=mask_path(name),  # exports/jane@example.org.csv -> exports/<email>.csv
                kind=ContainerKind.FILE,
                locator=tuple(members),
                fingerprint=_fingerprint(members),
            )

    def sample(self, container: Container, limit: int) -> Iterator[FieldSample]:
        """Read every file of ``container``; ``limit`` lines/rows are shared among its files.

        A file that cannot be read does not stop the others: the problems are raised together
        as one :class:`ContainerUnreadable` after every readable value has been yielded.
        """
        members = container.locator or (container.name,)
        if (
            limit > 0
            and container.name not in members
            and rotation_base(os.path.basename(members[0])) is None
        ):
            # a group of similarly named files (``clicks-*.jsonl``): an even spread of a few of them
            spread = SpreadSample(self.files_per_group)
            for member in members:
                spread.add(member)
            members = tuple(spread.picks())
        share = -(-limit // len(members)) if limit > 0 else 0
        problems: list[str] = []
        for path in members:
            try:
                with open_regular_file(path) as stream:
                    yield from iter_field_samples(
                        stream,
                        source=container.source,
                        container=container.name,
                        name=mask_path(path),  # for the format's suffix and messages
                        limit=share,
                        settings=self.settings,
                        fmt=self.format,
                        max_decompressed_bytes=self.max_decompressed_bytes,
                    )
            except ContainerUnreadable as error:
                problems.append(_prefixed(path, container, str(error)))
            except OSError as error:
                problems.append(_prefixed(path, container, _os_message(error)))
        if problems:
            raise ContainerUnreadable("; ".join(problems))

    def close(self) -> None:
        """Nothing to release: files are opened and closed per container."""

    def _iter_paths(self) -> Iterator[str]:
        pattern = self.pattern
        if os.path.exists(pattern) or os.path.islink(pattern):
            matches = [pattern]
        elif _GLOB_CHARACTERS.search(pattern):
            matches = glob.glob(pattern, recursive=True)
        else:
            matches = []
        if not matches:
            raise SourceUnavailable(f"no such file or directory: {mask_path(pattern)}")
        for match in matches:
            if os.path.isdir(match):
                yield from _walk(match)
            elif match == pattern:
                yield _named_regular_file(match)
            elif _is_regular(match, explicit=True):
                yield match

    def _wanted(self, path: str) -> bool:
        return self.names.wanted(path, os.path.basename(path))


def _path_of(url: str) -> str:
    if url.lower().startswith("file://"):
        parts = urlsplit(url)
        path = unquote(parts.path)
        if parts.netloc and parts.netloc != "localhost":
            path = f"//{parts.netloc}{path}"
        return path or "/"
    return str(Path(url).expanduser()) if url.startswith("~") else url


def _walk(root: str) -> Iterator[str]:
    def report(error: OSError) -> None:
        log.warning("cannot list %s: %s", mask_path(error.filename or root), _os_message(error))

    for directory, subdirectories, files in os.walk(root, onerror=report):
        subdirectories[:] = sorted(name for name in subdirectories if not name.startswith("."))
        for file_name in sorted(files):
            path = os.path.join(directory, file_name)
            if _is_regular(path, explicit=False):
                yield path


def _named_regular_file(path: str) -> str:
    """``path``, named as the source itself: anything but a regular file fails the source."""
    shown = mask_path(path)
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        if error.errno == errno.ENOENT and os.path.islink(path):
            raise SourceUnavailable(f"{shown} is a symbolic link to a file that does not exist") from None
        raise SourceUnavailable(f"cannot read {shown}: {_os_message(error)}") from None
    if not stat.S_ISREG(mode):
        raise SourceUnavailable(
            f"{shown} is {file_type_name(mode)}, not a regular file or a directory: it is not read"
        )
    return path


class NotRegularFile(OSError):
    """What was opened is a FIFO, a socket or a device, not a regular file (it is not read)."""


#: Opening never blocks (a FIFO with no writer, a device), never makes a terminal ours.
_OPEN_FLAGS = (
    os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
)


def open_regular_file(path: str) -> BinaryIO:
    """Open ``path`` for reading if, once open, it is a regular file; never block.

    Every scanned file is opened here. Checking the path first and opening it after is a race:
    the file can be replaced in between, by a FIFO that blocks ``open`` forever. So the path is
    opened with ``O_NONBLOCK`` (a FIFO or device then opens at once), the opened descriptor is
    checked with ``fstat``, anything but a regular file is closed and refused with
    :class:`NotRegularFile`, and ``O_NONBLOCK`` is cleared for ordinary reads.
    """
    descriptor = os.open(path, _OPEN_FLAGS)
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(
                errno.EINVAL,
                f"not a regular file ({file_type_name(mode)}; it changed after it was listed?)",
                path,
            )
        if _OPEN_FLAGS & getattr(os, "O_NONBLOCK", 0):
            os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def _is_regular(path: str, *, explicit: bool) -> bool:
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        log.warning("skipped %s: %s", mask_path(path), _os_message(error))
        return False
    if stat.S_ISREG(mode):
        return True
    if explicit:
        log.warning("skipped %s: not a regular file", mask_path(path))
    return False


def _fingerprint(members: list[str]) -> str | None:
    parts = []
    for path in members:
        try:
            status = os.stat(path)
        except OSError:
            return None
        parts.append(f"{status.st_size}:{status.st_mtime_ns}")
    return ",".join(parts)


def _prefixed(path: str, container: Container, message: str) -> str:
    shown = mask_path(path)
    return message if shown == container.name else f"{os.path.basename(shown)}: {message}"


def _os_message(error: OSError) -> str:
    if error.errno == errno.EACCES or isinstance(error, PermissionError):
        return "permission denied"
    if error.errno == errno.ENOENT:
        return "no such file (removed while scanning?)"
    return error.strerror or str(error)
