"""Headline, worker load, moves and configuration tables."""

from __future__ import annotations

from collections import Counter
from typing import Any

from caseweight.report.content import (
    ReportTable,
    WorkerView,
    gap,
    number,
    numbers,
    reason_label,
    role_label,
    summary_number,
    table,
    text,
    worker_labels,
)
from caseweight.report.load import Proposal

UNALLOCATED_REASONS = ("no_capacity", "no_eligible_worker")


def headline_table(proposal: Proposal, generated_at: str) -> ReportTable:
    """The headline figures as (measure, value) rows, in the order a manager reads them."""
    s = proposal.summary
    pct, count = "percent", "count"
    rows: list[tuple[Any, ...]] = [
        ("As-of date", str(s.get("as_of", "")), "date"),
        ("Young people", _int(s.get("people")), count),
        ("Workers", _int(s.get("workers")), count),
        ("Allocations", _int(s.get("allocations")), count),
        ("Changes of worker proposed", _int(s.get("changes")), count),
        ("Unallocated", _int(s.get("unallocated")), count),
        ("Workers over target before", _int(s.get("workers_over_target_before")), count),
        ("Workers over target after", _int(s.get("workers_over_target_after")), count),
        ("Highest utilisation after", summary_number(s, "max_utilisation"), pct),
        ("Target utilisation", summary_number(s, "target_utilisation"), pct),
        ("Hard limit", summary_number(s, "hard_limit"), pct),
        ("Solver status", str(s.get("status", "")), "text"),
        ("Optimality gap", gap(s), pct),
        ("Objective", summary_number(s, "objective"), "number"),
        ("Best bound", summary_number(s, "best_bound"), "number"),
        ("Solve seconds", summary_number(s, "solve_seconds"), "seconds"),
    ]
    by_role = s.get("by_role")
    if isinstance(by_role, dict):
        for role, figures in by_role.items():
            if not isinstance(figures, dict):
                continue
            name = role_label(str(role))
            rows.append((f"{name}: changes", _int(figures.get("changes")), count))
            for when in ("before", "after"):
                value = summary_number(figures, f"max_utilisation_{when}")
                rows.append((f"{name}: highest utilisation {when}", value, pct))
    warnings = s.get("warnings")
    if isinstance(warnings, list):
        rows += [("Warning", str(w), "text") for w in warnings]
    rows.append(("Report generated", generated_at, "text"))
    columns = [("measure", "Measure", "text"), ("value", "Value", "any"), ("unit", "Unit", "text")]
    return table("headline", "Summary", columns, rows)


def reasons_table(proposal: Proposal) -> ReportTable:
    """Changes, new allocations and unallocated allocations counted by reason.

    ``moves_by_reason`` from the summary is used as given; reasons it leaves out
    (for example why allocations could not be made) are counted from
    ``allocations.csv`` so the manager sees every reason.
    """
    counted: Counter[str] = Counter()
    for changed, worker, why in _move_fields(proposal):
        if changed or not worker:
            counted[why] += 1
    given = proposal.summary.get("moves_by_reason")
    counts: Counter[str] = Counter()
    if isinstance(given, dict):
        counts.update({str(k): int(number(v)) for k, v in given.items()})
    counts.update({k: n for k, n in counted.items() if k not in counts})
    counts.pop("kept", None)
    rows = [(r, reason_label(r), n) for r, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))]
    columns = [
        ("reason", "Reason", "text"),
        ("meaning", "Meaning", "text"),
        ("count", "Count", "int"),
    ]
    return table("reasons", "Changes by reason", columns, rows, sheet="Changes by reason")


def _move_fields(proposal: Proposal) -> list[tuple[bool, str, str]]:
    alloc = proposal.allocations
    changed = [bool(v) for v in alloc["changed"]] if "changed" in alloc else [False] * len(alloc)
    return list(zip(changed, text(alloc, "proposed_worker_id"), text(alloc, "reason"), strict=True))


def workers_table(views: list[WorkerView]) -> ReportTable:
    """Load per worker before and after, with capacity and utilisation."""
    columns = [
        ("worker", "Worker", "text"),
        ("role", "Role", "text"),
        ("team", "Team", "text"),
        ("capacity", "Capacity (points)", "num"),
        ("load_before", "Load before", "num"),
        ("load_after", "Load after", "num"),
        ("utilisation_before", "Utilisation before", "pct"),
        ("utilisation_after", "Utilisation after", "pct"),
        ("cases_before", "Cases before", "int"),
        ("cases_after", "Cases after", "int"),
        ("status", "Status", "text"),
    ]
    rows = [
        (
            v.label,
            role_label(v.role),
            v.team,
            v.capacity,
            v.load_before,
            v.load_after,
            v.utilisation_before,
            v.utilisation_after,
            v.cases_before,
            v.cases_after,
            _worker_status(v),
        )
        for v in views
    ]
    return table("workers", "Load per worker", columns, rows, sheet="Workers")


def _worker_status(view: WorkerView) -> str:
    status = []
    if view.leaving:
        status.append("leaving")
    if not view.accepting_new:
        status.append("not accepting new")
    return ", ".join(status)


def moves_table(proposal: Proposal) -> ReportTable:
    """Every proposed change of worker (allocated rows whose worker changes)."""
    rows = [r for r in _allocation_rows(proposal) if r[-1] and r[3]]
    return table(
        "moves", "Proposed changes of worker", _MOVE_COLUMNS, [r[:-1] for r in rows], sheet="Moves"
    )


def unallocated_table(proposal: Proposal) -> ReportTable:
    """Young people left without a worker of a role they need, and why."""
    rows = [r[:-1] for r in _allocation_rows(proposal) if not r[3]]
    return table("unallocated", "Left unallocated", _MOVE_COLUMNS, rows, sheet="Unallocated")


def allocations_table(proposal: Proposal) -> ReportTable:
    """Every allocation, kept or changed (the workbook's full list)."""
    rows = [r[:-1] for r in _allocation_rows(proposal)]
    return table("allocations", "All allocations", _MOVE_COLUMNS, rows, sheet="Allocations")


_MOVE_COLUMNS = [
    ("person_id", "Young person", "text"),
    ("role", "Role", "text"),
    ("from", "From", "text"),
    ("to", "To", "text"),
    ("reason", "Reason", "text"),
    ("points", "Points", "num"),
    ("detail", "Detail", "text"),
]


def _allocation_rows(proposal: Proposal) -> list[tuple[Any, ...]]:
    alloc = proposal.allocations
    labels = worker_labels(proposal)
    changed = [bool(v) for v in alloc["changed"]] if "changed" in alloc else None
    current, proposed = text(alloc, "current_worker_id"), text(alloc, "proposed_worker_id")
    rows = []
    for i, (pid, role, why, pts, detail) in enumerate(
        zip(
            text(alloc, "person_id"),
            text(alloc, "role"),
            text(alloc, "reason"),
            numbers(alloc, "points"),
            text(alloc, "detail"),
            strict=True,
        )
    ):
        moved = changed[i] if changed is not None else current[i] != proposed[i]
        rows.append(
            (
                pid,
                role_label(role),
                labels.get(current[i], current[i]) if current[i] else "",
                labels.get(proposed[i], proposed[i]) if proposed[i] else "",
                why,
                number(pts),
                detail or reason_label(why),
                moved,
            )
        )
    return rows


def config_table(proposal: Proposal, generated_at: str) -> ReportTable:
    """Where the numbers come from: weights version, config digest, run facts."""
    s = proposal.summary
    rows: list[tuple[Any, ...]] = [
        ("Weights version", str(s.get("config_version", "") or "not recorded")),
        ("Config SHA-256", str(s.get("config_sha256", "") or "not recorded")),
        ("As-of date", str(s.get("as_of", ""))),
        ("Solver status", str(s.get("status", ""))),
        ("Report generated", generated_at),
    ]
    columns = [("item", "Item", "text"), ("value", "Value", "text")]
    return table("config", "Weights and configuration", columns, rows, sheet="Config")


def _int(value: Any) -> int | None:
    return None if value is None or isinstance(value, bool) else int(number(value))
