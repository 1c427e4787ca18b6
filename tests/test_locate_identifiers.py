"""Identifier kinds of ``piimap locate``: what counts as the same person, per kind (parametrized tables)."""

from __future__ import annotations

import pytest

from piimap.locate_identifiers import KINDS, ValueProfile, make_identifier, name_tokens
from piimap.model import ConfigError

KEY = b"identifier-tests-key-0123"


def _identifier(kind: str, value: str):
    return make_identifier(kind, value, region="US", key=KEY)


@pytest.mark.parametrize(
    ("kind", "given", "stored", "same"),
    [
        ("email", "jane.doe@example.com", "Jane.Doe@Example.com", True),
        ("email", "Jane.Doe@Example.com", "jane.doe@example.com", True),
        ("email", "jane.doe@example.com", "mailto:jane.doe@example.com", True),
        ("email", "jane.doe@example.com", "jane.doe2@example.com", False),
        ("email", "jane.doe@example.com", "xjane.doe@example.com", False),
        ("email", "jane.doe@example.com", "jane.doe@example.com.au", False),
        ("phone", "+1 415-555-0134", "(415) 555-0134", True),
        ("phone", "+1 415-555-0134", "14155550134", True),
        ("phone", "+1 415-555-0134", "+1.415.555.0134 ext. 12", True),
        ("phone", "+1 415-555-0134", "+1 415-555-0135", False),
        (
            "phone",
            "+44 20 7946 0958",
            "020 7946 0958",
            False,
        ),  # national numbers read in the default region (US)
        ("phone", "+44 20 7946 0958", "+44 (0)20 7946 0958", True),
        ("name", "Jane Doe", "DOE, Jane", True),
        ("name", "Jane Doe", "Jane Q. Doe", True),
        ("name", "Zoë Durand", "Zoe Durand", True),
        ("name", "Jane Doe", "Janet Doe", False),
        ("name", "Jane Doe", "Jane", False),
        ("device-id", "6F1C2A9E-3B4D-4E5F-8A7B-9C0D1E2F3A4B", "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b", True),
        ("device-id", "aa:bb:cc:dd:ee:ff", "AA-BB-CC-DD-EE-FF", True),
        ("device-id", "aa:bb:cc:dd:ee:ff", "aabb.ccdd.eeff", True),
        ("device-id", "aa:bb:cc:dd:ee:ff", "aa:bb:cc:dd:ee:fe", False),
        ("cookie-id", "1184039262.1700000000", "GA1.2.1184039262.1700000000", True),
        ("cookie-id", "GA1.1.1184039262.1700000000", "1184039262.1700000000", True),
        ("cookie-id", "1184039262.1700000000", "1184039262.1700000001", False),
        ("ip", "2001:db8::1", "2001:0DB8:0000:0000:0000:0000:0000:0001", True),
        ("ip", "203.0.113.7", "::ffff:203.0.113.7", True),
        ("ip", "203.0.113.7", "203.0.113.7:443", True),
        ("ip", "203.0.113.7", "203.0.113.77", False),
    ],
)
def test_same_person(kind: str, given: str, stored: str, same: bool) -> None:
    identifier = _identifier(kind, given)
    assert KINDS[kind].matches(identifier, stored, "US") is same


@pytest.mark.parametrize(
    ("kind", "given", "text", "found"),
    [
        ("email", "jane.doe@example.com", "welcome mail sent to Jane.Doe@Example.com (id 4)", True),
        ("email", "jane.doe@example.com", "welcome mail sent to jane.doe2@example.com", False),
        ("phone", "+1 415-555-0134", "call back on (415) 555-0134 today", True),
        ("phone", "+1 415-555-0134", "order 4155550134999 shipped", False),
        ("ip", "203.0.113.7", "client=203.0.113.7, status=200", True),
        ("ip", "203.0.113.7", "client=203.0.113.70 status=200", False),
        ("device-id", "aa:bb:cc:dd:ee:ff", "dhcp lease AA:BB:CC:DD:EE:FF renewed", True),
    ],
)
def test_found_in_free_text(kind: str, given: str, text: str, found: bool) -> None:
    assert KINDS[kind].found_in_text(_identifier(kind, given), text, "US") is found


def test_phone_spellings_follow_the_columns_own_format() -> None:
    identifier = _identifier("phone", "+1 415 555 0134")
    profile = ValueProfile.of(["415.555.0101", "212.555.0188"])
    spellings = KINDS["phone"].spellings(identifier, profile)
    assert "415.555.0134" in spellings and "+14155550134" in spellings and "(415) 555-0134" in spellings


def test_case_folding_is_needed_only_for_mixed_case_columns() -> None:
    email = KINDS["email"]
    assert not email.needs_case_folding(ValueProfile.of(["a@example.com", "b@example.org"]))
    assert email.needs_case_folding(ValueProfile.of(["a@example.com", "B@Example.org"]))
    assert "JANE@EXAMPLE.COM" in email.spellings(
        _identifier("email", "jane@example.com"), ValueProfile.of(["A@B.COM"])
    )


@pytest.mark.parametrize(
    ("kind", "value"),
    [("email", "not an address"), ("phone", "12"), ("phone", "+1 000"), ("ip", "300.1.1.1"), ("name", "J.")],
)
def test_invalid_identifiers_are_refused_without_echoing_them(kind: str, value: str) -> None:
    with pytest.raises(ConfigError) as refused:
        _identifier(kind, value)
    assert f"--{kind}" in str(refused.value) and value not in str(refused.value)


def test_the_digest_is_the_hmac_of_the_canonical_form() -> None:
    from piimap.evidence import hmac_example

    assert _identifier("email", " Jane.Doe@Example.COM ").digest == hmac_example(KEY, "jane.doe@example.com")
    assert _identifier("phone", "(415) 555-0134").digest == hmac_example(KEY, "+14155550134")
    assert "jane" not in repr(_identifier("email", "jane@example.com"))


def test_name_tokens() -> None:
    assert name_tokens("Doe, Jané Q.") == ("doe", "jane")
    assert name_tokens("O'Brien-Smith") == ("brien", "smith")
