"""Measure every pair of sites in chunks, so that memory stays bounded at any study size.

:func:`measure_pairs` measures the pairs in chunks of :data:`PAIR_CHUNK` with
vectorised shapely and pyproj calls and no Python object per pair (the one
copy: there is no unchunked variant). Every pair gets its exact edge distance
(``shapely.distance``), its centroid distance (numpy, from the centroids'
coordinates) and its geodesic check (the endpoints of the shortest segment,
converted to WGS84 and measured on the ellipsoid); the shortest segments
themselves are kept only for the pairs that need them (``keep_lines``), so a
far pair costs a few floats and nothing more.

The buffer-overlap table is :func:`siteplan.measure.overlaps.overlap_table`.

Ring buffers are built by :func:`siteplan.measure.pairs.ring_bands`, which
prepares detailed footprints per ring (:mod:`siteplan.measure._footprint`).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import CRS, Geod, Transformer

from siteplan.load.layers import WGS84
from siteplan.load.projection import to_wgs84
from siteplan.measure._shortest import Rings

__all__ = [
    "PAIR_CHUNK",
    "PairLabels",
    "lines_to_wgs84",
    "measure_pairs",
    "pair_position",
]

#: Pairs measured per vectorised chunk (bounds the temporary geometry and arrays).
PAIR_CHUNK: Final = 65_536
#: Pairs from which a chunk's GEOS calls are split over the CPU's cores (shapely releases
#: the GIL in its array functions; each pair's result is the same whichever thread runs it).
THREAD_MIN_PAIRS: Final = 16_384
_GEOD: Final = Geod(ellps="WGS84")


def pair_position(i: npt.ArrayLike, j: npt.ArrayLike, n: int) -> npt.NDArray[np.intp]:
    """Return the position of pair ``(i, j)``, ``i < j``, in :func:`pair_index` order.

    Examples
    --------
    >>> pair_position([0, 0, 1], [1, 2, 2], 3).tolist()
    [0, 1, 2]
    """
    a = np.asarray(i, dtype=np.intp)
    b = np.asarray(j, dtype=np.intp)
    return (a * (2 * n - a - 1) // 2 + (b - a - 1)).astype(np.intp)


def _chunks(total: int, chunk: int) -> Iterator[slice]:
    step = max(1, int(chunk))
    for start in range(0, total, step):
        yield slice(start, min(total, start + step))


def _pair_slice(n: int, part: slice) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Return the (i, j) positions of the pairs ``part`` of :func:`pair_index` order."""
    return _pair_ij(np.arange(part.start, part.stop, dtype=np.int64), n)


def _pair_ij(
    positions: npt.NDArray[np.integer], n: int
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Return the (i, j) of the pairs at ``positions`` of :func:`pair_index` order."""
    k = np.asarray(positions, dtype=np.int64)
    # row i starts at s(i) = i (2n - i - 1) / 2; invert with the quadratic formula, then fix
    # the rounding by one step either way
    b = 2 * n - 1
    i = np.floor((b - np.sqrt(np.maximum(b * b - 8.0 * k, 0.0))) / 2.0).astype(np.int64)
    i = np.clip(i, 0, max(n - 2, 0))
    start = i * (2 * n - i - 1) // 2
    i = np.where(start > k, i - 1, i)
    start = i * (2 * n - i - 1) // 2
    nxt = (i + 1) * (2 * n - i - 2) // 2
    i = np.where(k >= nxt, i + 1, i)
    start = i * (2 * n - i - 1) // 2
    j = k - start + i + 1
    return i.astype(np.intp), j.astype(np.intp)


def measure_pairs(
    geoms: gpd.GeoSeries,
    ids: Sequence[str],
    crs: CRS,
    keep_lines: npt.NDArray[np.bool_] | None = None,
    *,
    select: str = "edge_m",
    reach_m: float | None = None,
    chunk: int = PAIR_CHUNK,
) -> tuple[pd.DataFrame, npt.NDArray[np.object_]]:
    """Measure every unordered pair of projected geometries, chunk by chunk.

    Parameters
    ----------
    geoms
        Site geometries in the metric CRS ``crs``.
    ids
        The sites' ids, in the same order.
    crs
        The metric CRS of ``geoms``.
    keep_lines
        Ignored unless ``reach_m`` is None: a boolean per pair, whether to keep its
        shortest segment. None with ``reach_m`` None keeps every segment.
    select
        The column compared with ``reach_m`` (``edge_m`` or ``centroid_m``).
    reach_m
        Keep the shortest segments only of the pairs with ``select <= reach_m``.
    chunk
        Pairs per vectorised chunk; the numbers do not depend on it.

    Returns
    -------
    pandas.DataFrame
        One row per pair ``(a, b)`` in :func:`pair_index` order: ``a``, ``b``,
        ``edge_m`` (0 when the footprints touch or overlap), ``centroid_m`` and
        ``geodesic_m`` (the WGS84 geodesic length of the shortest edge-to-edge segment).
    numpy.ndarray
        The shortest segments in ``crs`` for the pairs kept, None for the others.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoSeries([shapely.Point(0, 0), shapely.Point(3, 4), shapely.Point(6, 8)])
    >>> frame, lines = measure_pairs(g, ["a", "b", "c"], CRS(32651), reach_m=6.0, chunk=2)
    >>> frame["edge_m"].tolist(), [line is None for line in lines]
    ([5.0, 10.0, 5.0], [False, True, False])
    """
    arr = np.asarray(geoms.array, dtype=object)
    n = len(arr)
    total = n * (n - 1) // 2
    edge = np.empty(total)
    centroid = np.empty(total)
    geodesic = np.empty(total)
    lines = np.full(total, None, dtype=object)
    cxy = shapely.get_coordinates(shapely.centroid(arr)) if n else np.zeros((0, 2))
    to_geo = to_wgs84(crs)
    points = _Points(arr, to_geo)
    rings = Rings(arr)
    for part in _chunks(total, chunk):
        i, j = _pair_slice(n, part)
        e, g, seg, ends = _measure_chunk(
            arr, (i, j), (points, rings), to_geo, exact=reach_m is None
        )
        edge[part] = e
        centroid[part] = _point_distances(cxy, i, j)
        geodesic[part] = np.where(e == 0.0, 0.0, g)
        if reach_m is not None:
            measured = e if select == "edge_m" else centroid[part]
            keep = measured <= reach_m
        else:
            keep = np.ones(len(e), dtype=bool) if keep_lines is None else keep_lines[part]
        # a pair of two points gets its segment only if it is kept
        both = points.both(i, j)
        built = keep & both
        seg[built] = shapely.linestrings(
            np.stack([points.xy[i[built]], points.xy[j[built]]], axis=1)
        )
        # and so does a pair measured without GEOS (far-apart simple polygons: _shortest)
        built = keep & ~np.isnan(ends[:, 0])
        seg[built] = shapely.linestrings(ends[built].reshape(-1, 2, 2))
        kept = np.flatnonzero(keep)
        lines[part.start + kept] = seg[kept]
        del seg
    id_arr = np.asarray(ids, dtype=object)
    i_all, j_all = np.triu_indices(n, k=1)
    frame = pd.DataFrame(
        {
            "a": pd.Series(id_arr[i_all], dtype=object, copy=False),
            "b": pd.Series(id_arr[j_all], dtype=object, copy=False),
            "edge_m": edge,
            "centroid_m": centroid,
            "geodesic_m": geodesic,
        },
        copy=False,  # no consolidation into 2-D blocks
    )
    return frame, lines


def _point_distances(
    xy: npt.NDArray[np.float64], i: npt.NDArray[np.intp], j: npt.NDArray[np.intp]
) -> npt.NDArray[np.float64]:
    """Return the distances between points ``xy[i]`` and ``xy[j]`` as GEOS computes them."""
    dx = xy[i, 0] - xy[j, 0]
    dy = xy[i, 1] - xy[j, 1]
    return np.asarray(np.sqrt(dx * dx + dy * dy), dtype=float)


class _Points:
    """The point sites' coordinates, in the metric CRS and in WGS84 (one transform per site)."""

    def __init__(self, arr: npt.NDArray[np.object_], to_geo: Transformer) -> None:
        n = len(arr)
        self.mask = np.zeros(n, dtype=bool)
        if n:
            self.mask = (shapely.get_type_id(arr) == 0) & ~shapely.is_empty(arr)
        self.xy = np.full((n, 2), np.nan)
        self.lon = np.full(n, np.nan)
        self.lat = np.full(n, np.nan)
        if self.mask.any():
            self.xy[self.mask] = shapely.get_coordinates(arr[self.mask])
            lon, lat = to_geo.transform(self.xy[self.mask, 0], self.xy[self.mask, 1])
            self.lon[self.mask] = lon
            self.lat[self.mask] = lat

    def both(self, i: npt.NDArray[np.intp], j: npt.NDArray[np.intp]) -> npt.NDArray[np.bool_]:
        """Return whether each pair ``(i, j)`` is of two point sites."""
        return np.asarray(self.mask[i] & self.mask[j], dtype=bool)


def _measure_chunk(
    arr: npt.NDArray[np.object_],
    pairs: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]],
    sites: tuple[_Points, Rings],
    to_geo: Transformer,
    *,
    exact: bool,
) -> tuple[
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.object_],
    npt.NDArray[np.float64],
]:
    """Return the edge distances, geodesic lengths and shortest segments of pairs ``(i, j)``.

    A pair of two points is measured between the points themselves with numpy
    and one vectorised :meth:`pyproj.Geod.inv` (the same numbers GEOS and the
    segment's transformed endpoints give) and gets no segment (None) here.
    A pair of far-apart simple polygons gets GEOS's shortest segment from
    :meth:`Rings.nearest` (same bits, no GEOS call) and no segment here either:
    its ends are returned (``(pairs, 4)``, NaN for the other pairs).
    Other pairs get :func:`shapely.shortest_line`. The edge distance of a
    polygon pair is ``shapely.distance`` when ``exact``, else the segment's
    length (GEOS's ``Length::ofLine``: one ``sqrt(dx * dx + dy * dy)``).
    """
    i, j = pairs
    points, rings = sites
    ends = np.full((len(i), 4), np.nan)
    e = np.empty(len(i))
    g = np.empty(len(i))
    seg = np.full(len(i), None, dtype=object)
    both = points.both(i, j)
    ip, jp = i[both], j[both]
    e[both] = _point_distances(points.xy, ip, jp)
    g[both] = _geodesic(points.lon[ip], points.lat[ip], points.lon[jp], points.lat[jp])
    rest = np.flatnonzero(~both)
    if len(rest):
        ir, jr = i[rest], j[rest]
        fast = np.flatnonzero(rings.eligible(ir, jr))
        done = _threaded(_nearest_rows(rings), ir[fast], jr[fast])
        settled = done[:, 0] == 1.0
        ends[rest[fast[settled]]] = done[settled, 1:]
        slow = np.ones(len(rest), dtype=bool)
        slow[fast[settled]] = False
        lines = np.asarray(_threaded(shapely.shortest_line, arr[ir[slow]], arr[jr[slow]]))
        seg[rest[slow]] = lines
        ends[rest[slow]] = shapely.get_coordinates(lines).reshape(-1, 4)
        ex = ends[rest]
        if exact:
            # small studies keep GEOS's distance itself, so their outputs stay byte-identical
            e[rest] = _threaded(shapely.distance, arr[ir], arr[jr])
        else:
            # the segment's length is the distance (to float rounding)
            dx = ex[:, 2] - ex[:, 0]
            dy = ex[:, 3] - ex[:, 1]
            e[rest] = np.sqrt(dx * dx + dy * dy)
        g[rest] = _geodesic_ends(ex, to_geo)
        ends[rest[slow]] = np.nan  # their segments are GEOS's own, in seg
    return e, g, seg, ends


def _nearest_rows(
    rings: Rings,
) -> Callable[[npt.NDArray[np.intp], npt.NDArray[np.intp]], npt.NDArray[np.float64]]:
    """:meth:`Rings.nearest` as one array per pair: settled (1.0 or 0.0), then the four ends."""

    def nearest(i: npt.NDArray[np.intp], j: npt.NDArray[np.intp]) -> npt.NDArray[np.float64]:
        ok, ends = rings.nearest(i, j)
        return np.column_stack([ok.astype(np.float64), ends]).reshape(-1, 5)

    return nearest


def _threaded(
    func: Callable[[npt.NDArray[Any], npt.NDArray[Any]], npt.NDArray[Any]],
    a: npt.NDArray[Any],
    b: npt.NDArray[Any],
) -> npt.NDArray[Any]:
    """Return ``func(a, b)``, split over the CPU's cores when there are many pairs.

    Examples
    --------
    >>> a = np.array([shapely.Point(0, 0)] * 40_000, dtype=object)
    >>> b = np.array([shapely.Point(3, 4)] * 40_000, dtype=object)
    >>> bool((_threaded(shapely.distance, a, b) == 5.0).all())
    True
    """
    workers = min(os.cpu_count() or 1, 4)
    if workers < 2 or len(a) < THREAD_MIN_PAIRS:
        return func(a, b)
    cuts = np.linspace(0, len(a), workers + 1).astype(int)
    parts = [slice(lo, hi) for lo, hi in itertools.pairwise(cuts)]
    with ThreadPoolExecutor(workers) as pool:
        done = list(pool.map(lambda part: func(a[part], b[part]), parts))
    return np.concatenate(done)


def _geodesic_ends(ends: npt.NDArray[np.float64], to_geo: Transformer) -> npt.NDArray[np.float64]:
    """Return the geodesic length of each segment ``(x0, y0, x1, y1)`` (metric CRS)."""
    if len(ends) == 0:
        return np.zeros(0)
    coords = ends.reshape(-1, 2, 2)
    lon, lat = to_geo.transform(coords[:, :, 0].ravel(), coords[:, :, 1].ravel())
    lon = np.asarray(lon).reshape(-1, 2)
    lat = np.asarray(lat).reshape(-1, 2)
    return _geodesic(lon[:, 0], lat[:, 0], lon[:, 1], lat[:, 1])


def _geodesic(
    lon1: npt.NDArray[np.float64],
    lat1: npt.NDArray[np.float64],
    lon2: npt.NDArray[np.float64],
    lat2: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """Return the WGS84 geodesic lengths, split over the cores like :func:`_threaded`.

    :meth:`pyproj.Geod.inv` releases the GIL and measures each pair on its own,
    so the split changes no bit.

    Examples
    --------
    >>> lon = np.full(20_000, 121.6)
    >>> d = _geodesic(lon, np.full(20_000, 31.1), lon, np.full(20_000, 31.2))
    >>> bool((d == _GEOD.inv(121.6, 31.1, 121.6, 31.2)[2]).all())
    True
    """
    ends = np.column_stack([lon1, lat1, lon2, lat2])

    def inverse(a: npt.NDArray[np.float64], _: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.asarray(_GEOD.inv(a[:, 0], a[:, 1], a[:, 2], a[:, 3])[2], dtype=np.float64)

    return np.asarray(_threaded(inverse, ends, ends), dtype=np.float64)


def ordered_reach(
    site_ids: npt.NDArray[np.object_],
    other_ids: npt.NDArray[np.object_],
    distances: npt.NDArray[np.float64],
    n: int,
    rings_m: Sequence[float],
) -> tuple[pd.DataFrame, list[str]]:
    """Return which other sites each ring reaches, sorted by site, ring, then other site.

    The inputs are one row per (site, other site) with the sites' rows
    contiguous, ``n - 1`` each, others in id order (the score breakdown's
    order), so the result needs no sort of string keys.

    Returns
    -------
    pandas.DataFrame
        Columns ``site_id``, ``ring_m``, ``other_id``, ``distance_m``.
    list of str
        Per site and ring (site-major), the ids the ring reaches, joined by commas.
    """
    per = max(n - 1, 0)
    radii = np.asarray([float(r) for r in rings_m], dtype=float)
    m = len(radii)
    # (site, ring, other) order is the flat order of a (sites, rings, others) mask: no sort
    within = distances.reshape(n, 1, per) <= radii.reshape(1, m, 1)
    # int32 positions where they fit: half the memory, and faster divisions
    kind = np.int32 if within.size < 2**31 else np.int64
    flat = np.flatnonzero(within).astype(kind)
    site, rest = np.divmod(flat, kind(max(m * per, 1)))
    del flat
    ks, rest = np.divmod(rest, kind(max(per, 1)))
    rows = site.astype(np.intp)
    del site
    rows *= per
    rows += rest
    del rest
    others = other_ids[rows]
    frame = pd.DataFrame(
        {
            "site_id": pd.Series(site_ids[rows], dtype=object, copy=False),
            "ring_m": radii[ks] if len(radii) else np.zeros(0),
            "other_id": pd.Series(others, dtype=object, copy=False),
            "distance_m": distances[rows],
        },
        copy=False,  # no consolidation into 2-D blocks (a copy of millions of objects)
    )
    # the rows of each (site, ring) are contiguous: their bounds are the cumulated counts
    bounds = np.concatenate([[0], np.cumsum(within.sum(axis=2).ravel())]).tolist()
    texts = [",".join(others[lo:hi]) for lo, hi in itertools.pairwise(bounds)]
    return frame, texts


class PairLabels(Sequence[str]):
    """``pair A-B`` labels made on demand (a warning names only the few pairs it flags)."""

    def __init__(self, pairs: pd.DataFrame) -> None:
        self._a = pairs["a"].to_numpy(dtype=object)
        self._b = pairs["b"].to_numpy(dtype=object)

    def __len__(self) -> int:
        return len(self._a)

    def __getitem__(self, k: int) -> str:  # type: ignore[override]
        return f"pair {self._a[k]}-{self._b[k]}"


def lines_to_wgs84(lines: npt.NDArray[np.object_], crs: CRS) -> gpd.GeoSeries:
    """Return ``lines`` (None where missing) converted from ``crs`` to WGS84.

    Only the lines present are transformed (a large study keeps few of them).
    """
    out = np.full(len(lines), None, dtype=object)
    present = np.flatnonzero(shapely.is_geometry(lines))
    if len(present):
        out[present] = np.asarray(
            gpd.GeoSeries(lines[present], crs=crs).to_crs(WGS84).array, dtype=object
        )
    return gpd.GeoSeries(out, crs=WGS84)
