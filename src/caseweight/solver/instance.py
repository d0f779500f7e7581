"""The optimiser's input: integers and index arrays, no DataFrames, no ids.

Every soft-rule price is turned here into an integer cost per (requirement,
candidate worker), in internal units of 1/``COST_SCALE`` penalty unit, so that
the model and the independent check (:mod:`caseweight.solution`) price a
proposal identically.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from caseweight.capacity import WorkerCapacity
from caseweight.config import BalancePiece, Config
from caseweight.demand import POINTS_SCALE, Demand, Need, Requirement
from caseweight.problem import Problem, Role
from caseweight.solver.costs import RoleCosts, hard_skills, role_costs
from caseweight.solver.units import COST_SCALE


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

    def capped(self, top: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """(size, cost) segments above and below the target for loads up to ``top``.

        The open-ended last segment above is closed at ``top``; segments of no
        size are left out. The model, the LP and the Lagrangian all use this.
        """
        return _fill_up(self.above, max(0, top - self.target)), _fill_up(self.below, self.target)


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
    #: per requirement: the current worker may keep them, so they are never left
    #: unallocated (contract rule 5: nobody is taken from a worker who can keep them)
    keepable: np.ndarray
    teams: tuple[str, ...] = ()  # per worker ('' when none)
    role_costs: dict[Role, RoleCosts] = field(default_factory=dict)  # every eligible pair
    skill_gaps: dict[int, tuple[str, ...]] = field(default_factory=dict)

    @property
    def n_workers(self) -> int:
        return len(self.capacities)

    def balances(self, worker: int) -> bool:
        """Workers who can hold cases carry a balance penalty; leavers do not."""
        return self.balance[worker] is not None

    def candidate_count(self, role: Role) -> int:
        """The (young person, candidate worker) pairs of ``role``: its LP's size."""
        costs = self.role_costs[role]
        return sum(len(self.candidates[int(r)]) for r in costs.requirements)


def balance_curve(capacity: int, config: Config, full_time: float | None = None) -> BalanceCurve:
    """The convex balance penalty of a worker with ``capacity`` tenths of a point.

    Segments are percentages of the worker's own capacity; each point in a
    segment costs ``slope`` per percentage point of a *full-time* capacity
    (``full_time`` points), so a part-timer's percentage weighs less and new
    young people spread to equal utilisation, not to equal penalty.
    """
    opt = config.optimiser
    if full_time is None:
        full_time = max(config.capacity.points_per_fte.values())
    target = round(capacity * config.capacity.target_utilisation)

    def segments(pieces: tuple[BalancePiece, ...], room: int | None) -> tuple[tuple[int, int], ...]:
        out = []
        for k, piece in enumerate(pieces):
            # cost per tenth of a point: slope per percentage point of this worker's capacity
            cost = round(piece.slope * 100 * COST_SCALE / (full_time * POINTS_SCALE))
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


def _fill_up(segments: tuple[tuple[int, int], ...], room: int) -> list[tuple[int, int]]:
    out = []
    for length, cost in segments:
        size = room if length < 0 else min(length, room)
        if size <= 0:
            break
        out.append((size, cost))
        room -= size
    return out


class PenaltyTable:
    """:func:`balance_penalty` for many workers, by bisection over each curve's segment ends.

    The same values, without a loop over segments: the hill climb prices
    millions of loads.
    """

    def __init__(self, curves: tuple[BalanceCurve | None, ...]) -> None:
        self.curves = [
            None if c is None else (c.target, _steps(c.above), _steps(c.below)) for c in curves
        ]

    def __call__(self, worker: int, load: int) -> int:
        curve = self.curves[worker]
        if curve is None:
            return 0
        target, above, below = curve
        excess = load - target
        ends, base, cost = above if excess >= 0 else below
        excess = abs(excess)
        k = bisect.bisect_left(ends, excess)
        start = ends[k - 1] if k else 0
        return base[k] + (excess - start) * cost[k]


#: The end of an open-ended segment.
_OPEN = 1 << 62


def _steps(segments: tuple[tuple[int, int], ...]) -> tuple[list[int], list[int], list[int]]:
    """Each segment's end, the penalty where it starts and its cost; past the last, no cost.

    (``balance_penalty`` charges nothing beyond the last closed segment either.)
    """
    ends: list[int] = []
    base: list[int] = []
    costs: list[int] = []
    end, penalty = 0, 0
    for length, cost in segments:
        base.append(penalty)
        costs.append(cost)
        if length < 0:  # open-ended: the last
            ends.append(_OPEN)
            return ends, base, costs
        end += length
        penalty += length * cost
        ends.append(end)
    ends.append(_OPEN)
    base.append(penalty)
    costs.append(0)
    return ends, base, costs


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
    hard, gaps = hard_skills(problem, demand, capacities)
    costs = {
        role: role_costs(problem, demand, capacities, config, role, hard, excluded, pinned)
        for role in Role
    }
    candidates: list[tuple[Candidate, ...]] = [() for _ in demand.requirements]
    rank = _lightness_rank(demand, capacities)
    outside = config.optimiser.candidates_outside_team
    for role_cost in costs.values():
        chosen = _sparse(problem, demand, role_cost, rank, outside)
        for i, r in enumerate(role_cost.requirements):
            candidates[int(r)] = tuple(
                Candidate(
                    worker=int(role_cost.workers[j]),
                    change_cost=int(role_cost.change[i, j]),
                    team_cost=int(role_cost.team[i, j]),
                    skill_cost=int(role_cost.skill[i, j]),
                )
                for j in chosen[i]
            )
    return Instance(
        requirements=demand.requirements,
        capacities=capacities,
        worker_roles=tuple(w.role for w in problem.workers),
        teams=tuple(w.team or "" for w in problem.workers),
        capacity=np.array([round(c.points * POINTS_SCALE) for c in capacities], dtype=np.int64),
        hard_limit=np.array(
            [round(c.hard_limit_points * POINTS_SCALE) for c in capacities], dtype=np.int64
        ),
        candidates=tuple(candidates),
        unallocated_cost=np.array(
            [_unallocated_cost(r, config) for r in demand.requirements], dtype=np.int64
        ),
        sibling_groups=_sibling_groups(problem, demand),
        sibling_cost=config.optimiser.sibling_split_penalty * COST_SCALE,
        balance=tuple(
            balance_curve(
                round(c.points * POINTS_SCALE),
                config,
                config.capacity.points_per_fte[problem.workers[c.worker_index].role.value],
            )
            if c.can_hold
            else None
            for c in capacities
        ),
        skill_gaps=gaps,
        role_costs=costs,
        keepable=_keepable(len(demand.requirements), costs),
    )


def _keepable(n: int, costs: dict[Role, RoleCosts]) -> np.ndarray:
    """Requirements whose current worker may hold them (eligible: not leaving, not excluded)."""
    out = np.zeros(n, dtype=bool)
    for role_cost in costs.values():
        rows = np.flatnonzero(role_cost.current >= 0)
        keep = role_cost.eligible[rows, role_cost.current[rows]]
        out[role_cost.requirements[rows[keep]]] = True
    return out


def _lightness_rank(demand: Demand, capacities: tuple[WorkerCapacity, ...]) -> np.ndarray:
    """Rank of each worker by utilisation before (lightest first; ties by index)."""
    load = np.zeros(len(capacities))
    for req in demand.requirements:
        if req.current_worker is not None:
            load[req.current_worker] += req.points
    room = np.array([max(c.points * POINTS_SCALE, 1e-9) for c in capacities])
    util = load / room
    order = np.lexsort((np.arange(len(util)), util))
    rank = np.empty(len(util), dtype=np.int64)
    rank[order] = np.arange(len(util))
    return rank


def _sparse(
    problem: Problem, demand: Demand, costs: RoleCosts, rank: np.ndarray, outside: int
) -> list[np.ndarray]:
    """Columns kept per row: current worker, siblings' workers, own team, lightest others.

    ``outside = 0`` keeps every eligible worker.
    """
    n, m = costs.eligible.shape
    if outside <= 0 or m == 0:
        return [np.flatnonzero(costs.eligible[i]) for i in range(n)]
    has_team = np.array(
        [bool(problem.people[demand.requirements[int(r)].person].team) for r in costs.requirements],
        dtype=bool,
    )
    core = (costs.team == 0) & has_team[:, None]  # the young person's own team
    rows = np.arange(n)
    has = costs.current >= 0
    core[rows[has], costs.current[has]] = True
    siblings: dict[str, set[int]] = defaultdict(set)
    for i, r in enumerate(costs.requirements):
        req = demand.requirements[int(r)]
        group = problem.people[req.person].sibling_group
        if group and costs.current[i] >= 0:
            siblings[group].add(int(costs.current[i]))
    for i, r in enumerate(costs.requirements):
        group = problem.people[demand.requirements[int(r)].person].sibling_group
        if group:
            core[i, list(siblings.get(group, ()))] = True
    core &= costs.eligible
    worker_rank = rank[costs.workers]
    others = np.where(costs.eligible & ~core, worker_rank[None, :], np.iinfo(np.int64).max)
    k = min(outside, m)
    best = np.argpartition(others, k - 1, axis=1)[:, :k] if k < m else np.tile(np.arange(m), (n, 1))
    keep = core.copy()
    picked = np.take_along_axis(others, best, axis=1) < np.iinfo(np.int64).max
    keep[rows[:, None].repeat(best.shape[1], 1)[picked], best[picked]] = True
    return [np.flatnonzero(keep[i]) for i in range(n)]


def _unallocated_cost(req: Requirement, config: Config) -> int:
    opt = config.optimiser
    if req.need in (Need.SOCIAL_WORKER, Need.PERSONAL_ADVISER):
        return opt.unallocated_penalty * COST_SCALE
    months_over = max(0, req.age_months - round(config.personal_adviser_from_age * 12))
    due = opt.personal_adviser_due_unallocated_penalty
    return (due + opt.personal_adviser_due_per_month_of_age * months_over) * COST_SCALE


def _sibling_groups(problem: Problem, demand: Demand) -> tuple[tuple[int, ...], ...]:
    groups: dict[str, list[int]] = defaultdict(list)
    for req in demand.requirements:
        group = problem.people[req.person].sibling_group
        if req.role is Role.SOCIAL_WORKER and group:
            groups[group].append(req.index)
    return tuple(tuple(members) for _, members in sorted(groups.items()) if len(members) > 1)
