"""Load siteplan's GeoPackage in PyQGIS, report each layer's default style, render a PNG.

Usage: python check_export.py GPKG PNG JSON. Writes JSON: {layer: {"valid", "renderer",
"attribute", "labels", "ranges": [[lower, upper, "#rrggbb", alpha]], "fields",
"label_expression", "label_texts", "class_values"}}: the field names QGIS sees, the label
expression, its text for each feature (evaluated by QGIS), and the graduated attribute's value of
each feature.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from _qgis_app import start

app = start()

from qgis.core import (  # noqa: E402 - after QGIS starts
    QgsExpression,
    QgsExpressionContext,
    QgsExpressionContextUtils,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsProject,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402


def _plain(value: object) -> object:
    """A QGIS attribute value as JSON: NULL (a null QVariant) becomes None."""
    return None if value is None or getattr(value, "isNull", lambda: False)() else value


gpkg, png, out = sys.argv[1:4]
report = {}
layers = []
for name in ("sites", "rings", "pairs", "boundary", "context"):
    layer = QgsVectorLayer(f"{gpkg}|layername={name}", name, "ogr")
    renderer = layer.renderer()
    info = {
        "valid": layer.isValid(),
        "renderer": renderer.type(),
        "attribute": renderer.classAttribute() if hasattr(renderer, "classAttribute") else None,
        "labels": layer.labelsEnabled(),
        "ranges": [],
    }
    info["fields"] = [field.name() for field in layer.fields()]
    info["label_expression"] = None
    info["label_texts"] = []
    info["class_values"] = []
    if layer.labelsEnabled():
        settings = layer.labeling().settings()
        info["label_expression"] = settings.fieldName
        expression = QgsExpression(settings.fieldName)
        scope = QgsExpressionContext()
        scope.appendScopes(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
        texts = []
        for feature in layer.getFeatures():
            scope.setFeature(feature)
            value = expression.evaluate(scope)
            texts.append(None if value is None or expression.hasEvalError() else str(value))
        info["label_texts"] = texts
    if info["attribute"]:
        info["class_values"] = [_plain(f[info["attribute"]]) for f in layer.getFeatures()]
    if renderer.type() == "graduatedSymbol":
        info["ranges"] = [
            [r.lowerValue(), r.upperValue(), r.symbol().color().name(), r.symbol().color().alpha()]
            for r in renderer.ranges()
        ]
    report[name] = info
    QgsProject.instance().addMapLayer(layer)
    layers.append(layer)

settings = QgsMapSettings()
settings.setLayers(layers)  # the first is drawn on top: sites over their rings
settings.setDestinationCrs(layers[0].crs())
extent = layers[0].extent()
extent.scale(1.3)
settings.setExtent(extent)
settings.setOutputSize(QSize(900, 900))
settings.setBackgroundColor(QColor(255, 255, 255))
job = QgsMapRendererSequentialJob(settings)
job.start()
job.waitForFinished()
job.renderedImage().save(png, "PNG")
Path(out).write_text(json.dumps(report), encoding="utf-8")
app.exitQgis()
