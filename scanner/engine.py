"""The scan engine: sources -> containers -> bounded samples -> classification -> findings.

Per-container work is a :class:`ContainerTask` (plain, picklable data) run by an executor, so the
same code runs on a local thread pool or on a Dask cluster. Raw values exist only inside the
:class:`~piimap.model.FieldSample` being classified; what leaves :func:`run_container_task` is
findings with masked examples.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from piimap.classifiers.spec import spec_for
from piimap.connectors.toolkit import connection_limit as source_connection_limit
from piimap.connectors.toolkit import describe_error
from piimap.evidence import finding_examples
from piimap.model import (
    Container,
    ContainerHints,
    Detection,
    FieldSample,
    Finding,
    PiimapError,
    ScanResult,
    SourceError,
    SourceSpec,
    SourceStatus,
)
from piimap.plugins import CLASSIFIER_GROUP, connector_factory_for, load_group
from piimap.protocols import Classifier, Connector, ContainerHinter
from piimap.redact import redact_message, remember_url_secrets
from piimap.scancache import clear_value_caches, open_scopes, scan_scope
from piimap.settings import ScanSettings

__all__ = [
    "ContainerTask",
    "ContainerOutcome",
    "ScanObserver",
    "ObserverGroup",
    "connection_limit",
    "scan",
    "run_container_task",
    "classify_samples",
    "uncounted_pieces",
    "with_evidence",
    "with_container_hints",
    "build_classifiers",
    "open_connector",
    "close_connector",
    "release_source",
    "Executor",
    "SerialExecutor",
    "ThreadExecutor",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ContainerTask:
    """The unit of work sent to an executor: read and classify one container."""

    spec: SourceSpec
    container: Container
    settings: ScanSettings


@dataclass(frozen=True)
class ContainerOutcome:
    """What one container yielded: findings (masked) or an error, and how many values were read."""

    task: ContainerTask
    findings: tuple[Finding, ...] = ()
    error: SourceError | None = None
    values_read: int = 0
    reused: bool = False


class ScanObserver:
    """Hooks for progress display and logging; the default does nothing."""

    def source_started(self, spec: SourceSpec) -> None: ...

    def containers_discovered(self, spec: SourceSpec, count: int) -> None: ...

    def container_done(self, outcome: ContainerOutcome) -> None: ...

    def source_finished(self, status: SourceStatus) -> None: ...


class ObserverGroup(ScanObserver):
    """Forwards every event to several observers (progress display, inventory, ...), in order."""

    def __init__(self, *observers: ScanObserver) -> None:
        self.observers = tuple(observers)

    def source_started(self, spec: SourceSpec) -> None:
        for observer in self.observers:
            observer.source_started(spec)

    def containers_discovered(self, spec: SourceSpec, count: int) -> None:
        for observer in self.observers:
            observer.containers_discovered(spec, count)

    def container_done(self, outcome: ContainerOutcome) -> None:
        for observer in self.observers:
            observer.container_done(outcome)

    def source_finished(self, status: SourceStatus) -> None:
        for observer in self.observers:
            observer.source_finished(status)


# Connectors and classifiers are opened once per process and reused by every task in it
# (the local thread pool, or each Dask worker process).
_cache_lock = threading.Lock()
_connectors: dict[tuple[str, str, str], Connector] = {}
_classifiers: dict[str, tuple[Classifier, ...]] = {}


def open_connector(spec: SourceSpec, settings: ScanSettings) -> Connector:
    """The process-wide connector for ``spec`` (constructing one does no I/O)."""
    key = (spec.name, spec.url, repr(sorted(spec.options.items())))
    remember_url_secrets(spec.url)  # its password is masked in every later message and log line
    with _cache_lock:
        connector = _connectors.get(key)
        if connector is None:
            factory = connector_factory_for(spec.url)
            connector = factory(spec, settings)
            _connectors[key] = connector
        return connector


def close_connector(spec: SourceSpec) -> None:
    """Close and forget the cached connectors of ``spec``."""
    with _cache_lock:
        keys = [key for key in _connectors if key[0] == spec.name and key[1] == spec.url]
        connectors = [_connectors.pop(key) for key in keys]
    for connector in connectors:
        try:
            connector.close()
        except Exception as error:  # closing must never hide the scan's own result
            log.debug("closing %s failed: %s", spec.name, error)


def release_source(spec: SourceSpec) -> None:
    """Where no scan is running (a Dask worker once a source is done with it): close ``spec``'s
    connectors and empty the validators' caches of raw values; inside a scan, close only."""
    close_connector(spec)
    if open_scopes() == 0:
        clear_value_caches()


def build_classifiers(settings: ScanSettings) -> tuple[Classifier, ...]:
    """The enabled classifiers from the ``piimap.classifiers`` entry points, built once per settings."""
    with _cache_lock:
        key = repr(settings)  # settings hold config mappings, so key by their text
        cached = _classifiers.get(key)
        if cached is not None:
            return cached
        built: list[Classifier] = []
        for name, factory in load_group(CLASSIFIER_GROUP).items():
            if settings.enabled_classifiers is not None and name not in settings.enabled_classifiers:
                continue
            if name in settings.disabled_classifiers:
                continue
            declared = getattr(factory, "categories", None)
            if (
                isinstance(declared, tuple)
                and declared
                and not any(settings.wants_category(category) for category in declared)
            ):
                continue  # --only / --except leave it nothing to find
            try:
                built.append(factory(settings))
            except Exception as error:
                log.warning("classifier %s could not be set up: %s", name, error)
        _classifiers[key] = tuple(built)
        return _classifiers[key]


#: values of a container's first samples held back for :func:`with_container_hints`, at most
HINT_VALUES = 100_000


def with_container_hints(
    samples: Iterable[FieldSample], classifiers: Sequence[Classifier]
) -> Iterator[FieldSample]:
    """``samples`` of one container, each with the hints the classifiers draw from the whole container.

    The first sample of each field is held back until a field comes round again (the next batch
    of a full read), the stream ends, or :data:`HINT_VALUES` values are held; every
    :class:`~piimap.protocols.ContainerHinter` then reads those samples at once, and the merged
    :class:`~piimap.model.ContainerHints` go with every sample of the container. Memory stays
    bounded by one batch of each field; the hints hold no raw values.
    """
    hinters = [classifier for classifier in classifiers if isinstance(classifier, ContainerHinter)]
    stream = iter(samples)
    if not hinters:
        yield from stream
        return
    first: list[FieldSample] = []
    fields: set[str | None] = set()
    held = 0
    following: FieldSample | None = None
    for sample in stream:
        if sample.field.name in fields or held >= HINT_VALUES:
            following = sample
            break
        first.append(sample)
        fields.add(sample.field.name)
        held += len(sample.values)
    hints = ContainerHints()
    for hinter in hinters:
        try:
            found = hinter.container_hints(first)
        except Exception as error:  # a hint is a help, never a reason to lose the container
            log.warning(
                "container hints of %s failed: %s", getattr(hinter, "id", hinter), type(error).__name__
            )
            continue
        if found is not None:
            hints = hints.merged(found)
    if hints == ContainerHints():
        yield from first
        first.clear()
        if following is not None:
            yield following
        yield from stream
        return
    first.reverse()
    while first:  # hand the held samples on one by one, so each is dropped once classified
        yield _hinted(first.pop(), hints)
    if following is not None:
        yield _hinted(following, hints)
        following = None
    for sample in stream:
        yield _hinted(sample, hints)


def _hinted(sample: FieldSample, hints: ContainerHints) -> FieldSample:
    """``sample`` with ``hints`` added to any it carries already."""
    return replace(sample, hints=hints if sample.hints is None else sample.hints.merged(hints))


def classify_samples(
    samples: Iterable[FieldSample],
    classifiers: Sequence[Classifier],
    settings: ScanSettings,
) -> tuple[list[Finding], int]:
    """Classify a stream of samples of one container; returns findings and values read.

    Each sample is dropped as soon as every classifier has seen it. Batches of the same field are
    merged: counts add up, examples are pooled, the confidence is the highest seen. The samples
    first pass :func:`with_container_hints`, so a field is judged with its container in view.
    """
    best: dict[tuple[str | None, str], Detection] = {}
    refs: dict[str | None, FieldSample] = {}
    wanted = settings.wants_category
    values_read = 0
    for sample in with_container_hints(samples, classifiers):
        values_read += sample.occurrences
        if not sample.values:
            continue
        refs.setdefault(sample.field.name, FieldSample(sample.field, ()))
        for classifier in classifiers:
            try:
                detections = _classify(classifier, sample)
            except Exception as error:  # one classifier's bug must not lose the field
                # the type only: an exception's text may quote the value being classified
                log.warning(
                    "classifier %s failed on %s: %s", classifier.id, sample.field.name, type(error).__name__
                )
                continue
            for detection in detections:
                if not wanted(detection.category):
                    continue
                detection = with_evidence(detection, settings)
                key = (sample.field.name, detection.category)
                best[key] = _merge(best.get(key), detection, settings.max_examples)
        del sample
    findings = []
    for (field_name, category), detection in best.items():
        if detection.confidence < settings.min_confidence:
            continue
        ref = refs[field_name].field
        findings.append(
            Finding(
                source=ref.source,
                container=ref.container,
                field=field_name,
                category=category,
                confidence=round(min(1.0, max(0.0, detection.confidence)), 3),
                matched=detection.matched,
                sampled=detection.sampled,
                classifier=detection.classifier,
                examples=detection.examples,
                evidence=detection.evidence,
            )
        )
    return findings, values_read


def with_evidence(detection: Detection, settings: ScanSettings) -> Detection:
    """``detection`` with the examples the ``evidence`` setting allows (masked as its category's spec
    says), and its raw candidates dropped."""
    spec = spec_for(detection.category)
    masker = spec.mask if spec is not None else None
    examples = finding_examples(settings.evidence, detection, settings.max_examples, masker)
    if examples == detection.examples and not detection.candidates:
        return detection
    return replace(detection, examples=examples, candidates=())


#: values per piece when a counted sample is repeated out for a classifier that does not read counts
UNCOUNTED_PIECE = 65_536


def _classify(classifier: Classifier, sample: FieldSample) -> list[Detection]:
    """``classifier``'s detections of ``sample``; a counted sample is repeated out for a classifier
    that does not declare ``accepts_counts``, so its ``len(sample.values)`` is honest."""
    if sample.counts is None or getattr(classifier, "accepts_counts", False):
        return list(classifier.classify(sample))
    pooled: dict[str, list[Detection]] = {}
    pieces: list[tuple[int, set[str]]] = []  # values in each piece, categories detected in it
    for piece in uncounted_pieces(sample, UNCOUNTED_PIECE):
        detected: set[str] = set()
        for detection in classifier.classify(piece):
            pooled.setdefault(detection.category, []).append(detection)
            detected.add(detection.category)
        pieces.append((len(piece.values), detected))
    return [
        _pool_pieces(found, sum(size for size, detected in pieces if category not in detected))
        for category, found in pooled.items()
    ]


def uncounted_pieces(sample: FieldSample, size: int = UNCOUNTED_PIECE) -> Iterator[FieldSample]:
    """``sample`` without counts: each value as often as it occurs, in samples of at most ``size`` values.

    The values are references to the sample's own strings, so a piece costs a pointer per value;
    the ``null_count`` goes with the first piece.
    """
    piece: list[str] = []
    null_count = sample.null_count
    for value, count in sample.counted():
        while count > 0:
            take = min(count, size - len(piece))
            piece.extend([value] * take)
            count -= take
            if len(piece) >= size:
                yield replace(sample, values=tuple(piece), counts=None, null_count=null_count)
                piece, null_count = [], 0
    if piece or null_count:
        yield replace(sample, values=tuple(piece), counts=None, null_count=null_count)


def _pool_pieces(detections: list[Detection], unmatched: int = 0) -> Detection:
    """One detection of a sample from the detections of its pieces: counts add up, the confidence
    is the mean weighted by values looked at (a hit ratio over the pieces is the ratio over the
    whole), examples and candidates are pooled, the explanation is the largest piece's.
    ``unmatched`` values were in pieces the classifier found nothing in: they count as looked at,
    with no match and no confidence."""
    if len(detections) == 1 and not unmatched:
        return detections[0]
    sampled = sum(detection.sampled for detection in detections) + unmatched
    weights = [max(detection.sampled, 0) for detection in detections]
    total = sum(weights) + unmatched
    if total:
        confidence = sum(d.confidence * w for d, w in zip(detections, weights)) / total
    else:
        confidence = max(detection.confidence for detection in detections)
    largest = max(detections, key=lambda detection: detection.sampled)
    return replace(
        largest,
        confidence=confidence,
        matched=sum(detection.matched for detection in detections),
        sampled=sampled,
        examples=tuple(dict.fromkeys(e for detection in detections for e in detection.examples)),
        candidates=tuple(dict.fromkeys(c for detection in detections for c in detection.candidates)),
    )


def _merge(current: Detection | None, new: Detection, max_examples: int) -> Detection:
    """Combine two detections of one (field, category): another classifier, or another batch."""
    if current is None:
        return Detection(
            category=new.category,
            classifier=new.classifier,
            confidence=new.confidence,
            matched=new.matched,
            sampled=new.sampled,
            examples=tuple(dict.fromkeys(new.examples))[:max_examples],
            evidence=new.evidence,
        )
    if current.classifier != new.classifier:
        # Two classifiers on one category: the report keeps the best classifier's view.
        return current if current.confidence >= new.confidence else _merge(None, new, max_examples)
    examples = tuple(dict.fromkeys(current.examples + new.examples))[:max_examples]
    stronger = current if current.confidence >= new.confidence else new
    return Detection(
        category=new.category,
        classifier=new.classifier,
        confidence=stronger.confidence,
        matched=current.matched + new.matched,
        sampled=current.sampled + new.sampled,
        examples=examples,
        evidence=stronger.evidence,
    )


def run_container_task(task: ContainerTask) -> ContainerOutcome:
    """Read and classify one container. Never raises for data or connection problems."""
    container = task.container
    failures: list[BaseException] = []
    try:
        connector = open_connector(task.spec, task.settings)
        classifiers = build_classifiers(task.settings)
        samples = _until_error(connector.sample(container, task.settings.sample_size), failures)
        findings, values_read = classify_samples(samples, classifiers, task.settings)
    except PiimapError as error:
        message = redact_message(str(error), task.spec.url)
        return ContainerOutcome(task, error=SourceError(task.spec.name, message, container.name))
    except Exception as error:  # a driver error of any kind: report it, keep scanning
        message = redact_message(_describe(error), task.spec.url)
        return ContainerOutcome(task, error=SourceError(task.spec.name, message, container.name))
    findings.sort(key=lambda finding: (finding.field or "", finding.category))
    if failures:  # the connector failed part-way: keep the findings of what it read, report the rest
        failure = failures[0]
        raw = str(failure) if isinstance(failure, PiimapError) else _describe(failure)
        message = redact_message(raw, task.spec.url)
        partial = SourceError(task.spec.name, message, container.name)
        return ContainerOutcome(task, findings=tuple(findings), error=partial, values_read=values_read)
    return ContainerOutcome(task, findings=tuple(findings), values_read=values_read)


def _until_error(samples: Iterator[FieldSample], failures: list[BaseException]) -> Iterator[FieldSample]:
    """Yield ``samples`` until the connector raises; the error goes to ``failures``, not up."""
    try:
        yield from samples
    except Exception as error:  # reported by run_container_task with the findings so far
        failures.append(error)


def _describe(error: BaseException) -> str:
    """One line for an unexpected error: its type and first line, no traceback."""
    return describe_error(error)


class Executor:
    """Runs container tasks; yields outcomes as they finish. Subclasses decide where."""

    def run(self, tasks: Iterable[ContainerTask]) -> Iterator[ContainerOutcome]:
        raise NotImplementedError

    def close(self) -> None:
        """Release workers."""


class SerialExecutor(Executor):
    """Runs tasks one after another in this thread (simplest, used for one-container sources)."""

    def run(self, tasks: Iterable[ContainerTask]) -> Iterator[ContainerOutcome]:
        for task in tasks:
            yield run_container_task(task)


def connection_limit(spec: SourceSpec, settings: ScanSettings) -> int:
    """How many connections a scan may open to ``spec`` at once: the source's ``max_connections``
    option, else the ``max_connections_per_source`` setting (at least 1)."""
    return source_connection_limit(spec, settings)


class ThreadExecutor(Executor):
    """A bounded thread pool; at most :func:`connection_limit` tasks per source at once
    (``per_source`` is the fallback when a task's settings do not say).

    On Ctrl-C (``KeyboardInterrupt`` in the thread consuming :meth:`run`) no further container is
    started, queued ones are cancelled, containers already being read get
    :attr:`interrupt_grace_seconds` to finish (their outcomes are still yielded), and then the
    interrupt is raised again. Containers still running after that are abandoned, not waited for.
    """

    #: How long in-flight containers may take to finish after Ctrl-C before they are abandoned.
    interrupt_grace_seconds: float = 2.0

    def __init__(self, workers: int = 4, per_source: int = 2) -> None:
        self.workers = max(1, workers)
        self.per_source = max(1, per_source)

    def run(self, tasks: Iterable[ContainerTask]) -> Iterator[ContainerOutcome]:
        from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

        limits: dict[str, threading.Semaphore] = {}
        stopping = threading.Event()

        def guarded(task: ContainerTask) -> ContainerOutcome | None:
            with limits[task.spec.name]:
                if stopping.is_set():  # interrupted while waiting for a connection slot
                    return None
                return run_container_task(task)

        def finished(done: Iterable[Any]) -> Iterator[ContainerOutcome]:
            for future in done:
                if not future.cancelled() and (outcome := future.result()) is not None:
                    yield outcome

        pending: set[Any] = set()
        pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="piimap")
        try:
            for task in tasks:
                if task.spec.name not in limits:
                    limits[task.spec.name] = threading.Semaphore(connection_limit(task.spec, task.settings))
                pending.add(pool.submit(guarded, task))
                if len(pending) >= self.workers * 4:  # bounded queue: discovery stays lazy
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    yield from finished(done)
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                yield from finished(done)
        except KeyboardInterrupt:
            stopping.set()
            pool.shutdown(wait=False, cancel_futures=True)
            done, _ = wait(pending, timeout=self.interrupt_grace_seconds)
            yield from finished(done)
            raise
        except BaseException:  # the consumer stopped early (GeneratorExit) or failed: do not wait
            stopping.set()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


#: The error of a source whose scan Ctrl-C stopped, and of the sources never started after it.
INTERRUPTED_MESSAGE = "interrupted before this source was finished"
NOT_SCANNED_MESSAGE = "not scanned: the scan was interrupted"


class _SourceInterrupted(BaseException):
    """Ctrl-C inside :func:`_scan_source`, carrying what that source yielded until then."""

    def __init__(self, status: SourceStatus, findings: list[Finding], errors: list[SourceError]) -> None:
        super().__init__(status.name)
        self.status = status
        self.findings = findings
        self.errors = errors


def scan(
    specs: Sequence[SourceSpec],
    settings: ScanSettings,
    *,
    executor: Executor | None = None,
    observer: ScanObserver | None = None,
    reuse: Callable[[ContainerTask], tuple[Finding, ...] | None] | None = None,
) -> ScanResult:
    """Scan every source; a failing source is recorded and the others still finish.

    ``reuse`` (incremental rescans) may return the stored findings of a container whose
    fingerprint has not changed; such a container is not read again.

    Ctrl-C (``KeyboardInterrupt``) does not escape: the scan stops, and the result holds the
    findings read until then, marks the unfinished sources ``error`` and has ``interrupted`` set.
    """
    with scan_scope():  # the validators' caches of raw values are emptied when the scan ends
        return _scan(specs, settings, executor, observer, reuse)


def _scan(
    specs: Sequence[SourceSpec],
    settings: ScanSettings,
    executor: Executor | None,
    observer: ScanObserver | None,
    reuse: Callable[[ContainerTask], tuple[Finding, ...] | None] | None,
) -> ScanResult:
    executor = executor or ThreadExecutor(settings.workers, settings.max_connections_per_source)
    observer = observer or ScanObserver()
    started = _now()
    statuses: list[SourceStatus] = []
    findings: list[Finding] = []
    errors: list[SourceError] = []
    interrupted = False
    for spec in specs:
        if interrupted:
            statuses.append(SourceStatus(spec.name, spec.display_url, "error", NOT_SCANNED_MESSAGE))
            continue
        observer.source_started(spec)
        try:
            status, source_findings, source_errors = _scan_source(spec, settings, executor, observer, reuse)
        except _SourceInterrupted as stop:
            interrupted = True
            status, source_findings, source_errors = stop.status, stop.findings, stop.errors
        except KeyboardInterrupt:
            interrupted = True
            status = SourceStatus(spec.name, spec.display_url, "error", INTERRUPTED_MESSAGE)
            source_findings, source_errors = [], []
        statuses.append(status)
        findings.extend(source_findings)
        errors.extend(source_errors)
        observer.source_finished(status)
    findings.sort(key=lambda f: (f.source, f.container, f.field or "", f.category))
    return ScanResult(
        started=started,
        finished=_now(),
        sources=tuple(statuses),
        findings=tuple(findings),
        errors=tuple(errors),
        interrupted=interrupted,
    )


def _scan_source(
    spec: SourceSpec,
    settings: ScanSettings,
    executor: Executor,
    observer: ScanObserver,
    reuse: Callable[[ContainerTask], tuple[Finding, ...] | None] | None,
) -> tuple[SourceStatus, list[Finding], list[SourceError]]:
    findings: list[Finding] = []
    errors: list[SourceError] = []
    try:
        connector = open_connector(spec, settings)
        containers = list(connector.discover())
    except KeyboardInterrupt:
        close_connector(spec)
        raise _SourceInterrupted(
            SourceStatus(spec.name, spec.display_url, "error", INTERRUPTED_MESSAGE), findings, errors
        ) from None
    except Exception as error:
        close_connector(spec)
        raw = str(error) if isinstance(error, PiimapError) else _describe(error)
        message = redact_message(raw, spec.url)
        errors.append(SourceError(spec.name, message))
        return SourceStatus(spec.name, spec.display_url, "error", message), findings, errors
    observer.containers_discovered(spec, len(containers))
    tasks = [ContainerTask(spec, container, settings) for container in containers]
    to_run: list[ContainerTask] = []
    reused = 0
    for task in tasks:
        previous = reuse(task) if reuse else None
        if previous is None:
            to_run.append(task)
            continue
        reused += 1
        outcome = ContainerOutcome(task, findings=previous, reused=True)
        findings.extend(previous)
        observer.container_done(outcome)
    try:
        for outcome in executor.run(to_run):
            findings.extend(outcome.findings)
            if outcome.error is not None:
                errors.append(outcome.error)
            observer.container_done(outcome)
    except KeyboardInterrupt:
        status = SourceStatus(
            spec.name, spec.display_url, "error", INTERRUPTED_MESSAGE, len(containers), reused
        )
        raise _SourceInterrupted(status, findings, errors) from None
    finally:
        close_connector(spec)
    failed = [error for error in errors if error.container is not None]
    if to_run and len(failed) == len(to_run) and not findings:
        # Every container failed (for example the server went away): the source failed.
        message = (
            failed[0].message if len(failed) == 1 else f"{failed[0].message} (and {len(failed) - 1} more)"
        )
        return (
            SourceStatus(spec.name, spec.display_url, "error", message, len(containers), reused),
            findings,
            errors,
        )
    return SourceStatus(spec.name, spec.display_url, "ok", None, len(containers), reused), findings, errors
