"""Measure sites in a metric CRS: argument checks, areas, ring buffers, which ring reaches.

Every function takes geometries already projected to a metric CRS (see
:mod:`siteplan.load.projection`) and returns pandas objects aligned to its input.
Geodesic checks use :class:`pyproj.Geod` on the WGS84 ellipsoid. The pairs
themselves (distances, buffer overlaps) are measured in chunks by
:mod:`siteplan.measure.reach`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any, Final

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import Geod

from siteplan.errors import ParameterError
from siteplan.load.layers import MAX_DISTANCE_M
from siteplan.measure._footprint import ring_sources
from siteplan.measure._kernel import DISTANCE_TOLERANCE_M

__all__ = [
    "DISTANCE_TOLERANCE_M",
    "GEODESIC_TOLERANCE",
    "QUAD_SEGS",
    "check_distance",
    "check_radii",
    "geodesic_areas",
    "nearest_order",
    "pair_index",
    "reach_table",
    "ring_bands",
    "ring_reached",
]

#: Segments per quarter circle in ring buffers: a circle's area is matched within 0.041 %.
QUAD_SEGS: Final = 32
#: Relative disagreement between projected and geodesic values that triggers a warning.
GEODESIC_TOLERANCE: Final = 0.001
#: Absolute disagreement (metres, or m² for areas) below which no warning is given.
_ABS_TOLERANCE_M: Final = 0.5


_GEOD: Final = Geod(ellps="WGS84")


def check_radii(rings_m: Sequence[float], argument: str = "rings_m") -> tuple[float, ...]:
    """Return ring radii as floats, refusing any beyond :data:`MAX_DISTANCE_M`.

    A study is measured in one transverse Mercator (UTM) zone, whose scale
    error passes 1 % about 1,000 km from its central meridian; a ring much
    wider leaves the projection's valid area (``1e7`` m rings are drawn in the
    wrong ocean, ``1e9`` m ones are infinite).

    Raises
    ------
    ParameterError
        For a radius that is not a finite number from 0 to 2,000,000 m.

    Examples
    --------
    >>> check_radii([500, 1000])
    (500.0, 1000.0)
    """
    radii = tuple(float(r) for r in rings_m)
    for radius in radii:
        if not np.isfinite(radius) or not 0.0 <= radius <= MAX_DISTANCE_M:
            raise ParameterError(
                f"{argument} {radius:g} is beyond {MAX_DISTANCE_M:,.0f} m, the largest radius "
                "measured in one projection (a UTM zone's scale error passes 1 % about "
                "1,000 km from its centre); give smaller radii or split the study",
                argument=argument,
            )
    return radii


def check_distance(name: str, value: Any, *, allow_zero: bool = False) -> float:
    """Return a distance argument as a float: a number of metres, > 0 (or >= 0), <= 2,000 km.

    Parameters
    ----------
    name
        The argument's name, for the error (and :attr:`~siteplan.errors.SiteplanError.argument`).
    value
        What the caller gave.
    allow_zero
        Whether 0 is allowed.

    Raises
    ------
    ParameterError
        For a value that is not a number, not finite, negative (or 0 unless
        ``allow_zero``), or beyond :data:`MAX_DISTANCE_M`.

    Examples
    --------
    >>> check_distance("cell_m", 50)
    50.0
    >>> check_distance("min_separation_m", 1e308)
    Traceback (most recent call last):
    ...
    siteplan.errors.ParameterError: min_separation_m 1e+308 is beyond 2,000,000 m, the largest distance measured in one projection; give a smaller distance
    """  # noqa: E501
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterError(f"{name} {value!r} is not a number of metres", argument=name)
    number = float(value) + 0.0  # + 0.0 turns -0.0 into 0.0
    if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        raise ParameterError(
            f"{name} {value!r} is not a finite number {'>= 0' if allow_zero else '> 0'}; "
            "give metres, e.g. 50",
            argument=name,
        )
    if number > MAX_DISTANCE_M:
        raise ParameterError(
            f"{name} {number:g} is beyond {MAX_DISTANCE_M:,.0f} m, the largest distance "
            "measured in one projection; give a smaller distance",
            argument=name,
        )
    return number


def nearest_order(
    distances: npt.ArrayLike, ids: Sequence[str], tolerance: float = DISTANCE_TOLERANCE_M
) -> npt.NDArray[np.intp]:
    """Return positions ordered nearest first; distances within ``tolerance`` tie, by id.

    As the score rule (:mod:`siteplan.score.rank`): sorted by distance,
    neighbours at most ``tolerance`` apart fall into one group; groups go
    nearest first, and within a group places go by id (code-point order). Two
    sites that differ only by reprojection noise are ordered by id.

    Examples
    --------
    >>> nearest_order([100.0 + 1e-10, 100.0, 50.0], ["a", "b", "c"]).tolist()
    [2, 0, 1]
    """
    d = np.asarray(distances, dtype=float).ravel()
    texts = [str(v) for v in ids]
    first = np.asarray(sorted(range(len(d)), key=lambda k: (d[k], texts[k])), dtype=np.intp)
    if len(d) < 2:
        return first
    ordered = d[first]
    group = np.concatenate([[0], np.cumsum(ordered[1:] - ordered[:-1] > tolerance)])
    keys = [(int(group[k]), texts[first[k]]) for k in range(len(first))]
    return first[sorted(range(len(first)), key=keys.__getitem__)]


def pair_index(n: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Return the positions (i, j), i < j, of every unordered pair of ``n`` items.

    Examples
    --------
    >>> i, j = pair_index(3)
    >>> list(zip(i.tolist(), j.tolist()))
    [(0, 1), (0, 2), (1, 2)]
    """
    i, j = np.triu_indices(n, k=1)
    return i.astype(np.intp), j.astype(np.intp)


def geodesic_areas(geoms_wgs84: gpd.GeoSeries) -> npt.NDArray[np.float64]:
    """Return each WGS84 geometry's geodesic area in m² (0 for points and lines).

    Rings may wind either way (GeoJSON files do not always follow RFC 7946's
    right-hand rule): every polygon is oriented before its rings' signed areas
    are added, so holes are subtracted and the parts of a multipolygon add up.
    The rings are measured one by one with :meth:`pyproj.Geod.polygon_area_perimeter`
    (the calls ``Geod.geometry_area_perimeter`` makes, in the same order, without
    its per-part Python overhead: a 5,000-part site takes milliseconds).

    Examples
    --------
    >>> square = shapely.box(121.6, 31.1, 121.601, 31.101)
    >>> geodesic_areas(gpd.GeoSeries([square, square.exterior])).round().tolist()
    [10578.0, 0.0]
    """
    arr = np.asarray(geoms_wgs84.array, dtype=object)
    if not len(arr):
        return np.zeros(0)
    parts, owner = shapely.get_parts(shapely.orient_polygons(arr), return_index=True)
    polygon = shapely.get_type_id(parts) == 3  # Polygon
    parts, owner = parts[polygon], owner[polygon]
    rings, part_of = shapely.get_rings(parts, return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    cuts = np.searchsorted(ring_of, np.arange(len(rings) + 1))
    lon = np.ascontiguousarray(coords[:, 0])
    lat = np.ascontiguousarray(coords[:, 1])
    signed = [0.0] * len(parts)
    for k in range(len(rings)):
        lo, hi = cuts[k], cuts[k + 1]
        signed[part_of[k]] += _GEOD.polygon_area_perimeter(lon[lo:hi], lat[lo:hi])[0]
    totals: list[float] = [0.0] * len(arr)
    for p, area in enumerate(signed):
        totals[owner[p]] += abs(area)
    return np.asarray(totals, dtype=float)


def disagreement_warnings(
    projected: npt.ArrayLike, geodesic: npt.ArrayLike, labels: Sequence[str], what: str, crs: str
) -> list[str]:
    """Return warnings where projected and geodesic values differ by more than 0.1 %."""
    p = np.asarray(projected, dtype=float)
    g = np.asarray(geodesic, dtype=float)
    diff = np.abs(p - g)
    bad = (diff > GEODESIC_TOLERANCE * np.abs(g)) & (diff > _ABS_TOLERANCE_M)
    return [
        f"{labels[int(k)]}: {what} in {crs} is {p[k]:.1f} but {g[k]:.1f} on the ellipsoid "
        f"({100 * diff[k] / max(abs(g[k]), 1e-9):.2f} % apart, more than "
        f"{100 * GEODESIC_TOLERANCE:g} %); the study may be too large for one projection: "
        "set crs to a projection centred on it"
        for k in np.flatnonzero(bad)
    ]


def ring_reached(distances: npt.ArrayLike, rings_m: Sequence[float]) -> npt.NDArray[np.float64]:
    """Return the smallest ring radius that reaches each distance (NaN beyond the last).

    A ring reaches a site when the distance is <= its radius.

    Examples
    --------
    >>> ring_reached([0, 500, 501, 6000], [500, 1000]).tolist()
    [500.0, 500.0, 1000.0, nan]
    """
    d = np.asarray(distances, dtype=float)
    radii = np.asarray(rings_m, dtype=float)
    k = np.searchsorted(radii, d, side="left")
    out = np.full(d.shape, np.nan)
    inside = k < len(radii)
    out[inside] = radii[k[inside]]
    return out


def reach_table(pairs: pd.DataFrame, distance: str, rings_m: Sequence[float]) -> pd.DataFrame:
    """Return, for every site and ring, each other site the ring reaches.

    Parameters
    ----------
    pairs
        The pair table with columns ``a``, ``b`` and ``distance``.
    distance
        The column measured (``edge_m`` or ``centroid_m``).
    rings_m
        The ring radii.

    Returns
    -------
    pandas.DataFrame
        Columns ``site_id``, ``ring_m``, ``other_id``, ``distance_m``, sorted.
    """
    both = pd.concat(
        [
            pd.DataFrame({"site_id": pairs["a"], "other_id": pairs["b"], "d": pairs[distance]}),
            pd.DataFrame({"site_id": pairs["b"], "other_id": pairs["a"], "d": pairs[distance]}),
        ],
        ignore_index=True,
    )
    rows = [both.loc[both["d"] <= r].assign(ring_m=float(r)) for r in rings_m]
    out = pd.concat(rows, ignore_index=True) if rows else both.iloc[0:0].assign(ring_m=0.0)
    out = out.rename(columns={"d": "distance_m"})[["site_id", "ring_m", "other_id", "distance_m"]]
    return out.sort_values(["site_id", "ring_m", "other_id"], ignore_index=True)


def ring_bands(
    geoms: gpd.GeoSeries, ids: Sequence[str], rings_m: Sequence[float]
) -> tuple[pd.DataFrame, npt.NDArray[np.object_], npt.NDArray[np.object_]]:
    """Buffer each site into rings and cut them into bands between consecutive rings.

    Raises
    ------
    ParameterError
        For a radius beyond :data:`MAX_DISTANCE_M` (see :func:`check_radii`).

    Returns
    -------
    pandas.DataFrame
        One row per site and ring: ``site_id``, ``inner_m`` (0 for the first
        band, which starts at the footprint), ``ring_m``, ``area_m2`` (the band's).
    numpy.ndarray
        The band geometries in the metric CRS, aligned to the rows.
    numpy.ndarray
        The full buffers (disc plus footprint) at each ring, shape (sites, rings).
    """
    arr = np.asarray(geoms.array, dtype=object)
    radii = np.asarray(check_radii(rings_m), dtype=float)
    # flat, then reshaped: shapely's buffer refuses a 2-D broadcast under numpy 1.x
    # ("non-scalar parameters"), e.g. in the numpy<2 environment QGIS's Python needs
    # detailed footprints are simplified and their narrow pockets filled per ring first
    # (siteplan.measure._footprint: within 0.1 % of the exact ring; the others as given)
    sources = ring_sources(arr, radii).ravel()
    flat = shapely.buffer(sources, np.tile(radii, len(arr)), quad_segs=QUAD_SEGS)
    buffers = flat.reshape(len(arr), len(radii))
    inner = np.concatenate([arr[:, None], buffers[:, :-1]], axis=1)
    bands = shapely.difference(buffers, inner)
    id_arr = np.asarray(ids, dtype=object)
    inner_m = np.concatenate([[0.0], radii[:-1]])
    frame = pd.DataFrame(
        {
            "site_id": np.repeat(id_arr, len(radii)),
            "inner_m": np.tile(inner_m, len(arr)),
            "ring_m": np.tile(radii, len(arr)),
            "area_m2": shapely.area(bands).ravel(),
        }
    )
    return frame, bands.ravel(), buffers
