"""Recipe import: the CSV template and schema.org Recipe JSON-LD, reviewed before saving.

1. ``read_recipes(name, data)`` turns a file (JSON-LD, an HTML page carrying
   JSON-LD, or the CSV template) into ``RecipeDraft``s, or raises
   ``RecipeImportError`` with a message a person can act on.
2. ``review_frame(draft, foods, portions)`` parses each ingredient line with
   ingredient-parser-nlp, turns the quantity into grams (weights exactly;
   cups, spoons and pieces through the food's SR28 household measures in
   ``data/portions.csv``) and matches the ingredient to a food with rapidfuzz.
   The result is a table a dietitian corrects in a data editor.
3. ``finalize(draft, reviewed, catalog)`` checks the corrected table and gives
   the ``RecipeRecord`` to save. Nothing is written before that.
``with_recipes(catalog, recipes)`` derives nutrients, diet and K2 coverage of
saved recipes exactly like the bundled ones.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import cache

import pandas as pd
from rapidfuzz import fuzz, process, utils

from planner.domain.catalog import Catalog, RecipeRecord, Slot, derive_recipes

MATCHED, CHECK = 90.0, 75.0  # rapidfuzz scores (0-100): at or above MATCHED is a match
MASS_G = {"gram": 1.0, "kilogram": 1000.0, "milligram": 0.001, "ounce": 28.3495,
          "pound": 453.592}
VOLUME_ML = {"milliliter": 1.0, "centiliter": 10.0, "deciliter": 100.0, "liter": 1000.0,
             "cup": 236.588, "tablespoon": 14.787, "teaspoon": 4.929, "fluid_ounce": 29.574,
             "pint": 473.176, "quart": 946.353, "pinch": 0.36, "dash": 0.62}
# How SR28 spells the volume units in its household measures.
SR28_WORDS = {"cup": ("cup",), "tablespoon": ("tbsp", "tablespoon"),
              "teaspoon": ("tsp", "teaspoon"), "fluid_ounce": ("fl oz",)}
# SR28 measures that stand for "one of it" when a line gives only a count.
PIECE_WORDS = ("medium", "large", "small", "whole", "piece", "item", "fruit", "clove", "slice",
               "egg", "fillet", "breast", "thigh", "leg", "stalk", "leaf", "can", "package")
SLOT_WORDS = {"breakfast": Slot.BREAKFAST, "brunch": Slot.BREAKFAST, "lunch": Slot.LUNCH,
              "dinner": Slot.DINNER, "supper": Slot.DINNER, "main": Slot.DINNER,
              "entree": Slot.DINNER, "snack": Slot.SNACK, "appetizer": Slot.SNACK,
              "dessert": Slot.SNACK}
DEFAULT_SLOTS = (Slot.LUNCH, Slot.DINNER)
MAX_FILE_BYTES = 2 * 1024 * 1024  # a recipe page is rarely above 1 MiB
MAX_NAME = 200  # characters, as the store keeps them
MAX_LINES = 200  # ingredient lines per recipe
MAX_PREP_MINUTES = 7 * 24 * 60
MAX_SERVINGS = 100.0
CSV_COLUMNS = ("recipe_name", "servings", "slots", "prep_minutes", "ingredient", "method")
CSV_TEMPLATE = (
    ",".join(CSV_COLUMNS) + "\n"
    'Natto toast,1,breakfast,5,2 slices whole wheat bread,"Toast the bread, spread natto."\n'
    "Natto toast,,,,1 pack natto (45 g),\n"
    "Natto toast,,,,1 tsp soy sauce,\n"
)
REVIEW_COLUMNS = ("include", "line", "ingredient", "quantity", "unit", "food_id", "food_name",
                  "match_score", "grams", "grams_from", "status")


class RecipeImportError(ValueError):
    """A file or a reviewed mapping that cannot be imported; the message says why."""


@dataclass(frozen=True)
class RecipeDraft:
    """A recipe read from a file, before its ingredient lines are mapped to foods."""

    name: str
    servings: float
    slots: tuple[Slot, ...]
    prep_minutes: int | None
    method: str
    lines: tuple[str, ...]

    @property
    def recipe_id(self) -> str:
        return "imported_" + (re.sub(r"[^a-z0-9]+", "_", self.name.lower()).strip("_") or "recipe")


# -- reading files -----------------------------------------------------------------------
def read_recipes(filename: str, data: bytes) -> list[RecipeDraft]:
    """The recipes in an uploaded file (``.csv`` template, or JSON-LD / HTML)."""
    if len(data) > MAX_FILE_BYTES:
        raise RecipeImportError(f"{filename}: the file is larger than "
                                f"{MAX_FILE_BYTES // 1024 // 1024} MiB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RecipeImportError(f"{filename}: the file is not UTF-8 text") from None
    if not text.strip():
        raise RecipeImportError(f"{filename}: the file is empty")
    if filename.lower().endswith(".csv"):
        return read_csv_template(text)
    try:
        return read_jsonld(text)
    except RecursionError:
        raise RecipeImportError(f"{filename}: the JSON is nested too deeply") from None


def read_jsonld(text: str) -> list[RecipeDraft]:
    """Every schema.org Recipe in a JSON-LD document or in an HTML page's
    ``<script type="application/ld+json">`` blocks (``@graph`` and lists included)."""
    blocks = _jsonld_blocks(text) if text.lstrip().startswith("<") else [text]
    if not blocks:
        raise RecipeImportError("the page has no JSON-LD block (schema.org Recipe)")
    nodes: list[dict] = []
    for block in blocks:
        try:
            nodes.extend(_recipe_nodes(json.loads(block)))
        except json.JSONDecodeError as exc:
            raise RecipeImportError(
                f"the file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from None

    if not nodes:
        raise RecipeImportError("no schema.org Recipe found (expected \"@type\": \"Recipe\")")
    return [_draft_from_node(node, i + 1) for i, node in enumerate(nodes)]


def _jsonld_blocks(page: str) -> list[str]:
    """The text of every ``<script type="application/ld+json">`` element.

    One forward scan with ``str.find`` (linear in the page; a regular expression or the
    standard library's HTML parser is quadratic on a page of unclosed ``<script`` tags).
    """
    lower, blocks, at = page.lower(), [], 0
    while (start := lower.find("<script", at)) >= 0:
        end_of_tag = lower.find(">", start)
        if end_of_tag < 0:
            break
        close = lower.find("</script", end_of_tag)
        if close < 0:
            break
        if "application/ld+json" in lower[start:end_of_tag]:
            blocks.append(page[end_of_tag + 1:close])
        at = close + 1
    return blocks


def _strip_tags(text: str) -> str:
    """``text`` with each ``<…>`` tag replaced by a space (a linear scan, as above)."""
    parts, at = [], 0
    while (start := text.find("<", at)) >= 0:
        end = text.find(">", start)
        if end < 0:
            break
        parts += [text[at:start], " "]
        at = end + 1
    parts.append(text[at:])
    return "".join(parts)


def _recipe_nodes(value) -> list[dict]:
    if isinstance(value, list):
        return [n for item in value for n in _recipe_nodes(item)]
    if not isinstance(value, dict):
        return []
    kind = value.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "Recipe" in kinds:
        return [value]
    return _recipe_nodes(value.get("@graph", []))


def _draft_from_node(node: dict, number: int) -> RecipeDraft:
    name = node.get("name")
    where = f"recipe {number}" + (f" ({name[:60]!r})" if isinstance(name, str) else "")
    if not isinstance(name, str) or not name.strip():
        raise RecipeImportError(f"{where}: the recipe has no name")
    lines = node.get("recipeIngredient", node.get("ingredients"))
    if not isinstance(lines, list) or not lines:
        raise RecipeImportError(f"{where}: no ingredient list (recipeIngredient)")
    if not all(isinstance(line, str) for line in lines):
        raise RecipeImportError(f"{where}: every recipeIngredient entry must be text")
    if len(lines) > MAX_LINES:
        raise RecipeImportError(f"{where}: more than {MAX_LINES} ingredient lines")
    if len(_clean_text(name)) > MAX_NAME:
        raise RecipeImportError(f"{where}: the name is longer than {MAX_NAME} characters")
    return RecipeDraft(
        name=_clean_text(name), servings=_servings(node.get("recipeYield"), where),
        slots=_slots(node.get("recipeCategory")),
        prep_minutes=_minutes(node.get("totalTime") or node.get("prepTime")),
        method=_method(node.get("recipeInstructions")),
        lines=tuple(_clean_text(line) for line in lines if line.strip()),
    )


def _clean_text(text: str) -> str:
    return " ".join(html.unescape(_strip_tags(text)).split())


def _servings(value, where: str) -> float:
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return 1.0
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        found = re.search(r"\d{1,6}(\.\d{1,6})?", str(value)[:200])
        number = float(found.group()) if found else 0.0
    if not 0 < number <= MAX_SERVINGS:
        raise RecipeImportError(f"{where}: recipeYield {str(value)[:40]!r} gives no number of "
                                f"servings from 1 to {MAX_SERVINGS:g}")
    return number


def _slots(value) -> tuple[Slot, ...]:
    words = " ".join(value if isinstance(value, list) else [str(value or "")]).lower()
    slots = {slot for word, slot in SLOT_WORDS.items() if word in words}
    return tuple(s for s in Slot if s in slots) or DEFAULT_SLOTS


def _minutes(value) -> int | None:
    """ISO 8601 duration (``PT1H30M``) in whole minutes; None when absent, unreadable or
    longer than a week."""
    found = re.fullmatch(r"P(?:(\d{1,6})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,6})M)?(?:\d{1,6}S)?)?",
                         str(value or "")[:40])
    if not found or not any(found.groups()):
        return None
    days, hours, minutes = (int(g or 0) for g in found.groups())
    total = days * 1440 + hours * 60 + minutes
    return total if total <= MAX_PREP_MINUTES else None


def _method(value) -> str:
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, dict):
        return _method(value.get("itemListElement") or value.get("text") or "")
    if isinstance(value, list):
        return " ".join(filter(None, (_method(step) for step in value)))
    return ""


def read_csv_template(text: str) -> list[RecipeDraft]:
    """Recipes from the CSV template (``CSV_TEMPLATE``): one row per ingredient line;
    the first row of each recipe carries servings, slots, prep minutes and method."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = reader.fieldnames or []
        missing = [c for c in ("recipe_name", "ingredient") if c not in header]
        if missing:
            raise RecipeImportError(
                f"the CSV lacks the column(s) {', '.join(missing)}; "
                f"the template's columns are {', '.join(CSV_COLUMNS)}")
        recipes = _csv_recipes(reader)
    except csv.Error as exc:
        raise RecipeImportError(f"the CSV cannot be read ({exc})") from None
    return _make_drafts(recipes)


def _csv_recipes(reader: csv.DictReader) -> dict[str, dict]:
    """Recipe name → its first row, line number and ingredient lines."""
    recipes: dict[str, dict] = {}
    for line_no, row in enumerate(reader, start=2):
        name = (row.get("recipe_name") or "").strip()
        if not name:
            raise RecipeImportError(f"CSV line {line_no}: recipe_name is empty")
        recipe = recipes.setdefault(name, {"row": row, "line": line_no, "lines": []})
        if (row.get("ingredient") or "").strip():
            recipe["lines"].append(row["ingredient"].strip())
    return recipes


def _make_drafts(recipes: dict[str, dict]) -> list[RecipeDraft]:
    drafts = []
    for name, recipe in recipes.items():
        first, where = recipe["row"], f"CSV line {recipe['line']} ({name!r})"
        if not recipe["lines"]:
            raise RecipeImportError(f"{where}: the recipe has no ingredient lines")
        if len(recipe["lines"]) > MAX_LINES:
            raise RecipeImportError(f"{where}: more than {MAX_LINES} ingredient lines")
        prep = (first.get("prep_minutes") or "").strip()
        if prep and not (prep.isdigit() and int(prep) <= MAX_PREP_MINUTES):
            raise RecipeImportError(f"{where}: prep_minutes {prep[:20]!r} is not a whole number "
                                    f"of minutes up to {MAX_PREP_MINUTES}")
        if len(name) > MAX_NAME:
            raise RecipeImportError(f"{where}: the name is longer than {MAX_NAME} characters")
        drafts.append(RecipeDraft(
            name=name, servings=_servings(first.get("servings") or None, where),
            slots=_slots(first.get("slots")), prep_minutes=int(prep) if prep else None,
            method=(first.get("method") or "").strip(), lines=tuple(recipe["lines"])))
    if not drafts:
        raise RecipeImportError("the CSV has no recipe rows")
    return drafts


# -- mapping lines to foods and grams --------------------------------------------------------
@dataclass(frozen=True)
class ParsedLine:
    ingredient: str
    quantity: float | None
    unit: str  # a unit name ("cup", "gram") or the line's own word ("pack"); "" for a count
    grams: float | None  # when the line itself states a weight


def parse_line(line: str) -> ParsedLine:
    """Ingredient name, quantity and unit of one line (ingredient-parser-nlp's CRF model)."""
    _ensure_pos_tagger()
    from ingredient_parser import parse_ingredient

    parsed = parse_ingredient(line)
    name = " ".join(n.text for n in parsed.name) if parsed.name else line
    amounts = [a for a in parsed.amount if _number(a.quantity) is not None]
    weights = [a for a in amounts if str(a.unit) in MASS_G]
    if weights:
        w = weights[0]
        grams = _number(w.quantity) * MASS_G[str(w.unit)]
        return ParsedLine(name, _number(w.quantity), str(w.unit), grams)
    if not amounts:
        return ParsedLine(name, None, "", None)
    first = amounts[0]
    return ParsedLine(name, _number(first.quantity), str(first.unit).lower(), None)


# Part-of-speech tags the fallback tagger gives words the ingredient tag dictionary lacks.
FALLBACK_TAGS = ((r"^[\d/.,½¼¾⅓⅔⅛-]+$", "CD"), (r"^[,;:]$", ","), (r"^[(\[]$", "("),
                 (r"^[)\]]$", ")"), (r"^(a|an|the)$", "DT"), (r"^(of|for|in|with|about)$", "IN"),
                 (r"^(and|or)$", "CC"), (r"^to$", "TO"), (r".*ly$", "RB"), (r".*(ed|en)$", "VBN"),
                 (r".*ing$", "VBG"), (r".*s$", "NNS"), (r".*", "NN"))


class _FallbackTagger:
    """Stands in for NLTK's averaged-perceptron tagger when its data is not installed.

    ingredient-parser-nlp uses part-of-speech tags only as one feature of its
    CRF model (the token, its position and unit/number flags weigh more), and
    its own ingredient tag dictionary is consulted first here too.
    """

    def __init__(self, tagdict: dict[str, str]):
        self.tagdict = dict(tagdict)

    def tag(self, tokens: list[str]) -> list[tuple[str, str]]:
        return [(t, self.tagdict.get(t) or self.tagdict.get(t.lower())
                 or next(tag for rule, tag in FALLBACK_TAGS if re.match(rule, t.lower())))
                for t in tokens]


@cache
def _ensure_pos_tagger() -> None:
    """Use NLTK's tagger when its data is installed, else ``_FallbackTagger`` (this
    machine cannot download NLTK data; the package index does not carry it)."""
    import nltk
    import nltk.downloader

    # ingredient-parser downloads missing NLTK data when imported; the app never fetches at
    # run time, so the download is replaced before that import binds it.
    nltk.downloader.download = _no_download
    from ingredient_parser.en import _utils
    from ingredient_parser.en._loaders import load_ingredient_tagdict

    try:
        nltk.data.find("taggers/averaged_perceptron_tagger_eng/")
    except LookupError:
        tagger = _FallbackTagger(load_ingredient_tagdict())
        _utils._get_pos_tagger = lambda: tagger


def _no_download(*_args, **_kwargs) -> bool:
    return False


def _number(quantity) -> float | None:
    if isinstance(quantity, int | float | Fraction):
        return float(quantity)
    try:
        return float(Fraction(str(quantity)))
    except (ValueError, ZeroDivisionError):
        return None


def match_food(ingredient: str, foods: pd.DataFrame) -> tuple[str | None, float]:
    """The best food for an ingredient name and its score (0-100), by rapidfuzz over
    food names and ids. Plural words are singularised first."""
    query = " ".join(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
                     for w in utils.default_process(ingredient).split())
    if not query:
        return None, 0.0
    best_id, best = None, 0.0
    for choices in ({f: f.replace("_", " ") for f in foods.index}, foods["name"].to_dict()):
        hit = process.extractOne(query, choices, scorer=_score, processor=utils.default_process)
        if hit and hit[1] > best:
            best, best_id = hit[1], hit[2]
    return best_id, round(best, 1)


def _score(a: str, b: str, **_kwargs) -> float:
    return 0.5 * fuzz.WRatio(a, b) + 0.5 * fuzz.token_set_ratio(a, b)


def to_grams(line: ParsedLine, food_id: str | None, portions: pd.DataFrame
             ) -> tuple[float | None, str]:
    """Grams for a parsed line and where they come from ("" when unknown).

    Weights convert exactly; cups and spoons use the food's SR28 measure, else the
    volume at 1 g/ml; a bare count or a word like "clove" uses the food's SR28
    piece measure.
    """
    if line.grams is not None:
        return round(line.grams, 1), "weight in the line"
    if line.quantity is None or food_id is None:
        return None, ""
    rows = portions[portions["food_id"] == food_id]
    measures = rows["measure"].str.lower()
    if line.unit in VOLUME_ML:
        words = SR28_WORDS.get(line.unit, ())
        hit = rows[measures.str.startswith(words)] if words else rows.iloc[:0]
        if len(hit):
            r = hit.iloc[0]
            return round(line.quantity * r["grams"] / r["amount"], 1), f"SR28 {r['measure']}"
        return round(line.quantity * VOLUME_ML[line.unit], 1), "volume at 1 g/ml (check)"
    unit = line.unit.rstrip("s")
    words = (unit,) if unit else PIECE_WORDS
    for word in words:
        hit = rows[measures.str.contains(rf"\b{re.escape(word)}", regex=True)]
        if len(hit):
            r = hit.iloc[0]
            return round(line.quantity * r["grams"] / r["amount"], 1), f"SR28 {r['measure']}"
    return None, ""


def review_frame(draft: RecipeDraft, foods: pd.DataFrame, portions: pd.DataFrame
                 ) -> pd.DataFrame:
    """One row per ingredient line (``REVIEW_COLUMNS``) for the dietitian to correct.

    ``status``: ``ok`` (matched, grams known), ``check`` (weak match or assumed
    grams), ``unmatched`` (no food or no grams: must be fixed or excluded).
    """
    rows = []
    for text in draft.lines:
        line = parse_line(text)
        food_id, score = match_food(line.ingredient, foods)
        if score < CHECK:
            food_id = None
        grams, source = to_grams(line, food_id, portions)
        if food_id is None or grams is None:
            status = "unmatched"
        elif score < MATCHED or "check" in source:
            status = "check"
        else:
            status = "ok"
        rows.append({"include": True, "line": text, "ingredient": line.ingredient,
                     "quantity": line.quantity, "unit": line.unit, "food_id": food_id,
                     "food_name": foods["name"].get(food_id, "") if food_id else "",
                     "match_score": score, "grams": grams, "grams_from": source,
                     "status": status})
    return pd.DataFrame(rows, columns=list(REVIEW_COLUMNS))


def included(reviewed: pd.DataFrame) -> pd.DataFrame:
    """The lines of a review table that are ticked for use."""
    return reviewed[reviewed["include"].fillna(False).astype(bool)]


def lines_to_fix(reviewed: pd.DataFrame, food_ids: pd.Index) -> list[str]:
    """Each included line still without a known food or positive grams, with what to do."""
    problems = []
    for row in included(reviewed).itertuples(index=False):
        if not isinstance(row.food_id, str) or row.food_id not in food_ids:
            problems.append(f"{row.line!r}: choose a food from the list")
        elif pd.isna(row.grams) or float(row.grams) <= 0:
            problems.append(f"{row.line!r}: enter the grams")
    return problems


def finalize(draft: RecipeDraft, reviewed: pd.DataFrame, catalog: Catalog,
             taken_ids: set[str] = frozenset()) -> RecipeRecord:
    """The recipe to save from the reviewed table; RecipeImportError lists every line
    still to fix (included but without a known food or positive grams)."""
    if draft.recipe_id in catalog.recipes.index or draft.recipe_id in taken_ids:
        raise RecipeImportError(f"a recipe with the id {draft.recipe_id!r} exists already: "
                                "rename the recipe")
    if not draft.slots:
        raise RecipeImportError("choose at least one meal slot")
    if not draft.servings > 0:
        raise RecipeImportError("the recipe needs a positive number of servings")
    kept = included(reviewed)
    if kept.empty:
        raise RecipeImportError("no ingredient line is included")
    problems = lines_to_fix(reviewed, catalog.foods.index)
    if problems:
        raise RecipeImportError("fix these lines or untick them: " + "; ".join(problems))
    return RecipeRecord(
        recipe_id=draft.recipe_id, name=draft.name, slots=tuple(s.value for s in draft.slots),
        servings=draft.servings, prep_minutes=draft.prep_minutes, method=draft.method,
        ingredients=tuple((r.food_id, float(r.grams), r.line) for r in kept.itertuples()))


def with_recipes(catalog: Catalog, recipes: list[RecipeRecord]) -> Catalog:
    """``catalog`` plus ``recipes``, their nutrients, diet, allergens and K2 coverage
    derived from the ingredients like the bundled recipes'."""
    if not recipes:
        return catalog
    table = pd.DataFrame([{"recipe_id": r.recipe_id, "name": r.name,
                           "slots": "|".join(r.slots), "servings": r.servings,
                           "prep_minutes": r.prep_minutes, "cuisine": "", "tags": "imported",
                           "method": r.method} for r in recipes])
    ingredients = pd.DataFrame([{"recipe_id": r.recipe_id, "food_id": f, "grams": g, "note": n}
                                for r in recipes for f, g, n in r.ingredients])
    derived = derive_recipes(table, ingredients, catalog.foods)
    return replace(catalog, recipes=pd.concat([catalog.recipes, derived]),
                   ingredients=pd.concat([catalog.ingredients, ingredients], ignore_index=True))
