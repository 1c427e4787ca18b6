"""Given names and surnames from Faker's locale providers, loaded lazily and once per process.

Faker (a maintained PyPI package) ships curated first-name and last-name lists for dozens of
locales, in their own scripts (Latin, Cyrillic, Kanji, Hangul, Devanagari...). piimap uses them as a
dictionary so that single first names or surnames, lower-case and ALL CAPS names, and names spaCy's
small English model does not know are still recognised. Common English words that happen to be
surnames in some list (``Street``, ``Will``) are dropped using spaCy's English stop words and a
short list of place and company words. When Faker is not installed the lists are empty and the
person-name classifier falls back to spaCy and field names.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

__all__ = ["NameLists", "fold", "name_lists", "LOCALES", "NOT_NAMES", "PLACE_FIRST_WORDS", "PLACE_LAST_WORDS"]

log = logging.getLogger(__name__)

#: Faker locales whose name lists are loaded (Latin-script first, then other scripts); every other
#: locale Faker ships a person provider for is loaded after them (:func:`_locales`)
LOCALES = (
    "en_US",
    "en_GB",
    "en_IN",
    "en_CA",
    "en_AU",
    "en_IE",
    "en_NZ",
    "de_DE",
    "de_AT",
    "de_CH",
    "fr_FR",
    "fr_CA",
    "es_ES",
    "es_MX",
    "it_IT",
    "pt_BR",
    "pt_PT",
    "nl_NL",
    "pl_PL",
    "sv_SE",
    "da_DK",
    "no_NO",
    "fi_FI",
    "cs_CZ",
    "tr_TR",
    "id_ID",
    "vi_VN",
    "fil_PH",
    "ru_RU",
    "uk_UA",
    "el_GR",
    "ja_JP",
    "zh_CN",
    "zh_TW",
    "ko_KR",
    "hi_IN",
    "ar_AA",
    "he_IL",
    "th_TH",
)


def _locales() -> tuple[str, ...]:
    """:data:`LOCALES`, then every other locale with a Faker person provider (in name order)."""
    try:
        import pkgutil

        import faker.providers.person as person
    except ImportError:
        return LOCALES
    others = sorted(module.name for module in pkgutil.iter_modules(person.__path__) if "_" in module.name)
    return LOCALES + tuple(locale for locale in others if locale not in LOCALES)


#: words that are in some locale's name list but are far more often something else
NOT_NAMES = frozenset(
    """
    street road avenue lane park lake port mount north south east west new old city town village hill valley
    river bay beach field fields wood woods green brown white black gray grey red blue gold silver rose
    king queen prince bishop church chapel hall house mill wells ford bridge bank banks stone rock
    group inc llc ltd corp company co plc gmbh ag sa sarl ltda kg and the of for with from data test user
    admin system service support sales info contact team office store shop market price order item product
    online digital global international solutions services systems technologies partners associates
    holdings industries enterprises consulting media network software active inactive pending closed open
    new used true false none null yes no male female other unknown jazz pop blues rock metal country
    drama comedy action horror music art love summer winter spring autumn fall day night morning
    """.split()
)


#: a value starting with one of these is a place (``North Johnmouth``, ``Lake Jennifer``)
PLACE_FIRST_WORDS = frozenset(
    "north south east west new lake port mount mt fort saint san santa los las".split()
)
#: a value ending with one of these is an address or a place (``Main Street``, ``Cedar Falls``)
PLACE_LAST_WORDS = frozenset(
    """street st road rd avenue ave boulevard blvd drive court ct place pl square sq city town village county
    valley river lake bay beach heights springs falls island harbor harbour station airport""".split()
)


#: hiragana to katakana (the lists hold kana readings in katakana; readings come in both)
_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}


def fold(word: str) -> str:
    """How a word is looked up: case-folded, hiragana as katakana."""
    folded = word.casefold()
    return folded if folded.isascii() else folded.translate(_HIRAGANA_TO_KATAKANA)


@dataclass(frozen=True)
class NameLists:
    """Folded (:func:`fold`) given names and surnames; ``common`` are list entries that are also common words."""

    first: frozenset[str]
    last: frozenset[str]
    common: frozenset[str] = frozenset()
    #: words that open or close street, place and company names in Faker's address and company
    #: providers and are no listed name (``Mission``, ``rue``, ``Strada``, ``Kft``, ``TNHH``)
    not_person_words: frozenset[str] = frozenset()

    def is_not_person_word(self, word: str) -> bool:
        return fold(word).strip(".,") in self.not_person_words

    def is_first(self, word: str) -> bool:
        return fold(word) in self.first

    def is_last(self, word: str) -> bool:
        return fold(word) in self.last

    def is_name(self, word: str) -> bool:
        folded = fold(word)
        return folded in self.first or folded in self.last

    def is_distinctive(self, word: str) -> bool:
        """A list entry that is not also a common word: enough on its own in a name column."""
        folded = fold(word)
        return (folded in self.first or folded in self.last) and folded not in self.common


_lock = threading.Lock()
_loaded: NameLists | None = None


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [item for key in value for item in _strings(key)]
    if isinstance(value, (list, tuple, set, frozenset)):
        return [item for element in value for item in _strings(element)]
    return []


def _list_kind(attribute: str, first: set[str], last: set[str]) -> set[str] | None:
    """Where a person provider's list attribute goes: given names (``first_names``, ``middle_names``,
    ``first_kana_names``), surnames (``last_names``, ``male_last_names``), or nowhere (``language_names``)."""
    if attribute.startswith("_") or not attribute.endswith(("names", "names_male", "names_female")):
        return None
    if "last" in attribute or "surname" in attribute or "family" in attribute:
        return last
    if attribute == "romanized_names":
        return last
    if "first" in attribute or "middle" in attribute or "given" in attribute:
        return first
    return None


def _load() -> NameLists:
    first: set[str] = set()
    last: set[str] = set()
    for locale in _locales():
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except (ImportError, AttributeError):
            continue
        for attribute in dir(provider):
            target = _list_kind(attribute, first, last)
            if target is None:
                continue
            for name in _strings(getattr(provider, attribute, ())):
                for part in name.replace("-", " ").split():
                    if len(part) >= 2 or not part.isascii():
                        target.add(fold(part))
    try:
        from spacy.lang.en.stop_words import STOP_WORDS
    except ImportError:  # spaCy is a dependency; be safe anyway
        STOP_WORDS = set()
    stop = {word.casefold() for word in STOP_WORDS} | NOT_NAMES
    if not first:
        log.warning("Faker name lists are not available; person names rely on spaCy and field names only")
    places = _not_person_words() - first - last
    return NameLists(frozenset(first), frozenset(last), frozenset(stop & (first | last)), frozenset(places))


#: provider lists whose words open or close place, street and company names
_NOT_PERSON_LISTS = {
    "address": (
        "street_suffixes",
        "street_suffixes_long",
        "street_suffixes_short",
        "street_prefixes",
        "street_prefixes_long",
        "street_titles",
        "city_suffixes",
        "city_prefixes",
    ),
    "company": ("company_suffixes", "company_prefixes"),
}


def _not_person_words() -> set[str]:
    """Street, city and company prefixes and suffixes of every Faker locale, word by word, folded."""
    import pkgutil

    words: set[str] = set()
    for kind, attributes in _NOT_PERSON_LISTS.items():
        try:
            package = importlib.import_module(f"faker.providers.{kind}")
        except ImportError:
            continue
        for module in pkgutil.iter_modules(package.__path__):
            try:
                provider = importlib.import_module(f"faker.providers.{kind}.{module.name}").Provider
            except (ImportError, AttributeError):
                continue
            for attribute in attributes:
                for text in _strings(getattr(provider, attribute, ())):
                    for word in text.split():
                        word = word.strip(".,()")
                        if len(word) >= 2 and word.replace(".", "").isalpha():
                            words.add(fold(word))
    return words


def _cache_file() -> Path | None:
    """Where the built lists are kept between runs (importing 39 Faker locales takes seconds)."""
    try:
        from importlib.metadata import version

        faker_version = version("Faker")
    except Exception:
        return None
    key = hashlib.sha256(
        f"{faker_version}|{','.join(_locales())}|{sorted(NOT_NAMES)}|5".encode()
    ).hexdigest()[:16]
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "piimap"
    return base / f"names-{key}.txt"


def _read_cache(path: Path) -> NameLists | None:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    sections = text.split("\n\x1e\n")
    if len(sections) != 4:
        return None
    first, last, common, places = (frozenset(filter(None, section.split("\n"))) for section in sections)
    return NameLists(first, last, common, places) if first and last else None


def _write_cache(path: Path, lists: NameLists) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        parts = (lists.first, lists.last, lists.common, lists.not_person_words)
        body = "\n\x1e\n".join("\n".join(sorted(part)) for part in parts)
        temporary.write_text(body, encoding="utf-8")
        temporary.replace(path)
    except OSError as error:  # a read-only home is fine: build the lists again next time
        log.debug("name list cache not written: %s", error)


def name_lists() -> NameLists:
    """The process-wide name lists (loaded on first call, thread-safe, cached on disk between runs)."""
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                cache = _cache_file()
                lists = _read_cache(cache) if cache is not None else None
                if lists is None:
                    lists = _load()
                    if cache is not None and lists.first:
                        _write_cache(cache, lists)
                _loaded = lists
    return _loaded
