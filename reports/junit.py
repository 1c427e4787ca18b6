"""JUnit XML (``--format junit``) for CI systems that show test reports (GitLab, Jenkins, Azure,
CircleCI, Buildkite...).

One ``<testsuite>`` per rule that ran (the data-map rules with a data map, the policy rules with a
policy), with a ``<testcase>`` per violation — a ``<failure>`` when it is not suppressed (``type``
is its severity, as ESLint's and Ruff's JUnit output report warnings), ``<skipped>`` with the
reason when it is — or one passing ``no violations`` testcase. A ``PIIMAP000 pii-found`` suite has
a passing testcase per finding (what was found where, masked examples only), and a ``sources``
suite a testcase per source, an ``<error>`` for each source or container that could not be read.
Every string is XML-escaped and stripped of characters XML 1.0 cannot hold.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, ClassVar
from xml.sax.saxutils import escape, quoteattr

from piimap.model import DataMapGraph, ScanResult, Violation
from piimap.redact import printable
from piimap.reports.locations import (
    declaration_lines,
    declaration_site,
    display_container,
    display_message,
    source_roots,
    workspace_path,
)
from piimap.rules import BASELINE_REASON, FINDING_RULE, RULES, Rule
from piimap.wording import counted

__all__ = ["JunitReport", "DATAMAP_RULES", "POLICY_RULES"]

#: Rules that run when a data map is given, and when a policy is given (PIIMAP004 needs both).
DATAMAP_RULES = frozenset({"PIIMAP001", "PIIMAP002", "PIIMAP004", "PIIMAP005", "PIIMAP006"})
POLICY_RULES = frozenset({"PIIMAP003", "PIIMAP004", "PIIMAP007"})

# Characters XML 1.0 does not allow, even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: str) -> str:
    """Text for an XML element: control characters shown as ``\\xNN`` (newlines kept), escaped."""
    return escape(_NOT_XML.sub("\ufffd", printable(value, keep_newlines=True)))


def _attribute(value: str) -> str:
    """A quoted XML attribute value (one line: control characters shown as ``\\xNN``)."""
    return quoteattr(_NOT_XML.sub("\ufffd", printable(value)))


@dataclass(frozen=True)
class _Case:
    name: str
    classname: str
    outcome: str = "passed"  # passed, failure, skipped, error
    kind: str = ""
    message: str = ""
    detail: str = ""
    file: str | None = None
    line: int | None = None
    output: str = ""


@dataclass
class _Suite:
    name: str
    cases: list[_Case] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for case in self.cases if case.outcome == outcome)


class JunitReport:
    """``--format junit``."""

    format: ClassVar[str] = "junit"

    def write(self, result: ScanResult, stream: IO[str]) -> None:
        suites = _suites(result)
        seconds = _duration(result.started, result.finished)
        totals = {
            outcome: sum(suite.count(outcome) for suite in suites)
            for outcome in ("failure", "error", "skipped")
        }
        tests = sum(len(suite.cases) for suite in suites)
        stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        stream.write(
            f'<testsuites name="piimap" tests="{tests}" failures="{totals["failure"]}" '
            f'errors="{totals["error"]}" skipped="{totals["skipped"]}" time="{seconds:.3f}">\n'
        )
        for suite in suites:
            _write_suite(stream, suite, result.started, seconds)
        stream.write("</testsuites>\n")


def _write_suite(stream: IO[str], suite: _Suite, started: str, seconds: float) -> None:
    stream.write(
        f'  <testsuite name={_attribute(suite.name)} tests="{len(suite.cases)}" '
        f'failures="{suite.count("failure")}" errors="{suite.count("error")}" '
        f'skipped="{suite.count("skipped")}" time="{seconds:.3f}" timestamp={_attribute(started[:19])} '
        f"hostname={_attribute(_hostname())}>\n"
    )
    for case in suite.cases:
        where = f" file={_attribute(case.file)}" if case.file else ""
        where += f' line="{case.line}"' if case.line else ""
        stream.write(
            f'    <testcase name={_attribute(case.name)} classname={_attribute(case.classname)}{where} time="0"'
        )
        if case.outcome == "passed" and not case.output:
            stream.write("/>\n")
            continue
        stream.write(">\n")
        if case.outcome in ("failure", "error"):
            stream.write(
                f"      <{case.outcome} message={_attribute(case.message)} type={_attribute(case.kind)}>"
                f"{_text(case.detail)}</{case.outcome}>\n"
            )
        elif case.outcome == "skipped":
            stream.write(f"      <skipped message={_attribute(case.message)}/>\n")
        if case.output:
            stream.write(f"      <system-out>{_text(case.output)}</system-out>\n")
        stream.write("    </testcase>\n")
    stream.write("  </testsuite>\n")


def _suites(result: ScanResult) -> list[_Suite]:
    graph = result.datamap or DataMapGraph()
    roots = source_roots(result)
    suites: list[_Suite] = []
    if result.violations is not None:
        lines = declaration_lines(graph)
        ran = _rules_run(graph, result.violations)
        for rule in RULES:
            if rule.id not in ran:
                continue
            suite = _Suite(f"{rule.id} {rule.name}")
            for violation in result.violations:
                if violation.rule == rule.id:
                    suite.cases.append(_violation_case(violation, rule, graph, lines, roots))
            if not suite.cases:
                suite.cases.append(_Case("no violations", f"piimap.{rule.id}", output=rule.summary))
            suites.append(suite)
    findings = _Suite(f"{FINDING_RULE.id} {FINDING_RULE.name}")
    for finding in result.findings:
        container = display_container(finding.container, roots.get(finding.source))
        where = ": ".join(part for part in (finding.source, container, finding.field) if part)
        findings.cases.append(
            _Case(
                f"{where}: {finding.category}",
                f"piimap.{FINDING_RULE.id}.{finding.source}",
                output=f"{finding.category} in {where}: {finding.matched}/{finding.sampled} sampled values, "
                f"confidence {finding.confidence:.2f}, classifier {finding.classifier}"
                + (f", e.g. {', '.join(finding.examples)}" if finding.examples else ""),
            )
        )
    suites.append(findings)
    suites.append(_source_suite(result))
    return suites


def _rules_run(graph: DataMapGraph, violations: Iterable[Violation]) -> set[str]:
    """The rules that ran: by the declarations given, plus any rule with a violation."""
    ran = {violation.rule for violation in violations}
    if graph.datamap_file:
        ran |= DATAMAP_RULES - ({"PIIMAP004"} if not graph.policy_file else set())
    if graph.policy_file:
        ran |= POLICY_RULES - ({"PIIMAP004"} if not graph.datamap_file else set())
    return ran


def _violation_case(
    violation: Violation,
    rule: Rule,
    graph: DataMapGraph,
    lines: dict[tuple[str, ...], int],
    roots: dict[str, str | None],
) -> _Case:
    container = (
        display_container(violation.container, roots.get(violation.source or ""))
        if violation.container
        else None
    )
    where = ": ".join(
        part for part in (violation.source, container, violation.field, violation.vendor) if part
    )
    message = display_message(violation, roots)
    name = f"{where}: {violation.category}" if violation.category else where or violation.message
    site = declaration_site(violation, graph, lines)
    file, line = (workspace_path(site[0])[0], site[1]) if site else (None, None)
    if violation.suppressed is not None:
        reason = (
            "accepted in the baseline file"
            if violation.suppressed == BASELINE_REASON
            else violation.suppressed
        )
        return _Case(
            name, f"piimap.{rule.id}", "skipped", message=f"suppressed: {reason}", file=file, line=line
        )
    detail = f"{message}\n\n{rule.help}"
    for citation in violation.citations:
        detail += f"\n\nPolicy: {citation.describe(400)}"
    return _Case(
        name,
        f"piimap.{rule.id}",
        "failure",
        kind=violation.severity,
        message=message,
        detail=detail + (f"\n\nFix at {file}:{line}" if file else ""),
        file=file,
        line=line,
    )


def _source_suite(result: ScanResult) -> _Suite:
    suite = _Suite("sources")
    for status in result.sources:
        problems = [error.one_line() for error in result.errors if error.source == status.name]
        if status.status != "ok":
            problems.insert(0, status.error or "not read")
        if problems:
            suite.cases.append(
                _Case(
                    status.name,
                    "piimap.sources",
                    "error",
                    kind="unreadable",
                    message=problems[0],
                    detail="\n".join(problems),
                )
            )
        else:
            suite.cases.append(
                _Case(status.name, "piimap.sources", output=f"{counted(status.containers, 'container')} read")
            )
    known = {status.name for status in result.sources}
    for error in result.errors:
        if error.source not in known:  # e.g. the history store
            suite.cases.append(
                _Case(error.source, "piimap.sources", "error", kind="error", message=error.one_line())
            )
    return suite


def _duration(started: str, finished: str) -> float:
    try:
        return max(0.0, (datetime.fromisoformat(finished) - datetime.fromisoformat(started)).total_seconds())
    except ValueError:
        return 0.0


def _hostname() -> str:
    try:
        return socket.gethostname() or "localhost"
    except OSError:
        return "localhost"
