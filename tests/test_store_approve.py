"""Approving proposals: what is recorded, and every refusal leaves the database as it was."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from caseweight.errors import CaseweightError, InputError
from caseweight.store import Store, approve, parse_rejection
from caseweight.store.approval import Rejection
from caseweight.store.cli import approve_command, history_command
from test_store_support import (
    BACKENDS,
    MONTH_1,
    MONTH_2,
    PA,
    SW,
    day,
    fresh_url,
    table_counts,
    write_proposal,
)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from fresh_url(request.param, tmp_path)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with Store.open(db_url) as opened:
        yield opened


def month(tmp_path: Path, as_of: str, rows: list[tuple[str, str, str, str]], **kw: object) -> Path:
    return write_proposal(tmp_path / f"{as_of}-{kw.get('run_id', '')}", as_of, rows, **kw)


def approve_month_1(store: Store, tmp_path: Path) -> None:
    folder = month(tmp_path, "2026-01-31", MONTH_1)
    approve(store, folder, "A. Manager", [parse_rejection("C/sw:court@2026-02-28")])


def refused(store: Store, db_url: str, folder: Path, match: str, rejects: list[str] = ()) -> str:
    before = table_counts(db_url)
    with pytest.raises(CaseweightError, match=match) as caught:
        approve(store, folder, "B. Manager", [parse_rejection(r) for r in rejects])
    assert table_counts(db_url) == before, "a refused approval must write nothing"
    return str(caught.value)


def test_approval_records_run_decisions_and_history(store: Store, db_url: str, tmp_path: Path):
    folder = month(tmp_path, "2026-01-31", MONTH_1)
    result = approve(store, folder, "A. Manager", [parse_rejection("C/sw:court@2026-02-28")])
    assert (result.accepted, result.rejected) == (4, 1)
    assert (result.opened, result.ended, result.outside_changes) == (8, 2, 0)
    assert store.current_allocation() == {
        ("A", SW): "S1", ("B", SW): "S2", ("C", SW): "S2", ("C", PA): "P1",
        ("D", PA): "P2", ("E", SW): "S3",
    }  # fmt: skip
    counts = table_counts(db_url)
    assert counts["runs"] == 1 and counts["run_allocations"] == 6
    assert counts["approvals"] == 1 and counts["approval_decisions"] == 5
    # First records A, B, C, D (4) + moves B, C/PA, D, E (4); B's and D's first rows closed.
    assert (counts["allocation_history"], counts["open"]) == (8, 6)
    assert counts["head.approval_seq"] == 1


def test_same_proposal_twice_is_refused(store: Store, db_url: str, tmp_path: Path) -> None:
    folder = month(tmp_path, "2026-01-31", MONTH_1)
    approve(store, folder, "A. Manager")
    refused(store, db_url, folder, "already approved by A. Manager")


def test_older_or_same_date_proposal_is_superseded(store, db_url: str, tmp_path: Path) -> None:
    approve(store, month(tmp_path, "2026-02-28", MONTH_1), "A. Manager")
    earlier = month(tmp_path, "2026-01-31", MONTH_1)
    message = refused(store, db_url, earlier, "superseded")
    assert "run-2026-02-28" in message and "A. Manager" in message
    same_day = month(tmp_path, "2026-02-28", MONTH_1, run_id="second")
    refused(store, db_url, same_day, "superseded")


def test_proposal_from_inputs_before_an_approval_is_refused(store, db_url, tmp_path) -> None:
    approve_month_1(store, tmp_path)
    # Next month's proposal made from the *old* extract: B still shows S1, E unallocated.
    stale_rows = [
        ("A", SW, "S1", "S1"), ("B", SW, "S1", "S1"), ("C", SW, "S2", "S2"),
        ("C", PA, "", "P1"), ("D", PA, "P1", "P1"), ("E", SW, "", "S1"),
    ]  # fmt: skip
    message = refused(store, db_url, month(tmp_path, "2026-02-28", stale_rows), "no longer current")
    assert "B social_worker: the inputs show S1" in message
    assert "changed this to S2" in message and "run-2026-01-31" in message
    assert "E social_worker: the inputs show no worker" in message
    assert "C personal_adviser: the inputs show no worker" in message
    assert "4 allocation(s)" in message  # B, C/PA, D, E


def test_bad_rejections_are_refused(store: Store, db_url: str, tmp_path: Path) -> None:
    folder = month(tmp_path, "2026-01-31", MONTH_1)
    refused(store, db_url, folder, "does not move A", ["A:knows the family"])
    refused(store, db_url, folder, "does not move Z", ["Z:unknown"])
    refused(store, db_url, folder, "say which", ["C:both roles move"])
    refused(store, db_url, folder, "does not move E/personal_adviser", ["E/pa:no PA move"])
    refused(store, db_url, folder, "rejected twice", ["B:one", "B/sw:two"])
    for text in ("B", "B:", ":reason", "B/manager:reason"):
        with pytest.raises(CaseweightError, match="expected PERSON_ID:REASON"):
            parse_rejection(text)


def test_proposal_failing_its_check_is_refused(store: Store, db_url: str, tmp_path: Path):
    check = {"ok": False, "violations": ["W9 holds YP1 but is leaving"]}
    folder = month(tmp_path, "2026-01-31", MONTH_1, check=check)
    refused(store, db_url, folder, "breaks hard allocation rules.*W9 holds YP1 but is leaving")
    fine = month(tmp_path, "2026-01-31", MONTH_1, run_id="ok", check={"ok": True})
    assert approve(store, fine, "A. Manager").accepted == 5


def test_parse_rejection_forms() -> None:
    assert parse_rejection("YP1:court next week@2026-04-30") == Rejection(
        "YP1", None, "court next week", day("2026-04-30")
    )
    assert parse_rejection("YP1/pa:email x@y.org") == Rejection("YP1", PA, "email x@y.org", None)
    assert parse_rejection(" YP1 / social_worker : keep ") == Rejection("YP1", SW, "keep", None)


def test_leaver_role_ends_and_new_entrant_starts(store: Store, tmp_path: Path) -> None:
    approve_month_1(store, tmp_path)
    approve(store, month(tmp_path, "2026-02-28", MONTH_2), "A. Manager")
    d_rows = store.history("D")
    assert d_rows[-1].to_date == day("2026-02-28") and d_rows[-1].end_reason == "role_ended"
    f_rows = store.history("F")
    assert [(r.worker_id, r.from_date, r.to_date) for r in f_rows] == [
        ("S2", day("2026-02-28"), None)
    ]
    assert store.worker_changes_12m(day("2026-02-28"))["D"] == 1


def test_change_made_outside_caseweight_is_recorded_not_refused(store, tmp_path) -> None:
    approve_month_1(store, tmp_path)
    # The case-management system moved A from S1 to S9 during the month.
    rows = [r if r[0] != "A" else ("A", SW, "S9", "S9") for r in MONTH_2]
    result = approve(store, month(tmp_path, "2026-02-28", rows), "A. Manager")
    assert result.outside_changes == 1
    a_rows = store.history("A")
    assert [(r.worker_id, r.end_reason) for r in a_rows] == [
        ("S1", "changed_outside"),
        ("S9", None),
    ]
    assert store.worker_changes_12m(day("2026-02-28"))["A"] == 1


def test_record_run_is_idempotent(store: Store, db_url: str, tmp_path: Path) -> None:
    folder = month(tmp_path, "2026-01-31", MONTH_1)
    assert store.record_run(folder) == "run-2026-01-31"
    before = table_counts(db_url)
    assert store.record_run(folder) == "run-2026-01-31"
    assert table_counts(db_url) == before
    assert before["runs"] == 1 and before["approvals"] == 0
    # The optimiser re-run on the same inputs may give another proposal with the same
    # id: it replaces the recorded one until one of them is approved.
    other = month(tmp_path, "2026-01-31", MONTH_2, run_id="run-2026-01-31")
    assert store.record_run(other) == "run-2026-01-31"
    assert table_counts(db_url)["run_allocations"] == len(MONTH_2)
    approve(store, other, "A. Manager")
    with pytest.raises(CaseweightError, match="approved with a different proposal"):
        store.record_run(folder)
    with pytest.raises(CaseweightError, match="already approved"):
        approve(store, folder, "A. Manager")


def test_run_id_falls_back_to_the_proposal_digest(store: Store, tmp_path: Path) -> None:
    folder = month(tmp_path, "2026-01-31", MONTH_1, run_id="")
    run_id = store.record_run(folder)
    assert run_id.startswith("run-") and len(run_id) == 20
    assert store.record_run(folder) == run_id


def test_malformed_proposal_is_an_input_error(store: Store, tmp_path: Path) -> None:
    folder = month(tmp_path, "2026-01-31", MONTH_1)
    csv_path = folder / "allocations.csv"
    csv_path.write_text(csv_path.read_text().replace(",true,", ",maybe,", 1))
    with pytest.raises(InputError, match=r"allocations.csv, row 3, column 'changed'"):
        approve(store, folder, "A. Manager")
    (folder / "summary.json").write_text(json.dumps({"as_of": "31/01/2026"}))
    with pytest.raises(InputError, match=r"summary\.json, column 'as_of'"):
        approve(store, folder, "A. Manager")
    with pytest.raises(InputError, match="a proposal folder"):
        approve(store, tmp_path / "missing", "A. Manager")


def test_cli_approve_and_history(db_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    folder = month(tmp_path, "2026-01-31", MONTH_1)
    args = [str(folder), "--by", "A. Manager", "--reject", "C/sw:court", "--db", db_url]
    result = runner.invoke(approve_command, args)
    assert result.exit_code == 0, result.output
    assert "4 move(s) accepted, 1 rejected" in result.output
    again = runner.invoke(approve_command, args)
    assert again.exit_code == 2 and "already approved" in again.output
    assert "Traceback" not in again.output
    shown = runner.invoke(history_command, ["B", "--db", db_url])
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[1].split()[:5] == ["role", "worker", "from", "to", "ended"]
    assert lines[2].split()[:5] == ["social_worker", "S1", "<=2026-01-31", "2026-01-31", "moved"]
    assert lines[3].split()[:4] == ["social_worker", "S2", "2026-01-31", "current"]
    assert lines[3].endswith("balance load; detail for B")
    assert lines[4].startswith("<= : already allocated when caseweight first recorded them")


def test_cli_user_mistakes_exit_2(db_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    unknown = runner.invoke(history_command, ["nobody", "--db", db_url])
    assert unknown.exit_code == 2 and "no allocation history for young person 'nobody'" in (
        unknown.output
    )
    folder = month(tmp_path, "2026-01-31", MONTH_1)
    bad = runner.invoke(
        approve_command, [str(folder), "--by", "X", "--reject", "B", "--db", db_url]
    )
    assert bad.exit_code == 2 and "expected PERSON_ID:REASON" in bad.output
    blank = runner.invoke(approve_command, [str(folder), "--by", " ", "--db", db_url])
    assert blank.exit_code == 2 and "--by" in blank.output
