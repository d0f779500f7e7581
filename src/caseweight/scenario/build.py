"""Turn a scenario into the problem and config the optimiser runs on.

The base files are read as the data contract says, the worker and demand
changes are applied to the tables, and the result is read back through the
same validating reader as ``caseweight allocate`` uses, so a scenario can
never feed the optimiser something ``allocate`` would refuse. HR rows (the
base's feed and the scenario's own) are applied last, for the as-of date.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from caseweight.config import Config, config_to_dict
from caseweight.errors import ConfigError, ProblemCollector
from caseweight.hr import (
    HRChange,
    apply_hr_changes,
    check_consistency,
    hr_changes_from_records,
    read_hr_changes,
)
from caseweight.io.inputs import read_problem
from caseweight.io.tables import read_table
from caseweight.problem import Problem
from caseweight.scenario.demand import apply_demand
from caseweight.scenario.spec import Scenario, ScenarioError, merge


@dataclass(frozen=True)
class ScenarioJob:
    """One scenario ready to optimise: picklable, so it can go to another process or machine."""

    name: str
    path: str
    problem: Problem
    config: Config
    time_limit: float | None


def scenario_config(scenario: Scenario) -> Config:
    """The base config with the scenario's policy changes on top."""
    base = Config.from_file(scenario.config)
    if not scenario.config_overrides:
        return base
    data = merge(config_to_dict(base), scenario.config_overrides)
    try:
        return Config.from_dict(data, source=f"{scenario.path.name} changes.policy")
    except ConfigError as exc:
        raise ScenarioError([f"{scenario.where('policy')}: {exc}"]) from None


def prepare(scenario: Scenario, time_limit: float | None = None) -> ScenarioJob:
    """Read the base, apply every change, and validate the result.

    Raises
    ------
    ScenarioError, InputError, ConfigError
        When the scenario's changes do not fit its base, or the base files are bad.
    """
    base = prepare_base(scenario)
    return ScenarioJob(
        name=scenario.name,
        path=str(scenario.path),
        problem=apply_hr_changes(base.problem, base.hr),
        config=base.config,
        time_limit=time_limit if time_limit is not None else scenario.time_limit,
    )


@dataclass(frozen=True)
class ScenarioBase:
    """A scenario's problem before its HR feed, the feed, and the config (for forecasts)."""

    problem: Problem
    hr: tuple[HRChange, ...]
    config: Config


def prepare_base(scenario: Scenario) -> ScenarioBase:
    """Everything of :func:`prepare` except applying the HR feed, which a forecast dates."""
    config = scenario_config(scenario)
    cases = read_table(scenario.cases, "cases").frame.copy()
    workers = _change_workers(scenario, read_table(scenario.workers, "workers").frame.copy())
    cases = apply_demand(cases, scenario.demand, scenario.as_of, scenario.seed)
    with tempfile.TemporaryDirectory(prefix="caseweight-scenario-") as folder:
        cases_path, workers_path = Path(folder, "cases.csv"), Path(folder, "workers.csv")
        cases.to_csv(cases_path, index=False)
        workers.to_csv(workers_path, index=False)
        problem = read_problem(cases_path, workers_path, scenario.as_of, config)
    return ScenarioBase(problem, _hr_changes(scenario, problem, config), config)


def _hr_changes(scenario: Scenario, problem: Problem, config: Config) -> tuple[HRChange, ...]:
    changes: tuple[HRChange, ...] = ()
    if scenario.hr is not None:
        changes = read_hr_changes(scenario.hr, problem.workers, config)
    if scenario.hr_rows:
        records = [row for row, _ in scenario.hr_rows]
        lines = [line for _, line in scenario.hr_rows]
        name = f"{scenario.path.name} changes.hr (row = line)"
        changes += hr_changes_from_records(records, lines, name, problem.workers, config)
        problems = ProblemCollector()
        check_consistency(changes, {w.worker_id: w for w in problem.workers}, problems)
        problems.raise_if_any()
    return changes


def _change_workers(scenario: Scenario, workers: pd.DataFrame) -> pd.DataFrame:
    """Remove (leave on the as-of date), modify and add workers in the workers table."""
    messages: list[str] = []
    ids = workers["worker_id"].tolist() if "worker_id" in workers else []
    for worker_id, line in scenario.remove_workers:
        if worker_id not in ids:
            messages.append(f"{scenario.path.name}, line {line}: no worker {worker_id!r} to remove")
            continue
        workers.loc[workers["worker_id"] == worker_id, "leaving_on"] = scenario.as_of.isoformat()
    for change in scenario.modify_workers:
        worker_id = str(change["worker_id"])
        if worker_id not in ids:
            messages.append(
                f"{scenario.path.name}, line {change['line']}: no worker {worker_id!r} to modify"
            )
            continue
        for key, value in _cells(change).items():
            if key != "worker_id":
                workers.loc[workers["worker_id"] == worker_id, key] = value
    if messages:
        raise ScenarioError(messages)
    added = [row for change in scenario.add_workers for row in _new_workers(change)]
    if added:
        workers = pd.concat([workers, pd.DataFrame(added, dtype=str)], ignore_index=True)
    return workers.fillna("")


def _cells(change: dict[str, Any]) -> dict[str, str]:
    out = {}
    for key, value in change.items():
        if key in ("line", "count"):
            continue
        if isinstance(value, list):
            value = ";".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        out[key] = "" if value is None else str(value)
    return out


def _new_workers(change: dict[str, Any]) -> list[dict[str, str]]:
    cells = _cells(change)
    count = int(change["count"])
    stem = cells.pop("worker_id", "") or f"NEW{int(change['line']):03d}-"
    rows = []
    for n in range(1, count + 1):
        worker_id = stem if count == 1 and "worker_id" in change else f"{stem}{n:02d}"
        rows.append({"fte": "1", **cells, "worker_id": worker_id})
    return rows
