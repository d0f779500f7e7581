"""HiGHS's root over a large role's cheapest pairs by the LP's reduced costs, for the bound.

A role with too many eligible pairs for HiGHS's root (:data:`.root_bound.ROOT_PAIR_LIMIT`)
has had only its LP for a bound (:func:`.rins.lp_bounds`). Its reduced costs
split the pairs. Any allocation that uses a pair whose reduced cost is at
least ``T`` costs at least the LP's optimum plus ``T`` (LP duality: every
variable's reduced cost times its distance from its bound in the LP's
optimum is never negative). Any allocation that uses none of them is
bounded by HiGHS's root over the other pairs. So

    min(root over the pairs cheaper than T, LP + T)

is a lower bound over every eligible pair, however few pairs the root had:
``T`` is chosen so that the root fits the time left. On large's social
workers (LP 15,399,948, proposal 15,571,370) the 91,772 pairs below T =
75,000 (of 356,119) have their first round of cuts at 6 s, 15,553,299, so the
bound is 15,474,948; over every pair that round took 30 s. HiGHS's symmetry
detection is off: over the candidates it found 226 orbitopes whose handling
took the root from 4.5 s to 10 s, for the same bound.

It runs on the main core once the proposal is fixed, while the thread beside
it (:mod:`.early_bound`) bounds the other role. A round of HiGHS's cuts does
not read the clock (one over 115,560 pairs took 14.5 s), so HiGHS runs in a
thread of its own and is left behind if it is not done by the deadline: the
role then has the last bound HiGHS logged (at least its LP over those pairs).
"""

from __future__ import annotations

import math
import time

import numpy as np

from caseweight.problem import Role
from caseweight.solver.early_bound import JOIN_GRACE, EarlyBound
from caseweight.solver.instance import Instance
from caseweight.solver.rins import FullLP, proposed_columns
from caseweight.solver.root_bound import with_dual
from caseweight.solver.starts import role_objectives

#: Seconds of the time left per pair the root is given, building included:
#: large's social workers' first round of cuts ended at 5.9-6.1 s over
#: 81,639-104,616 pairs (LP 0.8-1.0 s), 4.5 s over 48,301.
SECONDS_PER_PAIR = 7e-5
#: Fewer pairs than this: not worth a root.
MIN_PAIRS = 1_000
#: More pairs than this, whatever the time: the first round of cuts grows
#: faster than the pairs (large's social workers: 104,616 pairs 5.1 s,
#: 231,298 pairs 15.5 s, all 356,119 24 s), so at 40 s a root over every
#: pair was still in it at the deadline and the role kept its LP.
MAX_PAIRS = 110_000


def cheapest_pairs(
    instance: Instance, role: Role, lp: FullLP, incumbent: np.ndarray, most: int
) -> tuple[np.ndarray, float]:
    """Allowed (row, column) pairs: at most ``most`` of the lowest reduced cost,
    and the incumbent's; and ``T``, the lowest reduced cost of a pair left out
    (infinite where none is)."""
    costs = instance.role_costs[role]
    allowed = np.zeros(costs.eligible.shape, dtype=bool)
    if most >= len(lp.reduced):
        allowed[lp.rows, lp.cols] = True
        threshold = math.inf
    else:
        threshold = float(np.partition(lp.reduced, most)[most])
        cheap = lp.reduced < threshold
        allowed[lp.rows[cheap], lp.cols[cheap]] = True
    rows, proposed = proposed_columns(instance, role, incumbent)
    allowed[rows, proposed] = True
    return allowed & costs.eligible, threshold


def fixed_root_bounds(
    instance: Instance,
    incumbent: np.ndarray,
    bounds: dict[Role, int],
    lps: dict[Role, FullLP],
    deadline: float,
    seed: int,
    skip: Role | None = None,
) -> dict[Role, int]:
    """``bounds``, with the LP-bounded role furthest below its objective raised to
    min(HiGHS's root over its cheapest pairs, LP + ``T``): HiGHS's bound when
    it stops, or the last it logged by ``deadline``. ``skip``: a role HiGHS
    already bounds beside the search."""
    upper = role_objectives(instance, incumbent)
    roles = sorted(
        (role for role in lps if role is not skip and bounds.get(role, 0) < upper[role]),
        key=lambda role: (bounds.get(role, 0) - upper[role], role.value),
    )
    most = min(MAX_PAIRS, int((deadline - JOIN_GRACE - time.perf_counter()) / SECONDS_PER_PAIR))
    if not roles or most < MIN_PAIRS:
        return bounds
    role, lp = roles[0], lps[roles[0]]
    allowed, threshold = cheapest_pairs(instance, role, lp, incumbent, most)
    root = EarlyBound(instance, role, incumbent, deadline, seed, allowed, symmetry=False)
    return with_dual(bounds, role, min(root.proven(), lp.value + threshold), upper[role])
