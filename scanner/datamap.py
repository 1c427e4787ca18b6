"""The observed data map: where personal data was found and which vendors it reaches.

:func:`build_datamap` turns a scan result (and the declarations, when given) into a
:class:`~piimap.model.DataMapGraph` of frozen records. Nodes: systems (a scanned source or a
declared system), containers, fields, categories (one node per category key, shared by all
systems) and vendors. Edges: ``contains`` (system -> container -> field), ``holds`` (field, or
container for unstructured text, -> category, with the finding's confidence), ``flow`` (system ->
vendor: the declared flows between the pair merged, with the categories they carry, and the
flows observed in requests (:mod:`piimap.flows`), each edge ``declared``, ``observed`` or
``both``) and
``reaches`` (category -> vendor, with the systems it comes from): categories found in a system
reach the vendors its flows feed.

:func:`build_graph` is the same map as a :class:`networkx.DiGraph`, for graph algorithms.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from piimap.declarations import DataMap, Flow, Policy, SystemDeclaration, covers, covers_any
from piimap.flowmodel import ObservedFlow
from piimap.model import (
    CategoryNode,
    ContainerNode,
    ContainsEdge,
    DataMapGraph,
    FieldNode,
    Finding,
    FlowKind,
    HoldsEdge,
    MapEdge,
    MapNode,
    ReachesEdge,
    ScanResult,
    SystemNode,
    VendorFlow,
    VendorNode,
    Violation,
    ViolationMark,
    category_id,
    container_id,
    field_id,
    system_id,
    vendor_id,
)

if TYPE_CHECKING:
    import networkx

__all__ = [
    "system_id",
    "container_id",
    "field_id",
    "category_id",
    "vendor_id",
    "carried_categories",
    "observed_vendor_id",
    "build_datamap",
    "build_graph",
    "node_link",
]


#: Masked evidence kept per flow edge.
MAX_EDGE_EVIDENCE = 8


def observed_vendor_id(observed: ObservedFlow, datamap: DataMap | None) -> str:
    """The vendor id an observed flow is drawn to: the data map's vendor for it when it lists one
    (same id, its ``catalogue`` id, or its ``hosts``), else the catalogue's id (or ``unknown:...``)."""
    if datamap is not None:
        declared = datamap.vendor_for_observed(observed.vendor, observed.hosts)
        if declared is not None:
            return declared.id
    return observed.vendor


def _earliest(first: str | None, second: str | None) -> str | None:
    return min((item for item in (first, second) if item), default=None)


def _latest(first: str | None, second: str | None) -> str | None:
    return max((item for item in (first, second) if item), default=None)


def carried_categories(
    flow: Flow, system: SystemDeclaration | None, findings: Iterable[Finding]
) -> tuple[str, ...]:
    """The categories ``flow`` carries, given the findings of its system.

    Found categories in the flow's containers that the flow's categories cover, plus declared
    categories of the flow that nothing found is more specific than (so ``user.device`` declared
    and ``user.device.ip_address`` found carries ``user.device.ip_address``, not both). With
    ``all`` the declared side is what the system declares in the flow's containers.
    """
    found = {finding.category for finding in findings if flow.includes_container(finding.container)}
    if flow.categories is None:
        declared: list[str] = []
        if system is not None:
            declared.extend(system.categories)
            for declaration in system.containers:
                if flow.includes_container(declaration.pattern):
                    declared.extend(declaration.all_categories())
        carried = set(found)
    else:
        declared = list(flow.categories)
        carried = {category for category in found if covers_any(flow.categories, category)}
    carried.update(item for item in declared if not any(covers(item, category) for category in found))
    return tuple(sorted(carried))


def build_datamap(
    result: ScanResult,
    datamap: DataMap | None = None,
    policy: Policy | None = None,
    violations: Sequence[Violation] = (),
) -> DataMapGraph:
    """The data map of ``result`` (and of the declarations, when given), violations marked on the
    nodes they concern."""
    builder = _MapBuilder(datamap)
    statuses = {status.name: status.status for status in result.sources}
    for status in result.sources:  # a flow source stands for the system whose requests it holds
        builder.add_system(status.system or status.name, status.status)
        statuses.setdefault(status.system or status.name, status.status)
    if datamap is not None:
        for declaration in datamap.systems:
            if declaration.name not in statuses:
                builder.add_system(declaration.name, "not scanned")

    findings_by_system: dict[str, list[Finding]] = {}
    for finding in result.findings:
        findings_by_system.setdefault(finding.source, []).append(finding)
        builder.add_finding(finding)

    if datamap is not None:
        for vendor in datamap.vendors:
            builder.add_node(
                VendorNode(
                    vendor=vendor.id,
                    label=vendor.label,
                    role=vendor.role,
                    purpose=vendor.purpose,
                    description=vendor.description,
                    disclosed=tuple(policy.shared.get(vendor.role, ())) if policy else None,
                    line=vendor.line,
                    declared=True,
                    hosts=vendor.hosts,
                )
            )
        for flow in datamap.flows:
            builder.add_flow(flow, datamap.system(flow.system), findings_by_system.get(flow.system, ()))
    for observed in result.flows:
        builder.add_observed(observed, policy)

    for violation in violations:
        builder.mark(violation)
    # Edges grouped by their source node, in node order (stable): the order of networkx's node-link data.
    position = {node_id: index for index, node_id in enumerate(builder.nodes)}
    edges = sorted(builder.edges.values(), key=lambda edge: position.get(edge.source, len(position)))
    return DataMapGraph(
        nodes=tuple(builder.nodes.values()),
        edges=tuple(edges),
        organisation=datamap.organisation if datamap else "",
        datamap_file=datamap.path if datamap else None,
        policy_file=policy.path if policy else None,
        policy_collected_line=policy.collected_line if policy else 0,
        policy_shared_lines=dict(policy.shared_lines) if policy else {},
    )


def build_graph(
    result: ScanResult,
    datamap: DataMap | None = None,
    policy: Policy | None = None,
    violations: Sequence[Violation] = (),
) -> networkx.DiGraph:
    """The data map of ``result`` as a directed graph (:func:`build_datamap`, then
    :meth:`~piimap.model.DataMapGraph.to_networkx`)."""
    return build_datamap(result, datamap, policy, violations).to_networkx()


def node_link(graph: networkx.DiGraph) -> dict[str, Any]:
    """JSON-serialisable node-link data (``nodes`` and ``edges`` lists) of a graph."""
    import networkx

    return networkx.node_link_data(graph, edges="edges")


# --------------------------------------------------------------------------- building blocks


class _MapBuilder:
    """Collects nodes and edges by id, in the order they are first added; merges replace records."""

    def __init__(self, datamap: DataMap | None) -> None:
        self.datamap = datamap
        self.nodes: dict[str, MapNode] = {}
        self.edges: dict[tuple[str, str], MapEdge] = {}

    def add_node(self, node: MapNode) -> None:
        self.nodes.setdefault(node.id, node)

    def add_edge(self, edge: MapEdge) -> None:
        self.edges[(edge.source, edge.target)] = edge

    def add_system(self, name: str, status: str) -> None:
        declaration = self.datamap.system(name) if self.datamap is not None else None
        self.add_node(
            SystemNode(
                name=name,
                status=status,
                declared=declaration is not None if self.datamap is not None else None,
                declared_categories=declaration.declared_categories() if declaration else (),
                description=declaration.description if declaration else "",
                owner=declaration.owner if declaration else "",
                line=declaration.line if declaration else 0,
            )
        )

    def add_finding(self, finding: Finding) -> None:
        if system_id(finding.source) not in self.nodes:
            self.add_system(finding.source, "ok")
        container = ContainerNode(finding.source, finding.container)
        if container.id not in self.nodes:
            self.add_node(container)
            self.add_edge(ContainsEdge(system_id(finding.source), container.id))
        holder = container.id
        if finding.field is not None:
            field_node = FieldNode(finding.source, finding.container, finding.field)
            holder = field_node.id
            if holder not in self.nodes:
                self.add_node(field_node)
                self.add_edge(ContainsEdge(container.id, holder))
        self.add_node(CategoryNode(finding.category))
        declaration = self.datamap.system(finding.source) if self.datamap is not None else None
        self.add_edge(
            HoldsEdge(
                source=holder,
                category=finding.category,
                system=finding.source,
                confidence=round(finding.confidence, 3),
                matched=finding.matched,
                sampled=finding.sampled,
                classifier=finding.classifier,
                declared=(
                    declaration.declares(finding.container, finding.field, finding.category)
                    if declaration is not None
                    else (False if self.datamap is not None else None)
                ),
            )
        )

    def add_flow(self, flow: Flow, system: SystemDeclaration | None, findings: Sequence[Finding]) -> None:
        carried = carried_categories(flow, system, findings)
        found = {finding.category for finding in findings if flow.includes_container(finding.container)}
        declared = tuple(flow.categories) if flow.categories is not None else ("all",)
        key = (system_id(flow.system), vendor_id(flow.vendor))
        existing = self.edges.get(key)
        if isinstance(existing, VendorFlow):  # several flows between the same pair: merge them
            self.edges[key] = replace(
                existing,
                carries=tuple(sorted(set(existing.carries) | set(carried))),
                declared=tuple(sorted(set(existing.declared) | set(flow.categories or ("all",)))),
                purpose="; ".join(part for part in (existing.purpose, flow.purpose) if part),
            )
        else:
            self.add_edge(
                VendorFlow(
                    system=flow.system,
                    vendor=flow.vendor,
                    declared=declared,
                    carries=carried,
                    containers=tuple(flow.containers),
                    purpose=flow.purpose,
                    line=flow.line,
                )
            )
        for category in carried:
            if category not in found:
                continue  # declared only: the flow edge records it, nothing observed reaches the vendor
            key = (category_id(category), vendor_id(flow.vendor))
            reaching = self.edges.get(key)
            if isinstance(reaching, ReachesEdge):
                systems = tuple(sorted(set(reaching.systems) | {flow.system}))
                self.edges[key] = replace(reaching, systems=systems)
            else:
                self.add_edge(ReachesEdge(category, flow.vendor, (flow.system,)))

    def add_observed(self, observed: ObservedFlow, policy: Policy | None) -> None:
        """An observed flow: a new ``observed`` edge, or the declared edge of the pair becomes ``both``."""
        vendor = observed_vendor_id(observed, self.datamap)
        if system_id(observed.system) not in self.nodes:
            self.add_system(observed.system, "not scanned")
        if vendor_id(vendor) not in self.nodes:
            self.add_node(
                VendorNode(
                    vendor=vendor,
                    label=observed.vendor_name,
                    role=observed.role,
                    disclosed=tuple(policy.shared.get(observed.role, ())) if policy else None,
                    declared=False if self.datamap is not None else None,
                    known=observed.known,
                    hosts=observed.hosts,
                )
            )
        key = (system_id(observed.system), vendor_id(vendor))
        existing = self.edges.get(key)
        if isinstance(existing, VendorFlow):
            counts = dict(existing.category_counts)
            for category, count in observed.category_counts.items():
                counts[category] = counts.get(category, 0) + count
            self.edges[key] = replace(
                existing,
                kind=FlowKind.OBSERVED if existing.kind is FlowKind.OBSERVED else FlowKind.BOTH,
                observed=tuple(sorted(set(existing.observed) | set(observed.categories))),
                count=existing.count + observed.count,
                category_counts=dict(sorted(counts.items())),
                first_seen=_earliest(existing.first_seen, observed.first_seen),
                last_seen=_latest(existing.last_seen, observed.last_seen),
                evidence=tuple(dict.fromkeys(existing.evidence + observed.evidence))[:MAX_EDGE_EVIDENCE],
                hosts=tuple(sorted(set(existing.hosts) | set(observed.hosts))),
                flow_sources=tuple(sorted(set(existing.flow_sources) | {observed.source})),
            )
        else:
            self.add_edge(
                VendorFlow(
                    system=observed.system,
                    vendor=vendor,
                    declared=(),
                    carries=(),
                    kind=FlowKind.OBSERVED,
                    count=observed.count,
                    first_seen=observed.first_seen,
                    last_seen=observed.last_seen,
                    evidence=observed.evidence[:MAX_EDGE_EVIDENCE],
                    observed=observed.categories,
                    category_counts=dict(observed.category_counts),
                    hosts=observed.hosts,
                    flow_sources=(observed.source,),
                )
            )
        for category in observed.categories:
            self.add_node(CategoryNode(category))
            key = (category_id(category), vendor_id(vendor))
            reaching = self.edges.get(key)
            if isinstance(reaching, ReachesEdge):
                systems = tuple(sorted(set(reaching.systems) | {observed.system}))
                self.edges[key] = replace(reaching, systems=systems)
            else:
                self.add_edge(ReachesEdge(category, vendor, (observed.system,)))

    def mark(self, violation: Violation) -> None:
        """Record the violation's rule on every node it concerns (for highlighting)."""
        ids = []
        if violation.source is not None:
            ids.append(system_id(violation.source))
            if violation.container is not None:
                ids.append(container_id(violation.source, violation.container))
                if violation.field is not None:
                    ids.append(field_id(violation.source, violation.container, violation.field))
        if violation.category is not None:
            ids.append(category_id(violation.category))
        if violation.vendor is not None:
            ids.append(vendor_id(violation.vendor))
        mark = ViolationMark(violation.rule, violation.fingerprint, violation.severity, violation.suppressed)
        for node_id in ids:
            node = self.nodes.get(node_id)
            if node is not None:
                self.nodes[node_id] = replace(node, violations=(*node.violations, mark))
