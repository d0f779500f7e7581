"""The store: runs, approvals and the allocation history, read by the optimiser.

Open one with :meth:`Store.open` (a URL, a path, or ``None`` for the default);
it migrates the schema on opening. The read functions answer the optimiser's
questions about continuity at an as-of date: how many changes of worker each
young person had in the last 12 months, which workers held them before, which
moves a manager rejected and until when. ``caseweight approve`` writes through
:func:`caseweight.store.approval.approve`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import pairwise
from pathlib import Path
from types import TracebackType

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from caseweight.errors import CaseweightError
from caseweight.problem import add_months
from caseweight.store import schema
from caseweight.store.db import describe_url, make_engine, read_transaction, write_transaction
from caseweight.store.migrations import migrate
from caseweight.store.proposal import Proposal, read_proposal

Key = tuple[str, str]


@dataclass(frozen=True)
class HistoryRow:
    """One allocation of a young person to a worker in one role.

    ``to_date`` is ``None`` while it is current. ``end_reason`` says why it
    ended: ``moved`` (to another worker), ``unallocated``, ``role_ended`` (the
    young person no longer needs this role, e.g. the social worker at 18) or
    ``changed_outside`` (the inputs showed another worker that caseweight had
    not recorded). ``run_id`` and ``approved_by`` name the approval that opened it.
    ``first_record`` is True when the worker already held the young person when
    caseweight first recorded them, so the allocation began on or before ``from_date``.
    """

    person_id: str
    role: str
    worker_id: str
    from_date: date
    to_date: date | None
    reason: str
    end_reason: str | None
    run_id: str
    approved_by: str
    first_record: bool = False


def year_before(day: date) -> date:
    """The same calendar day a year earlier (28 February for 29 February)."""
    return add_months(day, -12)


class Store:
    """caseweight's database. Use :meth:`open`; close with :meth:`close` or ``with``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str | None = None) -> Store:
        """Open (and create or migrate) the database at ``url``.

        Parameters
        ----------
        url:
            A SQLAlchemy URL (``sqlite:///...``, ``postgresql://...``), a file
            path (SQLite), or ``None`` for :func:`caseweight.store.db.default_url`.

        Raises
        ------
        CaseweightError
            When the database cannot be reached or is of a newer schema.
        """
        engine = make_engine(url)
        try:
            migrate(engine)
        except OperationalError as exc:
            engine.dispose()
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise CaseweightError(
                f"cannot open the caseweight database {describe_url(str(engine.url))}: {reason}"
            ) from None
        return cls(engine)

    @property
    def url(self) -> str:
        """The database URL with any password hidden."""
        return describe_url(str(self.engine.url))

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def record_run(self, proposal_dir: Path | str) -> str:
        """Record a proposal (run) and return its run id; recording it again changes nothing.

        Raises
        ------
        InputError
            When the proposal folder is malformed.
        CaseweightError
            When the run id was approved with a different proposal.
        """
        proposal = read_proposal(proposal_dir)
        try:
            with write_transaction(self.engine) as conn:
                ensure_run(conn, proposal)
        except IntegrityError:
            # Another process recorded the same run between our check and insert.
            with write_transaction(self.engine) as conn:
                ensure_run(conn, proposal)
        return proposal.run_id

    def current_allocation(self) -> dict[Key, str]:
        """(person_id, role) -> worker id of every current allocation the store holds."""
        h = schema.allocation_history.c
        query = select(h.person_id, h.role, h.worker_id).where(h.to_date.is_(None))
        with read_transaction(self.engine) as conn:
            return {(p, r): w for p, r, w in conn.execute(query)}

    def history(self, person_id: str) -> list[HistoryRow]:
        """The young person's allocations in every role, by role then date (empty if unknown)."""
        h, a = schema.allocation_history.c, schema.approvals.c
        query = (
            select(
                h.person_id,
                h.role,
                h.worker_id,
                h.from_date,
                h.to_date,
                h.reason,
                h.end_reason,
                a.run_id,
                a.approved_by,
                h.first_record,
            )
            .join_from(schema.allocation_history, schema.approvals, h.opened_by == a.approval_id)
            .where(h.person_id == person_id)
            .order_by(h.role.desc(), h.from_date, h.history_id)
        )
        with read_transaction(self.engine) as conn:
            return [HistoryRow(**dict(row._mapping)) for row in conn.execute(query)]

    def worker_changes_12m(self, as_of: date) -> dict[str, int]:
        """Changes of allocated worker per young person in the 12 months up to ``as_of``.

        Every young person the store held on or before ``as_of`` has an entry
        (0 when none). All roles count. A change is an allocation starting in
        ``(as_of - 12 months, as_of]`` to a different worker from the one the
        young person last had in that role; a first allocation is not a change,
        nor is an allocation that followed the role ending.
        """
        start = year_before(as_of)
        changes: dict[str, int] = {}
        for (person_id, _role), rows in self._rows_until(as_of).items():
            count = changes.get(person_id, 0)
            for before, row in pairwise(rows):
                moved = before.end_reason != "role_ended" and before.worker_id != row.worker_id
                if moved and start < row.from_date <= as_of:
                    count += 1
            changes[person_id] = count
        return changes

    def history_starts(self) -> date | None:
        """The earliest allocation date the store holds (None when it holds none)."""
        h = schema.allocation_history.c
        with read_transaction(self.engine) as conn:
            value = conn.execute(select(func.min(h.from_date))).scalar()
        return value if isinstance(value, date) or value is None else date.fromisoformat(value)

    def previous_workers(self, as_of: date) -> dict[Key, frozenset[str]]:
        """(person_id, role) -> workers who held the young person in that role before ``as_of``.

        The worker current at ``as_of`` is left out; pairs with no previous
        worker have no entry.
        """
        found: dict[Key, frozenset[str]] = {}
        for key, rows in self._rows_until(as_of).items():
            current = {r.worker_id for r in rows if r.to_date is None or r.to_date > as_of}
            ended = {r.worker_id for r in rows if r.to_date is not None and r.to_date <= as_of}
            if ended - current:
                found[key] = frozenset(ended - current)
        return found

    def rejections(self, as_of: date) -> dict[Key, tuple[str, str, date | None]]:
        """(person_id, role) -> (rejected proposed worker, reason, until) in force at ``as_of``.

        A rejection is in force from its approval's as-of date through its
        ``until`` date (for ever when ``None``). When a pair was rejected more
        than once, the latest rejection is given. A rejected move to no worker
        has ``""`` as the worker.
        """
        d, a = schema.approval_decisions.c, schema.approvals.c
        query = (
            select(d.person_id, d.role, d.proposed_worker_id, d.reason, d.until)
            .join_from(schema.approval_decisions, schema.approvals, d.approval_id == a.approval_id)
            .where(d.decision == "rejected", a.as_of <= as_of)
            .where((d.until.is_(None)) | (d.until >= as_of))
            .order_by(a.approval_id)
        )
        with read_transaction(self.engine) as conn:
            return {(p, r): (w or "", why, until) for p, r, w, why, until in conn.execute(query)}

    def _rows_until(self, as_of: date) -> dict[Key, list[HistoryRow]]:
        h = schema.allocation_history.c
        query = (
            select(
                h.person_id,
                h.role,
                h.worker_id,
                h.from_date,
                h.to_date,
                h.reason,
                h.end_reason,
            )
            .where(h.from_date <= as_of)
            .order_by(h.person_id, h.role, h.from_date, h.history_id)
        )
        grouped: dict[Key, list[HistoryRow]] = defaultdict(list)
        with read_transaction(self.engine) as conn:
            for row in conn.execute(query):
                item = HistoryRow(*row, run_id="", approved_by="")
                grouped[(item.person_id, item.role)].append(item)
        return grouped


def ensure_run(conn: Connection, proposal: Proposal) -> bool:
    """Insert the run and its allocation rows unless already there; True when written.

    A run id is made from the inputs, config and as-of date, so re-running the
    optimiser (e.g. with another time limit) may give the same id and a
    different proposal: that replaces the recorded one while it is not approved.

    Raises
    ------
    CaseweightError
        When the run id was approved with a different proposal.
    """
    r, a = schema.runs.c, schema.approvals.c
    found = conn.execute(select(r.proposal_sha256).where(r.run_id == proposal.run_id)).first()
    if found is not None and found[0] == proposal.digest:
        return False
    if found is not None:
        if conn.execute(select(a.approval_id).where(a.run_id == proposal.run_id)).first():
            raise CaseweightError(
                f"run {proposal.run_id} was approved with a different proposal from the one "
                f"in {proposal.path}; nothing was recorded"
            )
        ra = schema.run_allocations
        conn.execute(ra.delete().where(ra.c.run_id == proposal.run_id))
        conn.execute(schema.runs.delete().where(r.run_id == proposal.run_id))
    conn.execute(
        schema.runs.insert().values(
            run_id=proposal.run_id,
            as_of=proposal.as_of,
            cases_sha256=proposal.text("cases_sha256"),
            workers_sha256=proposal.text("workers_sha256"),
            config_sha256=proposal.text("config_sha256"),
            config_version=proposal.text("config_version"),
            status=proposal.text("status"),
            proposal_sha256=proposal.digest,
            summary_json=proposal.summary_json,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
    )
    if proposal.rows:
        conn.execute(
            schema.run_allocations.insert(),
            [
                {
                    "run_id": proposal.run_id,
                    "person_id": row.person_id,
                    "role": row.role,
                    "current_worker_id": row.current_worker_id,
                    "proposed_worker_id": row.proposed_worker_id,
                    "changed": row.changed,
                    "points": row.points,
                    "reason": row.reason,
                    "detail": row.detail,
                }
                for row in proposal.rows
            ],
        )
    return True
