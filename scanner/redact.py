"""Keep credentials out of everything piimap prints, logs or stores."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

__all__ = ["redact_url", "redact_text", "url_secrets", "printable"]

# C0 and C1 control characters and DEL, except tab and newline: in a terminal they can recolour,
# move the cursor or plant hyperlinks (``ESC ] 8``), so names from scanned data never carry them.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with control characters shown as ``\\xNN`` (for terminals and logs)."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


# scheme://user:password@host  -> scheme://user:***@host. A scheme starts only where a word does
# (the look-behind): otherwise every offset of a long run of letters is a candidate scheme and
# the search takes quadratic time (8 KB of letters took 1.4 s; see tests/test_fuzz_security.py).
_USERINFO_PASSWORD = re.compile(
    r"(?<![A-Za-z0-9+.\-])(?P<prefix>[A-Za-z][A-Za-z0-9+.\-]*://[^:/?#@\s]*:)(?P<password>[^@\s/]*)@"
)
# password=..., pwd=..., secret=..., token=... in query strings and DSNs
_KEY_VALUE_SECRET = re.compile(
    r"(?P<key>\b(?:password|passwd|pwd|secret|token|access_key|secret_key|aws_secret_access_key)=)"
    r"(?P<value>[^&;\s]+)",
    re.IGNORECASE,
)


def redact_url(url: str) -> str:
    """Return ``url`` with any password (userinfo or ``password=`` query) replaced by ``***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact_text(url)
    if parts.password is not None:
        user = parts.username or ""
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        try:
            port = parts.port
        except ValueError:
            port = None
        netloc = f"{user}:***@{host}" + (f":{port}" if port else "")
        url = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return redact_text(url)


def redact_text(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Mask URL passwords, ``key=secret`` pairs and any of ``secrets`` found in free text."""
    text = _USERINFO_PASSWORD.sub(lambda m: f"{m['prefix']}***@", text)
    text = _KEY_VALUE_SECRET.sub(lambda m: f"{m['key']}***", text)
    for secret in secrets:
        if secret and len(secret) >= 3:
            text = text.replace(secret, "***")
    return text


def url_secrets(url: str) -> tuple[str, ...]:
    """The secrets inside ``url`` (its password, raw and percent-decoded) to mask in free text."""
    from urllib.parse import unquote

    try:
        password = urlsplit(url).password
    except ValueError:
        return ()
    if not password:
        return ()
    return tuple(dict.fromkeys((password, unquote(password))))
