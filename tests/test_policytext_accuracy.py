"""Precision and recall of policy reading on hand-labelled policies of different styles.

Ten splits in ``tests/policytext/corpus`` (``bench/policy_accuracy.py`` prints the figures, the
README's "Reading the policy text" has the table):

- ``tuning``: the example policy, an e-commerce shop (Markdown), a mobile game with advertising
  SDKs (HTML), a B2B SaaS (numbered plain text): the reader was developed on these.
- ``holdout1`` (health app, newsletter) and ``holdout2`` (food delivery, smart thermostat): each
  written before the tuning on the split before it, measured untouched, then tuned on.
- ``holdout3`` (budgeting app, online courses): measured untouched at 0.708 / 0.500, then, for
  issue #14's generalisation work, studied by error class and tuned on.
- ``holdout-fresh`` (bank notice in legalese, connected car with a recipients table, COPPA reading
  app): written and labelled before that work (untouched 0.833 / 0.325). Its baseline errors were
  printed and read, so it is not a clean holdout, but no rule was written for it.
- ``holdout-final`` (GDPR applicant notice with a recipients table, travel agency with passive
  sharing): written and labelled before that work and measured once at the end of its first round
  (0.667 / 0.476; the reader before the work: 0.895 / 0.405). Its errors were then read and a
  second round of general rules followed, so it is no longer clean either.
- ``holdout-final2`` (ride-hailing app, music streaming with a GDPR purpose table): written and
  labelled after ``holdout-final`` was measured, before the second round, measured once at its end:
  0.759 / 0.564 (the reader before the work: 0.769 / 0.513). Its errors were then read and a third
  round followed (a bold subject, list items that name their data).
- ``holdout-final3`` (video doorbell, telehealth notice of privacy practices): written after
  ``holdout-final2`` was measured, before the third round, measured once at its end: 0.762 / 0.533
  (before the work: 0.692 / 0.300; 0.571 / 0.400 as first scored, before the scorer matched quotes
  that include a run-in heading). Its errors were then read in round 4 (2026-12-05), with those of
  ``holdout-fresh``, ``holdout-final`` and ``-final2``; ``holdout-fresh`` then met the targets.
- ``holdout-2026`` (CCPA notice at collection with a category table, UK GDPR charity notice with
  lawful bases, terse second-person startup page): written and labelled before round 4, scored
  once at its end: 0.929 / 0.433 (the reader before round 4: 0.893 / 0.417). Its errors were read
  in round 5 (table columns by header meaning, recipient complements, hosting, unlisted vendors).
- ``holdout-2027`` (multi-state privacy notice with a six-column HTML table, fintech app in
  contractions and bullets, German GDPR Art. 13/14 translation with a tab-separated processor
  table, school edtech notice): written, labelled and committed before round 5, scored once at its
  end: 0.884 / 0.575 (main's reader before round 5: 0.792 / 0.538). Tab-separated tables, a feature
  of round 5's brief that was missing at the scoring, were added after it (0.886 / 0.585 since, no
  longer a clean figure). With the first figures of the earlier held-out splits, the honest
  estimate for unseen text.

Splits below the targets (precision >= 0.95, recall >= 0.85) are strict xfails with the measured
figure: they fail the suite once the reader meets the target there, so the README gets updated.
Each split also has a floor at its measured figure, so a change that makes reading worse fails.
"""

from __future__ import annotations

import pytest
from policytext.scoring import DENIALS, DEVELOPED_ON, SPLITS, STATEMENTS, Score, corpus_policies, score

from piimap.policytext import extract_policy

#: Measured precision and recall per split (README); a change may raise them, not lower them.
MEASURED = {
    "tuning": (1.000, 0.991),
    "holdout1": (1.000, 0.846),
    "holdout2": (0.967, 0.935),
    "holdout3": (0.944, 1.000),
    "holdout-fresh": (0.960, 0.935),
    "holdout-final": (0.971, 0.810),
    "holdout-final2": (0.969, 0.795),
    "holdout-final3": (0.897, 0.867),
    "holdout-2026": (0.956, 0.717),
    "holdout-2027": (0.886, 0.585),  # scored once at 0.884 / 0.575, then tab tables (see below)
}


def _split_score(split: str, actions) -> Score:
    total = Score(0, 0, 0)
    for path in corpus_policies(split):
        total += score(extract_policy(path), path.with_name(path.stem + ".labels.yaml"), actions)[0]
    return total


def _meets_targets(measured: Score) -> bool:
    return measured.precision >= 0.95 and measured.recall >= 0.85


@pytest.fixture(scope="module")
def scores():
    return {split: _split_score(split, STATEMENTS) for split in SPLITS}


def test_the_corpus_has_every_split_and_enough_labels(scores):
    assert len(corpus_policies("tuning")) >= 4
    assert all(len(corpus_policies(split)) >= 2 for split in SPLITS[1:])
    assert len(corpus_policies("holdout-fresh")) >= 3
    assert sum(score.labelled for score in scores.values()) >= 300


def test_tuning_split_meets_the_targets(scores):
    assert _meets_targets(scores["tuning"]), scores["tuning"]


def test_every_policy_the_reader_was_developed_on_meets_the_targets_together(scores):
    developed = sum((scores[split] for split in DEVELOPED_ON), Score(0, 0, 0))
    assert _meets_targets(developed), developed


@pytest.mark.parametrize("split", SPLITS)
def test_no_split_reads_worse_than_measured(scores, split):
    precision, recall = MEASURED[split]
    assert scores[split].precision >= precision - 0.0005, scores[split]
    assert scores[split].recall >= recall - 0.0005, scores[split]


@pytest.mark.xfail(strict=True, reason="holdout3 after tuning on it: precision 0.944 (34/36), recall 1.000")
def test_holdout3_meets_the_targets(scores):
    assert _meets_targets(scores["holdout3"]), scores["holdout3"]


def test_holdout_fresh_meets_the_targets(scores):
    assert _meets_targets(scores["holdout-fresh"]), scores["holdout-fresh"]


@pytest.mark.xfail(strict=True, reason="holdout-final: precision 0.971 (34/35), recall 0.810 (34/42)")
def test_holdout_final_meets_the_targets(scores):
    assert _meets_targets(scores["holdout-final"]), scores["holdout-final"]


@pytest.mark.xfail(strict=True, reason="holdout-final2: precision 0.969 (31/32), recall 0.795 (31/39)")
def test_holdout_final2_meets_the_targets(scores):
    assert _meets_targets(scores["holdout-final2"]), scores["holdout-final2"]


@pytest.mark.xfail(
    strict=True,
    reason="holdout-final3 after a round on its errors: precision 0.897 (26/29), recall 0.867 (26/30)",
)
def test_holdout_final3_meets_the_targets(scores):
    assert _meets_targets(scores["holdout-final3"]), scores["holdout-final3"]


def test_denials_are_read_on_the_tuning_split():
    denials = _split_score("tuning", DENIALS)
    assert denials.precision >= 0.95 and denials.recall >= 0.85, denials


@pytest.mark.xfail(
    strict=True,
    reason="holdout-2026 after round 5 read its errors (first scored 0.929 / 0.433): "
    "precision 0.956 (43/45), recall 0.717 (43/60)",
)
def test_holdout_2026_meets_the_targets(scores):
    assert _meets_targets(scores["holdout-2026"]), scores["holdout-2026"]


@pytest.mark.xfail(
    strict=True,
    reason="holdout-2027, scored once after round 5, never tuned on: precision 0.884 (61/69), recall 0.575 (61/106); "
    "0.886 (62/70) / 0.585 (62/106) after tab-separated tables were read (a listed feature added after the scoring)",
)
def test_holdout_2027_meets_the_targets(scores):
    assert _meets_targets(scores["holdout-2027"]), scores["holdout-2027"]


def test_the_union_of_every_split_but_the_last_keeps_precision(scores):
    """Round 5's rule: precision on everything the reader may have been shaped by stays >= 0.95."""
    union = sum((scores[split] for split in SPLITS[:-1]), Score(0, 0, 0))
    assert union.precision >= 0.95, union
