r"""Edit mode: plan in the page (move, add and remove sites, change weights), offline.

An editable map carries the study's sites in its metric CRS and scores them in the
page as :func:`siteplan.analyze` does for the straight-line measures (``edge``:
footprint to footprint, 0 when they touch or overlap; ``centroid``), with the same
decay, weighted-mean site scores, rank rule (ties within 1e-9 broken by id in
code-point order) and cluster score. The page's code is ``static/scenario.js`` (the
maths and the state, exposed as ``window.siteplan.scenario``; see the "Scenario page
API" in DESIGN.md) and ``static/scenario_ui.js`` (the handles, the panel and the
download). :func:`scenario_data` builds what the page needs; :class:`EditMode` is the
map element that starts it.

Network measures (``network``, ``time``) route along the study's roads in the page
(``static/network.js``, a Dijkstra with a binary heap on the embedded graph, see
:mod:`siteplan.maps.network_data`), with the rules of :func:`siteplan.analyze`: a site
joins at the nearest point of the nearest segment from its footprint (or its entrances),
the connector is walked, ``drive`` honours one-way segments, a site farther than
``snap_max_m`` is unreachable, and a pair is the mean of both directions (unreachable
pairs score 0). Sites that are not moved join where Python joined them, entrances
included; a moved or added site joins from its (moved) footprint: its entrances do not
move with it and are no longer used (the downloaded scenario keeps the study's
entrance layer, so ``siteplan compare`` still routes it through them). After a move
or an add, that site's rings are redrawn along the roads (``static/reach.js``: the
reached pieces of :mod:`siteplan.measure.network.isochrones`, drawn as lines rather
than 50 m buffers); a removed site's disappear, and a reset shows Python's again.
On networks of :data:`~siteplan.maps.network_data.MAX_PAGE_EDGES` segments or more,
editing is off and :func:`~siteplan.maps.network_data.network_blocker` gives the note
that says why.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Final

import branca.colormap
import numpy as np
import shapely
from folium.template import Template

from siteplan.maps.clickscore import _extent, _rings, projection_for
from siteplan.maps.elements import InertMacro
from siteplan.maps.escape import clean_text, inert_js, js_json
from siteplan.maps.features import COLOUR_SCALE

if TYPE_CHECKING:
    import folium

    from siteplan.analysis import Result

__all__ = ["NETWORK_MEASURES", "STRAIGHT_MEASURES", "EditMode", "edit_blocker", "scenario_data"]

#: The measures the page can recompute.
STRAIGHT_MEASURES: Final = ("edge", "centroid")
#: The measures the page routes along the embedded road network.
NETWORK_MEASURES: Final = ("network", "time")
_COORD_DECIMALS: Final = 3  # metric coordinates in the page: millimetres
# network measures: micrometres, so a moved footprint's travel time matches Python's to 1e-6 min
_NETWORK_DECIMALS: Final = 6
_BUNDLED: Final = "bundled:simz"
_COMPUTED: Final = frozenset(
    {
        "id",
        "name",
        "weight",
        "geometry",
        "layer",
        "area_m2",
        "geodesic_area_m2",
        "score",
        "rank",
        "nearest_id",
        "nearest_m",
    }
)


def edit_blocker(measure: str) -> str | None:
    """Return why a map of a study scored with ``measure`` cannot be edited (None: it can).

    Examples
    --------
    >>> edit_blocker("edge") is None
    True
    >>> edit_blocker("time") is None
    True
    """
    if measure in STRAIGHT_MEASURES or measure in NETWORK_MEASURES:
        return None
    return f"Editing is off: the page cannot recompute the measure {measure!r}."


def _properties(row: Any) -> dict[str, Any]:
    """Return a site's own properties that are plain text, numbers or booleans."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in _COMPUTED or not isinstance(key, str):
            continue
        if isinstance(value, bool | np.bool_):
            out[key] = bool(value)
        elif isinstance(value, int | float | np.integer | np.floating):
            if math.isfinite(float(value)):
                out[key] = value.item() if isinstance(value, np.generic) else value
        elif isinstance(value, str):
            out[key] = clean_text(value)
    return out


def _base(result: Result) -> str | None:
    """Return how the downloaded study names this one: ``bundled:simz``, a path, or None."""
    study = result.study
    if study.path is None:
        return None
    if study.is_bundled:
        return _BUNDLED
    return str(study.path.resolve())


def _palette() -> list[str]:
    scale = getattr(branca.colormap.linear, COLOUR_SCALE).scale(0, 100)
    return [str(scale.rgb_hex_str(v)) for v in np.linspace(0, 100, 11)]


def _site_entries(result: Result, origin: np.ndarray) -> list[dict[str, Any]]:
    decimals = _COORD_DECIMALS if result.network is None else _NETWORK_DECIMALS
    sites = result.sites_m.sort_values("id", kind="stable", ignore_index=True)
    wgs = result.sites.set_index(result.sites["id"].astype(str))
    # columns as lists and rows as plain Series once: pandas indexing per site is the cost
    ids = [str(v) for v in sites["id"]]
    names, weights = sites["name"].tolist(), sites["weight"].to_numpy(dtype=float)
    metrics = shapely.orient_polygons(np.asarray(sites.geometry.array, dtype=object))
    lonlats = dict(zip(wgs.index, shapely.orient_polygons(wgs.geometry.array), strict=True))
    rows = dict(zip(wgs.index, (row for _, row in wgs.iterrows()), strict=True))
    entries = []
    for i, site_id in enumerate(ids):
        metric = metrics[i]
        lonlat = lonlats[site_id]
        centroid = shapely.get_coordinates(shapely.centroid(metric))[0] - origin
        entries.append(
            {
                "id": site_id,
                "name": clean_text(names[i]),
                "weight": float(weights[i]),
                "polygonal": shapely.get_type_id(metric) in (3, 6),
                "rings": [
                    np.round(ring - origin, decimals).ravel().tolist() for ring in _rings(metric)
                ],
                "centroid": np.round(centroid, decimals).tolist(),
                "geometry": shapely.geometry.mapping(lonlat),
                "properties": _properties(rows[site_id]),
            }
        )
    return entries


def scenario_data(result: Result, *, datum: str = "wgs84") -> dict[str, Any]:
    """Return what an editable page needs (JSON-ready; embed it with js_json).

    Parameters
    ----------
    result
        The study's analysis, with a straight-line measure (see :func:`edit_blocker`).
    datum
        The datum the map's overlays are drawn in (``gcj02`` on Amap tiles).

    Returns
    -------
    dict
        ``crs``, ``projection`` (:func:`siteplan.maps.clickscore.projection_for`),
        ``datum``, ``origin`` (metric coordinates are relative to it), ``centre``
        (lon, lat), ``measure``, ``rings_m``, ``decay`` (kind and parameters),
        ``palette`` (11 colours from score 0 to 100), ``study`` (``name``, ``base``,
        ``crs``, ``focus``, ``scoring``, ``schematic``) and ``sites`` (id order:
        ``id``, ``name``, ``weight``, ``polygonal``, ``rings`` and ``centroid`` in
        metres, ``geometry`` in WGS84 as GeoJSON, ``properties``).
    """
    geoms = np.asarray(result.sites_m.geometry.array, dtype=object)
    west, south, east, north = (float(v) for v in shapely.total_bounds(geoms))
    origin = np.round(np.array([(west + east) / 2, (south + north) / 2]), 0)
    bounds = _extent(result, [])
    decay = result.parameters.decay
    # the study file's [scoring] keys only: the unit follows from the measure
    network = dict(result.parameters.network or {})
    scoring = {
        k: v for k, v in result.parameters.as_dict().items() if k != "unit" and k not in network
    }
    return {
        "crs": result.crs_name,
        "projection": projection_for(result.crs, bounds),
        "datum": datum,
        "origin": origin.tolist(),
        "centre": [(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2],
        "measure": result.parameters.measure,
        "rings_m": list(result.parameters.rings_m),
        "decay": {"kind": decay.kind, "params": dict(decay.params)},
        "palette": _palette(),
        "study": {
            "name": clean_text(result.name),
            "base": _base(result),
            "crs": result.crs_name,
            "focus": result.study.focus,
            "scoring": scoring,
            "schematic": bool(result.schematic),
            # the study file's [network] keys (network measures only)
            **({"network": network} if network else {}),
        },
        "sites": _site_entries(result, origin),
        # network measures only (straight-line pages stay as they were)
        **(
            {}
            if result.network is None
            else {"unit": result.parameters.unit, "network": _network_places(result)}
        ),
    }


def _network_places(result: Result) -> list[list[dict[str, Any]]]:
    # lazy: only maps of network measures need the graph's snapping (scipy, shapely trees)
    from siteplan.maps.network_data import scenario_network_data

    sites = result.sites_m.sort_values("id", kind="stable", ignore_index=True)
    return scenario_network_data(result, sites)


class EditMode(InertMacro):
    """Start the page's edit mode (``siteplan.editMap`` in ``static/scenario_ui.js``).

    ``data`` comes from :func:`scenario_data`, ``decay`` is the study's decay as a
    JavaScript function expression, and ``hidden`` the map's drawn site, pair and ring
    layers, which the page hides while the plan differs from the original.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            siteplan.editMap({{ this._parent.get_name() }}, {{ this.data }}, {{ this.decay }},
                [{% for layer in this.hidden %}{{ layer.get_name() }}, {% endfor %}]);
        {% endmacro %}
        """
    )

    def __init__(self, data: dict[str, Any], decay: str, hidden: list[folium.FeatureGroup]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "SiteplanEditMode"
        self.data = js_json(data, quotes=True)
        self.decay = inert_js(decay)
        self.hidden = list(hidden)
