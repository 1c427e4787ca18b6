"""A shop with one planted person, for the ``piimap locate`` tests, loadable into any SQL dialect.

Jane Doe (``jane.doe@example.com``, phone ``+1 415-555-0134``, device ``JANE_DEVICE``) has a
customer row, two invoices with three invoice lines, a newsletter subscription written
``Jane.Doe@Example.com``, events on her device, and events recorded under her customer id. Around
her: ``jane.doe2@example.com`` (another customer with invoices and events), a namesake "Jane Doe"
with another address, and sixty ordinary customers so the scan classifies every column.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

JANE_EMAIL = "jane.doe@example.com"
JANE_PHONE = "+1 415-555-0134"
JANE_DEVICE = "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b"
OTHER_EMAIL = "jane.doe2@example.com"
OTHER_DEVICE = "0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3"
NAMESAKE_EMAIL = "jane.d@example.org"
HMAC_KEY = "locate-tests-key-0123456789"

_FIRST = ("Olivia", "Liam", "Emma", "Noah", "Amelia", "Oliver", "Sophia", "Elijah", "Mia", "James", "Lucas")
_LAST = ("Smith", "Johnson", "Garcia", "Miller", "Davis", "Martinez", "Lopez", "Wilson", "Moore", "Taylor")


@dataclass(frozen=True)
class PlantedShop:
    jane_id: int
    other_id: int
    namesake_id: int
    jane_invoices: tuple[int, ...]
    jane_lines: tuple[int, ...]
    jane_device_events: tuple[int, ...]
    jane_customer_events: tuple[int, ...]
    jane_newsletter: int
    other_newsletter: int


def load_planted_shop(url: str, *, index_email: bool = True) -> PlantedShop:
    """Create the tables (foreign keys from invoices and invoice lines; events and the newsletter
    without any) and the rows described in the module docstring."""
    import sqlalchemy as sa

    rng = random.Random(18)
    metadata = sa.MetaData()
    customers = sa.Table(
        "customers",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("full_name", sa.String(120)),
        sa.Column("email", sa.String(200), index=index_email),
        sa.Column("phone", sa.String(40)),
    )
    invoices = sa.Table(
        "invoices",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("total", sa.Numeric(10, 2)),
    )
    lines = sa.Table(
        "invoice_lines",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("invoice_id", sa.Integer, sa.ForeignKey("invoices.id"), nullable=False),
        sa.Column("product", sa.String(60)),
    )
    newsletter = sa.Table(
        "newsletter",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("subscriber_email", sa.String(200)),
        sa.Column("topic", sa.String(40)),
    )
    events = sa.Table(
        "events",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("device_id", sa.String(64)),
        sa.Column("customer_id", sa.Integer),
        sa.Column("page", sa.String(60)),
    )
    people = [(1, "Jane Doe", JANE_EMAIL, JANE_PHONE), (2, "Janet Dorsey", OTHER_EMAIL, "+1 415-555-0199")]
    people.append((3, "Jane Doe", NAMESAKE_EMAIL, "+1 212-555-0148"))
    for number in range(4, 64):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        people.append(
            (
                number,
                f"{first} {last}",
                f"{first.lower()}.{last.lower()}{number}@example.net",
                f"+1 312-555-01{number % 100:02d}",
            )
        )
    invoice_rows = [(10, 1, 20), (11, 1, 35), (12, 2, 50), (13, 3, 12)] + [
        (100 + n, n, 9) for n in range(4, 64)
    ]
    line_rows = [(1000, 10, "Heatmaps"), (1001, 10, "Funnels"), (1002, 11, "Heatmaps"), (1003, 12, "Funnels")]
    line_rows += [(2000 + n, 100 + n, "Dashboards") for n in range(4, 64)]
    newsletter_rows = [(1, "Jane.Doe@Example.com", "product"), (2, OTHER_EMAIL, "product")]
    newsletter_rows += [(10 + n, f"reader{n}@example.com", "news") for n in range(40)]
    device_rows = [(1, JANE_DEVICE, None, "/"), (2, JANE_DEVICE, None, "/pricing"), (3, OTHER_DEVICE, 2, "/")]
    device_rows += [(4, None, 1, "/signup"), (5, None, 1, "/account")]
    device_rows += [(10 + n, str(_uuid(rng)), None, "/") for n in range(40)]
    engine = sa.create_engine(url)
    try:
        metadata.create_all(engine)
        with engine.begin() as connection:
            connection.execute(
                customers.insert(), [dict(zip(("id", "full_name", "email", "phone"), row)) for row in people]
            )
            connection.execute(
                invoices.insert(), [dict(zip(("id", "customer_id", "total"), row)) for row in invoice_rows]
            )
            connection.execute(
                lines.insert(), [dict(zip(("id", "invoice_id", "product"), row)) for row in line_rows]
            )
            connection.execute(
                newsletter.insert(),
                [dict(zip(("id", "subscriber_email", "topic"), row)) for row in newsletter_rows],
            )
            connection.execute(
                events.insert(),
                [dict(zip(("id", "device_id", "customer_id", "page"), row)) for row in device_rows],
            )
    finally:
        engine.dispose()
    return PlantedShop(
        jane_id=1,
        other_id=2,
        namesake_id=3,
        jane_invoices=(10, 11),
        jane_lines=(1000, 1001, 1002),
        jane_device_events=(1, 2),
        jane_customer_events=(4, 5),
        jane_newsletter=1,
        other_newsletter=2,
    )


def _uuid(rng: random.Random) -> str:
    import uuid

    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def write_config(directory: Path, sources: dict[str, object], *, datamap: str | None = None) -> Path:
    """A ``piimap.yaml`` with these sources (name -> URL or {url, options}) and its own store."""
    import yaml

    config = {
        "sources": sources,
        "store": f"sqlite:///{directory / 'history.sqlite'}",
        "settings": {"sample_size": 0},
    }
    if datamap is not None:
        (directory / "datamap.yaml").write_text(datamap, encoding="utf-8")
        config["datamap"] = "datamap.yaml"
    path = directory / "piimap.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def run_locate(capsys, *arguments: str) -> tuple[int, dict]:
    """``piimap locate ... --format json``: the exit code and the parsed report."""
    from piimap.cli import main

    code = main(["locate", *arguments, "--format", "json", "-q"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out.strip() else {"stderr": captured.err}


def keys_in(report: dict, container_suffix: str, *, related: bool | None = None) -> set[str]:
    """Row keys matched in containers whose name ends with ``container_suffix``."""
    return {
        match["row_key"]
        for match in report["matches"]
        if match["container"].endswith(container_suffix)
        and (related is None or (match["related_via"] is not None) == related)
    }
