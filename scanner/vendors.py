"""The vendor catalogue: destination hosts -> vendors, with their role and the data they typically get.

The catalogue ships with piimap (``vendor_catalogue.yaml``, validated by
:class:`~piimap.schema.flows.CatalogueFile`) and is extended by ``vendor_catalogue:`` in
``piimap.yaml`` (an entry with a bundled vendor's id replaces it). A host is matched from the
most specific name to its registrable domain (``stats.g.doubleclick.net`` is Google Analytics,
``ad.doubleclick.net`` Google Ads); a host entry with a path (``facebook.com/tr``) also needs
the request path to start with it. Registrable domains come from ``tldextract`` with its bundled
public-suffix snapshot: nothing is downloaded. A host no entry matches is an ``unknown``
recipient, named by its registrable domain.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from piimap.flowmodel import CatalogueVendor
from piimap.model import ConfigError

__all__ = [
    "UNKNOWN_ROLE",
    "UNKNOWN_PREFIX",
    "VendorCatalogue",
    "registrable_domain",
    "bundled_catalogue",
    "load_catalogue",
    "catalogue_vendors",
]

#: The role of a recipient the catalogue does not know.
UNKNOWN_ROLE = "unknown"
#: Vendor ids of unknown recipients: ``unknown:<registrable domain>``.
UNKNOWN_PREFIX = "unknown:"


@cache
def _extractor() -> Any:
    import tldextract

    # suffix_list_urls=() and no cache directory: the snapshot bundled with tldextract, never the network
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=False)


@lru_cache(maxsize=65536)
def registrable_domain(host: str) -> str:
    """``region1.google-analytics.com`` -> ``google-analytics.com``; ``a.b.co.uk`` -> ``b.co.uk``.

    An IP address is returned as it is; a name under no public suffix (``svc.cluster.local``,
    ``shop.example``) gives its last two labels.
    """
    host = host.strip().lower().rstrip(".")
    try:
        ipaddress.ip_address(host.strip("[]"))
        return host
    except ValueError:
        pass
    parts = _extractor()(host)
    if not parts.suffix or not parts.domain:
        # not under a public suffix (example, local, internal names): its last two labels
        return ".".join(host.split(".")[-2:])
    return f"{parts.domain}.{parts.suffix}"


@dataclass(frozen=True)
class VendorCatalogue:
    """Vendors by id and an index of their host entries, for :meth:`match`."""

    vendors: Mapping[str, CatalogueVendor] = field(default_factory=dict)

    def __post_init__(self) -> None:
        index: dict[str, list[tuple[str, CatalogueVendor]]] = {}
        for vendor in self.vendors.values():
            for entry in vendor.hosts:
                host, _, path = entry.partition("/")
                index.setdefault(host, []).append(("/" + path if path else "", vendor))
        for entries in index.values():  # longest path prefix first
            entries.sort(key=lambda item: -len(item[0]))
        object.__setattr__(self, "_index", index)

    def match(self, host: str, path: str = "/") -> CatalogueVendor | None:
        """The vendor for a request to ``host`` and ``path``, or ``None`` when the catalogue does not know it."""
        index: dict[str, list[tuple[str, CatalogueVendor]]] = self._index  # type: ignore[attr-defined]
        host = host.lower().rstrip(".")
        top = registrable_domain(host)
        name = host
        while True:
            for prefix, vendor in index.get(name, ()):
                if not prefix or path == prefix or path.startswith(prefix.rstrip("/") + "/"):
                    return vendor
            if name == top or "." not in name:
                return None
            name = name.split(".", 1)[1]

    def by_click_parameter(self) -> dict[str, CatalogueVendor]:
        """Click / tracking parameter (``gclid``) -> the vendor it belongs to."""
        return {param: vendor for vendor in self.vendors.values() for param in vendor.clicks}


def _vendor_from_model(vendor_id: str, model: Any) -> CatalogueVendor:
    return CatalogueVendor(
        id=vendor_id,
        name=model.name or vendor_id,
        role=model.role,
        hosts=tuple(model.hosts),
        typical=tuple(model.typical),
        params=dict(model.params),
        cookies=dict(model.cookies),
        clicks=tuple(model.clicks),
    )


@cache
def bundled_catalogue() -> VendorCatalogue:
    """The catalogue that ships with piimap."""
    from piimap.schema.base import validate_document
    from piimap.schema.flows import CatalogueFile
    from piimap.yamlfile import load_yaml

    path = resources.files("piimap").joinpath("vendor_catalogue.yaml")
    with resources.as_file(path) as real_path:
        data = load_yaml(real_path)
        document = validate_document(CatalogueFile, data, str(real_path))
    return VendorCatalogue(
        {vendor_id: _vendor_from_model(vendor_id, model) for vendor_id, model in document.vendors.items()}
    )


def catalogue_vendors(models: Mapping[str, Any]) -> dict[str, CatalogueVendor]:
    """Validated ``vendor_catalogue:`` entries (:class:`~piimap.schema.flows.CatalogueVendorModel`) as records."""
    return {vendor_id: _vendor_from_model(vendor_id, model) for vendor_id, model in models.items()}


def load_catalogue(extra: Iterable[CatalogueVendor] = ()) -> VendorCatalogue:
    """The bundled catalogue with ``extra`` vendors added (an id already bundled is replaced)."""
    vendors = dict(bundled_catalogue().vendors)
    for vendor in extra:
        if vendor.id.startswith(UNKNOWN_PREFIX):
            raise ConfigError(
                f"vendor_catalogue: {vendor.id}: ids starting with {UNKNOWN_PREFIX!r} are reserved"
            )
        vendors[vendor.id] = vendor
    return VendorCatalogue(vendors)
