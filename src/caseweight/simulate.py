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
least-loaded worker with room); and "by hand, managing caseloads" (the same,
then cases are moved off any worker above a utilisation threshold, the most
recently allocated first). See ``docs/simulate.md``.
"""

from __future__ import annotations

import dataclasses
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise

import numpy as np

from caseweight.capacity import WorkerCapacity, capacities
from caseweight.cohort import CohortSettings, EntryPool, entries_per_month, teams_of
from caseweight.cohort import step as cohort_step
from caseweight.config import Config, config_to_dict
from caseweight.demand import Demand, Requirement, build_demand
from caseweight.hr import ChangeKind, HRChange, apply_hr_changes
from caseweight.problem import Problem, Role, Status, Worker, YoungPerson, add_months
from caseweight.weighting import score_people

BY_HAND = "by hand"
BY_HAND_MANAGING = "by hand, managing caseloads"
NOBODY = -1
TURNOVER_PER_YEAR = 0.159  # DfE workforce 2023
DEFAULT_GRADE = {Role.SOCIAL_WORKER: "social_worker", Role.PERSONAL_ADVISER: "personal_adviser"}
ABSENCE = "long-term absence (simulated)"
SIMULATED = "simulation"


@dataclass(frozen=True)
class Staffing:
    """Rates the world's staffing events are drawn at.

    From the DfE workforce figures in ``docs/domain.md`` (30 September 2023):
    ``turnover`` 15.9% of permanent staff leave a year, ``agency_share``
    17.8% of posts are held by agency workers, ``vacancy_rate`` 18.9%. Agency
    workers cover vacancies (the two rates are about equal), so a vacancy lasts
    ``vacancy_rate / (turnover x (1 - vacancy_rate))`` years on average (17.6
    months): an agency cover ends, and a permanent starter takes the post over,
    at one over that a month. The gap before cover starts and the long-term
    absences (maternity, long-term sickness: a 100% reduction) have no national
    figure: ``cover_gap_months``, ``absences_per_year`` and ``absence_months``
    are assumptions, documented in ``docs/simulate.md``; 0 switches them off.
    """

    turnover: float = TURNOVER_PER_YEAR
    agency_share: float = 0.178
    vacancy_rate: float = 0.189
    cover_gap_months: int = 1
    absences_per_year: float = 0.04
    absence_months: tuple[int, int] = (3, 9)
    notice_months: int = 0  # how long before a simulated leaver goes the policies know

    def cover_end_chance(self) -> float:
        """Monthly chance an agency cover ends (a permanent starter takes the post)."""
        if self.turnover <= 0 or self.vacancy_rate <= 0:
            return 0.0
        months = 12 * self.vacancy_rate / (self.turnover * (1 - self.vacancy_rate))
        return min(1.0, 1 / months)


def monthly(per_year: float) -> float:
    """The monthly chance of an event happening ``per_year`` of the time in a year."""
    return 1.0 - (1.0 - min(per_year, 1.0)) ** (1 / 12)


@dataclass(frozen=True)
class World:
    """What happens regardless of policy: the cohort each month, workers and HR events."""

    days: tuple[date, ...]
    cohorts: tuple[tuple[YoungPerson, ...], ...]
    workers: tuple[Worker, ...]
    hr: tuple[HRChange, ...]
    config: Config
    agency: frozenset[str] = frozenset()
    seed: int = 0
    notice_months: int = 0

    def known_on(self, day: date) -> tuple[HRChange, ...]:
        """The HR rows a policy knows on ``day``: the feed (the authority's plan) and the
        simulated events once they happen (a leaver ``notice_months`` before)."""
        return tuple(
            c for c in self.hr if c.file != SIMULATED or _known_from(c, self.notice_months) <= day
        )


def _known_from(change: HRChange, notice_months: int) -> date:
    if change.kind is ChangeKind.LEAVER:
        return add_months(change.effective_from, -notice_months)
    return change.effective_from


@dataclass(frozen=True)
class Policy:
    """``change_penalty`` set: caseweight; else by hand, managing above ``shed_above``."""

    name: str
    change_penalty: int | None = None
    shed_above: float | None = None


@dataclass
class PolicyResult:
    name: str
    months: list[dict[str, float]] = field(default_factory=list)
    year: dict[str, float] = field(default_factory=dict)
    #: Every change: (month, person_id, role, from worker_id, to worker_id, chosen).
    moves: list[tuple[int, str, str, str, str, bool]] = field(default_factory=list)


def build_world(
    problem: Problem,
    hr: Sequence[HRChange],
    config: Config,
    months: int = 12,
    settings: CohortSettings | None = None,
    turnover: float = TURNOVER_PER_YEAR,
    seed: int = 0,
    staffing: Staffing | None = None,
) -> World:
    """The shared world of a simulation starting at ``problem.as_of`` (before the HR feed).

    ``turnover`` overrides ``staffing.turnover``. The cohort is drawn first and
    the staffing events after, from one generator seeded with ``seed``.
    """
    settings = settings or CohortSettings()
    staffing = dataclasses.replace(staffing or Staffing(), turnover=turnover)
    rng = np.random.default_rng(seed)
    days = tuple(add_months(problem.as_of, m) for m in range(months))
    people = list(problem.people)
    entries = entries_per_month(people, problem.as_of, settings)
    pool = EntryPool(problem.as_of, seed, teams_of(people)) if entries > 0 else None
    cohorts = [tuple(people)]
    for start, end in pairwise(days):
        people, _ = cohort_step(people, start, end, settings, rng, pool, entries)
        cohorts.append(tuple(people))
    events, agency = staffing_events(problem.workers, hr, days, staffing, rng)
    return World(
        days,
        tuple(cohorts),
        problem.workers,
        tuple(hr) + events,
        config,
        agency,
        seed,
        staffing.notice_months,
    )


@dataclass
class _Post:
    worker_id: str
    role: Role
    team: str | None
    agency: bool
    busy_until: int = 0  # no event is drawn before this month (starting, or absent)

    def filled(self, worker_id: str, agency: bool, start: int) -> None:
        """A new worker holds the post from month ``start``."""
        self.worker_id, self.agency, self.busy_until = worker_id, agency, start + 1


def staffing_events(
    workers: Sequence[Worker],
    hr: Sequence[HRChange],
    days: Sequence[date],
    staffing: Staffing,
    rng: np.random.Generator,
) -> tuple[tuple[HRChange, ...], frozenset[str]]:
    """Leavers, agency covers, permanent starters and absences; and every agency worker.

    Each month, each post in use draws one event: a permanent worker leaves (the
    post is covered by an agency worker ``cover_gap_months`` later) or starts a
    long-term absence; an agency cover ends and a permanent starter takes the
    post the same day. Workers the feed or the workers file already has leaving
    are not replaced (the HR feed is the authority's plan).
    """
    leaving = {c.worker_id for c in hr if c.kind is ChangeKind.LEAVER}
    posts = [
        _Post(w.worker_id, w.role, w.team, bool(rng.random() < staffing.agency_share))
        for w in workers
        if w.leaving_on is None and w.worker_id not in leaving
    ]
    agency = {p.worker_id for p in posts if p.agency}
    leave, absent = monthly(staffing.turnover), monthly(staffing.absences_per_year)
    cover_ends = staffing.cover_end_chance()
    low, high = staffing.absence_months
    events: list[HRChange] = []
    for m, day in enumerate(days[1:], start=1):
        for k, post in enumerate(posts):
            if post.busy_until > m:
                continue
            draw = rng.random()
            if post.agency and draw < cover_ends:
                events.append(_event(post.worker_id, ChangeKind.LEAVER, day))
                post.filled(f"SIM-P{m:02d}-{k:03d}", False, m)
                events.append(_starter(post, day))
            elif not post.agency and draw < leave:
                events.append(_event(post.worker_id, ChangeKind.LEAVER, day))
                start = m + staffing.cover_gap_months
                post.filled(f"SIM-A{m:02d}-{k:03d}", True, start)
                agency.add(post.worker_id)
                events.append(_starter(post, add_months(days[0], start)))
            elif not post.agency and draw < leave + absent:
                length = int(rng.integers(low, high + 1))
                back = add_months(days[0], m + length)
                events.append(_absence(post.worker_id, day, back - timedelta(days=1)))
                post.busy_until = m + length + 1
    return tuple(events), frozenset(agency)


def _event(worker_id: str, kind: ChangeKind, day: date) -> HRChange:
    return HRChange(worker_id, kind, day, None, None, "simulated turnover", SIMULATED, 0)


def _starter(post: _Post, day: date) -> HRChange:
    reason = "agency cover (simulated)" if post.agency else "permanent starter (simulated)"
    return dataclasses.replace(
        _event(post.worker_id, ChangeKind.STARTER, day),
        reason=reason,
        role=post.role,
        team=post.team,
        grade=DEFAULT_GRADE[post.role],
    )


def _absence(worker_id: str, start: date, end: date) -> HRChange:
    return HRChange(worker_id, ChangeKind.REDUCTION, start, end, "100", ABSENCE, SIMULATED, 0)


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

        proposal = propose(problem, config, time_limit)
        return proposal.demand, np.asarray(proposal.assignment), not proposal.result.repeatable
    demand = build_demand(problem, score_people(problem, config), config)
    assignment = by_hand(problem, demand, caps, policy.shed_above)
    if policy.shed_above is not None:
        assignment = shed_load(
            problem, demand, caps, assignment, policy.shed_above, recency.of(demand, assignment)
        )
    return demand, assignment, False


@dataclass(frozen=True)
class _Recency:
    """When each young person got their current worker of a role (month; -1 before the start)."""

    since: dict[tuple[str, Role], int]
    people: tuple[str, ...]
    month: int
    seed: int

    def of(self, demand: Demand, assignment: np.ndarray) -> list[tuple[int, int]]:
        """Per requirement: (month allocated, a seeded tie-break); new this month is latest.

        Who had their worker first is not in the cases file: ties (everyone held
        before the start, everyone allocated the same month) are broken by a
        seeded hash of the person and role, the same for every policy.
        """
        out = []
        for req in demand.requirements:
            person = self.people[req.person]
            kept = req.current_worker is not None and assignment[req.index] == req.current_worker
            month = self.since.get((person, req.role), -1) if kept else self.month
            out.append((month, zlib.crc32(f"{self.seed}:{person}:{req.role}".encode())))
        return out


def by_hand(
    problem: Problem,
    demand: Demand,
    caps: Sequence[WorkerCapacity],
    prefer_below: float | None = None,
) -> np.ndarray:
    """Keep current workers who can hold; each other young person to the least-loaded worker.

    With ``prefer_below`` (a utilisation: the managing policy), as a team
    manager: the least-loaded worker of the young person's team who stays within
    it, else within the hard limit; only then the rest of the authority, the
    same way (:func:`receiver`).
    """
    load = np.zeros(len(caps))
    cases = np.zeros(len(caps), dtype=int)
    assignment = np.full(len(demand.requirements), NOBODY, dtype=np.int64)
    waiting = []
    for req in demand.requirements:
        current = req.current_worker
        if current is not None and caps[current].can_hold:
            assignment[req.index] = current
            load[current] += req.points_value
            cases[current] += 1
        else:
            waiting.append(req)
    for req in waiting:
        if prefer_below is None:
            best = least_loaded(problem, caps, load, cases, req)
        else:
            best = receiver(problem, caps, load, cases, req, (prefer_below, None))
        if best != NOBODY:
            assignment[req.index] = best
            load[best] += req.points_value
            cases[best] += 1
    return assignment


def least_loaded(
    problem: Problem,
    caps: Sequence[WorkerCapacity],
    load: np.ndarray,
    cases: np.ndarray,
    req: Requirement,
    up_to: float | None = None,
    besides: int = NOBODY,
    team: str | None = None,
) -> int:
    """The least-utilised worker of the role (other than ``besides``, of ``team`` if given)
    who can take ``req`` and stay within the hard limit, and within ``up_to`` x capacity."""
    best, best_util = NOBODY, np.inf
    for w, cap in enumerate(caps):
        worker = problem.workers[w]
        if w == besides or worker.role is not req.role or not cap.can_receive:
            continue
        if team is not None and worker.team != team:
            continue
        limit = cap.hard_limit_points
        if up_to is not None:
            limit = min(limit, up_to * cap.points)
        if load[w] + req.points_value > limit + 1e-9:
            continue
        if cap.max_cases is not None and cases[w] >= cap.max_cases:
            continue
        if load[w] / cap.points < best_util:
            best, best_util = w, load[w] / cap.points
    return best


def receiver(
    problem: Problem,
    caps: Sequence[WorkerCapacity],
    load: np.ndarray,
    cases: np.ndarray,
    req: Requirement,
    limits: tuple[float | None, ...],
    besides: int = NOBODY,
) -> int:
    """A team manager's choice: the least-loaded worker of the young person's team within
    each of ``limits`` in turn (``None``: the hard limit), then of the whole authority."""
    team = problem.people[req.person].team
    for scope in (team, None) if team else (None,):
        for up_to in limits:
            best = least_loaded(problem, caps, load, cases, req, up_to, besides, scope)
            if best != NOBODY:
                return best
    return NOBODY


def shed_load(
    problem: Problem,
    demand: Demand,
    caps: Sequence[WorkerCapacity],
    assignment: np.ndarray,
    shed_above: float,
    recency: Sequence[tuple[int, int]],
) -> np.ndarray:
    """Move cases off every worker above ``shed_above`` x capacity, as a manager by hand.

    The fullest worker first; their cases last in, first out (the most recently
    allocated first, whatever the young person's history), each to the
    least-loaded worker who stays within ``shed_above`` (of the young person's
    team first), until the worker is within it or nobody can take a case.
    """
    assignment = assignment.copy()
    load = np.zeros(len(caps))
    cases = np.zeros(len(caps), dtype=int)
    held: dict[int, list[Requirement]] = defaultdict(list)
    for req in demand.requirements:
        w = int(assignment[req.index])
        if w != NOBODY:
            load[w] += req.points_value
            cases[w] += 1
            held[w].append(req)
    fullest = sorted(held, key=lambda w: -load[w] / caps[w].points)
    for w in fullest:
        ceiling = shed_above * caps[w].points
        for req in sorted(held[w], key=lambda r: recency[r.index], reverse=True):
            if load[w] <= ceiling + 1e-9:
                break
            to = receiver(problem, caps, load, cases, req, (shed_above,), besides=w)
            if to == NOBODY:
                continue
            assignment[req.index] = to
            load[w] -= req.points_value
            load[to] += req.points_value
            cases[w] -= 1
            cases[to] += 1
    return assignment


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
        out[f"{short}_over_hard_limit"] = int(np.sum(util > config.capacity.hard_limit + 1e-9))
    return out
