"""The connector contract, checked on every registered connector and the shipped fake one.

Every connector, built-in or plugin, must:

- do no I/O when it is constructed (no file opened, no directory listed, no socket, no DNS);
- check its option keys when it is constructed, and name a misspelt one on one line;
- discover containers that are plain, picklable data (they travel to Dask workers);
- give ``include`` / ``exclude`` one meaning: one glob or a list, case-insensitive, ``include``
  first, then ``exclude``;
- sample bounded text: at most ``limit`` values per field, every value a ``str``;
- fail as piimap errors: a source it cannot reach is one :class:`~piimap.model.SourceError` line
  in the scan result, not an exception;
- close twice without complaint.

A connector registered in ``piimap.connectors`` without a case below fails
:func:`test_every_registered_connector_has_a_contract_case`: add one.
"""

from __future__ import annotations

import pickle
import sqlite3
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from piimap.connectors import mongo
from piimap.connectors.fake import FakeConnector
from piimap.engine import ContainerTask, scan
from piimap.model import ConfigError, PiimapError, SourceSpec
from piimap.plugins import CONNECTOR_GROUP, load_group
from piimap.settings import ScanSettings

pytest_plugins = ["fixtures_s3"]

SETTINGS = ScanSettings(workers=1)
#: the three containers every contract source holds, by the name the connector gives them
TABLES = {
    "Users": [{"email": "zelda@example.com", "note": "gold"}, {"email": "yorick@example.org", "note": "new"}]
    * 3,
    "orders": [{"email": "xena@example.net", "note": "paid"}] * 4,
    "audit_log": [{"email": "wim@example.com", "note": "login"}] * 2,
}

# --------------------------------------------------------------------------- I/O watch


class _IoWatch:
    """Audit events of this thread while :attr:`active` (audit hooks cannot be removed: one for all)."""

    EVENTS = frozenset(
        {
            "open",
            "os.listdir",
            "os.scandir",
            "glob.glob",
            "socket.connect",
            "socket.getaddrinfo",
            "sqlite3.connect",
        }
    )

    def __init__(self) -> None:
        self.local = threading.local()
        sys.addaudithook(self.hook)

    def hook(self, event: str, args: tuple[Any, ...]) -> None:
        seen = getattr(self.local, "seen", None)
        if seen is not None and event in self.EVENTS:
            seen.append((event, str(args[0])[:120] if args else ""))

    def during(self, action: Callable[[], Any]) -> tuple[Any, list[tuple[str, str]]]:
        self.local.seen = []
        try:
            result = action()
        finally:
            seen, self.local.seen = self.local.seen, None
        return result, seen


_watch = _IoWatch()

# --------------------------------------------------------------------------- one source per connector


@dataclass(frozen=True)
class Case:
    """How to make a contract source for one connector."""

    #: (tmp_path, pytest request) -> (url, options) of a source holding TABLES
    source: Callable[[Path, pytest.FixtureRequest], tuple[str, dict[str, Any]]]
    #: (tmp_path, pytest request) -> (url, options) of a source that cannot be reached
    unreachable: Callable[[Path, pytest.FixtureRequest], tuple[str, dict[str, Any]]]


def _fake_source(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    return "fake://contract", {"containers": TABLES}


def _fake_unreachable(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    return "fake://contract", {"unavailable": "no route to host"}


def _sql_source(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    path = tmp_path / "contract.db"
    with sqlite3.connect(path) as db:
        for table, rows in TABLES.items():
            db.execute(f'CREATE TABLE "{table}" (id INTEGER PRIMARY KEY, email TEXT, note TEXT)')
            db.executemany(
                f'INSERT INTO "{table}" (email, note) VALUES (?, ?)', [(r["email"], r["note"]) for r in rows]
            )
    return f"sqlite:///{path}", {}


def _sql_unreachable(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    return f"sqlite:///{tmp_path / 'no-such-folder' / 'app.db'}", {}


def _csv(rows: list[dict[str, str]]) -> str:
    return "email,note\n" + "".join(f"{row['email']},{row['note']}\n" for row in rows)


def _files_source(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    folder = tmp_path / "contract"
    folder.mkdir()
    for name, rows in TABLES.items():
        (folder / f"{name}.csv").write_text(_csv(rows))
    return str(folder), {}


def _files_unreachable(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    return str(tmp_path / "no-such-folder"), {}


def _mongo_source(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    import mongomock

    client = mongomock.MongoClient()
    for name, rows in TABLES.items():
        client.contract[name].insert_many([dict(row) for row in rows])
    monkeypatch = request.getfixturevalue("monkeypatch")
    monkeypatch.setattr(mongo, "client_factory", lambda url, **options: client)
    return "mongodb://db.example:27017/contract", {}


def _mongo_unreachable(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    return "mongodb://127.0.0.1:1/contract", {"server_selection_timeout_seconds": 0.5}


def _s3_source(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    s3 = request.getfixturevalue("s3")
    bucket = s3.new_bucket("contract")
    for name, rows in TABLES.items():
        s3.put(bucket, f"{name}.csv", _csv(rows))
    return f"s3://{bucket}/", {}


def _s3_unreachable(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    monkeypatch = request.getfixturevalue("monkeypatch")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing-secret")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    return "s3://contract-bucket/", {
        "endpoint_url": "http://127.0.0.1:1",
        "region": "us-east-1",
        "max_attempts": 1,
    }


CASES: dict[str, Case] = {
    "fake": Case(_fake_source, _fake_unreachable),
    "sql": Case(_sql_source, _sql_unreachable),
    "files": Case(_files_source, _files_unreachable),
    "mongodb": Case(_mongo_source, _mongo_unreachable),
    "s3": Case(_s3_source, _s3_unreachable),
}
#: cases that start a server (moto) run in the full suite only
SLOW = {"s3"}
CONNECTORS = [pytest.param(name, marks=pytest.mark.slow) if name in SLOW else name for name in CASES]


def _factory(name: str) -> Any:
    return FakeConnector if name == "fake" else load_group(CONNECTOR_GROUP)[name]


def _spec(
    name: str, maker: Callable[..., tuple[str, dict[str, Any]]], tmp_path: Path, request, **extra
) -> SourceSpec:
    url, options = maker(tmp_path, request)
    return SourceSpec("contract", url, {**options, **extra})


def _containers(name: str, spec: SourceSpec) -> dict[str, Any]:
    """Discovered containers by their table name (``main.Users``, ``Users.csv``, ``db.Users`` -> ``users``)."""
    connector = _factory(name)(spec, SETTINGS)
    try:
        found = list(connector.discover())
    finally:
        connector.close()
    by_table = {}
    for container in found:
        leaf = container.name.rsplit("/", 1)[-1].rsplit(".", 2 if container.name.endswith(".csv") else 1)
        table = leaf[-2] if container.name.endswith(".csv") else leaf[-1]
        by_table[table.lower()] = container
    return by_table


# --------------------------------------------------------------------------- the contract


def test_every_registered_connector_has_a_contract_case() -> None:
    registered = set(load_group(CONNECTOR_GROUP))
    assert registered - set(CASES) == set(), "add a contract case for these connectors"
    assert {"sql", "files", "s3", "mongodb", "fake"} <= registered


@pytest.mark.parametrize("name", CONNECTORS)
def test_constructing_a_connector_does_no_io(
    name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    factory = _factory(name)
    for maker in (CASES[name].source, CASES[name].unreachable):
        (tmp_path / maker.__name__).mkdir()
        spec = _spec(name, maker, tmp_path / maker.__name__, request)
        factory(spec, SETTINGS).close()  # imports made on first use are not the constructor's I/O
        connector, seen = _watch.during(lambda spec=spec: factory(spec, SETTINGS))
        connector.close()
        assert seen == [], f"{name} did I/O while being constructed: {seen}"
        assert factory.accepts(spec.url)


@pytest.mark.parametrize("name", CONNECTORS)
def test_containers_are_plain_picklable_data(
    name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    spec = _spec(name, CASES[name].source, tmp_path, request)
    containers = _containers(name, spec)
    assert set(containers) == {"users", "orders", "audit_log"}
    for container in containers.values():
        assert container.source == "contract"
        assert pickle.loads(pickle.dumps(container)) == container
        task = ContainerTask(spec, container, SETTINGS)
        assert pickle.loads(pickle.dumps(task)).container == container


@pytest.mark.parametrize("name", CONNECTORS)
@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"include": "*USERS*"}, {"users"}),  # one glob (not split into characters), any case
        ({"include": ["*users*", "*Audit*"]}, {"users", "audit_log"}),
        ({"exclude": "*ORDERS*"}, {"users", "audit_log"}),
        ({"include": ["*users*", "*audit*"], "exclude": ["*AUDIT*"]}, {"users"}),
        ({"include": "*no-such-table*"}, set()),
    ],
)
def test_include_and_exclude_mean_the_same_everywhere(
    name: str, options: dict[str, Any], expected: set[str], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    spec = _spec(name, CASES[name].source, tmp_path, request, **options)
    assert set(_containers(name, spec)) == expected


@pytest.mark.parametrize("name", CONNECTORS)
def test_samples_are_bounded_text(name: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    spec = _spec(name, CASES[name].source, tmp_path, request)
    connector = _factory(name)(spec, SETTINGS)
    try:
        users = _containers(name, spec)["users"]
        samples = list(connector.sample(users, 2))
        emails = [sample for sample in samples if sample.field.name == "email"]
        assert emails and all(len(sample.values) <= 2 for sample in samples)
        assert all(isinstance(value, str) for sample in samples for value in sample.values)
        assert set(emails[0].values) <= {"zelda@example.com", "yorick@example.org"}
        everything = [sample for sample in connector.sample(users, 0) if sample.field.name == "email"]
        assert sum(sample.occurrences for sample in everything) == 6
    finally:
        connector.close()
        connector.close()  # twice: no complaint


@pytest.mark.parametrize("name", CONNECTORS)
def test_an_unreachable_source_is_one_source_error(
    name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    spec = _spec(name, CASES[name].unreachable, tmp_path, request)
    connector = _factory(name)(spec, SETTINGS)
    with pytest.raises(PiimapError) as raised:
        list(connector.discover())
    connector.close()
    assert "\n" not in str(raised.value).strip()
    result = scan([spec], SETTINGS)
    (status,) = result.sources
    assert status.status == "error" and status.error
    assert len(result.errors) == 1 and result.errors[0].source == "contract"
    assert "Traceback" not in result.errors[0].one_line()


@pytest.mark.parametrize("name", CONNECTORS)
def test_a_misspelt_option_is_named_on_one_line(
    name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    spec = _spec(name, CASES[name].source, tmp_path, request, includ="*users*")
    with pytest.raises(ConfigError) as raised:
        _factory(name)(spec, SETTINGS)
    message = str(raised.value)
    assert "sources.contract.includ" in message and "include" in message and "\n" not in message


# --------------------------------------------------------------------------- the fake connector itself


def test_the_fake_connector_runs_a_whole_scan_offline() -> None:
    spec = SourceSpec("crm", "fake://crm", {"containers": TABLES, "unreadable": "orders"})
    result = scan([spec], SETTINGS)
    assert {(f.container, f.field, f.category) for f in result.findings} == {
        ("Users", "email", "user.contact.email"),
        ("audit_log", "email", "user.contact.email"),
    }
    assert [error.one_line() for error in result.errors] == ["crm: orders: orders: permission denied (fake)"]


def test_the_fake_connector_fails_part_way_and_keeps_what_it_read() -> None:
    rows = [{"email": f"user{index}@example.com"} for index in range(10)]
    spec = SourceSpec("crm", "fake://crm", {"containers": {"people": rows}, "batch_size": 4, "fail_after": 8})
    result = scan([spec], ScanSettings(workers=1, sample_size=0))
    (finding,) = result.findings
    assert finding.sampled == 8
    assert "connection lost after 8 rows" in result.errors[0].message


def test_the_fake_connector_sends_counted_samples_on_full_reads() -> None:
    spec = SourceSpec("crm", "fake://crm", {"containers": {"people": TABLES["Users"]}, "counted": True})
    connector = FakeConnector(spec, SETTINGS)
    (container,) = connector.discover()
    (email, _note) = connector.sample(container, 0)
    assert email.values == ("zelda@example.com", "yorick@example.org") and email.counts == (3, 3)
    result = scan([spec], ScanSettings(workers=1, sample_size=0))
    assert [(f.field, f.matched, f.sampled) for f in result.findings] == [("email", 6, 6)]
