"""Report files: created ``0600``, and ``-o`` never replaces a symbolic link or a device node.

Every case runs the installed ``piimap`` console script. Device nodes and FIFOs are made in the
test's own folder (``os.mknod`` / ``os.mkfifo``), never the system's ``/dev``: a piimap that
replaced its output path would replace them, and that must stay harmless when the test fails.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

PIIMAP = str(Path(sys.executable).with_name("piimap"))


def _data(tmp_path: Path) -> Path:
    log = tmp_path / "data" / "app.log"
    log.parent.mkdir(exist_ok=True)
    log.write_text(
        "".join(f"user{i}@example.com logged in from 203.0.113.{i}\n" for i in range(20)), encoding="utf-8"
    )
    return log


def _piimap(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    def private_umask() -> None:
        os.umask(0o022)  # a usual umask: without the fix, reports come out 0644

    return subprocess.run(
        [PIIMAP, *args], capture_output=True, text=True, timeout=180, cwd=cwd, preexec_fn=private_umask
    )


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.slow
def test_every_report_and_baseline_file_is_created_0600(tmp_path: Path) -> None:
    log = _data(tmp_path)
    (tmp_path / "policy.yaml").write_text("collected: [user.name]\n", encoding="utf-8")
    (tmp_path / "piimap.yaml").write_text(
        f"sources:\n  app: {log}\n"
        "policy: policy.yaml\n"
        "reports:\n"
        "  - {format: json, path: out/report.json}\n"
        "  - {format: html, path: out/report.html}\n"
        "  - {format: sarif, path: out/report.sarif}\n"
        "  - {format: fides, path: out/report.fides.yaml}\n",
        encoding="utf-8",
    )
    scan = _piimap(
        "scan", str(log), "--no-store", "-q", "--format", "json", "-o", str(tmp_path / "scan.json")
    )
    check = _piimap("check", "--config", "piimap.yaml", "--no-store", "-q", "-o", "check.txt", cwd=tmp_path)
    baseline = _piimap("baseline", "--config", "piimap.yaml", "--no-store", "-q", cwd=tmp_path)
    assert scan.returncode == 0, scan.stderr
    assert check.returncode == 1, check.stderr  # the emails are not in the policy
    assert baseline.returncode == 0, baseline.stderr
    written = [
        tmp_path / "scan.json",
        tmp_path / "check.txt",
        tmp_path / "piimap-baseline.json",
        *sorted((tmp_path / "out").iterdir()),
    ]
    assert len(written) == 7
    assert {path.name: oct(_mode(path)) for path in written} == {path.name: "0o600" for path in written}


@pytest.mark.slow
def test_output_refuses_a_symbolic_link_and_leaves_it_and_its_target_alone(tmp_path: Path) -> None:
    log = _data(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    for name, points_to in (("link.json", victim), ("dangling.json", tmp_path / "nowhere" / "x.json")):
        link = tmp_path / name
        link.symlink_to(points_to)
        run = _piimap("scan", str(log), "--no-store", "-q", "--format", "json", "-o", str(link))
        assert run.returncode == 2, run.stderr
        assert run.stderr.splitlines() == [
            f"piimap: error: refusing to write report {link}: it is a symbolic link "
            "(name the file it points to, or '-' for stdout)"
        ]
        assert link.is_symlink() and os.readlink(link) == str(points_to)
    assert victim.read_text(encoding="utf-8") == "keep me\n"
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.slow
def test_output_writes_through_this_process_s_own_descriptors_as_a_stream(tmp_path: Path) -> None:
    log = _data(tmp_path)
    for target in ("/dev/fd/1", "/proc/self/fd/1", "-"):
        run = _piimap("scan", str(log), "--no-store", "-q", "--format", "json", "-o", target)
        assert run.returncode == 0, (target, run.stderr)
        assert json.loads(run.stdout)["findings"], target


def _device_or_skip(path: Path, kind: int, device: tuple[int, int]) -> None:
    try:
        os.mknod(path, kind | 0o600, os.makedev(*device))
    except PermissionError:
        pytest.skip("no permission to make device nodes here")


@pytest.mark.slow
def test_output_streams_into_a_character_device_and_a_fifo_and_refuses_a_block_device(tmp_path: Path) -> None:
    log = _data(tmp_path)
    null = tmp_path / "null"
    _device_or_skip(null, stat.S_IFCHR, (1, 3))  # the same device as /dev/null
    run = _piimap("scan", str(log), "--no-store", "-q", "--format", "json", "-o", str(null))
    assert run.returncode == 0, run.stderr
    assert stat.S_ISCHR(os.lstat(null).st_mode)  # still the device node, not a file put in its place

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read_fifo() -> None:
        """Read until piimap has exited; non-blocking, so a piimap that never opens it cannot hang us."""
        descriptor = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        chunks = []
        try:
            while True:
                try:
                    chunk = os.read(descriptor, 65536)
                except BlockingIOError:
                    chunk = None
                if chunk:
                    chunks.append(chunk)
                elif run_done.wait(0.02):
                    if chunk == b"":  # no writer left and piimap is done
                        break
        finally:
            os.close(descriptor)
        received.append(b"".join(chunks))

    run_done = threading.Event()
    reader = threading.Thread(target=read_fifo, daemon=True)
    reader.start()
    run = _piimap("scan", str(log), "--no-store", "-q", "--format", "json", "-o", str(fifo))
    run_done.set()
    reader.join(10)
    assert run.returncode == 0, run.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert json.loads(received[0])["findings"]

    block = tmp_path / "block"
    _device_or_skip(block, stat.S_IFBLK, (7, 250))  # a loop device number; never opened
    run = _piimap("scan", str(log), "--no-store", "-q", "--format", "json", "-o", str(block))
    assert run.returncode == 2
    assert run.stderr.splitlines() == [
        f"piimap: error: refusing to write report {block}: it is a block device"
    ]
    assert stat.S_ISBLK(os.lstat(block).st_mode)
