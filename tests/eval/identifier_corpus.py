"""The evaluation corpus of issue #13's categories: government ids, cards, bank accounts,
credentials, user agents, usernames, addresses, precise locations and dates of birth.

Each category has positive columns in many locales (Faker's providers where they write valid values,
python-stdnum's check-digit functions where Faker's are not valid: Aadhaar, Chinese RICs, German
Steuer-IDs, UK NINOs), under telling names (``iban``, ``date_of_birth``) and under uninformative
ones (``c3``), and same-shape hard negatives: SSN-shaped part numbers outside the SSN rules,
Luhn-failing 16-digit numbers, IBANs with a wrong check, hashes and base64 blobs, product names
with numbers, bot user agents, integer ids, float scores, order and sign-up dates.

Three splits, built alike from different locales and seeds:

* **tuning** (:func:`build_identifier_corpus`): :data:`TUNING_LOCALES`; the rules were written
  against it;
* **validation** (:func:`build_identifier_validation`): :data:`VALIDATION_LOCALES`. Built as the
  held-out split, its first scoring found misses (Czech and Greek street lines without a street
  word, grouped Amex numbers, Mir cards, Hungarian postal codes) that changed the rules, so it is
  reported as what it became: a second tuning split;
* **held-out** (:func:`build_identifier_heldout`): :data:`HELDOUT_LOCALES`, in no other split,
  built after the rules were settled and scored once. Its misses (street lines of a name and a
  number, Eircodes, Argentinian postcodes) then changed the rules, so it too became a tuning split;
* **held-out 2** (:func:`build_identifier_heldout2`): :data:`HELDOUT2_LOCALES`, in no other split,
  with postal code formats written by hand (Eircodes, Argentinian CPAs, Brazilian CEPs with and
  without the dash, Canadian codes with and without the space, Polish codes) and hard negatives
  of its own (dates written as a month and a day, surnames with a year, chapters and transit
  lines), built before the rules for the first held-out split's misses were written and scored once.
  Its misses (street lines of scripts with no street word, ``Calle 45 # 12-3``, ``Track 7``,
  ``AZ1234``, country names in Georgian, Armenian, Hebrew and Persian) then changed the rules;
* **held-out 3** (:func:`build_identifier_heldout3`): :data:`HELDOUT3_LOCALES`, the Faker locales
  with address providers of their own that no other split uses, and address shapes of real tables
  written by hand (multi-line addresses, addresses inside free text, flats and units, PO boxes in
  nine languages, street lines in Arabic, Devanagari, Hebrew, Greek, Thai, Icelandic and Swahili
  under the local word for address, postal formats of small countries) with same-shape negatives
  (tracks and levels, version strings, song titles, room codes, company and brand names with a
  number, chapters in other scripts, licence plates, flight numbers, SKUs, languages and currencies
  in a people table). Built and committed before the second held-out split's misses were worked on.

Columns that only a field name can tell (usernames, cities, countries, digit-only postal codes,
bare national ids, separate latitude/longitude columns, geohashes, passport numbers, opaque
tokens) have ``name_only`` set and are left out of the value-only evaluation.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import string
from collections.abc import Iterator
from datetime import date, timedelta

from eval_corpus import EvalColumn

__all__ = [
    "IDENTIFIER_CATEGORIES",
    "TUNING_LOCALES",
    "VALIDATION_LOCALES",
    "HELDOUT_LOCALES",
    "HELDOUT2_LOCALES",
    "HELDOUT3_LOCALES",
    "build_identifier_corpus",
    "build_identifier_validation",
    "build_identifier_heldout",
    "build_identifier_heldout2",
    "build_identifier_heldout3",
]

NATIONAL = "user.government_id.national_identification_number"
TAX = "user.government_id.tax_id"
PASSPORT = "user.government_id.passport_number"
CARD = "user.financial.credit_card"
BANK = "user.financial.bank_account"
CREDENTIALS = "user.authorization.credentials"
AGENT = "user.device.user_agent"
USERNAME = "user.account.username"
STREET = "user.contact.address.street"
POSTAL = "user.contact.address.postal_code"
CITY = "user.contact.address.city"
COUNTRY = "user.contact.address.country"
LOCATION = "user.location.precise"
BIRTH = "user.demographic.date_of_birth"

#: issue #13's categories, in report order
IDENTIFIER_CATEGORIES = (
    NATIONAL,
    TAX,
    PASSPORT,
    CARD,
    BANK,
    CREDENTIALS,
    AGENT,
    USERNAME,
    STREET,
    POSTAL,
    CITY,
    COUNTRY,
    LOCATION,
    BIRTH,
)
TUNING_LOCALES = (
    "en_US",
    "en_GB",
    "de_DE",
    "fr_FR",
    "it_IT",
    "es_ES",
    "nl_NL",
    "pt_BR",
    "en_IN",
    "pl_PL",
    "ja_JP",
)
VALIDATION_LOCALES = (
    "da_DK",
    "fi_FI",
    "cs_CZ",
    "sv_SE",
    "en_CA",
    "en_AU",
    "es_MX",
    "pt_PT",
    "de_AT",
    "de_CH",
    "fr_CA",
    "nl_BE",
    "hu_HU",
    "el_GR",
    "ru_RU",
    "uk_UA",
    "id_ID",
    "ko_KR",
)
HELDOUT_LOCALES = (
    "sk_SK",
    "ro_RO",
    "hr_HR",
    "bg_BG",
    "lt_LT",
    "sl_SI",
    "tr_TR",
    "es_CL",
    "es_AR",
    "en_NZ",
    "en_IE",
    "fr_CH",
    "it_CH",
    "lv_LV",
    "et_EE",
    "no_NO",
)
HELDOUT2_LOCALES = (
    "es_CO",
    "fr_BE",
    "de_LU",
    "bs_BA",
    "ka_GE",
    "hy_AM",
    "az_AZ",
    "vi_VN",
    "th_TH",
    "he_IL",
    "en_PH",
    "zu_ZA",
    "sq_AL",
    "uz_UZ",
    "fa_IR",
    "zh_TW",
)
VALUES_PER_COLUMN = 60

# --- national ids: each locale's own, valid ---------------------------------------------------


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(count))


def _until_valid(make, check, rng: random.Random) -> str:
    while True:
        value = make(rng)
        if check(value):
            return value


def _nino(rng: random.Random) -> str:
    from piimap.classifiers.checksums import gb_nino_valid

    letters = "ABCEGHJKLMNPRSTWXYZ"
    return _until_valid(
        lambda r: (
            f"{r.choice(letters)}{r.choice(letters)} {_digits(r, 2)} {_digits(r, 2)} {_digits(r, 2)} {r.choice('ABCD')}"
        ),
        gb_nino_valid,
        rng,
    )


def _aadhaar(rng: random.Random) -> str:
    from stdnum import verhoeff
    from stdnum.in_ import aadhaar

    def make(r: random.Random) -> str:
        body = str(r.randint(2, 9)) + _digits(r, 10)
        number = body + verhoeff.calc_check_digit(body)
        return f"{number[:4]} {number[4:8]} {number[8:]}"

    return _until_valid(make, aadhaar.is_valid, rng)


def _ric(rng: random.Random) -> str:
    from stdnum.cn import ric

    def make(r: random.Random) -> str:
        born = date(1940, 1, 1) + timedelta(days=r.randint(0, 25000))
        body = f"{r.choice(('110101', '310104', '440305', '510107', '330106'))}{born:%Y%m%d}{_digits(r, 3)}"
        return body + ric.calc_check_digit(body)

    return _until_valid(make, ric.is_valid, rng)


def _idnr(rng: random.Random) -> str:
    from stdnum.de import idnr

    return _until_valid(lambda r: str(r.randint(1, 9)) + _digits(r, 10), idnr.is_valid, rng)


def _pan(rng: random.Random) -> str:
    return (
        "".join(rng.choice(string.ascii_uppercase) for _ in range(3))
        + rng.choice("PCHFAT")
        + (rng.choice(string.ascii_uppercase) + _digits(rng, 4) + rng.choice(string.ascii_uppercase))
    )


def _government_ids(locale: str, fake, rng: random.Random, n: int):
    """(category, kind, values, value-only tells them) of ``locale``'s government id, or None."""
    table = {
        "en_US": (NATIONAL, "US SSN", lambda: fake.ssn(), True),
        "fr_FR": (NATIONAL, "FR NIR", lambda: fake.ssn(), True),
        "fr_CA": (NATIONAL, "FR NIR", lambda: Faker_("fr_FR", rng).ssn(), True),
        "it_IT": (TAX, "IT codice fiscale", lambda: fake.ssn(), True),
        "es_ES": (NATIONAL, "ES DNI", lambda: fake.nif(), True),
        "es_MX": (NATIONAL, "ES NIE", lambda: Faker_("es_ES", rng).nie(), True),
        "nl_NL": (NATIONAL, "NL BSN", lambda: fake.ssn(), False),
        "nl_BE": (NATIONAL, "NL BSN", lambda: Faker_("nl_NL", rng).ssn(), False),
        "en_GB": (NATIONAL, "UK NINO", lambda: _nino(rng), True),
        "en_AU": (NATIONAL, "UK NINO", lambda: _nino(rng).replace(" ", ""), True),
        "en_IN": (NATIONAL, "IN Aadhaar", lambda: _aadhaar(rng), True),
        "id_ID": (TAX, "IN PAN", lambda: _pan(rng), True),
        "pt_BR": (TAX, "BR CPF", lambda: fake.cpf(), True),
        "pt_PT": (TAX, "BR CPF", lambda: Faker_("pt_BR", rng).cpf(), True),
        "ja_JP": (NATIONAL, "CN RIC", lambda: _ric(rng), True),
        "ko_KR": (NATIONAL, "CN RIC", lambda: _ric(rng), True),
        "de_DE": (TAX, "DE Steuer-ID", lambda: _idnr(rng), False),
        "de_AT": (TAX, "DE Steuer-ID", lambda: _idnr(rng), False),
        "en_CA": (NATIONAL, "US SSN", lambda: Faker_("en_US", rng).ssn(), True),
        "pl_PL": (TAX, "IN PAN", lambda: _pan(rng), True),
        "hu_HU": (TAX, "IT codice fiscale", lambda: Faker_("it_IT", rng).ssn(), True),
        "en_NZ": (NATIONAL, "US SSN", lambda: Faker_("en_US", rng).ssn(), True),
        "en_IE": (NATIONAL, "UK NINO", lambda: _nino(rng), True),
        "it_CH": (TAX, "IT codice fiscale", lambda: Faker_("it_IT", rng).ssn(), True),
        "es_AR": (NATIONAL, "ES DNI", lambda: Faker_("es_ES", rng).nif(), True),
        "fr_CH": (NATIONAL, "FR NIR", lambda: Faker_("fr_FR", rng).ssn(), True),
        "lv_LV": (NATIONAL, "IN Aadhaar", lambda: _aadhaar(rng), True),
        "et_EE": (NATIONAL, "CN RIC", lambda: _ric(rng), True),
        "no_NO": (NATIONAL, "NL BSN", lambda: Faker_("nl_NL", rng).ssn(), False),
        "sl_SI": (TAX, "DE Steuer-ID", lambda: _idnr(rng), False),
        "bg_BG": (TAX, "IN PAN", lambda: _pan(rng), True),
        "ro_RO": (TAX, "BR CPF", lambda: Faker_("pt_BR", rng).cpf(), True),
        "es_CO": (NATIONAL, "ES DNI", lambda: Faker_("es_ES", rng).nif(), True),
        "fr_BE": (NATIONAL, "FR NIR", lambda: Faker_("fr_FR", rng).ssn(), True),
        "de_LU": (TAX, "DE Steuer-ID", lambda: _idnr(rng), False),
        "bs_BA": (TAX, "IN PAN", lambda: _pan(rng), True),
        "ka_GE": (NATIONAL, "UK NINO", lambda: _nino(rng), True),
        "hy_AM": (TAX, "BR CPF", lambda: Faker_("pt_BR", rng).cpf(), True),
        "az_AZ": (NATIONAL, "CN RIC", lambda: _ric(rng), True),
        "vi_VN": (TAX, "IT codice fiscale", lambda: Faker_("it_IT", rng).ssn(), True),
        "he_IL": (NATIONAL, "US SSN", lambda: Faker_("en_US", rng).ssn(), True),
        "zu_ZA": (NATIONAL, "IN Aadhaar", lambda: _aadhaar(rng), True),
        "ar_DZ": (NATIONAL, "FR NIR", lambda: Faker_("fr_FR", rng).ssn(), True),
        "fr_DZ": (NATIONAL, "FR NIR", lambda: Faker_("fr_FR", rng).ssn(), True),
        "bn_BD": (TAX, "IN PAN", lambda: _pan(rng), True),
        "en_BD": (NATIONAL, "IN Aadhaar", lambda: _aadhaar(rng), True),
        "hi_IN": (NATIONAL, "IN Aadhaar", lambda: _aadhaar(rng), True),
        "ta_IN": (TAX, "IN PAN", lambda: _pan(rng), True),
        "zh_CN": (NATIONAL, "CN RIC", lambda: _ric(rng), True),
        "en_MS": (NATIONAL, "CN RIC", lambda: _ric(rng), True),
        "fil_PH": (NATIONAL, "US SSN", lambda: Faker_("en_US", rng).ssn(), True),
        "mk_MK": (NATIONAL, "ES DNI", lambda: Faker_("es_ES", rng).nif(), True),
        "is_IS": (TAX, "IT codice fiscale", lambda: Faker_("it_IT", rng).ssn(), True),
        "en_KE": (TAX, "DE Steuer-ID", lambda: _idnr(rng), False),
    }
    if locale not in table:
        return None
    category, kind, make, alone = table[locale]
    return category, kind, [make() for _ in range(n)], alone


def Faker_(locale: str, rng: random.Random):  # noqa: N802 - a seeded Faker of another locale
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(rng.randint(0, 10**6))
    return fake


# --- credentials --------------------------------------------------------------------------------

_CRYPT = "./" + string.ascii_letters + string.digits
_B64 = string.ascii_letters + string.digits + "+/"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _jwt(rng: random.Random, fake) -> str:
    header = {"alg": rng.choice(("HS256", "RS256", "ES256")), "typ": "JWT"}
    payload = {"sub": fake.user_name(), "iat": rng.randint(1_600_000_000, 1_750_000_000)}
    signature = bytes(rng.getrandbits(8) for _ in range(32))
    return ".".join(
        (_b64url(json.dumps(header).encode()), _b64url(json.dumps(payload).encode()), _b64url(signature))
    )


def _password_hash(rng: random.Random) -> str:
    kind = rng.randint(0, 3)
    if kind == 0:
        return f"$2{rng.choice('aby')}${rng.choice((10, 11, 12))}$" + "".join(
            rng.choice(_CRYPT) for _ in range(53)
        )
    if kind == 1:
        salt = "".join(rng.choice(_B64) for _ in range(22))
        digest = "".join(rng.choice(_B64) for _ in range(43))
        return f"$argon2id$v=19$m=65536,t=3,p=4${salt}${digest}"
    if kind == 2:
        salt = "".join(rng.choice(_CRYPT) for _ in range(16))
        return f"$6$rounds=5000${salt}$" + "".join(rng.choice(_CRYPT) for _ in range(86))
    salt = "".join(rng.choice(_CRYPT) for _ in range(16))
    return f"$5${salt}$" + "".join(rng.choice(_CRYPT) for _ in range(43))


# --- locations ----------------------------------------------------------------------------------

_GEOHASH = "0123456789bcdefghjkmnpqrstuvwxyz"


def _geohash(latitude: float, longitude: float, precision: int) -> str:
    lat_range, lon_range = [-90.0, 90.0], [-180.0, 180.0]
    bits, value, even, out = 0, 0, True, []
    while len(out) < precision:
        span, coordinate = (lon_range, longitude) if even else (lat_range, latitude)
        middle = (span[0] + span[1]) / 2
        value <<= 1
        if coordinate > middle:
            value |= 1
            span[0] = middle
        else:
            span[1] = middle
        even = not even
        bits += 1
        if bits == 5:
            out.append(_GEOHASH[value])
            bits, value = 0, 0
    return "".join(out)


def _columns(locale: str, n: int, seed: int) -> Iterator[EvalColumn]:
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(seed)
    rng = random.Random(seed)
    tag = locale.lower()

    def col(container, field, values, category, kind, *, name_only=False, siblings=()) -> EvalColumn:
        return EvalColumn(
            f"{tag}.{container}", field, tuple(values), category, locale, kind, tuple(siblings), name_only
        )

    # government ids
    found = _government_ids(locale, fake, rng, n)
    if found is not None:
        category, kind, values, alone = found
        field = {NATIONAL: "national_id", TAX: "tax_id"}[category]
        yield col("people", field, values, category, kind, name_only=not alone)
        yield col(
            "import", "c1", values, category if alone else None, kind + " (no name)", name_only=not alone
        )
    yield col(
        "people",
        "passport_number",
        [rng.choice(string.ascii_uppercase) + _digits(rng, rng.choice((7, 8))) for _ in range(n)],
        PASSPORT,
        "passport numbers",
        name_only=True,
    )
    # cards
    card_types = sorted(
        fake.provider("faker.providers.credit_card").credit_card_types
    )  # the locale's issuers
    cards = [fake.credit_card_number(card_type=rng.choice(card_types)) for _ in range(n)]
    yield col("payments", "card_number", cards, CARD, "card numbers")
    grouped = [" ".join(card[index : index + 4] for index in range(0, len(card), 4)) for card in cards]
    yield col("payments", "c2", grouped, CARD, "grouped card numbers")
    yield col(
        "payments",
        "masked_pan",
        [
            card[:6] + "*" * (len(card) - 10) + card[-4:]
            if rng.random() < 0.5
            else "**** **** **** " + card[-4:]
            for card in cards
        ],
        CARD,
        "masked PANs",
    )
    # bank accounts
    from stdnum import iban as iban_check

    try:
        ibans = [fake.iban() for _ in range(n)]
    except AttributeError:
        ibans = []
    if not all(map(iban_check.is_valid, ibans)):  # the locale's country has no IBAN (India, Japan...)
        ibans = [Faker_("de_DE", rng).iban() for _ in range(n)]
    yield col("payouts", "iban", ibans, BANK, "IBANs")
    yield col(
        "payouts",
        "c3",
        [" ".join(iban[i : i + 4] for i in range(0, len(iban), 4)) for iban in ibans],
        BANK,
        "grouped IBANs",
    )
    yield col("payouts", "bic", [fake.swift(length=11) for _ in range(n)], BANK, "BIC-11")
    # credentials
    yield col(
        "accounts", "password_hash", [_password_hash(rng) for _ in range(n)], CREDENTIALS, "password hashes"
    )
    yield col("sessions", "c4", [_jwt(rng, fake) for _ in range(n)], CREDENTIALS, "JWTs")
    yield col(
        "requests",
        "authorization",
        [
            "Bearer " + _b64url(bytes(rng.getrandbits(8) for _ in range(rng.randint(24, 40))))
            for _ in range(n)
        ],
        CREDENTIALS,
        "bearer tokens",
    )
    yield col(
        "oauth",
        "refresh_token",
        [_b64url(bytes(rng.getrandbits(8) for _ in range(32))) for _ in range(n)],
        CREDENTIALS,
        "opaque tokens",
        name_only=True,
    )
    # user agents
    yield col("web", "user_agent", [fake.user_agent() for _ in range(n)], AGENT, "browser user agents")
    yield col(
        "web",
        "c5",
        [
            rng.choice(
                (
                    fake.chrome(),
                    fake.firefox(),
                    fake.safari(),
                    f"{fake.word().title()}App/{rng.randint(1, 9)}.{rng.randint(0, 20)} (iPhone; iOS {rng.randint(14, 18)}.{rng.randint(0, 6)}; Scale/3.00)",
                    f"Dalvik/2.1.0 (Linux; U; Android {rng.randint(9, 15)}; {fake.bothify('SM-?###').upper()} Build/{fake.bothify('??##?').upper()})",
                )
            )
            for _ in range(n)
        ],
        AGENT,
        "browser and app user agents",
    )
    # usernames
    yield col(
        "accounts", "username", [fake.user_name() for _ in range(n)], USERNAME, "user names", name_only=True
    )
    yield col("social", "c6", ["@" + fake.user_name() for _ in range(n)], USERNAME, "@handles")
    # addresses
    yield col(
        "customers", "street_address", [fake.street_address() for _ in range(n)], STREET, "street lines"
    )
    yield col("import", "c7", [fake.street_address() for _ in range(n)], STREET, "street lines (no name)")
    yield col(
        "customers", "postcode", [fake.postcode() for _ in range(n)], POSTAL, "postal codes", name_only=True
    )
    yield col("customers", "city", [fake.city() for _ in range(n)], CITY, "cities", name_only=True)
    yield col(
        "customers", "country", [fake.country() for _ in range(n)], COUNTRY, "countries", name_only=True
    )
    # precise locations
    points = [(float(fake.latitude()), float(fake.longitude())) for _ in range(n)]
    yield col("checkins", "c8", [f"{lat:.6f}, {lon:.6f}" for lat, lon in points], LOCATION, "lat,lon pairs")
    yield col(
        "checkins",
        "position",
        [json.dumps({"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}) for lat, lon in points],
        LOCATION,
        "GeoJSON points",
    )
    yield col(
        "checkins",
        "geohash",
        [_geohash(lat, lon, rng.randint(7, 10)) for lat, lon in points],
        LOCATION,
        "geohashes",
        name_only=True,
    )
    yield col(
        "checkins", "latitude", [f"{lat:.5f}" for lat, _ in points], LOCATION, "latitudes", name_only=True
    )
    # dates of birth
    births = [fake.date_of_birth(minimum_age=16, maximum_age=90) for _ in range(n)]
    yield col("customers", "date_of_birth", [born.isoformat() for born in births], BIRTH, "birth dates")
    yield col("customers", "dob", [born.strftime("%d/%m/%Y") for born in births], BIRTH, "birth dates d/m/y")
    yield col("import", "c9", [born.isoformat() for born in births], BIRTH, "birth dates (no name)")

    # --- hard negatives of the same shapes ---------------------------------------------------
    yield col(
        "parts",
        "part_no",
        [f"{rng.randint(900, 999)}-{_digits(rng, 2)}-{_digits(rng, 4)}" for _ in range(n)],
        None,
        "SSN-shaped, area 9xx",
    )
    yield col("orders", "c10", [_digits(rng, 9) for _ in range(n)], None, "9-digit ids")
    yield col("orders", "c11", [str(rng.randint(10**10, 10**11 - 1)) for _ in range(n)], None, "11-digit ids")
    yield col(
        "payments",
        "c12",
        [_luhn_fail("4" + _digits(rng, 14)) for _ in range(n)],
        None,
        "16-digit Luhn failures",
    )
    yield col("inventory", "ean", [fake.ean13() for _ in range(n)], None, "EAN-13")
    yield col(
        "payouts",
        "c13",
        [iban[:2] + f"{(int(iban[2:4]) + 1) % 100:02d}" + iban[4:] for iban in ibans],
        None,
        "IBANs with a wrong check",
    )
    yield col(
        "files",
        "checksum",
        [hashlib.sha256(str(rng.random()).encode()).hexdigest() for _ in range(n)],
        None,
        "sha256",
    )
    yield col(
        "blobs",
        "c14",
        [base64.b64encode(bytes(rng.getrandbits(8) for _ in range(30))).decode() for _ in range(n)],
        None,
        "base64",
    )
    yield col(
        "products",
        "product",
        [
            f"{fake.word().title()} {rng.choice(('Pro', 'Max', 'Lite'))} {rng.randint(2, 16)}"
            for _ in range(n)
        ],
        None,
        "product names with numbers",
    )
    yield col(
        "web",
        "c15",
        [
            rng.choice(
                (
                    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
                    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
                    f"curl/{rng.randint(7, 8)}.{rng.randint(0, 80)}.{rng.randint(0, 9)}",
                    f"python-requests/2.{rng.randint(20, 32)}.{rng.randint(0, 3)}",
                )
            )
            for _ in range(n)
        ],
        None,
        "crawler and tool agents",
    )
    yield col(
        "customers", "customer_no", [str(rng.randint(10000, 99999)) for _ in range(n)], None, "5-digit ids"
    )
    yield col("scores", "c16", [f"{rng.uniform(0, 90):.4f}" for _ in range(n)], None, "float scores")
    yield col(
        "scores",
        "c17",
        [f"{rng.uniform(0, 1):.2f}, {rng.uniform(0, 1):.2f}" for _ in range(n)],
        None,
        "ratio pairs",
    )
    today = date.today()
    yield col(
        "orders",
        "order_date",
        [(today - timedelta(days=rng.randint(0, 3000))).isoformat() for _ in range(n)],
        None,
        "order dates",
    )
    yield col(
        "accounts",
        "c18",
        [(today - timedelta(days=rng.randint(0, 5000))).isoformat() for _ in range(n)],
        None,
        "sign-up dates",
    )
    # only the name tells these from birth dates: left out of the value-only evaluation
    yield col(
        "accounts",
        "created_at",
        [born.isoformat() for born in births],
        None,
        "birth-like dates named created_at",
        name_only=True,
    )
    yield col(
        "accounts",
        "login_method",
        [rng.choice(("password", "sso", "google", "apple")) for _ in range(n)],
        None,
        "login methods",
    )
    yield col("geo", "c19", [fake.street_name() for _ in range(n)], None, "street names without number")
    yield col(
        "devices",
        "c20",
        [
            f"{name} {rng.randint(low, high)}"
            for name, low, high in (rng.choice(_PRODUCT_LINES) for _ in range(n))
        ],
        None,
        "products with a model number",
    )
    yield col(
        "venues",
        "c21",
        [
            f"{rng.choice(_PLACES_INSIDE)} {rng.randint(1, 60)}{rng.choice(('', '', '', 'A', 'B'))}"
            for _ in range(n)
        ],
        None,
        "levels, gates, rooms",
    )
    yield col(
        "roster",
        "c22",
        [f"{fake.first_name()} {fake.last_name()} {rng.randint(1, 99)}" for _ in range(n)],
        None,
        "person names with a number",
    )
    yield col(
        "builds",
        "version",
        [f"{rng.randint(1, 12)}.{rng.randint(0, 9)}.{rng.randint(0, 30)}" for _ in range(n)],
        None,
        "versions",
    )


#: (name, lowest number, highest number) of products people write with a number
_PRODUCT_LINES = (
    ("Windows", 7, 11),
    ("iPhone", 6, 16),
    ("Galaxy S", 8, 24),
    ("Pixel", 3, 9),
    ("Model", 3, 3),
    ("Model", 1, 9),
    ("Xbox Series", 1, 2),
    ("PlayStation", 3, 5),
    ("Office", 2016, 2024),
    ("Android", 9, 15),
    ("Ubuntu", 18, 24),
    ("Kindle Paperwhite", 3, 5),
    ("Apple Watch Series", 4, 10),
)
#: places inside a building or an airport, written with a number
_PLACES_INSIDE = (
    "Level",
    "Gate",
    "Terminal",
    "Room",
    "Floor",
    "Hall",
    "Platform",
    "Section",
    "Zone",
    "Aisle",
)


def _luhn_fail(body: str) -> str:
    from stdnum import luhn

    return body + str((int(luhn.calc_check_digit(body)) + 1) % 10)


def _locale_columns(locales: tuple[str, ...], n: int, seed: int) -> list[EvalColumn]:
    """The columns of every locale of a split, each seeded with ``seed`` and its locale's name."""
    return [column for locale in locales for column in _columns(locale, n, seed + sum(map(ord, locale)))]


def build_identifier_corpus(values_per_column: int = VALUES_PER_COLUMN) -> list[EvalColumn]:
    """The tuning split (:data:`TUNING_LOCALES`)."""
    return _locale_columns(TUNING_LOCALES, values_per_column, 0)


def build_identifier_validation(values_per_column: int = VALUES_PER_COLUMN) -> list[EvalColumn]:
    """The validation split (:data:`VALIDATION_LOCALES`, seeds of its own)."""
    return _locale_columns(VALIDATION_LOCALES, values_per_column, 7919)


def build_identifier_heldout(values_per_column: int = VALUES_PER_COLUMN) -> list[EvalColumn]:
    """The held-out split (:data:`HELDOUT_LOCALES`, seeds of its own)."""
    return _locale_columns(HELDOUT_LOCALES, values_per_column, 104729)


# --- the second held-out split: postal code formats and negatives of its own ---------------------

_EIRCODE_CHARS = "0123456789ACDEFHKNPRTVWXY"


def _eircode(rng: random.Random) -> str:
    routing = "D6W" if rng.random() < 0.05 else rng.choice("ACDEFHKNPRTVWXY") + _digits(rng, 2)
    unique = "".join(rng.choice(_EIRCODE_CHARS) for _ in range(4))
    return routing + (" " if rng.random() < 0.7 else "") + unique


def _argentinian_cpa(rng: random.Random) -> str:
    return (
        rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ")
        + str(rng.randint(1000, 9999))
        + "".join(rng.choice(string.ascii_uppercase) for _ in range(3))
    )


def _canadian(rng: random.Random, space: bool) -> str:
    first, other = "ABCEGHJKLMNPRSTVXY", "ABCEGHJKLMNPRSTVWXYZ"
    head = rng.choice(first) + str(rng.randint(0, 9)) + rng.choice(other)
    tail = str(rng.randint(0, 9)) + rng.choice(other) + str(rng.randint(0, 9))
    return head + (" " if space else "") + tail


def _postal_format_columns(n: int, seed: int) -> Iterator[EvalColumn]:
    """Postal codes in formats written by hand (value-only where the format is distinctive) and
    negatives only this split has."""
    from faker import Faker

    rng = random.Random(seed)
    formats = (
        ("en_IE", "eircode", "Eircodes", lambda: _eircode(rng), True),
        ("es_AR", "codigo_postal", "Argentinian CPAs", lambda: _argentinian_cpa(rng), True),
        ("pt_BR", "cep", "CEPs with a dash", lambda: f"{_digits(rng, 5)}-{_digits(rng, 3)}", True),
        ("pt_BR", "cep", "CEPs without the dash", lambda: _digits(rng, 8), False),
        ("en_CA", "postal_code", "Canadian codes", lambda: _canadian(rng, True), True),
        ("en_CA", "postal_code", "Canadian codes without space", lambda: _canadian(rng, False), True),
        ("pl_PL", "kod_pocztowy", "Polish codes", lambda: f"{_digits(rng, 2)}-{_digits(rng, 3)}", True),
    )
    for locale, field, kind, make, alone in formats:
        values = tuple(make() for _ in range(n))
        tag = locale.lower()
        yield EvalColumn(f"{tag}.members", field, values, POSTAL, locale, kind, (), True)
        if alone:
            yield EvalColumn(f"{tag}.import", "c30", values, POSTAL, locale, kind + " (no name)", (), False)
    for locale in ("en_US", "de_DE", "es_ES", "fr_FR"):
        fake = Faker(locale)
        fake.seed_instance(rng.randint(0, 10**6))
        tag = locale.lower()
        negatives = (
            ("c31", "month and day", lambda fake=fake: f"{fake.month_name()} {rng.randint(1, 28)}"),
            ("c32", "surname and year", lambda fake=fake: f"{fake.last_name()} {rng.randint(1950, 2024)}"),
            (
                "c33",
                "chapters, episodes, tracks",
                lambda: (
                    f"{rng.choice(('Chapter', 'Episode', 'Track', 'Lesson', 'Part'))} {rng.randint(1, 40)}"
                ),
            ),
            (
                "c34",
                "transit lines",
                lambda: f"{rng.choice(('Bus', 'Tram', 'Line', 'Metro'))} {rng.randint(1, 250)}",
            ),
        )
        for field, kind, make in negatives:
            yield EvalColumn(
                f"{tag}.misc", field, tuple(make() for _ in range(n)), None, locale, kind, (), False
            )


def build_identifier_heldout2(values_per_column: int = VALUES_PER_COLUMN) -> list[EvalColumn]:
    """The second held-out split (:data:`HELDOUT2_LOCALES`, seeds of its own, hand-written postal formats)."""
    columns = _locale_columns(HELDOUT2_LOCALES, values_per_column, 611953)
    columns.extend(_postal_format_columns(values_per_column, 611953))
    return columns


# --- the third held-out split: other locales, real-world address shapes, negatives of its own ----

#: Faker locales with address providers of their own that no other split uses (ne_NP is left out:
#: its street addresses are street names without a number, the very values the street-name negatives
#: hold; mr_IN writes its lines as hi_IN does)
HELDOUT3_LOCALES = (
    "ar_DZ",
    "bn_BD",
    "en_BD",
    "en_MS",
    "fil_PH",
    "fr_DZ",
    "hi_IN",
    "mk_MK",
    "ta_IN",
    "zh_CN",
    "is_IS",
    "en_KE",
)
#: tables people's addresses are kept in, as real schemas name them
_PEOPLE_TABLES = ("customers", "users", "patients", "members", "contacts", "profiles", "shipping_addresses")


#: street lines written by hand in scripts and with street words of languages the Faker locales of
#: the splits do not write: (locale, the locale's word for address, kind, where the names come from
#: (a Faker locale's surnames, or a list), templates of ``{name}``, ``{number}`` and ``{minor}``)
_SCRIPT_STREET_LINES = (
    (
        "ar_SA",
        "العنوان",
        "Arabic street lines",
        "ar_SA",
        (
            "شارع {name} {number}",
            "{number} شارع {name}",
            "طريق {name}، مبنى {number}",
            "حي {name}، شارع {number}",
        ),
    ),
    (
        "hi_IN",
        "पता",
        "Devanagari street lines",
        "hi_IN",
        (
            "{number}, {name} मार्ग",
            "मकान नं. {number}, {name} नगर",
            "{number}/{minor} {name} रोड",
            "फ्लैट {number}, {name} अपार्टमेंट",
        ),
    ),
    (
        "he_IL",
        "כתובת",
        "Hebrew street lines",
        "he_IL",
        ("רחוב {name} {number}", "רח' {name} {number}", "שדרות {name} {number}"),
    ),
    (
        "el_GR",
        "διεύθυνση",
        "Greek street lines",
        "el_GR",
        ("Οδός {name} {number}", "{name} {number}", "Λεωφόρος {name} {number}"),
    ),
    (
        "th_TH",
        "ที่อยู่",
        "Thai street lines",
        "th_TH",
        ("{number} ถนน{name}", "{number}/{minor} ซอย{name}", "{number} หมู่ {minor} ถนน{name}"),
    ),
    (
        "is_IS",
        "heimilisfang",
        "Icelandic street lines",
        ("Lauga", "Hverfis", "Skóla", "Grettis", "Njáls", "Frakka", "Berg", "Hring", "Suður", "Vestur"),
        (
            "{name}gata {number}",
            "{name}vegur {number}",
            "{name}stræti {number}",
            "{name}braut {number}",
            "{name}stígur {number}",
            "{name}tún {number}",
        ),
    ),
    (
        "sw",
        "anwani",
        "Swahili street lines",
        "sw",
        ("Mtaa wa {name} {number}", "Barabara ya {name}, Nyumba {number}"),
    ),
)


def _street_lines_in_scripts(rng: random.Random, n: int) -> Iterator[tuple[str, str, str, list[str]]]:
    """(locale, field name in the locale's language, kind, street lines) of :data:`_SCRIPT_STREET_LINES`."""
    from faker import Faker

    for locale, field, kind, names, templates in _SCRIPT_STREET_LINES:
        if isinstance(names, str):
            fake = Faker(names)
            fake.seed_instance(rng.randint(0, 10**6))
            names = [fake.last_name() for _ in range(n)]
        lines = [
            rng.choice(templates).format(
                name=rng.choice(names),
                number=rng.choice((rng.randint(1, 30), rng.randint(1, 200), rng.randint(1, 2000))),
                minor=rng.randint(1, 40),
            )
            for _ in range(n)
        ]
        yield locale, field, kind, lines


def _real_world_address_columns(n: int, seed: int) -> Iterator[EvalColumn]:
    """Address shapes of real tables (multi-line addresses, addresses inside free text, flats and
    units, PO boxes, street lines of other scripts, postal formats of small countries) and hard
    negatives of the same shapes (tracks and levels, versions, song titles, room codes, company
    names, licence plates, flight numbers, languages and currencies)."""
    from faker import Faker

    rng = random.Random(seed)

    def faker(locale: str):
        fake = Faker(locale)
        fake.seed_instance(rng.randint(0, 10**6))
        return fake

    def both(locale, field, kind, values, category, *, table=None, alone=True, name_only=False):
        tag = locale.lower()
        values = tuple(values)
        yield EvalColumn(
            f"{tag}.{table or rng.choice(_PEOPLE_TABLES)}",
            field,
            values,
            category,
            locale,
            kind,
            (),
            name_only,
        )
        if alone and not name_only:
            yield EvalColumn(f"{tag}.import", "c40", values, category, locale, kind + " (no name)", (), False)

    # multi-line addresses in one field
    for locale in ("en_US", "de_DE", "fr_FR", "en_AU", "nl_NL", "pt_BR"):
        fake = faker(locale)
        yield from both(locale, "address", "multi-line addresses", [fake.address() for _ in range(n)], STREET)
    # an address inside free text
    for locale in ("en_US", "en_GB"):
        fake = faker(locale)
        templates = (
            "Please deliver to {street}, {city} after 6pm",
            "Customer moved to {street} ({postcode} {city}) last month",
            "Ship to: {street}, {city} {postcode}. Leave with neighbour if out.",
            "Billing address changed to {street}; call before visiting",
        )
        yield from both(
            locale,
            "notes",
            "addresses in free text",
            [
                rng.choice(templates).format(
                    street=fake.street_address(), city=fake.city(), postcode=fake.postcode()
                )
                for _ in range(n)
            ],
            STREET,
        )
    # flats, apartments, units, suites
    fake = faker("en_GB")
    au = faker("en_AU")
    us = faker("en_US")
    yield from both(
        "en_GB",
        "address_line1",
        "flat, apartment and unit lines",
        [
            rng.choice(
                (
                    f"Flat {rng.randint(1, 40)}, {fake.building_number()} {fake.street_name()}",
                    f"Unit {rng.randint(1, 30)}/{au.building_number()} {au.street_name()}",
                    f"Apt {rng.randint(1, 20)}{rng.choice('ABCD')}, {us.building_number()} {us.street_name()}",
                    f"{us.building_number()} {us.street_name()} Suite {rng.randint(100, 999)}",
                    f"Flat {rng.randint(1, 12)}, {fake.last_name()} Court",
                )
            )
            for _ in range(n)
        ],
        STREET,
    )
    # PO boxes in many languages
    yield from both(
        "mixed",
        "mailing_address",
        "PO boxes",
        [
            rng.choice(
                (
                    f"PO Box {rng.randint(1, 9999)}",
                    f"P.O. Box {rng.randint(1, 9999)}",
                    f"Postfach {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                    f"Apartado de Correos {rng.randint(1, 999)}",
                    f"BP {rng.randint(1, 999)}",
                    f"Caixa Postal {rng.randint(1, 9999)}",
                    f"Casilla {rng.randint(1, 999)}",
                    f"Postboks {rng.randint(1, 9999)}",
                    f"Skrytka pocztowa {rng.randint(1, 999)}",
                )
            )
            for _ in range(n)
        ],
        STREET,
    )
    # street lines of other scripts and languages, under the locale's own word for address
    for locale, field, kind, values in _street_lines_in_scripts(rng, n):
        yield from both(locale, field, kind, values, STREET)
    # postal codes of formats no other split has (value-only where the format is distinctive)
    postal_formats = (
        (
            "mt_MT",
            "postcode",
            "Maltese codes",
            lambda: "".join(rng.choices(string.ascii_uppercase, k=3)) + f" {_digits(rng, 4)}",
            False,  # the shape of a licence plate: only a name tells it
        ),
        ("lv_LV", "pasta_indekss", "Latvian LV- codes", lambda: f"LV-{rng.randint(1001, 5799)}", True),
        ("lt_LT", "pasto_kodas", "Lithuanian LT- codes", lambda: f"LT-{_digits(rng, 5)}", True),
        ("ro_MD", "cod_postal", "Moldovan MD- codes", lambda: f"MD-{rng.randint(2000, 7000)}", True),
        (
            "ca_AD",
            "codi_postal",
            "Andorran codes",
            lambda: f"AD{rng.choice((100, 200, 300, 400, 500, 600, 700))}",
            True,
        ),
        (
            "en_BN",
            "postcode",
            "Brunei codes",
            lambda: (
                rng.choice(
                    (
                        "BA",
                        "BB",
                        "BC",
                        "BD",
                        "BE",
                        "BF",
                        "BG",
                        "BH",
                        "BS",
                        "BT",
                        "KA",
                        "KB",
                        "KC",
                        "PA",
                        "PB",
                        "PC",
                        "TA",
                        "TB",
                        "TC",
                    )
                )
                + _digits(rng, 4)
            ),
            True,
        ),
        (
            "en_KY",
            "postal_code",
            "Cayman KY codes",
            lambda: f"KY{rng.randint(1, 3)}-{rng.randint(1000, 1700)}",
            True,
        ),
        ("en_BB", "postal_code", "Barbados BB codes", lambda: f"BB{rng.randint(11000, 27999)}", True),
        (
            "ja_JP",
            "yubin_bango",
            "Japanese codes with the postal mark",
            lambda: f"〒{_digits(rng, 3)}-{_digits(rng, 4)}",
            True,
        ),
        (
            "fa_IR",
            "code_posti",
            "Iranian 5-5 codes",
            lambda: f"{rng.randint(10000, 99999)}-{_digits(rng, 5)}",
            True,
        ),
        (
            "sv_SE",
            "postnummer",
            "Swedish SE- codes",
            lambda: f"SE-{rng.randint(100, 989)} {_digits(rng, 2)}",
            True,
        ),
        ("en_IN", "pincode", "Indian PIN codes", lambda: str(rng.randint(110001, 855126)), False),
        (
            "en_SG",
            "postal_code",
            "Singapore codes",
            lambda: f"{rng.randint(1, 82):02d}{_digits(rng, 4)}",
            False,
        ),
    )
    for locale, field, kind, make, alone in postal_formats:
        yield from both(
            locale, field, kind, [make() for _ in range(n)], POSTAL, alone=alone, name_only=not alone
        )
    # ISO country codes in a country code field
    from phonenumbers import SUPPORTED_REGIONS

    regions = sorted(SUPPORTED_REGIONS)
    yield from both(
        "mixed",
        "country_code",
        "ISO country codes",
        [rng.choice(regions) for _ in range(n)],
        COUNTRY,
        name_only=True,
    )

    # --- hard negatives of the same shapes -------------------------------------------------------
    def negative(locale, field, kind, values, table="misc"):
        yield EvalColumn(f"{locale.lower()}.{table}", field, tuple(values), None, locale, kind, (), False)

    yield from negative(
        "en_US",
        "c50",
        "tracks, levels, seasons, rounds",
        [
            f"{rng.choice(('Track', 'Disc', 'Level', 'Stage', 'Season', 'Round', 'Week', 'Day', 'Step', 'Phase'))} {rng.randint(1, 60)}"
            for _ in range(n)
        ],
    )
    yield from negative(
        "en_US",
        "c51",
        "version and release strings",
        [
            rng.choice(
                (
                    f"v{rng.randint(0, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 40)}",
                    f"Release {rng.randint(1, 12)}.{rng.randint(0, 9)}",
                    f"Build {rng.randint(1000, 99999)}",
                    f"Version {rng.randint(1, 20)}.{rng.randint(0, 9)}",
                    f"Android {rng.randint(9, 15)} (API {rng.randint(28, 35)})",
                )
            )
            for _ in range(n)
        ],
    )
    words = faker("en_US")
    yield from negative(
        "en_US",
        "title",
        "song titles with numbers",
        [
            rng.choice(
                (
                    rng.choice(_SONG_TITLES),
                    f"{rng.randint(2, 99)} {words.word().title()} {words.word().title()}",
                    f"{words.word().title()} No. {rng.randint(1, 9)}",
                    f"{words.word().title()} {words.word().title()} {rng.randint(1, 99)}",
                )
            )
            for _ in range(n)
        ],
        table="tracks",
    )
    yield from negative(
        "de_DE",
        "c53",
        "room codes",
        [
            rng.choice(
                (
                    f"{rng.choice('ABCDE')}-{rng.randint(100, 499)}",
                    f"Room {rng.randint(1, 9)}.{rng.randint(1, 40):02d}",
                    f"R{rng.randint(1, 5)}.{rng.randint(1, 40):02d}",
                    f"Lab {rng.randint(1, 30)}",
                    f"Aula {rng.randint(1, 30)}",
                    f"Sala {rng.randint(1, 30)}",
                    f"Raum {rng.randint(1, 4)}.{rng.randint(1, 40):02d}",
                    f"Hörsaal {rng.randint(1, 12)}",
                    f"Salle {rng.randint(100, 450)}",
                )
            )
            for _ in range(n)
        ],
    )
    companies = [faker(locale) for locale in ("en_US", "de_DE", "fr_FR", "es_ES", "it_IT")]
    yield from negative(
        "mixed",
        "c54",
        "company names",
        [
            rng.choice(_NUMBERED_BRANDS) if rng.random() < 0.3 else rng.choice(companies).company()
            for _ in range(n)
        ],
    )
    yield from negative(
        "mixed",
        "c55",
        "chapters and episodes in other scripts",
        [
            rng.choice(
                (
                    f"第{rng.randint(1, 30)}章",
                    f"第{rng.randint(1, 30)}話",
                    f"פרק {rng.randint(1, 30)}",
                    f"ตอนที่ {rng.randint(1, 30)}",
                    f"Глава {rng.randint(1, 30)}",
                    f"Серия {rng.randint(1, 30)}",
                    f"Модель {rng.randint(1, 30)}",
                    f"الحلقة {rng.randint(1, 30)}",
                    f"الفصل {rng.randint(1, 30)}",
                    f"अध्याय {rng.randint(1, 30)}",
                )
            )
            for _ in range(n)
        ],
    )
    yield from negative(
        "mixed",
        "c56",
        "licence plates",
        [
            rng.choice(
                (
                    "".join(rng.choices(string.ascii_uppercase, k=3)) + f" {_digits(rng, 4)}",
                    f"{''.join(rng.choices(string.ascii_uppercase, k=rng.randint(1, 2)))}-{''.join(rng.choices(string.ascii_uppercase, k=2))} {rng.randint(1, 9999)}",
                    f"KA {_digits(rng, 2)} {''.join(rng.choices(string.ascii_uppercase, k=2))} {_digits(rng, 4)}",
                )
            )
            for _ in range(n)
        ],
    )
    yield from negative(
        "mixed",
        "c57",
        "flight numbers",
        [
            f"{rng.choice(('LH', 'BA', 'AF', 'KL', 'UA', 'DL', 'EK', 'QR'))}{rng.choice(('', ' '))}{rng.randint(1, 9999)}"
            for _ in range(n)
        ],
    )
    yield from negative(
        "mixed",
        "c58",
        "SKUs and invoice numbers",
        [
            rng.choice(
                (
                    f"SKU-{_digits(rng, 5)}",
                    f"INV-{rng.randint(2015, 2025)}-{_digits(rng, 4)}",
                    f"PO-{_digits(rng, 6)}",
                )
            )
            for _ in range(n)
        ],
    )
    yield from negative(
        "mixed",
        "language",
        "languages in a people table",
        [rng.choice(_LANGUAGES) for _ in range(n)],
        table="customers",
    )
    yield from negative(
        "mixed",
        "currency",
        "currencies in a people table",
        [rng.choice(_CURRENCIES) for _ in range(n)],
        table="customers",
    )


#: real song and album titles with a number or a street word
_SONG_TITLES = (
    "99 Luftballons",
    "7 Rings",
    "Summer of '69",
    "1999",
    "Highway 61 Revisited",
    "Route 66",
    "19th Nervous Breakdown",
    "Mambo No. 5",
    "25 or 6 to 4",
    "8 Mile",
    "Electric Avenue",
    "Baker Street",
    "Penny Lane",
    "52nd Street",
    "Itchycoo Park",
    "Waterloo Sunset",
    "Village Green",
    "2 Become 1",
    "9 to 5",
    "Seven Nation Army",
    "One Love",
    "Hotel California",
    "Station to Station",
    "Blackbird",
    "Boulevard of Broken Dreams",
)
#: real company and brand names with a number
_NUMBERED_BRANDS = (
    "7-Eleven",
    "Motel 6",
    "Pier 1 Imports",
    "Forever 21",
    "Studio 54",
    "Channel 4",
    "Area 51 Games",
    "Super 8",
    "Route 66 Diner",
    "Gate 7 Logistics",
    "Square 1 Bank",
    "Century 21",
)
_LANGUAGES = (
    "English",
    "Deutsch",
    "Français",
    "Español",
    "Italiano",
    "Português",
    "Nederlands",
    "Polski",
    "Русский",
    "العربية",
    "日本語",
    "中文",
    "Türkçe",
    "Svenska",
    "हिन्दी",
)
_CURRENCIES = (
    "Euro",
    "US Dollar",
    "Pound Sterling",
    "Japanese Yen",
    "Swiss Franc",
    "Indian Rupee",
    "Brazilian Real",
    "Polish Zloty",
    "Swedish Krona",
    "Canadian Dollar",
    "Turkish Lira",
    "South African Rand",
)


def build_identifier_heldout3(values_per_column: int = VALUES_PER_COLUMN) -> list[EvalColumn]:
    """The third held-out split (:data:`HELDOUT3_LOCALES`, seeds of its own, address shapes of real
    tables and their negatives), built before the second held-out split's misses were worked on."""
    columns = _locale_columns(HELDOUT3_LOCALES, values_per_column, 982451653)
    columns.extend(_real_world_address_columns(values_per_column, 982451653))
    return columns
