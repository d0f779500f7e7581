"""HiGHS's best bound read from its log while it works (solver/highs.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from caseweight.problem import Role
from caseweight.solver.highs import _reader
from caseweight.solver.local_search import climb
from caseweight.solver.role_mip import RoleMip
from caseweight.solver.warm_start import first_fit
from test_lns import FAR, generated

LOG = [
    "        Nodes      |    B&B Tree     |            Objective Bounds              |",
    "Src  Proc. InQueue |  Leaves   Expl. | BestBound       BestSol              Gap |",
    "         0       0         0   0.00%   -inf            inf                  inf",
    "         0       0         0   0.00%   18394497.44171  19175770           4.07%",
    " B      74       0         0   0.00%   15556254.66667  15564576           0.05%",
    "  Dual bound        18888146.9528",
    "       827       0        68 100.00%   15558021.3984   15559434           0.01%",
]


def test_each_logged_best_bound_is_read_and_nothing_else() -> None:
    seen: list[float] = []
    _reader(seen.append)(LOG)
    assert seen == [18394497.44171, 15556254.66667, 15558021.3984]


def test_highs_tells_its_bounds_as_it_works_and_prints_nothing(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    _, instance = generated(tmp_path, seed=5)
    found = climb(instance, first_fit(instance), FAR)
    instance, incumbent = found.instance, found.assignment
    role = Role.PERSONAL_ADVISER
    mip = RoleMip(instance, role, instance.role_costs[role].eligible)
    quiet = mip.bound(incumbent, 30, 0, branch=True)
    seen: list[float] = []
    told = mip.bound(incumbent, 30, 0, branch=True, seen=seen.append)
    assert seen and max(seen) <= told.dual_bound + 1e-6 * abs(told.dual_bound)
    assert told.dual_bound == pytest.approx(quiet.dual_bound)  # the same work
    out, err = capfd.readouterr()
    assert "BestBound" not in out + err  # the log went to the reader, not the console
