"""Account credentials (``user.authorization.credentials``): JWTs, bearer tokens, password hashes.

* JWT: three base64url segments whose first decodes to a JSON object with an ``alg`` (the decoded
  header check; the payload is never decoded, and nothing is verified): 0.95.
* ``Bearer <token>`` (OAuth 2 / RFC 6750) with a token of 16 or more token characters: 0.9.
* Password hashes by their modular-crypt prefix and exact shape: bcrypt (``$2a$``, ``$2b$``,
  ``$2y$``, cost and 53 characters), argon2 (``$argon2id$v=19$m=...,t=...,p=...$salt$hash``),
  sha-crypt (``$5$`` / ``$6$``, optional rounds) and md5-crypt (``$1$``): 0.95.
* Opaque tokens (20 or more characters of letters, digits and ``-_.~+/=``, with letters and
  digits) count only in a field named for them (``access_token``, ``refresh_token``, ``api_key``,
  ``password_hash``): 0.9.

In free text: JWTs, ``Bearer`` tokens and password hashes. Examples never show a character of the
secret (:func:`piimap.masking.mask_secret`: ``$2b$***``, ``eyJ***.***.***``, ``Bearer ***``).

Known false positives: a JWT-shaped value that is a service's own token rather than a person's.
Known misses: API keys and session secrets in fields with uninformative names.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterable

from piimap.classifiers.base import PatternLineTest, SingleCategoryClassifier, TextHit
from piimap.classifiers.fieldnames import CategoryRule, NameEvidence, phrases
from piimap.classifiers.spec import CategorySpec
from piimap.masking import mask_secret
from piimap.model import Detection, FieldSample
from piimap.scancache import value_cache

__all__ = ["CredentialsClassifier", "credential_strength", "find_credentials", "is_jwt"]

CATEGORY = "user.authorization.credentials"
STRENGTH = 0.95
BEARER_STRENGTH = 0.9
NAMED_STRENGTH = 0.9

NAMES = CategoryRule(
    strong=phrases(
        "password",
        "password hash",
        "passwd",
        "pwd",
        "pass hash",
        "hashed password",
        "password digest",
        "access token",
        "refresh token",
        "id token",
        "auth token",
        "bearer",
        "bearer token",
        "jwt",
        "api key",
        "apikey",
        "secret",
        "client secret",
        "authorization",
        "oauth token",
        "session secret",
        "credentials",
        "token",
    ),
    weak=phrases("auth", "hash"),
    contradicting=frozenset(
        {"expires", "expiry", "type", "count", "length", "policy", "reset", "at", "ttl", "scope"}
    ),
    glued=("password", "token"),
)
SPEC = CategorySpec(
    key=CATEGORY,
    names=NAMES,
    explain="A secret that opens a person's account: a JWT (decoded header with alg), a Bearer token, "
    "a bcrypt/argon2/sha-crypt password hash.",
    mask=mask_secret,
)

_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*")
_BEARER = re.compile(r"[Bb]earer +[A-Za-z0-9._~+/-]{16,}=*")
_HASHES = (
    re.compile(r"\$2[abxy]\$\d{2}\$[./A-Za-z0-9]{53}"),
    re.compile(r"\$argon2(?:id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]{8,}\$[A-Za-z0-9+/]{16,}"),
    re.compile(r"\$[56]\$(?:rounds=\d+\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{43,86}"),
    re.compile(r"\$1\$[./A-Za-z0-9]{1,8}\$[./A-Za-z0-9]{22}"),
)
_OPAQUE = re.compile(r"[A-Za-z0-9._~+/=-]{20,512}")


def is_jwt(value: str) -> bool:
    """A JWT: three segments, the first a base64url JSON object with an ``alg`` member."""
    if not _JWT.fullmatch(value):
        return False
    header = value.split(".", 1)[0]
    try:
        decoded = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return False
    return isinstance(decoded, dict) and isinstance(decoded.get("alg"), str)


@value_cache(maxsize=65536)
def credential_strength(value: str, named: bool) -> float:
    """How surely ``value`` is a credential; ``named``: the field's name says token / password."""
    value = value.strip()
    if len(value) < 16:
        return 0.0
    first = value[0]
    if first == "$":
        return STRENGTH if any(pattern.fullmatch(value) for pattern in _HASHES) else 0.0
    if first == "e" and is_jwt(value):
        return STRENGTH
    if first in "Bb" and _BEARER.fullmatch(value):
        return BEARER_STRENGTH
    if named and _OPAQUE.fullmatch(value):
        has_letter = any(char.isalpha() for char in value)
        has_digit = any(char.isdigit() for char in value)
        return NAMED_STRENGTH if has_letter and has_digit else 0.0
    return 0.0


_IN_TEXT = re.compile(
    r"(?<![\w$.-])(eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*|[Bb]earer +[A-Za-z0-9._~+/-]{16,}=*"
    r"|\$(?:2[abxy]|argon2(?:id|i|d)|[156])\$[^\s\"']+)"
)
#: every hit of ``_IN_TEXT`` holds "eyJ", "earer " or a "$" followed by 1, 2, 5, 6 or "argon2"
TEXT_LINES = PatternLineTest(re.compile(r"eyJ|earer |\$(?:[1256]|argon2)"))


def find_credentials(line: str) -> Iterable[TextHit]:
    """JWTs, Bearer tokens and password hashes inside a line of text."""
    hits = []
    for match in _IN_TEXT.finditer(line):
        strength = credential_strength(match.group(1), False)
        if strength:
            hits.append(TextHit(match.group(1), strength * 0.95))
    return tuple(hits)


class CredentialsClassifier(SingleCategoryClassifier):
    """Finds JWTs, bearer tokens and password hashes."""

    id = "credentials"
    categories = (CATEGORY,)
    specs = (SPEC,)
    text_what = "a credential"
    text_prefilter = TEXT_LINES

    def text_finder(self, sample: FieldSample) -> Callable[[str], tuple[TextHit, ...]]:
        return find_credentials  # type: ignore[return-value]

    def judge_structured(
        self, sample: FieldSample, evidence: NameEvidence, *, keep_empty: bool
    ) -> Detection | None:
        named = evidence.strong
        return self.judge_values(
            sample,
            evidence,
            lambda value: credential_strength(value, named),
            what="credentials (JWT, Bearer token, password hash" + (", token" if named else "") + ")",
            keep_empty=keep_empty,
        )
