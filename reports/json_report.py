"""The JSON report of CONTRACT.md: one object, stable keys, masked examples only."""

from __future__ import annotations

import json
from typing import IO, Any, ClassVar

from piimap import __version__
from piimap.model import ScanResult

__all__ = ["JsonReport", "result_to_dict"]


def result_to_dict(result: ScanResult) -> dict[str, Any]:
    """The report object (also used by the history store and other reports)."""
    data: dict[str, Any] = {
        "piimap_version": __version__,
        "started": result.started,
        "finished": result.finished,
        "sources": [status.to_dict() for status in result.sources],
        "findings": [finding.to_dict() for finding in result.findings],
        "errors": [
            {"source": error.source, "container": error.container, "message": error.message}
            for error in result.errors
        ],
    }
    data["containers"] = {
        "total": sum(status.containers for status in result.sources),
        # unchanged since the last stored run: not read again, their stored findings carried over
        "reused": sum(status.skipped for status in result.sources),
    }
    data["interrupted"] = result.interrupted  # Ctrl-C: the findings are partial
    if result.run_id is not None:
        data["run_id"] = result.run_id
    if result.violations is not None:
        data["violations"] = [violation.to_dict() for violation in result.violations]
    if result.datamap is not None:
        data["datamap"] = result.datamap.node_link()
    return data


class JsonReport:
    """``--format json``."""

    format: ClassVar[str] = "json"

    def write(self, result: ScanResult, stream: IO[str]) -> None:
        json.dump(result_to_dict(result), stream, indent=2, ensure_ascii=False)
        stream.write("\n")
