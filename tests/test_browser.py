"""The app in a real headless Chromium: create a plan, see the K2 chart, download the list."""

from __future__ import annotations

import csv
import io
import re
from contextlib import contextmanager

import pytest

from tools.screenshots import (
    ROOT,
    WAIT_MS,
    create_plan,
    launch,
    open_page,
    streamlit_server,
    wait_idle,
)

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """(app URL, Chromium) shared by every test of this module."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with streamlit_server(tmp_path_factory.mktemp("var")) as url, sync_playwright() as p:
        browser = launch(p)
        yield url, browser
        browser.close()


@pytest.fixture(scope="module")
def page(server):
    url, browser = server
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 2600})
    page = context.new_page()
    page.goto(url)
    yield page
    context.close()


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


@contextmanager
def page_with_plan(server, width: int, height: int):
    """A page of the app at ``width``×``height`` px after Create plan, drawn and idle."""
    url, browser = server
    with browser.new_context(viewport={"width": width, "height": height}) as context:
        page = context.new_page()
        page.goto(url)
        create_plan(page)
        wait_idle(page)
        yield page


@pytest.mark.parametrize(("width", "height"), [(1400, 900), (390, 844)], ids=["wide", "phone"])
def test_day_one_and_the_headline_are_readable_at_every_width(server, width, height):
    with page_with_plan(server, width, height) as page:
        headline = page.locator("[data-testid='stMetric']").filter(has_text="Vitamin D3").first
        box = headline.bounding_box()
        assert box and box["y"] + box["height"] <= height, "headline above the fold"
        k2 = page.locator("[data-testid='stMetric']").filter(has_text="Vitamin K2").first
        assert "≥" in k2.inner_text(), "known K2 only is counted: a lower bound"
        assert page.get_by_text(re.compile(r"K2 known for \d+% of the plan's ingredient mass"))\
            .first.is_visible()
        card = page.locator("[data-testid='stColumn']").filter(has_text="Day 1").filter(
            has_text="Breakfast:").first
        for slot in ("Breakfast:", "Lunch:", "Dinner:", "Snack:"):
            line = card.get_by_text(slot).first
            line.scroll_into_view_if_needed()
            slot_box = line.bounding_box()
            assert slot_box and slot_box["x"] >= 0 and slot_box["x"] + 10 <= width, slot
        chart = page.locator("[data-testid='stVegaLiteChart']").first
        chart.scroll_into_view_if_needed()
        assert chart.locator("svg, canvas").count() > 0
        page.screenshot(path=ARTIFACTS / f"plan_{width}.png", full_page=True)


# Each chart's drawing (canvas or svg, legends included) against the box Streamlit gives it.
CHART_OVERFLOW = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
    .map(c => {
        const drawn = c.querySelector('.vega-embed svg, .vega-embed canvas');
        return {box: c.getBoundingClientRect().right,
                drawn: drawn ? drawn.getBoundingClientRect().right : 0,
                title: drawn ? drawn.getAttribute('aria-label') || '' : ''};
    })
    .filter(r => r.drawn > r.box + 1)"""


@pytest.mark.parametrize(("width", "height"), [(1400, 900), (390, 844)], ids=["wide", "phone"])
def test_every_chart_fits_its_box_legends_included(server, width, height):
    with page_with_plan(server, width, height) as page:
        assert page.evaluate(CHART_OVERFLOW) == [], "a chart on the Plan page is clipped"
        expand = page.get_by_test_id("stExpandSidebarButton")
        if expand.is_visible():  # the phone layout folds the navigation away
            expand.click()
        open_page(page, "Nutrients")
        page.wait_for_function("""() => document.querySelectorAll(
            '[data-testid="stVegaLiteChart"]').length >= 7""", timeout=WAIT_MS)
        wait_idle(page)
        assert page.evaluate(CHART_OVERFLOW) == [], "a chart on the Nutrients page is clipped"
        page.screenshot(path=ARTIFACTS / f"nutrients_{width}.png", full_page=True)


def test_the_meal_picker_names_the_meal_the_ban_button_names_after_a_ban(server):
    url, browser = server
    with browser.new_context(viewport={"width": 1400, "height": 2600}) as context:
        page = context.new_page()
        page.goto(url)
        create_plan(page)
        wait_idle(page)
        ban = page.locator(".st-key-ban button")
        before = ban.inner_text()
        ban.click()
        page.wait_for_function(
            "b => document.querySelector('.st-key-ban button')?.innerText !== b", arg=before,
            timeout=WAIT_MS)
        wait_idle(page)
        banned_name = before.split("“")[1].split("”")[0]
        new_name = ban.inner_text().split("“")[1].split("”")[0]
        picker = page.locator(".st-key-meal_pick input").input_value()  # the text shown
        assert new_name in picker and banned_name not in picker, (picker, new_name)
