"""``caseweight simulate``: a thin click command over :mod:`caseweight.simulate`."""

from __future__ import annotations

import csv
import io
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from caseweight.cli import user_errors
from caseweight.cohort import CohortSettings
from caseweight.forecast_cli import cohort_options, data_options, load_base

if TYPE_CHECKING:
    from caseweight.simulate import Policy, PolicyResult, World


@click.command("simulate")
@data_options
@cohort_options
@click.option("--months", type=click.IntRange(2, 36), default=12, show_default=True)
@click.option(
    "--turnover",
    type=click.FloatRange(0, 1),
    default=0.16,
    show_default=True,
    help="Share of workers leaving in a year (each replaced a month later).",
)
@click.option(
    "--other-change-penalty",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="Change penalty of the second caseweight policy.",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0.1),
    default=None,
    help="Solver seconds per month [default: the config's time_limit_seconds].",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Policies simulated at once [default: the available cores divided by the "
    "solver's search_workers].",
)
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV to write: one row per policy and month.",
)
@user_errors
def simulate_command(
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
    turnover: float,
    other_change_penalty: int,
    time_limit: float | None,
    jobs: int | None,
    out_file: Path | None,
) -> None:
    """Simulate a year of monthly allocations under three policies, side by side.

    Each month the cohort ages, enters and leaves care, workers leave and are
    replaced, and each policy's proposal is approved. Compares caseweight,
    caseweight with another change penalty, and "by hand" (keep current
    workers; each young person needing one goes to the least-loaded worker):
    changes of worker, shares of young people with 2 and with 3+ workers in
    the year, 16-17s without a PA, utilisation.

    \b
    Example:
        caseweight simulate --scenario scenarios/baseline.yaml --time-limit 5
    """
    from caseweight.simulate import BY_HAND, Policy, build_world, render_simulation

    problem, changes, config = load_base(scenario, cases, workers, hr, as_of, config_path)
    settings = CohortSettings(entries_per_month, 0.40, exits_per_year, stay_after_21)
    world = build_world(problem, changes, config, months, settings, turnover, seed)
    policies = [
        Policy(BY_HAND),
        Policy("caseweight", config.optimiser.change_penalty),
        Policy(f"caseweight, change penalty {other_change_penalty}", other_change_penalty),
    ]
    results = run_policies(world, policies, time_limit, jobs)
    click.echo(render_simulation(world, results), nl=False)
    if out_file is not None:
        write_months(out_file, world, results)
        click.echo(f"Wrote {len(world.days) * len(results)} rows to {out_file}")


def run_policies(
    world: World, policies: list[Policy], time_limit: float | None, jobs: int | None
) -> list[PolicyResult]:
    """Run each policy; the first (by hand, no solver) here, the others in parallel if the
    cores hold their solves side by side."""
    from caseweight.scenario.run import default_processes
    from caseweight.simulate import run_policy

    count = min(len(policies) - 1, jobs or default_processes(world.config))
    if count <= 1:
        return [run_policy(world, p, time_limit) for p in policies]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        runs = [pool.submit(run_policy, world, p, time_limit) for p in policies[1:]]
        return [run_policy(world, policies[0]), *(r.result() for r in runs)]


def write_months(path: Path, world: World, results: list[PolicyResult]) -> None:
    """One CSV row per policy and month, written whole or not at all."""
    from caseweight.scenario.cli import write_atomic

    buffer = io.StringIO()
    rows = [
        {"policy": r.name, "month": m, "date": world.days[m].isoformat(), **figures}
        for r in results
        for m, figures in enumerate(r.months)
    ]
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_atomic(path, buffer.getvalue())
