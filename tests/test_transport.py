"""The LP relaxation as a min-cost flow: its value and the load prices it implies."""

from __future__ import annotations

import numpy as np
import pytest

from authority import Authority
from caseweight.config import Config
from caseweight.problem import Role
from caseweight.solver.bound import RoleLP, lower_bound
from caseweight.solver.instance import Instance
from caseweight.solver.lagrangian import RoleLagrangian
from caseweight.solver.transport import FLOW_SCALE, RoleFlow, flow_arcs
from conftest import Runner, exact_optimum


def two_teams(people: int, room: int) -> Authority:
    """New young people of a small team; two workers of ``room`` points there, four elsewhere."""
    authority = Authority()
    for w in range(6):
        authority.worker(
            f"S{w}", capacity_points=room if w < 2 else 20, team="north" if w < 2 else "south"
        )
    for k in range(people):
        authority.person(f"Y{k}", age=8 + k % 7, team="north")
    return authority


def whole_lp(instance: Instance, dual: RoleLagrangian) -> float:
    """GLOP's LP over every pair: columns added by pricing until none is left."""
    lp = RoleLP(instance, dual, Role.SOCIAL_WORKER)
    for _ in range(50):
        assert lp.solve(60.0)
        reduced = dual.priced(lp.multipliers()) - lp.assignment_duals()[:, None]
        if lp.add_columns(reduced) == 0:
            return float(lp.objective.Value())
    raise AssertionError("column generation did not finish")


@pytest.mark.parametrize(("people", "room"), [(16, 10), (30, 10), (12, 4)])
def test_the_flow_is_the_lp_and_its_prices_reach_it(
    run_authority: Runner, people: int, room: int
) -> None:
    """No siblings and nobody allocated (so no rule 5): the flow is the whole LP."""
    config = Config.from_dict({"optimiser": {"candidates_outside_team": 1}})
    proposal = run_authority(two_teams(people, room), config).proposal
    instance = proposal.instance
    dual = RoleLagrangian(instance, instance.role_costs[Role.SOCIAL_WORKER])
    assert flow_arcs(dual) == int(np.isfinite(dual.cost).sum())
    solved = RoleFlow(dual).solve()
    assert solved is not None
    value, prices = solved.value, solved.prices
    lp = whole_lp(instance, dual)
    # per-unit costs rounded down cost at most one scaled unit per tenth of a point
    slack = (dual.points.sum() + dual.seg_len.sum()) / FLOW_SCALE
    assert lp - slack <= value <= lp + 1e-6
    # the flow's potentials are the LP's load prices: the Lagrangian there is the LP
    assert dual.evaluate(prices)[0] == pytest.approx(lp, rel=1e-3)
    _, optimum = exact_optimum(instance)
    assert value <= optimum


def test_a_role_short_of_workers_prices_the_unallocated(run_authority: Runner) -> None:
    """More young people than two workers can hold: the flow sends some to wait."""
    proposal = run_authority(two_teams(people=40, room=4)).proposal
    instance = proposal.instance
    assert (proposal.result.assignment == -1).any()
    dual = RoleLagrangian(instance, instance.role_costs[Role.SOCIAL_WORKER])
    solved = RoleFlow(dual).solve()
    assert solved is not None
    value, prices = solved.value, solved.prices
    _, optimum = exact_optimum(instance)
    assert value <= optimum
    assert dual.evaluate(prices)[0] >= value - 1e-3 * abs(value)
    # and the bound the proposal reports is at least the flow's
    bounds = lower_bound(
        instance, proposal.result.assignment, {Role.SOCIAL_WORKER: optimum}, 5
    ).values
    assert bounds[Role.SOCIAL_WORKER] >= int(value) - 1
