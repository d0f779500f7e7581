"""Edge cases of reading: a ragged CSV row, and a worker whose role is itself bad."""

from __future__ import annotations

from pathlib import Path

import pytest

from authority import AS_OF
from caseweight.config import Config
from caseweight.errors import InputError
from caseweight.io.inputs import read_problem
from caseweight.io.tables import read_table


def test_a_row_longer_than_the_header_is_refused_not_dropped(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(
        "person_id,date_of_birth,status\nYP1,2015-01-01,in_care\nYP2,2014-02-02,in_care,extra\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_table(path, "cases")
    [problem] = caught.value.problems
    assert (problem.file, problem.row, problem.value) == ("cases.csv", 3, "extra")
    assert "at most 3 values" in problem.expected


def test_empty_trailing_fields_are_harmless(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(
        "person_id,date_of_birth,status\nYP1,2015-01-01,in_care,,\nYP2,2014-02-02,in_care\n",
        encoding="utf-8",
    )
    table = read_table(path, "cases")
    assert table.column("person_id") == ["YP1", "YP2"]
    assert table.column("status") == ["in_care", "in_care"]


def test_a_bad_worker_role_is_reported_once_not_again_on_each_case(tmp_path: Path) -> None:
    workers = tmp_path / "workers.csv"
    workers.write_text("worker_id,role,fte\nW1,social_wrker,1\n", encoding="utf-8")
    cases = tmp_path / "cases.csv"
    cases.write_text(
        "person_id,date_of_birth,status,current_social_worker\nYP1,2015-01-01,in_care,W1\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_problem(cases, workers, AS_OF, Config())
    problems = caught.value.problems
    assert [(p.file, p.row, p.column) for p in problems] == [("workers.csv", 2, "role")]
