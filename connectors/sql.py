"""SQL databases through SQLAlchemy 2: PostgreSQL, MySQL/MariaDB, SQLite and any other dialect.

Finds: every table (and, with the source option ``views: true``, every view) of every non-system
schema, with its columns and types; samples each table with ONE bounded ``SELECT`` and hands the
values to the classifiers column by column.

Safety: the connector never writes. PostgreSQL transactions are ``READ ONLY`` with a
``statement_timeout``; MySQL/MariaDB sessions are ``TRANSACTION READ ONLY`` with
``max_execution_time`` / ``max_statement_time``; SQLite files are opened with ``mode=ro`` (a missing
file is an error, never created; an idle WAL-mode file is opened ``immutable`` so no ``-wal`` /
``-shm`` files appear) and an interrupt after the timeout. When a table is read in full, the time
limit applies per batch (MySQL/MariaDB time a streamed statement as a whole, so it gets the limit
once per expected batch). Every transaction is rolled back. Identifiers are always quoted by SQLAlchemy (``sqlalchemy.table()`` / ``column()``), never
formatted into SQL text, so hostile table and column names are read like any other.

Source options (``piimap.yaml``): ``include`` / ``exclude`` (glob lists matched against
``schema.table`` and ``table``), ``schemas`` (names or globs), ``views`` (bool, default false),
``batch_size`` (rows per batch when reading everything, default 5000), ``max_connections``
(pooled connections, default the ``max_connections_per_source`` setting).

Change markers (``Container.fingerprint``): PostgreSQL write counters and live rows from
``pg_stat_user_tables``; MySQL/MariaDB ``UPDATE_TIME`` and ``TABLE_ROWS`` (one-second resolution, so
two updates within a second that keep the row count look alike); SQLite the size and modification
time of the database file and its WAL (any write marks every table changed). Each is combined
with a digest of the column names and types.

Known limits: binary and boolean columns are skipped; a role that may read only some columns of a
table cannot sample it (the table is reported unreadable); random sampling is used only where it is
cheap (PostgreSQL ``TABLESAMPLE SYSTEM`` on large tables), elsewhere the first rows are read.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, cast

from pydantic import Field

from piimap.connectors.toolkit import NameFilter, connection_limit, filtered_options, first_line, value_text
from piimap.model import (
    Container,
    ContainerKind,
    ContainerUnreadable,
    FieldRef,
    FieldSample,
    SourceSpec,
    SourceUnavailable,
)
from piimap.redact import redact_message
from piimap.schema.base import ConfigModel, Flag, GlobList, PositiveInt
from piimap.settings import ScanSettings

if TYPE_CHECKING:  # SQLAlchemy is imported lazily: listing plugins must stay cheap
    from sqlalchemy.engine import URL, Connection, Engine

__all__ = ["SqlConnector", "SYSTEM_SCHEMAS", "normalize_url"]

log = logging.getLogger(__name__)

#: Schemas that belong to the database server itself, never scanned (compared case-insensitively).
SYSTEM_SCHEMAS = frozenset(
    {"information_schema", "pg_catalog", "pg_toast", "mysql", "performance_schema", "sys", "temp"}
)
_SYSTEM_SCHEMA_PREFIXES = ("pg_temp_", "pg_toast_temp_")

#: ``scheme://`` spellings mapped to the driver piimap ships with.
_DEFAULT_DRIVERS = {
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mariadb+pymysql",
}

DEFAULT_BATCH_SIZE = 5000
#: PostgreSQL tables estimated below this many rows are read with a plain LIMIT.
TABLESAMPLE_MIN_ROWS = 20_000
#: TABLESAMPLE picks whole pages, so ask for this many times the rows needed.
TABLESAMPLE_OVERSAMPLING = 4.0
#: Above this many requested rows, a random sample would have to be held in memory: use LIMIT.
TABLESAMPLE_MAX_LIMIT = 50_000
_CONNECT_TIMEOUT_SECONDS = 10


def normalize_url(url: str) -> str:
    """Map plain ``postgresql://``, ``mysql://`` and ``mariadb://`` to the installed drivers."""
    scheme, separator, rest = url.partition("://")
    if separator and scheme.lower() in _DEFAULT_DRIVERS:
        return f"{_DEFAULT_DRIVERS[scheme.lower()]}://{rest}"
    return url


@dataclass(frozen=True)
class _ColumnPlan:
    """How one column is read: its name, its type as the database spells it, and whether to truncate."""

    name: str
    data_type: str
    kind: str  # "text" (truncate in SQL), "json" (cast to text, truncate), "plain" (short values)


class SqlOptions(ConfigModel):
    """Source options of an SQL database (``piimap.yaml``, under the source)."""

    include: GlobList = Field(
        default=(), description="only tables matching these globs (schema.table or table)"
    )
    exclude: GlobList = Field(default=(), description="skip tables matching these globs")
    schemas: GlobList = Field(default=(), description="only these schemas (names or globs)")
    views: Flag = Field(default=False, description="scan views too")
    batch_size: PositiveInt = Field(
        default=DEFAULT_BATCH_SIZE, description="rows per batch when a table is read in full"
    )
    max_connections: PositiveInt | None = Field(
        default=None, description="pooled connections (default: the max_connections_per_source setting)"
    )


class SqlConnector:
    """Reads tables of any database SQLAlchemy can reach; see the module docstring."""

    name: ClassVar[str] = "sql"
    options_model: ClassVar[type[SqlOptions]] = SqlOptions

    def __init__(self, spec: SourceSpec, settings: ScanSettings) -> None:
        self.spec = spec
        self.settings = settings
        self.options, self.names = filtered_options(SqlOptions, spec)
        self._url_text = normalize_url(spec.url)
        self._engine: Engine | None = None
        self._engine_lock = threading.Lock()
        self._columns: dict[tuple[str, str], tuple[_ColumnPlan, ...]] = {}
        self._row_estimates: dict[tuple[str, str], float] = {}
        self._unavailable: str | None = None

    # ------------------------------------------------------------------ factory

    @classmethod
    def accepts(cls, url: str) -> bool:
        """True when ``url`` is an SQLAlchemy URL whose database backend has an installed dialect.

        The driver part (``+psycopg``) is not checked here, so that a missing or misspelt driver
        is reported by :meth:`discover` with a clear message instead of "unknown scheme".
        """
        from sqlalchemy.dialects import registry
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError

        if "://" not in url:
            return False
        try:
            parsed = make_url(normalize_url(url))
        except (ArgumentError, ValueError):
            return False
        try:
            registry.load(parsed.get_backend_name())
        except NoSuchModuleError:
            return False
        return True

    # ------------------------------------------------------------------ protocol

    def discover(self) -> Iterator[Container]:
        """Yield one container per readable table (and view, when enabled) of the non-system schemas."""
        from sqlalchemy import inspect

        with self._session() as connection:
            try:
                inspector = inspect(connection)
                for schema in self._schemas(inspector, connection):
                    yield from self._discover_schema(inspector, connection, schema)
            except (SourceUnavailable, ContainerUnreadable):
                raise
            except Exception as error:
                raise SourceUnavailable(
                    f"cannot list the tables of {self.spec.display_url}: {self._clean(_driver_message(error))}"
                ) from None

    def sample(self, container: Container, limit: int) -> Iterator[FieldSample]:
        """Yield one :class:`FieldSample` per column per batch, from one ``SELECT`` of ``container``."""
        schema, table = container.locator[0], container.locator[1]
        batch_size = self.options.batch_size
        with self._session() as connection:
            plans = self._columns.get((schema, table))
            if plans is None:
                plans = self._reflect_columns(connection, schema, table)
            if not plans:
                return
            refs = tuple(
                FieldRef(self.spec.name, container.name, plan.name, plan.data_type) for plan in plans
            )
            try:
                rows = self._read_rows(connection, schema, table, plans, limit, batch_size)
                for batch in rows:
                    yield from _batch_samples(refs, batch, self.settings.max_value_length)
            except Exception as error:
                raise self._read_error(error, container.name) from None

    def close(self) -> None:
        """Dispose of the connection pool. Safe to call twice."""
        with self._engine_lock:
            engine, self._engine = self._engine, None
        if engine is not None:
            engine.dispose()

    # ------------------------------------------------------------------ connections

    def _get_engine(self) -> Engine:
        with self._engine_lock:
            if self._engine is None:
                self._engine = self._create_engine()
            return self._engine

    def _create_engine(self) -> Engine:
        import sqlalchemy as sa
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError

        try:
            url = sa.make_url(self._url_text)
        except (ArgumentError, ValueError) as error:
            raise SourceUnavailable(f"not a database URL: {self.spec.display_url} ({error})") from None
        backend = url.get_backend_name()
        options: dict[str, Any] = {"pool_pre_ping": True}
        if backend != "sqlite":
            options["pool_size"] = self._connection_limit()
            options["max_overflow"] = 1
            if backend in ("postgresql", "mysql", "mariadb") and "connect_timeout" not in url.query:
                options["connect_args"] = {"connect_timeout": _connect_timeout(self.settings)}
        else:
            options["creator"] = _sqlite_read_only_creator(url)
        try:
            engine = sa.create_engine(url, **options)
        except NoSuchModuleError:
            raise SourceUnavailable(
                f"no SQLAlchemy dialect or driver '{url.drivername}' is installed for {self.spec.display_url}"
            ) from None
        except ImportError as error:
            module = getattr(error, "name", None) or str(error)
            raise SourceUnavailable(
                f"the database driver '{module}' for {self.spec.display_url} is not installed "
                f"(pip install {module})"
            ) from None
        except (ArgumentError, TypeError, ValueError) as error:
            raise SourceUnavailable(f"cannot use {self.spec.display_url}: {first_line(error)}") from None
        if backend in ("mysql", "mariadb"):
            sa.event.listen(engine, "connect", _mysql_session_setup(self.settings))
        return engine

    def _connection_limit(self) -> int:
        """Pooled connections: the source's ``max_connections`` option, else the scan setting."""
        return connection_limit(self.spec, self.settings)

    def session(self) -> Any:
        """A context manager giving a connection in a read-only, time-limited transaction that is
        always rolled back: what every scan read uses, for other read-only users (``piimap locate``)."""
        return self._session()

    @contextmanager
    def _session(self) -> Iterator[Connection]:
        """A connection in a read-only, time-limited transaction that is always rolled back."""
        if self._unavailable is not None:
            raise SourceUnavailable(self._unavailable)
        engine = self._get_engine()
        try:
            connection = engine.connect()
        except Exception as error:
            message = f"cannot connect to {self.spec.display_url}: {self._clean(_driver_message(error))}"
            self._unavailable = message
            raise SourceUnavailable(message) from None
        try:
            try:
                _start_read_only(connection, self.settings)
            except Exception as error:
                raise SourceUnavailable(
                    f"cannot start a read-only session on {self.spec.display_url}: "
                    f"{self._clean(_driver_message(error))}"
                ) from None
            yield connection
        finally:
            try:
                _stop_read_only(connection)
                connection.rollback()
            except Exception as error:  # the connection may already be gone
                log.debug("rollback on %s failed: %s", self.spec.name, first_line(error))
            finally:
                connection.close()

    def _clean(self, message: str) -> str:
        """A driver message with the URL shown redacted and its password masked in any spelling."""
        return redact_message(redact_message(message, self._url_text), self.spec.url)

    def _read_error(self, error: Exception, container_name: str) -> Exception:
        """Turn a driver error raised while reading one table into a piimap error."""
        from sqlalchemy.exc import DBAPIError

        if isinstance(error, (SourceUnavailable, ContainerUnreadable)):
            return error
        message = self._clean(_driver_message(error))
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return SourceUnavailable(f"lost the connection to {self.spec.display_url}: {message}")
        return ContainerUnreadable(f"cannot read {container_name}: {message}")

    # ------------------------------------------------------------------ discovery

    def _schemas(self, inspector: Any, connection: Connection) -> list[str]:
        """The schemas to scan: the URL's database for MySQL, every non-system schema elsewhere."""
        wanted = self.options.schemas
        dialect = connection.dialect.name
        default = inspector.default_schema_name
        if dialect == "sqlite":
            default = default or "main"
        if dialect in ("mysql", "mariadb") and connection.engine.url.database and not wanted:
            return [default]
        names = [name for name in inspector.get_schema_names() if not _is_system_schema(name)]
        if wanted:
            schema_filter = NameFilter(include=wanted)
            names = [name for name in names if schema_filter.wanted(name)]
        return names

    def _discover_schema(self, inspector: Any, connection: Connection, schema: str) -> Iterator[Container]:
        from sqlalchemy.engine.reflection import ObjectKind

        objects: list[tuple[str, ContainerKind]] = [
            (name, ContainerKind.TABLE) for name in inspector.get_table_names(schema=schema)
        ]
        if self.options.views:
            objects += [(name, ContainerKind.VIEW) for name in inspector.get_view_names(schema=schema)]
            if connection.dialect.name == "postgresql":
                objects += [
                    (name, ContainerKind.VIEW)
                    for name in inspector.get_materialized_view_names(schema=schema)
                ]
        selected = [(name, kind) for name, kind in objects if self.names.wanted(f"{schema}.{name}", name)]
        if not selected:
            return
        kinds = ObjectKind.ANY if self.options.views else ObjectKind.TABLE
        reflected: Mapping[tuple[str | None, str], Sequence[Mapping[str, Any]]]
        if connection.dialect.name in ("mysql", "mariadb"):
            reflected = _mysql_columns(connection, schema, [name for name, _ in selected])
        else:
            reflected = inspector.get_multi_columns(
                schema=schema, filter_names=[name for name, _ in selected], kind=kinds
            )
        markers = self._change_markers(connection, schema)
        for name, kind in sorted(selected):
            columns = reflected.get((schema, name)) or reflected.get((None, name)) or []
            planned = (
                _plan(column, connection.dialect, self.settings.max_value_length) for column in columns
            )
            self._columns[(schema, name)] = tuple(plan for plan in planned if plan is not None)
            fingerprint = None
            if kind is ContainerKind.TABLE and markers is not None:
                marker = markers.get(name) if isinstance(markers, dict) else markers
                if marker is not None:
                    fingerprint = _fingerprint(marker, columns)
            yield Container(
                source=self.spec.name,
                name=f"{schema}.{name}",
                kind=kind,
                locator=(schema, name),
                fingerprint=fingerprint,
            )

    def _reflect_columns(self, connection: Connection, schema: str, table: str) -> tuple[_ColumnPlan, ...]:
        from sqlalchemy import inspect

        columns: Sequence[Mapping[str, Any]]
        try:
            if connection.dialect.name in ("mysql", "mariadb"):
                columns = _mysql_columns(connection, schema, [table]).get((schema, table), [])
            else:
                columns = inspect(connection).get_columns(table, schema=schema)
        except Exception as error:
            raise self._read_error(error, f"{schema}.{table}") from None
        planned = (_plan(column, connection.dialect, self.settings.max_value_length) for column in columns)
        plans = tuple(plan for plan in planned if plan is not None)
        self._columns[(schema, table)] = plans
        return plans

    def _change_markers(self, connection: Connection, schema: str) -> dict[str, str] | str | None:
        """Cheap per-table change markers for one schema (or one marker for a whole SQLite file)."""
        import sqlalchemy as sa

        dialect = connection.dialect.name
        try:
            if dialect == "postgresql":
                rows = connection.execute(
                    sa.text(
                        "SELECT s.relname, s.n_tup_ins, s.n_tup_upd, s.n_tup_del, s.n_live_tup, c.reltuples"
                        " FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid"
                        " WHERE s.schemaname = :schema"
                    ),
                    {"schema": schema},
                )
                markers = {}
                for name, inserted, updated, deleted, live, estimate in rows:
                    markers[name] = f"pg:{inserted + updated + deleted}:{live}"
                    self._row_estimates[(schema, name)] = float(estimate)
                return markers
            if dialect in ("mysql", "mariadb"):
                rows = connection.execute(
                    sa.text(
                        "SELECT TABLE_NAME, UPDATE_TIME, TABLE_ROWS FROM information_schema.TABLES"
                        " WHERE TABLE_SCHEMA = :schema"
                    ),
                    {"schema": schema},
                )
                markers = {}
                for name, updated, count in rows:
                    markers[name] = f"my:{updated}:{count}"
                    if count is not None:
                        self._row_estimates[(schema, name)] = float(count)
                return markers
            if dialect == "sqlite":
                return _sqlite_file_marker(connection, schema)
        except Exception as error:  # markers are an optimisation, never a reason to fail
            log.debug("change markers for %s.%s unavailable: %s", self.spec.name, schema, first_line(error))
            _rollback_to_clean_state(connection, self.settings)
        return None

    # ------------------------------------------------------------------ reading

    def _read_rows(
        self,
        connection: Connection,
        schema: str,
        table: str,
        plans: Sequence[_ColumnPlan],
        limit: int,
        batch_size: int,
    ) -> Iterator[Sequence[Sequence[Any]]]:
        """Batches of rows from one ``SELECT`` (a second only when a random sample came back short)."""
        import sqlalchemy as sa

        source = sa.table(table, *(sa.column(plan.name) for plan in plans), schema=schema)
        dialect = connection.dialect.name
        expressions = [
            _select_expression(source.c[plan.name], plan, dialect, self.settings) for plan in plans
        ]
        if limit > 0 and dialect == "postgresql":
            sampled = self._postgres_random_sample(connection, source, schema, table, expressions, limit)
            if sampled is not None:
                for start in range(0, len(sampled), batch_size):
                    yield sampled[start : start + batch_size]
                return
        statement = sa.select(*expressions).select_from(source)
        if limit > 0:
            statement = statement.limit(limit)
        streaming = limit == 0 or limit > batch_size  # a server-side cursor keeps memory flat
        if streaming:
            connection = connection.execution_options(stream_results=True, yield_per=batch_size)
        budget = (
            self._mysql_stream_budget(connection, schema, table, limit, batch_size) if streaming else None
        )
        deadline: _Deadline | None = connection.info.get(_DEADLINE_KEY)
        with _mysql_statement_time(connection, budget):
            result = connection.execute(statement)
            try:
                partitions = result.partitions(batch_size)
                while True:
                    if deadline is not None:
                        deadline.renew()  # SQLite: the time limit applies to each batch
                    batch = next(partitions, None)
                    if batch is None:
                        break
                    yield batch
            finally:
                result.close()

    def _mysql_stream_budget(
        self, connection: Connection, schema: str, table: str, limit: int, batch_size: int
    ) -> float | None:
        """MySQL/MariaDB time a streamed statement as a whole, including the time rows wait for the
        classifiers; allow the statement timeout once per expected batch (None: not MySQL)."""
        import sqlalchemy as sa

        if connection.dialect.name not in ("mysql", "mariadb"):
            return None
        rows: float | None = float(limit) if limit > 0 else self._row_estimates.get((schema, table))
        if rows is None:
            estimate = connection.execute(
                sa.text(
                    "SELECT TABLE_ROWS FROM information_schema.TABLES"
                    " WHERE TABLE_SCHEMA = :schema AND TABLE_NAME = :table"
                ),
                {"schema": schema, "table": table},
            ).scalar()
            rows = float(estimate or 0)
        batches = math.ceil(rows / batch_size) + 2  # estimates are rough: leave room
        return float(self.settings.statement_timeout_seconds) * batches

    def _postgres_random_sample(
        self,
        connection: Connection,
        source: Any,
        schema: str,
        table: str,
        expressions: Sequence[Any],
        limit: int,
    ) -> list[Any] | None:
        """Rows from ``TABLESAMPLE SYSTEM`` on a large table; None when a plain LIMIT is better."""
        import sqlalchemy as sa

        if limit > TABLESAMPLE_MAX_LIMIT:
            return None
        estimate = self._row_estimates.get((schema, table))
        if estimate is None:
            estimate = connection.execute(
                sa.text(
                    "SELECT c.reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE n.nspname = :schema AND c.relname = :table"
                ),
                {"schema": schema, "table": table},
            ).scalar()
            estimate = float(estimate) if estimate is not None else -1.0
            self._row_estimates[(schema, table)] = estimate
        if estimate < max(TABLESAMPLE_MIN_ROWS, limit * 10):
            return None
        percent = min(100.0, 100.0 * limit * TABLESAMPLE_OVERSAMPLING / estimate)
        sampled_source = sa.tablesample(source, sa.func.system(sa.literal(percent, sa.Float)))
        statement = (
            sa.select(*(_rebind(expression, sampled_source) for expression in expressions))
            .select_from(sampled_source)
            .limit(limit)
        )
        rows = list(connection.execute(statement))
        if len(rows) < limit:
            return None  # too few pages picked: read the first rows instead
        return rows


# ---------------------------------------------------------------------- helpers: sessions


def _connect_timeout(settings: ScanSettings) -> int:
    return max(1, min(_CONNECT_TIMEOUT_SECONDS, math.ceil(settings.statement_timeout_seconds)))


def _start_read_only(connection: Connection, settings: ScanSettings) -> None:
    """Make the connection's transaction read-only and bounded in time (dialect by dialect)."""
    import sqlalchemy as sa

    dialect = connection.dialect.name
    timeout = max(0.001, float(settings.statement_timeout_seconds))
    if dialect == "postgresql":
        connection.execute(sa.text("SET TRANSACTION READ ONLY"))
        connection.execute(
            sa.select(sa.func.set_config("statement_timeout", f"{int(timeout * 1000)}ms", True))
        )
    elif dialect == "sqlite":
        deadline = _Deadline(timeout)
        connection.info[_DEADLINE_KEY] = deadline
        driver = connection.connection.driver_connection
        if driver is not None:  # None only once the connection is closed
            driver.set_progress_handler(deadline.expired, 20_000)
    # MySQL / MariaDB: set once per connection in _mysql_session_setup; other dialects: rollback only.


def _stop_read_only(connection: Connection) -> None:
    if connection.dialect.name == "sqlite" and not connection.closed and not connection.invalidated:
        connection.info.pop(_DEADLINE_KEY, None)
        driver = connection.connection.driver_connection
        if driver is not None:
            driver.set_progress_handler(None, 0)


_DEADLINE_KEY = "piimap.deadline"


class _Deadline:
    """A renewable wall-clock limit; SQLite's progress handler interrupts a query once it passes."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires = time.monotonic() + seconds

    def renew(self) -> None:
        self.expires = time.monotonic() + self.seconds

    def expired(self) -> int:
        return 1 if time.monotonic() > self.expires else 0


@contextmanager
def _mysql_statement_time(connection: Connection, seconds: float | None) -> Iterator[None]:
    """Raise the MySQL/MariaDB session statement limit to ``seconds`` for one statement, then restore it."""
    if seconds is None:
        yield
        return
    import sqlalchemy as sa

    is_mariadb = bool(getattr(connection.dialect, "is_mariadb", False))
    variable = "max_statement_time" if is_mariadb else "max_execution_time"
    scale = 1 if is_mariadb else 1000  # MariaDB counts seconds, MySQL milliseconds
    previous = connection.execute(sa.text(f"SELECT @@SESSION.{variable}")).scalar()
    connection.execute(
        sa.text(f"SET SESSION {variable} = :limit"), {"limit": _whole(seconds * scale, is_mariadb)}
    )
    try:
        yield
    finally:
        try:
            connection.execute(sa.text(f"SET SESSION {variable} = :limit"), {"limit": previous})
        except Exception as error:  # a broken connection is discarded by the pool anyway
            log.debug("restoring %s failed: %s", variable, first_line(error))


def _whole(value: float, keep_fraction: bool) -> float | int:
    return value if keep_fraction else int(value)


def _mysql_session_setup(settings: ScanSettings):
    """A pool ``connect`` hook: every MySQL/MariaDB session is read-only with a statement time limit."""
    timeout = max(0.001, float(settings.statement_timeout_seconds))

    def setup(dbapi_connection: Any, connection_record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT VERSION()")
            is_mariadb = "mariadb" in str(cursor.fetchone()[0]).lower()
            cursor.execute("SET SESSION TRANSACTION READ ONLY")
            if is_mariadb:
                cursor.execute("SET SESSION max_statement_time = %s", (timeout,))
            else:
                cursor.execute("SET SESSION max_execution_time = %s", (int(timeout * 1000),))
                try:  # MySQL 8 caches table statistics for a day; change markers need fresh ones
                    cursor.execute("SET SESSION information_schema_stats_expiry = 0")
                except Exception:
                    pass
        finally:
            cursor.close()
        dbapi_connection.rollback()

    return setup


def _sqlite_read_only_creator(url: URL):
    """A connection factory opening the SQLite file read-only; a missing file is an error
    (raised inside :meth:`SqlConnector._session`, whose message names the URL)."""
    import sqlite3
    from urllib.parse import quote

    database = url.database or ""
    if database in ("", ":memory:"):
        return lambda: sqlite3.connect(":memory:", check_same_thread=False)
    if database.startswith("file:"):
        target = database if "mode=" in database else f"{database}{'&' if '?' in database else '?'}mode=ro"
        path = database[len("file:") :].split("?", 1)[0]
    else:
        path = os.path.expanduser(database)
        target = f"file:{quote(os.path.abspath(path))}?mode=ro"

    def connect() -> sqlite3.Connection:
        if path and not os.path.isfile(path):
            raise SourceUnavailable("no such SQLite database file")
        opened = target
        if path and "immutable=" not in target and _idle_wal_database(path):
            # A read-only connection to a WAL database nobody has open would create the -wal and
            # -shm files next to it; nobody is writing it, so read it as an immutable file.
            opened = f"{target}&immutable=1"
        connection = sqlite3.connect(opened, uri=True, check_same_thread=False)
        connection.execute("PRAGMA query_only = ON")
        return connection

    return connect


def _idle_wal_database(path: str) -> bool:
    """True for a WAL-mode SQLite file (header bytes 18-19 are 2) with no ``-wal`` file beside it."""
    try:
        with open(path, "rb") as database_file:
            header = database_file.read(20)
    except OSError:
        return False
    is_wal = (
        len(header) == 20 and header[:16] == b"SQLite format 3\x00" and header[18] == 2 and header[19] == 2
    )
    return is_wal and not os.path.exists(f"{path}-wal")


def _sqlite_file_marker(connection: Connection, schema: str) -> str | None:
    """Size and modification time of the database file (and its WAL): changes on any write."""
    import sqlalchemy as sa

    path = None
    for _, name, file_name in connection.execute(sa.text("PRAGMA database_list")):
        if name == schema:
            path = file_name
    if not path:
        return None
    parts = []
    for candidate in (path, f"{path}-wal"):
        try:
            status = os.stat(candidate)
        except OSError:
            continue
        parts.append(f"{status.st_size}:{status.st_mtime_ns}")
    return "sqlite:" + "/".join(parts) if parts else None


def _rollback_to_clean_state(connection: Connection, settings: ScanSettings) -> None:
    """After a failed optional query, start a fresh read-only, time-limited transaction."""
    connection.rollback()
    _start_read_only(connection, settings)


# ---------------------------------------------------------------------- helpers: columns and values


def _mysql_columns(
    connection: Connection, schema: str, tables: Sequence[str]
) -> dict[tuple[str | None, str], list[dict[str, Any]]]:
    """The columns of MySQL / MariaDB tables, as SQLAlchemy reflects them, from ``information_schema``.

    SQLAlchemy's MySQL reflection parses ``SHOW CREATE TABLE`` line by line: a column whose name
    holds a newline is lost, and a backtick in a name stays doubled, so the table's ``SELECT``
    then fails. ``information_schema.COLUMNS`` gives every name as it is.
    """
    import sqlalchemy as sa

    wanted = set(tables)
    rows = connection.execute(
        sa.text(
            "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH FROM information_schema.COLUMNS"
            " WHERE TABLE_SCHEMA = :schema ORDER BY TABLE_NAME, ORDINAL_POSITION"
        ),
        {"schema": schema},
    )
    known_types = cast(Any, connection.dialect).ischema_names  # the MySQL dialects' type table
    columns: dict[tuple[str | None, str], list[dict[str, Any]]] = {}
    for table, name, data_type, length in rows:
        if table in wanted:
            column_type = _mysql_type(known_types.get(str(data_type).lower()), length)
            columns.setdefault((schema, table), []).append({"name": name, "type": column_type})
    return columns


def _mysql_type(type_class: Any, length: Any) -> Any:
    """An instance of a MySQL type class, with its declared length for text (``NullType`` if unknown)."""
    import sqlalchemy as sa

    if type_class is None:
        return sa.types.NullType()
    if length is not None and issubclass(type_class, sa.String) and not issubclass(type_class, sa.Enum):
        try:
            return type_class(length=int(length))
        except (TypeError, ValueError, OverflowError):
            pass
    try:
        return type_class()
    except TypeError:
        return sa.types.NullType()


def _plan(column: Mapping[str, Any], dialect: Any, max_length: int) -> _ColumnPlan | None:
    """How to read a reflected column, or None to skip it (binary, boolean).

    Text that may be longer than ``max_length`` is truncated by the database; a ``VARCHAR(n)``
    that cannot be is read as is.
    """
    import sqlalchemy as sa
    from sqlalchemy import types

    column_type = column["type"]
    if isinstance(column_type, (types._Binary, sa.Boolean)):
        return None
    try:
        data_type = str(column_type.compile(dialect=dialect))
    except Exception:
        data_type = type(column_type).__name__
    if isinstance(column_type, sa.JSON):
        kind = "json"
    elif isinstance(column_type, sa.String) and not isinstance(column_type, sa.Enum):
        declared = getattr(column_type, "length", None)
        kind = "plain" if isinstance(declared, int) and 0 < declared <= max_length else "text"
    else:
        kind = "plain"
    return _ColumnPlan(name=str(column["name"]), data_type=data_type, kind=kind)


def _select_expression(column: Any, plan: _ColumnPlan, dialect: str, settings: ScanSettings) -> Any:
    """The column as selected: long text and JSON truncated by the database, never loaded whole."""
    import sqlalchemy as sa

    length = max(1, settings.max_value_length)
    if plan.kind == "plain":
        return column
    expression = sa.cast(column, sa.Text) if plan.kind == "json" else column
    if dialect == "mssql":
        return sa.func.left(expression, length)
    return sa.func.substr(expression, 1, length)


def _rebind(expression: Any, new_source: Any) -> Any:
    """The same select expression, reading from ``new_source`` (a TABLESAMPLE of the table)."""
    from sqlalchemy.sql.util import ClauseAdapter

    return ClauseAdapter(new_source).traverse(expression)


def _batch_samples(
    refs: Sequence[FieldRef], rows: Sequence[Sequence[Any]], max_length: int
) -> Iterator[FieldSample]:
    """One FieldSample per column for a batch of rows; None and empty values are counted, not passed."""
    columns = list(zip(*rows)) if rows else [() for _ in refs]
    for ref, column in zip(refs, columns):
        values: list[str] = []
        nulls = 0
        for value in column:
            # Text is by far the most common value: keep its path short.
            text = (value if value.strip() else None) if value.__class__ is str else value_text(value)
            if text is None:
                nulls += 1
            else:
                values.append(text if len(text) <= max_length else text[:max_length])
        yield FieldSample(field=ref, values=tuple(values), null_count=nulls)


def _fingerprint(marker: str, columns: Iterable[Mapping[str, Any]]) -> str:
    """A short digest of a change marker and the column list (names and types)."""
    digest = hashlib.sha256(marker.encode())
    for column in columns:
        digest.update(f"|{column['name']}:{column['type']!r}".encode())
    return digest.hexdigest()[:24]


# ---------------------------------------------------------------------- helpers: names and errors


def _is_system_schema(name: str) -> bool:
    lowered = name.lower()
    return lowered in SYSTEM_SCHEMAS or lowered.startswith(_SYSTEM_SCHEMA_PREFIXES)


_PSYCOPG_PREFIX = re.compile(r'^.*?connection to server at "[^"]*"(?:, port \d+)? failed:\s*', re.DOTALL)


def _driver_message(error: BaseException) -> str:
    """The database's own words for ``error``, on one line, without SQLAlchemy's decorations."""
    original = getattr(error, "orig", None) or error
    args: tuple[Any, ...] = getattr(original, "args", ())
    if len(args) >= 2 and isinstance(args[0], int) and isinstance(args[1], str):  # PyMySQL: (code, text)
        return args[1].strip().splitlines()[0] if args[1].strip() else str(args[0])
    text = str(original).strip()
    text = _PSYCOPG_PREFIX.sub("", text)
    text = re.sub(r"^(?:FATAL|ERROR):\s+", "", text)
    text = re.sub(r"^connection failed:\s*", "", text)
    return first_line(RuntimeError(text)) if text else type(original).__name__
