"""Cookie and session identifiers (``user.device.cookie_id``).

* Google Analytics client ids: the ``_ga`` / ``_gid`` cookie value ``GA1.2.1234567890.1600000000``
  (strength 0.95 on the value alone) and the bare client id ``1234567890.1600000000`` (a random
  number, a dot, a unix time between 2005 and 2035: 0.75 alone).
* Meta pixel ``_fbp`` / ``_fbc`` values (``fb.1.1596403881668.1116446470``): 0.95.
* Session and visitor identifiers: opaque tokens (16-128 characters of letters and digits, UUIDs,
  hex, base64url) in a field named for cookies or sessions (``session_id``, ``sid``, ``cookie_id``,
  ``visitor_id``, ``anonymous_id``, ``_ga``...): 0.85. The same token in a field with no such name
  is not counted: it could as well be a hash, an API key or a trace id.

In free text (log lines, ``Cookie:`` headers) values are found after a cookie key
(``_ga=``, ``sessionid=``, ``JSESSIONID=``, ``PHPSESSID=``, ``visitor_id=``...) or by the GA shape.

Known false positives: a token column the user named ``session...`` that holds something else
(a session *type*, a count); numbers shaped like ``12345.1600000000`` with no cookie meaning.
Known misses: vendor cookies with other shapes in fields with uninformative names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from piimap.classifiers.base import (
    CaselessLineTest,
    PatternLineTest,
    SingleCategoryClassifier,
    TextHit,
    UnionLineTest,
)
from piimap.classifiers.fieldnames import ID_WORDS, CategoryRule, NameEvidence, phrases
from piimap.classifiers.prefilter import shape_of
from piimap.classifiers.spec import CategorySpec
from piimap.model import Detection, FieldSample
from piimap.scancache import value_cache

__all__ = ["CookieIdClassifier", "cookie_id_strength", "find_cookie_ids"]

CATEGORY = "user.device.cookie_id"

#: field-name rules of this category (see :mod:`piimap.classifiers.fieldnames`)
NAMES = CategoryRule(
    strong=phrases(
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
    weak=phrases("client id", "tracker", "tracking"),
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
        | ID_WORDS
    ),
    glued=("sessionid", "cookieid", "visitorid"),
)
SPEC = CategorySpec(
    key=CATEGORY,
    names=NAMES,
    explain="An analytics or session cookie identifier (Google Analytics _ga/_gid, Facebook _fbp, Segment ids) or an opaque session token in a field named for it.",
    mask=None,
)

GA_COOKIE_STRENGTH = 0.95
GA_CLIENT_ID_STRENGTH = 0.75
FBP_STRENGTH = 0.95
NAMED_TOKEN_STRENGTH = 0.85
HINTED_TOKEN_STRENGTH = 0.5

_GA_COOKIE = re.compile(r"^GA\d\.\d{1,2}\.(\d{5,12})\.(\d{10})$")
_GA_CLIENT_ID = re.compile(r"^(\d{5,12})\.(\d{10})$")
_FBP = re.compile(r"^fb\.\d\.\d{13}\.[\w-]{5,}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_\-+/=.%:]{16,128}$")
_TIME_RANGE = (1_104_537_600, 2_051_222_400)  # 2005 .. 2035
_COOKIE_KEYS = (
    r"_ga|_gid|_fbp|_fbc|sessionid|session_id|session|sid|phpsessid|jsessionid|asp\.net_sessionid|connect\.sid"
    r"|visitor_id|visitorid|anonymous_id|ajs_anonymous_id|cookie_id|_hjsessionuser_\d+|_pk_id[\w.]*"
)
_KEYED_IN_TEXT = re.compile(
    rf"(?<![\w.])(?:{_COOKIE_KEYS})[\"']?\s*[=:]\s*[\"']?([^\s;,&\"']{{8,256}})", re.IGNORECASE
)
_GA_IN_TEXT = re.compile(r"(?<![\w.])(GA\d\.\d{1,2}\.\d{5,12}\.\d{10})(?![\w.])")


def _in_time_range(seconds: str) -> bool:
    return _TIME_RANGE[0] <= int(seconds) <= _TIME_RANGE[1]


def _looks_like_token(value: str) -> bool:
    shape = shape_of(value)
    if not _TOKEN.match(value) or shape.digits == 0:
        return False
    # a token mixes letters and digits (or is long hex); words, dates and plain numbers are not
    letters = shape.alpha
    return letters > 0 or shape.length >= 20


@value_cache(maxsize=65536)
def cookie_id_strength(value: str, named: bool, hinted: bool) -> float:
    """How surely ``value`` is a cookie / session id; ``named``/``hinted``: what the field name says."""
    value = value.strip()
    shape = shape_of(value)
    if shape.length < 8 or shape.spaces or shape.ats:
        return 0.0
    match = _GA_COOKIE.match(value)
    if match and _in_time_range(match.group(2)):
        return GA_COOKIE_STRENGTH
    match = _GA_CLIENT_ID.match(value)
    if match and _in_time_range(match.group(2)):
        return min(1.0, GA_CLIENT_ID_STRENGTH + (0.1 if named else 0.0))
    if _FBP.match(value):
        return FBP_STRENGTH
    if (named or hinted) and _looks_like_token(value):
        return NAMED_TOKEN_STRENGTH if named else HINTED_TOKEN_STRENGTH
    return 0.0


# Every line :func:`find_cookie_ids` can find an id on. A GA hit is ``_GA_IN_TEXT``'s group, which
# starts "GA<digit>." (case-sensitive, as there). A keyed hit is a ``_KEYED_IN_TEXT`` match,
# ``KEY["']?\s*[=:]\s*["']?`` and 8 or more characters of ``[^\s;,&"']``, case-insensitive. On the
# folded block (:attr:`~piimap.classifiers.base.TextBlock.folded`: lower-case ASCII, and a non-ASCII
# character as UTF-8 bytes, which may belong to a ``\s``) each key shows as one of:
# * "sess" and the rest of a key holding it (sessionid, session_id, session, phpsessid, jsessionid,
#   asp.net_sessionid, _hjsessionuser_N), then the quote, blanks, separator and value;
# * "_pk_id" (its key goes on with ``[\w.]*``: only the literal is looked for, so that a long run
#   of such text costs one pass);
# * for the other keys, a [=:] whose value follows and that comes right after a key's last three
#   characters (_ga, gid, fbp, fbc, sid, rid, _id) or after the quote or blank between key and
#   separator.
# Keys are bounded where they are looked for (no ``\w*`` after "sess"), so no pattern rescans a
# long line from each of its occurrences.
_FOLDED_SPACE = rb"[\t\n\x0b-\r\x1c-\x1f \x80-\xff]"
_FOLDED_VALUE = rb"[\"']?[^\t\n\x0b-\r\x1c-\x1f ;,&\"']{8}"
_FOLDED_KEY_ENDS = rb"(?:(?<=_ga.)|(?<=gid.)|(?<=fb[pc].)|(?<=sid.)|(?<=rid.)|(?<=_id.)|(?<=[\"'\t\n\x0b-\r\x1c-\x1f \x80-\xff].))"
_SESSION_KEY_REST = r"(?:ion(?:_?id|user_\d+)?|id)"
_SPACE, _VALUE = r"\s", r"[\"']?[^\s;,&\"']{8}"
TEXT_LINES = UnionLineTest(
    (
        PatternLineTest(re.compile(r"GA\d\.")),
        CaselessLineTest(
            re.compile(
                rb"sess"
                + _SESSION_KEY_REST.encode()
                + rb"[\"']?"
                + _FOLDED_SPACE
                + rb"*[=:]"
                + _FOLDED_SPACE
                + rb"*"
                + _FOLDED_VALUE
            ),
            re.compile(rf"sess{_SESSION_KEY_REST}[\"']?{_SPACE}*[=:]{_SPACE}*{_VALUE}", re.IGNORECASE),
        ),
        CaselessLineTest(re.compile(rb"_pk_id"), re.compile(r"_pk_id", re.IGNORECASE)),
        CaselessLineTest(  # the value is looked at first: it rules out most separators soonest
            re.compile(rb"=(?=" + _FOLDED_SPACE + rb"*" + _FOLDED_VALUE + rb")" + _FOLDED_KEY_ENDS),
            re.compile(rf"[=:]{_SPACE}*{_VALUE}", re.IGNORECASE),
        ),
        CaselessLineTest(
            re.compile(rb":(?=" + _FOLDED_SPACE + rb"*" + _FOLDED_VALUE + rb")" + _FOLDED_KEY_ENDS),
            re.compile(rf"[=:]{_SPACE}*{_VALUE}", re.IGNORECASE),
        ),
    )
)


def find_cookie_ids(line: str) -> Iterable[TextHit]:
    """Cookie values after a cookie key, and GA cookie values, inside a line of text."""
    hits = []
    if "=" in line or ":" in line:
        for match in _KEYED_IN_TEXT.finditer(line):
            strength = cookie_id_strength(match.group(1), True, False)
            if strength > 0:
                hits.append(TextHit(match.group(1), strength * 0.95))
    if "GA" in line:
        for match in _GA_IN_TEXT.finditer(line):
            if not any(hit.text == match.group(1) for hit in hits):
                hits.append(TextHit(match.group(1), cookie_id_strength(match.group(1), False, False) * 0.95))
    return tuple(hit for hit in hits if hit.strength > 0)


class CookieIdClassifier(SingleCategoryClassifier):
    """Finds analytics cookie ids and session / visitor identifiers."""

    id = "cookie_id"
    categories = (CATEGORY,)
    specs = (SPEC,)
    text_what = "a cookie or session id"
    text_prefilter = TEXT_LINES

    def text_finder(self, sample: FieldSample) -> Callable[[str], Iterable[TextHit]]:
        return find_cookie_ids

    def judge_structured(
        self, sample: FieldSample, evidence: NameEvidence, *, keep_empty: bool
    ) -> Detection | None:
        named, hinted = evidence.strong, evidence.supports and not evidence.strong
        return self.judge_values(
            sample,
            evidence,
            lambda value: cookie_id_strength(value, named, hinted),
            what="cookie ids (GA/_fbp" + (", session tokens" if named or hinted else "") + ")",
            keep_empty=keep_empty,
        )
