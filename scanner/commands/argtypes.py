"""argparse ``type=`` callables with messages users can read.

argparse names a ``type=`` function in its error (``invalid _positive_int value: 'x'``); these
raise :class:`argparse.ArgumentTypeError` themselves, so the message says what is expected.
"""

from __future__ import annotations

import argparse

__all__ = ["positive_int", "non_negative_int"]


def _whole_number(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None


def positive_int(text: str) -> int:
    """A whole number of 1 or more."""
    value = _whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def non_negative_int(text: str) -> int:
    """A whole number of 0 or more."""
    value = _whole_number(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value
