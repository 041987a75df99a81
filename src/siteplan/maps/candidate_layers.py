"""Candidates on a map: the scored surface, the numbered picks and the excluded areas.

With candidates (:func:`siteplan.candidates.api.score_candidates`), a map also draws
the scored surface (cells or parcels coloured by score on a canvas, by
``siteplan.surface`` in ``static/helpers.js``, with its own legend), the picks as
numbered markers whose popups give the per-site breakdown, and the area each
constraint excludes, hatched, one layer per constraint.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Final

import branca.colormap
import folium
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from siteplan.analysis import Result
from siteplan.errors import ParameterError
from siteplan.load._datum import wgs84_to_gcj02
from siteplan.load.projection import to_wgs84
from siteplan.maps.elements import SurfaceLayer
from siteplan.maps.escape import clean_text, html_text, truncate
from siteplan.maps.features import (
    _COORD_DECIMALS,
    _NAME_LIMIT,
    MAX_SURFACE_CELLS,
    SURFACE_SCALE,
    Shift,
    _feature,
    _geometries,
    _layer,
    _metres,
    _rows,
    _score,
)
from siteplan.render.palette import HATCH_COLOURS

if TYPE_CHECKING:
    from siteplan.candidates.result import CandidateResult

__all__: list[str] = []

_SURFACE_COLOURS: Final = 64
_HATCH_COLOURS: Final = HATCH_COLOURS

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
    lon, lat = to_wgs84(cres.result.crs).transform(x.ravel(), y.ravel())
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


_MEASURE_WORDS: Final = {
    "edge": "edge to edge",
    "centroid": "centroid to centroid",
    "network": "along the roads",
    "time": "along the roads",
}


def _cost(value: Any, unit: str) -> str:
    """Format a distance (m) or a travel time (min); a dash when nothing is reached."""
    if unit != "min":
        return _metres(value)
    number = float(value) if value is not None else math.nan
    return "—" if not math.isfinite(number) else f"{number:,.1f} min"


def _pick_popup(cres: CandidateResult, i: int, names: dict[str, str], measure: str) -> str:
    picks = cres.picks
    row = picks.iloc[i]
    unit = cres.unit
    nearest = str(row["nearest_id"]) if isinstance(row["nearest_id"], str) else ""
    connector = (
        ("Walk to the road", _metres(row["connector_m"])) if "connector_m" in row.index else None
    )
    body = _rows(
        [
            ("Score", f"{_score(row['score'])} (pick {int(row['rank'])} of {len(picks)})"),
            ("Candidate", f"{html_text(row['id'])}, measured from its centre"),
            ("Position", f"{float(row['lat']):.6f}, {float(row['lon']):.6f} (WGS84)"),
            (
                "Nearest",
                f"{html_text(names.get(nearest, nearest))} ({html_text(nearest)}), "
                f"{_cost(row['nearest_m'], unit)} {html_text(measure)}"
                if nearest
                else "no site reached",
            ),
            *([connector] if connector else []),
        ]
    )
    weights = dict(zip(cres.site_ids, cres.site_weights.tolist(), strict=True))
    lines = "".join(
        f"<tr><td>{html_text(truncate(names.get(sid, sid), _NAME_LIMIT))}</td>"
        f"<td>{_cost(cres.pick_distances[i, j], unit)}</td>"
        f"<td>{_score(cres.pick_breakdown[i, j])}</td><td>{weights[sid]:g}</td></tr>"
        for j, sid in enumerate(cres.site_ids)
    )
    return (
        '<div class="siteplan-info">'
        f'<div class="siteplan-name">Pick {int(row["rank"])}: score {_score(row["score"])}</div>'
        f"<table>{body}</table>"
        f"<table><tr><th>Site</th><th>{'Time' if unit == 'min' else 'Distance'}</th>"
        "<th>Score</th><th>Weight</th></tr>"
        f"{lines}</table></div>"
    )


def _pick_group(cres: CandidateResult, datum: str, names: dict[str, str]) -> folium.FeatureGroup:
    picks = cres.picks
    lon, lat = _shift_lonlat(picks["lon"].to_numpy(), picks["lat"].to_numpy(), datum)
    measure = _MEASURE_WORDS.get(cres.measure, cres.measure)
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
    g = cres.grid
    x = np.array([g.x0, g.x0 + g.cols * g.cell_m, g.x0 + g.cols * g.cell_m, g.x0])
    y = np.array([g.y0, g.y0, g.y0 + g.rows * g.cell_m, g.y0 + g.rows * g.cell_m])
    lon, lat = to_wgs84(cres.result.crs).transform(x, y)
    return [shapely.multipoints(np.column_stack([lon, lat]))]


def _check_candidates(result: Result, candidates: CandidateResult | None) -> None:
    if candidates is not None and candidates.result is not result:
        raise ParameterError(
            "candidates: they were scored on another analysis than the map's result; draw "
            "them with make_map(cres.result, candidates=cres)"
        )
