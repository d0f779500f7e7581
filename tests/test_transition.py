"""The handover at 18: who ends, who continues, and who still has no personal adviser."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from authority import Authority, read_csv_rows
from caseweight.config import Config
from caseweight.io.proposal import write_proposal
from caseweight.problem import add_months
from caseweight.transition import COLUMNS, handovers, months_between
from conftest import Runner


def turning_18() -> Authority:
    """P1 keeps the young people it holds but takes nobody new, so T2 and T4 get no PA."""
    return (
        Authority()
        .worker("S1", capacity_points=40)
        .worker("P1", "pa", capacity_points=40, accepting_new=False)
        .person("T1", age=17, months=10, sw="S1", pa="P1")  # 18 in 2 months, has a PA
        .person("T2", age=17, months=10, sw="S1")  # 18 in 2 months, no PA: flagged
        .person("T3", age=17, months=4, sw="S1")  # 18 in 8 months: outside the window
        .person("T4", age=17, months=7, sw="S1")  # 18 in 5 months, no PA yet: not flagged
        .person("T5", age=17, months=11, status="care_leaver", pa="P1")  # PA only
        .person("A", age=10, sw="S1")
    )


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 12, 1), -3, date(2026, 9, 1)),
        (date(2026, 11, 30), 2, date(2027, 1, 30)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_months_between_counts_whole_months() -> None:
    assert months_between(date(2026, 12, 1), date(2027, 2, 1)) == 2
    assert months_between(date(2026, 12, 2), date(2027, 2, 1)) == 1


def test_handovers_list_who_ends_and_who_continues(run_authority: Runner) -> None:
    outcome = run_authority(turning_18())
    found = {h.person_id: h for h in handovers(outcome.proposal)}
    assert list(found) == ["T5", "T1", "T2", "T4"]  # by birthday, then id
    t1 = found["T1"]
    assert (t1.social_worker, t1.personal_adviser, t1.months_to_18) == ("S1", "P1", 2)
    assert t1.handover == "social worker S1 ends on 2027-02-01; personal adviser P1 continues"
    assert not t1.no_personal_adviser_flag
    assert found["T5"].handover == "no social worker to hand over; personal adviser P1 continues"
    assert found["T2"].no_personal_adviser_flag
    assert "NO personal adviser with under 3 months to 18" in found["T2"].handover
    t4 = found["T4"]
    assert not t4.no_personal_adviser_flag
    assert t4.allocate_personal_adviser_by == "2027-02-01"
    assert t4.handover.endswith("no personal adviser yet: allocate one by 2027-02-01")


def test_the_window_follows_the_config(run_authority: Runner) -> None:
    config = Config.from_dict({"transition_months": 9, "weights": {"personal_adviser_share": 0.4}})
    outcome = run_authority(turning_18(), config)
    assert "T3" in {h.person_id for h in handovers(outcome.proposal)}


def test_proposal_folder_has_transitions_csv_and_a_warning(
    run_authority: Runner, tmp_path: Path
) -> None:
    outcome = run_authority(turning_18())
    summary = write_proposal(outcome.proposal, tmp_path / "out")
    rows = read_csv_rows(tmp_path / "out" / "transitions.csv")
    assert tuple(rows[0]) == COLUMNS
    assert [r["person_id"] for r in rows] == ["T5", "T1", "T2", "T4"]
    assert [r["no_personal_adviser_flag"] for r in rows] == ["false", "false", "true", "false"]
    written = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert written["transitions"] == summary["transitions"]
    assert written["transitions"]["no_personal_adviser_within_3_months"] == ["T2"]
    assert written["transitions"]["turning_18"] == 4
    assert any(
        w.startswith("1 young person(s) turn 18 within 3 months") for w in written["warnings"]
    )


def test_nobody_turning_18_gives_an_empty_table(run_authority: Runner, tmp_path: Path) -> None:
    outcome = run_authority(Authority().worker("S1", capacity_points=20).person("A", sw="S1"))
    write_proposal(outcome.proposal, tmp_path / "out")
    assert (
        (tmp_path / "out" / "transitions.csv")
        .read_text(encoding="utf-8")
        .startswith(",".join(COLUMNS))
    )
    assert read_csv_rows(tmp_path / "out" / "transitions.csv") == []
