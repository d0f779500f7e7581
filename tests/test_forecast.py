"""The 12-month forecast: a tiny cohort whose ageing is known exactly, and seeding."""

from __future__ import annotations

import csv
import math
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from caseweight.cli import main
from caseweight.cohort import CohortSettings
from caseweight.config import Config
from caseweight.forecast import Forecast, Load, run_forecast
from caseweight.hr import hr_changes_from_records
from caseweight.problem import Problem, Role, Status, Worker, YoungPerson, add_months
from scenario_helpers import tiny_authority, write_scenario

START = date(2027, 1, 1)
FIXED = CohortSettings(entries_per_month=0, in_care_exits_per_year=0, stay_after_21_share=0)
WORKERS = (
    Worker("S1", 2, Role.SOCIAL_WORKER, 1.0, team="t"),
    Worker("P1", 3, Role.PERSONAL_ADVISER, 1.0, team="t"),
)
PEOPLE = (
    YoungPerson("A", 2, date(2011, 3, 15), Status.IN_CARE, team="t"),  # 16 on 15 Mar 2027
    YoungPerson("B", 3, date(2009, 5, 10), Status.IN_CARE, team="t"),  # 18 on 10 May 2027
    YoungPerson("C", 4, date(2006, 2, 20), Status.CARE_LEAVER, team="t"),  # 21 on 20 Feb
    YoungPerson("D", 5, date(2002, 7, 1), Status.CARE_LEAVER, team="t"),  # 25 on 1 Jul
)
HR = [
    {"worker_id": "S1", "change": "leaver", "effective_from": "2027-03-15"},
    {"worker_id": "P1", "change": "reduction", "effective_from": "2027-06-01", "value": "50",
     "reason": "phased return"},
]  # fmt: skip


def _forecast(settings: CohortSettings = FIXED) -> Forecast:
    config = Config()
    hr = hr_changes_from_records(HR, [2, 3], "hr", WORKERS, config)
    problem = Problem(as_of=START, people=PEOPLE, workers=WORKERS)
    return run_forecast(problem, hr, config, months=12, settings=settings, seed=1)


def _loads(forecast: Forecast, role: Role) -> list[Load]:
    out = []
    for month in forecast.months:
        load = month.load(role)
        out.append(load if load is not None else Load(role, "all", 0, 0.0, 0.0, 0.0, 0.0))
    return out


def test_the_cohort_ages_exactly_as_computed_by_hand() -> None:
    forecast = _forecast()
    months = forecast.months
    assert [m.day for m in months[:3]] == [START, date(2027, 2, 1), date(2027, 3, 1)]
    # PA: B (17), C, D; C's PA ends at 21 (Feb); A is due at 16 (April); D ends at 25 (July).
    pa = [x.allocations for x in _loads(forecast, Role.PERSONAL_ADVISER)]
    assert pa == [3, 3, 2, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2]
    # SW: A and B until B turns 18 in May (June's month); then A alone.
    sw = [x.allocations for x in _loads(forecast, Role.SOCIAL_WORKER)]
    assert sw == [2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1]
    assert [m.in_care for m in months] == [2] * 5 + [1] * 8
    assert [m.care_leavers for m in months] == [2, 2, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1]
    assert months[5].events.turned_18 == ["B"]
    assert months[2].events.pa_ended == ["C"] and months[6].events.pa_ended == ["D"]


def test_staying_on_after_21_keeps_the_pa() -> None:
    settings = CohortSettings(entries_per_month=0, in_care_exits_per_year=0, stay_after_21_share=1)
    pa = [x.allocations for x in _loads(_forecast(settings), Role.PERSONAL_ADVISER)]
    assert pa[:4] == [3, 3, 3, 4]


def test_hr_changes_apply_on_their_dates_and_give_the_first_breach() -> None:
    forecast = _forecast()
    sw = _loads(forecast, Role.SOCIAL_WORKER)
    pa = _loads(forecast, Role.PERSONAL_ADVISER)
    assert [x.capacity_points for x in sw[:4]] == [85.0, 85.0, 85.0, 0.0]  # left 15 March
    assert pa[4].capacity_points == 85.0 and pa[5].capacity_points == 42.5  # from 1 June
    breaches = {(b.role, b.team): b for b in forecast.breaches}
    breach = breaches[(Role.SOCIAL_WORKER, "all")]
    assert (breach.first_month, breach.first_day) == (3, date(2027, 4, 1))
    peak = max(x.demand_points for x in sw[3:])
    assert breach.fte_to_recruit == math.ceil(peak / 85 * 10) / 10
    pa_breach = breaches[(Role.PERSONAL_ADVISER, "all")]
    assert pa_breach.first_month is None and pa_breach.fte_to_recruit == 0


def test_add_months_keeps_the_day_or_takes_the_month_end() -> None:
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2026, 12, 1), 12) == date(2027, 12, 1)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("forecast")
    tiny_authority(root / "data")
    return write_scenario(root, "base")


def test_same_seed_same_forecast_with_entries_and_exits(scenario: Path) -> None:
    from caseweight.scenario import load_scenario
    from caseweight.scenario.build import prepare_base

    base = prepare_base(load_scenario(scenario))
    first, again, other = (
        run_forecast(base.problem, base.hr, base.config, seed=s) for s in (5, 5, 6)
    )
    assert first == again
    assert sum(len(m.events.entered) for m in first.months) > 0
    assert first.months != other.months


def test_cli_prints_breaches_and_writes_csv(scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "forecast.csv"
    result = CliRunner().invoke(
        main, ["forecast", "--scenario", str(scenario), "--months", "3", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "First month demand exceeds capacity" in result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {r["month"] for r in rows} == {"0", "1", "2", "3"}
    assert {r["role"] for r in rows} == {"social_worker", "personal_adviser"}


def test_cli_scenario_and_files_together_is_a_usage_error(scenario: Path) -> None:
    result = CliRunner().invoke(
        main, ["forecast", "--scenario", str(scenario), "--as-of", "2026-12-01"]
    )
    assert result.exit_code == 2 and "not both" in result.output
