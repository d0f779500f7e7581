"""A quick feasible allocation: keep who can be kept, place the rest first-fit.

Used as the solver's full hint and as the first half of the greedy peer in
``benchmarks/``. It respects every hard rule: new allocations only to workers
who stay within the hard limit and ``max_cases``.
"""

from __future__ import annotations

import numpy as np

from caseweight.solver.instance import Instance

UNALLOCATED = -1


def keep_current(instance: Instance) -> np.ndarray:
    """Worker per requirement: the current one where still a candidate, else unallocated."""
    assignment = np.full(len(instance.requirements), UNALLOCATED, dtype=np.int64)
    for req, options in zip(instance.requirements, instance.candidates, strict=True):
        if req.current_worker is not None and any(o.worker == req.current_worker for o in options):
            assignment[req.index] = req.current_worker
    return assignment


def loads_and_cases(instance: Instance, assignment: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Load (tenths of a point) and case count per worker under ``assignment``."""
    points = np.array([r.points for r in instance.requirements], dtype=np.int64)
    held = assignment >= 0
    loads = np.bincount(assignment[held], weights=points[held], minlength=instance.n_workers)
    cases = np.bincount(assignment[held], minlength=instance.n_workers)
    return loads.astype(np.int64), cases.astype(np.int64)


def can_receive(instance: Instance, w: int, load: int, cases: int, points: int) -> bool:
    """Hard rule 5 for one more young person on worker ``w``."""
    limit = instance.capacities[w].max_cases
    return load + points <= instance.hard_limit[w] and (limit is None or cases + 1 <= limit)


def place_unallocated(instance: Instance, assignment: np.ndarray) -> np.ndarray:
    """Give each unallocated requirement to its least-utilised eligible candidate.

    Requirements are taken most costly-to-leave first (statutory before PA-due,
    older before younger), then by person order, so the result is deterministic.
    """
    result = assignment.copy()
    loads, cases = loads_and_cases(instance, result)
    waiting = [r for r in range(len(result)) if result[r] == UNALLOCATED]
    waiting.sort(key=lambda r: (-int(instance.unallocated_cost[r]), r))
    for r in waiting:
        req = instance.requirements[r]
        best, best_util = UNALLOCATED, np.inf
        for option in instance.candidates[r]:
            w = option.worker
            if not can_receive(instance, w, int(loads[w]), int(cases[w]), req.points):
                continue
            util = (loads[w] + req.points) / instance.capacity[w]
            if util < best_util:
                best, best_util = w, util
        if best != UNALLOCATED:
            result[r] = best
            loads[best] += req.points
            cases[best] += 1
    return result


def first_fit(instance: Instance) -> np.ndarray:
    """Keep current workers, then place everyone else on the lightest eligible worker."""
    return place_unallocated(instance, keep_current(instance))
