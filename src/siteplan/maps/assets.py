"""What a map page loads: siteplan's own script and style, and Leaflet.

siteplan's JavaScript and CSS are package files under ``static/``, read with
:mod:`importlib.resources`:

- ``helpers.js`` defines ``siteplan`` (a classic script: ``var siteplan`` is a
  property of ``globalThis``) with the functions the map elements call (layers,
  the candidate surface, panes, panels);
- ``clickscore.js`` adds ``siteplan.clickScore`` (see :mod:`siteplan.maps.clickscore`);
- ``style.css`` styles the panels, labels, popups and candidate markers.

Offline maps embed Leaflet from XStatic-Leaflet (its images as data URIs) and
fetch nothing; online maps link folium's CDN copy.
"""

from __future__ import annotations

import base64
import functools
import re
from importlib.resources import files
from pathlib import Path
from typing import Final

import folium
from branca.element import Figure

from siteplan.maps.elements import RawHtml

__all__ = [
    "STATIC_FILES",
    "add_assets",
    "figure_of",
    "leaflet_assets",
    "leaflet_cdn",
    "static_text",
]

STATIC_FILES: Final = (
    "helpers.js",
    "geometry.js",
    "clickscore.js",
    "network.js",
    "reach.js",
    "scenario.js",
    "scenario_files.js",
    "scenario_ui.js",
    "style.css",
)
"""siteplan's own page files, in the package folder ``siteplan/maps/static``."""

_UNSAFE_IN_PAGE: Final = re.compile(r"</(script|style)|<!--|\{\{|\{%|\{#", re.IGNORECASE)


@functools.cache
def static_text(name: str) -> str:
    """Return one of :data:`STATIC_FILES`, checked to be safe inside a page.

    The files are embedded in ``<script>`` / ``<style>`` elements whose content
    branca compiles as a Jinja template, so they may hold no ``</script>``,
    ``</style>``, ``<!--`` or Jinja delimiter.

    Raises
    ------
    ValueError
        For a name that is not a static file, or a file that is not safe to embed.

    Examples
    --------
    >>> static_text("helpers.js").startswith("var siteplan = ")
    True
    """
    if name not in STATIC_FILES:
        raise ValueError(f"name {name!r} is not one of {', '.join(STATIC_FILES)}")
    text = files("siteplan.maps").joinpath("static", name).read_text(encoding="utf-8")
    if _UNSAFE_IN_PAGE.search(text):
        raise ValueError(f"static file {name} is not safe to embed in a page")
    return text


def figure_of(fmap: folium.Map) -> Figure:
    """Return the page (branca Figure) a map renders into."""
    figure = fmap.get_root()
    assert isinstance(figure, Figure)
    return figure


def add_assets(
    fmap: folium.Map, offline: bool, *, edit: bool = False, network: bool = False
) -> None:
    """Add Leaflet (embedded offline, else from the CDN) and siteplan's script and style.

    ``edit``: also the edit mode's scripts (``scenario.js``, ``scenario_files.js``,
    ``scenario_ui.js``);
    ``network``: the road network's (``network.js``, for network measures; with
    ``edit``, also ``reach.js``, the rings along the roads redrawn after an edit).
    """
    header = figure_of(fmap).header
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
    style = static_text("style.css")
    names = ["helpers.js", "geometry.js", "clickscore.js"]
    if network:
        names.append("network.js")
    if edit:
        names += ["reach.js"] if network else []
        names += ["scenario.js", "scenario_files.js", "scenario_ui.js"]
    code = "\n".join(static_text(name) for name in names)
    header.add_child(RawHtml(f"<style>\n{style}</style>"), name="siteplan_css")
    header.add_child(RawHtml(f"<script>\n{code}</script>"), name="siteplan_js")


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


@functools.cache
def leaflet_assets() -> tuple[str, str]:
    """Return Leaflet's JavaScript and CSS from the XStatic-Leaflet package.

    The CSS's images (layer-control icon, default marker) are embedded as data
    URIs and the source-map comment is dropped, so the page fetches nothing.
    """
    # imported here: only offline maps embed Leaflet
    import xstatic.pkg.leaflet as xleaflet

    base = Path(xleaflet.BASE_DIR)
    script = (base / "leaflet.js").read_text(encoding="utf-8")
    script = re.sub(r"//# sourceMappingURL=\S*", "", script)
    script = re.sub(r"</(script)", r"<\\/\1", script, flags=re.IGNORECASE)
    css = (base / "leaflet.css").read_text(encoding="utf-8")
    css = re.sub(
        r"url\((['\"]?)images/([\w.-]+\.png)\1\)",
        lambda m: f"url({_data_uri(base / 'images' / m.group(2))})",
        css,
    )
    css = re.sub(r"</(style)", r"<\\/\1", css, flags=re.IGNORECASE)
    return script, css


def leaflet_cdn() -> tuple[tuple[str, str], tuple[str, str]]:
    """Return folium's CDN entries for Leaflet's JavaScript and CSS (online maps)."""
    js = dict(folium.Map.default_js)["leaflet"]
    css = dict(folium.Map.default_css)["leaflet_css"]
    return ("leaflet", js), ("leaflet_css", css)
