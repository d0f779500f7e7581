"""Moves of two or three young people for the hill climb, where no single move pays.

Trades make room for someone waiting (or relieve a worker far over the hard
limit) without changing a full worker's number of cases; swaps exchange two
young people's workers; return-home chains send a young person back to a full
worker who passes on someone new to them.
"""

from __future__ import annotations

import bisect
import time

from caseweight.solver.climb_state import (
    ClimbState,
    best_move,
    ends_within,
    leave_delta,
    make_room,
    move_delta,
)
from caseweight.solver.warm_start import UNALLOCATED

#: Young people a relief pass may look at as the one a worker gives up in a trade.
RELIEF_WORK = 60_000
#: A return home (:func:`return_home`) tries this many cheaper workers, passes on
#: one of this many of their young people, and makes room for them on this many.
RETURN_TARGETS = 3
RETURN_PASSED = 6
RETURN_ROOM_TRIES = 2
#: Chains a climb may try at most: work, not the clock, so proposals repeat. The
#: demo tries about 500; a region without the cap tried 3,900 for 8 found, and
#: the passes they set off left its climb cut short when the report was written.
RETURN_WORK = 1_500


def return_home(state: ClimbState, r: int) -> int:
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


def _chain(state: ClimbState, r: int, a: int, c: int, s: int) -> bool:
    """r: a -> c and s off c, kept if the whole lowers the objective.

    ``s`` is at least as large as what ``c`` lacks for ``r``, so ``c`` ends within
    the hard limit with the same number of cases: rule 5 holds for ``c``, and the
    single move or make-room that places ``s`` keeps it for the others.
    """
    first = move_delta(state, r, c)
    state.move(r, c)
    v, delta = best_move(state, s, avoid=c)
    if delta is not None and first + delta < 0:
        state.move(s, v)
        return True
    for option in state.inst.candidates[s][:RETURN_ROOM_TRIES]:
        if option.worker != c and make_room(state, s, option.worker, first) is not None:
            return True
    state.move(r, a)
    return False


def trade_for_room(state: ClimbState, r: int, work: list[int] | None = None) -> int:
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
    leave_r = leave_delta(state, r)
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
                if not sizes or sizes[0] > points[s] - need:
                    continue
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


def bump(state: ClimbState, r: int) -> int:
    """Let unallocated ``r`` in to a full worker ``w`` in place of a young person ``s``
    new to ``w`` whose own worker cannot keep them and whose wait costs less.

    Where no worker can make room, the objective still says who waits: a
    young person turning 18 next month before one just 16 (the config's
    ``personal_adviser_due`` prices). ``s`` leaves ``w`` for the waiting list
    (later moves may place them elsewhere) and ``w`` still ends within rule
    5's limits, having received ``r``. The best such exchange over ``r``'s
    candidates is made if it lowers the objective; returns 1 if made.
    """
    if r in state.group_of or state.assignment[r] != UNALLOCATED:
        return 0
    inst, points, cost = state.inst, state.points, state.cost
    best: tuple[int, int, int] | None = None
    for w in cost[r]:
        if inst.balance[w] is None or state.fits(r, w):
            continue  # cannot hold, or a single move's or make-room's business
        limit = state.max_cases[w]
        if limit is not None and state.cases[w] > limit:
            continue  # one in, one out: w must already be within its case limit
        need = state.loads_list[w] + points[r] - state.hard_limit[w]
        for s in state.holding[w]:  # siblings are not in it
            if points[s] < need or inst.keepable[s] or state.current[s] == w:
                continue
            load = state.loads_list[w] - points[s] + points[r]
            delta = state.balance(w, load) - state.penalty[w] + cost[r][w] - cost[s][w]
            delta += int(inst.unallocated_cost[s]) - int(inst.unallocated_cost[r])
            if delta < 0 and (best is None or (delta, w, s) < best):
                best = (delta, w, s)
    if best is None:
        return 0
    _, w, s = best
    state.move(s, UNALLOCATED)
    state.move(r, w)
    return 1


def relieve_by_trades(state: ClimbState, deadline: float) -> int:
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
            moved += trade_for_room(state, r, work)
    return moved


def _over_hard_limit(state: ClimbState) -> list[int]:
    """Workers above their hard limit, the most utilised first."""
    inst = state.inst
    over = [
        w
        for w in range(inst.n_workers)
        if inst.balance[w] is not None and state.loads_list[w] > state.hard_limit[w]
    ]
    return sorted(over, key=lambda w: (-state.loads_list[w] / max(1, int(inst.capacity[w])), w))


def _trade_delta(state: ClimbState, r: int, w: int, s: int, v: int, t: int) -> int | None:
    """Objective change of s: w -> v, t: v -> w and r joining w; None if not allowed."""
    points, cost, current = state.points, state.cost, state.current
    load_w = state.loads_list[w] - points[s] + points[t] + points[r]
    load_v = state.loads_list[v] + points[s] - points[t]
    new_v = state.new[v] - int(current[t] != v) + int(current[s] != v)
    cases_w = state.cases[w] + 1
    if not ends_within(state, w, load_w, cases_w, True) or not ends_within(
        state, v, load_v, state.cases[v], new_v > 0
    ):
        return None
    delta = cost[s][v] - cost[s][w] + cost[t][w] - cost[t][v] + cost[r][w]
    delta += state.balance(w, load_w) - state.penalty[w]
    return delta + state.balance(v, load_v) - state.penalty[v]


def _swap_delta(state: ClimbState, r: int, s: int) -> int | None:
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


def swaps(state: ClimbState) -> int:
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
