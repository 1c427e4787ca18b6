"""Config discovery: verbs that take ``--config`` find ``piimap.yaml`` / ``.piimap.yaml`` in the
current folder or a parent, and say which file they used (issue #16, "The first hour")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_check_cli import build_company

from piimap.cli import main
from piimap.config import find_config


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_find_config_prefers_the_nearest_folder_and_piimap_yaml(tmp_path: Path) -> None:
    nested = tmp_path / "a" / "b" / "c"
    nested.mkdir(parents=True)
    assert find_config(nested) is None or not str(find_config(nested)).startswith(str(tmp_path))
    (tmp_path / ".piimap.yaml").write_text("sources: {}\n")
    assert find_config(nested) == tmp_path / ".piimap.yaml"
    (tmp_path / "piimap.yaml").write_text("sources: {}\n")
    assert find_config(nested) == tmp_path / "piimap.yaml"  # piimap.yaml before .piimap.yaml
    (tmp_path / "a" / ".piimap.yaml").write_text("sources: {}\n")
    assert find_config(nested) == tmp_path / "a" / ".piimap.yaml"  # the nearest folder wins
    (nested / "piimap.yaml").mkdir()  # a folder of that name is not a config
    assert find_config(nested) == tmp_path / "a" / ".piimap.yaml"


@pytest.mark.slow
def test_check_without_config_finds_it_in_a_parent_and_says_which(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    company = build_company(tmp_path)
    explicit = _run(
        capsys, "check", "--config", str(company.config), "--quiet", "--format", "json", "--no-store"
    )
    subfolder = tmp_path / "src" / "deep"
    subfolder.mkdir(parents=True)
    monkeypatch.chdir(subfolder)
    code, out, err = _run(capsys, "check", "--quiet", "--format", "json", "--no-store")
    assert code == explicit[0]
    assert f"piimap: using config {company.config}" in err
    assert "using config" not in explicit[2]  # an explicit --config is not announced
    found = {(f["container"], f["field"], f["category"]) for f in json.loads(out)["findings"]}
    assert found == {(f["container"], f["field"], f["category"]) for f in json.loads(explicit[1])["findings"]}


def test_a_hidden_config_is_found_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    company = build_company(tmp_path)
    hidden = company.config.rename(tmp_path / ".piimap.yaml")
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(capsys, "scan", "--quiet", "--format", "json", "--no-store")
    assert code == 0 and f"using config {hidden}" in err
    assert {finding["source"] for finding in json.loads(out)["findings"]} == {"app_db"}


def test_scan_with_sources_scans_only_those(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    build_company(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    (other / "contacts.csv").write_text(
        "name,email\n" + "".join(f"n{i},u{i}@example.org\n" for i in range(20))
    )
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(capsys, "scan", "other/contacts.csv", "--quiet", "--format", "json", "--no-store")
    assert code == 0 and "using config" not in err
    assert {finding["source"] for finding in json.loads(out)["findings"]} == {"contacts.csv"}


def test_history_takes_the_store_of_the_found_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    company = build_company(tmp_path, extra_config="store: sqlite:///history.sqlite\n")
    monkeypatch.chdir(tmp_path)
    assert _run(capsys, "scan", "--quiet")[0] == 0
    assert (tmp_path / "history.sqlite").exists()
    code, out, err = _run(capsys, "history", "--format", "json")
    assert code == 0 and f"using config {company.config}" in err
    assert [run["run_id"] for run in json.loads(out)["runs"]] == [1]


def test_no_config_anywhere_is_one_line_naming_the_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if find_config(tmp_path) is not None:
        pytest.skip(f"a parent of {tmp_path} holds {find_config(tmp_path)}")
    monkeypatch.chdir(tmp_path)
    for verb in ("check", "baseline", "schedule", "locate"):
        code, _, err = _run(capsys, verb, "--quiet")
        assert code == 2 and err.count("\n") == 1
        assert "--config FILE is required" in err and str(tmp_path) in err and "piimap init" in err
