"""Who is in care or a care leaver, and each derived attribute, on a hand-written return.

The fixture ``tests/data/ssda903/basic`` is small enough to check by hand:

* C001 in care since 2023, moved on 01/06/2025 (in the window), missing twice
  in the window (plus one ``A`` and one before the window);
* C002 (id with a trailing space in the header) in care under section 20 with
  kinship carers, UASC, CIN N2, an ISO date;
* C003 left care at 18 with ``E17``, in OC3 as NEET in staying put;
* C004 only in OC3 (left care years ago), a mother;
* C005 adopted (not included), C006 in care with an unknown LS and two
  overlapping open episodes, C007 died (OC3 ``DIED``, not included).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from caseweight.errors import InputError
from caseweight.ssda903 import CASES_COLUMNS, import_ssda903

BASIC = Path(__file__).parent / "data" / "ssda903" / "basic"
AS_OF = date(2026, 3, 31)


@pytest.fixture(scope="module")
def basic() -> dict:
    result = import_ssda903(BASIC, AS_OF, BASIC / "allocations.csv", BASIC / "postcodes.csv")
    return {
        "rows": {r["person_id"]: r for r in result.cases.to_dict("records")},
        "cases": result.cases,
        "warnings": result.warnings,
        "summary": result.summary,
    }


def test_contract_columns_come_first_in_order(basic: dict) -> None:
    assert tuple(basic["cases"].columns[: len(CASES_COLUMNS)]) == CASES_COLUMNS


def test_status_on_the_as_of_date(basic: dict) -> None:
    status = {p: r["status"] for p, r in basic["rows"].items()}
    assert status == {
        "C001": "in_care",
        "C002": "in_care",
        "C003": "care_leaver",
        "C004": "care_leaver",
        "C006": "in_care",
    }
    assert basic["summary"]["not_included"] == 2  # C005 adopted, C007 died


def test_legal_status_and_placement_of_the_current_episode(basic: dict) -> None:
    rows = basic["rows"]
    assert (rows["C001"]["legal_status"], rows["C001"]["placement_type"]) == (
        "care_order",
        "residential",
    )
    assert (rows["C002"]["legal_status"], rows["C002"]["placement_type"]) == (
        "section_20",
        "kinship",
    )
    # C006: of two overlapping open episodes the later one (C1, U5) is current
    assert (rows["C006"]["legal_status"], rows["C006"]["placement_type"]) == (
        "interim_care_order",
        "foster",
    )


def test_care_leavers_take_accommodation_and_activity_from_oc3(basic: dict) -> None:
    c003, c004 = basic["rows"]["C003"], basic["rows"]["C004"]
    assert (c003["placement_type"], c003["neet"], c003["legal_status"]) == (
        "staying_put",
        "true",
        "",
    )
    assert (c004["placement_type"], c004["neet"], c004["young_parent"]) == (
        "independent_living",
        "false",
        "true",
    )


def test_moves_and_missing_in_the_last_12_months(basic: dict) -> None:
    rows = basic["rows"]
    assert rows["C001"]["placement_moves_12m"] == "1"
    assert rows["C001"]["missing_episodes_12m"] == "2"  # not the A, not the one in 2024
    assert rows["C006"]["placement_moves_12m"] == "0"  # its move was on 01/03/2025
    assert rows["C003"]["placement_moves_12m"] == "0"


def test_uasc_and_disability(basic: dict) -> None:
    rows = basic["rows"]
    assert (rows["C002"]["uasc"], rows["C002"]["disability"]) == ("true", "true")
    assert (rows["C001"]["uasc"], rows["C001"]["disability"]) == ("false", "false")
    assert rows["C004"]["disability"] == ""  # no episode to read a category of need from


def test_distance_from_home_to_placement_postcode(basic: dict) -> None:
    rows = basic["rows"]
    assert rows["C001"]["placement_distance_km"] == "11.1"  # 0.1 degree of latitude
    # ZZ1 1AB is not in the lookup: its outward code ZZ1 is, at the home's coordinates
    assert rows["C002"]["placement_distance_km"] == "0.0"
    assert rows["C006"]["placement_distance_km"] == ""  # no postcodes in the return


def test_distance_is_blank_without_a_lookup() -> None:
    cases = import_ssda903(BASIC, AS_OF).cases
    assert set(cases["placement_distance_km"]) == {""}


def test_workers_from_the_allocations_export(basic: dict) -> None:
    rows = basic["rows"]
    assert (rows["C001"]["current_social_worker"], rows["C001"]["current_personal_adviser"]) == (
        "SW01",
        "",
    )
    assert (rows["C002"]["current_social_worker"], rows["C002"]["current_personal_adviser"]) == (
        "SW02",
        "PA01",
    )
    ignored = [w for w in basic["warnings"] if w.file == "allocations.csv"]
    assert [(w.row, w.value) for w in ignored] == [(7, "C005")]


def test_warnings_name_file_row_and_column(basic: dict) -> None:
    found = {(w.file, w.row, w.column, w.value) for w in basic["warnings"]}
    assert ("episodes.csv", 8, "LS", "XX") in found
    assert ("episodes.csv", 9, "DECOM", "2025-03-01") in found  # overlap, on the later row
    assert basic["summary"]["overlapping_episodes"] == 1
    assert basic["summary"]["unknown_codes"] == 1


def write_return(folder: Path, header: str, episodes: str, **others: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "header.csv").write_text("CHILD,SEX,DOB\n" + header, encoding="utf-8")
    (folder / "episodes.csv").write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,DEC,REC\n" + episodes, encoding="utf-8"
    )
    for name, text in others.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def test_care_leaver_needs_13_weeks_in_care_since_14(tmp_path: Path) -> None:
    folder = write_return(
        tmp_path,
        "L1,1,01/06/2008\nL2,1,01/06/2008\n",
        "L1,01/11/2025,S,V2,N1,U4,01/12/2025,E5\n"  # 30 days: not eligible
        "L2,01/08/2025,S,V2,N1,U4,01/12/2025,E5\n",  # 122 days
    )
    cases = import_ssda903(folder, AS_OF).cases
    assert list(cases["person_id"]) == ["L2"]


def test_left_care_before_16_is_not_a_care_leaver_and_21_is_too_old_without_oc3(
    tmp_path: Path,
) -> None:
    folder = write_return(
        tmp_path,
        "Y1,1,01/06/2010\nO1,1,01/01/2005\nO2,1,01/01/2005\n",
        "Y1,01/01/2024,S,C2,N1,U4,01/01/2026,E8\n"  # left at 15
        "O1,01/01/2020,S,C2,N1,U4,01/01/2023,E5\n"  # 21 now, no OC3
        "O2,01/01/2020,S,C2,N1,U4,01/01/2023,E5\n",  # 21 now, in OC3
        oc3="CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\nO2,01/01/2005,YES,F5,U1\n",
    )
    cases = import_ssda903(folder, AS_OF).cases
    assert list(cases["person_id"]) == ["O2"]


def test_uasc_ceased_date_ends_uasc_in_care_but_not_for_a_care_leaver(tmp_path: Path) -> None:
    folder = write_return(
        tmp_path,
        "U1,1,01/01/2010\nU2,1,01/01/2010\nU3,1,01/01/2006\n",
        "U1,01/01/2025,S,V2,N1,U4,,\nU2,01/01/2025,S,V2,N1,U4,,\n",
        uasc="CHILD,DUC\nU1,01/01/2026\nU2,01/01/2027\nU3,01/01/2024\n",
        oc3="CHILD,IN_TOUCH,ACTIV,ACCOM\nU3,YES,F2,U1\n",
    )
    rows = {
        r["person_id"]: r["uasc"] for r in import_ssda903(folder, AS_OF).cases.to_dict("records")
    }
    assert rows == {"U1": "false", "U2": "true", "U3": "true"}


def test_worker_changes_from_the_social_worker_table(tmp_path: Path) -> None:
    folder = write_return(
        tmp_path,
        "A1,1,01/01/2015\n",
        "A1,01/01/2023,S,C2,N1,U4,,\n",
        socialworker="CHILD,SW_ID,SW_DECOM,SW_DEC\n"
        "A1,X1,01/01/2023,01/06/2025\nA1,X2,01/06/2025,01/01/2026\nA1,X3,01/01/2026,\n",
    )
    assert import_ssda903(folder, AS_OF).cases.loc[0, "worker_changes_12m"] == "2"


def test_an_open_episode_after_18_is_kept_and_reported(tmp_path: Path) -> None:
    folder = write_return(tmp_path, "A1,1,01/01/2008\n", "A1,01/01/2023,S,C2,N1,U4,,\n")
    result = import_ssda903(folder, AS_OF)
    assert result.cases.loc[0, "status"] == "in_care"
    assert [(w.file, w.row, w.column) for w in result.warnings if "18th" in w.expected] == [
        ("episodes.csv", 2, "DEC")
    ]


@pytest.mark.parametrize(
    ("allocations", "where"),
    [
        ("person_id,role,worker_id\nA1,social_worker,S1\nA1,social_worker,S2\n", (3, "worker_id")),
        ("person_id,role,worker_id\nA1,boss,S1\n", (2, "role")),
        ("person_id,role\nA1,social_worker\n", (1, "worker_id")),
        ("person_id,role,worker_id,end_date\nA1,social_worker,S1,soon\n", (2, "end_date")),
    ],
)
def test_bad_allocations_are_errors(
    tmp_path: Path, allocations: str, where: tuple[int, str]
) -> None:
    folder = write_return(tmp_path, "A1,1,01/01/2015\n", "A1,01/01/2023,S,C2,N1,U4,,\n")
    (tmp_path / "alloc.csv").write_text(allocations, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        import_ssda903(folder, AS_OF, tmp_path / "alloc.csv")
    assert [(p.file, p.row, p.column) for p in raised.value.problems] == [("alloc.csv", *where)]


def test_allocation_history_keeps_the_current_worker(tmp_path: Path) -> None:
    folder = write_return(tmp_path, "A1,1,01/01/2015\n", "A1,01/01/2023,S,C2,N1,U4,,\n")
    (tmp_path / "alloc.csv").write_text(
        "CHILD,role,worker_id,start_date,end_date\n"
        "A1,SW,S1,01/01/2023,2025-05-01\nA1,Social Worker,S2,2025-05-01,\n",
        encoding="utf-8",
    )
    cases = import_ssda903(folder, AS_OF, tmp_path / "alloc.csv").cases
    assert cases.loc[0, "current_social_worker"] == "S2"


def test_a_bad_postcode_lookup_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "pc.csv").write_text(
        "postcode,latitude,longitude\nZZ1 1AA,52.0,-1.0\nZZ2 1AA,north,-1.0\nZZ3,95,0\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as raised:
        import_ssda903(BASIC, AS_OF, postcodes=tmp_path / "pc.csv")
    assert [(p.file, p.row, p.column) for p in raised.value.problems] == [
        ("pc.csv", 3, "latitude/longitude"),
        ("pc.csv", 4, "latitude/longitude"),
    ]


def test_postcodes_match_full_then_sector_then_outward_code(tmp_path: Path) -> None:
    folder = write_return(
        tmp_path,
        "A1,1,01/01/2015\nA2,1,01/01/2015\nA3,1,01/01/2015\n",
        "A1,01/01/2025,S,C2,N1,U4,,\nA2,01/01/2025,S,C2,N1,U4,,\nA3,01/01/2025,S,C2,N1,U4,,\n",
    )
    episodes = (folder / "episodes.csv").read_text(encoding="utf-8").splitlines()
    posts = {"A1": "zz9 9zz", "A2": "ZZ8 1XY", "A3": "ZZ7 2AB"}
    lines = [episodes[0] + ",HOME_POST,PL_POST"] + [
        f"{line},ZZ1 1AA,{posts[line.split(',')[0]]}" for line in episodes[1:]
    ]
    (folder / "episodes.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "pc.csv").write_text(
        "postcode,latitude,longitude\nZZ1 1AA,52.0,-1.0\nZZ99ZZ,52.0,-0.9\n"
        "ZZ8 1,52.2,-1.0\nZZ7,52.3,-1.0\n",
        encoding="utf-8",
    )
    lookup = tmp_path / "pc.csv"
    rows = {
        r["person_id"]: r["placement_distance_km"]
        for r in import_ssda903(folder, AS_OF, postcodes=lookup).cases.to_dict("records")
    }
    assert rows == {"A1": "6.8", "A2": "22.2", "A3": "33.4"}
