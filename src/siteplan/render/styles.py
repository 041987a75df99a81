"""QGIS styles for exported GeoPackages: QML and SLD documents in ``layer_styles``.

QGIS reads a GeoPackage's ``layer_styles`` table and applies the row marked
``useAsDefault`` when a layer is loaded, so an export opens already styled:

- ``sites``: graduated by ``score`` (0 to 100) on the map's colour scale (viridis);
- ``rings``: ring bands graduated by ``ring_m``, translucent, as on the map
  (reached-network bands by ``ring_min`` with ``measure = "time"``);
- ``pairs``: dashed lines labelled with the distance and the pair score
  (``edge_m`` or ``centroid_m``; the measure, ``distance_m`` or
  ``distance_min``, with a network measure);
- ``surface`` (candidates): graduated by ``score`` on the map's surface scale
  (YlOrRd, over the eligible candidates' score range); ``picks`` numbered by rank;
- ``excluded_areas``: hatched, one colour per constraint kind;
- ``boundary`` and ``context``: outlined, as on the map.

Each style is written twice: as QGIS QML (what QGIS loads;
:mod:`siteplan.render._style_qml`) and as OGC SLD 1.1 with Symbology Encoding
(what QGIS exports, for other GIS software; :mod:`siteplan.render._style_sld`);
every text is escaped. The colours are the map's branca scales, computed
without branca (a test checks them against it), and the same inputs give the
same bytes.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np

from siteplan.render._style_qml import qml
from siteplan.render._style_sld import sld
from siteplan.render._style_spec import (
    SCALES,
    Geometry,
    Label,
    Paint,
    StyleClass,
    StyleSpec,
    clean,
    scale_colour,
)
from siteplan.render.palette import (
    COLOUR_SCALE,
    HATCH_COLOURS,
    RING_COLOUR,
    RING_FILL,
    SURFACE_SCALE,
)
from siteplan.score.units import unit_name

if TYPE_CHECKING:
    from siteplan.analysis import Result
    from siteplan.candidates.result import CandidateResult

__all__ = [
    "SCALES",
    "LayerStyle",
    "analysis_styles",
    "candidate_styles",
    "scale_colour",
    "write_layer_styles",
]

#: The date written to ``update_time`` (as GDAL's dates in the export are fixed).
STYLE_DATE: Final = "2000-01-01T00:00:00.000Z"
_CLASSES: Final = 10
_LAYER_STYLES_TABLE: Final = """CREATE TABLE IF NOT EXISTS layer_styles (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    f_table_catalog TEXT(256),
    f_table_schema TEXT(256),
    f_table_name TEXT(256),
    f_geometry_column TEXT(256),
    styleName TEXT(30),
    styleQML TEXT,
    styleSLD TEXT,
    useAsDefault BOOLEAN,
    description TEXT,
    owner TEXT(30),
    ui TEXT(30),
    update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
)"""


@dataclass(frozen=True)
class LayerStyle:
    """One layer's default style: a QML and an SLD document."""

    table: str
    qml: str
    sld: str
    description: str
    geometry_column: str = "geom"


# -- the styles of an export ----------------------------------------------------------


def analysis_styles(result: Result) -> tuple[LayerStyle, ...]:
    """Return the default styles of an analysis export's layers (see the module)."""
    study = result.name
    unit = result.parameters.unit
    if result.network is not None:
        # A network measure: the pairs' measure field, named by its unit (distance_min).
        distance = unit_name("distance_m", unit)
    else:
        distance = "centroid_m" if result.parameters.measure == "centroid" else "edge_m"
    specs = [_site_style(study), _ring_style(study, result.parameters.rings_m, unit)]
    specs.append(_pair_style(study, distance, unit))
    if result.data.boundary is not None:
        specs.append(
            StyleSpec(
                "boundary",
                "polygon",
                f"{study}: study boundary",
                "single",
                (StyleClass("boundary", Paint(stroke="#3a3a3a", stroke_width=0.6, dashed=True)),),
            )
        )
    if result.data.context is not None and len(result.data.context):
        geometry = _geometry_of(str(result.data.context.geom_type.iloc[0]))
        paint = Paint(fill="#e41a1c", stroke="#ffffff", size=2.6, stroke_width=0.3)
        if geometry != "point":
            paint = Paint(fill="#e41a1c", fill_opacity=0.3, stroke="#e41a1c")
        specs.append(
            StyleSpec(
                "context", geometry, f"{study}: context", "single", (StyleClass("context", paint),)
            )
        )
    return tuple(_layer_style(spec) for spec in specs)


def candidate_styles(cres: CandidateResult) -> tuple[LayerStyle, ...]:
    """Return the default styles of a candidates GeoPackage's layers (see the module)."""
    study = cres.result.name
    lo, hi = _score_range(cres.score, cres.eligible)
    specs = (
        _surface_style(study, lo, hi),
        StyleSpec(
            "picks",
            "point",
            f"{study}: picks, numbered by rank",
            "single",
            (
                StyleClass(
                    "pick", Paint(fill="#ffffff", stroke="#800026", stroke_width=0.6, size=5)
                ),
            ),
            label=Label("rank", (("field", "rank"),), "#800026", 8.0, True, 1, False),
        ),
        StyleSpec(
            "excluded_areas",
            "polygon",
            f"{study}: areas excluded by the constraints",
            "categorized",
            tuple(
                StyleClass(kind, Paint(stroke=colour, stroke_width=0.4, hatch=True), value=kind)
                for kind, colour in HATCH_COLOURS.items()
            ),
            attribute="kind",
            label=Label("name", (("field", "name"),), "#3a3a3a", 7.0, False, 1, False),
        ),
    )
    return tuple(_layer_style(spec) for spec in specs)


def _site_style(study: str) -> StyleSpec:
    step = 100.0 / _CLASSES
    classes = tuple(
        StyleClass(
            f"{k * step:g} - {(k + 1) * step:g}",
            Paint(fill=scale_colour(COLOUR_SCALE, (k + 0.5) * step), stroke_width=0.4),
            lower=k * step,
            upper=(k + 1) * step,
        )
        for k in range(_CLASSES)
    )
    return StyleSpec(
        "sites",
        "polygon",
        f"{study}: sites by proximity score (0 to 100, {COLOUR_SCALE})",
        "graduated",
        classes,
        attribute="score",
        ramp=COLOUR_SCALE,
    )


def _ring_style(study: str, radii: Iterable[float], unit: str = "m") -> StyleSpec:
    """Ring bands graduated by their outer radius, ``ring_m`` (``ring_min`` with time)."""
    classes = []
    inner = 0.0
    for k, radius in enumerate(sorted(float(r) for r in radii)):
        alpha = RING_FILL[min(k, len(RING_FILL) - 1)]
        paint = Paint(fill=RING_COLOUR, fill_opacity=alpha, stroke=RING_COLOUR, dashed=True)
        label = f"{inner:g} - {radius:g} {unit}"
        classes.append(StyleClass(label, paint, lower=inner, upper=radius))
        inner = radius
    title = "ring bands by outer radius (m)" if unit == "m" else f"ring bands by time ({unit})"
    return StyleSpec(
        "rings",
        "polygon",
        f"{study}: {title}",
        "graduated",
        tuple(classes),
        attribute=unit_name("ring_m", unit),
    )


def _pair_style(study: str, distance: str, unit: str = "m") -> StyleSpec:
    """Pair lines labelled with ``distance`` (in ``unit``) and the pair score."""
    digits = 0 if unit == "m" else 1
    expression = (
        f"format_number(\"{distance}\", {digits}) || ' {unit} · score ' || "
        'format_number("score", 1)'
    )
    sld: tuple[tuple[Literal["field", "text"], str], ...] = (
        ("field", distance),
        ("text", f" {unit} · score "),
        ("field", "score"),
    )
    return StyleSpec(
        "pairs",
        "line",
        f"{study}: site pairs, labelled with the distance ({distance}) and the pair score",
        "single",
        (StyleClass("pair", Paint(stroke="#3a3a3a", stroke_width=0.5, dashed=True)),),
        label=Label(expression, sld, "#252525", 7.5, placement=2),
    )


def _surface_style(study: str, lo: float, hi: float) -> StyleSpec:
    count = _CLASSES if hi > lo else 1
    step = (hi - lo) / count
    classes = []
    for k in range(count):
        lower = lo + k * step
        upper = hi if k == count - 1 else lo + (k + 1) * step
        colour = scale_colour(SURFACE_SCALE, (lower + upper) / 2, lo, hi if hi > lo else lo + 1)
        paint = Paint(fill=colour, fill_opacity=0.75, stroke=colour, stroke_width=0.0)
        classes.append(StyleClass(f"{lower:.1f} - {upper:.1f}", paint, lower=lower, upper=upper))
    return StyleSpec(
        "surface",
        "polygon",
        f"{study}: candidate suitability by score ({SURFACE_SCALE})",
        "graduated",
        tuple(classes),
        attribute="score",
        ramp=SURFACE_SCALE,
    )


def _score_range(score: Any, eligible: Any) -> tuple[float, float]:
    """Return the surface scale's range as the map has it: eligible scores, else all."""
    values = np.asarray(score, dtype=float)
    finite = np.isfinite(values)
    for chosen in (np.asarray(eligible, dtype=bool) & finite, finite):
        if chosen.any():
            return float(values[chosen].min()), float(values[chosen].max())
    return 0.0, 100.0


def _geometry_of(geom_type: str) -> Geometry:
    if "Point" in geom_type:
        return "point"
    return "line" if "Line" in geom_type else "polygon"


def _layer_style(spec: StyleSpec) -> LayerStyle:
    return LayerStyle(spec.table, qml(spec), sld(spec), clean(spec.title))


# -- the layer_styles table -----------------------------------------------------------


def write_layer_styles(path: str | Path, styles: Sequence[LayerStyle]) -> None:
    """Add ``styles`` to a GeoPackage's ``layer_styles`` table as the layers' defaults.

    The table is the one QGIS reads and writes (created if missing, and
    registered in ``gpkg_contents`` as an attribute table, as QGIS does); a
    layer's earlier default rows lose their default flag. ``update_time`` is
    fixed (:data:`STYLE_DATE`), so the same styles give the same bytes.

    Parameters
    ----------
    path
        A GeoPackage; a temporary one before it is renamed into place.
    styles
        From :func:`analysis_styles` or :func:`candidate_styles`.
    """
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute(_LAYER_STYLES_TABLE)
        registered = db.execute(
            "SELECT 1 FROM gpkg_contents WHERE table_name = 'layer_styles'"
        ).fetchone()
        if registered is None:
            db.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
                "last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', "
                "'QGIS layer styles (QML and SLD) written by siteplan', ?)",
                (STYLE_DATE,),
            )
        for style in styles:
            db.execute(
                "UPDATE layer_styles SET useAsDefault = 0 WHERE f_table_name = ?", (style.table,)
            )
            db.execute(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
                "owner, ui, update_time) VALUES ('', '', ?, ?, ?, ?, ?, 1, ?, '', '', ?)",
                (
                    style.table,
                    style.geometry_column,
                    style.table,
                    style.qml,
                    style.sld,
                    style.description,
                    STYLE_DATE,
                ),
            )
