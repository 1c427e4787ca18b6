"""What every piimap file model shares: the base class, the value types, and error reporting.

A file is loaded by :func:`piimap.yamlfile.load_yaml` (which remembers the line of every key and
expands ``${VAR}``), then validated by a pydantic model with :func:`validate_document`. Every
problem pydantic finds (or a semantic check adds, see :class:`Problem`) becomes one line
``file:line: dotted.key: message``; all of them are raised together as :class:`ConfigProblems`.

Scalars are strict: a number is not accepted where a flag is expected, ``1.0`` is not an
integer, a string is not a number. Lists are accepted where the models keep tuples.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from piimap.model import ConfigError
from piimap.yamlfile import LocatedDict

__all__ = [
    "ConfigModel",
    "ConfigProblems",
    "Problem",
    "validate_document",
    "validation_problems",
    "dotted_key",
    "OneOrMany",
    "NoOptions",
    "RegionList",
    "parse_regions",
    "raise_problems",
    "did_you_mean",
    "describe_value",
    "Text",
    "NonEmptyText",
    "Glob",
    "GlobList",
    "Flag",
    "NonNegativeInt",
    "PositiveInt",
    "PositiveNumber",
    "UnitInterval",
    "EnvVarName",
    "CATEGORY_KEY_PATTERN",
    "CATEGORIES_CONTEXT",
    "CategoryKey",
    "NewCategoryKey",
    "CategoryList",
    "RegionCode",
    "plugin_options_model",
    "plugin_option_problems",
]

#: The spelling of a category key (Fides taxonomy style): lower case, dot-separated.
CATEGORY_KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")

#: At most this many problems are listed; the rest are counted.
MAX_PROBLEMS_SHOWN = 20


class ConfigModel(BaseModel):
    """Base of every file model: unknown keys are errors, instances are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _unset_nulls(cls, value: Any) -> Any:
        return _drop_nulls(value)


class NoOptions(ConfigModel):
    """The options model of a plugin that takes no options: any key is an error."""


class ConfigProblems(ConfigError):
    """One or more mistakes in a file; :attr:`problems` holds one ``file:line: key: message`` line each.

    ``str()`` is the lines joined by newlines, so code that prints a :class:`ConfigError` as one
    message still shows them all; the CLI prints one ``piimap: error:`` line per problem.
    """

    def __init__(self, problems: Sequence[str]) -> None:
        shown = list(problems[:MAX_PROBLEMS_SHOWN])
        if len(problems) > MAX_PROBLEMS_SHOWN:
            shown.append(f"... and {len(problems) - MAX_PROBLEMS_SHOWN} more problems")
        self.problems: tuple[str, ...] = tuple(shown)
        super().__init__("\n".join(shown))


@dataclass(frozen=True)
class Problem:
    """A mistake found after the model validated: ``loc`` is the key path in the file (as pydantic
    spells it: keys and list indices), ``message`` says what is wrong."""

    loc: tuple[str | int, ...]
    message: str


# --------------------------------------------------------------------------- value types


def _as_text(value: Any) -> Any:
    """Numbers and YAML dates are accepted where text is expected (``updated: 2020-10-14``)."""
    if isinstance(value, bool):
        return value  # left for the str validator to refuse
    if isinstance(value, (int, float)):
        return str(value)
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value.isoformat()
    return value


def _one_or_many(value: Any) -> Any:
    """A single string is accepted where a list of strings is expected."""
    return [value] if isinstance(value, str) else value


#: One name (or glob) or a list of them, as a tuple.
OneOrMany = BeforeValidator(_one_or_many)
#: Free text: numbers and dates are taken as written.
Text = Annotated[str, BeforeValidator(_as_text)]
#: Text that must not be empty.
NonEmptyText = Annotated[str, BeforeValidator(_as_text), Field(min_length=1)]
#: A shell-style glob (``*``, ``?``, ``[abc]``).
Glob = Annotated[str, Strict(), Field(min_length=1)]
#: One glob or a list of them.
GlobList = Annotated[tuple[Glob, ...], OneOrMany]
#: ``true`` or ``false``, nothing else.
Flag = Annotated[bool, Strict()]
#: A whole number, 0 or more.
NonNegativeInt = Annotated[int, Strict(), Field(ge=0)]
#: A whole number, 1 or more.
PositiveInt = Annotated[int, Strict(), Field(ge=1)]
#: A number above 0 (seconds, say).
PositiveNumber = Annotated[float, Strict(), Field(gt=0)]
#: A number from 0 to 1 (a confidence).
UnitInterval = Annotated[float, Strict(), Field(ge=0, le=1)]


def _check_category_key(value: str, info: ValidationInfo) -> str:
    """The spelling of a key, then (when the validation context holds a vocabulary) its existence."""
    _check_category_spelling(value)
    vocabulary = (info.context or {}).get(CATEGORIES_CONTEXT)
    if vocabulary is not None:
        problem = vocabulary.problem(value)
        if problem is not None:
            raise ValueError(problem)
    return value


def _check_category_spelling(value: str) -> str:
    if value == "all":
        raise ValueError("'all' is only allowed as the whole value of a flow's categories")
    if not CATEGORY_KEY_PATTERN.match(value):
        raise ValueError(f"{value!r} is not a category key (Fides spelling, e.g. user.contact.email)")
    return value


def _unique(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


#: The validation-context key holding the :class:`~piimap.categories.CategoryVocabulary` in force.
CATEGORIES_CONTEXT = "categories"
#: A category key that must exist: Fides taxonomy, installed classifiers or custom categories.
CategoryKey = Annotated[str, Strict(), AfterValidator(_check_category_key)]
#: A category key being defined (``custom_categories``): spelling only.
NewCategoryKey = Annotated[str, Strict(), AfterValidator(_check_category_spelling)]
#: One category key or a list of them (duplicates dropped, order kept).
CategoryList = Annotated[tuple[CategoryKey, ...], OneOrMany, AfterValidator(_unique)]


def _region(value: str) -> str:
    import phonenumbers

    code = value.upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        hint = " (the United Kingdom is GB)" if code == "UK" else ""
        raise ValueError(f"unknown region {value!r}: use a two-letter ISO 3166 code such as US, GB, DE{hint}")
    return code


def parse_regions(value: Any) -> tuple[str, ...]:
    """Phone regions as configured: ``"US"``, ``"US,GB"``, ``"us gb"`` or a list of codes, each once.

    Raises ``ValueError`` naming a code phonenumbers does not know, or when no code is given.
    """
    items = value if isinstance(value, (list, tuple)) else [value]
    codes: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ValueError("phone regions are two-letter ISO 3166 codes such as US, or a list of them")
        codes.extend(code for code in re.split(r"[\s,;]+", item) if code)
    if not codes:
        raise ValueError("no phone region given: use two-letter ISO 3166 codes such as US, GB, JP")
    return tuple(dict.fromkeys(_region(code) for code in codes))


#: A phone region: a two-letter ISO 3166 code phonenumbers knows (case-insensitive, kept upper case).
RegionCode = Annotated[str, Strict(), AfterValidator(_region)]
#: Phone regions: a code, codes separated by commas, or a list of codes; kept as ``"US,GB"``.
RegionList = Annotated[str, BeforeValidator(lambda value: ",".join(parse_regions(value)))]
#: The name of an environment variable.
EnvVarName = Annotated[str, Strict(), Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]


# --------------------------------------------------------------------------- messages


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to ``word`` when one is close enough to be a typo, else ``None``."""
    choices = sorted(set(candidates))
    lowered = {choice.lower(): choice for choice in choices}
    if word.lower() in lowered:
        return lowered[word.lower()]
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


def describe_value(value: Any) -> str:
    """A short, safe description of a value for a message: scalars as written, containers by kind."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing (null)"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "..."
        return repr(text)
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return type(value).__name__


_KIND_NAMES = {
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "str": "text",
    "string": "text",
    "tuple": "a list",
    "list": "a list",
    "dict": "a mapping",
    "model": "a mapping",
}


def _bound(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _message(error: Mapping[str, Any], known_keys: Sequence[str] | None) -> str:
    kind, context, value = error["type"], error.get("ctx") or {}, error.get("input")
    got = f", not {describe_value(value)}"
    if kind == "extra_forbidden":
        key = str(error["loc"][-1]) if error["loc"] else ""
        suggestion = did_you_mean(key, known_keys or ())
        if suggestion:
            return f"unknown key (did you mean '{suggestion}'?)"
        return f"unknown key (known: {', '.join(known_keys)})" if known_keys else "unknown key"
    if kind == "missing":
        return "is required"
    if kind in ("value_error", "assertion_error") and "error" in context:
        return str(context["error"])
    if kind == "greater_than_equal":
        return f"must be {_bound(context['ge'])} or more{got}"
    if kind == "greater_than":
        return f"must be more than {_bound(context['gt'])}{got}"
    if kind == "less_than_equal":
        return f"must be {_bound(context['le'])} or less{got}"
    if kind == "less_than":
        return f"must be less than {_bound(context['lt'])}{got}"
    if kind == "literal_error":
        return f"must be {context.get('expected', 'one of the listed values')}{got}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_pattern_mismatch":
        return f"does not have the expected form{got}"
    for prefix, name in _KIND_NAMES.items():
        if kind.startswith(prefix + "_") or kind == prefix:
            if kind.endswith("_type") or kind.endswith("_parsing") or kind.endswith("_from_float"):
                return f"must be {name}{got}"
    text = str(error.get("msg", kind))
    return re.sub(r"^Input should be", "must be", text) + got


# --------------------------------------------------------------------------- locations


def _format_key(key: str | int) -> str:
    if isinstance(key, int):
        return f"[{key}]"
    if re.fullmatch(r"[A-Za-z0-9_\-]+", key):
        return f".{key}"
    return f"[{key!r}]"


def dotted_key(keys: Sequence[str | int]) -> str:
    """``("systems", "db", "containers", "main.accounts", 0)`` as ``systems.db.containers['main.accounts'][0]``."""
    return "".join(_format_key(key) for key in keys).lstrip(".")


def _locate(data: Any, loc: Sequence[str | int], path: str) -> tuple[str, list[str | int], bool]:
    """``file:line``, the part of ``loc`` that exists in the file, and whether all of it does.

    The line is the line of the deepest key found (or of the mapping holding a missing key).
    """
    node, line = data, getattr(data, "line", 0)
    walked: list[str | int] = []
    for item in loc:
        if isinstance(node, Mapping) and isinstance(item, str) and item in node:
            if isinstance(node, LocatedDict):
                line = node.line_of(item)
            node = node[item]
        elif isinstance(node, list) and isinstance(item, str):
            named = [
                i for i, entry in enumerate(node) if isinstance(entry, Mapping) and entry.get("name") == item
            ]
            if not named:
                continue  # a shorthand list stands for a mapping key (``db: [...]`` is ``categories``)
            node = node[named[0]]  # a list of named entries (``sources: [{name: db, url: ...}]``)
            line = getattr(node, "line", line)
            walked.append(named[0])
            continue
        elif isinstance(node, list) and isinstance(item, int) and 0 <= item < len(node):
            node = node[item]
            if isinstance(node, LocatedDict):
                line = node.line
        else:
            return (f"{path}:{line}" if line else path), walked, False
        walked.append(item)
    return (f"{path}:{line}" if line else path), walked, True


def _strip_annotations(annotation: Any) -> list[Any]:
    """The concrete types an annotation may hold (``Annotated`` and unions unwrapped)."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _strip_annotations(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        found: list[Any] = []
        for argument in typing.get_args(annotation):
            found.extend(_strip_annotations(argument))
        return found
    return [annotation]


def _model_fields_at(model: type[BaseModel], loc: Sequence[str | int]) -> list[str] | None:
    """The keys the model at ``loc`` accepts (for "did you mean"), when it can be told."""
    candidates: list[Any] = [model]
    for item in loc:
        following: list[Any] = []
        for candidate in candidates:
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                for name, info in candidate.model_fields.items():
                    if item in (name, info.alias):
                        following.extend(_strip_annotations(info.annotation))
                continue
            origin, arguments = typing.get_origin(candidate), typing.get_args(candidate)
            if origin in (dict, Mapping) and len(arguments) == 2:
                following.extend(_strip_annotations(arguments[1]))
            elif origin in (tuple, list) and arguments:
                following.extend(_strip_annotations(arguments[0]))
        candidates = following
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return sorted(info.alias or name for name, info in candidate.model_fields.items())
    return None


def _problem_line(data: Any, path: str, loc: Sequence[str | int], message: str) -> tuple[str, int, str]:
    where, walked, complete = _locate(data, loc, path)
    keys = list(walked)
    if not complete and message == "is required" and len(loc) == len(walked) + 1:
        keys.append(loc[-1])  # "vendors.ga.role: is required"
    key = dotted_key(keys)
    line = int(where.rsplit(":", 1)[1]) if where != path else 0
    return where, line, f"{where}: {key}: {message}" if key else f"{where}: {message}"


M = TypeVar("M", bound=BaseModel)


def validation_problems(
    error: ValidationError, model: type[BaseModel], prefix: tuple[str | int, ...] = ()
) -> list[Problem]:
    """pydantic's errors for ``model`` as :class:`Problem` records, their keys under ``prefix``."""
    problems = []
    for item in error.errors():
        loc = tuple(item["loc"])
        known = _model_fields_at(model, loc[:-1]) if item["type"] == "extra_forbidden" else None
        problems.append(Problem(prefix + loc, _message(item, known)))
    return problems


def validate_document(
    model: type[M],
    data: Any,
    path: str,
    *,
    context: Mapping[str, Any] | None = None,
) -> M:
    """``data`` (from :func:`~piimap.yamlfile.load_yaml`) validated by ``model``; every problem is
    raised at once as :class:`ConfigProblems` with ``file:line: key: message`` lines."""
    try:
        return model.model_validate(data, context=dict(context or {}))
    except ValidationError as error:
        raise_problems(data, path, validation_problems(error, model))
        raise  # not reached: there is at least one problem


def raise_problems(data: Any, path: str, problems: Iterable[Problem]) -> None:
    """Raise :class:`ConfigProblems` for semantic ``problems`` (none: return)."""
    lines = [_problem_line(data, path, problem.loc, problem.message) for problem in problems]
    if lines:
        raise ConfigProblems(_ordered(lines))


def _ordered(lines: list[tuple[str, int, str]]) -> list[str]:
    return [text for _, _, text in sorted(dict.fromkeys(lines), key=lambda item: (item[1], item[2]))]


def _drop_nulls(value: Any) -> Any:
    """``key:`` with nothing after it means "not set": the key's default applies."""
    if isinstance(value, Mapping):
        return {key: item for key, item in value.items() if item is not None}
    return value


def plugin_options_model(plugin: Any) -> type[BaseModel] | None:
    """The pydantic model a connector or classifier declares for its options (``options_model``),
    or ``None`` when it declares none (its options are then passed on unchecked)."""
    model = getattr(plugin, "options_model", None)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def plugin_option_problems(
    plugin: Any,
    options: Mapping[str, Any],
    prefix: tuple[str | int, ...],
    *,
    context: Mapping[str, Any] | None = None,
) -> list[Problem]:
    """What is wrong with ``options`` for ``plugin`` (keys under ``prefix``); empty when fine."""
    model = plugin_options_model(plugin)
    if model is None:
        return []
    try:
        model.model_validate(dict(options), context=dict(context or {}))
    except ValidationError as error:
        return validation_problems(error, model, prefix)
    return []
