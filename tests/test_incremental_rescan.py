"""Incremental rescans: unchanged containers are not read again and their findings carry over."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from piimap.cli import main
from piimap.store import open_store


def make_database(path: Path, customers: int = 40) -> str:
    database = sqlite3.connect(path)
    try:
        database.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT, plan TEXT)")
        database.executemany(
            "INSERT INTO customers (email, plan) VALUES (?, ?)",
            [(f"customer{index}@example.com", "basic") for index in range(customers)],
        )
        database.execute("CREATE TABLE products (id INTEGER PRIMARY KEY, sku TEXT)")
        database.executemany("INSERT INTO products (sku) VALUES (?)", [(f"SKU-{i}",) for i in range(20)])
        database.commit()
    finally:
        database.close()
    return f"sqlite:///{path}"


def scan_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    code = main(["scan", *argv, "--format", "json", "--quiet"])
    output = capsys.readouterr().out
    assert code == 0, output
    return json.loads(output)


@pytest.fixture
def store(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'history.sqlite'}"


def test_unchanged_containers_are_reused_with_identical_findings(tmp_path, store, capsys) -> None:
    app = make_database(tmp_path / "app.db")
    first = scan_json(capsys, app, "--store", store)
    second = scan_json(capsys, app, "--store", store)
    assert first["containers"] == {"total": 2, "reused": 0}
    assert second["containers"] == {"total": 2, "reused": 2}
    assert second["findings"] == first["findings"]
    assert [f["field"] for f in second["findings"]] == ["email"]
    assert int(second["run_id"]) > int(first["run_id"])
    with open_store(store) as history:
        states = {(record.container, record.state) for record in history.containers(int(second["run_id"]))}
    assert states == {("main.customers", "reused"), ("main.products", "reused")}


def test_a_changed_source_is_read_again_and_others_are_not(tmp_path, store, capsys) -> None:
    app = make_database(tmp_path / "app.db")
    crm = make_database(tmp_path / "crm.db")
    scan_json(capsys, app, crm, "--store", store)
    database = sqlite3.connect(tmp_path / "crm.db")
    database.execute("ALTER TABLE products ADD COLUMN owner_email TEXT")
    database.execute("UPDATE products SET owner_email = 'buyer' || id || '@example.org'")
    database.commit()
    database.close()
    report = scan_json(capsys, app, crm, "--store", store)
    assert report["containers"] == {"total": 4, "reused": 2}
    fields = {(f["source"], f["container"], f["field"]) for f in report["findings"]}
    assert fields == {
        ("sqlite:app", "main.customers", "email"),
        ("sqlite:crm", "main.customers", "email"),
        ("sqlite:crm", "main.products", "owner_email"),
    }


@pytest.mark.parametrize(
    ("second_scan_options", "reused"),
    [
        ((), 2),
        (("--full",), 0),  # forces every container to be read
        (("--sample-size", "5"), 0),  # other settings: stored findings do not apply
        (("--no-store",), 0),  # neither reads nor writes the history
    ],
)
def test_when_stored_findings_are_reused(tmp_path, store, capsys, second_scan_options, reused) -> None:
    app = make_database(tmp_path / "app.db")
    scan_json(capsys, app, "--store", store)
    report = scan_json(capsys, app, "--store", store, *second_scan_options)
    assert report["containers"]["reused"] == reused
    assert [f["field"] for f in report["findings"]] == ["email"]


def test_a_full_rescan_is_still_recorded_and_feeds_the_next_reuse(tmp_path, store, capsys) -> None:
    app = make_database(tmp_path / "app.db")
    scan_json(capsys, app, "--store", store)
    full = scan_json(capsys, app, "--store", store, "--full")
    after = scan_json(capsys, app, "--store", store)
    assert full["run_id"] and after["containers"]["reused"] == 2
    with open_store(store) as history:
        assert [summary.reused for summary in history.runs()] == [2, 0, 0]


def test_table_report_says_how_many_containers_were_reused(tmp_path, store, capsys) -> None:
    app = make_database(tmp_path / "app.db")
    assert main(["scan", app, "--store", store, "--quiet"]) == 0
    capsys.readouterr()
    assert main(["scan", app, "--store", store, "--quiet"]) == 0
    assert "2 of 2 containers unchanged since the last run" in capsys.readouterr().out
