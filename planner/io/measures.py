"""Household measures for a shopping list: grams as pieces, spoons or millilitres.

Measures come from ``data/portions.csv`` (SR28 household weights: ``food_id, amount,
measure, grams, source``, e.g. ``egg_whole,1,large,50,…``) and are metric: pieces, spoons
for small amounts, millilitres for what SR28 measures in fluid ounces; never cups, ounces
or pounds. Grams are always given as well, so a food without a known measure is never lost.
"""


from __future__ import annotations

import math
import re
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
# US measures a metric kitchen does not use; a measure naming one is never shown.
US_MEASURES = re.compile(
    r"\b(cups?|oz|lbs?|pints?|quarts?|gallons?|cubic|inch(es)?|NLEA)\b|\d\"", re.IGNORECASE)
SPOONS = frozenset({"tsp", "tbsp", "teaspoon", "tablespoon"})
MAX_SPOONS = 4.0  # more than 4 tbsp is weighed or measured in ml
MAX_PIECES = 20.0  # more than 20 of anything is weighed
FLUID_OUNCE = re.compile(r"(?:(\d+(?:\.\d+)?) )?fl oz")
FLUID_OUNCE_ML = 29.5735
WORD_COST = 0.05  # per word of a measure's text: plain "cup" over "cup, chopped (1/2" pieces)"
# First words of SR28 measures that are countable nouns (plural when more than one);
# adjectives ("large") and abbreviations ("oz", "tbsp") stay as they are.
COUNT_NOUNS = frozenset({
    "almond", "bar", "block", "bottle", "box", "breast", "bunch", "can", "chop", "clove",
    "container", "cookie", "cracker", "cube", "cup", "dash", "date", "drumstick", "ear", "egg",
    "fillet", "fruit", "glass", "head", "item", "jar", "leaf", "link", "liver", "loaf",
    "package", "packet", "pat", "patty", "piece", "pinch", "pint", "portion", "quart", "roast",
    "roll", "sandwich", "scoop", "serving", "sheet", "slice", "spear", "sprig", "stalk",
    "steak", "stick", "strip", "tablespoon", "teaspoon", "thigh", "tortilla", "unit", "wafer",
    "wedge",
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
    """``measure`` with its first countable noun among its first two words in the plural
    ("cup, chopped" → "cups, chopped", "individual packet" → "individual packets");
    adjectives alone ("large") and abbreviations ("tbsp") stay."""
    head, sep, rest = measure.partition(" ")
    word = head.rstrip(",")
    if word not in COUNT_NOUNS:
        second = rest.split(" ")[0].rstrip(",")
        return head + sep + pluralize(rest) if second in COUNT_NOUNS else measure
    if word == "leaf":
        plural = "leaves"
    elif word.endswith(("ch", "sh", "s", "x")):
        plural = word + "es"
    elif word.endswith("y") and word[-2:-1] not in "aeiou":
        plural = word[:-1] + "ies"
    else:
        plural = word + "s"
    return plural + head[len(word):] + sep + rest


def _awkwardness(count: float, measure: str) -> float:
    """How far ``count`` lies outside 1–12 (in log units), plus a little per word of the
    measure, so "1 ⅓ tbsp" beats "3 ⅓ wedges yields" and "12 ½ large" beats "4 ⅔ cups, chopped"."""
    low, high = NATURAL_COUNT
    if count <= 0:
        return math.inf
    return max(0.0, math.log(low / count), math.log(count / high)) + WORD_COST * len(
        measure.split())


def household_measure(grams: float, portions: pd.DataFrame) -> str:
    """``grams`` of one food in its most natural metric household measure.

    ``portions`` holds that food's rows of ``amount, measure, grams`` (``amount``
    measures weigh ``grams``). A food SR28 measures in fluid ounces reads in ml
    ("250 ml"); otherwise the least awkward piece or spoon wins ("3 large", "1 ⅓ tbsp"):
    a count near 1–12 in few words, at most 4 spoons or 20 pieces; ties go to the earlier row.
    Cups, ounces and pounds are never used. "" when no measure fits or the amount
    rounds to nothing.
    """
    ml_per_gram = _ml_per_gram(portions)
    if ml_per_gram is not None:
        return millilitres(grams * ml_per_gram)
    best, best_distance = "", math.inf
    for row in portions.itertuples(index=False):
        count = grams / row.grams * row.amount
        text = metric_measure(row.measure)
        most = MAX_SPOONS if text.split(" ")[0].rstrip(",") in SPOONS else MAX_PIECES
        if not text or count > most:
            continue
        distance = _awkwardness(count, text)
        if distance < best_distance:
            value, number = round_count(count)
            measure = pluralize(text) if value > 1 else text
            best = f"{number} {measure}" if number else ""
            best_distance = distance
    return best


def metric_measure(measure: str) -> str:
    """An SR28 measure without its US sizes ("slice (1 oz)" → "slice"); "" when it is a
    US measure itself (cup, oz, lb, pint, quart, cubic inch, NLEA serving)."""
    text = re.sub(r"\s*\([^)]*\)", lambda m: "" if US_MEASURES.search(m[0]) else m[0], measure)
    return "" if US_MEASURES.search(text) else text.strip()


def _ml_per_gram(portions: pd.DataFrame) -> float | None:
    """Millilitres per gram from the food's fluid-ounce measure ("fl oz", "cup (8 fl oz)")."""
    for row in portions.itertuples(index=False):
        if found := FLUID_OUNCE.search(row.measure):
            return row.amount * float(found.group(1) or 1) * FLUID_OUNCE_ML / row.grams
    return None


def millilitres(ml: float) -> str:
    """A volume as a kitchen reads it: "5 ml" steps below 100 ml, then 10 ml, litres from
    1 l ("1.25 l"); "" when it rounds to nothing."""
    if ml >= 1000:
        return f"{round(ml / 1000, 2):g} l"
    step = 5 if ml < 100 else 10
    rounded = round(ml / step) * step
    return f"{rounded:.0f} ml" if rounded else ""


def grams_text(grams: float) -> str:
    """Grams as a shopping list prints them: whole grams from 10 g, one decimal below,
    "< 0.1 g" for a trace, so an amount never reads "0 g"; "" for an unweighed item."""
    if math.isnan(grams):
        return ""
    if grams < 0.05:
        return "< 0.1 g"
    return f"{grams:.0f} g" if grams >= 10 else f"{grams:.1f} g"


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
