"""The style description every exported layer gets, and the helpers its writers share.

:mod:`siteplan.render.styles` describes each exported layer's style as a
:class:`StyleSpec` (a renderer, its classes, a label);
:mod:`siteplan.render._style_qml` and :mod:`siteplan.render._style_sld` write
it as QGIS and as other GIS software read it. The colour scales are the map's
branca scales (same stops, same interpolation).
"""

from __future__ import annotations

import math
import re
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
    "hex_rgb",
    "number_text",
    "pixels",
    "qgis_colour",
    "scale_colour",
]

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
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
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


def scale_colour(scale: str, value: float, lo: float = 0.0, hi: float = 100.0) -> str:
    """Return the ``#rrggbb`` colour of ``value`` on a map scale spanning ``lo`` to ``hi``.

    The same stops and linear interpolation as branca's ``LinearColormap``
    (``getattr(branca.colormap.linear, scale).scale(lo, hi).rgb_hex_str(value)``).

    Examples
    --------
    >>> scale_colour("viridis", 0), scale_colour("viridis", 100)
    ('#440154', '#fde725')
    """
    stops = [hex_rgb(c) for c in SCALES[scale]]
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


def hex_rgb(colour: str) -> tuple[float, float, float]:
    return (
        int(colour[1:3], 16) / 255.0,
        int(colour[3:5], 16) / 255.0,
        int(colour[5:7], 16) / 255.0,
    )


def qgis_colour(colour: str, opacity: float = 1.0) -> str:
    """Return ``r,g,b,a`` (0 to 255) as QGIS writes colours."""
    red, green, blue = (int(colour[k : k + 2], 16) for k in (1, 3, 5))
    return f"{red},{green},{blue},{round(opacity * 255)}"


def pixels(millimetres: float) -> float:
    """Millimetres as SLD pixels (0.28 mm each), to two decimals."""
    return round(millimetres / 0.28, 2)


def number_text(value: float) -> str:
    """Format a number for SLD: integers without a point, others with ``repr``."""
    value = float(value)
    return str(int(value)) if value.is_integer() and math.isfinite(value) else repr(value)


def clean(text: str) -> str:
    """Return ``text`` on one line, characters XML 1.0 cannot hold replaced by U+FFFD.

    Runs of white space (line breaks included, which XML parsers would
    normalise anyway) become one space.
    """
    return " ".join(_NOT_XML.sub("\ufffd", str(text)).split())
