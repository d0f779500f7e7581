"""The simulation's world: the cohort month by month and the staffing events.

Built once and shared by every policy (same seed, same world): the forecast's
cohort (:mod:`caseweight.cohort`), the HR feed, and staffing events drawn at
the national rates of ``docs/domain.md`` (:class:`Staffing`): permanent
leavers, each post covered by an agency worker after a gap until a permanent
starter takes it over, and long-term absences. The policies learn of each
event as an authority would, through its HR data: a leaver's ``leaving_on``
``notice_months`` ahead, an announced absence (maternity) as a dated 100%
reduction ``absence_notice_months`` ahead, an unannounced one (sickness) the
day it starts (:meth:`World.known_on`). See ``docs/simulate.md``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

import numpy as np

from caseweight.cohort import CohortSettings, EntryPool, entries_per_month, teams_of
from caseweight.cohort import step as cohort_step
from caseweight.config import Config
from caseweight.hr import ChangeKind, HRChange
from caseweight.problem import Problem, Role, Worker, YoungPerson, add_months

TURNOVER_PER_YEAR = 0.159  # DfE workforce 2023
DEFAULT_GRADE = {Role.SOCIAL_WORKER: "social_worker", Role.PERSONAL_ADVISER: "personal_adviser"}
ABSENCE = "long-term sickness (simulated)"  # known the day it starts
MATERNITY = "maternity leave (simulated)"  # announced absence_notice_months ahead
ABSENCES = (ABSENCE, MATERNITY)
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

    What the policies are told ahead, also assumptions: a leaver (a permanent
    worker resigning, or an agency cover whose contracted end comes)
    ``notice_months`` before they go; a long-term absence that is announced
    (``announced_absence_share`` of them: maternity leave, notified by law by
    the 15th week before the expected week of childbirth)
    ``absence_notice_months`` before it starts; the others (long-term
    sickness) the day they start.
    """

    turnover: float = TURNOVER_PER_YEAR
    agency_share: float = 0.178
    vacancy_rate: float = 0.189
    cover_gap_months: int = 1
    absences_per_year: float = 0.04
    absence_months: tuple[int, int] = (3, 9)
    notice_months: int = 1
    absence_notice_months: int = 3
    announced_absence_share: float = 0.5

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
    absence_notice_months: int = 0

    def known_on(self, day: date) -> tuple[HRChange, ...]:
        """The HR rows a policy knows on ``day``: the feed (the authority's plan) and the
        simulated events from when they are announced (:meth:`known_from`)."""
        return tuple(c for c in self.hr if c.file != SIMULATED or self.known_from(c) <= day)

    def known_from(self, change: HRChange) -> date:
        """When the policies learn of a simulated ``change``: a leaver ``notice_months``
        ahead, maternity leave ``absence_notice_months`` ahead, the rest the day it happens."""
        if change.kind is ChangeKind.LEAVER:
            return add_months(change.effective_from, -self.notice_months)
        if change.kind is ChangeKind.REDUCTION and change.reason == MATERNITY:
            return add_months(change.effective_from, -self.absence_notice_months)
        return change.effective_from


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
    workers = tuple(dataclasses.replace(w, agency=w.worker_id in agency) for w in problem.workers)
    return World(
        days,
        tuple(cohorts),
        workers,
        tuple(hr) + events,
        config,
        agency,
        seed,
        staffing.notice_months,
        staffing.absence_notice_months,
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
    are not replaced (the HR feed is the authority's plan). Which posts are
    agency cover at the start: the workers file's ``agency`` where it flags
    anyone, else drawn at ``agency_share``. Every worker and starter carries
    the flag, so caseweight's optimiser prices covers ending
    (``optimiser.agency_cover_risk``); the policies by hand ignore it.
    """
    leaving = {c.worker_id for c in hr if c.kind is ChangeKind.LEAVER}
    flagged = any(w.agency for w in workers)  # the workers file says who is agency cover
    posts = []
    for w in workers:
        if w.leaving_on is None and w.worker_id not in leaving:
            drawn = bool(rng.random() < staffing.agency_share)  # drawn anyway: the same world
            posts.append(_Post(w.worker_id, w.role, w.team, w.agency if flagged else drawn))
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
                # uniform in [0, 1) given an absence: no extra draw, the same world
                announced = (draw - leave) < absent * staffing.announced_absence_share
                reason = MATERNITY if announced else ABSENCE
                events.append(_absence(post.worker_id, day, back - timedelta(days=1), reason))
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
        agency=post.agency,
    )


def _absence(worker_id: str, start: date, end: date, reason: str = ABSENCE) -> HRChange:
    return HRChange(worker_id, ChangeKind.REDUCTION, start, end, "100", reason, SIMULATED, 0)
