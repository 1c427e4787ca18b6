"""The ``piimap`` command line: parses arguments, calls the scanner, picks an exit code.

Each verb lives in its own module under :mod:`piimap.commands` with ``add_parser(subparsers)``
and ``run(args) -> int``. Errors that users cause (bad config, unreachable source) are printed as
one line on stderr with exit code 2; tracebacks only with ``--debug`` (and scrubbed of secrets).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import traceback
from collections.abc import Sequence

from piimap import __version__
from piimap.exitcodes import ExitCode
from piimap.model import PiimapError
from piimap.redact import redact_text

__all__ = ["main", "build_parser", "COMMANDS"]

#: Verb modules, in the order ``piimap --help`` lists them.
COMMANDS = ("scan", "check", "demo", "explain", "baseline", "history", "diff", "schedule")


class _Parser(argparse.ArgumentParser):
    """argparse with exit code 2 and one-line errors (argparse's default is also 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"piimap: error: {message}\n")
        raise SystemExit(ExitCode.USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="piimap",
        description="Find personal information in data stores and map where it flows.",
    )
    parser.add_argument("--version", action="version", version=f"piimap {__version__}")
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = bool(getattr(args, "debug", False))
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="piimap: %(levelname)s: %(message)s",
        stream=sys.stderr,
    )
    if not args.command:
        parser.print_help(sys.stderr)
        return ExitCode.USAGE
    try:
        return int(args.run(args))
    except PiimapError as error:
        if debug:
            sys.stderr.write(redact_text(traceback.format_exc()))
        sys.stderr.write(f"piimap: error: {redact_text(str(error))}\n")
        return ExitCode.ERROR
    except KeyboardInterrupt:
        sys.stderr.write("piimap: interrupted\n")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        return ExitCode.OK
    except Exception as error:  # an unexpected bug: still one line unless --debug
        if debug:
            sys.stderr.write(redact_text(traceback.format_exc()))
        sys.stderr.write(
            f"piimap: internal error: {type(error).__name__}: {redact_text(str(error))} "
            "(run with --debug for details)\n"
        )
        return ExitCode.ERROR


if __name__ == "__main__":
    raise SystemExit(main())
