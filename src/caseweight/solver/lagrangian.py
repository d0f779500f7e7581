"""The Lagrangian dual of one role's allocation problem, and its subgradient ascent.

Dualising each worker's load row with a multiplier ``mu_w`` splits the problem
into one small choice per young person (or sibling group) and one per worker's
balance segments, each solved exactly in numpy over *every* eligible pair:

    L(mu) = sum_r min(U_r, min_w c_rw - mu_w p_r)
          + sum_w [mu_w T_w + sum_k min(0, (a_k + mu_w) len_k) + sum_k min(0, (b_k - mu_w) len_k)]

For any ``mu`` this is at most the optimum (weak duality), so the best value
seen is an honest lower bound. Rule 5 enters as a load ceiling every worker
keeps (the hard limit, or what they hold now if more) and as a case ceiling
(``max_cases``, or the cases they hold now if more), each dualised too;
sibling groups are priced by a valid lower bound of their own (all with one
worker, or apart at one extra worker's cost).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from caseweight.solver.costs import RoleCosts
from caseweight.solver.instance import Instance

#: Each worker's load, load new to them, and cases, as the minimisers place young people.
Tally = tuple[np.ndarray, np.ndarray, np.ndarray]
#: Multipliers by worker column from elsewhere (an LP's duals,
#: :meth:`.role_mip.RoleMip.prices`): the price of a point of each worker's
#: load, and of each of their cases; :meth:`RoleLagrangian.joined` takes them
Prices = tuple[np.ndarray, np.ndarray]


def kept_loads(instance: Instance) -> np.ndarray:
    """What each worker holds now: the points of the young people they are current for."""
    kept = np.zeros(instance.n_workers, dtype=np.int64)
    for req in instance.requirements:
        if req.current_worker is not None:
            kept[req.current_worker] += req.points
    return kept


def load_ceilings(instance: Instance) -> np.ndarray:
    """The most each worker can end with: the hard limit, or what they keep if more."""
    return np.maximum(instance.hard_limit, kept_loads(instance))


class RoleLagrangian:
    """L(mu) and a subgradient for one role, over every eligible pair."""

    def __init__(self, instance: Instance, costs: RoleCosts) -> None:
        self.workers = costs.workers
        self.requirement_indexes = costs.requirements
        self.points = np.array(
            [instance.requirements[int(r)].points for r in costs.requirements], float
        )
        self.unallocated = instance.unallocated_cost[costs.requirements].astype(float)
        # rule 5: never taken from a worker who can keep them
        self.unallocated[instance.keepable[costs.requirements]] = np.inf
        self.cost = np.where(costs.eligible, costs.total.astype(float), np.inf)
        self.target, self.seg_len, self.seg_cost, self.seg_sign = self._segments(instance)
        row_of = {int(r): i for i, r in enumerate(costs.requirements)}
        self.groups = [
            rows
            for members in instance.sibling_groups
            if len(rows := [row_of[r] for r in members if r in row_of]) > 1
        ]
        # groups small enough to price exactly, stacked by size for numpy
        self.by_size: dict[int, np.ndarray] = {}
        for m in range(2, EXACT_GROUP + 1):
            same = [rows for rows in self.groups if len(rows) == m]
            if same:
                self.by_size[m] = np.array(same, dtype=np.int64)
        self.large_groups = [rows for rows in self.groups if len(rows) > EXACT_GROUP]
        self.sibling_cost = float(instance.sibling_cost)
        grouped = {i for rows in self.groups for i in rows}
        self.single = np.array([i for i in range(len(self.points)) if i not in grouped], dtype=int)
        self._receive_rule(instance, costs)
        self._case_rule(instance)

    def _receive_rule(self, instance: Instance, costs: RoleCosts) -> None:
        """Rule 5 as a valid inequality for workers who now hold more than the hard limit.

        Such a worker either receives nobody new (load <= K, what they hold now)
        or receives and ends within the hard limit H. Both satisfy
        ``load + (K - H) / H * new <= K``, with ``new`` the points of young
        people new to them; its multiplier ``nu_w >= 0`` joins ``mu``.
        """
        self.current = costs.current
        kept = np.zeros(len(self.workers))
        has = self.current >= 0
        np.add.at(kept, self.current[has], self.points[has])
        limit = instance.hard_limit[self.workers].astype(float)
        holds = np.array([instance.balance[int(w)] is not None for w in self.workers], dtype=bool)
        self.ruled = holds & (kept > limit) & (limit > 0)
        self.kept = np.where(self.ruled, kept, 0.0)
        self.alpha = np.where(self.ruled, (kept - limit) / np.maximum(limit, 1.0), 0.0)

    def _case_rule(self, instance: Instance) -> None:
        """Rule 5's cases: a worker with ``max_cases`` ends within it or receives nobody.

        Either way they end with at most ``max(max_cases, cases held now)``
        cases; its multiplier ``kappa_w >= 0`` prices each case. The flow
        leaves it out: on a region's advisers it filled five workers held at
        ``max_cases`` with 673 tenths of a point more than they may take.
        """
        n = len(self.workers)
        held = np.bincount(self.current[self.current >= 0], minlength=n)
        most = np.array(
            [
                -1 if (m := instance.capacities[int(w)].max_cases) is None else m
                for w in self.workers
            ],
            dtype=np.int64,
        )
        holds = np.array([instance.balance[int(w)] is not None for w in self.workers], dtype=bool)
        self.case_capped = holds & (most >= 0)
        self.case_ceiling = np.where(self.case_capped, np.maximum(most, held), 0).astype(float)

    @property
    def size(self) -> int:
        """Multipliers: mu, nu and kappa, one each per worker (nu, kappa 0 where no rule)."""
        return 3 * len(self.workers)

    def parts(self, lam: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``lam`` as (mu, nu, kappa): load, rule-5 load and case multipliers."""
        n = len(self.workers)
        return lam[:n], lam[n : 2 * n], lam[2 * n :]

    def joined(
        self, mu: ArrayLike, nu: ArrayLike | None = None, kappa: ArrayLike | None = None
    ) -> np.ndarray:
        """The multipliers from their parts (:meth:`parts`' inverse); a part left out is 0."""
        lam = np.zeros(self.size)
        for k, part in enumerate((mu, nu, kappa)):
            if part is not None:
                lam[k * len(self.workers) : (k + 1) * len(self.workers)] = part
        return lam

    def project(self, lam: np.ndarray) -> np.ndarray:
        """``lam`` with nu and kappa >= 0 where their rule applies, 0 elsewhere."""
        mu, nu, kappa = self.parts(lam)
        return self.joined(
            mu,
            np.where(self.ruled, np.maximum(nu, 0.0), 0.0),
            np.where(self.case_capped, np.maximum(kappa, 0.0), 0.0),
        )

    def _segments(self, instance: Instance) -> tuple[np.ndarray, ...]:
        """Balance segments as (W, K) arrays; sign +1 above the target, -1 below."""
        tops = load_ceilings(instance)
        rows = []
        for w in self.workers:
            curve = instance.balance[int(w)]
            segs: list[tuple[int, int, float]] = []
            if curve is not None:
                above, below = curve.capped(int(tops[w]))
                segs += [(size, cost, 1.0) for size, cost in above]
                segs += [(size, cost, -1.0) for size, cost in below]
            rows.append(segs)
        k = max((len(s) for s in rows), default=0)
        shape = (len(rows), k)
        lengths, prices, signs = np.zeros(shape), np.zeros(shape), np.zeros(shape)
        for j, segs in enumerate(rows):
            for i, (size, price, sign) in enumerate(segs):
                lengths[j, i], prices[j, i], signs[j, i] = size, price, sign
        curves = [instance.balance[int(w)] for w in self.workers]
        target = np.array([0.0 if c is None else float(c.target) for c in curves])
        return target, lengths, prices, signs

    def priced(self, lam: np.ndarray) -> np.ndarray:
        """Each pair's cost with the dualised rows priced in (inf where not eligible)."""
        mu, nu, kappa = self.parts(lam)
        # a young person new to w pays nu_w (1 + alpha_w) per point; one staying,
        # nu_w; every case kappa_w
        priced = self.points[:, None] * (nu * (1 + self.alpha) - mu)[None, :]
        priced += self.cost  # in place: the matrix is a region's largest array
        if kappa.any():
            priced += kappa[None, :]
        has = np.flatnonzero(self.current >= 0)
        cur = self.current[has]
        priced[has, cur] -= self.points[has] * nu[cur] * self.alpha[cur]
        return priced

    def evaluate(self, lam: np.ndarray) -> tuple[float, np.ndarray]:
        """L(mu, nu) and its subgradient (each dualised row's residual at the minimisers)."""
        n = len(self.workers)
        if n == 0:  # nobody of this role: everyone is unallocated
            return float(self.unallocated.sum()), np.zeros(0)
        mu, nu, kappa = self.parts(lam)
        priced = self.priced(lam)
        load, new, cases = np.zeros(n), np.zeros(n), np.zeros(n)
        tally = (load, new, cases)
        value = self._singles(priced, tally)
        value += sum(float(minima.sum()) for _, minima in self.group_minima(priced, tally))
        reduced = self.seg_cost + self.seg_sign * mu[:, None]  # above: a + mu; below: b - mu
        take = (reduced < 0) * self.seg_len
        value += float((mu * self.target).sum() + (reduced * take).sum())
        value -= float((nu * self.kept).sum() + (kappa * self.case_ceiling).sum())
        gradient_mu = self.target + (self.seg_sign * take).sum(axis=1) - load
        gradient_nu = np.where(self.ruled, load + self.alpha * new - self.kept, 0.0)
        gradient_kappa = np.where(self.case_capped, cases - self.case_ceiling, 0.0)
        return value, self.joined(gradient_mu, gradient_nu, gradient_kappa)

    def group_minima(
        self, priced: np.ndarray, tally: Tally | None = None
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each sibling group's least cost at ``priced``: (rows, one per group) by size.

        A group of up to EXACT_GROUP is priced exactly over every split; a
        larger one together, or apart for one penalty (a lower bound on any
        split, since a split costs at least one penalty). ``tally`` counts the
        minimisers' loads in.
        """
        if tally is None:
            n = len(self.workers)
            tally = (np.zeros(n), np.zeros(n), np.zeros(n))
        out = []
        for size, rows_by_group in self.by_size.items():
            splits = _PARTITIONS[size]
            extras = [len(blocks) - 1 for blocks in splits]
            out.append((rows_by_group, self._groups(priced, rows_by_group, splits, extras, tally)))
        for rows in self.large_groups:
            everyone = tuple(range(len(rows)))
            splits = [(everyone,), tuple((i,) for i in everyone)]
            grouped = np.array([rows])
            out.append((grouped, self._groups(priced, grouped, splits, [0, 1], tally)))
        return out

    def _take(self, rows: np.ndarray, cols: np.ndarray, tally: Tally) -> None:
        """Count young people in: each worker's load, load new to them, and cases."""
        load, new, cases = tally
        np.add.at(load, cols, self.points[rows])
        moved = self.current[rows] != cols
        np.add.at(new, cols[moved], self.points[rows][moved])
        np.add.at(cases, cols, 1.0)

    def _singles(self, priced: np.ndarray, tally: Tally) -> float:
        rows = self.single
        if rows.size == 0:
            return 0.0
        # argmin over every row (no copy of the big matrix), then the singles'
        best = priced.argmin(axis=1)[rows]
        value = priced[rows, best]
        chosen = value < self.unallocated[rows]
        self._take(rows[chosen], best[chosen], tally)
        return float(np.where(chosen, value, self.unallocated[rows]).sum())

    def _groups(
        self,
        priced: np.ndarray,
        rows: np.ndarray,
        splits: list[tuple[tuple[int, ...], ...]],
        extras: list[int],
        tally: Tally,
    ) -> np.ndarray:
        """Sibling groups of one size priced at once: each takes its cheapest split.

        ``rows`` is (groups, size). For each way ``splits`` offers to split the
        members into workers, a block of two or more takes its cheapest common
        worker, a member alone its cheapest worker, and the split costs
        ``extras`` split penalties. With every set partition and one penalty
        per block past the first, this is each group's exact minimum.
        """
        n_groups, size = rows.shape
        part = priced[rows]  # (G, m, W)
        cap = self.unallocated[rows]  # (G, m)
        alone = np.minimum(part, cap[:, :, None])
        best = part.argmin(axis=2)
        solo = np.minimum(np.take_along_axis(part, best[:, :, None], axis=2)[:, :, 0], cap)
        values = np.empty((len(splits), n_groups))
        columns = np.empty((len(splits), n_groups, size), dtype=np.int64)
        for k, blocks in enumerate(splits):
            total = np.full(n_groups, float(self.sibling_cost * extras[k]))
            for block in blocks:
                if len(block) == 1:
                    total += solo[:, block[0]]
                    columns[k, :, block[0]] = best[:, block[0]]
                    continue
                summed = alone[:, list(block)].sum(axis=1)  # (G, W)
                col = summed.argmin(axis=1)
                total += summed[np.arange(n_groups), col]
                columns[k][:, list(block)] = col[:, None]
            values[k] = total
        choice = values.argmin(axis=0)
        cols = columns[choice, np.arange(n_groups)]  # (G, m)
        placed = np.take_along_axis(part, cols[:, :, None], axis=2)[:, :, 0] <= cap
        self._take(rows[placed], cols[placed], tally)
        return values[choice, np.arange(n_groups)]


def _set_partitions(items: list[int]) -> list[tuple[tuple[int, ...], ...]]:
    """Every way to split ``items`` into non-empty blocks."""
    if not items:
        return [()]
    first, rest = items[0], items[1:]
    out = []
    for blocks in _set_partitions(rest):
        out.append(((first,), *blocks))
        for k in range(len(blocks)):
            out.append((*blocks[:k], (first, *blocks[k]), *blocks[k + 1 :]))
    return out


#: Sibling groups up to this size are priced exactly (Bell(6) = 203 splits).
EXACT_GROUP = 6
_PARTITIONS = {m: _set_partitions(list(range(m))) for m in range(1, EXACT_GROUP + 1)}


def ascend(
    dual: RoleLagrangian,
    mu: np.ndarray,
    upper: float,
    seconds: float,
    max_steps: int = 5000,
    stop: Callable[[], bool] | None = None,
) -> tuple[float, np.ndarray]:
    """Projected subgradient ascent within ``seconds`` (or until ``stop()``);
    the best L and its multipliers (:class:`Ascent`)."""
    return Ascent(dual, mu, upper).run(seconds, max_steps, stop)


class Ascent:
    """Projected subgradient ascent on L from ``mu`` towards ``upper``, in runs.

    Steps aim at a level between the best L so far and the incumbent's
    objective ``upper`` (Polyak's rule with a target), along the subgradient
    deflected by the previous direction, which damps the zig-zag between two
    workers' load rows. After ``STALL_STEPS`` steps without a better L the
    ascent goes back to the best multipliers and halves its aim; once the aim
    is below ``1e-5`` it has converged. Each :meth:`run` goes on where the
    last stopped.
    """

    def __init__(self, dual: RoleLagrangian, mu: np.ndarray, upper: float) -> None:
        self.dual, self.upper = dual, upper
        self.mu = dual.project(mu)
        self.best_value, self.best_mu = dual.evaluate(self.mu)[0], self.mu.copy()
        self.aim, self.stalled = TARGET_SHARE, 0
        self.direction: np.ndarray | None = None
        self.converged = False

    def run(
        self, seconds: float, max_steps: int = 5000, stop: Callable[[], bool] | None = None
    ) -> tuple[float, np.ndarray]:
        """Up to ``max_steps`` more steps within ``seconds``; the best L and its multipliers."""
        deadline = time.perf_counter() + seconds
        dual = self.dual
        for _ in range(max_steps):
            if self.converged or time.perf_counter() > deadline or (stop is not None and stop()):
                break
            value, gradient = dual.evaluate(self.mu)
            if value > self.best_value + 1e-7 * abs(self.best_value):
                self.best_value, self.best_mu, self.stalled = value, self.mu.copy(), 0
            else:
                self.stalled += 1
                if self.stalled >= STALL_STEPS:
                    self.aim, self.stalled, self.direction = self.aim / 2, 0, None
                    self.mu = self.best_mu.copy()
                    self.converged = self.aim < 1e-5
                    continue
            direction = (
                gradient if self.direction is None else gradient + DEFLECTION * self.direction
            )
            norm = float((direction**2).sum())
            if norm == 0:
                self.converged = True
                break
            level = self.best_value + self.aim * max(self.upper - self.best_value, 0.0)
            self.mu = dual.project(self.mu + max(level - value, 1e-9) / norm * direction)
            self.direction = direction
        return self.best_value, self.best_mu


#: Subgradient ascent: the share of the way to the incumbent's objective each
#: step aims at, the weight of the previous direction, and the steps without a
#: better bound before the aim halves.
TARGET_SHARE = 1.0
DEFLECTION = 0.5
STALL_STEPS = 10
