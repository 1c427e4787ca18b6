"""A Fides dataset manifest (``--format fides``): what was found, as Fides data categories.

One dataset per scanned source (``fides_key`` from the source name), one collection per
container, one field per scanned field with the categories found in it. Dotted document paths
(``address.email``, ``items[].phone``) become nested ``fields``; unstructured text (log lines,
free-text files) is a field named ``(text)``. Ready for ``fides push`` or to diff against an
existing manifest.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import IO, Any, ClassVar

import yaml

from piimap.model import Finding, ScanResult

__all__ = ["FidesReport", "result_to_fides", "fides_key"]

TEXT_FIELD = "(text)"
_NOT_KEY = re.compile(r"[^A-Za-z0-9_.<>-]+")


def fides_key(name: str) -> str:
    """A Fides key from a source name (letters, digits, ``_ . < > -``)."""
    key = _NOT_KEY.sub("_", name).strip("_")
    return key or "source"


class FidesReport:
    """``--format fides``."""

    format: ClassVar[str] = "fides"

    def write(self, result: ScanResult, stream: IO[str]) -> None:
        stream.write("# Fides dataset manifest written by piimap: data categories found by scanning.\n")
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when available: much faster
        yaml.dump(
            result_to_fides(result), stream, Dumper=dumper, sort_keys=False, allow_unicode=True, width=120
        )


def result_to_fides(result: ScanResult) -> dict[str, Any]:
    """``{"dataset": [...]}`` for every source of ``result`` (sources without findings included)."""
    by_source: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for finding in result.findings:
        by_source[finding.source][finding.container].append(finding)
    names = [status.name for status in result.sources]
    names.extend(name for name in by_source if name not in names)
    taken: set[str] = set()
    datasets = []
    for name in names:
        key, counter = fides_key(name), 2
        while key in taken:
            key, counter = f"{fides_key(name)}_{counter}", counter + 1
        taken.add(key)
        status = next((status for status in result.sources if status.name == name), None)
        dataset: dict[str, Any] = {
            "fides_key": key,
            "name": name,
            "description": f"Scanned by piimap ({status.url if status else name})",
            "collections": [
                {"name": container, "fields": _fields(findings)}
                for container, findings in sorted(by_source.get(name, {}).items())
            ],
        }
        datasets.append(dataset)
    return {"dataset": datasets}


def _fields(findings: list[Finding]) -> list[dict[str, Any]]:
    """Nested Fides fields from flat field names (``a.b[]`` -> ``a`` { ``b`` })."""
    root: dict[str, Any] = {}
    for finding in findings:
        segments = finding.field.split(".") if finding.field else [TEXT_FIELD]
        node = root
        for index, segment in enumerate(segments):
            entry = node.setdefault(
                segment.removesuffix("[]"), {"categories": [], "children": {}, "array": False}
            )
            entry["array"] = entry["array"] or segment.endswith("[]")
            if index == len(segments) - 1:
                if finding.category not in entry["categories"]:
                    entry["categories"].append(finding.category)
            node = entry["children"]
    return _render(root)


def _render(nodes: dict[str, Any]) -> list[dict[str, Any]]:
    fields = []
    for name, entry in sorted(nodes.items()):
        field: dict[str, Any] = {"name": name}
        if entry["categories"]:
            field["data_categories"] = sorted(entry["categories"])
        if entry["children"]:
            field["fides_meta"] = {"data_type": "object[]" if entry["array"] else "object"}
            field["fields"] = _render(entry["children"])
        fields.append(field)
    return fields
