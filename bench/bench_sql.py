"""How fast the SQL connector reads, and whether its memory stays flat, against plain SQLAlchemy.

Run: ``.venv/bin/python bench/bench_sql.py [--rows N] [--backend sqlite|postgres|both]``

For each backend it creates a throw-away database holding one ``people`` table of N rows
(id, name, email, phone, notes), then measures in the same run:

- full read: ``SqlConnector.sample(container, 0)`` (streamed in batches) against the reference,
  ``connection.execute(select(...)).fetchall()`` with the same values turned into text;
  rows per second, peak Python memory (tracemalloc) and the ratios connector / reference;
- bounded sample: ``sample(container, 1000)`` time (PostgreSQL uses TABLESAMPLE on large tables).

The PostgreSQL admin URL comes from ``PIIMAP_BENCH_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``); the database is dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from piimap.connectors.sql import SqlConnector
from piimap.model import SourceSpec
from piimap.settings import ScanSettings

POSTGRES_ADMIN_URL = os.environ.get(
    "PIIMAP_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


@contextmanager
def postgres_database() -> Iterator[str]:
    name = f"piimap_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def fill(url: str, rows: int) -> sa.Table:
    metadata = sa.MetaData()
    people = sa.Table(
        "people",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(80)),
        sa.Column("email", sa.String(120)),
        sa.Column("phone", sa.String(30)),
        sa.Column("notes", sa.Text),
    )
    engine = sa.create_engine(url)
    metadata.create_all(engine)
    with engine.begin() as connection:
        batch = []
        for index in range(1, rows + 1):
            batch.append(
                {
                    "id": index,
                    "name": f"Person {index}",
                    "email": f"person{index}@example.com",
                    "phone": f"+1 415-555-{index % 10000:04d}",
                    "notes": "lorem ipsum " * 20,
                }
            )
            if len(batch) == 10_000:
                connection.execute(people.insert(), batch)
                batch = []
        if batch:
            connection.execute(people.insert(), batch)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("ANALYZE people"))
    engine.dispose()
    return people


def measure(action: Callable[[], int]) -> tuple[float, int, int]:
    """Seconds (untraced run), values read, and peak traced memory in bytes (a second, traced run)."""
    started = time.perf_counter()
    count = action()
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    action()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, count, peak


def bench(backend: str, url: str, rows: int) -> None:
    people = fill(url, rows)
    connector = SqlConnector(SourceSpec("bench", url), ScanSettings())
    container = next(iter(connector.discover()))

    def connector_full_read() -> int:
        return sum(len(sample.values) for sample in connector.sample(container, 0))

    def reference_full_read() -> int:
        engine = sa.create_engine(url)
        try:
            with engine.connect() as connection:
                fetched = connection.execute(sa.select(people)).fetchall()
                return sum(1 for row in fetched for value in row if value is not None and str(value))
        finally:
            engine.dispose()

    def connector_bounded() -> int:
        return sum(len(sample.values) for sample in connector.sample(container, 1000))

    try:
        reference = measure(reference_full_read)
        ours = measure(connector_full_read)
        bounded = measure(connector_bounded)
    finally:
        connector.close()
    print(f"\n{backend}: {rows} rows x 5 columns")
    print(
        f"  reference fetchall : {reference[0]:7.2f} s  {rows / reference[0]:10.0f} rows/s  "
        f"peak {reference[2] / 1e6:8.1f} MB"
    )
    print(
        f"  connector streamed : {ours[0]:7.2f} s  {rows / ours[0]:10.0f} rows/s  peak {ours[2] / 1e6:8.1f} MB"
    )
    print(
        f"  ratio (connector / reference): time {ours[0] / reference[0]:.2f}x, "
        f"peak memory {ours[2] / reference[2]:.2f}x"
    )
    print(f"  bounded sample of 1000 rows : {bounded[0] * 1000:7.1f} ms  peak {bounded[2] / 1e6:.1f} MB")
    if ours[1] != reference[1]:
        print(f"  WARNING: values differ: connector {ours[1]} vs reference {reference[1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    args = parser.parse_args()
    if args.backend in ("sqlite", "both"):
        with sqlite_database() as url:
            bench("sqlite", url, args.rows)
    if args.backend in ("postgres", "both"):
        with postgres_database() as url:
            bench("postgres", url, args.rows)


if __name__ == "__main__":
    main()
