"""The app in a real headless Chromium: create a plan, see the K2 chart, download the list."""

from __future__ import annotations

import csv
import io

import pytest

from tools.screenshots import ROOT, WAIT_MS, create_plan, launch, open_page, streamlit_server

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with streamlit_server(tmp_path_factory.mktemp("var")) as url, sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(accept_downloads=True,
                                      viewport={"width": 1400, "height": 2600})
        page = context.new_page()
        page.goto(url)
        yield page
        context.close()
        browser.close()


def test_create_plan_see_k2_chart_and_download_shopping_list(page):
    create_plan(page)
    page.screenshot(path=ARTIFACTS / "plan.png", full_page=True)

    open_page(page, "Nutrients")
    page.locator(".vega-embed").first.locator("svg, canvas").first.wait_for(timeout=WAIT_MS)
    page.screenshot(path=ARTIFACTS / "nutrients.png", full_page=True)

    open_page(page, "Shopping list")
    button = page.get_by_role("button", name="Download shopping list (CSV)")
    page.screenshot(path=ARTIFACTS / "shopping.png", full_page=True)
    with page.expect_download(timeout=WAIT_MS) as info:
        button.click()
    path = ARTIFACTS / "shopping_list.csv"
    info.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows, "the shopping list CSV is empty"
    assert "grams" in " ".join(rows[0]).lower()
