"""The shared database fixtures really create, fill and drop databases."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from conftest import (
    MARIADB_ADMIN_URL,
    POSTGRES_ADMIN_URL,
    fresh_mariadb_database,
    fresh_postgres_database,
    load_shop_schema,
    server_unavailable,
)


def test_shop_schema_loads_into_every_backend(sql_db: str) -> None:
    data = load_shop_schema(sql_db)
    engine = sa.create_engine(sql_db)
    try:
        with engine.connect() as connection:
            for table, expected in data.row_counts.items():
                count = connection.execute(sa.select(sa.func.count()).select_from(sa.table(table))).scalar()
                assert count == expected, table
    finally:
        engine.dispose()


def _database_exists(admin_url: str, name: str) -> bool:
    engine = sa.create_engine(admin_url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                query = sa.text("SELECT 1 FROM pg_database WHERE datname = :name")
            else:
                query = sa.text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :name")
            return connection.execute(query, {"name": name}).first() is not None
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("fresh_database", "admin_url"),
    [
        pytest.param(fresh_postgres_database, POSTGRES_ADMIN_URL, id="postgres", marks=pytest.mark.postgres),
        pytest.param(fresh_mariadb_database, MARIADB_ADMIN_URL, id="mariadb", marks=pytest.mark.mariadb),
    ],
)
def test_server_databases_are_unique_and_dropped_afterwards(fresh_database, admin_url) -> None:
    server_unavailable(admin_url)
    with fresh_database() as first_url, fresh_database() as second_url:
        first, second = sa.make_url(first_url).database, sa.make_url(second_url).database
        assert first != second
        assert first.startswith("piimap_test_")
        assert _database_exists(admin_url, first)
    assert not _database_exists(admin_url, first)
    assert not _database_exists(admin_url, second)
