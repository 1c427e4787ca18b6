"""GitHub Actions annotations (``--format github``): one workflow command per problem, so a pull
request shows each violation at the data-map or policy line to fix.

    ::error file=datamap.yaml,line=12,title=PIIMAP002 undeclared-category::user.contact.phone_number found in ...

Unsuppressed violations are ``error`` or ``warning`` annotations at their declaration (see
:mod:`piimap.reports.locations`); sources or containers that could not be read are ``error``
annotations; without a data map or policy (``piimap scan``) each finding is a ``notice``, at the
file itself when the container is a file. A last plain line sums up. Text is escaped as GitHub's
toolkit escapes it (``%`` ``\\r`` ``\\n`` in messages, and ``:`` ``,`` in properties too), after
control characters from scanned names are shown as ``\\xNN``, so no name can end an annotation,
start another, or colour the log.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, ClassVar

from piimap.model import DataMapGraph, ScanResult
from piimap.redact import printable
from piimap.reports.locations import (
    declaration_lines,
    declaration_site,
    display_container,
    display_message,
    source_roots,
    workspace_path,
)
from piimap.rules import FINDING_RULE, RULES_BY_ID
from piimap.wording import counted

__all__ = ["GithubReport", "escape_data", "escape_property", "annotation"]

_LEVELS = {"error": "error", "warning": "warning", "note": "notice", "notice": "notice"}


def escape_data(text: str) -> str:
    """A message as GitHub's ``escapeData``: ``%`` -> ``%25``, CR -> ``%0D``, LF -> ``%0A``."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value as GitHub's ``escapeProperty``: as :func:`escape_data`, and ``:`` -> ``%3A``,
    ``,`` -> ``%2C``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, message: str, **properties: str | int | None) -> str:
    """One workflow command line: ``::level key=value,...::message`` (``None`` properties left out)."""
    given = ",".join(
        f"{key}={escape_property(printable(str(value)))}"
        for key, value in properties.items()
        if value is not None
    )
    return f"::{level}{' ' + given if given else ''}::{escape_data(printable(message))}"


class GithubReport:
    """``--format github``."""

    format: ClassVar[str] = "github"

    def write(self, result: ScanResult, stream: IO[str]) -> None:
        for line in _lines(result):
            stream.write(line + "\n")


def _lines(result: ScanResult) -> Iterator[str]:
    graph = result.datamap or DataMapGraph()
    lines = declaration_lines(graph)
    roots = source_roots(result)
    violations = result.violations or ()
    active = [violation for violation in violations if violation.suppressed is None]
    for violation in active:
        rule = RULES_BY_ID.get(violation.rule)
        title = f"{violation.rule} {rule.name}" if rule else violation.rule
        site = declaration_site(violation, graph, lines)
        yield annotation(
            _LEVELS.get(violation.severity, "warning"),
            display_message(violation, roots) + (f" ({rule.summary})" if rule else ""),
            file=workspace_path(site[0])[0] if site else None,
            line=site[1] if site else None,
            title=title,
        )
    for error in result.errors:
        yield annotation("error", error.one_line(), title="piimap: not read")
    if result.violations is None:  # a scan: where personal data is
        file_sources = {status.name for status in result.sources if "://" not in status.url}
        for finding in result.findings:
            container = display_container(finding.container, roots.get(finding.source))
            where = ": ".join(part for part in (finding.source, container, finding.field) if part)
            yield annotation(
                "notice",
                f"{finding.category} in {where} ({finding.matched}/{finding.sampled} sampled values, "
                f"confidence {finding.confidence:.2f})",
                file=workspace_path(finding.container)[0] if finding.source in file_sources else None,
                title=f"{FINDING_RULE.id} {FINDING_RULE.name}: {finding.category}",
            )
    failing = sum(1 for violation in active if violation.severity == "error")
    summary = f"piimap: {counted(len(result.findings), 'finding')}"
    if result.violations is not None:
        summary += (
            f", {counted(len(violations), 'violation')} ({failing} failing, "
            f"{len(active) - failing} {'warning' if len(active) - failing == 1 else 'warnings'}, "
            f"{len(violations) - len(active)} suppressed)"
        )
    if result.errors:
        summary += f", {counted(len(result.errors), 'read error')}"
    yield summary
