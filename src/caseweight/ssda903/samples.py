"""Write a synthetic SSDA903 set to disk, and make a contract cases table to start from.

``random_cases`` is a small, seeded stand-in for the demo authority: it makes
a plausible cases table (ages, statuses, legal statuses and placements in
roughly national proportions) so that a return of any size can be generated
for tests and benchmarks. Prefer ``caseweight.demo.generate_authority`` where
it is installed; ``cases_for`` picks it when it can.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from caseweight.ssda903.synthetic import TABLE_COLUMNS, SyntheticReturn

LEGAL = (
    ("care_order", 0.72),
    ("interim_care_order", 0.06),
    ("section_20", 0.17),
    ("placement_order", 0.04),
    ("remand", 0.01),
)
PLACEMENT = (
    ("foster", 0.53),
    ("kinship", 0.16),
    ("residential", 0.12),
    ("supported_accommodation", 0.09),
    ("placed_with_parents", 0.06),
    ("adoption", 0.02),
    ("secure", 0.01),
    ("other", 0.01),
)
LEAVER_PLACEMENT = (
    ("independent_living", 0.45),
    ("supported_accommodation", 0.25),
    ("staying_put", 0.15),
    ("other", 0.1),
    ("custody", 0.05),
)


def _choice(
    rng: np.random.Generator, table: tuple[tuple[str, float], ...], size: int
) -> np.ndarray:
    values = [v for v, _ in table]
    weights = np.array([w for _, w in table])
    return rng.choice(values, size=size, p=weights / weights.sum())


def random_cases(people: int, as_of: date, seed: int = 0) -> pd.DataFrame:
    """A seeded contract cases table: about 2/3 in care (0-17), 1/3 care leavers (16-21)."""
    rng = np.random.default_rng(seed)
    leaver = rng.random(people) < 1 / 3
    age_days = np.where(
        leaver,
        rng.integers(16 * 365 + 30, 21 * 365, people),
        rng.integers(30, 18 * 365 - 30, people),
    )
    dob = [as_of - timedelta(days=int(d)) for d in age_days]
    frame = pd.DataFrame(
        {
            "person_id": [f"YP{i + 1:05d}" for i in range(people)],
            "date_of_birth": [d.isoformat() for d in dob],
            "status": np.where(leaver, "care_leaver", "in_care"),
            "current_social_worker": np.where(
                leaver, "", [f"SW{int(w):03d}" for w in rng.integers(1, people // 14 + 2, people)]
            ),
            "current_personal_adviser": "",
            "legal_status": np.where(leaver, "", _choice(rng, LEGAL, people)),
            "placement_type": np.where(
                leaver, _choice(rng, LEAVER_PLACEMENT, people), _choice(rng, PLACEMENT, people)
            ),
            "placement_distance_km": np.where(
                rng.random(people) < 0.8, np.round(rng.gamma(1.5, 12, people), 1).astype(str), ""
            ),
            "placement_moves_12m": rng.poisson(0.4, people).astype(str),
            "missing_episodes_12m": np.where(
                rng.random(people) < 0.1, rng.poisson(2, people), 0
            ).astype(str),
            "worker_changes_12m": rng.poisson(0.5, people).astype(str),
            "uasc": np.where(rng.random(people) < 0.08, "true", "false"),
            "disability": np.where(rng.random(people) < 0.1, "true", "false"),
            "neet": np.where(leaver & (rng.random(people) < 0.38), "true", "false"),
            "young_parent": np.where(
                (age_days > 16 * 365) & (rng.random(people) < 0.05), "true", "false"
            ),
        }
    )
    pa_age = age_days >= 17 * 365
    frame.loc[pa_age | leaver, "current_personal_adviser"] = [
        f"PA{int(w):03d}" for w in rng.integers(1, people // 25 + 2, int((pa_age | leaver).sum()))
    ]
    frame.loc[leaver, "placement_distance_km"] = ""
    return frame


def cases_for(people: int, as_of: date, seed: int = 0) -> pd.DataFrame:
    """The demo authority's cases when ``caseweight.demo`` exists, else ``random_cases``."""
    try:
        from caseweight.demo import generate_authority
    except ImportError:
        return random_cases(people, as_of, seed)
    workers = max(10, people * 85 // 1400)  # the demo authority's ratio of workers to people
    cases, _workers = generate_authority(people=people, workers=workers, seed=seed, as_of=as_of)
    return cases


def write_return(ret: SyntheticReturn, folder: str | Path, *, workbook: bool = False) -> Path:
    """Write the tables (CSV files, or one ``ssda903.xlsx``), ``allocations.csv`` and ``postcodes.csv``.

    Files are written to a temporary folder beside ``folder`` and moved in at
    the end, so an interrupted run leaves nothing half-written.
    """  # noqa: E501
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        if workbook:
            with pd.ExcelWriter(staging / "ssda903.xlsx", engine="openpyxl") as writer:
                for name in TABLE_COLUMNS:
                    ret.frame(name).to_excel(writer, sheet_name=name, index=False)
        else:
            for name in TABLE_COLUMNS:
                ret.frame(name).to_csv(staging / f"{name}.csv", index=False)
        pd.DataFrame(ret.allocations, columns=["person_id", "role", "worker_id"]).to_csv(
            staging / "allocations.csv", index=False
        )
        pd.DataFrame(ret.postcodes, columns=["postcode", "latitude", "longitude"]).to_csv(
            staging / "postcodes.csv", index=False
        )
        folder.mkdir(exist_ok=True)
        for item in sorted(staging.iterdir()):
            os.replace(item, folder / item.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def roughen(ret: SyntheticReturn, seed: int = 0) -> SyntheticReturn:
    """The same return as real extracts often look: ISO dates mixed in, codes in lower case
    with trailing spaces, blank rows and an extra column. Importing it must give the same cases.
    """
    rng = np.random.default_rng(seed)
    rough = SyntheticReturn(
        tables={}, allocations=ret.allocations, postcodes=ret.postcodes, expected=ret.expected
    )
    for name, rows in ret.tables.items():
        out: list[dict[str, str]] = []
        for row in rows:
            changed = {k: _roughen_cell(k, v, rng) for k, v in row.items()}
            changed["LOCAL_NOTE"] = "x"
            out.append(changed)
            if rng.random() < 0.02:
                out.append(dict.fromkeys(changed, ""))
        rough.tables[name] = out
    return rough


def _roughen_cell(column: str, value: str, rng: np.random.Generator) -> str:
    if value and value[2:3] == "/" and rng.random() < 0.3:  # DD/MM/YYYY -> YYYY-MM-DD
        return f"{value[6:10]}-{value[3:5]}-{value[0:2]}"
    if column in {"LS", "PLACE", "RNE", "CIN", "REC", "ACTIV", "ACCOM", "IN_TOUCH", "MISSING"}:
        return value.lower() + " " if rng.random() < 0.3 else value
    return value
