"""Reading statements out of a privacy policy: who collects which data, who receives it, what is denied.

The approach follows PoliGraph (Cui et al., USENIX Security 2023) and PolicyLint (Andow et al.,
USENIX Security 2019): find data-type phrases and recipient phrases in each sentence, find the
verbs of collection ("collect", "receive", "use", "store", ...), of giving ("provide", "share",
"disclose", "submit", ...) and of sale ("sell", "rent"), and connect them through spaCy's
dependency parse:

- a data phrase belongs to the nearest such verb above it in the parse, within the same clause
  (a phrase under another verb, "to verify your phone number", does not belong to "we use");
  words that only list or qualify ("including", "such as", "derived from") are looked through,
  and so are participles that describe a noun ("the information *collected* for these purposes");
- a verb shares the subject, object and negation of the verbs it is coordinated with ("we do not
  rent or sell", "we collect and share");
- the subject says who acts: the policy's author ("we", "our servers", the company's own name),
  the person ("you", "users", an imperative "include your address"), or a third party (a
  recipient phrase, or "they" / "their SDKs" for the recipients just named);
- a collecting verb whose subject is a third party means data reaches that third party
  ("Google Analytics receives your IP address"); a giving verb says data reaches us when the
  person gives it, and reaches a recipient when we give it ("to", "with", "into");
- negation ("not", "never", "nor") turns a statement into an explicit denial; "except", "unless"
  and conditions mark denials that only hold in part; verbs inside choices and rights ("opt out
  of our sharing", "whether and how we have sold") say nothing about practice and are skipped.

Data named after "including", "such as" or "together with" belongs to the verb of the data named
before the marker (PoliGraph's subsumption), even when the parser hung it on a subordinate verb in
between; "account and health data" names both kinds; what a container "sent to X" contains goes to
X. Table rows are read by their columns, not parsed as sentences: the recipient column names who
receives what the data column names, "collected" / "disclosed" / "sold" answers say which actions
the row takes back, purpose and source columns are not data.

Sentences that name data without a verb take their meaning from context: list items from the
sentence that introduces them ("we automatically collect:"), "The information includes ..."
from the statement before it, fragments from a heading that says what the section is about
("What do you collect when I sign up?"). A definition ("Personal Information may include ...
device identifiers") makes its examples collected when the policy says it collects that term.

Known limits: pronouns other than "they"/"their" are not resolved ("we never share *it*"); verbs
outside the lists (e.g. "hand over") are not read; sentences the parser gets wrong may be read
wrongly. Every statement carries its sentence, so a person reviews what was read.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from piimap.policytext.document import Block, PolicyDocument
from piimap.policytext.model import ALL_COLLECTED, ANY_RECIPIENT, Citation, Statement
from piimap.policytext.ontology import (
    ACTION_HEADING,
    BUSINESS_TRANSFER_CONTEXT,
    CONTAINER_PHRASE,
    DATA_TERMS,
    FIRST_PARTY,
    KIND_EXCLUDED,
    KIND_GENERIC,
    KIND_PERSONAL,
    KIND_SPECIFIC,
    KIND_UNSPECIFIC,
    LEGAL_PURPOSE,
    MARKETING_PURPOSE,
    RECIPIENT_TERMS,
    SHARING_HEADING,
    USER_SIDE,
    DataTerm,
    RecipientTerm,
)

__all__ = ["Unit", "segment", "extract_statements"]

COLLECT_VERBS = frozenset(
    "collect gather obtain receive record capture acquire log store keep retain process use access see read "
    "track infer get save hold ask monitor combine create tokenize tokenise host handle analyze analyse verify "
    "maintain compile request solicit set place".split()
)
GIVE_VERBS = frozenset(
    "provide give submit enter send share disclose transfer tell upload supply transmit pass release need "
    "require add report furnish forward".split()
)
SALE_VERBS = frozenset("sell rent lease trade".split())
#: Verbs a data phrase is looked through on its way up to the verb it belongs to.
PASS_THROUGH = frozenset("include contain consist comprise derive relate involve like such".split())
#: Subjects that are things of the product, not parties: what they send or report reaches us.
_PRODUCT_THINGS = frozenset(
    "it thermostat device app application game sensor pixel camera watch tracker vehicle car doorbell "
    "speaker scale lock wearable headset robot console toy".split()
)
#: Ancestors that make a verb part of a choice or a right, not a statement of practice.
CHOICE_WORDS = frozenset("opt right choice choose whether request object".split())
_MEANS_PREPOSITIONS = frozenset({"through", "via", "using", "use"})
_RELATIVE_PRONOUNS = frozenset({"which", "who", "that", "whom"})
_THEY = frozenset({"they", "them", "their", "these", "those"})
#: Longer units are read in windows of this many tokens (policy sentences are far shorter).
MAX_UNIT_TOKENS = 300
#: Verbs of collecting that, with the person as subject, mean the person puts data into the product.
_USER_RECORDS = frozenset({"log", "record", "track", "save", "store", "enter", "create"})
_EXCEPTION = re.compile(
    r"\b(?:except|unless|other than|without your (?:consent|permission))\b[^.;]*", re.IGNORECASE
)
_CHILDREN = re.compile(r"\b(?:children|child|minors?|under the age of|under (?:13|16|18))\b", re.IGNORECASE)
_ALIAS_BEFORE_WE = re.compile(
    r"(?P<name>[A-Z][\w&.\-’' ]{1,60}?),?\s*\((?:[“\"][^”\"]{1,40}[”\"],?\s*(?:and |or )?)*[“\"](?:we|us)[”\"]"
)
_QUOTED_ALIAS = re.compile(
    r"\(\s*[“\"](?P<name>[^”\"]{2,40})[”\"]\s*,\s*(?:[“\"][^”\"]{1,20}[”\"],?\s*(?:and |or )?)*[“\"](?:we|us|our)[”\"]"
)
_TITLE_ALIAS = re.compile(
    r"^(?P<name>.+?)\s*[–—:-]?\s*privacy (?:policy|notice|statement)\b|^privacy (?:at|policy of|notice of)\s+(?P<after>.+)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Unit:
    """One sentence to read (a list item is read together with the sentence introducing it)."""

    section: str
    number: int
    text: str
    span: Any
    subsection: str = ""
    heading_action: str = ""
    heading_role: str | None = None
    cells: tuple[str, ...] = ()
    header: tuple[str, ...] = ()
    intro_chars: int = 0  # a list item read with its introduction: where the item starts

    @property
    def citation(self) -> Citation:
        return Citation(self.section, self.number, self.text, self.subsection)


#: what a mention names: a kind of data, or a recipient
TermT = TypeVar("TermT", DataTerm, RecipientTerm)


@dataclass(frozen=True)
class _Mention(Generic[TermT]):
    start: int
    end: int
    text: str
    root: Any
    term: TermT

    def covers(self, token) -> bool:
        return self.start <= token.i < self.end


@dataclass
class _Party:
    """Who a subject or receiver is: ``we``, ``user``, ``third`` (with recipients) or ``other``."""

    kind: str
    recipients: list[_Mention[RecipientTerm]] = field(default_factory=list)


# --------------------------------------------------------------------------- segmentation


def _heading_context(heading: str) -> tuple[str, str | None]:
    role = next((term.role for term in RECIPIENT_TERMS if term.role and term.pattern.search(heading)), None)
    if SHARING_HEADING.search(heading) or role:
        return "shared", role
    if ACTION_HEADING.search(heading):
        return "collected", None
    return "", None


def segment(document: PolicyDocument, nlp: Any) -> list[Unit]:
    """Sentences (and list items with their introduction) in reading order, numbered per section."""
    blocks = [block for block in document.blocks if block.text]
    parse_texts = [block.text for block in blocks if block.kind != "heading"]
    parsed = iter(nlp.pipe(parse_texts, batch_size=64))
    docs: dict[int, Any] = {}
    for index, block in enumerate(blocks):
        if block.kind != "heading":
            docs[index] = next(parsed)

    plan: list[tuple[str, Any]] = []  # ("unit", Unit) or ("group", (unit template, intro, items))
    section = document.title or "Introduction"
    action, role = _heading_context(section)
    number = 0
    index = 0
    while index < len(blocks):
        block = blocks[index]
        if block.kind == "heading":
            section = block.text
            action, role = _heading_context(section)
            number = 0
            index += 1
            continue
        if block.kind == "row":  # a table row is read as one unit, by its columns
            number += 1
            plan.append(
                (
                    "unit",
                    Unit(
                        section,
                        number,
                        block.text,
                        docs[index][:],
                        block.lead,
                        action,
                        role,
                        cells=block.cells,
                        header=block.header,
                    ),
                )
            )
            index += 1
            continue
        sentences = [sentence for sentence in docs[index].sents if sentence.text.strip()]
        items: list[Block] = []
        following = index + 1
        while following < len(blocks) and blocks[following].kind == "item" and block.kind == "paragraph":
            items.append(blocks[following])
            following += 1
        intro = sentences[-1] if items and sentences and sentences[-1].text.rstrip().endswith(":") else None
        for sentence in sentences:
            if sentence is intro:
                continue
            number += 1
            plan.append(
                ("unit", Unit(section, number, sentence.text.strip(), sentence, block.lead, action, role))
            )
        if intro is not None:
            number += 1
            text = intro.text.strip() + " " + "; ".join(_item_text(item) for item in items)
            template = Unit(section, number, text, None, block.lead, action, role)
            plan.append(("group", (template, intro.text.strip(), items)))
            index = following
        else:
            index += 1

    combined_texts = [
        f"{intro} {_item_text(item)}"
        for kind, value in plan
        if kind == "group"
        for intro, items in [value[1:]]
        for item in items
    ]
    combined = iter(nlp.pipe(combined_texts, batch_size=64))
    units: list[Unit] = []
    for kind, value in plan:
        if kind == "unit":
            units.append(value)
            continue
        template, intro, items = value
        for _item in items:
            doc = next(combined)
            units.append(replace(template, span=doc[:], intro_chars=len(intro) + 1))
    return units


def _lead_data_term(lead: str) -> DataTerm | None:
    """The data-type phrase a run-in heading is ("Account information:", "Usage data."), if any."""
    text = " ".join(lead.lower().split()).strip(" :.-–—")
    if not text or len(text.split()) > 5:
        return None
    best: tuple[int, DataTerm] | None = None
    for term in DATA_TERMS:
        if term.kind not in (KIND_SPECIFIC, KIND_GENERIC):
            continue
        match = term.pattern.search(text)
        if match and match.end() - match.start() >= 0.6 * len(text):
            if best is None or match.end() - match.start() > best[0]:
                best = (match.end() - match.start(), term)
    return best[1] if best else None


def _with_lead_data(unit: Unit, statements: list[Statement]) -> list[Statement]:
    """A list item under a collection heading whose run-in heading names a kind of data ("Usage
    information: when you open the app, ...") discloses that kind even when its text has no data
    phrase the reader knows. (Adding the heading's kind to what the text names as well was tried
    and dropped: the labels name a family only where the examples do not cover it, and the gain in
    recall cost more in precision.)"""
    term = _lead_data_term(unit.subsection) if unit.subsection and not unit.intro_chars else None
    if term is None:
        return statements
    if not statements and unit.heading_action == "collected":
        return [
            Statement(
                "collected",
                term.categories,
                unit.citation,
                phrases=(unit.subsection,) * len(term.categories),
            )
        ]
    return statements


def _item_text(item: Block) -> str:
    text = item.text.strip().rstrip(";")
    return f"{item.lead}: {text}" if item.lead else text


# --------------------------------------------------------------------------- mentions


def _mentions(span: Any, terms: Iterable[TermT], lowered: bool) -> list[_Mention[TermT]]:
    text = span.text
    haystack = text.lower() if lowered else text
    found: list[tuple[int, int, int, TermT]] = []
    for order, term in enumerate(terms):
        for match in term.pattern.finditer(haystack):
            if match.end() > match.start():
                found.append((match.start(), match.end(), order, term))
    found.sort(key=lambda item: (-(item[1] - item[0]), item[2]))
    taken = bytearray(len(text))  # characters a longer (or earlier) phrase already claimed
    mentions: list[_Mention[TermT]] = []
    for start, end, _, term in found:
        if any(taken[start:end]):
            continue
        tokens = span.char_span(start, end, alignment_mode="expand")
        if tokens is None or not len(tokens):
            continue
        taken[start:end] = b"\x01" * (end - start)
        mentions.append(_Mention(tokens.start, tokens.end, text[start:end], tokens.root, term))
    return sorted(mentions, key=lambda mention: mention.start)


def _is_means(mention: _Mention[Any]) -> bool:
    """ "through cookies", "via web beacons": a tool of collection, not the data collected."""
    head = mention.root.head
    if mention.root.dep_ == "conj":
        head = mention.root.head.head if mention.root.head.dep_ == "pobj" else head
    return mention.root.dep_ in ("pobj", "conj") and head.lower_ in _MEANS_PREPOSITIONS


def _is_source(mention: _Mention[Any]) -> bool:
    """ "from your IP address", "derived from it": where data comes from, not what is collected."""
    return mention.root.dep_ == "pobj" and mention.root.head.lower_ == "from"


def _negated_mention(mention: _Mention[Any]) -> bool:
    """ "... but never your credit card number": the phrase itself is denied."""
    doc = mention.root.doc
    before = doc[max(0, mention.start - 3) : mention.start]
    return any(word.norm_ in ("never", "not") for word in before) and any(
        word.lower_ == "but" for word in doc[max(0, mention.start - 4) : mention.start]
    )


def _data_and_recipients(span) -> tuple[list[_Mention], list[_Mention]]:
    """The data phrases and recipient phrases of a span, without what is not personal data
    (de-identified, aggregate), tools of collection ("through cookies"), sources ("from your IP
    address") and recipient words inside a data phrase ("driver's licence number")."""
    data = _mentions(span, DATA_TERMS, lowered=True)
    data = sorted(data + _elided_mentions(span, data), key=lambda mention: mention.start)
    recipients = _mentions(span, RECIPIENT_TERMS, lowered=False)
    excluded = [m for m in data if m.term.kind == KIND_EXCLUDED]
    meaningful = [m for m in data if m.term.kind in (KIND_SPECIFIC, KIND_GENERIC)]
    data = [
        m
        for m in data
        if m.term.kind != KIND_EXCLUDED
        and not any(m.start < e.end and e.start < m.end for e in excluded)
        and not (
            m.term.kind in (KIND_PERSONAL, KIND_UNSPECIFIC)
            and any(m.start < r.end and r.start < m.end for r in recipients)
        )
        and not _is_means(m)
        and not _is_source(m)
    ]
    recipients = [
        r
        for r in recipients
        if not any(r.start < e.end and e.start < r.end for e in excluded)
        and not any(
            d.start <= r.start and r.end <= d.end and d.end - d.start > r.end - r.start for d in meaningful
        )
    ]
    return data, recipients


_SHARED_HEADS = frozenset({"data", "information", "details", "history", "records", "identifiers"})


def _elided_mentions(span, data: list[_Mention]) -> list[_Mention]:
    """Data phrases whose head noun is shared with the next one: "account and health data" names
    account data too, "contact, location and usage information" names three kinds."""
    doc = span.doc
    found: list[_Mention] = []
    covered = {i for m in data for i in range(m.start, m.end)}
    for mention in data:
        last = doc[mention.end - 1]
        if last.lower_ not in _SHARED_HEADS or mention.term.kind not in (KIND_SPECIFIC, KIND_GENERIC):
            continue
        index = mention.start - 1
        while index - 1 >= span.start and doc[index].lower_ in ("and", "or", ","):
            word = doc[index - 1]
            if word.i in covered or word.pos_ not in ("NOUN", "ADJ", "PROPN"):
                break
            phrase = f"{word.lower_} {last.lower_}"
            term = next(
                (
                    t
                    for t in DATA_TERMS
                    if t.kind in (KIND_SPECIFIC, KIND_GENERIC) and t.pattern.fullmatch(phrase)
                ),
                None,
            )
            if term is None:
                break
            found.append(_Mention(word.i, word.i + 1, word.text, word, term))
            covered.add(word.i)
            index = word.i - 1
    return found


# --------------------------------------------------------------------------- parse helpers


def _is_action(token) -> bool:
    if token.pos_ not in ("VERB", "AUX"):
        return False
    lemma = token.lemma_.lower()
    if lemma in COLLECT_VERBS or lemma in GIVE_VERBS or lemma in SALE_VERBS:
        if lemma == "ask" and not any(child.lower_ == "for" for child in token.children):
            return False
        return True
    if lemma == "have":
        return any(child.dep_ == "dobj" and child.lemma_.lower() == "access" for child in token.children)
    if lemma == "make":
        return any(child.lower_ == "available" for child in token.children)
    if lemma in ("go", "flow", "travel"):  # "crash logs go to Sentry"
        return any(child.dep_ == "prep" and child.lower_ == "to" for child in token.children)
    if lemma == "be":  # "the clips you post are visible to other users"
        return any(
            child.dep_ == "acomp"
            and child.lower_ in _OPEN_TO
            and any(grand.dep_ == "prep" and grand.lower_ == "to" for grand in child.children)
            for child in token.children
        )
    if lemma == "hand":  # "hand over data", "hand data to the authorities"
        return any(
            (child.dep_ == "prt" and child.lower_ == "over")
            or (child.dep_ in ("prep", "dative") and child.lower_ == "to")
            for child in token.children
        )
    if lemma == "derive":  # "we derive your location from ...", not "location derived from ..."
        return any(child.dep_ == "nsubj" for child in token.children)
    if lemma == "include":  # "include your mailing address": an imperative gives us data
        return (
            token.tag_ in ("VB", "VBP")
            and not any(child.dep_.startswith("nsubj") for child in token.children)
            and token.dep_ not in ("prep", "acl", "relcl", "pcomp")
        )
    return False


#: Adjectives that, after "is", say who can see the data: "visible to other users".
_OPEN_TO = frozenset({"visible", "available", "accessible", "viewable", "shown", "disclosed"})
_STORAGE_VERBS = frozenset({"store", "host", "keep", "hold", "save", "process", "handle"})
_STORAGE_PREPOSITIONS = frozenset({"on", "by", "with", "at", "in"})


def _is_storage_place(token, recipient: _Mention[RecipientTerm]) -> bool:
    """Whether ``recipient`` is where a storing verb keeps the data ("stored on AWS", "held by Acme")."""
    if token.lemma_.lower() not in _STORAGE_VERBS or recipient.term.role is None:
        return False
    head = recipient.root.head
    return head.head.i == token.i and head.lower_ in _STORAGE_PREPOSITIONS and head.dep_ in ("prep", "agent")


def _is_give(token) -> bool:
    return token.lemma_.lower() in GIVE_VERBS


def _action_kind(token) -> str:
    """``sale``, ``collect`` (a collecting verb, "have access", "derive") or ``give``: a giving verb,
    or any verb read for its recipient complement ("emails go out through Postmark")."""
    lemma = token.lemma_.lower()
    if lemma in SALE_VERBS:
        return "sale"
    if lemma in COLLECT_VERBS or lemma in ("have", "derive"):
        return "collect"
    if lemma in _NEED_VERBS and any(
        child.dep_ == "nsubj" and FIRST_PARTY.fullmatch(child.lower_) for child in token.children
    ):
        return "collect"  # "we'll need their e-mail address": we take it; "you need to give us" gives
    return "give"


_NEED_VERBS = frozenset({"need", "require"})


#: Prepositions that put a recipient after a verb: "go to", "shared with", "sent through",
#: "processed by", "run on".
_RECIPIENT_PREPOSITIONS = frozenset({"to", "with", "through", "via", "by", "on", "onto", "into"})
#: Verbs whose recipient complement is the person's own doing or not a transfer of data.
_NOT_TRANSFER = frozenset(
    "sign log pay partner work comply contact communicate respond talk help speak agree integrate "
    "connect link compete cooperate rely depend interact register".split()
)


def _recipient_complement(token, recipients: Sequence[_Mention[RecipientTerm]], noun: bool = False) -> bool:
    """Whether ``token`` is a verb (or, with ``noun``, a verb the parse took for a noun) with a
    recipient of a known role as the object of a to/with/through/via/by/on phrase: the
    dependency structure of a transfer, whatever the verb ("crash reports go to Sentry", "your
    orders are fulfilled by ShipCo")."""
    if (token.pos_ != "VERB" and not noun) or token.lemma_.lower() in _NOT_TRANSFER:
        return False
    for child in token.children:
        if child.dep_ not in ("prep", "agent", "dative") or child.lower_ not in _RECIPIENT_PREPOSITIONS:
            continue
        for obj in child.children:
            if obj.dep_ != "pobj":
                continue
            for member in (obj, *obj.conjuncts):
                if any(m.covers(member) and (m.term.role or m.term.named) for m in recipients):
                    return True
    return False


def _unlisted_vendors(span, data, recipients, aliases: Sequence[str]) -> list[_Mention[RecipientTerm]]:
    """Named recipients the lists do not know: a proper noun after to/with/through/via/by on a
    verb ("we send your e-mail address to Acmemail for newsletter delivery"), when what it does
    can be told: an appositive recipient class ("Paymentwall, our payment processor") gives the
    role, else a service the sentence names (hosting, e-mail, payments ...) makes it a service
    provider. Places ("transferred to Canada") and the policy's own names are not vendors."""
    found: list[_Mention[RecipientTerm]] = []
    taken = {i for m in [*data, *recipients] for i in range(m.start, m.end)}
    doc = span.doc
    for token in span:
        preposition = token.head
        if (
            token.dep_ != "pobj"
            or token.pos_ != "PROPN"
            or not token.text[:1].isupper()
            or token.i in taken
            or preposition.lower_ not in ("to", "with", "through", "via", "by")
            or preposition.head.pos_ != "VERB"
            or preposition.head.lemma_.lower() in _NOT_TRANSFER
        ):
            continue
        start = token.i
        while (
            start - 1 >= span.start
            and doc[start - 1].dep_ in ("compound", "flat")
            and doc[start - 1].pos_ == "PROPN"
        ):
            start -= 1
        name = doc[start : token.i + 1].text
        if name in _places() or any(alias in name.lower() or name.lower() in alias for alias in aliases):
            continue
        appositive = [
            m
            for m in recipients
            if m.term.role and any(m.covers(child) for child in token.children if child.dep_ == "appos")
        ]
        role = appositive[0].term.role if appositive else None
        if role is None and _SERVICE_FUNCTION.search(span.text):
            role = "service_provider"
        if role is None:
            continue
        term = RecipientTerm(name, re.compile(re.escape(name)), role, named=True)
        found.append(_Mention(start, token.i + 1, name, token, term))
    return found


@functools.lru_cache(maxsize=1)
def _places() -> frozenset[str]:
    """Country names (Faker's list) and the short names policies use for places of transfer."""
    from faker.providers.address.en import Provider

    short = ["US", "USA", "U.S.", "UK", "U.K.", "EU", "EEA", "Europe", "United States", "United Kingdom"]
    return frozenset(Provider.countries) | frozenset(short + ["European Union", "European Economic Area"])


def _misparsed_vendor_statements(unit, data, recipients, statements) -> list[Statement]:
    """ "Braintree stores your card details" parsed as one noun ("Braintree stores"): a named
    recipient followed by a lower-case verb form tagged as a noun. The data after it in that
    noun phrase is what the vendor holds (a service the policy uses), unless a statement of the
    sentence already names the vendor."""
    span = unit.span
    doc = span.doc
    named = {name for statement in statements for name in statement.recipients}
    made: list[Statement] = []
    for mention in recipients:
        if mention.end >= span.end or not (mention.term.named and mention.term.role) or mention.text in named:
            continue
        word = doc[mention.end]
        if word.pos_ not in ("NOUN", "PROPN") or not word.text.islower() or not word.text.endswith("s"):
            continue
        if not {word.lower_[:-1], word.lower_[:-2]} & (COLLECT_VERBS | GIVE_VERBS | _HOSTING_VERBS):
            continue
        phrase_head = word
        while phrase_head.dep_ in ("compound", "flat") and phrase_head.head.i != phrase_head.i:
            phrase_head = phrase_head.head
        end = max(phrase_head.right_edge.i, word.right_edge.i) + 1
        held = [
            m
            for m in data
            if word.i < m.start and m.end <= end and m.term.kind in (KIND_SPECIFIC, KIND_GENERIC)
        ]
        categories, phrases = _aligned(
            [c for m in held for c in m.term.categories], [m.text for m in held for _ in m.term.categories]
        )
        if categories:
            made.append(
                Statement(
                    "shared",
                    categories,
                    unit.citation,
                    role=mention.term.role,
                    recipients=(mention.text,),
                    phrases=phrases,
                    actor="third party",
                )
            )
    return made


#: What a first party runs: "our servers run on Google Cloud", "the app is hosted by Vercel".
_SYSTEM_NOUNS = frozenset(
    "server servers app apps application applications service services platform website site websites "
    "database databases system systems infrastructure backend product products data".split()
)
_HOSTING_VERBS = frozenset("run host live sit store keep power operate serve".split())


def _governing_action(token, actions: set[int], *, recipient: bool = False):
    """The action verb a phrase rooted at ``token`` belongs to, within its clause, or ``None``.

    For a recipient, a collecting verb in a relative clause is looked past: in "we share the
    information we collect with our service providers" the parser often hangs "with ..." on
    "collect", but the providers are who the information is shared with.
    """
    current = token
    for _ in range(_MAX_CLIMB):  # bounded: a run-on sentence can chain thousands of tokens
        if current.head.i == current.i:
            return None
        head = current.head
        if head.i in actions and head.dep_ != "acl":
            if not (
                recipient
                and head.dep_ == "relcl"
                and _action_kind(head) == "collect"
                and current.dep_ == "prep"
                and current.lower_ in ("with", "to")
            ):
                return head
        elif head.pos_ in ("VERB", "AUX") and head.lemma_.lower() not in PASS_THROUGH:
            if current.dep_ in ("nsubj", "nsubjpass"):
                # "your playlists are public and can be seen by other users": the subject is
                # shared with a coordinated action verb that has none of its own
                shared = _subjectless_conjunct_action(head, actions)
                if shared is not None:
                    return shared
            if not (head.dep_ == "acl" and current.dep_ in ("prep", "agent", "advmod", "dobj")):
                return None
        current = head
    return None


_MAX_CLIMB = 40


def _subjectless_conjunct_action(verb, actions: set[int]):
    """The first action verb coordinated with ``verb`` that has no subject of its own, or ``None``."""
    for child in verb.children:
        if (
            child.dep_ == "conj"
            and child.i in actions
            and not any(grand.dep_.startswith("nsubj") for grand in child.children)
        ):
            return child
    return None


_CLAUSE_DEPS = frozenset({"ROOT", "ccomp", "advcl", "xcomp", "conj", "relcl", "pcomp", "csubj"})


def _nearest_action_before(mention, action_tokens: Sequence) -> Any:
    """For a phrase the parse did not attach: the closest action verb before it in the sentence,
    when no other clause's verb stands between them ("we share hashed e-mail addresses with Meta
    to measure ads" parsed with "addresses" as the subject of "measure")."""
    before = [token for token in action_tokens if token.i < mention.start]
    if not before or (
        mention.root.dep_ in ("nsubj", "nsubjpass")
        and any(child.dep_ == "mark" or child.tag_ == "WRB" for child in mention.root.head.children)
    ):
        return None  # the subject of a clause of its own ("while your account is open")
    action = before[-1]
    doc = action.doc
    for token in doc[action.i + 1 : mention.start]:
        if (
            token.pos_ == "VERB"
            and token.dep_ in _CLAUSE_DEPS
            and token.i not in {a.i for a in action_tokens}
        ):
            return None
    return action


def _reattach_contents(data, governed: dict[int, list[_Mention]], span, actions: set[int]) -> None:
    """ "Crash reports sent to Sentry contain your device model": what a container holds goes
    where the container goes (its participle "sent to", "shared with" is the action)."""
    owned = {id(m) for ms in governed.values() for m in ms}
    for mention in data:
        if id(mention) in owned:
            continue
        verb = mention.root
        for _ in range(_MAX_CLIMB):
            if verb.head.i == verb.i or verb.pos_ in ("VERB", "AUX"):
                break
            verb = verb.head
        if verb.lemma_.lower() not in ("contain", "include", "comprise", "consist"):
            continue
        container = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        participle = (
            next((c for c in container.children if c.dep_ == "acl" and c.i in actions), None)
            if container is not None
            else None
        )
        if participle is not None:
            governed.setdefault(participle.i, []).append(mention)


_EXAMPLE_MARKERS = frozenset({"including", "like", "namely"})


def _example_markers(span) -> list[Any]:
    """Words that introduce examples or additions of the data just named: "including", "such as",
    "like", "namely", "together with", "along with", "as well as"."""
    markers = []
    for token in span:
        before = token.doc[token.i - 1].lower_ if token.i > span.start else ""
        if (token.lower_ in _EXAMPLE_MARKERS and token.dep_ in ("prep", "advmod", "amod", "mark")) or (
            token.lower_ == "as" and before in ("such", "well")
        ):
            markers.append(token)
        elif token.lower_ == "with" and before in ("together", "along"):
            markers.append(token)
    return markers


def _reattach_examples(data: list[_Mention], governed: dict[int, list[_Mention]], span) -> None:
    """Data phrases after "including" / "such as" / "together with" belong to the verb of the data
    named before the marker, when the parse hung them on a subordinate verb in between ("we collect
    information when you use the app, including your IP address": the address is collected, not
    "used" by you) or on nothing at all."""
    markers = _example_markers(span)
    if not markers:
        return
    owner: dict[int, int] = {id(m): action for action, ms in governed.items() for m in ms}
    for mention in data:
        marker = next((m for m in reversed(markers) if m.i < mention.start), None)
        if marker is None or any(t.lower_ == ";" for t in span.doc[marker.i : mention.start]):
            continue
        earlier = [m for m in data if m.end <= marker.i and id(m) in owner]
        if not earlier:
            continue
        target = owner[id(earlier[-1])]
        current = owner.get(id(mention))
        if current == target:
            continue
        if current is not None and not (target < current < marker.i):
            continue
        if current is not None:
            governed[current] = [m for m in governed[current] if m is not mention]
        governed.setdefault(target, []).append(mention)
        owner[id(mention)] = target


def _is_negative(token) -> bool:
    def negated(candidate) -> bool:
        return any(
            child.dep_ == "neg" or child.norm_ in ("never", "nor", "neither", "not")
            for child in candidate.children
        ) or any(left.lower_ == "nor" for left in candidate.lefts)

    if negated(token):
        return True
    if any(  # "no personal data is transferred to recruitment agencies"
        child.dep_ in ("nsubj", "nsubjpass")
        and any(det.dep_ == "det" and det.lower_ == "no" for det in child.children)
        for child in token.children
    ):
        return True
    current = token
    for _ in range(_MAX_CLIMB):
        if current.dep_ != "conj":
            break
        current = current.head
        if any(child.dep_ == "cc" and child.lower_ == "but" for child in current.children):
            return False
        if negated(current):
            return True
    # "nor do we knowingly collect": spaCy hangs "nor" off the clause before
    previous = token.doc[max(0, token.i - 4) : token.i]
    return any(word.lower_ == "nor" for word in previous)


def _in_choice_or_question(token, question: bool) -> bool:
    if question:
        return True
    if any(child.tag_ in ("WRB", "WP") or child.lower_ in ("whether", "how") for child in token.lefts):
        return True
    current = token
    for _ in range(_MAX_CLIMB):
        if current.head.i == current.i:
            break
        current = current.head
        if current.lemma_.lower() in CHOICE_WORDS or current.lower_ in ("whether", "how"):
            return True
    return False


def _conj_root(token):
    """The first verb of a coordination ("collect" in "collect, use and share"), bounded."""
    current = token
    for _ in range(_MAX_CLIMB):
        if current.dep_ != "conj" or current.head.i == current.i:
            break
        if any(child.dep_ == "cc" and child.lower_ in ("but", "yet") for child in current.head.children):
            break  # "we do not sell X, but we share Y with Z": two statements
        current = current.head
    return current


def _conjunct_group(token, groups: dict[int, list]) -> list:
    """The action verbs coordinated with ``token`` (``groups``: conjunction root -> its verbs)."""
    return groups.get(_conj_root(token).i, [token])


def _purposes(token) -> tuple[str, ...]:
    purposes = []
    doc = token.doc
    for child in token.children:
        if child.dep_ not in ("advcl", "xcomp", "prep"):
            continue
        start = child.left_edge.i
        words = doc[start : min(child.right_edge.i + 1, start + 24)]  # bounded: a purpose is a phrase
        first = words[0].lower_
        if child.dep_ in ("advcl", "xcomp") and (
            first in ("to", "so", "in")
            or any(word.lower_ == "so" and word.dep_ == "mark" for word in words[:2])
        ):
            if _is_action(child) and first == "to" and child.dep_ == "xcomp":
                continue  # "need to collect": a verb chain, not a purpose
            purposes.append(_short(" ".join(word.text for word in words)))
        elif (
            child.dep_ == "prep"
            and first == "for"
            and any(word.lemma_.lower() in ("purpose", "reason") for word in words)
        ):
            purposes.append(_short(" ".join(word.text for word in words)))
    return tuple(dict.fromkeys(purpose for purpose in purposes if purpose))


def _short(text: str, words: int = 16) -> str:
    parts = re.sub(r"\s+([,.;:)])", r"\1", text).replace("( ", "(").split()
    clipped = " ".join(parts[:words]).rstrip(",;:")
    return clipped + (" …" if len(parts) > words else "")


# --------------------------------------------------------------------------- the reader


class _Reader:
    def __init__(self, aliases: Sequence[str]) -> None:
        self.aliases = [alias.lower() for alias in aliases if alias]
        self.last_recipients: list[_Mention[RecipientTerm]] = []
        self.last_section = ""
        self.pending: list[Statement] = []
        self.definitions: list[tuple[Unit, tuple[str, ...], tuple[str, ...]]] = []
        self.generic_collection = False
        self.unmapped: list[tuple[str, Citation]] = []
        self.claimed_recipients: set[int] = set()  # recipients the parse gives to a verb of the unit

    # -- parties

    def _party(self, token, recipients: list[_Mention[RecipientTerm]], span) -> _Party:
        inside = [mention for mention in recipients if mention.covers(token)]
        if inside:
            group = inside + [
                mention
                for mention in recipients
                if mention not in inside
                and mention.root.head.i in {m.root.i for m in inside}
                and mention.root.dep_ in ("conj", "appos", "pobj")
            ]
            return _Party("third", group)
        near = token.doc[
            max(token.left_edge.i, token.i - 6) : token.i + 1
        ]  # "our third-party service providers"
        phrase = " ".join(word.text for word in near).lower()
        word = token.lower_
        if word in _RELATIVE_PRONOUNS and token.head.dep_ == "relcl":
            return self._party(token.head.head, recipients, span)
        own_name = " ".join(
            word.text for word in near if word.dep_ in ("compound", "flat") or word.i == token.i
        ).lower()
        named_us = (token.pos_ == "PROPN" or token.text[:1].isupper()) and any(
            alias in own_name or own_name in alias for alias in self.aliases
        )
        if FIRST_PARTY.fullmatch(word) or FIRST_PARTY.search(phrase) or named_us:
            return _Party("we")
        if word == "it" and token.dep_.startswith("nsubj"):
            earlier = [m for m in recipients if m.end <= token.i and (m.term.role or m.term.named)]
            return _Party("third", earlier[-1:]) if earlier else _Party("other")
        if word in _THEY or any(
            child.lower_ in _THEY for child in token.children if child.dep_ in ("poss", "det")
        ):
            if self.last_recipients:
                return _Party("third", list(self.last_recipients))
            return _Party("other")
        if USER_SIDE.fullmatch(word) or USER_SIDE.search(phrase):
            return _Party("user")
        return _Party("other")

    def _subjects(self, action, recipients, span) -> list[_Party]:
        current = action
        came_from = ""
        for level in range(5):
            if level and came_from == "xcomp":
                controller = next((child for child in current.children if child.dep_ == "dobj"), None)
                if controller is not None:  # "a court orders us to hand over data": "us" hands it over
                    return [self._party(controller, recipients, span)]
            wanted = ("nsubj", "csubj") if level == 0 else ("nsubj", "csubj", "nsubjpass")
            subjects = sorted(
                (child for child in current.children if child.dep_ in wanted),
                key=lambda child: child.dep_ == "csubj",  # "to subscribe, you need ...": "you" acts
            )
            if subjects:
                parties: list[_Party] = []
                for subject in subjects:
                    for member in (subject, *subject.conjuncts):
                        party = self._party(member, recipients, span)
                        if not any(
                            p.kind == party.kind and p.recipients == party.recipients for p in parties
                        ):
                            parties.append(party)
                return parties
            if level == 0 and any(child.dep_ == "nsubjpass" for child in current.children):
                return []  # passive: the agent, if any, acts
            if (
                level
                and current.dep_ == "ROOT"
                and current.tag_ == "VB"
                and not any(child.dep_ == "aux" for child in current.children)
            ):
                return [_Party("user")]  # an imperative: "please contact us using ..."
            if current.dep_ in ("conj", "xcomp", "advcl", "ccomp") and current.head.i != current.i:
                if current.dep_ in ("advcl", "ccomp") and any(
                    child.dep_ == "mark" for child in current.children
                ):
                    return []
                came_from = current.dep_
                current = current.head
                continue
            break
        return []

    def _agents(self, action, recipients, span) -> list[_Party]:
        parties = []
        for child in action.children:
            if child.dep_ == "agent":
                for obj in child.children:
                    if obj.dep_ == "pobj":
                        for member in (obj, *obj.conjuncts):
                            parties.append(self._party(member, recipients, span))
        return parties

    # -- reading one unit

    def read(self, unit: Unit) -> list[Statement]:
        """The statements of one unit; a very long one is read in windows of :data:`MAX_UNIT_TOKENS`
        tokens (a run-on "sentence" of thousands of words must not take quadratic time)."""
        span = unit.span
        if len(span) <= MAX_UNIT_TOKENS:
            return _with_lead_data(unit, self._read(unit))
        statements = []
        for start in range(span.start, span.end, MAX_UNIT_TOKENS):
            window = span.doc[start : min(start + MAX_UNIT_TOKENS, span.end)]
            statements.extend(self._read(replace(unit, span=window)))
        return _with_lead_data(unit, statements)

    def _read(self, unit: Unit) -> list[Statement]:
        if unit.section != self.last_section:
            self.last_section = unit.section
            self.last_recipients = []
            self.pending = []
        span = unit.span
        if unit.cells:
            return self._read_row(unit)
        data, recipients = _data_and_recipients(span)
        recipients = sorted(
            recipients + _unlisted_vendors(span, data, recipients, self.aliases), key=lambda m: m.start
        )
        if unit.intro_chars and any(
            m.term.kind in (KIND_SPECIFIC, KIND_GENERIC) and span.doc[m.start].idx >= unit.intro_chars
            for m in data
        ):
            # "We share personal data with: - advertisers, which receive your advertising ID": the
            # item says which data, the introduction's "personal data" is not all of it
            data = [
                m
                for m in data
                if not (
                    m.term.kind in (KIND_PERSONAL, KIND_UNSPECIFIC)
                    and span.doc[m.start].idx < unit.intro_chars
                )
            ]
        actions = {
            token.i
            for token in span
            if _is_action(token)
            or (_recipient_complement(token, recipients) and not any(m.covers(token) for m in data))
        }
        action_tokens = sorted((span.doc[i] for i in actions), key=lambda token: token.i)
        governed: dict[int, list[_Mention[DataTerm]]] = {}
        for mention in data:
            action = _governing_action(mention.root, actions)
            if action is None and mention.term.kind in (KIND_SPECIFIC, KIND_GENERIC, KIND_PERSONAL):
                action = _nearest_action_before(mention, action_tokens)
            if action is not None:
                governed.setdefault(action.i, []).append(mention)
        _reattach_contents(data, governed, span, actions)
        _reattach_examples(data, governed, span)
        governed_recipients: dict[int, list[_Mention[RecipientTerm]]] = {}
        for recipient in recipients:
            action = _governing_action(recipient.root, actions, recipient=True)
            if action is None:
                action = _nearest_action_before(recipient, action_tokens)
            if action is not None:
                governed_recipients.setdefault(action.i, []).append(recipient)

        self.claimed_recipients = {
            id(m)
            for action, mentions in governed_recipients.items()
            if action in actions
            and any(m.term.kind != KIND_UNSPECIFIC for m in governed.get(action, ()))
            and not (_action_kind(span.doc[action]) == "collect" and span.doc[action].dep_ == "relcl")
            for m in mentions
        }
        statements: list[Statement] = []
        used: set[int] = set()
        last_data: list[_Mention[DataTerm]] = []
        groups: dict[int, list] = {}
        for token in action_tokens:
            groups.setdefault(_conj_root(token).i, []).append(token)
        question = span.text.rstrip().endswith("?")
        for token in action_tokens:
            if _in_choice_or_question(token, question):
                continue
            own = governed.get(token.i, [])
            has_object = any(
                child.dep_ in ("dobj", "nsubjpass") and child.lower_ not in ("it", "them", "this", "these")
                for child in token.children
            )
            group = _conjunct_group(token, groups)
            if not own and not has_object:
                own = [m for other in group if other.i != token.i for m in governed.get(other.i, [])]
            if not own and any(c.dep_ == "dobj" and c.lower_ in ("it", "them") for c in token.children):
                # "we never sell your health data, and we never share it"; "your health data stays
                # on your phone and we never receive it"
                own = (
                    list(last_data)
                    or [
                        m
                        for m in data
                        if m.end <= token.i
                        and m.term.kind in (KIND_SPECIFIC, KIND_GENERIC, KIND_PERSONAL)
                        and m.root.dep_ in ("nsubj", "nsubjpass", "dobj")
                    ][-1:]
                )
            token_recipients = governed_recipients.get(token.i, []) or [
                m for other in group if other.i != token.i for m in governed_recipients.get(other.i, [])
            ]
            made = self._statements(unit, token, group, own, token_recipients, recipients)
            if own:
                last_data = own
            statements.extend(made)
            if made:
                used.update(id(m) for m in own)

        if recipients:
            self.last_recipients = [r for r in recipients if r.term.role] or self.last_recipients
        statements.extend(_misparsed_vendor_statements(unit, data, recipients, statements))
        if _SOURCE_HEADER.fullmatch(unit.section.strip()) or _SOURCE_HEADER.fullmatch(
            unit.subsection.strip()
        ):
            means = _means_of_collection(span, [(0, len(span.text))])
            if means and not any(
                s.action == "collected" and set(means) <= set(s.categories) for s in statements
            ):
                statements.append(
                    Statement("collected", tuple(means), unit.citation, phrases=tuple(means.values()))
                )
        named = {
            name for statement in statements if statement.action == "shared" for name in statement.recipients
        }
        statements.extend(  # a host the sentence says receives named data holds that data only
            hosting
            for hosting in self._hosting(unit, recipients, data)
            if not named.intersection(hosting.recipients)
        )
        meaningful = [m for m in data if m.term.kind in (KIND_SPECIFIC, KIND_GENERIC) and id(m) not in used]
        if not statements and meaningful:
            statements.extend(self._from_context(unit, meaningful, recipients))
        self._note_definition(unit, data)
        return statements

    def _hosting(self, unit, recipients, data) -> list[Statement]:
        """ "Our servers run on Google Cloud", "the app is hosted by Vercel", "AWS hosts our
        platform": the host holds everything collected (a service provider of ``collected``)."""
        span = unit.span
        statements: list[Statement] = []
        for token in span:
            # "Our platform runs on Azure" parsed as the noun "platform runs": its compound is the subject
            misparsed = token.pos_ == "NOUN" and token.dep_ == "ROOT" and token.lower_.endswith("s")
            if (
                not (token.pos_ == "VERB" or misparsed)
                or token.lemma_.lower() not in _HOSTING_VERBS
                or _is_negative(token)
            ):
                continue
            if any(
                m.covers(child)
                for m in data
                for child in token.children
                if child.dep_ in ("dobj", "nsubjpass")
            ):
                continue  # the data is named: the verb's own statement says which
            systems = [
                child
                for child in token.children
                if (child.dep_ in ("nsubj", "nsubjpass", "dobj") or (misparsed and child.dep_ == "compound"))
                and (
                    child.lemma_.lower() in _SYSTEM_NOUNS
                    and (
                        any(
                            word.lower_ in ("our", "the", "all", "this")
                            for word in (*child.children, *(token.children if misparsed else ()))
                        )
                        or child.lower_ == "data"
                    )
                    or (child.pos_ == "PROPN" and self._party(child, [], span).kind == "we")
                )
            ]
            hosts = [
                m
                for m in recipients
                if m.term.role == "service_provider"
                and (
                    (_recipient_complement(token, [m], misparsed) and any(s.dep_ != "dobj" for s in systems))
                    or (
                        m.root.dep_ == "nsubj"
                        and m.root.head.i == token.i
                        and any(s.dep_ == "dobj" for s in systems)
                    )
                )
            ]
            if systems and hosts:
                statements.append(
                    Statement(
                        "shared",
                        (ALL_COLLECTED,),
                        unit.citation,
                        role="service_provider",
                        recipients=tuple(dict.fromkeys(m.text.strip() for m in hosts)),
                        phrases=(" ".join(w.text for w in systems[0].subtree),),
                    )
                )
        return _merge(statements)

    def _statements(self, unit, token, group, data, token_recipients, all_recipients) -> list[Statement]:
        """What one verb says about the data it governs."""
        span = unit.span
        kind = _action_kind(token)
        negative = _is_negative(token)
        specific = [m for m in data if m.term.kind in (KIND_SPECIFIC, KIND_GENERIC)]
        personal = [m for m in data if m.term.kind == KIND_PERSONAL]
        unspecific = [m for m in data if m.term.kind == KIND_UNSPECIFIC]
        subjects = self._subjects(token, all_recipients, span)
        if not subjects:
            for other in group:
                if other.i < token.i:
                    subjects = self._subjects(other, all_recipients, span)
                    if subjects:
                        break
        agents = self._agents(token, all_recipients, span)
        receivers = [m for m in token_recipients if not any(m in p.recipients for p in subjects + agents)]
        purposes = _purposes(token) or tuple(p for other in group for p in _purposes(other))
        sentence = span.text
        qualifier = _qualifier(sentence, token)
        statements: list[Statement] = []

        def emit(action, categories, phrases, role=None, names=(), actor="we") -> None:
            categories, phrases = _aligned(categories, phrases)
            if not categories:
                return
            statements.append(
                Statement(
                    action=action,
                    categories=categories,
                    citation=unit.citation,
                    role=role,
                    recipients=tuple(dict.fromkeys(names)),
                    phrases=phrases,
                    purposes=purposes,
                    actor=actor,
                    qualifier=qualifier if action.startswith("denied-") or qualifier == "children" else "",
                )
            )

        # "we receive a purchase receipt but never your credit card number": a denial inside
        negated_here = [m for m in specific if _negated_mention(m)]
        specific = [m for m in specific if m not in negated_here]
        categories = [c for m in specific for c in m.term.categories]
        phrases = [m.text for m in specific for _ in m.term.categories]
        everything = personal or (unspecific if not specific else [])
        shared_categories = categories + ([ALL_COLLECTED] if everything else [])
        shared_phrases = phrases + [m.text for m in everything[:1]]

        def share_to(mentions, actor="we", action=None) -> None:
            for role, names in _by_role(mentions, sentence, negative):
                emit(
                    action or ("denied-sharing" if negative else "shared"),
                    shared_categories,
                    shared_phrases,
                    role,
                    names,
                    actor,
                )

        third_subjects = [p for p in subjects + agents if p.kind == "third"]
        third_recipients = [m for p in third_subjects for m in p.recipients]
        if kind == "collect":
            if (
                negative
                and token.lemma_.lower() == "use"
                and (purposes or any(word.lower_ == "for" for word in token.subtree))
            ):
                return statements  # "we do not use X for advertising": a limit on use, not on collection
            if subjects and all(p.kind == "user" for p in subjects) and token.lemma_.lower() in _USER_RECORDS:
                subjects = []  # "whatever you log": the person records it in our product
            if third_subjects:
                if specific or personal:
                    categories_before = shared_categories
                    if not personal:
                        shared_categories = categories
                    share_to(third_recipients, actor="third party")
                    shared_categories = categories_before
                elif unspecific:
                    self._remember_generic(unit, [], third_recipients, purposes)
            first_party = not subjects or any(p.kind in ("we", "other") for p in subjects)
            if agents and all(p.kind == "third" for p in agents):
                first_party = False
            hosts = [m for m in receivers if _is_storage_place(token, m)]
            if first_party and hosts and not negative and (specific or personal):
                # "video clips are stored on Amazon Web Services": the host receives the data
                share_to(hosts)
                return statements
            if first_party:
                if negative and not (specific or personal) and unspecific and _CHILDREN.search(sentence):
                    # "we do not knowingly collect information from children under 13"
                    emit("denied-collection", [ALL_COLLECTED], [unspecific[0].text])
                elif negative and (specific or personal):
                    emit(
                        "denied-collection",
                        categories + ([ALL_COLLECTED] if personal else []),
                        phrases + [m.text for m in personal[:1]],
                    )
                elif specific:
                    emit("collected", categories, phrases)
                elif personal or unspecific:
                    self._remember_generic(unit, ["collected"], [], purposes)
                    if personal:
                        self.generic_collection = True
            if negated_here and first_party:
                emit(
                    "denied-collection",
                    [c for m in negated_here for c in m.term.categories],
                    [m.text for m in negated_here],
                )
            return statements

        if not (specific or personal or unspecific):
            return statements
        provider = subjects[0].kind if subjects else "none"
        if (
            provider == "none"
            and token.tag_ in ("VB", "VBG", "VBP")
            and not any(c.dep_ == "nsubjpass" for c in token.children)
        ):
            provider = "user"  # "include your mailing address", "by submitting your e-mail address"
        if not receivers:
            receivers = [
                m
                for m in all_recipients
                if m.start > token.i
                and (m.term.role or m.term.named)
                and not any(m in p.recipients for p in subjects + agents)
                and id(m) not in self.claimed_recipients  # another verb's ("but we share X with Y")
            ]
        third = [m for m in receivers if m.term.role is not None or m.term.named]
        generic_third = [m for m in receivers if m.term.role is None and not m.term.named]
        to_us = any(
            self._party(child, all_recipients, span).kind == "we" for child in _receiver_tokens(token)
        )
        if provider == "third":
            if to_us and specific and not negative:  # "Plaid passes us your balances": we collect them
                emit("collected", categories, phrases)
            return statements  # a third party giving data elsewhere: not a practice of the policy's author
        if kind == "sale":
            if not specific and not everything:
                return statements
            if negative:
                roles = _by_role(third or generic_third, sentence, True)
                emit(
                    "denied-sale",
                    shared_categories,
                    shared_phrases,
                    roles[0][0] if len(roles) == 1 else ANY_RECIPIENT,
                    [n for _, names in roles for n in names],
                )
            elif third or generic_third:
                share_to(third or generic_third)
            return statements
        if third or generic_third:
            if not to_us:
                share_to(third or generic_third)
            return statements
        sender_is_product = (
            bool(subjects)
            and subjects[0].kind == "other"
            and any(
                child.dep_.startswith("nsubj") and child.lemma_.lower() in _PRODUCT_THINGS
                for child in token.children
            )
        )
        if provider == "user" or to_us or sender_is_product:
            if negative and (specific or personal):
                emit(
                    "denied-collection",
                    categories + ([ALL_COLLECTED] if personal else []),
                    phrases + [m.text for m in personal[:1]],
                )
            elif specific:
                emit("collected", categories, phrases)
            return statements
        if provider in ("we", "none", "other"):
            receiver_words = [child for child in _receiver_tokens(token) if child.lower_ not in ("you", "us")]
            lead_role = _lead_role(unit)
            if receiver_words and lead_role and not _roles_from_context(sentence, unit):
                # "4.1 Energy companies. ... we send that company your postcode": the run-in
                # heading says who "that company" is
                emit(
                    "denied-sharing" if negative else "shared",
                    shared_categories,
                    shared_phrases,
                    lead_role,
                    (),
                )
                return statements
            for role in _roles_from_context(sentence, unit):
                emit("denied-sharing" if negative else "shared", shared_categories, shared_phrases, role, ())
            if negative and not statements and (specific or personal):
                emit("denied-sharing", shared_categories, shared_phrases, ANY_RECIPIENT, ())
        return statements

    def _read_row(self, unit: Unit) -> list[Statement]:
        """A table row, read by what its columns mean (see :func:`_column_kinds`).

        The data is read from the row's data columns; when a category column ("Identifiers") has
        an examples column beside it, the examples are the data and the category only stands in
        when its examples name none. Each recipient column names who receives that data (a
        recipient cell that names data of its own, "Advertising partners (email address,
        hashed)", receives only that). A row under a collection heading, or of a table that
        states categories with examples or sources (the CCPA-style notice at collection), also
        says the data is collected. "No", "None", "Not disclosed" under a recipient or answer
        column is a denial (of sale under a "sold" header); purpose, legal-basis and source
        columns are not read for data.
        """
        span = unit.span
        data, recipients = _data_and_recipients(span)
        columns = _cell_columns(unit, span)
        headers = [unit.header[i] if i < len(unit.header) else "" for i in range(len(unit.cells))]
        kinds = _column_kinds(headers)

        def column_of(mention: _Mention) -> int:
            char = span.doc[mention.start].idx - span.start_char
            return next((i for i, (start, end) in enumerate(columns) if start <= char < end), -1)

        def kind_of(mention: _Mention) -> str:
            index = column_of(mention)
            return kinds[index] if index >= 0 else "header"  # the header's words are not the row's

        examples = [
            m for m in data if kind_of(m) == "examples" and m.term.kind in (KIND_SPECIFIC, KIND_GENERIC)
        ]
        row_data = [
            m
            for m in data
            if kind_of(m) in (("examples", "other") if examples else ("data", "examples", "other"))
        ]
        conditions = [
            span.start_char + match.start() for match in _CELL_CONDITION.finditer(span.text)
        ]  # "Background checks, only if the employer orders one": the employer is not the recipient

        def in_condition(mention: _Mention) -> bool:
            char = span.doc[mention.start].idx
            cell = next(
                ((start, end) for start, end in columns if start <= char - span.start_char < end), None
            )
            return cell is not None and any(span.start_char + cell[0] <= start < char for start in conditions)

        categories, phrases = _categories_of(row_data)
        if not categories:
            return []
        said_no = {
            action: _NO_CELL.fullmatch(cell.strip()) is not None
            for header, cell in zip(headers, unit.cells, strict=False)
            for action, pattern in _ANSWER_HEADERS.items()
            if pattern.search(header) and _ANSWER_CELL.fullmatch(cell.strip())
        }
        purposes = tuple(
            cell for cell, kind in zip(unit.cells, kinds, strict=False) if kind == "purpose" and cell
        )
        statements: list[Statement] = []
        specific_only = tuple(c for c in categories if c != ALL_COLLECTED)
        collecting = (
            unit.heading_action == "collected"
            or "collected" in said_no
            or "source" in kinds
            or ("examples" in kinds and "data" in kinds)
        )
        means = _means_of_collection(span, [columns[i] for i, kind in enumerate(kinds) if kind == "source"])
        if collecting and means:
            specific_only, phrases = _aligned(
                [*specific_only, *means], [*phrases[: len(specific_only)], *means.values()]
            )
        if collecting and not said_no.get("collected") and specific_only:
            statements.append(
                Statement(
                    "collected",
                    specific_only,
                    unit.citation,
                    phrases=phrases[: len(specific_only)],
                    purposes=purposes,
                )
            )
        if said_no.get("sold"):
            statements.append(
                Statement("denied-sale", categories, unit.citation, role=ANY_RECIPIENT, phrases=phrases)
            )
        recipient_columns = [
            index
            for index, kind in enumerate(kinds)
            if kind in ("recipient", "sold") and index < len(unit.cells) and unit.cells[index]
        ]
        refused = [index for index in recipient_columns if _NO_CELL.fullmatch(unit.cells[index].strip())]
        for index in refused:  # "Disclosed to: Not disclosed", "Sold or shared with: Not sold"
            if not _REFUSAL_CELL.match(unit.cells[index].strip()):
                continue  # "Disclosed to: None" lists no recipient; it does not promise anything
            denied = {"sale"} if kinds[index] == "sold" else set()
            if _SHARED_WORDS.search(headers[index]) or _SHARED_WORDS.search(unit.cells[index]):
                denied.add("sharing")
            statements.extend(
                Statement(
                    "denied-sale" if action == "sale" else "denied-sharing",
                    categories,
                    unit.citation,
                    role=ANY_RECIPIENT,
                    phrases=phrases,
                )
                for action in sorted(denied)
            )
        if said_no.get("shared") or (refused and len(refused) == len(recipient_columns)):
            return statements
        cell_recipients: dict[int, list[_Mention]] = {}
        for mention in recipients:
            index = column_of(mention)
            kind = kinds[index] if index >= 0 else "header"
            if kind in ("recipient", "sold", "other") and index not in refused and not in_condition(mention):
                cell_recipients.setdefault(index, []).append(mention)
        for index, named in cell_recipients.items():
            own = [m for m in data if column_of(m) == index and m.term.kind in (KIND_SPECIFIC, KIND_GENERIC)]
            cell_categories, cell_phrases = (
                _categories_of(own) if own and kinds[index] != "other" else (categories, phrases)
            )
            statements.extend(
                Statement(
                    "shared",
                    cell_categories,
                    unit.citation,
                    role=role,
                    recipients=tuple(dict.fromkeys(names)),
                    phrases=cell_phrases,
                    purposes=purposes,
                )
                for role, names in _by_role(named, span.text, False)
            )
        recipient_cells = [unit.cells[index] for index in recipient_columns if index not in refused]
        if not cell_recipients and (recipient_cells or (unit.heading_action == "shared" and not collecting)):
            role = unit.heading_role or (
                _unnamed_recipient_role(recipient_cells, unit.header) if recipient_cells else None
            )
            if role:
                statements.append(
                    Statement(
                        "shared",
                        categories,
                        unit.citation,
                        role=role,
                        recipients=tuple(recipient_cells),
                        phrases=phrases,
                        purposes=purposes,
                    )
                )
        return statements

    def _remember_generic(self, unit, actions, recipients, purposes) -> None:
        """A statement about "information" alone: "The information includes ..." may follow."""
        if not self.pending or self.pending[0].citation != unit.citation:
            self.pending = []
        self.pending.extend(Statement(action, (), unit.citation, purposes=purposes) for action in actions)
        for role, names in _by_role(recipients, unit.span.text, False):
            self.pending.append(
                Statement(
                    "shared", (), unit.citation, role=role, recipients=tuple(names), actor="third party"
                )
            )

    def _from_context(self, unit: Unit, mentions: list[_Mention[DataTerm]], recipients) -> list[Statement]:
        """Data named without a verb of its own: "The information includes ...", a fragment under a heading."""
        categories, phrases = _aligned(
            [c for m in mentions for c in m.term.categories],
            [m.text for m in mentions for _ in m.term.categories],
        )
        root = unit.span.root
        subject = next((child for child in root.children if child.dep_.startswith("nsubj")), None)
        refers_back = (
            subject is not None
            and subject.lemma_.lower() in ("information", "data", "datum")
            and any(child.lower_ in ("the", "this", "such", "these", "that") for child in subject.children)
            and root.lemma_.lower() in ("include", "be", "consist", "comprise", "contain")
        )
        if refers_back and self.pending:
            return [
                replace(
                    template,
                    categories=categories,
                    phrases=phrases,
                    citation=unit.citation,
                )
                for template in self.pending
            ]
        if root.pos_ in ("VERB", "AUX") or (
            root.pos_ not in ("NOUN", "PROPN", "ADJ", "NUM", "X")
            and any(token.pos_ == "VERB" for token in unit.span)
        ):
            return []  # a sentence with a verb that is not about collection or sharing
        # a noun phrase with verbs only in its relative clauses ("your name, which you enter ...")
        if unit.heading_action == "collected":
            return [Statement("collected", categories, unit.citation, phrases=phrases)]
        if unit.heading_action == "shared":
            named = [r for r in recipients if r.term.role]
            if named:
                return [
                    Statement(
                        "shared",
                        categories,
                        unit.citation,
                        role=role,
                        recipients=tuple(names),
                        phrases=phrases,
                    )
                    for role, names in _by_role(named, unit.span.text, False)
                ]
            if unit.heading_role:
                return [
                    Statement(
                        "shared",
                        categories,
                        unit.citation,
                        role=unit.heading_role,
                        phrases=phrases,
                    )
                ]
        return []

    def _note_definition(self, unit: Unit, data: list[_Mention[DataTerm]]) -> None:
        root = unit.span.root
        if root.lemma_.lower() not in ("include", "mean", "be", "comprise"):
            return
        subject = next((child for child in root.children if child.dep_.startswith("nsubj")), None)
        if subject is None:
            return
        subject_mention = next((m for m in data if m.covers(subject) and m.term.kind == KIND_PERSONAL), None)
        members = [m for m in data if m.term.kind in (KIND_SPECIFIC, KIND_GENERIC)]
        if subject_mention is not None and members:
            categories, phrases = _aligned(
                [c for m in members for c in m.term.categories],
                [m.text for m in members for _ in m.term.categories],
            )
            self.definitions.append((unit, categories, phrases))


_RECIPIENT_HEADER = re.compile(
    r"recipient|\bwho\b|third[- ]part|\bpart(?:y|ies)\b|processor|vendor|provider|partner|compan(?:y|ies)"
    r"|organi[sz]ation|disclosed to|shared with|sold to|sent to|\bto whom\b",
    re.IGNORECASE,
)
#: A header that says the column lists who receives the data: a participle of giving with its
#: preposition last ("Disclosed for a business purpose to", "Sold or shared with"), or recipients
#: as the header's head noun ("Categories of recipients", "Third parties").
_RECEIVED_BY_HEADER = re.compile(
    r"\b(?:disclosed|shared|sold|sent|transferred|provided|made available|passed|given)\b.*\b(?:to|with)\W*$"
    r"|^\W*(?:categor(?:y|ies) of )?(?:recipients?|third[- ]part(?:y|ies))\b",
    re.IGNORECASE,
)
_SOLD_HEADER = re.compile(r"\bsold\b|\bsells?\b|\bsale\b", re.IGNORECASE)
_SHARED_WORDS = re.compile(r"\bshared?\b|\bdisclosed?\b|\bdisclosures?\b", re.IGNORECASE)
_SOURCE_HEADER = re.compile(r"\bsources?\b|obtained from|where (?:we|it) (?:get|gets|comes)", re.IGNORECASE)
_EXAMPLES_HEADER = re.compile(r"^\W*(?:specific )?(?:examples?|e\.g\.|such as)\b", re.IGNORECASE)
_PURPOSE_HEADER = re.compile(
    r"purpose|\bwhy\b|reason|legal basis|lawful basis|retention|location|country", re.IGNORECASE
)
_DATA_HEADER = re.compile(
    r"\bdata\b|information|categor(?:y|ies)|\bwhat\b|\btypes?\b|fields?|details", re.IGNORECASE
)
_ANSWER_HEADERS = {
    "collected": re.compile(r"\bcollect", re.IGNORECASE),
    "sold": _SOLD_HEADER,
    "shared": re.compile(r"\bshared?\b|\bdisclosed?\b", re.IGNORECASE),
}
_ANSWER_CELL = re.compile(r"yes|no|none|n/a|✓|✔|✗|✘|x|-|—", re.IGNORECASE)
#: A cell that says no: "No", "None", "Not disclosed", "Not sold or shared", "Never".
_REFUSAL_CELL = re.compile(r"(?:not|never)\b", re.IGNORECASE)
_NO_CELL = re.compile(r"no|none|n/a|✗|✘|-|—|(?:not|never)\b[\w\s,/]{0,60}", re.IGNORECASE)


_CELL_CONDITION = re.compile(r"\b(?:only if|only when|if|when|where|unless|in case)\b", re.IGNORECASE)
#: What a recipient the lists do not name does, when its cell or the table says it: a service.
_SERVICE_FUNCTION = re.compile(
    r"\b(?:hosting|host|hosted|hosts|cloud|storage|backup|infrastructure|e-?mail|sms|delivery|parsing|processing|processor|"
    r"support|help ?desk|crm|payments?|billing|security|fraud|logging|monitoring|transcription|translation|"
    r"verification|kyc|maps?|mapping|search|scheduling)\b",
    re.IGNORECASE,
)
_PROCESSOR_TABLE = re.compile(r"(?:sub-?)?processors?|service providers?|vendors?", re.IGNORECASE)


def _unnamed_recipient_role(cells: Sequence[str], header: Sequence[str]) -> str:
    """The role of a table recipient no list names: a service provider when the table lists
    processors or the cell says what service it performs ("Brevo (e-mail delivery)"), else a
    third party of unknown role."""
    if any(_PROCESSOR_TABLE.search(text) for text in header) or any(
        _SERVICE_FUNCTION.search(cell) for cell in cells
    ):
        return "service_provider"
    return "third_party"


def _column_kind(header: str) -> str:
    """What a table column holds, by what its header means: ``recipient`` (who receives the data),
    ``sold`` (who it is sold or shared with for advertising), ``source``, ``purpose`` (purposes,
    legal bases, places, retention), ``examples``, ``data`` or ``other``. A header that says who
    receives ("Disclosed for a business purpose to") wins over the words inside it ("purpose");
    "Data disclosed" and "Data they receive" are data."""
    if not header:
        return "other"
    if _RECEIVED_BY_HEADER.search(header):
        return "sold" if _SOLD_HEADER.search(header) else "recipient"
    if _SOURCE_HEADER.search(header):
        return "source"
    if _EXAMPLES_HEADER.search(header):
        return "examples"
    if _DATA_HEADER.search(header) and not re.search(r"recipients?", header, re.IGNORECASE):
        return "data"
    if _RECIPIENT_HEADER.search(header):
        return "recipient"
    if _PURPOSE_HEADER.search(header):
        return "purpose"
    return "other"


def _means_of_collection(span, ranges: Sequence[tuple[int, int]]) -> dict[str, str]:
    """Cookie identifiers (category -> phrase) of the tools of collection a source names
    ("Automatically, through cookies and pixels"): a source column or a "Sources" section says
    the data comes through them, so the cookie identifiers are collected too."""
    found: dict[str, str] = {}
    for mention in _mentions(span, DATA_TERMS, lowered=True):
        char = span.doc[mention.start].idx - span.start_char
        if _is_means(mention) and any(start <= char < end for start, end in ranges):
            for category in mention.term.categories:
                if category == "user.device.cookie_id":
                    found.setdefault(category, mention.text)
    return found


def _column_kinds(headers: Sequence[str]) -> list[str]:
    """Each column's kind; an examples column holds examples of the column before it (data or
    recipients: "Category of recipient | Example")."""
    kinds = [_column_kind(header) for header in headers]
    for index, kind in enumerate(kinds):
        if kind == "examples" and index and kinds[index - 1] in ("recipient", "sold"):
            kinds[index] = kinds[index - 1]
    return kinds


def _categories_of(mentions: Sequence[_Mention]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The categories a cell's data phrases name (``collected`` for "personal data" alone)."""
    specific = [m for m in mentions if m.term.kind in (KIND_SPECIFIC, KIND_GENERIC)]
    everything = [m for m in mentions if m.term.kind == KIND_PERSONAL]
    return _aligned(
        [c for m in specific for c in m.term.categories] + ([ALL_COLLECTED] if everything else []),
        [m.text for m in specific for _ in m.term.categories] + [m.text for m in everything[:1]],
    )


def _cell_columns(unit: Unit, span) -> list[tuple[int, int]]:
    """The character range of each cell inside the row's text (relative to the span)."""
    text = span.text
    ranges: list[tuple[int, int]] = []
    position = 0
    for cell in unit.cells:
        if not cell:
            ranges.append((position, position))
            continue
        start = text.find(cell, position)
        if start < 0:
            ranges.append((position, position))
            continue
        ranges.append((start, start + len(cell)))
        position = start + len(cell)
    return ranges


def _receiver_tokens(token) -> Iterator[Any]:
    objects = [child for child in token.children if child.dep_ == "dobj"]
    if len(objects) > 1 and _is_give(token):
        yield from objects[:-1]  # "we send that company your postcode": the parser's two objects
    for child in token.children:
        if child.dep_ in ("dative", "iobj") and child.pos_ in ("PRON", "PROPN", "NOUN"):
            yield child
        if child.dep_ == "dobj" and child.lower_ in ("us", "you"):
            yield child  # "provide us with ..."
        if child.dep_ in ("prep", "dative") and child.lower_ in ("to", "with", "into"):
            for obj in child.children:
                if obj.dep_ == "pobj":
                    yield obj


def _by_role(
    mentions: Sequence[_Mention[RecipientTerm]], sentence: str, negative: bool
) -> list[tuple[str, list[str]]]:
    """Recipients grouped by role; generic recipients take a role from the purpose, else ``any``."""
    roles: dict[str, list[str]] = {}
    for mention in mentions:
        role = mention.term.role
        if role is None:
            if MARKETING_PURPOSE.search(sentence):
                role = "marketing"
            elif LEGAL_PURPOSE.search(sentence) and not negative:
                role = "legal"
            else:
                role = ANY_RECIPIENT if negative else "third_party"
        roles.setdefault(role, []).append(mention.text.strip())
    if not mentions:
        return []
    return list(roles.items())


def _lead_role(unit: Unit) -> str | None:
    """The recipient role a unit's run-in heading or section heading names ("Delivery partners.")."""
    for text in (unit.subsection,):
        for term in RECIPIENT_TERMS:
            if term.role and text and term.pattern.search(text):
                return term.role
    return unit.heading_role


def _roles_from_context(sentence: str, unit: Unit) -> list[str]:
    if BUSINESS_TRANSFER_CONTEXT.search(sentence) or BUSINESS_TRANSFER_CONTEXT.search(unit.subsection or ""):
        return ["business_transfer"]
    if LEGAL_PURPOSE.search(sentence):
        return ["legal"]
    return []


def _qualifier(sentence: str, head) -> str:
    if _CHILDREN.search(sentence):
        return "children"
    match = _EXCEPTION.search(sentence)
    if match:
        return _short(match.group(0).strip(), 10)
    if any(
        child.dep_ == "advcl"
        and any(m.lower_ in ("if", "unless", "where", "when") for m in child.children if m.dep_ == "mark")
        for child in head.children
    ):
        return "conditional"
    if sentence.lstrip().lower().startswith(("if ", "where ")):
        return "conditional"
    return ""


# --------------------------------------------------------------------------- the whole document


def first_party_aliases(document: PolicyDocument) -> list[str]:
    """Names the policy gives its author: ``Ledgerly GmbH ("Ledgerly", "we")``, the title's name."""
    aliases: list[str] = []
    head = " ".join(block.text for block in document.blocks[:6])
    for pattern in (_QUOTED_ALIAS, _ALIAS_BEFORE_WE):
        for match in pattern.finditer(head):
            name = match.group("name").strip(" ,.")
            if 1 <= len(name.split()) <= 5:
                aliases.append(name)
    if document.title:
        title_match = _TITLE_ALIAS.search(document.title.strip())
        if title_match:
            name = (title_match.group("name") or title_match.group("after") or "").strip(" –—:-")
            if name and len(name.split()) <= 5:
                aliases.append(name)
    expanded = []
    for alias in aliases:
        expanded.append(alias)
        short = re.sub(r"\b(?:inc|ltd|llc|gmbh|plc|corp|co)\.?$", "", alias, flags=re.IGNORECASE).strip(" ,.")
        if short and short != alias:
            expanded.append(short)
    return list(dict.fromkeys(expanded))


def extract_statements(units: Sequence[Unit], aliases: Sequence[str]) -> tuple[list[Statement], _Reader]:
    """Every statement of every unit, then what definitions add (see the module docstring)."""
    reader = _Reader(aliases)
    statements: list[Statement] = []
    for unit in units:
        statements.extend(reader.read(unit))
    if reader.generic_collection or any(
        statement.action == "collected" and ALL_COLLECTED in statement.categories for statement in statements
    ):
        for unit, categories, phrases in reader.definitions:
            statements.append(
                Statement("collected", categories, unit.citation, phrases=phrases, basis="definition")
            )
    return _merge(statements), reader


def _aligned(categories: Sequence[str], phrases: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Categories without duplicates, each with the (first) phrase it was read from; a container
    ("crash reports") gives way to what it is said to contain ("the phone model")."""
    pairs: dict[str, str] = {}
    for index, category in enumerate(categories):
        pairs.setdefault(category, phrases[index] if index < len(phrases) else "")
    for category, phrase in list(pairs.items()):
        if CONTAINER_PHRASE.fullmatch(phrase.strip()) and any(
            other.startswith(category + ".") for other in pairs
        ):
            del pairs[category]
    return tuple(pairs), tuple(pairs.values())


def _merge(statements: list[Statement]) -> list[Statement]:
    """One statement per (sentence, action, role, qualifier): list items of one sentence merge, and
    "disclosed to or collected directly by X" is one sharing statement."""
    merged: dict[tuple, Statement] = {}
    for statement in statements:
        key = (
            statement.citation.section,
            statement.citation.sentence,
            statement.action,
            statement.role,
            statement.qualifier,
            statement.basis,
        )
        previous = merged.get(key)
        if previous is None:
            merged[key] = statement
            continue
        categories, phrases = _aligned(
            previous.categories + statement.categories, previous.phrases + statement.phrases
        )
        merged[key] = replace(
            previous,
            categories=categories,
            recipients=tuple(dict.fromkeys(previous.recipients + statement.recipients)),
            phrases=phrases,
            purposes=tuple(dict.fromkeys(previous.purposes + statement.purposes)),
        )
    return list(merged.values())
