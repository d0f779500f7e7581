"""What the CLI commands do, as plain functions over the library."""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from caseweight.config import Config
from caseweight.errors import CaseweightError
from caseweight.solver.solve import Progress, ProgressFn

if TYPE_CHECKING:
    from caseweight.continuity import Overrides
    from caseweight.problem import Problem
    from caseweight.store.store import Store


def _progress_printer() -> ProgressFn:
    def show(p: Progress) -> None:
        # a stage that proves no bound says so, not "nan"
        bound = f"{p.bound:,.0f}" if math.isfinite(p.bound) else "-"
        click.echo(
            f"  {p.stage:<17} {p.seconds:6.1f}s  objective {p.objective:,.0f}  bound {bound}",
            err=True,
        )

    return show


def resolve_inputs(
    cases: Path | None, workers: Path | None, as_of: date | None
) -> tuple[Path, Path, date]:
    """The files to read: the given ones, or the bundled demo authority."""
    if cases is None and workers is None:
        from caseweight.demo import DEMO_AS_OF, demo_paths

        demo_cases, demo_workers = demo_paths()
        return demo_cases, demo_workers, as_of or DEMO_AS_OF
    if cases is None or workers is None or as_of is None:
        raise CaseweightError(
            "give --cases, --workers and --as-of together (or none of them for the demo)"
        )
    return cases, workers, as_of


def run_allocate(
    cases: Path | None,
    workers: Path | None,
    as_of: date | None,
    out_dir: Path | None,
    config_path: Path | None,
    time_limit: float | None,
    report: bool,
    quiet: bool,
    db_url: str | None = None,
    no_db: bool = False,
    pins: Path | None = None,
    hr_changes: Path | None = None,
) -> None:
    """Read, apply HR changes, history and pins, propose, write the folder, record the run."""
    from caseweight.io.inputs import read_problem
    from caseweight.io.proposal import write_proposal
    from caseweight.pipeline import propose
    from caseweight.summary import terminal_summary

    cases, workers, as_of = resolve_inputs(cases, workers, as_of)
    config = Config.from_file(config_path)
    problem = read_problem(cases, workers, as_of, config)
    if hr_changes is not None:
        from caseweight.hr import apply_hr_changes, read_hr_changes

        problem = apply_hr_changes(problem, read_hr_changes(hr_changes, problem.workers, config))
    out_dir = out_dir or Path("proposals") / as_of.isoformat()
    with open_store(store_url(db_url, no_db)) as store:
        problem, overrides = monthly_overrides(problem, store, pins)
        if not quiet:
            click.echo(
                f"Solving ({len(problem.people)} young people, {len(problem.workers)} workers)...",
                err=True,
            )
        progress = None if quiet else _progress_printer()
        command_limit = time_limit or config.optimiser.time_limit_seconds
        limit = solver_time_limit(command_limit, len(problem.people), report)
        planned = planned_time_limit(command_limit, len(problem.people), report)
        proposal = propose(
            problem,
            config,
            limit,
            progress,
            overrides=overrides,
            planned=planned,
        )
        extra = None
        if report:
            from caseweight.report import write_report

            def extra(folder: Path) -> None:
                write_report(folder)

        summary = write_proposal(proposal, out_dir, extra)
        click.echo(terminal_summary(summary, str(out_dir)))
        if store is not None:
            run_id = store.record_run(out_dir)
            click.echo(f"  recorded run {run_id} in {store.url}")


def solver_time_limit(command_limit: float, people: int, report: bool) -> float:
    """What is left for the solver so that the whole command keeps to ``--time-limit``.

    The limit is for the command a manager waits on, not only the solve: the
    time already spent since the command started and allowances for building
    the optimiser's input and writing the folder (and the report) are taken
    off. This is the solver's deadline; its work is planned from
    :func:`planned_time_limit`.
    """
    from caseweight.cli import STARTED

    spent = time.perf_counter() - STARTED
    return max(0.2, command_limit - spent - _allowances(people, report))


def planned_time_limit(command_limit: float, people: int, report: bool) -> float:
    """The limit the solver plans its work from: like :func:`solver_time_limit`, but
    with an allowance for starting and reading instead of the clock, so the same
    input plans the same work on every run (measured 1.1 s to start and read
    1,400 young people, 2.5 s for 20,000).
    """
    reading = 1.0 + 0.08 * people / 1000
    return max(0.2, command_limit - reading - _allowances(people, report))


def _allowances(people: int, report: bool) -> float:
    """Scoring and building the optimiser's input (measured 0.25 s for 1,400 young
    people, 3.0 s for 20,000), and writing the folder and the report: about twice
    what they took on 2026-11-27 (the folder 0.12 s for 4,000 young people, 0.69 s
    for 20,000; the report 0.29 / 0.72 / 3.6 s for 1,400 / 4,000 / 20,000). The
    first session's figures were three to six times those, and left a manager's
    run with the report at 5 s on the demo finished in 2.3 s, without the bound's
    last step. The report has since grown: 0.6 / 1.3 / 5.3 s with its imports
    (2026-11-29, with XlsxWriter; 1.1 / 2.7 / 12.6 s with openpyxl, past the
    allowance then). Its allowance, 0.62 / 1.4 / 6.2 s, is about 1.2 times
    that: at 1.5 times it left the region's LP neighbourhoods short of the
    clock (250,883,799 against 244,773,034 at 90 s) and the demo's bound
    at 5 s 0.8 s shorter (3.4-4.1% against 2.0%).
    """
    thousands = people / 1000
    building = 0.2 * thousands
    writing = 0.1 + 0.07 * thousands + ((0.2 + 0.3 * thousands) if report else 0.0)
    return building + writing


def store_url(db_url: str | None, no_db: bool) -> str | None:
    """``--db``, else ``$CASEWEIGHT_DB``, else the default database file if it exists."""
    import os

    if no_db:
        return None
    if db_url:
        return db_url
    from caseweight.store.db import ENV_DB, default_url

    if os.environ.get(ENV_DB):
        return os.environ[ENV_DB]
    default = default_url()
    path = Path(default.removeprefix("sqlite:///"))
    return default if path.is_file() else None


@contextmanager
def open_store(url: str | None) -> Iterator[Store | None]:
    """The store at ``url`` (closed afterwards), or ``None`` without one."""
    if url is None:
        yield None
        return
    from caseweight.store.store import Store

    with Store.open(url) as store:
        yield store


def monthly_overrides(
    problem: Problem, store: Store | None, pins: Path | None
) -> tuple[Problem, Overrides]:
    """Continuity from the store (or the input column) and the pins file, for one run."""
    from caseweight.continuity import apply_history, input_only_note, read_history

    if store is None:
        overrides = input_only_note()
    else:
        problem, overrides = apply_history(problem, read_history(store, problem.as_of))
    if pins is not None:
        from caseweight.io.pins import read_pins

        pinned = read_pins(pins, problem)
        digests = {**problem.digests, "pins_sha256": pinned.notes["pins"]["sha256"]}
        problem = dataclasses.replace(problem, digests=digests)
        overrides = overrides.merged(pinned)
    return problem, overrides


def run_score(cases: Path, as_of: date, config_path: Path | None, out_file: Path | None) -> None:
    from caseweight.io.inputs import read_cases_only
    from caseweight.io.proposal import scores_table
    from caseweight.io.safe_csv import csv_text, write_csv
    from caseweight.weighting import score_people

    config = Config.from_file(config_path)
    problem = read_cases_only(cases, as_of)
    table = scores_table(score_people(problem, config))
    if out_file is None:
        click.echo(csv_text(table), nl=False)
        return
    tmp = out_file.with_name(f".{out_file.name}.tmp")
    write_csv(table, tmp)
    tmp.replace(out_file)
    click.echo(f"{len(table)} young people scored -> {out_file} (config {config.sha256[:12]})")
