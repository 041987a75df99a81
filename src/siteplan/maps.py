"""Interactive Folium maps of a study's result, safe to open anywhere.

:func:`make_map` draws a :class:`~siteplan.analysis.Result` (nothing is
re-measured): site footprints coloured by score, each site's ring bands as a
layer that can be switched on (the focus site's are on at first), the pair
lines labelled with distance and score, and the study's boundary, context and
exclusion layers, with a legend, a layer control, a scale bar and notes
(schematic positions, datum shift, plugins left out). :func:`write_map` writes
it atomically.

Every string from the study (names, ids, sources, notes, layer file names,
the study name, a tile attribution) is escaped for where it lands; see
:mod:`siteplan._mapkit`. Offline maps embed Leaflet from XStatic-Leaflet and
fetch nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Final

import branca.colormap
import folium
import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from branca.element import Figure
from pyproj import Geod

from siteplan._datum import geometries_from_wgs84
from siteplan._io import write_text
from siteplan._mapkit import (
    HELPERS_JS,
    STYLE_CSS,
    FeatureLayer,
    Panel,
    Panes,
    RawHtml,
    clean_text,
    html_text,
    leaflet_assets,
    leaflet_cdn,
    renumber,
    truncate,
)
from siteplan._tiles import DEFAULT_TILES, TileChoice, resolve_tiles
from siteplan.analysis import Result

__all__ = ["COLOUR_SCALE", "DEFAULT_TILES", "make_map", "render_map", "write_map"]

COLOUR_SCALE: Final = "viridis"
"""The named colour scale of site scores (0 to 100)."""

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
    groups = []
    for site_id in order:
        name = names.get(site_id, site_id)
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


# -- panels ---------------------------------------------------------------------------


def _title_panel(result: Result) -> Panel:
    body = (
        f"<h1>{html_text(result.name)}</h1>"
        f"<div>{len(result.sites)} sites · cluster score {_score(result.cluster_score)} · "
        f"measured in {html_text(result.crs_name)}</div>"
    )
    return Panel(body, css_class="siteplan-title", position="topright")


def _legend_panel(result: Result, scale: branca.colormap.LinearColormap) -> Panel:
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
    header.add_child(RawHtml(f"<script>{HELPERS_JS}</script>"), name="siteplan_js")


def _tile_layer(tiles: TileChoice, name: str | None = None) -> folium.TileLayer:
    return folium.TileLayer(
        tiles=tiles.url,
        attr=tiles.attribution,
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
        For an unknown tile name, a malformed URL template, Baidu tiles, or a
        named provider in an offline map.

    Examples
    --------
    >>> from siteplan import analyze
    >>> fmap = make_map(analyze(), offline=True)
    >>> html = fmap.get_root().render()
    >>> "siteplan-site" in html and "cdn.jsdelivr" not in html
    True
    """
    choice = resolve_tiles(tiles, offline=offline, attribution=attribution, datum=tiles_datum)
    datum = choice.datum if choice is not None else "wgs84"
    shift = _shifter(datum)
    frames = [result.sites] + [
        f for f in (result.data.boundary, result.data.exclusions) if f is not None
    ]
    bounds = _bounds([g for frame in frames for g in _geometries(frame, shift)])
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
    Panes(_PANES).add_to(fmap)
    if choice is not None:
        _tile_layer(choice).add_to(fmap)

    scale = getattr(branca.colormap.linear, COLOUR_SCALE).scale(0, 100)
    focus = _focus_id(result)
    # The layer control lists overlays in this order; panes set the drawing order.
    _site_group(result, shift, scale, focus).add_to(fmap)
    _pair_group(result, shift).add_to(fmap)
    for group in _ring_groups(result, shift, focus):
        group.add_to(fmap)
    for role, frame in (
        ("boundary", result.data.boundary),
        ("exclusion", result.data.exclusions),
        ("context", result.data.context),
    ):
        for group in _role_groups(frame, role, shift):
            group.add_to(fmap)

    _title_panel(result).add_to(fmap)
    notes = _notes(result, choice, offline, _shift_metres(bounds, datum))
    if notes:
        body = "".join(f"<p>{note}</p>" for note in notes)
        Panel(body, css_class="siteplan-note", position="bottomleft").add_to(fmap)
    _legend_panel(result, scale).add_to(fmap)
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
        For bad tile options (see :func:`make_map`).
    OutputError
        When the path cannot be written or is an input.
    """
    fmap = make_map(
        result, tiles=tiles, offline=offline, attribution=attribution, tiles_datum=tiles_datum
    )
    return write_text(Path(path), render_map(fmap), inputs=result.inputs)
