"""A stronger bound where the time is left: HiGHS over a whole role, root and branching.

The Lagrangian (:mod:`.lagrangian`) is as strong as the LP. HiGHS's root node
over every eligible pair of a role, with its cuts, is stronger: from the
5 s proposal on the demo it lifts the advisers' bound from the Lagrangian's
5,397,293 to 5,552,368 in 2 s and 5,585,478 at the end of its root, with
HiGHS's searches for allocations off (:func:`.role_mip.bound_parameters`).
Pairs that no allocation better than the incumbent can use (:mod:`.fixing`)
are left out, and the bound is capped at the incumbent's objective, which
keeps it valid over every pair: the demo's social workers' optimum
(5,315,670, against the Lagrangian's 5,279,369) is then proven over about
4,400 of 42,660 pairs in about 1 s.

The last role it takes goes on into branch and bound until the time is up
(the demo's advisers at 60 s: 5,588,721). It serves the bound only, never
the proposal, which is fixed by then: the bound may use the clock, the
proposal may not. HiGHS's dual bound is valid whenever it stops, so the
time limit only decides how much it proves.
"""

from __future__ import annotations

import math
import time

import numpy as np

from caseweight.problem import Role
from caseweight.solver.highs import BoundSeen
from caseweight.solver.instance import Instance
from caseweight.solver.role_mip import RoleMip
from caseweight.solver.starts import role_objectives

#: Roles with more eligible pairs than this are left to the Lagrangian at the
#: end, in the command's own thread: HiGHS reads its clock only once its
#: setup is done, which grows faster than the pairs (large's social workers,
#: 356,119 pairs with their sibling links: 30 s before the first LP row, on
#: a 5 s limit). The thread beside the search, whose overrun the command
#: does not wait for, takes up to :data:`THREAD_PAIR_LIMIT`.
ROOT_PAIR_LIMIT = 60_000
#: Large's advisers (130,260 pairs): the LP after 4 s, 18,826,527 after 10 s
#: against the Lagrangian's 18,263,549.
THREAD_PAIR_LIMIT = 150_000
#: Seconds a root needs per eligible pair at the least, building included:
#: with less time left than this, HiGHS is not started. The demo's social
#: workers' 4,400 open pairs: 5,297,626 after 0.55 s, their optimum
#: 5,315,670 proven after 0.96 s (built from arrays in 0.07 s).
SECONDS_PER_ROOT_PAIR = 5e-5
#: What a solve spends per pair outside HiGHS's clock (the hint and the
#: result, and HiGHS's last round of cuts past it: large's advisers 0.9 s
#: over a 10 s limit), taken off its time limit so that the command keeps
#: to its own.
SETUP_SECONDS_PER_PAIR = 1e-5
#: HiGHS's dual bound is a floating-point value; this share is taken off it.
DUAL_TOLERANCE = 1e-6
#: Less time than this left once the model is built: HiGHS is not started.
MIN_ROOT_SECONDS = 0.2


def root_bounds(
    instance: Instance,
    incumbent: np.ndarray,
    bounds: dict[Role, int],
    deadline: float,
    seed: int = 0,
    open_pairs: dict[Role, np.ndarray] | None = None,
    skip: Role | None = None,
) -> dict[Role, int]:
    """``bounds``, each role's raised to HiGHS's root bound where it finishes before ``deadline``.

    HiGHS is given ``incumbent`` (its cuts and reduced-cost fixing use the
    best known objective) and a role's ``open_pairs`` (every eligible pair
    where none are given). The role closest to its bound goes first: a tight
    LP makes a quick root. The last role branches on until ``deadline``:
    what is left of the time goes where the bound is furthest from the
    objective.
    ``skip``: a role HiGHS already works on beside the search (:mod:`.early_bound`).
    """
    out = dict(bounds)
    upper = role_objectives(instance, incumbent)

    def closeness(role: Role) -> float:
        return (upper[role] - bounds.get(role, 0)) / max(1.0, abs(upper[role]))

    chosen = []
    for role in sorted(upper, key=lambda ro: (closeness(ro), ro.value)):
        costs = instance.role_costs.get(role)
        if costs is None or not len(costs.requirements) or role not in out or role is skip:
            continue
        allowed = (open_pairs or {}).get(role, costs.eligible)
        if out[role] < upper[role] and int(allowed.sum()) <= ROOT_PAIR_LIMIT:
            chosen.append((role, allowed))
    for k, (role, allowed) in enumerate(chosen):
        if deadline - time.perf_counter() < int(allowed.sum()) * SECONDS_PER_ROOT_PAIR:
            continue
        mip = RoleMip(instance, role, allowed)
        dual = highs_dual(mip, incumbent, deadline, seed, branch=k == len(chosen) - 1)
        out = with_dual(out, role, dual, upper[role])
    return out


def highs_dual(
    mip: RoleMip,
    incumbent: np.ndarray,
    deadline: float,
    seed: int,
    branch: bool,
    seen: BoundSeen | None = None,
    symmetry: bool = True,
) -> float:
    """HiGHS's dual bound after its root node (with ``branch``, after branch and
    bound to ``deadline``), or when the clock stops it; -inf without the time.
    ``seen``: each bound HiGHS logs on the way."""
    left = deadline - time.perf_counter() - mip.n_pairs * SETUP_SECONDS_PER_PAIR
    if left < MIN_ROOT_SECONDS:
        return -math.inf
    return mip.bound(incumbent, left, seed, branch, seen, symmetry).dual_bound


def with_dual(bounds: dict[Role, int], role: Role, dual: float, upper: float) -> dict[Role, int]:
    """``bounds`` with ``role``'s raised to HiGHS's ``dual`` (less its float
    tolerance), capped at the role's objective ``upper``."""
    if not math.isfinite(dual):
        return bounds
    proven = math.floor(dual - DUAL_TOLERANCE * abs(dual))
    return {**bounds, role: max(bounds.get(role, 0), min(proven, int(upper)))}
