"""``piimap scan`` end to end on real SQL databases: the right columns are reported, and only those."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import MARIADB_ADMIN_URL, ShopData, load_shop_schema, server_unavailable

from piimap.cli import main


def scan_json(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, dict, str]:
    code = main(["scan", *arguments, "--format", "json", "--no-store", "-q"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def schema_of(url: str) -> str:
    parsed = sa.make_url(url)
    return {"sqlite": "main", "postgresql": "public"}.get(parsed.get_backend_name(), parsed.database)


def reported(report: dict) -> set[tuple[str, str, str]]:
    """(table, column, category) of every finding; tables without their schema."""
    return {
        (finding["container"].split(".", 1)[1], finding["field"], finding["category"])
        for finding in report["findings"]
    }


def expected(shop: ShopData) -> set[tuple[str, str, str]]:
    return {(table, column, category) for (table, column), category in shop.personal.items()}


def raw_personal_values(url: str) -> list[str]:
    """Every email, phone and name stored in the shop, to prove none of them is printed."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT first_name, last_name, email, phone FROM customers"))
            return [value for row in rows for value in row if value and len(value) > 3]
    finally:
        engine.dispose()


def test_scan_reports_emails_phones_and_names_and_nothing_else(
    sql_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    shop = load_shop_schema(sql_db)
    code, report, errors = scan_json(capsys, sql_db)
    assert code == 0, errors
    assert [source["status"] for source in report["sources"]] == ["ok"]
    assert reported(report) == expected(shop)
    schema = schema_of(sql_db)
    assert {finding["container"] for finding in report["findings"]} == {
        f"{schema}.customers",
        f"{schema}.employees",
    }
    for finding in report["findings"]:
        assert 0.5 <= finding["confidence"] <= 1.0
        assert 0 < finding["matched"] <= finding["sampled"]
        assert finding["examples"] and all("***" in example for example in finding["examples"])
    printed = json.dumps(report)
    assert not [value for value in raw_personal_values(sql_db) if value in printed]


@pytest.mark.parametrize(
    ("arguments", "customers_sampled"),
    [
        (["--sample-size", "10"], 10),
        (["--sample-size", "0", "--exhaustive"], 120),  # every row, phone nulls not counted
    ],
    ids=["ten-rows", "everything"],
)
def test_sample_size_bounds_what_is_read(
    sqlite_db: str, capsys: pytest.CaptureFixture[str], arguments: list[str], customers_sampled: int
) -> None:
    shop = load_shop_schema(sqlite_db)
    code, report, _ = scan_json(capsys, sqlite_db, *arguments)
    assert code == 0
    sampled = {
        finding["field"]: finding["sampled"]
        for finding in report["findings"]
        if finding["container"] == "main.customers"
    }
    assert sampled["email"] == customers_sampled
    assert sampled["first_name"] == customers_sampled
    phones_given = customers_sampled - (customers_sampled + 9) // 10  # every tenth customer has none
    assert sampled["phone"] == phones_given
    assert shop.row_counts["customers"] == 120


def test_include_and_exclude_reach_the_connector(sqlite_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    load_shop_schema(sqlite_db, customers=30, orders=10)
    code, report, _ = scan_json(capsys, sqlite_db, "--include", "main.*", "--exclude", "customers")
    assert code == 0
    assert {finding["container"] for finding in report["findings"]} == {"main.employees"}


def test_table_report_shows_masked_examples_only(sqlite_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    load_shop_schema(sqlite_db, customers=40, orders=10)
    code = main(["scan", sqlite_db, "--no-store", "-q"])
    captured = capsys.readouterr()
    assert code == 0
    assert "main.customers" in captured.out and "user.contact.email" in captured.out
    assert not [value for value in raw_personal_values(sqlite_db) if value in captured.out]


def piimap_executable() -> str:
    candidate = Path(sys.executable).with_name("piimap")
    assert candidate.exists(), f"console script not installed next to {sys.executable}"
    return str(candidate)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.mariadb
def test_console_script_scans_three_databases_and_reports_a_bad_one(
    sqlite_db: str, postgres_db: str, mariadb_db: str, tmp_path: Path
) -> None:
    """The real ``piimap`` executable: three good sources, one with a wrong password."""
    server_unavailable(MARIADB_ADMIN_URL)
    shop = load_shop_schema(sqlite_db)
    load_shop_schema(postgres_db)
    load_shop_schema(mariadb_db)
    secret = "N0t-the-real-password"
    bad = (
        sa.make_url(MARIADB_ADMIN_URL)
        .set(password=secret, database="mysql")
        .render_as_string(hide_password=False)
    )
    environment = {**os.environ, "PIIMAP_STORE": f"sqlite:///{tmp_path / 'history.sqlite'}"}
    completed = subprocess.run(
        [piimap_executable(), "scan", sqlite_db, postgres_db, mariadb_db, bad, "--format", "json", "-q"],
        capture_output=True,
        text=True,
        timeout=240,
        env=environment,
        cwd=tmp_path,
    )
    assert completed.returncode == 2, completed.stderr
    assert "Traceback" not in completed.stderr
    assert secret not in completed.stdout + completed.stderr
    error_lines = [line for line in completed.stderr.splitlines() if line.startswith("piimap: error:")]
    assert len(error_lines) == 1, completed.stderr
    assert "Access denied" in error_lines[0] and ":***@" in error_lines[0]
    report = json.loads(completed.stdout)
    statuses = [source["status"] for source in report["sources"]]
    assert statuses == ["ok", "ok", "ok", "error"]
    for source in report["sources"][:3]:
        found = reported({"findings": [f for f in report["findings"] if f["source"] == source["name"]]})
        assert found == expected(shop), source["name"]
