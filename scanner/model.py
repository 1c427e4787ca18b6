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
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import networkx

from piimap.flowmodel import ObservedFlow
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
    "system_id",
    "container_id",
    "field_id",
    "category_id",
    "vendor_id",
    "ViolationMark",
    "SystemNode",
    "ContainerNode",
    "FieldNode",
    "CategoryNode",
    "VendorNode",
    "MapNode",
    "ContainsEdge",
    "HoldsEdge",
    "FlowKind",
    "VendorFlow",
    "ReachesEdge",
    "MapEdge",
    "CategoryFlow",
    "DataMapGraph",
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

    ``candidates`` are raw matched values (as they should be shown, for example the address
    inside ``Jane <jane@example.com>``), handed to the engine in memory: the engine turns them
    into the finding's examples as the ``evidence`` setting says (masked, keyed hash or none,
    :func:`piimap.evidence.finding_examples`) and drops them. They are left out of ``repr`` and
    comparisons and never leave the process. ``examples`` are examples a classifier made itself
    (masked already); the engine keeps them only where the evidence mode allows (not with
    ``none``; with ``hmac`` only keyed hashes). ``evidence`` is a short human explanation used by
    ``piimap explain`` (for example ``"42/50 values are valid emails; field name 'email' (+0.2)"``).
    ``matched`` and ``sampled`` count occurrences, honouring :attr:`FieldSample.counts`.
    """

    category: str
    classifier: str
    confidence: float
    matched: int
    sampled: int
    examples: tuple[str, ...] = ()
    evidence: str = ""
    candidates: tuple[str, ...] = field(default=(), repr=False, compare=False)


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
    #: ``scan`` for a scanned source, ``flows`` for a source of observed requests (``flows:``)
    kind: str = "scan"
    #: a flow source's system (the data-map system whose requests it holds)
    system: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {"name": self.name, "url": self.url, "status": self.status, "error": self.error}
        if self.kind != "scan":
            data["kind"] = self.kind
        return data


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
        data: dict[str, Any] = {
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
    #: The data map built from the findings (and the declarations, when checked); the JSON
    #: report writes it as networkx node-link data (:meth:`DataMapGraph.node_link`).
    datamap: DataMapGraph | None = None
    run_id: int | None = None
    #: True when the scan was stopped (Ctrl-C) before every container was read: the findings
    #: are what was read until then, and the sources not finished are marked ``error``.
    interrupted: bool = False
    #: Personal data seen leaving a system for a vendor (the config's ``flows:`` sources).
    flows: tuple[ObservedFlow, ...] = ()

    @property
    def failed(self) -> bool:
        """True when any source or container could not be read."""
        return bool(self.errors)


# --------------------------------------------------------------------------- the data map
#
# The observed data map (built by :func:`piimap.datamap.build_datamap`) as frozen records. Node
# ids are ``kind:name`` strings, the same in every report and in the JSON node-link form.


def system_id(system: str) -> str:
    """The node id of a system (a scanned source or a declared system)."""
    return f"system:{system}"


def container_id(system: str, container: str) -> str:
    return f"container:{system}/{container}"


def field_id(system: str, container: str, field_name: str) -> str:
    return f"field:{system}/{container}/{field_name}"


def category_id(category: str) -> str:
    return f"category:{category}"


def vendor_id(vendor: str) -> str:
    return f"vendor:{vendor}"


@dataclass(frozen=True)
class ViolationMark:
    """A violation recorded on a node it concerns, so reports can highlight the node."""

    rule: str
    fingerprint: str
    severity: str
    suppressed: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "fingerprint": self.fingerprint,
            "severity": self.severity,
            "suppressed": self.suppressed,
        }


@dataclass(frozen=True)
class SystemNode:
    """A scanned source or a system of the data map.

    ``status`` is the source's (``ok`` / ``error``) or ``not scanned``; ``declared`` is ``None``
    when no data map was given, else whether the data map lists the system.
    """

    kind: ClassVar[str] = "system"

    name: str
    status: str
    declared: bool | None = None
    declared_categories: tuple[str, ...] = ()
    description: str = ""
    owner: str = ""
    line: int = 0
    violations: tuple[ViolationMark, ...] = ()

    @property
    def id(self) -> str:
        return system_id(self.name)

    @property
    def label(self) -> str:
        return self.name

    def attributes(self) -> dict[str, Any]:
        """The node's attributes in the node-link form."""
        return {
            "kind": self.kind,
            "label": self.name,
            "system": self.name,
            "status": self.status,
            "declared": self.declared,
            "declared_categories": list(self.declared_categories),
            "description": self.description,
            "owner": self.owner,
            "line": self.line,
            "violations": [mark.to_dict() for mark in self.violations],
        }


@dataclass(frozen=True)
class ContainerNode:
    """A container of a system in which personal data was found."""

    kind: ClassVar[str] = "container"

    system: str
    name: str
    violations: tuple[ViolationMark, ...] = ()

    @property
    def id(self) -> str:
        return container_id(self.system, self.name)

    @property
    def label(self) -> str:
        return self.name

    def attributes(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label": self.name,
            "system": self.system,
            "violations": [mark.to_dict() for mark in self.violations],
        }


@dataclass(frozen=True)
class FieldNode:
    """A field of a container in which personal data was found."""

    kind: ClassVar[str] = "field"

    system: str
    container: str
    name: str
    violations: tuple[ViolationMark, ...] = ()

    @property
    def id(self) -> str:
        return field_id(self.system, self.container, self.name)

    @property
    def label(self) -> str:
        return self.name

    def attributes(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label": self.name,
            "system": self.system,
            "container": self.container,
            "violations": [mark.to_dict() for mark in self.violations],
        }


@dataclass(frozen=True)
class CategoryNode:
    """A category key; one node per category, shared by every system holding it."""

    kind: ClassVar[str] = "category"

    category: str
    violations: tuple[ViolationMark, ...] = ()

    @property
    def id(self) -> str:
        return category_id(self.category)

    @property
    def label(self) -> str:
        return self.category

    def attributes(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label": self.category,
            "category": self.category,
            "violations": [mark.to_dict() for mark in self.violations],
        }


@dataclass(frozen=True)
class VendorNode:
    """A vendor or partner of the data map. ``disclosed`` is what the policy says its role may
    receive (``None`` without a policy)."""

    kind: ClassVar[str] = "vendor"

    vendor: str
    label: str
    role: str
    purpose: str = ""
    description: str = ""
    disclosed: tuple[str, ...] | None = None
    line: int = 0
    violations: tuple[ViolationMark, ...] = ()
    #: whether the data map lists the vendor (``None`` without a data map); an observed vendor
    #: that it does not list comes from the catalogue, or is an unknown recipient (``known`` false)
    declared: bool | None = None
    known: bool = True
    hosts: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return vendor_id(self.vendor)

    def attributes(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label": self.label,
            "vendor": self.vendor,
            "role": self.role,
            "purpose": self.purpose,
            "description": self.description,
            "disclosed": list(self.disclosed) if self.disclosed is not None else None,
            "line": self.line,
            "declared": self.declared,
            "known": self.known,
            "hosts": list(self.hosts),
            "violations": [mark.to_dict() for mark in self.violations],
        }


MapNode = SystemNode | ContainerNode | FieldNode | CategoryNode | VendorNode


@dataclass(frozen=True)
class ContainsEdge:
    """System -> container, or container -> field."""

    kind: ClassVar[str] = "contains"

    source: str
    target: str

    def attributes(self) -> dict[str, Any]:
        return {"kind": self.kind}


@dataclass(frozen=True)
class HoldsEdge:
    """A field (or a container, for unstructured text) holds a category: one finding.

    ``declared`` is ``None`` without a data map, else whether the system declares it there.
    """

    kind: ClassVar[str] = "holds"

    source: str
    category: str
    system: str
    confidence: float
    matched: int
    sampled: int
    classifier: str
    declared: bool | None = None

    @property
    def target(self) -> str:
        return category_id(self.category)

    def attributes(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "system": self.system,
            "confidence": self.confidence,
            "matched": self.matched,
            "sampled": self.sampled,
            "classifier": self.classifier,
            "declared": self.declared,
        }


class FlowKind(str, enum.Enum):
    """Where a vendor flow is known from: the data map declares it, it was observed, or both."""

    DECLARED = "declared"
    OBSERVED = "observed"
    BOTH = "both"


@dataclass(frozen=True)
class VendorFlow:
    """System -> vendor: what the data map's flows (merged per pair) send, and what was seen sent.

    ``declared`` are the categories the flows name (``("all",)`` for ``categories: all``);
    ``carries`` the categories they carry given the findings (see
    :func:`piimap.datamap.carried_categories`). ``observed`` are the categories seen in requests
    to the vendor (:mod:`piimap.flows`), with ``count`` (requests that carried them),
    ``category_counts``, ``first_seen``, ``last_seen``, the ``hosts`` reached and masked
    ``evidence``. ``kind`` says where the edge is known from: the data map, the requests, or both.
    In the node-link form ``kind`` is that (``declared`` / ``observed`` / ``both``), ``edge`` is
    ``flow`` and ``categories`` is every category the edge stands for (carried or observed).
    """

    edge_kind: ClassVar[str] = "flow"

    system: str
    vendor: str
    declared: tuple[str, ...]
    carries: tuple[str, ...]
    containers: tuple[str, ...] = ()
    purpose: str = ""
    line: int = 0
    kind: FlowKind = FlowKind.DECLARED
    count: int = 0
    first_seen: str | None = None
    last_seen: str | None = None
    evidence: tuple[str, ...] = ()
    observed: tuple[str, ...] = ()
    category_counts: Mapping[str, int] = field(default_factory=dict)
    hosts: tuple[str, ...] = ()
    flow_sources: tuple[str, ...] = ()

    @property
    def source(self) -> str:
        return system_id(self.system)

    @property
    def target(self) -> str:
        return vendor_id(self.vendor)

    @property
    def categories(self) -> tuple[str, ...]:
        """Every category the edge stands for: carried by the declared flows or observed."""
        return tuple(sorted(set(self.carries) | set(self.observed)))

    def attributes(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "edge": self.edge_kind,
            "categories": list(self.categories),
            "declared": list(self.declared),
            "containers": list(self.containers),
            "carries": list(self.carries),
            "observed": list(self.observed),
            "count": self.count,
            "category_counts": dict(self.category_counts),
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "hosts": list(self.hosts),
            "flow_sources": list(self.flow_sources),
            "evidence": list(self.evidence),
            "purpose": self.purpose,
            "line": self.line,
        }

    def category_flows(self) -> tuple[CategoryFlow, ...]:
        """One :class:`CategoryFlow` per category the edge stands for (carried or observed)."""
        return tuple(CategoryFlow(self.system, self.vendor, category) for category in self.categories)


@dataclass(frozen=True)
class ReachesEdge:
    """Category -> vendor: a category found in ``systems`` reaches the vendor through their flows."""

    kind: ClassVar[str] = "reaches"

    category: str
    vendor: str
    systems: tuple[str, ...]

    @property
    def source(self) -> str:
        return category_id(self.category)

    @property
    def target(self) -> str:
        return vendor_id(self.vendor)

    def attributes(self) -> dict[str, Any]:
        return {"kind": self.kind, "systems": list(self.systems)}


MapEdge = ContainsEdge | HoldsEdge | VendorFlow | ReachesEdge


@dataclass(frozen=True, order=True)
class CategoryFlow:
    """Personal data of one category going from a system to a vendor (what the history compares)."""

    system: str
    vendor: str
    category: str


@dataclass(frozen=True)
class DataMapGraph:
    """The data map of a scan: systems -> containers -> fields -> categories -> vendors.

    ``nodes`` and ``edges`` are in the order they were built, which is the order of the
    node-link form. ``organisation``, the declaration files and the policy's line numbers say
    where the declarations came from (for reports that point at the line to fix).
    """

    nodes: tuple[MapNode, ...] = ()
    edges: tuple[MapEdge, ...] = ()
    organisation: str = ""
    datamap_file: str | None = None
    policy_file: str | None = None
    policy_collected_line: int = 0
    policy_shared_lines: Mapping[str, int] = field(default_factory=dict)

    @cached_property
    def _by_id(self) -> dict[str, MapNode]:
        return {node.id: node for node in self.nodes}

    def node(self, node_id: str) -> MapNode | None:
        """The node with id ``node_id`` (:func:`system_id` ...), or ``None``."""
        return self._by_id.get(node_id)

    @property
    def systems(self) -> tuple[SystemNode, ...]:
        return tuple(node for node in self.nodes if isinstance(node, SystemNode))

    @property
    def vendors(self) -> tuple[VendorNode, ...]:
        return tuple(node for node in self.nodes if isinstance(node, VendorNode))

    @property
    def flows(self) -> tuple[VendorFlow, ...]:
        return tuple(edge for edge in self.edges if isinstance(edge, VendorFlow))

    @property
    def reaches(self) -> tuple[ReachesEdge, ...]:
        return tuple(edge for edge in self.edges if isinstance(edge, ReachesEdge))

    def graph_attributes(self) -> dict[str, Any]:
        return {
            "organisation": self.organisation,
            "datamap_file": self.datamap_file,
            "policy_file": self.policy_file,
            "policy_collected_line": self.policy_collected_line,
            "policy_shared_lines": dict(self.policy_shared_lines),
        }

    def to_networkx(self) -> networkx.DiGraph:
        """The data map as a :class:`networkx.DiGraph` (node and edge attributes as in :meth:`node_link`)."""
        import networkx

        graph = networkx.DiGraph()
        graph.graph.update(self.graph_attributes())
        for node in self.nodes:
            graph.add_node(node.id, **node.attributes())
        for edge in self.edges:
            graph.add_edge(edge.source, edge.target, **edge.attributes())
        return graph

    def node_link(self) -> dict[str, Any]:
        """JSON-ready networkx node-link data (``directed``, ``graph``, ``nodes``, ``edges``): the
        JSON report's ``datamap``."""
        import networkx

        return networkx.node_link_data(self.to_networkx(), edges="edges")


class PiimapError(Exception):
    """Base of the errors piimap reports as one line (exit code 2) instead of a traceback."""


class ConfigError(PiimapError):
    """The command line or a config / data-map / policy file is wrong."""


class SourceUnavailable(PiimapError):
    """A whole source cannot be read (unknown scheme, unreachable host, bad credentials...)."""


class ContainerUnreadable(PiimapError):
    """One container cannot be read (permission denied, corrupt file...); the rest still are."""
