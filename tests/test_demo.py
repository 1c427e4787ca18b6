"""`piimap demo`: the whole job a new user runs first, end to end, through the real CLI."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from piimap.cli import main
from piimap.demo import build_demo

pytestmark = pytest.mark.slow  # builds and scans the demo company

CORE_CATEGORIES = {
    "user.name",
    "user.contact.email",
    "user.contact.phone_number",
    "user.device.ip_address",
    "user.device.device_id",
    "user.device.cookie_id",
}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("demo") / "piimap-demo"
    assert main(["demo", str(directory), "--quiet"]) == 0
    return directory


def test_the_demo_writes_data_declarations_config_and_reports(demo_dir):
    for name in ("app.db", "piimap.yaml", "datamap.yaml", "privacy-policy.txt", "report.html", "report.json"):
        assert (demo_dir / name).is_file(), name
    assert sorted(path.name for path in (demo_dir / "logs").iterdir()) == [
        "access.log",
        "access.log.1",
        "access.log.2.gz",
    ]
    assert len(list((demo_dir / "events").glob("clicks-*.jsonl"))) == 3
    html = (demo_dir / "report.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in html and "Clickstat Inc." in html


def test_the_demo_report_finds_every_core_category_where_it_was_put(demo_dir):
    report = json.loads((demo_dir / "report.json").read_text(encoding="utf-8"))
    assert {source["name"]: source["status"] for source in report["sources"]} == {
        "app_db": "ok",
        "web_logs": "ok",
        "click_events": "ok",
        "marketing_site": "ok",
        "app_egress": "ok",
    }
    found = {
        (f["source"], f["container"].rsplit("/", 1)[-1], f["field"], f["category"])
        for f in report["findings"]
    }
    expected = {
        ("app_db", "main.accounts", "first_name", "user.name"),
        ("app_db", "main.accounts", "last_name", "user.name"),
        ("app_db", "main.accounts", "email", "user.contact.email"),
        ("app_db", "main.accounts", "phone", "user.contact.phone_number"),
        ("app_db", "main.trial_requests", "contact_name", "user.name"),
        ("app_db", "main.trial_requests", "work_email", "user.contact.email"),
        ("app_db", "main.trial_requests", "phone", "user.contact.phone_number"),
        ("app_db", "main.events", "ip_address", "user.device.ip_address"),
        ("app_db", "main.events", "device_id", "user.device.device_id"),
        ("app_db", "main.events", "ga_client_id", "user.device.cookie_id"),
        ("web_logs", "access.log", "client_ip", "user.device.ip_address"),
        ("web_logs", "access.log", "query.email", "user.contact.email"),
        ("web_logs", "access.log", "query.phone", "user.contact.phone_number"),
        ("web_logs", "access.log", "cookie._ga", "user.device.cookie_id"),
        ("click_events", "clicks-*.jsonl", "visitor.ip", "user.device.ip_address"),
        ("click_events", "clicks-*.jsonl", "visitor.cookies._ga", "user.device.cookie_id"),
        ("click_events", "clicks-*.jsonl", "visitor.advertising_id", "user.device.device_id"),
        # issue #13's categories: the account owners' billing addresses and birth dates, user agents
        ("app_db", "main.account_owners", "billing_street", "user.contact.address.street"),
        ("app_db", "main.account_owners", "billing_postal_code", "user.contact.address.postal_code"),
        ("app_db", "main.account_owners", "billing_city", "user.contact.address.city"),
        ("app_db", "main.account_owners", "billing_country", "user.contact.address.country"),
        ("app_db", "main.account_owners", "date_of_birth", "user.demographic.date_of_birth"),
        ("web_logs", "access.log", "user_agent", "user.device.user_agent"),
        ("click_events", "clicks-*.jsonl", "visitor.user_agent", "user.device.user_agent"),
    }
    assert found == expected
    assert {category for *_, category in found} >= CORE_CATEGORIES
    # tables with no personal data stay clean: plans.name is not a person, invoices ids are not devices
    assert not [
        f for f in report["findings"] if f["container"] in ("main.plans", "main.pages", "main.invoices")
    ]


def test_the_demo_reports_hold_no_raw_personal_data(demo_dir):
    connection = sqlite3.connect(demo_dir / "app.db")
    try:
        emails = [row[0] for row in connection.execute("SELECT email FROM accounts")]
        phones = [row[0] for row in connection.execute("SELECT phone FROM accounts")]
        surnames = {row[0] for row in connection.execute("SELECT last_name FROM accounts")}
    finally:
        connection.close()
    for report in ("report.json", "report.html"):
        text = (demo_dir / report).read_text(encoding="utf-8")
        assert not [email for email in emails if email in text], report
        assert not [phone for phone in phones if phone in text], report
        assert not [name for name in surnames if f'"{name}"' in text], report


def test_the_demo_is_deterministic(tmp_path):
    first = build_demo(tmp_path / "one")
    second = build_demo(tmp_path / "two")
    for relative in (
        "logs/access.log",
        "logs/access.log.2.gz",
        "events/clicks-2026-11-21.jsonl",
        "datamap.yaml",
    ):
        assert _digest(first.root / relative) == _digest(second.root / relative), relative
    dump = lambda root: "\n".join(sqlite3.connect(root / "app.db").iterdump())  # noqa: E731
    assert dump(first.root) == dump(second.root)


def _check(config: Path) -> subprocess.CompletedProcess[str]:
    """The real console script, as CI would run it."""
    script = Path(sys.executable).with_name("piimap")
    return subprocess.run(
        [str(script), "check", "--config", str(config), "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PIIMAP_STORE": f"sqlite:///{config.parent / 'ci-history.sqlite'}"},
    )


def test_check_fails_on_the_gap_then_passes_once_it_is_suppressed_or_declared(tmp_path):
    layout = build_demo(tmp_path / "demo")

    failing = _check(layout.config)
    assert failing.returncode == 1, failing.stderr
    assert "PIIMAP002" in failing.stdout and "query.phone" in failing.stdout
    assert "PIIMAP008" in failing.stdout and "PIIMAP008 x1, PIIMAP010 x1" in failing.stderr
    assert "Traceback" not in failing.stderr

    datamap = yaml.safe_load(layout.datamap.read_text(encoding="utf-8"))
    datamap["suppressions"].append(
        {"vendor": "meta_pixel", "reason": "The server-side tag is being removed (PRIV-15)."}
    )
    datamap["suppressions"].append(
        {
            "rule": "undeclared-category",
            "source": "web_logs",
            "category": "user.contact.phone_number",
            "reason": "Phone verification URLs; the log scrubber ships next sprint (PRIV-7).",
        }
    )
    layout.datamap.write_text(yaml.safe_dump(datamap, sort_keys=False), encoding="utf-8")
    suppressed = _check(layout.config)
    assert suppressed.returncode == 0, suppressed.stdout + suppressed.stderr
    report = json.loads(layout.report_json.read_text(encoding="utf-8"))
    reasons = {
        violation.get("suppressed") for violation in report["violations"] if violation["rule"] == "PIIMAP002"
    }
    assert reasons == {"Phone verification URLs; the log scrubber ships next sprint (PRIV-7)."}

    datamap["suppressions"].pop()
    datamap["systems"]["web_logs"]["categories"].append("user.contact.phone_number")
    layout.datamap.write_text(yaml.safe_dump(datamap, sort_keys=False), encoding="utf-8")
    declared = _check(layout.config)
    assert declared.returncode == 0, declared.stdout + declared.stderr


def test_the_demo_reads_its_policy_text_with_the_same_result_as_the_hand_written_policy(demo_dir, tmp_path):
    """The demo checks against privacy-policy.txt itself; the violations are exactly those the
    hand-written policy.yaml it replaced gave."""
    handwritten = Path(__file__).parent / "policytext" / "handwritten_demo_policy.yaml"
    assert "policy: privacy-policy.txt" in (demo_dir / "piimap.yaml").read_text(encoding="utf-8")
    outputs = {}
    for name, extra in (("text", []), ("handwritten", ["--policy", str(handwritten)])):
        output = tmp_path / f"{name}.json"
        code = main(
            ["check", "--config", str(demo_dir / "piimap.yaml"), "--quiet", "--no-store", "--format", "json",
             "--output", str(output), *extra]
        )  # fmt: skip
        assert code == 1
        outputs[name] = json.loads(output.read_text(encoding="utf-8"))["violations"]

    def keys(violations):
        return sorted(
            (
                v["rule"],
                v["source"],
                v["container"],
                v["field"],
                v["category"],
                v.get("vendor"),
                v.get("suppressed"),
            )
            for v in violations
        )

    assert keys(outputs["text"]) == keys(outputs["handwritten"])
    assert [v["rule"] for v in outputs["text"] if v.get("suppressed") is None] == [
        "PIIMAP002",
        "PIIMAP008",
        "PIIMAP010",
    ]
