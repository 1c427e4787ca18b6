"""The terminal table of findings and violations: complete, aligned, escaped, at any size (issue #12, item 11).

The table is laid out in one pass (rich's own table took ~1.5 ms a row: 100,000 findings took
minutes). Its speed is measured against the JSON report by ``bench/bench_table_report.py``; here
the output is checked: every finding on its own row, every cell in its column, nothing cut.
"""

from __future__ import annotations

import io

import pytest

from piimap.model import Finding, ScanResult, SourceStatus, Violation
from piimap.reports import render_report
from piimap.reports.table import TableReport


def _finding(index: int, **changes: object) -> Finding:
    values: dict[str, object] = {
        "source": "app",
        "container": f"public.table_{index // 7}",
        "field": f"column_{index}",
        "category": "user.contact.email",
        "confidence": 0.5 + (index % 50) / 100,
        "matched": index % 100,
        "sampled": 100,
        "classifier": "email",
        "examples": (f"u***{index}@e***.com",),
    }
    values.update(changes)
    return Finding(**values)  # type: ignore[arg-type]


def _result(findings: tuple[Finding, ...], violations: tuple[Violation, ...] | None = None) -> ScanResult:
    return ScanResult(
        started="2026-01-01T00:00:00+00:00",
        finished="2026-01-01T00:01:00+00:00",
        sources=(SourceStatus(name="app", url="sqlite:///app.db", status="ok"),),
        findings=findings,
        violations=violations,
    )


def _rows(text: str) -> list[list[str]]:
    """The cells of each body row of the first table."""
    return [
        [cell.strip() for cell in line.strip("│").split("│")]
        for line in text.splitlines()
        if line.startswith("│")
    ]


def test_every_one_of_20000_findings_is_a_row_with_its_cells_in_order() -> None:
    findings = tuple(_finding(index) for index in range(20_000))
    text = render_report("table", _result(findings))
    rows = _rows(text)
    assert len(rows) == 20_000
    for index in (0, 1, 9_999, 19_999):
        finding = findings[index]
        assert rows[index] == [
            "app",
            finding.container,
            finding.field,
            "user.contact.email",
            f"{finding.confidence:.2f}",
            f"{finding.matched}/100",
            finding.examples[0],
        ]
    assert text.rstrip().endswith("20000 findings (sources read: 1/1)")
    widths = {len(line) for line in text.splitlines() if line[:1] in "┏┃┡│└"}
    assert len(widths) == 1  # every line of the table has the same width


def test_long_cells_fit_their_column_paths_keep_their_end_and_categories_stay_whole() -> None:
    long_path = "exports/" + "very-long-folder-name/" * 12 + "customers.csv"
    finding = _finding(0, container=long_path, field="notes and more notes " * 5, examples=("日本語" * 30,))
    text = render_report("table", _result((finding,)))
    lines = [line for line in text.splitlines() if line.startswith("│")]
    assert len(lines) > 1 and all(len(line) <= 140 for line in text.splitlines())
    columns = list(zip(*_rows(text)))
    shown = "".join(columns[1])
    assert shown.startswith("…/") and long_path.endswith(shown[1:]) and shown.endswith("/customers.csv")
    assert " ".join(part for part in columns[2] if part) == ("notes and more notes " * 5).strip()
    assert "".join(columns[6]) == "日本語" * 30  # examples folded, every character kept
    assert columns[3][0] == "user.contact.email"


def _demo_like_result() -> ScanResult:
    findings = (
        _finding(
            0, source="app_db", container="main.trial_requests", field="contact_name", category="user.name"
        ),
        _finding(
            1,
            source="click_events",
            container="/srv/demo/events/clicks-*.jsonl",
            field="visitor.advertising_id",
            category="user.device.device_id",
            matched=194,
            sampled=194,
        ),
        _finding(
            2,
            source="web_logs",
            container="/srv/demo/logs/access.log",
            field="query.phone",
            category="user.contact.phone_number",
            examples=("+** ********77", "+** ********66", "+** ********08"),
        ),
    )
    violation = Violation(
        rule="PIIMAP002",
        message="user.contact.phone_number found in web_logs: /srv/demo/logs/access.log: query.phone, "
        "but system 'web_logs' does not declare it",
        source="web_logs",
        container="/srv/demo/logs/access.log",
        field="query.phone",
        category="user.contact.phone_number",
    )
    return ScanResult(
        started="2026-01-01T00:00:00+00:00",
        finished="2026-01-01T00:01:00+00:00",
        sources=(
            SourceStatus(name="app_db", url="sqlite:////srv/demo/app.db", status="ok"),
            SourceStatus(name="click_events", url="/srv/demo/events/", status="ok"),
            SourceStatus(name="web_logs", url="/srv/demo/logs/*.log", status="ok"),
        ),
        findings=findings,
        violations=(violation,),
    )


@pytest.mark.parametrize("columns", [60, 80, 100, 120, 140, 200])
def test_the_table_fits_columns_and_never_breaks_a_category_or_a_number(
    columns: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    text = render_report("table", _demo_like_result())
    assert max(len(line) for line in text.splitlines()) <= columns
    for key in ("user.name", "user.device.device_id", "user.contact.phone_number", "194/194", "PIIMAP002"):
        assert key in text  # whole, on one line
    assert "/srv/demo" not in text and "//" not in text  # file containers relative to their source
    if columns >= 80:
        assert "access.log" in text and "clicks-*.jsonl" in text
    assert "contact_nam\n" not in text and "advertising_i\n" not in text


def test_at_80_columns_the_where_column_joins_source_container_and_field(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    text = render_report("table", _demo_like_result())
    assert "│ web_logs: access.log:" in text and "│ query.phone " in text
    assert "masked examples left out to fit 80 columns" in text
    assert "1 finding" not in text and "3 findings (sources read: 3/3)" in text


def test_examples_wrap_between_items_not_inside_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    text = render_report("table", _demo_like_result())
    examples = [row[-1] for row in _rows(text.split("Violations", 1)[0]) if len(row) == 7]
    shown = [item for cell in examples for item in cell.split(", ") if item]
    assert all(
        item.rstrip(",") in {"+** ********77", "+** ********66", "+** ********08"}
        or "@" in item
        or "u***" in item
        for item in shown
    )


def test_without_columns_a_file_gets_140_and_one_finding_is_singular(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    text = render_report("table", _result((_finding(0),)))
    assert text.rstrip().endswith("1 finding (sources read: 1/1)")
    assert max(len(line) for line in text.splitlines()) <= 140


def test_names_with_newlines_tabs_markup_and_escapes_stay_in_their_cell_and_row() -> None:
    finding = _finding(0, container="evil\nname\tx", field="[bold]f[/bold]", examples=("a\x1b[31mb",))
    text = render_report("table", _result((finding,)))
    rows = _rows(text)
    assert rows[0][1] == "evil\\x0aname\\x09x"  # one line: a newline cannot forge a row
    assert len(rows) == 1
    assert rows[0][2] == "[bold]f[/bold]"
    assert rows[0][6] == "a\\x1b[31mb" and "\x1b" not in text


def test_violations_are_a_second_table_with_every_row() -> None:
    violations = tuple(
        Violation(
            rule="undeclared-category",
            message=f"user.contact.email in column_{index} is not declared",
            source="app",
            container="public.users",
            field=f"column_{index}",
            category="user.contact.email",
        )
        for index in range(3000)
    )
    text = render_report("table", _result((_finding(0),), violations))
    assert "Violations" in text
    body = [line for line in text.split("Violations", 1)[1].splitlines() if line.startswith("│")]
    assert len(body) == 3000
    assert "app: public.users: column_2999" in body[-1] and "is not declared" in body[-1]


def test_a_terminal_gets_a_bold_header_and_its_own_width() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    TableReport().write(_result((_finding(0),)), stream)
    assert "\x1b[1m┃ source" in stream.getvalue()
