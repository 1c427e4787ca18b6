"""``piimap.yaml``: named sources, scan settings, declarations and report outputs.

Every key is declared, with its type, range and meaning, by :class:`piimap.schema.config.ConfigFile`
and documented in docs/configuration.md. Relative paths (file sources,
``sqlite:///relative.db``, the data map, the policy, report outputs) are resolved against the
config file's folder, so ``piimap check --config DIR/piimap.yaml`` works from anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from piimap.categories import CategoryVocabulary, category_vocabulary
from piimap.classifiers.options import TUNING_KEYS
from piimap.evidence import evidence_policy
from piimap.flowmodel import CatalogueVendor, FlowSourceSpec
from piimap.model import ConfigError, PiimapError, SourceSpec
from piimap.name_masking import mask_path
from piimap.plugins import connector_factory_for
from piimap.schema.base import CATEGORIES_CONTEXT, plugin_options_model, raise_problems, validate_document
from piimap.schema.config import ConfigFile, plugin_problems, validate_settings
from piimap.settings import ScanSettings
from piimap.vendors import catalogue_vendors
from piimap.yamlfile import LocatedDict, load_yaml, located_error

__all__ = [
    "CONFIG_FILE_NAMES",
    "Config",
    "ReportOutput",
    "find_config",
    "load_config",
    "source_name_for",
    "resolve_source_url",
]

#: The names :func:`find_config` looks for in each folder, in this order.
CONFIG_FILE_NAMES = ("piimap.yaml", ".piimap.yaml", "piimap.yml", ".piimap.yml")


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
    #: The category keys the data map and policy may use (``None``: the default vocabulary).
    categories: CategoryVocabulary | None = None
    #: ``flows:``: sources of observed requests (HAR, egress and access logs).
    flow_sources: tuple[FlowSourceSpec, ...] = ()
    #: ``vendor_catalogue:``: vendors added to the bundled catalogue.
    catalogue_vendors: tuple[CatalogueVendor, ...] = ()


def find_config(start: str | Path | None = None) -> Path | None:
    """The config a verb uses when ``--config`` is not given: ``piimap.yaml`` (or ``.piimap.yaml``,
    ``piimap.yml``, ``.piimap.yml``) in ``start`` (default: the current folder) or the nearest
    parent folder holding one, as sqlfluff and gitleaks look for theirs; ``None`` when no folder up
    to the file-system root has one. The path is as found (relative to ``start`` when it is)."""
    folder = Path.cwd() if start is None else Path(start)
    absolute = folder.resolve()
    for candidate in (absolute, *absolute.parents):
        for name in CONFIG_FILE_NAMES:
            path = candidate / name
            if path.is_file():
                return path
    return None


def source_name_for(url: str, taken: set[str] | None = None) -> str:
    """A short, stable name for a source given on the command line."""
    text = url.rstrip("/")
    if "://" in text:
        scheme, rest = text.split("://", 1)
        rest = rest.rsplit("@", 1)[-1]  # never a password in a name
        tail = rest.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or rest.split("/", 1)[0]
        base = f"{scheme.split('+', 1)[0]}:{Path(tail).stem or tail}"
    else:
        base = mask_path(Path(text).name or text)  # a file named after a person names no source
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
    """Load and validate a config file; ``overrides`` are settings given on the command line.

    The file is checked by :class:`piimap.schema.config.ConfigFile` and by the installed plugins
    (source and classifier options, report formats); every mistake is reported at once as
    ``file:line: key: message`` (:class:`~piimap.schema.base.ConfigProblems`).
    """
    path = Path(path)
    data = load_yaml(path)
    if data is None:
        data = LocatedDict()
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the config must be a mapping of keys (sources, settings, ...)")
    categories = category_vocabulary(_custom_category_keys(data))
    document = validate_document(ConfigFile, data, str(path), context={CATEGORIES_CONTEXT: categories})
    base = path.parent.resolve()
    urls = {name: resolve_source_url(source.url, base) for name, source in document.sources.items()}
    raise_problems(data, str(path), plugin_problems(document, urls))
    sources = tuple(
        SourceSpec(name=name, url=urls[name], options=_source_options(document, name, urls[name]))
        for name in document.sources
    )
    return Config(
        path=path,
        sources=sources,
        settings=_settings(document, data, overrides or {}),
        datamap_path=_optional_path(document.datamap, base),
        policy_path=_optional_path(document.policy, base),
        reports=tuple(
            ReportOutput(format=report.format, path=_report_path(report.path, base))
            for report in document.reports
        ),
        store=_resolve_store(document.store, base),
        baseline_path=_optional_path(document.baseline, base),
        schedules=tuple(data.get("schedules") or ()),
        raw=data,
        categories=categories,
        flow_sources=tuple(
            FlowSourceSpec(
                name=name,
                url=resolve_source_url(model.url, base),
                system=model.system or name,
                format=model.format,
                first_party=tuple(model.first_party),
                url_field=model.url_field,
                host_field=model.host_field,
                time_field=model.time_field,
            )
            for name, model in document.flows.items()
        ),
        catalogue_vendors=tuple(catalogue_vendors(document.vendor_catalogue).values()),
    )


def _custom_category_keys(data: Mapping[str, Any]) -> list[str]:
    """The keys ``custom_categories`` defines (read before validation: they are valid category keys
    in ``field_rules``, the data map and the policy)."""
    entries = data.get("custom_categories")
    if not isinstance(entries, list):
        return []
    return [
        entry["category"]
        for entry in entries
        if isinstance(entry, Mapping) and isinstance(entry.get("category"), str)
    ]


def _source_options(document: ConfigFile, name: str, url: str) -> dict[str, Any]:
    """The connector options as written, with glob lists always lists (``include: "*.log"`` is
    ``["*.log"]``), so connectors and ``--include`` can extend them."""
    options = document.source_options(name)
    try:
        factory = connector_factory_for(url)
    except PiimapError:
        return options
    model = plugin_options_model(factory)
    if model is None:
        return options
    validated = model.model_validate(options)
    for key in options:
        value = getattr(validated, key, None)
        if isinstance(value, tuple):
            options[key] = list(value)
    return options


def _settings(document: ConfigFile, data: Mapping[str, Any], overrides: Mapping[str, Any]) -> ScanSettings:
    """:class:`ScanSettings` from ``settings:``, ``classifiers:`` and the tuning keys, with the
    command line's ``overrides`` (checked by the same model) applied."""
    given = {key: value for key, value in overrides.items() if value is not None and key != "evidence"}
    validate_settings(given)
    written = document.settings.model_dump(exclude_unset=True)
    evidence_mode = written.pop("evidence", None)
    key_env = written.pop("hmac_key_env", None)
    chosen = document.classifiers
    options: dict[str, Any] = {key: value for key, value in (chosen.model_extra or {}).items()}
    for key in TUNING_KEYS:
        if data.get(key) is not None:
            options[key] = data[key]
    try:
        evidence = evidence_policy(overrides.get("evidence") or evidence_mode, key_env)
    except ConfigError as error:
        raw = data.get("settings")
        raise located_error(
            raw if isinstance(raw, dict) else data, "evidence" if raw else None, str(error)
        ) from None
    settings = ScanSettings(
        **written,
        enabled_classifiers=chosen.enabled,
        disabled_classifiers=chosen.disabled,
        classifier_options=options,
        evidence=evidence,
    )
    return settings.with_changes(**given)


def _optional_path(value: str | None, base: Path) -> Path | None:
    if value is None:
        return None
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def _report_path(target: str, base: Path) -> str:
    return target if target == "-" or Path(target).is_absolute() else str(base / target)


def _resolve_store(url: str | None, base: Path) -> str | None:
    """A relative ``sqlite:///history.sqlite`` store lives beside the config file."""
    if url is None or not url.startswith("sqlite:///"):
        return url
    return resolve_source_url(url, base)
