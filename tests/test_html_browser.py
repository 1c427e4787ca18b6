"""The HTML data map in a real browser: Debian's Chromium driven by Playwright.

At a desktop (1400x900) and a phone (390x844) viewport (and 360 px, the narrowest it promises), on the demo, on a real check of a small
company and on a six-source scan with observed flows: the page loads offline with no console
errors and no Content-Security-Policy violations; nothing overflows the page's width; no text
spills out of its table cell or diagram box and no short word is broken across lines (element
boxes measured in the page); every diagram node is reachable with the keyboard; clicking a node
shows its findings with masked examples; violations link to their node and matrix cell;
filtering everything out clears the selection; and nothing that table, column, source or vendor
names smuggle in runs. Screenshots of every view at both sizes are saved as test artifacts
(``$PIIMAP_TEST_ARTIFACTS``, by default ``test-artifacts/html`` in the repository).
"""

from __future__ import annotations

import json
import os
import sqlite3
import textwrap
from pathlib import Path

import pytest
from test_check_cli import DATAMAP, build_company
from test_checks_rules import CLEAN, finding, scan_result
from test_checks_rules import DATAMAP as RULES_DATAMAP
from test_html_flowmap import with_observed_flows

from piimap.checks import evaluate
from piimap.cli import main
from piimap.declarations import parse_datamap
from piimap.reports import render_report
from piimap.yamlfile import load_yaml

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
VIEWPORTS = {"desktop": (1400, 900), "phone": (390, 844), "narrow": (360, 740)}
ARTIFACTS = Path(
    os.environ.get("PIIMAP_TEST_ARTIFACTS", Path(__file__).parent.parent / "test-artifacts" / "html")
)
WATCH_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""

#: Elements whose text must stay inside their own box (inline elements are measured through
#: their block), and a word of up to 20 characters must not be split across lines.
TEXT_FITS = """() => {
  const problems = [];
  const blocks = 'td, th, li, dd, dt, p, h1, h2, h3, h4, label, button, summary, blockquote, cite, legend';
  const shown = (el) => el.getClientRects().length > 0;
  for (const el of document.querySelectorAll(blocks)) {
    if (!shown(el) || el.closest('svg')) continue;
    const style = getComputedStyle(el);
    if (style.display.startsWith('inline') && el.tagName !== 'BUTTON') continue;
    if (el.scrollWidth > el.clientWidth + 1 && style.overflowX === 'visible') {
      problems.push('overflows: ' + el.tagName + ' ' + el.textContent.slice(0, 60));
    }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    if (!parent || parent.closest('svg, script, .visually-hidden') || !shown(parent)) continue;
    if (parent.closest('details:not([open])') && !parent.closest('summary')) continue;
    const words = node.textContent.matchAll(/[^\\s-]+/g);  // a hyphen is a place to break
    for (const match of words) {
      if (match[0].length > 20 || /[\u2e80-\u9fff\uac00-\ud7af]/.test(match[0])) continue;  // CJK breaks anywhere
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set(Array.from(range.getClientRects()).filter((r) => r.width > 0).map((r) => Math.round(r.top)));
      if (tops.size > 1) problems.push('broken word: ' + match[0] + ' in ' + parent.tagName);
    }
  }
  return problems;
}"""

#: Every diagram box's label inside its box, and no two boxes overlapping.
DIAGRAM_FITS = """() => {
  const problems = [];
  const svg = [...document.querySelectorAll('svg.flow')].find((s) => !s.classList.contains('hidden'));
  const boxes = [];
  for (const node of svg.querySelectorAll('.node:not(.hidden)')) {
    const rect = node.querySelector('rect').getBBox();
    boxes.push([node.getAttribute('data-node'), rect]);
    for (const text of node.querySelectorAll('text')) {
      const box = text.getBBox();
      if (box.x < rect.x - 0.5 || box.x + box.width > rect.x + rect.width + 0.5 ||
          box.y < rect.y - 0.5 || box.y + box.height > rect.y + rect.height + 0.5) {
        problems.push('label outside its box: ' + node.getAttribute('data-node'));
      }
    }
  }
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const [a, b] = [boxes[i][1], boxes[j][1]];
    if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) {
      problems.push('boxes overlap: ' + boxes[i][0] + ' / ' + boxes[j][0]);
    }
  }
  return problems;
}"""
VISIBLE_NODES = """() => [...document.querySelectorAll('svg.flow:not(.hidden) .node:not(.hidden)')]
  .map((node) => node.getAttribute('data-node'))"""


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):  # CI installs it (.ci/run): a missing browser must not pass silently
            pytest.fail("Debian's chromium is not installed at /usr/bin/chromium")
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


class Opened:
    """A page with everything it said and did recorded."""

    def __init__(self, browser, path: Path, viewport: str = "desktop"):
        width, height = VIEWPORTS[viewport]
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.add_init_script(WATCH_CSP)
        self.page.goto(path.as_uri())
        self.page.wait_for_function("window.piimapReport !== undefined")

    def _on_console(self, message) -> None:
        if message.type in ("error", "warning") or "Content Security Policy" in message.text:
            self.console.append(f"{message.type}: {message.text}")

    def close(self):
        self.context.close()

    def assert_clean(self):
        assert self.console == [], self.console
        assert self.page.evaluate("window.__csp") == []
        assert self.dialogs == []
        assert [url for url in self.requests if not url.startswith("file://")] == []

    def screenshot(self, name: str, selector: str | None = None) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        if selector is None:
            self.page.screenshot(path=path, full_page=True)
        else:
            self.page.locator(selector).screenshot(path=path)
        assert path.stat().st_size > 5000  # something was drawn
        return path


@pytest.fixture(scope="module")
def company_report(tmp_path_factory, browser) -> Path:
    """A real check of the small SQLite company, with one undeclared category (phone)."""
    root = tmp_path_factory.mktemp("company")
    company = build_company(
        root, datamap=DATAMAP.replace("          phone: [user.contact.phone_number]\n", "")
    )
    code = main(
        ["check", "--config", str(company.config), "--quiet", "--no-store", "--output", str(root / "t.txt")]
    )
    assert code == 1
    return company.report("report.html")


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory, browser) -> Path:
    root = tmp_path_factory.mktemp("demo") / "demo"
    assert main(["demo", str(root), "--quiet"]) in (0, 1)
    return root / "report.html"


#: the rule tests' data map with two more systems and a declared flow from one of them
SIX_DATAMAP = (
    RULES_DATAMAP.replace("systems:", "organisation: Six Sources Ltd\nsystems:", 1).replace(
        "  click_events: [user.device]\n",
        "  click_events: [user.device]\n  crm: [user.contact]\n  warehouse: [user]\n",
    )
    + "  - {from: warehouse, to: adnet, categories: [user.device.device_id]}\n"
)


@pytest.fixture(scope="module")
def six_report(tmp_path_factory, browser) -> Path:
    """Six sources, two containers called public.customer in different systems, long S3 keys and
    non-Latin names, and a flow of each kind (declared, observed, both)."""
    root = tmp_path_factory.mktemp("six")
    (root / "datamap.yaml").write_text(textwrap.dedent(SIX_DATAMAP).lstrip(), encoding="utf-8")
    datamap = parse_datamap(load_yaml(root / "datamap.yaml"), str(root / "datamap.yaml"))
    extra = [
        finding("web_logs", "access.log", None, "user.contact.phone_number"),
        finding("crm", "public.customer", "email", "user.contact.email"),
        finding("crm", "public.customer", "phone", "user.contact.phone_number"),
        finding("app_db", "public.customer", "email", "user.contact.email"),
        finding(
            "warehouse",
            "s3://lake-raw/events/2024/10/01/part-000123-of-000400.snappy.parquet",
            "payload.user.email",
            "user.contact.email",
        ),
        finding(
            "warehouse",
            "s3://lake-raw/events/2024/10/01/part-000123-of-000400.snappy.parquet",
            "device.idfa",
            "user.device.device_id",
        ),
        finding("support_mail", "收件箱/客户来信.mbox", None, "user.name"),
        finding("support_mail", "收件箱/客户来信.mbox", None, "user.contact.email"),
    ]
    sources = ("app_db", "web_logs", "click_events", "crm", "warehouse", "support_mail")
    result = evaluate(scan_result(*CLEAN, *extra, sources=sources), datamap, None)
    path = root / "six.html"
    path.write_text(render_report("html", with_observed_flows(result)), encoding="utf-8")
    return path


@pytest.fixture
def opened(browser, company_report):
    page = Opened(browser, company_report)
    yield page
    page.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("report", ["demo", "company", "six"])
def test_every_view_loads_clean_and_fits_at_desktop_and_phone_widths(request, browser, report, viewport):
    path = request.getfixturevalue(f"{report}_report")
    opened = Opened(browser, path, viewport)
    try:
        page = opened.page
        opened.assert_clean()
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport][0]
        assert page.evaluate(TEXT_FITS) == []
        assert page.evaluate(DIAGRAM_FITS) == []
        assert len(page.evaluate(VISIBLE_NODES)) >= 5
        # text in the diagram is drawn at 12 px or more at both widths
        scale = page.evaluate(
            "(() => { const s = [...document.querySelectorAll('svg.flow')].find((e) => !e.classList.contains('hidden'));"
            " return s.getBoundingClientRect().width / s.viewBox.baseVal.width; })()"
        )
        assert scale * 13 >= 11.5
        opened.screenshot(f"{report}-{viewport}-page")
        opened.screenshot(f"{report}-{viewport}-flow", "#flow-section")
        opened.screenshot(f"{report}-{viewport}-matrix", "#matrix-section")
        page.click("svg.flow:not(.hidden) .node-category")
        assert page.evaluate(TEXT_FITS) == []  # the details panel fits too
        opened.screenshot(f"{report}-{viewport}-selected", "#flow-section")
        page.check("#fit-width")  # the whole diagram in the width there is
        box = page.locator("svg.flow:not(.hidden)").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORTS[viewport][0]
        opened.screenshot(f"{report}-{viewport}-fit", "#flow-section")
        opened.assert_clean()
    finally:
        opened.close()


def test_every_node_is_reachable_with_the_keyboard(browser, six_report):
    opened = Opened(browser, six_report)
    try:
        page = opened.page
        expected = set(page.evaluate(VISIBLE_NODES))
        assert "container:crm/public.customer" in expected and "container:app_db/public.customer" in expected
        reached: set[str] = set()
        for _ in range(400):
            page.keyboard.press("Tab")
            node = page.evaluate("document.activeElement.getAttribute('data-node')")
            if node and page.evaluate("!!document.activeElement.closest('svg')"):
                reached.add(node)
            if reached >= expected:
                break
        assert reached == expected
        page.focus("svg.flow:not(.hidden) .node[data-node='container:crm/public.customer']")
        page.keyboard.press("Enter")
        assert page.text_content("#details-title") == "container: crm \u203a public.customer"  # full name
        # arrow keys: left to its system, right back to a linked category, up / down in a column
        focused = "document.activeElement.getAttribute('data-node')"
        page.keyboard.press("ArrowLeft")
        assert page.evaluate(focused) == "system:crm"
        page.keyboard.press("ArrowRight")
        assert page.evaluate(focused) == "container:crm/public.customer"
        page.keyboard.press("ArrowRight")
        assert page.evaluate(focused) in {"category:user.contact.email", "category:user.contact.phone_number"}
        before = page.evaluate(focused)
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowUp")
        assert page.evaluate(focused) == before
        page.keyboard.press("Escape")
        assert page.text_content("#details-title") == "Select a node"
        opened.assert_clean()
    finally:
        opened.close()


def test_clicking_a_node_shows_its_findings_with_masked_examples(opened):
    page = opened.page
    page.click("svg.flow:not(.hidden) .node[data-node='category:user.contact.phone_number']")
    assert page.text_content("#details-title") == "category: user.contact.phone_number"
    item = page.locator("#details-body ol.findings li").first
    assert item.locator(".where").text_content() == "app_db \u203a main.accounts \u203a phone"
    assert "confidence" in item.text_content() and "matched 40/40" in item.text_content()
    assert item.locator(".examples").text_content().startswith("+* ***-***-**")  # masked, never the number
    assert "PIIMAP002" in page.text_content("#details-body")
    linked = page.evaluate("[...document.querySelectorAll('svg.flow:not(.hidden) .band.linked')].length")
    assert linked >= 1
    opened.assert_clean()


def test_a_violation_links_to_its_node_and_its_matrix_cell(opened):
    page = opened.page
    group = page.locator("#violations-section .rule-group[data-rule='PIIMAP002']")
    assert group.locator(".help").count() == 1 and "Declare it under the system" in group.text_content()
    group.locator("a.to-node").first.click()
    assert page.text_content("#details-title") == "container: app_db \u203a main.accounts"
    assert (
        page.evaluate("document.activeElement.getAttribute('data-node')") == "container:app_db/main.accounts"
    )
    group.locator("a.to-cell").first.click()
    assert page.text_content("#cell-details-title") == "app_db \u00d7 user.contact.phone_number"
    assert "matched 40/40" in page.text_content("#cell-details-body")
    assert "PIIMAP002" in page.text_content("#cell-details-body")
    assert "violation" in page.get_attribute("td.cell.selected", "class")
    assert page.evaluate("document.activeElement.classList.contains('cell-button')")


def test_the_recipients_table_says_what_each_vendor_receives(opened):
    rows = opened.page.locator("#recipients tbody tr")
    assert rows.count() >= 2
    ga = opened.page.locator("#recipients tr[data-node='vendor:ga']").text_content()
    assert "analytics" in ga and "user.device.ip_address" in ga and "declared" in ga


def test_filters_hide_nodes_and_filtering_everything_out_clears_the_selection(opened):
    page = opened.page
    page.click("#filters summary")
    page.uncheck("input[data-kind='category'][data-value='user.contact.email']")
    shown = set(page.evaluate(VISIBLE_NODES))
    assert "category:user.contact.email" not in shown
    assert "vendor:mailer" not in shown  # nothing reaches it any more
    assert "vendor:ga" in shown
    assert page.locator("#matrix th[data-category='user.contact.email']").is_hidden()

    page.click("svg.flow:not(.hidden) .node[data-node='vendor:ga']")
    assert page.text_content("#details-title") == "vendor: Google Analytics"
    page.click("#matrix td.cell:not(.hidden) .cell-button >> nth=0")
    assert page.locator("#cell-details").is_visible()
    page.click("#categories-none")
    page.click("#systems-none")
    assert page.evaluate(VISIBLE_NODES) == []
    assert page.text_content("#details-title") == "Select a node"  # the old selection is gone
    assert page.locator("#details-body").inner_html() == ""
    assert page.locator("#cell-details").is_hidden() and page.locator("td.cell.selected").count() == 0
    page.click("#categories-all")
    page.click("#systems-all")
    assert "vendor:ga" in page.evaluate(VISIBLE_NODES)
    opened.assert_clean()


def test_a_systems_containers_fold_into_it_and_the_containers_switch_hides_them(opened):
    page = opened.page
    shown = set(page.evaluate(VISIBLE_NODES))
    assert "container:app_db/main.accounts" in shown
    page.click("svg.flow:not(.hidden) .fold[data-system='app_db']")
    shown = set(page.evaluate(VISIBLE_NODES))
    assert not any(node.startswith("container:app_db/") for node in shown)
    assert "category:user.contact.email" in shown  # still reached, through the folded band
    folded = page.evaluate("[...document.querySelectorAll('#flow-detail .band-summary:not(.hidden)')].length")
    assert folded >= 1
    page.keyboard.press("Enter")  # the fold button keeps the focus; Enter unfolds
    assert "container:app_db/main.accounts" in set(page.evaluate(VISIBLE_NODES))
    page.uncheck("#show-containers")
    assert not any(node.startswith("container:") for node in page.evaluate(VISIBLE_NODES))
    assert page.evaluate(DIAGRAM_FITS) == []
    opened.assert_clean()


def test_the_page_prints_the_diagram_and_tables_without_the_controls(opened):
    page = opened.page
    page.emulate_media(media="print")
    assert page.locator(".toolbar").is_hidden() and page.locator("#details").is_hidden()
    assert page.locator("#matrix").is_visible() and page.locator("#recipients").is_visible()
    width = page.evaluate("document.documentElement.clientWidth")
    svg = page.locator("svg.flow:not(.hidden)").bounding_box()
    assert 0 < svg["width"] <= width
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.pdf(path=ARTIFACTS / "company-print.pdf", format="A4", print_background=True)
    assert (ARTIFACTS / "company-print.pdf").stat().st_size > 10_000
    opened.assert_clean()


PAYLOADS = {
    "table": "<script>window.__pwned='table'</script>",
    "column": "<img src=x onerror='window.__pwned=1'>",
    "source": "<svg onload=window.__pwned=2>",
    "vendor": "<img src=x onerror=alert(3)>",
    "organisation": "</script><script>window.__pwned=4</script>",
}


def test_markup_in_names_and_values_never_runs(tmp_path, browser):
    database = tmp_path / "evil.db"
    with sqlite3.connect(database) as connection:
        connection.execute(
            f'CREATE TABLE "{PAYLOADS["table"]}" (id INTEGER, "{PAYLOADS["column"]}" TEXT, note TEXT)'
        )
        connection.executemany(
            f'INSERT INTO "{PAYLOADS["table"]}" VALUES (?, ?, ?)',
            [(i, f"victim{i}@example.com", f"<img src=x onerror=window.__pwned={i}>") for i in range(30)],
        )
    source = PAYLOADS["source"]
    (tmp_path / "datamap.yaml").write_text(
        textwrap.dedent(
            f"""
            organisation: {json.dumps(PAYLOADS["organisation"])}
            systems:
              {json.dumps(source)}: [user.device]
            vendors:
              evil: {{name: {json.dumps(PAYLOADS["vendor"])}, role: analytics, purpose: {json.dumps(PAYLOADS["table"])}}}
            flows:
              - {{from: {json.dumps(source)}, to: evil, categories: all}}
            """
        ).lstrip()
    )
    (tmp_path / "piimap.yaml").write_text(
        f"sources:\n  {json.dumps(source)}: sqlite:///evil.db\ndatamap: datamap.yaml\n"
        "reports:\n  - {format: html, path: report.html}\n"
    )
    code = main(
        [
            "check",
            "--config",
            str(tmp_path / "piimap.yaml"),
            "--quiet",
            "--no-store",
            "--output",
            str(tmp_path / "t.txt"),
        ]
    )
    assert code == 1  # the emails are undeclared
    opened = Opened(browser, tmp_path / "report.html")
    try:
        page = opened.page
        for node in page.locator("svg.flow:not(.hidden) .node").all():
            node.click()
        for button in page.locator(".cell-button").all():
            button.click()
        page.uncheck("#show-containers")
        opened.assert_clean()
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.locator("img, iframe, object, embed").count() == 0
        assert page.locator("svg").count() == 2  # the two drawings, nothing smuggled in
        assert page.locator("script").count() == 2  # the data and the report's script
        labels = page.locator("#flow-detail").text_content()
        assert PAYLOADS["source"] in labels and "main." + PAYLOADS["table"] in labels
        assert PAYLOADS["vendor"] in page.locator("#recipients").text_content()
        assert PAYLOADS["table"] in page.locator("#recipients").text_content()  # the purpose
        assert PAYLOADS["organisation"] in page.title()
        assert PAYLOADS["column"] in page.locator("#violations-section").text_content()
    finally:
        opened.close()


def test_a_plain_scan_writes_a_working_map_without_a_data_map(tmp_path, browser):
    company = build_company(tmp_path)
    report = tmp_path / "scan.html"
    args = [
        "scan",
        f"sqlite:///{company.database}",
        "--quiet",
        "--no-store",
        "--format",
        "html",
        "--output",
        str(report),
    ]
    assert main(args) == 0
    opened = Opened(browser, report)
    try:
        opened.assert_clean()
        shown = set(opened.page.evaluate(VISIBLE_NODES))
        assert {node.split(":")[0] for node in shown} == {"system", "container", "category"}
        assert "container:sqlite:app/main.accounts" in shown
        assert "No data map or policy was checked" in opened.page.text_content("#violations-section")
        assert opened.page.evaluate(TEXT_FITS) == []
    finally:
        opened.close()


@pytest.mark.parametrize("sources", [(), ("app_db", "web_logs")])
def test_an_empty_scan_opens_clean(tmp_path, browser, sources):
    report = tmp_path / "empty.html"
    report.write_text(render_report("html", scan_result(sources=sources)), encoding="utf-8")
    opened = Opened(browser, report, "phone")
    try:
        opened.assert_clean()
        assert opened.page.evaluate(TEXT_FITS) == [] and opened.page.evaluate(DIAGRAM_FITS) == []
        assert len(opened.page.evaluate(VISIBLE_NODES)) == len(sources)
    finally:
        opened.close()
