"""What carries over from one month to the next: history, rejections, pins.

The store remembers who worked with whom. This module turns that memory into
the optimiser's terms: each young person's changes of worker in the last 12
months and the workers who held them before (the solver prices a change by
the first and discounts a return to the second), and every rejection still in
force into an excluded (young person, role, worker) pairing, so that a move a
manager rejected is not proposed again until its reason expires. Pins and
exclusions from ``pins.csv`` (:mod:`caseweight.io.pins`) join them in one
:class:`Overrides`, which :func:`caseweight.pipeline.propose` turns into
requirement and worker indexes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from caseweight.demand import Requirement
from caseweight.problem import Problem, Role, add_months

if TYPE_CHECKING:
    from caseweight.store.store import Store

#: Source of an exclusion: the pins file or a manager's rejection recorded in the store.
PINS_SOURCE = "pins"
REJECTION_SOURCE = "rejection"


@dataclass(frozen=True)
class Pin:
    """A young person's allocation in one role fixed to one worker, for a reason."""

    person_id: str
    role: Role
    worker_id: str
    reason: str
    until: date | None = None


@dataclass(frozen=True)
class Exclusion:
    """A pairing never to propose: a young person in one role with one worker."""

    person_id: str
    role: Role
    worker_id: str
    reason: str
    source: str = PINS_SOURCE
    until: date | None = None


@dataclass(frozen=True)
class Overrides:
    """Pins and exclusions for one run, by ids, with what to report about them.

    ``notes`` become sections of ``summary.json`` (e.g. ``continuity``,
    ``pins``); ``warnings`` join the summary's warnings.
    """

    pins: tuple[Pin, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()
    notes: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def merged(self, other: Overrides) -> Overrides:
        """Both sets of pins, exclusions, notes and warnings."""
        return Overrides(
            pins=self.pins + other.pins,
            exclusions=self.exclusions + other.exclusions,
            notes={**self.notes, **other.notes},
            warnings=self.warnings + other.warnings,
        )


@dataclass(frozen=True)
class Resolved:
    """Overrides as the optimiser takes them: requirement and worker indexes."""

    pinned: dict[int, int]
    excluded: frozenset[tuple[int, int]]
    why: dict[int, str]  # requirement -> why its allocation is fixed or forced off
    warnings: tuple[str, ...] = ()


def resolve(
    overrides: Overrides, problem: Problem, requirements: Sequence[Requirement]
) -> Resolved:
    """Turn ``overrides`` into (requirement, worker) indexes for ``requirements``.

    A pin or exclusion for a role the young person does not need on the as-of
    date applies to nothing: a pin of that kind is reported in a warning.
    """
    index = {(r.person, r.role): r.index for r in requirements}
    person_index, worker_index = problem.person_index, problem.worker_index
    pinned: dict[int, int] = {}
    why: dict[int, str] = {}
    unused = []
    for pin in overrides.pins:
        r = index.get((person_index.get(pin.person_id, -1), pin.role))
        if r is None or pin.worker_id not in worker_index:
            unused.append(f"{pin.person_id}/{pin.role.value}")
            continue
        pinned[r] = worker_index[pin.worker_id]
        why[r] = f"pinned to {pin.worker_id}: {pin.reason}"
    excluded = set()
    for ex in overrides.exclusions:
        r = index.get((person_index.get(ex.person_id, -1), ex.role))
        w = worker_index.get(ex.worker_id)
        if r is None or w is None:
            continue
        excluded.add((r, w))
        if requirements[r].current_worker == w:
            what = "rejected" if ex.source == REJECTION_SOURCE else "excluded"
            why.setdefault(r, f"{what} pairing with {ex.worker_id}: {ex.reason}")
    warnings: tuple[str, ...] = ()
    if unused:
        warnings = (
            f"{len(unused)} pin(s) name an allocation this run does not need, ignored: "
            + ", ".join(unused[:10])
            + (" ..." if len(unused) > 10 else ""),
        )
    return Resolved(pinned, frozenset(excluded), why, warnings)


@dataclass(frozen=True)
class History:
    """What the store knows about continuity at one as-of date."""

    database: str
    as_of: date
    changes: dict[str, int]  # person_id -> changes of worker in the 12 months
    previous: dict[str, frozenset[str]]  # person_id -> workers who held them before
    rejections: dict[tuple[str, str], tuple[str, str, date | None]]
    #: True when the store's first allocation is a year or more before ``as_of``:
    #: only then does its count cover the whole 12 months
    covers_year: bool = True

    @property
    def sha256(self) -> str:
        """A digest of everything the optimiser takes from the history."""
        content = {
            "changes": sorted(self.changes.items()),
            "previous": sorted((k, sorted(v)) for k, v in self.previous.items()),
            "rejections": sorted(
                [p, r, w, why, None if until is None else until.isoformat()]
                for (p, r), (w, why, until) in self.rejections.items()
            ),
        }
        return hashlib.sha256(json.dumps(content).encode()).hexdigest()


def read_history(store: Store, as_of: date) -> History:
    """Read changes in the 12 months, previous workers and rejections in force at ``as_of``."""
    previous: dict[str, set[str]] = {}
    for (person_id, _role), workers in store.previous_workers(as_of).items():
        previous.setdefault(person_id, set()).update(workers)
    starts = store.history_starts()
    return History(
        database=store.url,
        as_of=as_of,
        covers_year=starts is not None and starts <= add_months(as_of, -12),
        changes=store.worker_changes_12m(as_of),
        previous={k: frozenset(v) for k, v in previous.items()},
        rejections=store.rejections(as_of),
    )


def apply_history(problem: Problem, history: History) -> tuple[Problem, Overrides]:
    """``problem`` with continuity from the store for the young people it knows.

    For each young person the store holds, ``worker_changes_12m`` is the
    store's count once the store covers the whole 12 months, and until then
    the larger of the store's count and the cases file's column (the store
    has seen only part of the year; the column may miss the latest months);
    ``previous_workers`` adds the store's list. The cases file's column stays
    for everyone else. Rejections in force
    become exclusions. The returned :class:`Overrides` carry the exclusions and
    a ``continuity`` note for ``summary.json``.
    """
    people = []
    from_store = differ = 0
    for person in problem.people:
        if person.person_id not in history.changes:
            people.append(person)
            continue
        from_store += 1
        changes = history.changes[person.person_id]
        if not history.covers_year:
            changes = max(changes, person.worker_changes_12m)
        differ += int(changes != person.worker_changes_12m)
        previous = history.previous.get(person.person_id, frozenset())
        people.append(
            dataclasses.replace(
                person,
                worker_changes_12m=changes,
                previous_workers=person.previous_workers | previous,
            )
        )
    digests = {**problem.digests, "history_sha256": history.sha256}
    updated = dataclasses.replace(problem, people=tuple(people), digests=digests)
    exclusions, skipped = rejection_exclusions(updated, history)
    note = {
        "source": "store" if from_store else "input",
        "database": history.database,
        "people_from_store": from_store,
        "people_from_input": len(problem.people) - from_store,
        "store_covers_12_months": history.covers_year,
        "store_differs_from_input_column": differ,
        "people_with_previous_workers": sum(1 for p in people if p.previous_workers),
        "rejections_in_force": len(history.rejections),
        "rejections_excluded": len(exclusions),
        "rejections_not_applicable": skipped,
        "rejections": describe(exclusions),
    }
    return updated, Overrides(exclusions=exclusions, notes={"continuity": note})


def input_only_note() -> Overrides:
    """The ``continuity`` note of a run without a store: the cases file's column is used."""
    return Overrides(notes={"continuity": {"source": "input", "database": None}})


def rejection_exclusions(problem: Problem, history: History) -> tuple[tuple[Exclusion, ...], int]:
    """Exclusions for rejections in force; also the number that name nothing in ``problem``.

    A rejected move to no worker, or to a worker no longer in the workers file,
    excludes nothing.
    """
    workers = problem.worker_index
    people = problem.person_index
    found = []
    skipped = 0
    for (person_id, role), (worker_id, reason, until) in sorted(history.rejections.items()):
        if not worker_id or worker_id not in workers or person_id not in people:
            skipped += 1
            continue
        found.append(Exclusion(person_id, Role(role), worker_id, reason, REJECTION_SOURCE, until))
    return tuple(found), skipped


def describe(exclusions: Iterable[Exclusion]) -> list[dict[str, Any]]:
    """Exclusions as plain records for ``summary.json``."""
    return [
        {
            "person_id": ex.person_id,
            "role": ex.role.value,
            "worker_id": ex.worker_id,
            "reason": ex.reason,
            "source": ex.source,
            "until": None if ex.until is None else ex.until.isoformat(),
        }
        for ex in exclusions
    ]
