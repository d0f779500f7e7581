"""suggest: each worker priced as the optimiser would; the others ruled out by the rule."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from authority import AS_OF, AS_OF_TEXT, Authority, write_csv, young_person
from caseweight.capacity import capacities
from caseweight.cli import main
from caseweight.config import config_to_dict
from caseweight.demand import build_demand
from caseweight.errors import InputError
from caseweight.io.inputs import read_problem
from caseweight.problem import Problem, Role
from caseweight.solution import objective_terms
from caseweight.solver.instance import COST_SCALE, build_instance
from caseweight.solver.warm_start import keep_current
from caseweight.suggest import Suggestion, add_new_person, suggest
from caseweight.weighting import score_people
from conftest import RULES_CONFIG

SW = Role.SOCIAL_WORKER
CONFIG = RULES_CONFIG


def authority() -> Authority:
    """East team of social workers, each ruled out by a different rule but S1; S3 in the west."""
    return (
        Authority()
        .worker("S1", team="east", capacity_points=20)
        .worker("S2", team="east", capacity_points=10)  # full: hard limit
        .worker("S3", team="west", capacity_points=20, skills="language:arabic")
        .worker("S4", team="east", capacity_points=20, accepting_new=False)
        .worker("S5", team="east", capacity_points=20, leaving_on=AS_OF)
        .worker("S6", team="east", capacity_points=40, max_cases=1)
        .worker("P1", "pa", capacity_points=20)
        .person("A", team="east", sw="S1")
        .person("B", team="east", sw="S2")
        .person("C", team="east", sw="S2")
        .person("E", team="east", sw="S6")
        .person("Y", team="east", sw="S3", sibling_group="G1")
        .person("X", team="east", sibling_group="G1")  # new: no worker
        .person("Z", team="east", needs_skills="language:arabic")
        .person("O", age=16, team="east", sw="S1")  # needs a PA too
    )


@pytest.fixture
def problem(tmp_path: Path) -> Problem:
    cases, workers = authority().write(tmp_path / "in")
    return read_problem(cases, workers, AS_OF, CONFIG)


def role_of(result: Suggestion, role: Role = SW):  # type: ignore[no-untyped-def]
    return next(r for r in result.roles if r.role is role)


def objective_change(problem: Problem, person_id: str, role: Role, worker_id: str) -> int:
    """The full optimiser objective with that one allocation changed, minus without it."""
    every = dataclasses.replace(
        CONFIG, optimiser=dataclasses.replace(CONFIG.optimiser, candidates_outside_team=0)
    )
    demand = build_demand(problem, score_people(problem, every), every)
    instance = build_instance(problem, demand, capacities(problem, every), every)
    base = keep_current(instance)
    r = next(
        q.index
        for q in demand.requirements
        if problem.people[q.person].person_id == person_id and q.role is role
    )
    moved = base.copy()
    moved[r] = problem.worker_index[worker_id]
    change = sum(objective_terms(instance, moved).values()) - sum(
        objective_terms(instance, base).values()
    )
    if base[r] < 0:  # a new allocation also ends the cost of leaving them unallocated
        change += int(instance.unallocated_cost[r])
    return int(change)


@pytest.mark.parametrize("person_id", ["X", "A", "Z", "O"])
def test_every_option_is_priced_as_the_objective_would_change(problem: Problem, person_id: str):
    result = suggest(problem, CONFIG, person_id, top=10)
    assert result.roles
    for role in result.roles:
        assert role.options
        for option in role.options:
            expected = objective_change(problem, person_id, role.role, option.worker_id)
            assert round(option.cost * COST_SCALE) == expected, (role.role, option.worker_id)
        costs = [o.cost for o in role.options]
        assert costs == sorted(costs)


def test_other_workers_are_ruled_out_by_the_rule_that_stops_them(problem: Problem) -> None:
    sw = role_of(suggest(problem, CONFIG, "X"))
    assert [o.worker_id for o in sw.options] == ["S3", "S1"]  # S3 holds X's sibling
    assert {(r.worker_id, r.reason) for r in sw.ruled_out} == {
        ("S2", "hard_limit"),
        ("S4", "not_accepting"),
        ("S5", "leaving"),
        ("S6", "max_cases"),
    }
    assert sw.other_role == 1
    hard = next(r for r in sw.ruled_out if r.worker_id == "S2")
    assert hard.detail == "would reach 150% of capacity"


def test_sibling_team_and_load_are_shown(problem: Problem) -> None:
    sw = role_of(suggest(problem, CONFIG, "X"))
    s3, s1 = sw.options
    assert s3.holds_siblings == ("Y",) and s3.team_match is False
    assert s3.sibling_cost == 0 and s1.sibling_cost == CONFIG.optimiser.sibling_split_penalty
    assert s3.team_cost == CONFIG.optimiser.team_mismatch_penalty
    assert (s1.load_before, s1.load_after) == (11.0, 16.0)  # A (5) and O (6), then X (5)
    assert (s1.utilisation_before, s1.utilisation_after) == (0.55, 0.8)
    assert (s1.cases_before, s1.cases_after) == (2, 3)
    assert s1.change_cost == 0  # a first allocation is not a change


def test_a_needed_skill_rules_out_workers_without_it(problem: Problem) -> None:
    sw = role_of(suggest(problem, CONFIG, "Z"))
    assert [o.worker_id for o in sw.options] == ["S3"]
    assert ("S1", "skill", "lacks language:arabic") in {
        (r.worker_id, r.reason, r.detail) for r in sw.ruled_out
    }


def test_current_worker_is_listed_and_a_move_prices_the_change(problem: Problem) -> None:
    sw = role_of(suggest(problem, CONFIG, "A", top=10))
    current = next(o for o in sw.options if o.current)
    assert current.worker_id == "S1" and current.cost == 0
    s3 = next(o for o in sw.options if o.worker_id == "S3")
    assert s3.change_cost == CONFIG.optimiser.change_penalty


def test_a_previous_worker_is_known_and_cheaper(problem: Problem) -> None:
    people = tuple(
        dataclasses.replace(p, previous_workers=frozenset({"S3"})) if p.person_id == "A" else p
        for p in problem.people
    )
    known = dataclasses.replace(problem, people=people)
    s3 = next(o for o in role_of(suggest(known, CONFIG, "A", 10)).options if o.worker_id == "S3")
    assert s3.knows_young_person
    opt = CONFIG.optimiser
    assert s3.change_cost == opt.change_penalty * opt.previous_worker_discount


def test_excluded_workers_are_ruled_out_with_the_reason(problem: Problem) -> None:
    sw = role_of(suggest(problem, CONFIG, "X", excluded={(SW, "S1"): "pins: conflict"}))
    assert [o.worker_id for o in sw.options] == ["S3"]
    assert ("S1", "excluded", "pins: conflict") in {
        (r.worker_id, r.reason, r.detail) for r in sw.ruled_out
    }


def test_both_roles_are_ranked_for_a_16_year_old(problem: Problem) -> None:
    result = suggest(problem, CONFIG, "O")
    assert [r.role for r in result.roles] == [Role.SOCIAL_WORKER, Role.PERSONAL_ADVISER]
    pa = role_of(result, Role.PERSONAL_ADVISER)
    assert [o.worker_id for o in pa.options] == ["P1"] and pa.need == "personal_adviser_due"


def test_a_new_young_person_from_a_file(problem: Problem, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "new.csv", [young_person("N", team="east")])
    bigger, person_id = add_new_person(problem, path)
    assert person_id == "N" and len(bigger.people) == len(problem.people) + 1
    assert {o.worker_id for o in role_of(suggest(bigger, CONFIG, "N")).options} == {"S1", "S3"}
    two = write_csv(tmp_path / "two.csv", [young_person("N"), young_person("A", sw="S9")])
    with pytest.raises(InputError) as caught:
        add_new_person(problem, two)
    text = str(caught.value)
    assert "exactly one young person's row" in text
    assert "row 3, column 'current_social_worker'" in text
    assert "row 3, column 'person_id': got 'A'; expected a young person not already" in text


def run_cli(tmp_path: Path, *args: str) -> tuple[int, str]:
    cases, workers = authority().write(tmp_path / "cli")
    config = tmp_path / "config.json"
    config.write_text(json.dumps(config_to_dict(CONFIG)), encoding="utf-8")
    base = ["suggest", "--cases", str(cases), "--workers", str(workers), "--as-of", AS_OF_TEXT]
    result = CliRunner().invoke(main, [*base, "--no-db", "--config", str(config), *args])
    return result.exit_code, result.output


def test_command_prints_the_ranking_and_json(tmp_path: Path) -> None:
    code, text = run_cli(tmp_path, "--person", "X")
    assert code == 0, text
    assert "social_worker (5 points, none allocated): 2 eligible" in text
    assert "holds sibling Y" in text and "hard_limit: S2 (would reach" in text
    code, out = run_cli(tmp_path, "--person", "X", "--json", "--top", "1")
    assert code == 0, out
    data = json.loads(out)
    assert data["person_id"] == "X" and len(data["roles"][0]["options"]) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--person", "nobody"], "no such young person"),
        ([], "give one of --person ID or --new-person FILE"),
        (["--person", "X", "--new-person", "x.csv"], "give one of --person ID"),
    ],
)
def test_command_mistakes_exit_2_with_a_message(tmp_path: Path, args: list[str], message: str):
    code, text = run_cli(tmp_path, *args)
    assert code == 2 and message in text and "Traceback" not in text
