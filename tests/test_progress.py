"""Progress bars: drawn for terminals during a real scan, silent for pipes and --quiet."""

from __future__ import annotations

import io
import sqlite3

import pytest

from piimap.engine import scan
from piimap.model import SourceSpec
from piimap.progress import ProgressObserver, SilentObserver, progress_observer
from piimap.settings import ScanSettings


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("stream", "quiet", "expected"),
    [
        (Terminal(), False, ProgressObserver),
        (Terminal(), True, SilentObserver),
        (io.StringIO(), False, SilentObserver),  # a pipe or a CI log
    ],
)
def test_bars_only_on_a_terminal_and_not_quiet(stream, quiet, expected) -> None:
    assert type(progress_observer(quiet=quiet, stream=stream)) is expected


def test_bars_count_containers_of_each_source(tmp_path) -> None:
    path = tmp_path / "app.db"
    database = sqlite3.connect(path)
    for index in range(3):
        database.execute(f"CREATE TABLE t{index} (id INTEGER PRIMARY KEY, email TEXT)")
        database.executemany(
            f"INSERT INTO t{index} (email) VALUES (?)", [(f"a{i}@example.com",) for i in range(5)]
        )
    database.commit()
    database.close()
    screen = io.StringIO()
    specs = [
        SourceSpec("app", f"sqlite:///{path}"),
        SourceSpec("gone", f"sqlite:///{tmp_path / 'missing.db'}"),
    ]
    with ProgressObserver(screen, force_terminal=True) as progress:
        result = scan(specs, ScanSettings(), observer=progress)
    drawn = screen.getvalue()
    assert len(result.findings) == 3
    assert "app" in drawn and "3/3" in drawn and "containers" in drawn
    assert "gone" in drawn and "failed" in drawn
    assert "@example.com" not in drawn  # progress never shows values
