"""Measure a study's sites along its road network: the pair fields and their warnings.

Each site joins the network where :func:`~siteplan.measure.network.snap.snap_places`
puts it: at the nearest point of the nearest usable edge from its footprint or,
when the study has entrances for it, from each of its entrances (a site then
travels through whichever entrance gives the cheaper trip; the straight walk
from the footprint to the entrance counts as part of its connector, so a network
distance never beats the straight edge-to-edge distance). Pairs are measured both
ways (``a`` to ``b`` and ``b`` to ``a``) along the path that is cheapest in the
measure: shortest for ``network``, fastest for ``time``.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from siteplan.errors import StudyError
from siteplan.load.network import NetworkLayer, NetworkParams
from siteplan.load.network_study import with_network
from siteplan.load.study import StudyData
from siteplan.measure.network.cache import cached_network, network_key
from siteplan.measure.network.columns import NETWORK_PAIR_COLUMNS
from siteplan.measure.network.graph import Cost, FloatArray, IntArray, Network, build_network
from siteplan.measure.network.isochrones import isochrone_bands
from siteplan.measure.network.paths import od_costs
from siteplan.measure.network.quality import component_warnings, components
from siteplan.measure.network.snap import Snapped, snap_places

__all__ = [
    "NETWORK_PAIR_COLUMNS",
    "SiteNetwork",
    "area_overlaps",
    "measure_site_pairs",
    "network_for_study",
    "pair_fields",
    "pair_warnings",
    "ring_areas",
    "site_places",
    "study_network",
]


def study_network(
    layer: NetworkLayer, sources: Sequence[Path], crs: CRS | str, params: NetworkParams
) -> tuple[Network, bool]:
    """Return the graph of a study's network layer, from the cache when it can.

    The cache key covers the files' bytes, the field names, the datum, the
    CRS and the parameters; a network built in code (no ``sources``) is not cached.

    Returns
    -------
    tuple
        The graph and whether it came from the cache.
    """
    if not sources:
        return build_network(layer.frame, crs, params), False
    spec = layer.spec
    extra = json.dumps(
        [spec.datum, spec.oneway_field, spec.speed_field, spec.class_field, spec.id_field]
    )
    key = network_key(list(sources), crs, params, extra=extra)
    return cached_network(key, lambda: build_network(layer.frame, crs, params))


@dataclass(frozen=True, eq=False)
class SiteNetwork:
    """Where each site joins the network, and how it reaches the others.

    Attributes
    ----------
    network
        The graph.
    places
        One joining place per site (its entrance nearest the network, else its
        footprint), for isochrones and the page.
    connector_m
        Per site: the straight walk to the network (footprint to entrance
        included), inf when the site cannot join.
    metres, minutes
        Site-to-site costs (rows travel to columns), inf where unreachable.
    """

    network: Network
    places: Snapped
    connector_m: FloatArray
    metres: FloatArray
    minutes: FloatArray


def site_places(
    sites_m: gpd.GeoSeries,
    ids: Sequence[str],
    entrances_m: gpd.GeoDataFrame | None,
    site_field: str,
) -> tuple[list[shapely.Geometry], IntArray, FloatArray]:
    """Return the places where sites join: their entrances, else their footprints.

    Returns
    -------
    tuple
        The places (metric CRS), the site each belongs to (position in
        ``ids``), and the straight distance from the site's footprint to each
        place (0 for a footprint).
    """
    geoms = np.asarray(sites_m.array, dtype=object)
    position = {str(sid): k for k, sid in enumerate(ids)}
    places: list[shapely.Geometry] = []
    owner: list[int] = []
    extra: list[float] = []
    served: set[int] = set()
    if entrances_m is not None and site_field in entrances_m.columns:
        for point, site in zip(entrances_m.geometry, entrances_m[site_field], strict=True):
            k = position.get(str(site))
            if k is None or point is None or point.is_empty:
                continue
            places.append(point)
            owner.append(k)
            extra.append(float(shapely.distance(geoms[k], point)))
            served.add(k)
    for k, geom in enumerate(geoms):
        if k not in served:
            places.append(geom)
            owner.append(k)
            extra.append(0.0)
    order = np.argsort(np.asarray(owner), kind="stable")
    return (
        [places[int(i)] for i in order],
        np.asarray(owner, dtype=np.int64)[order],
        np.asarray(extra, dtype=float)[order],
    )


def _reduce(
    primary: FloatArray, secondary: FloatArray, owner: IntArray, n: int, axis: int
) -> tuple[FloatArray, FloatArray]:
    """Keep, per site, its cheapest place along ``axis`` (and the other cost of that trip)."""
    if primary.shape[axis] == n:
        return primary, secondary
    p = np.moveaxis(primary, axis, 0)
    s = np.moveaxis(secondary, axis, 0)
    out_p = np.full((n, p.shape[1]), np.inf)
    out_s = np.full((n, p.shape[1]), np.inf)
    starts = np.searchsorted(owner, np.arange(n))
    ends = np.searchsorted(owner, np.arange(n), side="right")
    cols = np.arange(p.shape[1])
    for k in range(n):  # one vectorised step per site, over all columns
        block = p[starts[k] : ends[k]]
        best = np.argmin(block, axis=0)
        out_p[k] = block[best, cols]
        out_s[k] = s[starts[k] : ends[k]][best, cols]
    return np.moveaxis(out_p, 0, axis), np.moveaxis(out_s, 0, axis)


def measure_site_pairs(
    network: Network,
    sites_m: gpd.GeoSeries,
    ids: Sequence[str],
    *,
    cost: Cost,
    entrances_m: gpd.GeoDataFrame | None = None,
    site_field: str = "site_id",
) -> SiteNetwork:
    """Measure every site to every other along the network.

    Parameters
    ----------
    network
        The graph, in the sites' metric CRS.
    sites_m
        The site footprints (metric CRS), aligned with ``ids``.
    ids
        The site ids.
    cost
        ``"length"`` (network measure: shortest paths) or ``"time"`` (fastest).
    entrances_m
        Entrance points (metric CRS) with the column ``site_field``, or None.
    site_field
        The entrances' column that names the site each serves.

    Returns
    -------
    SiteNetwork
        The joining places and the site-to-site metres and minutes.
    """
    n = len(ids)
    places, owner, extra = site_places(sites_m, ids, entrances_m, site_field)
    snapped = snap_places(network, places)
    od = od_costs(network, snapped, snapped, cost=cost)
    walk = network.walk_m_per_min
    metres = od.metres + extra[:, None] + extra[None, :]
    minutes = od.minutes + (extra[:, None] + extra[None, :]) / walk
    primary, secondary = (metres, minutes) if cost == "length" else (minutes, metres)
    primary, secondary = _reduce(primary, secondary, owner, n, axis=0)
    primary, secondary = _reduce(primary, secondary, owner, n, axis=1)
    metres, minutes = (primary, secondary) if cost == "length" else (secondary, primary)
    joined = snapped.connector_m + extra
    joined[~snapped.reachable] = np.inf
    # Each site's place: its entrance nearest the network (the footprint without entrances).
    order = np.lexsort((joined, owner))
    first = order[np.searchsorted(owner[order], np.arange(n))]
    return SiteNetwork(
        network=network,
        places=snapped.take(first),
        connector_m=joined[first],
        metres=metres,
        minutes=minutes,
    )


def pair_fields(measured: SiteNetwork, pairs: pd.DataFrame, ids: Sequence[str]) -> pd.DataFrame:
    """Return the network pair columns (:data:`NETWORK_PAIR_COLUMNS`) of ``pairs``.

    ``pairs`` has the columns ``a``, ``b`` (site ids) and ``edge_m``; the
    result has a plain range index, one row per pair.

    ``network_m`` and ``time_min`` are the means of both directions; every
    network field is NaN and ``reachable`` False when either direction cannot
    be travelled. ``detour`` is ``network_m / edge_m`` (NaN when ``edge_m`` is
    0); ``connector_m`` the two sites' connectors together.
    """
    position = {str(sid): k for k, sid in enumerate(ids)}
    i = np.asarray([position[str(s)] for s in pairs["a"]], dtype=np.int64)
    j = np.asarray([position[str(s)] for s in pairs["b"]], dtype=np.int64)
    m_ab, m_ba = measured.metres[i, j], measured.metres[j, i]
    t_ab, t_ba = measured.minutes[i, j], measured.minutes[j, i]
    ok = np.isfinite(m_ab) & np.isfinite(m_ba)

    def keep(values: FloatArray) -> FloatArray:
        return np.where(ok, values, np.nan)

    network_m = keep((m_ab + m_ba) / 2.0)
    edge = pairs["edge_m"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        detour = np.where(edge > 0, network_m / np.where(edge > 0, edge, 1.0), np.nan)
    conn = measured.connector_m[i] + measured.connector_m[j]
    return pd.DataFrame(
        {
            "network_m_ab": keep(m_ab),
            "network_m_ba": keep(m_ba),
            "network_m": network_m,
            "time_min_ab": keep(t_ab),
            "time_min_ba": keep(t_ba),
            "time_min": keep((t_ab + t_ba) / 2.0),
            "detour": detour,
            "reachable": ok,
            "connector_m": np.where(np.isfinite(conn), conn, np.nan),
        }
    )


def pair_warnings(measured: SiteNetwork, pairs: pd.DataFrame, ids: Sequence[str]) -> list[str]:
    """Return the warnings of a network measure, in a stable order.

    One per site that cannot join the network, one per extra component
    (naming its sites and the pairs affected), and one per remaining pair that
    cannot be travelled both ways (one-way roads), naming both ids.
    """
    net = measured.network
    places = measured.places
    reach = places.reachable
    count = pd.concat([pairs["a"], pairs["b"]]).value_counts()
    out = [
        f"{ids[int(k)]} is farther than snap_max_m {net.params.snap_max_m:g} m from every "
        f"road usable in mode {net.params.mode}; its {int(count.get(ids[int(k)], 0))} "
        "pairs are unreachable and score 0"
        for k in np.flatnonzero(~reach)
    ]
    out += component_warnings(net, list(ids), places)
    _, label = components(net)
    comp = np.full(len(ids), -1, dtype=np.int64)
    comp[reach] = label[net.seg_u[places.segment[reach]]]
    position = {str(sid): k for k, sid in enumerate(ids)}
    for a, b, ok in zip(pairs["a"], pairs["b"], pairs["reachable"], strict=True):
        i, j = position[str(a)], position[str(b)]
        if ok or not (reach[i] and reach[j]) or comp[i] != comp[j]:
            continue
        out.append(
            f"pair {a}-{b} cannot be travelled both ways in mode {net.params.mode} "
            "(one-way roads); it is unreachable and scores 0"
        )
    return out


def network_for_study(
    data: StudyData, crs: CRS | str, *, mode: str | None = None, path: str | Path | None = None
) -> tuple[StudyData, Network, bool]:
    """Return the study (its network replaced by ``path`` when given) and its graph.

    Parameters
    ----------
    data
        The read study.
    crs
        The metric CRS of the analysis.
    mode
        ``walk``, ``bike`` or ``drive``, over the study's ``[network]`` mode.
    path
        A network layer that replaces the study's (``--network``).

    Raises
    ------
    StudyError
        When the study has no network layer.
    """
    if path is not None:
        data = with_network(data, path)
    if data.network is None:
        raise StudyError(
            "a network measure needs a road network: add a [[layers]] table with role = "
            '"network" to the study, or give --network PATH',
            path=data.study.path,
        )
    params = data.study.network
    if mode is not None:
        params = dataclasses.replace(params, mode=mode)
    network, cached = study_network(data.network, data.network_paths, crs, params)
    return data, network, cached


def ring_areas(
    measured: SiteNetwork,
    ids: Sequence[str],
    rings: Sequence[float],
    *,
    cost: Cost,
    only: Sequence[int] | None = None,
    buffer_m: float = 50.0,
) -> tuple[pd.DataFrame, list[shapely.Geometry], np.ndarray[tuple[int, int], np.dtype[np.object_]]]:
    """Return each site's rings as reached-network bands (isochrones).

    Parameters
    ----------
    measured
        The sites joined to the network.
    ids
        The site ids.
    rings
        The ring values, in the measure's unit.
    cost
        ``"length"`` or ``"time"``.
    only
        The positions of the sites to draw (None: every site).
    buffer_m
        Half the width of a band around each reached street.

    Returns
    -------
    tuple
        The band table (``site_id``, ``inner_m``, ``ring_m``, ``area_m2``), the
        band geometries (metric CRS) aligned with it, and the cumulative reached
        areas, shape (sites, rings) (None for a site not drawn).
    """
    chosen = range(len(ids)) if only is None else only
    rows: list[dict[str, object]] = []
    geoms: list[shapely.Geometry] = []
    areas = np.full((len(ids), len(rings)), None, dtype=object)
    for k in chosen:
        bands = isochrone_bands(
            measured.network, measured.places.take([k]), rings, cost=cost, buffer_m=buffer_m
        )
        band_geoms = np.asarray(bands.geometry.array, dtype=object)
        areas[k] = list(itertools.accumulate(band_geoms, shapely.union))
        for lo, hi, geom in zip(bands["ring_from"], bands["ring_to"], band_geoms, strict=True):
            rows.append(
                {
                    "site_id": ids[k],
                    "inner_m": float(lo),
                    "ring_m": float(hi),
                    "area_m2": float(shapely.area(geom)),
                }
            )
            geoms.append(geom)
    table = pd.DataFrame(rows, columns=["site_id", "inner_m", "ring_m", "area_m2"])
    return table, geoms, areas


def area_overlaps(
    areas: np.ndarray[tuple[int, int], np.dtype[np.object_]],
    pairs: pd.DataFrame,
    ids: Sequence[str],
    rings: Sequence[float],
) -> pd.DataFrame:
    """Return where two sites' reached areas overlap, per pair and ring (NaN when not drawn).

    Returns
    -------
    pandas.DataFrame
        Columns ``a``, ``b``, ``ring_m``, ``overlap_m2``.
    """
    position = {str(sid): k for k, sid in enumerate(ids)}
    i = np.asarray([position[str(s)] for s in pairs["a"]], dtype=np.int64)
    j = np.asarray([position[str(s)] for s in pairs["b"]], dtype=np.int64)
    drawn = np.asarray([areas[k, 0] is not None for k in range(areas.shape[0])], dtype=bool)
    both = np.flatnonzero(drawn[i] & drawn[j]) if len(i) else np.zeros(0, dtype=np.int64)
    out = []
    for k, r in enumerate(rings):
        values = np.full(len(i), np.nan)
        if both.shape[0]:
            values[both] = shapely.area(_intersection(areas[i[both], k], areas[j[both], k]))
        out.append(
            pd.DataFrame(
                {"a": pairs["a"], "b": pairs["b"], "ring_m": float(r), "overlap_m2": values}
            )
        )
    return pd.concat(out, ignore_index=True)


def _intersection(a: Any, b: Any) -> Any:
    """Return ``a & b`` of reached areas, robustly.

    Where GEOS's floating overlay fails (nearly coincident band edges, or an area
    left as a collection with stray lines or points), the areas' polygons are
    intersected with snap-rounding to a micrometre grid (areas change by < 1e-6 m²).
    """
    try:
        return shapely.intersection(a, b)
    except shapely.errors.GEOSException:
        return shapely.intersection(_polygons(a), _polygons(b), grid_size=1e-6)


def _polygons(geoms: Any) -> Any:
    """Return each geometry's polygons only, as one (multi)polygon."""
    out = []
    for geom in np.atleast_1d(np.asarray(geoms, dtype=object)):
        parts = shapely.get_parts(shapely.get_parts(geom))  # collections of multi-parts too
        polys = parts[shapely.get_type_id(parts) == 3]
        out.append(shapely.multipolygons(polys) if len(polys) else shapely.Polygon())
    return np.asarray(out, dtype=object)
