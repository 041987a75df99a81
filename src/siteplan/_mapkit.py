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
    "FeatureLayer",
    "Panel",
    "Panes",
    "RawHtml",
    "clean_text",
    "html_text",
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


def js_json(value: Any) -> str:
    r"""Return ``value`` as a JSON literal that is safe anywhere inside a ``<script>``.

    Examples
    --------
    >>> js_json({"name": "</script>${x}`"})
    '{"name":"\\u003c/script\\u003e$\\u007bx}\\u0060"}'
    """
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    # Braces only in strings: outside them JSON never has "{{", "{%" or "{#".
    text = _JSON_STRING_RE.sub(lambda m: m.group(0).replace("{", "\\u007b"), text)
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
    }
  }
  return {
    layer: function (data, parent) {
      return L.geoJSON(data, {style: style, pointToLayer: point, onEachFeature: each})
        .addTo(parent);
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
