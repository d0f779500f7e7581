"""The ``caseweight`` command: help, version, the proposal folder and ``score``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from authority import AS_OF_TEXT, Authority, read_csv_rows
from caseweight import __version__
from caseweight.cli import main
from caseweight.commands import _progress_printer
from caseweight.config import Config
from caseweight.io.proposal import atomic_folder
from caseweight.solver.solve import Progress
from caseweight.weighting import FACTORS
from conftest import RULES_WEIGHTS

CONTRACT_FILES = ("allocations.csv", "workers.csv", "scores.csv", "summary.json")
ALLOCATION_COLUMNS = (
    "person_id",
    "role",
    "current_worker_id",
    "proposed_worker_id",
    "changed",
    "points",
    "reason",
)
WORKER_COLUMNS = (
    "worker_id",
    "role",
    "capacity_points",
    "load_before",
    "load_after",
    "cases_before",
    "cases_after",
    "utilisation_before",
    "utilisation_after",
)
SUMMARY_KEYS = (
    "as_of",
    "people",
    "workers",
    "allocations",
    "changes",
    "unallocated",
    "max_utilisation",
    "objective",
    "best_bound",
    "status",
    "solve_seconds",
    "config_sha256",
)
REASONS = {
    "kept",
    "new_allocation",
    "personal_adviser_due",
    "worker_leaving",
    "over_capacity",
    "balance",
    "siblings",
    "skills",
    "team",
    "pinned",
    "no_capacity",
    "no_eligible_worker",
}


def small_authority() -> Authority:
    """A leaver, an overloaded worker, a new entrant, a PA due and one unallocatable need."""
    authority = (
        Authority()
        .worker("S1", capacity_points=6, team="north")
        .worker("S2", capacity_points=20, team="north")
        .worker("S3", capacity_points=10, leaving_on="2026-11-30")
        .worker("P1", "pa", capacity_points=6)
    )
    for pid in ("A", "B", "C"):
        authority.person(pid, sw="S1", team="north", worker_changes_12m=1)
    authority.person("D", sw="S3", placement_type="residential")
    authority.person("E", age=16, months=3, sw="S2")
    authority.person("F", age=20, status="care_leaver", pa="P1")
    authority.person("G", age=6)
    authority.person("H", age=19, status="care_leaver")
    authority.person("I", age=23, status="care_leaver")
    return authority


def allocate(tmp_path: Path, authority: Authority, out: str = "out", *extra: str) -> Result:
    cases, workers = authority.write(tmp_path / "in")
    args = ["allocate", "--cases", str(cases), "--workers", str(workers), "--as-of", AS_OF_TEXT]
    if "--config" not in extra:
        args += ["--config", str(RULES_WEIGHTS)]
    args += ["--out", str(tmp_path / out), "--no-report", "--time-limit", "2", *extra]
    return CliRunner().invoke(main, args)


@pytest.fixture
def proposal_folder(tmp_path: Path) -> Path:
    result = allocate(tmp_path, small_authority())
    assert result.exit_code == 0, result.output
    return tmp_path / "out"


def all_commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        found.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            found += all_commands(command, f"{prefix}{name} ")
    return found


def test_progress_lines_line_up_and_a_stage_without_a_bound_says_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    show = _progress_printer()
    show(Progress("LP neighbourhoods", 1.0, 11_036_851, float("nan")))
    show(Progress("lower bound", 2.9, 11_036_380, 10_894_750))
    first, second = capsys.readouterr().err.splitlines()
    assert "nan" not in first and first.endswith("bound -")
    assert second.endswith("bound 10,894,750")
    assert first.index("s  objective") == second.index("s  objective")


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output
    assert "caseweight" in result.output


def test_the_contract_commands_are_there() -> None:
    names = {name for name, _ in all_commands(main)}
    assert {"allocate", "score"} <= names


@pytest.mark.parametrize(("name", "command"), all_commands(main), ids=lambda v: str(v))
def test_every_command_has_help_with_an_example(name: str, command: click.Command) -> None:
    result = CliRunner().invoke(main, [*name.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert (command.help or "").strip(), f"{name} has no help text"
    if isinstance(command, click.Group):
        return  # a group lists its commands; each of them shows an example
    assert "Example:" in result.output, f"'caseweight {name} --help' shows no Example: block"
    example = result.output.split("Example:", 1)[1]
    assert f"caseweight {name}" in example


def test_python_dash_m_works() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "caseweight", "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "allocate" in result.stdout
    assert "score" in result.stdout


def test_proposal_folder_has_the_contract_files(proposal_folder: Path) -> None:
    for name in CONTRACT_FILES:
        assert (proposal_folder / name).is_file(), name
    allocations = read_csv_rows(proposal_folder / "allocations.csv")
    assert set(ALLOCATION_COLUMNS) <= set(allocations[0])
    assert {r["reason"] for r in allocations} <= REASONS
    assert {r["changed"] for r in allocations} <= {"true", "false"}
    workers = read_csv_rows(proposal_folder / "workers.csv")
    assert set(WORKER_COLUMNS) <= set(workers[0])
    assert [w["worker_id"] for w in workers] == ["S1", "S2", "S3", "P1"]
    scores = read_csv_rows(proposal_folder / "scores.csv")
    assert list(scores[0])[:2] == ["person_id", "score"]


def test_summary_json_keys_and_figures(proposal_folder: Path) -> None:
    summary = json.loads((proposal_folder / "summary.json").read_text(encoding="utf-8"))
    assert set(SUMMARY_KEYS) <= set(summary)
    allocations = read_csv_rows(proposal_folder / "allocations.csv")
    assert summary["as_of"] == AS_OF_TEXT
    assert summary["people"] == 9
    assert summary["workers"] == 4
    assert summary["allocations"] == len(allocations)
    assert summary["unallocated"] == sum(r["proposed_worker_id"] == "" for r in allocations)
    assert summary["changes"] == sum(
        r["current_worker_id"] != "" and r["proposed_worker_id"] != r["current_worker_id"]
        for r in allocations
    )
    assert summary["config_sha256"] == Config.from_file(RULES_WEIGHTS).sha256
    assert summary["status"] in {"optimal", "feasible", "no_solution"}
    assert summary["solve_seconds"] >= 0
    assert summary["objective"] == sum(summary["objective_terms"].values())
    assert 0 <= summary["best_bound"] <= summary["objective"]
    workers = read_csv_rows(proposal_folder / "workers.csv")
    holding = [float(w["utilisation_after"]) for w in workers if w["utilisation_after"]]
    assert summary["max_utilisation"] == pytest.approx(max(holding), abs=1e-3)


def test_leaver_and_overload_are_handled_in_the_folder(proposal_folder: Path) -> None:
    allocations = {
        (r["person_id"], r["role"]): r for r in read_csv_rows(proposal_folder / "allocations.csv")
    }
    assert allocations["D", "social_worker"]["reason"] == "worker_leaving"
    assert allocations["D", "social_worker"]["proposed_worker_id"] in {"S1", "S2"}
    workers = {w["worker_id"]: w for w in read_csv_rows(proposal_folder / "workers.csv")}
    assert workers["S3"]["cases_after"] == "0"
    assert float(workers["S1"]["load_after"]) < float(workers["S1"]["load_before"])
    # loads in workers.csv are the sums of the points in allocations.csv
    for worker_id, worker in workers.items():
        points = sum(
            float(r["points"]) for r in allocations.values() if r["proposed_worker_id"] == worker_id
        )
        assert float(worker["load_after"]) == pytest.approx(points, abs=0.05), worker_id


def test_terminal_summary(tmp_path: Path) -> None:
    result = allocate(tmp_path, small_authority())
    assert result.exit_code == 0
    assert "changes of worker" in result.output
    assert "unallocated" in result.output
    assert "all hard rules hold" in result.output


def test_unallocated_still_exits_0_and_lists_them(tmp_path: Path) -> None:
    authority = Authority().worker("S1", capacity_points=5)
    for i in range(4):
        authority.person(f"N{i}")
    result = allocate(tmp_path, authority)
    assert result.exit_code == 0, result.output
    rows = read_csv_rows(tmp_path / "out" / "allocations.csv")
    assert len(rows) == 4
    left = [r for r in rows if r["proposed_worker_id"] == ""]
    assert left and all(r["reason"] == "no_capacity" for r in left)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["unallocated"] == len(left)


def test_score_writes_scores_whose_factors_sum_to_the_score(tmp_path: Path) -> None:
    cases, _ = small_authority().write(tmp_path / "in")
    out = tmp_path / "scores.csv"
    args = ["score", "--cases", str(cases), "--as-of", AS_OF_TEXT, "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    rows = read_csv_rows(out)
    assert len(rows) == 9
    assert list(rows[0]) == ["person_id", "score", *FACTORS]
    for row in rows:
        total = sum(float(row[f]) for f in FACTORS)
        assert float(row["score"]) == pytest.approx(total, abs=1e-6), row["person_id"]
    residential = next(r for r in rows if r["person_id"] == "D")
    assert float(residential["placement_type"]) == Config().weights.placement_type["residential"]


def test_score_without_out_prints_the_table(tmp_path: Path) -> None:
    cases, _ = small_authority().write(tmp_path / "in")
    result = CliRunner().invoke(main, ["score", "--cases", str(cases), "--as-of", AS_OF_TEXT])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("person_id,score,")
    assert len(result.output.splitlines()) == 10


def test_score_bad_cases_file_exits_2(tmp_path: Path) -> None:
    authority = small_authority()
    authority.people[0]["status"] = "unknown"
    cases, _ = authority.write(tmp_path / "in")
    out = tmp_path / "scores.csv"
    args = ["score", "--cases", str(cases), "--as-of", AS_OF_TEXT, "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "cases.csv, row 2, column 'status'" in result.output
    assert not out.exists()


def test_failed_run_leaves_no_folder(tmp_path: Path) -> None:
    authority = small_authority()
    authority.workers[0]["fte"] = 3
    result = allocate(tmp_path, authority)
    assert result.exit_code == 2
    assert not (tmp_path / "out").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]


def test_failed_run_leaves_an_existing_folder_untouched(tmp_path: Path) -> None:
    assert allocate(tmp_path, small_authority()).exit_code == 0
    before = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    authority = small_authority()
    authority.people[2]["date_of_birth"] = "2030-01-01"
    result = allocate(tmp_path, authority)
    assert result.exit_code == 2
    after = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    assert after == before


def test_a_second_good_run_replaces_the_folder(tmp_path: Path) -> None:
    assert allocate(tmp_path, small_authority()).exit_code == 0
    (tmp_path / "out" / "stale.txt").write_text("from an older run")
    assert allocate(tmp_path, small_authority()).exit_code == 0
    assert not (tmp_path / "out" / "stale.txt").exists()
    assert (tmp_path / "out" / "summary.json").is_file()


def test_atomic_folder_leaves_nothing_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with pytest.raises(RuntimeError), atomic_folder(target) as tmp:
        (tmp / "allocations.csv").write_text("half")
        raise RuntimeError("disk full")
    assert list(tmp_path.iterdir()) == []


def test_atomic_folder_keeps_the_old_folder_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "summary.json").write_text("{}")
    with pytest.raises(RuntimeError), atomic_folder(target) as tmp:
        (tmp / "summary.json").write_text('{"half": true}')
        raise RuntimeError("disk full")
    assert (target / "summary.json").read_text() == "{}"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


@pytest.mark.parametrize(
    "args",
    [
        ["allocate", "--cases", "x.csv"],
        ["allocate", "--cases", "x.csv", "--workers", "y.csv"],
        ["allocate", "--as-of", "1st December"],
        ["score", "--cases", "x.csv", "--as-of", "2026-13-01"],
        ["score", "--as-of", AS_OF_TEXT],
        ["allocate", "--time-limit", "-3"],
    ],
)
def test_usage_errors_exit_2_without_traceback(tmp_path: Path, args: list[str]) -> None:
    result = CliRunner().invoke(main, [*args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "Error" in result.output


def test_progress_is_shown_unless_quiet(tmp_path: Path) -> None:
    loud = allocate(tmp_path, small_authority(), "loud")
    quiet = allocate(tmp_path, small_authority(), "quiet", "--quiet")
    assert loud.exit_code == quiet.exit_code == 0
    assert "Solving" in loud.stderr
    assert "objective" in loud.stderr  # a progress line: time, best objective, bound
    assert "Solving" not in quiet.stderr
    assert "objective" not in quiet.stderr


def test_nobody_to_allocate_still_writes_the_contract_columns(tmp_path: Path) -> None:
    authority = Authority().worker("S1")
    authority.people = []
    cases = tmp_path / "in" / "cases.csv"
    cases.parent.mkdir()
    cases.write_text("person_id,date_of_birth,status\n", encoding="utf-8")
    _, workers = authority.write(tmp_path / "w")
    args = ["allocate", "--cases", str(cases), "--workers", str(workers), "--as-of", AS_OF_TEXT]
    args += ["--out", str(tmp_path / "out"), "--no-report", "--quiet"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    header = (tmp_path / "out" / "allocations.csv").read_text().splitlines()[0].split(",")
    assert set(ALLOCATION_COLUMNS) <= set(header)


def test_the_command_leaves_with_its_status_and_all_its_output(tmp_path: Path) -> None:
    """``caseweight`` (cli.run) leaves with os._exit: what it printed must still
    arrive, and its exit status stay click's (0, or 2 for bad input)."""
    bad = tmp_path / "cases.csv"
    bad.write_text("person_id,date_of_birth\nYP1,not a date\n", encoding="utf-8")  # no status
    score = ["score", "--cases", str(bad), "--as-of", "2026-12-01"]
    runs = {
        "version": [sys.executable, "-m", "caseweight", "--version"],
        "bad input": [sys.executable, "-m", "caseweight", *score],
    }
    version = subprocess.run(runs["version"], capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and __version__ in version.stdout
    refused = subprocess.run(runs["bad input"], capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2, refused
    assert "cases.csv" in refused.stderr and "Traceback" not in refused.stderr
