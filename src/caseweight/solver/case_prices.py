"""The flow's bound with rule 5's case ceilings priced in.

The flow (:mod:`.transport`) is the LP over every pair without ``max_cases``:
on a region's advisers it fills five workers held at their ``max_cases`` with
31 cases where they may end with 18. Pricing each case at a worker with a
ceiling (``kappa``, the Lagrangian's third multiplier) and solving the flow
again gives, for any ``kappa >= 0``, a bound of its own:

    flow(costs + kappa per case) - sum_w kappa_w * ceiling_w

concave in ``kappa``, which has one entry per worker with a ceiling (a
handful). Polyak steps towards the incumbent's objective raise it; each step
is one flow. The subgradient ascent over every multiplier at once
(:func:`.lagrangian.ascend`) does not find this from the flow's prices: a
case priced out of a full worker lands on others whose load prices the
flow set, and the bound falls before the loads re-balance. A flow re-balances
them exactly.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from caseweight.solver.lagrangian import RoleLagrangian
from caseweight.solver.transport import SECONDS_PER_ARC, FlowSolution, RoleFlow, flow_arcs

#: Flows at most, and the first step's aim: this share of the way from the
#: bound to the incumbent's objective (halved after a step that did not pay).
CASE_STEPS = 12
FIRST_AIM = 0.1
#: A step that closes less than this share of the gap left is the last: on a
#: region the advisers' steps close 4%, 6%, 2%, 0.9%, 0.25% of it; the social
#: workers' first 0.2% (a flow takes them 5 s).
MIN_STEP_GAIN = 0.005


def case_priced(
    dual: RoleLagrangian,
    flow: FlowSolution,
    upper: float,
    deadline: float,
    stop: Callable[[], bool] | None = None,
) -> FlowSolution:
    """The best flow bound over case prices found before ``deadline`` or
    ``stop()`` (``flow`` if none)."""
    capped = dual.case_capped
    over = _over(dual, flow)
    if not (over > 0).any():
        return flow
    planned = flow_arcs(dual) * SECONDS_PER_ARC
    best, aim, slope = flow, FIRST_AIM, over
    for _ in range(CASE_STEPS):
        if time.perf_counter() + planned > deadline or aim < 1e-3 or (stop and stop()):
            break
        norm = float((slope**2).sum())
        if norm == 0:
            break
        step = aim * max(upper - best.value, 0.0) / norm
        _, _, kappa = dual.parts(best.prices)
        kappa = np.where(capped, np.maximum(0.0, kappa + step * slope), 0.0)
        found = RoleFlow(dual, kappa).solve()
        if found is None or found.value <= best.value:
            aim /= 2
            continue
        gain = (found.value - best.value) / max(upper - best.value, 1.0)
        best, slope = found, _over(dual, found)
        if gain < MIN_STEP_GAIN:
            break
    return best


def _over(dual: RoleLagrangian, flow: FlowSolution) -> np.ndarray:
    """Each capped worker's cases in the flow less their ceiling (0 for the others)."""
    cases = np.bincount(flow.cols, weights=flow.shares, minlength=len(dual.workers))
    return np.where(dual.case_capped, cases - dual.case_ceiling, 0.0)
