"""The report as an Excel workbook: one sheet per table, frozen header, filters.

Text that a spreadsheet would read as a formula (starting ``=``, ``+``, ``-``,
``@``, or a tab / carriage return) is written explicitly as a string cell with
Excel's "quote prefix" style. The cell keeps its exact value (so ids still
match other files) but Excel shows and keeps it as text: it never evaluates it,
even after the user edits the cell.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from caseweight.io.safe_csv import is_dangerous
from caseweight.report.build import ReportData
from caseweight.report.content import ReportTable

NUMBER_FORMATS = {"pct": "0%", "num": "#,##0.0", "int": "#,##0"}
HEADER_FILL = PatternFill("solid", fgColor="1F3A5A")
HEADER_FONT = Font(bold=True, color="FFFFFF")


def write_workbook(data: ReportData, path: Path) -> None:
    """Write every table of ``data`` to ``path`` (a new .xlsx file)."""
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    used: set[str] = set()
    for report_table in data.tables():
        name = _unique_sheet_name(report_table.sheet_name, used)
        _write_sheet(workbook.create_sheet(name), report_table)
    workbook.save(path)


def _unique_sheet_name(name: str, used: set[str]) -> str:
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in name)[:31]
    candidate, n = clean, 2
    while candidate.lower() in used:
        candidate = f"{clean[:28]} {n}"
        n += 1
    used.add(candidate.lower())
    return candidate


def _write_sheet(sheet: Worksheet, report_table: ReportTable) -> None:
    for col, column in enumerate(report_table.columns, start=1):
        cell = sheet.cell(row=1, column=col)
        _set(cell, column.title)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    for row_number, row in enumerate(report_table.rows, start=2):
        for col, (value, column) in enumerate(zip(row, report_table.columns, strict=True), 1):
            cell = sheet.cell(row=row_number, column=col)
            _set(cell, value)
            kind = column.kind
            if kind == "any":
                kind = "pct" if "percent" in row else "num"
            if isinstance(value, (int, float)) and kind in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[kind]
    if report_table.note and not report_table.rows:
        _set(sheet.cell(row=2, column=1), report_table.note)
    sheet.freeze_panes = "A2"
    last = get_column_letter(max(len(report_table.columns), 1))
    sheet.auto_filter.ref = f"A1:{last}{max(len(report_table.rows), 1) + 1}"
    _fit_columns(sheet, report_table)


def _set(cell: Any, value: Any) -> None:
    """Write ``value`` so that no text can ever become a formula."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        cell.value = None
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        text = str(value)
        cell.value = text
        # openpyxl types any text beginning '=' as a formula; force it back to a string.
        cell.data_type = "s"
        if is_dangerous(text):
            cell.quotePrefix = True
        return
    cell.value = value


def _fit_columns(sheet: Worksheet, report_table: ReportTable) -> None:
    for col, column in enumerate(report_table.columns, start=1):
        sample = [column.title] + [str(r[col - 1]) for r in report_table.rows[:200]]
        width = min(max(len(s) for s in sample) + 2, 60)
        sheet.column_dimensions[get_column_letter(col)].width = max(width, 8)
