"""The CP-SAT model, built in parts: variables, hard rules, soft rules.

Hard rules are constraints; soft rules are objective terms whose docstrings
begin "Soft rule:". :mod:`caseweight.solution` prices a proposal by the same
rules without looking at any solver variable, and the tests hold the two to
the same figure.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from caseweight.problem import Role
from caseweight.solver.instance import Candidate, Instance


@dataclass(frozen=True)
class Neighbourhood:
    """Young people who may be re-allocated; everyone else stays where ``incumbent`` has them.

    Either some workers: everyone they hold, and anyone waiting who could go
    to them, re-allocated among those workers. Or some young people
    (``requirements``), each over all their candidates; the workers' loads
    then count those who stay as fixed.
    """

    workers: tuple[int, ...]
    incumbent: np.ndarray
    requirements: tuple[int, ...] | None = None


@dataclass
class Variables:
    """Decision variables, keyed by requirement and worker indexes."""

    assign: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    unallocated: dict[int, cp_model.IntVar] = field(default_factory=dict)
    load: dict[int, cp_model.IntVar] = field(default_factory=dict)
    max_load: dict[int, int] = field(default_factory=dict)
    receives: dict[int, cp_model.IntVar] = field(default_factory=dict)
    segments: dict[
        int, tuple[list[tuple[cp_model.IntVar, int]], list[tuple[cp_model.IntVar, int]]]
    ] = field(default_factory=dict)
    sibling_extra: dict[int, cp_model.IntVar] = field(default_factory=dict)
    sibling_used: dict[int, dict[int, cp_model.IntVar]] = field(default_factory=dict)
    by_worker: dict[int, list[tuple[int, cp_model.IntVar]]] = field(
        default_factory=lambda: defaultdict(list)
    )


class AllocationModel:
    """A CP-SAT model of one instance. Build once, solve with :mod:`.solve`."""

    def __init__(
        self,
        instance: Instance,
        role: Role | None = None,
        neighbourhood: Neighbourhood | None = None,
    ) -> None:
        self.instance = instance
        self.role = role
        # Roles never share a worker or a requirement: each can be its own model.
        self.requirements = [r for r in instance.requirements if role in (None, r.role)]
        self.workers = [
            w for w in range(instance.n_workers) if role in (None, instance.worker_roles[w])
        ]
        self.fixed_sibling_workers: dict[int, set[int]] = {}
        # points, cases and new arrivals of those who stay put, per worker
        self.fixed_load: dict[int, int] = {}
        self.fixed_cases: dict[int, int] = {}
        self.fixed_new: set[int] = set()
        if neighbourhood is not None:
            self._restrict(neighbourhood)
        self.model = cp_model.CpModel()
        self.vars = Variables()
        self._add_variables()
        # Hard rules, in the contract's order.
        self._each_allocation_once()
        self._worker_loads()
        self._receive_within_hard_limit()
        self._receive_within_max_cases()
        self.terms: dict[str, cp_model.LinearExprT] = {
            "continuity": continuity(self),
            "team": team(self),
            "skills": skills(self),
            "balance": balance(self),
            "siblings": siblings(self),
            "unallocated": unallocated(self),
        }
        self.model.minimize(sum(self.terms.values()))

    def _restrict(self, hood: Neighbourhood) -> None:
        """Only the neighbourhood's young people, and the workers they could go to."""
        inst = self.instance
        role_requirements = self.requirements
        if hood.requirements is not None:
            chosen = set(hood.requirements)
            keep = [req for req in role_requirements if req.index in chosen]
            self.options = {req.index: inst.candidates[req.index] for req in keep}
            used = {o.worker for options in self.options.values() for o in options}
            self.workers = [w for w in self.workers if w in used]
        else:
            inside = set(hood.workers)
            self.workers = [w for w in self.workers if w in inside]
            keep = []
            for req in role_requirements:
                now = int(hood.incumbent[req.index])
                options = [o for o in inst.candidates[req.index] if o.worker in inside]
                if now in inside or (now < 0 and options):
                    keep.append(req)
            self.options = {
                req.index: tuple(o for o in inst.candidates[req.index] if o.worker in inside)
                for req in keep
            }
        self.requirements = keep
        free = {req.index for req in keep}
        for g, members in enumerate(inst.sibling_groups):
            self.fixed_sibling_workers[g] = {
                int(hood.incumbent[r]) for r in members if r not in free and hood.incumbent[r] >= 0
            }
        modelled = set(self.workers)
        for req in role_requirements:
            w = int(hood.incumbent[req.index])
            if req.index in free or w not in modelled:
                continue
            self.fixed_load[w] = self.fixed_load.get(w, 0) + req.points
            self.fixed_cases[w] = self.fixed_cases.get(w, 0) + 1
            if w != req.current_worker:
                self.fixed_new.add(w)

    def candidates(self, r: int) -> tuple[Candidate, ...]:
        if hasattr(self, "options"):
            return self.options[r]
        return self.instance.candidates[r]

    def _add_variables(self) -> None:
        inst, m, v = self.instance, self.model, self.vars
        for req in self.requirements:
            for option in self.candidates(req.index):
                var = m.new_bool_var(f"x_{req.index}_{option.worker}")
                v.assign[req.index, option.worker] = var
                v.by_worker[option.worker].append((req.index, var))
            v.unallocated[req.index] = m.new_bool_var(f"u_{req.index}")
        for w in self.workers:
            fixed = self.fixed_load.get(w, 0)
            total = fixed + sum(inst.requirements[r].points for r, _ in v.by_worker.get(w, []))
            v.max_load[w] = int(total)
            v.load[w] = m.new_int_var(fixed, int(total), f"load_{w}")

    def _each_allocation_once(self) -> None:
        """Hard rules 1-3 and 6: each requirement gets exactly one worker or is unallocated;
        rule 5: one whose current worker can keep them always gets a worker.

        Candidates already respect rule 4 (role, leavers, accepting_new).
        """
        v = self.vars
        keepable = self.instance.keepable
        for req in self.requirements:
            chosen = [v.assign[req.index, o.worker] for o in self.candidates(req.index)]
            self.model.add_exactly_one([*chosen, v.unallocated[req.index]])
            if keepable[req.index]:
                # rule 5: nobody is taken from a worker who can keep them
                self.model.add(v.unallocated[req.index] == 0)

    def _worker_loads(self) -> None:
        """Load of a worker = points of the requirements allocated to them."""
        reqs = self.instance.requirements
        for w, load in self.vars.load.items():
            held = self.vars.by_worker.get(w, [])
            fixed = self.fixed_load.get(w, 0)
            self.model.add(load == fixed + sum(reqs[r].points * x for r, x in held))

    def _new_allocations(self) -> dict[int, list[cp_model.IntVar]]:
        news: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for (r, w), x in self.vars.assign.items():
            if self.instance.requirements[r].current_worker != w:
                news[w].append(x)
        return news

    def _receive_within_hard_limit(self) -> None:
        """Hard rule 5: a worker who receives anyone new ends within the hard limit.

        Workers who receive nobody new may stay above it: overload that cannot
        be moved stays, and is reported.
        """
        inst, m, v = self.instance, self.model, self.vars
        news = self._new_allocations()
        for w in sorted(set(news) | (self.fixed_new & set(self.workers))):
            receives = m.new_bool_var(f"receives_{w}")
            v.receives[w] = receives
            if w in self.fixed_new:  # someone who stays put is new to them
                m.add(receives == 1)
            for x in news.get(w, []):
                m.add_implication(x, receives)
            m.add(v.load[w] <= int(inst.hard_limit[w])).only_enforce_if(receives)

    def _receive_within_max_cases(self) -> None:
        """Hard rule 5 (cases): a worker with ``max_cases`` receives nobody past it."""
        inst, m, v = self.instance, self.model, self.vars
        for w, receives in v.receives.items():
            limit = inst.capacities[w].max_cases
            if limit is not None:
                held = [x for _, x in v.by_worker[w]]
                fixed = self.fixed_cases.get(w, 0)
                m.add(fixed + sum(held) <= limit).only_enforce_if(receives)


def _assignment_sum(am: AllocationModel, attribute: str) -> cp_model.LinearExprT:
    v = am.vars
    return sum(
        getattr(o, attribute) * v.assign[req.index, o.worker]
        for req in am.requirements
        for o in am.candidates(req.index)
        if getattr(o, attribute)
    )


def continuity(am: AllocationModel) -> cp_model.LinearExprT:
    """Soft rule: a change of worker costs a penalty.

    It grows with the young person's changes in the last 12 months, doubles for
    a personal adviser around the 18th birthday, is discounted for a worker the
    young person had before, and is nothing when the current worker is leaving.
    """
    return _assignment_sum(am, "change_cost")


def team(am: AllocationModel) -> cp_model.LinearExprT:
    """Soft rule: prefer a worker of the young person's own team."""
    return _assignment_sum(am, "team_cost")


def skills(am: AllocationModel) -> cp_model.LinearExprT:
    """Soft rule: a kept worker lacking a needed skill that others have costs a penalty.

    (Giving a young person to a new worker without the skill is a hard rule,
    enforced by the candidate lists.)
    """
    return _assignment_sum(am, "skill_cost")


def balance(am: AllocationModel) -> cp_model.LinearExprT:
    """Soft rule: a convex piecewise-linear penalty on distance from target utilisation.

    Steepest far above the target, but rising below it too, so new young
    people go first to light workers and loads end even. Load is split into
    segments outward from the target; convexity makes the cheapest split the
    one that fills them in order, so no ordering constraints are needed.
    """
    inst, m, v = am.instance, am.model, am.vars
    terms = []
    for w in am.workers:
        curve = inst.balance[w]
        if curve is None:
            continue
        top = v.max_load[w]
        capped_above, capped_below = curve.capped(top)
        above = _segments(m, capped_above, f"a_{w}")
        below = _segments(m, capped_below, f"b_{w}")
        m.add(v.load[w] == curve.target + sum(x for x, _ in above) - sum(x for x, _ in below))
        v.segments[w] = (above, below)
        terms += [cost * x for x, cost in above + below]
    return sum(terms)


def _segments(
    m: cp_model.CpModel, segments: list[tuple[int, int]], name: str
) -> list[tuple[cp_model.IntVar, int]]:
    return [
        (m.new_int_var(0, size, f"{name}_{k}"), cost) for k, (size, cost) in enumerate(segments)
    ]


def siblings(am: AllocationModel) -> cp_model.LinearExprT:
    """Soft rule: siblings share a social worker; each extra worker in a group costs."""
    inst, m, v = am.instance, am.model, am.vars
    terms = []
    for g, members in enumerate(inst.sibling_groups):
        free = [r for r in members if r in v.unallocated]
        if not free:
            continue
        fixed = am.fixed_sibling_workers.get(g, set())
        used: dict[int, cp_model.IntVar] = {}
        for r in free:
            for option in am.candidates(r):
                w = option.worker
                if w in fixed:
                    continue  # already counted: a sibling outside the model holds them
                if w not in used:
                    used[w] = m.new_bool_var(f"sib_{g}_{w}")
                m.add_implication(v.assign[r, w], used[w])
        extra = m.new_int_var(0, len(members), f"sib_extra_{g}")
        m.add(extra >= sum(used.values()) + len(fixed) - 1)
        v.sibling_extra[g] = extra
        v.sibling_used[g] = used
        terms.append(inst.sibling_cost * extra)
    return sum(terms)


def unallocated(am: AllocationModel) -> cp_model.LinearExprT:
    """Soft rule: leaving a requirement unallocated costs more than any other choice.

    Personal advisers due to in-care young people cost less than statutory
    allocations, more for the older, so the oldest are served first.
    """
    inst, v = am.instance, am.vars
    return sum(int(inst.unallocated_cost[r]) * u for r, u in v.unallocated.items())
