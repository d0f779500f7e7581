"""The pooled MIP whose optimum (or proven bound) is the fewest-changes lower bound L.

See :mod:`fewest_changes`: those who move are pooled by eligibility class and
flow to workers as points; rule 5 and the range hold per worker.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import timedelta

import numpy as np
from ortools.math_opt.python import mathopt

from fewest_data import Options, RoleData


def relaxation(data: RoleData, options: Options) -> tuple[str, int | None, np.ndarray | None]:
    """Solve the pooled relaxation: (outcome, proven bound, who stays in its best solution)."""
    model = mathopt.Model(name="fewest-changes-relaxation")
    n, pts, keep_col = len(data.points), data.points, data.keep_col
    stay = {int(i): model.add_binary_variable() for i in np.flatnonzero(keep_col >= 0)}
    left: list[mathopt.Variable] = []  # unallocated young people
    cap = data.limits.max_unallocated
    flows: dict[int, list[tuple[mathopt.Variable, int]]] = defaultdict(list)
    for key, members in data.classes.items():
        total = int(pts[members].sum())
        cols = np.flatnonzero(np.frombuffer(key, dtype=bool))
        f = [model.add_variable(lb=0, ub=total) for _ in cols]  # points moved to each worker
        out = [model.add_binary_variable() for _ in members] if cap else []
        left += out
        for i, u in zip(members, out, strict=False):
            if i in stay:
                model.add_linear_constraint(stay[i] + u <= 1)
        unallocated = mathopt.fast_sum(int(pts[i]) * u for i, u in zip(members, out, strict=False))
        held = [int(pts[i]) * stay[i] for i in members if i in stay]
        model.add_linear_constraint(mathopt.fast_sum([*f, *held, unallocated]) == total)
        for col, var in zip(cols.tolist(), f, strict=True):
            flows[col].append((var, total))
    if left:
        model.add_linear_constraint(mathopt.fast_sum(left) <= cap)
    sizes = (int(pts.min()), int(pts.max())) if n else (0, 1)
    for j in range(len(data.columns)):
        _worker_rules(data, model, j, stay, flows.get(j, []), sizes)
    model.minimize(len(stay) + data.forced - mathopt.fast_sum(stay.values()))
    params = mathopt.SolveParameters(
        time_limit=timedelta(seconds=options.time_limit),
        relative_gap_tolerance=0.0,
        absolute_gap_tolerance=0.5,  # the objective is an integer
    )
    if options.engine == "HIGHS":  # MathOpt passes neither threads nor seed to HiGHS
        params.highs.bool_options["output_flag"] = False
        params.highs.int_options["random_seed"] = options.seed
    else:
        params.threads, params.random_seed = options.workers, options.seed
    result = mathopt.solve(model, mathopt.SolverType[options.engine], params=params)
    reason = result.termination.reason
    if reason in (
        mathopt.TerminationReason.INFEASIBLE,
        mathopt.TerminationReason.INFEASIBLE_OR_UNBOUNDED,  # the objective is bounded
    ):
        return "infeasible", None, None
    dual = result.termination.objective_bounds.dual_bound
    bound = math.ceil(dual - 1e-6) if math.isfinite(dual) else None
    outcome = "optimal" if reason == mathopt.TerminationReason.OPTIMAL else "bound"
    if not result.has_primal_feasible_solution():
        return outcome, bound, None
    values = result.variable_values()
    stays = np.zeros(n, dtype=bool)
    for i, s in stay.items():
        stays[i] = values[s] > 0.5
    return outcome, bound, stays


def _worker_rules(
    data: RoleData,
    model: mathopt.Model,
    j: int,
    stay: dict[int, mathopt.Variable],
    incoming: list[tuple[mathopt.Variable, int]],
    sizes: tuple[int, int],
) -> None:
    """The range, and rule 5 on pooled flows, for column ``j``.

    With cuts on how many of their own young people a worker can keep: the
    fewest to leave are the largest (past the range's maximum; for a receiver,
    past the hard limit less the smallest newcomer). Big-M constants are the
    tightest valid ones.
    """
    inst, pts = data.instance, data.points
    w, pmin, pmax = data.columns[j], sizes[0], sizes[1]
    kept = data.kept_by_col.get(j, [])
    kept_count = mathopt.fast_sum(stay[i] for i in kept)
    inflow = mathopt.fast_sum(v for v, _ in incoming)
    load = mathopt.fast_sum([int(pts[i]) * stay[i] for i in kept]) + inflow
    high = data.high[j]
    if high is not None:
        model.add_linear_constraint(load <= high)
        model.add_linear_constraint(load >= data.low[j])
        model.add_linear_constraint(kept_count <= data.most_kept(j, high))
    if not incoming:
        return
    receives = model.add_binary_variable()
    hard = int(inst.hard_limit[w])
    for var, total in incoming:
        model.add_linear_constraint(var <= min(total, max(hard, 0)) * receives)
    ceiling = high if high is not None else int(pts[kept].sum()) + sum(t for _, t in incoming)
    if ceiling > hard:
        model.add_linear_constraint(load <= hard + (ceiling - hard) * (1 - receives))
    if kept:
        most = data.most_kept(j, hard - pmin)
        model.add_linear_constraint(kept_count <= most + (len(kept) - most) * (1 - receives))
    limit = inst.capacities[w].max_cases
    if limit is not None:
        count = model.add_integer_variable(lb=0, ub=max(limit, 0))  # newcomers, at least
        model.add_linear_constraint(count >= receives)
        model.add_linear_constraint(inflow <= pmax * count)
        slack = len(kept) + max(limit, 0)
        model.add_linear_constraint(kept_count + count <= limit + slack * (1 - receives))
