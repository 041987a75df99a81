"""Coverage on a cost matrix: who is within each ring, and which site is nearest.

All counts are demand (population), not points. A demand point is within a ring of a site
when its cost to the site is <= the ring (inclusive, as everywhere in siteplan); ``inf``
(unreachable) is within no ring.

- **Cumulative coverage** per ring: the demand within that ring of at least one site, and its
  share of the total demand, in [0, 1]. Shares never fall from one ring to the next. With a
  total demand of 0 every share is 0 (documented, not NaN).
- **Catchment** per site and ring: the demand within that ring of the site (a point within reach
  of two sites counts in both catchments).
- **Nearest**: for every demand point the nearest reachable site and its cost; costs within
  1e-6 of the unit are ties, broken by the smaller id in code-point order (Python's ``str``
  order). No reachable site: index -1 and cost NaN (null in outputs). Each site's *nearest
  demand* is the demand for which it is the nearest site; these add up to the reachable demand.

Examples
--------
>>> import numpy as np
>>> cost = np.array([[100.0, 900.0], [400.0, np.inf], [np.inf, np.inf]])
>>> cov = coverage(cost, demand=[10, 30, 60], site_ids=["a", "b"], rings=[500, 1000])
>>> cov.covered.tolist(), cov.share.tolist()
([40.0, 40.0], [0.4, 0.4])
>>> cov.nearest.tolist(), cov.nearest_demand.tolist()
([0, 0, -1], [40.0, 0.0])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from siteplan.access._arrays import FloatArray, IntArray, check_cost, check_rings, check_values
from siteplan.errors import ParameterError

__all__ = [
    "TIE_TOLERANCE",
    "Coverage",
    "coverage",
    "cumulative_coverage",
    "nearest_sites",
    "site_catchments",
]

#: Costs closer than this (in the measure's unit) are ties for nearest.
TIE_TOLERANCE: Final = 1e-6


@dataclass(frozen=True)
class Coverage:
    """Coverage of one set of sites over one set of demand points.

    Attributes
    ----------
    rings : numpy.ndarray
        The ring radii, in the measure's unit.
    total : float
        The total demand.
    covered : numpy.ndarray
        Per ring: the demand within it of at least one site.
    share : numpy.ndarray
        Per ring: ``covered / total`` in [0, 1] (0 when the total is 0).
    catchment : numpy.ndarray
        Sites x rings: the demand within each ring of each site.
    nearest : numpy.ndarray
        Per demand point: the column of its nearest reachable site, -1 when none.
    nearest_cost : numpy.ndarray
        Per demand point: the cost to that site, NaN when none is reachable.
    nearest_demand : numpy.ndarray
        Per site: the demand for which it is the nearest site.
    """

    rings: FloatArray
    total: float
    covered: FloatArray
    share: FloatArray
    catchment: FloatArray
    nearest: IntArray
    nearest_cost: FloatArray
    nearest_demand: FloatArray


def nearest_sites(cost: npt.ArrayLike, site_ids: Sequence[str]) -> tuple[IntArray, FloatArray]:
    """Return every demand point's nearest reachable site and its cost.

    Costs within ``TIE_TOLERANCE`` of the minimum are ties, which go to the smaller id.

    Parameters
    ----------
    cost
        Demand points x sites; inf where unreachable.
    site_ids
        One id per column.

    Returns
    -------
    tuple of numpy.ndarray
        The column of the nearest site (-1 when none is reachable) and the cost (NaN then).
    """
    matrix = check_cost(cost)
    _check_ids(site_ids, matrix.shape[1])
    n_demand = matrix.shape[0]
    if matrix.shape[1] == 0:
        return np.full(n_demand, -1, dtype=np.intp), np.full(n_demand, np.nan)
    order = np.array(sorted(range(len(site_ids)), key=lambda j: str(site_ids[j])), dtype=np.intp)
    ordered = matrix[:, order]
    best = ordered.min(axis=1)
    reachable = np.isfinite(best)
    tied = ordered <= (best + TIE_TOLERANCE)[:, None]
    first = order[np.argmax(tied, axis=1)]
    nearest = np.where(reachable, first, -1).astype(np.intp)
    cost_out = np.where(reachable, matrix[np.arange(n_demand), np.maximum(first, 0)], np.nan)
    return nearest, cost_out


def cumulative_coverage(
    cost: npt.ArrayLike, demand: npt.ArrayLike, rings: Sequence[float]
) -> tuple[FloatArray, FloatArray]:
    """Return, per ring, the demand within it of at least one site and its share of the total.

    Parameters
    ----------
    cost
        Demand points x sites; inf where unreachable.
    demand
        One value per demand point.
    rings
        Ring radii in the measure's unit, increasing.

    Returns
    -------
    tuple of numpy.ndarray
        The covered demand and the share in [0, 1] (0 when the total demand is 0).
    """
    matrix = check_cost(cost)
    demand_v = check_values(demand, matrix.shape[0], "demand")
    radii = check_rings(rings)
    best = matrix.min(axis=1) if matrix.shape[1] else np.full(matrix.shape[0], np.inf)
    return _cumulative(best, demand_v, radii)


def site_catchments(
    cost: npt.ArrayLike, demand: npt.ArrayLike, rings: Sequence[float]
) -> FloatArray:
    """Return the demand within each ring of each site (sites x rings).

    Parameters
    ----------
    cost
        Demand points x sites; inf where unreachable.
    demand
        One value per demand point.
    rings
        Ring radii in the measure's unit, increasing.

    Returns
    -------
    numpy.ndarray
        Sites x rings, cumulative over the rings.
    """
    matrix = check_cost(cost)
    demand_v = check_values(demand, matrix.shape[0], "demand")
    return _catchments(matrix, demand_v, check_rings(rings))


def coverage(
    cost: npt.ArrayLike,
    demand: npt.ArrayLike,
    site_ids: Sequence[str],
    rings: Sequence[float],
) -> Coverage:
    """Compute cumulative coverage, catchments and nearest sites in one pass.

    Parameters
    ----------
    cost
        Demand points x sites, in the measure's unit; inf where unreachable.
    demand
        One value per demand point (>= 0).
    site_ids
        One id per column (for ties).
    rings
        Ring radii in the measure's unit, increasing.

    Returns
    -------
    Coverage
        See the class; every value is finite except ``nearest_cost`` for unreachable points.
    """
    matrix = check_cost(cost)
    demand_v = check_values(demand, matrix.shape[0], "demand")
    radii = check_rings(rings)
    nearest, nearest_cost = nearest_sites(matrix, site_ids)
    best = np.where(nearest >= 0, nearest_cost, np.inf)
    covered, share = _cumulative(best, demand_v, radii)
    reached = nearest >= 0
    nearest_demand = np.bincount(
        nearest[reached], weights=demand_v[reached], minlength=matrix.shape[1]
    ).astype(np.float64)
    return Coverage(
        rings=radii,
        total=float(demand_v.sum()),
        covered=covered,
        share=share,
        catchment=_catchments(matrix, demand_v, radii),
        nearest=nearest,
        nearest_cost=nearest_cost,
        nearest_demand=nearest_demand,
    )


def _cumulative(
    best: FloatArray, demand: FloatArray, rings: FloatArray
) -> tuple[FloatArray, FloatArray]:
    within = best[None, :] <= rings[:, None]
    covered = within.astype(np.float64) @ demand
    total = float(demand.sum())
    share = np.clip(covered / total, 0.0, 1.0) if total > 0 else np.zeros_like(covered)
    return covered, share


def _catchments(matrix: FloatArray, demand: FloatArray, rings: FloatArray) -> FloatArray:
    out = np.empty((matrix.shape[1], len(rings)), dtype=np.float64)
    for k, radius in enumerate(rings):
        out[:, k] = demand @ (matrix <= radius).astype(np.float64)
    return out


def _check_ids(site_ids: Sequence[str], n_sites: int) -> None:
    if len(site_ids) != n_sites:
        raise ParameterError(
            f"site_ids must hold one id per column of the cost matrix ({n_sites}), "
            f"got {len(site_ids)}"
        )
