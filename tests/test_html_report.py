"""The HTML report without a browser: self-contained, CSP hashes that match, data escaped."""

from __future__ import annotations

import base64
import hashlib
import json
import re

import pytest
from test_checks_rules import CLEAN, DATAMAP, POLICY, finding, load, scan_result

from piimap.checks import evaluate
from piimap.declarations import parse_datamap, parse_policy
from piimap.reports import render_report
from piimap.reports.html import build_view, json_for_script

SCRIPT = re.compile(r"<script(?P<attributes>[^>]*)>(?P<body>.*?)</script>", re.DOTALL)


def checked(tmp_path, *extra):
    datamap = parse_datamap(*load(tmp_path, "datamap.yaml", DATAMAP))
    policy = parse_policy(*load(tmp_path, "policy.yaml", POLICY))
    return evaluate(scan_result(*CLEAN, *extra), datamap, policy)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "</script><script>alert(1)</script>",
            "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
        ),
        ("a & b", "a \\u0026 b"),
        ("<!--", "\\u003c!--"),
    ],
)
def test_json_for_script_escapes_markup(value, expected):
    text = json_for_script({"v": value})
    assert expected in text
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"v": value}


def test_the_page_is_self_contained_and_every_script_is_allowed_by_hash(tmp_path):
    page = render_report("html", checked(tmp_path))
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page).group(1)
    assert "default-src 'none'" in csp
    scripts = list(SCRIPT.finditer(page))
    executable = [m for m in scripts if "application/json" not in m["attributes"]]
    assert len(executable) == 1  # the report's own script: no library is inlined
    for match in executable:
        digest = base64.b64encode(hashlib.sha256(match["body"].encode("utf-8")).digest()).decode()
        assert f"'sha256-{digest}'" in csp
        assert "src=" not in match["attributes"]
    style = re.search(r"<style>(.*?)</style>", page, re.DOTALL).group(1)
    style_digest = base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode()
    assert f"style-src 'sha256-{style_digest}'" in csp
    # nothing is fetched: no src attributes, links only to fragments of the page, no remote fonts,
    # imports or url()s other than the diagrams' own patterns
    outside_scripts = SCRIPT.sub("", page)
    assert not re.search(r"\s(src|xlink:href)\s*=", outside_scripts)
    assert set(re.findall(r'\shref="([^"]*)"', outside_scripts)) <= {
        "#flow-section",
        "#matrix-section",
        "#recipients-section",
        "#violations-section",
        "#rules-section",
    } | {f"#{cell}" for cell in re.findall(r'<td id="(cell-\d+-\d+)"', page)}
    assert set(re.findall(r"url\(([^)]*)\)", page)) <= {
        "#flow-detail-declared",
        "#flow-summary-declared",
        "#flow-detail-declared-failing",
        "#flow-summary-declared-failing",
    }
    assert "@import" not in page and "@font-face" not in page
    assert "sourceMappingURL" not in page and "vis-network" not in page


def test_the_view_links_systems_categories_and_vendors(tmp_path):
    view = build_view(checked(tmp_path, finding("web_logs", "access.log", None, "user.contact.phone_number")))
    nodes = {node["id"]: node for node in view["nodes"]}
    assert nodes["system:web_logs"]["failing"] and nodes["category:user.contact.phone_number"]["failing"]
    assert not nodes["system:app_db"]["failing"]
    assert nodes["vendor:ga"]["role"] == "analytics"
    edges = {(edge["from"], edge["to"], edge["view"]) for edge in view["edges"]}
    assert ("system:app_db", "category:user.contact.email", "summary") in edges
    assert ("container:app_db/main.accounts", "category:user.contact.email", "detail") in edges
    assert ("category:user.device.ip_address", "vendor:ga", "both") in edges
    failing_edges = [edge for edge in view["edges"] if edge["failing"]]
    assert {edge["to"] for edge in failing_edges} == {"category:user.contact.phone_number"}
    # the vendor shows what reaches it
    ga_findings = {view["findings"][index]["category"] for index in nodes["vendor:ga"]["findings"]}
    assert ga_findings == {"user.device.ip_address", "user.device.cookie_id"}
    assert view["meta"]["counts"]["failing"] == 1


def test_a_scan_without_a_data_map_maps_sources_containers_and_categories():
    view = build_view(scan_result(*CLEAN))
    kinds = {node["kind"] for node in view["nodes"]}
    assert kinds == {"system", "container", "category"}
    assert view["meta"]["has_datamap"] is False and view["meta"]["show_containers"] is True
    page = render_report("html", scan_result(*CLEAN))
    assert page.startswith("<!DOCTYPE html>")


def test_the_title_is_escaped(tmp_path):
    text = DATAMAP.replace("systems:", 'organisation: "<b>Evil</b> & Co"\nsystems:', 1)
    datamap = parse_datamap(*load(tmp_path, "d.yaml", text))
    page = render_report("html", evaluate(scan_result(*CLEAN), datamap, None))
    assert "<title>piimap data map: &lt;b&gt;Evil&lt;/b&gt; &amp; Co</title>" in page
    assert "<b>Evil</b>" not in page
