"""Observed flows: which vendors the requests of a system reach, and what personal data they carry.

:func:`scan_flow_sources` reads every configured flow source (HAR exports, egress proxy logs,
the site's own access logs: :mod:`piimap.connectors.flowsources`) as a stream of requests and
reduces them to :class:`~piimap.flowmodel.ObservedFlow` records, one per (system, vendor):

1. The destination host is matched against the vendor catalogue (:mod:`piimap.vendors`); a
   host it does not know is the recipient ``unknown:<registrable domain>``. Requests to the
   company's own domains (``first_party:`` and a HAR's page hosts) are not vendor flows.
2. Every value a request carries (query parameters, body fields, cookies, telling headers, the
   URL path, the referrer's parameters) is tallied per (vendor, where, name), the way a column is:
   distinct values with their counts, drained to the classifiers whenever a field holds
   :data:`MAX_DISTINCT` of them, so memory stays flat whatever the input.
3. The classifiers judge each field as they judge a column (the name is context: GA's ``cid``,
   ``uip``; Meta's hashed ``em``), plus two flow-specific rules: a parameter the catalogue says
   carries a category in the vendor's protocol (``uid`` -> ``user.unique_id``) counts when not
   empty, and a SHA-256 digest of a normalised e-mail address or phone number seen in clear
   elsewhere in the same source is hashed contact data under any name.
4. On the site's own access log (relative URLs), a vendor's click parameter (``gclid``,
   ``fbclid``) or cookie (``_ga``, ``_fbp``) on the site's URLs is attributed to that vendor.

Counts are requests: ``count`` of a category is the number of requests whose field carried it
(the most frequent such field when several do), ``count`` of a flow the largest of its
categories'. First and last seen are the times of the requests in the fields that carried it.
Only masked evidence leaves this module.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl, unquote, urlsplit

from piimap.flowmodel import (
    BODY,
    COOKIE,
    HEADER,
    QUERY,
    URL,
    CatalogueVendor,
    CountedDestination,
    FlowSourceSpec,
    ObservedFlow,
    ObservedRequest,
    RequestField,
)
from piimap.masking import mask
from piimap.model import Detection, FieldRef, FieldSample, PiimapError, SourceError, SourceStatus
from piimap.redact import redact_message
from piimap.settings import ScanSettings
from piimap.vendors import UNKNOWN_PREFIX, UNKNOWN_ROLE, VendorCatalogue, load_catalogue, registrable_domain

__all__ = [
    "MAX_DISTINCT",
    "CLICK_CATEGORY",
    "FlowScan",
    "FlowTally",
    "scan_flow_sources",
    "tally_requests",
]

log = logging.getLogger(__name__)

#: Distinct values a field holds before they are classified and dropped.
MAX_DISTINCT = 512
#: Digests of clear e-mail addresses and phone numbers remembered per source.
MAX_KNOWN_DIGESTS = 200_000
#: Masked examples kept per flow.
MAX_EVIDENCE = 6
#: The category of a vendor's click id (``gclid``, ``fbclid``) on the site's own URLs.
CLICK_CATEGORY = "user.unique_id.pseudonymous"
PARAM_STRENGTH = 0.9
CONFIRMED_DIGEST_STRENGTH = 0.99

_EMAIL_IN_VALUE = re.compile(r"[^@\s&?/=:;,\"'<>]{1,64}@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_PHONE_NAME = re.compile(r"(^|[^a-z])(ph|phone|tel|mobile|msisdn)([^a-z]|$)", re.IGNORECASE)


@dataclass(frozen=True)
class FlowScan:
    """What the flow sources gave: the flows, a status per source, and one error per unreadable file."""

    flows: tuple[ObservedFlow, ...] = ()
    sources: tuple[SourceStatus, ...] = ()
    errors: tuple[SourceError, ...] = ()


@dataclass
class _CategorySeen:
    count: int = 0
    first: str | None = None
    last: str | None = None
    confidence: float = 0.0
    evidence: list[str] = field(default_factory=list)


@dataclass
class _FieldTally:
    """One (vendor, where, name): its values since the last drain, and what the drains found."""

    location: str
    name: str
    requests: int = 0
    first: str | None = None
    last: str | None = None
    values: dict[str, int] = field(default_factory=dict)
    seen: dict[str, _CategorySeen] = field(default_factory=dict)


@dataclass
class _VendorTally:
    vendor_id: str
    name: str
    role: str
    known: bool
    params: dict[str, str]
    cookies: dict[str, str] = field(default_factory=dict)
    clicks: tuple[str, ...] = ()
    requests: int = 0
    hosts: dict[str, None] = field(default_factory=dict)
    fields: dict[tuple[str, str], _FieldTally] = field(default_factory=dict)


def _earlier(a: str | None, b: str | None) -> str | None:
    return b if a is None or (b is not None and b < a) else a


def _later(a: str | None, b: str | None) -> str | None:
    return b if a is None or (b is not None and b > a) else a


class FlowTally:
    """Tallies the requests of one flow source into per-vendor field tallies, then into flows."""

    def __init__(
        self,
        spec: FlowSourceSpec,
        catalogue: VendorCatalogue,
        classifiers: Sequence[object],
        settings: ScanSettings,
    ) -> None:
        self.spec = spec
        self.catalogue = catalogue
        self.classifiers = classifiers
        self.settings = settings
        self.first_party = {registrable_domain(pattern.split("/", 1)[0]) for pattern in spec.first_party}
        self.vendors: dict[str, _VendorTally] = {}
        self.known_digests: dict[str, str] = {}
        self.clicks = catalogue.by_click_parameter()
        self.cookie_owners = _cookie_owners(catalogue)

    # ---------------------------------------------------------------- adding requests

    def add(self, request: ObservedRequest) -> None:
        """Tally one request (its raw values are kept only until the next drain)."""
        for item in request.fields:
            self._remember_clear_contact(item)
        if not request.host:
            self._add_site_request(request)
            return
        domain = registrable_domain(request.host)
        if domain in self.first_party or any(
            registrable_domain(host) == domain for host in request.page_hosts
        ):
            return
        vendor = self._vendor(request.host, request.path, domain)
        vendor.requests += 1
        if len(vendor.hosts) < 20:
            vendor.hosts.setdefault(request.host, None)
        for item in _expanded(request.fields):
            self._add_value(vendor, item.location, item.name, item.value, request.time)

    def add_counted(self, destination: CountedDestination) -> None:
        """Tally the requests to one destination the native reader counted (as :meth:`add` would each)."""
        domain = registrable_domain(destination.host)
        if domain in self.first_party:
            return
        vendor = self._vendor(destination.host, destination.path, domain)
        vendor.requests += destination.requests
        if len(vendor.hosts) < 20:
            vendor.hosts.setdefault(destination.host, None)
        for counted in destination.fields:
            for value, count in counted.counts.items():
                for item in encoded_fields(RequestField(counted.location, counted.name, value)):
                    self._remember_clear_contact(item)
                    self._add_value(
                        vendor, item.location, item.name, item.value, counted.first, count, last=counted.last
                    )

    def _add_site_request(self, request: ObservedRequest) -> None:
        """A request to the site itself: only the vendors' click parameters and cookies count."""
        for item in _expanded(request.fields):
            owner: CatalogueVendor | None = None
            category = CLICK_CATEGORY
            if item.location == QUERY or (item.location == HEADER and item.name.startswith("referer.")):
                owner = self.clicks.get(item.name.removeprefix("referer."))
            elif item.location == COOKIE:
                owner_and_category = self.cookie_owners.get(item.name)
                if owner_and_category is not None:
                    owner, category = owner_and_category
            if owner is None:
                continue
            tally = self._vendor_tally(owner)
            if item.location == COOKIE:
                tally.cookies.setdefault(item.name, category)
            else:
                tally.params.setdefault(item.name, category)
            tally.requests += 1
            self._add_value(tally, item.location, item.name, item.value, request.time)

    def _vendor(self, host: str, path: str, domain: str) -> _VendorTally:
        known = self.catalogue.match(host, path)
        if known is not None:
            return self._vendor_tally(known)
        unknown = CatalogueVendor(UNKNOWN_PREFIX + domain, domain, UNKNOWN_ROLE, (domain,))
        return self._vendor_tally(unknown, known=False)

    def _vendor_tally(self, vendor: CatalogueVendor, *, known: bool = True) -> _VendorTally:
        tally = self.vendors.get(vendor.id)
        if tally is None:
            tally = self.vendors[vendor.id] = _VendorTally(
                vendor.id,
                vendor.name,
                vendor.role,
                known,
                dict(vendor.params),
                dict(vendor.cookies),
                tuple(vendor.clicks),
            )
        return tally

    def _add_value(
        self,
        vendor: _VendorTally,
        location: str,
        name: str,
        value: str,
        time: str | None,
        count: int = 1,
        *,
        last: str | None = None,
    ) -> None:
        """Count ``value`` (``count`` times, seen from ``time`` to ``last``, default ``time``)."""
        value = value.strip()
        if not value:
            return
        key = (location, name)
        tally = vendor.fields.get(key)
        if tally is None:
            tally = vendor.fields[key] = _FieldTally(location, name)
        tally.requests += count
        tally.first = _earlier(tally.first, time)
        tally.last = _later(tally.last, last if last is not None else time)
        tally.values[value] = tally.values.get(value, 0) + count
        if len(tally.values) >= MAX_DISTINCT:
            self._drain(vendor, tally)

    def _remember_clear_contact(self, item: RequestField) -> None:
        from piimap.classifiers.hashed_contact import EMAIL, PHONE, contact_hash

        if len(self.known_digests) >= MAX_KNOWN_DIGESTS:
            return
        if "@" in item.value:
            for found in _EMAIL_IN_VALUE.findall(unquote(item.value)):
                digest = contact_hash(found, EMAIL)
                if digest is not None:
                    self.known_digests[digest] = EMAIL
        elif _PHONE_NAME.search(item.name) and any(char.isdigit() for char in item.value):
            digest = contact_hash(item.value, PHONE)
            if digest is not None:
                self.known_digests[digest] = PHONE

    # ---------------------------------------------------------------- classifying

    def _drain(self, vendor: _VendorTally, tally: _FieldTally) -> None:
        """Classify the values a field holds, keep what was found (masked), drop the values."""
        if not tally.values:
            return
        values, counts = tuple(tally.values), tuple(tally.values.values())
        tally.values = {}
        for detection in self._detections(vendor, tally, values, counts):
            if detection.confidence < self.settings.min_confidence or not detection.matched:
                continue
            seen = tally.seen.setdefault(detection.category, _CategorySeen())
            seen.count += detection.matched
            seen.confidence = max(seen.confidence, detection.confidence)
            where = f"{tally.location} {tally.name}" if tally.name else tally.location
            for example in detection.examples:
                if len(seen.evidence) < MAX_EVIDENCE:
                    seen.evidence.append(f"{where}: {example}")

    def _detections(
        self, vendor: _VendorTally, tally: _FieldTally, values: tuple[str, ...], counts: tuple[int, ...]
    ) -> Iterator[Detection]:
        from piimap.classifiers.hashed_contact import is_sha256_hex, mask_digest

        leaf = tally.name.rsplit(".", 1)[-1].removesuffix("[]")
        declared = vendor.params.get(tally.name) or (
            vendor.params.get(leaf) if tally.location == BODY else None
        )
        if declared is None and tally.location == COOKIE:
            declared = vendor.cookies.get(tally.name)
        if declared is None and tally.name.removeprefix("referer.") in vendor.clicks:
            declared = CLICK_CATEGORY
        found: set[str] = set()
        if declared is not None:
            found.add(declared)
            yield Detection(
                category=declared,
                classifier="vendor_protocol",
                confidence=PARAM_STRENGTH,
                matched=sum(counts),
                sampled=sum(counts),
                examples=tuple(_masked(declared, value) for value in values[: self.settings.max_examples]),
                evidence=f"{vendor.name} protocol: {tally.name} carries {declared}",
            )
        confirmed: dict[str, list[tuple[str, int]]] = {}
        for value, count in zip(values, counts):
            if is_sha256_hex(value):
                category = self.known_digests.get(value.lower())
                if category is not None:
                    confirmed.setdefault(category, []).append((value, count))
        for category, hits in confirmed.items():
            if category in found:
                continue
            found.add(category)
            yield Detection(
                category=category,
                classifier="hashed_contact",
                confidence=CONFIRMED_DIGEST_STRENGTH,
                matched=sum(count for _, count in hits),
                sampled=sum(counts),
                examples=tuple(mask_digest(value) for value, _ in hits[: self.settings.max_examples]),
                evidence="SHA-256 digests of e-mail addresses or phone numbers seen in clear in the same source",
            )
        sample = FieldSample(
            # a URL path is text to search (an address inside it), not a value to judge whole
            field=FieldRef(
                self.spec.name,
                vendor.vendor_id,
                None if tally.location == URL else tally.name or tally.location,
            ),
            values=values,
            counts=counts,
        )
        best: dict[str, Detection] = {}
        for classifier in self.classifiers:
            try:
                detections = tuple(classifier.classify(sample))  # type: ignore[attr-defined]
            except Exception as error:  # one classifier's bug must not lose the flow
                log.warning(
                    "classifier %s failed on a flow field: %s",
                    getattr(classifier, "id", "?"),
                    type(error).__name__,
                )
                continue
            for detection in detections:
                if detection.category in found:
                    continue
                current = best.get(detection.category)
                if current is None or detection.confidence > current.confidence:
                    best[detection.category] = detection
        yield from best.values()

    # ---------------------------------------------------------------- results

    def flows(self) -> tuple[ObservedFlow, ...]:
        """Drain every field and return one flow per vendor that received personal data."""
        flows = []
        for vendor in self.vendors.values():
            categories: dict[str, _CategorySeen] = {}
            for tally in vendor.fields.values():
                self._drain(vendor, tally)
                for category, seen in tally.seen.items():
                    merged = categories.setdefault(category, _CategorySeen())
                    merged.count = max(merged.count, seen.count)
                    merged.first = _earlier(merged.first, tally.first)
                    merged.last = _later(merged.last, tally.last)
                    merged.evidence.extend(seen.evidence)
            if not categories:
                continue  # the vendor received nothing personal: not a flow of personal data
            evidence: list[str] = []
            for category in sorted(categories):
                for item in categories[category].evidence:
                    line = f"{category}: {item}"
                    if line not in evidence and len(evidence) < MAX_EVIDENCE:
                        evidence.append(line)
            flows.append(
                ObservedFlow(
                    system=self.spec.system,
                    source=self.spec.name,
                    vendor=vendor.vendor_id,
                    vendor_name=vendor.name,
                    role=vendor.role,
                    known=vendor.known,
                    hosts=tuple(sorted(vendor.hosts)),
                    categories=tuple(sorted(categories)),
                    count=max(seen.count for seen in categories.values()),
                    requests=vendor.requests,
                    first_seen=min((s.first for s in categories.values() if s.first), default=None),
                    last_seen=max((s.last for s in categories.values() if s.last), default=None),
                    category_counts={category: categories[category].count for category in sorted(categories)},
                    evidence=tuple(evidence),
                )
            )
        return tuple(sorted(flows, key=lambda flow: (flow.system, flow.vendor)))


def _masked(category: str, value: str) -> str:
    from piimap.classifiers.hashed_contact import is_sha256_hex, mask_digest

    return mask_digest(value) if is_sha256_hex(value) else mask(category, value)


def _cookie_owners(catalogue: VendorCatalogue) -> dict[str, tuple[CatalogueVendor, str]]:
    """Cookie names only one vendor sets (``_ga``, ``_fbp``): name -> (vendor, category)."""
    owners: dict[str, list[tuple[CatalogueVendor, str]]] = {}
    for vendor in catalogue.vendors.values():
        for name, category in vendor.cookies.items():
            owners.setdefault(name, []).append((vendor, category))
    return {name: found[0] for name, found in owners.items() if len(found) == 1}


def _expanded(fields: Iterable[RequestField]) -> Iterator[RequestField]:
    """The fields, with a referrer URL split into its path (``referer``) and parameters (``referer.<name>``)."""
    for item in fields:
        if item.location == HEADER and item.name == "referer" and "://" in item.value:
            parts = urlsplit(item.value)
            path = unquote(parts.path)
            if path not in ("", "/"):
                yield RequestField(HEADER, "referer", path)
            for name, value in parse_qsl(parts.query):
                if name:
                    yield RequestField(HEADER, f"referer.{name}", value)
        elif item.location == URL and "@" not in item.value:
            continue  # a path without an e-mail address: nothing the classifiers look for in it
        else:
            yield from encoded_fields(item)


_BASE64 = re.compile(r"^[A-Za-z0-9+/_-]{16,}={0,2}$")
#: Longest value searched for JSON or base64-encoded JSON inside it.
MAX_NESTED_VALUE = 1 << 16


def encoded_fields(item: RequestField) -> Iterator[RequestField]:
    """``item``, or the members of the JSON it holds: as text (a form field ``user_data={"email": ...}``)
    or base64-encoded (Mixpanel's ``data=``, Snowplow's ``cx``), as ``name.member`` fields."""
    from piimap.connectors.flowsources import flatten_json

    value = item.value.strip()
    document = None
    if 2 <= len(value) <= MAX_NESTED_VALUE:
        if value[0] in "{[":
            document = _json_or_none(value)
        elif _BASE64.match(value):
            document = _json_or_none(_base64_text(value))
    if not isinstance(document, (dict, list)):
        yield item
        return
    for path, text in flatten_json(document):
        name = f"{item.name}.{path}" if item.name and not path.startswith("[") else f"{item.name}{path}"
        yield RequestField(item.location, name, text)


def _json_or_none(text: str | None) -> object:
    if not text or text[0] not in "{[":
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _base64_text(value: str) -> str | None:
    padded = value + "=" * (-len(value) % 4)
    try:
        decoded = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
        return decoded.decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None


def tally_requests(
    spec: FlowSourceSpec,
    requests: Iterable[ObservedRequest],
    settings: ScanSettings,
    catalogue: VendorCatalogue | None = None,
) -> tuple[ObservedFlow, ...]:
    """The flows of ``requests`` (one source's), with the installed classifiers."""
    from piimap.engine import build_classifiers

    tally = FlowTally(
        spec,
        catalogue or load_catalogue(),
        build_classifiers(_flow_settings(settings)),
        _flow_settings(settings),
    )
    for request in requests:
        tally.add(request)
    return tally.flows()


def _flow_settings(settings: ScanSettings) -> ScanSettings:
    """Every value of a flow is judged (counts are requests, so they must be exact)."""
    return replace(settings, sample_size=0)


def scan_flow_sources(
    specs: Sequence[FlowSourceSpec], settings: ScanSettings, catalogue: VendorCatalogue | None = None
) -> FlowScan:
    """Read every flow source; a file that cannot be read is one error, the others are still read."""
    from piimap.connectors.flowsources import FlowReadStats, flow_files, iter_requests
    from piimap.engine import build_classifiers

    catalogue = catalogue or load_catalogue()
    # the native reader matches path prefixes on a URL's first segment: only when none is longer
    native = all(entry.count("/") <= 1 for vendor in catalogue.vendors.values() for entry in vendor.hosts)
    flow_settings = _flow_settings(settings)
    classifiers = build_classifiers(flow_settings)
    flows: list[ObservedFlow] = []
    statuses: list[SourceStatus] = []
    errors: list[SourceError] = []
    for spec in specs:
        tally = FlowTally(spec, catalogue, classifiers, flow_settings)
        try:
            files = flow_files(spec.url)
        except PiimapError as error:
            message = redact_message(str(error), spec.url)
            errors.append(SourceError(spec.name, message))
            statuses.append(
                SourceStatus(spec.name, spec.display_url, "error", message, kind="flows", system=spec.system)
            )
            continue
        failed = 0
        for path in files:
            stats = FlowReadStats()
            try:
                for record in iter_requests(
                    spec, path, max_value_length=settings.max_value_length, stats=stats, native=native
                ):
                    if isinstance(record, CountedDestination):
                        tally.add_counted(record)
                    else:
                        tally.add(record)
            except PiimapError as error:
                failed += 1
                errors.append(SourceError(spec.name, redact_message(str(error), spec.url)))
        flows.extend(tally.flows())
        status = "error" if failed and failed == len(files) else "ok"
        statuses.append(
            SourceStatus(
                spec.name,
                spec.display_url,
                status,
                errors[-1].message if status == "error" else None,
                containers=len(files),
                kind="flows",
                system=spec.system,
            )
        )
    return FlowScan(tuple(flows), tuple(statuses), tuple(errors))
