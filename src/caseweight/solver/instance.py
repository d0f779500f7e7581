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
from caseweight.config import BalancePiece, Config
from caseweight.demand import POINTS_SCALE, Demand, Need, Requirement
from caseweight.problem import Problem, Role

#: Internal cost unit: a thousandth of a penalty unit.
COST_SCALE = 1000


@dataclass(frozen=True)
class BalanceCurve:
    """A worker's convex balance penalty as segments of load either side of the target.

    Each segment is (length in tenths of a point, cost per tenth of a point);
    the last segment above the target has no end (``length = -1``). Loads fill
    segments outward from the target, so the penalty is zero on target and
    rises ever more steeply away from it.
    """

    target: int
    above: tuple[tuple[int, int], ...]
    below: tuple[tuple[int, int], ...]


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
    balance: tuple[BalanceCurve | None, ...]  # per worker; None: holds nobody
    teams: tuple[str, ...] = ()  # per worker ('' when none)
    skill_gaps: dict[int, tuple[str, ...]] = field(default_factory=dict)

    @property
    def n_workers(self) -> int:
        return len(self.capacities)

    def balances(self, worker: int) -> bool:
        """Workers who can hold cases carry a balance penalty; leavers do not."""
        return self.balance[worker] is not None


def balance_curve(capacity: int, config: Config) -> BalanceCurve:
    """The convex balance penalty of a worker with ``capacity`` tenths of a point."""
    opt = config.optimiser
    target = round(capacity * config.capacity.target_utilisation)

    def segments(pieces: tuple[BalancePiece, ...], room: int | None) -> tuple[tuple[int, int], ...]:
        out = []
        for k, piece in enumerate(pieces):
            # cost per tenth of a point: slope per percentage point of this worker's capacity
            cost = round(piece.slope * 100 * COST_SCALE / capacity)
            if k + 1 < len(pieces):
                length = round((pieces[k + 1].beyond - piece.beyond) * capacity / 100)
            else:
                length = -1
            if room is not None:
                length = room if length < 0 else min(length, room)
                room -= length
            out.append((length, cost))
            if room == 0:
                break
        return tuple(out)

    return BalanceCurve(
        target=target,
        above=segments(opt.balance_above_target, None),
        below=segments(opt.balance_below_target, target),
    )


def balance_penalty(load: int, curve: BalanceCurve) -> int:
    """The balance penalty of ``load``: fill segments outward from the target."""
    excess = load - curve.target
    segments = curve.above if excess >= 0 else curve.below
    left, penalty = abs(excess), 0
    for length, cost in segments:
        take = left if length < 0 else min(left, length)
        penalty += take * cost
        left -= take
        if left == 0:
            break
    return penalty


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
    by_lightness = _workers_by_lightness(demand, capacities)
    sibling_workers = _sibling_current_workers(problem, demand)
    outside = config.optimiser.candidates_outside_team
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
        keep = sibling_workers.get(problem.people[req.person].sibling_group or "", set())
        candidates.append(_sparse(options, req, person.team, problem, by_lightness, outside, keep))
    return Instance(
        requirements=demand.requirements,
        capacities=capacities,
        worker_roles=tuple(w.role for w in problem.workers),
        teams=tuple(w.team or "" for w in problem.workers),
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
        balance=tuple(
            balance_curve(round(c.points * POINTS_SCALE), config) if c.can_hold else None
            for c in capacities
        ),
        skill_gaps=gaps,
    )


def _workers_by_lightness(demand: Demand, capacities: tuple[WorkerCapacity, ...]) -> dict[int, int]:
    """Rank of each worker by utilisation before (lightest first; ties by index)."""
    load = np.zeros(len(capacities))
    for req in demand.requirements:
        if req.current_worker is not None:
            load[req.current_worker] += req.points
    util = [load[w] / max(c.points * POINTS_SCALE, 1e-9) for w, c in enumerate(capacities)]
    order = sorted(range(len(capacities)), key=lambda w: (util[w], w))
    return {w: rank for rank, w in enumerate(order)}


def _sibling_current_workers(problem: Problem, demand: Demand) -> dict[str, set[int]]:
    held: dict[str, set[int]] = defaultdict(set)
    for req in demand.requirements:
        group = problem.people[req.person].sibling_group
        if group and req.role is Role.SOCIAL_WORKER and req.current_worker is not None:
            held[group].add(req.current_worker)
    return held


def _sparse(
    options: list[Candidate],
    req: Requirement,
    team: str | None,
    problem: Problem,
    rank: dict[int, int],
    outside: int,
    keep: set[int],
) -> tuple[Candidate, ...]:
    """Current worker, siblings' workers, the team's workers, and the lightest others.

    ``outside = 0`` keeps every eligible worker.
    """
    if outside <= 0:
        return tuple(options)
    core, others = [], []
    for option in options:
        w = option.worker
        in_team = team is not None and problem.workers[w].team == team
        (core if w == req.current_worker or w in keep or in_team else others).append(option)
    others.sort(key=lambda o: rank[o.worker])
    chosen = core + others[:outside]
    return tuple(sorted(chosen, key=lambda o: o.worker))


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
