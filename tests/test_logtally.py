"""The C log tally for JSON Lines and free text against the Python parsers, and the shapes it counts by.

``piimap.connectors._accesslog.LogTally`` reads access logs (``tests/test_accesslog_native.py``),
JSON Lines and free text. Its references:

- with every value counted exactly (``TallyBudget.exact()``), the C path gives the same fields,
  values and counts as the Python parsers, on generated lines, odd lines it must hand back, and
  lines drawn by hypothesis;
- values it counts under one *shape* get the same verdict from the IP and email validators
  (``ip_strength``, ``is_email`` on values; ``find_ips``, ``find_emails`` on lines), on values
  drawn as one structure filled with different digits, letters and addresses;
- a high-cardinality log read with the default budget (shapes) gives the same IP and email line
  counts as the same log read exactly, and holds at most ``exact_values`` values per field.
"""

from __future__ import annotations

import io
import json
import random
import re
import uuid
from collections import Counter

import pytest
from columns_helpers import expanded
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from piimap.classifiers.email import find_emails, is_email
from piimap.classifiers.ip_address import find_ips, ip_strength
from piimap.connectors import logtally
from piimap.connectors.fmt_json import JsonLinesParser
from piimap.connectors.fmt_lines import iter_line_blocks
from piimap.connectors.formats import _drained_lines, _TextParser, iter_field_samples
from piimap.connectors.logtally import TallyBudget
from piimap.engine import build_classifiers, classify_samples
from piimap.settings import ScanSettings

needs_native = pytest.mark.skipif(
    logtally.LogTally is None, reason="the C extension piimap.connectors._accesslog is not built"
)
EXACT = TallyBudget.exact()


def parse_both(
    parser_type, data: bytes, block_size: int = 4096, budget: TallyBudget = EXACT
) -> tuple[dict, dict]:
    """``data`` parsed by the C path and by the Python path of ``parser_type``, in blocks of whole lines."""
    results = []
    for native in (True, False):
        blocks = iter_line_blocks(io.BytesIO(data), 1 << 16, block_size=block_size)
        if parser_type is _TextParser:
            columns = list(_text_blocks(blocks, native, budget))
        else:
            columns = list(parser_type(native=native, budget=budget).parse_blocks(blocks))
        results.append(expanded(columns))
    return results[0], results[1]


def _text_blocks(blocks, native: bool, budget: TallyBudget):
    """What _TextParser.parse_blocks does, with ``native`` and ``budget`` chosen by the test."""
    parser = _TextParser()
    if not native:
        return logtally.parse_each_block(blocks, parser.parse_text)
    return logtally.tally_blocks(
        "text", blocks, budget=budget, parse_rejected=parser.parse_text, to_columns=_drained_lines
    )


# --- JSON Lines -----------------------------------------------------------------------------------

ODD_JSON_LINES = [
    "",
    "   ",
    "not json at all",
    "[1, 2, 3]",
    '{"a": 1} trailing',
    '{"dup": 1, "dup": 2}',
    '{"f": 1.50, "g": 1e5, "h": -0, "i": 0.00001, "j": 1234567890123456.7}',
    '{"k": 1.5, "l": -0.0, "m": 0.0001, "n": 100.0, "o": 12345678901234.5}',
    '  {"p": "caf\\u00e9 \\ud83d\\ude00 \\u0000 \\n \\" \\\\ \\/"}  ',
    '{"q": "\\ud800 lone"}',
    '{"r": "raw caf\u00e9"}',
    '{"s": NaN}',
    '{"": 1, "t": {"": 2, "u": {"": [3, {"": 4}]}}}',
    '{"a.b": 1, "a": {"b": 2}}',
    '{"v": [[], {}, [[1]], {"w": null}, "", true, false, null]}',
    '{"x": "tab\there"}',
    '{"y": 01}',
    '{"z": truex}',
    '{"deep": ' + "[" * 40 + "1" + "]" * 40 + "}",
    '{"big": ' + "9" * 5000 + "}",
    '{"ok": 18446744073709551617}',
    '{"a":1}\r',
    '{"c": 1}\x1f',
    '{"d": 1}\x0c{"e": 2}',
    # member names that are personal data: masked by the Python parser (name_masking.mask_key)
    '{"contacts": {"jane@example.org": {"phone": "+1 415 555 0134"}}}',
    '{"by_ip": {"81.2.69.160": 3, "10.0.0.1": 1}}',
    '{"devices": {"6D92078A-8246-4BA4-AE5B-76104861E7DC": "x", "0123456789abcdef": "y"}}',
    '{"mac": {"00:1a:2b:3c:4d:5e": 1, "00-1a-2b-3c-4d-5e": 2}, "v6": {"2001:db8::1": 1}}',
    '{"phones": {"+44 20 7946 0958": 1, "(415) 555-0134": 2}, "n1234": 1, "caf\u00e9": 2}',
]


def json_lines(count: int, seed: int) -> bytes:
    chooser = random.Random(seed)
    lines = []
    for index in range(count):
        record = {
            "ts": 1_700_000_000 + index,
            "user": {"email": f"user{chooser.randrange(40)}@example.com", "ip": f"81.2.{index % 250}.7"},
            "tags": chooser.choice([[], ["a"], ["a", "b"], [{"k": 1}, {"k": None}]]),
            "score": chooser.choice([0.5, 1.25, -3, 0, None, True, "", "x"]),
        }
        if chooser.random() < 0.3:
            record["extra"] = {"nested": {"deeper": chooser.choice(["v", 2, [1, 2]])}}
        line = json.dumps(record, separators=chooser.choice([(",", ":"), (", ", ": ")]))
        if chooser.random() < 0.05:
            line = chooser.choice(ODD_JSON_LINES)
        lines.append(line + chooser.choice(["\n", "\n", "\r\n"]))
    return "".join(lines).encode("utf-8")


@needs_native
@pytest.mark.parametrize("seed", range(4))
def test_json_lines_give_the_same_fields_both_ways(seed: int) -> None:
    native, python = parse_both(JsonLinesParser, json_lines(1500, seed), block_size=1 << (10 + seed))
    assert native == python
    assert native["ts"].total() >= 1300


@needs_native
@pytest.mark.parametrize("odd_line", ODD_JSON_LINES)
def test_json_lines_the_c_parser_hands_back_are_parsed_in_python(odd_line: str) -> None:
    data = json_lines(30, seed=7) + odd_line.encode("utf-8") + b"\n" + json_lines(30, seed=8)
    native, python = parse_both(JsonLinesParser, data)
    assert native == python


JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["", "1.2.3.4", "a@b.co", "\u2028", "\ud7ff"]),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.sampled_from(["a", "b", "", "a.b", "é", "k", "x@y.org", "10.0.0.1", "0123456789abcdef0"]),
            children,
            max_size=4,
        ),
    ),
    max_leaves=12,
)
RAW_PIECES = st.sampled_from(
    ["{", "}", "[", "]", '"', ":", ",", " ", "\\", "\\u00", "1", "-", ".", "e", "true", "n"]
)


@needs_native
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    records=st.lists(
        st.dictionaries(st.sampled_from(["a", "b", "c", "a.b", ""]), JSON_VALUES, max_size=4), max_size=6
    ),
    ascii_only=st.booleans(),
    soup=st.lists(st.lists(RAW_PIECES, max_size=10).map("".join), max_size=3),
)
def test_drawn_json_lines_give_the_same_fields_both_ways(records, ascii_only: bool, soup: list[str]) -> None:
    lines = [json.dumps(record, ensure_ascii=ascii_only) for record in records] + soup
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    native, python = parse_both(JsonLinesParser, data)
    assert native == python


# --- free text ------------------------------------------------------------------------------------

ODD_TEXT_LINES = [
    "",
    "   ",
    "caf\u00e9 8.8.8.8",
    "a\rb 8.8.8.8",
    "x\x0bz",
    "y\x0c",
    "p\x1cq",
    "\x1f unit",
    "\xff\xfe",
]


def text_lines(count: int, seed: int) -> bytes:
    chooser = random.Random(seed)
    lines = []
    for index in range(count):
        line = (
            f"2024-03-05 10:{index % 60:02d}:00,{index % 1000:03d} INFO [worker-{chooser.randint(1, 16)}] "
            + chooser.choice(
                [
                    f"login ok user=user{chooser.randrange(30)}@example.com",
                    f"GET /api/v1/items/{chooser.randrange(10**6)} from 81.2.{chooser.randrange(250)}.9",
                    "health check ok",
                    f"upstream 2001:db8::{chooser.randrange(1 << 16):x} healthy",
                ]
            )
        )
        if chooser.random() < 0.05:
            line = chooser.choice(ODD_TEXT_LINES)
        lines.append(line + chooser.choice(["\n", "\n", "\r\n"]))
    return "".join(lines).encode("utf-8", "surrogateescape")


@needs_native
@pytest.mark.parametrize("seed", range(3))
def test_text_lines_give_the_same_lines_both_ways(seed: int) -> None:
    native, python = parse_both(_TextParser, text_lines(2000, seed), block_size=1 << (9 + seed))
    assert native == python


@needs_native
@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(
        st.text(alphabet=st.sampled_from("ab 1.:@\r\x0b\x1c\x1f\u00e9\u2028\t"), max_size=12), max_size=8
    )
)
def test_drawn_text_lines_give_the_same_lines_both_ways(lines: list[str]) -> None:
    data = ("\n".join(lines) + "\n").encode("utf-8")
    native, python = parse_both(_TextParser, data)
    assert native == python


# --- shapes: the IP and email validators cannot tell apart values of one shape ---------------------

_WORDS = ["version", "v", "build", "kb", "oid", "rev", "from", "client", "user", "Chrome", "x", "GA", "ver"]
_DOMAINS = [
    "example.com",
    "mail.example.org",
    "x.local",
    "localhost",
    "example.c",
    "a-b.co.uk",
    "1.2.3.4",
    "test",
]
_PUNCTUATION = [
    " ",
    ".",
    "@",
    "-",
    "_",
    "~",
    "/",
    ":",
    "::",
    "=",
    "%40",
    "%",
    "+",
    "'",
    ",",
    "[",
    "]",
    "(",
    ";",
    "%2",
]


def _octet(chooser: random.Random) -> str:
    number = chooser.choice(
        [chooser.randrange(256), chooser.randrange(300), chooser.randrange(10), 0, 255, 127]
    )
    return ("0" if chooser.random() < 0.05 else "") + str(number)


def _piece(kind: str, length: int, chooser: random.Random) -> str:
    """One piece of a value: what the shape abstracts (digits, letters, addresses) varies per call."""
    if kind == "quad":
        first = chooser.choice([_octet(chooser), "10", "192", "172", "100", "169", "198", "203", "224", "0"])
        return ".".join([first] + [_octet(chooser) for _ in range(3)])
    if kind == "digits":
        return "".join(chooser.choice("0123456789") for _ in range(length))
    if kind == "zeros":
        return "0" * length
    if kind == "hex":
        return "".join(chooser.choice("0123456789abcdef") for _ in range(length))
    if kind == "letters":
        return "".join(chooser.choice("abcdefghijklmnopqrstuvwxyzABCDEF") for _ in range(length))
    if kind == "mixed":
        return "".join(chooser.choice("ab1C9z") for _ in range(length))
    if kind == "uuid":
        return "-".join(_piece("hex", size, chooser) for size in (8, 4, 4, 4, 12))
    if kind == "ipv6":
        hextets = [
            f"{chooser.choice([0, 1, 0xFFFF, 0xFE80, 0xFF02, 0x2001, chooser.randrange(1 << 16)]):x}"
            for _ in range(8)
        ]
        form = chooser.randrange(4)
        if form == 0:
            return ":".join(hextets)
        if form == 1:
            return ":".join(hextets[:2]) + "::" + hextets[7]
        if form == 2:
            return "::ffff:" + ".".join(_octet(chooser) for _ in range(4))
        return "::" + chooser.choice(["1", "", hextets[3]])
    if kind == "email":
        local = ".".join(
            _piece(chooser.choice(["letters", "mixed", "digits"]), chooser.randint(1, 6), chooser)
            for _ in range(chooser.randint(1, 2))
        )
        return f"{local}@{chooser.choice(_DOMAINS)}"
    if kind == "word":
        return _WORDS[length % len(_WORDS)]
    return _PUNCTUATION[length % len(_PUNCTUATION)]


PIECE_KINDS = [
    "quad",
    "digits",
    "zeros",
    "hex",
    "letters",
    "mixed",
    "uuid",
    "ipv6",
    "email",
    "word",
    "punctuation",
    "punctuation",
]
STRUCTURES = st.lists(st.tuples(st.sampled_from(PIECE_KINDS), st.integers(1, 20)), min_size=1, max_size=6)


def _instances(structure, seed: int, count: int = 24) -> list[str]:
    chooser = random.Random(seed)
    return ["".join(_piece(kind, length, chooser) for kind, length in structure) for _ in range(count)]


def _same_within_shapes(values: list[str], text: bool, verdict) -> None:
    from piimap.connectors._accesslog import shape

    by_shape: dict[bytes, set] = {}
    for value in values:
        by_shape.setdefault(shape(value.encode(), text=text)[0], set()).add(verdict(value))
    mixed = {key: verdicts for key, verdicts in by_shape.items() if len(verdicts) > 1}
    assert not mixed, (mixed, values)


@needs_native
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(structure=STRUCTURES, seed=st.integers(0, 1 << 30))
def test_values_of_one_shape_get_the_same_ip_and_email_verdicts(structure, seed: int) -> None:
    values = _instances(structure, seed)
    _same_within_shapes(values, False, ip_strength)
    _same_within_shapes(values, False, is_email)


@needs_native
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(structure=STRUCTURES, seed=st.integers(0, 1 << 30))
def test_lines_of_one_shape_get_the_same_ip_and_email_hits(structure, seed: int) -> None:
    lines = _instances(structure, seed)
    _same_within_shapes(lines, True, lambda line: tuple(hit.strength for hit in find_ips(line)))
    _same_within_shapes(lines, True, lambda line: tuple(hit.strength for hit in find_emails(line)))


@needs_native
@pytest.mark.parametrize(
    ("value", "text", "same_as", "differs_from"),
    [
        (
            "/api/v1/orders/78e51061-7311-48a3-82ce-6f447ed4d57b",
            False,
            "/api/v1/orders/00a51061-aaaa-48a3-82ce-6f447ed4d57c",
            "/api/v1/orders/42",
        ),
        ("81.2.69.160", False, "203.11.1.99", "10.0.0.100"),
        ("10.0.0.1", False, "10.9.9.9", "1.2.3.4"),
        ("jane.doe@example.com", False, "mark.foe@example.com", "jane.doe@example.org"),
        ("2001:4860::8888", False, "2a00:1450::200e", "fe80:4860::8888"),
        ("login from 8.8.8.8 ok", True, "login from 9.9.9.9 ok", "login from 81.2.69.160 ok"),
        ("login from 81.2.69.160 ok", True, "login from 11.1.1.11 ok", "login from 10.1.1.1 ok"),
        ("version 6.1.1.0", True, "version 5.1.1.0", "versions 6.1.1.0"),
        ("user=a%40b.co", False, "user=a%41b.co", "user=a%4b.co"),
        (
            "00000000-0000-0000-0000-000000000000",
            False,
            "00000000-0000-0000-0000-000000000000",
            "00000000-0000-0000-0000-000000000001",
        ),
    ],
)
def test_shapes_keep_what_the_validators_look_at(
    value: str, text: bool, same_as: str, differs_from: str
) -> None:
    from piimap.connectors._accesslog import shape

    assert shape(value.encode(), text=text)[0] == shape(same_as.encode(), text=text)[0]
    assert shape(value.encode(), text=text)[0] != shape(differs_from.encode(), text=text)[0]


@needs_native
@settings(max_examples=300, deadline=None)
@given(
    octets=st.lists(
        st.sampled_from(
            [
                "0",
                "00",
                "01",
                "1",
                "9",
                "10",
                "99",
                "100",
                "127",
                "169",
                "172",
                "192",
                "198",
                "203",
                "224",
                "255",
                "256",
                "999",
            ]
        ),
        min_size=3,
        max_size=5,
    ),
    separator=st.sampled_from([".", ".", ".", ","]),
)
def test_a_whole_dotted_quad_has_the_shape_the_general_loop_gives(octets: list[str], separator: str) -> None:
    """A value that is only a dotted quad takes a one-pass shortcut; its reference is the general
    loop, which a line (text) walks the same way without the value's length at the end."""
    from piimap.connectors._accesslog import shape

    value = separator.join(octets)
    as_value, as_line = shape(value.encode(), text=False)[0], shape(value.encode(), text=True)[0]
    with_length = as_line + b"\x01T" + bytes([len(value)])  # a value holding an address ends with its length
    if re.fullmatch(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}", value):  # the shortcut's values
        assert as_value == with_length
    else:
        assert as_value in (as_line, with_length)


def _digit_twin(value: str, chooser: random.Random) -> str:
    """``value`` with every digit 1-9 replaced by another one (zeros stay): the same digit-blind key."""
    return "".join(chooser.choice("123456789") if char in "123456789" else char for char in value)


@needs_native
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(structure=STRUCTURES, seed=st.integers(0, 1 << 30), text=st.booleans())
def test_a_shape_the_tally_remembers_by_digit_places_is_the_shape_of_every_digit_twin(
    structure, seed, text
) -> None:
    """Where a value's shape does not depend on its digits, the tally reuses it for any value with
    the same bytes and digits in the same places: those must all have that shape."""
    from piimap.connectors._accesslog import shape

    chooser = random.Random(seed)
    for value in _instances(structure, seed, count=8):
        expected, depends = shape(value.encode(), text=text)
        if depends or "@" in value:
            continue
        for _ in range(4):
            twin = _digit_twin(value, chooser)
            assert shape(twin.encode(), text=text) == (expected, False), (value, twin)


# --- high cardinality: counts by shape, flat memory ---------------------------------------------------


def _public_ip(number: int) -> str:
    mixed = (number * 2654435761) & 0xFFFFFF
    return f"{11 + number % 80}.{mixed >> 16}.{(mixed >> 8) & 255}.{mixed & 255}"


def high_cardinality_access_log(count: int) -> tuple[bytes, int]:
    chooser = random.Random(5)
    lines, emails = [], 0
    for index in range(count):
        client = _public_ip(index) if index % 7 else f"2001:db8:{index:x}::{chooser.randrange(1 << 16):x}"
        query = ""
        if index % 12 == 0:
            query = f"?email=c{index}.{chooser.getrandbits(20):x}%40example.com"
            emails += 1
        elif index % 12 == 1:
            query = f"?email=not-an-address-{index}"
        lines.append(
            f'{client} - - [10/Oct/2023:13:55:36 +0000] "GET /api/v1/orders/{chooser.getrandbits(64):x}{query} HTTP/1.1" '
            f'200 {index} "-" "Mozilla/5.0 Chrome/{chooser.randint(90, 130)}.0.{chooser.randint(1000, 9999)}.1" '
            f'"sid={chooser.getrandbits(128):032x}; theme=dark"\n'
        )
    return "".join(lines).encode(), emails


def high_cardinality_json_lines(count: int) -> tuple[bytes, int]:
    chooser = random.Random(6)
    lines, emails = [], 0
    for index in range(count):
        record = {"client_ip": _public_ip(index), "path": f"/t/{chooser.getrandbits(64):x}", "n": index}
        if index % 9 == 0:
            record["user"] = {"email": f"u{index}@example.org"}
            emails += 1
        lines.append(json.dumps(record) + "\n")
    return "".join(lines).encode(), emails


def high_cardinality_text(count: int) -> tuple[bytes, int]:
    chooser = random.Random(7)
    lines, emails = [], 0
    for index in range(count):
        who = ""
        if index % 10 == 0:
            who = f" user=u{index}.{chooser.getrandbits(16):x}@example.net"
            emails += 1
        lines.append(
            f"2024-03-05 10:{index % 60:02d}:{index % 59:02d},{index % 1000:03d} INFO [worker-{index % 16}] "
            f"GET /items/{chooser.getrandbits(40)} from {_public_ip(index)} took {index % 900}ms{who}\n"
        )
    return "".join(lines).encode(), emails


def _line_counts(data: bytes, name: str, native: bool, monkeypatch: pytest.MonkeyPatch) -> dict[tuple, tuple]:
    monkeypatch.setenv("PIIMAP_PURE_PYTHON", "0" if native else "1")
    settings_ = ScanSettings(sample_size=0)
    samples = iter_field_samples(
        io.BytesIO(data), source="s", container="c", name=name, limit=0, settings=settings_
    )
    findings, _ = classify_samples(samples, build_classifiers(settings_), settings_)
    return {
        (finding.field, finding.category): (finding.matched, finding.sampled)
        for finding in findings
        if finding.category in ("user.device.ip_address", "user.contact.email")
    }


@needs_native
@pytest.mark.parametrize(
    ("make", "name", "ip_field", "email_field"),
    [
        (high_cardinality_access_log, "access.log", "client_ip", "query.email"),
        (high_cardinality_json_lines, "events.jsonl", "client_ip", "user.email"),
        (high_cardinality_text, "app.log", None, None),
    ],
)
def test_counts_by_shape_equal_the_exact_counts(make, name, ip_field, email_field, monkeypatch) -> None:
    data, emails = make(6000)
    by_shape = _line_counts(data, name, True, monkeypatch)
    exact = _line_counts(data, name, False, monkeypatch)
    assert by_shape == exact
    assert by_shape[(ip_field, "user.device.ip_address")][0] == 6000
    assert by_shape[(email_field, "user.contact.email")][0] == emails


@needs_native
@pytest.mark.parametrize(
    ("fmt", "make"),
    [
        ("accesslog", high_cardinality_access_log),
        ("jsonl", high_cardinality_json_lines),
        ("text", high_cardinality_text),
    ],
)
def test_a_field_holds_at_most_its_exact_values_and_a_few_per_shape(fmt: str, make) -> None:
    data, _ = make(20_000)
    tally = logtally.LogTally(fmt, exact_values=100, part_values=50, reps=3)
    assert tally.feed(data) == b""
    shapes = tally.shapes
    assert 0 < shapes < 500  # 20,000 lines of a few structures, filled with new ids and addresses
    rows = tally.drain()
    fields = {name: counts for _kind, name, counts, _nulls in rows}
    assert sum(len(counts) for counts in fields.values()) <= 100 * len(fields) + 3 * shapes
    if fmt == "text":
        assert sum(fields[None].values()) == 20_000
    else:
        assert sum(fields["client_ip"].values()) == 20_000
    assert tally.distinct == 0 and tally.shapes == 0  # drained


@needs_native
def test_shapes_drain_when_their_budget_is_reached() -> None:
    data, _ = high_cardinality_text(3000)
    tally = logtally.LogTally("text", exact_values=0, max_shapes=5)
    counted: Counter[str] = Counter()
    drains = 0
    for block in iter_line_blocks(io.BytesIO(data), 1 << 16, block_size=4096):
        tally.feed(block)
        if tally.must_drain:
            drains += 1
            counted.update(
                {line: count for *_, counts, _nulls in tally.drain() for line, count in counts.items()}
            )
    counted.update({line: count for *_, counts, _nulls in tally.drain() for line, count in counts.items()})
    assert drains > 1 and counted.total() == 3000


@needs_native
def test_the_same_input_keeps_the_same_values_for_its_shapes() -> None:
    data, _ = high_cardinality_access_log(3000)
    runs = []
    for _ in range(2):
        tally = logtally.LogTally("accesslog", seed=random.getrandbits(64), exact_values=10)
        tally.feed(data)
        runs.append(tally.drain())
    assert runs[0] == runs[1]


def _counts_by_shape(data: str, field: str) -> Counter[bytes]:
    """The access log ``data`` counted by shape only, one value standing for each shape with its count:
    ``field``'s count per shape of those values (two shapes counted as one would show as one)."""
    from piimap.connectors._accesslog import shape

    tally = logtally.LogTally("accesslog", exact_values=0, reps=1)
    assert tally.feed(data.encode()) == b""
    counted = {name: counts for _kind, name, counts, _nulls in tally.drain()}[field]
    by_shape: Counter[bytes] = Counter()
    for value, count in counted.items():
        by_shape[shape(value.encode())[0]] += count
    return by_shape


def _random_quad(chooser: random.Random) -> str:
    """A dotted quad of 7-15 characters of any IP class: public, private, loopback, version-like, invalid."""
    first = chooser.choice(
        ["1", "9", "10", "11", "99", "100", "127", "169", "172", "192", "203", "224", "255", "256"]
    )
    return ".".join([first] + [_octet(chooser) for _ in range(3)])


@needs_native
@pytest.mark.parametrize("seed", range(4))
def test_client_addresses_counted_by_their_class_and_length_fall_under_their_own_shape(seed: int) -> None:
    """A field of dotted quads remembers each (IP class, length)'s shape and counts later ones there
    without shaping them: every shape's count is the number of addresses that have that shape."""
    from piimap.connectors._accesslog import shape

    chooser = random.Random(seed)
    addresses = [_random_quad(chooser) for _ in range(3000)]
    data = "".join(
        f'{address} - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" 200 5\n' for address in addresses
    )
    assert _counts_by_shape(data, "client_ip") == Counter(shape(address.encode())[0] for address in addresses)


_UUID = re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}(?![0-9A-Za-z])")


def _near_uuid(chooser: random.Random) -> str:
    """A UUID (upper or lower case, maybe all zeros) with up to two characters changed, added or taken out."""
    text = list(str(uuid.UUID(int=chooser.getrandbits(128))))
    if chooser.random() < 0.1:
        text = [char if char == "-" else "0" for char in text]
    if chooser.random() < 0.2:
        text = [char.upper() for char in text]
    for _ in range(chooser.choice([0, 0, 1, 2])):
        position = chooser.randrange(len(text) + 1)
        change = chooser.random()
        if change < 0.4 and position < len(text):
            text[position] = chooser.choice("09afAFgzGZ-_./ ")
        elif change < 0.7:
            text.insert(position, chooser.choice("09afAFgzGZ-_./ "))
        elif position < len(text):
            del text[position]
    return "".join(text)


@needs_native
@pytest.mark.parametrize("seed", range(6))
def test_a_uuid_is_shaped_as_one_wherever_the_pattern_finds_one(seed: int) -> None:
    """UUIDs are recognised sixteen bytes at a time: the shape holds one UUID class mark per UUID the
    plain pattern finds (not after or before a letter or digit), an all-zero one stays as it is."""
    from piimap.connectors._accesslog import shape

    chooser = random.Random(seed)
    for _ in range(2000):
        value = (
            chooser.choice(["", "/api/v1/orders/", "id=", "x", "7", "-", "_"])
            + _near_uuid(chooser)
            + chooser.choice(["", "/cart", "?page=2", "x", "5", "-", ".", " ok"])
        )
        found = _UUID.findall(value)
        expected = sum(1 for uuid in found if set(uuid) != {"0", "-"})
        for text in (False, True):
            assert shape(value.encode(), text=text)[0].count(b"\x01U\x24") == expected, (value, text)


def _random_token(chooser: random.Random) -> str:
    """One run of letters and digits: digits, zeros, hex either case, mixed case, long words, short mixes."""
    length = chooser.randint(1, 40)
    alphabet = chooser.choice(
        ["0123456789", "0", "0123456789abcdef", "0123456789ABCDEF", "a1B2c3XyZ", "abcdefghijklmnopqrstuvwxyz"]
    )
    return "".join(chooser.choice(alphabet) for _ in range(length))


@needs_native
@pytest.mark.parametrize("seed", range(3))
def test_one_run_values_counted_by_their_class_and_length_fall_under_their_own_shape(seed: int) -> None:
    """A field of ids (one run each) remembers the shape of each (class, length) in a few slots and
    counts later ones there without shaping them: every shape's count is the number of its values."""
    from piimap.connectors._accesslog import shape

    chooser = random.Random(seed)
    tokens = [_random_token(chooser) for _ in range(12_000)]
    data = "".join(
        f'203.0.113.9 - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-" "curl" "sid={token}"\n'
        for token in tokens
    )
    assert _counts_by_shape(data, "sid") == Counter(shape(token.encode())[0] for token in tokens)


@needs_native
@pytest.mark.parametrize("seed", range(2))
def test_values_counted_by_a_remembered_shape_fall_under_their_own_shape(seed: int) -> None:
    """User agents whose numbers vary in length make about 3,000 digit-blind keys, more than the
    remembered slots hold, each seen a few times: each value still counts under its own shape."""
    from piimap.connectors._accesslog import shape

    chooser = random.Random(seed)

    def number() -> str:
        return "".join(chooser.choice("123456789") for _ in range(chooser.randint(1, 4)))

    agents = [
        f"Mozilla/{number()}.0 (Windows NT {number()}.{number()}; Win64) Chrome/{number()}.0.{number()}.{number()}"
        + chooser.choice(["", " Safari/537.36", " v1.2.3.4"])
        for _ in range(20_000)
    ]
    data = "".join(
        f'203.0.113.9 - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-" "{agent}"\n'
        for agent in agents
    )
    assert _counts_by_shape(data, "user_agent") == Counter(shape(agent.encode())[0] for agent in agents)


_PATH_PUNCTUATION = ["/", "//", ".", "-", "_", "~", "=", ",", ";", "@", ":", "::", "'"]


def _path_piece(chooser: random.Random) -> str:
    kind = chooser.choice([*PIECE_KINDS, "slash", "slash"])
    if kind == "slash":
        return "/"
    if kind == "punctuation":
        return chooser.choice(_PATH_PUNCTUATION)
    return _piece(kind, chooser.randint(1, 20), chooser).replace(" ", "_").replace("%", "_")


@needs_native
@pytest.mark.parametrize("seed", range(4))
def test_paths_fall_under_their_own_shape(seed: int) -> None:
    """Paths of a few beginnings and varied ends (addresses, UUIDs, emails, IPv6, '/' anywhere),
    counted by shape only: every path counts under the shape of the whole path."""
    from piimap.connectors._accesslog import shape

    chooser = random.Random(seed)
    beginnings = [  # many of one length: they meet in the few slots that remember them
        "/" + "".join(_path_piece(chooser) for _ in range(chooser.choice([1, 1, 2, 8]))) + "/"
        for _ in range(40)
    ]
    paths = [
        chooser.choice(beginnings) + "".join(_path_piece(chooser) for _ in range(chooser.randint(1, 4)))
        for _ in range(6000)
    ]
    data = "".join(
        f'203.0.113.9 - - [10/Oct/2023:13:55:36 +0000] "GET {path} HTTP/1.1" 200 5\n' for path in paths
    )
    assert _counts_by_shape(data, "request_path") == Counter(shape(path.encode())[0] for path in paths)
