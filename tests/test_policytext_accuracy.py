"""Precision and recall of policy reading on hand-labelled policies of different styles.

``tests/policytext/corpus/tuning`` (the example policy, an e-commerce shop in Markdown, a mobile
game with advertising SDKs in HTML, a B2B SaaS in numbered plain text) was used to develop the
reader; ``holdout`` (a health app in Markdown Q&A style, a newsletter in plain text) was written
with its labels before the reader and never tuned on. ``bench/policy_accuracy.py`` prints the
same figures per policy.
"""

from __future__ import annotations

import pytest
from policytext.scoring import Score, corpus_policies, score

from piimap.policytext import extract_policy

STATEMENTS = ("collected", "shared")
DENIALS = ("denied-collection", "denied-sharing", "denied-sale")


def _split_score(split: str, actions) -> Score:
    total = Score(0, 0, 0)
    for path in corpus_policies(split):
        total += score(extract_policy(path), path.with_name(path.stem + ".labels.yaml"), actions)[0]
    return total


@pytest.fixture(scope="module")
def scores():
    return {split: _split_score(split, STATEMENTS) for split in ("tuning", "holdout")}


def test_the_corpus_has_both_splits_and_enough_labels():
    assert len(corpus_policies("tuning")) >= 4 and len(corpus_policies("holdout")) >= 2


def test_collection_and_sharing_statements_meet_the_targets_on_the_whole_corpus(scores):
    total = scores["tuning"] + scores["holdout"]
    assert total.labelled >= 130
    assert total.precision >= 0.95, total
    assert total.recall >= 0.85, total


def test_tuning_split_meets_the_targets(scores):
    assert scores["tuning"].precision >= 0.95 and scores["tuning"].recall >= 0.85, scores["tuning"]


def test_held_out_policies_keep_precision(scores):
    # Recall on the held-out split is below the 0.85 target (see the README); precision is not.
    assert scores["holdout"].precision >= 0.95, scores["holdout"]
    assert scores["holdout"].recall >= 0.5, scores["holdout"]


def test_denials_are_read(scores):
    denials = _split_score("tuning", DENIALS) + _split_score("holdout", DENIALS)
    assert denials.precision >= 0.9 and denials.recall >= 0.8, denials
