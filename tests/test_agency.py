"""Agency cover: the `agency` flag of the workers file and HR feed, its price, the simulation."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from authority import AS_OF_TEXT, Authority
from caseweight.cli import main
from caseweight.config import Config
from caseweight.errors import InputError
from caseweight.hr import ChangeKind, apply_hr_changes, read_hr_changes
from caseweight.io.inputs import read_problem
from caseweight.pipeline import propose
from caseweight.problem import Problem, Role, Worker
from caseweight.simulate import Staffing, build_world, staffing_events
from caseweight.solver.units import COST_SCALE

CONFIG = Config.from_dict({"optimiser": {"candidates_outside_team": 0, "agency_cover_risk": 0.35}})
NO_RISK = Config.from_dict({"optimiser": {"candidates_outside_team": 0, "agency_cover_risk": 0}})


def _authority() -> Authority:
    """S1 permanent with one young person; S2 agency and empty; N new, K kept by S2."""
    return (
        Authority()
        .worker("S1", capacity_points=30)
        .worker("S2", capacity_points=30, agency="yes")
        .person("A", sw="S1")
        .person("K", sw="S2", worker_changes_12m=1)
        .person("N", worker_changes_12m=2)
    )


def _read(tmp_path: Path, authority: Authority) -> Problem:
    cases, workers = authority.write(tmp_path)
    return read_problem(cases, workers, date.fromisoformat(AS_OF_TEXT), CONFIG)


def test_the_workers_file_says_who_is_agency_cover(tmp_path: Path) -> None:
    problem = _read(tmp_path, _authority())
    assert [w.agency for w in problem.workers] == [False, True]  # blank is false


def test_a_bad_agency_cell_names_file_row_column_and_expected_value(tmp_path: Path) -> None:
    authority = _authority()
    authority.workers[1]["agency"] = "maybe"
    with pytest.raises(InputError) as caught:
        _read(tmp_path, authority)
    text = str(caught.value)
    assert "workers" in text and "row 3" in text and "agency" in text and "true/false" in text


def _change_cost(problem: Problem, config: Config, person: str, worker: str) -> int:
    proposal = propose(problem, config, time_limit=1.0)
    inst = proposal.instance
    req = next(r for r in inst.requirements if r.person == problem.person_index[person])
    w = problem.worker_index[worker]
    return next(c.change_cost for c in inst.candidates[req.index] if c.worker == w)


def test_a_new_agency_worker_costs_the_risk_of_the_change_its_end_would_bring(
    tmp_path: Path,
) -> None:
    problem = _read(tmp_path, _authority())
    opt = CONFIG.optimiser
    # N (2 changes this year) would face a third change when the cover ends.
    later = opt.change_penalty + opt.change_penalty_per_recent_change * 3
    assert _change_cost(problem, CONFIG, "N", "S2") == round(
        opt.agency_cover_risk * later * COST_SCALE
    )
    assert _change_cost(problem, CONFIG, "N", "S1") == 0
    assert _change_cost(problem, CONFIG, "K", "S2") == 0  # staying costs nothing
    assert _change_cost(problem, NO_RISK, "N", "S2") == 0


def test_a_young_person_goes_to_the_permanent_worker_when_balance_is_close(
    tmp_path: Path,
) -> None:
    """Balance alone puts N with the empty agency worker; the cover's risk keeps N with S1."""
    problem = _read(tmp_path, _authority().person("B", sw="S1"))
    chosen = {}
    for name, config in (("risk", CONFIG), ("none", NO_RISK)):
        proposal = propose(problem, config, time_limit=1.0)
        req = next(
            r for r in proposal.instance.requirements if r.person == problem.person_index["N"]
        )
        chosen[name] = problem.workers[int(proposal.assignment[req.index])].worker_id
    assert chosen == {"risk": "S1", "none": "S2"}


def test_an_hr_starter_can_be_agency_cover(tmp_path: Path) -> None:
    path = tmp_path / "hr.csv"
    path.write_text(
        "worker_id,change,effective_from,value,agency\n"
        "N1,starter,2026-11-01,social_worker,true\n"
        "N2,starter,2026-11-01,social_worker,\n",
        encoding="utf-8",
    )
    problem = Problem(as_of=date(2026, 12, 1), people=(), workers=())
    after = apply_hr_changes(problem, read_hr_changes(path, (), CONFIG))
    assert {w.worker_id: w.agency for w in after.workers} == {"N1": True, "N2": False}


def _sw(worker_id: str, agency: bool = False) -> Worker:
    return Worker(worker_id, 2, Role.SOCIAL_WORKER, 1.0, team="north", agency=agency)


def test_the_simulated_world_flags_its_agency_workers_and_covers() -> None:
    workers = tuple(_sw(f"S{k}") for k in range(20))
    problem = Problem(as_of=date(2026, 12, 1), people=(), workers=workers)
    world = build_world(problem, (), Config(), 12, seed=1)
    drawn = {w.worker_id for w in world.workers if w.agency}
    assert drawn and drawn == world.agency & {w.worker_id for w in workers}
    covers = [c for c in world.hr if c.kind is ChangeKind.STARTER]
    assert covers and all(c.agency == (c.worker_id in world.agency) for c in covers)


def test_a_workers_file_that_flags_agency_decides_the_worlds_covers() -> None:
    workers = (_sw("S1", agency=True), _sw("S2"), _sw("S3"))
    days = tuple(date(2026, m, 1) for m in range(1, 13))
    quiet = Staffing(turnover=0.0, absences_per_year=0.0, agency_share=1.0, vacancy_rate=0.0)
    _, agency = staffing_events(workers, (), days, quiet, np.random.default_rng(0))
    assert agency == {"S1"}  # not everyone, as agency_share 1.0 would draw


def test_the_proposal_lists_agency_workers(tmp_path: Path) -> None:
    cases, workers = _authority().write(tmp_path / "in")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["allocate", "--cases", str(cases), "--workers", str(workers), "--as-of", AS_OF_TEXT,
         "--out", str(out), "--time-limit", "2"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = (out / "workers.csv").read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    agency = {row.split(",")[0]: row.split(",")[header.index("agency")] for row in text[1:]}
    assert agency == {"S1": "false", "S2": "true"}
