r"""Building blocks of siteplan's Folium maps: escaping, map elements, offline assets.

Escaping rules (every string a user supplied goes through one of these):

- :func:`html_text` for HTML text and attribute values: ``html.escape`` with
  quotes, plus the backtick, braces and the line separators U+2028/U+2029 as
  entities.
- :func:`js_json` for anything placed inside a ``<script>``: ``json.dumps``
  (ASCII only, so U+2028/U+2029 and lone surrogates come out as ``\uXXXX``)
  with ``<``, ``>``, ``&``, ``'``, the backtick and (inside strings) ``{``
  also written as ``\uXXXX``, so ``</script>`` cannot end the script and
  nothing can open a template literal. JavaScript never builds HTML by
  concatenating user text: popups and tooltips are HTML built here with
  :func:`html_text` and handed over as JSON strings.

Folium's ``Popup``, ``Tooltip``, ``GeoJsonTooltip`` and ``GeoJsonPopup`` insert
raw HTML. Worse, branca's ``MacroElement.render`` wraps every macro's *output*
in ``Element(output)``, which compiles it as a Jinja template (not sandboxed):
user text that reaches a folium template with ``{{ ... }}`` in it is evaluated
as Python at render time. Escaping ``{`` (an entity in HTML, ``\u007b`` in
JSON strings) keeps it inert, because every Jinja delimiter starts with ``{``;
siteplan escapes it in everything it hands to folium. The elements here are
small template classes whose templates are constants: user text only enters as
*values*.

Determinism: branca gives every element a random id; :func:`renumber` replaces
them with counters so the same result renders to the same bytes.
"""

from __future__ import annotations

import base64
import functools
import html
import itertools
import json
import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Final

import folium
from branca.element import Element, MacroElement
from folium.template import Template

__all__ = [
    "HELPERS_JS",
    "STYLE_CSS",
    "ClickScore",
    "FeatureLayer",
    "Panel",
    "Panes",
    "RawHtml",
    "SurfaceLayer",
    "clean_text",
    "html_text",
    "inert_js",
    "js_json",
    "leaflet_assets",
    "renumber",
]

_UNPRINTABLE: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_JS_ESCAPES: Final = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "'": "\\u0027",
    "`": "\\u0060",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_JS_ESCAPE_RE: Final = re.compile("[<>&'`\u2028\u2029]")
_JSON_STRING_RE: Final = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_ESCAPE_PAIR_RE: Final = re.compile(r"\\(.)")
_HTML_EXTRA: Final = {
    "`": "&#96;",
    "{": "&#123;",
    "}": "&#125;",
    "\u2028": "&#8232;",
    "\u2029": "&#8233;",
}
_HTML_EXTRA_RE: Final = re.compile("[`{}\u2028\u2029]")


def clean_text(value: object) -> str:
    """Return ``value`` as display text.

    None and NaN become ``""``; lone surrogates (which cannot be written as
    UTF-8) and control characters other than tab and newlines become U+FFFD.
    """
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return _UNPRINTABLE.sub("\ufffd", str(value))


def html_text(value: object) -> str:
    """Return ``value`` escaped for HTML text or a quoted attribute value.

    Examples
    --------
    >>> html_text('<img src=x onerror="alert(1)">`')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#96;'
    """
    return _HTML_EXTRA_RE.sub(
        lambda m: _HTML_EXTRA[m.group(0)], html.escape(clean_text(value), quote=True)
    )


def _unicode_quotes(literal: str) -> str:
    r"""Rewrite a JSON string literal's ``\"`` and ``\\`` escapes as ``\u0022`` / ``\u005c``."""
    body = _JSON_ESCAPE_PAIR_RE.sub(
        lambda m: {'"': "\\u0022", "\\": "\\u005c"}.get(m.group(1), m.group(0)), literal[1:-1]
    )
    return f'"{body}"'


def js_json(value: Any, *, quotes: bool = False) -> str:
    r"""Return ``value`` as a JSON literal that is safe anywhere inside a ``<script>``.

    With ``quotes``, double quotes and backslashes inside strings are written as
    ``\u0022`` and ``\u005c`` too, so that raw user text (not HTML built with
    :func:`html_text`) never appears with its quotes in the page.

    Examples
    --------
    >>> js_json({"name": "</script>${x}`"})
    '{"name":"\\u003c/script\\u003e$\\u007bx}\\u0060"}'
    >>> js_json(['\\"'], quotes=True)
    '["\\u005c\\u0022"]'
    """
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    # Braces only in strings: outside them JSON never has "{{", "{%" or "{#".
    text = _JSON_STRING_RE.sub(lambda m: m.group(0).replace("{", "\\u007b"), text)
    if quotes:
        text = _JSON_STRING_RE.sub(lambda m: _unicode_quotes(m.group(0)), text)
    return _JS_ESCAPE_RE.sub(lambda m: _JS_ESCAPES[m.group(0)], text)


def truncate(text: str, limit: int) -> str:
    """Return ``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class RawHtml(Element):
    """A fixed piece of HTML, inserted as is (never compiled as a template).

    Only for HTML built by siteplan (constants, or text from :func:`html_text`).
    """

    def __init__(self, markup: str) -> None:
        super().__init__()
        self._name = "RawHtml"
        self.markup = markup

    def render(self, **kwargs: Any) -> str:  # noqa: ARG002 - branca's signature
        """Return the HTML unchanged."""
        return self.markup


class FeatureLayer(MacroElement):
    """GeoJSON features drawn by ``siteplan.layer`` and added to the parent layer.

    Each feature's properties hold ``style`` (Leaflet path options, including
    ``pane`` and ``className``), and optionally ``tooltip`` / ``popup`` (HTML
    built with :func:`html_text`) or ``label`` (HTML of a DivIcon label drawn
    at a point). The data is embedded with :func:`js_json`.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = siteplan.layer(
                {{ this.data }}, {{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, features: Sequence[dict[str, Any]]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "SiteplanLayer"
        self.features = list(features)
        self.data = js_json({"type": "FeatureCollection", "features": self.features})


class Panel(MacroElement):
    """A box of static HTML placed in a corner of the map as a Leaflet control.

    The HTML is part of the page (so it shows even if scripts fail) and is
    moved into the map's corner by ``siteplan.panel``.
    """

    _template = Template(
        """
        {% macro html(this, kwargs) %}
            <div id={{ this.get_name()|tojson }} class="siteplan-panel {{ this.css_class }}">
            {{ this.body }}
            </div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            siteplan.panel({{ this.get_name()|tojson }}, {{ this.position|tojson }},
                {{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, body: str, *, css_class: str, position: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        if not re.fullmatch(r"[a-z0-9-]+", css_class):
            raise ValueError(f"css_class {css_class!r} must be lower-case letters, digits, -")
        self._name = "SiteplanPanel"
        self.body = body
        self.css_class = css_class
        self.position = position


_JINJA_OR_HTML_RE: Final = re.compile(r"\{\{|\{%|\{#|</|<!--|`")


def inert_js(code: str) -> str:
    """Return siteplan-generated JavaScript after checking it is safe to embed.

    The code goes into a macro whose output branca compiles as a Jinja template,
    inside a ``<script>``: it may hold no Jinja delimiter, no ``</``, no ``<!--``
    and no backtick.

    Raises
    ------
    ValueError
        When the code holds one of them.
    """
    if _JINJA_OR_HTML_RE.search(code):
        raise ValueError(f"generated JavaScript is not safe to embed: {code[:80]!r}")
    return code


class SurfaceLayer(MacroElement):
    """Candidate cells or parcels coloured by score, drawn on a canvas by ``siteplan.surface``.

    ``data`` (embedded with :func:`js_json`): ``pane``, ``palette``, ``lo``, ``hi``,
    ``score``, ``code`` (the excluding constraint's position, -1 when eligible),
    ``constraints`` (their names), ``picks`` (candidate positions in rank order),
    ``block``, and either ``grid`` (``lon0``, ``dlon``, ``lat0``, ``dlat``: the
    lattice of cell corners in millionths of a degree, ``lon0 + dlon[k]``; ``stride``:
    corners per row), ``cells`` (each candidate's lower-left corner) and ``idWidth``,
    or ``shapes`` (per candidate, polygons of flat lon/lat rings) and ``ids``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = siteplan.surface(
                {{ this.data }}, {{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "SiteplanSurface"
        self.data = js_json(data, quotes=True)


class ClickScore(MacroElement):
    """Score any clicked point in the page (``siteplan.clickScore``; see siteplan.maps._clickscore).

    ``data`` comes from :func:`siteplan.maps._clickscore.click_data`, ``decay`` is the
    study's decay as a JavaScript function expression, and ``surface`` the
    :class:`SurfaceLayer` whose candidate a click falls on (optional).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = siteplan.clickScore({{ this._parent.get_name() }},
                {{ this.data }}, {{ this.decay }},
                {{ this.surface.get_name() if this.surface else "null" }});
        {% endmacro %}
        """
    )

    def __init__(
        self, data: dict[str, Any], decay: str, surface: SurfaceLayer | None = None
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "SiteplanClickScore"
        self.data = js_json(data, quotes=True)
        self.decay = inert_js(decay)
        self.surface = surface


class Panes(MacroElement):
    """Map panes (stacking order) for the overlays: rings under sites, labels on top."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            siteplan.panes({{ this._parent.get_name() }}, {{ this.panes_js }});
        {% endmacro %}
        """
    )

    def __init__(self, panes: Iterable[tuple[str, int]]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "SiteplanPanes"
        self.panes_js = js_json([list(p) for p in panes])


HELPERS_JS: Final = """
var siteplan = (function () {
  "use strict";
  function style(feature) { return feature.properties.style; }
  function point(feature, latlng) {
    var p = feature.properties;
    if (p.icon) {
      return L.marker(latlng, {
        pane: p.style.pane, riseOnHover: true,
        icon: L.divIcon({className: p.style.className, html: p.icon,
          iconSize: [26, 26], iconAnchor: [13, 13], popupAnchor: [0, -10]})
      });
    }
    if (p.label) {
      return L.marker(latlng, {
        pane: p.style.pane, interactive: false, keyboard: false,
        icon: L.divIcon({className: p.style.className, html: p.label, iconSize: null})
      });
    }
    return L.circleMarker(latlng, p.style);
  }
  function each(feature, layer) {
    var p = feature.properties;
    if (p.tooltip) {
      layer.bindTooltip(p.tooltip, {sticky: true, className: "siteplan-tooltip"});
    }
    if (p.popup) {
      layer.bindPopup(p.popup, {maxWidth: 380, className: "siteplan-popup"});
      layer.on("click", L.DomEvent.stopPropagation);
    }
  }
  var HATCHES = [
    ["outside_boundary", "#636363"], ["inside_site", "#252525"], ["exclusion", "#b2182b"],
    ["setback", "#e6550d"], ["within", "#6a51a3"], ["beyond", "#3182bd"]
  ];
  function hatches() {
    if (document.getElementById("siteplan-hatches")) { return; }
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("id", "siteplan-hatches");
    svg.setAttribute("width", "0");
    svg.setAttribute("height", "0");
    svg.setAttribute("aria-hidden", "true");
    svg.style.position = "absolute";
    var defs = document.createElementNS(ns, "defs");
    HATCHES.forEach(function (h) {
      var pattern = document.createElementNS(ns, "pattern");
      pattern.setAttribute("id", "siteplan-hatch-" + h[0]);
      pattern.setAttribute("patternUnits", "userSpaceOnUse");
      pattern.setAttribute("width", "8");
      pattern.setAttribute("height", "8");
      pattern.setAttribute("patternTransform", "rotate(45)");
      var rect = document.createElementNS(ns, "rect");
      rect.setAttribute("width", "8");
      rect.setAttribute("height", "8");
      rect.setAttribute("fill", h[1]);
      rect.setAttribute("fill-opacity", "0.10");
      var line = document.createElementNS(ns, "line");
      line.setAttribute("x1", "0");
      line.setAttribute("y1", "0");
      line.setAttribute("x2", "0");
      line.setAttribute("y2", "8");
      line.setAttribute("stroke", h[1]);
      line.setAttribute("stroke-width", "2.5");
      line.setAttribute("stroke-opacity", "0.6");
      pattern.appendChild(rect);
      pattern.appendChild(line);
      defs.appendChild(pattern);
    });
    svg.appendChild(defs);
    document.body.appendChild(svg);
  }
  function flat(ring) {
    var out = [];
    for (var k = 0; k + 1 < ring.length; k += 2) { out.push([ring[k + 1], ring[k]]); }
    return out;
  }
  function inRings(rings, x, y) {
    var inside = false;
    rings.forEach(function (r) {
      for (var k = 0; k + 3 < r.length; k += 2) {
        var ax = r[k], ay = r[k + 1], bx = r[k + 2], by = r[k + 3];
        if ((ay > y) !== (by > y) && x < (bx - ax) * (y - ay) / (by - ay) + ax) {
          inside = !inside;
        }
      }
    });
    return inside;
  }
  function shapeOf(data, i) {
    if (data.grid) {
      var g = data.grid, k = data.cells[i], s = g.stride;
      var corners = [k, k + 1, k + s + 1, k + s, k];
      var ring = [];
      corners.forEach(function (c) { ring.push(g.lon[c], g.lat[c]); });
      return [[ring]];
    }
    return data.shapes[i];
  }
  function pad(value, width) {
    var text = String(value);
    while (text.length < width) { text = "0" + text; }
    return text;
  }
  function candidateId(data, i) {
    if (data.ids) { return data.ids[i]; }
    var k = data.cells[i], s = data.grid.stride;
    return "r" + pad(Math.floor(k / s), data.idWidth) + "c" + pad(k % s, data.idWidth);
  }
  function colour(data, score) {
    var n = data.palette.length;
    var t = data.hi > data.lo ? (score - data.lo) / (data.hi - data.lo) : 1;
    return data.palette[Math.max(0, Math.min(n - 1, Math.round(t * (n - 1))))];
  }
  function textNode(tag, className, text) {
    var el = document.createElement(tag);
    el.className = className;
    el.textContent = text;
    return el;
  }
  return {
    layer: function (data, parent) {
      var hatched = data.features.some(function (f) {
        return String(f.properties.style.fillColor || "").indexOf("url(#siteplan-hatch-") === 0;
      });
      if (hatched) { hatches(); }
      return L.geoJSON(data, {style: style, pointToLayer: point, onEachFeature: each})
        .addTo(parent);
    },
    surface: function (data, parent) {
      if (data.grid) {  // lattice corners: whole millionths of a degree from lon0, lat0
        var g = data.grid;
        g.lon = g.dlon.map(function (v) { return (g.lon0 + v) / 1e6; });
        g.lat = g.dlat.map(function (v) { return (g.lat0 + v) / 1e6; });
      }
      var group = L.layerGroup();
      var renderer = L.canvas({pane: data.pane, padding: 0.3});
      var picks = {};
      data.picks.forEach(function (index, r) { picks[index] = r + 1; });
      data.rank = picks;
      data.boxes = [];
      for (var i = 0; i < data.score.length; i += 1) {
        var shape = shapeOf(data, i), box = [Infinity, Infinity, -Infinity, -Infinity];
        shape.forEach(function (polygon) {
          polygon.forEach(function (r) {
            for (var k = 0; k + 1 < r.length; k += 2) {
              box = [Math.min(box[0], r[k]), Math.min(box[1], r[k + 1]),
                Math.max(box[2], r[k]), Math.max(box[3], r[k + 1])];
            }
          });
        });
        data.boxes.push(box);
        if (data.code[i] >= 0) { continue; }
        var fill = colour(data, data.score[i]);
        var options = {renderer: renderer, interactive: false, color: fill, weight: 1,
          opacity: 1, fillColor: fill, fillOpacity: 1};
        if (shape.length === 1 && shape[0].length === 1 && shape[0][0].length === 2) {
          options.radius = 5;
          L.circleMarker([shape[0][0][1], shape[0][0][0]], options).addTo(group);
        } else {
          L.polygon(shape.map(function (polygon) { return polygon.map(flat); }), options)
            .addTo(group);
        }
      }
      group.siteplanData = data;
      group.addTo(parent);
      return group;
    },
    surfaceInfo: function (group, latlng) {
      var data = group.siteplanData, x = latlng.lng, y = latlng.lat, found = -1;
      for (var i = 0; i < data.boxes.length && found < 0; i += 1) {
        var b = data.boxes[i];
        if (x < b[0] || y < b[1] || x > b[2] || y > b[3]) { continue; }
        var shape = shapeOf(data, i);
        for (var p = 0; p < shape.length; p += 1) {
          if (inRings(shape[p], x, y)) { found = i; break; }
        }
      }
      if (found < 0) { return null; }
      var box = document.createElement("div");
      box.className = "siteplan-score-candidate";
      var what = data.block > 1 ? "Display block of up to " + data.block + " \\u00d7 " +
        data.block + " cells: best score " : "Candidate " + candidateId(data, found) +
        " (measured from its centre): score ";
      var text = what + data.score[found].toFixed(1);
      if (data.rank[found]) { text += ", pick " + data.rank[found]; }
      if (data.code[found] >= 0) { text += "; excluded by " + data.constraints[data.code[found]]; }
      box.appendChild(textNode("span", "", text));
      if (data.block <= 1) { box.setAttribute("data-candidate-index", String(found)); }
      box.setAttribute("data-candidate-score", String(data.score[found]));
      return box;
    },
    panes: function (map, panes) {
      panes.forEach(function (pane) {
        map.createPane(pane[0]).style.zIndex = String(pane[1]);
      });
    },
    panel: function (id, position, map) {
      var el = document.getElementById(id);
      if (!el) { return; }
      var control = L.control({position: position});
      control.onAdd = function () {
        L.DomEvent.disableClickPropagation(el);
        L.DomEvent.disableScrollPropagation(el);
        return el;
      };
      control.addTo(map);
    }
  };
}());
"""

STYLE_CSS: Final = """
.siteplan-panel { background: rgba(255, 255, 255, 0.93); padding: 6px 9px;
  border-radius: 5px; box-shadow: 0 1px 5px rgba(0, 0, 0, 0.35);
  font: 12px/1.4 "Helvetica Neue", Arial, sans-serif; color: #222; max-width: 330px; }
.siteplan-title h1 { font-size: 14px; margin: 0 0 2px 0; overflow-wrap: anywhere; }
.siteplan-note { border-left: 4px solid #d95f02; }
.siteplan-note p { margin: 2px 0; overflow-wrap: anywhere; }
.siteplan-legend .siteplan-ramp { height: 10px; width: 220px; border: 1px solid #888; }
.siteplan-legend .siteplan-ticks { display: flex; justify-content: space-between; width: 222px; }
.siteplan-legend .siteplan-key { display: inline-block; width: 18px; height: 10px;
  margin-right: 5px; vertical-align: middle; }
.siteplan-legend p { margin: 3px 0; }
.siteplan-pair-label span { position: absolute; transform: translate(-50%, -50%);
  white-space: nowrap; background: rgba(255, 255, 255, 0.88); border: 1px solid #555;
  border-radius: 3px; padding: 0 3px; font: 11px/1.3 Arial, sans-serif; color: #111; }
.siteplan-info { max-height: 320px; overflow: auto; overflow-wrap: anywhere; }
.siteplan-info .siteplan-name { font-weight: bold; font-size: 13px; }
.siteplan-info table { border-collapse: collapse; margin-top: 4px; }
.siteplan-info th { text-align: left; vertical-align: top; padding: 1px 8px 1px 0;
  white-space: nowrap; color: #555; font-weight: normal; }
.siteplan-info td { vertical-align: top; padding: 1px 0; }
.siteplan-tooltip { width: max-content; max-width: 320px; white-space: normal;
  overflow-wrap: break-word; }
.leaflet-siteplan-surface-pane { opacity: 0.62; }
path.leaflet-interactive:focus:not(:focus-visible) { outline: none; }
.siteplan-pick { background: #08306b; color: #fff; border: 2px solid #fff; border-radius: 50%;
  box-shadow: 0 1px 4px rgba(0, 0, 0, 0.6); font: bold 12px/22px Arial, sans-serif;
  text-align: center; }
.siteplan-legend .siteplan-pick-key { width: 16px; height: 16px; border-radius: 50%;
  background: #08306b; color: #fff; font: bold 10px/16px Arial, sans-serif;
  text-align: center; }
.siteplan-legend hr { border: 0; border-top: 1px solid #ccc; margin: 5px 0; }
.siteplan-score table { margin-top: 3px; }
.siteplan-score td { padding-right: 8px; }
.siteplan-score-candidate, .siteplan-score-how, .siteplan-score-approx { margin-top: 4px; }
.siteplan-score-how { color: #555; font-size: 11px; }
.siteplan-score-approx { color: #a63603; font-size: 11px; }
"""


def renumber(root: Element, prefix: str = "sp") -> None:
    """Give every element under ``root`` a counter-based id, in tree order.

    branca ids are random; renumbering makes the rendered HTML identical for
    identical inputs. Elements held as attributes (e.g. a MiniMap's tile
    layer) are renumbered too.
    """
    counter = itertools.count(1)
    seen: set[int] = set()
    stack: list[Element] = [root]
    while stack:
        element = stack.pop()
        if id(element) in seen:
            continue
        seen.add(id(element))
        element._id = f"{prefix}{next(counter):04d}"
        children: list[Element] = [
            value
            for key, value in vars(element).items()
            if isinstance(value, Element) and key != "_parent"
        ]
        children.extend(element._children.values())
        stack.extend(reversed(children))


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


@functools.cache
def leaflet_assets() -> tuple[str, str]:
    """Return Leaflet's JavaScript and CSS from the XStatic-Leaflet package.

    The CSS's images (layer-control icon, default marker) are embedded as data
    URIs and the source-map comment is dropped, so the page fetches nothing.
    """
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


def leaflet_version() -> str:
    """Return the version of the embedded Leaflet (from XStatic-Leaflet)."""
    import xstatic.pkg.leaflet as xleaflet

    return str(xleaflet.VERSION)


def leaflet_cdn() -> tuple[tuple[str, str], tuple[str, str]]:
    """Return folium's CDN entries for Leaflet's JavaScript and CSS (online maps)."""
    js = dict(folium.Map.default_js)["leaflet"]
    css = dict(folium.Map.default_css)["leaflet_css"]
    return ("leaflet", js), ("leaflet_css", css)
