"""Shared fixtures: run the real pipeline on a tiny authority built in a test."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from ortools.sat.python import cp_model

from authority import AS_OF, Authority
from caseweight.config import Config
from caseweight.io.inputs import read_problem
from caseweight.io.proposal import allocations_table
from caseweight.pipeline import Proposal, propose
from caseweight.solver.instance import Instance
from caseweight.solver.model import AllocationModel
from caseweight.solver.warm_start import UNALLOCATED


@dataclass
class Outcome:
    """A proposal with look-ups by person and worker id."""

    proposal: Proposal
    rows: list[dict[str, Any]]

    def row(self, person_id: str, role: str = "social_worker") -> dict[str, Any]:
        found = [r for r in self.rows if r["person_id"] == person_id and r["role"] == role]
        assert len(found) == 1, f"{person_id}/{role}: {len(found)} allocation rows"
        return found[0]

    def worker_of(self, person_id: str, role: str = "social_worker") -> str:
        """Proposed worker id ('' when unallocated)."""
        return str(self.row(person_id, role)["proposed_worker_id"])

    def reason(self, person_id: str, role: str = "social_worker") -> str:
        return str(self.row(person_id, role)["reason"])

    def has_row(self, person_id: str, role: str) -> bool:
        return any(r["person_id"] == person_id and r["role"] == role for r in self.rows)

    def holding(self, worker_id: str) -> set[str]:
        return {r["person_id"] for r in self.rows if r["proposed_worker_id"] == worker_id}

    @property
    def changes(self) -> int:
        return int(self.proposal.summary()["changes"])

    @property
    def terms(self) -> dict[str, int]:
        return self.proposal.result.terms


Runner = Callable[..., Outcome]


@pytest.fixture(autouse=True)
def private_data_folder(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests never read or write the user's own caseweight database."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))
    monkeypatch.delenv("CASEWEIGHT_DB", raising=False)


#: The weights the rule tests' small authorities were designed against.
RULES_WEIGHTS = Path(__file__).parent / "data" / "rules_weights.yaml"
RULES_CONFIG = Config.from_file(RULES_WEIGHTS)


@pytest.fixture
def run_authority(tmp_path: Path) -> Runner:
    """Write an :class:`Authority`, read it back, propose; returns an :class:`Outcome`.

    Every run asserts the independent check passes, so each rule test also
    checks the hard rules.
    """

    def run(authority: Authority, config: Config | None = None, time_limit: float = 2.0) -> Outcome:
        config = config or RULES_CONFIG
        cases, workers = authority.write(tmp_path / f"in{len(list(tmp_path.iterdir()))}")
        problem = read_problem(cases, workers, AS_OF, config)
        proposal = propose(problem, config, time_limit=time_limit)
        assert proposal.check.ok, proposal.check.violations
        frame = allocations_table(proposal).fillna("")
        return Outcome(proposal, frame.to_dict("records"))

    return run


def model_terms(instance: Instance, assignment: np.ndarray) -> tuple[dict[str, int], int]:
    """The CP-SAT model's own price of ``assignment``: fix every choice, solve the rest.

    Loads, balance segments and sibling counts stay free, so the model's
    objective is its own reading of the soft rules, independent of
    :func:`caseweight.solution.objective_terms`. An assignment the model's
    hard rules forbid comes back infeasible.
    """
    am = AllocationModel(instance)
    fix_choices(am, assignment)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10
    code = solver.solve(am.model)
    assert code == cp_model.OPTIMAL, solver.status_name(code)
    terms = {name: round(solver.value(expr)) for name, expr in am.terms.items()}
    return terms, round(solver.objective_value)


def fix_choices(am: AllocationModel, assignment: np.ndarray) -> None:
    """Fix every choice in ``am`` to ``assignment``; loads and penalties stay free."""
    for (r, w), var in am.vars.assign.items():
        am.model.add(var == int(assignment[r] == w))
    for r, var in am.vars.unallocated.items():
        am.model.add(var == int(assignment[r] == UNALLOCATED))


def exact_optimum(instance: Instance) -> tuple[np.ndarray, int]:
    """Solve the whole model at once (tiny instances only)."""
    am = AllocationModel(instance)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 20
    code = solver.solve(am.model)
    assert code == cp_model.OPTIMAL, solver.status_name(code)
    assignment = np.full(len(instance.requirements), UNALLOCATED, dtype=np.int64)
    for (r, w), var in am.vars.assign.items():
        if solver.boolean_value(var):
            assignment[r] = w
    return assignment, round(solver.objective_value)
