"""The boundaries plugins implement. Third-party connectors, classifiers and reports register
through the entry-point groups ``piimap.connectors``, ``piimap.classifiers`` and ``piimap.reports``
exactly as the built-in ones do (see ``pyproject.toml``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import IO, ClassVar, Protocol, runtime_checkable

from piimap.model import Container, ContainerHints, Detection, FieldSample, ScanResult, SourceSpec
from piimap.settings import ScanSettings

__all__ = ["Connector", "ConnectorFactory", "Classifier", "ClassifierFactory", "ContainerHinter", "Report"]


@runtime_checkable
class Connector(Protocol):
    """Reads one source. Constructing one does no I/O; :meth:`discover` opens the connection.

    A connector never writes to its source. It raises :class:`~piimap.model.SourceUnavailable`
    when the whole source cannot be read and :class:`~piimap.model.ContainerUnreadable` for one
    container, with messages that hold no password.
    """

    def discover(self) -> Iterator[Container]:
        """Yield the containers of the source, lazily, honouring include/exclude options."""
        ...

    def sample(self, container: Container, limit: int) -> Iterator[FieldSample]:
        """Yield bounded samples of every field of ``container`` from one read of it.

        ``limit`` is the number of values (rows, documents, lines) to look at; ``0`` means all,
        in which case large containers arrive as several samples per field (batches).
        """
        ...

    def close(self) -> None:
        """Release connections and clients. Safe to call twice."""
        ...


class ConnectorFactory(Protocol):
    """What a ``piimap.connectors`` entry point loads: usually the connector class itself."""

    name: ClassVar[str]

    @classmethod
    def accepts(cls, url: str) -> bool:
        """True when this connector can read ``url`` (by scheme, or a path that exists)."""
        ...

    def __call__(self, spec: SourceSpec, settings: ScanSettings) -> Connector: ...


@runtime_checkable
class Classifier(Protocol):
    """Looks at a whole field sample and says which categories it holds, with what confidence.

    A classifier sees the field's name (``sample.field``) as context and the hit ratio over the
    sampled values. Heavy resources (models) load lazily, once, on first use.

    Evidence is the engine's business: a detection hands the raw values that matched (a few are
    enough) as :attr:`~piimap.model.Detection.candidates`, and the engine turns them into masked
    examples, keyed hashes or nothing as the ``evidence`` setting says, then drops them.

    Counted samples (:attr:`~piimap.model.FieldSample.counts`): a classifier that weighs each
    value by its count says so with a class attribute ``accepts_counts = True``. Any other
    classifier is given the same values uncounted (each value repeated as often as it occurs, in
    bounded pieces), so a plain ``len(sample.values)`` counts honestly, at the price of the
    repetitions.
    """

    id: str
    categories: tuple[str, ...]

    def classify(self, sample: FieldSample) -> Iterable[Detection]:
        """Return the detections for ``sample`` (empty when nothing matched)."""
        ...


@runtime_checkable
class ContainerHinter(Protocol):
    """A classifier that also reads a container's first samples for hints about its other fields.

    Optional: the engine calls :meth:`container_hints` once per container, on the first sample
    of each field, before any of them is classified, and attaches the merged hints to every sample
    of the container (:attr:`~piimap.model.FieldSample.hints`).
    """

    def container_hints(self, samples: Sequence[FieldSample]) -> ContainerHints | None:
        """What ``samples`` (one per field) say that helps judge the container's fields; no raw values."""
        ...


class ClassifierFactory(Protocol):
    """What a ``piimap.classifiers`` entry point loads: a callable taking the scan settings."""

    def __call__(self, settings: ScanSettings) -> Classifier: ...


class Report(Protocol):
    """Writes a scan result in one format. Reports see only the :class:`ScanResult`."""

    format: ClassVar[str]

    def write(self, result: ScanResult, stream: IO[str]) -> None:
        """Write ``result`` to ``stream``."""
        ...
