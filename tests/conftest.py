"""Shared test fixtures: real, throw-away SQL databases and a small shop schema to load into them.

Fixtures (any test module may use them):

- ``sqlite_db``   -> ``sqlite:///<tmp_path>/shop_<id>.db`` (an empty file that exists)
- ``postgres_db`` -> ``postgresql+psycopg://postgres@127.0.0.1:5432/piimap_test_<id>``
- ``mariadb_db``  -> ``mysql+pymysql://root@127.0.0.1:3306/piimap_test_<id>``
- ``sql_db``      -> parametrized over the three above (ids ``sqlite``, ``postgres``, ``mariadb``)
- ``shop_db``     -> ``sql_db`` with :func:`load_shop_schema` already loaded

Each server database is created fresh for the test and dropped afterwards. When a server is not
reachable the test is skipped with the reason, except under CI (``CI`` set), where it fails.
The admin URLs can be overridden with ``PIIMAP_TEST_POSTGRES_URL`` / ``PIIMAP_TEST_MARIADB_URL``.

:func:`load_shop_schema` (also available as the ``load_shop`` fixture) creates a customer /
employee style schema through SQLAlchemy Core, so it loads the same way into any dialect, and
returns a :class:`ShopData` describing what is personal and what is not.
"""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

POSTGRES_ADMIN_URL = os.environ.get(
    "PIIMAP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
MARIADB_ADMIN_URL = os.environ.get("PIIMAP_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/")

__all__ = [
    "POSTGRES_ADMIN_URL",
    "MARIADB_ADMIN_URL",
    "ShopData",
    "load_shop_schema",
    "unique_database_name",
    "fresh_postgres_database",
    "fresh_mariadb_database",
    "server_unavailable",
]


# --------------------------------------------------------------------------- history store


@pytest.fixture(autouse=True)
def _isolated_history_store(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test that scans records its runs in its own throw-away history store, never in the
    user's ``~/.local/share/piimap/history.sqlite`` (and never reuses another test's findings)."""
    monkeypatch.setenv("PIIMAP_STORE", f"sqlite:///{tmp_path_factory.mktemp('history')}/history.sqlite")


# --------------------------------------------------------------------------- servers


def unique_database_name(prefix: str = "piimap_test") -> str:
    """A fresh database name such as ``piimap_test_1a2b3c4d`` (safe to format into DDL)."""
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


@cache
def _server_problem(admin_url: str) -> str | None:
    """None when the server answers, else one line saying why not (checked once per session)."""
    import sqlalchemy as sa

    engine = sa.create_engine(admin_url, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception as error:  # any driver error means "not usable here"
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        return f"{engine.url.render_as_string(hide_password=True)} is not reachable: {first_line}"
    finally:
        engine.dispose()
    return None


def server_unavailable(admin_url: str) -> None:
    """Skip the calling test when the server is down; fail instead when running in CI."""
    problem = _server_problem(admin_url)
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"database server required in CI: {problem}")
    pytest.skip(problem)


def _admin_engine(admin_url: str):
    import sqlalchemy as sa

    return sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[str]:
    """A new, empty SQLite database file; yields its URL."""
    import sqlite3

    path = tmp_path / f"{unique_database_name('shop')}.db"
    sqlite3.connect(path).close()
    yield f"sqlite:///{path}"


@contextmanager
def fresh_postgres_database(admin_url: str = POSTGRES_ADMIN_URL) -> Iterator[str]:
    """Create a uniquely named PostgreSQL database; yield its URL; drop it (even if in use) on exit."""
    import sqlalchemy as sa

    name = unique_database_name()
    admin = _admin_engine(admin_url)
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            yield sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def fresh_mariadb_database(admin_url: str = MARIADB_ADMIN_URL) -> Iterator[str]:
    """Create a uniquely named MariaDB/MySQL database; yield its URL; drop it on exit."""
    import sqlalchemy as sa

    name = unique_database_name()
    admin = _admin_engine(admin_url)
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
        try:
            yield sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
    finally:
        admin.dispose()


@pytest.fixture
def postgres_db() -> Iterator[str]:
    """A fresh PostgreSQL database owned by the test; yields its psycopg 3 URL and drops it after."""
    server_unavailable(POSTGRES_ADMIN_URL)
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def mariadb_db() -> Iterator[str]:
    """A fresh MariaDB/MySQL database; yields its PyMySQL URL and drops it after."""
    server_unavailable(MARIADB_ADMIN_URL)
    with fresh_mariadb_database() as url:
        yield url


SQL_BACKENDS = ("sqlite", "postgres", "mariadb")


@pytest.fixture(params=SQL_BACKENDS)
def sql_db(request: pytest.FixtureRequest) -> str:
    """The URL of a fresh database in each of SQLite, PostgreSQL and MariaDB (one test per backend)."""
    if request.param == "postgres":
        request.applymarker(pytest.mark.postgres)
    elif request.param == "mariadb":
        request.applymarker(pytest.mark.mariadb)
    return request.getfixturevalue(f"{request.param}_db")


@pytest.fixture
def shop_db(sql_db: str) -> str:
    """``sql_db`` with the shop schema loaded (see :func:`load_shop_schema`)."""
    load_shop_schema(sql_db)
    return sql_db


@pytest.fixture
def load_shop():
    """The :func:`load_shop_schema` helper, for tests that prefer fixtures to imports."""
    return load_shop_schema


# --------------------------------------------------------------------------- shop schema


@dataclass(frozen=True)
class ShopData:
    """What :func:`load_shop_schema` created: tables and which columns hold which personal data.

    ``personal`` maps ``(table, column)`` to the category a scan must report; ``not_personal``
    lists the columns a scan must report nothing on. Table names are unqualified.
    """

    tables: tuple[str, ...]
    row_counts: dict[str, int]
    personal: dict[tuple[str, str], str]
    not_personal: tuple[tuple[str, str], ...]


_PRODUCT_WORDS = (
    ("Walnut", "Oak", "Steel", "Copper", "Linen", "Ceramic", "Bamboo", "Glass", "Marble", "Wool"),
    (
        "Desk Lamp",
        "Coffee Grinder",
        "Water Bottle",
        "Notebook",
        "Backpack",
        "Kettle",
        "Cutting Board",
        "Throw Blanket",
        "Plant Pot",
        "Wall Clock",
        "Serving Tray",
        "Pen Holder",
    ),
)
_GENRES = (
    "Rock",
    "Jazz",
    "Metal",
    "Alternative & Punk",
    "Blues",
    "Latin",
    "Reggae",
    "Pop",
    "Soundtrack",
    "Bossa Nova",
    "Easy Listening",
    "Heavy Metal",
    "Classical",
    "Electronica/Dance",
    "World",
    "Hip Hop/Rap",
    "Science Fiction",
    "Drama",
    "Comedy",
    "Opera",
)
_JOB_TITLES = (
    "General Manager",
    "Sales Manager",
    "Sales Support Agent",
    "IT Manager",
    "IT Staff",
    "Accountant",
    "Warehouse Supervisor",
    "Marketing Coordinator",
    "Customer Service Lead",
)
# Area codes that libphonenumber accepts as valid US/CA numbers.
_AREA_CODES = ("212", "312", "415", "617", "206", "303", "512", "404", "702", "213", "646", "720")


def _phone_numbers(rng: random.Random, count: int) -> list[str]:
    """Valid North American numbers in a mix of common spellings (checked with libphonenumber)."""
    import phonenumbers

    spellings = ("+1 {a}-{e}-{n}", "({a}) {e}-{n}", "{a}.{e}.{n}", "+1{a}{e}{n}", "{a}-{e}-{n}")
    numbers: list[str] = []
    while len(numbers) < count:
        area = rng.choice(_AREA_CODES)
        exchange = f"{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(0, 9)}"
        line = f"{rng.randint(0, 9999):04d}"
        if exchange.endswith("11") or exchange == "555":
            continue
        parsed = phonenumbers.parse(f"+1{area}{exchange}{line}", None)
        if not phonenumbers.is_valid_number(parsed):
            continue
        numbers.append(rng.choice(spellings).format(a=area, e=exchange, n=line))
    return numbers


def load_shop_schema(url: str, *, customers: int = 120, orders: int = 300, seed: int = 7) -> ShopData:
    """Create and fill a small shop schema in the database at ``url`` (any SQLAlchemy dialect).

    Tables: ``customers`` (id, first_name, last_name, email, phone, signup_date, country),
    ``employees`` (employee_id, first_name, last_name, title, email, hire_date),
    ``products`` (product_id, name, price, sku), ``genres`` (genre_id, name) and
    ``orders`` (order_id UUID, customer_id, total, tax, created_at, updated_at, status).
    Data is deterministic for a given ``seed``.
    """
    import sqlalchemy as sa
    from faker import Faker

    rng = random.Random(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed)
    metadata = sa.MetaData()
    customers_table = sa.Table(
        "customers",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("first_name", sa.String(80), nullable=False),
        sa.Column("last_name", sa.String(80), nullable=False),
        sa.Column("email", sa.String(160), nullable=False),
        sa.Column("phone", sa.String(40)),
        sa.Column("signup_date", sa.Date, nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
    )
    employees_table = sa.Table(
        "employees",
        metadata,
        sa.Column("employee_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("first_name", sa.String(80), nullable=False),
        sa.Column("last_name", sa.String(80), nullable=False),
        sa.Column("title", sa.String(80), nullable=False),
        sa.Column("email", sa.String(160), nullable=False),
        sa.Column("hire_date", sa.Date, nullable=False),
    )
    products_table = sa.Table(
        "products",
        metadata,
        sa.Column("product_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("price", sa.Numeric(10, 2), nullable=False),
        sa.Column("sku", sa.String(20), nullable=False),
    )
    genres_table = sa.Table(
        "genres",
        metadata,
        sa.Column("genre_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(80), nullable=False),
    )
    orders_table = sa.Table(
        "orders",
        metadata,
        sa.Column("order_id", sa.Uuid, primary_key=True),
        sa.Column("customer_id", sa.Integer, nullable=False),
        sa.Column("total", sa.Numeric(10, 2), nullable=False),
        sa.Column("tax", sa.Numeric(10, 2), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime),
        sa.Column("status", sa.String(20), nullable=False),
    )

    phones = _phone_numbers(rng, customers)
    start = date(2019, 1, 1)
    customer_rows = []
    for index in range(customers):
        first, last = fake.first_name(), fake.last_name()
        customer_rows.append(
            {
                "id": index + 1,
                "first_name": first,
                "last_name": last,
                "email": f"{first}.{last}{rng.randint(1, 99)}@{fake.free_email_domain()}".lower(),
                "phone": phones[index] if index % 10 else None,  # some customers gave no phone
                "signup_date": start + timedelta(days=rng.randint(0, 1800)),
                "country": rng.choice(("US", "CA")),
            }
        )
    employee_rows = []
    for index in range(12):
        first, last = fake.first_name(), fake.last_name()
        employee_rows.append(
            {
                "employee_id": index + 1,
                "first_name": first,
                "last_name": last,
                "title": _JOB_TITLES[index % len(_JOB_TITLES)],
                "email": f"{first[0]}{last}@shop.example.com".lower(),
                "hire_date": start + timedelta(days=rng.randint(0, 900)),
            }
        )
    product_rows = []
    for index, (material, thing) in enumerate((m, t) for m in _PRODUCT_WORDS[0] for t in _PRODUCT_WORDS[1]):
        product_rows.append(
            {
                "product_id": index + 1,
                "name": f"{material} {thing}",
                "price": Decimal(rng.randint(299, 19999)) / 100,
                "sku": f"SKU-{rng.randint(100000, 999999)}",
            }
        )
    genre_rows = [{"genre_id": index + 1, "name": name} for index, name in enumerate(_GENRES)]
    order_rows = []
    moment = datetime(2023, 1, 1, 9, 0, 0)
    for index in range(orders):
        total = Decimal(rng.randint(500, 50000)) / 100
        created = moment + timedelta(minutes=rng.randint(0, 500_000))
        order_rows.append(
            {
                "order_id": uuid.UUID(int=rng.getrandbits(128), version=4),
                "customer_id": rng.randint(1, customers),
                "total": total,
                "tax": (total * Decimal("0.08")).quantize(Decimal("0.01")),
                "created_at": created,
                "updated_at": created + timedelta(hours=rng.randint(1, 72)) if index % 3 else None,
                "status": rng.choice(("placed", "paid", "shipped", "delivered", "returned")),
            }
        )

    engine = sa.create_engine(url)
    try:
        metadata.create_all(engine)
        with engine.begin() as connection:
            connection.execute(customers_table.insert(), customer_rows)
            connection.execute(employees_table.insert(), employee_rows)
            connection.execute(products_table.insert(), product_rows)
            connection.execute(genres_table.insert(), genre_rows)
            connection.execute(orders_table.insert(), order_rows)
    finally:
        engine.dispose()
    if url.startswith("postgresql"):
        _analyze_postgres(url)

    return ShopData(
        tables=("customers", "employees", "genres", "orders", "products"),
        row_counts={
            "customers": len(customer_rows),
            "employees": len(employee_rows),
            "products": len(product_rows),
            "genres": len(genre_rows),
            "orders": len(order_rows),
        },
        personal={
            ("customers", "first_name"): "user.name",
            ("customers", "last_name"): "user.name",
            ("customers", "email"): "user.contact.email",
            ("customers", "phone"): "user.contact.phone_number",
            ("employees", "first_name"): "user.name",
            ("employees", "last_name"): "user.name",
            ("employees", "email"): "user.contact.email",
            # the country of a customer's address (issue #13); signup and hire dates stay no birth dates
            ("customers", "country"): "user.contact.address.country",
        },
        not_personal=(
            ("customers", "id"),
            ("customers", "signup_date"),
            ("employees", "employee_id"),
            ("employees", "title"),
            ("employees", "hire_date"),
            ("products", "product_id"),
            ("products", "name"),
            ("products", "price"),
            ("products", "sku"),
            ("genres", "genre_id"),
            ("genres", "name"),
            ("orders", "order_id"),
            ("orders", "customer_id"),
            ("orders", "total"),
            ("orders", "tax"),
            ("orders", "created_at"),
            ("orders", "updated_at"),
            ("orders", "status"),
        ),
    )


def _analyze_postgres(url: str) -> None:
    """Refresh planner statistics so row estimates (pg_class.reltuples) are meaningful."""
    import sqlalchemy as sa

    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("ANALYZE"))
    finally:
        engine.dispose()
