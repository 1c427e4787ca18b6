"""The history store: append-only runs, one transaction per run, any SQLAlchemy URL, no secrets."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from piimap.config import Config, load_config
from piimap.model import (
    CategoryFlow,
    CategoryNode,
    ContainerNode,
    ContainsEdge,
    DataMapGraph,
    Finding,
    ReachesEdge,
    ScanResult,
    SourceSpec,
    SourceStatus,
    SystemNode,
    VendorFlow,
    VendorNode,
    Violation,
)
from piimap.pipeline import RunOptions, ScanRun, record_run, store_url
from piimap.settings import ScanSettings
from piimap.store import (
    SCHEMA_VERSION,
    ContainerRecord,
    StoreError,
    default_store_url,
    flows_of,
    open_store,
    scan_digest,
)


def finding(
    container: str, field: str | None, category: str, examples: tuple[str, ...] = ("j***@e***.com",)
) -> Finding:
    return Finding("app", container, field, category, 0.9, 9, 10, "email", examples, "9/10 valid")


def result(
    *findings: Finding, violations: tuple[Violation, ...] | None = None, datamap=None, status: str = "ok"
) -> ScanResult:
    return ScanResult(
        started="2024-05-01T10:00:00+00:00",
        finished="2024-05-01T10:00:05+00:00",
        sources=(SourceStatus("app", "postgresql://scanner:***@db/app", status, None, 4, 1),),
        findings=tuple(findings),
        violations=violations,
        datamap=datamap,
    )


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "history.sqlite"


def test_round_trip_of_a_run(store_path: Path) -> None:
    email = finding("public.users", "email", "user.contact.email")
    text = finding("logs/app.log", None, "user.device.ip_address", ("203.*.*.*",))
    violation = Violation(
        "undisclosed-flow",
        "emails go to Acme",
        source="app",
        category="user.contact.email",
        vendor="Acme",
        fingerprint="abc",
    )
    containers = [ContainerRecord("app", "public.users", "table", "rows=10", "scanned")]
    with open_store(f"sqlite:///{store_path}") as store:
        run_id = store.record(
            result(email, text, violations=(violation,)),
            command="check",
            config="/x/piimap.yaml",
            containers=containers,
            digests={"app": "d1"},
        )
        assert store.findings(run_id) == [text, email]  # report order: container, field, category
        assert store.violations(run_id) == [violation]
        assert store.flows(run_id) == {CategoryFlow("app", "Acme", "user.contact.email")}
        assert store.containers(run_id) == containers
        summary = store.run(run_id)
    assert (summary.command, summary.config, summary.sources) == ("check", "/x/piimap.yaml", ("app",))
    assert (summary.findings, summary.violations, summary.containers, summary.reused) == (2, 1, 4, 1)
    assert summary.status == "ok"


def test_run_ids_grow_and_references_resolve(store_path: Path) -> None:
    with open_store(f"sqlite:///{store_path}") as store:
        ids = [store.record(result(), command="scan") for _ in range(3)]
        assert ids == sorted(ids) and len(set(ids)) == 3
        assert [summary.id for summary in store.runs()] == ids[::-1]
        assert [summary.id for summary in store.runs(limit=2)] == ids[:0:-1]
        cases = {
            "latest": ids[2],
            "latest~1": ids[1],
            "latest~2": ids[0],
            str(ids[0]): ids[0],
            " latest ": ids[2],
        }
        for reference, expected in cases.items():
            assert store.resolve(reference) == expected, reference
        for bad in ("latest~3", "99", "yesterday", "-1", "latest~x"):
            with pytest.raises(StoreError):
                store.resolve(bad)


def test_a_failing_write_leaves_no_half_written_run(store_path: Path) -> None:
    def inventory():
        yield ContainerRecord("app", "public.users", "table", "1", "scanned")
        raise RuntimeError("the scanner crashed while writing")

    with open_store(f"sqlite:///{store_path}") as store:
        store.record(result(finding("t", "email", "user.contact.email")), command="scan")
        with pytest.raises(StoreError, match="crashed"):
            store.record(
                result(finding("t", "phone", "user.contact.phone_number")),
                command="scan",
                containers=inventory(),
            )
        assert [summary.findings for summary in store.runs()] == [1]
    database = sqlite3.connect(store_path)
    try:
        tables = ("piimap_runs", "piimap_findings", "piimap_run_sources", "piimap_containers")
        counts = [database.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in tables]
    finally:
        database.close()
    assert counts == [1, 1, 1, 0]


def test_schema_version_is_recorded_and_a_newer_schema_is_refused(store_path: Path) -> None:
    open_store(f"sqlite:///{store_path}").close()
    database = sqlite3.connect(store_path)
    try:
        assert database.execute("SELECT value FROM piimap_meta WHERE key='schema_version'").fetchone() == (
            str(SCHEMA_VERSION),
        )
        database.execute(
            "UPDATE piimap_meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION + 1),)
        )
        database.commit()
    finally:
        database.close()
    with pytest.raises(StoreError, match="newer"):
        open_store(f"sqlite:///{store_path}")


def test_only_masked_examples_and_redacted_urls_are_stored(store_path: Path) -> None:
    secret_status = SourceStatus("app", "postgresql://scanner:hunter2@db/app", "ok", None, 1, 0)
    run = ScanResult("s", "f", (secret_status,), (finding("users", "email", "user.contact.email"),))
    with open_store(f"sqlite:///{store_path}") as store:
        store.record(run, command="scan")
    raw = store_path.read_bytes()
    assert b"hunter2" not in raw
    assert b"j***@e***.com" in raw


def test_unreachable_store_is_one_line_without_the_password() -> None:
    with pytest.raises(StoreError) as caught:
        open_store("postgresql+psycopg://scanner:hunter2@127.0.0.1:1/history?connect_timeout=2")
    message = str(caught.value)
    assert "hunter2" not in message and "scanner:***@127.0.0.1" in message
    assert "\n" not in message


def test_reading_verbs_do_not_create_a_store(tmp_path: Path) -> None:
    missing = tmp_path / "absent.sqlite"
    with pytest.raises(StoreError, match="no history store"):
        open_store(f"sqlite:///{missing}", create=False)
    assert not missing.exists()


@pytest.mark.postgres
def test_postgresql_store(postgres_db: str) -> None:
    with open_store(postgres_db) as store:
        first = store.record(result(finding("t", "email", "user.contact.email")), command="scan")
        second = store.record(result(), command="scan")
        assert second > first
        assert store.resolve("latest~1") == first
        assert [f.category for f in store.findings(first)] == ["user.contact.email"]
    with open_store(postgres_db) as again:  # tables exist already: opened, not recreated
        assert len(again.runs()) == 2


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"PIIMAP_STORE": "postgresql://h/piimap"}, "postgresql://h/piimap"),
        ({"XDG_DATA_HOME": "/data"}, "sqlite:////data/piimap/history.sqlite"),
        ({"HOME": "/home/ana"}, "sqlite:////home/ana/.local/share/piimap/history.sqlite"),
    ],
)
def test_default_store_location(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], expected: str
) -> None:
    for name in ("PIIMAP_STORE", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert default_store_url() == expected


def test_store_url_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIIMAP_STORE", "sqlite:///from-env.sqlite")
    config_file = tmp_path / "piimap.yaml"
    config_file.write_text("sources:\n  app: sqlite:///app.db\nstore: sqlite:///history/runs.sqlite\n")
    config = load_config(config_file)
    bare = Config(path=None, sources=config.sources, settings=ScanSettings())
    assert store_url(config, RunOptions(store="sqlite:///cli.sqlite")) == "sqlite:///cli.sqlite"
    assert store_url(config, RunOptions(store=None)) == f"sqlite:///{tmp_path.resolve()}/history/runs.sqlite"
    assert store_url(bare, RunOptions(store=None)) == "sqlite:///from-env.sqlite"


def test_record_run_sets_the_run_id_and_no_store_skips_it(store_path: Path) -> None:
    config = Config(path=None, sources=(SourceSpec("app", "sqlite:///app.db"),), settings=ScanSettings())
    url = f"sqlite:///{store_path}"
    recorded = record_run(config, RunOptions(store=url, no_store=False, command="scan"), ScanRun(result()))
    assert recorded.result.run_id == 1
    skipped = record_run(config, RunOptions(store=url, no_store=True, command="scan"), ScanRun(result()))
    assert skipped.result.run_id is None
    with open_store(url) as store:
        assert len(store.runs()) == 1


def test_scan_digest_changes_with_settings_and_source_but_not_the_password() -> None:
    spec = SourceSpec("app", "postgresql://u:one@db/app")
    same_but_new_password = SourceSpec("app", "postgresql://u:two@db/app")
    assert scan_digest(spec, ScanSettings()) == scan_digest(same_but_new_password, ScanSettings())
    assert scan_digest(spec, ScanSettings()) != scan_digest(spec, ScanSettings(sample_size=10))
    assert scan_digest(spec, ScanSettings()) != scan_digest(
        SourceSpec("app", "postgresql://u@db/other"), ScanSettings()
    )


def test_flows_come_from_the_datamap_flow_edges() -> None:
    datamap = DataMapGraph(
        nodes=(
            SystemNode("app", "ok"),
            VendorNode("acme", "Acme Analytics", "analytics"),
            CategoryNode("user.contact.email"),
            ContainerNode("app", "users"),
        ),
        edges=(
            VendorFlow("app", "acme", declared=("all",), carries=("user.contact.email", "user.name")),
            ReachesEdge("user.contact.email", "acme", ("app",)),
            ContainsEdge("system:app", "container:app/users"),
        ),
    )
    assert flows_of(result(datamap=datamap)) == [
        CategoryFlow("app", "acme", "user.contact.email"),
        CategoryFlow("app", "acme", "user.name"),
    ]


def test_flows_from_the_real_datamap_builder() -> None:
    from piimap.checks import evaluate
    from piimap.declarations import parse_datamap

    datamap = parse_datamap(
        {
            "systems": {"app": {"categories": ["user.contact.email"]}},
            "vendors": {"acme": {"role": "analytics"}},
            "flows": [{"from": "app", "to": "acme", "categories": ["user.contact.email"]}],
        }
    )
    checked = evaluate(result(finding("users", "email", "user.contact.email")), datamap, None)
    assert CategoryFlow("app", "acme", "user.contact.email") in flows_of(checked)
