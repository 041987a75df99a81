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
:mod:`siteplan.maps.clickscore`); :func:`siteplan.score_locations` computes the same in Python.

Every string from the study (names, ids, sources, notes, layer file names,
the study name, a tile attribution) is escaped for where it lands; see
:mod:`siteplan.maps.escape`. Offline maps embed Leaflet from XStatic-Leaflet and
fetch nothing (:mod:`siteplan.maps.assets`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import branca.colormap
import folium
import geopandas as gpd

from siteplan._io import input_paths, write_text
from siteplan.analysis import Result
from siteplan.maps.access_layers import ACCESS_PANES, access_overlay
from siteplan.maps.assets import add_assets, figure_of
from siteplan.maps.candidate_layers import (
    _candidate_extent,
    _candidate_legend,
    _candidate_notes,
    _check_candidates,
    _excluded_groups,
    _pick_group,
    _surface_layer,
)
from siteplan.maps.clickscore import click_data
from siteplan.maps.elements import (
    ClickScore,
    NetworkGraph,
    Panel,
    Panes,
    SurfaceLayer,
    renumber,
)
from siteplan.maps.escape import html_text
from siteplan.maps.features import (
    COLOUR_SCALE,
    MAX_SURFACE_CELLS,
    SURFACE_SCALE,
    _bounds,
    _geometries,
    _names,
    _shifter,
)
from siteplan.maps.panels import _legend_panel, _notes, _shift_metres, _title_panel
from siteplan.maps.scenario import EditMode, edit_blocker, scenario_data
from siteplan.maps.sites import _focus_id, _pair_group, _ring_groups, _role_groups, _site_group
from siteplan.maps.tiles import DEFAULT_TILES, TileChoice, resolve_tiles

if TYPE_CHECKING:
    from siteplan.access.result import AccessResult
    from siteplan.candidates.result import CandidateResult

__all__ = [
    "COLOUR_SCALE",
    "DEFAULT_TILES",
    "MAX_SURFACE_CELLS",
    "SURFACE_SCALE",
    "make_map",
    "render_map",
    "write_map",
]

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

# -- the map --------------------------------------------------------------------------


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
    # lazy: the plugins cost ~80 ms of start-up and offline maps leave them out
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


def _network_blocker(result: Result) -> str | None:
    # lazy: network_data loads scipy, which straight-line maps never need
    from siteplan.maps.network_data import network_blocker

    return network_blocker(result)


def _graph_data(result: Result) -> dict[str, Any]:
    # lazy: as _network_blocker
    from siteplan.maps.network_data import graph_data

    return graph_data(result)


def make_map(
    result: Result,
    *,
    candidates: CandidateResult | None = None,
    click_score: bool = True,
    tiles: str | None = DEFAULT_TILES,
    offline: bool = False,
    attribution: str | None = None,
    tiles_datum: str | None = None,
    edit: bool = True,
    access: AccessResult | None = None,
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
        weights and measure (the same numbers as :func:`siteplan.score_locations`; with
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
    edit
        Edit mode (:mod:`siteplan.maps.scenario`): drag, add and remove sites and change
        weights in the page, which recomputes every score as :func:`siteplan.analyze`
        would, and download the scenario (``scenario.geojson`` and a study TOML) for
        ``siteplan compare``. Network measures route the edited plan along the
        embedded road network (under 50,000 segments; larger networks get a note instead).
    access
        An access result of this study (:func:`siteplan.analyze_access`): adds the demand
        coloured by accessibility index and each site's catchment bands
        (:mod:`siteplan.maps.access_layers`, which also draws a candidates' plan).

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
    choice = resolve_tiles(tiles, offline=offline, attribution=attribution, tiles_datum=tiles_datum)
    datum = choice.datum if choice is not None else "wgs84"
    shift = _shifter(datum)
    frames = [result.sites] + [
        f for f in (result.data.boundary, result.data.exclusions) if f is not None
    ]
    extent = [g for frame in frames for g in _geometries(frame, shift)]
    if candidates is not None and candidates.parcels is not None:
        extent += list(_geometries(gpd.GeoDataFrame(geometry=candidates.parcels), shift))
    overlay = access_overlay(result, access, candidates, shift)
    extent += overlay.extent if overlay is not None else []
    bounds = _bounds(extent)
    centre = (
        [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
        if bounds is not None
        else [0.0, 0.0]
    )
    fmap = folium.Map(
        location=centre, zoom_start=13, tiles=None, control_scale=True, font_size="0.75rem"
    )
    figure_of(fmap).title = html_text(result.name)
    blocker = edit_blocker(result.parameters.measure) if edit else None
    routed = result.network is not None
    if edit and blocker is None and routed:
        blocker = _network_blocker(result)
    editing = edit and blocker is None
    add_assets(fmap, offline, edit=editing, network=routed and (editing or click_score))
    panes = _PANES + (_CANDIDATE_PANES if candidates is not None else ())
    Panes(panes + (ACCESS_PANES if overlay is not None else ())).add_to(fmap)
    if choice is not None:
        _tile_layer(choice).add_to(fmap)

    scale = getattr(branca.colormap.linear, COLOUR_SCALE).scale(0, 100)
    focus = _focus_id(result)
    # The layer control lists overlays in this order; panes set the drawing order.
    site_group = _site_group(result, shift, scale, focus)
    site_group.add_to(fmap)
    pair_group = _pair_group(result, shift)
    pair_group.add_to(fmap)
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
    if overlay is not None:
        for group in overlay.groups:
            group.add_to(fmap)
        legend_extra += overlay.legend
    ring_groups = _ring_groups(result, shift, focus)
    for group in ring_groups:
        group.add_to(fmap)
    for role, frame in (
        ("boundary", result.data.boundary),
        ("exclusion", result.data.exclusions),
        ("context", result.data.context),
    ):
        for group in _role_groups(frame, role, shift):
            group.add_to(fmap)

    if routed and (editing or click_score):
        NetworkGraph(_graph_data(result)).add_to(fmap)
    if click_score:
        area = [] if candidates is None else _candidate_extent(candidates)
        ClickScore(
            click_data(result, datum=datum, extra=area),
            result.parameters.decay.to_js(),
            surface,
        ).add_to(fmap)
    if editing:
        shown = [site_group, pair_group] + [g for g in ring_groups if g.show]
        EditMode(scenario_data(result, datum=datum), result.parameters.decay.to_js(), shown).add_to(
            fmap
        )
    _title_panel(result, candidates, click_score).add_to(fmap)
    notes = _notes(result, choice, offline, _shift_metres(bounds, datum))
    if blocker is not None:
        notes.append(html_text(blocker))
    if editing and candidates is not None:
        notes.append(
            "<b>Edit mode.</b> Editing recomputes the sites, pairs and rings; the candidate "
            "surface and picks show the original plan."
        )
    if candidates is not None:
        notes += _candidate_notes(candidates, surface is not None)
    notes += overlay.notes if overlay is not None else []
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
    edit: bool = True,
    access: AccessResult | None = None,
    force: bool = False,
) -> Path:
    """Write :func:`make_map`'s map of ``result`` to an HTML file, atomically.

    The same result and options give a byte-identical file. The output may
    not be one of the study's input files, nor the candidates' parcels layer;
    an existing read-only output is replaced only with ``force=True``.

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
        edit=edit,
        access=access,
    )
    inputs = result.inputs if candidates is None else input_paths(result.inputs, candidates.inputs)
    return write_text(Path(path), render_map(fmap), inputs=inputs, force=force)
