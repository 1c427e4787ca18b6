"""``piimap scan SOURCE...``: scan and report findings."""

from __future__ import annotations

import argparse
import sys

from piimap.commands.common import (
    add_scan_options,
    config_from_args,
    print_errors,
    print_warnings,
    run_options,
)
from piimap.exitcodes import ExitCode
from piimap.pipeline import record_run, run_scan
from piimap.reports import write_report

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("scan", help="scan sources for personal data and report findings")
    add_scan_options(parser)
    parser.add_argument(
        "--format",
        default="table",
        metavar="FORMAT",
        help="table (default), json, html, sarif, fides, github (annotations), junit",
    )
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report here instead of stdout")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    options = run_options(args)
    run = record_run(config, options, run_scan(config, options))
    print_warnings(run.warnings)
    result = run.result
    write_report(args.format, result, args.output)
    print_errors(result)
    if result.interrupted:
        sys.stderr.write("piimap: interrupted: the report holds what was read until then\n")
        return ExitCode.INTERRUPTED
    return ExitCode.ERROR if result.errors else ExitCode.OK
