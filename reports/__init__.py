"""Report formats. Each is a ``piimap.reports`` entry point with ``format`` and ``write(result, stream)``."""

from __future__ import annotations

import io
import os
import sys
import tempfile
from pathlib import Path

from piimap.model import ConfigError, ScanResult
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
    """Write a report to ``path`` atomically (temporary file, then rename), or to stdout for ``-``/None."""
    if path is None or str(path) == "-":
        factory = load_group(REPORT_GROUP).get(format_name)
        if factory is None:
            raise ConfigError(
                f"unknown report format '{format_name}' (available: {', '.join(available_formats())})"
            )
        factory().write(result, sys.stdout)
        sys.stdout.flush()
        return
    write_text_atomically(render_report(format_name, result), path)  # rendered before the target is touched


def write_text_atomically(text: str, path: str | os.PathLike[str]) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename: never half a report."""
    target = Path(path)
    temporary: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, _report_mode(target))
        os.replace(temporary, target)
        temporary = None
    except OSError as error:
        raise ConfigError(f"cannot write report {target}: {error.strerror or error}") from None
    finally:
        if temporary is not None:  # never leave a half-written temporary file behind
            Path(temporary).unlink(missing_ok=True)


def _report_mode(target: Path) -> int:
    """The permissions a report gets: those of the file it replaces, else what ``open()`` would give.

    ``mkstemp`` creates 0600 files; a report (masked evidence only) is meant to be opened and shared
    like any file the user writes, so the umask decides, as it would for a plain ``open()``.
    """
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
