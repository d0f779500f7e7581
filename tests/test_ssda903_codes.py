"""Each SSDA903 code mapping, checked on hand-written rows through the real import."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from caseweight.ssda903 import codes, import_ssda903

AS_OF = date(2026, 3, 31)
DOCS = Path(__file__).resolve().parents[1] / "docs" / "ssda903.md"
HEADER = "CHILD,SEX,DOB,MOTHER\n"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST\n"


def write(folder: Path, **tables: str) -> Path:
    """Write the given tables (CSV text) into ``folder``; header/episodes default to empty."""
    folder.mkdir(parents=True, exist_ok=True)
    tables.setdefault("header", HEADER)
    tables.setdefault("episodes", EPISODES)
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def one_in_care(tmp_path: Path, ls: str = "C2", place: str = "U4", cin: str = "N1") -> dict:
    folder = write(
        tmp_path / f"r{ls}{place}{cin}",
        header=HEADER + "A1,1,01/01/2015,\n",
        episodes=EPISODES + f"A1,01/01/2025,S,{ls},{cin},{place},,,,,\n",
    )
    result = import_ssda903(folder, AS_OF)
    return {"row": result.cases.iloc[0].to_dict(), "warnings": result.warnings}


def many_in_care(tmp_path: Path, column: str, values: list[str]) -> dict[str, dict[str, str]]:
    """One child in care per value of ``column`` (LS, PLACE or CIN); rows by child id."""
    header, episodes = HEADER, EPISODES
    for i, value in enumerate(values):
        ls, place, cin = ("C2", "U4", "N1")
        ls, place, cin = {
            "LS": (value, place, cin),
            "PLACE": (ls, value, cin),
            "CIN": (ls, place, value),
        }[column]
        header += f"A{i},1,01/01/2015,\n"
        episodes += f"A{i},01/01/2025,S,{ls},{cin},{place},,,,,\n"
    result = import_ssda903(write(tmp_path / column, header=header, episodes=episodes), AS_OF)
    assert not [w for w in result.warnings if "code" in w.expected]
    return {f"{values[int(r['person_id'][1:])]}": r for r in result.cases.to_dict("records")}


def test_each_legal_status_code_maps_to_its_contract_value(tmp_path: Path) -> None:
    rows = many_in_care(tmp_path, "LS", sorted(codes.LEGAL_STATUS))
    for code, (value, _) in codes.LEGAL_STATUS.items():
        assert (rows[code]["legal_status"], rows[code]["ssda903_ls"]) == (value, code)


def test_each_placement_code_maps_to_its_contract_value(tmp_path: Path) -> None:
    rows = many_in_care(tmp_path, "PLACE", sorted(codes.PLACEMENT_TYPE))
    for code, (value, _) in codes.PLACEMENT_TYPE.items():
        assert rows[code]["placement_type"] == value


def test_legal_status_and_placement_imply_flags_only_where_the_code_says_so(
    tmp_path: Path,
) -> None:
    assert one_in_care(tmp_path, ls="C1")["row"]["court_proceedings"] == "true"
    assert one_in_care(tmp_path, ls="C2")["row"]["court_proceedings"] == ""
    assert one_in_care(tmp_path, ls="J1")["row"]["youth_justice"] == "true"
    assert one_in_care(tmp_path, place="R5")["row"]["youth_justice"] == "true"
    assert one_in_care(tmp_path, ls="V2", place="U6")["row"]["youth_justice"] == ""


def test_category_of_need_n2_means_disability(tmp_path: Path) -> None:
    rows = many_in_care(tmp_path, "CIN", sorted(codes.CATEGORY_OF_NEED))
    assert {c: r["disability"] for c, r in rows.items()} == {
        c: ("true" if c == "N2" else "false") for c in codes.CATEGORY_OF_NEED
    }


def test_unknown_codes_are_blank_and_reported_with_file_row_and_column(tmp_path: Path) -> None:
    got = one_in_care(tmp_path, ls="Q9", place="U9", cin="N0")
    assert (got["row"]["legal_status"], got["row"]["placement_type"]) == ("", "")
    assert got["row"]["disability"] == ""
    unknown = {(w.file, w.row, w.column, w.value) for w in got["warnings"] if "code" in w.expected}
    assert unknown == {
        ("episodes.csv", 2, "LS", "Q9"),
        ("episodes.csv", 2, "PLACE", "U9"),
        ("episodes.csv", 2, "CIN", "N0"),
    }


@pytest.mark.parametrize(("rne", "is_move"), sorted(codes.REASON_NEW_EPISODE.items()))
def test_reason_for_new_episode_decides_what_counts_as_a_move(
    tmp_path: Path, rne: str, is_move: tuple[bool, str]
) -> None:
    folder = write(
        tmp_path,
        header=HEADER + "A1,1,01/01/2015,\n",
        episodes=EPISODES
        + "A1,01/01/2024,S,C2,N1,U4,01/06/2025,X1,,,\n"
        + f"A1,01/06/2025,{rne},C2,N1,U6,,,,,\n",
    )
    cases = import_ssda903(folder, AS_OF).cases
    assert cases.loc[0, "placement_moves_12m"] == ("1" if is_move[0] else "0")


def many_leavers(
    tmp_path: Path, name: str, leavers: list[tuple[str, str | None]]
) -> dict[str, dict[str, str]]:
    """Young people born 01/06/2008 who left care on 01/12/2025 (aged 17) after 2 years.

    Each item is (REC, OC3 "IN_TOUCH,ACTIV,ACCOM" or None); rows by index "L<i>".
    """
    header, episodes, oc3 = HEADER, EPISODES, "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\n"
    for i, (rec, touch) in enumerate(leavers):
        header += f"L{i},2,01/06/2008,\n"
        episodes += f"L{i},01/12/2023,S,C2,N1,U4,01/12/2025,{rec},,,\n"
        if touch is not None:
            oc3 += f"L{i},01/06/2008,{touch}\n"
    result = import_ssda903(
        write(tmp_path / name, header=header, episodes=episodes, oc3=oc3), AS_OF
    )
    assert not [w for w in result.warnings if "code" in w.expected]
    return {r["person_id"]: r for r in result.cases.to_dict("records")}


def test_reason_episode_ceased_decides_who_is_a_care_leaver(tmp_path: Path) -> None:
    recs = sorted(c for c in codes.REASON_EPISODE_CEASED if c != "X1")
    rows = many_leavers(tmp_path, "rec", [(rec, None) for rec in recs])
    included = {recs[int(p[1:])] for p in rows}
    assert included == {c for c in recs if codes.REASON_EPISODE_CEASED[c][0]}
    assert {r["status"] for r in rows.values()} == {"care_leaver"}


def test_in_touch_decides_whether_an_oc3_young_person_is_a_care_leaver(tmp_path: Path) -> None:
    touches = sorted(codes.IN_TOUCH)
    rows = many_leavers(tmp_path, "touch", [("E5", f"{t},F2,U1") for t in touches])
    assert {touches[int(p[1:])] for p in rows} == {t for t in touches if codes.IN_TOUCH[t][0]}


def test_activity_codes_give_neet(tmp_path: Path) -> None:
    activs = sorted(codes.ACTIVITY)
    rows = many_leavers(tmp_path, "activ", [("E5", f"YES,{a},U1") for a in activs])
    for i, activ in enumerate(activs):
        neet = codes.ACTIVITY[activ][0]
        assert rows[f"L{i}"]["neet"] == ("" if neet is None else str(neet).lower())
        assert rows[f"L{i}"]["young_parent"] == ("true" if activ == "G6" else "")


def test_accommodation_codes_give_placement_and_suitability(tmp_path: Path) -> None:
    accoms = [f"{letter}{suffix}" for letter in sorted(codes.ACCOMMODATION) for suffix in "12"]
    rows = many_leavers(tmp_path, "accom", [("E5", f"YES,F2,{a}") for a in [*accoms, "0"]])
    for i, accom in enumerate(accoms):
        assert rows[f"L{i}"]["placement_type"] == (codes.ACCOMMODATION[accom[0]][0] or "")
        assert rows[f"L{i}"]["accommodation_suitable"] == ("true" if accom[1] == "1" else "false")
    not_known = rows[f"L{len(accoms)}"]
    assert (not_known["placement_type"], not_known["accommodation_suitable"]) == ("", "")


def test_unknown_accommodation_code_is_reported(tmp_path: Path) -> None:
    folder = write(
        tmp_path,
        header=HEADER + "L1,2,01/06/2008,\n",
        oc3="CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\nL1,01/06/2008,YES,F2,Q3\n",
    )
    result = import_ssda903(folder, AS_OF)
    assert result.cases.loc[0, "placement_type"] == ""
    assert [
        (w.file, w.row, w.column, w.value) for w in result.warnings if "code" in w.expected
    ] == [("oc3.csv", 2, "ACCOM", "Q3")]


def test_staying_put_from_rec_e17_when_oc3_has_no_accommodation(tmp_path: Path) -> None:
    folder = write(
        tmp_path,
        header=HEADER + "L1,2,01/03/2008,\n",
        episodes=EPISODES + "L1,01/12/2023,S,C2,N1,U4,01/03/2026,E17,,,\n",
    )
    row = import_ssda903(folder, AS_OF).cases.iloc[0]
    assert (row["status"], row["placement_type"]) == ("care_leaver", "staying_put")


@pytest.mark.parametrize(("kind", "counted"), [("M", 1), ("A", 0), ("", 1)])
def test_missing_counts_missing_not_away(tmp_path: Path, kind: str, counted: int) -> None:
    folder = write(
        tmp_path,
        header=HEADER + "A1,1,01/01/2015,\n",
        episodes=EPISODES + "A1,01/01/2024,S,C2,N1,U4,,,,,\n",
        missing=f"CHILD,MISSING,MIS_START,MIS_END\nA1,{kind},01/02/2026,02/02/2026\n",
    )
    assert import_ssda903(folder, AS_OF).cases.loc[0, "missing_episodes_12m"] == str(counted)


@pytest.mark.parametrize(("mother", "expected"), [("1", "true"), ("0", "false"), ("", "")])
def test_header_mother_gives_young_parent(tmp_path: Path, mother: str, expected: str) -> None:
    folder = write(
        tmp_path,
        header=HEADER + f"A1,2,01/01/2009,{mother}\n",
        episodes=EPISODES + "A1,01/01/2024,S,C2,N1,U4,,,,,\n",
    )
    assert import_ssda903(folder, AS_OF).cases.loc[0, "young_parent"] == expected


def documented_rows() -> list[tuple[str, str, str, str]]:
    """(field, code, cases column, value) of each row of the mapping table in the docs."""
    rows = []
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and re.match(r"^(episodes|oc3|missing|header)\.", cells[0]):
            rows.append((cells[0], cells[1], cells[3], cells[4]))
    return rows


def test_the_docs_mapping_table_lists_every_code_with_its_value() -> None:
    documented = {(f, c): value for f, c, _column, value in documented_rows()}
    for code, (value, _) in codes.LEGAL_STATUS.items():
        assert documented[("episodes.LS", f"`{code}`")].startswith(f"`{value}`")
    for code, (value, _) in codes.PLACEMENT_TYPE.items():
        assert documented[("episodes.PLACE", f"`{code}`")].startswith(f"`{value}`")
    for code, (neet, _) in codes.ACTIVITY.items():
        shown = "blank" if neet is None else f"`{str(neet).lower()}`"
        assert documented[("oc3.ACTIV", f"`{code}`")].startswith(shown)
    for letter, (value, _) in codes.ACCOMMODATION.items():
        shown = "blank" if value is None else f"`{value}`"
        assert documented[("oc3.ACCOM", f"`{letter}1`, `{letter}2`")] == shown
    fields = {f for f, _c, _col, _v in documented_rows()}
    assert {"episodes.RNE", "episodes.REC", "missing.MISSING", "oc3.IN_TOUCH"} <= fields
    assert len(documented) == len(documented_rows())  # each code once
