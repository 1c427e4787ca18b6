"""IP addresses (``user.device.ip_address``): IPv4 and IPv6, validated by :mod:`ipaddress`.

A value is a candidate when its shape allows it (three dots, or two or more colons); it must then
parse with ``ipaddress.ip_address`` (an optional ``:port`` or ``[v6]:port`` and a ``/prefix`` are
removed first; ``X-Forwarded-For`` style lists count when every item is an address). Strength:

* public IPv4 and any global or unique-local IPv6: 0.95;
* private IPv4 (``10/8``, ``172.16/12``, ``192.168/16``), link-local, CGNAT: 0.8;
* version-shaped IPv4 (first part below 10, the others below 100, like ``1.2.3.4``): 0.4;
* loopback, unspecified, multicast and reserved addresses are not a person's device: 0.

Never IPs: version strings (``10.0.19041.1`` has a part above 255, ``9.7.4.2-rc1`` has a suffix),
OIDs (``1.3.6.1.4.1`` has six parts), MAC addresses, times (``10:30:00``). In free text (log lines)
addresses are searched with boundaries and their context, so versions, package identities and
OIDs do not match: a dotted quad inside a longer dotted run (``1.3.6.1.4.1``, SNMP's
``iso.3.6.1.2.1``), next to a ``~`` (Windows CBS identities such as
``Package_for_KB2506143~31bf3856ad364e35~amd64~~6.1.1.0``), glued to a word (``v1.2.3.4``,
``Chrome/96.0.4664.110``) or after a word that names a version, build or object id (``version``,
``ver``, ``v``, ``rev``, ``revision``, ``release``, ``build``, ``firmware``, ``KB``, ``OID``, each
optionally followed by ``:`` or ``=``).

Fast path (same answers, about 10x cheaper per distinct value): a plain dotted quad (no port,
no prefix, no list) is split into octets, read through a table of the 256 octet texts
``ipaddress`` accepts, and classified by integer tests for the ranges that mean the same in every
supported Python (loopback, multicast, reserved, the private blocks, link-local, CGNAT). The small
IANA special-purpose blocks, whose ``is_private`` answer changed between Python releases
(``192.0.0/24``) or may (``0/8``, ``192.0.2/24``, ``198.18/15``, ``198.51.100/24``,
``203.0.113/24`` and a few more), and everything that is not a plain dotted quad go through
:mod:`ipaddress`.

A column whose dotted quads nearly all (90%) have every part below 100 is read as a column of
four-part versions (:func:`version_column`) unless its name says IP: its small-numbered quads count 0, so an
``app_version`` column under an uninformative name is not reported (issue #19).

Known false positives: a few four-part version numbers that are valid IPv4 addresses among other
values in a field not named for versions (they are down-weighted, not excluded). Known misses: a
column of addresses nearly all of whose parts are below 100 (a small lab network ``10.0.1.23``). Known misses: IPv4 written in hex or as one
integer, IPv6 zone ids inside text.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Sequence
from typing import cast

from piimap.classifiers.base import PatternLineTest, SingleCategoryClassifier, TextHit, UnionLineTest
from piimap.classifiers.fieldnames import CategoryRule, NameEvidence, phrases
from piimap.classifiers.prefilter import shape_of
from piimap.classifiers.spec import CategorySpec
from piimap.masking import mask_ip
from piimap.model import Detection, FieldSample
from piimap.scancache import value_cache

__all__ = ["IpAddressClassifier", "find_ips", "ip_strength", "ip_strengths"]

CATEGORY = "user.device.ip_address"

#: field-name rules of this category (see :mod:`piimap.classifiers.fieldnames`)
NAMES = CategoryRule(
    strong=phrases(
        "ip",
        "ipaddress",
        "ip address",
        "ip addr",
        "ipv4",
        "ipv6",
        "remote addr",
        "remote address",
        "client ip",
        "x forwarded for",
        "forwarded for",
        "src ip",
        "dst ip",
        "source ip",
        "peer ip",
        "clientip",
        "remoteip",
        "ipaddr",
    ),
    weak=phrases("addr", "host", "remote", "peer", "client address"),
    contradicting=frozenset({"version", "ver", "oid", "build", "release", "semver", "firmware", "os", "app"}),
    glued=("ipaddress", "ipaddr"),
)
SPEC = CategorySpec(
    key=CATEGORY,
    names=NAMES,
    explain="An IPv4 or IPv6 address (ipaddress) of a person's device: not loopback, multicast or reserved, not a version string or an OID.",
    mask=mask_ip,
)

PUBLIC_STRENGTH = 0.95
PRIVATE_STRENGTH = 0.8
VERSION_LIKE_STRENGTH = 0.4

_V4_WITH_PORT = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){3})(?::\d{1,5})?(?:/\d{1,2})?$")
_V6_BRACKETED = re.compile(r"^\[([0-9A-Fa-f:.]+)(?:%\w+)?\](?::\d{1,5})?$")
_V6_PREFIX = re.compile(r"^([0-9A-Fa-f:.]+)(?:%\w+)?(?:/\d{1,3})?$")
_V4_IN_TEXT = re.compile(r"(?<![\w.~-])(\d{1,3}(?:\.\d{1,3}){3})(?![\w~-]|\.\d)")
_V6_IN_TEXT = re.compile(
    r"(?<![\w:.])((?:[0-9A-Fa-f]{1,4}:){1,7}:?(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?|::(?:[0-9A-Fa-f]{1,4}:){0,6}[0-9A-Fa-f]{1,4})(?![\w:])"
)
_VERSION_BEFORE = re.compile(
    r"(?:\bversion|\bver|\bv|\brevision|\brev|\brelease|\bbuild|\bfirmware|\bkb|\boid|[A-Za-z0-9]/)"
    r"\s*[:=]?\s*$",
    re.IGNORECASE,
)
#: the longest key of ``_VERSION_BEFORE`` ("firmware", "revision")
_LONGEST_VERSION_KEY = 8


def _address_strength(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> float:
    if address.is_loopback or address.is_unspecified or address.is_multicast:
        return 0.0
    if address.version == 4:
        parts = address.packed
        if parts[0] < 10 and max(parts[1:]) < 100:
            return VERSION_LIKE_STRENGTH
        if address.is_reserved:
            return 0.0
        if address.is_private or address.is_link_local or address in _CGNAT:
            return PRIVATE_STRENGTH
        return PUBLIC_STRENGTH
    if address.ipv4_mapped is not None:
        return _address_strength(address.ipv4_mapped)
    if address.is_link_local:
        return PRIVATE_STRENGTH
    return PUBLIC_STRENGTH


_CGNAT = ipaddress.ip_network("100.64.0.0/10")


@value_cache(maxsize=65536)
def ip_strength(value: str) -> float:
    """How surely ``value`` is one IP address (or a comma-separated list of them); 0 = not one."""
    value = value.strip()
    strength = _dotted_quad_strength(value)
    if strength is None:
        strength = _parsed_strength(value, item_strength=ip_strength)
    return strength


def _ip_strength_slow(value: str) -> float:
    """:func:`ip_strength` without the fast path and without caching: the reference it must agree with."""
    return _parsed_strength(value.strip(), item_strength=_ip_strength_slow)


def _parsed_strength(value: str, item_strength: Callable[[str], float]) -> float:
    """The strength of a trimmed value by shape, regexes and :mod:`ipaddress` (list items via ``item_strength``)."""
    shape = shape_of(value)
    if shape.dots < 3 and shape.colons < 2:
        return 0.0
    if "," in value:
        strengths = [item_strength(part) for part in value.split(",") if part.strip()]
        return min(strengths) if strengths and len(strengths) <= 16 else 0.0
    if shape.spaces or shape.length > 60:
        return 0.0
    match = _V4_WITH_PORT.match(value)
    if match is None and shape.colons >= 2:
        match = _V6_BRACKETED.match(value) or _V6_PREFIX.match(value)
    if match is None:
        return 0.0
    try:
        address = ipaddress.ip_address(match.group(1))
    except ValueError:
        return 0.0
    return _address_strength(address)


#: the octets ``ipaddress.IPv4Address`` accepts (ASCII decimal 0-255, no leading zero), by their text
_OCTET_VALUES = {str(number): number for number in range(256)}
#: small IANA special-purpose blocks (/24s, and 198.18/15 below) left to :mod:`ipaddress`: their
#: ``is_private`` answer changed between Python releases (``192.0.0/24``) or may change
_IPADDRESS_DECIDES_24 = frozenset(
    {
        (192, 0, 0),
        (192, 0, 2),
        (192, 31, 196),
        (192, 52, 193),
        (192, 88, 99),
        (192, 175, 48),
        (198, 51, 100),
        (203, 0, 113),
    }
)
#: the only first octets of those blocks, besides 0 ("this network", ``0/8``)
_IPADDRESS_DECIDES_FIRST = frozenset({0, 192, 198, 203})


def _dotted_quad_strength(value: str) -> float | None:
    """:func:`_address_strength` of a plain dotted-quad IPv4 ``value``; None when not one or unsure."""
    parts = value.split(".") if len(value) <= 15 else ()  # "255.255.255.255" is the longest
    if len(parts) != 4:
        return None
    octet = _OCTET_VALUES.get
    first, second, third, fourth = octet(parts[0]), octet(parts[1]), octet(parts[2]), octet(parts[3])
    if first is None or second is None or third is None or fourth is None:
        return None
    if first in _IPADDRESS_DECIDES_FIRST and (
        first == 0 or (first == 198 and 18 <= second <= 19) or (first, second, third) in _IPADDRESS_DECIDES_24
    ):
        return None
    if first == 127 or first >= 224:  # loopback 127/8, multicast 224/4, reserved 240/4
        return 0.0
    if first < 10 and second < 100 and third < 100 and fourth < 100:
        return VERSION_LIKE_STRENGTH
    if (
        first == 10
        or (first == 172 and 16 <= second <= 31)
        or (first == 192 and second == 168)
        or (first == 169 and second == 254)  # link-local
        or (first == 100 and 64 <= second <= 127)  # CGNAT
    ):
        return PRIVATE_STRENGTH
    return PUBLIC_STRENGTH


def ip_strengths(values: list[str]) -> list[float]:
    """``[ip_strength(value) for value in values]`` for a column of distinct values, without the cache.

    A full read judges each distinct value once, so the per-value cache would only be churned:
    plain dotted quads go straight to the fast path, anything else through :func:`ip_strength`.
    """
    quick = list(map(_dotted_quad_strength, values))
    if None not in quick:
        return cast(list[float], quick)
    return [ip_strength(value) if strength is None else strength for value, strength in zip(values, quick)]


def _address_text(value: str) -> str:
    """The first address of a value, without port or brackets (what the mask is applied to)."""
    first = value.split(",", 1)[0].strip()
    match = _V4_WITH_PORT.match(first) or _V6_BRACKETED.match(first) or _V6_PREFIX.match(first)
    return match.group(1) if match else first


#: every line :func:`find_ips` can find an address on. A v4 hit is ``_V4_IN_TEXT``'s group,
#: four dotted groups of digits, so it holds ".d.d.d". A v6 hit is a ``_V6_IN_TEXT`` group (H: 1-4
#: hex digits) with "::" or seven colons. Its "::" is either ``(?:H:){1,7}`` and the optional ":",
#: so a hex digit comes before it, or the start of ``::(?:H:){0,6}H``, so one comes after it.
#: Without "::", H groups alternate with single colons, so seven colons hold ":H:H:H:". Times
#: ("12:00:00") and "Class::method" hold none of these.
_V4_HINT = re.compile(r"\.\d{1,3}\.\d{1,3}\.\d")
_V6_HINT = re.compile(
    r":(?::(?:(?<=[0-9A-Fa-f]::)|(?=[0-9A-Fa-f]))|[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:)"
)
TEXT_LINES = UnionLineTest((PatternLineTest(_V4_HINT), PatternLineTest(_V6_HINT)))
#: the last character of each key of ``_VERSION_BEFORE`` (ignoring case: none of them has a
#: non-ASCII case twin, which only i, s and k have)
_VERSION_KEY_ENDS = frozenset("nNrRvVeEdDbB/")


def _follows_version_word(line: str, end: int) -> bool:
    """``_VERSION_BEFORE.search(line, 0, end)``, searching only where a match can start.

    A match ends at ``end``: a key of at most :data:`_LONGEST_VERSION_KEY` characters, ``\\s*``, an
    optional [:=], ``\\s*``. Stripping the blanks (``\\s`` is ``str.isspace``) and the separator from
    the end finds where the key must end, so no match starts further than that before it. (A newline in the
    line would let ``$`` match before it too: such a line gets the plain search.)
    """
    if "\n" in line:
        return _VERSION_BEFORE.search(line, 0, end) is not None
    head = line[:end].rstrip()
    if head.endswith((":", "=")):  # a key never ends with one, so the separator is this one
        head = head[:-1].rstrip()
    if not head or head[-1] not in _VERSION_KEY_ENDS:
        return False
    return _VERSION_BEFORE.search(line, max(0, len(head) - _LONGEST_VERSION_KEY), end) is not None


def find_ips(line: str) -> Iterable[TextHit]:
    """IP addresses inside a line of text, not parts of version strings or OIDs."""
    hits = []
    # the dot and colon counts of shape_of(line), without caching a shape per log line
    hint = _V4_HINT.search(line) if line.count(".") >= 3 else None
    if hint is not None:
        # every v4 match holds the hint from its first dot, at most 3 characters after its start
        for match in _V4_IN_TEXT.finditer(line, max(0, hint.start() - 3)):
            if _follows_version_word(line, match.start()):
                continue
            strength = ip_strength(match.group(1))
            if strength > 0:
                hits.append(TextHit(match.group(1), strength * 0.95))
    # a hit holds this hint (see TEXT_LINES): a line's "12:00:00" needs no look
    if line.count(":") >= 2 and _V6_HINT.search(line):
        for match in _V6_IN_TEXT.finditer(line):
            candidate = match.group(1)
            if candidate.count(":") < 2 or ("::" not in candidate and candidate.count(":") != 7):
                continue
            try:
                address = ipaddress.IPv6Address(candidate)
            except ValueError:
                continue
            strength = _address_strength(address)
            if strength > 0:
                hits.append(TextHit(candidate, strength * 0.95))
    return tuple(hits)


class IpAddressClassifier(SingleCategoryClassifier):
    """Finds IPv4 and IPv6 addresses in fields and inside log lines."""

    id = "ip_address"
    categories = (CATEGORY,)
    specs = (SPEC,)
    text_what = "an IP address"
    text_prefilter = TEXT_LINES

    def text_finder(self, sample: FieldSample) -> Callable[[str], Iterable[TextHit]]:
        return find_ips

    def judge_structured(
        self, sample: FieldSample, evidence: NameEvidence, *, keep_empty: bool
    ) -> Detection | None:
        if not evidence.strong and version_column(sample.values):
            return self.judge_values(
                sample,
                evidence,
                _strength_beside_versions,
                what="IP addresses (the column reads as four-part versions: small-numbered ones not counted)",
                keep_empty=keep_empty,
                example_of=_address_text,
            )
        return self.judge_values(
            sample,
            evidence,
            ip_strength,
            what="IP addresses",
            keep_empty=keep_empty,
            example_of=_address_text,
            judge_many=ip_strengths,
        )


#: values looked at to decide that a column holds four-part version numbers
VERSION_PROBE_VALUES = 256
#: ... and the share of its dotted quads that must have every part below 100
VERSION_SHARE = 0.9


def _small_quad(value: str) -> bool:
    """A dotted quad whose four parts are all below 100 (``1.2.3.45``, ``10.0.19.7``)."""
    parts = value.strip().split(".")
    return len(parts) == 4 and all(part.isdigit() and len(part) <= 2 for part in parts)


def version_column(values: Sequence[str]) -> bool:
    """Whether a column's values read as four-part version numbers rather than addresses.

    Among real addresses, about one in forty has all four parts below 100 ((100/256)^4); in a
    column of app or build versions (``1.2.3.45``, ``12.0.7.3``) nearly all do. A column counts
    as versions when at least 8 of its first values are dotted quads and :data:`VERSION_SHARE` of
    them have every part below 100; the classifier asks only when the field's name does not say IP
    (issue #19: version columns under uninformative names).
    """
    probe = [value for value in values[:VERSION_PROBE_VALUES] if value.strip()]
    quads = [value for value in probe if value.count(".") == 3]
    if len(quads) < 8 or len(quads) < 0.8 * len(probe):
        return False
    return sum(map(_small_quad, quads)) >= VERSION_SHARE * len(quads)


def _strength_beside_versions(value: str) -> float:
    """:func:`ip_strength`, 0 for the small-numbered quads of a version column."""
    return 0.0 if _small_quad(value) else ip_strength(value)
