"""Checks: observed personal data against the declared data map and privacy policy.

Every rule has a stable id (``PIIMAP001``...), a name and help text (:mod:`piimap.rules`, the
table reports read too). Every violation has a stable fingerprint (a hash of rule, source, container, field, category
and vendor) so a baseline file can accept today's violations and fail only on new ones.
Suppressed (data-map ``suppressions``) and baselined violations stay in the result, marked with
``suppressed``, and do not fail the check; warnings never fail it.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from piimap.datamap import build_datamap, carried_categories, observed_vendor_id
from piimap.declarations import DataMap, Policy, covers, covers_any
from piimap.model import ConfigError, Finding, ScanResult, Violation
from piimap.policytext.model import ALL_COLLECTED, ANY_RECIPIENT, Citation, Statement
from piimap.rules import BASELINE_REASON, FINDING_RULE, RULES, RULES_BY_ID, Rule

__all__ = [
    "Rule",
    "RULES",
    "RULES_BY_ID",
    "FINDING_RULE",
    "BASELINE_REASON",
    "fingerprint",
    "evaluate",
    "failing",
    "failing_violations",
    "FAIL_ON_LEVELS",
    "baseline_document",
    "load_baseline",
]


def fingerprint(
    rule: str,
    source: str | None = None,
    container: str | None = None,
    field: str | None = None,
    category: str | None = None,
    vendor: str | None = None,
) -> str:
    """A stable id of one violation (32 hex digits), independent of message wording."""
    parts = (rule, source, container, field, category, vendor)
    text = "\x1f".join("\x00" if part is None else part for part in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _violation(
    rule_id: str, message: str, *, citations: tuple[Citation, ...] = (), **where: str | None
) -> Violation:
    rule = RULES_BY_ID[rule_id]
    return Violation(
        rule=rule.id,
        message=message,
        severity=rule.severity,
        citations=citations,
        fingerprint=fingerprint(
            rule.id,
            where.get("source"),
            where.get("container"),
            where.get("field"),
            where.get("category"),
            where.get("vendor"),
        ),
        **where,
    )


def _where(finding: Finding) -> str:
    location = f"{finding.source}: {finding.container}"
    return f"{location}: {finding.field}" if finding.field is not None else location


def _finding_violations(
    result: ScanResult, datamap: DataMap | None, policy: Policy | None
) -> Iterable[Violation]:
    for finding in result.findings:
        where: dict[str, Any] = {
            "source": finding.source,
            "container": finding.container,
            "field": finding.field,
            "category": finding.category,
        }
        if datamap is not None:
            system = datamap.system(finding.source)
            if system is None:
                yield _violation(
                    "PIIMAP001",
                    f"{finding.category} found in {_where(finding)}, but the data map has no system "
                    f"'{finding.source}'",
                    **where,
                )
            elif not system.declares(finding.container, finding.field, finding.category):
                yield _violation(
                    "PIIMAP002",
                    f"{finding.category} found in {_where(finding)}, but system '{finding.source}' "
                    f"does not declare it",
                    **where,
                )
        if policy is not None and not policy.collects(finding.category):
            denials = _collection_denials(policy, finding.category)
            yield _violation(
                "PIIMAP003",
                f"{finding.category} found in {_where(finding)}, but the privacy policy does not say "
                f"it is collected{_quoted(denials, 'and says it is not')}",
                citations=tuple(statement.citation for statement in denials),
                **where,
            )


def _flow_violations(
    findings_by_system: dict[str, list[Finding]], datamap: DataMap, policy: Policy
) -> Iterable[Violation]:
    seen: set[tuple[str, str, str]] = set()
    for flow in datamap.flows:
        vendor = datamap.vendor(flow.vendor)
        if vendor is None:  # validated at load time; defensive for hand-built data maps
            continue
        carried = carried_categories(
            flow, datamap.system(flow.system), findings_by_system.get(flow.system, ())
        )
        for category in carried:
            key = (flow.system, vendor.id, category)
            if key in seen or policy.discloses(vendor.role, category):
                continue
            seen.add(key)
            grounds, says = _sharing_grounds(policy, vendor.role, category)
            yield _violation(
                "PIIMAP004",
                f"the flow {flow.system} -> {vendor.label} carries {category} to a {vendor.role} "
                f"recipient, but the privacy policy does not say it is shared with {vendor.role} recipients"
                f"{_quoted(grounds, says)}",
                citations=tuple(statement.citation for statement in grounds),
                source=flow.system,
                category=category,
                vendor=vendor.id,
            )


def _observed_flow_violations(
    result: ScanResult, datamap: DataMap | None, policy: Policy | None
) -> Iterable[Violation]:
    """PIIMAP008-010: flows seen in requests against the declared flows and the policy.

    A category the declared flow to the vendor already carries is left to PIIMAP004, so one broken
    promise is one violation.
    """
    for observed in result.flows:
        vendor_key = observed_vendor_id(observed, datamap)
        declared_vendor = datamap.vendor(vendor_key) if datamap is not None else None
        role = declared_vendor.role if declared_vendor is not None else observed.role
        label = declared_vendor.label if declared_vendor is not None else observed.vendor_name
        seen = f"{observed.count} request{'s' if observed.count != 1 else ''} in {observed.source}"
        example = f"; e.g. {observed.evidence[0]}" if observed.evidence else ""
        where: dict[str, Any] = {
            "source": observed.system,
            "container": observed.source,
            "vendor": vendor_key,
        }
        declared_flows = (
            tuple(
                flow for flow in datamap.flows if flow.system == observed.system and flow.vendor == vendor_key
            )
            if datamap is not None
            else ()
        )
        carried: set[str] = set()
        if datamap is not None and not declared_flows:
            yield _violation(
                "PIIMAP008",
                f"{observed.system} sends {', '.join(observed.categories)} to {label} ({role}"
                f"{', not in the vendor catalogue' if not observed.known else ''}), seen in {seen}, but the "
                f"data map declares no flow {observed.system} -> {vendor_key}{example}",
                **where,
            )
        elif declared_flows:
            system = datamap.system(observed.system) if datamap is not None else None
            findings = [finding for finding in result.findings if finding.source == observed.system]
            for flow in declared_flows:
                carried.update(carried_categories(flow, system, findings))
            for category in observed.categories:
                if any(
                    flow.categories is None or covers_any(flow.categories, category)
                    for flow in declared_flows
                ):
                    continue
                evidence = next((item for item in observed.evidence if item.startswith(category + ":")), None)
                yield _violation(
                    "PIIMAP009",
                    f"{observed.system} sends {category} to {label}, seen in {seen}, but the declared flow "
                    f"{observed.system} -> {vendor_key} does not list it"
                    + (f"; e.g. {evidence}" if evidence else ""),
                    category=category,
                    **where,
                )
        if policy is None:
            continue
        for category in observed.categories:
            if policy.discloses(role, category) or (declared_flows and category in carried):
                continue
            grounds, says = _sharing_grounds(policy, role, category)
            yield _violation(
                "PIIMAP010",
                f"{observed.system} sends {category} to {label}, {_article(role)} {role} recipient, seen in {seen}, but the "
                f"privacy policy does not say it is shared with {role} recipients{_quoted(grounds, says)}",
                citations=tuple(statement.citation for statement in grounds),
                category=category,
                **where,
            )


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


# --------------------------------------------------------------------------- policy citations


def _quoted(statements: tuple[Statement, ...], says: str) -> str:
    """``; the policy says, in 'Information Sharing', sentence 4: '...'`` for the first statement."""
    if not statements:
        return ""
    more = f" (and {len(statements) - 1} more)" if len(statements) > 1 else ""
    return f"; the policy {says}, {statements[0].citation.describe()}{more}"


def _denies(statement: Statement, category: str, collected: tuple[str, ...]) -> bool:
    return any(
        covers(denied, category) or (denied == ALL_COLLECTED and _in_collected(collected, category))
        for denied in statement.categories
    )


def _in_collected(collected: tuple[str, ...], category: str) -> bool:
    return any(covers(item, category) or covers(category, item) for item in collected) or not collected


def _collection_denials(policy: Policy, category: str) -> tuple[Statement, ...]:
    return tuple(
        statement
        for statement in policy.citations
        if statement.action == "denied-collection"
        and any(covers(denied, category) for denied in statement.categories if denied != ALL_COLLECTED)
    )


def _sharing_grounds(policy: Policy, role: str, category: str) -> tuple[tuple[Statement, ...], str]:
    """The sentences an undisclosed flow rests on: a denial of sharing with the role, else what the
    policy does say about that role, else a denial naming no recipient ("we do not disclose ...
    except as described")."""
    denials = tuple(
        statement
        for statement in policy.citations
        if statement.action in ("denied-sharing", "denied-sale")
        and statement.role == role
        and _denies(statement, category, policy.collected)
    )
    if denials:
        return denials, "says it is not shared with them"
    about_role = tuple(
        statement for statement in policy.citations if statement.action == "shared" and statement.role == role
    )
    if about_role:
        return about_role, f"names only {', '.join(_phrases(about_role))} for {role} recipients"
    general = tuple(
        statement
        for statement in policy.citations
        if statement.action == "denied-sharing"
        and statement.role == ANY_RECIPIENT
        and _denies(statement, category, policy.collected)
    )
    return general, "says"


def _phrases(statements: tuple[Statement, ...]) -> list[str]:
    phrases = [phrase for statement in statements for phrase in statement.phrases]
    return list(dict.fromkeys(phrases))[:6] or ["other data"]


def _contradictions(policy: Policy) -> Iterable[Violation]:
    """PIIMAP007: a positive statement and an unqualified denial of the same thing."""
    positives = [s for s in policy.citations if s.action in ("collected", "shared") and not s.qualifier]
    denials = [s for s in policy.citations if s.is_denial and not s.qualifier and s.action != "denied-sale"]
    where = policy.path.rsplit("/", 1)[-1] if policy.path else "policy"
    seen: set[tuple[str, str | None]] = set()
    for denial in denials:
        for positive in positives:
            if denial.action == "denied-collection" and positive.action != "collected":
                continue
            if denial.action == "denied-sharing" and (
                positive.action != "shared" or denial.role not in (positive.role, ANY_RECIPIENT)
            ):
                continue
            categories = (policy.collected if ALL_COLLECTED in positive.categories else ()) + tuple(
                category for category in positive.categories if category != ALL_COLLECTED
            )
            for category in dict.fromkeys(categories):
                if not _denies(denial, category, policy.collected):
                    continue
                role = positive.role if positive.action == "shared" else None
                if (category, role) in seen:
                    continue
                seen.add((category, role))
                what = "collected" if role is None else f"shared with {role} recipients"
                yield _violation(
                    "PIIMAP007",
                    f"the privacy policy says {category} is {what}, {positive.citation.describe(160)}, "
                    f"and denies it, {denial.citation.describe(160)}",
                    citations=(positive.citation, denial.citation),
                    container=where,
                    field=role,
                    category=category,
                )


def _declaration_warnings(
    result: ScanResult, findings_by_system: dict[str, list[Finding]], datamap: DataMap
) -> Iterable[Violation]:
    statuses = {status.name: status.status for status in result.sources}
    observed_only = {status.system or status.name for status in result.sources if status.kind == "flows"}
    for status in result.sources:  # a system read only through its requests counts as read
        if status.kind == "flows" and status.system and status.system not in statuses:
            statuses[status.system] = status.status
    observed_only -= {status.name for status in result.sources if status.kind != "flows"}
    failed_containers = {(error.source, error.container) for error in result.errors}
    for system in datamap.systems:
        if system.name not in statuses:
            yield _violation(
                "PIIMAP006",
                f"system '{system.name}' is in the data map but was not scanned",
                source=system.name,
            )
            continue
        if statuses[system.name] != "ok" or any(source == system.name for source, _ in failed_containers):
            continue  # incomplete results: "not found" would be a guess
        if system.name in observed_only:
            continue  # only its requests were read, not what it stores
        found = findings_by_system.get(system.name, [])
        for category in system.categories:
            if not any(covers(category, finding.category) for finding in found):
                yield _violation(
                    "PIIMAP005",
                    f"system '{system.name}' declares {category}, but the scan found none",
                    source=system.name,
                    category=category,
                )
        for declaration in system.containers:
            in_container = [finding for finding in found if declaration.matches(finding.container)]
            for category in declaration.all_categories():
                if category in system.categories:
                    continue
                if not any(covers(category, finding.category) for finding in in_container):
                    yield _violation(
                        "PIIMAP005",
                        f"system '{system.name}' declares {category} in {declaration.pattern}, "
                        f"but the scan found none there",
                        source=system.name,
                        container=declaration.pattern,
                        category=category,
                    )


def _file_roots(result: ScanResult) -> dict[str, str]:
    """Source name -> the path it was read from, for sources that are files or folders."""
    return {status.name: status.url.rstrip("/") for status in result.sources if "://" not in status.url}


def _portable_fingerprint(violation: Violation, roots: dict[str, str]) -> str:
    """The fingerprint with file containers relative to their source's path, so a baseline made
    in one checkout (``/home/ci/build-17/logs/access.log``) still matches in another."""
    container = violation.container
    root = roots.get(violation.source or "")
    if container is not None and root:
        if container == root:
            container = "."
        elif container.startswith(root + "/"):
            container = container[len(root) + 1 :]
    return fingerprint(
        violation.rule, violation.source, container, violation.field, violation.category, violation.vendor
    )


def _suppress(violation: Violation, datamap: DataMap | None, baseline: set[str] | None) -> Violation:
    rule = RULES_BY_ID.get(violation.rule)
    if datamap is not None:
        for suppression in datamap.suppressions:
            if suppression.matches(
                rule_id=violation.rule,
                rule_name=rule.name if rule else violation.rule,
                source=violation.source,
                container=violation.container,
                field_name=violation.field,
                category=violation.category,
                vendor=violation.vendor,
            ):
                return replace(violation, suppressed=suppression.reason)
    if baseline and violation.fingerprint in baseline:
        return replace(violation, suppressed=BASELINE_REASON)
    return violation


def evaluate(
    result: ScanResult,
    datamap: DataMap | None,
    policy: Policy | None,
    *,
    baseline: set[str] | None = None,
) -> ScanResult:
    """A copy of ``result`` with ``violations`` and ``datamap`` (:func:`~piimap.datamap.build_datamap`) filled in.

    Either declaration may be ``None``: without a data map only the policy rules PIIMAP003,
    PIIMAP007 and PIIMAP010 run, without a policy only the data-map rules run. Observed flows
    (``result.flows``) are checked by PIIMAP008-PIIMAP010. ``baseline`` holds fingerprints of accepted
    violations (see :func:`load_baseline`).
    """
    findings_by_system: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        findings_by_system[finding.source].append(finding)
    found: list[Violation] = list(_finding_violations(result, datamap, policy))
    if policy is not None:
        found.extend(_contradictions(policy))
    if datamap is not None:
        if policy is not None:
            found.extend(_flow_violations(findings_by_system, datamap, policy))
        found.extend(_declaration_warnings(result, findings_by_system, datamap))
    found.extend(_observed_flow_violations(result, datamap, policy))
    roots = _file_roots(result)
    unique = {}
    for violation in found:
        portable = replace(violation, fingerprint=_portable_fingerprint(violation, roots))
        unique[portable.fingerprint] = portable
    violations = sorted(
        (_suppress(violation, datamap, baseline) for violation in unique.values()),
        key=lambda item: (
            item.rule,
            item.source or "",
            item.container or "",
            item.field or "",
            item.category or "",
            item.vendor or "",
        ),
    )
    graph = build_datamap(result, datamap, policy, violations)
    return replace(result, violations=tuple(violations), datamap=graph)


#: ``--fail-on`` levels: the severities that fail the check at each.
FAIL_ON_LEVELS: dict[str, frozenset[str]] = {
    "error": frozenset({"error"}),
    "warning": frozenset({"error", "warning"}),
}


def failing_violations(result: ScanResult, fail_on: str = "error") -> tuple[Violation, ...]:
    """The violations that fail the check: those of a severity ``fail_on`` fails on (``error``:
    errors; ``warning``: warnings too) that are neither suppressed nor baselined."""
    try:
        severities = FAIL_ON_LEVELS[fail_on]
    except KeyError:
        raise ValueError(f"fail_on must be one of {', '.join(FAIL_ON_LEVELS)}, not {fail_on!r}") from None
    return tuple(
        violation
        for violation in result.violations or ()
        if violation.severity in severities and violation.suppressed is None
    )


def failing(result: ScanResult, fail_on: str = "error") -> bool:
    """True when ``result`` has a violation that fails the check at ``fail_on``."""
    return bool(failing_violations(result, fail_on))


# --------------------------------------------------------------------------- baselines


def baseline_document(result: ScanResult) -> dict[str, Any]:
    """A baseline file's content: the fingerprints of today's violations (with context to read).

    Violations a data-map suppression already covers are left out: the suppression keeps
    working on its own, and leaving it out keeps the baseline to what nobody has explained yet.
    """
    accepted = [
        violation
        for violation in result.violations or ()
        if violation.suppressed is None or violation.suppressed == BASELINE_REASON
    ]
    return {
        "piimap_baseline": 1,
        "created": result.finished,
        "fingerprints": sorted({violation.fingerprint for violation in accepted}),
        "violations": [
            {key: value for key, value in violation.to_dict().items() if key != "suppressed"}
            for violation in accepted
        ],
    }


def load_baseline(path: str | Path) -> set[str]:
    """Fingerprints from a baseline file (as written by ``piimap baseline``, or a JSON list)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: baseline file not found (create it with 'piimap baseline')") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read baseline: {error}") from None
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path}:{error.lineno}: invalid JSON in baseline: {error.msg}") from None
    fingerprints = data.get("fingerprints") if isinstance(data, dict) else data
    if not isinstance(fingerprints, list) or not all(isinstance(item, str) for item in fingerprints):
        raise ConfigError(f"{path}: a baseline needs a 'fingerprints' list of strings")
    return set(fingerprints)
