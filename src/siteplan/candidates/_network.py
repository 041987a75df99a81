"""Candidate scoring along the road network (``measure = "network"`` or ``"time"``).

Direction is candidate -> site. The sites join the network once
(:func:`network_sites`: one reversed Dijkstra per site, cut at the decay's
reach, :func:`siteplan.measure.network.places.site_costs`); the candidates are
then snapped and gathered in chunks (:func:`score_network_surface`), and their
per-site scores go through the one point scorer (:mod:`siteplan.score.points`)
site by site, as the straight-line engine's do. A candidate beyond
``snap_max_m`` scores 0 and has no nearest site (it stays eligible); an
unreachable site scores 0 and still counts in the denominator. The nearest site
is the cheapest reachable one (ties within 1e-6 of the unit: the smaller id);
beyond the decay's reach it comes from one search from all sites at once.

The dask engine runs :func:`score_network_surface` on partitions of the
candidates, with the same :class:`~siteplan.measure.network.places.SiteCosts`
sent to every worker, so its results are identical.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import numpy.typing as npt
import shapely

from siteplan.candidates.engines import DEFAULT_CHUNK, SurfaceScores, progress_bar
from siteplan.measure._kernel import nearest_in_rows
from siteplan.measure.network.places import (
    SiteCosts,
    exact_costs,
    nearest_beyond,
    place_costs,
    site_costs,
)
from siteplan.measure.network.sites import site_places
from siteplan.measure.network.snap import snap_places
from siteplan.score.points import add_weighted, finish_weighted, weight_total

if TYPE_CHECKING:
    import geopandas as gpd

    from siteplan.analysis import Result
    from siteplan.score.decay import DecayFunction

__all__ = ["demand_costs", "location_costs", "network_sites", "score_network_surface"]

FloatArray: TypeAlias = npt.NDArray[np.float64]


def network_sites(result: Result, *, limit: float | None = None) -> SiteCosts:
    """Join a network study's sites (in id order, entrances honoured) and search towards them.

    Parameters
    ----------
    result
        An analysis with a network measure (``result.network`` set).
    limit
        The searches' cutoff in the measure's unit (the decay's reach); None: none.
    """
    assert result.network is not None
    sites = result.sites_m.sort_values("id", kind="stable", ignore_index=True)
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


def location_costs(sites: SiteCosts, x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Return exact costs from a few points to every site, and their connectors (metres).

    Pairs beyond the searches' limit are measured too (for picks and clicks).
    """
    snapped = snap_places(sites.network, shapely.points(x, y))
    connector = np.where(snapped.reachable, snapped.connector_m, np.nan)
    return exact_costs(sites, snapped), connector


def demand_costs(
    sites: SiteCosts, points: gpd.GeoDataFrame, x: FloatArray, y: FloatArray, *, block: int = 64
) -> FloatArray:
    """Return the costs from demand points to candidate locations along the network.

    Location-allocation's demand -> candidate matrix: one reversed search per
    location (``block`` locations at a time, no limit), each demand point
    read through its snap point as a candidate is read against the sites.

    Parameters
    ----------
    sites
        The study's sites joined to the network (for the graph and the measure).
    points
        Demand points in the metric CRS.
    x, y
        The locations (e.g. the thinned candidates) in the metric CRS.

    Returns
    -------
    numpy.ndarray
        ``(points, locations)`` in the measure's unit, ``inf`` where unreachable.
    """
    network = sites.network
    demand = snap_places(network, np.asarray(points.geometry.array, dtype=object))
    out = np.full((len(demand), len(x)), np.inf)
    for start in range(0, len(x), block):
        sl = slice(start, min(start + block, len(x)))
        where = snap_places(network, shapely.points(x[sl], y[sl]))
        k = len(where)
        joined = site_costs(network, where, np.arange(k), k, cost=sites.cost)
        out[:, sl] = place_costs(joined, demand)
    return out


def score_network_surface(
    x: FloatArray,
    y: FloatArray,
    sites: SiteCosts,
    weights: FloatArray,
    decay: DecayFunction,
    *,
    chunk_size: int = DEFAULT_CHUNK,
    keep_breakdown: bool = True,
    progress: bool = False,
    **_straight: Any,
) -> SurfaceScores:
    """Score candidate centres against every site along the network.

    Parameters
    ----------
    x, y
        Candidate centres in the metric CRS.
    sites
        The sites joined to the network (:func:`network_sites`).
    weights
        The sites' weights, in site order.
    decay
        The decay function, in the measure's unit.
    chunk_size
        Candidates snapped and gathered per chunk.
    keep_breakdown
        Keep every candidate's per-site scores.
    progress
        Show a progress bar on standard error once a run takes over 2 s.
    **_straight
        The straight-line engine's options (``index``), which do not apply.

    Returns
    -------
    SurfaceScores
        Scores, nearest site (-1: none reachable) and its cost (``inf``), the
        breakdown, and each candidate's ``connector_m`` (NaN beyond ``snap_max_m``).
    """
    n, m = len(x), sites.n_sites
    score = np.zeros(n)
    nearest = np.full(n, -1, dtype=np.intp)
    nearest_m = np.full(n, np.inf)
    connector = np.full(n, np.nan)
    breakdown = np.zeros((m, n)) if keep_breakdown else None
    weights = np.asarray(weights, dtype=np.float64)
    bar = progress_bar(n, progress)
    try:
        for start in range(0, n, chunk_size):
            sl = slice(start, min(start + chunk_size, n))
            snapped = snap_places(sites.network, shapely.points(x[sl], y[sl]))
            d = place_costs(sites, snapped)
            acc = np.zeros(d.shape[0])
            for j in range(m):  # site by site, in site order, as weighted_mean sums
                s = decay(d[:, j])
                add_weighted(acc, weights[j], s)
                if breakdown is not None:
                    breakdown[j, sl] = s
            score[sl] = acc
            near, cost = nearest_in_rows(d)
            found = np.isfinite(cost)
            beyond = np.flatnonzero(~found & snapped.reachable)
            if beyond.shape[0] and np.isfinite(sites.limit):
                near[beyond], cost[beyond] = nearest_beyond(sites, snapped.take(beyond))
                found[beyond] = np.isfinite(cost[beyond])
            nearest[sl] = np.where(found, near, -1)
            nearest_m[sl] = np.where(found, cost, np.inf)
            connector[sl] = np.where(snapped.reachable, snapped.connector_m, np.nan)
            bar.update(d.shape[0])
    finally:
        bar.close()
    return SurfaceScores(
        score=finish_weighted(score, weight_total(weights)),
        nearest=nearest,
        nearest_m=nearest_m,
        breakdown=breakdown,
        connector_m=connector,
    )
