"""The loop every built-in classifier shares: distinct values, a validator, a tally, a detection.

A classifier supplies a *judge* (value -> strength between 0 and 1, cached per distinct value) and
the field-name evidence; :func:`judge_field` counts each distinct value once (weighted by how often
it occurs), skips allowed values, stops early once the evidence is decisive (unless
``settings.exhaustive``), keeps examples as the ``evidence`` setting says (masked by default,
:mod:`piimap.evidence`) and writes the explanation that ``piimap explain`` shows.
:func:`judge_text` does the same for unstructured text, where a *finder* returns the hits inside a
line. The confidence formulas are in :mod:`piimap.classifiers.scoring`.
"""

from __future__ import annotations

import threading
import weakref
from collections import Counter
from collections.abc import Callable, Iterable
from itertools import compress
from operator import mul
from dataclasses import dataclass
from typing import ClassVar

from piimap.classifiers.fieldnames import NameEvidence, name_evidence
from piimap.classifiers.options import AllowList, tuning_options
from piimap.classifiers.scoring import field_confidence, text_confidence
from piimap.evidence import example_for
from piimap.model import Detection, FieldSample
from piimap.settings import ScanSettings

__all__ = ["TextHit", "SingleCategoryClassifier", "judge_field", "judge_text", "EARLY_STOP_VALUES", "DECIDED_VALUES", "describe_weight"]

#: with no hit (or only hits) after this many values, a field is decided
EARLY_STOP_VALUES = 64
#: after this many values the hit ratio is known well enough either way
DECIDED_VALUES = 256


@dataclass(frozen=True)
class TextHit:
    """One piece of personal data found inside a line of text."""

    text: str
    strength: float


def describe_weight(evidence: NameEvidence) -> str:
    if not evidence.reason:
        return "field name gives no evidence"
    return f"{evidence.reason} ({evidence.weight:+.2f})"


_recent = threading.local()


def _distinct(sample: FieldSample, allow: AllowList) -> tuple[dict[str, int], int]:
    """Occurrences per distinct stripped value of ``sample``, and how many values were allowed.

    Raw values are counted first (``Counter`` runs in C), so the per-value Python work (strip,
    allow-list check) happens once per distinct value, not once per occurrence. Keys keep the
    order in which values first occur, so early stopping looks at the same values as before.
    The engine hands one sample to every classifier in turn, so the last result is kept (per
    thread) and reused while the sample and the allow-list are the same; callers must not
    change it. The kept result is dropped as soon as the sample itself is, so no raw value
    outlives its sample.
    """
    entry = getattr(_recent, "entry", None)
    if entry and entry[0]() is sample and entry[1] == allow.values:
        return entry[2]
    result = _count_distinct(sample, allow)
    entry = [None, allow.values, result]
    entry[0] = weakref.ref(sample, lambda _gone, entry=entry: entry.clear())
    _recent.entry = entry
    return result


def _count_distinct(sample: FieldSample, allow: AllowList) -> tuple[dict[str, int], int]:
    stripped = list(map(str.strip, sample.values))
    counts: dict[str, int]
    if sample.counts is None:
        counts = Counter(stripped)
    elif stripped == list(sample.values):  # the usual case: distinct values, nothing to strip (in C)
        counts = dict(zip(stripped, sample.counts))
    else:  # values that differ only in surrounding blanks are one value
        counts = {}
        for value, count in zip(stripped, sample.counts):
            counts[value] = counts.get(value, 0) + count
    counts.pop("", None)
    allowed = 0
    if allow.values:
        for value in allow.values & counts.keys():
            allowed += counts.pop(value)
    return counts, allowed


def judge_field(
    sample: FieldSample,
    *,
    classifier_id: str,
    category: str,
    judge: Callable[[str], float],
    evidence: NameEvidence,
    settings: ScanSettings,
    allow: AllowList,
    what: str,
    keep_empty: bool = False,
    example_of: Callable[[str], str] | None = None,
    judge_many: Callable[[list[str]], list[float]] | None = None,
) -> Detection | None:
    """Judge every distinct value of a structured field; ``None`` when nothing matched.

    ``what`` completes "N/M values are ..." in the explanation. With ``keep_empty`` a detection
    is returned even with no match when the field name gave evidence (``piimap explain`` uses it
    to say why a field is not tagged).

    Early stopping (off with ``settings.exhaustive``): a field with no match among its first
    :data:`EARLY_STOP_VALUES` values is decided as not this category. When sampling, a field is
    also decided once all of its first values match, or after :data:`DECIDED_VALUES`; a full read
    (``sample_size`` 0) instead judges every value of a field that matched, so its counts are exact.
    Once a field is known to need every value, ``judge_many`` (when given: ``judge`` of each value
    of a list, computed together) judges all the rest at once.
    """
    counts, allowed = _distinct(sample, allow)
    values = list(counts)
    weights = list(counts.values())
    strengths: list[float] = []
    checked = matched = 0
    stopped_early = False
    early_stop = not settings.exhaustive
    decide_matches = early_stop and settings.sample_size > 0
    for value, count in zip(values, weights):  # one by one until the field is decided
        strength = judge(value)
        strengths.append(strength)
        checked += count
        if strength > 0:
            matched += count
        if checked >= EARLY_STOP_VALUES:
            if (early_stop and matched == 0) or (
                decide_matches and (checked >= DECIDED_VALUES or matched == checked)
            ):
                stopped_early = len(strengths) < len(values)
                break
            if judge_many is not None:  # every value is wanted: judge the rest in one call
                strengths.extend(judge_many(values[len(strengths) :]))
                break
    judged_weights = weights[: len(strengths)]
    checked = sum(judged_weights)
    matched = sum(compress(judged_weights, strengths))
    strength_sum = sum(map(mul, strengths, judged_weights))
    examples: list[str] = []
    for value in compress(values, strengths):
        if len(examples) >= settings.max_examples:
            break
        example = example_for(settings.evidence, category, example_of(value) if example_of else value)
        if example is not None:
            examples.append(example)
    if checked == 0 or (matched == 0 and not (keep_empty and evidence.reason)):
        return None
    confidence = field_confidence(strength_sum, checked, evidence.weight)
    explanation = f"{matched}/{checked} values are {what}; {describe_weight(evidence)}"
    if matched:
        explanation += f"; mean validator strength {strength_sum / matched:.2f}"
    if allowed:
        explanation += f"; {allowed} allowed values ignored"
    if stopped_early:
        explanation += "; decided early"
    return Detection(
        category=category,
        classifier=classifier_id,
        confidence=confidence,
        matched=matched,
        sampled=checked,
        examples=tuple(examples),
        evidence=explanation,
    )


def judge_text(
    sample: FieldSample,
    *,
    classifier_id: str,
    category: str,
    find: Callable[[str], Iterable[TextHit]],
    settings: ScanSettings,
    allow: AllowList,
    what: str,
    keep_empty: bool = False,
) -> Detection | None:
    """Find ``category`` inside free-text lines; confidence is the strongest hit's strength."""
    checked = matched = 0
    strongest = 0.0
    examples: list[str] = []
    seen: dict[str, tuple[TextHit, ...]] = {}
    for line, count in sample.counted():
        if not line:
            continue
        checked += count
        hits = seen.get(line)
        if hits is None:
            hits = tuple(hit for hit in find(line) if not allow.allows_value(hit.text))
            if len(seen) < 4096:
                seen[line] = hits
        if not hits:
            continue
        matched += count
        for hit in hits:
            strongest = max(strongest, hit.strength)
            if len(examples) >= settings.max_examples:
                continue
            example = example_for(settings.evidence, category, hit.text)
            if example is not None and example not in examples:
                examples.append(example)
    if checked == 0 or (matched == 0 and not keep_empty):
        return None
    return Detection(
        category=category,
        classifier=classifier_id,
        confidence=text_confidence(strongest),
        matched=matched,
        sampled=checked,
        examples=tuple(examples),
        evidence=f"{matched}/{checked} lines contain {what} (strongest validator {strongest:.2f})",
    )


class SingleCategoryClassifier:
    """The frame every built-in single-category classifier shares.

    It applies the allow list, sends free text (a field named ``None``) to :func:`judge_text`
    with the hits :meth:`text_finder` finds in a line, and a structured field to
    :meth:`judge_structured` with the field-name evidence; :meth:`explain_field` says in words
    why a field is or is not tagged. Subclasses set ``id``, ``categories`` (one key) and
    ``text_what`` (completes "N lines hold ..."), and implement the two hooks.
    """

    id: ClassVar[str]
    categories: ClassVar[tuple[str]]
    text_what: ClassVar[str]

    def __init__(self, settings: ScanSettings) -> None:
        self.settings = settings
        self.tuning = tuning_options(settings)

    @property
    def category(self) -> str:
        return self.categories[0]

    def classify(self, sample: FieldSample) -> Iterable[Detection]:
        detection = self.detect(sample, keep_empty=False)
        return (detection,) if detection is not None else ()

    def explain_field(self, sample: FieldSample) -> list[str]:
        """Why ``sample``'s field is or is not tagged with this classifier's category, in words."""
        if self.tuning.allow.allows_field(sample.field):
            return [f"{self.category}: field is on the allow list"]
        detection = self.detect(sample, keep_empty=True)
        return [f"{self.category}: {detection.evidence}; confidence {detection.confidence:.2f}"] if detection else []

    def detect(self, sample: FieldSample, *, keep_empty: bool) -> Detection | None:
        """The detection for ``sample``; with ``keep_empty`` also one with no match when the name spoke."""
        if self.tuning.allow.allows_field(sample.field):
            return None
        if sample.field.name is None:
            return judge_text(
                sample, classifier_id=self.id, category=self.category, find=self.text_finder(sample),
                settings=self.settings, allow=self.tuning.allow, what=self.text_what, keep_empty=keep_empty,
            )
        evidence = name_evidence(sample.field, self.category, self.tuning.field_rules)
        return self.judge_structured(sample, evidence, keep_empty=keep_empty)

    def judge_values(
        self,
        sample: FieldSample,
        evidence: NameEvidence,
        judge: Callable[[str], float],
        *,
        what: str,
        keep_empty: bool,
        example_of: Callable[[str], str] | None = None,
        judge_many: Callable[[list[str]], list[float]] | None = None,
    ) -> Detection | None:
        """:func:`judge_field` with this classifier's id, category, settings and allow list."""
        return judge_field(
            sample,
            classifier_id=self.id,
            category=self.category,
            judge=judge,
            evidence=evidence,
            settings=self.settings,
            allow=self.tuning.allow,
            what=what,
            keep_empty=keep_empty,
            example_of=example_of,
            judge_many=judge_many,
        )

    def text_finder(self, sample: FieldSample) -> Callable[[str], tuple[TextHit, ...]]:
        """The function finding this category's hits inside one line of free text."""
        raise NotImplementedError

    def judge_structured(self, sample: FieldSample, evidence: NameEvidence, *, keep_empty: bool) -> Detection | None:
        """Judge a structured field (a column, a document path) given its field-name evidence."""
        raise NotImplementedError
