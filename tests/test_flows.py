"""Observed flows end to end: HAR, Squid and Envoy files with known flows and decoys -> edges and violations.

The files are built here with flows put where the test knows them (Google Analytics' ``cid`` /
``uip`` / ``uid``, the Meta Pixel's hashed phone and ``_fbp`` cookie, an unknown tracker receiving
the digest of an e-mail address that the page posted in clear, e-mail addresses in an egress
URL's query and in a path) and decoys that must give nothing: first-party calls carrying personal
data, CDN assets, fonts, a weather API and vendors receiving nothing personal, a CONNECT
tunnel, an internal service. Every observed edge, category and violation is asserted, and no other.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from piimap.checks import evaluate
from piimap.config import load_config
from piimap.connectors.flowsources import (
    detect_flow_format,
    iter_requests,
    json_request,
    squid_request,
)
from piimap.declarations import parse_datamap, parse_policy
from piimap.flowmodel import FlowSourceSpec
from piimap.flows import scan_flow_sources
from piimap.model import ContainerUnreadable, ScanResult
from piimap.reports.json_report import result_to_dict
from piimap.settings import ScanSettings
from piimap.vendors import bundled_catalogue, load_catalogue, registrable_domain
from piimap.yamlfile import load_yaml

EMAIL = "ann.lee@example.org"
PHONE = "+1 415 555 0134"
EMAIL_DIGEST = hashlib.sha256(EMAIL.encode()).hexdigest()
PHONE_DIGEST = hashlib.sha256(b"14155550134").hexdigest()
OTHER_DIGEST = hashlib.sha256(b"not a person").hexdigest()


def _entry(url: str, *, when: str, method: str = "GET", cookies=(), post=None, headers=()) -> dict:
    request = {
        "method": method,
        "url": url,
        "headers": [{"name": "User-Agent", "value": "Mozilla/5.0"}, *headers],
        "cookies": [{"name": name, "value": value} for name, value in cookies],
    }
    if post is not None:
        request["postData"] = post
    return {"startedDateTime": when, "request": request, "response": {"content": {"mimeType": "text/html"}}}


def build_har(path: Path) -> Path:
    ga = urlencode(
        {"v": "2", "tid": "G-TEST", "cid": "1234567890.1763625600", "uip": "203.0.113.50", "uid": "u-1001",
         "dl": "https://shop.example/cart", "sr": "1920x1080", "_p": "918273645"}
    )  # fmt: skip
    entries = [
        _entry("https://shop.example/", when="2026-11-20T08:00:00.000Z", cookies=[("_ga", "GA1.1.1234567890.1763625600")]),
        _entry("https://shop.example/api/signup", when="2026-11-20T08:00:01.000Z", method="POST",
               post={"mimeType": "application/json", "text": json.dumps({"email": EMAIL, "phone": PHONE})}),
        _entry("https://cdn.jsdelivr.net/npm/alpinejs@3/dist/cdn.min.js", when="2026-11-20T08:00:02.000Z"),
        _entry("https://fonts.gstatic.com/s/inter/v13/font.woff2", when="2026-11-20T08:00:02.500Z"),
        _entry(f"https://region1.google-analytics.com/g/collect?{ga}", when="2026-11-20T08:00:03.000Z", method="POST"),
        _entry(f"https://www.facebook.com/tr/?id=99887766&ev=Lead&ud[ph]={PHONE_DIGEST}&ud[em]=",
               when="2026-11-20T08:00:04.000Z", cookies=[("_fbp", "fb.1.1763625600123.1234567890")]),
        _entry("https://collector.tracker-x.example/e", when="2026-11-20T08:00:05.000Z", method="POST",
               post={"mimeType": "application/json",
                     "text": json.dumps({"props": {"contact": EMAIL_DIGEST, "etag": OTHER_DIGEST}, "n": 3})}),
        _entry("https://api.weather.example/v1/now?city=Paris&units=metric", when="2026-11-20T08:00:06.000Z",
               headers=[{"name": "Referer", "value": "https://shop.example/cart"}]),
        _entry(f"https://region1.google-analytics.com/g/collect?{ga}", when="2026-11-20T08:09:00.000Z", method="POST"),
    ]  # fmt: skip
    har = {"log": {"version": "1.2", "creator": {"name": "test"},
                   "pages": [{"id": "p", "title": "https://shop.example/"}], "entries": entries}}  # fmt: skip
    path.write_text(json.dumps(har, indent=1), encoding="utf-8")
    return path


def _squid(epoch: float, method: str, url: str) -> str:
    return f"{epoch:.3f}    112 10.0.0.5 TCP_MISS/200 812 {method} {url} - HIER_DIRECT/192.0.2.40 application/json"


def build_squid(path: Path) -> Path:
    lines = [
        _squid(
            1763625600.0, "GET", f"https://api.mailrelay.example/v1/lookup?email={quote('bob@example.com')}"
        ),
        _squid(
            1763625660.5, "GET", f"https://api.mailrelay.example/v1/lookup?email={quote('eve@example.net')}"
        ),
        _squid(1763625700.0, "POST", "https://api.mailrelay.example/v1/messages"),
        _squid(1763625800.0, "GET", "https://api.mixpanel.com/track?distinct_id=42&token=abc123&ip=1"),
        _squid(1763625900.0, "CONNECT", "stats.example:443"),
        _squid(
            1763626000.0,
            "GET",
            "https://www.google-analytics.com/collect?v=1&tid=UA-1-1&cid=555123.1763625600&t=event",
        ),
        _squid(1763626100.0, "GET", "https://static.cloudflareinsights.com/beacon.min.js?token=0f1e2d"),
        "this line is not a squid line",
    ]
    with gzip.open(path, "wt", encoding="utf-8") as stream:  # rotated logs are gzipped
        stream.write("\n".join(lines) + "\n")
    return path


def build_envoy(path: Path) -> Path:
    records = [
        {"start_time": "2026-11-20T09:00:00.000Z", "method": "GET", "authority": "api.hubapi.com",
         "path": f"/contacts/v1/contact/email/{quote('carol@example.net')}/profile", "upstream_host": "104.16.1.1:443",
         "response_code": 200},
        {"start_time": "2026-11-20T09:00:01.000Z", "method": "GET", "authority": "internal.svc.cluster.local",
         "path": f"/users?email={quote('dan@example.com')}", "upstream_host": "10.1.2.3:8080", "response_code": 200},
        {"start_time": "2026-11-20T09:00:02.000Z", "method": "POST", "authority": "api.hubapi.com",
         "path": "/events/v3/send", "upstream_host": "104.16.1.1:443", "response_code": 204},
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(record) for record in records) + "\n", encoding="utf-8")
    return path


DATAMAP = """\
systems:
  site: {description: the shop's pages (HAR)}
  backend: {description: application servers}
vendors:
  ga: {role: analytics, catalogue: google_analytics}
  mailrelay: {role: service_provider, hosts: [mailrelay.example]}
  hubspot: {role: marketing}
flows:
  - {from: site, to: ga, categories: [user.device.cookie_id, user.device.ip_address, user.unique_id]}
  - {from: backend, to: ga, categories: [user.device.ip_address]}
  - {from: backend, to: mailrelay, categories: [user.contact.email]}
  - {from: backend, to: hubspot, categories: [user.contact.email]}
"""
POLICY = """\
collected: [user]
shared:
  analytics: [user.device, user.unique_id]
  service_provider: [user.contact]
  marketing: [user.contact.email]
"""


@pytest.fixture
def flow_files(tmp_path):
    return {
        "har": build_har(tmp_path / "shop.har"),
        "squid": build_squid(tmp_path / "egress.log.1.gz"),
        "envoy": build_envoy(tmp_path / "envoy.jsonl"),
    }


def _specs(files: dict[str, Path]) -> list[FlowSourceSpec]:
    return [
        FlowSourceSpec("shop_har", str(files["har"]), "site"),
        FlowSourceSpec("squid", str(files["squid"]), "backend", first_party=("shop.example",)),
        FlowSourceSpec("envoy", str(files["envoy"]), "backend", first_party=("cluster.local",)),
    ]


EXPECTED_FLOWS = {
    ("site", "google_analytics"): {"user.device.cookie_id", "user.device.ip_address", "user.unique_id"},
    ("site", "meta_pixel"): {"user.contact.phone_number", "user.device.cookie_id"},
    ("site", "unknown:tracker-x.example"): {"user.contact.email"},
    ("backend", "unknown:mailrelay.example"): {"user.contact.email"},
    ("backend", "mixpanel"): {"user.unique_id"},
    ("backend", "google_analytics"): {"user.device.cookie_id"},
    ("backend", "hubspot"): {"user.contact.email"},
}


def test_every_observed_flow_and_category_and_no_other(flow_files):
    scanned = scan_flow_sources(_specs(flow_files), ScanSettings())
    assert scanned.errors == ()
    assert {(flow.system, flow.vendor): set(flow.categories) for flow in scanned.flows} == EXPECTED_FLOWS
    by_key = {(flow.system, flow.vendor): flow for flow in scanned.flows}
    ga = by_key["site", "google_analytics"]
    assert (ga.count, ga.requests, ga.first_seen, ga.last_seen) == (
        2,
        2,
        "2026-11-20T08:00:03Z",
        "2026-11-20T08:09:00Z",
    )
    assert ga.hosts == ("region1.google-analytics.com",) and ga.role == "analytics" and ga.known
    mail = by_key["backend", "unknown:mailrelay.example"]
    assert (mail.count, mail.requests, mail.role, mail.known) == (2, 3, "unknown", False)
    assert (mail.first_seen, mail.last_seen) == ("2025-11-20T08:00:00Z", "2025-11-20T08:01:00Z")
    pixel = by_key["site", "meta_pixel"]
    assert pixel.category_counts == {"user.contact.phone_number": 1, "user.device.cookie_id": 1}
    assert by_key["backend", "hubspot"].first_seen == "2026-11-20T09:00:00Z"


def test_evidence_is_masked(flow_files):
    scanned = scan_flow_sources(_specs(flow_files), ScanSettings())
    text = json.dumps([flow.to_dict() for flow in scanned.flows])
    for raw in (
        EMAIL,
        EMAIL_DIGEST,
        PHONE_DIGEST,
        "bob@example.com",
        "carol@example.net",
        "203.0.113.50",
        "u-1001",
    ):
        assert raw not in text
    evidence = {item for flow in scanned.flows for item in flow.evidence}
    assert f"user.contact.phone_number: query ud[ph]: sha256:{PHONE_DIGEST[:4]}…" in evidence
    assert f"user.contact.email: body props.contact: sha256:{EMAIL_DIGEST[:4]}…" in evidence
    assert "user.device.ip_address: query uip: 203.*.*.*" in evidence
    assert any(
        item.startswith("user.contact.email: url path: ") and "c***@e***.net" in item for item in evidence
    )


def _checked(flow_files, tmp_path):
    from test_checks_rules import load

    datamap = parse_datamap(*load(tmp_path, "datamap.yaml", DATAMAP))
    policy = parse_policy(*load(tmp_path, "policy.yaml", POLICY))
    scanned = scan_flow_sources(_specs(flow_files), ScanSettings())
    result = ScanResult("t0", "t1", scanned.sources, (), scanned.errors, flows=scanned.flows)
    return evaluate(result, datamap, policy)


def test_every_violation_and_no_other(flow_files, tmp_path):
    checked = _checked(flow_files, tmp_path)
    got = sorted((v.rule, v.source, v.vendor, v.category) for v in checked.violations)
    assert got == sorted(
        [
            ("PIIMAP008", "backend", "mixpanel", None),
            ("PIIMAP008", "site", "meta_pixel", None),
            ("PIIMAP008", "site", "unknown:tracker-x.example", None),
            ("PIIMAP009", "backend", "ga", "user.device.cookie_id"),
            ("PIIMAP010", "site", "meta_pixel", "user.contact.phone_number"),
            ("PIIMAP010", "site", "meta_pixel", "user.device.cookie_id"),
            ("PIIMAP010", "site", "unknown:tracker-x.example", "user.contact.email"),
        ]
    )
    assert all(v.severity == "error" for v in checked.violations)


def test_vendor_edges_are_declared_observed_or_both_in_the_json(flow_files, tmp_path):
    checked = _checked(flow_files, tmp_path)
    edges = {
        (edge["source"], edge["target"]): edge
        for edge in result_to_dict(checked)["datamap"]["edges"]
        if edge.get("edge") == "flow"
    }
    kinds = {key: edge["kind"] for key, edge in edges.items()}
    assert kinds == {
        ("system:site", "vendor:ga"): "both",
        ("system:site", "vendor:meta_pixel"): "observed",
        ("system:site", "vendor:unknown:tracker-x.example"): "observed",
        ("system:backend", "vendor:ga"): "both",
        ("system:backend", "vendor:mailrelay"): "both",
        ("system:backend", "vendor:hubspot"): "both",
        ("system:backend", "vendor:mixpanel"): "observed",
    }
    ga = edges["system:backend", "vendor:ga"]
    assert ga["observed"] == ["user.device.cookie_id"] and ga["declared"] == ["user.device.ip_address"]
    assert ga["categories"] == ["user.device.cookie_id", "user.device.ip_address"]
    assert ga["count"] == 1 and ga["first_seen"] == ga["last_seen"] == "2025-11-20T08:06:40Z"
    mail = edges["system:backend", "vendor:mailrelay"]
    assert (
        mail["count"] == 2
        and mail["evidence"]
        and all("@" not in item or "***" in item for item in mail["evidence"])
    )
    vendors = {
        node["id"]: node for node in result_to_dict(checked)["datamap"]["nodes"] if node["kind"] == "vendor"
    }
    assert vendors["vendor:unknown:tracker-x.example"]["known"] is False
    assert vendors["vendor:meta_pixel"]["declared"] is False and vendors["vendor:ga"]["declared"] is True


def test_a_declared_vendor_by_catalogue_id_host_or_id_is_the_same_node(flow_files, tmp_path):
    checked = _checked(flow_files, tmp_path)
    ids = {node.vendor for node in checked.datamap.vendors}
    assert ids == {"ga", "mailrelay", "hubspot", "meta_pixel", "unknown:tracker-x.example", "mixpanel"}


# --------------------------------------------------------------------------- sources and formats


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("x.har", b'{"log": {"entries": []}}', "har"),
        ("export.json", b'{\n  "log": {\n', "har"),
        ("envoy.log", b'{"authority": "a.example", "path": "/"}\n', "json"),
        ("access.log", b"1763625600.123    112 10.0.0.5 TCP_MISS/200 812 GET http://a.example/ - HIER_DIRECT/1.2.3.4 -\n", "squid"),
        ("access.log", b'10.0.0.5 - - [20/Nov/2026:08:00:00 +0000] "GET http://a.example/x HTTP/1.1" 200 5 "-" "curl"\n', "accesslog"),
        ("notes.txt", b"hello world\n", None),
    ],
)  # fmt: skip
def test_flow_formats_are_detected(name, head, expected):
    assert detect_flow_format(name, head) == expected


def test_nginx_json_with_upstream_host_names_the_vendor_and_an_ip_upstream_does_not():
    spec = FlowSourceSpec("n", "-", "s")
    named = json_request(
        b'{"time_iso8601": "2026-11-20T08:00:00+01:00", "request_method": "GET", "proxy_host": "api.segment.io",'
        b' "request_uri": "/v1/p?userId=77", "upstream_addr": "52.1.2.3:443"}',
        spec,
    )
    assert named is not None and named.host == "api.segment.io" and named.time == "2026-11-20T07:00:00Z"
    assert [(f.location, f.name, f.value) for f in named.fields] == [
        ("url", "path", "/v1/p"),
        ("query", "userId", "77"),
    ]
    # an address upstream names no vendor: a relative path is then a request to the site itself
    assert json_request(b'{"upstream_host": "52.1.2.3:443", "path": "/x"}', spec).host == ""
    assert json_request(b'{"upstream_host": "52.1.2.3:443", "bytes": 5}', spec) is None
    tunnel = squid_request(
        b"1763625600.0 1 10.0.0.1 TCP_TUNNEL/200 1 CONNECT api.stripe.com:443 - HIER_DIRECT/x -"
    )
    assert (tunnel.host, tunnel.method, tunnel.fields) == ("api.stripe.com", "CONNECT", ())


def test_the_site_access_log_attributes_click_ids_and_vendor_cookies(tmp_path):
    log = tmp_path / "access.log"
    log.write_text(
        '203.0.113.9 - - [20/Nov/2026:08:00:00 +0000] "GET /landing?gclid=Cj0KCQiA_abc123&utm_source=google HTTP/1.1"'
        ' 200 512 "https://www.google.com/" "Mozilla/5.0" "_ga=GA1.1.1234567890.1763625600; theme=dark"\n'
        '203.0.113.9 - - [20/Nov/2026:08:00:05 +0000] "GET /pricing HTTP/1.1" 200 512'
        ' "https://shop.example/landing?fbclid=IwAR2xyz789" "Mozilla/5.0" "-"\n'
        '203.0.113.9 - - [20/Nov/2026:08:00:09 +0000] "GET /about HTTP/1.1" 200 512 "-" "Mozilla/5.0" "theme=dark"\n',
        encoding="utf-8",
    )
    scanned = scan_flow_sources([FlowSourceSpec("site_log", str(log), "site")], ScanSettings())
    assert {(flow.vendor, flow.categories) for flow in scanned.flows} == {
        ("google_ads", ("user.unique_id.pseudonymous",)),
        ("google_analytics", ("user.device.cookie_id",)),
        ("meta_pixel", ("user.unique_id.pseudonymous",)),
    }


def test_a_broken_file_is_one_error_line_and_the_other_sources_are_still_read(flow_files, tmp_path):
    broken = tmp_path / "cut.har"
    broken.write_text(build_har(tmp_path / "ok.har").read_text(encoding="utf-8")[:-300], encoding="utf-8")
    specs = [FlowSourceSpec("cut", str(broken), "site"), *_specs(flow_files)[1:]]
    scanned = scan_flow_sources(specs, ScanSettings())
    assert len(scanned.errors) == 1 and scanned.errors[0].source == "cut"
    assert "invalid HAR" in scanned.errors[0].message and "\n" not in scanned.errors[0].message
    assert {flow.system for flow in scanned.flows} == {
        "site",
        "backend",
    }  # what was read before the cut counts
    missing = scan_flow_sources([FlowSourceSpec("gone", str(tmp_path / "nope.log"), "x")], ScanSettings())
    assert [status.status for status in missing.sources] == ["error"] and "does not exist" in missing.errors[
        0
    ].message


def test_a_file_with_no_request_line_is_refused(tmp_path):
    junk = tmp_path / "junk.log"
    junk.write_text("1763625600.0 not really\n" * 3, encoding="utf-8")
    with pytest.raises(ContainerUnreadable, match="none of its 3 lines"):
        list(iter_requests(FlowSourceSpec("j", str(junk), "x", format="squid"), str(junk)))


@pytest.mark.slow
def test_har_entries_stream_in_flat_memory(tmp_path):
    """A HAR far larger than one read block is decoded entry by entry (no whole-document parse)."""
    import tracemalloc

    path = tmp_path / "big.har"
    with path.open("w", encoding="utf-8") as stream:
        stream.write('{"log": {"version": "1.2", "pages": [], "entries": [')
        for index in range(50_000):
            entry = _entry(f"https://cdn.example.net/a/{index}.js?v={index}", when="2026-11-20T08:00:00Z")
            stream.write(("," if index else "") + json.dumps(entry))
        stream.write("]}}")
    assert path.stat().st_size > 9 << 20
    tracemalloc.start()
    count = sum(1 for _ in iter_requests(FlowSourceSpec("b", str(path), "s"), str(path)))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert count == 50_000 and peak < (6 << 20)


# --------------------------------------------------------------------------- catalogue and config


def test_the_catalogue_matches_the_most_specific_host_and_path_by_registrable_domain():
    catalogue = bundled_catalogue()
    assert catalogue.match("stats.g.doubleclick.net", "/j/collect").id == "google_analytics"
    assert catalogue.match("ad.doubleclick.net", "/ddm").id == "google_ads"
    assert catalogue.match("www.facebook.com", "/tr/").id == "meta_pixel"
    assert catalogue.match("www.facebook.com", "/tracks").id == "meta"
    assert catalogue.match("notgoogle-analytics.com", "/") is None
    assert (
        registrable_domain("a.b.example.co.uk") == "example.co.uk"
        and registrable_domain("10.0.0.1") == "10.0.0.1"
    )


def test_the_config_extends_the_catalogue_and_names_flow_sources(tmp_path, flow_files):
    (tmp_path / "piimap.yaml").write_text(
        f"""
flows:
  shop: {flow_files["har"]}
  egress:
    url: {flow_files["squid"]}
    system: backend
    first_party: shop.example
vendor_catalogue:
  tracker_x:
    name: Tracker X
    role: advertising
    hosts: [tracker-x.example]
""",
        encoding="utf-8",
    )
    config = load_config(tmp_path / "piimap.yaml")
    assert [(spec.name, spec.system, spec.first_party) for spec in config.flow_sources] == [
        ("shop", "shop", ()),
        ("egress", "backend", ("shop.example",)),
    ]
    catalogue = load_catalogue(config.catalogue_vendors)
    assert catalogue.match("collector.tracker-x.example").name == "Tracker X"
    scanned = scan_flow_sources(config.flow_sources[:1], ScanSettings(), catalogue)
    assert ("tracker_x", "advertising") in {(flow.vendor, flow.role) for flow in scanned.flows}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("flows: {a: {url: x.har, format: pcap}}", "flows.a.format"),
        ("vendor_catalogue: {v: {name: V, role: Ads, hosts: [v.example]}}", "vendor_catalogue.v.role"),
        ("vendor_catalogue: {v: {name: V, role: ads, hosts: ['not a host']}}", "not a host name"),
        (
            "vendor_catalogue: {v: {name: V, role: ads, hosts: [v.example], params: {x: user.emial}}}",
            "user.emial",
        ),
    ],
)
def test_flow_config_mistakes_are_reported_with_their_key(tmp_path, text, message):
    from piimap.model import ConfigError

    (tmp_path / "piimap.yaml").write_text(text + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message.replace("[", r"\[")):
        load_config(tmp_path / "piimap.yaml")


def test_the_bundled_catalogue_is_valid_yaml_with_unique_hosts():
    data = load_yaml(Path(__file__).parents[1] / "scanner" / "vendor_catalogue.yaml")
    hosts = [host for vendor in data["vendors"].values() for host in vendor["hosts"]]
    assert len(hosts) == len(set(hosts)) and len(data["vendors"]) >= 20


def test_the_html_diagram_draws_observed_flows_by_origin_with_their_masked_evidence(flow_files, tmp_path):
    from piimap.reports.flowmap import build_flow_diagram
    from piimap.reports.html import build_view, render_html

    checked = _checked(flow_files, tmp_path)
    view = build_view(checked)
    nodes = {node["id"]: node for node in view["nodes"]}
    assert {"system:site", "system:backend"} <= set(nodes) and not {"system:squid", "system:envoy"} & set(
        nodes
    )
    diagram = build_flow_diagram(checked.findings, checked.datamap, checked.violations or (), nodes)
    to_vendors = {
        (band.target, band.origin)
        for band in diagram.bands
        if band.kind in ("sends", "reaches", "flow") and band.target.startswith("vendor:")
    }
    assert ("vendor:meta_pixel", "observed") in to_vendors
    assert ("vendor:unknown:tracker-x.example", "observed") in to_vendors
    assert any(target == "vendor:ga" and origin in ("both", "observed") for target, origin in to_vendors)
    pixel = [band for band in diagram.bands if band.target == "vendor:meta_pixel"]
    assert pixel and all(band.failing for band in pixel)  # PIIMAP008 / PIIMAP010
    evidence = {item for band in diagram.bands for item in band.evidence}
    assert f"user.contact.phone_number: query ud[ph]: sha256:{PHONE_DIGEST[:4]}…" in evidence
    page = render_html(checked)
    for raw in (EMAIL, EMAIL_DIGEST, PHONE_DIGEST, "carol@example.net", "203.0.113.50"):
        assert raw not in page


# --------------------------------------------------------------------------- the C reader against Python


def _tricky_squid_lines() -> list[str]:
    digest = hashlib.sha256(b"zoe@example.com").hexdigest()
    base = "{t} {e:5d} 10.0.0.{c} TCP_MISS/200 512 {m} {u} - HIER_DIRECT/192.0.2.1 text/html"
    urls = [
        (
            "GET",
            "https://www.google-analytics.com/collect?v=1&cid=1234567890.1763625600&uip=81.2.69.160&t=event",
        ),
        (
            "GET",
            "https://WWW.Google-Analytics.com:443/collect?cid=987654321.1763625601&uip=%2089.160.20.112%20",
        ),
        ("GET", f"https://www.facebook.com/tr/?id=1&ud%5Bem%5D={digest}&ud[em]=&ev=Lead#frag"),
        ("GET", f"https://www.facebook.com/tr?ud[em]={digest.upper()}&ud[em]={digest}"),
        ("GET", "https://www.facebook.com/tracks?em=zoe%40example.com"),
        (
            "GET",
            "https://api.mailrelay.example/v1/x?email=ann+lee%40example.org&to=bob@example.net&=x&novalue",
        ),
        ("GET", "https://api.mailrelay.example/users/carl%40example.com/profile?x=1"),
        ("GET", "https://api.mailrelay.example/users/dora@example.com"),
        ("GET", "https://api.mailrelay.example/caf%C3%A9?email=eve%40example.com"),
        ("GET", "https://api.mailrelay.example/v1/x?n%C3%A4me=fay%40example.com"),
        ("GET", "http://api.mixpanel.com/track?distinct_id=42&" + "pad=" + "x" * 1500),
        ("GET", "https://api.mixpanel.com/track?distinct_id=43&%1Fodd=1"),
        ("CONNECT", "api.stripe.com:443"),
        ("CONNECT", "localhost:443"),
        ("GET", "api.stripe.com:443"),
        ("POST", "https://user:pw@evil.example/collect?email=gus%40example.com"),
        ("GET", "ftp://files.example/readme?email=hal%40example.com"),
        ("GET", "https://cdn.jsdelivr.net/npm/x@1/dist/x.js?v=1"),
        ("-", "https://api.segment.io/v1/p?userId=u-77&anonymousId=a-1&userId=u-78"),
        (
            "GET",
            "https://api.mixpanel.com/track?data=eyJldmVudCI6ICJ4IiwgInAiOiB7ImVtYWlsIjogImJAZXhhbXBsZS5vcmcifX0%3D",
        ),
        ("GET", "https://api.mailrelay.example/v1/x?user_data=%7B%22email%22%3A%20%22c%40example.org%22%7D"),
    ]
    lines = []
    for index in range(600):
        method, url = urls[index % len(urls)]
        lines.append(
            base.format(
                t=f"{1763625600 + index * 7}.{index % 1000:03d}", e=index, c=index % 9, m=method, u=url
            )
        )
    lines[5] = lines[5].replace(" 512 ", "\t512\t")
    lines[6] = "café " + lines[6]
    lines[7] = lines[7] + "\r"
    lines.append("")
    lines.append("1763625600.000 not a squid line at all")
    return lines


@pytest.mark.parametrize("budget", ["exact", "default"])
def test_the_c_squid_reader_gives_the_flows_the_python_reader_gives(tmp_path, budget):
    from piimap.connectors import logtally
    from piimap.connectors.logtally import TallyBudget
    from piimap.engine import build_classifiers
    from piimap.flowmodel import CountedDestination
    from piimap.flows import FlowTally

    if not logtally.native_tally_available():
        pytest.skip("the C extension is not built")
    path = tmp_path / "egress.log"
    path.write_text("\n".join(_tricky_squid_lines()) + "\n", encoding="utf-8")
    spec = FlowSourceSpec("egress", str(path), "app", format="squid")
    settings = ScanSettings(sample_size=0)
    results = {}
    for native in (False, True):
        tally = FlowTally(spec, bundled_catalogue(), build_classifiers(settings), settings)
        chosen = TallyBudget.exact() if budget == "exact" else TallyBudget(exact_values=8, reps=2)
        kinds = set()
        for record in iter_requests(spec, str(path), native=native, budget=chosen):
            kinds.add(type(record).__name__)
            if isinstance(record, CountedDestination):
                tally.add_counted(record)
            else:
                tally.add(record)
        assert ("CountedDestination" in kinds) == native
        results[native] = {
            flow.vendor: (
                flow.categories,
                flow.count,
                flow.requests,
                flow.first_seen,
                flow.last_seen,
                dict(flow.category_counts),
            )
            for flow in tally.flows()
        }
    assert results[True] == results[False]
    assert set(results[False]) >= {
        "google_analytics",
        "meta_pixel",
        "unknown:mailrelay.example",
        "segment",
        "meta",
    }


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("user_data", '{"email": "a@example.org", "n": 1}', [("user_data.email", "a@example.org"), ("user_data.n", "1")]),
        ("data", "eyJldmVudCI6ICJ4IiwgInAiOiB7ImVtYWlsIjogImJAZXhhbXBsZS5vcmcifX0=", [("data.event", "x"), ("data.p.email", "b@example.org")]),
        ("data", "eyJldmVudCI6ICJ4IiwgInAiOiB7ImVtYWlsIjogImJAZXhhbXBsZS5vcmcifX0", [("data.event", "x"), ("data.p.email", "b@example.org")]),
        ("items", '[{"id": 3}]', [("items[].id", "3")]),
        ("token", "QUJDREVGR0hJSktMTU5PUA==", [("token", "QUJDREVGR0hJSktMTU5PUA==")]),  # base64, not of JSON
        ("q", "{not json", [("q", "{not json")]),
    ],
)  # fmt: skip
def test_json_and_base64_json_inside_a_value_are_read_as_fields(name, value, expected):
    from piimap.flowmodel import RequestField
    from piimap.flows import encoded_fields

    assert [
        (item.name, item.value) for item in encoded_fields(RequestField("query", name, value))
    ] == expected


def test_ndjson_bodies_are_flattened_line_by_line():
    from piimap.connectors.flowsources import har_request

    body = '{"event_id": "1"}\n{"type": "event"}\n{"user": {"ip_address": "89.160.20.112"}}\nplain line'
    request = har_request(
        _entry("https://o1.ingest.sentry.io/api/1/envelope/", when="2026-11-20T08:00:00Z", method="POST",
               post={"mimeType": "application/x-sentry-envelope", "text": body}),
        frozenset(),
    )  # fmt: skip
    assert [(f.name, f.value) for f in request.fields if f.location == "body"] == [
        ("event_id", "1"),
        ("type", "event"),
        ("user.ip_address", "89.160.20.112"),
        ("", "plain line"),
    ]
