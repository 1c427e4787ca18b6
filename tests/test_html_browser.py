"""The HTML data map in a real browser: Debian's Chromium driven by Playwright.

The page must load offline with no console errors and no Content-Security-Policy violations,
draw the graph, reveal a node's findings when it is clicked (on the canvas, or through the
keyboard-friendly node list), filter by category and system, and run nothing that table,
column, source or vendor names smuggle in.
"""

from __future__ import annotations

import json
import os
import sqlite3
import textwrap
from pathlib import Path

import pytest
from test_check_cli import DATAMAP, build_company

from piimap.cli import main

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
WATCH_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""
CANVAS_INK = """() => {
  const canvas = document.querySelector('#graph canvas');
  if (!canvas || !canvas.width) return 0;
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let ink = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) ink++;
  return ink;
}"""
NODE_POINT = """(id) => {
  const network = window.piimapReport.network;
  const position = network.getPositions([id])[id];
  const dom = network.canvasToDOM(position);
  const box = document.querySelector('#graph canvas').getBoundingClientRect();
  return {x: box.left + dom.x, y: box.top + dom.y};
}"""
SHOWN_NODES = "() => window.piimapReport.network.body.data.nodes.getIds()"


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

    def __init__(self, browser, path: Path):
        self.context = browser.new_context(viewport={"width": 1500, "height": 1000}, java_script_enabled=True)
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
        self.page.wait_for_function(f"({CANVAS_INK})() > 500")

    def _on_console(self, message) -> None:
        # Errors, and anything about the Content-Security-Policy, whatever its level. (Warnings
        # such as Chromium's getImageData hint come from this test's own canvas probing.)
        if message.type == "error" or "Content Security Policy" in message.text:
            self.console.append(f"{message.type}: {message.text}")

    def close(self):
        self.context.close()

    def assert_clean(self):
        assert self.console == [], self.console
        assert self.page.evaluate("window.__csp") == []
        assert self.dialogs == []
        assert [url for url in self.requests if not url.startswith("file://")] == []


@pytest.fixture(scope="module")
def company_report(tmp_path_factory, browser) -> Path:
    """A real check of the small SQLite company, with one undeclared category (phone)."""
    root = tmp_path_factory.mktemp("company")
    company = build_company(
        root, datamap=DATAMAP.replace("          phone: [user.contact.phone_number]\n", "")
    )
    assert (
        main(
            [
                "check",
                "--config",
                str(company.config),
                "--quiet",
                "--no-store",
                "--output",
                str(root / "table.txt"),
            ]
        )
        == 1
    )
    return company.report("report.html")


@pytest.fixture
def opened(browser, company_report):
    page = Opened(browser, company_report)
    yield page
    page.close()


def test_the_report_loads_offline_without_errors_and_draws_the_graph(opened):
    opened.assert_clean()
    assert opened.page.evaluate(CANVAS_INK) > 500
    shown = set(opened.page.evaluate(SHOWN_NODES))
    assert {"system:app_db", "category:user.contact.phone_number", "vendor:ga", "vendor:mailer"} <= shown
    assert "failing" in opened.page.text_content("#summary")
    rows = opened.page.locator("#violations tbody tr")
    assert rows.count() == 1
    assert "PIIMAP002 undeclared-category" in rows.first.text_content()
    assert "Declare it under the system" in rows.first.text_content()  # the rule's help


def test_clicking_a_node_on_the_canvas_shows_its_findings_with_masked_examples(opened):
    page = opened.page
    point = page.evaluate(NODE_POINT, "category:user.contact.phone_number")
    page.mouse.click(point["x"], point["y"])
    assert page.text_content("#details-title") == "category: user.contact.phone_number"
    cells = page.locator("#details-body table tbody tr").first.locator("td").all_text_contents()
    assert cells[:4] == ["app_db", "main.accounts", "phone", "user.contact.phone_number"]
    assert float(cells[4]) >= 0.5
    assert cells[5] == "40/40"
    assert cells[6].startswith("+* ***-***-**")  # masked, never the number
    assert "PIIMAP002" in page.text_content("#details-body")
    opened.assert_clean()


def test_a_violation_links_to_its_node(opened):
    page = opened.page
    page.click("#violations tbody button.link")
    assert page.text_content("#details-title") == "container: main.accounts"
    assert "PIIMAP002" in page.text_content("#details-body")
    assert page.evaluate("window.piimapReport.network.getSelectedNodes()") == [
        "container:app_db/main.accounts"
    ]


def test_the_node_list_is_a_keyboard_fallback_for_the_canvas(opened):
    page = opened.page
    page.focus("#node-list button[data-node='vendor:ga']")
    page.keyboard.press("Enter")
    assert page.text_content("#details-title") == "vendor: Google Analytics"
    attributes = page.text_content("#details-attributes")
    assert "analytics" in attributes and "statistics" in attributes
    categories = set(page.locator("#details-body table tbody tr td:nth-child(4)").all_text_contents())
    assert categories == {"user.device.ip_address", "user.device.cookie_id"}
    assert page.evaluate("window.piimapReport.network.getSelectedNodes()") == ["vendor:ga"]


def test_filters_hide_categories_and_systems(opened):
    page = opened.page
    page.uncheck("input[data-kind='category'][data-value='user.contact.email']")
    shown = set(page.evaluate(SHOWN_NODES))
    assert "category:user.contact.email" not in shown
    assert "vendor:mailer" not in shown  # nothing reaches it any more
    assert "vendor:ga" in shown
    assert (
        page.locator("#node-list li[data-node='category:user.contact.email']").get_attribute("class")
        == "hidden"
    )

    page.click("#categories-none")
    assert {node.split(":")[0] for node in page.evaluate(SHOWN_NODES)} == {"system"}
    page.click("#categories-all")
    page.uncheck("input[data-kind='system'][data-value='app_db']")
    assert page.evaluate(SHOWN_NODES) == []
    page.check("input[data-kind='system'][data-value='app_db']")

    containers_shown = any(node.startswith("container:") for node in page.evaluate(SHOWN_NODES))
    page.click("#show-containers")
    toggled = any(node.startswith("container:") for node in page.evaluate(SHOWN_NODES))
    assert toggled is not containers_shown
    assert page.evaluate(CANVAS_INK) > 500
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
            str(tmp_path / "table.txt"),
        ]
    )
    assert code == 1  # the emails are undeclared
    report = tmp_path / "report.html"
    opened = Opened(browser, report)
    try:
        page = opened.page
        for button in page.locator("#node-list button").all():
            button.click()
        page.click("#show-containers")
        opened.assert_clean()
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.locator("img, svg, iframe, object, embed").count() == 0
        assert page.locator("script").count() == 3  # the data, vis-network, the report's script
        listed = page.locator("#node-list").text_content()
        assert PAYLOADS["source"] in listed and "main." + PAYLOADS["table"] in listed
        assert PAYLOADS["vendor"] in listed
        assert PAYLOADS["organisation"] in page.title()
        assert PAYLOADS["column"] in page.locator("#violations").text_content()
    finally:
        opened.close()


def test_a_plain_scan_writes_a_working_map_without_a_data_map(tmp_path, browser):
    company = build_company(tmp_path)
    report = tmp_path / "scan.html"
    assert (
        main(
            [
                "scan",
                f"sqlite:///{company.database}",
                "--quiet",
                "--no-store",
                "--format",
                "html",
                "--output",
                str(report),
            ]
        )
        == 0
    )
    opened = Opened(browser, report)
    try:
        opened.assert_clean()
        shown = set(opened.page.evaluate(SHOWN_NODES))
        assert {node.split(":")[0] for node in shown} == {"system", "container", "category"}
        assert "container:sqlite:app/main.accounts" in shown
        assert "No data map or policy was checked" in opened.page.text_content("#violations-section")
    finally:
        opened.close()
