"""The optimiser's input: integers and index arrays, no DataFrames, no ids.

Every soft-rule price is turned here into an integer cost per (requirement,
candidate worker), in internal units of 1/``COST_SCALE`` penalty unit, so that
the model and the independent check (:mod:`caseweight.solution`) price a
proposal identically.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from caseweight.capacity import WorkerCapacity
from caseweight.config import Config
from caseweight.demand import POINTS_SCALE, Demand, Need, Requirement
from caseweight.problem import Problem, Role

#: Internal cost unit: a hundredth of a penalty unit.
COST_SCALE = 100


@dataclass(frozen=True)
class BalanceLine:
    """One affine piece of the balance penalty: ``slope * u + intercept`` (u in %)."""

    slope: int
    intercept: int


@dataclass(frozen=True)
class Candidate:
    """A worker a requirement may go to, with the soft-rule cost of that choice."""

    worker: int
    change_cost: int
    team_cost: int
    skill_cost: int

    @property
    def cost(self) -> int:
        return self.change_cost + self.team_cost + self.skill_cost


@dataclass(frozen=True)
class Instance:
    """All the optimiser needs, as integers."""

    requirements: tuple[Requirement, ...]
    capacities: tuple[WorkerCapacity, ...]
    worker_roles: tuple[Role, ...]
    capacity: np.ndarray  # tenths of a point, per worker
    hard_limit: np.ndarray  # tenths of a point, per worker
    candidates: tuple[tuple[Candidate, ...], ...]  # per requirement
    unallocated_cost: np.ndarray  # per requirement
    sibling_groups: tuple[tuple[int, ...], ...]  # requirement indexes sharing a SW
    sibling_cost: int
    balance_lines: tuple[BalanceLine, ...]
    skill_gaps: dict[int, tuple[str, ...]] = field(default_factory=dict)

    @property
    def n_workers(self) -> int:
        return len(self.capacities)

    def balances(self, worker: int) -> bool:
        """Workers who can hold cases carry a balance penalty; leavers do not."""
        return bool(self.capacities[worker].can_hold and self.capacity[worker] > 0)


def balance_lines(config: Config) -> tuple[BalanceLine, ...]:
    """The convex balance penalty as a max of affine lines in utilisation %, scaled."""
    target = round(config.capacity.target_utilisation * 100)
    opt = config.optimiser
    lines = [BalanceLine(0, 0)]
    for pieces, sign in ((opt.balance_above_target, 1), (opt.balance_below_target, -1)):
        value = 0
        for j, piece in enumerate(pieces):
            if j:
                value += pieces[j - 1].slope * (piece.beyond - pieces[j - 1].beyond)
            start = target + sign * piece.beyond
            # penalty = value + slope * sign * (u - start)
            slope = sign * piece.slope
            lines.append(BalanceLine(slope * COST_SCALE, (value - slope * start) * COST_SCALE))
    return tuple(lines)


def balance_penalty(load: int, capacity: int, lines: tuple[BalanceLine, ...]) -> int:
    """Least integer p with ``capacity * p >= slope * 100 * load + intercept * capacity``."""
    if capacity <= 0:
        return 0
    worst = 0
    for line in lines:
        numerator = line.slope * 100 * load + line.intercept * capacity
        worst = max(worst, -((-numerator) // capacity))
    return worst


def build_instance(
    problem: Problem,
    demand: Demand,
    capacities: tuple[WorkerCapacity, ...],
    config: Config,
    excluded: frozenset[tuple[int, int]] = frozenset(),
    pinned: dict[int, int] | None = None,
) -> Instance:
    """Candidates and costs for every requirement.

    ``excluded`` holds (requirement, worker) pairs never to propose; ``pinned``
    maps a requirement to the only worker it may have.
    """
    pinned = pinned or {}
    skills_held = _skills_by_role(problem, capacities)
    candidates = []
    gaps: dict[int, tuple[str, ...]] = {}
    for req in demand.requirements:
        person = problem.people[req.person]
        wanted = set(person.needs_skills)
        hard = frozenset(wanted & skills_held[req.role])
        missing = tuple(sorted(wanted - hard))
        if missing:
            gaps[req.index] = missing
        options = []
        for w, worker in enumerate(problem.workers):
            if (req.index, w) in excluded or worker.role is not req.role:
                continue
            if req.index in pinned and pinned[req.index] != w:
                continue
            cap = capacities[w]
            is_current = req.current_worker == w
            allowed = cap.can_hold and (is_current or (cap.can_receive and hard <= worker.skills))
            if allowed or (req.index in pinned and cap.can_hold):
                holds = req.current_worker is not None and capacities[req.current_worker].can_hold
                options.append(_candidate(problem, req, w, hard, config, holds))
        candidates.append(tuple(options))
    return Instance(
        requirements=demand.requirements,
        capacities=capacities,
        worker_roles=tuple(w.role for w in problem.workers),
        capacity=np.array([round(c.points * POINTS_SCALE) for c in capacities], dtype=np.int64),
        hard_limit=np.array(
            [int(c.hard_limit_points * POINTS_SCALE) for c in capacities], dtype=np.int64
        ),
        candidates=tuple(candidates),
        unallocated_cost=np.array(
            [_unallocated_cost(r, config) for r in demand.requirements], dtype=np.int64
        ),
        sibling_groups=_sibling_groups(problem, demand),
        sibling_cost=config.optimiser.sibling_split_penalty * COST_SCALE,
        balance_lines=balance_lines(config),
        skill_gaps=gaps,
    )


def change_cost(
    problem: Problem, req: Requirement, worker: int, config: Config, current_holds: bool
) -> int:
    """The cost of giving ``req`` to ``worker`` instead of its current worker.

    Moving a young person off a worker who can no longer hold them (leaving,
    or with no capacity left) is forced, not chosen, and costs nothing.
    """
    opt = config.optimiser
    current = req.current_worker
    if current is None or current == worker or not current_holds:
        return 0
    person = problem.people[req.person]
    cost = opt.change_penalty + opt.change_penalty_per_recent_change * person.worker_changes_12m
    factor = 1.0
    if req.role is Role.PERSONAL_ADVISER and req.in_transition:
        factor = opt.transition_change_multiplier  # keep the PA through the 18th birthday
    if problem.workers[worker].worker_id in person.previous_workers:
        factor *= opt.previous_worker_discount
    return round(cost * factor * COST_SCALE)


def _candidate(
    problem: Problem,
    req: Requirement,
    w: int,
    hard: frozenset[str],
    config: Config,
    current_holds: bool,
) -> Candidate:
    opt = config.optimiser
    person = problem.people[req.person]
    worker = problem.workers[w]
    mismatch = person.team is not None and worker.team is not None and person.team != worker.team
    lacking = len(hard - worker.skills)
    return Candidate(
        worker=w,
        change_cost=change_cost(problem, req, w, config, current_holds),
        team_cost=opt.team_mismatch_penalty * COST_SCALE if mismatch else 0,
        skill_cost=opt.skill_mismatch_penalty * COST_SCALE * lacking,
    )


def _unallocated_cost(req: Requirement, config: Config) -> int:
    opt = config.optimiser
    if req.need in (Need.SOCIAL_WORKER, Need.PERSONAL_ADVISER):
        return opt.unallocated_penalty * COST_SCALE
    months_over = max(0, req.age_months - round(config.personal_adviser_from_age * 12))
    due = opt.personal_adviser_due_unallocated_penalty
    return (due + opt.personal_adviser_due_per_month_of_age * months_over) * COST_SCALE


def _skills_by_role(
    problem: Problem, capacities: tuple[WorkerCapacity, ...]
) -> dict[Role, frozenset[str]]:
    held: dict[Role, set[str]] = {role: set() for role in Role}
    for worker, cap in zip(problem.workers, capacities, strict=True):
        if cap.can_receive:
            held[worker.role] |= worker.skills
    return {role: frozenset(skills) for role, skills in held.items()}


def _sibling_groups(problem: Problem, demand: Demand) -> tuple[tuple[int, ...], ...]:
    groups: dict[str, list[int]] = defaultdict(list)
    for req in demand.requirements:
        group = problem.people[req.person].sibling_group
        if req.role is Role.SOCIAL_WORKER and group:
            groups[group].append(req.index)
    return tuple(tuple(members) for _, members in sorted(groups.items()) if len(members) > 1)
