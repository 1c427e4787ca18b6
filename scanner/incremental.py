"""Incremental rescans: the container inventory of a scan, and the engine's ``reuse`` hook.

:class:`InventoryObserver` collects every container a scan finished, with its fingerprint, for
the history store (:mod:`piimap.store`). :class:`IncrementalReuse` is the engine's ``reuse``
hook: a container whose fingerprint (row/change counters, size and mtime, ETag) matches the one
recorded by the last run of the same source with the same scan settings
(:func:`~piimap.store.scan_digest`) is not read again; its last findings carry over into the new
run. This module is the only place where the history store meets the engine.
"""

from __future__ import annotations

import logging
import threading

from piimap.engine import ContainerOutcome, ContainerTask, ScanObserver
from piimap.model import Finding, SourceSpec
from piimap.settings import ScanSettings
from piimap.store import ContainerRecord, HistoryStore, scan_digest

__all__ = ["InventoryObserver", "IncrementalReuse"]

log = logging.getLogger(__name__)


class InventoryObserver(ScanObserver):
    """Collects every container a scan finished, with its fingerprint, for the history store."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[ContainerRecord] = []

    def container_done(self, outcome: ContainerOutcome) -> None:
        container = outcome.task.container
        state = "error" if outcome.error is not None else ("reused" if outcome.reused else "scanned")
        record = ContainerRecord(
            source=container.source or outcome.task.spec.name,
            container=container.name,
            kind=getattr(container.kind, "value", str(container.kind)),
            fingerprint=container.fingerprint,
            state=state,
        )
        with self._lock:
            self._records.append(record)

    @property
    def records(self) -> tuple[ContainerRecord, ...]:
        with self._lock:
            return tuple(self._records)


class IncrementalReuse:
    """The engine's ``reuse`` hook: stored findings for containers whose fingerprint is unchanged.

    For each source it looks up, once, the newest run that read the source successfully with the
    same :func:`scan_digest`; a container of the new scan is reused when that run scanned (or
    itself reused) a container of the same name with the same, known fingerprint. Containers
    without a fingerprint, or in error last time, are always read again.
    """

    def __init__(self, store: HistoryStore, settings: ScanSettings) -> None:
        self.store = store
        self.settings = settings
        self._lock = threading.Lock()
        self._by_source: dict[str, dict[str, tuple[str, tuple[Finding, ...]]]] = {}

    def __call__(self, task: ContainerTask) -> tuple[Finding, ...] | None:
        fingerprint = task.container.fingerprint
        if fingerprint is None:
            return None
        previous = self._previous(task.spec).get(task.container.name)
        if previous is None or previous[0] != fingerprint:
            return None
        return previous[1]

    def _previous(self, spec: SourceSpec) -> dict[str, tuple[str, tuple[Finding, ...]]]:
        with self._lock:
            cached = self._by_source.get(spec.name)
            if cached is not None:
                return cached
            loaded: dict[str, tuple[str, tuple[Finding, ...]]] = {}
            run_id = self.store.last_run_of_source(spec.name, scan_digest(spec, self.settings))
            if run_id is not None:
                by_container: dict[str, list[Finding]] = {}
                for finding in self.store.findings(run_id, spec.name):
                    by_container.setdefault(finding.container, []).append(finding)
                for record in self.store.containers(run_id, spec.name):
                    if record.fingerprint is None or record.state == "error":
                        continue
                    loaded[record.container] = (
                        record.fingerprint,
                        tuple(by_container.get(record.container, ())),
                    )
                log.debug("incremental: %d fingerprints of %s from run %s", len(loaded), spec.name, run_id)
            self._by_source[spec.name] = loaded
            return loaded
