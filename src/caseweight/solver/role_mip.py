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
from caseweight.solver.instance import Instance
from caseweight.solver.lagrangian import load_ceilings
from caseweight.solver.mip_builder import MipBuilder
from caseweight.solver.warm_start import UNALLOCATED

INFINITY = float("inf")


class RoleMip:
    """x[k] for each allowed (requirement row, worker column) pair of one role,
    ``pair_rows[k]``, ``pair_cols[k]``, in row-major order; built as arrays
    (:mod:`.mip_builder`)."""

    def __init__(self, instance: Instance, role: Role, allowed: np.ndarray) -> None:
        self.instance, self.costs = instance, instance.role_costs[role]
        self.rows = [int(r) for r in self.costs.requirements]
        self.points = np.array([instance.requirements[r].points for r in self.rows], dtype=float)
        self.pair_rows, self.pair_cols = (a.astype(np.int64) for a in np.nonzero(allowed))
        self.n_pairs = len(self.pair_rows)
        build = MipBuilder(f"caseweight-{role.value}")
        self._assignment(build)
        self._workers(build)
        self._siblings(build)
        self.model = build.model()
        self._x: list[mathopt.Variable] | None = None

    @property
    def x(self) -> list[mathopt.Variable]:
        """The pairs' variables, by pair."""
        if self._x is None:
            self._x = [self.model.get_variable(k, validate=False) for k in range(self.n_pairs)]
        return self._x

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
            build.terms(np.repeat(load, len(held)), held, points)
            above, below = curve.capped(int(tops[w]))
            for sign, segments in ((-1, above), (1, below)):
                if segments:
                    sizes, prices = zip(*segments, strict=True)
                    parts = build.variables(len(sizes), 0, sizes, prices)
                    build.terms(np.repeat(load, len(parts)), parts, sign)
            own = costs.current[rows[held]] == j
            new = held[~own]
            if not len(new):
                continue
            receives = build.variables(1, 0, 1, 0, integer=True)
            links = build.rows(len(new), -INFINITY, 0)
            build.terms(links, new, 1)
            build.terms(links, np.repeat(receives, len(new)), -1)
            # receiving: within the limits; not: at most those already held,
            # so each limit moves by what the worker holds now, not by all it
            # might hold (the demo's advisers' root: 5,415,023 -> 5,584,603)
            kept, limit = float(points[own].sum()), float(inst.hard_limit[w])
            rule = build.rows(1, -INFINITY, kept)
            build.terms(np.repeat(rule, len(held) + 1), [*held, *receives], [*points, kept - limit])
            max_cases = inst.capacities[w].max_cases
            if max_cases is not None:
                cases, held_now = build.rows(1, -INFINITY, own.sum()), float(own.sum())
                weights = [1.0] * len(held) + [held_now - max_cases]
                build.terms(np.repeat(cases, len(held) + 1), [*held, *receives], weights)

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

    def hint(self, assignment: np.ndarray) -> mathopt.ModelSolveParameters:
        workers = self.costs.workers
        chosen = assignment[self.costs.requirements[self.pair_rows]] == workers[self.pair_cols]
        values = dict(zip(self.x, chosen.astype(float).tolist(), strict=True))
        return mathopt.ModelSolveParameters(
            solution_hints=[mathopt.SolutionHint(variable_values=values)]
        )

    def root(self, incumbent: np.ndarray, seconds: float, seed: int) -> mathopt.SolveResult:
        """HiGHS hinted with ``incumbent``, to its root node, for an allocation
        (:func:`root_parameters`)."""
        return self._solve(incumbent, root_parameters(seconds, seed))

    def bound(
        self, incumbent: np.ndarray, seconds: float, seed: int, branch: bool = False
    ) -> mathopt.SolveResult:
        """HiGHS hinted with ``incumbent``, for its dual bound only: to its root
        node or, with ``branch``, on through branch and bound until ``seconds``
        are up (:func:`bound_parameters`)."""
        return self._solve(incumbent, bound_parameters(seconds, seed, branch))

    def _solve(self, incumbent: np.ndarray, params: mathopt.SolveParameters) -> mathopt.SolveResult:
        return mathopt.solve(
            self.model, mathopt.SolverType.HIGHS, params=params, model_params=self.hint(incumbent)
        )

    def assignment(self, result: mathopt.SolveResult, into: np.ndarray) -> np.ndarray:
        """``into`` with this role's requirements as ``result`` allocates them."""
        out = into.copy()
        out[self.costs.requirements] = UNALLOCATED
        taken = np.array(result.variable_values(self.x)) > 0.5
        rows, cols = self.pair_rows[taken], self.pair_cols[taken]
        out[self.costs.requirements[rows]] = self.costs.workers[cols]
        return out


#: Nodes at most when branching for a bound: the demo's advisers' bound
#: reaches 5,575,091 after 301 nodes (60 s, from the climb's allocation); the
#: cap keeps a long limit's memory in check (the demo's command peaks at
#: 840 MB with 60 s).
BRANCH_NODES = 1_000


#: HiGHS's searches for allocations: sub-MIPs around the LP (RINS, RENS) and
#: rounding by reduced costs at the root, then its heuristics in the tree.
#: A bound has no use for them: without them the demo's advisers' root
#: reaches the same dual bound (5,415,624) in 2.3 s instead of 14 s, its
#: sub-MIPs had taken 7,120 of its 10,160 LP iterations.
ALLOCATION_HEURISTICS = (
    "mip_heuristic_run_rins",
    "mip_heuristic_run_rens",
    "mip_heuristic_run_root_reduced_cost",
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


def bound_parameters(seconds: float, seed: int, branch: bool = False) -> mathopt.SolveParameters:
    """:func:`root_parameters` for a dual bound: HiGHS does not look for
    allocations (:data:`ALLOCATION_HEURISTICS`, and no heuristic effort in
    the tree; the hint gives it its incumbent) and, with ``branch``, goes on
    through branch and bound until ``seconds`` are up: a bound, not a
    proposal, so the clock may end it.

    Its restarts stay on: once the root has fixed columns by their reduced
    costs, presolve shrinks the model and a second root proves more. From the
    climb's allocation the demo's social workers' optimum is proven in 2.5 s
    with them and not in 6 s without; its advisers' bound reaches 5,575,091
    after 60 s with them and stays at 5,530,104 from 25 s without.
    """
    params = root_parameters(seconds, seed)
    params.node_limit = BRANCH_NODES if branch else 1
    for option in ALLOCATION_HEURISTICS:
        params.highs.bool_options[option] = False
    params.highs.double_options["mip_heuristic_effort"] = 0.0
    return params
