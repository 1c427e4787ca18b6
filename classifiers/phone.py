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

from pydantic import Field

from piimap.classifiers.base import SingleCategoryClassifier, TextBlock, TextHit, lines_at
from piimap.classifiers.fieldnames import NameEvidence
from piimap.classifiers.prefilter import shape_of
from piimap.model import Detection, FieldSample
from piimap.schema.base import ConfigModel, RegionCode
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
        return INTERNATIONAL_STRENGTH if _valid(international + text[len(core) :], None) else 0.0
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


#: deletes the ASCII digits (``shape_of``'s digit count) / everything a text candidate holds but digits
_DELETE_DIGITS = str.maketrans("", "", "0123456789")
_DELETE_CANDIDATE_MARKS = str.maketrans("", "", "+ -().\u00a0")


def find_phones(line: str, region: str) -> Iterable[TextHit]:
    """Phone numbers written as phones (``+``/``00`` or separators) inside a line of text."""
    if len(line) - len(line.translate(_DELETE_DIGITS)) < 7:  # shape_of(line).digits, uncached
        return ()
    hits = []
    for match in _TEXT_CANDIDATE.finditer(line):
        candidate = match.group(0).strip(" -.")
        if candidate.startswith("(") and ")" not in candidate:
            candidate = candidate[1:]
        # a candidate holds "+", "(", \d characters (all isdigit) and the separators " -().\u00a0"
        # (none isdigit), so this is the number of its characters that are digits
        digits = len(candidate.translate(_DELETE_CANDIDATE_MARKS))
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


class _PhoneLines:
    """Every line :func:`find_phones` can find a number on, found with byte operations over the block.

    A hit comes from a ``_TEXT_CANDIDATE`` match *m*: an optional "+", then characters of the
    *class* ``[\\d \\-().\\u00a0]`` holding the candidate's 7-15 digits. So the line holds a run of
    class characters with at least 7 digits. Timestamps put one on every line ("2024-01-05 12"),
    so three kinds of run are first blanked, each shown never to overlap an *m* that gives a hit:

    1. a date ``dddd-dd-dd`` at a line start or after a character that is neither of the class
       nor "+", followed by a letter, "_", ":" or "/" (the lookahead then fails at every digit of
       the run, so no *m* starts there), or by one of " ()" then two digits and such a character
       (the run is "dddd-dd-dd hh"; *m* can only start at its first digit, and the longest end
       the lookahead allows is the date's, which ``_DATE`` rejects);
    2. a lone run of 7+ digits: with a line start or a character neither of the class nor "+" on
       each side, possibly after one of " ()" there. Its only digits are that group, so every
       *m* in it is digits, or "(" and digits, which ``candidate.isdigit()`` rejects;
    3. a dotted run of digits with three dots or more: an *m* can start only at its first
       digit (elsewhere the lookbehind sees a digit or a dot) and end only at its last (elsewhere
       the lookahead sees one), so any *m* touching it holds its three dots, which are rejected.

    The bytes are the block's UTF-8 mapped to one letter per kind of character: "0" a digit,
    "s" one of " ()", "-", ".", "+", "a" a letter, "_", ":" or "/", "x" another ASCII character,
    "u" a byte of a non-ASCII character (kept out of every blanking pattern, and counted as a
    digit at the end, since it may be a ``\\d`` or ``\\u00a0``). After blanking, "s", "-" and "."
    are deleted, which joins each remaining run's digits, and lines holding seven "0" in a row
    are the candidates.
    """

    _KINDS = bytes(
        ord("u")
        if byte >= 0x80
        else ord("0")
        if byte in b"0123456789"
        else ord("s")
        if byte in b" ()"
        else byte
        if byte in b"-.+\n"
        else ord("a")
        if chr(byte).isalpha() or byte in b"_:/"
        else ord("x")
        for byte in range(256)
    )
    #: (1): a date run at a line start or after "x", followed by " dd" and "a", or by "a"; the
    #: first is the usual timestamp, the others are looked for only when a date is left
    _DATES = tuple(
        (before + b"0000-00-00" + after, before + b"aaaaaaaaaa" + after)
        for before in (b"\n", b"x")
        for after in (b"s00a", b"a")
    )
    #: (2): a lone digit run (found from its seventh digit on, a literal, so the scan is quick)
    _LONE_DIGITS = re.compile(rb"0000000(?:(?<=[ax\n]0000000)|(?<=[ax\n]s0000000))0*(?=s?[ax\n])")
    #: (3): the part of a dotted digit run after its first dot, when three dots or more follow a digit
    _DOTTED = re.compile(rb"\.(?<=0\.)0+\.0+\.0+(?:\.0+)*")
    _DIGITS_ONLY = bytes.maketrans(b"u", b"0")

    def candidate_lines(self, block: TextBlock) -> list[int]:
        kinds = block.utf8.translate(self._KINDS)
        (date, blank), *others = self._DATES
        kinds = kinds.replace(date, blank)
        if b"0000-00-00" in kinds:
            for date, blank in others:
                kinds = kinds.replace(date, blank)
        kinds = self._LONE_DIGITS.sub(b"a", kinds)
        kinds = self._DOTTED.sub(b"a", kinds)
        digits = kinds.translate(self._DIGITS_ONLY, b"s-.")
        return lines_at(digits, lambda position: digits.find(b"0000000", position))


TEXT_LINES = _PhoneLines()


def _embedded_strength(value: str, region: str) -> float:
    """A phone written inside a longer text value (a notes column): found, but weaker."""
    shape = shape_of(value)
    if shape.digits < 7 or not shape.spaces or shape.alpha == 0:
        return 0.0
    hits = find_phones(value, region)
    return max((hit.strength for hit in hits), default=0.0) * 0.8


class PhoneOptions(ConfigModel):
    """``classifiers: {phone: {...}}``."""

    default_region: RegionCode | None = Field(
        default=None, description="region of national-format numbers (default: the default_region setting)"
    )


class PhoneClassifier(SingleCategoryClassifier):
    """Finds valid phone numbers: international for every region, national for the default region."""

    id = "phone"
    categories = (CATEGORY,)
    options_model = PhoneOptions
    text_what = "a phone number"
    text_prefilter = TEXT_LINES

    def __init__(self, settings: ScanSettings) -> None:
        super().__init__(settings)
        region = settings.options_for("phone").get("default_region") or settings.default_region or "US"
        self.region = str(region).upper()

    def text_finder(self, sample: FieldSample) -> Callable[[str], tuple[TextHit, ...]]:
        region = self.region
        return lambda line: find_phones(line, region)

    def judge_structured(
        self, sample: FieldSample, evidence: NameEvidence, *, keep_empty: bool
    ) -> Detection | None:
        region, named = self.region, evidence.strong
        return self.judge_values(
            sample,
            evidence,
            lambda value: phone_strength(value, region, named) or _embedded_strength(value, region),
            what=f"valid phone numbers (default region {region})",
            keep_empty=keep_empty,
            example_of=lambda value: (
                next(iter(find_phones(value, region)), None).text
                if phone_strength(value, region, named) == 0
                else value
            ),
        )
