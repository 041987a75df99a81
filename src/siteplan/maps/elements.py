r"""Map elements: small folium template classes whose templates are constants.

User text only enters these elements as *values*, escaped with
:mod:`siteplan.maps.escape` (branca compiles a macro's output as a Jinja
template, so a template that interpolated user text would evaluate it). Each
element calls a function of ``siteplan`` (``static/helpers.js``,
``static/clickscore.js``) with its data as JSON.

Determinism: branca gives every element a random id; :func:`renumber` replaces
them with counters so the same result renders to the same bytes.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from typing import Any, Final

from branca.element import Element, Figure, MacroElement
from folium.template import Template

from siteplan.maps.escape import inert_js, js_json

__all__ = [
    "ClickScore",
    "FeatureLayer",
    "InertMacro",
    "NetworkGraph",
    "Panel",
    "Panes",
    "RawHtml",
    "SurfaceLayer",
    "renumber",
]


class RawHtml(Element):
    """A fixed piece of HTML, inserted as is (never compiled as a template).

    Only for HTML built by siteplan (constants, or text from
    :func:`~siteplan.maps.escape.html_text`).
    """

    def __init__(self, markup: str) -> None:
        super().__init__()
        self._name = "RawHtml"
        self.markup = markup

    def render(self, **kwargs: Any) -> str:  # noqa: ARG002 - branca's signature
        """Return the HTML unchanged."""
        return self.markup


#: What starts a Jinja tag, expression or comment (the default delimiters).
_JINJA_START: Final = re.compile(r"\{[{%#]")
_NEWLINE: Final = re.compile(r"\r\n|\r|\n")


def _as_template_output(text: str) -> Element:
    r"""Return an element that renders as ``Element(text)`` renders, compiling only when needed.

    branca compiles a macro's output as a Jinja template. Text without a Jinja
    delimiter renders as itself, less what Jinja's lexer changes: line breaks
    become ``\n`` and one trailing line break is dropped. That is done here
    directly, without compiling MB of map data.
    """
    if _JINJA_START.search(text):
        return Element(text)
    lines = _NEWLINE.split(text)
    if lines[-1] == "":
        del lines[-1]
    return RawHtml("\n".join(lines))


class InertMacro(MacroElement):
    """A macro element whose macros' output is not compiled again as a template when plain.

    Renders as :class:`branca.element.MacroElement` does (header, html and
    script macros into the figure, then the children), through
    :func:`_as_template_output`.
    """

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # as MacroElement.render
        """Add the macros' output to the figure, then render the children."""
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError("an element renders only inside a branca Figure")
        for part, target in (
            ("header", figure.header),
            ("html", figure.html),
            ("script", figure.script),
        ):
            macro = self._template.module.__dict__.get(part)
            if macro is not None:
                target.add_child(_as_template_output(macro(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


class FeatureLayer(InertMacro):
    """GeoJSON features drawn by ``siteplan.layer`` and added to the parent layer.

    Each feature's properties hold ``style`` (Leaflet path options, including
    ``pane`` and ``className``), and optionally ``tooltip`` / ``popup`` (HTML
    built with :func:`~siteplan.maps.escape.html_text`) or ``label`` (HTML of a DivIcon label drawn
    at a point). The data is embedded with :func:`~siteplan.maps.escape.js_json`.
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


class Panel(InertMacro):
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


class SurfaceLayer(InertMacro):
    """Candidate cells or parcels coloured by score, drawn on a canvas by ``siteplan.surface``.

    ``data`` (embedded with :func:`~siteplan.maps.escape.js_json`): ``pane``, ``palette``,
    ``lo``, ``hi``, ``score``, ``code`` (the excluding constraint's position, -1 when eligible),
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


class ClickScore(InertMacro):
    """Score any clicked point in the page (``siteplan.clickScore``; see siteplan.maps.clickscore).

    ``data`` comes from :func:`siteplan.maps.clickscore.click_data`, ``decay`` is the
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


class NetworkGraph(InertMacro):
    """Decode the study's road network for the page (``siteplan.networkGraph``).

    ``data`` comes from :func:`siteplan.maps.network_data.graph_data`; click-to-score
    and the edit mode of a network measure read the graph from there.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            siteplan.networkGraph = siteplan.network.decode({{ this.data }});
        {% endmacro %}
        """
    )

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "SiteplanNetworkGraph"
        self.data = js_json(data, quotes=True)


class Panes(InertMacro):
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
