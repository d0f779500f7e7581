"""Lagrangian reduced-cost fixing: the pairs no better allocation can use (solver/fixing.py)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from caseweight.problem import Role
from caseweight.solver.bound import lower_bound
from caseweight.solver.fixing import open_pairs
from caseweight.solver.instance import Instance
from caseweight.solver.lagrangian import RoleLagrangian, ascend
from caseweight.solver.local_search import climb
from caseweight.solver.root_bound import root_bounds
from caseweight.solver.starts import role_objectives
from caseweight.solver.warm_start import UNALLOCATED, first_fit
from conftest import Runner, exact_optimum
from test_bound import proven_family, siblings_authority
from test_lns import FAR, generated


def uses_only_open(
    instance: Instance, role: Role, assignment: np.ndarray, opened: np.ndarray
) -> bool:
    costs = instance.role_costs[role]
    for i, r in enumerate(costs.requirements.tolist()):
        if assignment[r] != UNALLOCATED and not opened[i, costs.column[int(assignment[r])]]:
            return False
    return True


def test_the_incumbent_keeps_its_pairs_open_and_others_are_ruled_out(tmp_path: Path) -> None:
    _, instance = generated(tmp_path, seed=3)
    found = climb(instance, first_fit(instance), FAR)
    instance, incumbent = found.instance, found.assignment
    # anything costing no more than the incumbent keeps every pair it uses ...
    limit = {role: value + 1 for role, value in role_objectives(instance, incumbent).items()}
    opened = lower_bound(instance, incumbent, limit, 2.0).open_pairs
    for role, costs in instance.role_costs.items():
        assert uses_only_open(instance, role, incumbent, opened[role])
        # ... and the Lagrangian rules out some of the rest: most where it is
        # tight (the social workers: 395 of 1,882 pairs stay open)
        assert opened[role].sum() < costs.eligible.sum(), role
        assert not (opened[role] & ~costs.eligible).any()
    social = instance.role_costs[Role.SOCIAL_WORKER].eligible.sum()
    assert opened[Role.SOCIAL_WORKER].sum() < 0.5 * social


def test_sibling_groups_keep_the_optimum_open(run_authority: Runner) -> None:
    """A family priced together: the optimum's pairs stay open at its own objective."""
    proposal = run_authority(siblings_authority(members=5), time_limit=5.0).proposal
    instance = proposal.instance
    optimal, optimum = exact_optimum(instance)
    role = Role.SOCIAL_WORKER
    dual = RoleLagrangian(instance, instance.role_costs[role])
    _, lam = ascend(dual, np.zeros(dual.size), float(optimum), 2.0)
    assert dual.groups  # the family is priced as a group
    assert uses_only_open(instance, role, optimal, open_pairs(dual, lam, optimum + 1))


def test_the_root_over_open_pairs_stays_below_the_optimum(run_authority: Runner) -> None:
    instance, incumbent, upper, optimum = proven_family(run_authority, time_limit=5.0)
    bounds = lower_bound(instance, incumbent, upper, 2.0)
    assert Role.SOCIAL_WORKER in bounds.open_pairs
    raised = root_bounds(
        instance, incumbent, bounds.values, time.perf_counter() + 30, 0, bounds.open_pairs
    )
    assert sum(raised.values()) <= optimum
    for role, value in raised.items():
        assert bounds.values[role] <= value <= upper[role]
