"""Where the database is and how to talk to it: SQLite by default, PostgreSQL by URL.

One engine per :class:`~caseweight.store.store.Store`. Transactions come from
:func:`read_transaction` and :func:`write_transaction`; on SQLite a write
transaction starts with ``BEGIN IMMEDIATE`` so that two writers queue for the
file lock at the start instead of one failing half-way when it tries to upgrade
a read lock. PostgreSQL needs no such help: writers lock rows they update.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from caseweight.errors import CaseweightError

ENV_DB = "CASEWEIGHT_DB"
# Seconds a writer waits for another writer's lock before giving up with a message.
LOCK_WAIT_SECONDS = 30.0
_WRITE = "caseweight_write"


def default_url() -> str:
    """The database used when no ``--db`` is given.

    ``$CASEWEIGHT_DB`` when set, else a SQLite file in the user's data folder
    (``$XDG_DATA_HOME/caseweight/caseweight.sqlite``, ``~/.local/share`` when unset).
    """
    if os.environ.get(ENV_DB):
        return os.environ[ENV_DB]
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return f"sqlite:///{Path(base) / 'caseweight' / 'caseweight.sqlite'}"


def normalise_url(url: str | None) -> str:
    """Turn what a user typed into a SQLAlchemy URL.

    A plain path becomes a SQLite URL; ``postgresql://`` and ``postgres://``
    use psycopg 3 (SQLAlchemy would otherwise look for psycopg2).
    """
    text = (url or default_url()).strip()
    if "://" not in text:
        return f"sqlite:///{Path(text).expanduser().resolve()}"
    for prefix in ("postgres://", "postgresql://"):
        if text.startswith(prefix):
            return "postgresql+psycopg://" + text[len(prefix) :]
    return text


def describe_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unreadable database URL>"


def make_engine(url: str | None) -> Engine:
    """An engine for ``url`` (see :func:`normalise_url`), creating a SQLite folder if needed.

    Raises
    ------
    CaseweightError
        When the URL is not one SQLAlchemy understands or names an unsupported database.
    """
    text = normalise_url(url)
    try:
        parsed = make_url(text)
    except ArgumentError:
        raise CaseweightError(f"--db: {text!r} is not a database URL or path") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(text, parsed.database)
    if backend == "postgresql":
        # A writer queued behind another gives up after LOCK_WAIT_SECONDS; options
        # already in the URL (e.g. a search_path) are kept.
        options = (
            f"{parsed.query.get('options', '')} -c lock_timeout={int(LOCK_WAIT_SECONDS * 1000)}"
        )
        try:
            return create_engine(text, connect_args={"options": options.strip()})
        except ImportError:
            raise CaseweightError(
                "--db: a PostgreSQL database needs the psycopg package: "
                "pip install 'psycopg[binary]'"
            ) from None
    raise CaseweightError(
        f"--db: {describe_url(text)} is a {backend} database; "
        "caseweight stores its history in SQLite or PostgreSQL"
    )


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": LOCK_WAIT_SECONDS})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get(_WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction that writes: committed when the block ends, rolled back on error.

    Raises
    ------
    CaseweightError
        When another writer held the database for longer than ``LOCK_WAIT_SECONDS``.
    """
    try:
        with engine.connect() as conn:
            conn.execution_options(**{_WRITE: True})
            with conn.begin():
                yield conn
    except OperationalError as exc:
        if _is_lock_timeout(exc):
            raise CaseweightError(
                "the caseweight database is busy: another approval is being recorded. "
                "Try again in a minute."
            ) from None
        raise


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """One read-only transaction, so that every query sees the same state."""
    with engine.connect() as conn, conn.begin():
        yield conn


def _is_lock_timeout(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "database is locked" in text or "lock timeout" in text
