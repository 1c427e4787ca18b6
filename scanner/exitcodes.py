"""Exit codes (CONTRACT.md): named so scripts and tests read the same words."""

from __future__ import annotations

import enum

__all__ = ["ExitCode"]


class ExitCode(enum.IntEnum):
    OK = 0  #: ran, nothing to fail on
    FINDINGS = 1  #: findings that fail the check
    ERROR = 2  #: usage, config or connection error
    USAGE = 2
    INTERRUPTED = 130  #: Ctrl-C; partial results were written
