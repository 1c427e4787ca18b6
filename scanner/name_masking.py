"""Personal data inside names: JSON keys, file names, folder names and S3 object keys.

A JSON object keyed by email addresses (``{"contacts": {"jane@example.org": {"phone": ...}}}``),
a file ``exports/jane.doe@example.org.csv`` or a key ``users/+14155550134/profile.json`` would
put raw personal data into field and container names, and from there into every report, the
terminal and the history store. :func:`mask_key` and :func:`mask_path` replace each piece of a
name that is personal data by a placeholder naming its kind, so ``contacts.<email>.phone`` is
ONE field for every contact (a map keyed by personal data folds into one field instead of one
per person) and ``exports/<email>.csv`` one container for every such file.

==================  =======================================================================
placeholder         what it replaces (judged by the classifiers' own value validators)
==================  =======================================================================
``<email>``         a valid email address (:func:`piimap.classifiers.email.is_email`)
``<phone>``         a phone number written as one: ``+``/``00`` or national separators, valid
                    for its region (:func:`piimap.classifiers.phone.phone_strength`)
``<ip>``            a public or private IP address, not a version-like one (``1.2.3.4``)
``<device_id>``     a MAC address or an IMEI with a valid check digit
``<id>``            (keys only) a key that is a whole UUID or a 16+ digit hex id: advertising and
                    device ids are UUIDs, and a map keyed by ids would otherwise give a field each
==================  =======================================================================

Ordinary names (``email``, ``created_at``, ``clicks-2026-11-27.jsonl``, ``part-00001``) pass a
cheap shape test and are remembered as plain, so each distinct key is judged once. Known misses:
person names used as keys (telling them from ordinary words needs the name model), national
phone numbers of other regions than :data:`PHONE_REGION`, bare digit strings (``14155550134``:
ids look the same). Known false positives: a 15-digit id with a valid Luhn digit (``<device_id>``),
a hash-named file key (``<id>``, keys only).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

__all__ = ["PLACEHOLDER", "PHONE_REGION", "mask_key", "mask_path", "masked_kinds"]

#: ``<kind>``: what a piece of a name that is personal data becomes.
PLACEHOLDER = re.compile(r"<(email|phone|ip|device_id|id)>")
#: Region for phone numbers written in national format (the scan setting's default).
PHONE_REGION = "US"

_EMAIL = re.compile(r"[\w.+%'-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")
_PHONE = re.compile(r"(?<![0-9A-Za-z+])(?:\+|00)?\(?\d[\d ().\-]{5,20}\d(?![0-9])")
_DOTTED_QUAD = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d]|\.\d)")
_IPV6 = re.compile(r"[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,9}")
_PORT = re.compile(r":\d{1,5}$")
_MAC = re.compile(
    r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}(?![0-9A-Fa-f]|[:-][0-9A-Fa-f])"
)
_IMEI = re.compile(r"(?<!\d)\d{15}(?!\d)")
_ID = re.compile(
    r"[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{12}|(?=.*\d)[0-9A-Fa-f]{16,}"
)
#: UUIDs and hex ids inside a name: hidden while numbers are looked for, so that no digit run of
#: an id (``...-4372-8744-34d3...``) passes for a phone number.
_ID_IN_TEXT = re.compile(
    r"(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
    r"|(?=[0-9]*[A-Fa-f])[0-9A-Fa-f]{16,})(?![0-9A-Fa-f])"
)
_DOMAIN_CUT = re.compile(r"[.\-_][^.\-_]*$")
_LAST_GROUP = re.compile(r"[ ().\-]+[^ ().\-]*$")
#: File name suffixes peeled off before an address is validated: ``a@b.org.csv`` is a valid
#: address to ``email_validator`` (``csv`` could be a top-level domain), but not what was meant.
_FILE_SUFFIXES = frozenset(
    "csv tsv json jsonl ndjson log txt text parquet avro orc xml yaml yml sql db sqlite bak out err "
    "gz gzip bz2 xz zst zip tar tgz 7z pdf html htm xlsx xls eml msg vcf".split()
)
_DIGIT = re.compile(r"\d")

#: Names judged plain (no personal data), so the common keys cost one set lookup; bounded.
_plain: set[str] = set()
_plain_lock = threading.Lock()
_MAX_PLAIN = 200_000


def mask_key(key: str) -> str:
    """A JSON (or document) key with any personal data in it replaced by a placeholder."""
    if key in _plain:
        return key
    if _ID.fullmatch(key):
        return "<id>"
    return _masked(key)


def mask_path(path: str) -> str:
    """A path or object key with each segment's personal data replaced by a placeholder."""
    if path in _plain:
        return path
    if "/" not in path:
        return _masked(path)
    masked = "/".join(segment if segment in _plain else _masked(segment) for segment in path.split("/"))
    if masked == path:
        _remember_plain(path)
    return masked


def masked_kinds(name: str | None) -> tuple[str, ...]:
    """The kinds of personal data masked in ``name`` (``("email",)`` for ``contacts.<email>.phone``)."""
    return tuple(dict.fromkeys(PLACEHOLDER.findall(name))) if name else ()


def _remember_plain(name: str) -> None:
    with _plain_lock:
        if len(_plain) >= _MAX_PLAIN:
            _plain.clear()
        _plain.add(name)


def _masked(text: str) -> str:
    """``text`` with every piece that is personal data replaced; remembered when there is none."""
    masked = text
    if "@" in masked:
        masked = _EMAIL.sub(_email_placeholder, masked)
    digits = len(_DIGIT.findall(masked)) if masked else 0
    if digits >= 4 and masked.count(".") >= 3:
        masked = _DOTTED_QUAD.sub(_placeholder_if(_is_ip, "ip"), masked)
    if masked.count(":") >= 2:
        masked = _IPV6.sub(_ipv6_placeholder, masked)
    if masked.count(":") >= 5 or masked.count("-") >= 5:
        masked = _MAC.sub(_placeholder_if(_is_device_id, "device_id"), masked)
    if digits >= 7:
        ids: list[str] = []
        masked = _ID_IN_TEXT.sub(lambda match: _hide(match, ids), masked)
        masked = _IMEI.sub(_placeholder_if(_is_device_id, "device_id"), masked)
        masked = _PHONE.sub(_phone_placeholder, masked)
        for index, hidden in enumerate(ids):
            masked = masked.replace(_hidden_token(index), hidden)
    if masked == text:
        _remember_plain(text)
    return masked


def _hidden_token(index: int) -> str:
    """A stand-in without digits or letters (private-use characters) for a hidden id."""
    return f"\ue000{chr(0xE001 + index)}\ue000"


def _hide(match: re.Match[str], hidden: list[str]) -> str:
    hidden.append(match.group())
    return _hidden_token(len(hidden) - 1)


def _placeholder_if(test: Callable[[str], bool], kind: str) -> Callable[[re.Match[str]], str]:
    return lambda match: f"<{kind}>" if test(match.group()) else match.group()


def _email_placeholder(match: re.Match[str]) -> str:
    """The longest valid address the match starts with, file suffixes peeled off first
    (``a@b.org`` of ``a@b.org.csv`` or ``a@b.org-2024.csv``), masked."""
    text = match.group()
    candidate = text
    while True:
        head, _, last = candidate.rpartition(".")
        if last.lower() not in _FILE_SUFFIXES or "." not in head.partition("@")[2]:
            break
        candidate = head
    while "@" in candidate:
        if _is_email(candidate):
            return "<email>" + text[len(candidate) :]
        shorter = _DOMAIN_CUT.sub("", candidate)
        if shorter == candidate or "." not in shorter.partition("@")[2]:
            break
        candidate = shorter
    return text


def _ipv6_placeholder(match: re.Match[str]) -> str:
    """The run of hex digits and colons masked where it holds an IPv6 address: as it is, without
    a ``:port`` after it, or without a piece of a word before it (``tel:2001:db8::1``)."""
    text = match.group()
    without_port = _PORT.sub("", text)
    head = text.partition(":")[0]
    for start, candidate in (
        (0, text),
        (0, without_port),
        (len(head) + 1, text[len(head) + 1 :]),
        (len(head) + 1, without_port[len(head) + 1 :]),
    ):
        if candidate.count(":") >= 2 and _is_ip(candidate):
            return f"{text[:start]}<ip>{text[start + len(candidate) :]}"
    return text


def _phone_placeholder(match: re.Match[str]) -> str:
    """The longest phone number the match starts with, masked: the match may run on into what
    follows the number (``+44 151 496 0893 (2025)``), so groups are dropped from its end."""
    text = match.group()
    core = text.strip(" .-")
    start = text.index(core)
    for _ in range(4):
        if _is_phone(core):
            return f"{text[:start]}<phone>{text[start + len(core) :]}"
        shorter = _LAST_GROUP.sub("", core)
        if shorter == core or len(_DIGIT.findall(shorter)) < 7:
            break
        core = shorter
    return text


def _is_email(text: str) -> bool:
    from piimap.classifiers.email import is_email

    return is_email(text)


def _is_phone(text: str) -> bool:
    """A number written as a phone (international, or national with separators) and valid."""
    from piimap.classifiers.phone import NATIONAL_STRENGTH, phone_strength

    return phone_strength(text, PHONE_REGION, False) >= NATIONAL_STRENGTH


def _is_ip(text: str) -> bool:
    from piimap.classifiers.ip_address import PRIVATE_STRENGTH, ip_strength

    return ip_strength(text) >= PRIVATE_STRENGTH


def _is_device_id(text: str) -> bool:
    """A MAC address or an IMEI on its value alone (UUID-like ids need a field name to say so)."""
    from piimap.classifiers.device_id import device_id_strength

    return device_id_strength(text, False, False) > 0
