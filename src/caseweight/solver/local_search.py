"""Deterministic hill climbing over single moves, before the CP-SAT neighbourhoods.

Each pass takes the young people of the most utilised workers first and makes
the best improving move for each (to another candidate worker, or from
unallocated to a worker), priced exactly as :mod:`caseweight.solution` prices
a proposal and keeping every hard rule. Gross imbalances (a worker at 250%)
are cheap to fix this way and expensive for a time-limited CP-SAT model.
When no single move pays, the moves of two or three young people in
:mod:`.exchanges` (make-room, trades, swaps, return-home chains) are tried.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np

from caseweight.solver.climb_state import ClimbState, best_move, make_room
from caseweight.solver.exchanges import (
    RETURN_WORK,
    bump,
    relieve_by_trades,
    return_home,
    swaps,
    trade_for_room,
)
from caseweight.solver.instance import Instance
from caseweight.solver.warm_start import UNALLOCATED
from caseweight.solver.widen import Reach, widen


class Climb(NamedTuple):
    assignment: np.ndarray
    converged: bool  # False: time ran out first
    instance: Instance  # with the workers reached for the unallocated among the candidates


def improve(instance: Instance, assignment: np.ndarray, seconds: float) -> Climb:
    """Hill-climb from ``assignment`` until nothing improves or time runs out.

    After the first pass, a young person is looked at again only when the load
    of their worker or of one of their candidates changed (or they have
    siblings): for anyone else every move is priced as before and still does
    not pay, so skipping them changes nothing but the time. After each pass,
    a young person still unallocated also gets workers who have room for them
    now (:class:`.Reach`), and the climb goes on while that places anyone.
    """
    state = ClimbState(instance, assignment.copy(), chains=RETURN_WORK)
    reach = Reach(instance)
    deadline = time.perf_counter() + seconds
    changed: set[int] | None = None  # None: look at everyone
    reached: set[int] = set()
    for _ in range(50):
        util = state.loads / np.maximum(instance.capacity, 1)
        order = sorted(
            (
                r
                for r in range(len(instance.requirements))
                if r in reached or _worth_a_look(state, r, changed)
            ),
            key=lambda r: (-(util[a] if (a := int(state.assignment[r])) >= 0 else 9.0), r),
        )
        state.touched = set()
        moved = 0
        for r in order:
            w, delta = best_move(state, r)
            # a tie sends a young person back to their own worker: continuity first
            if delta is not None and (delta < 0 or (delta == 0 and w == state.current[r])):
                state.move(r, w)
                moved += 1
            if time.perf_counter() > deadline:
                return Climb(state.assignment, False, reach.widened())
        for r in np.flatnonzero(state.assignment == UNALLOCATED).tolist():
            if r not in reached and not _worth_a_look(state, r, changed):
                continue
            for w in state.cost[r]:  # the workers reached for them too
                if make_room(state, r, w) is not None:
                    moved += 1
                    break
            else:
                moved += trade_for_room(state, r) or bump(state, r)
        moved += swaps(state)
        if not moved:
            # dearer: chains that send young people back to a full worker
            for r in range(len(instance.requirements)):
                moved += return_home(state, r)
                if time.perf_counter() > deadline:
                    return Climb(state.assignment, False, reach.widened())
        if not moved:
            # the last resort, dearer to search: trades that relieve workers
            # above the hard limit
            moved = relieve_by_trades(state, deadline)
        # an unallocated young person is looked at again when a worker they could
        # not reach before has room now
        unallocated = np.flatnonzero(state.assignment == UNALLOCATED).tolist()
        reached = {r for r in unallocated if reach.extend(state, r)}
        if not moved and not reached:
            return Climb(state.assignment, True, reach.widened())
        changed = state.touched
    return Climb(state.assignment, False, reach.widened())


def climb(instance: Instance, start: np.ndarray, ends: float) -> Climb:
    """Hill-climb from ``start``, widen the candidates where needed, climb again, until ``ends``.

    Young people still on a worker over the hard limit, or unallocated, may
    need a worker the sparse candidates missed: the lightest now are added
    (:func:`.widen`) before the second climb.
    """
    first = improve(instance, start, max(0.0, ends - time.perf_counter()))
    wider = widen(first.instance, first.assignment)
    second = improve(wider, first.assignment, max(0.0, ends - time.perf_counter()))
    return Climb(second.assignment, first.converged and second.converged, second.instance)


def _worth_a_look(state: ClimbState, r: int, changed: set[int] | None) -> bool:
    """Whether ``r``'s moves may price differently since the last pass."""
    if changed is None or r in state.group_of:
        return True
    if int(state.assignment[r]) in changed:
        return True
    return any(w in changed for w in state.cost[r])
