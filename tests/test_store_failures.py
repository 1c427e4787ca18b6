"""A history store that cannot be written never loses the scan: the report is still written."""

from __future__ import annotations

import json
import os
import stat

from piimap.cli import main


def _log(tmp_path):
    log = tmp_path / "app.log"
    log.write_text("user jane.doe@example.com logged in from 203.0.113.7\n", encoding="utf-8")
    return log


def test_an_unwritable_default_store_only_warns(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.delenv("PIIMAP_STORE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker / "data"))
    report = tmp_path / "report.json"

    code = main(["scan", str(_log(tmp_path)), "--format", "json", "--output", str(report), "--quiet"])

    assert code == 0
    assert "warning: run not recorded in the default history store" in capsys.readouterr().err
    categories = {
        finding["category"] for finding in json.loads(report.read_text(encoding="utf-8"))["findings"]
    }
    assert "user.contact.email" in categories


def test_a_store_the_user_asked_for_fails_the_run_but_the_report_is_written(tmp_path, capsys):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    report = tmp_path / "report.json"

    code = main(
        [
            "scan",
            str(_log(tmp_path)),
            "--store",
            f"sqlite:///{blocker}/history.sqlite",
            "--format",
            "json",
            "--output",
            str(report),
            "--quiet",
        ]
    )

    assert code == 2
    err = capsys.readouterr().err
    assert "piimap: error: history store: run not recorded" in err and "Traceback" not in err
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["findings"] and data["errors"][0]["source"] == "history store"


def test_a_new_report_is_0600_and_a_replaced_report_keeps_its_permissions(tmp_path):
    report = tmp_path / "report.json"
    previous = os.umask(0o022)
    try:
        assert (
            main(["scan", str(_log(tmp_path)), "--no-store", "--format", "json", "--output", str(report)])
            == 0
        )
    finally:
        os.umask(previous)
    assert stat.S_IMODE(report.stat().st_mode) == 0o600  # SECURITY.md: reports are private
    report.chmod(0o640)  # a report that exists keeps its permissions when it is rewritten
    assert main(["scan", str(_log(tmp_path)), "--no-store", "--format", "json", "--output", str(report)]) == 0
    assert stat.S_IMODE(report.stat().st_mode) == 0o640
