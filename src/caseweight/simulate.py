"""What a policy does to stability over a year: twelve monthly cycles, approved each month.

The world is built once and shared by every policy (same seed, same world):
the forecast's cohort month by month (:mod:`caseweight.cohort`), the HR feed,
and the staffing events drawn at the national rates of ``docs/domain.md``
(:class:`Staffing`): permanent leavers, each post covered by an agency worker
after a gap until a permanent starter takes it over, and long-term absences.
Each policy then allocates every month and its proposal is approved: the
next month starts from it.

Policies: caseweight's optimiser with the config (and with another change
penalty); "by hand" as issue 5 puts it (keep every current worker who can
still hold the young person, give each young person needing a worker to the
least-loaded worker with room, whether or not that worker is about to go);
the same with the config's rule that a worker about to leave or go on
long-term absence receives nobody new; and "by hand, managing caseloads" (with
that rule; then cases are moved off any worker above a utilisation threshold,
the most recently allocated first). See ``docs/simulate.md``.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from caseweight.capacity import WorkerCapacity, capacities
from caseweight.config import Config, config_to_dict
from caseweight.demand import Demand, build_demand
from caseweight.hr import apply_hr_changes
from caseweight.problem import Problem, Role, Status, YoungPerson
from caseweight.simulate_by_hand import NOBODY, _Recency, by_hand, ignoring_notice, shed_load
from caseweight.simulate_world import (
    ABSENCE,
    ABSENCES,
    DEFAULT_GRADE,
    MATERNITY,
    SIMULATED,
    TURNOVER_PER_YEAR,
    Staffing,
    World,
    build_world,
    staffing_events,
)
from caseweight.weighting import score_people

__all__ = [
    "ABSENCE",
    "ABSENCES",
    "BY_HAND",
    "BY_HAND_MANAGING",
    "BY_HAND_NOTICE",
    "DEFAULT_GRADE",
    "MATERNITY",
    "NOBODY",
    "SIMULATED",
    "TURNOVER_PER_YEAR",
    "Policy",
    "PolicyResult",
    "Staffing",
    "World",
    "build_world",
    "by_hand",
    "ignoring_notice",
    "month_figures",
    "run_policy",
    "shed_load",
    "staffing_events",
]

#: Utilisation the probation workload tool calls excessive (above 110% for four weeks).
EXCESSIVE = 1.10

BY_HAND = "by hand"
BY_HAND_MANAGING = "by hand, managing caseloads"
BY_HAND_NOTICE = "by hand, nobody new to leavers"


@dataclass(frozen=True)
class Policy:
    """``change_penalty`` set: caseweight; else by hand, managing above ``shed_above``.

    ``notice_rule``: a policy by hand applies the config's rule that a worker
    about to leave or go on long-term absence receives nobody new (caseweight
    always does; the issue's "by hand" does not).
    """

    name: str
    change_penalty: int | None = None
    shed_above: float | None = None
    notice_rule: bool = False


@dataclass
class PolicyResult:
    name: str
    months: list[dict[str, float]] = field(default_factory=list)
    year: dict[str, float] = field(default_factory=dict)
    #: Every change: (month, person_id, role, from worker_id, to worker_id, chosen).
    moves: list[tuple[int, str, str, str, str, bool]] = field(default_factory=list)


def run_policy(world: World, policy: Policy, time_limit: float | None = None) -> PolicyResult:
    """Twelve (or ``len(world.days)``) monthly cycles of ``policy``, each approved."""
    config = world.config
    if policy.change_penalty is not None:
        data = config_to_dict(config)
        data["optimiser"]["change_penalty"] = policy.change_penalty
        config = Config.from_dict(data)
    state = _State.start(world.cohorts[0])
    result = PolicyResult(policy.name)
    for month, (day, cohort) in enumerate(zip(world.days, world.cohorts, strict=True)):
        base = Problem(as_of=day, people=(), workers=world.workers)
        staff = apply_hr_changes(base, world.known_on(day))
        problem = dataclasses.replace(staff, people=state.people(cohort, staff))
        caps = capacities(problem, config)
        recency = state.recency(problem, month, world.seed)
        demand, assignment, cut_short = _allocate(
            problem, caps, config, policy, recency, time_limit
        )
        figures = month_figures(problem, demand, caps, assignment, config)
        result.months.append(figures | {"cut_short": int(cut_short)})
        state.approve(problem, demand, caps, assignment, month)
    result.year = state.year_figures()
    result.moves = state.moves
    return result


def _allocate(
    problem: Problem,
    caps: Sequence[WorkerCapacity],
    config: Config,
    policy: Policy,
    recency: _Recency,
    time_limit: float | None,
) -> tuple[Demand, np.ndarray, bool]:
    """One month's approved allocation under ``policy``, and whether the solver was cut short."""
    if policy.change_penalty is not None:
        from caseweight.pipeline import propose

        proposal = propose(problem, config, time_limit, root_bound=False)
        return proposal.demand, np.asarray(proposal.assignment), not proposal.result.repeatable
    demand = build_demand(problem, score_people(problem, config), config)
    if not policy.notice_rule:
        caps = ignoring_notice(problem, caps)
    assignment = by_hand(problem, demand, caps, policy.shed_above)
    if policy.shed_above is not None:
        assignment = shed_load(
            problem, demand, caps, assignment, policy.shed_above, recency.of(demand, assignment)
        )
    return demand, assignment, False


@dataclass
class _State:
    """Each young person's workers now, every worker they had this year, and their changes."""

    current: dict[str, dict[Role, str]]
    seen: dict[str, dict[Role, set[str]]]
    changes: dict[tuple[str, Role], int] = field(default_factory=lambda: defaultdict(int))
    chosen: dict[tuple[str, Role], int] = field(default_factory=lambda: defaultdict(int))
    since: dict[tuple[str, Role], int] = field(default_factory=dict)
    moves: list[tuple[int, str, str, str, str, bool]] = field(default_factory=list)

    @classmethod
    def start(cls, people: Sequence[YoungPerson]) -> _State:
        state = cls({}, defaultdict(lambda: defaultdict(set)))
        for p in people:
            held = {r: p.current_worker(r) for r in Role}
            state.current[p.person_id] = {r: w for r, w in held.items() if w}
            for role, worker in state.current[p.person_id].items():
                state.seen[p.person_id][role].add(worker)
        return state

    def people(self, cohort: Sequence[YoungPerson], staff: Problem) -> tuple[YoungPerson, ...]:
        """``cohort`` holding this policy's workers, changes and previous workers."""
        out = []
        for p in cohort:
            held = self.current.get(p.person_id, {})
            valid = {
                r: w
                for r, w in held.items()
                if w in staff.worker_index and staff.workers[staff.worker_index[w]].role is r
            }
            if p.status is Status.CARE_LEAVER:
                valid.pop(Role.SOCIAL_WORKER, None)
            seen = self.seen.get(p.person_id, {})
            known = set().union(*seen.values()) | p.previous_workers
            changes = sum(self.changes.get((p.person_id, r), 0) for r in Role)
            out.append(
                dataclasses.replace(
                    p,
                    current_social_worker=valid.get(Role.SOCIAL_WORKER),
                    current_personal_adviser=valid.get(Role.PERSONAL_ADVISER),
                    worker_changes_12m=p.worker_changes_12m + changes,
                    previous_workers=frozenset(known - set(valid.values())),
                )
            )
        return tuple(out)

    def recency(self, problem: Problem, month: int, seed: int) -> _Recency:
        return _Recency(self.since, tuple(p.person_id for p in problem.people), month, seed)

    def approve(
        self,
        problem: Problem,
        demand: Demand,
        caps: Sequence[WorkerCapacity],
        assignment: np.ndarray,
        month: int = 0,
    ) -> None:
        """The month's allocation is approved: count changes, forced (worker gone) or chosen."""
        now: dict[str, dict[Role, str]] = defaultdict(dict)
        for req in demand.requirements:
            person = problem.people[req.person].person_id
            worker = int(assignment[req.index])
            if worker == NOBODY:
                continue
            worker_id = problem.workers[worker].worker_id
            now[person][req.role] = worker_id
            key = (person, req.role)
            if req.current_worker != worker:
                self.since[key] = month
            if req.current_worker is not None and req.current_worker != worker:
                chosen = caps[req.current_worker].can_hold
                self.changes[key] += 1
                self.chosen[key] += int(chosen)
                was = problem.workers[req.current_worker].worker_id
                self.moves.append((month, person, req.role.value, was, worker_id, chosen))
            self.seen[person][req.role].add(worker_id)
        self.current = dict(now)

    def year_figures(self) -> dict[str, float]:
        """Changes (all, chosen, repeats) and the shares with 2 and 3+ workers per role."""
        out: dict[str, float] = {
            "changes": float(sum(self.changes.values())),
            "changes_chosen": float(sum(self.chosen.values())),
            "repeat_changes": float(sum(max(0, c - 1) for c in self.changes.values())),
        }
        for role, short in ((Role.SOCIAL_WORKER, "SW"), (Role.PERSONAL_ADVISER, "PA")):
            people = [p for p, s in self.seen.items() if s.get(role)]
            counts = np.array([len(self.seen[p][role]) for p in people])
            held = max(1, counts.size)
            mine = [(k, c) for k, c in self.changes.items() if k[1] is role]
            out[f"{short}_changes"] = float(sum(c for _, c in mine))
            out[f"{short}_changes_chosen"] = float(sum(self.chosen.get(k, 0) for k, _ in mine))
            out[f"{short}_share_2"] = round(float(np.sum(counts == 2)) / held, 4)
            out[f"{short}_share_3plus"] = round(float(np.sum(counts >= 3)) / held, 4)
            out[f"{short}_3plus_chosen"] = float(
                sum(1 for p, n in zip(people, counts, strict=True)
                    if n >= 3 and self.chosen.get((p, role), 0) > 0)
            )  # fmt: skip
        return out


def month_figures(
    problem: Problem,
    demand: Demand,
    caps: Sequence[WorkerCapacity],
    assignment: np.ndarray,
    config: Config,
) -> dict[str, float]:
    """Changes, unallocated, 16-17s without a PA and utilisation of one approved month."""
    load = np.zeros(len(caps))
    with_pa = set()
    changes = chosen = unallocated = 0
    for req in demand.requirements:
        worker = int(assignment[req.index])
        if worker == NOBODY:
            unallocated += 1
            continue
        load[worker] += req.points_value
        if req.current_worker is not None and req.current_worker != worker:
            changes += 1
            chosen += int(caps[req.current_worker].can_hold)
        if req.role is Role.PERSONAL_ADVISER:
            with_pa.add(req.person)
    out: dict[str, float] = {
        "changes": changes,
        "changes_chosen": chosen,
        "unallocated": unallocated,
        "in_care_16_17_without_pa": sum(
            1
            for i, p in enumerate(problem.people)
            if problem.treated_as(p) is Status.IN_CARE
            and 16 <= problem.age(p) <= 17
            and i not in with_pa
        ),
    }
    target = config.capacity.target_utilisation
    for role, short in ((Role.SOCIAL_WORKER, "SW"), (Role.PERSONAL_ADVISER, "PA")):
        held = [w for w, c in enumerate(caps) if c.can_hold and problem.workers[w].role is role]
        util = np.array([load[w] / caps[w].points for w in held]) if held else np.zeros(1)
        out[f"{short}_max_utilisation"] = round(float(util.max()), 4)
        out[f"{short}_mean_utilisation"] = round(float(util.mean()), 4)
        out[f"{short}_over_target"] = int(np.sum(util > target + 1e-9))
        out[f"{short}_over_110"] = int(np.sum(util > EXCESSIVE + 1e-9))
        out[f"{short}_over_hard_limit"] = int(np.sum(util > config.capacity.hard_limit + 1e-9))
    return out
