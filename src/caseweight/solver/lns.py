"""Large neighbourhoods of young people, re-optimised by CP-SAT after the climb.

A neighbourhood is CHUNK young people of one role who are not with their
current worker now (new arrivals, moves, those waiting), drawn with a seeded
generator; each may go to any of their candidates, and everyone else stays
where they are, their points counting as fixed load. Re-allocating forty
young people at once across every worker is a re-packing the climb's moves
of one, two or three cannot reach. Where the role's LP (the min-cost flow)
is known, each round starts with the young people the LP would place
elsewhere: those whose worker now carries less than half of their flow
(:func:`lp_disagreements`, a relaxation-induced neighbourhood).
Neighbourhoods of workers (a team, or the heaviest with the lightest:
everyone they hold, among them) found almost nothing after the climb on
the demo (590 in 11.29 M) and large (3,122 in 35.2 M), so only a region
alternates them with young people's.

Each model stops at a deterministic time and is charged its planned cost
from the deterministic time it used and its size, so the same input gives
the same neighbourhoods and the same proposal; the wall clock only stops a
slow machine early.
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from typing import NamedTuple

import numpy as np
from ortools.sat.python import cp_model

from caseweight.problem import Role
from caseweight.solver.hints import add_full_hint
from caseweight.solver.instance import Instance
from caseweight.solver.model import AllocationModel, Neighbourhood
from caseweight.solver.transport import FlowSolution
from caseweight.solver.warm_start import UNALLOCATED, loads_and_cases

#: Young people re-allocated together.
CHUNK = 40
#: Workers in a team neighbourhood: everyone they hold re-allocated among them.
TEAM_HOOD = 8
#: Above this many requirements, team neighbourhoods alternate with those of
#: young people (a region: 252.8 M against 254.3 M with young people's alone;
#: the demo and large did as well or better without them: 11.24 M against
#: 11.29 M at 10 s, 35.12 M against 35.13 M).
TEAMS_TOO_ABOVE = 8_000
#: A role with at most this many candidate pairs is one neighbourhood, everyone
#: free: a small authority's whole allocation.
WHOLE_ROLE_PAIRS = 1_000
#: A young person whose worker now carries less than this share of their LP
#: flow is one the LP would place elsewhere. Re-allocated together, the
#: demo's 34 such advisers' young people take their role from 6,019,235 to
#: 5,864,235 (proven optimal for the 34 in 0.8 s); forty movers drawn at
#: random, or those 34 in two halves, found nothing.
LP_AGREES = 0.5
#: Young people the LP would place elsewhere, re-allocated together at most:
#: more are cut into parts of this many, grouped by team (at 20 s, large's
#: 99 advisers' in one part: 35.04 M; in parts of 80 or 60: 35.10 M, 35.09 M).
GUIDED_CHUNK = 100
#: CP-SAT deterministic time per neighbourhood model at most (repeatable, unlike wall time).
DETERMINISTIC_TIME_PER_MODEL = 0.3
#: Planning figures for a neighbourhood's cost, from work the solver reports
#: and not from the clock, so that the same input plans the same work: wall
#: seconds per CP-SAT deterministic second, and per model variable to build,
#: hint, copy and presolve. Measured on 2 cores (2026-11-27, 222 models of
#: mid, large and region): 1.0-1.4 s per deterministic second and 3.7-4.7e-5 s
#: a variable; set for a machine running 3.5 times as slow (the demo's climbs
#: took 0.8 s that day, 2.5-3.2 s on 2026-11-26). Most models prove their
#: forty young people optimal in a few hundredths of a deterministic second,
#: so a flat 0.9 s a model planned two to four times too few.
SECONDS_PER_DETERMINISTIC_SECOND = 4.5
SECONDS_PER_MODEL_VARIABLE = 1.6e-4


class Budget(NamedTuple):
    """A stage's share of the plan: what it may spend, where first, its seed, the clock's end."""

    seconds: float  # planned, never the clock
    room: dict[Role, float]  # each role's objective less its LP value: most first
    seed: int
    ends: float  # the wall clock's end: only a slow machine reaches it


class Search(NamedTuple):
    assignment: np.ndarray
    cut: bool  # the wall clock stopped a model or the search
    build_seconds: float
    models: int  # neighbourhoods solved
    planned_seconds: float  # what they cost in the plan's terms (never the clock)


def movers(instance: Instance, role: Role, incumbent: np.ndarray) -> list[int]:
    """Requirements of ``role`` not with their current worker now: new, moved or waiting."""
    return [
        req.index
        for req in instance.requirements
        if req.role is role and incumbent[req.index] != req.current_worker
    ]


def by_team(instance: Instance, order: np.ndarray, incumbent: np.ndarray) -> list[int]:
    """``order`` with those waiting first, then grouped by team, stable within.

    Young people of one team (their first candidate's) compete for the same
    workers, so a chunk of them can re-pack those workers (large: 35.12 M
    against 35.15 M in random chunks); someone waiting is placed first.
    """

    def key(r: int) -> tuple[bool, str]:
        options = instance.candidates[r]
        return incumbent[r] != UNALLOCATED, instance.teams[options[0].worker] if options else ""

    return sorted((int(r) for r in order), key=key)


def team_hoods(instance: Instance, role: Role, incumbent: np.ndarray) -> list[Neighbourhood]:
    """Worker groups of ``role``: the heaviest with the lightest, then each team's workers."""
    loads, _ = loads_and_cases(instance, incumbent)
    workers = [
        w
        for w in range(instance.n_workers)
        if instance.worker_roles[w] is role and instance.balances(w)
    ]
    if not workers:
        return []
    by_use = sorted(workers, key=lambda w: (loads[w] / max(1, instance.capacity[w]), w))
    half = TEAM_HOOD // 2
    groups = [sorted(set(by_use[:half]) | set(by_use[-half:]))]
    teams: dict[str, list[int]] = defaultdict(list)
    for w in workers:
        teams[instance.teams[w]].append(w)
    for team in sorted(teams):
        for start in range(0, len(teams[team]), TEAM_HOOD):
            groups.append(teams[team][start : start + TEAM_HOOD])
    return [Neighbourhood(tuple(g), incumbent) for g in groups]


def lp_disagreements(
    instance: Instance, role: Role, flow: FlowSolution, incumbent: np.ndarray
) -> list[int]:
    """Requirements of ``role`` whose worker in ``incumbent`` carries less than
    LP_AGREES of them in the LP; for someone waiting, the share the LP leaves
    waiting."""
    costs = instance.role_costs[role]
    column = np.array([costs.column.get(int(incumbent[r]), -1) for r in costs.requirements])
    here = column[flow.rows] == flow.cols
    carried, placed = np.zeros(len(costs.requirements)), np.zeros(len(costs.requirements))
    np.add.at(carried, flow.rows[here], flow.shares[here])
    np.add.at(placed, flow.rows, flow.shares)
    waiting = column < 0
    carried[waiting] = 1.0 - placed[waiting]
    return [int(r) for r in costs.requirements[carried < LP_AGREES]]


def neighbourhoods(
    instance: Instance,
    role: Role,
    incumbent: np.ndarray,
    rng: np.random.Generator,
    flow: FlowSolution | None = None,
) -> list[Neighbourhood]:
    """One round for ``role``: its movers shuffled, grouped by team, cut into chunks.

    A small role is one neighbourhood, everyone free. Where ``flow`` (the
    role's LP) is given, those it would place elsewhere come first, in parts
    of at most GUIDED_CHUNK. Above TEAMS_TOO_ABOVE requirements, team
    neighbourhoods alternate with the chunks.
    """
    costs = instance.role_costs.get(role)
    if costs is None or not costs.workers.size or not len(costs.requirements):
        return []
    if instance.candidate_count(role) <= WHOLE_ROLE_PAIRS:
        return [Neighbourhood((), incumbent, tuple(int(r) for r in costs.requirements))]
    guided = [] if flow is None else lp_disagreements(instance, role, flow, incumbent)
    first = _chunks(incumbent, by_team(instance, rng.permutation(guided), incumbent), GUIDED_CHUNK)
    order = by_team(instance, rng.permutation(movers(instance, role, incumbent)), incumbent)
    chunks = _chunks(incumbent, order, CHUNK)
    if len(instance.requirements) > TEAMS_TOO_ABOVE:
        teams = team_hoods(instance, role, incumbent)
        chunks = [h for pair in itertools.zip_longest(chunks, teams) for h in pair if h]
    return first + chunks


def _chunks(incumbent: np.ndarray, order: list[int], size: int) -> list[Neighbourhood]:
    """``order`` cut into neighbourhoods of at most ``size`` young people, as even as may be."""
    parts = np.array_split(order, -(-len(order) // size)) if order else []
    return [Neighbourhood((), incumbent, tuple(int(r) for r in part)) for part in parts]


def shares(seconds: float, room: dict[Role, float]) -> dict[Role, float]:
    """``seconds`` of neighbourhoods split between roles in proportion to their room.

    A role's room is its objective less its LP bound: where the LP says
    nothing is left to gain, no time goes (the demo's social workers are 0.7%
    above their LP, its advisers 11%). Roles with most room first.
    """
    total = sum(max(0.0, r) for r in room.values())
    if total <= 0:
        return {}
    out = {role: seconds * max(0.0, r) / total for role, r in room.items()}
    return dict(sorted(out.items(), key=lambda item: (-room[item[0]], item[0].value)))


class Part(NamedTuple):
    """What solving one neighbourhood cost, in the plan's terms."""

    cut: bool  # the wall clock, not the deterministic limit, stopped it
    planned_seconds: float  # from its deterministic time and size, never the clock
    optimal: bool = False  # CP-SAT proved its young people's best allocation


def planned_cost(deterministic_time: float, variables: int) -> float:
    """A model's cost on the planning machine, from what CP-SAT reports (repeatable)."""
    return (
        deterministic_time * SECONDS_PER_DETERMINISTIC_SECOND
        + variables * SECONDS_PER_MODEL_VARIABLE
    )


def search(
    instance: Instance,
    incumbent: np.ndarray,
    budget: Budget,
    flows: dict[Role, FlowSolution] | None = None,
) -> Search:
    """Re-optimise neighbourhoods, in rounds per role, for the budget's planned seconds.

    The roles share them by :func:`shares`; each model is charged its
    :func:`planned_cost`, and the last gets only the deterministic time its
    role has left, so the plan, not the clock, decides how many there are.
    ``flows``: each role's LP, whose disagreements start every round. A
    neighbourhood proven optimal is not solved again until the allocation
    changes; a round of nothing but those ends the role's search.
    """
    seed, ends = budget.seed, budget.ends
    rng = np.random.default_rng(seed)
    incumbent = incumbent.copy()
    build, cut, models, planned = 0.0, False, 0, 0.0
    flows = flows or {}
    for role, allowed in shares(budget.seconds, budget.room).items():
        spent, proven = 0.0, set[tuple[int, ...]]()
        while spent < allowed:
            hoods = neighbourhoods(instance, role, incumbent, rng, flows.get(role))
            hoods = [h for h in hoods if h.workers or h.requirements not in proven]
            if not hoods:
                break
            for hood in hoods:
                if spent >= allowed:
                    break
                if time.perf_counter() >= ends:
                    return Search(incumbent, True, build, models, planned)
                started = time.perf_counter()
                am = AllocationModel(instance, role, hood)
                add_full_hint(am, incumbent)
                build += time.perf_counter() - started
                left = allowed - spent - planned_cost(0.0, len(am.model.proto.variables))
                deterministic = min(
                    DETERMINISTIC_TIME_PER_MODEL,
                    max(0.01, left / SECONDS_PER_DETERMINISTIC_SECOND),
                )
                before = incumbent.copy()
                part = solve_part(am, ends - time.perf_counter(), seed, incumbent, deterministic)
                if not np.array_equal(before, incumbent):
                    proven.clear()
                if part.optimal and hood.requirements is not None:
                    proven.add(hood.requirements)
                cut |= part.cut
                spent += part.planned_seconds
                planned += part.planned_seconds
                models += 1
    return Search(incumbent, cut, build, models, planned)


def solve_part(
    am: AllocationModel,
    budget: float,
    seed: int,
    incumbent: np.ndarray,
    deterministic: float = DETERMINISTIC_TIME_PER_MODEL,
) -> Part:
    """Solve one neighbourhood's model and adopt its allocation into ``incumbent``."""
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = max(0.05, budget)
    params.max_deterministic_time = deterministic
    params.num_workers = 1
    params.random_seed = seed
    # CP-SAT's own Ctrl-C handler would stop this model as if its time were up
    # (the command went on to write a proposal) and on leaving reset SIGINT to
    # the default, so a later Ctrl-C killed the process with no clean exit
    params.catch_sigint_signal = False
    code = solver.solve(am.model)
    cut = solver.wall_time >= params.max_time_in_seconds * 0.99
    cost = planned_cost(solver.response_proto.deterministic_time, len(am.model.proto.variables))
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Part(cut, cost)
    for req in am.requirements:
        incumbent[req.index] = UNALLOCATED
    for (r, w), var in am.vars.assign.items():
        if solver.boolean_value(var):
            incumbent[r] = w
    return Part(cut, cost, code == cp_model.OPTIMAL)
