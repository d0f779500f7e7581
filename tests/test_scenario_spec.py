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
