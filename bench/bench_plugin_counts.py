"""What honest counts cost a plugin that does not read counts, against one that does, in the same run.

A counted sample (what a full read of a log sends: each distinct value once, with its count)
stands for ``--occurrences`` values of ``--distinct`` distinct values. The engine hands a
classifier without ``accepts_counts`` the values repeated out, in pieces of 65,536
(:func:`piimap.engine.uncounted_pieces`); the reference is the same classifier written with
``sample.counted()`` and ``accepts_counts = True``. Both must give the same finding (matched,
sampled, confidence); the script says whether they do and prints CPU seconds (best of
``--repeat``), the ratio, and the peak memory traced while classifying (``tracemalloc``), which
stays flat: one piece of pointers, not the whole repetition.

Run: ``.venv/bin/python bench/bench_plugin_counts.py [--occurrences 2000000] [--distinct 2000] [--repeat 3]``.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import re
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from piimap.engine import classify_samples
from piimap.model import Detection, FieldRef, FieldSample
from piimap.settings import ScanSettings

CATEGORY = "user.government_id.national_identification_number"
PATTERN = re.compile(r"^[A-Z]{2}-\d{6}-[A-Z]$")


class ValuesClassifier:
    """The plugin docs' example: reads ``sample.values`` and ``len(sample.values)``."""

    id = "acme_national_id"
    categories = (CATEGORY,)

    def classify(self, sample: FieldSample) -> tuple[Detection, ...]:
        hits = [value for value in sample.values if PATTERN.match(value)]
        if not hits:
            return ()
        return (
            Detection(
                CATEGORY,
                self.id,
                confidence=len(hits) / len(sample.values),
                matched=len(hits),
                sampled=len(sample.values),
                candidates=tuple(hits[:3]),
            ),
        )


class CountsClassifier:
    """The same classifier weighing each distinct value by its count."""

    id = "acme_national_id"
    categories = (CATEGORY,)
    accepts_counts = True

    def classify(self, sample: FieldSample) -> tuple[Detection, ...]:
        matched = sampled = 0
        hits: list[str] = []
        for value, count in sample.counted():
            sampled += count
            if PATTERN.match(value):
                matched += count
                hits.append(value)
        if not matched:
            return ()
        return (
            Detection(CATEGORY, self.id, matched / sampled, matched, sampled, candidates=tuple(hits[:3])),
        )


def _sample(occurrences: int, distinct: int) -> FieldSample:
    values = tuple(
        f"AB-{index:06d}-C" if index % 4 else f"note {index}" for index in range(distinct)
    )  # three in four are ids
    base, extra = divmod(occurrences, distinct)
    counts = tuple(base + (1 if index < extra else 0) for index in range(distinct))
    return FieldSample(FieldRef("bench", "events", "national_id"), values, counts=counts)


def _best(action: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.process_time()
        result = action()
        best = min(best, time.process_time() - start)
    return best, result


def _peak(action: Callable[[], Any]) -> int:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--occurrences", type=int, default=2_000_000)
    parser.add_argument("--distinct", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sample = _sample(args.occurrences, args.distinct)
    settings = ScanSettings()
    runs = {}
    for label, classifier in (("reads counts", CountsClassifier()), ("reads values", ValuesClassifier())):
        seconds, (findings, _) = _best(
            lambda c=classifier: classify_samples([sample], [c], settings), args.repeat
        )
        peak = _peak(lambda c=classifier: classify_samples([sample], [c], settings))
        (finding,) = findings
        runs[label] = (seconds, peak, (finding.matched, finding.sampled, finding.confidence))
    print(
        f"a counted sample of {args.occurrences:,} values ({args.distinct:,} distinct), CPU seconds, best of {args.repeat}:"
    )
    for label, (seconds, peak, counts) in runs.items():
        print(
            f"  {label:<13} {seconds:8.3f} s   peak traced {peak / 2**20:7.1f} MiB   matched/sampled/confidence {counts}"
        )
    reference, plugin = runs["reads counts"], runs["reads values"]
    print(f"ratio (values / counts): {plugin[0] / max(reference[0], 1e-9):.1f}x time")
    print(f"same finding: {'yes' if plugin[2] == reference[2] else 'NO'}")


if __name__ == "__main__":
    main()
