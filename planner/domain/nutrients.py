"""The one registry of nutrients: id, label, unit and group.

Every column name, chart axis and target refers to an id defined here; no
nutrient string is spelled anywhere else. Values in ``data/`` are per 100 g
(foods) or per unit (supplements) in the unit given here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Group(StrEnum):
    ENERGY = "energy"
    MACRO = "macronutrients"
    MINERAL = "minerals"
    VITAMIN_K = "vitamin K"
    VITAMIN_D = "vitamin D"


@dataclass(frozen=True)
class Nutrient:
    id: str
    label: str
    unit: str
    group: Group
    derived_from: tuple[str, ...] = ()

    @property
    def is_derived(self) -> bool:
        return bool(self.derived_from)

    @property
    def axis_title(self) -> str:
        """Label with unit, for chart axes and table headers."""
        return f"{self.label} ({self.unit})"


MENAQUINONES: tuple[str, ...] = (
    "mk4_ug", "mk5_ug", "mk6_ug", "mk7_ug", "mk8_ug", "mk9_ug", "mk10_ug",
    "mk_unspecified_ug",
)

_STORED = [
    Nutrient("energy_kcal", "Energy", "kcal", Group.ENERGY),
    Nutrient("protein_g", "Protein", "g", Group.MACRO),
    Nutrient("fat_g", "Fat", "g", Group.MACRO),
    Nutrient("satfat_g", "Saturated fat", "g", Group.MACRO),
    Nutrient("carbs_g", "Carbohydrate", "g", Group.MACRO),
    Nutrient("sugar_g", "Sugars", "g", Group.MACRO),
    Nutrient("fiber_g", "Fibre", "g", Group.MACRO),
    Nutrient("sodium_mg", "Sodium", "mg", Group.MINERAL),
    Nutrient("calcium_mg", "Calcium", "mg", Group.MINERAL),
    Nutrient("phosphorus_mg", "Phosphorus", "mg", Group.MINERAL),
    Nutrient("magnesium_mg", "Magnesium", "mg", Group.MINERAL),
    Nutrient("vit_k1_ug", "Vitamin K1 (phylloquinone)", "µg", Group.VITAMIN_K),
    Nutrient("mk4_ug", "MK-4", "µg", Group.VITAMIN_K),
    Nutrient("mk5_ug", "MK-5", "µg", Group.VITAMIN_K),
    Nutrient("mk6_ug", "MK-6", "µg", Group.VITAMIN_K),
    Nutrient("mk7_ug", "MK-7", "µg", Group.VITAMIN_K),
    Nutrient("mk8_ug", "MK-8", "µg", Group.VITAMIN_K),
    Nutrient("mk9_ug", "MK-9", "µg", Group.VITAMIN_K),
    Nutrient("mk10_ug", "MK-10", "µg", Group.VITAMIN_K),
    Nutrient("mk_unspecified_ug", "K2, form not reported", "µg", Group.VITAMIN_K),
    Nutrient("vit_d2_ug", "Vitamin D2", "µg", Group.VITAMIN_D),
    Nutrient("vit_d3_ug", "Vitamin D3", "µg", Group.VITAMIN_D),
]

_DERIVED = [
    Nutrient("k2_ug", "Vitamin K2 (menaquinones)", "µg", Group.VITAMIN_K, MENAQUINONES),
    Nutrient(
        "vit_k_total_ug", "Vitamin K total (K1 + K2)", "µg", Group.VITAMIN_K,
        ("vit_k1_ug", *MENAQUINONES),
    ),
]

NUTRIENTS: dict[str, Nutrient] = {n.id: n for n in (*_STORED, *_DERIVED)}
STORED_IDS: tuple[str, ...] = tuple(n.id for n in _STORED)
DERIVED_IDS: tuple[str, ...] = tuple(n.id for n in _DERIVED)
ALL_IDS: tuple[str, ...] = STORED_IDS + DERIVED_IDS

# Ids used by goals and plan totals; named once so no module re-spells them.
ENERGY = "energy_kcal"
PROTEIN = "protein_g"
CALCIUM = "calcium_mg"
SODIUM = "sodium_mg"
K1 = "vit_k1_ug"
K2 = "k2_ug"
K_TOTAL = "vit_k_total_ug"
D3 = "vit_d3_ug"

IU_PER_UG_VITAMIN_D = 40.0


def get(nutrient_id: str) -> Nutrient:
    """The registered nutrient with this id; KeyError names the id if unknown."""
    try:
        return NUTRIENTS[nutrient_id]
    except KeyError:
        raise KeyError(f"unknown nutrient id {nutrient_id!r}") from None


def add_derived(frame):
    """Return ``frame`` with ``k2_ug`` and ``vit_k_total_ug`` columns added.

    A derived value is the sum of its parts where at least one part is known;
    it is NaN (unknown) only when every part is unknown, so a blank never
    silently becomes zero and one known form is never hidden by another
    unknown one.
    """
    out = frame.copy()
    for n in _DERIVED:
        parts = out[list(n.derived_from)]
        out[n.id] = parts.sum(axis=1, min_count=1)
    return out
