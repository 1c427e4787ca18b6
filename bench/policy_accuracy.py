"""Precision and recall of policy reading on the hand-labelled corpus, per policy and per split.

    .venv/bin/python bench/policy_accuracy.py [--errors] [--split NAME ...]

Splits (``tests/policytext/corpus``; docs/configuration.md, "Reading the policy text", says which
were developed on and when each held-out split was measured): ``tuning``, ``holdout1``,
``holdout2``, ``holdout3`` (developed on), ``holdout-fresh`` (its first errors were read),
``holdout-final``, ``holdout-final2``, ``holdout-final3``, ``holdout-2026`` and ``holdout-2027`` (each
measured once after a round of issue #14's generalisation work, before it was read; ``holdout-2027``
is the only one not read since).
A unit is one (sentence, action, recipient role, category) tuple; see
``tests/policytext/scoring.py``. ``--errors`` lists the misses and the extra tuples.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from policytext.scoring import (  # noqa: E402
    DENIALS,
    DEVELOPED_ON,
    SPLITS,
    STATEMENTS,
    Score,
    corpus_policies,
    score,
)

from piimap.policytext import extract_policy  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list false positives and misses")
    parser.add_argument("--split", action="append", choices=SPLITS, help="only these splits (repeatable)")
    args = parser.parse_args()
    print(
        f"{'split':<13} {'policy':<16} {'statements P':>12} {'R':>6} {'(hit/read/labelled)':>20} {'denials P':>10} {'R':>6}"
    )
    overall, overall_denials = Score(0, 0, 0), Score(0, 0, 0)
    developed, developed_denials = Score(0, 0, 0), Score(0, 0, 0)
    for split in args.split or SPLITS:
        total, denials = Score(0, 0, 0), Score(0, 0, 0)
        for path in corpus_policies(split):
            extraction = extract_policy(path)
            labels = path.with_name(path.stem + ".labels.yaml")
            statement_score, extra, missed = score(extraction, labels, STATEMENTS)
            denial_score, denial_extra, denial_missed = score(extraction, labels, DENIALS)
            total, denials = total + statement_score, denials + denial_score
            print(_row(split, path.name, statement_score, denial_score))
            if args.errors:
                for item in sorted(extra | denial_extra, key=str):
                    print(f"    extra  {item}")
                for item in sorted(missed | denial_missed, key=str):
                    print(f"    missed {item}")
        print(_row(split, "all", total, denials))
        overall, overall_denials = overall + total, overall_denials + denials
        if split in DEVELOPED_ON:
            developed, developed_denials = developed + total, developed_denials + denials
    if not args.split:
        print(_row("developed on", "10 policies", developed, developed_denials))
        print(_row("every split", "all", overall, overall_denials))
    return 0


def _row(split: str, name: str, statements: Score, denials: Score) -> str:
    counts = f"({statements.true_positives}/{statements.extracted}/{statements.labelled})"
    return (
        f"{split:<13} {name:<16} {statements.precision:>12.3f} {statements.recall:>6.3f} {counts:>20} "
        f"{denials.precision:>10.3f} {denials.recall:>6.3f}"
    )


if __name__ == "__main__":
    sys.exit(main())
