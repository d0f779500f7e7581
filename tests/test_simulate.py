"""The year simulation: the by-hand policy, turnover, counting workers per young person."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from caseweight.capacity import capacities
from caseweight.cli import main
from caseweight.config import Config
from caseweight.demand import build_demand
from caseweight.hr import ChangeKind
from caseweight.problem import Problem, Role, Status, Worker, YoungPerson
from caseweight.scenario.build import ScenarioBase
from caseweight.simulate import (
    BY_HAND,
    NOBODY,
    Policy,
    _State,
    build_world,
    by_hand,
    run_policy,
)
from caseweight.weighting import score_people
from scenario_helpers import tiny_authority, write_scenario

AS_OF = date(2026, 12, 1)
CONFIG = Config()


def _child(person_id: str, worker: str | None = None) -> YoungPerson:
    return YoungPerson(person_id, 2, date(2015, 1, 1), Status.IN_CARE, current_social_worker=worker)


def _by_hand(people: tuple[YoungPerson, ...], workers: tuple[Worker, ...]) -> list[str | None]:
    problem = Problem(as_of=AS_OF, people=people, workers=workers)
    demand = build_demand(problem, score_people(problem, CONFIG), CONFIG)
    assignment = by_hand(problem, demand, capacities(problem, CONFIG))
    return [None if w == NOBODY else workers[w].worker_id for w in assignment]


def test_by_hand_keeps_current_workers_and_gives_new_ones_to_the_least_loaded() -> None:
    workers = (
        Worker("A", 2, Role.SOCIAL_WORKER, 1.0),
        Worker("B", 3, Role.SOCIAL_WORKER, 0.5),
        Worker("C", 4, Role.SOCIAL_WORKER, 1.0, leaving_on=AS_OF),
    )
    people = (_child("Y1", "A"), _child("Y2", "A"), _child("Y3", "C"), _child("Y4"))
    # Y3's worker has left, Y4 is new: B (empty) takes Y3, then A and B are compared by
    # utilisation: A holds two children on 85 points, B one on 42.5 -> B again is fuller.
    assert _by_hand(people, workers) == ["A", "A", "B", "A"]


def test_by_hand_leaves_a_young_person_unallocated_when_nobody_has_room() -> None:
    workers = (Worker("A", 2, Role.SOCIAL_WORKER, 1.0, capacity_points=2.0),)
    assert _by_hand((_child("Y1"),), workers) == [None]


def test_counting_distinct_workers_in_the_year() -> None:
    people = (_child("Y1", "A"), _child("Y2", "A"), _child("Y3", "A"))
    workers = tuple(Worker(w, i + 2, Role.SOCIAL_WORKER, 1.0) for i, w in enumerate("ABC"))
    problem = Problem(as_of=AS_OF, people=people, workers=workers)
    demand = build_demand(problem, score_people(problem, CONFIG), CONFIG)
    state = _State.start(people)
    state.approve(problem, demand, np.array([0, 1, 1]))  # Y2, Y3 move to B
    moved = Problem(as_of=AS_OF, people=state.people(people, problem), workers=workers)
    demand = build_demand(moved, score_people(moved, CONFIG), CONFIG)
    state.approve(moved, demand, np.array([0, 1, 2]))  # Y3 moves again, to C
    year = state.year_figures()
    assert year["changes"] == 3
    assert year["SW_share_2"] == pytest.approx(1 / 3, abs=1e-4)
    assert year["SW_share_3plus"] == pytest.approx(1 / 3, abs=1e-4)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> ScenarioBase:
    from caseweight.scenario import load_scenario
    from caseweight.scenario.build import prepare_base

    root = tmp_path_factory.mktemp("simulate")
    tiny_authority(root / "data")
    return prepare_base(load_scenario(write_scenario(root, "base")))


def test_turnover_replaces_each_leaver_a_month_later_and_is_seeded(base: ScenarioBase) -> None:
    worlds = [build_world(base.problem, base.hr, base.config, 12, turnover=0.9, seed=s)
              for s in (3, 3, 4)]  # fmt: skip
    assert worlds[0] == worlds[1] and worlds[0].hr != worlds[2].hr
    events = worlds[0].hr
    leavers = [c for c in events if c.kind is ChangeKind.LEAVER]
    starters = [c for c in events if c.kind is ChangeKind.STARTER]
    assert len(leavers) == len(starters) > 0
    roles = {w.worker_id: w.role for w in base.problem.workers}
    for leaver, starter in zip(leavers, starters, strict=True):
        assert starter.role is roles[leaver.worker_id]
        assert (starter.effective_from.year * 12 + starter.effective_from.month) == (
            leaver.effective_from.year * 12 + leaver.effective_from.month + 1
        )


def test_short_simulation_compares_policies(base: ScenarioBase) -> None:
    world = build_world(base.problem, base.hr, base.config, 3, turnover=0.5, seed=2)
    hand = run_policy(world, Policy(BY_HAND), 0.3)
    optimiser = run_policy(world, Policy("caseweight", 40), 0.3)
    assert len(hand.months) == len(optimiser.months) == 3
    for result in (hand, optimiser):
        assert 0 <= result.year["SW_share_3plus"] <= result.year["SW_share_2"] + 1
        assert result.year["changes"] == sum(m["changes"] for m in result.months)
    # The optimiser balances: its worst month is no worse than by hand's.
    worst = {r.name: max(m["PA_max_utilisation"] for m in r.months) for r in (hand, optimiser)}
    assert worst["caseweight"] <= worst[BY_HAND] + 1e-9


def test_cli_prints_both_tables_and_writes_csv(tmp_path: Path) -> None:
    out = tmp_path / "sim.csv"
    folder = tmp_path / "authority"
    tiny_authority(folder / "data")
    path = write_scenario(folder, "base")
    result = CliRunner().invoke(
        main,
        ["simulate", "--scenario", str(path), "--months", "2", "--time-limit", "0.2",
         "--jobs", "1", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "SW: share with 3+ (national 24%)" in result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("policy,month,date,changes") and len(lines) == 1 + 3 * 2
