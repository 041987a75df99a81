"""Split WGS84 geometries that cross the antimeridian (180°), as RFC 7946 asks.

A ring band or a pair line that crosses 180° comes back from the metric CRS
with longitudes jumping from about +180 to about -180: read as drawn, it runs
the other way round the world (QGIS draws it so) and a polygon is invalid. The
GeoJSON export has GDAL split such geometries (``RFC7946=YES``); the GeoPackage
export splits them here, into parts on either side of 180° that are valid in
EPSG:4326. Geometries that do not cross are returned unchanged (the same
objects).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import shapely

__all__ = ["split_at_antimeridian"]

#: A geometry whose longitudes span more than this crosses the antimeridian.
_CROSSING_SPAN: Final = 180.0
_EAST: Final = shapely.box(-180.0, -90.0, 180.0, 90.0)
_WEST: Final = shapely.box(180.0, -90.0, 540.0, 90.0)


def split_at_antimeridian(geoms: npt.ArrayLike) -> npt.NDArray[np.object_]:
    """Return the geometries with every one that crosses 180° split there.

    A crossing geometry is one whose longitudes span more than 180°. Its
    negative longitudes are moved by +360° (so it is continuous), it is cut at
    180°, and the part east of 180° is moved back by -360°; the parts form a
    Multi geometry. Others are kept as they are.

    Examples
    --------
    >>> line = shapely.LineString([(179.5, 0), (-179.5, 0)])
    >>> split_at_antimeridian([line])[0].wkt
    'MULTILINESTRING ((179.5 0, 180 0), (-180 0, -179.5 0))'
    """
    arr = np.array(geoms, dtype=object)
    out = arr.copy()
    present = ~shapely.is_missing(arr) & ~shapely.is_empty(arr)
    bounds = shapely.bounds(arr)
    crossing = np.flatnonzero(present & (bounds[:, 2] - bounds[:, 0] > _CROSSING_SPAN))
    for k in crossing.tolist():
        out[k] = _split(arr[k])
    return out


def _split(geom: shapely.Geometry) -> shapely.Geometry:
    """Split one geometry that crosses 180° into a Multi geometry of its two sides."""

    def unwrap(coords: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        moved = coords.copy()
        moved[:, 0] = np.where(moved[:, 0] < 0.0, moved[:, 0] + 360.0, moved[:, 0])
        return moved

    whole = shapely.make_valid(shapely.transform(geom, unwrap))
    west_side = shapely.intersection(whole, _EAST)
    east_side = shapely.transform(
        shapely.intersection(whole, _WEST), lambda c: c - np.array([360.0, 0.0])
    )
    dimensions = int(shapely.get_dimensions(geom))
    parts = [
        part
        for side in (west_side, east_side)
        for part in shapely.get_parts(side).tolist()
        if not part.is_empty and int(shapely.get_dimensions(part)) == dimensions
    ]
    if dimensions == 2:
        return shapely.MultiPolygon(parts)
    if dimensions == 1:
        return shapely.MultiLineString(parts)
    return shapely.MultiPoint(parts)
