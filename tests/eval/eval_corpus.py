"""The evaluation corpus: labelled columns of seeded Faker values and hard negatives.

Every column is (container, field name, values, expected category or ``None``). Positives cover
the six core categories in the locales en_US, en_GB, de_DE, fr_FR, ja_JP, pt_BR and en_IN, under
informative names (``email``, ``last_name``) and uninformative ones (``c17``). Hard negatives are
values that look like personal data to a naive matcher: dates, prices, order numbers, order-id
UUIDs, SKUs, unix timestamps, account numbers, version strings, hashes, span ids, URLs, company and
city names, product titles, lorem text and status words, also under both kinds of names.

Deterministic: every generator is seeded, so the corpus is the same on every run and machine.
Used by ``tests/test_evaluation.py`` (thresholds) and ``bench/bench_classifiers.py`` (figures).
"""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["CATEGORIES", "EvalColumn", "LOCALES", "REGIONS", "build_corpus"]

#: the core categories the corpus labels, in report order
CATEGORIES = (
    "user.name",
    "user.contact.email",
    "user.contact.phone_number",
    "user.device.ip_address",
    "user.device.device_id",
    "user.device.cookie_id",
)
LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "ja_JP", "pt_BR", "en_IN")
REGIONS = {
    "en_US": "US",
    "en_GB": "GB",
    "de_DE": "DE",
    "fr_FR": "FR",
    "ja_JP": "JP",
    "pt_BR": "BR",
    "en_IN": "IN",
}
VALUES_PER_COLUMN = 60


@dataclass(frozen=True)
class EvalColumn:
    """One labelled column; ``category`` is the category it holds, ``None`` for a hard negative."""

    container: str
    field: str
    values: tuple[str, ...]
    category: str | None
    locale: str = ""
    kind: str = ""


def _luhn_complete(body: str) -> str:
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return body + str((10 - total % 10) % 10)


def _phones(fake, region: str, rng: random.Random, international: bool, n: int) -> list[str]:
    import phonenumbers

    values: list[str] = []
    attempts = 0
    while len(values) < n and attempts < 100 * n:
        attempts += 1
        raw = fake.phone_number()
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_valid_number(number):
            continue
        style = rng.choice(
            (phonenumbers.PhoneNumberFormat.INTERNATIONAL, phonenumbers.PhoneNumberFormat.E164)
            if international
            else (phonenumbers.PhoneNumberFormat.NATIONAL,)
        )
        values.append(phonenumbers.format_number(number, style))
    return values


def _columns_for_locale(locale: str, n: int) -> Iterator[EvalColumn]:
    from faker import Faker

    seed = sum(map(ord, locale))
    fake = Faker(locale)
    fake.seed_instance(seed)
    rng = random.Random(seed)
    tag = locale.lower()

    def col(container: str, field: str, values, category: str | None, kind: str) -> EvalColumn:
        return EvalColumn(f"{tag}.{container}", field, tuple(values), category, locale, kind)

    email, phone, ip = "user.contact.email", "user.contact.phone_number", "user.device.ip_address"
    device, cookie, name = "user.device.device_id", "user.device.cookie_id", "user.name"

    # --- positives: informative names ------------------------------------------------------
    yield col("customers", "email", [fake.email() for _ in range(n)], email, "email")
    yield col("customers", "phone", _phones(fake, REGIONS[locale], rng, True, n), phone, "phone intl")
    yield col("customers", "first_name", [fake.first_name() for _ in range(n)], name, "first names")
    yield col("customers", "last_name", [fake.last_name() for _ in range(n)], name, "surnames")
    yield col("customers", "name", [fake.name() for _ in range(n)], name, "full names")
    yield col("contacts", "contact_name", [fake.name().upper() for _ in range(n)], name, "full names caps")
    yield col("staff", "full_name", [fake.name().lower() for _ in range(n)], name, "full names lower")
    yield col("sessions", "ip_address", [fake.ipv4() for _ in range(n)], ip, "ipv4")
    yield col("sessions", "client_ip", [fake.ipv6() for _ in range(n)], ip, "ipv6")
    yield col(
        "devices",
        "idfa",
        [str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper() for _ in range(n)],
        device,
        "idfa",
    )
    yield col(
        "devices",
        "gaid",
        [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(n)],
        device,
        "gaid",
    )
    yield col(
        "devices", "android_id", [f"{rng.getrandbits(64):016x}" for _ in range(n)], device, "android id"
    )
    yield col(
        "devices",
        "imei",
        [
            _luhn_complete(rng.choice(("35", "86", "01", "99")) + f"{rng.getrandbits(40):012d}"[:12])
            for _ in range(n)
        ],
        device,
        "imei",
    )
    yield col("devices", "mac_address", [fake.mac_address() for _ in range(n)], device, "mac")
    yield col(
        "web",
        "_ga",
        [
            f"GA1.2.{rng.randint(10**8, 2 * 10**9)}.{rng.randint(1_500_000_000, 1_750_000_000)}"
            for _ in range(n)
        ],
        cookie,
        "ga cookie",
    )
    yield col(
        "web",
        "ga_client_id",
        [f"{rng.randint(10**8, 2 * 10**9)}.{rng.randint(1_500_000_000, 1_750_000_000)}" for _ in range(n)],
        cookie,
        "ga client id",
    )
    yield col(
        "web",
        "session_id",
        [fake.pystr(min_chars=24, max_chars=32) + str(rng.randint(0, 999)) for _ in range(n)],
        cookie,
        "session token",
    )
    yield col(
        "web",
        "visitor_id",
        [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(n)],
        cookie,
        "visitor uuid",
    )

    # --- positives: uninformative names --------------------------------------------------------
    yield col("import", "c1", [fake.free_email() for _ in range(n)], email, "email")
    yield col("import", "c2", _phones(fake, REGIONS[locale], rng, True, n), phone, "phone intl")
    yield col("import", "c3", [fake.name() for _ in range(n)], name, "full names")
    yield col("import", "c4", [fake.ipv4_public() for _ in range(n)], ip, "ipv4")
    yield col("import", "c5", [fake.mac_address() for _ in range(n)], device, "mac")
    yield col(
        "import",
        "c6",
        [
            f"GA1.2.{rng.randint(10**8, 2 * 10**9)}.{rng.randint(1_500_000_000, 1_750_000_000)}"
            for _ in range(n)
        ],
        cookie,
        "ga cookie",
    )

    # --- hard negatives --------------------------------------------------------------------------
    yield col("orders", "order_date", [fake.date() for _ in range(n)], None, "dates")
    yield col("orders", "c7", [fake.date_time().isoformat() for _ in range(n)], None, "datetimes")
    yield col("orders", "price", [f"{rng.uniform(1, 2000):.2f}" for _ in range(n)], None, "prices")
    yield col("orders", "c8", [f"{rng.uniform(1, 99999):,.2f}" for _ in range(n)], None, "prices")
    start = rng.randint(10**10, 9 * 10**10)
    yield col("orders", "order_number", [str(start + i) for i in range(n)], None, "order numbers")
    yield col(
        "orders",
        "c9",
        [f"ORD-{rng.randint(2019, 2025)}-{rng.randint(0, 999999):06d}" for _ in range(n)],
        None,
        "order refs",
    )
    yield col(
        "orders",
        "order_id",
        [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(n)],
        None,
        "order uuids",
    )
    yield col(
        "orders",
        "c10",
        [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(n)],
        None,
        "uuids",
    )
    yield col("orders", "sku", [fake.bothify("??-####-??").upper() for _ in range(n)], None, "skus")
    yield col("orders", "c11", [str(fake.ean13()) for _ in range(n)], None, "ean13")
    yield col(
        "events",
        "created_at",
        [str(rng.randint(1_500_000_000, 1_750_000_000)) for _ in range(n)],
        None,
        "epoch seconds",
    )
    yield col(
        "events",
        "c12",
        [str(rng.randint(1_500_000_000_000, 1_750_000_000_000)) for _ in range(n)],
        None,
        "epoch millis",
    )
    yield col(
        "billing", "account_number", [str(rng.randint(10**9, 10**12)) for _ in range(n)], None, "accounts"
    )
    yield col("billing", "c13", [fake.bban() for _ in range(n)], None, "bban")
    yield col(
        "builds",
        "app_version",
        [
            f"{rng.randint(1, 12)}.{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 99)}"
            for _ in range(n)
        ],
        None,
        "versions",
    )
    yield col(
        "builds",
        "c14",
        [f"10.0.{rng.randint(10000, 22631)}.{rng.randint(1, 3000)}" for _ in range(n)],
        None,
        "windows builds",
    )
    yield col(
        "builds",
        "c15",
        [
            f"{rng.randint(1, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}-rc{rng.randint(1, 5)}"
            for _ in range(n)
        ],
        None,
        "prerelease versions",
    )
    yield col(
        "snmp",
        "c16",
        [f"1.3.6.1.4.1.{rng.randint(1, 60000)}.{rng.randint(1, 99)}" for _ in range(n)],
        None,
        "oids",
    )
    yield col(
        "files",
        "checksum",
        [hashlib.sha256(str(rng.random()).encode()).hexdigest() for _ in range(n)],
        None,
        "sha256",
    )
    yield col(
        "files", "c17", [hashlib.md5(str(rng.random()).encode()).hexdigest() for _ in range(n)], None, "md5"
    )
    yield col("traces", "span_id", [f"{rng.getrandbits(64):016x}" for _ in range(n)], None, "span ids")
    yield col("traces", "c18", [f"{rng.getrandbits(64):016x}" for _ in range(n)], None, "span ids")
    yield col("traces", "trace_id", [f"{rng.getrandbits(128):032x}" for _ in range(n)], None, "trace ids")
    yield col("web", "url", [fake.url() + fake.uri_path() for _ in range(n)], None, "urls")
    yield col("web", "c19", [fake.uri() for _ in range(n)], None, "urls")
    yield col("accounts", "company", [fake.company() for _ in range(n)], None, "companies")
    yield col("accounts", "c20", [fake.company() for _ in range(n)], None, "companies")
    yield col("geo", "city", [fake.city() for _ in range(n)], None, "cities")
    yield col("geo", "c21", [fake.city() for _ in range(n)], None, "cities")
    yield col("geo", "street", [fake.street_name() for _ in range(n)], None, "streets")
    yield col("products", "product_name", [fake.catch_phrase() for _ in range(n)], None, "product titles")
    yield col("products", "name", [fake.bs().title() for _ in range(n)], None, "product names")
    yield col("products", "c22", [fake.catch_phrase() for _ in range(n)], None, "product titles")
    yield col("products", "description", [fake.sentence() for _ in range(n)], None, "lorem")
    yield col("products", "c23", [fake.paragraph() for _ in range(n)], None, "lorem")
    yield col(
        "orders",
        "status",
        [rng.choice(("active", "pending", "shipped", "cancelled", "Refunded", "NEW")) for _ in range(n)],
        None,
        "status words",
    )
    yield col(
        "orders",
        "c24",
        [rng.choice(("Active", "Inactive", "Pending", "Closed", "Open")) for _ in range(n)],
        None,
        "status words",
    )
    yield col("orders", "year", [str(rng.randint(1950, 2030)) for _ in range(n)], None, "years")
    yield col("orders", "quantity", [str(rng.randint(1, 10**6)) for _ in range(n)], None, "quantities")


_GENRES = (
    "Rock",
    "Jazz",
    "Blues",
    "Hip Hop",
    "Classical",
    "Country",
    "Soul",
    "Reggae",
    "Metal",
    "Folk",
    "Punk",
    "Disco",
    "Funk",
    "Gospel",
    "Opera",
    "Techno",
    "House",
    "Ambient",
    "Grunge",
    "Salsa",
)


def build_corpus(values_per_column: int = VALUES_PER_COLUMN) -> list[EvalColumn]:
    """Every labelled column of the corpus, in a fixed order."""
    columns: list[EvalColumn] = []
    for locale in LOCALES:
        columns.extend(_columns_for_locale(locale, values_per_column))
    columns.append(EvalColumn("music.genre", "name", _GENRES * 3, None, "", "genres"))
    return columns
