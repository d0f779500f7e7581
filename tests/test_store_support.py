"""Helpers for the store tests: database URLs for each backend and proposal folders.

Each store test module makes its ``db_url`` fixture with :func:`fresh_url`, so
the same tests run on SQLite (a file in ``tmp_path``) and on PostgreSQL (a
fresh schema in the server named by ``CASEWEIGHT_TEST_POSTGRES_URL``; start
one with ``. .ci/postgres.sh``). Without that variable the PostgreSQL cases
are skipped, unless ``CI`` is set: then they fail, so CI cannot pass silently.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from caseweight.store import schema
from caseweight.store.db import normalise_url

BACKENDS = ("sqlite", "postgresql")
POSTGRES_ENV = "CASEWEIGHT_TEST_POSTGRES_URL"
COLUMNS = (
    "person_id", "role", "current_worker_id", "proposed_worker_id",
    "changed", "points", "reason", "detail",
)  # fmt: skip
SW, PA = "social_worker", "personal_adviser"


def fresh_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """Yield the URL of an empty database of ``backend``; drop it afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'caseweight.sqlite'}"
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {POSTGRES_ENV} is not: source .ci/postgres.sh first")
        pytest.skip(f"PostgreSQL store tests need {POSTGRES_ENV} (source .ci/postgres.sh)")
    name = f"cw_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(base))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {name}"))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{name}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {name} CASCADE"))
        admin.dispose()


def write_proposal(
    folder: Path,
    as_of: str,
    rows: list[tuple[str, str, str, str]],
    run_id: str | None = None,
    **summary: object,
) -> Path:
    """Write a proposal folder as the core writes it.

    ``rows`` are (person_id, role, current_worker_id, proposed_worker_id);
    ``changed`` follows from them and the reason is "balance load" for a move.
    """
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "allocations.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for person_id, role, current, proposed in rows:
            changed = current != proposed
            reason = ("balance load" if proposed else "no capacity") if changed else "kept"
            writer.writerow([person_id, role, current, proposed, str(changed).lower(), "7.5",
                             reason, f"detail for {person_id}" if changed else ""])  # fmt: skip
    content = {
        "as_of": as_of, "run_id": f"run-{as_of}" if run_id is None else run_id,
        "cases_sha256": "c" * 64, "workers_sha256": "w" * 64, "config_sha256": "f" * 64,
        "config_version": "weights-1", "status": "OPTIMAL",
    } | summary  # fmt: skip
    (folder / "summary.json").write_text(json.dumps(content), encoding="utf-8")
    return folder


def table_counts(url: str) -> dict[str, int]:
    """Rows in every caseweight table, plus the head's approval sequence."""
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            counts = {
                t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in schema.metadata.sorted_tables
            }
            counts["head.approval_seq"] = conn.execute(
                select(schema.head.c.approval_seq)
            ).scalar_one()
            counts["open"] = conn.execute(
                select(func.count()).where(schema.allocation_history.c.to_date.is_(None))
            ).scalar_one()
    finally:
        engine.dispose()
    return counts


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """Start ``caseweight approve``/``history`` (the store's click commands) in a new process."""
    command, *rest = args
    code = (
        "import sys; from caseweight.store.cli import approve_command, history_command; "
        f"{command}_command(sys.argv[1:], prog_name='caseweight {command}')"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code, *rest],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def day(text_: str) -> date:
    return date.fromisoformat(text_)


MONTH_1 = [  # as of 2026-01-31: the first approval, the store is empty
    ("A", SW, "S1", "S1"),
    ("B", SW, "S1", "S2"),
    ("C", SW, "S2", "S3"),  # rejected until 2026-02-28
    ("C", PA, "", "P1"),
    ("D", PA, "P1", "P2"),
    ("E", SW, "", "S3"),
]
MONTH_2 = [  # as of 2026-02-28: D has left, F is new, B goes back to S1
    ("A", SW, "S1", "S3"),
    ("B", SW, "S2", "S1"),
    ("C", SW, "S2", "S2"),
    ("C", PA, "P1", "P1"),
    ("E", SW, "S3", "S3"),
    ("F", SW, "", "S2"),
]
MONTH_3 = [  # as of 2026-03-31: C's SW move again (rejection expired), C's PA move rejected
    ("A", SW, "S3", "S3"),
    ("B", SW, "S1", "S1"),
    ("C", SW, "S2", "S3"),
    ("C", PA, "P1", "P2"),
    ("E", SW, "S3", ""),
    ("F", SW, "S2", "S2"),
    ("F", PA, "P2", "P2"),  # allocated in the case-management system, first seen here
]


def build_three_months(url: str, tmp_path: Path) -> None:
    """Approve the three hand-built months above into the database at ``url``."""
    from caseweight.store import Store, approve, parse_rejection

    months = [
        ("2026-01-31", MONTH_1, ["C/sw:court hearing next month@2026-02-28"]),
        ("2026-02-28", MONTH_2, []),
        ("2026-03-31", MONTH_3, ["C/pa:trusted relationship"]),
    ]
    with Store.open(url) as store:
        for as_of, rows, rejects in months:
            folder = write_proposal(tmp_path / as_of, as_of, rows, cases_sha256=as_of)
            approve(store, folder, "A. Manager", [parse_rejection(r) for r in rejects])
