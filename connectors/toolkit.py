"""What every connector needs, written once: options, include/exclude, value text, errors, limits.

A connector (built-in or a plugin) uses these so that the same option means the same thing on
every source:

- :func:`connector_options` checks ``spec.options`` against the connector's ``options_model``
  (unknown keys, wrong types, ranges) the way the config file is checked, and raises one
  :class:`~piimap.model.ConfigError` line naming the source;
- :class:`NameFilter` is ``include`` / ``exclude``: one glob or a list, matched without regard to
  case against each name a container is known by (``schema.table`` and ``table``; a file's path
  and its name; ``key`` and ``bucket/key``); a container is kept when it matches an ``include``
  glob (or there are none) and no ``exclude`` glob;
- :func:`value_text` turns a database value into the text a person would type;
- :func:`first_line` and :func:`describe_error` are an error on one line;
- :func:`connection_limit` is how many connections a scan may open to one source.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as time_of_day
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from pydantic import BaseModel, ValidationError

from piimap.model import ConfigError, SourceSpec
from piimap.schema.base import dotted_key, validation_problems
from piimap.settings import ScanSettings

__all__ = [
    "NameFilter",
    "connection_limit",
    "connector_options",
    "describe_error",
    "filtered_options",
    "first_line",
    "glob_patterns",
    "value_text",
]

M = TypeVar("M", bound=BaseModel)


def connector_options(model: type[M], spec: SourceSpec) -> M:
    """``spec.options`` checked against ``model`` (a connector's ``options_model``).

    Raises :class:`~piimap.model.ConfigError` with one line per problem, keyed as in the config
    file (``sources.events.includ: unknown key (did you mean 'include'?)``).
    """
    try:
        return model.model_validate(dict(spec.options))
    except ValidationError as error:
        lines = [
            f"{dotted_key(('sources', spec.name, *problem.loc))}: {problem.message}"
            for problem in validation_problems(error, model)
        ]
        raise ConfigError("; ".join(lines)) from None


def filtered_options(model: type[M], spec: SourceSpec) -> tuple[M, NameFilter]:
    """:func:`connector_options`, and the :class:`NameFilter` of their ``include`` / ``exclude``."""
    options = connector_options(model, spec)
    return options, NameFilter(getattr(options, "include", ()), getattr(options, "exclude", ()))


def glob_patterns(value: Any) -> tuple[str, ...]:
    """Globs from an option given as one string or a list (``"*.log"`` is one glob, not five)."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable):
        return tuple(str(pattern) for pattern in value)
    return (str(value),)


@dataclass(frozen=True)
class NameFilter:
    """``include`` / ``exclude`` globs of a source, matched without regard to case.

    A container is :meth:`wanted` when one of its names matches an ``include`` glob (or there is
    none) and none of its names matches an ``exclude`` glob. ``*`` matches ``/`` and ``.`` too.
    """

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "include", tuple(pattern.lower() for pattern in glob_patterns(self.include)))
        object.__setattr__(self, "exclude", tuple(pattern.lower() for pattern in glob_patterns(self.exclude)))

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> NameFilter:
        """The filter of a source's ``include`` and ``exclude`` options."""
        return cls(glob_patterns(options.get("include")), glob_patterns(options.get("exclude")))

    def wanted(self, *names: str) -> bool:
        """True when the container known by ``names`` is to be scanned."""
        lowered = [name.lower() for name in names]
        if self.include and not _any_match(lowered, self.include):
            return False
        return not _any_match(lowered, self.exclude)


def _any_match(names: list[str], patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns for name in names)


def value_text(value: Any) -> str | None:
    """A stored value as the text a person would type; ``None`` for nulls, blanks and raw bytes.

    Booleans are ``true`` / ``false``; whole floats lose their ``.0`` (a phone number stored as a
    double is ``14155550134``); decimals are written out without an exponent; timestamps and
    dates in ISO 8601 (a space between date and time); UUIDs in their usual form; bytes only when
    they are UTF-8 text; mappings and lists as JSON. Anything else is ``str(value)``.
    """
    if value is None:
        return None
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() and abs(value) < 1e17 else repr(value)
    elif isinstance(value, Decimal):
        text = format(value, "f")
    elif isinstance(value, datetime):
        text = value.isoformat(sep=" ")
    elif isinstance(value, (date, time_of_day)):
        text = value.isoformat()
    elif isinstance(value, UUID):
        text = str(value)
    elif isinstance(value, (bytes, bytearray, memoryview)):
        try:
            text = bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return None
    elif isinstance(value, (dict, list, tuple)):  # JSON columns, arrays
        text = json.dumps(value, ensure_ascii=False, default=str)
    else:  # IPv4Address / IPv4Network (INET, CIDR), ranges, ...
        text = str(value)
    return text if text.strip() else None


def first_line(error: BaseException) -> str:
    """The first non-blank line of ``error``'s message, stripped; its type name when it has none."""
    return _message_line(error) or type(error).__name__


def describe_error(error: BaseException) -> str:
    """An unexpected error on one line: its type and the first line of its message, no traceback."""
    line = _message_line(error)
    return f"{type(error).__name__}: {line}" if line else type(error).__name__


def _message_line(error: BaseException) -> str:
    for line in str(error).splitlines():
        if line.strip():
            return line.strip()
    return ""


def connection_limit(spec: SourceSpec, settings: ScanSettings) -> int:
    """How many connections a scan may open to ``spec`` at once: the source's ``max_connections``
    option, else the ``max_connections_per_source`` setting (at least 1)."""
    value = spec.options.get("max_connections", settings.max_connections_per_source)
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return max(1, settings.max_connections_per_source)
