"""A start from the LP: each young person to the worker who carries most of their flow.

The LP over every pair (:mod:`.transport`) keeps more young people with
their workers and serves more of them than first fit, because it sees the
whole role at once: a region's first fit left 65 waiting after the climb, the
LP's start 6. Every worker the LP sends anyone to joins that young person's
candidates, so the climb can use them.

Rounding breaks rule 5 where a worker who receives someone new ends above the
hard limit or the case limit. Then the new arrivals with the smallest LP
share leave again, back to their current worker where they may stay there,
otherwise unallocated, until the worker is within both (or receives nobody
new); the climb places them.
"""

from __future__ import annotations

import numpy as np

from caseweight.problem import Role
from caseweight.solver.instance import Candidate, Instance
from caseweight.solver.transport import FlowSolution
from caseweight.solver.warm_start import UNALLOCATED, loads_and_cases
from caseweight.solver.widen import pair_option, with_candidates


def lp_start(
    instance: Instance, flows: dict[Role, FlowSolution], base: np.ndarray
) -> tuple[Instance, np.ndarray]:
    """The instance with the LP's workers among the candidates, and the rounded start.

    Roles without a flow keep ``base``'s allocation.
    """
    n = len(instance.requirements)
    assignment = base.copy()
    for role in flows:
        assignment[instance.role_costs[role].requirements] = UNALLOCATED
    share, placed = np.zeros(n), np.zeros(n)
    added: dict[int, list[Candidate]] = {}
    for role, flow in flows.items():
        costs = instance.role_costs[role]
        for i, j, part in zip(
            flow.rows.tolist(), flow.cols.tolist(), flow.shares.tolist(), strict=True
        ):
            r, w = int(costs.requirements[i]), int(costs.workers[j])
            if all(c.worker != w for c in instance.candidates[r]):
                added.setdefault(r, []).append(pair_option(costs, i, j))
            placed[r] += part
            if part > share[r]:
                assignment[r], share[r] = w, part
    # the largest share wins, waiting included
    waits = (share > 0) & (share < 1 - placed)
    assignment[waits], share[waits] = UNALLOCATED, 0.0
    waiting = (assignment == UNALLOCATED) & instance.keepable
    for r in np.flatnonzero(waiting).tolist():
        assignment[r] = instance.requirements[r].current_worker
    return with_candidates(instance, added), _within_rule_5(instance, assignment, share)


def _within_rule_5(instance: Instance, assignment: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Send new arrivals back until every receiving worker is within its limits."""
    current = np.array(
        [
            UNALLOCATED if r.current_worker is None else r.current_worker
            for r in instance.requirements
        ]
    )
    points = np.array([r.points for r in instance.requirements], dtype=np.int64)
    limits = [c.max_cases for c in instance.capacities]
    loads, cases = loads_and_cases(instance, assignment)

    def within(w: int) -> bool:
        limit = limits[w]
        return bool(loads[w] <= instance.hard_limit[w] and (limit is None or cases[w] <= limit))

    pending = set(range(instance.n_workers))
    while pending:
        w = min(pending)
        pending.discard(w)
        arrivals = [r for r in np.flatnonzero(assignment == w).tolist() if current[r] != w]
        arrivals.sort(key=lambda r: (share[r], -points[r], r))
        for r in arrivals:
            if within(w):
                break
            back = int(current[r]) if instance.keepable[r] else UNALLOCATED
            assignment[r] = back
            loads[w] -= points[r]
            cases[w] -= 1
            if back != UNALLOCATED:
                loads[back] += points[r]
                cases[back] += 1
                pending.add(back)  # more load there: check it again
    return assignment
