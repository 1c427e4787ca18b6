"""Keep credentials out of everything piimap prints, logs or stores.

A URL's password is found the way the code that uses the URL finds it: pymongo's URI parser for
``mongodb://`` and ``mongodb+srv://`` (the MongoDB connector), SQLAlchemy's ``make_url`` for every
other ``scheme://`` URL (SQL sources, the history store). A generic URL parser disagrees with
both: for ``postgresql://u:a/b#c?d@db/shop`` (what ``${DB_PASSWORD}`` expansion gives for the
password ``a/b#c?d``) ``urlsplit`` sees no password at all, and the URL would be printed whole.
A URL that its parser rejects is masked from the user name to its last ``@``; a URL with no
password is shown unchanged.

:func:`redact_url` is the form to show a URL in; :func:`redact_message` cleans an error about a
URL (the URL shown redacted, its password masked in every spelling a driver may echo: raw,
percent-encoded in either case, ``+`` for space, backslash-escaped). Passwords of the sources a
process has connected to are remembered (:func:`remember_url_secrets`), so every later
:func:`redact_text` (log lines, ``--debug`` tracebacks, error lines) masks them too.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from urllib.parse import quote, quote_plus, unquote, unquote_plus

__all__ = [
    "redact_url",
    "redact_text",
    "redact_message",
    "url_secrets",
    "remember_url_secrets",
    "printable",
]

# C0 and C1 control characters and DEL: in a terminal they can recolour, move the cursor, plant
# hyperlinks (``ESC ] 8``), return to the start of the line or start a new one, so text from
# scanned data never carries them to a terminal or a log.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_NEWLINE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with control characters shown as ``\\xNN``, for terminals and logs.

    Newlines are escaped too, so one message stays one line (a file name holding a newline cannot
    forge a second error line); ``keep_newlines`` is for multi-line blocks such as tracebacks.
    """
    pattern = _CONTROL_BUT_NEWLINE if keep_newlines else _CONTROL
    return pattern.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


# scheme://user:password@host -> scheme://user:***@host, in free text where the URL's parser is
# not known (SQLAlchemy's rule: the password runs to the first "@"). A scheme starts only where a
# word does (the look-behind): otherwise every offset of a long run of letters is a candidate
# scheme and the search takes quadratic time (8 KB of letters took 1.4 s; see
# tests/test_fuzz_security.py); the password's length is bounded and its run possessive (never
# given back to look for an "@" earlier) for the same reason.
_USERINFO_PASSWORD = re.compile(
    r"(?<![A-Za-z0-9+.\-])(?P<prefix>[A-Za-z][A-Za-z0-9+.\-]*://[^:/?#@\s]*+:)(?P<password>[^@\s]{0,256}+)@"
)
# password=..., pwd=..., secret=..., token=... in query strings and DSNs
_KEY_VALUE_SECRET = re.compile(
    r"(?P<key>\b(?:password|passwd|pwd|secret|token|access_key|secret_key|aws_secret_access_key)=)"
    r"(?P<value>[^&;\s]+)",
    re.IGNORECASE,
)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
_PERCENT_ESCAPE = re.compile(r"%[0-9A-F]{2}")
_MONGODB_SCHEMES = ("mongodb", "mongodb+srv")
#: Secrets shorter than this are not searched for in free text (they would mask ordinary words).
MIN_SECRET_LENGTH = 3


@dataclass(frozen=True)
class _Userinfo:
    """Where a URL's password is (``url[start:end]``) and what its parser decoded it to."""

    start: int
    end: int
    password: str | None  # None: the parser rejected the URL, the span is a conservative guess


def _userinfo(url: str) -> _Userinfo | None:
    """The password span of ``url`` as its connector's parser reads it; ``None`` when there is none."""
    scheme, separator, rest = url.partition("://")
    if not separator or not _SCHEME.fullmatch(scheme) or "@" not in rest:
        return None
    offset = len(scheme) + len(separator)
    try:
        password = _parsed_password(scheme.lower(), url, rest)
    except Exception:  # the parser rejects the URL: hide everything up to the last "@"
        last_at = rest.rfind("@")
        colon = rest.find(":", 0, last_at)
        start = colon + 1 if colon >= 0 and "/" not in rest[:colon] else 0
        return _Userinfo(offset + start, offset + last_at, None)
    if password is None:
        return None
    colon = rest.find(":")
    at = rest.find("@", colon + 1)
    if (
        colon < 0
        or at < 0
        or password not in {unquote(rest[colon + 1 : at]), unquote_plus(rest[colon + 1 : at])}
    ):
        last_at = rest.rfind("@")
        return _Userinfo(offset, offset + last_at, None)
    # A raw "@" in a password (``u:p@ss@db``): the parser stops at the first one and takes the
    # rest for the host; hide up to the last "@" so no part of the password is shown.
    last_at = rest.rfind("@")
    return _Userinfo(offset + colon + 1, offset + max(at, last_at), password)


def _parsed_password(scheme: str, url: str, rest: str) -> str | None:
    """The decoded password the connector's own parser finds in ``url`` (raises if it rejects it)."""
    if scheme in _MONGODB_SCHEMES:
        from pymongo.uri_parser import parse_uri

        # ``mongodb+srv://`` would make the parser resolve DNS records; the user part is parsed
        # identically in a ``mongodb://`` URL, without any lookup.
        parsed = parse_uri(f"mongodb://{rest}", validate=False, warn=False, normalize=False)
        return parsed["password"]
    from sqlalchemy.engine import make_url

    return make_url(url).password


def redact_url(url: str) -> str:
    """``url`` with its password (userinfo, or a ``password=`` query) replaced by ``***``."""
    found = _userinfo(url)
    if found is not None:
        url = f"{url[: found.start]}***{url[found.end :]}"
    return redact_text(url)


def url_secrets(url: str) -> tuple[str, ...]:
    """The password of ``url`` in every spelling a driver may echo, longest first, to mask in free text.

    The text as written in the URL and its pieces around a raw ``@``, the decoded password, and
    that password percent-encoded (either hex case, ``%20`` or ``+`` for space) and escaped like
    ``repr`` does.
    """
    found = _userinfo(url)
    if found is None:
        return ()
    written = url[found.start : found.end]
    plain = {found.password or ""}
    for word in (written, *written.split("@")):
        plain.update((word, unquote(word), unquote_plus(word)))
    words: set[str] = set()
    for word in plain:
        if len(word) < MIN_SECRET_LENGTH:
            continue
        words.update((word, word.encode("unicode_escape").decode("ascii")))
        for encoded in (quote(word, safe=""), quote_plus(word, safe="")):
            words.update((encoded, _PERCENT_ESCAPE.sub(lambda match: match.group().lower(), encoded)))
    return tuple(sorted(words, key=lambda word: (-len(word), word)))


_remembered: set[str] = set()
_remembered_lock = threading.Lock()


def remember_url_secrets(url: str) -> None:
    """Mask the password of ``url`` in every later :func:`redact_text` of this process.

    Called when a source or history store is opened, so log lines, tracebacks and error lines
    that never see the URL (a driver's message quoting the password alone) are still clean.
    """
    secrets = url_secrets(url)
    if secrets:
        with _remembered_lock:
            _remembered.update(secrets)


def redact_text(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Mask URL passwords, ``key=secret`` pairs, ``secrets`` and remembered passwords in free text."""
    text = _USERINFO_PASSWORD.sub(lambda m: f"{m['prefix']}***@", text)
    text = _KEY_VALUE_SECRET.sub(lambda m: f"{m['key']}***", text)
    words = set(secrets) | _remembered if _remembered else set(secrets)
    for secret in sorted(words, key=len, reverse=True):
        if secret and len(secret) >= MIN_SECRET_LENGTH and secret in text:
            text = text.replace(secret, "***")
    return text


def redact_message(text: str, url: str) -> str:
    """An error message about the source or store at ``url``: the URL shown as :func:`redact_url`
    shows it (not hidden whole: ``sqlite:////tmp/x.db`` stays readable) and its password masked
    in every spelling (:func:`url_secrets`)."""
    if url and url in text:
        text = text.replace(url, redact_url(url))
    return redact_text(text, url_secrets(url))
