"""The ``piimap locate`` command: request files, reports (table, JSON, HTML), recipients from the data
map, exit codes, the HMAC key, and that no identifier reaches a report, the terminal or the store."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from locate_helpers import HMAC_KEY, JANE_DEVICE, JANE_EMAIL, load_planted_shop, run_locate, write_config

from piimap.cli import main

DATAMAP = """
systems:
  shop:
    categories: [user]
vendors:
  mailer: {name: Mailer Co, role: service_provider, purpose: Newsletters.}
  backups: {name: "Backups <b>Ltd</b>", role: service_provider}
  ads: {name: AdNet, role: advertising}
flows:
  - {from: shop, to: mailer, categories: [user.contact.email], containers: ["main.newsletter"]}
  - {from: shop, to: backups, categories: all}
  - {from: shop, to: ads, categories: [user.device.ip_address]}
"""


@pytest.fixture
def shop(sqlite_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PIIMAP_HMAC_KEY", HMAC_KEY)
    load_planted_shop(sqlite_db)
    return write_config(tmp_path, {"shop": sqlite_db}, datamap=DATAMAP)


def test_recipients_come_from_the_data_map(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = run_locate(capsys, "--config", str(shop), "--email", JANE_EMAIL)
    assert code == 0
    recipients = {recipient["vendor"]: recipient for recipient in report["recipients"]}
    assert set(recipients) == {"mailer", "backups"}  # AdNet gets IPs only, none matched
    assert recipients["mailer"]["containers"] == ["shop: main.newsletter"]
    assert recipients["mailer"]["categories"] == ["user.contact.email"]
    # "all" carries every row, invoice lines included
    assert "shop: main.invoice_lines" in recipients["backups"]["containers"]


def test_a_request_file_and_several_identifiers(
    shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request = tmp_path / "request.json"
    request.write_text(
        json.dumps({"subject": {"email": [JANE_EMAIL, "jane@old.example"], "device_id": JANE_DEVICE}})
    )
    code, report = run_locate(capsys, "--config", str(shop), "--from-file", str(request))
    assert code == 0
    assert isinstance(report["subject"]["email"], list) and len(report["subject"]["email"]) == 2
    assert report["subject"]["device-id"].startswith("hmac-sha256:")
    request.write_text(json.dumps({"passport": "X123"}))
    code, report = run_locate(capsys, "--config", str(shop), "--from-file", str(request))
    assert code == 2 and "unknown identifier kind 'passport'" in report["stderr"]


def test_usage_errors_exit_2_on_one_line(
    shop: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["locate", "--config", str(shop)]) == 2
    assert "give at least one identifier" in capsys.readouterr().err
    assert main(["locate", "--config", str(shop), "--phone", "555"]) == 2
    error = capsys.readouterr().err
    assert "--phone: not a" in error and "555" not in error.replace("--phone", "")
    monkeypatch.delenv("PIIMAP_HMAC_KEY")
    assert main(["locate", "--config", str(shop), "--email", JANE_EMAIL]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "PIIMAP_HMAC_KEY" in error and "Traceback" not in error


def test_no_identifier_in_any_output_or_in_the_store(
    shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secrets = ("jane.doe", JANE_DEVICE, "Jane Doe", "+14155550134", "415-555-0134")
    for report_format in ("table", "json", "html"):
        output = tmp_path / f"report.{report_format}"
        arguments = ["locate", "--config", str(shop), "--email", JANE_EMAIL, "--device-id", JANE_DEVICE]
        arguments += [
            "--name",
            "Jane Doe",
            "--phone",
            "+1 415 555 0134",
            "--format",
            report_format,
            "-o",
            str(output),
        ]
        assert main(arguments) == 0
        captured = capsys.readouterr()
        text = output.read_text(encoding="utf-8") + captured.out + captured.err
        for secret in secrets:
            assert secret.lower() not in text.lower(), (report_format, secret)
    store = sqlite3.connect(tmp_path / "history.sqlite")
    dump = "\n".join(store.iterdump())
    store.close()
    for secret in secrets:
        assert secret.lower() not in dump.lower()


def test_hmac_evidence_and_no_evidence(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from piimap.evidence import hmac_example

    code, report = run_locate(capsys, "--config", str(shop), "--email", JANE_EMAIL, "--evidence", "hmac")
    examples = {m["example"] for m in report["matches"] if m["container"] == "main.customers"}
    assert examples == {hmac_example(HMAC_KEY.encode(), JANE_EMAIL)}
    code, report = run_locate(capsys, "--config", str(shop), "--email", JANE_EMAIL, "--evidence", "none")
    assert all(m["example"] is None for m in report["matches"])
    code, report = run_locate(capsys, "--config", str(shop), "--email", JANE_EMAIL)
    assert {m["example"] for m in report["matches"] if m["container"] == "main.customers"} == {
        "j***@e***.com"
    }


def test_hostile_names_are_escaped_in_html_and_terminal(
    sqlite_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIIMAP_HMAC_KEY", HMAC_KEY)
    table = "<script>alert(1)</script>\x1b[31m"
    connection = sqlite3.connect(sqlite_db.split(":///", 1)[1])
    connection.execute(f'CREATE TABLE "{table}" (id INTEGER PRIMARY KEY, "email<img src=x>" TEXT)')
    connection.executemany(
        f'INSERT INTO "{table}" VALUES (?, ?)', [(n, f"user{n}@example.com") for n in range(30)]
    )
    connection.commit()
    connection.close()
    config = write_config(tmp_path, {"db": sqlite_db}, datamap=DATAMAP.replace("shop", "db"))
    html_path = tmp_path / "r.html"
    assert (
        main(
            [
                "locate",
                "--config",
                str(config),
                "--email",
                "user3@example.com",
                "--format",
                "html",
                "-o",
                str(html_path),
            ]
        )
        == 0
    )
    page = html_path.read_text()
    assert "<script>" not in page and "<img" not in page and "&lt;script&gt;" in page
    assert "Backups &lt;b&gt;Ltd&lt;/b&gt;" in page
    policy = page.split('http-equiv="Content-Security-Policy" content="', 1)[1].split('"', 1)[0]
    assert "script-src" not in policy and "default-src 'none'" in policy
    assert "\x1b" not in page
    capsys.readouterr()
    assert main(["locate", "--config", str(config), "--email", "user3@example.com"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b" in out


def test_plan_only_runs_no_lookup(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = run_locate(capsys, "--config", str(shop), "--email", JANE_EMAIL, "--plan")
    assert code == 0 and report["matches"] == [] and report["plan_only"] is True
    assert {lookup["status"] for lookup in report["lookups"]} == {"planned"}
    assert {lookup["container"] for lookup in report["lookups"]} >= {"main.customers", "main.newsletter"}


@pytest.mark.slow
def test_the_demo_readme_example(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's demo example: Tomasz Kowalski's account, its events and invoices, his sign-up in the logs."""
    monkeypatch.setenv("PIIMAP_HMAC_KEY", HMAC_KEY)
    assert main(["demo", str(tmp_path / "demo")]) == 0
    capsys.readouterr()
    config = str(tmp_path / "demo" / "piimap.yaml")
    code, report = run_locate(
        capsys, "--config", config, "--email", "Tomasz.Kowalski@example.com", "--name", "Tomasz Kowalski"
    )
    assert code == 0
    summary = {(c["source"], c["container"].rsplit("/", 1)[-1]): c for c in report["containers"]}
    assert summary[("app_db", "main.accounts")]["row_keys"] == ["id=12"]
    assert summary[("app_db", "main.events")]["related_rows"] == 6
    assert summary[("app_db", "main.invoices")]["related_rows"] == 2
    assert summary[("web_logs", "access.log")]["row_keys"] == ["access.log:379"]
    assert {r["name"] for r in report["recipients"]} == {"MailRelay Inc.", "Stratus Cloud Storage"}
    assert report["planned_from"]["app_db"] is not None
