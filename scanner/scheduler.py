"""Scheduled scans: the ``schedules:`` of a config, run by APScheduler until stopped.

Each schedule is ``{name, cron, sources, reports}``: a five-field crontab expression (``*/15 * * *
*``; a six-field one whose first field is seconds is accepted too), the names of the sources it
scans (default: all) and the reports it writes (default: the config's ``reports``). Every run
scans (incrementally, unless ``--full``), checks against the data map and policy the config
names, records the run in the history store and writes the reports, exactly as ``piimap check``
does (:func:`piimap.pipeline.run_configured`).

Timing policy, per schedule:

- A run never starts while the previous run of the same schedule is still going
  (``max_instances=1``); that slot is skipped, not queued.
- Runs missed while the scheduler was down are not replayed. If it starts within the grace time
  (``misfire_grace_seconds``, default 300) after a missed time it runs once (``coalesce``),
  however many times were missed.
- Different schedules may run at the same time; the history store serialises their writes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from piimap.config import Config, ReportOutput
from piimap.model import ConfigError, ScanResult
from piimap.redact import redact_text
from piimap.wording import counted

if TYPE_CHECKING:
    from piimap.pipeline import RunOptions, RunOutcome

__all__ = [
    "DEFAULT_MISFIRE_GRACE_SECONDS",
    "Schedule",
    "load_schedules",
    "cron_trigger",
    "run_schedule",
    "build_scheduler",
    "RunCounter",
]

log = logging.getLogger(__name__)

DEFAULT_MISFIRE_GRACE_SECONDS = 300
_SCHEDULE_KEYS = {"name", "cron", "sources", "reports"}


@dataclass(frozen=True)
class Schedule:
    """One entry of ``schedules:``. ``sources=None`` means every source; ``reports=None`` the config's."""

    name: str
    cron: str
    sources: tuple[str, ...] | None = None
    reports: tuple[ReportOutput, ...] | None = None


def cron_trigger(expression: str, timezone: Any = None) -> Any:
    """An APScheduler trigger for a 5-field crontab, or a 6-field one with seconds first."""
    from apscheduler.triggers.cron import CronTrigger

    fields = expression.split()
    if len(fields) == 6:
        second, minute, hour, day, month, day_of_week = fields
        return CronTrigger(
            second=second,
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=day_of_week,
            timezone=timezone,
        )
    return CronTrigger.from_crontab(expression, timezone=timezone)


def load_schedules(config: Config) -> tuple[Schedule, ...]:
    """Validate ``schedules:``: unique names, valid cron expressions, known sources and formats."""
    known_sources = {spec.name for spec in config.sources}
    schedules: list[Schedule] = []
    seen: set[str] = set()
    for position, entry in enumerate(config.schedules, start=1):
        where = f"{config.path}: schedules[{position}]" if config.path else f"schedules[{position}]"
        if not isinstance(entry, Mapping):
            raise ConfigError(f"{where}: must be a mapping with 'name' and 'cron'")
        if hasattr(entry, "where"):
            where = f"{entry.where()}: schedules[{position}]"
        unknown = set(entry) - _SCHEDULE_KEYS
        if unknown:
            raise ConfigError(
                f"{where}: unknown key {sorted(unknown)[0]!r} (known: {', '.join(sorted(_SCHEDULE_KEYS))})"
            )
        name, cron = entry.get("name"), entry.get("cron")
        if not isinstance(name, str) or not name:
            raise ConfigError(f"{where}: needs a 'name'")
        if name in seen:
            raise ConfigError(f"{where}: duplicate schedule name {name!r}")
        seen.add(name)
        if not isinstance(cron, str):
            raise ConfigError(f"{where}: {name}: needs a 'cron' expression such as '*/15 * * * *'")
        try:
            cron_trigger(cron)
        except ValueError as error:
            raise ConfigError(f"{where}: {name}: invalid cron expression {cron!r}: {error}") from None
        sources = entry.get("sources")
        if sources is not None:
            if isinstance(sources, str):
                sources = [sources]
            if not isinstance(sources, list) or not sources:
                raise ConfigError(f"{where}: {name}: 'sources' must be a list of source names")
            missing = [str(source) for source in sources if source not in known_sources]
            if missing:
                raise ConfigError(
                    f"{where}: {name}: unknown source {missing[0]!r} (sources: {', '.join(sorted(known_sources))})"
                )
            sources = tuple(str(source) for source in sources)
        schedules.append(Schedule(name, cron, sources, _reports_of(entry, config, where)))
    return tuple(schedules)


def _reports_of(entry: Mapping[str, Any], config: Config, where: str) -> tuple[ReportOutput, ...] | None:
    raw = entry.get("reports")
    if raw is None:
        return None
    from pathlib import Path

    if isinstance(raw, Mapping):
        raw = [{"format": fmt, "path": path} for fmt, path in raw.items()]
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: 'reports' must be a list of {{format, path}}")
    base = config.path.parent.resolve() if config.path is not None else Path.cwd()
    outputs = []
    for item in raw:
        if not isinstance(item, Mapping) or "format" not in item:
            raise ConfigError(f"{where}: each report needs 'format' and 'path'")
        target = str(item.get("path", "-"))
        if target != "-" and not Path(target).is_absolute():
            target = str(base / target)
        outputs.append(ReportOutput(format=str(item["format"]), path=target))
    return tuple(outputs)


def run_schedule(config: Config, schedule: Schedule, options: RunOptions) -> RunOutcome:
    """One run of ``schedule``: scan, check, record and write reports (:func:`piimap.pipeline.run_configured`).

    ``options`` are the run options (store, full, executor...); the run is recorded as command
    ``schedule:NAME`` and draws no progress bars (a long-lived scheduler writes logs).
    """
    from piimap.pipeline import run_configured

    run_options = replace(options, command=f"schedule:{schedule.name}", quiet=True)
    if schedule.sources is not None:
        chosen = set(schedule.sources)
        config = replace(config, sources=tuple(spec for spec in config.sources if spec.name in chosen))
    if schedule.reports is not None:
        config = replace(config, reports=schedule.reports)
    return run_configured(config, run_options)


def _logged_run(
    config: Config,
    schedule: Schedule,
    options: RunOptions,
    on_result: Callable[[str, ScanResult | None], None] | None,
) -> None:
    """A scheduler job: one run whose problems are logged, never raised into the scheduler."""
    try:
        outcome = run_schedule(config, schedule, options)
    except Exception as error:  # one failed run must not stop the schedule
        log.error("schedule %s failed: %s", schedule.name, redact_text(str(error)))
        if on_result is not None:
            on_result(schedule.name, None)
        return
    result = outcome.result
    for warning in outcome.warnings:
        log.warning("schedule %s: %s", schedule.name, warning)
    for problem in outcome.report_errors:
        log.error("schedule %s: %s", schedule.name, problem)
    sources_ok = sum(1 for status in result.sources if status.status == "ok")
    log.warning(
        "schedule %s: run %s, %s, %d/%d sources read%s",
        schedule.name,
        result.run_id or "(not stored)",
        counted(len(result.findings), "finding"),
        sources_ok,
        len(result.sources),
        f", {counted(len(result.violations), 'violation')}" if result.violations else "",
    )
    if on_result is not None:
        on_result(schedule.name, result)


def build_scheduler(
    config: Config,
    schedules: Sequence[Schedule],
    options: RunOptions,
    *,
    blocking: bool = True,
    misfire_grace_seconds: int = DEFAULT_MISFIRE_GRACE_SECONDS,
    on_result: Callable[[str, ScanResult | None], None] | None = None,
) -> Any:
    """An APScheduler 3 scheduler with one job per schedule (see the module docstring for the policy).

    ``blocking=False`` gives a :class:`BackgroundScheduler` (tests, embedding); ``on_result`` is
    called after every run with the schedule's name and the recorded result (``None`` when the
    run failed).
    """
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = scheduler_class(
        job_defaults={
            "max_instances": 1,
            "coalesce": True,
            "misfire_grace_time": misfire_grace_seconds,
        },
        executors={"default": {"type": "threadpool", "max_workers": max(1, len(schedules))}},
    )
    for schedule in schedules:
        scheduler.add_job(
            _logged_run,
            trigger=cron_trigger(schedule.cron),
            args=(config, schedule, options, on_result),
            id=schedule.name,
            name=schedule.name,
            replace_existing=True,
        )
    return scheduler


class RunCounter:
    """Counts finished runs per schedule and wakes a waiter after ``target`` of them (for ``--runs``)."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.finished: dict[str, int] = {}
        self.done = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, name: str, result: ScanResult | None) -> None:
        with self._lock:
            self.finished[name] = self.finished.get(name, 0) + 1
            if sum(self.finished.values()) >= self.target:
                self.done.set()
