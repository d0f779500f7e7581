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
from caseweight.solver import highs
from caseweight.solver.instance import Instance
from caseweight.solver.role_mip import RoleMip
from caseweight.solver.starts import role_objectives


def candidate_pairs(instance: Instance, role: Role) -> np.ndarray:
    """The (row, column) pairs the search looks at: its sparse candidates."""
    costs = instance.role_costs[role]
    column = costs.column
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
    ids, values = mip.hint(assignment)
    params = mathopt.SolveParameters(time_limit=timedelta(seconds=args.seconds))
    outcome = highs.solve(mip.proto, params, ids, values, mip.n_pairs)
    found = outcome.primal_bound if outcome.values is not None else float("nan")
    print(
        f"HiGHS ({mip.n_pairs:,} pairs, built in {built:.1f} s, {args.seconds:g} s): "
        f"{'optimal' if outcome.optimal else 'stopped'}, objective {found:,.0f}, "
        f"bound {outcome.dual_bound:,.0f}; "
        f"caseweight {100 * (ours - found) / found:+.1f}% above HiGHS's best"
    )


if __name__ == "__main__":
    main()
