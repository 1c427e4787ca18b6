"""JSON records flattened into dotted field paths, one at a time or many at once.

``{"user": {"email": "a@b.c", "devices": [{"idfa": "..."}]}}`` gives the fields ``user.email`` and
``user.devices[].idfa``: objects add a ``.key`` segment, arrays add ``[]``. A key that is itself
personal data is masked (:mod:`piimap.name_masking`): ``{"contacts": {"a@b.org": {"phone": ...}}}``
gives the one field ``contacts.<email>.phone`` for every contact. Numbers and booleans
are classified as their text (phones stored as integers are found); ``null`` counts as missing.

JSON Lines parse one record per line; a line that is not JSON is kept as free text (field
``None``) so personal data in it is still found. The records of a ``.json`` file come from
:mod:`piimap.connectors.json_stream`.

Many records at once (a block of JSON Lines, :func:`flatten_records_into`) are flattened field by
field: batches of lines are decoded by one ``json`` call each, then each field path's values are
gathered with C-level ``map``/``compress``/``itemgetter`` passes over all records of the batch
instead of one Python call per value. The result is exactly what :func:`flatten_into` gives record
by record, down to the order of fields (which decides what the per-container field cap keeps) and
of values within a field; a block whose shape does not fit (a path reached two ways, such as the
key ``"a.b"`` next to ``{"a": {"b": ...}}``, keys that differ in almost every record, non-JSON
types) is flattened record by record instead.
"""

from __future__ import annotations

import json
import secrets
import threading
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import accumulate, chain, compress, repeat
from operator import is_, itemgetter
from typing import Any

from piimap.connectors.fmt_columns import Columns
from piimap.name_masking import mask_key

__all__ = ["flatten_into", "flatten_lines_into", "flatten_records_into"]

_MAX_DEPTH = 32
_decoder = json.JSONDecoder()


def _member_path(prefix: str, key: Any) -> str:
    """The path of object member ``key`` under ``prefix``. A key that is itself personal data
    (``{"contacts": {"jane@example.org": ...}}``) is masked, so all such members fold into one
    field (``contacts.<email>``) and no raw value becomes a field name."""
    name = mask_key(str(key))
    return f"{prefix}.{name}" if prefix else name


def flatten_into(value: Any, prefix: str, columns: Columns, depth: int = 0) -> None:
    """Add the leaves of ``value`` to ``columns`` under dotted paths starting at ``prefix``."""
    if isinstance(value, dict):
        if depth >= _MAX_DEPTH:
            columns.add(prefix or None, json.dumps(value)[:65536])
            return
        for key, child in value.items():
            flatten_into(child, _member_path(prefix, key), columns, depth + 1)
    elif isinstance(value, list):
        if depth >= _MAX_DEPTH:
            columns.add(prefix or None, json.dumps(value)[:65536])
            return
        path = f"{prefix}[]"
        for child in value:
            flatten_into(child, path, columns, depth + 1)
    elif isinstance(value, str):
        if value:
            columns.add(prefix or "[]", value)
        else:
            columns.null(prefix or "[]")
    elif value is None:
        columns.null(prefix or "[]")
    elif isinstance(value, bool):
        columns.add(prefix or "[]", "true" if value else "false")
    else:
        columns.add(prefix or "[]", str(value))


def flatten_records_into(records: Sequence[tuple[str, Any]], columns: Columns) -> None:
    """Add the leaves of many ``(prefix, record)`` pairs (what :func:`iter_json_records` yields).

    The same fields, values and orders as :func:`flatten_into` on each pair in turn, in far fewer
    Python calls when the records share a shape: values are gathered per field path and added with
    one :meth:`Columns.extend` per field.
    """
    if len(records) >= _MIN_COLUMNAR_RECORDS:
        try:
            block = _BlockFlattener()
            prefixes = list(map(itemgetter(0), records))
            for prefix, start, stop in _runs_of_equal(prefixes):
                block.add_records(list(map(itemgetter(1), records[start:stop])), range(start, stop), prefix)
            block.write_into(columns)
            return
        except (_Irregular, RecursionError):  # flattened again record by record, as before
            pass
    for prefix, record in records:
        flatten_into(record, prefix, columns)


def flatten_lines_into(lines: list[str], columns: Columns) -> None:
    """Add the records of JSON Lines ``lines`` to ``columns``; other non-blank lines are free text.

    Many lines are flattened field by field (:func:`_parse_lines_by_column`); a block that does
    not fit, and a few lines, go line by line (:func:`_parse_lines_one_by_one`, the reference).
    """
    if len(lines) >= _MIN_COLUMNAR_RECORDS:
        try:
            _parse_lines_by_column(lines, columns)
            return
        except (_Irregular, RecursionError):  # parsed again line by line, as before
            pass
    _parse_lines_one_by_one(lines, columns)


def _parse_lines_one_by_one(lines: list[str], columns: Columns) -> None:
    """The reference JSON Lines parser: one ``json.loads`` and one :func:`flatten_into` per line."""
    loads = json.loads
    for line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        if stripped[0] in "{[":
            try:
                record = loads(stripped)
            except (ValueError, RecursionError):  # not JSON, or nested too deeply to decode
                columns.add(None, line)
                continue
            flatten_into(record, "", columns)
        else:
            columns.add(None, line)


# -- many records at once: one decode per batch of lines, one pass per field -------------------------

#: Fewer records than this are flattened one by one (the per-field passes would cost more).
_MIN_COLUMNAR_RECORDS = 8
#: Objects whose keys appear in fewer records than this on average (keys that are ids) are
#: flattened one by one: a pass per key would cost more than it saves.
_MIN_RECORDS_PER_KEY = 4
#: Lines decoded by one ``json`` call and flattened together.
_BATCH_LINES = 128
#: Failed decodes of a batch before its remaining lines are decoded one by one.
_MAX_BATCH_RETRIES = 4
_JSON_OPENERS = ("{", "[")
_SCALAR_TYPES = frozenset((str, int, float, bool, type(None)))
_JSON_TYPES = _SCALAR_TYPES | {dict, list}
_STRINGS, _NUMBERS, _BOOLEANS = frozenset((str,)), frozenset((int, float)), frozenset((bool,))
_BOOLEAN_TEXT = {True: "true", False: "false"}
# Steps of the path by which a field was reached, besides object keys (see _BlockFlattener).
_RECORD_STEP, _ARRAY_STEP, _TEXT_STEP = object(), object(), object()


class _Irregular(Exception):
    """A block the per-field passes cannot flatten exactly like :func:`flatten_into`."""


class _BatchFailed(Exception):
    """A batch of lines did not decode as one document; ``index`` is the line at fault, if known."""

    def __init__(self, index: int | None) -> None:
        super().__init__(index)
        self.index = index


def _parse_lines_by_column(lines: list[str], columns: Columns) -> None:
    text_rows: list[int] = []
    rows: Sequence[int]
    if all(map(str.startswith, lines, repeat(_JSON_OPENERS))):
        # Not stripped: JSON whitespace decodes the same, and a line ending in other white space
        # fails the batch and is decoded again stripped, on its own.
        texts, rows = lines, range(len(lines))
    else:
        texts, rows = [], []
        for row, line in enumerate(lines):
            content = line.strip()
            if content.startswith(_JSON_OPENERS):
                texts.append(content)
                rows.append(row)
            elif content:
                text_rows.append(row)
    block = _BlockFlattener()
    failed_rows: list[int] = []
    # Small batches: their records are freed before the garbage collector sees them, which
    # keeps it from promoting thousands of objects and running full collections.
    for start in range(0, len(texts), _BATCH_LINES):
        records, failed = _decode_lines(texts[start : start + _BATCH_LINES])
        batch_rows = rows[start : start + _BATCH_LINES]
        if failed:  # lines that look like JSON and are not: free text
            failed_rows += [batch_rows[index] for index in failed]
            bad = set(failed)
            records = [record for index, record in enumerate(records) if index not in bad]
            batch_rows = [row for index, row in enumerate(batch_rows) if index not in bad]
        if records:
            block.add_records(records, batch_rows, "")
    if failed_rows:
        text_rows = sorted(text_rows + failed_rows)
    block.add_text([lines[row] for row in text_rows], text_rows)
    block.write_into(columns)


def _decode_lines(texts: list[str]) -> tuple[list[Any], list[int]]:
    """Decode every text: ``(values, failed)``, values aligned with ``texts`` (``None`` where one failed).

    Lines are decoded in batches, one ``json`` call each; a batch with a bad line is split at the
    line the error points to, and after a few failures the rest is decoded line by line.
    """
    decoded: list[Any] = []
    failed: list[int] = []
    start, retries = 0, 0
    stop = min(len(texts), _BATCH_LINES)
    while start < len(texts):
        try:
            decoded += _decode_batch(texts[start:stop])
            start = stop
            stop = min(len(texts), start + _BATCH_LINES)
            continue
        except _BatchFailed as failure:
            at_fault = failure.index
        retries += 1
        if at_fault is None or retries > _MAX_BATCH_RETRIES:
            for index in range(start, len(texts)):
                _decode_one(texts, index, decoded, failed)
            break
        if at_fault > 0:  # the lines before it may all be good: try them alone
            stop = start + at_fault
            continue
        _decode_one(texts, start, decoded, failed)
        start += 1
        stop = min(len(texts), start + _BATCH_LINES)
    return decoded, failed


def _decode_one(texts: list[str], index: int, decoded: list[Any], failed: list[int]) -> None:
    try:
        decoded.append(json.loads(texts[index].strip()))
    except (ValueError, RecursionError):  # not JSON, or nested too deeply to decode
        decoded.append(None)
        failed.append(index)


def _decode_batch(texts: list[str]) -> list[Any]:
    """Decode texts that are each one JSON value, with one ``json`` call.

    They become the members of one object under keys made of a random per-process nonce, so a
    line can neither swallow the next one unnoticed (``{"a": [1``) nor pass for two (``{}, {}``):
    unless exactly our keys come back, in order, the batch fails.
    """
    count = len(texts)
    keys, separators = _batch_keys(count)
    chunks = [""] * (2 * count + 2)
    chunks[0], chunks[-1] = "{", "}"
    chunks[1:-1:2] = separators[:count]
    chunks[2:-1:2] = texts
    try:
        members = _decoder.decode("".join(chunks))
    except json.JSONDecodeError as error:
        ends = list(accumulate(map(len, chunks[1:-1]), initial=1))[2::2]  # where each line ends
        raise _BatchFailed(min(bisect_right(ends, error.pos), count - 1)) from None
    except (ValueError, RecursionError):  # an integer longer than Python converts, deep nesting: no position
        raise _BatchFailed(None) from None
    if not isinstance(members, dict) or len(members) != count or tuple(members) != keys[:count]:
        raise _BatchFailed(None)
    return list(members.values())


_batch_keys_lock = threading.Lock()
_batch_keys_made: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())


def _batch_keys(count: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """At least ``count`` keys ``"<nonce>:<n>"``, and their ``"key":`` separators (a comma before all but the first)."""
    global _batch_keys_made
    made = _batch_keys_made
    if len(made[0]) < count:
        with _batch_keys_lock:
            made = _batch_keys_made
            if len(made[0]) < count:
                nonce = secrets.token_hex(8)
                keys = tuple(f"{nonce}:{index}" for index in range(max(count, _BATCH_LINES)))
                separators = tuple(f'{"," if index else ""}"{key}":' for index, key in enumerate(keys))
                made = _batch_keys_made = keys, separators
    return made


def _runs_of_equal(items: list[str]) -> Iterator[tuple[str, int, int]]:
    """``(item, start, stop)`` for each run of equal consecutive items."""
    start = 0
    while start < len(items):
        item = items[start]
        stop = start + 1
        while stop < len(items) and items[stop] == item:
            stop += 1
        yield item, start, stop
        start = stop


def _scalar_text(value: str | float | bool | None) -> str:
    """The text :func:`flatten_into` adds for a scalar; ``""`` for a missing one (null, empty string)."""
    if isinstance(value, str):
        return value
    if type(value) is bool:
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


class _BlockFlattener:
    """Flattens a block of records one field path at a time, into whole lists per field.

    Every record (and free-text line) of the block has a row number, in input order; records
    come in batches of ascending rows. Each pass takes the values found at one path in all the
    records of a batch, with their rows, and appends them to the path's field, so values stay in
    row order within a field. A field reached by two different paths (the key ``"a.b"`` and
    ``{"a": {"b": ...}}``) could interleave differently: that raises :class:`_Irregular`.

    The order :func:`flatten_into` would have created the fields in (which decides what the
    per-container field cap keeps) is restored from each field's first row: the reference
    flattens just those rows again, while their batch is at hand, to learn the order within them.
    """

    def __init__(self) -> None:
        self.values: dict[str | None, list[str]] = {}
        self.nulls: dict[str | None, int] = {}
        self._first_value_row: dict[str | None, int] = {}
        self._first_null_row: dict[str | None, int] = {}
        self._value_paths: dict[str | None, tuple[Any, ...]] = {}
        self._null_paths: dict[str | None, tuple[Any, ...]] = {}
        self._new_first_rows: set[int] = set()
        self._fields_of_row: dict[int, tuple[list[str | None], list[str | None]]] = {}

    def add_text(self, lines: list[str], rows: Sequence[int]) -> None:
        """Free-text lines (field ``None``) at ``rows``, ascending; once, after the records."""
        if lines:
            self._present(None, lines, rows[0], (_TEXT_STEP,))
            self._fields_of_row[rows[0]] = ([None], [])
            self._new_first_rows.clear()

    def add_records(self, records: list[Any], rows: Sequence[int], prefix: str) -> None:
        """A batch of records at ``rows`` (ascending, after the rows added so far), all under ``prefix``."""
        self._column(records, rows, prefix, 0, (_RECORD_STEP, prefix))
        for row in self._new_first_rows:
            reference = Columns()
            flatten_into(records[bisect_left(rows, row)], prefix, reference)
            self._fields_of_row[row] = (list(reference.values), list(reference.nulls))
        self._new_first_rows.clear()

    def write_into(self, columns: Columns) -> None:
        """Add every field to ``columns`` in the order :func:`flatten_into` would have."""
        value_order: list[str | None] = []
        null_order: list[str | None] = []
        for row in sorted(self._fields_of_row):
            value_fields, null_fields = self._fields_of_row[row]
            value_order += [field for field in value_fields if self._first_value_row.get(field) == row]
            null_order += [field for field in null_fields if self._first_null_row.get(field) == row]
        if len(value_order) != len(self.values) or len(null_order) != len(self.nulls):
            raise _Irregular("the per-field passes and the reference found different fields")
        for field in value_order:
            columns.extend(field, self.values[field])
        for field in null_order:
            columns.null(field, self.nulls[field])

    def _present(self, field: str | None, values: list[str], first_row: int, path: tuple[Any, ...]) -> None:
        known = self.values.get(field)
        if known is None:
            self.values[field] = list(values)
            self._value_paths[field] = path
            self._first_value_row[field] = first_row
            self._new_first_rows.add(first_row)
        elif self._value_paths[field] == path:
            known.extend(values)
        else:  # reached two ways: the order within the field could differ
            raise _Irregular(f"field {field!r} reached by two paths")

    def _null(self, field: str | None, count: int, first_row: int, path: tuple[Any, ...]) -> None:
        if field not in self.nulls:
            self.nulls[field] = count
            self._null_paths[field] = path
            self._first_null_row[field] = first_row
            self._new_first_rows.add(first_row)
        elif self._null_paths[field] == path:
            self.nulls[field] += count
        else:
            raise _Irregular(f"field {field!r} reached by two paths")

    def _column(
        self, values: list[Any], rows: Sequence[int], prefix: str, depth: int, path: tuple[Any, ...]
    ) -> None:
        """Flatten the values found at ``prefix`` (at nesting ``depth``, by ``path``), in row order."""
        kinds = set(map(type, values))
        if kinds <= _SCALAR_TYPES:
            self._scalars(values, rows, prefix or "[]", kinds, path)
            return
        if not kinds <= _JSON_TYPES:
            raise _Irregular("a value of a type JSON does not decode to")
        if depth >= _MAX_DEPTH:
            self._too_deep(values, rows, prefix, path)
            return
        if len(kinds) == 1:
            if dict in kinds:
                self._objects(values, rows, prefix, depth, path)
            else:
                self._arrays(values, rows, prefix, depth, path)
            return
        types = list(map(type, values))
        scalar_mask = list(map(_SCALAR_TYPES.__contains__, types))
        if any(scalar_mask):
            scalars = list(compress(values, scalar_mask))
            self._scalars(
                scalars, list(compress(rows, scalar_mask)), prefix or "[]", kinds & _SCALAR_TYPES, path
            )
        if dict in kinds:
            mask = list(map(is_, types, repeat(dict)))
            self._objects(list(compress(values, mask)), list(compress(rows, mask)), prefix, depth, path)
        if list in kinds:
            mask = list(map(is_, types, repeat(list)))
            self._arrays(list(compress(values, mask)), list(compress(rows, mask)), prefix, depth, path)

    def _scalars(
        self, values: list[Any], rows: Sequence[int], field: str, kinds: set[type], path: tuple[Any, ...]
    ) -> None:
        if kinds == _STRINGS:
            if "" not in values:
                self._present(field, values, rows[0], path)
                return
            present = list(filter(None, values))
            self._null(field, len(values) - len(present), rows[values.index("")], path)
            if present:
                self._present(field, present, next(compress(rows, values)), path)
            return
        if kinds <= _NUMBERS:
            self._present(field, list(map(str, values)), rows[0], path)
            return
        if kinds == _BOOLEANS:
            self._present(field, list(map(_BOOLEAN_TEXT.__getitem__, values)), rows[0], path)
            return
        texts = list(map(_scalar_text, values))
        present = list(filter(None, texts))
        if len(present) != len(texts):
            self._null(field, len(texts) - len(present), rows[texts.index("")], path)
        if present:
            self._present(field, present, next(compress(rows, texts)), path)

    def _objects(
        self,
        objects: list[dict[Any, Any]],
        rows: Sequence[int],
        prefix: str,
        depth: int,
        path: tuple[Any, ...],
    ) -> None:
        first = objects[0]
        if len(set(map(len, objects))) == 1:  # the same size: the same keys if the first's are all there
            try:
                children = [list(map(itemgetter(key), objects)) for key in first]
            except KeyError:
                pass
            else:
                for key, child in zip(first, children):
                    self._column(child, rows, _member_path(prefix, key), depth + 1, (*path, key))
                return
        key_counts = Counter(chain.from_iterable(objects))
        present = key_counts.total()
        if len(key_counts) * _MIN_RECORDS_PER_KEY > present:
            raise _Irregular("object keys that differ from record to record")
        if len(key_counts) * len(objects) <= 8 * present:  # a few optional keys: a pass per key
            for key, seen in key_counts.items():
                child_prefix = _member_path(prefix, key)
                if seen == len(objects):
                    self._column(
                        list(map(itemgetter(key), objects)), rows, child_prefix, depth + 1, (*path, key)
                    )
                    continue
                mask = list(map(dict.__contains__, objects, repeat(key)))
                child = list(map(itemgetter(key), compress(objects, mask)))
                self._column(child, list(compress(rows, mask)), child_prefix, depth + 1, (*path, key))
            return
        groups: dict[Any, tuple[list[Any], list[int]]] = {}  # many sparse keys: one pass over all members
        for row, record in zip(rows, objects):
            for key, value in record.items():
                group = groups.get(key)
                if group is None:
                    groups[key] = ([value], [row])
                else:
                    group[0].append(value)
                    group[1].append(row)
        for key, (child, child_rows) in groups.items():
            self._column(child, child_rows, _member_path(prefix, key), depth + 1, (*path, key))

    def _arrays(
        self, arrays: list[list[Any]], rows: Sequence[int], prefix: str, depth: int, path: tuple[Any, ...]
    ) -> None:
        elements = list(chain.from_iterable(arrays))
        if elements:
            element_rows = list(chain.from_iterable(map(repeat, rows, map(len, arrays))))
            self._column(elements, element_rows, f"{prefix}[]", depth + 1, (*path, _ARRAY_STEP))

    def _too_deep(self, values: list[Any], rows: Sequence[int], prefix: str, path: tuple[Any, ...]) -> None:
        """Past the depth limit objects and arrays are kept whole, as JSON text, like scalars."""
        scalar_field, whole_field = prefix or "[]", prefix or None
        present: dict[str | None, list[str]] = {}
        first_rows: dict[str | None, int] = {}
        nulls, first_null = 0, -1
        for row, value in zip(rows, values):
            if type(value) is dict or type(value) is list:
                field, text = whole_field, json.dumps(value)[:65536]
            else:
                field, text = scalar_field, _scalar_text(value)
                if not text:
                    first_null = row if not nulls else first_null
                    nulls += 1
                    continue
            bucket = present.get(field)
            if bucket is None:
                present[field] = [text]
                first_rows[field] = row
            else:
                bucket.append(text)
        for field, texts in present.items():
            self._present(field, texts, first_rows[field], path)
        if nulls:
            self._null(scalar_field, nulls, first_null, path)
