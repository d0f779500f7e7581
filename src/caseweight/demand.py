"""Which allocations each young person needs, and what each one weighs.

Hard rules 1-3 of the data contract decide the required (young person, role)
pairs; the weighting decides the points each puts on a worker. Allocations the
input holds but no rule needs any more (a social worker for a young person now
18) are listed as ended, never silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from caseweight.config import Config
from caseweight.problem import Problem, Role, Status, YoungPerson, age_months, birthday
from caseweight.weighting import Scores

#: Internal unit: a tenth of a point, so that loads are integers.
POINTS_SCALE = 10


class Need(StrEnum):
    """Why an allocation is needed."""

    SOCIAL_WORKER = "social_worker"  # rule 1: in care under 18
    PERSONAL_ADVISER = "personal_adviser"  # rule 2: care leaver, or in care and 18+
    PERSONAL_ADVISER_DUE = "personal_adviser_due"  # rule 3: in care, at or over the PA age
    CONTINUING = "continuing"  # a PA already held below the PA age: kept, not required


@dataclass(frozen=True)
class Requirement:
    """One (young person, role) allocation to make."""

    index: int
    person: int
    role: Role
    need: Need
    points: int  # tenths of a point
    current_worker: int | None  # worker index, if the input names one
    age_months: int
    in_transition: bool  # within the transition window of the 18th birthday

    @property
    def points_value(self) -> float:
        return self.points / POINTS_SCALE


@dataclass(frozen=True)
class EndedAllocation:
    """An allocation in the input that no rule needs any more."""

    person: int
    role: Role
    worker: int
    why: str


@dataclass(frozen=True)
class Demand:
    requirements: tuple[Requirement, ...]
    ended: tuple[EndedAllocation, ...]
    warnings: tuple[str, ...]


def build_demand(problem: Problem, scores: Scores, config: Config) -> Demand:
    """All requirements of ``problem`` in person order, SW before PA."""
    requirements: list[Requirement] = []
    ended: list[EndedAllocation] = []
    aged_18: list[str] = []
    totals = scores.total
    for i, person in enumerate(problem.people):
        roles = _needs(problem, person, config)
        if person.status is Status.IN_CARE and problem.treated_as(person) is Status.CARE_LEAVER:
            aged_18.append(person.person_id)
        for role in Role:
            current = person.current_worker(role)
            if role not in roles and current is not None:
                why = "young person is 18 or over" if role is Role.SOCIAL_WORKER else "not needed"
                ended.append(EndedAllocation(i, role, problem.worker_index[current], why))
        for role, need in roles.items():
            share = 1.0
            if role is Role.PERSONAL_ADVISER and Role.SOCIAL_WORKER in roles:
                share = config.weights.personal_adviser_share
            current = person.current_worker(role)
            requirements.append(
                Requirement(
                    index=len(requirements),
                    person=i,
                    role=role,
                    need=need,
                    points=round(float(totals[i]) * share * POINTS_SCALE),
                    current_worker=None if current is None else problem.worker_index[current],
                    age_months=age_months(person.date_of_birth, problem.as_of),
                    in_transition=_in_transition(problem, person, config),
                )
            )
    warnings = []
    if aged_18:
        shown = ", ".join(aged_18[:10]) + (" ..." if len(aged_18) > 10 else "")
        warnings.append(
            f"{len(aged_18)} young person(s) with status in_care are 18 or over on "
            f"{problem.as_of.isoformat()} and are treated as care leavers "
            f"(social worker ends, personal adviser continues): {shown}"
        )
    return Demand(tuple(requirements), tuple(ended), tuple(warnings))


def _needs(problem: Problem, person: YoungPerson, config: Config) -> dict[Role, Need]:
    """The roles ``person`` needs on the as-of date (hard rules 1-3)."""
    if problem.treated_as(person) is Status.CARE_LEAVER:
        return {Role.PERSONAL_ADVISER: Need.PERSONAL_ADVISER}
    needs = {Role.SOCIAL_WORKER: Need.SOCIAL_WORKER}
    months = age_months(person.date_of_birth, problem.as_of)
    if months >= round(config.personal_adviser_from_age * 12):
        needs[Role.PERSONAL_ADVISER] = Need.PERSONAL_ADVISER_DUE
    elif person.current_personal_adviser is not None:
        needs[Role.PERSONAL_ADVISER] = Need.CONTINUING
    return needs


def _in_transition(problem: Problem, person: YoungPerson, config: Config) -> bool:
    """Within ``transition_months`` either side of the 18th birthday."""
    eighteen = birthday(person.date_of_birth, 18)
    months = (eighteen.year - problem.as_of.year) * 12 + eighteen.month - problem.as_of.month
    return abs(months) <= config.transition_months
