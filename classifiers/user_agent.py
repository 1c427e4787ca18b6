"""User agents (``user.device.user_agent``): the browser or app string that says a person's type of device.

A value is a user agent when it is a product token with a version (``Mozilla/5.0``,
``Dalvik/2.1.0``, ``MyApp/4.2.1``) followed by more tokens, and it names a platform or engine
(``Windows NT``, ``Macintosh``, ``iPhone``, ``Android``, ``Linux``, ``X11``, ``CrOS``, ``iOS``,
``CFNetwork``, ``Darwin``, ``AppleWebKit``, ``Gecko``...): strength 0.95 for ``Mozilla/`` browser
strings, 0.85 for app strings. Crawlers and tools (``Googlebot``, ``bingbot``, ``curl/``,
``python-requests/``, strings saying bot, crawler or spider) are agents but no person's device:
strength 0. Access logs hand their user-agent field over as a field (``user_agent``); in free
text, ``Mozilla/`` strings are found up to the closing quote.

Known false positives: a column of user agents a product keeps about its own test devices.
Known misses: agents with no platform or engine token (``MyApp/1.0``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from piimap.classifiers.base import LiteralLineTest, SingleCategoryClassifier, TextHit
from piimap.classifiers.fieldnames import CategoryRule, NameEvidence, phrases
from piimap.classifiers.spec import CategorySpec
from piimap.model import Detection, FieldSample
from piimap.scancache import value_cache

__all__ = ["UserAgentClassifier", "user_agent_strength", "find_user_agents"]

CATEGORY = "user.device.user_agent"
BROWSER_STRENGTH = 0.95
APP_STRENGTH = 0.85

NAMES = CategoryRule(
    strong=phrases("user agent", "useragent", "ua", "http user agent", "browser string", "agent string"),
    weak=phrases("agent", "browser", "client"),
    contradicting=frozenset({"count", "id", "type", "family", "version", "hash"}),
    glued=("useragent",),
)


def _mask_user_agent(value: str) -> str:
    """Product and platform words kept, every digit and the text after the platform starred."""
    if "(" not in value:
        return value.strip()[:3] + "***"
    head = value.strip().split(")", 1)[0]
    return re.sub(r"\d", "*", head)[:40] + (")" if ")" in value else "") + " ***"


SPEC = CategorySpec(
    key=CATEGORY,
    names=NAMES,
    explain="A browser or app user-agent string naming a platform (the person's type of device); "
    "crawlers and tools are not counted.",
    mask=_mask_user_agent,
)

_PRODUCT = re.compile(r"[A-Za-z][\w.+-]{0,40}/\d[\w.]*")
_PLATFORM = re.compile(
    r"Windows NT|Windows Phone|Macintosh|Mac OS X|iPhone|iPad|iPod|Android|Linux|X11|CrOS|\biOS\b|CFNetwork|"
    r"Darwin|AppleWebKit|Gecko|Trident|KHTML|Tizen|KaiOS|HarmonyOS|PlayStation|Xbox|SmartTV|Web0S|watchOS|tvOS"
)
_NOT_A_PERSON = re.compile(
    r"bot\b|Bot/|crawler|Crawler|spider|Spider|curl/|Wget/|python-requests|python-urllib|Go-http-client|"
    r"okhttp/\S+$|Apache-HttpClient|HeadlessChrome|PhantomJS|Lighthouse|facebookexternalhit|Slurp",
)


@value_cache(maxsize=65536)
def user_agent_strength(value: str) -> float:
    """How surely ``value`` is a person's browser or app user agent; 0 for crawlers and tools."""
    value = value.strip()
    if not 12 <= len(value) <= 1024 or " " not in value or "/" not in value:
        return 0.0
    if not _PRODUCT.match(value) or not _PLATFORM.search(value):
        return 0.0
    if _NOT_A_PERSON.search(value):
        return 0.0
    return BROWSER_STRENGTH if value.startswith("Mozilla/") else APP_STRENGTH


_IN_TEXT = re.compile(r"(Mozilla/\d\.\d [^\"]{8,1000})")
#: every hit of ``_IN_TEXT`` holds "Mozilla/"
TEXT_LINES = LiteralLineTest("Mozilla/")


def find_user_agents(line: str) -> Iterable[TextHit]:
    """Browser user agents (``Mozilla/...`` up to a closing quote or the line's end) inside a line."""
    hits = []
    for match in _IN_TEXT.finditer(line):
        agent = match.group(1).rstrip()
        if user_agent_strength(agent):
            hits.append(TextHit(agent, BROWSER_STRENGTH * 0.95))
    return tuple(hits)


class UserAgentClassifier(SingleCategoryClassifier):
    """Finds browser and app user-agent strings."""

    id = "user_agent"
    categories = (CATEGORY,)
    specs = (SPEC,)
    text_what = "a user agent"
    text_prefilter = TEXT_LINES

    def text_finder(self, sample: FieldSample) -> Callable[[str], tuple[TextHit, ...]]:
        return find_user_agents  # type: ignore[return-value]

    def judge_structured(
        self, sample: FieldSample, evidence: NameEvidence, *, keep_empty: bool
    ) -> Detection | None:
        return self.judge_values(
            sample, evidence, user_agent_strength, what="browser or app user agents", keep_empty=keep_empty
        )
