"""Bad lines cost only themselves, and wide rows are read whole (issue #12, items 8 and 9).

* A JSON Lines line nested too deeply to decode is a bad line like any other (free text), not
  the end of the file ("0 values read before it").
* NUL bytes in a few lines of a log or JSON Lines file do not make it binary: text or binary is
  decided by the share of bad bytes; binary files stay binary.
* A CSV / TSV row longer than the 64 KiB line cap of other formats (a wide export) is read
  whole up to ``MAX_ROW_BYTES``; past that, a warning says how many rows lost fields.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import random
from collections import defaultdict

import pytest

from piimap.connectors.formats import MAX_ROW_BYTES, detect_format, iter_field_samples, looks_binary
from piimap.model import FieldSample
from piimap.settings import ScanSettings

SETTINGS = ScanSettings()


def _fields(data: bytes, name: str, *, limit: int = 0) -> dict[str | None, list[str]]:
    stream = io.BytesIO(data)
    samples: list[FieldSample] = list(
        iter_field_samples(stream, source="s", container=name, name=name, limit=limit, settings=SETTINGS)
    )
    fields: dict[str | None, list[str]] = defaultdict(list)
    for sample in samples:
        fields[sample.field.name].extend(value for value, count in sample.counted() for _ in range(count))
    return dict(fields)


# -- item 8: a deeply nested line ---------------------------------------------------------------


@pytest.mark.parametrize("limit", [0, 50])
@pytest.mark.parametrize("depth", [5_000, 30_000])
def test_a_line_nested_too_deep_is_skipped_like_any_bad_line(limit: int, depth: int) -> None:
    events = [json.dumps({"email": f"user{index}@example.org", "n": index}) for index in range(40)]
    deep = "[" * depth + "1" + "]" * depth
    data = "\n".join(events[:20] + [deep] + events[20:]).encode() + b"\n"
    fields = _fields(data, "events.jsonl", limit=limit)
    emails = {int(email[4:].split("@")[0]) for email in fields["email"]}
    if limit == 0:
        assert fields["email"] == [f"user{index}@example.org" for index in range(40)]
        assert fields[None] == [deep[: SETTINGS.max_value_length]]
    else:  # windows spread over the bytes, most of which are the deep line: events on both sides
        assert emails <= set(range(40)) and min(emails) < 20 <= max(emails)


def test_a_deep_line_in_a_log_detected_as_json_lines_is_skipped_too() -> None:
    events = [json.dumps({"user": {"email": f"user{index}@example.org"}}) for index in range(30)]
    data = ("\n".join(events[:3] + ['{"a":' * 10_000 + "1" + "}" * 10_000] + events[3:]) + "\n").encode()
    assert detect_format("app.log", data) == "jsonl"
    assert len(_fields(data, "app.log")["user.email"]) == 30


# -- item 8: NUL bytes in some lines -------------------------------------------------------------


def _log_with_corrupt_lines(every: int) -> bytes:
    lines = []
    for index in range(200):
        if index % every == 0:
            lines.append(b"garbage \x00\x00\x00\x00 from a crash")
        else:
            lines.append(b"2024-01-01T10:00:00 login ok for user%d@example.org" % index)
    return b"\n".join(lines) + b"\n"


def test_a_log_with_a_few_nul_lines_is_still_text() -> None:
    data = _log_with_corrupt_lines(every=10)
    assert not looks_binary(data)
    assert detect_format("app.log", data) == "text"
    lines = _fields(data, "app.log")[None]
    assert sum("@example.org" in line for line in lines) == 180


@pytest.mark.parametrize("name", ["events.jsonl", "events.log", "events.jsonl.gz"])
def test_json_lines_with_nul_bytes_in_some_lines_are_still_json_lines(name: str) -> None:
    lines = [json.dumps({"email": f"user{index}@example.org"}).encode() for index in range(100)]
    lines[0] = b'{"email": "\x00\x00\x00'  # the first line too: detection looks past it
    lines[50] = b"\x00" * 40
    data = b"\n".join(lines) + b"\n"
    if name.endswith(".gz"):
        data = gzip.compress(data)
    assert detect_format(name, data) == "jsonl"
    fields = _fields(data, name)
    assert len(fields["email"]) == 98
    assert len(fields[None]) == 2


@pytest.mark.parametrize(
    "head",
    [
        b"\x00" * 4096,  # NUL padding
        "UTF-16 text".encode("utf-16-le") * 200,
        b"SQLite format 3\x00" + bytes(range(256)) * 20,
        b"\x7fELF\x02\x01\x01" + b"\x00" * 9 + bytes(range(256)) * 20,
        random.Random(1).randbytes(8192),
    ],
    ids=["zeros", "utf-16", "sqlite", "elf", "random"],
)
def test_binary_files_are_still_binary(head: bytes) -> None:
    assert looks_binary(head)
    assert detect_format("data.log", head) == "binary"


def test_a_text_file_that_is_mostly_nul_bytes_is_binary() -> None:
    assert looks_binary(_log_with_corrupt_lines(every=1))


# -- item 9: CSV rows over 64 KiB ----------------------------------------------------------------


def _wide_csv(columns: int, rows: int, delimiter: str = ",") -> bytes:
    header = [f"attribute_{index:05d}" for index in range(columns)] + ["email"]
    lines = [delimiter.join(header)]
    for row in range(rows):
        cells = [f"value-{row}-{index:05d}" for index in range(columns)] + [f"user{row}@example.org"]
        lines.append(delimiter.join(cells))
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("name", ["export.csv", "export.tsv", "export.csv.gz"])
@pytest.mark.parametrize("limit", [0, 20])
def test_a_row_wider_than_64_kib_is_read_whole(
    name: str, limit: int, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    monkeypatch.setattr("piimap.connectors.fmt_columns.MAX_FIELDS", 10_000)  # every column is a field
    data = _wide_csv(6_000, 30, "\t" if name.endswith(".tsv") else ",")
    assert data.index(b"\n") > 64 << 10  # the header row too
    if name.endswith(".gz"):
        data = gzip.compress(data)
    with caplog.at_level(logging.WARNING):
        fields = _fields(data, name, limit=limit)
    wanted = 30 if limit == 0 else 20
    assert len(fields["email"]) == wanted
    assert all(value.endswith("@example.org") for value in fields["email"])
    assert len(fields["attribute_05999"]) == wanted
    assert "were cut" not in caplog.text


@pytest.mark.parametrize("limit", [0, 20])
def test_rows_longer_than_the_row_cap_are_cut_and_said_so(limit: int, caplog) -> None:
    long_cell = "x" * (MAX_ROW_BYTES + (2 << 20))  # past the cap and the read block after it
    rows = [f"{long_cell},user{index}@example.org" for index in range(2)]
    rows += [f"short,user{index}@example.org" for index in range(2, 5)]
    data = ("notes,email\n" + "\n".join(rows) + "\n").encode()
    with caplog.at_level(logging.WARNING):
        fields = _fields(data, "export.csv", limit=limit)
    short_rows = [f"user{index}@example.org" for index in range(2, 5)]
    if limit == 0:
        assert fields["email"] == short_rows
    else:  # windows over the bytes: the short rows at the end share the last one
        assert fields["email"] and set(fields["email"]) <= set(short_rows)
    messages = [record.getMessage() for record in caplog.records if "were cut" in record.getMessage()]
    assert messages == [
        "export.csv: 2 rows longer than 8 MiB were cut: their fields after the cut were not read"
    ]
