"""The K2 data report: coverage by grade and by source, and the foods still unknown.

Pure functions of a ``Catalog``; ``python -m planner data-report`` prints them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from planner.domain.catalog import Catalog
from planner.domain.k2_evidence import GRADES

THRESHOLD = 0.6  # K2 coverage below which a recipe with a K2-relevant food is listed


@dataclass(frozen=True)
class UnknownFood:
    food_id: str
    name: str
    grams_in_recipes: float
    recipes: int
    notes: str


@dataclass(frozen=True)
class DataReport:
    """Shares are of all recipe ingredient mass (0–1); recipe coverage is per recipe."""

    recipes: int
    coverage_median: float
    coverage_q1: float
    coverage_q3: float
    recipes_under_half: int
    mass_by_grade: dict[str, float]
    foods_by_grade: dict[str, int]
    mass_by_source: dict[str, float]
    k2_relevant_under_threshold: list[str]
    unknown_foods: list[UnknownFood]

    def to_dict(self) -> dict:
        return asdict(self)


def data_report(catalog: Catalog) -> DataReport:
    """Coverage figures of ``catalog`` (see ``DataReport``)."""
    foods, recipes = catalog.foods, catalog.recipes
    rows = catalog.ingredients.join(foods[["animal", "category", "k2_grade", "k2_source"]],
                                    on="food_id")
    total = rows["grams"].sum()
    source = rows["k2_source"].where(rows["k2_grade"] != "unknown", "none (unknown)")
    source = source.fillna("usda_sr28 (own row)")
    # K2-relevant: any animal food (egg, dairy, meat, fish) or a fermented one.
    relevant = set(rows.loc[(rows["animal"] != "none") | (rows["category"] == "fermented"),
                            "recipe_id"])
    low = recipes.index[(recipes["k2_coverage"] < THRESHOLD) & recipes.index.isin(relevant)]
    unknown = rows[rows["k2_grade"] == "unknown"].groupby("food_id").agg(
        grams=("grams", "sum"), recipes=("recipe_id", "nunique")).sort_values(
        "grams", ascending=False)
    coverage = recipes["k2_coverage"]
    return DataReport(
        recipes=len(recipes),
        coverage_median=float(coverage.median()),
        coverage_q1=float(coverage.quantile(0.25)),
        coverage_q3=float(coverage.quantile(0.75)),
        recipes_under_half=int((coverage < 0.5).sum()),
        mass_by_grade=_shares(rows.groupby("k2_grade")["grams"].sum(), total, GRADES),
        foods_by_grade={g: int((foods["k2_grade"] == g).sum()) for g in GRADES},
        mass_by_source=_shares(rows.groupby(source)["grams"].sum(), total),
        k2_relevant_under_threshold=sorted(low),
        unknown_foods=[
            UnknownFood(fid, foods.at[fid, "name"], float(r.grams), int(r.recipes),
                        _reason(foods.at[fid, "notes"]))
            for fid, r in unknown.iterrows()
        ],
    )


def _shares(grams: pd.Series, total: float, order: tuple[str, ...] = ()) -> dict[str, float]:
    keys = order or tuple(grams.sort_values(ascending=False).index)
    return {k: float(grams.get(k, 0.0) / total) for k in keys}


def _reason(notes: str | float) -> str:
    """The food's 'K2 unknown: …' remark, or '' when its notes give none."""
    parts = str(notes).split("; ") if isinstance(notes, str) else []
    return next((p for p in parts if p.startswith("K2 unknown")), "")
