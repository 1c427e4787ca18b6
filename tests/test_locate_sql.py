"""``piimap locate`` on SQLite, PostgreSQL and MariaDB: a planted person is found in every table that
holds her, related rows are followed through foreign keys and same-named id columns, and people
with a similar e-mail or the same name are not returned."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from locate_helpers import (
    HMAC_KEY,
    JANE_DEVICE,
    JANE_EMAIL,
    JANE_PHONE,
    OTHER_EMAIL,
    keys_in,
    load_planted_shop,
    run_locate,
    write_config,
)

from piimap.cli import main


@pytest.fixture(autouse=True)
def _hmac_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIIMAP_HMAC_KEY", HMAC_KEY)


def _ids(keys: set[str]) -> set[int]:
    return {int(key.split("=", 1)[1]) for key in keys}


def test_the_person_is_found_everywhere_and_related_rows_are_followed(
    sql_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shop = load_planted_shop(sql_db)
    config = write_config(tmp_path, {"shop": sql_db})
    code, report = run_locate(
        capsys, "--config", str(config), "--email", JANE_EMAIL, "--device-id", JANE_DEVICE
    )
    assert code == 0, report
    assert _ids(keys_in(report, "customers", related=False)) == {shop.jane_id}
    # Jane.Doe@Example.com is the same person; jane.doe2@example.com is not
    assert _ids(keys_in(report, "newsletter", related=False)) == {shop.jane_newsletter}
    assert _ids(keys_in(report, "events", related=False)) == set(shop.jane_device_events)
    # followed keys: invoices by foreign key, their lines by foreign key, events by customer_id
    assert _ids(keys_in(report, "invoices", related=True)) == set(shop.jane_invoices)
    assert _ids(keys_in(report, "invoice_lines", related=True)) == set(shop.jane_lines)
    assert _ids(keys_in(report, "events", related=True)) == set(shop.jane_customer_events)
    via = {m["container"].rsplit(".", 1)[-1]: m["related_via"] for m in report["matches"] if m["related_via"]}
    assert "invoices.customer_id -> " in via["invoices"] and "(foreign key)" in via["invoices"]
    assert "invoice_lines.invoice_id -> " in via["invoice_lines"]
    assert "(same-named column)" in via["events"]
    # the subject is an HMAC; no identifier appears anywhere in the report
    text = json.dumps(report)
    for secret in (JANE_EMAIL, JANE_DEVICE, "Jane.Doe@Example.com", "jane.doe%40"):
        assert secret.lower() not in text.lower()
    assert report["subject"]["email"].startswith("hmac-sha256:")
    assert set(report["subject"]) == {"email", "device-id"}


def test_a_similar_email_is_someone_else(
    sql_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shop = load_planted_shop(sql_db)
    config = write_config(tmp_path, {"shop": sql_db})
    code, report = run_locate(capsys, "--config", str(config), "--email", OTHER_EMAIL)
    assert code == 0
    assert _ids(keys_in(report, "customers")) == {shop.other_id}
    assert _ids(keys_in(report, "newsletter")) == {shop.other_newsletter}
    assert _ids(keys_in(report, "invoices", related=True)) == {12}
    assert shop.jane_id not in _ids(keys_in(report, "customers"))


@pytest.mark.slow
def test_a_namesake_with_another_email_is_left_out(
    sql_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shop = load_planted_shop(sql_db)
    config = write_config(tmp_path, {"shop": sql_db})
    code, report = run_locate(capsys, "--config", str(config), "--email", JANE_EMAIL, "--name", "jane DOE")
    assert code == 0
    assert _ids(keys_in(report, "customers", related=False)) == {shop.jane_id}
    assert report["namesakes_excluded"] >= 1
    by_name = [m for m in report["matches"] if m["identifier"] == "name"]
    assert by_name and all(m["name_only"] for m in by_name)
    # alone, a name finds both people called Jane Doe (and says they are name-only matches)
    code, report = run_locate(capsys, "--config", str(config), "--name", "Doe, Jane")
    assert code == 0
    assert _ids(keys_in(report, "customers", related=False)) == {shop.jane_id, shop.namesake_id}


def test_a_phone_is_found_however_it_is_written(
    sql_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shop = load_planted_shop(sql_db)
    config = write_config(tmp_path, {"shop": sql_db})
    code, report = run_locate(capsys, "--config", str(config), "--phone", "(415) 555 0134")
    assert code == 0, report
    assert _ids(keys_in(report, "customers", related=False)) == {shop.jane_id}
    code, report = run_locate(capsys, "--config", str(config), "--phone", "+1 415-555-0135")
    assert code == 1
    assert report["matches"] == []


def test_nothing_found_exits_1_and_errors_exit_2(
    sqlite_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load_planted_shop(sqlite_db)
    config = write_config(tmp_path, {"shop": sqlite_db, "gone": "sqlite:///" + str(tmp_path / "missing.db")})
    code, report = run_locate(capsys, "--config", str(config), "--email", "nobody@example.com")
    assert code == 2  # the missing database makes the search incomplete
    assert any(error["source"] == "gone" for error in report["errors"])
    code, report = run_locate(
        capsys, "--config", str(config), "--source", "shop", "--email", "nobody@example.com"
    )
    assert code == 1 and report["found"] is False


def test_index_lookups_and_bounded_scans_are_reported(
    postgres_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load_planted_shop(postgres_db)
    config = write_config(tmp_path, {"shop": postgres_db})
    code, report = run_locate(
        capsys, "--config", str(config), "--email", JANE_EMAIL, "--plan", "--max-rows-scanned", "10"
    )
    assert code == 0 and report["plan_only"] and report["matches"] == []
    lookups = {(lookup["container"], lookup["field"]): lookup for lookup in report["lookups"]}
    assert lookups[("public.customers", "email")]["method"] == "index"
    newsletter = lookups[("public.newsletter", "subscriber_email")]
    assert newsletter["method"] == "scan" and newsletter["status"] == "planned"
    assert "would scan" in newsletter["message"] and newsletter["rows_estimate"] > 10
    # run it: the newsletter scan reads only 10 rows (Jane's row is the first), and says so
    code, report = run_locate(
        capsys, "--config", str(config), "--email", JANE_EMAIL, "--max-rows-scanned", "10"
    )
    assert code == 0
    newsletter = next(lookup for lookup in report["lookups"] if lookup["container"] == "public.newsletter")
    assert newsletter["status"] == "partial" and newsletter["rows_scanned"] == 10


def test_row_keys_that_are_personal_data_are_hashed(
    sqlite_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = sa.create_engine(sqlite_db)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE subscribers (email TEXT PRIMARY KEY, since TEXT)"))
        connection.execute(sa.text("CREATE TABLE audit (who TEXT, what TEXT)"))
        for number in range(30):
            connection.execute(
                sa.text("INSERT INTO subscribers VALUES (:e, '2024')"), {"e": f"user{number}@example.com"}
            )
            connection.execute(
                sa.text("INSERT INTO audit VALUES (:e, 'login')"), {"e": f"user{number}@example.com"}
            )
    engine.dispose()
    config = write_config(tmp_path, {"db": sqlite_db})
    code, report = run_locate(capsys, "--config", str(config), "--email", "user7@example.com")
    assert code == 0
    keys = {match["container"]: match["row_key"] for match in report["matches"]}
    assert set(keys) == {"main.subscribers", "main.audit"}
    assert all(key.startswith("hmac-sha256:") for key in keys.values())
    assert "user7" not in json.dumps(report)
    # stable: the same row gives the same fingerprint on the next run
    _, again = run_locate(capsys, "--config", str(config), "--email", "user7@example.com")
    assert {m["container"]: m["row_key"] for m in again["matches"]} == keys


def test_locate_never_writes_to_the_database(
    sql_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from test_sql_security import contents_digest, postgres_write_counters

    load_planted_shop(sql_db)
    config = write_config(tmp_path, {"shop": sql_db})
    assert main(["scan", "--config", str(config), "-q", "--format", "json"]) == 0
    capsys.readouterr()
    before = contents_digest(sql_db)
    is_postgres = sql_db.startswith("postgresql")
    counters = postgres_write_counters(sql_db) if is_postgres else None
    file_digest = None
    if sql_db.startswith("sqlite"):
        path = Path(sql_db.split(":///", 1)[1])
        file_digest = hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns
    code, _ = run_locate(
        capsys, "--config", str(config), "--email", JANE_EMAIL, "--name", "Jane Doe", "--phone", JANE_PHONE
    )
    assert code == 0
    assert contents_digest(sql_db) == before
    if is_postgres:
        assert postgres_write_counters(sql_db) == counters
    if file_digest is not None:
        assert (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns) == file_digest
        assert not Path(str(path) + "-journal").exists() and not Path(str(path) + "-wal").exists()


def test_a_name_split_over_columns_is_found_and_only_its_columns_are_reported(
    sqlite_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = ("Olivia", "Liam", "Emma", "Noah", "Amelia", "Oliver", "Sophia", "Lucas", "Mia", "James")
    last = ("Smith", "Johnson", "Garcia", "Miller", "Davis", "Lopez", "Wilson", "Moore", "Taylor", "Brown")
    engine = sa.create_engine(sqlite_db)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "CREATE TABLE members (id INTEGER PRIMARY KEY, first_name TEXT, last_name TEXT, emergency_contact_name TEXT)"
            )
        )
        rows = [{"id": 1, "f": "Jane", "l": "Doe", "c": "John Smith"}]
        rows += [
            {
                "id": n,
                "f": first[n % 10],
                "l": last[(n * 3) % 10],
                "c": f"{first[(n + 1) % 10]} {last[n % 10]}",
            }
            for n in range(2, 60)
        ]
        connection.execute(sa.text("INSERT INTO members VALUES (:id, :f, :l, :c)"), rows)
    engine.dispose()
    config = write_config(tmp_path, {"db": sqlite_db})
    code, report = run_locate(capsys, "--config", str(config), "--name", "Jane Doe")
    assert code == 0
    assert {(m["row_key"], m["field"]) for m in report["matches"]} == {
        ("id=1", "first_name"),
        ("id=1", "last_name"),
    }
