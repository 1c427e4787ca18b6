"""Column judges and exact counts: a full read judges every value of a matching field, fast.

``email_strengths`` and ``ip_strengths`` judge a whole list at once; they must give exactly what
the per-value strength functions give, value by value. ``judge_field`` must give the same
detection with and without them, and in a full read (``sample_size`` 0) count every match.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from piimap.classifiers import email as email_module
from piimap.classifiers import ip_address
from piimap.classifiers.base import EARLY_STOP_VALUES, judge_field
from piimap.classifiers.email import EmailClassifier, email_strengths
from piimap.classifiers.fieldnames import NameEvidence
from piimap.classifiers.ip_address import IpAddressClassifier, ip_strengths
from piimap.classifiers.options import AllowList
from piimap.model import FieldRef, FieldSample
from piimap.settings import ScanSettings

pytestmark = pytest.mark.slow  # column corpora

EMAIL_PIECES = st.sampled_from(
    [
        "a",
        "Z",
        "0",
        ".",
        "..",
        "-",
        "_",
        "+",
        "'",
        "@",
        "@@",
        " ",
        "\n",
        "example",
        "com",
        "org",
        "png",
        "x" * 63,
        "\u00fc",
        "\u00e9",
        "localhost",
        "test",
        "local",
        "mailto:",
        "<",
        ">",
        "%",
        "!",
        "~",
    ]
)
EMAIL_LIKE = st.lists(EMAIL_PIECES, max_size=10).map("".join)
PLAIN_ADDRESS = st.builds(
    lambda local, host, tld: f"{local}@{host}.{tld}",
    st.from_regex(r"[a-z0-9][a-z0-9.+_-]{0,70}", fullmatch=True),
    st.from_regex(r"[a-z0-9-]{1,70}(\.[a-z0-9-]{1,20}){0,3}", fullmatch=True),
    st.sampled_from(["com", "org", "de", "png", "test", "local", "x", "museum"]),
)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.one_of(PLAIN_ADDRESS, EMAIL_LIKE), max_size=30))
def test_email_column_judge_gives_each_values_strength(values: list[str]) -> None:
    assert email_strengths(values) == [email_module._strength(value) for value in values]


@settings(max_examples=200, deadline=None)
@given(values=st.lists(PLAIN_ADDRESS, min_size=1, max_size=30))
def test_email_column_judge_on_columns_of_plain_addresses(values: list[str]) -> None:
    assert email_strengths(values) == [email_module._strength(value) for value in values]


@pytest.mark.parametrize(
    "values",
    [
        [f"customer{index}@example.com" for index in range(500)],
        [f"customer{index}@example.com" for index in range(500)] + ["icon@2x.png"],
        ["a" * 64 + "@example.com", "a" * 65 + "@example.com", "b@" + "c" * 240 + ".com", "d@x.local"],
        [".a@x.org", "a.@x.org", "a..b@x.org", "a@x..org", "a@-x.org", "a@x.org\nb@y.org", "a@x.c0m"],
    ],
)
def test_email_column_judge_edges(values: list[str]) -> None:
    assert email_strengths(values) == [email_module._strength(value) for value in values]


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.tuples(*[st.integers(0, 300)] * 4).map(lambda parts: ".".join(map(str, parts))),
            st.from_regex(r"[0-9.:a-f, \[\]/]{0,24}", fullmatch=True),
        ),
        max_size=30,
    )
)
def test_ip_column_judge_gives_each_values_strength(values: list[str]) -> None:
    ip_address.ip_strength.cache_clear()
    assert ip_strengths(values) == [ip_address.ip_strength(value) for value in values]


def sample_of(field: str, values: list[str], counts: list[int]) -> FieldSample:
    return FieldSample(FieldRef("s", "c", field), tuple(values), 0, tuple(counts))


def mixed_column(seed: int) -> tuple[list[str], list[int], int]:
    """Distinct values, mostly addresses, and how many occurrences are addresses."""
    chooser = random.Random(seed)
    values, counts, addresses = [], [], 0
    for index in range(3000):
        count = chooser.randint(1, 5)
        if chooser.random() < 0.9:
            values.append(f"user{index}@example.org")
            addresses += count
        else:
            values.append(f"not an address {index}")
        counts.append(count)
    return values, counts, addresses


@pytest.mark.parametrize("exhaustive", [False, True])
def test_judge_field_gives_the_same_detection_with_and_without_the_column_judge(exhaustive: bool) -> None:
    values, counts, addresses = mixed_column(seed=3)
    settings_ = ScanSettings(sample_size=0, exhaustive=exhaustive)
    common = dict(
        classifier_id="email",
        category="user.contact.email",
        evidence=NameEvidence(0.0, ""),
        settings=settings_,
        allow=AllowList(),
        what="valid email addresses",
    )
    sample = sample_of("contact", values, counts)
    with_column = judge_field(sample, judge=email_module._strength, judge_many=email_strengths, **common)
    one_by_one = judge_field(sample, judge=email_module._strength, **common)
    assert with_column == one_by_one
    assert with_column.matched == addresses
    assert with_column.sampled == sum(counts)


def test_a_full_read_counts_every_match_and_a_sample_decides_early() -> None:
    values = [f"203.0.{index // 250}.{index % 250 + 1}" for index in range(5000)]
    sample = sample_of("client", values, [2] * len(values))
    (full,) = IpAddressClassifier(ScanSettings(sample_size=0)).classify(sample)
    assert (full.matched, full.sampled) == (10_000, 10_000)
    assert "decided early" not in full.evidence
    (sampled,) = IpAddressClassifier(ScanSettings(sample_size=1000)).classify(sample)
    assert sampled.matched == sampled.sampled < 10_000
    assert sampled.sampled >= EARLY_STOP_VALUES and "decided early" in sampled.evidence


def test_a_field_with_no_match_early_is_still_left_early_in_a_full_read() -> None:
    values = [f"value {index}" for index in range(5000)] + ["jane@example.org"]
    sample = sample_of("notes", values, [1] * len(values))
    assert list(EmailClassifier(ScanSettings(sample_size=0)).classify(sample)) == []
    (exhaustive,) = EmailClassifier(ScanSettings(sample_size=0, exhaustive=True)).classify(sample)
    assert exhaustive.matched == 1


@settings(max_examples=500, deadline=None)
@given(value=st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_the_ascii_shape_is_the_general_shape(value: str) -> None:
    from piimap.classifiers.prefilter import _ascii_shape, _shape

    assert _ascii_shape(value) == _shape(value)


UUIDS = st.uuids().map(str)
DEVICE_LIKE = st.one_of(
    UUIDS,
    UUIDS.map(str.upper),
    UUIDS.map(lambda value: value.replace("-", "")),
    st.from_regex(r"[0-9-]{36}", fullmatch=True),
    st.just("00000000-0000-0000-0000-000000000000"),
    st.from_regex(r"[0-9a-f]{16}|([0-9a-f]{2}:){5}[0-9a-f]{2}|\d{15}|[0-9a-f-]{30,40}", fullmatch=True),
)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(DEVICE_LIKE, max_size=20), named=st.booleans(), hinted=st.booleans())
def test_device_id_column_judge_gives_each_values_strength(
    values: list[str], named: bool, hinted: bool
) -> None:
    from piimap.classifiers.device_id import device_id_strength, device_id_strengths

    assert device_id_strengths(values, named, hinted) == [
        device_id_strength(v, named, hinted) for v in values
    ]


def test_a_column_of_uuids_is_judged_at_once_and_digit_only_ids_are_not_uuids() -> None:
    from piimap.classifiers.device_id import device_id_strength, device_id_strengths

    column = [
        str(__import__("uuid").UUID(int=random.Random(index).getrandbits(128))) for index in range(2000)
    ]
    assert device_id_strengths(column, True, False) == [0.9] * 2000
    digits_only = column + ["12345678-1234-1234-1234-123456789012"]
    assert device_id_strengths(digits_only, True, False) == [
        device_id_strength(v, True, False) for v in digits_only
    ]
    assert device_id_strengths(digits_only, True, False)[-1] == 0.0
