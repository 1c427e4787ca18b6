"""The HTML data map (``--format html``): one self-contained file that works offline.

The page answers the privacy team's questions in order: a flow diagram (systems -> containers ->
categories -> vendors, Sankey-like bands as wide as the fields behind them, drawn in Python as
inline SVG by :mod:`piimap.reports.flowmap`), a system x category matrix (found / declared /
both / violation), the recipients (role, categories received, purpose, what the policy says),
and the violations grouped by rule with the rule's help once. Its small script adds selection
(a node's findings with masked examples), filters, and folding a system's containers into it.

Safety: every scanned string in the HTML goes through :func:`html.escape`; the data the script
reads travels as JSON inside ``<script type="application/json">`` with ``<``, ``>`` and ``&``
escaped, the script inserts text only through ``textContent``, and a Content-Security-Policy
allows nothing but the inlined script and style (by SHA-256 hash), so table, column and file
names full of markup cannot run or load anything. No library is inlined, nothing is fetched.
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
from piimap.reports.flowmap import build_flow_diagram, layout_flow, render_svg
from piimap.reports.html_tables import (
    build_matrix,
    render_matrix,
    render_recipients,
    render_rules,
    render_violations,
)
from piimap.reports.htmltext import escape
from piimap.rules import FINDING_RULE, RULES

__all__ = ["HtmlReport", "build_view", "render_html", "json_for_script"]

_SURROGATE = re.compile("[\ud800-\udfff]")
_DETAIL_THRESHOLD = 25  # containers shown by default up to this many


class HtmlReport:
    """``--format html``."""

    format: ClassVar[str] = "html"

    def write(self, result: ScanResult, stream: IO[str]) -> None:
        stream.write(render_html(result))


def json_for_script(data: Any) -> str:
    """JSON safe inside a ``<script>`` element: ``<``, ``>``, ``&`` become ``\\u003c`` etc."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # a lone surrogate (an undecodable byte in a file name) cannot be written as UTF-8: \\u-escape it
    text = _SURROGATE.sub(lambda match: f"\\u{ord(match.group(0)):04x}", text)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def _asset(name: str) -> str:
    return resources.files("piimap.reports").joinpath("assets", name).read_text(encoding="utf-8")


def render_html(result: ScanResult) -> str:
    """The whole report page."""
    view = build_view(result)
    violations = list(result.violations or ())
    nodes = {node["id"]: node for node in view["nodes"]}
    diagram = build_flow_diagram(result.findings, result.datamap, violations, nodes)
    detail = layout_flow(diagram, detail=True)
    summary = layout_flow(diagram, detail=False)
    systems = [node["system"] for node in view["nodes"] if node["kind"] == "system"]
    matrix = build_matrix(result.findings, result.datamap, violations, systems)
    rules = {rule.id: rule for rule in (FINDING_RULE, *RULES)}
    # the script draws from the bands; the view's own edges (for other consumers) stay out of the page
    page_data = {key: value for key, value in view.items() if key != "edges"} | {
        "bands": [band.to_dict() for band in diagram.bands],
        "matrix": {"systems": list(matrix.systems), "categories": list(matrix.categories)},
    }
    app_js = _asset("datamap.js")
    css = _asset("datamap.css")
    policy = "; ".join(
        (
            "default-src 'none'",
            f"script-src {_csp_hash(app_js)}",
            f"style-src {_csp_hash(css)}",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )
    organisation = view["meta"]["organisation"]
    title = "piimap data map" + (f": {organisation}" if organisation else "")
    return _PAGE.format(
        csp=html.escape(policy, quote=False),  # base64 hashes and keywords: no '"' to escape
        title=escape(title),
        css=css,
        summary=escape(_summary_line(view)),
        summary_class="failing" if view["meta"]["counts"]["failing"] else "",
        detail_svg=render_svg(diagram, detail, element_id="flow-detail"),
        summary_svg=render_svg(diagram, summary, element_id="flow-summary"),
        matrix=render_matrix(matrix),
        recipients=render_recipients(result.datamap, diagram, violations),
        violations=render_violations(
            violations, rules, matrix, {node.id for node in diagram.nodes}, view["meta"]["has_datamap"]
        ),
        rules=render_rules(rules),
        errors="".join(f"<li>{escape(line)}</li>" for line in view["errors"]),
        errors_hidden="" if view["errors"] else " hidden",
        footer=escape(_footer_line(view)),
        data=json_for_script(page_data),
        app_js=app_js,
    )


def _summary_line(view: dict[str, Any]) -> str:
    counts = view["meta"]["counts"]
    parts = [
        f"{counts['sources']} " + ("source" if counts["sources"] == 1 else "sources"),
        f"{counts['findings']} " + ("finding" if counts["findings"] == 1 else "findings"),
    ]
    if view["meta"]["has_datamap"]:
        failing = counts["failing"]
        text = f"{failing} failing " + ("violation" if failing == 1 else "violations")
        if counts["suppressed"]:
            text += f" ({counts['suppressed']} suppressed)"
        parts.append(text)
    if counts["errors"]:
        parts.append(f"{counts['errors']} " + ("error" if counts["errors"] == 1 else "errors"))
    if view["meta"]["interrupted"]:
        parts.append("interrupted: incomplete scan")
    return " \u00b7 ".join(parts)


def _footer_line(view: dict[str, Any]) -> str:
    meta = view["meta"]
    text = f"piimap {meta['piimap_version']} \u00b7 scan {meta['started']} \u2013 {meta['finished']}"
    return text + (f" \u00b7 run {meta['run_id']}" if meta["run_id"] else "")


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
  <p id="summary" class="{summary_class}">{summary}</p>
  <nav aria-label="Sections"><a href="#flow-section">Flow diagram</a> <a href="#matrix-section">Systems \u00d7 categories</a>
    <a href="#recipients-section">Recipients</a> <a href="#violations-section">Violations</a>
    <a href="#rules-section">Rules</a></nav>
</header>
<main>
<section id="flow-section" aria-labelledby="flow-title">
  <div class="section-head">
    <h2 id="flow-title">Where personal data is and where it goes</h2>
    <div class="toolbar">
      <details id="filters"><summary>Filter <span id="filter-state"></span></summary>
        <div class="filter-panel">
          <fieldset><legend>Categories</legend>
            <div class="bulk"><button type="button" id="categories-all">all</button>
              <button type="button" id="categories-none">none</button></div>
            <div id="category-filters"></div></fieldset>
          <fieldset><legend>Systems</legend>
            <div class="bulk"><button type="button" id="systems-all">all</button>
              <button type="button" id="systems-none">none</button></div>
            <div id="system-filters"></div></fieldset>
        </div>
      </details>
      <label class="switch"><input type="checkbox" id="show-containers"> containers</label>
      <label class="switch"><input type="checkbox" id="fit-width"> fit to width</label>
    </div>
  </div>
  <p class="legend" id="flow-legend"><span class="key node-system">system</span>
    <span class="key node-container">container</span> <span class="key node-category">category</span>
    <span class="key node-vendor">vendor / recipient</span>
    <span class="key band-found">found (width: fields)</span> <span class="key origin-declared">flow declared</span>
    <span class="key origin-observed">flow observed</span> <span class="key origin-both">declared and observed</span>
    <span class="key failing">violation</span></p>
  <div class="flow-area">
    <div class="scroll flow-scroll" id="flow-scroll">{detail_svg}{summary_svg}</div>
    <aside id="details" aria-live="polite" aria-labelledby="details-title">
      <h3 id="details-title">Select a node</h3>
      <p id="details-hint">Click a box, or move to it with Tab and press Enter, to see its findings.</p>
      <dl id="details-attributes"></dl>
      <div id="details-body"></div>
    </aside>
  </div>
</section>
<section id="matrix-section" aria-labelledby="matrix-title">
  <h2 id="matrix-title">Systems \u00d7 categories</h2>
  {matrix}
  <div id="cell-details" aria-live="polite" hidden>
    <div class="cell-details-head"><h3 id="cell-details-title"></h3>
      <button type="button" id="cell-details-close" aria-label="close">\u00d7</button></div>
    <div id="cell-details-body"></div>
  </div>
</section>
<section id="recipients-section" aria-labelledby="recipients-title">
  <h2 id="recipients-title">Recipients</h2>
  {recipients}
</section>
<section id="violations-section" aria-labelledby="violations-title">
  <h2 id="violations-title">Violations</h2>
  {violations}
</section>
<section id="rules-section" aria-labelledby="rules-title">
  <details><summary><h2 id="rules-title">Rules</h2></summary>{rules}</details>
</section>
<section id="errors-section"{errors_hidden}>
  <h2>Errors</h2>
  <ul id="errors">{errors}</ul>
</section>
</main>
<footer><p id="footer">{footer}</p></footer>
<script type="application/json" id="piimap-data">{data}</script>
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
        for status in result.sources:  # a flow source (flows:) stands for the system whose requests it holds
            self._system(status.system or status.name, status.status)
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
