"""Each role's LP relaxation, and a MIP over where it and the proposal disagree (RINS).

HiGHS (presolve off, its own choice of method) solves the role's MIP
(:mod:`.role_mip`: rule 5's tight rows, siblings, balance segments) relaxed
over each young person's candidates and proposed worker: large's social
workers' 46,376 such pairs in 0.5 s (every eligible pair, 356,119: 3.4 s; the
same optimum there). Where the LP puts a young person wholly with the worker
the proposal has, they stay; the others go free over their proposed worker
and the workers the LP gives them a share of, and HiGHS solves that small
MIP to optimality (relaxation-induced neighbourhood search). From large's
20 s search, its social workers 15,779,851 -> 15,581,362 (161 free, 1.8 s;
15,575,759 from the LP over every pair) and its advisers 19,260,770 ->
19,175,770 (287 free, 0.3 s); from the demo's 5 s search, its advisers
5,864,706 -> 5,719,706 (83 free, 0.27 s), where CP-SAT's neighbourhoods
over the flow's disagreements had stopped. Run before those
neighbourhoods it leaves the demo's advisers at 5,894,706, which they
cannot leave.

Both solves are counts (the simplex to its optimum, the MIP to its proof,
RINS_NODES nodes or, in a region's neighbourhoods, the end of its root or
its second improving allocation), so the same input gives the same
allocation; they run only where the plan, from the pairs, has room, and the
wall clock only stops a slow machine (the proposal then says it may not be
repeatable).

The LP over every eligible pair is a lower bound on the role's objective
(large's social workers 15,399,948, against the Lagrangian's 15,384,665):
:func:`lp_bounds` solves it for the bound, on the clock, where HiGHS's root
cannot take the role. The LP over the candidates gives the Lagrangian
(:mod:`.bound`) its duals as a start: the social workers' are within 0.01%
of their LP at once (the region's: 76.73 M, against 76.51 M after 10 s of
subgradient steps); the advisers' rule-5 rows are not the Lagrangian's, and
their duals start below the flow's prices.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np

from caseweight.problem import Role
from caseweight.solver.instance import Instance
from caseweight.solver.lagrangian import Prices
from caseweight.solver.lns import Budget, lp_disagreements
from caseweight.solver.role_mip import RoleMip, root_parameters
from caseweight.solver.root_bound import with_dual
from caseweight.solver.transport import FlowSolution
from caseweight.solver.widen import adopted

#: Planning figure for a role's LP, built and solved, per pair:
#: 0.7-1.0e-5 s measured on 2 cores (the demo's advisers 15,600 pairs 0.13 s,
#: its social workers 42,660 0.3 s; large's advisers 130,260 1.2 s, its
#: social workers 356,119 3.4 s), with room for a slower machine.
SECONDS_PER_LP_PAIR = 1.5e-5
#: A role with more eligible pairs has no LP over every pair, whatever the
#: time left: the figure above does not hold at that size (a region's
#: advisers, 3.1 M pairs: 62-70 s and 4.8 GB, where it planned 46 s; the
#: command ended at 101 s of its 90 where the bound's process answered early
#: and left the time for it). Their bound is the Lagrangian's.
LP_PAIR_LIMIT = 1_000_000
#: Planning figure for the MIP per free pair (a young person left free times
#: their allowed workers): measured 0.4-5 ms (large's social workers' 366,
#: 1.95 s; the demo's advisers' 187, 0.18 s).
SECONDS_PER_FREE_PAIR = 2e-3
#: Branch-and-bound nodes at most for the MIP: each found its proof at the root or soon after.
RINS_NODES = 500
#: Free pairs above which HiGHS stops at the end of its root node or its
#: CAPPED_SOLUTIONS-th improving allocation, whichever comes first, and the
#: plan charges SECONDS_PER_CAPPED_PAIR a pair. The region's advisers (2,855
#: free pairs, 1,330 young people) ran 33 s and more towards the node
#: limit; stopped so, 14.7 s (its own sub-MIPs at the root find both), 172.9 M
#: -> 167.5 M. A second region (seed 20261202), 180.8 M -> 171.8 M in 12.7 s,
#: where letting it branch for the second took 48 s (-10.1 M) and stopping at
#: the first 11.5 s (-8.3 M). Large's social workers (371) stopped at the
#: second find 40,000 short of their optimum, so smaller neighbourhoods run
#: to their proof.
CAPPED_FREE_PAIRS = 1_000
CAPPED_SOLUTIONS = 2
#: Measured 3.7-5.1 ms (the two regions' advisers).
SECONDS_PER_CAPPED_PAIR = 4e-3
#: Free pairs the plan expects of the MIP, per young person the flow (the LP
#: over every pair, :mod:`.transport`) would place elsewhere: measured 5.3-7.5
#: (the demo, large and two regions, both roles); without a flow, per pair
#: of the LP: 0.66-2.2%. The LP runs only where the plan has room for it and
#: a MIP of that size: a region's advisers' LP at 30 s, with no MIP after it,
#: had left the bound 4 s short (gap 25.5% -> 30.8%), at 60 s 9.54% -> 9.88%.
FREE_PAIRS_PER_DISAGREEMENT = 5.5
FREE_PAIRS_PER_LP_PAIR = 0.01
#: An LP value this close to 1 at the proposed worker counts as agreeing.
AGREES = 1 - 1e-6
#: LP values above this are a share the LP gives.
SHARE = 1e-6


class Rins(NamedTuple):
    instance: Instance  # with the workers the MIP chose among the candidates
    assignment: np.ndarray
    cut: bool  # the wall clock stopped HiGHS
    planned_seconds: float
    #: each role's LP duals as the Lagrangian's multipliers (:meth:`.RoleMip.prices`)
    prices: dict[Role, Prices]


def rins(
    instance: Instance,
    incumbent: np.ndarray,
    budget: Budget,
    flows: dict[Role, FlowSolution] | None = None,
) -> Rins:
    """Each role's LP over its candidates, then its MIP, most room first, while
    the plan has room; ``flows`` say how large the MIP may be."""
    spent, cut = 0.0, False
    prices: dict[Role, Prices] = {}
    room = budget.room
    for role in sorted(room, key=lambda ro: (-room[ro], ro.value)):
        costs = instance.role_costs.get(role)
        if costs is None or not len(costs.requirements):
            continue
        pairs = candidate_pairs(instance, role, incumbent)
        planned = int(pairs.sum()) * SECONDS_PER_LP_PAIR
        then = _mip_seconds(_expected(instance, role, pairs, incumbent, flows))
        if spent + planned + then > budget.seconds:
            continue
        spent += planned
        relaxed = RoleMip(instance, role, pairs, relaxed=True)
        lp = relaxed.relaxation(_left(budget))
        cut |= lp.timed_out
        if not lp.optimal or lp.values is None or lp.row_duals is None:
            continue
        prices[role] = relaxed.prices(lp.row_duals)
        shares = np.zeros(costs.eligible.shape)
        shares[relaxed.pair_rows, relaxed.pair_cols] = lp.values
        allowed = disagreements(instance, role, shares, incumbent)
        free = allowed.sum(axis=1) > 1
        free_pairs = int(allowed[free].sum())
        planned = _mip_seconds(free_pairs)
        if not free.any() or spent + planned > budget.seconds:
            continue
        spent += planned
        mip = RoleMip(instance, role, allowed)
        params = root_parameters(_left(budget), budget.seed)
        params.node_limit = RINS_NODES
        if free_pairs > CAPPED_FREE_PAIRS:
            params.node_limit = 1
            params.highs.int_options["mip_max_improving_sols"] = CAPPED_SOLUTIONS
        outcome = mip.solve(incumbent, params)
        cut |= outcome.timed_out
        if outcome.values is not None:
            better = adopted(instance, role, mip.assignment(outcome, incumbent), incumbent)
            instance, incumbent = better or (instance, incumbent)
    return Rins(instance, incumbent, cut, spent, prices)


def candidate_pairs(instance: Instance, role: Role, incumbent: np.ndarray) -> np.ndarray:
    """(row, column) pairs of each young person's candidates and proposed worker."""
    costs = instance.role_costs[role]
    column = costs.column
    pairs = np.zeros(costs.eligible.shape, dtype=bool)
    for i, r in enumerate(costs.requirements.tolist()):
        for option in instance.candidates[r]:
            pairs[i, column[option.worker]] = True
    rows, proposed = proposed_columns(instance, role, incumbent)
    pairs[rows, proposed] = True
    return pairs & costs.eligible


class FullLP(NamedTuple):
    """A role's LP over every eligible pair, solved for the bound."""

    bound: int  # its optimum, capped at the role's objective (:func:`.root_bound.with_dual`)
    value: float  # HiGHS's optimum
    rows: np.ndarray  # each pair's row and column in the role's matrices
    cols: np.ndarray
    reduced: np.ndarray  # each pair's reduced cost at that optimum


def lp_bounds(
    instance: Instance, upper: dict[Role, float], roles: list[Role], deadline: float
) -> dict[Role, FullLP]:
    """Each of ``roles``' LP optimum over every eligible pair, capped at ``upper``,
    in turn while the time left (the clock: a bound) is enough for it."""
    out: dict[Role, FullLP] = {}
    for role in roles:
        costs = instance.role_costs[role]
        pairs = int(costs.eligible.sum())
        if pairs > LP_PAIR_LIMIT or deadline - time.perf_counter() < pairs * SECONDS_PER_LP_PAIR:
            continue
        relaxed = RoleMip(instance, role, costs.eligible, relaxed=True)
        lp = relaxed.relaxation(max(0.05, deadline - time.perf_counter()))
        if lp.optimal and lp.reduced_costs is not None:
            bound = with_dual({}, role, lp.dual_bound, upper[role]).get(role, 0)
            reduced = lp.reduced_costs
            out[role] = FullLP(bound, lp.dual_bound, relaxed.pair_rows, relaxed.pair_cols, reduced)
    return out


def disagreements(
    instance: Instance, role: Role, shares: np.ndarray, incumbent: np.ndarray
) -> np.ndarray:
    """Allowed (row, column) pairs: the proposed one alone where the LP agrees
    with it wholly; else the proposed one and each the LP gives a share."""
    rows, proposed = proposed_columns(instance, role, incumbent)
    allowed = shares > SHARE
    allowed[rows, proposed] = True
    agree = shares[rows, proposed] > AGREES
    allowed[rows[agree]] = False
    allowed[rows[agree], proposed[agree]] = True
    return allowed


def proposed_columns(
    instance: Instance, role: Role, incumbent: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The rows with a proposed worker, and that worker's column."""
    costs = instance.role_costs[role]
    column = np.array(
        [costs.column.get(int(incumbent[r]), -1) for r in costs.requirements], dtype=np.int64
    )
    rows = np.flatnonzero(column >= 0)
    return rows, column[rows]


def _expected(
    instance: Instance,
    role: Role,
    pairs: np.ndarray,
    incumbent: np.ndarray,
    flows: dict[Role, FlowSolution] | None,
) -> int:
    """The free pairs the plan expects of the role's MIP, before its LP."""
    flow = (flows or {}).get(role)
    if flow is None:
        return round(int(pairs.sum()) * FREE_PAIRS_PER_LP_PAIR)
    return round(
        len(lp_disagreements(instance, role, flow, incumbent)) * FREE_PAIRS_PER_DISAGREEMENT
    )


def _mip_seconds(free_pairs: int) -> float:
    """The MIP's planned seconds for ``free_pairs``."""
    capped = free_pairs > CAPPED_FREE_PAIRS
    return free_pairs * (SECONDS_PER_CAPPED_PAIR if capped else SECONDS_PER_FREE_PAIR)


def _left(budget: Budget) -> float:
    return max(0.05, budget.ends - time.perf_counter())
