"""The S3 connector's reading side: formats, gzip, Parquet, ranged reads, per-object errors, the CLI.

Objects live in moto's standalone server and are read over real HTTP; the fault proxy in front of
it records what was requested (``Range`` headers, bytes sent back) and refuses chosen keys.
"""

from __future__ import annotations

import gzip
import io
import json

import pytest
from moto_server import FaultProxy

from piimap.connectors.s3 import S3Connector
from piimap.model import ContainerUnreadable, SourceSpec
from piimap.settings import ScanSettings

pytest_plugins = ["fixtures_s3"]


def connector(url: str, settings: ScanSettings | None = None, **options: object) -> S3Connector:
    return S3Connector(SourceSpec("s3", url, options), settings or ScanSettings())


def read_all(conn: S3Connector, limit: int = 100) -> dict[str, dict[str | None, list[str]]]:
    """container name -> field name -> every sampled value."""
    out: dict[str, dict[str | None, list[str]]] = {}
    for container in conn.discover():
        fields = out.setdefault(container.name, {})
        for sample in conn.sample(container, limit):
            assert sample.field.container == container.name
            assert sample.field.source == "s3"
            # a full read counts repeated values (and values of one shape): expand them again
            fields.setdefault(sample.field.name, []).extend(
                value for value, count in sample.counted() for _ in range(count)
            )
    return out


def _jsonl(count: int, start: int = 0) -> bytes:
    return "".join(
        json.dumps({"user": {"email": f"user{i}@example.com", "devices": [{"ip": f"198.51.100.{i % 250}"}]}})
        + "\n"
        for i in range(start, start + count)
    ).encode()


def _parquet(columns: dict[str, list]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer)
    return buffer.getvalue()


CSV = b"name,email,phone\nJane Doe,jane@example.com,+1 415 555 0134\nJohn Roe,john@example.com,+1 415 555 0188\n"
TSV = CSV.replace(b",", b"\t")
JSON_DOC = json.dumps(
    [
        {"customer": {"email": "jane@example.com", "tags": ["vip"]}},
        {"customer": {"email": "john@example.com"}},
    ]
).encode()
ACCESS_LOG = (
    b'203.0.113.7 - - [27/Nov/2026:10:00:00 +0000] "GET /signup?email=jane%40example.com HTTP/1.1" '
    b'200 12 "-" "Mozilla/5.0"\n'
) * 4
TEXT_LOG = b"2026-11-27 10:00:00 INFO password reset sent to jane@example.com\n" * 3


@pytest.mark.parametrize(
    ("key", "body", "field", "expected"),
    [
        ("exports/users.csv", CSV, "email", ["jane@example.com", "john@example.com"]),
        ("exports/users.tsv", TSV, "phone", ["+1 415 555 0134", "+1 415 555 0188"]),
        ("exports/customers.json", JSON_DOC, "[].customer.email", ["jane@example.com", "john@example.com"]),
        ("exports/customers.json", JSON_DOC, "[].customer.tags[]", ["vip"]),
        (
            "events/part.jsonl",
            _jsonl(3),
            "user.devices[].ip",
            ["198.51.100.0", "198.51.100.1", "198.51.100.2"],
        ),
        (
            "events/part.jsonl.gz",
            gzip.compress(_jsonl(2)),
            "user.email",
            ["user0@example.com", "user1@example.com"],
        ),
        ("exports/users.csv.gz", gzip.compress(CSV), "name", ["Jane Doe", "John Roe"]),
        (
            "events/no-suffix",
            gzip.compress(_jsonl(2)),
            "user.email",
            ["user0@example.com", "user1@example.com"],
        ),
        ("logs/access.log", ACCESS_LOG, "query.email", ["jane@example.com"] * 4),
        ("logs/app.log", TEXT_LOG, None, [TEXT_LOG.decode().splitlines()[0]] * 3),
        (
            "tables/users.parquet",
            _parquet({"email": ["a@example.com", "b@example.com"], "age": [31, 42]}),
            "email",
            ["a@example.com", "b@example.com"],
        ),
        ("tables/no-suffix", _parquet({"email": ["a@example.com"]}), "email", ["a@example.com"]),
    ],
)
def test_each_format_is_read(s3, key, body, field, expected):
    bucket = s3.new_bucket()
    s3.put(bucket, key, body)
    [(name, fields)] = read_all(connector(f"s3://{bucket}/")).items()
    assert name == f"{bucket}/{key}"
    assert sorted(fields[field]) == sorted(expected)


def test_binary_object_yields_nothing(s3):
    bucket = s3.new_bucket()
    s3.put(bucket, "img/photo.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    assert read_all(connector(f"s3://{bucket}/")) == {f"{bucket}/img/photo.png": {}}


def test_large_object_is_read_with_a_range_and_cut_at_a_whole_line(s3, monkeypatch):
    bucket = s3.new_bucket()
    body = _jsonl(40_000)  # about 3.5 MB
    s3.put(bucket, "events/big.jsonl", body)
    with FaultProxy(s3.endpoint_url) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint_url)
        fields = read_all(connector(f"s3://{bucket}/", max_bytes_per_object=64 * 1024), limit=100_000)
    emails = fields[f"{bucket}/events/big.jsonl"]["user.email"]
    [get] = [
        seen for seen in proxy.requests if seen.method == "GET" and seen.path.endswith("/events/big.jsonl")
    ]
    assert get.range == "bytes=0-65535"
    assert get.body_bytes == 64 * 1024
    assert 500 < len(emails) < 1000  # only the lines in the first 64 KiB, and every one of them whole
    assert emails == [f"user{i}@example.com" for i in range(len(emails))]


def test_large_gzip_object_ranged_read_decompresses_the_head(s3, monkeypatch):
    import random

    rng = random.Random(7)
    lines = "".join(
        json.dumps({"email": f"user{i}@example.com", "noise": f"{rng.getrandbits(128):032x}"}) + "\n"
        for i in range(30_000)
    ).encode()
    bucket = s3.new_bucket()
    s3.put(bucket, "events/big.jsonl.gz", gzip.compress(lines))
    with FaultProxy(s3.endpoint_url) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint_url)
        fields = read_all(connector(f"s3://{bucket}/", max_bytes_per_object=32 * 1024), limit=100_000)
    emails = fields[f"{bucket}/events/big.jsonl.gz"]["email"]
    [get] = [seen for seen in proxy.requests if seen.method == "GET" and "big.jsonl.gz" in seen.path]
    assert get.range == "bytes=0-32767"
    assert 100 < len(emails) < 30_000
    assert emails == [f"user{i}@example.com" for i in range(len(emails))]


@pytest.mark.slow
def test_sample_size_zero_reads_whole_objects_without_a_range(s3, monkeypatch):
    bucket = s3.new_bucket()
    s3.put(bucket, "events/big.jsonl", _jsonl(5000))
    with FaultProxy(s3.endpoint_url) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint_url)
        fields = read_all(connector(f"s3://{bucket}/", max_bytes_per_object=1024), limit=0)
    assert len(fields[f"{bucket}/events/big.jsonl"]["user.email"]) == 5000
    gets = [seen for seen in proxy.requests if seen.method == "GET" and seen.path.endswith("big.jsonl")]
    assert [seen.range for seen in gets] == [None]


def test_group_reads_only_its_picked_objects_and_shares_the_limit(s3, monkeypatch):
    bucket = s3.new_bucket()
    for day in range(1, 21):
        s3.put(bucket, f"events/dt=2026-11-{day:02d}/part-00000.jsonl", _jsonl(50, start=day * 1000))
    with FaultProxy(s3.endpoint_url) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint_url)
        fields = read_all(connector(f"s3://{bucket}/", objects_per_group=3), limit=30)
    [(name, group)] = fields.items()
    assert name == f"{bucket}/events/dt=*/part-*.jsonl"
    gets = sorted(
        seen.path for seen in proxy.requests if seen.method == "GET" and "list-type" not in seen.path
    )
    assert len(gets) == 3
    assert len(group["user.email"]) == 30  # 10 from each of the 3 objects
    days = {int(email.removeprefix("user").split("@")[0]) // 1000 for email in group["user.email"]}
    assert days == {1, 10, 20} or (len(days) == 3 and min(days) == 1 and max(days) == 20)


@pytest.mark.slow
def test_access_denied_on_one_object_of_a_group_is_logged_and_the_rest_read(s3, monkeypatch, caplog):
    bucket = s3.new_bucket()
    keys = [f"events/dt=2026-11-0{day}/part-00000.jsonl" for day in (1, 2, 3)]
    for key in keys:
        s3.put(bucket, key, _jsonl(5))
    with FaultProxy(s3.endpoint_url, denied_keys={keys[1]}) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint_url)
        fields = read_all(connector(f"s3://{bucket}/"), limit=30)
    assert len(fields[f"{bucket}/events/dt=*/part-*.jsonl"]["user.email"]) == 10
    assert f"{keys[1]}: access denied (AccessDenied)" in caplog.text


def test_access_denied_on_a_lone_object_makes_that_container_unreadable(s3, monkeypatch):
    bucket = s3.new_bucket()
    s3.put(bucket, "private/salaries.csv", CSV)
    s3.put(bucket, "public/users.csv", CSV)
    with FaultProxy(s3.endpoint_url, denied_keys={"private/salaries.csv"}) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint_url)
        conn = connector(f"s3://{bucket}/")
        private, public = conn.discover()
        with pytest.raises(
            ContainerUnreadable, match=r"^private/salaries.csv: access denied \(AccessDenied\)$"
        ):
            list(conn.sample(private, 10))
        assert {sample.field.name for sample in conn.sample(public, 10)} == {"name", "email", "phone"}


@pytest.mark.slow
def test_throttled_object_reads_are_retried(s3, monkeypatch):
    bucket = s3.new_bucket()
    s3.put(bucket, "users.csv", CSV)
    conn = connector(f"s3://{bucket}/")
    [container] = conn.discover()
    conn.close()
    with FaultProxy(s3.endpoint_url, slow_down_first=2) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint_url)
        samples = list(conn.sample(container, 10))
    assert {sample.field.name for sample in samples} == {"name", "email", "phone"}
    assert [seen.status for seen in proxy.requests] == [503, 503, 200]


def test_parquet_over_the_size_cap_is_reported_not_downloaded(s3, monkeypatch):
    bucket = s3.new_bucket()
    s3.put(bucket, "tables/users.parquet", _parquet({"email": [f"u{i}@example.com" for i in range(2000)]}))
    with FaultProxy(s3.endpoint_url) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint_url)
        conn = connector(f"s3://{bucket}/", max_parquet_bytes=1000)
        [container] = conn.discover()
        with pytest.raises(ContainerUnreadable, match=r"^tables/users.parquet: Parquet object of \d+ bytes"):
            list(conn.sample(container, 10))
    assert [seen.method for seen in proxy.requests] == ["GET"]  # the listing only


def test_object_deleted_after_listing(s3):
    bucket = s3.new_bucket()
    s3.put(bucket, "users.csv", CSV)
    conn = connector(f"s3://{bucket}/")
    [container] = conn.discover()
    s3.client.delete_object(Bucket=bucket, Key="users.csv")
    with pytest.raises(ContainerUnreadable, match="^users.csv: the object was deleted after listing$"):
        list(conn.sample(container, 10))


def _classifiers_installed(*names: str) -> bool:
    from piimap.plugins import CLASSIFIER_GROUP, load_group

    return all(name in load_group(CLASSIFIER_GROUP) for name in names)


def test_scan_a_bucket_end_to_end_through_the_cli(s3, capsys, monkeypatch):
    from piimap.cli import main

    bucket = s3.new_bucket()
    for day in range(1, 11):
        s3.put(
            bucket, f"events/dt=2026-11-{day:02d}/part-00000.jsonl.gz", gzip.compress(_jsonl(50, day * 100))
        )
    s3.put(bucket, "exports/users.csv", CSV)
    with FaultProxy(s3.endpoint_url, denied_keys={"private/hr.csv"}) as proxy:
        s3.put(bucket, "private/hr.csv", CSV)
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint_url)
        code = main(["scan", f"s3://{bucket}/", "--format", "json", "--sample-size", "60"])
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert code == 2  # one container could not be read
    [source] = report["sources"]
    assert source["status"] == "ok" and source["url"] == f"s3://{bucket}/"
    assert f"{bucket}/private/hr.csv: private/hr.csv: access denied (AccessDenied)" in captured.err
    assert len(captured.err.strip().splitlines()) == 1
    if not _classifiers_installed("email"):
        pytest.skip("the email classifier is not installed yet")
    emails = {
        (f["container"], f["field"]) for f in report["findings"] if f["category"] == "user.contact.email"
    }
    assert emails == {
        (f"{bucket}/events/dt=*/part-*.jsonl.gz", "user.email"),
        (f"{bucket}/exports/users.csv", "email"),
    }
    for finding in report["findings"]:
        assert all("user" not in example or "***" in example for example in finding["examples"])
