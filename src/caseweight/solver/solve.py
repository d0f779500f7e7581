"""Solve the allocation, one CP-SAT model per role, and report honestly."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from ortools.sat.python import cp_model

from caseweight.problem import Role
from caseweight.solution import objective_terms
from caseweight.solver.hints import add_full_hint
from caseweight.solver.instance import Instance
from caseweight.solver.local_search import improve
from caseweight.solver.model import AllocationModel, Neighbourhood
from caseweight.solver.warm_start import UNALLOCATED, first_fit, loads_and_cases

#: Workers re-optimised together in one CP-SAT model.
NEIGHBOURHOOD_SIZE = 24
#: Passes over all neighbourhoods while the objective still improves.
MAX_PASSES = 4
#: CP-SAT deterministic time per neighbourhood model (repeatable, unlike wall time).
DETERMINISTIC_TIME_PER_MODEL = 1.0


class SolveStatus(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    NO_SOLUTION = "no_solution"


@dataclass(frozen=True)
class Progress:
    """One report from the solver, for a progress display outside the algorithm."""

    role: str
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
    def __init__(self, role: str, progress: ProgressFn) -> None:
        super().__init__()
        self._role = role
        self._progress = progress

    def on_solution_callback(self) -> None:
        self._progress(
            Progress(self._role, self.wall_time, self.objective_value, self.best_objective_bound)
        )


def neighbourhoods(instance: Instance, incumbent: np.ndarray) -> list[tuple[Role, tuple[int, ...]]]:
    """Worker groups to re-optimise in turn: each team, then the heaviest with the lightest."""
    loads, _ = loads_and_cases(instance, incumbent)
    out: list[tuple[Role, tuple[int, ...]]] = []
    for role in Role:
        workers = [
            w
            for w in range(instance.n_workers)
            if instance.worker_roles[w] is role and instance.balances(w)
        ]
        if not workers:
            continue
        teams: dict[str, list[int]] = defaultdict(list)
        for w in workers:
            teams[instance.teams[w]].append(w)
        for team in sorted(teams):
            for start in range(0, len(teams[team]), NEIGHBOURHOOD_SIZE):
                out.append((role, tuple(teams[team][start : start + NEIGHBOURHOOD_SIZE])))
        by_use = sorted(workers, key=lambda w: (loads[w] / max(1, instance.capacity[w]), w))
        half = NEIGHBOURHOOD_SIZE // 2
        mixed = sorted(set(by_use[:half]) | set(by_use[-half:]))
        out.append((role, tuple(mixed)))
    return out


def solve(
    instance: Instance,
    settings: SolveSettings,
    progress: ProgressFn | None = None,
) -> SolveResult:
    """Start from a feasible allocation and improve it neighbourhood by neighbourhood.

    Each neighbourhood (a team's workers, or the heaviest with the lightest
    workers of a role) is an exact CP-SAT model of the young people they hold
    or could take; the rest stay as they are. One search worker and a
    deterministic time per model make the result repeatable.
    """
    started = time.perf_counter()
    deadline = started + settings.time_limit_seconds
    incumbent = improve(instance, first_fit(instance), settings.time_limit_seconds * 0.4)
    current = sum(objective_terms(instance, incumbent).values())
    statuses: list[SolveStatus] = []
    build = 0.0
    for _ in range(MAX_PASSES):
        improved = False
        hoods = neighbourhoods(instance, incumbent)
        for k, (role, workers) in enumerate(hoods):
            left = deadline - time.perf_counter()
            if left <= 0.05:
                break
            t0 = time.perf_counter()
            am = AllocationModel(instance, role, Neighbourhood(workers, incumbent))
            add_full_hint(am, incumbent)
            build += time.perf_counter() - t0
            status = _solve_part(am, left / (len(hoods) - k), settings, incumbent)
            statuses.append(status)
            new = sum(objective_terms(instance, incumbent).values())
            improved |= new < current
            current = new
            if progress:
                progress(Progress(role.value, time.perf_counter() - started, current, 0))
        if not improved or time.perf_counter() >= deadline:
            break
    terms = objective_terms(instance, incumbent)
    return SolveResult(
        status=SolveStatus.FEASIBLE,
        assignment=incumbent,
        objective=sum(terms.values()),
        best_bound=0,
        solve_seconds=time.perf_counter() - started - build,
        build_seconds=build,
        terms=terms,
    )


def _solve_part(
    am: AllocationModel, budget: float, settings: SolveSettings, incumbent: np.ndarray
) -> SolveStatus:
    """Solve one neighbourhood's model; adopt its allocation into ``incumbent``."""
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = max(0.05, budget)
    params.max_deterministic_time = DETERMINISTIC_TIME_PER_MODEL
    params.num_workers = 1
    params.random_seed = settings.seed
    code = solver.solve(am.model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return SolveStatus.NO_SOLUTION
    for req in am.requirements:
        incumbent[req.index] = UNALLOCATED
    for (r, w), var in am.vars.assign.items():
        if solver.boolean_value(var):
            incumbent[r] = w
    return SolveStatus.OPTIMAL if code == cp_model.OPTIMAL else SolveStatus.FEASIBLE
