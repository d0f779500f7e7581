"""A tiny builder of contract-valid cases and workers files, for tests.

Young people and workers are plain dicts whose keys are contract column names;
:func:`young_person` and :func:`worker` fill in the required columns, and
:class:`Authority` writes both files (CSV, or ``.xlsx`` with openpyxl) so that
tests go through the real reader. Ages are given in years (and months) at
:data:`AS_OF`, so a test says "a 16-year-old" rather than a date of birth.

Points to keep in mind when designing a case (``conftest.RULES_CONFIG``): an in-care
young person under 12 scores 5 points, 12 and over 6; a care leaver 16-17
scores 4, 18-20 scores 3; a personal adviser carries 40% of an in-care young
person's score. Give workers ``capacity_points`` to make loads easy to reason
about: a 5-point young person on a 10-point worker is 50% utilisation, and
the default hard limit is 120%.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

AS_OF = date(2026, 12, 1)
AS_OF_TEXT = AS_OF.isoformat()

CASES_COLUMNS = (
    "person_id",
    "date_of_birth",
    "status",
    "current_social_worker",
    "current_personal_adviser",
    "team",
    "legal_status",
    "placement_type",
    "placement_distance_km",
    "placement_moves_12m",
    "missing_episodes_12m",
    "worker_changes_12m",
    "uasc",
    "disability",
    "health_needs",
    "ehcp",
    "youth_justice",
    "court_proceedings",
    "neet",
    "young_parent",
    "exploitation_risk",
    "sibling_group",
    "needs_skills",
)
WORKERS_COLUMNS = (
    "worker_id",
    "role",
    "fte",
    "name",
    "grade",
    "team",
    "capacity_points",
    "max_cases",
    "skills",
    "accepting_new",
    "leaving_on",
)


def born(years: int, months: int = 0, days: int = 0, as_of: date = AS_OF) -> date:
    """A date of birth giving exactly ``years`` years and ``months`` months at ``as_of``.

    ``days`` moves the birthday that many days earlier (so the age is not on
    the day itself); it must keep the day of month within 1-28.
    """
    total = as_of.year * 12 + (as_of.month - 1) - years * 12 - months
    day = min(as_of.day, 28) - days
    if not 1 <= day <= 28:
        raise ValueError("days must keep the day of month within 1-28")
    return date(total // 12, total % 12 + 1, day)


def young_person(
    person_id: str,
    age: int = 10,
    status: str = "in_care",
    sw: str | None = None,
    pa: str | None = None,
    months: int = 0,
    **columns: Any,
) -> dict[str, Any]:
    """One cases row; ``sw`` / ``pa`` are the current social worker / personal adviser."""
    row: dict[str, Any] = {
        "person_id": person_id,
        "date_of_birth": born(age, months),
        "status": status,
        "current_social_worker": sw,
        "current_personal_adviser": pa,
    }
    row.update(columns)
    return row


def worker(
    worker_id: str, role: str = "social_worker", fte: float = 1.0, **columns: Any
) -> dict[str, Any]:
    """One workers row; ``role`` may be abbreviated ``sw`` / ``pa``."""
    role = {"sw": "social_worker", "pa": "personal_adviser"}.get(role, role)
    row: dict[str, Any] = {"worker_id": worker_id, "role": role, "fte": fte}
    row.update(columns)
    return row


def cell(value: Any) -> str:
    """Contract text for a Python value (dates ISO, booleans true/false, lists ';')."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return ";".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _columns(rows: Iterable[Mapping[str, Any]], preferred: tuple[str, ...]) -> list[str]:
    seen = [c for c in preferred if any(c in r for r in rows)]
    for r in rows:
        seen += [c for c in r if c not in seen]
    return seen


def write_csv(
    path: Path, rows: list[dict[str, Any]], preferred: tuple[str, ...] = (), bom: bool = False
) -> Path:
    """Write ``rows`` (dicts) as a CSV with a header of every key used."""
    columns = _columns(rows, preferred)
    with open(path, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([cell(row.get(c)) for c in columns])
    return path


def write_xlsx(
    path: Path, rows: list[dict[str, Any]], preferred: tuple[str, ...] = (), sheet: str = "Sheet1"
) -> Path:
    """Write ``rows`` to the first sheet of a workbook, with text cells as text."""
    from openpyxl import Workbook

    columns = _columns(rows, preferred)
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    ws.append(columns)
    for row in rows:
        ws.append([cell(row.get(c)) or None for c in columns])
    book.save(path)
    return path


@dataclass
class Authority:
    """Young people and workers of a small fictional authority."""

    people: list[dict[str, Any]] = field(default_factory=list)
    workers: list[dict[str, Any]] = field(default_factory=list)

    def person(self, person_id: str, **kwargs: Any) -> Authority:
        self.people.append(young_person(person_id, **kwargs))
        return self

    def worker(self, worker_id: str, role: str = "social_worker", **kwargs: Any) -> Authority:
        self.workers.append(worker(worker_id, role, **kwargs))
        return self

    def write(self, folder: Path, xlsx: bool = False, bom: bool = False) -> tuple[Path, Path]:
        """Write ``cases`` and ``workers`` files into ``folder``; return their paths."""
        folder.mkdir(parents=True, exist_ok=True)
        if xlsx:
            return (
                write_xlsx(folder / "cases.xlsx", self.people, CASES_COLUMNS, "cases"),
                write_xlsx(folder / "workers.xlsx", self.workers, WORKERS_COLUMNS, "workers"),
            )
        return (
            write_csv(folder / "cases.csv", self.people, CASES_COLUMNS, bom),
            write_csv(folder / "workers.csv", self.workers, WORKERS_COLUMNS, bom),
        )


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    """Rows of an output CSV as dicts of strings."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))
