"""Where a violation is fixed: the data-map or policy file and line, as the CI reports name it.

SARIF, GitHub annotations and JUnit all point a violation at the declaration to change: the
data map's system (PIIMAP001/002/005/006), its flow to the vendor (PIIMAP004), or the policy's
``collected:`` list (PIIMAP003). Paths are relative to the working folder when inside it (CI
systems resolve them against the checkout), else absolute.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from piimap.model import DataMapGraph, ScanResult, Violation

__all__ = [
    "declaration_lines",
    "declaration_site",
    "workspace_path",
    "working_folder",
    "source_roots",
    "display_container",
    "display_message",
]

_GLOB_CHARACTERS = frozenset("*?[")


def source_root(url: str) -> str | None:
    """The folder (or file) a file source reads, without a trailing slash (``logs/*.log`` ->
    ``logs``); ``None`` for a URL."""
    if "://" in url or not url:
        return None
    root = url.rstrip("/") or "/"
    while any(character in _GLOB_CHARACTERS for character in root) and "/" in root:
        root = root.rsplit("/", 1)[0]
    return None if any(character in _GLOB_CHARACTERS for character in root) else root


def source_roots(result: ScanResult) -> dict[str, str | None]:
    """Source name -> :func:`source_root` of its URL."""
    return {status.name: source_root(status.url) for status in result.sources}


def display_container(container: str, root: str | None) -> str:
    """A file container relative to its source's root (the file's own name when the source is that
    file), as reports show it; any other container as it is."""
    if root is None:
        return container
    if container == root:
        return container.rsplit("/", 1)[-1] or container
    if container.startswith(root + "/"):
        return container[len(root) + 1 :]
    return container


def display_message(violation: Violation, roots: dict[str, str | None]) -> str:
    """The violation's message with its file container shown as :func:`display_container` does."""
    container = violation.container
    root = roots.get(violation.source or "")
    if not container or root is None:
        return violation.message
    return violation.message.replace(container, display_container(container, root))


def declaration_lines(datamap: DataMapGraph) -> dict[tuple[str, ...], int]:
    """Data-map lines of systems (``(system,)``) and flows (``(system, vendor)``)."""
    lines: dict[tuple[str, ...], int] = {}
    for system in datamap.systems:
        if system.line:
            lines[(system.name,)] = system.line
    for flow in datamap.flows:
        if flow.line:
            lines.setdefault((flow.system, flow.vendor), flow.line)
    return lines


def declaration_site(
    violation: Violation, graph: DataMapGraph, lines: dict[tuple[str, ...], int]
) -> tuple[str, int] | None:
    """``(file, line)`` to fix ``violation`` at (line 1 when the entry is not in the file), or
    ``None`` when the file is not known."""
    if violation.rule == "PIIMAP003":
        path, line = graph.policy_file, graph.policy_collected_line or 1
    elif violation.rule == "PIIMAP004" and violation.vendor is not None:
        path, line = graph.datamap_file, lines.get((violation.source or "", violation.vendor), 1)
    else:
        path, line = graph.datamap_file, lines.get((violation.source or "",), 1)
    if not path:
        return None
    return path, max(int(line), 1)


def working_folder() -> str:
    """The current folder, or a folder that cannot exist when it was deleted (absolute paths only)."""
    try:
        return str(Path.cwd())
    except OSError:
        return "/nonexistent"


@lru_cache(maxsize=1024)
def _relative(path: str, folder: str) -> tuple[str, bool]:
    file_path = Path(folder, path).resolve()
    try:
        return file_path.relative_to(Path(folder).resolve()).as_posix(), True
    except (ValueError, OSError):
        return file_path.as_posix(), False


def workspace_path(path: str, folder: str | None = None) -> tuple[str, bool]:
    """``(path, inside)``: ``path`` relative to ``folder`` (default: the working folder) with ``/``
    separators when inside it, else absolute."""
    return _relative(path, folder if folder is not None else working_folder())
