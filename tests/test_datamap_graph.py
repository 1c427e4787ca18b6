"""The networkx data map: systems -> containers -> fields -> categories, and categories -> vendors."""

from __future__ import annotations

import json
import warnings

import networkx
from test_checks_rules import CLEAN, DATAMAP, POLICY, finding, load, scan_result

from piimap.checks import evaluate
from piimap.datamap import build_graph, carried_categories, node_link
from piimap.declarations import Flow, SystemDeclaration, parse_datamap, parse_policy
from piimap.yamlfile import load_yaml


def graph_of(tmp_path, *findings, datamap_text=DATAMAP):
    datamap = parse_datamap(*load(tmp_path, "datamap.yaml", datamap_text))
    policy = parse_policy(*load(tmp_path, "policy.yaml", POLICY))
    result = evaluate(scan_result(*findings), datamap, policy)
    return networkx.node_link_graph(result.datamap.node_link(), edges="edges"), result


def test_findings_become_a_path_from_system_to_category(tmp_path):
    graph, _ = graph_of(tmp_path, *CLEAN)
    assert graph.nodes["system:app_db"]["kind"] == "system"
    assert graph.has_edge("system:app_db", "container:app_db/main.accounts")
    assert graph.has_edge("container:app_db/main.accounts", "field:app_db/main.accounts/email")
    edge = graph.edges["field:app_db/main.accounts/email", "category:user.contact.email"]
    assert edge["kind"] == "holds" and edge["confidence"] == 0.9 and edge["declared"] is True
    # unstructured text: the container holds the category directly
    assert graph.has_edge("container:web_logs/access.log", "category:user.device.ip_address")


def test_categories_found_in_a_system_reach_the_vendors_its_flows_feed(tmp_path):
    graph, _ = graph_of(tmp_path, *CLEAN)
    assert graph.edges["system:click_events", "vendor:ga"]["edge"] == "flow"
    assert graph.edges["system:click_events", "vendor:ga"]["kind"] == "declared"
    assert graph.edges["category:user.device.ip_address", "vendor:ga"]["systems"] == ["click_events"]
    assert graph.nodes["vendor:ga"]["role"] == "analytics"
    assert graph.nodes["vendor:ga"]["label"] == "Google Analytics"
    # the mailer gets main.accounts only: email and name, not the events' ip address
    reaching_mailer = {
        source for source, _ in graph.in_edges("vendor:mailer") if source.startswith("category:")
    }
    assert reaching_mailer == {"category:user.contact.email", "category:user.name"}
    # every observed path: system -> ... -> category -> vendor
    assert networkx.has_path(graph, "system:app_db", "vendor:mailer")
    assert not networkx.has_path(graph, "system:web_logs", "vendor:adnet")


def test_violations_are_marked_on_the_nodes_they_concern(tmp_path):
    extra = finding("web_logs", "access.log", None, "user.contact.phone_number")
    graph, result = graph_of(tmp_path, *CLEAN, extra)
    marks = graph.nodes["container:web_logs/access.log"]["violations"]
    assert [mark["rule"] for mark in marks] == ["PIIMAP002"]
    assert marks[0]["fingerprint"] == result.violations[0].fingerprint
    assert graph.nodes["system:web_logs"]["violations"]
    assert graph.nodes["category:user.contact.phone_number"]["violations"]
    assert graph.nodes["system:app_db"]["violations"] == []


def test_undeclared_and_unscanned_systems_are_flagged(tmp_path):
    graph, _ = graph_of(tmp_path, *CLEAN, finding("crm", "contacts", "mail", "user.contact.email"))
    assert graph.nodes["system:crm"]["declared"] is False
    assert graph.nodes["system:app_db"]["declared"] is True


def test_the_node_link_data_is_json_and_free_of_future_warnings(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, result = graph_of(tmp_path, *CLEAN)
    text = json.dumps(result.datamap.node_link())
    assert json.loads(text)["directed"] is True
    assert {"nodes", "edges"} <= set(result.datamap.node_link())


def test_a_graph_without_declarations_still_maps_the_findings():
    graph = build_graph(scan_result(*CLEAN))
    data = node_link(graph)
    kinds = {node["kind"] for node in data["nodes"]}
    assert kinds == {"system", "container", "field", "category"}
    assert graph.nodes["system:app_db"]["declared"] is None


CARRY_CASES = [
    # (flow categories, flow containers, found categories, expected carried)
    (("user.device",), (), ["user.device.ip_address"], ("user.device.ip_address",)),
    (("user.device",), (), [], ("user.device",)),
    (
        ("user.device.ip_address", "user.name"),
        (),
        ["user.device.ip_address"],
        ("user.device.ip_address", "user.name"),
    ),
    (None, (), ["user.contact.email"], ("user.contact.email", "user.name")),
    (None, ("other.*",), ["user.contact.email"], ()),
]


def test_carried_categories_table():
    system = SystemDeclaration(name="db", categories=("user.name",))
    for categories, containers, found, expected in CARRY_CASES:
        flow = Flow(system="db", vendor="v", categories=categories, containers=containers)
        findings = [finding("db", "main.t", "f", category) for category in found]
        if containers and categories is None:
            system_here = SystemDeclaration(name="db")
        else:
            system_here = system
        assert carried_categories(flow, system_here, findings) == expected, (categories, containers, found)


def test_yaml_loaded_declarations_keep_lines_for_reports(tmp_path):
    graph, _ = graph_of(tmp_path, *CLEAN)
    assert graph.nodes["system:app_db"]["line"] == 2
    assert graph.edges["system:click_events", "vendor:ga"]["line"] > 0
    assert graph.graph["datamap_file"].endswith("datamap.yaml")
    assert load_yaml(graph.graph["policy_file"])["collected"]
