"""S3 connector: ``s3://bucket/prefix/`` sources, for AWS S3 and S3-compatible stores.

Buckets often hold a million objects that all look alike (``events/dt=2026-11-27/part-00001.jsonl.gz``).
Listing normalises every key to a pattern, replacing dates, timestamps, numbers, UUIDs and hashes
with ``*`` (``events/dt=*/part-*.jsonl.gz``), and makes one container per pattern. A few objects
per group (option ``objects_per_group``) are picked evenly across the group in listing order, with
flat memory however large the group, and only they are read. A pattern that matches one object is
named by its key, so a lone object's container is ``bucket/key``.

Names alone can put different tables together (``exports/t0/dt=*/part-*.csv`` and
``exports/t1/...`` are one pattern): where a wildcard takes few values (not dates), the first
:data:`~piimap.connectors.grouping.SCHEMA_HEAD_BYTES` of one object per value are read (a ranged
GET, in parallel) and values whose schemas differ (CSV header, JSON field paths, format) become
containers of their own, named after the values (``exports/t{0,3}/dt=*/part-*.csv``); see
:mod:`piimap.connectors.grouping`.

Reads are ranged: only the first ``max_bytes_per_object`` bytes of an object are fetched (the
whole object when ``--sample-size 0``), streamed, gunzipped on the fly when the object is gzip,
and cut at the last complete line. The bytes are parsed by :mod:`piimap.connectors.formats`
(CSV/TSV, JSON, JSON Lines, access logs, text, Parquet). Parquet keeps its schema in a footer at
the end, so a Parquet object is fetched whole and is skipped (reported) when it is larger than
``max_parquet_bytes``.

Connection settings come from boto3's own chain: credentials (environment, profile, instance
role), ``AWS_ENDPOINT_URL`` (honoured by boto3 itself, or option ``endpoint_url``), ``AWS_REGION``
(or option ``region``). Throttling (``SlowDown``) and 5xx answers are retried by botocore
(``retry_mode`` default ``standard``, ``max_attempts`` default 5). A bucket that does not exist,
rejected credentials or an unreachable endpoint fail the source with one line; an object that
cannot be read (``AccessDenied``) is reported and the rest of the group and bucket are still read.

Options (``spec.options``): ``endpoint_url``, ``region``, ``include`` / ``exclude`` (globs on the
key or ``bucket/key``), ``objects_per_group`` (default 3; 0 reads every object of a group),
``max_bytes_per_object`` (default 8 MiB), ``max_parquet_bytes`` (default 64 MiB),
``schema_reads_per_group`` (ranged reads that tell a group's tables apart, default 64; 0 groups by
name only),
``retry_mode``, ``max_attempts`` (total attempts per request), ``addressing_style`` (``path`` /
``virtual``), ``list_page_size`` (keys per listing request, default and maximum 1000).
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import os
import tempfile
import threading
import zlib
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, Strict

from piimap.connectors.grouping import (
    SCHEMA_HEAD_BYTES,
    KeyGroup,
    SchemaPrint,
    SpreadSample,
    key_pattern,
    schema_print,
)
from piimap.connectors.toolkit import NameFilter, connector_options, first_line
from piimap.model import (
    Container,
    ContainerKind,
    ContainerUnreadable,
    FieldSample,
    SourceSpec,
    SourceUnavailable,
)
from piimap.name_masking import mask_path
from piimap.redact import redact_text, redact_url
from piimap.schema.base import ConfigModel, GlobList, NonNegativeInt, PositiveInt
from piimap.settings import ScanSettings

__all__ = ["S3Connector", "key_pattern", "group_objects", "SpreadSample", "ObjectStream", "ListedObject"]

log = logging.getLogger(__name__)

MIB = 1024 * 1024
DEFAULT_OBJECTS_PER_GROUP = 3
DEFAULT_MAX_BYTES_PER_OBJECT = 8 * MIB
DEFAULT_MAX_PARQUET_BYTES = 64 * MIB
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_SCHEMA_READS_PER_GROUP = 64
SCHEMA_READ_THREADS = 8
CHUNK_SIZE = 64 * 1024
PARQUET_SPOOL_IN_MEMORY = 8 * MIB
INFLATE_BLOCK = 1 * MIB
MAX_HELD_TAIL = 1 * MIB

_PARQUET_SUFFIXES = (".parquet", ".parq", ".pq")
_ARCHIVED_STORAGE_CLASSES = frozenset({"GLACIER", "DEEP_ARCHIVE"})
_CREDENTIAL_ERRORS = frozenset(
    {"InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "TokenRefreshRequired"}
)


@dataclass(frozen=True)
class ListedObject:
    """What listing says about one object: enough to read it and to notice it changed."""

    key: str
    size: int
    etag: str
    last_modified: str


def group_objects(objects: Iterable[ListedObject], per_group: int) -> dict[str, KeyGroup]:
    """Key pattern -> its :class:`KeyGroup` (an even spread of ``per_group`` of its objects, and the
    values of its wildcards), in one pass, flat memory per group."""
    groups: dict[str, KeyGroup] = {}
    for listed in objects:
        masked = mask_path(listed.key)  # personal data in a key never becomes a wildcard's value
        pattern = key_pattern(masked)
        group = groups.get(pattern)
        if group is None:
            group = groups[pattern] = KeyGroup(pattern, per_group)
        group.add(masked, listed)
    return groups


# -- reading objects -----------------------------------------------------------------------------


class ObjectStream(io.RawIOBase):
    """A readable stream over an object's byte chunks: gunzips gzip data and hides a cut-off tail.

    ``truncated`` says the chunks are only the head of the object (a ranged read). Then a gzip
    stream that stops mid-way is expected, not an error, and the bytes after the last newline
    (a partial line or record) are dropped. A complete object whose gzip data ends early raises
    :class:`ContainerUnreadable` once everything readable has been returned.
    """

    def __init__(self, chunks: Iterator[bytes], *, truncated: bool, name: str = "") -> None:
        super().__init__()
        self._chunks = chunks
        self.truncated = truncated
        self.name_for_errors = name
        self._decompressor: Any = None
        self._started = False
        self._finished = False
        self._ready = bytearray()
        self._held_tail = b""
        self._compressed = b""
        self.is_gzip = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._ready and not self._finished:
            self._fill()
        size = min(len(buffer), len(self._ready))
        buffer[:size] = self._ready[:size]
        del self._ready[:size]
        return size

    def _fill(self) -> None:
        if self.is_gzip and self._compressed:
            self._emit(self._inflate())
            return
        chunk = next(self._chunks, None)
        if chunk is None:
            self._finish()
            return
        if not self._started:
            self._started = True
            if chunk[:2] == b"\x1f\x8b":
                self.is_gzip = True
                self._decompressor = zlib.decompressobj(wbits=31)
        if self.is_gzip:
            self._compressed = chunk
            self._emit(self._inflate())
        else:
            self._emit(chunk)

    def _inflate(self) -> bytes:
        """At most :data:`INFLATE_BLOCK` bytes from the pending compressed input (bomb-safe)."""
        if self._decompressor.eof:  # the next member of a concatenated gzip (appended logs)
            self._decompressor = zlib.decompressobj(wbits=31)
        try:
            data = self._decompressor.decompress(self._compressed, INFLATE_BLOCK)
        except zlib.error as error:
            raise ContainerUnreadable(f"{self.name_for_errors}: corrupt gzip data ({error})") from None
        if self._decompressor.eof:
            self._compressed = self._decompressor.unused_data
        else:
            self._compressed = self._decompressor.unconsumed_tail
        return data

    def _emit(self, data: bytes) -> None:
        if not self.truncated:
            self._ready += data
            return
        data = self._held_tail + data
        cut = data.rfind(b"\n") + 1
        if not cut and len(data) > MAX_HELD_TAIL:
            cut = len(data)  # one endless line: pass it on, the parser cuts long lines itself
        self._ready += data[:cut]
        self._held_tail = data[cut:]

    def _finish(self) -> None:
        self._finished = True
        if self.truncated:
            self._held_tail = b""  # a partial last line: the rest of it was never fetched
            return
        if self.is_gzip and not self._decompressor.eof:
            raise ContainerUnreadable(f"{self.name_for_errors}: gzip data ends early (truncated object)")


def _formats() -> Any:
    from piimap.connectors import formats

    return formats


# -- the connector -------------------------------------------------------------------------------


class S3Options(ConfigModel):
    """Source options of an S3 (or S3-compatible) bucket."""

    endpoint_url: Annotated[str, Strict()] | None = Field(
        default=None, description="an S3-compatible endpoint (default: AWS_ENDPOINT_URL, else AWS)"
    )
    region: Annotated[str, Strict()] | None = Field(default=None, description="default: AWS_REGION")
    include: GlobList = Field(default=(), description="only keys matching these globs (key or bucket/key)")
    exclude: GlobList = Field(default=(), description="skip keys matching these globs")
    objects_per_group: NonNegativeInt = Field(
        default=DEFAULT_OBJECTS_PER_GROUP,
        description="objects read per group of similar keys; 0 = every object",
    )
    max_bytes_per_object: PositiveInt = Field(
        default=DEFAULT_MAX_BYTES_PER_OBJECT, description="bytes read of one object (sampled reads)"
    )
    max_parquet_bytes: PositiveInt = Field(
        default=DEFAULT_MAX_PARQUET_BYTES, description="larger Parquet objects are skipped (reported)"
    )
    retry_mode: Literal["legacy", "standard", "adaptive"] | None = Field(
        default=None, description="botocore retry mode (default: AWS_RETRY_MODE, else standard)"
    )
    max_attempts: PositiveInt | None = Field(
        default=None,
        description=f"attempts per request (default: AWS_MAX_ATTEMPTS, else {DEFAULT_MAX_ATTEMPTS})",
    )
    addressing_style: Literal["path", "virtual", "auto"] | None = Field(
        default=None, description="bucket addressing: path or virtual (default: botocore's choice)"
    )
    list_page_size: Annotated[int, Strict(), Field(ge=1, le=1000)] = Field(
        default=1000, description="keys per listing request (1-1000)"
    )
    schema_reads_per_group: NonNegativeInt = Field(
        default=DEFAULT_SCHEMA_READS_PER_GROUP,
        description="ranged reads of a group's objects that tell its tables apart; 0 = group by name only",
    )


class S3Connector:
    """Reads ``s3://bucket/prefix/``; one container per group of similarly named objects."""

    name: ClassVar[str] = "s3"
    options_model: ClassVar[type[S3Options]] = S3Options

    def __init__(self, spec: SourceSpec, settings: ScanSettings) -> None:
        self.spec = spec
        self.settings = settings
        location = spec.url.split("://", 1)[1] if "://" in spec.url else spec.url
        self.bucket, _, self.prefix = location.partition("/")
        connector_options(S3Options, spec)
        options = spec.options
        self.names = NameFilter.from_options(options)
        self.endpoint_url = options.get("endpoint_url") or None
        self.region = options.get("region") or os.environ.get("AWS_REGION") or None
        self.objects_per_group = max(0, int(options.get("objects_per_group", DEFAULT_OBJECTS_PER_GROUP)))
        self.max_bytes = max(1, int(options.get("max_bytes_per_object", DEFAULT_MAX_BYTES_PER_OBJECT)))
        self.max_parquet_bytes = max(1, int(options.get("max_parquet_bytes", DEFAULT_MAX_PARQUET_BYTES)))
        self.retry_mode = str(options.get("retry_mode") or os.environ.get("AWS_RETRY_MODE") or "standard")
        self.max_attempts = int(
            options.get("max_attempts") or os.environ.get("AWS_MAX_ATTEMPTS") or DEFAULT_MAX_ATTEMPTS
        )
        self.addressing_style = options.get("addressing_style")
        self.list_page_size = max(1, min(1000, int(options.get("list_page_size", 1000))))
        self.schema_reads_per_group = max(
            0, int(options.get("schema_reads_per_group", DEFAULT_SCHEMA_READS_PER_GROUP))
        )
        self._client: Any = None
        self._lock = threading.Lock()

    @classmethod
    def accepts(cls, url: str) -> bool:
        """``s3://bucket`` and ``s3://bucket/prefix/`` URLs."""
        return url.lower().startswith("s3://")

    # -- client ------------------------------------------------------------------------------

    def client(self) -> Any:
        """The boto3 S3 client, created once (clients are thread-safe; sessions are not)."""
        with self._lock:
            if self._client is None:
                if not self.bucket:
                    raise SourceUnavailable("no bucket name in the URL (expected s3://bucket/prefix/)")
                import boto3  # imported on first use: piimap starts without loading boto3
                from botocore.config import Config

                s3_options = {"addressing_style": self.addressing_style} if self.addressing_style else {}
                config = Config(
                    retries={"mode": self.retry_mode, "total_max_attempts": self.max_attempts},
                    connect_timeout=10,
                    read_timeout=60,
                    user_agent_extra="piimap",
                    s3=s3_options or None,
                )
                try:
                    session = boto3.session.Session()
                    self._client = session.client(
                        "s3", endpoint_url=self.endpoint_url, region_name=self.region, config=config
                    )
                except Exception as error:  # a malformed endpoint URL, an unknown profile, ...
                    raise SourceUnavailable(f"cannot set up the S3 client: {first_line(error)}") from None
            return self._client

    # -- discovery ---------------------------------------------------------------------------

    def discover(self) -> Iterator[Container]:
        """List the bucket under the prefix and yield one container per key pattern."""
        groups = group_objects(self._list_objects(), self.objects_per_group)
        for pattern in sorted(groups):
            group = groups[pattern]
            if self.schema_reads_per_group and group.count > 1:
                subgroups = group.split(self._schemas_of, self.schema_reads_per_group)
            else:
                subgroups = [group.whole()]
            for subgroup in subgroups:
                picks: list[ListedObject] = list(subgroup.picks)
                name = mask_path(picks[0].key) if subgroup.count == 1 else subgroup.name  # <email>... masked
                yield Container(
                    source=self.spec.name,
                    name=f"{self.bucket}/{name}",
                    kind=ContainerKind.OBJECT,
                    locator=(self.bucket, tuple((pick.key, pick.size) for pick in picks)),
                    fingerprint=_fingerprint(picks),
                )

    def _schemas_of(self, objects: list[ListedObject]) -> list[SchemaPrint | None]:
        """The schema of each object from a ranged read of its first bytes, several at a time."""
        with ThreadPoolExecutor(max_workers=min(SCHEMA_READ_THREADS, len(objects))) as pool:
            return list(pool.map(self._schema_of, objects))

    def _schema_of(self, listed: ListedObject) -> SchemaPrint | None:
        """None when the head says nothing (Parquet) or cannot be read (the scan reports that later)."""
        if listed.key.lower().endswith(_PARQUET_SUFFIXES):
            return None
        try:
            body = self._get(self.bucket, listed.key, f"bytes=0-{SCHEMA_HEAD_BYTES - 1}")
            try:
                head = body.read(SCHEMA_HEAD_BYTES)
            finally:
                body.close()
        except Exception as error:
            log.debug(
                "%s/%s: schema not read: %s",
                self.bucket,
                mask_path(listed.key),
                self._describe_object_error(listed.key, error),
            )
            return None
        name = listed.key[:-3] if listed.key.lower().endswith(".gz") else listed.key
        return schema_print(name, head)

    def _list_objects(self) -> Iterator[ListedObject]:
        client = self.client()
        paginator = client.get_paginator("list_objects_v2")
        pages = paginator.paginate(
            Bucket=self.bucket, Prefix=self.prefix, PaginationConfig={"PageSize": self.list_page_size}
        )
        try:
            for page in pages:
                for item in page.get("Contents", ()):
                    key = item["Key"]
                    if key.endswith("/") or item.get("Size", 0) == 0:
                        continue  # folder markers and empty objects hold nothing to read
                    if item.get("StorageClass") in _ARCHIVED_STORAGE_CLASSES:
                        log.info(
                            "%s/%s: skipped, archived (%s)", self.bucket, mask_path(key), item["StorageClass"]
                        )
                        continue
                    if not self._wanted(key):
                        continue
                    yield ListedObject(
                        key=key,
                        size=int(item.get("Size", 0)),
                        etag=str(item.get("ETag", "")).strip('"'),
                        last_modified=item["LastModified"].isoformat() if item.get("LastModified") else "",
                    )
        except Exception as error:
            raise SourceUnavailable(self._describe_source_error(error)) from None

    def _wanted(self, key: str) -> bool:
        return self.names.wanted(key, f"{self.bucket}/{key}")

    def _describe_source_error(self, error: BaseException) -> str:
        code = _error_code(error)
        kind = type(error).__name__
        if code == "NoSuchBucket":
            return f"bucket '{self.bucket}' does not exist"
        if code in ("AccessDenied", "AllAccessDisabled", "403"):
            return f"access denied listing bucket '{self.bucket}' ({code})"
        if code in _CREDENTIAL_ERRORS:
            return f"AWS credentials were rejected ({code}: {_error_message(error)})"
        if kind in ("NoCredentialsError", "PartialCredentialsError", "ProfileNotFound"):
            return f"no usable AWS credentials: {first_line(error)}"
        if kind in ("EndpointConnectionError", "ConnectTimeoutError", "ConnectionClosedError"):
            endpoint = getattr(self._client, "meta", None)
            where = endpoint.endpoint_url if endpoint is not None else "the S3 endpoint"
            return f"cannot reach S3 endpoint {redact_url(where)}"
        if code:
            return f"listing bucket '{self.bucket}' failed: {code}: {_error_message(error)}"
        return f"listing bucket '{self.bucket}' failed: {redact_text(first_line(error))}"

    # -- sampling ----------------------------------------------------------------------------

    def sample(self, container: Container, limit: int) -> Iterator[FieldSample]:
        """Read the group's picked objects (their first bytes) and yield their field samples.

        ``limit`` values are shared between the picked objects. An object that cannot be read is
        logged and skipped; :class:`ContainerUnreadable` is raised only when none could be read.
        """
        bucket, objects = container.locator
        per_object = math.ceil(limit / len(objects)) if limit > 0 and objects else 0
        failures: list[str] = []
        for key, size in objects:
            yielded = False
            try:
                for sample in self._read_object(container, bucket, key, size, per_object):
                    yielded = True
                    yield sample
            except Exception as error:
                message = self._describe_object_error(key, error)
                if yielded:
                    # What was read has been classified. The head of a large JSON document
                    # ending mid-way is expected after a ranged read; anything else is worth a line.
                    ranged = per_object > 0 and size > self.max_bytes
                    log.log(logging.DEBUG if ranged else logging.WARNING, "%s: %s", container.name, message)
                    continue
                failures.append(message)
                if len(objects) > 1:
                    log.warning("%s: %s", container.name, message)
        if failures and len(failures) == len(objects):
            more = f" (and {len(failures) - 1} more objects)" if len(failures) > 1 else ""
            raise ContainerUnreadable(failures[0] + more)

    def _read_object(
        self, container: Container, bucket: str, key: str, size: int, limit: int
    ) -> Iterator[FieldSample]:
        formats = _formats()
        if key.lower().endswith(_PARQUET_SUFFIXES):
            yield from self._read_parquet(container, bucket, key, size, limit)
            return
        truncated = limit > 0 and size > self.max_bytes
        body = self._get(bucket, key, f"bytes=0-{self.max_bytes - 1}" if truncated else None)
        try:
            stream = io.BufferedReader(
                ObjectStream(body.iter_chunks(CHUNK_SIZE), truncated=truncated, name=mask_path(key)),
                CHUNK_SIZE,
            )
            if stream.peek(4)[:4] == b"PAR1":  # Parquet without the usual suffix
                body.close()
                yield from self._read_parquet(container, bucket, key, size, limit)
                return
            name = mask_path(key[:-3] if key.lower().endswith(".gz") else key)
            yield from formats.iter_field_samples(
                stream,
                source=self.spec.name,
                container=container.name,
                name=name,
                limit=limit,
                settings=self.settings,
            )
        finally:
            body.close()

    def _read_parquet(
        self, container: Container, bucket: str, key: str, size: int, limit: int
    ) -> Iterator[FieldSample]:
        if size > self.max_parquet_bytes:
            raise ContainerUnreadable(
                f"{mask_path(key)}: Parquet object of {size} bytes is larger than max_parquet_bytes "
                f"({self.max_parquet_bytes}); Parquet is read whole because its schema is at the end"
            )
        body = self._get(bucket, key, None)
        # Spooled: small objects stay in memory, larger ones go to a temporary file, never both.
        with tempfile.SpooledTemporaryFile(max_size=PARQUET_SPOOL_IN_MEMORY) as spool:
            try:
                for chunk in body.iter_chunks(CHUNK_SIZE):
                    spool.write(chunk)
            finally:
                body.close()
            spool.seek(0)
            yield from _formats().iter_field_samples(
                spool,
                source=self.spec.name,
                container=container.name,
                name=mask_path(key),
                limit=limit,
                settings=self.settings,
                fmt="parquet",
            )

    def _get(self, bucket: str, key: str, byte_range: str | None) -> Any:
        arguments = {"Bucket": bucket, "Key": key}
        if byte_range:
            arguments["Range"] = byte_range
        return self.client().get_object(**arguments)["Body"]

    def _describe_object_error(self, key: str, error: BaseException) -> str:
        shown = mask_path(key)
        if isinstance(error, ContainerUnreadable):
            text = str(error)
            return text if text.startswith(shown) else f"{shown}: {text}"
        code = _error_code(error)
        if code in ("AccessDenied", "403"):
            return f"{shown}: access denied (AccessDenied)"
        if code in ("NoSuchKey", "404"):
            return f"{shown}: the object was deleted after listing"
        if code == "InvalidObjectState":
            return f"{shown}: the object is archived and must be restored first"
        if code:
            return f"{shown}: {code}: {_error_message(error)}"
        return f"{shown}: {type(error).__name__}: {redact_text(first_line(error))}"

    def close(self) -> None:
        """Release the client's connection pool. Safe to call twice."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()


def _fingerprint(picks: list[ListedObject]) -> str:
    """A change marker from the sampled objects' ETags and modification times."""
    text = "\n".join(f"{pick.key}\t{pick.etag}\t{pick.last_modified}" for pick in picks)
    return "sha1:" + hashlib.sha1(text.encode("utf-8")).hexdigest()


def _error_code(error: BaseException) -> str:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", "") or "")
    return ""


def _error_message(error: BaseException) -> str:
    response = getattr(error, "response", None)
    message = response.get("Error", {}).get("Message", "") if isinstance(response, dict) else ""
    return redact_text(str(message or first_line(error)))
