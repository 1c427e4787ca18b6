"""detect_format: the format of a file from its name and first bytes (a table of cases)."""

from __future__ import annotations

import gzip

import pytest

from piimap.connectors.formats import detect_format, looks_binary

COMBINED = (
    b'203.0.113.7 - - [10/Oct/2023:13:55:36 +0000] "GET /a?x=1 HTTP/1.1" 200 512 '
    b'"https://example.org/" "Mozilla/5.0"\n'
)
COMMON = b'198.51.100.2 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326\n'


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("users.csv", b"id,email\n1,a@b.co\n", "csv"),
        ("users.CSV.gz", gzip.compress(b"id,email\n1,a@b.co\n"), "csv"),
        ("users.tsv", b"id\temail\n", "tsv"),
        ("users.tab", b"id\temail\n", "tsv"),
        ("events.jsonl", b'{"a": 1}\n{"a": 2}\n', "jsonl"),
        ("events.ndjson", b'{"a": 1}\n', "jsonl"),
        ("events.json", b'{"a": 1}\n{"a": 2}\n', "jsonl"),
        ("export.json", b'[\n  {"a": 1},\n  {"a": 2}\n]\n', "json"),
        ("export.json", b'{\n  "users": [\n', "json"),
        ("export.json.gz", gzip.compress(b'[{"a": 1}, {"a": 2}]'), "jsonl"),
        ("export.json.gz", gzip.compress(b'[\n{"a": 1},\n{"a": 2}\n]'), "json"),
        ("no-extension", b'[\n  {"a": 1}\n]\n', "json"),
        ("app.log", b'{"level": "info", "user": {"email": "a@b.co"}}\n', "jsonl"),
        ("app.log", b"[2024-01-01 10:00:00] INFO started\n[2024-01-01 10:00:01] INFO ready\n", "text"),
        ("access.log", COMBINED * 3, "accesslog"),
        ("access.log.1", COMMON * 3, "accesslog"),
        ("access.log.2.gz", gzip.compress(COMBINED * 3), "accesslog"),
        ("access.log-20240101", COMBINED, "accesslog"),
        ("weird-name.txt", COMBINED * 2 + b"junk line\n", "accesslog"),
        ("syslog", b"Jan 12 10:00:00 host sshd[42]: Accepted password for alice from 10.0.0.1\n", "text"),
        ("notes.txt", b"Call Jane on +1 415 555 0134\n", "text"),
        ("latin1.txt", "caf\xe9 cr\xe8me br\xfbl\xe9e for ren\xe9e\n".encode("latin-1"), "text"),
        ("data.parquet", b"PAR1\x15\x04", "parquet"),
        ("renamed.bin", b"PAR1\x15\x04\x15", "parquet"),
        ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("app.so", b"\x7fELF\x02\x01\x01\x00\x00\x00", "binary"),
        ("random.dat", bytes(range(1, 32)) * 20, "binary"),
        ("empty.log", b"", "text"),
    ],
)
def test_detect_format(name: str, head: bytes, expected: str) -> None:
    assert detect_format(name, head) == expected


@pytest.mark.parametrize(
    ("head", "binary"),
    [
        (b"plain ascii text\n", False),
        ("unicode \u00e9\u00e8 \u65e5\u672c\u8a9e text\n".encode(), False),
        (b"invalid \xff\xfe utf-8 but mostly text\n", False),
        (b"\x00\x01\x02\x03", True),
        (b"\xff\xfe\xfd\xfc" * 100, True),
        (b"", False),
    ],
)
def test_looks_binary(head: bytes, binary: bool) -> None:
    assert looks_binary(head) is binary
