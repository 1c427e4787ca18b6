"""Hostile names: file, column, field, container and source names holding HTML, rich markup, SQL,
quotes and control characters are escaped in every report (no browser needed; the browser test of
the HTML map is ``tests/test_html_browser.py::test_markup_in_names_and_values_never_runs``, and
quoting in SQL queries is ``tests/test_sql_connector.py::test_hostile_table_and_column_names_are_quoted``).
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from piimap.cli import main
from piimap.model import Finding, ScanResult, SourceError, SourceStatus, Violation
from piimap.reports import render_report

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'
MARKUP = "[bold red]styled[/bold red][link=https://evil.example]click[/link]"
SQL = "x'; DROP TABLE victims; --"
CONTROL = "bell\x07esc\x1b[31mred\x1b[0m\x1b]8;;https://evil.example\x07link"
HOSTILE = (SCRIPT, IMG, MARKUP, SQL, CONTROL)


def _result() -> ScanResult:
    findings = tuple(
        Finding(
            source=f"src {name}",
            container=f"table {name}",
            field=f"field {name}",
            category="user.contact.email",
            confidence=0.9,
            matched=3,
            sampled=3,
            classifier="email",
            examples=(f"j***@e***.com {name}",),
        )
        for name in HOSTILE
    )
    return ScanResult(
        started="2024-01-01T00:00:00+00:00",
        finished="2024-01-01T00:00:01+00:00",
        sources=tuple(SourceStatus(f"src {name}", f"sqlite:///{name}.db", "ok") for name in HOSTILE),
        findings=findings,
        errors=tuple(SourceError(f"src {name}", f"cannot read {name}", f"table {name}") for name in HOSTILE),
        violations=tuple(
            Violation(
                rule="undeclared-category",
                message=f"{name} is not declared",
                source=f"src {name}",
                container=f"table {name}",
                field=f"field {name}",
                category="user.contact.email",
            )
            for name in HOSTILE
        ),
    )


def _no_raw_markup(page: str) -> None:
    """No payload appears as markup: a ``<`` of user data is always ``&lt;`` or ``\\u003c``
    (the page's own scripts never say ``alert(``)."""
    for payload in ("<script>alert(", "<img src=x", "</script>'", '</script>"'):
        assert payload not in page, payload


def test_html_report_escapes_every_hostile_name() -> None:
    page = render_report("html", _result())
    _no_raw_markup(page)
    assert "Content-Security-Policy" in page
    assert "\x1b" not in page and "\x07" not in page


@pytest.mark.parametrize("report_format", ["json", "sarif"])
def test_json_reports_round_trip_hostile_names_exactly(report_format: str) -> None:
    text = render_report(report_format, _result())
    data = json.loads(text)
    serialized = json.dumps(data, ensure_ascii=False)
    for name in HOSTILE:
        assert json.dumps(f"table {name}", ensure_ascii=False)[1:-1] in serialized
    assert "\x1b" not in text and "\x07" not in text  # control characters are \u escapes in JSON


def test_fides_manifest_is_valid_yaml_with_the_names_intact() -> None:
    text = render_report("fides", _result())
    assert "\x1b" not in text and "\x07" not in text
    manifest = yaml.safe_load(io.StringIO(text))
    assert manifest["dataset"]


def test_table_report_prints_markup_literally_and_no_terminal_escapes() -> None:
    text = render_report("table", _result())
    for token in ("[bold", "[/bold", "[link="):  # shown, not interpreted (cells may wrap)
        assert token in text, token
    assert "\x1b" not in text and "\x07" not in text  # no colour or hyperlink can be injected
    assert "\\x1b[31m" in text  # the escape is shown instead


def test_a_real_scan_of_hostile_file_and_column_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    name = "<img src=x onerror=alert(3)>'; DROP TABLE t;--.csv"
    header = '"<script>alert(4)</script>",email [red]x[/red]'
    (data / name).write_text(header + "\n" + "".join(f"v{i},user{i}@example.com\n" for i in range(20)))
    out = tmp_path / "out"
    for report_format in ("json", "html", "sarif"):
        code = main(
            [
                "scan",
                str(data),
                "-q",
                "--no-store",
                "--format",
                report_format,
                "--output",
                str(out / f"report.{report_format}"),
            ]
        )
        assert code == 0
    assert main(["scan", str(data), "-q", "--no-store"]) == 0
    table = capsys.readouterr().out
    report = json.loads((out / "report.json").read_text())
    assert any(finding["field"] == "email [red]x[/red]" for finding in report["findings"])
    assert "[red]" in table and "[/red]" in table
    _no_raw_markup((out / "report.html").read_text())
    sarif = json.loads((out / "report.sarif").read_text())
    assert sarif["runs"]


def test_error_lines_and_log_lines_show_control_characters_instead_of_sending_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import logging

    from piimap.cli import _RedactingFormatter
    from piimap.commands.common import print_errors

    print_errors(_result())
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\x1b[31m" in err
    record = logging.LogRecord("piimap.x", logging.WARNING, __file__, 1, "skipped %s", (CONTROL,), None)
    line = _RedactingFormatter("%(message)s").format(record)
    assert "\x1b" not in line and "\x07" not in line


# -- every terminal writer, through the installed console script --------------------------------

PIIMAP = str(Path(sys.executable).with_name("piimap"))
#: Raw bytes a terminal acts on: ESC (colours, cursor moves, OSC 8 hyperlinks), the C1 CSI, BEL,
#: CR (overwrites the line), backspace; a newline is checked line by line where it matters.
TERMINAL_CONTROLS = ("\x1b", "\x9b", "\x07", "\r", "\x08")
HYPERLINK = "\x1b]8;;https://evil.example\x07click\x1b]8;;\x07"


def _piimap(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    # Wide enough that no table shortens a hostile name: the checks look for it whole.
    environment = {**os.environ, "COLUMNS": "400"}
    return subprocess.run(
        [PIIMAP, *args], capture_output=True, text=True, timeout=180, cwd=cwd, env=environment
    )


def _raw_controls(text: str) -> list[str]:
    return [repr(control) for control in TERMINAL_CONTROLS if control in text]


def _sqlite_with_tables(path: Path, tables: list[str]) -> None:
    with sqlite3.connect(path) as connection:
        for table in tables:
            quoted = '"' + table.replace('"', '""') + '"'
            connection.execute(f'CREATE TABLE {quoted} (id integer, "mail{HYPERLINK}" text)')
            connection.executemany(
                f"INSERT INTO {quoted} VALUES (?, ?)", [(i, f"user{i}@example.com") for i in range(20)]
            )
    # sqlite3's context manager commits; the file is closed when the connection is collected


@pytest.mark.slow
def test_explain_history_and_diff_show_control_characters_instead_of_sending_them(tmp_path: Path) -> None:
    database = tmp_path / "app.db"
    _sqlite_with_tables(database, ["plain"])
    store = f"sqlite:///{tmp_path / 'history.sqlite'}"
    source_name = f"crm{HYPERLINK}\r\x1b[2Kforged"
    config = tmp_path / "piimap.yaml"
    config.write_text(
        "sources:\n"
        f"  {json.dumps(source_name)}: sqlite:///{database}\n"  # JSON strings are YAML strings
        f"store: {store}\n",
        encoding="utf-8",
    )
    first = _piimap("scan", "--config", str(config), "-q")
    _sqlite_with_tables(database, [f"evil{HYPERLINK}\x07\r\x1b[31mred", "more"])
    second = _piimap("scan", "--config", str(config), "-q")
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    outputs = {
        "explain": _piimap("explain", "--config", str(config), "-q"),
        "history": _piimap("history", "--store", store),
        "diff": _piimap("diff", "--store", store),
        "scan": second,
    }
    for verb, run in outputs.items():
        assert run.returncode == 0, (verb, run.stderr)
        assert _raw_controls(run.stdout + run.stderr) == [], verb
    assert "\\x1b]8;;https://evil.example\\x07click" in outputs["explain"].stdout
    assert "\\x1b" in outputs["history"].stdout  # the source name, shown escaped
    assert "evil\\x1b]8;;" in outputs["diff"].stdout and "more" in outputs["diff"].stdout


def test_a_newline_in_a_file_name_cannot_forge_error_or_warning_lines(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    forged = "piimap: error: forged"
    (data / f"broken\n{forged} 1\n.jsonl.gz").write_bytes(b"\x1f\x8b\x08\x00corrupt gzip stream")
    (data / f"binary\n{forged} 2.dat").write_bytes(bytes(range(256)) * 8)  # a "skipped binary file" warning
    (data / f"people\r{forged} 3.csv").write_text(
        "email\n" + "".join(f"user{i}@example.com\n" for i in range(10)), encoding="utf-8"
    )
    for args in (("scan", str(data), "--no-store", "-q"), ("explain", str(data), "-q")):
        run = _piimap(*args)
        assert run.returncode == 2, run.stderr  # the corrupt gzip is an error
        lines = run.stderr.splitlines()
        assert [line for line in lines if line.startswith("piimap: error:")] != []
        assert not [line for line in lines if line.startswith(forged) or not line.startswith("piimap: ")], (
            lines
        )
        assert len([line for line in lines if "broken" in line]) == 1  # one error, one line
        assert _raw_controls(run.stdout + run.stderr) == []
        if args[0] == "scan":
            assert len([line for line in lines if "binary" in line]) == 1 and "WARNING" in run.stderr
