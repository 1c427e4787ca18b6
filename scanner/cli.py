"""The ``piimap`` command line: parses arguments, calls the scanner, picks an exit code.

Each verb lives in its own module under :mod:`piimap.commands` with ``add_parser(subparsers)``
and ``run(args) -> int``. Errors that users cause (bad config, unreachable source) are printed as
one line on stderr with exit code 2; tracebacks only with ``--debug`` (and scrubbed of secrets).
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import logging
import os
import re
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

from piimap import __version__
from piimap.exitcodes import ExitCode
from piimap.model import PiimapError
from piimap.redact import printable, redact_text
from piimap.terminal import write_problem

__all__ = ["main", "console_main", "build_parser", "COMMANDS"]

#: Verb modules, in the order ``piimap --help`` lists them.
COMMANDS = (
    "scan",
    "check",
    "init",
    "demo",
    "explain",
    "baseline",
    "history",
    "diff",
    "schedule",
    "hash",
    "locate",
    "policy",
)


class _Parser(argparse.ArgumentParser):
    """argparse with exit code 2 and one-line errors that name the verb's usage.

    ``piimap scan --formt json`` says ``unrecognized argument --formt (did you mean --format?)``
    and shows ``piimap scan``'s usage, on one line; a ``type=`` function's name never appears
    (``invalid _positive_int value`` reads ``'x' is not a valid value``).
    """

    def error(self, message: str) -> NoReturn:
        write_problem(f"{_readable(message)}{self._suggestion(message)} ({self.short_usage()})")
        raise SystemExit(ExitCode.USAGE)

    def short_usage(self) -> str:
        """``usage: piimap scan [options] [SOURCE ...]; 'piimap scan --help' lists the options``."""
        formatter = self._get_formatter()
        positionals = [
            formatter._format_args(action, action.dest)  # noqa: SLF001 (uses action.metavar when set)
            for action in self._get_positional_actions()
            if action.help is not argparse.SUPPRESS
        ]
        words = [self.prog, "[options]", *positionals]
        return f"usage: {' '.join(words)}; '{self.prog} --help' lists the options"

    def _suggestion(self, message: str) -> str:
        """``; did you mean --format?`` for an unknown option or verb close to a known one."""
        option = re.match(r"unrecognized arguments?: (-\S+)", message)
        choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if option is not None:
            word = option.group(1).split("=", 1)[0]
            known = [name for action in self._actions for name in action.option_strings]
        elif choice is not None:
            word, known = choice.group(1), re.findall(r"'([^']*)'", choice.group(2))
        else:
            return ""
        close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
        return f"; did you mean {close[0]}?" if close else ""


def _readable(message: str) -> str:
    """argparse's message without the name of a ``type=`` function."""
    message = re.sub(r"invalid [A-Za-z_][\w.]* value: ('.*')", r"\1 is not a valid value", message)
    return re.sub(r"^unrecognized arguments: (\S+)$", r"unrecognized argument \1", message)


def _version_line() -> str:
    """``piimap X.Y.Z``, and whether the C access-log parser is in use (it is optional)."""
    from piimap.connectors.accesslog import native_parser_available

    parser = "C access-log parser" if native_parser_available() else "pure-Python access-log parser"
    return f"piimap {__version__} ({parser})"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="piimap",
        description="Find personal information in data stores and map where it flows.",
    )
    parser.add_argument("--version", action="version", version=_version_line())
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logging")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"piimap.commands.{name}")
        except ModuleNotFoundError as error:
            if error.name == f"piimap.commands.{name}":
                continue  # verb not built in this version
            raise
        module.add_parser(subparsers)
    return parser


def _verb_parsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """Verb name -> its parser."""
    for action in parser._actions:  # noqa: SLF001
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            return dict(action.choices)
    return {}


class _RedactingFormatter(logging.Formatter):
    """Every log line (and logged traceback) goes through :func:`~piimap.redact.redact_text`, and
    control characters from scanned names are shown, not sent to the terminal: a message is one
    line (a newline in a file name cannot forge another), a traceback keeps its own lines."""

    def format(self, record: logging.LogRecord) -> str:
        record.message = record.getMessage()
        if self.usesTime():
            record.asctime = self.formatTime(record, self.datefmt)
        parts = [printable(redact_text(self.formatMessage(record)))]
        if record.exc_info:
            parts.append(_traceback_text(self.formatException(record.exc_info)))
        elif record.exc_text:
            parts.append(_traceback_text(record.exc_text))
        if record.stack_info:
            parts.append(_traceback_text(self.formatStack(record.stack_info)))
        return "\n".join(parts)


def _traceback_text(text: str) -> str:
    """A traceback for stderr: passwords masked, control characters shown, its own lines kept."""
    return printable(redact_text(text), keep_newlines=True)


def _configure_logging(debug: bool) -> None:
    """Warnings from everything on stderr; with ``--debug`` also piimap's own debug messages.

    Third-party libraries stay at WARNING even with ``--debug``: some of them log what they read
    at DEBUG (pymongo's command log holds reply documents, botocore logs response bodies), and
    that would print sampled personal data. piimap's own log messages never hold sampled values.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_RedactingFormatter("piimap: %(levelname)s: %(message)s"))
    root = logging.getLogger()
    if not root.handlers:  # like basicConfig: leave a host application's (or pytest's) logging alone
        root.addHandler(handler)
        root.setLevel(logging.WARNING)
    logging.getLogger("piimap").setLevel(logging.DEBUG if debug else logging.NOTSET)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extras = parser.parse_known_args(argv)
    if extras:  # the verb's parser says so, with the verb's usage (not piimap's)
        verbs = _verb_parsers(parser)
        (verbs.get(args.command) or parser).error(f"unrecognized arguments: {' '.join(extras)}")
    debug = bool(getattr(args, "debug", False))
    _configure_logging(debug)
    if not args.command:
        parser.print_help(sys.stderr)
        return ExitCode.USAGE
    try:
        return int(args.run(args))
    except PiimapError as error:
        if debug:
            sys.stderr.write(_traceback_text(traceback.format_exc()))
        for problem in getattr(error, "problems", None) or (str(error),):  # one line per problem
            write_problem(problem)
        return ExitCode.ERROR
    except KeyboardInterrupt:
        sys.stderr.write("piimap: interrupted\n")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        return ExitCode.OK
    except Exception as error:  # an unexpected bug: still one line unless --debug
        if debug:
            sys.stderr.write(_traceback_text(traceback.format_exc()))
        write_problem(f"{type(error).__name__}: {error} (run with --debug for details)", "internal error")
        return ExitCode.ERROR


def console_main() -> None:
    """The ``piimap`` console script: :func:`main`, then exit with its code.

    After Ctrl-C the partial reports are written by then; container reads still running in
    worker threads (a slow query, say) are abandoned rather than waited for, so the process exits
    at once with 130 instead of hanging until they finish.
    """
    code = main()
    if code == ExitCode.INTERRUPTED and _busy_worker_threads():
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        logging.shutdown()
        os._exit(code)
    raise SystemExit(code)


def _busy_worker_threads() -> bool:
    import threading

    return any(
        thread.is_alive() and not thread.daemon
        for thread in threading.enumerate()
        if thread is not threading.main_thread()
    )


if __name__ == "__main__":
    console_main()
