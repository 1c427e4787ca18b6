"""``piimap locate --config FILE --email X ...``: where one person's data is (a right-to-know or
deletion request).

The lookups are planned from the newest stored run that read each source (``--rescan``, or a
source never scanned, scans first and records that scan), run read-only with the scans' limits,
and reported without ever writing an identifier in clear: the subject is the keyed HMACs of its
identifiers (``$PIIMAP_HMAC_KEY``, as for ``piimap hash``). Exit codes: 0 found, 1 nothing found,
2 usage, config or connection error (2 wins: an incomplete search cannot say "nothing").
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from piimap.commands.argtypes import non_negative_int, positive_int
from piimap.commands.common import discover_config
from piimap.config import Config, load_config
from piimap.evidence import DEFAULT_HMAC_KEY_ENV, evidence_policy
from piimap.exitcodes import ExitCode
from piimap.locate_identifiers import KINDS, make_identifier
from piimap.locate_model import ContainerTarget, Identifier, LocateLimits, LocateResult
from piimap.model import ConfigError, PiimapError, SourceError
from piimap.terminal import write_line, write_problem
from piimap.wording import counted

__all__ = ["add_parser", "run", "read_request_file"]

_OPTIONS = {kind: f"--{kind}" for kind in KINDS}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "locate",
        help="find where one person's data is (right to know / deletion requests)",
        description="Look one person up in the config's sources: plan from the latest stored scan which "
        "tables, collections, files and fields can hold each identifier, run targeted read-only lookups, "
        "follow keys to related rows, and name the vendors the data map says receive the data. "
        "Identifiers are never written in clear (they are shown as HMACs under $PIIMAP_HMAC_KEY). "
        "Exit 0: found, 1: nothing found, 2: error.",
    )
    parser.add_argument("--config", metavar="FILE", help="piimap.yaml naming the sources and the data map")
    who = parser.add_argument_group("the person (repeatable; several identifiers of the same person)")
    for kind, option in _OPTIONS.items():
        who.add_argument(
            option, dest=f"who_{kind.replace('-', '_')}", action="append", default=[], metavar="VALUE"
        )
    who.add_argument(
        "--from-file",
        metavar="FILE",
        help='a request file: JSON {"email": ..., "phone": [...], ...} (\'-\' reads stdin); '
        "keeps identifiers out of the shell history",
    )
    parser.add_argument("--format", choices=("table", "json", "html"), default="table", help="report format")
    parser.add_argument(
        "--output", "-o", metavar="FILE", help="write the report here (atomically) instead of stdout"
    )
    parser.add_argument(
        "--evidence",
        choices=("masked", "hmac", "none"),
        default=None,
        help="what matches show of matched values: masked (default), HMAC-SHA256, or nothing",
    )
    parser.add_argument(
        "--region", metavar="CC", help="default region for national phone numbers (default US)"
    )
    parser.add_argument(
        "--max-rows-scanned",
        type=positive_int,
        default=LocateLimits.max_rows_scanned,
        metavar="N",
        help="a lookup no index serves reads at most N rows (documents, lines) per container "
        f"(default {LocateLimits.max_rows_scanned:,})",
    )
    parser.add_argument(
        "--max-matches",
        type=positive_int,
        default=LocateLimits.max_matches,
        metavar="N",
        help=f"rows reported per lookup (default {LocateLimits.max_matches})",
    )
    parser.add_argument(
        "--follow-depth",
        type=non_negative_int,
        default=LocateLimits.follow_depth,
        metavar="N",
        help=f"key hops followed from a found row to related rows (default {LocateLimits.follow_depth}; 0: none)",
    )
    parser.add_argument(
        "--source", action="append", default=[], metavar="NAME", help="only this source (repeatable)"
    )
    parser.add_argument(
        "--plan",
        action="store_true",
        help="say which lookups would run and how (index, scan, stream) without running them",
    )
    parser.add_argument("--rescan", action="store_true", help="scan the sources again before planning")
    parser.add_argument(
        "--store",
        metavar="URL",
        help="history store to plan from (default: 'store:' in the config, else $PIIMAP_STORE, else the per-user store)",
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress output")
    parser.set_defaults(run=run)


def read_request_file(path: str) -> list[tuple[str, str]]:
    """``(kind, value)`` pairs from a request file: a JSON object of kind -> value or list of values
    (``device_id`` and ``device-id`` alike), optionally under ``"subject"``."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read the request file {path}: {error.strerror or error}") from None
    try:
        data = json.loads(text)
    except ValueError as error:
        raise ConfigError(f"{path}: not JSON ({getattr(error, 'msg', error)})") from None
    if isinstance(data, dict) and isinstance(data.get("subject"), dict):
        data = data["subject"]
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must be a JSON object of identifier kind -> value(s)")
    pairs = []
    for raw_key, value in data.items():
        kind = str(raw_key).replace("_", "-").lower()
        if kind not in KINDS:
            raise ConfigError(f"{path}: unknown identifier kind '{raw_key}' (known: {', '.join(KINDS)})")
        values = value if isinstance(value, list) else [value]
        for item in values:
            if not isinstance(item, str) or not item.strip():
                raise ConfigError(f"{path}: {raw_key}: each value must be a non-empty string")
            pairs.append((kind, item))
    return pairs


def run(args: argparse.Namespace) -> int:
    from piimap.declarations import load_datamap
    from piimap.locate import run_locate
    from piimap.reports import write_text_atomically
    from piimap.reports.locate import render_locate

    discover_config(args, required=True, what=" (the sources to look in)")
    overrides = {"default_region": args.region.upper() if args.region else None, "evidence": args.evidence}
    config = load_config(args.config, overrides)
    config = _selected_sources(config, args.source)
    key = _hmac_key(config)
    pairs = [(kind, value) for kind in KINDS for value in getattr(args, f"who_{kind.replace('-', '_')}")]
    if args.from_file:
        pairs += read_request_file(args.from_file)
    if not pairs:
        raise ConfigError("give at least one identifier: " + ", ".join(_OPTIONS.values()) + " or --from-file")
    region = config.settings.default_region
    identifiers = list(
        {
            (i.kind, i.canonical): i
            for i in (make_identifier(kind, value, region=region, key=key) for kind, value in pairs)
        }.values()
    )
    datamap = (
        load_datamap(config.datamap_path, categories=config.categories)
        if config.datamap_path is not None
        else None
    )
    targets, planned_from, errors = _plan(config, args, identifiers)
    limits = LocateLimits(
        max_rows_scanned=args.max_rows_scanned,
        max_matches=args.max_matches,
        follow_depth=args.follow_depth,
        plan_only=args.plan,
    )
    result = run_locate(
        config.sources,
        targets,
        identifiers,
        settings=config.settings,
        limits=limits,
        evidence=config.settings.evidence,
        key=key,
        datamap=datamap,
        planned_from=planned_from,
        errors=errors,
    )
    if args.output and args.output != "-":
        write_text_atomically(render_locate(args.format, result), args.output)
    else:
        sys.stdout.write(render_locate(args.format, result, terminal=sys.stdout.isatty()))
        sys.stdout.flush()
    _summary(result)
    if result.errors:
        return ExitCode.ERROR
    if result.plan_only:
        return ExitCode.OK
    return ExitCode.OK if result.found else ExitCode.FINDINGS


def _selected_sources(config: Config, names: list[str]) -> Config:
    if not names:
        return config
    known = {spec.name for spec in config.sources}
    for name in names:
        if name not in known:
            raise ConfigError(
                f"--source {name}: no such source in {config.path} (known: {', '.join(sorted(known))})"
            )
    return replace(config, sources=tuple(spec for spec in config.sources if spec.name in names))


def _hmac_key(config: Config) -> bytes:
    """The HMAC key identifiers and row fingerprints are hashed with (the config's ``hmac_key_env``)."""
    settings = config.raw.get("settings") if isinstance(config.raw, dict) else None
    key_env = settings.get("hmac_key_env") if isinstance(settings, dict) else None
    name = key_env or DEFAULT_HMAC_KEY_ENV
    if not os.environ.get(name):
        raise ConfigError(
            f"locate needs a secret key in the environment variable {name}: identifiers and row "
            "fingerprints are shown only as HMACs under it (the same key 'piimap hash' uses)"
        )
    return evidence_policy("hmac", key_env).key


def _plan(
    config: Config, args: argparse.Namespace, identifiers: list[Identifier]
) -> tuple[dict[str, tuple[ContainerTarget, ...]], dict[str, int | None], list[SourceError]]:
    """Targets per source from the newest stored run that read it; a scan (recorded) for the rest."""
    from piimap.commands.common import print_warnings
    from piimap.locate import plan_targets
    from piimap.pipeline import RunOptions, record_run, run_scan, store_url
    from piimap.store import open_store

    findings: dict[str, list[Any]] = {}
    planned_from: dict[str, int | None] = {}
    errors: list[SourceError] = []
    if not args.rescan:
        try:
            with open_store(store_url(config, RunOptions(store=args.store))) as store:
                for spec in config.sources:
                    run_id = store.latest_run_reading(spec.name)
                    if run_id is not None:
                        findings[spec.name] = store.findings(run_id, spec.name)
                        planned_from[spec.name] = int(run_id)
        except PiimapError as error:
            write_problem(f"history store unavailable, scanning first: {error}", "warning")
    missing = tuple(spec for spec in config.sources if spec.name not in findings)
    if missing:
        if not args.quiet:
            names = ", ".join(spec.name for spec in missing)
            write_line(f"piimap: no stored scan of {names}: scanning first", sys.stderr)
        scan_config = replace(config, sources=missing)
        scan_options = RunOptions(store=args.store, full=args.rescan, quiet=args.quiet, command="locate-scan")
        run = record_run(scan_config, scan_options, run_scan(scan_config, scan_options))
        print_warnings(run.warnings)
        scanned = run.result
        failed = {status.name for status in scanned.sources if status.status != "ok"}
        errors += [error for error in scanned.errors if error.source in failed]
        for spec in missing:
            if spec.name not in failed:
                findings[spec.name] = [f for f in scanned.findings if f.source == spec.name]
                planned_from[spec.name] = scanned.run_id
    wanted = {identifier.category for identifier in identifiers}
    targets = {}
    for name, source_findings in findings.items():
        source_targets = plan_targets(source_findings)
        if any(
            f.category == category or f.category.startswith(category + ".")
            for target in source_targets
            for f in target.fields
            for category in wanted
        ):
            targets[name] = source_targets
    return targets, planned_from, errors


def _summary(result: LocateResult) -> None:
    """One line on stderr: found where, or nothing, and what was not complete."""
    for error in result.errors:
        write_problem(error.one_line())
    partial = sum(1 for lookup in result.lookups if lookup.status in ("partial", "skipped"))
    note = f"; {counted(partial, 'lookup')} incomplete (see the report)" if partial else ""
    if result.plan_only:
        write_line(
            f"piimap: planned {counted(len(result.lookups), 'lookup')} (nothing was looked up){note}",
            sys.stderr,
        )
        return
    if result.found:
        containers = {(m.source, m.container) for m in result.matches}
        sources = {m.source for m in result.matches}
        related = len({(m.container, m.row_key) for m in result.matches if m.related_via is not None})
        vendors = ", ".join(recipient.name for recipient in result.recipients)
        write_line(
            f"piimap: found in {counted(len(containers), 'container')} of {counted(len(sources), 'source')}"
            + (f" ({counted(related, 'related row')})" if related else "")
            + (f"; recipients: {vendors}" if vendors else "")
            + note,
            sys.stderr,
        )
    else:
        write_line(f"piimap: nothing found{note}", sys.stderr)
