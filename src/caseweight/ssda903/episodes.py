"""Clean the SSDA903 header and episodes tables and find who is in care or a care leaver.

All work is vectorised over the whole table (a 5,000-child return has tens of
thousands of episodes); Python loops run only over rows that have a problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from caseweight.ssda903 import codes
from caseweight.ssda903.reader import Findings, Ssda903Return, parse_dates
from caseweight.ssda903.reader import codes as read_codes

CARE_LEAVER_MIN_AGE = 16
EPISODE_ONLY_MAX_AGE = 21  # without an OC3 record, a care leaver is one under 21
MAX_AGE = 25  # the contract's oldest care leaver (support to 25 on request)
ELIGIBLE_DAYS_SINCE_14 = (
    91  # 13 weeks looked after since age 14 (Children Act 1989 sch. 2 para 19B)
)


def age_on(dob: pd.Series, on: pd.Series | pd.Timestamp) -> pd.Series:
    """Whole years of age on ``on`` (a birthday counts on the day), vectorised."""
    when = on if isinstance(on, pd.Series) else pd.Series(on, index=dob.index)
    years = when.dt.year - dob.dt.year
    before = (when.dt.month * 100 + when.dt.day) < (dob.dt.month * 100 + dob.dt.day)
    return (years - before.astype(int)).astype("Int64")


def read_header(ret: Ssda903Return, findings: Findings) -> pd.DataFrame:
    """One row per child: ``child``, ``dob``, ``mother`` (True/False/NA), ``_row``."""
    source = ret.tables["header"]
    frame = source.frame
    dob = parse_dates(source, "dob", findings, required=True, fatal=True)
    mother = read_codes(source, "mother", codes.MOTHER, findings).map(codes.MOTHER)
    header = pd.DataFrame(
        {"child": frame["child"], "dob": dob, "mother": mother, "_row": frame["_row"]}
    )
    for row in header.loc[header["child"] == "", "_row"]:
        findings.error(source.file, int(row), "CHILD", "", "a child identifier")
    header = header.loc[header["child"] != ""]
    same = header.drop_duplicates(["child", "dob"])
    clash = same.duplicated("child", keep=False)
    for child, group in same.loc[clash].groupby("child", sort=True):
        numbers = [int(r) for r in group["_row"]]
        rows = ", ".join(map(str, numbers))
        findings.error(
            source.file,
            numbers[-1],
            "DOB",
            child,
            f"one date of birth per child (rows {rows})",
        )
    return same.drop_duplicates("child", keep="last").reset_index(drop=True)


@dataclass(frozen=True)
class Episodes:
    """Clean episodes (sorted by child, start) and the file they came from."""

    frame: pd.DataFrame
    file: str


def read_episodes(ret: Ssda903Return, known_children: pd.Index, findings: Findings) -> Episodes:
    """Parse, validate and sort the episodes; report overlaps and orphans."""
    source = ret.tables["episodes"]
    frame = source.frame
    episodes = pd.DataFrame(
        {
            "child": frame["child"],
            "decom": parse_dates(source, "decom", findings, required=True, fatal=True),
            "dec": parse_dates(source, "dec", findings, required=False, fatal=True),
            "rne": read_codes(source, "rne", codes.REASON_NEW_EPISODE, findings),
            "ls": read_codes(source, "ls", codes.LEGAL_STATUS, findings),
            "cin": read_codes(source, "cin", codes.CATEGORY_OF_NEED, findings),
            "place": read_codes(source, "place", codes.PLACEMENT_TYPE, findings),
            "rec": read_codes(source, "rec", codes.REASON_EPISODE_CEASED, findings),
            "home_post": _text(frame, "home_post"),
            "pl_post": _text(frame, "pl_post"),
            "_row": frame["_row"],
        }
    )
    read_codes(source, "reason_place_change", codes.REASON_PLACE_CHANGE, findings)
    episodes = _drop_unusable(episodes, source.file, known_children, findings)
    episodes = episodes.sort_values(["child", "decom", "_row"], kind="stable").reset_index(
        drop=True
    )
    _report_overlaps(episodes, source.file, findings)
    return Episodes(episodes, source.file)


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[column].astype(object)


def _drop_unusable(
    episodes: pd.DataFrame, file: str, known: pd.Index, findings: Findings
) -> pd.DataFrame:
    orphan = ~episodes["child"].isin(known)
    for row, child in zip(episodes.loc[orphan, "_row"], episodes.loc[orphan, "child"], strict=True):
        findings.warn(
            file, int(row), "CHILD", child, "a child in the header table; episode ignored"
        )
    backwards = episodes["dec"].notna() & (episodes["dec"] < episodes["decom"])
    for row, dec in zip(
        episodes.loc[backwards, "_row"], episodes.loc[backwards, "dec"], strict=True
    ):
        findings.warn(
            file,
            int(row),
            "DEC",
            dec.date().isoformat(),
            "an end on or after DECOM; episode ignored",
        )
    kept = episodes.loc[~orphan & ~backwards & episodes["decom"].notna()]
    repeated = kept.duplicated(["child", "decom"], keep="last")
    for row, child in zip(kept.loc[repeated, "_row"], kept.loc[repeated, "child"], strict=True):
        findings.warn(
            file,
            int(row),
            "DECOM",
            child,
            "one episode per child and start date; the later row is used",
        )
    return kept.loc[~repeated]


def _report_overlaps(episodes: pd.DataFrame, file: str, findings: Findings) -> None:
    """An episode that starts before the previous one (same child) has ended."""
    same_child = episodes["child"].eq(episodes["child"].shift(1))
    previous_end = episodes["dec"].shift(1)
    previous_open = previous_end.isna()
    overlap = same_child & (previous_open | (previous_end > episodes["decom"]))
    rows: list[int] = [int(r) for r in episodes["_row"]]
    starts: list[str] = episodes["decom"].dt.strftime("%Y-%m-%d").tolist()
    ends: list[str] = previous_end.dt.strftime("%Y-%m-%d").fillna("").tolist()
    for i in np.flatnonzero(overlap.to_numpy()).tolist():
        what = f"ending {ends[i]}" if ends[i] else "still open"
        findings.warn(
            file, rows[i], "DECOM", starts[i],
            f"a start on or after the end of the child's previous episode (row {rows[i - 1]}, "
            f"{what}): overlapping episodes",
        )  # fmt: skip


def current_and_last(episodes: pd.DataFrame, as_of: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The episode open on ``as_of`` per child in care, and the last episode per other child."""
    stamp = pd.Timestamp(as_of)
    started = episodes.loc[episodes["decom"] <= stamp]
    is_open = started["dec"].isna() | (started["dec"] > stamp)
    current = started.loc[is_open].drop_duplicates("child", keep="last")
    closed = started.loc[~started["child"].isin(current["child"])]
    last = closed.drop_duplicates("child", keep="last")
    return current.set_index("child"), last.set_index("child")


def days_looked_after_since_14(episodes: pd.DataFrame, dob: pd.Series, as_of: date) -> pd.Series:
    """Days looked after from the 14th birthday to ``as_of``, per child (index: child)."""
    stamp = pd.Timestamp(as_of)
    born = episodes["child"].map(dob)
    fourteenth = born + pd.DateOffset(years=14)
    start = episodes["decom"].where(episodes["decom"] > fourteenth, fourteenth)
    end = episodes["dec"].fillna(stamp).where(lambda d: d <= stamp, stamp)
    days = (end - start).dt.days.clip(lower=0)
    return days.groupby(episodes["child"]).sum()


def left_care_as_care_leaver(
    last: pd.DataFrame, dob: pd.Series, eligible_days: pd.Series, as_of: date
) -> pd.Series:
    """Children whose last episode ended at 16+ for a leaving-care reason (bool, index: child)."""
    born = dob.reindex(last.index)
    reason_counts = last["rec"].map({k: v[0] for k, v in codes.REASON_EPISODE_CEASED.items()})
    aged = age_on(born, last["dec"]) >= CARE_LEAVER_MIN_AGE
    eligible = eligible_days.reindex(last.index).fillna(0) >= ELIGIBLE_DAYS_SINCE_14
    young_enough = age_on(born, pd.Timestamp(as_of)) < EPISODE_ONLY_MAX_AGE
    result = aged & eligible & young_enough & reason_counts.fillna(False).astype(bool)
    return result.fillna(False).astype(bool)
