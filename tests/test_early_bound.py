"""HiGHS's branch and bound beside the search, for the bound only (solver/early_bound.py)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from caseweight.problem import Role
from caseweight.solver import early_bound
from caseweight.solver.early_bound import start_early_bound
from caseweight.solver.local_search import climb
from caseweight.solver.role_mip import RoleMip
from caseweight.solver.solve import _room
from caseweight.solver.starts import role_objectives
from caseweight.solver.transport import role_flows
from caseweight.solver.warm_start import first_fit
from conftest import Runner
from test_bound import proven_family
from test_lns import FAR, generated


def climbed(tmp_path: Path, seed: int) -> tuple:
    _, instance = generated(tmp_path, seed=seed)
    found = climb(instance, first_fit(instance), FAR)
    instance, incumbent = found.instance, found.assignment
    room = _room(instance, incumbent, role_flows(instance, 60.0))
    return instance, incumbent, room


def test_the_role_furthest_above_its_lp_is_bounded_beside_the_search(tmp_path: Path) -> None:
    instance, incumbent, room = climbed(tmp_path, seed=7)
    upper = role_objectives(instance, incumbent)
    early = start_early_bound(instance, incumbent, room, time.perf_counter() + 30, 0)
    assert early is not None
    assert early.role is max(room, key=lambda ro: room[ro] / upper[ro])
    root = RoleMip(instance, early.role, instance.role_costs[early.role].eligible).bound(
        incumbent, 30, 0
    )
    start = {early.role: 0}
    raised = early.raised(start, upper[early.role])
    # branching proves more than the root alone, and never more than the proposal
    assert root.dual_bound < raised[early.role] <= upper[early.role]


def test_no_thread_without_time_for_its_root(tmp_path: Path) -> None:
    instance, incumbent, room = climbed(tmp_path, seed=5)
    assert start_early_bound(instance, incumbent, room, time.perf_counter() + 0.01, 0) is None


def test_no_thread_for_a_role_past_the_thread_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HiGHS's setup, before it reads its clock, grows faster than the pairs:
    a role past THREAD_PAIR_LIMIT is left to the Lagrangian."""
    instance, incumbent, room = climbed(tmp_path, seed=7)
    assert start_early_bound(instance, incumbent, room, time.perf_counter() + 30, 0) is not None
    monkeypatch.setattr(early_bound, "THREAD_PAIR_LIMIT", 10)
    assert start_early_bound(instance, incumbent, room, time.perf_counter() + 30, 0) is None


def test_no_thread_where_nothing_is_above_the_lp(tmp_path: Path) -> None:
    instance, incumbent, room = climbed(tmp_path, seed=5)
    nothing = dict.fromkeys(room, 0.0)
    assert start_early_bound(instance, incumbent, nothing, time.perf_counter() + 30, 0) is None


def test_the_early_bound_is_below_the_proven_optimum(run_authority: Runner) -> None:
    family = proven_family(run_authority, time_limit=20.0)
    room = {role: float(value) for role, value in family.upper.items()}  # everything above 0
    early = start_early_bound(family.instance, family.incumbent, room, time.perf_counter() + 30, 0)
    assert early is not None and early.role is Role.SOCIAL_WORKER
    raised = early.raised(dict.fromkeys(family.upper, 0), family.upper[early.role])
    assert 0 < sum(raised.values()) <= family.optimum
