"""The pandera schemas of ``data/`` and the translation of their failures into ``Problem``s.

Every number column is a ``_number``: finite (``inf``, ``nan`` and ``Infinity`` are
refused before pandera coerces them, since a coerced ``nan`` would read as blank),
within its lower bound and below an upper bound no real food, recipe or price
reaches. Kept apart from ``planner.domain.catalog`` so that loading a cached catalog does
not import pandera.
"""

from __future__ import annotations

import math

import pandas as pd
import pandera.pandas as pa

from planner.domain import nutrients as nu
from planner.domain.catalog import ALLERGENS, ANIMAL_DIET, SLUG, LifeStage, Problem, Sex, Slot
from planner.domain.k2_evidence import GRADES
from planner.domain.nutrients import MENAQUINONES, STORED_IDS

# Most of a nutrient 100 g of anything (or one supplement unit) can hold, by unit.
PER_100G_MAX = {"g": 100.0, "kcal": 1000.0, "mg": 100_000.0, "µg": 100_000_000.0}
NOT_FINITE = "not a finite number"


def _number(low: float, high: float, *, above: bool = False, nullable: bool = False
            ) -> pa.Column:
    """A float column in ``[low, high]`` (``(low, high]`` when ``above``)."""
    floor = pa.Check.gt(low) if above else pa.Check.ge(low)
    return pa.Column(float, [floor, pa.Check.le(high)], nullable=nullable, coerce=True)


def _nutrient_columns() -> dict[str, pa.Column]:
    return {n: _number(0, PER_100G_MAX[nu.get(n).unit], nullable=True) for n in STORED_IDS}


def _pipe_set_check(allowed: tuple[str, ...], what: str) -> pa.Check:
    def ok(values: pd.Series) -> pd.Series:
        return values.fillna("").map(
            lambda v: all(part in allowed for part in v.split("|") if part)
        )

    return pa.Check(ok, element_wise=False, error=f"unknown {what} (allowed: {', '.join(allowed)})")


def schemas(source_keys: set[str]) -> dict[str, pa.DataFrameSchema]:
    """One schema per table of ``FILES``; ``source_keys`` are the keys a source column may use."""
    id_col = pa.Column(str, pa.Check.str_matches(SLUG), unique=True)
    source_key = pa.Check(
        lambda s: s.isna() | s.isin(source_keys),
        element_wise=False,
        error="source key not in sources.csv",
    )
    return {
        "sources": pa.DataFrameSchema(
            {
                "key": pa.Column(str, unique=True),
                "citation": pa.Column(str),
                "url_or_doi": pa.Column(str, nullable=True),
                "used_for": pa.Column(str, nullable=True),
            }
        ),
        "foods": pa.DataFrameSchema(
            {
                "food_id": id_col,
                "name": pa.Column(str),
                "category": pa.Column(str),
                "usda_ndb": pa.Column(str, pa.Check.str_matches(r"^\d{5}$"), nullable=True),
                **_nutrient_columns(),
                "animal": pa.Column(str, pa.Check.isin(list(ANIMAL_DIET))),
                "allergens": pa.Column(str, _pipe_set_check(ALLERGENS, "allergen"), nullable=True),
                "price_per_kg": _number(0, 100_000),
                "nutrient_source": pa.Column(str),
                "k2_source": pa.Column(str, source_key, nullable=True),
                "k2_grade": pa.Column(str, pa.Check.isin(list(GRADES))),
                "notes": pa.Column(str, nullable=True),
            },
            checks=pa.Check(
                lambda df: df[list(MENAQUINONES)].notna().any(axis=1)
                == (df["k2_grade"] != "unknown"),
                error="k2_grade must be unknown exactly when no K2 form has a figure",
            ),
        ),
        "recipes": pa.DataFrameSchema(
            {
                "recipe_id": id_col,
                "name": pa.Column(str),
                "slots": pa.Column(str, _pipe_set_check(tuple(Slot), "slot")),
                "servings": _number(0, 100, above=True),
                "prep_minutes": _number(0, 7 * 24 * 60, nullable=True),
                "cuisine": pa.Column(str, nullable=True),
                "tags": pa.Column(str, nullable=True),
                "method": pa.Column(str, nullable=True),
            }
        ),
        "ingredients": pa.DataFrameSchema(
            {
                "recipe_id": pa.Column(str),
                "food_id": pa.Column(str),
                "grams": _number(0, 100_000, above=True),
                "note": pa.Column(str, nullable=True),
            }
        ),
        "supplements": pa.DataFrameSchema(
            {
                "supplement_id": id_col,
                "name": pa.Column(str),
                "unit": pa.Column(str),
                **_nutrient_columns(),
                "price_per_unit": _number(0, 10_000),
                "source": pa.Column(str),
            }
        ),
        "dri": pa.DataFrameSchema(
            {
                "nutrient": pa.Column(str),
                "sex": pa.Column(str, pa.Check.isin([*(s.value for s in Sex), "any"])),
                "age_min": _number(0, 150),
                "age_max": _number(0, 150, nullable=True),
                "life_stage": pa.Column(str, pa.Check.isin([s.value for s in LifeStage])),
                "kind": pa.Column(str, pa.Check.isin(["RDA", "AI", "UL"])),
                "value": _number(0, 100_000_000),
                "unit": pa.Column(str),
                "source": pa.Column(str, source_key),
            }
        ),
        "k2_presets": pa.DataFrameSchema(
            {
                "preset_id": id_col,
                "label": pa.Column(str),
                "k2_ug_per_day": _number(0, 100_000, above=True),
                "kind": pa.Column(str),
                "source": pa.Column(str, source_key),
                "note": pa.Column(str, nullable=True),
            }
        ),
    }


def validate(
    name: str, frame: pd.DataFrame, schema: pa.DataFrameSchema, problems: list[Problem]
) -> pd.DataFrame | None:
    """``frame`` checked against ``schema`` (all failures at once); None when it fails, with
    each failure appended to ``problems`` as file, line, column and rule."""
    numbers = [c for c, col in schema.columns.items() if c in frame and str(col.dtype) == "float64"]
    reported = set()
    for column in numbers:
        bad = frame[column].dropna().map(_not_finite)
        for index in bad.index[bad]:
            problems.append(Problem(name, int(index) + 2, column,
                                    f"{NOT_FINITE} (value: {frame.at[index, column]!r})"))
            reported.add((int(index) + 2, column))
        frame = frame.assign(**{column: frame[column].mask(frame.index.isin(bad.index[bad]))})
    try:
        checked = schema.validate(frame, lazy=True)
        return None if reported else checked
    except pa.errors.SchemaErrors as exc:
        for case in exc.failure_cases.itertuples(index=False):
            index = case.index
            row = int(index) + 2 if pd.notna(index) else None
            if (row, case.column) in reported:
                continue
            if case.check == "column_in_dataframe":
                problems.append(
                    Problem(name, None, str(case.failure_case), "required column is missing")
                )
                continue
            rule = "duplicate id" if case.check == "field_uniqueness" else str(case.check)
            if "coerce_dtype" in rule:
                rule = "not a number"
            elif "not_nullable" in rule:
                rule = "must not be blank"
            if rule.startswith("greater_than_or_equal_to(0"):
                rule = "negative value"
            elif rule.startswith("greater_than(0"):
                rule = "must be greater than 0"
            elif rule.startswith("less_than_or_equal_to("):
                rule = f"implausibly large (at most {rule.split('(')[1].rstrip(')')})"
            value = case.failure_case
            problems.append(Problem(name, row, case.column, f"{rule} (value: {value!r})"))
        return None


def _not_finite(text: str) -> bool:
    """Whether a CSV cell is a number Python reads but no table may hold (inf, nan)."""
    try:
        return not math.isfinite(float(text))
    except ValueError:
        return False
