"""How every built-in classifier turns what it saw into one confidence between 0 and 1.

Structured fields (a column, a document path)::

    value_score = sum(strength(v) for v in sampled values) / sampled
    confidence  = clamp(value_score + name_weight, 0, 1)

* ``strength(v)`` is what the validator says about one value: 0 when the value is not of the
  category, up to 1.0 for a value no other kind of data looks like (a syntactically valid email).
  Weaker validators give less (a national-format phone number 0.85, an IPv4 address 0.95). A value
  that is only plausible when the field's name says so (a UUID as an advertising id, 16 hex digits
  as an Android id, a bare surname) has strength 0 unless the field name supports the category.
* ``value_score`` is therefore the hit ratio weighted by validator strength: a column where 3 of 50
  values are phone numbers scores about 0.05 and is not reported.
* ``name_weight`` is the field-name evidence: :data:`STRONG_NAME` (+0.35) when the name says the
  category (``email``, ``last_name``, ``idfa``), :data:`WEAK_NAME` (+0.15) when it hints at it
  (``contact``, a ``name`` column in a ``customers`` table), 0 when it says nothing (``col3``), and
  :data:`CONTRADICTING_NAME` (-0.4) when it says something else (``version`` for an IP-shaped
  value, ``order_id`` for a phone-shaped number, ``product_name`` for a name-shaped value).
  The name alone never makes a finding: with no matching value the confidence stays at or below
  0.35, under the default reporting threshold (0.5).

Unstructured text (log lines, field name ``None``): the hit ratio means nothing (one email in a
thousand log lines is still an email), so the confidence is the strongest validator strength seen
in any line (:func:`text_confidence`), and ``matched`` counts the lines with a hit.

The thresholds were tuned on the evaluation corpus (``tests/eval``): findings at or above 0.8 must
be right at least 95% of the time at field level; ``tests/test_evaluation.py`` checks it.
"""

from __future__ import annotations

__all__ = [
    "STRONG_NAME",
    "WEAK_NAME",
    "NO_NAME",
    "CONTRADICTING_NAME",
    "field_confidence",
    "text_confidence",
]

STRONG_NAME = 0.35
WEAK_NAME = 0.15
NO_NAME = 0.0
CONTRADICTING_NAME = -0.4


def field_confidence(strength_sum: float, sampled: int, name_weight: float) -> float:
    """Confidence for a structured field: weighted hit ratio plus field-name evidence, clamped."""
    if sampled <= 0:
        return 0.0
    value_score = strength_sum / sampled
    if value_score <= 0.0:
        # no value matched: the name alone is a hint, never a finding
        return max(0.0, min(name_weight, STRONG_NAME))
    return round(max(0.0, min(1.0, value_score + name_weight)), 4)


def text_confidence(strongest: float) -> float:
    """Confidence for unstructured text: the strongest validator strength seen in any line."""
    return round(max(0.0, min(1.0, strongest)), 4)
