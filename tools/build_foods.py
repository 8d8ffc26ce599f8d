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
  - ``lit:<food>@<source prefix>``: the per-form row of
    ``literature_menaquinones*.csv`` whose ``food`` equals <food> and whose
    ``source`` starts with <source prefix>. Ranges (``a-b``) use their midpoint
    (noted). A literature MK-4 figure is used only where SR28 gives none.
  ``k2_source`` is the spec's key of ``data/sources.csv``.
* D3 (``d3_ref`` = ``lit:<food>@<source prefix>`` of
  ``literature_vitamin_d3.csv``): used only where the main source leaves D3
  blank; noted with the spec's ``d3_source`` key.
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
    "price_per_kg", "nutrient_source", "k2_source", "notes", "price_source",
)
# Our column -> SR28 column (same name unless listed).
SR28_COLUMNS = {n: n for n in NUTRIENTS[:12]} | {
    "mk4_ug": "vit_k2_mk4_ug", "vit_d2_ug": "vit_d2_ug", "vit_d3_ug": "vit_d3_ug",
}
NEVO_COLUMNS = {n: n for n in NUTRIENTS[:12]} | {"vit_d3_ug": "vit_d3_ug"}
LIT_MK = {f"mk{i}_ug": f"mk{i}_ug_100g" for i in range(4, 11)}
NEVO_CITATION = "NEVO-online 2021/7.0, RIVM, Bilthoven, NEVO code {}"


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV file as dicts of stripped strings."""
    with path.open(newline="", encoding="utf-8") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def number(text: str) -> tuple[str, str]:
    """A literature cell as (value, note): ranges ``a-b`` become their midpoint."""
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

    ref = spec["k2_ref"]
    if ref.startswith("nevo:"):
        code = ref.removeprefix("nevo:")
        total = nevo[code]["vit_k2_ug"]
        if not total:
            sys.exit(f"{spec['food_id']}: NEVO {code} has no K2 figure")
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
    elif ref.startswith("lit:"):
        lit = find_literature(ref.removeprefix("lit:"), menaq)
        for ours, theirs in LIT_MK.items():
            if not lit[theirs] or (ours == "mk4_ug" and row["mk4_ug"]):
                continue
            row[ours], note = number(lit[theirs])
            if note:
                notes.append(f"{ours} {note}")
        if not any(lit[c] for c in LIT_MK.values()) and lit["total_k2_ug_100g"]:
            row["mk_unspecified_ug"], _ = number(lit["total_k2_ug_100g"])
        notes.append(f"K2 per form: {lit['source']}")
    if ref:
        row["k2_source"] = spec["k2_source"]

    if spec["d3_ref"] and not row["vit_d3_ug"]:
        lit = find_literature(spec["d3_ref"].removeprefix("lit:"), vitd)
        row["vit_d3_ug"] = lit["d3_ug_100g"]
        notes.append(f"D3 from {spec['d3_source']}: {lit['food']} ({lit['source']})")
    row["notes"] = "; ".join(notes)
    return row


def build(spec: Path = SPEC, ref: Path = REF) -> list[dict[str, str]]:
    """All foods.csv rows, in spec order, from the spec and the reference folder."""
    sr28 = {r["ndb_no"]: r for r in read_csv(ref / "usda_sr28_nutrients.csv")}
    nevo = {r["nevo_code"]: r for r in read_csv(ref / "nevo2021_nutrients.csv")}
    menaq = read_csv(ref / "literature_menaquinones.csv") + read_csv(
        ref / "literature_menaquinones_plant.csv"
    )
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
