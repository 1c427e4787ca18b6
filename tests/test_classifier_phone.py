"""Phone classifier: valid numbers only; timestamps, dates, prices, ids and versions are not phones."""

from __future__ import annotations

import pytest

from piimap.classifiers.phone import PhoneClassifier, find_phones, phone_strength
from piimap.model import FieldRef, FieldSample
from piimap.settings import ScanSettings


def sample(name: str | None, values, container: str = "public.t") -> FieldSample:
    return FieldSample(FieldRef("src", container, name), tuple(values))


@pytest.mark.parametrize(
    ("value", "region", "is_phone"),
    [
        ("+1 415-555-0134", "US", True),
        ("+1-415-555-0134x5678", "US", True),
        ("(415) 555-0134", "US", True),
        ("415.555.0134", "US", True),
        ("001-415-555-0134", "US", True),
        ("+44 20 7946 0958", "US", True),
        ("+44(0)131 4960979", "US", True),
        ("+49 151 12345678", "US", True),
        ("+33 6 12 34 56 78", "US", True),
        ("+81 90-1234-5678", "US", True),
        ("+55 11 91234-5678", "US", True),
        ("+91 98765 43210", "US", True),
        ("tel:+14155550134", "US", True),
        ("020 7946 0958", "GB", True),
        ("090-1234-5678", "JP", True),
        # national formats of another region are read off their grouping (weaker, but a phone)
        ("020 7946 0958", "US", True),
        ("030-0074321", "US", True),
        ("06.47.35.50.25", "US", True),
        ("+44 (0)20 7946 0958", "US", True),
        ("0044 20 7946 0958", "US", True),
        ("+1 415-555-0134 ext. 45", "US", True),
        ("+1 415-555-0134;ext=75", "US", True),
        ("06.47.35.50.25 #150", "FR", True),
        ("001-415-555-0134x5551", "US", True),
        # valid US numbers written in groups no US number is written in: invoice numbers
        ("2019-123456", "US", False),
        ("123-45-6789", "US", False),
        ("12345-6789", "US", False),
        # not phones
        ("+1 555-0134", "US", False),
        ("+1 123-456-7890", "US", False),
        ("1600000000", "US", False),
        ("1600000000123", "US", False),
        ("2023-01-15", "DE", False),
        ("15.01.2023", "DE", False),
        ("19.99", "US", False),
        ("1,299.00", "US", False),
        ("2023", "US", False),
        ("12345", "US", False),
        ("10.0.19041.1", "US", False),
        ("192.168.100.200", "US", False),
        ("ORD-2023-000123", "US", False),
        ("SKU 4155550134 X", "US", False),
    ],
)
def test_value_table(value: str, region: str, is_phone: bool) -> None:
    """A phone on its own: strong enough that a column of such values is reported (0.5) by values alone."""
    assert (phone_strength(value, region, False) >= 0.5) is is_phone


@pytest.mark.parametrize(
    ("value", "named", "minimum", "maximum"),
    [
        ("14155550134", True, 0.85, 0.85),  # BIGINT column named phone
        ("14155550134", False, 0.5, 0.6),  # bare digits alone: weaker
        ("4155550134", True, 0.85, 0.85),
        ("4155550134", False, 0.3, 0.45),
        ("1600000000", True, 0.0, 0.0),  # invalid number stays invalid even when named
    ],
)
def test_bare_digits_depend_on_field_name(value: str, named: bool, minimum: float, maximum: float) -> None:
    assert minimum <= phone_strength(value, "US", named) <= maximum


def test_integer_phone_column_found_when_named() -> None:
    classifier = PhoneClassifier(ScanSettings())
    values = [str(14155550100 + i) for i in range(30)]
    (detection,) = classifier.classify(sample("mobile_phone", values))
    assert detection.confidence >= 0.95
    assert detection.examples[0].endswith("00") and "*" in detection.examples[0]


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("created_at", [str(1600000000 + 3600 * i) for i in range(30)]),
        ("created_ms", [str(1600000000000 + 3600_000 * i) for i in range(30)]),
        ("price", [f"{9 + i}.99" for i in range(30)]),
        ("order_date", [f"2023-0{1 + i % 9}-1{i % 10}" for i in range(30)]),
        ("year", [str(1990 + i) for i in range(30)]),
        ("order_number", [str(20231100001 + i) for i in range(30)]),
    ],
)
def test_hard_negative_columns_not_reported(name: str, values: list[str]) -> None:
    classifier = PhoneClassifier(ScanSettings())
    detections = list(classifier.classify(sample(name, values)))
    assert all(detection.confidence < 0.5 for detection in detections)


def test_default_region_option_enables_national_numbers() -> None:
    values = ["020 7946 0958", "0161 496 0000", "0113 496 0123"] * 5
    (us,) = PhoneClassifier(ScanSettings()).classify(sample("col", values))
    gb_settings = ScanSettings(classifier_options={"phone": {"default_region": "GB"}})
    (gb,) = PhoneClassifier(gb_settings).classify(sample("col", values))
    assert us.confidence < gb.confidence  # without the region, only their British grouping tells
    assert gb.confidence >= 0.8
    assert "regions GB" in gb.evidence


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("sms sent to +1 415-555-0134 ok", ["+1 415-555-0134"]),
        ("callback (415) 555-0134 requested", ["(415) 555-0134"]),
        ("ts=1600000000 took 1234567 ms", []),
        ("build 10.0.19041.1 on 2023-01-15 10:30:00", []),
        ("order 2023110000123 total 19.99", []),
    ],
)
def test_phones_inside_text(line: str, found: list[str]) -> None:
    assert [hit.text for hit in find_phones(line, "US")] == found
