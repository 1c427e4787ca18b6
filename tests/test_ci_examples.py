"""The CI examples in docs/ci.md and the pre-commit hook install what exists and run when they
should (issue #16): no ``pip install piimap`` from an index piimap is not on, and a hook that runs
only when the config, data map, policy or baseline change."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from piimap.cli import build_parser
from piimap.config import load_config

ROOT = Path(__file__).resolve().parent.parent
CI_DOC = ROOT / "docs" / "ci.md"


def _yaml_blocks(path: Path) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.DOTALL)


def _workflow() -> dict:
    blocks = [yaml.safe_load(block) for block in _yaml_blocks(CI_DOC)]
    return next(block for block in blocks if isinstance(block, dict) and "jobs" in block)


def test_the_workflow_installs_piimap_from_its_repository() -> None:
    steps = _workflow()["jobs"]["check"]["steps"]
    installs = [step for step in steps if "pip install" in step.get("run", "")]
    assert installs, "the workflow must install piimap"
    for step in installs:
        command = step["run"].replace("${PIIMAP_REPOSITORY}", step["env"]["PIIMAP_REPOSITORY"])
        target = shlex.split(command)[-1]
        assert target.startswith("git+https://"), target  # not `pip install piimap`: it is not on PyPI
        assert "@" in target.split("//", 1)[1]  # pinned to a ref
    check = next(step for step in steps if step.get("run", "").startswith("piimap check"))
    arguments = shlex.split(check["run"])[1:]
    parsed = build_parser().parse_args(arguments)  # every option of the example exists
    assert parsed.command == "check" and parsed.format == "github"


def test_the_checkout_alternative_installs_the_folder_it_checked_out() -> None:
    text = CI_DOC.read_text(encoding="utf-8")
    alternative = next(block for block in _yaml_blocks(CI_DOC) if "path: .piimap-src" in block)
    steps = yaml.safe_load(alternative)
    checkout = next(step for step in steps if "uses" in step)
    install = next(step for step in steps if "run" in step)
    assert install["run"] == f"pip install ./{checkout['with']['path']}"
    assert "pip install piimap\n" not in text and "pip install piimap " not in text


def test_the_reports_excerpt_is_a_valid_config(tmp_path: Path) -> None:
    excerpt = next(block for block in _yaml_blocks(CI_DOC) if block.startswith("reports:"))
    config = tmp_path / "piimap.yaml"
    config.write_text("sources:\n  app: sqlite:///app.db\ndatamap: datamap.yaml\n" + excerpt)
    loaded = load_config(config)
    assert [output.format for output in loaded.reports] == ["sarif", "junit"]


def _hook() -> dict:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return next(hook for hook in hooks if hook["id"] == "piimap-check")


@pytest.mark.parametrize(
    ("path", "runs"),
    [
        ("piimap.yaml", True),
        (".piimap.yaml", True),
        ("piimap.yml", True),
        ("governance/datamap.yaml", True),
        ("policy.yaml", True),
        ("legal/privacy-policy.md", True),
        ("privacy_policy.html", True),
        ("piimap-baseline.json", True),
        ("src/app.py", False),
        ("README.md", False),
        ("docs/policy.yaml.md", False),
        ("mydatamap.yaml", False),
        ("migrations/0042_add_phone.sql", False),
    ],
)
def test_the_pre_commit_hook_runs_only_when_declarations_change(path: str, runs: bool) -> None:
    hook = _hook()
    assert bool(re.search(hook["files"], path)) is runs  # pre-commit matches files with re.search


def test_the_pre_commit_hook_reads_its_config_not_the_changed_files() -> None:
    hook = _hook()
    assert hook["pass_filenames"] is False and not hook.get("always_run", False)
    assert hook["language"] == "python"  # pre-commit installs piimap from the hook's repository
    parsed = build_parser().parse_args(shlex.split(hook["entry"])[1:])
    assert parsed.command == "check" and parsed.config is None  # found by config discovery
