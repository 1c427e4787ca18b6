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


# --- version strings in logs are not IPs (issue #19) --------------------------------------------------

CBS_LINES = [
    "2011-04-12 10:16:29, Info                  CBS    Read out cached package applicability for package: "
    "Package_for_KB2506143~31bf3856ad364e35~amd64~~6.1.1.0, ApplicableState: 112, CurrentState:112",
    "2011-04-12 10:16:29, Info                  CBS    Exec: Package: "
    "Package_for_KB976902~31bf3856ad364e35~amd64~~6.1.1.17 is already in the correct state",
    "2011-04-12 10:16:29, Info                  CBS    Appl: detect Parent, Package: "
    "Microsoft-Windows-Foundation-Package~31bf3856ad364e35~amd64~~6.1.7601.17514, Parent: "
    "Microsoft-Windows-Client-Features-Package~31bf3856ad364e35~amd64~~6.1.7601.17514",
    "2011-04-12 10:16:27, Info                  CSI    00000001@2011/4/12:08:16:27.953 WcpInitialize "
    "(wcp.dll version 0.0.0.6) called (stack @0x7fefa8e9ed7 @0x7fefadd6a22)",
    "2011-04-12 10:16:30, Info                  CBS    Loaded Servicing Stack v6.1.7601.17514 with Core: "
    r"C:\Windows\winsxs\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_6.1.7601.17514_none\cbscore.dll",
    "2011-04-12 10:16:31, Info                  CBS    Package: Package_for_KB2533552~31bf3856ad364e35~x86~en-US~6.1.1.1~",
]


@pytest.mark.parametrize(
    "line",
    [
        *CBS_LINES,
        "Installed update KB 5.2.1.0 successfully",
        "kb: 5.2.1.0",
        "trap from enterprise OID 1.3.6.1 received",
        "oid=1.3.6.1",
        "SNMPv2-SMI::enterprises.9.1.1208 = STRING: switch",
        "iso.3.6.1.2.1.1.5.0 = STRING: core-router",
        "IF-MIB::ifDescr.10.0.0.1 = STRING: eth0",
        "rev 1.2.3.4 deployed",
        "Revision: 2.0.0.1",
        "firmware 5.4.3.2 loaded",
        "build=10.0.19041.1",
        "Version 6.1.1.0",
        "v1.2.3.4",
        "1.2.3.4.5 is a five-part version",
        "identity x86~6.1.1.0",
    ],
)
def test_version_strings_in_lines_are_not_ips(line: str) -> None:
    assert list(find_ips(line)) == []


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("client 8.8.8.8 connected", ["8.8.8.8"]),
        ("2011-04-12 10:16:29, Info  CBS    WU client 81.2.69.160 asked for KB2506143", ["81.2.69.160"]),
        ("kb article fetched by 81.2.69.160", ["81.2.69.160"]),
        ("build ok, uploaded from 81.2.69.160", ["81.2.69.160"]),
        ("v1.2 from 81.2.69.160", ["81.2.69.160"]),
        ("SNMP trap from agent 81.2.69.160 (OID 1.3.6.1.4.1.9)", ["81.2.69.160"]),
        ("(81.2.69.160)", ["81.2.69.160"]),
        ("peer=81.2.69.160:443", ["81.2.69.160"]),
    ],
)
def test_real_ips_beside_version_words_are_still_found(line: str, found: list[str]) -> None:
    assert [hit.text for hit in find_ips(line)] == found


def test_cbs_log_counts_only_the_lines_with_real_ips(tmp_path) -> None:
    """A Windows CBS-style log with client addresses on other lines: only those lines are IP lines."""
    from piimap.engine import SerialExecutor, scan
    from piimap.model import SourceSpec

    lines = []
    real = 0
    for index in range(600):
        if index % 5 == 0:
            lines.append(
                f"2011-04-12 10:16:{index % 60:02d}, Info  WU  download requested by client 81.2.{index % 250}.7"
            )
            real += 1
        else:
            lines.append(CBS_LINES[index % len(CBS_LINES)])
    path = tmp_path / "CBS.log"
    path.write_text("\n".join(lines) + "\n")
    for sample_size in (0, 1000):
        result = scan(
            [SourceSpec("logs", str(path))], ScanSettings(sample_size=sample_size), executor=SerialExecutor()
        )
        (finding,) = [f for f in result.findings if f.category == "user.device.ip_address"]
        assert finding.field is None
        assert finding.matched == real, sample_size
        assert finding.sampled == len(lines)


def test_version_column_under_an_uninformative_name_is_not_reported() -> None:
    """Issue #19: four-part versions, some of them valid public addresses (11.x, 12.x), under c0."""
    import random

    rng = random.Random(3)
    values = [
        f"{rng.randint(1, 12)}.{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 99)}"
        for _ in range(60)
    ]
    classifier = IpAddressClassifier(ScanSettings())
    assert all(detection.confidence < 0.5 for detection in classifier.classify(sample("c0", values)))
    addresses = [
        f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        for _ in range(60)
    ]
    (detection,) = classifier.classify(sample("c0", addresses))
    assert detection.confidence >= 0.8
    # the same small-numbered values in a field named for addresses are addresses
    (detection,) = classifier.classify(sample("client_ip", values))
    assert detection.confidence >= 0.5
