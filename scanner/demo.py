"""The demo company, Clickstat Inc.: a web-analytics vendor modelled on ``example-privacy-policy.txt``.

:func:`build_demo` writes, deterministically (same seed, same bytes), everything ``piimap demo``
needs in one folder:

- ``app.db``: the SQLite application database (accounts, trial requests, analytics events, and
  tables with no personal data: plans, pages, invoices);
- ``logs/``: nginx access logs in the combined format plus the ``Cookie`` header, rotated
  (``access.log``, ``.1``, ``.2.gz``); some query strings carry e-mail addresses and, the
  deliberate gap, phone numbers;
- ``events/``: click events as JSON Lines, one file per day, with IPs, ``_ga`` cookie ids and
  advertising ids;
- ``flows/``: a HAR export of the marketing site and the application servers' egress proxy log
  (:mod:`piimap.demo_flows`), whose Meta Pixel calls carrying hashed e-mail addresses are a flow
  the data map does not declare;
- ``datamap.yaml``: what the company declares, and ``privacy-policy.txt``: its privacy policy's
  text (the example web-analytics policy), which ``piimap check`` reads directly;
- ``piimap.yaml``: the config tying them together, so ``piimap check --config DIR/piimap.yaml``
  reruns the whole job.

All people, e-mail domains and phone numbers are invented (``example.*`` domains, ``555-01xx``
numbers in North America, random but well-formed numbers elsewhere).
"""

from __future__ import annotations

import gzip
import json
import random
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from piimap.demo_flows import write_demo_flows

__all__ = ["DemoLayout", "build_demo", "DEMO_SEED"]

DEMO_SEED = 20201014  # the example policy's "last updated" date

_FIRST_NAMES = (
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Amelia",
    "Oliver",
    "Sophia",
    "Elijah",
    "Mia",
    "James",
    "Harper",
    "Lucas",
    "Evelyn",
    "Mateo",
    "Chloe",
    "Hiroshi",
    "Priya",
    "Aarav",
    "Fatima",
    "Lena",
    "Jonas",
    "Camille",
    "Mathieu",
    "Beatriz",
    "Joao",
    "Siobhan",
    "Aleksander",
    "Ingrid",
    "Tomasz",
    "Yuki",
    "Ananya",
    "Diego",
)
_LAST_NAMES = (
    "Smith",
    "Johnson",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Tanaka",
    "Sharma",
    "Patel",
    "Schneider",
    "Fischer",
    "Dubois",
    "Moreau",
    "Silva",
    "Santos",
    "O'Brien",
    "Kowalski",
    "Nakamura",
    "Iyer",
    "Fernandez",
)
_COMPANIES = (
    "Northwind Traders",
    "Blue Harbor Media",
    "Acme Retail Group",
    "Globex Analytics",
    "Initech Software",
    "Umbrella Outfitters",
    "Stark Logistics",
    "Wayne Publishing",
    "Tyrell Health",
    "Soylent Foods",
    "Cyberdyne Travel",
    "Hooli Education",
)
_ROLES = ("Marketing Manager", "Data Analyst", "CTO", "Growth Lead", "Product Owner", "Web Developer", "CEO")
_DOMAINS = ("example.com", "example.org", "example.net", "mail.example.com")
_PAGES = (
    ("/", "Home"),
    ("/pricing", "Pricing"),
    ("/features", "Features"),
    ("/blog/heatmaps-101", "Heatmaps 101"),
    ("/blog/funnel-analysis", "Funnel analysis"),
    ("/docs/getting-started", "Getting started"),
    ("/trial", "Start a trial"),
    ("/contact", "Contact sales"),
    ("/careers", "Careers"),
)
_PLANS = (("Starter", 29.0), ("Growth", 99.0), ("Business", 299.0), ("Enterprise", 999.0))
_USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
)
_REFERRERS = ("-", "https://www.google.com/", "https://www.bing.com/", "https://news.example.org/analytics")
# (country calling code, national-number template, region): valid-format fictional numbers
_PHONE_PLANS = (
    ("1", "{area}55501{d2}", "US"),  # NANP 555-01xx range reserved for fiction
    ("44", "74{d8}", "GB"),
    ("49", "30{d8}", "DE"),
    ("33", "6{d8}", "FR"),
)
_US_AREAS = ("201", "212", "312", "415", "503", "617", "702", "808")
_BASE_TIME = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class DemoLayout:
    """Where :func:`build_demo` put things."""

    root: Path
    config: Path
    database: Path
    logs: Path
    events: Path
    datamap: Path
    policy: Path
    report_html: Path
    report_json: Path


class _People:
    """Deterministic, realistic-looking fictional people."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def name(self) -> tuple[str, str]:
        return self.rng.choice(_FIRST_NAMES), self.rng.choice(_LAST_NAMES)

    def email(self, first: str, last: str) -> str:
        local = f"{first}.{last}".lower().replace("'", "")
        if self.rng.random() < 0.3:
            local = f"{first[0]}{last}{self.rng.randint(1, 99)}".lower().replace("'", "")
        return f"{local}@{self.rng.choice(_DOMAINS)}"

    def phone(self, international: bool = True) -> str:
        code, template, region = self.rng.choice(_PHONE_PLANS)
        number = template.format(
            area=self.rng.choice(_US_AREAS),
            d2=f"{self.rng.randint(0, 99):02d}",
            d8=f"{self.rng.randint(0, 99_999_999):08d}",
        )
        if code == "1" and not international:
            return f"({number[:3]}) {number[3:6]}-{number[6:]}"
        if code == "1":
            return f"+1 {number[:3]}-{number[3:6]}-{number[6:]}"
        return f"+{code} {number}"

    def ip(self) -> str:
        # Public-looking addresses from the documentation ranges and a few realistic blocks.
        block = self.rng.choice(("203.0.113", "198.51.100", "192.0.2", "81.2.69", "89.160.20", "2001:db8"))
        if block.startswith("2001"):
            return f"2001:db8:{self.rng.randint(0, 0xFFFF):x}::{self.rng.randint(1, 0xFFFF):x}"
        return f"{block}.{self.rng.randint(1, 254)}"

    def ga_client_id(self) -> str:
        return f"GA1.2.{self.rng.randint(100_000_000, 2_147_483_647)}.{self.rng.randint(1_600_000_000, 1_790_000_000)}"

    def advertising_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4)).upper()

    def when(self, days: int = 7) -> datetime:
        return _BASE_TIME + timedelta(seconds=self.rng.randint(0, days * 86_400))


def build_demo(directory: str | Path, seed: int = DEMO_SEED) -> DemoLayout:
    """Write the demo company's data, declarations and config into ``directory``; return the layout."""
    root = Path(directory).resolve()
    root.mkdir(parents=True, exist_ok=True)
    layout = DemoLayout(
        root=root,
        config=root / "piimap.yaml",
        database=root / "app.db",
        logs=root / "logs",
        events=root / "events",
        datamap=root / "datamap.yaml",
        policy=root / "privacy-policy.txt",
        report_html=root / "report.html",
        report_json=root / "report.json",
    )
    rng = random.Random(seed)
    people = _People(rng)
    _write_database(layout.database, people)
    _write_access_logs(layout.logs, people)
    _write_click_events(layout.events, people)
    write_demo_flows(root, seed)
    for name in ("datamap.yaml", "privacy-policy.txt"):
        text = resources.files("piimap").joinpath("demo_assets", name).read_text(encoding="utf-8")
        (root / name).write_text(text, encoding="utf-8")
    layout.config.write_text(_CONFIG, encoding="utf-8")
    return layout


_CONFIG = """\
# piimap config for the Clickstat Inc. demo (written by `piimap demo`).
# Rerun the whole job with:  piimap check --config piimap.yaml
sources:
  app_db:
    url: sqlite:///app.db
  web_logs:
    url: logs/
  click_events:
    url: events/
flows:                       # observed requests: what actually leaves (see docs/configuration.md)
  marketing_site:            # a HAR export of the marketing site, as a browser saw it
    url: flows/marketing-site.har
  app_egress:                # the application servers' egress proxy (Squid) log
    url: flows/egress/
    system: app_db
    first_party: [clickstat.example]
settings:
  sample_size: 500
  default_region: US
datamap: datamap.yaml
policy: privacy-policy.txt   # the policy text itself; `piimap policy extract` shows what is read from it
store: sqlite:///history.sqlite
reports:
  - format: html
    path: report.html
  - format: json
    path: report.json
"""


def _write_database(path: Path, people: _People) -> None:
    if path.exists():
        path.unlink()
    connection = sqlite3.connect(path)
    try:
        _fill_database(connection, people)
        connection.commit()
    finally:
        connection.close()


def _fill_database(db: sqlite3.Connection, people: _People) -> None:
    rng = people.rng
    db.executescript(
        """
        CREATE TABLE plans (id INTEGER PRIMARY KEY, name TEXT NOT NULL, monthly_price REAL NOT NULL);
        CREATE TABLE pages (id INTEGER PRIMARY KEY, path TEXT NOT NULL, title TEXT NOT NULL);
        CREATE TABLE accounts (
            id INTEGER PRIMARY KEY, first_name TEXT, last_name TEXT, email TEXT, phone TEXT,
            organisation TEXT, role TEXT, plan_id INTEGER REFERENCES plans(id), created_at TEXT);
        CREATE TABLE trial_requests (
            id INTEGER PRIMARY KEY, contact_name TEXT, work_email TEXT, company TEXT, phone TEXT,
            message TEXT, requested_at TEXT);
        CREATE TABLE events (
            id INTEGER PRIMARY KEY, account_id INTEGER REFERENCES accounts(id), ip_address TEXT,
            device_id TEXT, ga_client_id TEXT, page TEXT, occurred_at TEXT);
        CREATE TABLE invoices (
            invoice_id TEXT PRIMARY KEY, account_id INTEGER REFERENCES accounts(id), amount REAL,
            currency TEXT, issued_at TEXT, status TEXT);
        """
    )
    db.executemany("INSERT INTO plans (name, monthly_price) VALUES (?, ?)", _PLANS)
    db.executemany("INSERT INTO pages (path, title) VALUES (?, ?)", _PAGES)
    accounts = []
    for _ in range(240):
        first, last = people.name()
        accounts.append(
            (
                first,
                last,
                people.email(first, last),
                people.phone(international=rng.random() < 0.7),
                rng.choice(_COMPANIES),
                rng.choice(_ROLES),
                rng.randint(1, len(_PLANS)),
                people.when(365).isoformat(timespec="seconds"),
            )
        )
    db.executemany(
        "INSERT INTO accounts (first_name, last_name, email, phone, organisation, role, plan_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        accounts,
    )
    trials = []
    for _ in range(80):
        first, last = people.name()
        trials.append(
            (
                f"{first} {last}",
                people.email(first, last),
                rng.choice(_COMPANIES),
                people.phone(),
                rng.choice(("Interested in heatmaps", "Please call me back", "Pricing for 10 sites?", "")),
                people.when(60).isoformat(timespec="seconds"),
            )
        )
    db.executemany(
        "INSERT INTO trial_requests (contact_name, work_email, company, phone, message, requested_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        trials,
    )
    events = [
        (
            rng.randint(1, len(accounts)),
            people.ip(),
            people.advertising_id(),
            people.ga_client_id(),
            rng.choice(_PAGES)[0],
            people.when().isoformat(timespec="seconds"),
        )
        for _ in range(1500)
    ]
    db.executemany(
        "INSERT INTO events (account_id, ip_address, device_id, ga_client_id, page, occurred_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        events,
    )
    invoices = [
        (
            str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            rng.randint(1, len(accounts)),
            rng.choice(_PLANS)[1],
            "USD",
            people.when(365).date().isoformat(),
            rng.choice(("paid", "open", "void")),
        )
        for _ in range(400)
    ]
    db.executemany(
        "INSERT INTO invoices (invoice_id, account_id, amount, currency, issued_at, status) VALUES (?, ?, ?, ?, ?, ?)",
        invoices,
    )
    _fill_account_owners(db, len(accounts))


#: (country, city, postal code template, street line template) of the account owners' billing addresses
_ADDRESS_PLANS = (
    ("United States", "Portland", "972{d2}", "{number} {street} Street"),
    ("United States", "Austin", "787{d2}", "{number} {street} Avenue"),
    ("United Kingdom", "Manchester", "M{d1} {d1}AB", "{number} {street} Road"),
    ("Germany", "Berlin", "10{d3}", "{street}straße {number}"),
    ("France", "Lyon", "6900{d1}", "{number} rue {street}"),
    ("Netherlands", "Utrecht", "35{d2} KL", "{street}straat {number}"),
)
_STREET_NAMES = ("Maple", "Linden", "Oak", "Victoria", "Garibaldi", "Beethoven", "Lincoln", "Rosen", "Vondel")


def _fill_account_owners(db: sqlite3.Connection, accounts: int) -> None:
    """Billing addresses and dates of birth of the account owners (identity checks for invoicing).

    Drawn from a generator of its own, so the other tables, logs and events stay as they were."""
    rng = random.Random(DEMO_SEED + 13)
    db.execute(
        "CREATE TABLE account_owners (account_id INTEGER PRIMARY KEY REFERENCES accounts(id), date_of_birth TEXT, "
        "billing_street TEXT, billing_postal_code TEXT, billing_city TEXT, billing_country TEXT)"
    )
    rows = []
    for account_id in range(1, accounts + 1):
        country, city, postal, street = rng.choice(_ADDRESS_PLANS)
        digits = {f"d{size}": f"{rng.randint(0, 10**size - 1):0{size}d}" for size in (1, 2, 3)}
        born = datetime(1950, 1, 1) + timedelta(days=rng.randint(0, 365 * 52))
        rows.append(
            (
                account_id,
                born.date().isoformat(),
                street.format(number=rng.randint(1, 240), street=rng.choice(_STREET_NAMES)),
                postal.format(**digits),
                city,
                country,
            )
        )
    db.executemany(
        "INSERT INTO account_owners (account_id, date_of_birth, billing_street, billing_postal_code, billing_city, "
        "billing_country) VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )


def _access_line(people: _People, moment: datetime) -> str:
    rng = people.rng
    path, _ = rng.choice(_PAGES)
    roll = rng.random()
    if roll < 0.08:
        first, last = people.name()
        path = f"/trial?email={quote(people.email(first, last), safe='')}&utm_source=newsletter"
    elif roll < 0.12:
        # The deliberate gap: a phone-verification endpoint logs numbers in its query string.
        path = f"/api/verify-phone?phone={quote(people.phone(), safe='')}&step=2"
    elif roll < 0.3:
        path = f"{path}?utm_source={rng.choice(('google', 'newsletter', 'twitter'))}&utm_medium=cpc"
    status = rng.choice((200, 200, 200, 200, 301, 304, 404))
    size = rng.randint(200, 48_000)
    stamp = moment.strftime("%d/%b/%Y:%H:%M:%S +0000")
    agent = rng.choice(_USER_AGENTS)
    referrer = rng.choice(_REFERRERS)
    # log_format combined_cookies '... "$http_user_agent" "$http_cookie"': the _ga cookie is logged too
    cookie = (
        f"_ga={people.ga_client_id()}; _gid=GA1.2.{rng.randint(10**8, 10**9)}" if rng.random() < 0.85 else "-"
    )
    return (
        f'{people.ip()} - - [{stamp}] "GET {path} HTTP/1.1" {status} {size} "{referrer}" "{agent}" "{cookie}"'
    )


def _write_access_logs(directory: Path, people: _People) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("access.log*"):
        stale.unlink()
    # Oldest first: access.log.2.gz, access.log.1, access.log (today).
    for index, name in enumerate(("access.log.2.gz", "access.log.1", "access.log")):
        start = _BASE_TIME + timedelta(days=index)
        moments = sorted(start + timedelta(seconds=people.rng.randint(0, 86_399)) for _ in range(1200))
        text = "\n".join(_access_line(people, moment) for moment in moments) + "\n"
        target = directory / name
        if name.endswith(".gz"):
            with gzip.GzipFile(target, "wb", mtime=0) as stream:
                stream.write(text.encode("utf-8"))
        else:
            target.write_text(text, encoding="utf-8")


def _write_click_events(directory: Path, people: _People) -> None:
    rng = people.rng
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("clicks-*.jsonl"):
        stale.unlink()
    visitors = [
        {
            "ip": people.ip(),
            "ga": people.ga_client_id(),
            "adid": people.advertising_id(),
            "ua": rng.choice(_USER_AGENTS),
        }
        for _ in range(300)
    ]
    for day in range(3):
        date = (_BASE_TIME + timedelta(days=day)).date().isoformat()
        lines = []
        for _ in range(800):
            visitor = rng.choice(visitors)
            moment = _BASE_TIME + timedelta(days=day, seconds=rng.randint(0, 86_399))
            event = {
                "event_id": f"evt_{rng.getrandbits(48):012x}",
                "type": rng.choice(("page_view", "click", "scroll", "form_start")),
                "timestamp": moment.isoformat(timespec="seconds"),
                "page": {"path": rng.choice(_PAGES)[0], "referrer": rng.choice(_REFERRERS)},
                "visitor": {
                    "ip": visitor["ip"],
                    "cookies": {"_ga": visitor["ga"]},
                    "advertising_id": visitor["adid"],
                    "user_agent": visitor["ua"],
                },
                "viewport": {
                    "width": rng.choice((390, 1280, 1440, 1920)),
                    "height": rng.choice((844, 800, 900, 1080)),
                },
            }
            lines.append(json.dumps(event, sort_keys=True))
        (directory / f"clicks-{date}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
