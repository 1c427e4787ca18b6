"""The records that travel between piimap's layers.

Connectors produce :class:`Container` and :class:`FieldSample`; classifiers turn a sample into
:class:`Detection` records; the engine reduces those to :class:`Finding` records and a
:class:`ScanResult`, which is all a report ever sees. Every record is a small frozen dataclass:
nothing is mutated after creation, and raw values live only inside a :class:`FieldSample`, which
the engine drops as soon as it has been classified.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from piimap.policytext.model import Citation

__all__ = [
    "ContainerKind",
    "Container",
    "FieldRef",
    "ContainerHints",
    "FieldSample",
    "Detection",
    "Finding",
    "SourceSpec",
    "SourceStatus",
    "SourceError",
    "Violation",
    "ScanResult",
    "PiimapError",
    "SourceUnavailable",
    "ContainerUnreadable",
    "ConfigError",
]


class ContainerKind(str, enum.Enum):
    """What a container is in its store; used in reports and the data map."""

    TABLE = "table"
    VIEW = "view"
    COLLECTION = "collection"
    OBJECT = "object"
    FILE = "file"


@dataclass(frozen=True)
class SourceSpec:
    """A named source as the user configured it.

    ``url`` may hold a password; never print it, print :attr:`display_url` instead. ``options``
    carries connector-specific settings from the config file (include/exclude patterns,
    ``endpoint_url``, ...). A spec is plain data, so it can be shipped to another process.
    """

    name: str
    url: str
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def display_url(self) -> str:
        from piimap.redact import redact_url

        return redact_url(self.url)


@dataclass(frozen=True)
class Container:
    """One unit a connector samples with one read: a table, a collection, an object group or a file.

    ``name`` is what reports show (``schema.table``, ``db.collection``, ``bucket/key``, a path).
    ``locator`` is connector-private data needed to read it again (kept as plain, picklable values).
    ``fingerprint`` is a cheap change marker (row count, ETag, size and mtime) when the source can
    tell, for incremental rescans; ``None`` means "unknown, always rescan".
    """

    source: str
    name: str
    kind: ContainerKind
    locator: tuple[Any, ...] = ()
    fingerprint: str | None = None


@dataclass(frozen=True)
class FieldRef:
    """A field of a container: a column, a dotted document path, or ``None`` for unstructured text."""

    source: str
    container: str
    name: str | None
    data_type: str | None = None

    @property
    def leaf_name(self) -> str:
        """The last segment of the field name (``address.email`` -> ``email``), or ``""``."""
        if not self.name:
            return ""
        return self.name.rsplit(".", 1)[-1].removesuffix("[]")


@dataclass(frozen=True)
class ContainerHints:
    """What a container's fields say about one another, for classifiers that judge a field in context.

    The engine builds it from a container's first samples, before classifying them, through the
    classifiers' optional ``container_hints(samples)`` hook, and attaches it to every sample of the
    container (:attr:`FieldSample.hints`); a ``country`` column beside a ``phone`` column is the
    example. It holds no raw values, only what was derived from them, and lives no longer than the
    container's samples.

    ``regions``: ISO 3166 alpha-2 codes the container points at (the countries a country column
    names, the regions of its international phone numbers), for national-format phone numbers.
    """

    regions: tuple[str, ...] = ()

    def merged(self, other: ContainerHints) -> ContainerHints:
        """Both hints together (regions in order, each once)."""
        return ContainerHints(tuple(dict.fromkeys(self.regions + other.regions)))


@dataclass(frozen=True)
class FieldSample:
    """Sampled values of one field, as text. The only record that holds raw personal data.

    ``values`` are already stringified and truncated by the connector. ``None`` / empty values are
    not included; ``null_count`` says how many were skipped. A field of a large file read in full
    arrives as several samples (batches) with the same :attr:`field`.

    ``counts``, when given, says the values are distinct and ``values[i]`` stands for
    ``counts[i]`` occurrences (a full scan aggregates repeated values before classifying them, and past
    a field's first distinct values one value stands for others of its shape: see
    :mod:`piimap.connectors.logtally`);
    ``None`` means every value occurs once as listed. Use :attr:`occurrences` and
    :meth:`counted` rather than ``len(values)`` to honour it.

    ``hints`` is what the engine learnt from the container's other fields (:class:`ContainerHints`),
    ``None`` when nothing; connectors leave it unset.
    """

    field: FieldRef
    values: tuple[str, ...]
    null_count: int = 0
    counts: tuple[int, ...] | None = None
    hints: ContainerHints | None = None

    @property
    def occurrences(self) -> int:
        """How many values this sample stands for (``len(values)`` unless ``counts`` says more)."""
        return len(self.values) if self.counts is None else sum(self.counts)

    def counted(self) -> Iterator[tuple[str, int]]:
        """``(value, occurrences)`` pairs, in order."""
        if self.counts is None:
            return ((value, 1) for value in self.values)
        return zip(self.values, self.counts)


@dataclass(frozen=True)
class Detection:
    """What one classifier concluded about one field sample for one category.

    ``examples`` are masked already. ``evidence`` is a short human explanation used by
    ``--explain`` (for example ``"42/50 values are valid emails; field name 'email' (+0.2)"``).
    """

    category: str
    classifier: str
    confidence: float
    matched: int
    sampled: int
    examples: tuple[str, ...] = ()
    evidence: str = ""


@dataclass(frozen=True)
class Finding:
    """One (source, container, field, category) with the best classifier's confidence."""

    source: str
    container: str
    field: str | None
    category: str
    confidence: float
    matched: int
    sampled: int
    classifier: str
    examples: tuple[str, ...] = ()
    evidence: str = ""

    @property
    def key(self) -> tuple[str, str, str | None, str]:
        return (self.source, self.container, self.field, self.category)

    @property
    def masked_names(self) -> tuple[str, ...]:
        """Kinds of personal data masked in the container or field name (``("email",)`` for the
        field ``contacts.<email>.phone``, which stands for every contact's phone)."""
        from piimap.name_masking import masked_kinds

        return tuple(dict.fromkeys(masked_kinds(self.container) + masked_kinds(self.field)))

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "source": self.source,
            "container": self.container,
            "field": self.field,
            "category": self.category,
            "confidence": round(self.confidence, 3),
            "matched": self.matched,
            "sampled": self.sampled,
            "classifier": self.classifier,
            "examples": list(self.examples),
        }
        if masked := self.masked_names:
            data["masked_names"] = list(masked)
        return data


@dataclass(frozen=True)
class SourceError:
    """A problem reading a source or one of its containers. ``message`` never holds a password."""

    source: str
    message: str
    container: str | None = None

    def one_line(self) -> str:
        where = f"{self.source}: {self.container}" if self.container else self.source
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class SourceStatus:
    """How a whole source fared: ``ok`` (possibly with container errors) or ``error``."""

    name: str
    url: str
    status: str
    error: str | None = None
    containers: int = 0
    skipped: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "url": self.url, "status": self.status, "error": self.error}


@dataclass(frozen=True)
class Violation:
    """A broken promise found by checking findings against the data map and policy."""

    rule: str
    message: str
    severity: str = "error"
    source: str | None = None
    container: str | None = None
    field: str | None = None
    category: str | None = None
    vendor: str | None = None
    fingerprint: str = ""
    suppressed: str | None = None
    #: The policy sentences the violation rests on (violations that involve a policy read from text).
    citations: tuple[Citation, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = {
            "rule": self.rule,
            "message": self.message,
            "severity": self.severity,
            "source": self.source,
            "container": self.container,
            "field": self.field,
            "category": self.category,
            "fingerprint": self.fingerprint,
        }
        if self.vendor is not None:
            data["vendor"] = self.vendor
        if self.suppressed is not None:
            data["suppressed"] = self.suppressed
        if self.citations:
            data["citations"] = [citation.to_dict() for citation in self.citations]
        return data


@dataclass(frozen=True)
class ScanResult:
    """Everything a report needs, and nothing else."""

    started: str
    finished: str
    sources: tuple[SourceStatus, ...]
    findings: tuple[Finding, ...]
    errors: tuple[SourceError, ...] = ()
    violations: tuple[Violation, ...] | None = None
    datamap: Mapping[str, Any] | None = None
    run_id: str | None = None
    #: True when the scan was stopped (Ctrl-C) before every container was read: the findings
    #: are what was read until then, and the sources not finished are marked ``error``.
    interrupted: bool = False

    @property
    def failed(self) -> bool:
        """True when any source or container could not be read."""
        return bool(self.errors)


class PiimapError(Exception):
    """Base of the errors piimap reports as one line (exit code 2) instead of a traceback."""


class ConfigError(PiimapError):
    """The command line or a config / data-map / policy file is wrong."""


class SourceUnavailable(PiimapError):
    """A whole source cannot be read (unknown scheme, unreachable host, bad credentials...)."""


class ContainerUnreadable(PiimapError):
    """One container cannot be read (permission denied, corrupt file...); the rest still are."""
