"""The configured job, end to end: scan, check against the declarations, record, write reports.

``piimap check``, ``piimap demo`` and scheduled runs all go through :func:`run_configured`, so a
report written by any of them means the same thing. This module is also the library entry point:
nothing here reads the command line. How a run is carried out (history store, executor, progress)
is a frozen :class:`RunOptions` the caller builds; every step returns what it produced.

    from piimap import RunOptions, load_config, run_configured

    outcome = run_configured(load_config("piimap.yaml"), RunOptions(no_store=True, quiet=True))
    print(len(outcome.result.findings), "findings; exit code", outcome.exit_code)
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from piimap.config import Config, source_name_for
from piimap.exitcodes import ExitCode
from piimap.model import ConfigError, PiimapError, ScanResult, SourceError, SourceSpec, Violation
from piimap.scancache import scan_scope
from piimap.settings import ScanSettings

if TYPE_CHECKING:
    from piimap.declarations import DataMap, Policy
    from piimap.store import ContainerRecord

__all__ = [
    "HISTORY_STORE",
    "RunOptions",
    "ScanRun",
    "RunOutcome",
    "Declarations",
    "config_for_sources",
    "load_declarations",
    "store_url",
    "run_scan",
    "add_observed_flows",
    "check_declarations",
    "record_run",
    "exit_code_for",
    "run_configured",
]

log = logging.getLogger(__name__)

#: The name under which a history-store failure appears among a result's errors.
HISTORY_STORE = "history store"


@dataclass(frozen=True)
class RunOptions:
    """How one run is carried out, beyond what the config says (the command line's operations options).

    ``store`` is a history store URL (default: ``store:`` in the config, else ``$PIIMAP_STORE``,
    else the per-user SQLite file); ``no_store`` neither records the run nor reuses stored
    findings; ``full`` reads every container even when unchanged since the last stored run.
    ``executor`` is ``local`` or ``dask`` (default: ``executor:`` in the config, else local) and
    ``dask_scheduler`` a scheduler address for it. ``quiet`` turns off the progress bars (they
    are only ever drawn on a terminal). ``command`` is what the history lists the run as.
    """

    store: str | None = None
    no_store: bool = False
    full: bool = False
    executor: str | None = None
    dask_scheduler: str | None = None
    quiet: bool = False
    command: str = "scan"


@dataclass(frozen=True)
class ScanRun:
    """A scan's result, the container inventory the history records with it, and warnings for the user.

    ``warnings`` are one-line messages about problems that did not fail the run (a history store
    that could not be opened, or written when it was only the implicit default).
    """

    result: ScanResult
    inventory: tuple[ContainerRecord, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunOutcome:
    """A finished configured run: the result (with violations and data map) and its exit code."""

    result: ScanResult
    failing: tuple[Violation, ...]
    exit_code: int
    report_errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def config_for_sources(urls: Sequence[str], settings: ScanSettings | None = None) -> Config:
    """A config without a file: the sources ``urls`` (paths made absolute), named as ``piimap scan``
    names them (``sqlite:app``, ``access.log``), and ``settings``."""
    if not urls:
        raise ConfigError("nothing to scan: give one or more SOURCEs or --config FILE")
    taken: set[str] = set()
    specs = tuple(SourceSpec(source_name_for(url, taken), _absolute(url)) for url in urls)
    return Config(path=None, sources=specs, settings=settings if settings is not None else ScanSettings())


def _absolute(url: str) -> str:
    if "://" in url:
        return url
    return str(Path(url).expanduser())


def store_url(config: Config, options: RunOptions) -> str:
    """The history store to use: ``options.store``, else ``store:`` in the config (relative SQLite
    paths against the config's folder), else ``$PIIMAP_STORE``, else the per-user default."""
    from piimap.config import resolve_source_url
    from piimap.store import default_store_url

    if options.store:
        return options.store
    if config.store:
        base = config.path.parent.resolve() if config.path is not None else Path.cwd()
        return resolve_source_url(config.store, base)
    return default_store_url()


def run_scan(config: Config, options: RunOptions) -> ScanRun:
    """Run the scan a config describes, with progress on stderr unless quiet (or not a terminal).

    Unless ``options.full`` or ``options.no_store``, containers unchanged since the last stored run
    are not read again (their stored findings carry over). The returned inventory is what
    :func:`record_run` stores for the next incremental run.
    """
    from piimap.engine import ObserverGroup, scan
    from piimap.executors import make_executor
    from piimap.incremental import IncrementalReuse, InventoryObserver
    from piimap.progress import progress_observer
    from piimap.store import open_store

    warnings: list[str] = []
    store = None
    if not options.no_store and not options.full:
        try:
            store = open_store(store_url(config, options))
        except PiimapError as error:  # the scan itself must not be lost to a history problem
            log.debug("opening the history store failed", exc_info=True)  # scrubbed by the CLI's formatter
            warnings.append(f"history store unavailable, reading every container: {error}")
    inventory = InventoryObserver()
    progress = progress_observer(quiet=options.quiet)
    configured = _config_executor(config)
    executor = make_executor(
        options.executor or configured.get("name"),
        config.settings,
        scheduler_address=options.dask_scheduler or configured.get("scheduler"),
        connect_timeout=configured.get("connect_timeout"),
    )
    try:
        with progress:
            result = scan(
                config.sources,
                config.settings,
                executor=executor,
                observer=ObserverGroup(inventory, progress),
                reuse=IncrementalReuse(store, config.settings) if store is not None else None,
            )
    finally:
        executor.close()
        if store is not None:
            store.close()
    if config.flow_sources and not result.interrupted:
        result = add_observed_flows(config, result)
    return ScanRun(result, inventory.records, tuple(warnings))


def add_observed_flows(config: Config, result: ScanResult) -> ScanResult:
    """``result`` with the flows of the config's flow sources (their statuses and errors added)."""
    from piimap.flows import scan_flow_sources
    from piimap.vendors import load_catalogue

    scanned = scan_flow_sources(
        config.flow_sources, config.settings, load_catalogue(config.catalogue_vendors)
    )
    return replace(
        result,
        sources=result.sources + scanned.sources,
        errors=result.errors + scanned.errors,
        flows=result.flows + scanned.flows,
    )


def _config_executor(config: Config) -> dict[str, Any]:
    """``executor: dask`` or ``executor: {name: dask, scheduler: tcp://HOST:8786, connect_timeout: 10}``."""
    value = config.raw.get("executor") if config.raw else None
    if value is None:
        return {}
    if isinstance(value, str):
        return {"name": value}
    if not isinstance(value, dict):
        raise ConfigError("executor: must be 'local', 'dask' or a mapping {name, scheduler, connect_timeout}")
    unknown = set(value) - {"name", "scheduler", "connect_timeout"}
    if unknown:
        raise ConfigError(
            f"executor: unknown key {sorted(unknown)[0]!r} (known: connect_timeout, name, scheduler)"
        )
    timeout = value.get("connect_timeout")
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0
    ):
        raise ConfigError("executor: connect_timeout must be a number of seconds")
    return {
        "name": str(value["name"]) if value.get("name") else None,
        "scheduler": str(value["scheduler"]) if value.get("scheduler") else None,
        "connect_timeout": float(timeout) if timeout is not None else None,
    }


@dataclass(frozen=True)
class Declarations:
    """What a check compares the scan with: the data map, the policy and the accepted violations."""

    datamap: DataMap | None
    policy: Policy | None
    baseline: frozenset[str] | None = None


def load_declarations(config: Config, *, with_baseline: bool = True, required: bool = False) -> Declarations:
    """Load and validate the data map, policy and (``with_baseline``) baseline files ``config`` names.

    With ``required`` a config naming neither a data map nor a policy is a :class:`ConfigError`
    (``piimap check`` and ``piimap baseline`` need something to check against).
    """
    from piimap.checks import load_baseline
    from piimap.declarations import load_datamap, load_policy

    if required and config.datamap_path is None and config.policy_path is None:
        where = config.path or "the config"
        raise ConfigError(f"{where}: a check needs 'datamap:' or 'policy:' (or --datamap / --policy)")
    baseline = None
    if with_baseline and config.baseline_path is not None:
        baseline = frozenset(load_baseline(config.baseline_path))
    return Declarations(
        datamap=(
            load_datamap(config.datamap_path, categories=config.categories)
            if config.datamap_path is not None
            else None
        ),
        policy=(
            load_policy(
                config.policy_path, categories=config.categories, spacy_model=config.settings.spacy_model
            )
            if config.policy_path is not None
            else None
        ),
        baseline=baseline,
    )


def check_declarations(config: Config, result: ScanResult, baseline_path: Path | None = None) -> ScanResult:
    """Fill ``violations`` and the data map (built even without declarations, for the HTML map)."""
    from piimap.checks import evaluate

    if baseline_path is not None:
        config = replace(config, baseline_path=baseline_path)
    declarations = load_declarations(config)
    baseline = set(declarations.baseline) if declarations.baseline is not None else None
    return evaluate(result, declarations.datamap, declarations.policy, baseline=baseline)


def record_run(config: Config, options: RunOptions, run: ScanRun) -> ScanRun:
    """Record the run in the history store (unless ``options.no_store``): ``run`` with ``run_id`` set.

    Call it after :func:`run_scan` (and after checking, so violations and the data map are kept).
    When the store cannot be written the scan is not lost: a store the user asked for (``store``,
    ``store:`` or ``$PIIMAP_STORE``) adds an error to the result, so the run fails (exit 2) with
    its reports written; the implicit per-user default only adds a warning, so a read-only home
    never breaks a scan.
    """
    from piimap.store import open_store, scan_digest

    if options.no_store:
        return run
    result = run.result
    digests = {spec.name: scan_digest(spec, config.settings) for spec in config.sources}
    try:
        with open_store(store_url(config, options)) as store:
            run_id = store.record(
                result,
                command=options.command,
                config=str(config.path) if config.path is not None else None,
                containers=run.inventory,
                digests=digests,
            )
    except PiimapError as error:
        log.debug("recording the run failed", exc_info=True)  # scrubbed by the CLI's log formatter
        if _store_was_asked_for(config, options):
            error_record = SourceError(HISTORY_STORE, f"run not recorded: {error}")
            return replace(run, result=replace(result, errors=result.errors + (error_record,)))
        warning = f"run not recorded in the default history store: {error}"
        return replace(run, warnings=run.warnings + (warning,))
    return replace(run, result=replace(result, run_id=int(run_id)))


def _store_was_asked_for(config: Config, options: RunOptions) -> bool:
    return bool(options.store or config.store or os.environ.get("PIIMAP_STORE"))


def exit_code_for(result: ScanResult, fail_on: str = "error") -> int:
    """130 when Ctrl-C stopped the scan, else 2 when any source or container could not be read (the
    result is incomplete), else 1 when a violation fails the check (at ``fail_on``: ``error`` or
    ``warning``), else 0."""
    from piimap.checks import failing

    if result.interrupted:
        return ExitCode.INTERRUPTED
    if result.errors:
        return ExitCode.ERROR
    return ExitCode.FINDINGS if failing(result, fail_on) else ExitCode.OK


def run_configured(
    config: Config,
    options: RunOptions,
    *,
    baseline_path: Path | None = None,
    fail_on: str = "error",
) -> RunOutcome:
    """Scan the config's sources, check, record the run, and write every report the config asks for.

    ``fail_on`` is the lowest severity that fails the check: ``error`` (the default) or ``warning``."""
    from piimap.checks import failing_violations
    from piimap.reports import write_report

    with scan_scope():  # names masked in reports also go through the validators' caches of values
        scanned = run_scan(config, options)
        checked = replace(scanned, result=check_declarations(config, scanned.result, baseline_path))
        recorded = record_run(config, options, checked)
        result = recorded.result
        report_errors = []
        for output in config.reports:  # one report failing must not lose the others
            try:
                write_report(output.format, result, output.path)
            except PiimapError as error:
                report_errors.append(str(error))
    exit_code = ExitCode.ERROR if report_errors and not result.interrupted else exit_code_for(result, fail_on)
    return RunOutcome(
        result, failing_violations(result, fail_on), exit_code, tuple(report_errors), recorded.warnings
    )
