"""Report formats. Each is a ``piimap.reports`` entry point with ``format`` and ``write(result, stream)``."""

from __future__ import annotations

import io
import os
from pathlib import Path

from piimap.model import ConfigError, ScanResult
from piimap.outputs import output_stream, replace_file, write_output
from piimap.plugins import REPORT_GROUP, load_group

__all__ = ["available_formats", "write_report", "render_report", "write_text_atomically"]


def available_formats() -> list[str]:
    """Names of the installed report formats."""
    return sorted(load_group(REPORT_GROUP))


def render_report(format_name: str, result: ScanResult) -> str:
    """The report as text."""
    factory = load_group(REPORT_GROUP).get(format_name)
    if factory is None:
        raise ConfigError(
            f"unknown report format '{format_name}' (available: {', '.join(available_formats())})"
        )
    buffer = io.StringIO()
    factory().write(result, buffer)
    return buffer.getvalue()


def write_report(format_name: str, result: ScanResult, path: str | os.PathLike[str] | None) -> None:
    """Write a report to ``path`` as :mod:`piimap.outputs` says: streamed to stdout (``-``/None,
    ``/dev/stdout``), a FIFO or a character device; otherwise rendered in full, then written to a
    ``0600`` temporary file renamed over ``path``. Symbolic links and other special files are refused.
    """
    factory = load_group(REPORT_GROUP).get(format_name)
    if factory is None:
        raise ConfigError(
            f"unknown report format '{format_name}' (available: {', '.join(available_formats())})"
        )
    with output_stream(path) as stream:
        if stream is not None:
            factory().write(result, stream)
            return
    text = render_report(format_name, result)  # fully rendered before the target is touched
    if path is not None:  # None is stdout, written above
        replace_file(Path(os.fspath(path)), text)


def write_text_atomically(text: str, path: str | os.PathLike[str]) -> None:
    """Write an already rendered report to ``path`` as :func:`piimap.outputs.write_output` does:
    a ``0600`` temporary file renamed into place (never half a report), streamed into stdout, a
    FIFO or a character device, and refused for a symbolic link or another special file."""
    write_output(path, text)
