"""What the CLI commands do, as plain functions over the library."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from caseweight.config import Config
from caseweight.errors import CaseweightError
from caseweight.solver.solve import Progress


def _progress_printer() -> object:
    def show(p: Progress) -> None:
        click.echo(
            f"  {p.role:<16} {p.seconds:6.1f}s  objective {p.objective:,.0f}  bound {p.bound:,.0f}",
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
) -> None:
    from caseweight.io.inputs import read_problem
    from caseweight.io.proposal import write_proposal
    from caseweight.pipeline import propose
    from caseweight.summary import terminal_summary

    cases, workers, as_of = resolve_inputs(cases, workers, as_of)
    config = Config.from_file(config_path)
    problem = read_problem(cases, workers, as_of, config)
    out_dir = out_dir or Path("proposals") / as_of.isoformat()
    if not quiet:
        click.echo(
            f"Solving ({len(problem.people)} young people, {len(problem.workers)} workers)...",
            err=True,
        )
    proposal = propose(problem, config, time_limit, None if quiet else _progress_printer())  # type: ignore[arg-type]
    extra = None
    if report:
        from caseweight.report import write_report

        def extra(folder: Path) -> None:
            write_report(folder)

    summary = write_proposal(proposal, out_dir, extra)
    click.echo(terminal_summary(summary, str(out_dir)))


def run_score(cases: Path, as_of: date, config_path: Path | None, out_file: Path | None) -> None:
    from caseweight.io.inputs import read_cases_only
    from caseweight.io.proposal import scores_table
    from caseweight.weighting import score_people

    config = Config.from_file(config_path)
    problem = read_cases_only(cases, as_of)
    table = scores_table(score_people(problem, config))
    if out_file is None:
        click.echo(table.to_csv(index=False), nl=False)
        return
    tmp = out_file.with_name(f".{out_file.name}.tmp")
    table.to_csv(tmp, index=False)
    tmp.replace(out_file)
    click.echo(f"{len(table)} young people scored -> {out_file} (config {config.sha256[:12]})")
