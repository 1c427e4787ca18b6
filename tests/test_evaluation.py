"""Field-level precision and recall of the built-in classifiers on the evaluation corpus.

The corpus (``tests/eval/eval_corpus.py``) is seeded Faker data plus hard negatives, in a tuning,
a validation and a held-out split. A column counts as found for a category when the engine
reports it at or above the default threshold (0.5). Findings at or above 0.8 must be right at
least 95% of the time. On every split, with field names and with names hidden (value-only), each
category keeps precision >= 0.98 and recall >= 0.95 (``bench/eval_report.py`` prints the table).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from piimap.engine import build_classifiers, classify_samples
from piimap.model import FieldRef, FieldSample
from piimap.settings import ScanSettings

sys.path.insert(0, str(Path(__file__).parent / "eval"))
from eval_corpus import (  # noqa: E402
    CATEGORIES,
    LOCALES,
    REGIONS,
    build_corpus,
    build_heldout,
    build_validation,
    evaluate,
    precision_recall,
)

pytestmark = pytest.mark.slow  # the evaluation corpus

IP = "user.device.ip_address"


def assert_targets(results, *, value_only: bool) -> None:
    for category in CATEGORIES:
        precision, recall, _, misses = precision_recall(results, category)
        assert recall >= 0.95, (category, misses)
        assert precision >= 0.98, (category, misses)


@pytest.fixture(scope="module")
def outcome():
    settings = ScanSettings()
    classifiers = build_classifiers(settings)
    corpus = build_corpus()
    predictions = []
    for column in corpus:
        sample = FieldSample(FieldRef("eval", column.container, column.field), column.values)
        findings, _ = classify_samples([sample], classifiers, settings)
        predictions.append((column, {finding.category: finding.confidence for finding in findings}))
    return predictions


def test_corpus_covers_every_category_and_locale(outcome) -> None:
    labelled = Counter(column.category for column, _ in outcome)
    assert all(labelled[category] >= len(LOCALES) for category in CATEGORIES)
    assert {column.locale for column, _ in outcome} >= set(LOCALES)
    assert labelled[None] >= 35 * len(LOCALES)
    assert all(len(column.values) >= 50 for column, _ in outcome)


@pytest.mark.parametrize("category", CATEGORIES)
def test_field_level_precision_and_recall(outcome, category: str) -> None:
    true_positive = false_positive = false_negative = 0
    misses = []
    for column, predicted in outcome:
        if category in predicted and column.category == category:
            true_positive += 1
        elif category in predicted:
            false_positive += 1
            misses.append(f"FP {column.container}.{column.field} ({column.kind})")
        elif column.category == category:
            false_negative += 1
            misses.append(f"FN {column.container}.{column.field} ({column.kind})")
    precision = true_positive / max(1, true_positive + false_positive)
    recall = true_positive / max(1, true_positive + false_negative)
    assert precision >= 0.95, misses
    assert recall >= 0.95, misses


def test_high_confidence_findings_are_right(outcome) -> None:
    confident = [
        (column.category, category)
        for column, predicted in outcome
        for category, confidence in predicted.items()
        if confidence >= 0.8
    ]
    right = sum(1 for expected, category in confident if expected == category)
    assert len(confident) >= 100
    assert right / len(confident) >= 0.95


@pytest.mark.parametrize("locale", LOCALES)
def test_national_phone_formats_with_the_matching_default_region(locale: str) -> None:
    """Each locale's national format is found when the scan's default region is that locale's."""
    import phonenumbers
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(7)
    region = REGIONS[locale]
    values = []
    while len(values) < 40:
        try:
            number = phonenumbers.parse(fake.phone_number(), region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            values.append(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))
    settings = ScanSettings(default_region=region)
    findings, _ = classify_samples(
        [FieldSample(FieldRef("eval", "people", "telefon"), tuple(values))],
        build_classifiers(settings),
        settings,
    )
    assert {finding.category for finding in findings} == {"user.contact.phone_number"}


@pytest.mark.parametrize("hide_names", [False, True], ids=["with names", "value-only"])
def test_tuning_split_targets(hide_names: bool) -> None:
    assert_targets(evaluate(build_corpus(), hide_names=hide_names), value_only=hide_names)


@pytest.mark.slow
@pytest.mark.parametrize("split", ["validation", "held-out"])
@pytest.mark.parametrize("hide_names", [False, True], ids=["with names", "value-only"])
def test_validation_and_heldout_split_targets(split: str, hide_names: bool) -> None:
    columns = build_validation() if split == "validation" else build_heldout()
    assert_targets(evaluate(columns, hide_names=hide_names), value_only=hide_names)
