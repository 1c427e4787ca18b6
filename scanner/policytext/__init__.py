"""Reading privacy policies: what a policy text says is collected, shared and denied, with citations.

:func:`extract_policy` reads a policy (``.txt``, ``.md``, ``.html``) into a
:class:`~piimap.policytext.model.PolicyExtraction`: statements ("we collect your e-mail
address", "Google Analytics receives your IP address", "we do not sell your personal
information"), each with the Fides category keys it names, the recipient role, and the sentence
it rests on. :func:`policy_from_text` turns that into the :class:`~piimap.declarations.Policy`
``piimap check`` uses, so ``policy: privacy-policy.txt`` in ``piimap.yaml`` works like a
hand-written ``policy.yaml``.

spaCy is imported only when a text is read; the records in :mod:`piimap.policytext.model` are
light.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from piimap.policytext.model import (
    ACTIONS,
    ALL_COLLECTED,
    ANY_RECIPIENT,
    Citation,
    PolicyExtraction,
    Statement,
)

__all__ = [
    "ACTIONS",
    "ALL_COLLECTED",
    "ANY_RECIPIENT",
    "Citation",
    "PolicyExtraction",
    "Statement",
    "extract_policy",
    "extract_policy_text",
    "is_policy_text",
]


def is_policy_text(path: str | Path) -> bool:
    """True when ``path`` names a policy text (``.txt``, ``.md``, ``.html``) rather than policy YAML."""
    from piimap.policytext.document import TEXT_SUFFIXES

    return Path(path).suffix.lower() in TEXT_SUFFIXES


def extract_policy(path: str | Path, model: str | None = None) -> PolicyExtraction:
    """Read the policy text at ``path`` (read once per file content and model; later calls reuse it)."""
    from piimap.model import ConfigError

    path = Path(path)
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as error:
        raise ConfigError(f"{path}: cannot read policy text: {error.strerror or error}") from None
    return _extract_cached(str(path), digest, model or _default_model())


def extract_policy_text(
    text: str, kind: str = "text", model: str | None = None, source: str = "<text>"
) -> PolicyExtraction:
    """Read a policy given as a string (``kind`` is ``text``, ``markdown`` or ``html``)."""
    from piimap.policytext.document import parse_policy_text

    document = parse_policy_text(text, kind)
    return _extract(
        document, model or _default_model(), source, hashlib.sha256(text.encode("utf-8")).hexdigest()
    )


def _default_model() -> str:
    from piimap.policytext.nlp import DEFAULT_MODEL

    return DEFAULT_MODEL


@functools.lru_cache(maxsize=16)
def _extract_cached(path: str, digest: str, model: str) -> PolicyExtraction:
    from piimap.policytext.document import read_policy_document

    return _extract(read_policy_document(path), model, path, digest)


def _extract(document, model: str, source: str, digest: str) -> PolicyExtraction:
    from piimap.policytext.extract import extract_statements, first_party_aliases, segment
    from piimap.policytext.nlp import load_pipeline

    nlp = load_pipeline(model)
    units = segment(document, nlp)
    statements, _ = extract_statements(units, first_party_aliases(document))
    words = sum(len(block.text.split()) for block in document.blocks)
    return PolicyExtraction(
        source=source,
        statements=tuple(statements),
        title=document.title,
        updated=document.updated,
        sentences=len({(unit.section, unit.number) for unit in units}),
        words=words,
        sha256=digest,
    )
