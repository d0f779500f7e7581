"""The ``caseweight`` command: thin click commands over the library, no logic."""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from caseweight import __version__
from caseweight.errors import CaseweightError

F = TypeVar("F", bound=Callable[..., Any])

#: When the command started: ``--time-limit`` is for the whole command.
STARTED = time.perf_counter()


class AsOfDate(click.ParamType):
    """A date as YYYY-MM-DD (or DD/MM/YYYY)."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        from caseweight.io.tables import parse_date

        if isinstance(value, date):
            return value
        parsed = parse_date(str(value))
        if parsed is None:
            self.fail(f"{value!r} is not a date; expected YYYY-MM-DD", param, ctx)
        return parsed


AS_OF = AsOfDate()


def user_errors(func: F) -> F:
    """Turn a user's mistake into a clear message and exit status 2, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CaseweightError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Weights and settings (YAML); missing keys take the defaults.",
)
_input_file = click.Path(dir_okay=False, path_type=Path)
cases_option = click.option("--cases", type=_input_file, help="Cases file (CSV or .xlsx).")
workers_option = click.option("--workers", type=_input_file, help="Workers file (CSV or .xlsx).")
no_db_option = click.option("--no-db", is_flag=True, help="Use no database, even if one exists.")


class LazyGroup(click.Group):
    """A group whose commands are imported only when used.

    Commands live beside their own modules (pandas, SQLAlchemy, the report);
    importing them all made ``caseweight --help`` and ``suggest`` wait over a
    second before doing anything.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy: dict[str, str] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            module, attribute = self.lazy[cmd_name].split(":")
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)


def _register_lazy(group: click.Group, commands: dict[str, str]) -> None:
    assert isinstance(group, LazyGroup)
    group.lazy.update(commands)


def run() -> None:
    """The ``caseweight`` command (and ``python -m caseweight``): :func:`main`,
    then leave at once, with its exit status.

    Python's own teardown of pandas, OR-Tools and the rest takes 0.2-0.25 s
    after the last line, outside the command's clock: a twentieth of a 5 s
    limit. By then every file the command writes and its database are
    closed, its processes joined. And where Ctrl-C left a HiGHS solve
    running (:mod:`caseweight.solver.interrupt`), tearing HiGHS's threads
    down under it aborted the process.
    """
    try:
        main()
        code: object = 0
    except SystemExit as leaving:
        code = leaving.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe, as in `| head`
            stream.flush()
    os._exit(code or 0)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="caseweight")
def main() -> None:
    """Caseload weighting and allocation optimiser for children's social care."""


@main.command()
@cases_option
@workers_option
@click.option("--as-of", "as_of", type=AS_OF, help="Date the allocation is for (YYYY-MM-DD).")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Proposal folder to write.",
)
@config_option
@click.option("--time-limit", type=click.FloatRange(min=0.1), help="Seconds for the solver.")
@click.option("--no-report", is_flag=True, help="Do not write report.html / report.xlsx.")
@click.option("--quiet", is_flag=True, help="No progress lines while solving.")
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    help="Database of approvals and history (sqlite:///FILE, postgresql://..., or a path): "
    "changes of worker and previous workers come from it, and the run is recorded. "
    "Default: $CASEWEIGHT_DB, else the default database file if it exists.",
)
@no_db_option
@click.option(
    "--pins",
    type=click.Path(dir_okay=False, path_type=Path),
    help="pins.csv: allocations to keep or make (pin) and pairings never to propose (exclude).",
)
@click.option(
    "--hr",
    "hr_changes",
    type=click.Path(dir_okay=False, path_type=Path),
    help="hr_changes.csv: starters, leavers, FTE and grade changes, dated reductions.",
)
@user_errors
def allocate(
    cases: Path | None,
    workers: Path | None,
    as_of: date | None,
    out_dir: Path | None,
    config_path: Path | None,
    time_limit: float | None,
    no_report: bool,
    quiet: bool,
    db_url: str | None,
    no_db: bool,
    pins: Path | None,
    hr_changes: Path | None,
) -> None:
    """Propose an allocation of young people to workers.

    With no data options it runs on the bundled demo authority.

    \b
    Example:
        caseweight allocate --cases cases.csv --workers workers.csv \\
            --as-of 2026-12-01 --out proposals/2026-12
    """
    from caseweight.commands import run_allocate

    run_allocate(
        cases, workers, as_of, out_dir, config_path, time_limit, not no_report, quiet,
        db_url=db_url, no_db=no_db, pins=pins, hr_changes=hr_changes,
    )  # fmt: skip


@main.command()
@click.option(
    "--cases", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Cases file."
)
@click.option("--as-of", "as_of", required=True, type=AS_OF, help="Date ages are taken at.")
@config_option
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="scores.csv to write (default: print).",
)
@user_errors
def score(cases: Path, as_of: date, config_path: Path | None, out_file: Path | None) -> None:
    """Score each young person's complexity, factor by factor.

    \b
    Example:
        caseweight score --cases cases.csv --as-of 2026-12-01 --out scores.csv
    """
    from caseweight.commands import run_score

    run_score(cases, as_of, config_path, out_file)


@main.group(name="import", cls=LazyGroup)
def import_group() -> None:
    """Build the contract's input files from what authorities already hold."""


_register_lazy(
    main,
    {
        "demo": "caseweight.demo:demo_command",
        "report": "caseweight.report.cli:report_command",
        "approve": "caseweight.store.cli:approve_command",
        "history": "caseweight.store.cli:history_command",
        "scenario": "caseweight.scenario.cli:scenario_group",
        "forecast": "caseweight.forecast_cli:forecast_command",
        "simulate": "caseweight.simulate_cli:simulate_command",
        "suggest": "caseweight.suggest_cli:suggest_command",
        "calibrate": "caseweight.calibrate_cli:calibrate_command",
    },
)
_register_lazy(import_group, {"ssda903": "caseweight.ssda903.cli:ssda903_command"})

if __name__ == "__main__":  # pragma: no cover
    main()
