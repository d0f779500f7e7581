"""Sibling groups and new entrants to care in the demo authority.

About 30% of children in care under 16 are in sibling groups of 2-4 who share
a locality team; most are placed together (same placement type and
distance) and most have the same social worker, some are split. New entrants
arrived in care in the last weeks and have no social worker yet.
"""

from __future__ import annotations

import numpy as np

from caseweight.demo_draw import choose, pick, scaled
from caseweight.demo_people import IN_CARE_BANDS, YoungPeople

SIBLING_SHARE = 0.30
GROUP_SIZES = {"2": 0.60, "3": 0.30, "4": 0.10}
PLACED_TOGETHER_SHARE = 0.70
# Share of sibling groups whose members have different social workers.
SPLIT_GROUP_SHARE = 0.15
MIN_SIBLING_GAP_DAYS = 300
MAX_SIBLING_SPREAD_DAYS = 8 * 365
SIBLING_SAMPLE = 32
NEW_ENTRANTS_PER_1400 = 25
NEW_ENTRANT_BAND_WEIGHT = (1.6, 0.8, 1.0, 1.2)
SHARED_LEGAL = ("care_order", "interim_care_order", "section_20")
SHARED_PLACEMENT = ("foster", "kinship", "placed_with_parents")


def draw_sibling_groups(rng: np.random.Generator, young: YoungPeople) -> np.ndarray:
    """Group children in care under 16 into sibling groups; return whether each group is split.

    Sets ``young.sibling_group`` (group number per young person, -1 for none)
    and aligns the team, and for groups placed together the placement and legal
    status, of each group.
    """
    under_16 = np.isin(young.band, (0, 1, 2))
    candidates = np.flatnonzero(under_16 & ~young.uasc)
    target = round(SIBLING_SHARE * int(under_16.sum()))
    young.sibling_group = np.full(len(young), -1, dtype=int)
    births = young.birth[candidates]
    free = np.ones(len(candidates), dtype=bool)
    sizes = choose(rng, len(candidates), GROUP_SIZES).astype(int)
    members = groups = 0
    for anchor in rng.permutation(len(candidates)):
        if members >= target:
            break
        if not free[anchor]:
            continue
        chosen = _siblings_of(rng, int(anchor), births, free, int(sizes[anchor]))
        if len(chosen) < 2:
            continue
        young.sibling_group[candidates[chosen]] = groups
        groups += 1
        members += len(chosen)
    split = rng.random(groups) < SPLIT_GROUP_SHARE
    _align_groups(rng, young, groups)
    return split


def _siblings_of(
    rng: np.random.Generator, anchor: int, births: np.ndarray, free: np.ndarray, size: int
) -> list[int]:
    """The anchor and up to ``size - 1`` free children of plausible sibling ages.

    Candidates are sampled from those born within the spread of the anchor, so
    the cost per group does not grow with the authority.
    """
    chosen = [anchor]
    free[anchor] = False
    near = np.flatnonzero(np.abs(births - births[anchor]) <= MAX_SIBLING_SPREAD_DAYS)
    for _ in range(size - 1):
        sample = near[rng.integers(0, len(near), size=SIBLING_SAMPLE)]
        gaps = np.abs(births[sample][:, None] - births[chosen][None, :])
        fits = free[sample] & (gaps.min(axis=1) >= MIN_SIBLING_GAP_DAYS)
        fits &= gaps.max(axis=1) <= MAX_SIBLING_SPREAD_DAYS
        options = sample[fits]
        if len(options) == 0:
            break
        chosen.append(int(options[0]))
        free[chosen[-1]] = False
    if len(chosen) < 2:
        free[anchor] = True
    return chosen


def _align_groups(rng: np.random.Generator, young: YoungPeople, groups: int) -> None:
    """Siblings share the youngest's team; those placed together share the placement."""
    if groups == 0:
        return
    rows = np.flatnonzero(young.sibling_group >= 0)
    rows = rows[np.lexsort((-young.birth[rows], young.sibling_group[rows]))]
    gid = young.sibling_group[rows]
    first = np.r_[True, gid[1:] != gid[:-1]]
    youngest = rows[first][np.searchsorted(gid[first], gid)]
    young.team[rows] = young.team[youngest]
    together = (rng.random(groups) < PLACED_TOGETHER_SHARE)[gid]
    cols = young.columns
    placement = cols["placement_type"][youngest]
    placement = np.where(np.isin(placement, SHARED_PLACEMENT), placement, "foster")
    cols["placement_type"][rows[together]] = placement[together]
    cols["placement_distance_km"][rows[together]] = cols["placement_distance_km"][
        youngest[together]
    ]
    legal = cols["legal_status"][youngest]
    same_order = together & np.isin(legal, SHARED_LEGAL)
    for name in ("legal_status", "court_proceedings"):
        cols[name][rows[same_order]] = cols[name][youngest[same_order]]


def draw_new_entrants(rng: np.random.Generator, young: YoungPeople) -> None:
    """Mark about 25 per 1,400 young people as just arrived in care, with no worker yet."""
    young.new_entrant = np.zeros(len(young), dtype=bool)
    candidates = np.flatnonzero(np.isin(young.band, IN_CARE_BANDS) & (young.sibling_group < 0))
    weights = np.asarray(NEW_ENTRANT_BAND_WEIGHT)[young.band[candidates]]
    count = scaled(NEW_ENTRANTS_PER_1400, len(young), 1400)
    chosen = pick(rng, candidates, count, weights)
    young.new_entrant[chosen] = True
    cols = young.columns
    order = chosen[~young.uasc[chosen]]
    cols["legal_status"][order] = choose(
        rng, len(order), {"interim_care_order": 0.45, "section_20": 0.45, "care_order": 0.10}
    )
    cols["court_proceedings"][chosen] = cols["legal_status"][chosen] == "interim_care_order"
    adoption = chosen[cols["placement_type"][chosen] == "adoption"]
    cols["placement_type"][adoption] = "foster"
    cols["worker_changes_12m"][chosen] = 0
    cols["placement_moves_12m"][chosen] = np.minimum(cols["placement_moves_12m"][chosen], 1)
