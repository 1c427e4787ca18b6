"""What a classifier says about each category it finds: key, field-name rules, masking, explanation.

A classifier declares its categories as :class:`CategorySpec` records in its ``specs`` class
attribute, beside the code that finds them, so a new category touches one module (and the
``piimap.classifiers`` entry point that installs it):

* ``key``: the category key, a Fides taxonomy data category (``user.contact.address.postal_code``)
  or one piimap's contract adds (``user.device.user_agent``);
* ``names``: the field-name rules (:class:`~piimap.classifiers.fieldnames.CategoryRule`: strong,
  weak and contradicting words) that :func:`~piimap.classifiers.fieldnames.name_evidence` applies;
* ``mask``: how an example of the category is masked (:func:`piimap.masking.mask` still checks that
  the masked text does not hold the value);
* ``explain``: one sentence saying what counts, shown by ``piimap explain`` and in the categories
  table of the documentation.

:func:`installed_specs` collects the specs of every installed classifier (built-in or plugin) by
category key, loading the entry points once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from piimap.classifiers.fieldnames import CategoryRule

__all__ = ["CategorySpec", "installed_specs", "spec_for", "specs_of"]


@dataclass(frozen=True, eq=False)
class CategorySpec:
    """One category a classifier finds, with everything else piimap needs to know about it."""

    key: str
    names: CategoryRule
    explain: str
    #: masks one matched value for a finding's examples (``None``: :func:`piimap.masking.mask`'s own)
    mask: Callable[[str], str] | None = None


def specs_of(factory: object) -> tuple[CategorySpec, ...]:
    """The :class:`CategorySpec` records a classifier class (or instance) declares in ``specs``."""
    declared = getattr(factory, "specs", ())
    if not isinstance(declared, Iterable):
        return ()
    return tuple(spec for spec in declared if isinstance(spec, CategorySpec))


@cache
def installed_specs() -> Mapping[str, CategorySpec]:
    """Every installed classifier's specs, by category key (the first classifier declaring a key wins)."""
    from piimap.plugins import CLASSIFIER_GROUP, load_group

    found: dict[str, CategorySpec] = {}
    for factory in load_group(CLASSIFIER_GROUP).values():
        for spec in specs_of(factory):
            found.setdefault(spec.key, spec)
    return found


def spec_for(category: str) -> CategorySpec | None:
    """The installed spec of ``category``, ``None`` for a category no installed classifier declares."""
    return installed_specs().get(category)
