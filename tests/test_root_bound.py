"""HiGHS's root node over a whole role, for the bound only (solver/root_bound.py)."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from ortools.math_opt.python import mathopt

from caseweight.problem import Role
from caseweight.solver import root_bound
from caseweight.solver.bound import lower_bound
from caseweight.solver.local_search import climb
from caseweight.solver.role_mip import RoleMip
from caseweight.solver.root_bound import root_bounds
from caseweight.solver.solve import SolveSettings, solve
from caseweight.solver.starts import role_objectives
from caseweight.solver.warm_start import first_fit
from conftest import Runner
from test_bound import proven_family
from test_lns import FAR, generated


def climbed_and_bounded(tmp_path: Path, seed: int) -> tuple:
    _, instance = generated(tmp_path, seed=seed)
    found = climb(instance, first_fit(instance), FAR)
    instance, incumbent = found.instance, found.assignment
    upper = role_objectives(instance, incumbent)
    return instance, incumbent, upper, lower_bound(instance, incumbent, upper, 2.0).values


def test_the_root_never_weakens_and_stays_below_the_proposal(tmp_path: Path) -> None:
    instance, incumbent, upper, bounds = climbed_and_bounded(tmp_path, seed=3)
    raised = root_bounds(instance, incumbent, bounds, time.perf_counter() + 60)
    for role, value in raised.items():
        assert bounds[role] <= value <= upper[role]
    # the root's cuts see what the LP does not: at least one role is raised
    assert any(raised[role] > bounds[role] for role in raised)


def test_no_time_left_no_highs(tmp_path: Path) -> None:
    instance, incumbent, _, bounds = climbed_and_bounded(tmp_path, seed=3)
    assert root_bounds(instance, incumbent, bounds, time.perf_counter()) == bounds


def test_a_role_too_large_is_left_to_the_lagrangian(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    instance, incumbent, _, bounds = climbed_and_bounded(tmp_path, seed=3)
    monkeypatch.setattr(root_bound, "ROOT_PAIR_LIMIT", 10)
    assert root_bounds(instance, incumbent, bounds, time.perf_counter() + 60) == bounds


def test_the_root_bound_is_below_the_proven_optimum(run_authority: Runner) -> None:
    instance, incumbent, upper, optimum = proven_family(run_authority, time_limit=20.0)
    bounds = dict.fromkeys(upper, 0)
    raised = root_bounds(instance, incumbent, bounds, time.perf_counter() + 30)
    assert sum(raised.values()) <= optimum
    assert raised[Role.SOCIAL_WORKER] > 0  # it proved something


def test_batches_skip_the_root_bound(tmp_path: Path) -> None:
    """Scenario and simulated months do not spend their time left on the bound."""
    _, instance = generated(tmp_path, seed=3)
    settings = SolveSettings(time_limit_seconds=30.0, planned_seconds=1.0)
    proved = solve(instance, settings)
    batch = solve(instance, replace(settings, root_bound=False))
    assert np.array_equal(proved.assignment, batch.assignment)  # the same proposal
    assert batch.best_bound < proved.best_bound  # only the bound differs


def test_the_role_furthest_from_its_bound_branches_on_past_its_root(tmp_path: Path) -> None:
    """The time left goes to branch and bound on the last role, not only its root."""
    instance, incumbent, upper, bounds = climbed_and_bounded(tmp_path, seed=7)
    role = Role.PERSONAL_ADVISER  # the further from its bound here
    eligible = instance.role_costs[role].eligible
    root = RoleMip(instance, role, eligible).bound(incumbent, 60, 0)
    assert not root.optimal  # the root leaves a gap
    raised = root_bounds(instance, incumbent, bounds, time.perf_counter() + 60)
    assert raised[role] > root.dual_bound
    assert raised[role] <= upper[role]


def test_the_bound_spends_no_time_on_allocations(tmp_path: Path) -> None:
    """For a bound HiGHS keeps the hinted allocation and only proves: its
    root starts from the LP and ends at or above it, never above the hint."""
    instance, incumbent, upper, bounds = climbed_and_bounded(tmp_path, seed=5)
    role = Role.PERSONAL_ADVISER
    found = RoleMip(instance, role, instance.role_costs[role].eligible).bound(incumbent, 60, 0)
    assert found.primal_bound == pytest.approx(upper[role])  # the hint, no search of its own
    assert bounds[role] <= found.dual_bound <= upper[role]


def test_rule_5_holds_for_a_fraction_of_a_young_person(tmp_path: Path) -> None:
    """In the MIP's LP relaxation a worker above the hard limit who takes a
    share t of a young person new to them lets at least t times their excess
    go: receiving at all moves their limit from what they hold towards the
    hard limit, in proportion. (With everything they might hold as the
    limit's slack, the demo's advisers' LP was 5,318,990 against 5,397,293,
    and HiGHS's root 5,415,023 against 5,584,603.)"""
    instance, _, _, _ = climbed_and_bounded(tmp_path, seed=5)
    role = Role.PERSONAL_ADVISER
    costs = instance.role_costs[role]
    mip = RoleMip(instance, role, costs.eligible)
    pairs = list(zip(mip.pair_rows.tolist(), mip.pair_cols.tolist(), strict=True))
    tried = 0
    for j, w in enumerate(int(w) for w in costs.workers):
        own = sorted((i for i, c in pairs if c == j and costs.current[i] == j), key=mip.points.item)
        excess = int(mip.points[own].sum()) - int(instance.hard_limit[w])
        newcomers = [i for i, c in pairs if c == j and costs.current[i] != j]
        if excess <= 0 or not own or not newcomers:
            continue
        # the smallest they hold could make room for a share t of the newcomer,
        # but not for t of the newcomer and t of the excess
        share = mip.points[own[0]] / (mip.points[newcomers[0]] + excess / 2)
        if share >= 1:
            continue
        relaxed = mathopt.Model.from_model_proto(mip.proto)
        for var in relaxed.variables():
            var.integer = False
        for i in own[1:]:
            relaxed.get_variable(pairs.index((i, j))).lower_bound = 1.0
        newcomer = relaxed.get_variable(pairs.index((newcomers[0], j)))
        newcomer.lower_bound = newcomer.upper_bound = float(share)
        result = mathopt.solve(relaxed, mathopt.SolverType.HIGHS)
        assert result.termination.reason == mathopt.TerminationReason.INFEASIBLE
        tried += 1
    assert tried > 0
