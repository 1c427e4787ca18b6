"""``piimap demo [DIR]``: build the demo company, scan it, check it, write the HTML data map."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from piimap.commands.common import print_warnings
from piimap.config import load_config
from piimap.demo import build_demo
from piimap.exitcodes import ExitCode
from piimap.pipeline import RunOptions, run_configured
from piimap.reports.locations import display_message, source_roots
from piimap.terminal import write_line, write_problem
from piimap.wording import counted

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="build the demo company's data, scan and check it, write report.html",
        description="Write the Clickstat Inc. demo (SQLite app database, web logs, click events, data map, "
        "policy, piimap.yaml) into DIR, scan and check it, and write report.html and report.json there.",
    )
    parser.add_argument(
        "directory",
        nargs="?",
        default="piimap-demo",
        metavar="DIR",
        help="where to put the demo (default ./piimap-demo)",
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress output")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    layout = build_demo(args.directory)
    config = load_config(layout.config)
    outcome = run_configured(config, RunOptions(quiet=args.quiet, command=args.command))
    result = outcome.result
    out = sys.stdout
    failing = outcome.failing
    write_line(f"Demo company written to {layout.root}", out)
    write_line(
        f"Scanned {counted(len(result.sources), 'source')}: {counted(len(result.findings), 'finding')}, "
        f"{counted(len(failing), 'failing violation')}.",
        out,
    )
    roots = source_roots(result)  # file containers relative to their source, as the table shows them
    for violation in failing[:10]:
        write_line(f"  {violation.rule}: {display_message(violation, roots)}", out)
    write_line(f"HTML data map: {layout.report_html}", out)
    write_line(f"JSON report:   {layout.report_json}", out)
    write_line(f"Rerun the check (exits 1 on the gap): piimap check --config {_shown(layout.config)}", out)
    print_warnings(outcome.warnings)
    for error in result.errors:
        write_problem(error.one_line())
    for message in outcome.report_errors:
        write_problem(message)
    # The demo's deliberate gap is the point of the demo, not a failure of the command.
    return ExitCode.ERROR if result.errors or outcome.report_errors else ExitCode.OK


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
