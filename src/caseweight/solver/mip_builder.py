"""A MathOpt model built from numpy arrays, in blocks of variables and constraints.

MathOpt's Python modelling layer builds one object per variable and per term:
the demo's advisers' 15,600 pairs took 1.7 s to build that way, most of it in
``add_linear_constraint``, and large's 130,260 about 15 s. Written straight
into MathOpt's model proto, whole blocks at a time, the same model takes a
few hundredths of a second a block. :mod:`.highs` solves it as it is.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from ortools.math_opt import model_pb2


class MipBuilder:
    """Variables and linear constraints added in blocks; :meth:`proto` writes them."""

    def __init__(self, name: str, relaxed: bool = False) -> None:
        self.name = name
        #: every variable continuous: the LP relaxation of the same model
        self.relaxed = relaxed
        self._lower: list[np.ndarray] = []
        self._upper: list[np.ndarray] = []
        self._integer: list[np.ndarray] = []
        self._cost: list[np.ndarray] = []
        self._row_lower: list[np.ndarray] = []
        self._row_upper: list[np.ndarray] = []
        self._terms: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.n_variables = 0
        self.n_rows = 0

    def variables(
        self, n: int, lower: ArrayLike, upper: ArrayLike, cost: ArrayLike, integer: bool = False
    ) -> np.ndarray:
        """``n`` new variables with these bounds and objective costs; their ids."""
        ids = np.arange(self.n_variables, self.n_variables + n, dtype=np.int64)
        self._lower.append(np.broadcast_to(np.asarray(lower, dtype=float), n))
        self._upper.append(np.broadcast_to(np.asarray(upper, dtype=float), n))
        self._cost.append(np.broadcast_to(np.asarray(cost, dtype=float), n))
        self._integer.append(np.full(n, integer and not self.relaxed))
        self.n_variables += n
        return ids

    def rows(self, n: int, lower: ArrayLike, upper: ArrayLike) -> np.ndarray:
        """``n`` new constraints ``lower <= ... <= upper``; their ids."""
        ids = np.arange(self.n_rows, self.n_rows + n, dtype=np.int64)
        self._row_lower.append(np.broadcast_to(np.asarray(lower, dtype=float), n))
        self._row_upper.append(np.broadcast_to(np.asarray(upper, dtype=float), n))
        self.n_rows += n
        return ids

    def terms(self, rows: ArrayLike, variables: ArrayLike, coefficients: ArrayLike) -> None:
        """Coefficients of ``variables`` in ``rows`` (each pair at most once in all)."""
        r = np.asarray(rows, dtype=np.int64)
        v = np.asarray(variables, dtype=np.int64)
        c = np.broadcast_to(np.asarray(coefficients, dtype=float), r.shape)
        self._terms.append((r, v, c))

    def proto(self) -> model_pb2.ModelProto:
        proto = model_pb2.ModelProto(name=self.name)
        proto.variables.ids.extend(range(self.n_variables))
        proto.variables.lower_bounds.extend(_joined(self._lower, float).tolist())
        proto.variables.upper_bounds.extend(_joined(self._upper, float).tolist())
        proto.variables.integers.extend(_joined(self._integer, bool).tolist())
        cost = _joined(self._cost, float)
        priced = np.flatnonzero(cost)
        proto.objective.linear_coefficients.ids.extend(priced.tolist())
        proto.objective.linear_coefficients.values.extend(cost[priced].tolist())
        proto.linear_constraints.ids.extend(range(self.n_rows))
        proto.linear_constraints.lower_bounds.extend(_joined(self._row_lower, float).tolist())
        proto.linear_constraints.upper_bounds.extend(_joined(self._row_upper, float).tolist())
        rows = _joined([r for r, _, _ in self._terms], np.int64)
        cols = _joined([v for _, v, _ in self._terms], np.int64)
        coefficients = _joined([c for _, _, c in self._terms], float)
        order = np.lexsort((cols, rows))  # MathOpt takes the matrix in row-major order
        matrix = proto.linear_constraint_matrix
        matrix.row_ids.extend(rows[order].tolist())
        matrix.column_ids.extend(cols[order].tolist())
        matrix.coefficients.extend(coefficients[order].tolist())
        return proto


def _joined(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)
