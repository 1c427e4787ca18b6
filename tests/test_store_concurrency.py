"""Several scans creating a new history store at once all record their runs (issue #12, item 10).

Real processes (forked after importing piimap, released together by a barrier) open a store that
does not exist yet and record one run each, against a SQLite file, PostgreSQL and MariaDB. Before
the fix most of them failed with "table piimap_meta already exists" (SQLite) or a duplicate
``pg_type`` key (PostgreSQL) and their runs were lost.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from piimap.model import Finding, ScanResult, SourceStatus
from piimap.store import open_store

PROCESSES = 6
ROUNDS = 3


def _result(index: int) -> ScanResult:
    return ScanResult(
        started="2026-01-01T00:00:00+00:00",
        finished="2026-01-01T00:00:01+00:00",
        sources=(SourceStatus(name=f"app{index}", url="sqlite:///app.db", status="ok"),),
        findings=(
            Finding(
                source=f"app{index}",
                container="main.users",
                field="email",
                category="user.contact.email",
                confidence=0.9,
                matched=9,
                sampled=10,
                classifier="email",
                examples=("j***@e***.org",),
            ),
        ),
    )


def _record_one_run(url: str, index: int, barrier, results) -> None:  # type: ignore[no-untyped-def]
    barrier.wait(timeout=60)
    try:
        with open_store(url) as store:
            results.put(("ok", store.record(_result(index), command="scan")))
    except Exception as error:  # reported to the test, which fails on it
        results.put(("error", f"{type(error).__name__}: {error}"))


def _drop_tables(url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            names = [name for name in sa.inspect(connection).get_table_names() if name.startswith("piimap_")]
            metadata = sa.MetaData()
            metadata.reflect(connection, only=names)
            metadata.drop_all(connection)
    finally:
        engine.dispose()


def _race(url: str) -> list[tuple[str, object]]:
    context = multiprocessing.get_context("fork")  # piimap is imported already: they start together
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    processes = [
        context.Process(target=_record_one_run, args=(url, index, barrier, results))
        for index in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(30)
    return outcomes


@pytest.mark.parametrize("backend", ["sqlite", "postgres", "mariadb"])
def test_scans_creating_a_new_store_at_once_all_record_their_runs(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        urls = [f"sqlite:///{tmp_path / f'history-{round_}.sqlite'}" for round_ in range(ROUNDS)]
    else:
        request.applymarker(getattr(pytest.mark, backend))
        urls = [request.getfixturevalue(f"{backend}_db")] * ROUNDS
    for round_, url in enumerate(urls):
        if round_ and backend != "sqlite":
            _drop_tables(url)  # a new store again
        outcomes = _race(url)
        errors = [detail for status, detail in outcomes if status != "ok"]
        assert not errors, f"round {round_}: {errors}"
        with open_store(url, create=False) as store:
            runs = store.runs()
        assert len(runs) == PROCESSES
        assert sorted(run_id for _, run_id in outcomes) == sorted(run.id for run in runs)
        assert {source for run in runs for source in run.sources} == {
            f"app{index}" for index in range(PROCESSES)
        }
