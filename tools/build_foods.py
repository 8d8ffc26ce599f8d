"""Build ``data/foods.csv`` from ``tools/food_spec.csv`` and ``../shared/reference``.

Run from the repo root: ``.venv/bin/python tools/build_foods.py``.

Rules, applied to every spec row:

* ``usda_ndb`` set: every column USDA SR28 has is copied verbatim from that SR28
  row (``vit_k2_mk4_ug`` -> ``mk4_ug``); what SR28 leaves blank stays blank.
  ``nutrient_source`` = ``USDA SR28 <ndb>``.
* otherwise ``nevo_code`` set: the NEVO-online 2021/7.0 row supplies energy,
  macronutrients, minerals, K1 and D3 (NEVO has no D2 column: D2 stays blank).
* neither: every nutrient stays blank (unknown) and the source says so.
* K2 (``k2_ref``):
  - ``nevo:<code>``: NEVO's total menaquinones go to ``mk_unspecified_ug``
    (never split across MK-n). NEVO's total includes MK-4, so when the food
    also carries an SR28 MK-4 figure, ``mk_unspecified_ug`` = NEVO total - SR28
    MK-4, floored at 0, and the arithmetic is written to ``notes``.
  - ``sr28:<ndb>``: the MK-4 of another SR28 food (a similar food), used
    only where the food's own SR28 row gives none.
  - ``lit:<food>@<source prefix>``: the per-form row of
    ``literature_menaquinones*.csv`` whose ``food`` equals <food> and whose
    ``source`` starts with <source prefix>. Ranges (``a-b``) use their midpoint
    (noted); ``ND`` (not detected) is a cited 0. A literature MK-4 figure is
    used only where SR28 gives none.
  - ``k2_basis_ndb`` set: the referenced figures were measured on that SR28
    food (e.g. cooked) and are converted to this food's weight basis:
    value × protein(own SR28 row) / protein(basis row) (protein is kept in
    cooking, so the ratio is the cooking yield); the factor goes to ``notes``.
  ``k2_source`` is the spec's key of ``data/sources.csv``.
* ``k2_grade``: ``unknown`` when no K2 form has a figure, ``derived`` when
  converted, else the spec's grade of the ``k2_ref`` figure (``measured``: an
  analysis of this food; ``borrowed``: a similar food or a secondary
  compilation, which is never ``measured``), else ``measured`` (the food's own
  SR28 MK-4).
* D3, in precedence order (see ``data/README.md``): NEVO where the spec names
  the food's ``nevo_code`` and NEVO has a D3 figure (the SR28 figure it
  replaces is noted); else the main source; else ``d3_ref`` =
  ``lit:<food>@<source prefix>`` of ``literature_vitamin_d3.csv``, noted with
  the spec's ``d3_source`` key.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT.parent / "shared" / "reference"
SPEC = ROOT / "tools" / "food_spec.csv"
OUT = ROOT / "data" / "foods.csv"

NUTRIENTS = (
    "energy_kcal", "protein_g", "fat_g", "satfat_g", "carbs_g", "sugar_g", "fiber_g",
    "sodium_mg", "calcium_mg", "phosphorus_mg", "magnesium_mg", "vit_k1_ug",
    "mk4_ug", "mk5_ug", "mk6_ug", "mk7_ug", "mk8_ug", "mk9_ug", "mk10_ug",
    "mk_unspecified_ug", "vit_d2_ug", "vit_d3_ug",
)
COLUMNS = (
    "food_id", "name", "category", "usda_ndb", *NUTRIENTS, "animal", "allergens",
    "price_per_kg", "nutrient_source", "k2_source", "k2_grade", "notes", "price_source",
)
MK_COLUMNS = NUTRIENTS[12:20]
GRADES = ("measured", "derived", "borrowed", "unknown")
SECONDARY = ("K2viewer",)  # literature sources that are compilations, never primary
# Our column -> SR28 column (same name unless listed).
SR28_COLUMNS = {n: n for n in NUTRIENTS[:12]} | {
    "mk4_ug": "vit_k2_mk4_ug", "vit_d2_ug": "vit_d2_ug", "vit_d3_ug": "vit_d3_ug",
}
NEVO_COLUMNS = {n: n for n in NUTRIENTS[:12]} | {"vit_d3_ug": "vit_d3_ug"}
LIT_MK = {f"mk{i}_ug": f"mk{i}_ug_100g" for i in range(4, 11)}
MENAQUINONE_TABLES = (
    "literature_menaquinones.csv", "literature_menaquinones_plant.csv",
    "literature_menaquinones_2026.csv",
)
NEVO_CITATION = "NEVO-online 2021/7.0, RIVM, Bilthoven, NEVO code {}"


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV file as dicts of stripped strings."""
    with path.open(newline="", encoding="utf-8") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def number(text: str) -> tuple[str, str]:
    """A literature cell as (value, note): ranges ``a-b`` become their midpoint,
    ``ND`` (not detected) a cited 0."""
    if text == "ND":
        return "0", "not detected (ND) -> 0"
    if "-" in text.strip("-"):
        low, high = (float(p) for p in text.split("-"))
        return fmt((low + high) / 2), f"range {text} -> midpoint"
    return text, ""


def fmt(value: float) -> str:
    """A computed value as text, one decimal, without a trailing ``.0``."""
    return f"{round(value, 1):g}"


def find_literature(ref: str, tables: list[dict[str, str]]) -> dict[str, str]:
    """The literature row named by ``<food>@<source prefix>``; exits if absent."""
    food, prefix = ref.split("@", 1)
    hits = [r for r in tables if r["food"] == food and r["source"].startswith(prefix)]
    if len(hits) != 1:
        sys.exit(f"literature reference {ref!r} matches {len(hits)} rows, need exactly 1")
    return hits[0]


def build_row(spec: dict[str, str], sr28: dict, nevo: dict, menaq: list, vitd: list) -> dict:
    """One foods.csv row from one spec row (see the module docstring)."""
    row = {c: "" for c in COLUMNS}
    for key in ("food_id", "name", "category", "usda_ndb", "animal", "allergens",
                "price_per_kg", "price_source"):
        row[key] = spec[key]
    notes = [spec["notes"]] if spec["notes"] else []
    if spec["usda_ndb"]:
        src = sr28[spec["usda_ndb"]]
        for ours, theirs in SR28_COLUMNS.items():
            row[ours] = src[theirs]
        row["nutrient_source"] = f"USDA SR28 {spec['usda_ndb']}"
        notes.append(f"SR28: {src['description']}")
    elif spec["nevo_code"]:
        src = nevo[spec["nevo_code"]]
        for ours, theirs in NEVO_COLUMNS.items():
            row[ours] = src[theirs]
        row["nutrient_source"] = NEVO_CITATION.format(spec["nevo_code"])
        notes.append(f"NEVO: {src['name_en']}")
    else:
        row["nutrient_source"] = "no composition table found (not in USDA SR28 or NEVO 2021)"

    own_mk4 = row["mk4_ug"]
    ref = spec["k2_ref"]
    if ref.startswith("nevo:"):
        add_nevo_k2(row, ref.removeprefix("nevo:"), nevo, notes)
    elif ref.startswith("sr28:"):
        other = sr28[ref.removeprefix("sr28:")]
        if not own_mk4:
            row["mk4_ug"] = other["vit_k2_mk4_ug"]
        notes.append(f"K2: SR28 {other['ndb_no']} {other['description']}: "
                     f"MK-4 {other['vit_k2_mk4_ug']}")
    elif ref.startswith("lit:"):
        add_literature_k2(row, find_literature(ref.removeprefix("lit:"), menaq), notes)
    if spec["k2_basis_ndb"]:
        convert_basis(row, sr28[spec["usda_ndb"]], sr28[spec["k2_basis_ndb"]], own_mk4, notes)
    if ref:
        row["k2_source"] = spec["k2_source"]
    row["k2_grade"] = grade(spec, row, menaq)

    add_d3(row, spec, nevo, vitd, notes)
    row["notes"] = "; ".join(notes)
    return row


def add_nevo_k2(row: dict, code: str, nevo: dict, notes: list[str]) -> None:
    """NEVO's total menaquinones into ``mk_unspecified_ug``, less an SR28 MK-4 already set."""
    total = nevo[code]["vit_k2_ug"]
    if not total:
        sys.exit(f"{row['food_id']}: NEVO {code} has no K2 figure")
    if row["mk4_ug"]:
        rest = max(float(total) - float(row["mk4_ug"]), 0.0)
        row["mk_unspecified_ug"] = fmt(rest)
        notes.append(
            f"K2: NEVO {code} total {total} minus SR28 MK-4 {row['mk4_ug']} "
            f"= {fmt(rest)} in mk_unspecified (NEVO total includes MK-4)"
        )
    else:
        row["mk_unspecified_ug"] = total
        notes.append(f"K2: NEVO {code} total menaquinones {total} (form not reported)")


def add_literature_k2(row: dict, lit: dict[str, str], notes: list[str]) -> None:
    """The per-form figures of a literature row (MK-4 only where none is set yet)."""
    for ours, theirs in LIT_MK.items():
        if not lit[theirs] or (ours == "mk4_ug" and row["mk4_ug"]):
            continue
        row[ours], note = number(lit[theirs])
        if note:
            notes.append(f"{ours} {note}")
    if not any(lit[c] for c in LIT_MK.values()) and lit["total_k2_ug_100g"]:
        row["mk_unspecified_ug"], _ = number(lit["total_k2_ug_100g"])
    notes.append(f"K2 per form: {lit['source']}")


def convert_basis(row: dict, own: dict, basis: dict, own_mk4: str, notes: list[str]) -> None:
    """Referenced K2 figures measured on ``basis`` rescaled to ``own``'s weight basis."""
    factor = float(own["protein_g"]) / float(basis["protein_g"])
    for col in MK_COLUMNS:
        if row[col] and not (col == "mk4_ug" and own_mk4):
            row[col] = fmt(float(row[col]) * factor)
    notes.append(
        f"derived: K2 x protein SR28 {own['ndb_no']} {own['protein_g']} / "
        f"SR28 {basis['ndb_no']} {basis['protein_g']} = x {factor:.3f} "
        f"(figure measured on {basis['description']}; protein ratio = cooking yield)"
    )


def grade(spec: dict[str, str], row: dict, menaq: list[dict[str, str]]) -> str:
    """The evidence grade of the row's K2 figures (rules in the module docstring)."""
    given = spec["k2_grade"]
    if given not in ("", "measured", "borrowed"):
        sys.exit(f"{spec['food_id']}: k2_grade {given!r} is neither measured nor borrowed")
    if bool(given) != bool(spec["k2_ref"]):
        sys.exit(f"{spec['food_id']}: a k2_ref needs a k2_grade and a k2_grade a k2_ref")
    if spec["k2_ref"].startswith("lit:"):
        source = find_literature(spec["k2_ref"].removeprefix("lit:"), menaq)["source"]
        if source.startswith(SECONDARY) and given != "borrowed":
            sys.exit(f"{spec['food_id']}: a secondary compilation's figure is borrowed")
    if not any(row[c] for c in MK_COLUMNS):
        return "unknown"
    if spec["k2_basis_ndb"]:
        return "derived"
    return given or "measured"


def add_d3(row: dict, spec: dict[str, str], nevo: dict, vitd: list, notes: list[str]) -> None:
    """D3 by precedence: NEVO (the food's own code), the main source, then literature."""
    code = spec["nevo_code"]
    if code and spec["usda_ndb"] and nevo[code]["vit_d3_ug"]:
        notes.append(f"D3 from nevo2021: NEVO {code} {nevo[code]['name_en']} "
                     f"{nevo[code]['vit_d3_ug']} (SR28 {spec['usda_ndb']}: "
                     f"{row['vit_d3_ug'] or 'blank'})")
        row["vit_d3_ug"] = nevo[code]["vit_d3_ug"]
    if spec["d3_ref"] and not row["vit_d3_ug"]:
        lit = find_literature(spec["d3_ref"].removeprefix("lit:"), vitd)
        row["vit_d3_ug"] = lit["d3_ug_100g"]
        notes.append(f"D3 from {spec['d3_source']}: {lit['food']} ({lit['source']})")


def build(spec: Path = SPEC, ref: Path = REF) -> list[dict[str, str]]:
    """All foods.csv rows, in spec order, from the spec and the reference folder."""
    sr28 = {r["ndb_no"]: r for r in read_csv(ref / "usda_sr28_nutrients.csv")}
    nevo = {r["nevo_code"]: r for r in read_csv(ref / "nevo2021_nutrients.csv")}
    menaq = [row for name in MENAQUINONE_TABLES for row in read_csv(ref / name)]
    vitd = read_csv(ref / "literature_vitamin_d3.csv")
    return [build_row(s, sr28, nevo, menaq, vitd) for s in read_csv(spec)]


def main() -> None:
    rows = build()
    OUT.parent.mkdir(exist_ok=True)
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} foods to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
