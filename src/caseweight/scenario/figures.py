"""The numbers planners compare scenarios on, from one proposal."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from caseweight.demand import POINTS_SCALE
from caseweight.problem import Role, Status
from caseweight.solver.warm_start import UNALLOCATED

if TYPE_CHECKING:
    from caseweight.pipeline import Proposal

SHORT = {Role.SOCIAL_WORKER: "SW", Role.PERSONAL_ADVISER: "PA"}

#: (key, label, kind) in table order; "pct" prints as a percentage, "yesno" as yes / no.
ROWS: tuple[tuple[str, str, str], ...] = (
    ("young_people", "Young people", "int"),
    ("changes", "Changes of worker", "int"),
    *(
        row
        for short in ("SW", "PA")
        for row in (
            (f"{short}_workers", f"{short} workers holding cases", "int"),
            (f"{short}_demand_points", f"{short} demand (points)", "num"),
            (f"{short}_capacity_points", f"{short} capacity (points)", "num"),
            (f"{short}_max_utilisation", f"{short} max utilisation", "pct"),
            (f"{short}_p90_utilisation", f"{short} 90th percentile utilisation", "pct"),
            (f"{short}_over_target", f"{short} workers over target", "int"),
            (f"{short}_unallocated", f"{short} unallocated", "int"),
            (f"{short}_fte_needed", f"{short} FTE needed to be within target", "num"),
        )
    ),
    ("in_care_16_17_without_pa", "In care 16-17 without a PA", "int"),
    ("search_complete", "Solver search complete (else cut short by the time limit)", "yesno"),
)


def planner_figures(proposal: Proposal) -> dict[str, float]:
    """Figures of ``proposal`` keyed as in :data:`ROWS`.

    FTE needed is the role's whole demand (allocated or not) beyond what its
    workers hold at the target utilisation, in full-time workers of the role
    at the target, rounded up to a tenth: with perfect balance, recruiting
    that many brings everyone within target.
    """
    from caseweight.pipeline import role_workers

    inst, config = proposal.instance, proposal.config
    target = config.capacity.target_utilisation
    out: dict[str, float] = {
        "young_people": len(proposal.problem.people),
        "changes": int(sum(proposal.is_change_of_worker(r) for r in range(len(inst.requirements)))),
    }
    for role, short in SHORT.items():
        workers = role_workers(proposal, role)
        reqs = [r for r in inst.requirements if r.role is role]
        util = proposal.utilisation_after[workers]
        util = util[np.isfinite(util)]
        demand = sum(r.points for r in reqs) / POINTS_SCALE
        capacity = float(inst.capacity[workers].sum()) / POINTS_SCALE
        per_fte = config.capacity.points_per_fte[role.value] * target
        short_of = max(0.0, demand - capacity * target)
        out |= {
            f"{short}_workers": len(workers),
            f"{short}_demand_points": round(demand, 1),
            f"{short}_capacity_points": round(capacity, 1),
            f"{short}_max_utilisation": round(float(util.max()), 4) if util.size else 0.0,
            f"{short}_p90_utilisation": (
                round(float(np.percentile(util, 90)), 4) if util.size else 0.0
            ),
            f"{short}_over_target": int(np.sum(util > target + 1e-9)),
            f"{short}_unallocated": int(
                sum(int(proposal.assignment[r.index] == UNALLOCATED) for r in reqs)
            ),
            f"{short}_fte_needed": math.ceil(short_of / per_fte * 10 - 1e-9) / 10,
        }
    out["in_care_16_17_without_pa"] = in_care_16_17_without_pa(proposal)
    return out


def in_care_16_17_without_pa(proposal: Proposal) -> int:
    """Young people in care aged 16 or 17 with no personal adviser in the proposal."""
    problem = proposal.problem
    with_pa = {
        r.person
        for r in proposal.instance.requirements
        if r.role is Role.PERSONAL_ADVISER and proposal.assignment[r.index] != UNALLOCATED
    }
    return sum(
        1
        for i, person in enumerate(problem.people)
        if problem.treated_as(person) is Status.IN_CARE
        and 16 <= problem.age(person) <= 17
        and i not in with_pa
    )
