"""Groups of similarly named files and objects split by schema (issue #19).

``exports/t0/dt=*/part-*.csv`` and ``exports/t1/dt=*/part-*.csv`` share a name pattern; when their
headers (or JSON keys) differ they are different tables and must be different containers, each with
its own fields. S3 runs against moto's standalone server over HTTP; files are real files.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from moto_server import FaultProxy

from piimap.connectors.files import FileConnector
from piimap.connectors.grouping import (
    MAX_SPLIT_VALUES,
    KeyGroup,
    SchemaPrint,
    cluster_by_schema,
    key_pattern,
    schema_print,
)
from piimap.connectors.s3 import S3Connector
from piimap.model import SourceSpec
from piimap.settings import ScanSettings

pytest_plugins = ["fixtures_s3"]

#: ten tables, each with a header of its own (a few columns shared, as real exports share ids)
TABLE_COLUMNS = [
    ["id", "email", "signup_date"],
    ["id", "order_total", "currency", "placed_at"],
    ["id", "phone", "country"],
    ["sku", "title", "price"],
    ["id", "ip_address", "user_agent", "seen_at"],
    ["ticket", "subject", "status"],
    ["id", "first_name", "last_name", "birth_date"],
    ["invoice", "amount", "due"],
    ["device_id", "os", "app_version"],
    ["session", "started", "ended", "pages"],
]


def table_csv(columns: list[str], rows: int, seed: int) -> str:
    lines = [",".join(columns)]
    for row in range(rows):
        lines.append(",".join(f"{column}-{seed}-{row}" for column in columns))
    return "\n".join(lines) + "\n"


def fields_by_container(connector, limit: int) -> dict[str, set[str | None]]:
    out: dict[str, set[str | None]] = {}
    for container in connector.discover():
        fields = out.setdefault(container.name, set())
        for sample in connector.sample(container, limit):
            fields.add(sample.field.name)
    return out


def s3_connector(url: str, **options) -> S3Connector:
    return S3Connector(SourceSpec("s3", url, options), ScanSettings())


def test_ten_export_tables_under_numbered_prefixes_are_ten_containers(s3):
    bucket = s3.new_bucket()
    for table, columns in enumerate(TABLE_COLUMNS):
        for day in (1, 2, 3):
            for part in (0, 1):
                key = f"exports/t{table}/dt=2026-11-0{day}/part-{part:05d}.csv"
                s3.put(bucket, key, table_csv(columns, 5, day * 10 + part))
    assert len({key_pattern(f"exports/t{table}/dt=2026-11-01/part-00000.csv") for table in range(10)}) == 1
    for limit in (100, 0):
        found = fields_by_container(s3_connector(f"s3://{bucket}/"), limit)
        assert found == {
            f"{bucket}/exports/t{table}/dt=*/part-*.csv": set(columns)
            for table, columns in enumerate(TABLE_COLUMNS)
        }


def test_tables_sharing_a_schema_stay_together_named_after_their_values(s3):
    bucket = s3.new_bucket()
    headers = {0: TABLE_COLUMNS[0], 1: TABLE_COLUMNS[1], 2: TABLE_COLUMNS[0], 3: TABLE_COLUMNS[0]}
    for table, columns in headers.items():
        for part in range(3):
            s3.put(bucket, f"exports/t{table}/part-{part}.csv", table_csv(columns, 3, part))
    containers = {container.name: container for container in s3_connector(f"s3://{bucket}/").discover()}
    assert set(containers) == {f"{bucket}/exports/t{{0,2,3}}/part-*.csv", f"{bucket}/exports/t1/part-*.csv"}
    merged = containers[f"{bucket}/exports/t{{0,2,3}}/part-*.csv"]
    keys = [key for key, _size in merged.locator[1]]
    assert len(keys) == 3 and keys[0] == "exports/t0/part-0.csv" and keys[-1] == "exports/t3/part-2.csv"


def test_json_lines_tables_split_by_keys_and_optional_keys_do_not_split(s3):
    bucket = s3.new_bucket()
    for part in range(4):
        # one table whose records sometimes lack "phone": its objects' keys differ a little
        records = [{"user": {"email": f"u{part}{row}@example.com", "id": row}} for row in range(3)]
        if part % 2:
            records[0]["user"]["phone"] = "+1 415 555 0134"
        s3.put(
            bucket, f"events/s1/part-{part}.jsonl", "".join(json.dumps(record) + "\n" for record in records)
        )
        clicks = [{"click": {"x": row, "y": row * 2}, "page": "/cart"} for row in range(3)]
        s3.put(
            bucket, f"events/s2/part-{part}.jsonl", "".join(json.dumps(record) + "\n" for record in clicks)
        )
    # another numbered prefix holding the first table again, gzipped (the head is looked through)
    s3.put(
        bucket, "events/s3/part-0.jsonl", gzip.compress(b'{"user": {"email": "z@example.com", "id": 9}}\n')
    )
    found = fields_by_container(s3_connector(f"s3://{bucket}/"), 0)
    assert found == {
        f"{bucket}/events/s2/part-*.jsonl": {"click.x", "click.y", "page"},
        f"{bucket}/events/s{{1,3}}/part-*.jsonl": {"user.email", "user.id", "user.phone"},
    }


def test_date_partitions_are_not_read_for_their_schema(s3, monkeypatch):
    bucket = s3.new_bucket()
    for day in range(1, 6):
        s3.put(bucket, f"events/dt=2026-11-0{day}/part-00000.jsonl", b'{"a": 1}\n')
    with FaultProxy(s3.endpoint_url) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint_url)
        [container] = s3_connector(f"s3://{bucket}/").discover()
    assert container.name == f"{bucket}/events/dt=*/part-*.jsonl"
    assert [seen for seen in proxy.requests if seen.method == "GET" and "list-type" not in seen.path] == []


def test_schema_reads_are_ranged_and_can_be_turned_off(s3, monkeypatch):
    bucket = s3.new_bucket()
    for table in range(3):
        s3.put(bucket, f"exports/t{table}/part-0.csv", table_csv(TABLE_COLUMNS[table], 4000, 0))
    with FaultProxy(s3.endpoint_url) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint_url)
        names = [container.name for container in s3_connector(f"s3://{bucket}/").discover()]
        reads = [seen for seen in proxy.requests if seen.method == "GET" and "list-type" not in seen.path]
        assert len(names) == 3 and len(reads) == 3
        assert {seen.range for seen in reads} == {"bytes=0-16383"}
        proxy.requests.clear()
        [whole] = s3_connector(f"s3://{bucket}/", schema_reads_per_group=0).discover()
        assert whole.name == f"{bucket}/exports/t*/part-*.csv"
        assert [
            seen for seen in proxy.requests if seen.method == "GET" and "list-type" not in seen.path
        ] == []


# --- the files connector ----------------------------------------------------------------------------


def files_connector(path: Path) -> FileConnector:
    return FileConnector(SourceSpec("files", str(path)), ScanSettings())


def test_numbered_files_with_different_headers_are_different_containers(tmp_path: Path):
    (tmp_path / "export-1.csv").write_text(table_csv(TABLE_COLUMNS[0], 3, 1))
    (tmp_path / "export-2.csv").write_text(table_csv(TABLE_COLUMNS[2], 3, 2))
    (tmp_path / "export-3.csv").write_text(table_csv(TABLE_COLUMNS[0], 3, 3))
    (tmp_path / "export-4.csv").write_text(table_csv(TABLE_COLUMNS[0], 3, 4))
    found = fields_by_container(files_connector(tmp_path), 0)
    assert found == {
        str(tmp_path / "export-{1,3,4}.csv"): set(TABLE_COLUMNS[0]),
        str(tmp_path / "export-2.csv"): set(TABLE_COLUMNS[2]),
    }


def test_rotated_files_whose_format_changed_are_split_newest_keeping_the_name(tmp_path: Path):
    jsonl = "".join(json.dumps({"user": {"email": f"u{row}@example.com"}}) + "\n" for row in range(3))
    access = '81.2.69.160 - - [10/Oct/2023:13:55:36 +0000] "GET /a HTTP/1.1" 200 5 "-" "curl/8"\n' * 3
    (tmp_path / "app.log").write_text(jsonl)
    (tmp_path / "app.log.1").write_text(jsonl)
    (tmp_path / "app.log.2.gz").write_bytes(gzip.compress(access.encode()))
    (tmp_path / "app.log.3").write_text(access)
    containers = {container.name: container.locator for container in files_connector(tmp_path).discover()}
    assert containers == {
        str(tmp_path / "app.log"): (str(tmp_path / "app.log"), str(tmp_path / "app.log.1")),
        str(tmp_path / "app.log{.2.gz,.3}"): (str(tmp_path / "app.log.2.gz"), str(tmp_path / "app.log.3")),
    }
    found = fields_by_container(files_connector(tmp_path), 0)
    assert found[str(tmp_path / "app.log")] == {"user.email"}
    assert "client_ip" in found[str(tmp_path / "app.log{.2.gz,.3}")]


def test_rotated_files_of_one_format_stay_one_container(tmp_path: Path):
    for suffix in ("", ".1", ".2"):
        (tmp_path / f"access.log{suffix}").write_text(
            '81.2.69.160 - - [10/Oct/2023:13:55:36 +0000] "GET /a HTTP/1.1" 200 5 "-" "curl/8"\n'
        )
    assert [container.name for container in files_connector(tmp_path).discover()] == [
        str(tmp_path / "access.log")
    ]


# --- the pieces -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("a.csv", b"id,email\n1,a@b.c\n", SchemaPrint("csv", ("id", "email"))),
        ("a.csv", b"id;email;\n1;a@b.c;\n", SchemaPrint("csv", ("id", "email", "column_3"))),
        ("a.tsv", b"id\temail\n", SchemaPrint("tsv", ("id", "email"))),
        ("a.csv.gz", gzip.compress(b"\xef\xbb\xbfid,email\n"), SchemaPrint("csv", ("id", "email"))),
        (
            "a.jsonl",
            b'{"b": 1, "a": {"c": null}}\n{"d": [1]}\n{"cut',
            SchemaPrint("jsonl", ("a.c", "b", "d[]")),
        ),
        ("a.json", b'[{"b": 1}, {"a": 2}, {"c": ', SchemaPrint("json", ("a", "b"))),
        ("a.log", b"plain text\n", SchemaPrint("text")),
        ("a.parquet", b"PAR1....", None),
    ],
)
def test_schema_print(name: str, head: bytes, expected) -> None:
    assert schema_print(name, head) == expected


def test_same_table_rules() -> None:
    assert SchemaPrint("csv", ("a", "b")).same_table(SchemaPrint("csv", ("a", "b")))
    assert not SchemaPrint("csv", ("a", "b")).same_table(SchemaPrint("csv", ("a", "b", "c")))
    assert not SchemaPrint("csv", ("a",)).same_table(SchemaPrint("tsv", ("a",)))
    many = tuple(f"k{index}" for index in range(10))
    assert SchemaPrint("jsonl", many).same_table(SchemaPrint("jsonl", many[:9] + ("other",)))
    assert SchemaPrint("jsonl", many).same_table(SchemaPrint("jsonl", many[:4]))  # optional keys left out
    assert not SchemaPrint("jsonl", many).same_table(SchemaPrint("jsonl", ("k0", "x", "y", "z")))
    assert SchemaPrint("jsonl", ()).same_table(SchemaPrint("jsonl", ("a",)))  # nothing known: no split
    assert cluster_by_schema([None, SchemaPrint("csv", ("a",)), SchemaPrint("csv", ("b",)), None]) == [
        [0, 1, 3],
        [2],
    ]


def test_key_group_names_reads_and_memory() -> None:
    asked: list[list[str]] = []

    def schemas(keys: list[str]) -> list[SchemaPrint]:
        asked.append(keys)
        return [SchemaPrint("csv", (key.split("/")[1][:2],)) for key in keys]

    group = KeyGroup("exports/t*/part-*.csv", 2)
    for table in range(12):
        for part in range(100):
            key = f"exports/t{table}/part-{part}.csv"
            group.add(key, key)
    subgroups = group.split(schemas, max_reads=64)
    # part-* took 100 values (> MAX_SPLIT_VALUES) and was forgotten; t* split: "t1" covers t1, t10, t11
    assert asked == [[f"exports/t{table}/part-0.csv" for table in range(12)]]
    assert [subgroup.name for subgroup in subgroups][:2] == [
        "exports/t0/part-*.csv",
        "exports/t{1,10,11}/part-*.csv",
    ]
    assert sum(subgroup.count for subgroup in subgroups) == 1200
    assert all(len(subgroup.picks) == 2 for subgroup in subgroups)
    assert group._values[1] is None and len(group._values[0]) == 12 <= MAX_SPLIT_VALUES
    asked.clear()
    assert group.split(schemas, max_reads=5) == [group.whole()]  # over the budget: not read at all
    assert asked == []
