"""The declared side of a check: the data map and the privacy policy, loaded and validated.

A **data map** says which systems (scanned sources, by name) hold which categories of personal
data, which vendors / partners receive data (with their role and purpose), the flows from
systems to vendors with the categories each carries, and suppressions (accepted exceptions, each
with a reason). A **policy** says which categories the privacy policy tells people are collected
and, per recipient role, which categories it says are shared.

Category keys use the Fides taxonomy spelling (``user.contact.email``). A declared category
covers its sub-categories: ``user.device`` covers ``user.device.ip_address``. Every key is
documented in docs/configuration.md; a mistake is a :class:`~piimap.model.ConfigError`
saying ``file:line: key: message``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from piimap.categories import CategoryVocabulary, category_vocabulary
from piimap.model import ConfigError
from piimap.policytext.model import Statement
from piimap.schema.base import CATEGORIES_CONTEXT, raise_problems, validate_document
from piimap.schema.datamap import ALL, KNOWN_ROLES, SUPPRESSION_MATCHERS, DataMapFile
from piimap.schema.policy import COLLECTED, PolicyFile
from piimap.yamlfile import LocatedDict, load_yaml

__all__ = [
    "ALL",
    "COLLECTED",
    "KNOWN_ROLES",
    "ContainerDeclaration",
    "SystemDeclaration",
    "Vendor",
    "Flow",
    "Suppression",
    "DataMap",
    "Policy",
    "covers",
    "covers_any",
    "load_datamap",
    "load_policy",
    "parse_datamap",
    "parse_policy",
]


def covers(declared: str, category: str) -> bool:
    """True when ``declared`` is ``category`` or one of its parents (``user.device`` covers
    ``user.device.ip_address``; ``user.device`` does not cover ``user.devices``)."""
    return category == declared or category.startswith(declared + ".")


def covers_any(declared: Iterable[str], category: str) -> bool:
    """True when any of ``declared`` covers ``category``."""
    return any(covers(item, category) for item in declared)


def _glob_matches(pattern: str, value: str | None) -> bool:
    """Shell-style match; ``*`` also matches ``/`` and ``.``; a missing value is ``""``."""
    return fnmatchcase(value or "", pattern)


@dataclass(frozen=True)
class ContainerDeclaration:
    """Categories declared for the containers matching ``pattern`` (and, optionally, per field)."""

    pattern: str
    categories: tuple[str, ...] = ()
    fields: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def matches(self, container: str) -> bool:
        return _glob_matches(self.pattern, container)

    def declares(self, field_name: str | None, category: str) -> bool:
        """True when this declaration covers ``category`` in ``field_name`` of a matching container."""
        if covers_any(self.categories, category):
            return True
        return any(
            field_name is not None and _glob_matches(pattern, field_name) and covers_any(categories, category)
            for pattern, categories in self.fields
        )

    def all_categories(self) -> tuple[str, ...]:
        """Every category this declaration names, container-wide or per field."""
        names = list(self.categories)
        for _, categories in self.fields:
            names.extend(categories)
        return tuple(dict.fromkeys(names))


@dataclass(frozen=True)
class SystemDeclaration:
    """A system of the data map: one scanned source, by its name in ``piimap.yaml``."""

    name: str
    categories: tuple[str, ...] = ()
    containers: tuple[ContainerDeclaration, ...] = ()
    description: str = ""
    owner: str = ""
    line: int = 0

    def declares(self, container: str, field_name: str | None, category: str) -> bool:
        """True when the system declares ``category`` for this container and field."""
        if covers_any(self.categories, category):
            return True
        return any(
            declaration.matches(container) and declaration.declares(field_name, category)
            for declaration in self.containers
        )

    def declared_categories(self) -> tuple[str, ...]:
        """Every category the system declares anywhere."""
        names = list(self.categories)
        for declaration in self.containers:
            names.extend(declaration.all_categories())
        return tuple(dict.fromkeys(names))


@dataclass(frozen=True)
class Vendor:
    """A recipient outside the scanned systems: a processor, partner or authority."""

    id: str
    role: str
    name: str = ""
    purpose: str = ""
    description: str = ""
    line: int = 0
    #: the vendor catalogue's id, when it is not :attr:`id`
    catalogue: str | None = None
    #: hosts (domains or domain/path) whose requests are flows to this vendor
    hosts: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.name or self.id


@dataclass(frozen=True)
class Flow:
    """Data sent from a system to a vendor.

    ``categories`` is ``None`` for ``all`` (everything the system holds in the flow's containers).
    ``containers`` are globs limiting the flow to some containers; empty means the whole system.
    """

    system: str
    vendor: str
    categories: tuple[str, ...] | None
    containers: tuple[str, ...] = ()
    purpose: str = ""
    description: str = ""
    line: int = 0

    def includes_container(self, container: str) -> bool:
        return not self.containers or any(_glob_matches(pattern, container) for pattern in self.containers)


@dataclass(frozen=True)
class Suppression:
    """An accepted exception: violations matching every given glob are kept but do not fail.

    ``rule`` matches a rule id or name (``PIIMAP002`` or ``undeclared-category``); ``category``
    also matches sub-categories of a category key. Unset matchers match anything.
    """

    reason: str
    rule: str = "*"
    source: str = "*"
    container: str = "*"
    field: str = "*"
    category: str = "*"
    vendor: str = "*"
    line: int = 0

    def matches(
        self,
        *,
        rule_id: str,
        rule_name: str,
        source: str | None,
        container: str | None,
        field_name: str | None,
        category: str | None,
        vendor: str | None,
    ) -> bool:
        if not (_glob_matches(self.rule, rule_id) or _glob_matches(self.rule, rule_name)):
            return False
        if not (_glob_matches(self.category, category) or (category and covers(self.category, category))):
            return False
        return (
            _glob_matches(self.source, source)
            and _glob_matches(self.container, container)
            and _glob_matches(self.field, field_name)
            and _glob_matches(self.vendor, vendor)
        )


@dataclass(frozen=True)
class DataMap:
    """A loaded, validated data map."""

    systems: tuple[SystemDeclaration, ...] = ()
    vendors: tuple[Vendor, ...] = ()
    flows: tuple[Flow, ...] = ()
    suppressions: tuple[Suppression, ...] = ()
    organisation: str = ""
    description: str = ""
    path: str | None = None

    def system(self, name: str) -> SystemDeclaration | None:
        return next((system for system in self.systems if system.name == name), None)

    def vendor(self, vendor_id: str) -> Vendor | None:
        return next((vendor for vendor in self.vendors if vendor.id == vendor_id), None)

    def flows_from(self, system: str) -> tuple[Flow, ...]:
        return tuple(flow for flow in self.flows if flow.system == system)

    def vendor_for_observed(self, vendor_id: str, hosts: Iterable[str] = ()) -> Vendor | None:
        """The data map's vendor an observed flow reaches: the one with this id, the one naming it
        as its ``catalogue`` id, or one whose ``hosts`` cover a host reached; ``None`` if none."""
        for vendor in self.vendors:
            if vendor.id == vendor_id or vendor.catalogue == vendor_id:
                return vendor
        for vendor in self.vendors:
            for pattern in vendor.hosts:
                domain = pattern.split("/", 1)[0]
                if any(host == domain or host.endswith("." + domain) for host in hosts):
                    return vendor
        return None


@dataclass(frozen=True)
class Policy:
    """A loaded, validated privacy policy declaration.

    ``shared`` maps a recipient role to the categories the policy says are shared with it
    (``collected`` in the file expands to :attr:`collected`).
    """

    collected: tuple[str, ...]
    shared: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    name: str = ""
    url: str = ""
    updated: str = ""
    path: str | None = None
    collected_line: int = 0
    shared_lines: Mapping[str, int] = field(default_factory=dict)
    #: The statements read from the policy text, each with its sentence (``citations:`` in the file).
    citations: tuple[Statement, ...] = ()

    def collects(self, category: str) -> bool:
        return covers_any(self.collected, category)

    def discloses(self, role: str, category: str) -> bool:
        return covers_any(self.shared.get(role, ()), category)


# --------------------------------------------------------------------------- loading


def load_datamap(path: str | Path, *, categories: CategoryVocabulary | None = None) -> DataMap:
    """Load and validate a data-map YAML file.

    ``categories`` are the valid category keys (default: the Fides taxonomy and the installed
    classifiers' categories; pass :attr:`piimap.config.Config.categories` to add the config's
    custom categories).
    """
    data = load_yaml(path)
    return parse_datamap(data, str(path), categories=categories)


def load_policy(
    path: str | Path, *, categories: CategoryVocabulary | None = None, spacy_model: str | None = None
) -> Policy:
    """Load and validate a policy YAML file (``categories`` as for :func:`load_datamap`), or read
    the policy's text (``.txt``, ``.md``, ``.html``) with the spaCy pipeline ``spacy_model``."""
    from piimap.policytext import is_policy_text

    if is_policy_text(path):
        from piimap.policytext.policy import policy_from_text

        return policy_from_text(path, spacy_model)
    data = load_yaml(path)
    return parse_policy(data, str(path), categories=categories)


def parse_datamap(
    data: Any, path: str = "<string>", *, categories: CategoryVocabulary | None = None
) -> DataMap:
    """Validate already-loaded data-map YAML (a :class:`LocatedDict` gives ``file:line`` errors)."""
    if data is None:
        data = LocatedDict()
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a data map must be a mapping with 'systems', 'vendors', 'flows'")
    document = validate_document(DataMapFile, data, path, context=_context(categories))
    raise_problems(data, path, document.reference_problems())
    systems = data.get("systems") or {}
    vendors = data.get("vendors") or {}
    flows = data.get("flows") or []
    suppressions = data.get("suppressions") or []
    return DataMap(
        systems=tuple(
            SystemDeclaration(
                name=name,
                categories=system.categories,
                containers=tuple(
                    ContainerDeclaration(
                        pattern=pattern,
                        categories=container.categories,
                        fields=tuple(container.fields.items()),
                    )
                    for pattern, container in system.containers.items()
                ),
                description=system.description,
                owner=system.owner,
                line=_line_of(systems, name),
            )
            for name, system in document.systems.items()
        ),
        vendors=tuple(
            Vendor(
                id=vendor_id,
                role=vendor.role,
                name=vendor.name,
                purpose=vendor.purpose,
                description=vendor.description,
                line=_line_of(vendors, vendor_id),
                catalogue=vendor.catalogue,
                hosts=tuple(vendor.hosts),
            )
            for vendor_id, vendor in document.vendors.items()
        ),
        flows=tuple(
            Flow(
                system=flow.source,
                vendor=flow.to,
                categories=flow.categories,
                containers=flow.containers,
                purpose=flow.purpose,
                description=flow.description,
                line=_line_of(raw, "from"),
            )
            for flow, raw in zip(document.flows, flows)
        ),
        suppressions=tuple(
            Suppression(
                reason=suppression.reason,
                line=_line_of(raw, "reason"),
                **{
                    key: getattr(suppression, key)
                    for key in SUPPRESSION_MATCHERS
                    if getattr(suppression, key) is not None
                },
            )
            for suppression, raw in zip(document.suppressions, suppressions)
        ),
        organisation=document.organisation,
        description=document.description,
        path=path,
    )


def parse_policy(
    data: Any, path: str = "<string>", *, categories: CategoryVocabulary | None = None
) -> Policy:
    """Validate already-loaded policy YAML."""
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a policy must be a mapping with 'collected' and 'shared'")
    document = validate_document(PolicyFile, data, path, context=_context(categories))
    raw_shared = data.get("shared") or {}
    return Policy(
        collected=document.collected,
        shared={
            role: tuple(
                dict.fromkeys((document.collected if entry.collected else ()) + tuple(entry.categories))
            )
            for role, entry in document.shared.items()
        },
        name=document.name,
        url=document.url,
        updated=document.updated,
        path=path,
        collected_line=_line_of(data, "collected"),
        shared_lines={role: _line_of(raw_shared, role) for role in document.shared},
        citations=_parse_citations(data, path),
    )


def _parse_citations(data: Any, path: str) -> tuple[Statement, ...]:
    from piimap.policytext.policy import parse_citations

    where = f"{path}:{_line_of(data, 'citations')}" if "citations" in data else path
    return parse_citations(data.get("citations"), where)


# --------------------------------------------------------------------------- helpers


def _context(categories: CategoryVocabulary | None) -> dict[str, Any]:
    return {CATEGORIES_CONTEXT: categories if categories is not None else category_vocabulary()}


def _line_of(mapping: Any, key: str) -> int:
    return mapping.line_of(key) if isinstance(mapping, LocatedDict) else 0
