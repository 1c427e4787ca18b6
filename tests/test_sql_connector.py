"""The SQL connector on real databases: URLs, discovery, sampling, value text, quoting, limits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from piimap.connectors.sql import SqlConnector, normalize_url
from piimap.model import Container, ContainerKind, FieldSample, SourceSpec
from piimap.settings import ScanSettings


def connector_for(url: str, settings: ScanSettings | None = None, **options) -> SqlConnector:
    return SqlConnector(SourceSpec("db", url, options), settings or ScanSettings())


def containers_of(connector: SqlConnector) -> dict[str, Container]:
    return {container.name: container for container in connector.discover()}


def values_by_column(samples: Iterator[FieldSample]) -> tuple[dict[str, list[str]], dict[str, int]]:
    values: dict[str, list[str]] = defaultdict(list)
    nulls: dict[str, int] = defaultdict(int)
    for sample in samples:
        values[sample.field.name].extend(sample.values)
        nulls[sample.field.name] += sample.null_count
    return dict(values), dict(nulls)


def run_sql(url: str, *statements: str | sa.Executable, params: list[dict] | None = None) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                if isinstance(statement, str):
                    statement = sa.text(statement)
                connection.execute(statement, params) if params else connection.execute(statement)
    finally:
        engine.dispose()


def schema_of(url: str) -> str:
    """The schema name containers of ``url`` are qualified with."""
    parsed = sa.make_url(url)
    backend = parsed.get_backend_name()
    return {"sqlite": "main", "postgresql": "public"}.get(backend, parsed.database)


@contextmanager
def captured_selects() -> Iterator[list[str]]:
    """Every SQL statement any engine sends while the block runs."""
    statements: list[str] = []

    def record(connection, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)


# --------------------------------------------------------------------------- URLs


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("sqlite:///app.db", True),
        ("sqlite://", True),
        ("postgresql://app@127.0.0.1:5432/shop", True),
        ("postgres://app@db/shop", True),
        ("postgresql+psycopg://app:secret@db/shop", True),
        ("postgresql+nosuchdriver://db/shop", True),  # backend known: discover() explains the driver
        ("mysql://root@127.0.0.1/shop", True),
        ("mariadb://root@127.0.0.1/shop", True),
        ("mysql+pymysql://root@127.0.0.1/shop", True),
        ("mssql+pyodbc://sa@db/shop", True),
        ("oracle://scott@db/orcl", True),
        ("mongodb://127.0.0.1:27017/shop", False),
        ("s3://bucket/prefix/", False),
        ("https://example.com/data.csv", False),
        ("nosuchdb://host/db", False),
        ("/var/log/app.log", False),
        ("logs/*.jsonl", False),
        ("app.db", False),
    ],
)
def test_accepts_only_sqlalchemy_urls(url: str, accepted: bool) -> None:
    assert SqlConnector.accepts(url) is accepted


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("mysql://u@h/db", "mysql+pymysql://u@h/db"),
        ("mariadb://u@h/db", "mariadb+pymysql://u@h/db"),
        ("mysql+mysqldb://u@h/db", "mysql+mysqldb://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_plain_schemes_use_the_installed_drivers(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


def test_constructing_does_no_io(tmp_path: Path) -> None:
    missing = tmp_path / "never-created.db"
    connector = connector_for(f"sqlite:///{missing}")
    connector.close()
    connector.close()  # safe twice
    SqlConnector(SourceSpec("x", "postgresql://nobody@203.0.113.1:1/none"), ScanSettings()).close()
    assert not missing.exists()


# --------------------------------------------------------------------------- discovery


def test_discovers_every_table_with_schema_qualified_names(shop_db: str) -> None:
    schema = schema_of(shop_db)
    connector = connector_for(shop_db)
    try:
        containers = containers_of(connector)
    finally:
        connector.close()
    expected = {f"{schema}.{table}" for table in ("customers", "employees", "genres", "orders", "products")}
    assert set(containers) == expected
    for name, container in containers.items():
        assert container.kind is ContainerKind.TABLE
        assert container.locator == tuple(name.split(".", 1))
        assert container.source == "db"


def test_samples_every_column_of_the_shop(shop_db: str) -> None:
    schema = schema_of(shop_db)
    connector = connector_for(shop_db)
    try:
        container = containers_of(connector)[f"{schema}.customers"]
        values, nulls = values_by_column(connector.sample(container, 50))
    finally:
        connector.close()
    assert set(values) == {"id", "first_name", "last_name", "email", "phone", "signup_date", "country"}
    assert len(values["email"]) == 50 and all("@" in email for email in values["email"])
    assert sorted(int(value) for value in values["id"]) == list(range(1, 51))
    assert all(len(day) == 10 and day[4] == "-" for day in values["signup_date"])
    # every tenth customer has no phone: counted as nulls, never passed as values
    assert len(values["phone"]) + nulls["phone"] == 50
    assert nulls["phone"] == 5
    assert "None" not in values["phone"]


@pytest.mark.parametrize("views", [False, True], ids=["tables-only", "with-views"])
def test_views_only_when_asked(sql_db: str, views: bool) -> None:
    run_sql(
        sql_db,
        "CREATE TABLE people (id INTEGER PRIMARY KEY, email VARCHAR(100))",
        "CREATE VIEW people_emails AS SELECT email FROM people",
    )
    connector = connector_for(sql_db, views=views)
    try:
        containers = containers_of(connector)
    finally:
        connector.close()
    schema = schema_of(sql_db)
    names = set(containers)
    assert f"{schema}.people" in names
    assert (f"{schema}.people_emails" in names) is views
    if views:
        assert containers[f"{schema}.people_emails"].kind is ContainerKind.VIEW


@pytest.mark.parametrize(
    ("include", "exclude", "expected"),
    [
        ([], [], {"customers", "employees", "genres", "orders", "products"}),
        (["customers"], [], {"customers"}),
        (["*.customers", "genres"], [], {"customers", "genres"}),
        (["c*", "e*"], [], {"customers", "employees"}),
        ([], ["orders", "*.products"], {"customers", "employees", "genres"}),
        (["*"], ["*s"], set()),
        (["CUSTOMERS"], [], {"customers"}),  # case-insensitive
    ],
)
def test_include_and_exclude_globs(sqlite_db: str, include, exclude, expected) -> None:
    from conftest import load_shop_schema

    load_shop_schema(sqlite_db, customers=5, orders=5)
    connector = connector_for(sqlite_db, include=include, exclude=exclude)
    try:
        names = {container.locator[1] for container in connector.discover()}
    finally:
        connector.close()
    assert names == expected


@pytest.mark.postgres
def test_postgres_schemas_are_discovered_and_system_schemas_skipped(postgres_db: str) -> None:
    run_sql(
        postgres_db,
        "CREATE SCHEMA crm",
        "CREATE SCHEMA billing",
        "CREATE TABLE crm.contacts (id int, email text)",
        "CREATE TABLE billing.invoices (id int, total numeric)",
        "CREATE TABLE public.notes (id int, body text)",
    )
    connector = connector_for(postgres_db)
    try:
        names = set(containers_of(connector))
    finally:
        connector.close()
    assert names == {"crm.contacts", "billing.invoices", "public.notes"}
    only_crm = connector_for(postgres_db, schemas=["crm"])
    try:
        assert set(containers_of(only_crm)) == {"crm.contacts"}
    finally:
        only_crm.close()


@pytest.mark.mariadb
def test_mariadb_scans_only_the_database_in_the_url(mariadb_db: str) -> None:
    from conftest import fresh_mariadb_database

    with fresh_mariadb_database() as other_url:
        run_sql(other_url, "CREATE TABLE secrets (id int, email varchar(100))")
        run_sql(mariadb_db, "CREATE TABLE contacts (id int, email varchar(100))")
        connector = connector_for(mariadb_db)
        try:
            names = set(containers_of(connector))
        finally:
            connector.close()
    assert names == {f"{sa.make_url(mariadb_db).database}.contacts"}


def _fingerprints(url: str) -> dict[str, str | None]:
    connector = connector_for(url)
    try:
        return {container.locator[1]: container.fingerprint for container in connector.discover()}
    finally:
        connector.close()


def test_fingerprint_is_stable_and_changes_when_a_table_changes(sql_db: str) -> None:
    run_sql(
        sql_db,
        "CREATE TABLE contacts (id INTEGER PRIMARY KEY, email VARCHAR(100))",
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body VARCHAR(100))",
    )
    run_sql(sql_db, "INSERT INTO contacts (id, email) VALUES (1, 'a@example.com')")
    first = _fingerprints(sql_db)
    assert first["contacts"] is not None and first["notes"] is not None
    assert _fingerprints(sql_db) == first
    run_sql(sql_db, "INSERT INTO contacts (id, email) VALUES (2, 'b@example.com')")
    _wait_until(lambda: _fingerprints(sql_db)["contacts"] != first["contacts"])
    run_sql(sql_db, "ALTER TABLE notes ADD COLUMN phone VARCHAR(20)")
    assert _fingerprints(sql_db)["notes"] != first["notes"]


def _wait_until(condition, seconds: float = 3.0) -> None:
    """Statistics views are updated asynchronously by some servers; poll briefly."""
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


# --------------------------------------------------------------------------- sampling


def test_limit_is_applied_in_one_query_per_table(sql_db: str) -> None:
    run_sql(sql_db, "CREATE TABLE events (id INTEGER PRIMARY KEY, email VARCHAR(100), note VARCHAR(50))")
    run_sql(
        sql_db,
        sa.text("INSERT INTO events (id, email, note) VALUES (:id, :email, :note)"),
        params=[{"id": i, "email": f"user{i}@example.com", "note": f"n{i}"} for i in range(1, 301)],
    )
    connector = connector_for(sql_db)
    try:
        container = containers_of(connector)[f"{schema_of(sql_db)}.events"]
        with captured_selects() as statements:
            samples = list(connector.sample(container, 25))
    finally:
        connector.close()
    assert {sample.field.name for sample in samples} == {"id", "email", "note"}
    assert all(len(sample.values) == 25 for sample in samples)
    reads = [statement for statement in statements if "events" in statement and "SELECT" in statement.upper()]
    assert len(reads) == 1, reads


@pytest.mark.parametrize("batch_size", [7, 5000])
def test_limit_zero_reads_every_row_in_batches(sql_db: str, batch_size: int) -> None:
    run_sql(sql_db, "CREATE TABLE visits (id INTEGER PRIMARY KEY, ip VARCHAR(40))")
    run_sql(
        sql_db,
        sa.text("INSERT INTO visits (id, ip) VALUES (:id, :ip)"),
        params=[{"id": i, "ip": f"10.0.{i // 250}.{i % 250}"} for i in range(1, 51)],
    )
    connector = connector_for(sql_db, batch_size=batch_size)
    try:
        container = containers_of(connector)[f"{schema_of(sql_db)}.visits"]
        samples = [sample for sample in connector.sample(container, 0) if sample.field.name == "ip"]
    finally:
        connector.close()
    expected_batches = -(-50 // batch_size)
    assert len(samples) == expected_batches
    assert all(len(sample.values) <= batch_size for sample in samples)
    assert sorted(value for sample in samples for value in sample.values) == sorted(
        f"10.0.{i // 250}.{i % 250}" for i in range(1, 51)
    )


def test_empty_table_yields_nothing_and_no_columns_is_fine(sql_db: str) -> None:
    run_sql(sql_db, "CREATE TABLE empty_people (id INTEGER, email VARCHAR(100))")
    connector = connector_for(sql_db)
    try:
        container = containers_of(connector)[f"{schema_of(sql_db)}.empty_people"]
        samples = list(connector.sample(container, 100))
    finally:
        connector.close()
    assert sum(len(sample.values) for sample in samples) == 0


def test_long_text_is_truncated_by_the_database(sql_db: str) -> None:
    run_sql(sql_db, "CREATE TABLE documents (id INTEGER PRIMARY KEY, body TEXT)")
    long_body = "jane.doe@example.com " + "x" * 60_000
    run_sql(
        sql_db, sa.text("INSERT INTO documents (id, body) VALUES (1, :body)"), params=[{"body": long_body}]
    )
    settings = ScanSettings(max_value_length=64)
    connector = connector_for(sql_db, settings)
    try:
        container = containers_of(connector)[f"{schema_of(sql_db)}.documents"]
        with captured_selects() as statements:
            values, _ = values_by_column(connector.sample(container, 10))
    finally:
        connector.close()
    assert values["body"] == [long_body[:64]]
    read = next(statement for statement in statements if "documents" in statement)
    assert "substr" in read.lower()


@pytest.mark.postgres
def test_postgres_value_types_become_text(postgres_db: str) -> None:
    run_sql(
        postgres_db,
        """CREATE TABLE devices (
            id bigint, phone_as_number bigint, ratio double precision, amount numeric(12, 2),
            device uuid, address inet, network cidr, mac macaddr, profile jsonb, settings json,
            seen date, seen_at timestamptz, active boolean, avatar bytea, tags text[], mood text
        )""",
        """INSERT INTO devices VALUES (
            1, 14155550134, 0.25, 12.50, '6f1c2b3a-0d4e-4f5a-8b6c-7d8e9f0a1b2c', '203.0.113.7',
            '10.1.0.0/16', '08:00:2b:01:02:03', '{"email": "a@b.co", "n": [1, 2]}', '{"k": "v"}',
            '2024-02-29', '2024-02-29 12:30:00+00', true, '\\x00ff', ARRAY['a', 'b'], NULL
        )""",
    )
    connector = connector_for(postgres_db)
    try:
        container = containers_of(connector)["public.devices"]
        values, nulls = values_by_column(connector.sample(container, 10))
    finally:
        connector.close()
    assert "avatar" not in values and "active" not in values  # binary and boolean skipped
    assert values["phone_as_number"] == ["14155550134"]
    assert values["ratio"] == ["0.25"]
    assert values["amount"] == ["12.50"]
    assert values["device"] == ["6f1c2b3a-0d4e-4f5a-8b6c-7d8e9f0a1b2c"]
    assert values["address"] == ["203.0.113.7"]
    assert values["network"] == ["10.1.0.0/16"]
    assert values["mac"] == ["08:00:2b:01:02:03"]
    assert values["profile"] == ['{"n": [1, 2], "email": "a@b.co"}']
    assert values["settings"] == ['{"k": "v"}']
    assert values["seen"] == ["2024-02-29"]
    assert values["seen_at"][0].startswith("2024-02-29")
    assert values["tags"] == ['["a", "b"]']
    assert nulls["mood"] == 1 and values.get("mood", []) == []


@pytest.mark.mariadb
def test_mariadb_value_types_become_text(mariadb_db: str) -> None:
    run_sql(
        mariadb_db,
        """CREATE TABLE devices (
            id bigint, phone_as_number bigint, phone_as_double double, amount decimal(12, 2),
            profile json, seen date, seen_at datetime, active boolean, avatar blob,
            raw varbinary(16), mood text
        )""",
        """INSERT INTO devices VALUES (
            1, 14155550134, 14155550134, 12.50, '{"email": "a@b.co"}', '2024-02-29',
            '2024-02-29 12:30:00', 1, x'00ff', x'0102', ''
        )""",
    )
    connector = connector_for(mariadb_db)
    try:
        container = next(iter(containers_of(connector).values()))
        values, nulls = values_by_column(connector.sample(container, 10))
    finally:
        connector.close()
    assert "avatar" not in values and "raw" not in values  # binary skipped
    assert values["active"] == ["1"]  # MySQL booleans are TINYINT(1): small numbers, harmless
    assert values["phone_as_number"] == ["14155550134"]
    assert values["phone_as_double"] == ["14155550134"]
    assert values["amount"] == ["12.50"]
    assert values["profile"] == ['{"email": "a@b.co"}']
    assert values["seen"] == ["2024-02-29"]
    assert values["seen_at"] == ["2024-02-29 12:30:00"]
    assert nulls["mood"] == 1  # an empty string is counted as a blank, not passed


def test_sqlite_value_types_become_text(sqlite_db: str) -> None:
    run_sql(
        sqlite_db,
        "CREATE TABLE things (id INTEGER, phone INTEGER, ratio REAL, photo BLOB, note TEXT, anything)",
        "INSERT INTO things VALUES (1, 4155550134, 2.0, x'00ff', '   ', 'free text')",
    )
    connector = connector_for(sqlite_db)
    try:
        container = containers_of(connector)["main.things"]
        values, nulls = values_by_column(connector.sample(container, 10))
    finally:
        connector.close()
    assert "photo" not in values
    assert values["phone"] == ["4155550134"]
    assert values["ratio"] == ["2"]
    assert nulls["note"] == 1
    assert values["anything"] == ["free text"]


@pytest.mark.postgres
def test_postgres_large_tables_are_sampled_at_random(postgres_db: str) -> None:
    run_sql(
        postgres_db,
        "CREATE TABLE big (id integer, email text)",
        "INSERT INTO big SELECT g, 'user' || g || '@example.com' FROM generate_series(1, 60000) g",
        "ANALYZE big",
    )
    connector = connector_for(postgres_db)
    try:
        container = containers_of(connector)["public.big"]
        draws = []
        for _ in range(3):
            with captured_selects() as statements:
                values, _ = values_by_column(connector.sample(container, 200))
            assert len(values["id"]) == 200
            draws.append(sorted(int(value) for value in values["id"]))
            assert any("TABLESAMPLE" in statement.upper() for statement in statements)
    finally:
        connector.close()
    first_rows = list(range(1, 201))
    assert any(draw != first_rows for draw in draws), (
        "TABLESAMPLE should not return the first rows every time"
    )


@pytest.mark.postgres
def test_postgres_small_tables_use_a_plain_limit(postgres_db: str) -> None:
    run_sql(
        postgres_db,
        "CREATE TABLE small (id integer, email text)",
        "INSERT INTO small SELECT g, 'user' || g || '@example.com' FROM generate_series(1, 500) g",
        "ANALYZE small",
    )
    connector = connector_for(postgres_db)
    try:
        container = containers_of(connector)["public.small"]
        with captured_selects() as statements:
            values, _ = values_by_column(connector.sample(container, 100))
    finally:
        connector.close()
    assert len(values["id"]) == 100
    assert not any("TABLESAMPLE" in statement.upper() for statement in statements)


# --------------------------------------------------------------------------- hostile names


HOSTILE_TABLE = '"; DROP TABLE victims; --'
HOSTILE_HTML_TABLE = "<script>alert('x')</script>"
HOSTILE_COLUMNS = ("e-mail address", 'say "hi"', "it's", "100% sure", ":bind", "<b>name</b>", "select")


def test_hostile_table_and_column_names_are_quoted(sql_db: str) -> None:
    metadata = sa.MetaData()
    victims = sa.Table("victims", metadata, sa.Column("id", sa.Integer))
    tables = [
        sa.Table(
            name,
            metadata,
            sa.Column("id", sa.Integer),
            *(sa.Column(c, sa.String(100)) for c in HOSTILE_COLUMNS),
        )
        for name in (HOSTILE_TABLE, HOSTILE_HTML_TABLE)
    ]
    engine = sa.create_engine(sql_db)
    try:
        metadata.create_all(engine)
        with engine.begin() as connection:
            connection.execute(victims.insert(), [{"id": 1}])
            for table in tables:
                row = {
                    "id": 1,
                    **{column: f"{index}:jane@example.com" for index, column in enumerate(HOSTILE_COLUMNS)},
                }
                connection.execute(table.insert(), [row])
    finally:
        engine.dispose()
    connector = connector_for(sql_db)
    try:
        containers = containers_of(connector)
        schema = schema_of(sql_db)
        for name in (HOSTILE_TABLE, HOSTILE_HTML_TABLE):
            container = containers[f"{schema}.{name}"]
            values, _ = values_by_column(connector.sample(container, 10))
            assert values == {
                "id": ["1"],
                **{column: [f"{index}:jane@example.com"] for index, column in enumerate(HOSTILE_COLUMNS)},
            }
    finally:
        connector.close()
    engine = sa.create_engine(sql_db)
    try:
        with engine.connect() as connection:
            assert connection.execute(sa.select(sa.func.count()).select_from(victims)).scalar() == 1
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- SQLite files


def test_sqlite_missing_file_is_an_error_and_is_not_created(tmp_path: Path) -> None:
    from piimap.model import SourceUnavailable

    missing = tmp_path / "nope.db"
    connector = connector_for(f"sqlite:///{missing}")
    try:
        with pytest.raises(SourceUnavailable, match="no such SQLite database file"):
            list(connector.discover())
    finally:
        connector.close()
    assert not missing.exists()
    assert not (tmp_path / "nope.db-journal").exists()


def test_sqlite_path_with_spaces_and_question_marks(tmp_path: Path) -> None:
    folder = tmp_path / "my data?#1"
    folder.mkdir()
    path = folder / "shop %20 file.db"
    url = f"sqlite:///{path}"
    run_sql(url, "CREATE TABLE people (email TEXT)", "INSERT INTO people VALUES ('a@example.com')")
    connector = connector_for(url)
    try:
        container = containers_of(connector)["main.people"]
        values, _ = values_by_column(connector.sample(container, 5))
    finally:
        connector.close()
    assert values == {"email": ["a@example.com"]}


@pytest.mark.parametrize("journal_mode", ["delete", "wal"])
def test_sqlite_file_is_not_modified_by_a_scan(sqlite_db: str, journal_mode: str) -> None:
    from conftest import load_shop_schema

    load_shop_schema(sqlite_db)
    path = Path(sa.make_url(sqlite_db).database)
    import sqlite3

    with sqlite3.connect(path) as writer:
        assert writer.execute(f"PRAGMA journal_mode = {journal_mode}").fetchone()[0] == journal_mode
    writer.close()
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    connector = connector_for(sqlite_db)
    try:
        for container in connector.discover():
            list(connector.sample(container, 0))
    finally:
        connector.close()
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_containers_pickle_for_other_processes(sqlite_db: str) -> None:
    import pickle

    from conftest import load_shop_schema

    load_shop_schema(sqlite_db, customers=3, orders=3)
    connector = connector_for(sqlite_db)
    try:
        containers = list(connector.discover())
    finally:
        connector.close()
    # A fresh connector (as on a Dask worker) samples a container it did not discover.
    fresh = connector_for(sqlite_db)
    try:
        container = pickle.loads(pickle.dumps(containers[0]))
        assert container == containers[0]
        assert list(fresh.sample(container, 2))
    finally:
        fresh.close()
