"""Payment card numbers (``user.financial.credit_card``): Luhn, issuer ranges and lengths, masked PANs.

A value is a card number when its digits (spaces or hyphens between groups allowed) have a length
its issuer uses and a prefix in that issuer's range (Visa 4: 16 or 19 digits; Mastercard 51-55 and
2221-2720: 16; American Express 34/37: 15; Discover 6011, 644-649, 65: 16-19; Diners Club 36,
300-305, 38-39: 14-19; JCB 3528-3589: 16-19; UnionPay 62: 16-19; Mir 2200-2204: 16-19; Maestro 50, 56-58, 67: 12-19)
and the Luhn check holds (:mod:`stdnum.luhn`): strength 0.95. Masked PANs (``4111 **** ****
1111``, ``411111******1111``, ``XXXX-XXXX-XXXX-1111``: 12 to 19 digits and mask characters, at
least four digits shown, the shown first digits in an issuer range when the value starts with
digits) are card data too: 0.85. In free text: grouped or bare 13-19 digit runs at word
boundaries with the same checks.

Known false positives: a 16-digit id that starts with 4 or 5 and passes Luhn (one in ten of random
ones), in a column where most values do. Known misses: card numbers of issuers outside the ranges above.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from piimap.classifiers.base import ClassLineTest, PatternLineTest, SingleCategoryClassifier, TextHit
from piimap.classifiers.checksums import luhn_valid
from piimap.classifiers.fieldnames import ID_WORDS, CategoryRule, NameEvidence, phrases
from piimap.classifiers.spec import CategorySpec
from piimap.masking import mask_digits
from piimap.model import Detection, FieldSample
from piimap.scancache import value_cache

__all__ = ["CreditCardClassifier", "card_strength", "card_issuer", "find_cards"]

CATEGORY = "user.financial.credit_card"
CARD_STRENGTH = 0.95
MASKED_STRENGTH = 0.85

NAMES = CategoryRule(
    strong=phrases(
        "card number",
        "cardnumber",
        "credit card",
        "creditcard",
        "cc number",
        "ccnum",
        "cc",
        "pan",
        "masked pan",
        "card",
        "card no",
        "debit card",
        "kartennummer",
        "numero carte",
        "numero tarjeta",
    ),
    weak=phrases("payment method", "last4"),
    contradicting=frozenset(
        {"type", "brand", "expiry", "expires", "exp", "cvv", "cvc", "holder", "name", "count"}
    )
    | (ID_WORDS - {"payment"}),
    glued=("cardnumber", "creditcard"),
)
SPEC = CategorySpec(
    key=CATEGORY,
    names=NAMES,
    explain="A payment card number: issuer range, length and Luhn check digit, or a masked PAN "
    "(4111 **** **** 1111).",
    mask=mask_digits,
)

#: (first digits, lowest, highest, lengths) per issuer range
_RANGES: tuple[tuple[int, int, int, frozenset[int]], ...] = (
    (1, 4, 4, frozenset({16, 19})),  # Visa
    (2, 51, 55, frozenset({16})),  # Mastercard
    (4, 2221, 2720, frozenset({16})),  # Mastercard 2-series
    (2, 34, 34, frozenset({15})),  # American Express
    (2, 37, 37, frozenset({15})),
    (4, 6011, 6011, frozenset(range(16, 20))),  # Discover
    (3, 644, 649, frozenset(range(16, 20))),
    (2, 65, 65, frozenset(range(16, 20))),
    (2, 36, 36, frozenset(range(14, 20))),  # Diners Club
    (3, 300, 305, frozenset(range(14, 20))),
    (2, 38, 39, frozenset(range(14, 20))),
    (4, 3528, 3589, frozenset(range(16, 20))),  # JCB
    (2, 62, 62, frozenset(range(16, 20))),  # UnionPay
    (2, 50, 50, frozenset(range(12, 20))),  # Maestro
    (2, 56, 58, frozenset(range(12, 20))),
    (2, 67, 67, frozenset(range(12, 20))),
    (4, 2200, 2204, frozenset(range(16, 20))),  # Mir
)
_GROUPED = re.compile(r"\d{4,6}(?:[ -]\d{4,6}){1,3}(?:[ -]\d{1,6})?|\d{12,19}")
_MASKED = re.compile(r"[0-9*xX\u2022#]{12,19}|[0-9*xX\u2022#]{4,6}(?:[ -][0-9*xX\u2022#]{2,6}){1,4}")
_MASK_CHARS = frozenset("*xX\u2022#")


def card_issuer(digits: str) -> bool:
    """Whether ``digits`` (a whole number, or the shown head of a masked one with ``length`` unknown)
    start in an issuer range with a length that issuer uses."""
    length = len(digits)
    for size, low, high, lengths in _RANGES:
        if length in lengths and low <= int(digits[:size]) <= high:
            return True
    return False


def _issuer_prefix(head: str) -> bool:
    """The first shown digits of a masked PAN fit some issuer range."""
    for size, low, high, _lengths in _RANGES:
        if len(head) >= size and low <= int(head[:size]) <= high:
            return True
    return False


@value_cache(maxsize=65536)
def card_strength(value: str) -> float:
    """How surely ``value`` is a card number (0.95) or a masked one (0.85); 0 when neither."""
    value = value.strip()
    if not 12 <= len(value) <= 23:
        return 0.0
    if _GROUPED.fullmatch(value):
        digits = value.replace(" ", "").replace("-", "")
        if 12 <= len(digits) <= 19 and card_issuer(digits) and luhn_valid(digits):
            return CARD_STRENGTH
        return 0.0
    if not _MASK_CHARS.intersection(value) or not _MASKED.fullmatch(value):
        return 0.0
    compact = value.replace(" ", "").replace("-", "")
    if not 12 <= len(compact) <= 19:
        return 0.0
    shown = sum(char.isdigit() for char in compact)
    masked = len(compact) - shown
    if shown < 4 or masked < 4 or not compact[-4:].isdigit():
        return 0.0
    head = compact[: len(compact) - len(compact.lstrip("0123456789"))]
    if head and not _issuer_prefix(head):
        return 0.0
    if masked + shown != len(compact) or any(char.isdigit() for char in compact[len(head) : -4]):
        return 0.0  # digits shown in the middle of the mask: not a PAN mask
    return MASKED_STRENGTH


_IN_TEXT = re.compile(
    r"(?<![\w.-])(\d{4}(?:[ -]\d{4}){2,3}(?:[ -]\d{1,3})?|\d{4}[ -]\d{6}[ -]\d{5}|\d{13,19})(?![\w-])"
)
#: every hit of ``_IN_TEXT`` is 13+ digits in a row, or starts with 4 digits, a separator and 4 or 6
#: digits (``4-4-4``, ``4-6-5``); a year or a time in a log line holds neither
#: (the alternatives share their first four digits: the same lines as ``TEXT_LINES_REFERENCE``,
#: tests/test_text_prefilter.py, at three times its speed on log lines full of digits)
TEXT_LINES_OVER_TEXT = PatternLineTest(re.compile(r"\d{4}(?:[ -]\d{4}(?:[ -]\d{4}|\d\d)|\d{9})"))
#: the same pattern over ASCII text's digits written ``0`` (:class:`ClassLineTest`): a literal search
TEXT_LINES = ClassLineTest(
    literals=(),
    patterns=(re.compile(rb"0000(?:[ -]0000(?:[ -]0000|00)|0{9})"),),
    fallback=TEXT_LINES_OVER_TEXT,
)
TEXT_LINES_REFERENCE = re.compile(r"\d{4}[ -]\d{4}[ -]\d{4}|\d{4}[ -]\d{6}|\d{13}")


def find_cards(line: str) -> Iterable[TextHit]:
    """Card numbers (issuer range, length, Luhn) inside a line of text."""
    hits = []
    for match in _IN_TEXT.finditer(line):
        if card_strength(match.group(1)) == CARD_STRENGTH:
            hits.append(TextHit(match.group(1), CARD_STRENGTH * 0.95))
    return tuple(hits)


class CreditCardClassifier(SingleCategoryClassifier):
    """Finds payment card numbers and masked PANs."""

    id = "credit_card"
    categories = (CATEGORY,)
    specs = (SPEC,)
    text_what = "a card number"
    text_prefilter = TEXT_LINES

    def text_finder(self, sample: FieldSample) -> Callable[[str], tuple[TextHit, ...]]:
        return find_cards  # type: ignore[return-value]

    def judge_structured(
        self, sample: FieldSample, evidence: NameEvidence, *, keep_empty: bool
    ) -> Detection | None:
        return self.judge_values(
            sample,
            evidence,
            card_strength,
            what="card numbers (issuer, length, Luhn) or masked PANs",
            keep_empty=keep_empty,
        )
