"""Starter files for ``piimap init``: a ``piimap.yaml`` naming the sources, and a ``datamap.yaml``
declaring what a scan found, so the first ``piimap check`` passes and every later change to the
data is a reviewed change to the data map (as Fides' ``generate dataset`` does for datasets).

The data map declares each field where personal data was found (``fields:``), not whole
containers: a new column of personal data in a known table fails the next check. Unstructured
text (a log line) has no field, so its categories are declared for the container. Owners and
descriptions are left as ``TODO`` for a person to fill in, and vendors and flows are left for
them to add: a scan does not see who receives the data. What the data map cannot declare away
(personal data the privacy policy does not disclose) is written as a suppression whose reason
is a ``TODO``: the first check passes, and the gap is in the reviewed file, not hidden.

Nothing here writes a file or prints; :mod:`piimap.commands.init` does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from piimap.config import source_name_for
from piimap.model import Finding, ScanResult, SourceSpec, Violation

__all__ = [
    "TODO",
    "StarterSource",
    "starter_sources",
    "config_url",
    "container_pattern",
    "render_config",
    "render_datamap",
    "datamap_summary",
]

#: What a generated value a person must fill in starts with.
TODO = "TODO"

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_PLAIN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-/:+@]*(?<!:)$")
_NUMBER = re.compile(r"^[-+]?(\.?[0-9][0-9_.:eE+-]*|0x[0-9a-fA-F_]+|0o[0-7_]+|\.inf|\.nan)$", re.IGNORECASE)
_YAML_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"})
_GLOB_CHARACTERS = frozenset("*?[")


@dataclass(frozen=True)
class StarterSource:
    """A source to scan and write into the config: ``spec`` is what is scanned (the real URL),
    ``written`` what the config says (relative to its folder, the password as ``${VARIABLE}``),
    ``password_variable`` the environment variable that must then hold the password."""

    spec: SourceSpec
    written: str
    password_variable: str | None = None


def starter_sources(arguments: Sequence[str], folder: Path) -> tuple[StarterSource, ...]:
    """Sources from ``init``'s arguments: ``URL`` or ``NAME=URL`` (``app_db=sqlite:///app.db``).

    Names default to the database, bucket, folder or file name (``sqlite:///app.db`` is ``app``),
    made unique. An argument naming a file that exists is a path, even if it holds ``=``.
    """
    taken: set[str] = set()
    sources = []
    for argument in arguments:
        name, url = _split_name(argument)
        name = _unique(name or _default_name(url), taken)
        absolute = _absolute_url(url)
        written, variable = config_url(absolute, folder, name)
        sources.append(StarterSource(SourceSpec(name, absolute), written, variable))
    return tuple(sources)


def _split_name(argument: str) -> tuple[str | None, str]:
    head, separator, tail = argument.partition("=")
    if separator and _NAME.match(head) and tail and not Path(argument).exists():
        return head, tail
    return None, argument


def _default_name(url: str) -> str:
    """``sqlite:///app.db`` -> ``app``, ``postgresql://h/crm`` -> ``crm``, ``logs/`` -> ``logs``,
    ``exports/*.csv`` -> ``exports``, ``users.csv`` -> ``users``: a plain identifier."""
    if "://" not in url:
        path = Path(url.rstrip("/") or "/")
        while any(character in _GLOB_CHARACTERS for character in path.name) and path.name:
            path = path.parent  # a glob is named after its folder
        url = str(path)
    name = source_name_for(url)
    name = name.split(":", 1)[1] if ":" in name and "://" in url else Path(name).stem
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_-")
    if not name:
        return "source"
    return name if _NAME.match(name) else f"source_{name}"


def _unique(name: str, taken: set[str]) -> str:
    candidate, counter = name, 2
    while candidate in taken:
        candidate, counter = f"{name}_{counter}", counter + 1
    taken.add(candidate)
    return candidate


def _absolute_url(url: str) -> str:
    """A file path or ``sqlite:///relative.db`` made absolute (against the current folder)."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        relative = url[len("sqlite:///") :]
        if relative and not relative.startswith((":memory:", "file:")):
            return f"sqlite:///{Path(relative).expanduser().resolve()}"
        return url
    if "://" in url:
        return url
    trailing = "/" if url.endswith("/") else ""
    return str(Path(url).expanduser().absolute()) + trailing


def config_url(url: str, folder: Path, name: str) -> tuple[str, str | None]:
    """``url`` as the config in ``folder`` should say it: a path inside ``folder`` relative to it
    (the config resolves it against its own folder), and a password replaced by
    ``${PIIMAP_<NAME>_PASSWORD}`` (returned too), so no credential is ever written to a file."""
    folder = folder.resolve()
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        if path.is_absolute():
            return f"sqlite:///{_relative_if_inside(path, folder)}", None
        return url, None
    if "://" not in url:
        trailing = "/" if url.endswith("/") else ""
        return _relative_if_inside(Path(url), folder) + trailing, None
    parts = urlsplit(url)
    if parts.password is None:
        return url, None
    variable = "PIIMAP_" + re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_") + "_PASSWORD"
    user = quote(parts.username or "", safe="")
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{user}:${{{variable}}}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment)), variable


def _relative_if_inside(path: Path, folder: Path) -> str:
    try:
        relative = path.resolve().relative_to(folder)
    except ValueError:
        return str(path)
    return str(relative) if str(relative) != "." else "."


def _file_root(url: str) -> str | None:
    """The folder (or file) a file source reads, without a trailing slash; ``None`` for URLs."""
    if "://" in url or not url:
        return None
    root = url.rstrip("/") or "/"
    while any(character in _GLOB_CHARACTERS for character in root) and "/" in root:
        root = root.rsplit("/", 1)[0]
    return root


def container_pattern(container: str, source_url: str) -> str:
    """The data-map glob for a container: its name with ``[`` escaped; for a file source, the
    path from the source's folder on, under ``*/`` (``*/logs/access.log``), so the data map works
    in any checkout (``*`` matches any leading folders)."""
    root = _file_root(source_url)
    name = container
    if root is not None and (container == root or container.startswith(root.rstrip("/") + "/")):
        parent = root.rsplit("/", 1)[0]
        name = "*/" + container[len(parent) + 1 :] if parent else container
    return _escape_glob(name)


def _escape_glob(text: str, *, wildcards: bool = False) -> str:
    """``text`` as a glob that matches itself: ``[`` becomes ``[[]``, and with ``wildcards`` ``*``
    and ``?`` become ``[*]`` and ``[?]`` (field names: a field ``a*`` must not declare ``ab``).
    Container names keep their ``*``: a file group is named by it (``clicks-*.jsonl``)."""
    escaped = text.replace("[", "[[]")
    if wildcards:
        escaped = re.sub(r"([*?])", r"[\1]", escaped)
    return escaped


def _scalar(text: str) -> str:
    """A YAML scalar for ``text``: plain when that is unambiguous, else double-quoted (JSON)."""
    if _PLAIN.match(text) and text.lower() not in _YAML_WORDS and not _NUMBER.match(text):
        return text
    quoted = json.dumps(text, ensure_ascii=False)
    if quoted.isprintable():
        return quoted
    return "".join(  # YAML streams may not hold C1 controls, lone surrogates, U+2028...: escape them
        character if character.isprintable() else _escape_character(character) for character in quoted
    )


def _escape_character(character: str) -> str:
    code = ord(character)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _setting(value: object) -> str:
    """A setting's value as YAML: numbers and booleans plain (the schema is strict), text as a scalar."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return _scalar(str(value))


def _flow_list(items: Iterable[str]) -> str:
    return "[" + ", ".join(_scalar(item) for item in items) + "]"


def render_config(
    sources: Sequence[StarterSource],
    *,
    datamap: str | None,
    policy: str | None,
    settings: Mapping[str, object],
) -> str:
    """``piimap.yaml``: the sources, the settings given on the command line, and the declarations."""
    lines = [
        "# piimap config written by `piimap init`. Every key: docs/configuration.md",
        "# Run `piimap check` in this folder (or below it): it scans these sources and checks what it",
        "# finds against the data map and the policy; exit 1 on personal data they do not declare.",
        "sources:",
    ]
    for source in sources:
        lines.append(f"  {source.spec.name}:")
        lines.append(f"    url: {_scalar(source.written)}")
        if source.password_variable:
            lines[-1] += f"   # set {source.password_variable} in the environment"
    if settings:
        lines.append("settings:")
        lines.extend(f"  {key}: {_setting(value)}" for key, value in settings.items())
    if datamap:
        lines.append(f"datamap: {_scalar(datamap)}")
    if policy:
        lines.append(f"policy: {_scalar(policy)}")
    lines += [
        "# reports:                       # written by every check, e.g. for CI artifacts",
        "#   - {format: html, path: piimap-report.html}",
        "#   - {format: json, path: piimap-report.json}",
    ]
    return "\n".join(lines) + "\n"


def render_datamap(
    result: ScanResult,
    sources: Sequence[SourceSpec],
    *,
    scanned: str,
    policy_gaps: Sequence[Violation] = (),
) -> str:
    """``datamap.yaml`` declaring what ``result`` found: every source as a system, each container
    with personal data, per field the categories found (container-wide for unstructured text).

    ``policy_gaps`` are violations no declaration removes (the policy does not disclose what was
    found): each becomes a ``suppressions:`` entry matching exactly it, with a ``TODO`` reason.
    """
    by_system: dict[str, dict[str, list[Finding]]] = {spec.name: {} for spec in sources}
    for finding in result.findings:
        by_system.setdefault(finding.source, {}).setdefault(finding.container, []).append(finding)
    urls = {spec.name: spec.url for spec in sources}
    lines = [
        f"# Data map written by `piimap init` from a scan on {scanned}: it declares what was found, so",
        "# `piimap check` passes today and fails on personal data that appears later. Review it:",
        f"# replace each {TODO} (owners, descriptions), add the vendors that receive data and the flows",
        "# to them (a scan cannot see those), and commit it. Every key: docs/configuration.md",
        "# organisation: Your Company",
        "systems:",
    ]
    for system, containers in by_system.items():
        lines += [
            f"  {_scalar(system)}:",
            f"    description: {_scalar(f'{TODO}: what this system is and why it holds personal data')}",
            f"    owner: {_scalar(f'{TODO}: team or person')}",
        ]
        if not containers:
            lines.append("    categories: []   # no personal data found when this file was written")
            continue
        lines.append("    containers:")
        for container, findings in sorted(containers.items()):
            lines.append(f"      {_scalar(container_pattern(container, urls.get(system, '')))}:")
            whole = sorted({finding.category for finding in findings if finding.field is None})
            if whole:
                lines.append(f"        categories: {_flow_list(whole)}   # in the text itself")
            fields: dict[str, list[str]] = {}
            for finding in findings:
                if finding.field is not None:
                    fields.setdefault(finding.field, []).append(finding.category)
            if fields:
                lines.append("        fields:")
                for field, categories in sorted(fields.items()):
                    lines.append(
                        f"          {_scalar(_escape_glob(field, wildcards=True))}: "
                        f"{_flow_list(sorted(set(categories)))}"
                    )
    lines += [
        "",
        "# Who receives data from these systems. Each flow's categories are checked against what the",
        "# policy says is shared with that role (PIIMAP004).",
        "vendors: {}",
        "#  mail_provider:",
        "#    name: TODO vendor name",
        "#    role: service_provider      # or analytics, advertising, legal, ... (see the policy's shared:)",
        f"#    purpose: {TODO}: why it receives data",
        "flows: []",
        "#  - from: <system>",
        "#    to: mail_provider",
        "#    categories: [user.contact.email]",
        f"#    purpose: {TODO}",
    ]
    if policy_gaps:
        urls_by_source = {spec.name: spec.url for spec in sources}
        lines += [
            "",
            "# What the privacy policy does not disclose: a data map cannot declare it away. Each is",
            "# accepted here so the first check passes: fix the policy (then delete the entry), or",
            f"# replace the {TODO} with why it is accepted.",
            "suppressions:",
        ]
        for gap in policy_gaps:
            lines += _suppression_lines(gap, urls_by_source.get(gap.source or "", ""))
    return "\n".join(lines) + "\n"


def _suppression_lines(violation: Violation, source_url: str) -> list[str]:
    """A ``suppressions:`` entry matching ``violation`` alone (its rule, system, container, field,
    category and vendor, each escaped as a glob that matches only itself)."""
    matchers = [("rule", violation.rule), ("source", violation.source and _escape_glob(violation.source))]
    if violation.container is not None:
        matchers.append(("container", container_pattern(violation.container, source_url)))
    if violation.field is not None:
        matchers.append(("field", _escape_glob(violation.field, wildcards=True)))
    matchers += [
        ("category", violation.category),
        ("vendor", violation.vendor and _escape_glob(violation.vendor)),
    ]
    present = [(key, value) for key, value in matchers if value is not None]
    lines = [f"  - {present[0][0]}: {_scalar(present[0][1])}"]
    lines += [f"    {key}: {_scalar(value)}" for key, value in present[1:]]
    lines.append(f"    reason: {_scalar(f'{TODO}: {violation.message}')}")
    return lines


def datamap_summary(result: ScanResult) -> tuple[int, int, int]:
    """``(systems with personal data, containers, categories)`` of what ``result`` found."""
    systems = {finding.source for finding in result.findings}
    containers = {(finding.source, finding.container) for finding in result.findings}
    categories = {finding.category for finding in result.findings}
    return len(systems), len(containers), len(categories)
