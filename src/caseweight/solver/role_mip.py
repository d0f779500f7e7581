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

    def root(
        self, incumbent: np.ndarray, seconds: float, seed: int, branch: bool = False
    ) -> mathopt.SolveResult:
        """HiGHS hinted with ``incumbent``: to its root node (:func:`root_parameters`),
        or with ``branch`` on through branch and bound until ``seconds`` are up."""
        return mathopt.solve(
            self.model,
            mathopt.SolverType.HIGHS,
            params=root_parameters(seconds, seed, branch),
            model_params=self.hint(incumbent),
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


#: Nodes at most when branching for a bound: the demo's advisers' bound jumps
#: after 38 nodes (25 s) and creeps after (200 nodes: 68 s, 5,568,508, HiGHS
#: at 520 MB); the cap keeps a long limit's memory in check.
BRANCH_NODES = 1_000


def root_parameters(seconds: float, seed: int, branch: bool = False) -> mathopt.SolveParameters:
    """HiGHS to its root node only, silent, within ``seconds``, on one thread.

    MathOpt passes neither seed nor threads to HiGHS; one thread, as CP-SAT's
    one search worker, so the result does not depend on the machine's cores
    (the demo's advisers: the same allocation, 3.6 s).

    With ``branch``, on through branch and bound until ``seconds`` are up, and
    without the restart after the root: a bound, not a proposal, so the clock
    may end it. The demo's advisers' root ends at 5,415,648 after 14 s; its
    first few dozen nodes take the bound to 5,541,916 by 25 s, where with the
    restart (a second root, 20 s more) they reach 5,516,810 only at 40 s.
    """
    nodes = BRANCH_NODES if branch else 1
    params = mathopt.SolveParameters(time_limit=timedelta(seconds=seconds), node_limit=nodes)
    params.highs.bool_options["output_flag"] = False
    params.highs.int_options["random_seed"] = seed
    params.highs.int_options["threads"] = 1
    if branch:
        params.highs.bool_options["mip_allow_restart"] = False
    return params
