"""Usage errors, wording and JSON types a new user meets first (issue #16, "The terminal")."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from piimap.cli import main
from piimap.wording import counted, plural


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["scan", "--formt", "json", "x.db"], "unrecognized argument --formt; did you mean --format?"),
        (["scan", "--sample-size", "-1", "x.db"], "argument --sample-size: must be 0 or more, not -1"),
        (["history", "--limit", "x"], "argument --limit: must be a whole number, not 'x'"),
        (["locate", "--follow-depth", "-2"], "argument --follow-depth: must be 0 or more, not -2"),
        (["schedule", "--max-runs", "0"], "argument --max-runs: must be 1 or more, not 0"),
        (["scna"], "invalid choice: 'scna'"),
    ],
)
def test_a_usage_error_is_one_line_with_the_verbs_usage_and_no_internal_names(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("piimap: error: ")
    assert expected in captured.err
    assert "_int" not in captured.err and "Traceback" not in captured.err
    verb = argv[0] if argv[0] != "scna" else None
    usage = f"usage: piimap {verb} [options]" if verb else "usage: piimap [options] COMMAND"
    assert usage in captured.err


def test_scan_usage_names_its_sources(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["scan", "--formt", "json"])
    assert "usage: piimap scan [options] [SOURCE ...]; 'piimap scan --help' lists the options" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [
        (1, "failing violation", "1 failing violation"),
        (2, "failing violation", "2 failing violations"),
        (0, "field", "0 fields"),
        (1, "field", "1 field"),
        (3, "category", "3 categories"),
        (1, "category", "1 category"),
        (2, "policy", "2 policies"),
        (2, "match", "2 matches"),
        (2, "day", "2 days"),
    ],
)
def test_counted_nouns(count: int, noun: str, expected: str) -> None:
    assert counted(count, noun) == expected
    assert plural(noun, 1) == noun


def _database(path: Path, rows: int = 30) -> str:
    database = sqlite3.connect(path)
    database.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")
    database.executemany(
        "INSERT INTO users (email) VALUES (?)", [(f"u{i}@example.com",) for i in range(rows)]
    )
    database.commit()
    database.close()
    return f"sqlite:///{path}"


def test_json_run_id_is_an_integer_in_scan_history_and_diff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = f"sqlite:///{tmp_path / 'history.sqlite'}"
    app = _database(tmp_path / "app.db")
    code, out, _ = _run(capsys, "scan", app, "--store", store, "--format", "json", "--quiet")
    assert code == 0 and json.loads(out)["run_id"] == 1
    code, out, _ = _run(capsys, "scan", app, "--store", store, "--format", "json", "--quiet", "--full")
    assert json.loads(out)["run_id"] == 2
    code, out, _ = _run(capsys, "history", "--store", store, "--format", "json")
    assert [run["run_id"] for run in json.loads(out)["runs"]] == [2, 1]
    code, out, _ = _run(capsys, "diff", "--store", store, "--format", "json")
    difference = json.loads(out)
    assert (difference["old_run"]["run_id"], difference["new_run"]["run_id"]) == (1, 2)
    code, out, _ = _run(capsys, "diff", "--store", store)
    assert "0 fields appeared" in out or "No PII fields" in out


def test_history_fits_80_columns_and_keeps_numbers_and_times_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = f"sqlite:///{tmp_path / 'history.sqlite'}"
    app = _database(tmp_path / "app.db")
    assert _run(capsys, "scan", app, "--store", store, "--quiet")[0] == 0
    for columns, wide in (("80", False), ("140", True)):
        monkeypatch.setenv("COLUMNS", columns)
        code, out, _ = _run(capsys, "history", "--store", store)
        assert code == 0 and max(len(line) for line in out.splitlines()) <= int(columns)
        row = next(line for line in out.splitlines() if line.startswith("│"))
        assert re.search(r"│\s+1 │ \d{4}-\d\d-\d\d \d\d:\d\d │ scan\s+│ ok", row)
        assert ("containers" in out) is wide


def test_policy_without_a_verb_is_one_usage_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "policy")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "choose a verb: extract (usage: piimap policy [options] VERB" in err
