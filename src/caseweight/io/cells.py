"""Typed reading of one column of a :class:`~caseweight.io.tables.Table`.

Each reader returns one value per row and records every bad cell in a
:class:`~caseweight.errors.ProblemCollector`, so that a file's problems are
all reported together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TypeVar

from caseweight.errors import ProblemCollector
from caseweight.io.safe_csv import is_formula
from caseweight.io.tables import Table, parse_bool, parse_date, parse_list

T = TypeVar("T")


class CellReader:
    """Reads columns of one table, collecting problems with file, row and column."""

    def __init__(self, table: Table, problems: ProblemCollector) -> None:
        self.table = table
        self.problems = problems

    def require_columns(self, columns: Sequence[str]) -> bool:
        """Record a problem for each missing required column; True when all are present."""
        missing = [c for c in columns if not self.table.has(c)]
        for column in missing:
            found = ", ".join(self.table.original_columns.values()) or "none"
            self.problems.add(
                self.table.name, 1, column, None, f"a column named '{column}' (found: {found})"
            )
        return not missing

    def _read(
        self,
        column: str,
        parse: Callable[[str], tuple[bool, T | None]],
        expected: str,
        required: bool = False,
    ) -> list[T | None]:
        out: list[T | None] = []
        for row, text in zip(self.table.rows, self.table.column(column), strict=True):
            if text == "":
                if required:
                    self.problems.add(self.table.name, row, column, "", expected)
                out.append(None)
                continue
            ok, value = parse(text)
            if not ok:
                self.problems.add(self.table.name, row, column, text, expected)
            out.append(value)
        return out

    def text(self, column: str) -> list[str | None]:
        return self._read(column, lambda t: (True, t), "text")

    def required_text(self, column: str, expected: str) -> list[str]:
        values = self._read(column, lambda t: (True, t), expected, required=True)
        return [v or "" for v in values]

    def choice(
        self, column: str, allowed: Sequence[str], required: bool = False
    ) -> list[str | None]:
        lookup = {a.lower(): a for a in allowed}

        def parse(text: str) -> tuple[bool, str | None]:
            value = lookup.get(text.lower())
            return value is not None, value

        return self._read(column, parse, "one of " + " | ".join(allowed), required)

    def dates(self, column: str, required: bool = False) -> list[date | None]:
        def parse(text: str) -> tuple[bool, date | None]:
            value = parse_date(text)
            return value is not None, value

        return self._read(column, parse, "a date as YYYY-MM-DD or DD/MM/YYYY", required)

    def booleans(self, column: str, blank: bool = False) -> list[bool]:
        def parse(text: str) -> tuple[bool, bool | None]:
            value = parse_bool(text)
            return value is not None, value

        values = self._read(column, parse, "true/false, yes/no, y/n or 1/0")
        return [blank if v is None else v for v in values]

    def numbers(
        self,
        column: str,
        low: float,
        high: float = float("inf"),
        low_open: bool = False,
        required: bool = False,
    ) -> list[float | None]:
        bracket = "(" if low_open else "["
        top = "" if high == float("inf") else f", {high:g}]"
        expected = f"a number in {bracket}{low:g}{top or ', ∞)'}"

        def parse(text: str) -> tuple[bool, float | None]:
            try:
                value = float(text)
            except ValueError:
                return False, None
            above = value > low if low_open else value >= low
            return above and value <= high and value == value, value

        return self._read(column, parse, expected, required)

    def counts(self, column: str, minimum: int = 0) -> list[int | None]:
        def parse(text: str) -> tuple[bool, int | None]:
            try:
                value = float(text)
            except ValueError:
                return False, None
            ok = value.is_integer() and value >= minimum
            return ok, int(value) if ok else None

        return self._read(column, parse, f"a whole number >= {minimum}")

    def lists(self, column: str) -> list[tuple[str, ...]]:
        return [parse_list(t) for t in self.table.column(column)]

    def unique_ids(self, column: str, values: Sequence[str]) -> None:
        """Record a problem for each repeated id (naming the row it first appeared on)
        and for each id a spreadsheet would run as a formula (outputs keep ids exact).
        """
        seen: dict[str, int] = {}
        for row, value in zip(self.table.rows, values, strict=True):
            if not value:
                continue
            if is_formula(value):
                self.problems.add(
                    self.table.name,
                    row,
                    column,
                    value,
                    "an id a spreadsheet would not run as a formula (not starting with"
                    " = + - @ or a tab, unless a number)",
                )
            if value in seen:
                self.problems.add(
                    self.table.name,
                    row,
                    column,
                    value,
                    f"a unique {column} (already on row {seen[value]})",
                )
            else:
                seen[value] = row
