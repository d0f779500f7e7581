"""Deterministic hill climbing over single moves, before the CP-SAT neighbourhoods.

Each pass takes the young people of the most utilised workers first and makes
the best improving move for each (to another candidate worker, or from
unallocated to a worker), priced exactly as :mod:`caseweight.solution` prices
a proposal and keeping every hard rule. Gross imbalances (a worker at 250%)
are cheap to fix this way and expensive for a time-limited CP-SAT model.
"""

from __future__ import annotations

import bisect
import time

import numpy as np

from caseweight.solver.instance import Instance, balance_penalty
from caseweight.solver.warm_start import UNALLOCATED, loads_and_cases

#: Young people moved off one worker at most to let an unallocated one in.
MAX_EJECTIONS = 6
#: Young people a relief pass may look at as the one a worker gives up in a trade.
RELIEF_WORK = 60_000
#: A return home (:func:`_return_home`) tries this many cheaper workers, passes on
#: one of this many of their young people, and makes room for them on this many.
RETURN_TARGETS = 3
RETURN_PASSED = 6
RETURN_ROOM_TRIES = 2
#: Chains a climb may try at most: work, not the clock, so proposals repeat. The
#: demo tries about 500; a region without the cap tried 3,900 for 8 found, and
#: the passes they set off left its climb cut short when the report was written.
RETURN_WORK = 1_500


class _State:
    def __init__(self, instance: Instance, assignment: np.ndarray) -> None:
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
        self.chains_left = RETURN_WORK  # return-home chains this climb may still try
        # each worker's young people outside sibling groups, in a stable order
        self.holding: list[dict[int, None]] = [{} for _ in range(instance.n_workers)]
        for r, w in enumerate(assignment.tolist()):
            if w != UNALLOCATED and r not in self.group_of:
                self.holding[w][r] = None
        self.penalty = [self.balance(w, load) for w, load in enumerate(self.loads_list)]

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
        if self.new[w] == 0 and w == self.current[r]:
            return True
        if self.loads_list[w] + self.points[r] > self.hard_limit[w]:
            return False
        limit = self.max_cases[w]
        return limit is None or self.cases[w] + 1 <= limit

    def move(self, r: int, w: int) -> None:
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
        self._add(w, points)
        self.cases[w] += 1
        self.new[w] += int(w != current)

    def _add(self, w: int, points: int) -> None:
        self.touched.add(w)
        self.loads[w] += points
        self.loads_list[w] += points
        self.penalty[w] = self.balance(w, self.loads_list[w])


def _leave_delta(state: _State, r: int) -> int:
    """Objective change of taking ``r`` off its worker (or out of unallocated)."""
    old = int(state.assignment[r])
    if old == UNALLOCATED:
        return -int(state.inst.unallocated_cost[r])
    load = state.loads_list[old]
    return state.balance(old, load - state.points[r]) - state.penalty[old] - state.cost[r][old]


def _join_delta(state: _State, r: int, w: int) -> int:
    """Objective change of giving ``r`` to ``w`` (after it has left its worker)."""
    load = state.loads_list[w]
    return state.cost[r][w] + state.balance(w, load + state.points[r]) - state.penalty[w]


def _move_delta(state: _State, r: int, w: int) -> int:
    """Objective change of moving requirement ``r`` to worker ``w`` (which must fit)."""
    delta = _leave_delta(state, r) + _join_delta(state, r, w)
    if r in state.group_of:
        delta += state.sibling_extra(r, w) - state.sibling_extra(r, int(state.assignment[r]))
    return delta


def _best_move(state: _State, r: int, avoid: int = UNALLOCATED) -> tuple[int, int | None]:
    """The cheapest feasible new worker for ``r`` (not ``avoid``) and its delta."""
    old = int(state.assignment[r])
    leave = _leave_delta(state, r)
    grouped = r in state.group_of
    base_sib = state.sibling_extra(r, old) if grouped else 0
    best, best_delta = old, None
    for w in state.cost[r]:
        if w in (old, avoid) or not state.fits(r, w):
            continue
        delta = leave + _join_delta(state, r, w)
        if grouped:
            delta += state.sibling_extra(r, w) - base_sib
        if best_delta is None or delta < best_delta:
            best, best_delta = w, delta
    return best, best_delta


def _make_room(state: _State, r: int, w: int, gain: int = 0) -> int | None:
    """Let ``r`` in to ``w`` by moving others off ``w``; keep it if it pays.

    Moves the cheapest-to-move young people off ``w`` one at a time until ``r``
    fits. Kept when the total change plus ``gain`` (what the caller's earlier
    moves changed) is negative; returns the total change when kept, ``None``
    (state untouched) otherwise.
    """
    done: list[tuple[int, int]] = []
    total = 0
    while not state.fits(r, w):
        choice = None
        for other in sorted(state.holding[w]):  # siblings are not in it
            target, delta = _best_move(state, other, avoid=w)
            if delta is not None and (choice is None or delta < choice[2]):
                choice = (other, target, delta)
        if choice is None or len(done) >= MAX_EJECTIONS:
            break
        state.move(choice[0], choice[1])
        done.append((choice[0], w))
        total += choice[2]
    if state.fits(r, w):
        total += _move_delta(state, r, w)
        if total + gain < 0:
            state.move(r, w)
            return total
    for other, back in reversed(done):
        state.move(other, back)
    return None


def _return_home(state: _State, r: int) -> int:
    """Send ``r`` to a cheaper worker ``c`` who is full (their own, or one of their
    team) by passing on one of ``c``'s young people new to ``c``, placed by a single
    move or by making room (which may use the room ``r`` leaves). Returns 1 if made.

    Advisers at the hard limit cannot take a young person back by single moves or
    swaps; the chain r -> c, s -> v (, t -> r's old worker) can.
    """
    a = int(state.assignment[r])
    if a == UNALLOCATED or r in state.group_of:
        return 0
    here, points = state.cost[r][a], state.points
    cheaper = sorted((cost, c) for c, cost in state.cost[r].items() if cost < here)
    for _, c in cheaper[:RETURN_TARGETS]:
        if state.fits(r, c) or state.inst.balance[c] is None:
            continue  # a single move's business
        need = state.loads_list[c] + points[r] - state.hard_limit[c]
        passed = sorted(
            (s for s in state.holding[c] if state.current[s] != c and points[s] >= need),
            key=lambda s: (points[s], s),
        )
        for s in passed[:RETURN_PASSED]:
            if state.chains_left <= 0:
                return 0
            state.chains_left -= 1
            if _chain(state, r, a, c, s):
                return 1
    return 0


def _chain(state: _State, r: int, a: int, c: int, s: int) -> bool:
    """r: a -> c and s off c, kept if the whole lowers the objective.

    ``s`` is at least as large as what ``c`` lacks for ``r``, so ``c`` ends within
    the hard limit with the same number of cases: rule 5 holds for ``c``, and the
    single move or make-room that places ``s`` keeps it for the others.
    """
    first = _move_delta(state, r, c)
    state.move(r, c)
    v, delta = _best_move(state, s, avoid=c)
    if delta is not None and first + delta < 0:
        state.move(s, v)
        return True
    for option in state.inst.candidates[s][:RETURN_ROOM_TRIES]:
        if option.worker != c and _make_room(state, s, option.worker, first) is not None:
            return True
    state.move(r, a)
    return False


def _ends_within(state: _State, w: int, load: int, cases: int, receives: bool) -> bool:
    """Rule 5 for ``w`` ending with ``load`` and ``cases``: a receiver stays within its limits."""
    if not receives:
        return True
    limit = state.max_cases[w]
    return load <= state.hard_limit[w] and (limit is None or cases <= limit)


def _trade_for_room(state: _State, r: int, work: list[int] | None = None) -> int:
    """Let unallocated ``r`` in by a trade: a worker ``w`` gives a larger young person
    ``s`` to a worker ``v`` with room and takes back a smaller ``t`` from ``v``.

    A worker at the hard limit cannot pass anyone on to workers who are full,
    and one whose room is in points but not in cases (``max_cases``) cannot
    take anyone; a trade uses the second's room in points to make room in the
    first without changing anyone's number of cases. The best trade over
    ``r``'s candidates is made if it lowers the objective; returns 1 if made.
    """
    if r in state.group_of:
        return 0  # a sibling's price depends on the others' workers: single moves only
    inst, points, cost = state.inst, state.points, state.cost
    room = [state.hard_limit[v] - state.loads_list[v] for v in range(inst.n_workers)]
    leave_r = _leave_delta(state, r)
    held = int(state.assignment[r])
    best: tuple[int, int, int, int, int] | None = None
    by_points: dict[int, tuple[list[int], list[int]]] = {}  # per v: points sorted, and who
    for w in cost[r]:
        need = state.loads_list[w] + points[r] - state.hard_limit[w]
        if need <= 0 or inst.balance[w] is None or w == held:
            continue  # fits already (make-room's business) or cannot hold
        if work is not None:
            work[0] -= len(state.holding[w])
        for s in state.holding[w]:
            for v in cost[s]:
                if v in (w, held) or room[v] <= 0 or inst.balance[v] is None:
                    continue
                if v not in by_points:
                    ranked = sorted(state.holding[v], key=lambda t: points[t])
                    by_points[v] = ([points[t] for t in ranked], ranked)
                sizes, people = by_points[v]
                # t must be smaller than s by at least the need, at most v's room
                lo = bisect.bisect_left(sizes, points[s] - room[v])
                hi = bisect.bisect_right(sizes, points[s] - need)
                for t in people[lo:hi]:
                    if w not in cost[t]:
                        continue
                    delta = _trade_delta(state, r, w, s, v, t)
                    if delta is None:
                        continue
                    delta += leave_r
                    if delta < 0 and (best is None or delta < best[0]):
                        best = (delta, w, s, v, t)
    if best is None:
        return 0
    _, w, s, v, t = best
    for person, worker in ((s, v), (t, w), (r, w)):
        state.move(person, worker)
    return 1


def _relieve_by_trades(state: _State, deadline: float) -> int:
    """Trade the young people of workers above the hard limit elsewhere, largest first."""
    moved = 0
    work = [RELIEF_WORK]  # young people ``s`` looked at, at most: work, not the clock
    for w in _over_hard_limit(state):
        curve = state.inst.balance[w]
        load = state.loads_list[w]
        # only a worker on the steepest part of their balance curve (past 140%
        # by default): a trade moves two or three young people
        if (
            curve is None
            or state.balance(w, load) - state.balance(w, load - 1) < curve.above[-1][1]
        ):
            continue
        for r in sorted(state.holding[w], key=lambda r: (-state.points[r], r)):
            if state.loads_list[w] <= state.hard_limit[w] or work[0] <= 0:
                break
            if time.perf_counter() > deadline:
                return moved
            moved += _trade_for_room(state, r, work)
    return moved


def _over_hard_limit(state: _State) -> list[int]:
    """Workers above their hard limit, the most utilised first."""
    inst = state.inst
    over = [
        w
        for w in range(inst.n_workers)
        if inst.balance[w] is not None and state.loads_list[w] > state.hard_limit[w]
    ]
    return sorted(over, key=lambda w: (-state.loads_list[w] / max(1, int(inst.capacity[w])), w))


def _trade_delta(state: _State, r: int, w: int, s: int, v: int, t: int) -> int | None:
    """Objective change of s: w -> v, t: v -> w and r joining w; None if not allowed."""
    points, cost, current = state.points, state.cost, state.current
    load_w = state.loads_list[w] - points[s] + points[t] + points[r]
    load_v = state.loads_list[v] + points[s] - points[t]
    new_v = state.new[v] - int(current[t] != v) + int(current[s] != v)
    cases_w = state.cases[w] + 1
    if not _ends_within(state, w, load_w, cases_w, True) or not _ends_within(
        state, v, load_v, state.cases[v], new_v > 0
    ):
        return None
    delta = cost[s][v] - cost[s][w] + cost[t][w] - cost[t][v] + cost[r][w]
    delta += state.balance(w, load_w) - state.penalty[w]
    return delta + state.balance(v, load_v) - state.penalty[v]


def _swap_delta(state: _State, r: int, s: int) -> int | None:
    """Objective change of exchanging the workers of ``r`` and ``s``; None if not allowed."""
    inst = state.inst
    a, b = int(state.assignment[r]), int(state.assignment[s])
    cost_r, cost_s = state.cost[r], state.cost[s]
    if a == b or b not in cost_r or a not in cost_s:
        return None
    pr, ps = inst.requirements[r].points, inst.requirements[s].points
    new_a, new_b = state.loads_list[a] - pr + ps, state.loads_list[b] - ps + pr
    for w, load, incoming in ((a, new_a, s), (b, new_b, r)):
        receives = state.new[w] > 0 or w != inst.requirements[incoming].current_worker
        if receives and load > inst.hard_limit[w]:
            return None
    delta = cost_r[b] - cost_r[a] + cost_s[a] - cost_s[b]
    delta += state.balance(a, new_a) - state.penalty[a]
    return delta + state.balance(b, new_b) - state.penalty[b]


def _swaps(state: _State) -> int:
    """Exchange the workers of two young people where one side costs less.

    For a young person whose pair costs anything (a change of worker, another
    team, a missing skill), try each cheaper worker's young people: sending a
    moved young person back to their own worker in exchange for one who has
    no worker yet saves a change at no cost in balance.
    """
    inst = state.inst
    swapped = 0
    for r, options in enumerate(inst.candidates):
        a = int(state.assignment[r])
        if a == UNALLOCATED or r in state.group_of:
            continue
        here = state.cost[r][a]
        if here == 0:
            continue
        best, best_delta = None, 0
        for option in options:
            if option.cost >= here:
                continue
            for s in state.holding[option.worker]:
                delta = _swap_delta(state, r, s)
                if delta is not None and delta < best_delta:
                    best, best_delta = s, delta
        if best is not None:
            b = int(state.assignment[best])
            state.move(r, b)
            state.move(best, a)
            swapped += 1
    return swapped


def improve(instance: Instance, assignment: np.ndarray, seconds: float) -> tuple[np.ndarray, bool]:
    """Hill-climb from ``assignment`` until nothing improves (True) or time runs out (False).

    After the first pass, a young person is looked at again only when the load
    of their worker or of one of their candidates changed (or they have
    siblings): for anyone else every move is priced as before and still does
    not pay, so skipping them changes nothing but the time.
    """
    state = _State(instance, assignment.copy())
    deadline = time.perf_counter() + seconds
    changed: set[int] | None = None  # None: look at everyone
    for _ in range(50):
        util = state.loads / np.maximum(instance.capacity, 1)
        order = sorted(
            (r for r in range(len(instance.requirements)) if _worth_a_look(state, r, changed)),
            key=lambda r: (-(util[a] if (a := int(state.assignment[r])) >= 0 else 9.0), r),
        )
        state.touched = set()
        moved = 0
        for r in order:
            w, delta = _best_move(state, r)
            if delta is not None and delta < 0:
                state.move(r, w)
                moved += 1
            if time.perf_counter() > deadline:
                return state.assignment, False
        for r in np.flatnonzero(state.assignment == UNALLOCATED).tolist():
            if not _worth_a_look(state, r, changed):
                continue
            for option in instance.candidates[r]:
                if _make_room(state, r, option.worker) is not None:
                    moved += 1
                    break
            else:
                moved += _trade_for_room(state, r)
        moved += _swaps(state)
        if not moved:
            # dearer: chains that send young people back to a full worker
            for r in range(len(instance.requirements)):
                moved += _return_home(state, r)
                if time.perf_counter() > deadline:
                    return state.assignment, False
        if not moved:
            # the last resort, dearer to search: trades that relieve workers
            # above the hard limit
            moved = _relieve_by_trades(state, deadline)
        if not moved:
            return state.assignment, True
        changed = state.touched
    return state.assignment, False


def _worth_a_look(state: _State, r: int, changed: set[int] | None) -> bool:
    """Whether ``r``'s moves may price differently since the last pass."""
    if changed is None or r in state.group_of:
        return True
    if int(state.assignment[r]) in changed:
        return True
    return any(w in changed for w in state.cost[r])
