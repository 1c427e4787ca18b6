"""The SQL connector is read-only, bounded in time, least-privilege friendly and tight-lipped about secrets."""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import (
    MARIADB_ADMIN_URL,
    POSTGRES_ADMIN_URL,
    load_shop_schema,
    server_unavailable,
)

from piimap.cli import main
from piimap.connectors.sql import SqlConnector
from piimap.engine import SerialExecutor, scan
from piimap.model import ContainerUnreadable, SourceSpec, SourceUnavailable
from piimap.settings import ScanSettings


def run_sql(url: str, *statements: str, autocommit: bool = False) -> list:
    """Run statements; returns the rows of the last one that returned rows."""
    options = {"isolation_level": "AUTOCOMMIT"} if autocommit else {}
    engine = sa.create_engine(url, **options)
    rows: list = []
    try:
        with engine.begin() if not autocommit else engine.connect() as connection:
            for statement in statements:
                result = connection.execute(sa.text(statement))
                if result.returns_rows:
                    rows = list(result)
    finally:
        engine.dispose()
    return rows


def contents_digest(url: str) -> dict[str, str]:
    """A digest of every row of every table, independent of row order."""
    engine = sa.create_engine(url)
    digests = {}
    try:
        with engine.connect() as connection:
            for table_name in sa.inspect(connection).get_table_names():
                table = sa.Table(table_name, sa.MetaData(), autoload_with=connection)
                rows = sorted(repr(tuple(row)) for row in connection.execute(sa.select(table)))
                digests[table_name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    finally:
        engine.dispose()
    return digests


def scan_everything(url: str, **options) -> None:
    """Discover and read every row of every table and view (the heaviest scan there is)."""
    connector = SqlConnector(SourceSpec("db", url, options), ScanSettings())
    try:
        for container in connector.discover():
            for _ in connector.sample(container, 0):
                pass
            for _ in connector.sample(container, 10):
                pass
    finally:
        connector.close()


def postgres_write_counters(url: str) -> tuple:
    run_sql(url, "SELECT pg_stat_force_next_flush()")
    time.sleep(0.05)
    return tuple(
        run_sql(
            url,
            "SELECT coalesce(sum(n_tup_ins), 0), coalesce(sum(n_tup_upd), 0), coalesce(sum(n_tup_del), 0),"
            " coalesce(sum(n_tup_hot_upd), 0) FROM pg_stat_user_tables",
        )[0]
    )


# --------------------------------------------------------------------------- nothing changes


def test_a_scan_changes_nothing(sql_db: str) -> None:
    load_shop_schema(sql_db)
    run_sql(sql_db, "CREATE VIEW customer_emails AS SELECT email FROM customers")
    before = contents_digest(sql_db)
    is_postgres = sql_db.startswith("postgresql")
    counters_before = postgres_write_counters(sql_db) if is_postgres else None
    scan_everything(sql_db, views=True)
    assert contents_digest(sql_db) == before
    if is_postgres:
        assert postgres_write_counters(sql_db) == counters_before


def test_writes_are_refused_inside_the_connectors_session(sql_db: str) -> None:
    run_sql(sql_db, "CREATE TABLE notes (id INTEGER, body VARCHAR(50))")
    connector = SqlConnector(SourceSpec("db", sql_db), ScanSettings())
    try:
        with connector._session() as connection:
            with pytest.raises(sa.exc.DBAPIError) as refused:
                connection.execute(sa.text("INSERT INTO notes (id, body) VALUES (1, 'written')"))
    finally:
        connector.close()
    message = str(refused.value.orig).lower()
    assert "read-only" in message or "read only" in message or "readonly" in message, message
    assert run_sql(sql_db, "SELECT count(*) FROM notes")[0][0] == 0


# --------------------------------------------------------------------------- time limits


SLOW_VIEWS = {
    "postgres": [
        "CREATE FUNCTION slow_rows() RETURNS TABLE(email text) LANGUAGE sql AS "
        "$$ SELECT pg_sleep(20); SELECT 'jane@example.com'::text $$",
        "CREATE VIEW slow_view AS SELECT email FROM slow_rows()",
    ],
    "mariadb": ["CREATE VIEW slow_view AS SELECT SLEEP(20) AS pause, 'jane@example.com' AS email"],
    "sqlite": [
        "CREATE VIEW slow_view AS WITH RECURSIVE counter(n) AS "
        "(SELECT 1 UNION ALL SELECT n + 1 FROM counter) SELECT max(n) AS email FROM counter"
    ],
}


def _backend(url: str) -> str:
    return {"postgresql": "postgres", "mysql": "mariadb", "sqlite": "sqlite"}[
        sa.make_url(url).get_backend_name()
    ]


@pytest.mark.slow
def test_statement_timeout_stops_a_slow_read(sql_db: str) -> None:
    for statement in SLOW_VIEWS[_backend(sql_db)]:
        run_sql(sql_db, statement)
    connector = SqlConnector(
        SourceSpec("db", sql_db, {"views": True}), ScanSettings(statement_timeout_seconds=1)
    )
    try:
        container = next(c for c in connector.discover() if c.name.endswith("slow_view"))
        started = time.monotonic()
        with pytest.raises(ContainerUnreadable) as unreadable:
            list(connector.sample(container, 10))
        elapsed = time.monotonic() - started
    finally:
        connector.close()
    assert elapsed < 10, elapsed
    assert "slow_view" in str(unreadable.value)
    assert "\n" not in str(unreadable.value)


@pytest.mark.slow
def test_a_long_full_read_is_limited_per_batch_not_as_a_whole(sql_db: str) -> None:
    """Reading everything takes as long as the classifiers need; each batch is still bounded."""
    metadata = sa.MetaData()
    notes = sa.Table("notes", metadata, sa.Column("id", sa.Integer), sa.Column("body", sa.String(600)))
    engine = sa.create_engine(sql_db)
    try:
        metadata.create_all(engine)
        with engine.begin() as connection:
            # ~12 MB: more than socket buffers hold, so the server is still sending when time is up
            connection.execute(
                notes.insert(), [{"id": i, "body": f"{i} " + "x" * 580} for i in range(20_000)]
            )
    finally:
        engine.dispose()
    settings = ScanSettings(statement_timeout_seconds=1)
    connector = SqlConnector(SourceSpec("db", sql_db, {"batch_size": 1000}), settings)
    started = time.monotonic()
    read = 0
    try:
        container = next(iter(connector.discover()))
        for sample in connector.sample(container, 0):
            read += len(sample.values)
            if sample.field.name == "body":
                time.sleep(0.1)  # a slow classifier: 20 batches take about 2 seconds
    finally:
        connector.close()
    assert time.monotonic() - started > 1.5
    assert read == 40_000


# --------------------------------------------------------------------------- least privilege


@pytest.mark.postgres
def test_postgres_select_only_role_can_scan_and_unreadable_tables_are_reported(postgres_db: str) -> None:
    load_shop_schema(postgres_db, customers=30, orders=30)
    role = f"piimap_reader_{uuid.uuid4().hex[:8]}"
    database = sa.make_url(postgres_db).database
    run_sql(
        postgres_db,
        "CREATE TABLE payroll (id int, salary numeric, email text)",
        "INSERT INTO payroll VALUES (1, 100000, 'boss@example.com')",
        f'CREATE ROLE "{role}" LOGIN',
        f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"',
        f'GRANT USAGE ON SCHEMA public TO "{role}"',
        *(
            f'GRANT SELECT ON {table} TO "{role}"'
            for table in ("customers", "employees", "genres", "orders", "products")
        ),
    )
    reader_url = sa.make_url(postgres_db).set(username=role).render_as_string(hide_password=False)
    try:
        spec = SourceSpec("shop", reader_url)
        result = scan([spec], ScanSettings(sample_size=0), executor=SerialExecutor())
    finally:
        run_sql(postgres_db, f'DROP OWNED BY "{role}"', f'DROP ROLE "{role}"')
    assert [status.status for status in result.sources] == ["ok"]
    assert [(error.container, "permission denied" in error.message) for error in result.errors] == [
        ("public.payroll", True)
    ]
    assert result.sources[0].containers == 6


@pytest.mark.mariadb
def test_mariadb_select_only_user_can_scan(mariadb_db: str) -> None:
    load_shop_schema(mariadb_db, customers=30, orders=30)
    user = f"piimap_reader_{uuid.uuid4().hex[:8]}"
    password = f"pw-{uuid.uuid4().hex[:12]}"
    database = sa.make_url(mariadb_db).database
    run_sql(
        MARIADB_ADMIN_URL,
        f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'",
        f"GRANT SELECT ON `{database}`.* TO '{user}'@'%'",
        autocommit=True,
    )
    try:
        reader_url = sa.make_url(mariadb_db).set(username=user, password=password)
        spec = SourceSpec("shop", reader_url.render_as_string(hide_password=False))
        result = scan([spec], ScanSettings(sample_size=0), executor=SerialExecutor())
    finally:
        run_sql(MARIADB_ADMIN_URL, f"DROP USER '{user}'@'%'", autocommit=True)
    assert [status.status for status in result.sources] == ["ok"]
    assert result.errors == ()
    assert result.sources[0].containers == 5


# --------------------------------------------------------------------------- the database goes away


@pytest.mark.postgres
def test_database_going_away_mid_scan_fails_that_source_only(
    postgres_db: str, sqlite_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load_shop_schema(postgres_db, customers=20, orders=20)
    load_shop_schema(sqlite_db, customers=20, orders=20)
    run_sql(
        postgres_db,
        "CREATE FUNCTION slow_rows() RETURNS TABLE(email text) LANGUAGE sql AS "
        "$$ SELECT pg_sleep(30); SELECT 'jane@example.com'::text $$",
        "CREATE VIEW aaa_slow AS SELECT email FROM slow_rows()",  # sorts first: read before the tables
    )
    database = sa.make_url(postgres_db).database
    config = tmp_path / "piimap.yaml"
    config.write_text(
        "sources:\n"
        f"  warehouse: {{url: '{postgres_db}', views: true}}\n"
        f"  app: '{sqlite_db}'\n"
        "settings: {workers: 1, max_connections_per_source: 1}\n"
    )
    killed = threading.Event()

    def pull_the_plug() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            busy = run_sql(
                POSTGRES_ADMIN_URL,
                "SELECT pid FROM pg_stat_activity WHERE state = 'active' AND wait_event = 'PgSleep'"
                f" AND datname = '{database}' AND pid <> pg_backend_pid()",
                autocommit=True,
            )
            if busy:
                run_sql(
                    POSTGRES_ADMIN_URL,
                    f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false',
                    f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'",
                    autocommit=True,
                )
                killed.set()
                return
            time.sleep(0.1)

    plug = threading.Thread(target=pull_the_plug, daemon=True)
    plug.start()
    started = time.monotonic()
    try:
        code = main(["scan", "--config", str(config), "--format", "json", "--no-store", "-q"])
    finally:
        plug.join(timeout=25)
        run_sql(POSTGRES_ADMIN_URL, f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true', autocommit=True)
    elapsed = time.monotonic() - started
    captured = capsys.readouterr()
    assert killed.is_set(), "the scan never reached the slow view"
    assert code == 2
    assert elapsed < 25, elapsed
    report = json.loads(captured.out)
    statuses = {source["name"]: source for source in report["sources"]}
    assert statuses["warehouse"]["status"] == "error"
    assert statuses["app"]["status"] == "ok"
    assert "Traceback" not in captured.err
    error_lines = [line for line in captured.err.splitlines() if line.startswith("piimap: error:")]
    assert error_lines and all(line.startswith("piimap: error: warehouse") for line in error_lines)
    assert any("terminat" in line or "connect" in line for line in error_lines), error_lines


# --------------------------------------------------------------------------- unusable sources


@pytest.mark.postgres
@pytest.mark.mariadb
def test_connection_problems_are_one_line_each_without_the_password(
    sqlite_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server_unavailable(POSTGRES_ADMIN_URL)
    server_unavailable(MARIADB_ADMIN_URL)
    load_shop_schema(sqlite_db, customers=10, orders=10)
    secret = f"Sup3r-{uuid.uuid4().hex[:10]}"
    user = f"piimap_user_{uuid.uuid4().hex[:8]}"
    run_sql(MARIADB_ADMIN_URL, f"CREATE USER '{user}'@'%' IDENTIFIED BY 'the-right-one'", autocommit=True)
    bad_sources = {
        "wrong-password": f"mysql://{user}:{secret}@127.0.0.1:3306/mysql",
        "unknown-host": f"postgresql://app:{secret}@no-such-host.invalid:5432/shop",
        "missing-db": f"postgresql://postgres:{secret}@127.0.0.1:5432/piimap_missing_{uuid.uuid4().hex[:8]}",
        "unknown-scheme": f"nosuchdb://app:{secret}@127.0.0.1/shop",
        "unknown-driver": f"postgresql+nosuchdriver://app:{secret}@127.0.0.1/shop",
        "missing-file": f"sqlite:///{tmp_path / 'missing.db'}",
    }
    config = tmp_path / "piimap.yaml"
    lines = (
        ["sources:"] + [f"  {name}: '{url}'" for name, url in bad_sources.items()] + [f"  app: '{sqlite_db}'"]
    )
    config.write_text("\n".join(lines) + "\n")
    try:
        code = main(["scan", "--config", str(config), "--format", "json", "--no-store", "-q"])
    finally:
        run_sql(MARIADB_ADMIN_URL, f"DROP USER '{user}'@'%'", autocommit=True)
    captured = capsys.readouterr()
    assert code == 2
    assert secret not in captured.out + captured.err
    assert "Traceback" not in captured.err
    error_lines = [line for line in captured.err.splitlines() if line.startswith("piimap: error:")]
    assert sorted(line.split(":")[2].strip() for line in error_lines) == sorted(bad_sources)
    by_source = {line.split(":")[2].strip(): line for line in error_lines}
    assert "Access denied" in by_source["wrong-password"] and ":***@" in by_source["wrong-password"]
    assert "no-such-host.invalid" in by_source["unknown-host"] and ":***@" in by_source["unknown-host"]
    assert "does not exist" in by_source["missing-db"]
    assert "unknown URL scheme 'nosuchdb'" in by_source["unknown-scheme"]
    assert "nosuchdriver" in by_source["unknown-driver"]
    assert "no such SQLite database file" in by_source["missing-file"]
    report = json.loads(captured.out)
    statuses = {source["name"]: source["status"] for source in report["sources"]}
    assert statuses == {**{name: "error" for name in bad_sources}, "app": "ok"}
    assert all(secret not in source["url"] for source in report["sources"])
    assert not (tmp_path / "missing.db").exists()


@pytest.mark.postgres
def test_unknown_role_names_the_problem(postgres_db: str) -> None:
    url = sa.make_url(postgres_db).set(username="piimap_nobody", password="hunter2-secret")
    connector = SqlConnector(SourceSpec("db", url.render_as_string(hide_password=False)), ScanSettings())
    try:
        with pytest.raises(SourceUnavailable) as unavailable:
            list(connector.discover())
    finally:
        connector.close()
    message = str(unavailable.value)
    assert message.startswith("cannot connect to postgresql+psycopg://piimap_nobody:***@127.0.0.1:5432/")
    assert 'role "piimap_nobody" does not exist' in message
    assert "hunter2-secret" not in message and "\n" not in message
