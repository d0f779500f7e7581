"""Who waits when nobody can make room: the young person whose wait costs most is placed."""

from __future__ import annotations

import dataclasses

import numpy as np

from authority import Authority
from caseweight.problem import Role
from caseweight.solution import objective_terms, pair_cost
from caseweight.solver.instance import Instance
from caseweight.solver.local_search import improve
from caseweight.solver.warm_start import UNALLOCATED, loads_and_cases
from conftest import Runner

#: tenths of a point: S alone fills adviser A (hard limit 120); R needs 100
POINTS = {"S": 120, "R": 100}


def full_adviser(
    run_authority: Runner, s_age: tuple[int, int], r_age: tuple[int, int], s_keeps_a: bool = False
) -> tuple[Instance, dict[tuple[str, Role], int], int]:
    """S (on A) and R (waiting), both in care at 16-17 and due a PA; A is their only one.

    Their social workers (W, plenty of room) are settled. Returns the
    instance, each (person, role)'s requirement and A's index.
    """
    authority = Authority()
    authority.worker("W", capacity_points=40, team="north")
    authority.worker("A", role="pa", capacity_points=10, team="north")
    for person, (years, months) in (("S", s_age), ("R", r_age)):
        pa = "A" if person == "S" and s_keeps_a else None
        authority.person(person, age=years, months=months, sw="W", pa=pa, team="north")
    proposal = run_authority(authority).proposal
    instance, problem = proposal.instance, proposal.problem
    ids = {
        (problem.people[req.person].person_id, req.role): req.index for req in instance.requirements
    }
    a, w = problem.worker_index["A"], problem.worker_index["W"]
    requirements = tuple(
        dataclasses.replace(req, points=POINTS[problem.people[req.person].person_id])
        for req in instance.requirements
    )
    only = {r: (a if role is Role.PERSONAL_ADVISER else w) for (_, role), r in ids.items()}
    candidates = tuple((pair_cost(instance, r, only[r]),) for r in range(len(requirements)))
    limits = instance.hard_limit.copy()
    limits[a] = 120
    instance = dataclasses.replace(
        instance, requirements=requirements, candidates=candidates, hard_limit=limits
    )
    return instance, ids, a


def start(instance: Instance, ids: dict[tuple[str, Role], int], a: int) -> np.ndarray:
    """Both with W; S with A, R waiting for a PA."""
    out = np.full(len(instance.requirements), UNALLOCATED, dtype=np.int64)
    for person in "SR":
        out[ids[person, Role.SOCIAL_WORKER]] = instance.requirements[
            ids[person, Role.SOCIAL_WORKER]
        ].current_worker
    out[ids["S", Role.PERSONAL_ADVISER]] = a
    return out


def test_the_older_young_person_gets_the_last_room_with_a_full_adviser(
    run_authority: Runner,
) -> None:
    """R turns 18 in two months, S has just turned 16: R's wait costs more."""
    instance, ids, a = full_adviser(run_authority, s_age=(16, 0), r_age=(17, 10))
    s, r = ids["S", Role.PERSONAL_ADVISER], ids["R", Role.PERSONAL_ADVISER]
    assert instance.unallocated_cost[r] > instance.unallocated_cost[s]
    assert not instance.keepable[s]
    begin = start(instance, ids, a)
    result, converged, _ = improve(instance, begin, seconds=10)
    assert converged
    assert result[r] == a
    assert result[s] == UNALLOCATED
    loads, _ = loads_and_cases(instance, result)
    assert loads[a] <= instance.hard_limit[a]
    after = sum(objective_terms(instance, result).values())
    assert after < sum(objective_terms(instance, begin).values())


def test_the_younger_young_person_waits_and_nobody_is_moved(run_authority: Runner) -> None:
    instance, ids, a = full_adviser(run_authority, s_age=(17, 10), r_age=(16, 0))
    begin = start(instance, ids, a)
    result, converged, _ = improve(instance, begin, seconds=10)
    assert converged
    np.testing.assert_array_equal(result, begin)


def test_a_young_person_their_adviser_can_keep_is_never_made_to_wait(
    run_authority: Runner,
) -> None:
    """Rule 5: S already has A, so S stays however old R is."""
    instance, ids, a = full_adviser(run_authority, s_age=(16, 0), r_age=(17, 10), s_keeps_a=True)
    s = ids["S", Role.PERSONAL_ADVISER]
    assert instance.keepable[s]
    begin = start(instance, ids, a)
    result, converged, _ = improve(instance, begin, seconds=10)
    assert converged
    assert result[s] == a
    assert result[ids["R", Role.PERSONAL_ADVISER]] == UNALLOCATED
