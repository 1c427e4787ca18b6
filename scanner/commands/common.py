"""Options and steps shared by the verbs that scan (``scan``, ``check``, ``explain``, ``baseline``)."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path
from typing import Any

from piimap.config import Config, load_config, source_name_for
from piimap.engine import scan
from piimap.evidence import evidence_policy
from piimap.model import ConfigError, PiimapError, ScanResult, SourceError, SourceSpec
from piimap.schema.config import setting_type
from piimap.settings import ScanSettings
from piimap.terminal import write_problem

log = logging.getLogger(__name__)

__all__ = [
    "add_scan_options",
    "config_from_args",
    "run_scan",
    "record_run",
    "store_url",
    "add_store_options",
    "store_url_from_args",
    "print_errors",
]


def add_scan_options(parser: argparse.ArgumentParser, *, sources: bool = True) -> None:
    """The options every scanning verb accepts."""
    if sources:
        parser.add_argument("sources", nargs="*", metavar="SOURCE", help="URL, path or glob to scan")
    parser.add_argument("--config", metavar="FILE", help="piimap.yaml with named sources and settings")
    parser.add_argument(
        "--sample-size",
        type=setting_type("sample_size"),
        metavar="N",
        help="values (rows, documents, lines) looked at per container; 0 reads everything",
    )
    parser.add_argument(
        "--min-confidence",
        type=setting_type("min_confidence"),
        metavar="X",
        help="report findings at or above this confidence (default 0.5)",
    )
    parser.add_argument(
        "--region",
        action="append",
        type=setting_type("default_region"),
        metavar="CC[,CC...]",
        help="phone regions for national-format numbers, e.g. US,GB (repeatable; default US)",
    )
    parser.add_argument("--spacy-model", metavar="NAME", help="spaCy pipeline for person names")
    parser.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="GLOB",
        help="only containers matching this pattern (repeatable)",
    )
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip containers matching this pattern (repeatable)",
    )
    parser.add_argument(
        "--workers", type=setting_type("workers"), metavar="N", help="containers scanned at once"
    )
    parser.add_argument(
        "--exhaustive",
        action="store_true",
        default=None,
        help="classify every sampled value (no early stop once a field is decided)",
    )
    parser.add_argument(
        "--evidence",
        choices=("masked", "hmac", "none"),
        default=None,
        help="what findings keep of matched values: masked examples (default), "
        "HMAC-SHA256 under the key in $PIIMAP_HMAC_KEY, or nothing",
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress output")
    operations = parser.add_argument_group("history, incremental rescans and scale-out")
    operations.add_argument(
        "--store",
        metavar="URL",
        help="history store (SQLAlchemy URL; default: 'store:' in the config, else "
        "$PIIMAP_STORE, else $XDG_DATA_HOME/piimap/history.sqlite)",
    )
    operations.add_argument(
        "--no-store", action="store_true", help="do not record this run (and do not reuse stored findings)"
    )
    operations.add_argument(
        "--full",
        action="store_true",
        help="read every container again, even when unchanged since the last stored run",
    )
    operations.add_argument(
        "--executor",
        choices=("local", "dask"),
        default=None,
        help="where containers are scanned: local threads (default) or a Dask cluster",
    )
    operations.add_argument(
        "--dask-scheduler",
        metavar="ADDRESS",
        help="Dask scheduler, e.g. tcp://HOST:8786 (with --executor dask; "
        "without it a local cluster is started)",
    )


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "sample_size": args.sample_size,
        "min_confidence": args.min_confidence,
        "default_region": ",".join(dict.fromkeys(",".join(args.region).split(","))) if args.region else None,
        "spacy_model": args.spacy_model,
        "workers": args.workers,
        "exhaustive": args.exhaustive,
        "evidence": getattr(args, "evidence", None),
    }


def config_from_args(args: argparse.Namespace, *, require_config: bool = False) -> Config:
    """The config file (with command-line overrides) or an ad-hoc config from SOURCE arguments."""
    sources = list(getattr(args, "sources", []) or [])
    if args.config:
        config = load_config(args.config, _overrides(args))
        if sources:
            taken = {spec.name for spec in config.sources}
            extra = tuple(SourceSpec(source_name_for(url, taken), url) for url in sources)
            config = _replace_sources(config, config.sources + extra)
    elif require_config:
        raise ConfigError("--config FILE is required")
    else:
        if not sources:
            raise ConfigError("nothing to scan: give one or more SOURCEs or --config FILE")
        taken: set[str] = set()
        specs = tuple(SourceSpec(source_name_for(url, taken), _absolute(url)) for url in sources)
        overrides = _overrides(args)
        evidence = evidence_policy(overrides.pop("evidence"))
        settings = ScanSettings(evidence=evidence).with_changes(**overrides)
        config = Config(path=None, sources=specs, settings=settings)
    if args.include or args.exclude:
        specs = tuple(
            SourceSpec(
                spec.name,
                spec.url,
                {
                    **spec.options,
                    "include": list(spec.options.get("include", [])) + args.include,
                    "exclude": list(spec.options.get("exclude", [])) + args.exclude,
                },
            )
            for spec in config.sources
        )
        config = _replace_sources(config, specs)
    return config


def _absolute(url: str) -> str:
    if "://" in url:
        return url
    return str(Path(url).expanduser())


def _replace_sources(config: Config, sources: tuple[SourceSpec, ...]) -> Config:
    from dataclasses import replace

    return replace(config, sources=sources)


def store_url(config: Config, args: argparse.Namespace) -> str:
    """The history store to use: ``--store``, else ``store:`` in the config (relative SQLite paths
    against the config's folder), else ``$PIIMAP_STORE``, else the per-user default."""
    from piimap.config import resolve_source_url
    from piimap.store import default_store_url

    if getattr(args, "store", None):
        return str(args.store)
    if config.store:
        base = config.path.parent.resolve() if config.path is not None else Path.cwd()
        return resolve_source_url(config.store, base)
    return default_store_url()


def add_store_options(parser: argparse.ArgumentParser) -> None:
    """``--store`` and ``--config`` for the verbs that only read the history (``history``, ``diff``)."""
    parser.add_argument(
        "--store",
        metavar="URL",
        help="history store (SQLAlchemy URL; default: 'store:' in --config, else "
        "$PIIMAP_STORE, else $XDG_DATA_HOME/piimap/history.sqlite)",
    )
    parser.add_argument("--config", metavar="FILE", help="take the store from this config's 'store:' key")


def store_url_from_args(args: argparse.Namespace) -> str:
    """The store a reading verb uses: ``--store``, else the config's ``store:``, else the default."""
    from piimap.store import default_store_url

    if getattr(args, "store", None):
        return str(args.store)
    if getattr(args, "config", None):
        return store_url(load_config(args.config), args)
    return default_store_url()


def run_scan(config: Config, args: argparse.Namespace) -> ScanResult:
    """Run the scan a config describes, with progress on stderr unless quiet.

    Unless ``--full`` or ``--no-store``, containers unchanged since the last stored run are not
    read again (their stored findings carry over). The container inventory is kept on ``args``
    for :func:`record_run`.
    """
    from piimap.engine import ObserverGroup
    from piimap.executors import make_executor
    from piimap.progress import progress_observer
    from piimap.store import IncrementalReuse, InventoryObserver, open_store

    store = None
    if not getattr(args, "no_store", False) and not getattr(args, "full", False):
        try:
            store = open_store(store_url(config, args))
        except PiimapError as error:  # the scan itself must not be lost to a history problem
            log.debug(
                "opening the history store failed", exc_info=True
            )  # scrubbed by the CLI's log formatter
            write_problem(f"history store unavailable, reading every container: {error}", "warning")
    inventory = InventoryObserver()
    progress = progress_observer(quiet=bool(getattr(args, "quiet", False)))
    configured = _config_executor(config)
    executor = make_executor(
        getattr(args, "executor", None) or configured.get("name"),
        config.settings,
        scheduler_address=getattr(args, "dask_scheduler", None) or configured.get("scheduler"),
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
    args.scan_inventory = inventory.records
    return result


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


def record_run(config: Config, args: argparse.Namespace, result: ScanResult) -> ScanResult:
    """Record the run in the history store (unless ``--no-store``); returns ``result`` with ``run_id`` set.

    Call it after :func:`run_scan` (and after checking, so violations and the data map are kept).
    """
    from dataclasses import replace

    from piimap.store import open_store, scan_digest

    if getattr(args, "no_store", False):
        return result
    digests = {spec.name: scan_digest(spec, config.settings) for spec in config.sources}
    command = getattr(args, "history_command", None) or getattr(args, "command", None) or "scan"
    try:
        with open_store(store_url(config, args)) as store:
            run_id = store.record(
                result,
                command=str(command),
                config=str(config.path) if config.path is not None else None,
                containers=getattr(args, "scan_inventory", ()),
                digests=digests,
            )
    except PiimapError as error:
        log.debug("recording the run failed", exc_info=True)  # scrubbed by the CLI's log formatter
        # The reports are still written. A store the user asked for makes the run fail (exit 2);
        # the implicit per-user default only warns, so a read-only home never breaks a scan.
        if _store_was_asked_for(config, args):
            return replace(
                result, errors=result.errors + (SourceError(HISTORY_STORE, f"run not recorded: {error}"),)
            )
        write_problem(f"run not recorded in the default history store: {error}", "warning")
        return result
    return replace(result, run_id=str(run_id))


#: The name under which a history-store failure appears among a result's errors.
HISTORY_STORE = "history store"


def _store_was_asked_for(config: Config, args: argparse.Namespace) -> bool:
    return bool(getattr(args, "store", None) or config.store or os.environ.get("PIIMAP_STORE"))


def print_errors(result: ScanResult) -> None:
    """One line per source or container problem, on stderr."""
    for error in result.errors:
        write_problem(error.one_line())
