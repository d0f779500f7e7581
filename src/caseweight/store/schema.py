"""The tables caseweight keeps, as SQLAlchemy Core objects used by every query.

This is the *current* schema. The migrations in :mod:`caseweight.store.migrations`
build it step by step; a test checks that a freshly migrated database has
exactly these tables and columns, so the two cannot drift apart.

Dates are calendar dates (``Date``); stamps (``created_at``, ``approved_at``)
are UTC ISO-8601 text so that SQLite and PostgreSQL show the same thing.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

ID = String(100)
metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("description", Text, nullable=False),
    Column("applied_at", String(40), nullable=False),
)

# One row, id = 1. Every approval moves ``approval_seq`` on by one with a
# compare-and-set inside its transaction: the concurrency guard.
head = Table(
    "head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("approval_seq", Integer, nullable=False),
    Column("last_run_id", ID, nullable=True),
    Column("last_as_of", Date, nullable=True),
    CheckConstraint("id = 1", name="head_single_row"),
)

runs = Table(
    "runs",
    metadata,
    Column("run_id", ID, primary_key=True),
    Column("as_of", Date, nullable=False),
    Column("cases_sha256", String(64), nullable=True),
    Column("workers_sha256", String(64), nullable=True),
    Column("config_sha256", String(64), nullable=True),
    # The weights version used (config_version from the config file).
    Column("config_version", String(100), nullable=True),
    Column("status", String(40), nullable=True),
    Column("proposal_sha256", String(64), nullable=False),
    Column("summary_json", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
)

run_allocations = Table(
    "run_allocations",
    metadata,
    Column("run_id", ID, ForeignKey("runs.run_id"), primary_key=True),
    Column("person_id", ID, primary_key=True),
    Column("role", String(40), primary_key=True),
    Column("current_worker_id", ID, nullable=True),
    Column("proposed_worker_id", ID, nullable=True),
    Column("changed", Boolean, nullable=False),
    Column("points", Float, nullable=True),
    Column("reason", Text, nullable=False),
    Column("detail", Text, nullable=False),
)

approvals = Table(
    "approvals",
    metadata,
    Column("approval_id", Integer, primary_key=True, autoincrement=False),
    # A run is approved at most once, whatever the application code does.
    Column("run_id", ID, ForeignKey("runs.run_id"), nullable=False, unique=True),
    Column("as_of", Date, nullable=False),
    Column("approved_by", String(200), nullable=False),
    Column("approved_at", String(40), nullable=False),
    Column("accepted", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
)

# One row per move in the approved proposal: accepted, or rejected with a reason.
approval_decisions = Table(
    "approval_decisions",
    metadata,
    Column("approval_id", Integer, ForeignKey("approvals.approval_id"), primary_key=True),
    Column("person_id", ID, primary_key=True),
    Column("role", String(40), primary_key=True),
    Column("current_worker_id", ID, nullable=True),
    Column("proposed_worker_id", ID, nullable=True),
    Column("decision", String(10), nullable=False),
    Column("reason", Text, nullable=False),
    Column("until", Date, nullable=True),
    CheckConstraint("decision IN ('accepted', 'rejected')", name="decision_kind"),
)

# Who held each young person in each role, from when to when, and why.
# ``to_date`` is NULL while the allocation is current.
allocation_history = Table(
    "allocation_history",
    metadata,
    Column("history_id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", ID, nullable=False),
    Column("role", String(40), nullable=False),
    Column("worker_id", ID, nullable=False),
    Column("from_date", Date, nullable=False),
    Column("to_date", Date, nullable=True),
    Column("reason", Text, nullable=False),
    # True when the young person already had this worker when caseweight first
    # recorded them: the real start is on or before ``from_date``.
    Column("first_record", Boolean, nullable=False, default=False),
    Column("end_reason", String(40), nullable=True),
    Column("opened_by", Integer, ForeignKey("approvals.approval_id"), nullable=False),
    Column("closed_by", Integer, ForeignKey("approvals.approval_id"), nullable=True),
    CheckConstraint(
        "end_reason IS NULL OR end_reason IN "
        "('moved', 'unallocated', 'role_ended', 'changed_outside')",
        name="end_reason_kind",
    ),
)
Index("allocation_history_person", allocation_history.c.person_id, allocation_history.c.role)
# At most one current allocation per young person and role.
Index(
    "allocation_history_one_open",
    allocation_history.c.person_id,
    allocation_history.c.role,
    unique=True,
    sqlite_where=allocation_history.c.to_date.is_(None),
    postgresql_where=allocation_history.c.to_date.is_(None),
)
