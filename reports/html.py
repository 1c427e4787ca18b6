"""The HTML data map (``--format html``): one self-contained file that works offline.

An interactive graph of systems -> (containers ->) categories -> vendors drawn with the
vis-network build shipped inside the ``pyvis`` package (read at render time and inlined: no CDN,
no remote fonts). Violations are highlighted; clicking a node (or its entry in the keyboard-
friendly node list) shows its findings with masked examples and confidences; the graph filters
by category and system; the violations are listed with their rule's help.

Safety: the report's data travels as JSON inside ``<script type="application/json">`` with
``<``, ``>`` and ``&`` escaped, the page's script inserts text only through ``textContent``, and
a Content-Security-Policy allows nothing but the inlined scripts and style (by SHA-256 hash),
so table, column and file names full of markup cannot run or load anything.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from importlib import resources
from typing import IO, Any, ClassVar

from piimap import __version__
from piimap.model import (
    DataMapGraph,
    Finding,
    ScanResult,
    SystemNode,
    Violation,
    category_id,
    container_id,
    system_id,
    vendor_id,
)
from piimap.rules import FINDING_RULE, RULES

__all__ = ["HtmlReport", "build_view", "render_html", "json_for_script"]

#: vis-network inside the pyvis wheel, newest first (pyvis 0.3.2 ships 9.1.2 in two places).
_VIS_NETWORK_PATHS = (
    "templates/lib/vis-9.1.2/vis-network.min.js",
    "lib/vis-9.1.2/vis-network.min.js",
)
_DETAIL_THRESHOLD = 25  # containers shown by default up to this many


class HtmlReport:
    """``--format html``."""

    format: ClassVar[str] = "html"

    def write(self, result: ScanResult, stream: IO[str]) -> None:
        stream.write(render_html(result))


def json_for_script(data: Any) -> str:
    """JSON safe inside a ``<script>`` element: ``<``, ``>``, ``&`` become ``\\u003c`` etc."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def _vis_network_js() -> str:
    package = resources.files("pyvis")
    for relative in _VIS_NETWORK_PATHS:
        candidate = package.joinpath(*relative.split("/"))
        if candidate.is_file():
            text = candidate.read_text(encoding="utf-8")
            # The source map is not shipped; a dangling reference would make dev tools fetch it.
            text = re.sub(r"\n//# sourceMappingURL=[^\n]*\s*$", "\n", text)
            if "</script" in text.lower():  # never true for 9.1.2; guards a future pyvis
                text = text.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")
            return text
    raise RuntimeError("vis-network.min.js not found in the installed pyvis package")


def _asset(name: str) -> str:
    return resources.files("piimap.reports").joinpath("assets", name).read_text(encoding="utf-8")


def render_html(result: ScanResult) -> str:
    """The whole report page."""
    view = build_view(result)
    vis_js = _vis_network_js()
    app_js = _asset("datamap.js")
    css = _asset("datamap.css")
    policy = "; ".join(
        (
            "default-src 'none'",
            f"script-src {_csp_hash(vis_js)} {_csp_hash(app_js)}",
            f"style-src {_csp_hash(css)}",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )
    title = "piimap data map" + (f": {view['meta']['organisation']}" if view["meta"]["organisation"] else "")
    return _PAGE.format(
        csp=html.escape(policy, quote=False),  # base64 hashes and keywords: no '"' to escape
        title=html.escape(title),
        css=css,
        data=json_for_script(view),
        vis_js=vis_js,
        app_js=app_js,
    )


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<header>
  <h1 id="title">{title}</h1>
  <p id="summary"></p>
</header>
<main>
  <nav id="sidebar" aria-label="Filters and nodes">
    <section>
      <h2>Categories</h2>
      <div class="bulk"><button type="button" id="categories-all">all</button>
        <button type="button" id="categories-none">none</button></div>
      <div id="category-filters" role="group" aria-label="Categories"></div>
    </section>
    <section>
      <h2>Systems</h2>
      <div id="system-filters" role="group" aria-label="Systems"></div>
    </section>
    <section>
      <label><input type="checkbox" id="show-containers"> show containers</label>
    </section>
    <section>
      <h2>Nodes</h2>
      <ul id="node-list"></ul>
    </section>
  </nav>
  <div id="graph-area">
    <div id="graph" aria-label="Data map graph"></div>
    <p id="legend"><span class="key system">system</span> <span class="key container">container</span>
      <span class="key category">category</span> <span class="key vendor">vendor</span>
      <span class="key failing">violation</span></p>
  </div>
  <aside id="details" aria-live="polite">
    <h2 id="details-title">Select a node</h2>
    <p id="details-hint">Click a node in the graph or in the node list to see its findings.</p>
    <dl id="details-attributes"></dl>
    <div id="details-body"></div>
  </aside>
</main>
<section id="violations-section">
  <h2>Violations</h2>
  <p id="violations-empty"></p>
  <table id="violations"><thead><tr><th>rule</th><th>status</th><th>where</th><th>category</th>
    <th>message</th></tr></thead><tbody></tbody></table>
</section>
<section id="rules-section">
  <h2>Rules</h2>
  <dl id="rules"></dl>
</section>
<section id="errors-section">
  <h2>Errors</h2>
  <ul id="errors"></ul>
</section>
<footer><p id="footer"></p></footer>
<script type="application/json" id="piimap-data">{data}</script>
<script>{vis_js}</script>
<script>{app_js}</script>
</body>
</html>
"""


# --------------------------------------------------------------------------- the view model


def build_view(result: ScanResult) -> dict[str, Any]:
    """What the page's script draws: nodes, edges, findings, violations, rules (plain JSON)."""
    datamap = result.datamap
    violations = list(result.violations or ())
    view = _View(result.findings, datamap)
    view.add_systems(result)
    view.add_findings()
    if datamap is not None:
        view.add_vendors(datamap)
    view.add_violations(violations)

    rules = {
        rule.id: {"name": rule.name, "summary": rule.summary, "help": rule.help, "severity": rule.severity}
        for rule in (FINDING_RULE, *RULES)
    }
    containers = sum(1 for item in view.nodes.values() if item["kind"] == "container")
    return {
        "meta": {
            "piimap_version": __version__,
            "organisation": datamap.organisation if datamap is not None else "",
            "started": result.started,
            "finished": result.finished,
            "run_id": result.run_id,
            "interrupted": result.interrupted,
            "has_datamap": datamap is not None and result.violations is not None,
            "show_containers": datamap is None or containers <= _DETAIL_THRESHOLD,
            "counts": {
                "sources": len(result.sources),
                "findings": len(result.findings),
                "violations": len(violations),
                "failing": sum(1 for violation in violations if _is_failing(violation)),
                "suppressed": sum(1 for violation in violations if violation.suppressed is not None),
                "errors": len(result.errors),
            },
        },
        "sources": [status.to_dict() for status in result.sources],
        "errors": [error.one_line() for error in result.errors],
        "findings": [finding.to_dict() for finding in result.findings],
        "violations": [
            violation.to_dict()
            | {"name": rules.get(violation.rule, {}).get("name", ""), "failing": _is_failing(violation)}
            for violation in violations
        ],
        "rules": rules,
        "nodes": sorted(view.nodes.values(), key=lambda item: (item["level"], item["label"])),
        "edges": list(view.edges.values()),
    }


def _edge_id(kind: str, view: str, source: str, target: str) -> str:
    return f"{kind}|{view}|{source}|{target}"


class _View:
    """The page's nodes and edges (plain dicts), keyed by id in the order they are first added.

    Levels: systems 0, containers 1, categories 2, vendors 3. ``detail`` edges go through
    containers, ``summary`` edges skip them, ``both`` edges are drawn either way.
    """

    def __init__(self, findings: Sequence[Finding], datamap: DataMapGraph | None) -> None:
        self.findings = findings
        self.datamap = datamap
        self.nodes: dict[str, dict[str, Any]] = {}
        self.edges: dict[str, dict[str, Any]] = {}

    def node(self, node_id: str, kind: str, label: str, level: int, **extra: Any) -> dict[str, Any]:
        if node_id not in self.nodes:
            self.nodes[node_id] = {
                "id": node_id,
                "kind": kind,
                "label": label,
                "level": level,
                "findings": [],
                "violations": [],
                "systems": [],
                **extra,
            }
        return self.nodes[node_id]

    def edge(self, source: str, target: str, kind: str, view: str, **extra: Any) -> dict[str, Any]:
        edge_id = _edge_id(kind, view, source, target)
        if edge_id not in self.edges:
            self.edges[edge_id] = {
                "id": edge_id,
                "from": source,
                "to": target,
                "kind": kind,
                "view": view,
                "failing": False,
                "systems": [],
                **extra,
            }
        return self.edges[edge_id]

    def _system(self, name: str, status: str, description: str | None = None) -> dict[str, Any]:
        declared = self.datamap.node(system_id(name)) if self.datamap is not None else None
        known = declared if isinstance(declared, SystemNode) else None
        return self.node(
            system_id(name),
            "system",
            name,
            0,
            system=name,
            status=status,
            declared=known.declared if known is not None else None,
            description=description if description is not None else (known.description if known else ""),
        )

    def add_systems(self, result: ScanResult) -> None:
        """Every scanned source, then the data map's systems that were not scanned."""
        for status in result.sources:
            self._system(status.name, status.status)
        for system in self.datamap.systems if self.datamap is not None else ():
            self._system(system.name, system.status)

    def add_findings(self) -> None:
        """system -> container -> category for every finding (and system -> category in summary)."""
        for index, finding in enumerate(self.findings):
            system = self._system(finding.source, "ok", description="")
            container = self.node(
                container_id(finding.source, finding.container),
                "container",
                finding.container,
                1,
                system=finding.source,
            )
            category = self.node(
                category_id(finding.category), "category", finding.category, 2, category=finding.category
            )
            for item in (system, container, category):
                item["findings"].append(index)
            if finding.source not in category["systems"]:
                category["systems"].append(finding.source)
            container["systems"] = [finding.source]
            system["systems"] = [finding.source]
            self.edge(system["id"], container["id"], "contains", "detail", systems=[finding.source])
            self.edge(container["id"], category["id"], "holds", "detail", systems=[finding.source])
            self.edge(system["id"], category["id"], "holds", "summary", systems=[finding.source])

    def add_vendors(self, datamap: DataMapGraph) -> None:
        """Vendors, the categories that reach them, and the declared flows nothing observed explains."""
        for vendor in datamap.vendors:
            self.node(
                vendor.id,
                "vendor",
                vendor.label or vendor.id,
                3,
                vendor=vendor.vendor,
                role=vendor.role,
                purpose=vendor.purpose,
                description=vendor.description,
            )
        reached = self._add_reaches(datamap)
        self._add_flows(datamap, reached)

    def _add_reaches(self, datamap: DataMapGraph) -> dict[tuple[str, str], set[str]]:
        """category -> vendor edges; returns (system, vendor) -> the categories reaching it."""
        findings_by_source_category: dict[tuple[str, str], list[int]] = defaultdict(list)
        for index, finding in enumerate(self.findings):
            findings_by_source_category[(finding.source, finding.category)].append(index)
        reached: dict[tuple[str, str], set[str]] = defaultdict(set)
        for reach in datamap.reaches:
            if reach.source not in self.nodes or reach.target not in self.nodes:
                continue
            systems = sorted(reach.systems)
            item = self.edge(reach.source, reach.target, "reaches", "both", systems=systems)
            vendor = self.nodes[reach.target]
            for system in systems:
                reached[(system, reach.vendor)].add(reach.category)
                if system not in vendor["systems"]:
                    vendor["systems"].append(system)
            for system in systems:
                vendor["findings"].extend(findings_by_source_category.get((system, reach.category), ()))
            item["label"] = ""
        return reached

    def _add_flows(self, datamap: DataMapGraph, reached: dict[tuple[str, str], set[str]]) -> None:
        """system -> vendor edges for declared categories nothing observed reaches the vendor with."""
        for flow in datamap.flows:
            if flow.target not in self.nodes:
                continue
            vendor = self.nodes[flow.target]
            declared_only = sorted(set(flow.carries) - reached[(flow.system, flow.vendor)])
            if declared_only or not flow.carries:
                self.edge(
                    flow.source,
                    flow.target,
                    "flow",
                    "both",
                    systems=[flow.system],
                    label=", ".join(declared_only) or "(nothing)",
                    categories=declared_only,
                )
                if flow.system not in vendor["systems"]:
                    vendor["systems"].append(flow.system)
            vendor.setdefault("flows", []).append(
                {
                    "system": flow.system,
                    "declared": list(flow.declared),
                    "carries": list(flow.carries),
                    "purpose": flow.purpose,
                }
            )

    def add_violations(self, violations: Sequence[Violation]) -> None:
        """Each node lists the violations about it; failing ones highlight their nodes and edges."""
        edges_into: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for item in self.edges.values():
            edges_into[item["to"]].append(item)
        for index, violation in enumerate(violations):
            for node_id in _violation_nodes(violation):
                if node_id in self.nodes:
                    self.nodes[node_id]["violations"].append(index)
            if _is_failing(violation):
                _mark_failing_edges(violation, self.edges, edges_into)
        for item in self.nodes.values():
            item["failing"] = any(_is_failing(violations[index]) for index in item["violations"])
            item["warning"] = any(
                violations[index].suppressed is None and violations[index].severity != "error"
                for index in item["violations"]
            )
            item["systems"] = sorted(item["systems"])
            item["findings"] = sorted(set(item["findings"]))


def _is_failing(violation: Violation) -> bool:
    return violation.severity == "error" and violation.suppressed is None


def _violation_nodes(violation: Violation) -> list[str]:
    ids = []
    if violation.source is not None:
        ids.append(system_id(violation.source))
        if violation.container is not None:
            ids.append(container_id(violation.source, violation.container))
    if violation.category is not None and violation.rule != "PIIMAP005":
        ids.append(category_id(violation.category))
    if violation.vendor is not None:
        ids.append(vendor_id(violation.vendor))
    return ids


def _mark_failing_edges(
    violation: Violation, edges: dict[str, dict[str, Any]], edges_into: dict[str, list[dict[str, Any]]]
) -> None:
    """Highlight the edges a failing violation is about: what reaches the vendor, or what holds
    the category in that system (and container)."""
    source, category, vendor = violation.source, violation.category, violation.vendor
    if category is None:
        return
    if vendor is not None:
        candidates = [edges.get(_edge_id("reaches", "both", category_id(category), vendor_id(vendor)))]
        flow = edges.get(_edge_id("flow", "both", system_id(source or ""), vendor_id(vendor)))
        if flow is not None and category in flow.get("categories", []):
            candidates.append(flow)
    elif source is not None and violation.container is not None:
        candidates = [
            edges.get(_edge_id("holds", "summary", system_id(source), category_id(category))),
            edges.get(
                _edge_id("holds", "detail", container_id(source, violation.container), category_id(category))
            ),
        ]
    else:
        candidates = [
            item
            for item in edges_into.get(category_id(category), ())
            if item["kind"] == "holds" and (source is None or source in item["systems"])
        ]
    for item in candidates:
        if item is not None and (source is None or source in item["systems"]):
            item["failing"] = True
