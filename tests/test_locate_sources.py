"""``piimap locate`` on MongoDB (mongomock), S3 (moto's server over HTTP) and log and data files: the
planted person is found in every place that holds her, and nobody else is."""

from __future__ import annotations

import gzip
import hashlib
import json
import random
from pathlib import Path

import pytest
from locate_helpers import HMAC_KEY, JANE_DEVICE, JANE_EMAIL, OTHER_EMAIL, keys_in, run_locate, write_config
from moto_server import FaultProxy

from piimap.connectors import mongo

pytest_plugins = ["fixtures_s3"]

JANE_IP = "203.0.113.77"
NEAR_IP = "203.0.113.7"  # a prefix of Jane's address: a different client
JANE_GA = "GA1.2.1184039262.1700000000"


@pytest.fixture(autouse=True)
def _hmac_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIIMAP_HMAC_KEY", HMAC_KEY)


def _access_line(ip: str, email: str | None, ga: str, number: int) -> str:
    query = f"?email={email.replace('@', '%40')}" if email else f"?page={number}"
    return (
        f'{ip} - - [10/Oct/2026:13:{number % 60:02d}:36 +0000] "GET /signup{query} HTTP/1.1" 200 512 '
        f'"https://example.org/" "Mozilla/5.0 (X11; Linux x86_64)" "_ga={ga}; sid=s{number}"\n'
    )


def _access_log(rng: random.Random, planted: dict[int, tuple[str, str | None, str]], lines: int = 300) -> str:
    out = []
    for number in range(lines):
        if number in planted:
            out.append(_access_line(*planted[number], number))
        else:
            ip = f"198.51.100.{rng.randint(1, 250)}"
            email = f"visitor{number}@example.net" if number % 3 == 0 else None
            out.append(
                _access_line(ip, email, f"GA1.2.{rng.randint(10**8, 10**9)}.{1600000000 + number}", number)
            )
    return "".join(out)


def _events(rng: random.Random, planted: dict[int, dict], count: int = 200) -> str:
    rows = []
    for number in range(count):
        record = planted.get(number) or {
            "user": {"email": f"member{number}@example.com", "ip": f"192.0.2.{rng.randint(1, 250)}"},
            "device": {"advertising_id": str(_uuid(rng))},
        }
        rows.append(json.dumps({"event_id": f"evt_{number}", **record}) + "\n")
    return "".join(rows)


def _uuid(rng: random.Random) -> str:
    import uuid

    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


# --------------------------------------------------------------------------- log and data files


def test_log_and_data_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = random.Random(5)
    logs = tmp_path / "data" / "logs"
    logs.mkdir(parents=True)
    (logs / "access.log").write_text(
        _access_log(rng, {17: (JANE_IP, None, JANE_GA), 250: (NEAR_IP, None, "GA1.2.555.1700000001")}),
        encoding="utf-8",
    )
    (logs / "access.log.1.gz").write_bytes(
        gzip.compress(
            _access_log(
                rng, {3: (JANE_IP, JANE_EMAIL.upper(), JANE_GA), 9: ("192.0.2.1", OTHER_EMAIL, "GA1.2.9.9")}
            ).encode()
        )
    )
    exports = tmp_path / "data" / "exports"
    exports.mkdir()
    (exports / "customers.csv").write_text(
        "id,email,full_name\n"
        + "".join(f"{n},member{n}@example.com,Member {n}\n" for n in range(60))
        + f"99,{JANE_EMAIL},Jane Doe\n100,{OTHER_EMAIL},Janet Dorsey\n",
        encoding="utf-8",
    )
    (exports / "events.jsonl").write_text(
        _events(
            rng,
            {
                42: {
                    "user": {"email": "Jane.Doe@example.com", "ip": JANE_IP},
                    "device": {"advertising_id": JANE_DEVICE},
                }
            },
        ),
        encoding="utf-8",
    )
    config = write_config(tmp_path, {"files": str(tmp_path / "data")})
    code, report = run_locate(
        capsys,
        "--config",
        str(config),
        "--email",
        JANE_EMAIL,
        "--ip",
        JANE_IP,
        "--cookie-id",
        "1184039262.1700000000",
    )
    assert code == 0, report
    log_keys = keys_in(report, "logs/access.log")
    assert log_keys == {"access.log:18", "access.log.1.gz:4"}  # line numbers count from 1
    fields = {(m["row_key"], m["field"]) for m in report["matches"] if m["container"].endswith("access.log")}
    assert ("access.log:18", "client_ip") in fields and ("access.log:18", "cookie._ga") in fields
    assert ("access.log.1.gz:4", "query.email") in fields
    assert keys_in(report, "customers.csv") == {"customers.csv:62"}
    assert keys_in(report, "events.jsonl") == {"events.jsonl:43"}
    lookups = [lookup for lookup in report["lookups"] if lookup["method"] == "stream"]
    assert lookups and all(lookup["status"] == "ran" for lookup in lookups)
    assert JANE_EMAIL not in json.dumps(report) and JANE_IP not in json.dumps(report)
    # 203.0.113.7 is a prefix of Jane's address, and another client
    code, report = run_locate(capsys, "--config", str(config), "--ip", NEAR_IP)
    assert code == 0 and keys_in(report, "logs/access.log") == {"access.log:251"}
    code, report = run_locate(capsys, "--config", str(config), "--email", OTHER_EMAIL)
    assert keys_in(report, "logs/access.log") == {"access.log.1.gz:10"}
    assert keys_in(report, "customers.csv") == {"customers.csv:63"}


def test_file_search_stops_at_the_line_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = random.Random(9)
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "access.log").write_text(
        _access_log(rng, {5: (JANE_IP, None, JANE_GA), 200: (JANE_IP, None, JANE_GA)}), encoding="utf-8"
    )
    config = write_config(tmp_path, {"web": str(tmp_path / "logs")})
    code, report = run_locate(capsys, "--config", str(config), "--ip", JANE_IP, "--max-rows-scanned", "100")
    assert code == 0
    assert keys_in(report, "access.log") == {"access.log:6"}
    (lookup,) = report["lookups"]
    assert lookup["status"] == "partial" and lookup["rows_scanned"] == 100
    assert "--max-rows-scanned" in lookup["message"]
    code, report = run_locate(capsys, "--config", str(config), "--ip", JANE_IP)
    assert keys_in(report, "access.log") == {"access.log:6", "access.log:201"}


def test_locate_changes_no_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from test_security_never_writes import _state, _tree

    root = _tree(tmp_path / "data")
    config = write_config(tmp_path, {"files": str(root)})
    run_locate(capsys, "--config", str(config), "--email", "u3@example.com")  # scans first, then looks up
    before = _state(root)
    code, report = run_locate(
        capsys, "--config", str(config), "--email", "u3@example.com", "--ip", "203.0.113.3"
    )
    assert code == 0 and report["matches"]
    assert _state(root) == before


# --------------------------------------------------------------------------- S3


@pytest.mark.slow
def test_s3_objects_of_a_group_are_all_searched(
    s3, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(3)
    bucket = s3.new_bucket()
    jane = {"user": {"email": JANE_EMAIL, "ip": JANE_IP}, "device": {"advertising_id": JANE_DEVICE}}
    other = {
        "user": {"email": OTHER_EMAIL, "ip": "192.0.2.200"},
        "device": {"advertising_id": str(_uuid(rng))},
    }
    for day in range(1, 8):  # seven similar objects: a scan reads 3, locate reads them all
        planted = {11: jane} if day in (2, 6) else ({12: other} if day == 4 else {})
        body = gzip.compress(_events(rng, planted).encode())
        s3.put(bucket, f"events/dt=2026-11-0{day}/part-0000.jsonl.gz", body)
    s3.put(bucket, "logs/access.log", _access_log(rng, {7: (JANE_IP, None, JANE_GA)}))
    config = write_config(tmp_path, {"lake": f"s3://{bucket}/"})
    code, report = run_locate(capsys, "--config", str(config), "--email", JANE_EMAIL, "--ip", JANE_IP)
    assert code == 0, report
    assert keys_in(report, ".jsonl.gz") == {
        "events/dt=2026-11-02/part-0000.jsonl.gz:12",
        "events/dt=2026-11-06/part-0000.jsonl.gz:12",
    }
    assert keys_in(report, "logs/access.log") == {"logs/access.log:8"}
    # only reads reach the bucket
    with FaultProxy(s3.endpoint_url) as proxy:
        import os

        os.environ["AWS_ENDPOINT_URL"] = proxy.endpoint_url
        try:
            code, _ = run_locate(capsys, "--config", str(config), "--email", JANE_EMAIL)
        finally:
            os.environ["AWS_ENDPOINT_URL"] = s3.endpoint_url
    assert code == 0
    methods = {request.method for request in proxy.requests}
    assert proxy.requests and methods <= {"GET", "HEAD"}, methods


# --------------------------------------------------------------------------- MongoDB


@pytest.fixture
def mock_client(monkeypatch: pytest.MonkeyPatch):
    import mongomock

    client = mongomock.MongoClient()
    monkeypatch.setattr(mongo, "client_factory", lambda url, **options: client)
    return client


def _crm(client) -> None:
    rng = random.Random(11)
    people = [
        {
            "_id": 1,
            "name": "Jane Doe",
            "contact": {"email": "Jane.Doe@Example.com"},
            "devices": [{"advertising_id": JANE_DEVICE}],
        },
        {
            "_id": 2,
            "name": "Janet Dorsey",
            "contact": {"email": OTHER_EMAIL},
            "devices": [{"advertising_id": str(_uuid(rng))}],
        },
        {"_id": 3, "name": "Jane Doe", "contact": {"email": "jane.d@example.org"}, "devices": []},
    ]
    people += [
        {
            "_id": n,
            "name": f"{rng.choice(['Liam', 'Emma', 'Noah', 'Mia'])} {rng.choice(['Smith', 'Garcia', 'Lopez'])}",
            "contact": {"email": f"member{n}@example.com"},
            "devices": [{"advertising_id": str(_uuid(rng))}],
        }
        for n in range(4, 60)
    ]
    client["crm"]["people"].insert_many(people)
    client["crm"]["people"].create_index("contact.email")
    client["crm"]["sessions"].insert_many(
        [{"device_id": JANE_DEVICE, "page": "/"}, {"device_id": JANE_DEVICE.upper(), "page": "/x"}]
        + [{"device_id": str(_uuid(rng)), "page": "/"} for _ in range(40)]
    )


def test_mongodb_documents_by_dotted_paths(
    mock_client, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _crm(mock_client)
    config = write_config(tmp_path, {"crm": "mongodb://127.0.0.1:27017/crm"})
    code, report = run_locate(
        capsys,
        "--config",
        str(config),
        "--email",
        JANE_EMAIL,
        "--device-id",
        JANE_DEVICE,
        "--name",
        "Jane Doe",
    )
    assert code == 0, report
    assert keys_in(report, "crm.people") == {"_id=1"}  # the namesake (_id=3) has another e-mail
    assert report["namesakes_excluded"] == 1
    assert len(keys_in(report, "crm.sessions")) == 2  # case of a device id does not matter
    fields = {m["field"] for m in report["matches"] if m["container"] == "crm.people"}
    assert {"contact.email", "devices[].advertising_id", "name"} <= fields
    code, report = run_locate(capsys, "--config", str(config), "--email", OTHER_EMAIL)
    assert keys_in(report, "crm.people") == {"_id=2"}


def test_mongodb_is_left_as_it_was(mock_client, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _crm(mock_client)

    def digest() -> str:
        content = {
            name: sorted(
                json.dumps(doc, sort_keys=True, default=str) for doc in mock_client["crm"][name].find()
            )
            for name in mock_client["crm"].list_collection_names()
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()

    config = write_config(tmp_path, {"crm": "mongodb://127.0.0.1:27017/crm"})
    run_locate(capsys, "--config", str(config), "--email", JANE_EMAIL)
    before = digest()
    code, _ = run_locate(capsys, "--config", str(config), "--email", JANE_EMAIL, "--device-id", JANE_DEVICE)
    assert code == 0
    assert digest() == before
