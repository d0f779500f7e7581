"""An honest lower bound on the objective: Lagrangian duality from an LP relaxation.

The LP relaxation of one role's model over its (sparse) candidates is solved
with GLOP. Its load-row duals ``mu`` then give, for *every* eligible pair of
the role (not just the candidates), the Lagrangian bound

    L(mu) = sum_r min(U_r, min_w c_rw - mu_w p_r)
          + sum_w [mu_w T_w + sum_k min(0, (a_k + mu_w) len_k) + sum_k min(0, (b_k - mu_w) len_k)]

which is at most the optimum of the full problem for any ``mu`` (weak
duality). Rule 5 enters as a valid load ceiling: a worker ends within the hard
limit or, receiving nobody new, at most with what they hold now. Siblings and
the exact receive rule only raise the optimum. At the LP's
optimal duals it equals the LP bound whenever no left-out pair prices below
zero.
"""

from __future__ import annotations

import numpy as np
from ortools.linear_solver import pywraplp

from caseweight.problem import Role
from caseweight.solver.costs import RoleCosts
from caseweight.solver.instance import Instance


def lower_bound(instance: Instance) -> tuple[int, float]:
    """The lower bound summed over roles, and the restricted LP's value (for reporting)."""
    total, lp_total = 0.0, 0.0
    for role, costs in instance.role_costs.items():
        if len(costs.requirements) == 0:
            continue
        mu, lp_value = _load_duals(instance, role)
        total += _lagrangian(instance, costs, mu)
        lp_total += lp_value
    return int(np.floor(total)), lp_total


def max_loads(instance: Instance) -> np.ndarray:
    """The most each worker can end with: the hard limit, or what they keep if more.

    A worker who receives anyone new ends within the hard limit (rule 5); one
    who receives nobody can at most keep their current young people.
    """
    kept = np.zeros(instance.n_workers, dtype=np.int64)
    for req in instance.requirements:
        if req.current_worker is not None:
            kept[req.current_worker] += req.points
    return np.maximum(instance.hard_limit, kept)


def _segments(instance: Instance, w: int, top: int) -> tuple[list, list]:
    curve = instance.balance[w]
    assert curve is not None
    above, left = [], max(0, top - curve.target)
    for length, cost in curve.above:
        size = left if length < 0 else min(length, left)
        above.append((size, cost))
        left -= size
    below = [(length, cost) for length, cost in curve.below]
    return above, below


def _role_workers(instance: Instance, role: Role) -> list[int]:
    return [
        w
        for w in range(instance.n_workers)
        if instance.worker_roles[w] is role and instance.balance[w] is not None
    ]


def _load_duals(instance: Instance, role: Role) -> tuple[dict[int, float], float]:
    """Solve the role's LP relaxation over its candidates; duals of the load rows."""
    reqs = [r for r in instance.requirements if r.role is role]
    tops = max_loads(instance)
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
            load_terms[option.worker].append((x, req.points))
            assign[req.index, option.worker] = x
    _sibling_rows(instance, solver, assign, role)
    rows = {}
    for w in workers:
        curve = instance.balance[w]
        assert curve is not None
        row = solver.Constraint(curve.target, curve.target)
        for x, points in load_terms[w]:
            row.SetCoefficient(x, points)
        above, below = _segments(instance, w, int(tops[w]))
        for size, cost in above:
            a = solver.NumVar(0, size, "")
            row.SetCoefficient(a, -1)
            objective.SetCoefficient(a, float(cost))
        for size, cost in below:
            b = solver.NumVar(0, size, "")
            row.SetCoefficient(b, 1)
            objective.SetCoefficient(b, float(cost))
        rows[w] = row
    objective.SetMinimization()
    status = solver.Solve()
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return dict.fromkeys(workers, 0.0), 0.0
    return {w: row.dual_value() for w, row in rows.items()}, solver.Objective().Value()


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


def _priced(
    costs: RoleCosts, rows: list[int] | np.ndarray, points: np.ndarray, mu_col: np.ndarray
) -> np.ndarray:
    """c_rw - mu_w p_r for the given rows; infinity where the pair is not eligible."""
    priced = costs.total[rows] - points[rows, None] * mu_col[None, :]
    return np.where(costs.eligible[rows], priced, np.inf)


def _lagrangian(instance: Instance, costs: RoleCosts, mu: dict[int, float]) -> float:
    """L(mu) over every eligible pair of the role: a valid lower bound for any mu."""
    mu_col = np.array([mu.get(int(w), 0.0) for w in costs.workers])
    points = np.array([instance.requirements[int(r)].points for r in costs.requirements], float)
    unallocated = instance.unallocated_cost[costs.requirements].astype(float)
    value = 0.0
    row_of = {int(r): i for i, r in enumerate(costs.requirements)}
    in_group = np.zeros(len(points), dtype=bool)
    for members in instance.sibling_groups:
        rows = [row_of[r] for r in members if r in row_of]
        if len(rows) < 2:
            continue
        in_group[rows] = True
        priced = _priced(costs, rows, points, mu_col)
        alone = np.minimum(priced, unallocated[rows, None])  # each member: here or unallocated
        together = float(alone.sum(axis=0).min())  # no extra worker
        apart = float(np.minimum(unallocated[rows], priced.min(axis=1)).sum())
        value += min(together, apart + instance.sibling_cost)
    chunk = max(1, 2_000_000 // max(1, len(costs.workers)))
    for start in range(0, len(points), chunk):
        rows = np.flatnonzero(~in_group[start : start + chunk]) + start
        priced = _priced(costs, rows, points, mu_col)
        value += float(np.minimum(unallocated[rows], priced.min(axis=1, initial=np.inf)).sum())
    tops = max_loads(instance)
    for w in _role_workers(instance, costs.role):
        curve = instance.balance[w]
        assert curve is not None
        m = mu.get(w, 0.0)
        value += m * curve.target
        above, below = _segments(instance, w, int(tops[w]))
        value += sum(min(0.0, (cost + m) * size) for size, cost in above)
        value += sum(min(0.0, (cost - m) * size) for size, cost in below)
    return value
