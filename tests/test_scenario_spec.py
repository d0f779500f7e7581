"""A bad scenario file is a clear error naming the file and the line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from caseweight.cli import main
from caseweight.errors import CaseweightError, InputError
from caseweight.scenario import ScenarioError, load_scenario, prepare
from scenario_helpers import tiny_authority, write_scenario


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("spec")
    tiny_authority(root / "data")
    return root


def _message(path: Path) -> str:
    with pytest.raises(CaseweightError) as caught:
        prepare(load_scenario(path))
    return str(caught.value)


def test_a_valid_scenario_loads_with_absolute_paths(folder: Path) -> None:
    scenario = load_scenario(write_scenario(folder, "ok", "  remove_workers: [W0001]\n"))
    assert scenario.cases == (folder / "data" / "cases.csv").resolve()
    assert scenario.remove_workers == (("W0001", 9),) and scenario.time_limit == 1.0


def test_invalid_yaml_names_the_line(folder: Path) -> None:
    path = folder / "broken.yaml"
    path.write_text("name: x\nbase:\n  cases: [unclosed\n", encoding="utf-8")
    assert "broken.yaml, line 4" in _message(path) or "broken.yaml, line 3" in _message(path)


def test_unknown_keys_and_bad_values_name_their_lines(folder: Path) -> None:
    path = write_scenario(
        folder,
        "bad",
        "  demand:\n"
        "    - {kind: teenagers, change: lots}\n"  # line 11
        "  add_workers:\n"
        "    - {role: manager, fte: 2}\n"  # line 13
        "  staff: []\n",  # line 14
        extra="timelimit: 3\n",  # line 8
    )
    message = _message(path)
    assert "bad.yaml, line 8, 'timelimit'" in message
    assert "bad.yaml, line 11, 'kind': got 'teenagers'" in message
    assert "bad.yaml, line 11, 'change': got 'lots'" in message
    assert "bad.yaml, line 13, 'role': got 'manager'" in message
    assert "bad.yaml, line 13, 'fte': got 2" in message
    assert "bad.yaml, line 14, 'staff'" in message


def test_missing_base_file_and_date(folder: Path) -> None:
    path = folder / "nobase.yaml"
    path.write_text("name: x\nbase:\n  cases: nowhere.csv\n  workers: data/workers.csv\n")
    message = _message(path)
    assert "line 3, 'cases': got 'nowhere.csv'; expected an existing file" in message
    assert "base.as_of" in message


def test_policy_value_of_the_wrong_type_names_the_policy_line(folder: Path) -> None:
    path = write_scenario(folder, "policy", "  policy:\n    hard_limit: very\n")
    message = _message(path)
    assert "policy.yaml, line 9" in message and "hard_limit" in message


def test_removing_an_unknown_worker_is_an_error(folder: Path) -> None:
    path = write_scenario(folder, "ghost", "  remove_workers: [W9999]\n")
    assert "ghost.yaml, line 9: no worker 'W9999' to remove" in _message(path)


def test_contradictory_hr_rows_in_a_scenario_name_both_lines(folder: Path) -> None:
    path = write_scenario(
        folder,
        "hr",
        "  hr:\n"
        "    - {worker_id: W0001, change: fte, effective_from: 2026-11-01, value: 0.5}\n"
        "    - {worker_id: W0001, change: fte, effective_from: 2026-12-01, value: 0.8}\n",
    )
    with pytest.raises(InputError) as caught:
        prepare(load_scenario(path))
    message = str(caught.value)
    assert "hr.yaml changes.hr (row = line), row 11" in message and "row 10" in message


def test_cli_exit_status_2_without_traceback(folder: Path) -> None:
    path = write_scenario(folder, "cli_bad", "  demand:\n    - {kind: uasc, change: twice}\n")
    result = CliRunner().invoke(main, ["scenario", "compare", str(path)])
    assert result.exit_code == 2
    assert "cli_bad.yaml, line 10, 'change'" in result.output
    assert "Traceback" not in result.output


def test_scenario_error_lists_every_problem() -> None:
    error = ScenarioError(["a", "b"])
    assert str(error).splitlines() == ["problem(s) in the scenario:", "  - a", "  - b"]


def _job(folder: Path, name: str, changes: str):  # type: ignore[no-untyped-def]
    return prepare(load_scenario(write_scenario(folder, name, changes)))


def test_worker_changes_remove_modify_and_add(folder: Path) -> None:
    job = _job(
        folder,
        "workers",
        "  remove_workers: [W0001]\n"
        "  modify_workers:\n    - {worker_id: W0002, fte: 0.5, accepting_new: false}\n"
        "  add_workers:\n    - {worker_id: PA9, role: personal_adviser, team: north}\n",
    )
    workers = {w.worker_id: w for w in job.problem.workers}
    assert workers["W0001"].leaving_on == job.problem.as_of  # their young people must move
    assert (workers["W0002"].fte, workers["W0002"].accepting_new) == (0.5, False)
    assert workers["PA9"].role == "personal_adviser" and workers["PA9"].fte == 1.0


def test_fewer_young_people_of_a_kind_and_age(folder: Path) -> None:
    base = _job(folder, "base_people", "")
    fewer = _job(folder, "fewer", "  demand:\n    - {kind: in_care, age: [5, 11], change: -50%}\n")

    def count(job) -> int:  # type: ignore[no-untyped-def]
        problem = job.problem
        return sum(1 for p in problem.people if p.status == "in_care" and 5 <= problem.age(p) <= 11)

    assert count(fewer) == count(base) - int(count(base) * 0.5 + 0.5)
    assert len(fewer.problem.people) == len(base.problem.people) - (count(base) - count(fewer))


def test_policy_overrides_reach_the_config(folder: Path) -> None:
    job = _job(
        folder,
        "policy_ok",
        "  policy:\n    hard_limit: 1.1\n    change_penalty: 80\n"
        "    personal_adviser_from_age: 17.5\n    weights: {flags: {uasc: 3}}\n",
    )
    config = job.config
    assert config.capacity.hard_limit == 1.1 and config.optimiser.change_penalty == 80
    assert config.personal_adviser_from_age == 17.5 and config.weights.flags["uasc"] == 3
    assert config.weights.flags["disability"] == 1.0  # the rest of the section is kept


def test_the_example_scenarios_of_the_demo_authority_prepare() -> None:
    root = Path(__file__).resolve().parent.parent / "scenarios"
    jobs = {p.stem: prepare(load_scenario(p)) for p in sorted(root.glob("*.yaml"))}
    assert set(jobs) == {
        "baseline", "pa_from_16", "pa_from_17_5", "three_nq_starters", "two_pas_leave",
        "uasc_plus_20",
    }  # fmt: skip
    base = jobs["baseline"].problem
    assert jobs["pa_from_17_5"].config.personal_adviser_from_age == 17.5
    assert len(jobs["three_nq_starters"].problem.workers) == len(base.workers) + 3
    uasc = [
        sum("uasc" in p.flags for p in jobs[name].problem.people)
        for name in ("baseline", "uasc_plus_20")
    ]
    assert uasc[1] == uasc[0] + round(uasc[0] * 0.2)
    left = [w for w in jobs["two_pas_leave"].problem.workers if w.has_left(base.as_of)]
    assert {"W0048", "W0061"} <= {w.worker_id for w in left}
