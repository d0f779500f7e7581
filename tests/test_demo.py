"""The seeded demo authority: determinism, contract validity and calibration.

The checks read the tables as the contract describes them (strings), not the
generator's internals, so they hold for whatever produced the files.
"""

from __future__ import annotations

import time
from datetime import date
from itertools import pairwise
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from caseweight.demo import (
    DEMO_AS_OF,
    DEMO_SEED,
    demo_command,
    demo_paths,
    generate_authority,
    write_authority,
)
from caseweight.io.tables import parse_bool, parse_date, parse_list, read_table

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios" / "demo"
LEGAL = {"care_order", "interim_care_order", "section_20", "placement_order", "remand", "other"}
PLACEMENT = {
    "foster", "kinship", "residential", "secure", "supported_accommodation",
    "independent_living", "placed_with_parents", "custody", "staying_put", "adoption", "other",
}  # fmt: skip
FLAGS = (
    "uasc", "disability", "health_needs", "ehcp", "youth_justice", "court_proceedings", "neet",
    "young_parent",
)  # fmt: skip
COUNTS = ("placement_moves_12m", "missing_episodes_12m", "worker_changes_12m")


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _annotate(cases: pd.DataFrame, workers: pd.DataFrame, as_of: date) -> None:
    """Add age, months of age and caseloads as the tests need them."""
    born = [parse_date(d) for d in cases["date_of_birth"]]
    cases["age"] = [_age(b, as_of) for b in born if b is not None]
    cases["age_days"] = [(as_of - b).days for b in born if b is not None]
    held = pd.concat([cases["current_social_worker"], cases["current_personal_adviser"]])
    counts = held[held != ""].value_counts()
    workers["held"] = workers["worker_id"].map(counts).fillna(0).astype(int)
    workers["fte_value"] = workers["fte"].astype(float)


@pytest.fixture(scope="module")
def demo() -> tuple[pd.DataFrame, pd.DataFrame]:
    cases, workers = generate_authority()
    _annotate(cases, workers, DEMO_AS_OF)
    return cases, workers


@pytest.fixture(scope="module")
def region() -> tuple[pd.DataFrame, pd.DataFrame]:
    started = time.perf_counter()
    cases, workers = generate_authority(people=20_000, workers=1_200)
    print(f"\ngenerate_authority(20000, 1200): {time.perf_counter() - started:.2f} s")
    _annotate(cases, workers, DEMO_AS_OF)
    return cases, workers


# --- determinism and the committed files ------------------------------------


def test_same_seed_and_sizes_give_byte_identical_files(tmp_path: Path) -> None:
    first = write_authority(tmp_path / "a", people=300, workers=20, seed=7)
    second = write_authority(tmp_path / "b", people=300, workers=20, seed=7)
    other = write_authority(tmp_path / "c", people=300, workers=20, seed=8)
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
    assert first[0].read_bytes() != other[0].read_bytes()
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["cases.csv", "workers.csv"]


def test_committed_demo_files_equal_a_fresh_generation(tmp_path: Path) -> None:
    fresh = write_authority(tmp_path)
    packaged = demo_paths()
    scenario = (SCENARIO_DIR / "cases.csv", SCENARIO_DIR / "workers.csv")
    for new, shipped, copy in zip(fresh, packaged, scenario, strict=True):
        assert shipped.read_bytes() == new.read_bytes(), f"{shipped} differs: regenerate it"
        assert copy.read_bytes() == new.read_bytes(), f"{copy} differs: regenerate it"


def test_demo_paths_are_package_data() -> None:
    import caseweight

    package = Path(caseweight.__file__).parent
    for path in demo_paths():
        assert path.is_file()
        assert path.is_relative_to(package / "data" / "demo")


def test_scenario_readme_states_as_of_seed_and_command() -> None:
    text = (SCENARIO_DIR / "README.md").read_text(encoding="utf-8")
    assert "2026-12-01" in text
    assert str(DEMO_SEED) in text
    assert "caseweight demo --out scenarios/demo" in text


# --- the contract's rules about input ---------------------------------------


def _check_contract(cases: pd.DataFrame, workers: pd.DataFrame, as_of: date) -> None:
    assert cases["person_id"].is_unique and workers["worker_id"].is_unique
    assert cases["person_id"].str.fullmatch(r"YP\d{6}").all()
    assert set(cases["status"]) == {"in_care", "care_leaver"}
    assert set(cases["legal_status"]) <= LEGAL | {""}
    assert set(cases["placement_type"]) <= PLACEMENT
    assert set(cases["exploitation_risk"]) <= {"none", "low", "medium", "high"}
    assert all(parse_bool(v) is not None for col in FLAGS for v in cases[col])
    assert all(int(v) >= 0 for col in COUNTS for v in cases[col])
    assert (cases["placement_distance_km"].astype(float) >= 0).all()
    assert (cases["age_days"] > 0).all(), "dates of birth are in the past"
    leavers = cases[cases["status"] == "care_leaver"]
    assert leavers["age"].between(16, 24).all()
    in_care = cases[cases["status"] == "in_care"]
    assert in_care["age"].between(0, 18).all()
    assert set(workers["role"]) == {"social_worker", "personal_adviser"}
    assert workers["fte"].astype(float).between(0.01, 1.0).all()
    assert all(float(v) > 0 for v in workers["capacity_points"] if v)
    assert all(int(v) > 0 for v in workers["max_cases"] if v)
    assert all(parse_bool(v) is not None for v in workers["accepting_new"])
    assert all(parse_date(v) is not None for v in workers["leaving_on"] if v)
    role = dict(zip(workers["worker_id"], workers["role"], strict=True))
    for column, wanted in (
        ("current_social_worker", "social_worker"),
        ("current_personal_adviser", "personal_adviser"),
    ):
        held = cases.loc[cases[column] != "", column]
        assert held.map(role).eq(wanted).all(), f"{column}: unknown worker or wrong role"
    for needs in cases["needs_skills"]:
        assert all(s == "uasc" or s.startswith("language:") for s in parse_list(needs))


def test_demo_follows_the_input_contract(demo: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    _check_contract(*demo, DEMO_AS_OF)


def test_region_follows_the_input_contract(region: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    _check_contract(*region, DEMO_AS_OF)


def test_committed_files_read_cleanly_through_the_contract_reader() -> None:
    cases_path, workers_path = demo_paths()
    cases, workers = read_table(cases_path, "cases"), read_table(workers_path, "workers")
    assert len(cases) == 1400 and len(workers) == 85
    assert cases.rows[0] == 2
    assert "name" in workers.frame.columns


def test_core_reader_accepts_the_committed_demo() -> None:
    from caseweight.config import Config
    from caseweight.io.inputs import read_problem

    problem = read_problem(*demo_paths(), DEMO_AS_OF, Config.from_file(None))
    assert len(problem.people) == 1400 and len(problem.workers) == 85


# --- calibration at the default size ----------------------------------------


def _share(mask: pd.Series) -> float:
    return float(mask.mean())


def test_status_age_and_role_mix(demo: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    cases, workers = demo
    in_care = cases[(cases["status"] == "in_care") & (cases["age"] < 18)]
    assert _share(cases["status"] == "in_care") == pytest.approx(0.60, abs=0.01)
    for low, high, share in ((0, 4, 0.19), (5, 11, 0.30), (12, 15, 0.28), (16, 17, 0.23)):
        assert _share(in_care["age"].between(low, high)) == pytest.approx(share, abs=0.015)
    leavers = cases[cases["status"] == "care_leaver"]
    assert _share(leavers["age"] < 18) == pytest.approx(0.05, abs=0.02)
    assert _share(leavers["age"] >= 21) == pytest.approx(0.15, abs=0.02)
    roles = workers["role"].value_counts()
    assert (roles["social_worker"], roles["personal_adviser"]) == (59, 26)
    assert sorted(set(workers["team"])) == ["east", "north", "south", "west"]
    assert set(cases["team"]) == set(workers["team"])
    by_team = workers.groupby("team")["role"].nunique()
    assert (by_team == 2).all(), "every team has social workers and personal advisers"


def test_workforce_hours_and_grades(demo: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    _, workers = demo
    social = workers[workers["role"] == "social_worker"]
    assert _share(workers["fte_value"] < 1) == pytest.approx(0.20, abs=0.03)
    assert workers.loc[workers["fte_value"] < 1, "fte_value"].between(0.5, 0.9).all()
    assert _share(social["grade"] == "asye") == pytest.approx(0.10, abs=0.02)
    assert _share(social["grade"] == "senior_practitioner") == pytest.approx(0.15, abs=0.02)
    assert set(workers.loc[workers["role"] == "personal_adviser", "grade"]) == {"personal_adviser"}
    assert (workers["max_cases"] != "").sum() == 4
    assert (workers["capacity_points"] != "").sum() == 2
    assert (workers["accepting_new"] == "false").sum() == 2
    limited = workers[workers["max_cases"] != ""]
    assert (limited["held"] <= limited["max_cases"].astype(int)).all()


def test_the_mess_of_a_real_month(demo: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    cases, workers = demo
    leaving = workers["leaving_on"].map(lambda v: parse_date(v) if v else None)
    gone = workers[leaving.map(lambda d: d is not None and d <= DEMO_AS_OF)]
    later = workers[leaving.map(lambda d: d is not None and d > DEMO_AS_OF)]
    assert len(gone) == 3 and len(later) == 1
    assert DEMO_AS_OF.isoformat() in set(gone["leaving_on"]), "one leaves on the as-of date"
    per_fte = (workers["held"] / workers["fte_value"]).groupby(workers["role"]).median()
    for _, leaver in pd.concat([gone, later]).iterrows():
        assert leaver["held"] / leaver["fte_value"] >= 0.85 * per_fte[leaver["role"]]
    starters = workers[workers["held"] == 0]
    assert len(starters) == 4 and (starters["grade"] == "asye").sum() == 2
    in_care = cases["status"] == "in_care"
    no_sw = in_care & (cases["age"] < 18) & (cases["current_social_worker"] == "")
    assert no_sw.sum() == 25
    no_pa = (cases["status"] == "care_leaver") & (cases["current_personal_adviser"] == "")
    assert no_pa.sum() == 10
    lagging = cases[in_care & (cases["age"] >= 18)]
    assert len(lagging) == 3 and (lagging["current_personal_adviser"] != "").all()


def test_personal_advisers_come_late_for_children_in_care(
    demo: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    cases, _ = demo
    older = cases[(cases["status"] == "in_care") & cases["age"].between(16, 17)]
    half = 17 * 365.25 + 182
    has = older["current_personal_adviser"] != ""
    assert _share(has[older["age_days"] < half - 5]) < 0.3
    assert _share(has[older["age_days"] > half + 5]) > 0.6


def test_loads_are_uneven(demo: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    _, workers = demo
    holding = workers[(workers["held"] > 0) & (workers["capacity_points"] == "")]
    for role, (many, few) in {"social_worker": (5, 5), "personal_adviser": (2, 2)}.items():
        mine = holding[holding["role"] == role]
        ratio = (mine["held"] / mine["fte_value"]) / (mine["held"].sum() / mine["fte_value"].sum())
        assert (ratio >= 1.2).sum() >= many and (ratio <= 0.75).sum() >= few


def test_caseloads_per_fte_match_the_workforce_figures(
    demo: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    cases, workers = demo
    staying = workers[workers["leaving_on"].map(lambda v: not v or v > DEMO_AS_OF.isoformat())]
    fte = staying.groupby("role")["fte_value"].sum()
    in_care = ((cases["status"] == "in_care") & (cases["age"] < 18)).sum()
    assert 13.5 <= in_care / fte["social_worker"] <= 16.5
    leavers = (cases["status"] == "care_leaver").sum()
    assert 22 <= leavers / fte["personal_adviser"] <= 30


def test_needs_mix(demo: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    cases, _ = demo
    in_care = cases[(cases["status"] == "in_care") & (cases["age"] < 18)]
    legal = in_care["legal_status"].value_counts(normalize=True)
    assert legal["care_order"] + legal["interim_care_order"] == pytest.approx(0.76, abs=0.04)
    assert legal["section_20"] == pytest.approx(0.19, abs=0.04)
    assert legal["placement_order"] == pytest.approx(0.05, abs=0.02)
    placement = in_care["placement_type"].value_counts(normalize=True)
    assert placement["foster"] + placement.get("adoption", 0) == pytest.approx(0.55, abs=0.05)
    assert placement["kinship"] == pytest.approx(0.156, abs=0.03)
    assert placement["residential"] == pytest.approx(0.114, abs=0.03)
    supported = in_care[in_care["placement_type"] == "supported_accommodation"]
    assert len(supported) > 0 and (supported["age"] >= 16).all()
    km = in_care["placement_distance_km"].astype(float)
    assert _share(km > 15) == pytest.approx(0.37, abs=0.05)
    assert _share(km > 32) == pytest.approx(0.18, abs=0.04)
    uasc = in_care[in_care["uasc"] == "true"]
    assert len(uasc) / len(in_care) == pytest.approx(0.08, abs=0.01)
    assert _share(uasc["age"] >= 16) >= 0.6
    assert _share(cases["disability"] == "true") == pytest.approx(0.10, abs=0.03)
    leavers = cases[cases["status"] == "care_leaver"]
    assert _share(leavers["neet"] == "true") == pytest.approx(0.35, abs=0.05)
    assert 0 < (leavers["young_parent"] == "true").sum() < 0.1 * len(leavers)
    teens = in_care[in_care["age"] >= 12]
    young = in_care[in_care["age"] < 12]
    assert _share(teens["missing_episodes_12m"] != "0") > 5 * _share(
        young["missing_episodes_12m"] != "0"
    )
    assert _share(young["exploitation_risk"] == "none") > 0.95
    assert (cases["court_proceedings"] == "true")[
        cases["legal_status"] == "interim_care_order"
    ].all()


def test_worker_changes_follow_the_stability_figures(
    demo: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    cases, _ = demo
    changes = cases["worker_changes_12m"].astype(int).clip(upper=3)
    shares = changes.value_counts(normalize=True)
    for count, share in ((0, 0.50), (1, 0.26), (2, 0.14), (3, 0.10)):
        assert shares[count] == pytest.approx(share, abs=0.04)


def test_sibling_groups(demo: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    cases, _ = demo
    under_16 = cases[(cases["status"] == "in_care") & (cases["age"] < 16)]
    assert _share(under_16["sibling_group"] != "") == pytest.approx(0.30, abs=0.03)
    groups = cases[cases["sibling_group"] != ""].groupby("sibling_group")
    assert groups.size().between(2, 4).all()
    assert (groups["team"].nunique() == 1).all()
    for _, days in groups["age_days"]:
        ordered = sorted(days)
        gaps = [b - a for a, b in pairwise(ordered)]
        assert min(gaps) >= 300 and ordered[-1] - ordered[0] <= 8 * 365, "plausible ages"
    same_worker = groups["current_social_worker"].nunique() == 1
    assert 0.7 <= same_worker.mean() < 1.0, "mostly one social worker, some split"


def test_skills_include_one_nobody_has(demo: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    cases, workers = demo
    offered = {s for skills in workers["skills"] for s in parse_list(skills)}
    needed = [s for needs in cases["needs_skills"] for s in parse_list(needs)]
    missing = {s for s in needed if s not in offered}
    assert missing == {"language:oromo"}
    assert 2 <= needed.count("language:oromo") <= 5
    for role in ("social_worker", "personal_adviser"):
        mine = workers[workers["role"] == role]
        assert (mine["skills"].str.contains("uasc")).sum() >= 3
        assert (mine["skills"].str.contains("language:")).sum() >= 3


# --- scale --------------------------------------------------------------------


def test_region_scale_keeps_the_proportions(region: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    cases, workers = region
    assert len(cases) == 20_000 and len(workers) == 1_200
    assert _share(cases["status"] == "in_care") == pytest.approx(0.60, abs=0.01)
    assert _share(workers["role"] == "personal_adviser") == pytest.approx(0.30, abs=0.01)
    assert workers["team"].nunique() == 60 and "team_60" in set(workers["team"])
    assert (workers.groupby("team")["role"].nunique() == 2).all()
    in_care = cases["status"] == "in_care"
    no_sw = in_care & (cases["age"] < 18) & (cases["current_social_worker"] == "")
    assert no_sw.sum() == round(25 * 20_000 / 1400)
    assert (workers["held"] == 0).sum() == round(4 * 1200 / 85)
    under_16 = cases[in_care & (cases["age"] < 16)]
    assert _share(under_16["sibling_group"] != "") == pytest.approx(0.30, abs=0.02)


def test_large_size_is_quick_and_valid() -> None:
    started = time.perf_counter()
    cases, workers = generate_authority(people=4_000, workers=250)
    print(f"\ngenerate_authority(4000, 250): {time.perf_counter() - started:.2f} s")
    assert len(cases) == 4_000 and workers["team"].nunique() == 13


def test_other_as_of_date_and_team_count() -> None:
    as_of = date(2025, 3, 31)
    cases, workers = generate_authority(people=500, workers=60, teams=6, as_of=as_of, seed=3)
    _annotate(cases, workers, as_of)
    _check_contract(cases, workers, as_of)
    assert set(workers["team"]) == {"north", "south", "east", "west", "central", "team_06"}
    gone = [parse_date(v) for v in workers["leaving_on"] if v]
    assert min(d for d in gone if d is not None) <= as_of


def test_sizes_out_of_range_are_refused() -> None:
    with pytest.raises(ValueError, match="people"):
        generate_authority(people=10)
    with pytest.raises(ValueError, match="teams"):
        generate_authority(workers=20, teams=6)


# --- command line -----------------------------------------------------------


def test_command_writes_the_files(tmp_path: Path) -> None:
    out = tmp_path / "new" / "authority"
    args = ["--out", str(out), "--people", "200", "--workers", "20", "--seed", "5"]
    result = CliRunner().invoke(demo_command, args)
    assert result.exit_code == 0, result.output
    assert "Wrote 200 young people" in result.output
    expected = write_authority(tmp_path / "api", people=200, workers=20, seed=5)
    assert (out / "cases.csv").read_bytes() == expected[0].read_bytes()
    assert (out / "workers.csv").read_bytes() == expected[1].read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "31/02/2026"], "date"),
        (["--workers", "20", "--teams", "6"], "teams"),
        (["--people", "5"], "people"),
    ],
)
def test_command_refuses_bad_options(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(demo_command, ["--out", str(tmp_path / "x"), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "x" / "cases.csv").exists()


def test_command_help_has_an_example() -> None:
    result = CliRunner().invoke(demo_command, ["--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and "caseweight demo --out" in result.output
