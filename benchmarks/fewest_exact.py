"""The fewest-changes question solved exactly, for a role small enough.

The pooled relaxation in :mod:`fewest_changes` moves points, not young
people, so where a range is tight (whole young people must fit each worker's
room) its bound can sit below the truth and the completion above it: on the
demo's personal advisers L 21, best 24. Here every eligible pair is a 0/1
variable, with the range, ``max_unallocated`` and rule 5 exactly as
``caseweight.solution`` checks them, so HiGHS's optimum *is* the fewest, and
its dual bound, where the time limit cuts it short, is still a valid L.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np
from ortools.math_opt.python import mathopt

if TYPE_CHECKING:
    from fewest_changes import _Options, _RoleData

#: Eligible pairs of a role above which the exact model is not tried.
EXACT_PAIR_LIMIT = 40_000


def exact_fewest(
    data: _RoleData, options: _Options
) -> tuple[int | None, int | None, dict[int, int]]:
    """(proven bound, changes of the best allocation, requirement -> worker) for one role.

    ``(None, None, {})`` when the role has too many pairs or HiGHS finds nothing.
    """
    costs, pts, keep_col = data.costs, data.points, data.keep_col
    eligible = costs.eligible.copy()
    rows = np.flatnonzero(keep_col >= 0)
    eligible[rows, keep_col[rows]] = True
    if int(eligible.sum()) > EXACT_PAIR_LIMIT:
        return None, None, {}
    model = mathopt.Model(name="fewest-changes-exact")
    x: dict[tuple[int, int], mathopt.Variable] = {}
    by_col: dict[int, list[tuple[int, mathopt.Variable]]] = defaultdict(list)
    left = []
    for i in range(len(pts)):
        row = []
        for j in np.flatnonzero(eligible[i]).tolist():
            x[i, j] = model.add_binary_variable()
            by_col[j].append((i, x[i, j]))
            row.append(x[i, j])
        u = model.add_binary_variable()
        left.append(u)
        model.add_linear_constraint(mathopt.fast_sum([*row, u]) == 1)
    model.add_linear_constraint(mathopt.fast_sum(left) <= data.limits.max_unallocated)
    for j in range(len(data.columns)):
        _worker(data, model, j, by_col.get(j, []))
    stays = [x[i, int(keep_col[i])] for i in rows.tolist()]
    changes = int(np.sum(data.has_current)) - mathopt.fast_sum(stays)
    model.minimize(changes)
    params = mathopt.SolveParameters(
        time_limit=timedelta(seconds=options.time_limit),
        relative_gap_tolerance=0.0,
        absolute_gap_tolerance=0.5,  # the objective is an integer
    )
    params.highs.bool_options["output_flag"] = False
    params.highs.int_options["random_seed"] = options.seed
    result = mathopt.solve(model, mathopt.SolverType.HIGHS, params=params)
    dual = result.termination.objective_bounds.dual_bound
    bound = math.ceil(dual - 1e-6) if math.isfinite(dual) else None
    if not result.has_primal_feasible_solution():
        return bound, None, {}
    values = result.variable_values()
    chosen = [(i, j) for (i, j), var in x.items() if values[var] > 0.5]
    found = {int(costs.requirements[i]): data.columns[j] for i, j in chosen}
    return bound, round(result.objective_value()), found


def _worker(
    data: _RoleData, model: mathopt.Model, j: int, held: list[tuple[int, mathopt.Variable]]
) -> None:
    """The range, and rule 5 for column ``j``: a receiver ends within its limits."""
    inst, pts, keep_col = data.instance, data.points, data.keep_col
    w = data.columns[j]
    load = mathopt.fast_sum(int(pts[i]) * v for i, v in held)
    if data.high[j] is not None:
        model.add_linear_constraint(load <= data.high[j])
        model.add_linear_constraint(load >= data.low[j])
    news = [v for i, v in held if keep_col[i] != j]
    if not news:
        return
    receives = model.add_binary_variable()
    for v in news:
        model.add_linear_constraint(v <= receives)
    hard = int(inst.hard_limit[w])
    ceiling = sum(int(pts[i]) for i, _ in held)
    if ceiling > hard:
        model.add_linear_constraint(load <= hard + (ceiling - hard) * (1 - receives))
    limit = inst.capacities[w].max_cases
    if limit is not None and len(held) > limit:
        count = mathopt.fast_sum(v for _, v in held)
        model.add_linear_constraint(count <= limit + (len(held) - limit) * (1 - receives))
