"""``piimap check`` and ``piimap baseline`` end to end: a small company in tmp_path (a real SQLite
app database read by the real SQL connector and the real classifiers), its data map and policy,
and the exit codes, reports and baselines CI relies on."""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys
import textwrap
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from piimap.cli import main

DATAMAP = """
organisation: Tiny Analytics Ltd
systems:
  app_db:
    containers:
      main.accounts:
        fields:
          email: [user.contact.email]
          phone: [user.contact.phone_number]
      main.events: [user.device]
vendors:
  ga: {name: Google Analytics, role: analytics, purpose: statistics}
  mailer: {name: MailRelay, role: service_provider}
flows:
  - from: app_db
    to: ga
    containers: [main.events]
    categories: [user.device.ip_address, user.device.cookie_id]
  - from: app_db
    to: mailer
    containers: [main.accounts]
    categories: [user.contact.email]
"""

POLICY = """
collected: [user.contact, user.device]
shared:
  service_provider: collected
  analytics: [user.device.ip_address, user.device.cookie_id]
"""


@dataclass(frozen=True)
class Company:
    root: Path
    config: Path
    datamap: Path
    policy: Path
    database: Path

    def report(self, name: str) -> Path:
        return self.root / "out" / name

    def add_table(self, table: str, column: str, values: list[str]) -> None:
        with sqlite3.connect(self.database) as connection:
            connection.execute(f'CREATE TABLE "{table}" (id INTEGER PRIMARY KEY, "{column}" TEXT)')
            connection.executemany(f'INSERT INTO "{table}" ("{column}") VALUES (?)', [(v,) for v in values])


def build_company(
    root: Path, *, datamap: str = DATAMAP, policy: str = POLICY, extra_config: str = ""
) -> Company:
    """A SQLite app database with accounts (email, phone), events (ip, GA cookie, IDFA) and plans."""
    rng = random.Random(20201014)
    database = root / "app.db"
    with sqlite3.connect(database) as connection:
        connection.execute(
            "CREATE TABLE accounts (id INTEGER PRIMARY KEY, email TEXT, phone TEXT, organisation TEXT)"
        )
        connection.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, ip_address TEXT, ga_client_id TEXT, device_id TEXT, page TEXT)"
        )
        connection.execute("CREATE TABLE plans (id INTEGER PRIMARY KEY, name TEXT, price REAL)")
        for index in range(40):
            area = rng.choice(["415", "212", "646", "303"])
            connection.execute(
                "INSERT INTO accounts (email, phone, organisation) VALUES (?, ?, ?)",
                (
                    f"user{index}@example{index % 3}.com",
                    f"+1 {area}-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
                    f"Org {index}",
                ),
            )
            connection.execute(
                "INSERT INTO events (ip_address, ga_client_id, device_id, page) VALUES (?, ?, ?, ?)",
                (
                    f"{rng.randint(11, 199)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                    f"GA1.2.{rng.randint(10**8, 10**9)}.{rng.randint(1500000000, 1700000000)}",
                    str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper(),
                    f"/pricing/{index}",
                ),
            )
        connection.executemany(
            "INSERT INTO plans (name, price) VALUES (?, ?)", [("basic", 9.5), ("pro", 29.0)]
        )
    (root / "datamap.yaml").write_text(textwrap.dedent(datamap).lstrip(), encoding="utf-8")
    (root / "policy.yaml").write_text(textwrap.dedent(policy).lstrip(), encoding="utf-8")
    config = root / "piimap.yaml"
    config.write_text(
        textwrap.dedent(
            """
            sources:
              app_db: sqlite:///app.db
            settings:
              sample_size: 100
            datamap: datamap.yaml
            policy: policy.yaml
            reports:
              - {format: json, path: out/report.json}
              - {format: sarif, path: out/report.sarif}
              - {format: html, path: out/report.html}
            """
        ).lstrip()
        + extra_config,
        encoding="utf-8",
    )
    return Company(root, config, root / "datamap.yaml", root / "policy.yaml", database)


def check(company: Company, *extra: str) -> int:
    return main(
        [
            "check",
            "--config",
            str(company.config),
            "--quiet",
            "--format",
            "json",
            "--output",
            str(company.report("stdout.json")),
            *extra,
        ]
    )


def failing_keys(report: dict) -> set[tuple]:
    return {
        (v["rule"], v["container"], v["field"], v["category"], v.get("vendor"))
        for v in report["violations"]
        if v["severity"] == "error" and "suppressed" not in v
    }


def test_a_company_matching_its_declarations_passes_and_gets_every_report(tmp_path, capsys):
    company = build_company(tmp_path)
    assert check(company) == 0
    assert "check passed" in capsys.readouterr().err
    report = json.loads(company.report("report.json").read_text())
    assert failing_keys(report) == set()
    assert {f["field"] for f in report["findings"]} >= {
        "email",
        "phone",
        "ip_address",
        "ga_client_id",
        "device_id",
    }
    assert report["run_id"]  # recorded in the history store
    node_ids = {node["id"] for node in report["datamap"]["nodes"]}
    assert {"system:app_db", "vendor:ga", "category:user.contact.email"} <= node_ids
    assert json.loads(company.report("report.sarif").read_text())["version"] == "2.1.0"
    assert company.report("report.html").read_text().startswith("<!DOCTYPE html>")
    assert json.loads(company.report("stdout.json").read_text())["violations"] == report["violations"]


def test_an_undeclared_category_fails_with_exit_1(tmp_path, capsys):
    company = build_company(
        tmp_path, datamap=DATAMAP.replace("          phone: [user.contact.phone_number]\n", "")
    )
    assert check(company) == 1
    err = capsys.readouterr().err
    assert "check failed: 1 violation [PIIMAP002 x1]" in err
    report = json.loads(company.report("report.json").read_text())
    assert failing_keys(report) == {
        ("PIIMAP002", "main.accounts", "phone", "user.contact.phone_number", None)
    }


def test_an_undisclosed_flow_fails_with_exit_1(tmp_path):
    datamap = DATAMAP.replace(
        "categories: [user.device.ip_address, user.device.cookie_id]", "categories: all"
    )
    company = build_company(tmp_path, datamap=datamap)
    assert check(company) == 1
    report = json.loads(company.report("report.json").read_text())
    assert failing_keys(report) == {("PIIMAP004", None, None, "user.device.device_id", "ga")}


def test_a_baseline_accepts_todays_violations_and_fails_on_new_ones(tmp_path, capsys):
    company = build_company(tmp_path, datamap=DATAMAP.replace("      main.events: [user.device]\n", ""))
    baseline = tmp_path / "ci" / "baseline.json"
    assert main(["baseline", "--config", str(company.config), "--quiet", "--output", str(baseline)]) == 0
    assert "wrote 3 violation fingerprints" in capsys.readouterr().err
    document = json.loads(baseline.read_text())
    assert len(document["fingerprints"]) == 3
    assert {v["field"] for v in document["violations"]} == {"ip_address", "ga_client_id", "device_id"}

    assert check(company) == 1
    assert check(company, "--baseline", str(baseline)) == 0
    report = json.loads(company.report("report.json").read_text())
    assert {v.get("suppressed") for v in report["violations"]} == {"baseline"}

    company.add_table("newsletter", "contact", [f"reader{i}@example.org" for i in range(30)])
    assert check(company, "--baseline", str(baseline)) == 1
    report = json.loads(company.report("report.json").read_text())
    assert failing_keys(report) == {("PIIMAP002", "main.newsletter", "contact", "user.contact.email", None)}


def test_the_config_can_name_the_baseline(tmp_path):
    company = build_company(
        tmp_path,
        datamap=DATAMAP.replace("      main.events: [user.device]\n", ""),
        extra_config="baseline: piimap-baseline.json\n",
    )
    (tmp_path / "piimap-baseline.json").write_text('{"fingerprints": []}')
    assert check(company) == 1
    assert main(["baseline", "--config", str(company.config), "--quiet"]) == 0  # default: the configured path
    assert len(json.loads((tmp_path / "piimap-baseline.json").read_text())["fingerprints"]) == 3
    assert check(company) == 0


def test_a_suppression_with_a_reason_keeps_the_check_green(tmp_path):
    datamap = DATAMAP.replace("          phone: [user.contact.phone_number]\n", "") + textwrap.dedent(
        """
        suppressions:
          - rule: undeclared-category
            container: main.accounts
            field: phone
            reason: phone numbers move to the CRM in Q3 (PRIV-7)
        """
    )
    company = build_company(tmp_path, datamap=datamap)
    assert check(company) == 0
    report = json.loads(company.report("report.json").read_text())
    (violation,) = report["violations"]
    assert violation["suppressed"] == "phone numbers move to the CRM in Q3 (PRIV-7)"


def test_a_source_error_exits_2_even_with_failing_violations_and_reports_are_written(tmp_path, capsys):
    company = build_company(
        tmp_path, datamap=DATAMAP.replace("          phone: [user.contact.phone_number]\n", "")
    )
    text = company.config.read_text().replace(
        "  app_db: sqlite:///app.db\n",
        "  app_db: sqlite:///app.db\n  crm: postgresql+psycopg://nobody:s3cret-pw@127.0.0.1:1/crm\n",
    )
    company.config.write_text(text)
    assert check(company) == 2
    err = capsys.readouterr().err
    assert "piimap: error: crm" in err and "s3cret-pw" not in err
    assert "check failed" in err and "incomplete" in err
    report = json.loads(company.report("report.json").read_text())
    assert ("PIIMAP002", "main.accounts", "phone", "user.contact.phone_number", None) in failing_keys(report)
    assert [s["status"] for s in report["sources"]] == ["ok", "error"]


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        (
            "systems:\n  app_db: [user]\nflows:\n  - from: app_db\n    to: nobody\n    categories: all\n",
            "datamap.yaml:5: flows[0].to: unknown vendor 'nobody' (vendors: none declared)",
        ),
        (
            "systems:\n  app_db:\n    categoriez: [user.name]\n",
            "datamap.yaml:3: systems.app_db.categoriez: unknown key (did you mean 'categories'?)",
        ),
    ],
)
def test_a_broken_data_map_exits_2_with_file_line_and_key(tmp_path, capsys, broken, expected):
    company = build_company(tmp_path)
    company.datamap.write_text(broken)
    assert check(company) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert len(err.strip().splitlines()) == 1
    assert not company.report("report.json").exists()  # validated before scanning


def test_check_needs_a_data_map_or_policy(tmp_path, capsys):
    company = build_company(tmp_path)
    text = (
        company.config.read_text().replace("datamap: datamap.yaml\n", "").replace("policy: policy.yaml\n", "")
    )
    company.config.write_text(text)
    assert check(company) == 2
    assert "a check needs 'datamap:' or 'policy:'" in capsys.readouterr().err


def test_check_needs_a_config(capsys):
    assert main(["check", "--quiet"]) == 2
    assert "--config FILE is required" in capsys.readouterr().err


def test_a_policy_alone_checks_collection(tmp_path):
    company = build_company(tmp_path, policy="collected: [user.contact]\n")
    text = company.config.read_text().replace("datamap: datamap.yaml\n", "")
    company.config.write_text(text)
    assert check(company) == 1
    report = json.loads(company.report("report.json").read_text())
    assert {key[0] for key in failing_keys(report)} == {"PIIMAP003"}
    assert {key[2] for key in failing_keys(report)} == {"ip_address", "ga_client_id", "device_id"}


@pytest.mark.slow
def test_the_installed_console_script_returns_the_exit_codes(tmp_path):
    company = build_company(tmp_path, datamap=DATAMAP.replace("      main.events: [user.device]\n", ""))
    command = [
        str(Path(sys.executable).with_name("piimap")),
        "check",
        "--config",
        str(company.config),
        "-q",
        "--format",
        "sarif",
    ]
    failed = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1, failed.stderr
    sarif = json.loads(failed.stdout)
    assert {r["ruleId"] for r in sarif["runs"][0]["results"] if r["level"] == "error"} == {"PIIMAP002"}
    company.datamap.write_text(textwrap.dedent(DATAMAP).lstrip())
    passed = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert passed.returncode == 0, passed.stderr


def build_demo_shaped_company(root: Path, *, phones_in_logs: bool = True) -> Path:
    """The demo company's three sources in miniature (SQLite app database, nginx access log,
    JSON Lines click events) checked against the shipped demo data map and policy."""
    from importlib import resources

    rng = random.Random(5)
    with sqlite3.connect(root / "app.db") as connection:
        connection.execute(
            "CREATE TABLE accounts (id INTEGER PRIMARY KEY, first_name TEXT, last_name TEXT, email TEXT, "
            "phone TEXT, organisation TEXT, role TEXT)"
        )
        connection.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, ip_address TEXT, device_id TEXT, ga_client_id TEXT, page TEXT)"
        )
        connection.execute("CREATE TABLE plans (id INTEGER PRIMARY KEY, name TEXT, price REAL)")
        firsts = ["Alice", "Bob", "Carla", "David", "Emma", "Frank", "Grace", "Henry"]
        lasts = ["Smith", "Johnson", "Brown", "Garcia", "Miller", "Davis"]
        for index in range(40):
            connection.execute(
                "INSERT INTO accounts (first_name, last_name, email, phone, organisation, role) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    rng.choice(firsts),
                    rng.choice(lasts),
                    f"u{index}@example.com",
                    f"+1 415-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
                    "Acme Corp",
                    "analyst",
                ),
            )
            connection.execute(
                "INSERT INTO events (ip_address, device_id, ga_client_id, page) VALUES (?, ?, ?, ?)",
                (
                    f"{rng.randint(11, 199)}.{rng.randint(0, 255)}.1.{rng.randint(1, 254)}",
                    str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper(),
                    f"GA1.2.{rng.randint(10**8, 10**9)}.{rng.randint(1500000000, 1700000000)}",
                    "/pricing",
                ),
            )
    (root / "logs").mkdir()
    lines = []
    for index in range(60):
        path = "/pricing"
        if index % 5 == 0:
            path = f"/newsletter?email=reader{index}%40example.org"
        if phones_in_logs and index % 7 == 0:
            path = f"/callback?phone=%2B1415{rng.randint(200, 999)}{rng.randint(1000, 9999)}"
        lines.append(
            f"{rng.randint(11, 199)}.{rng.randint(0, 255)}.7.{rng.randint(1, 254)} - - [14/Oct/2020:10:{index:02d}:00"
            f' +0000] "GET {path} HTTP/1.1" 200 512 "-" "Mozilla/5.0"'
            f' "_ga=GA1.2.{rng.randint(10**8, 10**9)}.{rng.randint(1500000000, 1700000000)}"'
        )
    (root / "logs" / "access.log").write_text("\n".join(lines) + "\n")
    with open(root / "events.jsonl", "w") as stream:
        for _ in range(60):
            stream.write(
                json.dumps(
                    {
                        "ip": f"{rng.randint(11, 199)}.{rng.randint(0, 255)}.3.{rng.randint(1, 254)}",
                        "ga": f"GA1.2.{rng.randint(10**8, 10**9)}.{rng.randint(1500000000, 1700000000)}",
                        "advertising_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper(),
                        "user_agent": "Mozilla/5.0",
                        "page": "/pricing",
                    }
                )
                + "\n"
            )
    for name in ("datamap.yaml", "privacy-policy.txt"):
        text = resources.files("piimap").joinpath("demo_assets", name).read_text(encoding="utf-8")
        (root / name).write_text(text, encoding="utf-8")
    config = root / "piimap.yaml"
    config.write_text(
        "sources:\n  app_db: sqlite:///app.db\n  web_logs: logs\n  click_events: events.jsonl\n"
        "datamap: datamap.yaml\npolicy: privacy-policy.txt\nreports:\n  - {format: json, path: report.json}\n"
    )
    return config


def test_the_shipped_demo_declarations_fail_only_on_phone_numbers_in_the_web_logs(tmp_path):
    config = build_demo_shaped_company(tmp_path)
    assert main(["check", "--config", str(config), "--quiet", "--output", str(tmp_path / "table.txt")]) == 1
    report = json.loads((tmp_path / "report.json").read_text())
    assert {s["name"]: s["status"] for s in report["sources"]} == {
        "app_db": "ok",
        "web_logs": "ok",
        "click_events": "ok",
    }
    found = {(f["source"], f["category"]) for f in report["findings"]}
    assert {
        ("web_logs", "user.contact.email"),
        ("click_events", "user.device.device_id"),
        ("app_db", "user.contact.phone_number"),
    } <= found
    failing = [v for v in report["violations"] if v["severity"] == "error" and "suppressed" not in v]
    assert {(v["rule"], v["source"], v["category"]) for v in failing} == {
        ("PIIMAP002", "web_logs", "user.contact.phone_number")
    }
    assert failing[0]["container"].endswith("access.log")
    # Every category found in click_events reaches Google Analytics; nothing from app_db does.
    edges = report["datamap"]["edges"]
    into_ga = {
        e["source"] for e in edges if e["target"] == "vendor:google_analytics" and e["kind"] == "reaches"
    }
    assert into_ga == {
        "category:user.device.ip_address",
        "category:user.device.cookie_id",
        "category:user.device.device_id",
    }


def test_the_demo_shaped_company_passes_without_phone_numbers_in_its_logs(tmp_path):
    config = build_demo_shaped_company(tmp_path, phones_in_logs=False)
    assert main(["check", "--config", str(config), "--quiet", "--output", str(tmp_path / "table.txt")]) == 0


def test_declarations_and_baseline_can_come_from_the_command_line(tmp_path):
    company = build_company(tmp_path)
    text = (
        company.config.read_text().replace("datamap: datamap.yaml\n", "").replace("policy: policy.yaml\n", "")
    )
    company.config.write_text(text)
    strict = tmp_path / "strict-policy.yaml"
    strict.write_text("collected: [user.contact]\nshared: {}\n")
    assert check(company, "--datamap", str(company.datamap), "--policy", str(company.policy)) == 0
    assert check(company, "--datamap", str(company.datamap), "--policy", str(strict)) == 1


def test_an_unknown_report_format_is_refused_before_scanning(tmp_path, capsys):
    company = build_company(tmp_path)
    company.config.write_text(company.config.read_text() + "  - {format: pdf, path: out/report.pdf}\n")
    assert check(company) == 2
    assert "unknown report format 'pdf'" in capsys.readouterr().err
    assert not company.report("report.json").exists()
