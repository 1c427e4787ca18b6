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
        validator: iban                # optional: a python-stdnum check (piimap.classifiers.checksums)
        field_names: ["iban", "bank_account*"]

The rules of each key are the pydantic models below (:class:`TuningModel`); :mod:`piimap.config`
validates the file with them (``file:line: key: message``), and :func:`tuning_options` parses
settings built in code with the same models (malformed entries raise
:class:`~piimap.model.ConfigError` naming the key).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, Strict, ValidationError, model_validator

from piimap.classifiers.checksums import VALIDATORS
from piimap.classifiers.fieldnames import NameEvidence
from piimap.classifiers.scoring import CONTRADICTING_NAME, STRONG_NAME, WEAK_NAME
from piimap.model import ConfigError, FieldRef
from piimap.schema.base import (
    CategoryKey,
    ConfigModel,
    Glob,
    GlobList,
    NewCategoryKey,
    Text,
    UnitInterval,
    dotted_key,
    validation_problems,
)
from piimap.settings import ScanSettings

__all__ = [
    "FieldRule",
    "AllowList",
    "CustomCategory",
    "TuningOptions",
    "tuning_options",
    "VALIDATORS",
    "FieldRuleModel",
    "AllowModel",
    "CustomCategoryModel",
    "TuningModel",
    "TUNING_KEYS",
]

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


def _compiles(pattern: str) -> str:
    try:
        _compiled(pattern)
    except re.error as error:
        raise ValueError(f"is not a valid regular expression: {error}") from None
    return pattern


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _known_validator(name: str) -> str:
    if name not in VALIDATORS:
        raise ValueError(f"must be one of {', '.join(sorted(VALIDATORS))}, not {name!r}")
    return name


#: A regular expression (checked to compile; matched case-insensitively).
Regex = Annotated[str, Strict(), AfterValidator(_compiles)]


class FieldRuleModel(ConfigModel):
    """One ``field_rules`` entry: a field-name glob (``pattern``) or ``regex`` that says a category."""

    category: CategoryKey = Field(
        description="the category the field name says (or, with evidence none, denies)"
    )
    pattern: Glob | None = Field(
        default=None, description='glob on "field", "container.field" or "source:container.field"'
    )
    regex: Regex | None = Field(default=None, description="regular expression instead of a glob")
    evidence: Annotated[Literal["strong", "weak", "none", "not"], BeforeValidator(_lower)] = Field(
        default="strong", description="strong (default), weak, or none (the name says it is NOT this)"
    )
    confidence: UnitInterval = Field(default=0.8, description="confidence of a name-only finding")

    @model_validator(mode="after")
    def _one_matcher(self) -> FieldRuleModel:
        if (self.pattern is None) == (self.regex is None):
            raise ValueError("needs exactly one of 'pattern' (a glob) or 'regex'")
        return self


class AllowModel(ConfigModel):
    """``allow``: values and fields never reported."""

    values: tuple[Text, ...] = Field(
        default=(), description="values never reported (test accounts, documentation IPs)"
    )
    fields: GlobList = Field(default=(), description="field globs never reported")


class CustomCategoryModel(ConfigModel):
    """One ``custom_categories`` entry: a new category found by pattern and/or field name."""

    category: NewCategoryKey = Field(description="the new category key (Fides spelling)")
    pattern: Regex | None = Field(default=None, description="regular expression a value must match")
    validator: Annotated[str, Strict(), BeforeValidator(_lower), AfterValidator(_known_validator)] | None = (
        Field(default=None, description=f"checksum a match must pass: {', '.join(sorted(VALIDATORS))}")
    )
    field_names: GlobList = Field(default=(), description="field-name globs that say the category")

    @model_validator(mode="after")
    def _needs_a_test(self) -> CustomCategoryModel:
        if self.pattern is None and not self.field_names:
            raise ValueError("needs 'pattern' or 'field_names'")
        return self


class TuningModel(ConfigModel):
    """The tuning keys of ``piimap.yaml`` (top level): ``field_rules``, ``allow``, ``custom_categories``."""

    custom_categories: tuple[CustomCategoryModel, ...] = Field(
        default=(), description="your own categories, found by pattern and/or field name"
    )
    field_rules: tuple[FieldRuleModel, ...] = Field(
        default=(), description="extra field-name evidence, checked before the built-in name rules"
    )
    allow: AllowModel = Field(default_factory=AllowModel, description="values and fields never reported")


TUNING_KEYS = tuple(TuningModel.model_fields)


def _parse_tuning(options: Mapping[str, Any]) -> TuningOptions:
    raw = {key: options[key] for key in TUNING_KEYS if options.get(key) is not None}
    try:
        model = TuningModel.model_validate(raw)
    except ValidationError as error:
        problem = validation_problems(error, TuningModel)[0]
        raise ConfigError(f"{dotted_key(problem.loc)}: {problem.message}") from None
    return TuningOptions(
        field_rules=tuple(
            FieldRule(
                category=rule.category,
                glob=rule.pattern,
                regex=rule.regex,
                evidence=rule.evidence,
                confidence=rule.confidence,
            )
            for rule in model.field_rules
        ),
        allow=AllowList(
            values=frozenset(value.strip() for value in model.allow.values), fields=model.allow.fields
        ),
        custom_categories=tuple(
            CustomCategory(
                category=custom.category,
                pattern=custom.pattern,
                validator=custom.validator,
                field_names=custom.field_names,
            )
            for custom in model.custom_categories
        ),
    )


_parsed: dict[int, tuple[ScanSettings, TuningOptions]] = {}


def tuning_options(settings: ScanSettings) -> TuningOptions:
    """The parsed ``field_rules`` / ``allow`` / ``custom_categories`` of ``settings`` (cached)."""
    cached = _parsed.get(id(settings))
    if cached is not None and cached[0] is settings:
        return cached[1]
    parsed = _parse_tuning(settings.classifier_options)
    if len(_parsed) > 64:
        _parsed.clear()
    _parsed[id(settings)] = (settings, parsed)
    return parsed
