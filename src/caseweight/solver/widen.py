"""Widen the candidates where the search says it matters.

The sparse candidates (current worker, siblings' workers, own team, the few
lightest others *before* the month's allocation) can run out: in a large
authority every young person's "lightest others" are the same few workers,
who fill first. After the first hill climb, each young person still on a
worker above the hard limit, and each still unallocated, also gets the
workers who are lightest *now* (of their role, eligible for them), so the
search can relieve an overload it could not reach.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from caseweight.solver.instance import Candidate, Instance
from caseweight.solver.warm_start import UNALLOCATED, loads_and_cases

#: Lightest workers (by utilisation under the incumbent) added per young person.
LIGHTEST_NOW = 8


def widen(instance: Instance, assignment: np.ndarray, lightest: int = LIGHTEST_NOW) -> Instance:
    """``instance`` with the now-lightest eligible workers added where they are needed."""
    loads, _ = loads_and_cases(instance, assignment)
    utilisation = loads / np.maximum(instance.capacity, 1)
    over = loads > instance.hard_limit
    candidates = list(instance.candidates)
    for costs in instance.role_costs.values():
        if not costs.workers.size:
            continue
        receives = costs.eligible.any(axis=0)
        order = costs.workers.size
        for i, r in enumerate(costs.requirements.tolist()):
            held = int(assignment[r])
            if held != UNALLOCATED and not over[held]:
                continue
            options = np.flatnonzero(costs.eligible[i] & receives)
            if not options.size:
                continue
            ranked = options[np.argsort(utilisation[costs.workers[options]], kind="stable")]
            known = {c.worker for c in candidates[r]}
            extra = [
                Candidate(
                    int(costs.workers[j]),
                    int(costs.change[i, j]),
                    int(costs.team[i, j]),
                    int(costs.skill[i, j]),
                )
                for j in ranked[: min(lightest, order)].tolist()
                if int(costs.workers[j]) not in known
            ]
            if extra:
                candidates[r] = candidates[r] + tuple(extra)
    return dataclasses.replace(instance, candidates=tuple(candidates))
