"""Turn SSDA903 tables (+ allocations export, + postcode lookup) into the contract's cases table.

Who is included on the as-of date:

* ``in_care``: an episode has started on or before the as-of date and has not
  ended by it (``DEC`` blank or after the as-of date);
* ``care_leaver``: not in care, aged 16 to 24, and either listed in ``oc3``
  (unless ``IN_TOUCH`` says died, no longer requires services or returned
  home), or whose last episode ended at 16 or over for a leaving-care reason
  after 13 weeks looked after since age 14 (then only while under 21).

Everyone else in the header is left out and counted in the summary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from caseweight.errors import Problem
from caseweight.ssda903 import codes
from caseweight.ssda903.episodes import (
    MAX_AGE,
    age_on,
    current_and_last,
    days_looked_after_since_14,
    left_care_as_care_leaver,
    read_episodes,
    read_header,
)
from caseweight.ssda903.exports import Allocations, great_circle_km, locate
from caseweight.ssda903.reader import Findings, Ssda903Return, parse_dates
from caseweight.ssda903.reader import codes as read_codes

CASES_COLUMNS = (
    "person_id", "date_of_birth", "status", "current_social_worker", "current_personal_adviser",
    "team", "legal_status", "placement_type", "placement_distance_km", "placement_moves_12m",
    "missing_episodes_12m", "worker_changes_12m", "uasc", "disability", "health_needs", "ehcp",
    "youth_justice", "court_proceedings", "neet", "young_parent", "exploitation_risk",
    "sibling_group", "needs_skills",
)  # fmt: skip
EXTRA_COLUMNS = (
    "accommodation_suitable", "ssda903_ls", "ssda903_place", "ssda903_cin", "ssda903_accom",
    "ssda903_activ",
)  # fmt: skip


@dataclass
class ImportResult:
    """The cases table (all cells text), the warnings, and counts for the summary."""

    cases: pd.DataFrame
    warnings: list[Problem]
    summary: dict[str, int] = field(default_factory=dict)


def build_cases(
    ret: Ssda903Return,
    as_of: date,
    findings: Findings,
    allocations: Allocations | None = None,
    postcodes: dict[str, tuple[float, float]] | None = None,
) -> ImportResult:
    """Build the cases table; raise :class:`InputError` if ``findings`` holds errors."""
    header = read_header(ret, findings)
    dob = header.set_index("child")["dob"]
    episodes = read_episodes(ret, pd.Index(header["child"]), findings).frame
    oc3 = _read_oc3(ret, findings)
    findings.errors.raise_if_any()
    _warn_orphans(ret, pd.Index(header["child"]), findings)
    current, last = current_and_last(episodes, as_of)
    status = _status(header, current, last, oc3, episodes, as_of)
    people = status.index
    stamp = pd.Timestamp(as_of)
    window_start = stamp - pd.DateOffset(years=1)
    cases = pd.DataFrame(index=people)
    cases["person_id"] = people
    cases["date_of_birth"] = dob.reindex(people).dt.strftime("%Y-%m-%d")
    cases["status"] = status
    in_care = status == "in_care"
    _care_attributes(cases, current.reindex(people), last.reindex(people), in_care)
    _leaver_attributes(cases, oc3.reindex(people), last.reindex(people), ~in_care)
    cases["young_parent"] = _young_parent(header.set_index("child")["mother"], oc3, people)
    moves = episodes.loc[episodes["rne"].map(_is_move).astype(bool)]
    cases["placement_moves_12m"] = _count_in_window(
        moves["child"], moves["decom"], window_start, stamp, people
    )
    cases["missing_episodes_12m"] = _missing(ret, findings, window_start, stamp, people)
    cases["worker_changes_12m"] = _worker_changes(ret, findings, window_start, stamp, people)
    cases["uasc"] = _uasc(ret, findings, stamp, in_care)
    cases["placement_distance_km"] = _distance(current.reindex(people), postcodes, in_care)
    _allocations(cases, allocations, findings)
    _warn_adults_in_care(cases, dob, stamp, current, ret.tables["episodes"].file, findings)
    summary = _summary(header, cases, findings)
    out = cases.reindex(columns=list(CASES_COLUMNS) + list(EXTRA_COLUMNS)).astype(object)
    out = out.fillna("")
    return ImportResult(out.astype(str).reset_index(drop=True), findings.warnings, summary)


def _warn_orphans(ret: Ssda903Return, known: pd.Index, findings: Findings) -> None:
    """Rows of the child-level tables whose child is not in ``header`` are ignored, and said so."""
    for name in ("uasc", "missing", "oc3", "socialworker"):
        source = ret.get(name)
        if source is None:
            continue
        orphan = ~source.frame["child"].isin(known)
        for row, child in zip(
            source.frame.loc[orphan, "_row"], source.frame.loc[orphan, "child"], strict=True
        ):
            findings.warn(
                source.file, int(row), "CHILD", child, "a child in the header table; row ignored"
            )


def _is_move(code: str) -> bool:
    return codes.REASON_NEW_EPISODE.get(code, (False, ""))[0]


def _read_oc3(ret: Ssda903Return, findings: Findings) -> pd.DataFrame:
    source = ret.get("oc3")
    if source is None:
        return pd.DataFrame(
            columns=["in_touch", "activ", "accom"], index=pd.Index([], name="child")
        )
    frame = pd.DataFrame(
        {
            "child": source.frame["child"],
            "in_touch": read_codes(source, "in_touch", codes.IN_TOUCH, findings),
            "activ": read_codes(source, "activ", codes.ACTIVITY, findings),
            "accom": source.frame.get("accom", pd.Series("", index=source.frame.index)).str.upper(),
            "_row": source.frame["_row"],
        }
    )
    known = frame["accom"].map(lambda c: codes.accommodation_placement(c)[0] if c else True)
    for row, value in zip(frame.loc[~known, "_row"], frame.loc[~known, "accom"], strict=True):
        findings.warn(
            source.file,
            int(row),
            "ACCOM",
            value,
            "an SSDA903 accommodation code (letter B-Z then 1 or 2, or 0); left blank",
        )
    frame.loc[~known, "accom"] = ""
    return frame.drop_duplicates("child", keep="last").set_index("child")


def _status(
    header: pd.DataFrame, current: pd.DataFrame, last: pd.DataFrame, oc3: pd.DataFrame,
    episodes: pd.DataFrame, as_of: date,
) -> pd.Series:  # fmt: skip
    """``in_care`` / ``care_leaver`` per included child, in header order."""
    dob = header.set_index("child")["dob"]
    children = pd.Index(header["child"])
    in_care = children.isin(current.index)
    eligible = days_looked_after_since_14(episodes, dob, as_of)
    from_episodes = left_care_as_care_leaver(last, dob, eligible, as_of).reindex(
        children, fill_value=False
    )
    supported = oc3["in_touch"].map(lambda c: codes.IN_TOUCH.get(c, (True, ""))[0]).astype(bool)
    from_oc3 = supported.reindex(children, fill_value=False).to_numpy()
    closed_off = (~supported).reindex(children, fill_value=False).to_numpy()
    age = age_on(dob.reindex(children), pd.Timestamp(as_of)).fillna(-1).to_numpy()
    leaver = ~in_care & (from_oc3 | (from_episodes.to_numpy() & ~closed_off))
    leaver &= (age >= 16) & (age < MAX_AGE)
    status = pd.Series(pd.NA, index=children, dtype=object)
    status[in_care] = "in_care"
    status[leaver] = "care_leaver"
    return status.dropna()


def _care_attributes(
    cases: pd.DataFrame, current: pd.DataFrame, last: pd.DataFrame, in_care: pd.Series
) -> None:
    """Legal status, placement, disability and implied flags from the current episode."""
    ls = current["ls"].where(in_care, "")
    place = current["place"].where(in_care, "")
    cases["legal_status"] = ls.map({k: v[0] for k, v in codes.LEGAL_STATUS.items()})
    cases["placement_type"] = place.map({k: v[0] for k, v in codes.PLACEMENT_TYPE.items()})
    cin = current["cin"].where(in_care, last["cin"]).fillna("")
    cases["disability"] = cin.map(lambda c: _flag(c == codes.DISABILITY_CIN) if c else "")
    cases["court_proceedings"] = ls.map(lambda c: "true" if c in codes.COURT_PROCEEDINGS_LS else "")
    justice = ls.isin(codes.YOUTH_JUSTICE_LS) | place.isin(codes.YOUTH_JUSTICE_PLACE)
    cases["youth_justice"] = justice.map(lambda j: "true" if j else "")
    cases["ssda903_ls"] = ls
    cases["ssda903_place"] = place
    cases["ssda903_cin"] = cin


def _leaver_attributes(
    cases: pd.DataFrame, oc3: pd.DataFrame, last: pd.DataFrame, leaver: pd.Series
) -> None:
    """Accommodation, activity (NEET) and staying put for care leavers, from ``oc3``."""
    accom = oc3["accom"].fillna("").where(leaver, "")
    decoded = accom.map(lambda c: codes.accommodation_placement(c) if c else (True, None, None))
    placement = decoded.map(lambda d: d[1])
    staying_put = leaver & (accom == "") & (last["rec"] == codes.STAYING_PUT_REC)
    placement = placement.where(~staying_put, "staying_put")
    cases["placement_type"] = cases["placement_type"].where(~leaver, placement)
    cases["accommodation_suitable"] = decoded.map(lambda d: "" if d[2] is None else _flag(d[2]))
    activ = oc3["activ"].fillna("").where(leaver, "")
    neet = activ.map(lambda c: codes.ACTIVITY.get(c, (None, ""))[0])
    cases["neet"] = neet.map(lambda n: "" if n is None else _flag(n))
    cases["ssda903_accom"] = accom
    cases["ssda903_activ"] = activ


def _young_parent(mother: pd.Series, oc3: pd.DataFrame, people: pd.Index) -> pd.Series:
    is_mother = mother.reindex(people)
    parenting = oc3["activ"].reindex(people) == codes.YOUNG_PARENT_ACTIV
    value = pd.Series("", index=people, dtype=object)
    value[is_mother.eq(False).fillna(False).to_numpy()] = "false"
    value[(is_mother.eq(True).fillna(False) | parenting.fillna(False)).to_numpy()] = "true"
    return value


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _count_in_window(
    child: pd.Series, when: pd.Series, start: pd.Timestamp, end: pd.Timestamp, people: pd.Index
) -> pd.Series:
    """Events per child with ``start < when <= end``, 0 for people with none."""
    inside = (when > start) & (when <= end)
    counts = child.loc[inside].value_counts()
    return counts.reindex(people, fill_value=0).astype(int).astype(str)


def _missing(
    ret: Ssda903Return, findings: Findings, start: pd.Timestamp, end: pd.Timestamp,
    people: pd.Index,
) -> pd.Series:  # fmt: skip
    source = ret.get("missing")
    if source is None:
        return pd.Series("", index=people)
    began = parse_dates(source, "mis_start", findings, required=False, fatal=False)
    kind = read_codes(source, "missing", codes.MISSING_TYPE, findings)
    counted = kind.map(lambda c: codes.MISSING_TYPE.get(c, (c == "", ""))[0]).astype(bool)
    return _count_in_window(
        source.frame["child"].loc[counted], began.loc[counted], start, end, people
    )


def _worker_changes(
    ret: Ssda903Return, findings: Findings, start: pd.Timestamp, end: pd.Timestamp,
    people: pd.Index,
) -> pd.Series:  # fmt: skip
    """Social worker episodes (2023/24 ``SocialWorker`` table) starting in the window, not the first."""  # noqa: E501
    source = ret.get("socialworker")
    if source is None:
        return pd.Series("", index=people)
    began = parse_dates(source, "sw_decom", findings, required=False, fatal=False)
    spells = pd.DataFrame({"child": source.frame["child"], "began": began}).dropna()
    spells = spells.sort_values(["child", "began"], kind="stable")
    later = spells["child"].duplicated(keep="first")
    spells = spells.loc[later]
    return _count_in_window(spells["child"], spells["began"], start, end, people)


def _uasc(
    ret: Ssda903Return, findings: Findings, stamp: pd.Timestamp, in_care: pd.Series
) -> pd.Series:
    """In the ``uasc`` table: UASC while in care until ``DUC``; a former UASC care leaver stays UASC."""  # noqa: E501
    source = ret.get("uasc")
    if source is None:
        return pd.Series("", index=in_care.index)
    ceased = parse_dates(source, "duc", findings, required=False, fatal=False)
    rows = pd.DataFrame({"child": source.frame["child"], "ceased": ceased})
    table = rows.drop_duplicates("child", keep="last").set_index("child")["ceased"]
    listed = in_care.index.isin(table.index)
    ceased_by = table.reindex(in_care.index)
    still = ceased_by.isna() | (ceased_by > stamp)
    is_uasc = listed & (~in_care.to_numpy() | still.to_numpy())
    return pd.Series(is_uasc, index=in_care.index).map(_flag)


def _distance(
    current: pd.DataFrame, postcodes: dict[str, tuple[float, float]] | None, in_care: pd.Series
) -> pd.Series:
    """Great-circle km from ``HOME_POST`` to ``PL_POST`` where both can be located."""
    if not postcodes:
        return pd.Series("", index=in_care.index)
    home = current["home_post"].fillna("").where(in_care, "")
    placed = current["pl_post"].fillna("").where(in_care, "")
    lat1, lon1 = locate(home, postcodes)
    lat2, lon2 = locate(placed, postcodes)
    km = great_circle_km(lat1, lon1, lat2, lon2)
    return km.map(lambda d: "" if pd.isna(d) else f"{d:.1f}")


def _allocations(cases: pd.DataFrame, allocations: Allocations | None, findings: Findings) -> None:
    if allocations is None:
        return
    cases["current_social_worker"] = cases.index.map(allocations.social_worker)
    cases["current_personal_adviser"] = cases.index.map(allocations.personal_adviser)
    known = set(cases.index)
    unknown = sorted(p for p in allocations.row_of if p not in known)
    for person in unknown:
        findings.warn(
            allocations.file,
            allocations.row_of[person],
            "person_id",
            person,
            "a young person in care or a care leaver on the as-of date; allocation ignored",
        )


def _warn_adults_in_care(
    cases: pd.DataFrame, dob: pd.Series, stamp: pd.Timestamp, current: pd.DataFrame,
    file: str, findings: Findings,
) -> None:  # fmt: skip
    """Case-management data lags birthdays: an open episode at 18+ is kept, and reported."""
    in_care = cases.index[cases["status"] == "in_care"]
    adult = (age_on(dob.reindex(in_care), stamp) >= 18).fillna(False).to_numpy()
    rows: list[int] = [int(r) for r in current["_row"].reindex(in_care[adult])]
    for row in rows:
        findings.warn(
            file, row, "DEC", "",
            "an end by the 18th birthday; kept as in_care "
            "(the allocator treats them as a care leaver)",
        )  # fmt: skip


def _summary(header: pd.DataFrame, cases: pd.DataFrame, findings: Findings) -> dict[str, int]:
    overlaps = sum("overlapping episodes" in w.expected for w in findings.warnings)
    unknown = sum("SSDA903" in w.expected and "code" in w.expected for w in findings.warnings)
    return {
        "children_in_header": len(header),
        "in_care": int((cases["status"] == "in_care").sum()),
        "care_leavers": int((cases["status"] == "care_leaver").sum()),
        "not_included": len(header) - len(cases),
        "overlapping_episodes": overlaps,
        "unknown_codes": unknown,
        "warnings": len(findings.warnings),
        "distances": int((cases["placement_distance_km"].fillna("") != "").sum()),
    }
