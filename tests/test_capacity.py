"""Worker capacity: points per FTE, grade factor, overrides, leavers, accepting_new."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from authority import AS_OF
from caseweight.capacity import WorkerCapacity, capacities, worker_capacity
from caseweight.config import Config
from caseweight.problem import Problem, Reduction, Role, Worker


def capacity_of(config: Config | None = None, **fields: Any) -> WorkerCapacity:
    values: dict[str, Any] = {"worker_id": "W", "row": 2, "role": Role.SOCIAL_WORKER, "fte": 1.0}
    values.update(fields)
    return worker_capacity(Worker(**values), 0, AS_OF, config or Config())


def test_full_time_social_worker_has_points_per_fte() -> None:
    cap = capacity_of()
    assert cap.points == 85.0
    assert cap.target_points == 85.0
    assert cap.hard_limit_points == pytest.approx(102.0)
    assert cap.can_hold and cap.can_receive


def test_part_time_is_pro_rata() -> None:
    assert capacity_of(fte=0.6).points == pytest.approx(51.0)


@pytest.mark.parametrize(
    ("grade", "factor"),
    [("asye", 0.85), ("senior_practitioner", 0.9), ("social_worker", 1.0), (None, 1.0)],
)
def test_grade_factor(grade: str | None, factor: float) -> None:
    cap = capacity_of(grade=grade)
    assert cap.grade_factor == factor
    assert cap.points == pytest.approx(85.0 * factor, abs=0.05)


def test_newly_qualified_are_protected() -> None:
    assert 0.8 <= capacity_of(grade="asye").points / capacity_of().points <= 0.9


def test_capacity_points_override_fte_and_grade() -> None:
    cap = capacity_of(fte=0.5, grade="asye", capacity_points=30.0)
    assert cap.points == 30.0
    assert cap.override == 30.0
    assert cap.hard_limit_points == pytest.approx(36.0)


def test_personal_adviser_uses_its_own_points_per_fte() -> None:
    config = Config.from_dict({"capacity": {"points_per_fte": {"personal_adviser": 70}}})
    assert capacity_of(config, role=Role.PERSONAL_ADVISER).points == 70.0
    assert capacity_of(config).points == 85.0


def test_hard_limit_and_target_follow_the_config() -> None:
    config = Config.from_dict({"capacity": {"target_utilisation": 0.9, "hard_limit": 1.1}})
    cap = capacity_of(config, capacity_points=50.0)
    assert cap.target_points == pytest.approx(45.0)
    assert cap.hard_limit_points == pytest.approx(55.0)


@pytest.mark.parametrize(
    ("leaving_on", "holds"),
    [(AS_OF - timedelta(days=3), False), (AS_OF, False), (AS_OF + timedelta(days=1), True)],
)
def test_a_worker_leaving_on_or_before_the_as_of_date_holds_nobody(
    leaving_on: date, holds: bool
) -> None:
    cap = capacity_of(leaving_on=leaving_on)
    assert cap.can_hold is holds
    assert not cap.can_receive  # gone, or leaving within 28 days


NOTICE = Config().capacity.no_new_cases_days_before_leaving


@pytest.mark.parametrize(
    ("days", "receives"), [(NOTICE - 1, False), (NOTICE, False), (NOTICE + 1, True), (400, True)]
)
def test_a_worker_leaving_within_the_notice_keeps_cases_but_receives_none(
    days: int, receives: bool
) -> None:
    cap = capacity_of(leaving_on=AS_OF + timedelta(days=days))
    assert cap.can_hold
    assert cap.can_receive is receives


WITHIN_60 = Config.from_dict(
    {"capacity": {"no_new_cases_days_before_leaving": 0, "no_new_cases_days_before_absence": 60}}
)


def _absence(start_in: int, percent: float = 100.0, days: int = 200) -> Reduction:
    start = AS_OF + timedelta(days=start_in)
    return Reduction(percent, "maternity", start, start + timedelta(days=days))


@pytest.mark.parametrize(("days", "receives"), [(59, False), (60, False), (61, True)])
def test_a_worker_starting_a_long_term_absence_within_the_notice_receives_none(
    days: int, receives: bool
) -> None:
    cap = capacity_of(WITHIN_60, reductions=(_absence(days),))
    assert cap.can_hold and cap.points == 85.0  # not absent yet: holds their young people
    assert cap.can_receive is receives


def test_only_reductions_reaching_100_percent_count_as_a_long_term_absence() -> None:
    union = Reduction(40.0, "union time", AS_OF - timedelta(days=30), None)
    assert capacity_of(WITHIN_60, reductions=(_absence(10, 50.0),)).can_receive
    # 40% union time running on and a 60% phased reduction from day 10: 100% then.
    cap = capacity_of(WITHIN_60, reductions=(union, _absence(10, 60.0)))
    assert cap.can_hold and not cap.can_receive
    # An absence that started already is not "soon": the worker holds nobody.
    assert not capacity_of(WITHIN_60, reductions=(_absence(0),)).can_hold
    # The leaving notice (0 here) does not switch the absence notice off, nor back.
    leaving = capacity_of(WITHIN_60, leaving_on=AS_OF + timedelta(days=5))
    assert leaving.can_receive


def test_the_notice_before_leaving_follows_the_config() -> None:
    config = Config.from_dict({"capacity": {"no_new_cases_days_before_leaving": 0}})
    cap = capacity_of(config, leaving_on=AS_OF + timedelta(days=1))
    assert cap.can_hold and cap.can_receive


def test_not_accepting_new_keeps_cases_but_receives_none() -> None:
    cap = capacity_of(accepting_new=False)
    assert cap.can_hold
    assert not cap.can_receive


def test_active_reductions_lower_capacity_and_expired_ones_do_not() -> None:
    active = Reduction(20.0, "union time", AS_OF - timedelta(days=30), AS_OF + timedelta(days=30))
    expired = Reduction(50.0, "phased return", AS_OF - timedelta(days=90), AS_OF - timedelta(1))
    cap = capacity_of(reductions=(active, expired))
    assert cap.points == pytest.approx(68.0)
    assert cap.reduction_percent == 20.0


def test_max_cases_is_carried() -> None:
    assert capacity_of(max_cases=12).max_cases == 12


def test_capacities_are_in_worker_order() -> None:
    workers = tuple(
        Worker(worker_id=f"W{i}", row=i + 2, role=Role.SOCIAL_WORKER, fte=f)
        for i, f in enumerate((1.0, 0.5, 0.2))
    )
    caps = capacities(Problem(as_of=AS_OF, people=(), workers=workers), Config())
    assert [c.worker_index for c in caps] == [0, 1, 2]
    assert [c.points for c in caps] == pytest.approx([85.0, 42.5, 17.0])
