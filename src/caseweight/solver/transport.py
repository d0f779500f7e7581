"""A role's LP relaxation as a min-cost flow, solved exactly over every eligible pair.

Leave out sibling links and rule 5 and keep the rest: each young person sends
their points (one unit per tenth of a point) to an eligible worker or to
"unallocated", and each worker passes their load on to a sink through their
balance segments, the cheapest first. That is a transportation problem with
convex costs at the workers, and OR-Tools' min-cost flow solves it exactly in
integers. Costs are per unit, scaled by FLOW_SCALE and rounded down, so the
flow's optimum is never above the LP's.

Its node potentials are the LP's prices of a unit of load: shortest paths to
the sink in the optimal flow's residual network. With the young people taken
out, that network shrinks to the workers and the sink, small enough for a
dense Bellman-Ford in numpy. The prices start the Lagrangian
(:mod:`.lagrangian`), where sibling links and rule 5 come back in.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from ortools.graph.python import min_cost_flow

from caseweight.problem import Role
from caseweight.solver.instance import Instance
from caseweight.solver.lagrangian import RoleLagrangian

#: Per-unit costs are multiplied by this and rounded down to integers.
FLOW_SCALE = 16
#: Planning figure for building and solving the flow, per arc (measured
#: 0.6-1.1 microseconds on 2 cores; 8.6 million arcs for a region's social workers).
SECONDS_PER_ARC = 1.5e-6


class FlowSolution(NamedTuple):
    """The LP over every pair: its value, its load prices and where it sends each young person."""

    value: float  # a lower bound on the role's part of the objective
    prices: np.ndarray  # Lagrangian multipliers (mu, then nu = 0)
    rows: np.ndarray  # pairs carrying flow: row and column of the role's matrices,
    cols: np.ndarray
    shares: np.ndarray  # and the share of the young person's points sent there


def role_flows(instance: Instance, seconds: float) -> dict[Role, FlowSolution]:
    """Each role's flow solution, for the roles whose planned time fits in ``seconds``.

    The plan counts arcs, not the clock, so the same input always gets the
    same flows. The role with fewest pairs goes first, and one that does not
    fit leaves the time to the next: a region at 30 s plans 4.7 s for its
    advisers' flow and 12.8 s for its social workers', and the advisers'
    flow alone takes their climb from 40% above the bound to 14%.
    """
    out: dict[Role, FlowSolution] = {}
    roles = sorted(
        instance.role_costs.items(), key=lambda item: (int(item[1].eligible.sum()), item[0].value)
    )
    for role, costs in roles:
        if not len(costs.requirements) or not costs.workers.size:
            continue
        dual = RoleLagrangian(instance, costs)
        planned = flow_arcs(dual) * SECONDS_PER_ARC
        if planned > seconds:
            continue
        seconds -= planned
        solved = RoleFlow(dual).solve()
        if solved is not None:
            out[role] = solved
    return out


def flow_arcs(dual: RoleLagrangian) -> int:
    """Arcs the flow would have: one per eligible pair with a worker who can hold cases."""
    return int((np.isfinite(dual.cost) & _holds(dual)[None, :]).sum())


def _holds(dual: RoleLagrangian) -> np.ndarray:
    """Workers with balance segments: those who can hold cases."""
    return np.asarray((dual.seg_len > 0).any(axis=1), dtype=bool)


class RoleFlow:
    """The flow network of one role, its optimal flow and the prices it implies."""

    def __init__(self, dual: RoleLagrangian, per_case: np.ndarray | None = None) -> None:
        """The flow of ``dual``'s role; ``per_case`` (one price per worker, >= 0) is
        the Lagrangian's ``kappa``: each case costs it, and the flow's value is
        then less ``kappa`` times each worker's case ceiling (:mod:`.case_prices`)."""
        self.dual = dual
        n_rows, n_workers = dual.cost.shape
        self.kappa = np.zeros(n_workers) if per_case is None else per_case
        self.points = dual.points.astype(np.int64)
        rows, cols = np.nonzero(np.isfinite(dual.cost) & _holds(dual)[None, :])
        self.rows, self.cols = rows.astype(np.int32), cols.astype(np.int32)
        # per-unit costs, scaled and rounded down: a lower bound on the real ones
        self.unit = np.full((n_rows, n_workers), np.inf)
        pair_cost = dual.cost[self.rows, self.cols] + self.kappa[self.cols]
        self.unit[self.rows, self.cols] = np.floor(FLOW_SCALE * pair_cost / self.points[self.rows])
        self.waits = np.flatnonzero(np.isfinite(dual.unallocated))
        self.unit_unallocated = np.full(n_rows, np.inf)
        self.unit_unallocated[self.waits] = np.floor(
            FLOW_SCALE * dual.unallocated[self.waits] / self.points[self.waits]
        )
        self.seg_worker, self.seg_index = np.nonzero(dual.seg_len > 0)
        self.seg_cap = dual.seg_len[self.seg_worker, self.seg_index].astype(np.int64)
        signed = dual.seg_cost * dual.seg_sign
        self.seg_unit = np.floor(FLOW_SCALE * signed[self.seg_worker, self.seg_index])
        # a segment below the target is paid in full at no load and refunded as
        # load fills it, so the flow carries its cost negated and this constant
        self.constant = float((dual.seg_cost * dual.seg_len * (dual.seg_sign < 0)).sum())

    def solve(self) -> FlowSolution | None:
        """The flow's optimum (a lower bound on the LP's), its prices and its pairs.

        None when the flow has no solution (a young person nobody may hold who
        cannot wait: the Lagrangian's other starts are used instead).
        """
        n_rows, n_workers = self.unit.shape
        sink = n_rows + n_workers
        flow = min_cost_flow.SimpleMinCostFlow()
        to_workers = flow.add_arcs_with_capacity_and_unit_cost(
            self.rows,
            n_rows + self.cols,
            self.points[self.rows],
            self.unit[self.rows, self.cols].astype(np.int64),
        )
        waiting = flow.add_arcs_with_capacity_and_unit_cost(
            self.waits,
            np.full(self.waits.size, sink),
            self.points[self.waits],
            self.unit_unallocated[self.waits].astype(np.int64),
        )
        segments = flow.add_arcs_with_capacity_and_unit_cost(
            n_rows + self.seg_worker,
            np.full(self.seg_worker.size, sink),
            self.seg_cap,
            self.seg_unit.astype(np.int64),
        )
        supply = np.zeros(sink + 1, dtype=np.int64)
        supply[:n_rows] = self.points
        supply[sink] = -self.points.sum()
        flow.set_nodes_supplies(np.arange(sink + 1), supply)
        if flow.solve() != flow.OPTIMAL:
            return None
        value = flow.optimal_cost() / FLOW_SCALE + self.constant
        value -= float((self.kappa * self.dual.case_ceiling).sum())
        sent = np.zeros((n_rows, n_workers))
        sent[self.rows, self.cols] = flow.flows(to_workers)
        waited = np.zeros(n_rows)
        waited[self.waits] = flow.flows(waiting)
        through = flow.flows(segments)
        del flow  # its arcs take more memory than everything else here
        rows, cols = np.nonzero(sent > 0)
        distance = self._distances(sent, (rows, cols), waited, through)
        if distance is None:
            return None
        mu = np.where(np.isfinite(distance), -distance / FLOW_SCALE, 0.0)
        shares = sent[rows, cols] / self.points[rows]
        return FlowSolution(value, self.dual.joined(mu, kappa=self.kappa), rows, cols, shares)

    def _distances(
        self,
        sent: np.ndarray,
        carrying: tuple[np.ndarray, np.ndarray],
        waited: np.ndarray,
        through: np.ndarray,
    ) -> np.ndarray | None:
        """Each worker's shortest path to the sink in the residual network.

        A path through a young person enters along an arc carrying their flow
        (backwards, at minus its cost) and leaves along one with room; so the
        condensed arc w -> v costs the least, over young people sent to w, of
        their unit cost at v minus their unit cost at w. Index ``W`` is the sink.
        """
        n_workers = self.unit.shape[1]
        sink = n_workers
        points = self.points[:, None]
        leave = np.concatenate(
            [
                np.where(sent < points, self.unit, np.inf),
                np.where(waited < self.points, self.unit_unallocated, np.inf)[:, None],
            ],
            axis=1,
        )
        arc = np.full((n_workers + 1, n_workers + 1), np.inf)
        rows, cols = carrying  # the pairs carrying flow
        order = np.argsort(cols, kind="stable")
        rows, cols = rows[order], cols[order]
        if rows.size:
            starts = np.flatnonzero(np.r_[True, cols[1:] != cols[:-1]])
            via = leave[rows] - self.unit[rows, cols][:, None]
            arc[cols[starts]] = np.minimum.reduceat(via, starts, axis=0)
        waiting = np.flatnonzero(waited > 0)
        if waiting.size:
            via = leave[waiting] - self.unit_unallocated[waiting][:, None]
            arc[sink] = via.min(axis=0)
        room = through < self.seg_cap
        np.minimum.at(arc[:, sink], self.seg_worker[room], self.seg_unit[room])
        used = through > 0
        np.minimum.at(arc[sink], self.seg_worker[used], -self.seg_unit[used])
        np.fill_diagonal(arc, np.inf)
        distance = np.full(n_workers + 1, np.inf)
        distance[sink] = 0.0
        for _ in range(n_workers + 2):
            shorter = np.minimum(distance, (arc + distance[None, :]).min(axis=1))
            if np.array_equal(shorter, distance):
                return distance[:n_workers]
            distance = shorter
        return None  # a negative cycle: the flow was not optimal
