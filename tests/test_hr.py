"""The HR capacity feed: each change kind, date boundaries, contradictory rows."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from caseweight.capacity import capacities
from caseweight.config import Config
from caseweight.errors import InputError
from caseweight.hr import apply_hr_changes, read_hr_changes
from caseweight.problem import Problem, Role, Status, Worker, YoungPerson

CONFIG = Config()
AS_OF = date(2027, 3, 1)
HEADER = "worker_id,change,effective_from,effective_to,value,reason"


def _problem(as_of: date = AS_OF, held_by: str | None = None) -> Problem:
    workers = (
        Worker("W1", 2, Role.SOCIAL_WORKER, 1.0, grade="social_worker"),
        Worker("W2", 3, Role.PERSONAL_ADVISER, 1.0, grade="personal_adviser"),
    )
    people = (
        YoungPerson("YP1", 2, date(2015, 1, 1), Status.IN_CARE, current_social_worker=held_by),
    )
    return Problem(as_of=as_of, people=people, workers=workers)


def _feed(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "hr_changes.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _apply(tmp_path: Path, *rows: str, as_of: date = AS_OF) -> Problem:
    problem = _problem(as_of)
    changes = read_hr_changes(_feed(tmp_path, *rows), problem.workers, CONFIG)
    return apply_hr_changes(problem, changes)


def _points(problem: Problem, worker_id: str) -> float:
    return capacities(problem, CONFIG)[problem.worker_index[worker_id]].points


def _error(tmp_path: Path, *rows: str) -> str:
    with pytest.raises(InputError) as caught:
        read_hr_changes(_feed(tmp_path, *rows), _problem().workers, CONFIG)
    return str(caught.value)


def test_starter_in_the_workers_file_is_absent_until_the_start_date(tmp_path: Path) -> None:
    row = "W1,starter,2027-03-01,,,"
    assert "W1" in _apply(tmp_path, row).worker_index  # effective on the as-of date
    before = _apply(tmp_path, row, as_of=date(2027, 2, 28))
    assert "W1" not in before.worker_index


def test_new_starter_is_added_with_role_fte_grade_and_team(tmp_path: Path) -> None:
    path = tmp_path / "hr.csv"
    path.write_text(
        f"{HEADER},fte,grade,team\nN1,starter,2027-02-01,,social_worker,,0.8,asye,east\n",
        encoding="utf-8",
    )
    problem = _problem()
    feed = read_hr_changes(path, problem.workers, CONFIG)
    after = apply_hr_changes(problem, feed)
    new = after.workers[after.worker_index["N1"]]
    assert (new.role, new.fte, new.grade, new.team) == (Role.SOCIAL_WORKER, 0.8, "asye", "east")
    assert _points(after, "N1") == round(85 * 0.8 * 0.85, 1)


def test_starter_who_already_holds_young_people_is_an_error(tmp_path: Path) -> None:
    problem = _problem(held_by="W1")
    feed = read_hr_changes(_feed(tmp_path, "W1,starter,2027-04-01,,,"), problem.workers, CONFIG)
    with pytest.raises(InputError, match="row 2"):
        apply_hr_changes(problem, feed)


def test_leaver_holds_nobody_from_the_leaving_date(tmp_path: Path) -> None:
    on_the_day = _apply(tmp_path, "W2,leaver,2027-03-01,,,resigned")
    assert on_the_day.workers[1].has_left(AS_OF)
    day_before = _apply(tmp_path, "W2,leaver,2027-03-02,,,resigned")
    assert not day_before.workers[1].has_left(AS_OF)
    assert day_before.workers[1].leaving_on == date(2027, 3, 2)


def test_fte_change_applies_within_its_dates(tmp_path: Path) -> None:
    row = "W1,fte,2027-03-01,2027-05-31,0.6,"
    assert _apply(tmp_path, row).workers[0].fte == 0.6
    assert _apply(tmp_path, row, as_of=date(2027, 5, 31)).workers[0].fte == 0.6
    assert _apply(tmp_path, row, as_of=date(2027, 6, 1)).workers[0].fte == 1.0
    assert _apply(tmp_path, row, as_of=date(2027, 2, 28)).workers[0].fte == 1.0


def test_grade_change_changes_the_grade_factor(tmp_path: Path) -> None:
    after = _apply(tmp_path, "W1,grade,2027-01-01,,senior_practitioner,promotion")
    assert after.workers[0].grade == "senior_practitioner"
    assert _points(after, "W1") == 85 * 0.9


def test_reduction_is_active_on_its_first_day_and_expired_the_day_after(tmp_path: Path) -> None:
    row = "W1,reduction,2027-03-01,2027-03-31,20,trade union time"
    assert _points(_apply(tmp_path, row), "W1") == 68.0
    assert _points(_apply(tmp_path, row, as_of=date(2027, 3, 31)), "W1") == 68.0
    assert _points(_apply(tmp_path, row, as_of=date(2027, 4, 1)), "W1") == 85.0
    assert _points(_apply(tmp_path, row, as_of=date(2027, 2, 28)), "W1") == 85.0


def test_capacity_breakdown_lists_the_reduction_with_its_end_date(tmp_path: Path) -> None:
    after = _apply(tmp_path, "W2,reduction,2027-01-01,2027-06-30,100,maternity")
    cap = capacities(after, CONFIG)[1]
    assert cap.points == 0 and not cap.can_hold
    assert [(r.percent, r.reason, r.effective_to) for r in cap.reductions] == [
        (100.0, "maternity", date(2027, 6, 30))
    ]


def test_return_ends_the_reduction_and_starts_a_phased_return(tmp_path: Path) -> None:
    rows = (
        "W2,reduction,2026-09-01,2027-08-31,100,maternity",
        "W2,return,2027-03-01,2027-04-30,50,phased return",
    )
    assert _points(_apply(tmp_path, *rows, as_of=date(2027, 2, 28)), "W2") == 0.0
    assert _points(_apply(tmp_path, *rows), "W2") == 42.5
    assert _points(_apply(tmp_path, *rows, as_of=date(2027, 5, 1)), "W2") == 85.0


def test_return_without_a_reduction_is_an_error(tmp_path: Path) -> None:
    message = _error(tmp_path, "W2,return,2027-03-01,,,")
    assert "row 2" in message and "none runs on 2027-02-28" in message


def test_overlapping_fte_rows_name_both_rows(tmp_path: Path) -> None:
    message = _error(tmp_path, "W1,fte,2027-01-01,2027-06-30,0.6,", "W1,fte,2027-06-30,,0.8,")
    assert "row 3" in message and "row 2" in message and "overlapping" in message


def test_adjacent_fte_rows_are_fine(tmp_path: Path) -> None:
    after = _apply(tmp_path, "W1,fte,2027-01-01,2027-02-28,0.6,", "W1,fte,2027-03-01,,0.8,")
    assert after.workers[0].fte == 0.8


def test_change_after_leaving_contradicts_the_leaver_row(tmp_path: Path) -> None:
    message = _error(tmp_path, "W1,leaver,2027-04-01,,,", "W1,grade,2027-05-01,,asye,")
    assert "row 2" in message and "row 3" in message and "leaving date" in message


def test_two_leaver_rows_and_overfull_reductions_are_errors(tmp_path: Path) -> None:
    assert "second leaver" in _error(tmp_path, "W1,leaver,2027-04-01,,,", "W1,leaver,2027-05-01,,,")
    message = _error(
        tmp_path,
        "W1,reduction,2027-01-01,,60,phased return",
        "W1,reduction,2027-02-01,,50,trade union time",
    )
    assert "over 100%" in message and "row 2" in message


def test_bad_cells_name_row_column_and_expected_value(tmp_path: Path) -> None:
    message = _error(
        tmp_path,
        "W1,fte,2027-01-01,,1.5,",
        "W9,reduction,2027-01-01,,20,",
        "W1,holiday,2027-01-01,,,",
        "W2,grade,2027-02-01,2027-01-01,asye,",
    )
    assert "row 2, column 'value': got '1.5'; expected an FTE in (0, 1]" in message
    assert "row 3, column 'reason'" in message
    assert "row 4, column 'change'" in message
    assert "row 5, column 'effective_to'" in message


def test_unknown_worker_without_a_starter_row_is_an_error(tmp_path: Path) -> None:
    message = _error(tmp_path, "W9,reduction,2027-01-01,,20,trade union time")
    assert "row 2, column 'worker_id': got 'W9'" in message
