"""The weighting model and optimiser settings, loaded once into typed objects.

Every field has a default calibrated to ``shared/docs/domain.md``; the same
defaults, with their sources, are written out in ``config/weights.yaml``. An
empty or partial file means the defaults for whatever is missing; an unknown
key or a value of the wrong type is a :class:`~caseweight.errors.ConfigError`
naming the key.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from caseweight.errors import ConfigError

ROLES = ("social_worker", "personal_adviser")
LEGAL_STATUSES = (
    "care_order",
    "interim_care_order",
    "section_20",
    "placement_order",
    "remand",
    "other",
)
PLACEMENT_TYPES = (
    "foster",
    "kinship",
    "residential",
    "secure",
    "supported_accommodation",
    "independent_living",
    "placed_with_parents",
    "custody",
    "staying_put",
    "adoption",
    "other",
)
EXPLOITATION_LEVELS = ("none", "low", "medium", "high")
NEEDS_FLAGS = (
    "uasc",
    "disability",
    "health_needs",
    "ehcp",
    "youth_justice",
    "court_proceedings",
    "neet",
    "young_parent",
)


@dataclass(frozen=True)
class AgeBand:
    """Base points from ``from_age`` (whole years) up to the next band."""

    from_age: int
    points: float


@dataclass(frozen=True)
class DistanceBand:
    """Points for a placement at least ``from_km`` away (the highest band met counts)."""

    from_km: float
    points: float


@dataclass(frozen=True)
class CountFactor:
    """``per_item`` points for each event, capped at ``max_points``."""

    per_item: float
    max_points: float


def _frozen_map(**values: float) -> dict[str, float]:
    return dict(values)


@dataclass(frozen=True)
class Weights:
    """Points that make up a young person's complexity score."""

    base_in_care: tuple[AgeBand, ...] = (
        AgeBand(0, 3.0),
        AgeBand(5, 3.0),
        AgeBand(12, 3.5),
        AgeBand(16, 3.5),
    )
    base_care_leaver: tuple[AgeBand, ...] = (
        AgeBand(16, 2.5),
        AgeBand(18, 2.0),
        AgeBand(21, 1.5),
    )
    legal_status: dict[str, float] = field(
        default_factory=lambda: _frozen_map(
            care_order=0.0,
            interim_care_order=1.0,
            section_20=0.5,
            placement_order=1.0,
            remand=2.0,
            other=0.0,
        )
    )
    placement_type: dict[str, float] = field(
        default_factory=lambda: _frozen_map(
            foster=0.0,
            kinship=0.5,
            residential=1.5,
            secure=3.0,
            supported_accommodation=1.0,
            independent_living=0.0,
            placed_with_parents=1.0,
            custody=2.0,
            staying_put=0.0,
            adoption=0.5,
            other=0.5,
        )
    )
    placement_distance: tuple[DistanceBand, ...] = (
        DistanceBand(20.0, 0.5),
        DistanceBand(32.0, 1.0),
        DistanceBand(80.0, 1.5),
    )
    placement_moves: CountFactor = CountFactor(per_item=0.5, max_points=2.0)
    missing_episodes: CountFactor = CountFactor(per_item=0.5, max_points=2.0)
    exploitation_risk: dict[str, float] = field(
        default_factory=lambda: _frozen_map(none=0.0, low=0.5, medium=1.5, high=3.0)
    )
    flags: dict[str, float] = field(
        default_factory=lambda: _frozen_map(
            uasc=1.0,
            disability=1.0,
            health_needs=0.5,
            ehcp=0.5,
            youth_justice=1.5,
            court_proceedings=2.0,
            neet=0.5,
            young_parent=1.0,
        )
    )
    personal_adviser_share: float = 0.3


@dataclass(frozen=True)
class CapacityConfig:
    """How many points a worker can hold."""

    points_per_fte: dict[str, float] = field(
        default_factory=lambda: _frozen_map(social_worker=85.0, personal_adviser=85.0)
    )
    grade_factor: dict[str, float] = field(
        default_factory=lambda: _frozen_map(
            asye=0.85,
            social_worker=1.0,
            senior_practitioner=0.9,
            advanced_practitioner=0.8,
            personal_adviser=1.0,
            senior_personal_adviser=0.9,
        )
    )
    target_utilisation: float = 1.0
    hard_limit: float = 1.2
    no_new_cases_days_before_leaving: int = 90
    no_new_cases_days_before_absence: int = 90


@dataclass(frozen=True)
class BalancePiece:
    """From ``beyond`` percentage points past the target, the penalty rises by ``slope``."""

    beyond: int
    slope: float


#: The range ``optimiser.machine_speed`` may take: a plan more than this many
#: times off the machine would leave the clock, not the plan, deciding the work.
MIN_MACHINE_SPEED = 0.25
MAX_MACHINE_SPEED = 8.0


@dataclass(frozen=True)
class OptimiserConfig:
    """Soft-rule prices (in penalty units) and solver settings."""

    change_penalty: int = 115
    change_penalty_per_recent_change: int = 30
    transition_change_multiplier: float = 2.0
    previous_worker_discount: float = 0.5
    agency_cover_risk: float = 0.0
    team_mismatch_penalty: int = 10
    sibling_split_penalty: int = 30
    skill_mismatch_penalty: int = 20
    unallocated_penalty: int = 2000
    personal_adviser_due_unallocated_penalty: int = 600
    personal_adviser_due_per_month_of_age: int = 10
    balance_above_target: tuple[BalancePiece, ...] = (
        BalancePiece(0, 3.0),
        BalancePiece(10, 8.0),
        BalancePiece(20, 12.0),
        BalancePiece(35, 30.0),
        BalancePiece(40, 100.0),
    )
    balance_below_target: tuple[BalancePiece, ...] = tuple(
        BalancePiece(10 * k, 0.5 * (k + 1)) for k in range(10)
    )
    candidates_outside_team: int = 8
    time_limit_seconds: float = 10.0
    seed: int = 0
    search_workers: int = 2
    #: how many times as fast as the solver's planning figures this machine
    #: runs (``caseweight calibrate`` measures it); the work is planned from
    #: the time limit times this, so it is part of what makes a proposal
    machine_speed: float = 1.0


@dataclass(frozen=True)
class Config:
    """Everything configurable, with defaults for every field."""

    version: str = "2026.11e-default"
    personal_adviser_from_age: float = 16.0
    transition_months: int = 6
    weights: Weights = field(default_factory=Weights)
    capacity: CapacityConfig = field(default_factory=CapacityConfig)
    optimiser: OptimiserConfig = field(default_factory=OptimiserConfig)

    def __post_init__(self) -> None:
        _check(self)

    @property
    def sha256(self) -> str:
        """Digest of the effective configuration (comments and key order do not count)."""
        text = json.dumps(config_to_dict(self), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    @classmethod
    def from_file(cls, path: str | Path | None) -> Config:
        """Load ``path`` over the defaults; ``None`` gives the defaults."""
        if path is None:
            return cls()
        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read the config file ({exc.strerror})") from None
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML ({exc})") from None
        return cls.from_dict(data or {}, source=path.name)

    @classmethod
    def from_dict(cls, data: Any, source: str = "config") -> Config:
        """Build from a mapping laid out like ``config/weights.yaml``."""
        try:
            return typing.cast(Config, _build(cls, data, source))
        except ConfigError:
            raise
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{source}: {exc}") from None


def config_to_dict(config: Any) -> Any:
    """Plain dict/list form of a config object, as it would be written in YAML."""
    if dataclasses.is_dataclass(config) and not isinstance(config, type):
        return {f.name: config_to_dict(getattr(config, f.name)) for f in dataclasses.fields(config)}
    if isinstance(config, dict):
        return {k: config_to_dict(v) for k, v in config.items()}
    if isinstance(config, tuple | list):
        return [config_to_dict(v) for v in config]
    return config


# Mappings whose keys are a fixed vocabulary: an unknown key is a typo.
_CLOSED_MAPS = {
    "legal_status": LEGAL_STATUSES,
    "placement_type": PLACEMENT_TYPES,
    "exploitation_risk": EXPLOITATION_LEVELS,
    "flags": NEEDS_FLAGS,
    "points_per_fte": ROLES,
}


def _build(cls: type, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping of settings, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(map(str, data)) - names)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r}; expected one of {', '.join(sorted(names))}"
        )
    required = [
        f.name
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    missing = [name for name in required if name not in data]
    if missing:
        raise ConfigError(f"{where}: missing key {missing[0]!r}")
    defaults = None if required else cls()
    values = {}
    for name in names:
        if name in data:
            default = getattr(defaults, name, None)
            values[name] = _convert(hints[name], data[name], f"{where}.{name}", name, default)
    try:
        return cls(**values) if defaults is None else dataclasses.replace(defaults, **values)
    except ConfigError as exc:  # a rule across fields, checked as the object is made
        raise ConfigError(f"{where}: {exc}") from None


def _convert(hint: Any, value: Any, where: str, name: str, default: Any) -> Any:
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint):
        return _build(typing.cast(type, hint), value, where)
    if origin is tuple:
        if not isinstance(value, list):
            raise ConfigError(f"{where}: expected a list, got {value!r}")
        item = typing.get_args(hint)[0]
        return tuple(_convert(item, v, f"{where}[{i}]", name, None) for i, v in enumerate(value))
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a mapping, got {value!r}")
        allowed = _CLOSED_MAPS.get(name)
        merged = dict(default or {})
        for key, points in value.items():
            if allowed is not None and key not in allowed:
                raise ConfigError(
                    f"{where}: unknown key {key!r}; expected one of {', '.join(allowed)}"
                )
            merged[str(key)] = _scalar(float, points, f"{where}.{key}")
        return merged
    if isinstance(hint, types.UnionType):
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
    return _scalar(hint, value, where)


def _scalar(kind: Any, value: Any, where: str) -> Any:
    if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind is str and isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    if kind is bool and isinstance(value, bool):
        return value
    raise ConfigError(f"{where}: expected {getattr(kind, '__name__', kind)}, got {value!r}")


def _check(config: Config) -> None:
    """Cross-field rules a type alone cannot say."""
    cap = config.capacity
    if not 0 < cap.target_utilisation <= cap.hard_limit:
        raise ConfigError("capacity: need 0 < target_utilisation <= hard_limit")
    if abs(cap.target_utilisation * 100 - round(cap.target_utilisation * 100)) > 1e-9:
        raise ConfigError("capacity.target_utilisation: give a whole percentage, e.g. 0.95")
    if any(v <= 0 for v in cap.points_per_fte.values()):
        raise ConfigError("capacity.points_per_fte: expected numbers > 0")
    if any(v <= 0 for v in cap.grade_factor.values()):
        raise ConfigError("capacity.grade_factor: expected numbers > 0")
    if cap.no_new_cases_days_before_leaving < 0 or cap.no_new_cases_days_before_absence < 0:
        raise ConfigError("capacity.no_new_cases_days_before_*: expected a number of days >= 0")
    if not 0 <= config.weights.personal_adviser_share <= 1:
        raise ConfigError("weights.personal_adviser_share: expected a number in [0, 1]")
    if not 0 <= config.personal_adviser_from_age <= 18:
        raise ConfigError("personal_adviser_from_age: expected an age from 0 to 18")
    opt = config.optimiser
    for name, pieces in (
        ("balance_above_target", opt.balance_above_target),
        ("balance_below_target", opt.balance_below_target),
    ):
        beyond = [p.beyond for p in pieces]
        slopes = [p.slope for p in pieces]
        if not pieces or beyond[0] != 0 or beyond != sorted(set(beyond)):
            raise ConfigError(f"optimiser.{name}: 'beyond' must start at 0 and increase")
        if slopes != sorted(slopes) or slopes[0] < 0:
            raise ConfigError(f"optimiser.{name}: slopes must be >= 0 and not decrease (convex)")
    if not 0 <= opt.agency_cover_risk <= 1:
        raise ConfigError("optimiser.agency_cover_risk: expected a number in [0, 1]")
    if opt.search_workers < 1 or opt.time_limit_seconds <= 0:
        raise ConfigError("optimiser: search_workers >= 1 and time_limit_seconds > 0")
    if not MIN_MACHINE_SPEED <= opt.machine_speed <= MAX_MACHINE_SPEED:
        raise ConfigError(
            f"optimiser.machine_speed: expected a number from {MIN_MACHINE_SPEED:g} "
            f"to {MAX_MACHINE_SPEED:g} (caseweight calibrate suggests one)"
        )
    for bands, label in ((config.weights.base_in_care, "in_care"),):
        if not bands or bands[0].from_age != 0:
            raise ConfigError(f"weights.base_{label}: the first band must start at age 0")
