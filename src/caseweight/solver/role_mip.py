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
from caseweight.solver.warm_start import UNALLOCATED


class RoleMip:
    """x[i, j] for each allowed (requirement row, worker column) pair of one role."""

    def __init__(self, instance: Instance, role: Role, allowed: np.ndarray) -> None:
        self.instance, self.costs = instance, instance.role_costs[role]
        self.model = mathopt.Model(name=f"caseweight-{role.value}")
        self.rows = [int(r) for r in self.costs.requirements]
        self.x: dict[tuple[int, int], mathopt.Variable] = {}
        self.objective: list[mathopt.LinearExpression] = []
        self._assignment(allowed)
        self._workers()
        self._siblings()
        self.model.minimize(mathopt.fast_sum(self.objective))

    def _assignment(self, allowed: np.ndarray) -> None:
        inst, total = self.instance, self.costs.total
        for i, j in zip(*np.nonzero(allowed), strict=True):
            var = self.model.add_binary_variable()
            self.x[int(i), int(j)] = var
            self.objective.append(float(total[i, j]) * var)
        self.by_row: dict[int, list[tuple[int, mathopt.Variable]]] = {
            i: [] for i in range(len(self.rows))
        }
        for (i, j), var in self.x.items():
            self.by_row[i].append((j, var))
        for i, r in enumerate(self.rows):
            chosen = mathopt.fast_sum(var for _, var in self.by_row[i])
            if inst.keepable[r]:  # rule 5: nobody is taken from a worker who can keep them
                self.model.add_linear_constraint(chosen == 1)
            else:
                left = self.model.add_binary_variable()
                self.objective.append(float(inst.unallocated_cost[r]) * left)
                self.model.add_linear_constraint(chosen + left == 1)

    def _workers(self) -> None:
        """Balance segments either side of the target, and hard rule 5."""
        inst, costs, model = self.instance, self.costs, self.model
        points = [inst.requirements[r].points for r in self.rows]
        tops = load_ceilings(inst)
        held: dict[int, list[tuple[int, mathopt.Variable]]] = {}
        for (i, j), var in self.x.items():
            held.setdefault(j, []).append((i, var))
        for j, w in enumerate(int(w) for w in costs.workers):
            curve = inst.balance[w]
            if curve is None or j not in held:
                continue
            load = mathopt.fast_sum(points[i] * var for i, var in held[j])
            above, below = curve.capped(int(tops[w]))
            shift = []
            for sign, segments in ((1, above), (-1, below)):
                for size, cost in segments:
                    part = model.add_variable(lb=0, ub=size)
                    self.objective.append(float(cost) * part)
                    shift.append(sign * part)
            model.add_linear_constraint(load - mathopt.fast_sum(shift) == curve.target)
            new = [var for i, var in held[j] if costs.current[i] != j]
            if not new:
                continue
            limit, most = int(inst.hard_limit[w]), sum(points[i] for i, _ in held[j])
            receives = model.add_binary_variable()
            for var in new:
                model.add_linear_constraint(var <= receives)
            model.add_linear_constraint(load <= limit + max(0, most - limit) * (1 - receives))
            max_cases = inst.capacities[w].max_cases
            if max_cases is not None:
                cases = mathopt.fast_sum(var for _, var in held[j])
                spare = max(0, len(held[j]) - max_cases)
                model.add_linear_constraint(cases <= max_cases + spare * (1 - receives))

    def _siblings(self) -> None:
        row_of = {r: i for i, r in enumerate(self.rows)}
        for members in self.instance.sibling_groups:
            rows = {row_of[r] for r in members if r in row_of}
            if len(rows) < 2:
                continue
            used: dict[int, mathopt.Variable] = {}
            for i in sorted(rows):
                for j, var in self.by_row[i]:
                    if j not in used:
                        used[j] = self.model.add_variable(lb=0, ub=1)
                    self.model.add_linear_constraint(var <= used[j])
            extra = self.model.add_variable(lb=0)
            self.model.add_linear_constraint(extra >= mathopt.fast_sum(used.values()) - 1)
            self.objective.append(float(self.instance.sibling_cost) * extra)

    def hint(self, assignment: np.ndarray) -> mathopt.ModelSolveParameters:
        workers = self.costs.workers
        values = {
            var: float(int(workers[j]) == int(assignment[self.rows[i]]))
            for (i, j), var in self.x.items()
        }
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
        values = result.variable_values()
        workers = self.costs.workers
        for i, r in enumerate(self.rows):
            out[r] = UNALLOCATED
            for j, var in self.by_row[i]:
                if values[var] > 0.5:
                    out[r] = int(workers[j])
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
