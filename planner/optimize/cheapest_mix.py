"""The cheapest mix of foods meeting nutrient needs: one continuous LP.

It serves the close-the-gap suggestions and the classic Stigler diet test:
min Σ_f c[f]·q[f] s.t. Σ_f a[f,n]·q[f] ≥ need[n], 0 ≤ q[f] ≤ cap.
"""

from __future__ import annotations

import pandas as pd
import pulp

from planner.optimize.deadline import THREADS


def cheapest_mix(amounts: pd.DataFrame, cost: pd.Series, need: dict[str, float],
                 cap: float | None = None) -> pd.Series | None:
    """Quantity per row of ``amounts`` (rows foods, columns nutrients per unit) at least cost.

    min Σ_f cost[f]·q[f] s.t. Σ_f amounts[f,n]·q[f] ≥ need[n] ∀n, 0 ≤ q[f] ≤ cap.
    Returns None when no mix meets ``need``.
    """
    lp = pulp.LpProblem("cheapest_mix")
    q = {f: lp.add_variable(f"q_{i}", 0, cap) for i, f in enumerate(amounts.index)}
    for j, (n, value) in enumerate(need.items()):
        column = amounts[n].fillna(0.0)
        terms = [(q[f], float(a)) for f, a in column.items() if a]
        lp += pulp.lpSum_vars_coefs(terms) >= value, f"need_{j}"
    lp.setObjective(pulp.lpSum_vars_coefs([(q[f], float(c)) for f, c in cost.items()]))
    stats = lp.solve(pulp.HiGHS(msg=False, threads=THREADS))
    if stats.status != pulp.LpSolveStatus.Optimal:
        return None
    return pd.Series({f: var.value() or 0.0 for f, var in q.items()})
