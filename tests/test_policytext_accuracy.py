"""Precision and recall of policy reading on hand-labelled policies of different styles.

Three splits in ``tests/policytext/corpus`` (``bench/policy_accuracy.py`` prints the figures):

- ``tuning``: the example policy, an e-commerce shop (Markdown), a mobile game with advertising
  SDKs (HTML), a B2B SaaS (numbered plain text): the reader was developed on these.
- ``holdout1``: a health app (Markdown Q&A) and a newsletter (plain text), written and labelled
  before the reader; measured once untouched (precision 1.000, recall 0.615), then tuned on.
- ``holdout2``: a food-delivery app (HTML) and a smart thermostat (numbered text), written and
  labelled before any tuning on ``holdout1`` and never tuned on. The reader is below the targets
  there; the test says so (``xfail(strict=True)``: it fails the suite once the reader meets them,
  so the README's figures get updated).
"""

from __future__ import annotations

import pytest
from policytext.scoring import Score, corpus_policies, score

from piimap.policytext import extract_policy

STATEMENTS = ("collected", "shared")
DENIALS = ("denied-collection", "denied-sharing", "denied-sale")
SPLITS = ("tuning", "holdout1", "holdout2")


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
    assert len(corpus_policies("holdout1")) >= 2 and len(corpus_policies("holdout2")) >= 2
    assert sum(score.labelled for score in scores.values()) >= 160


def test_tuning_split_meets_the_targets(scores):
    assert scores["tuning"].precision >= 0.95 and scores["tuning"].recall >= 0.85, scores["tuning"]


def test_first_held_out_split_keeps_precision(scores):
    assert scores["holdout1"].precision >= 0.95, scores["holdout1"]
    assert scores["holdout1"].recall >= 0.7, scores["holdout1"]


@pytest.mark.xfail(strict=True, reason="held-out precision 0.60 and recall 0.30 are below target (README)")
def test_never_tuned_split_meets_the_targets(scores):
    assert scores["holdout2"].precision >= 0.95 and scores["holdout2"].recall >= 0.85, scores["holdout2"]


def test_denials_are_read_on_the_tuning_split():
    denials = _split_score("tuning", DENIALS)
    assert denials.precision >= 0.95 and denials.recall >= 0.85, denials
