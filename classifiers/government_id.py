"""Government identifiers (``user.government_id.*``): national ids, tax ids and passport numbers.

Every number is checked by ``python-stdnum`` (:mod:`piimap.classifiers.checksums`), never by a
pattern alone:

* on the value alone (their shape and check digits are specific enough): US SSNs written
  ``123-45-6789`` (area not 000, 666 or 9xx, group not 00, serial not 0000), French NIRs (15
  digits with their key), Italian codici fiscali, Spanish DNIs and NIEs (check letter), UK National
  Insurance numbers (prefix rules), Indian PANs, Brazilian CPFs written ``123.456.789-09``, Chinese
  resident identity card numbers (birth date and ISO 7064 check), Indian Aadhaar numbers written
  in groups of four (Verhoeff);
* only in a field named for them (a bare run of digits passes a one-digit checksum one time in ten):
  SSNs without dashes, German Steuer-IDs, Dutch BSNs, bare CPFs and Aadhaar numbers;
* passport numbers have no public check digits: 6 to 9 letters and digits in a field named for
  passports.

Categories: ``.national_identification_number`` (SSN, NIR, DNI/NIE, BSN, NINO, Aadhaar, RIC),
``.tax_id`` (Steuer-ID, codice fiscale, PAN, CPF) and ``.passport_number``; a column gets the
category most of its values have. In free text: dashed SSNs, formatted CPFs, NINOs, codici fiscali,
DNIs/NIEs and RICs, at word boundaries.

Known false positives: a dashed 3-2-4 part number that happens to obey the SSN rules. Known misses:
national ids of countries not listed; SSNs without dashes in a column not named for them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from piimap.classifiers.base import ClassLineTest, PatternLineTest, SingleCategoryClassifier, TextHit
from piimap.classifiers.checksums import NATIONAL_IDS
from piimap.classifiers.fieldnames import CategoryRule, NameEvidence, phrases
from piimap.classifiers.spec import CategorySpec
from piimap.masking import mask_digits
from piimap.model import Detection, FieldSample
from piimap.scancache import value_cache

__all__ = ["GovernmentIdClassifier", "identify_government_id", "find_government_ids"]

NATIONAL = "user.government_id.national_identification_number"
TAX = "user.government_id.tax_id"
PASSPORT = "user.government_id.passport_number"
VALUE_STRENGTH = 0.95
NAMED_STRENGTH = 0.95

_CONTRADICTING = frozenset(
    {
        "order",
        "invoice",
        "sku",
        "product",
        "transaction",
        "phone",
        "zip",
        "postal",
        "version",
        "count",
        "hash",
    }
)

NATIONAL_NAMES = CategoryRule(
    strong=phrases(
        "ssn",
        "social security",
        "social security number",
        "socsec",
        "national id",
        "national identification number",
        "nin",
        "nino",
        "ni number",
        "national insurance",
        "nir",
        "insee",
        "dni",
        "nie",
        "bsn",
        "burgerservicenummer",
        "aadhaar",
        "aadhar",
        "uid number",
        "ric",
        "resident id",
        "citizen id",
        "id card number",
        "identity number",
        "personal id",
        "personnummer",
        "henkilotunnus",
        "cedula",
    ),
    weak=phrases("id number", "government id", "identity"),
    contradicting=_CONTRADICTING,
    glued=("ssn",),
)
TAX_NAMES = CategoryRule(
    strong=phrases(
        "tax id",
        "taxid",
        "tin",
        "tax number",
        "tax identification number",
        "steuer id",
        "steuerid",
        "steuer identifikationsnummer",
        "idnr",
        "codice fiscale",
        "codicefiscale",
        "cf",
        "cpf",
        "pan number",
        "pan card",
        "nif",
        "itin",
    ),
    weak=phrases("tax"),
    contradicting=_CONTRADICTING | {"rate", "amount", "total", "percent", "vat"},
)
PASSPORT_NAMES = CategoryRule(
    strong=phrases("passport", "passport number", "passport no", "passport id", "reisepass", "passeport"),
    contradicting=_CONTRADICTING | {"country", "expiry", "expires", "issued", "type"},
)
SPEC = CategorySpec(
    key=NATIONAL,
    names=NATIONAL_NAMES,
    explain="A national identification number with valid check digits (python-stdnum): US SSN, FR NIR, "
    "ES DNI/NIE, NL BSN, UK NINO, IN Aadhaar, CN RIC.",
    mask=mask_digits,
)
TAX_SPEC = CategorySpec(
    key=TAX,
    names=TAX_NAMES,
    explain="A personal tax identification number with valid check digits (python-stdnum): DE Steuer-ID, "
    "IT codice fiscale, IN PAN, BR CPF.",
    mask=mask_digits,
)
PASSPORT_SPEC = CategorySpec(
    key=PASSPORT,
    names=PASSPORT_NAMES,
    explain="A passport number (6-9 letters and digits) in a field named for passports (no public check digit).",
    mask=mask_digits,
)
_BY_KEY = {SPEC.key: SPEC, TAX_SPEC.key: TAX_SPEC, PASSPORT_SPEC.key: PASSPORT_SPEC}

#: (validator name, shape a value must have to count on its own, shape that counts in a named field)
_SHAPES: dict[str, tuple[re.Pattern[str] | None, re.Pattern[str] | None]] = {
    "us_ssn": (re.compile(r"\d{3}-\d{2}-\d{4}"), re.compile(r"\d{3}[- ]?\d{2}[- ]?\d{4}")),
    "fr_nir": (
        re.compile(r"[12][ .]?\d{2}[ .]?\d{2}[ .]?(?:\d{2}|2[AB])[ .]?\d{3}[ .]?\d{3}[ .]?\d{2}"),
        None,
    ),
    "de_idnr": (None, re.compile(r"\d{2} ?\d{3} ?\d{3} ?\d{3}")),
    "it_codicefiscale": (re.compile(r"[A-Za-z]{6}\d{2}[A-Za-z]\d{2}[A-Za-z]\d{3}[A-Za-z]"), None),
    "es_dni": (re.compile(r"\d{8}-?[A-Za-z]"), None),
    "es_nie": (re.compile(r"[XYZxyz]-?\d{7}-?[A-Za-z]"), None),
    "nl_bsn": (None, re.compile(r"\d{4}\.?\d{2}\.?\d{3}|\d{9}")),
    "gb_nino": (re.compile(r"[A-Za-z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-Da-d]"), None),
    "in_aadhaar": (re.compile(r"[2-9]\d{3} \d{4} \d{4}"), re.compile(r"[2-9]\d{3}[ -]?\d{4}[ -]?\d{4}")),
    "in_pan": (re.compile(r"[A-Za-z]{3}[ABCFGHLJPTKabcfghljptk][A-Za-z]\d{4}[A-Za-z]"), None),
    "br_cpf": (re.compile(r"\d{3}\.\d{3}\.\d{3}-\d{2}"), re.compile(r"\d{11}")),
    "cn_ric": (re.compile(r"\d{17}[\dXx]"), None),
}
_CHECKS = {national.name: national.check for national in NATIONAL_IDS}
_CATEGORY_OF = {national.name: national.category for national in NATIONAL_IDS}
_DIGITS = re.compile(r"\d\d")  # every id above holds two digits in a row
_PASSPORT = re.compile(r"[A-Za-z0-9]{6,9}")


@value_cache(maxsize=65536)
def identify_government_id(value: str, named: bool) -> tuple[str, float] | None:
    """``(category, strength)`` of ``value`` as a government id, ``None`` when it is none.

    ``named``: the field's name says government id, which lets bare digit runs count.
    """
    value = value.strip()
    if not 8 <= len(value) <= 22 or _DIGITS.search(value) is None:
        return None
    for module, (alone, in_named) in _SHAPES.items():
        if alone is not None and alone.fullmatch(value):
            if _CHECKS[module](value):
                return _CATEGORY_OF[module], NAMED_STRENGTH if named else VALUE_STRENGTH
        elif named and in_named is not None and in_named.fullmatch(value) and _CHECKS[module](value):
            return _CATEGORY_OF[module], NAMED_STRENGTH
    return None


def _passport_strength(value: str) -> float:
    value = value.strip()
    if _PASSPORT.fullmatch(value) and any(char.isdigit() for char in value):
        return NAMED_STRENGTH
    return 0.0


_IN_TEXT = re.compile(
    r"(?<![\w.-])(\d{3}-\d{2}-\d{4}|\d{3}\.\d{3}\.\d{3}-\d{2}|[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]"
    r"|[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z]|\d{8}-?[A-Z]|[XYZ]-?\d{7}-?[A-Z]|\d{17}[\dX])(?![\w-])"
)
#: every hit of ``_IN_TEXT`` holds one of these: an SSN's ``ddd-dd-dddd`` (not after a digit, as the
#: hit's own lookbehind says), a CPF's ``ddd.ddd.ddd-``, a NINO's ``AA dd dd dd``, a codice
#: fiscale's ``ddAddAddd``, a DNI's or NIE's seven digits and a letter, a RIC's 17 digits; an ISO
#: date (``2026-10-10``) or a time holds none
#:
#: The alternatives that start with digits share their first two (the SSN's lookbehind moves past
#: them), so a log line full of dates and times is tried once per digit, not five times: the same
#: lines as ``TEXT_LINES_REFERENCE``, the plain alternation (tests/test_text_prefilter.py), at
#: twice its speed.
TEXT_LINES_OVER_TEXT = PatternLineTest(
    re.compile(
        r"\d\d(?:(?<![\w.-]..)\d-\d{2}-\d{4}|\d\.\d{3}\.\d{3}-|[A-Z]\d{2}[A-Z]\d{3}|\d{5}-?[A-Z]|\d{15})"
        r"|[A-Z]{2} ?\d{2} ?\d{2} ?\d{2}"
    )
)
#: The same alternatives over ASCII text's digits and capitals written ``0`` and ``A``
#: (:class:`ClassLineTest`): literal searches, five times faster again on log lines. They select
#: the lines of ``TEXT_LINES_REFERENCE`` and the SSNs after a word character, which its lookbehind
#: leaves out (tests/test_text_prefilter.py).
TEXT_LINES = ClassLineTest(
    literals=(b"000-00-0000", b"000.000.000-", b"00A00A000"),
    patterns=(re.compile(rb"0000000(?:-?A|0{10})"), re.compile(rb"AA ?00 ?00 ?00")),
    fallback=TEXT_LINES_OVER_TEXT,
)
TEXT_LINES_REFERENCE = re.compile(
    r"(?<![\w.-])\d{3}-\d{2}-\d{4}|\d{3}\.\d{3}\.\d{3}-|[A-Z]{2} ?\d{2} ?\d{2} ?\d{2}"
    r"|\d{2}[A-Z]\d{2}[A-Z]\d{3}|\d{7}-?[A-Z]|\d{17}"
)


def find_government_ids(line: str) -> Iterable[TextHit]:
    """Government ids with valid check digits inside a line of text."""
    hits = []
    for match in _IN_TEXT.finditer(line):
        found = identify_government_id(match.group(1), False)
        if found is not None:
            hits.append(TextHit(match.group(1), found[1] * 0.95))
    return tuple(hits)


#: distinct values looked at to decide which government-id category a column holds
PROBE_VALUES = 64


class GovernmentIdClassifier(SingleCategoryClassifier):
    """Finds national ids, tax ids and passport numbers, each checked by python-stdnum."""

    id = "government_id"
    categories = (NATIONAL, TAX, PASSPORT)
    specs = (SPEC, TAX_SPEC, PASSPORT_SPEC)
    text_what = "a government id"
    text_prefilter = TEXT_LINES

    def text_finder(self, sample: FieldSample) -> Callable[[str], tuple[TextHit, ...]]:
        return find_government_ids  # type: ignore[return-value]

    def judge_structured(
        self, sample: FieldSample, evidence: NameEvidence, *, keep_empty: bool
    ) -> Detection | None:
        tax = self.evidence_for(sample, TAX_SPEC)
        passport = self.evidence_for(sample, PASSPORT_SPEC)
        if passport.strong and not evidence.strong and not tax.strong:
            return self.judge_values(
                sample,
                passport,
                _passport_strength,
                what="passport-number shaped values",
                keep_empty=keep_empty,
                spec=PASSPORT_SPEC,
            )
        named = evidence.strong or tax.strong
        kinds: dict[str, int] = {}
        for value in sample.values[:PROBE_VALUES]:
            found = identify_government_id(value, named)
            if found is not None:
                kinds[found[0]] = kinds.get(found[0], 0) + 1
        if kinds:
            category = max(kinds, key=lambda key: (kinds[key], key == NATIONAL))
        else:
            category = TAX if tax.strong and not evidence.strong else NATIONAL
        spec = _BY_KEY[category]
        field_evidence = evidence if spec is SPEC else tax

        def judge(value: str) -> float:
            found = identify_government_id(value, named)
            return found[1] if found is not None and found[0] == category else 0.0

        return self.judge_values(
            sample,
            field_evidence,
            judge,
            what="government ids with valid check digits",
            keep_empty=keep_empty,
            spec=spec,
        )
