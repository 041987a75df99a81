"""The study's layers on a map: sites coloured by score, ring bands, site pairs, context.

The layers draw a :class:`~siteplan.analysis.Result` as it is (nothing is re-measured):
site footprints coloured by score, each site's ring bands as a layer that can be
switched on (the focus site's are on at first), the pair lines labelled with distance
and score, and the study's boundary, context and exclusion layers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any, Final

import branca.colormap
import folium
import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from siteplan.analysis import LARGE_STUDY, Result
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
    _middles,
    _names,
    _number,
    _round_coordinates,
    _rows,
    _score,
    _short_amount,
    _text,
)
from siteplan.render._lookups import nearest_pair_mask
from siteplan.render.palette import RING_FILL

__all__: list[str] = []

_RING_FILL: Final = RING_FILL
_NO_SCORE: Final = "#bdbdbd"
_EXCLUSION_COLOUR: Final = "#b2182b"
_SKIP_PROPERTIES: Final = frozenset({"geometry", "weight", "layer"})
#: With more than :data:`~siteplan.analysis.LARGE_STUDY` sites, at most this many pair
#: lines are drawn: every site's line to its nearest neighbour, then the shortest of
#: the pairs within the first ring.
PAIR_LINE_CAP: Final = 2_000
#: Above LARGE_STUDY sites, a ring tooltip names the sites it reaches up to this many,
#: else it counts them.
_REACH_NAMES: Final = 20
#: Simplification of the every-site ring layer, as a fraction of the ring's radius: it
#: keeps a large study's map small; the focus site's rings are drawn exactly.
_RING_SIMPLIFY: Final = 0.02
_M_PER_DEGREE: Final = 111_000.0
_RING_GRID_DEG: Final = 1e-5  # the every-site ring layer's coordinate grid (about 1 m)


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


def _pair_text(row: Mapping[str, Any], names: dict[str, str], unit: str = "m") -> str:
    name_a = html_text(truncate(names.get(str(row["a"]), clean_text(row["a"])), _NAME_LIMIT))
    name_b = html_text(truncate(names.get(str(row["b"]), clean_text(row["b"])), _NAME_LIMIT))
    ring = _number(row["ring_m"])
    ring_text = (
        f"within the {_ring_label(ring, unit)} ring" if ring is not None else "beyond the last ring"
    )
    network = ""
    if "network_m" in row:
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
    geoms = _round_coordinates(_geometries(sites, shift))
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
                rounded=True,
            )
        )
    group.add_child(_layer(features))
    return group


def _reached(others: list[Any], names: dict[str, str], large: bool) -> str:
    """Return the sites a ring reaches, by name, or (large studies) their number past a few."""
    if large and len(others) > _REACH_NAMES:
        return f"{len(others):,} other sites"
    return ", ".join(html_text(names.get(str(o), clean_text(o))) for o in others)


def _ring_span(result: Result, inner: float, outer: float) -> str:
    """Return a band's range: ``500 m to 1,000 m around`` or, along roads, in their unit."""
    unit = result.parameters.unit
    if unit == "m" and result.network is None:
        return f"{_metres(inner)} to {_metres(outer)} around "
    lo, hi = _ring_label(float(inner), unit), _ring_label(float(outer), unit)
    return f"{lo} to {hi} along the roads (reached network) to "


def _ring_features(
    result: Result, geoms: Any, indices: Any, names: dict[str, str], reach: Any
) -> list[dict[str, Any] | None]:
    """Return the ring-band features of the rows ``indices`` of ``result.rings``."""
    rings = result.rings
    radii = list(result.parameters.rings_m)
    features = []
    for index in indices:
        row = rings.iloc[index]
        site_id = str(row["site_id"])
        k = radii.index(float(row["ring_m"])) if float(row["ring_m"]) in radii else 0
        others = reach.get((row["site_id"], row["ring_m"]), [])
        reached = _reached(others, names, len(result.sites) > LARGE_STUDY)
        name = names.get(site_id, site_id)
        tooltip = (
            f"{_ring_span(result, row['inner_m'], row['ring_m'])}"
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
    return features


def _ring_groups(result: Result, shift: Shift, focus: str | None) -> list[folium.FeatureGroup]:
    """Return the ring layers: one per site, or (many sites) the focus site's and one of all."""
    names = _names(result)
    rings = result.rings
    order = [str(i) for i in result.sites["id"]]
    if focus in order:
        order.remove(focus)
        order.insert(0, focus)
    if len(order) > LARGE_STUDY:
        return _large_ring_groups(result, shift, order[0], names)
    geoms = _geometries(rings, shift)
    reach = result.reach.groupby(["site_id", "ring_m"])["other_id"].agg(list)
    # The layer control keys its entries by name: sites that share a name get their id added.
    shared = {n for n, count in Counter(names.get(i, i) for i in order).items() if count > 1}
    site_ids = rings["site_id"].astype(str).to_numpy()
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
        rows = np.flatnonzero(site_ids == site_id)
        shown = {**names, site_id: name}
        group.add_child(_layer(_ring_features(result, geoms, rows, shown, reach)))
        groups.append(group)
    return groups


def _large_ring_groups(
    result: Result, shift: Shift, first: str, names: dict[str, str]
) -> list[folium.FeatureGroup]:
    """Return the focus (or best-ranked) site's ring bands, and every site's rings as one layer.

    The every-site layer draws each ring's outer edge as a line, simplified to
    :data:`_RING_SIMPLIFY` of its radius, so that 1,200 sites' rings stay a few MB.
    """
    rings = result.rings
    site_ids = rings["site_id"].astype(str).to_numpy()
    name = names.get(first, first)
    focus_group = folium.FeatureGroup(
        name=f"Rings: {html_text(truncate(name, _NAME_LIMIT))}", overlay=True, show=True
    )
    geoms = _geometries(rings, shift)
    rows = np.flatnonzero(site_ids == first)
    table = result.reach
    # compare with the id as the layers hold it: a str copy of every reach row costs 0.4 s
    original = {str(v): v for v in result.sites["id"]}[first]
    mine = table.loc[(table["site_id"] == original).to_numpy(dtype=bool)]
    reach = mine.groupby(["site_id", "ring_m"])["other_id"].agg(list)
    focus_group.add_child(_layer(_ring_features(result, geoms, rows, names, reach)))
    counts = table.groupby(["site_id", "ring_m"]).size().to_dict()
    every = folium.FeatureGroup(
        name=f"Rings: all {len(result.sites):,} sites (outer edges)", overlay=True, show=False
    )
    rows = np.flatnonzero(site_ids != first)
    edges = _round_coordinates(
        _outer_edges(geoms[rows], rings["ring_m"].to_numpy(dtype=float)[rows])
    )
    style = {
        "pane": "siteplan-rings",
        "className": "siteplan-ring",
        "color": _RING_COLOUR,
        "weight": 1,
        "opacity": 0.6,
        "fill": False,
    }
    features = []
    ring_site = rings["site_id"].to_numpy(dtype=object)[rows]
    ring_m = rings["ring_m"].to_numpy(dtype=object)[rows]
    for edge, site_id, radius in zip(edges.tolist(), ring_site, ring_m, strict=True):
        site = names.get(str(site_id), clean_text(site_id))
        reached = int(counts.get((site_id, radius), 0))
        tooltip = (
            f"{_ring_label(float(radius), result.parameters.unit)} "
            f"{'along the roads to' if result.network is not None else 'around'} "
            f"<b>{html_text(truncate(site, _NAME_LIMIT))}</b>"
            f"<br>reaches {reached:,} other sites"
        )
        features.append(_feature(edge, style, tooltip=tooltip, rounded=True))
    every.add_child(_layer(features))
    return [focus_group, every]


def _outer_edges(bands: Any, radii_m: Any) -> Any:
    """Return each band's outer edge as lines, simplified in proportion to its radius."""
    parts, index = shapely.get_parts(np.asarray(bands, dtype=object), return_index=True)
    outer = shapely.get_exterior_ring(parts)
    edges = np.full(len(bands), None, dtype=object)
    if len(outer):
        shapely.multilinestrings(outer, indices=index, out=edges)
    tolerance = np.asarray(radii_m, dtype=float) * _RING_SIMPLIFY / _M_PER_DEGREE
    # lines: plain Douglas-Peucker (no topology to keep), many times faster
    simple = shapely.simplify(edges, tolerance, preserve_topology=False)
    return shapely.set_precision(simple, _RING_GRID_DEG)


def _drawn_pairs(result: Result) -> npt.NDArray[np.intp]:
    """Return the positions of the pairs drawn as lines.

    Every pair, up to :data:`~siteplan.analysis.LARGE_STUDY` sites; above, each site's
    pair with its nearest neighbour, then the shortest pairs within the first ring, up
    to :data:`PAIR_LINE_CAP` lines (pairs without a line are skipped).
    """
    pairs = result.pairs
    if len(result.sites) <= LARGE_STUDY:
        return np.arange(len(pairs), dtype=np.intp)
    has_line = ~(pairs.geometry.isna() | pairs.geometry.is_empty).to_numpy(dtype=bool)
    is_nearest = nearest_pair_mask(result, pairs["a"], pairs["b"])
    first = result.parameters.rings_m[0] if result.parameters.rings_m else 0.0
    distance = pairs["distance_m"].to_numpy(dtype=float)
    chosen = np.flatnonzero(has_line & is_nearest)
    others = np.flatnonzero(has_line & ~is_nearest & (distance <= first))
    others = others[np.argsort(distance[others], kind="stable")]
    room = max(PAIR_LINE_CAP - len(chosen), 0)
    picked = np.sort(np.concatenate([chosen, others[:room]]))
    return np.asarray(picked, dtype=np.intp)


def _pair_group(result: Result, shift: Shift) -> folium.FeatureGroup:
    names = _names(result)
    drawn = _drawn_pairs(result)
    large = len(drawn) < len(result.pairs)
    pairs = result.pairs.iloc[drawn]
    geoms = _geometries(pairs, shift)
    shown, middles = _middles(geoms)
    lines_rounded = _round_coordinates(geoms)
    title = "Site pairs (distance · score)"
    if large:
        title = f"Site pairs: {len(pairs):,} of {len(result.pairs):,} (nearest, then shortest)"
    group = folium.FeatureGroup(name=title, overlay=True, show=True)
    lines, labels = [], []
    # plain dicts: a pandas row per pair costs more than the whole layer
    for i, row in enumerate(pairs.drop(columns=pairs.geometry.name).to_dict("records")):
        text = _pair_text(row, names, result.parameters.unit)
        lines.append(
            _feature(
                lines_rounded[i],
                {
                    "pane": "siteplan-pairs",
                    "className": "siteplan-pair",
                    "color": "#3a3a3a",
                    "weight": 2.5,
                    "opacity": 0.9,
                    "dashArray": "6 4",
                },
                tooltip=text,
                rounded=True,
            )
        )
        if shown[i]:
            label = (
                f"<span>{html_text(_short_amount(row['distance_m'], result.parameters.unit))} · "
                f"{html_text(_score(row['score']))}</span>"
            )
            labels.append(
                _feature(
                    middles[i],
                    {"pane": "siteplan-labels", "className": "siteplan-pair-label"},
                    label=label,
                    rounded=True,
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
