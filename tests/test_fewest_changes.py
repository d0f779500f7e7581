"""The fewest-changes proof of the scale benchmark (issue 3), on authorities solved by hand.

Loads (``RULES_CONFIG``): an in-care young person under 12 scores 5 points,
12 and over 6; a worker with ``capacity_points=10`` has a hard limit of 12
points (120%). Instances are built by the real reader, scoring, demand and
instance builder; the bound is proven by the real solvers (HiGHS and CP-SAT
through MathOpt, CP-SAT for the completion).
"""

from __future__ import annotations

import sys
from datetime import timedelta
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from authority import AS_OF, Authority
from caseweight.capacity import capacities
from caseweight.config import Config
from caseweight.demand import build_demand
from caseweight.demo import write_authority
from caseweight.io.inputs import read_problem
from caseweight.pipeline import propose
from caseweight.problem import Problem, Role
from caseweight.solution import check_proposal
from caseweight.solver.instance import Instance, build_instance
from caseweight.weighting import score_people
from conftest import RULES_CONFIG

sys.path.append(str(Path(__file__).parents[1] / "benchmarks"))
from fewest_changes import (
    Fewest,
    RoleRange,
    changes_of,
    fewest_changes,
    proposal_ranges,
    violations,
    within_maximum,
)
from max_floor import max_floor

ENGINES = ("HIGHS", "CP_SAT")
SW = Role.SOCIAL_WORKER


def build(
    authority: Authority, tmp_path: Path, config: Config = RULES_CONFIG
) -> tuple[Problem, Instance]:
    cases, workers = authority.write(tmp_path / "in")
    problem = read_problem(cases, workers, AS_OF, config)
    demand = build_demand(problem, score_people(problem, config), config)
    return problem, build_instance(problem, demand, capacities(problem, config), config)


def sw_range(low: float, high: float, unallocated: int = 0) -> dict[Role, RoleRange]:
    """A social-worker range only (the authorities below have no personal advisers)."""
    return {SW: RoleRange(Fraction(low).limit_denominator(), Fraction(high), unallocated)}


def solved(
    authority: Authority, tmp_path: Path, ranges: dict[Role, RoleRange], engine: str
) -> tuple[Problem, Instance, Fewest]:
    problem, instance = build(authority, tmp_path)
    fewest = fewest_changes(instance, ranges=ranges, time_limit=5, engine=engine)
    return problem, instance, fewest


@pytest.mark.parametrize("engine", ENGINES)
def test_an_overloaded_worker_sheds_the_largest_first(tmp_path: Path, engine: str) -> None:
    """S1 (10 points) holds 6 + 5 + 5; at most 100%: moving the 6-pointer alone is enough."""
    authority = Authority().worker("S1", capacity_points=10).worker("S2", capacity_points=20)
    authority.person("A", age=13, sw="S1").person("B", sw="S1").person("C", sw="S1")
    problem, instance, fewest = solved(authority, tmp_path, sw_range(0, 1.0), engine)
    assert (fewest.lower_bound, fewest.best, fewest.roles[SW].status) == (1, 1, "exact")
    best = fewest.assignment(len(instance.requirements))
    assert best is not None
    assert check_proposal(problem, instance, best, RULES_CONFIG).ok
    assert changes_of(instance, best) == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_a_tighter_maximum_needs_more_changes(tmp_path: Path, engine: str) -> None:
    """At most 50%, S1 keeps one of A, B, C: two move (to S2 and S3, 50% each at most)."""
    authority = Authority().worker("S1", capacity_points=10)
    authority.worker("S2", capacity_points=10).worker("S3", capacity_points=10)
    authority.person("A", sw="S1").person("B", sw="S1").person("C", sw="S1")
    _, _, fewest = solved(authority, tmp_path, sw_range(0, 0.5), engine)
    assert (fewest.lower_bound, fewest.best) == (2, 2)


@pytest.mark.parametrize("engine", ENGINES)
def test_moves_off_a_leaver_count(tmp_path: Path, engine: str) -> None:
    authority = Authority().worker("S2", capacity_points=20)
    authority.worker("S1", capacity_points=10, leaving_on=AS_OF - timedelta(days=1))
    authority.person("A", sw="S1").person("B", sw="S1").person("C", sw="S2")
    _, _, fewest = solved(authority, tmp_path, sw_range(0, 1.0), engine)
    assert fewest.roles[SW].forced == 2
    assert (fewest.lower_bound, fewest.best) == (2, 2)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_worker_below_the_minimum_needs_someone_moved(tmp_path: Path, engine: str) -> None:
    """S1 at 100% is within [50%, 100%]; S2, empty, is not: one young person must move.

    Nobody is past the maximum, so the shed bound says 0; the relaxation proves 1.
    """
    authority = Authority().worker("S1", capacity_points=10).worker("S2", capacity_points=10)
    authority.person("A", sw="S1").person("B", sw="S1")
    _, _, fewest = solved(authority, tmp_path, sw_range(0.5, 1.0), engine)
    assert fewest.roles[SW].shed_bound == 0
    assert fewest.roles[SW].method == f"relaxation optimal ({engine})"
    assert (fewest.lower_bound, fewest.best) == (1, 1)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_receiver_must_come_within_the_hard_limit(tmp_path: Path, engine: str) -> None:
    """Rule 5: N needs a UASC-trained worker, and only S1 (at 150%, allowed by the range) is.

    Receiving N, S1 must end within 12 points: keep one of A, B, C. Two move.
    """
    authority = Authority().worker("S1", capacity_points=10, skills="uasc")
    authority.worker("S2", capacity_points=20)
    authority.person("A", sw="S1").person("B", sw="S1").person("C", sw="S1")
    authority.person("N", needs_skills="uasc", uasc=True)
    _, instance, fewest = solved(authority, tmp_path, sw_range(0, 1.5), engine)
    assert fewest.roles[SW].shed_bound == 0
    assert fewest.roles[SW].method == f"relaxation optimal ({engine})"
    assert (fewest.lower_bound, fewest.best) == (2, 2)
    best = fewest.assignment(len(instance.requirements))
    assert best is not None
    n = next(r.index for r in instance.requirements if r.current_worker is None)
    assert best[n] == 0  # N went to S1


@pytest.mark.parametrize("engine", ENGINES)
def test_a_receiver_must_come_within_max_cases(tmp_path: Path, engine: str) -> None:
    """Rule 5 (cases): S1 (max 2 cases) is the only one who can take N, so A or B moves."""
    authority = Authority().worker("S1", capacity_points=20, skills="uasc", max_cases=2)
    authority.worker("S2", capacity_points=20)
    authority.person("A", sw="S1").person("B", sw="S1")
    authority.person("N", needs_skills="uasc", uasc=True)
    _, _, fewest = solved(authority, tmp_path, sw_range(0, 1.0), engine)
    assert fewest.roles[SW].shed_bound == 0
    assert (fewest.lower_bound, fewest.best) == (1, 1)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_range_nobody_can_meet_is_reported_infeasible(tmp_path: Path, engine: str) -> None:
    authority = Authority().worker("S1", capacity_points=10)
    authority.person("A", sw="S1").person("B", sw="S1")
    _, _, fewest = solved(authority, tmp_path, sw_range(0, 0.3), engine)
    assert not fewest.feasible
    assert fewest.roles[SW].status == "infeasible"
    assert fewest.lower_bound is None and fewest.best is None
    assert np.isnan(fewest.ratio(3))


def test_the_bound_never_exceeds_caseweights_own_proposal(tmp_path: Path) -> None:
    """L <= the changes of caseweight's proposal on a generated authority (it meets its range)."""
    cases, workers = write_authority(tmp_path / "demo", people=160, workers=12, seed=7)
    config = Config()
    problem = read_problem(cases, workers, AS_OF, config)
    proposal = propose(problem, config, time_limit=2.0)
    instance, assignment = proposal.instance, proposal.assignment
    fewest = fewest_changes(instance, assignment, time_limit=5, exact_time_limit=5)
    assert fewest.feasible and fewest.lower_bound is not None and fewest.best is not None
    assert fewest.roles[SW].forced <= fewest.lower_bound <= fewest.best
    assert fewest.best <= changes_of(instance, assignment)
    assert fewest.ratio(changes_of(instance, assignment)) >= 1.0
    best = fewest.assignment(len(instance.requirements))
    assert best is not None
    assert check_proposal(problem, instance, best, config).ok
    assert violations(instance, best, proposal_ranges(instance, assignment)) == []


def test_violations_names_a_broken_range_and_an_ineligible_worker(tmp_path: Path) -> None:
    authority = Authority().worker("S1", capacity_points=10).worker("P1", "pa", capacity_points=10)
    authority.worker("S2", capacity_points=10, accepting_new=False)
    authority.person("A", sw="S1").person("B", sw="S1")
    _, instance = build(authority, tmp_path)
    kept = np.array([0, 0])  # both with S1: 100%
    assert violations(instance, kept, sw_range(0, 1.0)) == []
    assert any("outside the range" in v for v in violations(instance, kept, sw_range(0, 0.9)))
    to_s2 = np.array([0, 2])  # S2 accepts nobody new
    assert any("not eligible" in v for v in violations(instance, to_s2, sw_range(0, 1.0)))


def packing_authority() -> Authority:
    """S1 (10 points, at most 100%) holds three 6-pointers; S2 and S3 a 5-pointer each; S4 nobody.

    S1 keeps one 6-pointer and two must go. In points there is room for them
    (S4's 10 and 5 more on S2 or S3), but a 6-pointer fits next to nobody: one
    goes to S4, the other needs S2 or S3 emptied, so a 5-pointer moves too.
    """
    authority = Authority()
    for worker in ("S1", "S2", "S3", "S4"):
        authority.worker(worker, capacity_points=10)
    for person in ("A", "B", "C"):
        authority.person(person, age=13, sw="S1")
    return authority.person("D", sw="S2").person("E", sw="S3")


@pytest.mark.parametrize("engine", ENGINES)
def test_whole_young_people_need_a_third_change_the_pooled_points_do_not(
    tmp_path: Path, engine: str
) -> None:
    problem, instance = build(packing_authority(), tmp_path)
    pooled = fewest_changes(instance, ranges=sw_range(0, 1.0), time_limit=5, engine=engine)
    assert pooled.roles[SW].lower_bound == 2 and pooled.roles[SW].status == "bound"
    exact = fewest_changes(
        instance, ranges=sw_range(0, 1.0), time_limit=5, engine=engine, exact_time_limit=5
    )
    role = exact.roles[SW]
    assert (role.lower_bound, role.best, role.status) == (3, 3, "exact")
    assert role.method.startswith("exact by size optimal")
    best = exact.assignment(len(instance.requirements))
    assert best is not None and changes_of(instance, best) == 3
    assert check_proposal(problem, instance, best, RULES_CONFIG).ok
    assert violations(instance, best, sw_range(0, 1.0)) == []


@pytest.mark.parametrize(
    ("greedy", "changes", "fewest"),
    [
        ((1, 0), 1, 1),  # A moved to S2: both at 50%, and within 50% one must move
        ((1, 1), 2, 0),  # both moved: S2 at 100%, and within 100% nobody need move
    ],
)
def test_fewer_changes_than_a_peer_within_its_maximum(
    tmp_path: Path, greedy: tuple[int, int], changes: int, fewest: int
) -> None:
    """S1 and S2 (10 points each); A and B (5 each) with S1; a peer sets the maximum."""
    authority = Authority().worker("S1", capacity_points=10).worker("S2", capacity_points=10)
    _, instance = build(authority.person("A", sw="S1").person("B", sw="S1"), tmp_path)
    peer = np.array(greedy)
    ranges = within_maximum(instance, peer, {})
    assert ranges[SW].low == 0 and ranges[SW].max_unallocated == 0
    found = fewest_changes(instance, ranges=ranges, time_limit=5)
    assert changes_of(instance, peer) == changes
    assert (found.lower_bound, found.best) == (fewest, fewest)


@pytest.mark.parametrize(
    ("s2_leaving", "waiting", "floor"),
    [
        # S1 (100 tenths of capacity) holds 150, S2 (100) nothing: each may hold
        # 100m, S1 up to its 150, S2 up to its hard limit 120: 200m >= 150
        (False, 0, Fraction(7499, 10_000)),
        # S2 leaves within 90 days and may receive nobody: S1 holds all 150
        (True, 0, Fraction(14_999, 10_000)),
        # one young person (50) may wait: S1 holds 100
        (True, 1, Fraction(9_999, 10_000)),
    ],
)
def test_the_least_maximum_by_counting(
    tmp_path: Path, s2_leaving: bool, waiting: int, floor: Fraction
) -> None:
    """A, B, C (5 points each) with S1; every allocation peaks above ``max_floor``."""
    leaving = {"leaving_on": AS_OF + timedelta(days=30)} if s2_leaving else {}
    authority = Authority().worker("S1", capacity_points=10)
    authority.worker("S2", capacity_points=10, **leaving)
    authority.person("A", sw="S1").person("B", sw="S1").person("C", sw="S1")
    problem, instance = build(authority, tmp_path)
    assert max_floor(instance, SW, waiting) == floor
    # a tighter maximum with that many waiting is infeasible for the exact proof too
    below = {SW: RoleRange(Fraction(0), floor, waiting)}
    assert not fewest_changes(instance, ranges=below, time_limit=5).feasible
    if waiting == 0:  # caseweight's own proposal peaks above it
        proposal = propose(problem, RULES_CONFIG, time_limit=2.0)
        assert proposal_ranges(instance, proposal.result.assignment)[SW].high > floor


def test_no_maximum_fits_when_nobody_may_hold_them(tmp_path: Path) -> None:
    authority = Authority().worker("S1", capacity_points=10, leaving_on=AS_OF - timedelta(days=1))
    authority.worker("S2", capacity_points=10, leaving_on=AS_OF + timedelta(days=30))
    authority.person("A", sw="S1")
    _, instance = build(authority, tmp_path)
    assert max_floor(instance, SW, 0) is None
    assert max_floor(instance, SW, 1) == 0
