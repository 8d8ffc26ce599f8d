"""Run the app headless and save one screenshot per page to docs/screenshots/, and the Plan
page's first screen on a phone.

Run: ``.venv/bin/python -m tools.screenshots``. Also provides the server and
browser helpers the browser test and the dashboard benchmark share.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
WAIT_MS = 60_000
PAGES = {"plan": "Plan", "nutrients": "Nutrients", "shopping": "Shopping list",
         "recipes": "Recipes", "sources": "Sources & method"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(var_dir: Path) -> Iterator[str]:
    """``streamlit run app.py`` on a free loopback port; yields its URL, stops it on exit."""
    port = free_port()
    env = {**os.environ, "PLANNER_DATA_DIR": str(var_dir)}
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


def _wait_until_healthy(url: str, server: subprocess.Popen) -> None:
    for _ in range(600):
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited: {server.stdout.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("streamlit did not become healthy in 60 s")


def launch(playwright):
    """Debian's Chromium, headless; a clear error when it is not installed."""
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: install Debian's chromium package "
                           "(CI's .ci/run does)")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def create_plan(page) -> None:
    """Press Create plan and wait until the plan and its day-status table are drawn."""
    page.get_by_role("button", name="Create plan").click()
    page.get_by_text("How this was found").first.wait_for(timeout=WAIT_MS)
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=WAIT_MS)


def open_page(page, title: str) -> None:
    """Follow a navigation link and wait for the page's script to finish."""
    page.get_by_role("link", name=title).first.click()
    page.get_by_role("heading", name=title).first.wait_for(timeout=WAIT_MS)
    wait_idle(page)


def wait_idle(page) -> None:
    """Wait until no script runs, no element is a placeholder and every chart is drawn."""
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')
            && !document.querySelector('[data-testid="stSkeleton"]')
            && [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
                 .every(c => c.querySelector('.vega-embed svg, .vega-embed canvas'))""",
        timeout=WAIT_MS)


def main() -> None:
    from playwright.sync_api import sync_playwright

    out = ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with (streamlit_server(Path(tempfile.mkdtemp())) as url, sync_playwright() as p):
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 2600})
        page.goto(url)
        create_plan(page)
        wait_idle(page)
        for name, title in PAGES.items():
            if name != "plan":
                open_page(page, title)
            page.screenshot(path=out / f"{name}.png", full_page=True)
            print(out / f"{name}.png")
        phone = browser.new_page(viewport={"width": 390, "height": 844})
        phone.goto(url)
        create_plan(phone)
        wait_idle(phone)
        phone.screenshot(path=out / "plan_phone.png")  # what a phone shows first
        print(out / "plan_phone.png")
        browser.close()


if __name__ == "__main__":
    main()
