"""Email classifier: value table, field-level decisions and emails inside log lines."""

from __future__ import annotations

import pytest

from piimap.classifiers.email import EmailClassifier, find_emails, is_email
from piimap.model import FieldRef, FieldSample
from piimap.settings import ScanSettings


def sample(name: str | None, values, container: str = "public.t") -> FieldSample:
    return FieldSample(FieldRef("src", container, name), tuple(values))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("jane.doe@example.com", True),
        ("JANE.DOE@EXAMPLE.COM", True),
        ("j+tag@mail.example.co.uk", True),
        ("mailto:bob@example.org", True),
        ("müller@bücher.de", True),
        ("  padded@example.com  ", True),
        ("a..b@example.com", False),
        ("jane@localhost", False),
        ("jane@host.local", False),
        ("@example.com", False),
        ("jane@", False),
        ("jane doe@example.com", False),
        ("a@b@example.com", False),
        ("https://example.com/@user", False),
        ("git@github", False),
        ("2023-01-15", False),
        ("price: $19.99", False),
        ("user@192.168.1.1", False),
    ],
)
def test_value_table(value: str, expected: bool) -> None:
    assert is_email(value) is expected


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("login ok user=jane.doe@example.com ip=203.0.113.9", ["jane.doe@example.com"]),
        ('{"to": "bob@example.org", "cc": "carol@example.net"}', ["bob@example.org", "carol@example.net"]),
        ("Contact <sales@shop.example.com>.", ["sales@shop.example.com"]),
        ("GET /static/app@2x.png 200", []),
        ("npm i @scope/package@1.2.3", []),
        ("no address here", []),
    ],
)
def test_emails_inside_text(line: str, found: list[str]) -> None:
    assert [hit.text for hit in find_emails(line)] == found


def test_email_column_is_found_with_masked_examples() -> None:
    classifier = EmailClassifier(ScanSettings())
    values = [f"user{i}@example.com" for i in range(40)] + ["", "n/a"]
    (detection,) = classifier.classify(sample("email", values))
    assert detection.category == "user.contact.email"
    assert detection.confidence == 1.0
    assert detection.matched == 40 and detection.sampled == 41
    assert all("@" in example and "user" not in example for example in detection.examples)
    assert "field name 'email'" in detection.evidence


def test_uninformative_column_of_emails_still_found() -> None:
    classifier = EmailClassifier(ScanSettings())
    (detection,) = classifier.classify(sample("c7", [f"person{i}@mail.example.org" for i in range(20)]))
    assert detection.confidence >= 0.95


def test_a_few_emails_in_a_notes_column_stay_below_threshold() -> None:
    classifier = EmailClassifier(ScanSettings())
    values = ["call back tomorrow", "ok", "no answer"] * 15 + ["write to jane@example.com"]
    (detection,) = classifier.classify(sample("notes", values))
    assert detection.confidence < 0.5


def test_non_email_column_gives_nothing() -> None:
    classifier = EmailClassifier(ScanSettings())
    assert list(classifier.classify(sample("email_verified", ["true", "false"] * 10))) == []


def test_log_lines_confidence_comes_from_validator() -> None:
    classifier = EmailClassifier(ScanSettings())
    lines = ["GET / 200"] * 99 + ["password reset for jane@example.com"]
    (detection,) = classifier.classify(sample(None, lines))
    assert detection.matched == 1 and detection.sampled == 100
    assert detection.confidence >= 0.8
    assert detection.examples == ("j***@e***.com",)


def test_explain_says_why_not_tagged() -> None:
    classifier = EmailClassifier(ScanSettings())
    (line,) = classifier.explain_field(sample("email", ["not-an-email"] * 5))
    assert "0/5 values are valid email addresses" in line
