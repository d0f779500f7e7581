"""Read a CSV or Excel table as text, the way the data contract describes.

Every cell is read as a string (``007`` stays ``007``), trimmed; column names
are matched case-insensitively with surrounding spaces ignored; blank rows are
skipped but row numbers stay those a spreadsheet user sees (header = row 1).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from caseweight.errors import InputError, Problem, ProblemCollector

TRUE_WORDS = frozenset({"true", "yes", "y", "1"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", ""})
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_UK_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")


@dataclass(frozen=True)
class Table:
    """A table of trimmed strings with the spreadsheet row number of each row.

    Attributes
    ----------
    name:
        The file name used in messages.
    frame:
        Column names normalised to lower case; every cell a ``str`` ('' when blank).
    rows:
        Spreadsheet row number of each frame row (header is row 1).
    original_columns:
        Normalised name -> name as written in the file (for pass-through).
    """

    name: str
    frame: pd.DataFrame
    rows: tuple[int, ...]
    original_columns: dict[str, str]

    def __len__(self) -> int:
        return len(self.frame)

    def has(self, column: str) -> bool:
        return column in self.frame.columns

    def column(self, column: str) -> list[str]:
        """The column's cells, or all blanks when the file has no such column."""
        if column not in self.frame.columns:
            return [""] * len(self.frame)
        return self.frame[column].tolist()


def normalise_column(name: object) -> str:
    return str(name).strip().lower()


def read_table(path: str | Path, role: str) -> Table:
    """Read ``path`` (``.csv`` or ``.xlsx``) as a :class:`Table`.

    For a workbook the sheet named ``role`` (case-insensitive) is used when
    there is one, otherwise the first sheet.

    Raises
    ------
    InputError
        When the file is missing, unreadable, or has repeated column names.
    """
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise InputError([Problem(name, None, None, str(path), "an existing file")])
    try:
        if path.suffix.lower() in {".xlsx", ".xlsm"}:
            raw = _read_workbook(path, role)
        else:
            _refuse_ragged_rows(path, name)
            raw = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                encoding="utf-8-sig",
                skip_blank_lines=False,
                # a row with more fields than the header must not become an
                # index and shift every value one column left
                index_col=False,
            )
    except InputError:
        raise
    except UnicodeDecodeError:
        raise InputError([Problem(name, None, None, None, "a UTF-8 CSV file")]) from None
    except Exception as exc:  # pandas/openpyxl raise many kinds for a broken file
        expected = "a readable CSV file or .xlsx workbook with a header row"
        raise InputError([Problem(name, None, None, type(exc).__name__, expected)]) from None
    return _as_table(name, raw)


def _refuse_ragged_rows(path: Path, name: str) -> None:
    """A row with a value beyond the header's last column: say so, never drop it.

    (pandas would drop the extra value with only a warning.) Empty trailing
    fields, as some exports write, are harmless and allowed.
    """
    problems = ProblemCollector()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        records = csv.reader(handle)
        width = len(next(records, []))
        for row, record in enumerate(records, start=2):
            extra = [cell for cell in record[width:] if cell.strip()]
            if extra:
                expected = f"at most {width} values, one per header column"
                problems.add(name, row, None, ",".join(extra), expected)
    problems.raise_if_any()


def _read_workbook(path: Path, role: str) -> pd.DataFrame:
    with pd.ExcelFile(path, engine="openpyxl") as sheets:
        names = list(sheets.sheet_names)
    sheet: str | int = 0
    for candidate in names:
        if str(candidate).strip().lower() == role.lower():
            sheet = candidate
            break
    frame = pd.read_excel(
        path, sheet_name=sheet, dtype=object, keep_default_na=False, header=0, engine="openpyxl"
    )
    return frame.map(_cell_text)


def _cell_text(value: object) -> str:
    """Excel gives dates and numbers typed; turn them back into contract text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def map_text(frame: pd.DataFrame, change: Callable[[str], str]) -> pd.DataFrame:
    """``frame`` (text cells) with ``change`` applied to every cell.

    Over each column's plain list: pandas' own ``.str`` and ``.map`` go cell
    by cell through their machinery, about ten times as slow (0.9 s to strip
    a region's proposal folder).
    """
    return pd.DataFrame(
        {c: [change(v) for v in frame[c].tolist()] for c in frame.columns},
        index=frame.index,
        columns=frame.columns,
        dtype=str,
    )


def _as_table(name: str, raw: pd.DataFrame) -> Table:
    problems = ProblemCollector()
    original: dict[str, str] = {}
    for col in raw.columns:
        key = normalise_column(col)
        if key.startswith("unnamed:") or key == "":
            continue
        if key in original:
            problems.add(name, 1, str(col), col, "each column name once")
        original[key] = str(col).strip()
    problems.raise_if_any()
    keep = [c for c in raw.columns if normalise_column(c) in original]
    frame = raw[keep].copy()
    frame.columns = [normalise_column(c) for c in keep]
    frame = map_text(frame.fillna("").astype(str), str.strip)
    row_numbers = pd.Series(range(2, len(frame) + 2), index=frame.index)
    blank = (frame == "").all(axis=1) if len(frame.columns) else pd.Series(True, frame.index)
    frame = frame.loc[~blank].reset_index(drop=True)
    rows = tuple(int(r) for r in row_numbers.loc[~blank])
    return Table(name=name, frame=frame, rows=rows, original_columns=original)


def parse_date(text: str) -> date | None:
    """Parse ``YYYY-MM-DD`` or UK ``DD/MM/YYYY``; ``None`` when not a valid date."""
    text = text.strip()
    try:
        if _ISO_DATE.match(text):
            return date.fromisoformat(text)
        if _UK_DATE.match(text):
            day, month, year = (int(p) for p in text.split("/"))
            return date(year, month, day)
    except ValueError:
        return None
    return None


def parse_bool(text: str) -> bool | None:
    """Contract booleans; blank is false; ``None`` when not a boolean word."""
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def parse_list(text: str) -> tuple[str, ...]:
    """A ``;``-separated list, items trimmed, blanks dropped, order kept."""
    return tuple(item.strip() for item in text.split(";") if item.strip())
