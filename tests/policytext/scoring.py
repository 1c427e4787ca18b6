"""Scoring policy extraction against hand labels (used by the tests and bench/policy_accuracy.py).

A label names a sentence by a quote and lists what it says: ``collect`` (categories collected),
``share`` (role -> categories), ``deny_collect``, ``deny_share`` (role -> categories; ``any``
when the denial names no recipient) and ``deny_sell``. Extracted statements are matched to a
label when the label's quote is in the statement's sentence. The unit of scoring is one
(sentence, action, role, category) tuple; precision is the share of extracted tuples that are
labelled, recall the share of labelled tuples that were extracted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

CORPUS = Path(__file__).parent / "corpus"
POLICY_SUFFIXES = (".txt", ".md", ".html")
#: The corpus's splits, in the order they were written; the first ones were developed on, the
#: rest held out (each scored once when written, see docs/benchmarks.md).
SPLITS = (
    "tuning",
    "holdout1",
    "holdout2",
    "holdout3",
    "holdout-fresh",
    "holdout-final",
    "holdout-final2",
    "holdout-final3",
    "holdout-2026",
    "holdout-2027",
)
DEVELOPED_ON = ("tuning", "holdout1", "holdout2", "holdout3")
#: The label actions scored as statements (the accuracy goal) and as denials.
STATEMENTS = ("collected", "shared")
DENIALS = ("denied-collection", "denied-sharing", "denied-sale")


@dataclass(frozen=True)
class Score:
    true_positives: int
    extracted: int
    labelled: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.extracted if self.extracted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.labelled if self.labelled else 1.0

    def __add__(self, other: Score) -> Score:
        return Score(
            self.true_positives + other.true_positives,
            self.extracted + other.extracted,
            self.labelled + other.labelled,
        )


def corpus_policies(split: str) -> list[Path]:
    return sorted(path for path in (CORPUS / split).iterdir() if path.suffix in POLICY_SUFFIXES)


def label_tuples(labels_path: Path) -> set[tuple]:
    data = yaml.safe_load(labels_path.read_text(encoding="utf-8"))
    tuples = set()
    for entry in data["statements"]:
        quote = entry["quote"]
        for category in entry.get("collect", []):
            tuples.add((quote, "collected", None, category))
        for role, categories in (entry.get("share") or {}).items():
            for category in categories:
                tuples.add((quote, "shared", role, category))
        for category in entry.get("deny_collect", []):
            tuples.add((quote, "denied-collection", None, category))
        for role, categories in (entry.get("deny_share") or {}).items():
            for category in categories:
                tuples.add((quote, "denied-sharing", role, category))
        for category in entry.get("deny_sell", []):
            tuples.add((quote, "denied-sale", None, category))
    return tuples


def extracted_tuples(extraction, labels: set[tuple], quotes: list[str]) -> set[tuple]:
    """Each extracted (action, role, category) under the quote of its sentence that labels it.

    A sentence that introduces a list is cited with all its items, so several quotes can be in
    one citation; a tuple counts for every quote whose label has it, else for the first quote.
    """
    tuples = set()
    for statement in extraction.statements:
        text = " ".join(statement.citation.text.split())
        if statement.citation.subsection:  # a run-in heading is part of the line a quote is taken from
            text = f"{' '.join(statement.citation.subsection.split())}: {text}"
        inside = [q for q in quotes if " ".join(q.split()) in text] or [f"<unlabelled: {text[:70]}>"]
        role = (
            None if statement.action in ("collected", "denied-collection", "denied-sale") else statement.role
        )
        for category in statement.categories:
            matching = [q for q in inside if (q, statement.action, role, category) in labels] or inside[:1]
            tuples.update((quote, statement.action, role, category) for quote in matching)
    return tuples


def score(extraction, labels_path: Path, actions: tuple[str, ...]) -> tuple[Score, set, set]:
    """Score and the false positives / false negatives for the given actions."""
    labelled = {item for item in label_tuples(labels_path) if item[1] in actions}
    quotes = [
        entry["quote"] for entry in yaml.safe_load(labels_path.read_text(encoding="utf-8"))["statements"]
    ]
    found = {item for item in extracted_tuples(extraction, labelled, quotes) if item[1] in actions}
    hits = labelled & found
    return Score(len(hits), len(found), len(labelled)), found - labelled, labelled - found
