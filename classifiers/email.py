"""Email addresses (``user.contact.email``).

A cheap candidate test (exactly one ``@``, a dot after it) comes first; candidates are then checked
by ``email_validator.validate_email(..., check_deliverability=False)`` (syntax, internationalised
domains, no DNS). In free text (log lines) a candidate regex with word boundaries finds addresses
inside the line and each one is validated the same way.

Fast path (same answers, about 15x cheaper per distinct address): when the local part is plain
ASCII dot-atom text, ``email_validator`` accepts it whatever it holds, so only the domain and the
address length remain. The domain is validated once per distinct domain (by ``email_validator``
itself, on ``a@<domain>``) and the length of each of its forms is cached; the address is then
valid when ``local@`` plus the longest form fits the 254-octet limit, invalid when even the
shortest form does not fit, and anything in between, or any other local part (quoted, non-ASCII),
goes to the full ``validate_email``.

Known false positives: strings that are syntactically emails but are not a person's address
(``noreply@company.com``, ``git@github.com``, package maintainer lists); use ``allow.values`` for
such role accounts. Known misses: addresses on special-use domains (``.local``, ``.test``,
``localhost``), quoted local parts, and obfuscated addresses (``jane at example dot com``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import repeat

from piimap.classifiers.base import LiteralLineTest, SingleCategoryClassifier, TextHit
from piimap.classifiers.fieldnames import CategoryRule, NameEvidence, phrases
from piimap.classifiers.prefilter import shape_of
from piimap.classifiers.spec import CategorySpec
from piimap.masking import mask_email
from piimap.model import Detection, FieldSample
from piimap.scancache import value_cache

__all__ = ["EmailClassifier", "email_strengths", "find_emails", "is_email"]

CATEGORY = "user.contact.email"

#: field-name rules of this category (see :mod:`piimap.classifiers.fieldnames`)
NAMES = CategoryRule(
    strong=phrases("email", "e mail", "mail", "emailaddress", "mail address", "email address", "courriel"),
    weak=phrases("contact", "login", "recipient", "sender", "reply to", "from", "to", "cc", "bcc"),
    contradicting=frozenset(
        {"hash", "sha", "md5", "digest", "verified", "count", "template", "domain", "status"}
    ),
    glued=("email",),
)
SPEC = CategorySpec(
    key=CATEGORY,
    names=NAMES,
    explain="A syntactically valid email address (checked by email-validator, no DNS), in a field or inside a line of text.",
    mask=mask_email,
)

#: strength of a valid address that is the whole value, and of one found inside longer text
WHOLE_VALUE_STRENGTH = 1.0
EMBEDDED_STRENGTH = 0.9

_CANDIDATE = re.compile(
    r"[^@\s<>()\[\],;:\"']{1,64}@[^@\s<>()\[\],;:\"']{1,253}\.[^@\s<>()\[\],;:\"'.]{2,63}"
)
_IN_TEXT = re.compile(
    r"(?<![\w.+%-])[\w.+%'-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})*\.[^\W\d_]{2,63}(?![\w@-])",
)


#: "domains" that are file names (``app@2x.png``, ``icon@3x.webp``), never an address
_FILE_SUFFIXES = frozenset(
    [
        "png",
        "jpg",
        "jpeg",
        "gif",
        "svg",
        "webp",
        "ico",
        "bmp",
        "tif",
        "tiff",
        "css",
        "js",
        "mjs",
        "map",
        "json",
        "html",
        "htm",
        "txt",
        "pdf",
        "woff",
        "woff2",
        "ttf",
    ]
)


#: email_validator's length limit for a whole address, in UTF-8 octets (RFC 3696 errata 1690)
_ADDRESS_MAX_OCTETS = 254
#: RFC 5321 local part limit; the candidate regex already caps the local part at 64 characters
_LOCAL_PART_MAX_LENGTH = 64
#: RFC 5322 dot-atom over ASCII atext: email_validator's ``DOT_ATOM_TEXT``, which accepts such a
#: local part as it is (no normalisation, no other check outside ``strict`` mode)
_ASCII_DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


@value_cache(maxsize=65536)
def is_email(value: str) -> bool:
    """True when ``value`` (trimmed, ``mailto:`` removed) is a syntactically valid email address."""
    address = _candidate_address(value)
    if address is None:
        return False
    verdict = _fast_verdict(address)
    return _validates(address) if verdict is None else verdict


def _is_email_slow(value: str) -> bool:
    """:func:`is_email` without the fast path and without caching: the reference it must agree with."""
    address = _candidate_address(value)
    return address is not None and _validates(address)


def _candidate_address(value: str) -> str | None:
    """``value`` trimmed and without ``mailto:`` when it has an address's shape, else None."""
    value = value.strip()
    if value[:7].lower() == "mailto:":
        value = value[7:]
    # the same tests as ``shape_of(value)`` (one "@", no space, a dot, at most 320 characters),
    # done directly: a distinct value's full Shape costs more than the fast path below
    if value.count("@") != 1 or " " in value or "." not in value or len(value) > 320:
        return None
    if not _CANDIDATE.fullmatch(value) or value.rsplit(".", 1)[-1].lower() in _FILE_SUFFIXES:
        return None
    return value


def _validates(address: str) -> bool:
    """The full check: ``email_validator.validate_email`` without DNS."""
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def _fast_verdict(address: str) -> bool | None:
    """``validate_email``'s answer for an address with a plain ASCII local part; None when unsure."""
    local_part, _, domain = address.partition("@")
    if len(local_part) > _LOCAL_PART_MAX_LENGTH or not _ASCII_DOT_ATOM.fullmatch(local_part):
        return None
    checked = _checked_domain(domain)
    return False if checked is None else checked.fits(len(local_part))


@dataclass(frozen=True, slots=True)
class _CheckedDomain:
    """A domain email_validator accepts, with the extent of the forms it length-checks.

    An address is checked in three forms (as given, normalised, with the domain in IDNA ASCII);
    the domain's share of each lies between ``shortest_length`` characters and ``longest_octets``
    UTF-8 octets. The two differ only for internationalised or non-normalised domains.
    """

    shortest_length: int
    longest_octets: int

    def fits(self, local_length: int) -> bool | None:
        """Whether an address with a local part this long is within the length limit; None when unsure."""
        if local_length + 1 + self.longest_octets <= _ADDRESS_MAX_OCTETS:
            return True
        if local_length + 1 + self.shortest_length > _ADDRESS_MAX_OCTETS:
            return False
        return None


@value_cache(maxsize=16384)
def _checked_domain(domain: str) -> _CheckedDomain | None:
    """``domain``'s forms when ``a@<domain>`` is valid; None when it is not.

    ``a`` is the shortest valid local part, so when ``a@<domain>`` fails (a domain rule, or the
    address length) every address on this domain fails too.
    """
    from email_validator import EmailNotValidError, validate_email

    try:
        validated = validate_email("a@" + domain, check_deliverability=False)
    except EmailNotValidError:
        return None
    forms = (domain, validated.domain, validated.ascii_domain)
    return _CheckedDomain(
        shortest_length=min(len(form) for form in forms),
        longest_octets=max(len(form.encode("utf-8")) for form in forms),
    )


#: every line :func:`find_emails` can find an address on: it returns nothing without an "@"
TEXT_LINES = LiteralLineTest("@")


def find_emails(line: str) -> Iterable[TextHit]:
    """Valid email addresses inside a line of text."""
    at = line.find("@")
    if at < 0:
        return ()
    # a match's local part is the 1-64 characters before its "@" (the first one or a later one)
    # and holds no space, so no match starts before both of these
    start = max(at - 64, line.rfind(" ", 0, at) + 1, 0)
    return tuple(
        TextHit(match.group(0), EMBEDDED_STRENGTH)
        for match in _IN_TEXT.finditer(line, start)
        if is_email(match.group(0).strip(".'"))
    )


def _strength(value: str) -> float:
    if is_email(value):
        return WHOLE_VALUE_STRENGTH
    # a value holding an address among other words ("Jane <jane@x.org>", a notes column)
    if "@" in value and (shape_of(value).spaces or "<" in value) and any(find_emails(value)):
        return EMBEDDED_STRENGTH * 0.8
    return 0.0


#: one plain address: an ASCII dot-atom local part (without ``'``, which the candidate test
#: refuses) and an ASCII host name; what such a value is worth is decided per domain
_PLAIN_LOCAL_CHARS = "A-Za-z0-9!#$%&*+/=?^_`{|}~-"
_PLAIN_ADDRESS = re.compile(
    rf"[{_PLAIN_LOCAL_CHARS}]+(?:\.[{_PLAIN_LOCAL_CHARS}]+)*@((?:[A-Za-z0-9-]+\.)+([A-Za-z]{{2,63}}))"
)
_PLAIN_DOMAIN = re.compile(r"(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,63}")
#: every character a list of plain addresses (one per line) may hold
_PLAIN_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&*+/=?^_`{|}~-" + b"@.\n"


def email_strengths(values: list[str]) -> list[float]:
    """``[_strength(value) for value in values]``, cheaper for the plain addresses that fill a column.

    A plain address (``_PLAIN_ADDRESS``) with a local part of at most 64 characters and a domain
    of at most 253 passes every test of :func:`_candidate_address` but the file-suffix one, so its
    answer is :func:`_fast_verdict`'s: its domain's cached check and the length limit. When every
    value is such an address (:func:`_all_plain_addresses`, string methods over all of them at
    once) and every domain passes, all are addresses; otherwise each value is looked at, and any
    that is not plain takes :func:`_strength`.
    """
    domains = _all_plain_addresses(values)
    if (
        domains is not None
        and max(map(len, values)) <= _ADDRESS_MAX_OCTETS
        and all(
            (checked := _plain_domain(domain)) is not None and checked.longest_octets == len(domain)
            for domain in domains
        )
    ):
        return [WHOLE_VALUE_STRENGTH] * len(values)
    strengths = []
    for value, match in zip(values, map(_PLAIN_ADDRESS.fullmatch, values)):
        if match is not None:
            checked = _plain_domain(match.group(1))
            local_length = match.start(1) - 1
            if checked is None:
                strengths.append(0.0)
                continue
            if local_length <= _LOCAL_PART_MAX_LENGTH and checked.fits(local_length):
                strengths.append(WHOLE_VALUE_STRENGTH)
                continue
        strengths.append(_strength(value))
    return strengths


def _all_plain_addresses(values: list[str]) -> set[str] | None:
    """The distinct domains when every value is a plain address with a local part of 1-64 characters.

    The same test as ``_PLAIN_ADDRESS.fullmatch`` on each value, made of C-speed string operations
    over all values joined by newlines (one ``@`` per value, no dot at either end of a local part or
    next to another dot, only plain characters), then the regex on each distinct domain.
    """
    if not values:
        return None
    joined = "\n".join(values)
    if (
        not joined.isascii()
        or joined.encode("ascii").translate(None, _PLAIN_BYTES)
        or joined.count("\n") != len(values) - 1
        or joined.count("@") != len(values)
        or ".." in joined
        or ".@" in joined
        or "@." in joined
        or "\n." in joined
        or joined.startswith(".")
    ):
        return None
    ats = list(map(str.find, values, repeat("@")))
    if min(ats) < 1 or max(ats) > _LOCAL_PART_MAX_LENGTH:
        return None
    domains = {value[at + 1 :] for value, at in zip(values, ats)}
    return domains if all(map(_PLAIN_DOMAIN.fullmatch, domains)) else None


def _plain_domain(domain: str) -> _CheckedDomain | None:
    """:func:`_checked_domain` of a plain address's domain; None also for file names and overlong domains."""
    if len(domain) > 253 or domain.rsplit(".", 1)[-1].lower() in _FILE_SUFFIXES:
        return None
    return _checked_domain(domain)


class EmailClassifier(SingleCategoryClassifier):
    """Finds email addresses in fields and inside free text."""

    id = "email"
    categories = (CATEGORY,)
    specs = (SPEC,)
    text_what = "an email address"
    text_prefilter = TEXT_LINES

    def text_finder(self, sample: FieldSample) -> Callable[[str], Iterable[TextHit]]:
        return find_emails

    def judge_structured(
        self, sample: FieldSample, evidence: NameEvidence, *, keep_empty: bool
    ) -> Detection | None:
        return self.judge_values(
            sample,
            evidence,
            _strength,
            what="valid email addresses",
            keep_empty=keep_empty,
            judge_many=email_strengths,
        )
