"""One allocation run, start to end, as a library call: the CLI is a thin shell over it."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from caseweight.capacity import capacities
from caseweight.config import Config
from caseweight.continuity import Overrides, Resolved, resolve
from caseweight.demand import POINTS_SCALE, Demand, build_demand
from caseweight.explain import Explanation, Reason, explain
from caseweight.problem import Problem, Role
from caseweight.solution import Check, check_proposal
from caseweight.solver.instance import Instance, build_instance
from caseweight.solver.solve import ProgressFn, SolveResult, SolveSettings, solve
from caseweight.solver.warm_start import UNALLOCATED, loads_and_cases
from caseweight.weighting import Scores, score_people


@dataclass(frozen=True)
class Proposal:
    """Everything one run computed, ready to be written or compared."""

    problem: Problem
    config: Config
    scores: Scores
    demand: Demand
    instance: Instance
    result: SolveResult
    check: Check
    explanations: tuple[Explanation, ...]
    loads_before: np.ndarray  # tenths of a point, incl. allocations that end
    cases_before: np.ndarray
    loads_after: np.ndarray
    cases_after: np.ndarray
    overrides: Overrides | None = None
    resolved: Resolved | None = None

    @property
    def assignment(self) -> np.ndarray:
        return self.result.assignment

    def changed(self, r: int) -> bool:
        """Proposed worker differs from the current one (a new allocation counts)."""
        current = self.instance.requirements[r].current_worker
        return int(self.assignment[r]) != (UNALLOCATED if current is None else current)

    def is_change_of_worker(self, r: int) -> bool:
        """A young person who had a worker of this role gets a different one."""
        current = self.instance.requirements[r].current_worker
        return current is not None and int(self.assignment[r]) != current

    @cached_property
    def utilisation_before(self) -> np.ndarray:
        return _utilisation(self.loads_before, self.instance.capacity)

    @cached_property
    def utilisation_after(self) -> np.ndarray:
        return _utilisation(self.loads_after, self.instance.capacity)

    @cached_property
    def run_id(self) -> str:
        """Same inputs, config, as-of date and seed: same id."""
        parts = [
            self.problem.as_of.isoformat(),
            *(f"{k}={v}" for k, v in sorted(self.problem.digests.items())),
            self.config.sha256,
        ]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]

    def summary(self) -> dict[str, Any]:
        """The contract's summary.json, and more."""
        from caseweight.summary import build_summary

        return build_summary(self)


def _utilisation(loads: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(capacity > 0, loads / np.maximum(capacity, 1), np.nan)


def optimiser_input(problem: Problem, config: Config) -> Instance:
    """``problem`` scored, its allocations and capacities built: the optimiser's input,
    with no pins or exclusions (:func:`propose` adds those)."""
    demand = build_demand(problem, score_people(problem, config), config)
    return build_instance(problem, demand, capacities(problem, config), config)


def propose(
    problem: Problem,
    config: Config,
    time_limit: float | None = None,
    progress: ProgressFn | None = None,
    excluded: frozenset[tuple[int, int]] = frozenset(),
    pinned: dict[int, int] | None = None,
    overrides: Overrides | None = None,
    planned: float | None = None,
    root_bound: bool = True,
) -> Proposal:
    """Score, build, solve and check one allocation month.

    ``overrides`` (pins, exclusions and rejections by id, see
    :mod:`caseweight.continuity`) add to ``pinned`` and ``excluded``; a move
    they cause is explained with reason ``pinned``. ``planned`` is the limit
    the solver plans its work from, where it differs from ``time_limit``
    (:class:`SolveSettings`). ``root_bound=False`` skips the bound's last,
    slowest step, for batches that do not report the gap.
    """
    scores = score_people(problem, config)
    demand = build_demand(problem, scores, config)
    caps = capacities(problem, config)
    resolved = None
    if overrides is not None:
        resolved = resolve(overrides, problem, demand.requirements)
        excluded = excluded | resolved.excluded
        pinned = {**resolved.pinned, **(pinned or {})}
    instance = build_instance(problem, demand, caps, config, excluded, pinned)
    opt = config.optimiser
    settings = SolveSettings(
        time_limit_seconds=time_limit if time_limit is not None else opt.time_limit_seconds,
        seed=opt.seed,
        search_workers=opt.search_workers,
        planned_seconds=planned,
        machine_speed=opt.machine_speed,
        root_bound=root_bound,
    )
    result = solve(instance, settings, progress)
    check = check_proposal(problem, instance, result.assignment, config)
    before_loads, before_cases = _current_loads(problem, demand, scores, instance)
    after_loads, after_cases = loads_and_cases(instance, result.assignment)
    explanations = explain(problem, instance, result.assignment, before_loads, after_loads)
    if resolved is not None:
        explanations = _overridden(instance, result.assignment, explanations, resolved)
    return Proposal(
        problem=problem,
        config=config,
        scores=scores,
        demand=demand,
        instance=instance,
        result=result,
        check=check,
        explanations=explanations,
        loads_before=before_loads,
        cases_before=before_cases,
        loads_after=after_loads,
        cases_after=after_cases,
        overrides=overrides,
        resolved=resolved,
    )


def _overridden(
    instance: Instance,
    assignment: np.ndarray,
    explanations: tuple[Explanation, ...],
    resolved: Resolved,
) -> tuple[Explanation, ...]:
    """Reason ``pinned`` for each move a pin or an exclusion of the current worker caused."""
    out = list(explanations)
    for r, why in resolved.why.items():
        w = int(assignment[r])
        if w != UNALLOCATED and w != instance.requirements[r].current_worker:
            out[r] = Explanation(Reason.PINNED, f"{why}; {explanations[r].detail}")
    return tuple(out)


def _current_loads(
    problem: Problem, demand: Demand, scores: Scores, instance: Instance
) -> tuple[np.ndarray, np.ndarray]:
    """Load and cases each worker holds in the input, including allocations that end."""
    current = np.array(
        [
            UNALLOCATED if r.current_worker is None else r.current_worker
            for r in demand.requirements
        ],
        dtype=np.int64,
    )
    loads, cases = loads_and_cases(instance, current)
    totals = scores.total
    for ended in demand.ended:
        loads[ended.worker] += round(float(totals[ended.person]) * POINTS_SCALE)
        cases[ended.worker] += 1
    return loads, cases


def moves_by_reason(proposal: Proposal) -> dict[str, int]:
    counts = Counter(
        e.reason.value
        for r, e in enumerate(proposal.explanations)
        if e.reason is not Reason.KEPT and proposal.assignment[r] != UNALLOCATED
    )
    return dict(sorted(counts.items()))


def role_workers(proposal: Proposal, role: Role) -> list[int]:
    """Indexes of workers of ``role`` who can hold cases."""
    inst = proposal.instance
    return [w for w in range(inst.n_workers) if inst.worker_roles[w] is role and inst.balances(w)]
