"""The observed data map as a graph: where personal data was found and which vendors it reaches.

Nodes (``kind`` attribute): ``system`` (a scanned source or a declared system), ``container``,
``field``, ``category`` (one node per category key, shared by all systems) and ``vendor``.
Edges (``kind``): ``contains`` (system -> container -> field), ``holds`` (field, or container for
unstructured text, -> category, with the finding's confidence), ``flow`` (system -> vendor, a
declared flow with the categories it carries) and ``reaches`` (category -> vendor, with the
systems it comes from): categories found in a system reach the vendors its flows feed.

:func:`node_link` turns the graph into JSON-serialisable node-link data for
:attr:`piimap.model.ScanResult.datamap`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from piimap.declarations import DataMap, Flow, Policy, SystemDeclaration, covers, covers_any
from piimap.model import Finding, ScanResult, Violation

if TYPE_CHECKING:
    import networkx

__all__ = [
    "system_id",
    "container_id",
    "field_id",
    "category_id",
    "vendor_id",
    "carried_categories",
    "build_graph",
    "node_link",
]


def system_id(source: str) -> str:
    return f"system:{source}"


def container_id(source: str, container: str) -> str:
    return f"container:{source}/{container}"


def field_id(source: str, container: str, field_name: str) -> str:
    return f"field:{source}/{container}/{field_name}"


def category_id(category: str) -> str:
    return f"category:{category}"


def vendor_id(vendor: str) -> str:
    return f"vendor:{vendor}"


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


def build_graph(
    result: ScanResult,
    datamap: DataMap | None = None,
    policy: Policy | None = None,
    violations: Sequence[Violation] = (),
) -> networkx.DiGraph:
    """The data map of ``result`` (and of the declarations, when given) as a directed graph."""
    import networkx

    graph = networkx.DiGraph()
    graph.graph.update(
        organisation=datamap.organisation if datamap else "",
        datamap_file=datamap.path if datamap else None,
        policy_file=policy.path if policy else None,
        policy_collected_line=policy.collected_line if policy else 0,
        policy_shared_lines=dict(policy.shared_lines) if policy else {},
    )
    statuses = {status.name: status.status for status in result.sources}
    for status in result.sources:
        declaration = datamap.system(status.name) if datamap else None
        _add_system(graph, status.name, declaration, status.status, datamap is not None)
    if datamap is not None:
        for declaration in datamap.systems:
            if declaration.name not in statuses:
                _add_system(graph, declaration.name, declaration, "not scanned", True)

    findings_by_system: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        findings_by_system[finding.source].append(finding)
        _add_finding(graph, finding, datamap)

    if datamap is not None:
        for vendor in datamap.vendors:
            graph.add_node(
                vendor_id(vendor.id),
                kind="vendor",
                label=vendor.label,
                vendor=vendor.id,
                role=vendor.role,
                purpose=vendor.purpose,
                description=vendor.description,
                disclosed=list(policy.shared.get(vendor.role, ())) if policy else None,
                line=vendor.line,
                violations=[],
            )
        for flow in datamap.flows:
            _add_flow(graph, flow, datamap, findings_by_system.get(flow.system, ()))

    for violation in violations:
        _mark_violation(graph, violation)
    return graph


def node_link(graph: networkx.DiGraph) -> dict[str, Any]:
    """JSON-serialisable node-link data (``nodes`` and ``edges`` lists)."""
    import networkx

    return networkx.node_link_data(graph, edges="edges")


# --------------------------------------------------------------------------- building blocks


def _add_system(
    graph: networkx.DiGraph,
    name: str,
    declaration: SystemDeclaration | None,
    status: str,
    have_datamap: bool,
) -> None:
    graph.add_node(
        system_id(name),
        kind="system",
        label=name,
        system=name,
        status=status,
        declared=declaration is not None if have_datamap else None,
        declared_categories=list(declaration.declared_categories()) if declaration else [],
        description=declaration.description if declaration else "",
        owner=declaration.owner if declaration else "",
        line=declaration.line if declaration else 0,
        violations=[],
    )


def _add_finding(graph: networkx.DiGraph, finding: Finding, datamap: DataMap | None) -> None:
    system = system_id(finding.source)
    if system not in graph:
        _add_system(
            graph,
            finding.source,
            datamap.system(finding.source) if datamap else None,
            "ok",
            datamap is not None,
        )
    container = container_id(finding.source, finding.container)
    if container not in graph:
        graph.add_node(
            container, kind="container", label=finding.container, system=finding.source, violations=[]
        )
        graph.add_edge(system, container, kind="contains")
    holder = container
    if finding.field is not None:
        holder = field_id(finding.source, finding.container, finding.field)
        if holder not in graph:
            graph.add_node(
                holder,
                kind="field",
                label=finding.field,
                system=finding.source,
                container=finding.container,
                violations=[],
            )
            graph.add_edge(container, holder, kind="contains")
    category = category_id(finding.category)
    if category not in graph:
        graph.add_node(
            category, kind="category", label=finding.category, category=finding.category, violations=[]
        )
    declaration = datamap.system(finding.source) if datamap else None
    graph.add_edge(
        holder,
        category,
        kind="holds",
        system=finding.source,
        confidence=round(finding.confidence, 3),
        matched=finding.matched,
        sampled=finding.sampled,
        classifier=finding.classifier,
        declared=(
            declaration.declares(finding.container, finding.field, finding.category)
            if declaration is not None
            else (False if datamap is not None else None)
        ),
    )


def _add_flow(graph: networkx.DiGraph, flow: Flow, datamap: DataMap, findings: Sequence[Finding]) -> None:
    system, vendor = system_id(flow.system), vendor_id(flow.vendor)
    carried = carried_categories(flow, datamap.system(flow.system), findings)
    found = {finding.category for finding in findings if flow.includes_container(finding.container)}
    if graph.has_edge(system, vendor):  # several flows between the same pair: merge them
        data = graph.edges[system, vendor]
        data["carries"] = sorted(set(data["carries"]) | set(carried))
        data["declared"] = sorted(set(data["declared"]) | set(flow.categories or ["all"]))
        data["purpose"] = "; ".join(part for part in (data["purpose"], flow.purpose) if part)
    else:
        graph.add_edge(
            system,
            vendor,
            kind="flow",
            declared=list(flow.categories) if flow.categories is not None else ["all"],
            containers=list(flow.containers),
            carries=list(carried),
            purpose=flow.purpose,
            line=flow.line,
        )
    for category in carried:
        if category not in found:
            continue  # declared only: the flow edge records it, nothing observed reaches the vendor
        node = category_id(category)
        if graph.has_edge(node, vendor):
            systems = graph.edges[node, vendor]["systems"]
            if flow.system not in systems:
                systems.append(flow.system)
                systems.sort()
        else:
            graph.add_edge(node, vendor, kind="reaches", systems=[flow.system])


def _mark_violation(graph: networkx.DiGraph, violation: Violation) -> None:
    """Record the violation's rule on every node it concerns (for highlighting)."""
    nodes = []
    if violation.source is not None:
        nodes.append(system_id(violation.source))
        if violation.container is not None:
            nodes.append(container_id(violation.source, violation.container))
            if violation.field is not None:
                nodes.append(field_id(violation.source, violation.container, violation.field))
    if violation.category is not None:
        nodes.append(category_id(violation.category))
    if violation.vendor is not None:
        nodes.append(vendor_id(violation.vendor))
    for node in nodes:
        if node in graph:
            marks: list[Mapping[str, Any]] = graph.nodes[node].setdefault("violations", [])
            marks.append(
                {
                    "rule": violation.rule,
                    "fingerprint": violation.fingerprint,
                    "severity": violation.severity,
                    "suppressed": violation.suppressed,
                }
            )
