"""IP classifier: v4/v6 values, versions and OIDs are not IPs, addresses inside log lines."""

from __future__ import annotations

import pytest

from piimap.classifiers.ip_address import IpAddressClassifier, find_ips, ip_strength
from piimap.model import FieldRef, FieldSample
from piimap.settings import ScanSettings


def sample(name: str | None, values, container: str = "public.t") -> FieldSample:
    return FieldSample(FieldRef("src", container, name), tuple(values))


@pytest.mark.parametrize(
    ("value", "minimum", "maximum"),
    [
        ("203.0.113.7", 0.8, 1.0),
        ("81.2.69.160", 0.95, 0.95),
        ("8.8.8.8:53", 0.4, 0.95),
        ("10.20.30.40", 0.8, 0.8),
        ("192.168.1.20", 0.8, 0.8),
        ("2001:4860:4860::8888", 0.95, 0.95),
        ("[2001:4860:4860::8888]:443", 0.95, 0.95),
        ("fe80::1%eth0", 0.8, 0.8),
        ("::ffff:81.2.69.160", 0.95, 0.95),
        ("81.2.69.160, 198.51.100.23", 0.8, 0.95),
        ("1.2.3.4", 0.4, 0.4),  # version-shaped: down-weighted
        # never IPs
        ("10.0.19041.1", 0.0, 0.0),
        ("9.7.4.2-rc1", 0.0, 0.0),
        ("1.3.6.1.4.1", 0.0, 0.0),
        ("256.1.1.1", 0.0, 0.0),
        ("127.0.0.1", 0.0, 0.0),
        ("0.0.0.0", 0.0, 0.0),
        ("::1", 0.0, 0.0),
        ("224.0.0.251", 0.0, 0.0),
        ("00:1A:2B:3C:4D:5E", 0.0, 0.0),
        ("10:30:00", 0.0, 0.0),
        ("2023-01-15T10:30:00Z", 0.0, 0.0),
        ("v1.2.3.4", 0.0, 0.0),
        ("3.14159", 0.0, 0.0),
    ],
)
def test_value_table(value: str, minimum: float, maximum: float) -> None:
    assert minimum <= ip_strength(value) <= maximum


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ('81.2.69.160 - - [15/Jan/2023:10:30:00 +0000] "GET / HTTP/1.1" 200', ["81.2.69.160"]),
        ("client=2001:4860:4860::8888 port=443", ["2001:4860:4860::8888"]),
        ("xff: 81.2.69.160, 198.51.100.23", ["81.2.69.160", "198.51.100.23"]),
        ("Windows NT 10.0.19041.1 build", []),
        ("agent Chrome/96.0.4664.110 Safari/537.36", []),
        ("upgrading to version 4.2.0.1 now", []),
        ("snmp oid 1.3.6.1.4.1.2021 ok", []),
        ("release 9.7.4.2-rc1 tagged", []),
        ("at 10:30:00 the job ran", []),
    ],
)
def test_ips_inside_text(line: str, found: list[str]) -> None:
    assert [hit.text for hit in find_ips(line)] == found


def test_ip_column_found_with_masked_examples() -> None:
    classifier = IpAddressClassifier(ScanSettings())
    values = [f"81.2.{i}.{i + 10}" for i in range(50)]
    (detection,) = classifier.classify(sample("client_ip", values))
    assert detection.confidence == 1.0
    assert detection.examples[0] == "81.*.*.*"


def test_version_column_not_reported() -> None:
    classifier = IpAddressClassifier(ScanSettings())
    values = [
        f"{major}.{minor}.{patch}.{build}"
        for major in (1, 2)
        for minor in range(5)
        for patch in range(3)
        for build in (0, 7)
    ]
    detections = list(classifier.classify(sample("app_version", values)))
    assert all(detection.confidence < 0.5 for detection in detections)


def test_log_lines_report_ip() -> None:
    classifier = IpAddressClassifier(ScanSettings())
    lines = ["Windows 10.0.19041.1"] * 10 + ['81.2.69.160 - - "GET / HTTP/1.1" 200']
    (detection,) = classifier.classify(sample(None, lines))
    assert detection.matched == 1 and detection.confidence >= 0.8
