"""A privacy policy's text as headings, paragraphs, list items and table rows (plain text, Markdown, HTML).

:func:`read_policy_document` keeps what citations need: every heading (a section is named by the
nearest heading above it), paragraphs, list items, and *run-in* headings at the start of a
paragraph ("Service Providers and Vendors – We share ...", "**Delivery partners.** We share ...",
"3.1 Account information. To set up ..."), which become the block's ``lead`` so the sentence
reads as the policy wrote it without the label.

Tables (HTML ``<table>``, Markdown and plain-text pipe tables, tab-separated lines) become one ``row`` block per row,
with the header row's cells kept beside its own, so the reader can tell a recipient column from a
data column; a ``<dt>`` is the run-in heading of the ``<dd>`` after it.

Plain text has no markup, so headings are recognised by shape: a short line (at most 12 words)
that does not end like a sentence, holds no colon, starts with a capital letter or a section
number, and is followed by text. Wrapped lines of one paragraph are joined; a line that ends a
sentence ends its paragraph when the file writes one paragraph per line.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from piimap.model import ConfigError

__all__ = [
    "Block",
    "table_row",
    "PolicyDocument",
    "read_policy_document",
    "parse_policy_text",
    "TEXT_SUFFIXES",
]

#: File name endings read as policy text (anything else is a policy YAML file).
TEXT_SUFFIXES = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}

_BULLET = re.compile(r"^\s*(?:[-*•‣◦▪+]\s+|(?=\(?[a-zA-Z0-9]{1,3}\)\s)|(?=[a-z]\.\s))")
_ENUMERATED = re.compile(r"^\s*(?:\(?[a-zA-Z0-9]{1,3}\)|[a-z]\.)\s")
_NUMBERED_HEADING = re.compile(
    r"^(?:(?:section|article)\s+)?(?:\d+(?:\.\d+)*\.?|[IVX]+\.)\s+\S", re.IGNORECASE
)
_UPDATED = re.compile(
    r"\b(?:last\s+(?:updated|revised|modified)|effective(?:\s+date)?|updated|revised)\s*(?:on|:)?\s*[:\-–]?\s*"
    r"(\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|[A-Z][a-z]+\.? \d{1,2},? \d{4}|\d{1,2} [A-Z][a-z]+ \d{4})",
    re.IGNORECASE,
)
_SUBJECT_PRONOUN = re.compile(r"(?<![\w-])(?:we|you|they|i|he|she|it)(?![\w-])")
_RUN_IN_DASH = re.compile(
    r"^(?P<lead>[A-Z0-9][^.!?:;–—]{1,90}?)\s+(?:–|—|-{1,2})\s+(?P<body>\S.*)$", re.DOTALL
)
_RUN_IN_COLON = re.compile(r"^(?P<lead>[A-Z][^.!?:;–—]{1,60}?):\s+(?P<body>\S.*)$", re.DOTALL)
_RUN_IN_PERIOD = re.compile(
    r"^(?P<lead>(?:\d+(?:\.\d+)+\.?\s+)?[A-Z][\w’'&/\- ]{1,60}?)\.\s+(?P<body>[A-Z“\"].*)$", re.DOTALL
)
_SMALL_WORDS = {
    "a",
    "an",
    "and",
    "as",
    "at",
    "by",
    "for",
    "in",
    "of",
    "on",
    "or",
    "the",
    "to",
    "with",
    "your",
    "our",
}


@dataclass(frozen=True)
class Block:
    """A heading, paragraph, list item or table row. ``lead`` is a run-in heading taken off the
    text; ``level`` is a heading's level (1 = title). A ``row`` keeps its ``cells`` and the
    table's ``header`` (empty when the table has none); its ``text`` is the row as a reader quotes
    it ("Recipient: Mapbox; Data: vehicle position")."""

    kind: str
    text: str
    level: int = 0
    lead: str = ""
    cells: tuple[str, ...] = ()
    header: tuple[str, ...] = ()


def table_row(cells: list[str] | tuple[str, ...], header: tuple[str, ...]) -> Block | None:
    """A ``row`` block from a table row's cell texts (``None`` for a row with no text)."""
    cells = tuple(" ".join(cell.split()) for cell in cells)
    if not any(cells):
        return None
    parts = []
    for index, cell in enumerate(cells):
        if not cell:
            continue
        name = header[index] if index < len(header) else ""
        parts.append(f"{name}: {cell}" if name and name != cell else cell)
    return Block("row", "; ".join(parts), cells=cells, header=header)


@dataclass(frozen=True)
class PolicyDocument:
    """A policy as blocks, with its title and "last updated" date when the text gives them."""

    blocks: tuple[Block, ...]
    title: str = ""
    updated: str = ""


def read_policy_document(path: str | Path) -> PolicyDocument:
    """Read a policy file (``.txt``, ``.md``, ``.html``) into blocks."""
    path = Path(path)
    kind = TEXT_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise ConfigError(f"{path}: not a policy text (expected {', '.join(sorted(TEXT_SUFFIXES))})")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{path}: cannot read policy text: {error.strerror or error}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    return parse_policy_text(text, kind)


def parse_policy_text(text: str, kind: str = "text") -> PolicyDocument:
    """Split ``text`` (``"text"``, ``"markdown"`` or ``"html"``) into blocks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    if kind == "html":
        blocks, title = _html_blocks(text)
    elif kind == "markdown":
        blocks, title = _markdown_blocks(text), ""
    else:
        blocks, title = _text_blocks(text), ""
    blocks = [_with_run_in_lead(block) for block in blocks if block.text]
    headings = [block for block in blocks if block.kind == "heading"]
    if not title and headings and blocks[0].kind == "heading" and "privacy" in blocks[0].text.lower():
        title = blocks[0].text
    match = _UPDATED.search(" ".join(f"{block.lead} {block.text}" for block in blocks[:8]))
    updated = match.group(1) if match else ""
    return PolicyDocument(tuple(blocks), title=title, updated=updated)


# --------------------------------------------------------------------------- plain text


def _looks_like_heading(line: str, next_line: str | None) -> bool:
    stripped = line.strip()
    if not stripped or next_line is None or len(stripped) > 90:
        return False
    if next_line.strip()[:1].islower():
        return False  # the sentence goes on on the next line
    if _BULLET.match(stripped) and not _NUMBERED_HEADING.match(stripped):
        return False
    if stripped[-1] in ".,;:!" or ":" in stripped:
        return False
    words = stripped.split()
    if len(words) > 12:
        return False
    if not (stripped[0].isupper() or _NUMBERED_HEADING.match(stripped)):
        return False
    if stripped.endswith("?"):
        return len(words) <= 10
    if stripped.isupper() or _NUMBERED_HEADING.match(stripped):
        return True
    significant = [word for word in words if len(word) > 3 and word.lower() not in _SMALL_WORDS]
    capitalised = sum(1 for word in significant if word[0].isupper())
    return len(words) <= 5 or not significant or capitalised / len(significant) >= 0.6


def _text_blocks(text: str) -> list[Block]:
    lines = text.split("\n")
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(_paragraph_or_item(" ".join(part.strip() for part in paragraph)))
            paragraph.clear()

    table: list[str] = []  # the lines of a pipe or tab table being read
    table_kind = ""
    for index, line in enumerate(lines):
        stripped = line.strip()
        kind = _table_line_kind(stripped, table_kind, lines[index + 1 : index + 2])
        if table and kind != table_kind:
            blocks.extend(_table_blocks(table_kind, table))
            table.clear()
        if kind:
            flush()
            table.append(stripped)
            table_kind = kind
            continue
        if not stripped:
            flush()
            continue
        ended = not paragraph or paragraph[-1].rstrip()[-1:] in (".", "!", "?", ":", ";")
        following = next((candidate for candidate in lines[index + 1 :] if candidate.strip()), None)
        if ended and _looks_like_heading(stripped, following):
            flush()
            blocks.append(Block("heading", _heading_text(stripped), level=2))
            continue
        if _BULLET.match(stripped):
            flush()
            paragraph.append(stripped)
            continue
        if paragraph:
            previous = paragraph[-1]
            in_item = bool(_BULLET.match(paragraph[0]))
            wrapped = not ended and len(previous) >= 50 and not in_item
            continued_item = in_item and line[:1].isspace()
            if not (wrapped or continued_item or (not ended and not stripped[0].isupper())):
                flush()
        paragraph.append(stripped)
    flush()
    blocks.extend(_table_blocks(table_kind, table))
    return blocks


def _is_tab_row(line: str) -> bool:
    return "\t" in line and len([cell for cell in line.split("\t") if cell.strip()]) >= 2


def _table_line_kind(line: str, current: str, following: list[str]) -> str:
    """``pipe`` for a line of a pipe table, ``tab`` for a line of a tab table (one that goes on, or
    is followed by another tab-separated line), else ``""``."""
    if _PIPE_ROW.match(line):
        return "pipe"
    if _is_tab_row(line) and (current == "tab" or any(_is_tab_row(other.strip()) for other in following)):
        return "tab"
    return ""


def _table_blocks(kind: str, lines: list[str]) -> list[Block]:
    return _tab_table(lines) if kind == "tab" else _pipe_table(lines)


def _tab_table(lines: list[str]) -> list[Block]:
    """Rows of a table whose cells are separated by tabs (two lines or more, as pasted from a
    spreadsheet or a word processor); the first line is the header."""
    if not lines:
        return []
    header = tuple(" ".join(cell.split()) for cell in lines[0].split("\t"))
    rows = [[cell.strip() for cell in line.split("\t")] for line in lines[1:]]
    return [block for block in (table_row(cells, header) for cells in rows) if block is not None]


_PIPE_ROW = re.compile(r"^\|.*\|$")
_PIPE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$")


def _pipe_table(lines: list[str]) -> list[Block]:
    """Rows of a plain-text table written with pipes (``| Recipient | Data |``, a ``|---|`` rule
    under the header)."""
    if len(lines) < 2:
        return [Block("paragraph", line.strip("| ").strip()) for line in lines]
    header: tuple[str, ...] = ()
    rows: list[list[str]] = []
    for line in lines:
        if _PIPE_RULE.match(line):
            if rows and not header:
                header = tuple(" ".join(cell.split()) for cell in rows.pop())
            continue
        rows.append([cell.strip() for cell in line.strip()[1:-1].split("|")])
    return [block for block in (table_row(cells, header) for cells in rows) if block is not None]


def _paragraph_or_item(text: str) -> Block:
    if _BULLET.match(text):
        if _ENUMERATED.match(text):
            return Block("item", text.strip())  # keep "(a)" / "1)": it is how the policy refers to it
        return Block("item", _BULLET.sub("", text, count=1).strip())
    return Block("paragraph", text.strip())


def _heading_text(text: str) -> str:
    return " ".join(text.strip().strip("#").strip().split())


# --------------------------------------------------------------------------- Markdown


def _markdown_blocks(text: str) -> list[Block]:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    blocks: list[Block] = []
    kind = "paragraph"
    level = 0
    list_depth = 0
    table: _TableRows | None = None
    for token in tokens:
        if token.type == "table_open":
            table = _TableRows()
        elif token.type == "table_close" and table is not None:
            blocks.extend(table.blocks)
            table = None
        elif table is not None:
            if token.type == "tr_open":
                table.start_row()
            elif token.type in ("th_open", "td_open"):
                table.start_cell(header=token.type == "th_open")
            elif token.type == "inline":
                table.add_text(" ".join(_inline_text(child) for child in token.children or []))
            elif token.type == "tr_close":
                table.end_row()
        elif token.type == "heading_open":
            kind, level = "heading", int(token.tag[1:])
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif token.type == "inline":
            block_kind = kind if kind == "heading" else ("item" if list_depth else "paragraph")
            lead, body = _markdown_inline(token.children or [])
            blocks.append(Block(block_kind, body, level=level if block_kind == "heading" else 0, lead=lead))
        elif token.type == "heading_close":
            kind, level = "paragraph", 0
    return blocks


def _markdown_inline(children) -> tuple[str, str]:
    """The inline text, and a bold run-in heading at its start ("**Delivery partners.** We ...")."""
    parts: list[str] = []
    lead = ""
    strong_depth = 0
    strong_text: list[str] | None = []
    for index, child in enumerate(children):
        if child.type == "strong_open":
            strong_depth += 1
            if index == 0:
                strong_text = []
            continue
        if child.type == "strong_close":
            strong_depth -= 1
            if not lead and not "".join(parts).strip() and strong_text is not None:
                rest = "".join(_inline_text(item) for item in children[index + 1 :]).strip()
                candidate = "".join(strong_text).strip()
                if rest and len(candidate.split()) <= 8 and not _is_subject_lead(candidate, rest):
                    lead = candidate.rstrip(".:–—- ").strip()
                    strong_text = None
                    continue
            parts.append("".join(strong_text or []))
            strong_text = None
            continue
        piece = _inline_text(child)
        if strong_depth and strong_text is not None:
            strong_text.append(piece)
        else:
            parts.append(piece)
    text = " ".join("".join(parts).split())
    if lead:
        text = text.lstrip(".:–—- ").strip()
    return lead, text


def _is_subject_lead(lead: str, rest: str) -> bool:
    """A bold phrase that is the sentence's subject, not a run-in heading: no closing punctuation
    and the text goes on in lower case ("**Your driver** sees your first name")."""
    lead, rest = lead.strip(), rest.strip()
    return bool(lead) and bool(rest) and lead[-1] not in ".:–—-!?" and rest[0].islower()


def _inline_text(token) -> str:
    if token.type in ("text", "code_inline"):
        return token.content
    if token.type in ("softbreak", "hardbreak"):
        return " "
    if token.type == "image":
        return ""
    return ""


# --------------------------------------------------------------------------- HTML

_SKIPPED_TAGS = {
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "head",
    "nav",
    "footer",
    "button",
    "select",
    "form",
}
_BLOCK_TAGS = {
    "p",
    "li",
    "dt",
    "dd",
    "td",
    "th",
    "div",
    "section",
    "article",
    "blockquote",
    "pre",
    "tr",
    "main",
    "body",
    "ul",
    "ol",
    "table",
    "br",
    "header",
    "aside",
    "figcaption",
    "caption",
}
_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


class _TableRows:
    """Collects a table's rows: the first row of header cells (``<th>``) is the header."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.header: tuple[str, ...] = ()
        self._cells: list[list[str]] = []
        self._header_cells = 0

    @property
    def row_open(self) -> bool:
        """True while a row has cells that were not yet ended (HTML may leave ``</tr>`` out)."""
        return bool(self._cells)

    def start_row(self) -> None:
        self._cells, self._header_cells = [], 0

    def start_cell(self, header: bool) -> None:
        self._cells.append([])
        self._header_cells += header

    def add_text(self, text: str) -> None:
        if self._cells:
            self._cells[-1].append(text)

    def end_row(self) -> None:
        cells = [" ".join("".join(parts).split()) for parts in self._cells]
        if cells and self._header_cells == len(cells) and not self.header and not self.blocks:
            self.header = tuple(cells)
        else:
            block = table_row(cells, self.header)
            if block is not None:
                self.blocks.append(block)
        self._cells, self._header_cells = [], 0


class _HtmlBlockParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.title = ""
        self._in_title = False
        self._skip_depth = 0
        self._text: list[str] = []
        self._heading_level = 0
        self._list_item = False
        self._strong_depth = 0
        self._strong_at_start: list[str] | None = None
        self._lead = ""
        self._tables: list[_TableRows] = []
        self._dt_lead = ""  # a definition term (<dt>) is the run-in heading of its <dd>

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED_TAGS:
            self._skip_depth += 1
            return
        if self._skip_depth:
            return
        if tag == "table":
            self._flush()
            self._tables.append(_TableRows())
            return
        if self._tables:
            table = self._tables[-1]
            if tag == "tr":
                if table.row_open:  # an unclosed <tr> before
                    table.end_row()
                table.start_row()
            elif tag in ("td", "th"):
                table.start_cell(header=tag == "th")
            elif tag == "br":
                table.add_text(" ")
            return
        if tag == "title":
            self._in_title = True
        elif tag in _HEADING_TAGS:
            self._flush()
            self._heading_level = int(tag[1])
        elif tag in _BLOCK_TAGS:
            self._flush()
            if tag == "li":
                self._list_item = True
        elif tag in ("strong", "b") and not self._skip_depth:
            self._strong_depth += 1
            if not "".join(self._text).strip() and not self._heading_level:
                self._strong_at_start = []

    def handle_endtag(self, tag):
        if tag in _SKIPPED_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
            return
        if self._skip_depth:
            return
        if self._tables:
            table = self._tables[-1]
            if tag == "tr":
                table.end_row()
            elif tag == "table":
                if table.row_open:
                    table.end_row()
                self._tables.pop()
                self.blocks.extend(table.blocks)
            elif tag in ("td", "th"):
                table.add_text(" ")
            return
        if tag == "dl":
            self._dt_lead = ""
        if tag == "dt":
            self._dt_lead = " ".join("".join(self._text).split()).rstrip(".:–—- ")
            self._text, self._lead, self._strong_at_start = [], "", None
            return
        if tag == "title":
            self._in_title = False
        elif tag in _HEADING_TAGS:
            self._flush()
            self._heading_level = 0
        elif tag in _BLOCK_TAGS:
            self._flush()
        elif tag in ("strong", "b") and self._strong_depth:
            self._strong_depth -= 1
            if self._strong_at_start is not None and not self._strong_depth:
                candidate = " ".join("".join(self._strong_at_start).split())
                if candidate and len(candidate.split()) <= 8:
                    self._lead = candidate
                    self._text = []
                self._strong_at_start = None

    def handle_data(self, data):
        if self._in_title:
            self.title += data
            return
        if self._skip_depth:
            return
        if self._tables:
            self._tables[-1].add_text(data)
            return
        self._text.append(data)
        if self._strong_at_start is not None:
            self._strong_at_start.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self._text).split())
        if self._lead and text and _is_subject_lead(self._lead, text):
            text, self._lead = f"{self._lead} {text}", ""  # "<b>Your driver</b> sees ...": the subject
        lead = self._lead or (self._dt_lead if text else "")
        if text:
            self._dt_lead = ""
        self._text, self._lead, self._strong_at_start = [], "", None
        if not text and not lead:
            self._list_item = False
            return
        if self._heading_level:
            self.blocks.append(
                Block("heading", " ".join(f"{lead} {text}".split()), level=self._heading_level)
            )
        elif lead and not text:
            self.blocks.append(Block("heading", lead.rstrip(".:"), level=6))  # a bold line alone: a heading
        else:
            kind = "item" if self._list_item else "paragraph"
            self.blocks.append(
                Block(kind, text.lstrip(".:–—- ").strip() if lead else text, lead=lead.rstrip(".:–—- "))
            )
        self._list_item = False


def _html_blocks(text: str) -> tuple[list[Block], str]:
    parser = _HtmlBlockParser()
    parser.feed(text)
    parser.close()
    parser._flush()
    return parser.blocks, html.unescape(" ".join(parser.title.split()))


# --------------------------------------------------------------------------- run-in headings


def _with_run_in_lead(block: Block) -> Block:
    if block.kind in ("heading", "row") or block.lead:
        return block
    for pattern in (_RUN_IN_DASH, _RUN_IN_COLON, _RUN_IN_PERIOD):
        match = pattern.match(block.text)
        if match and _is_label(match.group("lead"), period=pattern is _RUN_IN_PERIOD):
            return Block(
                block.kind, match.group("body").strip(), block.level, lead=match.group("lead").strip()
            )
    return block


def _is_label(text: str, *, period: bool) -> bool:
    words = text.split()
    if not words or len(words) > (6 if period else 10):
        return False
    if period and len(words) < 2:
        return False  # "No. We never ..." is an answer, not a label
    if re.match(r"^\d+(?:\.\d+)+\.?$", words[0]):
        return not _SUBJECT_PRONOUN.search(text)  # "3.3 Log data. Our servers ..."
    if _SUBJECT_PRONOUN.search(text):
        return False
    body_words = [word for word in words if not re.match(r"^[\d.()]+$", word)]
    if not body_words:
        return False
    significant = [word for word in body_words if len(word) > 3 and word.lower() not in _SMALL_WORDS]
    if not significant:
        return body_words[0][0].isupper()
    capitalised = sum(1 for word in significant if word[0].isupper())
    return capitalised / len(significant) >= 0.5
