"""iter_field_samples on real bytes: every format, gzip, sampling, batches and the bad-input list."""

from __future__ import annotations

import gzip
import io
import json
import logging
from collections import defaultdict

import pytest

from piimap.connectors.fmt_columns import BATCH_SIZE
from piimap.connectors.formats import iter_field_samples
from piimap.model import ContainerUnreadable, FieldSample
from piimap.settings import ScanSettings

SETTINGS = ScanSettings()


class OneWayStream(io.RawIOBase):
    """A stream that can only be read forward, like an object-store response body."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._data.read(size)

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def samples_of(
    data: bytes, name: str, *, limit: int = 0, seekable: bool = True, **options
) -> list[FieldSample]:
    stream = io.BytesIO(data) if seekable else OneWayStream(data)
    settings = options.pop("settings", SETTINGS)
    return list(
        iter_field_samples(
            stream, source="src", container=name, name=name, limit=limit, settings=settings, **options
        )
    )


def fields_of(samples: list[FieldSample]) -> dict[str | None, list[str]]:
    fields: dict[str | None, list[str]] = defaultdict(list)
    for sample in samples:  # a full read counts repeated values: expand them again
        fields[sample.field.name].extend(value for value, count in sample.counted() for _ in range(count))
    return dict(fields)


def read(data: bytes, name: str, **options) -> dict[str | None, list[str]]:
    return fields_of(samples_of(data, name, **options))


def read_until_error(data: bytes, name: str, **options) -> tuple[dict[str | None, list[str]], str]:
    """The fields yielded before the error, and the error's message."""
    stream = io.BytesIO(data)
    collected: list[FieldSample] = []
    with pytest.raises(ContainerUnreadable) as raised:
        for sample in iter_field_samples(
            stream, source="src", container=name, name=name, limit=0, settings=SETTINGS, **options
        ):
            collected.append(sample)
    return fields_of(collected), str(raised.value)


# -- access logs -------------------------------------------------------------------------------

COMBINED_WITH_COOKIE = (
    '203.0.113.7 - jane [10/Oct/2023:13:55:36 +0000] "GET /signup?email=jane.doe%40example.com&plan=pro+plus '
    'HTTP/1.1" 200 512 "https://example.org/ref?u=x%40y.org" "Mozilla/5.0 (X11)" '
    '"_ga=GA1.2.1234567890.1600000000; sid=abc123"\n'
)


def test_access_log_fields_are_split_and_url_decoded() -> None:
    fields = read(COMBINED_WITH_COOKIE.encode() * 2, "access.log")
    assert fields["client_ip"] == ["203.0.113.7"] * 2
    assert fields["remote_user"] == ["jane"] * 2
    assert fields["request_path"] == ["/signup"] * 2
    assert fields["query.email"] == ["jane.doe@example.com"] * 2
    assert fields["query.plan"] == ["pro plus"] * 2
    assert fields["referrer"] == ["https://example.org/ref?u=x@y.org"] * 2
    assert fields["user_agent"] == ["Mozilla/5.0 (X11)"] * 2
    assert fields["cookie._ga"] == ["GA1.2.1234567890.1600000000"] * 2
    assert fields["cookie.sid"] == ["abc123"] * 2


@pytest.mark.parametrize(
    ("line", "field", "expected"),
    [
        # common format: no referrer / user agent
        (
            '198.51.100.2 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326',
            "remote_user",
            "frank",
        ),
        (
            '198.51.100.2 - - [10/Oct/2000:13:55:36 -0700] "GET /u/a%40b.io HTTP/1.0" 200 -',
            "request_path",
            "/u/a@b.io",
        ),
        # Apache escapes quotes inside a quoted field with a backslash (the slow, permissive path)
        (
            '2001:db8::1 - - [10/Oct/2000:13:55:36 -0700] "GET /x?q=%22hi%22 HTTP/1.1" 404 0 "-" '
            '"Agent \\"quoted\\""',
            "user_agent",
            'Agent "quoted"',
        ),
        (
            '2001:db8::1 - - [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 404 0 "-" "Agent \\"q\\""',
            "client_ip",
            "2001:db8::1",
        ),
        # nginx writes \x22 for a quote
        (
            '10.1.2.3 - - [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 200 1 "-" "A\\x22B"',
            "user_agent",
            'A"B',
        ),
        # a forwarded-for list logged after the user agent
        (
            '10.1.2.3 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1 "-" "UA" "198.51.100.9, 10.0.0.1"',
            "forwarded_for",
            "198.51.100.9",
        ),
        # junk in the request line
        (
            '10.1.2.3 - - [10/Oct/2000:13:55:36 -0700] "\\x16\\x03\\x01" 400 0 "-" "-"',
            "client_ip",
            "10.1.2.3",
        ),
    ],
)
def test_access_log_variants(line: str, field: str, expected: str) -> None:
    fields = read((line + "\n").encode() * 3, "access.log")
    assert fields[field][0] == expected


def test_access_log_junk_lines_are_kept_as_free_text() -> None:
    data = COMBINED_WITH_COOKIE * 3 + "server restarted by admin@example.com\n" + COMBINED_WITH_COOKIE
    fields = read(data.encode(), "access.log")
    assert fields[None] == ["server restarted by admin@example.com"]
    assert len(fields["client_ip"]) == 4


def test_access_log_dash_means_not_logged() -> None:
    line = '10.1.2.3 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1 "-" "-"\n'
    fields = read(line.encode() * 5, "access.log")
    assert set(fields) == {"client_ip", "request_path"}


def test_many_query_parameter_names_are_capped() -> None:
    lines = "".join(
        f'10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /?p{index}=v HTTP/1.1" 200 1 "-" "UA"\n'
        for index in range(150)
    )
    fields = read(lines.encode(), "access.log")
    parameter_fields = [name for name in fields if name and name.startswith("query.")]
    assert len(parameter_fields) == 100
    assert fields["query"][0] == "p100=v"


# -- JSON, JSON Lines, CSV, TSV, text, Parquet ------------------------------------------------


def test_json_lines_dotted_paths_and_junk() -> None:
    data = (
        b'{"user": {"email": "a@example.com", "devices": [{"idfa": "X"}, {"idfa": "Y"}]}, "tags": ["t1"], '
        b'"n": 14155550134, "ok": true, "gone": null}\n'
        b"not json at all: bob@example.com\n"
        b'{"user": {"email": "b@example.com"}\n'  # broken JSON
    )
    fields = read(data, "events.jsonl")
    assert fields["user.email"] == ["a@example.com"]
    assert fields["user.devices[].idfa"] == ["X", "Y"]
    assert fields["tags[]"] == ["t1"]
    assert fields["n"] == ["14155550134"]
    assert fields["ok"] == ["true"]
    assert "gone" not in fields
    assert fields[None] == ["not json at all: bob@example.com", '{"user": {"email": "b@example.com"}']


def test_json_array_document() -> None:
    records = [{"id": index, "contact": {"email": f"user{index}@example.com"}} for index in range(2500)]
    fields = read(json.dumps(records, indent=2).encode(), "export.json")
    assert len(fields["contact.email"]) == 2500
    assert fields["contact.email"][2499] == "user2499@example.com"


def test_json_object_document_streams_array_members() -> None:
    document = {
        "exported": "2024-01-01",
        "users": [{"email": "a@example.com"}, {"email": "b@example.com"}],
        "owner": {"name": "Jane Doe"},
    }
    fields = read(json.dumps(document, indent=1).encode(), "export.json")
    assert fields["users[].email"] == ["a@example.com", "b@example.com"]
    assert fields["owner.name"] == ["Jane Doe"]
    assert fields["exported"] == ["2024-01-01"]


def test_json_document_sample_stops_at_limit() -> None:
    records = [{"email": f"user{index}@example.com"} for index in range(5000)]
    fields = read(json.dumps(records).encode(), "export.json", limit=100)
    assert len(fields["email"]) == 100


def test_broken_json_document_reports_after_the_readable_records() -> None:
    data = b'[{"email": "a@example.com"}, {"email": "b@example.com"}, {"email": '
    fields, message = read_until_error(data, "export.json")
    assert fields["email"] == ["a@example.com", "b@example.com"]
    assert "invalid JSON" in message and "\n" not in message


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("people.csv", b"name,email,phone\nJane Doe,jane@example.com,+1 415 555 0134\n"),
        ("people.csv", b"name;email;phone\nJane Doe;jane@example.com;+1 415 555 0134\n"),
        ("people.tsv", b"name\temail\tphone\nJane Doe\tjane@example.com\t+1 415 555 0134\n"),
        ("people.csv", b"\xef\xbb\xbfname,email,phone\r\nJane Doe,jane@example.com,+1 415 555 0134\r\n"),
        ("people.csv", b'name,email,phone\n"Doe, Jane",jane@example.com,+1 415 555 0134\n'),
    ],
)
def test_csv_and_tsv(name: str, data: bytes) -> None:
    fields = read(data, name)
    assert fields["email"] == ["jane@example.com"]
    assert fields["phone"] == ["+1 415 555 0134"]
    assert fields["name"][0] in ("Jane Doe", "Doe, Jane")


def test_ragged_csv_rows_are_tolerated() -> None:
    data = b"id,email,,id\n1,a@example.com\n2,b@example.com,x,3,extra@example.com\n3\n"
    fields = read(data, "ragged.csv")
    assert fields["id"] == ["1", "2", "3"]
    assert fields["email"] == ["a@example.com", "b@example.com"]
    assert fields["column_3"] == ["x"]
    assert fields["id_2"] == ["3"]
    assert fields["column_5"] == ["extra@example.com"]


def test_free_text_lines_are_values_of_field_none() -> None:
    data = b"Jan 12 10:00:00 host app: login ok for jane@example.com\n\n  \nJan 12 10:00:01 host app: done\n"
    fields = read(data, "syslog")
    assert fields[None][0].endswith("jane@example.com")
    assert len([value for value in fields[None] if value.strip()]) == 2


def test_parquet_columns_and_nested_fields(tmp_path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    table = pa.table(
        {
            "email": [f"user{index}@example.com" if index % 2 else None for index in range(10)],
            "phone": pa.array(list(range(14155550100, 14155550110)), pa.int64()),
            "profile": [{"ip": "203.0.113.7", "tags": ["a"]}] * 10,
        }
    )
    path = tmp_path / "users.parquet"
    pq.write_table(table, path, row_group_size=3)
    samples = samples_of(path.read_bytes(), "users.parquet")
    fields = fields_of(samples)
    assert fields["email"] == [f"user{index}@example.com" for index in range(1, 10, 2)]
    assert fields["phone"][0] == "14155550100"
    assert fields["profile.ip"] == ["203.0.113.7"] * 10
    assert fields["profile.tags[]"] == ["a"] * 10
    assert sum(sample.null_count for sample in samples if sample.field.name == "email") == 5
    # a gzipped Parquet file, read from a one-way stream, is spooled to disk and read the same way
    assert read(gzip.compress(path.read_bytes()), "users.parquet.gz", seekable=False) == fields
    # a sample takes rows from row groups spread over the file
    sampled = read(path.read_bytes(), "users.parquet", limit=4)
    assert len(sampled["phone"]) == 4 and "14155550109" in sampled["phone"]


# -- gzip, sampling, batches ---------------------------------------------------------------------


def numbered_lines(count: int) -> bytes:
    return b"".join(b"line %06d user%d@example.com\n" % (index, index) for index in range(count))


@pytest.mark.parametrize("seekable", [True, False])
def test_gzip_is_detected_by_magic_bytes_not_name(seekable: bool) -> None:
    fields = read(gzip.compress(numbered_lines(10)), "no-suffix", seekable=seekable)
    assert fields[None][9] == "line 000009 user9@example.com"


def test_full_read_arrives_in_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "PIIMAP_PURE_PYTHON", "1"
    )  # free text listed line by line (the C tally counts by shape)
    samples = samples_of(numbered_lines(12_000), "big.log")
    assert [len(sample.values) for sample in samples] == [BATCH_SIZE, BATCH_SIZE, 2000]
    assert fields_of(samples)[None][11_999] == "line 011999 user11999@example.com"


def test_sample_of_a_seekable_file_is_spread_over_the_whole_file() -> None:
    values = read(numbered_lines(100_000), "big.log", limit=160)[None]
    numbers = sorted(int(value.split()[1]) for value in values)
    assert len(numbers) == 160
    assert numbers[0] < 10 and numbers[-1] > 90_000
    assert len({number // 10_000 for number in numbers}) == 10  # every tenth of the file is visited


def test_sample_of_a_small_file_reads_all_of_it() -> None:
    everything = read(numbered_lines(50), "small.log")[None]
    assert sorted(read(numbered_lines(50), "small.log", limit=1000)[None]) == sorted(everything)


def test_sample_of_a_gzip_stream_is_a_reservoir_beyond_the_first_lines() -> None:
    values = read(gzip.compress(numbered_lines(50_000)), "big.log.gz", limit=100)[None]
    numbers = [int(value.split()[1]) for value in values]
    assert len(numbers) == 100
    assert max(numbers) > 1000  # not just the head


def test_sample_of_a_csv_keeps_its_header() -> None:
    data = b"email\n" + b"".join(b"user%d@example.com\n" % index for index in range(10_000))
    fields = read(data, "users.csv", limit=50)
    assert list(fields) == ["email"] and len(fields["email"]) == 50
    fields = read(gzip.compress(data), "users.csv.gz", limit=50)
    assert list(fields) == ["email"] and len(fields["email"]) == 50


# -- bad input ------------------------------------------------------------------------------------


def test_binary_input_is_skipped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert samples_of(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)) * 10, "logo.png") == []
    assert "skipped binary file: logo.png" in caplog.text


@pytest.mark.parametrize("data", [b"", gzip.compress(b"")])
def test_empty_input_yields_nothing(data: bytes) -> None:
    assert samples_of(data, "empty.log") == []


def test_invalid_utf8_is_decoded_with_replacement_and_scanned() -> None:
    data = b"caf\xe9 owner jane@example.com\nbad \xff\xfe bytes from 203.0.113.7\n"
    fields = read(data, "latin1.log")
    assert fields[None] == ["caf\ufffd owner jane@example.com", "bad \ufffd\ufffd bytes from 203.0.113.7"]


def test_truncated_gzip_yields_what_was_readable_then_reports() -> None:
    compressed = gzip.compress(numbered_lines(200_000))
    fields, message = read_until_error(compressed[: len(compressed) // 2], "cut.log.gz")
    assert len(fields[None]) > 50_000
    assert fields[None][0] == "line 000000 user0@example.com"
    assert message.startswith("truncated compressed data") and "\n" not in message


@pytest.mark.parametrize(
    ("name", "data", "field"),
    [
        ("cut.log.gz", numbered_lines(20_000), None),  # 650 KB of text
        ("cut-access.log.gz", COMBINED_WITH_COOKIE.encode() * 3_000, "client_ip"),  # 800 KB of access log
    ],
)
def test_a_truncated_gzip_smaller_than_one_read_block_still_yields_what_was_readable(
    name: str, data: bytes, field: str | None
) -> None:
    lines = data.count(b"\n")
    compressed = gzip.compress(data)
    fields, message = read_until_error(compressed[: len(compressed) * 3 // 4], name)
    assert message.startswith("truncated compressed data") and "\n" not in message
    assert lines // 10 < len(fields[field]) < lines  # the readable part, though it is under 1 MiB


def test_corrupt_gzip_is_reported() -> None:
    compressed = bytearray(gzip.compress(numbered_lines(1000)))
    compressed[30:60] = b"\x00" * 30
    _, message = read_until_error(bytes(compressed), "bad.log.gz")
    assert "compressed data" in message


def test_gzip_bomb_stops_at_the_decompressed_limit() -> None:
    bomb = gzip.compress(b"A" * 100 + b"\n" + b"x" * (20 << 20))
    fields, message = read_until_error(bomb, "bomb.log.gz", max_decompressed_bytes=4 << 20)
    assert "max_decompressed_bytes" in message
    assert fields.get(None, [""])[0].startswith("A")


def test_a_50mb_single_line_is_cut_without_being_held(tmp_path) -> None:
    import resource
    import subprocess
    import sys

    path = tmp_path / "one-line.log"
    with open(path, "wb") as stream:
        stream.write(b"jane@example.com ")
        for _ in range(50):
            stream.write(b"y" * (1 << 20))
        stream.write(b"\nnext line 203.0.113.7\n")
    script = (
        "import resource, sys\n"
        "from piimap.connectors.formats import iter_field_samples\n"
        "from piimap.settings import ScanSettings\n"
        "settings = ScanSettings(max_value_length=100)\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "values = []\n"
        "for limit in (0, 10):\n"
        "    with open(sys.argv[1], 'rb') as stream:\n"
        "        for sample in iter_field_samples(stream, source='s', container='c', name='one-line.log',\n"
        "                                         limit=limit, settings=settings):\n"
        "            values.extend(sample.values)\n"
        "grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before\n"
        "print(grown, [len(value) for value in values], values[1], values[3])\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", script, str(path)], check=True, capture_output=True, text=True
    ).stdout.split(" ", 1)
    grown_kib, rest = int(output[0]), output[1]
    assert rest.strip() == "[100, 21, 100, 21] next line 203.0.113.7 next line 203.0.113.7"
    assert grown_kib < 20 * 1024, f"reading a 50 MB line grew memory by {grown_kib} KiB"
    del resource
