"""The configured job, end to end: scan, check against the declarations, record, write reports.

``piimap check``, ``piimap demo`` and scheduled runs all go through :func:`run_configured`, so a
report written by any of them means the same thing.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from piimap.config import Config
from piimap.exitcodes import ExitCode
from piimap.model import PiimapError, ScanResult, Violation

__all__ = ["RunOutcome", "run_configured", "check_declarations", "exit_code_for"]


@dataclass(frozen=True)
class RunOutcome:
    """A finished configured run: the result (with violations and data map) and its exit code."""

    result: ScanResult
    failing: tuple[Violation, ...]
    exit_code: int
    report_errors: tuple[str, ...] = ()


def check_declarations(config: Config, result: ScanResult, baseline_path: Path | None = None) -> ScanResult:
    """Fill ``violations`` and ``datamap`` when the config names a data map or a policy."""
    from piimap.checks import evaluate, load_baseline
    from piimap.declarations import load_datamap, load_policy

    categories = config.categories
    datamap = load_datamap(config.datamap_path, categories=categories) if config.datamap_path else None
    policy = (
        load_policy(config.policy_path, categories=categories, spacy_model=config.settings.spacy_model)
        if config.policy_path
        else None
    )
    baseline_path = baseline_path or config.baseline_path
    baseline = load_baseline(baseline_path) if baseline_path else None
    if datamap is None and policy is None and baseline is None:
        return evaluate(result, None, None)  # still builds the graph for the HTML map
    return evaluate(result, datamap, policy, baseline=baseline)


def exit_code_for(result: ScanResult) -> int:
    """130 when Ctrl-C stopped the scan, else 2 when any source or container could not be read (the
    result is incomplete), else 1 when a violation fails the check, else 0."""
    from piimap.checks import failing

    if result.interrupted:
        return ExitCode.INTERRUPTED
    if result.errors:
        return ExitCode.ERROR
    return ExitCode.FINDINGS if failing(result) else ExitCode.OK


def run_configured(
    config: Config,
    args: argparse.Namespace,
    *,
    baseline_path: Path | None = None,
) -> RunOutcome:
    """Scan the config's sources, check, record the run, and write every report the config asks for."""
    from piimap.checks import failing_violations
    from piimap.commands.common import record_run, run_scan
    from piimap.reports import write_report

    result = run_scan(config, args)
    result = check_declarations(config, result, baseline_path)
    result = record_run(config, args, result)
    report_errors = []
    for output in config.reports:  # one report failing must not lose the others
        try:
            write_report(output.format, result, output.path)
        except PiimapError as error:
            report_errors.append(str(error))
    exit_code = ExitCode.ERROR if report_errors and not result.interrupted else exit_code_for(result)
    return RunOutcome(result, failing_violations(result), exit_code, tuple(report_errors))
