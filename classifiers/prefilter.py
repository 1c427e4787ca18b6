"""One cheap look at each distinct value, shared by every classifier.

:func:`shape_of` counts a value's character classes with C-speed string methods and caches the
result per distinct value, so six classifiers looking at one column pay for one pass. Each
classifier rejects most values from the shape alone (no ``@`` -> not an email; letters mixed with
more than two digits -> not a name) and runs its real validator only on what is left.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from piimap.scancache import value_cache

__all__ = ["Shape", "shape_of"]

_DIGITS = "0123456789"
_HEX_LETTERS = "abcdefABCDEF"
_DELETE_DIGITS = str.maketrans("", "", _DIGITS)
_DELETE_HEX = str.maketrans("", "", _DIGITS + _HEX_LETTERS)
_NOT_LETTERS = re.compile(r"[\W\d_]+")
_DELETE_PHONE_PUNCT = str.maketrans("", "", _DIGITS + " +-().\u00a0/")


class Shape(NamedTuple):
    """Character-class counts of one value (a named tuple: built at C speed, once per distinct value)."""

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


_DIGIT_BYTES = b"0123456789"
_HEX_BYTES = _DIGIT_BYTES + b"abcdefABCDEF"
_PHONE_BYTES = _DIGIT_BYTES + b" +-().\xa0/"
_NOT_LETTER_BYTES = bytes(byte for byte in range(128) if not chr(byte).isalpha())


@value_cache(maxsize=65536)
def shape_of(value: str) -> Shape:
    """The cached :class:`Shape` of ``value``."""
    if value.isascii():
        return _ascii_shape(value)
    return _shape(value)


def _ascii_shape(value: str) -> Shape:
    """:func:`_shape` of an ASCII value, counted with ``bytes.translate`` (several times cheaper)."""
    data = value.encode("ascii")
    length = len(data)
    digits = length - len(data.translate(None, _DIGIT_BYTES))
    return Shape(  # positional: a named tuple built from keywords costs twice as much
        length,
        digits,
        data.count(b"@"),
        data.count(b"."),
        data.count(b":"),
        data.count(b"-"),
        data.count(b" "),
        length > 0 and not data.translate(None, _HEX_BYTES),
        digits > 0 and not data.translate(None, _PHONE_BYTES),
        len(data.translate(None, _NOT_LETTER_BYTES)),
        True,
    )


def _shape(value: str) -> Shape:
    """The :class:`Shape` of any value (the reference :func:`_ascii_shape` must agree with)."""
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
