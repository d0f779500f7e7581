"""Widening the candidates where the first hill climb left an overload or a gap."""

from __future__ import annotations

import numpy as np

from authority import Authority
from caseweight.config import Config
from caseweight.solution import pair_cost
from caseweight.solver.warm_start import UNALLOCATED
from caseweight.solver.widen import widen
from conftest import Runner

NARROW = Config.from_dict({"optimiser": {"candidates_outside_team": 1}})


def test_young_people_of_an_overloaded_worker_get_the_lightest_workers_now(
    run_authority: Runner,
) -> None:
    authority = Authority()
    authority.worker("S1", capacity_points=5, team="north")
    for w in ("S2", "S3", "S4"):
        authority.worker(w, capacity_points=10, team="south")
    for k in range(4):
        authority.person(f"Y{k}", age=8, sw="S1", team="north")
    proposal = run_authority(authority, NARROW).proposal
    instance, problem = proposal.instance, proposal.problem
    s1 = problem.worker_index["S1"]
    everyone_on_s1 = np.full(len(instance.requirements), s1, dtype=np.int64)
    before = {c.worker for c in instance.candidates[0]}
    wider = widen(instance, everyone_on_s1, lightest=3)
    after = {c.worker for c in wider.candidates[0]}
    others = {problem.worker_index[w] for w in ("S2", "S3", "S4")}
    assert len(before & others) == 1  # one lightest other, chosen before the month
    assert after >= before | others  # now every light worker: S1 is over the hard limit
    # priced exactly as the full matrices price them
    for option in wider.candidates[0]:
        assert option == pair_cost(instance, 0, option.worker)


def test_nobody_within_the_hard_limit_is_widened(run_authority: Runner) -> None:
    authority = Authority()
    for w in ("S1", "S2", "S3"):
        authority.worker(w, capacity_points=40, team="north" if w == "S1" else "south")
    authority.person("Y0", age=8, sw="S1", team="north")
    proposal = run_authority(authority, NARROW).proposal
    instance = proposal.instance
    kept = np.array([proposal.problem.worker_index["S1"]], dtype=np.int64)
    assert widen(instance, kept).candidates == instance.candidates
    unallocated = np.array([UNALLOCATED], dtype=np.int64)
    assert len(widen(instance, unallocated).candidates[0]) >= len(instance.candidates[0])
