"""siteplan's "Travel-time analysis" Processing algorithm: sites measured along the roads.

The road layer is written into the temporary study as its ``role = "network"``
layer (with its oneway, speed and class fields and the snap distances), and
``siteplan.analyze`` measures every pair along it, in minutes (``measure =
time``, the fastest path) or metres (``network``, the shortest), for a travel
mode. The returned layers and report are siteplan's, as for the other algorithms.
"""

from __future__ import annotations

from typing import Any

from qgis.core import (
    QgsProcessing,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
    QgsProcessingUtils,
)

import siteplan

from .algorithms import (
    SiteplanAlgorithm,
    _add_layer_outputs,
    _library_errors,
    _load_layers,
    _rings,
)
from .study import NetworkInput

__all__ = ["MODES", "NETWORK_MEASURES", "TravelTimeAnalysis"]

#: The network measures: minutes along the fastest path, metres along the shortest.
NETWORK_MEASURES = ("time", "network")
MODES = ("walk", "bike", "drive")


class TravelTimeAnalysis(SiteplanAlgorithm):
    """Score every pair of sites by travel time (or distance) along a road network."""

    NAME = "travel_time_analysis"
    TITLE = "Travel-time analysis"
    HELP = (
        "Measures every pair of sites along the road network layer (siteplan's network "
        "measures): 'time' in minutes along the fastest path, 'network' in metres along the "
        "shortest, walking, cycling or driving (driving honours one-way roads). Rings and "
        "decay distances are in the measure's unit; empty rings give siteplan's defaults "
        "(5,10,15,30 minutes; 500,1000,2000,5000 metres). Lines join only at shared "
        "vertices and at endpoints closer than the snap tolerance. Returns siteplan's "
        "styled GeoPackage (sites by score, reached-network ring bands, pair lines with the "
        "network fields; the fields that carry the measure are named by its unit: "
        "distance_min, ring_min, nearest_min with 'time', distance_m, ring_m, nearest_m with "
        "'network') and its HTML report."
    )

    def initAlgorithm(self, config: Any = None) -> None:  # noqa: N802, ARG002 - QGIS's API
        """Declare the inputs and outputs."""
        self.add_layer_parameters()
        self.addParameter(
            QgsProcessingParameterVectorLayer(
                "NETWORK", "Road network (lines)", [QgsProcessing.TypeVectorLine]
            )
        )
        for key, title, default in (
            ("ONEWAY_FIELD", "One-way field (yes/true/1, -1/reverse)", "oneway"),
            ("SPEED_FIELD", "Speed field (km/h)", "maxspeed"),
            ("CLASS_FIELD", "Road class field (OpenStreetMap highway)", "highway"),
        ):
            self.addParameter(QgsProcessingParameterString(key, title, default, optional=True))
        self.addParameter(QgsProcessingParameterEnum("MODE", "Travel mode", list(MODES), False, 0))
        self.addParameter(
            QgsProcessingParameterEnum(
                "MEASURE",
                "Measure (time: minutes, network: metres)",
                list(NETWORK_MEASURES),
                False,
                0,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                "RINGS",
                "Rings in the measure's unit (minutes for time, metres for network); "
                "empty for 5,10,15,30 min or 500,1000,2000,5000 m",
                "",
                optional=True,
            )
        )
        self.add_decay_parameters("measure's unit: min or m")
        double = QgsProcessingParameterNumber.Double
        self.addParameter(
            QgsProcessingParameterNumber(
                "SNAP_MAX", "Farthest a site may be from a road (m)", double, 300.0, minValue=0
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                "SNAP_TOLERANCE",
                "Line endpoints closer than this join (m)",
                double,
                1.0,
                minValue=0,
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                "OUTPUT", "GeoPackage", "GeoPackage (*.gpkg)", optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination("OUTPUT_HTML", "Report", "HTML files (*.html)")
        )
        _add_layer_outputs(self, ("SITES", "RINGS", "PAIRS"))
        self.addOutput(QgsProcessingOutputNumber("CLUSTER_SCORE", "Cluster score"))

    def network_input(
        self, parameters: dict[str, Any], context: QgsProcessingContext
    ) -> NetworkInput:
        """Return the road layer, its field names and the snap distances."""
        return NetworkInput(
            layer=self.parameterAsVectorLayer(parameters, "NETWORK", context),
            oneway_field=self.parameterAsString(parameters, "ONEWAY_FIELD", context).strip(),
            speed_field=self.parameterAsString(parameters, "SPEED_FIELD", context).strip(),
            class_field=self.parameterAsString(parameters, "CLASS_FIELD", context).strip(),
            snap_max_m=self.parameterAsDouble(parameters, "SNAP_MAX", context),
            snap_tolerance_m=self.parameterAsDouble(parameters, "SNAP_TOLERANCE", context),
        )

    def analysis_options(
        self, parameters: dict[str, Any], context: QgsProcessingContext
    ) -> dict[str, Any]:
        """Return the network measure, the mode, the rings and the decay in its unit."""
        measure = NETWORK_MEASURES[self.parameterAsEnum(parameters, "MEASURE", context)]
        unit = "min" if measure == "time" else "m"
        example = "minutes (e.g. 5,10,15,30)" if unit == "min" else "metres (e.g. 500,1000)"
        rings = _rings(self.parameterAsString(parameters, "RINGS", context), example)
        options: dict[str, Any] = {
            "measure": measure,
            "mode": MODES[self.parameterAsEnum(parameters, "MODE", context)],
            "rings_m": rings or None,  # in the measure's unit; none: siteplan's default
        }
        return {**options, **self.decay_options(parameters, context, unit)}

    def processAlgorithm(  # noqa: N802 - QGIS's API
        self,
        parameters: dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> dict[str, Any]:
        """Analyse along the roads, write the GeoPackage and the report."""
        result = self.analyze(parameters, context, feedback)
        gpkg = self.parameterAsFileOutput(parameters, "OUTPUT", context)
        if not gpkg:
            gpkg = QgsProcessingUtils.generateTempFilename("siteplan_travel_time.gpkg")
        html = self.parameterAsFileOutput(parameters, "OUTPUT_HTML", context)
        with _library_errors():
            siteplan.export_result(result, gpkg)
            siteplan.write_report(result, html, "html")
        outputs = _load_layers(gpkg, ("sites", "rings", "pairs"), context)
        return {
            "OUTPUT": gpkg,
            "OUTPUT_HTML": html,
            "CLUSTER_SCORE": float(result.cluster_score),
            **outputs,
        }
