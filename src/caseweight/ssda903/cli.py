"""Click commands: ``caseweight import ssda903`` and a synthetic-set generator.

The lead registers ``ssda903_command`` under the ``import`` group; the
generator is also reachable as ``python -m caseweight.ssda903 synthetic``.
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path
from typing import NoReturn

import click

from caseweight.errors import CaseweightError, InputError, Problem
from caseweight.io.tables import parse_date, read_table
from caseweight.ssda903 import import_ssda903, write_cases

SHOWN_WARNINGS = 20


def _as_of(value: str) -> date:
    parsed = parse_date(value)
    if parsed is None:
        raise click.BadParameter(f"expected a date YYYY-MM-DD or DD/MM/YYYY, got {value!r}")
    return parsed


def _fail(error: CaseweightError) -> NoReturn:
    click.echo(f"Error: {error}", err=True)
    raise SystemExit(2)


def unknown_codes(warnings: list[Problem]) -> Counter[str]:
    """How often each unknown code appeared, as ``COLUMN=CODE``."""
    return Counter(f"{w.column}={w.value}" for w in warnings if w.expected.startswith("an SSDA903"))


def _write_report(path: Path, warnings: list[Problem]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["file", "row", "column", "value", "expected"])
        for w in warnings:
            writer.writerow([w.file, w.row or "", w.column or "", w.value or "", w.expected])


@click.command("ssda903")
@click.argument("source", type=click.Path(path_type=Path), metavar="DIR")
@click.option(
    "--as-of", "as_of", required=True, metavar="YYYY-MM-DD",
    help="Date to judge 'in care', ages and the last 12 months.",
)  # fmt: skip
@click.option(
    "--allocations",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="Case-management export: person_id (or CHILD), role, worker_id.",
)
@click.option(
    "--postcodes",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="Lookup postcode (or outward code) -> latitude, longitude, for placement distances.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="Cases CSV to write (the data contract's cases file).",
)
@click.option(
    "--report",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="Also write every warning to this CSV (file,row,column,value,expected).",
)
def ssda903_command(
    source: Path, as_of: str, allocations: Path | None, postcodes: Path | None, out: Path,
    report: Path | None,
) -> None:  # fmt: skip
    """Build the cases file from an SSDA903 return (folder of CSVs or one .xlsx workbook).

    DIR holds the tables header, episodes, uasc, missing and oc3 (and the
    2023/24 socialworker table if present). The return does not name the
    allocated workers: give them with --allocations. Unknown codes and
    overlapping episodes are reported as warnings; errors write nothing.

    \b
    Example:
        caseweight import ssda903 ssda903/ --as-of 2026-03-31 \\
            --allocations allocations.csv --out cases.csv
    """
    day = _as_of(as_of)
    if out.is_dir():
        raise click.BadParameter(
            f"{out} is a folder; expected the path of a CSV file", param_hint="--out"
        )
    try:
        result = import_ssda903(source, day, allocations, postcodes)
        write_cases(result.cases, out)
    except InputError as error:
        click.echo(error.describe(), err=True)
        raise SystemExit(2) from None
    except CaseweightError as error:
        _fail(error)
    except OSError as error:  # e.g. no permission to write --out
        click.echo(f"Error: cannot write {out}: {error.strerror}", err=True)
        raise SystemExit(2) from None
    for warning in result.warnings[:SHOWN_WARNINGS]:
        click.echo(f"warning: {warning}", err=True)
    if len(result.warnings) > SHOWN_WARNINGS:
        click.echo(f"warning: ... and {len(result.warnings) - SHOWN_WARNINGS} more", err=True)
    if report is not None:
        _write_report(report, result.warnings)
    s = result.summary
    click.echo(
        f"Wrote {len(result.cases)} young people to {out}: {s['in_care']} in care, "
        f"{s['care_leavers']} care leavers ({s['not_included']} of {s['children_in_header']} in "
        f"the header not included). {s['warnings']} warning(s): {s['unknown_codes']} unknown "
        f"code(s), {s['overlapping_episodes']} overlapping episode(s); "
        f"{s['distances']} placement distance(s) computed."
    )
    counts = unknown_codes(result.warnings)
    if counts:
        shown = ", ".join(f"{code} x{n}" for code, n in counts.most_common(10))
        click.echo(f"Unknown codes (left blank): {shown}")


@click.command("synthetic")
@click.option(
    "--cases",
    "cases_path",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="Contract cases file to describe (default: a generated authority).",
)
@click.option(
    "--people",
    default=500,
    show_default=True,
    help="Young people to generate when --cases is not given.",
)
@click.option(
    "--as-of", "as_of", required=True, metavar="YYYY-MM-DD", help="Date the return describes."
)
@click.option("--seed", default=0, show_default=True, help="Random seed: same seed, same tables.")
@click.option("--xlsx", is_flag=True, help="Write one ssda903.xlsx workbook instead of CSV files.")
@click.option(
    "--out", required=True, type=click.Path(path_type=Path), metavar="DIRECTORY",
    help="Folder to write.",
)  # fmt: skip
def synthetic_command(
    cases_path: Path | None, people: int, as_of: str, seed: int, xlsx: bool, out: Path
) -> None:
    """Write a synthetic SSDA903 set (+ allocations.csv, postcodes.csv) for a cases table.

    \b
    Example:
        python -m caseweight.ssda903 synthetic --cases scenarios/demo/cases.csv \\
            --as-of 2026-12-01 --seed 1 --out ssda903-demo/
    """
    from caseweight.ssda903.samples import cases_for, write_return
    from caseweight.ssda903.synthetic import generate_ssda903

    day = _as_of(as_of)
    try:
        cases = (
            read_table(cases_path, "cases").frame if cases_path else cases_for(people, day, seed)
        )
    except CaseweightError as error:
        _fail(error)
    ret = generate_ssda903(cases, day, seed)
    write_return(ret, out, workbook=xlsx)
    click.echo(f"Wrote an SSDA903 set for {len(ret.expected)} young people to {out}")
