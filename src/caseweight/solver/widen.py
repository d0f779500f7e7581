"""Widen the candidates where the search says it matters.

The sparse candidates (current worker, siblings' workers, own team, the few
lightest others *before* the month's allocation) can run out: in a large
authority every young person's "lightest others" are the same few workers,
who fill first. After the first hill climb, each young person still on a
worker above the hard limit, and each still unallocated, also gets the
workers who are lightest *now* (of their role, eligible for them), so the
search can relieve an overload it could not reach.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from caseweight.problem import Role
from caseweight.solver.climb_state import ClimbState
from caseweight.solver.costs import RoleCosts
from caseweight.solver.instance import Candidate, Instance
from caseweight.solver.starts import role_objectives
from caseweight.solver.warm_start import UNALLOCATED, loads_and_cases

#: Lightest workers (by utilisation under the incumbent) added per young person.
LIGHTEST_NOW = 8


def widen(instance: Instance, assignment: np.ndarray, lightest: int = LIGHTEST_NOW) -> Instance:
    """``instance`` with the now-lightest eligible workers added where they are needed."""
    loads, _ = loads_and_cases(instance, assignment)
    utilisation = loads / np.maximum(instance.capacity, 1)
    over = loads > instance.hard_limit
    added: dict[int, list[Candidate]] = {}
    for costs in instance.role_costs.values():
        if not costs.workers.size:
            continue
        receives = costs.eligible.any(axis=0)
        order = costs.workers.size
        for i, r in enumerate(costs.requirements.tolist()):
            held = int(assignment[r])
            if held != UNALLOCATED and not over[held]:
                continue
            options = np.flatnonzero(costs.eligible[i] & receives)
            if not options.size:
                continue
            ranked = options[np.argsort(utilisation[costs.workers[options]], kind="stable")]
            known = {c.worker for c in instance.candidates[r]}
            extra = [
                pair_option(costs, i, j)
                for j in ranked[: min(lightest, order)].tolist()
                if int(costs.workers[j]) not in known
            ]
            if extra:
                added[r] = extra
    return with_candidates(instance, added)


def with_candidates(instance: Instance, added: dict[int, list[Candidate]]) -> Instance:
    """``instance`` with ``added`` workers after each requirement's own candidates."""
    if not added:
        return instance
    candidates = list(instance.candidates)
    for r, extra in added.items():
        candidates[r] = candidates[r] + tuple(extra)
    return dataclasses.replace(instance, candidates=tuple(candidates))


def adopted(
    instance: Instance, role: Role, found: np.ndarray, incumbent: np.ndarray
) -> tuple[Instance, np.ndarray] | None:
    """``found``, with the workers it gives ``role`` among the candidates, if it
    lowers the role's objective below ``incumbent``'s; else None."""
    if role_objectives(instance, found)[role] >= role_objectives(instance, incumbent)[role]:
        return None
    return with_chosen(instance, role, found), found


def with_chosen(instance: Instance, role: Role, assignment: np.ndarray) -> Instance:
    """``instance`` with the worker ``assignment`` gives each of ``role``'s young
    people among their candidates."""
    costs = instance.role_costs[role]
    column = costs.column
    added: dict[int, list[Candidate]] = {}
    for i, r in enumerate(costs.requirements.tolist()):
        j = column.get(int(assignment[r]))
        if j is not None and all(o.worker != costs.workers[j] for o in instance.candidates[r]):
            added[r] = [pair_option(costs, i, j)]
    return with_candidates(instance, added)


def pair_option(costs: RoleCosts, i: int, j: int) -> Candidate:
    """Row ``i``'s pair with column ``j``'s worker, priced from the role's matrices."""
    change, team, skill = costs.change[i, j], costs.team[i, j], costs.skill[i, j]
    return Candidate(int(costs.workers[j]), int(change), int(team), int(skill))


#: Workers with room now added per unallocated young person after a pass of the climb.
REACH = 4
#: Of the workers a waiting young person could have, the nearest to room whose
#: young people are given workers with room (:meth:`Reach._relay`). A region
#: at 90 s: the 4 nearest: 4 left waiting (9 without), 252.09 M; 12: 2 left,
#: 251.07 M; all: 2 left, 250.84 M, but 1,022 changes against 1,017, and the
#: work grows with the number waiting.
RELAY_WORKERS = 12


class Reach:
    """During the climb: eligible workers with room *now* for a young person left unallocated.

    ``widen`` adds the lightest workers once, before the second climb; in a
    region the unallocated all get the same few, who fill, and young people
    stay unallocated while advisers elsewhere have room (region: 93 of 136).
    After each pass of the climb, a young person still unallocated whom none
    of their workers can take gets the cheapest eligible workers who can take
    them now (hard limit and case limit; pair cost plus balance penalty), where
    going there pays, and the next pass looks at them again. Where nobody
    eligible can take them now, they get once the workers nearest to having
    room, and the next pass tries to make room there (region: 56 -> 37 left
    waiting).
    """

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.row: dict[int, tuple[RoleCosts, int]] = {}
        for costs in instance.role_costs.values():
            for i, r in enumerate(costs.requirements.tolist()):
                self.row[r] = (costs, i)
        no_limit = np.iinfo(np.int64).max
        self.max_cases = np.array(
            [no_limit if c.max_cases is None else c.max_cases for c in instance.capacities],
            dtype=np.int64,
        )
        self.added: dict[int, list[Candidate]] = {}
        self.neared: set[int] = set()  # young people given their nearest workers once
        self.relayed: set[int] = set()  # young people whose nearest workers' people got room once
        self.given: set[int] = set()  # young people given workers with room by a relay

    def extend(self, state: ClimbState, r: int) -> int:
        """Add up to REACH workers who can take ``r`` now, if none of theirs can; how many.

        Where every eligible worker is already ``r``'s and none has room, the
        young people of the nearest of them get workers with room instead
        (:meth:`_relay`), so that making room for ``r`` can move one on.
        """
        if r not in self.row or any(state.fits(r, w) for w in state.cost[r]):
            return 0
        costs, i = self.row[r]
        options = self._room_for(state, r)
        if not options:
            options = self._nearest(state, r, costs, i)
        if not options:
            return self._relay(state, r)
        return self._add(state, r, options, int(self.instance.unallocated_cost[r]))

    def _room_for(self, state: ClimbState, r: int, cases: np.ndarray | None = None) -> list[int]:
        """Columns of the eligible workers, not yet ``r``'s, who can take ``r`` now."""
        costs, i = self.row[r]
        workers = costs.workers
        cases = np.asarray(state.cases) if cases is None else cases
        fits = costs.eligible[i] & (
            state.loads[workers] + state.points[r] <= self.instance.hard_limit[workers]
        )
        fits &= cases[workers] < self.max_cases[workers]
        known = state.cost[r]
        return [j for j in np.flatnonzero(fits).tolist() if int(workers[j]) not in known]

    def _add(self, state: ClimbState, r: int, columns: list[int], gain: int) -> int:
        """Give ``r`` the REACH cheapest of ``columns`` (pair cost plus balance) under ``gain``."""
        costs, i = self.row[r]
        workers, points = costs.workers, state.points[r]
        pair = costs.change[i].astype(np.int64) + costs.team[i] + costs.skill[i]

        def price(j: int) -> tuple[int, int, int]:
            w = int(workers[j])
            balance = state.balance(w, state.loads_list[w] + points) - state.penalty[w]
            return int(pair[j]) + balance, w, j

        # only workers it pays to go to: the next pass then places ``r``
        chosen = [j for value, _, j in sorted(map(price, columns))[:REACH] if value < gain]
        for j in chosen:
            option = pair_option(costs, i, j)
            state.offer(r, option.worker, option.cost)
            self.added.setdefault(r, []).append(option)
        return len(chosen)

    def _relay(self, state: ClimbState, r: int) -> int:
        """Workers with room for the young people of ``r``'s RELAY_WORKERS nearest workers.

        Once per ``r``; returns how many were added. Making room for ``r`` can
        only move someone to a worker on their own list: where none of those
        has room either, ``r`` waits although a worker elsewhere could take
        the one who would make way (the region: 7 of 9 waiting placed). Only
        moves that cost less than ``r``'s wait are added; making room for
        ``r`` then decides. A deeper re-packing is out of its reach: the demo
        with a change priced at 125 still leaves one young person waiting whom
        HiGHS places.
        """
        if r in self.relayed:
            return 0
        self.relayed.add(r)
        points, gain = state.points[r], int(self.instance.unallocated_cost[r])
        able = [
            w
            for w in state.cost[r]
            if self.instance.hard_limit[w] >= points and state.cases[w] <= self.max_cases[w]
        ]
        able.sort(key=lambda w: (state.loads_list[w] + points - self.instance.hard_limit[w], w))
        added, cases = 0, np.asarray(state.cases)
        for w in able[:RELAY_WORKERS]:
            for s in list(state.holding[w]):
                if s in self.row and s not in self.given:
                    self.given.add(s)  # once: their workers with room now
                    if columns := self._room_for(state, s, cases):
                        added += self._add(state, s, columns, gain)
        return added

    def _nearest(self, state: ClimbState, r: int, costs: RoleCosts, i: int) -> list[int]:
        """Columns of the REACH eligible workers nearest to having room for ``r``.

        Nobody can take ``r`` now; the climb's make-room step may move one of
        these workers' young people on. Nearest: fewest points short of the
        hard limit, among workers who would be within their case limit once
        one young person has gone.
        """
        if r in self.neared:
            return []
        self.neared.add(r)
        workers = costs.workers
        known = state.cost[r]
        short = state.loads[workers] + state.points[r] - self.instance.hard_limit[workers]
        able = costs.eligible[i] & (np.asarray(state.cases)[workers] <= self.max_cases[workers])
        able &= self.instance.hard_limit[workers] >= state.points[r]
        columns = [j for j in np.flatnonzero(able).tolist() if int(workers[j]) not in known]
        columns.sort(key=lambda j: (int(short[j]), j))
        return columns[:REACH]

    def widened(self) -> Instance:
        """The instance with every worker reached added to the candidates."""
        return with_candidates(self.instance, self.added)
