"""Tuning without code: the ``field_rules``, ``allow`` and ``custom_categories`` config keys.

The config file's top-level keys arrive in ``settings.classifier_options`` (see
:mod:`piimap.config`) and are parsed here once per settings object::

    field_rules:                       # extra field-name evidence, checked before the built-in rules
      - pattern: "*.cust_ph*"          # glob on the field name, "container.field" or "source:container.field"
        category: user.contact.phone_number
        evidence: strong               # strong (default) | weak | none (the name says it is NOT this)
      - regex: "^(crm|sales)\\.contacts\\.nm$"
        category: user.name
    allow:                             # never report these
      values: ["support@example.com", "127.0.0.1"]
      fields: ["public.audit_log.*", "*.test_email"]
    custom_categories:                 # new categories, found by piimap.classifiers.custom
      - category: user.financial.bank_account
        pattern: "[A-Z]{2}\\d{2}[A-Z0-9]{11,30}"
        validator: iban                # optional: luhn | iban | mod97
        field_names: ["iban", "bank_account*"]

Malformed entries raise :class:`~piimap.model.ConfigError` with the key that is wrong.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from piimap.classifiers.fieldnames import NameEvidence
from piimap.classifiers.scoring import CONTRADICTING_NAME, STRONG_NAME, WEAK_NAME
from piimap.model import ConfigError, FieldRef
from piimap.settings import ScanSettings

__all__ = ["FieldRule", "AllowList", "CustomCategory", "TuningOptions", "tuning_options", "VALIDATORS"]

_EVIDENCE_WEIGHTS = {
    "strong": STRONG_NAME,
    "weak": WEAK_NAME,
    "none": CONTRADICTING_NAME,
    "not": CONTRADICTING_NAME,
}


def _field_keys(field: FieldRef) -> tuple[str, ...]:
    name = field.name or ""
    return (name, f"{field.container}.{name}", f"{field.source}:{field.container}.{name}")


@dataclass(frozen=True)
class FieldRule:
    """One ``field_rules`` entry: a field-name pattern that says (or denies) a category."""

    category: str
    glob: str | None = None
    regex: str | None = None
    evidence: str = "strong"
    confidence: float = 0.8

    def matches(self, field: FieldRef) -> bool:
        if not field.name:
            return False
        keys = _field_keys(field)
        if self.glob is not None:
            glob = self.glob.lower()
            return any(fnmatch.fnmatchcase(key.lower(), glob) for key in keys)
        if self.regex is not None:
            return any(_compiled(self.regex).search(key) for key in keys)
        return False

    def evidence_for(self, field: FieldRef, category: str) -> NameEvidence | None:
        if category != self.category or not self.matches(field):
            return None
        pattern = self.glob if self.glob is not None else self.regex
        verb = "denies" if self.evidence in ("none", "not") else "says"
        return NameEvidence(_EVIDENCE_WEIGHTS[self.evidence], f"field rule '{pattern}' {verb} {category}")


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


@dataclass(frozen=True)
class AllowList:
    """Values and fields never reported (test accounts, documentation IPs, audit tables)."""

    values: frozenset[str] = frozenset()
    fields: tuple[str, ...] = ()

    def allows_field(self, field: FieldRef) -> bool:
        if not self.fields or not field.name:
            return False
        keys = tuple(key.lower() for key in _field_keys(field))
        return any(fnmatch.fnmatchcase(key, glob.lower()) for glob in self.fields for key in keys)

    def allows_value(self, value: str) -> bool:
        return bool(self.values) and value.strip() in self.values


def _luhn(digits: str) -> bool:
    digits = re.sub(r"\D", "", digits)
    if len(digits) < 2:
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        number = int(char)
        if index % 2 == 1:
            number *= 2
            if number > 9:
                number -= 9
        total += number
    return total % 10 == 0


def _mod97(text: str) -> bool:
    """ISO 7064 mod 97-10, as used by IBANs (country code and check digits moved to the end)."""
    compact = re.sub(r"[\s-]", "", text).upper()
    if len(compact) < 5 or not compact.isalnum():
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(char, 36)) for char in rearranged)
    return int(number) % 97 == 1


VALIDATORS = {"luhn": _luhn, "iban": _mod97, "mod97": _mod97}


@dataclass(frozen=True)
class CustomCategory:
    """One ``custom_categories`` entry: a category found by a regex, an optional checksum and field names."""

    category: str
    pattern: str | None
    validator: str | None = None
    field_names: tuple[str, ...] = ()
    strength: float = 0.9

    def compiled(self) -> re.Pattern[str] | None:
        return _compiled(self.pattern) if self.pattern else None


@dataclass(frozen=True)
class TuningOptions:
    """The parsed tuning keys of one settings object."""

    field_rules: tuple[FieldRule, ...] = ()
    allow: AllowList = AllowList()
    custom_categories: tuple[CustomCategory, ...] = ()


def _as_list(value: Any, key: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigError(f"'{key}' must be a list")
    return value


def _parse_field_rules(raw: Any) -> tuple[FieldRule, ...]:
    rules = []
    for index, entry in enumerate(_as_list(raw, "field_rules")):
        where = f"field_rules[{index}]"
        if not isinstance(entry, Mapping) or "category" not in entry:
            raise ConfigError(f"{where} needs 'category' and 'pattern' (a glob) or 'regex'")
        glob, regex = entry.get("pattern"), entry.get("regex")
        if (glob is None) == (regex is None):
            raise ConfigError(f"{where} needs exactly one of 'pattern' (a glob) or 'regex'")
        if regex is not None:
            try:
                _compiled(str(regex))
            except re.error as error:
                raise ConfigError(f"{where}.regex is not a valid regular expression: {error}") from None
        evidence = str(entry.get("evidence", "strong")).lower()
        if evidence not in _EVIDENCE_WEIGHTS:
            raise ConfigError(f"{where}.evidence must be strong, weak or none")
        confidence = entry.get("confidence", 0.8)
        if not isinstance(confidence, (int, float)) or not 0 <= confidence <= 1:
            raise ConfigError(f"{where}.confidence must be a number between 0 and 1")
        rules.append(
            FieldRule(
                category=str(entry["category"]),
                glob=str(glob) if glob is not None else None,
                regex=str(regex) if regex is not None else None,
                evidence=evidence,
                confidence=float(confidence),
            )
        )
    return tuple(rules)


def _parse_allow(raw: Any) -> AllowList:
    if raw is None:
        return AllowList()
    if not isinstance(raw, Mapping):
        raise ConfigError("'allow' must be a mapping with 'values' and/or 'fields'")
    values = frozenset(str(value).strip() for value in _as_list(raw.get("values"), "allow.values"))
    fields = tuple(str(glob) for glob in _as_list(raw.get("fields"), "allow.fields"))
    return AllowList(values=values, fields=fields)


def _parse_custom(raw: Any) -> tuple[CustomCategory, ...]:
    categories = []
    for index, entry in enumerate(_as_list(raw, "custom_categories")):
        where = f"custom_categories[{index}]"
        if not isinstance(entry, Mapping) or "category" not in entry:
            raise ConfigError(f"{where} needs 'category' and 'pattern' or 'field_names'")
        pattern = entry.get("pattern")
        field_names = tuple(str(name) for name in _as_list(entry.get("field_names"), f"{where}.field_names"))
        if pattern is None and not field_names:
            raise ConfigError(f"{where} needs 'pattern' or 'field_names'")
        if pattern is not None:
            try:
                _compiled(str(pattern))
            except re.error as error:
                raise ConfigError(f"{where}.pattern is not a valid regular expression: {error}") from None
        validator = entry.get("validator")
        if validator is not None and str(validator).lower() not in VALIDATORS:
            raise ConfigError(f"{where}.validator must be one of {', '.join(sorted(VALIDATORS))}")
        categories.append(
            CustomCategory(
                category=str(entry["category"]),
                pattern=str(pattern) if pattern is not None else None,
                validator=str(validator).lower() if validator is not None else None,
                field_names=field_names,
            )
        )
    return tuple(categories)


_parsed: dict[int, tuple[ScanSettings, TuningOptions]] = {}


def tuning_options(settings: ScanSettings) -> TuningOptions:
    """The parsed ``field_rules`` / ``allow`` / ``custom_categories`` of ``settings`` (cached)."""
    cached = _parsed.get(id(settings))
    if cached is not None and cached[0] is settings:
        return cached[1]
    options = settings.classifier_options
    parsed = TuningOptions(
        field_rules=_parse_field_rules(options.get("field_rules")),
        allow=_parse_allow(options.get("allow")),
        custom_categories=_parse_custom(options.get("custom_categories")),
    )
    if len(_parsed) > 64:
        _parsed.clear()
    _parsed[id(settings)] = (settings, parsed)
    return parsed
