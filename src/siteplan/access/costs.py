"""The cost matrix of an access study: from every demand point to every site.

:func:`access_costs` is the one place that turns a study's measure into costs, so every
index, coverage figure and location-allocation model works with whatever measure the
study uses. Today it measures straight lines with the distance kernel
(:mod:`siteplan.measure._kernel`): ``edge`` from the demand point to the nearest point of
the site's footprint (0 inside it), ``centroid`` to the footprint's centroid, in metres.

With ``network`` (metres) and ``time`` (minutes) the costs run along the road network,
place -> site (DESIGN.md): the sites join the network where the analysis joins them (their
entrances, else their footprints), one reversed Dijkstra per site gives every junction's
cost to every site, and each demand point reads its costs through its own snap
(:mod:`siteplan.measure.network.places`), its walk to the road counted at walking speed. A
point beyond ``snap_max_m`` of every road, or a site it cannot reach, costs ``inf``.

:data:`COST_MEASURES` maps each measure to its unit and cost function (it takes the
analysis and the demand points' metric x, y and returns the matrix in the measure's unit,
``inf`` where a site cannot be reached); a measure that is not listed is refused with a
one-line error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np
import shapely

from siteplan.access._arrays import FloatArray
from siteplan.errors import ParameterError
from siteplan.measure._kernel import distance_matrix, prepare_targets
from siteplan.measure.network.places import SiteCosts, point_costs, site_costs
from siteplan.measure.network.sites import site_places
from siteplan.measure.network.snap import snap_places

if TYPE_CHECKING:
    import geopandas as gpd

    from siteplan.analysis import Result

__all__ = [
    "COST_MEASURES",
    "CostMatrix",
    "access_costs",
    "location_costs",
    "network_sites",
    "site_order",
]


@dataclass(frozen=True)
class CostMatrix:
    """Costs from demand points (rows) to sites (columns).

    Attributes
    ----------
    values : numpy.ndarray
        ``(points, sites)`` in ``unit``; ``inf`` where a site cannot be reached.
    site_ids : tuple of str
        The columns: the sites in id order (code-point order).
    measure, unit : str
        The measure (``edge``, ``centroid``, ...) and its unit (``m`` or ``min``).
    """

    values: FloatArray
    site_ids: tuple[str, ...]
    measure: str
    unit: str


def site_order(result: Result) -> gpd.GeoDataFrame:
    """Return the sites in the metric CRS, in id order (the columns of every cost matrix)."""
    return result.sites_m.sort_values("id", kind="stable", ignore_index=True)


def _straight(result: Result, x: FloatArray, y: FloatArray, *, centroid: bool) -> FloatArray:
    geoms = np.asarray(site_order(result).geometry.array, dtype=object)
    targets = prepare_targets(shapely.centroid(geoms) if centroid else geoms)
    return distance_matrix(targets, x, y)


def _edge(result: Result, x: FloatArray, y: FloatArray) -> FloatArray:
    return _straight(result, x, y, centroid=False)


def _centroid(result: Result, x: FloatArray, y: FloatArray) -> FloatArray:
    return _straight(result, x, y, centroid=True)


def network_sites(result: Result, *, limit: float | None = None) -> SiteCosts:
    """Join the sites (id order, entrances honoured) and search the network towards each.

    The one join of sites for every place -> site cost (access, candidates, sensitivity).

    Parameters
    ----------
    result
        An analysis with a network measure (``result.network`` set).
    limit
        The searches' cutoff in the measure's unit (the decay's reach, for candidates);
        None (access: the nearest site may be far) for none.

    Raises
    ------
    ParameterError
        When the analysis was not measured along a network.
    """
    if result.network is None:
        raise ParameterError(
            f"measure {result.parameters.measure!r} needs the study's road network; "
            "the analysis has none"
        )
    sites = site_order(result)
    ids = [str(v) for v in sites["id"]]
    entrances = None if result.data.entrances is None else result.data.entrances.to_crs(result.crs)
    site_field = next(
        (s.site_field for s in result.study.layers if s.role == "entrance"), "site_id"
    )
    places, owner, extra = site_places(sites.geometry, ids, entrances, site_field)
    network = result.network.network
    return site_costs(
        network,
        snap_places(network, places),
        owner,
        len(ids),
        cost="time" if result.parameters.measure == "time" else "length",
        extra_m=extra,
        limit=limit,
    )


def _network(result: Result, x: FloatArray, y: FloatArray) -> FloatArray:
    costs, _ = point_costs(network_sites(result), x, y)
    return costs


#: Measure -> (unit, cost function).
COST_MEASURES: Final[
    dict[str, tuple[str, Callable[[Result, FloatArray, FloatArray], FloatArray]]]
] = {
    "edge": ("m", _edge),
    "centroid": ("m", _centroid),
    "network": ("m", _network),
    "time": ("min", _network),
}


def access_costs(result: Result, points: gpd.GeoDataFrame) -> CostMatrix:
    """Measure the cost from every demand point to every site, with the study's measure.

    Parameters
    ----------
    result
        The study's analysis (sites, metric CRS and measure).
    points
        Demand points in ``result.crs`` (see :func:`siteplan.load.demand.demand_points`).

    Returns
    -------
    CostMatrix
        One row per point, one column per site in id order.

    Raises
    ------
    ParameterError
        For an unknown measure.

    Examples
    --------
    >>> from siteplan import analyze
    >>> import geopandas as gpd, shapely
    >>> res = analyze()
    >>> pts = gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)], crs=res.crs)
    >>> access_costs(res, pts).site_ids
    ('cancer_center', 'cgt_park', 'childrens_center', 'proton_center')
    """
    measure = result.parameters.measure
    if measure not in COST_MEASURES:
        raise ParameterError(
            f"measure {measure!r} is not one of {', '.join(COST_MEASURES)}", argument="measure"
        )
    unit, cost = COST_MEASURES[measure]
    geoms = np.asarray(points.geometry.array, dtype=object)
    x = shapely.get_x(geoms).astype(np.float64)
    y = shapely.get_y(geoms).astype(np.float64)
    ids = tuple(str(v) for v in site_order(result)["id"])
    return CostMatrix(values=cost(result, x, y), site_ids=ids, measure=measure, unit=unit)


def location_costs(
    result: Result, points: gpd.GeoDataFrame, x: FloatArray, y: FloatArray
) -> FloatArray:
    """Measure the cost from every demand point to point locations (e.g. candidates).

    Parameters
    ----------
    result
        The study's analysis (metric CRS and measure).
    points
        Demand points in ``result.crs``.
    x, y
        The locations in ``result.crs``.

    Returns
    -------
    numpy.ndarray
        ``(points, locations)`` in the measure's unit; a straight line for ``edge`` and
        ``centroid`` (a location is a point, so both agree).

    Raises
    ------
    ParameterError
        For a measure other than ``edge`` and ``centroid``.
    """
    measure = result.parameters.measure
    if measure not in ("edge", "centroid"):
        raise ParameterError(
            f"measure {measure!r}: location-allocation measures straight lines (edge or "
            "centroid) for now; access itself supports network and time"
        )
    geoms = np.asarray(points.geometry.array, dtype=object)
    px = shapely.get_x(geoms).astype(np.float64)
    py = shapely.get_y(geoms).astype(np.float64)
    out: FloatArray = np.hypot(
        px[:, None] - np.asarray(x)[None, :], py[:, None] - np.asarray(y)[None, :]
    )
    return out
