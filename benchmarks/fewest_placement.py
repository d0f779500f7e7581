"""Allocations that keep a given set of young people and place everyone else.

The upper bound of :mod:`fewest_changes`: a greedy placement, and CP-SAT over
the movers' eligible pairs (the most promising of them when too many).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import numpy as np
from ortools.sat.python import cp_model

from fewest_data import Options, RoleData, cp_sat

#: Places everyone who does not stay: (changes, requirement -> worker), or (None, {}).
Placement = Callable[..., tuple[int | None, dict[int, int]]]

#: Above this many mover x eligible-worker pairs the completion keeps the most promising.
COMPLETION_PAIR_LIMIT = 400_000
COMPLETION_PER_MOVER = 40


def complete(
    data: RoleData,
    stays: np.ndarray,
    assignment: np.ndarray | None,
    lower: int,
    options: Options,
) -> tuple[int | None, dict[int, int]]:
    """Complete the kept set into a real allocation; (its changes, requirement -> worker).

    ``lower`` is the proven bound: no allocation makes fewer changes, so
    CP-SAT may stop as soon as it finds one that makes that many.
    """
    m = cp_model.CpModel()
    pts, keep_col, costs = data.points, data.keep_col, data.costs
    kept_load = np.zeros(len(data.columns), dtype=np.int64)
    kept_count = np.zeros(len(data.columns), dtype=np.int64)
    np.add.at(kept_load, keep_col[stays], pts[stays])
    np.add.at(kept_count, keep_col[stays], 1)
    movers = np.flatnonzero(~stays)
    pairs = _mover_pairs(data, movers, kept_load, assignment)
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    by_col: dict[int, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    unalloc = []
    for i, cols in zip(movers.tolist(), pairs, strict=True):
        row = [m.new_bool_var(f"x{i}_{j}") for j in cols]
        u = m.new_bool_var(f"u{i}")
        m.add_exactly_one([*row, u])
        unalloc.append(u)
        for j, var in zip(cols, row, strict=True):
            x[int(i), int(j)] = var
            by_col[int(j)].append((int(i), var))
    m.add(sum(unalloc) <= data.limits.max_unallocated)
    for j, w in enumerate(data.columns):
        held = by_col.get(j, [])
        load = int(kept_load[j]) + cp_model.LinearExpr.weighted_sum(
            [v for _, v in held], [int(pts[i]) for i, _ in held]
        )
        if data.high[j] is not None:
            m.add(load <= data.high[j])
            m.add(load >= data.low[j])
        news = [v for i, v in held if keep_col[i] != j]
        if news:
            receives = m.new_bool_var(f"r{j}")
            for v in news:
                m.add_implication(v, receives)
            m.add(load <= int(data.instance.hard_limit[w])).only_enforce_if(receives)
            cap = data.instance.capacities[w].max_cases
            if cap is not None:
                m.add(int(kept_count[j]) + sum(v for _, v in held) <= cap).only_enforce_if(receives)
    back = [x[int(i), int(keep_col[i])] for i in movers if (int(i), int(keep_col[i])) in x]
    fixed = int(np.sum(data.has_current[movers]))
    m.add(fixed - sum(back) >= lower)  # valid: no allocation makes fewer
    m.minimize(fixed - sum(back))
    if assignment is not None:
        for (i, j), var in x.items():
            m.add_hint(var, int(assignment[int(costs.requirements[i])]) == data.columns[j])
    solver = cp_sat(options)
    if solver.solve(m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, {}
    found = {int(costs.requirements[i]): data.columns[keep_col[i]] for i in np.flatnonzero(stays)}
    for (i, j), var in x.items():
        if solver.boolean_value(var):
            found[int(costs.requirements[i])] = data.columns[j]
    return round(solver.objective_value), found


def _mover_pairs(
    data: RoleData, movers: np.ndarray, kept_load: np.ndarray, hint: np.ndarray | None
) -> list[np.ndarray]:
    """Columns each mover may take: eligible, with room for them.

    When that is too many pairs: the mover's current worker, the hint's
    choice (so the hint stays feasible), and the ``COMPLETION_PER_MOVER``
    workers short of the range's minimum first, then with the most room.
    """
    inst, costs = data.instance, data.costs
    cols = data.columns
    high = np.array(
        [h if h is not None else inst.hard_limit[w] for w, h in zip(cols, data.high, strict=True)]
    )
    room = np.minimum(inst.hard_limit[cols], high) - kept_load
    out = []
    for i in movers:
        fits = costs.eligible[i] & (room >= data.points[i])
        if data.keep_col[i] >= 0:
            fits[data.keep_col[i]] = True
        out.append(np.flatnonzero(fits))
    if sum(len(c) for c in out) <= COMPLETION_PAIR_LIMIT:
        return out
    short = kept_load < np.array(data.low)
    rank = np.lexsort((-room / np.maximum(inst.capacity[cols], 1), ~short))  # best first
    order = np.empty(len(cols), dtype=np.int64)
    order[rank] = np.arange(len(cols))
    column = {w: j for j, w in enumerate(cols)}
    sparse = []
    for i, options in zip(movers, out, strict=True):
        keep = options[np.argsort(order[options], kind="stable")[:COMPLETION_PER_MOVER]]
        extra = [data.keep_col[i]] if data.keep_col[i] >= 0 else []
        if hint is not None and int(hint[costs.requirements[i]]) in column:
            extra.append(column[int(hint[costs.requirements[i]])])
        sparse.append(np.union1d(keep, np.array(extra, dtype=np.int64)))
    return sparse


def greedy(data: RoleData, stays: np.ndarray, *_: object) -> tuple[int | None, dict[int, int]]:
    """Place everyone who does not stay, largest first: workers short of the range first.

    Each goes to an eligible worker who can receive them (rule 5, the range's
    maximum), the one furthest below the range's minimum, else the least
    utilised; those who fit nowhere are left unallocated, within the cap.
    Returns (changes, requirement -> worker), or (None, {}) when it fails.
    """
    inst, pts, keep_col, costs = data.instance, data.points, data.keep_col, data.costs
    cols = data.columns
    big = np.iinfo(np.int64).max // 4
    load = np.zeros(len(cols), dtype=np.int64)
    cases = np.zeros(len(cols), dtype=np.int64)
    np.add.at(load, keep_col[stays], pts[stays])
    np.add.at(cases, keep_col[stays], 1)
    high = np.array([big if h is None else h for h in data.high], dtype=np.int64)
    ceiling = np.minimum(high, inst.hard_limit[cols])
    most = np.array([big if inst.capacities[w].max_cases is None else inst.capacities[w].max_cases
                     for w in cols], dtype=np.int64)  # fmt: skip
    capacity = np.maximum(inst.capacity[cols], 1)
    low = np.array(data.low, dtype=np.int64)
    movers = np.flatnonzero(~stays)
    movers = movers[np.argsort(-pts[movers], kind="stable")]
    choice = {int(i): int(keep_col[i]) for i in np.flatnonzero(stays)}
    received = np.zeros(len(cols), dtype=bool)
    left = 0
    for i in movers:
        ok = costs.eligible[i] & (load + pts[i] <= ceiling) & (cases < most)
        c = keep_col[i]
        if c >= 0:  # going back is no change, and no receiving (but a receiver's limits hold)
            room = load[c] + pts[i] <= ceiling[c] and cases[c] < most[c]
            ok[c] = room if received[c] else load[c] + pts[i] <= high[c]
        if not ok.any():
            left += 1
            continue
        short = ok & (load < low)
        score = np.where(short, (load - low) / capacity, (load + pts[i]) / capacity)
        score = np.where(short | ~short.any(), score, np.inf)
        j = int(np.argmin(np.where(ok, score, np.inf)))
        load[j] += pts[i]
        cases[j] += 1
        received[j] |= j != c
        choice[int(i)] = j
    bounded = np.array([h is not None for h in data.high])
    if left > data.limits.max_unallocated or np.any(bounded & (load < low)):
        return None, {}
    changes = sum(
        1
        for i in movers
        if data.has_current[i] and (keep_col[i] < 0 or choice.get(int(i), -1) != keep_col[i])
    )
    return changes, {int(costs.requirements[i]): cols[j] for i, j in choice.items()}
