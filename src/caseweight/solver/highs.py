"""HiGHS through MathOpt's model proto, with no Python object per variable.

:func:`ortools.math_opt.python.mathopt.solve` takes a Python ``Model``: a
hint names each variable by a Python object and the result comes back as a
dictionary over every variable. On large's 130,260 advisers' pairs that
cost about 2 s a solve (the hint 0.5 s, the model's export 0.3 s, reading
the result 0.8 s), out of a bound's 12 s. Here the model stays the proto
:mod:`.mip_builder` wrote, the hint is two arrays and only the pairs'
values come back: MathOpt's own C++ entry point, which ``mathopt.solve``
calls with the same arguments.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from ortools.math_opt import (
    model_parameters_pb2,
    model_pb2,
    result_pb2,
    solution_pb2,
    sparse_containers_pb2,
)
from ortools.math_opt.core.python import solver as core_solver
from ortools.math_opt.python import mathopt
from ortools.math_opt.python.callback import CallbackRegistration
from ortools.math_opt.python.init_arguments import StreamableSolverInitArguments

from caseweight.solver.interrupt import stoppable

#: A line of HiGHS's branch-and-bound log (an optional source letter, nodes
#: processed, in queue, leaves, explored share, then the best bound)
LOG_LINE = re.compile(r"^\s*(?:[A-Za-z]\s+)?\d+\s+\d+\s+\d+\s+[\d.]+%\s+(\S+)\s")
#: Called with each best bound HiGHS logs while it works
BoundSeen = Callable[[float], None]


@dataclass(frozen=True)
class Outcome:
    """What a HiGHS solve proved and found."""

    dual_bound: float
    primal_bound: float
    optimal: bool
    #: stopped by its time limit (not by its node limit or a proof)
    timed_out: bool
    #: the first ``n_values`` variables' values in the best allocation found, if any
    values: np.ndarray | None
    #: each constraint's dual value, by id, where HiGHS solved an LP to its optimum
    row_duals: np.ndarray | None = None
    #: the first ``n_values`` variables' reduced costs there
    reduced_costs: np.ndarray | None = None


def solve(
    model: model_pb2.ModelProto,
    params: mathopt.SolveParameters,
    hint_ids: np.ndarray,
    hint_values: np.ndarray,
    n_values: int,
    seen: BoundSeen | None = None,
) -> Outcome:
    """Solve ``model`` with HiGHS from the hint (``hint_ids`` ascending; none if empty).

    ``seen`` is told each best bound HiGHS logs (its log goes to it, not to
    the console): a bound read while HiGHS works, for a caller that cannot
    wait for HiGHS to read its clock.
    """
    model_params = model_parameters_pb2.ModelSolveParametersProto()
    if len(hint_ids):
        hint = model_params.solution_hints.add().variable_values
        hint.ids.extend(hint_ids.tolist())
        hint.values.extend(hint_values.tolist())
    wanted = model_params.variable_values_filter
    wanted.filter_by_ids = wanted.skip_zero_values = True
    wanted.filtered_ids.extend(range(n_values))
    solve_params = params.to_proto()
    if seen is not None:
        solve_params.enable_output = True
        solve_params.highs.bool_options["output_flag"] = True
    result = stoppable(
        lambda: core_solver.solve(
            model,
            mathopt.SolverType.HIGHS.value,
            StreamableSolverInitArguments().to_proto(),
            solve_params,
            model_params,
            None if seen is None else _reader(seen),
            CallbackRegistration().to_proto(),
            None,
            None,
        )
    )
    termination = result.termination
    feasible = solution_pb2.SOLUTION_STATUS_FEASIBLE
    solutions = result.solutions
    primal = [
        s.primal_solution for s in solutions if s.primal_solution.feasibility_status == feasible
    ]
    dual = [s.dual_solution for s in solutions if s.dual_solution.feasibility_status == feasible]
    values = _dense(primal[0].variable_values, n_values) if primal else None
    n_rows = len(model.linear_constraints.ids)
    duals = _dense(dual[0].dual_values, n_rows) if dual else None
    reduced = _dense(dual[0].reduced_costs, n_values) if dual else None
    return Outcome(
        dual_bound=termination.objective_bounds.dual_bound,
        primal_bound=termination.objective_bounds.primal_bound,
        optimal=termination.reason == result_pb2.TERMINATION_REASON_OPTIMAL,
        timed_out=termination.limit == result_pb2.LIMIT_TIME,
        values=values,
        row_duals=duals,
        reduced_costs=reduced,
    )


def _dense(vector: sparse_containers_pb2.SparseDoubleVectorProto, n: int) -> np.ndarray:
    """A sparse vector of MathOpt's as its first ``n`` ids' values, zero where it has none."""
    out = np.zeros(n)
    ids, values = np.array(vector.ids, dtype=np.int64), np.array(vector.values)
    kept = ids < n
    out[ids[kept]] = values[kept]
    return out


def _reader(seen: BoundSeen) -> Callable[[list[str]], None]:
    """A MathOpt message callback telling ``seen`` each best bound in HiGHS's log."""

    def read(lines: list[str]) -> None:
        for line in lines:
            found = LOG_LINE.match(line)
            if found is None:
                continue
            try:
                value = float(found.group(1))
            except ValueError:
                continue
            if math.isfinite(value):
                seen(value)

    return read
