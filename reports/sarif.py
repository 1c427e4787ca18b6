"""SARIF 2.1.0 (``--format sarif``) for code-scanning dashboards such as GitHub's.

One run whose driver lists every piimap rule (id, name, summary, help). Violations are results
at their rule's level (``error`` / ``warning``); plain findings are ``note`` results of rule
``PIIMAP000`` so a scan without a data map still shows where personal data lives. Each result
has logical locations (source, container, field), the violation fingerprint as a partial
fingerprint, and, when the data map or policy file is known, a physical location pointing at
the declaration to fix. Suppressed and baselined violations carry a SARIF ``suppressions`` entry
with the reason as justification. Read source errors are tool execution notifications.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any, ClassVar

from piimap import __version__
from piimap.model import DataMapGraph, Finding, ScanResult, Violation
from piimap.reports.locations import declaration_lines, declaration_site, working_folder, workspace_path
from piimap.rules import BASELINE_REASON, FINDING_RULE, RULES, Rule

__all__ = ["SarifReport", "result_to_sarif", "SARIF_SCHEMA_URI"]

SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
_ALL_RULES: tuple[Rule, ...] = (FINDING_RULE, *RULES)
_RULE_INDEX = {rule.id: index for index, rule in enumerate(_ALL_RULES)}


class SarifReport:
    """``--format sarif``."""

    format: ClassVar[str] = "sarif"

    def write(self, result: ScanResult, stream: IO[str]) -> None:
        json.dump(result_to_sarif(result), stream, indent=2, ensure_ascii=False)
        stream.write("\n")


def result_to_sarif(result: ScanResult) -> dict[str, Any]:
    """The SARIF log of ``result`` as a JSON-ready dict."""
    graph = result.datamap or DataMapGraph()
    lines = declaration_lines(graph)
    file_sources = {status.name for status in result.sources if "://" not in status.url}
    results = [_violation_result(violation, graph, lines) for violation in result.violations or ()]
    for finding in result.findings:
        entry = _finding_result(finding)
        if finding.source in file_sources:  # the container is a file: point code scanning at it
            entry["locations"][0]["physicalLocation"] = {
                "artifactLocation": dict(_artifact(finding.container, working_folder()))
            }
        results.append(entry)
    invocation: dict[str, Any] = {
        "executionSuccessful": not result.errors and not getattr(result, "interrupted", False),
        "startTimeUtc": _utc(result.started),
        "endTimeUtc": _utc(result.finished),
    }
    if result.errors:
        invocation["toolExecutionNotifications"] = [
            {
                "level": "error",
                "message": {"text": error.one_line()},
                "locations": [{"logicalLocations": _logical_locations(error.source, error.container, None)}],
            }
            for error in result.errors
        ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "piimap",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_rule_descriptor(rule) for rule in _ALL_RULES],
            }
        },
        "invocations": [invocation],
        "results": results,
        "columnKind": "unicodeCodePoints",
        "properties": {
            "sources": [status.to_dict() for status in result.sources],
            **({"organisation": graph.organisation} if graph.organisation else {}),
            **({"runId": result.run_id} if result.run_id is not None else {}),
        },
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _rule_descriptor(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.help},
        "help": {"text": rule.help, "markdown": f"**{rule.name}** ({rule.id}): {rule.help}"},
        "defaultConfiguration": {"level": rule.severity},
        "properties": {"tags": ["privacy", "pii"]},
    }


def _violation_result(
    violation: Violation, graph: DataMapGraph, lines: dict[tuple[str, ...], int]
) -> dict[str, Any]:
    location: dict[str, Any] = {
        "logicalLocations": _logical_locations(violation.source, violation.container, violation.field)
    }
    physical = _declaration_location(violation, graph, lines)
    if physical is not None:
        location["physicalLocation"] = physical
    properties: dict[str, Any] = {
        key: value
        for key, value in (("category", violation.category), ("vendor", violation.vendor))
        if value is not None
    }
    if violation.citations:  # the policy sentences the violation rests on
        properties["citations"] = [citation.to_dict() for citation in violation.citations]
    entry: dict[str, Any] = {
        "ruleId": violation.rule,
        "level": violation.severity if violation.severity in ("error", "warning", "note") else "warning",
        "message": {"text": violation.message},
        "locations": [location],
        "partialFingerprints": {"piimapViolation/v1": violation.fingerprint},
        "properties": properties,
    }
    if violation.rule in _RULE_INDEX:
        entry["ruleIndex"] = _RULE_INDEX[violation.rule]
    if violation.suppressed is not None:
        entry["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": (
                    "accepted in the baseline file"
                    if violation.suppressed == BASELINE_REASON
                    else violation.suppressed
                ),
            }
        ]
    return entry


def _finding_result(finding: Finding) -> dict[str, Any]:
    where = f"{finding.source}: {finding.container}" + (f": {finding.field}" if finding.field else "")
    return {
        "ruleId": FINDING_RULE.id,
        "ruleIndex": _RULE_INDEX[FINDING_RULE.id],
        "level": "note",
        "kind": "informational",
        "message": {
            "text": f"{finding.category} in {where} ({finding.matched}/{finding.sampled} sampled values, "
            f"confidence {finding.confidence:.2f})"
        },
        "locations": [
            {"logicalLocations": _logical_locations(finding.source, finding.container, finding.field)}
        ],
        "properties": {
            "category": finding.category,
            "confidence": round(finding.confidence, 3),
            "matched": finding.matched,
            "sampled": finding.sampled,
            "classifier": finding.classifier,
            "examples": list(finding.examples),
            **({"maskedNames": list(finding.masked_names)} if finding.masked_names else {}),
        },
    }


def _logical_locations(source: str | None, container: str | None, field: str | None) -> list[dict[str, Any]]:
    """Source, container and field as logical locations, most specific first."""
    locations: list[dict[str, Any]] = []
    if source is None:
        return [{"name": "piimap", "kind": "module"}]
    if container is not None and field is not None:
        locations.append(
            {"name": field, "fullyQualifiedName": f"{source}/{container}/{field}", "kind": "member"}
        )
    if container is not None:
        locations.append(
            {"name": container, "fullyQualifiedName": f"{source}/{container}", "kind": "resource"}
        )
    locations.append({"name": source, "fullyQualifiedName": source, "kind": "module"})
    return locations


def _declaration_location(
    violation: Violation, graph: DataMapGraph, lines: dict[tuple[str, ...], int]
) -> dict[str, Any] | None:
    """Where to fix it: the data-map system or flow, or the policy's ``collected`` list."""
    site = declaration_site(violation, graph, lines)
    if site is None:
        return None
    artifact = dict(_artifact(site[0], working_folder()))
    return {"artifactLocation": artifact, "region": {"startLine": site[1]}}


def _artifact(path: str, folder: str) -> tuple[tuple[str, str], ...]:
    """A file's URI: relative to the working folder (``%SRCROOT%``) when inside it."""
    shown, inside = workspace_path(path, folder)
    if inside:
        return (("uri", shown), ("uriBaseId", "%SRCROOT%"))
    return (("uri", Path(shown).as_uri()),)


def _utc(timestamp: str) -> str:
    """ISO-8601 with ``+00:00`` -> ``...Z`` (SARIF's preferred UTC spelling)."""
    return timestamp[:-6] + "Z" if timestamp.endswith("+00:00") else timestamp
