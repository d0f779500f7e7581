"""``caseweight report``: rebuild the manager's report for a proposal folder."""

from __future__ import annotations

from pathlib import Path

import click

from caseweight.errors import CaseweightError
from caseweight.report import write_report


class ReportInputError(click.ClickException):
    """A bad proposal folder: exit status 2, like every other input error."""

    exit_code = 2


@click.command(name="report")
@click.argument(
    "proposal", type=click.Path(exists=True, file_okay=False, dir_okay=True, path_type=Path)
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the HTML page (default: PROPOSAL/report.html).",
)
@click.option(
    "--xlsx",
    "xlsx_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the workbook (default: PROPOSAL/report.xlsx).",
)
def report_command(proposal: Path, html_path: Path | None, xlsx_path: Path | None) -> None:
    """Write the manager's report (one HTML page and one .xlsx workbook) for a proposal.

    The page works offline and prints well: headline figures, load per worker
    before and after, the proposed changes of worker, the care leavers and
    transition panel, scores and the weights used.

    \b
    Example:
        caseweight allocate --out proposal --no-report
        caseweight report proposal
        caseweight report proposal --html board/april.html --xlsx board/april.xlsx
    """
    try:
        html_written, xlsx_written = write_report(proposal, html_path, xlsx_path)
    except CaseweightError as error:
        raise ReportInputError(str(error)) from None
    click.echo(f"Wrote {html_written}")
    click.echo(f"Wrote {xlsx_written}")
