"""The Lagrangian bound in a process of its own, beside the search (solver/bound_process.py)."""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pytest

from caseweight.problem import Role
from caseweight.solver import bound_process
from caseweight.solver import solve as solve_module
from caseweight.solver.bound_process import BoundProcess
from caseweight.solver.lagrangian import Ascent, RoleLagrangian, ascend
from caseweight.solver.lns import Budget
from caseweight.solver.local_search import climb
from caseweight.solver.rins import rins
from caseweight.solver.solve import SolveSettings, solve
from caseweight.solver.starts import role_objectives
from caseweight.solver.transport import FlowSolution, role_flows
from caseweight.solver.warm_start import first_fit
from conftest import Runner
from test_bound import proven_family
from test_lns import FAR, generated

ROLES = (Role.SOCIAL_WORKER, Role.PERSONAL_ADVISER)


def test_the_bound_beside_lies_between_the_flow_and_the_proposal(tmp_path: Path) -> None:
    _, instance = generated(tmp_path, seed=7)
    incumbent = climb(instance, first_fit(instance), FAR).assignment
    flows = role_flows(instance, 60.0)
    upper = role_objectives(instance, incumbent)
    beside = BoundProcess(instance, ROLES, flows, upper, time.perf_counter() + 60)
    found = beside.finish({}, time.perf_counter() + 60)
    for role in ROLES:
        assert math.floor(flows[role].value) <= found[role] <= upper[role]
    # the ascent raises the social workers' bound above their flow (siblings, rule 5)
    assert found[Role.SOCIAL_WORKER] > flows[Role.SOCIAL_WORKER].value


def test_the_bound_beside_is_below_the_proven_optimum(run_authority: Runner) -> None:
    family = proven_family(run_authority, time_limit=5.0)
    flows = role_flows(family.instance, 60.0)
    beside = BoundProcess(family.instance, ROLES, flows, family.upper, time.perf_counter() + 30)
    found = beside.finish({}, time.perf_counter() + 30)
    assert 0 < sum(found.values()) <= family.optimum


def test_the_lps_duals_sent_at_the_end_are_tried(tmp_path: Path) -> None:
    """The social workers' LP duals (the neighbourhoods' LP) start near their LP:
    asked with them, the process answers at least what they are worth."""
    _, instance = generated(tmp_path, seed=7)
    start = climb(instance, first_fit(instance), FAR).assignment
    found = rins(instance, start, Budget(1e6, dict.fromkeys(ROLES, 1e9), 0, FAR))
    role = Role.SOCIAL_WORKER
    dual = RoleLagrangian(instance, instance.role_costs[role])
    load, cases = found.prices[role]
    at_duals = dual.evaluate(dual.project(dual.joined(load, None, cases)))[0]
    upper = role_objectives(instance, start)
    # no flow and no time for one: only the duals can lift it above zero prices
    beside = BoundProcess(instance, [role], {}, upper, time.perf_counter() + 5)
    answered = beside.finish(found.prices, time.perf_counter() + 30)
    assert answered[role] >= math.floor(at_duals) > dual.evaluate(np.zeros(dual.size))[0]


def started(tmp_path: Path, seconds: float) -> tuple[BoundProcess, dict[Role, FlowSolution]]:
    """A bound's process for both roles of a generated authority, from first fit."""
    _, instance = generated(tmp_path, seed=7)
    upper = role_objectives(instance, first_fit(instance))
    flows = role_flows(instance, 60.0)
    return BoundProcess(instance, ROLES, flows, upper, time.perf_counter() + seconds), flows


def test_a_process_that_has_gone_leaves_the_flows_value(tmp_path: Path) -> None:
    beside, flows = started(tmp_path, 60)
    beside._process.kill()
    beside._process.join()
    found = beside.finish({}, time.perf_counter() + 5)
    assert found == {role: math.floor(flows[role].value) for role in ROLES}


def test_an_ascent_in_runs_is_one_ascent(tmp_path: Path) -> None:
    """The process ascends in rounds: two runs of 40 steps are one of 80."""
    _, instance = generated(tmp_path, seed=7)
    incumbent = climb(instance, first_fit(instance), FAR).assignment
    role = Role.PERSONAL_ADVISER
    dual = RoleLagrangian(instance, instance.role_costs[role])
    upper = role_objectives(instance, incumbent)[role]
    mu = np.zeros(dual.size)
    once = ascend(dual, mu, upper, FAR, max_steps=80)
    ascent = Ascent(dual, mu, upper)
    ascent.run(FAR, max_steps=40)
    twice = ascent.run(FAR, max_steps=40)
    assert twice[0] == once[0] > dual.evaluate(mu)[0]
    assert np.array_equal(twice[1], once[1])


def test_the_proposal_is_the_same_with_the_bound_beside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Roles too large for a thread (limits lowered here) get their bound in a
    process; the proposal never depends on it, and the bound stays valid."""
    _, instance = generated(tmp_path, seed=7)
    monkeypatch.setattr(solve_module, "ROOT_PAIR_LIMIT", 0)
    monkeypatch.setattr(solve_module, "start_early_bound", lambda *args: None)
    started: list[BoundProcess] = []
    real = solve_module.BoundProcess

    def recorded(*args, **kwargs):  # type: ignore[no-untyped-def]
        started.append(real(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(solve_module, "BoundProcess", recorded)
    settings = SolveSettings(time_limit_seconds=8.0, seed=0)
    monkeypatch.setattr(solve_module, "BESIDE_SHARE", 1.0)  # never time enough
    alone = solve(instance, settings)
    assert not started
    monkeypatch.setattr(solve_module, "BESIDE_SHARE", 0.0)
    beside = solve(instance, settings)
    assert len(started) == 1 and sorted(started[0].roles) == sorted(ROLES)
    assert np.array_equal(beside.assignment, alone.assignment)
    assert 0 < beside.best_bound <= beside.objective
    for role in ROLES:
        assert beside.role_bounds[role.value] <= beside.role_objectives[role.value]
    # where the platform cannot fork safely, the main core bounds every role
    monkeypatch.setattr(bound_process, "AVAILABLE", False)
    unforked = solve(instance, settings)
    assert len(started) == 1
    assert np.array_equal(unforked.assignment, alone.assignment)


def test_a_step_past_the_deadline_leaves_the_answer_given_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asked to finish, the child answers at once with what it has, then goes on:
    a step that overruns the caller's deadline (a flow re-priced for a new aim
    can) leaves the caller that answer, not the flow's value or nothing."""
    _, instance = generated(tmp_path, seed=7)
    upper = role_objectives(instance, first_fit(instance))
    asked = {"finish": False}
    restart, run = bound_process._restart, Ascent.run

    def restart_and_go_on(*args):  # type: ignore[no-untyped-def]
        asked["finish"] = True
        restart(*args)
        return True  # one more round, which overruns

    def overrun(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if asked["finish"]:
            time.sleep(120)
        return run(self, *args, **kwargs)

    # forked, the child runs with these
    monkeypatch.setattr(bound_process, "_restart", restart_and_go_on)
    monkeypatch.setattr(Ascent, "run", overrun)
    beside = BoundProcess(instance, ROLES, {}, upper, time.perf_counter() + 600)
    time.sleep(1.0)
    began = time.perf_counter()
    found = beside.finish({}, time.perf_counter() + 5)
    assert time.perf_counter() - began < 10
    for role in ROLES:
        assert 0 < found[role] <= upper[role]


def test_the_process_ends_when_its_caller_has_gone(tmp_path: Path) -> None:
    """Ctrl-C or a crash closes the caller's end of the pipe: the child stops
    at its next step, quietly, instead of running on to the deadline."""
    beside, _ = started(tmp_path, 600)
    beside._conn.close()
    beside._process.join(timeout=30)
    assert not beside._process.is_alive()
    assert beside._process.exitcode == 0
