"""The scenario file: a base (data files, config, as-of date) plus changes.

Scenario files are YAML (format in ``docs/scenarios.md``). Every key is
checked here, before any data is read or any solver runs; a mistake is a
:class:`ScenarioError` naming the file, the line and the key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from caseweight.config import ROLES
from caseweight.errors import CaseweightError
from caseweight.io.tables import parse_date

DEMAND_KINDS = ("all", "in_care", "care_leaver", "uasc")
POLICY_KEYS = {
    "personal_adviser_from_age": ("personal_adviser_from_age",),
    "hard_limit": ("capacity", "hard_limit"),
    "target_utilisation": ("capacity", "target_utilisation"),
    "change_penalty": ("optimiser", "change_penalty"),
}
WORKER_FIELDS = (
    "worker_id", "role", "fte", "name", "grade", "team", "capacity_points", "max_cases",
    "skills", "accepting_new", "leaving_on", "agency",
)  # fmt: skip
_CHANGE = re.compile(r"^([+-]?)\s*(\d+(?:\.\d+)?)\s*(%?)$")


class ScenarioError(CaseweightError):
    """A scenario file that cannot be run, with every problem and its line."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__(
            "\n".join(["problem(s) in the scenario:", *(f"  - {m}" for m in messages)])
        )


class LineDict(dict[str, Any]):
    """A YAML mapping that remembers the line of each of its keys (1-based)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line = 0
        self.lines: dict[str, int] = {}


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    out = LineDict()
    out.line = node.start_mark.line + 1
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = str(loader.construct_object(key_node, deep=True))
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass(frozen=True)
class DemandChange:
    """More or fewer young people of a kind: ``+20%``, ``-10%``, ``+30``."""

    kind: str
    sign: int
    amount: float
    percent: bool
    min_age: int | None = None
    max_age: int | None = None
    line: int = 0

    def count(self, present: int) -> int:
        """How many young people to add (positive) or remove (negative)."""
        size = present * self.amount / 100 if self.percent else self.amount
        return self.sign * int(size + 0.5)


@dataclass(frozen=True)
class Scenario:
    """A validated scenario file; paths are absolute."""

    name: str
    path: Path
    cases: Path
    workers: Path
    as_of: date
    config: Path | None = None
    hr: Path | None = None
    description: str = ""
    seed: int = 0
    time_limit: float | None = None
    add_workers: tuple[dict[str, Any], ...] = ()
    remove_workers: tuple[tuple[str, int], ...] = ()
    modify_workers: tuple[dict[str, Any], ...] = ()
    hr_rows: tuple[tuple[dict[str, Any], int], ...] = ()
    demand: tuple[DemandChange, ...] = ()
    config_overrides: dict[str, Any] = field(default_factory=dict)
    line_of: dict[str, int] = field(default_factory=dict)

    def where(self, key: str) -> str:
        line = self.line_of.get(key)
        return f"{self.path.name}, line {line}" if line else self.path.name


class _Checker:
    """Collects every problem of one scenario file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.messages: list[str] = []

    def add(self, line: int, key: str, value: Any, expected: str) -> None:
        self.messages.append(
            f"{self.path.name}, line {line}, '{key}': got {value!r}; expected {expected}"
        )

    def mapping(self, data: Any, line: int, key: str, allowed: tuple[str, ...]) -> LineDict:
        if not isinstance(data, LineDict):
            self.add(line, key, data, "a mapping of " + ", ".join(allowed))
            return LineDict()
        for unknown in sorted(set(data) - set(allowed)):
            self.add(data.lines[unknown], unknown, data[unknown], "one of " + ", ".join(allowed))
        return data

    def typed(self, data: LineDict, key: str, check: Callable[[Any], Any], expected: str) -> Any:
        if key not in data:
            return None
        try:
            return check(data[key])
        except (TypeError, ValueError):
            self.add(data.lines[key], key, data[key], expected)
            return None


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate one scenario file.

    Raises
    ------
    ScenarioError
        For an unreadable file, bad YAML, an unknown key or a wrong value, with the line.
    """
    path = Path(path).resolve()
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except OSError as exc:
        raise ScenarioError([f"{path.name}: cannot read the scenario ({exc.strerror})"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark else ""
        raise ScenarioError([f"{path.name}{line}: not valid YAML ({exc})"]) from None
    check = _Checker(path)
    top = check.mapping(
        data, 1, "scenario", ("name", "description", "base", "seed", "time_limit", "changes")
    )
    base = check.mapping(
        top.get("base"), top.lines.get("base", 1), "base",
        ("cases", "workers", "config", "hr", "as_of"),
    )  # fmt: skip
    for required in ("cases", "workers", "as_of"):
        if required not in base:
            check.add(base.line or 1, "base", None, f"base.{required}")
    files = {k: _file(check, base, k, path.parent) for k in ("cases", "workers", "config", "hr")}
    as_of = check.typed(base, "as_of", _as_date, "a date YYYY-MM-DD")
    seed = check.typed(top, "seed", _whole, "a whole number >= 0")
    limit = check.typed(top, "time_limit", _positive, "seconds > 0")
    changes = _changes(check, top.get("changes", LineDict()), top.lines.get("changes", 1))
    if check.messages:
        raise ScenarioError(check.messages)
    return Scenario(
        name=str(top.get("name") or path.stem),
        path=path,
        cases=files["cases"],  # type: ignore[arg-type]
        workers=files["workers"],  # type: ignore[arg-type]
        as_of=as_of,
        config=files["config"],
        hr=files["hr"],
        description=str(top.get("description") or "").strip(),
        seed=seed or 0,
        time_limit=limit,
        **changes,
    )


def _file(check: _Checker, base: LineDict, key: str, folder: Path) -> Path | None:
    if key not in base:
        return None
    target = (folder / str(base[key])).resolve()
    if not target.is_file():
        check.add(base.lines[key], key, base[key], f"an existing file (looked for {target})")
    return target


def _as_date(value: Any) -> date:
    parsed = value if isinstance(value, date) else parse_date(str(value))
    if parsed is None:
        raise ValueError(value)
    return parsed


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(value)
    return value


def _positive(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError(value)
    return float(value)


def _changes(check: _Checker, data: Any, line: int) -> dict[str, Any]:
    keys = ("add_workers", "remove_workers", "modify_workers", "hr", "demand", "policy")
    changes = check.mapping(data, line, "changes", keys)
    return {
        "add_workers": tuple(_workers(check, changes, "add_workers", adding=True)),
        "remove_workers": tuple(_removals(check, changes)),
        "modify_workers": tuple(_workers(check, changes, "modify_workers", adding=False)),
        "hr_rows": tuple(
            (dict(row), row.line) for row in _rows(check, changes, "hr") if isinstance(row, dict)
        ),
        "demand": tuple(_demand(check, row) for row in _rows(check, changes, "demand")),
        "config_overrides": _policy(check, changes),
        "line_of": {k: changes.lines[k] for k in changes},
    }


def _rows(check: _Checker, changes: LineDict, key: str) -> list[LineDict]:
    rows = changes.get(key, [])
    if not isinstance(rows, list) or not all(isinstance(r, LineDict) for r in rows):
        check.add(changes.lines.get(key, changes.line), key, rows, "a list of mappings")
        return []
    return rows


def _workers(check: _Checker, changes: LineDict, key: str, adding: bool) -> list[dict[str, Any]]:
    out = []
    allowed = (*WORKER_FIELDS, "count") if adding else WORKER_FIELDS
    for row in _rows(check, changes, key):
        check.mapping(row, row.line, key, allowed)
        needed = ("role",) if adding else ("worker_id",)
        for missing in (k for k in needed if k not in row):
            check.add(row.line, key, dict(row), f"a '{missing}' for each worker")
        if "role" in row and row["role"] not in ROLES:
            check.add(row.lines["role"], "role", row["role"], " | ".join(ROLES))
        check.typed(row, "fte", _fte, "an FTE in (0, 1]")
        count = check.typed(row, "count", _whole, "a whole number >= 1")
        out.append({**row, "line": row.line, "count": count or 1})
    return out


def _fte(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise ValueError(value)
    return float(value)


def _removals(check: _Checker, changes: LineDict) -> list[tuple[str, int]]:
    ids = changes.get("remove_workers", [])
    line = changes.lines.get("remove_workers", changes.line)
    if not isinstance(ids, list):
        check.add(line, "remove_workers", ids, "a list of worker ids")
        return []
    return [(str(i), line) for i in ids]


def _demand(check: _Checker, row: LineDict) -> DemandChange:
    check.mapping(row, row.line, "demand", ("kind", "change", "age"))
    kind = row.get("kind", "all")
    if kind not in DEMAND_KINDS:
        check.add(row.lines.get("kind", row.line), "kind", kind, " | ".join(DEMAND_KINDS))
    match = _CHANGE.match(str(row.get("change", "")).strip())
    if not match:
        check.add(row.lines.get("change", row.line), "change", row.get("change"),
                  "a change such as +20%, -10% or +30")  # fmt: skip
        return DemandChange(kind, 1, 0.0, False, line=row.line)
    low, high = None, None
    if "age" in row:
        ages = row["age"]
        if not (
            isinstance(ages, list) and len(ages) == 2 and all(isinstance(a, int) for a in ages)
        ):
            check.add(row.lines["age"], "age", ages, "[youngest, oldest] in whole years")
        else:
            low, high = ages
    sign, amount, percent = match.groups()
    return DemandChange(kind, -1 if sign == "-" else 1, float(amount), bool(percent),
                        low, high, row.line)  # fmt: skip


def _policy(check: _Checker, changes: LineDict) -> dict[str, Any]:
    """Policy keys and config sections as one nested override of the config."""
    policy = check.mapping(
        changes.get("policy", LineDict()), changes.lines.get("policy", 1), "policy",
        (*POLICY_KEYS, "weights", "capacity", "optimiser"),
    )  # fmt: skip
    out: dict[str, Any] = {}
    for key, value in policy.items():
        if key in POLICY_KEYS:
            *parents, leaf = POLICY_KEYS[key]
            target = out
            for parent in parents:
                target = target.setdefault(parent, {})
            target[leaf] = value
        else:
            merge(out.setdefault(key, {}), value)
    return out


def merge(into: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge ``extra`` into ``into`` (mappings merge, anything else replaces)."""
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = dict(value) if isinstance(value, Mapping) else value
    return into
