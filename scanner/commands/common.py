"""Options shared by the verbs that scan (``scan``, ``check``, ``explain``, ``baseline``, ``schedule``).

The command line only parses: :func:`config_from_args` and :func:`run_options` turn the parsed
arguments into a :class:`~piimap.config.Config` and a :class:`~piimap.pipeline.RunOptions`, and
the verbs hand those to :mod:`piimap.pipeline`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from piimap.config import CONFIG_FILE_NAMES, Config, find_config, load_config, source_name_for
from piimap.evidence import evidence_policy
from piimap.model import ConfigError, ScanResult, SourceSpec
from piimap.pipeline import RunOptions, config_for_sources, store_url
from piimap.schema.config import setting_type
from piimap.settings import ScanSettings
from piimap.terminal import write_line, write_problem

__all__ = [
    "add_setting_options",
    "setting_overrides",
    "add_scan_options",
    "config_from_args",
    "run_options",
    "add_store_options",
    "store_url_from_args",
    "discover_config",
    "print_warnings",
    "print_errors",
]


def add_setting_options(parser: argparse.ArgumentParser) -> None:
    """``--sample-size``, ``--min-confidence``, ``--region`` and ``--spacy-model``: the settings of
    ``piimap.yaml`` the command line may give (read back with :func:`setting_overrides`)."""
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


def setting_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The settings :func:`add_setting_options` read, by setting name (``None`` when not given)."""
    return {
        "sample_size": args.sample_size,
        "min_confidence": args.min_confidence,
        "default_region": ",".join(dict.fromkeys(",".join(args.region).split(","))) if args.region else None,
        "spacy_model": args.spacy_model,
    }


def add_scan_options(
    parser: argparse.ArgumentParser, *, sources: bool = True, categories: bool = True
) -> None:
    """The options every scanning verb accepts (``categories``: with ``--only`` / ``--except``)."""
    if sources:
        parser.add_argument("sources", nargs="*", metavar="SOURCE", help="URL, path or glob to scan")
    else:
        parser.set_defaults(sources=[])
    parser.add_argument("--config", metavar="FILE", help="piimap.yaml with named sources and settings")
    add_setting_options(parser)
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
    if categories:
        _add_category_options(parser)
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


def _add_category_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--only",
        dest="only_categories",
        type=setting_type("only_categories"),
        metavar="CAT[,CAT...]",
        help="look only for these categories (a key includes the keys under it, e.g. user.government_id)",
    )
    parser.add_argument(
        "--except",
        dest="except_categories",
        type=setting_type("except_categories"),
        metavar="CAT[,CAT...]",
        help="do not look for these categories (nor the keys under them)",
    )


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    return {
        **setting_overrides(args),
        "workers": args.workers,
        "exhaustive": args.exhaustive,
        "evidence": args.evidence,
        "only_categories": getattr(args, "only_categories", None),
        "except_categories": getattr(args, "except_categories", None),
    }


def discover_config(args: argparse.Namespace, *, required: bool, what: str = "") -> str | None:
    """``--config``, else the ``piimap.yaml`` / ``.piimap.yaml`` found in the current folder or a
    parent (:func:`piimap.config.find_config`), saying on stderr which file is used; ``None`` when
    there is none and it is not ``required`` (a :class:`ConfigError` when it is). The result is
    also stored in ``args.config``."""
    if args.config:
        return str(args.config)
    found = find_config()
    if found is None:
        if required:
            names = " or ".join(CONFIG_FILE_NAMES[:2])
            raise ConfigError(
                f"--config FILE is required{what}: no {names} in {Path.cwd()} or a parent folder "
                "('piimap init SOURCE...' writes one)"
            )
        return None
    args.config = str(found)
    write_line(f"piimap: using config {found}", sys.stderr)
    return args.config


def config_from_args(args: argparse.Namespace, *, require_config: bool = False) -> Config:
    """The config file (with command-line overrides) or an ad-hoc config from SOURCE arguments.

    Without ``--config`` the config is looked for (:func:`discover_config`) when the verb needs one
    (``require_config``) or when no SOURCE was given; SOURCE arguments alone scan just those."""
    sources = list(args.sources)
    if require_config or not sources:
        discover_config(args, required=require_config)
    if args.config:
        config = load_config(args.config, _overrides(args))
        if sources:
            taken = {spec.name for spec in config.sources}
            extra = tuple(SourceSpec(source_name_for(url, taken), url) for url in sources)
            config = replace(config, sources=config.sources + extra)
    else:
        overrides = _overrides(args)
        evidence = evidence_policy(overrides.pop("evidence"))
        config = config_for_sources(sources, ScanSettings(evidence=evidence).with_changes(**overrides))
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
        config = replace(config, sources=specs)
    _check_category_filters(config.settings)
    return config


def _check_category_filters(settings: ScanSettings) -> None:
    """``--only`` / ``--except`` name known categories (installed, Fides, or the config's custom ones)."""
    keys = (settings.only_categories or ()) + settings.except_categories
    if not keys:
        return
    from piimap.categories import category_vocabulary
    from piimap.classifiers.options import tuning_options

    custom = [custom.category for custom in tuning_options(settings).custom_categories]
    vocabulary = category_vocabulary(custom)
    for key in keys:
        problem = vocabulary.problem(key)
        if problem is not None:
            option = "--only" if key in (settings.only_categories or ()) else "--except"
            raise ConfigError(f"{option}: {problem}")


def run_options(args: argparse.Namespace) -> RunOptions:
    """The :class:`~piimap.pipeline.RunOptions` of a verb parsed with :func:`add_scan_options`."""
    return RunOptions(
        store=args.store,
        no_store=args.no_store,
        full=args.full,
        executor=args.executor,
        dask_scheduler=args.dask_scheduler,
        quiet=args.quiet,
        command=args.command,
    )


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

    if args.store:
        return str(args.store)
    if discover_config(args, required=False):
        return store_url(load_config(args.config), RunOptions())
    return default_store_url()


def print_warnings(warnings: Iterable[str]) -> None:
    """One line per warning (a problem that did not fail the run), on stderr."""

    for warning in warnings:
        write_problem(warning, "warning")


def print_errors(result: ScanResult) -> None:
    """One line per source or container problem, on stderr."""
    for error in result.errors:
        write_problem(error.one_line())
