"""``piimap locate``: where one person's data is, planned from what the scans already know.

:func:`plan_targets` turns a source's stored findings into the containers and fields worth a
lookup; :func:`run_locate` hands each source's targets to its locator (entry-point group
``piimap.locators``, see :mod:`piimap.locate_model`), gathers the matches and the lookups, and
names the vendors the declared data map says receive the matched data (:func:`recipients_for`),
so a deletion can be forwarded to them. Nothing here prints or stores an identifier in clear:
the subject is known by the keyed HMACs of its identifiers.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from piimap import __version__
from piimap.declarations import DataMap, covers_any
from piimap.evidence import EvidencePolicy
from piimap.locate_model import (
    LOCATOR_GROUP,
    ContainerTarget,
    FieldTarget,
    Identifier,
    LocateLimits,
    LocateRequest,
    LocateResult,
    Lookup,
    Match,
    Recipient,
)
from piimap.model import Finding, PiimapError, SourceError, SourceSpec, SourceUnavailable
from piimap.plugins import load_group
from piimap.redact import redact_message
from piimap.settings import ScanSettings

__all__ = ["plan_targets", "locator_for", "run_locate", "recipients_for"]

log = logging.getLogger(__name__)


def plan_targets(findings: Iterable[Finding]) -> tuple[ContainerTarget, ...]:
    """One target per container with findings: its fields and categories (in report order)."""
    fields: dict[str, dict[tuple[str | None, str], None]] = defaultdict(dict)
    for finding in findings:
        fields[finding.container][(finding.field, finding.category)] = None
    return tuple(
        ContainerTarget(
            container=container,
            fields=tuple(FieldTarget(name, category) for name, category in pairs),
            categories=tuple(sorted({category for _, category in pairs})),
        )
        for container, pairs in sorted(fields.items())
    )


def locator_for(spec: SourceSpec, settings: ScanSettings) -> Any:
    """The locator of the first ``piimap.locators`` plugin that accepts the source's URL."""
    for name, factory in load_group(LOCATOR_GROUP).items():
        try:
            if factory.accepts(spec.url):
                return factory(spec, settings)
        except PiimapError:
            raise
        except Exception as error:  # a third-party plugin may fail in any way
            log.warning("locator %s failed to inspect a URL: %s", name, error)
    raise SourceUnavailable(f"no installed locator can look things up in {spec.display_url}")


def run_locate(
    sources: Sequence[SourceSpec],
    targets: Mapping[str, tuple[ContainerTarget, ...]],
    identifiers: Sequence[Identifier],
    *,
    settings: ScanSettings,
    limits: LocateLimits,
    evidence: EvidencePolicy,
    key: bytes,
    datamap: DataMap | None = None,
    planned_from: Mapping[str, int | None] | None = None,
    errors: Sequence[SourceError] = (),
) -> LocateResult:
    """Run every source's lookups, one source after another, and gather the result.

    A source whose locator fails as a whole is recorded in ``errors`` and the others go on;
    a container that fails is a :class:`Lookup` with status ``error``.
    """
    started = _now()
    matches: list[Match] = []
    lookups: list[Lookup] = []
    problems = list(errors)
    request_base: dict[str, Any] = {
        "identifiers": tuple(identifiers),
        "limits": limits,
        "evidence": evidence,
        "key": key,
        "default_region": settings.default_region,
    }
    for spec in sources:
        source_targets = targets.get(spec.name, ())
        if not source_targets:
            continue
        locator = None
        try:
            locator = locator_for(spec, settings)
            request = LocateRequest(targets=source_targets, **request_base)
            for item in locator.locate(request):
                (matches if isinstance(item, Match) else lookups).append(item)
        except PiimapError as error:
            problems.append(SourceError(spec.name, redact_message(str(error), spec.url)))
        finally:
            if locator is not None:
                try:
                    locator.close()
                except Exception as error:
                    log.debug("closing the locator of %s failed: %s", spec.name, error)
    for lookup in lookups:
        if lookup.status == "error":
            problems.append(SourceError(lookup.source, lookup.message, lookup.container))
    unique = list(
        {
            (m.source, m.container, m.row_key, m.field, m.identifier, m.related_via): m for m in matches
        }.values()
    )
    unique.sort(key=lambda m: (m.source, m.container, m.related_via is not None, m.row_key, m.field or ""))
    return LocateResult(
        piimap_version=__version__,
        started=started,
        finished=_now(),
        subject=tuple((identifier.kind, identifier.digest) for identifier in identifiers),
        matches=tuple(unique),
        lookups=tuple(lookups),
        recipients=recipients_for(datamap, unique, targets) if datamap is not None else (),
        errors=tuple(problems),
        planned_from=dict(planned_from or {}),
        plan_only=limits.plan_only,
        namesakes_excluded=sum(lookup.excluded for lookup in lookups),
    )


def recipients_for(
    datamap: DataMap,
    matches: Sequence[Match],
    targets: Mapping[str, tuple[ContainerTarget, ...]],
) -> tuple[Recipient, ...]:
    """The vendors the data map's flows send the matched data to.

    A container's data is what was matched there (the matched fields' categories) and, for rows
    reached by following keys, every category the scan saw in that container. A flow carries it
    when the flow covers the container and its categories cover one of them (``all`` covers
    every row, even one with no personal column of its own, such as an invoice line).
    """
    held: dict[tuple[str, str], set[str]] = defaultdict(set)
    for match in matches:
        categories = held[(match.source, match.container)]
        if match.category:
            categories.add(match.category)
        if match.related_via is not None:
            for target in targets.get(match.source, ()):
                if target.container == match.container:
                    categories.update(target.categories)
    gathered: dict[str, dict[str, set[str]]] = {}
    for (source, container), categories in sorted(held.items()):
        for flow in datamap.flows_from(source):
            if not flow.includes_container(container):
                continue
            if flow.categories is None:
                carried = set(categories)
            else:
                carried = {category for category in categories if covers_any(flow.categories, category)}
                if not carried:
                    continue
            entry = gathered.setdefault(
                flow.vendor, {"systems": set(), "categories": set(), "containers": set()}
            )
            entry["systems"].add(source)
            entry["categories"].update(carried)
            entry["containers"].add(f"{source}: {container}")
    recipients = []
    for vendor_id, entry in sorted(gathered.items()):
        vendor = datamap.vendor(vendor_id)
        recipients.append(
            Recipient(
                vendor=vendor_id,
                name=vendor.label if vendor else vendor_id,
                role=vendor.role if vendor else "",
                purpose=vendor.purpose if vendor else "",
                systems=tuple(sorted(entry["systems"])),
                categories=tuple(sorted(entry["categories"])),
                containers=tuple(sorted(entry["containers"])),
            )
        )
    return tuple(recipients)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
