"""Timing helpers shared by the benchmark scripts: wall and CPU time, and the ``grep`` reference.

Imported by the scripts in this folder (run as ``python bench/<script>.py``, which puts the folder
on ``sys.path``); not part of the installed package.
"""

from __future__ import annotations

import os
import resource
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Self

#: email-or-IPv4, the reference pattern every log benchmark times ``grep -E -c`` with
GREP_PATTERN = r"[[:alnum:]._%+-]+@[[:alnum:].-]+\.[[:alpha:]]{2,}|([0-9]{1,3}\.){3}[0-9]{1,3}"


@dataclass(frozen=True)
class Timing:
    """Wall-clock and CPU seconds of one measured step."""

    wall: float
    cpu: float

    def rates(self, megabytes: float) -> tuple[float, float]:
        """MB/s by wall-clock time and by CPU time."""
        return megabytes / self.wall, megabytes / max(self.cpu, 1e-9)


class Clock:
    """Wall and CPU time of this process (or of its children) over a ``with`` block."""

    def __init__(self, children: bool = False) -> None:
        self.children = children
        self.timing = Timing(0.0, 0.0)

    def _cpu(self) -> float:
        if self.children:
            usage = resource.getrusage(resource.RUSAGE_CHILDREN)
            return usage.ru_utime + usage.ru_stime
        return time.process_time()

    def __enter__(self) -> Self:
        self._wall, self._cpu_start = time.perf_counter(), self._cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timing = Timing(time.perf_counter() - self._wall, self._cpu() - self._cpu_start)


def time_grep(path: Path, pattern: str = GREP_PATTERN) -> tuple[Timing, int]:
    """``LC_ALL=C grep -E -c pattern path``: its timing (CPU of the child) and the matching lines."""
    with Clock(children=True) as clock:
        result = subprocess.run(
            ["grep", "-E", "-c", pattern, str(path)],
            env={**os.environ, "LC_ALL": "C"},
            capture_output=True,
            text=True,
            check=False,
        )
    return clock.timing, int(result.stdout.strip() or 0)
