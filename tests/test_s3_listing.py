"""The S3 connector's listing side: key patterns, even spread, streams, grouping, source errors.

Everything that talks to S3 goes over real, signed HTTP to moto's standalone server (see
``tests/moto_server.py``); throttling and credential errors come from a fault proxy in front of it.
"""

from __future__ import annotations

import gzip
import io
import time
import zlib

import pytest
from moto_server import FaultProxy, free_port

from piimap.connectors.s3 import ObjectStream, S3Connector, SpreadSample, key_pattern
from piimap.model import ContainerKind, ContainerUnreadable, SourceSpec, SourceUnavailable
from piimap.plugins import connector_factory_for
from piimap.settings import ScanSettings

pytest_plugins = ["fixtures_s3"]


def connector(url: str, **options: object) -> S3Connector:
    return S3Connector(SourceSpec("s3", url, options), ScanSettings())


@pytest.mark.parametrize(
    ("key", "pattern"),
    [
        ("events/dt=2026-11-27/part-00001.jsonl.gz", "events/dt=*/part-*.jsonl.gz"),
        ("events/dt=2026-11-27/hour=03/part-00017.csv", "events/dt=*/hour=*/part-*.csv"),
        ("logs/2026/11/27/access-1732700000.log", "logs/*/*/*/access-*.log"),
        ("logs/access-2026-11-27T10:15:00Z.log", "logs/access-*.log"),
        ("exports/users_20261127.csv", "exports/users_*.csv"),
        ("exports/users_20261127T101500Z.csv", "exports/users_*.csv"),
        ("uploads/6f1c2a4e-8b1d-4c55-9a7e-0d3f7b1e2c44.json", "uploads/*.json"),
        ("img/a3f9c2e1d4b7.png", "img/*.png"),
        (
            "t/part-00001-6f1c2a4e-8b1d-4c55-9a7e-0d3f7b1e2c44.c000.snappy.parquet",
            "t/part-*.c*.snappy.parquet",
        ),
        ("logs/access.log.1", "logs/access.log.*"),
        ("tenant-42/orders.json", "tenant-*/orders.json"),
        ("country=fr/users.csv", "country=*/users.csv"),
        # Names without dates or numbers are their own pattern.
        ("users.csv", "users.csv"),
        ("logs/access.log", "logs/access.log"),
        ("backup.tar.bz2", "backup.tar.bz2"),
        ("deadbeef/x.json", "deadbeef/x.json"),
    ],
)
def test_key_pattern(key, pattern):
    assert key_pattern(key) == pattern


@pytest.mark.parametrize(
    ("size", "stream_length", "expected"),
    [
        (3, 0, []),
        (3, 1, [0]),
        (3, 3, [0, 1, 2]),
        (3, 5, [0, 2, 4]),
        (3, 10, [0, 4, 9]),
        (1, 50, [49]),
        (0, 7, [0, 1, 2, 3, 4, 5, 6]),
    ],
)
def test_spread_sample_small_streams(size, stream_length, expected):
    spread = SpreadSample(size)
    for item in range(stream_length):
        spread.add(item)
    assert spread.picks() == expected
    assert spread.count == stream_length


@pytest.mark.parametrize("size", [2, 3, 4, 7])
@pytest.mark.parametrize("stream_length", [8, 13, 120, 1000, 100_003])
def test_spread_sample_picks_first_last_and_even_gaps(size, stream_length):
    spread = SpreadSample(size)
    for item in range(stream_length):
        spread.add(item)
    picks = spread.picks()
    assert len(picks) == size
    assert picks[0] == 0 and picks[-1] == stream_length - 1
    assert picks == sorted(set(picks))
    ideal_gap = (stream_length - 1) / (size - 1)
    gaps = [later - earlier for earlier, later in zip(picks, picks[1:])]
    assert all(ideal_gap / 2.5 <= gap <= ideal_gap * 2.5 for gap in gaps), gaps


def test_spread_sample_memory_stays_flat():
    spread = SpreadSample(3)
    for item in range(200_000):
        spread.add(item)
        assert len(spread._kept) < 6


def _chunks(data: bytes, size: int = 7):
    return iter([data[start : start + size] for start in range(0, len(data), size)])


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_object_stream_whole_object_is_passed_through(compress):
    text = b"".join(b'{"email": "user%d@example.com"}\n' % i for i in range(100)) + b"no newline at end"
    data = gzip.compress(text) if compress else text
    stream = ObjectStream(_chunks(data), truncated=False, name="k")
    assert stream.read() == text
    assert stream.is_gzip is compress


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_object_stream_truncated_head_keeps_only_complete_lines(compress):
    text = b"".join(b"line %04d with some padding text\n" % i for i in range(2000))
    data = gzip.compress(text) if compress else text
    head = data[: len(data) // 3]
    stream = io.BufferedReader(ObjectStream(_chunks(head, 1000), truncated=True, name="k"))
    out = stream.read()
    assert out and out.endswith(b"\n")
    assert text.startswith(out)
    assert len(out) < len(text)


def test_object_stream_reads_concatenated_gzip_members():
    first = b"a@example.com\n" * 10
    second = b"b@example.com\n" * 10
    data = gzip.compress(first) + gzip.compress(second)
    assert ObjectStream(_chunks(data, 13), truncated=False).read() == first + second


def test_object_stream_reports_truncated_gzip_in_a_whole_object():
    data = gzip.compress(b"x@example.com\n" * 500)[:-20]
    stream = ObjectStream(_chunks(data), truncated=False, name="logs/a.gz")
    with pytest.raises(ContainerUnreadable, match="^logs/a.gz: gzip data ends early"):
        stream.read()


def test_object_stream_reports_corrupt_gzip():
    data = b"\x1f\x8b\x08\x00" + bytes(range(200))
    with pytest.raises(ContainerUnreadable, match="corrupt gzip"):
        ObjectStream(_chunks(data), truncated=False, name="k").read()
    assert zlib  # zlib errors are translated, not leaked


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("s3://bucket/", True),
        ("S3://bucket/prefix/", True),
        ("s3a://bucket", False),
        ("mongodb://h/db", False),
    ],
)
def test_accepts(url, accepted):
    assert S3Connector.accepts(url) is accepted


def test_entry_point_resolves_s3_urls():
    assert connector_factory_for("s3://bucket/prefix/") is S3Connector


@pytest.mark.slow
def test_many_partitioned_objects_become_a_few_containers(s3):
    bucket = s3.new_bucket()
    keys = []
    for day in range(1, 31):
        for part in range(4):
            keys.append(f"events/dt=2026-11-{day:02d}/part-{part:05d}.jsonl.gz")
    for hour in range(24):
        keys.append(f"logs/2026/11/27/access-{1732700000 + hour * 3600}.log")
    keys += ["exports/users.csv", "exports/folder/", "exports/empty.csv"]
    for key in keys:
        body = b"" if key.endswith(("/", "empty.csv")) else b"x\n"
        s3.put(bucket, key, body)
    containers = list(connector(f"s3://{bucket}/").discover())
    assert [c.name for c in containers] == [
        f"{bucket}/events/dt=*/part-*.jsonl.gz",
        f"{bucket}/exports/users.csv",
        f"{bucket}/logs/*/*/*/access-*.log",
    ]
    assert {c.kind for c in containers} == {ContainerKind.OBJECT}
    events, users, logs = containers
    event_keys = [key for key, _size in events.locator[1]]
    assert events.locator[0] == bucket
    assert len(event_keys) == 3
    assert event_keys[0] == "events/dt=2026-11-01/part-00000.jsonl.gz"
    assert "events/dt=2026-11-1" in event_keys[1]  # from the middle of the month
    assert event_keys[2] == "events/dt=2026-11-30/part-00003.jsonl.gz"
    assert users.locator == (bucket, (("exports/users.csv", 2),))
    assert len(logs.locator[1]) == 3
    assert all(c.fingerprint and c.fingerprint.startswith("sha1:") for c in containers)


@pytest.mark.slow
def test_listing_pages_through_the_whole_bucket(s3, monkeypatch):
    bucket = s3.new_bucket()
    for index in range(25):
        s3.put(bucket, f"shards/part-{index:05d}.csv", b"a\n")
    with FaultProxy(s3.endpoint_url) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint_url)
        [container] = connector(f"s3://{bucket}/", objects_per_group=2, list_page_size=10).discover()
    assert container.name == f"{bucket}/shards/part-*.csv"
    assert [key for key, _ in container.locator[1]] == ["shards/part-00000.csv", "shards/part-00024.csv"]
    listings = [seen.path for seen in proxy.requests if "list-type=2" in seen.path]
    assert len(listings) == 3
    assert all("max-keys=10" in path for path in listings)


def test_prefix_include_and_exclude(s3):
    bucket = s3.new_bucket()
    for key in ["a/users.csv", "a/orders.json", "a/sub/notes.txt", "b/users.csv"]:
        s3.put(bucket, key, b"x\n")
    names = lambda conn: [c.name.split("/", 1)[1] for c in conn.discover()]  # noqa: E731
    assert names(connector(f"s3://{bucket}/a/")) == ["a/orders.json", "a/sub/notes.txt", "a/users.csv"]
    assert names(connector(f"s3://{bucket}/", include=["*.csv"])) == ["a/users.csv", "b/users.csv"]
    assert names(connector(f"s3://{bucket}/a/", exclude="a/sub/*")) == ["a/orders.json", "a/users.csv"]
    assert names(connector(f"s3://{bucket}/", include=[f"{bucket.upper()}/B/*"])) == ["b/users.csv"]


@pytest.mark.slow
def test_fingerprint_changes_when_a_sampled_object_changes(s3):
    bucket = s3.new_bucket()
    s3.put(bucket, "data/users.csv", b"email\na@example.com\n")
    s3.put(bucket, "data/other.csv", b"x\n")
    before = {c.name: c.fingerprint for c in connector(f"s3://{bucket}/").discover()}
    again = {c.name: c.fingerprint for c in connector(f"s3://{bucket}/").discover()}
    assert before == again
    time.sleep(1.1)  # LastModified has one-second resolution
    s3.put(bucket, "data/users.csv", b"email\nb@example.com\n")
    after = {c.name: c.fingerprint for c in connector(f"s3://{bucket}/").discover()}
    assert after[f"{bucket}/data/users.csv"] != before[f"{bucket}/data/users.csv"]
    assert after[f"{bucket}/data/other.csv"] == before[f"{bucket}/data/other.csv"]


def test_endpoint_url_from_the_environment_is_used_by_boto3_itself(s3, monkeypatch):
    bucket = s3.new_bucket()
    s3.put(bucket, "a.csv", b"x\n")
    conn = connector(f"s3://{bucket}/")
    assert conn.endpoint_url is None  # nothing passed: boto3 reads AWS_ENDPOINT_URL
    assert [c.name for c in conn.discover()] == [f"{bucket}/a.csv"]
    assert conn.client().meta.endpoint_url == s3.endpoint_url
    assert conn.client().meta.region_name == "us-east-1"
    conn.close()
    conn.close()


def test_endpoint_url_and_region_options_win_over_the_environment(s3, monkeypatch):
    bucket = s3.new_bucket()
    s3.put(bucket, "a.csv", b"x\n")
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    conn = connector(f"s3://{bucket}/", endpoint_url=s3.endpoint_url, region="eu-west-1")
    assert [c.name for c in conn.discover()] == [f"{bucket}/a.csv"]
    assert conn.client().meta.region_name == "eu-west-1"


def test_aws_region_from_the_environment(s3, monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    assert connector("s3://anything/").client().meta.region_name == "eu-central-1"


def test_missing_bucket_is_source_unavailable(s3):
    with pytest.raises(SourceUnavailable, match="^bucket 'piimap-no-such-bucket' does not exist$"):
        list(connector("s3://piimap-no-such-bucket/").discover())


def test_unreachable_endpoint_is_one_line(s3, monkeypatch):
    port = free_port()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    conn = connector("s3://anything/", max_attempts=2)
    with pytest.raises(SourceUnavailable) as raised:
        list(conn.discover())
    assert str(raised.value) == f"cannot reach S3 endpoint http://127.0.0.1:{port}"


def test_rejected_credentials_are_one_line_without_the_secret(s3, monkeypatch):
    bucket = s3.new_bucket()
    with FaultProxy(s3.endpoint_url, fail_all_with="InvalidAccessKeyId") as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint_url)
        with pytest.raises(SourceUnavailable) as raised:
            list(connector(f"s3://{bucket}/").discover())
    message = str(raised.value)
    assert message.startswith("AWS credentials were rejected (InvalidAccessKeyId")
    assert "testing-secret" not in message and "\n" not in message


def test_no_credentials_at_all(s3, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(SourceUnavailable, match="^no usable AWS credentials: Unable to locate credentials"):
        list(connector("s3://anything/").discover())


@pytest.mark.slow
def test_throttled_listing_is_retried(s3, monkeypatch):
    bucket = s3.new_bucket()
    s3.put(bucket, "users.csv", b"x\n")
    with FaultProxy(s3.endpoint_url, slow_down_first=2) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint_url)
        containers = list(connector(f"s3://{bucket}/", max_attempts=5).discover())
    assert [c.name for c in containers] == [f"{bucket}/users.csv"]
    statuses = [seen.status for seen in proxy.requests]
    assert statuses == [503, 503, 200]


@pytest.mark.slow
def test_throttling_beyond_max_attempts_fails_the_source(s3, monkeypatch):
    bucket = s3.new_bucket()
    with FaultProxy(s3.endpoint_url, slow_down_first=10) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint_url)
        with pytest.raises(SourceUnavailable, match="SlowDown"):
            list(connector(f"s3://{bucket}/", max_attempts=2).discover())
    assert len(proxy.requests) == 2


def test_object_stream_inflates_in_bounded_blocks():
    data = gzip.compress(b"\0" * (50 * 1024 * 1024))  # 50 MiB of zeros in about 50 KiB
    stream = ObjectStream(iter([data]), truncated=False)
    buffer = bytearray(8 * 1024 * 1024)
    first = stream.readinto(buffer)
    assert 0 < first <= 1024 * 1024  # never more than one inflate block at a time
    assert len(stream._ready) == 0
    total = first
    while size := stream.readinto(buffer):
        total += size
    assert total == 50 * 1024 * 1024


def test_object_stream_passes_on_an_endless_line_of_a_truncated_head():
    stream = ObjectStream(iter([b"x" * (3 * 1024 * 1024)]), truncated=True)
    assert len(stream.read()) == 3 * 1024 * 1024


def test_no_bucket_in_the_url():
    with pytest.raises(
        SourceUnavailable, match=r"^no bucket name in the URL \(expected s3://bucket/prefix/\)$"
    ):
        list(connector("s3:///prefix/").discover())


def test_malformed_endpoint_option_is_one_line(s3):
    with pytest.raises(SourceUnavailable, match="^cannot set up the S3 client: Invalid endpoint: not a url$"):
        list(connector("s3://anything/", endpoint_url="not a url").discover())
