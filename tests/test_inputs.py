"""Reading and validating the cases and workers files, through the command line.

Every bad file must give exit status 2, a message naming the file, the row
as a spreadsheet user counts it (header = row 1), the column, the bad value
and what was expected, no traceback, and no output folder.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from authority import AS_OF_TEXT, Authority, born, read_csv_rows, write_csv
from caseweight.cli import main
from caseweight.config import Config
from caseweight.errors import InputError
from caseweight.io.inputs import read_problem


def good_authority() -> Authority:
    """Row 2: A (in care, 10), row 3: B (care leaver, 19), row 4: C (in care, 16)."""
    return (
        Authority()
        .worker("S1", "sw", capacity_points=40)
        .worker("P1", "pa", capacity_points=40)
        .person("A", age=10, sw="S1")
        .person("B", age=19, status="care_leaver", pa="P1")
        .person("C", age=16, sw="S1", pa="P1")
    )


def allocate(folder: Path, authority: Authority, *extra: str, xlsx: bool = False) -> Result:
    cases, workers = authority.write(folder / "in", xlsx=xlsx)
    return allocate_files(folder, cases, workers, *extra)


def allocate_files(folder: Path, cases: Path, workers: Path, *extra: str) -> Result:
    args = ["allocate", "--cases", str(cases), "--workers", str(workers)]
    args += ["--as-of", AS_OF_TEXT, "--out", str(folder / "out"), "--no-report", "--quiet"]
    args += ["--time-limit", "2", *extra]
    return CliRunner().invoke(main, args)


def assert_refused(result: Result, folder: Path) -> None:
    """Exit 2, no traceback, nothing written."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    assert not (folder / "out").exists()
    assert not [p for p in folder.iterdir() if p.name.startswith(".out")]


def set_cell(rows: list[dict[str, Any]], key: str, **changes: Any) -> None:
    """Change columns of the row whose id is ``key``."""
    for row in rows:
        if key in (row.get("person_id"), row.get("worker_id")):
            row.update(changes)
            return
    raise KeyError(key)


Change = Callable[[Authority], object]

# (what, change, file, row, column, bad value, words of the expected value)
BAD_FILES: list[tuple[str, Change, str, int, str, str | None, str]] = [
    (
        "unknown status",
        lambda a: set_cell(a.people, "A", status="looked_after"),
        "cases.csv", 2, "status", "looked_after", "in_care | care_leaver",
    ),
    (
        "unknown role",
        lambda a: set_cell(a.workers, "S1", role="team_manager"),
        "workers.csv", 2, "role", "team_manager", "social_worker | personal_adviser",
    ),
    (
        "bad date",
        lambda a: set_cell(a.people, "B", date_of_birth="31/02/2007"),
        "cases.csv", 3, "date_of_birth", "31/02/2007", "YYYY-MM-DD or DD/MM/YYYY",
    ),
    (
        "fte 0",
        lambda a: set_cell(a.workers, "P1", fte=0),
        "workers.csv", 3, "fte", "0", "(0, 1]",
    ),
    (
        "fte 1.5",
        lambda a: set_cell(a.workers, "S1", fte=1.5),
        "workers.csv", 2, "fte", "1.5", "(0, 1]",
    ),
    (
        "duplicate person_id",
        lambda a: set_cell(a.people, "C", person_id="A"),
        "cases.csv", 4, "person_id", "A", "unique person_id (already on row 2)",
    ),
    (
        "duplicate worker_id",
        lambda a: a.worker("S1", "sw"),
        "workers.csv", 4, "worker_id", "S1", "unique worker_id (already on row 2)",
    ),
    (
        "missing required column",
        lambda a: [p.pop("date_of_birth") for p in a.people] and None,
        "cases.csv", 1, "date_of_birth", None, "a column named 'date_of_birth'",
    ),
    (
        "current worker not in the workers file",
        lambda a: set_cell(a.people, "C", current_social_worker="S9"),
        "cases.csv", 4, "current_social_worker", "S9", "a worker_id from the workers file",
    ),
    (
        "current worker of the wrong role",
        lambda a: set_cell(a.people, "B", current_personal_adviser="S1"),
        "cases.csv", 3, "current_personal_adviser", "S1", "role is personal_adviser",
    ),
    (
        "future date of birth",
        lambda a: set_cell(a.people, "A", date_of_birth=date(2027, 1, 5)),
        "cases.csv", 2, "date_of_birth", "2027-01-05", "on or before 2026-12-01",
    ),
    (
        "care leaver aged 27",
        lambda a: set_cell(a.people, "B", date_of_birth=born(27, 2)),
        "cases.csv", 3, "date_of_birth", born(27, 2).isoformat(), "care leaver aged 16 to 25",
    ),
    (
        "care leaver aged 14",
        lambda a: set_cell(a.people, "B", date_of_birth=born(14)),
        "cases.csv", 3, "date_of_birth", born(14).isoformat(), "care leaver aged 16 to 25",
    ),
    (
        "in care aged 26",
        lambda a: set_cell(a.people, "A", date_of_birth=born(26, 1)),
        "cases.csv", 2, "date_of_birth", born(26, 1).isoformat(), "in care aged under 26",
    ),
    (
        "bad boolean",
        lambda a: set_cell(a.people, "C", uasc="maybe"),
        "cases.csv", 4, "uasc", "maybe", "true/false, yes/no, y/n or 1/0",
    ),
    (
        "negative count",
        lambda a: set_cell(a.people, "A", missing_episodes_12m=-2),
        "cases.csv", 2, "missing_episodes_12m", "-2", "a whole number >= 0",
    ),
    (
        "bad exploitation_risk",
        lambda a: set_cell(a.people, "A", exploitation_risk="severe"),
        "cases.csv", 2, "exploitation_risk", "severe", "none | low | medium | high",
    ),
    (
        "unknown grade",
        lambda a: set_cell(a.workers, "S1", grade="team_manager"),
        "workers.csv", 2, "grade", "team_manager", "asye",
    ),
    (
        "bad leaving_on date",
        lambda a: set_cell(a.workers, "P1", leaving_on="next week"),
        "workers.csv", 3, "leaving_on", "next week", "YYYY-MM-DD",
    ),
    (
        "max_cases 0",
        lambda a: set_cell(a.workers, "S1", max_cases=0),
        "workers.csv", 2, "max_cases", "0", "a whole number >= 1",
    ),
    (
        "negative capacity_points",
        lambda a: set_cell(a.workers, "S1", capacity_points=-5),
        "workers.csv", 2, "capacity_points", "-5", "a number in (0",
    ),
    (
        "unknown placement_type",
        lambda a: set_cell(a.people, "A", placement_type="hotel"),
        "cases.csv", 2, "placement_type", "hotel", "foster",
    ),
    (
        "person_id a spreadsheet would run as a formula",
        lambda a: set_cell(a.people, "A", person_id="=HYPERLINK(1)"),
        "cases.csv", 2, "person_id", "=HYPERLINK(1)", "would not run as a formula",
    ),
    (
        "blank required person_id",
        lambda a: set_cell(a.people, "C", person_id=""),
        "cases.csv", 4, "person_id", "", "a person id",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "file", "row", "column", "value", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in BAD_FILES],
)
def test_bad_file_is_refused_with_its_place(
    tmp_path: Path,
    change: Change,
    file: str,
    row: int,
    column: str,
    value: str | None,
    expected: str,
) -> None:
    authority = good_authority()
    change(authority)
    result = allocate(tmp_path, authority)
    assert_refused(result, tmp_path)
    assert f"{file}, row {row}, column '{column}'" in result.output
    if value is not None:
        assert f"got {value!r}" in result.output
    assert expected in result.output


def test_good_authority_is_accepted(tmp_path: Path) -> None:
    """The base of every bad file above is itself valid (else those tests prove nothing)."""
    result = allocate(tmp_path, good_authority())
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "allocations.csv").is_file()


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    authority = good_authority()
    set_cell(authority.people, "A", status="unknown")
    set_cell(authority.people, "C", exploitation_risk="extreme")
    set_cell(authority.workers, "P1", fte=2)
    result = allocate(tmp_path, authority)
    assert_refused(result, tmp_path)
    assert "3 problem(s)" in result.output
    assert "cases.csv, row 2, column 'status'" in result.output
    assert "cases.csv, row 4, column 'exploitation_risk'" in result.output
    assert "workers.csv, row 3, column 'fte'" in result.output


def test_input_error_carries_every_problem(tmp_path: Path) -> None:
    authority = good_authority()
    set_cell(authority.people, "A", uasc="perhaps", worker_changes_12m="two")
    cases, workers = authority.write(tmp_path)
    with pytest.raises(InputError) as caught:
        read_problem(cases, workers, date(2026, 12, 1), Config())
    found = {(p.file, p.row, p.column, p.value) for p in caught.value.problems}
    assert found == {
        ("cases.csv", 2, "uasc", "perhaps"),
        ("cases.csv", 2, "worker_changes_12m", "two"),
    }


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    cases, _ = good_authority().write(tmp_path / "in")
    result = allocate_files(tmp_path, cases, tmp_path / "in" / "nobody.csv")
    assert_refused(result, tmp_path)
    assert "nobody.csv" in result.output


def test_xlsx_input_works(tmp_path: Path) -> None:
    result = allocate(tmp_path, good_authority(), xlsx=True)
    assert result.exit_code == 0, result.output
    rows = read_csv_rows(tmp_path / "out" / "allocations.csv")
    assert {(r["person_id"], r["role"], r["proposed_worker_id"]) for r in rows} == {
        ("A", "social_worker", "S1"),
        ("B", "personal_adviser", "P1"),
        ("C", "social_worker", "S1"),
        ("C", "personal_adviser", "P1"),
    }


def test_xlsx_errors_name_spreadsheet_rows(tmp_path: Path) -> None:
    authority = good_authority()
    set_cell(authority.people, "C", status="adopted")
    set_cell(authority.workers, "P1", role="manager")
    result = allocate(tmp_path, authority, xlsx=True)
    assert_refused(result, tmp_path)
    assert "cases.xlsx, row 4, column 'status': got 'adopted'" in result.output
    assert "workers.xlsx, row 3, column 'role': got 'manager'" in result.output


def test_xlsx_sheet_named_after_the_role_is_used(tmp_path: Path) -> None:
    from openpyxl import Workbook

    authority = good_authority()
    cases, _ = authority.write(tmp_path / "csv")
    workers = tmp_path / "workers.xlsx"
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Notes"
    notes.append(["this sheet is not the data"])
    sheet = book.create_sheet("Workers")
    sheet.append(["worker_id", "role", "fte", "capacity_points"])
    sheet.append(["S1", "social_worker", 1, 40])
    sheet.append(["P1", "personal_adviser", 1, 40])
    book.save(workers)
    result = allocate_files(tmp_path, cases, workers)
    assert result.exit_code == 0, result.output


def test_identifiers_keep_leading_zeros(tmp_path: Path) -> None:
    authority = (
        Authority().worker("0042", "sw", capacity_points=40).person("007", sw="0042").person("0100")
    )
    result = allocate(tmp_path, authority)
    assert result.exit_code == 0, result.output
    rows = read_csv_rows(tmp_path / "out" / "allocations.csv")
    assert sorted((r["person_id"], r["proposed_worker_id"]) for r in rows) == [
        ("007", "0042"),
        ("0100", "0042"),
    ]
    scores = read_csv_rows(tmp_path / "out" / "scores.csv")
    assert {r["person_id"] for r in scores} == {"007", "0100"}
    workers = read_csv_rows(tmp_path / "out" / "workers.csv")
    assert [w["worker_id"] for w in workers] == ["0042"]


def test_xlsx_identifiers_keep_leading_zeros(tmp_path: Path) -> None:
    authority = Authority().worker("0042", "sw", capacity_points=40).person("007", sw="0042")
    result = allocate(tmp_path, authority, xlsx=True)
    assert result.exit_code == 0, result.output
    rows = read_csv_rows(tmp_path / "out" / "allocations.csv")
    assert [(r["person_id"], r["current_worker_id"]) for r in rows] == [("007", "0042")]


def test_utf8_bom_csv_works(tmp_path: Path) -> None:
    authority = good_authority()
    cases, workers = authority.write(tmp_path / "in", bom=True)
    assert cases.read_bytes().startswith(b"\xef\xbb\xbf")
    result = allocate_files(tmp_path, cases, workers)
    assert result.exit_code == 0, result.output
    rows = read_csv_rows(tmp_path / "out" / "allocations.csv")
    assert {r["person_id"] for r in rows} == {"A", "B", "C"}


def test_column_names_in_other_case_and_with_spaces(tmp_path: Path) -> None:
    cases = tmp_path / "cases.csv"
    cases.write_text(
        " Person_ID ,DATE_OF_BIRTH,  Status,Current_Social_Worker \n"
        f"A,{born(10).isoformat()},In_Care,S1\n",
        encoding="utf-8",
    )
    workers = tmp_path / "workers.csv"
    workers.write_text("WORKER_ID, Role ,Fte\nS1,Social_Worker,1\n", encoding="utf-8")
    result = allocate_files(tmp_path, cases, workers)
    assert result.exit_code == 0, result.output
    rows = read_csv_rows(tmp_path / "out" / "allocations.csv")
    assert [(r["person_id"], r["proposed_worker_id"], r["changed"]) for r in rows] == [
        ("A", "S1", "false")
    ]


def test_unknown_columns_are_not_an_error(tmp_path: Path) -> None:
    authority = good_authority()
    for person in authority.people:
        person["keyworker_notes"] = "see file"
        person["Local Flag"] = "x"
    authority.workers[0]["office"] = "Town Hall"
    result = allocate(tmp_path, authority)
    assert result.exit_code == 0, result.output


def test_uk_dates_and_boolean_words_are_read(tmp_path: Path) -> None:
    authority = good_authority()
    dob = born(10)
    set_cell(authority.people, "A", date_of_birth=f"{dob.day:02d}/{dob.month:02d}/{dob.year}")
    set_cell(authority.people, "A", uasc="Yes", disability="y", neet="0", ehcp="FALSE")
    cases, workers = authority.write(tmp_path)
    problem = read_problem(cases, workers, date(2026, 12, 1), Config())
    person = problem.people[0]
    assert person.date_of_birth == dob
    assert person.flags == {"uasc", "disability"}


def test_in_care_18_year_old_is_a_warning_not_an_error(tmp_path: Path) -> None:
    authority = (
        Authority()
        .worker("S1", "sw", capacity_points=40)
        .worker("P1", "pa", capacity_points=40)
        .person("E18", age=18, months=1, sw="S1")
        .person("A", age=10, sw="S1")
    )
    result = allocate(tmp_path, authority)
    assert result.exit_code == 0, result.output
    assert "E18" in result.output
    assert "treated as care leavers" in result.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert any("E18" in w for w in summary["warnings"])
    rows = read_csv_rows(tmp_path / "out" / "allocations.csv")
    e18 = [(r["role"], r["proposed_worker_id"]) for r in rows if r["person_id"] == "E18"]
    assert e18 == [("personal_adviser", "P1")]
    # the social worker's part has ended: S1 holds only A afterwards
    workers = {w["worker_id"]: w for w in read_csv_rows(tmp_path / "out" / "workers.csv")}
    assert workers["S1"]["cases_before"] == "2"
    assert workers["S1"]["cases_after"] == "1"


def test_written_rows_are_numbered_after_blank_lines(tmp_path: Path) -> None:
    """A blank line in the middle still counts as a spreadsheet row."""
    cases = tmp_path / "cases.csv"
    write_csv(cases, good_authority().people)
    lines = cases.read_text().splitlines()
    lines.insert(2, ",,,,")  # row 3 is blank; B moves to row 4
    lines[3] = lines[3].replace("care_leaver", "careleaver")
    cases.write_text("\n".join(lines) + "\n")
    _, workers = good_authority().write(tmp_path / "w")
    result = allocate_files(tmp_path, cases, workers)
    assert_refused(result, tmp_path)
    assert "cases.csv, row 4, column 'status': got 'careleaver'" in result.output


def test_xlsx_typed_cells_dates_numbers_and_booleans(tmp_path: Path) -> None:
    """Excel users type real dates, numbers and TRUE/FALSE; they read as contract text."""
    from openpyxl import Workbook

    cases, workers = tmp_path / "cases.xlsx", tmp_path / "workers.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["person_id", "date_of_birth", "status", "current_social_worker", "uasc"])
    sheet.append(["007", born(10), "in_care", "S1", True])
    sheet.append(["008", born(12), "in_care", None, False])
    book.save(cases)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["worker_id", "role", "fte", "capacity_points", "leaving_on"])
    sheet.append(["S1", "social_worker", 0.5, 30, None])
    sheet.append(["S2", "social_worker", 1, 30, date(2027, 3, 31)])
    book.save(workers)
    problem = read_problem(cases, workers, date(2026, 12, 1), Config())
    first, second = problem.people
    assert (first.person_id, first.date_of_birth, first.flags) == ("007", born(10), {"uasc"})
    assert second.flags == frozenset()
    assert [w.fte for w in problem.workers] == [0.5, 1.0]
    assert problem.workers[1].leaving_on == date(2027, 3, 31)


def test_identifiers_are_trimmed(tmp_path: Path) -> None:
    authority = good_authority()
    set_cell(authority.people, "A", person_id=" A ", current_social_worker="  S1")
    set_cell(authority.workers, "S1", worker_id="S1 ")
    cases, workers = authority.write(tmp_path)
    problem = read_problem(cases, workers, date(2026, 12, 1), Config())
    assert problem.people[0].person_id == "A"
    assert problem.people[0].current_social_worker == "S1"
    assert problem.workers[0].worker_id == "S1"


def test_missing_workers_column_is_not_blamed_on_every_case(tmp_path: Path) -> None:
    authority = good_authority()
    for worker in authority.workers:
        worker.pop("role")
    result = allocate(tmp_path, authority)
    assert_refused(result, tmp_path)
    assert "workers.csv, row 1, column 'role'" in result.output
    assert "1 problem(s)" in result.output


def test_text_a_spreadsheet_would_run_is_guarded_in_the_csv_outputs(tmp_path: Path) -> None:
    authority = good_authority()
    set_cell(authority.workers, "S1", name="=1+2", team="@SUM(A1)")
    set_cell(authority.people, "A", team="@SUM(A1)")
    result = allocate(tmp_path, authority)
    assert result.exit_code == 0, result.output
    workers = pd.read_csv(tmp_path / "out" / "workers.csv", dtype=str, keep_default_na=False)
    s1 = workers[workers.worker_id == "S1"].iloc[0]
    assert (s1["name"], s1["team"]) == ("'=1+2", "'@SUM(A1)")
    # ids stay exact, so the files still join; negative numbers are not formulas
    allocations = pd.read_csv(tmp_path / "out" / "allocations.csv", dtype=str)
    assert set(allocations.person_id) == {"A", "B", "C"}
    for path in (tmp_path / "out").glob("*.csv"):
        for line in path.read_text(encoding="utf-8").splitlines():
            for cell in line.split(","):
                assert not cell.startswith(("=", "@", "+")), (path.name, cell)
