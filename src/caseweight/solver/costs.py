"""Every eligible (requirement, worker) pair of one role, priced at once with numpy.

The optimiser's candidate lists are a sparse choice from these matrices, and
the lower bound (:mod:`caseweight.solver.bound`) prices every pair in them, so
a pair left out of the candidates can never make the bound dishonest.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from caseweight.capacity import WorkerCapacity
from caseweight.config import Config
from caseweight.demand import Demand
from caseweight.problem import Problem, Role
from caseweight.solver.units import COST_SCALE


@dataclass(frozen=True)
class RoleCosts:
    """Soft-rule costs of giving requirement ``requirements[i]`` to worker ``workers[j]``."""

    role: Role
    requirements: np.ndarray  # requirement indexes, shape (R,)
    workers: np.ndarray  # worker indexes, shape (W,)
    current: np.ndarray  # column of the current worker per row, -1 when none
    eligible: np.ndarray  # bool (R, W): hard rules 4 and skills allow the pair
    change: np.ndarray  # int32 (R, W)
    team: np.ndarray  # int32 (R, W)
    skill: np.ndarray  # int32 (R, W)

    @property
    def total(self) -> np.ndarray:
        return self.change.astype(np.int64) + self.team + self.skill

    @cached_property
    def column(self) -> dict[int, int]:
        """Each worker index's column in these matrices."""
        return {int(w): j for j, w in enumerate(self.workers)}


def hard_skills(
    problem: Problem, demand: Demand, capacities: tuple[WorkerCapacity, ...]
) -> tuple[list[frozenset[str]], dict[int, tuple[str, ...]]]:
    """Skills each requirement must find in a new worker, and the skills nobody has.

    A needed skill is hard where any worker of the role who can receive has it;
    otherwise it is reported as a gap and does not block allocation.
    """
    held: dict[Role, set[str]] = {role: set() for role in Role}
    for worker, cap in zip(problem.workers, capacities, strict=True):
        if cap.can_receive:
            held[worker.role] |= worker.skills
    hard, gaps = [], {}
    for req in demand.requirements:
        wanted = set(problem.people[req.person].needs_skills)
        hard.append(frozenset(wanted & held[req.role]))
        if wanted - held[req.role]:
            gaps[req.index] = tuple(sorted(wanted - held[req.role]))
    return hard, gaps


def role_costs(
    problem: Problem,
    demand: Demand,
    capacities: tuple[WorkerCapacity, ...],
    config: Config,
    role: Role,
    hard: list[frozenset[str]],
    excluded: frozenset[tuple[int, int]] = frozenset(),
    pinned: dict[int, int] | None = None,
) -> RoleCosts:
    """Eligibility and costs of every pair of ``role``."""
    pinned = pinned or {}
    opt = config.optimiser
    reqs = [r for r in demand.requirements if r.role is role]
    workers = np.array([w for w, x in enumerate(problem.workers) if x.role is role], dtype=np.int64)
    column = {int(w): j for j, w in enumerate(workers)}
    n, m = len(reqs), len(workers)
    holds = np.array([capacities[w].can_hold for w in workers], dtype=bool)
    receives = np.array([capacities[w].can_receive for w in workers], dtype=bool)
    current = np.array(
        [column.get(r.current_worker, -1) if r.current_worker is not None else -1 for r in reqs],
        dtype=np.int64,
    )
    rows = np.arange(n)
    has_current = current >= 0
    eligible = np.repeat(receives[None, :], n, axis=0)
    skill = np.zeros((n, m), dtype=np.int32)
    worker_skills = [problem.workers[w].skills for w in workers]
    for needed in {h for h in (hard[r.index] for r in reqs) if h}:
        lacking = np.array([len(needed - s) for s in worker_skills], dtype=np.int32)
        which = np.array([hard[r.index] == needed for r in reqs], dtype=bool)
        eligible[which] &= (lacking == 0)[None, :]
        skill[which] = lacking[None, :] * opt.skill_mismatch_penalty * COST_SCALE
    eligible[rows[has_current], current[has_current]] = holds[current[has_current]]
    for i, req in enumerate(reqs):
        if req.index in pinned and pinned[req.index] in column:
            j = column[pinned[req.index]]
            eligible[i] = False
            eligible[i, j] = holds[j]
    for r, w in excluded:
        row = _row_of(reqs, r)
        if row is not None and w in column:
            eligible[row, column[w]] = False
    return RoleCosts(
        role=role,
        requirements=np.array([r.index for r in reqs], dtype=np.int64),
        workers=workers,
        current=current,
        eligible=eligible,
        change=_change_costs(problem, reqs, workers, current, holds, config),
        team=_team_costs(problem, reqs, workers, config),
        skill=skill,
    )


def _row_of(reqs: list, index: int) -> int | None:
    lo, hi = 0, len(reqs)
    while lo < hi:  # requirements are in index order
        mid = (lo + hi) // 2
        if reqs[mid].index < index:
            lo = mid + 1
        else:
            hi = mid
    return lo if lo < len(reqs) and reqs[lo].index == index else None


def _change_costs(
    problem: Problem,
    reqs: list,
    workers: np.ndarray,
    current: np.ndarray,
    holds: np.ndarray,
    config: Config,
) -> np.ndarray:
    """Continuity: moving off a current worker who can still hold the young person,
    and the change an agency cover's end would bring.

    A move costs more for a young person with recent changes, more for a PA
    around the 18th birthday, and less to a worker the young person had
    before. When the current worker is leaving (the move is forced, not
    chosen) or there is none, only that difference counts: a stranger costs
    what a worker the young person knows would save. An agency worker who does
    not already hold the young person adds ``agency_cover_risk`` of the change
    the cover's end would bring.
    """
    opt = config.optimiser
    n, m = len(reqs), len(workers)
    out = np.zeros((n, m), dtype=np.int32)
    column = {int(w): j for j, w in enumerate(workers)}
    recent = np.array([problem.people[r.person].worker_changes_12m for r in reqs], dtype=float)
    factor = np.array(
        [
            opt.transition_change_multiplier  # keep the PA through the 18th birthday
            if r.role is Role.PERSONAL_ADVISER and r.in_transition
            else 1.0
            for r in reqs
        ]
    )
    price = (opt.change_penalty + opt.change_penalty_per_recent_change * recent) * factor
    for i, req in enumerate(reqs):
        j = int(current[i])
        had = (problem.worker_index.get(x) for x in problem.people[req.person].previous_workers)
        known = [column[w] for w in had if w in column and column[w] != j]
        if j >= 0 and holds[j]:  # a chosen move: a stranger costs a change, a known worker less
            out[i] = round(price[i] * COST_SCALE)
            out[i, j] = 0
            out[i, known] = round(price[i] * opt.previous_worker_discount * COST_SCALE)
        elif known:  # forced or first allocation: a stranger costs what a known worker saves
            out[i] = round(price[i] * (1 - opt.previous_worker_discount) * COST_SCALE)
            out[i, known] = 0
    agency = np.array([problem.workers[w].agency for w in workers], dtype=bool)
    if agency.any() and opt.agency_cover_risk > 0:
        later = price + opt.change_penalty_per_recent_change * factor  # one change more by then
        cover = np.rint(np.outer(later * opt.agency_cover_risk * COST_SCALE, agency))
        kept = current >= 0
        cover[np.flatnonzero(kept), current[kept]] = 0
        out += cover.astype(np.int32)
    return out


def _team_costs(problem: Problem, reqs: list, workers: np.ndarray, config: Config) -> np.ndarray:
    """Team: a worker of another team than the young person's costs a little."""
    teams = sorted({problem.workers[w].team or "" for w in workers} | {""})
    code = {t: k for k, t in enumerate(teams)}
    worker_team = np.array([code[problem.workers[w].team or ""] for w in workers])
    person_team = np.array(
        [code.get(problem.people[r.person].team or "", -1) for r in reqs], dtype=np.int64
    )
    unknown = np.array([not problem.people[r.person].team for r in reqs], dtype=bool)
    mismatch = (person_team[:, None] != worker_team[None, :]) & (worker_team[None, :] != code[""])
    mismatch[unknown] = False
    return (mismatch * (config.optimiser.team_mismatch_penalty * COST_SCALE)).astype(np.int32)
