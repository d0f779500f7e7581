"""Schema migrations, numbered and kept in the project.

Each :class:`Migration` moves the schema from ``version - 1`` to ``version``;
:func:`migrate` applies those not yet recorded in ``schema_version``, all in
one transaction, so a database is never left between two versions. Opening a
store migrates it, so an older database is brought up to date on first use.

Why not Alembic: a handful of tables, no autogeneration needed, and migrations
must run by themselves when a manager first runs ``caseweight approve``, not
through a separate tool with its own ini file and environment script. A list of
functions and a version table do that in a few lines and are easy to test.

Rule for later migrations: never change an applied one. Migration 1 builds the
tables as :mod:`caseweight.store.schema` had them at version 1; a later change
adds a migration with explicit DDL (``ALTER TABLE`` ...) *and* edits schema.py,
after first copying the version-1 definitions here so migration 1 stays as it
was. ``tests/test_store_migrations.py`` compares a migrated database with
schema.py and fails when they differ.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, inspect, select, text

from caseweight.errors import CaseweightError
from caseweight.store import schema
from caseweight.store.db import describe_url, read_transaction, write_transaction


@dataclass(frozen=True)
class Migration:
    """One step of the schema: ``apply`` takes it from ``version - 1`` to ``version``."""

    version: int
    description: str
    apply: Callable[[Connection], None]


def _create_v1(conn: Connection) -> None:
    tables = [
        schema.head,
        schema.runs,
        schema.run_allocations,
        schema.approvals,
        schema.approval_decisions,
        schema.allocation_history,
    ]
    schema.metadata.create_all(conn, tables=tables)
    conn.execute(
        schema.head.insert().values(id=1, approval_seq=0, last_run_id=None, last_as_of=None)
    )


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "runs, approvals, decisions, allocation history, head", _create_v1),
)
LATEST_VERSION = MIGRATIONS[-1].version


def current_version(conn: Connection) -> int:
    """The schema version recorded in the database; 0 for an empty database."""
    if not inspect(conn).has_table("schema_version"):
        return 0
    found = conn.execute(select(schema.schema_version.c.version)).scalars().all()
    return max(found, default=0)


def migrate(engine: Engine) -> int:
    """Bring the database up to :data:`LATEST_VERSION`; return the number of steps applied.

    Safe to call many times and from several processes at once: the steps run
    inside one write transaction, serialised by SQLite's write lock or by a
    PostgreSQL advisory lock, and a step already recorded is not run again.

    Raises
    ------
    CaseweightError
        When the database was written by a newer caseweight (unknown version).
    """
    with read_transaction(engine) as conn:
        # Up to date (the usual case): no write lock, so `history` never queues behind
        # an approval on SQLite.
        if current_version(conn) == LATEST_VERSION:
            return 0
    with write_transaction(engine) as conn:
        if conn.dialect.name == "postgresql":
            # Transaction-scoped: released at commit or rollback.
            conn.execute(text("SELECT pg_advisory_xact_lock(7261354)"))
        schema.schema_version.create(conn, checkfirst=True)
        version = current_version(conn)
        if version > LATEST_VERSION:
            raise CaseweightError(
                f"the database {describe_url(str(engine.url))} has schema version "
                f"{version}, newer than this caseweight understands ({LATEST_VERSION}); "
                "upgrade caseweight"
            )
        pending = [m for m in MIGRATIONS if m.version > version]
        for step in pending:
            step.apply(conn)
            conn.execute(
                schema.schema_version.insert().values(
                    version=step.version,
                    description=step.description,
                    applied_at=datetime.now(UTC).isoformat(timespec="seconds"),
                )
            )
    return len(pending)
