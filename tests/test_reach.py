"""Reaching past the candidates: workers with room now, for young people left unallocated."""

from __future__ import annotations

import dataclasses

import numpy as np

from authority import Authority
from caseweight.solution import objective_terms, pair_cost
from caseweight.solver.instance import Instance
from caseweight.solver.local_search import improve
from caseweight.solver.warm_start import UNALLOCATED, loads_and_cases
from conftest import Runner

#: tenths of a point: S fills A, T fills B (hard limits 120), Z leaves C room for R
POINTS = {"S": 120, "T": 120, "Z": 40, "R": 40}
HOLDERS = {"S": "A", "T": "B", "Z": "C"}


def waiting_case(run_authority: Runner, c_max_cases: int | None = None) -> tuple[Instance, dict]:
    """R is new and its only candidates, A and B, are full; nobody can leave them.

    C, in another team, has room for R but is not among R's candidates.
    """
    authority = Authority()
    authority.worker("A", capacity_points=10, team="north")
    authority.worker("B", capacity_points=10, team="north")
    authority.worker("C", capacity_points=10, team="south", max_cases=c_max_cases)
    for person, holder in HOLDERS.items():
        team = "south" if holder == "C" else "north"
        authority.person(person, age=9, sw=holder, team=team)
    authority.person("R", age=9, team="north")
    proposal = run_authority(authority).proposal
    instance, problem = proposal.instance, proposal.problem
    ids = {problem.people[req.person].person_id: req.index for req in instance.requirements}
    ids.update({w: problem.worker_index[w] for w in "ABC"})
    requirements = tuple(
        dataclasses.replace(req, points=POINTS[problem.people[req.person].person_id])
        for req in instance.requirements
    )
    only = {ids[p]: (ids[w],) for p, w in HOLDERS.items()} | {ids["R"]: (ids["A"], ids["B"])}
    candidates = tuple(
        tuple(pair_cost(instance, r, w) for w in only[r]) for r in range(len(requirements))
    )
    hard = instance.hard_limit.copy()
    hard[[ids["A"], ids["B"], ids["C"]]] = 120
    instance = dataclasses.replace(
        instance, requirements=requirements, candidates=candidates, hard_limit=hard
    )
    return instance, ids


def start(instance: Instance, ids: dict) -> np.ndarray:
    out = np.full(len(instance.requirements), UNALLOCATED, dtype=np.int64)
    for person, holder in HOLDERS.items():
        out[ids[person]] = ids[holder]
    return out


def test_an_unallocated_young_person_reaches_a_worker_with_room(run_authority: Runner) -> None:
    instance, ids = waiting_case(run_authority)
    begin = start(instance, ids)
    result, converged, wider = improve(instance, begin, seconds=10)
    assert converged
    assert result[ids["R"]] == ids["C"]
    # C joined R's candidates, priced as the full matrices price the pair
    assert pair_cost(instance, ids["R"], ids["C"]) in wider.candidates[ids["R"]]
    assert wider.candidates[ids["S"]] == instance.candidates[ids["S"]]
    loads, _ = loads_and_cases(instance, result)
    assert loads[ids["C"]] <= 120
    assert sum(objective_terms(wider, result).values()) < sum(
        objective_terms(instance, begin).values()
    )


def test_a_worker_at_their_case_limit_is_not_reached(run_authority: Runner) -> None:
    instance, ids = waiting_case(run_authority, c_max_cases=1)
    result, converged, wider = improve(instance, start(instance, ids), seconds=10)
    assert converged
    assert result[ids["R"]] == UNALLOCATED
    assert wider.candidates == instance.candidates
