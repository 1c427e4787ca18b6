"""The vendor catalogue and the flow sources: ``vendor_catalogue:`` and ``flows:`` in ``piimap.yaml``.

The bundled catalogue (``piimap/vendor_catalogue.yaml``) is validated by :class:`CatalogueFile`;
a config's ``vendor_catalogue:`` adds vendors (or replaces bundled ones by id) with the same keys
(:class:`CatalogueVendorModel`). ``flows:`` names the sources of observed requests (HAR files,
egress proxy logs, the site's own access logs) and the system each one speaks for
(:class:`FlowSourceModel`). Every key is documented in ``docs/configuration.md``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, Strict

from piimap.schema.base import CategoryKey, CategoryList, ConfigModel, OneOrMany, Text
from piimap.schema.datamap import HostPattern, RoleKey

__all__ = [
    "FLOW_FORMATS",
    "CatalogueVendorModel",
    "CatalogueFile",
    "FlowSourceModel",
]

#: The formats a flow source may name (``auto`` detects them from the file's first bytes).
FLOW_FORMATS = ("auto", "har", "squid", "json", "accesslog")

_PARAM_NAME = Annotated[str, Strict(), Field(min_length=1, max_length=200)]


class CatalogueVendorModel(ConfigModel):
    """One vendor of the catalogue: who receives requests to these hosts, in which role."""

    name: Text = Field(description="display name")
    role: RoleKey = Field(description="recipient role, as the policy groups them (analytics, advertising...)")
    hosts: Annotated[tuple[HostPattern, ...], OneOrMany] = Field(
        min_length=1,
        description="domains (each covers its subdomains) or domain/path-prefix; the most specific wins",
    )
    typical: CategoryList = Field(default=(), description="categories the vendor typically receives (shown)")
    params: dict[_PARAM_NAME, CategoryKey] = Field(
        default_factory=dict,
        description="parameter or body field name -> the category it carries in this vendor's "
        "protocol (counted whenever it is not empty)",
    )
    cookies: dict[_PARAM_NAME, CategoryKey] = Field(
        default_factory=dict,
        description="cookie name -> category: the vendor's own cookies (_ga, _fbp), counted on requests to "
        "the vendor and, on the site's own access log, attributed to it",
    )
    clicks: Annotated[tuple[_PARAM_NAME, ...], OneOrMany] = Field(
        default=(),
        description="the vendor's click / tracking parameters on the site's own URLs (gclid, fbclid)",
    )


class CatalogueFile(ConfigModel):
    """The bundled catalogue file."""

    vendors: dict[str, CatalogueVendorModel] = Field(description="vendor id -> vendor")


class FlowSourceModel(ConfigModel):
    """One source of observed requests."""

    url: Annotated[str, Strict(), Field(min_length=1)] = Field(
        description="a file, folder or glob: HAR exports, egress proxy logs or the site's access logs"
    )
    system: Annotated[str, Strict(), Field(min_length=1)] | None = Field(
        default=None, description="the system (data-map name) whose requests these are (default: the name)"
    )
    format: Literal[FLOW_FORMATS] = Field(  # type: ignore[valid-type]
        default="auto",
        description="har, squid (native or combined Squid logs), json (Envoy, nginx or any JSON "
        "Lines with a URL or host field), accesslog (the site's own combined-format log), or auto",
    )
    first_party: Annotated[tuple[HostPattern, ...], OneOrMany] = Field(
        default=(),
        description="the company's own domains: requests to them are not vendor flows (a HAR's page "
        "domains always count as first party)",
    )
    url_field: Annotated[str, Strict(), Field(min_length=1)] | None = Field(
        default=None, description="JSON Lines: the field holding the request URL (default: found by name)"
    )
    host_field: Annotated[str, Strict(), Field(min_length=1)] | None = Field(
        default=None,
        description="JSON Lines: the field holding the destination host (default: found by name)",
    )
    time_field: Annotated[str, Strict(), Field(min_length=1)] | None = Field(
        default=None, description="JSON Lines: the field holding the request time (default: found by name)"
    )
