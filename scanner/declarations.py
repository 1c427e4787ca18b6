"""The declared side of a check: the data map and the privacy policy, loaded and validated.

A **data map** says which systems (scanned sources, by name) hold which categories of personal
data, which vendors / partners receive data (with their role and purpose), the flows from
systems to vendors with the categories each carries, and suppressions (accepted exceptions, each
with a reason). A **policy** says which categories the privacy policy tells people are collected
and, per recipient role, which categories it says are shared.

Category keys use the Fides taxonomy spelling (``user.contact.email``). A declared category
covers its sub-categories: ``user.device`` covers ``user.device.ip_address``. Every key is
documented in the README ("Configuration reference"); a mistake is a :class:`~piimap.model.ConfigError`
saying ``file:line: key: message``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from piimap.model import ConfigError
from piimap.yamlfile import LocatedDict, load_yaml, located_error

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

#: In a flow's ``categories``: every category the system holds (found or declared).
ALL = "all"
#: In a policy's ``shared``: every category the policy says is collected.
COLLECTED = "collected"
#: Roles the documentation describes; any other lower-case identifier is accepted too.
KNOWN_ROLES = ("service_provider", "processor", "analytics", "advertising", "marketing", "legal", "affiliate")

_CATEGORY_KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
_ROLE_KEY = re.compile(r"^[a-z][a-z0-9_]*$")

_DATAMAP_KEYS = ("organisation", "description", "systems", "vendors", "flows", "suppressions")
_SYSTEM_KEYS = ("description", "owner", "categories", "containers")
_CONTAINER_KEYS = ("categories", "fields")
_VENDOR_KEYS = ("name", "role", "purpose", "description")
_FLOW_KEYS = ("from", "to", "categories", "containers", "purpose", "description")
_SUPPRESSION_MATCHERS = ("rule", "source", "container", "field", "category", "vendor")
_SUPPRESSION_KEYS = ("reason", *_SUPPRESSION_MATCHERS)
_POLICY_KEYS = ("name", "url", "updated", "collected", "shared")


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

    def collects(self, category: str) -> bool:
        return covers_any(self.collected, category)

    def discloses(self, role: str, category: str) -> bool:
        return covers_any(self.shared.get(role, ()), category)


# --------------------------------------------------------------------------- loading


def load_datamap(path: str | Path) -> DataMap:
    """Load and validate a data-map YAML file."""
    data = load_yaml(path)
    return parse_datamap(data, str(path))


def load_policy(path: str | Path) -> Policy:
    """Load and validate a policy YAML file."""
    data = load_yaml(path)
    return parse_policy(data, str(path))


def parse_datamap(data: Any, path: str = "<string>") -> DataMap:
    """Validate already-loaded data-map YAML (a :class:`LocatedDict` gives ``file:line`` errors)."""
    if data is None:
        data = LocatedDict()
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a data map must be a mapping with 'systems', 'vendors', 'flows'")
    _reject_unknown_keys(data, _DATAMAP_KEYS, "key")
    systems = _parse_systems(data)
    vendors = _parse_vendors(data)
    flows = _parse_flows(data, {system.name for system in systems}, {vendor.id for vendor in vendors})
    return DataMap(
        systems=systems,
        vendors=vendors,
        flows=flows,
        suppressions=_parse_suppressions(data),
        organisation=_optional_text(data, "organisation"),
        description=_optional_text(data, "description"),
        path=path,
    )


def parse_policy(data: Any, path: str = "<string>") -> Policy:
    """Validate already-loaded policy YAML."""
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a policy must be a mapping with 'collected' and 'shared'")
    _reject_unknown_keys(data, _POLICY_KEYS, "key")
    if "collected" not in data:
        raise located_error(
            data, None, "collected: is required (the categories the policy says are collected)"
        )
    collected = _category_list(data, "collected")
    raw_shared = data.get("shared") or {}
    if not isinstance(raw_shared, dict):
        raise located_error(
            data, "shared", "must be a mapping of recipient role -> categories or 'collected'"
        )
    shared: dict[str, tuple[str, ...]] = {}
    shared_lines: dict[str, int] = {}
    for role, value in raw_shared.items():
        _check_role(raw_shared, role, role)
        if value == COLLECTED:
            shared[role] = collected
        elif value is None or value == []:
            shared[role] = ()
        elif not isinstance(value, list):
            raise located_error(
                raw_shared, role, f"must be a list of category keys or '{COLLECTED}', not {value!r}"
            )
        else:
            shared[role] = _category_list(raw_shared, role)
        shared_lines[role] = _line_of(raw_shared, role)
    return Policy(
        collected=collected,
        shared=shared,
        name=_optional_text(data, "name"),
        url=_optional_text(data, "url"),
        updated=_optional_text(data, "updated"),
        path=path,
        collected_line=_line_of(data, "collected"),
        shared_lines=shared_lines,
    )


def _parse_systems(data: Mapping[str, Any]) -> tuple[SystemDeclaration, ...]:
    raw = data.get("systems") or {}
    if not isinstance(raw, dict):
        raise located_error(data, "systems", "must be a mapping of system (source) name -> declaration")
    systems = []
    for name, entry in raw.items():
        if isinstance(entry, list):  # shorthand: the categories of the whole system
            systems.append(
                SystemDeclaration(name=name, categories=_category_list(raw, name), line=_line_of(raw, name))
            )
            continue
        if entry is None:
            entry = {}
        if not isinstance(entry, dict):
            raise located_error(
                raw, name, "must be a list of categories or a mapping (categories, containers, ...)"
            )
        _reject_unknown_keys(entry, _SYSTEM_KEYS, "system key")
        systems.append(
            SystemDeclaration(
                name=name,
                categories=_category_list(entry, "categories") if "categories" in entry else (),
                containers=_parse_containers(entry),
                description=_optional_text(entry, "description"),
                owner=_optional_text(entry, "owner"),
                line=_line_of(raw, name),
            )
        )
    return tuple(systems)


def _parse_containers(system: Mapping[str, Any]) -> tuple[ContainerDeclaration, ...]:
    raw = system.get("containers") or {}
    if not isinstance(raw, dict):
        raise located_error(system, "containers", "must be a mapping of container glob -> categories")
    declarations = []
    for pattern, entry in raw.items():
        if isinstance(entry, (list, str)):
            declarations.append(
                ContainerDeclaration(pattern=pattern, categories=_category_list(raw, pattern))
            )
            continue
        if not isinstance(entry, dict):
            raise located_error(
                raw, pattern, "must be a list of categories or a mapping with 'categories'/'fields'"
            )
        _reject_unknown_keys(entry, _CONTAINER_KEYS, "container key")
        fields = entry.get("fields") or {}
        if not isinstance(fields, dict):
            raise located_error(entry, "fields", "must be a mapping of field glob -> categories")
        declarations.append(
            ContainerDeclaration(
                pattern=pattern,
                categories=_category_list(entry, "categories") if "categories" in entry else (),
                fields=tuple((name, _category_list(fields, name)) for name in fields),
            )
        )
    return tuple(declarations)


def _parse_vendors(data: Mapping[str, Any]) -> tuple[Vendor, ...]:
    raw = data.get("vendors") or {}
    if not isinstance(raw, dict):
        raise located_error(data, "vendors", "must be a mapping of vendor id -> {role, name, purpose}")
    vendors = []
    for vendor_id, entry in raw.items():
        if not isinstance(entry, dict):
            raise located_error(raw, vendor_id, "must be a mapping with at least 'role'")
        _reject_unknown_keys(entry, _VENDOR_KEYS, "vendor key")
        if "role" not in entry:
            raise located_error(raw, vendor_id, f"needs a 'role' (for example {', '.join(KNOWN_ROLES[:4])})")
        role = entry["role"]
        _check_role(entry, "role", role)
        vendors.append(
            Vendor(
                id=vendor_id,
                role=role,
                name=_optional_text(entry, "name"),
                purpose=_optional_text(entry, "purpose"),
                description=_optional_text(entry, "description"),
                line=_line_of(raw, vendor_id),
            )
        )
    return tuple(vendors)


def _parse_flows(data: Mapping[str, Any], systems: set[str], vendors: set[str]) -> tuple[Flow, ...]:
    raw = data.get("flows") or []
    if not isinstance(raw, list):
        raise located_error(data, "flows", "must be a list of {from, to, categories}")
    flows = []
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise located_error(
                data, "flows", f"entry {index + 1} must be a mapping with 'from', 'to', 'categories'"
            )
        _reject_unknown_keys(entry, _FLOW_KEYS, "flow key")
        for required in ("from", "to", "categories"):
            if required not in entry:
                raise located_error(entry, None, f"flows entry {index + 1}: '{required}' is required")
        source, target = entry["from"], entry["to"]
        if not isinstance(source, str) or source not in systems:
            known = ", ".join(sorted(systems)) or "none declared"
            raise located_error(entry, "from", f"unknown system {source!r} (systems: {known})")
        if not isinstance(target, str) or target not in vendors:
            known = ", ".join(sorted(vendors)) or "none declared"
            raise located_error(entry, "to", f"unknown vendor {target!r} (vendors: {known})")
        categories = None if entry["categories"] == ALL else _category_list(entry, "categories")
        containers = entry.get("containers") or []
        if isinstance(containers, str):
            containers = [containers]
        if not isinstance(containers, list) or not all(isinstance(item, str) for item in containers):
            raise located_error(entry, "containers", "must be a list of container globs")
        flows.append(
            Flow(
                system=source,
                vendor=target,
                categories=categories,
                containers=tuple(containers),
                purpose=_optional_text(entry, "purpose"),
                description=_optional_text(entry, "description"),
                line=_line_of(entry, "from"),
            )
        )
    return tuple(flows)


def _parse_suppressions(data: Mapping[str, Any]) -> tuple[Suppression, ...]:
    raw = data.get("suppressions") or []
    if not isinstance(raw, list):
        raise located_error(data, "suppressions", "must be a list of {reason, rule, source, ...}")
    suppressions = []
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise located_error(data, "suppressions", f"entry {index + 1} must be a mapping with a 'reason'")
        _reject_unknown_keys(entry, _SUPPRESSION_KEYS, "suppression key")
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise located_error(
                entry, "reason" if "reason" in entry else None, "every suppression needs a non-empty 'reason'"
            )
        if not any(key in entry for key in _SUPPRESSION_MATCHERS):
            raise located_error(
                entry, None, f"a suppression needs at least one of {', '.join(_SUPPRESSION_MATCHERS)}"
            )
        matchers = {}
        for key in _SUPPRESSION_MATCHERS:
            if key in entry:
                if not isinstance(entry[key], str) or not entry[key]:
                    raise located_error(entry, key, "must be a non-empty string (a glob)")
                matchers[key] = entry[key]
        suppressions.append(Suppression(reason=reason.strip(), line=_line_of(entry, "reason"), **matchers))
    return tuple(suppressions)


# --------------------------------------------------------------------------- helpers


def _reject_unknown_keys(mapping: Mapping[str, Any], known: tuple[str, ...], what: str) -> None:
    for key in mapping:
        if key not in known:
            raise located_error(mapping, key, f"unknown {what} (known: {', '.join(known)})")


def _category_list(parent: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """``parent[key]`` as a tuple of category keys (a single key is accepted as a list of one)."""
    value = parent[key]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise located_error(parent, key, f"must be a list of category keys, not {type(value).__name__}")
    categories = []
    for item in value:
        if not isinstance(item, str):
            raise located_error(
                parent, key, f"category keys are strings, not {type(item).__name__} ({item!r})"
            )
        if item == ALL:
            raise located_error(
                parent, key, "'all' is only allowed as the whole value of a flow's categories"
            )
        if not _CATEGORY_KEY.match(item):
            raise located_error(
                parent, key, f"{item!r} is not a category key (Fides spelling, e.g. user.contact.email)"
            )
        categories.append(item)
    return tuple(dict.fromkeys(categories))


def _check_role(parent: Mapping[str, Any], key: str, role: Any) -> None:
    if not isinstance(role, str) or not _ROLE_KEY.match(role):
        raise located_error(
            parent, key, f"role {role!r} must be a lower-case identifier such as {', '.join(KNOWN_ROLES[:4])}"
        )


def _optional_text(mapping: Mapping[str, Any], key: str) -> str:
    value = mapping.get(key)
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        if hasattr(value, "isoformat"):  # YAML dates
            return value.isoformat()
        raise located_error(mapping, key, f"must be text, not {type(value).__name__}")
    return value


def _line_of(mapping: Any, key: str) -> int:
    return mapping.line_of(key) if isinstance(mapping, LocatedDict) else 0
