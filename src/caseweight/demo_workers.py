"""The workforce of the demo authority: roles, teams, hours, grades, skills and churn.

About 73% social workers and 27% personal advisers, spread over locality
teams so that every team has both roles. The churn of a real month is built
in: leavers who still hold full caseloads, new starters with none, a few
workers with a case limit, a capacity override or closed to new cases.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from caseweight.demo_draw import exact_counts, pick, round_half_up, scaled, shuffled_labels
from caseweight.demo_people import LANGUAGES, LEAVER_BANDS, YoungPeople

LOCALITIES = ("north", "south", "east", "west", "central")
WORKERS_PER_TEAM = 20
PA_SHARE = 0.30
PART_TIME_SHARE = 0.20
PART_TIME_FTE = (0.5, 0.6, 0.7, 0.8, 0.9)
ASYE_SHARE = 0.10
SENIOR_SHARE = 0.15
POINTS_PER_FTE = 85.0
# Load factor of a worker's current caseload against a fair share: the mess
# the optimiser must fix. (share of regular workers, lowest, highest)
LOAD_MESS = ((0.18, 1.25, 1.38), (0.18, 0.55, 0.68), (0.64, 0.88, 1.08))
ASYE_LOAD = 0.8
# Cases one skilled worker is expected to hold, to size the skilled workforce.
SKILL_CASES = {"social_worker": (10, 12), "personal_adviser": (16, 20)}
FIRST_NAMES = (
    "Amara", "Ben", "Chloe", "Dev", "Ellie", "Femi", "Grace", "Hamza", "Isla", "Jack", "Kemi",
    "Leah", "Marcus", "Nadia", "Owen", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Vikram",
    "Wendy", "Yusuf", "Zara", "Aled", "Bethan", "Callum", "Dylan", "Eilidh", "Farah", "Gareth",
    "Hannah", "Imran", "Joanne", "Kieran", "Lucy", "Mohammed", "Niamh", "Oliver", "Parveen",
    "Rhys", "Siobhan", "Tom", "Vicky", "Will", "Yasmin", "Adele", "Bilal", "Carys", "Declan",
    "Esther", "Fraser", "Gemma", "Harriet", "Ivan", "Jasmine",
)  # fmt: skip
SURNAMES = (
    "Adeyemi", "Bennett", "Chowdhury", "Davies", "Evans", "Fletcher", "Green", "Hussain", "Iqbal",
    "Jones", "Kaur", "Lewis", "Morgan", "Nowak", "Okafor", "Patel", "Quinn", "Roberts", "Singh",
    "Thomas", "Underwood", "Vaughan", "Walsh", "Yilmaz", "Zielinski", "Ahmed", "Baker", "Clarke",
    "Dixon", "Edwards", "Foster", "Gill", "Hughes", "Jenkins", "Khan", "Lloyd", "Mensah", "Nolan",
    "Owusu", "Price", "Rahman", "Shaw", "Taylor", "Turner", "Webb", "Wright", "Young", "Barnes",
    "Cole",
)  # fmt: skip


@dataclass
class Workforce:
    """The workers table under construction, one numpy array per column or attribute.

    ``kind`` is ``regular``, ``leaver`` (leaving on or before the as-of date),
    ``future_leaver`` or ``new_starter``; ``load`` is the share of a fair
    caseload the worker holds today.
    """

    role: np.ndarray
    team: np.ndarray
    fte: np.ndarray
    grade: np.ndarray
    kind: np.ndarray
    accepting_new: np.ndarray
    capacity_points: np.ndarray
    max_cases: np.ndarray
    skills: np.ndarray
    load: np.ndarray

    def __len__(self) -> int:
        return len(self.role)

    def team_fte(self, teams: int) -> np.ndarray:
        """Full-time equivalents in each team."""
        return np.bincount(self.team, weights=self.fte, minlength=teams)

    def holds_cases(self) -> np.ndarray:
        """Workers who hold a caseload today (everybody but new starters)."""
        return self.kind != "new_starter"


def team_names(teams: int) -> list[str]:
    """Locality names: north, south, east, west, central, then team_06, team_07..."""
    return [LOCALITIES[t] if t < len(LOCALITIES) else f"team_{t + 1:02d}" for t in range(teams)]


def default_teams(workers: int) -> int:
    """About one team per 20 workers, at least 3."""
    return max(3, round_half_up(workers / WORKERS_PER_TEAM))


def role_counts(workers: int, teams: int) -> tuple[int, int]:
    """(social workers, personal advisers); every team gets at least one of each."""
    advisers = max(teams, round_half_up(PA_SHARE * workers))
    return workers - advisers, advisers


def draw_workforce(rng: np.random.Generator, workers: int, teams: int) -> Workforce:
    """Roles, teams, hours, grades and churn of ``workers`` workers (skills come later)."""
    social_workers, advisers = role_counts(workers, teams)
    role = np.array(
        ["social_worker"] * social_workers + ["personal_adviser"] * advisers, dtype=object
    )
    team = np.concatenate(
        [rng.permutation(np.arange(n) % teams) for n in (social_workers, advisers)]
    )
    part_time = shuffled_labels(rng, workers, [1 - PART_TIME_SHARE, PART_TIME_SHARE]) == 1
    fte = np.where(part_time, rng.choice(PART_TIME_FTE, size=workers), 1.0)
    workforce = Workforce(
        role=role,
        team=team,
        fte=fte,
        grade=np.where(role == "social_worker", "social_worker", "personal_adviser").astype(object),
        kind=np.full(workers, "regular", dtype=object),
        accepting_new=np.ones(workers, dtype=bool),
        capacity_points=np.full(workers, np.nan),
        max_cases=np.zeros(workers, dtype=int),
        skills=np.full(workers, "", dtype=object),
        load=np.ones(workers),
    )
    _draw_churn(rng, workforce)
    _draw_grades(rng, workforce)
    _draw_limits(rng, workforce)
    _draw_load_mess(rng, workforce)
    return workforce


def _regular(workforce: Workforce, role: str | None = None) -> np.ndarray:
    mask = workforce.kind == "regular"
    if role is not None:
        mask &= workforce.role == role
    return np.flatnonzero(mask)


def _draw_churn(rng: np.random.Generator, workforce: Workforce) -> None:
    """New starters (half of them ASYE), leavers and one leaving soon."""
    size = len(workforce)
    starters = scaled(4, size, 85, minimum=2)
    asye, adviser = max(1, starters // 2), max(1, round_half_up(PA_SHARE * starters))
    leavers = scaled(3, size, 85)
    leaving_advisers = round_half_up(PA_SHARE * leavers)
    plan = (
        ("new_starter", "social_worker", starters - adviser),
        ("new_starter", "personal_adviser", adviser),
        ("leaver", "social_worker", leavers - leaving_advisers),
        ("leaver", "personal_adviser", leaving_advisers),
        ("future_leaver", "social_worker", scaled(1, size, 85)),
    )
    for kind, role, count in plan:
        workforce.kind[pick(rng, _regular(workforce, role), count)] = kind
    new_sw = np.flatnonzero((workforce.kind == "new_starter") & (workforce.role == "social_worker"))
    workforce.grade[new_sw[:asye]] = "asye"
    workforce.fte[new_sw[:asye]] = 1.0


def _draw_grades(rng: np.random.Generator, workforce: Workforce) -> None:
    """ASYE about 10% and senior practitioners about 15% of social workers."""
    social_workers = int((workforce.role == "social_worker").sum())
    asye = round_half_up(ASYE_SHARE * social_workers) - int((workforce.grade == "asye").sum())
    senior = round_half_up(SENIOR_SHARE * social_workers)
    chosen = pick(rng, _regular(workforce, "social_worker"), asye + senior)
    chosen = rng.permutation(chosen)
    workforce.grade[chosen[:asye]] = "asye"
    workforce.grade[chosen[asye:]] = "senior_practitioner"


def _draw_limits(rng: np.random.Generator, workforce: Workforce) -> None:
    """A few case limits, one or two capacity overrides, a couple closed to new cases."""
    size = len(workforce)
    closed, override, limited = scaled(2, size, 85), scaled(2, size, 85), scaled(4, size, 85)
    chosen = rng.permutation(pick(rng, _regular(workforce), closed + override + limited))
    workforce.accepting_new[chosen[:closed]] = False
    overridden = chosen[closed : closed + override]
    # A phased return or extra duties: a fixed number of points, below the norm.
    reduced = POINTS_PER_FTE * workforce.fte[overridden] * rng.uniform(0.55, 0.8, len(overridden))
    workforce.capacity_points[overridden] = np.round(reduced)
    workforce.max_cases[chosen[closed + override :]] = -1  # set from the caseload later


def _draw_load_mess(rng: np.random.Generator, workforce: Workforce) -> None:
    """Uneven loads among regular workers; leavers hold full caseloads."""
    regular = rng.permutation(_regular(workforce))
    counts = exact_counts(len(regular), [share for share, _, _ in LOAD_MESS])
    start = 0
    for (_, low, high), count in zip(LOAD_MESS, counts, strict=True):
        rows = regular[start : start + count]
        workforce.load[rows] = rng.uniform(low, high, count)
        start += count
    leaving = np.flatnonzero(np.isin(workforce.kind, ("leaver", "future_leaver")))
    workforce.load[leaving] = rng.uniform(1.0, 1.1, len(leaving))
    workforce.load[workforce.kind == "new_starter"] = 0.0


def holding_weight(workforce: Workforce) -> np.ndarray:
    """How large a caseload each worker holds today, relative to the others."""
    weight = workforce.fte * np.where(workforce.grade == "asye", ASYE_LOAD, 1.0)
    override = ~np.isnan(workforce.capacity_points)
    weight[override] = workforce.capacity_points[override] / POINTS_PER_FTE
    return weight * workforce.load


def draw_skills(rng: np.random.Generator, workforce: Workforce, young: YoungPeople) -> None:
    """Give enough workers of each role ``uasc`` and a language for the young people needing them.

    The unavailable language is never given, so some young people need a skill
    nobody has.
    """
    needs_sw = young.in_care & (young.age < 18)
    needs_pa = np.isin(young.band, LEAVER_BANDS) | (young.in_care & (young.age >= 16))
    eligible = (workforce.kind != "leaver") & (workforce.kind != "future_leaver")
    eligible &= workforce.accepting_new
    for role, needs in (("social_worker", needs_sw), ("personal_adviser", needs_pa)):
        per_language, per_uasc = SKILL_CASES[role]
        pool = list(rng.permutation(np.flatnonzero(eligible & (workforce.role == role))))
        skilled = 0
        for language in LANGUAGES:
            demand = int((needs & (young.language == language)).sum())
            for _ in range(math.ceil(demand / per_language)):
                if pool:
                    workforce.skills[pool.pop()] = f"uasc;language:{language}"
                    skilled += 1
        demand = int((needs & young.uasc).sum())
        for _ in range(max(0, math.ceil(demand / per_uasc) - skilled) + 1):
            if pool:
                workforce.skills[pool.pop()] = "uasc"
