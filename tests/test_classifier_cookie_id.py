"""Cookie-id classifier: GA and _fbp values alone; session tokens only in fields named for them."""

from __future__ import annotations

import pytest

from piimap.classifiers.cookie_id import CookieIdClassifier, cookie_id_strength, find_cookie_ids
from piimap.model import FieldRef, FieldSample
from piimap.settings import ScanSettings


def sample(name: str | None, values, container: str = "public.t") -> FieldSample:
    return FieldSample(FieldRef("src", container, name), tuple(values))


@pytest.mark.parametrize(
    ("value", "named", "expected"),
    [
        ("GA1.2.1234567890.1600000000", False, True),
        ("GA1.1.987654321.1700000000", False, True),
        ("1234567890.1600000000", False, True),
        ("fb.1.1596403881668.1116446470", False, True),
        ("a8f5f167f44f4964e6c998dee827110c", True, True),
        ("s%3AQx7fT2kP9vN4mL8hJ3gF6dS1aZ0.xYz", True, True),
        ("6D92078A-8246-4BA4-AE5B-76104861E7DC", True, True),
        # not cookie ids
        ("a8f5f167f44f4964e6c998dee827110c", False, False),  # a hash in a field with no cookie name
        ("GA1.2.1234567890.0000000001", False, False),  # second part is not a plausible time
        ("1234.5678", False, False),
        ("3.1415926535", False, False),
        ("active", True, False),
        ("2023-01-15", True, False),
        ("12345", True, False),
    ],
)
def test_value_table(value: str, named: bool, expected: bool) -> None:
    assert (cookie_id_strength(value, named, False) > 0) is expected


@pytest.mark.parametrize(
    "name", ["session_id", "sessionId", "sid", "cookie_id", "visitor_id", "anonymous_id"]
)
def test_token_column_named_for_sessions_is_found(name: str) -> None:
    classifier = CookieIdClassifier(ScanSettings())
    values = [f"{i:08x}c0ffee{i * 31:010x}" for i in range(40)]
    (detection,) = classifier.classify(sample(name, values))
    assert detection.confidence >= 0.9


@pytest.mark.parametrize("name", ["sha256", "checksum", "trace_id", "c4", "session_timeout"])
def test_token_column_without_cookie_name_is_not(name: str) -> None:
    classifier = CookieIdClassifier(ScanSettings())
    values = [f"{i:08x}c0ffee{i * 31:010x}" for i in range(40)]
    detections = list(classifier.classify(sample(name, values)))
    assert all(detection.confidence < 0.5 for detection in detections)


def test_ga_column_found_by_values_alone() -> None:
    classifier = CookieIdClassifier(ScanSettings())
    values = [f"GA1.2.{100000000 + i * 7919}.{1600000000 + i * 3600}" for i in range(40)]
    (detection,) = classifier.classify(sample("col_2", values))
    assert detection.confidence >= 0.9


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("Cookie: _ga=GA1.2.1234567890.1600000000; theme=dark", ["GA1.2.1234567890.1600000000"]),
        ("Set-Cookie: sessionid=Qx7fT2kP9vN4mL8hJ3gF6dS1; HttpOnly", ["Qx7fT2kP9vN4mL8hJ3gF6dS1"]),
        ("JSESSIONID=1A2B3C4D5E6F7A8B9C0D1E2F3A4B5C6D path=/", ["1A2B3C4D5E6F7A8B9C0D1E2F3A4B5C6D"]),
        ("session=expired for user", []),
        ("GET /index.html 200 1234", []),
    ],
)
def test_cookie_ids_inside_text(line: str, found: list[str]) -> None:
    assert [hit.text for hit in find_cookie_ids(line)] == found
