"""Build ``data/portions.csv`` from the SR28 household-measure table.

Run from the repo root: ``.venv/bin/python tools/build_portions.py``.

For every food in ``data/foods.csv`` with a ``usda_ndb`` number, copy that
food's rows of ``../shared/reference/usda_sr28_portions.csv`` (``amount``
``measure`` weighs ``grams``) in SR28's own order, as
``food_id, amount, measure, grams, source`` with source ``USDA SR28 <ndb>``.
The app reads only the project copy, never ``../shared``.
"""

from __future__ import annotations

import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SR28_PORTIONS = ROOT.parent / "shared" / "reference" / "usda_sr28_portions.csv"
FOODS = ROOT / "data" / "foods.csv"
OUT = ROOT / "data" / "portions.csv"
COLUMNS = ("food_id", "amount", "measure", "grams", "source")


def build(foods_csv: Path = FOODS, sr28_csv: Path = SR28_PORTIONS) -> list[dict[str, str]]:
    """The portion rows for the foods of ``foods_csv`` that name an SR28 number."""
    with foods_csv.open(encoding="utf-8") as f:
        foods = [(r["food_id"], r["usda_ndb"].strip()) for r in csv.DictReader(f)]
    by_ndb: dict[str, list[dict[str, str]]] = {}
    with sr28_csv.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            by_ndb.setdefault(row["ndb_no"].zfill(5), []).append(row)
    rows = []
    for food_id, ndb in foods:
        if not ndb:
            continue
        ndb = ndb.zfill(5)
        for p in sorted(by_ndb.get(ndb, []), key=lambda r: int(r["seq"])):
            rows.append({"food_id": food_id, "amount": p["amount"], "measure": p["measure"],
                         "grams": p["grams"], "source": f"USDA SR28 {ndb}"})
    return rows


def main() -> None:
    rows = build()
    with OUT.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} portions for {len({r['food_id'] for r in rows})} foods to {OUT}")


if __name__ == "__main__":
    main()
