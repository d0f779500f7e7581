"""Each role's LP and the MIP where it disagrees with the proposal (solver/rins.py)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from caseweight.config import Config
from caseweight.problem import Role
from caseweight.solution import check_proposal
from caseweight.solver import rins as rins_module
from caseweight.solver import solve as solve_module
from caseweight.solver.bound import lower_bound
from caseweight.solver.lagrangian import RoleLagrangian
from caseweight.solver.lns import Budget, lp_disagreements
from caseweight.solver.local_search import climb
from caseweight.solver.rins import (
    CAPPED_FREE_PAIRS,
    FREE_PAIRS_PER_DISAGREEMENT,
    FREE_PAIRS_PER_LP_PAIR,
    SECONDS_PER_FREE_PAIR,
    SECONDS_PER_LP_PAIR,
    candidate_pairs,
    disagreements,
    lp_bounds,
    rins,
)
from caseweight.solver.role_mip import RoleMip
from caseweight.solver.solve import Progress, SolveSettings, solve
from caseweight.solver.starts import role_objectives
from caseweight.solver.transport import role_flows
from caseweight.solver.warm_start import first_fit
from conftest import Runner, exact_optimum
from test_bound import siblings_authority
from test_lns import FAR, generated

ROOM = {Role.PERSONAL_ADVISER: 1.0, Role.SOCIAL_WORKER: 1.0}


def test_the_lp_bounds_the_proven_optimum_of_a_family(run_authority: Runner) -> None:
    """Siblings and rule 5 in the LP: its optimum is never above CP-SAT's proven one."""
    proposal = run_authority(siblings_authority(members=5), time_limit=5).proposal
    instance = proposal.instance
    best, optimum = exact_optimum(instance)
    upper = role_objectives(instance, proposal.result.assignment)
    bounds = lp_bounds(instance, upper, list(instance.role_costs), FAR)
    assert bounds  # the test means something
    best_parts = role_objectives(instance, best)
    for role, lp in bounds.items():
        assert lp.bound <= lp.value and lp.bound <= best_parts[role]
    assert sum(lp.bound for lp in bounds.values()) <= optimum


def test_no_time_left_no_lp_bound(tmp_path: Path) -> None:
    _, instance = generated(tmp_path, seed=7)
    upper = role_objectives(instance, first_fit(instance))
    assert lp_bounds(instance, upper, list(Role), 0.0) == {}


def test_a_role_too_large_has_no_lp_however_long_the_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above LP_PAIR_LIMIT the LP's planning figure does not hold (a region's
    advisers overran the command's limit by 11 s): the role is skipped."""
    _, instance = generated(tmp_path, seed=7)
    upper = role_objectives(instance, first_fit(instance))
    pairs = {role: int(c.eligible.sum()) for role, c in instance.role_costs.items()}
    small, large = sorted(pairs, key=lambda role: pairs[role])
    assert pairs[small] < pairs[large]
    monkeypatch.setattr(rins_module, "LP_PAIR_LIMIT", pairs[small])
    assert set(lp_bounds(instance, upper, list(Role), FAR)) == {small}


def test_rins_keeps_every_hard_rule_and_improves_a_first_fit(tmp_path: Path) -> None:
    problem, instance = generated(tmp_path, seed=7)
    start = first_fit(instance)
    found = rins(instance, start, Budget(1e6, ROOM, 0, FAR))
    assert not found.cut and found.planned_seconds > 0
    check = check_proposal(problem, found.instance, found.assignment, Config())
    assert check.violations == ()
    before = role_objectives(instance, start)
    after = role_objectives(found.instance, found.assignment)
    assert all(after[role] <= before[role] for role in Role)
    assert sum(after.values()) < sum(before.values())
    # nobody who could stay waits
    assert not ((found.assignment == -1) & instance.keepable).any()


def test_the_same_input_gives_the_same_allocation(tmp_path: Path) -> None:
    _, instance = generated(tmp_path, seed=8)
    start = climb(instance, first_fit(instance), FAR).assignment
    one = rins(instance, start, Budget(1e6, ROOM, 0, FAR))
    two = rins(instance, start, Budget(1e6, ROOM, 0, FAR))
    assert np.array_equal(one.assignment, two.assignment)


def test_the_plan_decides_which_roles_get_their_lp(tmp_path: Path) -> None:
    _, instance = generated(tmp_path, seed=7)
    start = first_fit(instance)
    nothing = rins(instance, start, Budget(0.0, ROOM, 0, FAR))
    assert nothing.planned_seconds == 0.0
    assert np.array_equal(nothing.assignment, start)
    # room for the advisers' LP alone, and the MIP the plan expects of it
    # without a flow (the role with most room goes first)
    pairs = int(candidate_pairs(instance, Role.PERSONAL_ADVISER, start).sum())
    expected = round(pairs * FREE_PAIRS_PER_LP_PAIR) * SECONDS_PER_FREE_PAIR
    more = {Role.PERSONAL_ADVISER: 2.0, Role.SOCIAL_WORKER: 1.0}
    one = rins(instance, start, Budget(pairs * SECONDS_PER_LP_PAIR + expected, more, 0, FAR))
    assert one.planned_seconds == pytest.approx(pairs * SECONDS_PER_LP_PAIR)


def test_no_lp_where_the_mip_it_leads_to_would_not_fit(tmp_path: Path) -> None:
    """The plan expects FREE_PAIRS_PER_DISAGREEMENT free pairs per young person
    the flow would place elsewhere: room for the LP alone is not enough."""
    _, instance = generated(tmp_path, seed=7)
    start = first_fit(instance)
    role = Role.PERSONAL_ADVISER
    flows = role_flows(instance, 1e6)
    expected = round(
        len(lp_disagreements(instance, role, flows[role], start)) * FREE_PAIRS_PER_DISAGREEMENT
    )
    assert 0 < expected <= CAPPED_FREE_PAIRS  # the test means something
    lp_alone = int(candidate_pairs(instance, role, start).sum()) * SECONDS_PER_LP_PAIR
    needs = lp_alone + expected * SECONDS_PER_FREE_PAIR
    short = rins(instance, start, Budget(needs * 0.99, ROOM, 0, FAR), flows)
    assert role not in short.prices  # (the social workers' may fit)
    enough = rins(instance, start, Budget(needs * 1.01, ROOM, 0, FAR), flows)
    assert role in enough.prices


def test_the_lp_sees_each_young_persons_candidates_and_proposed_worker(tmp_path: Path) -> None:
    _, instance = generated(tmp_path, seed=7)
    role = Role.PERSONAL_ADVISER
    start = climb(instance, first_fit(instance), FAR).assignment
    costs = instance.role_costs[role]
    pairs = candidate_pairs(instance, role, start)
    assert (pairs <= costs.eligible).all()
    for i, r in enumerate(costs.requirements.tolist()):
        expected = {o.worker for o in instance.candidates[r]}
        if start[r] >= 0:
            expected.add(int(start[r]))
        assert {int(w) for w in costs.workers[pairs[i]]} == expected


def test_only_those_the_lp_would_move_are_free(tmp_path: Path) -> None:
    _, instance = generated(tmp_path, seed=7)
    role = Role.PERSONAL_ADVISER
    start = first_fit(instance)
    costs = instance.role_costs[role]
    relaxed = RoleMip(instance, role, costs.eligible, relaxed=True)
    lp = relaxed.relaxation(60)
    assert lp.optimal and lp.values is not None
    shares = np.zeros(costs.eligible.shape)
    shares[relaxed.pair_rows, relaxed.pair_cols] = lp.values
    allowed = disagreements(instance, role, shares, start)
    free = 0
    for i, r in enumerate(costs.requirements.tolist()):
        j = costs.column.get(int(start[r]))
        if j is not None and shares[i, j] > 1 - 1e-6:
            assert allowed[i].sum() == 1 and allowed[i, j]
            continue
        free += 1
        expected = shares[i] > 1e-6
        if j is not None:
            expected[j] = True
        assert (allowed[i] == expected).all()
        assert (allowed[i] <= costs.eligible[i]).all()
    assert free  # the test means something


def test_the_solve_reports_the_lp_and_stays_repeatable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every role past HiGHS's root's reach (here: all of them) is bounded by its LP."""
    monkeypatch.setattr(solve_module, "ROOT_PAIR_LIMIT", 0)
    _, instance = generated(tmp_path, seed=7)
    settings = SolveSettings(time_limit_seconds=60.0, planned_seconds=20.0)
    stages: list[Progress] = []
    one, two = solve(instance, settings, stages.append), solve(instance, settings)
    assert "LP neighbourhoods" in [p.stage for p in stages]
    assert one.repeatable and two.repeatable
    assert np.array_equal(one.assignment, two.assignment)
    upper = role_objectives(instance, one.assignment)
    for role, lp in lp_bounds(instance, upper, list(Role), FAR).items():
        assert one.role_bounds[role.value] >= lp.bound


def test_a_large_neighbourhood_stops_at_its_second_find_and_is_planned_dearer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past CAPPED_FREE_PAIRS (here every neighbourhood), HiGHS stops at its
    second improving allocation: still every rule, repeatable, and charged
    at the dearer planning figure."""
    problem, instance = generated(tmp_path, seed=8)
    start = climb(instance, first_fit(instance), FAR).assignment
    budget = Budget(1e6, ROOM, 0, FAR)
    whole = rins(instance, start, budget)
    monkeypatch.setattr(rins_module, "CAPPED_FREE_PAIRS", 0)
    one, two = rins(instance, start, budget), rins(instance, start, budget)
    assert np.array_equal(one.assignment, two.assignment)
    assert one.planned_seconds > whole.planned_seconds
    assert check_proposal(problem, one.instance, one.assignment, Config()).violations == ()
    before = sum(role_objectives(instance, start).values())
    assert sum(role_objectives(one.instance, one.assignment).values()) <= before


def test_the_lps_duals_start_the_lagrangian_near_the_lp(tmp_path: Path) -> None:
    """The social workers' duals, as the Lagrangian's multipliers, bound their
    role within 1% of their LP over the candidates at once (zero prices: far
    below), and the bound starts from them."""
    _, instance = generated(tmp_path, seed=7)
    role = Role.SOCIAL_WORKER
    start = climb(instance, first_fit(instance), FAR).assignment
    found = rins(instance, start, Budget(1e6, ROOM, 0, FAR))
    load, cases = found.prices[role]
    dual = RoleLagrangian(instance, instance.role_costs[role])
    at_duals = dual.evaluate(dual.project(dual.joined(load, None, cases)))[0]
    relaxed = RoleMip(instance, role, candidate_pairs(instance, role, start), relaxed=True)
    lp = relaxed.relaxation(60).dual_bound
    assert lp * 0.99 <= at_duals <= lp + 1
    assert dual.evaluate(np.zeros(dual.size))[0] < lp * 0.99
    upper = role_objectives(instance, start)
    bounds = lower_bound(instance, start, upper, 0.0, prices=found.prices)
    assert bounds.values[role] >= np.floor(at_duals)


def test_the_lagrangian_leaves_the_root_a_share(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where HiGHS's root will take a role, the Lagrangian is given half the time left."""
    given: list[float] = []
    real = solve_module.lower_bound

    def recorded(*args, **kwargs):  # type: ignore[no-untyped-def]
        given.append(args[3])
        return real(*args, **kwargs)

    monkeypatch.setattr(solve_module, "lower_bound", recorded)
    _, instance = generated(tmp_path, seed=7)
    limit = 8.0
    started = time.perf_counter()
    solve(instance, SolveSettings(time_limit_seconds=limit, planned_seconds=2.0))
    assert len(given) == 1
    left = limit - (time.perf_counter() - started)  # less than when it was called
    assert 0 < given[0] <= solve_module.LAGRANGIAN_SHARE * limit
    assert given[0] >= solve_module.LAGRANGIAN_SHARE * left - 0.5
