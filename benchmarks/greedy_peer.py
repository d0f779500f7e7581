"""The peer caseweight must beat: a simple greedy rebalancer, as a manager might by hand.

1. Keep every young person with their current worker where that worker can still hold them.
2. Give each unallocated young person to the least-utilised eligible worker with room
   (within the hard limit and max_cases).
3. Then, while it lowers the highest utilisation, move a young person off the most
   overloaded worker to the least-utilised eligible worker with room.

It respects the same hard rules (eligibility from the same price matrices) so the
comparison is of choices, not of rules.
"""

from __future__ import annotations

import numpy as np

from caseweight.solver.instance import Instance
from caseweight.solver.warm_start import (
    can_receive,
    keep_current,
    loads_and_cases,
    place_unallocated,
)


def greedy_allocation(instance: Instance, max_moves: int = 100_000) -> np.ndarray:
    """Keep, place, then relieve the most overloaded worker while that helps."""
    assignment = place_unallocated(instance, keep_current(instance))
    loads, cases = loads_and_cases(instance, assignment)
    capacity = np.maximum(instance.capacity, 1)
    holders = [w for w in range(instance.n_workers) if instance.balances(w)]
    eligible = _eligible_workers(instance)
    for _ in range(max_moves):
        util = loads / capacity
        worst = max(holders, key=lambda w: (util[w], -w))
        best_move = None
        for r in np.flatnonzero(assignment == worst):
            req = instance.requirements[int(r)]
            for w in eligible[int(r)]:
                if w == worst or not can_receive(
                    instance, w, int(loads[w]), int(cases[w]), req.points
                ):
                    continue
                after = (loads[w] + req.points) / capacity[w]
                if after < util[worst] and (best_move is None or after < best_move[2]):
                    best_move = (int(r), w, after)
        if best_move is None:
            break
        moved, w, _ = best_move
        points = instance.requirements[moved].points
        loads[worst] -= points
        cases[worst] -= 1
        loads[w] += points
        cases[w] += 1
        assignment[moved] = w
    return assignment


def _eligible_workers(instance: Instance) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for costs in instance.role_costs.values():
        for i, r in enumerate(costs.requirements):
            out[int(r)] = [int(w) for w in costs.workers[costs.eligible[i]]]
    return out
