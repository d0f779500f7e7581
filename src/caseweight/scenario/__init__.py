"""Staffing and demand scenarios: what if, on the real optimiser and weights."""

from caseweight.scenario.build import ScenarioJob, prepare
from caseweight.scenario.run import Outcome, run_jobs
from caseweight.scenario.spec import Scenario, ScenarioError, load_scenario

__all__ = [
    "Outcome",
    "Scenario",
    "ScenarioError",
    "ScenarioJob",
    "load_scenario",
    "prepare",
    "run_jobs",
]
