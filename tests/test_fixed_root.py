"""HiGHS's root over a role's cheapest pairs by the LP's reduced costs (solver/fixed_root.py)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from caseweight.problem import Role
from caseweight.solver import fixed_root
from caseweight.solver.early_bound import JOIN_GRACE
from caseweight.solver.fixed_root import cheapest_pairs, fixed_root_bounds
from caseweight.solver.instance import Instance
from caseweight.solver.local_search import climb
from caseweight.solver.rins import FullLP, lp_bounds
from caseweight.solver.role_mip import RoleMip
from caseweight.solver.starts import role_objectives
from caseweight.solver.warm_start import first_fit
from conftest import Runner, exact_optimum
from test_bound import proven_family
from test_lns import FAR, generated


def climbed_lp(tmp_path: Path, role: Role) -> tuple[Instance, np.ndarray, FullLP]:
    """A generated authority's climbed allocation and ``role``'s LP over every pair."""
    _, instance = generated(tmp_path, seed=5)
    found = climb(instance, first_fit(instance), FAR)
    instance, incumbent = found.instance, found.assignment
    lp = lp_bounds(instance, role_objectives(instance, incumbent), [role], FAR)[role]
    return instance, incumbent, lp


def test_the_reduced_costs_split_the_pairs(tmp_path: Path) -> None:
    """The root gets at most ``most`` pairs (and the incumbent's): every pair cheaper
    than T, none dearer; T is what the pairs left out cost at the least."""
    role = Role.PERSONAL_ADVISER
    instance, incumbent, lp = climbed_lp(tmp_path, role)
    costs = instance.role_costs[role]
    assert lp.bound <= lp.value and len(lp.reduced) == int(costs.eligible.sum())
    most = len(lp.reduced) // 4
    allowed, threshold = cheapest_pairs(instance, role, lp, incumbent, most)
    taken = allowed[lp.rows, lp.cols]
    proposed = np.array(
        [costs.column.get(int(incumbent[r]), -1) for r in costs.requirements.tolist()]
    )
    own = proposed[lp.rows] == lp.cols
    assert np.isfinite(threshold)
    assert 0 < (taken & ~own).sum() <= most
    assert taken[lp.reduced < threshold].all() and taken[own].all()
    assert (lp.reduced[~taken] >= threshold).all()
    assert not (allowed & ~costs.eligible).any()
    # every pair: nothing left out, and no threshold
    everything, none = cheapest_pairs(instance, role, lp, incumbent, len(lp.reduced))
    assert none == np.inf and (everything == costs.eligible).all()


def test_an_allocation_with_a_dear_pair_costs_the_lp_and_its_reduced_cost(
    tmp_path: Path,
) -> None:
    """LP duality, the bound's argument: HiGHS's best allocation that must use a
    pair costs at least the LP's optimum plus that pair's reduced cost."""
    role = Role.SOCIAL_WORKER
    instance, incumbent, lp = climbed_lp(tmp_path, role)
    costs = instance.role_costs[role]
    keepable = instance.keepable[costs.requirements]  # no "left waiting" for these rows
    dear = np.flatnonzero(keepable[lp.rows] & (lp.reduced > 0))
    assert len(dear)
    k = int(dear[np.argsort(lp.reduced[dear])[len(dear) // 2]])  # a middling one
    row, col = int(lp.rows[k]), int(lp.cols[k])
    allowed = costs.eligible.copy()
    allowed[row, :] = False
    allowed[row, col] = True
    forced = RoleMip(instance, role, allowed)
    proven = forced.bound(incumbent, 60, 0, branch=True).dual_bound
    assert np.isfinite(proven)
    assert proven >= lp.value + lp.reduced[k] - 1e-6 * abs(lp.value)


def test_the_bound_over_the_cheapest_pairs_is_below_the_proven_optimum(
    run_authority: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    family = proven_family(run_authority, time_limit=20.0)
    instance, incumbent, upper = family.instance, family.incumbent, family.upper
    role = Role.SOCIAL_WORKER
    lps = lp_bounds(instance, upper, [role], FAR)
    optimum = role_objectives(instance, exact_optimum(instance)[0])[role]
    assert lps[role].bound <= optimum
    # a third of the pairs for the time left
    deadline = time.perf_counter() + 30
    monkeypatch.setattr(fixed_root, "SECONDS_PER_PAIR", 30 / (len(lps[role].reduced) // 3))
    monkeypatch.setattr(fixed_root, "MIN_PAIRS", 1)
    bounds = {role: lps[role].bound}
    raised = fixed_root_bounds(instance, incumbent, bounds, lps, deadline + JOIN_GRACE, 0)
    assert lps[role].bound <= raised[role] <= optimum
    # a role HiGHS bounds beside the search is left as it is
    skipped = fixed_root_bounds(instance, incumbent, bounds, lps, deadline, 0, skip=role)
    assert skipped == bounds
