"""Round trip: demo authority -> SSDA903 tables -> import -> the same young people.

The import must give back exactly what the generated tables hold, and that
must equal the demo authority's cases except for what the return cannot carry
(listed in ``docs/ssda903.md``, "What the return cannot carry").
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from caseweight.config import Config
from caseweight.demo import DEMO_AS_OF, demo_paths
from caseweight.io.inputs import read_problem
from caseweight.ssda903 import import_ssda903, write_cases
from caseweight.ssda903.samples import random_cases, roughen, write_return
from caseweight.ssda903.synthetic import CARRIED, as_text, generate_ssda903, truthy

FLAGS = ("uasc", "disability", "neet", "young_parent", "court_proceedings", "youth_justice")
COUNTS = ("placement_moves_12m", "missing_episodes_12m", "worker_changes_12m")


def normal(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column in a comparable form: booleans by truth, counts with blank as 0."""
    values = frame[column].fillna("").astype(str)
    if column in FLAGS:
        return values.map(truthy)
    if column in COUNTS:
        return values.replace("", "0").astype(int)
    if column == "placement_distance_km":
        return pd.to_numeric(values, errors="coerce").round(1).fillna(-1.0)
    return values


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict:
    cases_path, workers_path = demo_paths()
    cases = pd.read_csv(cases_path, dtype=str, keep_default_na=False)
    generated = generate_ssda903(cases, DEMO_AS_OF, seed=7)
    folder = write_return(generated, tmp_path_factory.mktemp("demo") / "ssda903")
    result = import_ssda903(
        folder, DEMO_AS_OF, folder / "allocations.csv", folder / "postcodes.csv"
    )
    return {
        "original": as_text(cases).set_index("person_id", drop=False),
        "expected": pd.DataFrame(generated.expected).set_index("person_id", drop=False),
        "imported": result.cases.set_index("person_id", drop=False),
        "result": result,
        "workers_path": workers_path,
        "generated": generated,
    }


def test_the_same_young_people_come_back(demo: dict) -> None:
    original, imported = demo["original"], demo["imported"]
    assert demo["generated"].skipped == []
    assert sorted(imported.index) == sorted(original.index)
    imported = imported.loc[original.index]
    for column in ("date_of_birth", "status", "current_social_worker", "current_personal_adviser"):
        assert (imported[column] == original[column]).all(), column


def test_the_import_gives_back_exactly_what_the_tables_hold(demo: dict) -> None:
    expected, imported = demo["expected"], demo["imported"].loc[demo["expected"].index]
    for column in (*CARRIED, "court_proceedings", "youth_justice"):
        same = normal(expected, column) == normal(imported, column)
        assert same.all(), (column, list(expected.index[~same][:5]))


def test_children_in_care_keep_every_attribute_the_return_carries(demo: dict) -> None:
    original = demo["original"]
    in_care = original.index[original["status"] == "in_care"]
    imported = demo["imported"].loc[in_care]
    carried = [c for c in CARRIED if c != "neet"]  # OC3 (activity) is for care leavers only
    for column in carried:
        same = normal(original.loc[in_care], column) == normal(imported, column)
        assert same.all(), (column, list(in_care[~same][:5]))


def test_care_leavers_lose_only_what_the_return_cannot_carry(demo: dict) -> None:
    original = demo["original"]
    leavers = original.index[original["status"] == "care_leaver"]
    before, after = original.loc[leavers], demo["imported"].loc[leavers]
    for column in ("uasc", "neet", "young_parent"):
        assert (normal(before, column) == normal(after, column)).all(), column
    kept_types = {
        "independent_living",
        "supported_accommodation",
        "staying_put",
        "custody",
        "other",
        "residential",
    }
    keeps = before["placement_type"].isin(kept_types)
    assert (before.loc[keeps, "placement_type"] == after.loc[keeps, "placement_type"]).all()
    assert set(after.loc[~keeps, "placement_type"]) <= {"other", ""}
    for column in COUNTS:  # only what happened while still in care in the window
        assert (normal(after, column) <= normal(before, column)).all(), column
    lost_disability = after["disability"] == ""  # episodes only in earlier returns
    assert (normal(before, "disability") == normal(after, "disability"))[~lost_disability].all()
    assert set(after["placement_distance_km"]) == {""}
    assert set(after["legal_status"]) == {""}


def test_the_contract_reader_accepts_the_imported_cases(demo: dict, tmp_path: Path) -> None:
    out = tmp_path / "cases.csv"
    write_cases(demo["result"].cases, out)
    problem = read_problem(out, demo["workers_path"], DEMO_AS_OF, Config.from_file(None))
    assert len(problem.people) == len(demo["original"])


def test_same_seed_same_tables_and_another_seed_differs() -> None:
    cases = random_cases(80, date(2026, 3, 31), seed=1)
    first = generate_ssda903(cases, date(2026, 3, 31), seed=5)
    again = generate_ssda903(cases, date(2026, 3, 31), seed=5)
    other = generate_ssda903(cases, date(2026, 3, 31), seed=6)
    assert first.tables == again.tables and first.postcodes == again.postcodes
    assert first.tables["episodes"] != other.tables["episodes"]


def test_a_workbook_round_trip(tmp_path: Path) -> None:
    as_of = date(2026, 3, 31)
    generated = generate_ssda903(random_cases(60, as_of, seed=2), as_of, seed=3)
    folder = write_return(generated, tmp_path / "book", workbook=True)
    assert sorted(p.name for p in folder.iterdir()) == [
        "allocations.csv",
        "postcodes.csv",
        "ssda903.xlsx",
    ]
    result = import_ssda903(
        folder / "ssda903.xlsx", as_of, folder / "allocations.csv", folder / "postcodes.csv"
    )
    expected = pd.DataFrame(generated.expected).set_index("person_id", drop=False)
    imported = result.cases.set_index("person_id", drop=False).loc[expected.index]
    for column in CARRIED:
        assert (normal(expected, column) == normal(imported, column)).all(), column


def test_a_rough_copy_of_the_return_imports_to_the_same_cases(demo: dict, tmp_path: Path) -> None:
    rough = roughen(demo["generated"], seed=4)
    assert rough.tables["episodes"] != demo["generated"].tables["episodes"]
    folder = write_return(rough, tmp_path / "rough")
    result = import_ssda903(
        folder, DEMO_AS_OF, folder / "allocations.csv", folder / "postcodes.csv"
    )
    pd.testing.assert_frame_equal(result.cases, demo["result"].cases)
    assert result.summary["unknown_codes"] == 0
