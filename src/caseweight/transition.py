"""The handover at 18: the social worker's part ends, the personal adviser carries on.

For each young person whose 18th birthday falls within ``transition_months``
(config) after the as-of date, the proposal lists who the social worker is
(and that their part ends on the birthday) and who the personal adviser is
(who continues). A young person still without a personal adviser three months
before their birthday is flagged: inspectors criticise late allocation, and an
adviser allocated early gives continuity through the change.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from caseweight.problem import Role, add_months, age_months, birthday
from caseweight.solver.warm_start import UNALLOCATED

if TYPE_CHECKING:
    from caseweight.pipeline import Proposal

#: A young person without a personal adviser this many months before 18 is flagged.
FLAG_MONTHS = 3
COLUMNS = (
    "person_id",
    "status",
    "date_of_birth",
    "turns_18_on",
    "months_to_18",
    "social_worker",
    "social_worker_ends_on",
    "personal_adviser",
    "current_personal_adviser",
    "personal_adviser_changes",
    "no_personal_adviser_flag",
    "allocate_personal_adviser_by",
    "handover",
)


@dataclass(frozen=True)
class Handover:
    """One young person's handover at 18, under the proposed allocation."""

    person_id: str
    status: str
    date_of_birth: str
    turns_18_on: str
    months_to_18: int
    social_worker: str
    social_worker_ends_on: str
    personal_adviser: str
    current_personal_adviser: str
    personal_adviser_changes: bool
    no_personal_adviser_flag: bool
    allocate_personal_adviser_by: str
    handover: str


def months_between(start: date, end: date) -> int:
    """Whole calendar months from ``start`` to ``end`` (``end`` after ``start``)."""
    return age_months(start, end)


def handovers(proposal: Proposal) -> list[Handover]:
    """Every young person turning 18 within ``transition_months`` after the as-of date.

    Ordered by birthday, then person id.
    """
    problem = proposal.problem
    as_of = problem.as_of
    horizon = add_months(as_of, proposal.config.transition_months)
    proposed = _proposed_workers(proposal)
    out = []
    for i, person in enumerate(problem.people):
        eighteen = birthday(person.date_of_birth, 18)
        if not as_of < eighteen <= horizon:
            continue
        sw = proposed.get((i, Role.SOCIAL_WORKER), "")
        pa = proposed.get((i, Role.PERSONAL_ADVISER), "")
        due = add_months(eighteen, -FLAG_MONTHS)
        current_pa = person.current_personal_adviser or ""
        out.append(
            Handover(
                person_id=person.person_id,
                status=person.status.value,
                date_of_birth=person.date_of_birth.isoformat(),
                turns_18_on=eighteen.isoformat(),
                months_to_18=months_between(as_of, eighteen),
                social_worker=sw,
                social_worker_ends_on=eighteen.isoformat() if sw else "",
                personal_adviser=pa,
                current_personal_adviser=current_pa,
                personal_adviser_changes=bool(current_pa and pa and pa != current_pa),
                no_personal_adviser_flag=not pa and due <= as_of,
                allocate_personal_adviser_by="" if pa else due.isoformat(),
                handover=_handover_text(sw, pa, eighteen, due, as_of),
            )
        )
    out.sort(key=lambda h: (h.turns_18_on, h.person_id))
    return out


def _proposed_workers(proposal: Proposal) -> dict[tuple[int, Role], str]:
    workers = proposal.problem.workers
    found = {}
    for req in proposal.instance.requirements:
        w = int(proposal.assignment[req.index])
        if w != UNALLOCATED:
            found[req.person, req.role] = workers[w].worker_id
    return found


def _handover_text(sw: str, pa: str, eighteen: date, due: date, as_of: date) -> str:
    first = (
        f"social worker {sw} ends on {eighteen.isoformat()}"
        if sw
        else "no social worker to hand over"
    )
    if pa:
        return f"{first}; personal adviser {pa} continues"
    if due <= as_of:
        return f"{first}; NO personal adviser with under {FLAG_MONTHS} months to 18: allocate now"
    return f"{first}; no personal adviser yet: allocate one by {due.isoformat()}"


def transitions_table(items: list[Handover]) -> pd.DataFrame:
    """The handovers as ``transitions.csv`` rows (booleans as true/false)."""
    rows: list[dict[str, Any]] = []
    for item in items:
        row = asdict(item)
        for key in ("personal_adviser_changes", "no_personal_adviser_flag"):
            row[key] = "true" if row[key] else "false"
        rows.append(row)
    return pd.DataFrame(rows, columns=list(COLUMNS))


def transition_summary(items: list[Handover], months: int) -> tuple[dict[str, Any], list[str]]:
    """A ``transitions`` section for ``summary.json`` and its warnings."""
    flagged = [h.person_id for h in items if h.no_personal_adviser_flag]
    section = {
        "window_months": months,
        "turning_18": len(items),
        "with_personal_adviser": sum(1 for h in items if h.personal_adviser),
        "personal_adviser_changes": sum(1 for h in items if h.personal_adviser_changes),
        "no_personal_adviser_within_3_months": flagged,
    }
    warnings = []
    if flagged:
        shown = ", ".join(flagged[:10]) + (" ..." if len(flagged) > 10 else "")
        warnings.append(
            f"{len(flagged)} young person(s) turn 18 within {FLAG_MONTHS} months with no "
            f"personal adviser in this proposal: {shown} (see transitions.csv)"
        )
    return section, warnings
