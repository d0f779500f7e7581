"""A young person who must move goes back to a worker they know, if one can take them."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

from authority import AS_OF_TEXT, Authority
from caseweight.config import Config
from caseweight.io.inputs import read_problem
from caseweight.pipeline import propose
from caseweight.problem import Problem
from caseweight.solver.units import COST_SCALE

CONFIG = Config.from_dict({"optimiser": {"candidates_outside_team": 0}})


def _problem(tmp_path: Path, knows: bool) -> Problem:
    """M's worker S3 has left; S1 (which M knew) holds one more young person than S2."""
    authority = (
        Authority()
        .worker("S1", capacity_points=30)
        .worker("S2", capacity_points=30)
        .worker("S3", capacity_points=30, leaving_on="2026-11-30")
        .person("A", sw="S1")
        .person("M", sw="S3", worker_changes_12m=1)
    )
    cases, workers = authority.write(tmp_path)
    problem = read_problem(cases, workers, date.fromisoformat(AS_OF_TEXT), CONFIG)
    if not knows:
        return problem
    people = tuple(
        dataclasses.replace(p, previous_workers=frozenset({"S1"})) if p.person_id == "M" else p
        for p in problem.people
    )
    return dataclasses.replace(problem, people=people)


def _allocated(problem: Problem) -> tuple[str, dict[str, int]]:
    proposal = propose(problem, CONFIG, time_limit=1.0)
    inst = proposal.instance
    req = next(r for r in inst.requirements if r.person == problem.person_index["M"])
    costs = {problem.workers[c.worker].worker_id: c.change_cost for c in inst.candidates[req.index]}
    return problem.workers[int(proposal.assignment[req.index])].worker_id, costs


def test_a_forced_move_prefers_a_worker_the_young_person_knows(tmp_path: Path) -> None:
    opt = CONFIG.optimiser
    price = opt.change_penalty + opt.change_penalty_per_recent_change * 1
    worker, costs = _allocated(_problem(tmp_path / "knows", knows=True))
    assert costs == {"S1": 0, "S2": round(price * (1 - opt.previous_worker_discount) * COST_SCALE)}
    assert worker == "S1"
    # Without the history, balance sends M to the lighter S2, and no worker costs a change.
    worker, costs = _allocated(_problem(tmp_path / "stranger", knows=False))
    assert set(costs.values()) == {0} and worker == "S2"
