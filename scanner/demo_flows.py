"""The demo company's observed requests: a HAR export of its marketing site and its egress proxy log.

:func:`write_demo_flows` writes, deterministically, into the demo folder:

- ``flows/marketing-site.har``: three visits to ``www.clickstat.example`` as a browser exports them:
  the site's own pages, images and API calls (first party), Google Fonts and cdnjs assets, the
  Google Tag Manager script (third parties that receive nothing personal), and Google Analytics
  4 collection calls carrying the ``cid`` client id and the ``_ga`` cookie (the declared flow);
- ``flows/egress/proxy.log``: a day of the application servers' Squid proxy log (native format):
  MailRelay API calls carrying e-mail addresses (declared), Stratus storage uploads and Stripe
  charges (nothing personal in the URL), ``CONNECT`` tunnels, and the deliberate gap: the Meta
  Pixel receiving SHA-256 digests of trial requesters' e-mail addresses (``ud[em]``) from a
  server-side conversion tag nobody declared. ``piimap check`` reports it as PIIMAP008 (no flow
  in the data map) and PIIMAP010 (advertising is not a recipient the policy names).

Every address is invented (``example`` domains), the hosts of real vendors are their public
endpoints, and nothing here is ever sent anywhere.
"""

from __future__ import annotations

import hashlib
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

__all__ = ["write_demo_flows", "SITE", "PIXEL_ID"]

SITE = "www.clickstat.example"
PIXEL_ID = "4827163950112233"
_BASE = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
_DOMAINS = ("example.com", "example.org", "example.net")
_NAMES = ("olivia.smith", "liam.garcia", "emma.tanaka", "noah.schneider", "priya.sharma", "lucas.silva")


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _entry(
    moment: datetime, method: str, url: str, page: str, *, mime: str = "text/html", **extra: object
) -> dict:
    request = {
        "method": method,
        "url": url,
        "httpVersion": "HTTP/2",
        "headers": [
            {
                "name": "User-Agent",
                "value": "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            },
            {"name": "Accept", "value": "*/*"},
            {"name": "Referer", "value": f"https://{SITE}{page}"},
        ],
        "queryString": [],
        "cookies": extra.pop("cookies", []),
        "headersSize": -1,
        "bodySize": 0,
    }
    if "post" in extra:
        request["postData"] = extra.pop("post")
    return {
        "pageref": extra.pop("pageref", "page_1"),
        "startedDateTime": _iso(moment),
        "time": 42.0,
        "request": request,
        "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/2", "headers": [], "cookies": [],
                     "content": {"size": 512, "mimeType": mime}, "redirectURL": "", "headersSize": -1, "bodySize": 512},
        "cache": {},
        "timings": {"send": 1, "wait": 40, "receive": 1},
    }  # fmt: skip


def _har(rng: random.Random) -> dict:
    pages, entries = [], []
    for visit, path in enumerate(("/", "/pricing", "/trial")):
        start = _BASE + timedelta(minutes=17 * visit, seconds=rng.randint(0, 59))
        page_id = f"page_{visit + 1}"
        pages.append({"startedDateTime": _iso(start), "id": page_id, "title": f"https://{SITE}{path}",
                      "pageTimings": {"onContentLoad": 310, "onLoad": 620}})  # fmt: skip
        client = (
            f"{rng.randint(100_000_000, 2_147_483_647)}.{int(start.timestamp()) - rng.randint(0, 9_999_999)}"
        )
        ga_cookie = {"name": "_ga", "value": f"GA1.1.{client}"}
        moment = start

        def step(seconds: float = 0.05) -> datetime:
            nonlocal moment
            moment += timedelta(seconds=seconds)
            return moment

        entries.append(
            _entry(moment, "GET", f"https://{SITE}{path}", path, pageref=page_id, cookies=[ga_cookie])
        )
        entries[-1]["_resourceType"] = "document"
        for asset, mime in (("/assets/site.css", "text/css"), ("/assets/app.js", "application/javascript"),
                            ("/img/hero.webp", "image/webp")):  # fmt: skip
            entries.append(_entry(step(), "GET", f"https://{SITE}{asset}", path, mime=mime, pageref=page_id,
                                  cookies=[ga_cookie]))  # fmt: skip
        entries.append(_entry(step(), "GET", "https://fonts.googleapis.com/css2?family=Inter:wght@400;600&display=swap",
                              path, mime="text/css", pageref=page_id))  # fmt: skip
        entries.append(_entry(step(), "GET", "https://fonts.gstatic.com/s/inter/v13/UcC73FwrK3iLTeHuS_fvQtMwCp50KnMa1ZL7.woff2",
                              path, mime="font/woff2", pageref=page_id))  # fmt: skip
        entries.append(_entry(step(), "GET", "https://cdnjs.cloudflare.com/ajax/libs/alpinejs/3.13.3/cdn.min.js",
                              path, mime="application/javascript", pageref=page_id))  # fmt: skip
        entries.append(_entry(step(), "GET", "https://www.googletagmanager.com/gtag/js?id=G-CLKST4T2026&l=dataLayer",
                              path, mime="application/javascript", pageref=page_id))  # fmt: skip
        query = urlencode({"v": "2", "tid": "G-CLKST4T2026", "gtm": "45je4b10", "_p": str(rng.getrandbits(30)),
                           "cid": client, "ul": "en-us", "sr": "1920x1080", "_s": "1",
                           "dl": f"https://{SITE}{path}", "dt": "Clickstat", "en": "page_view"})  # fmt: skip
        entries.append(_entry(step(0.4), "POST", f"https://region1.google-analytics.com/g/collect?{query}", path,
                              mime="text/plain", pageref=page_id))  # fmt: skip
        entries.append(_entry(step(), "GET", f"https://{SITE}/api/pricing?currency=usd", path,
                              mime="application/json", pageref=page_id, cookies=[ga_cookie]))  # fmt: skip
        if path == "/trial":  # the trial form posts to the site itself (first party)
            local = rng.choice(_NAMES)
            form = {"contact_name": local.replace(".", " ").title(), "work_email": f"{local}@{rng.choice(_DOMAINS)}",
                    "company": "Northwind Traders"}  # fmt: skip
            entries.append(_entry(step(3), "POST", f"https://{SITE}/api/trial", path, mime="application/json",
                                  pageref=page_id, cookies=[ga_cookie],
                                  post={"mimeType": "application/json", "text": json.dumps(form)}))  # fmt: skip
    return {"log": {"version": "1.2", "creator": {"name": "Firefox", "version": "133.0"},
                    "browser": {"name": "Firefox", "version": "133.0"}, "pages": pages, "entries": entries}}  # fmt: skip


def _egress_line(moment: datetime, client: str, url: str, kind: tuple[str, int, str, str, str]) -> str:
    """A Squid native-format line; ``kind`` is (action, size, method, peer, content type)."""
    action, size, method, peer, mime = kind
    return f"{moment.timestamp():.3f} {20 + size % 400:6d} {client} {action} {size} {method} {url} - {peer} {mime}"


_MAIL_LOOKUP = ("TCP_MISS/200", 812, "GET", "HIER_DIRECT/192.0.2.40", "application/json")
_MAIL_SEND = ("TCP_MISS/202", 331, "POST", "HIER_DIRECT/192.0.2.40", "application/json")
_BACKUP = ("TCP_MISS/200", 1840, "PUT", "HIER_DIRECT/198.51.100.7", "-")
_PAYMENT = ("TCP_MISS/200", 2210, "POST", "HIER_DIRECT/198.51.100.20", "application/json")
_TUNNEL = ("TCP_TUNNEL/200", 5120, "CONNECT", "HIER_DIRECT/198.51.100.30", "-")
_MIRROR = ("TCP_HIT/200", 9300, "GET", "HIER_NONE/-", "text/html")
_PIXEL = ("TCP_MISS/200", 44, "GET", "HIER_DIRECT/157.240.1.35", "image/gif")


def _egress_lines(rng: random.Random) -> list[str]:
    lines = []
    clients = ("10.20.0.11", "10.20.0.12", "10.20.0.13")
    for index in range(240):
        moment = _BASE + timedelta(seconds=index * 330 + rng.randint(0, 300))
        client = rng.choice(clients)
        email = f"{rng.choice(_NAMES)}{rng.randint(1, 99)}@{rng.choice(_DOMAINS)}"
        kind = index % 8
        if kind == 0:  # declared: the mail provider gets e-mail addresses (suppression list look-ups)
            line = (f"https://api.mailrelay.example/v1/suppressions?email={quote(email)}", _MAIL_LOOKUP)
        elif kind == 1:
            line = ("https://api.mailrelay.example/v1/messages", _MAIL_SEND)
        elif kind == 2:  # backups: nothing personal in the URL
            key = f"backups/app-db/{moment:%Y-%m-%d}/{rng.getrandbits(40):010x}.sql.gz"
            line = (f"https://storage.stratus-cloud.example/clickstat-backups/{key}", _BACKUP)
        elif kind == 3:  # payments: a vendor receiving nothing personal in what the proxy sees
            line = ("https://api.stripe.com/v1/payment_intents", _PAYMENT)
        elif kind == 4:
            line = ("api.sendgrid.com:443", _TUNNEL)
        elif kind == 5:  # package mirror: unknown host, nothing personal
            line = (f"https://pypi.mirror.example/simple/requests/?v={rng.randint(1, 9)}", _MIRROR)
        else:  # the undeclared flow: a server-side conversion tag sends hashed e-mails to the Meta Pixel
            digest = hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()
            query = urlencode({"id": PIXEL_ID, "ev": "Lead", "dl": f"https://{SITE}/trial", "ud[em]": digest,
                               "noscript": "1"})  # fmt: skip
            line = (f"https://www.facebook.com/tr/?{query}", _PIXEL)
        lines.append(_egress_line(moment, client, *line))
    return lines


def write_demo_flows(root: Path, seed: int) -> tuple[Path, Path]:
    """Write the HAR export and the egress log under ``root / "flows"``; return their paths."""
    rng = random.Random(seed + 15)  # its own stream: the demo's other files stay as they were
    folder = root / "flows"
    (folder / "egress").mkdir(parents=True, exist_ok=True)
    har_path = folder / "marketing-site.har"
    har_path.write_text(json.dumps(_har(rng), indent=1) + "\n", encoding="utf-8")
    log_path = folder / "egress" / "proxy.log"
    log_path.write_text("\n".join(_egress_lines(rng)) + "\n", encoding="utf-8")
    return har_path, log_path
