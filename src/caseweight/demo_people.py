"""Young people of the seeded demo authority: ages, status, placements and needs.

Proportions follow ``docs/domain.md`` (DfE children looked after statistics:
age mix 2018, legal status 2023, placement survey 2024, out-of-area share).
Each young person gets an age band first; the needs that depend on age (legal
status, placement, missing episodes, exploitation risk, NEET) are drawn per
band. Sibling groups and new entrants to care are added in
:mod:`caseweight.demo_family`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from caseweight.demo_draw import (
    ages_at,
    chance,
    choose,
    draw_birth_dates,
    exact_counts,
    pick,
    round_half_up,
    scaled,
    shuffled_labels,
    years_before,
)

IN_CARE_SHARE = 0.60
# (youngest, oldest, share). Bands 0-3 are children in care (DfE 2018 age mix),
# band 4 is the data lag (still ``in_care`` though just 18), 5-7 are care leavers.
BANDS: tuple[tuple[int, int, float], ...] = (
    (0, 4, 0.19),
    (5, 11, 0.30),
    (12, 15, 0.28),
    (16, 17, 0.23),
    (18, 18, 0.0),
    (16, 17, 0.05),
    (18, 20, 0.80),
    (21, 24, 0.15),
)
IN_CARE_BANDS = (0, 1, 2, 3)
LAG_BAND = 4
LEAVER_BANDS = (5, 6, 7)
UASC_IN_CARE_SHARE = 0.08
UASC_LEAVER_SHARE = 0.15
UASC_LANGUAGE_SHARE = 0.60
LANGUAGES = {"arabic": 0.28, "pashto": 0.24, "tigrinya": 0.18, "kurdish": 0.14, "farsi": 0.10}
# Needed by a few young people and spoken by no worker: "skill unavailable".
UNAVAILABLE_LANGUAGE = "oromo"

LEGAL_STATUS = {
    0: {"care_order": 0.62, "interim_care_order": 0.09, "section_20": 0.08,
        "placement_order": 0.21},
    1: {"care_order": 0.85, "interim_care_order": 0.03, "section_20": 0.08,
        "placement_order": 0.04},
    2: {"care_order": 0.85, "interim_care_order": 0.02, "section_20": 0.10, "remand": 0.01,
        "other": 0.02},
    3: {"care_order": 0.82, "interim_care_order": 0.01, "section_20": 0.12, "remand": 0.03,
        "other": 0.02},
    4: {"care_order": 0.80, "section_20": 0.20},
}  # fmt: skip
PLACEMENT = {
    0: {"foster": 0.64, "kinship": 0.24, "placed_with_parents": 0.10, "residential": 0.01,
        "other": 0.01},
    1: {"foster": 0.59, "kinship": 0.23, "placed_with_parents": 0.09, "residential": 0.08,
        "other": 0.01},
    2: {"foster": 0.55, "kinship": 0.17, "residential": 0.21, "placed_with_parents": 0.05,
        "secure": 0.004, "other": 0.016},
    3: {"foster": 0.28, "kinship": 0.08, "residential": 0.17, "supported_accommodation": 0.41,
        "placed_with_parents": 0.04, "secure": 0.004, "other": 0.016},
    4: {"foster": 0.40, "supported_accommodation": 0.50, "residential": 0.10},
    5: {"supported_accommodation": 0.60, "independent_living": 0.12, "other": 0.26,
        "custody": 0.02},
    6: {"independent_living": 0.36, "supported_accommodation": 0.27, "staying_put": 0.14,
        "other": 0.21, "custody": 0.02},
    7: {"independent_living": 0.62, "supported_accommodation": 0.06, "other": 0.30,
        "custody": 0.02},
}  # fmt: skip
# Chance that a placement of each type is outside the authority; about half of
# those are far (> 32 km, 20 miles): 37% out of area, 18% far overall.
OUT_OF_AREA = {
    "foster": 0.38, "kinship": 0.28, "residential": 0.72, "secure": 1.0,
    "supported_accommodation": 0.30, "placed_with_parents": 0.08, "adoption": 0.5,
    "other": 0.4, "independent_living": 0.15, "staying_put": 0.30, "custody": 0.9,
}  # fmt: skip
FAR_SHARE_OF_OUT_OF_AREA = 0.49
WORKER_CHANGES = {0: 0.50, 1: 0.26, 2: 0.14, 3: 0.06, 4: 0.03, 5: 0.01}
# Per band 0..7: chance of going missing at least once, mean placement moves.
MISSING_CHANCE = (0.0, 0.01, 0.14, 0.22, 0.10, 0.0, 0.0, 0.0)
MOVES_MEAN = (0.25, 0.22, 0.40, 0.50, 0.30, 0.35, 0.25, 0.15)
DISABILITY = (0.10, 0.10, 0.10, 0.10, 0.10, 0.08, 0.08, 0.08)
HEALTH_NEEDS = (0.10, 0.28, 0.28, 0.28, 0.28, 0.30, 0.30, 0.30)
EHCP = (0.05, 0.27, 0.27, 0.27, 0.20, 0.10, 0.10, 0.04)
YOUTH_JUSTICE = (0.0, 0.0, 0.04, 0.09, 0.08, 0.10, 0.07, 0.04)
NEET = (0.0, 0.0, 0.0, 0.14, 0.20, 0.25, 0.36, 0.38)
YOUNG_PARENT = (0.0, 0.0, 0.0, 0.01, 0.01, 0.02, 0.04, 0.08)
TEEN_RISK = {"none": 0.70, "low": 0.15, "medium": 0.10, "high": 0.05}
ADULT_RISK = {"none": 0.86, "low": 0.08, "medium": 0.045, "high": 0.015}
CHILD_RISK = {"none": 0.97, "low": 0.03}
RISK_BY_BAND = (None, CHILD_RISK, TEEN_RISK, TEEN_RISK, TEEN_RISK, TEEN_RISK, ADULT_RISK,
                ADULT_RISK)  # fmt: skip


@dataclass
class YoungPeople:
    """The cases table under construction: one numpy array per column or attribute."""

    band: np.ndarray
    birth: np.ndarray
    age: np.ndarray
    team: np.ndarray
    uasc: np.ndarray
    language: np.ndarray
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    sibling_group: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=int))
    new_entrant: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=bool))

    def __len__(self) -> int:
        return len(self.band)

    @property
    def in_care(self) -> np.ndarray:
        return self.band <= LAG_BAND


def draw_young_people(
    rng: np.random.Generator, people: int, as_of: date, team_weights: np.ndarray
) -> YoungPeople:
    """Ages, locality teams, UASC and needs of ``people`` young people (no siblings yet)."""
    band = _draw_bands(rng, people)
    birth = np.zeros(people, dtype=int)
    for b, (youngest, oldest, _) in enumerate(BANDS):
        rows = np.flatnonzero(band == b)
        birth[rows] = draw_birth_dates(rng, as_of, youngest, oldest, len(rows))
    lag = np.flatnonzero(band == LAG_BAND)
    # Turned 18 in the last two months: the case-management record lags behind.
    birth[lag] = years_before(as_of, 18).toordinal() - rng.integers(0, 60, size=len(lag))
    team = rng.choice(len(team_weights), size=people, p=team_weights / team_weights.sum())
    young = YoungPeople(
        band=band,
        birth=birth,
        age=ages_at(birth, as_of),
        team=team,
        uasc=np.zeros(people, dtype=bool),
        language=np.full(people, "", dtype=object),
    )
    _draw_uasc(rng, young)
    _draw_legal_and_placement(rng, young)
    _draw_distance(rng, young)
    _draw_needs(rng, young)
    return young


def _draw_bands(rng: np.random.Generator, people: int) -> np.ndarray:
    in_care = round_half_up(IN_CARE_SHARE * people)
    lag = scaled(3, people, 1400, minimum=2)
    child_shares = [BANDS[b][2] for b in IN_CARE_BANDS]
    leaver_shares = [BANDS[b][2] for b in LEAVER_BANDS]
    children = np.asarray(IN_CARE_BANDS)[shuffled_labels(rng, in_care - lag, child_shares)]
    leavers = np.asarray(LEAVER_BANDS)[shuffled_labels(rng, people - in_care, leaver_shares)]
    return np.concatenate([children, np.full(lag, LAG_BAND), leavers]).astype(int)


def _draw_uasc(rng: np.random.Generator, young: YoungPeople) -> None:
    """UASC: mostly 16-17 (some 14-15) among children in care; 15% of care leavers."""
    children = int(np.isin(young.band, IN_CARE_BANDS).sum())
    count = round_half_up(UASC_IN_CARE_SHARE * children)
    older, younger = exact_counts(count, [0.75, 0.25])
    chosen = [
        pick(rng, np.flatnonzero(young.band == 3), older),
        pick(rng, np.flatnonzero((young.band == 2) & (young.age >= 14)), younger),
    ]
    leavers = np.flatnonzero(np.isin(young.band, LEAVER_BANDS))
    chosen.append(pick(rng, leavers, round_half_up(UASC_LEAVER_SHARE * len(leavers))))
    uasc = np.concatenate(chosen)
    young.uasc[uasc] = True
    speaks = uasc[chance(rng, UASC_LANGUAGE_SHARE, len(uasc))]
    young.language[speaks] = choose(rng, len(speaks), LANGUAGES)
    unmatched = np.setdiff1d(uasc[(young.band[uasc] >= 3)], speaks)
    rare = pick(rng, unmatched, scaled(3, len(young), 1400, minimum=2))
    young.language[rare] = UNAVAILABLE_LANGUAGE


def _by_band(
    rng: np.random.Generator, band: np.ndarray, table: dict[int, dict[str, float]]
) -> np.ndarray:
    out = np.full(len(band), "", dtype=object)
    for b, options in table.items():
        rows = np.flatnonzero(band == b)
        out[rows] = choose(rng, len(rows), options)
    return out


def _draw_legal_and_placement(rng: np.random.Generator, young: YoungPeople) -> None:
    legal = _by_band(rng, young.band, LEGAL_STATUS)
    placement = _by_band(rng, young.band, PLACEMENT)
    legal[young.uasc & young.in_care] = "section_20"
    for b, options in ((3, {"supported_accommodation": 0.7, "foster": 0.3}), (2, {"foster": 1.0})):
        rows = np.flatnonzero(young.uasc & (young.band == b))
        placement[rows] = choose(rng, len(rows), options)
    adoption = np.flatnonzero(legal == "placement_order")
    placement[adoption] = choose(rng, len(adoption), {"adoption": 0.45, "foster": 0.55})
    remand = np.flatnonzero(legal == "remand")
    placement[remand] = choose(rng, len(remand), {"custody": 0.7, "secure": 0.3})
    young.columns["legal_status"] = legal
    young.columns["placement_type"] = placement


def _draw_distance(rng: np.random.Generator, young: YoungPeople) -> None:
    """Kilometres from the authority: local (< 15), near (15-32) or far (> 32)."""
    placement = young.columns["placement_type"]
    size = len(young)
    away = chance(rng, np.array([OUT_OF_AREA[p] for p in placement]), size)
    far = away & chance(rng, FAR_SHARE_OF_OUT_OF_AREA, size)
    local = np.clip(rng.lognormal(np.log(4.0), 0.6, size), 0.3, 14.9)
    near = rng.uniform(15.0, 32.0, size)
    distant = np.clip(32.1 + rng.lognormal(np.log(40.0), 0.8, size), 32.1, 400.0)
    km = np.where(far, distant, np.where(away, near, local))
    young.columns["placement_distance_km"] = np.round(km, 1)


def _draw_needs(rng: np.random.Generator, young: YoungPeople) -> None:
    band, size = young.band, len(young)
    cols = young.columns
    missing = chance(rng, np.asarray(MISSING_CHANCE)[band], size)
    cols["missing_episodes_12m"] = np.where(missing, 1 + rng.negative_binomial(1, 0.35, size), 0)
    cols["placement_moves_12m"] = rng.poisson(np.asarray(MOVES_MEAN)[band])
    changes = choose(rng, size, {str(k): v for k, v in WORKER_CHANGES.items()})
    cols["worker_changes_12m"] = changes.astype(int)
    for name, shares in (
        ("disability", DISABILITY),
        ("health_needs", HEALTH_NEEDS),
        ("ehcp", EHCP),
        ("youth_justice", YOUTH_JUSTICE),
        ("neet", NEET),
        ("young_parent", YOUNG_PARENT),
    ):
        cols[name] = chance(rng, np.asarray(shares)[band], size)
    cols["ehcp"] &= young.age >= 2
    legal, placement = cols["legal_status"], cols["placement_type"]
    cols["youth_justice"] |= (legal == "remand") | (placement == "custody")
    proceedings = {"interim_care_order": 1.0, "placement_order": 0.10, "care_order": 0.02}
    p = np.array([proceedings.get(s, 0.0) for s in legal])
    cols["court_proceedings"] = chance(rng, p, size)
    risk = np.full(size, "none", dtype=object)
    for b, options in enumerate(RISK_BY_BAND):
        rows = np.flatnonzero(band == b)
        if options is not None:
            risk[rows] = choose(rng, len(rows), options)
    cols["exploitation_risk"] = risk
