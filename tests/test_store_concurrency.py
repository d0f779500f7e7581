"""Two approvals at once, and an approval killed half-way, in separate processes.

The processes run the real ``caseweight approve`` command. A test-only pause
(``CASEWEIGHT_TEST_APPROVE_PAUSE``) holds each approval just before its commit,
with everything written, so that the two really overlap and so that a kill
lands inside the transaction.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from caseweight.store import Store, approve, parse_rejection
from caseweight.store.approval import PAUSE_ENV
from test_store_support import (
    BACKENDS,
    MONTH_1,
    MONTH_2,
    fresh_url,
    run_cli,
    table_counts,
    write_proposal,
)

TIMEOUT = 60


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from fresh_url(request.param, tmp_path)


@pytest.fixture
def month_1(db_url: str, tmp_path: Path) -> str:
    """A database with month 1 approved; returns its URL."""
    folder = write_proposal(tmp_path / "m1", "2026-01-31", MONTH_1)
    with Store.open(db_url) as store:
        approve(store, folder, "A. Manager", [parse_rejection("C/sw:court")])
    return db_url


def race(db_url: str, folders: list[Path], names: list[str]) -> list[tuple[int, str]]:
    """Start one approval per folder at once; return (exit status, stderr) of each."""
    procs = [
        run_cli("approve", str(f), "--by", n, "--db", db_url, env={PAUSE_ENV: "1.0"})
        for f, n in zip(folders, names, strict=True)
    ]
    results = []
    for proc in procs:
        _out, err = proc.communicate(timeout=TIMEOUT)
        results.append((proc.returncode, err))
    return results


def test_two_proposals_racing_one_wins(month_1: str, tmp_path: Path) -> None:
    # Two managers each made a month-2 proposal from the same inputs.
    first = write_proposal(tmp_path / "p1", "2026-02-28", MONTH_2, run_id="m2-first")
    other_rows = [r if r[0] != "A" else ("A", "social_worker", "S1", "S2") for r in MONTH_2]
    second = write_proposal(tmp_path / "p2", "2026-02-28", other_rows, run_id="m2-second")
    before = table_counts(month_1)
    results = race(month_1, [first, second], ["Manager One", "Manager Two"])
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2], results
    loser_err = next(err for code, err in results if code == 2)
    assert "superseded" in loser_err and "Traceback" not in loser_err
    after = table_counts(month_1)
    assert after["approvals"] == before["approvals"] + 1
    assert after["head.approval_seq"] == before["head.approval_seq"] + 1
    # The history is the winner's proposal, whole, and nothing of the loser's.
    winner = first if results[0][0] == 0 else second
    winner_rows = MONTH_2 if winner == first else other_rows
    with Store.open(month_1) as store:
        assert store.current_allocation() == {(p, r): w for p, r, _c, w in winner_rows if w}
    assert after["open"] == len(winner_rows)


def test_same_proposal_racing_is_approved_once(month_1: str, tmp_path: Path) -> None:
    folder = write_proposal(tmp_path / "p", "2026-02-28", MONTH_2)
    before = table_counts(month_1)
    results = race(month_1, [folder, folder], ["Manager One", "Manager Two"])
    assert sorted(code for code, _ in results) == [0, 2], results
    assert any("already approved" in err for code, err in results if code == 2)
    after = table_counts(month_1)
    assert after["approvals"] == before["approvals"] + 1
    assert after["runs"] == before["runs"] + 1


def test_killed_approval_leaves_no_partial_rows(month_1: str, tmp_path: Path) -> None:
    folder = write_proposal(tmp_path / "p", "2026-02-28", MONTH_2)
    before = table_counts(month_1)
    with Store.open(month_1) as store:
        current = store.current_allocation()
    proc = run_cli("approve", str(folder), "--by", "X", "--db", month_1, env={PAUSE_ENV: "60"})
    assert proc.stderr is not None
    line = proc.stderr.readline()  # printed inside the transaction, everything written
    assert "pausing" in line, line + proc.stderr.read()
    # Readers are not blocked by the open approval and do not see its rows.
    with Store.open(month_1) as store:
        assert store.current_allocation() == current
        assert store.history("F") == []
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=TIMEOUT)
    assert proc.returncode == -signal.SIGKILL
    assert table_counts(month_1) == before
    # The lock died with the process: the same approval now goes through.
    again = run_cli("approve", str(folder), "--by", "X", "--db", month_1)
    _out, err = again.communicate(timeout=TIMEOUT)
    assert again.returncode == 0, err
    assert table_counts(month_1)["approvals"] == before["approvals"] + 1
