"""Counted nouns for messages: ``1 finding``, ``2 findings``, ``1 policy``, ``3 policies``.

Every message that puts a number before a noun goes through :func:`counted`, so no line ever reads
"1 failing violations" or "1 fields appeared".
"""

from __future__ import annotations

__all__ = ["counted", "plural"]

_IRREGULAR = {"policy": "policies", "entry": "entries", "category": "categories", "was": "were"}


def plural(noun: str, count: int) -> str:
    """``noun`` as it reads after ``count``: the singular for exactly 1, else the plural.

    The plural adds ``s`` (``es`` after s, x, ch, sh), except for the few irregular nouns piimap
    uses (``category`` -> ``categories``); for a phrase only the last word changes
    (``failing violation`` -> ``failing violations``).
    """
    if count == 1:
        return noun
    head, _, last = noun.rpartition(" ")
    if last in _IRREGULAR:
        word = _IRREGULAR[last]
    elif last.endswith(("s", "x", "ch", "sh")):
        word = last + "es"
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        word = last[:-1] + "ies"
    else:
        word = last + "s"
    return f"{head} {word}" if head else word


def counted(count: int, noun: str) -> str:
    """``"1 finding"``, ``"0 findings"``, ``"3 failing violations"`` (thousands not separated)."""
    return f"{count} {plural(noun, count)}"
