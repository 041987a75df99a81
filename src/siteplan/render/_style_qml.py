"""QGIS QML documents from a :class:`~siteplan.render._style_spec.StyleSpec`.

Documents are built with :mod:`xml.etree.ElementTree`, which escapes text and
attributes; :func:`~siteplan.render._style_spec.clean` replaces what XML 1.0
cannot hold.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Final

from siteplan.render._style_spec import (
    SCALES,
    Geometry,
    Label,
    Paint,
    StyleSpec,
    clean,
    qgis_colour,
)

__all__ = ["qml"]

_QGIS_VERSION: Final = "3.22.0-Białowieża"


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
