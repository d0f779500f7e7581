"""The climb's penalty table prices every load exactly as balance_penalty does."""

from __future__ import annotations

import pytest

from caseweight.config import Config
from caseweight.solver.instance import PenaltyTable, balance_curve, balance_penalty


@pytest.mark.parametrize("capacity", [1, 50, 85, 170, 255, 1000])
def test_every_load_is_priced_as_balance_penalty_prices_it(capacity: int) -> None:
    curve = balance_curve(capacity, Config())
    table = PenaltyTable((None, curve))
    loads = range(0, 4 * capacity + 200)
    assert [table(1, load) for load in loads] == [balance_penalty(load, curve) for load in loads]
    assert table(0, 123) == 0  # a worker who holds nobody
