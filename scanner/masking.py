"""Masked evidence: enough to recognise the kind of value, never enough to recover it.

Every example that leaves a classifier goes through :func:`mask`. Masks keep the shape (an
email still looks like an email, a phone keeps its last two digits, an IP its first octet) so a
person can judge a finding without seeing personal data.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = [
    "mask",
    "mask_digits",
    "mask_email",
    "mask_generic",
    "mask_ip",
    "mask_name",
    "mask_phone",
    "mask_secret",
]

_DIGIT = re.compile(r"\d")


def mask_email(value: str) -> str:
    """``jane.doe@example.com`` -> ``j***@e***.com``."""
    local, _, domain = value.strip().rpartition("@")
    if not local:
        return mask_generic(value)
    host, dot, tld = domain.rpartition(".")
    if not dot:
        host, tld = domain, ""
    return f"{local[:1]}***@{host[:1]}***" + (f".{tld}" if tld else "")


def mask_phone(value: str) -> str:
    """Keep a leading ``+``, separators and the last two digits: ``+1 415-555-0134`` -> ``+* ***-***-**34``."""
    keep = 2 if len(_DIGIT.findall(value)) > 4 else 0
    return _star_all_but_last(value.strip(), keep, str.isdigit)


def _star_all_but_last(value: str, keep: int, counts: Callable[[str], bool]) -> str:
    """``value`` with every character ``counts`` accepts starred but the last ``keep`` of them."""
    total = sum(map(counts, value))
    seen = 0
    out = []
    for char in value:
        if counts(char):
            seen += 1
            out.append(char if seen > total - keep else "*")
        else:
            out.append(char)
    return "".join(out)


def mask_ip(value: str) -> str:
    """Keep the first group: ``203.0.113.7`` -> ``203.*.*.*``; ``2001:db8::1`` -> ``2001:*:*``."""
    value = value.strip()
    if "." in value and ":" not in value:
        head = value.split(".", 1)[0]
        return f"{head}.*.*.*"
    head = value.split(":", 1)[0]
    return f"{head}:*:*"


def mask_name(value: str) -> str:
    """``Jane van Doe`` -> ``J*** v*** D***``."""
    words = value.split()
    return " ".join(f"{word[:1]}***" for word in words[:4]) or "***"


def mask_generic(value: str) -> str:
    """Keep the first two and last two characters of identifiers, star the middle."""
    value = value.strip()
    if len(value) <= 4:
        return "*" * len(value)
    if len(value) <= 8:
        return f"{value[:1]}{'*' * (len(value) - 2)}{value[-1:]}"
    middle = min(len(value) - 4, 12)
    return f"{value[:2]}{'*' * middle}{value[-2:]}"


_BY_CATEGORY = {
    "user.contact.email": mask_email,
    "user.contact.phone_number": mask_phone,
    "user.device.ip_address": mask_ip,
    "user.name": mask_name,
}


def mask_digits(value: str, keep: int = 4) -> str:
    """Star every letter and digit but the last ``keep`` ones (at most a third of them), keeping
    separators: ``4111 1111 1111 1111`` -> ``**** **** **** 1111``, ``123-45-6789`` -> ``***-**-*789``.

    For card numbers, government ids and bank accounts: the shape says what the value is, the last
    characters tell two values apart, and no more than a third of the value ever shows.
    """
    value = value.strip()
    return _star_all_but_last(value, min(keep, sum(map(str.isalnum, value)) // 3), str.isalnum)


def mask_secret(value: str) -> str:
    """Credentials: only what kind of secret it is (``$2b$``, ``eyJ...`` JWT, ``Bearer``), never a character of it."""
    value = value.strip()
    for prefix in ("$2a$", "$2b$", "$2y$", "$argon2id$", "$argon2i$", "$argon2d$", "$5$", "$6$", "$1$"):
        if value.startswith(prefix):
            return prefix + "***"
    if value.lower().startswith("bearer "):
        return "Bearer ***"
    if value.startswith("eyJ") and value.count(".") == 2:
        return "eyJ***.***.***"
    return "***"


def mask(category: str, value: str, max_length: int = 64, masker: Callable[[str], str] | None = None) -> str:
    """Mask ``value`` with ``masker`` (the category's own, from its classifier's spec), else the
    way that suits ``category`` (generic for unknown categories).

    Whatever the masker returns, a value of five characters or more never shows whole in the
    result (it is masked generically instead).
    """
    masker = masker or _BY_CATEGORY.get(category, mask_generic)
    masked = masker(value[:256])
    raw = value.strip()
    if len(raw) >= 5 and raw in masked:  # a value not shaped like its category (no digits, no dots)
        masked = mask_generic(value[:256])
    return masked[:max_length]
