"""Scenarios on a tiny authority: numbers move the way common sense expects."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from caseweight.cli import main
from caseweight.scenario import load_scenario, prepare, run_jobs
from caseweight.scenario.compare import render
from caseweight.scenario.figures import ROWS
from caseweight.scenario.run import Outcome
from scenario_helpers import tiny_authority, write_scenario

LEAVERS = "  hr:\n" + "".join(
    f"    - {{worker_id: {w}, change: leaver, effective_from: 2026-12-01}}\n"
    for w in ("W0007", "W0008")
)
STARTERS = "  add_workers:\n    - {role: social_worker, grade: asye, count: 3}\n"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scenarios")
    tiny_authority(root / "data")
    write_scenario(root, "baseline")
    write_scenario(root, "pa_16", "  policy: {personal_adviser_from_age: 16}\n")
    write_scenario(root, "pa_17_5", "  policy: {personal_adviser_from_age: 17.5}\n")
    write_scenario(root, "two_pas_leave", LEAVERS)
    write_scenario(root, "three_starters", STARTERS)
    write_scenario(root, "uasc_plus_20", "  demand:\n    - {kind: uasc, change: +20%}\n")
    write_scenario(
        root, "care_leavers_plus_30", "  demand:\n    - {kind: care_leaver, change: +30}\n"
    )
    return root


@pytest.fixture(scope="module")
def outcomes(folder: Path) -> dict[str, Outcome]:
    names = ["baseline", "pa_16", "pa_17_5", "two_pas_leave", "three_starters", "uasc_plus_20"]
    jobs = [prepare(load_scenario(folder / f"{n}.yaml")) for n in names]
    return {n: o for n, o in zip(names, run_jobs(jobs, processes=1), strict=True)}


def test_pa_at_16_creates_more_pa_demand_than_at_17_and_a_half(
    outcomes: dict[str, Outcome],
) -> None:
    at_16, later = outcomes["pa_16"].figures, outcomes["pa_17_5"].figures
    assert at_16["PA_demand_points"] > later["PA_demand_points"]
    assert at_16["in_care_16_17_without_pa"] < later["in_care_16_17_without_pa"]
    assert at_16["SW_demand_points"] == later["SW_demand_points"]


def test_two_pas_leaving_raises_pa_utilisation(outcomes: dict[str, Outcome]) -> None:
    base, leave = outcomes["baseline"].figures, outcomes["two_pas_leave"].figures
    assert leave["PA_workers"] == base["PA_workers"] - 2
    assert leave["PA_p90_utilisation"] > base["PA_p90_utilisation"]
    assert leave["PA_fte_needed"] > base["PA_fte_needed"]
    assert leave["changes"] > base["changes"]  # their young people must move


def test_three_new_starters_lower_social_worker_utilisation(outcomes: dict[str, Outcome]) -> None:
    base, more = outcomes["baseline"].figures, outcomes["three_starters"].figures
    assert more["SW_workers"] == base["SW_workers"] + 3
    assert more["SW_capacity_points"] == pytest.approx(
        base["SW_capacity_points"] + 3 * 85 * 0.85, abs=0.2
    )
    assert more["SW_p90_utilisation"] < base["SW_p90_utilisation"]


def test_uasc_plus_20_percent_raises_demand(outcomes: dict[str, Outcome]) -> None:
    base, more = outcomes["baseline"].figures, outcomes["uasc_plus_20"].figures
    assert more["young_people"] > base["young_people"]
    assert more["SW_demand_points"] + more["PA_demand_points"] > (
        base["SW_demand_points"] + base["PA_demand_points"]
    )


def test_generated_young_people_are_of_the_kind_asked_for_and_seeded(folder: Path) -> None:
    scenario = load_scenario(folder / "care_leavers_plus_30.yaml")
    first, again = prepare(scenario), prepare(scenario)
    base = prepare(load_scenario(folder / "baseline.yaml"))
    new = [p for p in first.problem.people if p.person_id.startswith("NEW")]
    assert len(new) == 30
    assert all(p.status == "care_leaver" and p.current_personal_adviser is None for p in new)
    assert first.problem.people == again.problem.people
    assert len(first.problem.people) == len(base.problem.people) + 30


def test_compare_table_in_three_formats(outcomes: dict[str, Outcome]) -> None:
    chosen = [outcomes["baseline"], outcomes["pa_17_5"]]
    terminal = render(chosen, "terminal").splitlines()
    assert terminal[0].split() == ["figure", "baseline", "pa_17_5"]
    assert len(terminal) == len(ROWS) + 2
    rows = list(csv.reader(io.StringIO(render(chosen, "csv"))))
    assert rows[0] == ["figure", "baseline", "pa_17_5"]
    assert [r[0] for r in rows[1:]] == [key for key, _, _ in ROWS]
    markdown = render(chosen, "markdown").splitlines()
    assert markdown[1] == "|---|---:|---:|" and markdown[2].startswith("| Young people |")


def test_parallel_runs_keep_the_order_of_the_files(folder: Path) -> None:
    jobs = [prepare(load_scenario(folder / f"{n}.yaml"), 0.5) for n in ("pa_17_5", "baseline")]
    outcomes = run_jobs(jobs, processes=2)
    assert [o.name for o in outcomes] == ["pa_17_5", "baseline"]
    assert outcomes[0].figures["PA_demand_points"] < outcomes[1].figures["PA_demand_points"]


def test_dask_scheduler_runs_the_same_jobs(folder: Path) -> None:
    distributed = pytest.importorskip("distributed")
    jobs = [prepare(load_scenario(folder / f"{n}.yaml"), 0.5) for n in ("baseline", "pa_17_5")]
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        outcomes = run_jobs(jobs, scheduler=cluster.scheduler_address)
    assert [o.name for o in outcomes] == ["baseline", "pa_17_5"]
    assert outcomes[0].figures["PA_demand_points"] > outcomes[1].figures["PA_demand_points"]


def test_unreachable_scheduler_is_a_clear_error(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("distributed")
    monkeypatch.setattr("caseweight.scenario.run.CONNECT_TIMEOUT", "1s")
    result = CliRunner().invoke(
        main,
        ["scenario", "run", str(folder / "baseline.yaml"), "--scheduler", "tcp://127.0.0.1:9"],
    )
    assert result.exit_code == 2 and "cannot reach the Dask scheduler" in result.output


def test_cli_compare_writes_markdown(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "compare.md"
    files = [str(folder / "baseline.yaml"), str(folder / "pa_17_5.yaml")]
    result = CliRunner().invoke(
        main,
        ["scenario", "compare", *files, "--format", "markdown", "--out", str(out), "--jobs", "1",
         "--time-limit", "0.5"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("| figure | baseline | pa_17_5 |")


def test_cli_run_prints_one_line_per_scenario(folder: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["scenario", "run", str(folder / "baseline.yaml"), "--jobs", "1", "--time-limit", "0.5",
         "--out", str(tmp_path / "runs")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.startswith("baseline: ")
    assert (tmp_path / "runs" / "baseline.json").is_file()


def test_capacity_shows_the_breakdown_with_reductions_and_their_end_dates(folder: Path) -> None:
    path = write_scenario(
        folder,
        "maternity",
        "  hr:\n    - {worker_id: W0003, change: reduction, effective_from: 2026-10-01, "
        "effective_to: 2027-03-31, value: 100, reason: maternity}\n",
    )
    during = CliRunner().invoke(main, ["scenario", "capacity", str(path)])
    assert during.exit_code == 0, during.output
    line = next(x for x in during.output.splitlines() if x.startswith("W0003"))
    assert "100% maternity to 2027-03-31" in line and line.split()[-1] == "0"
    after = CliRunner().invoke(main, ["scenario", "capacity", str(path), "--on", "2027-04-01"])
    line = next(x for x in after.output.splitlines() if x.startswith("W0003"))
    assert "maternity" not in line and float(line.split()[-1]) > 0
