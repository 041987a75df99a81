"""Interactive Folium maps of a study's result, safe to open anywhere.

:func:`make_map` draws a :class:`~siteplan.analysis.Result` (nothing is
re-measured): site footprints coloured by score, each site's ring bands as a
layer that can be switched on (the focus site's are on at first), the pair
lines labelled with distance and score, and the study's boundary, context and
exclusion layers, with a legend, a layer control, a scale bar and notes
(schematic positions, datum shift, plugins left out). :func:`write_map` writes
it atomically.

With candidates (:func:`siteplan.candidates.api.score_candidates`), the map also
draws the scored surface (cells or parcels coloured by score on a canvas, with
its own legend), the picks as numbered markers whose popups give the per-site
breakdown, and the area each constraint excludes, hatched, one layer per
constraint. Clicking anywhere scores that point in the page (see
:mod:`siteplan.maps._clickscore`); :func:`score_locations` computes the same in Python.

Every string from the study (names, ids, sources, notes, layer file names,
the study name, a tile attribution) is escaped for where it lands; see
:mod:`siteplan.maps._mapkit`. Offline maps embed Leaflet from XStatic-Leaflet and
fetch nothing.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import branca.colormap
import folium
import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from branca.element import Figure
from pyproj import Geod

from siteplan._io import write_text
from siteplan.analysis import Result
from siteplan.candidates.locations import score_locations
from siteplan.errors import ParameterError
from siteplan.load._datum import geometries_from_wgs84, wgs84_to_gcj02
from siteplan.maps._clickscore import CLICK_JS, click_data
from siteplan.maps._mapkit import (
    HELPERS_JS,
    STYLE_CSS,
    ClickScore,
    FeatureLayer,
    Panel,
    Panes,
    RawHtml,
    SurfaceLayer,
    clean_text,
    html_text,
    leaflet_assets,
    leaflet_cdn,
    renumber,
    truncate,
)
from siteplan.maps._tiles import DEFAULT_TILES, TileChoice, resolve_tiles

if TYPE_CHECKING:
    from siteplan.candidates.result import CandidateResult

__all__ = [
    "COLOUR_SCALE",
    "DEFAULT_TILES",
    "MAX_SURFACE_CELLS",
    "SURFACE_SCALE",
    "make_map",
    "render_map",
    "score_locations",
    "write_map",
]

COLOUR_SCALE: Final = "viridis"
"""The named colour scale of site scores (0 to 100)."""
SURFACE_SCALE: Final = "YlOrRd_09"
"""The named colour scale of candidate scores (stretched from the lowest to the highest
eligible score)."""
MAX_SURFACE_CELLS: Final = 35_000
"""Above this many candidates, grid cells are drawn as blocks of k x k cells (each
coloured by its best eligible score) and parcels are not drawn, to keep maps light."""

_COORD_DECIMALS: Final = 6  # about 0.1 m
_NAME_LIMIT: Final = 80  # characters of a name shown in tooltips, labels and the layer control
_PANES: Final = (
    ("siteplan-boundary", 350),
    ("siteplan-rings", 360),
    ("siteplan-exclusions", 370),
    ("siteplan-pairs", 410),
    ("siteplan-sites", 420),
    ("siteplan-context", 430),
    ("siteplan-labels", 640),
)
_CANDIDATE_PANES: Final = (
    ("siteplan-surface", 330),
    ("siteplan-excluded", 345),
    ("siteplan-picks", 645),
)
_SURFACE_COLOURS: Final = 64
_HATCH_COLOURS: Final = {
    "outside_boundary": "#636363",
    "inside_site": "#252525",
    "exclusion": "#b2182b",
    "setback": "#e6550d",
    "within": "#6a51a3",
    "beyond": "#3182bd",
}
_RING_FILL: Final = (0.22, 0.15, 0.10, 0.06)
_RING_COLOUR: Final = "#2c7fb8"
_FOCUS_OUTLINE: Final = "#d7301f"
_NO_SCORE: Final = "#bdbdbd"
_CONTEXT_COLOUR: Final = "#e41a1c"
_EXCLUSION_COLOUR: Final = "#b2182b"
_SKIP_PROPERTIES: Final = frozenset({"geometry", "weight", "layer"})
_GEOD: Final = Geod(ellps="WGS84")

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


def _geojson_geometry(geom: Any) -> dict[str, Any] | None:
    if geom is None or shapely.is_empty(geom):
        return None
    rounded = shapely.transform(geom, lambda xy: np.round(xy, _COORD_DECIMALS))
    mapping: dict[str, Any] = shapely.geometry.mapping(rounded)
    return mapping


def _feature(
    geom: Any,
    style: dict[str, Any],
    *,
    tooltip: str = "",
    popup: str = "",
    label: str = "",
    icon: str = "",
) -> dict[str, Any] | None:
    geometry = _geojson_geometry(geom)
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


# -- popups and tooltips (HTML built from escaped text only) ----------------------------


def _names(result: Result) -> dict[str, str]:
    return {
        str(k): clean_text(v) for k, v in zip(result.sites["id"], result.sites["name"], strict=True)
    }


def _site_tooltip(row: pd.Series, total: int, focus: bool) -> str:
    name = html_text(truncate(_text(row, "name"), _NAME_LIMIT))
    zh = html_text(truncate(_text(row, "name_zh"), _NAME_LIMIT))
    lines = [f"<b>{name}</b>" + (f" {zh}" if zh else "") + (" (focus)" if focus else "")]
    lines.append(f"score {_score(row['score'])} · rank {int(row['rank'])} of {total}")
    return "<br>".join(lines)


def _site_popup(row: pd.Series, result: Result, names: dict[str, str]) -> str:
    total = len(result.sites)
    nearest_id = _text(row, "nearest_id")
    nearest = ""
    if nearest_id:
        nearest = (
            f"{html_text(names.get(nearest_id, nearest_id))} ({html_text(nearest_id)}), "
            f"{_metres(row['nearest_m'])} {html_text(_measure_words(result))}"
        )
    accuracy = _number(row["accuracy_m"]) if "accuracy_m" in row.index else None
    accuracy_text = (
        f"±{accuracy:,.0f} m" if accuracy is not None else html_text(_text(row, "accuracy_m"))
    )
    placement = ", ".join(p for p in (html_text(_text(row, "placement")), accuracy_text) if p)
    body = _rows(
        [
            ("Score", f"{_score(row['score'])} (rank {int(row['rank'])} of {total})"),
            ("Nearest", nearest),
            ("Area", _metres(row["area_m2"]).replace(" m", " m²")),
            ("Placement", placement),
            ("Address", html_text(_text(row, "address"))),
            ("Source", html_text(_text(row, "source"))),
            ("Notes", html_text(_text(row, "notes"))),
            ("Id", html_text(_text(row, "id"))),
            ("Layer", html_text(_text(row, "layer"))),
        ]
    )
    zh = html_text(_text(row, "name_zh"))
    return (
        '<div class="siteplan-info">'
        f'<div class="siteplan-name">{html_text(_text(row, "name"))}</div>'
        + (f'<div lang="zh">{zh}</div>' if zh else "")
        + f"<table>{body}</table></div>"
    )


def _properties_popup(row: pd.Series) -> str:
    """Return a popup listing a context/boundary feature's properties (keys escaped too)."""
    zh = html_text(_text(row, "name_zh"))
    cells = []
    for column in row.index:
        if column in _SKIP_PROPERTIES or column in {"name", "name_zh"}:
            continue
        value = row[column]
        if isinstance(value, (list, dict, tuple, np.ndarray)):
            value = str(value)
        text = clean_text(value)
        if text:
            cells.append((html_text(column), html_text(text)))
    return (
        '<div class="siteplan-info">'
        f'<div class="siteplan-name">{html_text(_text(row, "name"))}</div>'
        + (f'<div lang="zh">{zh}</div>' if zh else "")
        + f"<table>{_rows(cells)}</table></div>"
    )


def _feature_tooltip(row: pd.Series) -> str:
    name = html_text(truncate(_text(row, "name"), _NAME_LIMIT))
    zh = html_text(truncate(_text(row, "name_zh"), _NAME_LIMIT))
    return f"<b>{name}</b>" + (f" {zh}" if zh else "")


def _measure_words(result: Result) -> str:
    return "edge to edge" if result.parameters.measure == "edge" else "centroid to centroid"


def _pair_text(row: pd.Series, names: dict[str, str]) -> str:
    name_a = html_text(truncate(names.get(str(row["a"]), clean_text(row["a"])), _NAME_LIMIT))
    name_b = html_text(truncate(names.get(str(row["b"]), clean_text(row["b"])), _NAME_LIMIT))
    ring = _number(row["ring_m"])
    ring_text = f"within the {ring:,.0f} m ring" if ring is not None else "beyond the last ring"
    return (
        f"<b>{name_a}</b> ↔ <b>{name_b}</b><br>"
        f"edge {_metres(row['edge_m'])} · centroid {_metres(row['centroid_m'])} · "
        f"geodesic {_metres(row['geodesic_m'])}<br>"
        f"{ring_text} · pair score {_score(row['score'])}"
    )


# -- layers ---------------------------------------------------------------------------


def _colour(scale: branca.colormap.LinearColormap, score: Any) -> str:
    number = _number(score)
    return _NO_SCORE if number is None else str(scale.rgb_hex_str(min(max(number, 0.0), 100.0)))


def _focus_id(result: Result) -> str | None:
    if result.study.focus is not None:
        return result.study.focus
    return str(result.sites["id"].iloc[0]) if len(result.sites) else None


def _site_group(
    result: Result, shift: Shift, scale: branca.colormap.LinearColormap, focus: str | None
) -> folium.FeatureGroup:
    sites = result.sites
    names = _names(result)
    group = folium.FeatureGroup(name="Sites (coloured by score)", overlay=True, show=True)
    geoms = _geometries(sites, shift)
    features = []
    for i, (_, row) in enumerate(sites.iterrows()):
        is_focus = str(row["id"]) == focus
        style = {
            "pane": "siteplan-sites",
            "className": "siteplan-site",
            "color": _FOCUS_OUTLINE if is_focus else "#252525",
            "weight": 3 if is_focus else 1.5,
            "fillColor": _colour(scale, row["score"]),
            "fillOpacity": 0.8,
            "radius": 9,
        }
        features.append(
            _feature(
                geoms[i],
                style,
                tooltip=_site_tooltip(row, len(sites), is_focus),
                popup=_site_popup(row, result, names),
            )
        )
    group.add_child(_layer(features))
    return group


def _ring_groups(result: Result, shift: Shift, focus: str | None) -> list[folium.FeatureGroup]:
    names = _names(result)
    rings = result.rings
    geoms = _geometries(rings, shift)
    reach = result.reach.groupby(["site_id", "ring_m"])["other_id"].agg(list)
    radii = list(result.parameters.rings_m)
    order = [str(i) for i in result.sites["id"]]
    if focus in order:
        order.remove(focus)
        order.insert(0, focus)
    # The layer control keys its entries by name: sites that share a name get their id added.
    shared = {n for n, count in Counter(names.get(i, i) for i in order).items() if count > 1}
    groups = []
    for site_id in order:
        name = names.get(site_id, site_id)
        if name in shared:
            name = f"{clean_text(site_id)}: {name}"
        group = folium.FeatureGroup(
            name=f"Rings: {html_text(truncate(name, _NAME_LIMIT))}",
            overlay=True,
            show=site_id == focus,
        )
        features = []
        for index in np.flatnonzero((rings["site_id"] == site_id).to_numpy()):
            row = rings.iloc[index]
            k = radii.index(float(row["ring_m"])) if float(row["ring_m"]) in radii else 0
            others = reach.get((site_id, row["ring_m"]), [])
            reached = ", ".join(html_text(names.get(str(o), clean_text(o))) for o in others)
            tooltip = (
                f"{_metres(row['inner_m'])} to {_metres(row['ring_m'])} around "
                f"<b>{html_text(truncate(name, _NAME_LIMIT))}</b><br>"
                f"reaches: {reached or 'no other site'}"
            )
            style = {
                "pane": "siteplan-rings",
                "className": "siteplan-ring",
                "color": _RING_COLOUR,
                "weight": 1,
                "dashArray": "4 4",
                "fillColor": _RING_COLOUR,
                "fillOpacity": _RING_FILL[min(k, len(_RING_FILL) - 1)],
            }
            features.append(_feature(geoms[index], style, tooltip=tooltip))
        group.add_child(_layer(features))
        groups.append(group)
    return groups


def _pair_group(result: Result, shift: Shift) -> folium.FeatureGroup:
    names = _names(result)
    pairs = result.pairs
    geoms = _geometries(pairs, shift)
    group = folium.FeatureGroup(name="Site pairs (distance · score)", overlay=True, show=True)
    lines, labels = [], []
    for i, (_, row) in enumerate(pairs.iterrows()):
        text = _pair_text(row, names)
        lines.append(
            _feature(
                geoms[i],
                {
                    "pane": "siteplan-pairs",
                    "className": "siteplan-pair",
                    "color": "#3a3a3a",
                    "weight": 2.5,
                    "opacity": 0.9,
                    "dashArray": "6 4",
                },
                tooltip=text,
            )
        )
        geom = geoms[i]
        if geom is not None and not shapely.is_empty(geom):
            middle = shapely.line_interpolate_point(geom, 0.5, normalized=True)
            label = (
                f"<span>{html_text(_short_distance(row['distance_m']))} · "
                f"{html_text(_score(row['score']))}</span>"
            )
            labels.append(
                _feature(
                    middle,
                    {"pane": "siteplan-labels", "className": "siteplan-pair-label"},
                    label=label,
                )
            )
    group.add_child(_layer(lines))
    group.add_child(_layer(labels))
    return group


def _role_groups(
    frame: gpd.GeoDataFrame | None, role: str, shift: Shift
) -> list[folium.FeatureGroup]:
    if frame is None or frame.empty:
        return []
    styles = {
        "boundary": {
            "pane": "siteplan-boundary",
            "className": "siteplan-boundary",
            "color": "#4d4d4d",
            "weight": 2.5,
            "dashArray": "10 6",
            "fill": False,
        },
        "context": {
            "pane": "siteplan-context",
            "className": "siteplan-context",
            "color": "#ffffff",
            "weight": 2,
            "fillColor": _CONTEXT_COLOUR,
            "fillOpacity": 1.0,
            "radius": 6,
        },
        "exclusion": {
            "pane": "siteplan-exclusions",
            "className": "siteplan-exclusion",
            "color": _EXCLUSION_COLOUR,
            "weight": 1.5,
            "fillColor": _EXCLUSION_COLOUR,
            "fillOpacity": 0.25,
        },
    }
    titles = {"boundary": "Boundary", "context": "Context", "exclusion": "Exclusions"}
    geoms = _geometries(frame, shift)
    layer_names = (
        frame["layer"].astype(str)
        if "layer" in frame.columns
        else pd.Series(role, index=frame.index, dtype=object)
    )
    groups = []
    for layer_name in dict.fromkeys(layer_names):
        rows = np.flatnonzero((layer_names == layer_name).to_numpy())
        group = folium.FeatureGroup(
            name=f"{titles[role]}: {html_text(truncate(clean_text(layer_name), _NAME_LIMIT))}",
            overlay=True,
            show=True,
        )
        features = []
        for index in rows:
            row = frame.iloc[index]
            style = dict(styles[role])
            if role == "context" and shapely.get_type_id(geoms[index]) not in (0, 4):
                style.update(color=_CONTEXT_COLOUR, fillOpacity=0.3)
            features.append(
                _feature(
                    geoms[index],
                    style,
                    tooltip=_feature_tooltip(row),
                    popup=_properties_popup(row),
                )
            )
        group.add_child(_layer(features))
        groups.append(group)
    return groups


# -- candidates -----------------------------------------------------------------------


def _shift_lonlat(
    lon: npt.NDArray[np.float64], lat: npt.NDArray[np.float64], datum: str
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    if datum == "wgs84":
        return lon, lat
    return wgs84_to_gcj02(lon, lat)


def _palette() -> list[str]:
    scale = getattr(branca.colormap.linear, SURFACE_SCALE).scale(0, 1)
    return [str(scale.rgb_hex_str(v)) for v in np.linspace(0, 1, _SURFACE_COLOURS)]


def _score_range(cres: CandidateResult) -> tuple[float, float]:
    """Return the surface colour scale's range: the eligible candidates' scores (else all)."""
    finite = np.isfinite(cres.score)
    for chosen in (cres.eligible & finite, finite):
        if chosen.any():
            return float(cres.score[chosen].min()), float(cres.score[chosen].max())
    return 0.0, 100.0


def _finite(values: npt.ArrayLike, decimals: int = 4) -> list[float]:
    arr = np.asarray(values, dtype=float)
    rounded = np.round(np.nan_to_num(arr, nan=0.0, posinf=0.0, neginf=0.0), decimals)
    return [float(v) for v in rounded]


def _block_factor(cres: CandidateResult) -> int:
    return max(1, math.ceil(math.sqrt(len(cres) / MAX_SURFACE_CELLS)))


def _offsets(values: npt.NDArray[np.float64], name: str) -> dict[str, Any]:
    """Encode coordinates as ``<name>0`` plus whole millionths of a degree (half the bytes)."""
    micro = np.round(np.asarray(values, dtype=float) * 10**_COORD_DECIMALS).astype(np.int64)
    base = int(micro.min()) if len(micro) else 0
    return {f"{name}0": base, f"d{name}": (micro - base).tolist()}


def _grid_surface(cres: CandidateResult, datum: str) -> dict[str, Any]:
    """Return the grid as a lattice of cell corners (WGS84) and each candidate's corner."""
    from pyproj import Transformer

    grid = cres.grid
    assert grid is not None
    assert cres.row is not None
    assert cres.col is not None
    k = _block_factor(cres)
    col_edges = np.unique(np.r_[np.arange(0, grid.cols, k), grid.cols])
    row_edges = np.unique(np.r_[np.arange(0, grid.rows, k), grid.rows])
    if k == 1:
        rows, cols = cres.row, cres.col
        score, code, picks = cres.score, cres.excluded_code, cres.pick_index.tolist()
    else:
        block_cols = len(col_edges) - 1
        keys, inverse = np.unique((cres.row // k) * block_cols + cres.col // k, return_inverse=True)
        best = np.full(len(keys), -np.inf)
        np.maximum.at(best, inverse, np.where(cres.eligible, cres.score, -np.inf))
        best_any = np.full(len(keys), -np.inf)
        np.maximum.at(best_any, inverse, cres.score)
        first = np.full(len(keys), np.iinfo(np.intp).max, dtype=np.intp)
        np.minimum.at(first, inverse, cres.excluded_code)
        eligible = np.isfinite(best)
        score = np.where(eligible, best, best_any)
        code = np.where(eligible, -1, first)
        rows, cols = np.divmod(keys, block_cols)
        picks = []
    x, y = np.meshgrid(grid.x0 + col_edges * grid.cell_m, grid.y0 + row_edges * grid.cell_m)
    lon, lat = Transformer.from_crs(cres.result.crs, "EPSG:4326", always_xy=True).transform(
        x.ravel(), y.ravel()
    )
    lon, lat = _shift_lonlat(np.asarray(lon), np.asarray(lat), datum)
    stride = len(col_edges)
    return {
        "grid": {**_offsets(lon, "lon"), **_offsets(lat, "lat"), "stride": stride},
        "cells": (np.asarray(rows) * stride + np.asarray(cols)).astype(int).tolist(),
        "idWidth": len(str(max(grid.rows, grid.cols) - 1)),
        "score": _finite(score),
        "code": np.asarray(code).astype(int).tolist(),
        "picks": [int(i) for i in picks],
        "block": k,
    }


def _flat_rings(polygon: Any) -> list[list[float]]:
    return [
        np.round(shapely.get_coordinates(ring), _COORD_DECIMALS).ravel().tolist()
        for ring in shapely.get_rings(polygon)
    ]


def _parcel_surface(cres: CandidateResult, shift: Shift) -> dict[str, Any] | None:
    """Parcels as polygons of flat lon/lat rings (points as one-point rings)."""
    assert cres.parcels is not None
    if len(cres) > MAX_SURFACE_CELLS:
        return None
    geoms = shift(np.asarray(cres.parcels.array, dtype=object))
    shapes: list[list[list[list[float]]]] = []
    for geom in geoms:
        if shapely.get_type_id(geom) in (0, 4):  # points: where they are measured from
            point = np.round(shapely.get_coordinates(shapely.centroid(geom))[0], _COORD_DECIMALS)
            shapes.append([[point.tolist()]])
        else:
            parts = shapely.get_parts(geom)
            shapes.append([_flat_rings(part) for part in parts if part.geom_type == "Polygon"])
    assert cres.parcel_ids is not None
    return {
        "shapes": shapes,
        "ids": list(cres.parcel_ids),
        "score": _finite(cres.score),
        "code": cres.excluded_code.astype(int).tolist(),
        "picks": cres.pick_index.astype(int).tolist(),
        "block": 1,
    }


def _surface_layer(
    cres: CandidateResult, datum: str, shift: Shift
) -> tuple[folium.FeatureGroup | None, SurfaceLayer | None]:
    data = _grid_surface(cres, datum) if cres.grid is not None else _parcel_surface(cres, shift)
    if data is None:
        return None, None
    lo, hi = _score_range(cres)
    data.update(
        pane="siteplan-surface",
        palette=_palette(),
        lo=lo,
        hi=hi,
        constraints=[c.name for c in cres.constraints],
    )
    group = folium.FeatureGroup(name="Candidate scores (surface)", overlay=True, show=True)
    surface = SurfaceLayer(data)
    group.add_child(surface)
    return group, surface


def _pick_popup(cres: CandidateResult, i: int, names: dict[str, str], measure: str) -> str:
    picks = cres.picks
    row = picks.iloc[i]
    nearest = str(row["nearest_id"])
    body = _rows(
        [
            ("Score", f"{_score(row['score'])} (pick {int(row['rank'])} of {len(picks)})"),
            ("Candidate", f"{html_text(row['id'])}, measured from its centre"),
            ("Position", f"{float(row['lat']):.6f}, {float(row['lon']):.6f} (WGS84)"),
            (
                "Nearest",
                f"{html_text(names.get(nearest, nearest))} ({html_text(nearest)}), "
                f"{_metres(row['nearest_m'])} {html_text(measure)}",
            ),
        ]
    )
    weights = dict(zip(cres.site_ids, cres.site_weights.tolist(), strict=True))
    lines = "".join(
        f"<tr><td>{html_text(truncate(names.get(sid, sid), _NAME_LIMIT))}</td>"
        f"<td>{_metres(cres.pick_distances[i, j])}</td>"
        f"<td>{_score(cres.pick_breakdown[i, j])}</td><td>{weights[sid]:g}</td></tr>"
        for j, sid in enumerate(cres.site_ids)
    )
    return (
        '<div class="siteplan-info">'
        f'<div class="siteplan-name">Pick {int(row["rank"])}: score {_score(row["score"])}</div>'
        f"<table>{body}</table>"
        "<table><tr><th>Site</th><th>Distance</th><th>Score</th><th>Weight</th></tr>"
        f"{lines}</table></div>"
    )


def _pick_group(cres: CandidateResult, datum: str, names: dict[str, str]) -> folium.FeatureGroup:
    picks = cres.picks
    lon, lat = _shift_lonlat(picks["lon"].to_numpy(), picks["lat"].to_numpy(), datum)
    measure = "edge to edge" if cres.measure == "edge" else "centroid to centroid"
    features = []
    for i in range(len(picks)):
        rank = int(picks["rank"].iloc[i])
        features.append(
            _feature(
                shapely.Point(float(lon[i]), float(lat[i])),
                {"pane": "siteplan-picks", "className": "siteplan-pick"},
                tooltip=f"<b>Pick {rank}</b>: score {_score(picks['score'].iloc[i])}",
                popup=_pick_popup(cres, i, names, measure),
                icon=f"<span>{rank}</span>",
            )
        )
    group = folium.FeatureGroup(name="Candidate picks (numbered)", overlay=True, show=True)
    group.add_child(_layer(features))
    return group


def _excluded_tooltip(row: pd.Series) -> str:
    lines = [
        f"<b>Excluded: {html_text(truncate(clean_text(row['name']), _NAME_LIMIT))}</b>",
        html_text(clean_text(row["rule"])),
    ]
    for label, column in (("Note", "note"), ("Source", "source")):
        text = clean_text(row[column])
        if text:
            lines.append(f"{label}: {html_text(text)}")
    lines.append(f"{int(row['excluded']):,} candidates excluded")
    return "<br>".join(lines)


def _excluded_groups(cres: CandidateResult, shift: Shift) -> list[folium.FeatureGroup]:
    areas = cres.constraint_areas()
    geoms = _geometries(areas, shift)
    groups = []
    for i in range(len(areas)):
        row = areas.iloc[i]
        kind = str(row["kind"]) if str(row["kind"]) in _HATCH_COLOURS else "exclusion"
        style = {
            "pane": "siteplan-excluded",
            "className": f"siteplan-excluded siteplan-excluded-{kind}",
            "color": _HATCH_COLOURS[kind],
            "weight": 1,
            "opacity": 0.8,
            "fillColor": f"url(#siteplan-hatch-{kind})",
            "fillOpacity": 1.0,
        }
        name = html_text(truncate(clean_text(row["name"]), _NAME_LIMIT))
        group = folium.FeatureGroup(
            name=f"Excluded: {name} ({int(row['excluded']):,})", overlay=True, show=True
        )
        group.add_child(_layer([_feature(geoms[i], style, tooltip=_excluded_tooltip(row))]))
        groups.append(group)
    return groups


def _candidate_legend(cres: CandidateResult, drawn: bool) -> str:
    lo, hi = _score_range(cres)
    palette = _palette()
    stops = ", ".join([*palette[:: max(1, len(palette) // 10)], palette[-1]])
    p = cres.parameters
    unit = f"{p['cell_m']:g} m cells" if cres.grid is not None else "parcels"
    ramp = (
        f'<div class="siteplan-ramp" style="background: linear-gradient(to right, {stops})">'
        "</div>"
        f'<div class="siteplan-ticks"><span>{lo:.1f}</span><span>{(lo + hi) / 2:.1f}</span>'
        f"<span>{hi:.1f}</span></div>"
        if drawn
        else "<p>(the surface is not drawn: too many parcels)</p>"
    )
    return (
        "<hr>"
        f"<b>Candidate score</b> ({html_text(unit)}, colour scale: {SURFACE_SCALE})"
        f"{ramp}"
        '<p><span class="siteplan-key siteplan-pick-key">1</span>'
        f"top picks ({len(cres.pick_index)}), at least {p['min_separation_m']:g} m apart</p>"
        '<p><span class="siteplan-key" style="background: repeating-linear-gradient('
        '45deg, #636363 0 2px, transparent 2px 5px)"></span>excluded by a constraint '
        "(one layer each)</p>"
    )


def _candidate_notes(cres: CandidateResult, drawn: bool) -> list[str]:
    own = cres.caveat.removeprefix(cres.result.caveat).strip()
    notes = [f"<b>Candidates.</b> {html_text(own)}"]
    k = _block_factor(cres) if cres.grid is not None else 1
    if cres.grid is not None and k > 1:
        notes.append(
            f"<b>Surface drawn in blocks.</b> {len(cres):,} cells are more than a map can "
            f"hold ({MAX_SURFACE_CELLS:,}): each block of up to {k} by {k} cells shows its best "
            "eligible score. Every cell was scored; export them with -f gpkg."
        )
    if not drawn:
        notes.append(
            f"<b>Surface not drawn.</b> {len(cres):,} parcels are more than a map can hold "
            f"({MAX_SURFACE_CELLS:,}); the picks and excluded areas are drawn. Export the "
            "scored parcels with -f gpkg."
        )
    return notes


def _candidate_extent(cres: CandidateResult) -> list[Any]:
    """WGS84 geometries covering the candidates (the grid's corners, or the parcels)."""
    if cres.grid is None:
        assert cres.parcels is not None
        return list(np.asarray(cres.parcels.array, dtype=object))
    from pyproj import Transformer

    g = cres.grid
    x = np.array([g.x0, g.x0 + g.cols * g.cell_m, g.x0 + g.cols * g.cell_m, g.x0])
    y = np.array([g.y0, g.y0, g.y0 + g.rows * g.cell_m, g.y0 + g.rows * g.cell_m])
    lon, lat = Transformer.from_crs(cres.result.crs, "EPSG:4326", always_xy=True).transform(x, y)
    return [shapely.multipoints(np.column_stack([lon, lat]))]


def _check_candidates(result: Result, candidates: CandidateResult | None) -> None:
    if candidates is not None and candidates.result is not result:
        raise ParameterError(
            "candidates: they were scored on another analysis than the map's result; draw "
            "them with make_map(cres.result, candidates=cres)"
        )


# -- panels ---------------------------------------------------------------------------


def _title_panel(
    result: Result, candidates: CandidateResult | None = None, click_score: bool = False
) -> Panel:
    body = (
        f"<h1>{html_text(result.name)}</h1>"
        f"<div>{len(result.sites)} sites · cluster score {_score(result.cluster_score)} · "
        f"measured in {html_text(result.crs_name)}</div>"
    )
    if candidates is not None:
        body += (
            f"<div>Top {len(candidates.pick_index)} picks of "
            f"{int(candidates.eligible.sum()):,} eligible candidates</div>"
        )
    if click_score:
        body += "<div>Click the map to score any point.</div>"
    return Panel(body, css_class="siteplan-title", position="topright")


def _legend_panel(result: Result, scale: branca.colormap.LinearColormap, extra: str = "") -> Panel:
    stops = ", ".join(str(scale.rgb_hex_str(v)) for v in np.linspace(0, 100, 11))
    rings = " / ".join(f"{r:,.0f}" for r in result.parameters.rings_m)
    params = result.parameters
    decay = html_text(params.decay.kind)
    body = (
        f"<b>Site score</b> (0 to 100, colour scale: {COLOUR_SCALE})"
        f'<div class="siteplan-ramp" style="background: linear-gradient(to right, {stops})">'
        "</div>"
        '<div class="siteplan-ticks"><span>0</span><span>25</span><span>50</span>'
        "<span>75</span><span>100</span></div>"
        f'<p><span class="siteplan-key" style="border: 3px solid {_FOCUS_OUTLINE}"></span>'
        "focus site</p>"
        f'<p><span class="siteplan-key" style="background: {_RING_COLOUR}; opacity: 0.4">'
        f"</span>ring bands: {html_text(rings)} m</p>"
        '<p><span class="siteplan-key" style="border-top: 2px dashed #3a3a3a; height: 0">'
        "</span>site pairs, labelled distance · pair score</p>"
        '<p><span class="siteplan-key" style="border-top: 2px dashed #4d4d4d; height: 0">'
        "</span>boundary</p>"
        f'<p><span class="siteplan-key" style="background: {_CONTEXT_COLOUR}; '
        'border-radius: 50%; width: 10px"></span>context</p>'
        f"<p>Distances {html_text(_measure_words(result))}; scores: {decay} decay</p>"
        f"{extra}"
    )
    return Panel(body, css_class="siteplan-legend", position="bottomright")


def _shift_metres(bounds: list[list[float]] | None, datum: str) -> float:
    if bounds is None or datum == "wgs84":
        return 0.0
    lat = (bounds[0][0] + bounds[1][0]) / 2
    lon = (bounds[0][1] + bounds[1][1]) / 2
    moved = geometries_from_wgs84(np.asarray([shapely.Point(lon, lat)], dtype=object), datum)[0]
    _, _, dist = _GEOD.inv(lon, lat, moved.x, moved.y)
    return float(dist)


def _notes(
    result: Result,
    tiles: TileChoice | None,
    offline: bool,
    shift_m: float,
) -> list[str]:
    notes = []
    if result.schematic:
        notes.append(f"<b>Schematic positions.</b> {html_text(result.caveat)}")
    if tiles is not None and tiles.datum == "gcj02":
        notes.append(
            f"<b>Shifted to GCJ-02.</b> The overlays are drawn about {shift_m:,.0f} m from "
            f"their WGS84 positions so that they sit on {html_text(tiles.name)} tiles, which "
            "use China's GCJ-02 datum. Distances and scores were measured before the shift."
        )
    if offline:
        notes.append(
            "<b>Offline map.</b> The measure tool, fullscreen button and minimap were left "
            "out: their code is only published on CDNs."
        )
    return notes


# -- the map --------------------------------------------------------------------------


def _figure(fmap: folium.Map) -> Figure:
    figure = fmap.get_root()
    assert isinstance(figure, Figure)
    return figure


def _add_assets(fmap: folium.Map, offline: bool) -> None:
    header = _figure(fmap).header
    if offline:
        script, css = leaflet_assets()
        fmap.default_js = []
        fmap.default_css = []
        header.add_child(RawHtml(f"<style>{css}</style>"), name="siteplan_leaflet_css")
        header.add_child(RawHtml(f"<script>{script}</script>"), name="siteplan_leaflet_js")
    else:
        js, css_link = leaflet_cdn()
        fmap.default_js = [js]
        fmap.default_css = [css_link]
    header.add_child(RawHtml(f"<style>{STYLE_CSS}</style>"), name="siteplan_css")
    header.add_child(RawHtml(f"<script>{HELPERS_JS}{CLICK_JS}</script>"), name="siteplan_js")


def _tile_layer(tiles: TileChoice, name: str | None = None) -> folium.TileLayer:
    # Leaflet keys attributions by their HTML in a plain object, which cannot hold the key
    # "__proto__" (the credit would vanish); an entity shows the same text.
    attribution = "&#95;_proto__" if tiles.attribution == "__proto__" else tiles.attribution
    return folium.TileLayer(
        tiles=tiles.url,
        attr=attribution,
        name=name if name is not None else f"Tiles: {html_text(tiles.name)}",
        subdomains=tiles.subdomains,
        max_zoom=tiles.max_zoom,
    )


def _add_plugins(fmap: folium.Map, tiles: TileChoice | None) -> None:
    # imported here: the plugins cost ~80 ms of start-up and offline maps leave them out
    import folium.plugins

    folium.plugins.MeasureControl(  # type: ignore[no-untyped-call]
        position="topleft",
        primary_length_unit="meters",
        secondary_length_unit="kilometers",
        primary_area_unit="sqmeters",
        secondary_area_unit="hectares",
    ).add_to(fmap)
    folium.plugins.Fullscreen(position="topleft").add_to(fmap)  # type: ignore[no-untyped-call]
    if tiles is not None:
        folium.plugins.MiniMap(  # type: ignore[no-untyped-call]
            tile_layer=_tile_layer(tiles, name="minimap"), toggle_display=True
        ).add_to(fmap)


def make_map(
    result: Result,
    *,
    candidates: CandidateResult | None = None,
    click_score: bool = True,
    tiles: str | None = DEFAULT_TILES,
    offline: bool = False,
    attribution: str | None = None,
    tiles_datum: str | None = None,
) -> folium.Map:
    """Draw a result as an interactive Folium map.

    Parameters
    ----------
    result
        The analysis to draw (from :func:`siteplan.analyze`).
    candidates
        Scored candidates of this result (:func:`siteplan.score_candidates`): adds
        the scored surface (coloured by score on :data:`SURFACE_SCALE`, with its
        legend), the picks as numbered markers with their per-site breakdown, and
        one hatched layer per constraint showing the area it excludes.
    click_score
        Clicking anywhere on the map opens a popup with that point's score and
        its distance to each site, computed in the page with the study's decay,
        weights and measure (the same numbers as :func:`score_locations`; with
        candidates, also the candidate under the click). Needs no network.
    tiles
        ``"default"`` (OpenStreetMap online, none offline), ``"none"`` or
        None, a provider name (``"OpenStreetMap"``, ``"OpenTopoMap"``,
        ``"Esri.WorldImagery"``, ``"amap"``, ...), or an http(s) URL template
        with ``{z}``, ``{x}``, ``{y}``. Amap/Gaode tiles (the name, or a URL on
        autonavi.com / amap.com) are drawn in GCJ-02, so every overlay is
        shifted to GCJ-02 to line up with them; Baidu tiles are refused.
    offline
        Embed Leaflet's JavaScript and CSS (from XStatic-Leaflet) so the file
        renders with no network; plugins whose code is only on CDNs (measure,
        fullscreen, minimap) are left out and a note says so.
    attribution
        Credit for a URL template's tiles (plain text; default ``Map tiles: HOST``).
    tiles_datum
        ``"wgs84"`` or ``"gcj02"``: the datum of the tiles when their URL does
        not tell (e.g. an intranet mirror of Amap tiles).

    Returns
    -------
    folium.Map
        The map; its ids are deterministic, so rendering it twice (or two maps
        of the same result) gives identical HTML.

    Raises
    ------
    ParameterError
        For an unknown tile name, a malformed URL template, Baidu tiles, a
        named provider in an offline map, or candidates scored on another result.

    Examples
    --------
    >>> from siteplan import analyze
    >>> fmap = make_map(analyze(), offline=True)
    >>> html = fmap.get_root().render()
    >>> "siteplan-site" in html and "cdn.jsdelivr" not in html
    True
    """
    _check_candidates(result, candidates)
    choice = resolve_tiles(tiles, offline=offline, attribution=attribution, datum=tiles_datum)
    datum = choice.datum if choice is not None else "wgs84"
    shift = _shifter(datum)
    frames = [result.sites] + [
        f for f in (result.data.boundary, result.data.exclusions) if f is not None
    ]
    extent = [g for frame in frames for g in _geometries(frame, shift)]
    if candidates is not None and candidates.parcels is not None:
        extent += list(_geometries(gpd.GeoDataFrame(geometry=candidates.parcels), shift))
    bounds = _bounds(extent)
    centre = (
        [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
        if bounds is not None
        else [0.0, 0.0]
    )
    fmap = folium.Map(
        location=centre, zoom_start=13, tiles=None, control_scale=True, font_size="0.75rem"
    )
    _figure(fmap).title = html_text(result.name)
    _add_assets(fmap, offline)
    Panes(_PANES + (_CANDIDATE_PANES if candidates is not None else ())).add_to(fmap)
    if choice is not None:
        _tile_layer(choice).add_to(fmap)

    scale = getattr(branca.colormap.linear, COLOUR_SCALE).scale(0, 100)
    focus = _focus_id(result)
    # The layer control lists overlays in this order; panes set the drawing order.
    _site_group(result, shift, scale, focus).add_to(fmap)
    _pair_group(result, shift).add_to(fmap)
    surface: SurfaceLayer | None = None
    legend_extra = ""
    if candidates is not None:
        _pick_group(candidates, datum, _names(result)).add_to(fmap)
        surface_group, surface = _surface_layer(candidates, datum, shift)
        if surface_group is not None:
            surface_group.add_to(fmap)
        for group in _excluded_groups(candidates, shift):
            group.add_to(fmap)
        legend_extra = _candidate_legend(candidates, surface is not None)
    for group in _ring_groups(result, shift, focus):
        group.add_to(fmap)
    for role, frame in (
        ("boundary", result.data.boundary),
        ("exclusion", result.data.exclusions),
        ("context", result.data.context),
    ):
        for group in _role_groups(frame, role, shift):
            group.add_to(fmap)

    if click_score:
        area = [] if candidates is None else _candidate_extent(candidates)
        ClickScore(
            click_data(result, datum=datum, extra=area),
            result.parameters.decay.to_js(),
            surface,
        ).add_to(fmap)
    _title_panel(result, candidates, click_score).add_to(fmap)
    notes = _notes(result, choice, offline, _shift_metres(bounds, datum))
    if candidates is not None:
        notes += _candidate_notes(candidates, surface is not None)
    if notes:
        body = "".join(f"<p>{note}</p>" for note in notes)
        Panel(body, css_class="siteplan-note", position="bottomleft").add_to(fmap)
    _legend_panel(result, scale, legend_extra).add_to(fmap)
    if not offline:
        _add_plugins(fmap, choice)
    folium.LayerControl(position="topright", collapsed=True).add_to(fmap)
    if bounds is not None:
        fmap.fit_bounds(bounds, padding=(12, 12))
    renumber(fmap.get_root())
    return fmap


def render_map(fmap: folium.Map) -> str:
    """Return a map's complete HTML document."""
    html: str = fmap.get_root().render()
    return html


def write_map(
    result: Result,
    path: str | Path,
    *,
    candidates: CandidateResult | None = None,
    click_score: bool = True,
    tiles: str | None = DEFAULT_TILES,
    offline: bool = False,
    attribution: str | None = None,
    tiles_datum: str | None = None,
) -> Path:
    """Write :func:`make_map`'s map of ``result`` to an HTML file, atomically.

    The same result and options give a byte-identical file. The output may
    not be one of the study's input files.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ParameterError
        For bad tile options or foreign candidates (see :func:`make_map`).
    OutputError
        When the path cannot be written or is an input.
    """
    fmap = make_map(
        result,
        candidates=candidates,
        click_score=click_score,
        tiles=tiles,
        offline=offline,
        attribution=attribution,
        tiles_datum=tiles_datum,
    )
    return write_text(Path(path), render_map(fmap), inputs=result.inputs)
