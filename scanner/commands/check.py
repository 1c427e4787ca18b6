"""``piimap check --config FILE``: scan, check against the data map and policy, gate CI.

Exit codes: 0 when nothing fails, 1 when a violation fails the check (an error that is neither
suppressed in the data map nor accepted by the baseline), 2 on a usage, config or connection
error. When sources failed *and* violations fail, 2 wins: the scan is incomplete, so the result
of the check is not to be trusted either way; the reports (with the violations found so far)
are still written.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from piimap.checks import FAIL_ON_LEVELS, failing_violations
from piimap.commands.common import (
    add_scan_options,
    config_from_args,
    print_errors,
    print_warnings,
    run_options,
)
from piimap.config import Config
from piimap.exitcodes import ExitCode
from piimap.model import ConfigError, ScanResult
from piimap.pipeline import load_declarations, run_configured
from piimap.reports import write_report
from piimap.terminal import write_line, write_problem
from piimap.wording import counted

__all__ = [
    "add_parser",
    "add_declaration_options",
    "with_declaration_overrides",
    "summary",
    "run",
]


def add_declaration_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--datamap", metavar="FILE", help="data map YAML (instead of 'datamap:' in the config)"
    )
    parser.add_argument("--policy", metavar="FILE", help="policy YAML (instead of 'policy:' in the config)")
    parser.set_defaults(baseline=None)  # 'check' adds --baseline; 'baseline' writes one instead


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="scan, check findings against the data map and policy, exit 1 on violations",
        description="Scan the config's sources, build the data map, check it against the declared data map "
        "and privacy policy, write the reports the config asks for, and exit 0 (pass), 1 (violations) "
        "or 2 (config or connection error; wins over 1 because the scan is incomplete).",
    )
    add_scan_options(parser, sources=False)
    add_declaration_options(parser)
    parser.add_argument(
        "--baseline",
        metavar="FILE",
        help="accept the violations listed in this file (from 'piimap baseline')",
    )
    parser.add_argument(
        "--format",
        default="table",
        metavar="FORMAT",
        help="terminal report: table (default), json, html, sarif, fides, github (annotations), junit",
    )
    gate = parser.add_argument_group("what fails the check")
    gate.add_argument(
        "--fail-on",
        choices=tuple(FAIL_ON_LEVELS),
        default="error",
        help="exit 1 on unsuppressed violations of this severity or worse (default: error)",
    )
    gate.add_argument(
        "--exit-zero",
        action="store_true",
        help="report violations but exit 0 (still 2 when a source or the config fails)",
    )
    parser.add_argument("--output", "-o", metavar="FILE", help="write that report here instead of stdout")
    parser.set_defaults(run=run)


def summary(result: ScanResult, fail_on: str = "error") -> str:
    """One line saying whether the check passed and why."""
    failures = failing_violations(result, fail_on)
    failing_kinds = FAIL_ON_LEVELS[fail_on]
    violations = result.violations or ()
    suppressed = sum(1 for violation in violations if violation.suppressed is not None)
    warnings = sum(
        1
        for violation in violations
        if violation.severity not in failing_kinds and violation.suppressed is None
    )
    extras = []
    if suppressed:
        extras.append(f"{suppressed} suppressed")
    if warnings:
        extras.append(counted(warnings, "warning"))
    tail = f" ({', '.join(extras)})" if extras else ""
    if failures:
        by_rule = Counter(violation.rule for violation in failures)
        rules = ", ".join(f"{rule} x{count}" for rule, count in sorted(by_rule.items()))
        return f"check failed: {counted(len(failures), 'violation')} [{rules}]{tail}"
    return f"check passed: no failing violations{tail}"


def with_declaration_overrides(config: Config, args: argparse.Namespace) -> Config:
    """``config`` with ``--datamap`` / ``--policy`` / ``--baseline`` from the command line applied."""
    changes: dict[str, Any] = {
        name: Path(value)
        for name, value in (
            ("datamap_path", args.datamap),
            ("policy_path", args.policy),
            ("baseline_path", args.baseline),
        )
        if value
    }
    return replace(config, **changes) if changes else config


def run(args: argparse.Namespace) -> int:
    config = with_declaration_overrides(config_from_args(args, require_config=True), args)
    load_declarations(config, required=True)  # validate before scanning: mistakes surface at once
    _require_known_formats([args.format, *(output.format for output in config.reports)])
    outcome = run_configured(config, run_options(args), fail_on=args.fail_on)
    result = outcome.result
    print_warnings(outcome.warnings)
    write_report(args.format, result, args.output)
    for problem in outcome.report_errors:
        write_problem(problem)
    print_errors(result)
    note = " (incomplete: some sources failed)" if result.errors else ""
    if result.interrupted:
        note = " (interrupted: partial results)"
    if args.exit_zero and outcome.exit_code == ExitCode.FINDINGS:
        note += " (--exit-zero: exit 0)"
    write_line(f"piimap: {summary(result, args.fail_on)}{note}", sys.stderr)
    if args.exit_zero and outcome.exit_code == ExitCode.FINDINGS:
        return ExitCode.OK
    return outcome.exit_code


def _require_known_formats(formats: list[str]) -> None:
    from piimap.reports import available_formats

    known = available_formats()
    for name in formats:
        if name not in known:
            raise ConfigError(f"unknown report format '{name}' (available: {', '.join(known)})")
