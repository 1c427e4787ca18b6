"""Account handles (``user.account.username``): logins and handles in fields named for them, and
``for user X`` in authentication logs.

A handle is 2 to 64 characters of letters (any script), digits and ``._-@+``, with at least one
letter, no spaces, not an email address (those are ``user.contact.email``) and not a number. It
counts (0.9) in a field named for logins (``username``, ``login``, ``handle``, ``screen_name``,
``nickname``, ``user``...); a column where every value is an ``@handle`` counts on its values
alone (0.8). In free text: the user of sshd / PAM / sudo lines (``Accepted password for alice
from``, ``Failed password for invalid user admin from``, ``session opened for user bob``,
``user=carol``): 0.85. The examples keep the first character only.

Known false positives: a ``login`` column of login methods (``password``, ``sso``); enumerations
are caught only when the column holds few distinct values (a tenth of its values or fewer than 5).
Known misses: handles in columns with uninformative names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from piimap.classifiers.base import CaselessLineTest, SingleCategoryClassifier, TextHit
from piimap.classifiers.fieldnames import CategoryRule, NameEvidence, phrases
from piimap.classifiers.spec import CategorySpec
from piimap.model import Detection, FieldSample
from piimap.scancache import value_cache

__all__ = ["UsernameClassifier", "handle_strength", "find_usernames"]

CATEGORY = "user.account.username"
NAMED_STRENGTH = 0.9
AT_HANDLE_STRENGTH = 0.8
TEXT_STRENGTH = 0.85

NAMES = CategoryRule(
    strong=phrases(
        "username",
        "user name",
        "login",
        "login name",
        "loginname",
        "login id",
        "handle",
        "screen name",
        "screenname",
        "nickname",
        "nick",
        "user handle",
        "account name",
        "uname",
        "userid name",
        "benutzername",
        "gamertag",
        "twitter",
        "instagram",
        "github",
        "remote user",
        "sam account name",
    ),
    weak=phrases("user", "account", "author"),
    contradicting=frozenset(
        {
            "count",
            "attempts",
            "at",
            "date",
            "time",
            "type",
            "method",
            "status",
            "id",
            "agent",
            "email",
            "password",
            "hash",
            "url",
        }
    ),
    glued=("username", "loginname"),
)


def _mask_handle(value: str) -> str:
    value = value.strip()
    start = 2 if value.startswith("@") else 1
    return value[:start] + "***"


SPEC = CategorySpec(
    key=CATEGORY,
    names=NAMES,
    explain="A login or handle: in fields named for usernames, @handles, and 'for user X' in authentication logs.",
    mask=_mask_handle,
)

_HANDLE = re.compile(r"@?[\w.+-]{1,63}(?:@[\w-]+)?", re.UNICODE)


@value_cache(maxsize=65536)
def handle_strength(value: str, named: bool) -> float:
    """How surely ``value`` is a handle: 0.9 in a named field, 0.8 for an ``@handle`` anywhere."""
    value = value.strip()
    if not named and value[:1] != "@":  # on its value alone only an @handle counts
        return 0.0
    if not 2 <= len(value) <= 64 or not _HANDLE.fullmatch(value):
        return 0.0
    if not any(char.isalpha() for char in value):
        return 0.0
    at = value.find("@")
    if at > 0 and "." in value[at:]:  # an email address
        return 0.0
    if named:
        return NAMED_STRENGTH
    if value.startswith("@") and 3 <= len(value) <= 31 and value.count("@") == 1:
        return AT_HANDLE_STRENGTH
    return 0.0


_USER = r"([A-Za-z_][\w.-]{0,31})"
_IN_TEXT = re.compile(
    rf"\b(?:(?:password|publickey|keyboard-interactive(?:/pam)?|none) for (?:invalid user |illegal user )?{_USER} from\b"
    rf"|session (?:opened|closed) for user {_USER}(?![\w@])"
    rf"|[Ii]nvalid user {_USER} from\b"
    rf"|authentication failure for {_USER}(?![\w@])"
    rf"|(?<![\w-])user={_USER}(?![\w@]))",
    re.IGNORECASE,
)
#: every hit of ``_IN_TEXT`` holds " for " or "user" (in any case)
TEXT_LINES = CaselessLineTest(re.compile(rb" for |user"), re.compile(r" for |user", re.IGNORECASE))
_NOT_USERS = frozenset({"unknown", "from", "root", "none", "null", "user", "invalid", "illegal", "by"})


def find_usernames(line: str) -> Iterable[TextHit]:
    """The user of an authentication log line (sshd, PAM, sudo, ``user=``)."""
    hits = []
    for match in _IN_TEXT.finditer(line):
        user = next(group for group in match.groups() if group is not None)
        if user.lower() not in _NOT_USERS and any(char.isalpha() for char in user):
            hits.append(TextHit(user, TEXT_STRENGTH))
    return tuple(hits)


class UsernameClassifier(SingleCategoryClassifier):
    """Finds logins and handles by field name, @handles by value, and users in authentication logs."""

    id = "username"
    categories = (CATEGORY,)
    specs = (SPEC,)
    text_what = "a username"
    text_prefilter = TEXT_LINES

    def text_finder(self, sample: FieldSample) -> Callable[[str], tuple[TextHit, ...]]:
        return find_usernames  # type: ignore[return-value]

    def judge_structured(
        self, sample: FieldSample, evidence: NameEvidence, *, keep_empty: bool
    ) -> Detection | None:
        named = evidence.strong
        if named and _few_distinct(sample):
            named = False  # an enumeration (login methods, roles), not people's handles
        return self.judge_values(
            sample,
            evidence,
            lambda value: handle_strength(value, named),
            what="handles" + (" in a field named for them" if named else " (@handle)"),
            keep_empty=keep_empty,
        )


def _few_distinct(sample: FieldSample) -> bool:
    occurrences = sample.occurrences
    distinct = len(set(sample.values)) if sample.counts is None else len(sample.values)
    return occurrences >= 20 and (distinct < 5 or distinct * 10 <= occurrences)
