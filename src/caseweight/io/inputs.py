"""Read the cases and workers files into a validated :class:`~caseweight.problem.Problem`.

Everything is checked before any work is done, and every problem is reported
at once with file, row, column, the bad value and what was expected.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from caseweight.config import (
    EXPLOITATION_LEVELS,
    LEGAL_STATUSES,
    NEEDS_FLAGS,
    PLACEMENT_TYPES,
    ROLES,
    Config,
)
from caseweight.errors import ProblemCollector
from caseweight.io.cells import CellReader
from caseweight.io.tables import Table, read_table
from caseweight.problem import Problem, Role, Status, Worker, YoungPerson, age_years

CASES_REQUIRED = ("person_id", "date_of_birth", "status")
WORKERS_REQUIRED = ("worker_id", "role", "fte")
MAX_CARE_LEAVER_AGE = 25


def file_sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_problem(
    cases_path: str | Path, workers_path: str | Path, as_of: date, config: Config
) -> Problem:
    """Read and validate both files; raise :class:`InputError` listing every problem."""
    cases = read_table(cases_path, "cases")
    workers_table = read_table(workers_path, "workers")
    problems = ProblemCollector()
    workers = read_workers(workers_table, config, problems)
    # without the workers file's own columns there is nothing to check ids against
    complete = all(workers_table.has(column) for column in WORKERS_REQUIRED)
    people = read_cases(cases, as_of, workers if complete else None, problems)
    problems.raise_if_any()
    return Problem(
        as_of=as_of,
        people=tuple(people),
        workers=tuple(workers),
        cases_file=cases.name,
        workers_file=workers_table.name,
        digests={
            "cases_sha256": file_sha256(cases_path),
            "workers_sha256": file_sha256(workers_path),
        },
    )


def read_cases_only(cases_path: str | Path, as_of: date) -> Problem:
    """Read the cases file alone, for scoring (no workers to check against)."""
    cases = read_table(cases_path, "cases")
    problems = ProblemCollector()
    people = read_cases(cases, as_of, None, problems)
    problems.raise_if_any()
    return Problem(as_of=as_of, people=tuple(people), workers=(), cases_file=cases.name)


def read_workers(table: Table, config: Config, problems: ProblemCollector) -> list[Worker]:
    """Validate the workers table; problems go to ``problems``."""
    cells = CellReader(table, problems)
    if not cells.require_columns(WORKERS_REQUIRED):
        return []
    ids = cells.required_text("worker_id", "a worker id")
    cells.unique_ids("worker_id", ids)
    roles = cells.choice("role", ROLES, required=True)
    ftes = cells.numbers("fte", 0.0, 1.0, low_open=True, required=True)
    grades = cells.choice("grade", sorted(config.capacity.grade_factor))
    capacity = cells.numbers("capacity_points", 0.0, low_open=True)
    max_cases = cells.counts("max_cases", minimum=1)
    accepting = cells.booleans("accepting_new", blank=True)
    leaving = cells.dates("leaving_on")
    agency = cells.booleans("agency")
    names, teams = cells.text("name"), cells.text("team")
    skills = cells.lists("skills")
    workers = []
    for i, row in enumerate(table.rows):
        workers.append(
            Worker(
                worker_id=ids[i],
                row=row,
                role=Role(roles[i] or Role.SOCIAL_WORKER),
                fte=ftes[i] or 1.0,
                name=names[i],
                grade=grades[i],
                team=teams[i],
                capacity_points=capacity[i],
                max_cases=max_cases[i],
                skills=frozenset(skills[i]),
                accepting_new=accepting[i],
                leaving_on=leaving[i],
                agency=agency[i],
            )
        )
    return workers


def read_cases(
    table: Table, as_of: date, workers: Sequence[Worker] | None, problems: ProblemCollector
) -> list[YoungPerson]:
    """Validate the cases table against the workers; problems go to ``problems``.

    With ``workers=None`` current worker ids are taken as given (scoring only).
    """
    cells = CellReader(table, problems)
    if not cells.require_columns(CASES_REQUIRED):
        return []
    ids = cells.required_text("person_id", "a person id")
    cells.unique_ids("person_id", ids)
    births = cells.dates("date_of_birth", required=True)
    statuses = cells.choice("status", [s.value for s in Status], required=True)
    _check_ages(table, problems, births, statuses, as_of)
    roles: dict[str, Role | None] | None = None
    if workers is not None:
        # a worker whose own role cell is bad is reported there, not again here
        bad = {p.row for p in problems.problems if p.column == "role" and p.file != table.name}
        roles = {w.worker_id: None if w.row in bad else w.role for w in workers}
    current = {
        Role.SOCIAL_WORKER: _current_workers(cells, "current_social_worker", roles),
        Role.PERSONAL_ADVISER: _current_workers(cells, "current_personal_adviser", roles),
    }
    flags = {flag: cells.booleans(flag) for flag in NEEDS_FLAGS}
    columns: dict[str, list[Any]] = {
        "team": cells.text("team"),
        "legal_status": cells.choice("legal_status", LEGAL_STATUSES),
        "placement_type": cells.choice("placement_type", PLACEMENT_TYPES),
        "placement_distance_km": cells.numbers("placement_distance_km", 0.0),
        "placement_moves_12m": cells.counts("placement_moves_12m"),
        "missing_episodes_12m": cells.counts("missing_episodes_12m"),
        "worker_changes_12m": cells.counts("worker_changes_12m"),
        "exploitation_risk": cells.choice("exploitation_risk", EXPLOITATION_LEVELS),
        "sibling_group": cells.text("sibling_group"),
    }
    skills = cells.lists("needs_skills")
    people = []
    for i, row in enumerate(table.rows):
        values: dict[str, Any] = {name: column[i] for name, column in columns.items()}
        for count in ("placement_moves_12m", "missing_episodes_12m", "worker_changes_12m"):
            values[count] = values[count] or 0
        people.append(
            YoungPerson(
                person_id=ids[i],
                row=row,
                date_of_birth=births[i] or as_of,
                status=Status(statuses[i] or Status.IN_CARE),
                current_social_worker=current[Role.SOCIAL_WORKER][i],
                current_personal_adviser=current[Role.PERSONAL_ADVISER][i],
                flags=frozenset(f for f in NEEDS_FLAGS if flags[f][i]),
                needs_skills=skills[i],
                **values,
            )
        )
    return people


def _check_ages(
    table: Table,
    problems: ProblemCollector,
    births: list[date | None],
    statuses: list[str | None],
    as_of: date,
) -> None:
    for row, born, status in zip(table.rows, births, statuses, strict=True):
        if born is None:
            continue
        text = born.isoformat()
        if born > as_of:
            problems.add(
                table.name, row, "date_of_birth", text, f"a date on or before {as_of.isoformat()}"
            )
            continue
        age = age_years(born, as_of)
        if status == Status.CARE_LEAVER and not 16 <= age <= MAX_CARE_LEAVER_AGE:
            problems.add(
                table.name,
                row,
                "date_of_birth",
                text,
                f"a care leaver aged 16 to 25 on {as_of.isoformat()} (this gives {age})",
            )
        if status == Status.IN_CARE and age > MAX_CARE_LEAVER_AGE:
            problems.add(
                table.name,
                row,
                "date_of_birth",
                text,
                f"a young person in care aged under 26 on {as_of.isoformat()} (this gives {age})",
            )


def _current_workers(
    cells: CellReader, column: str, roles: dict[str, Role | None] | None
) -> list[str | None]:
    """Current worker ids; an unknown id or one of the wrong role is an input error."""
    wanted = Role(column.removeprefix("current_"))
    values = cells.text(column)
    if roles is None:
        return values
    for row, worker_id in zip(cells.table.rows, values, strict=True):
        if worker_id is None:
            continue
        if worker_id in roles and roles[worker_id] is None:
            continue  # the worker's role is itself in question
        role = roles.get(worker_id)
        if role is None:
            cells.problems.add(
                cells.table.name, row, column, worker_id, "a worker_id from the workers file"
            )
        elif role is not wanted:
            cells.problems.add(
                cells.table.name,
                row,
                column,
                worker_id,
                f"a worker whose role is {wanted.value} (this worker is a {role.value})",
            )
    return values
