"""Entry-point plugin loading, one plugin at a time: a broken plugin is logged, never fatal."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import cache
from importlib.metadata import entry_points
from typing import Any

from piimap.model import SourceUnavailable
from piimap.redact import redact_url

__all__ = [
    "CONNECTOR_GROUP",
    "CLASSIFIER_GROUP",
    "REPORT_GROUP",
    "load_group",
    "connector_factory_for",
]

log = logging.getLogger(__name__)

CONNECTOR_GROUP = "piimap.connectors"
CLASSIFIER_GROUP = "piimap.classifiers"
REPORT_GROUP = "piimap.reports"


@cache
def load_group(group: str) -> Mapping[str, Any]:
    """Load every entry point of ``group``; name -> loaded object, broken ones skipped with a warning."""
    loaded: dict[str, Any] = {}
    for entry_point in sorted(entry_points(group=group), key=lambda ep: ep.name):
        if entry_point.name in loaded:
            continue
        try:
            loaded[entry_point.name] = entry_point.load()
        except Exception as error:  # a third-party plugin may fail in any way
            log.warning("plugin %s:%s could not be loaded: %s", group, entry_point.name, error)
    return loaded


def connector_factory_for(url: str) -> Any:
    """The connector factory that accepts ``url``; :class:`SourceUnavailable` when none does."""
    factories = load_group(CONNECTOR_GROUP)
    for factory in factories.values():
        try:
            if factory.accepts(url):
                return factory
        except Exception as error:
            log.warning("connector %s failed to inspect a URL: %s", getattr(factory, "name", factory), error)
    scheme = url.split("://", 1)[0] if "://" in url else None
    if scheme:
        raise SourceUnavailable(
            f"unknown URL scheme '{scheme}' in {redact_url(url)} "
            f"(installed connectors: {', '.join(sorted(factories)) or 'none'})"
        )
    raise SourceUnavailable(f"no such file or directory: {url}")
