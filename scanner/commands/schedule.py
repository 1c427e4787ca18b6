"""``piimap schedule --config FILE``: run the config's ``schedules:`` until stopped (or ``--once``).

See :mod:`piimap.scheduler` for the timing policy (no overlapping runs of one schedule, missed
runs are not replayed, one catch-up run within the grace time).
"""

from __future__ import annotations

import argparse
import signal
import sys

from piimap.commands.argtypes import non_negative_int, positive_int
from piimap.commands.common import add_scan_options, config_from_args, print_warnings, run_options
from piimap.exitcodes import ExitCode
from piimap.model import ConfigError
from piimap.terminal import write_line, write_problem
from piimap.wording import counted

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "schedule", help="run the config's scheduled scans (long-lived), recording each run in the history"
    )
    add_scan_options(parser, sources=False, categories=False)
    parser.add_argument(
        "--once",
        action="store_true",
        help="run every schedule now, once, one after another, and exit (for cron and tests)",
    )
    parser.add_argument(
        "--only", action="append", default=[], metavar="NAME", help="run only this schedule (repeatable)"
    )
    parser.add_argument(
        "--misfire-grace",
        type=non_negative_int,
        default=None,
        metavar="SECONDS",
        help="a run missed by less than this still happens once when the scheduler starts (default 300)",
    )
    parser.add_argument(
        "--max-runs",
        type=positive_int,
        default=None,
        metavar="N",
        help="stop after N runs in total (smoke tests); default: run until stopped",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from piimap.pipeline import store_url
    from piimap.redact import redact_url
    from piimap.scheduler import (
        DEFAULT_MISFIRE_GRACE_SECONDS,
        RunCounter,
        build_scheduler,
        load_schedules,
        run_schedule,
    )

    config = config_from_args(args, require_config=True)
    options = run_options(args)
    schedules = load_schedules(config)
    if args.only:
        unknown = sorted(set(args.only) - {schedule.name for schedule in schedules})
        if unknown:
            raise ConfigError(f"no schedule named {unknown[0]!r} in {config.path}")
        schedules = tuple(schedule for schedule in schedules if schedule.name in args.only)
    if not schedules:
        raise ConfigError(f"{config.path}: no 'schedules' to run")
    where = (
        "not recorded (--no-store)"
        if args.no_store
        else f"recorded in {redact_url(store_url(config, options))}"
    )
    if args.once:
        status: int = ExitCode.OK
        for schedule in schedules:
            outcome = run_schedule(config, schedule, options)
            result = outcome.result
            write_line(
                f"piimap: schedule {schedule.name}: run {result.run_id or '-'}, "
                f"{counted(len(result.findings), 'finding')}, "
                f"{counted(len(outcome.failing), 'failing violation')}, {where}",
                sys.stderr,
            )
            print_warnings(outcome.warnings)
            for problem in [error.one_line() for error in result.errors] + list(outcome.report_errors):
                write_problem(problem)
            status = max(status, outcome.exit_code, key=_severity)
        return status
    counter = RunCounter(args.max_runs) if args.max_runs else None
    scheduler = build_scheduler(
        config,
        schedules,
        options,
        blocking=counter is None,
        misfire_grace_seconds=args.misfire_grace
        if args.misfire_grace is not None
        else DEFAULT_MISFIRE_GRACE_SECONDS,
        on_result=counter,
    )
    for schedule in schedules:
        write_line(f"piimap: schedule {schedule.name}: '{schedule.cron}', runs {where}", sys.stderr)
    if counter is None:
        signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
        scheduler.start()  # blocks until SIGTERM or Ctrl-C
        return ExitCode.OK
    scheduler.start()
    try:
        counter.done.wait()
    finally:
        scheduler.shutdown(wait=True)
    return ExitCode.OK


def _severity(code: int) -> int:
    """Order exit codes for ``--once`` over several schedules: error (2) > findings (1) > ok (0)."""
    order: dict[int, int] = {ExitCode.OK: 0, ExitCode.FINDINGS: 1, ExitCode.ERROR: 2}
    return order.get(code, 3)
