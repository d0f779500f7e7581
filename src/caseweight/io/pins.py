"""Read ``pins.csv``: allocations a manager fixes, and pairings never to propose.

Columns: ``person_id``, ``role``, ``worker_id``, ``kind`` (``pin`` or
``exclude``), ``reason`` (required: every override is explained), ``until``
(optional date; blank means until removed). A pin keeps (or makes) that
allocation whatever balance would prefer; an exclusion (conflict of interest,
risk to staff) is never proposed. Rows whose ``until`` is before the as-of
date are ignored and listed in a warning. Every problem is reported at once
with file, row, column and what was expected, as for the cases and workers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from caseweight.continuity import PINS_SOURCE, Exclusion, Overrides, Pin, describe
from caseweight.errors import ProblemCollector
from caseweight.io.cells import CellReader
from caseweight.io.inputs import file_sha256
from caseweight.io.tables import Table, read_table
from caseweight.problem import Problem, Role

PINS_REQUIRED = ("person_id", "role", "worker_id", "kind", "reason")
KINDS = ("pin", "exclude")
ROLE_WORDS = {"social_worker": Role.SOCIAL_WORKER, "personal_adviser": Role.PERSONAL_ADVISER}
ROLE_WORDS |= {"sw": Role.SOCIAL_WORKER, "pa": Role.PERSONAL_ADVISER}


@dataclass(frozen=True)
class PinRow:
    """One validated row of the pins file."""

    row: int
    person_id: str
    role: Role
    worker_id: str
    kind: str
    reason: str
    until: date | None


def read_pins(path: str | Path, problem: Problem) -> Overrides:
    """Read and check ``path`` against ``problem``; expired rows are ignored and reported.

    Parameters
    ----------
    path:
        The pins file (CSV or .xlsx, sheet ``pins``).
    problem:
        The run's young people and workers (ids, roles, leavers) at its as-of date.

    Returns
    -------
    Overrides
        Pins and exclusions in force, a ``pins`` note for ``summary.json``, and
        a warning listing expired rows.

    Raises
    ------
    InputError
        Listing every problem: missing columns, bad cells, a blank reason, an
        unknown young person or worker, a worker of another role, a pin to a
        worker who cannot take the young person, or rows that contradict
        each other.
    """
    table = read_table(path, "pins")
    problems = ProblemCollector()
    rows = _read_rows(table, problems)
    active = [r for r in rows if r.until is None or r.until >= problem.as_of]
    expired = [r for r in rows if r not in active]
    known = [r for r in active if _check_against_problem(table.name, r, problem, problems)]
    _check_consistent(table.name, known, problems)
    problems.raise_if_any()
    overrides = _overrides(table.name, active, expired, problem.as_of)
    overrides.notes["pins"]["sha256"] = file_sha256(path)
    return overrides


def _read_rows(table: Table, problems: ProblemCollector) -> list[PinRow]:
    cells = CellReader(table, problems)
    if not cells.require_columns(PINS_REQUIRED):
        return []
    people = cells.required_text("person_id", "a person id from the cases file")
    roles = cells.choice("role", list(ROLE_WORDS), required=True)
    workers = cells.required_text("worker_id", "a worker id from the workers file")
    kinds = cells.choice("kind", KINDS, required=True)
    reasons = cells.required_text("reason", "a reason for the pin or exclusion")
    until = cells.dates("until")
    out = []
    for i, row in enumerate(table.rows):
        role, kind = roles[i], kinds[i]
        if role is None or kind is None or not (people[i] and workers[i] and reasons[i]):
            continue  # already reported
        out.append(PinRow(row, people[i], ROLE_WORDS[role], workers[i], kind, reasons[i], until[i]))
    return out


def _check_against_problem(
    name: str, row: PinRow, problem: Problem, problems: ProblemCollector
) -> bool:
    """Unknown ids, a worker of another role, a pin the hard rules would refuse; True if none."""
    before = len(problems.problems)
    person = problem.person_index.get(row.person_id)
    if person is None:
        problems.add(name, row.row, "person_id", row.person_id, "a person_id from the cases file")
    w = problem.worker_index.get(row.worker_id)
    if w is None:
        problems.add(name, row.row, "worker_id", row.worker_id, "a worker_id from the workers file")
        return False
    worker = problem.workers[w]
    if worker.role is not row.role:
        problems.add(
            name,
            row.row,
            "worker_id",
            row.worker_id,
            f"a worker whose role is {row.role.value} (this worker is a {worker.role.value})",
        )
        return False
    if row.kind == "pin" and person is not None:
        _check_pin_target(name, row, problem, person, problems)
    return len(problems.problems) == before


def _check_pin_target(
    name: str, row: PinRow, problem: Problem, person: int, problems: ProblemCollector
) -> None:
    """A pin must be one the hard rules allow: the worker stays and may take the young person."""
    worker = problem.workers[problem.worker_index[row.worker_id]]
    if worker.has_left(problem.as_of):
        problems.add(
            name,
            row.row,
            "worker_id",
            row.worker_id,
            f"a worker still in post on {problem.as_of.isoformat()} "
            f"(leaving_on {worker.leaving_on})",
        )
    holds = problem.people[person].current_worker(row.role) == row.worker_id
    if not holds and not worker.accepting_new:
        problems.add(
            name,
            row.row,
            "worker_id",
            row.worker_id,
            "the current worker or a worker accepting new cases (this one is not)",
        )


def _check_consistent(name: str, rows: Sequence[PinRow], problems: ProblemCollector) -> None:
    """Two pins of one allocation to different workers, or a pin of an excluded pairing."""
    pins: dict[tuple[str, Role], PinRow] = {}
    excludes: dict[tuple[str, Role, str], PinRow] = {}
    for row in rows:
        if row.kind == "exclude":
            excludes.setdefault((row.person_id, row.role, row.worker_id), row)
            continue
        first = pins.setdefault((row.person_id, row.role), row)
        if first.worker_id != row.worker_id:
            problems.add(
                name,
                row.row,
                "worker_id",
                row.worker_id,
                f"one pinned {row.role.value} per young person (row {first.row} "
                f"pins {row.person_id} to {first.worker_id})",
            )
    for (person_id, role), row in pins.items():
        clash = excludes.get((person_id, role, row.worker_id))
        if clash is not None:
            problems.add(
                name,
                clash.row,
                "kind",
                "exclude",
                f"no exclusion of a pinned pairing (row {row.row} pins {person_id} "
                f"to {row.worker_id})",
            )


def _overrides(name: str, active: list[PinRow], expired: list[PinRow], as_of: date) -> Overrides:
    pins = tuple(
        Pin(r.person_id, r.role, r.worker_id, r.reason, r.until) for r in active if r.kind == "pin"
    )
    exclusions = tuple(
        Exclusion(r.person_id, r.role, r.worker_id, r.reason, PINS_SOURCE, r.until)
        for r in active
        if r.kind == "exclude"
    )
    shown = [f"row {r.row} {r.kind} {r.person_id}/{r.worker_id} until {r.until}" for r in expired]
    warnings: tuple[str, ...] = ()
    if expired:
        warnings = (
            f"{len(expired)} expired row(s) of {name} ignored (until before "
            f"{as_of.isoformat()}): " + "; ".join(shown[:10]) + (" ..." if len(shown) > 10 else ""),
        )
    note = {
        "file": name,
        "pins": len(pins),
        "exclusions": len(exclusions),
        "expired": shown,
        "pinned": [
            {
                "person_id": p.person_id,
                "role": p.role.value,
                "worker_id": p.worker_id,
                "reason": p.reason,
                "until": None if p.until is None else p.until.isoformat(),
            }
            for p in pins
        ],
        "excluded": describe(exclusions),
    }
    return Overrides(pins=pins, exclusions=exclusions, notes={"pins": note}, warnings=warnings)
