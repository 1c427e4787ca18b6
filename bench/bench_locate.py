"""How long ``piimap locate`` takes to find one person in a 10-million-row PostgreSQL table.

Builds (once; ``--keep`` leaves it for the next run) a database with one table of ``--rows``
customers (``generate_series``, a few minutes for 10 million), an index on ``email`` and none on
``backup_email``, then measures in the same run:

* the reference: a plain parameterised ``SELECT * FROM customers WHERE email = %s`` on a warm
  connection (the fastest a lookup can be);
* ``SqlLocator`` end to end for one e-mail through the index: discovery, reflection, the column
  profile, the lookup and the key following, in a fresh locator each time (median of ``--repeat``);
* the same locator for the unindexed column, with ``--max-rows-scanned`` at its default: it says
  it would scan and reads only that many rows.

Prints the times and the ratio to the reference. Asserts nothing: compare ratios on a shared machine.

    python bench/bench_locate.py                      # 10,000,000 rows
    python bench/bench_locate.py --rows 1000000 --keep
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import sqlalchemy as sa

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DATABASE = "piimap_bench_locate"


def build(rows: int) -> str:
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    url = sa.make_url(ADMIN_URL).set(database=DATABASE).render_as_string(hide_password=False)
    with admin.connect() as connection:
        exists = connection.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": DATABASE}
        ).scalar()
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        have = connection.execute(sa.text("SELECT to_regclass('public.customers') IS NOT NULL")).scalar()
        count = (
            connection.execute(
                sa.text("SELECT reltuples::bigint FROM pg_class WHERE relname = 'customers'")
            ).scalar()
            if have
            else 0
        )
        if have and count and abs(count - rows) <= rows * 0.05:
            print(f"reusing {DATABASE}.customers (~{count:,} rows)")
            engine.dispose()
            return url
        print(f"building {rows:,} rows (generate_series) ...", flush=True)
        started = time.perf_counter()
        connection.execute(sa.text("DROP TABLE IF EXISTS customers"))
        connection.execute(
            sa.text(
                "CREATE TABLE customers (id bigint PRIMARY KEY, full_name text, email text, backup_email text,"
                " phone text, created_at timestamptz)"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO customers SELECT n, 'Customer ' || n, 'customer' || n || '@example.com',"
                " 'backup' || n || '@example.net', '+1 415-555-' || lpad((n % 10000)::text, 4, '0'),"
                " now() - (n || ' seconds')::interval FROM generate_series(1, :rows) AS n"
            ),
            {"rows": rows},
        )
        connection.execute(sa.text("CREATE INDEX customers_email ON customers (email)"))
        print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("ANALYZE customers"))
    engine.dispose()
    return url


def reference(url: str, email: str, repeat: int) -> float:
    """Median seconds of a plain indexed SELECT on a warm connection."""
    engine = sa.create_engine(url)
    times = []
    with engine.connect() as connection:
        for _ in range(repeat):
            started = time.perf_counter()
            rows = connection.execute(sa.text("SELECT * FROM customers WHERE email = :e"), {"e": email}).all()
            times.append(time.perf_counter() - started)
            assert len(rows) == 1
    engine.dispose()
    return statistics.median(times)


def locate_once(url: str, field: str, email: str, max_rows: int) -> tuple[float, list]:
    from piimap.connectors.locate_sql import SqlLocator
    from piimap.evidence import EvidencePolicy
    from piimap.locate_identifiers import make_identifier
    from piimap.locate_model import ContainerTarget, FieldTarget, LocateLimits, LocateRequest
    from piimap.model import SourceSpec
    from piimap.settings import ScanSettings

    key = b"bench-key-0123456789abcdef"
    request = LocateRequest(
        identifiers=(make_identifier("email", email, region="US", key=key),),
        targets=(ContainerTarget("public.customers", (FieldTarget(field, "user.contact.email"),)),),
        limits=LocateLimits(max_rows_scanned=max_rows),
        evidence=EvidencePolicy(),
        key=key,
    )
    started = time.perf_counter()
    locator = SqlLocator(SourceSpec("bench", url), ScanSettings(statement_timeout_seconds=120))
    try:
        items = list(locator.locate(request))
    finally:
        locator.close()
    return time.perf_counter() - started, items


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the database for the next run")
    args = parser.parse_args()
    url = build(args.rows)
    target = max(1, args.rows * 7 // 10)
    email = f"Customer{target}@Example.com"  # as a person would type it: case-folded by locate
    try:
        plain = reference(url, email.lower(), args.repeat)
        indexed = []
        for _ in range(args.repeat):
            seconds, items = locate_once(url, "email", email, 1_000_000)
            indexed.append(seconds)
        found = [item for item in items if type(item).__name__ == "Match"]
        lookup = [item for item in items if type(item).__name__ == "Lookup"][0]
        print(f"rows: {args.rows:,}")
        print(
            f"reference: plain indexed SELECT on a warm connection: {plain * 1000:.2f} ms (median of {args.repeat})"
        )
        median = statistics.median(indexed)
        print(
            f"locate, indexed column: {median * 1000:.1f} ms end to end (median of {args.repeat}; "
            f"min {min(indexed) * 1000:.1f}, max {max(indexed) * 1000:.1f}); method {lookup.method}, "
            f"{len(found)} match -> {median / plain:.0f}x the bare SELECT"
        )
        seconds, items = locate_once(url, "backup_email", f"backup{target}@example.net", 1_000_000)
        lookup = [item for item in items if type(item).__name__ == "Lookup"][0]
        print(
            f"locate, unindexed column, --max-rows-scanned 1,000,000: {seconds:.2f} s; method {lookup.method}, "
            f"status {lookup.status}, estimate {lookup.rows_estimate:,}, scanned {lookup.rows_scanned:,}; "
            f"'{lookup.message}'"
        )
    finally:
        if not args.keep:
            admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
            admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
