"""Precision and recall of observed flows on traffic shaped unlike the tests: (system, vendor, category).

The unit tests and the demo were written against Google Analytics' ``collect`` hits, the Meta
Pixel's ``ud[em]`` and a mail API's ``email=``. This script builds HAR exports and egress logs of
*other* shapes, with the truth of every (system, vendor, category) triple known, and reports
precision and recall of the triples piimap finds, per split:

- ``tuning``: the shapes piimap was written against (GA4 ``g/collect``, Meta Pixel GET with a hashed
  e-mail, a JSON body with an e-mail, a ``_ga`` cookie), in new combinations and locales;
- ``held-out-2``: written after ``held-out`` had been run (0.800 recall, 1.000 precision) and its
  gaps fixed (NDJSON bodies, JSON and base64-encoded JSON inside a value, protocol names at the
  leaf of a body path): Braze, Klaviyo's base64 ``data``, Pinterest's JSON ``ed``, Reddit's
  ``m.em``, Snapchat's ``u_hem`` / ``u_hpn``, a Brazilian WhatsApp number; vendors the catalogue does
  not know, so every recipient is ``unknown:<domain>``. Reported as first run, not tuned on;
- ``held-out``: shapes nobody looked at while writing the code: Segment and Amplitude batch
  bodies, TikTok's pixel (hashed e-mail and phone inside a JSON context), Sentry envelopes (the
  user's IP address), a HubSpot form submission (``fields[].value``), Google Ads enhanced
  conversions (``em=tv.1~em.<sha256>``), Mixpanel's base64 ``data=`` parameter, an Intercom ping
  whose form field holds JSON text, e-mail addresses in other scripts and IDN domains, national
  phone numbers under uninformative names; and decoys of the same vendors carrying nothing
  personal (random ids, checksums under ``etag`` / ``hash``, prices, ISO dates, versions).

Misses are listed by name, so a known gap is visible rather than averaged away. Run:
``.venv/bin/python bench/eval_flows.py [--split tuning|held-out|all]``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import tempfile
from pathlib import Path
from urllib.parse import quote, urlencode

from piimap.flowmodel import FlowSourceSpec
from piimap.flows import scan_flow_sources
from piimap.settings import ScanSettings

EMAIL, PHONE = "user.contact.email", "user.contact.phone_number"
IP, COOKIE, UID = "user.device.ip_address", "user.device.cookie_id", "user.unique_id"
WHEN = "2026-11-21T10:00:00.000Z"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry(
    url: str, *, method: str = "GET", body: object = None, mime: str = "application/json", cookies=()
) -> dict:
    request: dict = {
        "method": method,
        "url": url,
        "headers": [],
        "cookies": [{"name": n, "value": v} for n, v in cookies],
    }
    if body is not None:
        text = body if isinstance(body, str) else json.dumps(body)
        request["postData"] = {"mimeType": mime, "text": text}
    return {"startedDateTime": WHEN, "request": request}


def har(page: str, entries: list[dict]) -> dict:
    return {"log": {"version": "1.2", "pages": [{"id": "p", "title": page}], "entries": entries}}


# Each case: (split, system, HAR entries, expected {(vendor, category)}); decoys add entries and nothing else.
def cases() -> list[tuple[str, str, list[dict], set[tuple[str, str]]]]:
    mail_de, mail_jp = "jürgen.weiß@beispiel.de", "山田@例え.jp"
    return [
        ("tuning", "shop_fr", [
            entry("https://region1.google-analytics.com/g/collect?" + urlencode(
                {"v": "2", "tid": "G-FR1", "cid": "77441122.1762000000", "uid": "client-8841", "ep.page_lang": "fr"}), method="POST"),
            entry(f"https://www.facebook.com/tr/?id=55&ev=Purchase&ud[em]={sha('camille.moreau@exemple.fr')}&cd[currency]=EUR"),
            entry("https://api.custom-crm.example/v1/lead", method="POST", body={"contact": {"mail": "camille.moreau@exemple.fr"}, "score": 7}),
            entry("https://fonts.googleapis.com/css2?family=Roboto", mime="text/css"),
        ], {("google_analytics", COOKIE), ("google_analytics", UID), ("meta_pixel", EMAIL), ("unknown:custom-crm.example", EMAIL)}),
        ("tuning", "shop_uk", [
            entry("https://stats.g.doubleclick.net/g/collect?v=2&tid=G-UK&cid=1888221144.1761999999&_uip=81.2.69.160"),
            entry("https://www.facebook.com/tr?id=9&ev=Lead&ud[ph]=" + sha("447700900123"), cookies=[("_fbp", "fb.1.1761999999123.998877")]),
            entry("https://cdn.jsdelivr.net/npm/dayjs@1.11.10/dayjs.min.js?v=20261121"),
        ], {("google_analytics", COOKIE), ("google_analytics", IP), ("meta_pixel", PHONE), ("meta_pixel", COOKIE)}),
        ("held-out", "app_web", [
            entry("https://api.segment.io/v1/batch", method="POST", body={"batch": [
                {"type": "identify", "userId": "u_5521", "anonymousId": "3f6c1a2e-9b7d-4c21-8a51-0d6b7e2f9c44",
                 "traits": {"email": "li.wei@example.cn", "plan": "pro"}},
                {"type": "track", "event": "Upgrade", "userId": "u_5521", "properties": {"price": 49.0, "sku": "PRO-12"}}]}),
            entry("https://api2.amplitude.com/2/httpapi", method="POST", body={"api_key": "0123456789abcdef0123456789abcdef",
                "events": [{"user_id": "li.wei", "device_id": "C8F3A2D1-7B6E-4F5A-9C8D-1E2F3A4B5C6D", "event_type": "view",
                            "user_properties": {"phone": "+86 138 0013 8000"}, "time": 1763719200000}]}),
            entry("https://o4504.ingest.sentry.io/api/42/envelope/", method="POST", mime="application/x-sentry-envelope",
                  body=json.dumps({"event_id": "9ec79c33ec9942ab8353589fcb2e04dc"}) + "\n" + json.dumps({"type": "event"}) + "\n"
                  + json.dumps({"user": {"ip_address": "89.160.20.112", "id": "5521"}, "release": "web@3.2.1"})),
            entry("https://api.mixpanel.com/track?data=" + quote(base64.b64encode(json.dumps(
                {"event": "Signup", "properties": {"distinct_id": "li.wei@example.cn", "token": "abc"}}).encode()).decode())),
        ], {("segment", UID), ("segment", COOKIE), ("segment", EMAIL), ("amplitude", UID), ("amplitude", "user.device.device_id"),
            ("amplitude", PHONE), ("sentry", IP), ("mixpanel", EMAIL)}),
        ("held-out", "shop_de", [
            entry("https://analytics.tiktok.com/api/v2/pixel", method="POST", body={"event": "CompletePayment",
                "context": {"user": {"email": sha(mail_de.lower()), "phone_number": sha("491701234567")}, "ip": "93.184.216.34"},
                "properties": {"value": 59.9, "currency": "EUR", "content_id": "a1b2c3"}}),
            entry("https://forms.hsforms.com/submissions/v3/public/submit/formsnext/multipart/123/abc", method="POST",
                  body={"fields": [{"name": "email", "value": mail_de}, {"name": "company", "value": "Beispiel GmbH"}],
                        "context": {"hutk": "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d", "pageUri": "https://shop.example.de/kontakt"}}),
            entry("https://googleads.g.doubleclick.net/pagead/viewthroughconversion/987/?em=tv.1~em." + sha(mail_de.lower())
                  + "&value=59.9&gclid=Cj0KCQiA4L67BhDUARIsADWrl7E"),
            entry("https://api-iam.intercom.io/messenger/web/ping", method="POST", mime="application/x-www-form-urlencoded",
                  body="app_id=abc123&user_data=" + quote(json.dumps({"email": mail_de, "user_id": "de-77"}))),
            entry("https://api.kontakt-tool.example/v1/rueckruf?telefon=030%2012345678&ruf=abends"),
        ], {("tiktok_pixel", EMAIL), ("tiktok_pixel", PHONE), ("tiktok_pixel", IP), ("hubspot", EMAIL), ("hubspot", COOKIE),
            ("google_ads", EMAIL), ("google_ads", "user.unique_id.pseudonymous"), ("intercom", EMAIL), ("intercom", UID),
            ("unknown:kontakt-tool.example", PHONE)}),
        ("held-out", "shop_jp", [
            entry("https://api.segment.io/v1/t", method="POST", body={"userId": "jp-1", "event": "Cart",
                  "properties": {"email": mail_jp, "total": 3200}}),
            entry("https://www.facebook.com/tr/?id=7&ev=PageView&noscript=1"),
            entry("https://o4504.ingest.sentry.io/api/42/store/", method="POST", body={"release": "1.0.0", "platform": "javascript",
                  "contexts": {"browser": {"version": "17.4.1"}}, "extra": {"etag": sha("bundle.js"), "built": "2026-11-20"}}),
            entry("https://api.mixpanel.com/engage?verbose=1", method="POST", body={"$token": "abc", "$distinct_id": "k9d8f7",
                  "$set": {"$created": "2026-11-21T10:00:00", "plan": "free"}}),
            entry("https://cdn.shop-assets.example/img/hero.webp?hash=" + sha("hero.webp")[:32]),
        ], {("segment", UID), ("segment", EMAIL)}),
        # written after the held-out split had been run and the gaps it showed fixed: run once, not tuned on
        ("held-out-2", "store_br", [
            entry("https://sdk.iad-01.braze.com/api/v3/data/", method="POST", body={"api_key": "k-1",
                  "attributes": [{"user_id": "br-991", "email": "joao.silva@exemplo.com.br", "country": "BR"}],
                  "events": [{"name": "ce", "data": {"n": "purchase"}, "time": 1763719200.5}]}),
            entry("https://a.klaviyo.com/api/track?data=" + quote(base64.b64encode(json.dumps(
                {"token": "PK_abc", "event": "Viewed", "customer_properties": {"$email": "maria@exemplo.com.br",
                 "$phone_number": "+55 11 91234-5678"}}).encode()).decode())),
            entry("https://ct.pinterest.com/v3/?event=checkout&tid=2612&ed=" + quote(json.dumps({"em": sha("maria@exemplo.com.br")}))),
            entry("https://alb.reddit.com/rp.gif?ts=1763719200&id=t2_abc&event=Purchase&m.em=" + sha("joao.silva@exemplo.com.br")),
            entry("https://tr.snapchat.com/p", method="POST", mime="application/x-www-form-urlencoded",
                  body=urlencode({"pid": "5e1f", "ev": "PURCHASE", "u_hem": sha("maria@exemplo.com.br"), "u_hpn": sha("5511912345678")})),
            entry("https://api.atendimento.example/v2/contato?whatsapp=%2B55%2011%2091234-5678&origem=site"),
            entry("https://a.klaviyo.com/api/onsite/identify?c=PK_abc&ver=2"),
            entry("https://ct.pinterest.com/v3/?event=pagevisit&tid=2612&noscript=1"),
            entry("https://static.store-br.example/app.js", mime="application/javascript",
                  body={"sri": "sha256-" + sha("app.js"), "release": "2026.11.21", "build": 4471}),
        ], {("unknown:braze.com", UID), ("unknown:braze.com", EMAIL), ("unknown:klaviyo.com", EMAIL),
            ("unknown:klaviyo.com", PHONE), ("unknown:pinterest.com", EMAIL), ("unknown:reddit.com", EMAIL),
            ("unknown:snapchat.com", EMAIL), ("unknown:snapchat.com", PHONE), ("unknown:atendimento.example", PHONE)}),
    ]  # fmt: skip


def evaluate(split: str) -> tuple[int, int, int, list[str], list[str]]:
    chosen = [case for case in cases() if split in ("all", case[0])]
    folder = Path(tempfile.mkdtemp(prefix="piimap-eval-flows-"))
    specs, expected = [], set()
    for index, (_, system, entries, truth) in enumerate(chosen):
        path = folder / f"{index}-{system}.har"
        path.write_text(json.dumps(har(f"https://www.{system}.example/", entries)), encoding="utf-8")
        specs.append(FlowSourceSpec(system, str(path), system))
        expected |= {(system, vendor, category) for vendor, category in truth}
    scanned = scan_flow_sources(specs, ScanSettings())
    found = {(flow.system, flow.vendor, category) for flow in scanned.flows for category in flow.categories}
    right = found & expected
    missed = sorted("/".join(item) for item in expected - found)
    wrong = sorted("/".join(item) for item in found - expected)
    return len(right), len(found), len(expected), missed, wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("tuning", "held-out", "held-out-2", "all"), default="all")
    args = parser.parse_args()
    splits = ("tuning", "held-out", "held-out-2") if args.split == "all" else (args.split,)
    print(f"{'split':10}{'triples':>9}{'found':>7}{'right':>7}{'precision':>11}{'recall':>8}")
    for split in splits:
        right, found, expected, missed, wrong = evaluate(split)
        precision = right / found if found else 1.0
        recall = right / expected if expected else 1.0
        print(f"{split:10}{expected:9d}{found:7d}{right:7d}{precision:11.3f}{recall:8.3f}")
        for item in missed:
            print(f"    missed: {item}")
        for item in wrong:
            print(f"    wrong:  {item}")


if __name__ == "__main__":
    main()
