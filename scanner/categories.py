"""The category keys piimap accepts in a data map, a policy and a config.

A key is valid when it is a data category of the Fides taxonomy (read from the ``fideslang``
package: ``user.contact.email``, ``user.device.cookie_id``, ...), a category an installed
classifier declares (its ``categories`` attribute, so a plugin's new key is valid once it is
installed), a key piimap's contract adds to the taxonomy (:data:`CONTRACT_CATEGORIES`), or one of
the config's ``custom_categories``. Anything else is a mistake: a
misspelled key (``user.contact.emial``) would declare nothing, and the check built on it would
pass or fail for the wrong reason, so it is reported with the closest valid key.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property

__all__ = [
    "CONTRACT_CATEGORIES",
    "CategoryVocabulary",
    "taxonomy_categories",
    "classifier_categories",
    "category_vocabulary",
]


#: Keys piimap's public contract names that the Fides taxonomy does not have ("type of device",
#: browser and operating system, as privacy policies name them; tax identification numbers, which
#: the Fides taxonomy files under no government-id key).
CONTRACT_CATEGORIES = frozenset({"user.device.user_agent", "user.government_id.tax_id"})


@cache
def taxonomy_categories() -> frozenset[str]:
    """Every data category key of the Fides taxonomy that ``fideslang`` ships."""
    from fideslang.default_taxonomy import DEFAULT_TAXONOMY

    return frozenset(category.fides_key for category in DEFAULT_TAXONOMY.data_category)


def classifier_categories() -> frozenset[str]:
    """The category keys the installed classifiers declare (class attribute ``categories``)."""
    from piimap.plugins import CLASSIFIER_GROUP, load_group

    keys: set[str] = set()
    for factory in load_group(CLASSIFIER_GROUP).values():
        declared = getattr(factory, "categories", ())
        if isinstance(declared, (tuple, list, frozenset, set)):
            keys.update(key for key in declared if isinstance(key, str))
    return frozenset(keys)


@dataclass(frozen=True)
class CategoryVocabulary:
    """A set of valid category keys: ``base`` (the Fides taxonomy and the installed classifiers'
    categories when ``None``, loaded on first use, so a config without declarations never imports
    the taxonomy) plus ``custom`` keys."""

    custom: frozenset[str] = field(default_factory=frozenset)
    base: frozenset[str] | None = None

    @cached_property
    def keys(self) -> frozenset[str]:
        """Every valid key."""
        base = (
            self.base
            if self.base is not None
            else taxonomy_categories() | classifier_categories() | CONTRACT_CATEGORIES
        )
        return base | self.custom

    def __contains__(self, key: object) -> bool:
        return key in self.keys

    def with_custom(self, keys: Iterable[str]) -> CategoryVocabulary:
        """This vocabulary plus ``keys`` (a config's custom categories)."""
        return CategoryVocabulary(self.custom | frozenset(keys), self.base)

    def suggestion(self, key: str) -> str | None:
        """The valid key ``key`` most likely misspells, if any is close.

        The same last part under another parent first (``user.email`` -> ``user.contact.email``),
        then a close whole key (``user.contact.emial``), then a close last part.
        """
        keys = sorted(self.keys)
        by_leaf: dict[str, list[str]] = {}
        for known in keys:
            by_leaf.setdefault(known.rsplit(".", 1)[-1], []).append(known)
        leaf = key.rsplit(".", 1)[-1]

        def nearest(candidates: list[str]) -> str:
            return min(candidates, key=lambda known: (-_shared_prefix(known, key), len(known), known))

        if leaf in by_leaf:
            return nearest(by_leaf[leaf])
        close = difflib.get_close_matches(key, keys, n=1, cutoff=0.8)
        if close:
            return close[0]
        leaves = difflib.get_close_matches(leaf, list(by_leaf), n=1, cutoff=0.75)
        if leaves:
            return nearest(by_leaf[leaves[0]])
        close = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
        return close[0] if close else None

    def problem(self, key: str) -> str | None:
        """``None`` when ``key`` is valid, else a one-line message with a did-you-mean."""
        if key in self.keys:
            return None
        suggestion = self.suggestion(key)
        hint = f"did you mean '{suggestion}'? " if suggestion else ""
        return (
            f"unknown category '{key}' ({hint}valid keys are the Fides taxonomy's data categories, "
            "the installed classifiers' categories and the config's custom_categories)"
        )


def _shared_prefix(left: str, right: str) -> int:
    count = 0
    for a, b in zip(left.split("."), right.split(".")):
        if a != b:
            break
        count += 1
    return count


def category_vocabulary(custom: Iterable[str] = ()) -> CategoryVocabulary:
    """The Fides taxonomy, the installed classifiers' categories and ``custom`` keys."""
    return CategoryVocabulary(frozenset(custom))
