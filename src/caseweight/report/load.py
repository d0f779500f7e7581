"""Read a proposal folder (the output of ``caseweight allocate``) for the report.

The report is tolerant: extra columns are ignored, optional columns and the
optional ``young_people.csv`` may be missing (the affected panel says so).
A missing required file or a value of the wrong type is an
:class:`~caseweight.errors.InputError` naming the file, row and column.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from caseweight.errors import InputError, Problem, ProblemCollector
from caseweight.io.safe_csv import unguard_cell
from caseweight.io.tables import Table, map_text, parse_bool, read_table

ALLOCATION_NUMBERS = ("points",)
WORKER_NUMBERS = (
    "capacity_points",
    "load_before",
    "load_after",
    "cases_before",
    "cases_after",
    "utilisation_before",
    "utilisation_after",
    "fte",
    "target_points",
    "hard_limit_points",
)
YOUNG_PERSON_NUMBERS = ("age_years", "age_months", "score")
REQUIRED = {
    "allocations.csv": ("person_id", "role", "proposed_worker_id"),
    "workers.csv": ("worker_id", "role"),
    "scores.csv": ("person_id", "score"),
    "young_people.csv": ("person_id",),
}


@dataclass(frozen=True)
class Proposal:
    """The contents of one proposal folder, typed for the report.

    Attributes
    ----------
    folder:
        Where the proposal was read from.
    summary:
        ``summary.json`` as a dictionary.
    allocations, workers, scores, young_people:
        One frame per file. Text columns are strings ('' when blank); numeric
        columns are floats (NaN when blank); ``changed``, ``accepting_new`` and
        ``leaving`` are booleans. ``young_people`` is empty when the file is absent.
    factors:
        The weighting factor columns of ``scores.csv``, in file order.
    has_young_people:
        Whether the folder has ``young_people.csv`` (the transition panel needs it).
    """

    folder: Path
    summary: dict[str, Any]
    allocations: pd.DataFrame
    workers: pd.DataFrame
    scores: pd.DataFrame
    young_people: pd.DataFrame
    factors: tuple[str, ...] = field(default_factory=tuple)
    has_young_people: bool = False


def load_proposal(folder: Path) -> Proposal:
    """Read every file of a proposal folder.

    Parameters
    ----------
    folder:
        A folder holding ``allocations.csv``, ``workers.csv``, ``scores.csv``,
        ``summary.json`` and optionally ``young_people.csv``.

    Raises
    ------
    InputError
        When a required file or column is missing or a number, boolean or the
        JSON is malformed.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError([Problem(str(folder), None, None, None, "a proposal folder")])
    summary = _read_summary(folder / "summary.json")
    allocations = _frame(folder / "allocations.csv", ALLOCATION_NUMBERS, ("changed",))
    workers = _frame(folder / "workers.csv", WORKER_NUMBERS, ("accepting_new", "leaving"))
    scores_table = read_table(folder / "scores.csv", "scores")
    _require(scores_table, REQUIRED["scores.csv"])
    factors = tuple(c for c in scores_table.frame.columns if c not in {"person_id", "score"})
    factors = tuple(f for f in factors if _is_numeric_column(scores_table, f))
    scores = _typed(scores_table, ("score", *factors), ())
    young_people = pd.DataFrame()
    has_young_people = (folder / "young_people.csv").is_file()
    if has_young_people:
        young_people = _frame(
            folder / "young_people.csv",
            YOUNG_PERSON_NUMBERS,
            ("needs_social_worker", "needs_personal_adviser"),
        )
    return Proposal(
        folder, summary, allocations, workers, scores, young_people, factors, has_young_people
    )


def _read_summary(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InputError([Problem(path.name, None, None, str(path), "an existing file")])
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError([Problem(path.name, None, None, str(exc), "a JSON object")]) from None
    if not isinstance(data, dict):
        raise InputError([Problem(path.name, None, None, type(data).__name__, "a JSON object")])
    return data


def _frame(path: Path, numbers: tuple[str, ...], booleans: tuple[str, ...]) -> pd.DataFrame:
    table = read_table(path, path.stem)
    _require(table, REQUIRED[path.name])
    # our CSVs guard text a spreadsheet would run; the report shows the text itself
    table = dataclasses.replace(table, frame=map_text(table.frame, unguard_cell))
    return _typed(table, numbers, booleans)


def _require(table: Table, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if not table.has(c)]
    if missing:
        raise InputError(
            [Problem(table.name, 1, c, None, f"a column named '{c}'") for c in missing]
        )


def _is_numeric_column(table: Table, column: str) -> bool:
    values = [v for v in table.column(column) if v != ""]
    return bool(values) and bool(pd.to_numeric(pd.Series(values), errors="coerce").notna().all())


def _typed(table: Table, numbers: tuple[str, ...], booleans: tuple[str, ...]) -> pd.DataFrame:
    """Convert the named columns (when present) and report every bad cell at once."""
    frame = table.frame.copy()
    problems = ProblemCollector()
    for column in numbers:
        if not table.has(column):
            continue
        converted = pd.to_numeric(frame[column].replace("", None), errors="coerce")
        bad = converted.isna() & (frame[column] != "")
        for index in frame.index[bad]:
            problems.add(table.name, table.rows[index], column, frame.at[index, column], "a number")
        frame[column] = converted.astype(float)
    for column in booleans:
        if not table.has(column):
            continue
        parsed = [parse_bool(v) for v in frame[column]]
        for index, value in enumerate(parsed):
            if value is None:
                problems.add(
                    table.name, table.rows[index], column, frame.at[index, column], "true or false"
                )
        frame[column] = [bool(v) for v in parsed]
    problems.raise_if_any()
    return frame
