"""The LP's start: rounded from the min-cost flow, then brought within rule 5."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from authority import Authority
from caseweight.config import Config
from caseweight.problem import Role
from caseweight.solution import check_proposal
from caseweight.solver.lagrangian import RoleLagrangian
from caseweight.solver.lp_start import _within_rule_5, lp_start
from caseweight.solver.starts import (
    SECONDS_PER_CLIMBED_REQUIREMENT,
    SECONDS_PER_WAITING_REQUIREMENT,
    planned_climb_seconds,
)
from caseweight.solver.transport import SECONDS_PER_ARC, flow_arcs, role_flows
from caseweight.solver.warm_start import UNALLOCATED, first_fit, loads_and_cases
from conftest import Runner
from test_lns import generated
from test_reach import shaped

POINTS = {"K": 60, "N1": 30, "N2": 30, "N3": 30, "M": 30, "X": 100}
SHARES = {"K": 1.0, "N1": 0.9, "N2": 0.5, "N3": 0.7, "M": 0.2, "X": 0.95}


def test_new_arrivals_with_the_smallest_share_leave_until_rule_5_holds(
    run_authority: Runner,
) -> None:
    """S1 gets K's 6 points of its own and 12 of new arrivals (hard limits 12 points).

    M, who could stay with S2, goes back there first; then N2 waits. M's return
    takes S2 over its limit while X is new to it, so X waits too.
    """
    authority = Authority().worker("S1", capacity_points=10).worker("S2", capacity_points=10)
    authority.person("K", sw="S1").person("M", sw="S2")
    for person in ("N1", "N2", "N3", "X"):
        authority.person(person)
    everyone = tuple(POINTS)
    only = dict.fromkeys(everyone, ("S1", "S2"))
    instance, ids = shaped(run_authority, authority, POINTS, only, {"S1": 120, "S2": 120})
    rounded = {"K": "S1", "N1": "S1", "N2": "S1", "N3": "S1", "M": "S1", "X": "S2"}
    assignment = np.full(len(instance.requirements), UNALLOCATED, dtype=np.int64)
    share = np.zeros(len(instance.requirements))
    for person, worker in rounded.items():
        assignment[ids[person]], share[ids[person]] = ids[worker], SHARES[person]
    result = _within_rule_5(instance, assignment, share)
    held = {p: int(result[ids[p]]) for p in everyone}
    assert held == {
        "K": ids["S1"],
        "N1": ids["S1"],
        "N2": UNALLOCATED,
        "N3": ids["S1"],
        "M": ids["S2"],
        "X": UNALLOCATED,
    }
    loads, _ = loads_and_cases(instance, result)
    assert loads[ids["S1"]] == 120 and loads[ids["S2"]] == 30


@pytest.mark.parametrize("seed", range(3))
def test_the_lp_start_keeps_every_hard_rule(tmp_path: Path, seed: int) -> None:
    problem, instance = generated(tmp_path, seed=seed, people=400, workers=26)
    flows = role_flows(instance, 60)
    assert set(flows) == {role for role, c in instance.role_costs.items() if len(c.requirements)}
    wider, start = lp_start(instance, flows, first_fit(instance))
    assert check_proposal(problem, wider, start, Config()).violations == ()
    assert not ((start == UNALLOCATED) & instance.keepable).any()
    # every worker the LP sends anyone to is among their candidates
    for role, flow in flows.items():
        costs = instance.role_costs[role]
        for i, j in zip(flow.rows.tolist(), flow.cols.tolist(), strict=True):
            r, w = int(costs.requirements[i]), int(costs.workers[j])
            assert any(c.worker == w for c in wider.candidates[r])
    # the LP serves at least as many young people as first fit
    assert (start == UNALLOCATED).sum() <= (first_fit(instance) == UNALLOCATED).sum()


def test_a_role_whose_flow_fits_gets_it_when_a_larger_one_does_not(tmp_path: Path) -> None:
    """The advisers' flow (fewer pairs) fits a budget the social workers' does not.

    Planned from arcs: a region at 30 s plans 4.7 s for its advisers and 12.8 s
    for its social workers; it used to stop at the social workers and solve none.
    """
    _, instance = generated(tmp_path, seed=0, people=400, workers=26)
    arcs = {
        role: flow_arcs(RoleLagrangian(instance, costs)) * SECONDS_PER_ARC
        for role, costs in instance.role_costs.items()
    }
    sw, pa = arcs[Role.SOCIAL_WORKER], arcs[Role.PERSONAL_ADVISER]
    assert pa < sw
    assert set(role_flows(instance, (pa + sw) / 2)) == {Role.PERSONAL_ADVISER}
    assert set(role_flows(instance, pa + sw)) == {Role.PERSONAL_ADVISER, Role.SOCIAL_WORKER}
    assert role_flows(instance, pa / 2) == {}


def test_a_start_with_young_people_waiting_plans_a_dearer_climb(
    run_authority: Runner,
) -> None:
    """The climb is planned from the requirements and those waiting at its start:
    a shortage's climbs took 6.2 s of a 10 s command when only the requirements counted."""
    authority = Authority().worker("S1", capacity_points=20)
    for k in range(4):
        authority.person(f"C{k}", age=9)
    instance = run_authority(authority).proposal.instance
    n = len(instance.requirements)
    placed = np.full(n, int(instance.role_costs[Role.SOCIAL_WORKER].workers[0]), dtype=np.int64)
    waiting = np.full(n, UNALLOCATED, dtype=np.int64)
    assert planned_climb_seconds(instance, placed) == pytest.approx(
        n * SECONDS_PER_CLIMBED_REQUIREMENT
    )
    assert planned_climb_seconds(instance, waiting) == pytest.approx(
        n * (SECONDS_PER_CLIMBED_REQUIREMENT + SECONDS_PER_WAITING_REQUIREMENT)
    )
