"""The click commands, run through click's test runner on real files."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from caseweight.ssda903 import CASES_COLUMNS
from caseweight.ssda903.__main__ import main
from caseweight.ssda903.cli import ssda903_command, synthetic_command

BASIC = Path(__file__).parent / "data" / "ssda903" / "basic"


def run(command, args: list[str]):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(command, [str(a) for a in args])


def test_import_writes_the_cases_file_and_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "out" / "cases.csv"
    report = tmp_path / "warnings.csv"
    result = run(
        ssda903_command,
        [BASIC, "--as-of", "2026-03-31", "--allocations", BASIC / "allocations.csv",
         "--postcodes", BASIC / "postcodes.csv", "--out", out, "--report", report],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    cases = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert tuple(cases.columns[: len(CASES_COLUMNS)]) == CASES_COLUMNS
    assert len(cases) == 5
    assert "Wrote 5 young people" in result.output
    assert "1 unknown code(s), 1 overlapping episode(s)" in result.output
    assert "episodes.csv, row 8, column 'LS'" in result.output  # warnings are shown
    assert "Unknown codes (left blank): LS=XX x1" in result.output
    with report.open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert {"file": "episodes.csv", "row": "8", "column": "LS", "value": "XX"}.items() <= next(
        r for r in rows if r["column"] == "LS"
    ).items()


def test_bad_input_exits_2_names_the_cell_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "header.csv").write_text("CHILD,DOB\nA1,32/01/2015\n", encoding="utf-8")
    (tmp_path / "episodes.csv").write_text("CHILD,DECOM,DEC\n", encoding="utf-8")
    out = tmp_path / "cases.csv"
    result = run(ssda903_command, [tmp_path, "--as-of", "2026-03-31", "--out", out])
    assert result.exit_code == 2
    assert "header.csv, row 2, column 'DOB': got '32/01/2015'" in result.output
    assert not out.exists()
    assert not list(tmp_path.glob(".cases.csv.*"))  # no temporary file left behind


def test_existing_output_is_untouched_when_the_import_fails(tmp_path: Path) -> None:
    out = tmp_path / "cases.csv"
    out.write_text("keep me\n", encoding="utf-8")
    result = run(ssda903_command, [tmp_path / "missing", "--as-of", "2026-03-31", "--out", out])
    assert result.exit_code == 2
    assert out.read_text(encoding="utf-8") == "keep me\n"


def test_a_bad_as_of_date_is_a_usage_error(tmp_path: Path) -> None:
    result = run(ssda903_command, [BASIC, "--as-of", "31/13/2026", "--out", tmp_path / "c.csv"])
    assert result.exit_code == 2
    assert "expected a date YYYY-MM-DD or DD/MM/YYYY" in result.output


def test_help_has_an_example() -> None:
    for command in (ssda903_command, synthetic_command):
        result = run(command, ["--help"])
        assert result.exit_code == 0 and "Example:" in result.output


def test_synthetic_then_import_through_the_module_entry_point(tmp_path: Path) -> None:
    cases = tmp_path / "cases.csv"
    cases.write_text(
        "person_id,date_of_birth,status,current_social_worker,current_personal_adviser,"
        "legal_status,placement_type,placement_distance_km,placement_moves_12m\n"
        "YP1,2014-05-01,in_care,SW1,,care_order,foster,12.5,1\n"
        "YP2,2007-01-10,care_leaver,,PA1,,independent_living,,0\n",
        encoding="utf-8",
    )
    folder = tmp_path / "ssda903"
    made = run(main, ["synthetic", "--cases", cases, "--as-of", "2026-03-31", "--out", folder])
    assert made.exit_code == 0, made.output
    out = tmp_path / "imported.csv"
    imported = run(
        main,
        ["import", folder, "--as-of", "2026-03-31", "--allocations", folder / "allocations.csv",
         "--postcodes", folder / "postcodes.csv", "--out", out],
    )  # fmt: skip
    assert imported.exit_code == 0, imported.output
    rows = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("person_id")
    assert rows.loc["YP1", ["status", "legal_status", "placement_type"]].tolist() == [
        "in_care",
        "care_order",
        "foster",
    ]
    assert rows.loc["YP1", "placement_distance_km"] == "12.5"
    assert rows.loc["YP1", "placement_moves_12m"] == "1"
    assert rows.loc["YP2", ["status", "current_personal_adviser", "placement_type"]].tolist() == [
        "care_leaver",
        "PA1",
        "independent_living",
    ]


def test_synthetic_with_a_missing_cases_file_exits_2(tmp_path: Path) -> None:
    result = run(
        synthetic_command,
        ["--cases", tmp_path / "nope.csv", "--as-of", "2026-03-31", "--out", tmp_path / "o"],
    )
    assert result.exit_code == 2
    assert "nope.csv" in result.output
    assert not (tmp_path / "o").exists()


def test_out_must_be_a_file_not_a_folder(tmp_path: Path) -> None:
    result = run(ssda903_command, [BASIC, "--as-of", "2026-03-31", "--out", tmp_path])
    assert result.exit_code == 2
    assert "is a folder" in result.output
