"""What a finding keeps of the values that matched: masked examples, keyed hashes, or nothing.

Classifiers hand the raw values that matched to the engine in memory
(:attr:`~piimap.model.Detection.candidates`); the engine makes the finding's examples from them
with :func:`finding_examples`, for built-in and third-party classifiers alike. Each example is
:func:`example_for` of one value, which honours the ``evidence`` setting:

``masked`` (default)
    :func:`piimap.masking.mask`: enough to recognise the kind of value (``j***@e***.com``),
    never enough to recover it.
``hmac``
    ``hmac-sha256:<64 hex digits>``, the HMAC-SHA256 of the matched value (surrounding
    whitespace stripped, UTF-8) under a secret key read from an environment variable
    (``PIIMAP_HMAC_KEY`` unless ``hmac_key_env`` names another). The same value always gives the
    same example under the same key, so two runs can be compared and a person's data can be
    located later (``piimap hash VALUE`` computes the example for one value), while nobody
    without the key can test guesses against a report. The key itself is never printed, logged,
    stored or written into a report; :class:`EvidencePolicy` shows only a short key id.
``none``
    no examples at all.

The same HMAC in one line of Python::

    python -c 'import hmac,hashlib,os,sys; print("hmac-sha256:" + hmac.new(
        os.environ["PIIMAP_HMAC_KEY"].encode(), sys.argv[1].strip().encode(), hashlib.sha256).hexdigest())' VALUE

or with OpenSSL: ``printf %s VALUE | openssl dgst -sha256 -hmac "$PIIMAP_HMAC_KEY"``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

from piimap.masking import mask
from piimap.model import ConfigError, Detection

__all__ = [
    "EVIDENCE_MODES",
    "EvidenceMode",
    "DEFAULT_HMAC_KEY_ENV",
    "HMAC_PREFIX",
    "EvidencePolicy",
    "evidence_policy",
    "example_for",
    "finding_examples",
    "hmac_example",
]

#: Values accepted by the ``evidence`` setting and ``--evidence``.
EvidenceMode = Literal["masked", "hmac", "none"]
EVIDENCE_MODES: tuple[str, ...] = get_args(EvidenceMode)
#: Where the HMAC key is read from unless ``hmac_key_env`` says otherwise.
DEFAULT_HMAC_KEY_ENV = "PIIMAP_HMAC_KEY"
#: Every keyed-hash example starts with this, so a reader knows what it is looking at.
HMAC_PREFIX = "hmac-sha256:"
#: Shorter keys are refused: a short key can be guessed from the hashes it produced.
MIN_KEY_LENGTH = 16


@dataclass(frozen=True)
class EvidencePolicy:
    """How examples are kept. ``key`` is secret: it is left out of ``repr`` and comparisons show
    only :attr:`key_id`, so settings can be logged, hashed into a scan digest and shipped to Dask
    workers without the key appearing anywhere but in the worker's memory."""

    mode: str = "masked"
    key: bytes = field(default=b"", repr=False, compare=False)
    key_id: str = ""

    def __post_init__(self) -> None:
        if self.mode not in EVIDENCE_MODES:
            raise ConfigError(f"evidence must be one of {', '.join(EVIDENCE_MODES)}, not {self.mode!r}")
        if self.mode == "hmac" and not self.key:
            raise ConfigError("evidence: hmac needs a key")

    @classmethod
    def with_key(cls, key: bytes) -> EvidencePolicy:
        """An ``hmac`` policy for ``key``; its id is a short, one-way fingerprint of the key."""
        key_id = hmac.new(key, b"piimap evidence key id", hashlib.sha256).hexdigest()[:12]
        return cls("hmac", key, key_id)


def evidence_policy(
    mode: str | None,
    key_env: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> EvidencePolicy:
    """The policy for ``mode`` (``masked`` when ``None``), reading an HMAC key from ``key_env``.

    Raises :class:`~piimap.model.ConfigError` (one line, naming the variable, never its value)
    when ``hmac`` is asked for and the variable is unset or too short.
    """
    mode = (mode or "masked").lower()
    if mode not in EVIDENCE_MODES:
        raise ConfigError(f"evidence must be one of {', '.join(EVIDENCE_MODES)}, not {mode!r}")
    if mode != "hmac":
        return EvidencePolicy(mode)
    name = key_env or DEFAULT_HMAC_KEY_ENV
    environ = os.environ if environ is None else environ
    key = environ.get(name, "")
    if not key:
        raise ConfigError(f"evidence: hmac needs a secret key in the environment variable {name}")
    if len(key) < MIN_KEY_LENGTH:
        raise ConfigError(
            f"the HMAC key in {name} is too short (use at least {MIN_KEY_LENGTH} random characters)"
        )
    return EvidencePolicy.with_key(key.encode("utf-8"))


def hmac_example(key: bytes, value: str) -> str:
    """``hmac-sha256:<hex>`` of ``value`` (surrounding whitespace stripped) under ``key``."""
    digest = hmac.new(key, value.strip().encode("utf-8"), hashlib.sha256).hexdigest()
    return HMAC_PREFIX + digest


def example_for(
    policy: EvidencePolicy, category: str, value: str, masker: Callable[[str], str] | None = None
) -> str | None:
    """The example a finding keeps for ``value`` under ``policy``; ``None`` keeps nothing.

    ``masker`` is the category's own mask (its classifier's spec), for ``masked`` evidence."""
    if policy.mode == "masked":
        return mask(category, value, masker=masker)
    if policy.mode == "hmac":
        return hmac_example(policy.key, value)
    return None


def finding_examples(
    policy: EvidencePolicy, detection: Detection, limit: int, masker: Callable[[str], str] | None = None
) -> tuple[str, ...]:
    """The examples a finding keeps of ``detection``: at most ``limit``, each once, in order
    (``masker``: the category's own mask, from its classifier's spec).

    The raw :attr:`~piimap.model.Detection.candidates` become :func:`example_for` each. A
    detection without candidates (from a classifier written before they existed) keeps the
    examples it made itself where the mode allows: masked ones with ``masked``, keyed hashes with
    ``hmac`` (a masked example cannot become a hash, and showing it would break the promise that
    ``hmac`` reports hold hashes only), none with ``none``.
    """
    if policy.mode == "none" or limit <= 0:
        return ()
    examples: dict[str, None] = {}
    if detection.candidates:
        for value in detection.candidates:
            if len(examples) >= limit:
                break
            example = example_for(policy, detection.category, value, masker=masker)
            if example is not None:
                examples[example] = None
        return tuple(examples)
    for example in detection.examples:
        if len(examples) >= limit:
            break
        if policy.mode == "masked" or _is_hmac_example(example):
            examples[example] = None
    return tuple(examples)


def _is_hmac_example(text: str) -> bool:
    digest = text[len(HMAC_PREFIX) :]
    return text.startswith(HMAC_PREFIX) and len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)
