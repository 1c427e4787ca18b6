"""Value-level tables and column-level checks for issue #13's classifiers (one table per category)."""

from __future__ import annotations

import base64
import json
import random

import pytest

from piimap.classifiers.address import (
    AddressClassifier,
    name_number_column,
    postal_code_strength,
    street_strength,
)
from piimap.classifiers.bank_account import bank_account_strength, find_ibans
from piimap.classifiers.credentials import credential_strength, find_credentials, is_jwt
from piimap.classifiers.credit_card import card_strength, find_cards
from piimap.classifiers.date_of_birth import DateOfBirthClassifier, birth_year
from piimap.classifiers.government_id import find_government_ids, identify_government_id
from piimap.classifiers.location import LocationClassifier, location_strength
from piimap.classifiers.user_agent import find_user_agents, user_agent_strength
from piimap.classifiers.username import find_usernames, handle_strength
from piimap.engine import build_classifiers, classify_samples
from piimap.model import ContainerHints, FieldRef, FieldSample
from piimap.settings import ScanSettings

NATIONAL = "user.government_id.national_identification_number"
TAX = "user.government_id.tax_id"


def scan(container: str, columns: dict[str, list[str]], settings: ScanSettings | None = None) -> dict:
    settings = settings or ScanSettings()
    samples = [FieldSample(FieldRef("t", container, name), tuple(values)) for name, values in columns.items()]
    findings, _ = classify_samples(samples, build_classifiers(settings), settings)
    return {(finding.field, finding.category): finding for finding in findings}


def _b64(document: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()


# --- government ids -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "named", "category"),
    [
        ("536-22-1234", False, NATIONAL),  # US SSN
        ("666-22-1234", False, None),  # area 666 is never issued
        ("900-22-1234", False, None),  # 9xx areas are ITINs, not SSNs
        ("536-00-1234", False, None),  # group 00
        ("536221234", False, None),  # bare 9 digits: only in a named field
        ("536221234", True, NATIONAL),
        ("255081416802538", False, NATIONAL),  # FR NIR with its key
        ("255081416802539", False, None),
        ("RSSMRA85T10A562S", False, TAX),  # IT codice fiscale
        ("RSSMRA85T10A562T", False, None),
        ("12345678Z", False, NATIONAL),  # ES DNI
        ("12345678A", False, None),
        ("X1234567L", False, NATIONAL),  # ES NIE
        ("AB 12 34 56 C", False, NATIONAL),  # UK NINO
        ("ZZ 12 34 56 C", False, None),  # the placeholder prefix test data uses
        ("ABCPE1234F", False, TAX),  # IN PAN
        ("390.533.447-05", False, TAX),  # BR CPF
        ("390.533.447-06", False, None),
        ("11010519491231002X", False, NATIONAL),  # CN RIC
        ("11010519491231002Y", False, None),
        ("2345 6789 0125", False, None),  # Aadhaar with a wrong Verhoeff digit
        ("000123457", True, None),  # neither an SSN (area 000) nor a BSN (11-proof)
        ("111222333", False, None),
        ("12345678903", True, None),  # not a valid Steuer-ID (repeats)
    ],
)
def test_government_id_values(value: str, named: bool, category: str | None) -> None:
    found = identify_government_id(value, named)
    assert (found[0] if found else None) == category


def test_government_id_columns_get_their_sub_category() -> None:
    found = scan(
        "people",
        {
            "ssn": ["536-22-1234", "078-05-1121", "219-09-9999", "457-55-5462"] * 15,
            "codice_fiscale": ["RSSMRA85T10A562S", "BNCLRA80A41H501Y"] * 30,
            "passport_no": ["C01X00T47", "L898902C3", "X1234567", "AB1234567"] * 15,
            "part_no": ["912-22-1234", "988-10-2222"] * 30,
        },
    )
    assert ("ssn", NATIONAL) in found and ("codice_fiscale", TAX) in found
    assert ("passport_no", "user.government_id.passport_number") in found
    assert not [key for key in found if key[0] == "part_no"]
    assert found[("ssn", NATIONAL)].examples[0].endswith(found[("ssn", NATIONAL)].examples[0][-3:])
    assert all("536-22-1234" not in example for example in found[("ssn", NATIONAL)].examples)


def test_government_ids_in_text() -> None:
    hits = find_government_ids("ssn=536-22-1234 cpf 390.533.447-05 ref 912-22-1234 phone 555-12-3456")
    assert [hit.text for hit in hits] == ["536-22-1234", "390.533.447-05", "555-12-3456"]


# --- cards ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "strength"),
    [
        ("4111111111111111", 0.95),
        ("4111 1111 1111 1111", 0.95),
        ("5500-0000-0000-0004", 0.95),
        ("378282246310005", 0.95),  # Amex, 15 digits
        ("3782 822463 10005", 0.95),  # Amex 4-6-5
        ("6011111111111117", 0.95),  # Discover
        ("3530111333300000", 0.95),  # JCB
        ("2200000000000004", 0.95),  # Mir
        ("4111111111111112", 0.0),  # Luhn fails
        ("9111111111111119", 0.0),  # no issuer starts with 9 ... and Luhn holds
        ("411111111111", 0.0),  # a Visa is never 12 digits
        ("4111 **** **** 1111", 0.85),
        ("411111******1111", 0.85),
        ("XXXX-XXXX-XXXX-1111", 0.85),
        ("**** **** **** 1111", 0.85),
        ("9111 **** **** 1111", 0.0),  # shown head in no issuer range
        ("4111 **12 **** 1111", 0.0),  # digits inside the mask
        ("****", 0.0),
    ],
)
def test_card_values(value: str, strength: float) -> None:
    assert card_strength(value) == strength


def test_cards_in_text_and_masked_examples() -> None:
    assert [hit.text for hit in find_cards("paid with 4111 1111 1111 1111 order 4111111111111112")] == [
        "4111 1111 1111 1111"
    ]
    found = scan("payments", {"c1": ["4111 1111 1111 1111", "5500 0000 0000 0004", "3782 822463 10005"] * 20})
    finding = found[("c1", "user.financial.credit_card")]
    assert finding.examples and all(example.count("*") >= 8 for example in finding.examples)


# --- bank accounts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "named", "strength"),
    [
        ("DE89370400440532013000", False, 0.95),
        ("DE89 3704 0044 0532 0130 00", False, 0.95),
        ("GB82WEST12345698765432", False, 0.95),
        ("DE89370400440532013001", False, 0.0),  # check digits
        ("DE8937040044053201300", False, 0.0),  # one character short for Germany
        ("DEUTDEFF500", False, 0.8),  # BIC-11
        ("DEUTDEFF", False, 0.0),  # 8 letters spell words too: only in a named field
        ("DEUTDEFF", True, 0.9),
        ("DEUTXXFF", True, 0.0),  # XX is no country
        ("HOSPITAL", False, 0.0),  # a BIC shape (HOSP IT AL): only a field name says so
    ],
)
def test_bank_account_values(value: str, named: bool, strength: float) -> None:
    assert bank_account_strength(value, named) == strength


def test_ibans_in_text() -> None:
    assert [
        hit.text for hit in find_ibans("refund to DE89 3704 0044 0532 0130 00 (not DE89370400440532013001)")
    ] == ["DE89 3704 0044 0532 0130 00"]


# --- credentials ----------------------------------------------------------------------------------

JWT = ".".join((_b64({"alg": "HS256", "typ": "JWT"}), _b64({"sub": "1234567890"}), "c2lnbmF0dXJlX2J5dGVz"))


@pytest.mark.parametrize(
    ("value", "named", "found"),
    [
        (JWT, False, True),
        (".".join((_b64({"typ": "JWT"}), _b64({"sub": "1"}), "c2ln")), False, False),  # header without alg
        ("eyJub3QganNvbg.eyJzdWIiOiIxIn0.c2ln", False, False),  # header is not JSON
        ("Bearer mF_9.B5f-4.1JqM_a7xY3Zk", False, True),
        ("Bearer short", False, False),
        ("$2b$12$" + "a" * 53, False, True),
        ("$2b$12$" + "a" * 52, False, False),
        ("$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzYWx0$" + "A" * 43, False, True),
        ("$6$rounds=5000$saltsalt$" + "b" * 86, False, True),
        ("$5$saltsalt$" + "c" * 43, False, True),
        ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", False, False),
        ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", True, True),
        ("correct horse battery staple", True, False),
    ],
)
def test_credential_values(value: str, named: bool, found: bool) -> None:
    assert (credential_strength(value, named) > 0) is found


def test_jwt_header_is_decoded_and_examples_show_no_secret() -> None:
    assert is_jwt(JWT)
    assert [hit.text for hit in find_credentials(f'GET /api Authorization: Bearer {JWT} "x"')] == [
        f"Bearer {JWT}"
    ]
    found = scan("sessions", {"token": [JWT] * 60, "hash": ["$2b$12$" + "a" * 53] * 60})
    examples = (
        found[("token", "user.authorization.credentials")].examples
        + found[("hash", "user.authorization.credentials")].examples
    )
    assert set(examples) <= {"eyJ***.***.***", "$2b$***"}


# --- user agents ----------------------------------------------------------------------------------

CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"


@pytest.mark.parametrize(
    ("value", "strength"),
    [
        (CHROME, 0.95),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148", 0.95),
        ("Dalvik/2.1.0 (Linux; U; Android 13; SM-S911B Build/TP1A.220624.014)", 0.85),
        ("ShopApp/4.2.1 (iPhone; iOS 17.0; Scale/3.00)", 0.85),
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", 0.0),
        ("curl/8.4.0", 0.0),
        ("python-requests/2.31.0", 0.0),
        ("Firefox 115 ESR", 0.0),
        ("MyApp/1.0", 0.0),
    ],
)
def test_user_agent_values(value: str, strength: float) -> None:
    assert user_agent_strength(value) == strength


def test_user_agents_in_access_logs(tmp_path) -> None:
    from piimap.cli import main

    log = tmp_path / "access.log"
    lines = [
        f'203.0.113.{i} - - [10/Oct/2026:13:55:36 +0000] "GET /p/{i} HTTP/1.1" 200 512 "-" "{CHROME}"'
        for i in range(1, 60)
    ]
    log.write_text("\n".join(lines) + "\n")
    out = tmp_path / "report.json"
    assert main(["scan", str(log), "--format", "json", "-o", str(out), "--no-store", "-q"]) == 0
    findings = json.loads(out.read_text())["findings"]
    agents = [finding for finding in findings if finding["category"] == "user.device.user_agent"]
    assert agents and all("537.36" not in example for finding in agents for example in finding["examples"])
    assert [hit.text for hit in find_user_agents(f'1.2.3.4 "GET /" 200 "-" "{CHROME}"')] == [CHROME]


# --- usernames ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "named", "found"),
    [
        ("jdoe", True, True),
        ("maria.garcia_84", True, True),
        ("山田太郎", True, True),
        ("jdoe", False, False),
        ("@jdoe", False, True),
        ("jane@example.com", True, False),  # an email address is user.contact.email
        ("12345", True, False),
        ("with space", True, False),
    ],
)
def test_handle_values(value: str, named: bool, found: bool) -> None:
    assert (handle_strength(value, named) > 0) is found


def test_usernames_in_auth_logs_and_enumerations() -> None:
    line = "Oct 10 13:55:36 host sshd[812]: Failed password for invalid user admin42 from 203.0.113.9 port 22 ssh2"
    assert [hit.text for hit in find_usernames(line)] == ["admin42"]
    assert [hit.text for hit in find_usernames("sshd[1]: Accepted publickey for alice from 10.0.0.1")] == [
        "alice"
    ]
    assert [
        hit.text for hit in find_usernames("pam_unix(sudo:session): session opened for user bob by (uid=0)")
    ] == ["bob"]
    assert not find_usernames("Accepted password for the user from the list")
    found = scan(
        "accounts", {"username": [f"user{i}x" for i in range(60)], "login_method": ["password", "sso"] * 30}
    )
    assert ("username", "user.account.username") in found
    assert not [key for key in found if key[0] == "login_method"]


# --- addresses ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "strength"),
    [
        ("1600 Pennsylvania Avenue NW", 0.9),
        ("12 rue de la Paix", 0.9),
        ("Hauptstraße 5", 0.9),
        ("Kerkstraat 12a", 0.9),
        ("Calle Mayor 3, 2º", 0.9),
        ("Via Roma 10", 0.9),
        ("ul. Marszałkowska 84/92", 0.9),
        ("東京都千代田区千代田1丁目1番1号", 0.9),
        ("Průjezdná 825", 0.45),  # a name and a number: only with a field name or a column of such lines
        ("Vukovarska 10c/7", 0.45),  # a house number with a letter and a flat
        ("Strada Mare Nr. 47 Bl. 4 Sc. 2 Ap. 95", 0.9),  # a Romanian street word
        ("Main Street", 0.0),  # no house number
        ("Order 66 shipped", 0.0),
        ("Cl. 190 # 7-5 Este", 0.9),  # Colombian: the street's number, then the house number after #
        ("Calle 45 # 12-3", 0.9),
        ("Calle 107W", 0.45),  # a numbered street's name, no house number
        ("Route 66", 0.45),
        ("Track 7", 0.45),  # a USPS suffix with only a number: not a street line on its own
        ("No. 80, Jln 2/8", 0.9),
        ("ჩარგლის ქ. 09", 0.9),  # Georgian
        ("16892 زینب خیابان واحد 474", 0.9),  # Persian
        ("רחוב הרצל 12", 0.9),  # Hebrew
        ("לילינבלום 39", 0.45),  # a name and a number in a script without case
        ("93 ถนนธูปหอม", 0.9),  # Thai: the street word glued to the name
        ("3 MƏLİK ASLANOV KÜÇƏSİ", 0.9),  # Azerbaijani
        ("1 E.QOCAYEV", 0.45),  # an initial and a name
        ("56 High Indlela", 0.9),  # Zulu
        ("1.2.3", 0.0),
    ],
)
def test_street_values(value: str, strength: float) -> None:
    assert street_strength(value) == strength


@pytest.mark.parametrize(
    ("value", "named", "regions", "found"),
    [
        ("SW1A 1AA", False, (), True),
        ("K1A 0B1", False, (), True),
        ("1012 AB", False, (), True),
        ("01310-100", False, (), True),
        ("94103", False, (), False),  # five digits: any integer id looks so
        ("94103", True, (), True),
        ("94103", True, ("GB",), False),  # the table's country says UK format
        ("10115", True, ("DE",), True),
        ("ABCDE", True, (), False),
        ("D91 E09Y", False, (), True),  # Eircode
        ("D6W 1234", False, (), True),
        ("C1425DFA", False, (), True),  # Argentinian CPA
        ("01310100", False, (), False),  # a CEP without its dash: only under a name
        ("01310100", True, ("BR",), True),
        ("AZ 1000", False, (), True),  # Google's address metadata: the country's postal prefix
        ("AZ1000", False, (), True),
        ("1000", True, ("AZ",), True),
        ("LT-01100", False, (), True),
        ("AD500", False, (), True),  # a format that opens with the country's letters
        ("KY1-1104", False, (), True),
        ("4000", False, (), False),  # digits only: only under a name
    ],
)
def test_postal_code_values(value: str, named: bool, regions: tuple[str, ...], found: bool) -> None:
    assert (postal_code_strength(value, named, regions) > 0) is found


_STREET_NAMES = "Hlavná Bratislavská Mlynská Školská Záhradná Nitrianska Poľná Krátka Lipová Jarná Hviezdna Dubová Brezová Lúčna Cintorínska Športová".split()


def test_a_column_of_names_with_house_numbers_is_street_lines() -> None:
    from faker import Faker

    fake = Faker("sk_SK")
    fake.seed_instance(7)
    rng = random.Random(7)
    lines = [f"{fake.street_name()} {rng.randint(1, 400)}{rng.choice(['', '', 'a'])}" for _ in range(60)]
    assert name_number_column(lines)
    assert ("c7", "user.contact.address.street") in scan("import", {"c7": lines})


@pytest.mark.parametrize(
    "make",
    [
        lambda rng: f"{rng.choice(('Level', 'Gate', 'Terminal', 'Room'))} {rng.randint(1, 60)}",
        lambda rng: f"{rng.choice(('Windows', 'iPhone', 'Pixel', 'Model'))} {rng.randint(3, 16)}",
        lambda rng: f"{rng.choice(_STREET_NAMES)} {rng.randint(1950, 2024)}",  # a name and a year
        lambda rng: (
            f"{rng.choice(('Anna', 'Peter', 'Maria', 'John'))} {rng.choice(_STREET_NAMES)} {rng.randint(1, 99)}"
        ),
        lambda rng: f"{rng.choice(_STREET_NAMES)} {rng.choice(('Pro', 'Max', 'Lite'))} {rng.randint(2, 16)}",
    ],
    ids=["levels and gates", "products", "years", "person names", "product lines"],
)
def test_same_shape_columns_are_not_street_lines(make) -> None:
    rng = random.Random(11)
    values = [make(rng) for _ in range(60)]
    assert not name_number_column(values)
    assert not [key for key in scan("import", {"c7": values}) if key[1] == "user.contact.address.street"]


def test_zip_column_is_not_an_integer_id_column() -> None:
    zips = [f"{90000 + i * 37:05d}" for i in range(60)]
    found = scan("customers", {"zip": zips, "customer_id": zips})
    assert ("zip", "user.contact.address.postal_code") in found
    assert not [key for key in found if key[0] == "customer_id"]


def test_address_columns_get_their_part() -> None:
    found = scan(
        "customers",
        {
            "address_line1": ["12 rue de la Paix", "Hauptstraße 5", "1600 Pennsylvania Avenue NW"] * 20,
            "city": ["Paris", "Berlin", "São Paulo", "東京"] * 15,
            "country": ["France", "DE", "Brasil", "Japan"] * 15,
            "postcode": ["75002", "10115", "01310-100", "100-0001"] * 15,
        },
    )
    assert {category for (_field, category) in found if category.startswith("user.contact.address")} == {
        "user.contact.address.street",
        "user.contact.address.city",
        "user.contact.address.country",
        "user.contact.address.postal_code",
    }
    assert (
        AddressClassifier(ScanSettings()).classify(
            FieldSample(FieldRef("t", "x", None), ("12 rue de la Paix",))
        )
        == ()
    )


def test_postal_codes_follow_the_tables_countries() -> None:
    hints = ContainerHints(("GB",))
    sample = FieldSample(FieldRef("t", "customers", "postcode"), tuple(["94103", "10115"] * 30), hints=hints)
    assert not AddressClassifier(ScanSettings()).classify(sample)


# --- precise location -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("48.858370, 2.294481", True),
        ("(40.7128 -74.0060)", True),
        ("POINT(2.294481 48.858370)", True),
        ('{"type": "Point", "coordinates": [2.294481, 48.858370]}', True),
        ('{"type": "Feature", "geometry": {"type": "Point", "coordinates": [-74.006, 40.7128]}}', True),
        ('{"type": "LineString", "coordinates": [[2.29, 48.85], [2.3, 48.86]]}', False),
        ("1.5, 2.25", False),  # not precise
        ("95.123456, 2.123456", False),  # latitude out of range
        ("0.000, 0.000", False),  # null island
        ("u09tunq", False),  # a geohash only in a field named for it
    ],
)
def test_location_values(value: str, found: bool) -> None:
    assert (location_strength(value) > 0) is found
    assert location_strength("u09tunqu", geohash=True) > 0


def test_lat_lon_columns_but_not_float_columns() -> None:
    classifier = LocationClassifier(ScanSettings())
    lat = FieldSample(FieldRef("t", "checkins", "latitude"), tuple(f"{40 + i / 997:.5f}" for i in range(60)))
    score = FieldSample(FieldRef("t", "checkins", "score"), tuple(f"{40 + i / 997:.5f}" for i in range(60)))
    (detection,) = classifier.classify(lat)
    assert detection.confidence >= 0.9 and detection.examples[0].startswith("40.")
    assert "*" in detection.examples[0]
    assert not classifier.classify(score)


# --- dates of birth -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "year"),
    [
        ("1984-03-27", 1984),
        ("27/03/1984", 1984),
        ("03/27/1984", 1984),
        ("27.03.1984", 1984),
        ("19840327", 1984),
    ],
)
def test_birth_dates_are_read(value: str, year: int) -> None:
    assert int(birth_year(value)) == year


def test_birth_columns_by_name_and_by_spread() -> None:
    import random
    from datetime import date, timedelta

    rng = random.Random(5)
    births = [(date(1940, 1, 1) + timedelta(days=rng.randint(0, 28000))).isoformat() for _ in range(80)]
    recent = [(date.today() - timedelta(days=rng.randint(0, 2000))).isoformat() for _ in range(80)]
    classifier = DateOfBirthClassifier(ScanSettings())

    def detect(field: str, values: list[str]):
        return list(classifier.classify(FieldSample(FieldRef("t", "people", field), tuple(values))))

    assert detect("dob", births)[0].confidence >= 0.9
    assert detect("c3", births)[0].confidence >= 0.5  # birth-like spread, no name
    assert not detect("created_at", births)  # named for an event
    assert not detect("c4", recent)  # order / sign-up dates: ages of a few years
    assert all("*" in example for example in detect("dob", births)[0].examples)


def test_a_business_address_is_no_persons() -> None:
    columns = {
        "country": ["France", "Germany", "Japan"] * 20,
        "street": ["12 rue de la Paix", "Hauptstraße 5"] * 30,
    }
    assert not [key for key in scan("suppliers", columns) if key[1].startswith("user.contact.address")]
    assert {key[1] for key in scan("customers", columns)} >= {
        "user.contact.address.country",
        "user.contact.address.street",
    }


def test_a_city_is_an_address_part_only_in_a_table_of_people_or_under_a_telling_name() -> None:
    columns = {"city": ["Paris", "Lyon", "Berlin"] * 20, "street": ["12 rue de la Paix"] * 60}
    found = {key[1] for key in scan("unknown:weather.example", columns)}  # ?city=Paris to a weather API
    assert "user.contact.address.city" not in found and "user.contact.address.street" in found
    assert "user.contact.address.city" not in {key[1] for key in scan("geo", columns)}
    assert ("billing_city", "user.contact.address.city") in scan(
        "payments", {"billing_city": columns["city"]}
    )
    assert ("city", "user.contact.address.city") in scan("users", {"city": columns["city"]})


@pytest.mark.parametrize(
    ("name", "region"),
    [
        ("Germany", "DE"),
        ("გერმანია", "DE"),  # Georgian, Armenian, Hebrew, Persian: CLDR's names, through Babel
        ("Գերմանիա", "DE"),
        ("גרמניה", "DE"),
        ("آلمان", "DE"),
        ("Japonya", "JP"),
        ("Portugal", "PT"),
    ],
)
def test_country_names_in_many_languages(name: str, region: str) -> None:
    from piimap.classifiers.phone import country_regions

    assert country_regions((name,), codes=True, share=1.0) == (region,)


def test_a_language_or_a_company_is_not_a_country() -> None:
    from piimap.classifiers.phone import country_regions

    assert country_regions(("Deutsch", "Siemens AG", "Berlin"), codes=True) == ()
