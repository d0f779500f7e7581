"""Care leavers and transition panel, score distribution and heaviest young people."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from caseweight.io.tables import parse_date
from caseweight.problem import add_months
from caseweight.report.content import (
    ReportTable,
    WorkerView,
    flags,
    number,
    numbers,
    table,
    text,
    worker_labels,
)
from caseweight.report.load import Proposal

FIRST_MONTH, LAST_MONTH = 16 * 12, 18 * 12 - 1
TURNING_18_WINDOW_MONTHS = 6
HEAVIEST = 15


def _current_pas(proposal: Proposal) -> dict[str, str]:
    alloc = proposal.allocations
    return {
        pid: wid
        for pid, role, wid in zip(
            text(alloc, "person_id"),
            text(alloc, "role"),
            text(alloc, "current_worker_id"),
            strict=True,
        )
        if role == "personal_adviser" and wid
    }


def transition_table(proposal: Proposal) -> ReportTable:
    """In-care 16–17 year olds by age in months: with a PA now, and proposed."""
    yp = proposal.young_people
    columns = [
        ("age_months", "Age (months)", "int"),
        ("age", "Age", "text"),
        ("in_care", "In care", "int"),
        ("with_pa_now", "With a PA now", "int"),
        ("with_pa_proposed", "With a PA proposed", "int"),
        ("without_pa_proposed", "Without a PA proposed", "int"),
    ]
    title = "In care aged 16–17: personal adviser by age in months"
    if not proposal.has_young_people:
        return table(
            "transition",
            title,
            columns,
            [],
            "young_people.csv not in the proposal",
            sheet="Transition 16-17",
        )
    current = _current_pas(proposal)
    counts = {m: [0, 0, 0] for m in range(FIRST_MONTH, LAST_MONTH + 1)}
    treated = text(yp, "treated_as") if "treated_as" in yp else text(yp, "status")
    for pid, as_, months, pa in zip(
        text(yp, "person_id"),
        treated,
        _age_months(proposal),
        text(yp, "personal_adviser"),
        strict=True,
    ):
        if as_ != "in_care" or not math.isfinite(months) or int(months) not in counts:
            continue
        row = counts[int(months)]
        row[0] += 1
        row[1] += pid in current
        row[2] += bool(pa)
    rows = [
        (m, f"{m // 12}y {m % 12}m", n, now, proposed, n - proposed)
        for m, (n, now, proposed) in counts.items()
    ]
    return table("transition", title, columns, rows, sheet="Transition 16-17")


def _age_months(proposal: Proposal) -> list[float]:
    """Whole months of age: the column when present, else from date of birth and as-of date."""
    yp = proposal.young_people
    if "age_months" in yp:
        return numbers(yp, "age_months")
    as_of = parse_date(str(proposal.summary.get("as_of", "")))
    months = []
    for dob_text in text(yp, "date_of_birth"):
        dob = parse_date(dob_text)
        if dob is None or as_of is None:
            months.append(math.nan)
            continue
        whole = (as_of.year - dob.year) * 12 + as_of.month - dob.month
        months.append(float(whole - (as_of.day < dob.day)))
    return months


TURNING_18_COLUMNS = (
    ("person_id", "Young person", "text"),
    ("turns_18_on", "Turns 18 on", "date"),
    ("days", "Days to go", "int"),
    ("treated_as", "Status", "text"),
    ("team", "Team", "text"),
    ("social_worker", "Social worker", "text"),
    ("personal_adviser", "Personal adviser (proposed)", "text"),
    ("pa_status", "PA status", "text"),
)


def turning_18_table(proposal: Proposal) -> ReportTable:
    """Young people turning 18 within six months of the as-of date, and their PA status."""
    yp, columns = proposal.young_people, TURNING_18_COLUMNS
    title = f"Turning 18 in the next {TURNING_18_WINDOW_MONTHS} months"
    as_of = parse_date(str(proposal.summary.get("as_of", "")))
    if not proposal.has_young_people or as_of is None:
        return table(
            "turning_18",
            title,
            columns,
            [],
            "young_people.csv or the as-of date is missing",
            sheet="Turning 18",
        )
    end = add_months(as_of, TURNING_18_WINDOW_MONTHS)
    labels, current = worker_labels(proposal), _current_pas(proposal)
    needs = flags(yp, "needs_personal_adviser", True)
    rows = []
    social_workers, advisers = text(yp, "social_worker"), text(yp, "personal_adviser")
    fields = ("person_id", "date_of_birth", "turns_18_on", "treated_as", "team")
    for i, (pid, dob, t18, treated, team) in enumerate(
        zip(*(text(yp, f) for f in fields), strict=True)
    ):
        birthday = parse_date(t18) or _eighteenth(parse_date(dob))
        if birthday is None or not as_of < birthday <= end:
            continue
        sw, pa = social_workers[i], advisers[i]
        status = _pa_status(pa, current.get(pid, ""), needs[i])
        days = (birthday - as_of).days
        row = (pid, birthday.isoformat(), days, treated.replace("_", " "), team)
        rows.append((*row, labels.get(sw, sw), labels.get(pa, pa), status))
    rows.sort(key=lambda r: (r[2], r[0]))
    return table("turning_18", title, columns, rows, sheet="Turning 18")


def _eighteenth(dob: date | None) -> date | None:
    return None if dob is None else add_months(dob, 18 * 12)


def _pa_status(proposed: str, current: str, needed: bool) -> str:
    if proposed and proposed == current:
        return "has a PA (kept)"
    if proposed and current:
        return "PA changes"
    if proposed:
        return "PA newly allocated"
    return "no PA: unallocated" if needed else "no PA yet (not yet due)"


def pa_caseloads_table(proposal: Proposal, views: list[WorkerView]) -> ReportTable:
    """Each personal adviser's caseload after the proposal, split by who they hold."""
    yp = proposal.young_people
    in_care = {
        pid
        for pid, as_ in zip(text(yp, "person_id"), text(yp, "treated_as"), strict=True)
        if as_ == "in_care"
    }
    columns = [
        ("worker", "Personal adviser", "text"),
        ("team", "Team", "text"),
        ("cases_before", "Young people before", "int"),
        ("cases_after", "Young people after", "int"),
        ("in_care_after", "Of whom in care (16–17)", "int"),
        ("leavers_after", "Of whom care leavers", "int"),
        ("load_after", "Load after", "num"),
        ("capacity", "Capacity", "num"),
        ("utilisation_after", "Utilisation after", "pct"),
    ]
    rows = []
    for v in views:
        if v.role != "personal_adviser":
            continue
        young = sum(1 for c in v.cases if c[0] in in_care)
        rows.append(
            (
                v.label,
                v.team,
                v.cases_before,
                v.cases_after,
                young,
                len(v.cases) - young,
                v.load_after,
                v.capacity,
                v.utilisation_after,
            )
        )
    return table("pa_caseloads", "Personal adviser caseloads", columns, rows, sheet="PA caseloads")


def score_bins(scores: list[float], max_bins: int = 20) -> list[tuple[float, float, int]]:
    """Equal-width bins [low, high) of a nice width covering every score."""
    values = [s for s in scores if math.isfinite(s)]
    if not values:
        return []
    low, high = float(math.floor(min(values))), max(values)
    span = max(high - low, 1.0)
    width: float = next(
        w for w in (1, 2, 5, 10, 20, 25, 50, 100, 250, 500, 1000, math.inf) if span / w < max_bins
    )
    if math.isinf(width):
        width = float(math.ceil(span / max_bins))
    low = float(math.floor(low / width) * width)
    count = int((high - low) // width) + 1
    counts = [0] * count
    for s in values:
        counts[min(int((s - low) // width), count - 1)] += 1
    return [(low + i * width, low + (i + 1) * width, n) for i, n in enumerate(counts)]


def score_distribution_table(proposal: Proposal) -> ReportTable:
    """How many young people score in each band."""
    bins = score_bins(numbers(proposal.scores, "score"))
    rows = [(f"{a:g}–{b:g}", a, b, n) for a, b, n in bins]
    columns = [
        ("band", "Score band", "text"),
        ("from", "From", "num"),
        ("to", "Below", "num"),
        ("young_people", "Young people", "int"),
    ]
    return table("score_distribution", "Score distribution", columns, rows, sheet="Scores")


def heaviest_table(proposal: Proposal, limit: int = HEAVIEST) -> ReportTable:
    """The highest-scoring young people and the factors that make up their score."""
    scores, factors = proposal.scores, proposal.factors
    points = {f: numbers(scores, f) for f in factors}
    people = list(zip(text(scores, "person_id"), numbers(scores, "score"), strict=True))
    order = sorted(range(len(people)), key=lambda i: (-number(people[i][1]), people[i][0]))
    rows: list[tuple[Any, ...]] = []
    for i in order[:limit]:
        share = {f: number(points[f][i]) for f in factors}
        drivers = sorted(
            (f for f in factors if share[f] > 0 and f != "base"), key=lambda f: (-share[f], f)
        )
        driving = ", ".join(f"{f.replace('_', ' ')} {share[f]:g}" for f in drivers[:4])
        rows.append((people[i][0], number(people[i][1]), driving, *(share[f] for f in factors)))
    columns = [
        ("person_id", "Young person", "text"),
        ("score", "Score", "num"),
        ("drivers", "Main factors", "text"),
        *((f, f.replace("_", " ").capitalize(), "num") for f in factors),
    ]
    return table("heaviest", f"The {limit} heaviest young people", columns, rows, sheet="Heaviest")
