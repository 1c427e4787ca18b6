"""The records and the plugin boundary of ``piimap locate``: finding one person's data.

A *locator* is the lookup side of a connector: given the identifiers of one person (an e-mail,
a phone number, a name, device and cookie ids, IP addresses) and the fields a stored scan says
can hold them, it runs targeted, read-only lookups and yields where the person's rows are. It is
a separate plugin (entry-point group ``piimap.locators``) so the scan's hot paths never carry
lookup code, and a third-party connector can add lookups the same way the built-ins do.

Every record here is a small frozen dataclass. Raw identifier values live only inside
:class:`Identifier` (kept out of ``repr``); what leaves a locator is a :class:`Match` with a row
key that never holds a personal value (primary keys that are plain ids, else a keyed HMAC) and an
example that honours the ``evidence`` setting.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar, Protocol, runtime_checkable

from piimap.evidence import EvidencePolicy
from piimap.model import SourceError, SourceSpec
from piimap.settings import ScanSettings

__all__ = [
    "LOCATOR_GROUP",
    "Identifier",
    "FieldTarget",
    "ContainerTarget",
    "LocateLimits",
    "LocateRequest",
    "Match",
    "Lookup",
    "Recipient",
    "LocateResult",
    "Locator",
    "LocatorFactory",
    "target_fields",
    "plain_id",
    "row_fingerprint",
]

#: The entry-point group locators register in (``pyproject.toml``).
LOCATOR_GROUP = "piimap.locators"


@dataclass(frozen=True)
class Identifier:
    """One identifier of the person, as given and as normalised by its kind.

    ``value`` and ``canonical`` are personal data: they never appear in ``repr``, reports or the
    store. ``digest`` is the keyed HMAC of ``canonical`` (``hmac-sha256:...``), the only form
    that is written anywhere.
    """

    kind: str
    category: str
    value: str = field(repr=False)
    canonical: str = field(repr=False)
    digest: str = ""


@dataclass(frozen=True)
class FieldTarget:
    """A field a stored scan found holding ``category`` (``field`` is ``None`` for free text)."""

    field: str | None
    category: str


@dataclass(frozen=True)
class ContainerTarget:
    """A container of a source, the fields worth a lookup, and every category the scan saw in it."""

    container: str
    fields: tuple[FieldTarget, ...]
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class LocateLimits:
    """Bounds on every lookup.

    ``max_rows_scanned``: a lookup that cannot use an index reads at most this many rows
    (documents, lines) of a container, and says so. ``max_matches``: rows reported per
    container and per followed key. ``follow_depth``: how many key hops from a matched row are
    followed (0: none). ``plan_only``: say what would be looked up, and how, without looking.
    """

    max_rows_scanned: int = 1_000_000
    max_matches: int = 1000
    follow_depth: int = 3
    plan_only: bool = False


@dataclass(frozen=True)
class LocateRequest:
    """What one locator is asked: the person's identifiers and the containers to look in."""

    identifiers: tuple[Identifier, ...]
    targets: tuple[ContainerTarget, ...]
    limits: LocateLimits
    evidence: EvidencePolicy
    #: The HMAC key for row fingerprints and hashed row keys (secret; never printed).
    key: bytes = field(repr=False, default=b"")
    default_region: str = "US"


@dataclass(frozen=True)
class Match:
    """One field of one row that holds the person's data, or a row related to such a row.

    ``row_key`` names the row without a personal value: ``id=42`` when the primary key is a plain
    id, ``hmac-sha256:...`` otherwise (a stable fingerprint), ``access.log.1:118`` for a line of a
    file. ``related_via`` is ``None`` for a direct match; for a row reached by following keys it
    says which key led there (``main.invoices.customer_id -> main.customers.id``) and
    ``related_to`` is the row key it was reached from. ``example`` is masked, an HMAC or ``None``
    (the ``evidence`` setting). ``name_only`` marks a row matched by a name alone.
    """

    source: str
    container: str
    field: str | None
    category: str | None
    row_key: str
    identifier: str | None = None
    related_via: str | None = None
    related_to: str | None = None
    example: str | None = None
    name_only: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "container": self.container,
            "field": self.field,
            "category": self.category,
            "row_key": self.row_key,
            "related_via": self.related_via,
            "related_to": self.related_to,
            "identifier": self.identifier,
            "example": self.example,
            "name_only": self.name_only,
        }


@dataclass(frozen=True)
class Lookup:
    """How one lookup was (or would be) done, for the report and for ``--plan``.

    ``method``: ``index`` (an index or primary key serves it), ``scan`` (the database reads the
    table), ``stream`` (a file or object read line by line) or ``follow`` (a key from a matched
    row). ``status``: ``ran``, ``partial`` (stopped at ``--max-rows-scanned`` or the match limit),
    ``planned`` (``--plan``), ``skipped`` or ``error``. ``rows_estimate`` is the container's size
    as far as it is known cheaply; ``rows_scanned`` what a partial scan read.
    """

    source: str
    container: str
    field: str | None
    method: str
    status: str
    identifier: str | None = None
    rows_estimate: int | None = None
    rows_scanned: int | None = None
    matches: int = 0
    #: rows matched by a name whose other identifiers say they are someone else (namesakes)
    excluded: int = 0
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "container": self.container,
            "field": self.field,
            "identifier": self.identifier,
            "method": self.method,
            "status": self.status,
            "rows_estimate": self.rows_estimate,
            "rows_scanned": self.rows_scanned,
            "matches": self.matches,
            "excluded": self.excluded,
            "message": self.message,
        }


@dataclass(frozen=True)
class Recipient:
    """A vendor the declared data map says receives some of the matched data (forward the request)."""

    vendor: str
    name: str
    role: str
    purpose: str
    systems: tuple[str, ...]
    categories: tuple[str, ...]
    containers: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "vendor": self.vendor,
            "name": self.name,
            "role": self.role,
            "purpose": self.purpose,
            "systems": list(self.systems),
            "categories": list(self.categories),
            "containers": list(self.containers),
        }


@dataclass(frozen=True)
class LocateResult:
    """Everything a locate report shows, and nothing else (no identifier in clear)."""

    piimap_version: str
    started: str
    finished: str
    subject: tuple[tuple[str, str], ...]
    matches: tuple[Match, ...]
    lookups: tuple[Lookup, ...]
    recipients: tuple[Recipient, ...]
    errors: tuple[SourceError, ...] = ()
    #: source name -> the stored run its plan came from (``None``: nothing was planned for it)
    planned_from: Mapping[str, int | None] = field(default_factory=dict)
    plan_only: bool = False
    #: rows matched by a name whose other identifiers said they are someone else
    namesakes_excluded: int = 0

    @property
    def found(self) -> bool:
        return bool(self.matches)


@runtime_checkable
class Locator(Protocol):
    """Runs one source's lookups. Constructing one does no I/O; :meth:`locate` connects.

    A locator never writes to its source: it uses the same read-only sessions, statement
    timeouts and limits as the source's connector. It yields :class:`Match` records and one
    :class:`Lookup` per lookup it ran (or would run), and raises
    :class:`~piimap.model.SourceUnavailable` when the whole source cannot be read; a container
    that fails is reported as a ``Lookup`` with status ``error`` and the rest go on.
    """

    def locate(self, request: LocateRequest) -> Iterator[Match | Lookup]:
        """Look for the request's identifiers in the request's containers."""
        ...

    def close(self) -> None:
        """Release connections and clients. Safe to call twice."""
        ...


class LocatorFactory(Protocol):
    """What a ``piimap.locators`` entry point loads: usually the locator class itself."""

    name: ClassVar[str]

    @classmethod
    def accepts(cls, url: str) -> bool:
        """True when this locator can look things up in ``url``."""
        ...

    def __call__(self, spec: SourceSpec, settings: ScanSettings) -> Locator: ...


# ---------------------------------------------------------------------- helpers for locators

_PLAIN_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def target_fields(target: ContainerTarget, identifier: Identifier) -> list[str | None]:
    """The fields of ``target`` whose category is the identifier's, or a sub-category of it."""
    category = identifier.category
    return list(
        dict.fromkeys(
            f.field for f in target.fields if f.category == category or f.category.startswith(category + ".")
        )
    )


def plain_id(value: Any) -> bool:
    """True for a key value that may be shown as it is: an integer, a UUID, a short token."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, uuid.UUID)):
        return True
    if isinstance(value, Decimal):
        return value == value.to_integral_value()
    return isinstance(value, str) and _PLAIN_ID.match(value) is not None


def row_fingerprint(key: bytes, container: str, values: Sequence[str | None]) -> str:
    """A stable name for a row that has no showable key: a keyed HMAC of its container and values."""
    material = json.dumps([container, *values], ensure_ascii=False).encode("utf-8")
    return "hmac-sha256:" + hmac.new(key, material, hashlib.sha256).hexdigest()
