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

__all__ = ["NameLists", "name_lists", "LOCALES", "NOT_NAMES", "PLACE_FIRST_WORDS", "PLACE_LAST_WORDS"]

log = logging.getLogger(__name__)

#: Faker locales whose name lists are loaded (Latin-script first, then other scripts).
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


@dataclass(frozen=True)
class NameLists:
    """Case-folded given names and surnames; ``common`` are list entries that are also common words."""

    first: frozenset[str]
    last: frozenset[str]
    common: frozenset[str] = frozenset()

    def is_first(self, word: str) -> bool:
        return word.casefold() in self.first

    def is_last(self, word: str) -> bool:
        return word.casefold() in self.last

    def is_name(self, word: str) -> bool:
        folded = word.casefold()
        return folded in self.first or folded in self.last

    def is_distinctive(self, word: str) -> bool:
        """A list entry that is not also a common word: enough on its own in a name column."""
        folded = word.casefold()
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


def _load() -> NameLists:
    first: set[str] = set()
    last: set[str] = set()
    for locale in LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except (ImportError, AttributeError):
            continue
        for attribute in dir(provider):
            if attribute.startswith("_") or not attribute.endswith(("names", "names_male", "names_female")):
                continue
            if attribute.startswith(("first", "last")) or attribute in ("romanized_names",):
                target = first if attribute.startswith("first") else last
                for name in _strings(getattr(provider, attribute, ())):
                    for part in name.replace("-", " ").split():
                        if len(part) >= 2 or not part.isascii():
                            target.add(part.casefold())
    try:
        from spacy.lang.en.stop_words import STOP_WORDS
    except ImportError:  # spaCy is a dependency; be safe anyway
        STOP_WORDS = set()
    stop = {word.casefold() for word in STOP_WORDS} | NOT_NAMES
    if not first:
        log.warning("Faker name lists are not available; person names rely on spaCy and field names only")
    return NameLists(frozenset(first), frozenset(last), frozenset(stop & (first | last)))


def _cache_file() -> Path | None:
    """Where the built lists are kept between runs (importing 39 Faker locales takes seconds)."""
    try:
        from importlib.metadata import version

        faker_version = version("Faker")
    except Exception:
        return None
    key = hashlib.sha256(f"{faker_version}|{','.join(LOCALES)}|{sorted(NOT_NAMES)}|2".encode()).hexdigest()[
        :16
    ]
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "piimap"
    return base / f"names-{key}.txt"


def _read_cache(path: Path) -> NameLists | None:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    sections = text.split("\n\x1e\n")
    if len(sections) != 3:
        return None
    first, last, common = (frozenset(filter(None, section.split("\n"))) for section in sections)
    return NameLists(first, last, common) if first and last else None


def _write_cache(path: Path, lists: NameLists) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        body = "\n\x1e\n".join("\n".join(sorted(part)) for part in (lists.first, lists.last, lists.common))
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
