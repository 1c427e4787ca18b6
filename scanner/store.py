"""The history store: every run, its findings, violations, flows and container fingerprints.

Runs are kept in any SQLAlchemy database: a local SQLite file by default (see
:func:`default_store_url`), PostgreSQL or MySQL for a team. The tables are append-only and
prefixed ``piimap_`` so they can live in a shared database. A run is written in one transaction
at the end of the scan, so a crash mid-run leaves no half-written run. Only masked examples are
stored, never raw values, and source URLs are stored redacted.

The tables are created on first use, safely when several scans start at once on a new store:
SQLite takes its write lock first (``BEGIN IMMEDIATE``), PostgreSQL a transaction-level advisory
lock, MySQL / MariaDB a named lock (``GET_LOCK``), so one process creates them and the others find
them made.

Run ids are integers that grow with every run (``1``, ``2``, ...). Wherever a run is named on the
command line, :meth:`HistoryStore.resolve` also accepts ``latest`` and ``latest~N`` (the run N
before the latest one).

The same store serves incremental rescans (:mod:`piimap.incremental`): it records each run's
container fingerprints and the :func:`scan_digest` of each source, and answers which run last read
a source with the same settings.

Findings, violations and container records are stored through their dataclass fields
(:func:`_row_of`, :func:`_record_of`): a field with a column of its name is stored there, tuples
as JSON lists.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal, TypeVar, get_origin, get_type_hints

from piimap import __version__
from piimap.connectors.toolkit import first_line
from piimap.model import CategoryFlow, Finding, PiimapError, ScanResult, SourceSpec, Violation
from piimap.redact import redact_message, redact_url, remember_url_secrets
from piimap.settings import ScanSettings
from piimap.wording import counted

__all__ = [
    "SCHEMA_VERSION",
    "STORE_ENV_VAR",
    "StoreError",
    "RunSummary",
    "ContainerRecord",
    "HistoryStore",
    "default_store_url",
    "open_store",
    "scan_digest",
    "flows_of",
]

log = logging.getLogger(__name__)

#: Bumped whenever the tables change shape; stored in ``piimap_meta``.
SCHEMA_VERSION = 1
#: Environment variable naming the store when neither ``--store`` nor ``store:`` does.
STORE_ENV_VAR = "PIIMAP_STORE"

_RUN_REFERENCE = re.compile(r"^(?:latest(?:~(?P<back>\d+))?|(?P<id>\d+))$")


class StoreError(PiimapError):
    """The history store cannot be opened, read or written (the message holds no password)."""


@dataclass(frozen=True)
class RunSummary:
    """One stored run, as ``piimap history`` lists it."""

    id: int
    started: str
    finished: str
    status: str
    command: str
    config: str | None
    sources: tuple[str, ...]
    piimap_version: str
    findings: int
    violations: int | None
    errors: int
    containers: int
    reused: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": int(self.id),
            "started": self.started,
            "finished": self.finished,
            "status": self.status,
            "command": self.command,
            "config": self.config,
            "sources": list(self.sources),
            "piimap_version": self.piimap_version,
            "findings": self.findings,
            "violations": self.violations,
            "errors": self.errors,
            "containers": self.containers,
            "reused": self.reused,
        }


@dataclass(frozen=True)
class ContainerRecord:
    """A container a run looked at: its fingerprint and whether it was ``scanned``, ``reused`` or in ``error``."""

    source: str
    container: str
    kind: str
    fingerprint: str | None
    state: str


def default_store_url() -> str:
    """``$PIIMAP_STORE``, else ``sqlite:///$XDG_DATA_HOME/piimap/history.sqlite``
    (``~/.local/share/piimap/history.sqlite`` when ``XDG_DATA_HOME`` is unset)."""
    from_env = os.environ.get(STORE_ENV_VAR)
    if from_env:
        return from_env
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return f"sqlite:///{Path(data_home) / 'piimap' / 'history.sqlite'}"


def scan_digest(spec: SourceSpec, settings: ScanSettings) -> str:
    """What must not change for stored findings of ``spec`` to be reused: the source (URL without
    password, options), the scan settings and the piimap version."""
    text = repr((redact_url(spec.url), sorted(spec.options.items(), key=str), settings, __version__))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def _tables(prefix: str = "piimap_") -> tuple[Any, dict[str, Any]]:
    """The schema, built lazily so importing this module does not import SQLAlchemy."""
    from sqlalchemy import Column, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text

    metadata = MetaData()
    tables = {
        "meta": Table(
            f"{prefix}meta",
            metadata,
            Column("key", String(64), primary_key=True),
            Column("value", String(255), nullable=False),
        ),
        "runs": Table(
            f"{prefix}runs",
            metadata,
            Column("id", Integer, primary_key=True, autoincrement=True),
            Column("started", String(40), nullable=False),
            Column("finished", String(40), nullable=False),
            Column("status", String(16), nullable=False),
            Column("command", String(64), nullable=False),
            Column("config", Text),
            Column("piimap_version", String(32), nullable=False),
            Column("finding_count", Integer, nullable=False),
            Column("violation_count", Integer),
            Column("error_count", Integer, nullable=False),
            Column("container_count", Integer, nullable=False),
            Column("reused_count", Integer, nullable=False),
            Column("datamap", Text),
        ),
        "run_sources": Table(
            f"{prefix}run_sources",
            metadata,
            Column("run_id", Integer, ForeignKey(f"{prefix}runs.id"), nullable=False),
            Column("position", Integer, nullable=False),
            Column("name", String(255), nullable=False),
            Column("url", Text, nullable=False),
            Column("status", String(16), nullable=False),
            Column("error", Text),
            Column("containers", Integer, nullable=False),
            Column("skipped", Integer, nullable=False),
            Column("digest", String(64)),
            Index(f"{prefix}run_sources_name", "name", "run_id"),
        ),
        "findings": Table(
            f"{prefix}findings",
            metadata,
            Column("run_id", Integer, ForeignKey(f"{prefix}runs.id"), nullable=False),
            Column("source", String(255), nullable=False),
            Column("container", Text, nullable=False),
            Column("field", Text),
            Column("category", String(128), nullable=False),
            Column("confidence", Float, nullable=False),
            Column("matched", Integer, nullable=False),
            Column("sampled", Integer, nullable=False),
            Column("classifier", String(128), nullable=False),
            Column("examples", Text, nullable=False),
            Column("evidence", Text, nullable=False),
            Index(f"{prefix}findings_run", "run_id", "source"),
        ),
        "violations": Table(
            f"{prefix}violations",
            metadata,
            Column("run_id", Integer, ForeignKey(f"{prefix}runs.id"), nullable=False),
            Column("rule", String(128), nullable=False),
            Column("message", Text, nullable=False),
            Column("severity", String(16), nullable=False),
            Column("source", String(255)),
            Column("container", Text),
            Column("field", Text),
            Column("category", String(128)),
            Column("vendor", String(255)),
            Column("fingerprint", String(128), nullable=False),
            Column("suppressed", Text),
            Index(f"{prefix}violations_run", "run_id"),
        ),
        "flows": Table(
            f"{prefix}flows",
            metadata,
            Column("run_id", Integer, ForeignKey(f"{prefix}runs.id"), nullable=False),
            Column("system", String(255), nullable=False),
            Column("vendor", String(255), nullable=False),
            Column("category", String(128), nullable=False),
            Index(f"{prefix}flows_run", "run_id"),
        ),
        "containers": Table(
            f"{prefix}containers",
            metadata,
            Column("run_id", Integer, ForeignKey(f"{prefix}runs.id"), nullable=False),
            Column("source", String(255), nullable=False),
            Column("container", Text, nullable=False),
            Column("kind", String(32), nullable=False),
            Column("fingerprint", Text),
            Column("state", String(16), nullable=False),
            Index(f"{prefix}containers_run", "run_id", "source"),
        ),
    }
    return metadata, tables


class HistoryStore:
    """Reads and appends runs. Build one with :func:`open_store`; close it when done."""

    def __init__(self, url: str, engine: Any, tables: Mapping[str, Any]) -> None:
        self.url = url
        self._engine = engine
        self._tables = tables

    @property
    def display_url(self) -> str:
        """The store URL with any password replaced by ``***``."""
        return redact_url(self.url)

    def close(self) -> None:
        """Release the store's connections. Safe to call twice."""
        self._engine.dispose()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- writing -------------------------------------------------------------------------------

    def record(
        self,
        result: ScanResult,
        *,
        command: str,
        config: str | None = None,
        containers: Sequence[ContainerRecord] = (),
        digests: Mapping[str, str] | None = None,
    ) -> int:
        """Append one run (in one transaction) and return its id.

        ``containers`` is the inventory the scan saw (fingerprints for incremental rescans);
        ``digests`` maps a source name to its :func:`scan_digest`, so only a rescan with the same
        settings reuses this run's findings.
        """
        from sqlalchemy import insert

        digests = digests or {}
        tables = self._tables
        errors = len(result.errors)
        failed_sources = sum(1 for status in result.sources if status.status != "ok")
        if result.interrupted:
            status = "interrupted"
        elif result.sources and failed_sources == len(result.sources):
            status = "error"
        elif errors:
            status = "partial"
        else:
            status = "ok"
        run_row = {
            "started": result.started,
            "finished": result.finished,
            "status": status,
            "command": command,
            "config": config,
            "piimap_version": __version__,
            "finding_count": len(result.findings),
            "violation_count": None if result.violations is None else len(result.violations),
            "error_count": errors,
            "container_count": sum(s.containers for s in result.sources),
            "reused_count": sum(s.skipped for s in result.sources),
            "datamap": json.dumps(result.datamap.node_link(), default=str)
            if result.datamap is not None
            else None,
        }
        try:
            with self._engine.begin() as connection:
                inserted = connection.execute(insert(tables["runs"]).values(**run_row))
                run_id = int(inserted.inserted_primary_key[0])
                source_rows = [
                    {
                        "run_id": run_id,
                        "position": position,
                        "name": source.name,
                        "url": redact_url(source.url),
                        "status": source.status,
                        "error": source.error,
                        "containers": source.containers,
                        "skipped": source.skipped,
                        "digest": digests.get(source.name),
                    }
                    for position, source in enumerate(result.sources)
                ]
                self._insert_many(connection, "run_sources", source_rows)
                self._insert_many(
                    connection, "findings", (self._row("findings", f, run_id) for f in result.findings)
                )
                self._insert_many(
                    connection,
                    "violations",
                    (self._row("violations", v, run_id) for v in result.violations or ()),
                )
                self._insert_many(
                    connection,
                    "flows",
                    (
                        {"run_id": run_id, "system": f.system, "vendor": f.vendor, "category": f.category}
                        for f in flows_of(result)
                    ),
                )
                self._insert_many(
                    connection, "containers", (self._row("containers", c, run_id) for c in containers)
                )
        except PiimapError:
            raise
        except Exception as error:
            raise StoreError(
                f"cannot record the run in {self.display_url}: {_describe(error, self.url)}"
            ) from None
        return run_id

    def _row(self, table: str, record: Any, run_id: int) -> dict[str, Any]:
        """``record`` as a row of ``table`` of run ``run_id`` (:func:`_row_of`)."""
        return _row_of(record, self._tables[table].c.keys(), run_id=run_id)

    def _insert_many(
        self, connection: Any, table: str, rows: Iterable[Mapping[str, Any]], batch: int = 1000
    ) -> None:
        """Insert rows in batches, so a run with many findings never sits in memory twice."""
        from sqlalchemy import insert

        statement = insert(self._tables[table])
        pending: list[Mapping[str, Any]] = []
        for row in rows:
            pending.append(row)
            if len(pending) >= batch:
                connection.execute(statement, pending)
                pending = []
        if pending:
            connection.execute(statement, pending)

    # -- reading -------------------------------------------------------------------------------

    def runs(self, limit: int | None = None) -> list[RunSummary]:
        """The stored runs, newest first."""
        from sqlalchemy import select

        runs, run_sources = self._tables["runs"], self._tables["run_sources"]
        query = select(runs).order_by(runs.c.id.desc())
        if limit is not None:
            query = query.limit(limit)
        with self._reading() as connection:
            rows = connection.execute(query).mappings().all()
            if not rows:
                return []
            ids = [row["id"] for row in rows]
            names: dict[int, list[str]] = {run_id: [] for run_id in ids}
            for source in connection.execute(
                select(run_sources.c.run_id, run_sources.c.name)
                .where(run_sources.c.run_id.in_(ids))
                .order_by(run_sources.c.run_id, run_sources.c.position)
            ):
                names[source.run_id].append(source.name)
        return [_summary(row, names[row["id"]]) for row in rows]

    def run(self, run_id: int) -> RunSummary:
        """One stored run; :class:`StoreError` when there is no such run."""
        from sqlalchemy import select

        runs, run_sources = self._tables["runs"], self._tables["run_sources"]
        with self._reading() as connection:
            row = connection.execute(select(runs).where(runs.c.id == run_id)).mappings().first()
            if row is None:
                raise StoreError(f"no run {run_id} in {self.display_url}")
            names = (
                connection.execute(
                    select(run_sources.c.name)
                    .where(run_sources.c.run_id == run_id)
                    .order_by(run_sources.c.position)
                )
                .scalars()
                .all()
            )
        return _summary(row, names)

    def resolve(self, reference: str) -> int:
        """The run id ``reference`` names: a number, ``latest`` or ``latest~N``."""
        from sqlalchemy import select

        match = _RUN_REFERENCE.match(reference.strip())
        if match is None:
            raise StoreError(f"'{reference}' is not a run (use a run id, 'latest' or 'latest~N')")
        if match["id"] is not None:
            run_id = int(match["id"])
            self.run(run_id)  # raises when missing
            return run_id
        back = int(match["back"] or 0)
        runs = self._tables["runs"]
        with self._reading() as connection:
            found = connection.execute(
                select(runs.c.id).order_by(runs.c.id.desc()).offset(back).limit(1)
            ).scalar()
        if found is None:
            total = len(self.runs())
            raise StoreError(f"'{reference}' names no run: {self.display_url} holds {counted(total, 'run')}")
        return int(found)

    def findings(self, run_id: int, source: str | None = None) -> list[Finding]:
        """The findings of one run (optionally of one source), in report order."""
        from sqlalchemy import select

        table = self._tables["findings"]
        query = select(table).where(table.c.run_id == run_id)
        if source is not None:
            query = query.where(table.c.source == source)
        with self._reading() as connection:
            rows = connection.execute(query).mappings().all()
        findings = [_record_of(Finding, row) for row in rows]
        findings.sort(key=lambda f: (f.source, f.container, f.field or "", f.category))
        return findings

    def violations(self, run_id: int) -> list[Violation]:
        """The violations recorded with one run."""
        from sqlalchemy import select

        table = self._tables["violations"]
        with self._reading() as connection:
            rows = connection.execute(select(table).where(table.c.run_id == run_id)).mappings().all()
        return [_record_of(Violation, row) for row in rows]

    def flows(self, run_id: int) -> set[CategoryFlow]:
        """The system -> vendor flows recorded with one run (empty without a data map)."""
        from sqlalchemy import select

        table = self._tables["flows"]
        with self._reading() as connection:
            rows = connection.execute(
                select(table.c.system, table.c.vendor, table.c.category).where(table.c.run_id == run_id)
            ).all()
        return {CategoryFlow(row.system, row.vendor, row.category) for row in rows}

    def containers(self, run_id: int, source: str | None = None) -> list[ContainerRecord]:
        """The container inventory recorded with one run."""
        from sqlalchemy import select

        table = self._tables["containers"]
        query = select(table).where(table.c.run_id == run_id)
        if source is not None:
            query = query.where(table.c.source == source)
        with self._reading() as connection:
            rows = connection.execute(query).mappings().all()
        return [_record_of(ContainerRecord, row) for row in rows]

    def source_states(self, run_id: int) -> dict[str, str]:
        """Source name -> ``ok`` / ``error`` as recorded with one run."""
        from sqlalchemy import select

        table = self._tables["run_sources"]
        with self._reading() as connection:
            rows = connection.execute(
                select(table.c.name, table.c.status).where(table.c.run_id == run_id)
            ).all()
        return {row.name: row.status for row in rows}

    def last_run_of_source(self, source: str, digest: str) -> int | None:
        """The newest run in which ``source`` was read successfully with the same :func:`scan_digest`."""
        from sqlalchemy import select

        table = self._tables["run_sources"]
        with self._reading() as connection:
            found = connection.execute(
                select(table.c.run_id)
                .where(table.c.name == source, table.c.digest == digest, table.c.status == "ok")
                .order_by(table.c.run_id.desc())
                .limit(1)
            ).scalar()
        return int(found) if found is not None else None

    def latest_run_reading(self, source: str) -> int | None:
        """The newest run in which ``source`` was read successfully, whatever its settings
        (``piimap locate`` plans its lookups from that run's findings)."""
        from sqlalchemy import select

        table = self._tables["run_sources"]
        with self._reading() as connection:
            found = connection.execute(
                select(table.c.run_id)
                .where(table.c.name == source, table.c.status == "ok")
                .order_by(table.c.run_id.desc())
                .limit(1)
            ).scalar()
        return int(found) if found is not None else None

    def _reading(self) -> Any:
        return _Reading(self)


class _Reading:
    """A read connection whose driver errors become one-line :class:`StoreError` messages."""

    def __init__(self, store: HistoryStore) -> None:
        self.store = store
        self.connection: Any = None

    def __enter__(self) -> Any:
        try:
            self.connection = self.store._engine.connect()
        except Exception as error:
            raise StoreError(
                f"cannot read the history store {self.store.display_url}: {_describe(error, self.store.url)}"
            ) from None
        return self.connection

    def __exit__(self, exc_type: Any, error: BaseException | None, traceback: Any) -> Literal[False]:
        self.connection.close()
        if error is not None and not isinstance(error, PiimapError) and isinstance(error, Exception):
            raise StoreError(
                f"cannot read the history store {self.store.display_url}: {_describe(error, self.store.url)}"
            ) from None
        return False


def open_store(url: str, *, create: bool = True) -> HistoryStore:
    """Connect to the store at ``url``, creating its tables (and the SQLite file's folder) on first use.

    With ``create=False`` (the read-only verbs) a missing SQLite file is an error instead.
    """
    from sqlalchemy import create_engine, insert
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    remember_url_secrets(url)  # its password is masked in every later message and log line
    connect_args: dict[str, Any] = {}
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1].split("?", 1)[0] if ":///" in url else ""
        if path and not path.startswith(":memory:") and not path.startswith("file:"):
            if not create and not Path(path).expanduser().exists():
                raise StoreError(f"no history store at {redact_url(url)} yet (no run has been recorded)")
            try:
                Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(f"cannot create the folder of {redact_url(url)}: {error.strerror}") from None
        connect_args["timeout"] = 30  # concurrent scheduled runs wait for each other's write
    try:
        engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as error:
        raise StoreError(f"invalid history store URL {redact_url(url)}: {_describe(error, url)}") from None
    metadata, tables = _tables()
    try:
        with _creation_lock, engine.connect() as connection:
            if not _schema_complete(connection, tables):
                with _schema_lock(connection):  # other processes wait, then find the tables made
                    metadata.create_all(connection, checkfirst=True)
                    meta = tables["meta"]
                    if _schema_version(connection, tables) is None:
                        connection.execute(
                            insert(meta).values(key="schema_version", value=str(SCHEMA_VERSION))
                        )
                    connection.commit()  # before the lock is released: the next holder sees the row
            version = _schema_version(connection, tables)
            connection.rollback()
        if version is not None and int(version) > SCHEMA_VERSION:
            raise StoreError(
                f"the history store {redact_url(url)} has schema version {version}, newer than this "
                f"piimap understands ({SCHEMA_VERSION}); upgrade piimap"
            )
    except PiimapError:
        engine.dispose()
        raise
    except Exception as error:
        engine.dispose()
        raise StoreError(
            f"cannot open the history store {redact_url(url)}: {_describe(error, url)}"
        ) from None
    return HistoryStore(url, engine, tables)


_creation_lock = threading.Lock()
#: pg_advisory_xact_lock key and GET_LOCK name held while the store's tables are created.
_POSTGRES_LOCK_KEY = int.from_bytes(
    hashlib.sha256(b"piimap history store schema").digest()[:8], "big", signed=True
)
_MYSQL_LOCK_NAME = "piimap_history_store_schema"


def _schema_complete(connection: Any, tables: Mapping[str, Any]) -> bool:
    """Every table exists and the schema version is recorded (read only: no lock taken)."""
    from sqlalchemy import inspect

    existing = set(inspect(connection).get_table_names())
    complete = all(table.name in existing for table in tables.values())
    return complete and _schema_version(connection, tables) is not None


def _schema_version(connection: Any, tables: Mapping[str, Any]) -> str | None:
    from sqlalchemy import select

    meta = tables["meta"]
    return connection.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()


@contextmanager
def _schema_lock(connection: Any) -> Iterator[None]:
    """Hold a lock that makes creating the schema one process at a time, in ``connection``'s
    transaction (the caller commits inside the block, before the lock is released)."""
    from sqlalchemy import text

    dialect = connection.dialect.name
    if dialect == "sqlite":  # the database's write lock; others wait (the 30 s busy timeout)
        connection.rollback()
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        yield
    elif dialect == "postgresql":  # released at commit, once the tables are visible to others
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _POSTGRES_LOCK_KEY})
        yield
    elif dialect in ("mysql", "mariadb"):  # DDL commits at once in MySQL: a session lock
        # end the transaction first, so the reads after the lock see what the previous holder
        # committed (a REPEATABLE READ snapshot taken before it would not)
        connection.rollback()
        connection.execute(text("SELECT GET_LOCK(:name, 60)"), {"name": _MYSQL_LOCK_NAME})
        try:
            yield
        finally:
            connection.execute(text("SELECT RELEASE_LOCK(:name)"), {"name": _MYSQL_LOCK_NAME})
    else:
        yield


def flows_of(result: ScanResult) -> list[CategoryFlow]:
    """The category flows of a result (sorted, unique): every category each vendor flow of its data
    map carries, and the flow of every violation that names a vendor."""
    found: set[CategoryFlow] = set()
    if result.datamap is not None:
        for flow in result.datamap.flows:
            found.update(flow.category_flows())
    for violation in result.violations or ():
        if violation.vendor and violation.source and violation.category:
            found.add(CategoryFlow(violation.source, violation.vendor, violation.category))
    return sorted(found)


R = TypeVar("R")


def _row_of(record: Any, columns: Iterable[str], **extra: Any) -> dict[str, Any]:
    """The fields of dataclass ``record`` that have a column in ``columns``, plus ``extra``; tuples
    (a finding's masked examples) as JSON lists."""
    wanted = set(columns)
    row = dict(extra)
    for item in fields(record):
        if item.name in wanted:
            value = getattr(record, item.name)
            row[item.name] = (
                json.dumps(list(value), ensure_ascii=False) if isinstance(value, tuple) else value
            )
    return row


_FIELD_TYPES: dict[type, tuple[tuple[str, Any, Any], ...]] = {}


def _field_types(record_type: type) -> tuple[tuple[str, Any, Any], ...]:
    """(name, type, default) of each field of a dataclass, its annotations resolved (kept per type)."""
    found = _FIELD_TYPES.get(record_type)
    if found is None:
        hints = get_type_hints(record_type)
        found = tuple((item.name, hints[item.name], item.default) for item in fields(record_type))
        _FIELD_TYPES[record_type] = found
    return found


def _record_of(record_type: type[R], row: Mapping[str, Any]) -> R:
    """A ``record_type`` from a stored row: every field that has a column, as the field's type
    (tuples from JSON lists); a NULL or empty text stands for a tuple's or a text's empty default.
    Fields without a column keep their defaults."""
    values: dict[str, Any] = {}
    for name, kind, default in _field_types(record_type):
        if name not in row:
            continue
        value = row[name]
        if get_origin(kind) is tuple:
            value = tuple(json.loads(value)) if value else ()
        elif value is None:
            value = default if default == "" else None
        elif kind is float:
            value = float(value)
        elif kind is int:
            value = int(value)
        values[name] = value
    return record_type(**values)


def _summary(row: Mapping[str, Any], sources: Sequence[str]) -> RunSummary:
    return RunSummary(
        id=int(row["id"]),
        started=row["started"],
        finished=row["finished"],
        status=row["status"],
        command=row["command"],
        config=row["config"],
        sources=tuple(sources),
        piimap_version=row["piimap_version"],
        findings=int(row["finding_count"]),
        violations=row["violation_count"],
        errors=int(row["error_count"]),
        containers=int(row["container_count"]),
        reused=int(row["reused_count"]),
    )


def _describe(error: BaseException, url: str) -> str:
    """One line for a driver error, with the store's password scrubbed."""
    return redact_message(first_line(error), url)
