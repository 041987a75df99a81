"""QGIS QML and OGC SLD 1.1 (Symbology Encoding) documents from one style description.

:mod:`siteplan.render.styles` describes each exported layer's style as a
:class:`StyleSpec` (a renderer, its classes, a label); :func:`qml` and
:func:`sld` write it as QGIS and as other GIS software read it. Documents are
built with :mod:`xml.etree.ElementTree`, which escapes text and attributes;
:func:`clean` replaces what XML 1.0 cannot hold. The colour scales are the
map's branca scales (same stops, same interpolation).
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Final, Literal

__all__ = [
    "SCALES",
    "Geometry",
    "Label",
    "Paint",
    "StyleClass",
    "StyleSpec",
    "clean",
    "qgis_colour",
    "qml",
    "scale_colour",
    "sld",
]

#: Colour stops of the map's scales (branca's ``linear.viridis`` and ``linear.YlOrRd_09``).
SCALES: Final[dict[str, tuple[str, ...]]] = {
    "viridis": (
        "#440154",
        "#481567",
        "#482677",
        "#453781",
        "#404788",
        "#39568c",
        "#33638d",
        "#2d708e",
        "#287d8e",
        "#238a8d",
        "#1f968b",
        "#20a387",
        "#29af7f",
        "#3cbb75",
        "#55c667",
        "#73d055",
        "#95d840",
        "#b8de29",
        "#dce319",
        "#fde725",
    ),
    "YlOrRd_09": (
        "#ffffcc",
        "#ffeda0",
        "#fed976",
        "#feb24c",
        "#fd8d3c",
        "#fc4e2a",
        "#e31a1c",
        "#bd0026",
        "#800026",
    ),
}
#: The date written to ``update_time`` (as GDAL's dates in the export are fixed).
_QGIS_VERSION: Final = "3.22.0-Białowieża"
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SLD_NAMESPACES: Final = (
    ("xmlns", "http://www.opengis.net/sld"),
    ("xmlns:ogc", "http://www.opengis.net/ogc"),
    ("xmlns:se", "http://www.opengis.net/se"),
    ("xmlns:xlink", "http://www.w3.org/1999/xlink"),
    ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
    ("version", "1.1.0"),
    (
        "xsi:schemaLocation",
        "http://www.opengis.net/sld http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd",
    ),
)

Geometry = Literal["point", "line", "polygon"]


@dataclass(frozen=True)
class Paint:
    """How one class of features is drawn (colours as ``#rrggbb``)."""

    fill: str | None = None
    fill_opacity: float = 1.0
    stroke: str = "#252525"
    stroke_width: float = 0.3  # millimetres
    dashed: bool = False
    hatch: bool = False
    size: float = 2.0  # marker diameter, millimetres


@dataclass(frozen=True)
class Label:
    """A label: a QGIS expression and its SLD equivalent (fields and literal text)."""

    expression: str
    sld: tuple[tuple[Literal["field", "text"], str], ...]
    colour: str = "#252525"
    size: float = 8.0
    bold: bool = False
    placement: int = 0  # QGIS: 0 around point, 1 over point, 2 along line
    is_expression: bool = True  # False: ``expression`` is a field name


@dataclass(frozen=True)
class StyleClass:
    """A class of a graduated (``lower``/``upper``) or categorized (``value``) renderer."""

    label: str
    paint: Paint
    lower: float = 0.0
    upper: float = 0.0
    value: str = ""


@dataclass(frozen=True)
class StyleSpec:
    table: str
    geometry: Geometry
    title: str
    kind: Literal["single", "graduated", "categorized"]
    classes: tuple[StyleClass, ...]
    attribute: str = ""
    label: Label | None = None
    ramp: str | None = None


# -- colours --------------------------------------------------------------------------


def scale_colour(scale: str, value: float, lo: float = 0.0, hi: float = 100.0) -> str:
    """Return the ``#rrggbb`` colour of ``value`` on a map scale spanning ``lo`` to ``hi``.

    The same stops and linear interpolation as branca's ``LinearColormap``
    (``getattr(branca.colormap.linear, scale).scale(lo, hi).rgb_hex_str(value)``).

    Examples
    --------
    >>> scale_colour("viridis", 0), scale_colour("viridis", 100)
    ('#440154', '#fde725')
    """
    stops = [_rgb(c) for c in SCALES[scale]]
    n = len(stops)
    index = [lo + (hi - lo) * (i * 1.0 / (n - 1) - 0.0) * 1.0 / (1.0 - 0.0) for i in range(n)]
    if value <= index[0]:
        rgb = stops[0]
    elif value >= index[-1]:
        rgb = stops[-1]
    else:
        i = len([u for u in index if u < value])
        p = (value - index[i - 1]) * 1.0 / (index[i] - index[i - 1])
        a, b = stops[i - 1], stops[i]
        rgb = ((1 - p) * a[0] + p * b[0], (1 - p) * a[1] + p * b[1], (1 - p) * a[2] + p * b[2])
    return "#{:02x}{:02x}{:02x}".format(*(int(u * 255.9999) for u in rgb))


def _rgb(colour: str) -> tuple[float, float, float]:
    return (
        int(colour[1:3], 16) / 255.0,
        int(colour[3:5], 16) / 255.0,
        int(colour[5:7], 16) / 255.0,
    )


def qgis_colour(colour: str, opacity: float = 1.0) -> str:
    """Return ``r,g,b,a`` (0 to 255) as QGIS writes colours."""
    red, green, blue = (int(colour[k : k + 2], 16) for k in (1, 3, 5))
    return f"{red},{green},{blue},{round(opacity * 255)}"


# -- QML (QGIS) -----------------------------------------------------------------------


def qml(spec: StyleSpec) -> str:
    root = ET.Element(
        "qgis",
        {
            "version": _QGIS_VERSION,
            "styleCategories": "Symbology|Labeling",
            "labelsEnabled": "1" if spec.label is not None else "0",
        },
    )
    root.append(_qml_renderer(spec))
    if spec.label is not None:
        root.append(_qml_labeling(spec.label, spec.geometry))
    ET.SubElement(root, "blendMode").text = "0"
    ET.SubElement(root, "featureBlendMode").text = "0"
    ET.SubElement(root, "layerOpacity").text = "1"
    kind = {"point": "0", "line": "1", "polygon": "2"}[spec.geometry]
    ET.SubElement(root, "layerGeometryType").text = kind
    body = ET.tostring(root, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n"


def _qml_renderer(spec: StyleSpec) -> ET.Element:
    attrs = {"forceraster": "0", "symbollevels": "0", "enableorderby": "0"}
    if spec.kind == "single":
        renderer = ET.Element("renderer-v2", {"type": "singleSymbol", **attrs})
        symbols = ET.SubElement(renderer, "symbols")
        symbols.append(_qml_symbol(spec.classes[0].paint, "0", spec.geometry))
        return renderer
    if spec.kind == "graduated":
        renderer = ET.Element(
            "renderer-v2",
            {
                "type": "graduatedSymbol",
                "attr": spec.attribute,
                "graduatedMethod": "GraduatedColor",
                **attrs,
            },
        )
        items = ET.SubElement(renderer, "ranges")
        for k, cls in enumerate(spec.classes):
            ET.SubElement(
                items,
                "range",
                {
                    "lower": f"{cls.lower:.15f}",
                    "upper": f"{cls.upper:.15f}",
                    "symbol": str(k),
                    "label": clean(cls.label),
                    "render": "true",
                },
            )
    else:
        renderer = ET.Element(
            "renderer-v2", {"type": "categorizedSymbol", "attr": spec.attribute, **attrs}
        )
        items = ET.SubElement(renderer, "categories")
        for k, cls in enumerate(spec.classes):
            ET.SubElement(
                items,
                "category",
                {
                    "value": clean(cls.value),
                    "symbol": str(k),
                    "label": clean(cls.label),
                    "render": "true",
                },
            )
    symbols = ET.SubElement(renderer, "symbols")
    for k, cls in enumerate(spec.classes):
        symbols.append(_qml_symbol(cls.paint, str(k), spec.geometry))
    if spec.ramp is not None:
        renderer.append(_qml_ramp(spec.ramp))
    if spec.kind == "graduated":
        method = ET.SubElement(renderer, "classificationMethod", {"id": "EqualInterval"})
        ET.SubElement(
            method,
            "labelFormat",
            {"format": "%1 - %2", "labelprecision": "1", "trimtrailingzeroes": "1"},
        )
    return renderer


def _qml_ramp(scale: str) -> ET.Element:
    stops = SCALES[scale]
    inner = ":".join(
        f"{k / (len(stops) - 1):.6g};{qgis_colour(c)}" for k, c in enumerate(stops[1:-1], 1)
    )
    ramp = ET.Element("colorramp", {"type": "gradient", "name": "[source]"})
    _options(
        ramp,
        {
            "color1": qgis_colour(stops[0]),
            "color2": qgis_colour(stops[-1]),
            "discrete": "0",
            "rampType": "gradient",
            "stops": inner,
        },
    )
    return ramp


def _qml_symbol(paint: Paint, name: str, geometry: Geometry) -> ET.Element:
    kind = {"point": "marker", "line": "line", "polygon": "fill"}[geometry]
    symbol = ET.Element(
        "symbol",
        {"type": kind, "name": name, "alpha": "1", "clip_to_extent": "1", "force_rhr": "0"},
    )
    stroke = qgis_colour(paint.stroke)
    width = f"{paint.stroke_width:g}"
    line_style = "dash" if paint.dashed else "solid"
    if geometry == "point":
        props = {
            "name": "circle",
            "color": qgis_colour(paint.fill or "#ffffff", paint.fill_opacity),
            "outline_color": stroke,
            "outline_style": "solid",
            "outline_width": width,
            "outline_width_unit": "MM",
            "size": f"{paint.size:g}",
            "size_unit": "MM",
        }
        _symbol_layer(symbol, "SimpleMarker", props)
    elif geometry == "line":
        props = {
            "line_color": stroke,
            "line_style": line_style,
            "line_width": width,
            "line_width_unit": "MM",
            "capstyle": "round",
        }
        _symbol_layer(symbol, "SimpleLine", props)
    elif paint.hatch:
        hatch = {
            "angle": "45",
            "color": stroke,
            "distance": "2",
            "distance_unit": "MM",
            "line_width": width,
            "line_width_unit": "MM",
        }
        _symbol_layer(symbol, "LinePatternFill", hatch)
        outline = {"line_color": stroke, "line_width": width, "line_width_unit": "MM"}
        _symbol_layer(symbol, "SimpleLine", outline)
    else:
        props = {
            "color": qgis_colour(paint.fill or "#ffffff", paint.fill_opacity),
            "style": "solid" if paint.fill else "no",
            "outline_color": stroke,
            "outline_style": line_style if paint.stroke_width > 0 else "no",
            "outline_width": width,
            "outline_width_unit": "MM",
            "joinstyle": "bevel",
        }
        _symbol_layer(symbol, "SimpleFill", props)
    return symbol


def _symbol_layer(symbol: ET.Element, cls: str, props: dict[str, str]) -> None:
    layer = ET.SubElement(symbol, "layer", {"class": cls, "enabled": "1", "locked": "0"})
    layer.set("pass", "0")
    _options(layer, props)


def _options(parent: ET.Element, values: dict[str, str]) -> None:
    """Add QGIS's ``<Option type="Map">`` with ``values`` (sorted, as QGIS writes them)."""
    mapping = ET.SubElement(parent, "Option", {"type": "Map"})
    for key in sorted(values):
        ET.SubElement(mapping, "Option", {"type": "QString", "name": key, "value": values[key]})


def _qml_labeling(label: Label, geometry: Geometry) -> ET.Element:
    labeling = ET.Element("labeling", {"type": "simple"})
    settings = ET.SubElement(labeling, "settings", {"calloutType": "simple"})
    style = ET.SubElement(
        settings,
        "text-style",
        {
            "fieldName": label.expression,
            "isExpression": "1" if label.is_expression else "0",
            "fontFamily": "Sans Serif",
            "fontSize": f"{label.size:g}",
            "fontSizeUnit": "Point",
            "fontWeight": "75" if label.bold else "50",
            "textColor": qgis_colour(label.colour),
            "textOpacity": "1",
        },
    )
    ET.SubElement(
        style,
        "text-buffer",
        {
            "bufferDraw": "1",
            "bufferSize": "0.8",
            "bufferSizeUnits": "MM",
            "bufferColor": "255,255,255,255",
            "bufferOpacity": "0.85",
        },
    )
    placement = label.placement if geometry != "line" else 2
    ET.SubElement(
        settings,
        "placement",
        {"placement": str(placement), "placementFlags": "10", "dist": "0", "priority": "5"},
    )
    ET.SubElement(
        settings,
        "rendering",
        {"drawLabels": "1", "obstacle": "1", "displayAll": "1", "upsidedownLabels": "0"},
    )
    return labeling


# -- SLD 1.1 / Symbology Encoding (as QGIS exports it) ---------------------------------


def sld(spec: StyleSpec) -> str:
    root = ET.Element("StyledLayerDescriptor", dict(_SLD_NAMESPACES))
    layer = ET.SubElement(root, "NamedLayer")
    ET.SubElement(layer, "se:Name").text = spec.table
    user = ET.SubElement(layer, "UserStyle")
    ET.SubElement(user, "se:Name").text = spec.table
    description = ET.SubElement(user, "se:Description")
    ET.SubElement(description, "se:Title").text = clean(spec.title)
    feature_style = ET.SubElement(user, "se:FeatureTypeStyle")
    for k, cls in enumerate(spec.classes):
        rule = ET.SubElement(feature_style, "se:Rule")
        ET.SubElement(rule, "se:Name").text = clean(cls.label)
        title = ET.SubElement(ET.SubElement(rule, "se:Description"), "se:Title")
        title.text = clean(cls.label)
        if spec.kind == "graduated":
            rule.append(_sld_range(spec.attribute, cls, first=k == 0))
        elif spec.kind == "categorized":
            rule.append(_sld_equal(spec.attribute, cls.value))
        _sld_symbolizers(rule, cls.paint, spec.geometry)
    if spec.label is not None:
        _sld_label(ET.SubElement(feature_style, "se:Rule"), spec.label, spec.geometry)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _sld_range(attribute: str, cls: StyleClass, *, first: bool) -> ET.Element:
    filt = ET.Element("ogc:Filter")
    both = ET.SubElement(filt, "ogc:And")
    low = "ogc:PropertyIsGreaterThanOrEqualTo" if first else "ogc:PropertyIsGreaterThan"
    for tag, value in ((low, cls.lower), ("ogc:PropertyIsLessThanOrEqualTo", cls.upper)):
        test = ET.SubElement(both, tag)
        ET.SubElement(test, "ogc:PropertyName").text = attribute
        ET.SubElement(test, "ogc:Literal").text = _number(value)
    return filt


def _sld_equal(attribute: str, value: str) -> ET.Element:
    filt = ET.Element("ogc:Filter")
    test = ET.SubElement(filt, "ogc:PropertyIsEqualTo")
    ET.SubElement(test, "ogc:PropertyName").text = attribute
    ET.SubElement(test, "ogc:Literal").text = clean(value)
    return filt


def _sld_symbolizers(rule: ET.Element, paint: Paint, geometry: Geometry) -> None:
    if geometry == "point":
        graphic = ET.SubElement(ET.SubElement(rule, "se:PointSymbolizer"), "se:Graphic")
        mark = ET.SubElement(graphic, "se:Mark")
        ET.SubElement(mark, "se:WellKnownName").text = "circle"
        _sld_fill(mark, paint.fill or "#ffffff", paint.fill_opacity)
        _sld_stroke(mark, paint)
        ET.SubElement(graphic, "se:Size").text = _number(_pixels(paint.size))
        return
    if geometry == "line":
        _sld_stroke(ET.SubElement(rule, "se:LineSymbolizer"), paint)
        return
    symbolizer = ET.SubElement(rule, "se:PolygonSymbolizer")
    if paint.hatch:
        fill = ET.SubElement(symbolizer, "se:Fill")
        graphic = ET.SubElement(ET.SubElement(fill, "se:GraphicFill"), "se:Graphic")
        mark = ET.SubElement(graphic, "se:Mark")
        ET.SubElement(mark, "se:WellKnownName").text = "horline"
        _sld_stroke(mark, Paint(stroke=paint.stroke, stroke_width=paint.stroke_width))
        ET.SubElement(graphic, "se:Size").text = _number(_pixels(2.0))
        ET.SubElement(ET.SubElement(graphic, "se:Rotation"), "ogc:Literal").text = "45"
    elif paint.fill is not None:
        _sld_fill(symbolizer, paint.fill, paint.fill_opacity)
    if paint.stroke_width > 0:
        _sld_stroke(symbolizer, paint)


def _sld_fill(parent: ET.Element, colour: str, opacity: float) -> None:
    fill = ET.SubElement(parent, "se:Fill")
    ET.SubElement(fill, "se:SvgParameter", {"name": "fill"}).text = colour
    if opacity < 1:
        ET.SubElement(fill, "se:SvgParameter", {"name": "fill-opacity"}).text = _number(opacity)


def _sld_stroke(parent: ET.Element, paint: Paint) -> None:
    stroke = ET.SubElement(parent, "se:Stroke")
    ET.SubElement(stroke, "se:SvgParameter", {"name": "stroke"}).text = paint.stroke
    width = _number(max(1, round(_pixels(paint.stroke_width))))
    ET.SubElement(stroke, "se:SvgParameter", {"name": "stroke-width"}).text = width
    ET.SubElement(stroke, "se:SvgParameter", {"name": "stroke-linejoin"}).text = "bevel"
    if paint.dashed:
        ET.SubElement(stroke, "se:SvgParameter", {"name": "stroke-dasharray"}).text = "4 2"


def _sld_label(rule: ET.Element, label: Label, geometry: Geometry) -> None:
    text = ET.SubElement(rule, "se:TextSymbolizer")
    content = ET.SubElement(text, "se:Label")
    last: ET.Element | None = None
    for kind, value in label.sld:
        if kind == "field":
            last = ET.SubElement(content, "ogc:PropertyName")
            last.text = value
        elif last is None:
            content.text = (content.text or "") + value
        else:
            last.tail = (last.tail or "") + value
    font = ET.SubElement(text, "se:Font")
    ET.SubElement(font, "se:SvgParameter", {"name": "font-family"}).text = "Sans Serif"
    size = _number(round(label.size * 96 / 72))
    ET.SubElement(font, "se:SvgParameter", {"name": "font-size"}).text = size
    if label.bold:
        ET.SubElement(font, "se:SvgParameter", {"name": "font-weight"}).text = "bold"
    placement = ET.SubElement(text, "se:LabelPlacement")
    if geometry == "line":
        ET.SubElement(placement, "se:LinePlacement")
    else:
        anchor = ET.SubElement(ET.SubElement(placement, "se:PointPlacement"), "se:AnchorPoint")
        ET.SubElement(anchor, "se:AnchorPointX").text = "0.5"
        ET.SubElement(anchor, "se:AnchorPointY").text = "0.5"
    halo = ET.SubElement(text, "se:Halo")
    ET.SubElement(halo, "se:Radius").text = "2"
    _sld_fill(halo, "#ffffff", 0.85)
    _sld_fill(text, label.colour, 1.0)


def _pixels(millimetres: float) -> float:
    """Millimetres as SLD pixels (0.28 mm each), to two decimals."""
    return round(millimetres / 0.28, 2)


def _number(value: float) -> str:
    """Format a number for SLD: integers without a point, others with ``repr``."""
    value = float(value)
    return str(int(value)) if value.is_integer() and math.isfinite(value) else repr(value)


def clean(text: str) -> str:
    """Return ``text`` on one line, characters XML 1.0 cannot hold replaced by U+FFFD.

    Runs of white space (line breaks included, which XML parsers would
    normalise anyway) become one space.
    """
    return " ".join(_NOT_XML.sub("\ufffd", str(text)).split())
