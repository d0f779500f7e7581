"""What a policy does to stability over a year: twelve monthly cycles, approved each month.

The world is built once and shared by every policy: the forecast's cohort
month by month (:mod:`caseweight.cohort`), the HR feed, and staff turnover
(about 16% a year nationally: leavers drawn each month, each replaced by a
starter of the same role and team a month later). Each policy then allocates
every month and its proposal is approved: the next month starts from it.

Policies: caseweight's optimiser with the config; the optimiser with another
change penalty; and "by hand" (keep every current worker who can still hold
the young person, give each young person needing a worker to the
least-loaded worker of the role with room under the hard limit).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise

import numpy as np

from caseweight.capacity import WorkerCapacity, capacities
from caseweight.cohort import CohortSettings, EntryPool, entries_per_month, teams_of
from caseweight.cohort import step as cohort_step
from caseweight.config import Config, config_to_dict
from caseweight.demand import Demand, build_demand
from caseweight.hr import ChangeKind, HRChange, apply_hr_changes
from caseweight.problem import Problem, Role, Status, Worker, YoungPerson, add_months
from caseweight.weighting import score_people

BY_HAND = "by hand"
NOBODY = -1
TURNOVER_PER_YEAR = 0.16
DEFAULT_GRADE = {Role.SOCIAL_WORKER: "social_worker", Role.PERSONAL_ADVISER: "personal_adviser"}


@dataclass(frozen=True)
class World:
    """What happens regardless of policy: the cohort each month, workers and HR events."""

    days: tuple[date, ...]
    cohorts: tuple[tuple[YoungPerson, ...], ...]
    workers: tuple[Worker, ...]
    hr: tuple[HRChange, ...]
    config: Config


@dataclass(frozen=True)
class Policy:
    name: str
    change_penalty: int | None = None  # None: by hand


@dataclass
class PolicyResult:
    name: str
    months: list[dict[str, float]] = field(default_factory=list)
    year: dict[str, float] = field(default_factory=dict)


def build_world(
    problem: Problem,
    hr: Sequence[HRChange],
    config: Config,
    months: int = 12,
    settings: CohortSettings | None = None,
    turnover: float = TURNOVER_PER_YEAR,
    seed: int = 0,
) -> World:
    """The shared world of a simulation starting at ``problem.as_of`` (before the HR feed)."""
    settings = settings or CohortSettings()
    rng = np.random.default_rng(seed)
    days = tuple(add_months(problem.as_of, m) for m in range(months))
    people = list(problem.people)
    entries = entries_per_month(people, problem.as_of, settings)
    pool = EntryPool(problem.as_of, seed, teams_of(people)) if entries > 0 else None
    cohorts = [tuple(people)]
    for start, end in pairwise(days):
        people, _ = cohort_step(people, start, end, settings, rng, pool, entries)
        cohorts.append(tuple(people))
    events = _turnover(problem.workers, hr, days, turnover, rng)
    return World(days, tuple(cohorts), problem.workers, tuple(hr) + events, config)


def _turnover(
    workers: Sequence[Worker],
    hr: Sequence[HRChange],
    days: Sequence[date],
    per_year: float,
    rng: np.random.Generator,
) -> tuple[HRChange, ...]:
    """Leavers each month at the national rate, each replaced a month later."""
    chance = 1.0 - (1.0 - per_year) ** (1 / 12)
    leaving = {c.worker_id for c in hr if c.kind is ChangeKind.LEAVER}
    staying = [w for w in workers if w.leaving_on is None and w.worker_id not in leaving]
    events: list[HRChange] = []
    for m, day in enumerate(days[1:], start=1):
        going = [w for w in staying if rng.random() < chance]
        staying = [w for w in staying if w not in going]
        for k, worker in enumerate(going):
            events.append(_event(worker.worker_id, ChangeKind.LEAVER, day))
            starter = _event(f"R{m:02d}{k:02d}", ChangeKind.STARTER, add_months(days[0], m + 1))
            starter = dataclasses.replace(
                starter, role=worker.role, team=worker.team, grade=DEFAULT_GRADE[worker.role]
            )
            events.append(starter)
    return tuple(events)


def _event(worker_id: str, kind: ChangeKind, day: date) -> HRChange:
    return HRChange(worker_id, kind, day, None, None, "simulated turnover", "simulation", 0)


def run_policy(world: World, policy: Policy, time_limit: float | None = None) -> PolicyResult:
    """Twelve (or ``len(world.days)``) monthly cycles of ``policy``, each approved."""
    from caseweight.pipeline import propose

    config = world.config
    if policy.change_penalty is not None:
        data = config_to_dict(config)
        data["optimiser"]["change_penalty"] = policy.change_penalty
        config = Config.from_dict(data)
    state = _State.start(world.cohorts[0])
    result = PolicyResult(policy.name)
    for day, cohort in zip(world.days, world.cohorts, strict=True):
        base = Problem(as_of=day, people=(), workers=world.workers)
        staff = apply_hr_changes(base, world.hr)
        problem = dataclasses.replace(staff, people=state.people(cohort, staff))
        caps = capacities(problem, config)
        cut_short = False
        if policy.change_penalty is None:
            demand = build_demand(problem, score_people(problem, config), config)
            assignment = by_hand(problem, demand, caps)
        else:
            proposal = propose(problem, config, time_limit)
            demand, assignment = proposal.demand, np.asarray(proposal.assignment)
            cut_short = not proposal.result.repeatable
        figures = month_figures(problem, demand, caps, assignment, config)
        result.months.append(figures | {"cut_short": int(cut_short)})
        state.approve(problem, demand, assignment)
    result.year = state.year_figures()
    return result


@dataclass
class _State:
    """Each young person's workers now, and every worker they had this year."""

    current: dict[str, dict[Role, str]]
    seen: dict[str, dict[Role, set[str]]]
    changes: dict[str, int]

    @classmethod
    def start(cls, people: Sequence[YoungPerson]) -> _State:
        state = cls({}, defaultdict(lambda: defaultdict(set)), {})
        for p in people:
            held = {r: p.current_worker(r) for r in Role}
            state.current[p.person_id] = {r: w for r, w in held.items() if w}
            for role, worker in state.current[p.person_id].items():
                state.seen[p.person_id][role].add(worker)
        return state

    def people(self, cohort: Sequence[YoungPerson], staff: Problem) -> tuple[YoungPerson, ...]:
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
            known = (
                set().union(*self.seen[p.person_id].values()) if p.person_id in self.seen else set()
            )
            out.append(
                dataclasses.replace(
                    p,
                    current_social_worker=valid.get(Role.SOCIAL_WORKER),
                    current_personal_adviser=valid.get(Role.PERSONAL_ADVISER),
                    worker_changes_12m=p.worker_changes_12m + self.changes.get(p.person_id, 0),
                    previous_workers=frozenset(known - set(valid.values())),
                )
            )
        return tuple(out)

    def approve(self, problem: Problem, demand: Demand, assignment: np.ndarray) -> None:
        now: dict[str, dict[Role, str]] = defaultdict(dict)
        for req in demand.requirements:
            person = problem.people[req.person].person_id
            worker = int(assignment[req.index])
            if worker == NOBODY:
                continue
            worker_id = problem.workers[worker].worker_id
            now[person][req.role] = worker_id
            if req.current_worker is not None and req.current_worker != worker:
                self.changes[person] = self.changes.get(person, 0) + 1
            self.seen[person][req.role].add(worker_id)
        self.current = dict(now)

    def year_figures(self) -> dict[str, float]:
        out: dict[str, float] = {"changes": float(sum(self.changes.values()))}
        for role, short in ((Role.SOCIAL_WORKER, "SW"), (Role.PERSONAL_ADVISER, "PA")):
            counts = np.array([len(s[role]) for s in self.seen.values() if s.get(role)])
            held = max(1, counts.size)
            out[f"{short}_share_2"] = round(float(np.sum(counts == 2)) / held, 4)
            out[f"{short}_share_3plus"] = round(float(np.sum(counts >= 3)) / held, 4)
        return out


def by_hand(problem: Problem, demand: Demand, caps: Sequence[WorkerCapacity]) -> np.ndarray:
    """Keep current workers who can hold; each other young person to the least-loaded worker."""
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
        best, best_util = NOBODY, np.inf
        for w, cap in enumerate(caps):
            if problem.workers[w].role is not req.role or not cap.can_receive:
                continue
            if load[w] + req.points_value > cap.hard_limit_points:
                continue
            if cap.max_cases is not None and cases[w] >= cap.max_cases:
                continue
            if load[w] / cap.points < best_util:
                best, best_util = w, load[w] / cap.points
        if best != NOBODY:
            assignment[req.index] = best
            load[best] += req.points_value
            cases[best] += 1
    return assignment


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
    changes = unallocated = 0
    for req in demand.requirements:
        worker = int(assignment[req.index])
        if worker == NOBODY:
            unallocated += 1
            continue
        load[worker] += req.points_value
        changes += int(req.current_worker is not None and req.current_worker != worker)
        if req.role is Role.PERSONAL_ADVISER:
            with_pa.add(req.person)
    out: dict[str, float] = {
        "changes": changes,
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
    return out


#: End-of-year rows: (label, key in year figures or mean of a monthly key, format).
YEAR_ROWS: tuple[tuple[str, str, str], ...] = (
    ("Changes of worker in the year", "changes", "int"),
    ("SW: share with 2 social workers", "SW_share_2", "pct"),
    ("SW: share with 3+ (national 24%)", "SW_share_3plus", "pct"),
    ("PA: share with 2 personal advisers", "PA_share_2", "pct"),
    ("PA: share with 3+", "PA_share_3plus", "pct"),
    ("In care 16-17 without a PA (monthly mean)", "mean:in_care_16_17_without_pa", "num"),
    ("Unallocated (monthly mean)", "mean:unallocated", "num"),
    ("SW max utilisation (monthly mean)", "mean:SW_max_utilisation", "pct"),
    ("SW mean utilisation (monthly mean)", "mean:SW_mean_utilisation", "pct"),
    ("SW over target (monthly mean)", "mean:SW_over_target", "num"),
    ("PA max utilisation (monthly mean)", "mean:PA_max_utilisation", "pct"),
    ("PA mean utilisation (monthly mean)", "mean:PA_mean_utilisation", "pct"),
    ("PA over target (monthly mean)", "mean:PA_over_target", "num"),
    ("Months the solver was cut short by the time limit", "sum:cut_short", "int"),
)


def year_value(result: PolicyResult, key: str) -> float:
    """A year figure, or the mean or sum over the months of a monthly one (``mean:key``)."""
    how, _, monthly = key.partition(":")
    if not monthly:
        return result.year[key]
    values = [m[monthly] for m in result.months]
    return float(np.sum(values) if how == "sum" else np.mean(values)) if values else 0.0


def _cell(value: float, kind: str) -> str:
    return {"pct": f"{value:.0%}", "int": f"{value:,.0f}"}.get(kind, f"{value:,.1f}")


def render_simulation(world: World, results: Sequence[PolicyResult]) -> str:
    """Month by month, then the year, one column per policy."""
    rows = [["month", "date", *(r.name for r in results)]]
    for m, day in enumerate(world.days):
        rows.append(
            [str(m), day.isoformat()]
            + [
                f"{r.months[m]['changes']:.0f} changes, SW {r.months[m]['SW_max_utilisation']:.0%}"
                f" PA {r.months[m]['PA_max_utilisation']:.0%}"
                for r in results
            ]
        )
    lines = ["Month by month: changes of worker, max utilisation per role"]
    lines += _table(rows)
    lines.append("")
    lines.append(f"Over {len(world.days)} months")
    year = [["figure", *(r.name for r in results)]]
    year += [[label, *(_cell(year_value(r, key), kind) for r in results)]
             for label, key, kind in YEAR_ROWS]  # fmt: skip
    lines += _table(year)
    return "\n".join(lines) + "\n"


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return out
