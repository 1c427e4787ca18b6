"""What could not be read is said, never hidden behind "No personal data found", and a source
named on the command line that is not a regular file or directory fails (exit 2).

Runs the installed ``piimap`` console script on real files, a real SQLite path and real
special files (``/dev/zero``, a FIFO, a dangling symbolic link).
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

PIIMAP = str(Path(sys.executable).with_name("piimap"))


def _piimap(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PIIMAP, *args], capture_output=True, text=True, timeout=120)


def _clean_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "readme.txt").write_text(
        "The build runs every night and takes ten minutes.\n", encoding="utf-8"
    )
    corrupt = gzip.compress(b"order shipped\n" * 1000)
    (folder / "old.log.gz").write_bytes(corrupt[: len(corrupt) // 2])  # cut short
    return folder


def test_a_failed_source_is_listed_instead_of_no_personal_data_found(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    alone = _piimap("scan", f"sqlite:///{missing}", "--no-store", "-q")
    assert alone.returncode == 2
    assert "No personal data found" not in alone.stdout
    assert f"missing: cannot connect to sqlite:///{missing}: no such SQLite database file" in alone.stdout
    assert "Nothing else was read." in alone.stdout

    folder = _clean_folder(tmp_path)
    mixed = _piimap("scan", str(folder), f"sqlite:///{missing}", "--no-store", "-q")
    assert mixed.returncode == 2
    lines = mixed.stdout.splitlines()
    assert "No personal data found." not in lines
    assert lines[0] == "Not read, so not checked for personal data:"
    assert any("missing: cannot connect" in line for line in lines)
    assert any("old.log.gz" in line for line in lines)  # a container of a source that was read
    assert "No personal data found in what could be read." in lines


def test_no_personal_data_found_when_everything_was_read(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "readme.txt").write_text("The build runs every night.\n", encoding="utf-8")
    run = _piimap("scan", str(folder), "--no-store", "-q")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[0] == "No personal data found."


def test_an_explicit_source_that_is_not_a_regular_file_is_an_error(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    dangling = tmp_path / "dangling.log"
    dangling.symlink_to(tmp_path / "gone.log")
    expected = {
        "/dev/zero": "/dev/zero is a character device, not a regular file or a directory: it is not read",
        str(fifo): f"{fifo} is a FIFO, not a regular file or a directory: it is not read",
        str(dangling): f"{dangling} is a symbolic link to a file that does not exist",
    }
    for source, message in expected.items():
        run = _piimap("scan", source, "--no-store", "-q", "--format", "json")
        assert run.returncode == 2, (source, run.stderr)
        assert len(run.stderr.splitlines()) == 1 and run.stderr.rstrip().endswith(message), run.stderr
        assert '"status": "error"' in run.stdout
    # in a folder or a glob, special files are skipped: they are not what the user named
    folder = tmp_path / "logs"
    folder.mkdir()
    os.mkfifo(folder / "live.log")
    (folder / "app.log").write_text("user jane@example.com signed in\n", encoding="utf-8")
    for source in (str(folder), str(folder / "*.log")):
        run = _piimap("scan", source, "--no-store", "-q", "--format", "json")
        assert run.returncode == 0, (source, run.stderr)
