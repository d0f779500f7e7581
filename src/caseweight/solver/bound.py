"""An honest lower bound on the objective (see :mod:`.lagrangian`).

The restricted LP relaxation over the candidates (GLOP) gives good starting
multipliers for small instances; the Lagrangian then prices every eligible
pair, so the bound holds for the full problem, not only the candidates.
"""

from __future__ import annotations

import time

import numpy as np
from ortools.linear_solver import pywraplp

from caseweight.problem import Role
from caseweight.solver.instance import Instance
from caseweight.solver.lagrangian import RoleLagrangian, ascend, load_ceilings

#: Candidate pairs above which the restricted LP is skipped: GLOP took 140 s on
#: a region (383,000 pairs); subgradient steps from the incumbent's slopes do
#: better in the time.
LP_PAIR_LIMIT = 100_000


def lower_bound(
    instance: Instance, incumbent: np.ndarray, upper: dict[Role, float], seconds: float
) -> dict[Role, int]:
    """An honest lower bound on each role's part of the objective, within about ``seconds``.

    The roles share nothing, so the bound on the whole objective is their sum.

    Multipliers start from the restricted LP's duals (small instances) or zero,
    then improve by subgradient ascent towards the incumbent's objective
    ``upper``. (Starting from the incumbent's marginal balance costs gave a
    region a bound of -2,000 million: a kept overload's steep slope priced a
    load nobody could move there.)
    """
    deadline = time.perf_counter() + seconds
    out: dict[Role, int] = {}
    roles = [role for role, costs in instance.role_costs.items() if len(costs.requirements)]
    for k, role in enumerate(roles):
        costs = instance.role_costs[role]
        dual = RoleLagrangian(instance, costs)
        pairs = sum(len(instance.candidates[int(r)]) for r in costs.requirements)
        zero = np.zeros(dual.size)
        # zero prices every young person at their cheapest worker and every worker
        # at no balance penalty: a weak but never negative start
        mu = _start(instance, dual, role) if pairs <= LP_PAIR_LIMIT else zero
        if dual.evaluate(zero)[0] > dual.evaluate(mu)[0]:
            mu = zero  # never start below the trivial bound
        budget = max(0.0, (deadline - time.perf_counter()) / (len(roles) - k))
        value, _ = ascend(dual, mu, upper[role], budget)
        out[role] = int(np.floor(value))
    return out


def _role_workers(instance: Instance, role: Role) -> list[int]:
    return [
        w
        for w in range(instance.n_workers)
        if instance.worker_roles[w] is role and instance.balance[w] is not None
    ]


def _start(instance: Instance, dual: RoleLagrangian, role: Role) -> np.ndarray:
    """Multipliers (mu, nu) from the role's LP relaxation over its candidates."""
    load_duals, rule_duals = _lp_duals(instance, dual, role)
    workers = [int(w) for w in dual.workers]
    mu = [load_duals.get(w, 0.0) for w in workers]
    nu = [-rule_duals.get(w, 0.0) for w in workers]  # a <= row's dual is <= 0
    return np.array(mu + nu)


def _lp_duals(
    instance: Instance, dual: RoleLagrangian, role: Role
) -> tuple[dict[int, float], dict[int, float]]:
    """Solve the role's LP relaxation over its candidates; duals of load and rule-5 rows."""
    reqs = [r for r in instance.requirements if r.role is role]
    tops = load_ceilings(instance)
    solver = pywraplp.Solver.CreateSolver("GLOP")
    workers = _role_workers(instance, role)
    load_terms: dict[int, list] = {w: [] for w in workers}
    assign: dict[tuple[int, int], pywraplp.Variable] = {}
    objective = solver.Objective()
    for req in reqs:
        row = solver.Constraint(1, 1)
        u = solver.NumVar(0, 1, "")
        row.SetCoefficient(u, 1)
        objective.SetCoefficient(u, float(instance.unallocated_cost[req.index]))
        for option in instance.candidates[req.index]:
            if option.worker not in load_terms:
                continue
            x = solver.NumVar(0, 1, "")
            row.SetCoefficient(x, 1)
            objective.SetCoefficient(x, float(option.cost))
            is_new = option.worker != req.current_worker
            load_terms[option.worker].append((x, req.points, is_new))
            assign[req.index, option.worker] = x
    _sibling_rows(instance, solver, assign, role)
    rows = {}
    for w in workers:
        curve = instance.balance[w]
        assert curve is not None
        row = solver.Constraint(curve.target, curve.target)
        for x, points, _ in load_terms[w]:
            row.SetCoefficient(x, points)
        above, below = curve.capped(int(tops[w]))
        for size, cost in above:
            a = solver.NumVar(0, size, "")
            row.SetCoefficient(a, -1)
            objective.SetCoefficient(a, float(cost))
        for size, cost in below:
            b = solver.NumVar(0, size, "")
            row.SetCoefficient(b, 1)
            objective.SetCoefficient(b, float(cost))
        rows[w] = row
    rules = _receive_rows(instance, dual, solver, load_terms)
    objective.SetMinimization()
    status = solver.Solve()
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return {}, {}
    return (
        {w: row.dual_value() for w, row in rows.items()},
        {w: row.dual_value() for w, row in rules.items()},
    )


def _receive_rows(
    instance: Instance,
    dual: RoleLagrangian,
    solver: pywraplp.Solver,
    load_terms: dict[int, list],
) -> dict[int, pywraplp.Constraint]:
    """load + alpha * new <= K for workers holding more than the hard limit (rule 5)."""
    rows = {}
    for j, w in enumerate(int(w) for w in dual.workers):
        if not dual.ruled[j] or w not in load_terms:
            continue
        row = solver.Constraint(-solver.infinity(), float(dual.kept[j]))
        for x, points, is_new in load_terms[w]:
            row.SetCoefficient(x, points * (1 + dual.alpha[j] * is_new))
        rows[w] = row
    return rows


def _sibling_rows(
    instance: Instance,
    solver: pywraplp.Solver,
    assign: dict[tuple[int, int], pywraplp.Variable],
    role: Role,
) -> None:
    """extra_g >= sum_w used_gw - 1, used_gw >= x_rw: the siblings' rule, relaxed."""
    for members in instance.sibling_groups:
        if instance.requirements[members[0]].role is not role:
            continue
        extra = solver.NumVar(0, len(members), "")
        solver.Objective().SetCoefficient(extra, float(instance.sibling_cost))
        count = solver.Constraint(-1, solver.infinity())
        count.SetCoefficient(extra, 1)
        used: dict[int, pywraplp.Variable] = {}
        for r in members:
            for option in instance.candidates[r]:
                x = assign.get((r, option.worker))
                if x is None:
                    continue
                if option.worker not in used:
                    used[option.worker] = solver.NumVar(0, 1, "")
                    count.SetCoefficient(used[option.worker], -1)
                link = solver.Constraint(0, solver.infinity())
                link.SetCoefficient(used[option.worker], 1)
                link.SetCoefficient(x, -1)
