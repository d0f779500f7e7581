"""Read a proposal folder (``allocations.csv`` and ``summary.json``) for the store.

The folder is the one ``caseweight allocate`` writes; the store needs the
allocation rows and the run's identity (run id, as-of date, input and config
digests). Anything malformed is an :class:`~caseweight.errors.InputError`
naming the file, row and column.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from caseweight.errors import InputError, Problem, ProblemCollector
from caseweight.io.tables import Table, parse_bool, read_table

ROLES = ("social_worker", "personal_adviser")
REQUIRED_COLUMNS = ("person_id", "role", "current_worker_id", "proposed_worker_id", "changed")
SUMMARY_TEXT_KEYS = ("cases_sha256", "workers_sha256", "config_sha256", "config_version", "status")


@dataclass(frozen=True)
class ProposalRow:
    """One (young person, role) line of ``allocations.csv``; blank worker ids are ``None``."""

    person_id: str
    role: str
    current_worker_id: str | None
    proposed_worker_id: str | None
    changed: bool
    points: float | None
    reason: str
    detail: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.person_id, self.role)


@dataclass(frozen=True)
class Proposal:
    """A proposal folder as the store sees it.

    ``digest`` is the SHA-256 of ``allocations.csv`` and the as-of date: two
    folders with the same digest propose the same thing.
    """

    path: Path
    run_id: str
    as_of: date
    summary: dict[str, object]
    summary_json: str
    digest: str
    rows: tuple[ProposalRow, ...]

    def text(self, key: str) -> str | None:
        """A summary value as text (``None`` when absent or blank)."""
        value = self.summary.get(key)
        return None if value in (None, "") else str(value)

    @property
    def moves(self) -> dict[tuple[str, str], ProposalRow]:
        """The rows that change the young person's worker, by (person_id, role)."""
        return {row.key: row for row in self.rows if row.changed}


def read_proposal(folder: str | Path) -> Proposal:
    """Read and check the proposal in ``folder``.

    Raises
    ------
    InputError
        When a file is missing or malformed (named with row and column).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError([Problem(str(folder), None, None, None, "a proposal folder")])
    summary, summary_json = _read_summary(folder / "summary.json")
    as_of = _as_of(summary)
    csv_path = folder / "allocations.csv"
    rows = _read_rows(read_table(csv_path, "allocations"))
    digest = hashlib.sha256(csv_path.read_bytes() + as_of.isoformat().encode()).hexdigest()
    run_id = str(summary.get("run_id") or "").strip() or f"run-{digest[:16]}"
    return Proposal(folder, run_id, as_of, summary, summary_json, digest, rows)


def _read_summary(path: Path) -> tuple[dict[str, object], str]:
    if not path.is_file():
        raise InputError([Problem(path.name, None, None, str(path), "an existing file")])
    text = path.read_text(encoding="utf-8-sig")
    try:
        summary = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError([Problem(path.name, exc.lineno, None, exc.msg, "a JSON object")]) from None
    if not isinstance(summary, dict):
        raise InputError([Problem(path.name, None, None, type(summary).__name__, "a JSON object")])
    return summary, text


def _as_of(summary: dict[str, object]) -> date:
    value = summary.get("as_of")
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        shown = None if value is None else str(value)
        raise InputError(
            [Problem("summary.json", None, "as_of", shown, "a date YYYY-MM-DD")]
        ) from None


def _read_rows(table: Table) -> tuple[ProposalRow, ...]:
    problems = ProblemCollector()
    for column in REQUIRED_COLUMNS:
        if not table.has(column):
            problems.add(table.name, None, column, None, "this column")
    problems.raise_if_any()
    seen: dict[tuple[str, str], int] = {}
    rows: list[ProposalRow] = []
    records: list[dict[str, str]] = table.frame.to_dict("records")  # type: ignore[assignment]
    for i, record in enumerate(records):
        row = _read_row(table.name, table.rows[i], record, problems)
        if row is None:
            continue
        if row.key in seen:
            problems.add(
                table.name,
                table.rows[i],
                "person_id",
                row.person_id,
                f"one row per person and role (also row {seen[row.key]})",
            )
        seen[row.key] = table.rows[i]
        rows.append(row)
    problems.raise_if_any()
    return tuple(rows)


def _read_row(
    name: str, line: int, record: dict[str, str], problems: ProblemCollector
) -> ProposalRow | None:
    before = len(problems.problems)
    person_id, role = record["person_id"], record["role"]
    if not person_id:
        problems.add(name, line, "person_id", person_id, "a young person's id")
    if role not in ROLES:
        problems.add(name, line, "role", role, " or ".join(ROLES))
    changed = parse_bool(record["changed"])
    current = record["current_worker_id"] or None
    proposed = record["proposed_worker_id"] or None
    if changed is None:
        problems.add(name, line, "changed", record["changed"], "true or false")
    elif changed != (current != proposed):
        expected = "true (the worker changes)" if current != proposed else "false (same worker)"
        problems.add(name, line, "changed", record["changed"], expected)
    points = _points(name, line, record.get("points", ""), problems)
    if len(problems.problems) > before:
        return None
    return ProposalRow(
        person_id,
        role,
        current,
        proposed,
        bool(changed),
        points,
        record.get("reason", ""),
        record.get("detail", ""),
    )


def _points(name: str, line: int, text: str, problems: ProblemCollector) -> float | None:
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        problems.add(name, line, "points", text, "a number")
        return None
