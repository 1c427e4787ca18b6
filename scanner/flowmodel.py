"""The records of observed data flows: requests read from HAR files and logs, and what they carried.

A flow reader (:mod:`piimap.connectors.flowsources`) turns a HAR export or an egress / access log
into :class:`ObservedRequest` records, one per request, holding the request's parameters, body
fields, cookies and telling headers as raw :class:`RequestField` values. Like a
:class:`~piimap.model.FieldSample` they are the only records holding raw values, and they live
only until :mod:`piimap.flows` has tallied them. What leaves that module is
:class:`ObservedFlow`: one system -> vendor pair with the categories seen, counts, first and last
time, and masked evidence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "QUERY",
    "BODY",
    "COOKIE",
    "HEADER",
    "URL",
    "LOCATIONS",
    "RequestField",
    "ObservedRequest",
    "CountedField",
    "CountedDestination",
    "FlowSourceSpec",
    "CatalogueVendor",
    "ObservedFlow",
]

#: Where in a request a value travels.
QUERY, BODY, COOKIE, HEADER, URL = "query", "body", "cookie", "header", "url"
LOCATIONS = (QUERY, BODY, COOKIE, HEADER, URL)


@dataclass(frozen=True)
class RequestField:
    """One value a request carries: ``location`` (query, body, cookie, header, url), its name, the value."""

    location: str
    name: str
    value: str


@dataclass(frozen=True)
class ObservedRequest:
    """One request to a host, as a HAR entry or a log line shows it. Holds raw values: short-lived.

    ``host`` is lower case without port; ``path`` has no query string; ``time`` is ISO-8601 (UTC
    when the source says so) or ``None``; ``page_hosts`` are the hosts of the pages that made the
    request (HAR), which are first party. ``host`` is ``""`` for a request to the site itself (a
    relative URL in the site's own access log).
    """

    host: str
    path: str
    fields: tuple[RequestField, ...] = ()
    time: str | None = None
    method: str = "GET"
    page_hosts: tuple[str, ...] = ()


@dataclass(frozen=True)
class CountedField:
    """The values one field carried to a destination, counted (``{value: occurrences}``), with the
    first and last time (ISO-8601) they were seen. Holds raw values: short-lived."""

    location: str
    name: str
    counts: Mapping[str, int]
    first: str | None = None
    last: str | None = None


@dataclass(frozen=True)
class CountedDestination:
    """Requests to one destination counted by the native reader instead of one record each.

    ``host`` and ``path`` (``/`` + the first path segment, what catalogue path prefixes are matched
    on) name the destination; ``requests`` were made to it between ``first`` and ``last``;
    ``fields`` are what they carried (:class:`CountedField`).
    """

    host: str
    path: str
    requests: int
    first: str | None = None
    last: str | None = None
    fields: tuple[CountedField, ...] = ()


@dataclass(frozen=True)
class FlowSourceSpec:
    """A configured flow source (plain data): where to read, which system it speaks for, how."""

    name: str
    url: str
    system: str
    format: str = "auto"
    first_party: tuple[str, ...] = ()
    url_field: str | None = None
    host_field: str | None = None
    time_field: str | None = None

    @property
    def display_url(self) -> str:
        from piimap.redact import redact_url

        return redact_url(self.url)


@dataclass(frozen=True)
class CatalogueVendor:
    """A vendor of the catalogue (bundled or from the config). ``params`` maps a parameter, body
    field name to the category it carries in the vendor's protocol, ``cookies`` the vendor's
    cookies (``_ga``, ``_fbp``) to theirs, ``clicks`` its click parameters (``gclid``)."""

    id: str
    name: str
    role: str
    hosts: tuple[str, ...]
    typical: tuple[str, ...] = ()
    params: Mapping[str, str] = field(default_factory=dict)
    cookies: Mapping[str, str] = field(default_factory=dict)
    clicks: tuple[str, ...] = ()


@dataclass(frozen=True)
class ObservedFlow:
    """Personal data seen going from a system to a vendor.

    ``vendor`` is the catalogue id, or ``unknown:<registrable domain>`` for a host the catalogue
    does not know (``known`` is then false and ``role`` is ``unknown``). ``categories`` are the
    categories seen; ``count`` the requests that carried any of them, ``category_counts`` per
    category; ``requests`` every request to the vendor (personal or not). ``evidence`` holds
    masked examples only (``query ud[em]: 3f2a...e9 (SHA-256 of an e-mail address)``).
    """

    system: str
    source: str
    vendor: str
    vendor_name: str
    role: str
    known: bool
    hosts: tuple[str, ...]
    categories: tuple[str, ...]
    count: int
    requests: int
    first_seen: str | None
    last_seen: str | None
    category_counts: Mapping[str, int] = field(default_factory=dict)
    evidence: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "source": self.source,
            "vendor": self.vendor,
            "vendor_name": self.vendor_name,
            "role": self.role,
            "known": self.known,
            "hosts": list(self.hosts),
            "categories": list(self.categories),
            "count": self.count,
            "requests": self.requests,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "category_counts": dict(self.category_counts),
            "evidence": list(self.evidence),
        }
