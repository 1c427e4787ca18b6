"""Hostile names: file, column, field, container and source names holding HTML, rich markup, SQL,
quotes and control characters are escaped in every report (no browser needed; the browser test of
the HTML map is ``tests/test_html_browser.py::test_markup_in_names_and_values_never_runs``, and
quoting in SQL queries is ``tests/test_sql_connector.py::test_hostile_table_and_column_names_are_quoted``).
"""

from __future__ import annotations

import io
import json
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
