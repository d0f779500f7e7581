"""Solve an :class:`~caseweight.solver.model.AllocationModel` and report honestly."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from ortools.sat.python import cp_model

from caseweight.solver.instance import Instance
from caseweight.solver.model import AllocationModel
from caseweight.solver.warm_start import UNALLOCATED, first_fit


class SolveStatus(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    NO_SOLUTION = "no_solution"


@dataclass(frozen=True)
class Progress:
    """One report from the solver, for a progress display outside the algorithm."""

    seconds: float
    objective: float
    bound: float


ProgressFn = Callable[[Progress], None]


@dataclass(frozen=True)
class SolveSettings:
    time_limit_seconds: float = 10.0
    seed: int = 0
    search_workers: int = 2


@dataclass(frozen=True)
class SolveResult:
    """The proposal as a worker index per requirement (``-1``: unallocated)."""

    status: SolveStatus
    assignment: np.ndarray
    objective: int
    best_bound: int
    solve_seconds: float
    build_seconds: float
    terms: dict[str, int] = field(default_factory=dict)

    @property
    def gap(self) -> float:
        if self.objective <= 0:
            return 0.0
        return max(0.0, (self.objective - self.best_bound) / self.objective)


class _Reporter(cp_model.CpSolverSolutionCallback):
    def __init__(self, progress: ProgressFn) -> None:
        super().__init__()
        self._progress = progress

    def on_solution_callback(self) -> None:
        self._progress(Progress(self.wall_time, self.objective_value, self.best_objective_bound))


def solve(
    instance: Instance,
    settings: SolveSettings,
    progress: ProgressFn | None = None,
) -> SolveResult:
    """Build the model, hint it with a feasible allocation, and solve within the limit.

    When the solver finds nothing in time, the hint (feasible by construction)
    is returned with status ``feasible`` and the solver's bound.
    """
    started = time.perf_counter()
    am = AllocationModel(instance)
    hint = first_fit(instance)
    _add_hint(am, hint)
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = max(0.1, settings.time_limit_seconds)
    params.num_workers = settings.search_workers
    params.random_seed = settings.seed
    built = time.perf_counter()
    reporter = _Reporter(progress) if progress else None
    code = solver.solve(am.model, reporter)
    solve_seconds = time.perf_counter() - built
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        assignment = _read_assignment(am, solver)
        status = SolveStatus.OPTIMAL if code == cp_model.OPTIMAL else SolveStatus.FEASIBLE
        objective = round(solver.objective_value)
        terms = {name: round(solver.value(expr)) for name, expr in am.terms.items()}
    else:
        assignment, status, objective, terms = hint, SolveStatus.NO_SOLUTION, -1, {}
    return SolveResult(
        status=status,
        assignment=assignment,
        objective=objective,
        best_bound=round(solver.best_objective_bound)
        if status is not SolveStatus.NO_SOLUTION
        else 0,
        solve_seconds=solve_seconds,
        build_seconds=built - started,
        terms=terms,
    )


def _add_hint(am: AllocationModel, hint: np.ndarray) -> None:
    for (r, w), var in am.vars.assign.items():
        am.model.add_hint(var, int(hint[r] == w))
    for r, var in am.vars.unallocated.items():
        am.model.add_hint(var, int(hint[r] == UNALLOCATED))


def _read_assignment(am: AllocationModel, solver: cp_model.CpSolver) -> np.ndarray:
    assignment = np.full(len(am.instance.requirements), UNALLOCATED, dtype=np.int64)
    for (r, w), var in am.vars.assign.items():
        if solver.boolean_value(var):
            assignment[r] = w
    return assignment
