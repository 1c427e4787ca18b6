"""The HTML data map's tables, rendered on the server: the system x category matrix, the
recipients, and the violations grouped by rule.

They are plain HTML so the page prints and reads without its script; the script only adds
selection and filtering. Every string from the scan or the declarations goes through
:func:`html.escape`; element ids are built from row and column numbers, never from names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from piimap.model import (
    DataMapGraph,
    Finding,
    SystemNode,
    VendorNode,
    Violation,
    category_id,
    container_id,
    system_id,
    vendor_id,
)
from piimap.reports.flowmap import FlowDiagram
from piimap.reports.htmltext import escape
from piimap.rules import Rule

__all__ = ["Matrix", "MatrixCell", "build_matrix", "render_matrix", "render_recipients", "render_violations"]

#: cell states, most telling first
STATES = ("violation", "found", "both", "declared", "warning")
STATE_TEXT = {
    "violation": "\u26a0 violation",
    "found": "\u25cf found",
    "both": "\u25c9 both",
    "declared": "\u25cb declared",
    "warning": "\u25cb declared, not found",
}


def _e(value: object) -> str:
    return escape(str(value))


def breakable(text: str) -> str:
    """``text`` escaped, with a line-break opportunity after each ``.`` ``/`` and ``:`` so long
    keys and paths wrap between their parts, never inside a word."""
    out = []
    for char in text:
        out.append(_e(char))
        if char in "./:":
            out.append("<wbr>")
    return "".join(out)


def is_failing(violation: Violation) -> bool:
    return violation.severity == "error" and violation.suppressed is None


def _covers(declared: str, category: str) -> bool:
    return category == declared or category.startswith(declared + ".")


# --------------------------------------------------------------------------- matrix


@dataclass(frozen=True)
class MatrixCell:
    """One system x category cell: what the scan found, what the data map declares."""

    row: int
    column: int
    system: str
    category: str
    state: str  # one of STATES, or "" for nothing
    fields: int
    violations: tuple[int, ...] = ()

    @property
    def element_id(self) -> str:
        return f"cell-{self.row}-{self.column}"


@dataclass(frozen=True)
class Matrix:
    systems: tuple[str, ...]
    categories: tuple[str, ...]
    cells: tuple[MatrixCell, ...]

    def cell(self, system: str, category: str) -> MatrixCell | None:
        """The cell of ``system`` and ``category``, or ``None``."""
        return self._by_key.get((system, category))

    @cached_property
    def _by_key(self) -> dict[tuple[str, str], MatrixCell]:
        return {(cell.system, cell.category): cell for cell in self.cells}


def build_matrix(
    findings: Sequence[Finding],
    datamap: DataMapGraph | None,
    violations: Sequence[Violation],
    systems: Sequence[str],
) -> Matrix:
    """Every system (rows) against every category found or declared (columns)."""
    fields: dict[tuple[str, str], int] = defaultdict(int)
    for finding in findings:
        fields[(finding.source, finding.category)] += 1
    declared: dict[str, tuple[str, ...]] = {}
    if datamap is not None:
        for node in datamap.systems:
            if isinstance(node, SystemNode) and node.declared:
                declared[node.name] = node.declared_categories
    categories = sorted(
        {category for _, category in fields} | {c for items in declared.values() for c in items}
    )
    rows = list(dict.fromkeys([*systems, *(system for system, _ in fields)]))
    by_cell: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, violation in enumerate(violations):
        if violation.source is not None and violation.category is not None and violation.vendor is None:
            by_cell[(violation.source, violation.category)].append(index)
    cells = []
    for row, system in enumerate(rows):
        for column, category in enumerate(categories):
            found = fields.get((system, category), 0)
            names = declared.get(system, ())
            is_declared = category in names
            covered = any(_covers(item, category) for item in names)
            marks = tuple(by_cell.get((system, category), ()))
            if any(is_failing(violations[index]) for index in marks):
                state = "violation"
            elif found and covered:
                state = "both"
            elif found:
                state = "found"
            elif is_declared:
                state = "warning" if any(violations[i].suppressed is None for i in marks) else "declared"
            else:
                state = ""
            cells.append(MatrixCell(row, column, system, category, state, found, marks))
    return Matrix(tuple(rows), tuple(categories), tuple(cells))


def render_matrix(matrix: Matrix) -> str:
    """The matrix as a table (categories across, systems down), each filled cell a focusable
    button; a legend first."""
    if not matrix.systems or not matrix.categories:
        return '<p class="empty">Nothing found or declared.</p>'
    head = "".join(
        f'<th scope="col" data-category="{_e(category)}" class="category-key">{breakable(category)}</th>'
        for category in matrix.categories
    )
    rows = []
    cells = iter(matrix.cells)
    for row, system in enumerate(matrix.systems):
        out = [f'<tr data-system="{_e(system)}"><th scope="row" class="system-name">{breakable(system)}</th>']
        for column, category in enumerate(matrix.categories):
            cell = next(cells)
            assert (cell.row, cell.column) == (row, column)
            attributes = f'id="{cell.element_id}" data-category="{_e(category)}" class="cell state-{cell.state or "none"}"'
            if not cell.state:
                out.append(f'<td {attributes}><span class="visually-hidden">nothing</span></td>')
                continue
            text = STATE_TEXT[cell.state]
            count = f'<span class="count">{cell.fields}</span>' if cell.fields else ""
            label = f"{system}, {category}: {text[2:]}" + (f", {cell.fields} fields" if cell.fields else "")
            out.append(
                f'<td {attributes}><button type="button" class="cell-button" data-system="{_e(system)}" '
                f'data-category="{_e(category)}" aria-label="{_e(label)}" title="{_e(label)}">'
                f"{_e(text)}{count}</button></td>"
            )
        out.append("</tr>")
        rows.append("".join(out))
    legend = " ".join(
        f'<span class="cell-key state-{state}">{_e(STATE_TEXT[state])}</span>'
        for state in ("found", "declared", "both", "violation")
    )
    return (
        f'<p class="legend" id="matrix-legend">{legend} '
        '<span class="legend-note">found: in the scan only \u00b7 declared: in the data map only \u00b7 '
        "both: found and declared \u00b7 the number is the fields found</span></p>"
        '<div class="scroll" tabindex="0" role="region" aria-labelledby="matrix-title">'
        '<table id="matrix" class="matrix"><thead><tr><th scope="col" class="corner">system \\ category</th>'
        f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


# --------------------------------------------------------------------------- recipients


def render_recipients(
    datamap: DataMapGraph | None,
    diagram: FlowDiagram,
    violations: Sequence[Violation],
) -> str:
    """One row per vendor or recipient: role, the categories it receives (by how the flow is
    known), the declared purpose, and what the policy says (quoted where a violation cites it)."""
    if datamap is None or not datamap.vendors:
        return '<p class="empty">No vendors or recipients: no data map was checked, or it lists none.</p>'
    received: dict[str, list[tuple[str, str, tuple[str, ...], bool]]] = defaultdict(list)
    observed: dict[str, list[Any]] = defaultdict(list)
    purposes: dict[str, list[str]] = defaultdict(list)
    for band in diagram.bands:
        if band.kind not in ("reaches", "flow"):
            continue
        for category in band.categories or ("(nothing found)",):
            received[band.target].append((category, band.origin, band.systems, band.failing))
        if (band.count or band.evidence) and all(
            (band.count, band.first_seen, band.last_seen, band.evidence)
            != (other.count, other.first_seen, other.last_seen, other.evidence)
            for other in observed[band.target]
        ):
            observed[band.target].append(band)
        for purpose in band.purposes:
            if purpose not in purposes[band.target]:
                purposes[band.target].append(purpose)
    rows = []
    # vendors of the data map, then recipients only observed flows name (no entry in the data map)
    listed = {vendor.id for vendor in datamap.vendors}
    unlisted = [
        VendorNode(node.id.split(":", 1)[1], "".join(node.lines).removeprefix("\u26a0 "), "unknown")
        for node in diagram.nodes
        if node.kind == "vendor" and node.id not in listed
    ]
    for vendor in (*datamap.vendors, *unlisted):
        items = []
        for category, origin, systems, failing in sorted(
            received.get(vendor.id, ()), key=lambda item: item[0]
        ):
            source = ", ".join(systems)
            items.append(
                f'<li class="{"failing" if failing else ""}"><span class="cat">{breakable(category)}</span> '
                f'<span class="badge origin-{_e(origin)}">{_e(origin)}</span>'
                f'<span class="from"> from {_e(source)}</span></li>'
            )
        categories = (
            f'<ul class="received">{"".join(items)}</ul>' if items else '<span class="muted">nothing</span>'
        )
        for band in observed.get(vendor.id, ()):
            seen = ""
            if band.first_seen:
                seen = f", {_e(band.first_seen)} \u2013 {_e(band.last_seen or band.first_seen)}"
            evidence = "".join(f"<li><code>{_e(item)}</code></li>" for item in band.evidence[:5])
            categories += f'<p class="observed">observed: {band.count} requests{seen}</p>' + (
                f'<ul class="evidence">{evidence}</ul>' if evidence else ""
            )
        purpose_list = [vendor.purpose] if vendor.purpose else []
        purpose_list += [item for item in purposes.get(vendor.id, ()) if item not in purpose_list]
        purpose = "<br>".join(_e(item) for item in purpose_list) or '<span class="muted">not declared</span>'
        name = _e(vendor.label or vendor.vendor)
        if vendor.label and vendor.label != vendor.vendor:
            name += f' <span class="muted">({_e(vendor.vendor)})</span>'
        # observed recipients the data map does not list (VendorNode.declared / .known, #15)
        if vendor.id not in listed or getattr(vendor, "declared", None) is False:
            name += ' <span class="badge failing">not in the data map</span>'
        if getattr(vendor, "known", True) is False:
            name += ' <span class="badge warning">unknown recipient</span>'
        rows.append(
            f'<tr data-node="{_e(vendor.id)}">'
            + _td("vendor", f'<a href="#flow-section" class="to-node" data-node="{_e(vendor.id)}">{name}</a>')
            + _td("role", _e(vendor.role))
            + _td("categories received", categories)
            + _td("declared purpose", purpose)
            + _td("policy", _policy_cell(datamap, vendor, violations))
            + "</tr>"
        )
    return (
        '<table id="recipients" class="cards"><thead><tr><th scope="col">vendor</th><th scope="col">role</th>'
        '<th scope="col">categories received</th><th scope="col">declared purpose</th>'
        f'<th scope="col">policy</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def _td(label: str, content: str) -> str:
    """A cell of a table that becomes a card on narrow screens (the label shows before it)."""
    return f'<td data-label="{_e(label)}"><div class="cell-content">{content}</div></td>'


def _policy_cell(datamap: DataMapGraph, vendor: Any, violations: Sequence[Violation]) -> str:
    quotes = []
    seen = set()
    for violation in violations:
        if violation.vendor != vendor.vendor:
            continue
        for citation in violation.citations:
            key = (citation.section, citation.sentence)
            if key in seen:
                continue
            seen.add(key)
            quotes.append(_citation(citation))
    if vendor.disclosed is None:
        summary = '<span class="muted">no policy checked</span>'
    elif vendor.disclosed:
        line = datamap.policy_shared_lines.get(vendor.role)
        where = f" (policy file, line {line})" if line else ""
        summary = (
            f"shared with {_e(vendor.role)}: {', '.join(breakable(c) for c in vendor.disclosed)}{_e(where)}"
        )
    else:
        summary = f"the policy discloses nothing shared with {_e(vendor.role)}"
    return summary + "".join(quotes)


def _citation(citation: Any) -> str:
    return (
        f'<blockquote class="citation">\u201c{_e(citation.text)}\u201d'
        f"<cite>the policy, \u2018{_e(citation.section)}\u2019, sentence {int(citation.sentence)}</cite></blockquote>"
    )


# --------------------------------------------------------------------------- violations


def violation_node(violation: Violation, known: Collection[str]) -> str | None:
    """The diagram node a violation is about: its vendor, container or system."""
    candidates = []
    if violation.vendor is not None:
        candidates.append(vendor_id(violation.vendor))
    if violation.source is not None and violation.container is not None:
        candidates.append(container_id(violation.source, violation.container))
    if violation.source is not None:
        candidates.append(system_id(violation.source))
    if violation.category is not None:
        candidates.append(category_id(violation.category))
    return next((node for node in candidates if node in known), None)


def render_violations(
    violations: Sequence[Violation],
    rules: Mapping[str, Rule],
    matrix: Matrix,
    known_nodes: Collection[str],
    has_datamap: bool,
) -> str:
    """The violations grouped by rule (failing groups first), the rule's help once per group; every
    row links to its node in the diagram and to its matrix cell."""
    if not violations:
        text = (
            "No violations: what was found matches the data map and policy."
            if has_datamap
            else "No data map or policy was checked (run 'piimap check' for violations)."
        )
        return f'<p id="violations-empty">{_e(text)}</p>'
    groups: dict[str, list[int]] = defaultdict(list)
    for index, violation in enumerate(violations):
        groups[violation.rule].append(index)

    def group_key(rule_id: str) -> tuple[int, str]:
        return (0 if any(is_failing(violations[i]) for i in groups[rule_id]) else 1, rule_id)

    out = []
    for rule_id in sorted(groups, key=group_key):
        indexes = groups[rule_id]
        rule = rules.get(rule_id)
        failing = sum(1 for i in indexes if is_failing(violations[i]))
        counts = f"{len(indexes)} " + ("violation" if len(indexes) == 1 else "violations")
        if failing:
            counts += f", {failing} failing"
        title = f"{rule_id} {rule.name}" if rule else rule_id
        facts = f"({rule.severity}) \u00b7 {counts}" if rule else counts
        out.append(
            f'<section class="rule-group{" failing" if failing else ""}" data-rule="{_e(rule_id)}">'
            f'<h3>{_e(title)} <span class="muted">{_e(facts)}</span></h3>'
        )
        if rule:
            out.append(f'<p class="help">{_e(rule.summary)} {_e(rule.help)}</p>')
        out.append(
            '<table class="violations cards"><thead><tr><th scope="col">status</th><th scope="col">where</th>'
            '<th scope="col">category</th><th scope="col">message</th></tr></thead><tbody>'
        )
        for index in indexes:
            out.append(_violation_row(index, violations[index], matrix, known_nodes))
        out.append("</tbody></table></section>")
    return "".join(out)


def _violation_row(index: int, violation: Violation, matrix: Matrix, known_nodes: Collection[str]) -> str:
    if violation.suppressed is not None:
        status = f'<span class="badge suppressed">suppressed</span><div class="help">{_e(violation.suppressed)}</div>'
    elif is_failing(violation):
        status = '<span class="badge failing">failing</span>'
    else:
        status = f'<span class="badge warning">{_e(violation.severity)}</span>'
    parts = [violation.source, violation.container, violation.field]
    where = " \u203a ".join(breakable(part) for part in parts if part)
    if violation.vendor:
        where += f" \u2192 {breakable(violation.vendor)}"
    where = where or "the policy"
    node = violation_node(violation, known_nodes)
    if node is not None:
        where = f'<a href="#flow-section" class="to-node" data-node="{_e(node)}">{where}</a>'
    category = breakable(violation.category) if violation.category else ""
    cell = (
        matrix.cell(violation.source, violation.category)
        if violation.source is not None and violation.category is not None
        else None
    )
    if cell is not None and category:
        category = (
            f'<a href="#{cell.element_id}" class="to-cell" data-cell="{cell.element_id}">{category}</a>'
        )
    message = _e(violation.message) + "".join(_citation(citation) for citation in violation.citations)
    classes = "failing" if is_failing(violation) else ""
    return (
        f'<tr class="{classes}" data-violation="{index}">'
        + _td("status", status)
        + _td("where", where)
        + _td("category", category)
        + _td("message", message)
        + "</tr>"
    )


def render_rules(rules: Mapping[str, Rule]) -> str:
    """Every rule, once."""
    items = "".join(
        f"<dt>{_e(rule.id)} {_e(rule.name)} ({_e(rule.severity)})</dt><dd>{_e(rule.summary)} {_e(rule.help)}</dd>"
        for rule in sorted(rules.values(), key=lambda rule: rule.id)
    )
    return f'<dl id="rules">{items}</dl>'
