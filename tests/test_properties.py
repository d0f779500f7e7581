"""Properties of every proposal, on random small authorities (hypothesis).

- no young person is dropped: each required (young person, role) is one row;
- every hard rule holds, per the independent check and per a check of the
  written files made here;
- the same input and seed give byte-identical allocations.
"""

from __future__ import annotations

import csv
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from authority import AS_OF, born
from caseweight.config import Config
from caseweight.io.proposal import write_proposal
from caseweight.pipeline import Proposal, propose
from caseweight.problem import Problem, Role, Status, Worker, YoungPerson, age_months, age_years
from conftest import exact_optimum, model_terms

CONFIG = Config()
TIME_LIMIT = 1.0
SETTINGS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
TEAMS = (None, "north", "south")
SKILLS = ("uasc", "language:arabic")
NEEDS = ("uasc", "language:arabic", "language:tigrinya")
FLAGS = ("uasc", "disability", "court_proceedings", "youth_justice", "neet")


@st.composite
def workers(draw: st.DrawFn, role: Role, prefix: str) -> list[Worker]:
    count = draw(st.integers(0 if role is Role.PERSONAL_ADVISER else 1, 4))
    out = []
    for i in range(count):
        leaving = draw(st.sampled_from([None, None, None, -5, 0, 10]))
        out.append(
            Worker(
                worker_id=f"{prefix}{i}",
                row=i + 2,
                role=role,
                fte=draw(st.sampled_from([0.2, 0.5, 0.8, 1.0])),
                grade=draw(st.sampled_from([None, "asye", "senior_practitioner"])),
                team=draw(st.sampled_from(TEAMS)),
                capacity_points=draw(st.sampled_from([None, 5.0, 10.0, 12.5, 20.0, 30.0])),
                max_cases=draw(st.sampled_from([None, None, 1, 2, 4])),
                skills=frozenset(draw(st.sets(st.sampled_from(SKILLS), max_size=2))),
                accepting_new=draw(st.sampled_from([True, True, True, False])),
                leaving_on=None if leaving is None else AS_OF + timedelta(days=leaving),
            )
        )
    return out


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    """A contract-valid authority of 2-14 young people and 1-8 workers."""
    sws = draw(workers(Role.SOCIAL_WORKER, "S"))
    pas = draw(workers(Role.PERSONAL_ADVISER, "P"))
    people = []
    for i in range(draw(st.integers(2, 14))):
        status = draw(st.sampled_from([Status.IN_CARE, Status.IN_CARE, Status.CARE_LEAVER]))
        low, high = (0, 18) if status is Status.IN_CARE else (16, 25)
        born_on = born(draw(st.integers(low, high)), draw(st.integers(0, 11)))
        sw = draw(st.sampled_from([None, *(w.worker_id for w in sws)]))
        pa = draw(st.sampled_from([None, *(w.worker_id for w in pas)]))
        people.append(
            YoungPerson(
                person_id=f"{i:03d}",
                row=i + 2,
                date_of_birth=born_on,
                status=status,
                current_social_worker=sw if status is Status.IN_CARE else None,
                current_personal_adviser=pa,
                team=draw(st.sampled_from(TEAMS)),
                worker_changes_12m=draw(st.integers(0, 4)),
                flags=frozenset(draw(st.sets(st.sampled_from(FLAGS), max_size=2))),
                sibling_group=draw(st.sampled_from([None, None, "f1", "f2"])),
                needs_skills=tuple(sorted(draw(st.sets(st.sampled_from(NEEDS), max_size=1)))),
            )
        )
    return Problem(as_of=AS_OF, people=tuple(people), workers=tuple(sws + pas))


def required_roles(problem: Problem, person: YoungPerson) -> set[str]:
    """The contract's hard rules 1-3, computed here from the facts alone."""
    age = age_years(person.date_of_birth, AS_OF)
    roles = set()
    if person.status is Status.IN_CARE and age < 18:
        roles.add("social_worker")
    if person.status is Status.CARE_LEAVER or age >= 18:
        roles.add("personal_adviser")
    if person.status is Status.IN_CARE and age_months(person.date_of_birth, AS_OF) >= 16 * 12:
        roles.add("personal_adviser")
    return roles


def written(proposal: Proposal, folder: Path) -> tuple[list[dict[str, str]], bytes]:
    write_proposal(proposal, folder)
    data = (folder / "allocations.csv").read_bytes()
    with open(folder / "allocations.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle)), data


@SETTINGS
@given(problems())
def test_no_young_person_is_dropped(problem: Problem) -> None:
    proposal = propose(problem, CONFIG, time_limit=TIME_LIMIT)
    with tempfile.TemporaryDirectory() as tmp:
        rows, _ = written(proposal, Path(tmp) / "out")
    pairs = [(r["person_id"], r["role"]) for r in rows]
    assert len(pairs) == len(set(pairs)), "a (young person, role) appears twice"
    for person in problem.people:
        need = required_roles(problem, person)
        have = {role for pid, role in pairs if pid == person.person_id}
        assert need <= have, (person.person_id, need, have)
        # the only extra row allowed: a PA already held before the PA age, kept
        extra = have - need
        assert extra <= {"personal_adviser"}
        if extra:
            assert person.current_personal_adviser is not None
    assert {pid for pid, _ in pairs} == {p.person_id for p in problem.people}


@SETTINGS
@given(problems())
def test_every_hard_rule_holds(problem: Problem) -> None:
    proposal = propose(problem, CONFIG, time_limit=TIME_LIMIT)
    assert proposal.check.ok, proposal.check.violations
    with tempfile.TemporaryDirectory() as tmp:
        rows, _ = written(proposal, Path(tmp) / "out")
    workers = {w.worker_id: w for w in problem.workers}
    caps = {
        w.worker_id: c for w, c in zip(problem.workers, proposal.instance.capacities, strict=True)
    }
    received: dict[str, int] = {}
    for row in rows:
        worker_id = row["proposed_worker_id"]
        if not worker_id:
            assert row["reason"] in ("no_capacity", "no_eligible_worker"), row
            continue
        worker = workers[worker_id]
        assert worker.role.value == row["role"], row  # rule 4: own role
        assert not worker.has_left(AS_OF), row  # rule 4: leavers hold nobody
        if worker_id != row["current_worker_id"]:
            assert worker.accepting_new, row  # rule 4: accepting_new
            received[worker_id] = received.get(worker_id, 0) + 1
    load = {w: 0.0 for w in workers}
    held = {w: 0 for w in workers}
    for row in rows:
        if row["proposed_worker_id"]:
            load[row["proposed_worker_id"]] += float(row["points"])
            held[row["proposed_worker_id"]] += 1
    for worker_id in received:  # rule 5: receivers within the hard limit and max_cases
        assert load[worker_id] <= caps[worker_id].hard_limit_points + 1e-6, worker_id
        limit = workers[worker_id].max_cases
        assert limit is None or held[worker_id] <= limit, worker_id


@SETTINGS
@given(problems())
def test_same_seed_gives_the_same_proposal(problem: Problem) -> None:
    first = propose(problem, CONFIG, time_limit=TIME_LIMIT)
    second = propose(problem, CONFIG, time_limit=TIME_LIMIT)
    with tempfile.TemporaryDirectory() as tmp:
        _, one = written(first, Path(tmp) / "one")
        _, two = written(second, Path(tmp) / "two")
    assert one == two
    assert first.result.objective == second.result.objective


@SETTINGS
@given(problems())
def test_nobody_is_left_unallocated_while_an_eligible_worker_has_room(problem: Problem) -> None:
    """Leaving a row unallocated costs more than any allocation, so it must be forced."""
    proposal = propose(problem, CONFIG, time_limit=TIME_LIMIT)
    inst = proposal.instance
    loads, cases = proposal.loads_after, proposal.cases_after
    for req in inst.requirements:
        if proposal.assignment[req.index] >= 0:
            continue
        person = problem.people[req.person]
        for w, worker in enumerate(problem.workers):
            cap = inst.capacities[w]
            eligible = (
                worker.role is req.role
                and cap.can_receive
                and set(person.needs_skills) - set(inst.skill_gaps.get(req.index, ()))
                <= worker.skills
            )
            fits = loads[w] + req.points <= inst.hard_limit[w] and (
                cap.max_cases is None or cases[w] + 1 <= cap.max_cases
            )
            assert not (eligible and fits), (person.person_id, req.role.value, worker.worker_id)


@SETTINGS
@given(problems())
def test_model_prices_the_proposal_as_the_check_does_and_the_bound_is_honest(
    problem: Problem,
) -> None:
    """CP-SAT's own reading of the proposal equals the check's; the bound is below the optimum."""
    proposal = propose(problem, CONFIG, time_limit=TIME_LIMIT)
    terms, objective = model_terms(proposal.instance, proposal.assignment)
    assert terms == proposal.check.terms
    assert objective == proposal.result.objective
    _, optimum = exact_optimum(proposal.instance)
    assert proposal.result.best_bound <= optimum <= proposal.result.objective
    if proposal.result.status.value == "optimal":
        assert proposal.result.objective == optimum


@pytest.mark.xfail(
    strict=False,  # the failure itself depends on timing, so it cannot be strict
    reason="when the time limit binds, the search stops on the wall clock, so the same input "
    "and seed can give different proposals (demo at 0.5 s: 2 distinct in 3 runs)",
)
def test_same_seed_gives_the_same_proposal_when_the_time_limit_binds() -> None:
    from caseweight.demo import DEMO_AS_OF, demo_paths
    from caseweight.io.inputs import read_problem

    cases, workers = demo_paths()
    problem = read_problem(cases, workers, DEMO_AS_OF, CONFIG)
    runs = set()
    for _ in range(3):
        proposal = propose(problem, CONFIG, time_limit=0.5)
        runs.add(tuple(proposal.assignment.tolist()))
    assert len(runs) == 1
