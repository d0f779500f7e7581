"""A tiny authority and scenario files for the scenario tests."""

from __future__ import annotations

from pathlib import Path

from caseweight.demo import DEMO_AS_OF, write_authority

SEED = 424242


def tiny_authority(folder: Path) -> Path:
    """120 young people, 14 workers in 1 team, written to ``folder``; returns the folder."""
    write_authority(folder, people=120, workers=14, teams=1, seed=SEED, as_of=DEMO_AS_OF)
    return folder


def write_scenario(folder: Path, name: str, changes: str = "", extra: str = "") -> Path:
    """A scenario on the tiny authority with a 1 s time limit."""
    path = folder / f"{name}.yaml"
    body = (
        f"name: {name}\n"
        "base:\n"
        "  cases: data/cases.csv\n"
        "  workers: data/workers.csv\n"
        f"  as_of: {DEMO_AS_OF.isoformat()}\n"
        "seed: 3\n"
        "time_limit: 1\n"
        f"{extra}"
    )
    if changes:
        body += "changes:\n" + changes
    path.write_text(body, encoding="utf-8")
    return path
