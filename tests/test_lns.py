"""CP-SAT neighbourhoods of young people (solver/lns.py): fixed load, rule 5, determinism."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ortools.sat.python import cp_model

from authority import Authority
from caseweight.capacity import capacities
from caseweight.config import Config
from caseweight.demand import build_demand
from caseweight.demo import generate_authority
from caseweight.io.inputs import read_problem
from caseweight.problem import Problem, Role
from caseweight.solution import check_proposal, objective_terms
from caseweight.solver.hints import add_full_hint
from caseweight.solver.instance import Instance, build_instance
from caseweight.solver.lns import (
    CHUNK,
    GUIDED_CHUNK,
    Budget,
    lp_disagreements,
    movers,
    neighbourhoods,
    search,
    shares,
    solve_part,
)
from caseweight.solver.model import AllocationModel, Neighbourhood
from caseweight.solver.solve import SolveSettings, solve
from caseweight.solver.transport import FlowSolution, role_flows
from caseweight.solver.warm_start import UNALLOCATED, first_fit, loads_and_cases
from caseweight.weighting import score_people
from conftest import AS_OF, Runner, fix_choices
from test_reach import shaped

FAR = 1e12  # a wall-clock end no test reaches: only deterministic limits stop the search


def generated(
    tmp_path: Path, seed: int = 1, people: int = 300, workers: int = 20
) -> tuple[Problem, Instance]:
    cases, staff = generate_authority(people=people, workers=workers, seed=seed)
    cases.to_csv(tmp_path / "cases.csv", index=False)
    staff.to_csv(tmp_path / "workers.csv", index=False)
    config = Config()
    problem = read_problem(tmp_path / "cases.csv", tmp_path / "workers.csv", AS_OF, config)
    demand = build_demand(problem, score_people(problem, config), config)
    return problem, build_instance(problem, demand, capacities(problem, config), config)


def test_those_who_stay_count_as_fixed_load(tmp_path: Path) -> None:
    """Every choice fixed to the incumbent: the model's loads are the workers' whole loads."""
    _, instance = generated(tmp_path)
    start = first_fit(instance)
    free = tuple(movers(instance, Role.SOCIAL_WORKER, start)[:10])
    am = AllocationModel(instance, Role.SOCIAL_WORKER, Neighbourhood((), start, free))
    assert {req.index for req in am.requirements} == set(free)
    fix_choices(am, start)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(am.model) == cp_model.OPTIMAL
    loads, _ = loads_and_cases(instance, start)
    held_by_others = [w for w in am.workers if am.fixed_load.get(w, 0) > 0]
    assert held_by_others  # the test means something: some workers keep others
    for w in am.workers:
        assert solver.value(am.vars.load[w]) == loads[w]


@pytest.mark.parametrize("returning_home_fits", [False, True])
def test_a_worker_receiving_someone_who_stays_keeps_the_hard_limit(
    run_authority: Runner, returning_home_fits: bool
) -> None:
    """F, moved from S1 to S2, would go home to S1; S1 also receives N, who stays.

    F back at S1 is no new arrival, but N is: S1 must then end within its hard
    limit (set to 12 points, though S1 has room for 20), and K + N + F is 14.
    Without N, F goes home.
    """
    authority = Authority().worker("S1", capacity_points=20).worker("S2", capacity_points=10)
    authority.person("K", sw="S1").person("F", sw="S1").person("N")
    points = {"K": 60, "F": 50, "N": 30}
    only = {"K": ("S1",), "F": ("S1", "S2"), "N": ("S1", "S2")}
    instance, ids = shaped(run_authority, authority, points, only, {"S1": 120, "S2": 120})
    incumbent = np.full(len(instance.requirements), UNALLOCATED, dtype=np.int64)
    incumbent[ids["K"]], incumbent[ids["F"]] = ids["S1"], ids["S2"]
    incumbent[ids["N"]] = ids["S2"] if returning_home_fits else ids["S1"]
    hood = Neighbourhood((), incumbent, (ids["F"],))
    am = AllocationModel(instance, Role.SOCIAL_WORKER, hood)
    add_full_hint(am, incumbent)
    solve_part(am, 10.0, 0, incumbent)
    assert incumbent[ids["F"]] == (ids["S1"] if returning_home_fits else ids["S2"])


def test_the_search_keeps_every_hard_rule_and_never_worsens(tmp_path: Path) -> None:
    problem, instance = generated(tmp_path, seed=2)
    start = first_fit(instance)
    room = dict.fromkeys(Role, 1.0)
    found = search(instance, start, Budget(6.0, room, 0, FAR))
    assert not found.cut
    assert check_proposal(problem, instance, found.assignment, Config()).violations == ()
    assert not ((found.assignment == UNALLOCATED) & instance.keepable).any()
    before = sum(objective_terms(instance, start).values())
    after = sum(objective_terms(instance, found.assignment).values())
    assert after < before


def test_the_same_seed_gives_the_same_search(tmp_path: Path) -> None:
    _, instance = generated(tmp_path, seed=3)
    start = first_fit(instance)
    room = dict.fromkeys(Role, 1.0)
    one = search(instance, start, Budget(4.0, room, 7, FAR))
    two = search(instance, start, Budget(4.0, room, 7, FAR))
    assert one.models == two.models > 1
    assert np.array_equal(one.assignment, two.assignment)


def test_the_planned_seconds_decide_how_many_models(tmp_path: Path) -> None:
    """Each model is charged from the deterministic time it used and its size,
    never the clock: more planned seconds, more models; none, none."""
    _, instance = generated(tmp_path, seed=3)
    start = first_fit(instance)
    room = {Role.PERSONAL_ADVISER: 1.0}
    assert search(instance, start, Budget(0.0, room, 0, FAR)).models == 0
    one = search(instance, start, Budget(1e-6, room, 0, FAR))
    assert one.models == 1  # a role with room always gets a model
    counts = [search(instance, start, Budget(s, room, 0, FAR)).models for s in (1.0, 4.0)]
    assert 1 <= counts[0] < counts[1]


def test_neighbourhoods_take_only_young_people_not_with_their_worker(tmp_path: Path) -> None:
    _, instance = generated(tmp_path, seed=4, people=900, workers=50)
    start = first_fit(instance)
    rng = np.random.default_rng(0)
    hoods = neighbourhoods(instance, Role.SOCIAL_WORKER, start, rng)
    for hood in hoods:
        assert hood.requirements is not None and len(hood.requirements) <= CHUNK
        assert set(hood.requirements) <= set(movers(instance, Role.SOCIAL_WORKER, start))
    chosen = [r for hood in hoods for r in hood.requirements or ()]
    assert len(chosen) == len(set(chosen))  # each young person in one neighbourhood a round
    assert set(chosen) == set(movers(instance, Role.SOCIAL_WORKER, start))


def test_a_small_role_is_one_neighbourhood_with_everyone_free(tmp_path: Path) -> None:
    _, instance = generated(tmp_path, seed=4, people=150, workers=12)
    start = first_fit(instance)
    (hood,) = neighbourhoods(instance, Role.PERSONAL_ADVISER, start, np.random.default_rng(0))
    everyone = instance.role_costs[Role.PERSONAL_ADVISER].requirements.tolist()
    assert sorted(hood.requirements or ()) == everyone


def test_neighbourhoods_go_where_the_lp_leaves_room() -> None:
    split = shares(10.0, {Role.SOCIAL_WORKER: 7.0, Role.PERSONAL_ADVISER: 93.0})
    assert split == pytest.approx({Role.PERSONAL_ADVISER: 9.3, Role.SOCIAL_WORKER: 0.7})
    assert list(split) == [Role.PERSONAL_ADVISER, Role.SOCIAL_WORKER]  # most room first
    assert shares(4.0, {Role.SOCIAL_WORKER: 0.0, Role.PERSONAL_ADVISER: 5.0}) == {
        Role.PERSONAL_ADVISER: 4.0,
        Role.SOCIAL_WORKER: 0.0,
    }
    assert shares(4.0, {Role.SOCIAL_WORKER: 0.0}) == {}


def test_the_plan_not_the_clock_decides_the_work(tmp_path: Path) -> None:
    """The command plans from a limit that does not depend on how long reading took."""
    _, instance = generated(tmp_path, seed=5)
    one = solve(instance, SolveSettings(time_limit_seconds=3.0, planned_seconds=2.0))
    two = solve(instance, SolveSettings(time_limit_seconds=5.0, planned_seconds=2.0))
    assert one.repeatable and two.repeatable
    assert np.array_equal(one.assignment, two.assignment)


def test_the_lp_disagrees_where_it_carries_less_than_half_of_someone(
    run_authority: Runner,
) -> None:
    """Against a flow written out by hand: a worker carrying all or half of a
    young person agrees with the LP, one carrying 0.3 does not; someone
    waiting agrees where the LP leaves at least half of them waiting."""
    authority = Authority().worker("S1", capacity_points=100).worker("S2", capacity_points=100)
    for k in range(6):
        authority.person(f"C{k}", age=9)
    proposal = run_authority(authority).proposal
    instance, problem = proposal.instance, proposal.problem
    costs = instance.role_costs[Role.SOCIAL_WORKER]
    s1, s2 = problem.worker_index["S1"], problem.worker_index["S2"]
    by_id = {problem.people[req.person].person_id: req.index for req in instance.requirements}
    r0, r1, r2, r3, r4, r5 = (by_id[f"C{k}"] for k in range(6))
    incumbent = np.full(len(instance.requirements), UNALLOCATED, dtype=np.int64)
    incumbent[[r0, r1, r2]], incumbent[r5] = s1, s2
    row = {int(r): i for i, r in enumerate(costs.requirements)}
    col = costs.column
    pairs = [  # (requirement, worker, share)
        (r0, s1, 1.0),  # all of them where they are
        (r1, s1, 0.3),  # mostly elsewhere
        (r1, s2, 0.7),
        (r2, s1, 0.5),  # half where they are
        (r2, s2, 0.5),
        (r3, s2, 0.4),  # waiting, and the LP leaves 0.6 of them waiting
        (r4, s1, 0.8),  # waiting, but the LP places 0.8 of them
    ]  # r5: nowhere in the LP, but with S2 now
    flow = FlowSolution(
        0.0,
        np.zeros(2),
        np.array([row[r] for r, _, _ in pairs]),
        np.array([col[w] for _, w, _ in pairs]),
        np.array([share for _, _, share in pairs]),
    )
    found = lp_disagreements(instance, Role.SOCIAL_WORKER, flow, incumbent)
    assert sorted(found) == sorted([r1, r4, r5])


def test_each_round_starts_with_the_lps_disagreements(tmp_path: Path) -> None:
    _, instance = generated(tmp_path, seed=4, people=900, workers=50)
    role = Role.SOCIAL_WORKER
    start = first_fit(instance)
    flow = role_flows(instance, 60)[role]
    guided = lp_disagreements(instance, role, flow, start)
    assert 0 < len(guided) <= GUIDED_CHUNK  # the test means something: one part
    hoods = neighbourhoods(instance, role, start, np.random.default_rng(0), flow)
    assert sorted(hoods[0].requirements or ()) == sorted(guided)
    rest = [r for hood in hoods[1:] for r in hood.requirements or ()]
    assert sorted(rest) == sorted(movers(instance, role, start))


def test_a_neighbourhood_proven_optimal_is_not_solved_again(tmp_path: Path) -> None:
    """A small role is one neighbourhood: once CP-SAT proves it, the role's
    search ends, however much of its budget is left."""
    _, instance = generated(tmp_path, seed=4, people=150, workers=12)
    start = first_fit(instance)
    found = search(instance, start, Budget(1000.0, {Role.PERSONAL_ADVISER: 1.0}, 0, FAR))
    assert 1 <= found.models <= 2  # one to improve, at most one more to prove it
    assert found.planned_seconds < 1000.0
