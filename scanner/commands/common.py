"""Options and steps shared by the verbs that scan (``scan``, ``check``, ``explain``, ``baseline``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from piimap.config import Config, load_config, source_name_for
from piimap.engine import scan
from piimap.model import ConfigError, ScanResult, SourceSpec
from piimap.settings import ScanSettings

__all__ = ["add_scan_options", "config_from_args", "run_scan", "print_errors"]


def add_scan_options(parser: argparse.ArgumentParser, *, sources: bool = True) -> None:
    """The options every scanning verb accepts."""
    if sources:
        parser.add_argument("sources", nargs="*", metavar="SOURCE", help="URL, path or glob to scan")
    parser.add_argument("--config", metavar="FILE", help="piimap.yaml with named sources and settings")
    parser.add_argument("--sample-size", type=_non_negative_int, metavar="N",
                        help="values (rows, documents, lines) looked at per container; 0 reads everything")
    parser.add_argument("--min-confidence", type=_unit_float, metavar="X",
                        help="report findings at or above this confidence (default 0.5)")
    parser.add_argument("--region", metavar="CC", help="default phone region for national numbers (default US)")
    parser.add_argument("--spacy-model", metavar="NAME", help="spaCy pipeline for person names")
    parser.add_argument("--include", action="append", default=[], metavar="GLOB",
                        help="only containers matching this pattern (repeatable)")
    parser.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                        help="skip containers matching this pattern (repeatable)")
    parser.add_argument("--workers", type=_positive_int, metavar="N", help="containers scanned at once")
    parser.add_argument("--exhaustive", action="store_true", default=None,
                        help="classify every sampled value (no early stop once a field is decided)")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress output")


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _unit_float(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "sample_size": args.sample_size,
        "min_confidence": args.min_confidence,
        "default_region": args.region.upper() if args.region else None,
        "spacy_model": args.spacy_model,
        "workers": args.workers,
        "exhaustive": args.exhaustive,
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
        config = Config(path=None, sources=specs, settings=ScanSettings().with_changes(**_overrides(args)))
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


def run_scan(config: Config, args: argparse.Namespace) -> ScanResult:
    """Run the scan a config describes, with progress on stderr unless quiet."""
    return scan(config.sources, config.settings)


def print_errors(result: ScanResult) -> None:
    """One line per source or container problem, on stderr."""
    for error in result.errors:
        sys.stderr.write(f"piimap: error: {error.one_line()}\n")
