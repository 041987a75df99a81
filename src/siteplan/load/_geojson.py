"""Structural checks of a GeoJSON text before GDAL reads it.

GDAL is lenient: it closes unclosed rings, drops NaN coordinates and reports
broken JSON with messages that do not name the feature. These checks run on the
parsed JSON first, so that every refusal names the file and the feature and says
what to do.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any, Final

from pyproj import CRS
from pyproj.exceptions import CRSError as PyprojCRSError

from siteplan.errors import LayerError

__all__ = ["check_geojson_text", "feature_label"]

GEOMETRY_TYPES: Final = (
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
)
# Depth of the "coordinates" array for each geometry type.
_DEPTH: Final = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}
_MAX_DEPTH: Final = 64
# Integer literals longer than this are read as floats (see _parse_int).
_MAX_INT_DIGITS: Final = 300
# A \u0000 escape (not preceded by an escaped backslash): GDAL cuts strings at NUL.
_SQLITE_MAGIC: Final = b"SQLite format 3\x00"
_NUL_ESCAPE: Final = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def feature_label(feature: Any, index: int, id_field: str) -> str:
    """Return how to name a feature in a message: its id, else its 1-based position."""
    if isinstance(feature, dict):
        props = feature.get("properties")
        if isinstance(props, dict):
            value = props.get(id_field)
            if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
                return repr(str(value))
        fid = feature.get("id")
        if isinstance(fid, str | int) and not isinstance(fid, bool) and str(fid):
            return repr(str(fid))
    return f"#{index + 1}"


def _decode(path: Path, raw: bytes) -> str:
    if not raw.strip():
        raise LayerError("the file is empty; export the layer again", path=path)
    if raw.startswith(_SQLITE_MAGIC):
        raise LayerError(
            "this is a GeoPackage (an SQLite database), not GeoJSON; rename it to .gpkg",
            path=path,
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LayerError(
            f"the text is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "save the file as UTF-8, as RFC 7946 GeoJSON requires",
            path=path,
        ) from None


def _parse_int(text: str) -> int | float:
    """Parse a JSON integer; one longer than 300 digits becomes a float (inf).

    Python's ``int()`` refuses literals longer than 4300 digits and a huge int
    cannot be compared with floats, so long integer literals are read as floats.
    """
    return int(text) if len(text) <= _MAX_INT_DIGITS else float(text)


def _parse(path: Path, text: str) -> Any:
    try:
        return json.loads(text, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        # A string that runs to the end of the text ("Unterminated string") is a cut too.
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            what = "the JSON ends early (the file looks truncated)"
        else:
            what = f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        raise LayerError(f"{what}; export the layer again as GeoJSON", path=path) from None
    except RecursionError:
        raise LayerError(
            "the JSON is nested too deeply to be GeoJSON; check the file", path=path
        ) from None


def _check_id(feature: dict[str, Any], id_field: str, path: Path, label: str) -> None:
    """Refuse an id, or a weight, that GDAL would silently turn into another value.

    GDAL writes an array or object id as its JSON text, reads an integer beyond 64
    bits as an inexact float, and a boolean weight as 0 or 1.
    """
    props = feature.get("properties")
    values = (
        (f"the '{id_field}' property", props.get(id_field) if isinstance(props, dict) else None),
        ("the Feature's 'id' member", feature.get("id")),
    )
    for what, value in values:
        if value is None:
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, str | int | float)
            or (isinstance(value, float) and not math.isfinite(value))
        ):
            raise LayerError(
                f"{what} is {json.dumps(value)[:40]}, not a text or a finite number; "
                "give every feature a unique id",
                path=path,
                feature=label,
            )
        if isinstance(value, str) and _has_lone_surrogate(value):
            raise LayerError(
                f"{what} holds a lone UTF-16 surrogate escape (such as \\ud800), which is not "
                "a character and would become U+FFFD; fix the id's text",
                path=path,
                feature=label,
            )
        if isinstance(value, int) and not -(2**63) <= value < 2**63:
            raise LayerError(
                f"{what} is {str(value)[:40]}, an integer too large to be read exactly "
                "(beyond 64 bits); write the id as text, in quotes",
                path=path,
                feature=label,
            )
    weight = props.get("weight") if isinstance(props, dict) else None
    if isinstance(weight, bool | list | dict):
        raise LayerError(
            f"weight {json.dumps(weight)[:40]} is not a number >= 0; "
            "fix the feature's 'weight' property",
            path=path,
            feature=label,
        )


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check_position(pos: Any, path: Path, label: str) -> None:
    if not isinstance(pos, list) or len(pos) < 2:
        raise LayerError(
            f"a position is {json.dumps(pos)[:40]}, not [lon, lat]; "
            "write each position as an array of two or three numbers",
            path=path,
            feature=label,
        )
    for value in pos[:3]:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise LayerError(
                f"coordinate {json.dumps(value)[:40]} is not a number; "
                "write coordinates as plain JSON numbers",
                path=path,
                feature=label,
            )
        if not math.isfinite(value):
            raise LayerError(
                f"coordinate {value} is not finite (NaN or infinite); "
                "fix or remove the feature's broken vertex",
                path=path,
                feature=label,
            )


def _check_coordinates(coords: Any, depth: int, path: Path, label: str, gtype: str) -> None:
    if depth == 0:
        _check_position(coords, path, label)
        return
    if not isinstance(coords, list):
        raise LayerError(
            f"the {gtype} coordinates are not nested arrays as RFC 7946 requires; "
            "export the layer again as GeoJSON",
            path=path,
            feature=label,
        )
    for item in coords:
        _check_coordinates(item, depth - 1, path, label, gtype)
    if depth == 1 and gtype in ("Polygon", "MultiPolygon"):
        _check_ring(coords, path, label)


def _check_ring(ring: list[Any], path: Path, label: str) -> None:
    if len(ring) < 4:
        raise LayerError(
            f"a polygon ring has {len(ring)} positions, fewer than the 4 a closed ring needs; "
            "fix the footprint",
            path=path,
            feature=label,
        )
    if ring[0][:2] != ring[-1][:2]:
        raise LayerError(
            f"a polygon ring is not closed (first position {ring[0][:2]}, "
            f"last {ring[-1][:2]}); repeat the first position at the end of the ring",
            path=path,
            feature=label,
        )


def _check_geometry(geometry: Any, path: Path, label: str, nesting: int = 0) -> None:
    if geometry is None:
        raise LayerError(
            "the geometry is null; draw the feature or remove it", path=path, feature=label
        )
    if not isinstance(geometry, dict):
        raise LayerError(
            "the geometry is not a GeoJSON object; export the layer again",
            path=path,
            feature=label,
        )
    gtype = geometry.get("type")
    if not isinstance(gtype, str):
        raise LayerError(
            f"the geometry's type is {json.dumps(gtype)[:40]}, not a name; "
            f"use one of {', '.join(GEOMETRY_TYPES)}",
            path=path,
            feature=label,
        )
    if gtype == "GeometryCollection":
        if nesting > 4:
            raise LayerError("GeometryCollections nest too deeply", path=path, feature=label)
        members = geometry.get("geometries")
        if not isinstance(members, list):
            raise LayerError(
                "GeometryCollection has no 'geometries' array", path=path, feature=label
            )
        for member in members:
            _check_geometry(member, path, label, nesting + 1)
        return
    if gtype not in _DEPTH:
        raise LayerError(
            f"geometry type {json.dumps(gtype)[:40]} is not a GeoJSON geometry type; "
            f"use one of {', '.join(GEOMETRY_TYPES)}",
            path=path,
            feature=label,
        )
    coords = geometry.get("coordinates")
    if coords is None or coords == []:
        raise LayerError(
            f"the {gtype} is empty (no coordinates); draw the feature or remove it",
            path=path,
            feature=label,
        )
    _check_coordinates(coords, _DEPTH[gtype], path, label, gtype)


def _features(doc: Any, path: Path) -> list[Any]:
    if not isinstance(doc, dict) or not isinstance(doc.get("type"), str):
        raise LayerError(
            "this is JSON but not GeoJSON (no FeatureCollection or Feature 'type'); "
            "export the layer as GeoJSON",
            path=path,
        )
    kind = doc["type"]
    if kind == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise LayerError(
                "the FeatureCollection has no 'features' array; export the layer again",
                path=path,
            )
        if not features:
            raise LayerError(
                "the FeatureCollection has no features; add at least one feature", path=path
            )
        return features
    if kind == "Feature":
        return [doc]
    if kind in _DEPTH or kind == "GeometryCollection":
        raise LayerError(
            f"the file is a bare {kind} geometry with no properties; wrap it in a Feature "
            "with 'id' and 'name' properties",
            path=path,
        )
    raise LayerError(
        f"this is JSON but not GeoJSON (type {json.dumps(kind)[:40]}); "
        "export the layer as a GeoJSON FeatureCollection",
        path=path,
    )


def _check_legacy_crs(doc: Any, path: Path) -> None:
    """Refuse a legacy (GeoJSON 2008) ``crs`` member that names no known CRS.

    GDAL reads an unknown name (``urn:ogc:def:crs:EPSG::999999``) as WGS84 and
    goes on, so the coordinates would be taken for lon/lat without a word.
    """
    member = doc.get("crs") if isinstance(doc, dict) else None
    if member is None:
        return
    props = member.get("properties") if isinstance(member, dict) else None
    name = props.get("name") if isinstance(props, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise LayerError(
            f"the legacy 'crs' member {json.dumps(member)[:60]} names no CRS; remove it "
            "(GeoJSON is WGS84 lon/lat, RFC 7946) or give a name such as "
            '"urn:ogc:def:crs:EPSG::32651"',
            path=path,
        )
    try:
        CRS.from_user_input(name)
    except PyprojCRSError:
        raise LayerError(
            f"the legacy 'crs' member names {name[:80]!r}, which is not a CRS pyproj knows; "
            "fix the name (e.g. urn:ogc:def:crs:EPSG::32651), or reproject the layer to "
            "WGS84 lon/lat and remove the member",
            path=path,
        ) from None


def check_geojson_text(path: Path, id_field: str = "id") -> list[Any]:
    """Check a GeoJSON file's structure and return its list of features.

    Parameters
    ----------
    path
        The file to check.
    id_field
        The property that names features in messages.

    Returns
    -------
    list
        The parsed features, in file order.

    Raises
    ------
    LayerError
        For an empty, non-UTF-8, non-JSON, truncated or non-GeoJSON file, an empty
        FeatureCollection, a null or empty geometry, a non-numeric or non-finite
        coordinate, an unclosed polygon ring, an id that is not a text or a number
        (or an integer beyond 64 bits), a boolean weight, or a NUL character.
    """
    text = _decode(path, path.read_bytes())  # the bytes are freed before parsing
    doc = _parse(path, text)
    if _NUL_ESCAPE.search(text):
        raise LayerError(
            "a string holds a NUL character (\\u0000), where GDAL would silently cut the "
            "text; remove it",
            path=path,
        )
    del text
    features = _features(doc, path)
    _check_legacy_crs(doc, path)
    for index, feature in enumerate(features):
        label = feature_label(feature, index, id_field)
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise LayerError(
                "this member of 'features' is not a GeoJSON Feature; export the layer again",
                path=path,
                feature=label,
            )
        props = feature.get("properties")
        if props is not None and not isinstance(props, dict):
            raise LayerError(
                "'properties' is not an object; write properties as a JSON object",
                path=path,
                feature=label,
            )
        _check_id(feature, id_field, path, label)
        _check_geometry(feature.get("geometry"), path, label)
    return features
