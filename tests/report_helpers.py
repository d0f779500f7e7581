"""Shared helpers for the report tests: a small authority with hostile names, run for real."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from click.testing import CliRunner

FIXTURE = Path(__file__).parent / "data" / "proposal_small"
AS_OF = date(2026, 4, 1)
HOSTILE_WORKERS = {
    "SW2": "<script>alert(1)</script>",
    "SW3": '=HYPERLINK("http://example.invalid","x")',
    "PA1": "+Dana Mills",
    "PA2": "@Eve Stone",
    "PA3": "-Chidi Obi",
}
#: ids a spreadsheet would run (=, @) are refused at input; numbers and markup are not
HOSTILE_PEOPLE = ("<b>YP3</b>", "YP'4\"", "+447700", "-42")


def write_small_authority(folder: Path, seed: int = 7, people: int = 48) -> tuple[Path, Path]:
    """Write cases.csv and workers.csv for a small authority (seeded), hostile names included."""
    rng = np.random.default_rng(seed)
    workers = [
        ("SW1", "social_worker", 1.0, "Amira Khan", "North", ""),
        ("SW2", "social_worker", 1.0, HOSTILE_WORKERS["SW2"], "North", "2026-03-31"),
        ("SW3", "social_worker", 0.8, HOSTILE_WORKERS["SW3"], "North", ""),
        ("SW4", "social_worker", 1.0, "Beth O'Neil & Co", "South", ""),
        ("SW5", "social_worker", 1.0, "", "South", ""),
        ("PA1", "personal_adviser", 1.0, HOSTILE_WORKERS["PA1"], "Leaving Care", ""),
        ("PA2", "personal_adviser", 1.0, HOSTILE_WORKERS["PA2"], "Leaving Care", ""),
        ("PA3", "personal_adviser", 0.6, HOSTILE_WORKERS["PA3"], "Leaving Care", ""),
    ]
    workers_path = folder / "workers.csv"
    with workers_path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["worker_id", "role", "fte", "name", "team", "leaving_on"])
        out.writerows(workers)
    cases_path = folder / "cases.csv"
    with cases_path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "person_id",
                "date_of_birth",
                "status",
                "current_social_worker",
                "current_personal_adviser",
                "team",
                "placement_moves_12m",
                "missing_episodes_12m",
                "exploitation_risk",
                "uasc",
            ]
        )
        for i in range(people):
            out.writerow(_young_person(rng, i))
    return cases_path, workers_path


def _young_person(rng: np.random.Generator, i: int) -> list[object]:
    person_id = HOSTILE_PEOPLE[i - 3] if 3 <= i < 3 + len(HOSTILE_PEOPLE) else f"YP{i:03d}"
    leaver = i % 3 == 0
    if i in (1, 2, 5, 7, 8):  # in care, 16-17: the transition panel has someone to show
        age_days = int(rng.integers(16 * 365 + 30, 18 * 365 - 20))
    elif leaver:
        age_days = int(rng.integers(18 * 365 + 10, 21 * 365))
    else:
        age_days = int(rng.integers(200, 16 * 365))
    social_worker = "" if leaver or i % 11 == 0 else str(rng.choice(["SW1", "SW2", "SW3", "SW4"]))
    adviser = str(rng.choice(["PA1", "PA2", "PA3"])) if leaver or i in (7, 8) else ""
    team = "Leaving Care" if leaver else ("North" if social_worker < "SW4" else "South")
    return [
        person_id,
        (AS_OF - timedelta(days=age_days)).isoformat(),
        "care_leaver" if leaver else "in_care",
        social_worker,
        adviser,
        team,
        int(rng.integers(0, 3)),
        int(rng.integers(0, 4)),
        str(rng.choice(["none", "low", "medium", "high"])),
        "true" if rng.random() < 0.1 else "false",
    ]


def allocate_small_authority(folder: Path, report: bool = True) -> Path:
    """Run the real ``caseweight allocate`` on the small authority; return the proposal folder."""
    from caseweight.cli import main

    cases, workers = write_small_authority(folder)
    out = folder / "proposal"
    args = [
        "allocate",
        "--cases",
        str(cases),
        "--workers",
        str(workers),
        "--as-of",
        AS_OF.isoformat(),
        "--out",
        str(out),
        "--time-limit",
        "3",
        "--quiet",
    ]
    if not report:
        args.append("--no-report")
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out
