"""The block JSON paths (one decode per block, one pass per field) against the record-by-record reference.

``JsonLinesParser.parse_text`` and ``flatten_records_into`` must give exactly what the reference gives
(``_parse_lines_one_by_one``, ``flatten_into`` per record): the same fields in the same order (the
field cap keeps the first ones), the same values in the same order, the same null counts. Inputs are
hypothesis-generated blocks of records that mostly share a shape, as real logs do, mixed with odd keys
(empty, dotted, ``[]``, unicode), nesting past the depth limit, numbers, booleans, nulls, junk and
blank lines. The per-field passes are also checked on their own, where they do not hand a block back
to the reference, so a fallback cannot hide a difference.
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from piimap.connectors import json_flatten
from piimap.connectors.fmt_columns import MAX_FIELDS, Columns
from piimap.connectors.fmt_json import (
    JsonLinesParser,
    flatten_into,
    flatten_records_into,
    iter_json_records,
)
from piimap.connectors.formats import iter_field_samples
from piimap.settings import ScanSettings

pytestmark = pytest.mark.slow  # fast paths against their references on generated data

KEYS = st.one_of(
    st.sampled_from(["", "a", "b", "a.b", "[]", "a[]", ".", "user", "email", "é", "ключ", "a b", "😀"]),
    st.text(max_size=6),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**19, max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.just(""),
    st.text(max_size=12),
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=5),
    max_leaves=20,
)
JUNK_LINES = [
    "not json at all: jane@example.com",
    "",
    "   ",
    '{"a": 1',
    "{}, {}",
    '{"a": 1}, {"b": 2}',
    '{"c": [1, {}',
    '{"d": 2}]}',
    '{"a": [1',
    "[1, 2",
    '"just a string"',
    "123",
    "{bad}",
    '{"a": 1} trailing',
    '\t{"padded": "x"}  ',
    '{"a": NaN, "b": Infinity}',
    '{"a": 1}\u00a0',
    '{"a": "\\ud800"}',
    '{"a": ' + "1" * 5000 + "}",
    "[]",
    "{}",
]


def _nest(value: Any, depth: int, how: str) -> Any:
    for level in range(depth):
        if how == "list":
            value = [value]
        elif how == "empty keys":
            value = {"": value}
        else:
            value = {f"k{level % 3}": value, "n": level}
    return value


DEEP = st.builds(_nest, JSON_VALUES, st.integers(28, 40), st.sampled_from(["list", "dict", "empty keys"]))


def _scalar(rng: random.Random) -> Any:
    return rng.choice(
        [
            None,
            "",
            True,
            False,
            rng.randint(-(10**6), 10**6),
            rng.random() * 1e6,
            f"v{rng.randint(0, 30)}",
            10**25 + rng.randint(0, 9),
            float("nan"),
            "jane@example.com",
        ]
    )


def _variant(value: Any, rng: random.Random, depth: int = 0) -> Any:
    """A record of (mostly) the same shape as ``value``: leaves changed; near the top, now and then
    a key or an element dropped or added, or a value of another type."""
    changes = depth < 3
    if isinstance(value, dict):
        result = {
            key: _variant(child, rng, depth + 1)
            for key, child in value.items()
            if not changes or rng.random() > 0.1
        }
        if changes and rng.random() < 0.1:
            result[rng.choice(["extra", "a.b", "", "[]"])] = _scalar(rng)
        return result
    if isinstance(value, list):
        return [_variant(child, rng, depth + 1) for child in value if not changes or rng.random() > 0.1]
    if changes and rng.random() < 0.15:
        return rng.choice([{"x": _scalar(rng)}, [_scalar(rng)], _scalar(rng)])
    return _scalar(rng)


@st.composite
def record_blocks(draw: st.DrawFn, min_size: int = 8) -> list[Any]:
    """Records drawn from one to three shapes, as a log's records are."""
    shapes = draw(
        st.lists(
            st.one_of(JSON_VALUES, DEEP, JSON_VALUES.map(lambda value: {"event": value})),
            min_size=1,
            max_size=3,
        )
    )
    rng = draw(st.randoms(use_true_random=False))
    count = draw(st.integers(min_size, 60))
    return [_variant(rng.choice(shapes), rng) for _ in range(count)]


@st.composite
def json_lines(draw: st.DrawFn) -> str:
    """JSON Lines text: records in various spellings, with junk and blank lines among them."""
    lines = []
    rng = draw(st.randoms(use_true_random=False))
    for record in draw(record_blocks()):
        spelling = rng.random()
        if spelling < 0.7:
            lines.append(json.dumps(record))
        elif spelling < 0.8:
            lines.append(json.dumps(record, separators=(",", ":"), ensure_ascii=False))
        elif spelling < 0.9:
            lines.append("  " + json.dumps(record) + " \t")
        else:
            lines.append(rng.choice(JUNK_LINES))
    lines += draw(st.lists(st.text(max_size=20), max_size=2))
    rng.shuffle(lines) if rng.random() < 0.2 else None
    return rng.choice(["\n", "\r\n"]).join(lines) + rng.choice(["", "\n"])


def _layout(columns: Columns) -> tuple[list[tuple[str | None, list[str]]], list[tuple[str | None, int]]]:
    """Everything a parse produced, in order: fields with their values, fields with their null counts."""
    return list(columns.values.items()), list(columns.nulls.items())


def _reference_lines(text: str) -> Columns:
    columns = Columns()
    json_flatten._parse_lines_one_by_one(text.splitlines(), columns)
    return columns


def _reference_records(pairs: list[tuple[str, Any]]) -> Columns:
    columns = Columns()
    for prefix, record in pairs:
        flatten_into(record, prefix, columns)
    return columns


@contextmanager
def _speed_rules_off(batch_lines: int) -> Iterator[None]:
    """Per-field passes even for keys seen in a single record, in batches of ``batch_lines`` lines
    (both speed rules, not correctness ones: small batches check that batches add up right)."""
    saved = json_flatten._MIN_RECORDS_PER_KEY, json_flatten._BATCH_LINES
    json_flatten._MIN_RECORDS_PER_KEY, json_flatten._BATCH_LINES = 0, batch_lines
    try:
        yield
    finally:
        json_flatten._MIN_RECORDS_PER_KEY, json_flatten._BATCH_LINES = saved


def _per_field_lines(text: str, batch_lines: int = json_flatten._BATCH_LINES) -> Columns | None:
    """The per-field JSON Lines pass alone; ``None`` where it hands the block back to the reference."""
    columns = Columns()
    try:
        with _speed_rules_off(batch_lines):
            json_flatten._parse_lines_by_column(text.splitlines(), columns)
    except json_flatten._Irregular:
        return None
    return columns


def _per_field_records(pairs: list[tuple[str, Any]], batch_records: int) -> Columns | None:
    """The per-field passes on ``(prefix, record)`` pairs, in runs of one prefix cut into batches."""
    columns = Columns()
    block = json_flatten._BlockFlattener()
    try:
        with _speed_rules_off(batch_records):
            for prefix, start, stop in json_flatten._runs_of_equal([prefix for prefix, _ in pairs]):
                for first in range(start, stop, batch_records):
                    last = min(stop, first + batch_records)
                    block.add_records([record for _, record in pairs[first:last]], range(first, last), prefix)
        block.write_into(columns)
    except json_flatten._Irregular:
        return None
    return columns


FUZZ = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- differential: JSON Lines ------------------------------------------------------------------------


@FUZZ
@given(text=json_lines())
def test_json_lines_block_equals_the_line_by_line_reference(text: str) -> None:
    columns = Columns()
    JsonLinesParser().parse_text(text, columns)
    assert _layout(columns) == _layout(_reference_lines(text))


@FUZZ
@given(text=json_lines(), batch_lines=st.sampled_from([1, 3, 7, 256]))
def test_per_field_pass_on_json_lines_equals_the_reference_where_it_answers(
    text: str, batch_lines: int
) -> None:
    per_field = _per_field_lines(text, batch_lines)
    if per_field is not None:
        assert _layout(per_field) == _layout(_reference_lines(text))


# -- differential: JSON documents (iter_json_records pairs) -----------------------------------------


@FUZZ
@given(
    records=record_blocks(min_size=1),
    wrap=st.sampled_from(["array", "object", "values"]),
    batch_records=st.sampled_from([1, 4, 1000]),
)
def test_document_records_equal_flatten_into_record_by_record(
    records: list[Any], wrap: str, batch_records: int
) -> None:
    if wrap == "array":
        document = json.dumps(records)
    elif wrap == "object":  # array members stream as "users[]" records, the rest as one "" record
        document = json.dumps(
            {
                "exported": "2024-01-01",
                "users": records,
                "owner": {"email": "a@example.com"},
                "ids": records[:3],
            }
        )
    else:  # several top-level values one after another
        document = "\n".join(json.dumps(record) for record in records)
    pairs = list(iter_json_records(io.BytesIO(document.encode())))
    columns = Columns()
    flatten_records_into(pairs, columns)
    reference = _reference_records(pairs)
    assert _layout(columns) == _layout(reference)
    per_field = _per_field_records(pairs, batch_records)
    if per_field is not None:
        assert _layout(per_field) == _layout(reference)


# -- the per-field pass is really used, and is exact, on ordinary logs -------------------------------


def _event(index: int, rng: random.Random) -> dict[str, Any]:
    event: dict[str, Any] = {"ts": 1_700_000_000 + index, "event": rng.choice(["click", "view", "purchase"])}
    if rng.random() < 0.9:
        event["user"] = {
            "email": f"user{rng.randrange(500)}@example.com",
            "ip": f"10.0.{index % 250}.{index % 7}",
        }
    else:
        event["user"] = None
    event["page"] = rng.choice(["/", "/cart", ""])
    if event["event"] == "purchase":
        event["items"] = [
            {"sku": f"S{rng.randrange(99)}", "qty": rng.randint(1, 3), "gift": rng.random() < 0.5}
            for _ in range(rng.randint(0, 3))
        ]
    if rng.random() < 0.05:
        event["error"] = {"code": rng.randint(400, 599), "retry": None}
    event["device_id"] = f"{rng.getrandbits(128):032x}"
    event["score"] = rng.choice([0.5, 1, None, 2.25])
    return event


def _event_lines(count: int, seed: int = 3) -> str:
    rng = random.Random(seed)
    return "".join(json.dumps(_event(index, rng)) + "\n" for index in range(count))


def test_ordinary_event_log_takes_the_per_field_pass_and_matches() -> None:
    text = _event_lines(3000)
    per_field = _per_field_lines(text)
    assert per_field is not None, "an ordinary event log fell back to the line-by-line reference"
    assert _layout(per_field) == _layout(_reference_lines(text))
    fields = dict(per_field.values)
    assert len(fields["user.email"]) == sum(1 for line in text.splitlines() if '"email"' in line)
    assert per_field.nulls["user"] > 0 and per_field.nulls["page"] > 0


def test_many_batches_with_bad_lines_at_batch_edges() -> None:
    lines = _event_lines(3 * json_flatten._BATCH_LINES + 50).splitlines()
    for index in (
        0,
        json_flatten._BATCH_LINES - 1,
        json_flatten._BATCH_LINES,
        2 * json_flatten._BATCH_LINES + 7,
        len(lines) - 1,
    ):
        lines[index] = lines[index][:-1]  # cut the closing brace: not JSON any more
    text = "\n".join(lines)
    per_field = _per_field_lines(text)
    assert per_field is not None
    assert _layout(per_field) == _layout(_reference_lines(text))
    assert len(per_field.values[None]) == 5


# -- bad lines are handled exactly as before ---------------------------------------------------------


@pytest.mark.parametrize(
    ("odd_lines", "free_text"),
    [
        # one line reads as two and two as one: a batch with both still has the right count
        (['{"a": 1}, {"b": 2}', '{"c": [1, {}', '{"d": 2}]}'], 3),
        (['{"k": 1', '{"k": 2}}'], 2),  # the first would swallow the second
        (["{}, {}", "[1,", "[2]]"], 3),
        # Python's json reads NaN, and strips the no-break space; 5000 digits are too many
        (['{"a": 1}\u00a0', '{"a": NaN}', '{"big": ' + "9" * 5000 + "}"], 1),
        # a raw line separator inside a string splits the line (str.splitlines) into two junk lines
        (["plain text", '"a string"', "42", "[1, 2", '{"a": "x\u2028y"}'], 6),
    ],
)
def test_lines_that_are_not_one_json_value_stay_free_text(odd_lines: list[str], free_text: int) -> None:
    good = _event_lines(40).splitlines()
    text = "\n".join(good[:20] + odd_lines + good[20:])
    columns = Columns()
    JsonLinesParser().parse_text(text, columns)
    reference = _reference_lines(text)
    assert _layout(columns) == _layout(reference)
    per_field = _per_field_lines(text)
    assert per_field is not None and _layout(per_field) == _layout(reference)
    assert len(columns.values.get(None, [])) == free_text


def test_many_bad_lines_in_one_block_still_match() -> None:
    lines = _event_lines(500).splitlines()
    for index in range(0, 500, 23):
        lines[index] = '{"broken": ' + lines[index]
    text = "\n".join(lines)
    assert _layout(_per_field_lines(text) or Columns()) == _layout(_reference_lines(text))


def test_a_line_nested_too_deep_to_decode_is_a_bad_line_both_ways() -> None:
    # It used to raise RecursionError, which dropped the whole file (issue #12, item 8).
    deep = '{"a":' * 5000 + "1" + "}" * 5000
    text = _event_lines(20) + deep + "\n" + _event_lines(5)
    reference = _reference_lines(text)
    assert reference.values[None] == [deep]  # kept as free text, like any other bad line
    assert sum(map(len, reference.values.values())) > 25  # and the 25 events around it are read
    columns = Columns()
    JsonLinesParser().parse_text(text, columns)
    assert _layout(columns) == _layout(reference)
    per_field = _per_field_lines(text)
    assert per_field is not None and _layout(per_field) == _layout(reference)


def test_paths_reached_two_ways_fall_back_and_still_match() -> None:
    records = [{"a.b": f"dotted{index}", "a": {"b": f"nested{index}"}} for index in range(20)]
    text = "\n".join(json.dumps(record) for record in records)
    assert _per_field_lines(text) is None  # the order within "a.b" is the reference's business
    columns = Columns()
    JsonLinesParser().parse_text(text, columns)
    assert _layout(columns) == _layout(_reference_lines(text))
    assert columns.values["a.b"][:2] == ["dotted0", "nested0"]


# -- end to end: the same samples, so the field cap keeps the same fields ---------------------------


def _samples(data: bytes, parse_text: Any, monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    monkeypatch.setattr(JsonLinesParser, "parse_text", parse_text)
    monkeypatch.setenv(
        "PIIMAP_PURE_PYTHON", "1"
    )  # the Python parsers, block by block (the C tally: test_logtally)
    stream = io.BytesIO(data)
    return [
        (sample.field.name, sample.values, sample.counts, sample.null_count)
        for sample in iter_field_samples(
            stream, source="s", container="c", name="events.jsonl", limit=0, settings=ScanSettings()
        )
    ]


def _reference_parse_text(self: JsonLinesParser, text: str, columns: Columns) -> None:
    json_flatten._parse_lines_one_by_one(text.splitlines(), columns)


def test_field_cap_keeps_the_same_fields_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(11)
    width = MAX_FIELDS + 300
    lines = []
    for index in range(6 * width):  # every optional key appears in about six records
        record: dict[str, Any] = {"ts": index, "email": f"user{index % 97}@example.com"}
        for key in rng.sample(range(width), 3):
            record[f"attr{key}"] = rng.choice([f"v{key}", None, key])
        lines.append(json.dumps(record))
    data = ("\n".join(lines) + "\n").encode()
    assert _per_field_lines("\n".join(lines[:4000])) is not None
    new = _samples(data, JsonLinesParser.parse_text, monkeypatch)
    old = _samples(data, _reference_parse_text, monkeypatch)
    assert new == old
    assert len({name for name, *_ in new}) == MAX_FIELDS + 1  # the cap was reached: the rest is free text
