"""The pooled MIP whose optimum (or proven bound) is the fewest-changes lower bound L.

See :mod:`fewest_changes`: those who move are pooled by eligibility class and
flow to workers as points; rule 5 and the range hold per worker.

Pooled ``by_size`` (by eligibility class *and* points), the flows are whole
young people: those of one pool are interchangeable (same workers, same
points), so the model is exact, not a relaxation, and its solution is an
allocation (:func:`placed`). It is slower to prove: the demo's advisers 22
in 18-53 s by HiGHS's seed, where the points-pooled relaxation proves 21 in
under a second.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import timedelta
from typing import NamedTuple

import numpy as np
from ortools.math_opt.python import mathopt

from fewest_data import Options, RoleData


class Inflow(NamedTuple):
    """Points (``size`` 1) or whole young people of ``size`` points sent to one worker."""

    var: mathopt.Variable
    size: int
    most: int  # the variable's upper bound


class Pool(NamedTuple):
    members: list[int]
    columns: list[int]
    flows: list[mathopt.Variable]


class Relaxation(NamedTuple):
    outcome: str  # "optimal", "bound" or "infeasible"
    bound: int | None  # proven: no allocation within the range makes fewer changes
    stays: np.ndarray | None  # who stays in its best solution
    placed: dict[int, int] | None  # by_size only: requirement -> worker of that solution


def relaxation(data: RoleData, options: Options, by_size: bool = False) -> Relaxation:
    """Solve the pooled model (points-pooled relaxation, or exact ``by_size``)."""
    model = mathopt.Model(name="fewest-changes-relaxation")
    n, pts, keep_col = len(data.points), data.points, data.keep_col
    stay = {int(i): model.add_binary_variable() for i in np.flatnonzero(keep_col >= 0)}
    left: dict[int, mathopt.Variable] = {}  # unallocated young people
    cap = data.limits.max_unallocated
    flows: dict[int, list[Inflow]] = defaultdict(list)
    pools: list[Pool] = []
    for key, members in pools_of(data, by_size):
        total = int(pts[members].sum())
        cols = np.flatnonzero(np.frombuffer(key, dtype=bool)).tolist()
        size = int(pts[members[0]]) if by_size else 1
        most = total // size
        if by_size:  # young people sent to each worker
            f = [model.add_integer_variable(lb=0, ub=most) for _ in cols]
        else:  # points moved to each worker
            f = [model.add_variable(lb=0, ub=total) for _ in cols]
        pools.append(Pool(members, cols, f))
        out = {i: model.add_binary_variable() for i in members} if cap else {}
        left.update(out)
        for i, u in out.items():
            if i in stay:
                model.add_linear_constraint(stay[i] + u <= 1)
        unallocated = mathopt.fast_sum(int(pts[i]) * u for i, u in out.items())
        held = [int(pts[i]) * stay[i] for i in members if i in stay]
        moved = mathopt.fast_sum(size * v for v in f)
        model.add_linear_constraint(mathopt.fast_sum([moved, *held, unallocated]) == total)
        for col, var in zip(cols, f, strict=True):
            flows[col].append(Inflow(var, size, most))
    if left:
        model.add_linear_constraint(mathopt.fast_sum(left.values()) <= cap)
    sizes = (int(pts.min()), int(pts.max())) if n else (0, 1)
    for j in range(len(data.columns)):
        _worker_rules(data, model, j, stay, flows.get(j, []), sizes, by_size)
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
        return Relaxation("infeasible", None, None, None)
    dual = result.termination.objective_bounds.dual_bound
    bound = math.ceil(dual - 1e-6) if math.isfinite(dual) else None
    outcome = "optimal" if reason == mathopt.TerminationReason.OPTIMAL else "bound"
    if not result.has_primal_feasible_solution():
        return Relaxation(outcome, bound, None, None)
    values = result.variable_values()
    stays = np.zeros(n, dtype=bool)
    for i, s in stay.items():
        stays[i] = values[s] > 0.5
    waiting = {i for i, u in left.items() if values[u] > 0.5}
    found = placed(data, pools, stays, waiting, values) if by_size else None
    return Relaxation(outcome, bound, stays, found)


def pools_of(data: RoleData, by_size: bool) -> list[tuple[bytes, list[int]]]:
    """Eligibility classes, split by points when ``by_size``: (class key, rows)."""
    if not by_size:
        return list(data.classes.items())
    out = []
    for key, members in data.classes.items():
        by_points: dict[int, list[int]] = defaultdict(list)
        for i in members:
            by_points[int(data.points[i])].append(i)
        out += [(key, by_points[p]) for p in sorted(by_points)]
    return out


def placed(
    data: RoleData,
    pools: list[Pool],
    stays: np.ndarray,
    waiting: set[int],
    values: dict[mathopt.Variable, float],
) -> dict[int, int]:
    """The by-size solution as an allocation: those who stay, then each pool's flows, in order."""
    rows = data.costs.requirements
    choice = {int(rows[i]): data.columns[int(data.keep_col[i])] for i in np.flatnonzero(stays)}
    for pool in pools:
        movers = iter(i for i in pool.members if not stays[i] and i not in waiting)
        for col, var in zip(pool.columns, pool.flows, strict=True):
            for _ in range(round(values[var])):
                choice[int(rows[next(movers)])] = data.columns[col]
    return choice


def _worker_rules(
    data: RoleData,
    model: mathopt.Model,
    j: int,
    stay: dict[int, mathopt.Variable],
    incoming: list[Inflow],
    sizes: tuple[int, int],
    counted: bool,
) -> None:
    """The range, and rule 5 on pooled flows, for column ``j``.

    With cuts on how many of their own young people a worker can keep: the
    fewest to leave are the largest (past the range's maximum; for a receiver,
    past the hard limit less the smallest newcomer). Big-M constants are the
    tightest valid ones. ``counted``: the flows are whole young people, so
    max_cases counts them exactly.
    """
    inst, pts = data.instance, data.points
    w, pmin, pmax = data.columns[j], sizes[0], sizes[1]
    kept = data.kept_by_col.get(j, [])
    kept_count = mathopt.fast_sum(stay[i] for i in kept)
    inflow = mathopt.fast_sum(f.size * f.var for f in incoming)
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
    for f in incoming:
        model.add_linear_constraint(f.var <= min(f.most, max(hard, 0) // f.size) * receives)
    arriving = sum(f.size * f.most for f in incoming)
    ceiling = high if high is not None else int(pts[kept].sum()) + arriving
    if ceiling > hard:
        model.add_linear_constraint(load <= hard + (ceiling - hard) * (1 - receives))
    if kept:
        most = data.most_kept(j, hard - pmin)
        model.add_linear_constraint(kept_count <= most + (len(kept) - most) * (1 - receives))
    limit = inst.capacities[w].max_cases
    if limit is not None:
        if counted:
            newcomers = mathopt.fast_sum(f.var for f in incoming)
            slack = max(0, len(kept) - limit)  # nobody arrives at a worker who does not receive
        else:
            newcomers = model.add_integer_variable(lb=0, ub=max(limit, 0))  # at least
            model.add_linear_constraint(newcomers >= receives)
            model.add_linear_constraint(inflow <= pmax * newcomers)
            slack = len(kept) + max(limit, 0)
        model.add_linear_constraint(kept_count + newcomers <= limit + slack * (1 - receives))
