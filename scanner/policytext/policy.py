"""From what a policy text says to the policy ``piimap check`` uses, and to a reviewable ``policy.yaml``.

- :func:`policy_from_text` reads a policy text into a :class:`~piimap.declarations.Policy` (the
  categories collected, the categories shared per recipient role) that keeps every statement as a
  citation, so violations can quote the sentence they rest on.
- :func:`render_policy_yaml` writes the same content as ``policy.yaml``: ``collected`` and
  ``shared`` in the schema ``check`` reads, each item followed by a comment naming its sentence,
  and a ``citations:`` block with every statement (collected, shared, denied) and its sentence.
- :func:`merge_update` is ``--update``: what a person added to ``collected`` / ``shared`` (an item
  no citation accounts for) is kept; what a person removed (cited before, missing from the list)
  stays removed; what the text no longer says is moved to ``no_longer_in_text:`` with the
  citation it had, so a reviewer sees it and ``check`` no longer relies on it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from piimap.model import ConfigError
from piimap.policytext.model import ACTIONS, ALL_COLLECTED, Citation, PolicyExtraction, Statement
from piimap.redact import printable

__all__ = [
    "policy_from_text",
    "policy_from_extraction",
    "parse_citations",
    "render_policy_yaml",
    "merge_update",
    "PolicyLists",
]

#: ``collected`` list and ``shared`` mapping (role -> categories, ``collected`` meaning all).
PolicyLists = tuple[list[str], dict[str, list[str]]]


def policy_from_text(path: str | Path, spacy_model: str | None = None):
    """Read the policy text at ``path`` into the :class:`~piimap.declarations.Policy` ``check`` uses."""
    from piimap.policytext import extract_policy

    return policy_from_extraction(extract_policy(path, spacy_model), str(path))


def policy_from_extraction(extraction: PolicyExtraction, path: str | None = None):
    from piimap.declarations import Policy

    collected = extraction.collected()
    shared = {role: _expand(categories, collected) for role, categories in extraction.shared().items()}
    return Policy(
        collected=collected,
        shared=shared,
        name=extraction.title,
        updated=extraction.updated,
        path=path,
        citations=extraction.statements,
    )


def _expand(categories: Sequence[str], collected: Sequence[str]) -> tuple[str, ...]:
    """``collected`` inside a list of categories stands for every collected category."""
    expanded: list[str] = []
    for category in categories:
        expanded.extend(collected if category == ALL_COLLECTED else (category,))
    return tuple(dict.fromkeys(expanded))


# --------------------------------------------------------------------------- citations in YAML

_CITATION_KEYS = (
    "says",
    "categories",
    "role",
    "recipients",
    "by",
    "phrases",
    "purposes",
    "qualifier",
    "basis",
    "section",
    "subsection",
    "sentence",
    "text",
)


def parse_citations(raw: Any, where: str) -> tuple[Statement, ...]:
    """The ``citations:`` list of a policy file as statements; a mistake is a :class:`ConfigError`."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ConfigError(
            f"{where}: citations: must be a list of {{says, categories, section, sentence, text}}"
        )
    statements = []
    for index, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: citations entry {index} must be a mapping")
        unknown = [key for key in entry if key not in _CITATION_KEYS]
        if unknown:
            raise ConfigError(
                f"{where}: citations entry {index}: unknown key {unknown[0]!r} (known: {', '.join(_CITATION_KEYS)})"
            )
        says = entry.get("says")
        if says not in ACTIONS:
            raise ConfigError(
                f"{where}: citations entry {index}: says must be one of {', '.join(ACTIONS)}, not {says!r}"
            )
        categories = entry.get("categories") or []
        if isinstance(categories, str):
            categories = [categories]
        if not isinstance(categories, list) or not all(isinstance(item, str) for item in categories):
            raise ConfigError(f"{where}: citations entry {index}: categories must be a list of category keys")
        sentence = entry.get("sentence", 0)
        if not isinstance(sentence, int) or isinstance(sentence, bool):
            raise ConfigError(f"{where}: citations entry {index}: sentence must be a number")
        statements.append(
            Statement(
                action=says,
                categories=tuple(categories),
                citation=Citation(
                    str(entry.get("section") or ""),
                    sentence,
                    str(entry.get("text") or ""),
                    str(entry.get("subsection") or ""),
                ),
                role=entry.get("role"),
                recipients=tuple(str(item) for item in entry.get("recipients") or ()),
                phrases=tuple(str(item) for item in entry.get("phrases") or ()),
                purposes=tuple(str(item) for item in entry.get("purposes") or ()),
                actor=str(entry.get("by") or "we"),
                qualifier=str(entry.get("qualifier") or ""),
                basis=str(entry.get("basis") or ""),
            )
        )
    return tuple(statements)


# --------------------------------------------------------------------------- writing policy.yaml


def _cited_lists(statements: Sequence[Statement]) -> PolicyLists:
    collected: list[str] = []
    shared: dict[str, list[str]] = {}
    for statement in statements:
        if statement.action == "collected":
            collected.extend(c for c in statement.categories if c != ALL_COLLECTED)
        elif statement.action == "shared" and statement.role:
            shared.setdefault(statement.role, []).extend(statement.categories)
    return list(dict.fromkeys(collected)), {
        role: list(dict.fromkeys(items)) for role, items in shared.items()
    }


def _where(statement: Statement) -> str:
    """For comments and terminal lines: control characters from the policy text are shown, not sent."""
    return printable(f"'{statement.citation.section}', sentence {statement.citation.sentence}")


def _first_citation(
    statements: Sequence[Statement], action: str, category: str, role: str | None = None
) -> str:
    for statement in statements:
        if (
            statement.action == action
            and category in statement.categories
            and (role is None or statement.role == role)
        ):
            index = statement.categories.index(category)
            phrase = statement.phrases[index] if index < len(statement.phrases) else ""
            note = printable(f' "{phrase}"') if phrase and category != ALL_COLLECTED else ""
            basis = " (from the definition; review)" if statement.basis else ""
            return f"{_where(statement)}{note}{basis}"
    return ""


def merge_update(
    extraction: PolicyExtraction, previous: Mapping[str, Any] | None
) -> tuple[PolicyLists, dict[str, Any]]:
    """The lists to write for ``--update`` and what the text no longer says (see the module docstring)."""
    new_collected, new_shared = _cited_lists(extraction.statements)
    if not previous:
        return (new_collected, new_shared), {}
    old_statements = parse_citations(previous.get("citations"), "previous policy file")
    old_cited_collected, old_cited_shared = _cited_lists(old_statements)
    old_collected = [item for item in previous.get("collected") or [] if isinstance(item, str)]
    raw_shared = previous.get("shared") or {}
    old_shared: dict[str, list[str]] = {}
    for role, value in raw_shared.items() if isinstance(raw_shared, dict) else ():
        old_shared[str(role)] = (
            [ALL_COLLECTED]
            if value == ALL_COLLECTED
            else [item for item in value or [] if isinstance(item, str)]
        )

    def merged(new: list[str], old_list: list[str], old_cited: list[str]) -> tuple[list[str], list[str]]:
        added_by_person = [item for item in old_list if item not in old_cited]
        removed_by_person = {item for item in old_cited if item not in old_list}
        result = [item for item in new if item not in removed_by_person]
        result.extend(item for item in added_by_person if item not in result)
        gone = [item for item in old_cited if item in old_list and item not in new]
        return result, gone

    collected, gone_collected = merged(new_collected, old_collected, old_cited_collected)
    shared: dict[str, list[str]] = {}
    gone_shared: dict[str, list[str]] = {}
    for role in dict.fromkeys([*new_shared, *old_shared, *old_cited_shared]):
        items, gone = merged(
            new_shared.get(role, []), old_shared.get(role, []), old_cited_shared.get(role, [])
        )
        if items:
            shared[role] = items
        if gone:
            gone_shared[role] = gone
    stale: dict[str, Any] = {}
    if gone_collected:
        stale["collected"] = [
            {"category": item, "was": _first_citation(old_statements, "collected", item)}
            for item in gone_collected
        ]
    if gone_shared:
        stale["shared"] = {
            role: [
                {"category": item, "was": _first_citation(old_statements, "shared", item, role)}
                for item in items
            ]
            for role, items in gone_shared.items()
        }
    return (collected, shared), stale


def render_policy_yaml(
    extraction: PolicyExtraction,
    source_name: str,
    previous: Mapping[str, Any] | None = None,
) -> str:
    """``policy.yaml`` for ``extraction``: the schema ``check`` reads, commented for review, with
    ``citations:``. With ``previous`` (the file being updated), hand edits are kept (see
    :func:`merge_update`)."""
    (collected, shared), stale = merge_update(extraction, previous)
    statements = extraction.statements
    lines = [
        f"# What the privacy policy {source_name} says, read by `piimap policy extract`.",
        f"# Text sha256 {extraction.sha256[:16]}…: {extraction.sentences} sentences, {extraction.words} words.",
        "# Review every item: each is followed by the sentence it was read from; the full sentences are in",
        "# `citations:` below. Add what the reader missed and delete what it got wrong: a rerun with",
        "# --update keeps your additions and deletions, and moves what the text no longer says to",
        "# `no_longer_in_text:`.",
    ]
    name = (previous or {}).get("name") or extraction.title
    updated = (previous or {}).get("updated") or extraction.updated
    if name:
        lines.append(f"name: {_scalar(name)}")
    if updated:
        lines.append(f"updated: {_scalar(str(updated))}")
    lines.append("")
    lines.append("# Categories the policy says are collected.")
    lines.append("collected:" + ("" if collected else " []"))
    for category in collected:
        where = _first_citation(statements, "collected", category)
        lines.append(f"  - {category}" + (f"   # {where}" if where else "   # added by hand (no sentence)"))
    lines.append("")
    lines.append(
        "# Per recipient role, the categories the policy says are shared (collected = everything collected)."
    )
    lines.append("shared:" + ("" if shared else " {}"))
    for role, items in shared.items():
        if items == [ALL_COLLECTED]:
            where = _first_citation(statements, "shared", ALL_COLLECTED, role)
            lines.append(
                f"  {role}: collected" + (f"   # {where}" if where else "   # added by hand (no sentence)")
            )
            continue
        lines.append(f"  {role}:")
        for category in items:
            where = _first_citation(statements, "shared", category, role)
            lines.append(
                f"    - {category}" + (f"   # {where}" if where else "   # added by hand (no sentence)")
            )
    denials = [statement for statement in statements if statement.is_denial]
    if denials:
        lines.append("")
        lines.append(
            "# Denials the policy makes (kept in citations; `check` quotes them and looks for contradictions):"
        )
        for statement in denials:
            what = ", ".join(statement.categories)
            role = f" to {statement.role}" if statement.role else ""
            qualifier = f" [{statement.qualifier}]" if statement.qualifier else ""
            lines.append(printable(f"#   {statement.action}{role}: {what}{qualifier} — {_where(statement)}"))
    if stale:
        lines.append("")
        lines.append(
            "# The text no longer says these (they were cited before). Check no longer relies on them;"
        )
        lines.append(
            "# put an item back into collected/shared by hand if the policy still covers it elsewhere."
        )
        lines.append(
            yaml.safe_dump(
                {"no_longer_in_text": stale}, sort_keys=False, allow_unicode=True, width=100
            ).rstrip()
        )
    lines.append("")
    lines.append(
        "# Every statement read from the text, with its sentence (section, sentence number in that section)."
    )
    citations = [statement.to_dict() for statement in statements]
    lines.append(
        yaml.safe_dump({"citations": citations}, sort_keys=False, allow_unicode=True, width=100).rstrip()
        if citations
        else "citations: []"
    )
    return "\n".join(lines) + "\n"


def _scalar(value: str) -> str:
    return yaml.safe_dump(value, allow_unicode=True, width=1000).splitlines()[0]
