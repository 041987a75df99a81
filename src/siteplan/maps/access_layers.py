"""Who is served, on the map: demand by accessibility, catchment bands, the chosen facilities.

:func:`access_overlay` draws an access result (:func:`siteplan.analyze_access`) and the
location-allocation plan of scored candidates (``siteplan candidates --method mclp|pmedian|
pcenter --map``), as it is (nothing is re-measured except each chosen facility's catchment,
with the same cost function the plan used):

- **demand**, one layer per demand layer file: polygons are a choropleth of the
  accessibility index, points are graduated circles (area proportional to the demand)
  coloured by the index, with a legend (the index's colour ramp from its lowest to its
  highest value); the tooltip gives the name, the demand, the index and the nearest site;
- **catchment bands**, one layer per site (off at first): the site's ring bands, each with
  the demand within the ring and within the band in its tooltip;
- **the chosen facilities** of a plan: a circle of the service radius around each pick
  (straight-line measures), with the demand within it in the tooltip, and the demand
  points coloured by whether an open facility (an existing site or a pick) covers them.

Every string from the study (names, ids, layer file names) goes through
:func:`~siteplan.maps.escape.html_text` before it reaches a tooltip or the layer control.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import branca.colormap
import folium
import geopandas as gpd
import numpy as np
import shapely

from siteplan.errors import ParameterError
from siteplan.load.layers import WGS84
from siteplan.maps.escape import clean_text, html_text, truncate
from siteplan.maps.features import (
    _NAME_LIMIT,
    _RING_COLOUR,
    Shift,
    _feature,
    _geometries,
    _layer,
    _names,
    _number,
    _text,
)
from siteplan.render.palette import RING_FILL

if TYPE_CHECKING:
    import pandas as pd

    from siteplan.access.result import AccessResult
    from siteplan.analysis import Result
    from siteplan.candidates.result import CandidateResult

__all__ = ["ACCESS_PANES", "INDEX_SCALE", "AccessOverlay", "access_overlay"]

#: Map panes of the access layers (the site map's panes are in :mod:`siteplan.maps.make`).
ACCESS_PANES: Final = (
    ("siteplan-catchments", 355),
    ("siteplan-coverage", 365),
    ("siteplan-demand", 400),
)
#: The named colour scale of the accessibility index (lowest to highest value).
INDEX_SCALE: Final = "YlGnBu_09"
_COVERED: Final = "#1a9850"
_UNCOVERED: Final = "#d73027"
_PICK_COVERAGE: Final = "#7b3294"
_MIN_RADIUS: Final = 4.0
_MAX_RADIUS: Final = 18.0
_POLYGON_TYPES: Final = frozenset({3, 6})  # shapely type ids of Polygon, MultiPolygon


@dataclass
class AccessOverlay:
    """The access layers of one map, with their legend entries and notes (HTML).

    Attributes
    ----------
    groups : list of folium.FeatureGroup
        The layers, in the order the layer control lists them.
    legend : str
        HTML for the legend panel (escaped).
    notes : list of str
        HTML paragraphs for the notes panel (escaped).
    extent : list
        Geometries (WGS84, shifted) the map's view should include: the demand.
    """

    groups: list[folium.FeatureGroup] = field(default_factory=list)
    legend: str = ""
    notes: list[str] = field(default_factory=list)
    extent: list[Any] = field(default_factory=list)


# -- formatters -----------------------------------------------------------------------------


def _people(value: Any) -> str:
    number = _number(value)
    return "—" if number is None else f"{number:,.0f}"


def _cost(value: Any, unit: str) -> str:
    number = _number(value)
    if number is None:
        return "—"
    return f"{number:,.1f} min" if unit == "min" else f"{number:,.0f} m"


def _index_text(value: Any) -> str:
    number = _number(value)
    return "—" if number is None else f"{number:.4g}"


def _name(row: pd.Series) -> str:
    return _text(row, "name") or _text(row, "id")


# -- demand coloured by index -------------------------------------------------------------


def _index_scale(values: np.ndarray[Any, Any]) -> branca.colormap.LinearColormap:
    finite = values[np.isfinite(values)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if hi <= lo:
        hi = lo + 1.0
    scale: branca.colormap.LinearColormap = getattr(branca.colormap.linear, INDEX_SCALE).scale(
        lo, hi
    )
    return scale


def _nearest_by_feature(access: AccessResult) -> dict[str, tuple[str, float]]:
    """Return each demand feature's nearest site and cost (the best of its points)."""
    assert access.places is not None  # checked by the caller; for mypy
    points = access.places.points
    column = f"nearest_{access.unit}"
    out: dict[str, tuple[str, float]] = {}
    for source, nearest, cost in zip(
        points["source_id"].astype(str), points["nearest_id"], points[column], strict=True
    ):
        value = _number(cost)
        if nearest is None or value is None:
            continue
        if source not in out or value < out[source][1]:
            out[source] = (str(nearest), value)
    return out


def _demand_tooltip(
    row: pd.Series, access: AccessResult, names: dict[str, str], nearest: tuple[str, float] | None
) -> str:
    zh = html_text(truncate(_text(row, "name_zh"), _NAME_LIMIT))
    lines = [
        f"<b>{html_text(truncate(_name(row), _NAME_LIMIT))}</b>" + (f" {zh}" if zh else ""),
        f"demand {_people(row['population'])} · {html_text(access.index.kind)} index "
        f"{_index_text(row['index'])}",
    ]
    if nearest is None:
        lines.append("no site within reach")
    else:
        site = names.get(nearest[0], clean_text(nearest[0]))
        lines.append(
            f"nearest: {html_text(truncate(site, _NAME_LIMIT))}, {_cost(nearest[1], access.unit)}"
        )
    placement = _text(row, "placement")
    if placement:
        lines.append(f"placement: {html_text(placement)}")
    return "<br>".join(lines)


def _radii(population: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Circle radii in pixels, area proportional to the demand."""
    top = float(np.nanmax(population)) if population.size else 0.0
    if top <= 0:
        return np.full(len(population), _MIN_RADIUS)
    share = np.sqrt(np.clip(np.nan_to_num(population), 0.0, None) / top)
    out: np.ndarray[Any, Any] = _MIN_RADIUS + (_MAX_RADIUS - _MIN_RADIUS) * share
    return out


def _demand_groups(
    access: AccessResult, shift: Shift, scale: branca.colormap.LinearColormap
) -> list[folium.FeatureGroup]:
    assert access.places is not None
    features = access.places.features
    names = _names(access.places.result)
    nearest = _nearest_by_feature(access)
    geoms = _geometries(features, shift)
    radii = _radii(features["population"].to_numpy(dtype=np.float64))
    groups = []
    layers = features["layer"].astype(str)
    for layer_name in dict.fromkeys(layers):
        group = folium.FeatureGroup(
            name=f"Demand: {html_text(truncate(clean_text(layer_name), _NAME_LIMIT))} "
            f"(by {html_text(access.index.kind)} index)",
            overlay=True,
            show=True,
        )
        drawn = []
        for i in np.flatnonzero((layers == layer_name).to_numpy()):
            row = features.iloc[i]
            value = _number(row["index"])
            colour = "#bdbdbd" if value is None else str(scale.rgb_hex_str(value))
            polygon = shapely.get_type_id(geoms[i]) in _POLYGON_TYPES
            style = {
                "pane": "siteplan-demand",
                "className": "siteplan-demand",
                "color": "#525252" if polygon else "#ffffff",
                "weight": 1,
                "fillColor": colour,
                "fillOpacity": 0.6 if polygon else 0.85,
                "radius": float(round(radii[i], 1)),
            }
            tooltip = _demand_tooltip(row, access, names, nearest.get(_text(row, "id")))
            drawn.append(_feature(geoms[i], style, tooltip=tooltip))
        group.add_child(_layer(drawn))
        groups.append(group)
    return groups


def _index_legend(access: AccessResult, scale: branca.colormap.LinearColormap) -> str:
    lo, hi = float(scale.vmin), float(scale.vmax)
    stops = ", ".join(str(scale.rgb_hex_str(v)) for v in np.linspace(lo, hi, 9))
    return (
        f"<p><b>Demand: {html_text(access.index.kind)} index</b> (colour scale: {INDEX_SCALE}; "
        "circle area: demand)</p>"
        f'<div class="siteplan-ramp" style="background: linear-gradient(to right, {stops})">'
        "</div>"
        f'<div class="siteplan-ticks"><span>{_index_text(lo)}</span>'
        f"<span>{_index_text(hi)}</span></div>"
    )


# -- catchment bands -------------------------------------------------------------------------


def _catchment_groups(access: AccessResult, shift: Shift) -> list[folium.FeatureGroup]:
    assert access.places is not None
    result = access.places.result
    names = _names(result)
    rings = result.rings
    geoms = _geometries(rings, shift)
    cov = access.coverage
    radii = [float(r) for r in cov.rings]
    unit = access.unit
    groups = []
    for j, site_id in enumerate(access.site_ids):
        name = names.get(site_id, clean_text(site_id))
        label = html_text(truncate(f"{clean_text(site_id)}: {name}", _NAME_LIMIT))
        group = folium.FeatureGroup(name=f"Catchment: {label}", overlay=True, show=False)
        drawn = []
        for k, index in enumerate(np.flatnonzero((rings["site_id"] == site_id).to_numpy())):
            row = rings.iloc[index]
            ring = float(row["ring_m"])
            position = radii.index(ring) if ring in radii else min(k, len(radii) - 1)
            within = float(cov.catchment[j, position])
            inner = float(cov.catchment[j, position - 1]) if position > 0 else 0.0
            tooltip = (
                f"<b>{html_text(truncate(name, _NAME_LIMIT))}</b>: "
                f"{_cost(row['inner_m'], unit)} to {_cost(ring, unit)}<br>"
                f"demand in this band {_people(within - inner)} · "
                f"within {_cost(ring, unit)} {_people(within)}"
            )
            style = {
                "pane": "siteplan-catchments",
                "className": "siteplan-catchment",
                "color": _RING_COLOUR,
                "weight": 1,
                "fillColor": _RING_COLOUR,
                "fillOpacity": RING_FILL[min(position, len(RING_FILL) - 1)],
            }
            drawn.append(_feature(geoms[index], style, tooltip=tooltip))
        group.add_child(_layer(drawn))
        groups.append(group)
    return groups


# -- the chosen facilities -------------------------------------------------------------------


def _plan_groups(cres: CandidateResult, shift: Shift) -> AccessOverlay:
    plan = cres.plan
    assert plan is not None  # checked by the caller; for mypy
    result = cres.result
    unit = "min" if result.parameters.measure == "time" else "m"
    service = float(plan.allocation.service)
    # lazy: scipy and the network measure (0.6 s) load for location-allocation maps only
    from siteplan.access.study import study_demand_points

    points = study_demand_points(result)
    covered = plan.nearest_open <= service
    wgs = points.to_crs(WGS84)
    geoms = _geometries(wgs, shift)
    radii = _radii(plan.demand)
    overlay = AccessOverlay()
    group = folium.FeatureGroup(
        name=f"Demand covered within {_cost(service, unit)}", overlay=True, show=True
    )
    drawn = []
    for i, (_, row) in enumerate(points.iterrows()):
        state = "covered" if covered[i] else "not covered"
        tooltip = (
            f"<b>{html_text(truncate(_name(row), _NAME_LIMIT))}</b><br>"
            f"demand {_people(plan.demand[i])} · {state} within {_cost(service, unit)}<br>"
            f"nearest open facility {_cost(plan.nearest_open[i], unit)}"
        )
        style = {
            "pane": "siteplan-demand",
            "className": "siteplan-demand",
            "color": "#ffffff",
            "weight": 1,
            "fillColor": _COVERED if covered[i] else _UNCOVERED,
            "fillOpacity": 0.85,
            "radius": float(round(radii[i], 1)),
        }
        drawn.append(_feature(geoms[i], style, tooltip=tooltip))
    group.add_child(_layer(drawn))
    overlay.groups.append(group)
    picks = np.asarray(cres.pick_index, dtype=np.intp)
    if unit == "m" and len(picks) and result.parameters.measure in ("edge", "centroid"):
        overlay.groups.append(_pick_coverage(cres, points, picks, service, shift))
    share = plan.allocation.metrics.coverage_share
    overlay.legend = (
        f'<p><span class="siteplan-key" style="background: {_COVERED}; border-radius: 50%; '
        f'width: 10px"></span>demand covered within {_cost(service, unit)} '
        f"({share:.1%} with the picks)</p>"
        f'<p><span class="siteplan-key" style="background: {_UNCOVERED}; border-radius: 50%; '
        'width: 10px"></span>demand not covered</p>'
    )
    method = html_text(str(cres.parameters.get("method", "")))
    overlay.notes.append(
        f"<b>Location-allocation ({method}).</b> The numbered picks are the optimal new "
        f"facilities with the existing sites open; circles of {_cost(service, unit)} show "
        "each pick's coverage; demand points are coloured by whether an open facility "
        "covers them."
    )
    return overlay


def _pick_coverage(
    cres: CandidateResult,
    points: gpd.GeoDataFrame,
    picks: np.ndarray[Any, Any],
    service: float,
    shift: Shift,
) -> folium.FeatureGroup:
    # lazy: scipy and the network measure (0.6 s) load for location-allocation maps only
    from siteplan.access.costs import location_costs

    result = cres.result
    cost = location_costs(result, points, cres.x[picks], cres.y[picks])
    demand = points["population"].to_numpy(dtype=np.float64)
    within = ((cost <= service) * demand[:, None]).sum(axis=0)
    circles = gpd.GeoDataFrame(
        geometry=shapely.buffer(
            shapely.points(cres.x[picks], cres.y[picks]), service, quad_segs=16
        ),
        crs=result.crs,
    ).to_crs(WGS84)
    geoms = _geometries(circles, shift)
    ids = cres.ids(picks)
    group = folium.FeatureGroup(
        name=f"Coverage of the picks ({service:,.0f} m)", overlay=True, show=True
    )
    drawn = []
    for k, pick_id in enumerate(ids):
        tooltip = (
            f"<b>pick {k + 1}</b> ({html_text(clean_text(pick_id))})<br>"
            f"demand within {service:,.0f} m: {_people(within[k])}"
        )
        style = {
            "pane": "siteplan-coverage",
            "className": "siteplan-pick-coverage",
            "color": _PICK_COVERAGE,
            "weight": 2,
            "dashArray": "5 4",
            "fillColor": _PICK_COVERAGE,
            "fillOpacity": 0.08,
        }
        drawn.append(_feature(geoms[k], style, tooltip=tooltip))
    group.add_child(_layer(drawn))
    return group


# -- the overlay -------------------------------------------------------------------------------


def access_overlay(
    result: Result,
    access: AccessResult | None,
    candidates: CandidateResult | None,
    shift: Shift,
) -> AccessOverlay | None:
    """Return the access layers of a map, or None when there is nothing to draw.

    Parameters
    ----------
    result
        The map's analysis.
    access
        An access result of the map's study (drawn: demand by index, catchment bands).
    candidates
        Scored candidates; their location-allocation plan, if any, is drawn (the demand
        covered, each pick's coverage).
    shift
        The datum shift of the map's overlays.

    Returns
    -------
    AccessOverlay or None
        None when neither an access result nor a plan is given.

    Raises
    ------
    ParameterError
        When ``access`` was computed on another analysis than ``result``.
    """
    if access is not None and access.places is not None and access.places.result is not result:
        raise ParameterError(
            "access was computed on another analysis; pass the access result of this result"
        )
    plan = candidates is not None and candidates.plan is not None
    if (access is None or access.places is None) and not plan:
        return None
    overlay = AccessOverlay()
    if access is not None and access.places is not None:
        scale = _index_scale(access.places.features["index"].to_numpy(dtype=np.float64))
        overlay.groups += _demand_groups(access, shift, scale)
        overlay.extent += list(_geometries(access.places.features, shift))
        overlay.groups += _catchment_groups(access, shift)
        overlay.legend += _index_legend(access, scale)
        caveat = access.caveat.removesuffix(access.places.result.caveat).strip()
        overlay.notes.append(f"<b>Who is served.</b> {html_text(caveat)}")
    if plan:
        assert candidates is not None
        planned = _plan_groups(candidates, shift)
        overlay.groups += planned.groups
        overlay.legend += planned.legend
        overlay.notes += planned.notes
    return overlay
