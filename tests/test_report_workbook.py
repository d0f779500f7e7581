"""The workbook: one sheet per table, frozen headers, filters, and no formula anywhere."""

from __future__ import annotations

import math
import zipfile
from pathlib import Path
from typing import cast

import pytest
from openpyxl import load_workbook

from caseweight.io.safe_csv import is_dangerous
from caseweight.report import write_report
from caseweight.report.build import ReportData
from caseweight.report.content import ReportTable, table
from caseweight.report.workbook import write_workbook
from report_helpers import FIXTURE

SHEETS = [
    "Summary",
    "Changes by reason",
    "Workers",
    "Moves",
    "Unallocated",
    "Transition 16-17",
    "Turning 18",
    "PA caseloads",
    "Scores",
    "Heaviest",
    "Allocations",
    "Config",
]


@pytest.fixture(scope="module")
def workbook_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("workbook")
    _, xlsx = write_report(FIXTURE, out / "r.html", out / "r.xlsx", generated_at="stamp")
    return xlsx


def test_one_sheet_per_table_with_frozen_header_and_filter(workbook_path: Path) -> None:
    book = load_workbook(workbook_path)
    assert book.sheetnames == SHEETS
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), sheet.title
        assert sheet.cell(1, 1).font.bold


def test_no_cell_is_a_formula(workbook_path: Path) -> None:
    book = load_workbook(workbook_path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    with zipfile.ZipFile(workbook_path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)


def test_hostile_values_are_kept_exactly_as_quoted_text(workbook_path: Path) -> None:
    book = load_workbook(workbook_path)
    found = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and is_dangerous(cell.value):
                    assert cell.data_type == "s" and cell.quotePrefix, (sheet.title, cell.value)
                    found[cell.value] = sheet.title
    for value in ("=1+2", "+447700900123", "-42", "@SUM(A1)", "=cmd|' /C calc'!A0 (SW3)"):
        assert value in found, value
    assert "@Eve Stone (PA3)" in found


def test_moves_sheet_matches_the_allocations(workbook_path: Path) -> None:
    moves = load_workbook(workbook_path)["Moves"]
    rows = list(moves.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 10
    assert ("YP002", "Social worker", "<script>alert(1)</script> (SW2)", "Amira Khan (SW1)") in [
        r[:4] for r in rows
    ]


def test_utilisation_is_a_number_formatted_as_a_percentage(workbook_path: Path) -> None:
    workers = load_workbook(workbook_path)["Workers"]
    header = [c.value for c in workers[1]]
    column = header.index("Utilisation after") + 1
    values = {workers.cell(r, 1).value: workers.cell(r, column) for r in range(2, 10)}
    assert values["=cmd|' /C calc'!A0 (SW3)"].value == pytest.approx(1.2)
    assert all(cell.number_format == "0%" for cell in values.values())


@pytest.mark.parametrize(
    ("text", "dangerous"),
    [
        ("=A1", True),
        ("+1", True),
        ("-1", True),
        ("@x", True),
        ("\tx", True),
        ("YP1", False),
        ("a=b", False),
        ("", False),
    ],
)
def test_dangerous_prefixes(text: str, dangerous: bool) -> None:
    assert is_dangerous(text) is dangerous


class _Tables:
    """Just what write_workbook reads of a ReportData: its tables."""

    def __init__(self, *tables: ReportTable) -> None:
        self._tables = list(tables)

    def tables(self) -> list[ReportTable]:
        return self._tables


def test_headers_blanks_and_notes_are_written_safely(tmp_path: Path) -> None:
    hostile = table(
        "t",
        "Hostile",
        [("a", '=HYPERLINK("x")', "text"), ("b", "Load", "num"), ("c", "Share", "pct")],
        [("-5 days", math.nan, 0.25), (True, 3.0, None)],
    )
    empty = table("e", "Empty", [("a", "Young person", "text")], [], note="Nobody is waiting.")
    path = tmp_path / "t.xlsx"
    write_workbook(cast(ReportData, _Tables(hostile, empty)), path)
    book = load_workbook(path)
    sheet = book["Hostile"]
    header = sheet.cell(1, 1)
    assert header.value == '=HYPERLINK("x")' and header.data_type == "s"
    assert header.quotePrefix and header.font.bold
    assert sheet.cell(2, 1).value == "-5 days" and sheet.cell(2, 1).quotePrefix
    assert sheet.cell(2, 2).value is None  # NaN is a blank, not an error cell
    assert sheet.cell(2, 3).value == 0.25 and sheet.cell(2, 3).number_format == "0%"
    assert sheet.cell(3, 1).value == "True" and sheet.cell(3, 2).number_format == "#,##0.0"
    assert sheet.cell(3, 3).value is None
    assert book["Empty"].cell(2, 1).value == "Nobody is waiting."
