"""Columns and tables named with newlines, backticks and other quoting characters are scanned
(issue #12, item 12), on the real SQLite, PostgreSQL and MariaDB.

SQLAlchemy reflects MySQL / MariaDB tables by parsing ``SHOW CREATE TABLE`` line by line: a column
whose name held a newline was dropped, and a backtick stayed doubled in the name, so the table's
``SELECT`` failed and nothing of it was scanned. Columns now come from ``information_schema``.
"""

from __future__ import annotations

import json
import warnings
from collections import defaultdict
from pathlib import Path

import sqlalchemy as sa

from piimap.cli import main
from piimap.connectors.sql import SqlConnector
from piimap.model import SourceSpec
from piimap.settings import ScanSettings

COLUMNS = (
    "contact\nemail",
    "e`mail",
    "`",
    "a``b",
    "tab\tname",
    "windows\r\nline",
    "back\\slash",
    'it\'s "x"',
)
TABLES = ("people", "new\nline", "tick`table")


def _load(url: str) -> None:
    metadata = sa.MetaData()
    tables = [
        sa.Table(
            name,
            metadata,
            sa.Column("id", sa.Integer),
            *(sa.Column(column, sa.String(100)) for column in COLUMNS),
        )
        for name in TABLES
    ]
    engine = sa.create_engine(url)
    try:
        metadata.create_all(engine)
        with engine.begin() as connection:
            for table in tables:
                rows = [
                    {
                        "id": row,
                        **{column: f"user{row}.{index}@example.org" for index, column in enumerate(COLUMNS)},
                    }
                    for row in range(20)
                ]
                connection.execute(table.insert(), rows)
    finally:
        engine.dispose()


def _schema(url: str) -> str:
    parsed = sa.make_url(url)
    return {"sqlite": "main", "postgresql": "public"}.get(parsed.get_backend_name(), parsed.database or "")


def test_every_hostile_column_of_every_hostile_table_is_read(sql_db: str) -> None:
    _load(sql_db)
    connector = SqlConnector(SourceSpec("db", sql_db), ScanSettings())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # SQLAlchemy warned "Unknown schema content" and went on
            containers = {container.name: container for container in connector.discover()}
        schema = _schema(sql_db)
        assert {f"{schema}.{name}" for name in TABLES} <= set(containers)
        for name in TABLES:
            values: dict[str, list[str]] = defaultdict(list)
            for sample in connector.sample(containers[f"{schema}.{name}"], 100):
                values[sample.field.name].extend(sample.values)
            assert set(values) == {"id", *COLUMNS}
            for index, column in enumerate(COLUMNS):
                assert values[column] == [f"user{row}.{index}@example.org" for row in range(20)], (
                    name,
                    column,
                )
    finally:
        connector.close()


def test_a_scan_reports_findings_in_the_hostile_columns(sql_db: str, tmp_path: Path) -> None:
    _load(sql_db)
    report = tmp_path / "report.json"
    code = main(["scan", sql_db, "-q", "--no-store", "--format", "json", "--output", str(report)])
    data = json.loads(report.read_text())
    assert code == 0, data["errors"]
    assert data["errors"] == []
    found = {(finding["container"].split(".", 1)[1], finding["field"]) for finding in data["findings"]}
    assert {(name, column) for name in TABLES for column in COLUMNS} <= found
