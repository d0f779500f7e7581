"""A role's movers re-packed by HiGHS's root node, where the plan has room for it.

Those not with their current worker (new arrivals, moves, those waiting) go
free over every eligible worker; everyone else stays fixed. On the demo's
advisers, HiGHS's root node (its LP, cuts and restart) takes them from
5,973,055 to 5,733,347 (-4.0%) in 3.6 s, where CP-SAT over the same free set
found nothing in 20 deterministic seconds: the better allocations re-pack new
arrivals among full workers, which rule 5 makes hard for CP-SAT's search.

HiGHS has no deterministic time limit, so it stops after its root node (a
count, repeatable) and is run only where the plan, from the number of free
pairs, says its root fits; the wall clock only stops a slow machine, and the
proposal then says it may not be repeatable.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np

from caseweight.problem import Role
from caseweight.solver.instance import Candidate, Instance
from caseweight.solver.lns import Budget, movers
from caseweight.solver.role_mip import RoleMip
from caseweight.solver.starts import role_objectives
from caseweight.solver.widen import pair_option, with_candidates

#: Planning figure for HiGHS's root node, per free (young person, eligible
#: worker) pair: measured 0.1-1.4 ms on 2 cores (the demo's advisers 0.9,
#: large's social workers 0.44 and advisers 1.4), set for a machine running
#: 3.5 times as slow.
SECONDS_PER_FREE_PAIR = 5e-3


class Polish(NamedTuple):
    instance: Instance  # with the workers HiGHS chose among the candidates
    assignment: np.ndarray
    cut: bool  # the wall clock stopped HiGHS
    planned_seconds: float
    roles: tuple[Role, ...]  # the roles HiGHS re-packed


def free_pairs(instance: Instance, role: Role, incumbent: np.ndarray) -> np.ndarray:
    """Allowed (row, column) pairs: every eligible one for a mover, the incumbent's otherwise."""
    costs = instance.role_costs[role]
    allowed = costs.eligible.copy()
    free = set(movers(instance, role, incumbent))
    column = costs.column
    for i, r in enumerate(costs.requirements.tolist()):
        j = column.get(int(incumbent[r]))
        if r not in free and j is not None:
            allowed[i, :] = False
            allowed[i, j] = True
    return allowed


def polish(instance: Instance, incumbent: np.ndarray, budget: Budget) -> Polish:
    """Re-pack each role's movers with HiGHS, most room first, while the plan has room."""
    spent, cut, done = 0.0, False, []
    incumbent, room = incumbent.copy(), budget.room
    for role in sorted(room, key=lambda ro: (-room[ro], ro.value)):
        if room[role] <= 0 or role not in instance.role_costs:
            continue
        allowed = free_pairs(instance, role, incumbent)
        fixed = np.count_nonzero(allowed.sum(axis=1) == 1)
        planned = (int(allowed.sum()) - fixed) * SECONDS_PER_FREE_PAIR
        if spent + planned > budget.seconds:
            continue
        spent += planned
        mip = RoleMip(instance, role, allowed)
        result = mip.root(incumbent, max(0.05, budget.ends - time.perf_counter()), budget.seed)
        cut |= result.timed_out
        if result.values is None:
            continue
        found = mip.assignment(result, incumbent)
        if role_objectives(instance, found)[role] < role_objectives(instance, incumbent)[role]:
            instance = _with_chosen(instance, role, found)
            incumbent = found
            done.append(role)
    return Polish(instance, incumbent, cut, spent, tuple(done))


def _with_chosen(instance: Instance, role: Role, assignment: np.ndarray) -> Instance:
    """``instance`` with each worker HiGHS chose for ``role`` among the candidates."""
    costs = instance.role_costs[role]
    column = costs.column
    added: dict[int, list[Candidate]] = {}
    for i, r in enumerate(costs.requirements.tolist()):
        j = column.get(int(assignment[r]))
        if j is not None and all(o.worker != costs.workers[j] for o in instance.candidates[r]):
            added[r] = [pair_option(costs, i, j)]
    return with_candidates(instance, added)
