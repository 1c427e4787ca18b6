"""Scanned text made safe for an HTML page: markup escaped, control characters shown, not sent.

:func:`html.escape` leaves control characters (ESC, BEL, ...) and lone surrogates (undecodable
bytes in file names) as they are: the first are invisible or worse in a page, the second cannot
be written as UTF-8. :func:`escape` shows both as ``\\x1b`` / ``\\udcff`` escapes first, as the
terminal table does, then escapes ``& < > " '``.
"""

from __future__ import annotations

import html
import re

__all__ = ["escape", "visible"]

_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with control characters and lone surrogates as visible escapes."""
    return _INVISIBLE.sub(_shown, text)


def escape(value: object) -> str:
    """``value`` as HTML text or attribute value (quotes escaped), control characters shown."""
    return html.escape(visible(str(value)), quote=True)
