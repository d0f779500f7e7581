"""Find and read the SSDA903 tables: a folder of CSV files or one ``.xlsx`` workbook.

Reading is tolerant of what real extracts contain (extra columns, blank rows,
trailing spaces, ``DD/MM/YYYY`` and ``YYYY-MM-DD`` dates side by side), and
strict where a guess would be wrong: a missing table or column, or a date that
cannot be read, is an error; an unknown code is a warning. Every problem names
its file, row and column.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from caseweight.errors import InputError, Problem, ProblemCollector
from caseweight.io.tables import read_table

TABLE_NAMES = ("header", "episodes", "uasc", "missing", "oc3", "socialworker")
REQUIRED_TABLES = frozenset({"header", "episodes"})
ALIASES = {"socialworker": ("socialworker", "social_worker", "sw")}

# table -> (required columns, optional columns), lower case as read_table gives them
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "header": (("child", "dob"), ("sex", "mother")),
    "episodes": (
        ("child", "decom", "dec"),
        ("rne", "ls", "cin", "place", "rec", "reason_place_change", "home_post", "pl_post"),
    ),
    "uasc": (("child",), ("duc",)),
    "missing": (("child", "mis_start"), ("missing", "mis_end")),
    "oc3": (("child",), ("in_touch", "activ", "accom")),
    "socialworker": (("child", "sw_decom"), ("sw_id", "sw_dec")),
}
_TABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm")


@dataclass
class Findings:
    """Errors (stop the import) and warnings (reported; the import goes on)."""

    errors: ProblemCollector = field(default_factory=ProblemCollector)
    warnings: list[Problem] = field(default_factory=list)

    def warn(
        self, file: str, row: int | None, column: str | None, value: object, expected: str
    ) -> None:
        shown = None if value is None else str(value)
        self.warnings.append(Problem(file, row, column, shown, expected))

    def error(
        self, file: str, row: int | None, column: str | None, value: object, expected: str
    ) -> None:
        self.errors.add(file, row, column, value, expected)


@dataclass(frozen=True)
class SourceTable:
    """One SSDA903 table: lower-case columns of trimmed text plus the spreadsheet row."""

    table: str
    file: str
    frame: pd.DataFrame  # has a "_row" column with the spreadsheet row number

    def rows_where(self, mask: pd.Series) -> list[int]:
        return [int(r) for r in self.frame.loc[mask, "_row"]]


@dataclass(frozen=True)
class Ssda903Return:
    """The tables found; optional tables are ``None`` when absent."""

    tables: dict[str, SourceTable]
    source: str

    def get(self, name: str) -> SourceTable | None:
        return self.tables.get(name)


def read_return(path: str | Path, findings: Findings) -> Ssda903Return:
    """Read every SSDA903 table under ``path`` (a folder, or an ``.xlsx`` workbook).

    Raises
    ------
    InputError
        When the folder or workbook is missing, a table is found twice, a
        required table or column is missing. Other problems go to ``findings``.
    """
    path = Path(path)
    locations = _locate(path)
    tables: dict[str, SourceTable] = {}
    for name, (file_path, sheet, label) in locations.items():
        table = read_table(file_path, sheet or name)
        frame = table.frame.copy()
        frame["_row"] = np.asarray(table.rows, dtype=np.int64)
        required, _optional = COLUMNS[name]
        for column in required:
            if column not in frame.columns:
                findings.error(label, 1, column.upper(), None, f"a column '{column.upper()}'")
        tables[name] = SourceTable(name, label, frame)
    for name in sorted(REQUIRED_TABLES - tables.keys()):
        findings.error(path.name, None, None, None, f"a table '{name}' (CSV file or sheet)")
    findings.errors.raise_if_any()
    for name in TABLE_NAMES:
        if name not in tables and name not in REQUIRED_TABLES:
            findings.warn(
                path.name,
                None,
                None,
                None,
                f"a table '{name}' (absent: its attributes are left blank)",
            )
    return Ssda903Return(tables, path.name)


def _table_for(stem: str) -> str | None:
    key = stem.strip().lower().replace(" ", "_").replace("-", "_")
    for name in TABLE_NAMES:
        for alias in ALIASES.get(name, (name,)):
            if key == alias or key.endswith("_" + alias):
                return name
    return None


def _locate(path: Path) -> dict[str, tuple[Path, str | None, str]]:
    """Map each table name to (file, sheet or None, label used in messages)."""
    if path.is_file() and path.suffix.lower() in {".xlsx", ".xlsm"}:
        return _locate_sheets(path)
    if not path.is_dir():
        raise InputError(
            [
                Problem(
                    path.name,
                    None,
                    None,
                    str(path),
                    "a folder of SSDA903 CSV files or an .xlsx workbook",
                )
            ]
        )
    found: dict[str, list[Path]] = {}
    for child in sorted(path.iterdir()):
        if child.is_file() and child.suffix.lower() == ".csv":
            name = _table_for(child.stem)
            if name:
                found.setdefault(name, []).append(child)
    if not found:
        workbooks = [c for c in sorted(path.iterdir()) if c.suffix.lower() in {".xlsx", ".xlsm"}]
        if len(workbooks) == 1:
            return _locate_sheets(workbooks[0])
    problems = [
        Problem(
            path.name, None, None, ", ".join(p.name for p in files), f"one file for table '{name}'"
        )
        for name, files in found.items()
        if len(files) > 1
    ]
    if problems:
        raise InputError(problems)
    return {name: (files[0], None, files[0].name) for name, files in found.items()}


def _locate_sheets(path: Path) -> dict[str, tuple[Path, str | None, str]]:
    try:
        sheet_names = [str(s) for s in pd.ExcelFile(path, engine="openpyxl").sheet_names]
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise InputError(
            [Problem(path.name, None, None, type(exc).__name__, "a readable .xlsx workbook")]
        ) from None
    found: dict[str, list[str]] = {}
    for sheet in sheet_names:
        name = _table_for(sheet)
        if name:
            found.setdefault(name, []).append(sheet)
    problems = [
        Problem(path.name, None, None, ", ".join(sheets), f"one sheet for table '{name}'")
        for name, sheets in found.items()
        if len(sheets) > 1
    ]
    if problems:
        raise InputError(problems)
    return {n: (path, s[0], f"{path.name} sheet {s[0]}") for n, s in found.items()}


def parse_dates(
    source: SourceTable,
    column: str,
    findings: Findings,
    *,
    required: bool,
    fatal: bool,
    label: str | None = None,
) -> pd.Series:
    """Parse a date column, vectorised: ``DD/MM/YYYY``, ``YYYY-MM-DD`` (with or without time).

    Unreadable dates are errors when ``fatal`` (else warnings, and the cell is
    treated as blank); blank cells are errors when ``required``.
    """
    frame = source.frame
    if column not in frame.columns:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    text = frame[column].astype(str).str.strip()
    parsed = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S"):
        parsed = parsed.fillna(pd.to_datetime(text, format=fmt, errors="coerce"))
    parsed = parsed.astype("datetime64[ns]")
    bad = parsed.isna() & (text != "")
    blank = text == ""
    report = findings.error if fatal else findings.warn
    label = label or column.upper()
    for row, value in zip(frame.loc[bad, "_row"], text[bad], strict=True):
        report(source.file, int(row), label, value, "a date DD/MM/YYYY or YYYY-MM-DD")
    if required:
        for row in frame.loc[blank, "_row"]:
            findings.error(source.file, int(row), label, "", "a date DD/MM/YYYY or YYYY-MM-DD")
    return parsed


def codes(
    source: SourceTable, column: str, known: Collection[str], findings: Findings
) -> pd.Series:
    """The column's codes upper-cased; unknown non-blank codes become '' and are reported."""
    frame = source.frame
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    values = frame[column].astype(str).str.strip().str.upper()
    unknown = ~values.isin(list(known)) & (values != "")
    shown = ", ".join(sorted(known))
    if len(shown) > 60:
        shown = shown[:57] + "..."
    for row, value in zip(frame.loc[unknown, "_row"], values[unknown], strict=True):
        findings.warn(
            source.file, int(row), column.upper(), value, f"an SSDA903 code ({shown}); left blank"
        )
    return values.where(~unknown, "").astype(object)
