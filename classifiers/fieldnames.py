"""Field-name evidence: what a column or document path's name says about its category.

A field name is split into lower-case words (``customerEmail`` -> ``customer email``,
``user.contact.phone_number`` -> ``phone number`` with ``contact`` as context). Each category has
*strong* phrases (the name says it: ``email``, ``last_name``, ``idfa``), *weak* phrases (a hint:
``contact``, ``handle``) and *contradicting* words (the name says something else: ``order_id``,
``version``, ``product_name``): a :class:`CategoryRule`, declared by the category's classifier in
its :class:`~piimap.classifiers.spec.CategorySpec`. Users add their own rules in the config (``field_rules``), which
win over the built-in ones. The weights come from :mod:`piimap.classifiers.scoring`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from piimap.classifiers.scoring import CONTRADICTING_NAME, NO_NAME, STRONG_NAME, WEAK_NAME
from piimap.model import FieldRef

__all__ = [
    "ID_WORDS",
    "CategoryRule",
    "FieldWords",
    "NameEvidence",
    "field_words",
    "match_phrase",
    "name_evidence",
    "phrases",
    "rule_evidence",
]


@dataclass(frozen=True)
class NameEvidence:
    """The field-name evidence for one category: a weight and a human reason."""

    weight: float
    reason: str

    @property
    def supports(self) -> bool:
        return self.weight > 0

    @property
    def strong(self) -> bool:
        return self.weight >= STRONG_NAME

    @property
    def contradicts(self) -> bool:
        return self.weight < 0


NO_EVIDENCE = NameEvidence(NO_NAME, "")


@dataclass(frozen=True)
class FieldWords:
    """A field name split into words: ``leaf`` (the last path segment) and ``context`` (parents, container)."""

    leaf: tuple[str, ...]
    parent: tuple[str, ...]
    container: tuple[str, ...]
    text: str

    @property
    def joined(self) -> str:
        return "".join(self.leaf)


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SPLIT = re.compile(r"[^0-9A-Za-z\u00C0-\uFFFF]+")


def _words(text: str) -> tuple[str, ...]:
    text = _CAMEL.sub(" ", text)
    return tuple(word.lower() for word in _SPLIT.split(text) if word)


@lru_cache(maxsize=4096)
def _field_words_cached(container: str, name: str | None) -> FieldWords:
    if not name:
        return FieldWords((), (), _words(container.rsplit("/", 1)[-1].rsplit(".", 1)[-1]), "")
    segments = [segment.removesuffix("[]") for segment in name.split(".") if segment]
    leaf = _words(segments[-1]) if segments else ()
    parent = _words(segments[-2]) if len(segments) > 1 else ()
    table = container.rsplit("/", 1)[-1]
    table = table.rsplit(".", 1)[-1] if "." in table else table
    return FieldWords(leaf, parent, _words(table), name)


def field_words(field: FieldRef) -> FieldWords:
    """The words of ``field``'s name and its container's last name segment."""
    return _field_words_cached(field.container, field.name)


@dataclass(frozen=True, eq=False)
class CategoryRule:
    """Name rules of one category (phrases are tuples of words), declared with its classifier.

    ``decide`` replaces the usual verdict for categories whose names need more than words (a bare
    ``name`` column is a person's name in a ``customers`` table, not in a ``products`` one): it gets
    the field's words, the strong phrase found (or "") and the contradicting word found (or "").
    """

    strong: tuple[tuple[str, ...], ...]
    weak: tuple[tuple[str, ...], ...] = ()
    contradicting: frozenset[str] = frozenset()
    #: long words also recognised glued to another word (``useremail``, ``clientphone``)
    glued: tuple[str, ...] = ()
    decide: Callable[[FieldWords, str, str], NameEvidence] | None = None


def phrases(*texts: str) -> tuple[tuple[str, ...], ...]:
    """Phrases as tuples of words: ``phrases("email", "e mail")``."""
    return tuple(tuple(text.split()) for text in texts)


#: words that make a field an identifier of a business record (``order_number``, ``sku``)
ID_WORDS = frozenset(
    {"order", "invoice", "sku", "product", "transaction", "txn", "payment", "ticket", "booking"}
)


def _has_phrase(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    if size == 1:
        return phrase[0] in words
    return any(words[index : index + size] == phrase for index in range(len(words) - size + 1))


def match_phrase(
    words: tuple[str, ...], joined: str, phrases: tuple[tuple[str, ...], ...], glued: tuple[str, ...] = ()
) -> str:
    """The first of ``phrases`` in ``words`` (or glued to a word), as text; "" when none."""
    for phrase in phrases:
        if _has_phrase(words, phrase) or (len(phrase) > 1 and joined == "".join(phrase)):
            return " ".join(phrase)
    for stem in glued:
        if any(
            word != stem and len(word) > len(stem) and (word.endswith(stem) or word.startswith(stem))
            for word in words
        ):
            return stem
    return ""


@lru_cache(maxsize=16384)
def rule_evidence(words: FieldWords, rule: CategoryRule) -> NameEvidence:
    """What ``rule`` says about a field named ``words``."""
    if not words.text:
        return NO_EVIDENCE
    leaf, joined = words.leaf, words.joined
    contradiction = next((word for word in leaf if word in rule.contradicting), "")
    if not contradiction and joined in rule.contradicting:
        contradiction = joined
    if not contradiction and " ".join(leaf) in rule.contradicting:
        contradiction = " ".join(leaf)
    strong = match_phrase(leaf, joined, rule.strong, rule.glued)
    if rule.decide is not None:
        return rule.decide(words, strong, contradiction)
    if strong and contradiction:
        # ``order_phone`` is still a phone; ``order_number`` / ``transaction_id`` are identifiers
        is_identifier = bool(set(leaf) & ID_WORDS) and leaf[-1] in {"id", "number", "no", "nr", "key", "ref"}
        head_contradicts = leaf[-1] in rule.contradicting and leaf[-1] not in strong.split()
        if not is_identifier and not head_contradicts:
            return NameEvidence(STRONG_NAME, f"field name '{words.text}' says '{strong}'")
    if contradiction:
        return NameEvidence(CONTRADICTING_NAME, f"field name '{words.text}' says '{contradiction}'")
    if strong:
        return NameEvidence(STRONG_NAME, f"field name '{words.text}' says '{strong}'")
    # ``contact.phone.number``: a generic leaf under a telling parent
    # (only a bare generic leaf: ``visitor.advertising_id`` is about advertising, not the visitor)
    if (
        len(leaf) == 1
        and leaf[0] in {"number", "value", "address", "id", "no", "nr", "addr"}
        and words.parent
    ):
        parent_match = match_phrase(words.parent, "".join(words.parent), rule.strong, rule.glued)
        if parent_match:
            return NameEvidence(STRONG_NAME, f"field path '{words.text}' says '{parent_match}'")
    weak = match_phrase(leaf, joined, rule.weak)
    if weak:
        return NameEvidence(WEAK_NAME, f"field name '{words.text}' hints '{weak}'")
    return NO_EVIDENCE


def name_evidence(
    field: FieldRef, category: str, rules: tuple = (), builtin: CategoryRule | None = None
) -> NameEvidence:
    """Field-name evidence for ``category``: user ``rules`` (config ``field_rules``) first, then the
    category's own rule (``builtin``, or the installed classifier's spec of ``category``)."""
    for rule in rules:
        verdict = rule.evidence_for(field, category)
        if verdict is not None:
            return verdict
    if builtin is None:
        from piimap.classifiers.spec import spec_for

        spec = spec_for(category)
        if spec is None:
            return NO_EVIDENCE
        builtin = spec.names
    return rule_evidence(field_words(field), builtin)
