"""The report as an Excel workbook: one sheet per table, frozen header, filters.

Written with XlsxWriter rather than openpyxl: 0.6 s against 2.1 s for a
4,000-young-person proposal, 3.2 s against 8.7 s for 20,000 (openpyxl builds
each cell as an object and serialises it through a pure-Python XML writer).
XlsxWriter never writes a formula unless asked to with ``write_formula``:
every text cell here goes through ``write_string``.
Text that a spreadsheet would read as a formula (starting ``=``, ``+``, ``-``,
``@``, or a tab / carriage return) also gets Excel's "quote prefix" style. The
cell keeps its exact value (so ids still match other files) but Excel shows
and keeps it as text: it never evaluates it, even after the user edits the cell.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from caseweight.io.safe_csv import is_dangerous
from caseweight.report.build import ReportData
from caseweight.report.content import ReportTable

NUMBER_FORMATS = {"pct": "0%", "num": "#,##0.0", "int": "#,##0"}
HEADER_STYLE = {
    "bold": True,
    "font_color": "#FFFFFF",
    "bg_color": "#1F3A5A",
    "pattern": 1,
    "valign": "top",
    "text_wrap": True,
}


class _Styles:
    """The workbook's few cell formats, made once per workbook."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.header = workbook.add_format(HEADER_STYLE)
        self.quoted_header = workbook.add_format({**HEADER_STYLE, "quote_prefix": True})
        self.quoted = workbook.add_format({"quote_prefix": True})
        self.number = {k: workbook.add_format({"num_format": f}) for k, f in NUMBER_FORMATS.items()}

    def text(self, text: str, header: bool = False) -> Format | None:
        """A text cell's format: quoted where Excel would read it as a formula."""
        if is_dangerous(text):
            return self.quoted_header if header else self.quoted
        return self.header if header else None


def write_workbook(data: ReportData, path: Path) -> None:
    """Write every table of ``data`` to ``path`` (a new .xlsx file)."""
    workbook = xlsxwriter.Workbook(str(path))
    styles = _Styles(workbook)
    used: set[str] = set()
    for report_table in data.tables():
        name = _unique_sheet_name(report_table.sheet_name, used)
        _write_sheet(workbook.add_worksheet(name), report_table, styles)
    workbook.close()


def _unique_sheet_name(name: str, used: set[str]) -> str:
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in name)[:31]
    candidate, n = clean, 2
    while candidate.lower() in used:
        candidate = f"{clean[:28]} {n}"
        n += 1
    used.add(candidate.lower())
    return candidate


def _write_sheet(sheet: Worksheet, report_table: ReportTable, styles: _Styles) -> None:
    columns = report_table.columns
    _fit_columns(sheet, report_table)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(report_table.rows), 1), max(len(columns), 1) - 1)
    for col, column in enumerate(columns):
        sheet.write_string(0, col, column.title, styles.text(column.title, header=True))
    for row_number, row in enumerate(report_table.rows, start=1):
        for col, (value, column) in enumerate(zip(row, columns, strict=True)):
            kind = column.kind
            if kind == "any":
                kind = "pct" if "percent" in row else "num"
            _write(sheet, row_number, col, value, styles, kind)
    if report_table.note and not report_table.rows:
        _write(sheet, 1, 0, report_table.note, styles, "text")


def _write(sheet: Worksheet, row: int, col: int, value: Any, styles: _Styles, kind: str) -> None:
    """Write ``value`` so that no text can ever become a formula."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        text = str(value)
        sheet.write_string(row, col, text, styles.text(text))
    else:
        sheet.write_number(row, col, value, styles.number.get(kind))


def _fit_columns(sheet: Worksheet, report_table: ReportTable) -> None:
    for col, column in enumerate(report_table.columns):
        sample = [column.title] + [str(r[col]) for r in report_table.rows[:200]]
        width = min(max(len(s) for s in sample) + 2, 60)
        sheet.set_column(col, col, max(width, 8))
