"""Reading a 20,000-word privacy policy: seconds and words per second, against spaCy's parse alone.

    .venv/bin/python bench/bench_policy_extract.py [--words 20000] [--repeats 3]

The policy is built from the hand-labelled corpus (``tests/policytext/corpus``: ten policies in
plain text, Markdown and HTML), converted to one Markdown document and repeated with numbered
section headings until it has ``--words`` words, the length of the longest real-world policies.
Timed, best of ``--repeats``: the whole extraction (reading the document, splitting sentences,
parsing, reading statements; the spaCy model is loaded once before, and its load time is printed
separately) and, as the reference in the same run, ``nlp.pipe`` over the same paragraphs, which is
the part of the work spaCy does. The target is under 10 s for 20,000 words on the 2-core machine.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchclock import Clock

from piimap.policytext import extract_policy_text
from piimap.policytext.document import read_policy_document
from piimap.policytext.nlp import DEFAULT_MODEL, load_pipeline

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "policytext" / "corpus"


def build_policy(words: int) -> str:
    """One Markdown policy of at least ``words`` words from the corpus policies."""
    sections: list[str] = []
    for path in sorted(CORPUS.glob("*/*")):
        if path.suffix not in (".txt", ".md", ".html"):
            continue
        document = read_policy_document(path)
        for block in document.blocks:
            if block.kind == "heading":
                sections.append(f"\n## {block.text}\n")
            elif block.kind == "item":
                sections.append(f"- {block.lead + ': ' if block.lead else ''}{block.text}")
            else:
                sections.append(f"\n{block.lead + ' – ' if block.lead else ''}{block.text}\n")
    text, copy = ["# A long privacy policy\n"], 0
    while sum(len(part.split()) for part in text) < words:
        copy += 1
        text.extend(part.replace("\n## ", f"\n## Part {copy}: ", 1) for part in sections)
    return "\n".join(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    text = build_policy(args.words)
    word_count = len(text.split())
    with Clock() as load:
        nlp = load_pipeline(DEFAULT_MODEL)
    paragraphs = [block for block in text.split("\n") if block.strip() and not block.startswith("#")]
    best_extract = best_parse = None
    statements = 0
    for _ in range(args.repeats):
        with Clock() as parse:
            for _doc in nlp.pipe(paragraphs, batch_size=64):
                pass
        with Clock() as extract:
            extraction = extract_policy_text(text, "markdown")
        statements = len(extraction.statements)
        best_parse = parse.timing if best_parse is None or parse.timing.wall < best_parse.wall else best_parse
        best_extract = (
            extract.timing
            if best_extract is None or extract.timing.wall < best_extract.wall
            else best_extract
        )
    print(f"policy: {word_count:,} words, {extraction.sentences:,} sentences, {statements:,} statements read")
    print(f"spaCy model load (once per process): {load.timing.wall:.2f} s")
    print(f"{'step':<34}{'wall s':>9}{'CPU s':>9}{'words/s':>11}")
    for name, timing in (
        ("reference: nlp.pipe parse only", best_parse),
        ("piimap policy extraction", best_extract),
    ):
        print(f"{name:<34}{timing.wall:>9.2f}{timing.cpu:>9.2f}{word_count / timing.wall:>11,.0f}")
    print(f"extraction / parse alone: {best_extract.wall / best_parse.wall:.2f}x wall")
    verdict = "met" if best_extract.wall < 10 else "NOT met"
    print(f"target: {args.words:,} words in under 10 s: {verdict} ({best_extract.wall:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
