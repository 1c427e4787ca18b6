"""``piimap history``: list the runs recorded in the history store, newest first."""

from __future__ import annotations

import argparse
import json
import sys

from piimap.commands.argtypes import positive_int
from piimap.commands.common import add_store_options, store_url_from_args
from piimap.exitcodes import ExitCode
from piimap.terminal import table_width

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("history", help="list recorded scan runs (newest first)")
    add_store_options(parser)
    parser.add_argument(
        "--limit", type=positive_int, default=20, metavar="N", help="show the N newest runs (default 20)"
    )
    parser.add_argument(
        "--format", choices=("table", "json"), default="table", help="table (default) or json"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from piimap.store import open_store

    with open_store(store_url_from_args(args), create=False) as store:
        runs = store.runs(limit=args.limit)
        location = store.display_url
    if args.format == "json":
        json.dump({"store": location, "runs": [summary.to_dict() for summary in runs]}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return ExitCode.OK
    from rich.console import Console
    from rich.table import Table

    from piimap.terminal import markup_safe

    console = Console(file=sys.stdout, width=table_width(sys.stdout), soft_wrap=False)
    if not runs:
        console.print(f"No runs recorded in {markup_safe(location)}.")
        return ExitCode.OK
    table = Table(title=f"Runs in {markup_safe(location)}")
    # Below 100 columns the container and error counts are left out (a failed run says so in its
    # status); numbers, times and states are never broken, sources and commands wrap.
    columns = ["run", "started", "command", "status", "sources", "findings", "violations"]
    if console.width >= 100:
        columns += ["containers", "errors"]
    for column in columns:
        table.add_column(
            column,
            overflow="fold",
            no_wrap=column not in ("sources", "command", "containers"),
            min_width={"sources": 8, "command": 7}.get(column),
            justify="right" if column in ("run", "findings", "violations", "errors") else "left",
        )
    for summary in runs:
        containers = str(summary.containers) + (f" ({summary.reused} unchanged)" if summary.reused else "")
        row = [
            str(summary.id),
            markup_safe(summary.started[:16].replace("T", " ")),  # to the minute
            markup_safe(summary.command),
            markup_safe(summary.status),
            markup_safe(", ".join(summary.sources)),
            str(summary.findings),
            "-" if summary.violations is None else str(summary.violations),
            containers,
            str(summary.errors),
        ]
        table.add_row(*row[: len(columns)])
    console.print(table)
    return ExitCode.OK
