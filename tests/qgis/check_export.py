"""Load siteplan's GeoPackage in PyQGIS, report each layer's default style, render a PNG.

Usage: python check_export.py GPKG PNG JSON. Writes JSON: {layer: {"valid", "renderer",
"attribute", "labels", "ranges": [[lower, upper, "#rrggbb", alpha]]}}.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from _qgis_app import start

app = start()

from qgis.core import (  # noqa: E402 - after QGIS starts
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsProject,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402

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
