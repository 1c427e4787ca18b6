"""piimap: find personal information in data stores and check it against the declared data map.

The package installed as ``piimap`` is the repository's ``scanner/`` folder (orchestration, data
map, CLI); ``piimap.connectors``, ``piimap.classifiers`` and ``piimap.reports`` are the plugin
packages at the repository root.

The library API is importable from here (docs/library.md)::

    from piimap import RunOptions, load_config, run_configured

    outcome = run_configured(load_config("piimap.yaml"), RunOptions(no_store=True, quiet=True))

Names are loaded on first use, so ``import piimap.model`` (a connector, a Dask worker) does not
load the pipeline, the history store or the reports.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("piimap")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0"

if TYPE_CHECKING:
    from piimap.config import Config, load_config
    from piimap.datamap import build_datamap
    from piimap.exitcodes import ExitCode
    from piimap.model import (
        ConfigError,
        DataMapGraph,
        Finding,
        PiimapError,
        ScanResult,
        SourceError,
        SourceSpec,
        Violation,
    )
    from piimap.pipeline import (
        RunOptions,
        RunOutcome,
        ScanRun,
        check_declarations,
        config_for_sources,
        exit_code_for,
        record_run,
        run_configured,
        run_scan,
        store_url,
    )
    from piimap.reports import render_report, write_report
    from piimap.settings import ScanSettings

#: Public name -> the module that defines it.
_EXPORTS = {
    "Config": "piimap.config",
    "load_config": "piimap.config",
    "build_datamap": "piimap.datamap",
    "ExitCode": "piimap.exitcodes",
    "ConfigError": "piimap.model",
    "DataMapGraph": "piimap.model",
    "Finding": "piimap.model",
    "PiimapError": "piimap.model",
    "ScanResult": "piimap.model",
    "SourceError": "piimap.model",
    "SourceSpec": "piimap.model",
    "Violation": "piimap.model",
    "RunOptions": "piimap.pipeline",
    "RunOutcome": "piimap.pipeline",
    "ScanRun": "piimap.pipeline",
    "check_declarations": "piimap.pipeline",
    "config_for_sources": "piimap.pipeline",
    "exit_code_for": "piimap.pipeline",
    "record_run": "piimap.pipeline",
    "run_configured": "piimap.pipeline",
    "run_scan": "piimap.pipeline",
    "store_url": "piimap.pipeline",
    "render_report": "piimap.reports",
    "write_report": "piimap.reports",
    "ScanSettings": "piimap.settings",
}

__all__ = [
    "__version__",
    "build_datamap",
    "check_declarations",
    "Config",
    "config_for_sources",
    "ConfigError",
    "DataMapGraph",
    "exit_code_for",
    "ExitCode",
    "Finding",
    "load_config",
    "PiimapError",
    "record_run",
    "render_report",
    "run_configured",
    "run_scan",
    "RunOptions",
    "RunOutcome",
    "ScanResult",
    "ScanRun",
    "ScanSettings",
    "SourceError",
    "SourceSpec",
    "store_url",
    "Violation",
    "write_report",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'piimap' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
