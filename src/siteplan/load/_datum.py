"""Chinese map datums: GCJ-02 and BD-09 to and from WGS84.

Coordinates copied from Amap/Gaode or Tencent maps are GCJ-02 ("Mars
coordinates"); from Baidu maps, BD-09. Both are WGS84 plus a deliberate,
position-dependent offset of 0.5 to 1 km. The forward transform is the standard
public formula (Krasovsky 1940 ellipsoid, ``a = 6378245``,
``ee = 0.00669342162296594323``); it has no closed-form inverse, so the inverse
is a fixed-point iteration that stops when the forward transform of the estimate
is within ``1e-12`` degree of the input (about 0.1 micrometre).

Where the offset applies: inside the rough mainland-China bounding box
lon 72.004..137.8347, lat 0.8293..55.8271 (the box used by most public
implementations, e.g. PRCoords). Outside it GCJ-02 equals WGS84. The box is a
simplification: it includes Taiwan, Hong Kong and parts of neighbouring
countries, where map providers do not apply the offset.

All functions are vectorised over numpy arrays.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numpy as np
import numpy.typing as npt
import shapely

__all__ = [
    "DATUMS",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "geometries_to_wgs84",
    "in_china",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

DATUMS: Final = ("wgs84", "gcj02", "bd09")

_A: Final = 6378245.0
_EE: Final = 0.00669342162296594323
_BD_PI: Final = np.pi * 3000.0 / 180.0
_TOLERANCE_DEG: Final = 1e-12
_MAX_ITERATIONS: Final = 30

FloatArray = npt.NDArray[np.float64]


def in_china(lon: npt.ArrayLike, lat: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Return whether each point lies in the box where GCJ-02 differs from WGS84."""
    lon_a = np.asarray(lon, dtype=float)
    lat_a = np.asarray(lat, dtype=float)
    return (lon_a >= 72.004) & (lon_a <= 137.8347) & (lat_a >= 0.8293) & (lat_a <= 55.8271)


def _offsets(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Return the GCJ-02 offset (dlon, dlat) in degrees at WGS84 positions."""
    x = lon - 105.0
    y = lat - 35.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x
    dlat += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x
    dlon += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad_lat = np.radians(lat)
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    inside = in_china(lon, lat)
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def _invert(
    forward: Callable[..., tuple[FloatArray, FloatArray]],
    target_lon: FloatArray,
    target_lat: FloatArray,
    est_lon: FloatArray,
    est_lat: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Invert ``forward`` by fixed-point iteration from a first estimate.

    Each step moves the estimate by the forward transform's error, until every
    point's error is below ``1e-12`` degree (at most ``_MAX_ITERATIONS`` steps).
    """
    for _ in range(_MAX_ITERATIONS):
        fwd_lon, fwd_lat = forward(est_lon, est_lat)
        err_lon = fwd_lon - target_lon
        err_lat = fwd_lat - target_lat
        est_lon = est_lon - err_lon
        est_lat = est_lat - err_lat
        if np.all(np.abs(err_lon) < _TOLERANCE_DEG) and np.all(np.abs(err_lat) < _TOLERANCE_DEG):
            break
    return est_lon, est_lat


def wgs84_to_gcj02(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert WGS84 positions to GCJ-02 with the standard public formula.

    Examples
    --------
    >>> lon, lat = wgs84_to_gcj02(121.6024, 31.1117)
    >>> round(float(lon), 6), round(float(lat), 6)
    (121.606591, 31.109437)
    """
    lon_a = np.asarray(lon, dtype=float)
    lat_a = np.asarray(lat, dtype=float)
    dlon, dlat = _offsets(lon_a, lat_a)
    return lon_a + dlon, lat_a + dlat


def gcj02_to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert GCJ-02 positions to WGS84 by inverting the forward formula iteratively.

    Examples
    --------
    >>> lon, lat = gcj02_to_wgs84(121.606591, 31.109437)
    >>> round(float(lon), 5), round(float(lat), 5)
    (121.6024, 31.1117)
    """
    target_lon = np.asarray(lon, dtype=float)
    target_lat = np.asarray(lat, dtype=float)
    return _invert(wgs84_to_gcj02, target_lon, target_lat, target_lon, target_lat)


def gcj02_to_bd09(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert GCJ-02 positions to BD-09 (Baidu)."""
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _BD_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _BD_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert BD-09 positions to GCJ-02, inverting the forward formula iteratively."""
    target_lon = np.asarray(lon, dtype=float)
    target_lat = np.asarray(lat, dtype=float)
    return _invert(gcj02_to_bd09, target_lon, target_lat, target_lon - 0.0065, target_lat - 0.006)


def wgs84_to_bd09(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert WGS84 positions to BD-09 (through GCJ-02).

    Examples
    --------
    >>> lon, lat = wgs84_to_bd09(121.6024, 31.1117)
    >>> round(float(lon), 6), round(float(lat), 6)
    (121.613182, 31.115164)
    """
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert BD-09 positions to WGS84 (through GCJ-02)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_TO_WGS84: Final[dict[str, Callable[..., tuple[FloatArray, FloatArray]]]] = {
    "gcj02": gcj02_to_wgs84,
    "bd09": bd09_to_wgs84,
}
_FROM_WGS84: Final[dict[str, Callable[..., tuple[FloatArray, FloatArray]]]] = {
    "gcj02": wgs84_to_gcj02,
    "bd09": wgs84_to_bd09,
}


def _transform_geometries(
    geometries: npt.NDArray[np.object_],
    convert: Callable[..., tuple[FloatArray, FloatArray]],
) -> npt.NDArray[np.object_]:
    def _apply(coords: FloatArray) -> FloatArray:
        lon, lat = convert(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return np.asarray(shapely.transform(geometries, _apply), dtype=object)


def geometries_to_wgs84(geometries: npt.ArrayLike, datum: str) -> npt.NDArray[np.object_]:
    """Return the geometries converted from ``datum`` to WGS84 (vertex by vertex)."""
    geoms = np.asarray(geometries, dtype=object)
    if datum == "wgs84":
        return geoms
    return _transform_geometries(geoms, _TO_WGS84[datum])


def geometries_from_wgs84(geometries: npt.ArrayLike, datum: str) -> npt.NDArray[np.object_]:
    """Return WGS84 geometries converted to ``datum`` (for drawing on GCJ-02/BD-09 tiles)."""
    geoms = np.asarray(geometries, dtype=object)
    if datum == "wgs84":
        return geoms
    return _transform_geometries(geoms, _FROM_WGS84[datum])
