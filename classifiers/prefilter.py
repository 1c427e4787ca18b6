"""One cheap look at each distinct value, shared by every classifier.

:func:`shape_of` counts a value's character classes with C-speed string methods and caches the
result per distinct value, so six classifiers looking at one column pay for one pass. Each
classifier rejects most values from the shape alone (no ``@`` -> not an email; letters mixed with
more than two digits -> not a name) and runs its real validator only on what is left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Shape", "shape_of"]

_DIGITS = "0123456789"
_HEX_LETTERS = "abcdefABCDEF"
_DELETE_DIGITS = str.maketrans("", "", _DIGITS)
_DELETE_HEX = str.maketrans("", "", _DIGITS + _HEX_LETTERS)
_NOT_LETTERS = re.compile(r"[\W\d_]+")
_DELETE_PHONE_PUNCT = str.maketrans("", "", _DIGITS + " +-().\u00a0/")


@dataclass(frozen=True, slots=True)
class Shape:
    """Character-class counts of one value."""

    length: int
    digits: int
    ats: int
    dots: int
    colons: int
    hyphens: int
    spaces: int
    hex_only: bool
    phone_chars_only: bool
    alpha: int
    ascii: bool

    @property
    def letters_only(self) -> bool:
        """Words only: letters, spaces, hyphens, apostrophes and dots (a name's shape)."""
        return self.digits == 0 and self.alpha > 0 and self.ats == 0 and self.colons == 0


@lru_cache(maxsize=65536)
def shape_of(value: str) -> Shape:
    """The cached :class:`Shape` of ``value``."""
    length = len(value)
    digits = length - len(value.translate(_DELETE_DIGITS))
    return Shape(
        length=length,
        digits=digits,
        ats=value.count("@"),
        dots=value.count("."),
        colons=value.count(":"),
        hyphens=value.count("-"),
        spaces=value.count(" "),
        hex_only=length > 0 and not value.translate(_DELETE_HEX),
        phone_chars_only=digits > 0 and not value.translate(_DELETE_PHONE_PUNCT),
        alpha=len(_NOT_LETTERS.sub("", value)) if digits < length else 0,
        ascii=value.isascii(),
    )
