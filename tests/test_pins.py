"""pins.csv: a pinned allocation is kept, an excluded pairing never proposed; bad rows exit 2."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from authority import AS_OF, AS_OF_TEXT, Authority, read_csv_rows, write_csv
from caseweight.cli import main
from caseweight.errors import InputError
from caseweight.io.inputs import read_problem
from caseweight.io.pins import read_pins
from caseweight.io.proposal import allocations_table
from caseweight.pipeline import propose
from conftest import RULES_CONFIG, Outcome

PINS_COLUMNS = ("person_id", "role", "worker_id", "kind", "reason", "until")


def pin(person_id: str, worker_id: str, kind: str = "pin", **extra: Any) -> dict[str, Any]:
    row = {"person_id": person_id, "role": "social_worker", "worker_id": worker_id, "kind": kind}
    return row | {"reason": "conflict of interest", "until": ""} | extra


def run(tmp_path: Path, authority: Authority, pins: list[dict[str, Any]]) -> Outcome:
    cases, workers = authority.write(tmp_path / f"in{len(list(tmp_path.iterdir()))}")
    problem = read_problem(cases, workers, AS_OF, RULES_CONFIG)
    overrides = None
    if pins:
        overrides = read_pins(write_csv(tmp_path / "pins.csv", pins, PINS_COLUMNS), problem)
    proposal = propose(problem, RULES_CONFIG, time_limit=2.0, overrides=overrides)
    assert proposal.check.ok, proposal.check.violations
    return Outcome(proposal, allocations_table(proposal).fillna("").to_dict("records"))


def overloaded() -> Authority:
    """S1 at 150% of capacity: balance moves at least one of A, B, C to S2."""
    return (
        Authority()
        .worker("S1", capacity_points=10)
        .worker("S2", capacity_points=20)
        .person("A", sw="S1")
        .person("B", sw="S1")
        .person("C", sw="S1")
        .person("D", sw="S2")
    )


def test_pinned_allocations_are_kept_even_when_balance_would_move_them(tmp_path: Path) -> None:
    free = run(tmp_path, overloaded(), [])
    assert {p for p in "ABC" if free.worker_of(p) == "S2"}, "control: balance moves someone"
    pinned = run(tmp_path, overloaded(), [pin(p, "S1") for p in "ABC"])
    assert [pinned.worker_of(p) for p in "ABC"] == ["S1", "S1", "S1"]
    assert pinned.changes == 0
    assert pinned.proposal.summary()["pins"]["pins"] == 3


def test_a_pin_to_another_worker_moves_them_with_reason_pinned(tmp_path: Path) -> None:
    even = Authority().worker("S1", capacity_points=20).worker("S2", capacity_points=20)
    even.person("A", sw="S1").person("B", sw="S2")
    assert run(tmp_path, even, []).changes == 0, "control: nobody moves without the pin"
    outcome = run(tmp_path, even, [pin("A", "S2", reason="placement near S2's office")])
    assert outcome.worker_of("A") == "S2"
    assert outcome.reason("A") == "pinned"
    assert "placement near S2's office" in str(outcome.row("A")["detail"])


def test_an_excluded_pairing_is_never_proposed(tmp_path: Path) -> None:
    def authority() -> Authority:
        return (
            Authority()
            .worker("S1", capacity_points=10)
            .worker("S2", capacity_points=10)
            .person("A", sw="S2")
            .person("N")
        )

    assert run(tmp_path, authority(), []).worker_of("N") == "S1", "control: S1 is lighter"
    outcome = run(tmp_path, authority(), [pin("N", "S1", "exclude", reason="risk to staff")])
    assert outcome.worker_of("N") == "S2"
    assert "N" not in outcome.holding("S1")


def test_excluding_the_current_worker_moves_the_young_person(tmp_path: Path) -> None:
    authority = Authority().worker("S1", capacity_points=20).worker("S2", capacity_points=20)
    authority.person("A", sw="S1")
    outcome = run(tmp_path, authority, [pin("A", "S1", "exclude", reason="relative of A")])
    assert outcome.worker_of("A") == "S2"
    assert outcome.reason("A") == "pinned"
    assert "relative of A" in str(outcome.row("A")["detail"])


def test_expired_rows_are_ignored_and_reported(tmp_path: Path) -> None:
    yesterday = (AS_OF - timedelta(days=1)).isoformat()
    rows = [
        pin("A", "S1", until=yesterday),
        pin("B", "S1", until=AS_OF_TEXT),  # in force on its last day
    ]
    outcome = run(tmp_path, overloaded(), rows)
    summary = outcome.proposal.summary()
    assert summary["pins"]["pins"] == 1
    assert summary["pins"]["expired"] == [f"row 2 pin A/S1 until {yesterday}"]
    assert any("1 expired row(s) of pins.csv ignored" in w for w in summary["warnings"])
    assert outcome.worker_of("B") == "S1"


def problems_of(tmp_path: Path, rows: list[dict[str, Any]], columns: tuple[str, ...]) -> list[str]:
    authority = (
        Authority()
        .worker("S1", capacity_points=20)
        .worker("S2", capacity_points=20, accepting_new=False)
        .worker("S3", capacity_points=20, leaving_on=AS_OF)
        .worker("S4", capacity_points=20)
        .worker("P1", "pa", capacity_points=20)
        .person("A", sw="S1")
        .person("B", age=17, sw="S1", pa="P1")
    )
    cases, workers = authority.write(tmp_path / "in")
    problem = read_problem(cases, workers, AS_OF, RULES_CONFIG)
    with pytest.raises(InputError) as caught:
        read_pins(write_csv(tmp_path / "pins.csv", rows, columns), problem)
    return [str(p) for p in caught.value.problems]


def test_every_bad_row_is_reported_at_once_with_row_and_column(tmp_path: Path) -> None:
    rows = [
        pin("A", "S1", reason=""),  # row 2: no reason
        pin("Z", "S9"),  # row 3: unknown person and worker
        pin("A", "P1"),  # row 4: a personal adviser as social worker
        pin("A", "S1", kind="keep", until="31/13/2026"),  # row 5: bad kind and date
        pin("A", "S2"),  # row 6: not accepting new cases
        pin("A", "S3"),  # row 7: has left
        pin("B", "S1", role="sw", kind="exclude"),  # row 8: valid (role may be sw / pa)
    ]
    found = problems_of(tmp_path, rows, PINS_COLUMNS)
    expected = [
        "pins.csv, row 2, column 'reason': got ''; expected a reason",
        "pins.csv, row 5, column 'kind': got 'keep'; expected one of pin | exclude",
        "pins.csv, row 5, column 'until': got '31/13/2026'",
        "pins.csv, row 3, column 'person_id': got 'Z'; expected a person_id from the cases file",
        "pins.csv, row 3, column 'worker_id': got 'S9'; expected a worker_id from the workers",
        "pins.csv, row 4, column 'worker_id': got 'P1'; expected a worker whose role is social_w",
        "pins.csv, row 6, column 'worker_id': got 'S2'; expected the current worker or a worker",
        "pins.csv, row 7, column 'worker_id': got 'S3'; expected a worker still in post",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in found), (start, found)
    assert len(found) == len(expected)


def test_contradicting_rows_are_errors(tmp_path: Path) -> None:
    rows = [pin("A", "S1"), pin("A", "S4"), pin("A", "S1", kind="exclude")]
    found = problems_of(tmp_path, rows, PINS_COLUMNS)
    assert any("row 3, column 'worker_id'" in p and "one pinned social_worker" in p for p in found)
    assert any(
        "row 4, column 'kind'" in p and "no exclusion of a pinned pairing" in p for p in found
    )


def test_missing_columns_are_named(tmp_path: Path) -> None:
    found = problems_of(
        tmp_path, [{"person_id": "A", "worker_id": "S1"}], ("person_id", "worker_id")
    )
    assert [p.split(";")[0] for p in found] == [
        "pins.csv, row 1, column 'role'",
        "pins.csv, row 1, column 'kind'",
        "pins.csv, row 1, column 'reason'",
    ]


def test_allocate_with_bad_pins_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    cases, workers = overloaded().write(tmp_path / "in")
    pins = write_csv(tmp_path / "pins.csv", [pin("A", "S1", reason=""), pin("Q", "S1")])
    out = tmp_path / "out"
    args = ["allocate", "--cases", str(cases), "--workers", str(workers), "--as-of", AS_OF_TEXT]
    args += ["--out", str(out), "--pins", str(pins), "--no-db", "--quiet", "--no-report"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "2 problem(s)" in result.output
    assert (
        "row 2, column 'reason'" in result.output and "row 3, column 'person_id'" in result.output
    )
    assert "Traceback" not in result.output
    assert not out.exists()


def test_allocate_with_pins_records_them_in_the_summary(tmp_path: Path) -> None:
    cases, workers = overloaded().write(tmp_path / "in")
    pins = write_csv(tmp_path / "pins.csv", [pin(p, "S1") for p in "ABC"], PINS_COLUMNS)
    out = tmp_path / "out"
    args = ["allocate", "--cases", str(cases), "--workers", str(workers), "--as-of", AS_OF_TEXT]
    args += ["--out", str(out), "--pins", str(pins), "--no-db", "--quiet", "--no-report"]
    args += ["--time-limit", "1"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["pins"]["pins"] == 3 and len(summary["pins_sha256"]) == 64
    assert summary["overrides_applied"] == {"pinned": 3, "excluded_pairs": 0}
    rows = read_csv_rows(out / "allocations.csv")
    assert {r["proposed_worker_id"] for r in rows if r["person_id"] in "ABC"} == {"S1"}
