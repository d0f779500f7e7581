"""Work out what an approval writes to the allocation history, before writing anything.

:func:`make_plan` compares the proposal with the history as the database holds
it (loaded once as a :class:`HistoryState`) and returns the rows to close, the
rows to open, the decisions on each move, and any sign that the proposal was
made from inputs that an approval has since overtaken.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from caseweight.store import schema
from caseweight.store.proposal import Proposal, ProposalRow

Key = tuple[str, str]


@dataclass(frozen=True)
class OpenRow:
    """A current allocation in the history."""

    history_id: int
    worker_id: str
    opened_by: int


@dataclass(frozen=True)
class Close:
    """End a current allocation at ``to_date`` for ``end_reason``."""

    history_id: int
    to_date: date
    end_reason: str
    closed_by: int


@dataclass
class HistoryState:
    """The allocation history as needed to plan one approval.

    ``open`` holds current allocations; ``closed_by`` the worker whose allocation
    a given approval ended, per (person, role); ``last_closed`` the latest ended
    allocation per (person, role) as (worker, end_reason, approval); ``approvals``
    names each approval (run id, as-of date, approver) for messages.
    """

    open: dict[Key, OpenRow] = field(default_factory=dict)
    closed_by: dict[tuple[Key, int], str] = field(default_factory=dict)
    last_closed: dict[Key, tuple[str, str, int]] = field(default_factory=dict)
    approvals: dict[int, tuple[str, date, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, conn: Connection) -> HistoryState:
        """Read the whole history (one query) and the approvals."""
        h, a = schema.allocation_history.c, schema.approvals.c
        state = cls()
        query = select(
            h.history_id, h.person_id, h.role, h.worker_id, h.end_reason, h.opened_by, h.closed_by
        ).order_by(h.history_id)
        for hid, person, role, worker, end_reason, opened_by, closed_by in conn.execute(query):
            key = (person, role)
            if closed_by is None:
                state.open[key] = OpenRow(hid, worker, opened_by)
            else:
                state.closed_by[(key, closed_by)] = worker
                state.last_closed[key] = (worker, end_reason, closed_by)
        for approval_id, run_id, as_of, by in conn.execute(
            select(a.approval_id, a.run_id, a.as_of, a.approved_by)
        ):
            state.approvals[approval_id] = (run_id, as_of, by)
        return state

    def seen(self, key: Key) -> bool:
        """Whether the history has ever held this person in this role."""
        return key in self.open or key in self.last_closed

    def before_approval(self, key: Key) -> tuple[str | None, int] | None:
        """The worker (or None) this pair had before the approval that set its current state.

        ``None`` when no approval set it from something else (nothing to be stale against).
        """
        if key in self.open:
            opened_by = self.open[key].opened_by
            return self.closed_by.get((key, opened_by)), opened_by
        if key in self.last_closed:
            worker, end_reason, closed_by = self.last_closed[key]
            if end_reason == "unallocated":
                return worker, closed_by
        return None


@dataclass
class Plan:
    """What one approval writes."""

    stale: list[str] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    closes: list[Close] = field(default_factory=list)
    opens: list[dict[str, Any]] = field(default_factory=list)
    outside_changes: int = 0

    @property
    def ended(self) -> int:
        """Allocations this approval ends (including ones it records and ends at once)."""
        return len(self.closes) + sum(row["to_date"] is not None for row in self.opens)


def make_plan(
    proposal: Proposal, rejected: dict[Key, Any], state: HistoryState, approval_id: int
) -> Plan:
    """Plan the approval ``approval_id`` of ``proposal`` with the ``rejected`` moves kept.

    For each (young person, role) row: bring the history in line with the
    proposal's current worker (a first record, or a change made outside
    caseweight), then close and open rows for an accepted move. Current
    allocations of pairs the proposal no longer has end with ``role_ended``.
    A current worker that matches the state *before* a recorded approval is
    stale and listed in ``plan.stale``.
    """
    plan = Plan()
    for row in proposal.rows:
        pending = _reconcile(row, proposal, state, plan, approval_id)
        rejection = rejected.get(row.key)
        if row.changed:
            plan.decisions.append(_decision(row, rejection, approval_id))
        final = row.current_worker_id if rejection else row.proposed_worker_id
        if final == row.current_worker_id:
            continue
        end = "moved" if final else "unallocated"
        if pending is not None:
            pending.update(to_date=proposal.as_of, end_reason=end, closed_by=approval_id)
        elif row.current_worker_id is not None:
            hid = state.open[row.key].history_id
            plan.closes.append(Close(hid, proposal.as_of, end, approval_id))
        if final is not None:
            reason = row.reason or f"proposed by run {proposal.run_id}"
            reason += f"; {row.detail}" if row.detail else ""
            plan.opens.append(_open(row, final, proposal.as_of, reason, approval_id))
    keys = {row.key for row in proposal.rows}
    for key, current in state.open.items():
        if key not in keys:
            plan.closes.append(Close(current.history_id, proposal.as_of, "role_ended", approval_id))
    return plan


def _reconcile(
    row: ProposalRow, proposal: Proposal, state: HistoryState, plan: Plan, approval_id: int
) -> dict[str, Any] | None:
    """Make the history's current worker the proposal's; return a row opened for that."""
    current = state.open.get(row.key)
    recorded = current.worker_id if current else None
    if row.current_worker_id == recorded:
        return None
    before = state.before_approval(row.key)
    if before is not None and before[0] == row.current_worker_id:
        run_id, as_of, by = state.approvals[before[1]]
        plan.stale.append(
            f"{row.person_id} {row.role}: the inputs show {row.current_worker_id or 'no worker'}"
            f", but the approval of run {run_id} (as of {as_of}, by {by}) changed this to "
            f"{recorded or 'no worker'}"
        )
        return None
    if current is not None:
        ended = Close(current.history_id, proposal.as_of, "changed_outside", approval_id)
        plan.closes.append(ended)
    if row.current_worker_id is None:
        return None
    first = not state.seen(row.key)
    if first:
        reason = f"already allocated when first recorded (inputs of run {proposal.run_id})"
    else:
        plan.outside_changes += 1
        reason = f"allocated outside caseweight; seen in the inputs of run {proposal.run_id}"
    opened = _open(row, row.current_worker_id, proposal.as_of, reason, approval_id)
    opened["first_record"] = first
    plan.opens.append(opened)
    return opened


def _open(
    row: ProposalRow, worker_id: str, from_date: date, reason: str, approval_id: int
) -> dict[str, Any]:
    return {
        "person_id": row.person_id,
        "role": row.role,
        "worker_id": worker_id,
        "from_date": from_date,
        "to_date": None,
        "reason": reason,
        "first_record": False,
        "end_reason": None,
        "opened_by": approval_id,
        "closed_by": None,
    }


def _decision(row: ProposalRow, rejection: Any, approval_id: int) -> dict[str, Any]:
    return {
        "approval_id": approval_id,
        "person_id": row.person_id,
        "role": row.role,
        "current_worker_id": row.current_worker_id,
        "proposed_worker_id": row.proposed_worker_id,
        "decision": "rejected" if rejection else "accepted",
        "reason": rejection.reason if rejection else (row.reason or ""),
        "until": rejection.until if rejection else None,
    }
