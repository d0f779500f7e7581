"""The independent check agrees with the solver, and catches broken proposals."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import numpy as np
import pytest

from authority import AS_OF, Authority
from caseweight.config import Config
from caseweight.pipeline import Proposal
from caseweight.solution import check_proposal, objective_terms
from caseweight.solver.warm_start import UNALLOCATED
from conftest import Runner, exact_optimum, model_terms

TERMS = {"continuity", "team", "skills", "balance", "siblings", "unallocated"}


def mixed_authority() -> Authority:
    """Every soft rule has something to price: moves, teams, skills, siblings, gaps."""
    authority = (
        Authority()
        .worker("S1", capacity_points=12, team="north", skills="uasc")
        .worker("S2", capacity_points=20, team="south")
        .worker("S3", capacity_points=15, team="north", leaving_on=AS_OF - timedelta(days=2))
        .worker("S4", capacity_points=10, team="south", accepting_new=False)
        .worker("P1", "pa", capacity_points=6, team="north")
        .worker("P2", "pa", capacity_points=8, team="south", max_cases=2)
    )
    authority.person("A", sw="S1", team="north", sibling_group="f1", worker_changes_12m=2)
    authority.person("B", sw="S1", team="north", sibling_group="f1")
    authority.person("C", sw="S1", team="south", needs_skills="uasc", uasc=True)
    authority.person("D", sw="S3", team="north", exploitation_risk="high")
    authority.person("E", sw="S4", team="south", placement_type="residential")
    authority.person("F", age=16, months=4, sw="S2", team="south")
    authority.person("G", age=17, months=8, sw="S2", pa="P1", team="north")
    authority.person("H", age=19, status="care_leaver", pa="P1", team="north")
    authority.person("I", age=22, status="care_leaver", pa="P2", team="south")
    authority.person("J", age=18, status="care_leaver", team="south", needs_skills="housing")
    authority.person("K", age=4, team="north", sibling_group="f1")
    authority.person("M", age=12, team="south", court_proceedings=True)
    return authority


def overloaded_authority() -> Authority:
    """More demand than the hard limits allow: some rows must be unallocated."""
    authority = Authority().worker("S1", capacity_points=10).worker("P1", "pa", capacity_points=4)
    for i in range(4):
        authority.person(f"N{i}", age=16, months=i)
    authority.person("L", age=20, status="care_leaver")
    return authority


def small_even_authority() -> Authority:
    authority = Authority()
    for w in ("S1", "S2"):
        authority.worker(w, capacity_points=10).person(f"{w}-a", sw=w)
    return authority


AUTHORITIES = {
    "mixed": mixed_authority,
    "overloaded": overloaded_authority,
    "even": small_even_authority,
}


@pytest.mark.parametrize("name", sorted(AUTHORITIES))
def test_check_recomputes_the_solver_terms_and_objective(run_authority: Runner, name: str) -> None:
    proposal = run_authority(AUTHORITIES[name]()).proposal
    result = proposal.result
    check = check_proposal(proposal.problem, proposal.instance, result.assignment, proposal.config)
    assert check.ok, check.violations
    assert set(check.terms) == TERMS
    assert check.terms == result.terms
    assert check.objective == result.objective
    assert result.best_bound <= result.objective


@pytest.mark.parametrize("name", sorted(AUTHORITIES))
def test_check_prices_a_proposal_as_the_cp_sat_model_does(run_authority: Runner, name: str) -> None:
    """The model's own objective terms for the proposal equal the independent recomputation."""
    proposal = run_authority(AUTHORITIES[name]()).proposal
    terms, objective = model_terms(proposal.instance, proposal.assignment)
    assert terms == proposal.check.terms
    assert objective == proposal.check.objective == proposal.result.objective


@pytest.mark.parametrize("name", sorted(AUTHORITIES))
def test_check_prices_the_model_optimum_as_the_model_does(run_authority: Runner, name: str) -> None:
    """On the whole model's optimum too (a different assignment from the pipeline's)."""
    proposal = run_authority(AUTHORITIES[name]()).proposal
    best, objective = exact_optimum(proposal.instance)
    check = check_proposal(proposal.problem, proposal.instance, best, proposal.config)
    assert check.ok, check.violations
    assert check.objective == objective
    assert proposal.result.objective >= objective
    assert proposal.result.best_bound <= objective
    # each role's bound is honest too, and the roles' parts add up to the whole
    assert sum(proposal.result.role_objectives.values()) == proposal.result.objective
    assert sum(proposal.result.role_bounds.values()) <= objective
    for role, bound in proposal.result.role_bounds.items():
        assert bound <= proposal.result.role_objectives[role]


def test_mixed_authority_exercises_every_term(run_authority: Runner) -> None:
    """The agreement above is only worth something if the terms are not all zero."""
    terms = run_authority(mixed_authority()).proposal.check.terms
    for name in ("continuity", "team", "balance", "unallocated"):
        assert terms[name] > 0, name


def test_summary_objective_is_the_checked_objective(run_authority: Runner) -> None:
    proposal = run_authority(mixed_authority()).proposal
    summary = proposal.summary()
    assert summary["objective"] == sum(summary["objective_terms"].values())
    assert summary["objective"] == proposal.result.objective
    assert summary["check"]["ok"] is True


def test_terms_of_an_all_unallocated_proposal(run_authority: Runner) -> None:
    proposal = run_authority(mixed_authority()).proposal
    nobody = np.full(len(proposal.instance.requirements), UNALLOCATED, dtype=np.int64)
    terms = objective_terms(proposal.instance, nobody)
    assert terms["unallocated"] == int(proposal.instance.unallocated_cost.sum())
    assert terms["continuity"] == terms["team"] == terms["skills"] == terms["siblings"] == 0


# --- hand-broken proposals ---------------------------------------------------


def index(proposal: Proposal, person_id: str, role: str) -> int:
    person = proposal.problem.person_index[person_id]
    return next(
        r.index
        for r in proposal.instance.requirements
        if r.person == person and r.role.value == role
    )


def broken(proposal: Proposal, changes: dict[tuple[str, str], str]) -> tuple[str, ...]:
    assignment = proposal.assignment.copy()
    for (person_id, role), worker_id in changes.items():
        assignment[index(proposal, person_id, role)] = proposal.problem.worker_index[worker_id]
    check = check_proposal(proposal.problem, proposal.instance, assignment, proposal.config)
    return check.violations


@pytest.fixture
def mixed(run_authority: Runner) -> Proposal:
    return run_authority(mixed_authority()).proposal


def test_check_catches_a_wrong_role(mixed: Proposal) -> None:
    violations = broken(mixed, {("A", "social_worker"): "P2"})
    assert any("A:" in v and "personal_adviser" in v for v in violations), violations


def test_check_catches_a_leaver_holding(mixed: Proposal) -> None:
    violations = broken(mixed, {("D", "social_worker"): "S3"})
    assert any("S3" in v for v in violations), violations


def test_check_catches_a_receiver_over_the_hard_limit(mixed: Proposal) -> None:
    pairs = {(p, "social_worker"): "S2" for p in ("A", "B", "K", "M", "D")}
    violations = broken(mixed, pairs)
    assert any("S2" in v and "hard limit" in v for v in violations), violations


def test_check_catches_new_cases_for_a_worker_not_accepting(mixed: Proposal) -> None:
    violations = broken(mixed, {("M", "social_worker"): "S4"})
    assert any("M:" in v and "S4" in v for v in violations), violations


def test_check_catches_max_cases_exceeded(mixed: Proposal) -> None:
    pairs = {(p, "personal_adviser"): "P2" for p in ("G", "H", "J")}
    violations = broken(mixed, pairs)
    assert any("P2" in v and "max_cases" in v for v in violations), violations


def test_check_catches_a_new_worker_without_a_needed_skill(mixed: Proposal) -> None:
    violations = broken(mixed, {("C", "social_worker"): "S2"})
    assert any("C:" in v and "uasc" in v for v in violations), violations


def test_check_catches_a_dropped_young_person(mixed: Proposal) -> None:
    """A requirement missing from the instance (a young person dropped) is a violation."""
    inst = mixed.instance
    keep = [r for r in inst.requirements if mixed.problem.people[r.person].person_id != "M"]
    assert len(keep) == len(inst.requirements) - 1
    renumbered = tuple(dataclasses.replace(r, index=i) for i, r in enumerate(keep))
    smaller = dataclasses.replace(
        inst,
        requirements=renumbered,
        candidates=tuple(inst.candidates[r.index] for r in keep),
        unallocated_cost=inst.unallocated_cost[[r.index for r in keep]],
        sibling_groups=(),
        skill_gaps={},
    )
    assignment = mixed.assignment[[r.index for r in keep]]
    check = check_proposal(mixed.problem, smaller, assignment, mixed.config)
    assert any(v.startswith("M:") for v in check.violations), check.violations


def test_check_catches_a_young_person_taken_from_a_worker_who_could_keep_them(
    mixed: Proposal,
) -> None:
    assignment = mixed.assignment.copy()
    assignment[index(mixed, "A", "social_worker")] = UNALLOCATED
    check = check_proposal(mixed.problem, mixed.instance, assignment, mixed.config)
    assert any(v.startswith("A:") and "can keep them" in v for v in check.violations)
    # one whose worker is leaving may be left unallocated (it is priced, not a violation)
    assignment = mixed.assignment.copy()
    assignment[index(mixed, "D", "social_worker")] = UNALLOCATED
    check = check_proposal(mixed.problem, mixed.instance, assignment, mixed.config)
    assert not any(v.startswith("D:") for v in check.violations), check.violations


def test_solver_proposal_of_the_mixed_authority_is_clean(mixed: Proposal) -> None:
    """Sanity for the tests above: the unbroken proposal passes."""
    check = check_proposal(mixed.problem, mixed.instance, mixed.assignment, Config())
    assert check.ok, check.violations
