"""Device-id classifier: MAC and IMEI on values alone, UUIDs / Android ids only by field name."""

from __future__ import annotations

import uuid

import pytest

from piimap.classifiers.device_id import DeviceIdClassifier, device_id_strength, find_device_ids
from piimap.model import FieldRef, FieldSample
from piimap.settings import ScanSettings


def sample(name: str | None, values, container: str = "public.t") -> FieldSample:
    return FieldSample(FieldRef("src", container, name), tuple(values))


@pytest.mark.parametrize(
    ("value", "named", "expected"),
    [
        ("00:1A:2B:3C:4D:5E", False, True),
        ("00-1a-2b-3c-4d-5e", False, True),
        ("001a.2b3c.4d5e", False, True),
        ("490154203237518", False, True),  # IMEI with a valid Luhn digit
        ("49-015420-323751-8", False, True),
        ("6D92078A-8246-4BA4-AE5B-76104861E7DC", True, True),  # IDFA in an idfa column
        ("38400000-8cf0-11bd-b23e-10b96e40000d", True, True),  # GAID
        ("9774d56d682e549c", True, True),  # Android id
        # not device ids
        ("6D92078A-8246-4BA4-AE5B-76104861E7DC", False, False),  # a UUID alone decides nothing
        ("9774d56d682e549c", False, False),
        ("490154203237519", False, False),  # Luhn fails
        ("378282246310005", False, False),  # an Amex test card, not an IMEI
        ("00000000-0000-0000-0000-000000000000", True, False),  # IDFA with tracking disabled
        ("FF:FF:FF:FF:FF:FF", False, False),
        ("01:00:5E:00:00:FB", False, True),  # multicast: a group address, still a MAC
        ("DA:A1:19:5C:4E:02", False, True),  # locally administered (a randomised private Wi-Fi MAC)
        ("daa1.195c.4e02", False, True),
        ("da.a1.19.5c.4e.02", False, True),
        ("da a1 19 5c 4e 02", False, True),
        ("daa119-5c4e02", False, True),
        ("daa1195c4e02", True, True),  # no separator: only where the name says MAC
        ("daa1195c4e02", False, False),
        ("00:1A:2B:3C:4D", False, False),
        ("00:1A-2B:3C-4D:5E", False, False),
        ("10:30:00", False, False),
        ("1234567890123456", True, False),  # 16 decimal digits: a card-like number, not an Android id
    ],
)
def test_value_table(value: str, named: bool, expected: bool) -> None:
    assert (device_id_strength(value, named, False) > 0) is expected


@pytest.mark.parametrize(
    "name", ["idfa", "gaid", "adid", "device_id", "advertising_id", "deviceId", "android_id"]
)
def test_uuid_column_named_for_devices_is_found(name: str) -> None:
    classifier = DeviceIdClassifier(ScanSettings())
    values = [str(uuid.UUID(int=i * 7919 + 12345, version=4)) for i in range(30)]
    (detection,) = classifier.classify(sample(name, values))
    assert detection.confidence >= 0.9


@pytest.mark.parametrize("name", ["order_id", "id", "request_id", "transaction_uuid", "c3"])
def test_uuid_column_not_named_for_devices_is_not(name: str) -> None:
    classifier = DeviceIdClassifier(ScanSettings())
    values = [str(uuid.UUID(int=i * 7919 + 12345, version=4)) for i in range(30)]
    assert list(classifier.classify(sample(name, values))) == []


def test_mac_column_found_without_a_name() -> None:
    classifier = DeviceIdClassifier(ScanSettings())
    values = [f"3c:22:fb:{i:02x}:{(i * 7) % 256:02x}:{(i * 13) % 256:02x}" for i in range(30)]
    (detection,) = classifier.classify(sample("col_9", values))
    assert detection.confidence >= 0.85


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("wifi assoc 3c:22:fb:12:34:56 on ap-7", ["3c:22:fb:12:34:56"]),
        ('{"idfa": "6D92078A-8246-4BA4-AE5B-76104861E7DC"}', ["6D92078A-8246-4BA4-AE5B-76104861E7DC"]),
        ("trace_id=6D92078A-8246-4BA4-AE5B-76104861E7DC", []),
        ("at 10:30:00 nothing, build 1.2.3-4", []),
    ],
)
def test_device_ids_inside_text(line: str, found: list[str]) -> None:
    assert [hit.text for hit in find_device_ids(line)] == found
