"""Personal data in names: JSON keys, file and folder names and S3 keys that are themselves
personal data never reach a report, the terminal or the history store, and a map keyed by them
is one field (``contacts.<email>.phone``) that says what was masked.

Real files, the installed ``piimap`` console script, a real SQLite history store and moto's S3
server over HTTP. Every byte written (stdout, stderr, each report, the store file) is searched
for every raw name.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from piimap.name_masking import mask_key, mask_path

pytest_plugins = ["fixtures_s3"]

PIIMAP = str(Path(sys.executable).with_name("piimap"))
CONTACT_EMAILS = [f"contact.{index}@example-mail.org" for index in range(101)]
SESSION_PHONES = [f"+44 20 7946 {index:04d}" for index in range(40)]  # keys written as phones
FILE_EMAIL = "jane.doe@example.org"
FOLDER_PHONE = "+14155550134"
FILE_IP = "203.0.113.77"


def _piimap(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PIIMAP, *args], capture_output=True, text=True, timeout=300)


def _write_data(root: Path) -> None:
    contacts = {
        "contacts": {
            email: {"phone": f"+1 415 555 {index:04d}", "city": "Springfield"}
            for index, email in enumerate(CONTACT_EMAILS)
        }
    }
    (root / "contacts.json").write_text(json.dumps(contacts), encoding="utf-8")
    (root / "sessions.jsonl").write_text(
        "".join(
            json.dumps({"user": f"u{index}", "sessions": {phone: {"ip": f"198.51.100.{index + 1}"}}}) + "\n"
            for index, phone in enumerate(SESSION_PHONES)
        ),
        encoding="utf-8",
    )
    exports = root / "exports"
    exports.mkdir()
    (exports / f"{FILE_EMAIL}.csv").write_text(
        "email,note\n" + "".join(f"buyer{index}@shop.example.com,ok\n" for index in range(20)),
        encoding="utf-8",
    )
    folder = root / "users" / FOLDER_PHONE
    folder.mkdir(parents=True)
    (folder / "profile.json").write_text(
        json.dumps([{"email": f"p{index}@example.net"} for index in range(20)]), encoding="utf-8"
    )
    (root / f"host-{FILE_IP}.log").write_text(
        "".join(f"login from 192.0.2.{index} for user{index}@example.com\n" for index in range(20)),
        encoding="utf-8",
    )


def _raw_names() -> list[str]:
    digits_only = [phone.replace(" ", "") for phone in SESSION_PHONES]
    return [*CONTACT_EMAILS, *SESSION_PHONES, *digits_only, FILE_EMAIL, FOLDER_PHONE, FILE_IP]


def _leaks(outputs: dict[str, bytes]) -> dict[str, list[str]]:
    raw = [name.encode("utf-8") for name in _raw_names()]
    return {
        where: [name.decode() for name in raw if name in data]
        for where, data in outputs.items()
        if any(name in data for name in raw)
    }


@pytest.mark.slow
def test_personal_data_in_keys_and_file_names_is_masked_and_maps_fold_into_one_field(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    _write_data(data)
    out = tmp_path / "out"
    store = f"sqlite:///{tmp_path / 'history.sqlite'}"
    runs = {
        "json": _piimap(
            "scan", str(data), "--store", store, "-q", "--format", "json", "-o", str(out / "r.json")
        ),
        "table": _piimap("scan", str(data), "--store", store, "-q", "--full"),
        "html": _piimap("scan", str(data), "--no-store", "-q", "--format", "html", "-o", str(out / "r.html")),
        "sarif": _piimap(
            "scan", str(data), "--no-store", "-q", "--format", "sarif", "-o", str(out / "r.sarif")
        ),
        "explain": _piimap("explain", str(data), "-q"),
        "history": _piimap("history", "--store", store),
        "diff": _piimap("diff", "--store", store, "--format", "json"),
    }
    for verb, run in runs.items():
        assert run.returncode == 0, (verb, run.stderr)
    report = json.loads((out / "r.json").read_text(encoding="utf-8"))
    by_field = {(finding["container"], finding["field"]): finding for finding in report["findings"]}

    phones = by_field[(f"{data}/contacts.json", "contacts.<email>.phone")]
    assert phones["category"] == "user.contact.phone_number" and phones["matched"] == phones["sampled"] >= 64
    assert phones["masked_names"] == ["email"]
    assert {field for container, field in by_field if container.endswith("contacts.json")} == {
        "contacts.<email>.phone"  # one field for 101 contacts, not 101 fields named after them
    }
    assert by_field[(f"{data}/sessions.jsonl", "sessions.<phone>.ip")]["masked_names"] == ["phone"]
    exported = by_field[(f"{data}/exports/<email>.csv", "email")]
    assert exported["category"] == "user.contact.email" and exported["masked_names"] == ["email"]
    assert (f"{data}/users/<phone>/profile.json", "[].email") in by_field
    assert (f"{data}/host-<ip>.log", None) in by_field
    sarif = json.loads((out / "r.sarif").read_text(encoding="utf-8"))
    assert any(result["properties"].get("maskedNames") == ["email"] for result in sarif["runs"][0]["results"])

    outputs = {f"{verb} stdout": run.stdout.encode() for verb, run in runs.items()}
    outputs |= {f"{verb} stderr": run.stderr.encode() for verb, run in runs.items()}
    outputs |= {path.name: path.read_bytes() for path in out.iterdir()}
    outputs["history.sqlite"] = (tmp_path / "history.sqlite").read_bytes()
    assert _leaks(outputs) == {}


def test_s3_keys_that_are_personal_data_are_masked_and_grouped(s3: Any, tmp_path: Path) -> None:
    bucket = s3.new_bucket()
    for person in (FILE_EMAIL, "john.smith@example.org", "ana.lima@exemplo.com.br"):
        s3.put(
            bucket,
            f"exports/{person}.csv",
            "email\n" + "".join(f"c{i}@corp.example.com\n" for i in range(10)),
        )
    s3.put(bucket, f"profiles/{FOLDER_PHONE}.json", json.dumps({"email": "someone@example.net"}))
    store = f"sqlite:///{tmp_path / 'history.sqlite'}"
    run = _piimap("scan", f"s3://{bucket}/", "--store", store, "-q", "--format", "json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    containers = {finding["container"] for finding in report["findings"]}
    assert containers == {f"{bucket}/exports/<email>.csv", f"{bucket}/profiles/<phone>.json"}
    raw = (FILE_EMAIL, "john.smith@example.org", "ana.lima@exemplo.com.br", FOLDER_PHONE)
    outputs = run.stdout + run.stderr + (tmp_path / "history.sqlite").read_bytes().decode("latin-1")
    assert [name for name in raw if name in outputs] == []


@pytest.mark.parametrize(
    ("key", "masked"),
    [
        ("jane@example.org", "<email>"),
        ("José.Núñez@correo.example.es", "<email>"),
        ("+44 20 7946 0958", "<phone>"),
        ("(415) 555-0134", "<phone>"),
        ("+81-3-1234-5678", "<phone>"),
        ("203.0.113.9", "<ip>"),
        ("2001:db8:85a3::8a2e:370:7334", "<ip>"),
        ("00:1A:2B:3C:4D:5E", "<device_id>"),
        ("352099001761481", "<device_id>"),
        ("6f9619ff-8b86-d011-b42d-00c04fc964ff", "<id>"),
        # ordinary keys stay as they are
        ("email", "email"),
        ("created_at", "created_at"),
        ("address2", "address2"),
        ("2026-11-27", "2026-11-27"),
        ("1.2.3.4", "1.2.3.4"),
        ("14155550134", "14155550134"),  # bare digits: ids look the same
        ("en-US", "en-US"),
        ("10:15:00", "10:15:00"),
    ],
)
def test_keys_that_are_personal_data(key: str, masked: str) -> None:
    assert mask_key(key) == masked


@pytest.mark.parametrize(
    ("path", "masked"),
    [
        ("exports/jane.doe@example.org.csv", "exports/<email>.csv"),
        ("exports/jane.doe@example.org.csv.gz", "exports/<email>.csv.gz"),
        ("exports/contacts-jane@example.org-2024.csv", "exports/<email>-2024.csv"),
        ("users/+14155550134/profile.json", "users/<phone>/profile.json"),
        ("calls/report_415-555-0134.txt", "calls/report_<phone>.txt"),
        ("logs/host-203.0.113.5.log", "logs/host-<ip>.log"),
        ("devices/mac-00-1a-2b-3c-4d-5e.log", "devices/mac-<device_id>.log"),
        # ordinary names stay as they are
        ("events/dt=2026-11-27/part-00001.jsonl.gz", "events/dt=2026-11-27/part-00001.jsonl.gz"),
        ("logs/2026/11/27/access-1732700000.log", "logs/2026/11/27/access-1732700000.log"),
        ("dist/app-1.2.3.4.tar.gz", "dist/app-1.2.3.4.tar.gz"),
        ("backup-20261127T101500Z.sql", "backup-20261127T101500Z.sql"),
        (
            "uploads/6f9619ff-8b86-d011-b42d-00c04fc964ff/a.png",
            "uploads/6f9619ff-8b86-d011-b42d-00c04fc964ff/a.png",
        ),
    ],
)
def test_paths_with_personal_data_in_a_segment(path: str, masked: str) -> None:
    assert mask_path(path) == masked
