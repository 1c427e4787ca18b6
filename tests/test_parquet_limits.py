"""Parquet read with bounded memory (issue #12, item 5), and checked against a slow reference.

A page is decompressed whole, so its header is read first: a page over ``MAX_PAGE_BYTES`` is not
read (the footer cannot hide it); text is read as dictionaries so one entry referenced by every
row is not copied per row. The peak memory of whole scans of these files (locally and through
S3) is measured in ``tests/test_memory_limits.py``.
"""

from __future__ import annotations

import io
import random
import struct
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from hostile_files import write_parquet_bomb

from piimap.connectors.fmt_columns import Columns
from piimap.connectors.fmt_json import flatten_into
from piimap.connectors.fmt_parquet import MAX_PAGE_BYTES, iter_parquet_columns
from piimap.connectors.formats import iter_field_samples
from piimap.model import ContainerUnreadable
from piimap.settings import ScanSettings

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

SETTINGS = ScanSettings()
OVER_THE_LIMIT = MAX_PAGE_BYTES + (36 << 20)  # 100 MiB: a few KB of GZIP


def _scan(path: Path, limit: int = 0) -> tuple[dict[str | None, list[str]], str | None]:
    """Values per field (counted values expanded), and the container error if there was one."""
    fields: dict[str | None, list[str]] = defaultdict(list)
    error = None
    try:
        with open(path, "rb") as stream:
            for sample in iter_field_samples(
                stream, source="s", container=path.name, name=path.name, limit=limit, settings=SETTINGS
            ):
                fields[sample.field.name].extend(
                    value for value, count in sample.counted() for _ in range(count)
                )
    except ContainerUnreadable as unreadable:
        error = str(unreadable)
    return dict(fields), error


@pytest.mark.parametrize("limit", [0, 100])
def test_a_page_over_the_limit_is_not_read_and_the_other_columns_are(tmp_path: Path, limit: int) -> None:
    path = tmp_path / "bomb.parquet"
    assert write_parquet_bomb(path, OVER_THE_LIMIT) < 200_000
    fields, error = _scan(path, limit)
    assert fields == {"email": ["jane.doe@example.org"]}
    assert error is not None and "column 'note' in row group 0: a page of 100 MiB" in error
    assert "\n" not in error


def test_the_footer_cannot_hide_a_large_page(tmp_path: Path) -> None:
    """The chunk sizes in the footer are the writer's word; the page header is what the decompressor obeys."""
    path = tmp_path / "lying.parquet"
    write_parquet_bomb(path, OVER_THE_LIMIT, claimed_uncompressed=1000)
    assert pq.ParquetFile(path).metadata.row_group(0).column(1).total_uncompressed_size == 1000
    fields, error = _scan(path)
    assert fields == {"email": ["jane.doe@example.org"]} and error and "a page of 100 MiB" in error


def test_a_page_under_the_limit_is_read_and_cut(tmp_path: Path) -> None:
    path = tmp_path / "big-value.parquet"
    write_parquet_bomb(path, 5 << 20)
    fields, error = _scan(path)
    assert error is None
    assert fields["note"] == ["a" * SETTINGS.max_value_length]


def test_one_dictionary_entry_in_every_row_is_not_copied_per_row(tmp_path: Path) -> None:
    """100,000 rows referencing one 10 MiB dictionary entry: 1 KB on disk, 1 TB if decoded per row
    (pyarrow then failed to allocate 50 GB for one batch)."""
    rows = 100_000
    entry = "jane.doe@example.org " + "b" * (10 << 20)
    column = pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), pa.array([entry]))
    path = tmp_path / "dictionary.parquet"
    pq.write_table(pa.table({"note": column}), path, compression="zstd", dictionary_pagesize_limit=64 << 20)
    assert path.stat().st_size < 10_000
    fields, error = _scan(path)
    assert error is None
    assert len(fields["note"]) == rows
    assert set(fields["note"]) == {entry[: SETTINGS.max_value_length]}


def test_a_corrupt_page_header_is_one_error_line(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.parquet"
    pq.write_table(pa.table({"email": [f"u{index}@example.com" for index in range(100)]}), path)
    offset = pq.ParquetFile(path).metadata.row_group(0).column(0).dictionary_page_offset
    data = bytearray(path.read_bytes())
    data[offset : offset + 8] = b"\x0f" * 8  # field headers of an unknown Thrift type
    path.write_bytes(bytes(data))
    fields, error = _scan(path)
    assert fields == {}
    assert (
        error and "column 'email' in row group 0: corrupt Parquet page header" in error and "\n" not in error
    )


# -- the same values as the reference: pyarrow's rows flattened like JSON --------------------------


def _reference(data: bytes) -> tuple[dict[str | None, list[str]], Counter[str | None]]:
    """Every row as Python objects, flattened record by record (what the reader did before)."""
    columns = Columns()
    for row in pq.read_table(io.BytesIO(data)).to_pylist():
        for name, value in row.items():
            if value is None:
                columns.null(name)
            elif isinstance(value, bytes):
                columns.add(name, value.decode("utf-8", "replace"))
            else:
                flatten_into(value, name, columns)
    return columns.values, Counter(columns.nulls)


def _read(data: bytes, limit: int = 0) -> tuple[dict[str | None, list[str]], Counter[str | None]]:
    values: dict[str | None, list[str]] = defaultdict(list)
    nulls: Counter[str | None] = Counter()
    for columns in iter_parquet_columns(io.BytesIO(data), limit=limit, max_value_length=1 << 20):
        for field, field_values in columns.values.items():
            values[field].extend(field_values)
        nulls.update(columns.nulls)
    return dict(values), nulls


def _nested_table(rows: int, seed: int) -> Any:
    rng = random.Random(seed)

    def maybe(value: Any) -> Any:
        return None if rng.random() < 0.2 else value

    return pa.table(
        {
            "email": [maybe(f"user{index}@example.org") for index in range(rows)],
            "country": [maybe(rng.choice(["US", "DE", "FR", ""])) for _ in range(rows)],
            "raw": [maybe(f"b{index}".encode()) for index in range(rows)],
            "code": pa.array([f"{index:04d}".encode() for index in range(rows)], pa.binary(4)),
            "count": [maybe(index) for index in range(rows)],
            "flag": [maybe(index % 3 == 0) for index in range(rows)],
            "profile": [
                maybe(
                    {
                        "ip": maybe(f"203.0.113.{index % 250}"),
                        "tags": maybe([maybe(rng.choice(["a", "b"])) for _ in range(index % 4)]),
                        "address": maybe({"city": maybe(rng.choice(["Paris", "Lyon"]))}),
                    }
                )
                for index in range(rows)
            ],
            "events": [maybe([maybe({"id": maybe(f"e{index}")})] * (index % 3)) for index in range(rows)],
        }
    )


@pytest.mark.parametrize(
    ("seed", "options"),
    [
        (1, {}),
        (2, {"row_group_size": 700, "data_page_size": 512, "use_dictionary": False}),
        (3, {"compression": "zstd", "data_page_version": "2.0", "dictionary_pagesize_limit": 256}),
        (4, {"compression": "gzip", "write_statistics": False, "write_page_index": True}),
    ],
)
def test_values_and_nulls_are_those_of_the_reference(seed: int, options: dict[str, Any]) -> None:
    buffer = io.BytesIO()
    pq.write_table(_nested_table(3000, seed), buffer, **options)
    data = buffer.getvalue()
    values, nulls = _read(data)
    reference_values, reference_nulls = _reference(data)
    assert values == reference_values
    assert nulls == reference_nulls


def test_a_sample_takes_its_rows_from_spread_row_groups_in_every_column() -> None:
    buffer = io.BytesIO()
    pq.write_table(_nested_table(3000, 5), buffer, row_group_size=300)
    values, _ = _read(buffer.getvalue(), limit=40)
    assert len(values["code"]) == 40  # 4 rows from each of 10 row groups
    assert {int(code) // 300 for code in values["code"]} == set(range(10))


def test_map_columns_give_their_keys_and_values_as_fields() -> None:
    maps = pa.array(
        [[("work", "jane@example.org"), ("home", "jane@example.net")], None, []],
        pa.map_(pa.string(), pa.string()),
    )
    buffer = io.BytesIO()
    pq.write_table(pa.table({"contacts": maps}), buffer)
    values, nulls = _read(buffer.getvalue())
    assert values == {
        "contacts[].key": ["work", "home"],
        "contacts[].value": ["jane@example.org", "jane@example.net"],
    }
    assert nulls["contacts"] == 1


@pytest.mark.parametrize("codec", ["snappy", "zstd", "gzip", "brotli", "lz4", "none"])
@pytest.mark.parametrize("version", ["1.0", "2.0"])
def test_page_headers_of_every_codec_and_page_version_are_read(codec: str, version: str) -> None:
    emails = [f"user{index}@example.org" for index in range(5000)]
    buffer = io.BytesIO()
    pq.write_table(
        pa.table({"email": emails, "n": list(range(5000))}),
        buffer,
        compression=codec,
        data_page_version=version,
        data_page_size=4096,
        dictionary_pagesize_limit=8192,  # falls back to PLAIN part-way
    )
    values, _ = _read(buffer.getvalue())
    assert values["email"] == emails and len(values["n"]) == 5000


def test_the_hand_written_bomb_is_a_valid_parquet_file(tmp_path: Path) -> None:
    """The test file itself is what it claims (pyarrow reads it when no limit applies)."""
    path = tmp_path / "small.parquet"
    write_parquet_bomb(path, 3000)
    table = pq.read_table(path)
    assert table.column("email").to_pylist() == ["jane.doe@example.org"]
    assert table.column("note").to_pylist() == ["a" * 3000]
    assert struct.unpack("<I", path.read_bytes()[-8:-4])[0] > 0
