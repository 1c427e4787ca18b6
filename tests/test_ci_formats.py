"""CI gates and formats (issue #16): ``--exit-zero``, ``--fail-on error|warning``, GitHub
annotations (``--format github``) and JUnit XML (``--format junit``), on a real SQLite company."""

from __future__ import annotations

import re
from pathlib import Path

import junitparser
import pytest
from test_check_cli import DATAMAP, build_company

from piimap.cli import main
from piimap.model import ScanResult, SourceError, SourceStatus, Violation
from piimap.reports import render_report
from piimap.reports.github import annotation, escape_data, escape_property

# main.accounts also declares user.name, which the data does not hold: a PIIMAP005 warning.
WARNING_DATAMAP = DATAMAP.replace(
    "          phone: [user.contact.phone_number]",
    "          phone: [user.contact.phone_number]\n          organisation: [user.name]",
)
_ANNOTATION = re.compile(r"^::(error|warning|notice)( [a-zA-Z]+=[^,:]*(,[a-zA-Z]+=[^,:]*)*)?::(.*)$")


def _check(capsys: pytest.CaptureFixture[str], root: Path, *extra: str) -> tuple[int, str, str]:
    code = main(["check", "--config", str(root / "piimap.yaml"), "--quiet", "--no-store", *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _failing_company(root: Path) -> None:
    company = build_company(root)
    company.add_table("newsletter", "subscriber", [f"reader{index}@example.net" for index in range(30)])


def test_exit_zero_reports_but_passes_and_errors_still_exit_2(tmp_path: Path, capsys) -> None:
    _failing_company(tmp_path)
    code, _, err = _check(capsys, tmp_path)
    assert code == 1 and "check failed: 1 violation [PIIMAP002 x1]" in err
    code, out, err = _check(capsys, tmp_path, "--exit-zero")
    assert code == 0 and "newsletter" in out and "(--exit-zero: exit 0)" in err
    config = tmp_path / "piimap.yaml"
    config.write_text(config.read_text().replace("sources:\n", "sources:\n  gone: /nonexistent/logs/\n"))
    code, _, _ = _check(capsys, tmp_path, "--exit-zero")
    assert code == 2  # a source that cannot be read is not a finding to waive


def test_fail_on_warning_fails_on_a_warning_that_error_lets_pass(tmp_path: Path, capsys) -> None:
    build_company(tmp_path, datamap=WARNING_DATAMAP)
    code, _, err = _check(capsys, tmp_path)
    assert code == 0 and "check passed" in err and "1 warning" in err
    code, _, err = _check(capsys, tmp_path, "--fail-on", "warning")
    assert code == 1 and "check failed: 1 violation [PIIMAP005 x1]" in err
    code, _, _ = _check(capsys, tmp_path, "--fail-on", "warning", "--exit-zero")
    assert code == 0
    with pytest.raises(SystemExit):
        main(["check", "--fail-on", "notice"])
    assert "invalid choice: 'notice'" in capsys.readouterr().err


def test_github_annotations_point_at_the_data_map_line(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    _failing_company(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out, _ = _check(capsys, tmp_path, "--format", "github")
    assert code == 1
    lines = out.splitlines()
    errors = [line for line in lines if line.startswith("::error")]
    assert len(errors) == 1 and all(_ANNOTATION.match(line) for line in errors)
    line_number = DATAMAP.lstrip().splitlines().index("  app_db:") + 1
    assert errors[0].startswith(
        f"::error file=datamap.yaml,line={line_number},title=PIIMAP002 undeclared-category::"
    )
    assert "newsletter" in errors[0] and "user.contact.email" in errors[0]
    assert lines[-1].startswith("piimap: ") and "1 failing" in lines[-1]


def test_github_scan_findings_are_notices_at_the_data_file(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "fixtures"
    data.mkdir()
    (data / "users.csv").write_text("id,email\n" + "".join(f"{i},user{i}@example.org\n" for i in range(30)))
    monkeypatch.chdir(tmp_path)
    assert main(["scan", "fixtures/", "--format", "github", "--quiet", "--no-store"]) == 0
    out = capsys.readouterr().out
    notices = [line for line in out.splitlines() if line.startswith("::notice")]
    assert len(notices) == 1
    assert notices[0].startswith(
        "::notice file=fixtures/users.csv,title=PIIMAP000 pii-found%3A user.contact.email::"
    )


@pytest.mark.parametrize(
    ("text", "data", "property_value"),
    [
        ("100% sure", "100%25 sure", "100%25 sure"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("key: a, b", "key: a, b", "key%3A a%2C b"),
        ("%0A", "%250A", "%250A"),
    ],
)
def test_escaping_follows_githubs_toolkit(text: str, data: str, property_value: str) -> None:
    assert escape_data(text) == data
    assert escape_property(text) == property_value


def test_a_hostile_name_cannot_forge_or_end_an_annotation() -> None:
    hostile = "x\n::error file=evil.py::forged\r::warning::also,\x1b[31mred%"
    line = annotation("error", f"found in {hostile}", file=f"logs/{hostile}", title="PIIMAP002 t")
    assert "\n" not in line and "\r" not in line and "\x1b" not in line
    assert line.count("::") >= 2 and _ANNOTATION.match(line)
    properties = line.split("::")[1]
    assert properties.count(",") == 1  # file and title only: a comma in a value is escaped


def _result_with_everything() -> ScanResult:
    hostile = 'odd<&>"]]>\x01\ud800name'
    violations = (
        Violation(
            "PIIMAP002",
            f"user.contact.email found in app: {hostile}: email",
            "error",
            "app",
            hostile,
            "email",
            "user.contact.email",
        ),
        Violation("PIIMAP005", "declared but not found", "warning", "app", "main.t", None, "user.name"),
        Violation(
            "PIIMAP002",
            "accepted",
            "error",
            "app",
            "main.legacy",
            "mail",
            "user.contact.email",
            suppressed="PRIV-1",
        ),
    )
    return ScanResult(
        started="2026-01-01T00:00:00+00:00",
        finished="2026-01-01T00:00:03+00:00",
        sources=(
            SourceStatus("app", "sqlite:///app.db", "ok", containers=3),
            SourceStatus("crm", "postgresql://u:***@db/crm", "error", "connection refused"),
        ),
        findings=(),
        errors=(SourceError("crm", "connection refused"),),
        violations=violations,
    )


def test_junit_is_valid_xml_with_a_testcase_per_rule_finding_and_source(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    path.write_text(render_report("junit", _result_with_everything()), encoding="utf-8")
    xml = junitparser.JUnitXml.fromfile(str(path))
    suites = {suite.name: suite for suite in xml}
    assert suites["PIIMAP002 undeclared-category"].tests == 2
    assert suites["PIIMAP002 undeclared-category"].failures == 1
    assert suites["PIIMAP002 undeclared-category"].skipped == 1
    assert suites["PIIMAP005 declared-not-found"].failures == 1
    assert suites["sources"].errors == 1 and suites["sources"].tests == 2
    assert "PIIMAP000 pii-found" in suites
    cases = [case for case in suites["PIIMAP002 undeclared-category"]]
    failing = [case for case in cases if case.result and isinstance(case.result[0], junitparser.Failure)]
    assert 'odd<&>"]]>\\x01' in failing[0].name and failing[0].result[0].type == "error"
    assert xml.tests == sum(suite.tests for suite in xml)


def test_junit_of_a_real_check_has_a_passing_case_per_finding(tmp_path: Path, capsys) -> None:
    _failing_company(tmp_path)
    output = tmp_path / "junit.xml"
    code, _, _ = _check(capsys, tmp_path, "--format", "junit", "--output", str(output))
    assert code == 1
    xml = junitparser.JUnitXml.fromfile(str(output))
    suites = {suite.name: suite for suite in xml}
    findings = suites["PIIMAP000 pii-found"]
    assert findings.tests >= 6 and findings.failures == 0
    assert suites["PIIMAP002 undeclared-category"].failures == 1
    assert {
        "PIIMAP001 undeclared-system",
        "PIIMAP003 uncollected-category",
        "PIIMAP004 undisclosed-flow",
    } <= set(suites)
    assert all(suite.failures == 0 for name, suite in suites.items() if not name.startswith("PIIMAP002"))
