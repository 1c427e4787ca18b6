"""``piimap check`` against a privacy policy's text: violations quote the sentence they rest on,
in the terminal, JSON, SARIF and HTML reports; contradictions inside the policy are PIIMAP007;
``piimap policy extract`` writes a policy file that checks the same way and survives hand edits."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from test_check_cli import DATAMAP, build_company, check

from piimap.cli import main
from piimap.declarations import load_policy

POLICY_TEXT = """\
Tiny Analytics Privacy Policy

What we collect
We collect your email address and phone number when you sign up.
Our servers log your IP address and the advertising identifier of your device.
We use cookies to count visits.

Sharing
We share your email address with our email service provider.
Google Analytics receives your IP address and cookie identifiers.
We do not share your phone number with advertisers.
We do not disclose personal information except as described in this policy.
"""

ADVERTISING_FLOW = (
    DATAMAP
    + """\
  - from: app_db
    to: adnet
    containers: [main.accounts]
    categories: [user.contact.phone_number]
"""
)


def _company(tmp_path: Path, text: str = POLICY_TEXT, datamap: str = DATAMAP):
    company = build_company(tmp_path, datamap=datamap)
    (tmp_path / "privacy-policy.txt").write_text(text, encoding="utf-8")
    config = company.config.read_text(encoding="utf-8").replace(
        "policy: policy.yaml", "policy: privacy-policy.txt"
    )
    company.config.write_text(config, encoding="utf-8")
    return company


def _with_vendor(datamap: str, vendor: str, role: str) -> str:
    return datamap.replace("flows:\n", f"  {vendor}: {{name: {vendor}, role: {role}}}\nflows:\n").replace(
        "to: adnet", f"to: {vendor}"
    )


def _violations(company) -> list[dict]:
    return json.loads(company.report("report.json").read_text(encoding="utf-8"))["violations"]


def test_the_policy_text_is_checked_like_a_policy_file(tmp_path):
    company = _company(tmp_path)
    assert check(company) == 0
    assert _violations(company) == []


def test_an_undisclosed_flow_quotes_the_denial_it_breaks_in_every_report(tmp_path):
    company = _company(tmp_path, datamap=_with_vendor(ADVERTISING_FLOW, "adnet", "advertising"))
    assert check(company) == 1
    (violation,) = [v for v in _violations(company) if v["rule"] == "PIIMAP004"]
    sentence = "We do not share your phone number with advertisers."
    assert violation["citations"] == [{"section": "Sharing", "sentence": 3, "text": sentence}]
    assert (
        f"the policy says it is not shared with them, in 'Sharing', sentence 3: '{sentence}'"
        in violation["message"]
    )
    assert violation["fingerprint"] and violation["category"] == "user.contact.phone_number"  # keys kept
    sarif = json.loads(company.report("report.sarif").read_text(encoding="utf-8"))
    (result,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "PIIMAP004"]
    assert sentence in result["message"]["text"]
    assert result["properties"]["citations"][0]["sentence"] == 3
    html = company.report("report.html").read_text(encoding="utf-8")
    assert "We do not share your phone number with advertisers." in html and "citations" in html


def test_the_terminal_table_quotes_the_sentence(tmp_path):
    company = _company(tmp_path, datamap=_with_vendor(ADVERTISING_FLOW, "adnet", "advertising"))
    script = Path(sys.executable).with_name("piimap")
    run = subprocess.run(
        [str(script), "check", "--config", str(company.config), "--quiet", "--no-store"],
        capture_output=True,
        text=True,
        timeout=300,
        env={"COLUMNS": "400", "PATH": "/usr/bin:/bin"},
    )
    assert run.returncode == 1, run.stderr
    violations_table = run.stdout.split("Violations", 1)[1]
    message = " ".join(
        line.split("│")[-2].strip() for line in violations_table.splitlines() if line.startswith("│")
    )
    flat = " ".join(message.split())
    assert "in 'Sharing', sentence 3: 'We do not share your phone number with advertisers.'" in flat


def test_a_role_the_policy_never_names_quotes_its_closing_denial(tmp_path):
    company = _company(tmp_path, datamap=_with_vendor(ADVERTISING_FLOW, "broker", "data_broker"))
    assert check(company) == 1
    (violation,) = [v for v in _violations(company) if v["rule"] == "PIIMAP004"]
    assert violation["citations"][0]["text"].startswith(
        "We do not disclose personal information except as described"
    )


def test_a_role_the_policy_names_for_other_data_quotes_what_it_says(tmp_path):
    datamap = DATAMAP.replace(
        "categories: [user.device.ip_address, user.device.cookie_id]",
        "categories: [user.device.ip_address, user.device.cookie_id, user.device.device_id]",
    )
    company = _company(tmp_path, datamap=datamap)
    assert check(company) == 1
    (violation,) = [v for v in _violations(company) if v["rule"] == "PIIMAP004"]
    assert violation["category"] == "user.device.device_id"
    assert "names only IP address, cookie identifiers for analytics recipients" in violation["message"]
    assert (
        violation["citations"][0]["text"]
        == "Google Analytics receives your IP address and cookie identifiers."
    )


def test_data_the_policy_denies_collecting_is_quoted(tmp_path):
    text = POLICY_TEXT.replace("your email address and phone number", "your email address").replace(
        "We use cookies to count visits.", "We use cookies to count visits. We do not collect phone numbers."
    )
    company = _company(tmp_path, text=text)
    assert check(company) == 1
    (violation,) = [v for v in _violations(company) if v["rule"] == "PIIMAP003"]
    assert violation["category"] == "user.contact.phone_number"
    assert (
        "and says it is not, in 'What we collect', sentence 4: 'We do not collect phone numbers.'"
        in violation["message"]
    )


def test_a_policy_that_says_both_is_a_contradiction_warning(tmp_path):
    text = POLICY_TEXT.replace(
        "We use cookies to count visits.", "We use cookies to count visits. We never collect phone numbers."
    )
    company = _company(tmp_path, text=text)
    assert check(company) == 0  # a warning never fails the check
    (violation,) = [v for v in _violations(company) if v["rule"] == "PIIMAP007"]
    assert violation["severity"] == "warning" and violation["category"] == "user.contact.phone_number"
    assert [c["sentence"] for c in violation["citations"]] == [1, 4]
    assert violation["container"] == "privacy-policy.txt"


@pytest.mark.parametrize(
    "denial",
    [
        "We do not collect phone numbers from children under 13.",
        "We do not collect phone numbers except when you call our support line.",
        "If you use guest checkout, we do not collect your phone number.",
    ],
)
def test_qualified_denials_do_not_contradict(tmp_path, denial):
    text = POLICY_TEXT.replace("We use cookies to count visits.", f"We use cookies to count visits. {denial}")
    policy_file = tmp_path / "p.txt"
    policy_file.write_text(text, encoding="utf-8")
    from piimap.checks import _contradictions

    policy = load_policy(policy_file)
    assert any(s.is_denial and s.qualifier for s in policy.citations)
    assert list(_contradictions(policy)) == []


def test_policy_extract_writes_a_file_that_checks_like_the_text(tmp_path, capsys):
    company = _company(tmp_path)
    target = tmp_path / "extracted.yaml"
    assert main(["policy", "extract", str(tmp_path / "privacy-policy.txt"), "-o", str(target)]) == 0
    assert "wrote" in capsys.readouterr().err
    from_text = load_policy(tmp_path / "privacy-policy.txt")
    from_file = load_policy(target)
    assert set(from_file.collected) == set(from_text.collected)
    assert dict(from_file.shared) == dict(from_text.shared)
    assert [s.citation for s in from_file.citations] == [s.citation for s in from_text.citations]
    # every item says where it came from
    text = target.read_text(encoding="utf-8")
    assert "  - user.contact.email   # 'What we collect', sentence 1 \"email address\"" in text
    assert check(company, "--policy", str(target)) == 0


def test_policy_extract_update_keeps_hand_edits_and_marks_what_the_text_no_longer_says(tmp_path, capsys):
    source = tmp_path / "privacy-policy.txt"
    source.write_text(POLICY_TEXT, encoding="utf-8")
    target = tmp_path / "policy.yaml"
    assert main(["policy", "extract", str(source), "-o", str(target)]) == 0
    edited = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert "user.device.device_id" in edited["collected"]
    edited["collected"].remove("user.device.device_id")  # a reviewer disagrees
    edited["collected"].append("user.contact.address")  # a reviewer adds what the reader missed
    target.write_text(yaml.safe_dump(edited, sort_keys=False), encoding="utf-8")
    source.write_text(POLICY_TEXT.replace("We use cookies to count visits.\n", ""), encoding="utf-8")
    capsys.readouterr()
    assert main(["policy", "extract", str(source), "-o", str(target), "--update"]) == 0
    err = capsys.readouterr().err
    updated = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert "user.contact.address" in updated["collected"]  # kept
    assert "user.device.device_id" not in updated["collected"]  # stays removed
    assert "user.device.cookie_id" not in updated["collected"]  # the text no longer says it
    stale = updated["no_longer_in_text"]["collected"]
    assert [item["category"] for item in stale] == ["user.device.cookie_id"]
    assert stale[0]["was"].startswith("'What we collect', sentence 3")
    assert "no longer in the text: collected user.device.cookie_id" in err
    assert "# added by hand (no sentence)" in target.read_text(encoding="utf-8")
    policy = load_policy(target)
    assert not policy.collects("user.device.cookie_id") and policy.collects("user.contact.address")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["policy", "extract", "missing.txt"], "missing.txt: cannot read policy text"),
        (["policy", "extract", "policy.pdf"], "not a policy text"),
        (["policy", "extract", "p.txt", "--update"], "--update needs -o FILE"),
    ],
)
def test_policy_extract_errors_are_one_line_and_exit_2(tmp_path, monkeypatch, capsys, arguments, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.txt").write_text("We collect your email address.\n", encoding="utf-8")
    assert main(arguments) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.count("\n") == 1


def test_check_names_a_missing_policy_text(tmp_path, capsys):
    company = _company(tmp_path)
    (tmp_path / "privacy-policy.txt").unlink()
    assert check(company) == 2
    assert "privacy-policy.txt: cannot read policy text" in capsys.readouterr().err


def test_hand_written_citations_are_validated(tmp_path):
    bad = tmp_path / "policy.yaml"
    bad.write_text(
        textwrap.dedent(
            """
            collected: [user.contact.email]
            citations:
              - {says: sold, categories: [user.contact.email], section: A, sentence: 1, text: x}
            """
        ),
        encoding="utf-8",
    )
    from piimap.model import ConfigError

    with pytest.raises(ConfigError, match="says must be one of"):
        load_policy(bad)


def test_control_characters_from_the_policy_never_reach_comments_or_the_terminal(tmp_path, capsys):
    source = tmp_path / "hostile.txt"
    source.write_text("Data\x1b[31m We Collect\nWe collect your email address.\n", encoding="utf-8")
    target = tmp_path / "policy.yaml"
    assert main(["policy", "extract", str(source), "-o", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert "\x1b" not in text and "\\x1b[31m" in text
    assert (
        load_policy(target).citations[0].citation.section == "Data\x1b[31m We Collect"
    )  # YAML keeps the text
    assert "\x1b" not in capsys.readouterr().err


CORPUS_POLICIES = sorted(
    path
    for path in (Path(__file__).parent / "policytext" / "corpus").glob("*/*")
    if path.suffix in (".txt", ".md", ".html")
)


@pytest.mark.parametrize("source", CORPUS_POLICIES, ids=lambda path: path.name)
def test_the_written_policy_file_is_valid_and_says_what_the_text_says(tmp_path, source):
    target = tmp_path / "policy.yaml"
    assert main(["policy", "extract", str(source), "-o", str(target)]) == 0
    from_file, from_text = load_policy(target), load_policy(source)
    assert from_file.collected == from_text.collected
    assert {role: set(items) for role, items in from_file.shared.items()} == {
        role: set(items) for role, items in from_text.shared.items()
    }
    assert from_file.citations == from_text.citations
