"""Each category's spec lives with its classifier; --only / --except; stdnum checksums for custom categories."""

from __future__ import annotations

import json

import pytest

from piimap.categories import CONTRACT_CATEGORIES, taxonomy_categories
from piimap.classifiers.checksums import VALIDATORS, luhn_valid, mod97_valid
from piimap.classifiers.fieldnames import name_evidence
from piimap.classifiers.spec import installed_specs, specs_of
from piimap.cli import main
from piimap.engine import build_classifiers, classify_samples
from piimap.masking import mask
from piimap.model import FieldRef, FieldSample
from piimap.plugins import CLASSIFIER_GROUP, load_group
from piimap.settings import ScanSettings


def test_every_builtin_category_has_a_spec_beside_its_classifier() -> None:
    for name, factory in load_group(CLASSIFIER_GROUP).items():
        declared = getattr(factory, "categories", None)
        if not isinstance(declared, tuple):
            continue  # the custom classifier's categories come from the config
        keys = [spec.key for spec in specs_of(factory)]
        # a classifier of another form of a category (hashed e-mails) relies on that category's spec
        assert keys == list(declared) or (not keys and set(declared) <= set(installed_specs())), name
        for spec in specs_of(factory):
            assert spec.key in taxonomy_categories() | CONTRACT_CATEGORIES, spec.key
            assert spec.explain.endswith(".") and len(spec.explain) > 30, spec.key
            assert spec.names.strong, spec.key


#: the first round's categories, whose maskers rely on mask()'s check for values not of their shape
CORE = {"user.contact.email", "user.contact.phone_number", "user.device.ip_address", "user.name"}


def test_spec_masks_never_show_a_whole_value() -> None:
    for spec in installed_specs().values():
        if spec.mask is None:
            continue
        for value in ("4111 1111 1111 1111", "DE89370400440532013000", "123-45-6789", "jane.doe@example.com"):
            assert value not in mask(spec.key, value, masker=spec.mask), spec.key
            assert value not in spec.mask(value) or spec.key in CORE, spec.key


@pytest.mark.parametrize(
    ("field", "category", "sign"),
    [
        ("email", "user.contact.email", 1),
        ("iban", "user.financial.bank_account", 1),
        ("card_number", "user.financial.credit_card", 1),
        ("ssn", "user.government_id.national_identification_number", 1),
        ("user_agent", "user.device.user_agent", 1),
        ("date_of_birth", "user.demographic.date_of_birth", 1),
        ("created_at", "user.demographic.date_of_birth", -1),
        ("zip", "user.contact.address.postal_code", 1),
        ("latitude", "user.location.precise", 1),
        ("username", "user.account.username", 1),
        ("password_hash", "user.authorization.credentials", 1),
        ("order_id", "user.contact.phone_number", -1),
    ],
)
def test_name_rules_come_from_the_category_spec(field: str, category: str, sign: int) -> None:
    weight = name_evidence(FieldRef("src", "public.people", field), category).weight
    assert (weight > 0) if sign > 0 else (weight < 0)


def test_wants_category_includes_the_keys_under_a_key() -> None:
    settings = ScanSettings(
        only_categories=("user.contact.address",), except_categories=("user.contact.address.city",)
    )
    assert settings.wants_category("user.contact.address.street")
    assert not settings.wants_category("user.contact.address.city")
    assert not settings.wants_category("user.contact.email")
    assert not settings.wants_category("user.contact.addressbook")


def test_only_skips_classifiers_with_nothing_to_find() -> None:
    settings = ScanSettings(only_categories=("user.contact.email",))
    ids = {classifier.id for classifier in build_classifiers(settings)}
    assert "email" in ids
    assert not ids & {"person_name", "phone", "ip_address", "government_id", "credit_card"}
    everything = {classifier.id for classifier in build_classifiers(ScanSettings())}
    assert {"person_name", "phone", "government_id", "credit_card"} <= everything


def test_except_drops_the_category_from_findings() -> None:
    sample = FieldSample(FieldRef("t", "people", "contact"), ("jane@example.com", "+44 20 7946 0958") * 40)
    settings = ScanSettings(except_categories=("user.contact.phone_number",))
    findings, _ = classify_samples([sample], build_classifiers(settings), settings)
    assert "user.contact.phone_number" not in {finding.category for finding in findings}


def test_only_and_except_on_the_command_line(tmp_path, capsys) -> None:
    data = tmp_path / "people.csv"
    rows = ["email,phone"] + [f"user{i}@example.org,+44 20 7946 {i:04d}" for i in range(60)]
    data.write_text("\n".join(rows) + "\n")
    assert (
        main(["scan", str(data), "--format", "json", "--no-store", "-q", "--only", "user.contact.email"]) == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert {finding["category"] for finding in report["findings"]} == {"user.contact.email"}
    assert main(["scan", str(data), "--format", "json", "--no-store", "-q", "--except", "user.contact"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert not {finding["category"] for finding in report["findings"]} & {
        "user.contact.email",
        "user.contact.phone_number",
    }
    assert main(["scan", str(data), "--no-store", "-q", "--only", "user.contact.emial"]) == 2
    error = capsys.readouterr().err
    assert "--only" in error and "user.contact.email" in error and "Traceback" not in error


def test_only_categories_in_the_config_file(tmp_path, capsys) -> None:
    data = tmp_path / "people.csv"
    data.write_text("email,phone\n" + "".join(f"u{i}@example.org,+44 20 7946 {i:04d}\n" for i in range(60)))
    config = tmp_path / "piimap.yaml"
    config.write_text(
        f"sources:\n  people: {data}\nsettings:\n  only_categories: [user.contact.phone_number]\n"
    )
    assert main(["scan", "--config", str(config), "--format", "json", "--no-store", "-q"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {finding["category"] for finding in report["findings"]} == {"user.contact.phone_number"}


def test_checksums_are_python_stdnum() -> None:
    assert luhn_valid("4111 1111 1111 1111") and not luhn_valid("4111 1111 1111 1112")
    assert mod97_valid("GB82 WEST 1234 5698 7654 32") and not mod97_valid("GB82 WEST 1234 5698 7654 33")
    assert VALIDATORS["iban"]("DE89 3704 0044 0532 0130 00")
    # the right mod-97 remainder with a German IBAN one character short: stdnum knows the length
    assert not VALIDATORS["iban"]("DE8937040044053201300")
    assert VALIDATORS["bic"]("DEUTDEFF500") and not VALIDATORS["bic"]("DEUT12FF")
    assert VALIDATORS["us_ssn"]("536-22-1234") and not VALIDATORS["us_ssn"]("666-22-1234")


def test_custom_categories_get_the_same_validators() -> None:
    settings = ScanSettings(
        classifier_options={
            "custom_categories": [
                {"category": "user.custom.member_card", "pattern": r"[0-9 ]{12,23}", "validator": "luhn"},
                {"category": "user.custom.tax", "pattern": r"\d{11}", "validator": "br_cpf"},
            ]
        }
    )
    cards = ("4111 1111 1111 1111", "5500 0000 0000 0004", "4012 8888 8888 1881") * 30
    not_cards = ("4111 1111 1111 1112", "5500 0000 0000 0005", "4012 8888 8888 1882") * 30
    cpfs = ("39053344705", "11144477735", "52998224725") * 30
    samples = [
        FieldSample(FieldRef("t", "x", "a"), cards),
        FieldSample(FieldRef("t", "x", "b"), not_cards),
        FieldSample(FieldRef("t", "x", "c"), cpfs),
    ]
    findings, _ = classify_samples(samples, build_classifiers(settings), settings)
    found = {(finding.field, finding.category) for finding in findings}
    assert ("a", "user.custom.member_card") in found
    assert ("b", "user.custom.member_card") not in found
    assert ("c", "user.custom.tax") in found


def test_explain_lists_each_category_with_its_explanation(capsys) -> None:
    assert main(["explain", "--categories", "--only", "user.financial,user.device.user_agent"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert sorted(line.split(" ", 1)[0] for line in lines) == [
        "user.device.user_agent",
        "user.financial.bank_account",
        "user.financial.credit_card",
    ]
    spec = installed_specs()["user.financial.credit_card"]
    assert any(line.endswith(spec.explain) and "(credit_card)" in line for line in lines)
