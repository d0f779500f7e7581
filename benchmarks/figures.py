"""The figures a manager compares proposals by: changes, utilisation, spread, unallocated."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from caseweight.problem import Role
from caseweight.solution import objective_terms
from caseweight.solver.instance import Instance
from caseweight.solver.warm_start import UNALLOCATED, loads_and_cases

if TYPE_CHECKING:
    from fewest_changes import Fewest


def figures(instance: Instance, assignment: np.ndarray) -> dict[str, float]:
    """Changes of worker, max and spread (std) of utilisation per role, unallocated, objective."""
    loads, _ = loads_and_cases(instance, assignment)
    out: dict[str, float] = {
        "changes": sum(
            r.current_worker is not None and int(assignment[r.index]) != r.current_worker
            for r in instance.requirements
        ),
        "unallocated": int(np.sum(assignment == UNALLOCATED)),
        "objective": sum(objective_terms(instance, assignment).values()),
    }
    for role in Role:
        workers = [
            w
            for w in range(instance.n_workers)
            if instance.worker_roles[w] is role and instance.balances(w)
        ]
        util = loads[workers] / instance.capacity[workers]
        key = "sw" if role is Role.SOCIAL_WORKER else "pa"
        out[f"max_{key}"] = float(util.max()) if len(util) else 0.0
        out[f"spread_{key}"] = float(util.std()) if len(util) else 0.0
    return out


def fewest_figures(instance: Instance, assignment: np.ndarray, fewest: Fewest) -> dict:
    """The fewest-changes row: bound L, best found, the proposal's changes and their ratio."""
    changes = int(figures(instance, assignment)["changes"])
    return {
        "bound": fewest.lower_bound,
        "best": fewest.best,
        "changes": changes,
        "ratio": fewest.ratio(changes),
        "ratio_best": changes / fewest.best if fewest.best else float("nan"),
        "seconds": fewest.seconds,
        "method": fewest.method,
        "by_role": {
            role.value: (r.lower_bound, r.best, r.status) for role, r in fewest.roles.items()
        },
    }
