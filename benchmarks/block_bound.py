"""A bound with whole young people per worker, on one role of the demo: how far it lifts the LP.

Usage: python benchmarks/block_bound.py [--role personal_adviser] [--steps 400]
                                       [--upper N]

Each young person's row of the role's LP is dualised (a price ``lam[i]``);
what is left splits into one block per worker: which of their eligible young
people they hold, whole, priced by their balance curve, with rule 5 (a
worker over a limit either keeps some of their own and takes nobody new, or
ends within the hard limit and ``max_cases``) and ``max_cases``. Each block
is a 0/1 knapsack over load (and cases, where ``max_cases`` is set), solved
exactly by dynamic programming. For any prices,

    sum(lam) + sum_i min(0, unallocated_i - lam_i) + sum_w block_w(cost - lam)

is a lower bound on the role's objective (weak duality); from the LP's duals
it is at least the LP, for a role without siblings. Plain subgradient steps (Polyak's, towards
``--upper``) then raise it. The demo's advisers, towards 5,615,991 (HiGHS's
best): LP 5,397,294; 5,413,890 at the LP's duals; 5,480,317 after 400 steps
(53 s); HiGHS's root 5,585,478. Siblings' extra workers are left out of
the blocks (still a bound, a weaker one: the social workers' 3,746,490 at
their LP's duals against the LP's 5,279,388).
Not a test: a measurement (``docs/benchmarks.md``, twenty-seventh session),
the start for a bound with integrality on roles too large for HiGHS.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np

from caseweight.config import Config
from caseweight.demo import DEMO_AS_OF, demo_paths
from caseweight.io.inputs import read_problem
from caseweight.pipeline import optimiser_input, propose
from caseweight.problem import Role
from caseweight.solver.costs import RoleCosts
from caseweight.solver.instance import Instance, balance_penalty
from caseweight.solver.lagrangian import load_ceilings
from caseweight.solver.role_mip import RoleMip
from caseweight.solver.starts import role_objectives

#: one row per item considered, one column per load (and per case count):
#: whether the item was taken to reach that state
Taken = np.ndarray


@dataclass(frozen=True)
class Block:
    """One worker's choice: ``items`` (rows of the role) they may hold."""

    column: int
    items: np.ndarray
    own: np.ndarray  # per item: the worker holds them now
    limit: int  # the hard limit, tenths of a point
    top: int  # the most they can end with (the limit, or what they keep if more)
    over: bool  # above a limit now: receiving means ending within it
    balance: np.ndarray  # the balance penalty at each load 0..top
    max_cases: int | None


def blocks_of(instance: Instance, costs: RoleCosts, points: np.ndarray) -> list[Block]:
    tops = load_ceilings(instance)
    out = []
    for j, worker in enumerate(int(w) for w in costs.workers):
        curve = instance.balance[worker]
        items = np.flatnonzero(costs.eligible[:, j])
        if curve is None or not len(items):
            continue
        own = costs.current[items] == j
        limit, top = int(instance.hard_limit[worker]), int(tops[worker])
        max_cases = instance.capacities[worker].max_cases
        over = int(points[items[own]].sum()) > limit or (
            max_cases is not None and int(own.sum()) > max_cases
        )
        balance = np.array([balance_penalty(load, curve) for load in range(top + 1)], float)
        out.append(Block(j, items, own, limit, top, over, balance, max_cases))
    return out


def knapsack(
    points: np.ndarray, reduced: np.ndarray, most: int, cases: int | None
) -> tuple[np.ndarray, Taken, np.ndarray | None]:
    """The least reduced cost of a set of items with each load 0..``most`` (at
    most ``cases`` items where given); the choices, and where ``cases`` is
    given the case count chosen per load (else one row stands for any count)."""
    rows = 1 if cases is None else min(cases, len(points)) + 1
    shift = 0 if cases is None else 1
    table = np.full((rows, most + 1), np.inf)
    table[0, 0] = 0.0
    taken = np.zeros((len(points), rows, most + 1), dtype=bool)
    for k, (size, price) in enumerate(zip(points.tolist(), reduced.tolist(), strict=True)):
        if size > most:
            continue
        option = np.full_like(table, np.inf)
        option[shift:, size:] = table[: rows - shift, : most + 1 - size] + price
        better = option < table
        taken[k] = better
        table = np.where(better, option, table)
    if cases is None:
        return table[0], taken, None
    counts = np.argmin(table, axis=0)
    return table[counts, np.arange(most + 1)], taken, counts


def chosen(points: np.ndarray, taken: Taken, counts: np.ndarray | None, load: int) -> np.ndarray:
    """The items of the knapsack's best set with ``load``."""
    cases = 0 if counts is None else int(counts[load])
    out = []
    for k in range(len(points) - 1, -1, -1):
        if taken[k, cases, load]:
            out.append(k)
            load -= int(points[k])
            cases -= 0 if counts is None else 1
    return np.array(out, dtype=np.int64)


def block_value(block: Block, reduced: np.ndarray, points: np.ndarray) -> tuple[float, np.ndarray]:
    """The block's least cost at ``reduced`` item costs, and the items it holds."""
    states = []
    # taking anyone new: within the hard limit (and max_cases) at the end
    most = block.limit if block.over else block.top
    states.append((np.ones(len(block.items), dtype=bool), most, block.max_cases))
    if block.over:  # or keeping some of their own, beyond the limits
        states.append((block.own, block.top, None))
    best, held = np.inf, np.zeros(0, dtype=np.int64)
    for allowed, top, cases in states:
        which = np.flatnonzero(allowed)
        rows = block.items[which]
        value, taken, counts = knapsack(points[rows], reduced[rows], top, cases)
        total = value + block.balance[: top + 1]
        load = int(np.argmin(total))
        if total[load] < best:
            best = float(total[load])
            held = rows[chosen(points[rows], taken, counts, load)]
    return best, held


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--role", default=Role.PERSONAL_ADVISER.value, choices=[r.value for r in Role]
    )
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument(
        "--upper", type=float, help="Polyak's target (default: caseweight's 5 s proposal's)"
    )
    args = parser.parse_args()
    config = Config()
    cases, workers = demo_paths()
    problem = read_problem(cases, workers, DEMO_AS_OF, config)
    instance = optimiser_input(problem, config)
    role = Role(args.role)
    if args.upper is None:
        proposal = propose(problem, config, 5.0)
        args.upper = role_objectives(proposal.instance, np.asarray(proposal.assignment))[role]
    costs = instance.role_costs[role]
    relaxed = RoleMip(instance, role, costs.eligible, relaxed=True)
    lp = relaxed.relaxation(60)
    assert lp.row_duals is not None
    n = len(relaxed.rows)
    prices = lp.row_duals[:n].copy()  # the assignment rows come first
    points = relaxed.points.astype(np.int64)
    waiting = instance.unallocated_cost[costs.requirements].astype(float)
    waiting[instance.keepable[costs.requirements]] = np.inf
    total = costs.total.astype(float)
    blocks = blocks_of(instance, costs, points)
    print(f"{role.value}: LP {lp.dual_bound:,.0f} ({n} young people, {len(blocks)} workers)")
    best, step, stalled = -np.inf, 1.0, 0
    started = time.perf_counter()
    for k in range(args.steps):
        value = prices.sum() + np.minimum(0.0, waiting - prices).sum()
        held = (waiting - prices < 0).astype(float)
        for block in blocks:
            part, items = block_value(block, total[:, block.column] - prices, points)
            value += part
            held[items] += 1
        if value > best + 1:
            best, stalled = value, 0
        else:
            stalled += 1
            if stalled >= 10:
                step, stalled = step / 2, 0
        if k % 20 == 0:
            seconds = time.perf_counter() - started
            print(f"  step {k}: {value:,.0f}, best {best:,.0f} ({seconds:.1f} s)")
        slope = 1.0 - held
        norm = float((slope**2).sum())
        if norm == 0:
            break
        prices += step * (args.upper - value) / norm * slope
    print(f"best {best:,.0f} after {time.perf_counter() - started:.1f} s; LP {lp.dual_bound:,.0f}")


if __name__ == "__main__":
    main()
