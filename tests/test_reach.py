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


def shaped(
    run_authority: Runner,
    authority: Authority,
    points: dict[str, int],
    only: dict[str, tuple[str, ...]],
    hard: dict[str, int],
) -> tuple[Instance, dict]:
    """Run ``authority``, then set points, candidates and hard limits by id."""
    proposal = run_authority(authority).proposal
    instance, problem = proposal.instance, proposal.problem
    ids = {problem.people[req.person].person_id: req.index for req in instance.requirements}
    ids.update({w: problem.worker_index[w] for w in hard})
    requirements = tuple(
        dataclasses.replace(req, points=points[problem.people[req.person].person_id])
        for req in instance.requirements
    )
    by_index = {ids[p]: tuple(ids[w] for w in workers) for p, workers in only.items()}
    candidates = tuple(
        tuple(pair_cost(instance, r, w) for w in by_index[r]) for r in range(len(requirements))
    )
    limits = instance.hard_limit.copy()
    for w, limit in hard.items():
        limits[ids[w]] = limit
    instance = dataclasses.replace(
        instance, requirements=requirements, candidates=candidates, hard_limit=limits
    )
    return instance, ids


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
    only = {p: (w,) for p, w in HOLDERS.items()} | {"R": ("A", "B")}
    return shaped(run_authority, authority, POINTS, only, dict.fromkeys("ABC", 120))


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


def test_a_worker_at_their_case_limit_is_only_reached_to_make_room(
    run_authority: Runner,
) -> None:
    """C has room in points but not in cases; Z, its one young person, cannot leave."""
    instance, ids = waiting_case(run_authority, c_max_cases=1)
    result, converged, wider = improve(instance, start(instance, ids), seconds=10)
    assert converged
    assert result[ids["R"]] == UNALLOCATED
    assert result[ids["Z"]] == ids["C"]
    # C was reached as the nearest to room, once: the climb still ends
    assert [c.worker for c in wider.candidates[ids["R"]]] == [ids["A"], ids["B"], ids["C"]]


def test_room_is_made_on_a_worker_nobody_could_reach(run_authority: Runner) -> None:
    """R needs Farsi: A and B (its candidates) are full, C (elsewhere) is 2 points short.

    Nobody eligible for R has room now. C's young person Z can go to D, who has
    room but no Farsi; then R fits C.
    """
    authority = Authority()
    for w, team in [("A", "north"), ("B", "north"), ("C", "south"), ("D", "south")]:
        skills = "" if w == "D" else "farsi"
        authority.worker(w, capacity_points=10, team=team, skills=skills)
    for person, holder in HOLDERS.items():
        authority.person(person, age=9, sw=holder, team="south" if holder == "C" else "north")
    authority.person("R", age=9, team="north", needs_skills="farsi")
    points = POINTS | {"Z": 100}
    only = {p: (w,) for p, w in HOLDERS.items()} | {"Z": ("C", "D"), "R": ("A", "B")}
    instance, ids = shaped(run_authority, authority, points, only, dict.fromkeys("ABCD", 120))
    begin = start(instance, ids)
    result, converged, wider = improve(instance, begin, seconds=10)
    assert converged
    assert result[ids["R"]] == ids["C"]
    assert result[ids["Z"]] == ids["D"]
    loads, _ = loads_and_cases(instance, result)
    assert loads[ids["C"]] <= 120
    assert sum(objective_terms(wider, result).values()) < sum(
        objective_terms(instance, begin).values()
    )


def test_a_full_workers_young_person_is_given_a_worker_with_room_to_let_someone_in(
    run_authority: Runner,
) -> None:
    """R needs Farsi, which only A and B have; both are full and all R's own.

    S, on A, could go to D, who has room (and needs no Farsi for S), but D is
    on nobody's list. The relay gives S D, and making room on A lets R in.
    """
    authority = Authority()
    for w in "ABD":
        authority.worker(w, capacity_points=10, team="north", skills="" if w == "D" else "farsi")
    authority.person("S", age=9, sw="A", team="north")
    authority.person("T", age=9, sw="B", team="north")
    authority.person("R", age=9, team="north", needs_skills="farsi")
    only = {"S": ("A",), "T": ("B",), "R": ("A", "B")}
    points = {"S": 120, "T": 120, "R": 40}
    instance, ids = shaped(run_authority, authority, points, only, dict.fromkeys("ABD", 120))
    begin = np.full(len(instance.requirements), UNALLOCATED, dtype=np.int64)
    begin[ids["S"]], begin[ids["T"]] = ids["A"], ids["B"]
    result, converged, wider = improve(instance, begin, seconds=10)
    assert converged
    assert result[ids["R"]] in (ids["A"], ids["B"])
    moved = "S" if result[ids["R"]] == ids["A"] else "T"
    assert result[ids[moved]] == ids["D"]
    # D joined the moved young person's candidates, and nobody else's
    assert ids["D"] in {c.worker for c in wider.candidates[ids[moved]]}
    assert ids["D"] not in {c.worker for c in wider.candidates[ids["R"]]}
    assert sum(objective_terms(wider, result).values()) < sum(
        objective_terms(instance, begin).values()
    )
