"""caseweight against the greedy peer like for like: the same young people served.

The greedy peer leaves young people unallocated when its first placements
fragment the room under the hard limit (on the demo: ten 16-17s due a
personal adviser and one child in care with no social worker). It then uses
that room to relieve its most loaded worker. caseweight treats an
unallocated statutory allocation as dearer than any other choice, so it
serves them and the room is gone. Comparing maxima between proposals that
serve different numbers of young people rewards leaving them unserved.

This row gives caseweight the greedy's service level: every requirement
the greedy left unallocated is excluded from every worker, then caseweight
solves the rest with the same config and time limit. Any difference is then
in the choices, not in who is served. The solver gets what the command
would give it of the limit (:func:`caseweight.commands.planned_time_limit`:
reading, building and writing taken off), so the row's wall time is the
command's: with the whole limit the region's ran 100 s for 90.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from caseweight.commands import planned_time_limit
from caseweight.config import Config
from caseweight.demo import DEMO_AS_OF
from caseweight.io.inputs import read_problem
from caseweight.pipeline import propose
from caseweight.solver.instance import Instance
from caseweight.solver.warm_start import UNALLOCATED


def excluded_like(instance: Instance, greedy: np.ndarray) -> frozenset[tuple[int, int]]:
    """Every (requirement, worker) pair of the requirements the greedy left unallocated."""
    left = np.flatnonzero(greedy == UNALLOCATED)
    return frozenset((int(r), w) for r in left for w in range(instance.n_workers))


def run_same_service(
    cases: Path,
    workers: Path,
    limit: float,
    instance: Instance,
    greedy: np.ndarray,
    config: Config | None = None,
) -> tuple[float, np.ndarray]:
    """caseweight's assignment with the greedy's unallocated excluded, and the wall time."""
    config = config or Config()
    problem = read_problem(cases, workers, DEMO_AS_OF, config)
    started = time.perf_counter()
    solver_limit = planned_time_limit(limit, len(problem.people), report=False)
    proposal = propose(
        problem,
        config,
        solver_limit,
        excluded=excluded_like(instance, greedy),
        planned=solver_limit,
    )
    return time.perf_counter() - started, np.asarray(proposal.assignment)
