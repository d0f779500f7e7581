"""``caseweight scenario run|compare``: thin click commands over :mod:`caseweight.scenario`."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import click

from caseweight.cli import user_errors
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
    help="Scenarios solved at once on this machine [default: one per available core].",
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
