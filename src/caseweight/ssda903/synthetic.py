"""A seeded generator of SSDA903 tables from a contract cases table (for tests and demos).

``generate_ssda903(cases, as_of, seed)`` writes, for each young person, the
episodes, UASC, missing, OC3 and social-worker rows that the return would hold
for them, plus the case-management allocations export and a *fictional*
postcode lookup (``ZZ`` postcodes, which do not exist in the UK) that gives
each placement exactly its distance. It also returns ``expected``: what an
import of these tables should give back. ``expected`` differs from the input
only where the return cannot carry an attribute (see ``docs/ssda903.md``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from caseweight.ssda903 import codes
from caseweight.ssda903.build import CASES_COLUMNS

HOME = ("ZZ1 1AA", 52.5, -1.5)  # fictional home postcode and its coordinates
KM_PER_DEGREE = 6371.0088 * math.pi / 180
MOVE_REASONS = ("CARPL", "CREQB", "CREQO", "LAREQ", "CHILD", "STAND")
NOT_DISABLED_CIN = ("N1", "N3", "N4", "N5", "N6", "N7", "N8")
ETHNIC = ("WBRI", "WOTH", "MWBC", "AIND", "APKN", "BAFR", "BCRB", "OOTH")
# attributes the return carries (compared by the round trip)
CARRIED = (
    "person_id", "date_of_birth", "status", "current_social_worker", "current_personal_adviser",
    "legal_status", "placement_type", "placement_distance_km", "placement_moves_12m",
    "missing_episodes_12m", "worker_changes_12m", "uasc", "disability", "neet", "young_parent",
)  # fmt: skip


@dataclass
class SyntheticReturn:
    """SSDA903 tables (text cells), the allocations export, the postcode lookup, the expectation."""

    tables: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    allocations: list[dict[str, str]] = field(default_factory=list)
    postcodes: list[dict[str, str]] = field(default_factory=lambda: [_postcode_row(*HOME)])
    expected: list[dict[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def frame(self, name: str) -> pd.DataFrame:
        rows = self.tables.get(name, [])
        columns = list(TABLE_COLUMNS[name])
        extra = [c for c in (rows[0] if rows else {}) if c not in columns]
        return pd.DataFrame(rows, columns=columns + extra, dtype=object)


TABLE_COLUMNS = {
    "header": ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"],
    "episodes": [
        "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
        "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN",
    ],
    "uasc": ["CHILD", "SEX", "DOB", "DUC"],
    "missing": ["CHILD", "SEX", "DOB", "MISSING", "MIS_START", "MIS_END"],
    "oc3": ["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"],
    "socialworker": ["CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"],
}  # fmt: skip


def _postcode_row(postcode: str, lat: float, lon: float) -> dict[str, str]:
    return {"postcode": postcode, "latitude": f"{lat:.6f}", "longitude": f"{lon:.6f}"}


def uk(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def as_text(cases: pd.DataFrame) -> pd.DataFrame:
    """A contract cases table with every cell as contract text ('' for missing)."""

    def cell(value: object) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
            return ""
        if isinstance(value, bool | np.bool_):
            return "true" if value else "false"
        if isinstance(value, datetime | pd.Timestamp):
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, float | np.floating) and float(value).is_integer():
            return str(int(value))
        return str(value).strip()

    text = cases.astype(object).map(cell)
    text.columns = [str(c).strip().lower() for c in text.columns]
    return text


def truthy(text: str) -> bool:
    return text.strip().lower() in {"true", "yes", "y", "1"}


def generate_ssda903(cases: pd.DataFrame, as_of: date, seed: int = 0) -> SyntheticReturn:
    """SSDA903 tables for every young person in ``cases`` on ``as_of`` (seeded).

    Parameters
    ----------
    cases:
        A contract cases table (text as read from CSV, or typed as a generator
        returns it).
    as_of:
        The date the tables describe; episodes open on it are "in care".
    seed:
        Seed for ``numpy.random.default_rng``: same seed, same tables.
    """
    rng = np.random.default_rng(seed)
    out = SyntheticReturn()
    for name in TABLE_COLUMNS:
        out.tables[name] = []
    window_start = add_years(as_of, -1)
    records: list[dict[str, str]] = [
        {str(k): str(v) for k, v in r.items()} for r in as_text(cases).to_dict("records")
    ]
    for index, person in enumerate(records):
        if describable(person, as_of):
            _Person(person, index, as_of, window_start, rng, out).write()
        else:
            out.skipped.append(person["person_id"])
    return out


def describable(person: dict[str, str], as_of: date) -> bool:
    """In care and born by ``as_of``, or a care leaver aged 16 to 24: the return can hold them."""
    born = date.fromisoformat(person["date_of_birth"])
    if person["status"] == "in_care":
        return born <= as_of
    return add_years(born, 16) < as_of and add_years(born, 25) > as_of


class _Person:
    """Writes one young person's rows; records what an import should give back."""

    def __init__(
        self, person: dict[str, str], index: int, as_of: date, window_start: date,
        rng: np.random.Generator, out: SyntheticReturn,
    ) -> None:  # fmt: skip
        self.p, self.index, self.as_of, self.window_start = person, index, as_of, window_start
        self.rng, self.out = rng, out
        self.child = person["person_id"]
        self.dob = date.fromisoformat(person["date_of_birth"])
        self.expected = {c: person.get(c, "") for c in CASES_COLUMNS}
        self.leaver = person["status"] == "care_leaver"
        self.left_with = ""
        if self.leaver:  # the return holds placement postcodes only for children in care
            self.expected["placement_distance_km"] = ""

    def pick(self, options: tuple[str, ...]) -> str:
        return str(options[int(self.rng.integers(len(options)))])

    def days(self, low: date, high: date, count: int) -> list[date]:
        """``count`` distinct days in ``[low, high]`` (fewer if the range is short), sorted."""
        span = (high - low).days + 1
        if span <= 0 or count <= 0:
            return []
        chosen = self.rng.choice(span, size=min(count, span), replace=False)
        return sorted(low + timedelta(days=int(d)) for d in chosen)

    def write(self) -> None:
        sex = "2" if truthy(self.p.get("young_parent", "")) else self.pick(("1", "2"))
        self._header(sex)
        start, end = self._care_period()
        episodes_kept = self._episodes(start, end)
        self._missing(start, end)
        self._social_workers(start, end)
        self._uasc(sex, end)
        if self.leaver:
            self._oc3(end)
        self._allocations()
        self._expect_derived(episodes_kept)
        self.out.expected.append(self.expected)

    def _header(self, sex: str) -> None:
        parent = truthy(self.p.get("young_parent", ""))
        mother = ("1" if parent else "0") if sex == "2" else ""
        self.expected["young_parent"] = "true" if parent else ("false" if sex == "2" else "")
        self.out.tables["header"].append(
            {"CHILD": self.child, "SEX": sex, "DOB": uk(self.dob), "ETHNIC": self.pick(ETHNIC),
             "UPN": f"UPN{self.index:07d}", "MOTHER": mother, "MC_DOB": ""}
        )  # fmt: skip

    def _care_period(self) -> tuple[date, date | None]:
        """Start of care and, for a care leaver, the day care ended."""
        if not self.leaver:
            earliest = max(self.dob, add_years(self.as_of, -6))
            room = max(1, (self.as_of - earliest).days - 30)
            return earliest + timedelta(days=int(self.rng.integers(room))), None
        eighteenth = add_years(self.dob, 18)
        if eighteenth <= self.as_of:
            end = eighteenth
        else:
            sixteenth = add_years(self.dob, 16)
            end = self.days(sixteenth, self.as_of - timedelta(days=1), 1)[0]
        return end - timedelta(days=int(self.rng.integers(120, 1500))), end

    def _in_window(self, start: date, end: date | None, count: int) -> list[date]:
        low = max(start + timedelta(days=1), self.window_start + timedelta(days=1))
        high = self.as_of if end is None else end - timedelta(days=1)
        return self.days(low, high, count)

    def _episodes(self, start: date, end: date | None) -> bool:
        wanted = int(self.p.get("placement_moves_12m") or 0)
        moves = self._in_window(start, end, wanted)
        last_day = self.as_of if end is None else end - timedelta(days=1)
        before = self.days(
            start + timedelta(days=1),
            min(self.window_start, last_day),
            int(self.rng.integers(0, 3)),
        )
        changes = [(d, "P") for d in before + moves]
        taken = {d for d, _ in changes}
        legal = [
            d for d in self._in_window(start, end, 1) if d not in taken and self.rng.random() < 0.2
        ]
        changes = sorted(changes + [(d, "L") for d in legal])
        self.expected["placement_moves_12m"] = str(len(moves))
        omit = (
            self.leaver and end is not None and end <= self.window_start and self.rng.random() < 0.5
        )
        if omit:  # an older care leaver's episodes are in earlier years' returns
            self.expected["disability"] = ""
            return False
        self._episode_rows(start, end, changes)
        return True

    def _final_codes(self) -> tuple[str, str, str]:
        legal = self.p.get("legal_status", "") or "care_order"
        ls = codes.PREFERRED_LS.get(legal, "C2")
        place_type = self.p.get("placement_type", "")
        if self.leaver or place_type not in codes.PREFERRED_PLACE:
            place_type = "foster"
        place = self.pick(codes.PREFERRED_PLACE[place_type])
        disabled = truthy(self.p.get("disability", ""))
        cin = codes.DISABILITY_CIN if disabled else self.pick(NOT_DISABLED_CIN)
        self.expected["disability"] = "true" if disabled else "false"
        if not self.leaver:
            self.expected["legal_status"] = codes.LEGAL_STATUS[ls][0]
            self.expected["placement_type"] = codes.PLACEMENT_TYPE[place][0]
        return ls, place, cin

    def _episode_rows(self, start: date, end: date | None, changes: list[tuple[date, str]]) -> None:
        ls, place, cin = self._final_codes()
        first_ls = "V2" if ls == "C1" else "C1"
        starts = [(start, "S"), *changes]
        has_legal = any(r == "L" for _, r in changes)
        current_ls = first_ls if has_legal else ls
        for i, (began, reason) in enumerate(starts):
            last = i == len(starts) - 1
            current_ls = ls if reason == "L" else current_ls
            ended = end if last else starts[i + 1][0]
            self.out.tables["episodes"].append({
                "CHILD": self.child, "DECOM": uk(began), "RNE": reason, "LS": current_ls,
                "CIN": cin, "PLACE": place if last else self.pick(codes.PREFERRED_PLACE["foster"]),
                "PLACE_PROVIDER": self.pick(("PR1", "PR4")),
                "DEC": "" if ended is None else uk(ended),
                "REC": "" if ended is None else ("X1" if not last else self._leaving_reason()),
                "REASON_PLACE_CHANGE": self.pick(MOVE_REASONS) if reason == "P" else "",
                "HOME_POST": HOME[0], "PL_POST": self._placement_postcode() if last else "",
                "URN": "",
            })  # fmt: skip

    def _leaving_reason(self) -> str:
        if self.p.get("placement_type") == "staying_put" and add_years(self.dob, 18) <= self.as_of:
            self.left_with = codes.STAYING_PUT_REC
        else:
            self.left_with = self.pick(("E5", "E6", "E4A", "E8"))
        return self.left_with

    def _placement_postcode(self) -> str:
        distance = self.p.get("placement_distance_km", "")
        if self.leaver or distance == "":
            self.expected["placement_distance_km"] = ""
            return ""
        km = float(distance)
        postcode = f"ZZ{2 + self.index // 6760} {self.index % 10}{chr(65 + (self.index // 10) % 26)}{chr(65 + (self.index // 260) % 26)}"  # noqa: E501
        self.out.postcodes.append(_postcode_row(postcode, HOME[1] + km / KM_PER_DEGREE, HOME[2]))
        self.expected["placement_distance_km"] = f"{km:.1f}"
        return postcode

    def _missing(self, start: date, end: date | None) -> None:
        wanted = int(self.p.get("missing_episodes_12m") or 0)
        when = self._in_window(start, end, wanted)
        self.expected["missing_episodes_12m"] = str(len(when))
        away = self._in_window(start, end, 1) if self.rng.random() < 0.1 else []
        for day, kind in [(d, "M") for d in when] + [(d, "A") for d in away]:
            self.out.tables["missing"].append(
                {"CHILD": self.child, "SEX": "", "DOB": uk(self.dob), "MISSING": kind,
                 "MIS_START": uk(day), "MIS_END": uk(day + timedelta(days=1))}
            )  # fmt: skip

    def _social_workers(self, start: date, end: date | None) -> None:
        wanted = int(self.p.get("worker_changes_12m") or 0)
        changes = self._in_window(start, end, wanted)
        self.expected["worker_changes_12m"] = str(len(changes))
        spells = [start, *changes]
        for i, began in enumerate(spells):
            ended = spells[i + 1] if i + 1 < len(spells) else end
            self.out.tables["socialworker"].append(
                {"CHILD": self.child, "DOB": uk(self.dob), "SW_ID": f"SWE{self.rng.integers(10**6):06d}",  # noqa: E501
                 "SW_DECOM": uk(began), "SW_DEC": "" if ended is None else uk(ended),
                 "SW_REASON": "" if i + 1 == len(spells) else self.pick(("MANAGE", "LEFTRL", "ORGRST"))}  # noqa: E501
            )  # fmt: skip

    def _uasc(self, sex: str, end: date | None) -> None:
        if truthy(self.p.get("uasc", "")):
            duc = ""
        elif not self.leaver and self.rng.random() < 0.03:  # former UASC, status settled
            duc = uk(self.as_of - timedelta(days=int(self.rng.integers(1, 300))))
        else:
            self.expected["uasc"] = "false"
            return
        self.expected["uasc"] = "true" if duc == "" else "false"
        self.out.tables["uasc"].append(
            {"CHILD": self.child, "SEX": sex, "DOB": uk(self.dob), "DUC": duc}
        )

    def _oc3(self, end: date | None) -> None:
        place_type = self.p.get("placement_type", "")
        if place_type in codes.PREFERRED_ACCOM:
            accom = self.pick(codes.PREFERRED_ACCOM[place_type]) + self.pick(("1", "1", "1", "2"))
        elif place_type == "":
            accom = codes.ACCOM_NOT_KNOWN
        else:
            accom = "Y1"
        decoded = codes.accommodation_placement(accom)[1]
        staying = accom == "0" and self.left_with == codes.STAYING_PUT_REC
        self.expected["placement_type"] = "staying_put" if staying else (decoded or "")
        neet = truthy(self.p.get("neet", ""))
        parent = truthy(self.p.get("young_parent", ""))
        activ = ("G6" if parent else "G5") if neet else self.pick(("F1", "F2", "F5", "P4"))
        self.expected["neet"] = "true" if neet else "false"
        if activ == "G6":
            self.expected["young_parent"] = "true"
        self.out.tables["oc3"].append(
            {
                "CHILD": self.child,
                "DOB": uk(self.dob),
                "IN_TOUCH": "YES",
                "ACTIV": activ,
                "ACCOM": accom,
            }
        )

    def _allocations(self) -> None:
        for role, column in (
            ("social_worker", "current_social_worker"),
            ("personal_adviser", "current_personal_adviser"),
        ):
            worker = self.p.get(column, "")
            if worker:
                self.out.allocations.append(
                    {"person_id": self.child, "role": role, "worker_id": worker}
                )

    def _expect_derived(self, episodes_kept: bool) -> None:
        for column in (
            "team",
            "health_needs",
            "ehcp",
            "exploitation_risk",
            "sibling_group",
            "needs_skills",
        ):
            self.expected[column] = ""
        if self.leaver:
            for column in ("legal_status", "court_proceedings", "youth_justice"):
                self.expected[column] = ""
            return
        self.expected["neet"] = ""
        ls = codes.PREFERRED_LS.get(self.p.get("legal_status", "") or "care_order", "C2")
        self.expected["court_proceedings"] = "true" if ls in codes.COURT_PROCEEDINGS_LS else ""
        justice = ls in codes.YOUTH_JUSTICE_LS or self.expected["placement_type"] == "custody"
        self.expected["youth_justice"] = "true" if justice else ""
