"""Scheduled scans: config validation, ``--once``, and the real APScheduler firing every second."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import pytest

from piimap.cli import main
from piimap.config import load_config
from piimap.model import ConfigError
from piimap.pipeline import RunOptions
from piimap.scheduler import build_scheduler, load_schedules
from piimap.store import open_store

EVERY_SECOND = "* * * * * *"  # six fields: seconds first


def make_database(path: Path) -> None:
    database = sqlite3.connect(path)
    database.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT, tier TEXT)")
    database.executemany(
        "INSERT INTO customers (email, tier) VALUES (?, ?)",
        [(f"c{i}@example.com", "gold") for i in range(30)],
    )
    database.commit()
    database.close()


def add_pii_column(url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("ALTER TABLE customers ADD COLUMN contact_email VARCHAR(80)"))
        connection.execute(sa.text("UPDATE customers SET contact_email = 'alt' || id || '@example.org'"))
    engine.dispose()


def write_config(directory: Path, app_url: str, schedules: str, extra: str = "") -> Path:
    config = directory / "piimap.yaml"
    config.write_text(
        f"sources:\n  app: {app_url}\n  crm: sqlite:///crm.db\n"
        f"store: sqlite:///history.sqlite\n{extra}schedules:\n{schedules}"
    )
    return config


def options(**values: object) -> RunOptions:
    """The run options a scheduler run gets from the command line (defaults of add_scan_options)."""
    from piimap.cli import build_parser
    from piimap.commands.common import run_options

    parsed = build_parser().parse_args(["schedule", "--config", "unused.yaml"])
    for name, value in values.items():
        setattr(parsed, name, value)
    return run_options(parsed)


@pytest.mark.parametrize(
    ("schedules", "message"),
    [
        ("  - {name: a, cron: '61 * * * *'}\n", "invalid cron expression"),
        ("  - {name: a}\n", r"piimap.yaml:\d+: schedules\[0\]\.cron: is required"),
        ("  - {cron: '* * * * *'}\n", r"piimap.yaml:\d+: schedules\[0\]\.name: is required"),
        ("  - {name: a, cron: '* * * * *'}\n  - {name: a, cron: '0 * * * *'}\n", "duplicate schedule name"),
        ("  - {name: a, cron: '* * * * *', sources: [billing]}\n", "unknown source 'billing'"),
        ("  - {name: a, cron: '* * * * *', every: 5}\n", r"schedules\[0\]\.every: unknown key"),
    ],
)
def test_invalid_schedules_are_config_errors(tmp_path, schedules, message) -> None:
    with pytest.raises(ConfigError, match=message):  # the config's model, or the scheduler's own checks
        load_schedules(load_config(write_config(tmp_path, "sqlite:///app.db", schedules)))


def test_schedules_are_parsed(tmp_path) -> None:
    config = load_config(
        write_config(
            tmp_path,
            "sqlite:///app.db",
            "  - {name: quarter-hourly, cron: '*/15 * * * *', sources: [app]}\n"
            "  - name: nightly\n    cron: '0 3 * * *'\n    reports: [{format: json, path: out/nightly.json}]\n",
        )
    )
    quarter, nightly = load_schedules(config)
    assert (quarter.name, quarter.cron, quarter.sources, quarter.reports) == (
        "quarter-hourly",
        "*/15 * * * *",
        ("app",),
        None,
    )
    assert nightly.sources is None
    assert [(r.format, r.path) for r in nightly.reports] == [
        ("json", str(tmp_path.resolve() / "out/nightly.json"))
    ]


def test_once_runs_every_schedule_and_records_each(tmp_path, capsys) -> None:
    make_database(tmp_path / "app.db")
    make_database(tmp_path / "crm.db")
    config = write_config(
        tmp_path,
        "sqlite:///app.db",
        "  - {name: app-only, cron: '*/15 * * * *', sources: [app], reports: [{format: json, path: app.json}]}\n"
        "  - {name: everything, cron: '0 3 * * *'}\n",
    )
    assert main(["schedule", "--config", str(config), "--once"]) == 0
    err = capsys.readouterr().err
    assert "schedule app-only: run 1" in err and "schedule everything: run 2" in err
    with open_store(f"sqlite:///{tmp_path / 'history.sqlite'}") as store:
        runs = store.runs()
    assert [(run.command, run.sources) for run in runs] == [
        ("schedule:everything", ("app", "crm")),
        ("schedule:app-only", ("app",)),
    ]
    report = json.loads((tmp_path / "app.json").read_text())
    assert report["run_id"] == 1 and {f["source"] for f in report["findings"]} == {"app"}


def test_scheduler_job_policy(tmp_path) -> None:
    config = load_config(write_config(tmp_path, "sqlite:///app.db", "  - {name: a, cron: '*/5 * * * *'}\n"))
    scheduler = build_scheduler(
        config, load_schedules(config), options(), blocking=False, misfire_grace_seconds=42
    )
    scheduler.start(paused=True)
    try:
        (job,) = scheduler.get_jobs()
        assert (job.id, job.max_instances, job.coalesce, job.misfire_grace_time) == ("a", 1, True, 42)
        assert job.next_run_time.minute % 5 == 0 and job.next_run_time.second == 0
    finally:
        scheduler.shutdown(wait=False)


def _sqlite_app(tmp_path: Path) -> str:
    make_database(tmp_path / "app.db")
    return f"sqlite:///{tmp_path / 'app.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app_database(request, tmp_path) -> str:
    if request.param == "sqlite":
        return _sqlite_app(tmp_path)
    import sqlalchemy as sa

    url = request.getfixturevalue("postgres_db")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT, tier TEXT)"))
        connection.execute(
            sa.text(
                "INSERT INTO customers SELECT g, 'c' || g || '@example.com', 'gold' FROM generate_series(1, 30) g"
            )
        )
    engine.dispose()
    return url


@pytest.mark.slow
def test_two_scheduled_runs_show_a_new_pii_column(tmp_path, app_database, capsys) -> None:
    """Done when: two runs of the real scheduler, a PII column added in between, history lists
    both runs and diff names the new column."""
    make_database(tmp_path / "crm.db")
    config = load_config(
        write_config(
            tmp_path, app_database, f"  - {{name: every-second, cron: '{EVERY_SECOND}', sources: [app]}}\n"
        )
    )
    store = f"sqlite:///{tmp_path / 'history.sqlite'}"
    finished: list[str | None] = []
    two_runs = threading.Event()

    def after_run(name: str, result) -> None:
        finished.append(result.run_id if result is not None else None)
        if len(finished) == 1:
            add_pii_column(app_database)  # inside the job: the next run cannot start before this
        if len(finished) == 2:
            two_runs.set()

    scheduler = build_scheduler(
        config, load_schedules(config), options(store=store), blocking=False, on_result=after_run
    )
    scheduler.start()
    try:
        assert two_runs.wait(timeout=30), f"scheduler finished {len(finished)} runs in 30 s"
    finally:
        scheduler.shutdown(wait=True)
    assert finished[:2] == [1, 2]

    assert main(["history", "--store", store, "--format", "json"]) == 0
    runs = json.loads(capsys.readouterr().out)["runs"]
    assert [(run["run_id"], run["command"]) for run in runs[-2:]] == [
        (2, "schedule:every-second"),
        (1, "schedule:every-second"),
    ]
    assert main(["diff", "1", "2", "--store", store, "--format", "json"]) == 0
    added = json.loads(capsys.readouterr().out)["fields"]["added"]
    assert [(key["source"], key["field"], key["category"]) for key in added] == [
        ("app", "contact_email", "user.contact.email")
    ]
    assert main(["diff", "1", "2", "--store", store]) == 0
    assert "contact_email" in capsys.readouterr().out


@pytest.mark.slow
def test_schedule_command_with_max_runs_stops_by_itself(tmp_path, capsys) -> None:
    make_database(tmp_path / "app.db")
    make_database(tmp_path / "crm.db")
    config = write_config(tmp_path, "sqlite:///app.db", f"  - {{name: tick, cron: '{EVERY_SECOND}'}}\n")
    assert main(["schedule", "--config", str(config), "--max-runs", "2"]) == 0
    assert "schedule tick: '* * * * * *', runs recorded in sqlite:///" in capsys.readouterr().err
    with open_store(f"sqlite:///{tmp_path / 'history.sqlite'}") as store:
        runs = store.runs()
    assert len(runs) >= 2 and {run.command for run in runs} == {"schedule:tick"}
    # the second run found nothing changed, so it reused both containers of both sources
    assert runs[-2].reused == 2


def test_scheduled_runs_record_flows_and_diff_shows_a_new_one(tmp_path, capsys) -> None:
    make_database(tmp_path / "app.db")
    make_database(tmp_path / "crm.db")
    datamap = tmp_path / "datamap.yaml"
    policy = tmp_path / "policy.yaml"
    policy.write_text("collected: [user.contact.email]\nshared:\n  analytics: [user.contact.email]\n")
    base_map = (
        "systems:\n  app: [user.contact.email]\n  crm: [user.contact.email]\n"
        "vendors:\n  acme: {role: analytics}\n  zed: {role: analytics}\n"
        "flows:\n  - {from: app, to: acme, categories: [user.contact.email]}\n"
    )
    datamap.write_text(base_map)
    config = write_config(
        tmp_path,
        "sqlite:///app.db",
        "  - {name: nightly, cron: '0 3 * * *'}\n",
        extra="datamap: datamap.yaml\npolicy: policy.yaml\n",
    )
    assert main(["schedule", "--config", str(config), "--once"]) == 0
    datamap.write_text(base_map + "  - {from: crm, to: zed, categories: [user.contact.email]}\n")
    assert main(["schedule", "--config", str(config), "--once"]) == 0
    capsys.readouterr()
    store = f"sqlite:///{tmp_path / 'history.sqlite'}"
    assert main(["diff", "--config", str(config), "--format", "json"]) == 0
    flows = json.loads(capsys.readouterr().out)["flows"]
    assert flows == {
        "compared": True,
        "added": [{"system": "crm", "vendor": "zed", "category": "user.contact.email"}],
        "removed": [],
    }
    assert main(["diff", "--store", store]) == 0
    assert "+ flow crm -> zed: user.contact.email" in capsys.readouterr().out
