"""Approve a proposal: record its allocation, less rejected moves, as the new current one.

The approval is one database transaction. It starts by locking the single
``head`` row (``SELECT ... FOR UPDATE`` on PostgreSQL; ``BEGIN IMMEDIATE`` has
already locked a SQLite file), re-checks that the proposal is still the one to
approve, writes, and ends with a compare-and-set of ``head.approval_seq``; the
``approvals.run_id`` unique constraint is a last line. So of two managers
approving at once exactly one is recorded and the other is refused, and a crash
before the commit leaves the database as it was.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Connection, Row, bindparam, select, update
from sqlalchemy.exc import IntegrityError

from caseweight.errors import CaseweightError
from caseweight.store import schema
from caseweight.store.db import write_transaction
from caseweight.store.plan import HistoryState, Plan, make_plan
from caseweight.store.proposal import ROLES, Proposal, read_proposal
from caseweight.store.store import Key, Store, ensure_run

# Test-only: seconds to pause just before commit, so a test can race or kill an approval.
PAUSE_ENV = "CASEWEIGHT_TEST_APPROVE_PAUSE"
ROLE_ALIASES = {"sw": "social_worker", "pa": "personal_adviser"} | {r: r for r in ROLES}
MAX_LISTED = 10


@dataclass(frozen=True)
class Rejection:
    """A manager's ``--reject PERSON_ID[/ROLE]:REASON[@YYYY-MM-DD]``; ``role`` None = any."""

    person_id: str
    role: str | None
    reason: str
    until: date | None


@dataclass(frozen=True)
class ApprovalResult:
    """What an approval recorded."""

    approval_id: int
    run_id: str
    as_of: date
    accepted: int
    rejected: int
    opened: int
    ended: int
    outside_changes: int


def parse_rejection(text: str) -> Rejection:
    """Parse ``PERSON_ID[/ROLE]:REASON[@YYYY-MM-DD]``; ROLE may be written sw or pa.

    Raises
    ------
    CaseweightError
        When the text does not have that form or the reason is blank.
    """
    form = "PERSON_ID:REASON, PERSON_ID/ROLE:REASON or ...:REASON@YYYY-MM-DD"
    who, sep, reason = text.partition(":")
    until = None
    head, at, tail = reason.rpartition("@")
    if at:
        try:
            until = date.fromisoformat(tail.strip())
            reason = head
        except ValueError:
            pass  # an '@' inside the reason itself
    person_id, slash, role_text = (part.strip() for part in who.partition("/"))
    role = ROLE_ALIASES.get(role_text.lower()) if slash else None
    if not sep or not person_id or not reason.strip() or (slash and role is None):
        raise CaseweightError(
            f"--reject {text!r}: expected {form}, with a reason "
            f"(ROLE is {', '.join(ROLES)}, or sw / pa)"
        )
    return Rejection(person_id, role, reason.strip(), until)


def resolve_rejections(proposal: Proposal, rejections: list[Rejection]) -> dict[Key, Rejection]:
    """Match each rejection to one move of the proposal, by (person_id, role).

    Raises
    ------
    CaseweightError
        When a rejection names no move, is ambiguous (both roles move), or is repeated.
    """
    moves = proposal.moves
    resolved: dict[Key, Rejection] = {}
    for rejection in rejections:
        keys = [k for k in moves if k[0] == rejection.person_id]
        if rejection.role is not None:
            keys = [k for k in keys if k[1] == rejection.role]
        who = rejection.person_id + (f"/{rejection.role}" if rejection.role else "")
        if not keys:
            raise CaseweightError(
                f"--reject {who}: the proposal {proposal.run_id} does not move {who}; "
                "only a proposed change of worker can be rejected"
            )
        if len(keys) > 1:
            raise CaseweightError(
                f"--reject {who}: both the social worker and the personal adviser move; "
                f"say which, e.g. {who}/social_worker:REASON"
            )
        if keys[0] in resolved:
            raise CaseweightError(f"--reject {who}: rejected twice")
        resolved[keys[0]] = rejection
    return resolved


def approve(
    store: Store, proposal_dir: Path | str, by: str, rejections: list[Rejection] | None = None
) -> ApprovalResult:
    """Record the proposal in ``proposal_dir`` as approved by ``by``.

    Raises
    ------
    CaseweightError
        When the proposal was already approved, is superseded by a later
        approval, was made from inputs that are no longer current, failed
        the core's independent check of the hard rules (``summary.json``
        ``check.ok`` false), or a rejection does not name one of its moves.
        Nothing is written then.
    InputError
        When the proposal folder is malformed.
    """
    if not by.strip():
        raise CaseweightError("--by: give the name of the manager approving")
    proposal = read_proposal(proposal_dir)
    _refuse_if_check_failed(proposal)
    rejected = resolve_rejections(proposal, rejections or [])
    try:
        with write_transaction(store.engine) as conn:
            return _approve_in(conn, proposal, by.strip(), rejected)
    except IntegrityError:
        # Only reachable if the head lock were bypassed: the unique keys held.
        raise CaseweightError(
            f"another approval was recorded at the same moment as this one of run "
            f"{proposal.run_id}; nothing was recorded for this one. Check "
            "`caseweight history` and make a new proposal from current inputs"
        ) from None


def _refuse_if_check_failed(proposal: Proposal) -> None:
    check = proposal.summary.get("check")
    if isinstance(check, dict) and check.get("ok") is False:
        broken = "; ".join(str(v) for v in check.get("violations", [])[:MAX_LISTED])
        raise CaseweightError(
            f"run {proposal.run_id} breaks hard allocation rules (its independent check "
            f"failed: {broken or 'see summary.json'}); it cannot be approved"
        )


def _approve_in(
    conn: Connection, proposal: Proposal, by: str, rejected: dict[Key, Rejection]
) -> ApprovalResult:
    head = conn.execute(select(schema.head).where(schema.head.c.id == 1).with_for_update()).one()
    _refuse_if_not_next(conn, proposal, head)
    ensure_run(conn, proposal)
    approval_id = head.approval_seq + 1
    plan = make_plan(proposal, rejected, HistoryState.load(conn), approval_id)
    if plan.stale:
        _refuse_stale(proposal, plan)
    accepted = len(proposal.moves) - len(rejected)
    conn.execute(
        schema.approvals.insert().values(
            approval_id=approval_id,
            run_id=proposal.run_id,
            as_of=proposal.as_of,
            approved_by=by,
            approved_at=datetime.now(UTC).isoformat(timespec="seconds"),
            accepted=accepted,
            rejected=len(rejected),
        )
    )
    _write_plan(conn, plan)
    moved = conn.execute(
        update(schema.head)
        .where(schema.head.c.id == 1, schema.head.c.approval_seq == head.approval_seq)
        .values(approval_seq=approval_id, last_run_id=proposal.run_id, last_as_of=proposal.as_of)
    )
    if moved.rowcount != 1:
        raise CaseweightError(
            "another approval was recorded while this one was being written; "
            "nothing was recorded for this one: make a new proposal from current inputs"
        )
    _test_pause()
    return ApprovalResult(
        approval_id,
        proposal.run_id,
        proposal.as_of,
        accepted,
        len(rejected),
        len(plan.opens),
        plan.ended,
        plan.outside_changes,
    )


def _refuse_if_not_next(conn: Connection, proposal: Proposal, head: Row) -> None:
    """Refuse a proposal already approved, or superseded by a later approval."""
    a = schema.approvals.c
    done = conn.execute(
        select(a.approved_by, a.approved_at).where(a.run_id == proposal.run_id)
    ).first()
    if done is not None:
        raise CaseweightError(
            f"run {proposal.run_id} was already approved by {done.approved_by} "
            f"at {done.approved_at}; nothing was recorded"
        )
    if head.last_as_of is not None and proposal.as_of <= head.last_as_of:
        last = conn.execute(
            select(a.approved_by, a.approved_at).where(a.run_id == head.last_run_id)
        ).one()
        raise CaseweightError(
            f"run {proposal.run_id} (as of {proposal.as_of}) is superseded: run "
            f"{head.last_run_id} (as of {head.last_as_of}) was approved by "
            f"{last.approved_by} at {last.approved_at}. Nothing was recorded; make a new "
            "proposal from current inputs with a later --as-of"
        )


def _refuse_stale(proposal: Proposal, plan: Plan) -> None:
    lines = [f"  - {item}" for item in plan.stale[:MAX_LISTED]]
    if len(plan.stale) > MAX_LISTED:
        lines.append(f"  ... and {len(plan.stale) - MAX_LISTED} more")
    raise CaseweightError(
        f"run {proposal.run_id} was made from inputs that are no longer current: "
        f"{len(plan.stale)} allocation(s) show workers from before a recorded approval.\n"
        + "\n".join(lines)
        + "\nNothing was recorded. Record the approved allocations in the case-management "
        "system, extract the cases again and make a new proposal."
    )


def _write_plan(conn: Connection, plan: Plan) -> None:
    if plan.decisions:
        conn.execute(schema.approval_decisions.insert(), plan.decisions)
    h = schema.allocation_history
    if plan.closes:
        # Closes before opens: at most one current allocation per person and role.
        conn.execute(
            update(h)
            .where(h.c.history_id == bindparam("close_id"), h.c.to_date.is_(None))
            .values(
                to_date=bindparam("close_to"),
                end_reason=bindparam("close_end"),
                closed_by=bindparam("close_by"),
            ),
            [
                {
                    "close_id": c.history_id,
                    "close_to": c.to_date,
                    "close_end": c.end_reason,
                    "close_by": c.closed_by,
                }
                for c in plan.closes
            ],
        )
    if plan.opens:
        conn.execute(h.insert(), plan.opens)


def _test_pause() -> None:
    seconds = float(os.environ.get(PAUSE_ENV) or 0)
    if seconds > 0:
        print(f"{PAUSE_ENV}: pausing {seconds}s before commit", file=sys.stderr, flush=True)
        time.sleep(seconds)
