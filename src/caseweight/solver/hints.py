"""A complete hint: every model variable set from one feasible allocation.

CP-SAT starts from a complete, feasible hint at once; an assignment-only hint
leaves it to repair loads, segments and sibling variables itself, which on a
mid-sized authority took longer than the whole time limit.
"""

from __future__ import annotations

import numpy as np
from ortools.sat.python import cp_model

from caseweight.solver.model import AllocationModel
from caseweight.solver.warm_start import UNALLOCATED, loads_and_cases


def add_full_hint(am: AllocationModel, assignment: np.ndarray) -> None:
    """Hint every variable of ``am`` from ``assignment`` (a worker per requirement)."""
    m, v, inst = am.model, am.vars, am.instance
    for (r, w), var in v.assign.items():
        m.add_hint(var, int(assignment[r] == w))
    for r, var in v.unallocated.items():
        m.add_hint(var, int(assignment[r] == UNALLOCATED))
    loads, _ = loads_and_cases(inst, assignment)
    for w, var in v.load.items():
        m.add_hint(var, int(loads[w]))
    receiving = {
        int(assignment[req.index])
        for req in inst.requirements
        if assignment[req.index] != UNALLOCATED and assignment[req.index] != req.current_worker
    }
    for w, var in v.receives.items():
        m.add_hint(var, int(w in receiving))
    for w, (above, below) in v.segments.items():
        excess = int(loads[w]) - inst.balance[w].target  # type: ignore[union-attr]
        _fill(m, above, max(0, excess))
        _fill(m, below, max(0, -excess))
    for g, used in v.sibling_used.items():
        chosen = {int(assignment[r]) for r in inst.sibling_groups[g]} - {UNALLOCATED}
        for w, var in used.items():
            m.add_hint(var, int(w in chosen))
        m.add_hint(v.sibling_extra[g], max(0, len(chosen) - 1))


def _fill(m: cp_model.CpModel, segments: list[tuple[cp_model.IntVar, int]], amount: int) -> None:
    """Segments fill outward from the target, cheapest first."""
    for var, _ in segments:
        size = int(list(var.proto.domain)[-1])
        take = min(amount, size)
        m.add_hint(var, take)
        amount -= take
