"""``caseweight suggest``: the top workers for one young person, from the command line.

Register on the main group with ``main.add_command(suggest_command)``. A user's
mistake becomes a one-line message and exit status 2.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import click

from caseweight.cli import cases_option, config_option, no_db_option, workers_option
from caseweight.errors import CaseweightError
from caseweight.suggest import RoleSuggestion, Suggestion


class SuggestUserError(click.ClickException):
    """A CaseweightError shown as ``Error: ...`` with exit status 2."""

    exit_code = 2


@click.command("suggest")
@click.option("--person", "person_id", metavar="ID", help="A young person in the cases file.")
@click.option(
    "--new-person",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A file (cases format) with one new young person's row.",
)
@cases_option
@workers_option
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d", "%d/%m/%Y"]),
    metavar="YYYY-MM-DD",
    help="Date loads and ages are taken at (or DD/MM/YYYY).",
)
@config_option
@click.option("--db", "db_url", metavar="URL", help="Database of history (as for allocate).")
@no_db_option
@click.option(
    "--pins",
    type=click.Path(dir_okay=False, path_type=Path),
    help="pins.csv: its exclusions rule workers out.",
)
@click.option(
    "--top",
    default=5,
    show_default=True,
    metavar="N",
    type=click.IntRange(min=1),
    help="How many workers to list per role.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def suggest_command(
    person_id: str | None,
    new_person: Path | None,
    cases: Path | None,
    workers: Path | None,
    as_of: datetime | None,
    config_path: Path | None,
    db_url: str | None,
    no_db: bool,
    pins: Path | None,
    top: int,
    as_json: bool,
) -> None:
    """Rank the best workers for one young person, moving nobody else.

    Each worker is priced as the optimiser would price that one allocation:
    change of worker, team, skills, balance of loads and siblings. Workers who
    cannot take the young person are listed with the rule that stops them.
    With no data options it runs on the bundled demo authority.

    \b
    Example:
        caseweight suggest --person YP000123 --cases cases.csv \\
            --workers workers.csv --as-of 2026-12-01
        caseweight suggest --new-person referral.csv --cases cases.csv \\
            --workers workers.csv --as-of 2026-12-01 --top 3
    """
    try:
        result = run_suggest(
            person_id, new_person, cases, workers, as_of.date() if as_of else None,
            config_path, db_url, no_db, pins, top,
        )  # fmt: skip
    except CaseweightError as exc:
        raise SuggestUserError(str(exc)) from None
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, default=str))
    else:
        click.echo(format_suggestion(result))


def run_suggest(
    person_id: str | None,
    new_person: Path | None,
    cases: Path | None,
    workers: Path | None,
    as_of: date | None,
    config_path: Path | None,
    db_url: str | None,
    no_db: bool,
    pins: Path | None,
    top: int,
) -> Suggestion:
    """Read the inputs (and the store), then rank workers for the young person."""
    from caseweight.commands import monthly_overrides, open_store, resolve_inputs, store_url
    from caseweight.config import Config
    from caseweight.io.inputs import read_problem
    from caseweight.suggest import add_new_person, suggest

    if (person_id is None) == (new_person is None):
        raise CaseweightError("give one of --person ID or --new-person FILE")
    cases, workers, as_of = resolve_inputs(cases, workers, as_of)
    config = Config.from_file(config_path)
    problem = read_problem(cases, workers, as_of, config)
    if new_person is not None:
        problem, person_id = add_new_person(problem, new_person)
    assert person_id is not None
    with open_store(store_url(db_url, no_db)) as store:
        problem, overrides = monthly_overrides(problem, store, pins)
    excluded = {
        (ex.role, ex.worker_id): f"{ex.source}: {ex.reason}"
        for ex in overrides.exclusions
        if ex.person_id == person_id
    }
    return suggest(problem, config, person_id.strip(), top, excluded)


def format_suggestion(result: Suggestion) -> str:
    """The suggestion as text: one table per role, then who was ruled out and why."""
    lines = [
        f"{result.person_id}: {result.status}, age {result.age}, team {result.team or '-'}, "
        f"as of {result.as_of}"
    ]
    for role in result.roles:
        lines += ["", *_role_lines(role)]
    if not result.roles:
        lines.append("  needs no allocation on this date")
    lines += [
        "",
        "cost: how much the optimiser's objective rises with this allocation alone (penalty "
        "units) = change + team + skills + balance (both workers' loads) + siblings; change "
        "includes agency_cover_risk (0 by default) of a later change for an agency worker",
    ]
    return "\n".join(lines)


def _role_lines(role: RoleSuggestion) -> list[str]:
    current = f", current {role.current_worker}" if role.current_worker else ", none allocated"
    need = "" if role.need == role.role.value else f"{role.need}, "
    lines = [
        f"{role.role.value} ({need}{role.points:g} points{current}): "
        f"{role.eligible} eligible; leaving unallocated would cost {role.unallocated_cost:g}"
    ]
    header = (
        "rank", "worker", "team", "load", "utilisation", "cases", "cost",
        "change", "team", "skills", "balance", "siblings", "notes",
    )  # fmt: skip
    table = [header]
    for rank, o in enumerate(role.options, start=1):
        notes = []
        if o.current:
            notes.append("current worker")
        if o.knows_young_person:
            notes.append("worked with them before")
        if o.agency and not o.current:
            notes.append("agency cover")
        if o.holds_siblings:
            notes.append("holds sibling " + ", ".join(o.holds_siblings))
        if o.team_match is False:
            notes.append("other team")
        if o.skills_missing:
            notes.append("lacks " + ", ".join(o.skills_missing))
        table.append(
            (
                str(rank), o.worker_id, o.team or "-",
                f"{o.load_before:g} -> {o.load_after:g}",
                f"{o.utilisation_before:.0%} -> {o.utilisation_after:.0%}",
                f"{o.cases_before} -> {o.cases_after}",
                f"{o.cost:.1f}", f"{o.change_cost:.1f}", f"{o.team_cost:.1f}",
                f"{o.skill_cost:.1f}", f"{o.balance_cost:.1f}", f"{o.sibling_cost:.1f}",
                "; ".join(notes),
            )
        )  # fmt: skip
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    for row in table:
        cells = [c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)]
        lines.append("  " + "  ".join(cells) + "  " + row[-1])
    lines.append("  ruled out:")
    lines += [f"    {line}" for line in _ruled_out_lines(role)]
    return lines


def _ruled_out_lines(role: RoleSuggestion) -> list[str]:
    groups: dict[str, list[str]] = {}
    for item in role.ruled_out:
        detail = f" ({item.detail})" if item.detail else ""
        groups.setdefault(item.reason, []).append(item.worker_id + detail)
    parts = [f"{reason}: {', '.join(names)}" for reason, names in groups.items()]
    other = "personal advisers" if role.role.value == "social_worker" else "social workers"
    return [*parts, f"role: {role.other_role} {other}"]
