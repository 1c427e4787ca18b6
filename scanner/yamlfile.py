"""YAML loading that remembers where each key stood, so errors can say ``file:line: key``.

``${ENV_VAR}`` (and ``${ENV_VAR:-default}``) in string values is expanded from the environment.

Aliases (``*name``) may be used, but a file may hold at most :data:`MAX_YAML_VALUES` values once
they are expanded: nested aliases let a 1 KB file stand for billions of values (an "alias bomb"),
which anything walking the loaded tree (the ``${VAR}`` expansion, validation) would then visit.
The size is counted on the parsed node graph, where an alias is a shared node, before anything
is built from it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from piimap.model import ConfigError

__all__ = ["MAX_YAML_VALUES", "LocatedDict", "load_yaml", "expand_env", "located_error"]

#: Values (scalars, lists, mappings) a YAML file may hold with its aliases expanded.
MAX_YAML_VALUES = 1_000_000

_ENV_REFERENCE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}")


class LocatedDict(dict):
    """A mapping from a YAML file that knows the file and the line of each of its keys."""

    path: str = "<string>"
    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)

    def where(self, key: str | None = None) -> str:
        line = self.line_of(key) if key is not None else self.line
        return f"{self.path}:{line}"


class _LocatingLoader(yaml.SafeLoader):
    """SafeLoader whose mappings are :class:`LocatedDict` instances."""

    source_path = "<string>"


def _construct_mapping(loader: _LocatingLoader, node: yaml.MappingNode) -> LocatedDict:
    loader.flatten_mapping(node)
    mapping = LocatedDict()
    mapping.path = loader.source_path
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        if key in mapping:
            raise ConfigError(f"{loader.source_path}:{key_node.start_mark.line + 1}: duplicate key '{key}'")
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


_LocatingLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def expand_env(value: Any, where: str = "") -> Any:
    """Expand ``${VAR}`` in every string of ``value``; an unset variable without default is an error."""
    if isinstance(value, str):

        def substitute(match: re.Match[str]) -> str:
            name, default = match["name"], match["default"]
            if name in os.environ:
                return os.environ[name]
            if default is not None:
                return default
            raise ConfigError(f"{where}: environment variable {name} is not set".lstrip(": "))

        return _ENV_REFERENCE.sub(substitute, value)
    if isinstance(value, LocatedDict):
        expanded = LocatedDict({key: expand_env(item, value.where(key)) for key, item in value.items()})
        expanded.path, expanded.line, expanded.key_lines = value.path, value.line, value.key_lines
        return expanded
    if isinstance(value, dict):
        return {key: expand_env(item, where) for key, item in value.items()}
    if isinstance(value, list):
        return [expand_env(item, where) for item in value]
    return value


def load_yaml(path: str | Path, *, expand: bool = True) -> Any:
    """Load a YAML file; errors become :class:`ConfigError` naming the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    loader = _LocatingLoader(text)
    loader.source_path = str(path)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_expanded_size(node, path)
        data = loader.construct_document(node) if node is not None else None
    except RecursionError:
        raise ConfigError(f"{path}: invalid YAML: nested too deeply") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{line}: invalid YAML: {error.problem}") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: invalid YAML: {error}") from None
    finally:
        loader.dispose()
    return expand_env(data, str(path)) if expand else data


def _check_expanded_size(root: yaml.Node, path: Path) -> None:
    """Raise :class:`ConfigError` when the document, aliases expanded, holds more than
    :data:`MAX_YAML_VALUES` values, or an alias refers to a node that contains it.

    Linear in the number of distinct nodes: each node's expanded size is counted once.
    """
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        children = _children(node)
        if children_done:
            in_progress.discard(id(node))
            size = 1 + sum(sizes[id(child)] for child in children)
            if size > MAX_YAML_VALUES:
                raise ConfigError(
                    f"{path}:{node.start_mark.line + 1}: aliases expand to more than {MAX_YAML_VALUES:,} "
                    "values (an alias bomb?)"
                )
            sizes[id(node)] = size
            continue
        if id(node) in sizes:
            continue
        if id(node) in in_progress:
            raise ConfigError(
                f"{path}:{node.start_mark.line + 1}: invalid YAML: an alias refers to its own node"
            )
        in_progress.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def located_error(mapping: Any, key: str | None, message: str) -> ConfigError:
    """A :class:`ConfigError` saying ``file:line: key: message`` when the location is known."""
    if isinstance(mapping, LocatedDict):
        prefix = mapping.where(key)
        return ConfigError(f"{prefix}: {key}: {message}" if key else f"{prefix}: {message}")
    return ConfigError(f"{key}: {message}" if key else message)
