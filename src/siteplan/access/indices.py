"""Accessibility indices on a cost matrix: gravity, 2SFCA and E2SFCA.

``cost[i, j]`` is the cost (distance or time, in the measure's unit) from demand point ``i``
to site ``j``, ``inf`` when the site cannot be reached. ``P_i`` is the demand of point ``i``;
``S_j`` is the supply of site ``j`` (its capacity, else 1).

==========  ==================================================================================
index       formula
==========  ==================================================================================
gravity     A_i = sum_j S_j * decay(d_ij) / 100  (PySAL access' weighted catchment)
2sfca       R_j = S_j / sum_{k: d_kj <= d0} P_k;  A_i = sum_{j: d_ij <= d0} R_j
            (d0, the threshold, defaults to the first ring)
e2sfca      as 2sfca with the weight w(d) = decay(ring k) / 100 for the first ring k with
            d <= ring k, 0 beyond the last ring:
            R_j = S_j / sum_k P_k * w(d_kj);  A_i = sum_j R_j * w(d_ij)
==========  ==================================================================================

Documented edge values (never NaN):

- a site whose catchment holds no demand (all of it zero, or none within reach) has
  R_j = 0;
- a site of supply 0 has R_j = 0 and adds nothing;
- a demand point that reaches no site (every cost inf, or all beyond the threshold or the last
  ring) has index 0;
- a demand point of demand 0 still gets its index (what a person there would have).

These equal PySAL ``access`` on the same cost table (tests check within 1e-9 relative):
``weighted_catchment`` with ``weight_fn = decay / 100`` for gravity, ``two_stage_fca`` with
``max_cost = d0`` for 2sfca and ``enhanced_two_stage_fca`` with ``step_fn({ring: decay(ring) /
100})`` for e2sfca; ``access`` gives NaN where these give 0.

Examples
--------
>>> import numpy as np
>>> from siteplan.score.decay import make_decay
>>> cost = np.array([[100.0, 900.0], [400.0, np.inf]])
>>> two_step_fca(cost, demand=[10, 30], supply=[2, 1], threshold=500).tolist()
[0.05, 0.05]
>>> gravity_index(cost, supply=[2, 1], decay=make_decay("linear", max_m=1000)).tolist()
[1.9, 1.2]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from siteplan.access._arrays import (
    FloatArray,
    IntArray,
    check_cost,
    check_rings,
    check_values,
)
from siteplan.errors import ParameterError
from siteplan.score.decay import DecayFunction

__all__ = [
    "INDICES",
    "IndexValues",
    "accessibility",
    "decay_weights",
    "enhanced_two_step_fca",
    "gravity_index",
    "ring_weights",
    "step_weights",
    "supply_ratios",
    "two_step_fca",
]

INDICES: Final = ("gravity", "2sfca", "e2sfca")


@dataclass(frozen=True)
class IndexValues:
    """An accessibility index for every demand point, and the sites' supply ratios.

    Attributes
    ----------
    kind : str
        ``gravity``, ``2sfca`` or ``e2sfca``.
    values : numpy.ndarray
        A_i, one per demand point (0 where no site is reached).
    ratios : numpy.ndarray or None
        R_j, one per site, for the floating-catchment indices (None for gravity).
    """

    kind: str
    values: FloatArray
    ratios: FloatArray | None


def decay_weights(cost: FloatArray, decay: DecayFunction) -> FloatArray:
    """Return decay(cost) / 100 for every entry, 0 where the cost is inf."""
    finite = np.isfinite(cost)
    weights = decay(np.where(finite, cost, 0.0)) / 100.0
    weights[~finite] = 0.0
    return weights


def step_weights(cost: FloatArray, threshold: float) -> FloatArray:
    """Return 1 where cost <= threshold, else 0 (inf never counts)."""
    return (cost <= threshold).astype(np.float64)


def ring_weights(cost: FloatArray, rings: FloatArray, decay: DecayFunction) -> FloatArray:
    """Return decay(ring k) / 100 for the first ring k with cost <= ring k, 0 beyond the last."""
    table = np.append(decay(rings) / 100.0, 0.0)
    return table[np.searchsorted(rings, cost, side="left")]


def supply_ratios(weights: FloatArray, demand: FloatArray, supply: FloatArray) -> FloatArray:
    """Return R_j = S_j / sum_k P_k * w_kj, with R_j = 0 when the catchment holds no demand."""
    catchment = demand @ weights
    ratios = np.zeros_like(supply)
    served = catchment > 0
    ratios[served] = supply[served] / catchment[served]
    return ratios


def gravity_index(cost: npt.ArrayLike, supply: npt.ArrayLike, decay: DecayFunction) -> FloatArray:
    """Return the gravity index A_i = sum_j S_j * decay(d_ij) / 100.

    Parameters
    ----------
    cost
        Demand points x sites, in the measure's unit; inf where unreachable.
    supply
        S_j, one per site (capacity, else 1).
    decay
        The study's decay function (``siteplan.score.decay.make_decay``).

    Returns
    -------
    numpy.ndarray
        One value per demand point; 0 where no site is reached.
    """
    matrix = check_cost(cost)
    supply_v = check_values(supply, matrix.shape[1], "supply")
    return decay_weights(matrix, decay) @ supply_v


def two_step_fca(
    cost: npt.ArrayLike, demand: npt.ArrayLike, supply: npt.ArrayLike, threshold: float
) -> FloatArray:
    """Return the 2SFCA index with threshold ``d0`` (see the module's formulas).

    Parameters
    ----------
    cost
        Demand points x sites, in the measure's unit; inf where unreachable.
    demand
        P_i, one per demand point.
    supply
        S_j, one per site.
    threshold
        d0: a site serves the demand within d0 (inclusive).

    Returns
    -------
    numpy.ndarray
        One value per demand point; 0 where no site is within d0.
    """
    return accessibility(
        "2sfca", cost, demand, supply, decay=None, rings=(float(threshold),), threshold=threshold
    ).values


def enhanced_two_step_fca(
    cost: npt.ArrayLike,
    demand: npt.ArrayLike,
    supply: npt.ArrayLike,
    rings: Sequence[float],
    decay: DecayFunction,
) -> FloatArray:
    """Return the E2SFCA index, ring k weighing decay(ring k) / 100 (see the module).

    Parameters
    ----------
    cost
        Demand points x sites, in the measure's unit; inf where unreachable.
    demand
        P_i, one per demand point.
    supply
        S_j, one per site.
    rings
        The ring radii, increasing; beyond the last ring the weight is 0.
    decay
        The study's decay function.

    Returns
    -------
    numpy.ndarray
        One value per demand point; 0 where no site is within the last ring.
    """
    return accessibility("e2sfca", cost, demand, supply, decay=decay, rings=rings).values


def accessibility(
    kind: str,
    cost: npt.ArrayLike,
    demand: npt.ArrayLike,
    supply: npt.ArrayLike,
    *,
    decay: DecayFunction | None,
    rings: Sequence[float],
    threshold: float | None = None,
) -> IndexValues:
    """Compute one accessibility index for every demand point.

    Parameters
    ----------
    kind
        ``gravity``, ``2sfca`` or ``e2sfca``.
    cost
        Demand points x sites, in the measure's unit; inf where unreachable.
    demand
        P_i, one per demand point (>= 0).
    supply
        S_j, one per site (>= 0): capacity, else 1.
    decay
        The decay function (needed by gravity and e2sfca).
    rings
        The ring radii in the measure's unit (e2sfca's steps, 2sfca's default threshold).
    threshold
        d0 for 2sfca; None for the first ring.

    Returns
    -------
    IndexValues
        The index per demand point and, for 2sfca and e2sfca, R_j per site.

    Raises
    ------
    ParameterError
        For an unknown ``kind``, a missing ``decay``, a bad threshold, cost, demand or supply.
    """
    if kind not in INDICES:
        raise ParameterError(f"kind {kind!r} is not one of {', '.join(INDICES)}")
    matrix = check_cost(cost)
    demand_v = check_values(demand, matrix.shape[0], "demand")
    supply_v = check_values(supply, matrix.shape[1], "supply")
    radii = check_rings(rings)
    if kind in ("gravity", "e2sfca") and decay is None:
        raise ParameterError(f"decay is required for the {kind} index")
    if kind == "gravity":
        assert decay is not None  # checked above; for mypy
        return IndexValues(kind, decay_weights(matrix, decay) @ supply_v, None)
    if kind == "2sfca":
        d0 = float(radii[0] if threshold is None else threshold)
        if not np.isfinite(d0) or d0 < 0:
            raise ParameterError(f"threshold must be a finite number >= 0, got {threshold!r}")
        rows, cols = _pairs_within(matrix, d0)
        pair_weight = None
    else:
        assert decay is not None
        rows, cols = _pairs_within(matrix, float(radii[-1]))
        within = matrix[rows, cols]
        pair_weight = np.append(decay(radii) / 100.0, 0.0)[
            np.searchsorted(radii, within, side="left")
        ]
    ratios, values = _floating_catchment(rows, cols, pair_weight, demand_v, supply_v)
    return IndexValues(kind, values, ratios)


def _pairs_within(matrix: FloatArray, reach: float) -> tuple[IntArray, IntArray]:
    """Return the (row, column) of every entry <= ``reach``, in row-major order.

    The floating-catchment indices only ever weigh these pairs, usually a small share of
    the matrix, so they are summed sparsely (``np.bincount``) rather than densely.
    """
    index = np.flatnonzero(matrix.reshape(-1) <= reach)  # inf (unreachable) never is
    rows, cols = np.divmod(index, max(matrix.shape[1], 1))
    return rows, cols


def _floating_catchment(
    rows: IntArray,
    cols: IntArray,
    weight: FloatArray | None,
    demand: FloatArray,
    supply: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Return (R_j, A_i) of a floating catchment over the given pairs (weight 1 when None).

    R_j = S_j / sum_k P_k * w_kj (0 when the catchment holds no demand) and
    A_i = sum_j R_j * w_ij, summed per site and per point in the pairs' order.
    """
    n, m = len(demand), len(supply)
    pulled = demand[rows] if weight is None else demand[rows] * weight
    catchment = np.bincount(cols, weights=pulled, minlength=m)
    ratios = np.zeros_like(supply)
    served = catchment > 0
    ratios[served] = supply[served] / catchment[served]
    pushed = ratios[cols] if weight is None else ratios[cols] * weight
    values: FloatArray = np.bincount(rows, weights=pushed, minlength=n).astype(np.float64)
    return ratios, values
