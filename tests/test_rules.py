"""Each rule of the optimiser on tiny authorities, through the real solver.

Every soft rule has a case it penalises and a case it leaves alone; the hard
rules are checked on the proposal itself. The ``run_authority`` fixture also
asserts the independent check passes on every run.

Loads (default config): an in-care young person under 12 scores 5 points, so
on a worker with ``capacity_points=10`` each is 50% utilisation; the hard
limit is 120%.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from authority import AS_OF, Authority
from caseweight.config import Config
from caseweight.solver.instance import COST_SCALE
from conftest import RULES_CONFIG, Outcome, Runner, exact_optimum

DEFAULTS = RULES_CONFIG


def light_and_heavy(first_empty: bool) -> Authority:
    """S1 and S2 of 10 points; one holds A (50%), the other is a new starter."""
    authority = Authority()
    if first_empty:
        authority.worker("S1", capacity_points=10, grade="asye")
        authority.worker("S2", capacity_points=10).person("A", sw="S2")
    else:
        authority.worker("S1", capacity_points=10).person("A", sw="S1")
        authority.worker("S2", capacity_points=10, grade="asye")
    return authority


# --- continuity -------------------------------------------------------------


def nearly_even() -> Authority:
    """S1 at 100% (6 young people), S2 at 67% (4): one move would gain a little balance."""
    authority = Authority().worker("S1", capacity_points=30).worker("S2", capacity_points=30)
    for i in range(6):
        authority.person(f"A{i}", sw="S1")
    for i in range(4):
        authority.person(f"B{i}", sw="S2")
    return authority


def test_continuity_keeps_a_young_person_with_a_worker_within_target(run_authority: Runner) -> None:
    outcome = run_authority(nearly_even(), time_limit=1)
    assert outcome.changes == 0
    assert outcome.terms["continuity"] == 0


def test_continuity_is_what_keeps_them(run_authority: Runner) -> None:
    """Control: with changes free, the same authority is evened out."""
    free = dataclasses.replace(
        RULES_CONFIG,
        optimiser=dataclasses.replace(
            RULES_CONFIG.optimiser, change_penalty=0, change_penalty_per_recent_change=0
        ),
    )
    outcome = run_authority(nearly_even(), free, time_limit=1)
    assert outcome.changes >= 1


def test_continuity_move_off_a_leaving_worker_costs_nothing(run_authority: Runner) -> None:
    authority = (
        Authority()
        .worker("S1", capacity_points=20, leaving_on=AS_OF - timedelta(days=1))
        .worker("S2", capacity_points=20)
        .person("A", sw="S1", worker_changes_12m=3)
    )
    outcome = run_authority(authority)
    assert outcome.worker_of("A") == "S2"
    assert outcome.reason("A") == "worker_leaving"
    assert outcome.row("A")["changed"] == "true"
    assert outcome.terms["continuity"] == 0


@pytest.mark.parametrize("unsettled", ["A", "B"])
def test_continuity_penalty_grows_with_recent_changes(
    run_authority: Runner, unsettled: str
) -> None:
    """S1 is at 125% with A and B; one must go to S2: the one with fewer recent changes."""
    authority = Authority().worker("S1", capacity_points=8).worker("S2", capacity_points=10)
    for pid in "AB":
        authority.person(pid, sw="S1", worker_changes_12m=3 if pid == unsettled else 0)
    outcome = run_authority(authority)
    settled = "B" if unsettled == "A" else "A"
    assert outcome.worker_of(unsettled) == "S1"
    assert outcome.worker_of(settled) == "S2"
    opt = DEFAULTS.optimiser
    assert outcome.terms["continuity"] == opt.change_penalty * COST_SCALE


def test_continuity_personal_adviser_kept_through_the_18th_birthday(
    run_authority: Runner,
) -> None:
    """P1 is over target; the 17-year-old near 18 keeps the PA, the 21-year-old moves."""
    authority = (
        Authority()
        .worker("S1", capacity_points=40)
        .worker("P1", "pa", capacity_points=4)
        .worker("P2", "pa", capacity_points=4)
        .person("T", age=17, months=9, sw="S1", pa="P1")  # 2.4 points on the PA
        .person("L", age=21, status="care_leaver", pa="P1")  # 2 points
    )
    outcome = run_authority(authority)
    assert outcome.worker_of("T", "personal_adviser") == "P1"
    assert outcome.worker_of("L", "personal_adviser") == "P2"


# --- balance ----------------------------------------------------------------


@pytest.mark.parametrize("first_empty", [True, False])
def test_balance_new_young_person_goes_to_the_lighter_worker(
    run_authority: Runner, first_empty: bool
) -> None:
    outcome = run_authority(light_and_heavy(first_empty).person("N"))
    assert outcome.worker_of("N") == ("S1" if first_empty else "S2")
    assert outcome.reason("N") == "new_allocation"
    assert outcome.worker_of("A") == ("S2" if first_empty else "S1")


def test_balance_relieves_a_worker_far_above_target(run_authority: Runner) -> None:
    authority = (
        Authority()
        .worker("S1", capacity_points=10)
        .worker("S2", capacity_points=20)
        .person("A", sw="S1")
        .person("B", sw="S1")
        .person("C", sw="S1")
        .person("D", sw="S2")
    )
    outcome = run_authority(authority)
    workers = outcome.proposal.summary()
    assert workers["max_utilisation_before"] == 1.5
    assert workers["max_utilisation"] <= 1.0
    moved = [pid for pid in "ABC" if outcome.worker_of(pid) == "S2"]
    assert len(moved) >= 1
    assert {outcome.reason(pid) for pid in moved} == {"over_capacity"}
    assert outcome.terms["continuity"] > 0


@pytest.mark.parametrize("per_worker", [1, 2])
def test_balance_leaves_even_loads_alone(run_authority: Runner, per_worker: int) -> None:
    authority = Authority()
    for w in ("S1", "S2", "S3"):
        authority.worker(w, capacity_points=10)
        for i in range(per_worker):
            authority.person(f"{w}-{i}", sw=w)
    outcome = run_authority(authority)
    assert outcome.changes == 0
    assert all(r["changed"] == "false" for r in outcome.rows)


def test_balance_spreads_new_young_people_by_utilisation_across_capacities(
    run_authority: Runner,
) -> None:
    """A full-timer (85 points) and a half-timer (42.5), both empty, and 6 new young people."""
    authority = Authority().worker("S1", capacity_points=85).worker("S2", capacity_points=42.5)
    for i in range(6):
        authority.person(f"N{i}")
    outcome = run_authority(authority, Config())  # realistic capacities: the real defaults
    after = outcome.proposal.utilisation_after
    assert abs(after[0] - after[1]) <= 0.15, after


# --- personal adviser due ---------------------------------------------------


def pa_authority() -> Authority:
    return Authority().worker("S1", capacity_points=40).worker("P1", "pa", capacity_points=40)


def test_personal_adviser_due_at_16(run_authority: Runner) -> None:
    outcome = run_authority(pa_authority().person("Y", age=16, months=1, sw="S1"))
    assert outcome.worker_of("Y", "personal_adviser") == "P1"
    assert outcome.reason("Y", "personal_adviser") == "personal_adviser_due"
    assert outcome.worker_of("Y") == "S1"
    # the PA carries the configured share of the score: 40% of 6 points
    assert float(outcome.row("Y", "personal_adviser")["points"]) == pytest.approx(2.4)


def test_personal_adviser_not_due_at_15(run_authority: Runner) -> None:
    outcome = run_authority(pa_authority().person("Y", age=15, months=11, sw="S1"))
    assert not outcome.has_row("Y", "personal_adviser")
    assert outcome.worker_of("Y") == "S1"
    assert outcome.holding("P1") == set()


def test_personal_adviser_age_follows_the_config(run_authority: Runner) -> None:
    late = Config.from_dict({"personal_adviser_from_age": 17.5})
    authority = pa_authority().person("Y", age=17, months=1, sw="S1")
    assert not run_authority(authority, late).has_row("Y", "personal_adviser")
    assert run_authority(authority).has_row("Y", "personal_adviser")


def test_personal_adviser_capacity_goes_to_the_oldest(run_authority: Runner) -> None:
    """P1 (5 points, hard limit 6) fits two PA shares of 2.4: the two oldest get them."""
    authority = Authority().worker("S1", capacity_points=40).worker("P1", "pa", capacity_points=5)
    ages = {"Y16a": (16, 1), "Y17b": (17, 6), "Y16c": (16, 6), "Y17d": (17, 0)}
    for pid, (years, months) in ages.items():
        authority.person(pid, age=years, months=months, sw="S1")
    outcome = run_authority(authority)
    assert outcome.holding("P1") == {"Y17b", "Y17d"}
    for pid in ("Y16a", "Y16c"):
        assert outcome.worker_of(pid, "personal_adviser") == ""
        assert outcome.reason(pid, "personal_adviser") == "no_capacity"
    assert outcome.proposal.summary()["unallocated"] == 2


def test_statutory_personal_adviser_comes_before_one_due(run_authority: Runner) -> None:
    """A care leaver's PA is a statutory allocation: it wins the last place over a 17-year-old."""
    authority = (
        Authority()
        .worker("S1", capacity_points=40)
        .worker("P1", "pa", capacity_points=3)  # hard limit 3.6: one of the two fits
        .person("Y", age=17, months=11, sw="S1")  # PA share 2.4
        .person("L", age=19, status="care_leaver")  # 3 points
    )
    outcome = run_authority(authority)
    assert outcome.worker_of("L", "personal_adviser") == "P1"
    assert outcome.worker_of("Y", "personal_adviser") == ""


@pytest.mark.parametrize("held", [True, False])
def test_nobody_is_taken_from_a_worker_who_can_keep_them(run_authority: Runner, held: bool) -> None:
    """P1 has room for one PA share. Held, the 16-year-old keeps P1 even though the
    older 17-year-old would otherwise win the place (contract rule 5); not held,
    the oldest is served first."""
    authority = (
        Authority()
        .worker("S1", capacity_points=40)
        .worker("P1", "pa", capacity_points=3)  # hard limit 3.6: one PA share of 2.4
        .person("Y16", age=16, months=1, sw="S1", pa="P1" if held else None)
        .person("Y17", age=17, months=11, sw="S1")
    )
    outcome = run_authority(authority)
    assert outcome.holding("P1") == ({"Y16"} if held else {"Y17"})
    # the whole model's optimum too, not only the search's choice
    proposal = outcome.proposal
    best, _ = exact_optimum(proposal.instance)
    on_p1 = {
        proposal.problem.people[r.person].person_id
        for r in proposal.instance.requirements
        if best[r.index] == proposal.problem.worker_index["P1"]
    }
    assert on_p1 == ({"Y16"} if held else {"Y17"})


# --- siblings ---------------------------------------------------------------


def siblings_case(group: str | None) -> Authority:
    """S1 holds A and X (50% of 20), S2 holds Y (25%): balance alone sends new B to S2."""
    return (
        Authority()
        .worker("S1", capacity_points=20)
        .worker("S2", capacity_points=20)
        .person("A", sw="S1", sibling_group=group)
        .person("X", sw="S1")
        .person("Y", sw="S2")
        .person("B", sibling_group=group)
    )


def test_siblings_share_a_social_worker_when_possible(run_authority: Runner) -> None:
    outcome = run_authority(siblings_case("fam1"))
    assert outcome.worker_of("B") == outcome.worker_of("A") == "S1"
    assert outcome.terms["siblings"] == 0


def test_siblings_control_without_a_group_balance_decides(run_authority: Runner) -> None:
    outcome = run_authority(siblings_case(None))
    assert outcome.worker_of("B") == "S2"


def test_siblings_not_forced_past_the_hard_limit(run_authority: Runner) -> None:
    authority = (
        Authority()
        .worker("S1", capacity_points=10)
        .worker("S2", capacity_points=10)
        # A and X have had four changes this year: moving either costs more than the split
        .person("A", sw="S1", sibling_group="fam1", worker_changes_12m=4)
        .person("X", sw="S1", worker_changes_12m=4)
        .person("B", sibling_group="fam1")
    )
    outcome = run_authority(authority)
    assert outcome.worker_of("A") == "S1"
    assert outcome.worker_of("B") == "S2"
    assert outcome.terms["siblings"] == DEFAULTS.optimiser.sibling_split_penalty * COST_SCALE


# --- skills -----------------------------------------------------------------


def skills_case(needs: str | None) -> Authority:
    """S1 (with skill uasc) at 50% of 20, S2 (no skills) empty."""
    return (
        Authority()
        .worker("S1", capacity_points=20, skills="uasc;language:arabic")
        .worker("S2", capacity_points=20)
        .person("A", sw="S1")
        .person("X", sw="S1")
        .person("N", needs_skills=needs, uasc=needs is not None)
    )


def test_skills_young_person_goes_to_the_worker_with_the_skill(run_authority: Runner) -> None:
    outcome = run_authority(skills_case("uasc"))
    assert outcome.worker_of("N") == "S1"


def test_skills_control_without_the_need_balance_decides(run_authority: Runner) -> None:
    outcome = run_authority(skills_case(None))
    assert outcome.worker_of("N") == "S2"


def test_skills_nobody_has_are_reported_not_blocking(run_authority: Runner) -> None:
    outcome = run_authority(skills_case("language:tigrinya"))
    assert outcome.worker_of("N") == "S2"
    warnings = outcome.proposal.summary()["warnings"]
    assert any("language:tigrinya" in w for w in warnings), warnings
    assert outcome.proposal.summary()["unallocated"] == 0


def test_skills_are_hard_when_a_worker_has_them(run_authority: Runner) -> None:
    """The only worker with the skill is full: the young person waits rather than go without."""
    authority = (
        Authority()
        .worker("S1", capacity_points=10, skills="uasc;language:arabic")
        .worker("S2", capacity_points=20)
        .person("A", sw="S1", needs_skills="language:arabic")  # neither can move to S2
        .person("X", sw="S1", needs_skills="language:arabic")
        .person("N", needs_skills="uasc", uasc=True)
    )
    outcome = run_authority(authority)
    assert outcome.worker_of("N") == ""
    assert outcome.reason("N") == "no_capacity"


def test_skills_move_towards_a_worker_with_the_skill(run_authority: Runner) -> None:
    """A kept worker lacking a skill another worker has costs the skills penalty."""
    authority = (
        Authority()
        .worker("S1", capacity_points=20)
        .worker("S2", capacity_points=20, skills="uasc")
        .person("N", sw="S1", needs_skills="uasc")
        .person("A", sw="S2")
    )
    outcome = run_authority(authority)
    kept = outcome.worker_of("N") == "S1"
    assert outcome.terms["skills"] == (
        DEFAULTS.optimiser.skill_mismatch_penalty * COST_SCALE if kept else 0
    )


# --- team -------------------------------------------------------------------


@pytest.mark.parametrize("north_first", [True, False])
def test_team_prefers_a_worker_of_the_same_team(run_authority: Runner, north_first: bool) -> None:
    authority = Authority()
    teams = ["north", "south"] if north_first else ["south", "north"]
    for w, team in zip(("S1", "S2"), teams, strict=True):
        authority.worker(w, capacity_points=20, team=team).person(f"A-{w}", sw=w, team=team)
    authority.person("N", team="north")
    outcome = run_authority(authority)
    assert outcome.worker_of("N") == ("S1" if north_first else "S2")
    assert outcome.terms["team"] == 0


def test_team_other_team_when_it_alone_has_room(run_authority: Runner) -> None:
    authority = (
        Authority()
        .worker("S1", capacity_points=10, team="north")
        .worker("S2", capacity_points=10, team="south")
        .person("A", sw="S1", team="north")
        .person("X", sw="S1", team="north")
        .person("N", team="north")
    )
    outcome = run_authority(authority)
    assert outcome.worker_of("N") == "S2"
    assert outcome.terms["team"] == DEFAULTS.optimiser.team_mismatch_penalty * COST_SCALE


# --- unallocated ------------------------------------------------------------


def test_unallocated_when_demand_exceeds_the_hard_limit(run_authority: Runner) -> None:
    authority = Authority().worker("S1", capacity_points=10)
    for i in range(5):
        authority.person(f"N{i}")
    outcome = run_authority(authority)
    allocated = [r for r in outcome.rows if r["proposed_worker_id"] == "S1"]
    left = [r for r in outcome.rows if r["proposed_worker_id"] == ""]
    assert len(allocated) == 2  # 10 points within the limit of 12
    assert len(left) == 3
    assert {r["reason"] for r in left} == {"no_capacity"}
    summary = outcome.proposal.summary()
    assert summary["unallocated"] == 3
    assert any("could not be made" in w for w in summary["warnings"])
    assert outcome.terms["unallocated"] == 3 * DEFAULTS.optimiser.unallocated_penalty * COST_SCALE


def test_unallocated_when_no_worker_of_the_role_exists(run_authority: Runner) -> None:
    authority = (
        Authority().worker("S1", capacity_points=20).person("L", age=19, status="care_leaver")
    )
    outcome = run_authority(authority)
    assert outcome.worker_of("L", "personal_adviser") == ""
    assert outcome.reason("L", "personal_adviser") == "no_eligible_worker"


def test_unallocated_is_not_chosen_when_there_is_room(run_authority: Runner) -> None:
    authority = Authority().worker("S1", capacity_points=10)
    for i in range(2):
        authority.person(f"N{i}")
    outcome = run_authority(authority)
    assert outcome.holding("S1") == {"N0", "N1"}
    assert outcome.terms["unallocated"] == 0


# --- hard rules -------------------------------------------------------------


def test_not_accepting_new_keeps_cases_and_receives_nobody(run_authority: Runner) -> None:
    authority = (
        Authority()
        .worker("S1", capacity_points=20, accepting_new=False)
        .worker("S2", capacity_points=20)
        .person("A", sw="S1")
        .person("X", sw="S2")
        .person("Y", sw="S2")
        .person("N")
    )
    outcome = run_authority(authority)
    assert outcome.worker_of("A") == "S1"
    assert outcome.worker_of("N") == "S2"
    assert outcome.holding("S1") == {"A"}


def test_a_leaver_holds_nobody(run_authority: Runner) -> None:
    authority = (
        Authority()
        .worker("S1", capacity_points=20, leaving_on=AS_OF)
        .worker("S2", capacity_points=20)
        .worker("S3", capacity_points=20)
        .person("A", sw="S1")
        .person("B", sw="S1")
        .person("N")
    )
    outcome = run_authority(authority)
    assert outcome.holding("S1") == set()
    assert outcome.reason("A") == outcome.reason("B") == "worker_leaving"
    cases_after = dict(zip(_worker_ids(outcome), outcome.proposal.cases_after, strict=True))
    assert cases_after["S1"] == 0


def test_overload_that_cannot_move_stays_and_receives_nobody(run_authority: Runner) -> None:
    authority = (
        Authority()
        .worker("S1", capacity_points=10)
        .worker("S2", capacity_points=10)
        .person("A", sw="S1")
        .person("B", sw="S1")
        .person("C", sw="S1")
        .person("D", sw="S2")
        .person("E", sw="S2")
        .person("N")
    )
    outcome = run_authority(authority)
    assert outcome.holding("S1") == {"A", "B", "C"}
    assert outcome.worker_of("N") == ""
    assert outcome.reason("N") == "no_capacity"
    summary = outcome.proposal.summary()
    assert summary["max_utilisation"] == 1.5
    assert summary["workers_over_target_after"] == 1


def max_cases_case(max_cases: int | None) -> Authority:
    """S1 and S2 (20 points each) hold one young person at 25%: balance gives one new each."""
    return (
        Authority()
        .worker("S1", capacity_points=20, max_cases=max_cases)
        .worker("S2", capacity_points=20)
        .person("A", sw="S1")
        .person("B", sw="S2")
        .person("N0")
        .person("N1")
    )


def test_max_cases_respected_by_a_receiver(run_authority: Runner) -> None:
    outcome = run_authority(max_cases_case(1))
    assert outcome.holding("S1") == {"A"}
    assert outcome.holding("S2") == {"B", "N0", "N1"}


def test_max_cases_control_without_it_each_receives_one(run_authority: Runner) -> None:
    outcome = run_authority(max_cases_case(None))
    assert len(outcome.holding("S1")) == 2
    assert len(outcome.holding("S2")) == 2


def test_max_cases_does_not_take_cases_from_a_holder(run_authority: Runner) -> None:
    authority = (
        Authority()
        .worker("S1", capacity_points=30, max_cases=1)
        .worker("S2", capacity_points=30)
        .person("A", sw="S1")
        .person("B", sw="S1")
    )
    outcome = run_authority(authority)
    assert outcome.holding("S1") == {"A", "B"}


def test_wrong_role_never_proposed(run_authority: Runner) -> None:
    """Only a PA has room, yet a young person needing a SW is not given to a PA."""
    authority = Authority().worker("P1", "pa", capacity_points=50).person("N")
    outcome = run_authority(authority)
    assert outcome.worker_of("N") == ""
    assert outcome.reason("N") == "no_eligible_worker"


def _worker_ids(outcome: Outcome) -> list[str]:
    return [w.worker_id for w in outcome.proposal.problem.workers]


def test_hard_limit_is_not_rounded_up(run_authority: Runner) -> None:
    """Five care leavers of 2.5 points each; P1 has 10.4 points (hard limit 12.48)."""
    authority = Authority().worker("P1", "pa", capacity_points=10.4)
    for i in range(5):
        authority.person(f"L{i}", age=21, status="care_leaver", neet=True)
    outcome = run_authority(authority)
    assert all(float(r["points"]) == 2.5 for r in outcome.rows)
    load = 2.5 * len(outcome.holding("P1"))
    assert load <= 10.4 * DEFAULTS.capacity.hard_limit
