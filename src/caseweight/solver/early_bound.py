"""HiGHS's branch and bound on one role beside the search, for the bound only.

The search keeps one core busy (CP-SAT runs one worker; the climb is
Python), and MathOpt lets go of Python's lock while HiGHS solves (a Python
loop runs at full speed beside it), so a thread can work on a role's bound
from the LP's rounding, before the climb, to the deadline instead of only
in what the search leaves (large's advisers: 18,394,497, the LP, when it
started after the climb; 18,873,227 from before it). The role is the one
furthest above its LP (the min-cost flow, less the sibling splits it
leaves out), with at most THREAD_PAIR_LIMIT eligible pairs and time for its
root before the deadline: the demo's advisers, whose root reaches
5,549,235 in 2 s (:mod:`.root_bound`). With less time it is not started:
the role's root is left to the end, where it gets the open pairs. Started,
it has the role to itself: the Lagrangian gives that role no time
(:func:`.bound.lower_bound`).

The thread only reads the instance (a role's prices and rules do not change
during the search) and is hinted with the LP's rounding, a feasible
allocation, so HiGHS may prune by its objective; what it proves is capped
at the final proposal's objective, as every bound is. The proposal never
depends on it. HiGHS's nodes are capped (:data:`.role_mip.BRANCH_NODES`): the
demo's command peaks at 840 MB with 60 s.
"""

from __future__ import annotations

import math
import threading
import time

import numpy as np

from caseweight.problem import Role
from caseweight.solver.instance import Instance
from caseweight.solver.role_mip import RoleMip
from caseweight.solver.root_bound import THREAD_PAIR_LIMIT, highs_dual, with_dual
from caseweight.solver.starts import role_objectives

#: Seconds before the deadline HiGHS's clock ends, which the caller waits
#: for it to stop: inside the command's limit. Its root's cut rounds do not
#: read the clock (large's advisers: the first from 1 s to 12 s, then one
#: about every 5.5 s), so where one is still going at the deadline the role
#: has the last bound HiGHS logged (:func:`.highs.solve`'s ``seen``). Before
#: that, the role fell back to its LP: large at 40 s 2.95% in 3 runs of 3,
#: now 0.92% (its advisers 18,988,047 against their LP's 18,394,479).
JOIN_GRACE = 1.0
#: Seconds a role's root needs per eligible pair, building included; with
#: less time left, no thread. The demo's advisers (15,600 pairs, built in
#: 0.1 s): 5,509,898 with a 1 s limit (1.3 s in all), 5,549,235 with 2 s.
#: Large's advisers (130,260 pairs) start with about 17 s left at 20 s.
EARLY_SECONDS_PER_PAIR = 1e-4


class EarlyBound:
    """One role's HiGHS branch and bound over its ``allowed`` pairs (every
    eligible pair where none are given), running in a thread until
    ``deadline`` less :data:`JOIN_GRACE`; also the cheapest-pairs root's
    (:mod:`.fixed_root`, without ``symmetry`` detection)."""

    def __init__(
        self,
        instance: Instance,
        role: Role,
        incumbent: np.ndarray,
        deadline: float,
        seed: int,
        allowed: np.ndarray | None = None,
        symmetry: bool = True,
    ) -> None:
        self.role, self.deadline = role, deadline
        self._dual = -math.inf
        if allowed is None:
            allowed = instance.role_costs[role].eligible
        self._thread = threading.Thread(
            target=self._run,
            args=(instance, allowed, incumbent.copy(), seed, symmetry),
            daemon=True,
        )
        self._thread.start()

    def _run(
        self,
        instance: Instance,
        allowed: np.ndarray,
        incumbent: np.ndarray,
        seed: int,
        symmetry: bool,
    ) -> None:
        mip = RoleMip(instance, self.role, allowed)
        ends = self.deadline - JOIN_GRACE
        self._seen(highs_dual(mip, incumbent, ends, seed, True, self._seen, symmetry))

    def _seen(self, dual: float) -> None:
        self._dual = max(self._dual, dual)

    def proven(self) -> float:
        """HiGHS's dual bound once it stops, or at the deadline the last it logged."""
        self._thread.join(max(0.0, self.deadline - time.perf_counter()))
        return self._dual

    def raised(self, bounds: dict[Role, int], upper: float) -> dict[Role, int]:
        """``bounds`` with this role's raised to HiGHS's (:meth:`proven`), capped at ``upper``."""
        return with_dual(bounds, self.role, self.proven(), upper)


def start_early_bound(
    instance: Instance,
    incumbent: np.ndarray,
    room: dict[Role, float],
    deadline: float,
    seed: int,
) -> EarlyBound | None:
    """A thread for the role with most room for its objective above its LP
    (:func:`.solve._room`), if its pairs are few enough and its root fits."""
    objectives = role_objectives(instance, incumbent)

    def share(role: Role) -> float:
        return room[role] / max(1.0, abs(objectives[role]))

    roles = [role for role in sorted(room, key=lambda ro: (-share(ro), ro.value)) if room[role] > 0]
    if not roles:
        return None
    pairs = int(instance.role_costs[roles[0]].eligible.sum())
    if pairs > THREAD_PAIR_LIMIT or deadline - time.perf_counter() < pairs * EARLY_SECONDS_PER_PAIR:
        return None
    return EarlyBound(instance, roles[0], incumbent, deadline, seed)
