"""``piimap explain SOURCE...``: why each field is (or is not) tagged with a category.

For every sampled field it prints the findings with the classifier, the hit ratio, the field-name
evidence and masked examples, and for categories that were looked for but not reported, why not
(``user.contact.phone_number: 3/50 values are valid phone numbers ...; 0.06 is below 0.5``).
Only masked examples are printed; raw values never leave the classifiers.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import IO

from piimap.classifiers.base import format_confidence
from piimap.commands.common import add_scan_options, config_from_args
from piimap.engine import (
    build_classifiers,
    classify_samples,
    close_connector,
    open_connector,
    with_container_hints,
)
from piimap.exitcodes import ExitCode
from piimap.model import FieldSample, PiimapError
from piimap.protocols import Classifier
from piimap.redact import redact_message
from piimap.scancache import scan_scope
from piimap.settings import ScanSettings
from piimap.terminal import write_line, write_problem
from piimap.wording import counted

__all__ = ["add_parser", "run", "explain_sample", "category_lines"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "explain", help="say why each field is or is not tagged (classifier, hit ratio, field name, examples)"
    )
    add_scan_options(parser)
    parser.add_argument(
        "--field",
        action="append",
        default=[],
        metavar="NAME",
        help="only explain fields with this name (repeatable)",
    )
    parser.add_argument("--all", action="store_true", help="also list fields where nothing was seen at all")
    parser.add_argument(
        "--categories",
        action="store_true",
        help="list the categories the installed classifiers find (key, classifier, what counts) and exit",
    )
    parser.set_defaults(run=run)


def category_lines(settings: ScanSettings) -> list[str]:
    """One line per category the enabled classifiers declare: key, classifier id, what counts (its spec)."""
    from piimap.classifiers.spec import specs_of

    lines = []
    for classifier in build_classifiers(settings):
        for spec in specs_of(classifier):
            if settings.wants_category(spec.key):
                lines.append(f"{spec.key} ({classifier.id}): {spec.explain}")
    return lines


def explain_sample(
    sample: FieldSample, classifiers: Sequence[Classifier], settings: ScanSettings
) -> list[str]:
    """Lines explaining one field sample: findings first, then categories not tagged and why."""
    findings, _ = classify_samples([sample], classifiers, settings)
    lines = []
    tagged = set()
    for finding in sorted(findings, key=lambda item: -item.confidence):
        tagged.add(finding.category)
        examples = ", ".join(finding.examples) or "none"
        lines.append(
            f"  TAGGED {finding.category} {format_confidence(finding.confidence, settings.min_confidence)} "
            f"by {finding.classifier}: "
            f"{finding.evidence}; examples: {examples}"
        )
    for classifier in classifiers:
        explain_field = getattr(classifier, "explain_field", None)
        if explain_field is None:
            continue
        for line in explain_field(sample):
            category, _, reason = line.partition(": ")
            if category in tagged:
                continue
            lines.append(
                f"  not tagged {category}: {reason} (threshold {_threshold_text(settings.min_confidence)})"
            )
    return lines


def _threshold_text(threshold: float) -> str:
    """The threshold with two decimals, or as many as it has (``0.555``)."""
    text = f"{threshold:.2f}"
    return text if float(text) == threshold else f"{threshold:g}"


def run(args: argparse.Namespace) -> int:
    if args.categories:
        if args.sources or args.config:
            settings = config_from_args(args).settings
        else:  # no sources needed to list categories
            settings = ScanSettings(
                only_categories=args.only_categories, except_categories=args.except_categories or ()
            )
        for line in category_lines(settings):
            write_line(line, sys.stdout)
        return ExitCode.OK
    with scan_scope():  # the validators' caches of raw values are emptied when it is done
        return _explain(args)


def _explain(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    settings = config.settings
    classifiers = build_classifiers(settings)
    wanted = set(args.field)
    out: IO[str] = sys.stdout
    failed = False
    for spec in config.sources:
        try:
            connector = open_connector(spec, settings)
            for container in connector.discover():
                explained: set[str | None] = set()
                try:
                    samples = with_container_hints(
                        connector.sample(container, settings.sample_size), classifiers
                    )
                    for sample in samples:
                        field = sample.field.name
                        if field in explained or (wanted and field not in wanted):
                            continue  # explain the first batch of each field only
                        explained.add(field)
                        lines = explain_sample(sample, classifiers, settings) if sample.values else []
                        if not lines and not args.all:
                            continue
                        label = field if field is not None else "(text)"
                        write_line(
                            f"{spec.name}: {container.name}.{label} ({counted(len(sample.values), 'value')})",
                            out,
                        )
                        for line in lines or ["  nothing looked like personal data"]:
                            write_line(line, out)
                except PiimapError as error:
                    failed = True
                    write_problem(f"{spec.name}: {container.name}: {redact_message(str(error), spec.url)}")
        except PiimapError as error:
            failed = True
            write_problem(f"{spec.name}: {redact_message(str(error), spec.url)}")
        finally:
            close_connector(spec)
    return ExitCode.ERROR if failed else ExitCode.OK
