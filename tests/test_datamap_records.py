"""The typed data map: frozen node/edge/flow records that serialise to the same node-link data.

The golden files were written by the networkx-dict builder these records replaced (piimap 0.2.0),
from the same declarations and findings: the JSON report's ``datamap`` and the HTML page's view
must not change by a byte (key order and edge order included). Regenerated once, on purpose, when
vendor edges gained the contract's ``kind`` (declared / observed / both) and observed-flow attributes.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import networkx
import pytest
from test_checks_rules import CLEAN, DATAMAP, POLICY, finding, load, scan_result

from piimap.checks import evaluate
from piimap.datamap import build_datamap, build_graph, node_link
from piimap.declarations import parse_datamap, parse_policy
from piimap.model import (
    CategoryFlow,
    CategoryNode,
    DataMapGraph,
    FlowKind,
    ReachesEdge,
    SystemNode,
    VendorFlow,
    VendorNode,
    system_id,
    vendor_id,
)
from piimap.reports.html import build_view
from piimap.reports.json_report import result_to_dict
from piimap.store import flows_of

GOLDEN = Path(__file__).parent / "golden"

EXTRA = (
    finding("web_logs", "access.log", None, "user.contact.phone_number"),
    finding("crm", "contacts", "mail", "user.contact.email"),
    finding("click_events", "events.jsonl", "idfa", "user.device.device_id"),
)


@pytest.fixture
def checked(tmp_path):
    datamap = parse_datamap(*load(tmp_path, "datamap.yaml", DATAMAP))
    policy = parse_policy(*load(tmp_path, "policy.yaml", POLICY))
    return evaluate(scan_result(*CLEAN, *EXTRA), datamap, policy)


def test_the_json_reports_datamap_is_the_same_node_link_data_as_before(checked):
    data = result_to_dict(checked)["datamap"]
    for key in ("datamap_file", "policy_file"):
        data["graph"][key] = Path(data["graph"][key]).name
    expected = (GOLDEN / "datamap_node_link.json").read_text(encoding="utf-8")
    assert json.dumps(data, indent=1, ensure_ascii=False) + "\n" == expected


def test_the_html_view_is_the_same_as_before(checked):
    view = build_view(checked)
    view["meta"]["piimap_version"] = "X"
    expected = (GOLDEN / "html_view.json").read_text(encoding="utf-8")
    assert json.dumps(view, indent=1, ensure_ascii=False) + "\n" == expected


def test_records_are_typed_frozen_and_found_by_id(checked):
    datamap = checked.datamap
    assert isinstance(datamap, DataMapGraph)
    crm = datamap.node(system_id("crm"))
    assert isinstance(crm, SystemNode) and crm.declared is False and crm.status == "ok"
    assert [mark.rule for mark in crm.violations] == ["PIIMAP001"]
    assert isinstance(datamap.node(vendor_id("ga")), VendorNode)
    assert datamap.node("system:nowhere") is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        crm.status = "error"  # type: ignore[misc]
    (mailer,) = [flow for flow in datamap.flows if flow.vendor == "mailer"]
    assert (mailer.system, mailer.declared, mailer.carries) == (
        "app_db",
        ("all",),
        ("user.contact.email", "user.name"),
    )
    reaching_ga = {edge.category for edge in datamap.reaches if edge.vendor == "ga"}
    assert reaching_ga == {"user.device.ip_address", "user.device.cookie_id"}


def test_networkx_view_and_node_link_agree(checked):
    graph = checked.datamap.to_networkx()
    assert networkx.node_link_data(graph, edges="edges") == checked.datamap.node_link()
    assert {node.id for node in checked.datamap.nodes} == set(graph.nodes)
    assert len(checked.datamap.edges) == graph.number_of_edges()


def test_build_graph_is_the_records_as_networkx():
    result = scan_result(*CLEAN)
    assert node_link(build_graph(result)) == build_datamap(result).node_link()


def test_a_declared_flow_keeps_the_observed_flow_fields_at_their_defaults_and_out_of_the_json(checked):
    for flow in checked.datamap.flows:
        assert (flow.kind, flow.count, flow.first_seen, flow.last_seen, flow.evidence) == (
            FlowKind.DECLARED,
            0,
            None,
            None,
            (),
        )
    edges = [edge for edge in checked.datamap.node_link()["edges"] if edge.get("edge") == "flow"]
    assert edges and all(
        set(edge)
        == {
            "kind", "edge", "categories", "declared", "containers", "carries", "observed", "count",
            "category_counts", "first_seen", "last_seen", "hosts", "flow_sources", "evidence",
            "purpose", "line", "source", "target",
        }
        and edge["kind"] == "declared"
        for edge in edges
    )  # fmt: skip


def test_category_flows_come_from_the_typed_flows_and_violations(checked):
    flows = flows_of(checked)
    assert CategoryFlow("app_db", "mailer", "user.name") in flows
    assert flows == sorted(set(flows))
    only_records = DataMapGraph(
        nodes=(SystemNode("a", "ok"), VendorNode("v", "V", "analytics"), CategoryNode("user.name")),
        edges=(
            VendorFlow("a", "v", declared=("user.name",), carries=("user.name",)),
            ReachesEdge("user.name", "v", ("a",)),
        ),
    )
    assert flows_of(dataclasses.replace(checked, datamap=only_records, violations=())) == [
        CategoryFlow("a", "v", "user.name")
    ]
