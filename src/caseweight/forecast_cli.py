"""``caseweight forecast``: a thin click command over :mod:`caseweight.forecast`."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from caseweight.cli import AS_OF, cases_option, config_option, user_errors, workers_option
from caseweight.cohort import CohortSettings
from caseweight.config import Config
from caseweight.errors import CaseweightError
from caseweight.hr import HRChange, read_hr_changes
from caseweight.io.inputs import read_problem
from caseweight.problem import Problem

F = TypeVar("F", bound=Callable[..., Any])


def load_base(
    scenario: Path | None,
    cases: Path | None,
    workers: Path | None,
    hr: Path | None,
    as_of: date | None,
    config_path: Path | None,
) -> tuple[Problem, tuple[HRChange, ...], Config]:
    """The problem before its HR feed, the feed and the config, from a scenario or files.

    With neither, the bundled demo authority on its as-of date (no HR feed).
    """
    if scenario is not None:
        if cases or workers or hr or as_of or config_path:
            raise CaseweightError("give either --scenario or data files, not both")
        from caseweight.scenario import load_scenario
        from caseweight.scenario.build import prepare_base

        base = prepare_base(load_scenario(scenario))
        return base.problem, base.hr, base.config
    if cases is None and workers is None:
        from caseweight.demo import DEMO_AS_OF, demo_paths

        cases, workers = demo_paths()
        as_of = as_of or DEMO_AS_OF
    if cases is None or workers is None or as_of is None:
        raise CaseweightError("give --cases, --workers and --as-of together (or --scenario)")
    config = Config.from_file(config_path)
    problem = read_problem(cases, workers, as_of, config)
    changes = read_hr_changes(hr, problem.workers, config) if hr else ()
    return problem, changes, config


def data_options(func: F) -> F:
    """--scenario, or --cases/--workers/--hr/--as-of/--config."""
    file = click.Path(dir_okay=False, path_type=Path)
    for option in reversed(
        [
            click.option("--scenario", type=file, help="Scenario file: its base and changes."),
            cases_option,
            workers_option,
            click.option("--hr", type=file, help="HR feed hr_changes.csv, applied by date."),
            click.option("--as-of", "as_of", type=AS_OF, help="Start date (YYYY-MM-DD)."),
            config_option,
        ]
    ):
        func = option(func)
    return func


def cohort_options(func: F) -> F:
    """Rates of entries, exits and staying on after 21."""
    for option in reversed(
        [
            click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
                         help="Seed of entries and exits: same seed, same result."),
            click.option("--entries-per-month", type=click.FloatRange(min=0),
                         help="Children entering care a month [default: 40% of those in care "
                         "a year]."),
            click.option("--exits-per-year", type=click.FloatRange(0, 1), default=0.25,
                         show_default=True, help="Share of children in care leaving before 18."),
            click.option("--stay-after-21", type=click.FloatRange(0, 1), default=0.35,
                         show_default=True, help="Share of care leavers keeping a PA after 21."),
        ]
    ):  # fmt: skip
        func = option(func)
    return func


@click.command("forecast")
@data_options
@cohort_options
@click.option("--months", type=click.IntRange(1, 60), default=12, show_default=True)
@click.option("--by-team", is_flag=True, help="Breach lines for each team as well.")
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV to write: one row per month, role and team.",
)
@user_errors
def forecast_command(
    scenario: Path | None,
    cases: Path | None,
    workers: Path | None,
    hr: Path | None,
    as_of: date | None,
    config_path: Path | None,
    seed: int,
    entries_per_month: float | None,
    exits_per_year: float,
    stay_after_21: float,
    months: int,
    by_team: bool,
    out_file: Path | None,
) -> None:
    """Forecast demand against capacity month by month, per role and team.

    The cohort ages (16: PA due; 18: social worker ends, PA continues; 21: PA
    ends unless in education or on request; 25: PA ends), children enter
    and leave care at the given rates, and HR changes apply on their dates.
    Prints the first month each role is breached and the FTE to recruit.

    \b
    Example:
        caseweight forecast --scenario scenarios/baseline.yaml --by-team
        caseweight forecast --cases cases.csv --workers workers.csv \\
            --hr hr_changes.csv --as-of 2026-12-01 --out forecast.csv
    """
    from caseweight.forecast import forecast_rows, render_forecast, run_forecast
    from caseweight.scenario.cli import write_atomic

    problem, changes, config = load_base(scenario, cases, workers, hr, as_of, config_path)
    settings = CohortSettings(entries_per_month, 0.40, exits_per_year, stay_after_21)
    result = run_forecast(problem, changes, config, months, settings, seed)
    click.echo(render_forecast(result, by_team), nl=False)
    if out_file is not None:
        from caseweight.io.safe_csv import guard_cell

        rows = forecast_rows(result)
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: guard_cell(v) for k, v in row.items()} for row in rows)
        write_atomic(out_file, buffer.getvalue())
        click.echo(f"Wrote {len(rows)} rows to {out_file}")
