"""Hostile input for every classifier (hypothesis): random text, near-miss PII, and pathological
strings aimed at each validator's regexes, with a time bound per value.

The promise: ``classify()`` never raises, returns well-formed detections (confidence in [0, 1],
matched <= sampled, at most ``max_examples`` examples, none of them a raw value), and takes
bounded time even for a 100 KB value (checked with ``time.perf_counter`` as a sanity bound, not
a benchmark: speed targets live in ``bench/``).
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from piimap.classifiers.person_name import load_spacy
from piimap.engine import build_classifiers
from piimap.model import FieldRef, FieldSample
from piimap.protocols import Classifier
from piimap.settings import ScanSettings

SETTINGS = ScanSettings()
CLASSIFIERS: tuple[Classifier, ...] = build_classifiers(SETTINGS)
# Load lazy resources (name lists, phone metadata, the spaCy pipeline) before anything is timed.
for _classifier in CLASSIFIERS:
    list(_classifier.classify(FieldSample(FieldRef("s", "c", "full_name"), ("Jane Doe", "jane@example.com"))))
load_spacy(SETTINGS.spacy_model)
FIELD_NAMES = (
    None,
    "email",
    "phone",
    "full_name",
    "client_ip",
    "idfa",
    "_ga",
    "notes",
    "version",
    "x' OR 1=1 --",
)

NEAR_MISSES = st.one_of(
    st.from_regex(r"[a-zA-Z0-9._%+-]{0,20}@[a-zA-Z0-9.-]{0,15}\.?[a-z]{0,5}", fullmatch=True),
    st.from_regex(r"\+?[0-9 ()./-]{3,24}", fullmatch=True),
    st.from_regex(r"[0-9]{1,4}(\.[0-9]{1,4}){0,4}", fullmatch=True),
    st.from_regex(r"[0-9a-fA-F:]{2,45}", fullmatch=True),
    st.from_regex(
        r"[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{0,4}-?[0-9A-Fa-f]{0,12}", fullmatch=True
    ),
    st.from_regex(r"GA[0-9]\.[0-9]\.[0-9]{0,12}\.?[0-9]{0,12}", fullmatch=True),
    st.from_regex(r"([A-Z][a-z]{0,10} ?){1,4}", fullmatch=True),
)
VALUES = st.one_of(st.text(max_size=200), NEAR_MISSES)


def check(sample: FieldSample, classifier: Classifier) -> float:
    """Classify; assert the detections are well formed; return the seconds it took."""
    started = time.perf_counter()
    detections = list(classifier.classify(sample))
    elapsed = time.perf_counter() - started
    for detection in detections:
        assert isinstance(detection.category, str) and detection.category
        assert 0.0 <= detection.confidence <= 1.0
        assert 0 <= detection.matched <= detection.sampled
        assert len(detection.examples) <= SETTINGS.max_examples
        for example in detection.examples:
            for value in sample.values:
                if len(value.strip()) >= 12 and "*" not in value:
                    assert value.strip() not in example, (classifier.id, example)
    return elapsed


def test_every_built_in_classifier_is_fuzzed() -> None:
    assert {classifier.id for classifier in CLASSIFIERS} >= {
        "email",
        "phone",
        "ip_address",
        "device_id",
        "cookie_id",
        "person_name",
    }


@settings(max_examples=60, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(VALUES, min_size=1, max_size=12), field=st.sampled_from(FIELD_NAMES))
def test_random_and_near_miss_values(values: list[str], field: str | None) -> None:
    sample = FieldSample(FieldRef("s", "c", field), tuple(values))
    for classifier in CLASSIFIERS:
        check(sample, classifier)


PATHOLOGICAL = {
    "a*100000 + @": "a" * 100_000 + "@",
    "a@ * 50000": "a@" * 50_000,
    "x@x. * 25000": "x@x." * 25_000,
    "a. * 50000 + @example.com": "a." * 50_000 + "@example.com",
    "1. * 50000": "1." * 50_000,
    "1.1.1. * 20000": "1.1.1." * 20_000,
    "100000 digits": "1" * 100_000,
    "+1 + '1 ' * 50000": "+" + "1 " * 50_000,
    "100000 hex digits": "f" * 100_000,
    "0: * 50000": "0:" * 50_000,
    "100000 colons": ":" * 100_000,
    "aa: * 33000 (MAC-like)": "aa:" * 33_000,
    "6D92078A- * 11000 (UUID-like)": "6D92078A-" * 11_000,
    "GA1.2. + 100000 digits": "GA1.2." + "1" * 100_000,
    "ab- * 30000": "-".join(["ab"] * 30_000),
    "Smith * 16000 (names)": "Mr. " + "Smith " * 16_000,
    "%40 * 30000": "%40" * 30_000,
    "100000 dots": "." * 100_000,
    "100000 spaces": " " * 100_000,
    "100000 accented letters": "é" * 100_000,
    "newlines and NULs": "\n\x00" * 50_000,
}


@pytest.mark.parametrize("field", [None, "email"])
@pytest.mark.parametrize("case", sorted(PATHOLOGICAL))
def test_pathological_100kb_values_take_bounded_time(case: str, field: str | None) -> None:
    sample = FieldSample(FieldRef("s", "c", field), (PATHOLOGICAL[case],))
    for classifier in CLASSIFIERS:
        elapsed = check(sample, classifier)
        assert elapsed < 1.0, f"{classifier.id} on {case}: {elapsed:.2f}s"
