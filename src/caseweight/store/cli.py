"""``caseweight approve`` and ``caseweight history``: thin click commands over the store.

Register them on the main group with ``main.add_command(approve_command)`` and
``main.add_command(history_command)``. A user's mistake (a
:class:`~caseweight.errors.CaseweightError`) becomes a one-line message and
exit status 2, whether or not the group handles those errors itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from caseweight.errors import CaseweightError

if TYPE_CHECKING:  # the store (SQLAlchemy, pandas) is imported only when a command runs
    from caseweight.store.approval import ApprovalResult
    from caseweight.store.store import HistoryRow

F = TypeVar("F", bound=Callable[..., Any])
END_WORDS = {
    None: "current",
    "moved": "moved",
    "unallocated": "unallocated",
    "role_ended": "role ended",
    "changed_outside": "changed outside caseweight",
}


class UserError(click.ClickException):
    """A CaseweightError shown as ``Error: ...`` with exit status 2."""

    exit_code = 2


@contextmanager
def _user_errors() -> Iterator[None]:
    try:
        yield
    except CaseweightError as exc:
        raise UserError(str(exc)) from None


def db_option(command: F) -> F:
    """The shared ``--db URL`` option."""
    return click.option(
        "--db",
        "db_url",
        metavar="URL",
        default=None,
        help="Database URL (sqlite:///FILE, postgresql://USER@HOST/DB) or a SQLite file path. "
        "Default: $CASEWEIGHT_DB, else caseweight.sqlite in the user's data folder.",
    )(command)


@click.command("approve")
@click.argument("proposal", type=click.Path(path_type=Path))
@click.option("--by", "by", required=True, metavar="NAME", help="Who approves (recorded).")
@click.option(
    "--reject",
    "rejects",
    multiple=True,
    metavar="PERSON_ID[/ROLE]:REASON[@YYYY-MM-DD]",
    help="Keep this young person's current worker instead of the proposed move, for REASON. "
    "ROLE (social_worker/personal_adviser, or sw/pa) is needed when both roles move; "
    "@DATE: the move may be proposed again after that date. Repeatable.",
)
@db_option
def approve_command(proposal: Path, by: str, rejects: tuple[str, ...], db_url: str | None) -> None:
    """Approve a proposal: its allocation, less rejected moves, becomes the current one.

    Refused, with nothing recorded, when the proposal was already approved, a
    later one was, or it was made from inputs an approval has since changed.

    \b
    Example:
        caseweight approve out/2026-03 --by "A. Manager" \\
            --reject "YP0042:court hearing next week@2026-04-30" \\
            --reject "YP0107/personal_adviser:knows current PA well"
    """
    from caseweight.store.approval import approve, parse_rejection
    from caseweight.store.store import Store

    with _user_errors():
        rejections = [parse_rejection(text) for text in rejects]
        with Store.open(db_url) as store:
            result = approve(store, proposal, by, rejections)
            click.echo(_approval_text(result, by, store.url))


def _approval_text(result: ApprovalResult, by: str, url: str) -> str:
    lines = [
        f"Approved run {result.run_id} (as of {result.as_of}) by {by}: "
        f"{result.accepted} move(s) accepted, {result.rejected} rejected.",
        f"History: {result.opened} allocation(s) recorded, {result.ended} ended.",
    ]
    if result.outside_changes:
        lines.append(
            f"{result.outside_changes} allocation(s) had been changed outside caseweight "
            "and are recorded as such."
        )
    lines.append(f"Database: {url}")
    return "\n".join(lines)


@click.command("history")
@click.argument("person_id")
@db_option
def history_command(person_id: str, db_url: str | None) -> None:
    """Show a young person's workers in each role, with dates and reasons.

    \b
    Example:
        caseweight history YP0042
    """
    from caseweight.store.store import Store

    with _user_errors(), Store.open(db_url) as store:
        rows = store.history(person_id.strip())
        if not rows:
            raise CaseweightError(
                f"no allocation history for young person {person_id!r} in {store.url} "
                "(history starts with the first approved proposal that includes them)"
            )
        click.echo(f"Allocation history of {person_id.strip()}")
        click.echo(format_history(rows))


def format_history(rows: list[HistoryRow]) -> str:
    """The history as an aligned text table, one allocation a line."""
    header = ("role", "worker", "from", "to", "ended", "approved in", "reason")
    table = [header] + [
        (
            row.role,
            row.worker_id,
            ("<=" if row.first_record else "") + row.from_date.isoformat(),
            row.to_date.isoformat() if row.to_date else "",
            END_WORDS.get(row.end_reason, row.end_reason or ""),
            f"{row.run_id} by {row.approved_by}",
            row.reason,
        )
        for row in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(header) - 1)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(line[:-1], widths, strict=True))
        + "  "
        + line[-1]
        for line in table
    ]
    if any(row.first_record for row in rows):
        lines.append(
            "<= : already allocated when caseweight first recorded them; "
            "the allocation began on or before this date"
        )
    return "\n".join(lines)
