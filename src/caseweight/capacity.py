"""How many points each worker can hold on the as-of date, and why.

capacity = points per FTE for the role x FTE x grade factor x (1 - active
reductions), unless the workers file gives ``capacity_points``. Target and
hard limit are shares of that capacity (config ``capacity``).

A worker who is about to go receives nobody new but keeps their young people
until they go (config ``capacity``): leaving within
``no_new_cases_days_before_leaving`` days (their ``leaving_on``), or starting
a long-term absence -- dated reductions reaching 100%, such as maternity
leave -- within ``no_new_cases_days_before_absence`` days.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from caseweight.config import Config
from caseweight.problem import Problem, Reduction, Worker


@dataclass(frozen=True)
class WorkerCapacity:
    """One worker's capacity with its breakdown."""

    worker_index: int
    base_points: float
    grade_factor: float
    reductions: tuple[Reduction, ...]
    override: float | None
    points: float
    target_points: float
    hard_limit_points: float
    max_cases: int | None
    can_hold: bool
    can_receive: bool

    @property
    def reduction_percent(self) -> float:
        return min(100.0, sum(r.percent for r in self.reductions))


def worker_capacity(worker: Worker, index: int, as_of: date, config: Config) -> WorkerCapacity:
    """Capacity of ``worker`` on ``as_of``."""
    settings = config.capacity
    base = settings.points_per_fte[worker.role.value] * worker.fte
    factor = settings.grade_factor.get(worker.grade or "", 1.0)
    active = tuple(r for r in worker.reductions if r.active_on(as_of))
    # capacity_points replaces FTE x grade; dated reductions (maternity, union
    # time, a phased return) still apply to it
    gross = worker.capacity_points if worker.capacity_points is not None else base * factor
    points = gross * (1.0 - min(100.0, sum(r.percent for r in active)) / 100.0)
    points = round(points, 1)
    left = worker.has_left(as_of)
    notice = timedelta(days=settings.no_new_cases_days_before_leaving)
    leaving_soon = worker.leaving_on is not None and worker.leaving_on <= as_of + notice
    going_soon = leaving_soon or absent_within(
        worker, as_of, settings.no_new_cases_days_before_absence
    )
    return WorkerCapacity(
        worker_index=index,
        base_points=round(base, 1),
        grade_factor=factor,
        reductions=active,
        override=worker.capacity_points,
        points=points,
        target_points=round(points * settings.target_utilisation, 1),
        # rounded down to a tenth of a point: never a fraction above the limit
        hard_limit_points=math.floor(points * settings.hard_limit * 10 + 1e-9) / 10,
        max_cases=worker.max_cases,
        can_hold=not left and points > 0,
        can_receive=not left and not going_soon and worker.accepting_new and points > 0,
    )


def absent_within(worker: Worker, as_of: date, days: int) -> bool:
    """Whether ``worker`` starts a long-term absence within ``days`` days after ``as_of``.

    A long-term absence is a day after ``as_of`` on which the worker's dated
    reductions add up to 100% (maternity leave, long-term sickness): it counts
    when such a reduction starts on or before ``as_of + days``.
    """
    last = as_of + timedelta(days=days)
    for reduction in worker.reductions:
        start = reduction.effective_from
        if start is None or not as_of < start <= last:
            continue
        total = sum(r.percent for r in worker.reductions if r.active_on(start))
        if total >= 100.0 - 1e-9:
            return True
    return False


def capacities(problem: Problem, config: Config) -> tuple[WorkerCapacity, ...]:
    """Capacity of every worker of ``problem``, in worker order."""
    return tuple(
        worker_capacity(w, i, problem.as_of, config) for i, w in enumerate(problem.workers)
    )
