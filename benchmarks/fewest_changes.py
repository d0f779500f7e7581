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

The lower bound L is the best of three, each valid for every allocation:

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

``exact by size``
    the same MIP with those who move pooled by eligibility class *and*
    points, flowing as whole young people (integer counts): young people of
    one pool are interchangeable, so it is exact, and its solution is an
    allocation. Tried only where the others leave L below the best
    allocation found, on roles of at most EXACT_FLOW_LIMIT flows: it is
    slower to prove (the demo's advisers: 22 in 18-53 s by HiGHS's seed,
    where the points-pooled relaxation proves 21 at once).

The upper bound ``best`` places everyone who does not stay (greedy, then
CP-SAT over the movers' eligible pairs, the candidate lists when those are too
many); it is checked against the hard rules and the range before it is
reported, and where it equals L the fewest is proven exact.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from fractions import Fraction

import numpy as np

from caseweight.problem import Role
from caseweight.solver.instance import Instance
from caseweight.solver.warm_start import UNALLOCATED, loads_and_cases
from fewest_data import Options, RoleData, RoleRange
from fewest_placement import Placement, complete, greedy
from fewest_relaxation import pools_of, relaxation

#: The exact by-size model (whole young people pooled by class and points) is
#: tried where the cheaper bounds leave L below the best allocation found and
#: it has at most this many flows: the demo's advisers 1,156 (proven 22 in
#: 18-53 s, the pooled relaxation 21); a region's advisers 49,350 (bound 341
#: after 300 s, no allocation; the pooled relaxation's optimum is 344).
EXACT_FLOW_LIMIT = 20_000

__all__ = [
    "Fewest",
    "RoleFewest",
    "RoleRange",
    "changes_of",
    "fewest_changes",
    "proposal_ranges",
    "within_maximum",
]


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


def within_maximum(
    instance: Instance, assignment: np.ndarray, unallocated: dict[Role, int]
) -> dict[Role, RoleRange]:
    """Ranges up to ``assignment``'s maximum per role, from 0, with ``unallocated`` per role.

    For the issue's test against the greedy (fewer changes, no higher maximum,
    a lower spread): the fewest changes within these ranges is a lower bound
    on the changes of any allocation that passes it while leaving no more
    unallocated than ``unallocated`` (the minimum and the spread are free).
    """
    return {
        role: RoleRange(Fraction(0), found.high, unallocated.get(role, 0))
        for role, found in proposal_ranges(instance, assignment).items()
    }


def violations(
    instance: Instance, assignment: np.ndarray, ranges: dict[Role, RoleRange]
) -> list[str]:
    """What in ``assignment`` breaks the hard rules (4, 5) or leaves ``ranges``; empty if none."""
    out = []
    for costs in instance.role_costs.values():
        column = costs.column
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
    exact_time_limit: float = 0.0,
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
    exact_time_limit
        Seconds for the exact by-size model, per role where it is tried
        (:data:`EXACT_FLOW_LIMIT`); 0: not tried.
    """
    if ranges is None:
        if assignment is None:
            raise ValueError("give the proposal or explicit ranges")
        ranges = proposal_ranges(instance, assignment)
    options = Options(time_limit, seed, workers, engine, exact_time_limit)
    started = time.perf_counter()
    roles = {}
    for role, costs in instance.role_costs.items():
        if role not in ranges or len(costs.requirements) == 0:
            continue
        data = RoleData(instance, role, ranges[role])
        roles[role] = _solve_role(data, assignment, options)
    fewest = Fewest(roles, time.perf_counter() - started)
    best = fewest.assignment(len(instance.requirements))
    if best is not None:  # never report an allocation the rules or the range forbid
        broken = violations(instance, best, {role: ranges[role] for role in roles})
        if broken:
            raise AssertionError(f"fewest-changes allocation breaks: {broken[:3]}")
    return fewest


def _solve_role(data: RoleData, assignment: np.ndarray | None, options: Options) -> RoleFewest:
    started = time.perf_counter()
    shed = data.shed_bound()
    best, found = greedy(data, data.shed_stays())
    if best == shed:  # the cheap bound is met: nothing to prove
        return RoleFewest(
            "exact", shed, best, data.forced, shed, "shed bound, met by a greedy allocation",
            time.perf_counter() - started, found,
        )  # fmt: skip
    outcome, bound, pooled, _ = relaxation(data, options)  # pooled: who stays in its solution
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
        (greedy, pooled, False),
        (complete, pooled, False),
        (complete, data.shed_stays(), True),  # fallbacks, only while nothing is found
    ]
    if assignment is not None:  # the proposal's own kept set: it completes, at worst to itself
        chosen = assignment[data.costs.requirements]
        own = (data.keep_col >= 0) & (chosen == np.array([*data.columns, -1])[data.keep_col])
        tries.append((complete, own, True))
    for attempt, stays, fallback in tries:  # keep who stays, place everyone else
        if best == lower or stays is None or (fallback and best is not None):
            continue
        better, placed = attempt(data, stays, _as_array(found, assignment), lower, options)
        if better is not None and (best is None or better < best):
            best, found = better, placed
    # the exact model, where the pooled bound and the allocations found still differ
    if best != lower and options.exact_time_limit > 0 and _exact_fits(data):
        exact = relaxation(data, replace(options, time_limit=options.exact_time_limit), True)
        if exact.bound is not None and exact.bound > lower:
            lower, method = exact.bound, f"exact by size {exact.outcome} ({options.engine})"
        if exact.placed is not None:
            changes = _changes(data, exact.placed)
            if best is None or changes < best:
                best, found = changes, exact.placed
    if best is not None and best < lower:
        raise AssertionError(f"bound {lower} above an allocation with {best} changes")
    status = "exact" if best == lower else "bound"
    return RoleFewest(
        status, lower, best, data.forced, shed, method, time.perf_counter() - started, found
    )


def _exact_fits(data: RoleData) -> bool:
    """Whether the by-size model is small enough to try (see EXACT_FLOW_LIMIT)."""
    columns = (int(np.frombuffer(key, dtype=bool).sum()) for key, _ in pools_of(data, True))
    return sum(columns) <= EXACT_FLOW_LIMIT


def _changes(data: RoleData, placed: dict[int, int]) -> int:
    """Changes of worker in one role's allocation, as :func:`changes_of` counts them."""
    rows = data.costs.requirements
    return sum(
        1
        for i in np.flatnonzero(data.has_current).tolist()
        if data.keep_col[i] < 0 or placed.get(int(rows[i])) != data.columns[int(data.keep_col[i])]
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
