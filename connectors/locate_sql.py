"""``piimap locate`` for SQL databases: targeted, parameterised, read-only lookups, then key following.

For each field a stored scan found holding an identifier's category, one ``SELECT`` asks for the
person's row with bound parameters: ``WHERE email IN (:spellings)`` where the column is written
the way the identifier is asked for (a few of its values are looked at first: lower-case
e-mails, the column's phone format), ``WHERE lower(email) = :address`` where it is not, and for
names ``WHERE lower(name) LIKE :token AND ...`` verified token by token in Python. Every candidate
row is verified with the identifier kind's comparison before it is reported.

Each lookup says whether an index serves it (the column leads an index or the primary key, or a
``lower(column)`` expression index for case-folded e-mails) or whether the database has to scan.
A scan of a table larger than ``max_rows_scanned`` reads only that many rows (a ``LIMIT`` in a
subquery) and is reported ``partial``; ``--plan`` reports the same without running anything.

Rows found lead to related rows: rows of other tables whose foreign keys (SQLAlchemy reflection)
reference a found row, and rows whose column is named for the found row's table
(``customer_id`` for ``customers.id``, or the found table's own ``customer_id`` key) where no
foreign key is declared; hop after hop, up to ``follow_depth``. Only references *to* a found row
are followed (the invoices of a customer, the lines of those invoices), never references *from*
it (the product of an order line is not the person's data).

Safety: the connector's own read-only, time-limited session (see :mod:`piimap.connectors.sql`);
identifiers are quoted by SQLAlchemy and values are bound parameters, never SQL text. Row keys are
primary-key values only when they are plain ids in a column no scan tagged as personal data, else
a keyed HMAC of the key (or, without a primary key, of the whole row).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from piimap.connectors.sql import (
    _DEADLINE_KEY,
    SqlConnector,
    _rollback_to_clean_state,
)
from piimap.connectors.toolkit import value_text as _as_text
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

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

__all__ = ["SqlLocator", "singular"]

log = logging.getLogger(__name__)

#: Values of a column looked at to learn how it writes them.
PROFILE_VALUES = 200
#: The planner's row estimate of a table, where the database keeps one (never a scan).
_ESTIMATES = {
    "postgresql": "SELECT c.reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = :schema AND c.relname = :table",
    "mysql": "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = :schema AND TABLE_NAME = :table",
    "mariadb": "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = :schema AND TABLE_NAME = :table",
}
#: Key values per ``IN (...)`` list when following keys.
IN_LIST_CHUNK = 500


def singular(word: str) -> str:
    """``customers`` -> ``customer``, ``addresses`` -> ``address``, ``categories`` -> ``category``."""
    lower = word.lower()
    if lower.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if lower.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if lower.endswith("s") and not lower.endswith("ss") and len(word) > 1:
        return word[:-1]
    return word


@dataclass(frozen=True)
class _Table:
    """What a lookup needs to know about one table (reflected once, lazily)."""

    schema: str
    name: str
    container: str
    columns: Mapping[str, Any]  # column name -> SQLAlchemy type
    primary_key: tuple[str, ...]
    leading_indexed: frozenset[str]
    lower_indexed: frozenset[str]
    case_insensitive: frozenset[str]
    foreign_keys: tuple[tuple[tuple[str, ...], str | None, str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class _Relation:
    """Rows of ``child`` whose ``child_columns`` hold the ``parent_columns`` values of a found row."""

    child: str
    child_columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]
    kind: str  # "foreign key" | "same-named column"

    @property
    def description(self) -> str:
        child = ",".join(self.child_columns)
        parent = ",".join(self.parent_columns)
        return f"{self.child}.{child} -> {self.parent}.{parent} ({self.kind})"


@dataclass
class _Found:
    """Rows found in one table: row key -> column values (raw, in memory only)."""

    rows: dict[str, Mapping[str, Any]] = field(default_factory=dict)


class SqlLocator:
    """Looks one person up in a SQL database; see the module docstring."""

    name: ClassVar[str] = "sql"

    def __init__(self, spec: SourceSpec, settings: ScanSettings) -> None:
        self.spec = spec
        self.settings = settings
        self.connector = SqlConnector(spec, settings)
        self._containers: dict[str, tuple[str, str]] | None = None
        self._tables: dict[str, _Table] = {}
        self._estimates: dict[str, int | None] = {}

    @classmethod
    def accepts(cls, url: str) -> bool:
        return SqlConnector.accepts(url)

    def close(self) -> None:
        self.connector.close()

    # ------------------------------------------------------------------ protocol

    def locate(self, request: LocateRequest) -> Iterator[Match | Lookup]:
        """Direct lookups for every target field, then the rows that reference what was found."""
        self._containers = {
            container.name: (container.locator[0], container.locator[1])
            for container in self.connector.discover()
        }
        found: dict[str, _Found] = {}
        with self.connector.session() as connection:
            for target in request.targets:
                if target.container not in self._containers:
                    yield Lookup(
                        self.spec.name,
                        target.container,
                        None,
                        "index",
                        "skipped",
                        message="the table is no longer there (rescan with --rescan)",
                    )
                    continue
                try:
                    yield from self._direct(connection, target, request, found)
                except (SourceUnavailable, ContainerUnreadable):
                    raise
                except Exception as error:
                    yield self._failed(connection, target.container, error)
            if found and request.limits.follow_depth > 0 and not request.limits.plan_only:
                yield from self._follow(connection, request, found)

    # ------------------------------------------------------------------ direct lookups

    def _direct(
        self,
        connection: Connection,
        target: ContainerTarget,
        request: LocateRequest,
        found: dict[str, _Found],
    ) -> Iterator[Match | Lookup]:
        table = self._table(connection, target.container)
        pii_columns = {target_field.field for target_field in target.fields}
        by_field = _fields_by_identifier(target, request.identifiers)
        for identifier, fields in by_field:
            kind = kind_of(identifier)
            usable = [name for name in fields if name in table.columns]
            for missing in sorted(set(fields) - set(usable)):
                yield Lookup(
                    self.spec.name,
                    target.container,
                    missing,
                    "index",
                    "skipped",
                    identifier=identifier.kind,
                    message="the column is no longer there (rescan with --rescan)",
                )
            if not usable:
                continue
            groups = [tuple(usable)] if kind.by_tokens else [(name,) for name in usable]
            for columns in groups:
                yield from self._lookup(
                    connection, table, columns, identifier, request, pii_columns, target, found
                )

    def _lookup(
        self,
        connection: Connection,
        table: _Table,
        columns: tuple[str, ...],
        identifier: Identifier,
        request: LocateRequest,
        pii_columns: set[str | None],
        target: ContainerTarget,
        found: dict[str, _Found],
    ) -> Iterator[Match | Lookup]:
        kind = kind_of(identifier)
        source = _table_clause(table)
        condition, indexed = self._condition(connection, table, source, columns, identifier)
        field_label = ",".join(columns)
        if condition is None:
            yield Lookup(
                self.spec.name,
                table.container,
                field_label,
                "index",
                "ran",
                identifier=identifier.kind,
                message="no spelling of the identifier fits the column's type",
            )
            return
        method = "index" if indexed else "scan"
        estimate = None if indexed else self._estimate(connection, table, request.limits.max_rows_scanned)
        partial = not indexed and (estimate is None or estimate > request.limits.max_rows_scanned)
        if request.limits.plan_only:
            yield Lookup(
                self.spec.name,
                table.container,
                field_label,
                method,
                "planned",
                identifier=identifier.kind,
                rows_estimate=estimate,
                message=_scan_note(estimate, request.limits.max_rows_scanned) if not indexed else "",
            )
            return
        rows = self._select(connection, table, source, condition, partial, request)
        matched = excluded = 0
        strong = _strong_fields(target, request.identifiers, table)
        for row in rows[: request.limits.max_matches]:
            values = {name: _as_text(row[name]) for name in columns}
            if kind.by_tokens:
                wanted = set(identifier.canonical.split())
                tokens = set().union(*(name_tokens(text) for text in values.values() if text))
                if not wanted <= tokens:
                    continue
                hit = [name for name, text in values.items() if text and set(name_tokens(text)) & wanted]
                if _contradicted(row, strong, request):
                    excluded += 1
                    continue
            else:
                hit = [
                    name
                    for name, text in values.items()
                    if text and kind.matches(identifier, text, request.default_region)
                ]
                if not hit:
                    continue
            key = _row_key(table, row, pii_columns, request.key)
            found.setdefault(table.container, _Found()).rows.setdefault(key, row)
            matched += 1
            for name in hit:
                yield Match(
                    source=self.spec.name,
                    container=table.container,
                    field=name,
                    category=_category_of(target, name, identifier.category),
                    row_key=key,
                    identifier=identifier.kind,
                    example=example_for(request.evidence, identifier.category, values[name] or ""),
                    name_only=kind.by_tokens,
                )
        stopped_by_matches = len(rows) > request.limits.max_matches
        yield Lookup(
            self.spec.name,
            table.container,
            field_label,
            method,
            "partial" if partial or stopped_by_matches else "ran",
            identifier=identifier.kind,
            rows_estimate=estimate,
            rows_scanned=request.limits.max_rows_scanned if partial else None,
            matches=matched,
            excluded=excluded,
            message=_lookup_note(partial, estimate, request, stopped_by_matches),
        )

    def _condition(
        self,
        connection: Connection,
        table: _Table,
        source: Any,
        columns: tuple[str, ...],
        identifier: Identifier,
    ) -> tuple[Any, bool]:
        """The WHERE clause for ``identifier`` in ``columns``, and whether an index serves it."""
        import sqlalchemy as sa

        kind = kind_of(identifier)
        if kind.by_tokens:
            clauses = [
                sa.or_(
                    *(
                        sa.func.lower(sa.cast(source.c[name], sa.String)).like(
                            f"%{_escape_like(token)}%", escape="\\"
                        )
                        for name in columns
                    )
                )
                for token in identifier.canonical.split()
            ]
            return sa.and_(*clauses), False
        (name,) = columns
        column = source.c[name]
        column_type = table.columns[name]
        if _is_text(column_type):
            profile = self._profile(connection, table, name)
            spellings = list(kind.spellings(identifier, profile))
            if kind.needs_case_folding(profile) and name not in table.case_insensitive:
                folded = sa.func.lower(column) == identifier.canonical
                if name in table.lower_indexed:
                    return folded, True
                return sa.or_(column.in_(spellings), folded), False
            return column.in_(spellings), name in table.leading_indexed
        values = _typed_spellings(column_type, kind.spellings(identifier, ValueProfile()))
        if values is not None:
            if not values:
                return None, True
            return column.in_(values), name in table.leading_indexed
        text = sa.cast(column, sa.String)
        return text.in_(list(kind.spellings(identifier, ValueProfile()))), False

    def _select(
        self,
        connection: Connection,
        table: _Table,
        source: Any,
        condition: Any,
        partial: bool,
        request: LocateRequest,
        *,
        limit_source: Any = None,
    ) -> list[Mapping[str, Any]]:
        """Rows meeting ``condition`` (every column), at most ``max_matches + 1``; a bounded scan when partial."""
        import sqlalchemy as sa

        names = _readable_columns(table)
        if partial:
            inner = (
                sa.select(*(source.c[name] for name in names))
                .select_from(source)
                .limit(request.limits.max_rows_scanned)
                .subquery("bounded")
            )
            condition = _rebind(condition, source, inner)
            statement = sa.select(*(inner.c[name] for name in names)).where(condition)
        else:
            statement = sa.select(*(source.c[name] for name in names)).where(condition)
        statement = statement.limit(request.limits.max_matches + 1)
        _renew_deadline(connection)
        return [dict(row) for row in connection.execute(statement).mappings()]

    def _profile(self, connection: Connection, table: _Table, name: str) -> ValueProfile:
        """How the column writes its values, from a few of them (read and dropped here)."""
        import sqlalchemy as sa

        source = _table_clause(table)
        column = source.c[name]
        _renew_deadline(connection)
        values = connection.execute(
            sa.select(column).where(column.is_not(None)).limit(PROFILE_VALUES)
        ).scalars()
        return ValueProfile.of(text for text in map(_as_text, values) if text)

    def _estimate(self, connection: Connection, table: _Table, cap: int) -> int | None:
        """Rows in the table: the planner's estimate where cheap, else a count that stops past ``cap``."""
        import sqlalchemy as sa

        if table.container in self._estimates:
            return self._estimates[table.container]
        estimate: int | None = None
        query = _ESTIMATES.get(connection.dialect.name)
        try:
            if query is not None:
                value = connection.execute(
                    sa.text(query), {"schema": table.schema, "table": table.name}
                ).scalar()
                estimate = int(value) if value is not None and value >= 0 else None
        except Exception as error:
            log.debug("row estimate of %s unavailable: %s", table.container, error)
            _rollback_to_clean_state(connection, self.settings)
        if estimate is None or estimate < 1000:  # unknown or tiny: count, but never past the cap
            source = _table_clause(table)
            bounded = sa.select(sa.literal(1)).select_from(source).limit(cap + 1).subquery()
            _renew_deadline(connection)
            estimate = int(connection.execute(sa.select(sa.func.count()).select_from(bounded)).scalar() or 0)
        self._estimates[table.container] = estimate
        return estimate

    # ------------------------------------------------------------------ following keys

    def _follow(
        self, connection: Connection, request: LocateRequest, found: dict[str, _Found]
    ) -> Iterator[Match | Lookup]:
        relations = self._relations(connection)
        reported = {(container, key) for container, rows in found.items() for key in rows.rows}
        frontier = {container: rows for container, rows in found.items()}
        pii_by_container = {target.container: {f.field for f in target.fields} for target in request.targets}
        for _ in range(request.limits.follow_depth):
            next_frontier: dict[str, _Found] = {}
            for relation in relations:
                parents = frontier.get(relation.parent)
                if not parents:
                    continue
                by_value: dict[tuple[Any, ...], list[str]] = {}
                for key, row in parents.rows.items():
                    value = tuple(row.get(column) for column in relation.parent_columns)
                    if any(part is None for part in value):
                        continue
                    by_value.setdefault(value, []).append(key)
                if not by_value:
                    continue
                try:
                    child = self._table(connection, relation.child)
                    source = _table_clause(child)
                    keys = list(by_value)
                    indexed = relation.child_columns[0] in child.leading_indexed
                    estimate: int | None = None
                    partial = False
                    if not indexed:
                        estimate = self._estimate(connection, child, request.limits.max_rows_scanned)
                        partial = estimate is not None and estimate > request.limits.max_rows_scanned
                    rows: list[Mapping[str, Any]] = []
                    for start in range(0, len(keys), IN_LIST_CHUNK):
                        chunk = keys[start : start + IN_LIST_CHUNK]
                        rows += self._select(
                            connection,
                            child,
                            source,
                            _key_condition(source, relation.child_columns, chunk),
                            partial,
                            request,
                        )
                except (SourceUnavailable, ContainerUnreadable):
                    raise
                except Exception as error:
                    yield self._failed(connection, relation.child, error, via=relation.description)
                    continue
                matched = 0
                for row in rows[: request.limits.max_matches]:
                    key = _row_key(child, row, pii_by_container.get(child.container, set()), request.key)
                    if (child.container, key) in reported:
                        continue
                    reported.add((child.container, key))
                    value = tuple(row.get(column) for column in relation.child_columns)
                    parent_keys = by_value.get(_normalised_key(value, by_value), ["?"])
                    next_frontier.setdefault(child.container, _Found()).rows[key] = row
                    matched += 1
                    yield Match(
                        source=self.spec.name,
                        container=child.container,
                        field=",".join(relation.child_columns),
                        category=None,
                        row_key=key,
                        related_via=relation.description,
                        related_to=parent_keys[0],
                    )
                yield Lookup(
                    self.spec.name,
                    child.container,
                    ",".join(relation.child_columns),
                    "index" if indexed else "scan",
                    "partial" if partial or len(rows) > request.limits.max_matches else "ran",
                    rows_estimate=estimate,
                    rows_scanned=request.limits.max_rows_scanned if partial else None,
                    matches=matched,
                    message=f"follows {relation.description}"
                    + (f"; {_scan_note(estimate, request.limits.max_rows_scanned)}" if partial else ""),
                )
            if not next_frontier:
                return
            frontier = next_frontier

    def _relations(self, connection: Connection) -> list[_Relation]:
        """Foreign keys between the source's tables, and same-named id columns where none is declared."""
        assert self._containers is not None
        by_location = {location: name for name, location in self._containers.items()}
        tables = [self._table(connection, name) for name in sorted(self._containers)]
        relations: list[_Relation] = []
        declared: set[tuple[str, str]] = set()
        for table in tables:
            for columns, ref_schema, ref_table, ref_columns in table.foreign_keys:
                parent = by_location.get((ref_schema or table.schema, ref_table))
                if parent is None or parent == table.container:
                    continue
                relations.append(_Relation(table.container, columns, parent, ref_columns, "foreign key"))
                declared.update((table.container, column) for column in columns)
        for keyed in tables:
            if len(keyed.primary_key) != 1:
                continue
            (key,) = keyed.primary_key
            if key.lower() == "id":
                names = {f"{singular(keyed.name)}_id".lower(), f"{keyed.name}_id".lower()}
            else:
                names = {key.lower()}
            for child in tables:
                if child.container == keyed.container:
                    continue
                for column in child.columns:
                    if column.lower() in names and (child.container, column) not in declared:
                        relations.append(
                            _Relation(
                                child.container, (column,), keyed.container, (key,), "same-named column"
                            )
                        )
        return relations

    # ------------------------------------------------------------------ reflection and errors

    def _table(self, connection: Connection, container: str) -> _Table:
        cached = self._tables.get(container)
        if cached is not None:
            return cached
        import sqlalchemy as sa

        assert self._containers is not None
        schema, name = self._containers[container]
        inspector = sa.inspect(connection)
        columns = {
            str(column["name"]): column["type"] for column in inspector.get_columns(name, schema=schema)
        }
        primary_key = tuple(inspector.get_pk_constraint(name, schema=schema).get("constrained_columns") or ())
        leading: set[str] = set(primary_key[:1])
        lower: set[str] = set()
        for index in inspector.get_indexes(name, schema=schema):
            names = index.get("column_names") or []
            if names and names[0] is not None:
                leading.add(str(names[0]))
            for expression in index.get("expressions") or ():
                match = re.fullmatch(
                    r'lower\(\(?"?([^"():]+)"?\)?(?:::\w+(?: \w+)*)?\)', str(expression or "")
                )
                if match and (names[:1] == [None] or not names):
                    lower.add(match.group(1))
        try:
            for constraint in inspector.get_unique_constraints(name, schema=schema):
                if constraint.get("column_names"):
                    leading.add(str(constraint["column_names"][0]))
        except NotImplementedError:
            pass
        foreign_keys = tuple(
            (
                tuple(fk["constrained_columns"]),
                fk.get("referred_schema"),
                fk["referred_table"],
                tuple(fk["referred_columns"]),
            )
            for fk in inspector.get_foreign_keys(name, schema=schema)
            if fk.get("constrained_columns") and fk.get("referred_columns")
        )
        table = _Table(
            schema=schema,
            name=name,
            container=container,
            columns=columns,
            primary_key=primary_key,
            leading_indexed=frozenset(leading),
            lower_indexed=frozenset(lower),
            case_insensitive=self._case_insensitive_columns(connection, schema, name),
            foreign_keys=foreign_keys,
        )
        self._tables[container] = table
        return table

    def _case_insensitive_columns(self, connection: Connection, schema: str, name: str) -> frozenset[str]:
        """MySQL/MariaDB columns whose collation compares case-insensitively (``*_ci``)."""
        import sqlalchemy as sa

        if connection.dialect.name not in ("mysql", "mariadb"):
            return frozenset()
        rows = connection.execute(
            sa.text(
                "SELECT COLUMN_NAME, COLLATION_NAME FROM information_schema.COLUMNS"
                " WHERE TABLE_SCHEMA = :schema AND TABLE_NAME = :table"
            ),
            {"schema": schema, "table": name},
        )
        return frozenset(str(column) for column, collation in rows if str(collation or "").endswith("_ci"))

    def _failed(self, connection: Connection, container: str, error: Exception, via: str = "") -> Lookup:
        """A lookup that failed: one line, no password; the session is made usable again."""
        problem = self.connector._read_error(error, container)
        if isinstance(problem, SourceUnavailable):
            raise problem from None
        try:
            _rollback_to_clean_state(connection, self.settings)
        except Exception as reset_error:  # the connection is gone: the source is
            raise SourceUnavailable(
                f"lost the connection to {self.spec.display_url}: {reset_error}"
            ) from None
        return Lookup(
            self.spec.name,
            container,
            None,
            "index",
            "error",
            message=str(problem) + (f" ({via})" if via else ""),
        )


# ---------------------------------------------------------------------- helpers


def _fields_by_identifier(
    target: ContainerTarget, identifiers: Sequence[Identifier]
) -> list[tuple[Identifier, list[str]]]:
    """For each identifier, the target's columns whose category is the identifier's (or under it)."""
    pairs = []
    for identifier in identifiers:
        fields = [name for name in target_fields(target, identifier) if name is not None]
        if fields:
            pairs.append((identifier, fields))
    return pairs


def _strong_fields(
    target: ContainerTarget, identifiers: Sequence[Identifier], table: _Table
) -> list[tuple[str, list[Identifier]]]:
    """Columns of the table that hold a non-name identifier the person gave: a name match whose value
    there is someone else's is a namesake."""
    by_field: dict[str, list[Identifier]] = {}
    for identifier in identifiers:
        if kind_of(identifier).by_tokens:
            continue
        for f in target.fields:
            if f.field is not None and f.field in table.columns and f.category == identifier.category:
                by_field.setdefault(f.field, []).append(identifier)
    return list(by_field.items())


def _contradicted(
    row: Mapping[str, Any], strong: list[tuple[str, list[Identifier]]], request: LocateRequest
) -> bool:
    for name, identifiers in strong:
        text = _as_text(row.get(name))
        if text is None:
            continue
        if not any(kind_of(i).matches(i, text, request.default_region) for i in identifiers):
            return True
    return False


def _category_of(target: ContainerTarget, field_name: str, default: str) -> str:
    for f in target.fields:
        if f.field == field_name and (f.category == default or f.category.startswith(default + ".")):
            return f.category
    return default


def _row_key(table: _Table, row: Mapping[str, Any], pii_columns: set[str | None], key: bytes) -> str:
    """``id=42`` for a plain-id primary key; a keyed HMAC of the key (or the whole row) otherwise."""
    if table.primary_key and all(name in row for name in table.primary_key):
        values = [row[name] for name in table.primary_key]
        if not any(name in pii_columns for name in table.primary_key) and all(map(plain_id, values)):
            return ",".join(f"{name}={_as_text(value)}" for name, value in zip(table.primary_key, values))
        return row_fingerprint(key, table.container, [_as_text(value) for value in values])
    return row_fingerprint(key, table.container, [_as_text(row[name]) for name in sorted(row)])


def _is_text(column_type: Any) -> bool:
    import sqlalchemy as sa

    return isinstance(column_type, sa.String) and not isinstance(column_type, sa.Enum)


def _typed_spellings(column_type: Any, spellings: Sequence[str]) -> list[Any] | None:
    """Spellings converted for a typed column (UUID, integer), or ``None`` to compare as text."""
    import sqlalchemy as sa

    if isinstance(column_type, sa.Uuid) or type(column_type).__name__.upper() == "UUID":
        converted = []
        for spelling in spellings:
            try:
                converted.append(uuid.UUID(spelling))
            except ValueError:
                continue
        return list(dict.fromkeys(converted))
    if isinstance(column_type, sa.Integer):
        return list(dict.fromkeys(int(s) for s in spellings if s.isdigit() and len(s) <= 18))
    return None


def _readable_columns(table: _Table) -> list[str]:
    """Every column but binary ones (nothing to compare or key on)."""
    from sqlalchemy import types

    return [name for name, column_type in table.columns.items() if not isinstance(column_type, types._Binary)]


def _table_clause(table: _Table) -> Any:
    import sqlalchemy as sa

    return sa.table(
        table.name,
        *(sa.column(name, column_type) for name, column_type in table.columns.items()),
        schema=table.schema,
    )


def _rebind(condition: Any, old: Any, new: Any) -> Any:
    """The same condition on the columns of ``new`` (a bounded subquery of ``old``)."""
    from sqlalchemy.sql.util import ClauseAdapter

    return ClauseAdapter(new).traverse(condition)


def _key_condition(source: Any, columns: tuple[str, ...], keys: list[tuple[Any, ...]]) -> Any:
    import sqlalchemy as sa

    if len(columns) == 1:
        return source.c[columns[0]].in_([key[0] for key in keys])
    return sa.or_(*(sa.and_(*(source.c[c] == v for c, v in zip(columns, key))) for key in keys))


def _normalised_key(value: tuple[Any, ...], known: Mapping[tuple[Any, ...], list[str]]) -> tuple[Any, ...]:
    """The parent key ``value`` stands for (a child column may return ``42`` for a parent's ``'42'``)."""
    if value in known:
        return value
    texts = tuple(_as_text(part) for part in value)
    for candidate in known:
        if tuple(_as_text(part) for part in candidate) == texts:
            return candidate
    return value


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _renew_deadline(connection: Connection) -> None:
    deadline = connection.info.get(_DEADLINE_KEY)
    if deadline is not None:
        deadline.renew()  # SQLite: the statement timeout applies to each statement


def _scan_note(estimate: int | None, cap: int) -> str:
    if estimate is None or estimate > cap:
        size = f"about {estimate:,} rows" if estimate is not None else f"more than {cap:,} rows"
        return f"no index: would scan {size}; reads the first {cap:,} (--max-rows-scanned)"
    return f"no index: scans {estimate:,} rows"


def _lookup_note(partial: bool, estimate: int | None, request: LocateRequest, stopped: bool) -> str:
    notes = []
    if partial:
        notes.append(_scan_note(estimate, request.limits.max_rows_scanned))
    elif estimate is not None:
        notes.append(f"no index: scanned {estimate:,} rows")
    if stopped:
        notes.append(f"stopped at {request.limits.max_matches} rows (--max-matches)")
    return "; ".join(notes)
