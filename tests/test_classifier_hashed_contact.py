"""The hashed_contact classifier: SHA-256 digests of e-mail addresses and phone numbers, by field name."""

from __future__ import annotations

import hashlib

import pytest

from piimap.classifiers.hashed_contact import (
    EMAIL,
    PHONE,
    HashedContactClassifier,
    contact_hash,
    hashed_name_category,
)
from piimap.model import FieldRef, FieldSample
from piimap.settings import ScanSettings

DIGESTS = tuple(hashlib.sha256(f"user{index}@example.com".encode()).hexdigest() for index in range(20))


@pytest.mark.parametrize(
    ("field", "values", "expected"),
    [
        ("em", DIGESTS, EMAIL),
        ("ud[em]", DIGESTS, EMAIL),
        ("user_data.em", DIGESTS, EMAIL),
        ("sha256_email_address", DIGESTS, EMAIL),
        ("hashedEmail", tuple(value.upper() for value in DIGESTS), EMAIL),
        ("ph", DIGESTS, PHONE),
        ("phone_number_sha256", DIGESTS, PHONE),
        ("u_hem", DIGESTS, EMAIL),
        ("etag", DIGESTS, None),  # a checksum: the name says nothing about a person
        ("commit", DIGESTS, None),
        ("em", tuple(value[:40] for value in DIGESTS), None),  # SHA-1 length: not recognised
        ("email", ("not a digest",) * 20, None),  # the email classifier's business, not this one's
        ("premium", DIGESTS, None),  # 'em' inside a word is not the word 'em'
    ],
)
def test_digests_are_contact_data_only_under_a_contact_name(field, values, expected):
    classifier = HashedContactClassifier(ScanSettings())
    detections = list(classifier.classify(FieldSample(FieldRef("s", "c", field), values)))
    assert [detection.category for detection in detections] == ([expected] if expected else [])
    for detection in detections:
        assert detection.matched == len(values) and all(
            example.endswith("…") for example in detection.examples
        )
        assert all(value not in " ".join(detection.examples) for value in values)


def test_the_digest_of_a_clear_value_is_the_normalised_one():
    assert (
        contact_hash("  Jane.Doe@Example.COM ", EMAIL) == hashlib.sha256(b"jane.doe@example.com").hexdigest()
    )
    assert contact_hash("+1 (415) 555-0134", PHONE) == hashlib.sha256(b"14155550134").hexdigest()
    assert contact_hash("not an address", EMAIL) is None and contact_hash("12", PHONE) is None
    assert hashed_name_category(None) is None and hashed_name_category("items[].email") == EMAIL


def test_explain_says_why():
    classifier = HashedContactClassifier(ScanSettings())
    tagged = classifier.explain_field(FieldSample(FieldRef("s", "c", "em"), DIGESTS))
    untagged = classifier.explain_field(FieldSample(FieldRef("s", "c", "em"), ("abc",)))
    assert tagged[0].startswith(f"{EMAIL}: 20/20 values are SHA-256 digests")
    assert "no value is a SHA-256 digest" in untagged[0]


def test_a_counted_sample_gives_what_its_values_repeated_out_give():
    """accepts_counts: each distinct value weighed by its count, as if it had been given that often."""
    values = (*DIGESTS[:5], " not a digest ", DIGESTS[5].upper())
    counts = (3, 1, 7, 2, 1, 40, 5)
    field = FieldRef("s", "c", "query.email")
    classifier = HashedContactClassifier(ScanSettings())
    assert HashedContactClassifier.accepts_counts
    counted = list(classifier.classify(FieldSample(field, values, counts=counts)))
    repeated = tuple(value for value, count in zip(values, counts) for _ in range(count))
    uncounted = list(classifier.classify(FieldSample(field, repeated)))
    assert [(d.category, d.matched, d.sampled, d.confidence, d.evidence) for d in counted] == [
        (d.category, d.matched, d.sampled, d.confidence, d.evidence) for d in uncounted
    ]
    assert counted[0].matched == sum(counts) - 40 and counted[0].sampled == sum(counts)
