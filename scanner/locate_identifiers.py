"""The kinds of identifier ``piimap locate`` looks for, and how each is normalised and compared.

Each kind turns what the user typed into a canonical form, compares stored values with it, lists
the exact spellings a database lookup should ask for (so an index can serve it), and gives the
byte patterns a streaming search of a file uses to pick candidate lines before parsing them.

=============  ===============================  ==========================================================
option         category                         same person when
=============  ===============================  ==========================================================
``email``      ``user.contact.email``           equal after case-folding (``Jane.Doe@Example.com``)
``phone``      ``user.contact.phone_number``    the same number in E.164 (``phonenumbers``), however written
``name``       ``user.name``                    every token of the name is a token of the value
                                                (case, accents and order ignored; initials dropped)
``device-id``  ``user.device.device_id``        equal ignoring case; MAC addresses ignoring separators
``cookie-id``  ``user.device.cookie_id``        equal; a ``_ga`` cookie equals its client id
``ip``         ``user.device.ip_address``       the same address (IPv6 spellings, IPv4-mapped IPv6)
=============  ===============================  ==========================================================

A database column has its own normalisation: a :class:`ValueProfile` of a few of its values says
whether it is stored lower-case and how phone numbers are written there, so a lookup asks for the
spellings the column uses (``WHERE phone IN ('+14155550134', '(415) 555-0134', ...)``) instead of
normalising every row.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from piimap.evidence import hmac_example
from piimap.locate_model import Identifier
from piimap.model import ConfigError

__all__ = [
    "KINDS",
    "IdentifierKind",
    "ValueProfile",
    "kind_of",
    "make_identifier",
    "name_tokens",
]


@dataclass(frozen=True)
class ValueProfile:
    """How a column (or document field) writes its values, learnt from a few of them."""

    lower: bool = True
    upper: bool = False
    #: value shapes with every digit replaced by ``#`` (``(###) ###-####``), most common first
    templates: tuple[str, ...] = ()

    @classmethod
    def of(cls, values: Iterable[str], max_templates: int = 8) -> ValueProfile:
        texts = [value.strip() for value in values if value and value.strip()]
        if not texts:
            return cls()
        shapes = Counter(re.sub(r"\d", "#", text) for text in texts if any(c.isdigit() for c in text))
        return cls(
            lower=all(text == text.lower() for text in texts),
            upper=all(text == text.upper() for text in texts) and any(c.isalpha() for t in texts for c in t),
            templates=tuple(shape for shape, _ in shapes.most_common(max_templates)),
        )


class IdentifierKind:
    """One kind of identifier. Subclasses say how to normalise, compare and look it up."""

    option: ClassVar[str]
    category: ClassVar[str]
    #: True when a stored value must be case-folded before comparing (e-mails, ids)
    case_insensitive: ClassVar[bool] = False
    #: True when the kind is matched token by token (names): lookups are scans, matches weak
    by_tokens: ClassVar[bool] = False

    def canonical(self, text: str, region: str) -> str:
        """The canonical form of what the user gave; :class:`ValueError` with a reason if it is not one."""
        value = self.normalise(text, region)
        if value is None:
            raise ValueError(f"not a valid {self.option}")
        return value

    def normalise(self, text: str, region: str) -> str | None:
        """The canonical form of a stored value, or ``None`` when it is not of this kind."""
        raise NotImplementedError

    def matches(self, identifier: Identifier, text: str, region: str) -> bool:
        """True when the stored value ``text`` (one field) is the identifier."""
        return self.normalise(text, region) == identifier.canonical

    def found_in_text(self, identifier: Identifier, text: str, region: str) -> bool:
        """True when free text (a log line) mentions the identifier as a whole token."""
        return self._text_pattern(identifier).search(text) is not None

    def spellings(self, identifier: Identifier, profile: ValueProfile) -> tuple[str, ...]:
        """Exact spellings to look up with ``=`` / ``IN`` in a column written like ``profile``."""
        return _unique((identifier.value.strip(), identifier.canonical))

    def needs_case_folding(self, profile: ValueProfile) -> bool:
        """True when equality on :meth:`spellings` could miss a differently cased value in the column."""
        return self.case_insensitive and not profile.lower and not profile.upper

    def needles(self, identifier: Identifier) -> tuple[bytes, ...]:
        """Lower-case byte strings one of which a line holding the identifier must contain."""
        return tuple(
            spelling.lower().encode("utf-8") for spelling in self.spellings(identifier, ValueProfile())
        )

    def line_pattern(self, identifier: Identifier) -> re.Pattern[bytes] | None:
        """A byte regex for lines that may hold the identifier, when plain needles cannot say (phones)."""
        return None

    def _text_pattern(self, identifier: Identifier) -> re.Pattern[str]:
        alternatives = "|".join(
            re.escape(spelling)
            for spelling in sorted(self.spellings(identifier, ValueProfile()), key=len)[::-1]
        )
        flags = re.IGNORECASE if self.case_insensitive else 0
        return re.compile(rf"(?<![\w.+%-])(?:{alternatives})(?![\w-]|\.\w)", flags)


class EmailKind(IdentifierKind):
    """E-mail addresses, compared case-folded (``Jane.Doe@Example.com`` is ``jane.doe@example.com``)."""

    option = "email"
    category = "user.contact.email"
    case_insensitive = True

    def normalise(self, text: str, region: str) -> str | None:
        value = text.strip()
        if value.lower().startswith("mailto:"):
            value = value[len("mailto:") :]
        local, at, domain = value.rpartition("@")
        if not at or not local or "." not in domain or any(char.isspace() for char in value):
            return None
        return value.lower()

    def spellings(self, identifier: Identifier, profile: ValueProfile) -> tuple[str, ...]:
        given = identifier.value.strip()
        spellings = [identifier.canonical, given]
        if profile.upper:
            spellings.append(identifier.canonical.upper())
        return _unique(spellings)

    def needles(self, identifier: Identifier) -> tuple[bytes, ...]:
        address = identifier.canonical.encode("utf-8")
        return _unique((address, address.replace(b"@", b"%40")))


class PhoneKind(IdentifierKind):
    """Phone numbers, compared in E.164 with ``phonenumbers`` (national numbers in the default region)."""

    option = "phone"
    category = "user.contact.phone_number"

    def canonical(self, text: str, region: str) -> str:
        import phonenumbers

        try:
            number = phonenumbers.parse(text.strip(), region)
        except phonenumbers.NumberParseException:
            raise ValueError("not a phone number (give it as +CC ...)") from None
        if not phonenumbers.is_valid_number(number):
            raise ValueError("not a valid phone number for its region (give it as +CC ...)")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def normalise(self, text: str, region: str) -> str | None:
        import phonenumbers

        value = re.sub(r"\s*(?:x|ext\.?|#)\s*\d{1,6}$", "", text.strip(), flags=re.IGNORECASE)
        digits = sum(char.isdigit() for char in value)
        if not 7 <= digits <= 17:
            return None
        attempts = [value]
        if value.isdigit() and not value.startswith("0"):
            attempts.append("+" + value)  # a bare digit column written with its country code
        for attempt in attempts:
            try:
                number = phonenumbers.parse(attempt, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_possible_number(number):
                return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return None

    def matches(self, identifier: Identifier, text: str, region: str) -> bool:
        normalised = self.normalise(text, region)
        if normalised == identifier.canonical:
            return True
        # a bare national number in a column of another country's numbers: compare the digits
        digits = re.sub(r"\D", "", text)
        return bool(digits) and digits == self._national_digits(identifier)[0]

    def found_in_text(self, identifier: Identifier, text: str, region: str) -> bool:
        import phonenumbers

        if self.line_pattern(identifier).search(text.encode("utf-8")) is None:
            return False
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
            number = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            if number == identifier.canonical:
                return True
        return False

    def spellings(self, identifier: Identifier, profile: ValueProfile) -> tuple[str, ...]:
        import phonenumbers

        number = phonenumbers.parse(identifier.canonical)
        formats = phonenumbers.PhoneNumberFormat
        spellings = [
            identifier.canonical,
            identifier.value.strip(),
            phonenumbers.format_number(number, formats.INTERNATIONAL),
            phonenumbers.format_number(number, formats.NATIONAL),
            phonenumbers.format_number(number, formats.RFC3966),
        ]
        national, international = self._national_digits(identifier)
        spellings += [international, national, "00" + international]
        national_written = re.sub(r"\D", "", phonenumbers.format_number(number, formats.NATIONAL))
        spellings.append(national_written)
        for template in profile.templates:  # the column's own way of writing numbers
            slots = template.count("#")
            for digits in (international, national, national_written):
                if len(digits) == slots and (not template.startswith("+") or digits == international):
                    spellings.append(_fill_template(template, digits))
        return _unique(spellings)

    def needles(self, identifier: Identifier) -> tuple[bytes, ...]:
        return ()

    def line_pattern(self, identifier: Identifier) -> re.Pattern[bytes]:
        national, _ = self._national_digits(identifier)
        separator = rb"(?:[^0-9\n]|%[0-9A-Fa-f]{2}){0,3}"
        return re.compile(separator.join(re.escape(digit.encode()) for digit in national))

    @staticmethod
    def _national_digits(identifier: Identifier) -> tuple[str, str]:
        """(national significant number, country code + national number) as digit strings."""
        import phonenumbers

        number = phonenumbers.parse(identifier.canonical)
        national = phonenumbers.national_significant_number(number)
        return national, f"{number.country_code}{national}"


def name_tokens(text: str) -> tuple[str, ...]:
    """Lower-case, accent-free words of a name, initials dropped: ``'Doe, Jané Q.'`` -> ``('doe', 'jane')``."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return tuple(token for token in re.findall(r"[^\W\d_]+", plain) if len(token) > 1)


class NameKind(IdentifierKind):
    """Person names, token by token: every word of the given name must be a word of the value."""

    option = "name"
    category = "user.name"
    case_insensitive = True
    by_tokens = True

    def normalise(self, text: str, region: str) -> str | None:
        tokens = name_tokens(text)
        return " ".join(tokens) if tokens else None

    def matches(self, identifier: Identifier, text: str, region: str) -> bool:
        return set(identifier.canonical.split()) <= set(name_tokens(text))

    def found_in_text(self, identifier: Identifier, text: str, region: str) -> bool:
        return self.matches(identifier, text, region)

    def spellings(self, identifier: Identifier, profile: ValueProfile) -> tuple[str, ...]:
        return tuple(identifier.canonical.split())

    def needles(self, identifier: Identifier) -> tuple[bytes, ...]:
        longest = max(identifier.canonical.split(), key=len)
        given = [token for token in re.findall(r"[^\W\d_]+", identifier.value.casefold()) if len(token) > 1]
        accented = [token for token in given if name_tokens(token) == (longest,)]
        return _unique([longest.encode("utf-8"), *(token.encode("utf-8") for token in accented)])


_MAC = re.compile(r"^[0-9a-f]{2}([:-]?)[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}$", re.IGNORECASE)
_CISCO_MAC = re.compile(r"^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$", re.IGNORECASE)


class DeviceIdKind(IdentifierKind):
    """Advertising ids (IDFA/GAID), Android ids, IMEIs and MAC addresses; case and MAC separators ignored."""

    option = "device-id"
    category = "user.device.device_id"
    case_insensitive = True

    def normalise(self, text: str, region: str) -> str | None:
        value = text.strip()
        if len(value) < 6 or any(char.isspace() for char in value):
            return None
        if _MAC.match(value) or _CISCO_MAC.match(value):
            return re.sub(r"[^0-9a-f]", "", value.lower())
        try:
            return str(uuid.UUID(value)) if len(value) in (32, 36, 38) else value.lower()
        except ValueError:
            return value.lower()

    def spellings(self, identifier: Identifier, profile: ValueProfile) -> tuple[str, ...]:
        canonical = identifier.canonical
        spellings = [canonical, identifier.value.strip()]
        if re.fullmatch(r"[0-9a-f]{12}", canonical) and (
            _MAC.match(identifier.value.strip()) or _CISCO_MAC.match(identifier.value.strip())
        ):
            pairs = [canonical[index : index + 2] for index in range(0, 12, 2)]
            spellings += [":".join(pairs), "-".join(pairs), ".".join(canonical[i : i + 4] for i in (0, 4, 8))]
        spellings += [spelling.upper() for spelling in spellings]
        return _unique(spellings)


_GA_COOKIE = re.compile(r"^GA\d+\.\d+\.(\d+\.\d+)$", re.IGNORECASE)


class CookieIdKind(IdentifierKind):
    """Cookie ids: equal as given; a Google Analytics ``_ga`` value equals its client id."""

    option = "cookie-id"
    category = "user.device.cookie_id"

    def normalise(self, text: str, region: str) -> str | None:
        value = text.strip()
        if len(value) < 6 or any(char.isspace() for char in value):
            return None
        ga = _GA_COOKIE.match(value)
        return ga.group(1) if ga else value

    def spellings(self, identifier: Identifier, profile: ValueProfile) -> tuple[str, ...]:
        canonical = identifier.canonical
        spellings = [canonical, identifier.value.strip()]
        if re.fullmatch(r"\d+\.\d+", canonical):
            spellings += [f"GA1.{level}.{canonical}" for level in (1, 2, 3)]
        return _unique(spellings)

    def needles(self, identifier: Identifier) -> tuple[bytes, ...]:
        return (identifier.canonical.lower().encode("utf-8"),)


class IpAddressKind(IdentifierKind):
    """IPv4 and IPv6 addresses, compared as addresses (``::ffff:203.0.113.7`` is ``203.0.113.7``)."""

    option = "ip"
    category = "user.device.ip_address"
    case_insensitive = True

    def normalise(self, text: str, region: str) -> str | None:
        value = text.strip()
        if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
            value = value[1 : value.index("]")]
        elif value.count(":") == 1 and "." in value:  # 203.0.113.7:443
            value = value.split(":", 1)[0]
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            return None
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return address.compressed

    def spellings(self, identifier: Identifier, profile: ValueProfile) -> tuple[str, ...]:
        address = ipaddress.ip_address(identifier.canonical)
        spellings = [address.compressed]
        if isinstance(address, ipaddress.IPv6Address):
            spellings += [address.exploded, address.compressed.upper(), address.exploded.upper()]
        else:
            spellings += [f"::ffff:{address.compressed}"]
        return _unique(spellings)

    def _text_pattern(self, identifier: Identifier) -> re.Pattern[str]:
        alternatives = "|".join(re.escape(s) for s in self.spellings(identifier, ValueProfile()))
        return re.compile(rf"(?<![\w.:])(?:{alternatives})(?![\w:]|\.\d)", re.IGNORECASE)


#: The identifier kinds by their option name (``--email`` -> ``email``).
KINDS: dict[str, IdentifierKind] = {
    kind.option: kind
    for kind in (EmailKind(), PhoneKind(), NameKind(), DeviceIdKind(), CookieIdKind(), IpAddressKind())
}


def kind_of(identifier: Identifier) -> IdentifierKind:
    return KINDS[identifier.kind]


def make_identifier(option: str, text: str, *, region: str, key: bytes) -> Identifier:
    """An :class:`Identifier` of kind ``option`` from what the user gave; :class:`ConfigError` when invalid.

    The error message names the option, never the value (it may be personal data).
    """
    kind = KINDS.get(option)
    if kind is None:
        raise ConfigError(f"unknown identifier kind '{option}' (known: {', '.join(KINDS)})")
    try:
        canonical = kind.canonical(text, region)
    except ValueError as error:
        raise ConfigError(f"--{option}: {error}") from None
    return Identifier(
        kind=option,
        category=kind.category,
        value=text.strip(),
        canonical=canonical,
        digest=hmac_example(key, canonical),
    )


def _fill_template(template: str, digits: str) -> str:
    """``'(###) ###-####'`` filled with ``'4155550134'`` -> ``'(415) 555-0134'``."""
    filled = iter(digits)
    return "".join(next(filled) if char == "#" else char for char in template)


def _unique(items: Iterable[str | bytes]) -> tuple:
    return tuple(dict.fromkeys(item for item in items if item))
