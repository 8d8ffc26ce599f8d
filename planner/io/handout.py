"""The PDF handout: goals, the week, charts, the shopping list and sources (fpdf2, with
charts drawn by vl-convert)."""


from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import vl_convert
from fpdf import FPDF, FontFace, XPos, YPos

from planner.analysis import charts
from planner.domain import nutrients
from planner.domain.catalog import Catalog, Slot
from planner.domain.plan import Plan, shopping_list, supplement_labels
from planner.io.measures import grams_text
from planner.io.plan_files import SUPPLEMENT, category_label, shopping_list_frame

TITLE = "K2·D3 Meal Planner"
NOT_MEDICAL_ADVICE = (
    "Not medical advice: a meal-planning aid. People on warfarin or other vitamin K "
    "antagonists must keep vitamin K steady and talk to their clinician before changing it."
)
FONT = "DejaVu"
# fpdf2 needs a Unicode TTF for µ and ·; Debian's fonts-dejavu-core puts DejaVu here.
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
DAY_WIDTH = 12  # mm, the week grid's day column
CHART_SIZE = (420, 200)  # px, before vl-convert's 2× scale


def _font_file(name: str) -> Path:
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return folder / name
    raise FileNotFoundError(
        f"font {name} not found in {', '.join(map(str, FONT_DIRS))}; "
        "install Debian's fonts-dejavu-core")


class _Handout(FPDF):
    """A4 portrait in DejaVu Sans (µ, ·, é, Ø render), with a page footer."""

    def __init__(self) -> None:
        super().__init__(format="A4")
        self.add_font(FONT, "", _font_file("DejaVuSans.ttf"))
        self.add_font(FONT, "B", _font_file("DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(True, margin=15)
        self.set_title(TITLE)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.cell(0, 5, f"{TITLE} · not medical advice · page {self.page_no()}", align="C")

    def heading(self, text: str) -> None:
        self.set_font(FONT, "B", 13)
        self.cell(0, 9, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, "", 9)

    def paragraph(self, text: str) -> None:
        self.multi_cell(0, 5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def grid(self, rows: list[list[str]], widths: tuple[float, ...]) -> None:
        with self.table(col_widths=widths, text_align="LEFT", line_height=5,
                        headings_style=FontFace(emphasis="BOLD")) as table:
            for values in rows:
                table.row(values)
        self.ln(3)


def _goal_lines(plan: Plan) -> list[str]:
    lines = []
    for nutrient_id, bound in plan.targets.items():
        n = nutrients.get(nutrient_id)
        parts = [f"at least {bound.min:g} {n.unit}" if bound.min is not None else "",
                 f"at most {bound.max:g} {n.unit}" if bound.max is not None else ""]
        per = "a day, averaged over the week" if str(bound.window) == "week" else "every day"
        lines.append(f"{n.label}: {' and '.join(p for p in parts if p)} {per}")
    return lines


def _week_rows(plan: Plan) -> list[list[str]]:
    slots = [s.value for s in Slot if any(m.slot == s.value for m in plan.meals)]
    cells: dict[int, dict[str, str]] = {}
    for m in plan.meals:
        cells.setdefault(m.day, {})[m.slot] = f"{m.name} ×{m.servings:g}"
    pills = supplement_labels(plan)
    if pills:
        slots.append(SUPPLEMENT)
        for day, text in pills.items():
            cells.setdefault(day, {})[SUPPLEMENT] = text
    header = ["Day", *(("Supplements" if s == SUPPLEMENT else s.capitalize()) for s in slots)]
    return [header, *([str(day), *(cells[day].get(s, "") for s in slots)]
                      for day in sorted(cells))]


def _chart_png(chart) -> bytes:
    return vl_convert.vegalite_to_png(
        chart.properties(width=CHART_SIZE[0], height=CHART_SIZE[1]).to_dict(), scale=2)


def _source_lines(plan: Plan, catalog: Catalog) -> list[str]:
    """Citations behind the plan's figures: K2 and supplement sources in full, then each
    food table with the food numbers used ("USDA SR28: 01009, 16113")."""
    used = catalog.foods.loc[shopping_list(plan, catalog)["food_id"]]
    keys = set(used["k2_source"].dropna())
    keys |= {catalog.supplements.loc[s.supplement_id, "source"] for s in plan.supplements}
    lines = [f"{catalog.sources.loc[k, 'citation']}" for k in sorted(keys)
             if k in catalog.sources.index]
    tables: dict[str, list[str]] = {}
    for text in sorted(set(used["nutrient_source"].dropna())):
        match = re.fullmatch(r"(.*?)[\s,]*(?:NEVO code\s*)?(\d+)", text)
        table, code = match.groups() if match else (text, "")
        tables.setdefault(table, []).extend([code] if code else [])
    lines += [f"{table}: {', '.join(codes)}" if codes else table for table, codes in tables.items()]
    return lines


def handout_pdf(plan: Plan, catalog: Catalog, portions: pd.DataFrame | None = None) -> bytes:
    """A printable handout of ``plan`` as PDF bytes.

    Goals, the week grid (days × slots, recipe and servings), the daily K2 and
    D3 charts, the shopping list with household measures and cost, the sources
    and a not-medical-advice line.
    """
    pdf = _Handout()
    pdf.add_page()
    pdf.set_font(FONT, "B", 18)
    pdf.cell(0, 11, TITLE, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 10)
    days = len({m.day for m in plan.meals})
    pdf.paragraph(f"{days} day(s) · status: {plan.status} · estimated cost €{plan.cost_eur:.2f}")

    pdf.heading("Goals")
    for line in _goal_lines(plan):
        pdf.paragraph(f"• {line}")
    pdf.heading("The plan")
    week = _week_rows(plan)
    if len(week[0]) > 1:
        slot_width = (pdf.epw - DAY_WIDTH) / (len(week[0]) - 1)
        pdf.grid(week, (DAY_WIDTH, *[slot_width] * (len(week[0]) - 1)))
    else:
        pdf.paragraph("This plan has no meals.")

    frames = charts.plan_frames(plan, catalog)
    pdf.heading("Vitamin K2 and D3 each day")
    note = frames.k2_unknown_note()
    if note:
        pdf.paragraph(note)
    for chart in (charts.k2_by_recipe_chart(frames), charts.d3_chart(frames)):
        pdf.image(io.BytesIO(_chart_png(chart)), w=pdf.epw * 0.8)
        pdf.ln(2)

    pdf.heading("Shopping list")
    items = shopping_list_frame(plan, catalog, portions)
    rows = [["Category", "Food", "Amount", "Household measure", "Cost (€)"]]
    rows += [[category_label(r.category), r.food, grams_text(r.grams), r.measure,
              f"{r.cost_eur:.2f}"] for r in items.itertuples(index=False)]
    rows.append(["", "Total", "", "", f"{items['cost_eur'].sum():.2f}"])
    pdf.grid(rows, (30, 62, 18, 50, 20))
    for note in dict.fromkeys(n for n in items["note"] if n):
        pdf.paragraph(f"Note: {note}")

    pdf.heading("Sources")
    for line in _source_lines(plan, catalog):
        pdf.paragraph(f"• {line}")
    pdf.ln(2)
    pdf.set_font(FONT, "B", 10)
    pdf.paragraph(NOT_MEDICAL_ADVICE)
    return bytes(pdf.output())
