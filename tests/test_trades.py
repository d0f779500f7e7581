"""Trades in the hill climb: room made where no single move can make it."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from authority import Authority
from caseweight.calibrate import demo_instance
from caseweight.config import Config
from caseweight.solution import objective_terms
from caseweight.solver.climb_state import ClimbState, best_move, make_room
from caseweight.solver.instance import Instance
from caseweight.solver.local_search import improve
from caseweight.solver.warm_start import UNALLOCATED, first_fit, loads_and_cases
from conftest import Runner

#: tenths of a point per young person; A holds S and X, B holds T and Y, R is new
POINTS = {"S": 50, "X": 60, "T": 10, "Y": 10, "R": 40}


def trade_case(run_authority: Runner, b_load: int) -> tuple[Instance, np.ndarray, dict]:
    """A (the only Farsi speaker) is 10 short of room for R; B has room in points
    but is at its ``max_cases`` of 2, so nobody can simply move to B.

    ``b_load`` sets B's load through Y's points (room = 120 - b_load).
    """
    authority = Authority()
    authority.worker("A", capacity_points=10, skills="language:farsi")
    authority.worker("B", capacity_points=10, max_cases=2)
    for person, holder in (("S", "A"), ("X", "A"), ("T", "B"), ("Y", "B")):
        authority.person(person, age=9, sw=holder)
    authority.person("R", age=9, needs_skills="language:farsi")
    proposal = run_authority(authority).proposal
    instance, problem = proposal.instance, proposal.problem
    person_of = {problem.people[req.person].person_id: req.index for req in instance.requirements}
    points = {**POINTS, "Y": b_load - POINTS["T"]}
    requirements = tuple(
        dataclasses.replace(req, points=points[problem.people[req.person].person_id])
        for req in instance.requirements
    )
    a, b = problem.worker_index["A"], problem.worker_index["B"]
    hard = instance.hard_limit.copy()
    hard[[a, b]] = 120
    instance = dataclasses.replace(instance, requirements=requirements, hard_limit=hard)
    start = np.full(len(requirements), UNALLOCATED, dtype=np.int64)
    for person, holder in (("S", a), ("X", a), ("T", b), ("Y", b)):
        start[person_of[person]] = holder
    return instance, start, {"A": a, "B": b, **person_of}


def test_a_trade_lets_in_a_young_person_no_single_move_can(run_authority: Runner) -> None:
    instance, start, ids = trade_case(run_authority, b_load=20)
    assert ids["B"] in {c.worker for c in instance.candidates[ids["S"]]}
    result, _, _ = improve(instance, start, seconds=10)
    assert result[ids["R"]] == ids["A"]
    # A gave a larger one (S or X) to B and took back the smaller T: B's count is unchanged
    assert ids["B"] in (result[ids["S"]], result[ids["X"]]) and result[ids["T"]] == ids["A"]
    loads, cases = loads_and_cases(instance, result)
    assert loads[ids["A"]] <= 120 and loads[ids["B"]] <= 120 and cases[ids["B"]] == 2
    assert sum(objective_terms(instance, result).values()) < sum(
        objective_terms(instance, start).values()
    )


@pytest.mark.parametrize("b_load", [100, 110])
def test_no_trade_when_the_receiver_has_too_little_room(run_authority: Runner, b_load: int) -> None:
    """B's room (20 or 10) is less than any trade gives (S - T = 40, X - T = 50)."""
    instance, start, ids = trade_case(run_authority, b_load=b_load)
    result, _, _ = improve(instance, start, seconds=10)
    assert result[ids["R"]] == UNALLOCATED
    loads, cases = loads_and_cases(instance, result)
    assert loads[ids["A"]] <= 120 and cases[ids["B"]] <= 2


def test_a_trade_relieves_a_worker_far_over_the_hard_limit(run_authority: Runner) -> None:
    """A holds 160% and nobody can simply take from A: W is at its hard limit and
    V, with room in points, at its ``max_cases``. W gives P to V, takes back the
    smaller T, and so has room for one of A's young people."""
    authority = Authority()
    for w in ("A", "W"):
        authority.worker(w, capacity_points=10)
    authority.worker("V", capacity_points=10, max_cases=2)
    holders = {"S": "A", "X": "A", "Z": "A", "P": "W", "Q": "W", "T": "V", "Y": "V"}
    for person, holder in holders.items():
        authority.person(person, age=9, sw=holder)
    proposal = run_authority(authority).proposal
    instance, problem = proposal.instance, proposal.problem
    points = {"S": 60, "X": 50, "Z": 50, "P": 60, "Q": 60, "T": 10, "Y": 10}
    requirements = tuple(
        dataclasses.replace(req, points=points[problem.people[req.person].person_id])
        for req in instance.requirements
    )
    hard = np.full(instance.n_workers, 120, dtype=np.int64)
    instance = dataclasses.replace(instance, requirements=requirements, hard_limit=hard)
    start = np.array(
        [problem.worker_index[holders[problem.people[r.person].person_id]] for r in requirements]
    )
    result, _, _ = improve(instance, start, seconds=10)
    loads, cases = loads_and_cases(instance, result)
    a, w, v = (problem.worker_index[x] for x in ("A", "W", "V"))
    assert loads[a] < 160  # relieved
    assert loads[w] <= 120 and loads[v] <= 120 and cases[v] <= 2
    assert sum(objective_terms(instance, result).values()) < sum(
        objective_terms(instance, start).values()
    )


def test_a_swap_sends_a_moved_young_person_back_to_their_own_worker(
    run_authority: Runner,
) -> None:
    """R (A's) sits with B and N (nobody's yet) with A; both workers are at the hard
    limit, so only exchanging the two puts R back with A, saving a change."""
    authority = Authority()
    for w in ("A", "B"):
        authority.worker(w, capacity_points=10)
    authority.person("R", age=9, sw="A")
    authority.person("N", age=9)
    authority.person("F1", age=9, sw="A")
    authority.person("F2", age=9, sw="B")
    proposal = run_authority(authority).proposal
    instance, problem = proposal.instance, proposal.problem
    points = {"R": 30, "N": 30, "F1": 90, "F2": 90}
    name = {req.index: problem.people[req.person].person_id for req in instance.requirements}
    requirements = tuple(
        dataclasses.replace(req, points=points[name[req.index]]) for req in instance.requirements
    )
    instance = dataclasses.replace(
        instance, requirements=requirements, hard_limit=np.full(instance.n_workers, 120)
    )
    a, b = problem.worker_index["A"], problem.worker_index["B"]
    start_on = {"R": b, "N": a, "F1": a, "F2": b}
    start = np.array([start_on[name[r.index]] for r in requirements], dtype=np.int64)
    result, _, _ = improve(instance, start, seconds=10)
    on = {name[r]: int(w) for r, w in enumerate(result)}
    assert on == {"R": a, "N": b, "F1": a, "F2": b}


def test_a_chain_sends_a_moved_young_person_back_where_no_swap_can(
    run_authority: Runner,
) -> None:
    """R (A's own, a Farsi speaker like A and B, not C) sits with B. A is at the
    hard limit with N (nobody's yet) and N is larger than R, so exchanging R and
    N would put B over it. Moving N to C alone does not pay (A and C just change
    places on the curve). The chain R: B -> A, N: A -> C saves R's change."""
    authority = Authority()
    for w in ("A", "B"):
        authority.worker(w, capacity_points=10, skills="language:farsi")
    authority.worker("C", capacity_points=10)
    authority.person("R", age=9, sw="A", needs_skills="language:farsi")
    authority.person("N", age=9)
    for person, holder in (("F1", "A"), ("F2", "B"), ("F3", "C")):
        authority.person(person, age=9, sw=holder)
    proposal = run_authority(authority).proposal
    instance, problem = proposal.instance, proposal.problem
    points = {"R": 30, "N": 40, "F1": 80, "F2": 90, "F3": 80}
    name = {req.index: problem.people[req.person].person_id for req in instance.requirements}
    requirements = tuple(
        dataclasses.replace(req, points=points[name[req.index]]) for req in instance.requirements
    )
    instance = dataclasses.replace(
        instance, requirements=requirements, hard_limit=np.full(instance.n_workers, 120)
    )
    a, b, c = (problem.worker_index[w] for w in ("A", "B", "C"))
    start_on = {"R": b, "N": a, "F1": a, "F2": b, "F3": c}
    start = np.array([start_on[name[r.index]] for r in requirements], dtype=np.int64)
    result, converged, _ = improve(instance, start, seconds=10)
    on = {name[r]: int(w) for r, w in enumerate(result)}
    assert converged
    assert on == {"R": a, "N": c, "F1": a, "F2": b, "F3": c}
    loads, _ = loads_and_cases(instance, result)
    assert loads[a] <= 120 and loads[c] <= 120
    assert sum(objective_terms(instance, result).values()) < sum(
        objective_terms(instance, start).values()
    )


def test_make_room_on_a_full_worker_is_the_same_with_its_first_ejection_kept() -> None:
    """The demo's first fit: each full worker's cheapest ejection, kept per state,
    is what a fresh look finds, and a failed attempt leaves the state as it was."""
    instance = demo_instance(Config())
    state = ClimbState(instance, first_fit(instance))
    fresh = ClimbState(instance, state.assignment.copy())
    waiting = np.flatnonzero(state.assignment == UNALLOCATED).tolist()
    tried, undone = 0, 0
    for r in waiting:
        for w in state.cost[r]:
            if state.fits(r, w):
                continue
            before = (state.assignment.copy(), list(state.loads_list), state.version)
            moves = state.moves
            kept = make_room(state, r, w, gain=10**12)  # never pays: always undone
            assert kept is None
            undone += state.moves > moves
            np.testing.assert_array_equal(state.assignment, before[0])
            assert state.loads_list == before[1] and state.version == before[2]
            assert state.ejection(w) == fresh.ejection(w)
            tried += 1
    assert tried > 0 and undone > 0
    # a move gives a new state: the kept ejection is looked at afresh
    r = next(r for r in range(len(instance.requirements)) if state.assignment[r] != UNALLOCATED)
    w, delta = best_move(state, r)
    assert delta is not None
    state.move(r, w)
    fresh.move(r, w)
    for v in range(instance.n_workers):
        assert state.ejection(v) == fresh.ejection(v)
