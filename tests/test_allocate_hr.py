"""`caseweight allocate --hr`: the HR feed changes capacity in the proposal."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner

from authority import AS_OF_TEXT, Authority
from caseweight.cli import main
from conftest import RULES_WEIGHTS


def _allocate(tmp_path: Path, *extra: str) -> dict[str, dict[str, str]]:
    authority = Authority().worker("S1", capacity_points=20).worker("S2", capacity_points=20)
    authority.person("A", sw="S1").person("B", sw="S2")
    cases, workers = authority.write(tmp_path / "in")
    out = tmp_path / ("out" + str(len(extra)))
    args = ["allocate", "--cases", str(cases), "--workers", str(workers), "--as-of", AS_OF_TEXT]
    args += ["--out", str(out), "--no-report", "--quiet", "--config", str(RULES_WEIGHTS), *extra]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    with (out / "allocations.csv").open(encoding="utf-8") as handle:
        return {row["person_id"]: row for row in csv.DictReader(handle)}


def test_a_full_reduction_moves_the_young_person(tmp_path: Path) -> None:
    feed = tmp_path / "hr_changes.csv"
    feed.write_text(
        "worker_id,change,effective_from,effective_to,value,reason\n"
        f"S1,reduction,{AS_OF_TEXT},,100,maternity\n",
        encoding="utf-8",
    )
    rows = _allocate(tmp_path, "--hr", str(feed))
    assert rows["A"]["proposed_worker_id"] == "S2"
    assert rows["A"]["reason"] == "worker_leaving"


def test_without_the_feed_nobody_moves(tmp_path: Path) -> None:
    rows = _allocate(tmp_path)
    assert rows["A"]["proposed_worker_id"] == "S1"
