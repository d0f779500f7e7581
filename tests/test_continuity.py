"""Continuity from the store: changes in 12 months, previous workers, rejections, --db choice."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from authority import Authority
from caseweight.cli import main
from caseweight.commands import monthly_overrides, store_url
from caseweight.config import Config
from caseweight.continuity import Overrides, Pin, apply_history, read_history
from caseweight.io.inputs import read_problem
from caseweight.pipeline import propose
from caseweight.problem import Problem, Role
from caseweight.solver.instance import COST_SCALE
from caseweight.store import Store
from test_store_support import BACKENDS, build_three_months, day, fresh_url

MARCH = day("2026-03-31")
CONFIG = Config.from_dict({"optimiser": {"candidates_outside_team": 0}})


@pytest.fixture(scope="module", params=BACKENDS)
def db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The store tests' three hand-built months (A-F), approved once per backend."""
    tmp_path = tmp_path_factory.mktemp("continuity")
    with contextmanager(fresh_url)(request.param, tmp_path) as url:
        build_three_months(url, tmp_path)
        yield url


def authority() -> Authority:
    """A-F as the store holds them at the end of March, and G, whom it has never seen."""
    return (
        Authority()
        .worker("S1", capacity_points=30)
        .worker("S2", capacity_points=30)
        .worker("S3", capacity_points=30)
        .worker("P1", "pa", capacity_points=30)
        .worker("P2", "pa", capacity_points=30)
        .person("A", sw="S3", worker_changes_12m=5)
        .person("B", sw="S1")
        .person("C", age=16, sw="S3", pa="P1")
        .person("D", age=19, status="care_leaver", pa="P2", worker_changes_12m=3)
        .person("E", sw="S3")
        .person("F", age=16, sw="S2", pa="P2")
        .person("G", sw="S2", worker_changes_12m=2)
    )


def march_problem(tmp_path: Path, as_of: date = MARCH) -> Problem:
    cases, workers = authority().write(tmp_path / f"in-{as_of}")
    return read_problem(cases, workers, as_of, CONFIG)


def test_store_counts_add_to_the_column_while_the_store_is_young(db_url: str, tmp_path: Path):
    """Three months of store: the larger of its count and the column (A: 5 > 1, B: 2 > 0)."""
    with Store.open(db_url) as store:
        problem, overrides = apply_history(march_problem(tmp_path), read_history(store, MARCH))
    changes = {p.person_id: p.worker_changes_12m for p in problem.people}
    assert changes == {"A": 5, "B": 2, "C": 1, "D": 3, "E": 0, "F": 0, "G": 2}  # G: the column
    previous = {p.person_id: p.previous_workers for p in problem.people if p.previous_workers}
    assert previous == {
        "A": {"S1"}, "B": {"S2"}, "C": {"S2"}, "D": {"P1", "P2"}, "E": {"S3"},
    }  # fmt: skip
    note = overrides.notes["continuity"]
    assert note["source"] == "store"
    assert (note["people_from_store"], note["people_from_input"]) == (6, 1)
    assert note["store_differs_from_input_column"] == 2  # B, C
    assert note["store_covers_12_months"] is False
    assert len(problem.digests["history_sha256"]) == 64


def test_store_counts_replace_the_column_once_the_store_covers_a_year(
    db_url: str, tmp_path: Path
) -> None:
    """A year after its first month the store alone counts: none of its changes are that recent."""
    later = day("2027-03-31")
    with Store.open(db_url) as store:
        history = read_history(store, later)
        problem, overrides = apply_history(march_problem(tmp_path, later), history)
    assert history.covers_year
    changes = {p.person_id: p.worker_changes_12m for p in problem.people}
    assert changes == {"A": 0, "B": 0, "C": 0, "D": 0, "E": 0, "F": 0, "G": 2}  # G: the column
    assert overrides.notes["continuity"]["store_covers_12_months"] is True


def test_rejections_in_force_become_exclusions(db_url: str, tmp_path: Path) -> None:
    with Store.open(db_url) as store:
        _, march = apply_history(march_problem(tmp_path), read_history(store, MARCH))
        feb = day("2026-02-15")
        _, february = apply_history(march_problem(tmp_path, feb), read_history(store, feb))
    assert [(e.person_id, e.role, e.worker_id, e.until) for e in march.exclusions] == [
        ("C", Role.PERSONAL_ADVISER, "P2", None)
    ]
    assert [(e.person_id, e.role, e.worker_id, e.until) for e in february.exclusions] == [
        ("C", Role.SOCIAL_WORKER, "S3", day("2026-02-28"))
    ]
    assert march.exclusions[0].reason == "trusted relationship"


def test_change_costs_follow_the_history(db_url: str, tmp_path: Path) -> None:
    """A (5 changes: its column beats the young store's 1) back to S1 is discounted;
    B (2 changes, from the store) to S3 costs full price."""
    with Store.open(db_url) as store:
        problem, overrides = monthly_overrides(march_problem(tmp_path), store, None)
    proposal = propose(problem, CONFIG, time_limit=1.0, overrides=overrides)
    opt = CONFIG.optimiser
    inst = proposal.instance

    def cost(person_id: str, role: Role, worker_id: str) -> int:
        req = next(
            r
            for r in inst.requirements
            if problem.people[r.person].person_id == person_id and r.role is role
        )
        w = problem.worker_index[worker_id]
        return next(c.change_cost for c in inst.candidates[req.index] if c.worker == w)

    one, two = (opt.change_penalty + opt.change_penalty_per_recent_change * n for n in (5, 2))
    assert cost("A", Role.SOCIAL_WORKER, "S1") == round(
        one * opt.previous_worker_discount * COST_SCALE
    )
    assert cost("A", Role.SOCIAL_WORKER, "S2") == one * COST_SCALE
    assert cost("B", Role.SOCIAL_WORKER, "S3") == two * COST_SCALE
    # C's move to P2 was rejected for good: P2 is no candidate for C's personal adviser.
    c_pa = next(
        r
        for r in inst.requirements
        if r.person == problem.person_index["C"] and r.role.value == "personal_adviser"
    )
    assert problem.worker_index["P2"] not in {c.worker for c in inst.candidates[c_pa.index]}
    assert proposal.summary()["continuity"]["rejections_excluded"] == 1


def test_resolve_maps_ids_to_indexes_and_reports_unneeded_pins(tmp_path: Path) -> None:
    problem = march_problem(tmp_path)
    overrides = Overrides(
        pins=(
            Pin("B", Role.SOCIAL_WORKER, "S2", "placement near S2"),
            Pin("A", Role.PERSONAL_ADVISER, "P1", "A is 10: no PA needed"),
        )
    )
    proposal = propose(problem, CONFIG, time_limit=1.0, overrides=overrides)
    resolved = proposal.resolved
    assert resolved is not None
    b = next(
        r.index for r in proposal.instance.requirements if r.person == problem.person_index["B"]
    )
    assert resolved.pinned == {b: problem.worker_index["S2"]}
    assert resolved.warnings == (
        "1 pin(s) name an allocation this run does not need, ignored: A/personal_adviser",
    )
    assert any("A/personal_adviser" in w for w in proposal.summary()["warnings"])


def test_store_url_prefers_option_then_environment_then_existing_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CASEWEIGHT_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert store_url(None, False) is None  # no database file yet: run without one
    assert store_url("sqlite:///x.sqlite", False) == "sqlite:///x.sqlite"
    default = tmp_path / "data" / "caseweight" / "caseweight.sqlite"
    default.parent.mkdir(parents=True)
    default.touch()
    assert store_url(None, False) == f"sqlite:///{default}"
    monkeypatch.setenv("CASEWEIGHT_DB", "sqlite:///env.sqlite")
    assert store_url(None, False) == "sqlite:///env.sqlite"
    assert store_url("sqlite:///x.sqlite", True) is None


def test_allocate_records_the_run_and_says_where_continuity_came_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CASEWEIGHT_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    cases, workers = authority().write(tmp_path / "in")
    base = ["allocate", "--cases", str(cases), "--workers", str(workers), "--as-of", "2026-03-31"]
    base += ["--no-report", "--quiet", "--time-limit", "1"]
    runner = CliRunner()
    result = runner.invoke(main, [*base, "--out", str(tmp_path / "none")])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "none" / "summary.json").read_text(encoding="utf-8"))
    assert summary["continuity"] == {"source": "input", "database": None}

    db = f"sqlite:///{tmp_path / 'cw.sqlite'}"
    monkeypatch.setenv("CASEWEIGHT_DB", db)
    result = runner.invoke(main, [*base, "--out", str(tmp_path / "with")])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "with" / "summary.json").read_text(encoding="utf-8"))
    assert summary["continuity"]["database"] == db
    assert summary["continuity"]["source"] == "input"  # an empty store knows nobody yet
    assert f"recorded run {summary['run_id']}" in result.output
    approve = runner.invoke(main, ["approve", str(tmp_path / "with"), "--by", "A. Manager"])
    assert approve.exit_code == 0, approve.output


def test_suggest_reads_previous_workers_and_rejections_from_the_store(
    db_url: str, tmp_path: Path
) -> None:
    cases, workers = authority().write(tmp_path / "in")
    args = ["suggest", "--cases", str(cases), "--workers", str(workers), "--as-of", "2026-03-31"]
    result = CliRunner().invoke(
        main, [*args, "--db", db_url, "--json", "--top", "9", "--person", "A"]
    )
    assert result.exit_code == 0, result.output
    a_options = json.loads(result.output)["roles"][0]["options"]
    known = {o["worker_id"]: o["knows_young_person"] for o in a_options}
    assert known == {"S1": True, "S2": False, "S3": False}  # A moved from S1 in January
    result = CliRunner().invoke(main, [*args, "--db", db_url, "--json", "--person", "C"])
    roles = {r["role"]: r for r in json.loads(result.output)["roles"]}
    ruled_out = roles["personal_adviser"]["ruled_out"]
    assert ruled_out == [
        {"worker_id": "P2", "reason": "excluded", "detail": "rejection: trusted relationship"}
    ]
