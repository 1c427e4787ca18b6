"""The check rules on hand-built scan results: one table row per situation, plus suppressions,
baselines, fingerprints and the failing() verdict."""

from __future__ import annotations

import json
import textwrap

import pytest

from piimap.checks import (
    BASELINE_REASON,
    RULES,
    baseline_document,
    evaluate,
    failing,
    failing_violations,
    fingerprint,
    load_baseline,
)
from piimap.declarations import parse_datamap, parse_policy
from piimap.model import ConfigError, Finding, ScanResult, SourceError, SourceStatus
from piimap.yamlfile import load_yaml


def finding(source, container, field, category, confidence=0.9):
    return Finding(
        source=source,
        container=container,
        field=field,
        category=category,
        confidence=confidence,
        matched=9,
        sampled=10,
        classifier=category.rsplit(".", 1)[-1],
        examples=("x***",),
    )


def scan_result(*findings, sources=("app_db", "web_logs", "click_events"), failed=(), errors=()):
    return ScanResult(
        started="2024-01-01T00:00:00+00:00",
        finished="2024-01-01T00:00:05+00:00",
        sources=tuple(
            SourceStatus(name, f"file:///{name}", "error" if name in failed else "ok") for name in sources
        ),
        findings=tuple(findings),
        errors=tuple(errors),
    )


def load(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return load_yaml(path), str(path)


DATAMAP = """
systems:
  app_db:
    containers:
      main.accounts: [user.name, user.contact.email]
      main.events:
        fields:
          ip: [user.device.ip_address]
  web_logs: [user.device.ip_address, user.device.cookie_id]
  click_events: [user.device]
vendors:
  ga: {name: Google Analytics, role: analytics}
  mailer: {role: service_provider}
  adnet: {role: advertising}
flows:
  - from: click_events
    to: ga
    categories: [user.device.ip_address, user.device.cookie_id]
  - from: app_db
    to: mailer
    containers: [main.accounts]
    categories: all
"""

POLICY = """
collected: [user.name, user.contact, user.device]
shared:
  service_provider: collected
  analytics: [user.device.ip_address, user.device.cookie_id]
"""


@pytest.fixture
def declarations(tmp_path):
    datamap = parse_datamap(*load(tmp_path, "datamap.yaml", DATAMAP))
    policy = parse_policy(*load(tmp_path, "policy.yaml", POLICY))
    return datamap, policy


CLEAN = (
    finding("app_db", "main.accounts", "email", "user.contact.email"),
    finding("app_db", "main.accounts", "name", "user.name"),
    finding("app_db", "main.events", "ip", "user.device.ip_address"),
    finding("web_logs", "access.log", None, "user.device.ip_address"),
    finding("web_logs", "access.log", None, "user.device.cookie_id"),
    finding("click_events", "events.jsonl", "ip", "user.device.ip_address"),
    finding("click_events", "events.jsonl", "ga", "user.device.cookie_id"),
)


def test_a_company_that_matches_its_declarations_has_no_violations(declarations):
    result = evaluate(scan_result(*CLEAN), *declarations)
    assert result.violations == ()
    assert not failing(result)
    assert result.datamap is not None and result.datamap.nodes


# (extra findings, extra data-map text, expected (rule, source, container, field, category, vendor))
CASES = [
    pytest.param(
        [finding("crm", "contacts", "mail", "user.contact.email")],
        ("PIIMAP001", "crm", "contacts", "mail", "user.contact.email", None),
        id="undeclared-system",
    ),
    pytest.param(
        [finding("web_logs", "access.log", None, "user.contact.phone_number")],
        ("PIIMAP002", "web_logs", "access.log", None, "user.contact.phone_number", None),
        id="undeclared-category-in-text",
    ),
    pytest.param(
        [finding("app_db", "main.events", "referrer", "user.device.ip_address")],
        ("PIIMAP002", "app_db", "main.events", "referrer", "user.device.ip_address", None),
        id="category-declared-for-another-field",
    ),
    pytest.param(
        [finding("app_db", "main.orders", "email", "user.contact.email")],
        ("PIIMAP002", "app_db", "main.orders", "email", "user.contact.email", None),
        id="category-declared-for-another-container",
    ),
    pytest.param(
        [finding("click_events", "events.jsonl", "ssn", "user.government_id.national_id")],
        ("PIIMAP003", "click_events", "events.jsonl", "ssn", "user.government_id.national_id", None),
        id="uncollected-category",
    ),
    pytest.param(
        [finding("click_events", "events.jsonl", "idfa", "user.device.device_id")],
        None,  # declared (user.device covers it), collected, but the GA flow does not carry it
        id="found-but-not-carried",
    ),
]


@pytest.mark.parametrize(("extra", "expected"), CASES)
def test_each_situation_raises_its_rule(declarations, extra, expected):
    result = evaluate(scan_result(*CLEAN, *extra), *declarations)
    keys = [
        (v.rule, v.source, v.container, v.field, v.category, v.vendor) for v in failing_violations(result)
    ]
    if expected is None:
        assert keys == []
        assert not failing(result)
    else:
        assert expected in keys
        assert failing(result)


def test_an_uncollected_category_in_an_undeclared_place_raises_both_rules(declarations):
    extra = finding("web_logs", "access.log", None, "user.financial.credit_card")
    rules = {v.rule for v in evaluate(scan_result(*CLEAN, extra), *declarations).violations}
    assert rules == {"PIIMAP002", "PIIMAP003"}


def test_a_flow_to_a_role_the_policy_does_not_disclose_is_undisclosed(tmp_path, declarations):
    datamap_text = (
        DATAMAP + "  - from: click_events\n    to: adnet\n    categories: [user.device.ip_address]\n"
    )
    datamap = parse_datamap(*load(tmp_path, "map2.yaml", datamap_text))
    result = evaluate(scan_result(*CLEAN), datamap, declarations[1])
    (violation,) = result.violations
    assert (violation.rule, violation.source, violation.vendor, violation.category) == (
        "PIIMAP004",
        "click_events",
        "adnet",
        "user.device.ip_address",
    )
    assert violation.container is None and violation.severity == "error"
    assert "advertising" in violation.message


def test_a_flow_of_all_carries_what_was_found_in_its_containers(tmp_path):
    datamap = parse_datamap(*load(tmp_path, "map.yaml", DATAMAP))
    policy = parse_policy(
        *load(
            tmp_path,
            "p.yaml",
            """
        collected: [user]
        shared:
          service_provider: [user.name]
        """,
        )
    )
    result = evaluate(scan_result(*CLEAN), datamap, policy)
    undisclosed = {(v.source, v.vendor, v.category) for v in result.violations if v.rule == "PIIMAP004"}
    # main.accounts feeds the mailer: its email is carried (name is disclosed); main.events is
    # not in the flow, so its ip address is not. Nothing at all is disclosed to analytics.
    assert undisclosed == {
        ("app_db", "mailer", "user.contact.email"),
        ("click_events", "ga", "user.device.ip_address"),
        ("click_events", "ga", "user.device.cookie_id"),
    }


def test_declared_categories_that_were_not_found_are_warnings_that_do_not_fail(declarations):
    findings = [f for f in CLEAN if f.category != "user.device.cookie_id" or f.source != "web_logs"]
    result = evaluate(scan_result(*findings), *declarations)
    (warning,) = result.violations
    assert (warning.rule, warning.severity, warning.source, warning.category) == (
        "PIIMAP005",
        "warning",
        "web_logs",
        "user.device.cookie_id",
    )
    assert not failing(result)


def test_container_declarations_not_found_name_the_container(declarations):
    findings = [f for f in CLEAN if f.field != "name"]
    (warning,) = evaluate(scan_result(*findings), *declarations).violations
    assert (warning.rule, warning.container, warning.category) == ("PIIMAP005", "main.accounts", "user.name")


def test_no_not_found_warnings_for_a_source_that_failed(declarations):
    findings = [f for f in CLEAN if f.source != "web_logs"]
    errors = (SourceError("web_logs", "permission denied"),)
    result = evaluate(scan_result(*findings, failed=("web_logs",), errors=errors), *declarations)
    assert result.violations == ()


def test_a_declared_system_that_was_not_scanned_is_a_warning(declarations):
    findings = [f for f in CLEAN if f.source != "web_logs"]
    result = evaluate(scan_result(*findings, sources=("app_db", "click_events")), *declarations)
    assert [(v.rule, v.source, v.severity) for v in result.violations] == [
        ("PIIMAP006", "web_logs", "warning")
    ]


def test_only_the_policy_rule_runs_without_a_data_map(declarations):
    extra = finding("crm", "contacts", "ssn", "user.government_id.national_id")
    result = evaluate(scan_result(*CLEAN, extra), None, declarations[1])
    assert [v.rule for v in result.violations] == ["PIIMAP003"]


def test_only_data_map_rules_run_without_a_policy(declarations):
    extra = finding("crm", "contacts", "ssn", "user.government_id.national_id")
    result = evaluate(scan_result(*CLEAN, extra), declarations[0], None)
    assert [v.rule for v in result.violations] == ["PIIMAP001"]


SUPPRESSION_CASES = [
    ("rule: undeclared-category\n    source: web_logs", True),
    ("rule: PIIMAP002\n    category: user.contact", True),  # a parent category matches
    ("rule: 'PIIMAP00*'\n    container: '*.log'", True),
    ("rule: PIIMAP001", False),
    ("source: app_db", False),
    ("category: user.contact.email", False),
]


@pytest.mark.parametrize(("matchers", "suppressed"), SUPPRESSION_CASES)
def test_suppressions_keep_the_violation_but_stop_it_failing(tmp_path, declarations, matchers, suppressed):
    text = DATAMAP + f"suppressions:\n  - {matchers}\n    reason: scrubber ships in Q3\n"
    datamap = parse_datamap(*load(tmp_path, "map.yaml", text))
    extra = finding("web_logs", "access.log", None, "user.contact.phone_number")
    result = evaluate(scan_result(*CLEAN, extra), datamap, declarations[1])
    (violation,) = result.violations
    assert violation.rule == "PIIMAP002"
    assert violation.suppressed == ("scrubber ships in Q3" if suppressed else None)
    assert failing(result) is (not suppressed)


def test_fingerprints_are_stable_and_depend_on_every_part():
    base = fingerprint("PIIMAP002", "web_logs", "access.log", None, "user.contact.phone_number")
    assert base == fingerprint("PIIMAP002", "web_logs", "access.log", None, "user.contact.phone_number")
    assert len(base) == 32 and int(base, 16) >= 0
    variants = {
        fingerprint("PIIMAP003", "web_logs", "access.log", None, "user.contact.phone_number"),
        fingerprint("PIIMAP002", "web_log", "access.log", None, "user.contact.phone_number"),
        fingerprint("PIIMAP002", "web_logs", "error.log", None, "user.contact.phone_number"),
        fingerprint("PIIMAP002", "web_logs", "access.log", "", "user.contact.phone_number"),
        fingerprint("PIIMAP002", "web_logs", "access.log", None, "user.contact.email"),
        fingerprint("PIIMAP002", "web_logs", "access.log", None, "user.contact.phone_number", "ga"),
    }
    assert base not in variants and len(variants) == 6


def test_a_baseline_accepts_exactly_the_violations_it_lists(tmp_path, declarations):
    old = finding("web_logs", "access.log", None, "user.contact.phone_number")
    today = evaluate(scan_result(*CLEAN, old), *declarations)
    assert failing(today)
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(baseline_document(today)), encoding="utf-8")
    baseline = load_baseline(path)
    assert baseline == {today.violations[0].fingerprint}

    again = evaluate(scan_result(*CLEAN, old), *declarations, baseline=baseline)
    assert not failing(again)
    assert again.violations[0].suppressed == BASELINE_REASON

    new = finding("web_logs", "error.log", None, "user.contact.phone_number")
    later = evaluate(scan_result(*CLEAN, old, new), *declarations, baseline=baseline)
    assert [v.container for v in failing_violations(later)] == ["error.log"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "invalid JSON in baseline"),
        ('{"fingerprints": [1, 2]}', "'fingerprints' list of strings"),
        ('"abc"', "'fingerprints' list of strings"),
    ],
)
def test_a_broken_baseline_is_a_config_error(tmp_path, content, message):
    path = tmp_path / "baseline.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_baseline(path)


def test_a_plain_list_of_fingerprints_is_a_baseline_too(tmp_path):
    path = tmp_path / "b.json"
    path.write_text('["aa", "bb"]', encoding="utf-8")
    assert load_baseline(path) == {"aa", "bb"}


def test_evaluate_does_not_change_its_input(declarations):
    original = scan_result(*CLEAN, finding("crm", "t", "f", "user.name"))
    evaluate(original, *declarations)
    assert original.violations is None and original.datamap is None


def test_every_rule_has_a_unique_id_name_and_help():
    assert len({rule.id for rule in RULES}) == len({rule.name for rule in RULES}) == len(RULES)
    for rule in RULES:
        assert rule.id.startswith("PIIMAP") and rule.severity in ("error", "warning")
        assert rule.summary.endswith(".") and len(rule.help) > 40


def test_fingerprints_of_file_containers_do_not_depend_on_the_checkout_folder(declarations):
    def run_in(folder):
        result = ScanResult(
            started="s",
            finished="f",
            sources=(
                SourceStatus("web_logs", f"{folder}/logs", "ok"),
                SourceStatus("app_db", "sqlite:///x", "ok"),
                SourceStatus("click_events", f"{folder}/events.jsonl", "ok"),
            ),
            findings=(
                *CLEAN[:3],
                finding("web_logs", f"{folder}/logs/access.log", "query.phone", "user.contact.phone_number"),
                finding("click_events", f"{folder}/events.jsonl", "phone", "user.contact.phone_number"),
            ),
        )
        return {(v.rule, v.source): v for v in evaluate(result, *declarations).violations}

    here, there = run_in("/home/ci/build-1"), run_in("/srv/checkout")
    assert set(here) >= {("PIIMAP002", "web_logs"), ("PIIMAP002", "click_events")}
    for key in here:
        assert here[key].fingerprint == there[key].fingerprint, key
    assert here[("PIIMAP002", "web_logs")].container == "/home/ci/build-1/logs/access.log"  # shown as found
