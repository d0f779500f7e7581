"""The HR capacity feed: who starts, leaves, changes hours or grade, and has protected time.

``hr_changes.csv`` has one row per change (worker_id, change, effective_from,
effective_to, value, reason). :func:`read_hr_changes` validates every row and
the rows against each other (overlapping or contradictory rows are an
:class:`~caseweight.errors.InputError` naming both rows);
:func:`apply_hr_changes` applies them to a :class:`~caseweight.problem.Problem`
for its as-of date, so the same feed serves any month of a forecast.

Changes
-------
starter    in post from ``effective_from``; a worker not in the workers file gives
           the role in ``value`` (and may give ``fte``, ``grade``, ``team``, ``skills``,
           ``agency``: true for an agency cover)
leaver     gone from ``effective_from`` (the workers file's ``leaving_on``)
fte        ``value`` in (0, 1] from ``effective_from`` to ``effective_to`` (blank: open)
grade      ``value`` a grade of the config from ``effective_from`` to ``effective_to``
reduction  ``value`` percent of capacity in (0, 100] with a ``reason`` (maternity,
           trade-union time, newly qualified protected caseload, ...), to ``effective_to``
return     back from ``effective_from``: ends the reductions running that day; a
           ``value`` is a phased-return reduction from then to ``effective_to``
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import pandas as pd

from caseweight.config import ROLES, Config
from caseweight.errors import InputError, ProblemCollector
from caseweight.errors import Problem as InputProblem
from caseweight.io.cells import CellReader
from caseweight.io.tables import Table, normalise_column, read_table
from caseweight.problem import Problem, Reduction, Role, Worker

HR_REQUIRED = ("worker_id", "change", "effective_from")
OPEN_END = date.max


class ChangeKind(StrEnum):
    STARTER = "starter"
    LEAVER = "leaver"
    FTE = "fte"
    GRADE = "grade"
    REDUCTION = "reduction"
    RETURN = "return"


@dataclass(frozen=True)
class HRChange:
    """One validated row of the HR feed."""

    worker_id: str
    kind: ChangeKind
    effective_from: date
    effective_to: date | None
    value: str | None
    reason: str | None
    file: str
    row: int
    role: Role | None = None  # starters not in the workers file
    fte: float | None = None
    grade: str | None = None
    team: str | None = None
    skills: tuple[str, ...] = ()
    agency: bool = False

    @property
    def end(self) -> date:
        return self.effective_to or OPEN_END

    def active_on(self, day: date) -> bool:
        return self.effective_from <= day <= self.end

    def overlaps(self, other: HRChange) -> bool:
        return self.effective_from <= other.end and other.effective_from <= self.end

    def describe(self) -> str:
        until = f" to {self.effective_to.isoformat()}" if self.effective_to else ""
        value = f" {self.value}" if self.value else ""
        return f"row {self.row}: {self.kind.value}{value} from {self.effective_from}{until}"


def read_hr_changes(
    path: str | Path, workers: Sequence[Worker], config: Config
) -> tuple[HRChange, ...]:
    """Read and validate ``hr_changes.csv`` (or ``.xlsx``) against the workers.

    Raises
    ------
    InputError
        Listing every bad cell and every pair of contradictory rows.
    """
    return hr_changes_from_table(read_table(path, "hr_changes"), workers, config)


def hr_changes_from_records(
    records: Sequence[Mapping[str, Any]],
    rows: Sequence[int],
    name: str,
    workers: Sequence[Worker],
    config: Config,
) -> tuple[HRChange, ...]:
    """Validate HR rows given as mappings (a scenario's ``hr:`` list); ``rows`` locate them."""
    frame = pd.DataFrame(
        [{normalise_column(k): _text(v) for k, v in r.items()} for r in records], dtype=str
    ).fillna("")
    table = Table(name, frame, tuple(rows), {c: c for c in frame.columns})
    return hr_changes_from_table(table, workers, config)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return str(value).strip()


def hr_changes_from_table(
    table: Table, workers: Sequence[Worker], config: Config
) -> tuple[HRChange, ...]:
    """Validate an HR table: cells first, then the rows against each other."""
    problems = ProblemCollector()
    cells = CellReader(table, problems)
    if not cells.require_columns(HR_REQUIRED):
        problems.raise_if_any()
    ids = cells.required_text("worker_id", "a worker id")
    kinds = cells.choice("change", [k.value for k in ChangeKind], required=True)
    starts = cells.dates("effective_from", required=True)
    ends = cells.dates("effective_to")
    values, reasons = cells.text("value"), cells.text("reason")
    ftes = cells.numbers("fte", 0.0, 1.0, low_open=True)
    grades = cells.choice("grade", sorted(config.capacity.grade_factor))
    teams, skills = cells.text("team"), cells.lists("skills")
    agency = cells.booleans("agency")
    changes = []
    for i, row in enumerate(table.rows):
        if kinds[i] is None or starts[i] is None or not ids[i]:
            continue
        change = HRChange(
            worker_id=ids[i],
            kind=ChangeKind(kinds[i] or ""),
            effective_from=starts[i],  # type: ignore[arg-type]
            effective_to=ends[i],
            value=values[i],
            reason=reasons[i],
            file=table.name,
            row=row,
            fte=ftes[i],
            grade=grades[i],
            team=teams[i],
            skills=skills[i],
            agency=agency[i],
        )
        changes.append(_check_value(change, config, problems))
    problems.raise_if_any()
    check_consistency(changes, {w.worker_id: w for w in workers}, problems)
    problems.raise_if_any()
    return tuple(changes)


def _check_value(change: HRChange, config: Config, problems: ProblemCollector) -> HRChange:
    """The ``value`` each kind needs; returns the change with its typed fields set."""
    add = lambda expected: problems.add(  # noqa: E731
        change.file, change.row, "value", change.value or "", expected
    )
    if change.effective_to is not None and change.effective_to < change.effective_from:
        problems.add(
            change.file,
            change.row,
            "effective_to",
            change.effective_to.isoformat(),
            f"a date on or after effective_from ({change.effective_from.isoformat()})",
        )
    kind, value = change.kind, change.value
    if kind is ChangeKind.FTE:
        number = _number(value)
        if number is None or not 0 < number <= 1:
            add("an FTE in (0, 1]")
        return dataclasses.replace(change, fte=number)
    if kind is ChangeKind.GRADE:
        grade = (value or "").lower()
        if grade not in config.capacity.grade_factor:
            add("one of " + " | ".join(sorted(config.capacity.grade_factor)))
        return dataclasses.replace(change, grade=grade)
    if kind is ChangeKind.REDUCTION or (kind is ChangeKind.RETURN and value):
        number = _number(value)
        if number is None or not 0 < number <= 100:
            add("a reduction percentage in (0, 100]")
        if kind is ChangeKind.REDUCTION and not change.reason:
            problems.add(change.file, change.row, "reason", "", "the reason for the reduction")
    if kind is ChangeKind.STARTER and value:
        if value.lower() not in ROLES:
            add("the starter's role: " + " | ".join(ROLES))
        else:
            return dataclasses.replace(change, role=Role(value.lower()))
    return change


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def check_consistency(
    changes: Sequence[HRChange], workers: Mapping[str, Worker], problems: ProblemCollector
) -> None:
    """Rows that overlap or contradict each other, each reported naming both rows."""
    by_worker: dict[str, list[HRChange]] = defaultdict(list)
    for change in changes:
        by_worker[change.worker_id].append(change)
    for worker_id, rows in by_worker.items():
        starters = [c for c in rows if c.kind is ChangeKind.STARTER]
        if worker_id not in workers and not starters:
            first = rows[0]
            problems.add(
                first.file,
                first.row,
                "worker_id",
                worker_id,
                "a worker in the workers file, or a starter row for this worker",
            )
        elif worker_id not in workers and starters[0].role is None:
            problems.add(
                starters[0].file,
                starters[0].row,
                "value",
                starters[0].value or "",
                "the role of a starter not in the workers file: " + " | ".join(ROLES),
            )
        _check_pairs(rows, problems)
        _check_returns(rows, problems)


def _conflict(problems: ProblemCollector, first: HRChange, second: HRChange, why: str) -> None:
    problems.add(
        second.file,
        second.row,
        "effective_from",
        second.effective_from.isoformat(),
        f"no {why} with row {first.row} ({first.describe()}) for worker {second.worker_id}",
    )


def _check_pairs(rows: Sequence[HRChange], problems: ProblemCollector) -> None:
    once = (ChangeKind.STARTER, ChangeKind.LEAVER)
    for i, first in enumerate(rows):
        for second in rows[i + 1 :]:
            a, b = sorted((first, second), key=lambda c: c.row)
            if a.kind is b.kind and a.kind in once:
                _conflict(problems, a, b, f"second {a.kind.value} row: it contradicts")
            elif a.kind is b.kind and a.kind in (ChangeKind.FTE, ChangeKind.GRADE):
                if a.overlaps(b):
                    _conflict(problems, a, b, f"{a.kind.value} period overlapping")
            elif a.kind is b.kind is ChangeKind.REDUCTION and a.overlaps(b):
                if (a.reason or "").lower() == (b.reason or "").lower():
                    _conflict(problems, a, b, "reduction for the same reason overlapping")
                elif (_number(a.value) or 0) + (_number(b.value) or 0) > 100:
                    _conflict(problems, a, b, "reductions adding up to over 100% overlapping")
            else:
                _check_order(a, b, problems)


def _check_order(a: HRChange, b: HRChange, problems: ProblemCollector) -> None:
    """Nothing happens to a worker after they leave or before they start."""
    for edge, other in ((a, b), (b, a)):
        if edge.kind is ChangeKind.LEAVER and other.effective_from >= edge.effective_from:
            _conflict(problems, a, b, "change on or after the leaving date: it contradicts")
            return
        if edge.kind is ChangeKind.STARTER and other.effective_from < edge.effective_from:
            _conflict(problems, a, b, "change before the start date: it contradicts")
            return


def _check_returns(rows: Sequence[HRChange], problems: ProblemCollector) -> None:
    reductions = [c for c in rows if c.kind is ChangeKind.REDUCTION]
    for ret in (c for c in rows if c.kind is ChangeKind.RETURN):
        day_before = ret.effective_from - timedelta(days=1)
        if not any(r.active_on(day_before) for r in reductions):
            problems.add(
                ret.file,
                ret.row,
                "effective_from",
                ret.effective_from.isoformat(),
                f"a return the day after a reduction row of worker {ret.worker_id} "
                f"(none runs on {day_before.isoformat()})",
            )


def apply_hr_changes(problem: Problem, changes: Iterable[HRChange]) -> Problem:
    """``problem`` with the HR feed applied for its as-of date.

    Workers not yet started are left out (an error if the cases file already
    gives them young people); starters not in the workers file are added once
    in post; leavers get ``leaving_on``; the FTE and grade in force on the
    as-of date apply; reductions are attached with their dates (the capacity
    module applies those active on the day), cut short by a return.
    """
    as_of = problem.as_of
    by_worker: dict[str, list[HRChange]] = defaultdict(list)
    for change in changes:
        by_worker[change.worker_id].append(change)
    holders = _held_workers(problem)
    workers: list[Worker] = []
    for worker in problem.workers:
        rows = by_worker.pop(worker.worker_id, [])
        starter = next((c for c in rows if c.kind is ChangeKind.STARTER), None)
        if starter is not None and starter.effective_from > as_of:
            if worker.worker_id in holders:
                raise InputError([_not_started(starter, as_of)])
            continue
        workers.append(worker_on(worker, rows, as_of))
    for worker_id, rows in by_worker.items():
        starter = next((c for c in rows if c.kind is ChangeKind.STARTER), None)
        if starter is None or starter.role is None or starter.effective_from > as_of:
            continue
        new = Worker(
            worker_id=worker_id,
            row=starter.row,
            role=starter.role,
            fte=starter.fte or 1.0,
            grade=starter.grade,
            team=starter.team,
            skills=frozenset(starter.skills),
            agency=starter.agency,
        )
        workers.append(worker_on(new, rows, as_of))
    return dataclasses.replace(problem, workers=tuple(workers))


def _held_workers(problem: Problem) -> set[str]:
    held = {p.current_social_worker for p in problem.people}
    held |= {p.current_personal_adviser for p in problem.people}
    return {w for w in held if w}


def _not_started(starter: HRChange, as_of: date) -> InputProblem:
    return InputProblem(
        starter.file,
        starter.row,
        "effective_from",
        starter.effective_from.isoformat(),
        f"a start on or before {as_of.isoformat()}: the cases file already gives "
        f"worker {starter.worker_id} young people",
    )


def worker_on(worker: Worker, rows: Sequence[HRChange], as_of: date) -> Worker:
    """``worker`` with their HR rows applied for ``as_of``."""
    fte, grade, leaving = worker.fte, worker.grade, worker.leaving_on
    for row in rows:
        if row.kind is ChangeKind.FTE and row.active_on(as_of) and row.fte is not None:
            fte = row.fte
        elif row.kind is ChangeKind.GRADE and row.active_on(as_of):
            grade = row.grade
        elif row.kind is ChangeKind.LEAVER:
            leaving = min(leaving or OPEN_END, row.effective_from)
    return dataclasses.replace(
        worker,
        fte=fte,
        grade=grade,
        leaving_on=leaving,
        reductions=worker.reductions + _reductions(rows),
    )


def _reductions(rows: Sequence[HRChange]) -> tuple[Reduction, ...]:
    returns = sorted(r.effective_from for r in rows if r.kind is ChangeKind.RETURN)
    out = []
    for row in rows:
        if row.kind is ChangeKind.REDUCTION:
            end = row.effective_to
            for back in returns:
                if row.effective_from < back <= (end or OPEN_END):
                    end = back - timedelta(days=1)
                    break
            out.append(Reduction(float(row.value or 0), row.reason or "", row.effective_from, end))
        elif row.kind is ChangeKind.RETURN and row.value:
            reason = row.reason or "phased return"
            out.append(Reduction(float(row.value), reason, row.effective_from, row.effective_to))
    return tuple(out)
