"""MongoDB connector: ``mongodb://`` and ``mongodb+srv://`` sources.

Discovers the database named in the URL path (or every non-system database) and its collections
and views, then reads a random sample of documents per collection with one ``$sample`` aggregation
(``limit == 0`` streams the whole collection with ``find()`` in batches). Nested documents are
flattened into dotted field paths, arrays as ``items[]`` (``orders[].shipping.email``), so a
field of an embedded document is classified like a column.

Value handling: strings as they are; ``int``, ``float``, ``Decimal128``, dates and UUIDs as text;
``ObjectId`` (database-generated keys), booleans and binary data are skipped. Fields deeper than
``max_depth`` levels are skipped.

Read-only: only ``list_database_names``, ``list_collection_names``, ``estimated_document_count``,
``find`` and ``aggregate`` with ``$sample`` are sent, with ``readPreference=secondaryPreferred``
unless the URL sets one. When the server does not support ``$sample`` (some MongoDB-compatible
stores), the first documents of ``find().limit(n)`` are read instead. A sampled read is limited
to ``statement_timeout_seconds`` of server time (``maxTimeMS``); a full read (``--sample-size 0``)
is not, since the user asked for every document.

Options (``spec.options``):

- ``include`` / ``exclude``: glob patterns (one or a list, case-insensitive) matched against
  ``db.collection`` or the bare collection name.
- ``max_depth`` (default 8): nesting levels flattened.
- ``server_selection_timeout_seconds`` (default 5): how long to look for a server before the
  source is reported unavailable.
- ``batch_size`` (default 1000): documents per sample when a collection is read in full.

Tests swap the driver through the module-level :data:`client_factory` seam (for example with
``mongomock.MongoClient``).
"""

from __future__ import annotations

import datetime as _dt
import decimal
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal
from urllib.parse import parse_qsl, urlsplit

from pydantic import Field

from piimap.connectors.toolkit import filtered_options, first_line, value_text
from piimap.model import (
    Container,
    ContainerKind,
    ContainerUnreadable,
    FieldRef,
    FieldSample,
    SourceSpec,
    SourceUnavailable,
)
from piimap.name_masking import mask_key
from piimap.redact import redact_message, redact_url
from piimap.schema.base import ConfigModel, GlobList, PositiveInt, PositiveNumber
from piimap.settings import ScanSettings

__all__ = ["MongoConnector", "client_factory", "flatten_document", "FieldBatch"]

#: Databases that hold server metadata, never application data.
SYSTEM_DATABASES = frozenset({"admin", "local", "config"})
DEFAULT_MAX_DEPTH = 8
DEFAULT_BATCH_SIZE = 1000
DEFAULT_SERVER_SELECTION_TIMEOUT_SECONDS = 5.0

# Error codes a server (or a MongoDB-compatible store) returns when ``$sample`` is not supported:
# 40324 "Unrecognized pipeline stage name", 115 CommandNotSupported, 303 feature not supported.
_SAMPLE_UNSUPPORTED_CODES = frozenset({40324, 115, 303})
_UNAUTHORIZED_CODES = frozenset({13, 18})  # Unauthorized, AuthenticationFailed
_TIMEOUT_CODES = frozenset({50, 262})  # MaxTimeMSExpired, ExceededTimeLimit


def _pymongo_client(url: str, **options: Any) -> Any:
    import pymongo  # imported on first use: piimap starts without loading the driver

    return pymongo.MongoClient(url, **options)


#: Builds the driver client: ``client_factory(url, **pymongo_options)``. A documented seam:
#: tests replace it with ``mongomock.MongoClient``; it must accept pymongo's keyword options.
client_factory: Callable[..., Any] = _pymongo_client


class MongoOptions(ConfigModel):
    """Source options of a MongoDB database."""

    include: GlobList = Field(
        default=(), description="only collections matching these globs (db.collection or name)"
    )
    exclude: GlobList = Field(default=(), description="skip collections matching these globs")
    max_depth: PositiveInt = Field(default=DEFAULT_MAX_DEPTH, description="nesting levels flattened")
    batch_size: PositiveInt = Field(
        default=DEFAULT_BATCH_SIZE, description="documents per sample when a collection is read in full"
    )
    server_selection_timeout_seconds: PositiveNumber = Field(
        default=DEFAULT_SERVER_SELECTION_TIMEOUT_SECONDS,
        description="how long to look for a server before the source is unavailable",
    )


class MongoConnector:
    """Reads MongoDB databases; one container per collection (``db.collection``)."""

    name: ClassVar[str] = "mongodb"
    options_model: ClassVar[type[MongoOptions]] = MongoOptions

    def __init__(self, spec: SourceSpec, settings: ScanSettings) -> None:
        self.spec = spec
        self.settings = settings
        options, self.names = filtered_options(MongoOptions, spec)
        self.max_depth = options.max_depth
        self.batch_size = options.batch_size
        self.server_selection_timeout = float(options.server_selection_timeout_seconds)
        self.database = _database_in_url(spec.url)
        self._client: Any = None
        self._lock = threading.Lock()

    @classmethod
    def accepts(cls, url: str) -> bool:
        """``mongodb://`` and ``mongodb+srv://`` URLs."""
        return url.lower().startswith(("mongodb://", "mongodb+srv://"))

    # -- discovery ---------------------------------------------------------------------------

    def discover(self) -> Iterator[Container]:
        """Yield one container per collection or view, honouring include/exclude."""
        client = self._connect()
        with self._source_errors(hint="" if self.database else " (name the database in the URL path)"):
            if self.database:
                databases = [self.database]
            else:
                databases = sorted(
                    name for name in client.list_database_names() if name not in SYSTEM_DATABASES
                )
        for database_name in databases:
            database = client[database_name]
            with self._source_errors():
                views = _view_names(database)
                collections = sorted(database.list_collection_names())
            for collection_name in collections:
                if collection_name.startswith("system."):
                    continue
                full_name = f"{database_name}.{collection_name}"
                if not self._wanted(full_name, collection_name):
                    continue
                is_view = collection_name in views
                yield Container(
                    source=self.spec.name,
                    name=full_name,
                    kind=ContainerKind.VIEW if is_view else ContainerKind.COLLECTION,
                    locator=(database_name, collection_name),
                    fingerprint=None if is_view else self._fingerprint(database[collection_name]),
                )

    def _wanted(self, full_name: str, collection_name: str) -> bool:
        return self.names.wanted(full_name, collection_name)

    def _fingerprint(self, collection: Any) -> str | None:
        """Document count from collection metadata (no scan); ``None`` when the server won't say."""
        try:
            count = collection.estimated_document_count()
        except Exception:  # a permission problem here is reported when the collection is read
            return None
        return f"count={count}"

    # -- sampling ----------------------------------------------------------------------------

    def sample(self, container: Container, limit: int) -> Iterator[FieldSample]:
        """Yield one sample per field path from ``limit`` random documents (all when 0)."""
        database_name, collection_name = container.locator
        collection = self._connect()[database_name][collection_name]
        if limit > 0:
            documents = self._sample_documents(container, collection, limit)
            yield from self._samples(container, documents)
            return
        batch: list[Mapping[str, Any]] = []
        with self._container_errors(container):
            for document in collection.find({}, batch_size=self.batch_size):
                batch.append(document)
                if len(batch) >= self.batch_size:
                    yield from self._samples(container, batch)
                    batch = []
        if batch:
            yield from self._samples(container, batch)

    def _sample_documents(self, container: Container, collection: Any, limit: int) -> list[Any]:
        max_time_ms = max(1, int(self.settings.statement_timeout_seconds * 1000))
        with self._container_errors(container):
            try:
                return list(collection.aggregate([{"$sample": {"size": limit}}], maxTimeMS=max_time_ms))
            except Exception as error:
                if not _sample_unsupported(error):
                    raise
            # The store has no $sample: the first documents are the best sample it can give.
            return list(collection.find({}).limit(limit).max_time_ms(max_time_ms))

    def _samples(self, container: Container, documents: Iterable[Mapping[str, Any]]) -> Iterator[FieldSample]:
        fields: dict[str, FieldBatch] = {}
        for document in documents:
            for path, value in flatten_document(document, self.max_depth):
                batch = fields.get(path)
                if batch is None:
                    batch = fields[path] = FieldBatch()
                batch.add(value, self.settings.max_value_length)
        for path, batch in fields.items():
            if not batch.values and not batch.null_count:
                continue  # only keys, flags or binary data: nothing a classifier could read
            yield FieldSample(
                field=FieldRef(self.spec.name, container.name, path, batch.data_type),
                values=tuple(batch.values),
                null_count=batch.null_count,
            )

    # -- connection and errors ---------------------------------------------------------------

    def _connect(self) -> Any:
        """The driver client, created once (pymongo clients are thread-safe and pool connections)."""
        with self._lock:
            if self._client is None:
                options: dict[str, Any] = {
                    "serverSelectionTimeoutMS": int(self.server_selection_timeout * 1000),
                    "appname": "piimap",
                }
                if "readpreference" not in _query_keys(self.spec.url):
                    options["readPreference"] = "secondaryPreferred"
                try:
                    self._client = client_factory(self.spec.url, **options)
                except Exception as error:  # invalid URI, SRV lookup failed, ...
                    raise SourceUnavailable(self._describe(error)) from None
            return self._client

    def _describe(self, error: BaseException) -> str:
        """One line, no password, no topology dump."""
        text = first_line(error).split(", Timeout:", 1)[
            0
        ]  # pymongo appends timeouts and a topology description
        kind = type(error).__name__
        if kind == "ServerSelectionTimeoutError":
            text = f"cannot reach MongoDB at {self._hosts()}: {text}"
        elif getattr(error, "code", None) in _UNAUTHORIZED_CODES and "not authorized" not in text.lower():
            text = f"not authorized: {text}"
        return redact_message(text, self.spec.url)

    def _hosts(self) -> str:
        """The host list of the URL, from its redacted form (so never a password)."""
        after_scheme = redact_url(self.spec.url).partition("://")[2]
        return after_scheme.rpartition("@")[2].partition("/")[0].partition("?")[0] or "localhost"

    def _source_errors(self, hint: str = "") -> _ErrorScope:
        def convert(error: BaseException) -> Exception:
            unauthorized = getattr(error, "code", None) in _UNAUTHORIZED_CODES
            return SourceUnavailable(self._describe(error) + (hint if unauthorized else ""))

        return _ErrorScope(convert)

    def _container_errors(self, container: Container) -> _ErrorScope:
        def convert(error: BaseException) -> Exception:
            if getattr(error, "code", None) in _TIMEOUT_CODES:
                seconds = self.settings.statement_timeout_seconds
                return ContainerUnreadable(f"reading {container.name} took longer than {seconds:g}s")
            return ContainerUnreadable(self._describe(error))

        return _ErrorScope(convert)

    def close(self) -> None:
        """Close the driver client. Safe to call twice."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()


class _ErrorScope:
    """Turns driver errors raised inside a ``with`` block into piimap's one-line errors."""

    def __init__(self, convert: Callable[[BaseException], Exception]) -> None:
        self.convert = convert

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: Any
    ) -> Literal[False]:
        if error is None or isinstance(error, (SourceUnavailable, ContainerUnreadable)):
            return False
        if not isinstance(error, Exception) or isinstance(error, GeneratorExit):
            return False
        raise self.convert(error) from None


@dataclass
class FieldBatch:
    """Values of one field path gathered from a batch of documents (mutable while filling)."""

    values: list[str] = field(default_factory=list)
    null_count: int = 0
    types: set[str] = field(default_factory=set)

    def add(self, value: Any, max_length: int) -> None:
        text, type_name = _as_text(value)
        if text is None:
            if type_name == "null":
                self.null_count += 1
            return
        self.types.add(type_name)
        self.values.append(text[:max_length])

    @property
    def data_type(self) -> str | None:
        if not self.types:
            return None
        return next(iter(self.types)) if len(self.types) == 1 else "mixed"


def flatten_document(
    document: Mapping[str, Any], max_depth: int = DEFAULT_MAX_DEPTH
) -> Iterator[tuple[str, Any]]:
    """Yield ``(dotted.path, leaf value)`` for every leaf of ``document``.

    Arrays add ``[]`` to the path (``tags[]``, ``orders[].email``, ``matrix[][]``); keys that are
    personal data are masked (``contacts.<email>.phone``, :mod:`piimap.name_masking`). A path counts
    one level per key and per array; leaves below ``max_depth`` levels are skipped. Empty
    documents and arrays yield nothing; ``None`` is yielded as a leaf (it counts as a null).
    """
    stack: list[tuple[str, Any, int]] = [
        (mask_key(str(key)), value, 1) for key, value in reversed(list(document.items()))
    ]
    while stack:
        path, value, depth = stack.pop()
        if isinstance(value, Mapping):
            if depth < max_depth:
                children = [
                    (f"{path}.{mask_key(str(key))}", child, depth + 1) for key, child in value.items()
                ]
                stack.extend(reversed(children))
        elif isinstance(value, (list, tuple)):
            if depth < max_depth:
                stack.extend((f"{path}[]", item, depth + 1) for item in reversed(value))
        else:
            yield path, value


def _as_text(value: Any) -> tuple[str | None, str]:
    """The text a classifier sees for a leaf value (:func:`~piimap.connectors.toolkit.value_text`),
    and its BSON type name; ``None`` to skip it. Flags and binary data are not text anyone typed."""
    if value is None:
        return None, "null"
    if isinstance(value, str):
        return (value, "string") if value.strip() else (None, "null")
    if isinstance(value, bool):
        return None, "bool"
    if isinstance(value, (_dt.datetime, _dt.date)):  # as MongoDB's own tools write dates (Extended JSON)
        return value.isoformat(), "date"
    for kinds, type_name in _TEXT_TYPES:
        if isinstance(value, kinds):
            return value_text(value), type_name
    kind = type(value).__name__
    if kind == "Decimal128":
        return value_text(value.to_decimal()), "decimal"
    if kind == "Binary" and getattr(value, "subtype", None) in (3, 4):
        try:
            return str(value.as_uuid(value.subtype)), "uuid"
        except Exception:
            return None, "binary"
    # ObjectId (generated keys), Binary / bytes, Timestamp, Regex, MinKey, Code...: not personal text.
    return None, kind.lower()


#: Python types a BSON value arrives as, and their type names in the inventory
_TEXT_TYPES: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (int, "int"),
    (float, "double"),
    (decimal.Decimal, "decimal"),
    (uuid.UUID, "uuid"),
)


def _sample_unsupported(error: BaseException) -> bool:
    """True when the server refused ``$sample`` itself (not a timeout or permission problem)."""
    if isinstance(error, NotImplementedError):  # mongomock without the stage
        return True
    if getattr(error, "code", None) in _SAMPLE_UNSUPPORTED_CODES:
        return True
    text = str(error)
    return "$sample" in text and ("nrecognized" in text or "not supported" in text.lower())


def _view_names(database: Any) -> set[str]:
    """Names of the views of ``database`` (empty when the server or a mock cannot list them)."""
    try:
        return set(database.list_collection_names(filter={"type": "view"}))
    except NotImplementedError:
        return set()


def _database_in_url(url: str) -> str | None:
    path = urlsplit(url).path.strip("/")
    return path or None


def _query_keys(url: str) -> set[str]:
    return {key.lower() for key, _ in parse_qsl(urlsplit(url).query)}
