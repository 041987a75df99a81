r"""Click to score: score any point of a map in the page, as siteplan scores candidates.

A map page holds what it needs to score a clicked point with no server: the
sites' geometries in the study's metric CRS (:func:`click_data`), the study's
decay as JavaScript (:meth:`siteplan.score.decay.DecayFunction.to_js`), the site
weights, and a projection from the click's longitude and latitude to the
metric CRS (the page's code is ``static/clickscore.js``). The page then does what
:func:`siteplan.score_locations` does in Python:

- ``edge`` measure: the distance from the point to each site's footprint (the
  smallest point-to-segment distance over its rings, 0 on or inside a polygon);
  ``centroid``: to each footprint's centroid;
- per-site scores ``decay(d_j)``; the point's score is their mean weighted by
  the site weights (0 when every weight is 0); the nearest site (ties: the
  smaller id).

The projection is exact when the metric CRS is a transverse Mercator (every
UTM zone, Gauss-Krüger zones, ...) on its own ellipsoid: the page uses Krüger's
series to sixth order in the third flattening (Karney 2011, the method of
GeographicLib; it agrees with PROJ to well under a millimetre across a zone).
:func:`projection_for` checks this port against pyproj at points over the
study and uses it only when they agree within :data:`EXACT_TOLERANCE_M`. Any
other CRS (UPS, Lambert, Albers, a CRS with a datum shift from WGS84) gets an
approximation: a spherical azimuthal-equidistant projection around the study
centre (radius: the ellipsoid's Gaussian mean radius there) followed by a cubic
polynomial fitted to pyproj's coordinates over the study area; its largest
error over that area is measured and shown in the popup, and grows outside it.

Maps drawn on GCJ-02 tiles (Amap) shift every overlay to GCJ-02; the page
shifts a click back to WGS84 (the inverse of the public GCJ-02 formula, as
:mod:`siteplan.load._datum` does) before scoring it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from siteplan.load.projection import from_wgs84
from siteplan.maps.escape import clean_text, truncate

if TYPE_CHECKING:
    from siteplan.analysis import Result

__all__ = [
    "EXACT_TOLERANCE_M",
    "aeqd_fit_forward",
    "click_data",
    "projection_for",
    "tmerc_forward",
]

FloatArray = npt.NDArray[np.float64]

#: The exact (transverse Mercator) projection is used when the page's formulas
#: agree with pyproj within this many metres over the study area.
EXACT_TOLERANCE_M: Final = 0.001
_WGS84: Final = "EPSG:4326"
_TM_METHOD: Final = "9807"  # EPSG: Transverse Mercator
_FIT_SAMPLES: Final = 25  # per side, for the fallback's polynomial
_CHECK_SAMPLES: Final = 41  # per side, to measure the fallback's error
_COORD_DECIMALS: Final = 3  # site coordinates in the page: millimetres
_NAME_LIMIT: Final = 80  # characters of a site name shown in the popup


# -- the study's sites as the page sees them ------------------------------------------


def _sites_by_id(result: Result) -> pd.DataFrame:
    sites: pd.DataFrame = result.sites_m.sort_values("id", kind="stable", ignore_index=True)
    return sites


def _target_geometries(result: Result) -> npt.NDArray[np.object_]:
    """Return the geometries distances are measured to: footprints, or their centroids."""
    geoms = np.asarray(_sites_by_id(result).geometry.array, dtype=object)
    return geoms if result.parameters.measure == "edge" else shapely.centroid(geoms)


def _rings(geom: shapely.Geometry) -> list[FloatArray]:
    """Return the coordinate sequences whose segments make up a geometry's distance field."""
    out: list[FloatArray] = []
    for part in shapely.get_parts(geom):
        kind = part.geom_type
        if kind == "Polygon":
            out.extend(shapely.get_coordinates(ring) for ring in shapely.get_rings(part))
        elif kind in ("LineString", "LinearRing", "Point"):
            out.append(shapely.get_coordinates(part))
        else:  # a nested collection
            out.extend(_rings(part))
    return out


def _site_entries(result: Result, origin: FloatArray) -> list[dict[str, Any]]:
    sites = _sites_by_id(result)
    geoms = _target_geometries(result)
    entries = []
    for i in range(len(sites)):
        rings = [
            np.round(ring - origin, _COORD_DECIMALS).ravel().tolist() for ring in _rings(geoms[i])
        ]
        entries.append(
            {
                "id": str(sites["id"].iloc[i]),
                "name": truncate(clean_text(sites["name"].iloc[i]), _NAME_LIMIT),
                "weight": float(sites["weight"].iloc[i]),
                # as the distance kernel: points inside count as 0 only for (multi)polygons
                "polygonal": shapely.get_type_id(geoms[i]) in (3, 6),
                "rings": rings,
            }
        )
    return entries


# -- projections: the page's formulas, in Python --------------------------------------


def _krueger_alpha(n: float) -> list[float]:
    """Krüger's alpha coefficients to sixth order in n (Karney 2011, eq. 35)."""
    n2, n3, n4, n5, n6 = n**2, n**3, n**4, n**5, n**6
    return [
        n / 2 - 2 * n2 / 3 + 5 * n3 / 16 + 41 * n4 / 180 - 127 * n5 / 288 + 7891 * n6 / 37800,
        13 * n2 / 48 - 3 * n3 / 5 + 557 * n4 / 1440 + 281 * n5 / 630 - 1983433 * n6 / 1935360,
        61 * n3 / 240 - 103 * n4 / 140 + 15061 * n5 / 26880 + 167603 * n6 / 181440,
        49561 * n4 / 161280 - 179 * n5 / 168 + 6601661 * n6 / 7257600,
        34729 * n5 / 80640 - 3418889 * n6 / 1995840,
        212378941 * n6 / 319334400,
    ]


def _xi_eta(p: dict[str, Any], lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    f = float(p["f"])
    e = math.sqrt(f * (2 - f))
    alpha = _krueger_alpha(f / (2 - f))
    lam = np.radians(lon - float(p["lon0"]))
    lam = lam - 2 * np.pi * np.round(lam / (2 * np.pi))
    tau = np.tan(np.radians(lat))
    sigma = np.sinh(e * np.arctanh(e * tau / np.sqrt(1 + tau * tau)))
    taup = tau * np.sqrt(1 + sigma * sigma) - sigma * np.sqrt(1 + tau * tau)
    xip = np.arctan2(taup, np.cos(lam))
    etap = np.arcsinh(np.sin(lam) / np.sqrt(taup * taup + np.cos(lam) ** 2))
    xi, eta = xip.copy(), etap.copy()
    for j, a in enumerate(alpha, start=1):
        xi += a * np.sin(2 * j * xip) * np.cosh(2 * j * etap)
        eta += a * np.cos(2 * j * xip) * np.sinh(2 * j * etap)
    return xi, eta


def tmerc_forward(
    params: dict[str, Any], lon: npt.ArrayLike, lat: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Project WGS84 to a transverse Mercator CRS with the page's formulas (Krüger series).

    ``params``: ``a``, ``f`` (the ellipsoid), ``k0``, ``lon0``, ``lat0``, ``x0``, ``y0``.
    """
    lon_a = np.asarray(lon, dtype=float)
    lat_a = np.asarray(lat, dtype=float)
    f = float(params["f"])
    n = f / (2 - f)
    big_a = float(params["a"]) / (1 + n) * (1 + n**2 / 4 + n**4 / 64 + n**6 / 256)
    k0 = float(params["k0"])
    xi, eta = _xi_eta(params, lon_a, lat_a)
    xi0, _ = _xi_eta(params, np.asarray(float(params["lon0"])), np.asarray(float(params["lat0"])))
    x = float(params["x0"]) + k0 * big_a * eta
    y = float(params["y0"]) + k0 * big_a * (xi - xi0)
    return x, y


def _aeqd(p: dict[str, Any], lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Spherical azimuthal equidistant coordinates, divided by ``p["scale"]``."""
    phi1 = math.radians(float(p["lat0"]))
    s1, c1 = math.sin(phi1), math.cos(phi1)
    phi = np.radians(lat)
    dl = np.radians(lon - float(p["lon0"]))
    dl = dl - 2 * np.pi * np.round(dl / (2 * np.pi))
    h = np.sin((phi - phi1) / 2) ** 2 + c1 * np.cos(phi) * np.sin(dl / 2) ** 2
    c = 2 * np.arcsin(np.minimum(1.0, np.sqrt(h)))
    sin_c = np.sin(c)
    k = np.divide(c, sin_c, out=np.ones_like(c), where=c >= 1e-12)
    r = float(p["R"]) * k / float(p["scale"])
    u = r * np.cos(phi) * np.sin(dl)
    v = r * (c1 * np.sin(phi) - s1 * np.cos(phi) * np.cos(dl))
    return u, v


def _terms(u: FloatArray, v: FloatArray) -> FloatArray:
    """Return the cubic polynomial's terms, in the page's order."""
    return np.stack([np.ones_like(u), u, v, u * u, u * v, v * v, u**3, u * u * v, u * v * v, v**3])


def aeqd_fit_forward(
    params: dict[str, Any], lon: npt.ArrayLike, lat: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Project WGS84 with the page's approximation (local equidistant + fitted cubic)."""
    u, v = _aeqd(params, np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    terms = _terms(u, v)
    cx = np.asarray(params["cx"], dtype=float)
    cy = np.asarray(params["cy"], dtype=float)
    return np.tensordot(cx, terms, axes=1), np.tensordot(cy, terms, axes=1)


def _sample(bounds: tuple[float, float, float, float], n: int) -> tuple[FloatArray, FloatArray]:
    west, south, east, north = bounds
    lon, lat = np.meshgrid(np.linspace(west, east, n), np.linspace(south, north, n))
    return lon.ravel(), lat.ravel()


def _tm_parameters(crs: CRS) -> dict[str, Any] | None:
    op = crs.coordinate_operation
    if op is None or op.method_code != _TM_METHOD:
        return None
    values: dict[str, float] = {}
    for param in op.params:
        factor = float(param.unit_conversion_factor or 1.0)
        if param.unit_name == "degree":
            values[param.code] = float(param.value)
        elif param.unit_category == "angular":
            values[param.code] = math.degrees(float(param.value) * factor)
        else:
            values[param.code] = float(param.value) * factor
    needed = {"8801": "lat0", "8802": "lon0", "8805": "k0", "8806": "x0", "8807": "y0"}
    if not set(needed) <= set(values) or crs.ellipsoid is None:
        return None
    ellipsoid = crs.ellipsoid
    inverse_f = float(ellipsoid.inverse_flattening)
    params: dict[str, Any] = {
        "kind": "tmerc",
        "a": float(ellipsoid.semi_major_metre),
        "f": 0.0 if inverse_f == 0 else 1.0 / inverse_f,
    }
    params.update({name: values[code] for code, name in needed.items()})
    return params


def _gaussian_radius(crs: CRS, lat: float) -> float:
    ellipsoid = CRS(_WGS84).ellipsoid if crs.ellipsoid is None else crs.ellipsoid
    assert ellipsoid is not None
    a = float(ellipsoid.semi_major_metre)
    inverse_f = float(ellipsoid.inverse_flattening)
    f = 0.0 if inverse_f == 0 else 1.0 / inverse_f
    e2 = f * (2 - f)
    w = 1 - e2 * math.sin(math.radians(lat)) ** 2
    return a * math.sqrt(1 - e2) / w  # sqrt(M * N)


def _fitted(
    crs: CRS, to_metric: Transformer, bounds: tuple[float, float, float, float]
) -> dict[str, Any]:
    west, south, east, north = bounds
    lon0, lat0 = (west + east) / 2, (south + north) / 2
    params: dict[str, Any] = {
        "kind": "aeqd",
        "R": _gaussian_radius(crs, lat0),
        "lon0": lon0,
        "lat0": lat0,
        "scale": 1.0,
    }
    lon, lat = _sample(bounds, _FIT_SAMPLES)
    u, v = _aeqd(params, lon, lat)
    params["scale"] = max(float(np.abs(u).max()), float(np.abs(v).max()), 1.0)
    u, v = _aeqd(params, lon, lat)
    x, y = to_metric.transform(lon, lat)
    terms = _terms(u, v).T
    params["cx"] = np.linalg.lstsq(terms, np.asarray(x), rcond=None)[0].tolist()
    params["cy"] = np.linalg.lstsq(terms, np.asarray(y), rcond=None)[0].tolist()
    check_lon, check_lat = _sample(bounds, _CHECK_SAMPLES)
    fx, fy = aeqd_fit_forward(params, check_lon, check_lat)
    tx, ty = to_metric.transform(check_lon, check_lat)
    params["error_m"] = float(np.hypot(fx - np.asarray(tx), fy - np.asarray(ty)).max())
    params["bounds"] = [west, south, east, north]
    return params


def projection_for(crs: Any, bounds: tuple[float, float, float, float]) -> dict[str, Any]:
    """Return the page's projection from WGS84 to ``crs`` over ``bounds`` (W, S, E, N).

    ``{"kind": "tmerc", ...}`` (exact: a transverse Mercator whose formulas agree
    with pyproj within :data:`EXACT_TOLERANCE_M` over the bounds), or
    ``{"kind": "aeqd", ..., "error_m", "bounds"}`` (the fitted approximation and
    its largest error over the bounds).

    Examples
    --------
    >>> p = projection_for("EPSG:32651", (121.58, 31.07, 121.65, 31.13))
    >>> p["kind"], p["lon0"], p["k0"]
    ('tmerc', 123.0, 0.9996)
    """
    target = CRS(crs)
    to_metric = from_wgs84(target)
    params = _tm_parameters(target)
    if params is not None:
        lon, lat = _sample(bounds, 9)
        x, y = tmerc_forward(params, lon, lat)
        tx, ty = to_metric.transform(lon, lat)
        error = np.hypot(x - np.asarray(tx), y - np.asarray(ty))
        if bool(np.all(np.isfinite(error))) and float(error.max()) <= EXACT_TOLERANCE_M:
            return params
    return _fitted(target, to_metric, bounds)


def _extent(result: Result, extra: list[Any]) -> tuple[float, float, float, float]:
    """Return the study's WGS84 extent (sites, boundary, extra geometries) grown by a quarter."""
    geoms = list(np.asarray(result.sites.geometry.array, dtype=object))
    if result.data.boundary is not None:
        geoms += list(np.asarray(result.data.boundary.geometry.array, dtype=object))
    geoms += [g for g in extra if g is not None]
    west, south, east, north = (float(v) for v in shapely.total_bounds(np.asarray(geoms)))
    grow_x = max((east - west) * 0.25, 0.01)
    grow_y = max((north - south) * 0.25, 0.01)
    return (
        max(west - grow_x, -180.0),
        max(south - grow_y, -89.0),
        min(east + grow_x, 180.0),
        min(north + grow_y, 89.0),
    )


def click_data(
    result: Result, *, datum: str = "wgs84", extra: list[Any] | None = None
) -> dict[str, Any]:
    """Return what a page needs to score clicked points (JSON-ready; embed it with js_json).

    Parameters
    ----------
    result
        The study's analysis.
    datum
        The datum the map's overlays are drawn in (``gcj02`` on Amap tiles): clicks
        are shifted from it to WGS84 before scoring.
    extra
        More WGS84 geometries the study area should cover (e.g. candidate cells).

    Returns
    -------
    dict
        ``crs``, ``projection`` (see :func:`projection_for`), ``datum``,
        ``origin`` (site coordinates are relative to it), ``measure``, ``decay``
        (the kind and parameters, for display) and ``sites`` (id order: ``id``,
        ``name``, ``weight``, ``polygonal``, ``rings``: flat x, y lists in metres).
    """
    bounds = _extent(result, extra or [])
    geoms = _target_geometries(result)
    routed = result.network is not None
    # a network page shares its origin with the edit mode's (the footprints' centre)
    extent = np.asarray(result.sites_m.geometry.array, dtype=object) if routed else geoms
    west, south, east, north = (float(v) for v in shapely.total_bounds(extent))
    origin = np.round(np.array([(west + east) / 2, (south + north) / 2]), 0)
    decay = result.parameters.decay
    network: dict[str, Any] = {}
    if routed:
        # lazy: only maps of network measures need the per-site searches (scipy)
        from siteplan.maps.network_data import click_costs_data

        network = {
            "unit": result.parameters.unit,
            "network_mode": dict(result.parameters.network or {}).get("mode", "walk"),
            "network": click_costs_data(result, _sites_by_id(result)),
        }
    return {
        **network,
        "crs": result.crs_name,
        "projection": projection_for(result.crs, bounds),
        "datum": datum,
        "origin": origin.tolist(),
        "measure": result.parameters.measure,
        "decay": {"kind": decay.kind, "params": dict(decay.params)},
        "sites": _site_entries(result, origin),
    }
