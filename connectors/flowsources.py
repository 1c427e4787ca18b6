"""Flow sources: HAR exports, egress proxy logs and the site's own access logs, read as requests.

Each reader streams one file into :class:`~piimap.flowmodel.ObservedRequest` records, one per
request, with what the request carries as :class:`~piimap.flowmodel.RequestField` values:

- ``har``: a browser's HAR export (``log.entries[]``). Request URL (its path, URL-decoded, as
  the ``url`` field, so e-mail addresses in paths are seen), query string, POST body (form
  fields, JSON members flattened to dotted paths with ``[]`` for arrays, or the text), cookies
  and the headers that may carry personal data (``Referer``, ``X-Forwarded-For``, custom ones;
  not ``User-Agent``, ``Accept`` and the like). The pages' hosts are first party. The file is
  read entry by entry (:func:`iter_har_entries`): memory does not grow with its size.
- ``squid``: Squid's native access log (``time elapsed client action/code bytes method URL ...``);
  ``CONNECT host:443`` lines carry only the host.
- ``json``: JSON Lines access logs, Envoy's and nginx's ``escape=json`` formats or any other:
  the URL, host and time are found by name (``url``, ``authority``, ``upstream_host``,
  ``request_uri``, ``path``, ``start_time``, ``time_iso8601``...) or named in the config.
- ``accesslog``: combined-format lines (nginx, Apache, Squid's ``logformat combined``). An
  absolute URL in the request line is an egress request; a relative one is a request to the site
  itself, whose query parameters, cookies and referrer are kept (the vendor tracking parameters
  and cookies on them are attributed by :mod:`piimap.flows`).

A line that is not of the file's format is skipped and counted; a file in which no line is, or
whose JSON is broken, raises :class:`~piimap.model.ContainerUnreadable` with one line naming it.
Raw values are truncated to ``max_value_length`` characters.
"""

from __future__ import annotations

import glob
import gzip
import json
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from piimap.connectors import logtally
from piimap.connectors.files import open_regular_file
from piimap.connectors.logtally import TallyBudget
from piimap.flowmodel import (
    BODY,
    COOKIE,
    HEADER,
    QUERY,
    URL,
    CountedDestination,
    CountedField,
    FlowSourceSpec,
    ObservedRequest,
    RequestField,
)
from piimap.model import ContainerUnreadable, SourceUnavailable
from piimap.name_masking import mask_path

__all__ = [
    "FlowReadStats",
    "detect_flow_format",
    "flow_files",
    "iter_requests",
    "iter_squid_native",
    "FlowRecord",
    "iter_har_entries",
    "har_request",
    "squid_request",
    "json_request",
    "accesslog_request",
    "parse_cookie_header",
    "flatten_json",
]

_HEAD_BYTES = 8192
_BLOCK_BYTES = 1 << 20
#: A HAR entry or log line longer than this is refused (a corrupt or hostile file).
MAX_RECORD_BYTES = 64 << 20
MAX_BODY_CHARS = 1 << 20
MAX_FIELDS_PER_REQUEST = 500

#: Headers that say nothing about the person (or are read elsewhere: cookies).
_QUIET_HEADERS = frozenset(
    """accept accept-encoding accept-language cache-control connection content-length content-type
    cookie host origin pragma priority te upgrade-insecure-requests user-agent dnt sec-gpc
    if-none-match if-modified-since range referrer-policy content-encoding keep-alive
    access-control-request-method access-control-request-headers purpose x-requested-with
    :authority :method :path :scheme""".split()
)
_SQUID_LINE = re.compile(
    rb"^(\d{9,11}(?:\.\d+)?)\s+-?\d+\s+(\S+)\s+([A-Z_]+)/(\d{3})\s+\d+\s+([A-Z]+|-)\s+(\S+)"
)
_ACCESS_LINE = re.compile(
    r'^(\S+) \S+ (\S+) \[([^\]]+)\] "(?:([A-Z]+) )?(\S+)(?: [^"]*)?" (?:\d{3}|-) (?:\d+|-)'
    r'(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?(.*)$'
)
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_HOST_PORT = re.compile(r"^\[?([A-Za-z0-9.\-:]+?)\]?(?::\d+)?$")

#: JSON Lines keys tried in order when the config names none.
URL_KEYS = ("url", "request_url", "full_url", "uri", "request_uri", "path", "request", "x_original_url")
HOST_KEYS = (
    "authority",
    ":authority",
    "host",
    "http_host",
    "upstream_host",
    "requested_server_name",
    "server_name",
    "proxy_host",
    "destination",
    "dest_host",
    "upstream_addr",
)
QUERY_KEYS = ("query", "query_string", "args")
TIME_KEYS = ("start_time", "time_iso8601", "timestamp", "@timestamp", "time", "ts", "msec", "date")
COOKIE_KEYS = ("cookie", "http_cookie", "cookies")
REFERER_KEYS = ("referer", "http_referer", "referrer")


#: What a flow reader yields: one request, or the requests to one destination counted natively.
FlowRecord = ObservedRequest | CountedDestination


class FlowReadStats:
    """Per-file counters: requests read and lines that were not of the format."""

    def __init__(self) -> None:
        self.requests = 0
        self.skipped = 0


# --------------------------------------------------------------------------- files and formats


def flow_files(url: str) -> list[str]:
    """The files a flow source's ``url`` names: a file, the files under a folder, or a glob (sorted)."""
    path = os.path.expanduser(url.removeprefix("file://"))
    if any(char in path for char in "*?["):
        files = sorted(item for item in glob.glob(path, recursive=True) if os.path.isfile(item))
        if not files:
            raise SourceUnavailable(f"no file matches {mask_path(path)}")
        return files
    if os.path.isdir(path):
        files = []
        for directory, subdirectories, names in os.walk(path):
            subdirectories[:] = sorted(name for name in subdirectories if not name.startswith("."))
            files.extend(os.path.join(directory, name) for name in sorted(names) if not name.startswith("."))
        return files
    if not os.path.exists(path):
        raise SourceUnavailable(f"{mask_path(path)} does not exist")
    return [path]


def detect_flow_format(name: str, head: bytes) -> str | None:
    """``har``, ``squid``, ``json`` or ``accesslog`` from the file name and first bytes; ``None`` if none fits."""
    lower = name.lower().removesuffix(".gz")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if lower.endswith(".har") or (text.startswith(b"{") and re.match(rb'\{\s*"log"\s*:', text)):
        return "har"
    first = text.split(b"\n", 1)[0]
    if first.startswith(b"{"):
        return "json"
    if _SQUID_LINE.match(first):
        return "squid"
    if _ACCESS_LINE.match(first.decode("utf-8", "replace")):
        return "accesslog"
    return None


def _open(path: str) -> IO[bytes]:
    try:
        raw = open_regular_file(path)
    except OSError as error:
        raise ContainerUnreadable(f"cannot read {mask_path(path)}: {error.strerror or error}") from None
    head = raw.read(2)
    raw.seek(0)
    if head == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    return raw


def iter_requests(
    spec: FlowSourceSpec,
    path: str,
    *,
    max_value_length: int = 4096,
    stats: FlowReadStats | None = None,
    native: bool = False,
    budget: TallyBudget | None = None,
) -> Iterator[FlowRecord]:
    """Stream the requests of one file of a flow source (format from ``spec.format`` or detected).

    With ``native`` (and the C extension built), a Squid log is counted by
    :func:`iter_squid_native`, which yields :class:`~piimap.flowmodel.CountedDestination` records
    for what it counted and :class:`~piimap.flowmodel.ObservedRequest` for the lines it hands back.
    """
    stats = stats if stats is not None else FlowReadStats()
    shown = mask_path(path)
    with _open(path) as stream:
        try:
            head = stream.peek(_HEAD_BYTES)[:_HEAD_BYTES] if hasattr(stream, "peek") else b""
        except (OSError, EOFError) as error:
            raise ContainerUnreadable(f"{shown}: cannot read: {error}") from None
        fmt = spec.format if spec.format != "auto" else detect_flow_format(path, head)
        if fmt is None:
            raise ContainerUnreadable(
                f"{shown}: not a HAR file, Squid log, JSON Lines or access log (set format: in flows:)"
            )
        try:
            if fmt == "har":
                for entry, page_hosts in iter_har_entries(stream, shown):
                    request = har_request(entry, page_hosts, max_value_length)
                    if request is not None:
                        stats.requests += 1
                        yield request
                    else:
                        stats.skipped += 1
                return
            if fmt == "squid" and native and logtally.native_tally_available() and max_value_length >= 1024:
                yield from iter_squid_native(stream, shown, stats, budget or TallyBudget(), max_value_length)
                return
            parse = {
                "squid": lambda line: squid_request(line, max_value_length),
                "json": lambda line: json_request(line, spec, max_value_length),
                "accesslog": lambda line: accesslog_request(line, max_value_length),
            }[fmt]
            for line in _iter_lines(stream, shown):
                if not line.strip():
                    continue
                request = parse(line)
                if request is None:
                    stats.skipped += 1
                    continue
                stats.requests += 1
                yield request
        except (OSError, EOFError, gzip.BadGzipFile) as error:
            raise ContainerUnreadable(f"{shown}: cannot read: {error}") from None
    if stats.requests == 0 and stats.skipped:
        raise ContainerUnreadable(f"{shown}: none of its {stats.skipped} lines is a {fmt} request")


def _iter_lines(stream: IO[bytes], shown: str) -> Iterator[bytes]:
    rest = b""
    while True:
        block = stream.read(_BLOCK_BYTES)
        if not block:
            break
        lines = (rest + block).split(b"\n")
        rest = lines.pop()
        if len(rest) > MAX_RECORD_BYTES:
            raise ContainerUnreadable(f"{shown}: a line longer than {MAX_RECORD_BYTES >> 20} MiB")
        yield from lines
    if rest:
        yield rest


def iter_squid_native(
    stream: IO[bytes], shown: str, stats: FlowReadStats, budget: TallyBudget, max_value_length: int = 4096
) -> Iterator[FlowRecord]:
    """A Squid log counted in C (``LogTally("squid")``): destinations as they drain, and the lines the C
    code hands back parsed by :func:`squid_request` (the reference it is tested against)."""
    import random
    from dataclasses import asdict

    native_tally = logtally.LogTally
    if native_tally is None:  # callers check native_tally_available() first
        raise RuntimeError("the C log tally is not built")
    tally = native_tally("squid", seed=random.getrandbits(64), **asdict(budget))
    for block in _iter_blocks(stream, shown):
        rejected = tally.feed(block)
        for line in rejected.split(b"\n") if rejected else ():
            if not line.strip():
                continue
            request = squid_request(line, max_value_length)
            if request is None:
                stats.skipped += 1
            else:
                stats.requests += 1
                yield request
        if tally.must_drain:
            yield from _destinations(tally.drain(), stats)
    yield from _destinations(tally.drain(), stats)


def _iter_blocks(stream: IO[bytes], shown: str) -> Iterator[memoryview]:
    """Blocks of complete lines (the last one may lack its newline), read into one reused buffer.

    Each block is valid until the next one is asked for (the caller feeds it and lets it go).
    """
    size = 8 * _BLOCK_BYTES
    buffer = bytearray(size)
    view = memoryview(buffer)
    held = 0  # bytes of an unfinished line kept at the front
    while True:
        if held == len(buffer):  # one line fills the buffer: make room, within the limit
            if len(buffer) >= MAX_RECORD_BYTES:
                raise ContainerUnreadable(f"{shown}: a line longer than {MAX_RECORD_BYTES >> 20} MiB")
            view.release()
            buffer.extend(bytes(len(buffer)))
            view = memoryview(buffer)
        read = stream.readinto(view[held:])  # type: ignore[attr-defined]
        if not read:
            break
        filled = held + read
        cut = buffer.rfind(b"\n", held, filled)
        if cut < 0:
            held = filled
            continue
        yield view[: cut + 1]
        held = filled - cut - 1
        buffer[:held] = buffer[cut + 1 : filled]
    if held:
        yield view[:held]


def _destinations(rows: list[tuple], stats: FlowReadStats) -> Iterator[CountedDestination]:
    """Drained ``LogTally("squid")`` rows as one record per destination."""
    heads: dict[str, tuple[int, float, float]] = {}
    fields: dict[str, list[CountedField]] = {}
    for kind, name, counts, _nulls, first, last in rows:
        if kind == "host":
            heads[name] = (sum(counts.values()), first, last)
            continue
        key, _, parameter = name.partition("\x1f")
        location, field_name = (QUERY, parameter) if kind == "host_query" else (URL, "path")
        fields.setdefault(key, []).append(
            CountedField(location, field_name, counts, _iso_time(first), _iso_time(last))
        )
    for key, (requests, first, last) in heads.items():
        host, _, segment = key.partition("/")
        stats.requests += requests
        yield CountedDestination(
            host=host,
            path="/" + segment,
            requests=requests,
            first=_iso_time(first),
            last=_iso_time(last),
            fields=tuple(fields.get(key, ())),
        )


# --------------------------------------------------------------------------- HAR


def iter_har_entries(stream: IO[bytes], shown: str) -> Iterator[tuple[dict[str, Any], frozenset[str]]]:
    """``(entry, page hosts)`` for every entry of a HAR document, decoding one entry at a time.

    The document is ``{"log": {..., "pages": [...], "entries": [...]}}``; every member but
    ``entries`` is decoded whole (they are small), ``entries`` one element at a time, so a HAR
    of any size is read in flat memory. Page hosts are those of ``log.pages[].title`` URLs read
    before the entries (HAR writers put pages first) and of each entry's own page document.
    """
    reader = _JsonReader(stream, shown)
    reader.expect("{")
    found_log = False
    while not reader.accept("}"):
        key = reader.string()
        reader.expect(":")
        if key != "log":
            reader.value()
        else:
            found_log = True
            yield from _har_log(reader)
        reader.accept(",")
    if not found_log:
        raise ContainerUnreadable(f"{shown}: not a HAR file (no 'log' object)")


def _har_log(reader: _JsonReader) -> Iterator[tuple[dict[str, Any], frozenset[str]]]:
    page_hosts: set[str] = set()
    reader.expect("{")
    while not reader.accept("}"):
        key = reader.string()
        reader.expect(":")
        if key == "pages":
            pages = reader.value()
            for page in pages if isinstance(pages, list) else ():
                title = page.get("title") if isinstance(page, dict) else None
                if isinstance(title, str) and "://" in title:
                    page_hosts.add(_host_of(urlsplit(title).netloc))
        elif key == "entries":
            reader.expect("[")
            while not reader.accept("]"):
                entry = reader.value()
                if isinstance(entry, dict):
                    _note_document_host(entry, page_hosts)
                    yield entry, frozenset(page_hosts)
                reader.accept(",")
        else:
            reader.value()
        reader.accept(",")


def _note_document_host(entry: dict[str, Any], page_hosts: set[str]) -> None:
    """An entry that fetched an HTML document is a page of the site: its host is first party."""
    if entry.get("_resourceType") == "document" or "text/html" in str(
        (entry.get("response") or {}).get("content", {}).get("mimeType", "")
    ):
        url = (entry.get("request") or {}).get("url")
        if isinstance(url, str) and not page_hosts:
            page_hosts.add(_host_of(urlsplit(url).netloc))


class _JsonReader:
    """Just enough of an incremental JSON reader: tokens and whole values from a byte stream."""

    def __init__(self, stream: IO[bytes], shown: str) -> None:
        self.stream = stream
        self.shown = shown
        self.buffer = ""
        self.position = 0
        self.eof = False
        self.decoder = json.JSONDecoder()
        self.pending = b""

    def _fill(self) -> bool:
        if self.eof:
            return False
        block = self.stream.read(_BLOCK_BYTES)
        if not block:
            self.eof = True
            if self.pending:
                self.buffer = self.buffer[self.position :] + self.pending.decode("utf-8", "replace")
                self.position, self.pending = 0, b""
            return False
        data = self.pending + block
        cut = len(data)
        while cut > 0 and cut > len(data) - 4 and (data[cut - 1] & 0xC0) == 0x80:
            cut -= 1
        if cut > 0 and data[cut - 1] >= 0xC0:
            cut -= 1  # a multi-byte character's lead byte: wait for the rest
        text, self.pending = data[:cut].decode("utf-8", "replace"), data[cut:]
        self.buffer = self.buffer[self.position :] + text
        self.position = 0
        if len(self.buffer) > MAX_RECORD_BYTES:
            raise ContainerUnreadable(f"{self.shown}: a HAR entry larger than {MAX_RECORD_BYTES >> 20} MiB")
        return True

    def _skip_space(self) -> None:
        while True:
            while self.position < len(self.buffer) and self.buffer[self.position] in " \t\r\n\ufeff":
                self.position += 1
            if self.position < len(self.buffer) or not self._fill():
                return

    def _error(self, what: str) -> ContainerUnreadable:
        return ContainerUnreadable(f"{self.shown}: invalid HAR (JSON): expected {what}")

    def accept(self, token: str) -> bool:
        self._skip_space()
        if self.buffer.startswith(token, self.position):
            self.position += 1
            return True
        return False

    def expect(self, token: str) -> None:
        if not self.accept(token):
            found = self.buffer[self.position : self.position + 1] or "the end of the file"
            raise self._error(f"{token!r}, found {found!r}")

    def string(self) -> str:
        value = self.value()
        if not isinstance(value, str):
            raise self._error("a member name")
        return value

    def value(self) -> Any:
        self._skip_space()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.position)
            except json.JSONDecodeError:
                if self._fill():
                    continue
                raise self._error("a JSON value (the file is cut short or broken)") from None
            except RecursionError:
                raise self._error("a value nested less deeply") from None
            if end == len(self.buffer) and not self.eof and self.buffer[self.position] not in '{["':
                if self._fill():  # a number may go on in the next block
                    continue
            self.position = end
            return value


def har_request(
    entry: dict[str, Any], page_hosts: frozenset[str], max_value_length: int = 4096
) -> ObservedRequest | None:
    """One HAR entry as a request (``None`` when it has no usable URL)."""
    request = entry.get("request")
    if not isinstance(request, dict) or not isinstance(request.get("url"), str):
        return None
    parts = urlsplit(request["url"])
    if parts.scheme not in ("http", "https", "ws", "wss") or not parts.netloc:
        return None
    fields: list[RequestField] = []
    fields.extend(_url_fields(parts.path, parts.query, max_value_length))
    for header in request.get("headers") or ():
        if not isinstance(header, dict):
            continue
        name, value = str(header.get("name", "")), str(header.get("value", ""))
        lower = name.lower()
        if lower == "cookie" and not request.get("cookies"):
            fields.extend(
                RequestField(COOKIE, key, item[:max_value_length]) for key, item in parse_cookie_header(value)
            )
        elif lower not in _QUIET_HEADERS and value:
            fields.append(RequestField(HEADER, lower, value[:max_value_length]))
    for cookie in request.get("cookies") or ():
        if isinstance(cookie, dict) and cookie.get("name"):
            fields.append(
                RequestField(COOKIE, str(cookie["name"]), str(cookie.get("value", ""))[:max_value_length])
            )
    post = request.get("postData")
    if isinstance(post, dict):
        fields.extend(_body_fields(post, max_value_length))
    return ObservedRequest(
        host=_host_of(parts.netloc),
        path=parts.path or "/",
        fields=tuple(fields[:MAX_FIELDS_PER_REQUEST]),
        time=_iso_time(entry.get("startedDateTime")),
        method=str(request.get("method") or "GET").upper(),
        page_hosts=tuple(sorted(page_hosts)),
    )


def _body_fields(post: dict[str, Any], max_value_length: int) -> Iterator[RequestField]:
    params = post.get("params")
    if isinstance(params, list) and params:
        for param in params:
            if isinstance(param, dict) and param.get("name"):
                yield RequestField(BODY, str(param["name"]), str(param.get("value", ""))[:max_value_length])
        return
    text = post.get("text")
    if not isinstance(text, str) or not text:
        return
    text = text[:MAX_BODY_CHARS]
    mime = str(post.get("mimeType", "")).lower()
    stripped = text.lstrip()
    if "json" in mime or stripped[:1] in ("{", "["):
        try:
            document = json.loads(text)
        except (ValueError, RecursionError):
            document = None
        if document is not None:
            for name, value in flatten_json(document):
                yield RequestField(BODY, name, value[:max_value_length])
            return
    if "x-www-form-urlencoded" in mime or ("=" in text and " " not in text.strip()):
        for name, value in parse_qsl(text, keep_blank_values=False):
            yield RequestField(BODY, name, value[:max_value_length])
        return
    for line in text.splitlines():  # NDJSON (Sentry envelopes, beacon batches), text/plain lines
        line = line.strip()
        if not line:
            continue
        document = None
        if line[:1] in ("{", "["):
            try:
                document = json.loads(line)
            except (ValueError, RecursionError):
                document = None
        if document is not None:
            for name, value in flatten_json(document):
                yield RequestField(BODY, name, value[:max_value_length])
        else:
            yield RequestField(BODY, "", line[:max_value_length])


def flatten_json(document: Any, prefix: str = "", depth: int = 0) -> Iterator[tuple[str, str]]:
    """``(dotted.path, text)`` for every scalar member; arrays as ``name[]``; strings nested as JSON are read too."""
    if depth > 32:
        return
    if isinstance(document, dict):
        for key, value in document.items():
            yield from flatten_json(value, f"{prefix}.{key}" if prefix else str(key), depth + 1)
    elif isinstance(document, list):
        for value in document[:1000]:
            yield from flatten_json(value, f"{prefix}[]", depth + 1)
    elif document is None or isinstance(document, bool):
        return
    else:
        text = str(document)
        if isinstance(document, str) and text[:1] in ("{", "[") and len(text) < MAX_BODY_CHARS:
            try:
                inner = json.loads(text)
            except (ValueError, RecursionError):
                inner = None
            if isinstance(inner, (dict, list)):
                yield from flatten_json(inner, prefix, depth + 1)
                return
        if text:
            yield prefix, text


def parse_cookie_header(value: str) -> list[tuple[str, str]]:
    """``a=1; b=2`` -> ``[(a, 1), (b, 2)]`` (values URL-decoded, empty ones dropped)."""
    pairs = []
    for part in value.split(";"):
        name, sep, item = part.strip().partition("=")
        if sep and name and item:
            pairs.append((name.strip(), unquote(item.strip().strip('"'))))
    return pairs


def _url_fields(path: str, query: str, max_value_length: int) -> list[RequestField]:
    fields = []
    decoded = unquote(path)
    if decoded not in ("", "/"):
        fields.append(RequestField(URL, "path", decoded[:max_value_length]))
    if query:
        for name, value in parse_qsl(query, keep_blank_values=False):
            if name:
                fields.append(RequestField(QUERY, name[:200], value[:max_value_length]))
    return fields


def _host_of(netloc: str) -> str:
    netloc = netloc.rsplit("@", 1)[-1].lower()
    match = _HOST_PORT.match(netloc)
    return (match.group(1) if match else netloc).rstrip(".")


def _iso_time(value: Any) -> str | None:
    """An ISO-8601 UTC time (``2026-11-20T08:00:00Z``) from ISO text or Unix seconds / milliseconds."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) or (isinstance(value, str) and _NUMBER.match(value)):
        seconds = float(value)
        if seconds > 1e11:  # milliseconds
            seconds /= 1000
        try:
            return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            try:
                moment = datetime.strptime(value, "%d/%b/%Y:%H:%M:%S %z")
            except ValueError:
                return None
        if moment.tzinfo is None:
            return moment.strftime("%Y-%m-%dT%H:%M:%S")
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return None


_NUMBER = re.compile(r"^\d{9,14}(\.\d+)?$")


# --------------------------------------------------------------------------- log lines


def _absolute_request(
    url: str, time: str | None, method: str, max_value_length: int, extra: list[RequestField] | None = None
) -> ObservedRequest | None:
    if "://" not in url:
        if method == "CONNECT" or re.match(r"^[A-Za-z0-9.\-]+:\d+$", url):
            host = _host_of(url)
            return ObservedRequest(host=host, path="/", time=time, method=method) if "." in host else None
        return None
    parts = urlsplit(url)
    if not parts.netloc:
        return None
    fields = _url_fields(parts.path, parts.query, max_value_length) + (extra or [])
    return ObservedRequest(
        host=_host_of(parts.netloc),
        path=parts.path or "/",
        fields=tuple(fields[:MAX_FIELDS_PER_REQUEST]),
        time=time,
        method=method,
    )


def squid_request(line: bytes, max_value_length: int = 4096) -> ObservedRequest | None:
    """A line of Squid's native log (``None`` when it is not one)."""
    match = _SQUID_LINE.match(line)
    if match is None:
        return None
    seconds, _client, _action, _status, method, url = match.groups()
    return _absolute_request(
        url.decode("utf-8", "replace"), _iso_time(seconds.decode()), method.decode(), max_value_length
    )


def accesslog_request(line: bytes, max_value_length: int = 4096) -> ObservedRequest | None:
    """A combined / common format line (``None`` when it is not one).

    An absolute URL in the request line (a forward proxy's log) is a request to that host. A path
    is a request to the site itself (host ``""``): its query, referrer and cookies are kept.
    """
    match = _ACCESS_LINE.match(line.decode("utf-8", "replace").rstrip("\r"))
    if match is None:
        return None
    _client, _user, when, method, target, referrer, _agent, rest = match.groups()
    time = _iso_time(when)
    method = method or "GET"
    extra: list[RequestField] = []
    for quoted in _QUOTED.findall(rest or ""):
        if "=" in quoted:
            extra.extend(
                RequestField(COOKIE, name, value[:max_value_length])
                for name, value in parse_cookie_header(quoted)
            )
    if referrer and referrer != "-":
        extra.append(RequestField(HEADER, "referer", referrer[:max_value_length]))
    if "://" in target or method == "CONNECT":
        return _absolute_request(target, time, method, max_value_length, extra)
    parts = urlsplit(target)
    fields = _url_fields(parts.path, parts.query, max_value_length) + extra
    return ObservedRequest(
        host="",
        path=parts.path or "/",
        fields=tuple(fields[:MAX_FIELDS_PER_REQUEST]),
        time=time,
        method=method,
    )


def json_request(line: bytes, spec: FlowSourceSpec, max_value_length: int = 4096) -> ObservedRequest | None:
    """A JSON Lines access-log record (``None`` when it is not an object with a URL or host)."""
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(record, dict):
        return None
    flat = _flat_record(record)
    time = _iso_time(_pick(flat, (spec.time_field,) if spec.time_field else TIME_KEYS))
    method = str(flat.get("method") or flat.get("request_method") or flat.get(":method") or "GET")
    url = _pick(flat, (spec.url_field,) if spec.url_field else URL_KEYS)
    host_value = _pick(flat, (spec.host_field,) if spec.host_field else HOST_KEYS)
    url_text = str(url) if url is not None else ""
    if url_text.startswith(("GET ", "POST ", "PUT ", "HEAD ", "PATCH ", "DELETE ", "OPTIONS ", "CONNECT ")):
        method, _, url_text = url_text.partition(" ")
        url_text = url_text.rsplit(" HTTP/", 1)[0]
    query = _pick(flat, QUERY_KEYS)
    if query and "?" not in url_text:
        url_text = f"{url_text}?{query}"
    extra: list[RequestField] = []
    cookie = _pick(flat, COOKIE_KEYS)
    if isinstance(cookie, str):
        extra.extend(
            RequestField(COOKIE, name, value[:max_value_length])
            for name, value in parse_cookie_header(cookie)
        )
    referrer = _pick(flat, REFERER_KEYS)
    if isinstance(referrer, str) and referrer not in ("", "-"):
        extra.append(RequestField(HEADER, "referer", referrer[:max_value_length]))
    if "://" in url_text:
        return _absolute_request(url_text, time, method.upper(), max_value_length, extra)
    host = _destination_host(host_value)
    if host is None:
        if url_text.startswith("/"):  # the site's own log in JSON
            parts = urlsplit(url_text)
            fields = _url_fields(parts.path, parts.query, max_value_length) + extra
            return ObservedRequest(
                host="", path=parts.path or "/", fields=tuple(fields), time=time, method=method.upper()
            )
        return None
    parts = urlsplit(url_text if url_text.startswith("/") else "/" + url_text if url_text else "/")
    fields = _url_fields(parts.path, parts.query, max_value_length) + extra
    return ObservedRequest(
        host=host,
        path=parts.path or "/",
        fields=tuple(fields[:MAX_FIELDS_PER_REQUEST]),
        time=time,
        method=method.upper(),
    )


def _flat_record(record: dict[str, Any]) -> dict[str, Any]:
    """Top-level members, plus nested objects' members (``request.url`` also as ``url``) case-folded."""
    flat: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            for inner_key, inner in value.items():
                if not isinstance(inner, (dict, list)):
                    flat.setdefault(f"{key}.{inner_key}".lower(), inner)
                    flat.setdefault(str(inner_key).lower(), inner)
        elif not isinstance(value, list):
            flat[str(key).lower()] = value
    return flat


def _pick(flat: dict[str, Any], keys: tuple[str | None, ...]) -> Any:
    for key in keys:
        if key is None:
            continue
        value = flat.get(key.lower())
        if value not in (None, "", "-"):
            return value
    return None


def _destination_host(value: Any) -> str | None:
    """A host name from an authority / upstream value; an IP:port upstream names no vendor."""
    if not isinstance(value, str) or not value:
        return None
    text = value.split(",")[0].strip()
    if "://" in text:
        text = urlsplit(text).netloc
    host = _host_of(text)
    if not host or not any(char.isalpha() for char in host) or ":" in host:
        return None  # 157.240.1.35:443 or an IPv6 address: the upstream's address, not its name
    return host
