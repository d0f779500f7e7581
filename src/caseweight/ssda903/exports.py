"""The two files that sit beside the return: the allocations export and a postcode lookup.

The SSDA903 return does not hold the allocated worker; the case-management
system (Mosaic, LiquidLogic, Eclipse) exports it as person, role, worker. There
is no internet at run time, so placement distances need a local lookup of
postcode (or sector, or outward code) to latitude and longitude.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from caseweight.io.tables import read_table
from caseweight.ssda903.reader import Findings, SourceTable, parse_dates

ROLE_WORDS = {
    "social_worker": "social_worker",
    "social worker": "social_worker",
    "sw": "social_worker",
    "personal_adviser": "personal_adviser",
    "personal adviser": "personal_adviser",
    "personal_advisor": "personal_adviser",
    "personal advisor": "personal_adviser",
    "pa": "personal_adviser",
}
EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)


@dataclass(frozen=True)
class Allocations:
    """Current worker per young person and role, from the case-management export."""

    file: str
    social_worker: dict[str, str]
    personal_adviser: dict[str, str]
    row_of: dict[str, int]  # person id -> first row, for messages


def read_allocations(path: str | Path, as_of: date, findings: Findings) -> Allocations:
    """Read the allocations export: ``person_id`` (or ``CHILD``), ``role``, ``worker_id``.

    Optional ``start_date``/``end_date`` columns keep only allocations current
    on ``as_of``. Two different current workers for one person and role is an
    error: the export does not say which one holds the case.
    """
    table = read_table(path, "allocations")
    frame = table.frame.copy()
    frame["_row"] = np.asarray(table.rows, dtype=np.int64)
    source = SourceTable("allocations", table.name, frame)
    person_column = "person_id" if "person_id" in frame.columns else "child"
    missing = [c for c in (person_column, "role", "worker_id") if c not in frame.columns]
    for column in missing:
        findings.error(table.name, 1, column, None, f"a column '{column}'")
    if missing:
        return Allocations(table.name, {}, {}, {})
    role = frame["role"].str.lower().map(ROLE_WORDS)
    for row, value in zip(
        frame.loc[role.isna(), "_row"], frame.loc[role.isna(), "role"], strict=True
    ):
        findings.error(table.name, int(row), "role", value, "social_worker or personal_adviser")
    for column in (person_column, "worker_id"):
        for row in frame.loc[frame[column] == "", "_row"]:
            findings.error(table.name, int(row), column, "", "an identifier")
    kept = pd.DataFrame(
        {
            "person": frame[person_column],
            "role": role,
            "worker": frame["worker_id"],
            "_row": frame["_row"],
        }
    ).loc[_current(source, as_of, findings) & role.notna()]
    kept = kept.drop_duplicates(["person", "role", "worker"])
    _report_clashes(kept, table.name, findings)
    by_role = {
        name: dict(zip(part["person"], part["worker"], strict=True))
        for name, part in kept.groupby("role", sort=True)
    }
    row_of = dict(zip(kept["person"], kept["_row"].astype(int), strict=True))
    return Allocations(
        table.name, by_role.get("social_worker", {}), by_role.get("personal_adviser", {}), row_of
    )


def _current(source: SourceTable, as_of: date, findings: Findings) -> pd.Series:
    """Rows current on ``as_of`` by the optional ``start_date`` / ``end_date`` columns."""
    frame = source.frame
    current = pd.Series(True, index=frame.index)
    stamp = pd.Timestamp(as_of)
    if "start_date" in frame.columns:
        start = parse_dates(
            source, "start_date", findings, required=False, fatal=True, label="start_date"
        )
        current &= start.isna() | (start <= stamp)
    if "end_date" in frame.columns:
        end = parse_dates(
            source, "end_date", findings, required=False, fatal=True, label="end_date"
        )
        current &= end.isna() | (end > stamp)
    return current


def _report_clashes(kept: pd.DataFrame, file: str, findings: Findings) -> None:
    """Two different current workers for one person and role: the export is ambiguous."""
    clash = kept.duplicated(["person", "role"], keep=False)
    for (person, role), group in kept.loc[clash].groupby(["person", "role"], sort=True):
        rows = [int(r) for r in group["_row"]]
        findings.error(
            file, rows[-1], "worker_id", ", ".join(group["worker"]),
            f"one current {role} for person {person} (rows {', '.join(map(str, rows))})",
        )  # fmt: skip


def read_postcodes(path: str | Path, findings: Findings) -> dict[str, tuple[float, float]]:
    """Read a lookup of ``postcode`` (full, sector or outward code) -> ``latitude``, ``longitude``."""  # noqa: E501
    table = read_table(path, "postcodes")
    frame = table.frame
    missing = [c for c in ("postcode", "latitude", "longitude") if c not in frame.columns]
    for column in missing:
        findings.error(table.name, 1, column, None, f"a column '{column}'")
    if missing:
        return {}
    lat = pd.to_numeric(frame["latitude"], errors="coerce")
    lon = pd.to_numeric(frame["longitude"], errors="coerce")
    bad = lat.isna() | lon.isna() | (lat.abs() > 90) | (lon.abs() > 180)
    lat_text: list[str] = frame["latitude"].tolist()
    lon_text: list[str] = frame["longitude"].tolist()
    for i in np.flatnonzero(bad.to_numpy()).tolist():
        findings.error(
            table.name,
            table.rows[i],
            "latitude/longitude",
            f"{lat_text[i]}, {lon_text[i]}",
            "latitude -90..90 and longitude -180..180",
        )
    keys = normalise_postcode(frame["postcode"])
    good = ~bad & (keys != "")
    return dict(zip(keys[good], zip(lat[good], lon[good], strict=True), strict=True))


def normalise_postcode(values: pd.Series) -> pd.Series:
    """Upper case, no spaces: ``'sw1a 1aa '`` -> ``'SW1A1AA'``."""
    return values.astype(str).str.upper().str.replace(r"\s+", "", regex=True)


def _candidates(values: pd.Series) -> list[pd.Series]:
    """Full postcode, then sector (outward + first inward digit), then outward code."""
    full = normalise_postcode(values)
    long_enough = full.str.len() >= 5
    sector = full.str[:-2].where(long_enough, "")
    outward = full.str[:-3].where(long_enough, full)
    return [full, sector, outward]


def locate(
    values: pd.Series, lookup: dict[str, tuple[float, float]]
) -> tuple[pd.Series, pd.Series]:
    """Latitude and longitude of each postcode (NaN where the lookup has no match)."""
    lat = pd.Series(np.nan, index=values.index)
    lon = pd.Series(np.nan, index=values.index)
    lats = {k: v[0] for k, v in lookup.items()}
    lons = {k: v[1] for k, v in lookup.items()}
    for keys in _candidates(values):
        missing = lat.isna() & (keys != "")
        lat = lat.where(~missing, keys.map(lats))
        lon = lon.where(~missing, keys.map(lons))
    return lat.astype(float), lon.astype(float)


def great_circle_km(
    lat1: pd.Series, lon1: pd.Series, lat2: pd.Series, lon2: pd.Series
) -> pd.Series:
    """Haversine distance in kilometres (NaN where any coordinate is missing)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(lon2) - np.radians(lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return pd.Series(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(h.clip(0, 1))), index=lat1.index)
