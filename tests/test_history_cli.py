"""``piimap history`` and ``piimap diff`` through the command line."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from piimap.cli import main


def make_database(path: Path) -> str:
    database = sqlite3.connect(path)
    database.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, city TEXT)")
    database.executemany(
        "INSERT INTO users (email, city) VALUES (?, ?)", [(f"u{i}@example.com", "Lyon") for i in range(30)]
    )
    database.commit()
    database.close()
    return f"sqlite:///{path}"


def add_phone_column(path: Path) -> None:
    database = sqlite3.connect(path)
    database.execute("ALTER TABLE users ADD COLUMN mobile TEXT")
    database.execute("UPDATE users SET mobile = '+1 212 736 ' || printf('%04d', 1000 + id)")
    database.commit()
    database.close()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def two_runs(tmp_path: Path, capsys) -> str:
    """A store with two runs of one database; the second found a new column of emails."""
    store = f"sqlite:///{tmp_path / 'history.sqlite'}"
    app = make_database(tmp_path / "app.db")
    assert run(capsys, "scan", app, "--store", store, "--quiet")[0] == 0
    database = sqlite3.connect(tmp_path / "app.db")
    database.execute("ALTER TABLE users ADD COLUMN backup_email TEXT")
    database.execute("UPDATE users SET backup_email = 'b' || id || '@example.net'")
    database.commit()
    database.close()
    assert run(capsys, "scan", app, "--store", store, "--quiet")[0] == 0
    return store


def test_history_lists_runs_newest_first(two_runs: str, capsys) -> None:
    code, out, _ = run(capsys, "history", "--store", two_runs, "--format", "json")
    assert code == 0
    listing = json.loads(out)
    assert [entry["run_id"] for entry in listing["runs"]] == [2, 1]
    # emails (and backup emails in the second run), and the users' city (an address part since issue #13)
    assert [entry["findings"] for entry in listing["runs"]] == [3, 2]
    assert all(entry["command"] == "scan" and entry["status"] == "ok" for entry in listing["runs"])
    code, out, _ = run(capsys, "history", "--store", two_runs, "--limit", "1")
    assert code == 0 and "sqlite:app" in out
    assert len([line for line in out.splitlines() if line.strip().startswith("│")]) == 1


def test_diff_defaults_to_the_last_two_runs(two_runs: str, capsys) -> None:
    code, out, _ = run(capsys, "diff", "--store", two_runs, "--format", "json")
    assert code == 0
    difference = json.loads(out)
    assert difference["old_run"]["run_id"] == 1 and difference["new_run"]["run_id"] == 2
    assert difference["fields"]["added"] == [
        {
            "source": "sqlite:app",
            "container": "main.users",
            "field": "backup_email",
            "category": "user.contact.email",
        }
    ]
    assert difference["fields"]["removed"] == []
    assert difference["categories"] == {"added": [], "removed": []}  # emails were there already
    code, out, _ = run(capsys, "diff", "--store", two_runs)
    assert code == 0 and "backup_email" in out and "1 field appeared, 0 went" in out


@pytest.mark.parametrize(
    ("references", "old", "new", "added", "removed"),
    [
        (("1", "2"), 1, 2, ["backup_email"], []),
        (("2", "1"), 2, 1, [], ["backup_email"]),
        (("latest~1",), 1, 2, ["backup_email"], []),
        (("latest", "latest"), 2, 2, [], []),
    ],
)
def test_diff_run_references(two_runs, capsys, references, old, new, added, removed) -> None:
    code, out, _ = run(capsys, "diff", *references, "--store", two_runs, "--format", "json")
    assert code == 0
    difference = json.loads(out)
    assert (difference["old_run"]["run_id"], difference["new_run"]["run_id"]) == (old, new)
    assert [key["field"] for key in difference["fields"]["added"]] == added
    assert [key["field"] for key in difference["fields"]["removed"]] == removed


def test_fail_on_new_exits_1_only_when_pii_appeared(two_runs, capsys) -> None:
    assert run(capsys, "diff", "1", "2", "--store", two_runs, "--fail-on-new")[0] == 1
    assert run(capsys, "diff", "2", "1", "--store", two_runs, "--fail-on-new")[0] == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("diff", "7", "latest"), "no run 7"),
        (("diff", "yesterday"), "'yesterday' is not a run"),
        (("diff", "1", "2", "3"), "at most two runs"),
    ],
)
def test_diff_errors_are_one_line_with_exit_2(two_runs, capsys, argv, message) -> None:
    code, _, err = run(capsys, *argv, "--store", two_runs)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_a_new_category_and_a_source_that_failed_are_reported_as_such(tmp_path, capsys) -> None:
    store = f"sqlite:///{tmp_path / 'history.sqlite'}"
    app = make_database(tmp_path / "app.db")
    crm = make_database(tmp_path / "crm.db")
    run(capsys, "scan", app, crm, "--store", store, "--quiet")
    add_phone_column(tmp_path / "app.db")
    (tmp_path / "crm.db").write_bytes(b"this is not a database any more")
    code, _, _ = run(capsys, "scan", app, crm, "--store", store, "--quiet")
    assert code == 2  # crm failed to read
    code, out, _ = run(capsys, "diff", "--store", store, "--format", "json")
    difference = json.loads(out)
    assert code == 0
    added = {(key["source"], key["field"], key["category"]) for key in difference["fields"]["added"]}
    assert ("sqlite:app", "mobile", "user.contact.phone_number") in added
    assert {"source": "sqlite:app", "category": "user.contact.phone_number"} in difference["categories"][
        "added"
    ]
    # crm's emails did not "disappear": crm could not be read, so it was not compared
    assert difference["fields"]["removed"] == []
    assert difference["not_compared"] == ["source sqlite:crm: could not be read in run 2"]


def test_history_of_an_empty_or_missing_store(tmp_path, capsys) -> None:
    missing = f"sqlite:///{tmp_path / 'none.sqlite'}"
    code, _, err = run(capsys, "history", "--store", missing)
    assert code == 2 and "no history store" in err
    assert not (tmp_path / "none.sqlite").exists()
    code, _, err = run(capsys, "diff", "--store", missing)
    assert code == 2


def test_store_password_is_never_printed(capsys) -> None:
    code, _, err = run(
        capsys,
        "history",
        "--store",
        "postgresql+psycopg://scanner:hunter2@127.0.0.1:1/history?connect_timeout=2",
    )
    assert code == 2
    assert "hunter2" not in err and "scanner:***@" in err
