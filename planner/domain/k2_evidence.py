"""K2 evidence: the grade of each food's K2 figure and what share of a mass is covered.

A food's K2 figure is ``measured`` (a cited analysis of the food), ``derived``
(computed from cited figures, formula in the food's notes), ``borrowed`` (a
similar food's or a secondary compilation's figure) or ``unknown``. A K2 total
sums only known figures, so it is a lower bound: shown as "≥ X µg" with the
share of ingredient mass whose K2 is known, never as a bare zero.
"""

from __future__ import annotations

import math

import pandas as pd

GRADES = ("measured", "derived", "borrowed", "unknown")
KNOWN_GRADES = GRADES[:3]


def grade_shares(grams: pd.Series, grades: pd.Series, by: pd.Series) -> pd.DataFrame:
    """Per group of ``by``: the share (0–1) of ``grams`` per known grade, as columns
    ``k2_measured``, ``k2_derived``, ``k2_borrowed``, and their sum ``k2_coverage``."""
    total = grams.groupby(by).sum()
    shares = pd.DataFrame(
        {f"k2_{g}": grams.where(grades == g, 0.0).groupby(by).sum() / total
         for g in KNOWN_GRADES}
    )
    shares["k2_coverage"] = shares.sum(axis=1)
    return shares


def k2_text(k2_ug: float, coverage: float) -> str:
    """A K2 total as shown everywhere: '≥ 12.3 µg (K2 known for 85 % of the mass)'.

    The total counts known figures only, so it is a lower bound; with no
    figure at all it is 'unknown', never 0.
    """
    if coverage <= 0 or k2_ug is None or math.isnan(k2_ug):
        return "unknown (no K2 figure)"
    return f"≥ {k2_ug:.1f} µg (K2 known for {coverage:.0%} of the mass)"
