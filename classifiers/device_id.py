"""Device identifiers (``user.device.device_id``): advertising ids, Android ids, IMEIs, MAC addresses.

* MAC addresses in every usual spelling, any case: six pairs joined by ``:``, ``-``, ``.`` or a
  space (``00:1A:2B:3C:4D:5E``, ``00-1a-2b-3c-4d-5e``), three groups of four (Cisco's
  ``001a.2b3c.4d5e``, also with ``-`` or ``:``), two groups of six (``001a2b-3c4d5e``): strength
  0.9 on the value alone, unicast or multicast, universal or locally administered (the randomised
  private Wi-Fi addresses of phones are local, and still identify a device); only the all-zero and
  broadcast addresses are not a device's. Twelve hex digits with no separator are a MAC only in
  a device-id column (by its name, or by the MACs and IMEIs around them).
* IMEI (15 digits, optionally grouped ``35-209900-176148-1``) with a valid Luhn check digit: 0.85
  on the value alone (15-digit card numbers starting 34/37 are excluded), 0.95 in a field named
  for it. MEIDs (14 hex digits) only in a device-id column.
* Advertising ids (IDFA / GAID / AAID: a UUID) and Android ids (16 hex digits) look like any other
  UUID or hash, so the value alone is never enough: they count (0.9) only when the field name says
  device / advertising id (``idfa``, ``gaid``, ``adid``, ``device_id``, ``android_id``...), 0.6 when
  it only hints (``device``) or when a fifth of the column's values are MACs or IMEIs (a ``raw``
  column of mixed device ids). An ``order_id`` full of UUIDs is not a device id. The all-zero IDFA
  (tracking disabled) is not an identifier.

In free text (log lines) MAC addresses are found anywhere; UUIDs and 16-hex ids only right after a
key that names them (``idfa=``, ``"gaid": "...``, ``device_id:``).

Known false positives: a MAC-shaped hardware or product serial (six hex pairs); a UUID column the
user named ``device_id`` that holds something else. Known misses: advertising ids and Android ids
alone in a column without a telling field name (only a name tells them from order ids).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from piimap.classifiers.base import PatternLineTest, SingleCategoryClassifier, TextHit, UnionLineTest
from piimap.classifiers.checksums import luhn_valid
from piimap.classifiers.fieldnames import ID_WORDS, CategoryRule, NameEvidence, phrases
from piimap.classifiers.prefilter import shape_of
from piimap.classifiers.spec import CategorySpec
from piimap.model import Detection, FieldSample
from piimap.scancache import value_cache

__all__ = ["DeviceIdClassifier", "device_id_strength", "device_id_strengths", "find_device_ids"]

CATEGORY = "user.device.device_id"

#: field-name rules of this category (see :mod:`piimap.classifiers.fieldnames`)
NAMES = CategoryRule(
    strong=phrases(
        "idfa",
        "idfv",
        "gaid",
        "adid",
        "aaid",
        "advertising id",
        "ad id",
        "advertisingid",
        "device id",
        "deviceid",
        "android id",
        "androidid",
        "imei",
        "mac",
        "mac address",
        "macaddress",
        "udid",
        "hardware id",
        "device identifier",
        "ifa",
        "maid",
        "mobile ad id",
        "device uuid",
        "bssid",
        "ether",
        "ethaddr",
        "hw addr",
        "hwaddr",
        "hw address",
        "hardware address",
        "mac addr",
        "macaddr",
        "wifi mac",
        "bt addr",
        "bluetooth address",
        "meid",
    ),
    weak=phrases("device", "hardware", "handset"),
    contradicting=frozenset({"type", "model", "name", "os", "brand", "version", "vendor"} | ID_WORDS),
    glued=("deviceid", "idfa", "gaid", "imei", "macaddress", "androidid", "bssid", "macaddr", "hwaddr"),
)
SPEC = CategorySpec(
    key=CATEGORY,
    names=NAMES,
    explain="A device identifier: MAC address, IMEI (Luhn), and advertising ids (IDFA/GAID) or Android ids in fields named for them.",
    mask=None,
)

MAC_STRENGTH = 0.9
IMEI_STRENGTH = 0.85
NAMED_STRENGTH = 0.9
NAMED_IMEI_STRENGTH = 0.95
HINTED_STRENGTH = 0.6

_MAC = re.compile(
    r"^(?:[0-9A-Fa-f]{2}([:. -])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}"
    r"|[0-9A-Fa-f]{4}([.:-])[0-9A-Fa-f]{4}\2[0-9A-Fa-f]{4}"
    r"|[0-9A-Fa-f]{6}[:-][0-9A-Fa-f]{6})$"
)
_BARE_MAC = re.compile(r"^[0-9A-Fa-f]{12}$")
_MEID = re.compile(r"^[0-9A-Fa-f]{14}$")
_UUID = re.compile(r"^[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{12}$")
_ANDROID_ID = re.compile(r"^[0-9A-Fa-f]{16}$")
_IMEI_GROUPED = re.compile(r"^\d{2}[- ]?\d{6}[- ]?\d{6}[- ]?\d$")
_MAC_IN_TEXT = re.compile(
    r"(?<![\w:.-])((?:[0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}|(?:[0-9A-Fa-f]{2}-){5}[0-9A-Fa-f]{2})(?![\w:-])"
)
_KEYED_IN_TEXT = re.compile(
    r"\b(?:idfa|idfv|gaid|aaid|adid|ad_id|advertising_?id|device_?id|android_?id|imei|udid)[\"']?\s*[:=]\s*[\"']?"
    r"([0-9A-Fa-f-]{15,36})\b",
    re.IGNORECASE,
)


def _is_device_mac(value: str) -> bool:
    """Any MAC but the all-zero and the broadcast address (no device has either)."""
    digits = re.sub(r"[^0-9A-Fa-f]", "", value).lower()
    return digits not in ("000000000000", "ffffffffffff")


@value_cache(maxsize=65536)
def device_id_strength(value: str, named: bool, hinted: bool) -> float:
    """How surely ``value`` is a device id; ``named``/``hinted``: what the field name says."""
    value = value.strip()
    shape = shape_of(value)
    if shape.length < 12 or shape.length > 40 or shape.spaces > 5 or shape.ats:
        return 0.0
    if shape.length in (13, 14, 17) and _MAC.match(value):
        return MAC_STRENGTH if _is_device_mac(value) else 0.0
    if shape.digits >= 15 and shape.digits == shape.length - shape.hyphens - shape.spaces:
        if _IMEI_GROUPED.match(value) and luhn_valid(value):
            if named:
                return NAMED_IMEI_STRENGTH
            return 0.0 if value[:2] in ("34", "37") else IMEI_STRENGTH
        return 0.0
    if not (named or hinted):
        return 0.0
    level = NAMED_STRENGTH if named else HINTED_STRENGTH
    if _UUID.match(value):
        return level if value.replace("-", "").strip("0") else 0.0
    if _BARE_MAC.match(value):
        return level if _is_device_mac(value) else 0.0
    if (_ANDROID_ID.match(value) or _MEID.match(value)) and shape.digits < shape.length:
        return level
    return 0.0


_HEX_AND_HYPHEN = b"0123456789abcdefABCDEF-"
#: digits and hyphens become 0, hex letters 1: a run of 36 zeros is an id with no letter in it
_LETTERS_TO_ONE = bytes.maketrans(b"0123456789-abcdefABCDEF", b"0" * 11 + b"1" * 12)


def device_id_strengths(values: list[str], named: bool, hinted: bool) -> list[float]:
    """``[device_id_strength(value, named, hinted) for value in values]``, one call for a column.

    A column of canonical UUIDs (the usual advertising / device id column) is recognised with
    string operations over all values at once: every value 36 characters of hex digits with its
    hyphens at 8, 13, 18 and 23, and none made of digits only (those take the IMEI branch). Such a
    value's strength is the field-name level; any other column is judged value by value.
    """
    if (named or hinted) and _all_canonical_uuids_with_a_letter(values):
        return [NAMED_STRENGTH if named else HINTED_STRENGTH] * len(values)
    judge = device_id_strength.__wrapped__  # distinct values: a cache would only be churned
    return [judge(value, named, hinted) for value in values]


def _all_canonical_uuids_with_a_letter(values: list[str]) -> bool:
    if not values:
        return False
    joined = "".join(values)
    count = len(values)
    if len(joined) != 36 * count or not joined.isascii() or max(map(len, values)) != 36:
        return False
    data = joined.encode("ascii")
    if data.translate(None, _HEX_AND_HYPHEN) or data.count(b"-") != 4 * count:
        return False
    if any(data[offset::36].count(b"-") != count for offset in (8, 13, 18, 23)):
        return False
    # a value of digits only shows as 36 zeros; a run of them across two values only makes this
    # answer no, and the column is then judged value by value
    return b"0" * 36 not in data.translate(_LETTERS_TO_ONE)


#: every line :func:`find_device_ids` can find an id on. A MAC hit is six hex pairs joined by
#: one separator, ":" or "-", so it holds ":hh:hh:hh:" or "-hh-hh-hh-" (a time "12:00:00," or a
#: date "2024-01-05 " does not). A keyed hit is ``_KEYED_IN_TEXT``'s match, which holds its own
#: ``[:=]\s*["']?`` and the first 15 characters of the id after it. (``_KEYED_IN_TEXT`` ignores
#: case, which changes nothing for these characters: only i, s and k have non-ASCII case twins.)
_MAC_HINT = re.compile(r"[:-][0-9A-Fa-f]{2}[:-][0-9A-Fa-f]{2}[:-][0-9A-Fa-f]{2}[:-]")
_KEYED_HINT = re.compile(r"[:=]\s*[\"']?[0-9A-Fa-f-]{15}")
TEXT_LINES = UnionLineTest(
    (
        PatternLineTest(
            re.compile(r":(?:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}:|\s*[\"']?[0-9A-Fa-f-]{15})")
        ),
        PatternLineTest(re.compile(r"-[0-9A-Fa-f]{2}-[0-9A-Fa-f]{2}-[0-9A-Fa-f]{2}-")),
        PatternLineTest(re.compile(r"=\s*[\"']?[0-9A-Fa-f-]{15}")),
    )
)
#: the longest key of ``_KEYED_IN_TEXT`` ("advertising_id") and its optional quote
_LONGEST_KEY = len("advertising_id") + 1


def find_device_ids(line: str) -> Iterable[TextHit]:
    """MAC addresses, and ids right after a device-id key, inside a line of text."""
    hits = []
    # shape_of(line).colons, without caching a shape per line; then the hint every MAC match holds
    # from its first separator, 2 characters after its start (see TEXT_LINES)
    hint = _MAC_HINT.search(line) if line.count(":") >= 5 or "-" in line else None
    if hint is not None:
        for match in _MAC_IN_TEXT.finditer(line, max(0, hint.start() - 2)):
            if _is_device_mac(match.group(1)):
                hits.append(TextHit(match.group(1), MAC_STRENGTH * 0.95))
    hint = _KEYED_HINT.search(line)
    if hint is None:  # every keyed match holds one (see TEXT_LINES)
        return tuple(hits)
    # the first keyed match's separator is this hint's or a later one; a key and its quote take at
    # most _LONGEST_KEY characters before the blanks in front of it, and later separators'
    # blanks start after this one
    before = line[: hint.start()]
    start = len(before.rstrip()) - _LONGEST_KEY
    for match in _KEYED_IN_TEXT.finditer(line, max(0, start)):
        strength = device_id_strength(match.group(1), True, False)
        if strength > 0:
            hits.append(TextHit(match.group(1), strength * 0.95))
    return tuple(hits)


#: share of a column's values that must be MACs or IMEIs for its UUIDs and hex ids to count as device ids
MIXED_SHARE = 0.2
#: values looked at to decide that (the engine's early-stop window)
MIXED_PROBE_VALUES = 64


def _holds_device_ids(values: Sequence[str]) -> bool:
    """True when at least :data:`MIXED_SHARE` of the first values are device ids on their own (MAC, IMEI)."""
    probe = [value for value in values[:MIXED_PROBE_VALUES] if value.strip()]
    if not probe:
        return False
    needed = MIXED_SHARE * len(probe)
    found = 0
    for value in probe:
        found += device_id_strength(value, False, False) > 0
        if found >= needed:
            return True
    return False


class DeviceIdClassifier(SingleCategoryClassifier):
    """Finds advertising ids, Android ids, IMEIs and MAC addresses."""

    id = "device_id"
    categories = (CATEGORY,)
    specs = (SPEC,)
    text_what = "a device id"
    text_prefilter = TEXT_LINES

    def text_finder(self, sample: FieldSample) -> Callable[[str], Iterable[TextHit]]:
        return find_device_ids

    def judge_structured(
        self, sample: FieldSample, evidence: NameEvidence, *, keep_empty: bool
    ) -> Detection | None:
        named, hinted = evidence.strong, evidence.supports and not evidence.strong
        mixed = not (named or hinted or evidence.contradicts) and _holds_device_ids(sample.values)
        hinted = hinted or mixed
        what = "device ids (MAC, IMEI" + (", advertising/Android ids" if named or hinted else "") + ")"
        return self.judge_values(
            sample,
            evidence,
            lambda value: device_id_strength(value, named, hinted),
            what=what + ("; the column holds MACs or IMEIs" if mixed else ""),
            keep_empty=keep_empty,
            judge_many=lambda values: device_id_strengths(values, named, hinted),
        )
