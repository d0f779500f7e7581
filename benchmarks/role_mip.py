"""One role of the demo as an exact MIP in HiGHS: how far caseweight's proposal is from the best.

Usage: python benchmarks/role_mip.py [--role personal_adviser] [--seconds 120]
                                     [--time-limit 5] [--candidates-only]

caseweight proposes with ``--time-limit``; HiGHS (through OR-Tools MathOpt, so
no ``highspy``) then gets that role as a MIP over every eligible pair (or only
the search's candidates) with the same objective and hard rules, hinted with
the proposal, for ``--seconds``. It prints caseweight's part of the objective,
caseweight's bound, and HiGHS's best objective and proven bound. Not a test:
a measurement (``docs/benchmarks.md``, fourth session).
"""

from __future__ import annotations

import argparse
import time
from datetime import timedelta

import numpy as np
from ortools.math_opt.python import mathopt

from caseweight.config import Config
from caseweight.demo import DEMO_AS_OF, demo_paths
from caseweight.io.inputs import read_problem
from caseweight.pipeline import propose
from caseweight.problem import Role
from caseweight.solver.instance import Instance
from caseweight.solver.lagrangian import load_ceilings
from caseweight.solver.starts import role_objectives


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


def candidate_pairs(instance: Instance, role: Role) -> np.ndarray:
    """The (row, column) pairs the search looks at: its sparse candidates."""
    costs = instance.role_costs[role]
    column = {int(w): j for j, w in enumerate(costs.workers)}
    allowed = np.zeros_like(costs.eligible)
    for i, r in enumerate(costs.requirements):
        for option in instance.candidates[int(r)]:
            allowed[i, column[option.worker]] = True
    return allowed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--role", default=Role.PERSONAL_ADVISER.value, choices=[r.value for r in Role]
    )
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--time-limit", type=float, default=5.0)
    parser.add_argument("--candidates-only", action="store_true")
    args = parser.parse_args()
    role = Role(args.role)
    config = Config()
    cases, workers = demo_paths()
    proposal = propose(read_problem(cases, workers, DEMO_AS_OF, config), config, args.time_limit)
    instance, assignment = proposal.instance, np.asarray(proposal.assignment)
    ours = role_objectives(instance, assignment)[role]
    print(
        f"caseweight ({args.time_limit:g} s): {role.value} objective {ours:,.0f}, "
        f"bound {proposal.result.role_bounds[role.value]:,}"
    )
    costs = instance.role_costs[role]
    allowed = candidate_pairs(instance, role) if args.candidates_only else costs.eligible
    started = time.perf_counter()
    mip = RoleMip(instance, role, allowed)
    built = time.perf_counter() - started
    result = mathopt.solve(
        mip.model,
        mathopt.SolverType.HIGHS,
        params=mathopt.SolveParameters(time_limit=timedelta(seconds=args.seconds)),
        model_params=mip.hint(assignment),
    )
    found = result.objective_value() if result.has_primal_feasible_solution() else float("nan")
    bound = result.termination.objective_bounds.dual_bound
    print(
        f"HiGHS ({len(mip.x):,} pairs, built in {built:.1f} s, {args.seconds:g} s): "
        f"{result.termination.reason.name.lower()}, objective {found:,.0f}, bound {bound:,.0f}; "
        f"caseweight {100 * (ours - found) / found:+.1f}% above HiGHS's best"
    )


if __name__ == "__main__":
    main()
