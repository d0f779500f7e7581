"""The simulation's "by hand" policies: what a manager does without the optimiser.

"By hand" as issue 5 puts it keeps every current worker who can still hold
the young person and gives each young person needing a worker to the
least-loaded worker with room; "managing caseloads" then moves cases off any
worker above a utilisation threshold, the most recently allocated first.

Taken literally, the issue's "by hand" does not read the HR feed ahead: it
gives young people to a worker who leaves or goes on long-term absence next
week (:func:`ignoring_notice`). The managing policy, as a team manager who
knows their staff's notice, keeps the config's rule (nobody new for a worker
about to go: :mod:`caseweight.capacity`).
"""

from __future__ import annotations

import dataclasses
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from caseweight.capacity import WorkerCapacity
from caseweight.demand import Demand, Requirement
from caseweight.problem import Problem, Role

NOBODY = -1


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


def ignoring_notice(problem: Problem, caps: Sequence[WorkerCapacity]) -> tuple[WorkerCapacity, ...]:
    """``caps`` without the rule that a worker about to leave or go absent receives nobody.

    Every worker who can hold young people and is accepting new ones (the
    workers file's own flag) can receive, however soon they go.
    """
    return tuple(
        dataclasses.replace(cap, can_receive=cap.can_hold and worker.accepting_new)
        for cap, worker in zip(caps, problem.workers, strict=True)
    )


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
