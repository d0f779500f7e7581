"""Twelve months ahead: demand in points against capacity, per role and team.

Month 0 is the as-of date; each later month the cohort ages, enters and
leaves care (:mod:`caseweight.cohort`) and the HR feed is applied for that
date (:mod:`caseweight.hr`). Demand is what the data contract's hard rules
require that month, weighted as ``caseweight allocate`` weights it; capacity
is at the target utilisation. A role or team is *breached* in the first month
its demand exceeds that capacity; the FTE to recruit by then covers the
largest shortfall from that month on. Same seed, same forecast.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from caseweight.capacity import capacities
from caseweight.cohort import (
    CohortSettings,
    EntryPool,
    MonthEvents,
    entries_per_month,
    teams_of,
)
from caseweight.cohort import step as cohort_step
from caseweight.config import Config
from caseweight.demand import POINTS_SCALE, build_demand
from caseweight.hr import HRChange, apply_hr_changes
from caseweight.problem import Problem, Role, Status, Worker, YoungPerson, add_months
from caseweight.weighting import score_people

ALL_TEAMS = "all"


@dataclass(frozen=True)
class Load:
    """Demand and capacity of one role in one team (or ``all``) in one month."""

    role: Role
    team: str
    allocations: int
    demand_points: float
    capacity_points: float
    target_points: float
    fte: float

    @property
    def utilisation(self) -> float:
        return self.demand_points / self.capacity_points if self.capacity_points else math.inf

    @property
    def shortfall_points(self) -> float:
        return max(0.0, self.demand_points - self.target_points)


@dataclass(frozen=True)
class ForecastMonth:
    month: int
    day: date
    in_care: int
    care_leavers: int
    events: MonthEvents
    loads: tuple[Load, ...]

    def load(self, role: Role, team: str = ALL_TEAMS) -> Load | None:
        return next((x for x in self.loads if x.role is role and x.team == team), None)


@dataclass(frozen=True)
class Breach:
    """When a role (in a team) first needs more capacity than it has, and how much."""

    role: Role
    team: str
    first_month: int | None
    first_day: date | None
    fte_to_recruit: float
    peak_shortfall_points: float


@dataclass(frozen=True)
class Forecast:
    months: tuple[ForecastMonth, ...]
    breaches: tuple[Breach, ...]
    seed: int


def run_forecast(
    problem: Problem,
    hr: Sequence[HRChange],
    config: Config,
    months: int = 12,
    settings: CohortSettings | None = None,
    seed: int = 0,
) -> Forecast:
    """Forecast ``months`` months from ``problem.as_of``.

    Parameters
    ----------
    problem:
        The cohort and workers on the as-of date, *before* the HR feed.
    hr:
        The HR feed, applied afresh for each month's date.
    settings:
        Entry, exit and stay-on rates (defaults: national figures).
    seed:
        Seeds entries, exits and stay-on choices: the same seed gives the same forecast.
    """
    settings = settings or CohortSettings()
    rng = np.random.default_rng(seed)
    people = [_without_workers(p) for p in problem.people]
    entries = entries_per_month(people, problem.as_of, settings)
    pool = EntryPool(problem.as_of, seed, teams_of(people)) if entries > 0 else None
    day = problem.as_of
    out = [_month(0, day, people, MonthEvents(), problem.workers, hr, config)]
    for month in range(1, months + 1):
        following = add_months(problem.as_of, month)
        people, events = cohort_step(people, day, following, settings, rng, pool, entries)
        day = following
        out.append(_month(month, day, people, events, problem.workers, hr, config))
    return Forecast(tuple(out), breaches(out, config), seed)


def _without_workers(person: YoungPerson) -> YoungPerson:
    return dataclasses.replace(person, current_social_worker=None, current_personal_adviser=None)


def _month(
    month: int,
    day: date,
    people: Sequence[YoungPerson],
    events: MonthEvents,
    workers: Sequence[Worker],
    hr: Sequence[HRChange],
    config: Config,
) -> ForecastMonth:
    cohort = Problem(as_of=day, people=tuple(people), workers=())
    demand = build_demand(cohort, score_people(cohort, config), config)
    staff = apply_hr_changes(Problem(as_of=day, people=(), workers=tuple(workers)), hr)
    sums: dict[tuple[Role, str], list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0.0, 0.0])
    for req in demand.requirements:
        team = people[req.person].team or ""
        for key in ((req.role, team), (req.role, ALL_TEAMS)):
            sums[key][0] += 1
            sums[key][1] += req.points / POINTS_SCALE
    target = config.capacity.target_utilisation
    for worker, cap in zip(staff.workers, capacities(staff, config), strict=True):
        if not cap.can_hold:
            continue
        for key in ((worker.role, worker.team or ""), (worker.role, ALL_TEAMS)):
            sums[key][2] += cap.points
            sums[key][3] += cap.points * target
            sums[key][4] += worker.fte
    loads = tuple(
        Load(role, team, int(v[0]), round(v[1], 1), round(v[2], 1), round(v[3], 1), round(v[4], 2))
        for (role, team), v in sorted(sums.items(), key=lambda kv: (kv[0][0].value, kv[0][1]))
    )
    return ForecastMonth(
        month=month,
        day=day,
        in_care=sum(1 for p in cohort.people if cohort.treated_as(p) is Status.IN_CARE),
        care_leavers=sum(1 for p in cohort.people if cohort.treated_as(p) is Status.CARE_LEAVER),
        events=events,
        loads=loads,
    )


def breaches(months: Sequence[ForecastMonth], config: Config) -> tuple[Breach, ...]:
    """First breach and FTE to recruit for every role and team seen in ``months``."""
    keys = sorted({(x.role, x.team) for m in months for x in m.loads}, key=lambda k: (k[0], k[1]))
    out = []
    for role, team in keys:
        loads = [(m, m.load(role, team)) for m in months]
        short = [(m, x.shortfall_points if x else 0.0) for m, x in loads]
        first = next((m for m, s in short if s > 0), None)
        peak = max((s for _, s in short), default=0.0)
        per_fte = config.capacity.points_per_fte[role.value] * config.capacity.target_utilisation
        out.append(
            Breach(
                role=role,
                team=team,
                first_month=None if first is None else first.month,
                first_day=None if first is None else first.day,
                fte_to_recruit=math.ceil(peak / per_fte * 10 - 1e-9) / 10,
                peak_shortfall_points=round(peak, 1),
            )
        )
    return tuple(out)


def render_forecast(forecast: Forecast, by_team: bool = False) -> str:
    """The month-by-month table and the breach lines, for the terminal."""
    first = forecast.months[0]
    head = ["month", "date", "in care", "leavers", "entries"]
    for short in ("SW", "PA"):
        head += [f"{short} demand", f"{short} capacity", f"{short} util"]
    rows = [head]
    for m in forecast.months:
        row = [str(m.month), m.day.isoformat(), str(m.in_care), str(m.care_leavers),
               str(len(m.events.entered))]  # fmt: skip
        for role in Role:
            load = m.load(role)
            row += (
                ["0", "0", "-"]
                if load is None
                else [
                    f"{load.demand_points:,.0f}",
                    f"{load.target_points:,.0f}",
                    f"{load.utilisation:.0%}" if load.capacity_points else "-",
                ]
            )
        rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = [
        f"Forecast from {first.day.isoformat()}, {len(forecast.months) - 1} months, "
        f"seed {forecast.seed}; demand and capacity at target in points"
    ]
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.append("First month demand exceeds capacity at target, and FTE to recruit by then:")
    for breach in forecast.breaches:
        if breach.team != ALL_TEAMS and not by_team:
            continue
        label = f"  {breach.role.value:<17} {breach.team or '(no team)':<10}"
        if breach.first_day is None:
            lines.append(f"{label} no breach within {len(forecast.months) - 1} months")
        else:
            lines.append(
                f"{label} {breach.first_day.isoformat()} (month {breach.first_month}): "
                f"recruit {breach.fte_to_recruit:.1f} FTE (peak shortfall "
                f"{breach.peak_shortfall_points:,.1f} points)"
            )
    return "\n".join(lines) + "\n"


def forecast_rows(forecast: Forecast) -> list[dict[str, object]]:
    """Long format for CSV: one row per month, role and team."""
    return [
        {
            "month": m.month,
            "date": m.day.isoformat(),
            "role": x.role.value,
            "team": x.team,
            "allocations": x.allocations,
            "demand_points": x.demand_points,
            "capacity_points": x.capacity_points,
            "target_points": x.target_points,
            "fte": x.fte,
            "utilisation": round(x.utilisation, 4) if x.capacity_points else "",
            "shortfall_points": round(x.shortfall_points, 1),
        }
        for m in forecast.months
        for x in m.loads
    ]
