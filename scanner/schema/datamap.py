"""The data map file (``datamap.yaml``): systems, vendors, flows and suppressions.

:mod:`piimap.declarations` turns a validated :class:`DataMapFile` into the frozen records the
checks use (:class:`~piimap.declarations.DataMap`). Every key is documented in docs/configuration.md
("The data map"); the field descriptions below are the source of that table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, Strict, ValidationInfo, model_validator

from piimap.schema.base import (
    CategoryList,
    ConfigModel,
    Glob,
    GlobList,
    OneOrMany,
    Problem,
    Text,
    _check_category_key,
    did_you_mean,
)

__all__ = [
    "ALL",
    "KNOWN_ROLES",
    "RoleKey",
    "HostPattern",
    "ContainerModel",
    "SystemModel",
    "VendorModel",
    "FlowModel",
    "SuppressionModel",
    "DataMapFile",
    "SUPPRESSION_MATCHERS",
]

#: In a flow's ``categories``: every category the system holds (found or declared).
ALL = "all"
#: Roles the documentation describes; any other lower-case identifier is accepted too.
KNOWN_ROLES = ("service_provider", "processor", "analytics", "advertising", "marketing", "legal", "affiliate")
#: The keys of a suppression that match a violation (``reason`` is the other one).
SUPPRESSION_MATCHERS = ("rule", "source", "container", "field", "category", "vendor")

_ROLE_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_GLOB_CHARACTERS = re.compile(r"[*?\[]")


def _check_role(value: str) -> str:
    if not _ROLE_KEY.match(value):
        raise ValueError(
            f"role {value!r} must be a lower-case identifier such as {', '.join(KNOWN_ROLES[:4])}"
        )
    return value


_HOST = re.compile(
    r"^(?=.{1,253}(/|$))[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(/\S*)?$"
)


def _host_pattern(value: str) -> str:
    text = value.strip().lower().removeprefix("https://").removeprefix("http://")
    if not _HOST.match(text):
        raise ValueError(
            f"{value!r} is not a host name or host/path prefix (e.g. google-analytics.com, facebook.com/tr)"
        )
    return text


#: ``example.com`` (the domain and its subdomains) or ``example.com/path-prefix``.
HostPattern = Annotated[str, Strict(), AfterValidator(_host_pattern)]

#: A recipient role: ``service_provider``, ``analytics``... or any lower-case identifier.
RoleKey = Annotated[str, Strict(), AfterValidator(_check_role)]


def _categories_shorthand(value: Any) -> Any:
    """A list (or one key) stands for ``{categories: [...]}``."""
    if isinstance(value, (list, str)):
        return {"categories": value}
    return {} if value is None else value


class _CategoriesShorthand(ConfigModel):
    """A model whose ``categories`` may be written alone, as a list (or one key)."""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return _categories_shorthand(value)


class ContainerModel(_CategoriesShorthand):
    """Categories declared for the containers matching a glob; a list is shorthand for ``categories``."""

    categories: CategoryList = Field(default=(), description="categories held anywhere in the container")
    fields: dict[str, CategoryList] = Field(
        default_factory=dict, description="field glob -> categories held only in matching fields"
    )


class SystemModel(_CategoriesShorthand):
    """A system: one scanned source, by its name in ``piimap.yaml``; a list is shorthand for ``categories``."""

    categories: CategoryList = Field(
        default=(), description="categories the system may hold anywhere (any container, any field)"
    )
    containers: dict[str, ContainerModel] = Field(
        default_factory=dict,
        description="container glob -> categories (a list) or {categories, fields}",
    )
    description: Text = Field(default="", description="free text, shown in the HTML report")
    owner: Text = Field(default="", description="free text (team, person)")


class VendorModel(ConfigModel):
    """A recipient outside the scanned systems."""

    role: RoleKey = Field(
        description="the kind of recipient, as the policy groups them: "
        + ", ".join(KNOWN_ROLES)
        + ", or your own lower-case identifier"
    )
    name: Text = Field(default="", description="display name (default: the id)")
    purpose: Text = Field(default="", description="why the vendor receives data")
    description: Text = Field(default="", description="free text")
    catalogue: Annotated[str, Strict(), Field(min_length=1)] | None = Field(
        default=None,
        description="the vendor catalogue's id for this vendor, when the ids differ (observed flows to "
        "it are matched to this vendor)",
    )
    hosts: Annotated[tuple[HostPattern, ...], OneOrMany] = Field(
        default=(),
        description="the vendor's hosts (a domain covers its subdomains): observed requests to them "
        "are flows to this vendor",
    )


def _flow_categories(value: Any) -> Any:
    if value is None:
        raise ValueError(f"must be a list of category keys or '{ALL}'")
    return None if value == ALL else value


class FlowModel(ConfigModel):
    """Data sent from a system to a vendor."""

    source: str = Field(alias="from", description="a key of systems")
    to: str = Field(description="a key of vendors")
    categories: Annotated[CategoryList | None, BeforeValidator(_flow_categories)] = Field(
        description=f"what the flow carries: category keys, or '{ALL}' (everything the system holds "
        "in the flow's containers)"
    )
    containers: GlobList = Field(default=(), description="limit the flow to these container globs")
    purpose: Text = Field(default="", description="why")
    description: Text = Field(default="", description="free text")


def _require_text(text: str) -> str:
    if not text.strip():
        raise ValueError("every suppression needs a non-empty 'reason'")
    return text.strip()


def _suppression_category(value: str, info: ValidationInfo) -> str:
    """A glob is taken as written; a plain key must be a valid category."""
    return value if _GLOB_CHARACTERS.search(value) else _check_category_key(value, info)


class SuppressionModel(ConfigModel):
    """An accepted exception: violations matching every given glob are kept but do not fail."""

    reason: Annotated[Text, AfterValidator(_require_text)] = Field(
        description="why this is accepted (shown in reports and as the SARIF suppression's justification)"
    )
    rule: Glob | None = Field(default=None, description="a rule id (PIIMAP002) or name (undeclared-category)")
    source: Glob | None = Field(default=None, description="the source / system name")
    container: Glob | None = Field(default=None, description="the container")
    field: Glob | None = Field(default=None, description="the field")
    category: Annotated[Glob, AfterValidator(_suppression_category)] | None = Field(
        default=None, description="a glob, or a category key (which also matches its sub-categories)"
    )
    vendor: Glob | None = Field(default=None, description="the vendor id (PIIMAP004)")

    @model_validator(mode="after")
    def _needs_a_matcher(self) -> SuppressionModel:
        if all(getattr(self, key) is None for key in SUPPRESSION_MATCHERS):
            raise ValueError(f"a suppression needs at least one of {', '.join(SUPPRESSION_MATCHERS)}")
        return self


class DataMapFile(ConfigModel):
    """The whole data map file."""

    organisation: Text = Field(default="", description="shown in the HTML report's title")
    description: Text = Field(default="", description="free text")
    systems: dict[str, SystemModel] = Field(
        default_factory=dict, description="system (source) name -> the categories it holds"
    )
    vendors: dict[str, VendorModel] = Field(default_factory=dict, description="vendor id -> vendor")
    flows: tuple[FlowModel, ...] = Field(default=(), description="data sent from a system to a vendor")
    suppressions: tuple[SuppressionModel, ...] = Field(
        default=(), description="accepted exceptions, each with a reason"
    )

    def reference_problems(self) -> list[Problem]:
        """Flows naming a system or vendor the file does not declare."""
        problems = []
        for index, flow in enumerate(self.flows):
            if flow.source not in self.systems:
                message = _unknown_name("system", flow.source, self.systems)
                problems.append(Problem(("flows", index, "from"), message))
            if flow.to not in self.vendors:
                problems.append(
                    Problem(("flows", index, "to"), _unknown_name("vendor", flow.to, self.vendors))
                )
        return problems


def _unknown_name(kind: str, name: str, known: Iterable[str]) -> str:
    suggestion = did_you_mean(name, known)
    hint = f"did you mean '{suggestion}'? " if suggestion else ""
    return f"unknown {kind} {name!r} ({hint}{kind}s: {', '.join(sorted(known)) or 'none declared'})"
