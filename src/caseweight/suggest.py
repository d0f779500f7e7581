"""The best workers for one young person, without moving anyone else.

A manager on the phone about a new young person (or one whose worker must
change) wants the few workers to offer, and why. Each eligible worker is
priced exactly as the optimiser's objective would change if that one
allocation were made and nothing else moved: the candidate's change, team and
skill costs from :func:`caseweight.solver.instance.build_instance`, the change
in :func:`~caseweight.solver.instance.balance_penalty` of the worker gaining
the young person (and of the current worker losing them), and the sibling
split cost. Workers who cannot take the young person are listed with the
hard rule that rules them out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from caseweight.capacity import WorkerCapacity, capacities
from caseweight.config import Config
from caseweight.demand import POINTS_SCALE, Demand, Requirement, build_demand
from caseweight.errors import CaseweightError, ProblemCollector
from caseweight.problem import Problem, Role, YoungPerson
from caseweight.solver.instance import (
    COST_SCALE,
    Candidate,
    Instance,
    balance_curve,
    balance_penalty,
    build_instance,
)
from caseweight.weighting import score_people

#: Why a worker cannot take the young person, in the order they are tested.
RULED_OUT = ("role", "excluded", "leaving", "not_accepting", "skill", "hard_limit", "max_cases")


@dataclass(frozen=True)
class Option:
    """One worker who could take the young person, priced like the optimiser's objective.

    Costs are in penalty units; ``cost`` is their sum: how much the objective
    would rise (or fall, when negative) with this one allocation.
    """

    worker_id: str
    name: str
    team: str
    current: bool
    cost: float
    change_cost: float
    team_cost: float
    skill_cost: float
    balance_cost: float
    sibling_cost: float
    load_before: float
    load_after: float
    utilisation_before: float
    utilisation_after: float
    cases_before: int
    cases_after: int
    team_match: bool | None
    skills_missing: tuple[str, ...]
    knows_young_person: bool
    holds_siblings: tuple[str, ...]
    agency: bool = False


@dataclass(frozen=True)
class RuledOut:
    """A worker of the role who cannot take the young person, and the rule why."""

    worker_id: str
    reason: str
    detail: str


@dataclass(frozen=True)
class RoleSuggestion:
    """The ranked workers for one role the young person needs."""

    role: Role
    need: str
    points: float
    current_worker: str | None
    unallocated_cost: float
    options: tuple[Option, ...]
    eligible: int
    ruled_out: tuple[RuledOut, ...]
    other_role: int  # workers of the other role, not listed one by one


@dataclass(frozen=True)
class Suggestion:
    """Everything ``caseweight suggest`` shows for one young person."""

    person_id: str
    as_of: str
    team: str
    age: int
    status: str
    roles: tuple[RoleSuggestion, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class _Loads:
    loads: np.ndarray  # tenths of a point per worker, as the optimiser counts them
    cases: np.ndarray


def suggest(
    problem: Problem,
    config: Config,
    person_id: str,
    top: int = 5,
    excluded: Mapping[tuple[Role, str], str] | None = None,
) -> Suggestion:
    """Rank the workers for ``person_id`` alone; nobody else moves.

    Parameters
    ----------
    problem:
        The whole authority at the as-of date (loads come from everyone's
        current workers); ``person_id`` must be one of its young people.
    config:
        Weights and optimiser prices.
    person_id:
        The young person to place.
    top:
        How many workers to list per role.
    excluded:
        (role, worker_id) -> reason for pairings never to propose (pins file
        exclusions, rejections in force).

    Raises
    ------
    CaseweightError
        When ``person_id`` is not in ``problem``.
    """
    p = problem.person_index.get(person_id)
    if p is None:
        raise CaseweightError(f"--person {person_id!r}: no such young person in the cases file")
    excluded = excluded or {}
    caps = capacities(problem, config)
    demand = build_demand(problem, score_people(problem, config), config)
    held = _current_loads(demand, len(problem.workers))
    own = [r for r in demand.requirements if r.person == p]
    instance = _one_person_instance(problem, problem.people[p], caps, config, excluded)
    roles = tuple(
        _rank_role(problem, demand, instance, caps, config, req, sub, held, excluded, top)
        for sub, req in enumerate(own)
    )
    person = problem.people[p]
    return Suggestion(
        person_id=person_id,
        as_of=problem.as_of.isoformat(),
        team=person.team or "",
        age=problem.age(person),
        status=problem.treated_as(person).value,
        roles=roles,
    )


def _current_loads(demand: Demand, n_workers: int) -> _Loads:
    loads = np.zeros(n_workers, dtype=np.int64)
    cases = np.zeros(n_workers, dtype=np.int64)
    for req in demand.requirements:
        if req.current_worker is not None:
            loads[req.current_worker] += req.points
            cases[req.current_worker] += 1
    return _Loads(loads, cases)


def _one_person_instance(
    problem: Problem,
    person: YoungPerson,
    caps: tuple[WorkerCapacity, ...],
    config: Config,
    excluded: Mapping[tuple[Role, str], str],
) -> Instance:
    """The optimiser's instance for this young person alone, every eligible worker kept."""
    alone = dataclasses.replace(problem, people=(person,))
    every = dataclasses.replace(
        config, optimiser=dataclasses.replace(config.optimiser, candidates_outside_team=0)
    )
    demand = build_demand(alone, score_people(alone, config), every)
    pairs = frozenset(
        (req.index, alone.worker_index[worker_id])
        for req in demand.requirements
        for (role, worker_id) in excluded
        if role is req.role and worker_id in alone.worker_index
    )
    return build_instance(alone, demand, caps, every, pairs)


def _rank_role(
    problem: Problem,
    demand: Demand,
    instance: Instance,
    caps: tuple[WorkerCapacity, ...],
    config: Config,
    req: Requirement,
    sub: int,
    held: _Loads,
    excluded: Mapping[tuple[Role, str], str],
    top: int,
) -> RoleSuggestion:
    candidates = {c.worker: c for c in instance.candidates[sub]}
    siblings = _sibling_holders(problem, demand, req)
    options, ruled_out = [], []
    for w, worker in enumerate(problem.workers):
        if worker.role is not req.role:
            continue
        why = _ruled_out(problem, instance, caps, req, w, candidates, held, excluded)
        if why is not None:
            ruled_out.append(why)
            continue
        option = _price(problem, instance, config, req, candidates[w], held, siblings)
        options.append(option)
    options.sort(key=lambda o: (o.cost, o.utilisation_after, o.worker_id))
    current = req.current_worker
    return RoleSuggestion(
        role=req.role,
        need=req.need.value,
        points=req.points / POINTS_SCALE,
        current_worker=None if current is None else problem.workers[current].worker_id,
        unallocated_cost=int(instance.unallocated_cost[sub]) / COST_SCALE,
        options=tuple(options[:top]),
        eligible=len(options),
        ruled_out=tuple(sorted(ruled_out, key=lambda r: (RULED_OUT.index(r.reason), r.worker_id))),
        other_role=sum(1 for w in problem.workers if w.role is not req.role),
    )


def _ruled_out(
    problem: Problem,
    instance: Instance,
    caps: tuple[WorkerCapacity, ...],
    req: Requirement,
    w: int,
    candidates: dict[int, Candidate],
    held: _Loads,
    excluded: Mapping[tuple[Role, str], str],
) -> RuledOut | None:
    """The first hard rule that stops worker ``w`` taking ``req``, or ``None``."""
    worker, cap = problem.workers[w], caps[w]
    if (req.role, worker.worker_id) in excluded:
        return RuledOut(worker.worker_id, "excluded", excluded[req.role, worker.worker_id])
    if not cap.can_hold:
        left = f"leaving on {worker.leaving_on}" if worker.leaving_on else "no capacity"
        return RuledOut(worker.worker_id, "leaving", left)
    if w == req.current_worker:
        return None if w in candidates else RuledOut(worker.worker_id, "excluded", "excluded")
    if not cap.can_receive:
        return RuledOut(worker.worker_id, "not_accepting", "not accepting new young people")
    if w not in candidates:
        needed = set(problem.people[req.person].needs_skills) - set(worker.skills)
        return RuledOut(worker.worker_id, "skill", "lacks " + ", ".join(sorted(needed)))
    after = int(held.loads[w]) + req.points
    if after > int(instance.hard_limit[w]):
        util = after / max(int(instance.capacity[w]), 1)
        return RuledOut(worker.worker_id, "hard_limit", f"would reach {util:.0%} of capacity")
    if cap.max_cases is not None and int(held.cases[w]) + 1 > cap.max_cases:
        return RuledOut(worker.worker_id, "max_cases", f"holds {held.cases[w]} of {cap.max_cases}")
    return None


def _sibling_holders(problem: Problem, demand: Demand, req: Requirement) -> dict[int, list[str]]:
    """Worker -> the young person's siblings they hold in this role."""
    group = problem.people[req.person].sibling_group
    found: dict[int, list[str]] = {}
    if not group:
        return found
    for other in demand.requirements:
        sibling = problem.people[other.person]
        if other.person == req.person or other.role is not req.role or other.current_worker is None:
            continue
        if sibling.sibling_group == group:
            found.setdefault(other.current_worker, []).append(sibling.person_id)
    return found


def _price(
    problem: Problem,
    instance: Instance,
    config: Config,
    req: Requirement,
    candidate: Candidate,
    held: _Loads,
    siblings: dict[int, list[str]],
) -> Option:
    """The objective's change if ``req`` went to ``candidate`` and nothing else moved."""
    w, current = candidate.worker, req.current_worker
    person, worker = problem.people[req.person], problem.workers[w]
    moves = w != current
    before, cases_before = int(held.loads[w]), int(held.cases[w])
    after = before + req.points if moves else before
    balance = _balance_delta(instance, config, w, before, after)
    if moves and current is not None and instance.balances(current):
        load = int(held.loads[current])
        balance += _balance_delta(instance, config, current, load, load - req.points)
    sibling = 0
    if req.role is Role.SOCIAL_WORKER and siblings:
        others = set(siblings)
        split_before = len(others | ({current} if current is not None else set())) - 1
        split_after = len(others | {w}) - 1
        sibling = (split_after - split_before) * instance.sibling_cost if moves else 0
    total = candidate.cost + balance + sibling
    capacity = max(int(instance.capacity[w]), 1)
    same_team = None if person.team is None or worker.team is None else person.team == worker.team
    return Option(
        worker_id=worker.worker_id,
        name=worker.name or "",
        team=worker.team or "",
        current=not moves,
        cost=total / COST_SCALE,
        change_cost=candidate.change_cost / COST_SCALE,
        team_cost=candidate.team_cost / COST_SCALE,
        skill_cost=candidate.skill_cost / COST_SCALE,
        balance_cost=balance / COST_SCALE,
        sibling_cost=sibling / COST_SCALE,
        load_before=before / POINTS_SCALE,
        load_after=after / POINTS_SCALE,
        utilisation_before=round(before / capacity, 4),
        utilisation_after=round(after / capacity, 4),
        cases_before=cases_before,
        cases_after=cases_before + int(moves),
        team_match=same_team,
        skills_missing=tuple(sorted(set(person.needs_skills) - set(worker.skills))),
        knows_young_person=worker.worker_id in person.previous_workers,
        holds_siblings=tuple(siblings.get(w, ())),
        agency=worker.agency,
    )


def _balance_delta(instance: Instance, config: Config, w: int, before: int, after: int) -> int:
    curve = instance.balance[w]
    if curve is None:
        curve = balance_curve(int(instance.capacity[w]), config)
    return balance_penalty(after, curve) - balance_penalty(before, curve)


def add_new_person(problem: Problem, path: str | Path) -> tuple[Problem, str]:
    """``problem`` with the one young person in ``path`` (cases format) added; and their id.

    Raises
    ------
    InputError
        When the file is not valid cases data, has other than one row, or
        names a young person already in the cases file.
    """
    from caseweight.io.inputs import read_cases
    from caseweight.io.tables import read_table

    table = read_table(path, "cases")
    problems = ProblemCollector()
    people = read_cases(table, problem.as_of, problem.workers, problems)
    if len(table) != 1:
        problems.add(table.name, None, None, f"{len(table)} rows", "exactly one young person's row")
    for person in people:
        if person.person_id in problem.person_index:
            problems.add(
                table.name,
                person.row,
                "person_id",
                person.person_id,
                "a young person not already in the cases file (use --person for them)",
            )
    problems.raise_if_any()
    return dataclasses.replace(problem, people=(*problem.people, people[0])), people[0].person_id
