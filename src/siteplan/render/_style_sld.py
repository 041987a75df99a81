"""OGC SLD 1.1 (Symbology Encoding) documents from a style description.

Documents are built with :mod:`xml.etree.ElementTree`, which escapes text and
attributes; :func:`~siteplan.render._style_spec.clean` replaces what XML 1.0
cannot hold.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Final

from siteplan.render._style_spec import (
    Geometry,
    Label,
    Paint,
    StyleClass,
    StyleSpec,
    clean,
    number_text,
    pixels,
)

__all__ = ["sld"]

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
        ET.SubElement(test, "ogc:Literal").text = number_text(value)
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
        ET.SubElement(graphic, "se:Size").text = number_text(pixels(paint.size))
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
        ET.SubElement(graphic, "se:Size").text = number_text(pixels(2.0))
        ET.SubElement(ET.SubElement(graphic, "se:Rotation"), "ogc:Literal").text = "45"
    elif paint.fill is not None:
        _sld_fill(symbolizer, paint.fill, paint.fill_opacity)
    if paint.stroke_width > 0:
        _sld_stroke(symbolizer, paint)


def _sld_fill(parent: ET.Element, colour: str, opacity: float) -> None:
    fill = ET.SubElement(parent, "se:Fill")
    ET.SubElement(fill, "se:SvgParameter", {"name": "fill"}).text = colour
    if opacity < 1:
        ET.SubElement(fill, "se:SvgParameter", {"name": "fill-opacity"}).text = number_text(opacity)


def _sld_stroke(parent: ET.Element, paint: Paint) -> None:
    stroke = ET.SubElement(parent, "se:Stroke")
    ET.SubElement(stroke, "se:SvgParameter", {"name": "stroke"}).text = paint.stroke
    width = number_text(max(1, round(pixels(paint.stroke_width))))
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
    size = number_text(round(label.size * 96 / 72))
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
