"""Why each allocation is proposed: one reason from a small fixed vocabulary.

A manager reads these in the moves table; the detail sentence says what the
reason rests on (loads before and after, the sibling, the skill).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from caseweight.demand import POINTS_SCALE, Need
from caseweight.problem import Problem
from caseweight.solver.instance import Instance
from caseweight.solver.warm_start import UNALLOCATED


class Reason(StrEnum):
    KEPT = "kept"
    NEW_ALLOCATION = "new_allocation"
    PERSONAL_ADVISER_DUE = "personal_adviser_due"
    WORKER_LEAVING = "worker_leaving"
    OVER_CAPACITY = "over_capacity"
    BALANCE = "balance"
    SIBLINGS = "siblings"
    SKILLS = "skills"
    TEAM = "team"
    PINNED = "pinned"
    NO_CAPACITY = "no_capacity"
    NO_ELIGIBLE_WORKER = "no_eligible_worker"


@dataclass(frozen=True)
class Explanation:
    reason: Reason
    detail: str


def explain(
    problem: Problem,
    instance: Instance,
    assignment: np.ndarray,
    loads_before: np.ndarray,
    loads_after: np.ndarray,
) -> tuple[Explanation, ...]:
    """A reason and a detail sentence for every requirement of ``assignment``."""
    return tuple(
        _explain_one(problem, instance, assignment, r, loads_before, loads_after)
        for r in range(len(instance.requirements))
    )


def _utilisation(instance: Instance, loads: np.ndarray, w: int) -> str:
    cap = int(instance.capacity[w])
    return f"{100 * loads[w] / cap:.0f}%" if cap > 0 else "n/a"


def _explain_one(
    problem: Problem,
    instance: Instance,
    assignment: np.ndarray,
    r: int,
    before: np.ndarray,
    after: np.ndarray,
) -> Explanation:
    req = instance.requirements[r]
    w = int(assignment[r])
    current = req.current_worker
    person = problem.people[req.person]
    if w == UNALLOCATED:
        if not instance.candidates[r]:
            gap = instance.skill_gaps.get(r)
            why = f" (no worker has {', '.join(gap)})" if gap else ""
            return Explanation(Reason.NO_ELIGIBLE_WORKER, f"no eligible {req.role.value}{why}")
        return Explanation(
            Reason.NO_CAPACITY,
            f"every eligible {req.role.value} would go above the hard limit or max_cases",
        )
    if w == current:
        return Explanation(Reason.KEPT, "stays with current worker")
    to = problem.workers[w]
    change = f"{_utilisation(instance, before, w)} -> {_utilisation(instance, after, w)}"
    arrival = f"to {to.worker_id} ({change})"
    if current is None:
        if req.need is Need.PERSONAL_ADVISER_DUE:
            return Explanation(
                Reason.PERSONAL_ADVISER_DUE, f"personal adviser due at 16+; {arrival}"
            )
        return Explanation(Reason.NEW_ALLOCATION, f"no worker allocated; {arrival}")
    old = problem.workers[current]
    if not instance.capacities[current].can_hold:
        return Explanation(
            Reason.WORKER_LEAVING, f"{old.worker_id} is leaving or unavailable; {arrival}"
        )
    needed = set(person.needs_skills) - set(instance.skill_gaps.get(r, ()))
    if needed and not needed <= old.skills and needed <= to.skills:
        return Explanation(Reason.SKILLS, f"needs {', '.join(sorted(needed))}; {arrival}")
    group = person.sibling_group
    if group and any(
        int(assignment[s]) == w and s != r for g in instance.sibling_groups if r in g for s in g
    ):
        return Explanation(Reason.SIBLINGS, f"joins siblings (group {group}); {arrival}")
    if before[current] > instance.capacities[current].target_points * POINTS_SCALE:
        return Explanation(
            Reason.OVER_CAPACITY,
            f"{old.worker_id} at {_utilisation(instance, before, current)} of capacity; {arrival}",
        )
    if person.team and to.team == person.team and old.team != person.team:
        return Explanation(Reason.TEAM, f"back to a worker of team {person.team}; {arrival}")
    return Explanation(
        Reason.BALANCE,
        f"evens loads: {old.worker_id} at {_utilisation(instance, before, current)}; {arrival}",
    )
