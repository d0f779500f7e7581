"""The least maximum utilisation any allocation can reach, by counting (issue 3).

The issue's test against the greedy asks for no higher maximum utilisation.
Rule 5 bounds how low any allocation's maximum can go: a worker who receives
anyone new ends within the hard limit, and one who receives nobody holds at
most the young people they hold now. So with every balancing worker within
a maximum ``m``, worker ``w`` ends with at most

    min(floor(m c_w), max(H_w if w may receive, own_w))

tenths of a point, and together they must hold every young person of the
role but those left waiting (at best the largest). The least ``m`` at which
that fits is a floor under the maximum of every allocation that leaves no
more waiting; eligibility, ``max_cases`` and sibling links only raise it.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from caseweight.problem import Role
from caseweight.solver.instance import Instance
from caseweight.solver.lagrangian import kept_loads

#: Utilisations are searched in steps of 1/GRID (0.01%).
GRID = 10_000


def max_floor(instance: Instance, role: Role, waiting: int) -> Fraction | None:
    """A utilisation every allocation's maximum over ``role``'s balancing workers
    exceeds, when at most ``waiting`` of its young people are unallocated (to
    0.01%); None if no maximum at all fits them."""
    costs = instance.role_costs[role]
    workers = [int(w) for w in costs.workers if instance.balances(int(w))]
    points = np.array([instance.requirements[int(r)].points for r in costs.requirements])
    held = int(points.sum()) - int(np.sort(points)[::-1][:waiting].sum())
    own = kept_loads(instance)  # a worker holds young people of their own role only
    capacity = np.array([int(instance.capacity[w]) for w in workers], dtype=np.int64)
    receives = np.array([instance.capacities[w].can_receive for w in workers], dtype=bool)
    limit = np.where(receives, instance.hard_limit[workers].astype(np.int64), 0)
    most = np.maximum(limit, own[workers])  # receiving or not, whichever holds more
    # workers with no capacity are outside the range: they may hold their most
    outside = int(most[capacity == 0].sum())
    capacity, most = capacity[capacity > 0], most[capacity > 0]

    def holdable(step: int) -> int:
        return outside + int(np.minimum(step * capacity // GRID, most).sum())

    if not capacity.size or held <= outside:
        return Fraction(0)
    top = int(np.ceil(GRID * most / capacity).max())
    if holdable(top) < held:
        return None
    lo, hi = 0, top  # holdable(hi) >= held throughout
    while lo < hi:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if holdable(mid) >= held else (mid + 1, hi)
    return Fraction(max(0, lo - 1), GRID)
