"""What reading a privacy policy produces: statements with citations.

These records are light (no spaCy) so the declarations, checks and reports can use them: a
``policy.yaml`` written by ``piimap policy extract`` carries its statements in ``citations:``, and
a policy text named directly in ``piimap.yaml`` is read into the same records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ACTIONS",
    "ALL_COLLECTED",
    "ANY_RECIPIENT",
    "Citation",
    "Statement",
    "PolicyExtraction",
]

#: In a statement's categories: "the personal information we collect" (everything collected).
ALL_COLLECTED = "collected"
#: The role of a denial that names no recipient ("we do not sell your personal information").
ANY_RECIPIENT = "any"

#: What a statement says, as spelled in ``citations:``.
ACTIONS = ("collected", "shared", "denied-collection", "denied-sharing", "denied-sale")


@dataclass(frozen=True)
class Citation:
    """Where in the policy a statement was read: the section heading, the sentence's number in
    that section (1-based), and the sentence itself. ``subsection`` is a run-in heading
    ("Service Providers and Vendors – We share ...") when the sentence has one."""

    section: str
    sentence: int
    text: str
    subsection: str = ""

    def describe(self, limit: int = 300) -> str:
        """``in 'Information Sharing', sentence 4: 'We share ...'`` (long sentences shortened)."""
        text = " ".join(self.text.split())
        if len(text) > limit:
            text = text[: limit - 1].rstrip() + "…"
        return f"in '{self.section}', sentence {self.sentence}: '{text}'"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"section": self.section, "sentence": self.sentence, "text": self.text}
        if self.subsection:
            data["subsection"] = self.subsection
        return data


@dataclass(frozen=True)
class Statement:
    """One thing the policy says about personal data, with the sentence it rests on.

    ``action`` is one of :data:`ACTIONS`. ``categories`` are Fides category keys, or
    :data:`ALL_COLLECTED` for "the personal information we collect". ``role`` is the recipient
    role of a sharing statement or denial (:data:`ANY_RECIPIENT` when the denial names none);
    ``recipients`` are the recipients as the text names them ("Google Analytics", "service
    providers"). ``phrases[i]`` is the data-type phrase ``categories[i]`` was read from.
    ``qualifier`` marks a statement that only holds in part ("except as described in this
    policy", "children", "conditional"): such denials are quoted but never contradict.
    ``basis`` is ``"definition"`` when the categories come from the policy's definition of a
    generic term ("Personal Information may include ...") that another sentence says is collected.
    """

    action: str
    categories: tuple[str, ...]
    citation: Citation
    role: str | None = None
    recipients: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    purposes: tuple[str, ...] = ()
    actor: str = "we"
    qualifier: str = ""
    basis: str = ""

    @property
    def is_denial(self) -> bool:
        return self.action.startswith("denied-")

    def to_dict(self) -> dict[str, Any]:
        """The ``citations:`` entry of ``policy.yaml`` (keys in reading order)."""
        data: dict[str, Any] = {"says": self.action, "categories": list(self.categories)}
        if self.role is not None:
            data["role"] = self.role
        if self.recipients:
            data["recipients"] = list(self.recipients)
        if self.actor != "we":
            data["by"] = self.actor
        if self.phrases:
            data["phrases"] = list(self.phrases)
        if self.purposes:
            data["purposes"] = list(self.purposes)
        if self.qualifier:
            data["qualifier"] = self.qualifier
        if self.basis:
            data["basis"] = self.basis
        data.update(self.citation.to_dict())
        return data


@dataclass(frozen=True)
class PolicyExtraction:
    """Everything read from one policy text."""

    source: str
    statements: tuple[Statement, ...]
    title: str = ""
    updated: str = ""
    sentences: int = 0
    words: int = 0
    sha256: str = ""
    unmapped: tuple[tuple[str, Citation], ...] = field(default=())

    def collected(self) -> tuple[str, ...]:
        """Categories the policy says are collected, in reading order, without duplicates."""
        return _unique(
            category
            for statement in self.statements
            if statement.action == "collected"
            for category in statement.categories
            if category != ALL_COLLECTED
        )

    def shared(self) -> dict[str, tuple[str, ...]]:
        """Recipient role -> categories the policy says are shared with it (``collected`` kept)."""
        roles: dict[str, list[str]] = {}
        for statement in self.statements:
            if statement.action == "shared" and statement.role:
                roles.setdefault(statement.role, []).extend(statement.categories)
        return {role: _unique(categories) for role, categories in roles.items()}


def _unique(items) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
