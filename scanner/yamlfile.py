"""YAML loading that remembers where each key stood, so errors can say ``file:line: key``.

``${ENV_VAR}`` (and ``${ENV_VAR:-default}``) in string values is expanded from the environment.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from piimap.model import ConfigError

__all__ = ["LocatedDict", "load_yaml", "expand_env", "located_error"]

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
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{line}: invalid YAML: {error.problem}") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: invalid YAML: {error}") from None
    finally:
        loader.dispose()
    return expand_env(data, str(path)) if expand else data


def located_error(mapping: Any, key: str | None, message: str) -> ConfigError:
    """A :class:`ConfigError` saying ``file:line: key: message`` when the location is known."""
    if isinstance(mapping, LocatedDict):
        prefix = mapping.where(key)
        return ConfigError(f"{prefix}: {key}: {message}" if key else f"{prefix}: {message}")
    return ConfigError(f"{key}: {message}" if key else message)
