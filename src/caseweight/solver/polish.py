"""A role's movers re-packed by HiGHS's root node, where the plan has room for it.

Those not with their current worker (new arrivals, moves, those waiting) go
free over their candidates (every eligible worker until the twenty-third
session: :func:`free_pairs`); everyone else stays fixed. It runs before the
CP-SAT search where the plan has room there, else after the LP
neighbourhoods from the search's share (:data:`.solve.SEARCH_KEPT`). On the demo's
advisers, HiGHS's root node (its LP, cuts and restart) takes them from
5,973,055 to 5,733,347 (-4.0%) in 3.6 s, where CP-SAT over the same free set
found nothing in 20 deterministic seconds: the better allocations re-pack new
arrivals among full workers, which rule 5 makes hard for CP-SAT's search.

HiGHS has no deterministic time limit, so it stops after its root node or
at the first allocation it finds (counts, repeatable: its RINS sub-MIP
finds the demo's advisers' re-pack at 0.9 s, and the rest of the root, to
9.7 s, found nothing better), and is run only where the plan, from the
number of free pairs, says that fits; the wall clock only stops a slow
machine, and the proposal then says it may not be repeatable. The demo's
advisers from the 5 s proposal: 5,844,706 -> 5,679,235 in 0.9 s.

Relief rounds (:func:`relief_pairs`) come last, after the LP
neighbourhoods, in what the plan has left there: the movers again, with
everyone still held by a worker who gives someone up, until a round finds
nothing. Which young person a worker over their capacity gives up decides
what fits where: re-packing the demo's advisers' movers is optimal at
5,679,235 among the movers, where the role's optimum (5,609,402, HiGHS
over every pair in 133 s) keeps two young people a proposal moved and
moves two it kept. Before the search, rounds from 5,679,235 reached
5,636,462 in 1.3 s, then 5,615,991 in 3.2 s, but took the search's time:
a shortage of advisers (1,400 young people, seed 7) ended worse at 60 s
(19,392,924 against 19,310,878). After it, one round there takes them
14,303,206 -> 13,510,882 (the whole 8.9% -> 5.0%).
"""

from __future__ import annotations

import math
import time
from typing import NamedTuple

import numpy as np

from caseweight.problem import Role
from caseweight.solver.instance import Instance
from caseweight.solver.lns import Budget, movers
from caseweight.solver.rins import candidate_pairs
from caseweight.solver.role_mip import RoleMip
from caseweight.solver.widen import adopted

#: Planning figure for HiGHS's root node up to its first allocation, per
#: free (young person, eligible worker) pair: the demo's advisers 0.23-0.46
#: ms on 2 cores (3,934 pairs: 0.9 s from the 5 s proposal, 1.8 s from the
#: re-packed one), its social workers 0.1 ms; about 3.5 times that, for a
#: slower machine. (A whole root, which the first allocation now ends,
#: took 0.1-1.4 ms a pair with the old rows, 2.5 ms on the demo's advisers
#: with the new: planned at 5 ms, the polish ran from about 60 s.)
SECONDS_PER_FREE_PAIR = 1.5e-3
#: The same for a relief round: 0.36-1.33 ms a pair on 2 cores (the demo's
#: advisers 4,301 pairs in 1.55 s, a shortage's 4,549 in 6.1 s), and the
#: round that finds nothing runs HiGHS's whole root (the demo's advisers:
#: 6.4-11.7 s); set at about twice the slowest that found something.
RELIEF_SECONDS_PER_FREE_PAIR = 3e-3


class Polish(NamedTuple):
    instance: Instance  # with the workers HiGHS chose among the candidates
    assignment: np.ndarray
    cut: bool  # the wall clock stopped HiGHS
    planned_seconds: float
    roles: tuple[Role, ...]  # the roles HiGHS re-packed


def free_pairs(
    instance: Instance, role: Role, incumbent: np.ndarray, free: set[int] | None = None
) -> np.ndarray:
    """Allowed (row, column) pairs: a ``free`` requirement's (a mover's, where
    none are given) candidates and proposed worker, the incumbent's otherwise.

    Over the candidates rather than every eligible worker (the demo's
    advisers: 2,026 free pairs, not 3,340) the re-pack is as good and
    steadier: 5,679,235 from the 5 s proposal in 0.65-0.8 s by seed, where
    every worker took 0.75-4.4 s; 5,679,706 from the 10 s one in 1.1 s.
    """
    costs = instance.role_costs[role]
    allowed = candidate_pairs(instance, role, incumbent)
    if free is None:
        free = set(movers(instance, role, incumbent))
    column = costs.column
    for i, r in enumerate(costs.requirements.tolist()):
        j = column.get(int(incumbent[r]))
        if r not in free and j is not None:
            allowed[i, :] = False
            allowed[i, j] = True
    return allowed


def relief_pairs(instance: Instance, role: Role, incumbent: np.ndarray) -> np.ndarray:
    """:func:`free_pairs` with the movers and everyone their current workers still
    hold free: a worker who gives someone up may give up someone else instead
    (the demo's advisers: 306 free, 166 of them movers, from six workers)."""
    moving = movers(instance, role, incumbent)
    giving = {instance.requirements[r].current_worker for r in moving} - {None}
    staying = [
        int(r)
        for r in instance.role_costs[role].requirements.tolist()
        if instance.requirements[r].current_worker in giving
    ]
    return free_pairs(instance, role, incumbent, {*moving, *staying})


def planned_seconds(allowed: np.ndarray, relief: bool = False) -> float:
    """The plan's seconds for a re-pack (or a relief round) over ``allowed``: its free pairs."""
    free = allowed.sum(axis=1) > 1
    return int(allowed[free].sum()) * (
        RELIEF_SECONDS_PER_FREE_PAIR if relief else SECONDS_PER_FREE_PAIR
    )


def first_planned(
    instance: Instance, incumbent: np.ndarray, room: dict[Role, float], most: float
) -> float:
    """What :func:`polish` would plan for the role with most room, first; infinite
    where even two pairs a mover would cost more than ``most`` (a region's
    candidate pairs take seconds to list, time its search needs)."""
    roles = [role for role in _order(room) if role in instance.role_costs]
    if not roles:
        return 0.0
    if 2 * len(movers(instance, roles[0], incumbent)) * SECONDS_PER_FREE_PAIR > most:
        return math.inf
    return planned_seconds(free_pairs(instance, roles[0], incumbent))


def _order(room: dict[Role, float]) -> list[Role]:
    return [role for role in sorted(room, key=lambda ro: (-room[ro], ro.value)) if room[role] > 0]


def polish(
    instance: Instance, incumbent: np.ndarray, budget: Budget, relief: bool = False
) -> Polish:
    """Re-pack each role's movers with HiGHS, most room first, while the plan has
    room; with ``relief``, relief rounds (:func:`relief_pairs`) instead, each
    role's until one finds nothing."""
    spent, cut, done = 0.0, False, []
    if budget.seconds <= 0:
        return Polish(instance, incumbent.copy(), cut, spent, ())
    incumbent, room = incumbent.copy(), budget.room
    for role in _order(room):
        if role not in instance.role_costs:
            continue
        while True:
            allowed = (relief_pairs if relief else free_pairs)(instance, role, incumbent)
            planned = planned_seconds(allowed, relief)
            if spent + planned > budget.seconds:
                break
            spent += planned
            mip = RoleMip(instance, role, allowed)
            result = mip.root(incumbent, max(0.05, budget.ends - time.perf_counter()), budget.seed)
            cut |= result.timed_out
            better = None
            if result.values is not None:
                better = adopted(instance, role, mip.assignment(result, incumbent), incumbent)
            if better is not None:
                instance, incumbent = better
                done.append(role)
            if better is None or not relief:
                break
    return Polish(instance, incumbent, cut, spent, tuple(dict.fromkeys(done)))
