"""The machine's speed against the planning figures (calibrate.py, optimiser.machine_speed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from caseweight.calibrate import Measure, measure, suggested_speed
from caseweight.cli import main
from caseweight.config import Config
from caseweight.errors import ConfigError
from caseweight.solver.solve import SolveSettings, solve
from test_lns import generated


def test_the_plan_is_the_limit_times_the_machine_speed() -> None:
    assert SolveSettings(time_limit_seconds=10.0).plan == 10.0
    assert SolveSettings(time_limit_seconds=10.0, machine_speed=2.5).plan == 25.0
    fixed = SolveSettings(time_limit_seconds=10.0, planned_seconds=4.0, machine_speed=3.0)
    assert fixed.plan == 12.0


def test_a_faster_machine_plans_what_a_longer_limit_would(tmp_path: Path) -> None:
    """The setting only scales the plan: speed 3 at 1 s is the proposal planned for 3 s."""
    _, instance = generated(tmp_path, seed=4)
    fast = solve(
        instance, SolveSettings(time_limit_seconds=60.0, planned_seconds=1.0, machine_speed=3.0)
    )
    long = solve(instance, SolveSettings(time_limit_seconds=60.0, planned_seconds=3.0))
    slow = solve(instance, SolveSettings(time_limit_seconds=60.0, planned_seconds=1.0))
    assert fast.repeatable and long.repeatable
    assert np.array_equal(fast.assignment, long.assignment)
    assert fast.objective <= slow.objective


@pytest.mark.parametrize("value", ["0", "0.1", "9", "fast"])
def test_a_machine_speed_out_of_range_is_refused(tmp_path: Path, value: str) -> None:
    path = tmp_path / "weights.yaml"
    path.write_text(f"optimiser:\n  machine_speed: {value}\n")
    with pytest.raises(ConfigError, match=r"^weights\.yaml.*machine_speed"):
        Config.from_file(path)


def test_the_setting_is_part_of_the_config_hash(tmp_path: Path) -> None:
    path = tmp_path / "weights.yaml"
    path.write_text("optimiser:\n  machine_speed: 2.5\n")
    config = Config.from_file(path)
    assert config.optimiser.machine_speed == 2.5
    assert config.sha256 != Config().sha256


def test_suggestion_is_the_slowest_work_with_a_margin() -> None:
    measures = [Measure("flows", 1.0, 0.25), Measure("climb", 3.0, 1.0), Measure("cp", 2.0, 0.5)]
    assert suggested_speed(measures) == 2.1  # 3.0 (the climb) x 0.7
    assert suggested_speed([Measure("slow", 1.0, 10.0)]) == 0.25  # the config's least
    assert suggested_speed([Measure("fast", 100.0, 1.0)]) == 8.0  # and its most
    assert suggested_speed([Measure("none", 0.0, 1.0)]) == 0.7


def test_every_kind_of_planned_work_is_measured(tmp_path: Path) -> None:
    _, instance = generated(tmp_path, seed=2)
    measures = measure(instance)
    assert [m.work for m in measures] == [
        "min-cost flows (the LP)",
        "hill climbing",
        "HiGHS root node",
        "CP-SAT neighbourhoods",
    ]
    assert all(m.planned_seconds > 0 and m.wall_seconds > 0 for m in measures)


def test_calibrate_suggests_a_setting_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["calibrate"], catch_exceptions=False)
    assert list(tmp_path.iterdir()) == []
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.strip().startswith("machine_speed:"))
    assert 0.25 <= float(line.split(":")[1]) <= 8.0
    assert "CP-SAT neighbourhoods" in result.output


def test_a_search_the_clock_cut_short_says_so_and_what_to_do() -> None:
    """Planned for a minute, given a fraction of a second: the summary warns and names the fix."""
    from caseweight.demo import DEMO_AS_OF, demo_paths
    from caseweight.io.inputs import read_problem
    from caseweight.pipeline import propose

    config = Config()
    cases, workers = demo_paths()
    problem = read_problem(cases, workers, DEMO_AS_OF, config)
    cut = propose(problem, config, time_limit=0.3, planned=60.0, root_bound=False)
    assert not cut.result.repeatable
    warnings = cut.summary()["warnings"]
    assert any("optimiser.machine_speed (now 1)" in w for w in warnings)
    whole = propose(problem, config, time_limit=30.0, planned=0.5, root_bound=False)
    assert whole.result.repeatable
    assert not any("machine_speed" in w for w in whole.summary()["warnings"])
