"""Check a layer's geometries and coordinates, and convert them to WGS84 lon/lat.

The steps :func:`siteplan.load.layers.read_layer` runs on every layer: null,
empty, mistyped and non-finite geometries are refused; lon/lat that is plainly
something else (metres, swapped axes) is refused; a CRS is honoured, prime
meridian included, and positions outside where it is defined are refused; lines
and polygons spanning more than 180° of longitude are refused.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Final

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from pyproj.exceptions import ProjError

from siteplan.errors import LayerError
from siteplan.load._datum import geometries_to_wgs84

if TYPE_CHECKING:
    from siteplan.load.layers import LayerSpec

__all__ = [
    "POLYGONAL",
    "WGS84",
    "check_extent",
    "check_geometries",
    "check_role_keys",
    "to_wgs84",
]

WGS84: Final = CRS.from_epsg(4326)
POLYGONAL: Final = frozenset({"Polygon", "MultiPolygon"})
_ALLOWED_TYPES: Final[dict[str, frozenset[str]]] = {
    "site": frozenset({"Polygon", "MultiPolygon", "Point", "MultiPoint"}),
    "boundary": POLYGONAL,
    "exclusion": POLYGONAL,
    "demand": frozenset({"Point", "MultiPoint", "Polygon", "MultiPolygon"}),
    "network": frozenset({"LineString", "MultiLineString"}),
    "entrance": frozenset({"Point", "MultiPoint"}),
    "context": frozenset(
        {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}
    ),
}
_LARGE_COORDINATE: Final = 1000.0


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def check_role_keys(spec: LayerSpec) -> None:
    """Refuse bad demand and supply keys, and either on a layer of another role."""
    for key in ("population_field", "capacity_field"):
        value = getattr(spec, key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise LayerError(f"{key} is {value!r}; give a property name", path=spec.path)
    cell = spec.spread_cell_m
    if cell is not None and (
        isinstance(cell, bool) or not isinstance(cell, int | float) or not 0 < cell < math.inf
    ):
        raise LayerError(
            f"spread_cell_m is {cell!r}; give a cell size in metres > 0, e.g. 250", path=spec.path
        )
    if spec.role != "demand" and (
        spec.population_field != "population" or spec.spread_cell_m is not None
    ):
        raise LayerError(
            f"population_field and spread_cell_m apply to demand layers, not to a "
            f'{spec.role} layer; remove them or set role = "demand"',
            path=spec.path,
        )
    if spec.capacity_field is not None and spec.role != "site":
        raise LayerError(
            f"capacity_field applies to site layers, not to a {spec.role} layer; remove it",
            path=spec.path,
        )


def check_geometries(frame: gpd.GeoDataFrame, spec: LayerSpec, labels: list[str]) -> None:
    geoms = frame.geometry.array
    for i, geom in enumerate(geoms):
        if geom is None:
            raise LayerError(
                "the geometry is null; draw the feature or remove it",
                path=spec.path,
                feature=labels[i],
            )
        if geom.is_empty:
            raise LayerError(
                "the geometry is empty; draw the feature or remove it",
                path=spec.path,
                feature=labels[i],
            )
    allowed = _ALLOWED_TYPES[spec.role]
    for i, gtype in enumerate(frame.geom_type):
        if gtype not in allowed:
            raise LayerError(
                f"a {gtype} does not fit {_article(spec.role)} {spec.role} layer, which takes "
                f"{', '.join(sorted(allowed))}; fix the geometry or give the layer another role",
                path=spec.path,
                feature=labels[i],
            )
    coords, owner = shapely.get_coordinates(np.asarray(geoms), return_index=True)
    bad = ~np.isfinite(coords).all(axis=1)
    if bad.any():
        raise LayerError(
            "a coordinate is NaN or infinite; fix or remove the broken vertex",
            path=spec.path,
            feature=labels[int(owner[np.argmax(bad)])],
        )


def _check_lonlat(frame: gpd.GeoDataFrame, spec: LayerSpec, labels: list[str]) -> None:
    coords, owner = shapely.get_coordinates(np.asarray(frame.geometry.array), return_index=True)
    lon, lat = coords[:, 0], coords[:, 1]
    outside = (np.abs(lon) > 180) | (np.abs(lat) > 90)
    if not outside.any():
        return
    first = int(np.argmax(outside))
    label = labels[int(owner[first])]
    x, y = float(lon[first]), float(lat[first])
    if (np.abs(coords) > _LARGE_COORDINATE).any():
        raise LayerError(
            f"coordinates such as ({x:.1f}, {y:.1f}) look like metres or feet, but the file "
            "declares no CRS and GeoJSON is lon/lat WGS84 (RFC 7946); reproject the layer "
            "to EPSG:4326, or save it as a GeoPackage that records its CRS",
            path=spec.path,
            feature=label,
        )
    mine = owner == owner[first]
    if (np.abs(lon[mine]) <= 90).all() and (np.abs(lat[mine]) <= 180).all():
        raise LayerError(
            f"latitude and longitude look swapped (position [{x}, {y}] has a latitude beyond "
            "±90); GeoJSON positions are [lon, lat]: swap the two numbers",
            path=spec.path,
            feature=label,
        )
    raise LayerError(
        f"position [{x}, {y}] is beyond lon ±180 / lat ±90; fix the coordinates",
        path=spec.path,
        feature=label,
    )


def to_wgs84(frame: gpd.GeoDataFrame, spec: LayerSpec, labels: list[str]) -> gpd.GeoDataFrame:
    crs = None if frame.crs is None else CRS.from_user_input(frame.crs)
    if crs is None or (crs.equals(WGS84, ignore_axis_order=True) and _greenwich(crs)):
        _check_lonlat(frame, spec, labels)
        geoms = geometries_to_wgs84(frame.geometry.array, spec.datum)
        return frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=WGS84))
    if spec.datum != "wgs84":
        raise LayerError(
            f"datum {spec.datum} applies to lon/lat coordinates, but the layer is in "
            f"{crs.name}; drop the datum or export the layer as lon/lat",
            path=spec.path,
        )
    # A prime meridian other than Greenwich (+pm=180) is honoured by the transformation.
    try:
        out = frame.to_crs(WGS84)
        back = out.to_crs(crs)
    except (ProjError, ValueError) as exc:
        raise LayerError(
            f"the coordinates cannot be converted from {crs.name} to WGS84 "
            f"({' '.join(str(exc).split())[:120]}); check the layer's CRS",
            path=spec.path,
        ) from None
    _check_converted(frame, out, back, spec, labels, crs=crs)
    return out


def _greenwich(crs: CRS) -> bool:
    pm = crs.prime_meridian
    return pm is None or float(pm.longitude) == 0.0


def _check_converted(
    frame: gpd.GeoDataFrame,
    out: gpd.GeoDataFrame,
    back: gpd.GeoDataFrame,
    spec: LayerSpec,
    labels: list[str],
    *,
    crs: CRS,
) -> None:
    """Refuse coordinates outside where the layer's CRS is defined.

    They come out of the transformation as infinities, clamped to ±180/±90, or
    somewhere that does not convert back to where they started.
    """
    arr = np.asarray(frame.geometry.array)
    src, owner = shapely.get_coordinates(arr, return_index=True)
    lonlat = shapely.get_coordinates(np.asarray(out.geometry.array))
    again = shapely.get_coordinates(np.asarray(back.geometry.array))
    if len(lonlat) != len(src) or len(again) != len(src):
        bad = np.ones(len(src), dtype=bool)
    else:
        with np.errstate(invalid="ignore", over="ignore"):
            drift = np.abs(again - src).max(axis=1)
            scale = np.maximum(np.abs(src).max(axis=1), 1.0)
            bad = ~np.isfinite(lonlat).all(axis=1) | ~(drift <= 1e-6 * scale)
            bad |= (np.abs(lonlat[:, 0]) > 180) | (np.abs(lonlat[:, 1]) > 90)
    if not bad.any():
        return
    first = int(np.argmax(bad))
    x, y = (float(v) for v in src[first])
    raise LayerError(
        f"position ({x:.6g}, {y:.6g}) lies outside where {crs.name} is defined (it does not "
        "convert to a place on Earth); fix the coordinates or the layer's CRS",
        path=spec.path,
        feature=labels[int(owner[first])],
    )


def check_extent(frame: gpd.GeoDataFrame, spec: LayerSpec, labels: list[str]) -> None:
    """Refuse lines and polygons spanning more than 180° of longitude.

    A flat lon/lat ring cannot cross the antimeridian or go round a pole: drawn
    from -180 to 180 it means the long way round, and it is measured so (a polar
    cap of 1° measures twice its size). RFC 7946 §3.1.9 says to split such
    geometries at the antimeridian.
    """
    geoms = np.asarray(frame.geometry.array)
    kinds = shapely.get_type_id(geoms)
    extended = np.isin(kinds, (1, 2, 3, 5, 6))  # lines and polygons, single or multi
    if not extended.any():
        return
    parts = shapely.get_parts(geoms[extended], return_index=True)
    bounds = shapely.bounds(parts[0])
    span = bounds[:, 2] - bounds[:, 0]
    wide = span > 180.0
    if not wide.any():
        return
    k = int(np.argmax(wide))
    index = int(np.flatnonzero(extended)[parts[1][k]])
    raise LayerError(
        f"a part spans {span[k]:.1f}° of longitude (more than 180°): it crosses the "
        "antimeridian or goes round a pole, which a lon/lat polygon cannot describe; split "
        "it at 180° into a multi-part geometry (RFC 7946 section 3.1.9)",
        path=spec.path,
        feature=labels[index],
    )
