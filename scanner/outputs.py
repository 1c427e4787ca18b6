"""Where piimap's output files go: reports (``-o``, ``reports:`` in the config) and baselines.

A report holds masked personal data and the names of systems, so:

* a new file is created with mode ``0600`` (a temporary file in the same folder, renamed into
  place, so a failure never leaves half a report); a report that exists is replaced the same way
  and keeps its permissions;
* ``-``, ``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N`` and ``/proc/self/fd/N`` are written
  through as streams (``-o >(jq .)`` works), never replaced;
* a FIFO or a character device (``/dev/null``, a terminal) is written through as a stream too,
  after checking the opened descriptor is still one;
* a symbolic link, a block device, a socket or a directory is refused with one error line:
  replacing a link would drop it, and writing through it would write wherever it points.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from piimap.model import ConfigError

__all__ = ["file_type_name", "output_stream", "replace_file", "write_output"]

#: ``/dev/fd/N`` and ``/proc/self/fd/N``: this process's own descriptor N.
_DESCRIPTOR_PATH = re.compile(r"/(?:dev|proc/self)/fd/(\d+)")
_STANDARD_STREAMS = {"/dev/stdout": 1, "/dev/stderr": 2}


def _descriptor_named(path: str) -> int | None:
    """The descriptor ``path`` stands for (``-`` is stdout), or ``None`` for an ordinary path."""
    if path == "-":
        return 1
    normal = os.path.normpath(path) if path.startswith("/") else path
    if normal in _STANDARD_STREAMS:
        return _STANDARD_STREAMS[normal]
    match = _DESCRIPTOR_PATH.fullmatch(normal)
    return int(match.group(1)) if match else None


@contextmanager
def output_stream(path: str | os.PathLike[str] | None, what: str = "report") -> Iterator[IO[str] | None]:
    """The stream to write ``path`` through, or ``None`` when it is a file to (re)place.

    ``None`` or ``-`` is stdout. Raises :class:`ConfigError` for a path that must not be written
    (a symbolic link, a block device, a socket, a directory).
    """
    text = "-" if path is None else os.fspath(path)
    descriptor = _descriptor_named(text)
    if descriptor in (1, 2):
        stream = sys.stdout if descriptor == 1 else sys.stderr
        yield stream
        stream.flush()
        return
    if descriptor is not None:
        try:
            duplicate = os.dup(descriptor)
        except OSError as error:
            raise ConfigError(f"cannot write {what} {text}: {error.strerror or error}") from None
        with open(duplicate, "w", encoding="utf-8", closefd=True) as stream:
            yield stream
        return
    try:
        status = os.lstat(text)
    except FileNotFoundError:
        yield None
        return
    except OSError as error:
        raise ConfigError(f"cannot write {what} {text}: {error.strerror or error}") from None
    if stat.S_ISREG(status.st_mode):
        yield None
        return
    if not (stat.S_ISFIFO(status.st_mode) or stat.S_ISCHR(status.st_mode)):
        raise ConfigError(
            f"refusing to write {what} {text}: it is {file_type_name(status.st_mode)}"
            + (" (name the file it points to, or '-' for stdout)" if stat.S_ISLNK(status.st_mode) else "")
        )
    with _special_file_stream(text, what) as stream:
        yield stream


@contextmanager
def _special_file_stream(path: str, what: str) -> Iterator[IO[str]]:
    """A FIFO or character device opened for writing, checked again on the opened descriptor."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_NOCTTY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as error:
        raise ConfigError(f"cannot write {what} {path}: {error.strerror or error}") from None
    mode = os.fstat(descriptor).st_mode
    if not (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):  # swapped after the check
        os.close(descriptor)
        raise ConfigError(f"refusing to write {what} {path}: it is {file_type_name(mode)}")
    with open(descriptor, "w", encoding="utf-8", closefd=True) as stream:
        yield stream


def file_type_name(mode: int) -> str:
    """What a file of ``mode`` (``st_mode``) is, for messages: ``"a character device"``..."""
    for test, name in (
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISREG, "a regular file"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def replace_file(target: Path, text: str, what: str = "report") -> None:
    """Write ``text`` to ``target`` atomically: a ``0600`` temporary file beside it, renamed over it.

    A new file keeps mode ``0600``; a file that is replaced keeps its own permissions. Nothing
    is left behind when writing fails.
    """
    temporary: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            mode: int | None = stat.S_IMODE(os.lstat(target).st_mode)
        except FileNotFoundError:
            mode = None
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
        temporary = None
    except OSError as error:
        raise ConfigError(f"cannot write {what} {target}: {error.strerror or error}") from None
    finally:
        if temporary is not None:  # never leave a half-written temporary file behind
            Path(temporary).unlink(missing_ok=True)


def write_output(path: str | os.PathLike[str] | None, text: str, what: str = "report") -> None:
    """Write ``text`` to ``path`` as :func:`output_stream` and :func:`replace_file` say."""
    with output_stream(path, what) as stream:
        if stream is not None:
            stream.write(text)
            return
    if path is not None:  # None is stdout, written above
        replace_file(Path(os.fspath(path)), text, what)
