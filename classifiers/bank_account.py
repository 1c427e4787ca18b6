"""Bank accounts (``user.financial.bank_account``): IBANs and SWIFT/BIC codes, checked by python-stdnum.

* IBAN: the country's length and BBAN format and the mod 97-10 check (:mod:`stdnum.iban`), with or
  without spaces: strength 0.95 on the value alone, in fields and inside lines of text.
* SWIFT/BIC: four bank letters, an ISO country code, two location characters and an optional
  branch (:mod:`stdnum.bic`). Eight letters also spell words, so an 8-character BIC of letters only
  counts (0.9) in a field named for it; 11-character ones and those with digits count alone (0.8).

Known false positives: upper-case 11-letter words whose letters 5-6 are a country code.
Known misses: national account numbers without IBAN (BBAN alone, US routing and account numbers).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from piimap.classifiers.base import ClassLineTest, PatternLineTest, SingleCategoryClassifier, TextHit
from piimap.classifiers.checksums import VALIDATORS
from piimap.classifiers.fieldnames import CategoryRule, NameEvidence, phrases
from piimap.classifiers.spec import CategorySpec
from piimap.masking import mask_digits
from piimap.model import Detection, FieldSample
from piimap.scancache import value_cache

__all__ = ["BankAccountClassifier", "bank_account_strength", "find_ibans"]

CATEGORY = "user.financial.bank_account"
IBAN_STRENGTH = 0.95
BIC_STRENGTH = 0.8
NAMED_BIC_STRENGTH = 0.9

NAMES = CategoryRule(
    strong=phrases(
        "iban",
        "bic",
        "swift",
        "swift code",
        "swift bic",
        "bank account",
        "bankaccount",
        "account iban",
        "bank account number",
        "kontonummer",
        "rib",
        "bankverbindung",
    ),
    weak=phrases("bank", "account number", "payout account"),
    contradicting=frozenset({"name", "country", "count", "type", "status", "balance", "currency"}),
    glued=("iban",),
)
SPEC = CategorySpec(
    key=CATEGORY,
    names=NAMES,
    explain="An IBAN (per-country length, format and mod 97-10 check, python-stdnum) or a SWIFT/BIC code.",
    mask=mask_digits,
)

_IBAN_SHAPE = re.compile(r"[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}")
_BIC_SHAPE = re.compile(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?")
_iban = VALIDATORS["iban"]
_bic = VALIDATORS["bic"]


@value_cache(maxsize=65536)
def bank_account_strength(value: str, named: bool) -> float:
    """How surely ``value`` is an IBAN or a BIC; ``named``: the field's name says bank account."""
    value = value.strip()
    if 15 <= len(value) <= 42 and _IBAN_SHAPE.fullmatch(value):
        return IBAN_STRENGTH if _iban(value) else 0.0
    if len(value) in (8, 11) and _BIC_SHAPE.fullmatch(value) and _bic(value):
        if named:
            return NAMED_BIC_STRENGTH
        return BIC_STRENGTH if len(value) == 11 or any(char.isdigit() for char in value) else 0.0
    return 0.0


_IN_TEXT = re.compile(r"(?<![\w-])([A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?)(?![\w-])")
#: every hit of ``_IN_TEXT`` starts with two capitals and two digits: ``AA00`` where ASCII text's
#: capitals are written ``A`` and its digits ``0`` (:class:`ClassLineTest`), one ``bytes.find`` loop
TEXT_LINES = ClassLineTest(
    literals=(b"AA00",), patterns=(), fallback=PatternLineTest(re.compile(r"[A-Z]{2}\d\d"))
)


def find_ibans(line: str) -> Iterable[TextHit]:
    """IBANs with a valid check inside a line of text."""
    return tuple(
        TextHit(match.group(1), IBAN_STRENGTH * 0.95)
        for match in _IN_TEXT.finditer(line)
        if _iban(match.group(1))
    )


class BankAccountClassifier(SingleCategoryClassifier):
    """Finds IBANs and SWIFT/BIC codes."""

    id = "bank_account"
    categories = (CATEGORY,)
    specs = (SPEC,)
    text_what = "an IBAN"
    text_prefilter = TEXT_LINES

    def text_finder(self, sample: FieldSample) -> Callable[[str], tuple[TextHit, ...]]:
        return find_ibans  # type: ignore[return-value]

    def judge_structured(
        self, sample: FieldSample, evidence: NameEvidence, *, keep_empty: bool
    ) -> Detection | None:
        named = evidence.supports
        return self.judge_values(
            sample,
            evidence,
            lambda value: bank_account_strength(value, named),
            what="IBANs or BICs (python-stdnum)",
            keep_empty=keep_empty,
        )
