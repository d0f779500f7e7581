"""Deterministic hill climbing over single moves, before the CP-SAT neighbourhoods.

Each pass takes the young people of the most utilised workers first and makes
the best improving move for each (to another candidate worker, or from
unallocated to a worker), priced exactly as :mod:`caseweight.solution` prices
a proposal and keeping every hard rule. Gross imbalances (a worker at 250%)
are cheap to fix this way and expensive for a time-limited CP-SAT model.
"""

from __future__ import annotations

import time

import numpy as np

from caseweight.solver.instance import Instance, balance_penalty
from caseweight.solver.warm_start import UNALLOCATED, loads_and_cases


class _State:
    def __init__(self, instance: Instance, assignment: np.ndarray) -> None:
        self.inst = instance
        self.assignment = assignment
        self.loads, self.cases = loads_and_cases(instance, assignment)
        self.new = np.zeros(instance.n_workers, dtype=np.int64)
        for req in instance.requirements:
            w = int(assignment[req.index])
            if w != UNALLOCATED and w != req.current_worker:
                self.new[w] += 1
        self.group_of = {r: g for g, members in enumerate(instance.sibling_groups) for r in members}

    def balance(self, w: int, load: int) -> int:
        curve = self.inst.balance[w]
        return 0 if curve is None else balance_penalty(load, curve)

    def sibling_extra(self, r: int, worker: int) -> int:
        g = self.group_of.get(r)
        if g is None:
            return 0
        chosen = {
            worker if m == r else int(self.assignment[m]) for m in self.inst.sibling_groups[g]
        } - {UNALLOCATED}
        return max(0, len(chosen) - 1) * self.inst.sibling_cost

    def fits(self, r: int, w: int) -> bool:
        """Hard rule 5 for ``r`` joining ``w``."""
        inst, req = self.inst, self.inst.requirements[r]
        receives = self.new[w] > 0 or w != req.current_worker
        if not receives:
            return True
        limit = inst.capacities[w].max_cases
        within = self.loads[w] + req.points <= inst.hard_limit[w]
        return bool(within and (limit is None or self.cases[w] + 1 <= limit))

    def move(self, r: int, w: int) -> None:
        req = self.inst.requirements[r]
        old = int(self.assignment[r])
        if old != UNALLOCATED:
            self.loads[old] -= req.points
            self.cases[old] -= 1
            self.new[old] -= int(old != req.current_worker)
        self.assignment[r] = w
        self.loads[w] += req.points
        self.cases[w] += 1
        self.new[w] += int(w != req.current_worker)


def _best_move(state: _State, r: int) -> tuple[int, int]:
    """The best improving worker for requirement ``r`` and its (negative) delta."""
    inst = state.inst
    req = inst.requirements[r]
    old = int(state.assignment[r])
    options = inst.candidates[r]
    if old == UNALLOCATED:
        base = int(inst.unallocated_cost[r])
        leave = 0
    else:
        base = next(o.cost for o in options if o.worker == old)
        load = int(state.loads[old])
        leave = state.balance(old, load - req.points) - state.balance(old, load)
    base_sib = state.sibling_extra(r, old)
    best, best_delta = old, 0
    for option in options:
        w = option.worker
        if w == old or not state.fits(r, w):
            continue
        load = int(state.loads[w])
        delta = option.cost - base + leave
        delta += state.balance(w, load + req.points) - state.balance(w, load)
        delta += state.sibling_extra(r, w) - base_sib
        if delta < best_delta:
            best, best_delta = w, delta
    return best, best_delta


def improve(instance: Instance, assignment: np.ndarray, seconds: float) -> np.ndarray:
    """Hill-climb from ``assignment`` until no single move improves or time runs out."""
    state = _State(instance, assignment.copy())
    deadline = time.perf_counter() + seconds
    for _ in range(50):
        util = state.loads / np.maximum(instance.capacity, 1)
        order = sorted(
            range(len(instance.requirements)),
            key=lambda r: (-(util[a] if (a := int(state.assignment[r])) >= 0 else 9.0), r),
        )
        moved = 0
        for r in order:
            w, delta = _best_move(state, r)
            if delta < 0:
                state.move(r, w)
                moved += 1
            if time.perf_counter() > deadline:
                return state.assignment
        if not moved:
            break
    return state.assignment
