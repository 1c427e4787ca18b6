"""A scan never writes to what it scans, and talks to nothing but the configured sources.

SQL sources are covered by the SQL engineer's tests (read-only transactions, write counters,
SELECT-only roles, SQLite bytes and journals; see SECURITY.md). Here: files (bytes, mtimes,
permissions and the directory listing are identical after a full scan), S3 (moto's server behind
a recording proxy sees only GET and HEAD requests, and every object is unchanged), MongoDB
(mongomock's databases are identical after a scan), and the network (a Python audit hook in the
scanning process records every socket connection and DNS lookup).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from moto_server import FaultProxy

from piimap.cli import main

pytest_plugins = ["fixtures_s3"]

CSV = "email,phone,name\n" + "".join(
    f"user{i}@example.com,+1 415-555-01{i:02d},Jane Doe\n" for i in range(40)
)
JSONL = "".join(
    json.dumps({"user": {"email": f"u{i}@example.org", "ip": f"198.51.100.{i}"}}) + "\n" for i in range(40)
)
LOG = "".join(
    f'203.0.113.{i} - - [10/Oct/2023:13:55:36 +0000] "GET /?email=u{i}@example.com HTTP/1.1" 200 12 "-" "curl"\n'
    for i in range(40)
)


def _tree(root: Path) -> Path:
    (root / "logs").mkdir(parents=True)
    (root / "exports").mkdir()
    (root / "customers.csv").write_text(CSV, encoding="utf-8")
    (root / "exports" / "events.jsonl").write_text(JSONL, encoding="utf-8")
    (root / "exports" / "events.json").write_text(
        json.dumps([json.loads(line) for line in JSONL.splitlines()])
    )
    (root / "logs" / "access.log").write_text(LOG, encoding="utf-8")
    (root / "logs" / "access.log.1.gz").write_bytes(gzip.compress(LOG.encode()))
    (root / "notes.txt").write_text("call Jane on +1 415-555-0100\n", encoding="utf-8")
    return root


def _state(root: Path) -> dict[str, tuple]:
    """Every path under ``root`` with its content digest, size, mtime and mode."""
    state = {}
    for path in sorted([root, *root.rglob("*")]):
        info = path.stat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
        state[str(path.relative_to(root))] = (digest, info.st_size, info.st_mtime_ns, info.st_mode)
    return state


def test_a_full_file_scan_changes_no_byte_mtime_or_listing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _tree(tmp_path / "data")
    before = _state(root)
    code = main(
        [
            "scan",
            str(root),
            "--sample-size",
            "0",
            "-q",
            "--format",
            "json",
            "--store",
            f"sqlite:///{tmp_path / 'history.sqlite'}",
        ]
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert {finding["category"] for finding in report["findings"]} >= {
        "user.contact.email",
        "user.device.ip_address",
    }
    assert _state(root) == before


def test_s3_scan_sends_only_reads_and_changes_no_object(
    s3, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bucket = s3.new_bucket()
    s3.put(bucket, "exports/customers.csv", CSV)
    s3.put(bucket, "events/2024/01/events.jsonl", JSONL)
    s3.put(bucket, "logs/access.log.gz", gzip.compress(LOG.encode()))

    def objects() -> dict[str, tuple[str, int]]:
        listing = s3.client.list_objects_v2(Bucket=bucket)["Contents"]
        return {item["Key"]: (item["ETag"], item["Size"]) for item in listing}

    before = objects()
    with FaultProxy(s3.endpoint_url) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint_url)
        code = main(["scan", f"s3://{bucket}/", "--sample-size", "0", "-q", "--format", "json", "--no-store"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert {finding["category"] for finding in report["findings"]} >= {"user.contact.email"}
    methods = {request.method for request in proxy.requests}
    assert proxy.requests and methods <= {"GET", "HEAD"}, methods
    assert objects() == before


def test_mongodb_scan_leaves_every_database_as_it_was(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import mongomock

    from piimap.connectors import mongo

    client = mongomock.MongoClient()
    monkeypatch.setattr(mongo, "client_factory", lambda url, **options: client)
    client.shop.customers.insert_many(
        [{"contact": {"email": f"c{i}@example.com"}, "n": i} for i in range(30)]
    )
    client.shop.customers.create_index("n")
    client.logs.visits.insert_many([{"ip": f"198.51.100.{i}"} for i in range(30)])

    def state() -> dict[str, object]:
        return {
            f"{database}.{collection}": (
                sorted(
                    json.dumps(doc, default=str, sort_keys=True)
                    for doc in client[database][collection].find()
                ),
                sorted(client[database][collection].index_information()),
            )
            for database in client.list_database_names()
            for collection in client[database].list_collection_names()
        }

    before = state()
    code = main(
        ["scan", "mongodb://db.example:27017/", "--sample-size", "0", "-q", "--format", "json", "--no-store"]
    )
    assert code == 0, capsys.readouterr().err
    assert json.loads(capsys.readouterr().out)["findings"]
    assert state() == before


_AUDITED_RUN = r"""
import json, sys
seen = []
def hook(event, args):
    if event == "socket.connect":
        address = args[1]
        seen.append(["connect", list(address) if isinstance(address, tuple) else str(address)])
    elif event == "socket.getaddrinfo":
        seen.append(["resolve", [str(args[0]), args[1]]])
    elif event == "urllib.Request":
        seen.append(["url", [args[0]]])
sys.addaudithook(hook)
from piimap.cli import main
try:
    code = main(sys.argv[2:])
finally:
    with open(sys.argv[1], "w") as out:
        json.dump(seen, out)
sys.exit(code)
"""


def _audited_scan(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, list, str]:
    log = tmp_path / "network.json"
    result = subprocess.run(
        [sys.executable, "-c", _AUDITED_RUN, str(log), *args],
        capture_output=True,
        text=True,
        env=env or dict(os.environ),
        timeout=180,
    )
    return result.returncode, json.loads(log.read_text()), result.stderr


@pytest.mark.slow
def test_a_file_scan_opens_no_network_connection_at_all(tmp_path: Path) -> None:
    """Loading the spaCy model, the name lists and every classifier needs no download."""
    root = _tree(tmp_path / "data")
    code, network, stderr = _audited_scan(
        tmp_path,
        "scan",
        str(root),
        "-q",
        "--format",
        "json",
        "--store",
        f"sqlite:///{tmp_path / 'history.sqlite'}",
    )
    assert code == 0, stderr
    assert [event for event in network if event[0] != "connect" or not isinstance(event[1], str)] == []


@pytest.mark.slow
def test_an_s3_scan_connects_only_to_the_configured_endpoint(s3, tmp_path: Path) -> None:
    bucket = s3.new_bucket()
    s3.put(bucket, "customers.csv", CSV)
    host, port = s3.endpoint_url.removeprefix("http://").split(":")
    code, network, stderr = _audited_scan(
        tmp_path, "scan", f"s3://{bucket}/", "-q", "--format", "json", "--no-store", env=dict(os.environ)
    )
    assert code == 0, stderr
    connects = {
        tuple(event[1][:2]) for event in network if event[0] == "connect" and not isinstance(event[1], str)
    }
    resolved = {event[1][0] for event in network if event[0] == "resolve"}
    assert connects == {(host, int(port))}
    assert resolved <= {host}
