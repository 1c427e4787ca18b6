"""Text piimap writes to a terminal: stdout tables and lines, stderr errors and warnings.

Names in that text come from scanned data (tables, columns, files, JSON keys, S3 keys) and from
the history store, and may hold terminal control sequences: ``ESC [`` recolours or moves the
cursor, ``ESC ] 8`` plants a hyperlink, ``CR`` overwrites the line, ``BEL`` rings, and a newline
in a file name would forge a second ``piimap: error:`` line. Every writer goes through these
helpers, so control characters are shown as ``\\xNN`` (:func:`piimap.redact.printable`), rich
markup is shown literally, and one message is one line.
"""

from __future__ import annotations

import os
import sys
from typing import IO

from piimap.redact import printable, redact_text

__all__ = ["DEFAULT_WIDTH", "markup_safe", "table_width", "write_line", "write_problem"]

#: Width when the output is not a terminal and ``$COLUMNS`` is not set (a file, a pipe, CI logs).
DEFAULT_WIDTH = 140


def markup_safe(text: str) -> str:
    """``text`` for a rich console: markup shown literally, control characters as ``\\xNN``."""
    from rich.markup import escape

    return escape(printable(text))


def table_width(stream: IO[str]) -> int:
    """The columns to fit: ``$COLUMNS`` when it is a positive number, else the terminal's width
    when ``stream`` is one, else :data:`DEFAULT_WIDTH`."""
    value = os.environ.get("COLUMNS", "").strip()
    if value.isdigit() and int(value) > 0:
        return int(value)
    if stream.isatty():
        try:
            return os.get_terminal_size(stream.fileno()).columns
        except (OSError, ValueError, AttributeError):  # a terminal-like stream without a descriptor
            pass
    return DEFAULT_WIDTH


def write_line(text: str, stream: IO[str] | None = None) -> None:
    """``text`` as exactly one line (stdout by default), control characters shown."""
    (stream if stream is not None else sys.stdout).write(printable(text) + "\n")


def write_problem(message: str, kind: str = "error", stream: IO[str] | None = None) -> None:
    """``piimap: KIND: message`` as exactly one line on stderr, passwords masked."""
    write_line(f"piimap: {kind}: {redact_text(message)}", stream if stream is not None else sys.stderr)
