"""The validated, immutable picture of one allocation month.

Identifiers become integer indexes once, here; the weighting, capacity and
solver layers work on indexes and numpy arrays and never see a DataFrame.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cached_property


class Role(StrEnum):
    SOCIAL_WORKER = "social_worker"
    PERSONAL_ADVISER = "personal_adviser"


class Status(StrEnum):
    IN_CARE = "in_care"
    CARE_LEAVER = "care_leaver"


def age_years(date_of_birth: date, on: date) -> int:
    """Whole years of age on ``on`` (a birthday counts on the day itself)."""
    before_birthday = (on.month, on.day) < (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - int(before_birthday)


def age_months(date_of_birth: date, on: date) -> int:
    """Whole months of age on ``on``."""
    months = (on.year - date_of_birth.year) * 12 + on.month - date_of_birth.month
    return months - int(on.day < date_of_birth.day)


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months (the day clamped to the month's end)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def birthday(date_of_birth: date, years: int) -> date:
    """The date a person turns ``years`` (29 February birthdays fall on 1 March)."""
    try:
        return date_of_birth.replace(year=date_of_birth.year + years)
    except ValueError:
        return date(date_of_birth.year + years, 3, 1)


@dataclass(frozen=True)
class YoungPerson:
    """One row of the cases file, validated."""

    person_id: str
    row: int
    date_of_birth: date
    status: Status
    current_social_worker: str | None = None
    current_personal_adviser: str | None = None
    team: str | None = None
    legal_status: str | None = None
    placement_type: str | None = None
    placement_distance_km: float | None = None
    placement_moves_12m: int = 0
    missing_episodes_12m: int = 0
    worker_changes_12m: int = 0
    flags: frozenset[str] = frozenset()
    exploitation_risk: str | None = None
    sibling_group: str | None = None
    needs_skills: tuple[str, ...] = ()
    previous_workers: frozenset[str] = frozenset()

    def current_worker(self, role: Role) -> str | None:
        if role is Role.SOCIAL_WORKER:
            return self.current_social_worker
        return self.current_personal_adviser


@dataclass(frozen=True)
class Reduction:
    """A dated reduction of a worker's capacity (probation WMT style)."""

    percent: float
    reason: str
    effective_from: date | None = None
    effective_to: date | None = None

    def active_on(self, day: date) -> bool:
        started = self.effective_from is None or self.effective_from <= day
        return started and (self.effective_to is None or day <= self.effective_to)


@dataclass(frozen=True)
class Worker:
    """One row of the workers file, validated."""

    worker_id: str
    row: int
    role: Role
    fte: float
    name: str | None = None
    grade: str | None = None
    team: str | None = None
    capacity_points: float | None = None
    max_cases: int | None = None
    skills: frozenset[str] = frozenset()
    accepting_new: bool = True
    leaving_on: date | None = None
    reductions: tuple[Reduction, ...] = ()
    #: Agency (interim) cover: may end at short notice (``optimiser.agency_cover_risk``).
    agency: bool = False

    def has_left(self, as_of: date) -> bool:
        """A worker leaving on or before the as-of date holds nobody."""
        return self.leaving_on is not None and self.leaving_on <= as_of


@dataclass(frozen=True)
class Problem:
    """All young people and workers of one run, at one as-of date."""

    as_of: date
    people: tuple[YoungPerson, ...]
    workers: tuple[Worker, ...]
    cases_file: str = "cases"
    workers_file: str = "workers"
    digests: dict[str, str] = field(default_factory=dict)

    @cached_property
    def person_index(self) -> dict[str, int]:
        return {p.person_id: i for i, p in enumerate(self.people)}

    @cached_property
    def worker_index(self) -> dict[str, int]:
        return {w.worker_id: i for i, w in enumerate(self.workers)}

    def age(self, person: YoungPerson) -> int:
        return age_years(person.date_of_birth, self.as_of)

    def treated_as(self, person: YoungPerson) -> Status:
        """In-care young people of 18 or over are treated as care leavers (data lag)."""
        if person.status is Status.IN_CARE and self.age(person) >= 18:
            return Status.CARE_LEAVER
        return person.status
