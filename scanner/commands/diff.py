"""``piimap diff [OLD] [NEW]``: PII fields, categories and flows that appeared or went between two runs.

Runs are named by id (``piimap history`` lists them), ``latest`` or ``latest~N`` (N runs before
the latest). No argument compares ``latest~1`` with ``latest``; one argument compares that run
with ``latest``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from piimap.commands.common import add_store_options, store_url_from_args
from piimap.exitcodes import ExitCode
from piimap.model import ConfigError
from piimap.terminal import table_width
from piimap.wording import counted

if TYPE_CHECKING:
    from piimap.diffing import RunDiff

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "diff", help="show PII fields and flows that appeared or went between two recorded runs"
    )
    parser.add_argument(
        "runs", nargs="*", metavar="RUN", help="run id, 'latest' or 'latest~N' (default: latest~1 latest)"
    )
    add_store_options(parser)
    parser.add_argument(
        "--format", choices=("table", "json"), default="table", help="table (default) or json"
    )
    parser.add_argument(
        "--fail-on-new",
        action="store_true",
        help="exit 1 when a PII field, category or flow appeared (for CI)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from piimap.diffing import diff_runs
    from piimap.store import open_store

    references = list(args.runs)
    if len(references) > 2:
        raise ConfigError("diff takes at most two runs (OLD NEW)")
    if not references:
        references = ["latest~1", "latest"]
    elif len(references) == 1:
        references.append("latest")
    with open_store(store_url_from_args(args), create=False) as store:
        old_id, new_id = (store.resolve(reference) for reference in references)
        difference = diff_runs(store, old_id, new_id)
    if args.format == "json":
        json.dump(difference.to_dict(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        _print_table(difference)
    return ExitCode.FINDINGS if args.fail_on_new and difference.grew else ExitCode.OK


def _print_table(difference: RunDiff) -> None:
    from rich.console import Console
    from rich.table import Table

    from piimap.terminal import markup_safe

    console = Console(file=sys.stdout, width=table_width(sys.stdout), soft_wrap=False)
    old, new = difference.old, difference.new
    console.print(f"Run {old.id} ({markup_safe(old.started)}) -> run {new.id} ({markup_safe(new.started)})")
    if difference.fields_added or difference.fields_removed:
        table = Table(title="PII fields")
        for column in ("", "source", "container", "field", "category"):
            table.add_column(column, overflow="fold")
        for sign, keys in (("+", difference.fields_added), ("-", difference.fields_removed)):
            for key in keys:
                table.add_row(
                    "[green]+[/]" if sign == "+" else "[red]-[/]",
                    markup_safe(key.source),
                    markup_safe(key.container),
                    markup_safe(key.field if key.field is not None else "(text)"),
                    markup_safe(key.category),
                )
        console.print(table)
    for sign, items in (("+", difference.categories_added), ("-", difference.categories_removed)):
        for source, category in items:
            verb = "now holds" if sign == "+" else "no longer holds"
            console.print(f"{sign} {markup_safe(source)} {verb} {markup_safe(category)}")
    for sign, flows in (("+", difference.flows_added), ("-", difference.flows_removed)):
        for flow in flows:
            console.print(
                f"{sign} flow {markup_safe(flow.system)} -> {markup_safe(flow.vendor)}: {markup_safe(flow.category)}"
            )
    if not difference.flows_compared:
        console.print("Flows not compared: a run was not checked against a data map.")
    for note in difference.not_compared:
        console.print(f"Not compared: {markup_safe(note)}")
    if not difference.changed:
        console.print("No PII fields, categories or flows appeared or went.")
    else:
        console.print(
            f"{counted(len(difference.fields_added), 'field')} appeared, "
            f"{len(difference.fields_removed)} went; "
            f"{counted(len(difference.flows_added), 'flow')} appeared, {len(difference.flows_removed)} went."
        )
