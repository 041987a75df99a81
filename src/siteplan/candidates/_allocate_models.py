"""Sparse MILP models for location-allocation, solved by HiGHS through scipy.optimize.milp.

Each builder takes the positive-demand points only (zero demand is dropped by the caller),
the cost to the nearest existing site ``existing`` (inf when none is reachable; existing sites
are always open) and the candidates' cost matrix, and returns a :class:`Solution` with the
chosen candidate columns. ``n`` is the number of NEW facilities. The models are built directly
as sparse matrices, never as one Python object per coefficient.

- MCLP: maximise the demand within ``service`` of an open facility. Points the existing
  sites already cover are a constant and leave the model; points no candidate covers leave it
  too; the rest are merged by their coverage set (one row per distinct set, their demand
  summed), so the model has one row per distinct set and one column per candidate.
- p-median: minimise sum_i w_i * cost to its facility. A point may only be assigned to a
  candidate strictly cheaper than its nearest existing site (otherwise the existing one is as
  good), so existing sites shrink the model.
- p-center: minimise the worst cost, unweighted (as spopt), with the same pruning.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from siteplan.access._arrays import FloatArray, IntArray

__all__ = ["Solution", "solve_mclp", "solve_pcenter", "solve_pmedian"]

_STATUS: Final = {
    0: "optimal",
    1: "time limit reached",
    2: "infeasible",
    3: "unbounded",
    4: "solver error",
}


@dataclass(frozen=True)
class Solution:
    """What the solver returned.

    ``objective`` includes the constant part (demand the existing sites cover, or their cost);
    ``picks`` are candidate columns, sorted; ``gap`` is the relative MIP gap (0 when proven
    optimal, NaN when the solver found no solution).
    """

    picks: IntArray
    objective: float
    status: str
    gap: float
    variables: int
    constraints: int
    groups: int


def _solve(
    c: FloatArray,
    integrality: FloatArray,
    bounds: Bounds,
    constraints: LinearConstraint,
    time_limit: float | None,
) -> tuple[FloatArray | None, str, float]:
    options: dict[str, float | bool] = {"mip_rel_gap": 0.0, "disp": False}
    if time_limit is not None:
        options["time_limit"] = float(time_limit)
    res = milp(
        c,
        integrality=integrality,
        bounds=bounds,
        constraints=constraints,
        options=options,
    )
    status = _STATUS.get(int(res.status), "solver error")
    raw_gap = getattr(res, "mip_gap", None)
    gap = np.nan if res.x is None or raw_gap is None else float(raw_gap)
    x = None if res.x is None else np.asarray(res.x, dtype=np.float64)
    return x, status, gap


def _picks(x: FloatArray | None, n_candidates: int) -> IntArray:
    if x is None:
        return np.zeros(0, dtype=np.intp)
    return np.flatnonzero(x[:n_candidates] > 0.5).astype(np.intp)


def _trivial(objective: float, groups: int = 0) -> Solution:
    return Solution(np.zeros(0, dtype=np.intp), objective, "optimal", 0.0, 0, 0, groups)


def _cardinality_row(n_candidates: int, n_columns: int) -> sp.csr_array:
    return sp.csr_array(
        (np.ones(n_candidates), (np.zeros(n_candidates, dtype=np.intp), np.arange(n_candidates))),
        shape=(1, n_columns),
    )


def solve_mclp(
    weights: FloatArray,
    existing: FloatArray,
    candidates: FloatArray,
    n: int,
    *,
    service: float,
    time_limit: float | None = None,
) -> Solution:
    """Maximise the demand within ``service`` of an existing site or one of ``n`` picks."""
    n_cand = candidates.shape[1]
    base = existing <= service
    constant = float(weights[base].sum())
    rest = ~base
    cover = candidates[rest] <= service
    w_rest = weights[rest]
    coverable = cover.any(axis=1)
    cover, w_rest = cover[coverable], w_rest[coverable]
    if n == 0 or not len(w_rest):
        return _trivial(constant)
    # Merge points that share a coverage set: one row per distinct set, demand summed.
    packed = np.packbits(cover, axis=1)
    _, first, inverse = np.unique(packed, axis=0, return_index=True, return_inverse=True)
    group_weight = np.bincount(inverse.ravel(), weights=w_rest, minlength=len(first))
    group_cover = sp.csr_array(cover[first].astype(np.float64))
    n_groups = len(first)
    n_cols = n_cand + n_groups
    # rows: y_g - sum_{j in N_g} x_j <= 0 ; then sum_j x_j == n
    coverage_rows = sp.hstack([-group_cover, sp.eye_array(n_groups)], format="csr")
    matrix = sp.vstack([coverage_rows, _cardinality_row(n_cand, n_cols)], format="csr")
    row_lower = np.concatenate([np.full(n_groups, -np.inf), [float(n)]])
    row_upper = np.concatenate([np.zeros(n_groups), [float(n)]])
    c = np.concatenate([np.zeros(n_cand), -group_weight])
    integrality = np.concatenate([np.ones(n_cand), np.zeros(n_groups)])
    x, status, gap = _solve(
        c,
        integrality,
        Bounds(np.zeros(n_cols), np.ones(n_cols)),
        LinearConstraint(matrix, row_lower, row_upper),
        time_limit,
    )
    covered = constant + (float(group_weight @ x[n_cand:]) if x is not None else np.nan)
    return Solution(_picks(x, n_cand), covered, status, gap, n_cols, n_groups + 1, n_groups)


def _assignment_pairs(
    existing: FloatArray, candidates: FloatArray
) -> tuple[IntArray, IntArray, FloatArray]:
    """Return the (point, candidate, cost) pairs cheaper than the point's nearest existing site."""
    allowed = np.isfinite(candidates) & (candidates < existing[:, None])
    rows, cols = np.nonzero(allowed)
    return rows.astype(np.intp), cols.astype(np.intp), candidates[rows, cols]


def _assignment_model(
    existing: FloatArray, candidates: FloatArray, n: int, extra_columns: int
) -> tuple[sp.csr_array, FloatArray, FloatArray, IntArray, FloatArray, IntArray, int]:
    """Build x_j, z_ij (pairs) and u_i (existing) columns and the assignment rows.

    Column order: x (candidates), z (pairs), u (points with a reachable existing site), then
    ``extra_columns`` (p-center's W). Rows: one assignment row per point (sum z + u == 1), one
    linking row per pair (z_ij - x_j <= 0), the cardinality row (sum x == n).
    """
    n_points, n_cand = candidates.shape
    rows, cols, pair_cost = _assignment_pairs(existing, candidates)
    n_pairs = len(rows)
    has_existing = np.flatnonzero(np.isfinite(existing)).astype(np.intp)
    n_u = len(has_existing)
    z0, u0 = n_cand, n_cand + n_pairs
    n_cols = u0 + n_u + extra_columns
    assign = sp.csr_array(
        (
            np.ones(n_pairs + n_u),
            (
                np.concatenate([rows, has_existing]),
                np.concatenate([z0 + np.arange(n_pairs), u0 + np.arange(n_u)]),
            ),
        ),
        shape=(n_points, n_cols),
    )
    link = sp.csr_array(
        (
            np.concatenate([np.ones(n_pairs), -np.ones(n_pairs)]),
            (
                np.concatenate([np.arange(n_pairs), np.arange(n_pairs)]),
                np.concatenate([z0 + np.arange(n_pairs), cols]),
            ),
        ),
        shape=(n_pairs, n_cols),
    )
    matrix = sp.vstack([assign, link, _cardinality_row(n_cand, n_cols)], format="csr")
    lower = np.concatenate([np.ones(n_points), np.full(n_pairs, -np.inf), [float(n)]])
    upper = np.concatenate([np.ones(n_points), np.zeros(n_pairs), [float(n)]])
    return matrix, lower, upper, rows, pair_cost, has_existing, n_cols


def solve_pmedian(
    weights: FloatArray,
    existing: FloatArray,
    candidates: FloatArray,
    n: int,
    time_limit: float | None = None,
) -> Solution:
    """Minimise the demand-weighted cost to the nearest open facility with ``n`` picks."""
    n_points, n_cand = candidates.shape
    has_pairs = (np.isfinite(candidates) & (candidates < existing[:, None])).any(axis=1)
    fixed = ~has_pairs
    constant = float(weights[fixed] @ existing[fixed]) if fixed.any() else 0.0
    if n == 0 or not has_pairs.any():
        return _trivial(constant)
    w, e, cand = weights[has_pairs], existing[has_pairs], candidates[has_pairs]
    matrix, lower, upper, rows, pair_cost, has_existing, n_cols = _assignment_model(e, cand, n, 0)
    c = np.concatenate([np.zeros(n_cand), w[rows] * pair_cost, w[has_existing] * e[has_existing]])
    integrality = np.zeros(n_cols)
    integrality[:n_cand] = 1
    x, status, gap = _solve(
        c,
        integrality,
        Bounds(np.zeros(n_cols), np.ones(n_cols)),
        LinearConstraint(matrix, lower, upper),
        time_limit,
    )
    objective = constant + (float(c @ x) if x is not None else np.nan)
    return Solution(_picks(x, n_cand), objective, status, gap, n_cols, matrix.shape[0], n_points)


def solve_pcenter(
    weights: FloatArray,
    existing: FloatArray,
    candidates: FloatArray,
    n: int,
    time_limit: float | None = None,
) -> Solution:
    """Minimise the worst cost (unweighted) from a demand point to its nearest open facility."""
    del weights  # p-center is unweighted; zero demand was dropped by the caller
    n_points, n_cand = candidates.shape
    has_pairs = (np.isfinite(candidates) & (candidates < existing[:, None])).any(axis=1)
    fixed = ~has_pairs
    floor = float(existing[fixed].max()) if fixed.any() else 0.0
    if n == 0 or not has_pairs.any():
        return _trivial(floor)
    e, cand = existing[has_pairs], candidates[has_pairs]
    matrix, lower, upper, rows, pair_cost, has_existing, n_cols = _assignment_model(e, cand, n, 1)
    w_col = n_cols - 1
    n_pairs = len(rows)
    # worst-case rows: sum_j c_ij z_ij + e_i u_i - W <= 0, one per point
    z0, u0 = n_cand, n_cand + n_pairs
    worst = sp.csr_array(
        (
            np.concatenate([pair_cost, e[has_existing], -np.ones(len(e))]),
            (
                np.concatenate([rows, has_existing, np.arange(len(e))]),
                np.concatenate(
                    [
                        z0 + np.arange(n_pairs),
                        u0 + np.arange(len(has_existing)),
                        np.full(len(e), w_col),
                    ]
                ),
            ),
        ),
        shape=(len(e), n_cols),
    )
    matrix = sp.vstack([matrix, worst], format="csr")
    lower = np.concatenate([lower, np.full(len(e), -np.inf)])
    upper = np.concatenate([upper, np.zeros(len(e))])
    c = np.zeros(n_cols)
    c[w_col] = 1.0
    integrality = np.zeros(n_cols)
    integrality[:n_cand] = 1
    col_lower = np.zeros(n_cols)
    col_lower[w_col] = floor
    col_upper = np.ones(n_cols)
    col_upper[w_col] = np.inf
    x, status, gap = _solve(
        c,
        integrality,
        Bounds(col_lower, col_upper),
        LinearConstraint(matrix, lower, upper),
        time_limit,
    )
    objective = float(x[w_col]) if x is not None else np.nan
    return Solution(_picks(x, n_cand), objective, status, gap, n_cols, matrix.shape[0], n_points)
