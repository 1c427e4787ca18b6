"""Field-name evidence: what a column or document path's name says about its category.

A field name is split into lower-case words (``customerEmail`` -> ``customer email``,
``user.contact.phone_number`` -> ``phone number`` with ``contact`` as context). Each category has
*strong* phrases (the name says it: ``email``, ``last_name``, ``idfa``), *weak* phrases (a hint:
``contact``, ``handle``) and *contradicting* words (the name says something else: ``order_id``,
``version``, ``product_name``). Users add their own rules in the config (``field_rules``), which
win over the built-in ones. The weights come from :mod:`piimap.classifiers.scoring`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from piimap.classifiers.scoring import CONTRADICTING_NAME, NO_NAME, STRONG_NAME, WEAK_NAME
from piimap.model import FieldRef

__all__ = ["NameEvidence", "FieldWords", "field_words", "name_evidence", "CATEGORY_RULES"]

EMAIL = "user.contact.email"
PHONE = "user.contact.phone_number"
IP = "user.device.ip_address"
DEVICE = "user.device.device_id"
COOKIE = "user.device.cookie_id"
NAME = "user.name"


@dataclass(frozen=True)
class NameEvidence:
    """The field-name evidence for one category: a weight and a human reason."""

    weight: float
    reason: str

    @property
    def supports(self) -> bool:
        return self.weight > 0

    @property
    def strong(self) -> bool:
        return self.weight >= STRONG_NAME

    @property
    def contradicts(self) -> bool:
        return self.weight < 0


NO_EVIDENCE = NameEvidence(NO_NAME, "")


@dataclass(frozen=True)
class FieldWords:
    """A field name split into words: ``leaf`` (the last path segment) and ``context`` (parents, container)."""

    leaf: tuple[str, ...]
    parent: tuple[str, ...]
    container: tuple[str, ...]
    text: str

    @property
    def joined(self) -> str:
        return "".join(self.leaf)


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SPLIT = re.compile(r"[^0-9A-Za-z\u00C0-\uFFFF]+")


def _words(text: str) -> tuple[str, ...]:
    text = _CAMEL.sub(" ", text)
    return tuple(word.lower() for word in _SPLIT.split(text) if word)


@lru_cache(maxsize=4096)
def _field_words_cached(container: str, name: str | None) -> FieldWords:
    if not name:
        return FieldWords((), (), _words(container.rsplit("/", 1)[-1].rsplit(".", 1)[-1]), "")
    segments = [segment.removesuffix("[]") for segment in name.split(".") if segment]
    leaf = _words(segments[-1]) if segments else ()
    parent = _words(segments[-2]) if len(segments) > 1 else ()
    table = container.rsplit("/", 1)[-1]
    table = table.rsplit(".", 1)[-1] if "." in table else table
    return FieldWords(leaf, parent, _words(table), name)


def field_words(field: FieldRef) -> FieldWords:
    """The words of ``field``'s name and its container's last name segment."""
    return _field_words_cached(field.container, field.name)


@dataclass(frozen=True)
class CategoryRule:
    """Built-in name rules of one category (phrases are tuples of words)."""

    strong: tuple[tuple[str, ...], ...]
    weak: tuple[tuple[str, ...], ...] = ()
    contradicting: frozenset[str] = frozenset()
    #: long words also recognised glued to another word (``useremail``, ``clientphone``)
    glued: tuple[str, ...] = ()


def _phrases(*texts: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(text.split()) for text in texts)


_ID_WORDS = frozenset(
    {"order", "invoice", "sku", "product", "transaction", "txn", "payment", "ticket", "booking"}
)

CATEGORY_RULES: dict[str, CategoryRule] = {
    EMAIL: CategoryRule(
        strong=_phrases(
            "email", "e mail", "mail", "emailaddress", "mail address", "email address", "courriel"
        ),
        weak=_phrases("contact", "login", "recipient", "sender", "reply to", "from", "to", "cc", "bcc"),
        contradicting=frozenset(
            {"hash", "sha", "md5", "digest", "verified", "count", "template", "domain", "status"}
        ),
        glued=("email",),
    ),
    PHONE: CategoryRule(
        strong=_phrases(
            "phone",
            "telephone",
            "tel",
            "mobile",
            "cell",
            "cellphone",
            "msisdn",
            "fax",
            "phonenumber",
            "phone number",
            "contact number",
            "mobile number",
            "whatsapp",
            "telefon",
            "telefone",
            "telephone number",
        ),
        weak=_phrases("contact", "number", "callback"),
        contradicting=frozenset(
            {
                "id",
                "price",
                "amount",
                "total",
                "ts",
                "timestamp",
                "time",
                "date",
                "year",
                "count",
                "qty",
                "quantity",
                "version",
                "zip",
                "postal",
                "postcode",
                "account",
                "iban",
                "balance",
                "epoch",
                "created",
                "updated",
                "sku",
                "number_of",
                "size",
                "bytes",
                "duration",
                "ms",
                "latency",
            }
            | _ID_WORDS
        ),
        glued=("phone", "mobile", "msisdn"),
    ),
    IP: CategoryRule(
        strong=_phrases(
            "ip",
            "ipaddress",
            "ip address",
            "ip addr",
            "ipv4",
            "ipv6",
            "remote addr",
            "remote address",
            "client ip",
            "x forwarded for",
            "forwarded for",
            "src ip",
            "dst ip",
            "source ip",
            "peer ip",
            "clientip",
            "remoteip",
            "ipaddr",
        ),
        weak=_phrases("addr", "host", "remote", "peer", "client address"),
        contradicting=frozenset(
            {"version", "ver", "oid", "build", "release", "semver", "firmware", "os", "app"}
        ),
        glued=("ipaddress", "ipaddr"),
    ),
    DEVICE: CategoryRule(
        strong=_phrases(
            "idfa",
            "idfv",
            "gaid",
            "adid",
            "aaid",
            "advertising id",
            "ad id",
            "advertisingid",
            "device id",
            "deviceid",
            "android id",
            "androidid",
            "imei",
            "mac",
            "mac address",
            "macaddress",
            "udid",
            "hardware id",
            "device identifier",
            "ifa",
            "maid",
            "mobile ad id",
            "device uuid",
            "bssid",
            "ether",
            "ethaddr",
            "hw addr",
            "hwaddr",
            "hw address",
            "hardware address",
            "mac addr",
            "macaddr",
            "wifi mac",
            "bt addr",
            "bluetooth address",
            "meid",
        ),
        weak=_phrases("device", "hardware", "handset"),
        contradicting=frozenset({"type", "model", "name", "os", "brand", "version", "vendor"} | _ID_WORDS),
        glued=("deviceid", "idfa", "gaid", "imei", "macaddress", "androidid", "bssid", "macaddr", "hwaddr"),
    ),
    COOKIE: CategoryRule(
        strong=_phrases(
            "cookie",
            "cookie id",
            "cookieid",
            "session",
            "session id",
            "sessionid",
            "sid",
            "ga",
            "gid",
            "ga client id",
            "client id ga",
            "ga cid",
            "cid",
            "visitor",
            "visitor id",
            "visitorid",
            "anonymous id",
            "anon id",
            "anonymousid",
            "fbp",
            "fbc",
            "tracking id",
            "browser id",
            "utma",
            "amp id",
            "ajs anonymous id",
            "ajs user id",
        ),
        weak=_phrases("client id", "tracker", "tracking"),
        contradicting=frozenset(
            {
                "count",
                "timeout",
                "expiry",
                "expires",
                "duration",
                "length",
                "name",
                "domain",
                "path",
                "status",
                "secure",
                "samesite",
            }
            | _ID_WORDS
        ),
        glued=("sessionid", "cookieid", "visitorid"),
    ),
    NAME: CategoryRule(
        strong=_phrases(
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
        weak=_phrases(
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
    ),
}

#: container (table / collection) words that make a bare ``name`` column a person's name, or not.
_PERSON_CONTAINERS = frozenset(
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
_THING_CONTAINERS = CATEGORY_RULES[NAME].contradicting | frozenset(
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


def _has_phrase(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    if size == 1:
        return phrase[0] in words
    return any(words[index : index + size] == phrase for index in range(len(words) - size + 1))


def _match(
    words: tuple[str, ...], joined: str, phrases: tuple[tuple[str, ...], ...], glued: tuple[str, ...]
) -> str:
    for phrase in phrases:
        if _has_phrase(words, phrase) or (len(phrase) > 1 and joined == "".join(phrase)):
            return " ".join(phrase)
    for stem in glued:
        if any(
            word != stem and len(word) > len(stem) and (word.endswith(stem) or word.startswith(stem))
            for word in words
        ):
            return stem
    return ""


@lru_cache(maxsize=8192)
def _builtin_evidence(words: FieldWords, category: str) -> NameEvidence:
    rule = CATEGORY_RULES.get(category)
    if rule is None or not words.text:
        return NO_EVIDENCE
    leaf, joined = words.leaf, words.joined
    contradiction = next((word for word in leaf if word in rule.contradicting), "")
    if not contradiction and joined in rule.contradicting:
        contradiction = joined
    if not contradiction and " ".join(leaf) in rule.contradicting:
        contradiction = " ".join(leaf)
    strong = _match(leaf, joined, rule.strong, rule.glued)
    if category == NAME:
        return _name_evidence(words, strong, contradiction)
    if strong and contradiction:
        # ``order_phone`` is still a phone; ``order_number`` / ``transaction_id`` are identifiers
        is_identifier = bool(set(leaf) & _ID_WORDS) and leaf[-1] in {"id", "number", "no", "nr", "key", "ref"}
        head_contradicts = leaf[-1] in rule.contradicting and leaf[-1] not in strong.split()
        if not is_identifier and not head_contradicts:
            return NameEvidence(STRONG_NAME, f"field name '{words.text}' says '{strong}'")
    if contradiction:
        return NameEvidence(CONTRADICTING_NAME, f"field name '{words.text}' says '{contradiction}'")
    if strong:
        return NameEvidence(STRONG_NAME, f"field name '{words.text}' says '{strong}'")
    # ``contact.phone.number``: a generic leaf under a telling parent
    # (only a bare generic leaf: ``visitor.advertising_id`` is about advertising, not the visitor)
    if (
        len(leaf) == 1
        and leaf[0] in {"number", "value", "address", "id", "no", "nr", "addr"}
        and words.parent
    ):
        parent_match = _match(words.parent, "".join(words.parent), rule.strong, rule.glued)
        if parent_match:
            return NameEvidence(STRONG_NAME, f"field path '{words.text}' says '{parent_match}'")
    weak = _match(leaf, joined, rule.weak, ())
    if weak:
        return NameEvidence(WEAK_NAME, f"field name '{words.text}' hints '{weak}'")
    return NO_EVIDENCE


def _name_evidence(words: FieldWords, strong: str, contradiction: str) -> NameEvidence:
    leaf = words.leaf
    if strong and (not contradiction or " ".join(leaf).endswith(strong)) and contradiction != " ".join(leaf):
        return NameEvidence(STRONG_NAME, f"field name '{words.text}' says '{strong}'")
    if contradiction:
        return NameEvidence(CONTRADICTING_NAME, f"field name '{words.text}' says '{contradiction}'")
    if leaf in {("name",), ("names",)} or leaf == ("full",):
        container = set(words.container) | set(words.parent)
        thing = container & _THING_CONTAINERS
        if thing:
            return NameEvidence(CONTRADICTING_NAME, f"'name' of a '{sorted(thing)[0]}' record")
        person = container & _PERSON_CONTAINERS
        if person:
            return NameEvidence(STRONG_NAME, f"'name' of a '{sorted(person)[0]}' record")
        return NameEvidence(WEAK_NAME, f"field name '{words.text}' hints 'name'")
    rule = CATEGORY_RULES[NAME]
    weak = _match(leaf, words.joined, rule.weak, ())
    if weak:
        return NameEvidence(WEAK_NAME, f"field name '{words.text}' hints '{weak}'")
    return NO_EVIDENCE


def name_evidence(field: FieldRef, category: str, rules: tuple = ()) -> NameEvidence:
    """Field-name evidence for ``category``: user ``rules`` (config ``field_rules``) first, then built-in ones."""
    for rule in rules:
        verdict = rule.evidence_for(field, category)
        if verdict is not None:
            return verdict
    return _builtin_evidence(field_words(field), category)
