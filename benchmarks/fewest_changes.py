"""The fewest changes of worker any allocation needs to stay within a proposal's range.

Issue 3 asks that caseweight's proposal make no more than 10% more changes of
worker than the fewest *any* allocation needs to keep each role's utilisation
within the same range as the proposal's. This module proves a lower bound L on
that number, and finds an allocation meeting the range (an upper bound), per
role (roles share no worker and no requirement, so the rules separate):

* **Same hard rules** as :mod:`caseweight.solution`: eligible pairs from the
  full price matrices (rule 4, pins, exclusions, hard skills), rule 5 (a
  worker who receives anyone new ends within the hard limit and max_cases).
* **The range:** every balancing worker's load within [min, max] of the
  proposal's utilisation for that worker's role (exact integer bounds per
  worker), and no more unallocated requirements per role than the proposal.
* **Changes** counted as ``benchmarks/figures.py`` counts them: a requirement
  with a current worker that ends with anyone else, or unallocated. Forced
  moves (off a leaver, a pin elsewhere) count.

The lower bound L is the better of two, both valid for every allocation:

``shed``
    forced changes plus, for each worker whose own young people exceed the
    range's maximum, the fewest of them who must leave (largest first; exact
    for that worker alone).
``relaxation``
    a MIP: each young person who could stay is a 0/1 "stays", but those who
    move are pooled by eligibility class and flow to workers as points
    (packing into receivers relaxed; rule 5 and the range per worker, with the
    tightest big-M constants and cardinality cuts; max_cases via a case-count
    ceiling). Every allocation maps onto a solution of it, so its optimum, or
    the solver's proven bound when the time limit cuts it short, is a lower
    bound. Solved by HiGHS through OR-Tools MathOpt (no ``highspy``): on the
    large personal-adviser role CP-SAT's bound reached 95 in 20 s on 2 cores
    (89 on an integer-flow version), HiGHS proves the optimum, 100, in 3 s.

The upper bound ``best`` places everyone who does not stay (greedy, then
CP-SAT over the movers' eligible pairs, the candidate lists when those are too
many); it is checked against the hard rules and the range before it is
reported, and where it equals L the fewest is proven exact.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from fractions import Fraction

import numpy as np
from ortools.math_opt.python import mathopt
from ortools.sat.python import cp_model

from caseweight.problem import Role
from caseweight.solver.instance import Instance
from caseweight.solver.warm_start import UNALLOCATED, loads_and_cases

#: Places everyone who does not stay: (changes, requirement -> worker), or (None, {}).
Placement = Callable[..., tuple[int | None, dict[int, int]]]

#: Above this many mover x eligible-worker pairs the completion keeps the most promising.
COMPLETION_PAIR_LIMIT = 400_000
COMPLETION_PER_MOVER = 40


@dataclass(frozen=True)
class RoleRange:
    """Utilisation range [low, high] for one role's balancing workers, and the unallocated cap."""

    low: Fraction
    high: Fraction
    max_unallocated: int


@dataclass(frozen=True)
class RoleFewest:
    """What was proven for one role."""

    status: str  # "exact", "bound" (L proven, best may be higher) or "infeasible"
    lower_bound: int | None  # proven: no allocation within the range makes fewer changes
    best: int | None  # changes of the best allocation found within the range
    forced: int
    shed_bound: int
    method: str
    seconds: float
    assignment: dict[int, int] = field(default_factory=dict)  # requirement -> worker, if found


@dataclass(frozen=True)
class Fewest:
    """Fewest changes over all roles: the sum of the roles' figures."""

    roles: dict[Role, RoleFewest]
    seconds: float

    @property
    def feasible(self) -> bool:
        return all(r.status != "infeasible" for r in self.roles.values())

    @property
    def lower_bound(self) -> int | None:
        bounds = [r.lower_bound for r in self.roles.values()]
        return None if any(b is None for b in bounds) else sum(b for b in bounds if b is not None)

    @property
    def best(self) -> int | None:
        found = [r.best for r in self.roles.values()]
        return None if any(b is None for b in found) else sum(b for b in found if b is not None)

    @property
    def method(self) -> str:
        return "; ".join(f"{role.value}: {r.method}" for role, r in self.roles.items())

    def ratio(self, changes: int) -> float:
        """``changes`` over the proven fewest (inf when L is 0 and changes are not)."""
        bound = self.lower_bound
        if bound is None:
            return math.nan
        if bound == 0:
            return 1.0 if changes == 0 else math.inf
        return changes / bound

    def assignment(self, n: int) -> np.ndarray | None:
        """The best allocation found (every role), or None when a role has none."""
        if any(r.best is None for r in self.roles.values()):
            return None
        out = np.full(n, UNALLOCATED, dtype=np.int64)
        for r in self.roles.values():
            for req, w in r.assignment.items():
                out[req] = w
        return out


def proposal_ranges(instance: Instance, assignment: np.ndarray) -> dict[Role, RoleRange]:
    """Each role's [min, max] utilisation of balancing workers and unallocated count."""
    loads, _ = loads_and_cases(instance, assignment)
    out = {}
    for role in Role:
        utils = [
            Fraction(int(loads[w]), int(instance.capacity[w]))
            for w in range(instance.n_workers)
            if instance.worker_roles[w] is role
            and instance.balances(w)
            and instance.capacity[w] > 0
        ]
        unallocated = sum(
            1
            for r in instance.requirements
            if r.role is role and assignment[r.index] == UNALLOCATED
        )
        low, high = (min(utils), max(utils)) if utils else (Fraction(0), Fraction(0))
        out[role] = RoleRange(low, high, unallocated)
    return out


def violations(
    instance: Instance, assignment: np.ndarray, ranges: dict[Role, RoleRange]
) -> list[str]:
    """What in ``assignment`` breaks the hard rules (4, 5) or leaves ``ranges``; empty if none."""
    out = []
    for costs in instance.role_costs.values():
        column = {int(w): j for j, w in enumerate(costs.workers)}
        for i, r in enumerate(costs.requirements):
            w = int(assignment[r])
            if w != UNALLOCATED and not (w in column and costs.eligible[i, column[w]]):
                out.append(f"requirement {r}: worker {w} not eligible")
    loads, cases = loads_and_cases(instance, assignment)
    receivers = {
        int(assignment[r.index])
        for r in instance.requirements
        if assignment[r.index] not in (UNALLOCATED, r.current_worker)
    }
    for w in sorted(receivers):
        limit = instance.capacities[w].max_cases
        if loads[w] > instance.hard_limit[w] or (limit is not None and cases[w] > limit):
            out.append(f"worker {w}: receives past the hard limit or max_cases")
    found = proposal_ranges(instance, assignment)
    for role, limits in ranges.items():
        got = found[role]
        if got.low < limits.low or got.high > limits.high:
            out.append(f"{role.value}: utilisation {got.low}-{got.high} outside the range")
        if got.max_unallocated > limits.max_unallocated:
            out.append(f"{role.value}: {got.max_unallocated} unallocated")
    return out


def changes_of(instance: Instance, assignment: np.ndarray) -> int:
    """Changes of worker exactly as ``figures.py`` counts them."""
    return sum(
        r.current_worker is not None and int(assignment[r.index]) != r.current_worker
        for r in instance.requirements
    )


def fewest_changes(
    instance: Instance,
    assignment: np.ndarray | None = None,
    *,
    ranges: dict[Role, RoleRange] | None = None,
    time_limit: float = 10.0,
    seed: int = 1,
    workers: int = 2,
    engine: str = "HIGHS",
) -> Fewest:
    """Prove the fewest changes any allocation needs within ``ranges`` (or the proposal's).

    Parameters
    ----------
    instance
        The solver's instance (hard rules, points, eligibility).
    assignment
        The proposal (worker per requirement); gives the ranges when ``ranges``
        is None and is the relaxation's hint.
    ranges
        Explicit ranges per role; a role left out is unconstrained.
    time_limit
        Seconds per CP-SAT solve (two per role: relaxation and completion).
    seed, workers
        Random seed and worker count (fixed, for repeatable figures) of CP-SAT
        (the completion) and of the relaxation's engine where it takes them.
    engine
        MathOpt solver of the relaxation: ``HIGHS`` (default), ``GSCIP`` or ``CP_SAT``.
    """
    if ranges is None:
        if assignment is None:
            raise ValueError("give the proposal or explicit ranges")
        ranges = proposal_ranges(instance, assignment)
    options = _Options(time_limit, seed, workers, engine)
    started = time.perf_counter()
    roles = {}
    for role, costs in instance.role_costs.items():
        if role not in ranges or len(costs.requirements) == 0:
            continue
        data = _RoleData(instance, role, ranges[role])
        roles[role] = _solve_role(data, assignment, options)
    fewest = Fewest(roles, time.perf_counter() - started)
    best = fewest.assignment(len(instance.requirements))
    if best is not None:  # never report an allocation the rules or the range forbid
        broken = violations(instance, best, {role: ranges[role] for role in roles})
        if broken:
            raise AssertionError(f"fewest-changes allocation breaks: {broken[:3]}")
    return fewest


class _RoleData:
    """One role's rows (requirements) and columns (workers), with the range as loads."""

    def __init__(self, instance: Instance, role: Role, limits: RoleRange) -> None:
        costs = instance.role_costs[role]
        self.instance, self.costs, self.limits = instance, costs, limits
        reqs = [instance.requirements[int(r)] for r in costs.requirements]
        n = len(reqs)
        self.points = np.array([r.points for r in reqs], dtype=np.int64)
        self.has_current = np.array([r.current_worker is not None for r in reqs], dtype=bool)
        rows = np.arange(n)
        cur = costs.current
        keepable = cur >= 0
        keepable[keepable] = costs.eligible[rows[keepable], cur[keepable]]
        self.keep_col = np.where(keepable, cur, -1)  # column the row may stay with, else -1
        self.forced = int(np.sum(self.has_current & ~keepable))
        self.columns = [int(w) for w in costs.workers]
        self.low, self.high = [], []
        for w in self.columns:
            bounded = instance.balances(w) and instance.capacity[w] > 0
            cap = int(instance.capacity[w])
            self.low.append(_ceil(limits.low * cap) if bounded else 0)
            self.high.append(math.floor(limits.high * cap) if bounded else None)
        key_rows = costs.eligible.copy()
        key_rows[rows[keepable], cur[keepable]] = True  # pool regardless of who holds them now
        self.classes: dict[bytes, list[int]] = defaultdict(list)
        for i in range(n):
            self.classes[key_rows[i].tobytes()].append(i)
        self.kept_by_col: dict[int, list[int]] = defaultdict(list)
        for row in np.flatnonzero(keepable).tolist():
            self.kept_by_col[int(cur[row])].append(row)

    def most_kept(self, j: int, ceiling: int) -> int:
        """The most of column ``j``'s current young people whose points fit under ``ceiling``."""
        pts = np.sort(self.points[self.kept_by_col.get(j, [])])
        return int(np.searchsorted(np.cumsum(pts), ceiling, side="right"))

    def shed_stays(self) -> np.ndarray:
        """Who stays when each worker past the range sheds the fewest, and then the lightest.

        The fewest to leave is the shed bound's count; among sets of that many
        that bring the worker within the range, each pick is the smallest that
        still lets the rest make up the excess (lighter movers place more easily).
        """
        stays = self.keep_col >= 0
        for j, kept in self.kept_by_col.items():
            high = self.high[j]
            if high is None:
                continue
            order = np.array(kept)[np.argsort(self.points[kept], kind="stable")]
            pts = self.points[order].tolist()
            excess, free = sum(pts) - high, list(range(len(order)))
            for slot in range(len(kept) - self.most_kept(j, high), 0, -1):
                for k in free:  # smallest first
                    rest = sorted((pts[x] for x in free if x != k), reverse=True)[: slot - 1]
                    if pts[k] + sum(rest) >= excess:
                        stays[order[k]], excess = False, excess - pts[k]
                        free.remove(k)
                        break
        return stays

    def shed_bound(self) -> int:
        """Forced changes plus, per worker, the fewest kept young people that must leave.

        Exact for each worker alone: the fewest to leave are the largest first.
        """
        total = self.forced
        for j, kept in self.kept_by_col.items():
            high = self.high[j]
            if high is not None:
                total += len(kept) - self.most_kept(j, high)
        return total


def _ceil(value: Fraction) -> int:
    return -((-value.numerator) // value.denominator)


def _solve_role(data: _RoleData, assignment: np.ndarray | None, options: _Options) -> RoleFewest:
    started = time.perf_counter()
    shed = data.shed_bound()
    best, found = _greedy(data, data.shed_stays())
    if best == shed:  # the cheap bound is met: nothing to prove
        return RoleFewest(
            "exact", shed, best, data.forced, shed, "shed bound, met by a greedy allocation",
            time.perf_counter() - started, found,
        )  # fmt: skip
    outcome, bound, pooled = _relaxation(data, options)  # pooled: who stays in its solution
    if outcome == "infeasible":
        return RoleFewest(
            "infeasible", None, None, data.forced, shed,
            f"relaxation infeasible ({options.engine}): no allocation meets the range",
            time.perf_counter() - started,
        )  # fmt: skip
    lower = shed if bound is None else max(shed, bound)
    method = f"relaxation {outcome} ({options.engine})"
    if bound is None or bound < shed:
        method = f"shed bound (relaxation {outcome}, no stronger)"
    tries: list[tuple[Placement, np.ndarray | None, bool]] = [
        (_greedy, pooled, False),
        (_complete, pooled, False),
        (_complete, data.shed_stays(), True),  # fallbacks, only while nothing is found
    ]
    if assignment is not None:  # the proposal's own kept set: it completes, at worst to itself
        chosen = assignment[data.costs.requirements]
        own = (data.keep_col >= 0) & (chosen == np.array([*data.columns, -1])[data.keep_col])
        tries.append((_complete, own, True))
    for attempt, stays, fallback in tries:  # keep who stays, place everyone else
        if best == lower or stays is None or (fallback and best is not None):
            continue
        better, placed = attempt(data, stays, _as_array(found, assignment), lower, options)
        if better is not None and (best is None or better < best):
            best, found = better, placed
    if best is not None and best < lower:
        raise AssertionError(f"bound {lower} above an allocation with {best} changes")
    status = "exact" if best == lower else "bound"
    return RoleFewest(
        status, lower, best, data.forced, shed, method, time.perf_counter() - started, found
    )


def _as_array(found: dict[int, int], fallback: np.ndarray | None) -> np.ndarray | None:
    """An allocation found so far as an array (the proposal's choices elsewhere), for hints."""
    if not found:
        return fallback
    out = np.full(max(found) + 1 if fallback is None else len(fallback), UNALLOCATED)
    if fallback is not None:
        out[:] = fallback
    for r, w in found.items():
        out[r] = w
    return out


@dataclass(frozen=True)
class _Options:
    time_limit: float
    seed: int
    workers: int
    engine: str


def _solver(options: _Options) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = options.time_limit
    solver.parameters.num_workers = options.workers
    solver.parameters.random_seed = options.seed
    return solver


def _relaxation(data: _RoleData, options: _Options) -> tuple[str, int | None, np.ndarray | None]:
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
    data: _RoleData,
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


def _complete(
    data: _RoleData,
    stays: np.ndarray,
    assignment: np.ndarray | None,
    lower: int,
    options: _Options,
) -> tuple[int | None, dict[int, int]]:
    """Complete the kept set into a real allocation; (its changes, requirement -> worker).

    ``lower`` is the proven bound: no allocation makes fewer changes, so
    CP-SAT may stop as soon as it finds one that makes that many.
    """
    m = cp_model.CpModel()
    pts, keep_col, costs = data.points, data.keep_col, data.costs
    kept_load = np.zeros(len(data.columns), dtype=np.int64)
    kept_count = np.zeros(len(data.columns), dtype=np.int64)
    np.add.at(kept_load, keep_col[stays], pts[stays])
    np.add.at(kept_count, keep_col[stays], 1)
    movers = np.flatnonzero(~stays)
    pairs = _mover_pairs(data, movers, kept_load, assignment)
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    by_col: dict[int, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    unalloc = []
    for i, cols in zip(movers.tolist(), pairs, strict=True):
        row = [m.new_bool_var(f"x{i}_{j}") for j in cols]
        u = m.new_bool_var(f"u{i}")
        m.add_exactly_one([*row, u])
        unalloc.append(u)
        for j, var in zip(cols, row, strict=True):
            x[int(i), int(j)] = var
            by_col[int(j)].append((int(i), var))
    m.add(sum(unalloc) <= data.limits.max_unallocated)
    for j, w in enumerate(data.columns):
        held = by_col.get(j, [])
        load = int(kept_load[j]) + cp_model.LinearExpr.weighted_sum(
            [v for _, v in held], [int(pts[i]) for i, _ in held]
        )
        if data.high[j] is not None:
            m.add(load <= data.high[j])
            m.add(load >= data.low[j])
        news = [v for i, v in held if keep_col[i] != j]
        if news:
            receives = m.new_bool_var(f"r{j}")
            for v in news:
                m.add_implication(v, receives)
            m.add(load <= int(data.instance.hard_limit[w])).only_enforce_if(receives)
            cap = data.instance.capacities[w].max_cases
            if cap is not None:
                m.add(int(kept_count[j]) + sum(v for _, v in held) <= cap).only_enforce_if(receives)
    back = [x[int(i), int(keep_col[i])] for i in movers if (int(i), int(keep_col[i])) in x]
    fixed = int(np.sum(data.has_current[movers]))
    m.add(fixed - sum(back) >= lower)  # valid: no allocation makes fewer
    m.minimize(fixed - sum(back))
    if assignment is not None:
        for (i, j), var in x.items():
            m.add_hint(var, int(assignment[int(costs.requirements[i])]) == data.columns[j])
    solver = _solver(options)
    if solver.solve(m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, {}
    found = {int(costs.requirements[i]): data.columns[keep_col[i]] for i in np.flatnonzero(stays)}
    for (i, j), var in x.items():
        if solver.boolean_value(var):
            found[int(costs.requirements[i])] = data.columns[j]
    return round(solver.objective_value), found


def _mover_pairs(
    data: _RoleData, movers: np.ndarray, kept_load: np.ndarray, hint: np.ndarray | None
) -> list[np.ndarray]:
    """Columns each mover may take: eligible, with room for them.

    When that is too many pairs: the mover's current worker, the hint's
    choice (so the hint stays feasible), and the ``COMPLETION_PER_MOVER``
    workers short of the range's minimum first, then with the most room.
    """
    inst, costs = data.instance, data.costs
    cols = data.columns
    high = np.array(
        [h if h is not None else inst.hard_limit[w] for w, h in zip(cols, data.high, strict=True)]
    )
    room = np.minimum(inst.hard_limit[cols], high) - kept_load
    out = []
    for i in movers:
        fits = costs.eligible[i] & (room >= data.points[i])
        if data.keep_col[i] >= 0:
            fits[data.keep_col[i]] = True
        out.append(np.flatnonzero(fits))
    if sum(len(c) for c in out) <= COMPLETION_PAIR_LIMIT:
        return out
    short = kept_load < np.array(data.low)
    rank = np.lexsort((-room / np.maximum(inst.capacity[cols], 1), ~short))  # best first
    order = np.empty(len(cols), dtype=np.int64)
    order[rank] = np.arange(len(cols))
    column = {w: j for j, w in enumerate(cols)}
    sparse = []
    for i, options in zip(movers, out, strict=True):
        keep = options[np.argsort(order[options], kind="stable")[:COMPLETION_PER_MOVER]]
        extra = [data.keep_col[i]] if data.keep_col[i] >= 0 else []
        if hint is not None and int(hint[costs.requirements[i]]) in column:
            extra.append(column[int(hint[costs.requirements[i]])])
        sparse.append(np.union1d(keep, np.array(extra, dtype=np.int64)))
    return sparse


def _greedy(data: _RoleData, stays: np.ndarray, *_: object) -> tuple[int | None, dict[int, int]]:
    """Place everyone who does not stay, largest first: workers short of the range first.

    Each goes to an eligible worker who can receive them (rule 5, the range's
    maximum), the one furthest below the range's minimum, else the least
    utilised; those who fit nowhere are left unallocated, within the cap.
    Returns (changes, requirement -> worker), or (None, {}) when it fails.
    """
    inst, pts, keep_col, costs = data.instance, data.points, data.keep_col, data.costs
    cols = data.columns
    big = np.iinfo(np.int64).max // 4
    load = np.zeros(len(cols), dtype=np.int64)
    cases = np.zeros(len(cols), dtype=np.int64)
    np.add.at(load, keep_col[stays], pts[stays])
    np.add.at(cases, keep_col[stays], 1)
    high = np.array([big if h is None else h for h in data.high], dtype=np.int64)
    ceiling = np.minimum(high, inst.hard_limit[cols])
    most = np.array([big if inst.capacities[w].max_cases is None else inst.capacities[w].max_cases
                     for w in cols], dtype=np.int64)  # fmt: skip
    capacity = np.maximum(inst.capacity[cols], 1)
    low = np.array(data.low, dtype=np.int64)
    movers = np.flatnonzero(~stays)
    movers = movers[np.argsort(-pts[movers], kind="stable")]
    choice = {int(i): int(keep_col[i]) for i in np.flatnonzero(stays)}
    received = np.zeros(len(cols), dtype=bool)
    left = 0
    for i in movers:
        ok = costs.eligible[i] & (load + pts[i] <= ceiling) & (cases < most)
        c = keep_col[i]
        if c >= 0:  # going back is no change, and no receiving (but a receiver's limits hold)
            room = load[c] + pts[i] <= ceiling[c] and cases[c] < most[c]
            ok[c] = room if received[c] else load[c] + pts[i] <= high[c]
        if not ok.any():
            left += 1
            continue
        short = ok & (load < low)
        score = np.where(short, (load - low) / capacity, (load + pts[i]) / capacity)
        score = np.where(short | ~short.any(), score, np.inf)
        j = int(np.argmin(np.where(ok, score, np.inf)))
        load[j] += pts[i]
        cases[j] += 1
        received[j] |= j != c
        choice[int(i)] = j
    bounded = np.array([h is not None for h in data.high])
    if left > data.limits.max_unallocated or np.any(bounded & (load < low)):
        return None, {}
    changes = sum(
        1
        for i in movers
        if data.has_current[i] and (keep_col[i] < 0 or choice.get(int(i), -1) != keep_col[i])
    )
    return changes, {int(costs.requirements[i]): cols[j] for i, j in choice.items()}
