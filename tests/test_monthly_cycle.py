"""Three months of the manager's cycle on a generated authority, through the real commands.

Month 1: propose, approve with two rejections. Month 2: a social worker leaves,
young people arrive; the cases file is rebuilt from the store's current
allocation; propose, approve. Month 3: the store's history drives the change
penalties, and rejected moves stay out until their reason expires. Runs on
SQLite, and on PostgreSQL when ``CASEWEIGHT_TEST_POSTGRES_URL`` is set.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from caseweight.cli import main
from caseweight.commands import monthly_overrides
from caseweight.config import Config
from caseweight.demo import write_authority
from caseweight.io.inputs import read_problem
from caseweight.pipeline import Proposal, propose
from caseweight.problem import Role, Status, age_years
from caseweight.solver.instance import COST_SCALE
from caseweight.store import Store
from test_store_support import BACKENDS, PA, SW, fresh_url

MONTHS = (date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1))
#: Every eligible worker stays a candidate, so "not excluded" means "may be proposed".
CONFIG = {"optimiser": {"candidates_outside_team": 0, "time_limit_seconds": 1}}
NEW_ENTRANTS = (("YP900001", 8), ("YP900002", 12), ("YP900003", 15))


@dataclass
class Cycle:
    """The three months, run once per backend; tests read what it left."""

    db_url: str
    folder: Path
    proposals: list[Path]
    rejected: list[tuple[str, str, str, date | None]]  # person, role, worker, until
    leaver: str
    month3: Proposal
    pin: dict[str, str]  # the pins.csv row of month 2


def allocate(
    cycle_dir: Path, month: int, cases: Path, workers: Path, db_url: str, *extra: str
) -> Path:
    out = cycle_dir / f"proposal-{month}"
    config = cycle_dir / "config.json"
    config.write_text(json.dumps(CONFIG), encoding="utf-8")
    args = ["allocate", "--cases", str(cases), "--workers", str(workers)]
    args += ["--as-of", MONTHS[month - 1].isoformat(), "--out", str(out), "--db", db_url]
    args += ["--config", str(config), "--no-report", "--quiet", *extra]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return out


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def moves(proposal: Path) -> list[dict[str, str]]:
    """Proposed changes of worker (from one worker to another)."""
    return [
        r
        for r in rows_of(proposal / "allocations.csv")
        if r["changed"] == "true" and r["current_worker_id"] and r["proposed_worker_id"]
    ]


def approve(proposal: Path, db_url: str, rejects: list[str]) -> None:
    args = ["approve", str(proposal), "--by", "A. Manager", "--db", db_url]
    for reject in rejects:
        args += ["--reject", reject]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output


def next_cases(previous: Path, out: Path, store: Store, as_of: date) -> Path:
    """Next month's extract: workers as the store holds them, the typed column cleared."""
    current = store.current_allocation()
    rows = []
    for row in rows_of(previous):
        age = age_years(date.fromisoformat(row["date_of_birth"]), as_of)
        if age > 25:
            continue  # leaves the service
        row["current_social_worker"] = current.get((row["person_id"], SW), "")
        row["current_personal_adviser"] = current.get((row["person_id"], PA), "")
        row["worker_changes_12m"] = "0"
        rows.append(row)
    return write_rows(out, rows)


def run_cycle(db_url: str, folder: Path) -> Cycle:
    cases, workers = write_authority(folder / "m1", people=120, workers=12, seed=5, as_of=MONTHS[0])
    p1 = allocate(folder, 1, cases, workers, db_url)
    candidates = sorted(moves(p1), key=lambda r: (r["reason"] == "worker_leaving", r["person_id"]))
    assert len(candidates) >= 2, "the authority must propose two changes of worker to reject"
    expires = MONTHS[1] + timedelta(days=10)  # in force in month 2, expired by month 3
    rejected = [
        (row["person_id"], row["role"], row["proposed_worker_id"], until)
        for row, until in zip(candidates[:2], (expires, None), strict=True)
    ]
    approve(p1, db_url, [
        f"{rejected[0][0]}/{rejected[0][1]}:court hearing next month@{expires.isoformat()}",
        f"{rejected[1][0]}/{rejected[1][1]}:trusted relationship with current worker",
    ])  # fmt: skip
    with Store.open(db_url) as store:
        cases2 = next_cases(cases, folder / "cases-2.csv", store, MONTHS[1])
        leaver = busiest_social_worker(store, workers, {w for _, _, w, _ in rejected})
        pin = pin_a_move(store, cases2, workers, {leaver, *(w for _, _, w, _ in rejected)})
    add_new_entrants(cases2)
    workers2 = write_rows(folder / "workers-2.csv", with_leaver(rows_of(workers), leaver))
    pins = write_rows(folder / "pins.csv", [pin])
    p2 = allocate(folder, 2, cases2, workers2, db_url, "--pins", str(pins))
    approve(p2, db_url, [])
    with Store.open(db_url) as store:
        cases3 = next_cases(cases2, folder / "cases-3.csv", store, MONTHS[2])
        config = Config.from_dict(CONFIG)
        problem = read_problem(cases3, workers2, MONTHS[2], config)
        problem, overrides = monthly_overrides(problem, store, None)
    month3 = propose(problem, config, time_limit=1, overrides=overrides)
    return Cycle(db_url, folder, [p1, p2], rejected, leaver, month3, pin)


def busiest_social_worker(store: Store, workers: Path, keep: set[str]) -> str:
    staying = {
        r["worker_id"]
        for r in rows_of(workers)
        if r["role"] == SW and not r["leaving_on"] and r["worker_id"] not in keep
    }
    held = Counter(w for (_, role), w in store.current_allocation().items() if w in staying)
    return held.most_common(1)[0][0]


def pin_a_move(store: Store, cases: Path, workers: Path, avoid: set[str]) -> dict[str, str]:
    """Month 2's pins.csv row: a young person moved to the lightest social worker by hand."""
    staying = [
        r["worker_id"]
        for r in rows_of(workers)
        if r["role"] == SW and not r["leaving_on"] and r["accepting_new"] != "false"
    ]
    current = store.current_allocation()
    held = Counter(w for (_, role), w in current.items() if role == SW)
    target = min((w for w in staying if w not in avoid), key=lambda w: (held[w], w))
    plain = {r["person_id"] for r in rows_of(cases) if not r["needs_skills"]}
    person_id = min(
        p for (p, role), w in current.items()
        if role == SW and p in plain and w in staying and w not in avoid | {target}
    )  # fmt: skip
    return {"person_id": person_id, "role": SW, "worker_id": target, "kind": "pin",
            "reason": "placement moved near this worker's office", "until": ""}  # fmt: skip


def with_leaver(rows: list[dict[str, str]], leaver: str) -> list[dict[str, str]]:
    for row in rows:
        if row["worker_id"] == leaver:
            row["leaving_on"] = MONTHS[1].isoformat()
    return rows


def add_new_entrants(cases: Path) -> None:
    rows = rows_of(cases)
    template = dict.fromkeys(rows[0], "")
    for person_id, age in NEW_ENTRANTS:
        born = date(MONTHS[1].year - age, 3, 15)
        new = {"person_id": person_id, "date_of_birth": born.isoformat()}
        rows.append(template | new | {"status": Status.IN_CARE.value, "team": rows[0]["team"]})
    write_rows(cases, rows)


@pytest.fixture(scope="module", params=BACKENDS)
def cycle(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cycle]:
    folder = tmp_path_factory.mktemp("cycle")
    for db_url in fresh_url(request.param, folder):
        yield run_cycle(db_url, folder)


def accepted_changes(cycle: Cycle) -> Counter[str]:
    """Changes of worker per young person, counted from the approved proposals themselves."""
    rejected = {(p, r) for p, r, _, _ in cycle.rejected}
    counted: Counter[str] = Counter()
    for month, proposal in enumerate(cycle.proposals):
        summary = json.loads((proposal / "summary.json").read_text(encoding="utf-8"))
        assert summary["unallocated"] == 0  # else "unallocated then allocated" would count too
        for row in moves(proposal):
            if month > 0 or (row["person_id"], row["role"]) not in rejected:
                counted[row["person_id"]] += 1
    return counted


def test_history_counts_the_approved_changes(cycle: Cycle) -> None:
    with Store.open(cycle.db_url) as store:
        from_store = store.worker_changes_12m(MONTHS[2])
    expected = accepted_changes(cycle)
    assert sum(expected.values()) > 0
    assert {p: n for p, n in from_store.items() if n} == dict(expected)
    for person_id, _ in NEW_ENTRANTS:
        assert from_store[person_id] == 0  # a first allocation is not a change


def test_month_three_change_penalties_use_the_history(cycle: Cycle) -> None:
    proposal = cycle.month3
    expected = accepted_changes(cycle)
    opt = proposal.config.optimiser
    people, workers = proposal.problem.people, proposal.problem.workers
    priced = discounted = 0
    for req, options in zip(
        proposal.instance.requirements, proposal.instance.candidates, strict=True
    ):
        person = people[req.person]
        assert person.worker_changes_12m == expected.get(person.person_id, 0)
        current = req.current_worker
        if current is None or not proposal.instance.capacities[current].can_hold:
            continue
        for option in options:
            if option.worker == current:
                assert option.change_cost == 0
                continue
            factor = opt.transition_change_multiplier if (
                req.role is Role.PERSONAL_ADVISER and req.in_transition) else 1.0  # fmt: skip
            if workers[option.worker].worker_id in person.previous_workers:
                factor *= opt.previous_worker_discount
                discounted += 1
            base = (
                opt.change_penalty
                + opt.change_penalty_per_recent_change * expected[person.person_id]
            )
            assert option.change_cost == round(base * factor * COST_SCALE)
            priced += int(expected[person.person_id] > 0)
    assert priced > 0, "some young person with changes in the history must be priced"
    assert discounted > 0, "a return to a previous worker must be discounted somewhere"
    assert proposal.summary()["continuity"]["source"] == "store"


def test_rejected_moves_stay_out_until_the_reason_expires(cycle: Cycle) -> None:
    month2 = {
        (r["person_id"], r["role"]): r for r in rows_of(cycle.proposals[1] / "allocations.csv")
    }
    summary2 = json.loads((cycle.proposals[1] / "summary.json").read_text(encoding="utf-8"))
    assert summary2["continuity"]["rejections_excluded"] == 2
    for person_id, role, worker_id, _ in cycle.rejected:
        assert month2[person_id, role]["proposed_worker_id"] != worker_id

    proposal = cycle.month3
    index = {(proposal.problem.people[r.person].person_id, r.role.value): r.index
             for r in proposal.instance.requirements}  # fmt: skip
    assert proposal.resolved is not None
    (expired_p, expired_role, expired_w, _), (kept_p, kept_role, kept_w, _) = cycle.rejected
    w_kept = proposal.problem.worker_index[kept_w]
    r_kept = index[kept_p, kept_role]
    assert (r_kept, w_kept) in proposal.resolved.excluded
    assert w_kept not in {o.worker for o in proposal.instance.candidates[r_kept]}
    assert int(proposal.assignment[r_kept]) != w_kept
    # The court hearing has passed: that move may be proposed again.
    r_expired = index[expired_p, expired_role]
    w_expired = proposal.problem.worker_index[expired_w]
    assert (r_expired, w_expired) not in proposal.resolved.excluded
    if proposal.instance.capacities[w_expired].can_receive:
        assert w_expired in {o.worker for o in proposal.instance.candidates[r_expired]}
    assert proposal.summary()["continuity"]["rejections_excluded"] == 1


def test_the_leaver_holds_nobody_and_new_entrants_are_allocated(cycle: Cycle) -> None:
    month2 = rows_of(cycle.proposals[1] / "allocations.csv")
    assert not [r for r in month2 if r["proposed_worker_id"] == cycle.leaver]
    assert {r["reason"] for r in month2 if r["current_worker_id"] == cycle.leaver} == {
        "worker_leaving"
    }
    arrived = {r["person_id"]: r for r in month2 if r["person_id"].startswith("YP9000")}
    assert set(arrived) == {p for p, _ in NEW_ENTRANTS}
    assert all(r["proposed_worker_id"] for r in arrived.values())
    with Store.open(cycle.db_url) as store:
        runs = [store.history(p) for p, _ in NEW_ENTRANTS]
    assert all(rows and rows[0].to_date is None for rows in runs)


def test_a_pinned_move_is_made_and_explained(cycle: Cycle) -> None:
    month2 = {
        (r["person_id"], r["role"]): r for r in rows_of(cycle.proposals[1] / "allocations.csv")
    }
    row = month2[cycle.pin["person_id"], SW]
    assert row["proposed_worker_id"] == cycle.pin["worker_id"] != row["current_worker_id"]
    assert row["reason"] == "pinned"
    assert "placement moved near" in row["detail"]
