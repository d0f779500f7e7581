"""The hill climb's state and its basic moves, priced exactly as :mod:`caseweight.solution`.

A move's price is the change in the objective: the young person's pair costs,
both workers' balance penalties and their siblings' extra workers. Hard rule 5
is kept by :meth:`ClimbState.fits` and :func:`ends_within`.
"""

from __future__ import annotations

import numpy as np

from caseweight.solver.instance import Instance, PenaltyTable
from caseweight.solver.warm_start import UNALLOCATED, loads_and_cases

#: Young people moved off one worker at most to let another one in.
MAX_EJECTIONS = 6


class ClimbState:
    """An assignment with its loads, cases and penalties, kept up to date move by move."""

    def __init__(self, instance: Instance, assignment: np.ndarray, chains: int = 0) -> None:
        self.inst = instance
        self.assignment = assignment
        self.loads, cases = loads_and_cases(instance, assignment)
        self.cases: list[int] = cases.tolist()
        self.new = [0] * instance.n_workers
        for req in instance.requirements:
            w = int(assignment[req.index])
            if w != UNALLOCATED and w != req.current_worker:
                self.new[w] += 1
        self.group_of = {r: g for g, members in enumerate(instance.sibling_groups) for r in members}
        # plain Python lists and dicts: this loop is hot and numpy scalars are slow
        self.points = [req.points for req in instance.requirements]
        self.current = [req.current_worker for req in instance.requirements]
        self.cost = [{o.worker: o.cost for o in options} for options in instance.candidates]
        self.hard_limit = instance.hard_limit.tolist()
        self.max_cases = [c.max_cases for c in instance.capacities]
        self.loads_list = self.loads.tolist()
        self.touched: set[int] = set()  # workers whose load changed since last asked
        self.chains_left = chains  # return-home chains this climb may still try
        # each worker's young people outside sibling groups, in a stable order
        self.holding: list[dict[int, None]] = [{} for _ in range(instance.n_workers)]
        for r, w in enumerate(assignment.tolist()):
            if w != UNALLOCATED and r not in self.group_of:
                self.holding[w][r] = None
        self.balance = PenaltyTable(instance.balance)
        self.penalty = [self.balance(w, load) for w, load in enumerate(self.loads_list)]
        # an id for the state, under which make-room's first ejection is kept:
        # each move (or candidate offered) gives a new one, and an undone
        # attempt restores the one before it; moves counts them all
        self.version, self.moves = 0, 0
        self._ejections: dict[int, tuple[int, tuple[int, int, int] | None]] = {}

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
        if self.new[w] == 0 and w == self.current[r]:
            return True
        if self.loads_list[w] + self.points[r] > self.hard_limit[w]:
            return False
        limit = self.max_cases[w]
        return limit is None or self.cases[w] + 1 <= limit

    def move(self, r: int, w: int) -> None:
        self.moves += 1
        self.version = self.moves
        points, current = self.points[r], self.current[r]
        old = int(self.assignment[r])
        if r not in self.group_of:
            if old != UNALLOCATED:
                del self.holding[old][r]
            if w != UNALLOCATED:
                self.holding[w][r] = None
        if old != UNALLOCATED:
            self._add(old, -points)
            self.cases[old] -= 1
            self.new[old] -= int(old != current)
        self.assignment[r] = w
        if w != UNALLOCATED:
            self._add(w, points)
            self.cases[w] += 1
            self.new[w] += int(w != current)

    def offer(self, r: int, w: int, cost: int) -> None:
        """Add ``w`` to ``r``'s candidates at ``cost``: a new state for the kept ejections."""
        self.cost[r][w] = cost
        self.moves += 1
        self.version = self.moves

    def ejection(self, w: int) -> tuple[int, int, int] | None:
        """The young person on ``w`` cheapest to move elsewhere: (who, where, delta).

        Kept per state: in a shortage many waiting young people try to make
        room on the same full workers, where nobody can move.
        """
        hit = self._ejections.get(w)
        if hit is not None and hit[0] == self.version:
            return hit[1]
        choice = None
        for other in sorted(self.holding[w]):  # siblings are not in it
            target, delta = best_move(self, other, avoid=w)
            if delta is not None and (choice is None or delta < choice[2]):
                choice = (other, target, delta)
        self._ejections[w] = (self.version, choice)
        return choice

    def _add(self, w: int, points: int) -> None:
        self.touched.add(w)
        self.loads[w] += points
        self.loads_list[w] += points
        self.penalty[w] = self.balance(w, self.loads_list[w])


def leave_delta(state: ClimbState, r: int) -> int:
    """Objective change of taking ``r`` off its worker (or out of unallocated)."""
    old = int(state.assignment[r])
    if old == UNALLOCATED:
        return -int(state.inst.unallocated_cost[r])
    load = state.loads_list[old]
    return state.balance(old, load - state.points[r]) - state.penalty[old] - state.cost[r][old]


def join_delta(state: ClimbState, r: int, w: int) -> int:
    """Objective change of giving ``r`` to ``w`` (after it has left its worker)."""
    load = state.loads_list[w]
    return state.cost[r][w] + state.balance(w, load + state.points[r]) - state.penalty[w]


def move_delta(state: ClimbState, r: int, w: int) -> int:
    """Objective change of moving requirement ``r`` to worker ``w`` (which must fit)."""
    delta = leave_delta(state, r) + join_delta(state, r, w)
    if r in state.group_of:
        delta += state.sibling_extra(r, w) - state.sibling_extra(r, int(state.assignment[r]))
    return delta


def best_move(state: ClimbState, r: int, avoid: int = UNALLOCATED) -> tuple[int, int | None]:
    """The cheapest feasible new worker for ``r`` (not ``avoid``) and its delta."""
    old = int(state.assignment[r])
    leave = leave_delta(state, r)
    grouped = r in state.group_of
    base_sib = state.sibling_extra(r, old) if grouped else 0
    best, best_delta = old, None
    for w in state.cost[r]:
        if w in (old, avoid) or not state.fits(r, w):
            continue
        delta = leave + join_delta(state, r, w)
        if grouped:
            delta += state.sibling_extra(r, w) - base_sib
        if best_delta is None or delta < best_delta:
            best, best_delta = w, delta
    return best, best_delta


def make_room(state: ClimbState, r: int, w: int, gain: int = 0) -> int | None:
    """Let ``r`` in to ``w`` by moving others off ``w``; keep it if it pays.

    Moves the cheapest-to-move young people off ``w`` one at a time until ``r``
    fits. Kept when the total change plus ``gain`` (what the caller's earlier
    moves changed) is negative; returns the total change when kept, ``None``
    (state untouched) otherwise.
    """
    done: list[tuple[int, int]] = []
    total, version = 0, state.version
    while not state.fits(r, w):
        choice = state.ejection(w)
        if choice is None or len(done) >= MAX_EJECTIONS:
            break
        state.move(choice[0], choice[1])
        done.append((choice[0], w))
        total += choice[2]
    if state.fits(r, w):
        total += move_delta(state, r, w)
        if total + gain < 0:
            state.move(r, w)
            return total
    for other, back in reversed(done):
        state.move(other, back)
    state.version = version  # the same state as before the attempt
    return None


def ends_within(state: ClimbState, w: int, load: int, cases: int, receives: bool) -> bool:
    """Rule 5 for ``w`` ending with ``load`` and ``cases``: a receiver stays within its limits."""
    if not receives:
        return True
    limit = state.max_cases[w]
    return load <= state.hard_limit[w] and (limit is None or cases <= limit)
