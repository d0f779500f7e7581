"""A month in the life of a cohort: ageing, entries to care and exits.

Used by the 12-month forecast and the simulation. Each month, from one date
to the next:

- a child in care who turns 18 becomes a care leaver: the social worker's
  part ends and the personal adviser carries on;
- a care leaver who turns 21 keeps a personal adviser only when in education
  or on request (a share, drawn once at the birthday); everyone's PA ends at 25;
- a child in care under 18 leaves care at a national monthly rate (home,
  adoption, special guardianship); at 16 or 17 they become a relevant child
  (care leaver) and keep a PA;
- new children enter care at a monthly rate, with the national age mix of
  entrants and needs drawn like the demo authority's (:mod:`caseweight.demo`).

Everything random comes from one seeded generator: the same seed gives the
same cohort month after month.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from caseweight.errors import ProblemCollector
from caseweight.io.inputs import read_cases
from caseweight.io.tables import Table
from caseweight.problem import Status, YoungPerson, age_years, birthday

#: Age mix of children starting to be looked after (DfE, years ending 31 March):
#: under 1, 1-4, 5-9, 10-15, 16-17.
ENTRY_AGE_MIX: tuple[tuple[int, int, float], ...] = (
    (0, 0, 0.19),
    (1, 4, 0.15),
    (5, 9, 0.17),
    (10, 15, 0.35),
    (16, 17, 0.14),
)
ENTRY_POOL_PEOPLE = 1000


@dataclass(frozen=True)
class CohortSettings:
    """Rates the cohort moves at; defaults from the DfE figures in ``docs/domain.md``.

    ``entries_per_month`` ``None`` means ``entries_per_year_share`` of the
    children in care at the start, spread over twelve months (34,450 left care
    and about as many started in 2025, of 81,770 in care: about 40% a year).
    """

    entries_per_month: float | None = None
    entries_per_year_share: float = 0.40
    in_care_exits_per_year: float = 0.25  # leaving care before 18
    stay_after_21_share: float = 0.35  # in education, or PA support on request to 25

    def monthly_exit_chance(self) -> float:
        return 1.0 - (1.0 - self.in_care_exits_per_year) ** (1 / 12)


@dataclass
class MonthEvents:
    """Who moved in one month (person ids)."""

    entered: list[str] = field(default_factory=list)
    left_care: list[str] = field(default_factory=list)
    turned_18: list[str] = field(default_factory=list)
    pa_ended: list[str] = field(default_factory=list)


class EntryPool:
    """Children in care of a generated authority to draw new entrants from."""

    def __init__(self, start: date, seed: int, teams: Sequence[str]) -> None:
        from caseweight.demo import generate_authority

        cases, _ = generate_authority(people=ENTRY_POOL_PEOPLE, workers=60, seed=seed, as_of=start)
        in_care = cases[cases["status"] == "in_care"].reset_index(drop=True)
        table = Table("entry pool", in_care, tuple(range(2, len(in_care) + 2)),
                      {c: c for c in in_care.columns})  # fmt: skip
        problems = ProblemCollector()
        self.people = read_cases(table, start, None, problems)
        problems.raise_if_any()
        self.start = start
        self.ages = np.array([age_years(p.date_of_birth, start) for p in self.people])
        self.teams = list(teams) or [""]

    def draw(
        self, rng: np.random.Generator, count: int, day: date, prefix: str
    ) -> list[YoungPerson]:
        """``count`` new entrants on ``day``: ages by the entry mix, no worker yet."""
        mix = np.array([share for _, _, share in ENTRY_AGE_MIX])
        bands = rng.choice(len(ENTRY_AGE_MIX), size=count, p=mix / mix.sum())
        shift = day - self.start
        out = []
        for n, band in enumerate(bands):
            low, high, _ = ENTRY_AGE_MIX[band]
            options = np.flatnonzero((self.ages >= low) & (self.ages <= high))
            model = self.people[int(rng.choice(options))]
            out.append(
                dataclasses.replace(
                    model,
                    person_id=f"{prefix}{n + 1:04d}",
                    row=0,
                    date_of_birth=model.date_of_birth + shift,
                    current_social_worker=None,
                    current_personal_adviser=None,
                    team=self.teams[int(rng.integers(len(self.teams)))],
                    sibling_group=None,
                    worker_changes_12m=0,
                    previous_workers=frozenset(),
                )
            )
        return out


def entries_per_month(people: Sequence[YoungPerson], on: date, settings: CohortSettings) -> float:
    if settings.entries_per_month is not None:
        return settings.entries_per_month
    in_care = sum(1 for p in people if _in_care(p, on))
    return in_care * settings.entries_per_year_share / 12


def _in_care(person: YoungPerson, on: date) -> bool:
    return person.status is Status.IN_CARE and age_years(person.date_of_birth, on) < 18


def step(
    people: Sequence[YoungPerson],
    start: date,
    end: date,
    settings: CohortSettings,
    rng: np.random.Generator,
    pool: EntryPool | None,
    entries: float,
) -> tuple[list[YoungPerson], MonthEvents]:
    """The cohort on ``end``, one month after ``start``, and who moved."""
    events = MonthEvents()
    out: list[YoungPerson] = []
    exit_chance = settings.monthly_exit_chance()
    for person in people:
        born = person.date_of_birth
        if birthday(born, 25) <= end:
            events.pa_ended.append(person.person_id)
            continue
        if person.status is Status.IN_CARE:
            if birthday(born, 18) <= end:
                events.turned_18.append(person.person_id)
                person = dataclasses.replace(
                    person, status=Status.CARE_LEAVER, current_social_worker=None
                )
            elif rng.random() < exit_chance:
                events.left_care.append(person.person_id)
                if age_years(born, end) < 16:
                    continue
                person = dataclasses.replace(
                    person, status=Status.CARE_LEAVER, current_social_worker=None
                )
        elif start < birthday(born, 21) <= end and rng.random() >= settings.stay_after_21_share:
            events.pa_ended.append(person.person_id)
            continue
        out.append(person)
    if pool is not None and entries > 0:
        count = int(rng.poisson(entries))
        new = pool.draw(rng, count, end, prefix=f"E{end:%y%m}-")
        events.entered = [p.person_id for p in new]
        out.extend(new)
    return out, events


def teams_of(people: Sequence[YoungPerson]) -> list[str]:
    """Teams of the children in care, once each per child (so draws follow the mix)."""
    return [p.team or "" for p in people if p.status is Status.IN_CARE]
