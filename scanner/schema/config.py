"""The config file (``piimap.yaml``): sources, settings, classifiers, tuning, declarations, reports.

:func:`piimap.config.load_config` validates a file with :class:`ConfigFile`, then checks what
depends on installed plugins (:func:`plugin_problems`: each source's options against its
connector's ``options_model``, classifier ids and options, report formats) and builds the
frozen :class:`~piimap.config.Config`. The command-line options that mirror settings
(``--sample-size``, ``--min-confidence``, ``--workers``, ``--region``) are parsed by
:func:`setting_type`, so a value means the same, and is refused the same, in both places.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Mapping
from dataclasses import MISSING, fields
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, Strict, ValidationError, model_validator

from piimap.classifiers.options import TuningModel
from piimap.evidence import DEFAULT_HMAC_KEY_ENV, EvidenceMode
from piimap.schema.base import (
    CategoryList,
    ConfigModel,
    EnvVarName,
    Flag,
    NonNegativeInt,
    OneOrMany,
    PositiveInt,
    PositiveNumber,
    Problem,
    RegionList,
    UnitInterval,
    did_you_mean,
    dotted_key,
    plugin_option_problems,
    validation_problems,
)
from piimap.schema.flows import CatalogueVendorModel, FlowSourceModel
from piimap.settings import ScanSettings

__all__ = [
    "SettingsModel",
    "ClassifiersModel",
    "SourceModel",
    "ReportModel",
    "ScheduleModel",
    "ExecutorModel",
    "ConfigFile",
    "plugin_problems",
    "setting_type",
    "validate_settings",
]

_SCAN_SETTINGS_DEFAULTS = {
    item.name: item.default for item in fields(ScanSettings) if item.default is not MISSING
}


def _default(name: str) -> Any:
    """The default of a setting, declared once, on :class:`~piimap.settings.ScanSettings`."""
    return _SCAN_SETTINGS_DEFAULTS[name]


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _comma_list(value: Any) -> Any:
    """``"a,b"`` (the command line's spelling) as ``["a", "b"]``; lists as written."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


#: Text that must be a non-empty string as written (no number taken as text).
Name = Annotated[str, Strict(), Field(min_length=1)]
#: One name or a list of them.
NameList = Annotated[tuple[Name, ...], OneOrMany]


class SettingsModel(ConfigModel):
    """``settings:``: how sources are read and what is reported. Command-line options override them."""

    sample_size: NonNegativeInt = Field(
        default=_default("sample_size"),
        description="values (rows, documents, lines) looked at per container; 0 reads everything. --sample-size",
    )
    min_confidence: UnitInterval = Field(
        default=_default("min_confidence"),
        description="findings below this confidence (0-1) are not reported. --min-confidence",
    )
    max_examples: NonNegativeInt = Field(
        default=_default("max_examples"), description="masked examples kept per finding (0: none)"
    )
    max_value_length: PositiveInt = Field(
        default=_default("max_value_length"), description="longer values are truncated before classification"
    )
    statement_timeout_seconds: PositiveNumber = Field(
        default=_default("statement_timeout_seconds"),
        description="per-query timeout for SQL and MongoDB sources",
    )
    default_region: RegionList = Field(
        default=_default("default_region"),
        description="phone regions (ISO 3166 two-letter codes: US, US,GB or a list) for national-format "
        "numbers. --region",
    )
    spacy_model: Name = Field(
        default=_default("spacy_model"), description="the spaCy pipeline for person names. --spacy-model"
    )
    workers: PositiveInt = Field(
        default=_default("workers"), description="containers scanned at once. --workers"
    )
    max_connections_per_source: PositiveInt = Field(
        default=_default("max_connections_per_source"), description="pooled connections per SQL source"
    )
    exhaustive: Flag = Field(
        default=_default("exhaustive"),
        description="classify every sampled value (no early stop once a field is decided). --exhaustive",
    )
    only_categories: Annotated[CategoryList, BeforeValidator(_comma_list)] | None = Field(
        default=None,
        description="look only for these categories (a key includes the keys under it: "
        "user.contact.address); default every category. --only CAT,...",
    )
    except_categories: Annotated[CategoryList, BeforeValidator(_comma_list)] = Field(
        default=(),
        description="do not look for these categories (nor the keys under them). --except CAT,...",
    )
    evidence: Annotated[EvidenceMode, BeforeValidator(_lower)] = Field(
        default="masked",
        description="what a finding keeps of matched values: masked examples, a keyed HMAC-SHA256 of "
        "each, or nothing. --evidence",
    )
    hmac_key_env: EnvVarName = Field(
        default=DEFAULT_HMAC_KEY_ENV,
        description="the environment variable holding the HMAC key (16 characters or more) for evidence: hmac",
    )


class ClassifiersModel(ConfigModel):
    """``classifiers:``: which classifiers run, and per-classifier options keyed by classifier id
    (each classifier's ``options_model`` says which options it takes)."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, Mapping[str, Any]]

    enabled: (
        Annotated[
            tuple[Name, ...], BeforeValidator(lambda value: [value] if isinstance(value, str) else value)
        ]
        | None
    ) = Field(  # noqa: E501
        default=None, description="only these classifier ids (default: every installed classifier)"
    )
    disabled: Annotated[
        tuple[Name, ...], BeforeValidator(lambda value: [value] if isinstance(value, str) else value)
    ] = Field(  # noqa: E501
        default=(), description="never these classifier ids"
    )


class SourceModel(ConfigModel):
    """One source: a URL and the options of the connector that reads it (checked against the
    connector's ``options_model``: include/exclude, endpoint_url, objects_per_group, views...)."""

    model_config = ConfigDict(extra="allow")

    url: Name = Field(
        description="SQLAlchemy URL, mongodb://, s3://bucket/prefix/, or a file, folder or glob"
    )


def _named_sources(value: Any) -> Any:
    """``name: URL`` and ``- {name, url, ...}`` are both ``name: {url, ...}``."""
    if isinstance(value, list):
        sources: dict[str, Any] = {}
        for index, entry in enumerate(value):
            if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
                raise ValueError(f"entry {index + 1}: each list entry needs a 'name' and a 'url'")
            if entry["name"] in sources:
                raise ValueError(f"entry {index + 1}: duplicate source name {entry['name']!r}")
            sources[entry["name"]] = {key: item for key, item in entry.items() if key != "name"}
        value = sources
    if isinstance(value, Mapping):
        return {name: {"url": entry} if isinstance(entry, str) else entry for name, entry in value.items()}
    return value


class ReportModel(ConfigModel):
    """One report to write: a format and a path."""

    format: Name = Field(description="table, json, html, sarif, fides, or a plugin's format")
    path: Annotated[str, Strict()] = Field(
        default="-", description="a file (written atomically) or - for stdout"
    )


def _report_list(value: Any) -> Any:
    """``{html: out.html}`` is ``[{format: html, path: out.html}]``."""
    if isinstance(value, Mapping):
        return [{"format": fmt, "path": target} for fmt, target in value.items()]
    return value


ReportList = Annotated[tuple[ReportModel, ...], BeforeValidator(_report_list)]


class ScheduleModel(ConfigModel):
    """One entry of ``schedules:`` (run by ``piimap schedule``)."""

    name: Name = Field(description="the schedule's name (unique)")
    cron: Name = Field(description="five-field crontab expression (a leading seconds field is accepted)")
    sources: (
        Annotated[
            tuple[Name, ...], BeforeValidator(lambda value: [value] if isinstance(value, str) else value)
        ]
        | None
    ) = Field(  # noqa: E501
        default=None, description="source names to scan (default: every source)"
    )
    reports: ReportList | None = Field(default=None, description="reports to write (default: the config's)")


class ExecutorModel(ConfigModel):
    """``executor:`` where per-container work runs."""

    name: Literal["local", "dask"] | None = Field(default=None, description="local threads or a Dask cluster")
    scheduler: Name | None = Field(default=None, description="Dask scheduler address, e.g. tcp://HOST:8786")
    connect_timeout: PositiveNumber | None = Field(
        default=None, description="seconds to wait for the scheduler"
    )


def _executor_shorthand(value: Any) -> Any:
    return {"name": value} if isinstance(value, str) else value


class ConfigFile(TuningModel):
    """The whole ``piimap.yaml``. ``custom_categories``, ``field_rules`` and ``allow`` are declared by
    :class:`~piimap.classifiers.options.TuningModel`."""

    sources: Annotated[dict[str, SourceModel], BeforeValidator(_named_sources)] = Field(
        default_factory=dict,
        description="what to scan: name -> URL, or name -> {url, connector options}; each name is also "
        "the system's name in the data map",
    )
    flows: Annotated[dict[str, FlowSourceModel], BeforeValidator(_named_sources)] = Field(
        default_factory=dict,
        description="observed requests: name -> HAR export, egress proxy log or the site's access log "
        "(a path), or name -> {url, system, format, first_party, url_field, host_field, time_field}",
    )
    vendor_catalogue: dict[str, CatalogueVendorModel] = Field(
        default_factory=dict,
        description="vendors added to the bundled catalogue (or replacing one, by id): "
        "{name, role, hosts, typical, params, cookies, clicks}",
    )
    settings: SettingsModel = Field(default_factory=SettingsModel, description="scan settings")
    classifiers: ClassifiersModel = Field(
        default_factory=lambda: ClassifiersModel.model_validate({}),
        description="which classifiers run and their options",
    )
    datamap: Name | None = Field(default=None, description="the data map to check against (piimap check)")
    policy: Name | None = Field(default=None, description="the policy to check against (piimap check)")
    baseline: Name | None = Field(
        default=None, description="violations listed in this file do not fail check"
    )
    reports: ReportList = Field(default=(), description="reports check (and scheduled runs) write")
    store: Name | None = Field(default=None, description="the history store (an SQLAlchemy URL)")
    schedules: tuple[ScheduleModel, ...] = Field(default=(), description="scheduled runs for piimap schedule")
    executor: Annotated[ExecutorModel, BeforeValidator(_executor_shorthand)] | None = Field(
        default=None, description="local, dask, or {name, scheduler, connect_timeout}"
    )

    @model_validator(mode="after")
    def _something_to_read(self) -> ConfigFile:
        if not self.sources and not self.flows:
            raise ValueError("sources: is empty: name at least one source (or a flow source under flows:)")
        for name in self.flows:
            if name in self.sources:
                raise ValueError(f"flows: {name!r} is already the name of a source: give it another name")
        return self

    def source_options(self, name: str) -> dict[str, Any]:
        """The connector options of source ``name`` (everything but its ``url``)."""
        return dict(self.sources[name].model_extra or {})


# --------------------------------------------------------------------------- plugin-dependent checks


def plugin_problems(document: ConfigFile, resolved_urls: Mapping[str, str]) -> list[Problem]:
    """What the installed plugins refuse: source options, classifier ids and options, report formats,
    schedule sources. ``resolved_urls`` are the sources' URLs resolved against the config's folder."""
    from piimap.model import PiimapError
    from piimap.plugins import CLASSIFIER_GROUP, connector_factory_for, load_group
    from piimap.reports import available_formats

    problems: list[Problem] = []
    for name in document.sources:
        try:
            factory = connector_factory_for(resolved_urls[name])
        except PiimapError:
            continue  # no connector takes the URL: reported as that source's error when scanning
        problems.extend(plugin_option_problems(factory, document.source_options(name), ("sources", name)))
    classifiers = load_group(CLASSIFIER_GROUP)
    chosen = document.classifiers
    for key in ("enabled", "disabled"):
        for index, classifier_id in enumerate(getattr(chosen, key) or ()):
            if classifier_id not in classifiers:
                problems.append(
                    Problem(("classifiers", key, index), _unknown("classifier", classifier_id, classifiers))
                )
    for classifier_id, options in (chosen.model_extra or {}).items():
        if classifier_id not in classifiers:
            message = _unknown("classifier", classifier_id, classifiers, also=("enabled", "disabled"))
            problems.append(Problem(("classifiers", classifier_id), message))
            continue
        problems.extend(
            plugin_option_problems(classifiers[classifier_id], options, ("classifiers", classifier_id))
        )
    formats = available_formats()
    for index, report in enumerate(document.reports):
        if report.format not in formats:
            problems.append(
                Problem(("reports", index, "format"), _unknown("report format", report.format, formats))
            )
    for position, schedule in enumerate(document.schedules):
        for index, source in enumerate(schedule.sources or ()):
            if source not in document.sources:
                problems.append(
                    Problem(
                        ("schedules", position, "sources", index),
                        _unknown("source", source, document.sources),
                    )
                )
    return problems


def _unknown(
    kind: str, name: str, known: Iterable[str], also: Iterable[str] = (), label: str = "installed"
) -> str:
    choices = sorted(known)
    suggestion = did_you_mean(name, [*choices, *also])
    hint = f"did you mean '{suggestion}'? " if suggestion else ""
    return f"unknown {kind} {name!r} ({hint}{label}: {', '.join(choices) or 'none'})"


# --------------------------------------------------------------------------- the command line


def validate_settings(values: Mapping[str, Any]) -> SettingsModel:
    """``values`` (setting name -> value) checked by :class:`SettingsModel`; a mistake is a
    :class:`~piimap.model.ConfigError` saying ``name: message``."""
    from piimap.model import ConfigError

    try:
        return SettingsModel.model_validate(dict(values))
    except ValidationError as error:
        problem = validation_problems(error, SettingsModel)[0]
        raise ConfigError(f"{dotted_key(problem.loc)}: {problem.message}") from None


def _number_or_text(text: str) -> Any:
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            continue
    return text


def setting_type(name: str) -> Callable[[str], Any]:
    """An argparse ``type=`` for the command-line option that mirrors setting ``name``: the value is
    checked by the same :class:`SettingsModel` rule as ``settings: {name: ...}`` in the file."""
    if name not in SettingsModel.model_fields:
        raise KeyError(name)

    def parse(text: str) -> Any:
        try:
            model = SettingsModel.model_validate({name: _number_or_text(text.strip())})
        except ValidationError as error:
            raise argparse.ArgumentTypeError(validation_problems(error, SettingsModel)[0].message) from None
        return getattr(model, name)

    parse.__name__ = name  # argparse names the type in "invalid <name> value" messages
    return parse
