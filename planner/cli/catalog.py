"""`python -m planner foods` and `python -m planner recipes`: the catalog on the command line."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import pandas as pd

from planner import DATA_DIR
from planner.domain.catalog import Catalog, CatalogError, load_catalog
from planner.domain.k2_evidence import KNOWN_GRADES, k2_text
from planner.domain.nutrients import ALL_IDS

RECIPE_FIELDS = ("name", "slots", "servings", "diet", "allergens", "k2_coverage", "k2_measured",
                 "k2_derived", "k2_borrowed", "d3_coverage", "cost_eur")
SUMMARY = ("energy_kcal", "protein_g", "calcium_mg", "k2_ug", "vit_d3_ug")


def add_catalog_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register the `foods` and `recipes` subcommands."""
    for name, helptext, run in (
        ("foods", "list foods with nutrients per 100 g", _foods),
        ("recipes", "list recipes with per-serving nutrients, diet, allergens, K2 coverage",
         _recipes),
    ):
        sub = subparsers.add_parser(name, help=helptext)
        sub.add_argument("--json", action="store_true", help="print one JSON document")
        sub.add_argument("--data", type=Path, default=DATA_DIR, help="data folder")
        sub.set_defaults(handler=lambda args, run=run: run(load_or_exit(args.data), args.json))


def load_or_exit(folder: Path) -> Catalog:
    """The catalog in ``folder``; bad data exits with every problem listed."""
    try:
        return load_catalog(folder)
    except CatalogError as exc:
        raise SystemExit(str(exc)) from None


def _clean(value):
    """JSON-safe value: NaN (unknown) becomes null, sets become sorted lists."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, frozenset | set | tuple):
        return sorted(str(v) for v in value)
    if hasattr(value, "item"):
        return value.item()
    return value


def _records(frame: pd.DataFrame, id_name: str, fields: tuple[str, ...]) -> list[dict]:
    return [
        {id_name: key, **{f: _clean(row[f]) for f in fields}}
        for key, row in frame.iterrows()
    ]


def _foods(catalog: Catalog, as_json: bool) -> None:
    fields = ("name", "category", "usda_ndb", *ALL_IDS, "animal", "allergens", "price_per_kg",
              "nutrient_source", "k2_source", "k2_grade")
    if as_json:
        print(json.dumps({"foods": _records(catalog.foods, "food_id", fields)}, ensure_ascii=False))
        return
    table = catalog.foods[["name", "category", *SUMMARY, "k2_grade"]]
    print(table.to_string(na_rep="?", float_format=lambda v: f"{v:.1f}"))
    print("\nper 100 g; ? = unknown (not measured), never zero; k2_grade = evidence behind K2")


def _recipes(catalog: Catalog, as_json: bool) -> None:
    if as_json:
        records = _records(catalog.recipes, "recipe_id", (*RECIPE_FIELDS, *ALL_IDS))
        print(json.dumps({"recipes": records}, ensure_ascii=False))
        return
    recipes = catalog.recipes
    table = recipes[["name", "diet", *SUMMARY]].copy()
    table["diet"] = table["diet"].astype(str)
    table["k2_ug"] = [k2_text(k2, cov) for k2, cov in zip(recipes["k2_ug"],
                                                          recipes["k2_coverage"], strict=True)]
    for grade in KNOWN_GRADES:
        table[grade] = (recipes[f"k2_{grade}"] * 100).round().astype(int).astype(str) + " %"
    print(table.to_string(na_rep="?", float_format=lambda v: f"{v:.1f}"))
    print("\nper serving; ? = unknown; K2 counts known figures only (a lower bound); "
          "measured/derived/borrowed = share of ingredient mass whose K2 figure has that grade")
