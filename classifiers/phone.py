"""Phone numbers (``user.contact.phone_number``), validated with Google's ``phonenumbers``.

Candidates are values made only of digits and phone punctuation (``+ - ( ) .`` and spaces, plus an
optional ``x123`` / ``ext. 123`` extension) holding 7 to 15 digits. Each candidate must be a *valid*
number (``phonenumbers.is_valid_number``: right length and prefixes for its region), not merely a
possible one:

* international format (``+CC ...`` or ``00CC ...``): valid for any region, strength 0.95;
* national format with separators (``(415) 555-0134``, ``020 7946 0958``): valid for the default
  region (``settings.default_region``, or the ``phone.default_region`` option), strength 0.85;
* bare digit strings (``14155550134`` in a BIGINT column): strength 0.85 when the field name says
  phone; otherwise 0.55 when valid with a leading ``+`` and 0.4 as a national number, so a column of
  numbers is reported as phones on its values alone only when nearly all of them validate.

Never phones: dates (``2023-01-15``, ``15.01.2023``), unix timestamps (10 or 13 digits in the
2001-2030 range) unless the field name says phone, prices and decimals, IPs and version strings
(three or more dots), years and short codes (under 7 digits). In free text (log lines) only numbers
written with ``+``/``00`` or with national separators are considered, via ``PhoneNumberMatcher``.

Known false positives: other identifiers that happen to be valid numbers and are written like
phones (``+1-800`` style order references), and bare digit ids in a column named like a phone.
Known misses: national formats of regions other than the default, vanity numbers (``1-800-FLOWERS``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from piimap.classifiers.base import SingleCategoryClassifier, TextHit
from piimap.classifiers.fieldnames import NameEvidence
from piimap.classifiers.prefilter import shape_of
from piimap.model import Detection, FieldSample
from piimap.settings import ScanSettings

__all__ = ["PhoneClassifier", "phone_strength", "find_phones"]

CATEGORY = "user.contact.phone_number"
INTERNATIONAL_STRENGTH = 0.95
NATIONAL_STRENGTH = 0.85
NAMED_DIGITS_STRENGTH = 0.85
BARE_INTERNATIONAL_STRENGTH = 0.55
BARE_NATIONAL_STRENGTH = 0.4
TEXT_INTERNATIONAL_STRENGTH = 0.85
TEXT_NATIONAL_STRENGTH = 0.7

_EXTENSION = re.compile(r"\s*(?:x|ext\.?|extension|#)\s*\d{1,6}$", re.IGNORECASE)
_PREFIX = re.compile(r"^(?:tel:|phone:|tel\.?\s)", re.IGNORECASE)
_DATE = re.compile(r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})$")
_DECIMAL = re.compile(r"^[-+]?\d+\.\d{1,2}$")
_TEXT_CANDIDATE = re.compile(r"(?<![\w.:/-])(?:\+|00)?\(?\d[\d \-().\u00a0]{5,18}\d(?![\w.:/-]|-\d)")

_EPOCH_SECONDS = (978_307_200, 1_900_000_000)  # 2001 .. 2030


def _is_timestamp(digits: str) -> bool:
    if len(digits) == 10:
        return _EPOCH_SECONDS[0] <= int(digits) <= _EPOCH_SECONDS[1]
    if len(digits) == 13:
        return _EPOCH_SECONDS[0] * 1000 <= int(digits) <= _EPOCH_SECONDS[1] * 1000
    return False


@lru_cache(maxsize=4096)
def _valid(number_text: str, region: str | None) -> bool:
    import phonenumbers

    try:
        number = phonenumbers.parse(number_text, region)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number)


@lru_cache(maxsize=65536)
def phone_strength(value: str, region: str, named: bool) -> float:
    """How surely ``value`` is a phone number (0 = not one); ``named``: the field name says phone."""
    text = _PREFIX.sub("", value.strip())
    core = _EXTENSION.sub("", text)
    shape = shape_of(core)
    if not shape.phone_chars_only or not 7 <= shape.digits <= 15 or shape.dots >= 3:
        return 0.0
    if _DATE.match(core) or _DECIMAL.match(core) or core.count("+") > 1:
        return 0.0
    if core.startswith("+") or core.startswith("00"):
        international = "+" + core[2:] if core.startswith("00") else core
        return INTERNATIONAL_STRENGTH if _valid(international + text[len(core):], None) else 0.0
    if core.isdigit():
        if named:
            if _valid(core, region) or _valid("+" + core, None):
                return NAMED_DIGITS_STRENGTH
            return 0.0
        if _is_timestamp(core) or core.startswith("0"):
            return 0.0
        if len(core) >= 11 and _valid("+" + core, None):
            return BARE_INTERNATIONAL_STRENGTH
        return BARE_NATIONAL_STRENGTH if _valid(core, region) else 0.0
    if core.startswith("-") or core.endswith("-"):
        return 0.0
    return NATIONAL_STRENGTH if _valid(text, region) else 0.0


def find_phones(line: str, region: str) -> Iterable[TextHit]:
    """Phone numbers written as phones (``+``/``00`` or separators) inside a line of text."""
    if shape_of(line).digits < 7:
        return ()
    hits = []
    for match in _TEXT_CANDIDATE.finditer(line):
        candidate = match.group(0).strip(" -.")
        if candidate.startswith("(") and ")" not in candidate:
            candidate = candidate[1:]
        digits = sum(char.isdigit() for char in candidate)
        if not 7 <= digits <= 15 or candidate.isdigit() or candidate.count(".") >= 3:
            continue
        if _DATE.match(candidate) or ":" in candidate:
            continue
        strength = phone_strength(candidate, region, False)
        if strength >= INTERNATIONAL_STRENGTH:
            hits.append(TextHit(candidate, TEXT_INTERNATIONAL_STRENGTH))
        elif strength >= NATIONAL_STRENGTH:
            hits.append(TextHit(candidate, TEXT_NATIONAL_STRENGTH))
    return tuple(hits)


def _embedded_strength(value: str, region: str) -> float:
    """A phone written inside a longer text value (a notes column): found, but weaker."""
    shape = shape_of(value)
    if shape.digits < 7 or not shape.spaces or shape.alpha == 0:
        return 0.0
    hits = find_phones(value, region)
    return max((hit.strength for hit in hits), default=0.0) * 0.8


class PhoneClassifier(SingleCategoryClassifier):
    """Finds valid phone numbers: international for every region, national for the default region."""

    id = "phone"
    categories = (CATEGORY,)
    text_what = "a phone number"

    def __init__(self, settings: ScanSettings) -> None:
        super().__init__(settings)
        region = settings.options_for("phone").get("default_region") or settings.default_region or "US"
        self.region = str(region).upper()

    def text_finder(self, sample: FieldSample) -> Callable[[str], tuple[TextHit, ...]]:
        region = self.region
        return lambda line: find_phones(line, region)

    def judge_structured(self, sample: FieldSample, evidence: NameEvidence, *, keep_empty: bool) -> Detection | None:
        region, named = self.region, evidence.strong
        return self.judge_values(
            sample,
            evidence,
            lambda value: phone_strength(value, region, named) or _embedded_strength(value, region),
            what=f"valid phone numbers (default region {region})",
            keep_empty=keep_empty,
            example_of=lambda value: next(iter(find_phones(value, region)), None).text
            if phone_strength(value, region, named) == 0 else value,
        )
