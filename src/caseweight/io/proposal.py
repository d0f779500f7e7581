"""Write a proposal folder (data contract "Output") atomically.

The folder is written under a temporary name beside the target and renamed
into place only when every file is complete, so a failed run leaves no
half-written folder.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from caseweight.demand import POINTS_SCALE
from caseweight.io.safe_csv import write_csv
from caseweight.problem import Role, age_months, birthday
from caseweight.solver.warm_start import UNALLOCATED
from caseweight.transition import handovers, transitions_table

if TYPE_CHECKING:
    from caseweight.pipeline import Proposal
    from caseweight.weighting import Scores


#: allocations.csv: the contract's columns, then ours.
ALLOCATION_COLUMNS = [
    "person_id",
    "role",
    "current_worker_id",
    "proposed_worker_id",
    "changed",
    "points",
    "reason",
    "detail",
    "need",
]


@contextmanager
def atomic_folder(out_dir: Path) -> Iterator[Path]:
    """Yield a temporary folder that replaces ``out_dir`` only on success."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.parent / f".{out_dir.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        yield tmp
        old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
        if out_dir.exists():
            out_dir.rename(old)
        tmp.rename(out_dir)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _fraction(value: float) -> float | None:
    return None if not np.isfinite(value) else round(float(value), 4)


def allocations_table(p: Proposal) -> pd.DataFrame:
    people, workers = p.problem.people, p.problem.workers
    rows = []
    for req, why in zip(p.instance.requirements, p.explanations, strict=True):
        w = int(p.assignment[req.index])
        rows.append(
            {
                "person_id": people[req.person].person_id,
                "role": req.role.value,
                "current_worker_id": ""
                if req.current_worker is None
                else workers[req.current_worker].worker_id,
                "proposed_worker_id": "" if w == UNALLOCATED else workers[w].worker_id,
                "changed": "true" if p.changed(req.index) else "false",
                "points": req.points / POINTS_SCALE,
                "reason": why.reason.value,
                "detail": why.detail,
                "need": req.need.value,
            }
        )
    return pd.DataFrame(rows, columns=ALLOCATION_COLUMNS)


def workers_table(p: Proposal) -> pd.DataFrame:
    rows = []
    for w, worker in enumerate(p.problem.workers):
        cap = p.instance.capacities[w]
        rows.append(
            {
                "worker_id": worker.worker_id,
                "role": worker.role.value,
                "capacity_points": cap.points,
                "load_before": p.loads_before[w] / POINTS_SCALE,
                "load_after": p.loads_after[w] / POINTS_SCALE,
                "cases_before": int(p.cases_before[w]),
                "cases_after": int(p.cases_after[w]),
                "utilisation_before": _fraction(p.utilisation_before[w]),
                "utilisation_after": _fraction(p.utilisation_after[w]),
                "name": worker.name or "",
                "team": worker.team or "",
                "grade": worker.grade or "",
                "fte": worker.fte,
                "target_points": cap.target_points,
                "hard_limit_points": cap.hard_limit_points,
                "max_cases": "" if worker.max_cases is None else worker.max_cases,
                "accepting_new": "true" if worker.accepting_new else "false",
                "agency": "true" if worker.agency else "false",
                "leaving": "true" if not cap.can_hold else "false",
                "leaving_on": "" if worker.leaving_on is None else worker.leaving_on.isoformat(),
                "reduction_percent": cap.reduction_percent,
            }
        )
    return pd.DataFrame(rows)


def scores_table(scores: Scores) -> pd.DataFrame:
    frame = pd.DataFrame(scores.points, columns=list(scores.factors))
    frame.insert(0, "score", scores.total)
    frame.insert(0, "person_id", list(scores.person_ids))
    return frame


def young_people_table(p: Proposal) -> pd.DataFrame:
    proposed: dict[tuple[int, Role], str] = {}
    needs: dict[int, set[Role]] = {}
    for req in p.instance.requirements:
        w = int(p.assignment[req.index])
        needs.setdefault(req.person, set()).add(req.role)
        proposed[req.person, req.role] = "" if w == UNALLOCATED else p.problem.workers[w].worker_id
    totals = p.scores.total
    as_of = p.problem.as_of
    rows = []
    for i, person in enumerate(p.problem.people):
        roles = needs.get(i, set())
        rows.append(
            {
                "person_id": person.person_id,
                "status": person.status.value,
                "treated_as": p.problem.treated_as(person).value,
                "date_of_birth": person.date_of_birth.isoformat(),
                "age_years": p.problem.age(person),
                "age_months": age_months(person.date_of_birth, as_of),
                "team": person.team or "",
                "score": float(totals[i]),
                "needs_social_worker": str(Role.SOCIAL_WORKER in roles).lower(),
                "needs_personal_adviser": str(Role.PERSONAL_ADVISER in roles).lower(),
                "social_worker": proposed.get((i, Role.SOCIAL_WORKER), ""),
                "personal_adviser": proposed.get((i, Role.PERSONAL_ADVISER), ""),
                "turns_18_on": birthday(person.date_of_birth, 18).isoformat(),
                "sibling_group": person.sibling_group or "",
                "worker_changes_12m": person.worker_changes_12m,
            }
        )
    return pd.DataFrame(rows)


def _json_scalar(value: object) -> object:
    """numpy scalars as plain numbers in summary.json."""
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def write_proposal(p: Proposal, out_dir: Path, extra: Callable[[Path], None] | None = None) -> dict:
    """Write the proposal folder; ``extra`` may add files (e.g. the report) before it lands."""
    summary = p.summary()
    with atomic_folder(out_dir) as tmp:
        write_csv(allocations_table(p), tmp / "allocations.csv")
        write_csv(workers_table(p), tmp / "workers.csv")
        write_csv(scores_table(p.scores), tmp / "scores.csv")
        write_csv(young_people_table(p), tmp / "young_people.csv")
        write_csv(transitions_table(handovers(p)), tmp / "transitions.csv")
        (tmp / "summary.json").write_text(
            json.dumps(summary, indent=2, default=_json_scalar) + "\n", encoding="utf-8"
        )
        if extra is not None:
            extra(tmp)
    return summary
