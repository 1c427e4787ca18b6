"""Reports of ``piimap locate``: a terminal table, JSON (documented in docs/commands.md) and printable HTML.

They see only a :class:`~piimap.locate_model.LocateResult`, which holds no identifier in clear:
the subject is its HMACs, rows are named by keys that are plain ids or HMACs, examples are
masked (or HMACs, or absent). Names of tables, columns and files still come from scanned
systems, so the table escapes control characters and rich markup, and the HTML page escapes
every string and allows nothing but its own inlined style (no script at all).
"""

from __future__ import annotations

import html
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import IO, Any

from piimap.locate_model import LocateResult, Match
from piimap.model import ConfigError
from piimap.redact import printable
from piimap.terminal import markup_safe, table_width
from piimap.wording import counted

__all__ = ["LOCATE_FORMATS", "ContainerSummary", "summarise", "locate_to_dict", "render_locate"]

LOCATE_FORMATS = ("table", "json", "html")
#: Row keys listed per container in the table and HTML reports (all of them are in the JSON).
ROW_KEYS_SHOWN = 10


@dataclass(frozen=True)
class ContainerSummary:
    """What was found in one container: fields, categories, rows (direct and related)."""

    source: str
    container: str
    fields: tuple[str, ...]
    categories: tuple[str, ...]
    rows: int
    related_rows: int
    row_keys: tuple[str, ...]
    related_via: tuple[str, ...]
    name_only: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "container": self.container,
            "fields": list(self.fields),
            "categories": list(self.categories),
            "rows": self.rows,
            "related_rows": self.related_rows,
            "row_keys": list(self.row_keys),
            "related_via": list(self.related_via),
            "name_only": self.name_only,
        }


def summarise(matches: tuple[Match, ...]) -> list[ContainerSummary]:
    """One summary per (source, container), in report order."""
    grouped: dict[tuple[str, str], list[Match]] = defaultdict(list)
    for match in matches:
        grouped[(match.source, match.container)].append(match)
    summaries = []
    for (source, container), items in sorted(grouped.items()):
        direct = [m for m in items if m.related_via is None]
        related = [m for m in items if m.related_via is not None]
        direct_keys = list(dict.fromkeys(m.row_key for m in direct))
        related_keys = [key for key in dict.fromkeys(m.row_key for m in related) if key not in direct_keys]
        summaries.append(
            ContainerSummary(
                source=source,
                container=container,
                fields=tuple(dict.fromkeys(m.field or "(text)" for m in direct)),
                categories=tuple(sorted({m.category for m in direct if m.category})),
                rows=len(direct_keys),
                related_rows=len(related_keys),
                row_keys=tuple(direct_keys + related_keys),
                related_via=tuple(dict.fromkeys(m.related_via for m in related if m.related_via)),
                name_only=bool(direct) and all(m.name_only for m in direct),
            )
        )
    return summaries


def _subject(result: LocateResult) -> dict[str, Any]:
    """``{kind: hmac}``, or ``{kind: [hmac, ...]}`` when several identifiers of one kind were given."""
    by_kind: dict[str, list[str]] = defaultdict(list)
    for kind, digest in result.subject:
        by_kind[kind].append(digest)
    return {kind: digests[0] if len(digests) == 1 else digests for kind, digests in by_kind.items()}


def locate_to_dict(result: LocateResult) -> dict[str, Any]:
    """The JSON report's object (schema in docs/commands.md, "piimap locate")."""
    return {
        "piimap_version": result.piimap_version,
        "started": result.started,
        "finished": result.finished,
        "plan_only": result.plan_only,
        "subject": _subject(result),
        "found": result.found,
        "matches": [match.to_dict() for match in result.matches],
        "containers": [summary.to_dict() for summary in summarise(result.matches)],
        "recipients": [recipient.to_dict() for recipient in result.recipients],
        "lookups": [lookup.to_dict() for lookup in result.lookups],
        "namesakes_excluded": result.namesakes_excluded,
        "planned_from": dict(result.planned_from),
        "errors": [
            {"source": error.source, "container": error.container, "message": error.message}
            for error in result.errors
        ],
    }


def render_locate(format_name: str, result: LocateResult, *, terminal: bool = False) -> str:
    """The report as text in ``format_name`` (``table``, ``json`` or ``html``)."""
    if format_name == "json":
        return json.dumps(locate_to_dict(result), indent=2, ensure_ascii=False) + "\n"
    if format_name == "html":
        return _html(result)
    if format_name == "table":
        buffer = io.StringIO()
        _table(result, buffer, terminal=terminal)
        return buffer.getvalue()
    raise ConfigError(
        f"unknown locate report format '{format_name}' (available: {', '.join(LOCATE_FORMATS)})"
    )


# ---------------------------------------------------------------------- table


def _cell(text: str) -> str:
    return markup_safe(text)


def _table(result: LocateResult, stream: IO[str], *, terminal: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=stream, width=table_width(stream), soft_wrap=False, force_terminal=terminal)
    subject = ", ".join(f"{kind} {digest[:24]}…" for kind, digest in result.subject)
    console.print(f"Subject: {_cell(subject)}")
    summaries = summarise(result.matches)
    if summaries:
        table = Table(title="Where the subject's data is", show_lines=False)
        for column in ("source", "container", "fields", "categories", "rows", "related", "row keys"):
            table.add_column(
                column, overflow="fold", justify="right" if column in ("rows", "related") else "left"
            )
        for summary in summaries:
            keys = list(summary.row_keys[:ROW_KEYS_SHOWN])
            if len(summary.row_keys) > ROW_KEYS_SHOWN:
                keys.append(f"... {len(summary.row_keys) - ROW_KEYS_SHOWN} more")
            fields = ", ".join(summary.fields) + (" (name only)" if summary.name_only else "")
            via = "\n".join(f"via {item}" for item in summary.related_via)
            table.add_row(
                _cell(summary.source),
                _cell(summary.container),
                _cell("\n".join(part for part in (fields, via) if part)),
                _cell(", ".join(summary.categories)),
                str(summary.rows),
                str(summary.related_rows),
                _cell(", ".join(keys)),
            )
        console.print(table)
    elif not result.plan_only:
        console.print("The subject was not found in any planned lookup.")
    if result.recipients:
        table = Table(title="Recipients in the data map (forward the request to them)")
        for column in ("vendor", "role", "categories", "from"):
            table.add_column(column, overflow="fold")
        for recipient in result.recipients:
            table.add_row(
                _cell(recipient.name),
                _cell(recipient.role),
                _cell(", ".join(recipient.categories) or "(rows without a personal field)"),
                _cell(", ".join(recipient.containers)),
            )
        console.print(table)
    shown = [lookup for lookup in result.lookups if result.plan_only or lookup.status not in ("ran",)]
    if shown:
        table = Table(title="Lookups" if result.plan_only else "Lookups that were not complete")
        for column in ("source", "container", "field", "identifier", "method", "status", "note"):
            table.add_column(column, overflow="fold")
        for lookup in shown:
            table.add_row(
                _cell(lookup.source),
                _cell(lookup.container),
                _cell(lookup.field or "(text)"),
                lookup.identifier or "(key)",
                lookup.method,
                lookup.status,
                _cell(lookup.message),
            )
        console.print(table)
    for error in result.errors:
        console.print(f"error: {_cell(error.one_line())}")
    if result.namesakes_excluded:
        console.print(
            f"{counted(result.namesakes_excluded, 'row')} with the same name but other identifiers "
            f"{'was' if result.namesakes_excluded == 1 else 'were'} left out."
        )


# ---------------------------------------------------------------------- HTML

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem;color:#1b1f24}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:1.6rem 0 .5rem}
table{border-collapse:collapse;width:100%;margin:.25rem 0 1rem}
th,td{border:1px solid #c9d1d9;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f3f6}td.n{text-align:right}code{font-size:12px;word-break:break-all}
.muted{color:#57606a}.warn{color:#9a6700}.err{color:#cf222e}
@media print{body{margin:0}h2{break-after:avoid}tr{break-inside:avoid}}
"""


def _e(text: object) -> str:
    """Escaped for HTML, control characters shown as ``\\xNN`` (names come from scanned systems)."""
    return html.escape(printable(str(text)), quote=True)


def _html(result: LocateResult) -> str:
    import base64
    import hashlib

    style_hash = base64.b64encode(hashlib.sha256(_CSS.encode("utf-8")).digest()).decode("ascii")
    policy = f"default-src 'none'; style-src 'sha256-{style_hash}'; base-uri 'none'; form-action 'none'"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(policy, quote=False)}">',
        '<meta name="referrer" content="no-referrer">',
        "<title>piimap: data subject request</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Data subject request: where the data is</h1>",
        f'<p class="muted">piimap {_e(result.piimap_version)}, {_e(result.started)} to {_e(result.finished)}'
        + (" (plan only: nothing was looked up)" if result.plan_only else "")
        + "</p>",
        "<h2>Subject</h2><p>Identifiers are shown as keyed hashes (<code>piimap hash VALUE</code> gives the same).</p>",
        "<table><tr><th>identifier</th><th>HMAC-SHA256</th></tr>",
    ]
    parts += [
        f"<tr><td>{_e(kind)}</td><td><code>{_e(digest)}</code></td></tr>" for kind, digest in result.subject
    ]
    parts.append("</table>")
    summaries = summarise(result.matches)
    parts.append("<h2>Where the subject's data is</h2>")
    if summaries:
        parts.append(
            "<table><tr><th>system</th><th>container</th><th>fields</th><th>categories</th>"
            "<th>rows</th><th>related rows</th><th>row keys</th></tr>"
        )
        for summary in summaries:
            keys = "<br>".join(f"<code>{_e(key)}</code>" for key in summary.row_keys[:ROW_KEYS_SHOWN])
            if len(summary.row_keys) > ROW_KEYS_SHOWN:
                keys += f"<br>… {len(summary.row_keys) - ROW_KEYS_SHOWN} more (JSON report)"
            via = "<br>".join(f'<span class="muted">via {_e(item)}</span>' for item in summary.related_via)
            if via and summary.fields:
                via = "<br>" + via
            note = ' <span class="warn">(name only)</span>' if summary.name_only else ""
            parts.append(
                f"<tr><td>{_e(summary.source)}</td><td>{_e(summary.container)}</td>"
                f"<td>{_e(', '.join(summary.fields))}{note}{via}</td><td>{_e(', '.join(summary.categories))}</td>"
                f'<td class="n">{summary.rows}</td><td class="n">{summary.related_rows}</td><td>{keys}</td></tr>'
            )
        parts.append("</table>")
    else:
        parts.append("<p>Nothing was found.</p>")
    parts.append("<h2>Recipients (from the declared data map)</h2>")
    if result.recipients:
        parts.append(
            "<table><tr><th>vendor</th><th>role</th><th>purpose</th><th>categories</th><th>from</th></tr>"
        )
        for recipient in result.recipients:
            parts.append(
                f"<tr><td>{_e(recipient.name)}</td><td>{_e(recipient.role)}</td><td>{_e(recipient.purpose)}</td>"
                f"<td>{_e(', '.join(recipient.categories) or '(rows without a personal field)')}</td>"
                f"<td>{_e(', '.join(recipient.containers))}</td></tr>"
            )
        parts.append("</table>")
    else:
        parts.append("<p>No flow of the data map carries the matched data (or no data map was given).</p>")
    parts.append(
        "<h2>Lookups</h2><table><tr><th>system</th><th>container</th><th>field</th>"
        "<th>identifier</th><th>method</th><th>status</th><th>matches</th><th>note</th></tr>"
    )
    for lookup in result.lookups:
        css = (
            ' class="warn"'
            if lookup.status in ("partial", "skipped")
            else (' class="err"' if lookup.status == "error" else "")
        )
        parts.append(
            f"<tr{css}><td>{_e(lookup.source)}</td><td>{_e(lookup.container)}</td><td>{_e(lookup.field or '(text)')}</td>"
            f"<td>{_e(lookup.identifier or '(key)')}</td><td>{_e(lookup.method)}</td><td>{_e(lookup.status)}</td>"
            f'<td class="n">{lookup.matches}</td><td>{_e(lookup.message)}</td></tr>'
        )
    parts.append("</table>")
    if result.namesakes_excluded:
        parts.append(
            f"<p>{counted(result.namesakes_excluded, 'row')} with the same name but other identifiers "
            f"{'was' if result.namesakes_excluded == 1 else 'were'} left out.</p>"
        )
    if result.errors:
        parts.append("<h2>Errors</h2><ul>")
        parts += [f'<li class="err">{_e(error.one_line())}</li>' for error in result.errors]
        parts.append("</ul>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
