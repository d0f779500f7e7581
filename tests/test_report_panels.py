"""The care leavers and transition panel, scores and worker views, computed from the fixture."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from caseweight.problem import add_months
from caseweight.report import ReportData, build_report, load_proposal
from caseweight.report.panels import score_bins
from report_helpers import FIXTURE


@pytest.fixture(scope="module")
def data() -> ReportData:
    return build_report(load_proposal(FIXTURE), "stamp")


def test_in_care_16_17_counted_by_age_in_months_with_and_without_a_pa(data: ReportData) -> None:
    rows = {r[0]: r for r in data.transition.rows}
    assert min(rows) == 192 and max(rows) == 215 and len(rows) == 24
    assert sum(r[2] for r in rows.values()) == 6  # YP010-YP015; YP016 is 18 so a care leaver
    assert sum(r[3] for r in rows.values()) == 2  # YP011, YP013 have a PA now
    assert sum(r[4] for r in rows.values()) == 4
    assert rows[212][2:] == (1, 0, 0, 1)  # YP014, 17y8m: no PA, unallocated
    assert rows[209][2:] == (1, 1, 1, 0)  # YP013, 17y5m: keeps PA1


def test_turning_18_lists_only_the_next_six_months_with_pa_status(data: ReportData) -> None:
    assert [r[:3] for r in data.turning_18.rows] == [("YP014", "2026-07-25", 115)]
    assert data.turning_18.rows[0][-1] == "no PA: unallocated"


def test_pa_caseloads_split_in_care_and_care_leavers(data: ReportData) -> None:
    rows = {r[0]: r for r in data.pa_caseloads.rows}
    assert rows["+Dana Mills (PA2)"][3:6] == (4, 1, 3)
    assert rows["Chidi Obi (PA1)"][3:6] == (5, 2, 3)


def test_heaviest_young_people_with_their_driving_factors(data: ReportData) -> None:
    first = data.heaviest.rows[0]
    assert first[:2] == ("YP014", 25.0)
    assert first[2].startswith("exploitation risk 6, youth justice 5")
    assert [r[1] for r in data.heaviest.rows] == sorted(
        (r[1] for r in data.heaviest.rows), reverse=True
    )


def test_score_distribution_covers_every_young_person(data: ReportData) -> None:
    assert sum(r[3] for r in data.score_distribution.rows) == 22


def test_worker_views_carry_their_cases_after(data: ReportData) -> None:
    views = {v.worker_id: v for v in data.views}
    assert views["SW2"].leaving and views["SW2"].cases == ()
    assert not views["SW5"].accepting_new
    assert {c[0] for c in views["SW3"].cases} == {"=1+2", "+447700900123", "YP011", "YP014"}


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 4, 1), 6, date(2026, 10, 1)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2008, 2, 29), 216, date(2026, 2, 28)),
    ],
)
def test_add_months_clamps_to_month_end(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_score_bins_have_nice_widths_and_keep_every_score() -> None:
    bins = score_bins([0.5, 3, 7.5, 19.9, 20, 41])
    assert all(b[1] - b[0] == 5 for b in bins)
    assert bins[0][0] == 0 and bins[-1][1] > 41
    assert sum(b[2] for b in bins) == 6
    assert score_bins([]) == [] and score_bins([4, 4])[0][2] == 2


def test_age_in_months_worked_out_from_date_of_birth_when_the_column_is_missing(
    data: ReportData,
) -> None:
    proposal = load_proposal(FIXTURE)
    without = dataclasses.replace(
        proposal, young_people=proposal.young_people.drop(columns=["age_months"])
    )
    assert build_report(without, "stamp").transition.rows == data.transition.rows
