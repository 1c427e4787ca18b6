"""``piimap locate`` for MongoDB: one query per planned field path, read-only, bounded in time.

A field path from a scan (``orders[].shipping.email``) is queried as MongoDB's dotted path
(``orders.shipping.email``), which matches inside arrays by itself. The filter asks for the
spellings the field uses (``{"$in": [...]}``, learnt from a few of its values as for SQL columns);
a field of mixed-case e-mails is matched with an anchored, case-insensitive regular expression
built from the escaped address; a name with one case-insensitive regular expression per token.
Every returned document is flattened (as the scan does) and verified before it is reported.

A lookup is served by an index when the path leads one of the collection's indexes; otherwise,
on a collection larger than ``max_rows_scanned`` documents, only that many are read
(``$limit`` before ``$match``) and the lookup is ``partial``. Every query carries ``maxTimeMS``
(the statement timeout) and reads from a secondary where the URL allows it, like the scan. Row
keys are ``_id`` values when they are ObjectIds, numbers, UUIDs or short tokens, else an HMAC.
Key following is not done for MongoDB.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar

from piimap.connectors.mongo import MongoConnector, flatten_document
from piimap.evidence import example_for
from piimap.locate_identifiers import ValueProfile, kind_of, name_tokens
from piimap.locate_model import (
    ContainerTarget,
    Identifier,
    LocateRequest,
    Lookup,
    Match,
    plain_id,
    row_fingerprint,
    target_fields,
)
from piimap.model import ContainerUnreadable, SourceSpec, SourceUnavailable
from piimap.settings import ScanSettings

__all__ = ["MongoLocator", "query_path"]

PROFILE_DOCUMENTS = 200


def query_path(field_path: str) -> str:
    """A scan's field path as a MongoDB query path: ``orders[].email`` -> ``orders.email``."""
    return field_path.replace("[]", "")


class MongoLocator:
    """Looks one person up in MongoDB collections; see the module docstring."""

    name: ClassVar[str] = "mongodb"

    def __init__(self, spec: SourceSpec, settings: ScanSettings) -> None:
        self.spec = spec
        self.settings = settings
        self.connector = MongoConnector(spec, settings)

    @classmethod
    def accepts(cls, url: str) -> bool:
        return MongoConnector.accepts(url)

    def close(self) -> None:
        self.connector.close()

    def locate(self, request: LocateRequest) -> Iterator[Match | Lookup]:
        containers = {container.name: container for container in self.connector.discover()}
        client = self.connector._connect()
        for target in request.targets:
            container = containers.get(target.container)
            if container is None:
                continue
            database, name = container.locator
            collection = client[database][name]
            for identifier in request.identifiers:
                fields = [field for field in target_fields(target, identifier) if field is not None]
                if not fields:
                    continue
                groups = [tuple(fields)] if kind_of(identifier).by_tokens else [(field,) for field in fields]
                for group in groups:
                    try:
                        yield from self._lookup(collection, target, group, identifier, request)
                    except (SourceUnavailable, ContainerUnreadable):
                        raise
                    except Exception as error:
                        yield Lookup(
                            self.spec.name,
                            target.container,
                            ",".join(group),
                            "index",
                            "error",
                            identifier=identifier.kind,
                            message=self.connector._describe(error),
                        )

    def _lookup(
        self,
        collection: Any,
        target: ContainerTarget,
        fields: tuple[str, ...],
        identifier: Identifier,
        request: LocateRequest,
    ) -> Iterator[Match | Lookup]:
        kind = kind_of(identifier)
        max_time_ms = max(1, int(self.settings.statement_timeout_seconds * 1000))
        query, indexed = self._query(collection, fields, identifier, max_time_ms)
        label = ",".join(fields)
        estimate = None if indexed else int(collection.estimated_document_count())
        limit = request.limits.max_rows_scanned
        partial = not indexed and estimate is not None and estimate > limit
        note = (
            f"no index: would scan about {estimate:,} documents; reads the first {limit:,}"
            if partial
            else (f"no index: scans {estimate:,} documents" if estimate is not None else "")
        )
        if request.limits.plan_only:
            yield Lookup(
                self.spec.name,
                target.container,
                label,
                "index" if indexed else "scan",
                "planned",
                identifier=identifier.kind,
                rows_estimate=estimate,
                message=note,
            )
            return
        wanted = request.limits.max_matches + 1
        if partial:
            documents = list(
                collection.aggregate(
                    [{"$limit": limit}, {"$match": query}, {"$limit": wanted}], maxTimeMS=max_time_ms
                )
            )
        else:
            documents = list(collection.find(query).limit(wanted).max_time_ms(max_time_ms))
        strong = [
            (
                f.field,
                [i for i in request.identifiers if i.category == f.category and not kind_of(i).by_tokens],
            )
            for f in target.fields
            if f.field is not None
        ]
        matched = excluded = 0
        for document in documents[: request.limits.max_matches]:
            leaves: dict[str, list[str]] = {}
            for path, value in flatten_document(document):
                if isinstance(value, str):
                    leaves.setdefault(path, []).append(value)
            if kind.by_tokens:
                tokens = set().union(*(name_tokens(v) for field in fields for v in leaves.get(field, ())))
                if not set(identifier.canonical.split()) <= tokens:
                    continue
                if _contradicted(leaves, strong, request):
                    excluded += 1
                    continue
                hits = [
                    (field, v)
                    for field in fields
                    for v in leaves.get(field, ())
                    if set(name_tokens(v)) & set(identifier.canonical.split())
                ]
            else:
                hits = [
                    (field, v)
                    for field in fields
                    for v in leaves.get(field, ())
                    if kind.matches(identifier, v, request.default_region)
                ]
            if not hits:
                continue
            matched += 1
            row_key = self._row_key(target.container, document.get("_id"), request.key)
            for field, value in dict(hits).items():
                yield Match(
                    source=self.spec.name,
                    container=target.container,
                    field=field,
                    category=next(
                        (f.category for f in target.fields if f.field == field), identifier.category
                    ),
                    row_key=row_key,
                    identifier=identifier.kind,
                    example=example_for(request.evidence, identifier.category, value),
                    name_only=kind.by_tokens,
                )
        stopped = len(documents) > request.limits.max_matches
        yield Lookup(
            self.spec.name,
            target.container,
            label,
            "index" if indexed else "scan",
            "partial" if partial or stopped else "ran",
            identifier=identifier.kind,
            rows_estimate=estimate,
            rows_scanned=limit if partial else None,
            matches=matched,
            excluded=excluded,
            message="; ".join(part for part in (note, "stopped at --max-matches" if stopped else "") if part),
        )

    def _query(
        self, collection: Any, fields: tuple[str, ...], identifier: Identifier, max_time_ms: int
    ) -> tuple[dict[str, Any], bool]:
        """The filter for ``identifier`` in ``fields`` and whether an index serves it."""
        kind = kind_of(identifier)
        if kind.by_tokens:
            clauses = [
                {"$or": [{query_path(f): {"$regex": re.escape(token), "$options": "i"}} for f in fields]}
                for token in identifier.canonical.split()
            ]
            return {"$and": clauses}, False
        (field,) = fields
        path = query_path(field)
        profile = ValueProfile.of(self._values(collection, field, path, max_time_ms))
        indexed = path in _leading_index_keys(collection)
        spellings = list(kind.spellings(identifier, profile))
        if kind.needs_case_folding(profile):
            pattern = f"^{re.escape(identifier.canonical)}$"
            return {"$or": [{path: {"$in": spellings}}, {path: {"$regex": pattern, "$options": "i"}}]}, False
        return {path: {"$in": spellings}}, indexed

    def _values(self, collection: Any, field: str, path: str, max_time_ms: int) -> list[str]:
        """A few values of the field, to learn how it writes them (dropped after)."""
        values: list[str] = []
        documents = collection.find({path: {"$exists": True}}, {path: 1}).limit(PROFILE_DOCUMENTS)
        for document in documents.max_time_ms(max_time_ms):
            values += [v for p, v in flatten_document(document) if p == field and isinstance(v, str)]
        return values

    def _row_key(self, container: str, document_id: Any, key: bytes) -> str:
        if type(document_id).__name__ == "ObjectId" or plain_id(document_id):
            return f"_id={document_id}"
        return row_fingerprint(key, container, [str(document_id)])


def _leading_index_keys(collection: Any) -> set[str]:
    keys = set()
    for index in collection.index_information().values():
        fields = index.get("key") or []
        if fields:
            keys.add(str(fields[0][0]))
    return keys


def _contradicted(
    leaves: dict[str, list[str]], strong: list[tuple[str, list[Identifier]]], request: LocateRequest
) -> bool:
    """A name match in a document whose e-mail (phone, ...) fields hold someone else's."""
    for field, identifiers in strong:
        values = leaves.get(field)
        if not identifiers or not values:
            continue
        if not any(kind_of(i).matches(i, v, request.default_region) for i in identifiers for v in values):
            return True
    return False
