"""``piimap.yaml``: named sources, scan settings, declarations and report outputs.

Every key is documented in the README ("Configuration file"). Relative paths (file sources,
``sqlite:///relative.db``, the data map, the policy, report outputs) are resolved against the
config file's folder, so ``piimap check --config DIR/piimap.yaml`` works from anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from piimap.evidence import EVIDENCE_MODES, EvidencePolicy, evidence_policy
from piimap.model import ConfigError, SourceSpec
from piimap.settings import ScanSettings
from piimap.yamlfile import LocatedDict, load_yaml, located_error

__all__ = ["Config", "ReportOutput", "load_config", "source_name_for", "resolve_source_url"]

_TOP_LEVEL_KEYS = {
    "sources",
    "settings",
    "classifiers",
    "datamap",
    "policy",
    "reports",
    "store",
    "baseline",
    "schedules",
    "custom_categories",
    "field_rules",
    "allow",
    "executor",
}
_SETTING_KEYS = {
    "sample_size": int,
    "max_value_length": int,
    "statement_timeout_seconds": (int, float),
    "default_region": str,
    "spacy_model": str,
    "min_confidence": (int, float),
    "max_examples": int,
    "workers": int,
    "max_connections_per_source": int,
    "exhaustive": bool,
    "evidence": str,
    "hmac_key_env": str,
}


@dataclass(frozen=True)
class ReportOutput:
    """One report the config asks for: a format and a path (``-`` for stdout)."""

    format: str
    path: str


@dataclass(frozen=True)
class Config:
    """A loaded, validated ``piimap.yaml``."""

    path: Path | None
    sources: tuple[SourceSpec, ...]
    settings: ScanSettings
    datamap_path: Path | None = None
    policy_path: Path | None = None
    reports: tuple[ReportOutput, ...] = ()
    store: str | None = None
    baseline_path: Path | None = None
    schedules: tuple[Mapping[str, Any], ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict)


def source_name_for(url: str, taken: set[str] | None = None) -> str:
    """A short, stable name for a source given on the command line."""
    text = url.rstrip("/")
    if "://" in text:
        scheme, rest = text.split("://", 1)
        rest = rest.rsplit("@", 1)[-1]  # never a password in a name
        tail = rest.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or rest.split("/", 1)[0]
        base = f"{scheme.split('+', 1)[0]}:{Path(tail).stem or tail}"
    else:
        base = Path(text).name or text
    name, counter = base, 2
    while taken is not None and name in taken:
        name, counter = f"{base}-{counter}", counter + 1
    if taken is not None:
        taken.add(name)
    return name


def resolve_source_url(url: str, base: Path) -> str:
    """Resolve relative file paths and ``sqlite:///relative.db`` against ``base``."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        relative = url[len("sqlite:///") :]
        if relative and not relative.startswith(":memory:") and not relative.startswith("file:"):
            return f"sqlite:///{(base / relative).resolve()}"
        return url
    if "://" in url:
        return url
    path = Path(url).expanduser()
    return url if path.is_absolute() else str(base / path)


def load_config(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Config:
    """Load and validate a config file; ``overrides`` are settings given on the command line."""
    path = Path(path)
    data = load_yaml(path)
    if data is None:
        data = LocatedDict()
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the config must be a mapping of keys (sources, settings, ...)")
    for key in data:
        if key not in _TOP_LEVEL_KEYS:
            known = ", ".join(sorted(_TOP_LEVEL_KEYS))
            raise located_error(data, key, f"unknown key (known keys: {known})")
    base = path.parent.resolve()
    sources = _load_sources(data, base)
    settings = _load_settings(data, overrides or {})
    return Config(
        path=path,
        sources=sources,
        settings=settings,
        datamap_path=_optional_path(data, "datamap", base),
        policy_path=_optional_path(data, "policy", base),
        reports=_load_reports(data, base),
        store=_resolve_store(_optional_str(data, "store"), base),
        baseline_path=_optional_path(data, "baseline", base),
        schedules=tuple(data.get("schedules") or ()),
        raw=data,
    )


def _load_sources(data: Mapping[str, Any], base: Path) -> tuple[SourceSpec, ...]:
    raw = data.get("sources")
    if raw is None:
        raise located_error(data, None, "no 'sources' given")
    items: list[tuple[str, Any]]
    if isinstance(raw, dict):
        items = list(raw.items())
    elif isinstance(raw, list):
        items = []
        for entry in raw:
            if isinstance(entry, dict) and "name" in entry:
                items.append((str(entry["name"]), {k: v for k, v in entry.items() if k != "name"}))
            else:
                raise located_error(data, "sources", "each list entry needs a 'name' and a 'url'")
    else:
        raise located_error(data, "sources", "must be a mapping of name -> URL or {url: ..., options}")
    specs = []
    for name, entry in items:
        if isinstance(entry, str):
            url, options = entry, {}
        elif isinstance(entry, dict):
            if "url" not in entry or not isinstance(entry["url"], str):
                raise located_error(entry if isinstance(entry, LocatedDict) else raw, name, "needs a 'url'")
            url = entry["url"]
            options = {key: value for key, value in entry.items() if key != "url"}
        else:
            raise located_error(raw, name, "must be a URL string or a mapping with 'url'")
        specs.append(SourceSpec(name=str(name), url=resolve_source_url(url, base), options=options))
    if not specs:
        raise located_error(data, "sources", "is empty")
    return tuple(specs)


def _load_settings(data: Mapping[str, Any], overrides: Mapping[str, Any]) -> ScanSettings:
    raw = data.get("settings") or {}
    if not isinstance(raw, dict):
        raise located_error(data, "settings", "must be a mapping")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        expected = _SETTING_KEYS.get(key)
        if expected is None:
            raise located_error(raw, key, f"unknown setting (known: {', '.join(sorted(_SETTING_KEYS))})")
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise located_error(raw, key, f"has the wrong type ({type(value).__name__})")
        values[key] = value
    classifiers = data.get("classifiers") or {}
    if not isinstance(classifiers, dict):
        raise located_error(data, "classifiers", "must be a mapping")
    enabled = classifiers.get("enabled")
    disabled = classifiers.get("disabled") or ()
    options = {
        key: value
        for key, value in classifiers.items()
        if key not in ("enabled", "disabled") and isinstance(value, dict)
    }
    for key in ("custom_categories", "field_rules", "allow"):
        if key in data:
            options[key] = data[key]
    values_evidence = {key: values.pop(key) for key in ("evidence", "hmac_key_env") if key in values}
    settings = ScanSettings(
        **values,
        enabled_classifiers=tuple(enabled) if enabled is not None else None,
        disabled_classifiers=tuple(disabled),
        classifier_options=options,
        evidence=_load_evidence(raw, values_evidence, overrides),
    )
    settings = settings.with_changes(**{key: value for key, value in overrides.items() if key != "evidence"})
    _validate_tuning(data, settings)
    return settings


def _load_evidence(
    raw: Mapping[str, Any], values: Mapping[str, Any], overrides: Mapping[str, Any]
) -> EvidencePolicy:
    """``settings: {evidence: masked|hmac|none, hmac_key_env: NAME}`` (``--evidence`` wins);
    the HMAC key is read from the environment, never from the file."""
    mode = values.get("evidence")
    if mode is not None and mode.lower() not in EVIDENCE_MODES:
        raise located_error(raw, "evidence", f"must be one of {', '.join(EVIDENCE_MODES)}")
    return evidence_policy(overrides.get("evidence") or mode, values.get("hmac_key_env"))


def _validate_tuning(data: Mapping[str, Any], settings: ScanSettings) -> None:
    """Reject malformed ``field_rules`` / ``allow`` / ``custom_categories`` before anything is scanned."""
    if not any(key in data for key in ("custom_categories", "field_rules", "allow")):
        return
    from piimap.classifiers.options import tuning_options

    try:
        tuning_options(settings)
    except ConfigError as error:
        key = next(key for key in ("custom_categories", "field_rules", "allow") if key in data)
        raise located_error(data, key, str(error)) from None


def _optional_path(data: Mapping[str, Any], key: str, base: Path) -> Path | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise located_error(data, key, "must be a file path")
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def _resolve_store(url: str | None, base: Path) -> str | None:
    """A relative ``sqlite:///history.sqlite`` store lives beside the config file."""
    if url is None or not url.startswith("sqlite:///"):
        return url
    return resolve_source_url(url, base)


def _optional_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise located_error(data, key, "must be a string")
    return value


def _load_reports(data: Mapping[str, Any], base: Path) -> tuple[ReportOutput, ...]:
    raw = data.get("reports") or []
    if isinstance(raw, dict):
        raw = [{"format": fmt, "path": out} for fmt, out in raw.items()]
    if not isinstance(raw, list):
        raise located_error(data, "reports", "must be a list of {format, path}")
    outputs = []
    for entry in raw:
        if not isinstance(entry, dict) or "format" not in entry:
            raise located_error(data, "reports", "each entry needs 'format' and 'path'")
        target = str(entry.get("path", "-"))
        if target != "-" and not Path(target).is_absolute():
            target = str(base / target)
        outputs.append(ReportOutput(format=str(entry["format"]), path=target))
    return tuple(outputs)
