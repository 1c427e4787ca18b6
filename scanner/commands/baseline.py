"""``piimap baseline --config FILE``: accept today's violations so CI fails only on new ones.

Scans and checks like ``piimap check`` (without any existing baseline) and writes the
fingerprints of today's violations. ``piimap check --baseline FILE`` (or ``baseline:`` in the
config) then marks exactly those as suppressed ("baseline"). Nothing is written when a source
failed: a baseline from an incomplete scan would hide nothing it should and miss what it must.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from piimap.checks import baseline_document, evaluate
from piimap.commands.check import add_declaration_options, with_declaration_overrides
from piimap.commands.common import (
    add_scan_options,
    config_from_args,
    print_errors,
    print_warnings,
    run_options,
)
from piimap.exitcodes import ExitCode
from piimap.outputs import write_output
from piimap.pipeline import load_declarations, run_scan
from piimap.terminal import write_line, write_problem
from piimap.wording import counted

__all__ = ["add_parser", "run", "DEFAULT_BASELINE"]

DEFAULT_BASELINE = "piimap-baseline.json"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "baseline",
        help="write the fingerprints of today's violations, so 'check --baseline' fails only on new ones",
    )
    add_scan_options(parser, sources=False)
    add_declaration_options(parser)
    parser.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help=f"where to write it (default: 'baseline:' in the config, else ./{DEFAULT_BASELINE})",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = with_declaration_overrides(config_from_args(args, require_config=True), args)
    declarations = load_declarations(config, with_baseline=False, required=True)
    scanned = run_scan(config, run_options(args))
    print_warnings(scanned.warnings)
    result = evaluate(scanned.result, declarations.datamap, declarations.policy)
    if result.errors:
        print_errors(result)
        write_problem("some sources could not be read; no baseline written")
        return ExitCode.ERROR
    target = Path(args.output) if args.output else (config.baseline_path or Path(DEFAULT_BASELINE))
    document = baseline_document(result)
    write_output(target, json.dumps(document, indent=2, ensure_ascii=False) + "\n", "baseline")
    count = len(document["fingerprints"])
    write_line(f"piimap: wrote {counted(count, 'violation fingerprint')} to {target}", sys.stderr)
    return ExitCode.OK
