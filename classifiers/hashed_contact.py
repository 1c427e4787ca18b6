"""Hashed contact data: SHA-256 digests of normalised e-mail addresses and phone numbers.

Advertising and analytics protocols send contact data hashed (Meta's ``em`` / ``ph``, Google's
enhanced conversions, TikTok's ``email`` / ``phone_number``): the digest of the trimmed,
lower-cased e-mail address, or of the phone number's digits with the country code. A hash
identifies the person just as well (the recipient matches it against its own users' hashes), so
it counts as the contact category itself: ``user.contact.email`` or
``user.contact.phone_number``, with the evidence saying it was hashed.

A digest alone looks like any other SHA-256 (a checksum, an ETag, a commit), so a field is tagged
only when its values are SHA-256 hex digests (64 hex digits) *and* its name says e-mail or phone
(``em``, ``email``, ``hashed_email``, ``sha256_email_address``, ``ud[em]``, ``ph``, ``phone``...):
0.9 per value. :func:`contact_hash` gives the digest of a clear value, so a caller that saw the
clear value elsewhere (:mod:`piimap.flows`) recognises its digest under any name.

Known false positives: a field named ``email_hash`` holding the digest of something else.
Known misses: digests under uninformative names (unless confirmed as above), other hash
functions (MD5, SHA-1), salted hashes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import ClassVar

from piimap.classifiers.base import format_confidence
from piimap.classifiers.options import tuning_options
from piimap.evidence import example_for
from piimap.model import Detection, FieldSample
from piimap.schema.base import NoOptions
from piimap.settings import ScanSettings

__all__ = [
    "HashedContactClassifier",
    "EMAIL",
    "PHONE",
    "is_sha256_hex",
    "contact_hash",
    "hashed_name_category",
    "mask_digest",
]

EMAIL = "user.contact.email"
PHONE = "user.contact.phone_number"
NAMED_DIGEST_STRENGTH = 0.9

_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
_WORD = re.compile(r"[a-z0-9]+")
_EMAIL_WORDS = frozenset({"em", "email", "emails", "mail", "emailaddress", "hem", "mailaddress"})
_PHONE_WORDS = frozenset({"ph", "phone", "phonenumber", "tel", "telephone", "mobile", "msisdn", "cell"})
_EMAIL_PHRASES = ("e mail", "email address", "mail address")
_PHONE_PHRASES = ("phone number", "mobile number", "cell phone")
_EMAIL_SHAPE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[A-Za-z]{2,}$")


def is_sha256_hex(value: str) -> bool:
    """True for 64 hexadecimal digits (any case)."""
    return len(value) == 64 and _SHA256.match(value) is not None


def contact_hash(value: str, category: str) -> str | None:
    """The SHA-256 hex digest advertising APIs expect for a clear e-mail address or phone number.

    E-mail: trimmed and lower-cased. Phone: its digits only (with the country code when the value
    starts with ``+``). ``None`` when the value is not of that kind.
    """
    if category == EMAIL:
        text = value.strip().lower()
        if not _EMAIL_SHAPE.match(text):
            return None
    elif category == PHONE:
        text = "".join(char for char in value if char.isdigit()).lstrip("0")
        if not 7 <= len(text) <= 15:
            return None
    else:
        return None
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hashed_name_category(field_name: str | None) -> str | None:
    """The contact category a field's name points at (``ud[em]`` -> e-mail, ``sha256_phone`` -> phone)."""
    if not field_name:
        return None
    leaf = field_name.rsplit(".", 1)[-1]
    leaf = re.sub(r"([a-z])([A-Z])", r"\1 \2", leaf).lower()  # hashedEmail -> hashed email
    words = _WORD.findall(leaf.replace("[]", " "))
    joined = "".join(words)
    phrase = " ".join(words)
    if any(word in _EMAIL_WORDS for word in words) or any(item in phrase for item in _EMAIL_PHRASES):
        return EMAIL
    if "email" in joined and "sha" in joined:
        return EMAIL
    if any(word in _PHONE_WORDS for word in words) or any(item in phrase for item in _PHONE_PHRASES):
        return PHONE
    if "phone" in joined and "sha" in joined:
        return PHONE
    return None


def mask_digest(value: str) -> str:
    """``3f2a...`` (the first 4 of 64 hex digits: nothing about the person)."""
    return f"sha256:{value[:4].lower()}…"


class HashedContactClassifier:
    """SHA-256 digests of e-mail addresses and phone numbers in fields named for them."""

    id: ClassVar[str] = "hashed_contact"
    categories: ClassVar[tuple[str, ...]] = (EMAIL, PHONE)
    options_model: ClassVar[type] = NoOptions
    #: classify weighs each distinct value by its count: a full scan's counted sample (millions of
    #: log lines, a few thousand distinct values) is not repeated out value by value
    accepts_counts: ClassVar[bool] = True

    def __init__(self, settings: ScanSettings) -> None:
        self.settings = settings

    def explain_field(self, sample: FieldSample) -> list[str]:
        """Why ``sample``'s field is or is not tagged as hashed contact data, in words."""
        category = hashed_name_category(sample.field.name)
        if category is None:
            return []
        detections = tuple(self.classify(sample))
        if not detections:
            return [f"{category} (hashed): the name says so, but no value is a SHA-256 digest"]
        return [
            f"{detection.category}: {detection.evidence}; confidence "
            f"{format_confidence(detection.confidence, self.settings.min_confidence)}"
            for detection in detections
        ]

    def classify(self, sample: FieldSample) -> Iterable[Detection]:
        if sample.field.name is None or tuning_options(self.settings).allow.allows_field(sample.field):
            return ()
        category = hashed_name_category(sample.field.name)
        if category is None:
            return ()
        matched = sampled = 0
        examples: list[str] = []
        for value, count in sample.counted():
            sampled += count
            digest = value.strip()
            if is_sha256_hex(digest):
                matched += count
                if len(examples) < self.settings.max_examples:
                    example = example_for(self.settings.evidence, category, digest)
                    if example is not None:
                        examples.append(
                            mask_digest(value) if self.settings.evidence.mode == "masked" else example
                        )
        if not matched:
            return ()
        confidence = round(NAMED_DIGEST_STRENGTH * matched / sampled, 4)
        kind = "e-mail addresses" if category == EMAIL else "phone numbers"
        return (
            Detection(
                category=category,
                classifier=self.id,
                confidence=confidence,
                matched=matched,
                sampled=sampled,
                examples=tuple(examples),
                evidence=f"{matched}/{sampled} values are SHA-256 digests in a field named for {kind} "
                f"(hashed contact data)",
            ),
        )
