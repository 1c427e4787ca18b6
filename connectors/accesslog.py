"""Web server access logs (NCSA common and combined, as nginx and Apache write them) split into fields.

A line such as::

    203.0.113.7 - jane [10/Oct/2023:13:55:36 +0000] "GET /signup?email=jane%40example.com HTTP/1.1"
    200 512 "https://example.org/" "Mozilla/5.0 ..." "_ga=GA1.2.1234.5678; sid=abc"

(one line in the file)

becomes the fields ``client_ip``, ``remote_user``, ``request_path`` (URL-decoded, without the query),
``query.<param>`` (one field per query parameter, URL-decoded so ``%40`` emails are found),
``referrer``, ``user_agent`` and, when extra quoted fields are logged after the user agent,
``cookie.<name>`` (a ``name=value; ...`` field), ``forwarded_for`` (a list of addresses) or
``extra.<n>``. ``-`` means "not logged" and is counted as a null. Lines that are not access-log
lines (start-up messages, junk) are kept as free text under the field ``None``.

Speed: a block of lines is parsed with one ``findall`` of a compiled regex (the loop runs in C);
only when some line of the block does not fit that fast pattern (escaped quotes, junk) is the
block parsed line by line with a more permissive regex.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, unquote_plus

from piimap.connectors.fmt_columns import Columns

__all__ = ["AccessLogParser", "looks_like_access_log", "MAX_PARAMETER_FIELDS"]

#: Distinct ``query.*`` / ``cookie.*`` names kept per container; later names go to ``query`` / ``cookie``.
MAX_PARAMETER_FIELDS = 100
_MAX_PARAMETER_NAME = 64

# The fast pattern: every line ends with "\n" and no quoted field holds a backslash escape.
# Groups: client, user, request, referrer, user agent, further quoted fields (cookies...).
_FAST_LINE = re.compile(
    r'([^ \n]+) [^ \n]+ ([^ \n]+) \[[^\]\n]*\] "([^"\\\n]*)" (?:\d{3}|-) (?:\d+|-)'
    r'(?: "([^"\\\n]*)" "([^"\\\n]*)")?((?: "[^"\\\n]*")*)[^"\n]*\n'
)
_QUOTED = r'"((?:[^"\\]|\\.)*)"'
# The permissive pattern, one line at a time: escaped quotes inside quoted fields.
_LINE = re.compile(
    r'\s*(\S+) \S+ (\S+|"[^"]*") \[([^\]]*)\] ' + _QUOTED + r' (?:\d{3}|-) (?:\d+|-)'
    r'(?: ' + _QUOTED + r' ' + _QUOTED + r')?(.*)$'
)
_EXTRA_QUOTED = re.compile(_QUOTED)
_QUERY_PAIR = re.compile(r"([^&=]*)=?([^&]*)&?")
_COOKIE_LIKE = re.compile(r"^\s*[^\s=;,]+=[^;]*(?:;\s*[^\s=;,]+=[^;]*)*;?\s*$")
_ADDRESS_LIST = re.compile(r"^[0-9A-Fa-f.:\[\]]+(?:\s*,\s*[0-9A-Fa-f.:\[\]]+)*$")
_BACKSLASH_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|.)")


def looks_like_access_log(lines: list[str]) -> bool:
    """True when most of the non-empty ``lines`` parse as access-log lines."""
    candidates = [line for line in lines if line.strip()]
    if not candidates:
        return False
    parsed = sum(1 for line in candidates if _LINE.match(line))
    return parsed * 2 > len(candidates)


class AccessLogParser:
    """Turns blocks of access-log lines into :class:`Columns`; keeps the field names seen so far."""

    def __init__(self) -> None:
        self._parameter_names: dict[str, set[str]] = {"query": set(), "cookie": set()}

    def parse_text(self, text: str, columns: Columns) -> None:
        """Parse ``text`` (complete lines) into ``columns``."""
        if not text.endswith("\n"):
            text += "\n"
        rows = _FAST_LINE.findall(text)
        if len(rows) == text.count("\n"):
            self._add_rows(rows, columns)
            return
        fallback_rows = []
        for line in text.splitlines():
            match = _LINE.match(line)
            if match is None:
                if line.strip():
                    columns.add(None, line)
                continue
            client, user, _time, request, referrer, agent, rest = match.groups()
            fallback_rows.append(
                (
                    client,
                    user.strip('"'),
                    _unescape(request),
                    _unescape(referrer or "-"),
                    _unescape(agent or "-"),
                    rest,
                )
            )
        self._add_rows(fallback_rows, columns)

    def _add_rows(self, rows: list[tuple[str, ...]], columns: Columns) -> None:
        if not rows:
            return
        clients, users, requests, referrers, agents, rests = zip(*rows)
        columns.extend("client_ip", clients)
        columns.extend_present("remote_user", users)
        self._add_requests(requests, columns)
        columns.extend_present("referrer", [_decode(value) for value in referrers])
        columns.extend_present("user_agent", agents)
        for rest in rests:
            if rest.strip():
                self._add_extras(rest, columns)

    def _add_requests(self, requests: tuple[str, ...], columns: Columns) -> None:
        words = " ".join(requests).split(" ")
        if len(words) == 3 * len(requests):
            targets = words[1::3]
        else:  # some request is not "METHOD TARGET PROTOCOL" (junk, HTTP/0.9, "-")
            targets = [_target_of(request) for request in requests]
        queries = [target for target in targets if "?" in target]
        if queries:
            targets = [target.partition("?")[0] if "?" in target else target for target in targets]
            self._add_query_strings([query.partition("?")[2] for query in queries], columns)
        if any("%" in target for target in targets):
            targets = [unquote(target, errors="replace") if "%" in target else target for target in targets]
        columns.extend_present("request_path", targets)

    def _add_query_strings(self, queries: list[str], columns: Columns) -> None:
        """All query strings of a block at once: one C-level split into pairs, then grouped by name."""
        by_name: dict[str, list[str]] = {}
        for name, value in _QUERY_PAIR.findall("&".join(queries)):
            bucket = by_name.get(name)
            if bucket is None:
                by_name[name] = [value]
            else:
                bucket.append(value)
        for name, values in by_name.items():
            if any("%" in value or "+" in value for value in values):
                values = [_decode_query_part(value) for value in values]
            name = _decode_query_part(name)
            self._add_named("query", name, values, columns)

    def _add_extras(self, rest: str, columns: Columns) -> None:
        for position, raw in enumerate(_EXTRA_QUOTED.findall(rest), start=1):
            value = _unescape(raw)
            if value in ("", "-"):
                continue
            if _ADDRESS_LIST.match(value) and any(char.isdigit() for char in value):
                columns.extend("forwarded_for", [part.strip() for part in value.split(",")])
            elif _COOKIE_LIKE.match(value):
                self._add_pairs("cookie", value.split(";"), columns, plus_is_space=False)
            else:
                columns.add(f"extra.{position}", value)

    def _add_pairs(self, kind: str, pairs: list[str], columns: Columns, *, plus_is_space: bool) -> None:
        decode = unquote_plus if plus_is_space else unquote
        for pair in pairs:
            name, _, value = pair.strip().partition("=")
            if "%" in value or (plus_is_space and "+" in value):
                value = decode(value, errors="replace")
            if "%" in name or (plus_is_space and "+" in name):
                name = decode(name, errors="replace")
            self._add_named(kind, name, [value], columns)

    def _add_named(self, kind: str, name: str, values: list[str], columns: Columns) -> None:
        """Values of one query parameter or cookie; past the cap on names they go to ``kind`` itself."""
        if not name:
            return
        name = name[:_MAX_PARAMETER_NAME]
        known = self._parameter_names[kind]
        if name not in known and len(known) >= MAX_PARAMETER_FIELDS:
            columns.extend(kind, [f"{name}={value}" for value in values if value])
            return
        known.add(name)
        columns.extend_present(f"{kind}.{name}", values, ("",))


def _decode_query_part(text: str) -> str:
    """URL-decode a query-string name or value (``+`` is a space); cheap when there is nothing to do."""
    if "%" in text:
        return unquote_plus(text, errors="replace")
    return text.replace("+", " ") if "+" in text else text


def _target_of(request: str) -> str:
    words = request.split(" ")
    return words[1] if len(words) == 3 else request


def _decode(value: str) -> str:
    return unquote(value, errors="replace") if "%" in value else value


def _unescape(value: str) -> str:
    """Undo the escaping servers apply inside quoted fields (Apache ``\\"``, nginx ``\\x22``)."""
    if "\\" not in value:
        return value
    return _BACKSLASH_ESCAPE.sub(_replace_escape, value)


def _replace_escape(match: re.Match[str]) -> str:
    escaped = match.group(1)
    if escaped.startswith("x") and len(escaped) == 3:
        return chr(int(escaped[1:], 16))
    return escaped
