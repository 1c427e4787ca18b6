"""The HTML data map's flow diagram: a Sankey-like layered layout drawn as inline SVG.

Four columns read left to right: systems -> containers -> categories -> vendors and recipients.
Every link is a band whose thickness is the number of fields behind it (a system -> container band
is the fields found in the container, a category -> vendor band the fields of that category in
the systems whose flows reach the vendor). Flows to vendors are drawn by where they are known from:
the data map declares them, they were observed in the data itself, or both. Links that a failing
violation is about are red.

The layout is computed here, with networkx holding the layered graph (``multipartite_layout``
gives the columns and the first order; barycentre sweeps then untangle each column, keeping a
system's containers together), so the page needs no layout library. Two layouts are drawn: with
the containers (each system's containers can be folded into it in the page: the bands it then
shows are in the same drawing, hidden) and without them, for large scans.

Every string from the scan reaches the SVG through :func:`html.escape` (text and attributes);
element ids are numbers, never names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from piimap.model import (
    DataMapGraph,
    Finding,
    FlowKind,
    VendorFlow,
    Violation,
    category_id,
    container_id,
    system_id,
    vendor_id,
)
from piimap.reports.htmltext import escape, visible

__all__ = [
    "Band",
    "DiagramNode",
    "FlowDiagram",
    "FlowLayout",
    "PlacedBand",
    "PlacedNode",
    "build_flow_diagram",
    "category_origins",
    "flow_bounds_ok",
    "layout_flow",
    "render_svg",
    "text_width",
    "wrap_label",
]

COLUMNS = ("system", "container", "category", "vendor")
#: The drawing's preferred size: it fills a desktop window's width; content makes it larger.
TARGET_WIDTH = 960
TARGET_HEIGHT = 560
FONT_SIZE = 13
LINE_HEIGHT = 16
PADDING_X = 8
TOGGLE_WIDTH = 22  # room for a system's fold / unfold button
MIN_NODE_HEIGHT = 26
MIN_GAP = 10
MAX_GAP = 44
MIN_COLUMN_GAP = 72
MAX_BAND_UNIT = 14.0  # pixels per field, at most
MIN_BAND = 1.5
MARGIN = 12
MAX_LINE_CHARS = 36
EMPTY_HEIGHT = 80  # longer labels wrap (at separators) onto more lines

# Approximate advance widths in em of a wide sans-serif (DejaVu Sans, the widest of the common
# defaults), so boxes are sized before any browser measures them. The page's script shrinks a
# label that still does not fit (fonts differ), so an estimate never spills out of its box.
_NARROW = frozenset("ijlI.,:;'|!`()[]{}")
_SEMI = frozenset('ftr/\\- "*')
_WIDE = frozenset("mwMW@%")


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """An upper estimate of ``text``'s width in pixels at ``size`` px."""
    em = 0.0
    for char in text:
        if char in _NARROW:
            em += 0.34
        elif char in _SEMI:
            em += 0.45
        elif char in _WIDE:
            em += 0.98
        elif char.isupper() or char == "_":
            em += 0.74
        elif ord(char) > 0x2E7F:  # CJK and other full-width scripts
            em += 1.0
        else:
            em += 0.6
    return em * size


def wrap_label(text: str, limit: int = MAX_LINE_CHARS) -> tuple[str, ...]:
    """``text`` in lines of at most ``limit`` characters, broken after ``/ . _ - space`` where
    possible (never inside a run of letters when a separator is near)."""
    lines: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = max(rest.rfind(separator, limit // 2, limit) for separator in "/._- ›")
        cut = cut + 1 if cut > 0 else limit
        lines.append(rest[:cut])
        rest = rest[cut:]
    lines.append(rest)
    return tuple(lines)


# --------------------------------------------------------------------------- what is drawn


@dataclass(frozen=True)
class Band:
    """One link of the diagram.

    ``kind``: ``contains`` (system -> container), ``holds`` (container -> category), ``summary``
    (system -> category: the containers folded), ``sends`` (system -> category: seen leaving the
    system in requests, not stored in it), ``reaches`` (category -> vendor) or ``flow`` (system ->
    vendor: a flow whose categories nothing found explains). ``origin``: ``found`` for
    what the scan found, else the flow's kind (``declared`` / ``observed`` / ``both``).
    """

    source: str
    target: str
    kind: str
    origin: str
    value: int
    systems: tuple[str, ...]
    categories: tuple[str, ...]
    failing: bool = False
    count: int = 0
    first_seen: str | None = None
    last_seen: str | None = None
    evidence: tuple[str, ...] = ()
    purposes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.source,
            "to": self.target,
            "kind": self.kind,
            "origin": self.origin,
            "value": self.value,
            "systems": list(self.systems),
            "categories": list(self.categories),
            "failing": self.failing,
            "count": self.count,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "evidence": list(self.evidence),
            "purposes": list(self.purposes),
        }


@dataclass(frozen=True)
class DiagramNode:
    """A box of the diagram before layout."""

    id: str
    kind: str
    lines: tuple[str, ...]
    system: str = ""
    failing: bool = False
    warning: bool = False
    order: int = 0  # first-seen order, the layout's starting point


@dataclass(frozen=True)
class FlowDiagram:
    """The diagram's nodes and bands (every band, the folded ones included)."""

    nodes: tuple[DiagramNode, ...]
    bands: tuple[Band, ...]


@dataclass(frozen=True)
class PlacedNode:
    """A box with its place: ``x``, ``y`` its top left corner in the drawing, ``value`` the
    fields behind it, ``collapsible`` for a system whose containers can fold into it."""

    node: DiagramNode
    column: int
    x: float
    y: float
    width: float
    height: float
    value: int
    collapsible: bool = False


@dataclass(frozen=True)
class PlacedBand:
    """A band drawn: its SVG path (a ribbon) and its thickness in pixels."""

    index: int  # into FlowDiagram.bands
    path: str
    thickness: float


@dataclass(frozen=True)
class FlowLayout:
    """Positions for one drawing; ``detail`` says whether it has the containers column."""

    detail: bool
    width: float
    height: float
    nodes: tuple[PlacedNode, ...]
    bands: tuple[PlacedBand, ...]
    columns: tuple[str, ...] = field(default=())


# --------------------------------------------------------------------------- from the scan


def _is_failing(violation: Violation) -> bool:
    return violation.severity == "error" and violation.suppressed is None


def _flow_origin(kinds: Iterable[FlowKind]) -> str:
    values = {FlowKind(kind) for kind in kinds}
    if FlowKind.BOTH in values or {FlowKind.DECLARED, FlowKind.OBSERVED} <= values:
        return FlowKind.BOTH.value
    return next(iter(values)).value if values else FlowKind.DECLARED.value


def build_flow_diagram(
    findings: Sequence[Finding],
    datamap: DataMapGraph | None,
    violations: Sequence[Violation],
    view_nodes: Mapping[str, Mapping[str, Any]],
) -> FlowDiagram:
    """The nodes and bands of the diagram, from the findings and the data map's flows.

    ``view_nodes`` are the page's nodes (:func:`piimap.reports.html.build_view`), which say which
    nodes a failing violation or a warning concerns.
    """
    failing = [violation for violation in violations if _is_failing(violation)]
    nodes: dict[str, DiagramNode] = {}

    def add(node_id: str, kind: str, label: str, *, system: str = "", prefix: str = "") -> None:
        if node_id in nodes:
            return
        info = view_nodes.get(node_id, {})
        is_failing = bool(info.get("failing"))
        text = ("\u26a0 " if is_failing else "") + visible(prefix + label)
        nodes[node_id] = DiagramNode(
            node_id,
            kind,
            wrap_label(text),
            system=system,
            failing=is_failing,
            warning=bool(info.get("warning")),
            order=len(nodes),
        )

    for node_id, info in view_nodes.items():
        if info["kind"] == "system":
            add(node_id, "system", info["label"], system=info["system"])

    in_container: dict[tuple[str, str], int] = defaultdict(int)
    in_container_category: dict[tuple[str, str, str], int] = defaultdict(int)
    in_system_category: dict[tuple[str, str], int] = defaultdict(int)
    for item in findings:
        add(system_id(item.source), "system", item.source, system=item.source)
        add(
            container_id(item.source, item.container),
            "container",
            item.container,
            system=item.source,
            prefix=f"{item.source} \u203a ",
        )
        add(category_id(item.category), "category", item.category)
        in_container[(item.source, item.container)] += 1
        in_container_category[(item.source, item.container, item.category)] += 1
        in_system_category[(item.source, item.category)] += 1

    bands: list[Band] = []
    for (source, container), value in in_container.items():
        bands.append(
            Band(
                system_id(source), container_id(source, container), "contains", "found", value, (source,), ()
            )
        )
    for (source, container, category), value in in_container_category.items():
        bands.append(
            Band(
                container_id(source, container),
                category_id(category),
                "holds",
                "found",
                value,
                (source,),
                (category,),
                failing=_stored_failing(failing, source, category, container),
            )
        )
    for (source, category), value in in_system_category.items():
        bands.append(
            Band(
                system_id(source),
                category_id(category),
                "summary",
                "found",
                value,
                (source,),
                (category,),
                failing=_stored_failing(failing, source, category),
            )
        )
    if datamap is not None:
        for vendor in datamap.vendors:
            add(vendor.id, "vendor", vendor.label or vendor.vendor)
        bands.extend(_vendor_bands(datamap, in_system_category, failing, add))
    return FlowDiagram(tuple(nodes.values()), tuple(bands))


def _stored_failing(
    failing: Sequence[Violation], source: str, category: str, container: str | None = None
) -> bool:
    """Whether a failing violation is about ``category`` stored in ``source`` (and ``container``,
    when given): the band that shows it is red."""
    return any(
        violation.vendor is None
        and violation.category == category
        and violation.source in (source, None)
        and (container is None or violation.container in (container, None))
        for violation in failing
    )


def category_origins(flow: VendorFlow) -> dict[str, str]:
    """Each category of ``flow`` with where it is known from: ``declared`` (the data map's flow
    carries it), ``observed`` (seen in requests) or ``both``.

    Observed categories are ``flow.observed`` where the record has them; a record without that
    field (observed flows built before it existed) counts what it carries as observed when its
    ``kind`` says it was observed."""
    kind = FlowKind(flow.kind)
    recorded = getattr(flow, "observed", None)
    if recorded:  # the record says what was seen; what it carries is the data map's side
        observed, declared = set(recorded), set(flow.carries)
    else:
        observed = set(flow.carries) if kind is not FlowKind.DECLARED else set()
        declared = set(flow.carries) if kind is not FlowKind.OBSERVED else set()
    origins = {}
    for category in sorted(declared | observed):
        if category in declared and category in observed:
            origins[category] = FlowKind.BOTH.value
        elif category in observed:
            origins[category] = FlowKind.OBSERVED.value
        else:
            origins[category] = FlowKind.DECLARED.value
    return origins


def _vendor_bands(
    datamap: DataMapGraph,
    in_system_category: Mapping[tuple[str, str], int],
    failing: Sequence[Violation],
    add: Any,
) -> list[Band]:
    """category -> vendor bands (one per pair, merged over systems) and system -> vendor bands for
    what a flow carries that nothing found explains."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    direct: list[Band] = []
    sends: dict[tuple[str, str], set[str]] = {}
    for flow in datamap.flows:
        add(vendor_id(flow.vendor), "vendor", flow.vendor)
        kind = FlowKind(flow.kind)
        unexplained = []
        origins = category_origins(flow)
        counts: Mapping[str, int] = getattr(flow, "category_counts", None) or {}
        for category, origin in origins.items():
            fields = in_system_category.get((flow.system, category), 0)
            if not fields and origin == FlowKind.DECLARED.value:
                unexplained.append(category)
                continue
            add(category_id(category), "category", category)
            if not fields:  # seen leaving the system, not stored in it: the system sends it
                add(system_id(flow.system), "system", flow.system, system=flow.system)
                sent = sends.setdefault((flow.system, category), set())
                sent.add(flow.vendor)
            entry = merged.setdefault(
                (category, flow.vendor),
                {
                    "value": 0,
                    "systems": set(),
                    "kinds": set(),
                    "evidence": [],
                    "count": 0,
                    "seen": [],
                    "purposes": [],
                },
            )
            entry["value"] += max(fields, 1)
            entry["systems"].add(flow.system)
            entry["kinds"].add(FlowKind(origin))
            entry["count"] += counts.get(category, flow.count) if origin != FlowKind.DECLARED.value else 0
            entry["evidence"].extend(item for item in flow.evidence if item not in entry["evidence"])
            entry["seen"].extend(item for item in (flow.first_seen, flow.last_seen) if item)
            if flow.purpose and flow.purpose not in entry["purposes"]:
                entry["purposes"].append(flow.purpose)
        if unexplained or not origins:
            direct.append(
                Band(
                    system_id(flow.system),
                    vendor_id(flow.vendor),
                    "flow",
                    kind.value,
                    max(len(unexplained), 1),
                    (flow.system,),
                    tuple(unexplained),
                    failing=any(
                        violation.vendor == flow.vendor
                        and violation.source in (flow.system, None)
                        and violation.category in (*unexplained, None)
                        for violation in failing
                    ),
                    count=flow.count,
                    first_seen=flow.first_seen,
                    last_seen=flow.last_seen,
                    evidence=flow.evidence,
                    purposes=(flow.purpose,) if flow.purpose else (),
                )
            )
    bands = []
    for (category, vendor), entry in merged.items():
        systems = tuple(sorted(entry["systems"]))
        seen = sorted(entry["seen"])
        bands.append(
            Band(
                category_id(category),
                vendor_id(vendor),
                "reaches",
                _flow_origin(entry["kinds"]),
                entry["value"],
                systems,
                (category,),
                failing=any(
                    violation.vendor == vendor
                    and violation.category in (category, None)
                    and violation.source in (*systems, None)
                    for violation in failing
                ),
                count=entry["count"],
                first_seen=seen[0] if seen else None,
                last_seen=seen[-1] if seen else None,
                evidence=tuple(entry["evidence"]),
                purposes=tuple(entry["purposes"]),
            )
        )
    for (system, category), vendors in sends.items():
        bands.append(
            Band(
                system_id(system),
                category_id(category),
                "sends",
                FlowKind.OBSERVED.value,
                1,
                (system,),
                (category,),
                failing=any(
                    violation.vendor in vendors
                    and violation.category == category
                    and violation.source == system
                    for violation in failing
                ),
            )
        )
    return bands + direct


# --------------------------------------------------------------------------- the layout


def _node_width(node: DiagramNode) -> float:
    bold = 1.1 if node.failing else 1.0  # failing labels are bold
    width = max(text_width(line) for line in node.lines) * bold + 2 * PADDING_X
    return width + (TOGGLE_WIDTH if node.kind == "system" else 0)


def _min_height(node: DiagramNode) -> float:
    return max(MIN_NODE_HEIGHT, len(node.lines) * LINE_HEIGHT + 10)


def layout_flow(diagram: FlowDiagram, *, detail: bool, sweeps: int = 4) -> FlowLayout:
    """Place ``diagram``'s nodes in columns and draw its bands (with or without the containers).

    ``sweeps`` barycentre passes order each column to untangle the bands (0 keeps the order the
    nodes were first seen in)."""
    import networkx

    kinds = COLUMNS if detail else tuple(kind for kind in COLUMNS if kind != "container")
    column_of = {kind: index for index, kind in enumerate(kinds)}
    nodes = [node for node in diagram.nodes if node.kind in column_of]
    if not nodes:  # nothing found and nothing declared: a small drawing that says so
        return FlowLayout(detail, TARGET_WIDTH, EMPTY_HEIGHT, (), (), kinds)
    primary_kinds = (
        {"contains", "holds", "sends", "reaches", "flow"}
        if detail
        else {"summary", "sends", "reaches", "flow"}
    )
    shown = {node.id for node in nodes}
    primary = [
        (index, band)
        for index, band in enumerate(diagram.bands)
        if band.kind in primary_kinds and band.source in shown and band.target in shown
    ]

    graph = networkx.DiGraph()
    for node in nodes:
        graph.add_node(node.id, layer=column_of[node.kind], order=node.order)
    for _, band in primary:
        weight = graph.get_edge_data(band.source, band.target, {}).get("weight", 0)
        graph.add_edge(band.source, band.target, weight=weight + band.value)

    by_id = {node.id: node for node in nodes}
    columns = _order_columns(graph, by_id, len(kinds), sweeps)

    # values: a node is as tall as the larger of what enters and what leaves it
    inflow: dict[str, int] = defaultdict(int)
    outflow: dict[str, int] = defaultdict(int)
    for _, band in primary:
        outflow[band.source] += band.value
        inflow[band.target] += band.value
    value = {node.id: max(inflow[node.id], outflow[node.id], 1) for node in nodes}

    unit = _band_unit(columns, value, by_id)
    # a node is as tall as the bands stacked on its busier side (each at least MIN_BAND thick)
    side_in: dict[str, float] = defaultdict(float)
    side_out: dict[str, float] = defaultdict(float)
    for _, band in primary:
        thickness = max(band.value * unit, MIN_BAND)
        side_out[band.source] += thickness
        side_in[band.target] += thickness
    heights: dict[str, float] = {}
    for node in nodes:
        heights[node.id] = max(_min_height(node), side_in[node.id], side_out[node.id])

    widths = [max((_node_width(by_id[item]) for item in column), default=0.0) for column in columns]
    occupied = [c for c, column in enumerate(columns) if column]
    gap_count = max(len(occupied) - 1, 1)
    total_boxes = sum(widths)
    column_gap = max(MIN_COLUMN_GAP, (TARGET_WIDTH - 2 * MARGIN - total_boxes) / gap_count)
    x_of: list[float] = []
    cursor = float(MARGIN)
    for c, width in enumerate(widths):
        x_of.append(cursor)
        if columns[c]:
            cursor += width + column_gap
    width_total = cursor - column_gap + MARGIN

    content = [sum(heights[item] for item in column) for column in columns]
    needed = [content[c] + MIN_GAP * max(len(column) - 1, 0) for c, column in enumerate(columns)]
    height_total = max(TARGET_HEIGHT, max(needed, default=0) + 2 * MARGIN)
    inner = height_total - 2 * MARGIN
    y_of: dict[str, float] = {}
    for c, column in enumerate(columns):
        if not column:
            continue
        gap = min(MAX_GAP, (inner - content[c]) / max(len(column) - 1, 1)) if len(column) > 1 else 0
        used = content[c] + gap * (len(column) - 1)
        cursor = MARGIN + (inner - used) / 2
        for item in column:
            y_of[item] = cursor
            cursor += heights[item] + gap

    placed = tuple(
        PlacedNode(
            by_id[item],
            c,
            x_of[c],
            y_of[item],
            widths[c],
            heights[item],
            value[item],
            collapsible=detail
            and by_id[item].kind == "system"
            and graph.out_degree(item) > 0
            and any(by_id[target].kind == "container" for target in graph.successors(item)),
        )
        for c, column in enumerate(columns)
        for item in column
    )
    geometry = {node.node.id: node for node in placed}
    bands = _place_bands(diagram, primary, geometry, unit, detail)
    return FlowLayout(detail, round(width_total), round(height_total), placed, bands, kinds)


def _order_columns(
    graph: Any, by_id: Mapping[str, DiagramNode], count: int, sweeps: int = 4
) -> list[list[str]]:
    """Each column's nodes top to bottom: networkx's multipartite order, then barycentre sweeps
    (a container stays with its system's other containers)."""
    import networkx

    if graph.number_of_nodes() == 0:
        return [[] for _ in range(count)]
    positions = networkx.multipartite_layout(graph, subset_key="layer", align="vertical")
    columns: list[list[str]] = [[] for _ in range(count)]
    for node_id in sorted(graph.nodes, key=lambda item: (by_id[item].order, -positions[item][1])):
        columns[graph.nodes[node_id]["layer"]].append(node_id)
    rank: dict[str, float] = {}

    def rerank(column: Sequence[str]) -> None:  # positions 0..1, comparable across columns
        rank.update({node_id: index / max(len(column) - 1, 1) for index, node_id in enumerate(column)})

    for column in columns:
        rerank(column)

    def centre(node_id: str, neighbours: Iterable[tuple[str, float]]) -> float:
        pairs = list(neighbours)
        total = sum(weight for _, weight in pairs)
        if not total:
            return float(rank[node_id])
        return sum(rank[other] * weight for other, weight in pairs) / total

    def system_rank(node_id: str) -> float:
        node = by_id[node_id]
        return float(rank.get(system_id(node.system), 0)) if node.kind == "container" else 0.0

    for _ in range(sweeps):
        for c in range(1, count):
            columns[c].sort(
                key=lambda item: (
                    system_rank(item),
                    centre(item, ((p, graph[p][item]["weight"]) for p in graph.predecessors(item))),
                )
            )
            rerank(columns[c])
        for c in range(count - 2, -1, -1):
            columns[c].sort(
                key=lambda item: (
                    system_rank(item),
                    centre(item, ((s, graph[item][s]["weight"]) for s in graph.successors(item))),
                )
            )
            rerank(columns[c])
    return columns


def _band_unit(
    columns: Sequence[Sequence[str]], value: Mapping[str, int], by_id: Mapping[str, DiagramNode]
) -> float:
    """Pixels per field: the largest (at most MAX_BAND_UNIT) that lets every column fit the
    target height; never below one pixel, so a huge scan grows the drawing instead."""
    unit = MAX_BAND_UNIT
    inner = TARGET_HEIGHT - 2 * MARGIN
    for column in columns:
        if not column:
            continue
        fixed = MIN_GAP * (len(column) - 1)
        flexible = sum(value[item] for item in column)
        minimum = sum(_min_height(by_id[item]) for item in column)
        room = inner - fixed
        if flexible and room > 0:
            unit = min(unit, max(room - minimum / 2, room / 2) / flexible)
    return max(unit, 1.0)


def _place_bands(
    diagram: FlowDiagram,
    primary: Sequence[tuple[int, Band]],
    geometry: Mapping[str, PlacedNode],
    unit: float,
    detail: bool,
) -> tuple[PlacedBand, ...]:
    """Bands stacked on each node's sides in the order of the nodes at their other ends."""
    out_of: dict[str, list[tuple[int, Band]]] = defaultdict(list)
    into: dict[str, list[tuple[int, Band]]] = defaultdict(list)
    for index, band in primary:
        out_of[band.source].append((index, band))
        into[band.target].append((index, band))

    def thickness(band: Band) -> float:
        return max(band.value * unit, MIN_BAND)

    starts: dict[int, float] = {}
    ends: dict[int, float] = {}
    for node_id, items in out_of.items():
        node = geometry[node_id]
        items.sort(key=lambda pair: (geometry[pair[1].target].y, geometry[pair[1].target].column))
        cursor = node.y + (node.height - sum(thickness(band) for _, band in items)) / 2
        for index, band in items:
            starts[index] = cursor
            cursor += thickness(band)
    for node_id, items in into.items():
        node = geometry[node_id]
        items.sort(key=lambda pair: (geometry[pair[1].source].y, -geometry[pair[1].source].column))
        cursor = node.y + (node.height - sum(thickness(band) for _, band in items)) / 2
        for index, band in items:
            ends[index] = cursor
            cursor += thickness(band)

    placed = []
    for index, band in primary:
        source, target = geometry[band.source], geometry[band.target]
        size = thickness(band)
        placed.append(
            PlacedBand(
                index,
                _band_path(source.x + source.width, starts[index], target.x, ends[index], size, size),
                size,
            )
        )
    if detail:
        placed.extend(_folded_bands(diagram, primary, geometry, starts, ends, thickness))
    return tuple(placed)


def _folded_bands(
    diagram: FlowDiagram,
    primary: Sequence[tuple[int, Band]],
    geometry: Mapping[str, PlacedNode],
    starts: Mapping[int, float],
    ends: Mapping[int, float],
    thickness: Any,
) -> list[PlacedBand]:
    """system -> category bands drawn in the detailed layout, shown when a system's containers are
    folded into it: they leave the system where its container bands did and arrive where those
    containers' bands arrived."""
    arrivals: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    departures: dict[str, float] = {}
    for index, band in primary:
        if band.kind == "holds":
            arrivals[(band.systems[0], band.target)].append((ends[index], ends[index] + thickness(band)))
        elif band.kind == "contains":
            top = departures.get(band.source)
            departures[band.source] = starts[index] if top is None else min(top, starts[index])
    placed = []
    summaries = [(index, band) for index, band in enumerate(diagram.bands) if band.kind == "summary"]
    summaries.sort(
        key=lambda pair: (pair[1].source, geometry[pair[1].target].y if pair[1].target in geometry else 0)
    )
    cursor: dict[str, float] = {}
    for index, band in summaries:
        spans = arrivals.get((band.systems[0], band.target))
        if not spans or band.source not in geometry:
            continue
        source, target = geometry[band.source], geometry[band.target]
        top = cursor.get(band.source, departures.get(band.source, source.y))
        size = thickness(band)
        arrive_top = min(span[0] for span in spans)
        arrive_size = max(span[1] for span in spans) - arrive_top
        cursor[band.source] = top + size
        placed.append(
            PlacedBand(
                index, _band_path(source.x + source.width, top, target.x, arrive_top, size, arrive_size), size
            )
        )
    return placed


def _band_path(x0: float, y0: float, x1: float, y1: float, size0: float, size1: float) -> str:
    """A filled ribbon from (x0, y0..y0+size0) to (x1, y1..y1+size1) with horizontal tangents."""
    middle = (x0 + x1) / 2

    def f(value: float) -> str:
        return f"{value:.1f}".rstrip("0").rstrip(".")

    return (
        f"M{f(x0)},{f(y0)}C{f(middle)},{f(y0)} {f(middle)},{f(y1)} {f(x1)},{f(y1)}"
        f"L{f(x1)},{f(y1 + size1)}C{f(middle)},{f(y1 + size1)} {f(middle)},{f(y0 + size0)} {f(x0)},{f(y0 + size0)}Z"
    )


# --------------------------------------------------------------------------- SVG


def _attr(value: object) -> str:
    return escape(str(value))


def _band_title(band: Band, labels: Mapping[str, str]) -> str:
    origin = {
        "found": "found",
        "declared": "declared in the data map",
        "observed": "observed in the data",
        "both": "declared and observed",
    }[band.origin]
    text = f"{labels.get(band.source, band.source)} \u2192 {labels.get(band.target, band.target)}: "
    if band.kind == "flow":
        categories = ", ".join(band.categories) or "nothing found"
        text += f"flow {origin}, carries {categories} (not found in the scan)"
    elif band.kind == "sends":
        text += "seen leaving in requests, not found stored"
    else:
        noun = "field" if band.value == 1 else "fields"
        text += f"{band.value} {noun}, {origin}"
    if band.count:
        text += f"; {band.count} requests"
    if band.first_seen:
        text += f", {band.first_seen} \u2013 {band.last_seen or band.first_seen}"
    if band.failing:
        text += " \u2014 violation"
    return text


def render_svg(diagram: FlowDiagram, layout: FlowLayout, *, element_id: str) -> str:
    """``layout`` as an ``<svg>`` element (every scanned string escaped)."""
    labels = {node.id: "".join(node.lines).removeprefix("\u26a0 ") for node in diagram.nodes}
    node_index = {node.id: index for index, node in enumerate(diagram.nodes)}
    parts = [
        f'<svg id="{element_id}" class="flow" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {layout.width:g} {layout.height:g}" width="{layout.width:g}" height="{layout.height:g}" '
        f'data-detail="{"true" if layout.detail else "false"}" role="group" '
        f'aria-label="Flow diagram: {" to ".join(column + "s" for column in layout.columns)}">',
        f'<defs><pattern id="{element_id}-declared" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" class="stripe-bg"/>'
        '<rect width="2.5" height="6" class="stripe"/></pattern>'
        f'<pattern id="{element_id}-declared-failing" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" class="stripe-bg failing"/>'
        '<rect width="2.5" height="6" class="stripe failing"/></pattern></defs>',
        '<g class="bands">',
    ]
    for band in layout.bands:
        item = diagram.bands[band.index]
        classes = ["band", f"band-{item.kind}", f"origin-{item.origin}"]
        if item.failing:
            classes.append("failing")
        parts.append(
            f'<path class="{" ".join(classes)}" d="{band.path}" data-band="{band.index}">'
            f"<title>{escape(_band_title(item, labels))}</title></path>"
        )
    parts.append('</g><g class="nodes">')
    for placed in layout.nodes:
        node = placed.node
        classes = ["node", f"node-{node.kind}"]
        if node.failing:
            classes.append("failing")
        elif node.warning:
            classes.append("warning")
        noun = "field" if placed.value == 1 else "fields"
        label = labels[node.id]
        description = f"{node.kind} {label}" + (f", {placed.value} {noun}" if node.kind != "vendor" else "")
        if node.failing:
            description += ", violation"
        parts.append(
            f'<g class="{" ".join(classes)}" data-node="{_attr(node.id)}" data-index="{node_index[node.id]}" '
            f'tabindex="0" role="button" aria-label="{_attr(description)}">'
            f"<title>{escape(description)}</title>"
            f'<rect x="{placed.x:.1f}" y="{placed.y:.1f}" width="{placed.width:.1f}" '
            f'height="{placed.height:.1f}" rx="4"/>'
        )
        text_width_available = placed.width - 2 * PADDING_X - (TOGGLE_WIDTH if node.kind == "system" else 0)
        top = placed.y + (placed.height - len(node.lines) * LINE_HEIGHT) / 2 + LINE_HEIGHT - 4
        for number, line in enumerate(node.lines):
            parts.append(
                f'<text class="label" x="{placed.x + PADDING_X:.1f}" y="{top + number * LINE_HEIGHT:.1f}" '
                f'data-room="{text_width_available:.1f}">{escape(line)}</text>'
            )
        parts.append("</g>")
        if placed.collapsible:
            cx = placed.x + placed.width - TOGGLE_WIDTH / 2 - 2
            cy = placed.y + placed.height / 2
            parts.append(
                f'<g class="fold" data-system="{_attr(node.system)}" tabindex="0" role="button" '
                f'aria-pressed="false" aria-label="{_attr("fold the containers of " + node.system)}">'
                f"<title>{escape('fold / unfold the containers of ' + node.system)}</title>"
                f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="8"/>'
                f'<text x="{cx:.1f}" y="{cy + 4.5:.1f}" text-anchor="middle">\u2212</text></g>'
            )
    if not layout.nodes:
        parts.append(
            f'<text class="empty" x="{layout.width / 2:g}" y="{layout.height / 2 + 5:g}" text-anchor="middle">'
            "No personal data was found, and no data map was checked.</text>"
        )
    parts.append("</g></svg>")
    return "".join(parts)


def flow_bounds_ok(layout: FlowLayout) -> bool:
    """Every node inside the drawing and no two boxes of a column overlapping (a self-check the
    tests use on layouts they did not design for)."""
    for node in layout.nodes:
        if node.x < 0 or node.y < 0 or node.x + node.width > layout.width + 0.5:
            return False
        if node.y + node.height > layout.height + 0.5:
            return False
    by_column: dict[int, list[PlacedNode]] = defaultdict(list)
    for node in layout.nodes:
        by_column[node.column].append(node)
    for nodes in by_column.values():
        nodes.sort(key=lambda node: node.y)
        for upper, lower in zip(nodes, nodes[1:]):
            if upper.y + upper.height > lower.y + 0.01:
                return False
    return True
