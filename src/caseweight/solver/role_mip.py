"""One role as a MIP over chosen (young person, worker) pairs, for HiGHS through MathOpt.

The same objective and hard rules as :mod:`.model` (CP-SAT) and
:mod:`caseweight.solution`: each requirement gets one allowed worker or, if
its current worker cannot keep it, may be unallocated at its price; balance
segments either side of each worker's target; rule 5 (a worker who receives
anyone new ends within the hard limit and ``max_cases``); siblings' extra
workers. A requirement allowed a single worker is fixed there, so a
neighbourhood is the pairs of those left free. HiGHS (through OR-Tools'
MathOpt, never ``highspy``) re-packs a role's new arrivals and moves where
CP-SAT finds nothing (:mod:`.polish`).
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from ortools.math_opt.python import mathopt

from caseweight.problem import Role
from caseweight.solver import highs
from caseweight.solver.highs import Outcome
from caseweight.solver.instance import Instance
from caseweight.solver.lagrangian import Prices, load_ceilings
from caseweight.solver.mip_builder import MipBuilder
from caseweight.solver.warm_start import UNALLOCATED

INFINITY = float("inf")


class RoleMip:
    """x[k] for each allowed (requirement row, worker column) pair of one role,
    ``pair_rows[k]``, ``pair_cols[k]``, in row-major order; built as arrays
    (:mod:`.mip_builder`)."""

    def __init__(
        self, instance: Instance, role: Role, allowed: np.ndarray, relaxed: bool = False
    ) -> None:
        self.instance, self.costs = instance, instance.role_costs[role]
        self.rows = [int(r) for r in self.costs.requirements]
        self.points = np.array([instance.requirements[r].points for r in self.rows], dtype=float)
        self.pair_rows, self.pair_cols = (a.astype(np.int64) for a in np.nonzero(allowed))
        self.n_pairs = len(self.pair_rows)
        #: each ``receives`` variable, by worker column, with the pairs new to them
        self.receives: dict[int, tuple[int, np.ndarray]] = {}
        #: by worker column, the row of their load, and of their cases where
        #: ``max_cases`` is one row (they hold within it now): their duals are
        #: the Lagrangian's multipliers (:meth:`prices`)
        self.load_rows: dict[int, int] = {}
        self.case_rows: dict[int, int] = {}
        build = MipBuilder(f"caseweight-{role.value}", relaxed)
        self._assignment(build)
        self._workers(build)
        self._siblings(build)
        self.proto = build.proto()

    def _assignment(self, build: MipBuilder) -> None:
        inst, total = self.instance, self.costs.total
        rows, cols = self.pair_rows, self.pair_cols
        build.variables(self.n_pairs, 0, 1, total[rows, cols], integer=True)
        assign = build.rows(len(self.rows), 1, 1)
        build.terms(assign[rows], np.arange(self.n_pairs), 1)
        # rule 5: nobody is taken from a worker who can keep them; anyone else
        # may be left unallocated at their price
        free = np.flatnonzero(~inst.keepable[self.costs.requirements])
        left = build.variables(
            len(free), 0, 1, inst.unallocated_cost[self.costs.requirements[free]], integer=True
        )
        build.terms(assign[free], left, 1)
        self.left = dict(zip(free.tolist(), left.tolist(), strict=True))

    def _workers(self, build: MipBuilder) -> None:
        """Balance segments either side of the target, and hard rule 5."""
        inst, costs = self.instance, self.costs
        tops = load_ceilings(inst)
        rows, cols = self.pair_rows, self.pair_cols
        by_col = np.argsort(cols, kind="stable")
        starts = np.searchsorted(cols[by_col], np.arange(len(costs.workers) + 1))
        for j, w in enumerate(int(w) for w in costs.workers):
            curve = inst.balance[w]
            held = by_col[starts[j] : starts[j + 1]]
            if curve is None or not len(held):
                continue
            points = self.points[rows[held]]
            load = build.rows(1, curve.target, curve.target)
            self.load_rows[j] = int(load[0])
            build.terms(np.repeat(load, len(held)), held, points)
            above, below = curve.capped(int(tops[w]))
            for sign, segments in ((-1, above), (1, below)):
                if segments:
                    sizes, prices = zip(*segments, strict=True)
                    parts = build.variables(len(sizes), 0, sizes, prices)
                    build.terms(np.repeat(load, len(parts)), parts, sign)
            own = costs.current[rows[held]] == j
            if len(held) > own.sum():  # someone new to them may come
                self._receive_within_limits(build, w, held, points, own, int(tops[w]))

    def _receive_within_limits(
        self,
        build: MipBuilder,
        w: int,
        held: np.ndarray,
        points: np.ndarray,
        own: np.ndarray,
        top: int,
    ) -> None:
        """Rule 5: receiving, within the hard limit and ``max_cases``; not, at most
        what the worker holds now.

        Within both now, a worker stays within them whatever they receive, so
        each rule is one row. Above one, a binary ``receives`` (at least each
        new pair) moves the limit from what they hold to the rule's, in
        proportion: the demo's advisers' root 5,415,023 -> 5,584,603 against
        a limit that moved by all they might hold. Only those workers get
        the link rows, one per new pair (large's advisers: presolve 4 s
        with one per new pair of every adviser).
        """
        inst = self.instance
        kept, limit = float(points[own].sum()), float(inst.hard_limit[w])
        max_cases = inst.capacities[w].max_cases
        cases_now = float(own.sum())
        over = kept > limit or (max_cases is not None and cases_now > max_cases)
        if over:
            receives = build.variables(1, 0, 1, 0, integer=True)
            new = held[~own]
            self.receives[int(self.pair_cols[held[0]])] = (int(receives[0]), new)
            links = build.rows(len(new), -INFINITY, 0)
            build.terms(links, new, 1)
            build.terms(links, np.repeat(receives, len(new)), -1)
        everyone = np.ones(len(held))
        for weights, now, most in ((points, kept, limit), (everyone, cases_now, max_cases)):
            if most is None or (not over and weights is points and top <= limit):
                continue  # no such rule, or the balance segments end at the limit
            if over:
                row = build.rows(1, -INFINITY, now)
                variables = [*held, *receives]
                build.terms(np.repeat(row, len(held) + 1), variables, [*weights, now - most])
            else:
                row = build.rows(1, -INFINITY, most)
                build.terms(np.repeat(row, len(held)), held, weights)
                if weights is everyone:
                    self.case_rows[int(self.pair_cols[held[0]])] = int(row[0])

    def _siblings(self, build: MipBuilder) -> None:
        row_of = {r: i for i, r in enumerate(self.rows)}
        by_row = np.argsort(self.pair_rows, kind="stable")
        starts = np.searchsorted(self.pair_rows[by_row], np.arange(len(self.rows) + 1))
        for members in self.instance.sibling_groups:
            rows = sorted({row_of[r] for r in members if r in row_of})
            if len(rows) < 2:
                continue
            pairs = np.concatenate([by_row[starts[i] : starts[i + 1]] for i in rows])
            workers, which = np.unique(self.pair_cols[pairs], return_inverse=True)
            used = build.variables(len(workers), 0, 1, 0)
            links = build.rows(len(pairs), -INFINITY, 0)
            build.terms(links, pairs, 1)
            build.terms(links, used[which], -1)
            extra = build.variables(1, 0, INFINITY, float(self.instance.sibling_cost))
            count = build.rows(1, -1, INFINITY)
            build.terms(np.repeat(count, len(used) + 1), [*extra, *used], [1] + [-1] * len(used))

    def hint(self, assignment: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``assignment`` as a hint for every binary variable (ids ascending,
        values): with some left out, HiGHS solves a MIP to complete it
        (large's advisers: 1.9 s without presolve)."""
        workers = self.costs.workers
        chosen = assignment[self.costs.requirements[self.pair_rows]] == workers[self.pair_cols]
        left = list(self.left.items())
        receives = list(self.receives.values())
        ids = np.array(
            [*range(self.n_pairs), *(var for _, var in left), *(var for var, _ in receives)],
            dtype=np.int64,
        )
        values = np.concatenate(
            [
                chosen,
                [assignment[self.rows[i]] == UNALLOCATED for i, _ in left],
                [chosen[new].any() for _, new in receives],
            ]
        ).astype(float)
        order = np.argsort(ids)
        return ids[order], values[order]

    def root(self, incumbent: np.ndarray, seconds: float, seed: int) -> Outcome:
        """HiGHS hinted with ``incumbent``, to its root node or the first
        allocation it finds (:func:`root_parameters`): a count, so the same
        input finds the same allocation; its cuts go on for seconds after
        it (the demo's advisers' movers: found at 0.9 s, root over at 9.7 s)."""
        params = root_parameters(seconds, seed)
        params.highs.int_options["mip_max_improving_sols"] = 1
        return self.solve(incumbent, params)

    def bound(
        self,
        incumbent: np.ndarray,
        seconds: float,
        seed: int,
        branch: bool = False,
        seen: highs.BoundSeen | None = None,
        symmetry: bool = True,
    ) -> Outcome:
        """HiGHS hinted with ``incumbent``, for its dual bound only: to its root
        node or, with ``branch``, on through branch and bound until ``seconds``
        are up (:func:`bound_parameters`); ``seen``: each bound it logs."""
        params = bound_parameters(seconds, seed, branch, symmetry)
        return self.solve(incumbent, params, seen)

    def relaxation(self, seconds: float) -> Outcome:
        """The LP (built ``relaxed``): its optimum, a lower bound on the role's
        objective, and the pairs' values.

        Presolve off and HiGHS's own choice of method: large's social workers
        2.7 s (4.7 s with presolve and the dual simplex named), its advisers
        1.0 s (1.6 s).
        """
        assert not any(self.proto.variables.integers), "built as a MIP"
        params = mathopt.SolveParameters(
            time_limit=timedelta(seconds=seconds), presolve=mathopt.Emphasis.OFF
        )
        params.highs.bool_options["output_flag"] = False
        params.highs.int_options["threads"] = 1
        none = np.zeros(0, dtype=np.int64)
        return highs.solve(self.proto, params, none, none.astype(float), self.n_pairs)

    def prices(self, duals: np.ndarray) -> Prices:
        """The LP's ``duals`` as the Lagrangian's multipliers by worker column
        (:class:`.lagrangian.RoleLagrangian`): each point of a worker's load at
        their load row's dual, each case at their case row's (a ``<=`` row's
        dual is at most 0); none where the row is not there."""
        load, cases = np.zeros(len(self.costs.workers)), np.zeros(len(self.costs.workers))
        for out, rows, sign in ((load, self.load_rows, 1), (cases, self.case_rows, -1)):
            for column, row in rows.items():
                out[column] = sign * duals[row]
        return load, cases

    def solve(
        self,
        incumbent: np.ndarray,
        params: mathopt.SolveParameters,
        seen: highs.BoundSeen | None = None,
    ) -> Outcome:
        """HiGHS with ``params``, hinted with ``incumbent``; ``seen``: each bound it logs."""
        ids, values = self.hint(incumbent)
        return highs.solve(self.proto, params, ids, values, self.n_pairs, seen)

    def assignment(self, outcome: Outcome, into: np.ndarray) -> np.ndarray:
        """``into`` with this role's requirements as ``outcome`` allocates them."""
        assert outcome.values is not None
        out = into.copy()
        out[self.costs.requirements] = UNALLOCATED
        taken = outcome.values > 0.5
        rows, cols = self.pair_rows[taken], self.pair_cols[taken]
        out[self.costs.requirements[rows]] = self.costs.workers[cols]
        return out


#: Nodes at most when branching for a bound: the demo's advisers' bound
#: reaches 5,575,091 after 301 nodes (60 s, from the climb's allocation); the
#: cap keeps a long limit's memory in check (the demo's command peaks at
#: 840 MB with 60 s).
BRANCH_NODES = 1_000


#: HiGHS's searches for allocations: sub-MIPs around the LP (RINS, RENS),
#: rounding by reduced costs at the root and feasibility jump before it,
#: then its heuristics in the tree. A bound has no use for them: without
#: them the demo's advisers' root reaches the same dual bound (5,415,624) in
#: 2.3 s instead of 14 s, its sub-MIPs had taken 7,120 of its 10,160 LP
#: iterations. Feasibility jump (which no heuristic effort turns off) took
#: large's advisers' thread 0.9 s before its LP; without it their bound at
#: 14 s is 18,926,379 against 18,904,114, and their first long cut round
#: (about 11 s, past HiGHS's clock) ends 0.9 s further inside the limit.
ALLOCATION_HEURISTICS = (
    "mip_heuristic_run_rins",
    "mip_heuristic_run_rens",
    "mip_heuristic_run_root_reduced_cost",
    "mip_heuristic_run_feasibility_jump",
)


def root_parameters(seconds: float, seed: int) -> mathopt.SolveParameters:
    """HiGHS to its root node only, silent, within ``seconds``, on one thread.

    MathOpt passes neither seed nor threads to HiGHS; one thread, as CP-SAT's
    one search worker, so the result does not depend on the machine's cores
    (the demo's advisers: the same allocation, 3.6 s).
    """
    params = mathopt.SolveParameters(time_limit=timedelta(seconds=seconds), node_limit=1)
    params.highs.bool_options["output_flag"] = False
    params.highs.int_options["random_seed"] = seed
    params.highs.int_options["threads"] = 1
    return params


def bound_parameters(
    seconds: float, seed: int, branch: bool = False, symmetry: bool = True
) -> mathopt.SolveParameters:
    """:func:`root_parameters` for a dual bound: HiGHS does not look for
    allocations (:data:`ALLOCATION_HEURISTICS`, and no heuristic effort in
    the tree; the hint gives it its incumbent) and, with ``branch``, goes on
    through branch and bound until ``seconds`` are up: a bound, not a
    proposal, so the clock may end it. Without ``symmetry``, no symmetry
    detection (:mod:`.fixed_root`: its orbitopes doubled a root's time).

    Presolve is off: on large's advisers it took 4 s and removed nothing, and
    without it the LP comes at 4 s instead of 6.5 s; the demo's roots are
    higher at short limits and about the same with branching at 10-30 s.
    HiGHS's restarts are left on but, with no presolve to shrink the model,
    its log shows none (with the old rule-5 rows and presolve they had
    taken the demo's advisers from 5,530,104 to 5,575,091 at 60 s).
    """
    params = root_parameters(seconds, seed)
    params.node_limit = BRANCH_NODES if branch else 1
    for option in ALLOCATION_HEURISTICS:
        params.highs.bool_options[option] = False
    params.highs.double_options["mip_heuristic_effort"] = 0.0
    params.presolve = mathopt.Emphasis.OFF
    if not symmetry:
        params.highs.bool_options["mip_detect_symmetry"] = False
    return params
