"""HiGHS re-packing a role's movers (solver/polish.py): rules, plan, determinism."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from caseweight.config import Config
from caseweight.problem import Role
from caseweight.solution import check_proposal
from caseweight.solver import polish as polish_module
from caseweight.solver import solve as solve_module
from caseweight.solver.lns import Budget, movers
from caseweight.solver.local_search import climb
from caseweight.solver.polish import free_pairs, polish, relief_pairs
from caseweight.solver.solve import Progress, SolveSettings, _search_seconds, solve
from caseweight.solver.starts import (
    SECONDS_PER_WAITING_REQUIREMENT,
    planned_climb_seconds,
    role_objectives,
)
from caseweight.solver.transport import SECONDS_PER_ARC, role_flows
from caseweight.solver.warm_start import UNALLOCATED, first_fit
from test_lns import FAR, generated

ROOM = {Role.PERSONAL_ADVISER: 1.0, Role.SOCIAL_WORKER: 1.0}


def test_only_movers_are_free(tmp_path: Path) -> None:
    """A mover goes free over their candidates and proposed worker; nobody else moves."""
    _, instance = generated(tmp_path, seed=6)
    start = first_fit(instance)
    role = Role.PERSONAL_ADVISER
    allowed = free_pairs(instance, role, start)
    costs = instance.role_costs[role]
    free = set(movers(instance, role, start))
    assert free  # the test means something
    for i, r in enumerate(costs.requirements.tolist()):
        if r in free:
            workers = {int(w) for w in costs.workers[allowed[i]]}
            candidates = {option.worker for option in instance.candidates[r]}
            proposed = {int(start[r])} - {UNALLOCATED}
            assert workers == (candidates | proposed) & {
                int(w) for w in costs.workers[costs.eligible[i]]
            }
        else:
            assert allowed[i].sum() == 1 and costs.workers[allowed[i]][0] == start[r]


def test_relief_frees_everyone_a_giving_worker_still_holds(tmp_path: Path) -> None:
    """Relief: the movers, and everyone held by a worker who gives someone up, go
    free over their candidates; everyone else stays."""
    _, instance = generated(tmp_path, seed=6)
    start = climb(instance, first_fit(instance), FAR).assignment
    role = Role.PERSONAL_ADVISER
    costs = instance.role_costs[role]
    moving = set(movers(instance, role, start))
    giving = {instance.requirements[r].current_worker for r in moving} - {None}
    allowed = relief_pairs(instance, role, start)
    kept_free = 0
    for i, r in enumerate(costs.requirements.tolist()):
        current = instance.requirements[r].current_worker
        if r in moving or current in giving:
            kept_free += r not in moving
            candidates = {option.worker for option in instance.candidates[r]} | {int(start[r])}
            eligible = {int(w) for w in costs.workers[costs.eligible[i]]}
            assert {int(w) for w in costs.workers[allowed[i]]} == candidates & eligible
        else:
            assert allowed[i].sum() == 1 and costs.workers[allowed[i]][0] == start[r]
    assert kept_free  # the test means something: some who stay now go free


def test_relief_rounds_find_what_the_movers_repack_cannot(tmp_path: Path) -> None:
    """Relief rounds after the movers' re-pack: which young person an overloaded
    worker gives up decides what fits where. They go on until one finds nothing."""
    problem, instance = generated(tmp_path, seed=6)
    start = climb(instance, first_fit(instance), FAR).assignment
    repacked = polish(instance, start, Budget(1e6, ROOM, 0, FAR))
    relieved = polish(repacked.instance, repacked.assignment, Budget(1e6, ROOM, 0, FAR), True)
    assert (
        check_proposal(problem, relieved.instance, relieved.assignment, Config()).violations == ()
    )
    before = role_objectives(repacked.instance, repacked.assignment)
    after = role_objectives(relieved.instance, relieved.assignment)
    assert all(after[role] < before[role] for role in Role)
    assert not ((relieved.assignment == -1) & instance.keepable).any()
    # the last round found nothing: from its allocation, nothing again
    again = polish(relieved.instance, relieved.assignment, Budget(1e6, ROOM, 0, FAR), True)
    assert again.roles == () and np.array_equal(again.assignment, relieved.assignment)
    # a round the plan has no room for does not run
    none = polish(repacked.instance, repacked.assignment, Budget(0.1, ROOM, 0, FAR), True)
    assert none.planned_seconds == 0.0 and np.array_equal(none.assignment, repacked.assignment)


def test_relief_rounds_come_last_and_never_worsen_the_proposal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Relief rounds take what the plan has left after the LP neighbourhoods (never
    the search's share): a long plan's proposal with them is better than without."""
    problem, instance = generated(tmp_path, seed=4)
    settings = SolveSettings(time_limit_seconds=120.0, planned_seconds=10.0, root_bound=False)
    stages: list[Progress] = []
    one = solve(instance, settings, stages.append)
    assert "relief rounds" in [p.stage for p in stages]
    assert stages[-2].stage == "relief rounds"  # the last before the bound
    assert check_proposal(problem, instance, one.assignment, Config()).violations == ()
    two = solve(instance, settings)
    assert one.repeatable and np.array_equal(one.assignment, two.assignment)
    monkeypatch.setattr(polish_module, "RELIEF_SECONDS_PER_FREE_PAIR", 1e6)
    without = solve(instance, settings)
    assert one.objective < without.objective


def test_polish_keeps_every_hard_rule_and_never_worsens(tmp_path: Path) -> None:
    problem, instance = generated(tmp_path, seed=7)
    start = first_fit(instance)
    found = polish(instance, start, Budget(1e6, ROOM, 0, FAR))
    assert not found.cut and found.roles  # first fit leaves HiGHS something to re-pack
    check = check_proposal(problem, found.instance, found.assignment, Config())
    assert check.violations == ()
    before = role_objectives(instance, start)
    after = role_objectives(found.instance, found.assignment)
    assert all(after[role] <= before[role] for role in Role)
    assert any(after[role] < before[role] for role in found.roles)
    # nobody who could stay was taken away or left waiting
    assert not ((found.assignment == -1) & instance.keepable).any()


def test_no_planned_time_no_highs(tmp_path: Path) -> None:
    _, instance = generated(tmp_path, seed=7)
    start = first_fit(instance)
    found = polish(instance, start, Budget(0.0, ROOM, 0, FAR))
    assert found.roles == () and found.planned_seconds == 0.0
    assert np.array_equal(found.assignment, start)


def test_the_same_input_gives_the_same_polish(tmp_path: Path) -> None:
    _, instance = generated(tmp_path, seed=8)
    start = climb(instance, first_fit(instance), FAR).assignment
    one = polish(instance, start, Budget(1e6, ROOM, 0, FAR))
    two = polish(instance, start, Budget(1e6, ROOM, 0, FAR))
    assert np.array_equal(one.assignment, two.assignment)


def test_a_long_limit_polishes_and_stays_repeatable(tmp_path: Path) -> None:
    """A plan long enough for HiGHS's root: the whole solve is still the same twice."""
    _, instance = generated(tmp_path, seed=5)
    settings = SolveSettings(time_limit_seconds=120.0, planned_seconds=60.0)
    stages: list[Progress] = []
    one, two = solve(instance, settings, stages.append), solve(instance, settings)
    assert "HiGHS root" in [p.stage for p in stages]
    assert one.repeatable and two.repeatable
    assert np.array_equal(one.assignment, two.assignment)


def test_a_repack_the_plan_cannot_fit_before_the_search_comes_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the role with most room cannot be re-packed before the search, its
    re-pack is taken from the search's share and runs after the LP
    neighbourhoods (the demo at 10 s: 2.26% -> 0.92%); the proposal keeps every
    hard rule and is the same twice."""
    problem, instance = generated(tmp_path, seed=5)
    calls: list[float] = []
    real = solve_module.polish

    def recorded(*args, **kwargs):  # type: ignore[no-untyped-def]
        if not kwargs.get("relief"):
            calls.append(args[2].seconds)
        return real(*args, **kwargs)

    monkeypatch.setattr(solve_module, "polish", recorded)
    # the first role's re-pack is dearer than what the plan leaves before the
    # search, and fits in the search's share
    monkeypatch.setattr(solve_module, "first_planned", lambda *args: 1.0)
    monkeypatch.setattr(solve_module, "LNS_SHARE", 0.6)
    settings = SolveSettings(time_limit_seconds=20.0, planned_seconds=4.0, root_bound=False)
    stages: list[Progress] = []
    one = solve(instance, settings, stages.append)
    assert len(calls) == 2 and calls[0] == 0.0 and calls[1] >= 1.0
    names = [p.stage for p in stages]
    if "HiGHS root" in names:
        assert names.index("HiGHS root") > names.index("neighbourhoods")
    assert check_proposal(problem, instance, one.assignment, Config()).violations == ()
    two = solve(instance, settings)
    assert one.repeatable and np.array_equal(one.assignment, two.assignment)
    # with no room in the search's share, no re-pack after it either
    calls.clear()
    monkeypatch.setattr(solve_module, "first_planned", lambda *args: 1e6)
    solve(instance, settings)
    assert len(calls) == 1


def test_highs_is_planned_what_the_climbs_and_flows_leave(tmp_path: Path) -> None:
    """Young people waiting at a climb's start make it dearer, and only the flows
    solved are counted: HiGHS's share is planned from the same prices."""
    _, instance = generated(tmp_path, seed=6)
    start = first_fit(instance)
    flows = role_flows(instance, 60)
    assert set(flows) == set(Role)
    placed = start.copy()
    placed[placed == UNALLOCATED] = 0  # the same count of requirements, nobody waiting
    waiting = int((start == UNALLOCATED).sum())
    assert waiting > 0  # the test means something
    one, two = (
        _search_seconds(instance, 60, planned_climb_seconds(instance, placed), flows),
        _search_seconds(instance, 60, planned_climb_seconds(instance, start), flows),
    )
    assert one - two == pytest.approx(waiting * SECONDS_PER_WAITING_REQUIREMENT)
    fewer = {Role.SOCIAL_WORKER: flows[Role.SOCIAL_WORKER]}
    pairs = int(instance.role_costs[Role.PERSONAL_ADVISER].eligible.sum())
    climbed = planned_climb_seconds(instance, start)
    assert _search_seconds(instance, 60, climbed, fewer) - two == pytest.approx(
        pairs * SECONDS_PER_ARC
    )
