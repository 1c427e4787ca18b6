"""A file replaced by a FIFO (or another special file) between listing and reading (issue #12, item 7).

Listing checks that each path is a regular file, but the path can change before it is opened: a
FIFO with no writer then blocked ``open`` forever. Every scanned file is now opened without
blocking and refused unless the opened descriptor is a regular file. Real FIFOs, real sockets.
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest

from piimap.connectors.files import FileConnector, NotRegularFile, open_regular_file
from piimap.model import ContainerUnreadable, SourceSpec
from piimap.settings import ScanSettings

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")


def _sample_with_timeout(connector: FileConnector, container, seconds: float = 10.0) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """``{"values": [...], "error": ...}`` of sampling ``container`` in a thread. A reader still
    blocked after ``seconds`` is released by opening the FIFO for writing, and the test fails."""
    values: list[str] = []
    outcome: dict[str, object] = {"values": values}

    def read() -> None:
        try:
            for sample in connector.sample(container, 100):
                values.extend(sample.values)
        except Exception as error:
            outcome["error"] = error

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        for path in container.locator:
            if Path(path).is_fifo():
                os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))  # gives the blocked reader EOF
        thread.join(5)
        pytest.fail("reading a file that became a FIFO blocked")
    return outcome


def test_a_file_swapped_for_a_fifo_after_listing_is_refused_at_once(tmp_path: Path) -> None:
    (tmp_path / "app.log").write_text("login jane@example.org\n")
    (tmp_path / "other.log").write_text("login john@example.org\n")
    connector = FileConnector(SourceSpec(name="logs", url=str(tmp_path)), ScanSettings())
    containers = {Path(container.name).name: container for container in connector.discover()}
    os.remove(tmp_path / "app.log")
    os.mkfifo(tmp_path / "app.log")  # the race: replaced after listing, before reading

    outcome = _sample_with_timeout(connector, containers["app.log"])
    error = outcome.get("error")
    assert isinstance(error, ContainerUnreadable)
    assert str(error) == "not a regular file (a FIFO; it changed after it was listed?)"
    other = _sample_with_timeout(connector, containers["other.log"])
    assert other["values"] == ["login john@example.org"]


def test_a_rotated_member_swapped_for_a_fifo_does_not_stop_the_others(tmp_path: Path) -> None:
    (tmp_path / "app.log").write_text("login jane@example.org\n")
    (tmp_path / "app.log.1").write_text("login mary@example.org\n")
    connector = FileConnector(SourceSpec(name="logs", url=str(tmp_path)), ScanSettings())
    (container,) = connector.discover()
    os.remove(tmp_path / "app.log.1")
    os.mkfifo(tmp_path / "app.log.1")
    outcome = _sample_with_timeout(connector, container)
    assert outcome["values"] == ["login jane@example.org"]
    assert isinstance(outcome.get("error"), ContainerUnreadable)
    assert str(outcome["error"]) == "app.log.1: not a regular file (a FIFO; it changed after it was listed?)"


def test_open_regular_file_refuses_fifos_sockets_devices_and_directories(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "socket"))
    try:
        for path, kind in (
            (fifo, "a FIFO"),
            (Path("/dev/null"), "a character device"),
            (tmp_path, "a directory"),
        ):
            with pytest.raises(NotRegularFile, match=kind):
                open_regular_file(str(path))
        with pytest.raises(OSError):  # a socket cannot be opened at all
            open_regular_file(str(tmp_path / "socket"))
    finally:
        server.close()


def test_a_regular_file_is_opened_for_ordinary_blocking_reads(tmp_path: Path) -> None:
    path = tmp_path / "data.log"
    path.write_bytes(b"x" * 100_000)
    with open_regular_file(str(path)) as stream:
        assert os.get_blocking(stream.fileno())
        assert stream.read() == b"x" * 100_000
        stream.seek(10)
        assert stream.read(3) == b"xxx"
