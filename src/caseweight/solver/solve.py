"""Solve the allocation, one CP-SAT model per role, and report honestly."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from caseweight.problem import Role
from caseweight.solution import objective_terms
from caseweight.solver import bound_process
from caseweight.solver.bound import lower_bound
from caseweight.solver.bound_process import BoundProcess
from caseweight.solver.early_bound import start_early_bound
from caseweight.solver.fixed_root import fixed_root_bounds
from caseweight.solver.instance import Instance
from caseweight.solver.lns import Budget, search
from caseweight.solver.local_search import climb, improve
from caseweight.solver.lp_start import lp_start
from caseweight.solver.polish import first_planned, polish
from caseweight.solver.rins import lp_bounds, rins
from caseweight.solver.root_bound import ROOT_PAIR_LIMIT, root_bounds
from caseweight.solver.starts import planned_climb_seconds, role_objectives
from caseweight.solver.transport import SECONDS_PER_ARC, FlowSolution, role_flows
from caseweight.solver.warm_start import first_fit

#: Shares of the time limit: the flows and the climb first (planned from
#: counts; only the search's end stops the climb), HiGHS in what the plan
#: leaves of the rest, then CP-SAT neighbourhoods, then the bound, which
#: always keeps at least BOUND_RESERVE.
LNS_SHARE = 0.3
BOUND_RESERVE = 0.25
#: Of the time left for the bound, the Lagrangian's where HiGHS's root will
#: take a role after it: the root is stronger (the demo's social workers
#: 5,314,422 against 5,279,369), but needs the Lagrangian's fixing first.
LAGRANGIAN_SHARE = 0.5
#: Of the bound's reserve, the share the LP neighbourhoods (:mod:`.rins`) may
#: take: the bound uses the clock, and the plan's figures leave it slack.
LP_RESERVE_SHARE = 0.8
#: Planned share of the time limit for the LP over every pair (min-cost flows) at the
#: start. Its start saves more climbing than it costs: a region's advisers climb
#: from first fit for longer than their flow and climb together take (at 0.25, a
#: region at 45 s had no flow: 302.9 M, 53 waiting; at 0.5, 253.9 M, 2 waiting).
FLOW_SHARE = 0.5
#: The share of the time limit that must be left after the climb for the
#: bound to go to a process of its own (:mod:`.bound_process`): more than the
#: bound's reserve on the main core. With less (a region at 30 s: 5.6 s
#: left), the main core's bound at the end does as well or better (30.8%
#: against 26.5%: it aims at the final objective and splits its time better).
BESIDE_SHARE = 0.4
#: Where the plan had no room for HiGHS's re-pack (:mod:`.polish`) before
#: the search, it runs after the LP neighbourhoods instead, its planned time
#: taken from the search's share, if the search keeps at least this share of
#: LNS_SHARE. The demo at 10 s: the search's longer tail had left the
#: advisers at 5,834,235, which the LP neighbourhood cannot leave; the re-pack
#: after it takes them to 5,679,235-5,679,706, whatever the search had (0.7
#: to 4.3 planned seconds), so 11,151,085 (2.26%) became 10,996,085 (0.89%).
SEARCH_KEPT = 0.2


class SolveStatus(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    NO_SOLUTION = "no_solution"


@dataclass(frozen=True)
class Progress:
    """One report from the solver, for a progress display outside the algorithm."""

    stage: str
    seconds: float
    objective: float
    bound: float


ProgressFn = Callable[[Progress], None]


@dataclass(frozen=True)
class SolveSettings:
    time_limit_seconds: float = 10.0
    seed: int = 0
    search_workers: int = 2
    #: the limit the work is planned from (counts, never the clock); None: the
    #: time limit. The command passes one that does not depend on how long
    #: reading took, so the same input plans the same work on every run.
    planned_seconds: float | None = None
    #: how many times as fast as the planning figures the machine runs: the
    #: work planned is for the limit times this (counts, still not the clock)
    machine_speed: float = 1.0
    #: spend the time left after the Lagrangian on HiGHS's root-node bound
    #: (:mod:`.root_bound`): for a proposal whose gap someone reads, not for
    #: a batch of scenario or simulated months, which it would only slow
    root_bound: bool = True

    @property
    def plan(self) -> float:
        limit = self.time_limit_seconds if self.planned_seconds is None else self.planned_seconds
        return limit * self.machine_speed


@dataclass(frozen=True)
class SolveResult:
    """The proposal as a worker index per requirement (``-1``: unallocated)."""

    status: SolveStatus
    assignment: np.ndarray
    objective: int
    best_bound: int
    solve_seconds: float
    build_seconds: float
    terms: dict[str, int] = field(default_factory=dict)
    repeatable: bool = True
    #: each role's part of the objective and its own lower bound (the roles share nothing)
    role_objectives: dict[str, int] = field(default_factory=dict)
    role_bounds: dict[str, int] = field(default_factory=dict)

    @property
    def gap(self) -> float:
        if self.objective <= 0:
            return 0.0
        return max(0.0, (self.objective - self.best_bound) / self.objective)


def solve(
    instance: Instance,
    settings: SolveSettings,
    progress: ProgressFn | None = None,
) -> SolveResult:
    """A feasible start improved by hill climbing and CP-SAT neighbourhoods, then the bound.

    1. The LP over every pair, solved as min-cost flows (:mod:`.transport`)
       and rounded (:mod:`.lp_start`; first fit for a role too large for
       its planned time), then exact single moves, make-room chains and
       swaps (:mod:`.local_search`) until none improves.
    2. Where the plan has room for it (a long limit), each role's movers
       over their candidates, everyone else fixed, as a MIP that HiGHS
       solves to its root node (:mod:`.polish`); where it has not, but the
       search's share could pay for the first role's, that re-pack comes
       after step 4 instead.
    3. CP-SAT models over young people the LP would place elsewhere, then
       over forty at a time of those not with their current worker, across
       all their candidates, everyone else held fixed (:mod:`.lns`).
    4. Where the plan has room (what the search left and part of the
       bound's reserve), each role's LP over its candidates and HiGHS's MIP
       over the young people the LP would place elsewhere (:mod:`.rins`);
       then, in what the plan still has, relief rounds (:mod:`.polish`):
       each role's movers and everyone their workers still hold, re-packed
       by HiGHS until a round finds nothing. Then the climb once more, to
       its end (:func:`.local_search.improve`): the steps since the first
       climb leave room no later step looked at (a region's 90 s proposal
       had 11 waiting, 5 with an eligible worker who had room for them;
       240.1 M where it was 244.8 M).
    5. In the time left, each role's LP over every eligible pair where
       HiGHS's root cannot take the role (:func:`.rins.lp_bounds`), and the
       Lagrangian lower bound (:mod:`.bound`, from the flows' prices) for
       the others, so the gap is honest; then, where time is still left,
       HiGHS's root over a whole role (:mod:`.root_bound`), and over a
       role too large for it, its cheapest pairs by its LP's reduced costs
       (:mod:`.fixed_root`). From the LP's
       rounding on, HiGHS's branch and bound on the role furthest above its
       LP runs in a thread beside all this (:mod:`.early_bound`); where no
       role fits it, from the climb on, the Lagrangian of the roles too
       large for HiGHS's root runs in a process there instead
       (:mod:`.bound_process`).

    Every step is bounded by work, not by the clock (one search worker and a
    deterministic time per CP-SAT model, HiGHS to one node), so the same
    input gives the same proposal; the wall-clock limit only stops work early
    on a slow machine, and the result then says it may not be repeatable.
    """
    started = time.perf_counter()
    deadline = started + settings.time_limit_seconds
    # the LP over every pair, where its planned time fits: its rounding is the start
    flows = role_flows(instance, settings.plan * FLOW_SHARE)
    base = first_fit(instance)
    instance, incumbent = lp_start(instance, flows, base)
    if all(role in flows for role, c in instance.role_costs.items() if len(c.requirements)):
        current = sum(objective_terms(instance, incumbent).values())
        _report(progress, "LP relaxation", started, current, sum(f.value for f in flows.values()))
    # HiGHS on the role furthest above its LP, beside the search, for the
    # bound: from the LP's rounding, so that it has the climb's time too
    early = (
        start_early_bound(
            instance, incumbent, _room(instance, incumbent, flows), deadline, settings.seed
        )
        if settings.root_bound
        else None
    )
    # the climb converges by work; the clock stops it only where the whole
    # search would have to stop (a slow machine)
    search_ends = deadline - settings.time_limit_seconds * BOUND_RESERVE
    climbed = planned_climb_seconds(instance, incumbent)
    incumbent, converged, instance = climb(instance, incumbent, search_ends)
    current = sum(objective_terms(instance, incumbent).values())
    _report(progress, "hill climbing", started, current, float("nan"))
    # where no thread has the second core and the search leaves it time, the
    # largest roles' Lagrangian there (after the climb, Python's busiest part,
    # which it would slow by about 8%)
    beside = (
        _bound_beside(instance, incumbent, flows, deadline)
        if settings.root_bound
        and early is None
        and deadline - time.perf_counter() > settings.time_limit_seconds * BESIDE_SHARE
        else None
    )
    cut_short = not converged
    # HiGHS's root where the plan has room left after the climb (a long
    # limit): planned from counts, like everything before it
    left = _search_seconds(instance, settings.plan, climbed, flows)
    seconds = left - settings.plan * LNS_SHARE
    room = _room(instance, incumbent, flows)
    # the role with most room first: where its re-pack does not fit here, none
    # does (the others' would take the time it needs after the search), and
    # it comes after the LP neighbourhoods instead where the search's share
    # can pay for it and keep SEARCH_KEPT of its own
    most = max(seconds, 0.0) + settings.plan * LNS_SHARE * (1 - SEARCH_KEPT)
    first = first_planned(instance, incumbent, room, most)
    repack = first if seconds < first <= most else 0.0
    before = seconds if first <= seconds else 0.0
    polished = polish(instance, incumbent, Budget(before, room, settings.seed, search_ends))
    instance, incumbent = polished.instance, polished.assignment
    cut_short = cut_short or polished.cut
    if polished.roles:
        current = sum(objective_terms(instance, incumbent).values())
        _report(progress, "HiGHS root", started, current, float("nan"))
        room = _room(instance, incumbent, flows)
    # the neighbourhoods' work follows from the planned limit and what CP-SAT
    # reports, not from the clock: the same input gives the same proposal;
    # they also get what the plan left HiGHS and HiGHS did not use
    unused = max(0.0, seconds - polished.planned_seconds)
    budget = Budget(settings.plan * LNS_SHARE + unused - repack, room, settings.seed, search_ends)
    found = search(instance, incumbent, budget, flows)
    incumbent, cut_short, build = found.assignment, cut_short or found.cut, found.build_seconds
    current = sum(objective_terms(instance, incumbent).values())
    _report(progress, "neighbourhoods", started, current, float("nan"))
    if beside is not None:
        beside.aim(role_objectives(instance, incumbent))
    # each role's LP over its candidates and the MIP where it disagrees with
    # the proposal: in what the search left and part of the bound's reserve
    left -= polished.planned_seconds + found.planned_seconds + repack
    seconds = max(0.0, left) + settings.plan * BOUND_RESERVE * LP_RESERVE_SHARE
    ends = search_ends + settings.time_limit_seconds * BOUND_RESERVE * LP_RESERVE_SHARE
    room = _room(instance, incumbent, flows)
    lps = rins(instance, incumbent, Budget(seconds, room, settings.seed, ends), flows)
    instance, incumbent = lps.instance, lps.assignment
    cut_short = cut_short or lps.cut
    current = sum(objective_terms(instance, incumbent).values())
    if lps.planned_seconds:
        _report(progress, "LP neighbourhoods", started, current, float("nan"))
    spare = max(0.0, seconds - lps.planned_seconds)
    if repack:
        room = _room(instance, incumbent, flows)
        again = polish(instance, incumbent, Budget(repack + spare, room, settings.seed, ends))
        instance, incumbent = again.instance, again.assignment
        cut_short = cut_short or again.cut
        spare = max(0.0, repack + spare - again.planned_seconds)
        if again.roles:
            current = sum(objective_terms(instance, incumbent).values())
            _report(progress, "HiGHS root", started, current, float("nan"))
    # relief rounds in what the plan still has
    if spare > 0:
        room = _room(instance, incumbent, flows)
        budget = Budget(spare, room, settings.seed, ends)
        relieved = polish(instance, incumbent, budget, relief=True)
        instance, incumbent = relieved.instance, relieved.assignment
        cut_short = cut_short or relieved.cut
        if relieved.roles:
            current = sum(objective_terms(instance, incumbent).values())
            _report(progress, "relief rounds", started, current, float("nan"))
    # a last climb: the steps since the first moved young people off workers
    # whose room no step after them looked at again. It converges by work
    # (a region 3.3 s, the demo 0.04 s); the clock, half of what the LP
    # neighbourhoods leave of the bound's reserve, stops it only on a slow machine
    settle_ends = ends + max(0.0, deadline - ends) / 2
    settled = improve(instance, incumbent, max(0.0, settle_ends - time.perf_counter()))
    cut_short = cut_short or not settled.converged
    if not np.array_equal(settled.assignment, incumbent):
        instance, incumbent = settled.instance, settled.assignment
        current = sum(objective_terms(instance, incumbent).values())
        _report(progress, "last climb", started, current, float("nan"))
    # the bound last: its time varies with the machine, the proposal must not.
    # Each role too large for HiGHS's root gets its LP over every pair where
    # the time left allows, then the Lagrangian the rest. The role beside the
    # search has HiGHS's bound, which its log gives from HiGHS's own LP on
    # (large's advisers: their LP took 1.2 s of the social workers' root)
    upper = role_objectives(instance, incumbent)
    large = [
        role
        for role, costs in sorted(instance.role_costs.items(), key=lambda item: item[0].value)
        if settings.root_bound
        and costs.eligible.sum() > ROOT_PAIR_LIMIT
        and (early is None or role is not early.role)
    ]
    away = beside.finish(lps.prices, deadline) if beside is not None else {}
    lp = lp_bounds(instance, upper, large, deadline)
    aside = {*lp, *([early.role] if early is not None else [])}
    # where HiGHS's root will take a role, the Lagrangian leaves it a share
    rooted = settings.root_bound and any(
        role not in aside and role not in large and len(costs.requirements)
        for role, costs in instance.role_costs.items()
    )
    left = max(0.0, deadline - time.perf_counter()) * (LAGRANGIAN_SHARE if rooted else 1.0)
    bounds = lower_bound(instance, incumbent, upper, left, flows, aside, lps.prices, away)
    role_bounds = {
        role: max(value, lp[role].bound if role in lp else value)
        for role, value in {**bounds.values, **away}.items()
    }
    # and HiGHS's root over a role's open pairs where the time left allows
    # it, then over a large role's cheapest pairs by its LP
    if settings.root_bound:
        skip = early.role if early is not None else None
        role_bounds = root_bounds(
            instance, incumbent, role_bounds, deadline, settings.seed, bounds.open_pairs, skip
        )
        role_bounds = fixed_root_bounds(
            instance, incumbent, role_bounds, lp, deadline, settings.seed, skip
        )
    parts = role_objectives(instance, incumbent)
    if early is not None:
        role_bounds = early.raised(role_bounds, parts[early.role])
    bound = sum(role_bounds.values())
    _report(progress, "lower bound", started, current, bound)
    terms = objective_terms(instance, incumbent)
    objective = sum(terms.values())
    return SolveResult(
        status=SolveStatus.OPTIMAL if objective <= bound else SolveStatus.FEASIBLE,
        assignment=incumbent,
        objective=objective,
        best_bound=min(bound, objective),
        solve_seconds=time.perf_counter() - started - build,
        build_seconds=build,
        terms=terms,
        repeatable=not cut_short,
        role_objectives={role.value: int(value) for role, value in parts.items()},
        role_bounds={
            role.value: min(role_bounds.get(role, 0), int(value)) for role, value in parts.items()
        },
    )


def _bound_beside(
    instance: Instance,
    incumbent: np.ndarray,
    flows: dict[Role, FlowSolution],
    deadline: float,
) -> BoundProcess | None:
    """The Lagrangian of each role too large for HiGHS's root, in a process on
    the core no thread has (:mod:`.bound_process`), aiming at the climb's objectives."""
    roles = [
        role
        for role, costs in instance.role_costs.items()
        if len(costs.requirements) and costs.eligible.sum() > ROOT_PAIR_LIMIT
    ]
    if not roles or not bound_process.AVAILABLE:
        return None
    return BoundProcess(instance, roles, flows, role_objectives(instance, incumbent), deadline)


def _room(
    instance: Instance, incumbent: np.ndarray, flows: dict[Role, FlowSolution]
) -> dict[Role, float]:
    """Each role's objective less its LP value: how much the search may still gain.

    The flows leave sibling links out, so split siblings are not counted as
    room: nearly all are unavoidable (the Lagrangian bound, which prices them,
    is within 0.7% of the demo's social workers' objective, where the flow's
    value is 14% below it).
    """
    split = objective_terms(instance, incumbent)["siblings"]
    siblings = {instance.requirements[g[0]].role for g in instance.sibling_groups}
    return {
        role: value
        - (flows[role].value if role in flows else 0.0)
        - (split if role in siblings else 0)
        for role, value in role_objectives(instance, incumbent).items()
    }


def _search_seconds(
    instance: Instance, plan: float, climbed: float, flows: dict[Role, FlowSolution]
) -> float:
    """What the plan leaves the search after the climb: the limit less the
    bound's reserve, the flows solved and the ``climbed`` seconds planned
    (counts, not the clock: :func:`.starts.planned_climb_seconds`)."""
    pairs = sum(int(instance.role_costs[role].eligible.sum()) for role in flows)
    return plan * (1 - BOUND_RESERVE) - pairs * SECONDS_PER_ARC - climbed


def _report(
    progress: ProgressFn | None, stage: str, started: float, objective: float | None, bound: float
) -> None:
    if progress is not None:
        value = float("nan") if objective is None else objective
        progress(Progress(stage, time.perf_counter() - started, value, bound))
