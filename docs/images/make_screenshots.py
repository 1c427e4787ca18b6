"""Remake the documentation's screenshots of the demo's HTML data map.

    .venv/bin/python docs/images/make_screenshots.py

Writes the demo into a temporary ``piimap-demo`` directory, opens its ``report.html`` in Debian's
Chromium (Playwright, 1400x900, as the browser tests do) and saves ``demo-flow.png`` (the flow
diagram) and ``demo-matrix.png`` (the system x category matrix) next to
this file.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from piimap.cli import main

HERE = Path(__file__).parent


def make() -> None:
    demo = Path(tempfile.gettempdir()) / "piimap-demo"  # a short, stable path: it shows in the labels
    if demo.exists():
        shutil.rmtree(demo)
    try:
        main(["demo", str(demo), "--quiet"])
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto((demo / "report.html").as_uri())
            page.wait_for_function("window.piimapReport !== undefined")
            page.locator("#flow-section").screenshot(path=HERE / "demo-flow.png")
            page.locator("#matrix-section").screenshot(path=HERE / "demo-matrix.png")
            browser.close()
    finally:
        shutil.rmtree(demo, ignore_errors=True)


if __name__ == "__main__":
    make()
    sys.exit(0)
