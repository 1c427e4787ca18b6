"""The loop every built-in classifier shares: distinct values, a validator, a tally, a detection.

A classifier supplies a *judge* (value -> strength between 0 and 1, cached per distinct value) and
the field-name evidence; :func:`judge_field` counts each distinct value once (weighted by how often
it occurs), skips allowed values, stops early once the evidence is decisive (unless
``settings.exhaustive``), hands the first matched values to the engine as the detection's
``candidates`` (the engine makes the finding's examples from them as the ``evidence`` setting
says, :mod:`piimap.evidence`; the detection's own ``examples`` follow the same setting for callers
that classify without the engine) and writes the explanation that ``piimap explain`` shows.
:func:`judge_text` does the same for unstructured text, where a *finder* returns the hits inside a
line; a classifier's :class:`LineTest` first picks, in one C-speed scan of the whole sample, the
lines on which its finder can find anything, and the finder sees only those. The confidence
formulas are in :mod:`piimap.classifiers.scoring`.
"""

from __future__ import annotations

import math
import re
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from itertools import compress, repeat
from operator import contains, mul
from typing import Any, AnyStr, ClassVar, Protocol

from pydantic import BaseModel

from piimap.classifiers.fieldnames import NameEvidence, name_evidence
from piimap.classifiers.options import AllowList, tuning_options
from piimap.classifiers.scoring import field_confidence, text_confidence
from piimap.classifiers.spec import CategorySpec
from piimap.evidence import example_for
from piimap.model import Detection, FieldSample
from piimap.schema.base import NoOptions
from piimap.settings import ScanSettings

__all__ = [
    "DECIDED_VALUES",
    "EARLY_STOP_DISTINCT",
    "EARLY_STOP_VALUES",
    "CaselessLineTest",
    "ClassLineTest",
    "LineTest",
    "LiteralLineTest",
    "PatternLineTest",
    "PerLineTest",
    "SingleCategoryClassifier",
    "TextBlock",
    "TextHit",
    "UnionLineTest",
    "describe_weight",
    "format_confidence",
    "judge_field",
    "judge_text",
    "lines_at",
    "lines_matching",
    "text_block",
    "without_prefilter",
]

#: with no hit (or only hits) after this many values, a field is decided
EARLY_STOP_VALUES = 64
#: after this many values the hit ratio is known well enough either way
DECIDED_VALUES = 256
#: ... and only once this many distinct values were judged (two values repeated 40 times decide nothing)
EARLY_STOP_DISTINCT = 8


@dataclass(frozen=True)
class TextHit:
    """One piece of personal data found inside a line of text."""

    text: str
    strength: float


def describe_weight(evidence: NameEvidence) -> str:
    if not evidence.reason:
        return "field name gives no evidence"
    return f"{evidence.reason} ({evidence.weight:+.2f})"


def format_confidence(confidence: float, threshold: float) -> str:
    """``confidence`` with two decimals, or more where two would misstate how it compares with ``threshold``.

    ``0.4995`` against ``0.5`` prints ``0.4995``, never ``0.50``: a reader comparing the printed
    numbers must reach the verdict the scan reached. Where four decimals are not enough either,
    the value is rounded away from the threshold (down when below it, up when at or above it).
    """
    reported = confidence >= threshold
    for decimals in (2, 3, 4):
        text = f"{confidence:.{decimals}f}"
        if (float(text) >= threshold) == reported:
            return text
    away = math.ceil if reported else math.floor
    return f"{away(confidence * 10**4) / 10**4:.4f}"


class _LastPerSample(threading.local):
    """One result per thread, kept while its sample lives (and its ``key`` stays the same).

    The engine hands one sample to every classifier in turn, so what one of them derives from the
    sample (its distinct values, its free-text block) is kept for the next. The kept entry is
    emptied as soon as the sample is dropped, so no raw value outlives its sample.
    """

    entry: list[Any] | None = None

    def get(self, sample: FieldSample, key: object, compute: Callable[[], object]) -> Any:
        entry = self.entry
        if entry and entry[0]() is sample and entry[1] == key:
            return entry[2]
        result = compute()
        kept: list[Any] = [None, key, result]
        kept[0] = weakref.ref(sample, lambda _gone: kept.clear())
        self.entry = kept
        return result


_recent = _LastPerSample()


def _distinct(sample: FieldSample, allow: AllowList) -> tuple[dict[str, int], int]:
    """Occurrences per distinct stripped value of ``sample``, and how many values were allowed.

    Raw values are counted first (``Counter`` runs in C), so the per-value Python work (strip,
    allow-list check) happens once per distinct value, not once per occurrence. Keys keep the
    order in which values first occur, so early stopping looks at the same values as before.
    The last result is kept (:class:`_LastPerSample`) and reused while the sample and the
    allow-list are the same; callers must not change it.
    """
    return _recent.get(sample, allow.values, lambda: _count_distinct(sample, allow))


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
    masker: Callable[[str], str] | None = None,
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
        if checked >= EARLY_STOP_VALUES and len(strengths) >= min(EARLY_STOP_DISTINCT, len(values)):
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
    candidates: list[str] = []
    examples: list[str] = []
    for value in compress(values, strengths):
        if len(candidates) >= settings.max_examples:
            break
        candidate = example_of(value) if example_of else value
        candidates.append(candidate)
        example = example_for(settings.evidence, category, candidate, masker=masker)
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
        candidates=tuple(candidates),
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
    prefilter: LineTest | None = None,
    masker: Callable[[str], str] | None = None,
) -> Detection | None:
    """Find ``category`` inside free-text lines; confidence is the strongest hit's strength.

    With a ``prefilter`` (a :class:`LineTest` that selects every line on which ``find`` can
    return a hit, and maybe more), ``find`` runs only on the lines it selects, found at C speed
    over the whole sample (:class:`TextBlock`); every other non-empty line counts as checked and
    not matched. The detection is the same as without it: lines are visited in order, so the
    examples are too.
    """
    lines = sample.values
    counts = sample.counts
    block = text_block(sample) if prefilter is not None else None
    indexes: Iterable[int] = (
        range(len(lines)) if block is None or prefilter is None else block.lines_passing(prefilter)
    )
    checked = len(lines) - lines.count("") if counts is None else sum(compress(counts, lines))
    matched = 0
    strongest = 0.0
    examples: list[str] = []
    candidates: list[str] = []
    max_examples = settings.max_examples
    seen: dict[str, tuple[TextHit, ...]] = {}
    for index in indexes:
        line = lines[index]
        if not line:
            continue
        hits = seen.get(line)
        if hits is None:
            if allow.values:
                hits = tuple(hit for hit in find(line) if not allow.allows_value(hit.text))
            else:
                hits = tuple(find(line))
            if len(seen) < 4096:
                seen[line] = hits
        if not hits:
            continue
        matched += 1 if counts is None else counts[index]
        for hit in hits:
            strongest = max(strongest, hit.strength)
            if len(examples) >= max_examples:
                continue
            example = example_for(settings.evidence, category, hit.text, masker=masker)
            if example is not None and example not in examples:
                examples.append(example)
                candidates.append(hit.text)
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
        candidates=tuple(candidates),
    )


# --- free text: the lines worth a finder's time -------------------------------------------------
#
# A finder does Python-level work on every line it is given. Most lines of a log cannot hold a
# given category (no "@", no dotted quad), and saying so for a whole sample at once costs one C
# scan of the joined lines: a :class:`LineTest` returns the indexes of the lines that may hold a
# hit, and judge_text calls the finder on those only. A test must be a *superset* test: it may
# select lines without a hit, it must never leave out a line with one. Each classifier's test
# says in a comment why it is one.


class TextBlock:
    """The lines of one free-text sample as one string, for candidate tests that scan it at C speed.

    ``text`` is every line with a newline before and after it (``"\\n".join(("", *lines, ""))``),
    so line ``k`` lies between the ``k``-th and the ``k+1``-th newline and a pattern sees the same
    neighbour at both edges of every line. A block is only made when no line holds a newline
    itself. :attr:`utf8` and :attr:`folded` are made on first use and shared by every test, and
    each test's answer is kept (:meth:`lines_passing`), so classifiers asking twice pay once.
    """

    __slots__ = (
        "_classes",
        "_classes_known",
        "_folded",
        "_folded_known",
        "_passing",
        "_utf8",
        "lines",
        "text",
    )

    def __init__(self, lines: tuple[str, ...], text: str) -> None:
        self.lines = lines
        self.text = text
        self._utf8: bytes | None = None
        self._folded: bytes | None = None
        self._folded_known = False
        self._classes: bytes | None = None
        self._classes_known = False
        self._passing: dict[LineTest, list[int]] = {}

    @property
    def utf8(self) -> bytes:
        """:attr:`text` in UTF-8 (lone surrogates kept): ASCII bytes stay where they were in each line."""
        if self._utf8 is None:
            self._utf8 = self.text.encode("utf-8", "surrogatepass")
        return self._utf8

    @property
    def folded(self) -> bytes | None:
        """:attr:`utf8` with ASCII letters lower-cased, or None when that is not what ``re.IGNORECASE`` sees.

        Under ``re.IGNORECASE`` an ASCII letter also matches exactly four other characters
        (``İ``, ``ı``, ``ſ``, the Kelvin sign). Without them in the text, a lower-case ASCII pattern
        over these bytes matches where the case-insensitive one matches over the text.
        """
        if not self._folded_known:
            text = self.text
            if text.isascii() or not any(char in text for char in _IGNORECASE_ASCII_FOLDS):
                self._folded = self.utf8.lower()
            self._folded_known = True
        return self._folded

    @property
    def classes(self) -> bytes | None:
        """:attr:`utf8` with every ASCII digit written ``0`` and every ASCII capital ``A``; None unless the text is ASCII.

        Over ASCII text, ``\\d`` matches what ``0`` matches here and ``[A-Z]`` what ``A`` does, so a
        pattern of digits and capitals becomes a literal: a byte-string search, where ``re``
        would try its alternatives at every digit of a log line's dates and times.
        """
        if not self._classes_known:
            if self.text.isascii():  # O(1) on a str
                self._classes = self.utf8.translate(_CLASS_BYTES)
            self._classes_known = True
        return self._classes

    def lines_passing(self, test: LineTest) -> list[int]:
        """Increasing indexes of the lines ``test`` selects (computed once per test)."""
        found = self._passing.get(test)
        if found is None:
            found = self._passing[test] = test.candidate_lines(self)
        return found


#: ASCII digits to ``0``, ASCII capitals to ``A`` (:attr:`TextBlock.classes`)
_CLASS_BYTES = bytes.maketrans(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"0" * 10 + b"A" * 26)

#: the non-ASCII characters ``re.IGNORECASE`` matches to an ASCII letter (i, i, s, k)
_IGNORECASE_ASCII_FOLDS = "\u0130\u0131\u017f\u212a"


class LineTest(Protocol):
    """Selects, over a whole :class:`TextBlock`, every line on which a finder can find something."""

    def candidate_lines(self, block: TextBlock) -> list[int]:
        """Increasing indexes of the selected lines."""
        ...


def lines_at(data: str | bytes, first_hit: Callable[[int], int]) -> list[int]:
    """The lines of ``data`` (a :class:`TextBlock` text or a same-lines transform of it) holding a hit.

    ``first_hit(position)`` is where the first hit at or after ``position`` starts, -1 for none;
    a hit must not start on a newline. After a hit the search goes on at the next line, so each
    line is reported once and a hit reaching into the next line does not hide that line's own.
    """
    if isinstance(data, bytes):
        return _lines_at(data, b"\n", first_hit)
    return _lines_at(data, "\n", first_hit)


def _lines_at(data: AnyStr, newline: AnyStr, first_hit: Callable[[int], int]) -> list[int]:
    found: list[int] = []
    line = -1
    counted = 0
    hit = first_hit(0)
    while hit >= 0:
        line += data.count(newline, counted, hit)
        counted = hit
        found.append(line)
        end = data.find(newline, hit)
        if end < 0:
            break
        hit = first_hit(end + 1)
    return found


def lines_matching(data: str | bytes, pattern: re.Pattern) -> list[int]:
    """:func:`lines_at` for the matches of ``pattern`` (of the same type as ``data``)."""
    search = pattern.search

    def first_hit(position: int) -> int:
        match = search(data, position)
        return -1 if match is None else match.start()

    return lines_at(data, first_hit)


@dataclass(frozen=True)
class LiteralLineTest:
    """Lines containing ``literal`` (each line asked in C, which beats a search loop when many do)."""

    literal: str

    def candidate_lines(self, block: TextBlock) -> list[int]:
        lines = block.lines
        return list(compress(range(len(lines)), map(contains, lines, repeat(self.literal))))


@dataclass(frozen=True)
class PatternLineTest:
    """Lines where ``pattern`` matches, searched over the whole block.

    The pattern must not match a newline at its first character; it sees a newline on both sides
    of each line (where a finder given the line alone sees its start or end), so lookarounds at a
    line's edges must treat a newline as they treat the edge. A pattern that begins with a
    literal is scanned fastest (``re`` then looks for that literal only).
    """

    pattern: re.Pattern[str]

    def candidate_lines(self, block: TextBlock) -> list[int]:
        return lines_matching(block.text, self.pattern)


@dataclass(frozen=True)
class CaselessLineTest:
    """Lines where a case-insensitive pattern matches, searched without ``re.IGNORECASE`` when possible.

    ``folded`` (a bytes pattern of lower-case ASCII) runs over :attr:`TextBlock.folded`; it must
    match wherever ``caseless`` (a ``re.IGNORECASE`` text pattern) matches over the text, which
    it runs instead when the block cannot be folded. Non-ASCII text is UTF-8 there: a class
    standing for a non-ASCII character must accept the bytes ``\\x80-\\xff``.
    """

    folded: re.Pattern[bytes]
    caseless: re.Pattern[str]

    def candidate_lines(self, block: TextBlock) -> list[int]:
        folded = block.folded
        if folded is None:
            return lines_matching(block.text, self.caseless)
        return lines_matching(folded, self.folded)


@dataclass(frozen=True)
class ClassLineTest:
    """Lines holding one of ``literals`` or matching one of ``patterns`` in :attr:`TextBlock.classes`.

    ``0`` there stands for a digit and ``A`` for a capital, so ``b"000-00-0000"`` finds the lines
    where ``\\d{3}-\\d{2}-\\d{4}`` matches, one ``bytes.find`` loop each; a pattern should start
    with a literal (``re`` then looks for that literal only). Where the block is not ASCII
    (``\\d`` also matches other digits), ``fallback``, a test over the text, selects the lines.
    """

    literals: tuple[bytes, ...]
    patterns: tuple[re.Pattern[bytes], ...]
    fallback: LineTest

    def candidate_lines(self, block: TextBlock) -> list[int]:
        classes = block.classes
        if classes is None:
            return block.lines_passing(self.fallback)
        selected: set[int] = set()
        for literal in self.literals:
            selected.update(lines_at(classes, partial(classes.find, literal)))
        for pattern in self.patterns:
            selected.update(lines_matching(classes, pattern))
        return sorted(selected)


@dataclass(frozen=True)
class PerLineTest:
    """Lines where ``pattern.search(line)`` matches, each line searched on its own (``map`` in C).

    For patterns whose matches may depend on the line's edges (``^``, ``$``, lookbehinds),
    such as the ones users write in the config: exact, and slower than a block scan.
    """

    pattern: re.Pattern[str]

    def candidate_lines(self, block: TextBlock) -> list[int]:
        return list(compress(range(len(block.lines)), map(self.pattern.search, block.lines)))


@dataclass(frozen=True)
class UnionLineTest:
    """Lines any of ``tests`` selects."""

    tests: tuple[LineTest, ...]

    def candidate_lines(self, block: TextBlock) -> list[int]:
        selected: set[int] = set()
        for test in self.tests:
            selected.update(block.lines_passing(test))
        return sorted(selected)


_recent_block = _LastPerSample()
_prefilter_on = True


def text_block(sample: FieldSample) -> TextBlock | None:
    """The :class:`TextBlock` of ``sample``'s lines; None when a line holds a newline or the prefilter is off.

    Every classifier looks at the same sample in turn, so the last block is kept (per thread)
    while the sample lives, and dropped with it.
    """
    if not _prefilter_on:
        return None
    return _recent_block.get(sample, None, lambda: _text_block_of(sample.values))


def _text_block_of(lines: tuple[str, ...]) -> TextBlock | None:
    text = "\n".join(("", *lines, ""))
    return TextBlock(tuple(lines), text) if text.count("\n") == len(lines) + 1 else None


@contextmanager
def without_prefilter() -> Iterator[None]:
    """Within the block, :func:`judge_text` gives every line to the finder (the reference the
    prefilter must agree with); for tests and benchmarks, not thread-safe."""
    global _prefilter_on
    previous, _prefilter_on = _prefilter_on, False
    try:
        yield
    finally:
        _prefilter_on = previous


class SingleCategoryClassifier:
    """The frame every built-in single-category classifier shares.

    It applies the allow list, sends free text (a field named ``None``) to :func:`judge_text`
    with the hits :meth:`text_finder` finds in a line, and a structured field to
    :meth:`judge_structured` with the field-name evidence; :meth:`explain_field` says in words
    why a field is or is not tagged. Subclasses set ``id``, ``categories`` (one key) and
    ``text_what`` (completes "N lines hold ..."), and implement the two hooks.
    """

    #: The options this classifier takes under ``classifiers: {<id>: {...}}`` (none by default).
    options_model: ClassVar[type[BaseModel]] = NoOptions
    #: judge_field and judge_text weigh each value by its count (see ``Classifier.accepts_counts``)
    accepts_counts: ClassVar[bool] = True

    id: ClassVar[str]
    #: the first is the category of free text and of :meth:`judge_values` without ``spec``; a
    #: classifier of related categories (address parts, government-id kinds) lists them all
    categories: ClassVar[tuple[str, ...]]
    specs: ClassVar[tuple[CategorySpec, ...]]
    text_what: ClassVar[str]
    #: selects every line of free text on which :meth:`text_finder`'s finder can find a hit (None: every line)
    text_prefilter: ClassVar[LineTest | None] = None
    #: False for categories only a field tells (a date or a decimal pair in prose says nothing)
    reads_text: ClassVar[bool] = True

    def __init__(self, settings: ScanSettings) -> None:
        self.settings = settings
        self.tuning = tuning_options(settings)

    @property
    def category(self) -> str:
        return self.categories[0]

    @property
    def spec(self) -> CategorySpec:
        """The :class:`~piimap.classifiers.spec.CategorySpec` of :attr:`category`."""
        return self.specs[0]

    def classify(self, sample: FieldSample) -> Iterable[Detection]:
        detection = self.detect(sample, keep_empty=False)
        return (detection,) if detection is not None else ()

    def explain_field(self, sample: FieldSample) -> list[str]:
        """Why ``sample``'s field is or is not tagged with this classifier's category, in words."""
        if self.tuning.allow.allows_field(sample.field):
            return [f"{self.category}: field is on the allow list"]
        detection = self.detect(sample, keep_empty=True)
        return (
            [
                f"{self.category}: {detection.evidence}; "
                f"confidence {format_confidence(detection.confidence, self.settings.min_confidence)}"
            ]
            if detection
            else []
        )

    def detect(self, sample: FieldSample, *, keep_empty: bool) -> Detection | None:
        """The detection for ``sample``; with ``keep_empty`` also one with no match when the name spoke."""
        if self.tuning.allow.allows_field(sample.field):
            return None
        if sample.field.name is None:
            if not self.reads_text:
                return None
            return judge_text(
                sample,
                classifier_id=self.id,
                category=self.category,
                find=self.text_finder(sample),
                settings=self.settings,
                allow=self.tuning.allow,
                what=self.text_what,
                keep_empty=keep_empty,
                prefilter=self.text_prefilter,
                masker=self.spec.mask,
            )
        return self.judge_structured(sample, self.evidence_for(sample, self.spec), keep_empty=keep_empty)

    def evidence_for(self, sample: FieldSample, spec: CategorySpec) -> NameEvidence:
        """What ``sample``'s field name says about ``spec``'s category (the config's rules first)."""
        return name_evidence(sample.field, spec.key, self.tuning.field_rules, spec.names)

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
        spec: CategorySpec | None = None,
    ) -> Detection | None:
        """:func:`judge_field` with this classifier's id, category (or ``spec``'s), settings and allow list."""
        spec = spec or self.spec
        return judge_field(
            sample,
            classifier_id=self.id,
            category=spec.key,
            judge=judge,
            evidence=evidence,
            settings=self.settings,
            allow=self.tuning.allow,
            what=what,
            keep_empty=keep_empty,
            example_of=example_of,
            judge_many=judge_many,
            masker=spec.mask,
        )

    def text_finder(self, sample: FieldSample) -> Callable[[str], Iterable[TextHit]]:
        """The function finding this category's hits inside one line of free text (with ``reads_text``)."""
        raise NotImplementedError

    def judge_structured(
        self, sample: FieldSample, evidence: NameEvidence, *, keep_empty: bool
    ) -> Detection | None:
        """Judge a structured field (a column, a document path) given its field-name evidence."""
        raise NotImplementedError
