"""Complexity scores: each factor's points, traceable to the config."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from authority import AS_OF, Authority, born
from caseweight.config import Config, config_to_dict
from caseweight.io.inputs import read_cases_only
from caseweight.problem import Problem, Status, YoungPerson
from caseweight.weighting import FACTOR_SOURCES, FACTORS, Scores, score_people


def person(age: int, status: str = "in_care", months: int = 1, **fields: Any) -> YoungPerson:
    return YoungPerson(
        person_id=f"P{age}",
        row=2,
        date_of_birth=born(age, months),
        status=Status(status),
        **fields,
    )


def score_of(young_person: YoungPerson, config: Config | None = None) -> dict[str, float]:
    problem = Problem(as_of=AS_OF, people=(young_person,), workers=())
    return score_people(problem, config or Config()).of(0)


@pytest.mark.parametrize(
    ("age", "status", "base"),
    [
        (0, "in_care", 3.0),
        (4, "in_care", 3.0),
        (11, "in_care", 3.0),
        (12, "in_care", 3.5),
        (17, "in_care", 3.5),
        (16, "care_leaver", 2.5),
        (17, "care_leaver", 2.5),
        (18, "care_leaver", 2.0),
        (20, "care_leaver", 2.0),
        (21, "care_leaver", 1.5),
        (25, "care_leaver", 1.5),
        (18, "in_care", 2.0),  # treated as a care leaver: the care leaver table applies
    ],
)
def test_base_points_by_status_and_age_band(age: int, status: str, base: float) -> None:
    assert score_of(person(age, status))["base"] == base


def test_age_band_starts_on_the_birthday() -> None:
    on_birthday = YoungPerson("B", 2, date(AS_OF.year - 12, AS_OF.month, AS_OF.day), Status.IN_CARE)
    day_before = YoungPerson("D", 2, date(AS_OF.year - 12, AS_OF.month, 2), Status.IN_CARE)
    assert score_of(on_birthday)["base"] == 3.5
    assert score_of(day_before)["base"] == 3.0


@pytest.mark.parametrize(
    ("fields", "factor", "points"),
    [
        ({"legal_status": "remand"}, "legal_status", 2.0),
        ({"legal_status": "care_order"}, "legal_status", 0.0),
        ({"placement_type": "secure"}, "placement_type", 3.0),
        ({"placement_type": "residential"}, "placement_type", 1.5),
        ({"placement_distance_km": 10.0}, "placement_distance", 0.0),
        ({"placement_distance_km": 20.0}, "placement_distance", 0.5),
        ({"placement_distance_km": 40.0}, "placement_distance", 1.0),
        ({"placement_distance_km": 120.0}, "placement_distance", 1.5),
        ({"placement_moves_12m": 3}, "placement_moves", 1.5),
        ({"placement_moves_12m": 9}, "placement_moves", 2.0),  # capped
        ({"missing_episodes_12m": 1}, "missing_episodes", 0.5),
        ({"missing_episodes_12m": 30}, "missing_episodes", 2.0),  # capped
        ({"exploitation_risk": "high"}, "exploitation_risk", 3.0),
        ({"exploitation_risk": "medium"}, "exploitation_risk", 1.5),
        ({"flags": frozenset({"uasc"})}, "uasc", 1.0),
        ({"flags": frozenset({"court_proceedings"})}, "court_proceedings", 2.0),
        ({"flags": frozenset({"youth_justice"})}, "youth_justice", 1.5),
    ],
)
def test_each_factor_gives_its_configured_points(
    fields: dict[str, Any], factor: str, points: float
) -> None:
    breakdown = score_of(person(14, **fields))
    assert breakdown[factor] == points
    others = {f: v for f, v in breakdown.items() if f not in ("base", factor)}
    assert set(others.values()) == {0.0}


def test_score_is_the_sum_of_its_factors() -> None:
    people = (
        person(14, legal_status="interim_care_order", placement_type="residential",
               placement_distance_km=50.0, placement_moves_12m=2, missing_episodes_12m=3,
               exploitation_risk="high", flags=frozenset({"uasc", "disability", "neet"})),
        person(19, "care_leaver", flags=frozenset({"young_parent"})),
        person(3),
    )  # fmt: skip
    scores = score_people(Problem(as_of=AS_OF, people=people, workers=()), Config())
    assert scores.factors == FACTORS
    assert scores.points.shape == (3, len(FACTORS))
    assert list(scores.total) == pytest.approx(list(scores.points.sum(axis=1)))
    # 3.5 base + 1 + 1.5 + 1 + 1 + 1.5 + 3 + (1 + 1 + 0.5)
    assert scores.total[0] == pytest.approx(15.0)
    assert scores.total[1] == pytest.approx(3.0)
    assert scores.total[2] == pytest.approx(3.0)


def test_changing_a_weight_in_the_config_changes_that_factor_only() -> None:
    young_person = person(10, flags=frozenset({"uasc", "ehcp"}))
    config = Config.from_dict({"weights": {"flags": {"uasc": 4}}})
    before, after = score_of(young_person), score_of(young_person, config)
    assert after["uasc"] == 4.0
    assert {f: v for f, v in after.items() if f != "uasc"} == {
        f: v for f, v in before.items() if f != "uasc"
    }


def test_every_factor_traces_to_a_config_key() -> None:
    assert set(FACTOR_SOURCES) == set(FACTORS)
    weights = config_to_dict(Config())["weights"]
    for factor, source in FACTOR_SOURCES.items():
        keys = [part.strip() for part in source.split("(")[0].split("/")]
        for key in keys:
            parts = key.split(".")
            assert parts[0] == "weights", factor
            node = weights
            for part in parts[1:]:
                assert part in node, f"{factor}: {key}"
                node = node[part]


def test_no_young_people_gives_an_empty_table() -> None:
    scores = score_people(Problem(as_of=AS_OF, people=(), workers=()), Config())
    assert isinstance(scores, Scores)
    assert scores.points.shape == (0, len(FACTORS))


def test_scores_from_a_cases_file(tmp_path: Path) -> None:
    authority = (
        Authority()
        .person("A", age=13, placement_type="secure", needs_skills="uasc;language:arabic")
        .person("B", age=22, status="care_leaver", neet=True)
    )
    cases, _ = authority.write(tmp_path)
    problem = read_cases_only(cases, AS_OF)
    scores = score_people(problem, Config())
    assert scores.person_ids == ("A", "B")
    assert list(scores.total) == [6.5, 2.0]
