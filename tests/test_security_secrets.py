"""Secrets: a database password never appears in anything piimap prints, logs, writes or stores.

One known password (with characters that URL-encoding changes) is used for real PostgreSQL and
MariaDB accounts created by the test (success path), for accounts that do not exist or get the
password wrong (error path) and for an unreachable server, all through ``${ENV_VAR}`` expansion
in a config file, with ``--debug``. Then every output is searched for the password in its raw and
URL-encoded forms: stdout, stderr (with debug logging), the JSON, HTML, SARIF and Fides reports,
the history store's SQLite file bytes and what ``piimap history`` prints. Connection-error wording
per source is tested by ``tests/test_sql_security.py``; this test is about every output at once.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
import sqlalchemy as sa
from conftest import MARIADB_ADMIN_URL, POSTGRES_ADMIN_URL, server_unavailable

from piimap.redact import redact_message, redact_text, redact_url, remember_url_secrets, url_secrets

pytestmark = pytest.mark.slow  # full CLI runs over every output

PIIMAP = str(Path(sys.executable).with_name("piimap"))
PASSWORD = "S3cr3t-p4ss/@#"
ENCODED = quote(PASSWORD, safe="")  # S3cr3t-p4ss%2F%40%23
#: What ``${DB_PASSWORD}`` gives when the variable holds the password as it is: SQLAlchemy reads
#: ``/``, ``#`` and ``?`` in the user part as the password's own, where ``urlsplit`` sees a path,
#: a fragment and a query and no password at all.
RAW_PASSWORD = "Pl41n/t3xt#p4ss?w0rd"


def _forms(password: str) -> tuple[str, ...]:
    """The password raw, percent-encoded (both hex cases) and its pieces between URL delimiters."""
    encoded = quote(password, safe="")
    pieces = [piece for piece in re.split(r"[/@#?]", password) if len(piece) >= 5]
    return (password, encoded, encoded.lower(), *pieces)


FORMS = _forms(PASSWORD)


def _leaks(text: str | bytes, forms: tuple[str, ...] = FORMS) -> list[str]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return [form for form in forms if form.encode("utf-8") in data]


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PIIMAP, *args], capture_output=True, text=True, env=env, timeout=120)


def _sql(url: str, *statements: str) -> None:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            for statement in statements:
                connection.execute(sa.text(statement))
    finally:
        engine.dispose()


def _load_people(url: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text("CREATE TABLE people (id int, email varchar(200), full_name varchar(200))")
            )
            for index in range(30):
                connection.execute(
                    sa.text("INSERT INTO people VALUES (:id, :email, :name)"),
                    {"id": index, "email": f"user{index}@example.com", "name": "Maria Garcia"},
                )
    finally:
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.mariadb
@pytest.mark.parametrize(
    ("password", "written"),
    [(PASSWORD, ENCODED), (RAW_PASSWORD, RAW_PASSWORD)],
    ids=["percent-encoded", "raw-slash-hash-question-mark"],
)
def test_the_password_is_in_no_output_report_log_or_stored_run(
    postgres_db: str, mariadb_db: str, tmp_path: Path, password: str, written: str
) -> None:
    """``written`` is how ``$DB_PASSWORD`` spells ``password`` inside the URLs."""
    server_unavailable(POSTGRES_ADMIN_URL)
    server_unavailable(MARIADB_ADMIN_URL)
    role = f"piimap_sec_{uuid.uuid4().hex[:8]}"
    _load_people(postgres_db)
    _load_people(mariadb_db)
    pg_database = sa.make_url(postgres_db).database
    maria_database = sa.make_url(mariadb_db).database
    _sql(postgres_db, f"CREATE ROLE {role} LOGIN PASSWORD '{password}'", f"GRANT SELECT ON people TO {role}")
    _sql(
        MARIADB_ADMIN_URL,
        f"CREATE USER '{role}'@'%' IDENTIFIED BY '{password}'",
        f"GRANT SELECT ON `{maria_database}`.* TO '{role}'@'%'",
    )
    store = tmp_path / "history.sqlite"
    missing = tmp_path / "missing.db"
    config = tmp_path / "piimap.yaml"
    config.write_text(
        "sources:\n"
        f"  pg_ok: postgresql+psycopg://{role}:${{DB_PASSWORD}}@127.0.0.1:5432/{pg_database}\n"
        f"  maria_ok: mysql+pymysql://{role}:${{DB_PASSWORD}}@127.0.0.1:3306/{maria_database}\n"
        f"  pg_no_role: postgresql+psycopg://nobody_{role}:${{DB_PASSWORD}}@127.0.0.1:5432/{pg_database}\n"
        f"  maria_wrong: mysql+pymysql://{role}:${{DB_PASSWORD}}x@127.0.0.1:3306/{maria_database}\n"
        f"  unreachable: postgresql://{role}:${{DB_PASSWORD}}@127.0.0.1:1/{pg_database}\n"
        "  mongo:\n"
        f"    url: mongodb://{role}:${{DB_PASSWORD}}@127.0.0.1:1/app\n"
        "    server_selection_timeout_seconds: 0.5\n"
        f"  missing_file: sqlite:///{missing}\n"
        f"store: sqlite:///{store}\n"
        "reports:\n"
        "  - {format: json, path: out/report.json}\n"
        "  - {format: html, path: out/report.html}\n"
        "  - {format: sarif, path: out/report.sarif}\n"
        "  - {format: fides, path: out/report.fides.yaml}\n",
        encoding="utf-8",
    )
    (tmp_path / "policy.yaml").write_text("collected: [user.name]\n", encoding="utf-8")
    env = {**os.environ, "DB_PASSWORD": written, "PIIMAP_STORE": f"sqlite:///{store}"}
    try:
        check = _run(
            "--debug", "check", "--config", str(config), "--policy", str(tmp_path / "policy.yaml"), env=env
        )
        # the same URLs given on the command line, and a history store behind a password
        adhoc = _run(
            "--debug",
            "scan",
            "--no-store",
            "-q",
            "--format",
            "json",
            f"postgresql+psycopg://{role}:{written}@127.0.0.1:5432/{pg_database}",
            f"mysql+pymysql://{role}:{written}x@127.0.0.1:3306/{maria_database}",
            env=env,
        )
        bad_store = _run(
            "--debug",
            "scan",
            "-q",
            str(config),
            "--store",
            f"postgresql+psycopg://{role}:{written}@127.0.0.1:1/store",
            env=env,
        )
        history = _run("history", "--format", "json", "--store", f"sqlite:///{store}", env=env)
        history_table = _run("history", "--store", f"sqlite:///{store}", env=env)
    finally:
        _sql(postgres_db, f"DROP OWNED BY {role}", f"DROP ROLE {role}")
        _sql(MARIADB_ADMIN_URL, f"DROP USER '{role}'@'%'")
    # the scan really used the password: the good accounts read data, the bad ones failed
    assert check.returncode == 2, check.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    statuses = {source["name"]: source["status"] for source in report["sources"]}
    assert statuses == {
        "pg_ok": "ok",
        "maria_ok": "ok",
        "pg_no_role": "error",
        "maria_wrong": "error",
        "unreachable": "error",
        "mongo": "error",
        "missing_file": "error",
    }, check.stderr
    assert "Access denied" in check.stderr and ":***@" in check.stderr
    urls = {source["name"]: source["url"] for source in report["sources"]}
    assert urls["pg_ok"] == f"postgresql+psycopg://{role}:***@127.0.0.1:5432/{pg_database}"
    assert urls["mongo"].startswith(f"mongodb://{role}:***@127.0.0.1:1")
    # a URL without a password is shown as it is, in the report and in its error line
    assert urls["missing_file"] == f"sqlite:///{missing}"
    assert (
        f"missing_file: cannot connect to sqlite:///{missing}: no such SQLite database file" in check.stderr
    )
    error_lines = [line for line in check.stderr.splitlines() if line.startswith("piimap: error: ")]
    assert len(error_lines) == 5, check.stderr  # one line per failed source
    assert adhoc.returncode == 2 and '"status": "ok"' in adhoc.stdout
    assert bad_store.returncode == 2 and "Traceback" in bad_store.stderr  # --debug shows it, scrubbed
    assert history.returncode == 0 and '"command": "check"' in history.stdout
    assert history_table.returncode == 0 and "check" in history_table.stdout
    outputs = {
        "check stdout": check.stdout,
        "check stderr": check.stderr,
        "ad-hoc stdout": adhoc.stdout,
        "ad-hoc stderr": adhoc.stderr,
        "store error stdout": bad_store.stdout,
        "store error stderr": bad_store.stderr,
        "history": history.stdout + history.stderr,
        "history table": history_table.stdout + history_table.stderr,
    }
    for path in sorted(tmp_path.rglob("*")):  # every report, the store file and anything else written
        if path.is_file() and path.name not in ("piimap.yaml",):
            outputs[str(path.relative_to(tmp_path))] = path.read_bytes()  # type: ignore[assignment]
    assert {
        "out/report.json",
        "out/report.html",
        "out/report.sarif",
        "out/report.fides.yaml",
        "history.sqlite",
    } <= set(outputs)
    forms = _forms(password)
    leaks = {name: found for name, text in outputs.items() if (found := _leaks(text, forms))}
    assert leaks == {}
    stored = sqlite3.connect(store)
    try:
        stored_urls = [row[0] for row in stored.execute("SELECT url FROM piimap_run_sources")]
    finally:
        stored.close()
    assert f"postgresql+psycopg://{role}:***@127.0.0.1:5432/{pg_database}" in stored_urls


@pytest.mark.parametrize(
    ("text", "password"),
    [
        ("postgresql://app:S3cr3t-p4ss@db:5432/shop", "S3cr3t-p4ss"),
        ("mysql+pymysql://app:S3cr3t-p4ss%40x@db/shop failed", "S3cr3t-p4ss%40x"),
        ("connect mongodb://u:S3cr3t-p4ss@h1,h2/db?replicaSet=r", "S3cr3t-p4ss"),
        ("dsn host=db user=app password=S3cr3t-p4ss dbname=shop", "S3cr3t-p4ss"),
        ("https://s3.example/b?X-Amz-Credential=AK&token=S3cr3t-p4ss&x=1", "S3cr3t-p4ss"),
        ("PWD=S3cr3t-p4ss;Server=db", "S3cr3t-p4ss"),
    ],
)
def test_redact_text_removes_passwords_from_free_text(text: str, password: str) -> None:
    assert password not in redact_text(text)


def test_a_password_quoted_alone_in_an_error_is_removed_given_the_url() -> None:
    url = f"postgresql://app:{ENCODED}@db/shop"
    message = f"server said: bad password {PASSWORD!r} (sent {ENCODED})"
    assert _leaks(redact_text(message, url_secrets(url))) == []
    assert redact_url(url) == "postgresql://app:***@db/shop"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        # SQLAlchemy's make_url reads everything up to the first "@" as the password
        ("postgresql://app:a/b#c?d@db:5432/shop", "postgresql://app:***@db:5432/shop"),
        (
            "mysql+pymysql://app:p:w/d@db/shop?charset=utf8mb4",
            "mysql+pymysql://app:***@db/shop?charset=utf8mb4",
        ),
        # a raw "@" in the password: nothing after the user name is shown up to the last "@"
        (f"postgresql://app:{PASSWORD}@db/shop", "postgresql://app:***@db/shop"),
        # pymongo's parser (percent-encoded, as it requires), and what it rejects
        (
            "mongodb://app:p%2Fw%23d@h1:27017,h2/app?replicaSet=r",
            "mongodb://app:***@h1:27017,h2/app?replicaSet=r",
        ),
        (
            "mongodb+srv://app:p%3Fw@cluster0.example.net/app",
            "mongodb+srv://app:***@cluster0.example.net/app",
        ),
        ("mongodb://app:p/w#d@h1/app", "mongodb://app:***@h1/app"),
        ("mongodb://app:p?w@h1/app", "mongodb://app:***@h1/app"),
        # no password: shown exactly as given
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
        ("sqlite:////data/jane@example.org.db", "sqlite:////data/jane@example.org.db"),
        ("postgresql://app@db/shop", "postgresql://app@db/shop"),
        ("mongodb://db1:27017/app", "mongodb://db1:27017/app"),
        ("s3://bucket/exports/jane@example.org.csv", "s3://bucket/exports/jane@example.org.csv"),
        ("/var/log/app:1@x.log", "/var/log/app:1@x.log"),
        ("tcp://scheduler:8786", "tcp://scheduler:8786"),
    ],
)
def test_urls_are_redacted_as_their_connector_parses_them(url: str, shown: str) -> None:
    assert redact_url(url) == shown
    message = redact_message(f"cannot connect to {url}: refused", url)
    assert message == f"cannot connect to {shown}: refused"


def test_a_raw_password_echoed_by_a_driver_in_another_spelling_is_masked() -> None:
    url = f"postgresql://app:{RAW_PASSWORD}@db/shop"
    echoes = (
        RAW_PASSWORD,
        quote(RAW_PASSWORD, safe=""),
        re.sub(r"%[0-9A-F]{2}", lambda escape: escape.group().lower(), quote(RAW_PASSWORD, safe="")),
        quote_plus(RAW_PASSWORD),
        repr(RAW_PASSWORD),
    )
    for echo in echoes:
        assert _leaks(redact_message(f"FATAL: password {echo} rejected", url), _forms(RAW_PASSWORD)) == []


def test_a_remembered_password_is_masked_in_text_that_never_saw_the_url() -> None:
    secret = f"R3m3mb3r/{uuid.uuid4().hex[:8]}#x"
    assert secret in redact_text(f"driver said {secret}")
    remember_url_secrets(f"postgresql://app:{secret}@db/shop")
    assert secret not in redact_text(f"driver said {secret}")
    assert quote(secret, safe="") not in redact_text(f"driver said {quote(secret, safe='')}")
