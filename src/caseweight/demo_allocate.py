"""Today's allocations in the demo authority: who currently holds whom.

The allocation is deliberately imperfect, the way a real month leaves it:
loads follow each worker's ``load`` factor (some about 130% of a fair share,
some about 60%); leavers still hold full caseloads; new starters hold none;
new entrants to care have no social worker; about 10 per 1,400 care leavers
have no personal adviser; most children in care under 17½ have no personal
adviser yet, most over 17½ have one. One worker in ten holds a young person
from another locality, and some UASC are held by workers without the skill.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from caseweight.demo_draw import chance, pick, scaled, years_before
from caseweight.demo_people import LAG_BAND, LEAVER_BANDS, YoungPeople
from caseweight.demo_workers import Workforce, holding_weight

SAME_TEAM_SHARE = 0.90
SKILL_MATCH_SHARE = 0.85
ADVISER_BEFORE_17_HALF = 0.15
ADVISER_AFTER_17_HALF = 0.85
LEAVERS_WITHOUT_ADVISER_PER_1400 = 10
NOBODY = -1


def allocate_current_workers(
    rng: np.random.Generator,
    young: YoungPeople,
    workforce: Workforce,
    split_groups: np.ndarray,
    as_of: date,
) -> tuple[np.ndarray, np.ndarray]:
    """Current social worker and personal adviser (worker index, -1 for none) of each young person.

    Sibling groups that are not split share one social worker.
    """
    needs_social_worker = np.flatnonzero(young.in_care & ~young.new_entrant)
    together = (young.sibling_group >= 0) & ~split_groups[np.maximum(young.sibling_group, 0)]
    units = _units(needs_social_worker, young.sibling_group, together)
    social_worker = _assign(rng, young, workforce, "social_worker", units)
    has_adviser = np.flatnonzero(_has_adviser(rng, young, as_of))
    units = [np.array([person]) for person in has_adviser]
    adviser = _assign(rng, young, workforce, "personal_adviser", units)
    return social_worker, adviser


def _units(people: np.ndarray, group: np.ndarray, together: np.ndarray) -> list[np.ndarray]:
    """One unit per sibling group placed with one worker, otherwise one per young person."""
    alone = people[~together[people]]
    units = [np.array([person]) for person in alone]
    grouped = people[together[people]]
    for g in np.unique(group[grouped]):
        units.append(grouped[group[grouped] == g])
    return units


def _has_adviser(rng: np.random.Generator, young: YoungPeople, as_of: date) -> np.ndarray:
    """Care leavers (but a few), the just-18s, and some 16-17s in care (most over 17½)."""
    leavers = np.isin(young.band, LEAVER_BANDS)
    has = leavers.copy()
    without = scaled(LEAVERS_WITHOUT_ADVISER_PER_1400, len(young), 1400)
    has[pick(rng, np.flatnonzero(leavers), without)] = False
    has |= young.band == LAG_BAND
    seventeen_and_a_half = years_before(as_of, 17).toordinal() - 182
    older = young.birth <= seventeen_and_a_half
    p = np.where(older, ADVISER_AFTER_17_HALF, ADVISER_BEFORE_17_HALF)
    eligible = young.in_care & (young.age >= 16) & (young.age < 18) & ~young.new_entrant
    return has | (eligible & chance(rng, p, len(young)))


def _assign(
    rng: np.random.Generator,
    young: YoungPeople,
    workforce: Workforce,
    role: str,
    units: list[np.ndarray],
) -> np.ndarray:
    """Give each unit to the worker of ``role`` furthest below their target caseload."""
    holders = np.flatnonzero((workforce.role == role) & workforce.holds_cases())
    weight = holding_weight(workforce)[holders]
    target = sum(len(u) for u in units) * weight / weight.sum()
    remaining = target.copy()
    pools = _Pools(workforce, holders)
    teams = int(workforce.team.max()) + 1
    order = _unit_order(rng, young, units)
    same_team = rng.random(len(units)) < SAME_TEAM_SHARE
    other_team = rng.integers(1, max(teams, 2), size=len(units))
    match_skill = rng.random(len(units)) < SKILL_MATCH_SHARE
    worker = np.full(len(young), NOBODY, dtype=int)
    for u in order:
        unit = units[u]
        team = int(young.team[unit[0]])
        if not same_team[u] and teams > 1:
            team = (team + int(other_team[u])) % teams
        options = pools.team[team] if len(pools.team[team]) else pools.everyone
        if young.uasc[unit[0]] and match_skill[u]:
            options = pools.skilled(options, str(young.language[unit[0]]))
        best = options[np.argmax(remaining[options] / target[options])]
        worker[unit] = holders[best]
        remaining[best] -= len(unit)
    return worker


def _unit_order(
    rng: np.random.Generator, young: YoungPeople, units: list[np.ndarray]
) -> np.ndarray:
    """Units needing a language first, then other UASC, then the rest, each in random order."""
    firsts = np.array([u[0] for u in units], dtype=int)
    rank = np.where(young.language[firsts] != "", 0, np.where(young.uasc[firsts], 1, 2))
    return np.lexsort((rng.random(len(units)), rank))


class _Pools:
    """Indexes (into ``holders``) of workers by team and by skill."""

    def __init__(self, workforce: Workforce, holders: np.ndarray) -> None:
        team = workforce.team[holders]
        self.everyone = np.arange(len(holders))
        self.team = [np.flatnonzero(team == t) for t in range(int(workforce.team.max()) + 1)]
        skills = workforce.skills[holders]
        self.uasc = np.array(["uasc" in s.split(";") for s in skills], dtype=bool)
        self.language = np.array(
            [s.split("language:")[1] if "language:" in s else "" for s in skills], dtype=object
        )

    def skilled(self, options: np.ndarray, language: str) -> np.ndarray:
        """The best-matching workers: language in team, language anywhere, UASC in team..."""
        speaks = self.language == language if language else np.zeros(len(self.uasc), bool)
        everyone = self.everyone
        for candidates in (
            options[speaks[options]],
            everyone[speaks],
            options[self.uasc[options]],
            everyone[self.uasc],
        ):
            if len(candidates):
                return candidates
        return options
