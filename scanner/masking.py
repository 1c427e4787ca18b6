"""Masked evidence: enough to recognise the kind of value, never enough to recover it.

Every example that leaves a classifier goes through :func:`mask`. Masks keep the shape (an
email still looks like an email, a phone keeps its last two digits, an IP its first octet) so a
person can judge a finding without seeing personal data.
"""

from __future__ import annotations

import re

__all__ = ["mask", "mask_email", "mask_generic", "mask_ip", "mask_phone", "mask_name"]

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
    digits = _DIGIT.findall(value)
    keep = 2 if len(digits) > 4 else 0
    seen = 0
    total = len(digits)
    out = []
    for char in value.strip():
        if char.isdigit():
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


def mask(category: str, value: str, max_length: int = 64) -> str:
    """Mask ``value`` the way that suits ``category`` (generic for unknown categories)."""
    masker = _BY_CATEGORY.get(category, mask_generic)
    masked = masker(value[:256])
    raw = value.strip()
    if len(raw) >= 5 and raw in masked:  # a value not shaped like its category (no digits, no dots)
        masked = mask_generic(value[:256])
    return masked[:max_length]
