"""Complexity scores: each young person's points, factor by factor.

Every point is traceable: ``Scores.points[i, k]`` is what factor
``Scores.factors[k]`` gave young person ``i``, and each factor is one section
of ``config/weights.yaml`` (see :data:`FACTOR_SOURCES`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from caseweight.config import NEEDS_FLAGS, AgeBand, Config, CountFactor, Weights
from caseweight.problem import Problem, Status

FACTORS: tuple[str, ...] = (
    "base",
    "legal_status",
    "placement_type",
    "placement_distance",
    "placement_moves",
    "missing_episodes",
    "exploitation_risk",
    *NEEDS_FLAGS,
)

#: factor -> the config key its points come from.
FACTOR_SOURCES: dict[str, str] = {
    "base": "weights.base_in_care / weights.base_care_leaver (by age band)",
    "legal_status": "weights.legal_status",
    "placement_type": "weights.placement_type",
    "placement_distance": "weights.placement_distance",
    "placement_moves": "weights.placement_moves",
    "missing_episodes": "weights.missing_episodes",
    "exploitation_risk": "weights.exploitation_risk",
    **{flag: f"weights.flags.{flag}" for flag in NEEDS_FLAGS},
}


@dataclass(frozen=True)
class Scores:
    """Points per young person and factor, rounded to a tenth of a point."""

    person_ids: tuple[str, ...]
    factors: tuple[str, ...]
    points: np.ndarray  # shape (people, factors)

    @property
    def total(self) -> np.ndarray:
        return np.round(self.points.sum(axis=1), 1)

    def of(self, person_index: int) -> dict[str, float]:
        return {f: float(self.points[person_index, k]) for k, f in enumerate(self.factors)}


def score_people(problem: Problem, config: Config) -> Scores:
    """Score every young person of ``problem`` with the weights of ``config``."""
    weights = config.weights
    people = problem.people
    columns = {
        "base": [_base_points(problem, i, weights) for i in range(len(people))],
        "legal_status": [weights.legal_status.get(p.legal_status or "", 0.0) for p in people],
        "placement_type": [weights.placement_type.get(p.placement_type or "", 0.0) for p in people],
        "placement_distance": _distance_points(
            np.array([p.placement_distance_km or 0.0 for p in people]), weights
        ),
        "placement_moves": _count_points(
            [p.placement_moves_12m for p in people], weights.placement_moves
        ),
        "missing_episodes": _count_points(
            [p.missing_episodes_12m for p in people], weights.missing_episodes
        ),
        "exploitation_risk": [
            weights.exploitation_risk.get(p.exploitation_risk or "none", 0.0) for p in people
        ],
    }
    for flag in NEEDS_FLAGS:
        columns[flag] = [weights.flags[flag] if flag in p.flags else 0.0 for p in people]
    matrix = (
        np.column_stack([np.asarray(columns[f], dtype=float) for f in FACTORS])
        if people
        else np.zeros((0, len(FACTORS)))
    )
    return Scores(
        person_ids=tuple(p.person_id for p in people),
        factors=FACTORS,
        points=np.round(matrix, 1),
    )


def _band_points(bands: tuple[AgeBand, ...], age: int) -> float:
    points = bands[0].points
    for band in bands:
        if age >= band.from_age:
            points = band.points
    return points


def _base_points(problem: Problem, index: int, weights: Weights) -> float:
    person = problem.people[index]
    age = problem.age(person)
    if problem.treated_as(person) is Status.IN_CARE:
        return _band_points(weights.base_in_care, age)
    return _band_points(weights.base_care_leaver, age)


def _distance_points(distance_km: np.ndarray, weights: Weights) -> np.ndarray:
    points = np.zeros_like(distance_km)
    for band in sorted(weights.placement_distance, key=lambda b: b.from_km):
        points = np.where(distance_km >= band.from_km, band.points, points)
    return points


def _count_points(counts: list[int], factor: CountFactor) -> np.ndarray:
    return np.minimum(np.asarray(counts, dtype=float) * factor.per_item, factor.max_points)
