"""This machine against the solver's planning figures, for ``optimiser.machine_speed``.

The solver plans its work from counts: arcs of the min-cost flows, young
people climbed, CP-SAT's deterministic time and model size, HiGHS's free
pairs, each at a figure in seconds set for a machine 3.5 times as slow as
the ones it was measured on. That keeps a proposal independent of how busy
the machine is, and wastes most of a fast machine's time limit.

Calibrating runs each kind of work once on the bundled demo authority,
compares the wall time with what the figures plan for it, and suggests a
``machine_speed`` from the slowest kind, with a margin for a busier day.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from caseweight.config import MAX_MACHINE_SPEED, MIN_MACHINE_SPEED, Config
from caseweight.demo import DEMO_AS_OF, demo_paths
from caseweight.io.inputs import read_problem
from caseweight.pipeline import optimiser_input
from caseweight.problem import Role
from caseweight.solver.instance import Instance
from caseweight.solver.lagrangian import RoleLagrangian
from caseweight.solver.lns import Budget, search
from caseweight.solver.local_search import climb
from caseweight.solver.lp_start import lp_start
from caseweight.solver.polish import polish
from caseweight.solver.starts import planned_climb_seconds
from caseweight.solver.transport import SECONDS_PER_ARC, flow_arcs, role_flows
from caseweight.solver.warm_start import first_fit

#: The suggestion is the slowest kind of work's speed times this: room for a
#: machine busier than while it was measured (the clock stops work that
#: overruns, and the proposal then says it may not be repeatable).
MARGIN = 0.7
#: Planned seconds of CP-SAT neighbourhoods to measure.
NEIGHBOURHOOD_SECONDS = 4.0
#: The clock's end for work that has none (HiGHS and CP-SAT need one).
UNLIMITED_SECONDS = 3600.0


@dataclass(frozen=True)
class Measure:
    """One kind of the solver's work: what the plan allows for it and what it took."""

    work: str
    planned_seconds: float
    wall_seconds: float

    @property
    def speed(self) -> float:
        """How many times as fast as the planning figures this machine did it."""
        return self.planned_seconds / max(self.wall_seconds, 1e-9)


def demo_instance(config: Config) -> Instance:
    """The bundled demo authority as the optimiser's input."""
    cases, workers = demo_paths()
    return optimiser_input(read_problem(cases, workers, DEMO_AS_OF, config), config)


def measure(instance: Instance, report: Callable[[Measure], None] | None = None) -> list[Measure]:
    """Run each kind of planned work once on ``instance``, in the solver's order."""
    out: list[Measure] = []

    def timed(work: str, planned: float, started: float) -> None:
        out.append(Measure(work, planned, time.perf_counter() - started))
        if report is not None:
            report(out[-1])

    arcs = sum(
        flow_arcs(RoleLagrangian(instance, costs))
        for costs in instance.role_costs.values()
        if len(costs.requirements) and costs.workers.size
    )
    started = time.perf_counter()
    flows = role_flows(instance, math.inf)
    timed("min-cost flows (the LP)", arcs * SECONDS_PER_ARC, started)

    instance, start = lp_start(instance, flows, first_fit(instance))
    started = time.perf_counter()
    climbed = climb(instance, start, math.inf)
    timed("hill climbing", planned_climb_seconds(instance, start), started)

    instance, incumbent = climbed.instance, climbed.assignment
    every_role = {role: 1.0 for role in Role}
    started = time.perf_counter()
    # no clock: each kind runs its planned work to the end
    ends = started + UNLIMITED_SECONDS
    polished = polish(instance, incumbent, Budget(math.inf, every_role, 0, ends))
    timed("HiGHS root node", polished.planned_seconds, started)

    started = time.perf_counter()
    found = search(
        polished.instance,
        polished.assignment,
        Budget(NEIGHBOURHOOD_SECONDS, every_role, 0, ends),
    )
    timed("CP-SAT neighbourhoods", found.planned_seconds, started)
    return out


def suggested_speed(measures: list[Measure]) -> float:
    """The slowest kind of work's speed times MARGIN, rounded down, within the config's range."""
    slowest = min((m.speed for m in measures if m.planned_seconds > 0), default=1.0)
    suggestion = math.floor(10 * slowest * MARGIN) / 10
    return float(np.clip(suggestion, MIN_MACHINE_SPEED, MAX_MACHINE_SPEED))
