"""User-defined categories from the config file (``custom_categories`` and ``field_rules``).

Each ``custom_categories`` entry names a category (any Fides-style key, such as
``user.financial.bank_account``), a regular expression for its values, an optional checksum
(``luhn``, ``iban`` / ``mod97``) and optional field-name globs. A value counts when the whole value
matches the pattern (and the checksum holds): strength 0.9. Field names matching ``field_names`` are
strong name evidence (+0.35), so a column named for the category with mostly matching values
reaches 1.0. In free text the pattern is searched inside each line (strength 0.85 with a checksum,
0.7 without).

A ``field_rules`` entry whose category no built-in classifier knows tags matching fields by name
alone (its ``confidence``, default 0.8) when the field holds values: the way to say "column
``crm.contacts.nm`` is ``user.name``" or "``*.ssn`` is ``user.government_id``" without code.

Known false positives: whatever the user's pattern over-matches; patterns without a checksum on
short digit strings match many identifiers.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from functools import partial

from piimap.classifiers.base import PerLineTest, TextHit, judge_field, judge_text
from piimap.classifiers.fieldnames import NO_EVIDENCE, NameEvidence, name_evidence
from piimap.classifiers.options import VALIDATORS, CustomCategory, FieldRule, tuning_options
from piimap.classifiers.scoring import STRONG_NAME
from piimap.classifiers.spec import installed_specs
from piimap.model import Detection, FieldSample
from piimap.schema.base import NoOptions
from piimap.settings import ScanSettings

__all__ = ["CustomClassifier"]

PATTERN_STRENGTH = 0.9
TEXT_CHECKED_STRENGTH = 0.85
TEXT_UNCHECKED_STRENGTH = 0.7


def _value_strength(category: CustomCategory, value: str) -> float:
    pattern = category.compiled()
    if pattern is None or not pattern.fullmatch(value.strip()):
        return 0.0
    if category.validator and not VALIDATORS[category.validator](value):
        return 0.0
    return PATTERN_STRENGTH


def _find(category: CustomCategory, line: str) -> Iterable[TextHit]:
    pattern = category.compiled()
    if pattern is None:
        return ()
    hits = []
    for match in pattern.finditer(line):
        text = match.group(0)
        if category.validator:
            if VALIDATORS[category.validator](text):
                hits.append(TextHit(text, TEXT_CHECKED_STRENGTH))
        elif text:
            hits.append(TextHit(text, TEXT_UNCHECKED_STRENGTH))
    return hits


class CustomClassifier:
    """Finds the categories the config defines (``custom_categories``, name-only ``field_rules``)."""

    id = "custom"
    #: Custom categories are configured by top-level keys, not under ``classifiers: {custom: ...}``.
    options_model = NoOptions
    #: judge_field, judge_text and the name rules weigh each value by its count
    accepts_counts = True

    def __init__(self, settings: ScanSettings) -> None:
        self.settings = settings
        self.tuning = tuning_options(settings)
        self.name_rules: tuple[FieldRule, ...] = tuple(
            rule
            for rule in self.tuning.field_rules
            if rule.category not in installed_specs()
            and rule.evidence == "strong"
            and rule.category not in {custom.category for custom in self.tuning.custom_categories}
        )
        self.categories = tuple(
            dict.fromkeys(
                [custom.category for custom in self.tuning.custom_categories]
                + [rule.category for rule in self.name_rules]
            )
        )

    def classify(self, sample: FieldSample) -> Iterable[Detection]:
        return self._detect(sample, keep_empty=False)

    def explain_field(self, sample: FieldSample) -> list[str]:
        """Why ``sample``'s field is or is not tagged with each custom category, in words."""
        if self.tuning.allow.allows_field(sample.field):
            return [f"{category}: field is on the allow list" for category in self.categories]
        return [
            f"{detection.category}: {detection.evidence}; confidence {detection.confidence:.2f}"
            for detection in self._detect(sample, keep_empty=True)
        ]

    def _evidence(self, sample: FieldSample, custom: CustomCategory) -> NameEvidence:
        evidence = name_evidence(sample.field, custom.category, self.tuning.field_rules)
        if evidence is not NO_EVIDENCE and evidence.reason:
            return evidence
        name = (sample.field.name or "").lower()
        leaf = sample.field.leaf_name.lower()
        for glob in custom.field_names:
            if fnmatch.fnmatchcase(leaf, glob.lower()) or fnmatch.fnmatchcase(name, glob.lower()):
                return NameEvidence(STRONG_NAME, f"field name '{sample.field.name}' matches '{glob}'")
        return NO_EVIDENCE

    def _detect(self, sample: FieldSample, *, keep_empty: bool) -> list[Detection]:
        if self.tuning.allow.allows_field(sample.field):
            return []
        detections = []
        for custom in self.tuning.custom_categories:
            if sample.field.name is None:
                pattern = custom.compiled()
                detection = judge_text(
                    sample,
                    classifier_id=self.id,
                    category=custom.category,
                    find=partial(_find, custom),
                    settings=self.settings,
                    allow=self.tuning.allow,
                    what=f"{custom.category} values",
                    keep_empty=keep_empty,
                    # _find's hits are the pattern's matches in a line: none where it does not search
                    prefilter=None if pattern is None else PerLineTest(pattern),
                )
            else:
                detection = judge_field(
                    sample,
                    classifier_id=self.id,
                    category=custom.category,
                    judge=partial(_value_strength, custom),
                    evidence=self._evidence(sample, custom),
                    settings=self.settings,
                    allow=self.tuning.allow,
                    what=f"{custom.category} values (pattern{' + ' + custom.validator if custom.validator else ''})",
                    keep_empty=keep_empty,
                )
            if detection is not None:
                detections.append(detection)
        if sample.field.name is not None and self.name_rules:
            present = sum(count for value, count in sample.counted() if value.strip())
            for rule in self.name_rules:
                if present and rule.matches(sample.field):
                    detections.append(
                        Detection(
                            category=rule.category,
                            classifier=self.id,
                            confidence=rule.confidence,
                            matched=present,
                            sampled=present,
                            examples=(),
                            evidence=f"field rule '{rule.glob or rule.regex}' says {rule.category} "
                            f"(confidence {rule.confidence:.2f} from the config)",
                        )
                    )
        return detections
