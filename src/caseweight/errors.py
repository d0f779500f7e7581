"""Domain errors.

A user's mistake (a bad file, a bad option) is an :class:`InputError`: the CLI
prints every :class:`Problem` it carries and exits with status 2, writing
nothing. Anything else is a bug and may show a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as a spreadsheet user would find it.

    ``row`` counts as a spreadsheet does: the header is row 1, the first data
    row is row 2. ``row`` and ``column`` are ``None`` when the problem is with
    the whole file (for example a missing column has no row).
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        got = "" if self.value is None else f": got {self.value!r}"
        return f"{', '.join(where)}{got}; expected {self.expected}"


class CaseweightError(Exception):
    """Base class of errors that are the user's to fix (exit status 2)."""


class InputError(CaseweightError):
    """One or more problems with input files; carries all of them."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self.describe())

    def describe(self, limit: int = 50) -> str:
        """All problems, one a line (at most ``limit``, then a count of the rest)."""
        lines = [f"{len(self.problems)} problem(s) in the input:"]
        lines += [f"  - {p}" for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"  ... and {len(self.problems) - limit} more")
        return "\n".join(lines)


class ConfigError(CaseweightError):
    """The configuration file is unreadable, has an unknown key or a wrong type."""


class ProblemCollector:
    """Gathers problems so that all of them are reported at once, not only the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(
        self, file: str, row: int | None, column: str | None, value: object, expected: str
    ) -> None:
        shown = None if value is None else str(value)
        self.problems.append(Problem(file, row, column, shown, expected))

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)
