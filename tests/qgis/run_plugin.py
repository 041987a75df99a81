"""Run the siteplan Processing algorithms headless on the bundled study.

Usage: python run_plugin.py PLUGIN_FOLDER STUDY_FOLDER OUT_FOLDER JSON. Writes JSON with
the algorithms' results and what QGIS loaded from the returned layers.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from _qgis_app import start

app = start(processing=True)

import processing  # noqa: E402 - QGIS's plugin, importable once Processing is initialised
from qgis.core import QgsApplication, QgsVectorLayer  # noqa: E402

plugin_folder, study_folder, out_folder, out = sys.argv[1:5]
sys.path.insert(0, plugin_folder)
from siteplan_processing.provider import SiteplanProvider  # noqa: E402

provider = SiteplanProvider()
QgsApplication.processingRegistry().addProvider(provider)
study = Path(study_folder)
sites = [str(study / f"{n}.geojson") for n in ("cgt_park", "proton_center", "cancer_center")]
sites.append(str(study / "childrens_center.geojson"))
common = {
    "SITES": sites,
    "BOUNDARY": str(study / "simz_boundary.geojson"),
    "CONTEXT": [str(study / "metro_stations.geojson")],
}
folder = Path(out_folder)
runs = {
    "proximity_report": {"OUTPUT_HTML": str(folder / "report.html")},
    "score_candidates": {
        "OUTPUT": str(folder / "candidates.gpkg"),
        "OUTPUT_HTML": str(folder / "candidates.html"),
    },
    "export_analysis": {
        "OUTPUT": str(folder / "export.gpkg"),
        "OUTPUT_HTML": str(folder / "export.html"),
    },
    "travel_time_analysis": {  # the defaults: walking time, siteplan's rings in minutes
        "NETWORK": str(study / "roads.geojson"),
        "OUTPUT": str(folder / "travel_time.gpkg"),
        "OUTPUT_HTML": str(folder / "travel_time.html"),
    },
}
report = {"algorithms": sorted(a.id() for a in provider.algorithms())}
for name, outputs in runs.items():
    results = processing.run(f"siteplan:{name}", {**common, **outputs})
    layers = {}
    for key, value in results.items():
        if isinstance(value, str) and "|layername=" in value:
            layer = QgsVectorLayer(value, key, "ogr")
            renderer = layer.renderer()
            layers[key] = {
                "uri": value,
                "renderer": renderer.type(),
                "attribute": getattr(renderer, "classAttribute", lambda: None)(),
                "labels": layer.labelsEnabled(),
            }
    plain = {k: v for k, v in results.items() if isinstance(v, str | int | float) or v is None}
    report[name] = {"results": plain, "layers": layers}
Path(out).write_text(json.dumps(report), encoding="utf-8")
# exitQgis() can crash tearing down Processing's layers after processing.run; the
# results are written, so leave without tearing down
os._exit(0)
