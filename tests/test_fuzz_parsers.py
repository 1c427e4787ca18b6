"""Hostile input for every parser: random bytes and text, deep nesting, huge values (hypothesis).

The promise: whatever a file or object holds, reading it either yields :class:`FieldSample`
records of bounded strings or raises :class:`~piimap.model.ContainerUnreadable` (after yielding
what it could), in bounded time. Nothing else escapes. Examples are bounded so the whole fuzz
suite stays well under a minute.
"""

from __future__ import annotations

import gzip
import io
import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from piimap.connectors.accesslog import AccessLogParser
from piimap.connectors.fmt_columns import Columns
from piimap.connectors.formats import FORMATS, iter_field_samples
from piimap.model import ContainerUnreadable, FieldSample
from piimap.settings import ScanSettings

pytest.importorskip("pyarrow.parquet")  # imported once here, not inside a timed example

SETTINGS = ScanSettings(max_value_length=512)
FUZZ = settings(max_examples=80, deadline=3000, suppress_health_check=[HealthCheck.too_slow])
NAMES = (
    "data.csv",
    "data.tsv",
    "data.json",
    "data.jsonl",
    "access.log",
    "notes.txt",
    "data.parquet",
    "x.gz",
    "blob",
)


def read(data: bytes, fmt: str | None, name: str = "data", limit: int = 7) -> list[FieldSample]:
    """Every sample of ``data``; ContainerUnreadable is the one error allowed to escape."""
    samples: list[FieldSample] = []
    try:
        for sample in iter_field_samples(
            io.BytesIO(data), source="s", container="c", name=name, limit=limit, settings=SETTINGS, fmt=fmt
        ):
            samples.append(sample)
    except ContainerUnreadable as error:
        assert str(error) and "\n" not in str(error)
    for sample in samples:
        assert sample.field.source == "s" and sample.field.container == "c"
        assert all(
            isinstance(value, str) and len(value) <= SETTINGS.max_value_length for value in sample.values
        )
    return samples


@FUZZ
@given(
    data=st.binary(max_size=4096),
    fmt=st.sampled_from((None, *FORMATS)),
    name=st.sampled_from(NAMES),
    limit=st.sampled_from((0, 7)),
)
def test_random_bytes_in_any_format(data: bytes, fmt: str | None, name: str, limit: int) -> None:
    read(data, fmt, name, limit)


@FUZZ
@given(
    text=st.text(max_size=2000),
    fmt=st.sampled_from((None, "csv", "tsv", "json", "jsonl", "accesslog", "text")),
    compress=st.booleans(),
)
def test_random_unicode_text_plain_or_gzipped(text: str, fmt: str | None, compress: bool) -> None:
    data = text.encode("utf-8", "surrogatepass")
    read(gzip.compress(data) if compress else data, fmt, "data.log.gz" if compress else "data.log")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=3000, suppress_health_check=[HealthCheck.too_slow])
@given(documents=st.lists(JSON_VALUES, min_size=1, max_size=5))
def test_any_json_documents_as_json_and_json_lines(documents: list) -> None:
    lines = "\n".join(json.dumps(document) for document in documents).encode()
    read(lines, "jsonl")
    read(json.dumps(documents).encode(), "json")


QUOTED = st.text(alphabet=st.characters(blacklist_characters='"\n\r'), max_size=60)


@FUZZ
@given(
    client=st.text(alphabet=st.characters(blacklist_characters=" \n\r"), min_size=1, max_size=40),
    request=QUOTED,
    referrer=QUOTED,
    agent=QUOTED,
    extras=st.lists(QUOTED, max_size=3),
)
def test_access_log_lines_with_hostile_quoted_fields(
    client: str, request: str, referrer: str, agent: str, extras: list[str]
) -> None:
    tail = "".join(f' "{extra}"' for extra in extras)
    line = f'{client} - - [10/Oct/2023:13:55:36 +0000] "{request}" 200 12 "{referrer}" "{agent}"{tail}\n'
    columns = Columns()
    AccessLogParser().parse_text(line * 3, columns)
    samples = read((line * 3).encode("utf-8", "surrogatepass"), "accesslog")
    assert samples  # a line is always either fields or free text


@FUZZ
@given(text=st.text(max_size=3000))
def test_access_log_parser_on_random_text(text: str) -> None:
    AccessLogParser().parse_text(text, Columns())


def _nested_object(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


PATHOLOGICAL = {
    "array nested 200000 deep": b"[" * 200_000 + b"]" * 200_000,
    "object nested 100000 deep": _nested_object(100_000),
    "json lines nested 5000 deep": (_nested_object(5000) + b"\n") * 3,
    "one 5 MB line": b"x" * 5_000_000 + b"\n",
    "5 MB csv cell": b"email\n" + b"a" * 5_000_000 + b"@example.com\n",
    "5 MB json string": b'[{"email":"' + b"a" * 5_000_000 + b'@example.com"}]',
    "invalid utf-8": b"\xff\xfe\x00" * 10_000,
    "100 KB line of brackets": b"[" * 100_000 + b"\n",
    "100 KB line of quotes": b'"' * 100_000 + b"\n",
    "100 KB of a:// (access log)": b"a://" * 25_000 + b"\n",
    "gzip of 20 MB zeros": gzip.compress(b"0" * 20_000_000),
    "truncated gzip": gzip.compress(b"email\njane@example.com\n" * 1000)[:200],
}


@pytest.mark.parametrize("fmt", [None, "csv", "jsonl", "accesslog", "text"])
@pytest.mark.parametrize("case", sorted(PATHOLOGICAL))
def test_pathological_inputs_are_read_in_bounded_time(case: str, fmt: str | None) -> None:
    started = time.perf_counter()
    read(PATHOLOGICAL[case], fmt, "data.json" if fmt is None else "data", limit=10)
    elapsed = time.perf_counter() - started
    assert elapsed < 5.0, f"{case} as {fmt}: {elapsed:.1f}s"  # a sanity bound on a busy 2-core machine


def test_deep_nesting_is_reported_as_unreadable_not_a_crash() -> None:
    with pytest.raises(ContainerUnreadable, match="nested too deeply"):
        list(
            iter_field_samples(
                io.BytesIO(PATHOLOGICAL["object nested 100000 deep"]),
                source="s",
                container="c",
                name="deep.json",
                limit=10,
                settings=SETTINGS,
            )
        )
