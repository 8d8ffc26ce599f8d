"""The printable handout: a real PDF with the week, the K2 and D3 charts, the
shopping list, sources and the not-medical-advice line, in any script."""

import pytest

from planner.domain.plan import SupplementDose
from planner.io import handout, measures
from tests.fixtures.charts_export.pdf_text import image_count, page_count, pdf_text
from tests.fixtures.charts_export.plans import FIXTURE, NAMES, catalog, make_plan, two_days

CAT = catalog()
PORTIONS = measures.load_portions(FIXTURE)


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return handout.handout_pdf(two_days(), CAT, PORTIONS)


def test_it_is_a_pdf_with_pages_and_both_charts(pdf):
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert page_count(pdf) >= 1
    assert image_count(pdf) == 2


def test_it_shows_the_week_goals_and_shopping_list(pdf):
    text = pdf_text(pdf)
    assert handout.TITLE in text
    for name in ("Natto rice ×1", "Salmon rice ×1.5", "Gouda rice ×2"):
        assert name in text
    assert "Vitamin K2 (menaquinones): at least 90 µg a day, averaged over the week" in text
    assert "Vitamin D3: at least 15 µg and at most 100 µg" in text
    for cell in ("Rice cooked", "825 g", "3 ½ slices", "Cheese", "Total"):
        assert cell in text
    assert " cup" not in text and " oz" not in text, "metric measures only"
    assert "K2 unknown for 89% of ingredients" in text
    assert "A fixture source" in text
    assert "Not medical advice" in text


def test_non_latin_text_survives():
    name = "Smørrebrød · crème brûlée, 5 µg Ø"
    plan = make_plan([(1, "lunch", "gouda_rice", 1.0)], names={"gouda_rice": name})
    assert name in pdf_text(handout.handout_pdf(plan, CAT, PORTIONS))


def test_every_slot_of_a_longer_plan_is_in_the_grid():
    meals = [(d, s, r, 1.0) for d in range(1, 8)
             for s, r in (("breakfast", "natto_rice"), ("lunch", "gouda_rice"),
                          ("dinner", "salmon_rice"))]
    pdf = handout.handout_pdf(make_plan(meals), CAT, PORTIONS)
    text = pdf_text(pdf)
    assert all(f"{NAMES[r]} ×1" in text for r in NAMES)
    assert "Breakfast" in text and "Dinner" in text and page_count(pdf) >= 1


def test_supplement_sources_are_cited():
    dose = SupplementDose(day=1, supplement_id="k2_mk7_100", name="K2 MK-7 100 µg", units=1)
    plan = make_plan([(1, "lunch", "gouda_rice", 1.0)], supplements=[dose])
    assert "Label claim" in pdf_text(handout.handout_pdf(plan, CAT, PORTIONS))


def test_an_empty_plan_still_prints():
    text = pdf_text(handout.handout_pdf(make_plan([]), CAT, PORTIONS))
    assert "This plan has no meals." in text and "Not medical advice" in text
