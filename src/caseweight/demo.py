"""A seeded, fictional local authority to try caseweight on.

:func:`generate_authority` builds the two input tables of the data contract
(``cases`` and ``workers``) for a made-up authority calibrated on
``docs/domain.md``: about 60% children in care and 40% care leavers, 73%
social workers and 27% personal advisers in locality teams, and the mess of a
real month for the optimiser to fix (uneven loads, leavers still holding
cases, new starters with none, new entrants to care and care leavers without
a worker). The same seed and sizes always give byte-identical files.

The committed demo (``caseweight demo`` with the defaults) is shipped as
package data; :func:`demo_paths` finds it.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date, timedelta
from pathlib import Path

import click
import numpy as np
import pandas as pd

from caseweight.demo_allocate import NOBODY, allocate_current_workers
from caseweight.demo_draw import iso_dates
from caseweight.demo_family import draw_new_entrants, draw_sibling_groups
from caseweight.demo_people import YoungPeople, draw_young_people
from caseweight.demo_workers import (
    FIRST_NAMES,
    SURNAMES,
    Workforce,
    default_teams,
    draw_skills,
    draw_workforce,
    team_names,
)
from caseweight.io.tables import parse_date

DEMO_AS_OF: date = date(2026, 12, 1)
DEMO_SEED: int = 20261201
DEFAULT_PEOPLE = 1400
DEFAULT_WORKERS = 85
MIN_PEOPLE = 100
MIN_WORKERS = 12
WORKERS_PER_TEAM_AT_LEAST = 4
DEMO_DATA_DIR = Path(__file__).parent / "data" / "demo"

CASE_COLUMNS = (
    "person_id", "date_of_birth", "status", "current_social_worker", "current_personal_adviser",
    "team", "legal_status", "placement_type", "placement_distance_km", "placement_moves_12m",
    "missing_episodes_12m", "worker_changes_12m", "uasc", "disability", "health_needs", "ehcp",
    "youth_justice", "court_proceedings", "neet", "young_parent", "exploitation_risk",
    "sibling_group", "needs_skills",
)  # fmt: skip
WORKER_COLUMNS = (
    "worker_id", "role", "fte", "name", "grade", "team", "capacity_points", "max_cases",
    "skills", "accepting_new", "leaving_on",
)  # fmt: skip
FLAG_COLUMNS = (
    "uasc", "disability", "health_needs", "ehcp", "youth_justice", "court_proceedings", "neet",
    "young_parent",
)  # fmt: skip
NUMBER_COLUMNS = ("placement_moves_12m", "missing_episodes_12m", "worker_changes_12m")


def check_sizes(people: int, workers: int, teams: int | None) -> int:
    """Validate the requested sizes and return the number of teams.

    Raises
    ------
    ValueError
        When there are too few young people or workers, or too many teams for the workers.
    """
    if people < MIN_PEOPLE:
        raise ValueError(f"people must be at least {MIN_PEOPLE}, got {people}")
    if workers < MIN_WORKERS:
        raise ValueError(f"workers must be at least {MIN_WORKERS}, got {workers}")
    chosen = default_teams(workers) if teams is None else teams
    if chosen < 1 or workers < WORKERS_PER_TEAM_AT_LEAST * chosen:
        most = workers // WORKERS_PER_TEAM_AT_LEAST
        raise ValueError(f"teams must be between 1 and {most} for {workers} workers, got {chosen}")
    return chosen


def generate_authority(
    people: int = DEFAULT_PEOPLE,
    workers: int = DEFAULT_WORKERS,
    teams: int | None = None,
    seed: int = DEMO_SEED,
    as_of: date = DEMO_AS_OF,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Generate a fictional local authority.

    Parameters
    ----------
    people:
        Young people (children in care and care leavers), at least 100.
    workers:
        Social workers and personal advisers, at least 12.
    teams:
        Locality teams; ``None`` gives about one per 20 workers, at least 3.
    seed:
        Seed of the random generator: the same arguments give the same tables.
    as_of:
        The as-of date that ages, leaving dates and the data lag are built around.

    Returns
    -------
    tuple of pandas.DataFrame
        ``(cases, workers)``, every cell a string, in the data contract's columns
        (workers also have ``name``).

    Raises
    ------
    ValueError
        When the sizes are out of range (see :func:`check_sizes`).
    """
    n_teams = check_sizes(people, workers, teams)
    rng = np.random.default_rng(seed)
    workforce = draw_workforce(rng, workers, n_teams)
    young = draw_young_people(rng, people, as_of, workforce.team_fte(n_teams))
    split_groups = draw_sibling_groups(rng, young)
    draw_new_entrants(rng, young)
    draw_skills(rng, workforce, young)
    social_worker, adviser = allocate_current_workers(rng, young, workforce, split_groups, as_of)
    _set_case_limits(rng, workforce, social_worker, adviser)
    names = team_names(n_teams)
    worker_ids = _worker_ids(rng, workers)
    cases = _cases_frame(rng, young, names, worker_ids, social_worker, adviser)
    return cases, _workers_frame(rng, workforce, names, worker_ids, as_of)


def _set_case_limits(
    rng: np.random.Generator, workforce: Workforce, social_worker: np.ndarray, adviser: np.ndarray
) -> None:
    """Workers marked for a case limit get one at or a little above what they hold."""
    held = np.bincount(social_worker[social_worker != NOBODY], minlength=len(workforce))
    held += np.bincount(adviser[adviser != NOBODY], minlength=len(workforce))
    limited = np.flatnonzero(workforce.max_cases < 0)
    workforce.max_cases[limited] = np.maximum(1, held[limited] + rng.integers(0, 3, len(limited)))


def _worker_ids(rng: np.random.Generator, workers: int) -> np.ndarray:
    width = max(4, len(str(workers)))
    return np.array([f"W{n:0{width}d}" for n in rng.permutation(workers) + 1], dtype=object)


def _cases_frame(
    rng: np.random.Generator,
    young: YoungPeople,
    names: list[str],
    worker_ids: np.ndarray,
    social_worker: np.ndarray,
    adviser: np.ndarray,
) -> pd.DataFrame:
    cols = young.columns
    numbers = rng.choice(999_999, size=len(young), replace=False) + 1
    text: dict[str, object] = {
        "person_id": [f"YP{n:06d}" for n in numbers],
        "date_of_birth": iso_dates(young.birth),
        "status": np.where(young.in_care, "in_care", "care_leaver"),
        "current_social_worker": _ids(worker_ids, social_worker),
        "current_personal_adviser": _ids(worker_ids, adviser),
        "team": np.asarray(names, dtype=object)[young.team],
        "legal_status": np.where(young.in_care, cols["legal_status"], ""),
        "placement_type": cols["placement_type"],
        "placement_distance_km": [f"{km:.1f}" for km in cols["placement_distance_km"]],
        "uasc": _flags(young.uasc),
        "exploitation_risk": cols["exploitation_risk"],
        "sibling_group": [f"SG{g + 1:04d}" if g >= 0 else "" for g in young.sibling_group],
        "needs_skills": [
            ("uasc" + (f";language:{lang}" if lang else "")) if uasc else ""
            for uasc, lang in zip(young.uasc, young.language, strict=True)
        ],
    }
    text.update({name: [str(int(v)) for v in cols[name]] for name in NUMBER_COLUMNS})
    text.update({name: _flags(cols[name]) for name in FLAG_COLUMNS if name != "uasc"})
    frame = pd.DataFrame({name: text[name] for name in CASE_COLUMNS}, dtype=str)
    return frame.sort_values("person_id", kind="stable").reset_index(drop=True)


def _workers_frame(
    rng: np.random.Generator,
    workforce: Workforce,
    names: list[str],
    worker_ids: np.ndarray,
    as_of: date,
) -> pd.DataFrame:
    leaving = [""] * len(workforce)
    leavers = np.flatnonzero(workforce.kind == "leaver")
    # The first leaver goes on the as-of date itself, the others shortly before it.
    days_before = np.r_[0, rng.integers(1, 28, max(0, len(leavers) - 1))]
    for row, days in zip(leavers, days_before, strict=True):
        leaving[row] = (as_of - timedelta(days=int(days))).isoformat()
    for row in np.flatnonzero(workforce.kind == "future_leaver"):
        leaving[row] = (as_of + timedelta(days=int(rng.integers(14, 42)))).isoformat()
    text = {
        "worker_id": worker_ids,
        "role": workforce.role,
        "fte": [f"{f:.1f}" for f in workforce.fte],
        "name": _names(rng, len(workforce)),
        "grade": workforce.grade,
        "team": np.asarray(names, dtype=object)[workforce.team],
        "capacity_points": ["" if np.isnan(c) else f"{c:.0f}" for c in workforce.capacity_points],
        "max_cases": [str(m) if m > 0 else "" for m in workforce.max_cases],
        "skills": workforce.skills,
        "accepting_new": _flags(workforce.accepting_new),
        "leaving_on": leaving,
    }
    frame = pd.DataFrame({name: text[name] for name in WORKER_COLUMNS}, dtype=str)
    return frame.sort_values("worker_id", kind="stable").reset_index(drop=True)


def _ids(worker_ids: np.ndarray, index: np.ndarray) -> list[str]:
    return [str(worker_ids[i]) if i != NOBODY else "" for i in index]


def _flags(values: np.ndarray) -> list[str]:
    return ["true" if v else "false" for v in values]


def _names(rng: np.random.Generator, size: int) -> list[str]:
    """Fictional worker names, all different."""
    combos = len(FIRST_NAMES) * len(SURNAMES)
    picks = rng.permutation(combos)[: min(size, combos)]
    names = [f"{FIRST_NAMES[p // len(SURNAMES)]} {SURNAMES[p % len(SURNAMES)]}" for p in picks]
    return names + [f"Agency Worker {n + 1}" for n in range(size - len(names))]


def write_authority(
    out_dir: Path,
    people: int = DEFAULT_PEOPLE,
    workers: int = DEFAULT_WORKERS,
    teams: int | None = None,
    seed: int = DEMO_SEED,
    as_of: date = DEMO_AS_OF,
) -> tuple[Path, Path]:
    """Generate an authority and write ``cases.csv`` and ``workers.csv`` into ``out_dir``.

    Both files are written to temporary files in ``out_dir`` first and renamed
    into place only when both are complete.

    Returns
    -------
    tuple of pathlib.Path
        The paths of ``cases.csv`` and ``workers.csv``.
    """
    cases, workers_table = generate_authority(people, workers, teams, seed, as_of)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = (out_dir / "cases.csv", out_dir / "workers.csv")
    staged: list[str] = []
    mode = _file_mode()
    try:
        for frame in (cases, workers_table):
            handle, temp = tempfile.mkstemp(dir=out_dir, prefix=".demo-", suffix=".csv")
            staged.append(temp)
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                out.write(frame.to_csv(index=False, lineterminator="\n"))
            os.chmod(temp, mode)
        for temp, target in zip(staged, targets, strict=True):
            os.replace(temp, target)
    finally:
        for temp in staged:
            if os.path.exists(temp):
                os.unlink(temp)
    return targets


def _file_mode() -> int:
    """Read-write for the user, as the umask allows for others (mkstemp makes 0600)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def demo_paths() -> tuple[Path, Path]:
    """Paths of the committed demo authority's ``cases.csv`` and ``workers.csv`` (package data)."""
    return DEMO_DATA_DIR / "cases.csv", DEMO_DATA_DIR / "workers.csv"


def _as_of_option(_ctx: click.Context, _param: click.Parameter, value: str) -> date:
    parsed = parse_date(value)
    if parsed is None:
        raise click.BadParameter(f"expected a date YYYY-MM-DD or DD/MM/YYYY, got {value!r}")
    return parsed


@click.command("demo")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write cases.csv and workers.csv into (created if missing).",
)
@click.option(
    "--people",
    type=click.IntRange(min=MIN_PEOPLE),
    default=DEFAULT_PEOPLE,
    show_default=True,
    help="Young people: children in care and care leavers.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=MIN_WORKERS),
    default=DEFAULT_WORKERS,
    show_default=True,
    help="Social workers and personal advisers.",
)
@click.option(
    "--teams",
    type=click.IntRange(min=1),
    default=None,
    help="Locality teams [default: about one per 20 workers, at least 3].",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=DEMO_SEED,
    show_default=True,
    help="Random seed: the same seed and sizes give identical files.",
)
@click.option(
    "--as-of",
    "as_of",
    default=DEMO_AS_OF.isoformat(),
    show_default=True,
    metavar="YYYY-MM-DD",
    callback=_as_of_option,
    help="As-of date the ages and leaving dates are built around.",
)
def demo_command(
    out_dir: Path, people: int, workers: int, teams: int | None, seed: int, as_of: date
) -> None:
    """Write a fictional local authority (cases.csv, workers.csv) to try caseweight on.

    The authority is made up but calibrated on national statistics: about 60%
    children in care and 40% care leavers, 73% social workers and 27% personal
    advisers, and the mess of a real month (uneven loads, leavers still holding
    cases, new starters, young people without a worker). Person ids are
    pseudonyms such as YP004213; worker names are invented.

    Example:

    \b
        caseweight demo --out demo-authority
        caseweight demo --out big --people 20000 --workers 1200 --seed 7
        caseweight allocate --cases demo-authority/cases.csv \\
            --workers demo-authority/workers.csv --as-of 2026-12-01 --out proposal
    """
    try:
        cases_path, workers_path = write_authority(out_dir, people, workers, teams, seed, as_of)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"Wrote {people} young people to {cases_path}")
    click.echo(f"Wrote {workers} workers to {workers_path} (as of {as_of}, seed {seed})")


if __name__ == "__main__":
    demo_command()
