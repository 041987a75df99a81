"""Reached areas along the network: a site's rings as isochrone bands.

Method: buffered reached segment pieces. Every node's cost of travel TO the
site (place -> site) comes from the one search candidates, access and the map
page use (:func:`~siteplan.measure.network.places.node_costs`: one Dijkstra on
the reversed junction graph, the nodes inside chains read from their chain),
the site's own connector left out. For each ring,
the part of every segment from which the site is reached within the ring is
found exactly (a segment is entered at either node, in the directions it may be
travelled; on the site's own segment directly too), cut out, and the pieces
are buffered by ``buffer_m`` and merged (a segment reached from both ends is one
piece; pieces that continue one another are joined first). A band is a ring's
area minus the area of the ring before it.

Limits: the area shows where a place ON a street reaches the site in time; a
place set back from the street walks its own connector on top. The buffer
width is a drawing choice, not a measure: land between streets farther than
``buffer_m`` from any reached piece is left out (large blocks show as holes),
and the buffer reaches a little past the ends of the pieces, and across rivers
next to a reached bank. No hull is drawn, so unreachable areas inside the
reached network are not painted over.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from pyproj import CRS

from siteplan.errors import ParameterError
from siteplan.measure.network.graph import Cost, FloatArray, Network
from siteplan.measure.network.places import node_costs, site_costs
from siteplan.measure.network.snap import Snapped

__all__ = ["isochrone_bands", "node_costs_to", "wgs84_bands"]

#: The grid of bands in WGS84 (degrees, about 1 cm): what GeoJSON's 7 decimals keep.
WGS84_GRID = 1e-7


def node_costs_to(
    network: Network, site: Snapped, *, cost: Cost = "time", limit: float = np.inf
) -> FloatArray:
    """Return each node's cost of travel to the one place in ``site`` (inf if none).

    The place's connector is not included. The costs are
    :func:`~siteplan.measure.network.places.node_costs` of the place joined
    with no walk: the one search towards a site that candidates, access and
    the page use.
    """
    if len(site) != 1:
        raise ParameterError(f"site holds {len(site)} places; give exactly one")
    on_street = dataclasses.replace(site, connector_m=np.zeros(1))
    sites = site_costs(network, on_street, np.zeros(1, dtype=np.int64), 1, cost=cost, limit=limit)
    return np.ascontiguousarray(node_costs(sites)[:, 0])


def _reached_pieces(
    network: Network, site: Snapped, dist: FloatArray, budget: float, w: FloatArray
) -> np.ndarray[tuple[int], np.dtype[np.object_]]:
    """Return the segment pieces from which the site is reached within ``budget``.

    A segment reached from both ends in parts that meet is one whole piece (not two
    overlapping ones): the same ground, half the pieces to buffer and merge.
    """
    u, v = network.seg_u, network.seg_v
    with np.errstate(invalid="ignore"):
        reach_u = np.where(network.seg_backward, (budget - dist[u]) / w, -np.inf)
        reach_v = np.where(network.seg_forward, (budget - dist[v]) / w, -np.inf)
    from_u = np.clip(reach_u, 0.0, 1.0)  # the piece [0, from_u] is left through u
    from_v = np.clip(1.0 - reach_v, 0.0, 1.0)  # the piece [from_v, 1] through v
    whole = (from_u > 0) & (from_v < 1) & (from_v <= from_u)
    lo = [np.zeros_like(w), np.where(whole, 1.0, from_v)]
    hi = [np.where(whole, 1.0, from_u), np.ones_like(w)]
    seg_ids = [np.arange(w.shape[0]), np.arange(w.shape[0])]
    s = int(site.segment[0])
    t = float(site.fraction[0])
    span = budget / w[s]
    if network.seg_forward[s]:
        lo.append(np.array([t - span]))
        hi.append(np.array([t]))
        seg_ids.append(np.array([s]))
    if network.seg_backward[s]:
        lo.append(np.array([t]))
        hi.append(np.array([t + span]))
        seg_ids.append(np.array([s]))
    start = np.clip(np.concatenate(lo), 0.0, 1.0)
    end = np.clip(np.concatenate(hi), 0.0, 1.0)
    seg = np.concatenate(seg_ids)
    keep = end > start
    start, end, seg = start[keep], end[keep], seg[keep]
    a, b = network.node_xy[u[seg]], network.node_xy[v[seg]]
    first = np.where(start[:, None] == 0.0, a, a + start[:, None] * (b - a))
    last = np.where(end[:, None] == 1.0, b, a + end[:, None] * (b - a))
    return np.asarray(shapely.linestrings(np.stack([first, last], axis=1)), dtype=object)


def _buffered_union(
    pieces: np.ndarray[tuple[int], np.dtype[np.object_]], buffer_m: float
) -> shapely.Geometry:
    """Return the union of the pieces' buffers (round caps and joins, 4 segments a quadrant).

    Pieces that continue one another (at a vertex where only they meet: the
    vertices along a curved street) are first joined into one line, whose buffer
    is the union of theirs, up to drawing tolerance; the lines are buffered one by
    one and merged in one cascaded union. Buffering all the pieces as one
    MultiLineString took minutes on a real city (5,700 pieces of Helsinki); this
    takes about 0.15 s per ring there (benchmarks/network_isochrones.py).
    """
    lines = shapely.get_parts(shapely.line_merge(shapely.multilinestrings(pieces)))
    return shapely.union_all(shapely.buffer(lines, buffer_m, quad_segs=4))


def isochrone_bands(
    network: Network,
    site: Snapped,
    rings: Sequence[float],
    *,
    cost: Cost = "time",
    buffer_m: float = 50.0,
) -> gpd.GeoDataFrame:
    """Return the areas from which a site is reached within each ring, as bands.

    Parameters
    ----------
    network
        The graph.
    site
        The one place (snapped) that is travelled to.
    rings
        Increasing ring values in the cost's unit (minutes for ``time``, metres
        for ``length``).
    cost
        ``"time"`` or ``"length"``.
    buffer_m
        Half the width of the drawn band around each reached piece of street.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per ring: ``ring_from``, ``ring_to`` (the band's cost range) and
        the band's geometry (empty when nothing new is reached), in the network's CRS.
    """
    values = [float(r) for r in rings]
    if not values or any(not np.isfinite(r) or r <= 0 for r in values):
        raise ParameterError(f"rings {list(rings)!r} must be numbers > 0")
    if any(b <= a for a, b in itertools.pairwise(values)):
        raise ParameterError(f"rings {values!r} must increase")
    if not (buffer_m > 0):
        raise ParameterError(f"buffer_m {buffer_m!r} is not a number > 0")
    w = network.seg_cost(cost)
    connector = float(site.connector_m[0]) if len(site) == 1 else np.inf
    if cost == "time":
        connector /= network.walk_m_per_min
    reachable = len(site) == 1 and bool(site.reachable[0])
    dist = node_costs_to(network, site, cost=cost, limit=values[-1]) if reachable else None
    areas: list[shapely.Geometry] = []
    for ring in values:
        budget = ring - connector
        if dist is None or budget < 0:
            areas.append(shapely.Polygon())
            continue
        pieces = _reached_pieces(network, site, dist, budget, w)
        if pieces.shape[0] == 0:
            areas.append(shapely.Polygon())
            continue
        areas.append(_buffered_union(pieces, buffer_m))
    bands = [areas[0]] + [shapely.difference(areas[i], areas[i - 1]) for i in range(1, len(areas))]
    return gpd.GeoDataFrame(
        {"ring_from": [0.0, *values[:-1]], "ring_to": values},
        geometry=bands,
        crs=CRS.from_user_input(network.crs),
    )


def wgs84_bands(geoms: Sequence[shapely.Geometry], crs: CRS | str) -> npt.NDArray[np.object_]:
    """Return bands (metric CRS) in WGS84 as valid polygons on a 1e-7 degree grid.

    Differences of buffered street networks leave zero-width slivers that turn
    invalid once reprojected (and after GeoJSON's 7 decimals); GEOS repairs them
    (collapsed parts dropped) and snaps them to the grid, so the map, the
    GeoPackage and the GeoJSON all hold valid geometries.

    Examples
    --------
    >>> import shapely
    >>> bow = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])  # self-intersecting
    >>> [g.is_valid for g in wgs84_bands([bow], "EPSG:32651")]
    [True]
    """
    wgs = gpd.GeoSeries(list(geoms), crs=crs).to_crs("EPSG:4326")
    fixed = shapely.make_valid(
        np.asarray(wgs.array, dtype=object), method="structure", keep_collapsed=False
    )
    return np.asarray(shapely.set_precision(fixed, WGS84_GRID), dtype=object)
