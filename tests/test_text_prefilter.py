"""The free-text prefilter: every classifier finds in log lines exactly what it found without it.

``judge_text`` hands a finder only the lines its classifier's :class:`LineTest` selects, tested
over the whole sample at once. A test may select lines without a hit; it must never leave out a
line with one. Checked on the real classifiers, finders and tests:

1. differential: ``classify()`` and ``explain_field()`` with the prefilter equal the same calls
   under ``without_prefilter()`` (every line to the finder, the previous behaviour), on generated
   log samples (hypothesis) and on a table of edge cases per classifier;
2. superset: every line on which a finder finds something is a line its test selects;
3. the block machinery: lines at the block's edges, matches running into the next line, values
   holding a newline (no block), empty lines, repeated and counted lines, the allow list.
"""

from __future__ import annotations

import ipaddress
import random
import re
import string
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from piimap.classifiers import base, credit_card, device_id, email, government_id, ip_address, phone
from piimap.classifiers.bank_account import find_ibans
from piimap.classifiers.base import (
    LiteralLineTest,
    PatternLineTest,
    PerLineTest,
    TextBlock,
    UnionLineTest,
    lines_at,
    lines_matching,
    text_block,
    without_prefilter,
)
from piimap.classifiers.cookie_id import find_cookie_ids
from piimap.classifiers.credentials import find_credentials
from piimap.classifiers.credit_card import find_cards
from piimap.classifiers.custom import CustomClassifier
from piimap.classifiers.device_id import find_device_ids
from piimap.classifiers.email import find_emails
from piimap.classifiers.government_id import find_government_ids
from piimap.classifiers.ip_address import find_ips
from piimap.classifiers.person_name import _TEXT_CANDIDATE
from piimap.classifiers.phone import find_phones
from piimap.classifiers.prefilter import shape_of
from piimap.classifiers.user_agent import find_user_agents
from piimap.classifiers.username import find_usernames
from piimap.engine import build_classifiers
from piimap.model import FieldRef, FieldSample
from piimap.settings import ScanSettings

NO_SPACY = ScanSettings(classifier_options={"person_name": {"use_spacy": False}})
WITH_SPACY = ScanSettings()
CUSTOM = ScanSettings(
    classifier_options={
        "person_name": {"use_spacy": False},
        "custom_categories": [
            {
                "category": "user.financial.bank_account",
                "pattern": r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}",
                "validator": "iban",
            },
            # edges and lookarounds: what a block scan would get wrong, so custom tests search each line
            {"category": "user.custom.ticket", "pattern": r"^T-\d{4}\b|(?<=ref=)\w{6}$"},
            {"category": "user.custom.anything", "pattern": r"\s*"},
        ],
    }
)
FIRST_NAMES = ["Maria", "James", "Linda", "Thomas", "Zoë", "Émile"]
LAST_NAMES = ["Garcia", "Johnson", "Taylor", "Müller", "Robinson"]

#: a finder of every built-in classifier, and the test judge_text gives it
FINDERS = {
    "email": find_emails,
    "ip_address": find_ips,
    "phone": lambda line: find_phones(line, "US"),
    "device_id": find_device_ids,
    "cookie_id": find_cookie_ids,
    # the person-name finder only finds names on lines holding a _TEXT_CANDIDATE match
    "person_name": lambda line: [match.group(0) for match in _TEXT_CANDIDATE.finditer(line)],
    "government_id": find_government_ids,
    "credit_card": find_cards,
    "bank_account": find_ibans,
    "credentials": find_credentials,
    "user_agent": find_user_agents,
    "username": find_usernames,
}


def sample(lines: list[str], counts: list[int] | None = None) -> FieldSample:
    return FieldSample(
        FieldRef("logs", "app.log", None), tuple(lines), counts=tuple(counts) if counts else None
    )


def classifier(classifier_id: str, scan_settings: ScanSettings = NO_SPACY):
    (found,) = [one for one in build_classifiers(scan_settings) if one.id == classifier_id]
    return found


def assert_same_as_without_prefilter(
    lines: list[str], scan_settings: ScanSettings = NO_SPACY, counts: list[int] | None = None
) -> None:
    """Each classifier's detections and explanations agree with and without the prefilter."""
    for one in build_classifiers(scan_settings):
        with_prefilter = (list(one.classify(sample(lines, counts))), one.explain_field(sample(lines, counts)))
        with without_prefilter():
            reference = (list(one.classify(sample(lines, counts))), one.explain_field(sample(lines, counts)))
        assert with_prefilter == reference, (one.id, lines)


def assert_superset(lines: list[str]) -> None:
    """Every line a finder finds something on is a line its classifier's test selects."""
    block = text_block(sample(lines))
    assert block is not None
    for classifier_id, find in FINDERS.items():
        test = classifier(classifier_id).text_prefilter
        assert test is not None, classifier_id
        selected = set(block.lines_passing(test))
        for index, line in enumerate(lines):
            if line and list(find(line)):
                assert index in selected, (classifier_id, line)


# --- generated logs ------------------------------------------------------------------------------


def _digits(count: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=string.digits, min_size=count, max_size=count)


def _hex(count: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789abcdefABCDEF", min_size=count, max_size=count)


TIMESTAMPS = st.one_of(
    st.builds(
        "2024-{}-{} {}:{}:{},{}".format,
        _digits(2),
        _digits(2),
        _digits(2),
        _digits(2),
        _digits(2),
        _digits(3),
    ),
    st.builds(
        "{}-{}-{}T{}:{}:{}.{}Z".format,
        _digits(4),
        _digits(2),
        _digits(2),
        _digits(2),
        _digits(2),
        _digits(2),
        _digits(3),
    ),
    st.builds("[2024-03-{} {}:00:00]".format, _digits(2), _digits(2)),
    st.builds("Mar  {} {}:{}:{}".format, _digits(1), _digits(2), _digits(2), _digits(2)),
    st.builds("{}/Mar/2024:{}:00:00 +0000".format, _digits(2), _digits(2)),
    st.builds("{}:{}:{}".format, _digits(2), _digits(2), _digits(2)),
)
IPV4 = st.builds(
    "{}{}.{}.{}.{}{}".format,
    st.sampled_from(
        [
            "",
            "v",
            "Chrome/",
            "version ",
            "ip=",
            "client ",
            "ver: ",
            "(",
            "10.",
            "1.",
            "~~",
            "KB ",
            "oid=",
            "Revision: ",
        ]
    ),
    st.integers(0, 300),
    st.integers(0, 255),
    st.integers(0, 255),
    st.integers(0, 300),
    st.sampled_from(["", ":8080", "/24", ".1", "-rc1", ")", ",", ".", "~", "~en-US"]),
)
IPV6 = st.one_of(
    st.integers(0, 2**128 - 1).map(lambda number: ipaddress.IPv6Address(number).compressed),
    st.integers(0, 2**128 - 1).map(lambda number: ipaddress.IPv6Address(number).exploded),
    st.sampled_from(
        [
            "::1",
            "fe80::1",
            "2001:db8::1:2",
            "::ffff:192.0.2.1",
            "fe80::1%eth0",
            "Foo::bar",
            "a::b",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7",
            "[2001:db8::1]:443",
        ]
    ),
)
EMAILS = st.one_of(
    st.from_regex(r"[a-z0-9._%+'-]{1,12}@[a-z0-9-]{1,10}(\.[a-z0-9-]{1,8}){0,2}\.[a-z]{2,4}", fullmatch=True),
    st.sampled_from(
        ["jane@example.com", "mailto:jane.doe@corp.example.co.uk", "icon@2x.png", "a@b", "@", "x@y."]
    ),
)
PHONES = st.one_of(
    st.builds("+1 {}-{}-{}".format, _digits(3), _digits(3), _digits(4)),
    st.builds("({}) {}-{}".format, _digits(3), _digits(3), _digits(4)),
    st.builds("{}.{}.{}".format, _digits(3), _digits(3), _digits(4)),
    st.builds("{}-{}-{}".format, _digits(3), _digits(3), _digits(4)),
    st.builds("+44 20 {} {}".format, _digits(4), _digits(4)),
    st.builds("0049 30 {}".format, _digits(7)),
    st.builds("+49\u00a030\u00a0{}".format, _digits(7)),
    st.builds("+1{}".format, _digits(10)),
    st.builds("({})".format, _digits(10)),
    st.sampled_from(
        [
            "+1 415-555-0134",
            "(415) 555-0134",
            "415.555.0134",
            "020 7946 0958",
            "+33 6 12 34 56 78",
            "tel:+14155550134",
            "+1-415-555-0134x5678",
            "1-800-FLOWERS",
        ]
    ),
)
UUIDS = st.builds(
    "{}{}-{}-{}-{}-{}".format,
    st.sampled_from(["idfa=", "device_id: ", '"gaid": "', "request_id=", "trace=", "IDFA = '", "ımei=", ""]),
    _hex(8),
    _hex(4),
    _hex(4),
    _hex(4),
    _hex(12),
)
MACS = st.one_of(
    st.lists(_hex(2), min_size=6, max_size=6).map(":".join),
    st.lists(_hex(2), min_size=6, max_size=6).map("-".join),
    st.sampled_from(["001a.2b3c.4d5e", "ff:ff:ff:ff:ff:ff", "01:00:5e:00:00:01"]),
)
IMEIS = st.builds("{}{}".format, st.sampled_from(["imei=", "IMEI: ", "", "35-"]), _digits(15))
COOKIES = st.one_of(
    st.builds(
        "sessionid={}".format, st.text(alphabet=string.ascii_letters + string.digits, min_size=6, max_size=30)
    ),
    st.builds("_ga=GA1.2.{}.{}".format, _digits(9), _digits(10)),
    st.builds("GA1.2.{}.16{}".format, _digits(10), _digits(8)),
    st.sampled_from(
        [
            "JSESSIONID=ABCDEF0123456789ABCD",
            "_pk_id.1.1fff=0123456789abcdef.1600000000.",
            '"sid": "a1b2c3d4e5f6g7h8"',
            "Cookie: _fbp=fb.1.1596403881668.1116446470",
            "visitor_id :  x9y8z7w6v5u4",
            "ſessionid=abcdef123456",
            "coo\u212aie_id=abcdef123456",
            "SESSION_ID = 'Zx81Yw72Vu63'",
            "_hjSessionUser_12=eyJpZCI6IjEyMyJ9",
            "sid=short",
            "session: started",
        ]
    ),
)
NAMES = st.builds(
    "{}{}{}".format,
    st.sampled_from(FIRST_NAMES),
    st.sampled_from([" ", "  ", "\t", "\u00a0", "\u2003", ", "]),
    st.sampled_from(LAST_NAMES),
).map(lambda name: name if len(name) % 3 else name.lower())
JUNK = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="İıſKé\u00a0\t\r 0123456789.-:()+=@aA", max_size=25),
    st.from_regex(r"[0-9]{1,16}(\.[0-9]{1,4}){0,5}", fullmatch=True),
    st.sampled_from(
        [
            "Health Check passed",
            "Scheduler::tick",
            "GC pause 12ms",
            "2024-01-15",
            "3.2.17",
            "-",
            "x",
            "1.2.3.4.5",
            "0.83",
            "took 717 ms",
            "pid=12345",
            "batch 4615430 committed",
            "",
            "2024-03-05 12",
        ]
    ),
)
#: issue #13's shapes: ids with and without valid check digits, cards, IBANs, secrets, agents, auth lines
IDENTIFIERS = st.one_of(
    st.builds("{}-{}-{}".format, _digits(3), _digits(2), _digits(4)),
    st.builds("{}.{}.{}-{}".format, _digits(3), _digits(3), _digits(3), _digits(2)),
    st.sampled_from(
        [
            "536-22-1234",
            "390.533.447-05",
            "AB 12 34 56 C",
            "RSSMRA85T10A562S",
            "12345678Z",
            "X1234567L",
            "11010519491231002X",
            "4111 1111 1111 1111",
            "4111111111111111",
            "3782 822463 10005",
            "DE89 3704 0044 0532 0130 00",
            "GB82WEST12345698765432",
            "Bearer mF_9.B5f-4.1JqM_a7xY3Zk",
            "eyJhbGciOiAiSFMyNTYifQ.eyJzdWIiOiAiMSJ9.c2ln",
            "$2b$12$" + "a" * 53,
            "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/120.0",
            "Failed password for invalid user admin from",
            "session opened for user bob",
            "user=carol",
        ]
    ),
    st.builds("{} {} {} {}".format, _digits(4), _digits(4), _digits(4), _digits(4)),
)
TOKENS = st.one_of(
    TIMESTAMPS, IPV4, IPV6, EMAILS, PHONES, UUIDS, MACS, IMEIS, COOKIES, NAMES, IDENTIFIERS, JUNK
)
SEPARATORS = st.sampled_from(
    [" ", "  ", ", ", "=", ": ", "\t", "\u00a0", "", "(", ")", "-", "/", '"', "'", ";", "[", "] ", "+", "."]
)
LINES = st.lists(st.tuples(SEPARATORS, TOKENS), min_size=1, max_size=6).map(
    lambda parts: "".join(separator + token for separator, token in parts)
)


@pytest.mark.slow
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(lines=st.lists(LINES, min_size=1, max_size=30))
def test_generated_logs_give_the_same_detections_with_and_without_the_prefilter(lines: list[str]) -> None:
    assert_same_as_without_prefilter(lines)


@pytest.mark.slow
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(lines=st.lists(LINES, min_size=1, max_size=30))
def test_every_line_with_a_hit_is_selected(lines: list[str]) -> None:
    lines = [line.replace("\n", " ") for line in lines]  # a block is made only without newlines in lines
    assert_superset(lines)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(
    lines=st.lists(LINES, min_size=1, max_size=12),
    repeats=st.lists(st.integers(1, 5), min_size=12, max_size=12),
)
def test_counted_samples_and_custom_categories_agree(lines: list[str], repeats: list[int]) -> None:
    distinct = list(dict.fromkeys(lines))
    assert_same_as_without_prefilter(distinct, CUSTOM, counts=repeats[: len(distinct)])


# --- edge cases, per classifier --------------------------------------------------------------------

EDGE_CASES = {
    "email": [
        "a@b.co",
        "x" * 70 + "@example.com",
        "to: " + "y" * 64 + "@example.org",
        "foo @ bar.com",
        "@@@",
        "mailto:jane@example.com.",
        "'jane'@example.com",
        "icon@2x.png a@b.c jane@example.com",
        "user=robert.martinez2046@example.co.uk agent=x",
    ],
    "ip_address": [
        "1.2.3.4",
        "Chrome/96.0.4664.110",
        "v1.2.3.4",
        "version: 10.0.0.1",
        "version :  10.0.0.1",
        "build=8.8.8.8",
        "release\t 8.8.4.4",
        "a/8.8.8.8",
        "10.0.0.1:8080",
        "::1",
        "fe80::1",
        "2001:db8:0:0:0:0:0:1",
        "12:00:00",
        "Foo::bar",
        "a::b",
        "1:2:3:4:5:6:7:8",
        "::ffff:1.2.3.4",
        "x 300.1.1.1 y",
        "1.2.3.4.5",
        "8.8.8.8.",
        "VERSION 9.9.9.9",
        "ſversion 8.8.8.8",
        "no address here",
    ],
    "phone": [
        "+1 415-555-0134",
        "(415) 555-0134",
        "415.555.0134",
        "415-555-0134",
        "2024-03-05 415 555 0134",
        "2024-03-05 12:00:00 call (415) 555-0134",
        "[2024-03-05 12:00:00] +44 20 7946 0958",
        "2024-03-05T12:00:00 +1 415 555 0134",
        "id 4155550134",
        "+4155550134",
        "(4155550134)",
        "0044 20 7946 0958",
        "1.2.3.4 415 555 0134",
        "415\u00a0555\u00a00134",
        "+1\u00a0415\u00a0555\u00a00134",
        "2024-03-05 1234567",
        "x2024-03-05 12:",
        "+2024-03-05 12:00",
        "2024-03-05 (415) 555-0134",
        "2024-03-05 12a",
        "(2024-03-05 12:00)",
        "12 2024-03-05 12:00",
        "+1 2024-03-05 12:00",
        "2024-03-05",
        "1.2.3.4-5678901",
        "a1234567 b",
        "+1 (415) 555-0134 ext. 12",
        "٤١٥ ٥٥٥ ٠١٣٤",
        "phone: 4155550134",
        # a date and an hour that read as a valid number (202-403-0512): the date must not be blanked
        "2024-03-05 12, then",
        "[2024-03-05 12,]",
        "(2024-03-05 12)",
        "2024-03-05 12 ok",
    ],
    "device_id": [
        "00:1a:2b:3c:4d:5e",
        "00-1A-2B-3C-4D-5E",
        "001a.2b3c.4d5e",
        "idfa=6D92078A-8246-4BA4-AE5B-76104861E7DC",
        "IDFA : '6d92078a82464ba4ae5b76104861e7dc'",
        "ımei=356938035643809",
        "android_id: 9774d56d682e549c",
        "device_id =   '6D92078A-8246-4BA4-AE5B-76104861E7DC'",
        "trace=6D92078A-8246-4BA4-AE5B-76104861E7DC",
        "12:00:00",
        "aa:bb:cc",
        "advertising_id=" + "f" * 36,
    ],
    "cookie_id": [
        "sessionid=abcdef123456",
        "_ga=GA1.2.1234567890.1600000000",
        "GA1.2.1234567890.1600000000",
        "JSESSIONID=ABCDEF0123456789ABCD",
        "_pk_id.1.1fff=0123456789abcdef.1600000000.",
        '"sid": "a1b2c3d4e5f6g7h8"',
        "Cookie: _fbp=fb.1.1596403881668.1116446470",
        "visitor_id :  x9y8z7w6v5u4",
        "ſessionid=abcdef123456",
        "coo\u212aie_id=abcdef123456",
        "SESSION_ID = 'Zx81Yw72Vu63'",
        "_hjSessionUser_12=eyJpZCI6IjEyMyJ9",
        "connect.sid=s%3Aabcdef123456",
        "ajs_anonymous_id=%22a1b2c3d4e5%22",
        "sid=short",
    ],
    "person_name": [
        "Maria Garcia",
        "maria garcia",
        "Zoë Garcia",
        "Maria\u00a0Garcia",
        "Maria\tGarcia",
        "Maria  Garcia",
        "ticket assigned to Thomas Taylor today",
        "MARIA GARCIA",
        "Émile Müller",
        "Health Check",
        "x" * 2100 + " Maria Garcia",
    ],
}
FILLER = ["2024-03-05 00:00:00,000 INFO [worker-1] pid=1234 heartbeat ok", "", "Scheduler::tick done"]


@pytest.mark.parametrize(
    ("classifier_id", "line"), [(key, line) for key, lines in EDGE_CASES.items() for line in lines]
)
def test_edge_cases_agree_and_are_selected(classifier_id: str, line: str) -> None:
    for lines in ([line], [line, *FILLER], [*FILLER, line], [FILLER[0], line, FILLER[2]], [line, line]):
        assert_same_as_without_prefilter(lines)
        assert_superset(lines)


def test_the_edge_cases_hold_hits() -> None:
    """The table is not only misses: most classifiers find something on several of its lines."""
    for classifier_id, lines in EDGE_CASES.items():
        found = [line for line in lines if list(FINDERS[classifier_id](line))]
        assert len(found) >= 3, classifier_id


def test_names_confirmed_by_spacy_agree() -> None:
    lines = (
        [
            f"ticket {number} assigned to {first} {last}"
            for number, (first, last) in enumerate(zip(FIRST_NAMES * 8, LAST_NAMES * 10))
        ]
        + FILLER
        + EDGE_CASES["person_name"]
    )
    one = classifier("person_name", WITH_SPACY)
    found = list(one.classify(sample(lines)))
    with without_prefilter():
        assert found == list(one.classify(sample(lines)))
    assert found and found[0].matched > 0


def test_custom_categories_search_each_line() -> None:
    lines = ["T-1234 opened", "see T-1234", "ref=ABC123", "ref=ABC1234", "paid to DE89370400440532013000", ""]
    assert_same_as_without_prefilter(lines, CUSTOM)
    (ticket,) = [
        one
        for one in CustomClassifier(CUSTOM).classify(sample(lines))
        if one.category == "user.custom.ticket"
    ]
    assert (ticket.matched, ticket.sampled) == (2, 5)


def test_allowed_values_are_dropped_the_same_way() -> None:
    allow = ScanSettings(
        classifier_options={
            "person_name": {"use_spacy": False},
            "allow": {"values": ["jane@example.com", "8.8.8.8"]},
        }
    )
    lines = ["from jane@example.com", "from 8.8.8.8", "from 8.8.4.4 and jane@example.com", "bob@example.org"]
    assert_same_as_without_prefilter(lines, allow)


# --- the finders themselves: each still finds what its previous form found ----------------------------
#
# The finders were made cheaper too (no cached shape per line, searches started where a match can
# start, a version word ruled out by its last letter). Their previous forms, as they were:


def previous_find_emails(line: str) -> tuple:
    if "@" not in line:
        return ()
    return tuple(
        email.TextHit(match.group(0), email.EMBEDDED_STRENGTH)
        for match in email._IN_TEXT.finditer(line)
        if email.is_email(match.group(0).strip(".'"))
    )


def previous_find_ips(line: str) -> tuple:
    shape = shape_of(line)
    hits = []
    if shape.dots >= 3:
        for match in ip_address._V4_IN_TEXT.finditer(line):
            if ip_address._VERSION_BEFORE.search(line, 0, match.start()):
                continue
            strength = ip_address.ip_strength(match.group(1))
            if strength > 0:
                hits.append(ip_address.TextHit(match.group(1), strength * 0.95))
    if shape.colons >= 2:
        for match in ip_address._V6_IN_TEXT.finditer(line):
            candidate = match.group(1)
            if candidate.count(":") < 2 or ("::" not in candidate and candidate.count(":") != 7):
                continue
            try:
                address = ipaddress.IPv6Address(candidate)
            except ValueError:
                continue
            strength = ip_address._address_strength(address)
            if strength > 0:
                hits.append(ip_address.TextHit(candidate, strength * 0.95))
    return tuple(hits)


def previous_find_device_ids(line: str) -> tuple:
    hits = []
    if shape_of(line).colons >= 5 or "-" in line:
        for match in device_id._MAC_IN_TEXT.finditer(line):
            if device_id._is_device_mac(match.group(1)):
                hits.append(device_id.TextHit(match.group(1), device_id.MAC_STRENGTH * 0.95))
    for match in device_id._KEYED_IN_TEXT.finditer(line):
        strength = device_id.device_id_strength(match.group(1), True, False)
        if strength > 0:
            hits.append(device_id.TextHit(match.group(1), strength * 0.95))
    return tuple(hits)


def previous_find_phones(line: str, region: str) -> tuple:
    if shape_of(line).digits < 7:
        return ()
    hits = []
    for match in phone._TEXT_CANDIDATE.finditer(line):
        candidate = match.group(0).strip(" -.")
        if candidate.startswith("(") and ")" not in candidate:
            candidate = candidate[1:]
        digits = sum(char.isdigit() for char in candidate)
        if not 7 <= digits <= 15 or candidate.isdigit() or candidate.count(".") >= 3:
            continue
        if phone._DATE.match(candidate) or ":" in candidate:
            continue
        strength = phone.phone_strength(candidate, region, False)
        if strength >= phone.INTERNATIONAL_STRENGTH:
            hits.append(phone.TextHit(candidate, phone.TEXT_INTERNATIONAL_STRENGTH))
        elif strength >= phone.NATIONAL_STRENGTH:
            hits.append(phone.TextHit(candidate, phone.TEXT_NATIONAL_STRENGTH))
    return tuple(hits)


def assert_finders_agree_with_previous_forms(line: str) -> None:
    assert tuple(find_emails(line)) == previous_find_emails(line), line
    assert tuple(find_ips(line)) == previous_find_ips(line), line
    assert tuple(find_device_ids(line)) == previous_find_device_ids(line), line
    assert tuple(find_phones(line, "US")) == previous_find_phones(line, "US"), line


@pytest.mark.slow
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(line=st.one_of(LINES, st.lists(LINES, min_size=2, max_size=3).map("\n".join), st.text(max_size=80)))
def test_finders_find_what_their_previous_forms_found(line: str) -> None:
    assert_finders_agree_with_previous_forms(line)


VERSION_WORDS = [
    "version 1.2.3.4",
    "ver 1.2.3.4",
    "v1.2.3.4",
    "v 8.8.8.8",
    "build: 8.8.8.8",
    "build :\t8.8.8.8",
    "release= 8.8.8.8",
    "a/8.8.8.8",
    "xversion 8.8.8.8",
    "VERSION\u00a0: 8.8.8.8",
    "ſversion 8.8.8.8",
    "version\n8.8.8.8",
    "version:\n 8.8.8.8",
    "8.8.4.4 version 8.8.8.8",
    "reversion 8.8.8.8",
    "version:: 8.8.8.8",
    "from 8.8.8.8",
    ": 8.8.8.8",
    "= 8.8.8.8",
    "Chrome/96.0.4664.110",
    "Package_for_KB2506143~31bf3856ad364e35~amd64~~6.1.1.0",
    "kb 8.8.8.8",
    "firmware: 8.8.8.8",
    "revision=8.8.8.8",
    "Kb 8.8.8.8",
    "\u212ab 8.8.8.8",
    "OID 1.3.6.1",
    "8.8.8.8~",
    "idfa=6D92078A-8246-4BA4-AE5B-76104861E7DC",
    "x" * 20 + " device_id  =  '6D92078A-8246-4BA4-AE5B-76104861E7DC'",
    "aa:bb:cc:dd:ee:02 and 00-1a-2b-3c-4d-5e",
    "from jane@example.com",
    "a.b@c.d " + "e" * 70 + "@example.com",
    "(415) 555-0134 and +44 20 7946 0958",
]


@pytest.mark.parametrize("line", VERSION_WORDS + [line for lines in EDGE_CASES.values() for line in lines])
def test_finders_agree_with_previous_forms_on_edge_cases(line: str) -> None:
    assert_finders_agree_with_previous_forms(line)


# --- the block machinery ---------------------------------------------------------------------------


def test_a_value_holding_a_newline_gets_no_block_and_every_line_goes_to_the_finder() -> None:
    lines = ["first line", "jane@example.com\nsecond part 8.8.8.8", "Maria\nGarcia", "last"]
    assert text_block(sample(lines)) is None
    assert_same_as_without_prefilter(lines)
    (email,) = [one for one in classifier("email").classify(sample(lines))]
    assert email.matched == 1


def test_the_block_puts_a_newline_around_every_line() -> None:
    lines = ["a@b", "", "c"]
    block = text_block(sample(lines))
    assert block is not None and block.text == "\na@b\n\nc\n"
    assert block.lines == tuple(lines)
    assert block.utf8 == b"\na@b\n\nc\n"


def test_lines_at_reports_each_line_once_and_a_match_running_on_does_not_hide_the_next() -> None:
    block = TextBlock(("xx ab", "ab ab", "no", "ab"), "\nxx ab\nab ab\nno\nab\n")
    assert PatternLineTest(re.compile("ab")).candidate_lines(block) == [0, 1, 3]
    # "b\s*a" runs from line 0 into line 1; line 1's own match must still be found
    assert PatternLineTest(re.compile(r"b\s*a")).candidate_lines(block) == [0, 1]
    assert LiteralLineTest("ab").candidate_lines(block) == [0, 1, 3]
    assert PerLineTest(re.compile("^ab")).candidate_lines(block) == [1, 3]
    union = UnionLineTest((LiteralLineTest("no"), PerLineTest(re.compile("^ab"))))
    assert union.candidate_lines(block) == [1, 2, 3]
    text = block.utf8
    assert lines_at(text, lambda position: text.find(b"ab", position)) == [0, 1, 3]


def test_folded_bytes_only_when_ignoring_case_sees_the_same() -> None:
    assert text_block(sample(["SessionID=ABC", "é"])).folded == b"\nsessionid=abc\n\xc3\xa9\n"
    for odd in ("\u0130", "\u0131", "\u017f", "\u212a"):
        assert text_block(sample([f"{odd}d=1"])).folded is None
        assert re.fullmatch("[a-z]", odd, re.IGNORECASE)  # why: these match ASCII letters


def test_test_answers_are_kept_per_block() -> None:
    calls = []

    class Counting:
        def candidate_lines(self, block: TextBlock) -> list[int]:
            calls.append(block)
            return [0]

    block = text_block(sample(["x"]))
    counting = Counting()
    assert block.lines_passing(counting) == [0] and block.lines_passing(counting) == [0]
    assert len(calls) == 1


def test_without_prefilter_turns_blocks_off_and_back_on() -> None:
    one = sample(["a@b.co"])
    with without_prefilter():
        assert text_block(one) is None
        assert base._prefilter_on is False
    assert text_block(one) is not None


HOSTILE = [
    "sess" * 1024,
    "sessionuser_" * 341,
    "_pk_id" * 682,
    "0." * 2048,
    "0" * 4096,
    "1.1.1.1 " * 512,
    "= " * 2048,
    "=" + " " * 4095,
    ":" * 4096,
    "::" + "f:" * 2047,
    "aa:" * 1365,
    "-ab" * 1365,
    "A a" * 1365,
    " Aa" * 1365,
    "GA1." * 1024,
    "2024-03-05 " * 372,
    "+1 " * 1365,
    "(" * 4096,
    "İ" * 4096,
    "x@" * 2048,
    "\u00a00" * 2048,
]


def test_line_tests_take_linear_time_on_hostile_lines() -> None:
    """A test scans each line once at most from each start it tries: no pattern backtracks over a line."""
    lines = [line[:4096] for line in HOSTILE for _ in range(20)]  # values are cut at max_value_length
    block = text_block(sample(lines))
    assert block is not None
    for classifier_id in FINDERS:
        test = classifier(classifier_id).text_prefilter
        started = time.perf_counter()
        block.lines_passing(test)
        assert time.perf_counter() - started < 1.0, classifier_id


# Prefilters written for speed (shared prefixes factored out) select exactly the lines of their
# plain reference alternations.
# characters the patterns turn on (digits, capitals, separators, word characters before an SSN),
# an Arabic-Indic digit (``\d`` is Unicode) and a few others
REFERENCE_ALPHABET = "0123456789" * 4 + "ABCDXYZ" * 2 + "  --..__ab:/,=\u0663"

REFERENCE_LINES = [
    "ssn 123-45-6789 here",
    "x123-45-6789",  # after a word character: not an SSN start
    "1123-45-6789",  # the SSN's lookbehind is not met at 123, but 1123-... holds no SSN start either
    ".123-45-6789",
    "cpf 123.456.789-09",
    "nino AB 12 34 56 C",
    "AB123456",
    "cf RSSMRA85T10A562S",
    "85T10A562",
    "dni 12345678Z",
    "1234567-Z",
    "ric 11010519491231002X",
    "12345678901234567",
    "card 4111 1111 1111 1111",
    "4111-111111-11111",
    "4111111111111",
    "411111111111",
    "2024-03-05 10:11:12,345 INFO took 512ms",
    "",
]


def _reference_corpus(seed: int, count: int) -> list[str]:
    chooser = random.Random(seed)
    return ["".join(chooser.choices(REFERENCE_ALPHABET, k=chooser.randint(0, 40))) for _ in range(count)]


@pytest.mark.parametrize(
    ("fast", "reference"),
    [
        (government_id.TEXT_LINES_OVER_TEXT.pattern, government_id.TEXT_LINES_REFERENCE),
        (credit_card.TEXT_LINES_OVER_TEXT.pattern, credit_card.TEXT_LINES_REFERENCE),
    ],
    ids=["government_id", "credit_card"],
)
def test_the_fast_prefilter_selects_the_lines_of_its_reference(
    fast: re.Pattern, reference: re.Pattern
) -> None:
    lines = REFERENCE_LINES + _reference_corpus(19, 40_000)
    for line in lines:
        assert (fast.search(line) is None) == (reference.search(line) is None), line
    text = "\n".join(lines)
    selected = lines_matching(text, fast)
    assert selected == lines_matching(text, reference)
    assert 0 < len(selected) < len(lines)  # the corpus holds lines of both kinds


# Over ASCII text the prefilters look for digits and capitals as ``0`` and ``A`` (ClassLineTest):
# the lines they select are those of a plain pattern over the text (the government-id one is its
# reference without the SSN's lookbehind: a few more lines); over other text, their fallback's.
CLASS_REFERENCES = {
    "government_id": re.compile(
        r"\d{3}-\d{2}-\d{4}|\d{3}\.\d{3}\.\d{3}-|[A-Z]{2} ?\d{2} ?\d{2} ?\d{2}|\d{2}[A-Z]\d{2}[A-Z]\d{3}"
        r"|\d{7}-?[A-Z]|\d{17}",
        re.ASCII,
    ),
    "credit_card": re.compile(credit_card.TEXT_LINES_REFERENCE.pattern, re.ASCII),
    "bank_account": re.compile(r"[A-Z]{2}\d\d", re.ASCII),
}


@pytest.mark.parametrize("classifier_id", sorted(CLASS_REFERENCES))
@pytest.mark.parametrize("seed", range(3))
def test_class_prefilters_select_the_lines_of_their_plain_pattern(classifier_id: str, seed: int) -> None:
    test = classifier(classifier_id).text_prefilter
    assert isinstance(test, base.ClassLineTest)
    lines = REFERENCE_LINES + [line.replace("\u0663", "7") for line in _reference_corpus(seed, 20_000)]
    block = text_block(sample(lines))
    assert block is not None and block.classes is not None
    selected = block.lines_passing(test)
    assert selected == lines_matching(block.text, CLASS_REFERENCES[classifier_id])
    assert 0 < len(selected) < len(lines)
    if classifier_id != "bank_account":  # the government-id and card references of the text patterns
        reference = (government_id if classifier_id == "government_id" else credit_card).TEXT_LINES_REFERENCE
        assert set(lines_matching(block.text, reference)) <= set(selected)


@pytest.mark.parametrize("classifier_id", sorted(CLASS_REFERENCES))
def test_class_prefilters_fall_back_to_a_text_pattern_on_other_text(classifier_id: str) -> None:
    """``\\d`` matches other digits too: a block that is not ASCII is searched by the fallback."""
    test = classifier(classifier_id).text_prefilter
    lines = REFERENCE_LINES + _reference_corpus(29, 20_000)  # with Arabic-Indic digits
    block = text_block(sample(lines))
    assert block is not None and block.classes is None
    assert block.lines_passing(test) == block.lines_passing(test.fallback)
