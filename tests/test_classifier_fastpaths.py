"""Fast paths of the email and IP validators give exactly the answers of the full validators.

``is_email`` answers most addresses without calling ``email_validator.validate_email`` on them
(ASCII dot-atom local part, domain validated once per distinct domain); ``ip_strength`` answers
plain dotted quads without :mod:`ipaddress`. Each is compared with its slow reference
(``_is_email_slow``, ``_ip_strength_slow``) on a table of edge cases, on grids of boundary values
and on generated inputs aimed at the edges (dots, hyphens, long labels, Unicode, special-use
domains, the 254-octet address limit; leading zeros, 255/256, every special IPv4 block).
"""

from __future__ import annotations

import ipaddress
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from piimap.classifiers import email as email_module
from piimap.classifiers import ip_address as ip_module
from piimap.classifiers.email import _fast_verdict, _is_email_slow, find_emails, is_email
from piimap.classifiers.ip_address import _dotted_quad_strength, _ip_strength_slow, find_ips, ip_strength

# the undecorated functions, so every call runs the code instead of answering from the cache
is_email_uncached = is_email.__wrapped__
ip_strength_uncached = ip_strength.__wrapped__

# ---------------------------------------------------------------------------------------------
# email

LABEL_63 = "b" * 63
#: 63 + 1 + 63 + 1 + 57 + 4 = 189 characters: with a 64-character local part, a 254-character address
DOMAIN_189 = f"{LABEL_63}.{'c' * 63}.{'d' * 57}.com"
DOMAIN_190 = f"{LABEL_63}.{'c' * 63}.{'d' * 58}.com"
#: 83 characters but 235 UTF-8 octets: the original-form limit leaves room for 18 local characters
CJK_DOMAIN = ".".join(["中" * 19] * 4) + ".com"
#: 173 characters whose IDNA ASCII form has 194: that form leaves room for 59 local characters
PUNYCODE_DOMAIN = ".".join(["a" * 55 + "ü"] * 3) + ".de"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("customer123456@example.com", True),
        ("JANE.DOE@EXAMPLE.COM", True),
        ("a@b.co", True),
        ("postmaster@example.com", True),
        ("x!#$%&*+/=?^_`{|}~-y@example.com", True),
        ("jane@bücher.de", True),
        ("jane@xn--bcher-kva.de", True),
        ("jane@sub-domain.example.co.uk", True),
        ("jane@123.example.com", True),
        (".jane@example.com", False),
        ("jane.@example.com", False),
        ("ja..ne@example.com", False),
        ("jane@-example.com", False),
        ("jane@example-.com", False),
        ("jane@ex--ample.com", False),
        ("jane@xn--zz.com", False),
        ("jane@example.123", False),
        ("jane@example.c", False),
        ("jane@example", False),
        ("jane@host.local", False),
        ("jane@site.test", False),
        ("jane@foo.localhost", False),
        ("jane@hidden.onion", False),
        ("jane@example.invalid", False),
        ("jane@1.0.0.127.in-addr.arpa", False),
        ("jane@home.arpa", False),
        ("jane@a_b.com", False),
        ("a" * 64 + "@example.com", True),
        ("a" * 65 + "@example.com", False),
        (f"jane@{LABEL_63}.com", True),
        (f"jane@{LABEL_63}b.com", False),
        ("a" * 64 + "@" + DOMAIN_189, True),  # 254 characters
        ("a" * 64 + "@" + DOMAIN_190, False),  # 255
        ("a" * 63 + "@" + DOMAIN_190, True),  # 254
        ("a" * 64 + "@" + DOMAIN_190 + "x", False),  # 256
        ("a" * 56 + "@" + ".".join(["e" * 63] * 4) + ".com", False),  # 316, a 259-character domain
        ("a" * 18 + "@" + CJK_DOMAIN, True),  # 254 UTF-8 octets
        ("a" * 19 + "@" + CJK_DOMAIN, False),  # 255 UTF-8 octets, 103 characters
        ("b" * 59 + "@" + PUNYCODE_DOMAIN, True),  # 254 in IDNA ASCII
        ("b" * 60 + "@" + PUNYCODE_DOMAIN, False),  # 255 in IDNA ASCII, 234 characters
        ("müller@bücher.de", True),  # non-ASCII local part: the slow path
        ("jane@bu\u0308cher.de", True),  # decomposed ü, normalised by email_validator
        ("jane@\u0308bucher.de", False),  # a combining mark cannot start the domain
    ],
)
def test_email_edge_table(value: str, expected: bool) -> None:
    assert is_email_uncached(value) is expected
    assert _is_email_slow(value) is expected


def test_common_addresses_never_reach_the_full_validator(monkeypatch: pytest.MonkeyPatch) -> None:
    def full_validator_called(address: str) -> bool:
        raise AssertionError(f"full validation of {address!r}")

    monkeypatch.setattr(email_module, "_validates", full_validator_called)
    assert is_email_uncached("fastpath.customer.987654@example.com") is True
    assert is_email_uncached("fastpath.customer.987654@host.local") is False
    assert is_email_uncached("a" * 64 + "@" + DOMAIN_190) is False
    # free text goes through is_email, so log lines get the fast path too
    line = "2026-11-27 login ok user=fastpath.logline.31337@mail.example.org from 81.2.69.160"
    assert [hit.text for hit in find_emails(line)] == ["fastpath.logline.31337@mail.example.org"]


@pytest.mark.parametrize(
    "address",
    [
        "müller@bücher.de",  # non-ASCII local part
        "a" * 19 + "@" + CJK_DOMAIN,  # between the shortest and the longest form of the domain
        "b" * 60 + "@" + PUNYCODE_DOMAIN,
    ],
)
def test_fast_path_leaves_what_it_is_unsure_of_to_the_full_validator(address: str) -> None:
    assert _fast_verdict(address) is None


LOCAL_GRID = ("a", "jane.doe", "x" * 63, "x" * 64, "a.b.c-d_e+f", "o'hara", ".a", "a.", "a..b", "us\u00e9r")
DOMAIN_GRID = (
    "example.com",
    "EXAMPLE.COM",
    "example.org",
    "mail.example.co.uk",
    "bücher.de",
    "xn--bcher-kva.de",
    "中国.中国",
    "a-b.c-d.com",
    "-a.com",
    "a-.com",
    "ab--c.com",
    "xn--zz.com",
    "host.local",
    "x.test",
    "x.localhost",
    "x.onion",
    "x.invalid",
    "x.arpa",
    "x.example",
    "example",
    "1.2.3.4",
    "a.b",
    "a.123",
    f"{LABEL_63}.com",
    f"{LABEL_63}x.com",
    DOMAIN_189,
    DOMAIN_190,
    CJK_DOMAIN,
    PUNYCODE_DOMAIN,
)


def test_email_grid_of_local_parts_and_domains() -> None:
    fast_answers = set()
    for local_part, domain in itertools.product(LOCAL_GRID, DOMAIN_GRID):
        value = f"{local_part}@{domain}"
        expected = _is_email_slow(value)
        assert is_email_uncached(value) is expected, value
        if email_module._candidate_address(value) is not None:
            verdict = _fast_verdict(value)
            if verdict is not None:
                fast_answers.add(verdict)
    assert fast_answers == {True, False}  # the fast path answered both ways, not only deferred


ATEXT = "abcxyzABCXYZ0189!#$%&'*+/=?^_`{|}~-"
ATOMS = st.one_of(
    st.from_regex(r"[a-z0-9]{1,12}", fullmatch=True),
    st.text(alphabet=ATEXT, min_size=1, max_size=12),
)
DOT_ATOM_LOCAL = st.lists(ATOMS, min_size=1, max_size=6).map(".".join)
ODD_LOCAL = st.text(alphabet=ATEXT + '.."\\ ()<>[]:;,üé中\u0308\u200b', min_size=0, max_size=70)
LOCAL_PARTS = st.one_of(
    DOT_ATOM_LOCAL,
    DOT_ATOM_LOCAL.map(lambda local: "." + local),
    DOT_ATOM_LOCAL.map(lambda local: local + "."),
    st.integers(1, 70).map(lambda length: "L" * length),
    ODD_LOCAL,
)
ASCII_LABEL = st.from_regex(r"[a-zA-Z0-9]([a-zA-Z0-9-]{0,20}[a-zA-Z0-9])?", fullmatch=True)
ODD_LABEL = st.text(alphabet="az09-_üßıéäЁא中Ａ．\u0308\u200dx", min_size=0, max_size=14)
LONG_LABEL = st.integers(60, 66).map(lambda length: "n" * length)
LABELS = st.one_of(
    ASCII_LABEL, ASCII_LABEL, ODD_LABEL, LONG_LABEL, st.sampled_from(["xn--bcher-kva", "xn--zz", "ab--cd"])
)
SUFFIXES = st.sampled_from(
    [
        "com",
        "de",
        "org",
        "co.uk",
        "io",
        "local",
        "test",
        "localhost",
        "onion",
        "invalid",
        "arpa",
        "home.arpa",
        "in-addr.arpa",
        "example",
        "example.com",
        "example.org",
        "internal",
        "alt",
        "c0m",
        "123",
        "x",
        "рф",
        "xn--p1ai",
        "中国",
        "COM",
        "com-",
        "-com",
        "png",
    ]
)
DOMAINS = st.builds(
    lambda labels, suffix: ".".join([*labels, suffix]), st.lists(LABELS, min_size=0, max_size=4), SUFFIXES
)
GOOD_DOMAINS = st.builds(
    lambda labels, suffix: ".".join([*labels, suffix]),
    st.lists(ASCII_LABEL, min_size=1, max_size=3),
    st.sampled_from(["com", "de", "org", "co.uk", "io", "рф", "中国", "xn--p1ai", "bücher.de"]),
)


def padded_to(local_part: str, domain: str, total: int, filler: str, label_length: int) -> str:
    """``local_part@domain`` grown to about ``total`` characters with labels of ``filler`` in front of the domain."""
    missing = total - len(local_part) - 1 - len(domain)
    while missing >= 2:
        length = min(label_length, missing - 1)
        domain = (filler * length)[:length] + "." + domain
        missing -= length + 1
    if missing == 1:
        local_part += "q"
    return f"{local_part}@{domain}"


FILLERS = st.sampled_from(["p", "ü", "中", "pü", "a-b", "xn--"])
FILLER_LABEL_LENGTHS = st.sampled_from([63, 40, 20, 8])
TOTAL_LENGTHS = st.one_of(st.integers(250, 258), st.sampled_from([253, 254, 255, 256, 320, 321]))
PADDED_ADDRESSES = st.builds(
    padded_to,
    st.one_of(DOT_ATOM_LOCAL, DOT_ATOM_LOCAL, LOCAL_PARTS),
    st.one_of(GOOD_DOMAINS, GOOD_DOMAINS, DOMAINS),
    TOTAL_LENGTHS,
    FILLERS,
    FILLER_LABEL_LENGTHS,
)
ADDRESSES = st.one_of(
    st.builds(lambda local, domain: f"{local}@{domain}", LOCAL_PARTS, DOMAINS),
    st.builds(lambda local, domain: f"{local}@{domain}", DOT_ATOM_LOCAL, GOOD_DOMAINS),
    PADDED_ADDRESSES,
    PADDED_ADDRESSES,
    st.builds(lambda local, domain: f"  mailto:{local}@{domain} ", DOT_ATOM_LOCAL, DOMAINS),
    st.text(max_size=80),
)


@pytest.mark.slow
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=ADDRESSES)
def test_email_fast_path_agrees_with_validate_email(value: str) -> None:
    assert is_email_uncached(value) is _is_email_slow(value)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(local_part=DOT_ATOM_LOCAL, domain=GOOD_DOMAINS, filler=FILLERS, label_length=FILLER_LABEL_LENGTHS)
def test_email_fast_path_agrees_at_every_length_around_the_limit(
    local_part: str, domain: str, filler: str, label_length: int
) -> None:
    for total in range(248, 262):
        value = padded_to(local_part, domain, total, filler, label_length)
        assert is_email_uncached(value) is _is_email_slow(value), (total, value)


# ---------------------------------------------------------------------------------------------
# IP addresses


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("81.2.69.160", 0.95),
        ("8.8.8.8", 0.4),  # the version-shape rule holds for real addresses too
        ("9.99.99.99", 0.4),
        ("9.99.99.100", 0.95),
        ("10.99.99.99", 0.8),
        ("1.2.3.4", 0.4),
        ("0.0.0.0", 0.0),
        ("0.1.2.3", 0.4),
        ("0.1.2.300", 0.0),
        ("0.1.2.200", 0.8),
        ("010.1.1.1", 0.0),
        ("10.01.1.1", 0.0),
        ("255.255.255.255", 0.0),
        ("255.255.255.256", 0.0),
        ("256.1.1.1", 0.0),
        ("1000.1.1.1", 0.0),
        ("127.0.0.1", 0.0),
        ("127.255.255.254", 0.0),
        ("126.255.255.255", 0.95),
        ("128.0.0.0", 0.95),
        ("169.254.10.20", 0.8),
        ("169.253.10.20", 0.95),
        ("169.255.0.1", 0.95),
        ("100.64.0.1", 0.8),
        ("100.127.255.255", 0.8),
        ("100.63.255.255", 0.95),
        ("100.128.0.0", 0.95),
        ("172.15.255.255", 0.95),
        ("172.16.0.0", 0.8),
        ("172.31.255.255", 0.8),
        ("172.32.0.0", 0.95),
        ("192.168.0.1", 0.8),
        ("192.169.0.1", 0.95),
        ("192.0.2.55", 0.8),
        ("198.18.0.1", 0.8),
        ("198.51.100.23", 0.8),
        ("203.0.113.9", 0.8),
        ("203.0.114.9", 0.95),
        ("223.255.255.255", 0.95),
        ("224.0.0.251", 0.0),
        ("239.255.255.255", 0.0),
        ("240.0.0.1", 0.0),
        ("  81.2.69.160\n", 0.95),
        ("81.2.69.160:8080", 0.95),
        ("81.2.69.160/24", 0.95),
        ("81.2.69.160, 10.0.0.1", 0.8),
        ("81.2.69.160.", 0.0),
        ("81.2.69", 0.0),
        ("81.2.69.1.5", 0.0),
        ("٨١.2.69.160", 0.0),  # Arabic-Indic digits
        ("+81.2.69.160", 0.0),
        ("81.2.69.0x1", 0.0),
    ],
)
def test_ip_edge_table(value: str, expected: float) -> None:
    assert ip_strength_uncached(value) == expected
    assert _ip_strength_slow(value) == expected


#: IANA special-purpose IPv4 blocks that ``_dotted_quad_strength`` leaves to ipaddress
IANA_SMALL_BLOCKS = [
    ipaddress.IPv4Network(block)
    for block in (
        "0.0.0.0/8",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.31.196.0/24",
        "192.52.193.0/24",
        "192.88.99.0/24",
        "192.175.48.0/24",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
    )
]


@pytest.mark.parametrize("block", IANA_SMALL_BLOCKS, ids=str)
def test_small_iana_blocks_are_left_to_ipaddress(block: ipaddress.IPv4Network) -> None:
    first, last = int(block.network_address), int(block.broadcast_address)
    for number in (first, first + 1, (first + last) // 2, last):
        assert _dotted_quad_strength(str(ipaddress.IPv4Address(number))) is None
    for number in (first - 1, last + 1):
        if number > 0:
            assert _dotted_quad_strength(str(ipaddress.IPv4Address(number))) is not None


def special_ipv4_networks() -> list[ipaddress.IPv4Network]:
    """Every IPv4 network :mod:`ipaddress` classifies by in this Python, plus CGNAT and the version rule."""
    networks = [ip_module._CGNAT, ipaddress.IPv4Network("0.0.0.0/4"), *IANA_SMALL_BLOCKS]
    for attribute in vars(ipaddress._IPv4Constants).values():
        candidates = attribute if isinstance(attribute, list) else [attribute]
        networks.extend(candidate for candidate in candidates if isinstance(candidate, ipaddress.IPv4Network))
    assert len(networks) > 10
    return networks


def test_ip_boundaries_of_every_special_network() -> None:
    checked = 0
    for network in special_ipv4_networks():
        first, last = int(network.network_address), int(network.broadcast_address)
        for number in (first - 1, first, first + 1, last - 1, last, last + 1):
            if 0 <= number < 2**32:
                value = str(ipaddress.IPv4Address(number))
                assert ip_strength_uncached(value) == _ip_strength_slow(value), value
                checked += 1
    assert checked > 60


SECOND_OCTETS = (
    0,
    1,
    2,
    9,
    15,
    16,
    17,
    18,
    19,
    20,
    31,
    32,
    51,
    63,
    64,
    99,
    100,
    127,
    128,
    167,
    168,
    169,
    253,
    254,
    255,
)
LAST_OCTETS = (
    (0, 0),
    (0, 1),
    (0, 8),
    (0, 9),
    (0, 10),
    (0, 170),
    (0, 171),
    (2, 9),
    (99, 99),
    (99, 100),
    (100, 0),
    (113, 255),
    (255, 254),
    (255, 255),
)


@pytest.mark.slow
def test_ip_grid_every_first_octet() -> None:
    fast_answers = set()
    for first, second, (third, fourth) in itertools.product(range(256), SECOND_OCTETS, LAST_OCTETS):
        value = f"{first}.{second}.{third}.{fourth}"
        expected = _ip_strength_slow(value)
        fast = _dotted_quad_strength(value)
        if fast is not None:
            assert fast == expected, value
            fast_answers.add(fast)
        assert ip_strength_uncached(value) == expected, value
    # every strength the slow path gives a dotted quad also came from the fast path
    assert fast_answers == {
        0.0,
        ip_module.VERSION_LIKE_STRENGTH,
        ip_module.PRIVATE_STRENGTH,
        ip_module.PUBLIC_STRENGTH,
    }


def test_plain_public_and_private_addresses_skip_ipaddress() -> None:
    for value in (
        "81.2.69.160",
        "10.1.2.3",
        "192.168.1.20",
        "172.20.0.5",
        "100.100.0.1",
        "127.0.0.1",
        "240.0.0.1",
        "192.30.255.112",
        "198.41.0.4",
        "203.1.113.1",
    ):
        assert _dotted_quad_strength(value) is not None, value
    for value in (
        "192.0.2.1",
        "198.51.100.1",
        "0.0.0.0",
        "010.1.1.1",
        "1.2.3.4:80",
        "٨١.2.69.160",
        "1.2.3.4.5",
    ):
        assert _dotted_quad_strength(value) is None, value


OCTET_TEXT = st.one_of(
    st.integers(0, 255).map(str),
    st.sampled_from(
        [
            "0",
            "00",
            "01",
            "010",
            "099",
            "255",
            "256",
            "299",
            "300",
            "999",
            "1000",
            "",
            "٣",
            "²",
            "+1",
            "-1",
            "0x1",
            " 1",
            "1 ",
            "1a",
        ]
    ),
)
FIRST_OCTETS = st.sampled_from(
    [
        0,
        1,
        9,
        10,
        11,
        99,
        100,
        126,
        127,
        128,
        169,
        172,
        191,
        192,
        193,
        197,
        198,
        199,
        203,
        223,
        224,
        239,
        240,
        254,
        255,
    ]
).map(str)
SPECIAL_SECONDS = st.sampled_from(SECOND_OCTETS).map(str)
QUADS = st.builds(
    lambda a, b, c, d: f"{a}.{b}.{c}.{d}",
    st.one_of(FIRST_OCTETS, OCTET_TEXT),
    st.one_of(SPECIAL_SECONDS, OCTET_TEXT),
    OCTET_TEXT,
    OCTET_TEXT,
)
PART_LISTS = st.lists(OCTET_TEXT, min_size=1, max_size=6).map(".".join)


def near_boundary(network: ipaddress.IPv4Network, at_end: bool, step: int) -> str:
    """The address ``step`` away from the first (or last) address of ``network``, clamped to IPv4."""
    edge = int(network.broadcast_address if at_end else network.network_address)
    return str(ipaddress.IPv4Address(min(max(edge + step, 0), 2**32 - 1)))


def inside(network: ipaddress.IPv4Network, offset: int) -> str:
    return str(network[offset % network.num_addresses])


SPECIAL_NETWORKS = st.deferred(lambda: st.sampled_from(special_ipv4_networks()))
IP_VALUES = st.one_of(
    QUADS,
    QUADS,
    st.builds(near_boundary, SPECIAL_NETWORKS, st.booleans(), st.integers(-2, 2)),
    st.builds(inside, SPECIAL_NETWORKS, st.integers(0, 2**32)),
    st.builds(
        lambda quad, suffix: quad + suffix,
        QUADS,
        st.sampled_from([":80", ":65535", ":123456", "/24", "/33", ":80/24", ".", "x", "\n", " ", ","]),
    ),
    st.builds(lambda prefix, quad: prefix + quad, st.sampled_from([" ", "\t", "v", "[", "."]), QUADS),
    st.lists(QUADS, min_size=1, max_size=3).map(", ".join),
    PART_LISTS,
    st.text(alphabet="0123456789.:/, ", max_size=24),
)


@pytest.mark.slow
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=IP_VALUES)
def test_ip_fast_path_agrees_with_ipaddress(value: str) -> None:
    assert ip_strength_uncached(value) == _ip_strength_slow(value)


def test_ips_in_log_lines_use_the_same_strengths() -> None:
    line = "81.2.69.160 - - [27/Nov/2026] GET / from 10.1.2.3 via 192.0.2.1"
    assert [(hit.text, hit.strength) for hit in find_ips(line)] == [
        ("81.2.69.160", pytest.approx(0.95 * 0.95)),
        ("10.1.2.3", pytest.approx(0.8 * 0.95)),
        ("192.0.2.1", pytest.approx(0.8 * 0.95)),
    ]
