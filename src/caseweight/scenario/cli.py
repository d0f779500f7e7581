"""``caseweight scenario run|compare``: thin click commands over :mod:`caseweight.scenario`."""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from datetime import date
from pathlib import Path

import click

from caseweight.capacity import capacities
from caseweight.cli import AS_OF, user_errors
from caseweight.config import Config
from caseweight.problem import Problem
from caseweight.scenario.compare import FORMATS, render
from caseweight.scenario.run import Outcome, prepare_all, run_jobs

_files = click.argument(
    "files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path)
)
_time_limit = click.option(
    "--time-limit",
    type=click.FloatRange(min=0.1),
    help="Solver seconds per scenario [default: the scenario's, else the config's].",
)
_jobs = click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Scenarios solved at once on this machine [default: the available cores "
    "divided by the solver's search_workers].",
)
_scheduler = click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Run on an existing Dask distributed cluster (tcp://host:8786) instead; "
    "needs pip install 'dask[distributed]'.",
)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".caseweight-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


@click.group("scenario")
def scenario_group() -> None:
    """What-if scenarios on the real optimiser and weights (docs/scenarios.md)."""


@scenario_group.command("run")
@_files
@_time_limit
@_jobs
@_scheduler
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for one <scenario>.json per scenario (figures and summary).",
)
@user_errors
def run_command(
    files: tuple[Path, ...],
    time_limit: float | None,
    jobs: int | None,
    scheduler: str | None,
    out_dir: Path | None,
) -> None:
    """Run each scenario through the optimiser and print its headline figures.

    \b
    Example:
        caseweight scenario run scenarios/baseline.yaml scenarios/two_pas_leave.yaml
    """
    outcomes = run_jobs(prepare_all(files, time_limit), jobs, scheduler)
    for path, outcome in zip(files, outcomes, strict=True):
        click.echo(_headline(outcome))
        if out_dir is not None:
            body = {"name": outcome.name, "figures": outcome.figures, "summary": outcome.summary}
            write_atomic(
                out_dir / f"{path.stem}.json", json.dumps(body, indent=2, default=_plain) + "\n"
            )


def _plain(value: object) -> object:
    """numpy scalars in a summary as plain numbers."""
    item = getattr(value, "item", None)
    if item is None:
        raise TypeError(f"not JSON serialisable: {type(value).__name__}")
    return item()


def _headline(outcome: Outcome) -> str:
    f = outcome.figures
    return (
        f"{outcome.name}: {f['changes']:.0f} changes of worker; SW max "
        f"{f['SW_max_utilisation']:.0%}, PA max {f['PA_max_utilisation']:.0%}; unallocated "
        f"{f['SW_unallocated'] + f['PA_unallocated']:.0f}; FTE needed SW "
        f"{f['SW_fte_needed']:.1f}, PA {f['PA_fte_needed']:.1f}; solver "
        f"{outcome.summary['status']}"
    )


@scenario_group.command("compare")
@_files
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="terminal",
    show_default=True,
    help="Table layout.",
)
@click.option(
    "--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), help="Write here."
)
@_time_limit
@_jobs
@_scheduler
@user_errors
def compare_command(
    files: tuple[Path, ...],
    fmt: str,
    out_file: Path | None,
    time_limit: float | None,
    jobs: int | None,
    scheduler: str | None,
) -> None:
    """Run the scenarios and print their figures side by side.

    \b
    Example:
        caseweight scenario compare scenarios/*.yaml
        caseweight scenario compare scenarios/*.yaml --format markdown --out compare.md
    """
    outcomes = run_jobs(prepare_all(files, time_limit), jobs, scheduler)
    text = render(outcomes, fmt)
    if out_file is None:
        click.echo(text, nl=False)
    else:
        write_atomic(out_file, text)
        click.echo(f"Wrote the comparison of {len(outcomes)} scenario(s) to {out_file}")


@scenario_group.command("capacity")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--on",
    "on",
    type=AS_OF,
    help="Date to show capacity on [default: the scenario's as-of date].",
)
@user_errors
def capacity_command(file: Path, on: date | None) -> None:
    """Each worker's capacity with its breakdown, HR feed applied for the date.

    Base points (points per FTE x FTE), grade factor, the reductions in force
    with their reasons and end dates, any override, and the points that result.

    \b
    Example:
        caseweight scenario capacity scenarios/baseline.yaml --on 2027-03-01
    """
    from caseweight.hr import apply_hr_changes
    from caseweight.scenario.build import prepare_base
    from caseweight.scenario.spec import load_scenario

    base = prepare_base(load_scenario(file))
    day = on or base.problem.as_of
    staff = apply_hr_changes(dataclasses.replace(base.problem, as_of=day, people=()), base.hr)
    click.echo(capacity_table(staff, base.config), nl=False)


def capacity_table(problem: Problem, config: Config) -> str:
    """One line per worker: role, team, FTE, grade, base, factor, reductions, points."""
    rows = [["worker", "role", "team", "fte", "grade", "base", "grade x", "reductions", "points"]]
    for worker, cap in zip(problem.workers, capacities(problem, config), strict=True):
        reductions = "; ".join(
            f"{r.percent:g}% {r.reason}"
            + (f" to {r.effective_to.isoformat()}" if r.effective_to else "")
            for r in cap.reductions
        )
        points = f"{cap.points:g}" + (" (override)" if cap.override is not None else "")
        if worker.has_left(problem.as_of):
            points += f" (left {worker.leaving_on})"
        rows.append(
            [worker.worker_id, worker.role.value, worker.team or "", f"{worker.fte:g}",
             worker.grade or "", f"{cap.base_points:g}", f"{cap.grade_factor:g}",
             reductions or "-", points]
        )  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [f"Capacity on {problem.as_of.isoformat()} (points)"]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines) + "\n"
