"""Email addresses (``user.contact.email``).

A cheap candidate test (exactly one ``@``, a dot after it) comes first; candidates are then checked
by ``email_validator.validate_email(..., check_deliverability=False)`` (syntax, internationalised
domains, no DNS). In free text (log lines) a candidate regex with word boundaries finds addresses
inside the line and each one is validated the same way.

Known false positives: strings that are syntactically emails but are not a person's address
(``noreply@company.com``, ``git@github.com``, package maintainer lists); use ``allow.values`` for
such role accounts. Known misses: addresses on special-use domains (``.local``, ``.test``,
``localhost``), quoted local parts, and obfuscated addresses (``jane at example dot com``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from piimap.classifiers.base import SingleCategoryClassifier, TextHit
from piimap.classifiers.fieldnames import NameEvidence
from piimap.classifiers.prefilter import shape_of
from piimap.model import Detection, FieldSample

__all__ = ["EmailClassifier", "is_email", "find_emails"]

CATEGORY = "user.contact.email"
#: strength of a valid address that is the whole value, and of one found inside longer text
WHOLE_VALUE_STRENGTH = 1.0
EMBEDDED_STRENGTH = 0.9

_CANDIDATE = re.compile(r"[^@\s<>()\[\],;:\"']{1,64}@[^@\s<>()\[\],;:\"']{1,253}\.[^@\s<>()\[\],;:\"'.]{2,63}")
_IN_TEXT = re.compile(
    r"(?<![\w.+%-])[\w.+%'-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})*\.[^\W\d_]{2,63}(?![\w@-])",
)


#: "domains" that are file names (``app@2x.png``, ``icon@3x.webp``), never an address
_FILE_SUFFIXES = frozenset("png jpg jpeg gif svg webp ico bmp tif tiff css js mjs map json html htm txt pdf woff woff2 ttf".split())


@lru_cache(maxsize=65536)
def is_email(value: str) -> bool:
    """True when ``value`` (trimmed, ``mailto:`` removed) is a syntactically valid email address."""
    value = value.strip()
    if value[:7].lower() == "mailto:":
        value = value[7:]
    shape = shape_of(value)
    if shape.ats != 1 or shape.spaces or shape.dots == 0 or shape.length > 320:
        return False
    if not _CANDIDATE.fullmatch(value) or value.rsplit(".", 1)[-1].lower() in _FILE_SUFFIXES:
        return False
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def find_emails(line: str) -> Iterable[TextHit]:
    """Valid email addresses inside a line of text."""
    if "@" not in line:
        return ()
    return tuple(
        TextHit(match.group(0), EMBEDDED_STRENGTH)
        for match in _IN_TEXT.finditer(line)
        if is_email(match.group(0).strip(".'"))
    )


def _strength(value: str) -> float:
    if is_email(value):
        return WHOLE_VALUE_STRENGTH
    # a value holding an address among other words ("Jane <jane@x.org>", a notes column)
    if "@" in value and (shape_of(value).spaces or "<" in value) and any(find_emails(value)):
        return EMBEDDED_STRENGTH * 0.8
    return 0.0


class EmailClassifier(SingleCategoryClassifier):
    """Finds email addresses in fields and inside free text."""

    id = "email"
    categories = (CATEGORY,)
    text_what = "an email address"

    def text_finder(self, sample: FieldSample) -> Callable[[str], tuple[TextHit, ...]]:
        return find_emails

    def judge_structured(self, sample: FieldSample, evidence: NameEvidence, *, keep_empty: bool) -> Detection | None:
        return self.judge_values(sample, evidence, _strength, what="valid email addresses", keep_empty=keep_empty)
