"""Executors: the Dask cluster gives the same results as local threads, and neither opens more
connections to a source than its limit (counted in PostgreSQL's pg_stat_activity)."""

from __future__ import annotations

import json
import pickle
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from piimap.cli import main
from piimap.config import load_config
from piimap.engine import ContainerTask, close_connector, open_connector, scan
from piimap.executors import DaskExecutor, _pick_workers, make_executor

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster():
    """A real two-process Dask cluster, shared by this module's tests."""
    import logging

    from distributed import LocalCluster

    local = LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address=None,
        scheduler_kwargs={"dashboard": False},
        silence_logs=logging.ERROR,
    )
    try:
        yield local
    finally:
        local.close()


def scan_json(capsys, *argv: str) -> dict:
    code = main(["scan", *argv, "--format", "json", "--quiet", "--no-store"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    report = json.loads(captured.out)
    return report


def test_dask_results_equal_local_results(shop_db, cluster, capsys) -> None:
    local = scan_json(capsys, shop_db, "--executor", "local")
    remote = scan_json(capsys, shop_db, "--executor", "dask", "--dask-scheduler", cluster.scheduler_address)
    assert remote["findings"] == local["findings"]
    assert remote["sources"] == local["sources"]
    assert {(f["container"].rsplit(".", 1)[-1], f["field"]) for f in remote["findings"]} >= {
        ("customers", "email"),
        ("employees", "email"),
    }


def test_container_tasks_survive_pickling(tmp_path: Path, sqlite_db: str, load_shop) -> None:
    load_shop(sqlite_db)
    config_file = tmp_path / "piimap.yaml"
    config_file.write_text(
        f"sources:\n  shop:\n    url: {sqlite_db}\n    include: ['*customers*', '*orders*']\n    max_connections: 1\n"
        "classifiers:\n  phone: {default_region: GB}\n"
    )
    config = load_config(config_file)
    (spec,) = config.sources
    try:
        containers = list(open_connector(spec, config.settings).discover())
    finally:
        close_connector(spec)
    assert len(containers) == 2
    for container in containers:
        task = ContainerTask(spec, container, config.settings)
        assert pickle.loads(pickle.dumps(task)) == task


def test_unreachable_scheduler_is_one_line_exit_2(tmp_path: Path, sqlite_db: str, load_shop, capsys) -> None:
    load_shop(sqlite_db)
    config_file = tmp_path / "piimap.yaml"
    config_file.write_text(
        f"sources:\n  shop: {sqlite_db}\n"
        "executor: {name: dask, scheduler: 'tcp://127.0.0.1:1', connect_timeout: 1}\n"
    )
    started = time.monotonic()
    code = main(["scan", "--config", str(config_file), "--quiet", "--no-store"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().splitlines() == [err.strip()]
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in err
    assert time.monotonic() - started < 30


def test_missing_dask_is_one_line_exit_2(sqlite_db, load_shop, capsys, monkeypatch) -> None:
    load_shop(sqlite_db)
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if dask[distributed] were not installed
    code = main(["scan", sqlite_db, "--executor", "dask", "--quiet", "--no-store"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == "piimap: error: --executor dask needs Dask distributed: pip install 'piimap[dask]'"


def test_scheduler_without_dask_executor_is_a_usage_error(sqlite_db, capsys) -> None:
    assert main(["scan", sqlite_db, "--dask-scheduler", "tcp://127.0.0.1:8786", "--no-store"]) == 2
    assert "--dask-scheduler needs --executor dask" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("threads", "limit", "expected"),
    [
        ({"tcp://a": 1, "tcp://b": 1, "tcp://c": 1}, 2, ["tcp://a", "tcp://b"]),
        ({"tcp://a": 1, "tcp://b": 1}, 5, ["tcp://a", "tcp://b"]),
        ({"tcp://a": 4, "tcp://b": 1}, 2, ["tcp://a"]),  # at least one worker, its tasks still capped
        ({"tcp://a": 2, "tcp://b": 1, "tcp://c": 1}, 3, ["tcp://a", "tcp://b"]),
        ({}, 2, []),
    ],
)
def test_workers_a_source_may_use(threads, limit, expected) -> None:
    assert _pick_workers(threads, limit) == expected


# --------------------------------------------------------------------------- connection limits


def many_tables(url: str, tables: int, rows: int) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for index in range(tables):
            connection.execute(
                sa.text(
                    f"CREATE TABLE members_{index} AS SELECT g AS id, 'member' || g || '@example.com' AS email,"
                    f" md5(g::text) AS token FROM generate_series(1, {rows}) g"
                )
            )
    engine.dispose()


class ConnectionCounter:
    """Polls pg_stat_activity for connections with one application_name; keeps the maximum seen."""

    def __init__(self, admin_url: str, application_name: str) -> None:
        import sqlalchemy as sa

        self.engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self.application_name = application_name
        self.maximum = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        import sqlalchemy as sa

        query = sa.text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name")
        with self.engine.connect() as connection:
            while not self._stop.is_set():
                count = connection.execute(query, {"name": self.application_name}).scalar()
                self.maximum = max(self.maximum, int(count))
                time.sleep(0.005)

    def __enter__(self) -> ConnectionCounter:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize(("executor", "limit"), [("local", 1), ("local", 3), ("dask", 1)])
def test_never_more_connections_than_the_limit(postgres_db, cluster, executor, limit) -> None:
    from conftest import POSTGRES_ADMIN_URL

    from piimap.model import SourceSpec
    from piimap.settings import ScanSettings

    many_tables(postgres_db, tables=12, rows=3000)
    application_name = f"piimap-limit-{uuid.uuid4().hex[:8]}"
    spec = SourceSpec(
        "members", f"{postgres_db}?application_name={application_name}", {"max_connections": limit}
    )
    settings = ScanSettings(sample_size=0, workers=6, max_connections_per_source=5)
    runner = make_executor(
        executor, settings, scheduler_address=cluster.scheduler_address if executor == "dask" else None
    )
    try:
        with ConnectionCounter(POSTGRES_ADMIN_URL, application_name) as counter:
            result = scan([spec], settings, executor=runner)
    finally:
        runner.close()
    assert not result.errors
    assert len({f.container for f in result.findings}) == 12
    assert 1 <= counter.maximum <= limit
    if limit > 1:
        assert counter.maximum >= 2, "containers were not read concurrently"
    # and nothing is left open once the scan is done
    with ConnectionCounter(POSTGRES_ADMIN_URL, application_name) as after:
        time.sleep(0.1)
    assert after.maximum == 0


def test_dask_executor_closes_cleanly_without_running(cluster) -> None:
    runner = DaskExecutor(cluster.scheduler_address)
    assert list(runner.run([])) == []
    runner.close()
    runner.close()
