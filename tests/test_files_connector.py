"""FileConnector on real files in tmp_path: discovery, rotation groups, sampling, bad files, the CLI."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from piimap.cli import main
from piimap.connectors.files import FileConnector, rotation_base
from piimap.engine import ContainerTask, run_container_task
from piimap.model import ContainerKind, ContainerUnreadable, SourceSpec, SourceUnavailable
from piimap.settings import ScanSettings

SETTINGS = ScanSettings(sample_size=0)


def access_line(index: int, email: bool = False) -> str:
    query = f"?email=user{index}%40example.com" if email else ""
    return (
        f'203.0.113.{index % 250 + 1} - - [10/Oct/2023:13:55:36 +0000] "GET /p{query} HTTP/1.1" 200 5 '
        f'"-" "Mozilla/5.0"\n'
    )


def connector(url: str, **options) -> FileConnector:
    return FileConnector(SourceSpec("logs", url, options), SETTINGS)


def names(url: str, **options) -> list[str]:
    return [container.name for container in connector(url, **options).discover()]


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("/var/log/nginx", True),
        ("logs/*.log", True),
        ("relative.csv", True),
        ("file:///var/log/app.log", True),
        ("FILE:///tmp/x", True),
        ("s3://bucket/key", False),
        ("postgresql://u@h/db", False),
        ("sqlite:///app.db", False),
        ("", False),
    ],
)
def test_accepts(url: str, accepted: bool) -> None:
    assert FileConnector.accepts(url) is accepted


@pytest.mark.parametrize(
    ("file_name", "expected"),
    [
        ("access.log", None),
        ("access.log.1", ("access.log", (1, 1, ""))),
        ("access.log.12.gz", ("access.log", (1, 12, ""))),
        ("error.log-20240131", ("error.log", (2, 0, "79759868"))),
        ("users.csv", None),
        ("users.csv.gz", None),
    ],
)
def test_rotation_base(file_name: str, expected) -> None:
    assert rotation_base(file_name) == expected


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    (tmp_path / "nginx").mkdir()
    (tmp_path / "nginx" / "access.log").write_text(access_line(1, email=True))
    (tmp_path / "nginx" / "access.log.1").write_text(access_line(2, email=True))
    (tmp_path / "nginx" / "access.log.2.gz").write_bytes(gzip.compress(access_line(3, email=True).encode()))
    (tmp_path / "nginx" / "error.log").write_text("2024/01/01 [error] client: 198.51.100.4\n")
    (tmp_path / "events.jsonl").write_text('{"user": {"email": "jane@example.com"}}\n')
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("[core]\n")
    os.mkfifo(tmp_path / "pipe")
    return tmp_path


def test_discover_walks_directories_and_groups_rotated_logs(tree: Path) -> None:
    containers = list(connector(str(tree)).discover())
    assert [container.name for container in containers] == [
        str(tree / "events.jsonl"),
        str(tree / "nginx" / "access.log"),
        str(tree / "nginx" / "error.log"),
    ]
    access = containers[1]
    assert access.kind is ContainerKind.FILE
    rotated = ("access.log", "access.log.1", "access.log.2.gz")
    assert access.locator == tuple(str(tree / "nginx" / name) for name in rotated)
    sizes = [os.stat(path).st_size for path in access.locator]
    assert [int(part.split(":")[0]) for part in access.fingerprint.split(",")] == sizes


def test_globs_file_urls_include_and_exclude(tree: Path) -> None:
    nginx = tree / "nginx"
    assert names(str(tree / "**" / "*.log*")) == [str(nginx / "access.log"), str(nginx / "error.log")]
    assert names(f"file://{tree}/events.jsonl") == [str(tree / "events.jsonl")]
    assert names(str(tree), include=["*.log*"], exclude=["error.*"]) == [str(tree / "nginx" / "access.log")]


@pytest.mark.parametrize("missing", ["does-not-exist", "nothing-*.log"])
def test_a_path_or_glob_matching_nothing_is_unavailable(tmp_path: Path, missing: str) -> None:
    with pytest.raises(SourceUnavailable, match=r"^no such file or directory: .*"):
        list(connector(str(tmp_path / missing)).discover())


def test_an_empty_directory_has_no_containers(tmp_path: Path) -> None:
    assert names(str(tmp_path)) == []


def test_fingerprint_follows_size_and_mtime(tmp_path: Path) -> None:
    path = tmp_path / "app.log"
    path.write_text("one\n")
    before = next(connector(str(path)).discover()).fingerprint
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    touched = next(connector(str(path)).discover()).fingerprint
    path.write_text("one\ntwo\n")
    grown = next(connector(str(path)).discover()).fingerprint
    assert len({before, touched, grown}) == 3


def test_rotated_group_is_read_as_one_container_and_bad_members_are_reported(tmp_path: Path) -> None:
    (tmp_path / "access.log").write_text("".join(access_line(index, email=True) for index in range(10)))
    older = "".join(access_line(index, email=True) for index in range(10, 50_000))
    compressed = gzip.compress(older.encode())
    (tmp_path / "access.log.1.gz").write_bytes(compressed[: len(compressed) // 2])  # truncated
    files = connector(str(tmp_path))
    (container,) = files.discover()
    samples = []
    expected = r"^access\.log\.1\.gz: truncated compressed data"
    with pytest.raises(ContainerUnreadable, match=expected) as raised:
        for sample in files.sample(container, 0):
            samples.append(sample)
    assert "\n" not in str(raised.value)
    emails = [value for sample in samples if sample.field.name == "query.email" for value in sample.values]
    assert emails[:2] == ["user0@example.com", "user1@example.com"]
    seen = sum(sample.occurrences for sample in samples if sample.field.name == "query.email")
    assert seen > 10_000  # the readable part of the truncated file was read too
    assert {sample.field.container for sample in samples} == {str(tmp_path / "access.log")}


def test_sample_limit_is_shared_by_the_files_of_a_group(tmp_path: Path) -> None:
    for suffix in ("", ".1", ".2"):
        (tmp_path / f"app.log{suffix}").write_text("".join(f"line {index}\n" for index in range(1000)))
    files = connector(str(tmp_path))
    (container,) = files.discover()
    values = [value for sample in files.sample(container, 90) for value in sample.values]
    assert len(values) == 90


def test_engine_keeps_findings_of_what_was_read_before_a_failure(tmp_path: Path) -> None:
    compressed = gzip.compress("".join(access_line(index, email=True) for index in range(50_000)).encode())
    path = tmp_path / "cut.log.gz"
    path.write_bytes(compressed[: len(compressed) // 3])
    spec = SourceSpec("logs", str(path))
    (container,) = FileConnector(spec, SETTINGS).discover()
    outcome = run_container_task(ContainerTask(spec, container, SETTINGS))
    assert outcome.error is not None and outcome.error.message.startswith("truncated compressed data")
    categories = {(finding.field, finding.category) for finding in outcome.findings}
    assert ("query.email", "user.contact.email") in categories
    assert ("client_ip", "user.device.ip_address") in categories


@pytest.mark.skipif(not hasattr(os, "setuid"), reason="needs POSIX user switching")
def test_permission_denied_is_reported_for_that_file_only() -> None:
    """Root reads every file, so the scan runs in a child process as the unprivileged ``nobody``."""
    if os.geteuid() != 0:
        pytest.skip("needs root to switch to the 'nobody' user (as a normal user, chmod 000 is enough)")
    directory = tempfile.mkdtemp(prefix="piimap-perm-")
    try:
        os.chmod(directory, 0o755)
        secret = Path(directory, "secret.log")
        secret.write_text("owner root@example.com\n")
        secret.chmod(0o000)
        Path(directory, "open.log").write_text("contact jane@example.com\n")
        Path(directory, "open.log").chmod(0o644)
        script = (
            "import os, sys\n"
            "from piimap.connectors.files import FileConnector\n"
            "from piimap.model import SourceSpec, ContainerUnreadable\n"
            "from piimap.settings import ScanSettings\n"
            "os.setgid(65534); os.setuid(65534)  # after the imports: the interpreter may live under /root\n"
            "files = FileConnector(SourceSpec('logs', sys.argv[1]), ScanSettings())\n"
            "for container in files.discover():\n"
            "    try:\n"
            "        values = [v for s in files.sample(container, 0) for v in s.values]\n"
            "        print(os.path.basename(container.name), 'ok', len(values))\n"
            "    except ContainerUnreadable as error:\n"
            "        print(os.path.basename(container.name), 'error', error)\n"
        )
        result = subprocess.run([sys.executable, "-c", script, directory], capture_output=True, text=True)
        expected = ["open.log ok 1", "secret.log error permission denied"]
        assert result.stdout.splitlines() == expected, result.stderr
    finally:
        for name in ("secret.log", "open.log"):
            Path(directory, name).unlink(missing_ok=True)
        os.rmdir(directory)


def test_cli_scan_end_to_end(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    access = [access_line(index, email=index % 3 == 0) for index in range(300)]
    (logs / "access.log").write_text("".join(access))
    events = [{"event": "signup", "user": {"email": f"u{index}@example.org"}} for index in range(50)]
    (logs / "events.jsonl").write_text("".join(json.dumps(event) + "\n" for event in events) + "junk line\n")
    (logs / "customers.csv").write_text(
        "id,contact_email,note\n" + "".join(f"{index},c{index}@example.net,ok\n" for index in range(40))
    )
    app_lines = [b"caf\xe9 login from 198.51.100.%d\n" % index for index in range(1, 60)]
    (logs / "app.log").write_bytes(b"".join(app_lines))
    (logs / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (logs / "empty.log").write_text("")
    output = tmp_path / "report.json"

    code = main(["scan", str(logs), "--format", "json", "--output", str(output), "--sample-size", "0", "-q"])

    report = json.loads(output.read_text())
    assert code == 0, report.get("errors")
    assert report["sources"][0]["status"] == "ok"
    found = {
        (Path(finding["container"]).name, finding["field"], finding["category"])
        for finding in report["findings"]
    }
    assert {
        ("access.log", "client_ip", "user.device.ip_address"),
        ("access.log", "query.email", "user.contact.email"),
        ("events.jsonl", "user.email", "user.contact.email"),
        ("customers.csv", "contact_email", "user.contact.email"),
        ("app.log", None, "user.device.ip_address"),
    } <= found
    assert not any(name in ("logo.png", "empty.log") for name, _, _ in found)
    assert f"skipped binary file: {logs / 'logo.png'}" in caplog.text
    examples = [example for finding in report["findings"] for example in finding["examples"]]
    raw_values = ("user3@example.com", "203.0.113.4")
    assert examples and not any(raw in example for raw in raw_values for example in examples)


def test_cli_reports_a_truncated_file_and_still_finds_its_data(tmp_path: Path, capsys) -> None:
    compressed = gzip.compress("".join(access_line(index, email=True) for index in range(20_000)).encode())
    (tmp_path / "old.log.gz").write_bytes(compressed[: len(compressed) // 2])
    output = tmp_path / "report.json"

    code = main(["scan", str(tmp_path / "old.log.gz"), "--format", "json", "--output", str(output), "-q"])

    report = json.loads(output.read_text())
    assert code == 2
    assert [finding["category"] for finding in report["findings"] if finding["field"] == "query.email"] == [
        "user.contact.email"
    ]
    errors = capsys.readouterr().err.strip().splitlines()
    assert any("old.log.gz: truncated compressed data" in line for line in errors), errors


def test_similarly_named_files_are_one_container_sampled_by_spread(tmp_path):
    """``clicks-<date>.jsonl`` files form one container; a bounded scan reads a spread of them."""
    from piimap.connectors.files import FileConnector
    from piimap.model import SourceSpec
    from piimap.settings import ScanSettings

    for day in range(1, 11):
        (tmp_path / f"clicks-2026-11-{day:02d}.jsonl").write_text(
            f'{{"day": {day}, "email": "user{day}@example.com"}}\n', encoding="utf-8"
        )
    (tmp_path / "notes.txt").write_text("nothing here\n", encoding="utf-8")
    connector = FileConnector(SourceSpec("events", str(tmp_path)), ScanSettings())
    containers = {container.name: container for container in connector.discover()}
    assert set(containers) == {str(tmp_path / "clicks-*.jsonl"), str(tmp_path / "notes.txt")}
    group = containers[str(tmp_path / "clicks-*.jsonl")]
    assert len(group.locator) == 10

    bounded = [
        value
        for sample in connector.sample(group, 30)
        if sample.field.name == "day"
        for value in sample.values
    ]
    assert len(bounded) == 3 and "1" in bounded and "10" in bounded  # first, last and one between

    everything = [
        value
        for sample in connector.sample(group, 0)
        if sample.field.name == "day"
        for value in sample.values
    ]
    assert sorted(everything, key=int) == [str(day) for day in range(1, 11)]
