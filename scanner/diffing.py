"""What changed between two stored runs: PII fields, categories and vendor flows that appeared or went.

Only like is compared with like. A source is compared when both runs read it successfully; a
container is compared when neither run failed to read it. Anything else is listed as "not
compared" instead of being reported as PII that disappeared because a database was down. Flows
are compared when both runs were checked against a data map (``piimap check`` or a scheduled
run with one), since a plain scan records none.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from piimap.model import CategoryFlow, Finding
from piimap.store import HistoryStore, RunSummary

__all__ = ["FieldKey", "RunDiff", "diff_runs", "compare"]


@dataclass(frozen=True)
class FieldKey:
    """One PII field of a run: (source, container, field, category)."""

    source: str
    container: str
    field: str | None
    category: str

    @property
    def sort_key(self) -> tuple[str, str, str, str]:
        return (self.source, self.container, self.field or "", self.category)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "container": self.container,
            "field": self.field,
            "category": self.category,
        }


@dataclass(frozen=True)
class RunDiff:
    """The difference between an ``old`` and a ``new`` run (see the module docstring)."""

    old: RunSummary
    new: RunSummary
    fields_added: tuple[FieldKey, ...]
    fields_removed: tuple[FieldKey, ...]
    categories_added: tuple[tuple[str, str], ...]
    categories_removed: tuple[tuple[str, str], ...]
    flows_added: tuple[CategoryFlow, ...]
    flows_removed: tuple[CategoryFlow, ...]
    flows_compared: bool
    not_compared: tuple[str, ...]

    @property
    def changed(self) -> bool:
        """True when any PII field, category or flow appeared or disappeared."""
        return any(
            (
                self.fields_added,
                self.fields_removed,
                self.categories_added,
                self.categories_removed,
                self.flows_added,
                self.flows_removed,
            )
        )

    @property
    def grew(self) -> bool:
        """True when a PII field, category or flow appeared (what ``--fail-on-new`` fails on)."""
        return bool(self.fields_added or self.categories_added or self.flows_added)

    def to_dict(self) -> dict[str, Any]:
        def flows(items: Iterable[CategoryFlow]) -> list[dict[str, str]]:
            return [{"system": f.system, "vendor": f.vendor, "category": f.category} for f in items]

        def categories(items: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
            return [{"source": source, "category": category} for source, category in items]

        return {
            "old_run": self.old.to_dict(),
            "new_run": self.new.to_dict(),
            "fields": {
                "added": [key.to_dict() for key in self.fields_added],
                "removed": [key.to_dict() for key in self.fields_removed],
            },
            "categories": {
                "added": categories(self.categories_added),
                "removed": categories(self.categories_removed),
            },
            "flows": {
                "compared": self.flows_compared,
                "added": flows(self.flows_added),
                "removed": flows(self.flows_removed),
            },
            "not_compared": list(self.not_compared),
            "changed": self.changed,
        }


def diff_runs(store: HistoryStore, old_id: int, new_id: int) -> RunDiff:
    """Compare two stored runs."""
    old, new = store.run(old_id), store.run(new_id)
    old_states, new_states = store.source_states(old_id), store.source_states(new_id)
    unreadable = {
        (record.source, record.container)
        for run_id in (old_id, new_id)
        for record in store.containers(run_id)
        if record.state == "error"
    }
    flows_compared = old.violations is not None and new.violations is not None
    return compare(
        old,
        new,
        old_findings=store.findings(old_id),
        new_findings=store.findings(new_id),
        old_sources=old_states,
        new_sources=new_states,
        unreadable_containers=unreadable,
        old_flows=store.flows(old_id) if flows_compared else None,
        new_flows=store.flows(new_id) if flows_compared else None,
    )


def compare(
    old: RunSummary,
    new: RunSummary,
    *,
    old_findings: Iterable[Finding],
    new_findings: Iterable[Finding],
    old_sources: dict[str, str],
    new_sources: dict[str, str],
    unreadable_containers: AbstractSet[tuple[str, str]] = frozenset(),
    old_flows: set[CategoryFlow] | None = None,
    new_flows: set[CategoryFlow] | None = None,
) -> RunDiff:
    """The pure comparison behind :func:`diff_runs` (source states are ``ok`` / ``error``)."""
    compared_sources = {
        name for name, state in new_sources.items() if state == "ok" and old_sources.get(name) == "ok"
    }
    not_compared = []
    for name in sorted(set(old_sources) | set(new_sources)):
        if name in compared_sources:
            continue
        if name not in old_sources:
            not_compared.append(f"source {name}: only in run {new.id}")
        elif name not in new_sources:
            not_compared.append(f"source {name}: only in run {old.id}")
        else:
            failed = old.id if old_sources[name] != "ok" else new.id
            not_compared.append(f"source {name}: could not be read in run {failed}")
    for source, container in sorted(unreadable_containers):
        if source in compared_sources:
            not_compared.append(f"container {source}/{container}: could not be read in one of the runs")

    def keys(findings: Iterable[Finding]) -> set[FieldKey]:
        return {
            FieldKey(f.source, f.container, f.field, f.category)
            for f in findings
            if f.source in compared_sources and (f.source, f.container) not in unreadable_containers
        }

    old_keys, new_keys = keys(old_findings), keys(new_findings)
    old_categories = {(key.source, key.category) for key in old_keys}
    new_categories = {(key.source, key.category) for key in new_keys}
    flows_compared = old_flows is not None and new_flows is not None
    old_flow_set, new_flow_set = (
        (old_flows or set(), new_flows or set()) if flows_compared else (set(), set())
    )
    return RunDiff(
        old=old,
        new=new,
        fields_added=tuple(sorted(new_keys - old_keys, key=lambda key: key.sort_key)),
        fields_removed=tuple(sorted(old_keys - new_keys, key=lambda key: key.sort_key)),
        categories_added=tuple(sorted(new_categories - old_categories)),
        categories_removed=tuple(sorted(old_categories - new_categories)),
        flows_added=tuple(sorted(new_flow_set - old_flow_set)),
        flows_removed=tuple(sorted(old_flow_set - new_flow_set)),
        flows_compared=flows_compared,
        not_compared=tuple(not_compared),
    )
