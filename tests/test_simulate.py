"""The year simulation: staffing events, the by-hand policies, counting workers per young person."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from caseweight.capacity import WorkerCapacity, capacities
from caseweight.cli import main
from caseweight.cohort import CohortSettings
from caseweight.config import Config
from caseweight.demand import Demand, build_demand
from caseweight.hr import ChangeKind, HRChange, apply_hr_changes
from caseweight.problem import Problem, Role, Status, Worker, YoungPerson, add_months
from caseweight.scenario.build import ScenarioBase
from caseweight.simulate import (
    ABSENCE,
    ABSENCES,
    BY_HAND,
    BY_HAND_MANAGING,
    BY_HAND_NOTICE,
    MATERNITY,
    NOBODY,
    SIMULATED,
    Policy,
    Staffing,
    World,
    _State,
    build_world,
    by_hand,
    ignoring_notice,
    month_figures,
    run_policy,
    shed_load,
    staffing_events,
)
from caseweight.weighting import score_people
from scenario_helpers import tiny_authority, write_scenario

AS_OF = date(2026, 12, 1)
CONFIG = Config()
DAYS = tuple(add_months(AS_OF, m) for m in range(12))
QUIET = Staffing(turnover=0.0, agency_share=0.0, absences_per_year=0.0)


def _child(person_id: str, worker: str | None = None, changes: int = 0) -> YoungPerson:
    return YoungPerson(
        person_id, 2, date(2015, 1, 1), Status.IN_CARE, current_social_worker=worker,
        worker_changes_12m=changes,
    )  # fmt: skip


def _sw(worker_id: str, points: float | None = None, team: str = "north") -> Worker:
    return Worker(worker_id, 2, Role.SOCIAL_WORKER, 1.0, team=team, capacity_points=points)


def _month(
    people: tuple[YoungPerson, ...], workers: tuple[Worker, ...]
) -> tuple[Problem, Demand, tuple[WorkerCapacity, ...]]:
    problem = Problem(as_of=AS_OF, people=people, workers=workers)
    demand = build_demand(problem, score_people(problem, CONFIG), CONFIG)
    return problem, demand, capacities(problem, CONFIG)


def _ids(workers: tuple[Worker, ...], assignment: np.ndarray) -> list[str | None]:
    return [None if w == NOBODY else workers[w].worker_id for w in assignment]


def _by_hand(people: tuple[YoungPerson, ...], workers: tuple[Worker, ...]) -> list[str | None]:
    problem, demand, caps = _month(people, workers)
    return _ids(workers, by_hand(problem, demand, caps))


# --- by hand, as the issue puts it -------------------------------------------------------


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


# --- by hand, managing caseloads ---------------------------------------------------------


def test_shedding_moves_the_most_recently_allocated_case_whatever_its_history() -> None:
    # Each child weighs 3 points. A holds four on 8 points (150%); B and C are empty on 10.
    workers = (_sw("A", 8.0), _sw("B", 10.0), _sw("C", 10.0))
    people = tuple(_child(f"Y{i}", "A", changes=3 if i == 2 else 0) for i in range(4))
    problem, demand, caps = _month(people, workers)
    assert [r.points_value for r in demand.requirements] == [3.0] * 4
    kept = by_hand(problem, demand, caps)
    # allocated to A in months -1 (before the start), 2, 5 and 4: Y2 then Y3 are the latest;
    # Y2 has had three changes this year but a manager by hand does not look at that.
    recency = [(-1, 0), (2, 0), (5, 0), (4, 0)]
    moved = shed_load(problem, demand, caps, kept, 1.10, recency)
    # After Y2 goes, A is at 9/8 = 112% > 110%: Y3 goes too (to C, now the least loaded).
    assert _ids(workers, moved) == ["A", "A", "B", "C"]


def test_shedding_stops_once_within_the_threshold_and_never_overloads_the_receiver() -> None:
    workers = (_sw("A", 6.0), _sw("B", 10.0))
    people = (_child("Y0", "A"), _child("Y1", "A"), _child("Y2", "A"))  # 9 on 6: 150%
    problem, demand, caps = _month(people, workers)
    kept = by_hand(problem, demand, caps)
    moved = shed_load(problem, demand, caps, kept, 1.10, [(0, 3), (0, 1), (0, 2)])
    # Y0 (latest by the tie-break) goes to B; A at 100% is within 110%: Y2 stays.
    assert _ids(workers, moved) == ["B", "A", "A"]
    # B on 2 points would go to 150% with a child: nobody can receive, nothing moves.
    full = (_sw("A", 6.0), _sw("B", 2.0))
    problem, demand, caps = _month(people, full)
    kept = by_hand(problem, demand, caps)
    assert _ids(full, shed_load(problem, demand, caps, kept, 1.10, [(0, 0)] * 3)) == ["A"] * 3


def test_managing_policy_prefers_a_worker_staying_under_the_threshold() -> None:
    # A (4 points) is empty, B (10 points) holds one 3-point child (30%); a new child comes.
    workers = (_sw("A", 4.0), _sw("B", 10.0))
    people = (_child("Y0", "B"), _child("Y1"))
    problem, demand, caps = _month(people, workers)
    assert _ids(workers, by_hand(problem, demand, caps))[1] == "A"  # least loaded: 75%
    # Within 60%: A would be at 75%, B at 60%: B.
    assert _ids(workers, by_hand(problem, demand, caps, prefer_below=0.6))[1] == "B"
    # Within 50% nobody: the hard limit decides, as by hand.
    assert _ids(workers, by_hand(problem, demand, caps, prefer_below=0.5))[1] == "A"


# --- counting ----------------------------------------------------------------------------


def test_counting_distinct_workers_and_chosen_changes_in_the_year() -> None:
    people = (_child("Y1", "A"), _child("Y2", "A"), _child("Y3", "A"))
    workers = tuple(Worker(w, i + 2, Role.SOCIAL_WORKER, 1.0) for i, w in enumerate("ABC"))
    problem, demand, caps = _month(people, workers)
    state = _State.start(people)
    state.approve(problem, demand, caps, np.array([0, 1, 1]), 0)  # Y2, Y3 move to B
    moved = Problem(as_of=AS_OF, people=state.people(people, problem), workers=workers)
    assert [p.worker_changes_12m for p in moved.people] == [0, 1, 1]
    assert moved.people[1].previous_workers == frozenset({"A"})
    demand = build_demand(moved, score_people(moved, CONFIG), CONFIG)
    state.approve(moved, demand, capacities(moved, CONFIG), np.array([0, 1, 2]), 1)  # Y3 to C
    year = state.year_figures()
    assert year["changes"] == 3 and year["changes_chosen"] == 3 and year["repeat_changes"] == 1
    assert year["SW_share_2"] == pytest.approx(1 / 3, abs=1e-4)
    assert year["SW_share_3plus"] == pytest.approx(1 / 3, abs=1e-4)
    assert year["SW_3plus_chosen"] == 1
    assert (year["SW_changes"], year["SW_changes_chosen"], year["PA_changes"]) == (3, 3, 0)


# --- the world's staffing events ---------------------------------------------------------


def _events(
    workers: tuple[Worker, ...], staffing: Staffing, seed: int = 1
) -> tuple[tuple[HRChange, ...], frozenset[str]]:
    return staffing_events(workers, (), DAYS, staffing, np.random.default_rng(seed))


def test_a_permanent_leavers_post_is_covered_by_an_agency_worker_after_the_gap() -> None:
    workers = (_sw("A", team="east"), Worker("B", 3, Role.PERSONAL_ADVISER, 1.0, team="west"))
    staffing = Staffing(turnover=1.0, agency_share=0.0, vacancy_rate=0.0, absences_per_year=0.0,
                        cover_gap_months=2)  # fmt: skip
    events, agency = _events(workers, staffing)
    leavers = [e for e in events if e.kind is ChangeKind.LEAVER]
    starters = [e for e in events if e.kind is ChangeKind.STARTER]
    assert {e.worker_id for e in leavers} == {"A", "B"}  # all leave in month 1 (100% a year)
    assert all(e.effective_from == DAYS[1] for e in leavers)
    assert len(starters) == 2 and {e.worker_id for e in starters} == agency
    for starter, worker in zip(starters, workers, strict=True):
        assert starter.effective_from == DAYS[3]  # two months later
        assert (starter.role, starter.team) == (worker.role, worker.team)
        assert starter.reason == "agency cover (simulated)"


def test_an_agency_cover_ends_with_a_permanent_starter_the_same_day() -> None:
    workers = (_sw("A", team="east"), _sw("B", team="west"))
    # A vacancy lasts 12 x 0.05 / (1.0 x 0.95) < 1 month: every cover ends in month 1.
    staffing = Staffing(turnover=1.0, agency_share=1.0, vacancy_rate=0.05, absences_per_year=0.0)
    assert staffing.cover_end_chance() == 1.0
    events, agency = _events(workers, staffing)
    assert agency >= {"A", "B"}  # everyone starts as agency cover
    first = [e for e in events if e.effective_from == DAYS[1]]
    assert [(e.worker_id, e.kind) for e in first if e.kind is ChangeKind.LEAVER] == [
        ("A", ChangeKind.LEAVER), ("B", ChangeKind.LEAVER)
    ]  # fmt: skip
    starters = [e for e in first if e.kind is ChangeKind.STARTER]
    assert [(e.team, e.reason) for e in starters] == [
        ("east", "permanent starter (simulated)"), ("west", "permanent starter (simulated)")
    ]  # fmt: skip
    assert not {e.worker_id for e in starters} & agency
    # The new permanent workers leave in month 2 (100% a year), covered again in month 3.
    covers = [e for e in events if e.reason == "agency cover (simulated)"]
    assert [e.effective_from for e in covers[:2]] == [DAYS[3], DAYS[3]]


def test_a_long_term_absence_takes_all_capacity_for_its_months_then_the_worker_returns() -> None:
    workers = (_sw("A", 10.0),)
    staffing = Staffing(turnover=0.0, agency_share=0.0, absences_per_year=1.0,
                        absence_months=(2, 2))  # fmt: skip
    events, _ = _events(workers, staffing)
    # absent months 1-2, back in month 3, absent again from month 4, 7 and 10
    assert [e.reason in ABSENCES for e in events] == [True] * 4
    first = events[0]
    assert (first.effective_from, first.effective_to) == (DAYS[1], date(2027, 2, 28))
    held = []
    for day in DAYS[:5]:
        staff = apply_hr_changes(Problem(as_of=day, people=(), workers=workers), events)
        held.append(capacities(staff, CONFIG)[0].can_hold)
    assert held == [True, False, False, True, False]


def test_the_world_is_the_same_for_the_same_seed(base: ScenarioBase) -> None:
    worlds = [build_world(base.problem, base.hr, base.config, 12, turnover=0.5, seed=s)
              for s in (3, 3, 4)]  # fmt: skip
    assert worlds[0] == worlds[1] and worlds[0].hr != worlds[2].hr
    hand = [run_policy(worlds[0], Policy(BY_HAND_MANAGING, shed_above=1.1)) for _ in range(2)]
    assert hand[0] == hand[1]


def test_absent_workers_cases_move_and_the_move_is_forced_not_chosen(
    base: ScenarioBase,
) -> None:
    staffing = Staffing(turnover=0.0, agency_share=0.0, absences_per_year=0.5)
    world = build_world(base.problem, base.hr, base.config, 4, turnover=0.0, seed=5,
                        staffing=staffing)  # fmt: skip
    assert any(e.reason in ABSENCES for e in world.hr)
    hand = run_policy(world, Policy(BY_HAND))
    assert hand.year["changes"] > 0 and hand.year["changes_chosen"] == 0


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> ScenarioBase:
    from caseweight.scenario import load_scenario
    from caseweight.scenario.build import prepare_base

    root = tmp_path_factory.mktemp("simulate")
    tiny_authority(root / "data")
    return prepare_base(load_scenario(write_scenario(root, "base")))


# --- policies side by side ---------------------------------------------------------------


def test_short_simulation_compares_policies(base: ScenarioBase) -> None:
    world = build_world(base.problem, base.hr, base.config, 3, turnover=0.5, seed=2)
    hand = run_policy(world, Policy(BY_HAND))
    managing = run_policy(world, Policy(BY_HAND_MANAGING, shed_above=1.1))
    optimiser = run_policy(world, Policy("caseweight", 40), 0.3)
    assert len(hand.months) == len(optimiser.months) == 3
    for result in (hand, managing, optimiser):
        assert 0 <= result.year["SW_share_3plus"] <= result.year["SW_share_2"] + 1
        assert result.year["changes"] == sum(m["changes"] for m in result.months)
        assert result.year["changes_chosen"] == sum(m["changes_chosen"] for m in result.months)
    assert hand.year["changes_chosen"] == 0  # the issue's by hand never moves anyone
    # Managing sheds load: its worst month is no worse than by hand's.
    worst = {r.name: max(m["SW_max_utilisation"] for m in r.months) for r in (hand, managing)}
    assert worst[BY_HAND_MANAGING] <= worst[BY_HAND] + 1e-9


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
    assert "by hand, managing caseloads (above 110%)" in result.output
    assert "Staff in the simulated year (every policy)" in result.output
    assert BY_HAND_NOTICE in result.output
    assert "Known ahead through the HR data: leavers 1 month(s)" in result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("policy,month,date,changes") and len(lines) == 1 + 5 * 2


def test_a_team_manager_keeps_a_young_person_in_the_team_while_it_has_room() -> None:
    # North's A (10 points) holds two children (60%); south's B is empty. A new north child:
    # by hand (the issue's) goes to the least loaded, B; managing keeps it in north (A, 90%).
    workers = (_sw("A", 10.0, team="north"), _sw("B", 10.0, team="south"))
    people = tuple(
        dataclasses.replace(p, team="north")
        for p in (_child("Y0", "A"), _child("Y1", "A"), _child("Y2"))
    )
    problem, demand, caps = _month(people, workers)
    assert _ids(workers, by_hand(problem, demand, caps))[2] == "B"
    assert _ids(workers, by_hand(problem, demand, caps, prefer_below=1.1))[2] == "A"
    # A holding three (90%): a fourth north child still stays in the team up to the hard
    # limit (A at 120%), a fifth has no room in north and goes south.
    crowd = tuple(dataclasses.replace(_child(f"Y{i}", "A" if i < 3 else None), team="north")
                  for i in range(5))  # fmt: skip
    problem, demand, caps = _month(crowd, workers)
    assert _ids(workers, by_hand(problem, demand, caps, prefer_below=1.1))[3:] == ["A", "B"]


def test_policies_learn_of_a_simulated_leaver_only_with_the_notice_given() -> None:
    workers = (_sw("A"), _sw("B"))
    for notice in (0, 2):
        staffing = Staffing(turnover=1.0, agency_share=0.0, absences_per_year=0.0,
                            notice_months=notice)  # fmt: skip
        problem = Problem(as_of=AS_OF, people=(), workers=workers)
        world = build_world(problem, (), CONFIG, 2, CohortSettings(0.0), 1.0, 1, staffing)
        leavers = [c for c in world.hr if c.kind is ChangeKind.LEAVER]
        assert [c.effective_from for c in leavers] == [DAYS[1], DAYS[1]]
        # The feed's rows are known all year; a simulated leaver from `notice` months before.
        known = [len([c for c in world.known_on(d) if c in leavers]) for d in DAYS[:2]]
        assert known == ([0, 2] if notice == 0 else [2, 2])
        # Known or not, a future leaving date is not a departure yet.
        staff = apply_hr_changes(problem, world.known_on(DAYS[0]))
        assert all(cap.can_hold for cap in capacities(staff, CONFIG))


def test_who_is_moved_off_an_overloaded_worker_caseweight_against_a_manager() -> None:
    # A (10 points) holds five 3-point children (150%), B (10 points) none. Y3 and Y4 came
    # to A last and have just been moved (one change each this year).
    workers = (_sw("A", 10.0), _sw("B", 10.0))
    people = tuple(_child(f"Y{i}", "A", changes=int(i >= 3)) for i in range(5))
    problem, demand, caps = _month(people, workers)
    recency = [(-1, 0), (-1, 1), (-1, 2), (4, 0), (5, 0)]
    managed = shed_load(problem, demand, caps, by_hand(problem, demand, caps), 1.1, recency)
    moved_by_hand = {people[i].person_id for i, w in enumerate(managed) if w == 1}
    assert moved_by_hand == {"Y3", "Y4"}  # last in, first out: the two just moved, again
    from caseweight.pipeline import propose

    proposal = propose(problem, CONFIG, 1.0)
    moved = {people[i].person_id for i, w in enumerate(proposal.assignment) if w == 1}
    assert moved and not moved & {"Y3", "Y4"}  # caseweight moves someone else (one: A at 120%)


# --- what the policies are told ahead, and who uses it ------------------------------------


def test_a_leavers_leaving_on_is_visible_the_notice_months_ahead_and_not_before() -> None:
    workers = (_sw("A"), _sw("B"))
    staffing = Staffing(turnover=1.0, agency_share=0.0, absences_per_year=0.0)
    assert staffing.notice_months == 1  # the default: a month's notice
    problem = Problem(as_of=AS_OF, people=(), workers=workers)
    world = build_world(problem, (), CONFIG, 2, CohortSettings(0.0), 1.0, 1, staffing)
    leaving = {c.worker_id: c.effective_from for c in world.hr if c.kind is ChangeKind.LEAVER}
    assert leaving == {"A": DAYS[1], "B": DAYS[1]}
    seen = []
    for day in (DAYS[0] - date.resolution, DAYS[0]):
        staff = apply_hr_changes(dataclasses.replace(problem, as_of=day), world.known_on(day))
        seen.append({w.worker_id: w.leaving_on for w in staff.workers})
    # The day before the notice nobody is known to be going; from then on, through the
    # workers' leaving_on, as an authority's HR data would say it.
    assert seen == [{"A": None, "B": None}, {"A": DAYS[1], "B": DAYS[1]}]


def test_maternity_is_known_ahead_as_a_dated_reduction_and_sickness_the_day_it_starts() -> None:
    workers = (_sw("A"),)
    events = {}
    for share in (0.0, 1.0):
        staffing = Staffing(turnover=0.0, agency_share=0.0, absences_per_year=1.0,
                            absence_months=(2, 2), announced_absence_share=share)  # fmt: skip
        events[share] = _events(workers, staffing)[0]
    assert [e.reason for e in events[0.0]] == [ABSENCE] * 4
    assert [e.reason for e in events[1.0]] == [MATERNITY] * 4
    # Announcing an absence changes nothing else in the world (no extra random draw).
    strip = [dataclasses.replace(e, reason=None) for e in events[0.0]]
    assert strip == [dataclasses.replace(e, reason=None) for e in events[1.0]]
    first = {share: e[0] for share, e in events.items()}  # from DAYS[1]
    world = World(DAYS, (), workers, tuple(first.values()), CONFIG, notice_months=1,
                  absence_notice_months=3)  # fmt: skip
    assert world.known_from(first[1.0]) == add_months(DAYS[1], -3)
    assert world.known_from(first[0.0]) == DAYS[1]
    maternity = dataclasses.replace(world, hr=(first[1.0],))
    staff = apply_hr_changes(Problem(as_of=DAYS[0], people=(), workers=workers),
                             maternity.known_on(DAYS[0]))  # fmt: skip
    reductions = staff.workers[0].reductions
    assert [(r.percent, r.effective_from) for r in reductions] == [(100.0, DAYS[1])]
    assert first[0.0].file == SIMULATED


def _leaver_world(days: int) -> World:
    """A leaves ``days`` after AS_OF (known now); a new child and two empty workers."""
    workers = (_sw("A", 10.0), _sw("B", 10.0))
    leaver = HRChange("A", ChangeKind.LEAVER, AS_OF + date.resolution * days, None, None,
                      "resigned", "hr_changes", 2)  # fmt: skip
    config = Config.from_dict({"capacity": {"no_new_cases_days_before_leaving": 30}})
    people = (_child("Y1"),)
    return World(DAYS[:2], (people, people), workers, (leaver,), config)


@pytest.mark.parametrize(("days", "heeded"), [(29, True), (30, True), (31, False)])
def test_the_issues_by_hand_ignores_the_notice_rule_and_the_variant_applies_it(
    days: int, heeded: bool
) -> None:
    # A and B are equally empty; by hand takes the first, A, whatever their notice.
    world = _leaver_world(days)
    literal = run_policy(world, Policy(BY_HAND))
    ruled = run_policy(world, Policy(BY_HAND_NOTICE, notice_rule=True))
    managing = run_policy(world, Policy(BY_HAND_MANAGING, shed_above=1.1, notice_rule=True))
    # A is gone by month 1 only when leaving within the month (DAYS[1] is 31 days on).
    gone = days <= 31
    assert literal.year["changes"] == int(gone)  # Y1 given to A, then moved when A goes
    assert ruled.year["changes"] == managing.year["changes"] == int(gone and not heeded)


def test_ignoring_notice_keeps_the_workers_own_accepting_new_flag() -> None:
    workers = (_sw("A"), dataclasses.replace(_sw("B"), accepting_new=False),
               dataclasses.replace(_sw("C"), leaving_on=AS_OF + date.resolution * 3))  # fmt: skip
    problem, _, caps = _month((), workers)
    assert [c.can_receive for c in caps] == [True, False, False]
    assert [c.can_receive for c in ignoring_notice(problem, caps)] == [True, False, True]


def test_month_figures_count_workers_over_target_over_110_and_over_the_hard_limit() -> None:
    people = tuple(_child(f"C{k}", f"S{k}") for k in range(3))
    _, demand, _ = _month(people, tuple(_sw(f"S{k}") for k in range(3)))
    points = demand.requirements[0].points_value
    workers = tuple(_sw(f"S{k}", points / u) for k, u in enumerate((1.05, 1.15, 1.25)))
    problem, demand, caps = _month(people, workers)
    figures = month_figures(problem, demand, caps, np.arange(3), CONFIG)
    over = (figures["SW_over_target"], figures["SW_over_110"], figures["SW_over_hard_limit"])
    assert over == (3, 2, 1)
