"""YAML files cannot hang or exhaust piimap: alias bombs, recursive aliases, deep nesting (issue #12, item 6).

Each hostile file is loaded by the real ``piimap`` console script in a subprocess with a time
limit, so a regression fails the test instead of hanging the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from piimap.model import ConfigError
from piimap.yamlfile import MAX_YAML_VALUES, load_yaml

PIIMAP = str(Path(sys.executable).with_name("piimap"))


def _alias_bomb(levels: int = 9, width: int = 9) -> str:
    """``levels`` anchors, each a list of ``width`` aliases of the previous one: width**levels values."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


SOURCES = "sources:\n  - name: logs\n    url: {url}\n"


def _run(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run ``arguments`` (``piimap`` by default); a hang fails the test after 30 s."""
    command = list(arguments) if arguments[0] == sys.executable else [PIIMAP, *arguments]
    try:
        return subprocess.run(
            command, capture_output=True, text=True, timeout=30, cwd=tmp_path, env=_env(tmp_path)
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running after 30 s: {' '.join(arguments[:3])}")


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path)}


def test_an_alias_bomb_in_the_config_is_one_error_line(tmp_path: Path) -> None:
    (tmp_path / "app.log").write_text("jane@example.org\n")
    config = tmp_path / "piimap.yaml"
    config.write_text(SOURCES.format(url=tmp_path / "app.log") + _alias_bomb())
    assert config.stat().st_size < 1500
    result = _run(tmp_path, "scan", "--config", str(config), "--no-store")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "piimap.yaml:10: aliases expand to more than 1,000,000 values" in result.stderr


def test_an_alias_bomb_in_the_data_map_is_one_error_line(tmp_path: Path) -> None:
    (tmp_path / "app.log").write_text("jane@example.org\n")
    (tmp_path / "datamap.yaml").write_text(
        "systems:\n  logs:\n    categories: [user.contact.email]\n" + _alias_bomb()
    )
    config = tmp_path / "piimap.yaml"
    config.write_text(SOURCES.format(url=tmp_path / "app.log") + "datamap: datamap.yaml\n")
    result = _run(tmp_path, "check", "--config", str(config), "--no-store")
    assert result.returncode == 2
    assert "datamap.yaml:10: aliases expand to more than" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_expanded_size_is_counted_without_expanding(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(_alias_bomb(levels=30, width=30))  # 30**30 values
    script = "import sys; from piimap.yamlfile import load_yaml; load_yaml(sys.argv[1])"
    started = time.monotonic()
    result = _run(tmp_path, sys.executable, "-c", script, str(path))
    assert "ConfigError" in result.stderr and "aliases expand to more than" in result.stderr
    assert time.monotonic() - started < 10


def test_aliases_and_merge_keys_of_an_ordinary_file_still_load(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PIIMAP_TEST_TOKEN", "secret-value")
    path = tmp_path / "ok.yaml"
    path.write_text(
        "defaults: &defaults\n  sample_size: 100\n  token: ${PIIMAP_TEST_TOKEN}\n"
        "sources:\n  - {name: a, <<: *defaults}\n  - {name: b, <<: *defaults}\n"
        "shared: &tags [x, y]\nmore: *tags\n"
    )
    data = load_yaml(path)
    assert data["sources"][0] == {"name": "a", "sample_size": 100, "token": "secret-value"}
    assert data["sources"][1]["name"] == "b" and data["sources"][1]["sample_size"] == 100
    assert data["more"] == ["x", "y"]


def test_a_file_just_under_the_limit_loads(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    width = 99  # 1 + 99 * (1 + 99 * (1 + 99)) values: under the limit
    path.write_text(_alias_bomb(levels=3, width=width))
    assert 1 + width * (1 + width * (1 + width)) < MAX_YAML_VALUES
    assert len(load_yaml(path)["l2"]) == width


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &a [*a]\n", "an alias refers to its own node"),
        ("a: &a {b: *a}\n", "an alias refers to its own node"),
        ("a: " + "[" * 20_000 + "]" * 20_000 + "\n", "nested too deeply"),
    ],
)
def test_recursive_aliases_and_deep_nesting_are_config_errors(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_yaml(path)
