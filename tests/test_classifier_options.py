"""Tuning without code: field_rules, allow lists, custom categories, and engine integration."""

from __future__ import annotations

import pytest

from piimap.classifiers.custom import CustomClassifier
from piimap.classifiers.fieldnames import name_evidence
from piimap.classifiers.options import tuning_options
from piimap.classifiers.phone import PhoneClassifier
from piimap.engine import build_classifiers, classify_samples
from piimap.model import ConfigError, FieldRef, FieldSample
from piimap.settings import ScanSettings


def sample(name: str | None, values, container: str = "public.t") -> FieldSample:
    return FieldSample(FieldRef("src", container, name), tuple(values))


@pytest.mark.parametrize(
    ("container", "field", "category", "sign"),
    [
        ("public.customers", "email", "user.contact.email", 1),
        ("public.customers", "customerEmail", "user.contact.email", 1),
        ("public.customers", "contact.phone.number", "user.contact.phone_number", 1),
        ("public.orders", "order_number", "user.contact.phone_number", -1),
        ("public.orders", "order_phone", "user.contact.phone_number", 1),
        ("public.events", "remote_addr", "user.device.ip_address", 1),
        ("public.builds", "app_version", "user.device.ip_address", -1),
        ("public.events", "idfa", "user.device.device_id", 1),
        ("public.events", "device_type", "user.device.device_id", -1),
        ("public.events", "session_id", "user.device.cookie_id", 1),
        ("public.events", "session_timeout", "user.device.cookie_id", -1),
        ("public.customers", "last_name", "user.name", 1),
        ("public.customers", "name", "user.name", 1),
        ("music.genre", "name", "user.name", -1),
        ("shop.products", "product_name", "user.name", -1),
        ("public.users", "username", "user.name", -1),
        ("crm.accounts", "company_contact_name", "user.name", 1),
        ("public.t", "c3", "user.name", 0),
    ],
)
def test_field_name_evidence(container: str, field: str, category: str, sign: int) -> None:
    evidence = name_evidence(FieldRef("src", container, field), category)
    assert (evidence.weight > 0) - (evidence.weight < 0) == sign


def test_field_rule_makes_an_odd_column_name_count() -> None:
    settings = ScanSettings(
        classifier_options={
            "field_rules": [{"pattern": "*.cust_ph*", "category": "user.contact.phone_number"}]
        }
    )
    values = [str(4155550100 + i) for i in range(20)]  # bare national digits: weak on their own
    plain = list(PhoneClassifier(ScanSettings()).classify(sample("cust_ph1", values)))
    (tuned,) = PhoneClassifier(settings).classify(sample("cust_ph1", values))
    assert all(detection.confidence < 0.5 for detection in plain)
    assert tuned.confidence >= 0.8 and "field rule" in tuned.evidence


def test_field_rule_can_deny_a_category() -> None:
    settings = ScanSettings(
        classifier_options={
            "field_rules": [
                {"regex": r"^test_numbers$", "category": "user.contact.phone_number", "evidence": "none"}
            ]
        }
    )
    values = ["+1 415-555-0134"] * 10
    (detection,) = PhoneClassifier(settings).classify(sample("test_numbers", values))
    assert detection.confidence < 0.8


def test_allow_values_and_fields() -> None:
    settings = ScanSettings(
        classifier_options={"allow": {"values": ["support@example.com"], "fields": ["public.audit.*"]}}
    )
    classifiers = build_classifiers(settings)
    samples = [
        sample("email", ["support@example.com"] * 10, "public.t"),
        sample("email", ["jane@example.com"] * 10, "public.audit"),
        sample("email", ["jane@example.com", "support@example.com"], "public.users"),
    ]
    emails = []
    for one in samples:  # the engine classifies one container at a time
        findings, _ = classify_samples([one], classifiers, settings)
        emails += [
            (finding.container, finding.matched, finding.sampled)
            for finding in findings
            if finding.category == "user.contact.email"
        ]
    assert emails == [("public.users", 1, 1)]


def test_custom_category_with_checksum_is_an_entry_point_classifier() -> None:
    settings = ScanSettings(
        classifier_options={
            "custom_categories": [
                {
                    "category": "user.financial.bank_account",
                    "pattern": r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}",
                    "validator": "iban",
                    "field_names": ["iban*"],
                },
            ]
        }
    )
    assert any(classifier.id == "custom" for classifier in build_classifiers(settings))
    classifier = CustomClassifier(settings)
    good = ["GB82WEST12345698765432", "DE89370400440532013000", "FR1420041010050500013M02606"] * 5
    bad = ["GB82WEST12345698765433", "DE89370400440532013001"] * 5
    (found,) = classifier.classify(sample("iban", good))
    assert found.category == "user.financial.bank_account" and found.confidence == 1.0
    assert list(classifier.classify(sample("iban", bad))) == []
    (in_text,) = classifier.classify(sample(None, ["paid to DE89370400440532013000 today"]))
    assert in_text.confidence >= 0.8


def test_field_rule_for_a_new_category_tags_by_name() -> None:
    settings = ScanSettings(
        classifier_options={
            "field_rules": [{"pattern": "*.ssn", "category": "user.government_id", "confidence": 0.9}]
        }
    )
    (detection,) = CustomClassifier(settings).classify(sample("ssn", ["078-05-1120"] * 3, "hr.people"))
    assert detection.category == "user.government_id" and detection.confidence == 0.9
    assert list(CustomClassifier(settings).classify(sample("ssn", [], "hr.people"))) == []


@pytest.mark.parametrize(
    "options",
    [
        {"field_rules": [{"category": "user.name"}]},
        {"field_rules": [{"pattern": "x", "regex": "y", "category": "user.name"}]},
        {"field_rules": [{"regex": "(", "category": "user.name"}]},
        {"field_rules": [{"pattern": "x", "category": "user.name", "evidence": "maybe"}]},
        {"allow": ["a@b.com"]},
        {"custom_categories": [{"category": "x"}]},
        {"custom_categories": [{"category": "x", "pattern": "[0-9", "validator": "luhn"}]},
        {"custom_categories": [{"category": "x", "pattern": "[0-9]+", "validator": "crc"}]},
    ],
)
def test_malformed_options_are_config_errors(options: dict) -> None:
    with pytest.raises(ConfigError):
        tuning_options(ScanSettings(classifier_options=options))


def test_engine_runs_all_builtin_classifiers_and_keeps_one_finding_per_category() -> None:
    settings = ScanSettings()
    classifiers = build_classifiers(settings)
    assert {"email", "phone", "ip_address", "device_id", "cookie_id", "person_name", "custom"} <= {
        classifier.id for classifier in classifiers
    }
    samples = [
        sample("email", [f"user{i}@example.com" for i in range(30)], "public.customers"),
        sample("full_name", ["Jane Smith", "Hans Müller"] * 15, "public.customers"),
        sample("order_id", ["6D92078A-8246-4BA4-AE5B-76104861E7DC"] * 30, "public.customers"),
    ]
    findings, read = classify_samples(samples, classifiers, settings)
    assert read == 90
    assert sorted((finding.field, finding.category) for finding in findings) == [
        ("email", "user.contact.email"),
        ("full_name", "user.name"),
    ]
