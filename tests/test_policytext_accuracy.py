"""Precision and recall of policy reading on hand-labelled policies of different styles.

Four splits in ``tests/policytext/corpus`` (``bench/policy_accuracy.py`` prints the figures):

- ``tuning``: the example policy, an e-commerce shop (Markdown), a mobile game with advertising
  SDKs (HTML), a B2B SaaS (numbered plain text): the reader was developed on these.
- ``holdout1``: a health app (Markdown Q&A) and a newsletter (plain text), written and labelled
  before the reader; measured untouched (precision 1.000, recall 0.615), then tuned on.
- ``holdout2``: a food-delivery app (HTML) and a smart thermostat (numbered text), written before
  the tuning on ``holdout1``; measured untouched (0.600 / 0.300), then tuned on.
- ``holdout3``: a budgeting app (Markdown) and an online-courses site (HTML with definition
  lists), written before the tuning on ``holdout2`` and never tuned on. The reader is below the
  targets there; the test says so (``xfail(strict=True)``: it fails the suite once the reader
  meets them, so the README's figures get updated).
"""

from __future__ import annotations

import pytest
from policytext.scoring import Score, corpus_policies, score

from piimap.policytext import extract_policy

STATEMENTS = ("collected", "shared")
DENIALS = ("denied-collection", "denied-sharing", "denied-sale")
SPLITS = ("tuning", "holdout1", "holdout2", "holdout3")
DEVELOPED_ON = ("tuning", "holdout1", "holdout2")


def _split_score(split: str, actions) -> Score:
    total = Score(0, 0, 0)
    for path in corpus_policies(split):
        total += score(extract_policy(path), path.with_name(path.stem + ".labels.yaml"), actions)[0]
    return total


@pytest.fixture(scope="module")
def scores():
    return {split: _split_score(split, STATEMENTS) for split in SPLITS}


def test_the_corpus_has_every_split_and_enough_labels(scores):
    assert len(corpus_policies("tuning")) >= 4
    assert all(len(corpus_policies(split)) >= 2 for split in SPLITS[1:])
    assert sum(score.labelled for score in scores.values()) >= 200


def test_tuning_split_meets_the_targets(scores):
    assert scores["tuning"].precision >= 0.95 and scores["tuning"].recall >= 0.85, scores["tuning"]


def test_every_policy_the_reader_was_developed_on_meets_the_targets_together(scores):
    developed = sum((scores[split] for split in DEVELOPED_ON), Score(0, 0, 0))
    assert developed.precision >= 0.95 and developed.recall >= 0.85, developed


@pytest.mark.xfail(
    strict=True, reason="never-tuned split: precision 0.71 and recall 0.50, below target (README)"
)
def test_never_tuned_split_meets_the_targets(scores):
    assert scores["holdout3"].precision >= 0.95 and scores["holdout3"].recall >= 0.85, scores["holdout3"]


def test_denials_are_read_on_the_tuning_split():
    denials = _split_score("tuning", DENIALS)
    assert denials.precision >= 0.95 and denials.recall >= 0.85, denials
