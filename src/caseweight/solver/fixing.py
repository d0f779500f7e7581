"""Pairs no allocation better than the incumbent can use: Lagrangian reduced-cost fixing.

At multipliers ``lam`` the Lagrangian L(lam) is a lower bound on a role's
objective (:mod:`.lagrangian`). Putting young person r with worker w raises
it by at least ``rise[r, w]``: for someone priced alone, their priced cost
there less their cheapest choice (exact, since the Lagrangian separates by
young person); for a member of a sibling group, that cost plus the other
members' cheapest choices alone, less the group's least cost. Every
allocation that uses the pair costs at least L(lam) + rise[r, w]; where that
is above the incumbent's objective, no better allocation uses it. So a bound
over the remaining pairs, capped at the incumbent's objective, holds over
every pair (:mod:`.root_bound`): on the demo's social workers 5,097 of 42,660
pairs remain, and HiGHS proves their optimum in 2.3 s, building included,
against 5.6 s over them all.
"""

from __future__ import annotations

import numpy as np

from caseweight.solver.lagrangian import RoleLagrangian

#: Float slack on the comparison with the incumbent: relative, and absolute
#: in thousandths of a penalty unit.
RELATIVE_TOLERANCE = 1e-9
ABSOLUTE_TOLERANCE = 1.0


def open_pairs(dual: RoleLagrangian, lam: np.ndarray, upper: float) -> np.ndarray:
    """Bool (requirements, workers): eligible pairs an allocation below ``upper`` may use."""
    if not len(dual.workers):  # nobody of this role: no pair to open
        return np.zeros(dual.cost.shape, dtype=bool)
    value = dual.evaluate(lam)[0]
    priced = dual.priced(lam)
    with np.errstate(invalid="ignore"):  # inf - inf where a row has no eligible worker
        alone = np.minimum(dual.unallocated, priced.min(axis=1))
        rise = priced - alone[:, None]
        for rows, minima in dual.group_minima(priced):
            # the others alone, less the group's least cost: never above zero
            rise[rows] += (alone[rows].sum(axis=1) - minima)[:, None, None]
        slack = upper - value + RELATIVE_TOLERANCE * abs(upper) + ABSOLUTE_TOLERANCE
        return np.isfinite(dual.cost) & (rise <= slack)
