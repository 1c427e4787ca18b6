"""Phone numbers (``user.contact.phone_number``), validated with Google's ``phonenumbers``.

Candidates are values made only of digits and phone punctuation (``+ - ( ) .`` and spaces), after an
optional ``tel:`` prefix and an extension (``x123``, ``ext. 45``, ``#150``, ``;ext=75``), holding 7
to 15 digits. A number is checked against *regions*, which a column earns from three kinds of
evidence: the configured regions (``--region US,GB``, ``settings.default_region`` or the
``phone.default_region`` option, default ``US``), the regions of the valid international numbers
in the same column, and the container's hints (:meth:`PhoneClassifier.container_hints`: the
countries a sibling ``country`` column names, and the regions of international numbers in the
container's other columns). Then:

* international format (``+CC ...``, ``00CC ...``, ``001-...``, ``+44 (0)20 ...``): valid for its
  own region, strength 0.95; of a possible length for its country code but not valid (a made-up
  area code), 0.4;
* national format with separators (``(415) 555-0134``, ``030-0074321``, ``06.47.35.50.25``):
  valid in one of the column's regions and split where that region splits its numbers, 0.85;
  valid there but split elsewhere (``2019-123456``, an invoice number that is a valid US number),
  0.45; valid and grouped as written in a region no evidence named (``044-982-5979``), 0.75 -
  the region a lone national number is from is read off its grouping; only of a possible length
  in a column's region (an old or fictional number such as ``(171) 555-7788`` beside a ``UK``
  country), 0.4. A column of 0.45s and 0.4s is never a finding without a field name that says phone;
* bare digit strings (``14155550134`` in a BIGINT column): in a field whose name says phone, 0.85
  when valid (nationally or with a leading ``+``) and 0.5 for any other digit string of phone
  length (Pagila's ``address.phone``); otherwise 0.55 when valid with a leading ``+`` and 0.4 as a
  national number, so a column of numbers is reported as phones on its values alone only when
  nearly all of them validate.

Never phones: dates (``2023-01-15``, ``15.01.2023``), unix timestamps (10 or 13 digits in the
2001-2030 range) unless the field name says phone, prices and decimals, IPs and version strings
(three or more dots, except the French ``06.47.35.50.25`` grouping of two-digit pairs), years and
short codes (under 7 digits). In free text (log lines) only numbers written with ``+``/``00`` or with
national separators are considered.

Known false positives: other identifiers that happen to be valid numbers and are written like
phones (``+1-800`` style order references), and digit ids in a column named like a phone.
Known misses: national formats of regions no evidence points at, vanity numbers (``1-800-FLOWERS``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

from pydantic import Field

from piimap.classifiers.base import SingleCategoryClassifier, TextBlock, TextHit, lines_at
from piimap.classifiers.fieldnames import ID_WORDS, CategoryRule, NameEvidence, field_words, phrases
from piimap.classifiers.prefilter import shape_of
from piimap.classifiers.spec import CategorySpec
from piimap.masking import mask_phone
from piimap.model import ContainerHints, Detection, FieldSample
from piimap.scancache import value_cache
from piimap.schema.base import ConfigModel, RegionList, parse_regions
from piimap.settings import ScanSettings

__all__ = ["PhoneClassifier", "PhoneOptions", "phone_strength", "find_phones", "country_regions"]

log = logging.getLogger(__name__)

CATEGORY = "user.contact.phone_number"

#: field-name rules of this category (see :mod:`piimap.classifiers.fieldnames`)
NAMES = CategoryRule(
    strong=phrases(
        "phone",
        "telephone",
        "tel",
        "mobile",
        "cell",
        "cellphone",
        "msisdn",
        "fax",
        "phonenumber",
        "phone number",
        "contact number",
        "mobile number",
        "whatsapp",
        "telefon",
        "telefone",
        "telephone number",
    ),
    weak=phrases("contact", "number", "callback"),
    contradicting=frozenset(
        {
            "id",
            "price",
            "amount",
            "total",
            "ts",
            "timestamp",
            "time",
            "date",
            "year",
            "count",
            "qty",
            "quantity",
            "version",
            "zip",
            "postal",
            "postcode",
            "account",
            "iban",
            "balance",
            "epoch",
            "created",
            "updated",
            "sku",
            "number_of",
            "size",
            "bytes",
            "duration",
            "ms",
            "latency",
        }
        | ID_WORDS
    ),
    glued=("phone", "mobile", "msisdn"),
)
SPEC = CategorySpec(
    key=CATEGORY,
    names=NAMES,
    explain="A phone number valid for its region (phonenumbers): international numbers anywhere, national ones for the default or a neighbouring column's region.",
    mask=mask_phone,
)

INTERNATIONAL_STRENGTH = 0.95
NATIONAL_STRENGTH = 0.85
POSSIBLE_NATIONAL_STRENGTH = 0.4
POSSIBLE_INTERNATIONAL_STRENGTH = 0.4
UNGROUPED_STRENGTH = 0.45
GROUPED_NATIONAL_STRENGTH = 0.75
NAMED_DIGITS_STRENGTH = 0.85
NAMED_UNVALIDATED_STRENGTH = 0.5
BARE_INTERNATIONAL_STRENGTH = 0.55
BARE_NATIONAL_STRENGTH = 0.4
TEXT_INTERNATIONAL_STRENGTH = 0.85
TEXT_NATIONAL_STRENGTH = 0.7
#: regions a column may be checked against (configured first, then its own, then the container's)
MAX_REGIONS = 40
#: distinct values of a column read for the regions of its international numbers
REGION_PROBE_VALUES = 256

_EXTENSION = re.compile(r"\s*(?:[;,]\s*ext\s*=|x|ext\.?|extn\.?|extension|#)\s*:?\s*\d{1,6}$", re.IGNORECASE)
_PREFIX = re.compile(r"^(?:tel:|phone:|tel\.?\s)", re.IGNORECASE)
_TRUNK_ZERO = re.compile(r"\s*\(0\)\s*")
_DATE = re.compile(r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})$")
_DECIMAL = re.compile(r"^[-+]?\d+\.\d{1,2}$")
#: digit pairs joined by dots, as French numbers are written (``06.47.35.50.25``)
_DOTTED_PAIRS = re.compile(r"(?:^|[\s)])\d{2}(?:\.\d{2}){3,}$")
_TEXT_CANDIDATE = re.compile(r"(?<![\w.:/-])(?:\+|00)?\(?\d[\d \-().\u00a0]{5,18}\d(?![\w.:/-]|-\d)")

_EPOCH_SECONDS = (978_307_200, 1_900_000_000)  # 2001 .. 2030

#: what phonenumbers says of a text in a region
_INVALID, _POSSIBLE, _VALID = 0, 1, 2


def _is_timestamp(digits: str) -> bool:
    if len(digits) == 10:
        return _EPOCH_SECONDS[0] <= int(digits) <= _EPOCH_SECONDS[1]
    if len(digits) == 13:
        return _EPOCH_SECONDS[0] * 1000 <= int(digits) <= _EPOCH_SECONDS[1] * 1000
    return False


@value_cache(maxsize=65536)
def _verdict(number_text: str, region: str | None) -> int:
    """Valid, possible (a length the region's plan allows) or invalid, for ``number_text`` in ``region``."""
    import phonenumbers

    try:
        number = phonenumbers.parse(number_text, region)
    except phonenumbers.NumberParseException:
        return _INVALID
    if phonenumbers.is_valid_number(number):
        return _VALID
    possible = phonenumbers.is_possible_number_with_reason(number)
    return _POSSIBLE if possible == phonenumbers.ValidationResult.IS_POSSIBLE else _INVALID


def _valid(number_text: str, region: str | None) -> bool:
    return _verdict(number_text, region) == _VALID


@value_cache(maxsize=16384)
def _international_region(number_text: str) -> str | None:
    """The region of a valid international number (``+CC...``), None when it is not one."""
    import phonenumbers

    try:
        number = phonenumbers.parse(number_text, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.region_code_for_number(number)


def _as_regions(regions: str | Sequence[str]) -> tuple[str, ...]:
    return (regions,) if isinstance(regions, str) else tuple(regions)


def _international_text(core: str) -> str | None:
    """``core`` as ``+CC...`` when it is written internationally (``+``, ``00``), else None."""
    if core.startswith("+"):
        return _TRUNK_ZERO.sub(" ", core, count=1)
    if core.startswith("00") and not core.startswith("000"):
        return "+" + _TRUNK_ZERO.sub(" ", core[2:], count=1)
    return None


@value_cache(maxsize=65536)
def phone_strength(value: str, regions: str | tuple[str, ...], named: bool) -> float:
    """How surely ``value`` is a phone number (0 = not one).

    ``regions``: where national numbers are checked (one code or a tuple, in order of evidence);
    ``named``: the field name says phone.
    """
    regions = _as_regions(regions)
    text = _PREFIX.sub("", value.strip())
    core = _EXTENSION.sub("", text)
    shape = shape_of(core)
    if not shape.phone_chars_only or not 7 <= shape.digits <= 15:
        return 0.0
    if shape.dots >= 3 and not (
        _DOTTED_PAIRS.search(core) and (shape.dots >= 4 or "(" in core or "+" in core)
    ):
        return 0.0
    if _DATE.match(core) or _DECIMAL.match(core) or core.count("+") > 1:
        return 0.0
    international = _international_text(core)
    if international is not None:
        verdict = _verdict(international, None)
        if verdict == _VALID:
            return INTERNATIONAL_STRENGTH
        return POSSIBLE_INTERNATIONAL_STRENGTH if verdict == _POSSIBLE else 0.0
    if core.isdigit():
        return _digits_strength(core, regions, named)
    if core.startswith("-") or core.endswith("-"):
        return 0.0
    verdicts = [_verdict(core, region) for region in regions]
    valid = [region for region, verdict in zip(regions, verdicts) if verdict == _VALID]
    if any(_grouped_as_in(core, region) for region in valid):
        return NATIONAL_STRENGTH
    if _grouped_region(core) is not None:
        return GROUPED_NATIONAL_STRENGTH
    if valid:
        return UNGROUPED_STRENGTH
    return POSSIBLE_NATIONAL_STRENGTH if _POSSIBLE in verdicts else 0.0


_DIGIT_GROUPS = re.compile(r"\d+")


def _boundaries(groups: list[str]) -> list[int]:
    """Where digit groups end, counted in digits (``["030", "0074321"]`` -> ``[3]``)."""
    ends, total = [], 0
    for group in groups[:-1]:
        total += len(group)
        ends.append(total)
    return ends


@value_cache(maxsize=65536)
def _grouped_as_in(core: str, region: str) -> bool:
    """True when national ``core`` splits its digits where ``region`` writes a break (or writes them together).

    ``030-0074321`` is grouped as Germany writes ``030 0074321``; ``415.555.0134`` as the US
    writes ``(415) 555-0134``; ``2019-123456`` (an invoice number) breaks after four digits, where
    no US number does. A value may join groups the region separates, and may carry the region's
    trunk prefix (``1-415-555-0134``) in front.
    """
    import phonenumbers

    try:
        number = phonenumbers.parse(core, region)
    except phonenumbers.NumberParseException:
        return False
    written = _DIGIT_GROUPS.findall(core)
    formatted = _DIGIT_GROUPS.findall(
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    )
    digits, usual = "".join(written), "".join(formatted)
    if not digits.endswith(usual):
        return False
    offset = len(digits) - len(usual)
    breaks = {end - offset for end in _boundaries(written) if end > offset}
    return breaks <= set(_boundaries(formatted))


def _faker_phone_locales() -> list[str]:
    """The locales Faker has phone-number providers for, read from its folders (importing Faker is slow)."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("faker")
    if spec is None or not spec.submodule_search_locations:
        return []
    folder = Path(next(iter(spec.submodule_search_locations))) / "providers" / "phone_number"
    try:
        return [entry.name for entry in folder.iterdir() if (entry / "__init__.py").is_file()]
    except OSError:
        return []


@lru_cache(maxsize=1)
def _regions_by_length() -> dict[int, tuple[str, ...]]:
    """The regions where people write numbers (those of Faker's locales), by national digit count."""
    import phonenumbers
    from phonenumbers import PhoneMetadata

    wanted = {locale.rpartition("_")[2].upper() for locale in _faker_phone_locales() if "_" in locale}
    if not wanted:  # Faker is a dependency; without it, every region
        wanted = set(phonenumbers.SUPPORTED_REGIONS)
    wanted = {"GB" if region == "UK" else region for region in wanted} & phonenumbers.SUPPORTED_REGIONS
    by_length: dict[int, list[str]] = {}
    for region in sorted(wanted):
        metadata = PhoneMetadata.metadata_for_region(region)
        if metadata is None or metadata.general_desc is None:
            continue
        prefix = len(metadata.national_prefix or "")
        for length in metadata.general_desc.possible_length or ():
            for total in {length, length + prefix}:
                by_length.setdefault(total, []).append(region)
    return {length: tuple(dict.fromkeys(regions)) for length, regions in by_length.items()}


@value_cache(maxsize=16384)
def _grouped_region(core: str) -> str | None:
    """A region where national ``core`` is valid *and* written in that region's own digit groups.

    ``044-982-5979`` is grouped as Korea and Japan write their numbers; ``2019-123456`` (an
    invoice number) and ``123-45-6789`` (a social security number) are valid nowhere in their
    grouping. Only for numbers written with separators, in the regions of Faker's locales.
    """
    import phonenumbers

    groups = _DIGIT_GROUPS.findall(core)
    if len(groups) < 2:
        return None
    digits = "".join(groups)
    for region in _regions_by_length().get(len(digits), ()):
        try:
            number = phonenumbers.parse(core, region)
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_valid_number(number):
            continue
        formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        if _DIGIT_GROUPS.findall(formatted) == groups:
            return region
    return None


def _digits_strength(digits: str, regions: tuple[str, ...], named: bool) -> float:
    """A bare digit string: a phone only as far as its field name or its validity says."""
    if named:
        if any(_valid(digits, region) for region in regions) or _valid("+" + digits, None):
            return NAMED_DIGITS_STRENGTH
        return 0.0 if _is_timestamp(digits) else NAMED_UNVALIDATED_STRENGTH
    if _is_timestamp(digits) or digits.startswith("0"):
        return 0.0
    if len(digits) >= 9 and _valid("+" + digits, None):
        return BARE_INTERNATIONAL_STRENGTH
    return BARE_NATIONAL_STRENGTH if any(_valid(digits, region) for region in regions) else 0.0


def _may_hold_phones(values: Sequence[str]) -> bool:
    """True when one of the first values is made of phone characters with seven digits or more."""
    for value in values[:32]:
        shape = shape_of(value.strip())
        if shape.digits >= 7 and (shape.phone_chars_only or shape.alpha <= 4):
            return True
    return False


def _may_hold_international_numbers(values: Sequence[str]) -> bool:
    """True when one of the first values starts like an international number (``+``, ``00``)."""
    return any(
        value.lstrip()[:1] == "+" or value.lstrip()[:2] == "00" for value in values[:REGION_PROBE_VALUES]
    )


def column_regions(values: Iterable[str], limit: int = REGION_PROBE_VALUES) -> tuple[str, ...]:
    """The regions of the valid international numbers among the first ``limit`` of ``values``."""
    found: dict[str, None] = {}
    for index, value in enumerate(values):
        if index >= limit:
            break
        text = _PREFIX.sub("", value.strip())
        if not text.startswith(("+", "00")):
            continue
        international = _international_text(_EXTENSION.sub("", text))
        region = _international_region(international) if international else None
        if region is not None and region != "001":  # 001: non-geographic numbers
            found[region] = None
    return tuple(found)


# --- regions from configuration and from country columns -------------------------------------


#: common country names no locale table spells this way
_COUNTRY_ALIASES = {
    "uk": "GB",
    "u.k.": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "usa": "US",
    "u.s.a.": "US",
    "u.s.": "US",
    "america": "US",
    "united states of america": "US",
    "holland": "NL",
    "korea": "KR",
    "south korea": "KR",
    "republic of korea": "KR",
    "russia": "RU",
    "russian federation": "RU",
    "czechia": "CZ",
    "czech republic": "CZ",
    "turkey": "TR",
    "türkiye": "TR",
    "uae": "AE",
    "ivory coast": "CI",
    "vatican": "VA",
    "viet nam": "VN",
    "iran": "IR",
    "syria": "SY",
    "taiwan": "TW",
    "hong kong": "HK",
    "macau": "MO",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "moldova": "MD",
    "laos": "LA",
    "brunei": "BN",
}
#: words of a field name that say it holds countries
_COUNTRY_WORDS = frozenset(
    "country countries nation nationality land pays pais país paese kraj ülke страна 国 国家 国籍 국가".split()
)


def _locale_data() -> dict[str, dict[str, str]]:
    """phonenumbers' country names per language (``phonenumbers.geodata.locale.LOCALE_DATA``).

    That module belongs to the ``phonenumbers.geodata`` package, whose ``__init__`` loads every
    geocoding prefix of the world (about 100 MB of dicts, and a full garbage collection's worth
    of objects for the rest of the process) when the module is imported the usual way. So it is
    executed from its file alone, kept nowhere; the names are all this classifier reads.
    """
    import importlib.util
    import sys
    from pathlib import Path

    import phonenumbers

    loaded = sys.modules.get("phonenumbers.geodata.locale")
    if loaded is not None:
        return loaded.LOCALE_DATA
    path = Path(phonenumbers.__file__).parent / "geodata" / "locale.py"
    spec = importlib.util.spec_from_file_location("phonenumbers.geodata.locale", path)
    if spec is None or spec.loader is None or not path.is_file():  # another layout: the usual import
        from phonenumbers.geodata.locale import LOCALE_DATA

        return LOCALE_DATA
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.LOCALE_DATA


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """Case-folded country names in every language phonenumbers' geocoder and CLDR know, ISO alpha-3 codes and aliases."""
    import phonenumbers

    names: dict[str, str] = {}
    for region, spellings in _locale_data().items():
        if region not in phonenumbers.SUPPORTED_REGIONS:
            continue
        for spelling in spellings.values():
            if spelling and not spelling.startswith("*"):
                names.setdefault(spelling.casefold(), region)
    try:
        from faker.providers.address import Provider as AddressProvider

        for alpha2, alpha3 in zip(
            AddressProvider.alpha_2_country_codes, AddressProvider.alpha_3_country_codes
        ):
            if alpha2 in phonenumbers.SUPPORTED_REGIONS:
                names.setdefault(alpha3.casefold(), alpha2)
    except (ImportError, AttributeError):  # Faker is a dependency; alpha-3 codes are a bonus
        pass
    for spelling, region in _cldr_country_names():
        if region in phonenumbers.SUPPORTED_REGIONS:
            names.setdefault(spelling, region)
    names.update(_COUNTRY_ALIASES)
    return names


def _cldr_country_names() -> Iterable[tuple[str, str]]:
    """(case-folded name, ISO code) of every country in every language CLDR has (through Babel's
    locale data, which ships with the package): Georgian, Armenian, Hebrew, Persian... names that
    phonenumbers' geocoder does not carry."""
    from babel import Locale, UnknownLocaleError, localedata

    for identifier in localedata.locale_identifiers():
        if "_" in identifier:
            continue  # regional variants repeat their language's names
        try:
            territories = Locale.parse(identifier).territories
        except (UnknownLocaleError, ValueError):
            continue
        for code, spelling in territories.items():
            if len(code) == 2 and code.isalpha() and spelling:
                yield spelling.casefold(), code


def country_regions(values: Iterable[str], *, codes: bool, share: float = 0.5) -> tuple[str, ...]:
    """The regions a column of country names or ISO codes names; () when it is not one.

    Two-letter codes count in upper case, and in any case with ``codes`` (a field named country).

    At least ``share`` of the distinct values must be countries, so a column of city or company
    names does not pass for one.
    """
    import phonenumbers

    names = _country_names()
    found: dict[str, None] = {}
    distinct = matched = 0
    for value in dict.fromkeys(value.strip() for value in values):
        if not value:
            continue
        distinct += 1
        region = names.get(value.casefold())
        if (
            region is None
            and len(value) == 2
            and (codes or value.isupper())
            and value.upper() in phonenumbers.SUPPORTED_REGIONS
        ):
            region = value.upper()
        if region is not None:
            matched += 1
            found[region] = None
        if distinct >= REGION_PROBE_VALUES:
            break
    return tuple(found) if matched and matched >= share * distinct else ()


#: deletes the ASCII digits (``shape_of``'s digit count) / everything a text candidate holds but digits
_DELETE_DIGITS = str.maketrans("", "", "0123456789")
_DELETE_CANDIDATE_MARKS = str.maketrans("", "", "+ -().\u00a0")


def find_phones(line: str, regions: str | tuple[str, ...]) -> Iterable[TextHit]:
    """Phone numbers written as phones (``+``/``00`` or separators) inside a line of text.

    National numbers count when valid in one of ``regions`` (a code or a tuple of codes).
    """
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
        strength = phone_strength(candidate, regions, False)
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


def _embedded_strength(value: str, regions: tuple[str, ...]) -> float:
    """A phone written inside a longer text value (a notes column): found, but weaker."""
    shape = shape_of(value)
    if shape.digits < 7 or not shape.spaces or shape.alpha == 0:
        return 0.0
    hits = find_phones(value, regions)
    return max((hit.strength for hit in hits), default=0.0) * 0.8


def _is_counter(values: Sequence[str]) -> bool:
    """True for a column of consecutive numbers (order or invoice ids): their first values, all
    digits, lie closer together than ten per value, which a column of people's numbers never does."""
    probe = [value.strip() for value in values[:64]]
    if len(probe) < 8 or not all(value.isdigit() and 7 <= len(value) <= 15 for value in probe):
        return False
    numbers = [int(value) for value in probe]
    return max(numbers) - min(numbers) < 10 * len(numbers)


class PhoneOptions(ConfigModel):
    """``classifiers: {phone: {...}}``."""

    default_region: RegionList | None = Field(
        default=None,
        description="regions of national-format numbers: a code, codes separated by commas or a list "
        "(default: the default_region setting)",
    )


def configured_regions(settings: ScanSettings) -> tuple[str, ...]:
    """The regions the configuration names (``phone.default_region`` option, else the setting), or ``US``.

    Codes phonenumbers does not know are left out with a warning (the config loader and the
    command line reject them before a scan starts).
    """
    configured = settings.options_for("phone").get("default_region") or settings.default_region or "US"
    try:
        return parse_regions(configured)
    except ValueError as error:
        log.warning("%s; phone numbers use the region US", error)
        return ("US",)


def _first_phone_in(value: str, regions: tuple[str, ...]) -> str:
    """The first phone number found inside ``value`` (``value`` itself when there is none)."""
    hit = next(iter(find_phones(value, regions)), None)
    return value if hit is None else hit.text


class PhoneClassifier(SingleCategoryClassifier):
    """Finds valid phone numbers: international for every region, national for the regions a column earns."""

    id = "phone"
    categories = (CATEGORY,)
    specs = (SPEC,)
    options_model = PhoneOptions
    text_what = "a phone number"
    text_prefilter = TEXT_LINES

    def __init__(self, settings: ScanSettings) -> None:
        super().__init__(settings)
        self.regions = configured_regions(settings)

    def container_hints(self, samples: Sequence[FieldSample]) -> ContainerHints | None:
        """Regions the container points at: the countries of a country column, and the regions of
        international numbers in any column. Only region codes are kept."""
        regions: dict[str, None] = {}
        if len(samples) < 2 or not any(_may_hold_phones(sample.values) for sample in samples):
            return None  # no other field to learn from, or no field a region would help
        for sample in samples:
            if sample.field.name is None or not sample.values:
                continue
            if _COUNTRY_WORDS.intersection(field_words(sample.field).leaf):
                found = country_regions(sample.values, codes=True)
            elif _may_hold_international_numbers(sample.values):
                found = column_regions(sample.values)
            elif shape_of(sample.values[0]).letters_only:
                found = country_regions(sample.values, codes=False, share=0.8)
            else:
                found = ()
            regions.update(dict.fromkeys(found))
        return ContainerHints(tuple(regions)[:MAX_REGIONS]) if regions else None

    def regions_for(self, sample: FieldSample, *, own: bool = True) -> tuple[str, ...]:
        """Where ``sample``'s national numbers are checked: the configured regions, the regions of
        its own international numbers (with ``own``), then its container's."""
        regions = self.regions
        if own and _may_hold_international_numbers(sample.values):
            regions += column_regions(sample.values)
        if sample.hints is not None:
            regions += sample.hints.regions
        return tuple(dict.fromkeys(regions))[:MAX_REGIONS]

    def text_finder(self, sample: FieldSample) -> Callable[[str], Iterable[TextHit]]:
        regions = self.regions_for(sample, own=False)
        return lambda line: find_phones(line, regions)

    def judge_structured(
        self, sample: FieldSample, evidence: NameEvidence, *, keep_empty: bool
    ) -> Detection | None:
        regions, named = self.regions_for(sample), evidence.strong
        if not named and _is_counter(sample.values):
            return None
        shown = ", ".join(regions[:8]) + (f" and {len(regions) - 8} more" if len(regions) > 8 else "")
        return self.judge_values(
            sample,
            evidence,
            lambda value: phone_strength(value, regions, named) or _embedded_strength(value, regions),
            what=f"valid phone numbers (regions {shown})",
            keep_empty=keep_empty,
            example_of=lambda value: (
                _first_phone_in(value, regions) if phone_strength(value, regions, named) == 0 else value
            ),
        )
