"""An honest lower bound on the objective (see :mod:`.lagrangian`).

The restricted LP relaxation over the candidates (GLOP) gives good starting
multipliers for small instances, and the LP over every pair solved as a
min-cost flow (:mod:`.transport`) for any size; the Lagrangian then prices
every eligible pair, so the bound holds for the full problem, not only the
candidates.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from typing import NamedTuple

import numpy as np
from ortools.linear_solver import pywraplp

from caseweight.problem import Role
from caseweight.solver.case_prices import case_priced
from caseweight.solver.fixing import open_pairs
from caseweight.solver.instance import Instance
from caseweight.solver.lagrangian import Ascent, Prices, RoleLagrangian, load_ceilings
from caseweight.solver.transport import SECONDS_PER_ARC, FlowSolution, RoleFlow, flow_arcs

#: Candidate pairs above which the restricted LP is skipped: GLOP took 140 s on
#: a region (383,000 pairs); subgradient steps from the incumbent's slopes do
#: better in the time.
LP_PAIR_LIMIT = 100_000
#: Column generation: rounds at most, pairs added per young person per round,
#: and the share of a role's bound time it may take before the subgradient steps.
PRICING_ROUNDS = 8
COLUMNS_PER_ROUND = 3
LP_SHARE = 0.9
#: Golden-section steps for the uniform price (the interval shrinks to 0.618^steps).
UNIFORM_STEPS = 24
#: Roles with more eligible pairs than this get no reduced-cost fixing
#: (:mod:`.fixing`): HiGHS's root (:mod:`.root_bound`) would not fit what is
#: left (large's social workers: 356,119 pairs, none fixed, root 85 s).
FIXING_PAIR_LIMIT = 400_000


class Bounds(NamedTuple):
    """Each role's lower bound, and the pairs an allocation better than the incumbent may use."""

    values: dict[Role, int]
    open_pairs: dict[Role, np.ndarray]


def lower_bound(
    instance: Instance,
    incumbent: np.ndarray,
    upper: dict[Role, float],
    seconds: float,
    flows: dict[Role, FlowSolution] | None = None,
    aside: Collection[Role] = (),
    prices: dict[Role, Prices] | None = None,
    away: Collection[Role] = (),
) -> Bounds:
    """An honest lower bound on each role's part of the objective, within about ``seconds``.

    The roles share nothing, so the bound on the whole objective is their sum.

    Multipliers start from the best of: the LP's duals, its columns grown
    from the candidates by pricing (up to LP_PAIR_LIMIT candidate pairs); the
    min-cost flow's prices (where its planned time fits); ``prices``, the
    load and case duals of the LP the neighbourhoods solved (:mod:`.rins`:
    HiGHS, any size); one uniform price; zero. They then improve by
    subgradient ascent towards the incumbent's objective ``upper``. The
    flow's own optimum is a bound too; ``flows`` already solved (for the
    start) are not solved again. (Starting from
    the incumbent's marginal balance costs gave a region a bound of -2,000
    million: a kept overload's steep slope priced a load nobody could move
    there.)

    Where a role has at most FIXING_PAIR_LIMIT eligible pairs, the best
    multipliers also say which pairs no allocation better than the incumbent
    can use (:func:`.fixing.open_pairs`).

    ``aside``: roles bounded otherwise, by HiGHS beside the search
    (:mod:`.early_bound`), whose root is stronger than the LP, or by their
    LP (:func:`.rins.lp_bounds`): each gets its flow's value (or L at zero prices) and
    no time of its own; the other roles get its share (on the demo at 5 s,
    0.7 s more for the social workers' root). ``away``: roles bounded in a
    process of their own (:mod:`.bound_process`), left out here.
    """
    deadline = time.perf_counter() + seconds
    out: dict[Role, int] = {}
    opened: dict[Role, np.ndarray] = {}
    roles = [
        role
        for role, costs in instance.role_costs.items()
        if len(costs.requirements) and role not in away
    ]
    pairs = {role: instance.candidate_count(role) for role in roles}
    roles.sort(key=lambda role: pairs[role])  # the quicker LP first: it can finish
    for k, role in enumerate(roles):
        dual = RoleLagrangian(instance, instance.role_costs[role])
        flow = (flows or {}).get(role)
        if role in aside:
            at_zero = dual.evaluate(np.zeros(dual.size))[0]
            out[role] = int(np.floor(max(at_zero, -np.inf if flow is None else flow.value)))
            continue
        # each role's time in proportion to its candidate pairs (the LP's size)
        left = sum(pairs[r] for r in roles[k:] if r not in aside)
        budget = max(0.0, deadline - time.perf_counter()) * pairs[role] / max(1, left)
        role_ends = time.perf_counter() + budget
        zero = np.zeros(dual.size)
        # zero prices every young person at their cheapest worker and every worker
        # at no balance penalty: a weak but never negative start
        lp_ends = time.perf_counter() + budget * LP_SHARE
        small = pairs[role] <= LP_PAIR_LIMIT
        mu = _start(instance, dual, role, lp_ends, deadline) if small else zero
        # the best single price of a point of load on every worker: where a role
        # is short of capacity it is the price of leaving someone unallocated
        starts = [zero, uniform_price(dual), mu]
        if prices and role in prices:
            starts.append(priced(dual, prices[role]))
        # the LP over every pair as a min-cost flow, where the time left allows
        if flow is None and flow_arcs(dual) * SECONDS_PER_ARC < deadline - time.perf_counter():
            flow = RoleFlow(dual).solve()
        ascent, flow = ascent_from(dual, starts, flow, upper[role], role_ends)
        value, mu = ascent.run(max(0.0, role_ends - time.perf_counter()))
        if flow is not None:
            value = max(value, flow.value)
        if np.isfinite(dual.cost).sum() <= FIXING_PAIR_LIMIT:
            opened[role] = open_pairs(dual, mu, upper[role])
        out[role] = int(np.floor(value))
    return Bounds(out, opened)


def ascent_from(
    dual: RoleLagrangian,
    starts: list[np.ndarray],
    flow: FlowSolution | None,
    upper: float,
    ends: float,
    stop: Callable[[], bool] | None = None,
) -> tuple[Ascent, FlowSolution | None]:
    """An ascent towards ``upper`` from the best of ``starts`` and the flow's
    prices, rule 5's case ceilings priced into the flow first (one flow a
    step, until ``ends`` or ``stop``); and that priced flow, whose value is a
    bound too."""
    if flow is not None:
        flow = case_priced(dual, flow, upper, ends, stop)
        starts = [*starts, flow.prices]
    mu = max(starts, key=lambda lam: dual.evaluate(lam)[0])
    return Ascent(dual, mu, upper), flow


def priced(dual: RoleLagrangian, prices: Prices) -> np.ndarray:
    """An LP's load and case duals (:meth:`.role_mip.RoleMip.prices`) as valid multipliers."""
    load, cases = prices
    return dual.project(dual.joined(load, None, cases))


def uniform_price(dual: RoleLagrangian, steps: int = UNIFORM_STEPS) -> np.ndarray:
    """Multipliers ``mu_w = -theta`` on every worker, ``theta`` maximising L.

    L is concave along this line, so a golden-section search over ``theta``
    from 0 to the dearest unallocated price per point finds its best. A role
    with room to spare needs only the first two evaluations: L falls at once.
    """
    n = len(dual.workers)
    zero = np.zeros(dual.size)
    finite = np.isfinite(dual.unallocated)
    if n == 0 or not finite.any():
        return zero

    def at(theta: float) -> np.ndarray:
        return dual.joined(np.full(n, -theta))

    def value(theta: float) -> float:
        return dual.evaluate(at(theta))[0]

    lo, hi = 0.0, float((dual.unallocated[finite] / dual.points[finite]).max())
    if value(hi / 64) <= value(0.0):
        return zero
    ratio = (5**0.5 - 1) / 2
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    va, vb = value(a), value(b)
    for _ in range(steps):
        if va < vb:
            lo, a, va = a, b, vb
            b = lo + ratio * (hi - lo)
            vb = value(b)
        else:
            hi, b, vb = b, a, va
            a = hi - ratio * (hi - lo)
            va = value(a)
    return at(a if va >= vb else b)


def _role_workers(instance: Instance, role: Role) -> list[int]:
    return [
        w
        for w in range(instance.n_workers)
        if instance.worker_roles[w] is role and instance.balance[w] is not None
    ]


def _start(
    instance: Instance,
    dual: RoleLagrangian,
    role: Role,
    deadline: float,
    stop: float | None = None,
) -> np.ndarray:
    """Multipliers (mu, nu) from the role's LP relaxation, by column generation.

    The LP starts from the candidates; each round prices every eligible pair
    at the LP's duals and adds those with negative reduced cost (the best
    few per young person), until none is left or time runs out. Its duals
    then price the whole problem (a pair left out only weakens them: the
    Lagrangian stays a valid bound whatever the duals). Rounds start before
    ``deadline``; a solve may run on to ``stop`` (the bound's own end), no
    further.
    """
    lp = RoleLP(instance, dual, role)
    lam = np.zeros(dual.size)
    for _ in range(PRICING_ROUNDS):
        started = time.perf_counter()
        if not lp.solve((deadline if stop is None else stop) - started):
            break
        lam = lp.multipliers()
        added = lp.add_columns(dual.priced(lam) - lp.assignment_duals()[:, None])
        # a re-solve after adding columns starts from the last basis: usually
        # much quicker than the first solve, so one more is worth trying
        if added == 0 or time.perf_counter() + (time.perf_counter() - started) / 4 > deadline:
            break
    return lam


class RoleLP:
    """The LP relaxation of one role over a growing set of (requirement, worker) columns."""

    def __init__(self, instance: Instance, dual: RoleLagrangian, role: Role) -> None:
        self.instance, self.dual, self.role = instance, dual, role
        self.solver = pywraplp.Solver.CreateSolver("GLOP")
        self.objective = self.solver.Objective()
        self.column = {int(w): j for j, w in enumerate(dual.workers)}
        self.reqs = [int(r) for r in dual.requirement_indexes]
        self.assign_rows: list[pywraplp.Constraint] = []
        self.assign: dict[tuple[int, int], pywraplp.Variable] = {}
        self.load_rows: dict[int, pywraplp.Constraint] = {}
        self.rule_rows: dict[int, pywraplp.Constraint] = {}
        self.case_rows: dict[int, pywraplp.Constraint] = {}
        self.links: dict[int, tuple[pywraplp.Constraint, dict[int, pywraplp.Variable]]] = {}
        self._rows()
        for i, r in enumerate(self.reqs):
            for option in instance.candidates[r]:
                if option.worker in self.load_rows:
                    self._add(i, option.worker, float(option.cost))

    def _rows(self) -> None:
        solver, instance = self.solver, self.instance
        for r in self.reqs:
            row = solver.Constraint(1, 1)
            # no upper bounds of 1 on u and x: the row implies them, and a bound's
            # dual would take a share of the row's, spoiling the pricing
            u = solver.NumVar(0, 0 if instance.keepable[r] else solver.infinity(), "")
            row.SetCoefficient(u, 1)
            self.objective.SetCoefficient(u, float(instance.unallocated_cost[r]))
            self.assign_rows.append(row)
        tops = load_ceilings(instance)
        for w in _role_workers(instance, self.role):
            curve = instance.balance[w]
            assert curve is not None
            row = solver.Constraint(curve.target, curve.target)
            above, below = curve.capped(int(tops[w]))
            for size, cost, sign in [(s, c, -1) for s, c in above] + [(s, c, 1) for s, c in below]:
                var = solver.NumVar(0, size, "")
                row.SetCoefficient(var, sign)
                self.objective.SetCoefficient(var, float(cost))
            self.load_rows[w] = row
            j = self.column[w]
            if self.dual.ruled[j]:
                self.rule_rows[w] = solver.Constraint(-solver.infinity(), float(self.dual.kept[j]))
            if self.dual.case_capped[j]:
                ceiling = float(self.dual.case_ceiling[j])
                self.case_rows[w] = solver.Constraint(-solver.infinity(), ceiling)
        group_of = {r: g for g, members in enumerate(instance.sibling_groups) for r in members}
        self.group_of = {r: group_of[r] for r in self.reqs if r in group_of}
        self.grouped_rows = np.array(
            [i for i, r in enumerate(self.reqs) if r in self.group_of], dtype=np.int64
        )
        for g in sorted(set(self.group_of.values())):
            extra = solver.NumVar(0, len(instance.sibling_groups[g]), "")
            self.objective.SetCoefficient(extra, float(instance.sibling_cost))
            count = solver.Constraint(-1, solver.infinity())
            count.SetCoefficient(extra, 1)
            self.links[g] = (count, {})

    def _add(self, i: int, w: int, cost: float) -> None:
        """Column x_rw: in r's assignment row, w's load, rule-5 and case rows, sibling link."""
        r = self.reqs[i]
        x = self.solver.NumVar(0, self.solver.infinity(), "")
        self.assign[r, w] = x
        self.objective.SetCoefficient(x, cost)
        self.assign_rows[i].SetCoefficient(x, 1)
        points = self.instance.requirements[r].points
        self.load_rows[w].SetCoefficient(x, points)
        if w in self.rule_rows:
            j = self.column[w]
            is_new = self.dual.current[i] != j
            self.rule_rows[w].SetCoefficient(x, points * (1 + self.dual.alpha[j] * is_new))
        if w in self.case_rows:
            self.case_rows[w].SetCoefficient(x, 1)
        if r in self.group_of:
            count, used = self.links[self.group_of[r]]
            if w not in used:
                used[w] = self.solver.NumVar(0, self.solver.infinity(), "")
                count.SetCoefficient(used[w], -1)
            link = self.solver.Constraint(0, self.solver.infinity())
            link.SetCoefficient(used[w], 1)
            link.SetCoefficient(x, -1)

    def solve(self, seconds: float) -> bool:
        """Solve within ``seconds`` (GLOP stopped early is no solution: the duals stay unused)."""
        self.objective.SetMinimization()
        self.solver.SetTimeLimit(max(1, int(seconds * 1000)))
        status = self.solver.Solve()
        return bool(status in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE))

    def multipliers(self) -> np.ndarray:
        """(mu, nu, kappa) in the Lagrangian's worker order; a <= row's dual is <= 0."""
        workers = [int(w) for w in self.dual.workers]
        mu = [self.load_rows[w].dual_value() if w in self.load_rows else 0.0 for w in workers]
        nu = [-self.rule_rows[w].dual_value() if w in self.rule_rows else 0.0 for w in workers]
        kappa = [-self.case_rows[w].dual_value() if w in self.case_rows else 0.0 for w in workers]
        return self.dual.joined(mu, nu, kappa)

    def assignment_duals(self) -> np.ndarray:
        return np.array([row.dual_value() for row in self.assign_rows])

    def add_columns(self, reduced: np.ndarray) -> int:
        """Add the most negative reduced-cost pairs not yet in the LP; how many."""
        finite = self.dual.unallocated[np.isfinite(self.dual.unallocated)]
        mask = reduced < -1e-6 * max(1.0, float(finite.max(initial=1.0)))
        # a sibling's row dual also carries its link rows' duals, which a new
        # column would not share: siblings keep the candidates they have
        mask[self.grouped_rows] = False
        rows, cols = np.nonzero(mask)
        if rows.size == 0:
            return 0
        order = np.lexsort((reduced[rows, cols], rows))
        added, per_row = 0, dict[int, int]()
        for k in order:
            i, j = int(rows[k]), int(cols[k])
            w = int(self.dual.workers[j])
            if (self.reqs[i], w) in self.assign or w not in self.load_rows:
                continue
            if per_row.get(i, 0) >= COLUMNS_PER_ROUND:
                continue
            per_row[i] = per_row.get(i, 0) + 1
            self._add(i, w, float(self.dual.cost[i, j]))
            added += 1
        return added
