"""Faults: Ctrl-C writes the partial results and exits 130; reports are replaced atomically.

The Ctrl-C test runs the real ``piimap`` console script as a subprocess against a real
PostgreSQL database whose table is locked by the test, so the scan is provably in the middle of
reading when SIGINT arrives (the test waits until the server shows the scan's query waiting on
the lock). The history store is a SQLite file in ``tmp_path``.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from piimap.engine import ThreadExecutor, scan
from piimap.model import ConfigError, Finding, ScanResult, SourceSpec, SourceStatus
from piimap.reports import write_report
from piimap.settings import ScanSettings

PIIMAP = str(Path(sys.executable).with_name("piimap"))


def _people_csv(path: Path, rows: int = 20) -> None:
    lines = ["email,name"] + [f"person{index}@example.com,Jane Doe" for index in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _wait_for_lock_waiter(admin: sa.Engine, database: str, timeout: float = 30.0) -> None:
    """Return once a session of ``database`` is waiting on a lock (the scan's SELECT)."""
    deadline = time.monotonic() + timeout
    with admin.connect() as connection:
        while time.monotonic() < deadline:
            waiting = connection.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = :db AND wait_event_type = 'Lock'"
                ),
                {"db": database},
            ).scalar()
            if waiting:
                return
            time.sleep(0.1)
    raise AssertionError("the scan never reached the locked table")


@pytest.mark.slow
@pytest.mark.postgres
def test_ctrl_c_mid_scan_writes_partial_reports_records_the_run_and_exits_130(
    postgres_db: str, tmp_path: Path
) -> None:
    database = sa.make_url(postgres_db).database
    owner = sa.create_engine(postgres_db)
    with owner.begin() as connection:
        connection.execute(sa.text("CREATE TABLE customers (id int, email text)"))
        connection.execute(
            sa.text(
                "INSERT INTO customers SELECT i, 'c' || i || '@example.com' FROM generate_series(1, 50) i"
            )
        )
    _people_csv(tmp_path / "people.csv")
    store = tmp_path / "history.sqlite"
    report = tmp_path / "out" / "report.json"
    sarif = tmp_path / "out" / "report.sarif"
    config = tmp_path / "piimap.yaml"
    config.write_text(
        "sources:\n"
        "  files: people.csv\n"
        f"  shop: {postgres_db}\n"
        "  never: people.csv\n"
        "settings: {statement_timeout_seconds: 60, workers: 2}\n"
        f"store: sqlite:///{store}\n"
        "reports:\n"
        "  - {format: sarif, path: out/report.sarif}\n",
        encoding="utf-8",
    )
    locker = owner.connect()
    locker.execute(sa.text("BEGIN"))
    locker.execute(sa.text("LOCK TABLE customers IN ACCESS EXCLUSIVE MODE"))
    admin = sa.create_engine(postgres_db, isolation_level="AUTOCOMMIT")
    process = subprocess.Popen(
        [
            PIIMAP,
            "check",
            "--config",
            str(config),
            "--policy",
            str(_policy(tmp_path)),
            "--format",
            "json",
            "--output",
            str(report),
            "--quiet",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PIIMAP_STORE": f"sqlite:///{store}"},
    )
    try:
        _wait_for_lock_waiter(admin, database)
        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
        exit_seconds = time.monotonic() - started
    finally:
        if process.poll() is None:
            process.kill()
        locker.rollback()
        locker.close()
        owner.dispose()
        admin.dispose()
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "interrupted" in stderr
    assert exit_seconds < 15  # the blocked read is abandoned, not waited for (statement timeout is 60 s)
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["interrupted"] is True
    statuses = {source["name"]: source["status"] for source in data["sources"]}
    assert statuses == {"files": "ok", "shop": "error", "never": "error"}
    assert {finding["category"] for finding in data["findings"] if finding["source"] == "files"} >= {
        "user.contact.email"
    }
    assert json.loads(sarif.read_text(encoding="utf-8"))["runs"]  # the config's reports are written too
    with sqlite3.connect(store) as connection:
        rows = connection.execute("SELECT status, finding_count FROM piimap_runs").fetchall()
    assert rows == [("interrupted", len(data["findings"]))]


def _policy(folder: Path) -> Path:
    path = folder / "policy.yaml"
    path.write_text("collected: [user.contact.email, user.name]\n", encoding="utf-8")
    return path


def test_thread_executor_stops_on_ctrl_c_and_the_result_is_partial(tmp_path: Path) -> None:
    """In-process: a KeyboardInterrupt while the engine waits ends the scan with what was read."""
    for index in range(3):
        _people_csv(tmp_path / f"a{index}.csv")
    calls = {"count": 0}

    class InterruptAfterFirst:
        def source_started(self, spec: SourceSpec) -> None: ...

        def containers_discovered(self, spec: SourceSpec, count: int) -> None: ...

        def container_done(self, outcome: object) -> None:
            calls["count"] += 1
            if calls["count"] == 1:
                raise KeyboardInterrupt

        def source_finished(self, status: SourceStatus) -> None: ...

    specs = [SourceSpec("first", str(tmp_path)), SourceSpec("second", str(tmp_path))]
    result = scan(specs, ScanSettings(), executor=ThreadExecutor(1), observer=InterruptAfterFirst())  # type: ignore[arg-type]
    assert result.interrupted is True
    assert [status.status for status in result.sources] == ["error", "error"]
    assert "interrupted" in (result.sources[0].error or "")
    assert "not scanned" in (result.sources[1].error or "")
    assert {finding.source for finding in result.findings} == {"first"}  # the container read before Ctrl-C


def _result() -> ScanResult:
    finding = Finding("src", "t", "email", "user.contact.email", 0.9, 1, 1, "email", ("j***@e***.com",))
    return ScanResult(
        "2024-01-01T00:00:00+00:00",
        "2024-01-01T00:00:01+00:00",
        (SourceStatus("src", "sqlite:///x.db", "ok"),),
        (finding,),
    )


def test_an_unknown_format_leaves_an_existing_report_untouched(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("previous report\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        write_report("no-such-format", _result(), target)
    assert target.read_text(encoding="utf-8") == "previous report\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["report.json"]


def test_a_report_failing_mid_render_leaves_the_existing_report_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from piimap.reports import json_report

    target = tmp_path / "report.json"
    write_report("json", _result(), target)
    before = target.read_bytes()

    def explode(result: ScanResult) -> dict:
        raise RuntimeError("renderer bug")

    monkeypatch.setattr(json_report, "result_to_dict", explode)
    with pytest.raises(RuntimeError):
        write_report("json", _result(), target)
    assert target.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["report.json"]


def test_a_failing_disk_write_leaves_the_existing_report_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.json"
    write_report("json", _result(), target)
    before = target.read_bytes()

    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_space)
    with pytest.raises(ConfigError, match="No space left"):
        write_report("json", _result(), target)
    assert target.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["report.json"]
