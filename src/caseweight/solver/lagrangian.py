"""The Lagrangian dual of one role's allocation problem, and its subgradient ascent.

Dualising each worker's load row with a multiplier ``mu_w`` splits the problem
into one small choice per young person (or sibling group) and one per worker's
balance segments, each solved exactly in numpy over *every* eligible pair:

    L(mu) = sum_r min(U_r, min_w c_rw - mu_w p_r)
          + sum_w [mu_w T_w + sum_k min(0, (a_k + mu_w) len_k) + sum_k min(0, (b_k - mu_w) len_k)]

For any ``mu`` this is at most the optimum (weak duality), so the best value
seen is an honest lower bound. Rule 5 enters as a load ceiling every worker
keeps (the hard limit, or what they hold now if more); sibling groups are
priced by a valid lower bound of their own (all with one worker, or apart at
one extra worker's cost).
"""

from __future__ import annotations

import time

import numpy as np

from caseweight.solver.costs import RoleCosts
from caseweight.solver.instance import Instance


def load_ceilings(instance: Instance) -> np.ndarray:
    """The most each worker can end with: the hard limit, or what they keep if more."""
    kept = np.zeros(instance.n_workers, dtype=np.int64)
    for req in instance.requirements:
        if req.current_worker is not None:
            kept[req.current_worker] += req.points
    return np.maximum(instance.hard_limit, kept)


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
        self.sibling_cost = float(instance.sibling_cost)
        grouped = {i for rows in self.groups for i in rows}
        self.single = np.array([i for i in range(len(self.points)) if i not in grouped], dtype=int)
        self._receive_rule(instance, costs)

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

    @property
    def size(self) -> int:
        """Multipliers: one mu per worker, then one nu per worker (0 where no rule)."""
        return 2 * len(self.workers)

    def project(self, lam: np.ndarray) -> np.ndarray:
        n = len(self.workers)
        lam = lam.copy()
        lam[n:] = np.where(self.ruled, np.maximum(lam[n:], 0.0), 0.0)
        return lam

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
        n = len(self.workers)
        mu, nu = lam[:n], lam[n:]
        # a young person new to w pays nu_w (1 + alpha_w) per point; one staying, nu_w
        priced = self.cost + self.points[:, None] * (nu * (1 + self.alpha) - mu)[None, :]
        has = np.flatnonzero(self.current >= 0)
        cur = self.current[has]
        priced[has, cur] -= self.points[has] * nu[cur] * self.alpha[cur]
        return priced

    def evaluate(self, lam: np.ndarray) -> tuple[float, np.ndarray]:
        """L(mu, nu) and its subgradient (each dualised row's residual at the minimisers)."""
        n = len(self.workers)
        if n == 0:  # nobody of this role: everyone is unallocated
            return float(self.unallocated.sum()), np.zeros(0)
        mu, nu = lam[:n], lam[n:]
        priced = self.priced(lam)
        load, new = np.zeros(n), np.zeros(n)
        value = self._singles(priced, load, new)
        for rows in self.groups:
            value += self._group(priced, rows, load, new)
        reduced = self.seg_cost + self.seg_sign * mu[:, None]  # above: a + mu; below: b - mu
        take = (reduced < 0) * self.seg_len
        value += float((mu * self.target).sum() + (reduced * take).sum() - (nu * self.kept).sum())
        gradient_mu = self.target + (self.seg_sign * take).sum(axis=1) - load
        gradient_nu = np.where(self.ruled, load + self.alpha * new - self.kept, 0.0)
        return value, np.concatenate([gradient_mu, gradient_nu])

    def _take(self, rows: np.ndarray, cols: np.ndarray, load: np.ndarray, new: np.ndarray) -> None:
        np.add.at(load, cols, self.points[rows])
        moved = self.current[rows] != cols
        np.add.at(new, cols[moved], self.points[rows][moved])

    def _singles(self, priced: np.ndarray, load: np.ndarray, new: np.ndarray) -> float:
        rows = self.single
        if rows.size == 0:
            return 0.0
        best = priced[rows].argmin(axis=1)
        value = priced[rows, best]
        chosen = value < self.unallocated[rows]
        self._take(rows[chosen], best[chosen], load, new)
        return float(np.where(chosen, value, self.unallocated[rows]).sum())

    def _group(
        self, priced: np.ndarray, rows: list[int], load: np.ndarray, new: np.ndarray
    ) -> float:
        """The group's exact minimum: each member's price plus the split penalty per extra worker.

        Enumerates how the members could be split into workers (set partitions):
        a block of two or more takes its cheapest common worker, a member alone
        its cheapest worker. Groups larger than :data:`EXACT_GROUP` fall back to
        the weaker "all together, or apart for one penalty".
        """
        part = priced[rows]
        index = np.array(rows)
        cap = self.unallocated[index]
        alone = np.minimum(part, cap[:, None])
        best = part.argmin(axis=1)
        solo = np.minimum(part[np.arange(len(rows)), best], cap)
        everyone = tuple(range(len(rows)))
        # too large to enumerate: together, or apart for one penalty (a lower bound
        # on any split, since a split costs at least one penalty)
        exact = len(rows) <= EXACT_GROUP
        splits = _PARTITIONS[len(rows)] if exact else [(everyone,), tuple((i,) for i in everyone)]
        best_value, best_cols = np.inf, np.zeros(len(rows), dtype=np.int64)
        for blocks in splits:
            extra = len(blocks) - 1 if exact else min(len(blocks) - 1, 1)
            value = self.sibling_cost * extra
            cols = np.empty(len(rows), dtype=np.int64)
            for block in blocks:
                if len(block) == 1:
                    value += float(solo[block[0]])
                    cols[block[0]] = best[block[0]]
                    continue
                summed = alone[list(block)].sum(axis=0)
                col = int(summed.argmin())
                value += float(summed[col])
                cols[list(block)] = col
            if value < best_value:
                best_value, best_cols = value, cols
        placed = part[np.arange(len(rows)), best_cols] <= cap
        self._take(index[placed], best_cols[placed], load, new)
        return best_value


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
    dual: RoleLagrangian, mu: np.ndarray, upper: float, seconds: float, max_steps: int = 80
) -> tuple[float, np.ndarray]:
    """Projected subgradient ascent with Polyak steps towards ``upper``; best L and multipliers."""
    deadline = time.perf_counter() + seconds
    mu = dual.project(mu)
    best_value, best_mu = dual.evaluate(mu)[0], mu.copy()
    scale, stalled = 1.0, 0
    for _ in range(max_steps):
        value, gradient = dual.evaluate(mu)
        if value > best_value + 1e-6 * abs(best_value):
            best_value, best_mu, stalled = value, mu.copy(), 0
        else:
            stalled += 1
            if stalled >= 5:
                scale, stalled = scale / 2, 0
        norm = float((gradient**2).sum())
        if norm == 0 or scale < 1e-4 or time.perf_counter() > deadline:
            break
        mu = dual.project(mu + scale * max(upper - value, 1e-9) / norm * gradient)
    return best_value, best_mu
