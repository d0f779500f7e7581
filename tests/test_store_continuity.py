"""Continuity read back from the history: changes in 12 months, previous workers, rejections."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from caseweight.store import Store
from caseweight.store.store import year_before
from test_store_support import BACKENDS, PA, SW, build_three_months, day, fresh_url


@pytest.fixture(scope="module", params=BACKENDS)
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """The three months approved once per backend; the tests here only read."""
    tmp_path = tmp_path_factory.mktemp("continuity")
    with contextmanager(fresh_url)(request.param, tmp_path) as db_url:
        build_three_months(db_url, tmp_path)
        with Store.open(db_url) as opened:
            yield opened


def test_worker_changes_count_moves_not_first_allocations_or_ended_roles(store: Store) -> None:
    # A: S1->S3. B: S1->S2->S1. C: SW S2->S3 in month 3 (PA move rejected).
    # D: P1->P2, then the role ended (not a change). E: unallocated (not a change).
    # F: new entrant, then a PA first seen in the inputs (neither is a change).
    assert store.worker_changes_12m(day("2026-03-31")) == {
        "A": 1, "B": 2, "C": 1, "D": 1, "E": 0, "F": 0,
    }  # fmt: skip


def test_worker_changes_only_count_the_twelve_months_up_to_as_of(store: Store) -> None:
    # Before month 2 the store knows neither F nor the month-2 moves.
    assert store.worker_changes_12m(day("2026-02-15")) == {
        "A": 0, "B": 1, "C": 0, "D": 1, "E": 0,
    }  # fmt: skip
    # A year after month 1, its changes (B's first, D's) have dropped out.
    assert store.worker_changes_12m(day("2027-01-31")) == {
        "A": 1, "B": 1, "C": 1, "D": 0, "E": 0, "F": 0,
    }  # fmt: skip


def test_previous_workers_leave_out_the_current_one(store: Store) -> None:
    assert store.previous_workers(day("2026-03-31")) == {
        ("A", SW): frozenset({"S1"}),
        ("B", SW): frozenset({"S2"}),  # back with S1, who is current
        ("C", SW): frozenset({"S2"}),
        ("D", PA): frozenset({"P1", "P2"}),  # role ended: nobody current
        ("E", SW): frozenset({"S3"}),
    }
    assert store.previous_workers(day("2026-02-15")) == {
        ("B", SW): frozenset({"S1"}),
        ("D", PA): frozenset({"P1"}),
    }


def test_rejections_are_in_force_until_their_date(store: Store) -> None:
    court = {("C", SW): ("S3", "court hearing next month", day("2026-02-28"))}
    assert store.rejections(day("2026-01-30")) == {}
    assert store.rejections(day("2026-02-15")) == court
    assert store.rejections(day("2026-02-28")) == court
    assert store.rejections(day("2026-03-01")) == {}
    assert store.rejections(day("2026-03-31")) == {("C", PA): ("P2", "trusted relationship", None)}


def test_current_allocation_after_three_months(store: Store) -> None:
    assert store.current_allocation() == {
        ("A", SW): "S3", ("B", SW): "S1", ("C", SW): "S3", ("C", PA): "P1",
        ("F", SW): "S2", ("F", PA): "P2",
    }  # fmt: skip


def test_history_gives_dates_reasons_and_approvals(store: Store) -> None:
    rows = store.history("B")
    assert [(r.worker_id, r.from_date, r.to_date, r.end_reason) for r in rows] == [
        ("S1", day("2026-01-31"), day("2026-01-31"), "moved"),
        ("S2", day("2026-01-31"), day("2026-02-28"), "moved"),
        ("S1", day("2026-02-28"), None, None),
    ]
    assert rows[0].reason.startswith("already allocated when first recorded")
    assert [r.first_record for r in rows] == [True, False, False]
    assert rows[1].reason == "balance load; detail for B"
    assert [r.run_id for r in rows] == ["run-2026-01-31", "run-2026-01-31", "run-2026-02-28"]
    assert {r.approved_by for r in rows} == {"A. Manager"}
    assert store.history("nobody") == []


def test_year_before_handles_leap_day() -> None:
    assert year_before(day("2028-02-29")) == day("2027-02-28")
    assert year_before(day("2026-03-31")) == day("2025-03-31")
