"""Text for CSV files a manager will open in a spreadsheet.

A cell starting ``=``, ``+``, ``-``, ``@``, a tab or a carriage return can be
run as a formula by a spreadsheet (CSV injection). Ids never start so unless
they are numbers: the input check refuses them, so ids in outputs stay
exactly as given and still join with other files. Any other text that does
gets a leading apostrophe, which spreadsheets show as text (the report takes
it off again when it reads the folder back). Numbers, negative ones
included, are left alone: a number is not a formula.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_dangerous(value: str) -> bool:
    """True when a spreadsheet could read ``value`` as a formula."""
    return value.startswith(FORMULA_STARTS)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def is_formula(value: str) -> bool:
    """True when ``value`` starts like a formula and is not simply a number."""
    return is_dangerous(value) and not _is_number(value)


def guard_cell(value: object) -> object:
    """``value``, with a leading apostrophe if it is text a spreadsheet could run."""
    if isinstance(value, str) and is_formula(value):
        return "'" + value
    return value


def unguard_cell(value: str) -> str:
    """Undo :func:`guard_cell` when reading caseweight's own CSV outputs back."""
    if value[:1] == "'" and is_formula(value[1:]):
        return value[1:]
    return value


def guard_row(values: Iterable[object]) -> list[object]:
    return [guard_cell(v) for v in values]


def guard_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell (and column name) guarded."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(guard_cell)
    out.columns = [str(guard_cell(str(c))) for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` as CSV, guarded against formula injection."""
    guard_frame(frame).to_csv(path, index=False)


def csv_text(frame: pd.DataFrame) -> str:
    """``frame`` as guarded CSV text."""
    return guard_frame(frame).to_csv(index=False)
