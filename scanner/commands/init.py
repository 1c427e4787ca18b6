"""``piimap init [SOURCE...] [--policy TEXT]``: scan, then write a starter ``piimap.yaml``, a
``datamap.yaml`` declaring what was found and (from the policy's text) a ``policy.yaml``, so the
first ``piimap check`` passes and every later change is a reviewed diff. Personal data the
policy does not disclose is written as a suppression with a ``TODO`` reason, listed when written.

Existing files are never replaced without ``--force``; nothing is written when a source could not
be read (a data map from an incomplete scan would declare too little). A password in a source URL
is written as ``${PIIMAP_<NAME>_PASSWORD}``, never in clear. See :mod:`piimap.starter`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from piimap.commands.common import add_setting_options, print_errors, print_warnings, setting_overrides
from piimap.config import CONFIG_FILE_NAMES, Config, load_config
from piimap.exitcodes import ExitCode
from piimap.model import ConfigError, ScanResult, Violation
from piimap.pipeline import RunOptions, run_scan
from piimap.settings import ScanSettings
from piimap.starter import StarterSource, datamap_summary, render_config, render_datamap, starter_sources
from piimap.terminal import write_line, write_problem
from piimap.wording import counted

if TYPE_CHECKING:
    from piimap.declarations import Policy

__all__ = ["add_parser", "run", "CONFIG_NAME", "DATAMAP_NAME", "POLICY_NAME"]

CONFIG_NAME = "piimap.yaml"
DATAMAP_NAME = "datamap.yaml"
POLICY_NAME = "policy.yaml"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "init",
        help="scan, then write piimap.yaml, a datamap.yaml of what was found and a policy.yaml",
        description="Scan the SOURCEs and write a starter piimap.yaml naming them, a datamap.yaml that "
        "declares the personal data found (per field, with TODO owners and descriptions) and, with "
        "--policy, a policy.yaml read from the privacy policy's text, so that `piimap check` passes now "
        "and fails when personal data appears that nobody declared. Without SOURCEs, the sources of the piimap.yaml already "
        "in the folder are scanned and only the data map (and policy) written. Existing files are kept "
        "unless --force.",
    )
    parser.add_argument(
        "sources",
        nargs="*",
        metavar="SOURCE",
        help="URL, path or glob to scan; NAME=URL names the source (app_db=sqlite:///app.db)",
    )
    parser.add_argument(
        "--policy",
        metavar="TEXT",
        help="the privacy policy's text (.txt, .md, .html), read into policy.yaml; "
        "or an existing policy YAML, referenced as it is",
    )
    parser.add_argument(
        "--dir", metavar="DIR", default=".", help="where to write the files (default: the current folder)"
    )
    parser.add_argument("--force", action="store_true", help="replace files that exist")
    add_setting_options(parser)  # written to the config's settings:
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress output")
    parser.set_defaults(run=run)


@dataclass(frozen=True)
class _Plan:
    """What ``init`` scans and where it writes: the config to scan with, the sources as the new
    config will name them (none when an existing config is kept), and the target files."""

    config: Config
    sources: tuple[StarterSource, ...]
    config_target: Path | None  # None: the existing config is kept as it is
    datamap_target: Path
    policy_target: Path | None  # None: no policy.yaml to write
    policy_used: Path | None  # the policy the first check will read


def run(args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"--dir {folder}: not a folder")
    policy_source = Path(args.policy) if args.policy else None
    if policy_source is not None and not policy_source.is_file():
        raise ConfigError(f"--policy {policy_source}: no such file")
    plan = _plan(args, folder, policy_source)
    targets = [path for path in (plan.config_target, plan.datamap_target, plan.policy_target) if path]
    if (
        plan.config_target is not None
    ):  # another config here would be found instead of, or beside, the new one
        targets += [folder / name for name in CONFIG_FILE_NAMES if folder / name != plan.config_target]
    existing = [str(path) for path in targets if path.exists() or path.is_symlink()]
    if existing and not args.force:
        raise ConfigError(
            f"{', '.join(existing)} already {'exists' if len(existing) == 1 else 'exist'}: "
            "nothing written (--force replaces; `piimap check` uses them as they are)"
        )
    policy_text = (
        _policy_yaml(policy_source, args.spacy_model) if plan.policy_target and policy_source else None
    )
    scanned = run_scan(plan.config, RunOptions(no_store=True, quiet=args.quiet, command="init"))
    print_warnings(scanned.warnings)
    result = scanned.result
    if result.interrupted:
        write_problem("interrupted: nothing written")
        return ExitCode.INTERRUPTED
    if result.errors:
        print_errors(result)
        write_problem("some sources could not be read: nothing written (fix them, or leave them out)")
        return ExitCode.ERROR

    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    files = {plan.datamap_target: render_datamap(result, plan.config.sources, scanned=when)}
    if plan.config_target is not None:
        settings = {key: value for key, value in setting_overrides(args).items() if value is not None}
        policy_reference = _reference(plan.policy_used, folder) if plan.policy_used is not None else None
        files[plan.config_target] = render_config(
            plan.sources, datamap=DATAMAP_NAME, policy=policy_reference, settings=settings
        )
    if plan.policy_target is not None and policy_text is not None:
        files[plan.policy_target] = policy_text
    _write_files(files)
    policy = _load_policy(plan)  # read once: a policy's text is parsed by spaCy
    policy_gaps = _first_check(result, plan, policy)
    if policy_gaps:  # accepted with a TODO reason, so the first check passes and the gap is reviewed
        files[plan.datamap_target] = render_datamap(
            result, plan.config.sources, scanned=when, policy_gaps=policy_gaps
        )
        _write_files({plan.datamap_target: files[plan.datamap_target]})
    failing = _first_check(result, plan, policy) if policy_gaps else ()
    _report(result, files, plan, policy_gaps, failing)
    return ExitCode.OK


def _plan(args: argparse.Namespace, folder: Path, policy_source: Path | None) -> _Plan:
    """With SOURCEs: a new config in ``folder``. Without: the sources and settings of the config
    already in ``folder`` (kept as it is), for which the data map (and policy) are written."""
    from piimap.policytext import is_policy_text

    policy_is_text = policy_source is not None and is_policy_text(policy_source)
    if args.sources:
        sources = starter_sources(args.sources, folder)
        settings = ScanSettings().with_changes(
            **{key: value for key, value in setting_overrides(args).items() if value is not None}
        )
        config = Config(path=None, sources=tuple(source.spec for source in sources), settings=settings)
        policy_target = folder / POLICY_NAME if policy_is_text else None
        return _Plan(
            config,
            sources,
            folder / CONFIG_NAME,
            folder / DATAMAP_NAME,
            policy_target,
            policy_target or policy_source,
        )
    existing = next((folder / name for name in CONFIG_FILE_NAMES if (folder / name).is_file()), None)
    if existing is None:
        raise ConfigError(
            f"give the sources to scan: piimap init SOURCE... (URLs or paths; NAME=URL names a source), "
            f"or run it where a piimap.yaml names them (none in {folder.resolve()})"
        )
    config = load_config(existing, setting_overrides(args))
    if not config.sources:
        raise ConfigError(f"{existing}: no sources to scan")
    datamap_target = config.datamap_path or folder / DATAMAP_NAME
    policy_target = None
    if policy_is_text:
        named = config.policy_path
        policy_target = named if named is not None and not is_policy_text(named) else folder / POLICY_NAME
    policy_used = policy_target or policy_source or config.policy_path
    return _Plan(config, (), None, datamap_target, policy_target, policy_used)


def _policy_yaml(source: Path, spacy_model: str | None) -> str:
    """``policy.yaml`` read from the policy's text, as ``piimap policy extract`` writes it."""
    from piimap.policytext import extract_policy
    from piimap.policytext.policy import render_policy_yaml

    return render_policy_yaml(extract_policy(source, spacy_model), source.name)


def _reference(path: Path, folder: Path) -> str:
    """``path`` as the config in ``folder`` names it: relative when inside, else absolute."""
    absolute = path.resolve()
    try:
        return str(absolute.relative_to(folder.resolve()))
    except ValueError:
        return str(absolute)


def _write_files(files: dict[Path, str]) -> None:
    """Each file atomically (a temporary file renamed into place); the folder is made if needed."""
    from piimap.outputs import replace_file

    for path, text in files.items():
        replace_file(path, text, "file")


def _load_policy(plan: _Plan) -> Policy | None:
    """The policy the first check reads (its YAML, or its text read into one), if any."""
    from piimap.declarations import load_policy

    if plan.policy_used is None:
        return None
    return load_policy(
        plan.policy_used, categories=plan.config.categories, spacy_model=plan.config.settings.spacy_model
    )


def _first_check(result: ScanResult, plan: _Plan, policy: Policy | None) -> tuple[Violation, ...]:
    """The violations that would fail ``piimap check`` on ``result`` with the data map written."""
    from piimap.checks import evaluate, failing_violations
    from piimap.declarations import load_datamap

    datamap = load_datamap(plan.datamap_target, categories=plan.config.categories)  # a bad file is a bug here
    return failing_violations(evaluate(result, datamap, policy))


def _report(
    result: ScanResult,
    files: dict[Path, str],
    plan: _Plan,
    policy_gaps: Sequence[Violation],
    failing: Sequence[Violation],
) -> None:
    """What was written, what the first check will say, and what to review."""
    out = sys.stdout
    systems, containers, categories = datamap_summary(result)
    write_line(
        f"Scanned {counted(len(result.sources), 'source')}: {counted(len(result.findings), 'finding')} "
        f"in {counted(containers, 'container')} of {counted(systems, 'system')} "
        f"({counted(categories, 'category')}).",
        out,
    )
    for path in files:
        write_line(f"Wrote {path}", out)
    if failing:  # a suppression written for each gap should leave none: say so if one does
        write_line(
            f"`piimap check` will fail on {counted(len(failing), 'violation')} the data map cannot declare away:",
            out,
        )
        for violation in failing[:10]:
            write_line(f"  {violation.rule}: {violation.message}", out)
        write_line(
            "  Say so in the policy (or policy.yaml), or suppress each with a reason in datamap.yaml.", out
        )
    else:
        write_line("`piimap check` passes on this data.", out)
    if policy_gaps and not failing:
        write_line(
            f"  It would fail on {counted(len(policy_gaps), 'policy gap')} the data map cannot declare away, "
            f"each suppressed in {plan.datamap_target.name} with a TODO reason:",
            out,
        )
        for violation in policy_gaps[:10]:
            write_line(f"  {violation.rule}: {violation.message}", out)
        if len(policy_gaps) > 10:
            write_line(f"  ... and {len(policy_gaps) - 10} more", out)
        write_line(
            "  Disclose each in the policy (then delete its suppression), or write why it is accepted.", out
        )
    if plan.config_target is None:  # an existing config: say what it must name
        config = plan.config
        if config.datamap_path is None:
            write_line(
                f"Add `datamap: {plan.datamap_target.name}` to {config.path} for `piimap check` to use it.",
                out,
            )
        if plan.policy_target is not None and config.policy_path != plan.policy_target:
            write_line(
                f"Add `policy: {plan.policy_target.name}` to {config.path} for `piimap check` to use it.", out
            )
    for source in plan.sources:
        if source.password_variable and source.password_variable not in os.environ:
            write_line(
                f"Set {source.password_variable} to {source.spec.name}'s password before `piimap check`.", out
            )
    review = f", review {plan.policy_target.name}" if plan.policy_target is not None else ""
    write_line(
        f"Next: fill in the TODOs of {plan.datamap_target.name} (owners, descriptions), add the vendors "
        f"and flows{review}, and commit the files; from then on `piimap check` fails on personal data "
        "nobody declared.",
        out,
    )
