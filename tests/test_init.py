"""``piimap init``: scan, write piimap.yaml, a datamap.yaml of what was found and a policy.yaml;
the first ``piimap check`` passes and a new column of personal data fails it (issue #16)."""

from __future__ import annotations

import json
import sqlite3
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from hypothesis import given
from hypothesis import strategies as st

from piimap.cli import main
from piimap.declarations import load_datamap
from piimap.demo import build_demo
from piimap.model import ScanResult, SourceSpec, Violation
from piimap.starter import _scalar, config_url, container_pattern, render_datamap, starter_sources


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _check(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict, str]:
    code, out, err = _run(capsys, "check", "--quiet", "--no-store", "--format", "json")
    return code, json.loads(out), err


@pytest.mark.slow
def test_init_on_the_demo_then_check_passes_and_a_new_pii_column_fails_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = build_demo(tmp_path / "demo")
    for written in (demo.config, demo.datamap):  # the demo's own declarations are not used
        written.unlink()
    monkeypatch.chdir(demo.root)
    code, out, err = _run(
        capsys,
        "init",
        "app_db=sqlite:///app.db",
        "web_logs=logs/",
        "click_events=events/",
        "--policy",
        "privacy-policy.txt",
        "--sample-size",
        "500",
        "--quiet",
    )
    assert code == 0, err
    assert "`piimap check` passes on this data." in out
    # the policy does not disclose the account owners' birth dates: a data map cannot declare that
    # away, so it is accepted with a TODO reason for a person to review, and said so
    assert "1 policy gap the data map cannot declare away" in out
    assert "PIIMAP003: user.demographic.date_of_birth found in app_db: main.account_owners" in out
    config = (demo.root / "piimap.yaml").read_text()
    assert "url: sqlite:///app.db" in config and "url: logs/" in config and "sample_size: 500" in config
    assert str(demo.root) not in config  # relative to the config's folder: the folder can move
    datamap = (demo.root / "datamap.yaml").read_text()
    assert "phone: [user.contact.phone_number]" in datamap and '"*/logs/access.log":' in datamap
    assert "TODO" in datamap
    assert "collected:" in (demo.root / "policy.yaml").read_text()

    suppressions = yaml.safe_load(datamap)["suppressions"]
    assert [(s["rule"], s["source"], s["container"], s["field"], s["category"]) for s in suppressions] == [
        ("PIIMAP003", "app_db", "main.account_owners", "date_of_birth", "user.demographic.date_of_birth")
    ]
    assert suppressions[0]["reason"].startswith("TODO: user.demographic.date_of_birth found in app_db")

    code, report, err = _check(capsys)
    assert code == 0, err
    errors = [v for v in report["violations"] if v["severity"] == "error"]
    assert "using config" in err and [(v["rule"], bool(v.get("suppressed"))) for v in errors] == [
        ("PIIMAP003", True)
    ]

    with sqlite3.connect(demo.database) as database:  # a new column of phone numbers in a known table
        database.execute("ALTER TABLE accounts ADD COLUMN mobile TEXT")
        database.execute("UPDATE accounts SET mobile = '+1 415-555-' || printf('%04d', 1000 + id)")
    code, report, _ = _check(capsys)
    assert code == 1
    failing = [v for v in report["violations"] if v["severity"] == "error" and not v.get("suppressed")]
    assert [(v["rule"], v["container"], v["field"], v["category"]) for v in failing] == [
        ("PIIMAP002", "main.accounts", "mobile", "user.contact.phone_number")
    ]


@pytest.mark.postgres
@pytest.mark.slow
def test_init_on_postgresql_then_a_new_pii_column_fails_the_check(
    postgres_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = sa.create_engine(postgres_db)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE SCHEMA crm"))
        connection.execute(
            sa.text("CREATE TABLE crm.customer (id serial PRIMARY KEY, email text, city text, signup date)")
        )
        connection.execute(
            sa.text(
                "INSERT INTO crm.customer (email, city, signup) "
                "SELECT 'c' || n || '@example.org', 'Lyon', DATE '2026-01-01' + n FROM generate_series(1, 60) n"
            )
        )
        connection.execute(sa.text("CREATE TABLE public.plans (id serial PRIMARY KEY, label text)"))
        connection.execute(sa.text("INSERT INTO public.plans (label) VALUES ('basic'), ('pro')"))
    monkeypatch.chdir(tmp_path)
    # The local server trusts 127.0.0.1, so a password in the URL is accepted and never needed:
    # it must reach the scan, and never the config file or the output.
    with_password = sa.make_url(postgres_db).set(password="hunter2-not-for-files")
    url = with_password.render_as_string(hide_password=False)
    code, out, err = _run(capsys, "init", f"crm={url}", "--quiet")
    assert code == 0, err
    assert "hunter2" not in out + err and "Set PIIMAP_CRM_PASSWORD" in out
    config = (tmp_path / "piimap.yaml").read_text()
    assert "hunter2" not in config and ":${PIIMAP_CRM_PASSWORD}@" in config
    monkeypatch.setenv("PIIMAP_CRM_PASSWORD", "hunter2-not-for-files")
    datamap = (tmp_path / "datamap.yaml").read_text()
    assert "crm.customer:" in datamap and "email: [user.contact.email]" in datamap
    assert "plans" not in datamap and not (tmp_path / "policy.yaml").exists()
    code, report, err = _check(capsys)
    assert code == 0, err

    with engine.begin() as connection:
        connection.execute(sa.text("ALTER TABLE crm.customer ADD COLUMN contact_ip inet"))
        connection.execute(sa.text("UPDATE crm.customer SET contact_ip = ('198.51.100.' || id)::inet"))
    engine.dispose()
    code, report, _ = _check(capsys)
    assert code == 1
    assert {
        (v["rule"], v["container"], v["field"]) for v in report["violations"] if v["severity"] == "error"
    } == {("PIIMAP002", "crm.customer", "contact_ip")}


def _small_database(path: Path) -> str:
    with sqlite3.connect(path) as database:
        database.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")
        database.executemany(
            "INSERT INTO users (email) VALUES (?)", [(f"user{i}@example.com",) for i in range(40)]
        )
    return f"sqlite:///{path}"


@pytest.fixture
def small_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The current folder is ``tmp_path``, which holds ``app.db`` (a table of emails); its URL."""
    monkeypatch.chdir(tmp_path)
    return _small_database(tmp_path / "app.db")


def test_existing_files_are_kept_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], small_project: str
) -> None:
    url = small_project
    (tmp_path / "datamap.yaml").write_text("# mine\n")
    code, out, err = _run(capsys, "init", url, "--quiet")
    assert code == 2 and err.count("\n") == 1
    assert "datamap.yaml already exists: nothing written" in err and "--force" in err
    assert (tmp_path / "datamap.yaml").read_text() == "# mine\n" and not (tmp_path / "piimap.yaml").exists()
    code, out, err = _run(capsys, "init", url, "--quiet", "--force")
    assert code == 0 and "users:" in (tmp_path / "datamap.yaml").read_text()
    assert (tmp_path / "piimap.yaml").exists()


def test_an_unreadable_source_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], small_project: str
) -> None:
    url = small_project
    code, _, err = _run(capsys, "init", url, "postgresql://nobody:secret@127.0.0.1:1/none", "--quiet")
    assert code == 2 and "nothing written" in err and "secret" not in err
    assert list(tmp_path.iterdir()) == [tmp_path / "app.db"]


def test_a_policy_that_does_not_cover_the_data_is_said_and_left_to_review_in_the_data_map(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], small_project: str
) -> None:
    url = small_project
    (tmp_path / "mine.yaml").write_text("collected: [user.name]\n")
    code, out, _ = _run(capsys, "init", url, "--policy", "mine.yaml", "--quiet")
    assert code == 0 and "policy: mine.yaml" in (tmp_path / "piimap.yaml").read_text()
    assert "1 policy gap the data map cannot declare away" in out and "PIIMAP003" in out
    assert _run(capsys, "check", "--quiet", "--no-store")[0] == 0  # accepted, with a TODO reason
    datamap = tmp_path / "datamap.yaml"
    written = datamap.read_text()
    assert 'reason: "TODO: ' in written or "reason: TODO" in written
    datamap.write_text(written[: written.index("suppressions:")])  # the gap is the suppression's alone
    assert _run(capsys, "check", "--quiet", "--no-store")[0] == 1


def test_source_names_urls_and_patterns(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    sources = starter_sources(
        ["sqlite:///app.db", "app=sqlite:///other.db", str(tmp_path / "logs") + "/", "s3://bucket/prefix/"],
        tmp_path,
    )
    assert [source.spec.name for source in sources] == ["app", "app_2", "logs", "prefix"]
    assert [s.spec.name for s in starter_sources(["exports/*.csv", "2024.csv"], tmp_path)] == [
        "exports",
        "source_2024",
    ]
    assert sources[2].written == "logs/"
    written, variable = config_url(
        "postgresql://scan:pa ss@db.internal:5433/shop?sslmode=require", tmp_path, "shop-db"
    )
    assert written == "postgresql://scan:${PIIMAP_SHOP_DB_PASSWORD}@db.internal:5433/shop?sslmode=require"
    assert variable == "PIIMAP_SHOP_DB_PASSWORD"
    assert config_url("postgresql://scan@db/shop", tmp_path, "x") == ("postgresql://scan@db/shop", None)
    assert container_pattern("/srv/x/logs/access.log", "/srv/x/logs/") == "*/logs/access.log"
    assert container_pattern("/srv/x/logs/a.log", "/srv/x/logs/*.log") == "*/logs/a.log"
    assert container_pattern("/srv/x/one.csv", "/srv/x/one.csv") == "*/one.csv"
    assert container_pattern("main.t[1]", "sqlite:///a.db") == "main.t[[]1]"


def test_a_password_is_never_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The config gets ${PIIMAP_..._PASSWORD}; the scan itself used the real URL (here: a server
    that refuses, so nothing is written at all, and the password is not printed either)."""
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(capsys, "init", "shop=postgresql://scan:hunter2@127.0.0.1:1/shop", "--quiet")
    assert code == 2 and "hunter2" not in out + err
    assert not (tmp_path / "piimap.yaml").exists()


@given(st.text(max_size=40))
def test_every_name_is_written_as_yaml_that_reads_back_the_same(text: str) -> None:
    assert yaml.safe_load(f"key: {_scalar(text)}\n")["key"] == text


@pytest.mark.slow
def test_without_sources_init_writes_the_data_map_of_the_config_already_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = build_demo(tmp_path / "demo")
    config_before = demo.config.read_text()
    monkeypatch.chdir(demo.root)
    code, _, err = _run(capsys, "init", "--quiet")
    assert code == 2 and "datamap.yaml already exists" in err  # the demo's own data map is kept
    code, out, err = _run(capsys, "init", "--quiet", "--force")
    assert code == 0, err
    assert "`piimap check` passes on this data." in out and "Add `datamap:" not in out
    assert demo.config.read_text() == config_before  # the config is not rewritten
    assert "query.phone: [user.contact.phone_number]" in demo.datamap.read_text()
    code, report, err = _check(capsys)
    assert code == 0, err


def test_without_sources_or_a_config_init_says_what_to_give(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, "init")
    assert code == 2 and err.count("\n") == 1 and "piimap init SOURCE..." in err and str(tmp_path) in err


def test_an_existing_config_without_datamap_key_is_told_to_name_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _small_database(tmp_path / "app.db")
    (tmp_path / ".piimap.yaml").write_text("sources:\n  app: sqlite:///app.db\n")
    code, out, err = _run(capsys, "init", "--quiet")
    assert code == 0, err
    assert "Add `datamap: datamap.yaml` to .piimap.yaml" in out
    assert "main.users:" in (tmp_path / "datamap.yaml").read_text()


def test_a_generated_field_glob_declares_exactly_that_field() -> None:
    from fnmatch import fnmatchcase

    from piimap.starter import _escape_glob

    for name in ("items[].phone", "a*b", "what?", "plain.name"):
        pattern = _escape_glob(name, wildcards=True)
        assert fnmatchcase(name, pattern)
        assert not fnmatchcase(name.replace("*", "X").replace("?", "Y") + "z", pattern)
    assert not fnmatchcase("aXb", _escape_glob("a*b", wildcards=True))


def test_a_hidden_config_in_the_folder_also_stops_init_with_sources(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], small_project: str
) -> None:
    url = small_project
    (tmp_path / ".piimap.yaml").write_text("sources: {}\n")
    code, _, err = _run(capsys, "init", url, "--quiet")
    assert code == 2 and ".piimap.yaml already exists" in err and not (tmp_path / "piimap.yaml").exists()


@given(
    container=st.text(min_size=1, max_size=20),
    field=st.text(min_size=1, max_size=20),
    other=st.text(min_size=1, max_size=20),
)
def test_a_policy_gap_is_suppressed_for_exactly_its_own_container_and_field(
    container: str, field: str, other: str
) -> None:
    """Glob characters, quotes and controls in names: the written suppression reads back and
    matches the gap's container and field, and no other (a ``*`` in a field is not a wildcard)."""
    gap = Violation(
        rule="PIIMAP003",
        message=f"user.contact.email found in db: {container}: {field}, but the privacy policy does not say it",
        source="db",
        container=container,
        field=field,
        category="user.contact.email",
    )
    source = SourceSpec(name="db", url="sqlite:///db.sqlite")
    result = ScanResult(started="", finished="", sources=(), findings=())
    text = render_datamap(result, (source,), scanned="today", policy_gaps=(gap,))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "datamap.yaml"
        path.write_text(text, encoding="utf-8")
        (suppression,) = load_datamap(path).suppressions
    assert suppression.reason.startswith("TODO: user.contact.email found in db")

    def matches(container_name: str, field_name: str) -> bool:
        return suppression.matches(
            rule_id="PIIMAP003",
            rule_name="undisclosed-collection",
            source="db",
            container=container_name,
            field_name=field_name,
            category="user.contact.email",
            vendor=None,
        )

    assert matches(container, field)
    assert matches(container, other) == (other == field)
