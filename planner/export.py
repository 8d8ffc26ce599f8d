"""Take a plan home: CSV, JSON, a shopping list in household measures, a PDF handout.

Amounts are grams and registry units (see ``planner.nutrients``); money is EUR.
Household measures come from ``data/portions.csv`` (SR28 household weights:
``food_id, amount, measure, grams, source``, e.g. ``rice,1,cup,158,…``); grams
are always given as well, so a food without a known measure is never lost.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from planner import DATA_DIR

PORTIONS_FILE = "portions.csv"
# Vulgar fractions a kitchen measure is rounded to below ``WHOLE_FROM`` measures.
FRACTIONS: tuple[tuple[float, str], ...] = (
    (0.0, ""), (1 / 4, "¼"), (1 / 3, "⅓"), (1 / 2, "½"), (2 / 3, "⅔"), (3 / 4, "¾"),
)
WHOLE_FROM = 10
# A measure reads naturally when it counts 1 to 12 of something.
NATURAL_COUNT = (1.0, 12.0)
# First words of SR28 measures that are countable nouns (plural when more than one);
# adjectives ("large") and abbreviations ("oz", "tbsp") stay as they are.
COUNT_NOUNS = frozenset({
    "bar", "bottle", "breast", "bunch", "can", "chop", "clove", "container", "cookie", "cube",
    "cup", "drumstick", "ear", "egg", "fillet", "fruit", "glass", "head", "item", "jar", "leaf",
    "link", "loaf", "package", "packet", "pat", "patty", "piece", "pint", "portion", "quart",
    "roast", "roll", "sandwich", "scoop", "serving", "slice", "sprig", "spear", "stalk", "steak",
    "stick", "tablespoon", "teaspoon", "thigh", "unit", "wedge",
})


def round_count(count: float) -> tuple[float, str]:
    """``count`` rounded as a kitchen quantity, as (value, text).

    Nearest ¼ or ⅓ below 10 (2.45 → (2.5, "2 ½"), 0.7 → (⅔, "⅔")), whole numbers
    from 10 on; (0, "") when it rounds to nothing.
    """
    if count >= WHOLE_FROM:
        return float(round(count)), str(round(count))
    whole = math.floor(count)
    options = [(whole + value, str(whole) if whole else "", glyph) for value, glyph in FRACTIONS]
    options.append((whole + 1, str(whole + 1), ""))
    value, number, glyph = min(options, key=lambda o: abs(o[0] - count))
    return value, " ".join(part for part in (number, glyph) if part)


def pluralize(measure: str) -> str:
    """``measure`` with its first word in the plural when that word is a countable noun."""
    head, sep, rest = measure.partition(" ")
    word = head.rstrip(",")
    if word not in COUNT_NOUNS:
        return measure
    if word == "leaf":
        plural = "leaves"
    elif word.endswith(("ch", "sh", "s", "x")):
        plural = word + "es"
    elif word.endswith("y") and word[-2:-1] not in "aeiou":
        plural = word[:-1] + "ies"
    else:
        plural = word + "s"
    return plural + head[len(word):] + sep + rest


def _distance_from_natural(count: float) -> float:
    low, high = NATURAL_COUNT
    if count <= 0:
        return math.inf
    return max(0.0, math.log(low / count), math.log(count / high))


def household_measure(grams: float, portions: pd.DataFrame) -> str:
    """``grams`` of one food in its most natural household measure, e.g. "2 ½ cups".

    ``portions`` holds that food's rows of ``amount, measure, grams`` (``amount``
    measures weigh ``grams``). The measure whose count is closest to 1–12 wins,
    ties going to the earlier row. "" when the food has no portion or the
    amount rounds to nothing.
    """
    best, best_distance = "", math.inf
    for row in portions.itertuples(index=False):
        count = grams / row.grams * row.amount
        distance = _distance_from_natural(count)
        if distance < best_distance:
            value, number = round_count(count)
            measure = pluralize(row.measure) if value > 1 else row.measure
            best = f"{number} {measure}" if number else ""
            best_distance = distance
    return best


def load_portions(data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """``portions.csv`` from ``data_dir`` (``food_id, amount, measure, grams, source``).

    An absent file gives an empty table: every food then shows grams only.
    """
    path = Path(data_dir) / PORTIONS_FILE
    columns = {"food_id": str, "amount": float, "measure": str, "grams": float, "source": str}
    if not path.exists():
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})
    portions = pd.read_csv(path, dtype=columns)
    return portions[(portions["grams"] > 0) & (portions["amount"] > 0)]
