"""The map's panels: the title, the legend and the notes (schematic positions, datum shift)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import branca.colormap
import numpy as np
import shapely
from pyproj import Geod

from siteplan.analysis import Result
from siteplan.load._datum import geometries_from_wgs84
from siteplan.maps.elements import Panel
from siteplan.maps.escape import html_text
from siteplan.maps.features import (
    _CONTEXT_COLOUR,
    _FOCUS_OUTLINE,
    _RING_COLOUR,
    COLOUR_SCALE,
    _measure_words,
    _score,
)
from siteplan.maps.tiles import TileChoice

if TYPE_CHECKING:
    from siteplan.candidates.result import CandidateResult

__all__: list[str] = []

_GEOD: Final = Geod(ellps="WGS84")


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
    params = result.parameters
    unit = "min" if params.unit == "min" else "m"
    rings = " / ".join(f"{r:,.4g}" if unit == "min" else f"{r:,.0f}" for r in params.rings_m)
    what = "isochrone bands (reached roads)" if result.network is not None else "ring bands"
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
        f"</span>{what}: {html_text(rings)} {unit}</p>"
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
