"""The lower bound: exact sibling pricing in the Lagrangian, LP column generation, and
the uniform price of capacity."""

from __future__ import annotations

import itertools
import time
from typing import NamedTuple

import numpy as np
import pytest

from authority import Authority
from caseweight.config import Config
from caseweight.problem import Role
from caseweight.solver.bound import RoleLP, _start, uniform_price
from caseweight.solver.case_prices import _over, case_priced
from caseweight.solver.instance import Instance
from caseweight.solver.lagrangian import (
    _PARTITIONS,
    EXACT_GROUP,
    RoleLagrangian,
    _set_partitions,
)
from caseweight.solver.starts import role_objectives
from caseweight.solver.transport import RoleFlow
from conftest import Runner, exact_optimum

BELL = [1, 1, 2, 5, 15, 52, 203]


@pytest.mark.parametrize("size", range(1, EXACT_GROUP + 1))
def test_set_partitions_are_every_split_once(size: int) -> None:
    splits = _set_partitions(list(range(size)))
    assert len(splits) == BELL[size]
    canonical = {tuple(sorted(tuple(sorted(b)) for b in blocks)) for blocks in splits}
    assert len(canonical) == len(splits)
    for blocks in splits:
        assert sorted(i for b in blocks for i in b) == list(range(size))


def siblings_authority(members: int = 4) -> Authority:
    """One family of ``members`` children and three social workers with room."""
    authority = Authority()
    for w in ("S1", "S2", "S3"):
        authority.worker(w, capacity_points=40)
    for k in range(members):
        authority.person(f"Y{k}", age=6 + k, sibling_group="fam")
    return authority


class ProvenFamily(NamedTuple):
    instance: Instance
    incumbent: np.ndarray  # caseweight's proposal
    upper: dict[Role, float]  # its objective by role
    optimum: int  # CP-SAT's proven optimum of the whole


def proven_family(run_authority: Runner, time_limit: float) -> ProvenFamily:
    """A family of five, caseweight's proposal for it and the proven optimum."""
    proposal = run_authority(siblings_authority(members=5), time_limit=time_limit).proposal
    instance, incumbent = proposal.instance, proposal.result.assignment
    _, optimum = exact_optimum(instance)
    return ProvenFamily(instance, incumbent, role_objectives(instance, incumbent), optimum)


def brute_force_group(priced: np.ndarray, unallocated: np.ndarray, penalty: float) -> float:
    """Every assignment of each member to a worker or to nobody (-1)."""
    m, w = priced.shape
    best = np.inf
    for choice in itertools.product(range(-1, w), repeat=m):
        value = sum(unallocated[i] if c < 0 else priced[i, c] for i, c in enumerate(choice))
        used = {c for c in choice if c >= 0}
        best = min(best, value + penalty * max(0, len(used) - 1))
    return float(best)


@pytest.mark.parametrize("seed", range(6))
def test_a_sibling_group_is_priced_exactly(run_authority: Runner, seed: int) -> None:
    proposal = run_authority(siblings_authority()).proposal
    costs = proposal.instance.role_costs[Role.SOCIAL_WORKER]
    dual = RoleLagrangian(proposal.instance, costs)
    [rows] = dual.groups
    rng = np.random.default_rng(seed)
    priced = rng.integers(0, 60_000, size=(len(dual.points), len(dual.workers))).astype(float)
    load = np.zeros(len(dual.workers))
    tally = (load, np.zeros(len(dual.workers)), np.zeros(len(dual.workers)))
    splits = _PARTITIONS[len(rows)]
    extras = [len(blocks) - 1 for blocks in splits]
    # the same family twice: groups of one size are priced side by side
    stacked = np.array([rows, rows])
    value = dual._groups(priced, stacked, splits, extras, tally)
    expected = brute_force_group(priced[rows], dual.unallocated[rows], dual.sibling_cost)
    assert value.tolist() == pytest.approx([expected, expected])  # one value a group
    # the loads it reports are those of the assignments it priced
    assert load.sum() <= 2 * dual.points[rows].sum() + 1e-9


def test_a_family_too_large_to_enumerate_is_priced_below_its_minimum(
    run_authority: Runner,
) -> None:
    proposal = run_authority(siblings_authority(members=EXACT_GROUP + 1)).proposal
    dual = RoleLagrangian(proposal.instance, proposal.instance.role_costs[Role.SOCIAL_WORKER])
    [rows] = dual.large_groups
    priced = np.random.default_rng(7).integers(0, 60_000, size=(len(dual.points), 3)).astype(float)
    tally = (np.zeros(3), np.zeros(3), np.zeros(3))
    value, _ = dual.evaluate(np.zeros(dual.size))
    assert value <= proposal.result.objective + 1e-6
    everyone = tuple(range(len(rows)))
    lower = dual._groups(
        priced, np.array([rows]), [(everyone,), tuple((i,) for i in everyone)], [0, 1], tally
    )
    exact = brute_force_group(priced[rows], dual.unallocated[rows], dual.sibling_cost)
    assert lower <= exact + 1e-6
    assert lower >= exact - dual.sibling_cost * (len(rows) - 2) - 1e-6


def test_the_bound_stays_below_the_optimum_with_a_large_family(run_authority: Runner) -> None:
    proposal = run_authority(siblings_authority(members=4)).proposal
    _, optimum = exact_optimum(proposal.instance)
    assert proposal.result.best_bound <= optimum


def test_column_generation_reaches_the_lagrangian_of_the_whole_lp(run_authority: Runner) -> None:
    """New young people of a small team: the LP first has one worker from elsewhere,
    pricing brings in the others."""
    authority = Authority()
    for w in range(6):
        authority.worker(
            f"S{w}", capacity_points=10 if w < 2 else 20, team="north" if w < 2 else "south"
        )
    for k in range(16):
        authority.person(f"Y{k}", age=8, team="north")
    config = Config.from_dict({"optimiser": {"candidates_outside_team": 1}})
    proposal = run_authority(authority, config).proposal
    instance = proposal.instance
    dual = RoleLagrangian(instance, instance.role_costs[Role.SOCIAL_WORKER])
    first = RoleLP(instance, dual, Role.SOCIAL_WORKER)
    assert first.solve(60.0)
    before = dual.evaluate(first.multipliers())[0]
    lam = _start(instance, dual, Role.SOCIAL_WORKER, time.perf_counter() + 30)
    after = dual.evaluate(lam)[0]
    assert after >= before
    # once no pair prices below its row's dual, the Lagrangian equals the LP
    final = RoleLP(instance, dual, Role.SOCIAL_WORKER)
    added = []
    for _ in range(20):
        assert final.solve(60.0)
        reduced = dual.priced(final.multipliers()) - final.assignment_duals()[:, None]
        added.append(final.add_columns(reduced))
        if added[-1] == 0:
            break
    assert added[0] > 0 and added[-1] == 0
    assert dual.evaluate(final.multipliers())[0] == pytest.approx(final.objective.Value(), rel=1e-6)


def short_of_workers(people: int) -> Authority:
    """Two social workers of 10 points and ``people`` new young people."""
    authority = Authority()
    for w in ("S1", "S2"):
        authority.worker(w, capacity_points=10)
    for k in range(people):
        authority.person(f"Y{k}", age=8 + k % 6)
    return authority


def test_a_uniform_price_of_capacity_bounds_a_role_short_of_workers(run_authority: Runner) -> None:
    proposal = run_authority(short_of_workers(people=12)).proposal
    instance = proposal.instance
    assert (proposal.result.assignment == -1).any()  # short: somebody waits
    dual = RoleLagrangian(instance, instance.role_costs[Role.SOCIAL_WORKER])
    n = len(dual.workers)
    lam = uniform_price(dual)
    value = dual.evaluate(lam)[0]
    assert np.all(lam[:n] == lam[0]) and lam[0] < 0
    assert value > dual.evaluate(np.zeros(dual.size))[0]
    _, optimum = exact_optimum(instance)
    assert value <= optimum  # a valid bound
    # the golden-section search finds the best uniform price on a fine grid
    top = float((dual.unallocated / dual.points).max())
    grid = []
    for theta in np.linspace(0, top, 2001):
        at = np.zeros(dual.size)
        at[:n] = -theta
        grid.append(dual.evaluate(at)[0])
    assert value >= max(grid) - 1e-3 * abs(max(grid))
    assert proposal.result.best_bound >= value


def test_a_role_with_room_to_spare_has_no_uniform_price(run_authority: Runner) -> None:
    proposal = run_authority(short_of_workers(people=2)).proposal
    instance = proposal.instance
    dual = RoleLagrangian(instance, instance.role_costs[Role.SOCIAL_WORKER])
    assert not uniform_price(dual).any()


def test_case_ceilings_raise_the_flow_bound_and_keep_it_below_the_optimum(
    run_authority: Runner,
) -> None:
    """A worker with room in points but only two cases: the flow, which has no case
    count, sends them more; priced per case, the flow's bound rises towards the optimum."""
    authority = Authority()
    authority.worker("S1", capacity_points=40, max_cases=2)
    for w in ("S2", "S3"):
        authority.worker(w, capacity_points=10)
    for k in range(8):
        authority.person(f"Y{k}", age=8 + k % 6)
    proposal = run_authority(authority).proposal
    instance = proposal.instance
    dual = RoleLagrangian(instance, instance.role_costs[Role.SOCIAL_WORKER])
    assert dual.case_capped.sum() == 1
    flow = RoleFlow(dual).solve()
    assert flow is not None
    assert _over(dual, flow).max() > 0  # S1 holds more than two cases in the flow
    priced = case_priced(dual, flow, proposal.result.objective, time.perf_counter() + 60)
    _, optimum = exact_optimum(instance)
    assert flow.value < priced.value <= optimum
    n = len(dual.workers)
    assert priced.prices[2 * n :].max() > 0  # the case price that raised it
    # the Lagrangian at the flow's prices, case prices included, is a bound as good
    value, gradient = dual.evaluate(priced.prices)
    assert priced.value - 1e-3 * abs(priced.value) <= value <= optimum
    assert gradient.shape == (3 * n,)
    # the LP has a case row: its dual prices S1's cases, its Lagrangian beats the flow
    lp = RoleLP(instance, dual, Role.SOCIAL_WORKER)
    assert lp.solve(60.0)
    lam = lp.multipliers()
    assert lam[2 * n :].max() > 0
    assert flow.value < dual.evaluate(lam)[0] <= optimum
    assert flow.value < proposal.result.best_bound <= optimum
