"""The HTML data map's flow diagram, matrix, recipients and grouped violations, without a browser.

Band widths are the fields behind them; vendor bands carry the flow's kind (declared, observed,
both) and its evidence; failing violations make their bands red; the layout keeps every box in
its column, inside the drawing and clear of the others, also on shapes it was not tuned on
(many systems, long and non-Latin names, hundreds of containers); and everything from the scan
is escaped (the SVG parses as XML with the markup as text).
"""

from __future__ import annotations

import dataclasses
import random
import re
import xml.etree.ElementTree as ElementTree
from html import escape
from types import SimpleNamespace

import pytest
from test_checks_rules import CLEAN, DATAMAP, POLICY, finding, load, scan_result

from piimap.checks import evaluate
from piimap.declarations import parse_datamap, parse_policy
from piimap.model import FlowKind, VendorFlow, VendorNode, Violation
from piimap.policytext.model import Citation
from piimap.reports import render_report
from piimap.reports.flowmap import (
    MIN_COLUMN_GAP,
    build_flow_diagram,
    category_origins,
    flow_bounds_ok,
    layout_flow,
    render_svg,
    text_width,
    wrap_label,
)
from piimap.reports.html import build_view
from piimap.reports.html_tables import build_matrix, render_recipients, render_violations
from piimap.rules import FINDING_RULE, RULES

PHONE_IN_LOGS = finding("web_logs", "access.log", None, "user.contact.phone_number")


@pytest.fixture
def checked(tmp_path):
    datamap = parse_datamap(*load(tmp_path, "datamap.yaml", DATAMAP))
    policy = parse_policy(*load(tmp_path, "policy.yaml", POLICY))
    return evaluate(scan_result(*CLEAN, PHONE_IN_LOGS), datamap, policy)


def diagram_of(result):
    view = build_view(result)
    return build_flow_diagram(
        result.findings, result.datamap, list(result.violations or ()), {n["id"]: n for n in view["nodes"]}
    )


def bands_by_ends(diagram, kind):
    return {(band.source, band.target): band for band in diagram.bands if band.kind == kind}


def with_observed_flows(result):
    """The checked company plus a flow of each kind: GA declared and observed, a Meta pixel only
    observed (and undeclared: a failing violation), the mailer declared only."""
    datamap = result.datamap
    edges = []
    for edge in datamap.edges:
        if isinstance(edge, VendorFlow) and edge.vendor == "ga":
            edge = dataclasses.replace(
                edge,
                kind=FlowKind.BOTH,
                count=120,
                first_seen="2024-01-01T00:00:00Z",
                last_seen="2024-01-03T00:00:00Z",
                evidence=("GET www.google-analytics.com/g/collect?cid=1***",),
            )
        edges.append(edge)
    edges.append(
        VendorFlow(
            "web_logs",
            "meta",
            declared=(),
            carries=("user.contact.email", "user.device.ip_address"),
            kind=FlowKind.OBSERVED,
            count=7,
            first_seen="2024-01-02T10:00:00Z",
            last_seen="2024-01-02T12:00:00Z",
            evidence=("POST connect.facebook.net/tr em=sha256:3f***",),
        )
    )
    edges.append(  # a recipient only the traffic names: no vendor entry in the data map
        VendorFlow(
            "web_logs", "tracker.example", (), ("user.device.cookie_id",), kind=FlowKind.OBSERVED, count=2
        )
    )
    undeclared = Violation(
        "PIIMAP008",
        "An observed flow sends user.contact.email to meta, which the data map does not declare.",
        source="web_logs",
        category="user.contact.email",
        vendor="meta",
        citations=(Citation("Sharing", 2, "We do not sell your personal information."),),
    )
    return dataclasses.replace(
        result,
        datamap=dataclasses.replace(
            datamap,
            nodes=(*datamap.nodes, VendorNode("meta", "Meta <Pixel>", "advertising")),
            edges=tuple(edges),
        ),
        violations=(*result.violations, undeclared),
    )


def test_band_widths_are_the_fields_behind_them(checked):
    diagram = diagram_of(checked)
    contains = bands_by_ends(diagram, "contains")
    assert contains[("system:app_db", "container:app_db/main.accounts")].value == 2  # email and name
    assert contains[("system:web_logs", "container:web_logs/access.log")].value == 3
    holds = bands_by_ends(diagram, "holds")
    assert holds[("container:app_db/main.accounts", "category:user.contact.email")].value == 1
    summary = bands_by_ends(diagram, "summary")
    assert summary[("system:click_events", "category:user.device.cookie_id")].value == 1
    reaches = bands_by_ends(diagram, "reaches")
    # ip and cookie ids found in click_events reach GA through its declared flow
    assert reaches[("category:user.device.ip_address", "vendor:ga")].value == 1
    assert reaches[("category:user.device.ip_address", "vendor:ga")].origin == "declared"
    layout = layout_flow(diagram, detail=True)
    thickness = {
        diagram.bands[band.index].source + ">" + diagram.bands[band.index].target: band.thickness
        for band in layout.bands
        if diagram.bands[band.index].kind != "summary"
    }
    assert thickness["system:web_logs>container:web_logs/access.log"] == pytest.approx(
        3 * thickness["container:app_db/main.accounts>category:user.contact.email"]
    )


def test_violations_turn_their_nodes_and_bands_red(checked):
    diagram = diagram_of(checked)
    failing = {(band.kind, band.source, band.target) for band in diagram.bands if band.failing}
    assert failing == {
        ("holds", "container:web_logs/access.log", "category:user.contact.phone_number"),
        ("summary", "system:web_logs", "category:user.contact.phone_number"),
    }
    nodes = {node.id: node for node in diagram.nodes}
    assert nodes["category:user.contact.phone_number"].failing
    assert nodes["category:user.contact.phone_number"].lines[0].startswith("\u26a0 ")
    assert not nodes["system:app_db"].failing


def test_vendor_bands_are_drawn_by_the_flows_kind_with_their_evidence(checked):
    result = with_observed_flows(checked)
    diagram = diagram_of(result)
    reaches = bands_by_ends(diagram, "reaches")
    ga = reaches[("category:user.device.cookie_id", "vendor:ga")]
    assert (ga.origin, ga.count, ga.first_seen, ga.last_seen) == (
        "both",
        120,
        "2024-01-01T00:00:00Z",
        "2024-01-03T00:00:00Z",
    )
    assert ga.evidence == ("GET www.google-analytics.com/g/collect?cid=1***",)
    meta_email = reaches[("category:user.contact.email", "vendor:meta")]
    assert meta_email.origin == "observed" and meta_email.failing
    # observed from web_logs, where no e-mail is stored: the band still reaches the vendor, and
    # web_logs is drawn sending it
    assert reaches[("category:user.device.ip_address", "vendor:meta")].origin == "observed"
    sends = bands_by_ends(diagram, "sends")
    assert set(sends) == {("system:web_logs", "category:user.contact.email")}
    assert sends[("system:web_logs", "category:user.contact.email")].failing  # the undeclared flow
    assert not reaches[("category:user.device.ip_address", "vendor:meta")].failing
    assert reaches[("category:user.contact.email", "vendor:mailer")].origin == "declared"

    page = render_report("html", result)
    svg = re.search(r'<svg id="flow-detail".*?</svg>', page, re.DOTALL).group(0)
    classes = set(re.findall(r'<path class="band band-reaches (origin-\w+)', svg))
    assert classes == {"origin-declared", "origin-observed", "origin-both"}
    assert "declared and observed; 120 requests, 2024-01-01T00:00:00Z" in svg  # the band's tooltip
    recipients = re.search(r'<table id="recipients".*?</table>', page, re.DOTALL).group(0)
    assert "observed: 7 requests" in recipients and "connect.facebook.net/tr em=sha256:3f***" in recipients
    assert "Meta &lt;Pixel&gt;" in recipients and "Meta <Pixel>" not in page
    assert "We do not sell your personal information." in recipients  # the policy sentence
    assert re.search(r"data-node=\"vendor:tracker.example\">.*?not in the data map.*?unknown", recipients)


def test_the_layout_reads_left_to_right_and_folded_bands_land_where_the_containers_did(checked):
    diagram = diagram_of(checked)
    detail = layout_flow(diagram, detail=True)
    summary = layout_flow(diagram, detail=False)
    assert flow_bounds_ok(detail) and flow_bounds_ok(summary)
    for layout, kinds in (
        (detail, ["system", "container", "category", "vendor"]),
        (summary, ["system", "category", "vendor"]),
    ):
        lefts = {}
        for node in layout.nodes:
            lefts.setdefault(node.node.kind, set()).add(node.x)
        assert [kind for kind in sorted(lefts, key=lambda kind: min(lefts[kind]))] == kinds
        assert all(len(xs) == 1 for xs in lefts.values())
    assert not any(node.node.kind == "container" for node in summary.nodes)
    # one folded band per system x category, drawn only in the detailed layout
    folded = [band for band in detail.bands if diagram.bands[band.index].kind == "summary"]
    assert len(folded) == sum(1 for band in diagram.bands if band.kind == "summary")
    assert {diagram.bands[band.index].kind for band in summary.bands} == {"summary", "reaches"}


def random_result(seed: int):
    """Scan results of shapes the layout was not tuned on: many systems, containers with long,
    non-Latin or markup names, uneven field counts."""
    rng = random.Random(seed)
    categories = [
        "user.name",
        "user.contact.email",
        "user.contact.phone_number",
        "user.device.ip_address",
        "user.device.cookie_id",
        "user.device.device_id",
        "user.contact.address.postal_code",
    ]
    names = [
        "public.customer",
        "s3://raw-events/2024/10/01/part-000123.snappy.parquet",
        "客户.联系人",
        "<b>x</b>",
        "logs/nginx/access.log.1",
        "dbo.Orders_2023_Archive_Old_Backup_Table",
    ]
    findings = []
    systems = [f"sys_{index}" for index in range(rng.randint(1, 9))]
    for system in systems:
        for index in range(rng.randint(1, 30 if seed % 2 else 4)):
            container = f"{rng.choice(names)}_{index}"
            for category in rng.sample(categories, rng.randint(1, 4)):
                for field_index in range(rng.randint(1, 3)):
                    findings.append(finding(system, container, f"f{field_index}", category))
    return scan_result(*findings, sources=tuple(systems))


@pytest.mark.parametrize("seed", range(8))
def test_the_layout_holds_on_shapes_it_was_not_tuned_on(seed):
    result = random_result(seed)
    diagram = diagram_of(result)
    for detail in (True, False):
        layout = layout_flow(diagram, detail=detail)
        assert flow_bounds_ok(layout), seed
        for node in layout.nodes:  # every label's estimated width fits its box
            room = node.width - 16 - (22 if node.node.kind == "system" else 0)
            assert max(text_width(line) for line in node.node.lines) <= room + 0.01
        columns = sorted({node.x for node in layout.nodes})
        widths = {node.x: node.width for node in layout.nodes}
        for left, right in zip(columns, columns[1:]):
            assert right - (left + widths[left]) >= MIN_COLUMN_GAP - 0.5
        svg = render_svg(diagram, layout, element_id="flow-test")
        tree = ElementTree.fromstring(svg)  # well-formed: every name was escaped
        texts = [text.text for text in tree.iter("{http://www.w3.org/2000/svg}text")]
        if any("<b>x</b>" in finding.container for finding in result.findings) and detail:
            assert any("<b>x</b>" in (text or "") for text in texts)
        # a container's box names its system too
        container_labels = [
            " ".join(node.node.lines) for node in layout.nodes if node.node.kind == "container"
        ]
        assert all(label.split(" \u203a ")[0].startswith("sys_") for label in container_labels)


def crossings(diagram, layout) -> int:
    """Pairs of bands between the same two columns whose ends are in opposite orders."""
    centre = {node.node.id: (node.column, node.y + node.height / 2) for node in layout.nodes}
    spans = [
        (centre[band.source], centre[band.target])
        for band in (diagram.bands[placed.index] for placed in layout.bands)
        if band.kind not in ("summary",) or not layout.detail
    ]
    count = 0
    for index, (a_from, a_to) in enumerate(spans):
        for b_from, b_to in spans[index + 1 :]:
            if a_from[0] == b_from[0] and a_to[0] == b_to[0]:
                count += (a_from[1] - b_from[1]) * (a_to[1] - b_to[1]) < 0
    return count


def test_the_barycentre_sweeps_untangle_the_bands(checked):
    # the company with flows of every kind: most crossings go (measured: 20 -> 4 and 13 -> 2)
    diagram = diagram_of(with_observed_flows(checked))
    for detail in (True, False):
        untangled = crossings(diagram, layout_flow(diagram, detail=detail))
        tangled = crossings(diagram, layout_flow(diagram, detail=detail, sweeps=0))
        assert untangled <= tangled / 3, (detail, untangled, tangled)
    # dense random maps (every container holds random categories) keep most of their crossings,
    # yet fewer in total: 33,955 -> 28,379 over these seeds
    untangled = tangled = 0
    for seed in range(8):
        diagram = diagram_of(random_result(seed))
        for detail in (True, False):
            untangled += crossings(diagram, layout_flow(diagram, detail=detail))
            tangled += crossings(diagram, layout_flow(diagram, detail=detail, sweeps=0))
    assert untangled < 0.9 * tangled, (untangled, tangled)


def test_long_labels_wrap_at_separators():
    lines = wrap_label("warehouse \u203a s3://raw-events/2024/10/01/part-000123.snappy.parquet")
    assert len(lines) > 1 and all(len(line) <= 36 for line in lines)
    assert "".join(lines) == "warehouse \u203a s3://raw-events/2024/10/01/part-000123.snappy.parquet"
    assert lines[0].endswith(("/", ".", " ", "-", "_", "\u203a"))


def test_the_matrix_says_found_declared_both_or_violation(checked):
    matrix = build_matrix(
        checked.findings, checked.datamap, list(checked.violations), ["app_db", "web_logs", "click_events"]
    )
    state = {(cell.system, cell.category): cell.state for cell in matrix.cells}
    assert state[("app_db", "user.contact.email")] == "both"
    assert state[("web_logs", "user.contact.phone_number")] == "violation"
    assert state[("click_events", "user.device")] == "declared"  # declared as a parent key
    assert state[("click_events", "user.device.ip_address")] == "both"  # covered by user.device
    assert state[("app_db", "user.device.cookie_id")] == ""
    assert matrix.cell("app_db", "user.name").fields == 1
    without_datamap = build_matrix(CLEAN, None, [], ["app_db"])
    assert {cell.state for cell in without_datamap.cells} <= {"found", ""}


def test_violations_are_grouped_by_rule_with_the_help_once_and_links_to_node_and_cell(checked):
    violations = list(checked.violations) + [
        Violation(
            "PIIMAP002",
            "phone in error.log",
            source="web_logs",
            container="error.log",
            category="user.contact.phone_number",
        )
    ]
    diagram = diagram_of(checked)
    matrix = build_matrix(
        checked.findings, checked.datamap, violations, ["app_db", "web_logs", "click_events"]
    )
    rules = {rule.id: rule for rule in (FINDING_RULE, *RULES)}
    html = render_violations(violations, rules, matrix, {node.id for node in diagram.nodes}, True)
    groups = re.findall(r'<section class="rule-group[^"]*" data-rule="([^"]+)"', html)
    assert groups.count("PIIMAP002") == 1
    help_text = escape(rules["PIIMAP002"].help)
    assert html.count(help_text) == 1
    rows = re.findall(r"<tr class=\"failing\" data-violation=\"\d+\">(.*?)</tr>", html)
    assert len(rows) == 2
    cell = matrix.cell("web_logs", "user.contact.phone_number").element_id
    for row in rows:
        assert (
            'class="to-node" data-node="container:web_logs/access.log"' in row
            or 'data-node="system:web_logs"' in row
        )
        assert f'href="#{cell}"' in row


def test_recipients_list_every_vendor_with_role_categories_purpose_and_policy(checked):
    html = render_recipients(checked.datamap, diagram_of(checked), list(checked.violations))
    rows = re.findall(r'<tr data-node="(vendor:[^"]+)">(.*?)</tr>', html)
    assert [vendor for vendor, _ in rows] == ["vendor:ga", "vendor:mailer", "vendor:adnet"]
    ga = dict(rows)["vendor:ga"]
    assert "Google Analytics" in ga and "analytics" in ga
    assert "user.<wbr>device.<wbr>ip_address" in ga and "origin-declared" in ga
    assert "shared with analytics" in ga  # what the policy discloses to the role
    assert "nothing" in dict(rows)["vendor:adnet"]


def test_markup_in_names_is_text_in_the_svg_and_tables(tmp_path):
    evil = "<img src=x onerror=alert(1)>"
    result = scan_result(finding(evil, f"{evil}.t", evil, "user.contact.email"), sources=(evil,))
    page = render_report("html", result)
    assert evil not in page
    for svg in re.findall(r"<svg .*?</svg>", page, re.DOTALL):
        root = ElementTree.fromstring(svg)
        assert not list(root.iter("{http://www.w3.org/2000/svg}image"))
        assert any(evil in (text.text or "") for text in root.iter("{http://www.w3.org/2000/svg}text"))


def test_control_characters_and_undecodable_bytes_are_shown_not_written():
    name = "esc\x1b[31m bell\x07 bad\udcff.log"
    result = scan_result(finding("logs", name, None, "user.device.ip_address"), sources=("logs",))
    page = render_report("html", result)
    html_part = page.split('<script type="application/json"')[0]
    assert "esc\\x1b[31m bell\\x07 bad\\udcff.log" in html_part
    assert "\x1b" not in page and "\x07" not in page
    page.encode("utf-8")  # no lone surrogate left to fail the write


@pytest.mark.parametrize(
    ("kind", "carries", "observed", "expected"),
    [
        (FlowKind.DECLARED, ("user.name",), None, {"user.name": "declared"}),
        (FlowKind.OBSERVED, ("user.name",), None, {"user.name": "observed"}),
        (FlowKind.BOTH, ("user.name",), None, {"user.name": "both"}),
        # records that say which categories were seen: each category by its own origin
        (
            FlowKind.BOTH,
            ("user.name", "user.contact.email"),
            ("user.contact.email", "user.device.ip_address"),
            {"user.name": "declared", "user.contact.email": "both", "user.device.ip_address": "observed"},
        ),
        (FlowKind.OBSERVED, (), ("user.device.cookie_id",), {"user.device.cookie_id": "observed"}),
    ],
)
def test_each_category_of_a_flow_has_its_origin(kind, carries, observed, expected):
    flow = VendorFlow("web", "ga", declared=carries, carries=carries, kind=kind)
    if observed is not None:
        attributes = {item.name: getattr(flow, item.name) for item in dataclasses.fields(flow)}
        flow = SimpleNamespace(**(attributes | {"observed": observed}))
    assert category_origins(flow) == expected


def test_a_scan_with_nothing_found_draws_its_systems_or_says_so():
    diagram = diagram_of(scan_result())  # three sources, nothing found in them
    layout = layout_flow(diagram, detail=True)
    assert {node.node.kind for node in layout.nodes} == {"system"} and not layout.bands
    assert flow_bounds_ok(layout)
    diagram = diagram_of(scan_result(sources=()))
    layout = layout_flow(diagram, detail=True)
    assert layout.width > 0 and layout.height > 0 and not layout.nodes
    svg = render_svg(diagram, layout, element_id="flow-empty")
    assert "No personal data was found" in svg
    ElementTree.fromstring(svg)
