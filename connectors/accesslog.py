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

Speed: the common case (every line of a block in the same combined shape, no backslash escapes)
is split at C speed: one ``str.split('"')`` over the whole block gives the quoted fields as
columns (every line has the same number of quotes, so each field is a slice ``[i::stride]``), the
unquoted heads give client and user, and each column is counted with ``collections.Counter``.
Query strings, URL decoding and cookie parsing then run once per *distinct* value, weighted by
its count. A block that does not fit (escaped quotes, junk lines, the common format) is parsed
with one ``findall`` of a compiled regex, or, failing that, line by line with a permissive regex.

A whole file (``--sample-size 0``) goes through :meth:`AccessLogParser.parse_blocks`, which hands
the raw bytes to the C extension (:mod:`piimap.connectors.logtally`) when it was built: it splits
and counts every line of the common shapes without creating a Python object per line, releases
the GIL while it works, counts the values of high-cardinality fields past their first 1024 by
shape (``/api/v1/orders/<uuid>`` is one shape, every public IPv4 address another), and gives back
the lines it does not handle, which the Python code above parses. With every value counted
exactly (:meth:`TallyBudget.exact`), both paths give the same fields and counts
(``tests/test_accesslog_native.py``); set ``PIIMAP_PURE_PYTHON=1`` to use only the Python one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import repeat
from urllib.parse import unquote, unquote_plus

from piimap.connectors import logtally
from piimap.connectors.fmt_columns import ABSENT_VALUES, Columns
from piimap.connectors.logtally import (
    DrainedRow,
    TallyBudget,
    native_tally_available,
    parse_each_block,
    tally_blocks,
)

__all__ = ["AccessLogParser", "looks_like_access_log", "native_parser_available", "MAX_PARAMETER_FIELDS"]

#: Distinct ``query.*`` / ``cookie.*`` names kept per container; later names go to ``query`` / ``cookie``.
MAX_PARAMETER_FIELDS = 100
_MAX_PARAMETER_NAME = 64

# The fast pattern: every line ends with "\n" and no quoted field holds a backslash escape.
# Groups: client, user, request, referrer, user agent, further quoted fields (cookies...).
# Anchored at line starts: unanchored, findall would retry at every offset of a long line without
# spaces and take quadratic time on hostile input (tests/test_fuzz_parsers.py).
_FAST_LINE = re.compile(
    r'(?m)^([^ \n]+) [^ \n]+ ([^ \n]+) \[[^\]\n]*\] "([^"\\\n]*)" (?:\d{3}|-) (?:\d+|-)'
    r'(?: "([^"\\\n]*)" "([^"\\\n]*)")?((?: "[^"\\\n]*")*)[^"\n]*\n'
)
# The split path checks, over all lines of a block at once, what _FAST_LINE checks line by line:
# the unquoted heads ("client ident user [time] "), each after the previous line's unquoted
# tail and its newline, and the gaps after the request (" status size ").
_HEAD = r'[^ \n"]+ [^ \n"]+ [^ \n"]+ \[[^\]\n"]*\] '
_SPLIT_HEADS = re.compile(_HEAD + r'(?:"[^"\n]*\n' + _HEAD + r')*"[^"\n]*\n')
_SPLIT_HEAD_FIELDS = re.compile(r'(?:^|\n)([^ \n"]+) [^ \n"]+ ([^ \n"]+) \[')
_GAP = r" (?:[0-9]{3}|-) (?:[0-9]+|-) "
_SPLIT_GAPS = re.compile(_GAP + r'(?:"' + _GAP + r")*")
_QUOTED = r'"((?:[^"\\]|\\.)*)"'
# The permissive pattern, one line at a time: escaped quotes inside quoted fields.
_LINE = re.compile(
    r'\s*(\S+) \S+ (\S+|"[^"]*") \[([^\]]*)\] ' + _QUOTED + r" (?:\d{3}|-) (?:\d+|-)"
    r"(?: " + _QUOTED + r" " + _QUOTED + r")?(.*)$"
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


def native_parser_available() -> bool:
    """True when the C extension is built and not switched off with ``PIIMAP_PURE_PYTHON=1``."""
    return native_tally_available()


class AccessLogParser:
    """Turns blocks of access-log lines into :class:`Columns`; keeps the field names seen so far."""

    def __init__(self, *, native: bool | None = None, budget: TallyBudget | None = None) -> None:
        self._parameter_names: dict[str, set[str]] = {"query": set(), "cookie": set()}
        self._native = (
            native_tally_available() if native is None else native and logtally.LogTally is not None
        )
        self._budget = budget or TallyBudget()

    def parse_blocks(self, blocks: Iterable[bytes | memoryview]) -> Iterator[Columns]:
        """Parse a whole stream given as blocks of complete lines (raw bytes), counting repeated values.

        With the C extension, values are counted across blocks and handed over (as counted
        :class:`Columns`) each time the tally reaches its budget and at the end; lines it does not
        handle are parsed here, block by block. Without it, each block is decoded and parsed with
        :meth:`parse_text`.
        """
        if not self._native:
            yield from parse_each_block(blocks, self.parse_text)
            return
        yield from tally_blocks(
            "accesslog", blocks, budget=self._budget, parse_rejected=self.parse_text, to_columns=self._drained
        )

    def _drained(self, rows: list[DrainedRow]) -> Columns:
        """What the C tally counted (values already URL-decoded), with the Python parser's naming rules."""
        columns = Columns()
        for kind, position, counts, nulls in rows:
            counted = Counter(counts)
            name = str(position)  # only an "extra" field is named by its position (an int)
            if kind == "query":
                self._tally_named("query", _decode_query_part(name), counted, columns)
            elif kind == "cookie":
                self._tally_named("cookie", _decode(name), counted, columns)
            elif kind == "extra":
                columns.tally(f"extra.{name}", counted)
            elif name in ("client_ip", "forwarded_for"):
                columns.tally(name, counted)
            elif name == "referrer":  # "-" was a null before decoding, "%2D" is a value
                if nulls:
                    columns.null(name, nulls)
                if counted:
                    columns.tally(name, counted)
            else:  # request_path, remote_user, user_agent
                _tally_present(columns, name, counted)
        return columns

    def parse_text(self, text: str, columns: Columns) -> None:
        """Parse ``text`` (complete lines) into ``columns``."""
        if not text.endswith("\n"):
            text += "\n"
        if "\\" not in text and self._parse_split(text, columns):
            return
        rows = _FAST_LINE.findall(text)
        if len(rows) == text.count("\n"):
            self._add_rows(rows, columns)
            return
        rows = []  # some line is not of the fast shape: each line on its own
        for line in text.split("\n"):
            fast = _FAST_LINE.match(line + "\n")
            if fast is not None:
                rows.append(fast.groups(""))
                continue
            match = _LINE.match(line)
            if match is None:
                if line.strip():
                    columns.add(None, line)
                continue
            client, user, _time, request, referrer, agent, rest = match.groups()
            rows.append(
                (
                    client,
                    user.strip('"'),
                    _unescape(request),
                    _unescape(referrer or "-"),
                    _unescape(agent or "-"),
                    rest,
                )
            )
        self._add_rows(rows, columns)

    def _parse_split(self, text: str, columns: Columns) -> bool:
        """The C-speed path: False (nothing added) unless every line has the same combined shape."""
        lines = text.count("\n")
        parts = text.split('"')
        stride, uneven = divmod(len(parts) - 1, lines)
        if uneven or stride < 6 or stride % 2:
            return False
        heads = parts[0::stride]  # "ip ident user [time zone] ", then "\n" + the next line's head
        if "\n" in heads[0] or list(map(str.count, heads[1:], repeat("\n"))).count(1) != lines:
            return False  # some line has another number of quotes (or is empty)
        joined_heads = '"'.join(heads)  # the quotes keep each head's bounds for the regexes
        if (
            not _SPLIT_HEADS.fullmatch(joined_heads)
            or not _SPLIT_GAPS.fullmatch('"'.join(parts[2::stride]))
            or any(parts[gap::stride].count(" ") != lines for gap in range(4, stride, 2))
        ):
            return False
        clients, users = zip(*_SPLIT_HEAD_FIELDS.findall(joined_heads))
        columns.tally("client_ip", Counter(clients))
        _tally_present(columns, "remote_user", Counter(users))
        self._add_request_counts(Counter(parts[1::stride]), columns)
        _tally_referrers(columns, Counter(parts[3::stride]))
        _tally_present(columns, "user_agent", Counter(parts[5::stride]))
        for position, index in enumerate(range(7, stride, 2), start=1):
            for value, count in Counter(parts[index::stride]).items():
                if value not in ("", "-"):
                    self._add_extra(position, value, count, columns)
        return True

    def _add_request_counts(self, requests: Counter[str], columns: Columns) -> None:
        """Request lines counted per distinct line: path and query parameters, weighted by count.

        Each distinct request is split once; each distinct query string is split into pairs once;
        values that need URL decoding are decoded together, one call per parameter name.
        """
        paths: Counter[str] = Counter()
        queries: Counter[str] = Counter()
        for request, count in requests.items():
            words = request.split(" ")
            target = words[1] if len(words) == 3 else request
            if "?" in target:
                target, _, query = target.partition("?")
                queries[query] += count
            paths[target] += count
        _tally_present(columns, "request_path", _percent_decoded(paths))
        by_name: dict[str, Counter[str]] = {}
        for query, count in queries.items():
            for pair in query.split("&"):
                name, _, value = pair.partition("=")
                bucket = by_name.get(name)
                if bucket is None:
                    by_name[name] = Counter({value: count})
                else:
                    bucket[value] += count
        for name, values in by_name.items():
            if name and any("%" in value or "+" in value for value in values):
                values = Counter(dict(zip(_decode_query_parts(list(values)), values.values())))
                if len(values) < len(by_name[name]):  # two spellings of one value: merge their counts
                    values = _rekeyed(by_name[name], _decode_query_part)
            self._tally_named("query", _decode_query_part(name), values, columns)

    def _add_extra(self, position: int, value: str, count: int, columns: Columns) -> None:
        """One distinct quoted field logged after the user agent, seen ``count`` times."""
        if _ADDRESS_LIST.match(value) and any(char.isdigit() for char in value):
            parts = Counter(part.strip() for part in value.split(","))
            columns.tally("forwarded_for", {part: times * count for part, times in parts.items()})
        elif _COOKIE_LIKE.match(value):
            for pair in value.split(";"):
                name, _, cookie = pair.strip().partition("=")
                if "%" in cookie:
                    cookie = unquote(cookie, errors="replace")
                if "%" in name:
                    name = unquote(name, errors="replace")
                self._tally_named("cookie", name, Counter({cookie: count}), columns)
        else:
            columns.tally(f"extra.{position}", {value: count})

    def _admit_parameter(self, kind: str, name: str) -> bool:
        """True when ``name`` has (or may now have) a field of its own: the first names of a file do."""
        known = self._parameter_names[kind]
        if name not in known:
            if len(known) >= MAX_PARAMETER_FIELDS:
                return False
            known.add(name)
        return True

    def _tally_named(self, kind: str, name: str, values: Counter[str], columns: Columns) -> None:
        """Counted values of one query parameter or cookie (see :meth:`_add_named`)."""
        if not name:
            return
        name = name[:_MAX_PARAMETER_NAME]
        if not self._admit_parameter(kind, name):
            columns.tally(kind, {f"{name}={value}": count for value, count in values.items() if value})
            return
        empty = values.pop("", 0)
        if empty:
            columns.null(f"{kind}.{name}", empty)
        if values:
            columns.tally(f"{kind}.{name}", values)

    def _add_rows(self, rows: list[tuple[str, ...]], columns: Columns) -> None:
        if not rows:
            return
        clients, users, requests, referrers, agents, rests = zip(*rows)
        columns.extend("client_ip", clients)
        columns.extend_present("remote_user", users)
        self._add_requests(requests, columns)
        present = [value for value in referrers if value not in ABSENT_VALUES]  # "-" is absent, "%2D" is not
        if len(present) < len(referrers):
            columns.null("referrer", len(referrers) - len(present))
        if present:
            columns.extend("referrer", [_decode(value) for value in present])
        columns.extend_present("user_agent", agents)
        for rest in rests:
            if rest.strip():
                self._add_extras(rest, columns)

    def _add_requests(self, requests: tuple[str, ...], columns: Columns) -> None:
        if list(map(str.count, requests, repeat(" "))).count(2) == len(requests):
            targets = " ".join(requests).split(" ")[1::3]
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
        if not self._admit_parameter(kind, name):
            columns.extend(kind, [f"{name}={value}" for value in values if value])
            return
        columns.extend_present(f"{kind}.{name}", values, ("",))


def _without_absent(columns: Columns, field: str, counts: Counter[str]) -> Counter[str]:
    """``counts`` without ``-`` and ``""`` (not logged), which are counted as nulls of ``field``."""
    absent = sum(counts.pop(value, 0) for value in ABSENT_VALUES)
    if absent:
        columns.null(field, absent)
    return counts


def _tally_present(columns: Columns, field: str, counts: Counter[str]) -> None:
    counts = _without_absent(columns, field, counts)
    if counts:
        columns.tally(field, counts)


def _tally_referrers(columns: Columns, counts: Counter[str]) -> None:
    """Referrers as logged: ``-`` is a null, ``%2D`` a value (absent ones go before decoding)."""
    counts = _percent_decoded(_without_absent(columns, "referrer", counts))
    if counts:
        columns.tally("referrer", counts)


def _percent_decoded(counts: Counter[str]) -> Counter[str]:
    """``counts`` with URL-escaped keys decoded (:func:`_decode`), or as it is when none is escaped."""
    return _rekeyed(counts, _decode) if any("%" in value for value in counts) else counts


def _rekeyed(counts: Counter[str], convert: Callable[[str], str]) -> Counter[str]:
    """``counts`` with every key converted (keys that become equal are merged)."""
    converted: Counter[str] = Counter()
    for value, count in counts.items():
        converted[convert(value)] += count
    return converted


def _decode_query_parts(values: list[str]) -> list[str]:
    """:func:`_decode_query_part` of every value, with one ``unquote_plus`` call for them all."""
    decoded = unquote_plus("&".join(values), errors="replace").split("&")
    if len(decoded) == len(values):
        return decoded
    return [_decode_query_part(value) for value in values]  # some value decodes to hold "&"


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
