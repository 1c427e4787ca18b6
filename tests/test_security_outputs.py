"""Personal data in outputs: reports, the history store and logs keep masked examples, keyed
hashes or nothing (``evidence: masked|hmac|none``), never a raw value.

Known values (emails, phones, names, IPs, advertising ids, cookie ids) are scanned from a CSV and
a web log, every report format is written, the run is stored, and every byte written is searched
for the raw values (and, with ``hmac``, for the key).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from piimap.cli import main
from piimap.engine import classify_samples
from piimap.evidence import EvidencePolicy, evidence_policy, example_for, hmac_example
from piimap.model import ConfigError, Detection, FieldRef, FieldSample
from piimap.settings import ScanSettings

PIIMAP = str(Path(sys.executable).with_name("piimap"))
KEY = "k3y-for-tests-0f9a8b7c6d5e4f3a"

EMAILS = ("zelda.quint@example.com", "yorick.mabe@example.org", "xena.holt@example.net")
ROWS = (
    (
        EMAILS[0],
        "+1 415-555-0134",
        "Zelda Quint",
        "203.0.113.77",
        "6D92078A-8246-4BA4-AE5B-76104861E7DC",
        "GA1.2.1234567890.1609459200",
    ),
    (
        EMAILS[1],
        "+1 212-555-0187",
        "Yorick Mabe",
        "198.51.100.23",
        "1E2D3C4B-5A69-4788-9A0B-C1D2E3F40516",
        "GA1.2.987654321.1609459300",
    ),
    (
        EMAILS[2],
        "+44 20 7946 0958",
        "Xena Holt",
        "192.0.2.145",
        "AEBE52E7-03EE-455A-B3C4-E57283966239",
        "GA1.2.1122334455.1609459400",
    ),
)
#: What must never be written: every raw value, the local part of each email, the phones' digits.
RAW = (
    tuple(value for row in ROWS for value in row)
    + tuple(email.split("@")[0] for email in EMAILS)
    + (
        "4155550134",
        "2125550187",
        "2079460958",
    )
)
CATEGORIES = {
    "user.contact.email",
    "user.contact.phone_number",
    "user.name",
    "user.device.ip_address",
    "user.device.device_id",
    "user.device.cookie_id",
}


def _data(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["email,phone,full_name,client_ip,idfa,ga_cookie"] + [",".join(row) for row in ROWS]
    (folder / "events.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "access.log").write_text(
        "".join(
            f'{row[3]} - - [10/Oct/2023:13:55:36 +0000] "GET /signup?email={row[0]} HTTP/1.1" 200 2326 "-" "curl/8"\n'
            for row in ROWS
        ),
        encoding="utf-8",
    )
    return folder


def _scan_to_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> dict[str, bytes]:
    """Scan the data into every report format and a store; return every output by name."""
    data = _data(tmp_path / "data")
    out = tmp_path / "out"
    store = f"sqlite:///{tmp_path / 'history.sqlite'}"
    outputs: dict[str, bytes] = {}
    for report_format in ("json", "html", "sarif", "fides"):
        code = main(
            [
                "scan",
                str(data),
                "-q",
                "--store",
                store,
                "--format",
                report_format,
                "--output",
                str(out / f"report.{report_format}"),
                *extra,
            ]
        )
        assert code == 0
    code = main(["scan", str(data), "-q", "--store", store, "--format", "table", *extra])
    assert code == 0
    captured = capsys.readouterr()
    outputs["stdout"] = captured.out.encode("utf-8")
    outputs["stderr"] = captured.err.encode("utf-8")
    for path in sorted(out.iterdir()):
        outputs[path.name] = path.read_bytes()
    outputs["history.sqlite"] = (tmp_path / "history.sqlite").read_bytes()
    return outputs


def _raw_values_in(outputs: dict[str, bytes]) -> dict[str, list[str]]:
    found = {}
    for name, data in outputs.items():
        hits = [value for value in RAW if value.encode("utf-8") in data]
        if hits:
            found[name] = hits
    return found


def _findings(tmp_path: Path) -> list[dict]:
    return json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))["findings"]


def test_masked_examples_only_in_every_report_and_the_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = _scan_to_every_format(tmp_path, capsys)
    findings = _findings(tmp_path)
    assert {finding["category"] for finding in findings} >= CATEGORIES
    assert all(finding["examples"] for finding in findings)
    assert "z***@e***.com" in outputs["report.json"].decode()
    assert _raw_values_in(outputs) == {}


def test_hmac_evidence_stores_the_keyed_hash_and_no_raw_value_nor_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIIMAP_HMAC_KEY", KEY)
    outputs = _scan_to_every_format(tmp_path, capsys, "--evidence", "hmac")
    expected = "hmac-sha256:" + hmac.new(KEY.encode(), EMAILS[0].encode(), hashlib.sha256).hexdigest()
    for name in ("report.json", "report.sarif", "report.html", "history.sqlite"):
        assert expected.encode() in outputs[name], name
    assert _raw_values_in(outputs) == {}
    assert [name for name, data in outputs.items() if KEY.encode() in data] == []
    examples = [example for finding in _findings(tmp_path) for example in finding["examples"]]
    assert examples and all(
        example.startswith("hmac-sha256:") and len(example) == 12 + 64 for example in examples
    )
    # ``piimap hash`` gives the same value, from an argument or from stdin
    assert main(["hash", EMAILS[0]]) == 0
    assert capsys.readouterr().out.strip() == expected


def test_piimap_hash_reads_values_from_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    result = subprocess.run(
        [PIIMAP, "hash"],
        input=f"  {EMAILS[1]}\n\n{EMAILS[2]}\n",
        capture_output=True,
        text=True,
        env={**os.environ, "PIIMAP_HMAC_KEY": KEY},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        hmac_example(KEY.encode(), EMAILS[1]),
        hmac_example(KEY.encode(), EMAILS[2]),
    ]


def test_none_evidence_keeps_no_examples(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outputs = _scan_to_every_format(tmp_path, capsys, "--evidence", "none")
    findings = _findings(tmp_path)
    assert {finding["category"] for finding in findings} >= CATEGORIES
    assert all(finding["examples"] == [] for finding in findings)
    assert _raw_values_in(outputs) == {}


def test_config_setting_and_key_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _data(tmp_path / "data")
    config = tmp_path / "piimap.yaml"
    config.write_text(
        f"sources: {{events: {data / 'events.csv'}}}\n"
        "settings: {evidence: hmac, hmac_key_env: TEAM_PIIMAP_KEY}\n",
        encoding="utf-8",
    )
    monkeypatch.delenv("TEAM_PIIMAP_KEY", raising=False)
    assert main(["scan", "--config", str(config), "-q", "--no-store", "--format", "json"]) == 2
    err = capsys.readouterr().err
    assert "TEAM_PIIMAP_KEY" in err and err.count("\n") == 1
    monkeypatch.setenv("TEAM_PIIMAP_KEY", KEY)
    assert main(["scan", "--config", str(config), "-q", "--no-store", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    emails = next(finding for finding in report["findings"] if finding["category"] == "user.contact.email")
    assert hmac_example(KEY.encode(), EMAILS[0]) in emails["examples"]
    config.write_text(
        f"sources: {{events: {data / 'events.csv'}}}\nsettings: {{evidence: plain}}\n", encoding="utf-8"
    )
    assert main(["scan", "--config", str(config), "-q", "--no-store"]) == 2
    assert "evidence" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("mode", "environ", "problem"),
    [
        ("hmac", {}, "PIIMAP_HMAC_KEY"),
        ("hmac", {"PIIMAP_HMAC_KEY": "short"}, "too short"),
        ("sha1", {}, "evidence must be one of"),
    ],
)
def test_bad_evidence_settings_are_config_errors(mode: str, environ: dict[str, str], problem: str) -> None:
    with pytest.raises(ConfigError, match=problem) as raised:
        evidence_policy(mode, None, environ)
    assert "\n" not in str(raised.value)
    for secret in environ.values():
        assert repr(secret) not in str(raised.value)  # the message names the variable, not its value


def test_the_key_is_not_in_the_settings_repr_but_travels_to_workers() -> None:
    policy = evidence_policy("hmac", None, {"PIIMAP_HMAC_KEY": KEY})
    settings = ScanSettings(evidence=policy)
    assert KEY not in repr(settings) and policy.key_id in repr(settings)
    shipped = pickle.loads(pickle.dumps(settings))  # what a Dask worker receives
    assert example_for(shipped.evidence, "user.contact.email", EMAILS[0]) == hmac_example(
        KEY.encode(), EMAILS[0]
    )
    other = evidence_policy("hmac", None, {"PIIMAP_HMAC_KEY": KEY + "x"})
    assert repr(ScanSettings(evidence=other)) != repr(settings)  # a new key means a new scan digest
    assert example_for(EvidencePolicy("none"), "user.name", "Zelda Quint") is None


@pytest.mark.slow
def test_debug_logging_prints_no_sample_values(tmp_path: Path) -> None:
    data = _data(tmp_path / "data")
    result = subprocess.run(
        [PIIMAP, "--debug", "scan", str(data), "--no-store", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert [value for value in RAW if value in result.stderr + result.stdout] == []


def test_a_failing_classifier_is_logged_without_the_value(caplog: pytest.LogCaptureFixture) -> None:
    class Broken:
        id = "broken"
        categories = ("user.contact.email",)

        def classify(self, sample: FieldSample) -> list[Detection]:
            raise ValueError(f"cannot parse {sample.values[0]!r}")

    sample = FieldSample(FieldRef("src", "table", "email"), (EMAILS[0],))
    with caplog.at_level(logging.DEBUG):
        findings, read = classify_samples([sample], [Broken()], ScanSettings())  # type: ignore[list-item]
    assert findings == [] and read == 1
    assert "broken" in caplog.text and "ValueError" in caplog.text
    assert EMAILS[0] not in caplog.text
