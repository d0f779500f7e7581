"""The schema: built from empty by the numbered migrations, idempotently, matching schema.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from caseweight.errors import CaseweightError
from caseweight.store import Store, schema
from caseweight.store.db import default_url, normalise_url
from caseweight.store.migrations import LATEST_VERSION, MIGRATIONS, migrate
from test_store_support import BACKENDS, fresh_url, table_counts


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from fresh_url(request.param, tmp_path)


def test_migrations_build_the_schema_from_empty(db_url: str) -> None:
    with Store.open(db_url) as store:
        found = inspect(store.engine)
        expected = {t.name: {c.name for c in t.columns} for t in schema.metadata.sorted_tables}
        assert set(found.get_table_names()) == set(expected)
        for name, columns in expected.items():
            assert {c["name"] for c in found.get_columns(name)} == columns, name
        with store.engine.connect() as conn:
            versions = conn.execute(text("SELECT version FROM schema_version")).scalars().all()
    assert versions == [m.version for m in MIGRATIONS] == list(range(1, LATEST_VERSION + 1))
    counts = table_counts(db_url)
    assert counts["head"] == 1 and counts["head.approval_seq"] == 0


def test_migrating_again_changes_nothing(db_url: str) -> None:
    Store.open(db_url).close()
    before = table_counts(db_url)
    engine = create_engine(normalise_url(db_url))
    try:
        assert migrate(engine) == 0
        assert migrate(engine) == 0
    finally:
        engine.dispose()
    Store.open(db_url).close()
    assert table_counts(db_url) == before


def test_a_newer_schema_is_refused(db_url: str) -> None:
    Store.open(db_url).close()
    engine = create_engine(normalise_url(db_url))
    with engine.begin() as conn:
        conn.execute(
            schema.schema_version.insert().values(
                version=LATEST_VERSION + 1, description="future", applied_at="2030-01-01"
            )
        )
    engine.dispose()
    with pytest.raises(CaseweightError, match="newer than this caseweight understands"):
        Store.open(db_url)


def test_one_current_allocation_per_person_and_role_is_enforced(db_url: str) -> None:
    from datetime import date

    from sqlalchemy.exc import IntegrityError

    with Store.open(db_url) as store, store.engine.begin() as conn:
        conn.execute(
            schema.runs.insert().values(
                run_id="r",
                as_of=date(2026, 1, 31),
                proposal_sha256="x",
                summary_json="{}",
                created_at="now",
            )
        )
        conn.execute(
            schema.approvals.insert().values(
                approval_id=1,
                run_id="r",
                as_of=date(2026, 1, 31),
                approved_by="x",
                approved_at="now",
                accepted=0,
                rejected=0,
            )
        )
        row = {
            "person_id": "A", "role": "social_worker", "from_date": date(2026, 1, 31),
            "reason": "test", "opened_by": 1,
        }  # fmt: skip
        conn.execute(schema.allocation_history.insert().values(worker_id="S1", **row))
        with pytest.raises(IntegrityError):
            conn.execute(schema.allocation_history.insert().values(worker_id="S2", **row))


def test_default_url_follows_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CASEWEIGHT_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_url() == f"sqlite:///{tmp_path / 'data' / 'caseweight' / 'caseweight.sqlite'}"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_url().endswith("home/.local/share/caseweight/caseweight.sqlite")
    monkeypatch.setenv("CASEWEIGHT_DB", "postgresql://u@localhost/cw")
    assert normalise_url(None) == "postgresql+psycopg://u@localhost/cw"


def test_default_database_is_created_in_the_data_folder(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CASEWEIGHT_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    Store.open(None).close()
    assert (tmp_path / "data" / "caseweight" / "caseweight.sqlite").is_file()


def test_plain_path_and_unsupported_urls(tmp_path: Path) -> None:
    assert normalise_url(str(tmp_path / "x.db")) == f"sqlite:///{tmp_path / 'x.db'}"
    with pytest.raises(CaseweightError, match="SQLite or PostgreSQL"):
        Store.open("mysql://u@localhost/cw")
    with pytest.raises(CaseweightError, match="cannot open the caseweight database") as caught:
        Store.open("postgresql://nobody:secret@127.0.0.1:1/none")
    assert "secret" not in str(caught.value) and "***" in str(caught.value)
