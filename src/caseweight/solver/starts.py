"""The climb's planned time, and each role's share of the objective.

The climb starts from the LP's rounding (:mod:`.lp_start`). A second climb
from first fit, each role keeping the better, found the demo's advisers a
better allocation (5,973,055 against 6,019,235) until the neighbourhoods
began with the LP's disagreements (:func:`.lns.lp_disagreements`): those
take the LP's climb to 5,864,706, and first fit's, 106 young people away
from the LP, nowhere. Without it the demo at 10 s is 11,151,851 (both
climbs: 11,290,200) and large at 20 s 35,092,787 (35,157,376; guided
neighbourhoods in parts of 60 for both).
"""

from __future__ import annotations

import numpy as np

from caseweight.problem import Role
from caseweight.solution import objective_terms
from caseweight.solver.instance import Instance, balance_penalty
from caseweight.solver.warm_start import UNALLOCATED

#: Planning figure for the climb per requirement: 0.9 ms (measured 0.15-0.31
#: ms on 2026-11-27: the demo 0.15, large 0.24, a shortage 0.79 with its
#: waiting young people), set for a machine running 3.5 times as slow ...
SECONDS_PER_CLIMBED_REQUIREMENT = 0.9e-3
#: ... and per young person waiting at the start, for whom the climb tries to
#: make room: measured 6.4-7.3 ms on a shortage (a third of the demo's workers
#: leaving: 374-414 waiting at the starts, climbs of 2.7-3.5 s against 0.26-0.45
#: s for the demo itself), set for a machine running 3.5 times as slow. Since
#: the first ejection is kept per state and trades skip workers with nobody
#: small enough, 2.6 ms (the LP's start) and 5.0 ms (first fit's). Kept at
#: 25 ms: a lower figure would plan HiGHS's root into a shortage's limit,
#: which has not been measured.
SECONDS_PER_WAITING_REQUIREMENT = 25e-3


def planned_climb_seconds(instance: Instance, start: np.ndarray) -> float:
    """A climb from ``start`` on the planning machine: from counts, never the clock."""
    waiting = int(np.count_nonzero(start == UNALLOCATED))
    return (
        len(instance.requirements) * SECONDS_PER_CLIMBED_REQUIREMENT
        + waiting * SECONDS_PER_WAITING_REQUIREMENT
    )


def role_objectives(instance: Instance, assignment: np.ndarray) -> dict[Role, float]:
    """Each role's share of the objective of ``assignment`` (roles share nothing)."""
    out = {}
    for role in Role:
        mine = assignment.copy()
        for req in instance.requirements:
            if req.role is not role:
                mine[req.index] = UNALLOCATED
        terms = objective_terms(instance, mine)
        others = sum(
            int(instance.unallocated_cost[r.index])
            for r in instance.requirements
            if r.role is not role
        )
        others_balance = sum(
            balance_penalty(0, curve)
            for w, curve in enumerate(instance.balance)
            if curve is not None and instance.worker_roles[w] is not role
        )
        out[role] = float(sum(terms.values()) - others - others_balance)
    return out
