"""Shared building blocks of the map layers: colour scales, formatters, GeoJSON features.

Every layer is a :class:`~siteplan.maps.elements.FeatureLayer` of GeoJSON
features whose properties carry their Leaflet style and their tooltip, popup,
label or icon as HTML built here from escaped text only
(:func:`~siteplan.maps.escape.html_text`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from siteplan.analysis import Result
from siteplan.load._datum import geometries_from_wgs84
from siteplan.maps.elements import FeatureLayer
from siteplan.maps.escape import clean_text
from siteplan.render.palette import (
    COLOUR_SCALE,
    CONTEXT_COLOUR,
    FOCUS_OUTLINE,
    RING_COLOUR,
    SURFACE_SCALE,
)

__all__ = ["COLOUR_SCALE", "MAX_SURFACE_CELLS", "SURFACE_SCALE"]

MAX_SURFACE_CELLS: Final = 35_000
"""Above this many candidates, grid cells are drawn as blocks of k x k cells (each
coloured by its best eligible score) and parcels are not drawn, to keep maps light."""

_COORD_DECIMALS: Final = 6  # about 0.1 m
_NAME_LIMIT: Final = 80  # characters of a name shown in tooltips, labels and the layer control
_RING_COLOUR: Final = RING_COLOUR
_FOCUS_OUTLINE: Final = FOCUS_OUTLINE
_CONTEXT_COLOUR: Final = CONTEXT_COLOUR

Shift = Callable[[npt.NDArray[np.object_]], npt.NDArray[np.object_]]


# -- small formatters -------------------------------------------------------------------


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def _metres(value: Any) -> str:
    number = _number(value)
    return "—" if number is None else f"{number:,.0f} m"


def _short_distance(value: Any) -> str:
    number = _number(value)
    if number is None:
        return "—"
    return f"{number:,.0f} m" if number < 1000 else f"{number / 1000:,.2f} km"


def _amount(value: Any, unit: str) -> str:
    """Format a value in the measure's unit: metres as :func:`_metres`, minutes to 0.1."""
    if unit != "min":
        return _metres(value)
    number = _number(value)
    return "—" if number is None else f"{number:,.1f} min"


def _short_amount(value: Any, unit: str) -> str:
    """Format a value in the measure's unit: metres as :func:`_short_distance`, or minutes."""
    return _short_distance(value) if unit != "min" else _amount(value, unit)


def _score(value: Any) -> str:
    number = _number(value)
    return "—" if number is None else f"{number:.1f}"


def _text(row: pd.Series, column: str) -> str:
    return clean_text(row[column]) if column in row.index else ""


def _rows(pairs: Iterable[tuple[str, str]]) -> str:
    """Return table rows from (header, HTML cell) pairs, skipping empty cells."""
    return "".join(f"<tr><th>{head}</th><td>{cell}</td></tr>" for head, cell in pairs if cell)


# -- geometry -------------------------------------------------------------------------


def _shifter(datum: str) -> Shift:
    if datum == "wgs84":
        return lambda geoms: geoms
    return lambda geoms: geometries_from_wgs84(geoms, datum)


def _geometries(frame: gpd.GeoDataFrame, shift: Shift) -> npt.NDArray[np.object_]:
    geoms = np.asarray(frame.geometry.array, dtype=object)
    return shift(geoms)


def _round_coordinates(geoms: Any) -> Any:
    """Return the geometry (or array of them) with coordinates rounded to :data:`_COORD_DECIMALS`.

    ``np.round`` of each coordinate: an array is rounded in one call, with the
    same result as each geometry on its own.
    """
    return shapely.transform(geoms, lambda xy: np.round(xy, _COORD_DECIMALS))


def _middles(geoms: Any) -> tuple[Any, Any]:
    """Return which lines are drawn (neither missing nor empty) and their rounded middle points."""
    shown = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    middles = np.full(len(geoms), None, dtype=object)
    middles[shown] = shapely.line_interpolate_point(geoms[shown], 0.5, normalized=True)
    return shown, _round_coordinates(middles)


def _geojson_geometry(geom: Any, *, rounded: bool = False) -> dict[str, Any] | None:
    if geom is None or shapely.is_empty(geom):
        return None
    mapping: dict[str, Any] = shapely.geometry.mapping(
        geom if rounded else _round_coordinates(geom)
    )
    return mapping


def _feature(
    geom: Any,
    style: dict[str, Any],
    *,
    tooltip: str = "",
    popup: str = "",
    label: str = "",
    icon: str = "",
    rounded: bool = False,
) -> dict[str, Any] | None:
    """Return a GeoJSON feature (None for a missing or empty geometry).

    ``rounded``: the geometry's coordinates are rounded already (:func:`_round_coordinates`).
    """
    geometry = _geojson_geometry(geom, rounded=rounded)
    if geometry is None:
        return None
    properties: dict[str, Any] = {"style": style}
    if tooltip:
        properties["tooltip"] = tooltip
    if popup:
        properties["popup"] = popup
    if label:
        properties["label"] = label
    if icon:
        properties["icon"] = icon
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _layer(features: Iterable[dict[str, Any] | None]) -> FeatureLayer:
    return FeatureLayer([f for f in features if f is not None])


def _bounds(geoms: Sequence[Any]) -> list[list[float]] | None:
    valid = [g for g in geoms if g is not None and not shapely.is_empty(g)]
    if not valid:
        return None
    west, south, east, north = shapely.total_bounds(np.asarray(valid, dtype=object))
    return [[float(south), float(west)], [float(north), float(east)]]


def _names(result: Result) -> dict[str, str]:
    return {
        str(k): clean_text(v) for k, v in zip(result.sites["id"], result.sites["name"], strict=True)
    }


def _measure_words(result: Result) -> str:
    measure = result.parameters.measure
    if measure in ("network", "time"):
        mode = dict(result.parameters.network or {}).get("mode", "walk")
        what = "travel time" if measure == "time" else "distance"
        return f"{what} along the roads ({mode})"
    return "edge to edge" if measure == "edge" else "centroid to centroid"
