"""Dates of birth (``user.demographic.date_of_birth``).

* In a field named for birth (``date_of_birth``, ``dob``, ``birthday``, ``birthdate``,
  ``geburtsdatum``, ``date_naissance``...): every date a person alive could be born on (1900 to
  today) counts: 0.95.
* In a field with no name that says otherwise: a column of dates whose ages are human (between 13
  and 105 years ago for at least 95% of them) with a birth-like spread (ages spanning 20 years or
  more, a standard deviation of 8 years or more): each date 0.7. Order dates, sign-up dates and
  timestamps fail that test (most are recent), and fields named for events (``created_at``,
  ``order_date``, ``updated``, ``expires``) never count.

Dates are read in ISO (``1984-03-27``, with a time too), day-first (``27/03/1984``, ``27.03.1984``)
and month-first (``03/27/1984``) orders; an ambiguous day/month still gives the year, which is all
the age test needs.

Known false positives: a column of historical dates (hire dates of long-serving staff) under an
uninformative name. Known misses: birth years alone; dates written in words.
"""

from __future__ import annotations

import re
import statistics
from datetime import date

from piimap.classifiers.base import SingleCategoryClassifier
from piimap.classifiers.fieldnames import CategoryRule, NameEvidence, phrases
from piimap.classifiers.spec import CategorySpec
from piimap.model import Detection, FieldSample
from piimap.scancache import value_cache

__all__ = ["DateOfBirthClassifier", "birth_year", "birth_like_column"]

CATEGORY = "user.demographic.date_of_birth"
NAMED_STRENGTH = 0.95
SPREAD_STRENGTH = 0.7

NAMES = CategoryRule(
    strong=phrases(
        "date of birth",
        "dob",
        "birth",
        "birthday",
        "birthdate",
        "birth date",
        "born",
        "born on",
        "d o b",
        "geburtsdatum",
        "geburtstag",
        "date naissance",
        "date de naissance",
        "naissance",
        "fecha nacimiento",
        "fecha de nacimiento",
        "data nascimento",
        "data di nascita",
        "nascimento",
        "geboortedatum",
        "fodelsedatum",
        "syntymaaika",
    ),
    contradicting=frozenset(
        {
            "created",
            "updated",
            "modified",
            "deleted",
            "order",
            "shipped",
            "delivered",
            "paid",
            "expires",
            "expiry",
            "expiration",
            "due",
            "start",
            "end",
            "last",
            "login",
            "seen",
            "signup",
            "registered",
            "joined",
            "hired",
            "event",
            "timestamp",
            "ts",
            "place",
            "city",
            "country",
            "count",
            "name",
        }
    ),
    glued=("birthdate", "birthday", "dob"),
)


def _mask_date(value: str) -> str:
    """The decade only: ``1984-03-27`` -> ``198*-**-**``."""
    year = re.search(r"(19|20)\d\d", value)
    masked = re.sub(r"\w", "*", value.strip())
    if year:
        start = year.start()
        masked = masked[:start] + value[start : start + 3] + masked[start + 3 :]
    return masked


SPEC = CategorySpec(
    key=CATEGORY,
    names=NAMES,
    explain="A date of birth: dates in a field named for birth, or a column of dates with human ages and "
    "a birth-like spread (never created_at-like fields).",
    mask=_mask_date,
)

_ISO = re.compile(r"((?:19|20)\d\d)-(\d\d)-(\d\d)(?:[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?")
_DAY_FIRST = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-]((?:19|20)\d\d)")
_COMPACT = re.compile(r"((?:19|20)\d\d)(\d\d)(\d\d)")


@value_cache(maxsize=65536)
def birth_year(value: str) -> float | None:
    """The date in ``value`` as a fractional year, when it is a real date from 1900 to today."""
    value = value.strip()
    if not 8 <= len(value) <= 35 or not value[:1].isdigit():  # every format read starts with a digit
        return None
    match = _ISO.fullmatch(value) or _COMPACT.fullmatch(value)
    if match is not None:
        year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
    else:
        match = _DAY_FIRST.fullmatch(value)
        if match is None:
            return None
        first, second, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
        day, month = (first, second) if second <= 12 else (second, first)
    try:
        when = date(year, month, day)
    except ValueError:
        return None
    if when.year < 1900 or when > date.today():
        return None
    return when.year + (when.timetuple().tm_yday - 1) / 366


def birth_like_column(years: list[float]) -> bool:
    """Ages human (13-105 for 95% of them) with a birth-like spread (span >= 20, stdev >= 8 years)."""
    if len(years) < 8:
        return False
    today = date.today()
    now = today.year + (today.timetuple().tm_yday - 1) / 366
    ages = [now - year for year in years]
    human = sum(1 for age in ages if 13 <= age <= 105)
    if human < 0.95 * len(ages):
        return False
    return max(ages) - min(ages) >= 20 and statistics.pstdev(ages) >= 8


#: distinct values read to decide whether an unnamed date column is birth-like
PROBE_VALUES = 200


def _probe_years(values: tuple[str, ...]) -> list[float] | None:
    """The dates of ``values`` as years; None as soon as more than a fifth of them are not dates."""
    allowed_misses = len(values) // 5
    years = []
    for value in values:
        year = birth_year(value)
        if year is None:
            allowed_misses -= 1
            if allowed_misses < 0:
                return None
        else:
            years.append(year)
    return years


class DateOfBirthClassifier(SingleCategoryClassifier):
    """Finds dates of birth by field name, or by a birth-like spread of ages."""

    id = "date_of_birth"
    categories = (CATEGORY,)
    specs = (SPEC,)
    text_what = "a date of birth"
    reads_text = False  # free text: a date in a log line says nothing about birth

    def judge_structured(
        self, sample: FieldSample, evidence: NameEvidence, *, keep_empty: bool
    ) -> Detection | None:
        if evidence.strong:
            return self.judge_values(
                sample,
                evidence,
                lambda value: NAMED_STRENGTH if birth_year(value) is not None else 0.0,
                what="dates from 1900 to today",
                keep_empty=keep_empty,
            )
        if evidence.contradicts:
            return None
        probe = _probe_years(sample.values[:PROBE_VALUES])
        if probe is None or not birth_like_column(probe):
            return None
        return self.judge_values(
            sample,
            evidence,
            lambda value: SPREAD_STRENGTH if birth_year(value) is not None else 0.0,
            what="dates with human ages and a birth-like spread",
            keep_empty=keep_empty,
        )
