"""The study's layers on a map: sites coloured by score, ring bands, site pairs, context.

The layers draw a :class:`~siteplan.analysis.Result` as it is (nothing is re-measured):
site footprints coloured by score, each site's ring bands as a layer that can be
switched on (the focus site's are on at first), the pair lines labelled with distance
and score, and the study's boundary, context and exclusion layers.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Final

import branca.colormap
import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from siteplan.analysis import Result
from siteplan.maps.escape import clean_text, html_text, truncate
from siteplan.maps.features import (
    _CONTEXT_COLOUR,
    _FOCUS_OUTLINE,
    _NAME_LIMIT,
    _RING_COLOUR,
    Shift,
    _amount,
    _feature,
    _geometries,
    _layer,
    _measure_words,
    _metres,
    _names,
    _number,
    _rows,
    _score,
    _short_amount,
    _text,
)
from siteplan.render.palette import RING_FILL

__all__: list[str] = []

_RING_FILL: Final = RING_FILL
_NO_SCORE: Final = "#bdbdbd"
_EXCLUSION_COLOUR: Final = "#b2182b"
_SKIP_PROPERTIES: Final = frozenset({"geometry", "weight", "layer"})


# -- popups and tooltips (HTML built from escaped text only) ----------------------------


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
            f"{_amount(row['nearest_m'], result.parameters.unit)} "
            f"{html_text(_measure_words(result))}"
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


def _pair_text(row: pd.Series, names: dict[str, str], unit: str = "m") -> str:
    name_a = html_text(truncate(names.get(str(row["a"]), clean_text(row["a"])), _NAME_LIMIT))
    name_b = html_text(truncate(names.get(str(row["b"]), clean_text(row["b"])), _NAME_LIMIT))
    ring = _number(row["ring_m"])
    ring_text = (
        f"within the {_ring_label(ring, unit)} ring" if ring is not None else "beyond the last ring"
    )
    network = ""
    if "network_m" in row.index:
        network = (
            f"along the roads {_metres(row['network_m'])} · "
            f"{_amount(row['time_min'], 'min')} (mean of both ways)<br>"
            if bool(row["reachable"])
            else "not reachable along the roads both ways<br>"
        )
    return (
        f"<b>{name_a}</b> ↔ <b>{name_b}</b><br>"
        f"edge {_metres(row['edge_m'])} · centroid {_metres(row['centroid_m'])} · "
        f"geodesic {_metres(row['geodesic_m'])}<br>"
        f"{network}{ring_text} · pair score {_score(row['score'])}"
    )


def _ring_label(value: float, unit: str) -> str:
    """Return a ring's value with its unit: ``500 m`` or ``15 min``."""
    return f"{value:,.0f} m" if unit != "min" else f"{value:,.4g} min"


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
    unit = result.parameters.unit
    network = result.network is not None
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
            if unit == "m" and not network:
                span = f"{_metres(row['inner_m'])} to {_metres(row['ring_m'])} around "
            else:
                lo, hi = float(row["inner_m"]), float(row["ring_m"])
                span = (
                    f"{_ring_label(lo, unit)} to {_ring_label(hi, unit)} along the roads "
                    "(reached network) to "
                )
            tooltip = (
                f"{span}<b>{html_text(truncate(name, _NAME_LIMIT))}</b><br>"
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
        text = _pair_text(row, names, result.parameters.unit)
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
                f"<span>{html_text(_short_amount(row['distance_m'], result.parameters.unit))} · "
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
