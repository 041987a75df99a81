"""Join places to the network at the nearest point of the nearest segment.

A place (a site footprint, a point, a candidate centre, a click) joins the
network by a straight connector from its nearest point to the nearest point of
the nearest segment the mode may travel (not the nearest node). The connector
is walked in every mode and reported as ``connector_m``. A place farther than
``snap_max_m`` from every segment is unreachable. Ties between equally near
segments go to the lowest segment number, so the result is deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from siteplan.measure.network.graph import BoolArray, FloatArray, IntArray, Network

__all__ = ["Snapped", "snap_places", "unreachable_warnings"]


@dataclass(frozen=True, eq=False)
class Snapped:
    """Where places join the network, one entry per place.

    Attributes
    ----------
    segment
        The segment joined (-1 when the place is unreachable).
    fraction
        Position of the join point along the segment from its first node, 0..1.
    point_xy
        The join point, shape (k, 2) (NaN when unreachable).
    connector_m
        The straight distance from the place to the network (inf for an empty
        place or beyond ``snap_max_m`` with no segment nearby).
    reachable
        Whether the place joins the network (``connector_m <= snap_max_m``).
    """

    segment: IntArray
    fraction: FloatArray
    point_xy: FloatArray
    connector_m: FloatArray
    reachable: BoolArray

    def __len__(self) -> int:
        return int(self.segment.shape[0])

    def take(self, index: Any) -> Snapped:
        """Return the entries at ``index`` (an integer array, slice or mask)."""
        return Snapped(
            segment=self.segment[index],
            fraction=self.fraction[index],
            point_xy=self.point_xy[index],
            connector_m=self.connector_m[index],
            reachable=self.reachable[index],
        )


def snap_places(network: Network, places: Any) -> Snapped:
    """Join places to the network.

    Parameters
    ----------
    network
        The graph to join.
    places
        Shapely geometries (array-like or GeoSeries) in the network's CRS.
        Points, polygons and lines; a polygon joins from its nearest edge point.

    Returns
    -------
    Snapped
        One entry per place, in order.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from siteplan.load.network import NetworkParams
    >>> from siteplan.measure.network.graph import build_network
    >>> roads = gpd.GeoDataFrame(
    ...     {"id": ["r"], "highway": [None], "oneway": [0], "maxspeed_kmh": [float("nan")]},
    ...     geometry=[shapely.LineString([(0, 0), (100, 0)])], crs="EPSG:32651")
    >>> net = build_network(roads, "EPSG:32651", NetworkParams())
    >>> s = snap_places(net, [shapely.Point(25, 10)])
    >>> s.fraction.tolist(), s.connector_m.tolist()
    ([0.25], [10.0])
    """
    geoms = np.asarray(getattr(places, "array", places), dtype=object).reshape(-1)
    k = geoms.shape[0]
    segment = np.full(k, -1, dtype=np.int64)
    connector = np.full(k, np.inf)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if present.any() and network.n_segments:
        pairs, dist = network.tree.query_nearest(
            geoms[present],
            max_distance=float(network.params.snap_max_m),
            return_distance=True,
            all_matches=True,
        )
        # Keep the lowest segment number among equally near ones.
        order = np.lexsort((pairs[1], pairs[0]))
        rows, segs, dist = pairs[0][order], pairs[1][order], dist[order]
        first = np.ones(rows.shape[0], dtype=bool)
        first[1:] = rows[1:] != rows[:-1]
        where = np.flatnonzero(present)[rows[first]]
        segment[where] = segs[first]
        connector[where] = dist[first]
    reachable = segment >= 0
    fraction = np.full(k, np.nan)
    point = np.full((k, 2), np.nan)
    if reachable.any():
        idx = np.flatnonzero(reachable)
        seg = segment[idx]
        lines = shapely.shortest_line(geoms[idx], network.segments[seg])
        on_net = shapely.get_coordinates(shapely.get_point(lines, 1))
        a, b = network.node_xy[network.seg_u[seg]], network.node_xy[network.seg_v[seg]]
        ab = b - a
        t = np.einsum("ij,ij->i", on_net - a, ab) / np.einsum("ij,ij->i", ab, ab)
        fraction[idx] = np.clip(t, 0.0, 1.0)
        point[idx] = a + fraction[idx, None] * ab
        connector[idx] = shapely.length(lines)
    return Snapped(
        segment=segment,
        fraction=fraction,
        point_xy=point,
        connector_m=connector,
        reachable=reachable,
    )


def unreachable_warnings(network: Network, ids: Sequence[str], snapped: Snapped) -> list[str]:
    """Return one warning per place that cannot join the network, naming it.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from siteplan.load.network import NetworkParams
    >>> from siteplan.measure.network.graph import build_network
    >>> roads = gpd.GeoDataFrame(
    ...     {"id": ["r"], "highway": [None], "oneway": [0], "maxspeed_kmh": [float("nan")]},
    ...     geometry=[shapely.LineString([(0, 0), (100, 0)])], crs="EPSG:32651")
    >>> net = build_network(roads, "EPSG:32651", NetworkParams())
    >>> unreachable_warnings(net, ["far"], snap_places(net, [shapely.Point(0, 500)]))
    ['far is farther than snap_max_m 300 m from every road usable in mode walk; it is unreachable']
    """
    limit = f"{network.params.snap_max_m:g}"
    return [
        f"{ids[int(i)]} is farther than snap_max_m {limit} m from every road usable in "
        f"mode {network.params.mode}; it is unreachable"
        for i in np.flatnonzero(~snapped.reachable)
    ]
