"""One role's rows and columns for the fewest-changes proof, and its solver options.

See :mod:`fewest_changes`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from ortools.sat.python import cp_model

from caseweight.problem import Role
from caseweight.solver.instance import Instance


@dataclass(frozen=True)
class RoleRange:
    """Utilisation range [low, high] for one role's balancing workers, and the unallocated cap."""

    low: Fraction
    high: Fraction
    max_unallocated: int


class RoleData:
    """One role's rows (requirements) and columns (workers), with the range as loads."""

    def __init__(self, instance: Instance, role: Role, limits: RoleRange) -> None:
        costs = instance.role_costs[role]
        self.instance, self.costs, self.limits = instance, costs, limits
        reqs = [instance.requirements[int(r)] for r in costs.requirements]
        n = len(reqs)
        self.points = np.array([r.points for r in reqs], dtype=np.int64)
        self.has_current = np.array([r.current_worker is not None for r in reqs], dtype=bool)
        rows = np.arange(n)
        cur = costs.current
        keepable = cur >= 0
        keepable[keepable] = costs.eligible[rows[keepable], cur[keepable]]
        self.keep_col = np.where(keepable, cur, -1)  # column the row may stay with, else -1
        self.forced = int(np.sum(self.has_current & ~keepable))
        self.columns = [int(w) for w in costs.workers]
        self.low, self.high = [], []
        for w in self.columns:
            bounded = instance.balances(w) and instance.capacity[w] > 0
            cap = int(instance.capacity[w])
            self.low.append(_ceil(limits.low * cap) if bounded else 0)
            self.high.append(math.floor(limits.high * cap) if bounded else None)
        key_rows = costs.eligible.copy()
        key_rows[rows[keepable], cur[keepable]] = True  # pool regardless of who holds them now
        self.classes: dict[bytes, list[int]] = defaultdict(list)
        for i in range(n):
            self.classes[key_rows[i].tobytes()].append(i)
        self.kept_by_col: dict[int, list[int]] = defaultdict(list)
        for row in np.flatnonzero(keepable).tolist():
            self.kept_by_col[int(cur[row])].append(row)

    def most_kept(self, j: int, ceiling: int) -> int:
        """The most of column ``j``'s current young people whose points fit under ``ceiling``."""
        pts = np.sort(self.points[self.kept_by_col.get(j, [])])
        return int(np.searchsorted(np.cumsum(pts), ceiling, side="right"))

    def shed_stays(self) -> np.ndarray:
        """Who stays when each worker past the range sheds the fewest, and then the lightest.

        The fewest to leave is the shed bound's count; among sets of that many
        that bring the worker within the range, each pick is the smallest that
        still lets the rest make up the excess (lighter movers place more easily).
        """
        stays = self.keep_col >= 0
        for j, kept in self.kept_by_col.items():
            high = self.high[j]
            if high is None:
                continue
            order = np.array(kept)[np.argsort(self.points[kept], kind="stable")]
            pts = self.points[order].tolist()
            excess, free = sum(pts) - high, list(range(len(order)))
            for slot in range(len(kept) - self.most_kept(j, high), 0, -1):
                for k in free:  # smallest first
                    rest = sorted((pts[x] for x in free if x != k), reverse=True)[: slot - 1]
                    if pts[k] + sum(rest) >= excess:
                        stays[order[k]], excess = False, excess - pts[k]
                        free.remove(k)
                        break
        return stays

    def shed_bound(self) -> int:
        """Forced changes plus, per worker, the fewest kept young people that must leave.

        Exact for each worker alone: the fewest to leave are the largest first.
        """
        total = self.forced
        for j, kept in self.kept_by_col.items():
            high = self.high[j]
            if high is not None:
                total += len(kept) - self.most_kept(j, high)
        return total


def _ceil(value: Fraction) -> int:
    return -((-value.numerator) // value.denominator)


@dataclass(frozen=True)
class Options:
    time_limit: float
    seed: int
    workers: int
    engine: str
    exact_time_limit: float = 0.0  # the exact by-size model's (0: not tried)


def cp_sat(options: Options) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = options.time_limit
    solver.parameters.num_workers = options.workers
    solver.parameters.random_seed = options.seed
    solver.parameters.catch_sigint_signal = False  # Ctrl-C stops the benchmark, not one solve
    return solver
