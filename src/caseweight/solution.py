"""Independent check of a proposal: every hard rule and every objective term.

Works from the proposal itself (a worker per requirement) and the problem's
facts, never from solver variables, so a modelling slip in the solver shows
up as a disagreement here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from caseweight.config import Config
from caseweight.demand import Need
from caseweight.problem import Problem, Role, Status, age_months
from caseweight.solver.costs import RoleCosts
from caseweight.solver.instance import Candidate, Instance, balance_penalty
from caseweight.solver.warm_start import UNALLOCATED, loads_and_cases


@dataclass(frozen=True)
class Check:
    """What the independent check found."""

    violations: tuple[str, ...]
    terms: dict[str, int] = field(default_factory=dict)

    @property
    def objective(self) -> int:
        return sum(self.terms.values())

    @property
    def ok(self) -> bool:
        return not self.violations


def check_proposal(
    problem: Problem, instance: Instance, assignment: np.ndarray, config: Config
) -> Check:
    """Check hard rules 1-6 and recompute each objective term of ``assignment``."""
    violations = [
        *_coverage(problem, instance, config),
        *_holders(problem, instance, assignment),
        *_receivers(problem, instance, assignment),
        *_kept(problem, instance, assignment),
    ]
    return Check(tuple(violations), objective_terms(instance, assignment))


def objective_terms(instance: Instance, assignment: np.ndarray) -> dict[str, int]:
    """Each soft rule's cost of ``assignment``, in internal units."""
    terms = dict.fromkeys(("continuity", "team", "skills"), 0)
    unallocated = 0
    for req in instance.requirements:
        w = int(assignment[req.index])
        if w == UNALLOCATED:
            unallocated += int(instance.unallocated_cost[req.index])
            continue
        option = pair_cost(instance, req.index, w)
        terms["continuity"] += option.change_cost
        terms["team"] += option.team_cost
        terms["skills"] += option.skill_cost
    loads, _ = loads_and_cases(instance, assignment)
    terms["balance"] = sum(
        balance_penalty(int(loads[w]), curve)
        for w, curve in enumerate(instance.balance)
        if curve is not None
    )
    extra = 0
    for members in instance.sibling_groups:
        workers = {int(assignment[r]) for r in members} - {UNALLOCATED}
        extra += max(0, len(workers) - 1)
    terms["siblings"] = extra * instance.sibling_cost
    terms["unallocated"] = unallocated
    return terms


def pair_cost(instance: Instance, r: int, w: int) -> Candidate:
    """The soft-rule costs of giving requirement ``r`` to worker ``w``.

    Taken from the full price matrices, so a worker outside the candidate list
    (which the hard-rule checks then report) is still priced, never a crash.
    """
    for option in instance.candidates[r]:
        if option.worker == w:
            return option
    costs = instance.role_costs.get(instance.requirements[r].role)
    cell = None if costs is None else _cell(costs, r, w)
    if costs is not None and cell is not None:
        i, j = cell
        return Candidate(w, int(costs.change[i, j]), int(costs.team[i, j]), int(costs.skill[i, j]))
    return Candidate(w, 0, 0, 0)


def _cell(costs: RoleCosts, r: int, w: int) -> tuple[int, int] | None:
    """Row and column of requirement ``r`` and worker ``w`` in a role's price matrices."""
    rows = np.flatnonzero(costs.requirements == r)
    cols = np.flatnonzero(costs.workers == w)
    return (int(rows[0]), int(cols[0])) if rows.size and cols.size else None


def _coverage(problem: Problem, instance: Instance, config: Config) -> list[str]:
    """Rules 1-3 and 6: every young person has a row for each role the law requires."""
    have = {(r.person, r.role) for r in instance.requirements}
    pa_months = round(config.personal_adviser_from_age * 12)
    out = []
    for i, person in enumerate(problem.people):
        age = problem.age(person)
        need = []
        if person.status is Status.IN_CARE and age < 18:
            need.append(Role.SOCIAL_WORKER)
        months = age_months(person.date_of_birth, problem.as_of)
        if person.status is Status.CARE_LEAVER or age >= 18 or months >= pa_months:
            need.append(Role.PERSONAL_ADVISER)
        out += [
            f"{person.person_id}: no {role.value} row" for role in need if (i, role) not in have
        ]
    return out


def _holders(problem: Problem, instance: Instance, assignment: np.ndarray) -> list[str]:
    """Rule 4: role, leavers, accepting_new, and hard skills for new allocations."""
    out = []
    for req in instance.requirements:
        w = int(assignment[req.index])
        if w == UNALLOCATED:
            continue
        worker = problem.workers[w]
        person = problem.people[req.person].person_id
        if worker.role is not req.role:
            out.append(f"{person}: {req.role.value} given to a {worker.role.value}")
        if not instance.capacities[w].can_hold:
            out.append(f"{person}: allocated to {worker.worker_id}, who cannot hold cases")
        if w != req.current_worker and not instance.capacities[w].can_receive:
            out.append(f"{person}: new to {worker.worker_id}, who is not accepting new cases")
        needed = set(problem.people[req.person].needs_skills) - set(
            instance.skill_gaps.get(req.index, ())
        )
        if w != req.current_worker and not needed <= worker.skills:
            out.append(f"{person}: new to {worker.worker_id}, who lacks {sorted(needed)}")
    return out


def _kept(problem: Problem, instance: Instance, assignment: np.ndarray) -> list[str]:
    """Rule 5: nobody is taken from a worker who can keep them and left with no one.

    The current worker can keep a young person when they can hold cases, have
    the role, and the pairing is not excluded (a manager's rejection or pin).
    """
    out = []
    for req in instance.requirements:
        w = req.current_worker
        if assignment[req.index] != UNALLOCATED or w is None:
            continue
        holder = problem.workers[w]
        costs = instance.role_costs.get(req.role)
        excluded = costs is not None and not _pair_allowed(costs, req.index, w)
        if holder.role is req.role and instance.capacities[w].can_hold and not excluded:
            person = problem.people[req.person].person_id
            out.append(f"{person}: taken from {holder.worker_id}, who can keep them, to no one")
    return out


def _pair_allowed(costs: RoleCosts, r: int, w: int) -> bool:
    cell = _cell(costs, r, w)
    return cell is not None and bool(costs.eligible[cell])


def _receivers(problem: Problem, instance: Instance, assignment: np.ndarray) -> list[str]:
    """Rule 5: a worker who receives anyone new stays within the hard limit and max_cases."""
    loads, cases = loads_and_cases(instance, assignment)
    received: dict[int, int] = defaultdict(int)
    for req in instance.requirements:
        w = int(assignment[req.index])
        if w != UNALLOCATED and w != req.current_worker:
            received[w] += 1
    out = []
    for w in sorted(received):
        worker = problem.workers[w]
        if loads[w] > instance.hard_limit[w]:
            out.append(f"{worker.worker_id}: receives new cases but ends above the hard limit")
        limit = instance.capacities[w].max_cases
        if limit is not None and cases[w] > limit:
            out.append(f"{worker.worker_id}: receives new cases but ends above max_cases")
    return out


def unallocated_needs(instance: Instance, assignment: np.ndarray) -> dict[Need, int]:
    counts: dict[Need, int] = defaultdict(int)
    for req in instance.requirements:
        if assignment[req.index] == UNALLOCATED:
            counts[req.need] += 1
    return dict(counts)
