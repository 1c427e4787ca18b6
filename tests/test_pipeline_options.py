"""The core without the command line: RunOptions in, values out, nothing printed."""

from __future__ import annotations

import sqlite3
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from piimap.pipeline import RunOptions, config_for_sources, record_run, run_scan, store_url


def make_shop(path: Path) -> str:
    with sqlite3.connect(path) as database:
        database.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT)")
        database.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL)")
        database.executemany(
            "INSERT INTO customers (email) VALUES (?)", [(f"c{i}@example.com",) for i in range(20)]
        )
    database.close()
    return f"sqlite:///{path}"


def test_run_options_are_frozen_with_the_cli_defaults() -> None:
    options = RunOptions()
    assert (options.store, options.no_store, options.full, options.executor, options.quiet) == (
        None,
        False,
        False,
        None,
        False,
    )
    with pytest.raises(FrozenInstanceError):
        options.full = True  # type: ignore[misc]


def test_the_inventory_travels_as_a_value_from_one_run_to_the_next(tmp_path: Path, capsys) -> None:
    config = config_for_sources([make_shop(tmp_path / "shop.db")])
    options = RunOptions(store=f"sqlite:///{tmp_path / 'history.sqlite'}", quiet=True, command="nightly")

    first = record_run(config, options, run_scan(config, options))
    assert first.result.run_id == 1 and not first.warnings
    assert {(record.container, record.state) for record in first.inventory} == {
        ("main.customers", "scanned"),
        ("main.orders", "scanned"),
    }

    second = run_scan(config, options)  # unchanged tables: their stored findings carry over
    assert {record.state for record in second.inventory} == {"reused"}
    assert [finding.key for finding in second.result.findings] == [
        finding.key for finding in first.result.findings
    ]
    assert record_run(config, options, second).result.run_id == 2

    full = run_scan(config, RunOptions(store=options.store, full=True, quiet=True))
    assert {record.state for record in full.inventory} == {"scanned"}
    assert capsys.readouterr() == ("", "")


def test_an_unwritable_default_store_comes_back_as_warnings_not_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.delenv("PIIMAP_STORE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker / "data"))
    config = config_for_sources([make_shop(tmp_path / "shop.db")])
    options = RunOptions(quiet=True)
    assert store_url(config, options).startswith(f"sqlite:///{blocker}")

    run = record_run(config, options, run_scan(config, options))

    assert run.result.run_id is None and not run.result.errors and run.result.findings
    assert [warning.split(":", 1)[0] for warning in run.warnings] == [
        "history store unavailable, reading every container",
        "run not recorded in the default history store",
    ]
    assert capsys.readouterr() == ("", "")


def test_a_store_that_was_asked_for_and_fails_is_an_error_of_the_result(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    config = config_for_sources([make_shop(tmp_path / "shop.db")])
    options = RunOptions(store=f"sqlite:///{blocker}/history.sqlite", quiet=True)

    run = record_run(config, options, run_scan(config, options))

    assert [error.source for error in run.result.errors] == ["history store"]
    assert run.result.findings
