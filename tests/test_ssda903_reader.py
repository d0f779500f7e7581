"""Reading what real SSDA903 extracts look like: names, workbooks, mess, and errors."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from caseweight.errors import InputError
from caseweight.ssda903 import import_ssda903

BASIC = Path(__file__).parent / "data" / "ssda903" / "basic"
AS_OF = date(2026, 3, 31)
TABLES = ("header", "episodes", "uasc", "missing", "oc3")


def reference() -> pd.DataFrame:
    return import_ssda903(BASIC, AS_OF).cases


def test_prefixed_and_upper_case_file_names_are_found(tmp_path: Path) -> None:
    for name in TABLES:
        shutil.copy(BASIC / f"{name}.csv", tmp_path / f"SSDA903_2026_{name.upper()}.CSV")
    (tmp_path / "notes.csv").write_text("anything\n1\n", encoding="utf-8")
    pd.testing.assert_frame_equal(import_ssda903(tmp_path, AS_OF).cases, reference())


def workbook(path: Path, sheet_names: dict[str, str]) -> Path:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name in TABLES:
            frame = pd.read_csv(BASIC / f"{name}.csv", dtype=str, keep_default_na=False)
            frame.to_excel(writer, sheet_name=sheet_names.get(name, name), index=False)
    return path


def test_a_workbook_gives_the_same_cases_as_the_csv_files(tmp_path: Path) -> None:
    book = workbook(tmp_path / "return.xlsx", {"episodes": "Episodes", "oc3": "SSDA903 OC3"})
    pd.testing.assert_frame_equal(import_ssda903(book, AS_OF).cases, reference())
    # a folder holding just the workbook works too
    pd.testing.assert_frame_equal(import_ssda903(tmp_path, AS_OF).cases, reference())


def test_workbook_dates_typed_by_excel_are_read(tmp_path: Path) -> None:
    book = tmp_path / "typed.xlsx"
    with pd.ExcelWriter(book, engine="openpyxl") as writer:
        pd.DataFrame({"CHILD": ["A1"], "DOB": [pd.Timestamp("2015-01-01")]}).to_excel(
            writer, sheet_name="header", index=False
        )
        pd.DataFrame(
            {
                "CHILD": ["A1"],
                "DECOM": [pd.Timestamp("2025-01-01")],
                "DEC": [None],
                "LS": ["C2"],
                "PLACE": ["U4"],
            }
        ).to_excel(writer, sheet_name="episodes", index=False)
    row = import_ssda903(book, AS_OF).cases.iloc[0]
    assert (row["date_of_birth"], row["status"], row["legal_status"]) == (
        "2015-01-01",
        "in_care",
        "care_order",
    )


def test_mess_is_tolerated(tmp_path: Path) -> None:
    (tmp_path / "header.csv").write_text(
        "\ufeff Child , dob ,Extra\n\nA1 ,2015-01-01,x\n  ,  ,\nA2,1/2/2014,\nA2,01/02/2014,\n",
        encoding="utf-8",
    )
    (tmp_path / "episodes.csv").write_text(
        "child,decom,dec,rne,ls,place,local_team\n"
        "A1,1/1/2024,2025-06-01 00:00:00,s,c2,u4,north\n"
        "A1,2025-06-01,,p,c2 ,k2,north\n"
        ",,,,,,\n"
        "A2, 01/01/2025 ,,S,V2,U1,south\n",
        encoding="utf-8",
    )
    result = import_ssda903(tmp_path, AS_OF)
    rows = {r["person_id"]: r for r in result.cases.to_dict("records")}
    assert rows["A1"]["placement_type"] == "residential"
    assert rows["A1"]["placement_moves_12m"] == "1"
    assert rows["A2"]["date_of_birth"] == "2014-02-01"
    assert [w for w in result.warnings if "table" not in w.expected] == []


def test_missing_required_table_and_columns_are_errors(tmp_path: Path) -> None:
    (tmp_path / "header.csv").write_text("CHILD,SEX\nA1,1\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        import_ssda903(tmp_path, AS_OF)
    found = {(p.file, p.row, p.column) for p in raised.value.problems}
    assert found == {("header.csv", 1, "DOB"), (tmp_path.name, None, None)}
    assert any("episodes" in p.expected for p in raised.value.problems)


def test_unreadable_dates_are_errors_naming_row_and_column(tmp_path: Path) -> None:
    (tmp_path / "header.csv").write_text("CHILD,DOB\nA1,31/02/2015\nA2,\n", encoding="utf-8")
    (tmp_path / "episodes.csv").write_text(
        "CHILD,DECOM,DEC\nA1,01/01/2025,soon\nA2,5/6/25,\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as raised:
        import_ssda903(tmp_path, AS_OF)
    found = {(p.file, p.row, p.column, p.value) for p in raised.value.problems}
    assert found == {
        ("header.csv", 2, "DOB", "31/02/2015"),
        ("header.csv", 3, "DOB", ""),
        ("episodes.csv", 2, "DEC", "soon"),
        ("episodes.csv", 3, "DECOM", "5/6/25"),
    }


def test_two_files_for_one_table_is_an_error(tmp_path: Path) -> None:
    for name in ("header", "episodes"):
        shutil.copy(BASIC / f"{name}.csv", tmp_path / f"{name}.csv")
    shutil.copy(BASIC / "header.csv", tmp_path / "2025_header.csv")
    with pytest.raises(InputError, match="one file for table 'header'"):
        import_ssda903(tmp_path, AS_OF)


def test_one_child_with_two_dates_of_birth_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "header.csv").write_text("CHILD,DOB\nA1,01/01/2015\nA1,02/01/2015\n")
    (tmp_path / "episodes.csv").write_text("CHILD,DECOM,DEC\n")
    with pytest.raises(InputError) as raised:
        import_ssda903(tmp_path, AS_OF)
    assert [(p.row, p.column) for p in raised.value.problems] == [(3, "DOB")]


def test_unusable_episodes_are_reported_and_skipped(tmp_path: Path) -> None:
    (tmp_path / "header.csv").write_text("CHILD,DOB\nA1,01/01/2015\n")
    (tmp_path / "episodes.csv").write_text(
        "CHILD,DECOM,DEC,LS,PLACE\n"
        "ZZ,01/01/2025,,C2,U4\n"  # not in the header
        "A1,01/01/2025,01/12/2024,C2,U4\n"  # ends before it starts
        "A1,01/02/2025,,V2,U4\n"  # same child and start as the next row
        "A1,01/02/2025,,C2,K2\n"
    )
    result = import_ssda903(tmp_path, AS_OF)
    assert result.cases.loc[0, "legal_status"] == "care_order"
    rows = sorted((w.row, w.column) for w in result.warnings if w.file == "episodes.csv")
    assert rows == [(2, "CHILD"), (3, "DEC"), (4, "DECOM")]


def test_rows_for_children_not_in_the_header_are_reported(tmp_path: Path) -> None:
    (tmp_path / "header.csv").write_text("CHILD,DOB\nA1,01/01/2015\n")
    (tmp_path / "episodes.csv").write_text("CHILD,DECOM,DEC\nA1,01/01/2025,\n")
    (tmp_path / "missing.csv").write_text("CHILD,MISSING,MIS_START\nB9,M,01/01/2026\n")
    (tmp_path / "oc3.csv").write_text("CHILD,IN_TOUCH,ACTIV,ACCOM\nB8,YES,F2,U1\n")
    result = import_ssda903(tmp_path, AS_OF)
    assert list(result.cases["person_id"]) == ["A1"]
    orphans = {(w.file, w.row, w.value) for w in result.warnings if w.column == "CHILD"}
    assert orphans == {("missing.csv", 2, "B9"), ("oc3.csv", 2, "B8")}


def test_not_a_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="a folder of SSDA903 CSV files"):
        import_ssda903(tmp_path / "nowhere", AS_OF)
