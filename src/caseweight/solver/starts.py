"""Climbing from two starts, each role keeping the better, and each role's share of the objective.

The LP's start (:mod:`.lp_start`) is better for both roles of large and
region; first fit's climb still finds the demo's better personal-adviser
allocation (5,973,055 against 6,019,235). The roles share nothing, so where
both climbs fit, each role keeps whichever did better for it.
"""

from __future__ import annotations

import numpy as np

from caseweight.problem import Role
from caseweight.solution import objective_terms
from caseweight.solver.instance import Instance, balance_penalty
from caseweight.solver.local_search import Climb, climb
from caseweight.solver.warm_start import UNALLOCATED
from caseweight.solver.widen import merged

#: Instances up to this many requirements also climb from first fit, and each
#: role keeps the better climb (measured: the LP's start is better for every
#: role of large and region, first fit's for the demo's personal advisers; a
#: region's first-fit climb takes 30 s, more than its share leaves) ...
BOTH_STARTS_UP_TO = 8_000
#: ... where its planned time fits this share of the climb's: planning figure
#: 0.9 ms per requirement (measured 0.56 on the demo and 0.57 on large on a
#: quiet machine, 1.1 on the demo when the machine ran twice as slow).
SECOND_CLIMB_SHARE = 0.6
SECONDS_PER_CLIMBED_REQUIREMENT = 0.9e-3
#: ... and per young person waiting at the start, for whom the climb tries to
#: make room: measured 6.4-7.3 ms on a shortage (a third of the demo's workers
#: leaving: 374-414 waiting at the starts, climbs of 2.7-3.5 s against 0.26-0.45
#: s for the demo itself), set for a machine running 3.5 times as slow. Since
#: the first ejection is kept per state and trades skip workers with nobody
#: small enough, 2.6 ms (the LP's start) and 5.0 ms (first fit's, which the
#: plan prices): kept at 25 ms, so the same limits still climb twice.
SECONDS_PER_WAITING_REQUIREMENT = 25e-3


def planned_climb_seconds(instance: Instance, start: np.ndarray) -> float:
    """A climb from ``start`` on the planning machine: from counts, never the clock."""
    waiting = int(np.count_nonzero(start == UNALLOCATED))
    return (
        len(instance.requirements) * SECONDS_PER_CLIMBED_REQUIREMENT
        + waiting * SECONDS_PER_WAITING_REQUIREMENT
    )


def second_climb_fits(instance: Instance, start: np.ndarray, climb_budget: float) -> bool:
    """Whether a climb from ``start`` (first fit) is planned to fit beside the LP's.

    Planned from counts, not the clock. A shortage's many waiting young people
    make a climb dearer: both climbs of one with 350 waiting took 6.2 s of a
    10 s command, and the clock then cut the neighbourhoods.
    """
    n = len(instance.requirements)
    planned = planned_climb_seconds(instance, start)
    return n <= BOTH_STARTS_UP_TO and planned <= climb_budget * SECOND_CLIMB_SHARE


def climbs(instance: Instance, start: np.ndarray, second: np.ndarray | None, ends: float) -> Climb:
    """Climb from ``start`` and, if given, from ``second``; each role keeps the better."""
    first = climb(instance, start, ends)
    if second is None:
        return first
    # from the same candidates: the first climb's additions would send this
    # one elsewhere (the demo's personal advisers: 6.49 M, not 5.97 M)
    other = climb(instance, second, ends)
    wider, best = _better_per_role(first.instance, first.assignment, other)
    return Climb(best, first.converged and other.converged, wider)


def _better_per_role(
    instance: Instance, assignment: np.ndarray, other: Climb
) -> tuple[Instance, np.ndarray]:
    """Each role's allocation from whichever climb did better for it (roles share nothing)."""
    instance = merged(instance, other.instance)
    mine = role_objectives(instance, assignment)
    theirs = role_objectives(instance, other.assignment)
    best = assignment.copy()
    for role, costs in instance.role_costs.items():
        if theirs[role] < mine[role]:
            best[costs.requirements] = other.assignment[costs.requirements]
    return instance, best


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
