"""The shared catalogue of test geometries and small GeoJSON builders.

Every test that needs a footprint takes it from here, so that the same few shapes
(valid, empty, invalid, multi-part) are reused across the suite. Geometries are
RFC 7946 GeoJSON geometry dicts in WGS84 lon/lat; turn one into shapely with
``shapely.geometry.shape``. Positions sit near the Shanghai International Medical
Zone (SIMZ, about 121.61 E, 31.10 N), where one 0.002 degree step is about 190 m
east-west and 222 m north-south.

Builders
--------
``box(west, south, east, north)``
    A closed, counter-clockwise rectangular ring.
``polygon(ring, *holes)``, ``multipolygon(*polygons)``, ``point(lon, lat)``,
``linestring(*positions)``
    Geometry dicts.
``feature(geometry, id=..., name=..., **properties)``
    A Feature; ``id`` and ``name`` go into ``properties`` only when given.
``feature_collection(*features, **members)``
    A FeatureCollection dict; extra members (e.g. a legacy ``crs``) are added.
``layer(*geometries, prefix="f")``
    A FeatureCollection with one feature per geometry, ids ``f1``, ``f2``, ...
"""

from __future__ import annotations

from typing import Any

Position = list[float]
Ring = list[Position]
Geometry = dict[str, Any]

SIMZ_LON = 121.61
SIMZ_LAT = 31.10


def box(west: float, south: float, east: float, north: float) -> Ring:
    """Return a closed counter-clockwise ring around a lon/lat rectangle."""
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]


def polygon(ring: Ring, *holes: Ring) -> Geometry:
    """Return a GeoJSON Polygon with an exterior ring and optional holes."""
    return {"type": "Polygon", "coordinates": [ring, *holes]}


def multipolygon(*polygons: Geometry) -> Geometry:
    """Return a GeoJSON MultiPolygon made of Polygon dicts."""
    return {"type": "MultiPolygon", "coordinates": [p["coordinates"] for p in polygons]}


def point(lon: float, lat: float) -> Geometry:
    """Return a GeoJSON Point."""
    return {"type": "Point", "coordinates": [lon, lat]}


def linestring(*positions: Position) -> Geometry:
    """Return a GeoJSON LineString."""
    return {"type": "LineString", "coordinates": [list(p) for p in positions]}


def feature(
    geometry: Geometry | None,
    id: str | int | None = None,
    name: str | None = None,
    **properties: Any,
) -> dict[str, Any]:
    """Return a GeoJSON Feature; ``id`` and ``name`` become properties when given."""
    props: dict[str, Any] = {}
    if id is not None:
        props["id"] = id
    if name is not None:
        props["name"] = name
    props.update(properties)
    return {"type": "Feature", "properties": props, "geometry": geometry}


def feature_collection(*features: dict[str, Any], **members: Any) -> dict[str, Any]:
    """Return a GeoJSON FeatureCollection of ``features`` plus any extra members."""
    return {"type": "FeatureCollection", "features": list(features), **members}


def layer(*geometries: Geometry, prefix: str = "f") -> dict[str, Any]:
    """Return a FeatureCollection with one feature per geometry, ids ``f1``, ``f2``, ..."""
    return feature_collection(
        *(feature(g, id=f"{prefix}{i + 1}") for i, g in enumerate(geometries))
    )


# --- valid geometries ----------------------------------------------------------------

#: A 0.002 x 0.002 degree square at SIMZ (about 190 m x 222 m).
SQUARE = polygon(box(121.610, 31.100, 121.612, 31.102))
#: A point inside SIMZ, on Kangxin Hwy as modelled in the bundled study.
POINT = point(121.6125, 31.1050)
#: Two separate squares as one multi-part site.
MULTIPOLYGON = multipolygon(
    polygon(box(121.610, 31.100, 121.612, 31.102)),
    polygon(box(121.620, 31.100, 121.622, 31.102)),
)
#: A square with a square hole.
WITH_HOLE = polygon(box(121.610, 31.100, 121.614, 31.104), box(121.611, 31.101, 121.613, 31.103))
#: Two squares sharing the edge lon = 121.612 exactly.
TOUCHING = (
    polygon(box(121.610, 31.100, 121.612, 31.102)),
    polygon(box(121.612, 31.100, 121.614, 31.102)),
)
#: Two squares overlapping by half their width.
OVERLAPPING = (
    polygon(box(121.610, 31.100, 121.612, 31.102)),
    polygon(box(121.611, 31.100, 121.613, 31.102)),
)
#: A large square and a small one wholly inside it.
NESTED = (
    polygon(box(121.600, 31.090, 121.630, 31.120)),
    polygon(box(121.610, 31.100, 121.612, 31.102)),
)
#: Two squares about 10 km apart (north-south).
FAR_APART = (
    polygon(box(121.610, 31.100, 121.612, 31.102)),
    polygon(box(121.610, 31.190, 121.612, 31.192)),
)
#: A line: fits a context layer, not a site or a boundary.
LINESTRING = linestring([121.6125, 31.08], [121.6125, 31.11])

# --- empty and invalid geometries ------------------------------------------------------

#: A Polygon with no coordinates at all.
EMPTY_POLYGON: Geometry = {"type": "Polygon", "coordinates": []}
#: A Point with no coordinates.
EMPTY_POINT: Geometry = {"type": "Point", "coordinates": []}
#: A self-intersecting "bow-tie": two triangles meeting at (121.611, 31.101).
BOWTIE = polygon(
    [[121.610, 31.100], [121.612, 31.102], [121.612, 31.100], [121.610, 31.102], [121.610, 31.100]]
)
#: SQUARE without its closing position.
UNCLOSED = {"type": "Polygon", "coordinates": [box(121.610, 31.100, 121.612, 31.102)[:-1]]}
#: SQUARE written [lat, lon] instead of [lon, lat].
SWAPPED = polygon([[lat, lon] for lon, lat in box(121.610, 31.100, 121.612, 31.102)])
#: A point beyond lon 180.
BEYOND_LON = point(200.0, 31.1)
#: A point beyond lat 90 (and not a swap: |lon| > 90).
BEYOND_LAT = point(121.6, 95.0)
#: SIMZ in UTM zone 51N metres, written as if it were lon/lat.
METRES = polygon(
    [
        [370000.0, 3441000.0],
        [370200.0, 3441000.0],
        [370200.0, 3441200.0],
        [370000.0, 3441200.0],
        [370000.0, 3441000.0],
    ]
)
