"""siteplan's Processing algorithms: proximity report, candidate sites, export.

Each algorithm writes its input layers as a temporary study (:mod:`.study`),
calls the siteplan library (``siteplan.analyze``, ``score_candidates``,
``export_result``, ``write_report``, ``write_candidates``, ``write_map``) and
returns the GeoPackage layers siteplan wrote, which QGIS loads with their
default styles from the GeoPackage's ``layer_styles`` table, and an HTML file.
No scoring happens here: the numbers are the library's.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, ClassVar

from qgis.core import (
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingOutputVectorLayer,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
    QgsProcessingUtils,
    QgsVectorLayer,
)

import siteplan

from .study import NetworkInput, write_study

__all__ = ["ALGORITHMS", "ExportAnalysis", "ProximityReport", "ScoreCandidates"]

MEASURES = ("edge", "centroid")
DECAYS = ("rings", "linear", "exponential", "gaussian", "logistic")
#: The decay parameter DECAY_DISTANCE stands for, per decay.
DECAY_DISTANCE = {
    "linear": "max_m",
    "exponential": "half_m",
    "gaussian": "sigma_m",
    "logistic": "inflection_m",
}


class SiteplanAlgorithm(QgsProcessingAlgorithm):
    """The inputs every siteplan algorithm shares and the call to ``siteplan.analyze``."""

    NAME: ClassVar[str] = ""
    TITLE: ClassVar[str] = ""
    HELP: ClassVar[str] = ""

    def name(self) -> str:
        """Return the algorithm id (``siteplan:<name>``)."""
        return self.NAME

    def displayName(self) -> str:  # noqa: N802 - QGIS's API
        """Return the title shown in the toolbox."""
        return self.TITLE

    def shortHelpString(self) -> str:  # noqa: N802 - QGIS's API
        """Return the help shown beside the dialog."""
        return self.HELP

    def createInstance(self) -> SiteplanAlgorithm:  # noqa: N802 - QGIS's API
        """Return a new instance (QGIS runs each call on its own)."""
        return type(self)()

    def flags(self) -> Any:
        """Run in the main thread: siteplan's GDAL and matplotlib use is not thread-bound."""
        return super().flags() | QgsProcessingAlgorithm.FlagNoThreading

    def add_study_parameters(self) -> None:
        """Add the layers and scoring parameters of a study."""
        self.add_layer_parameters()
        self.addParameter(
            QgsProcessingParameterString("RINGS", "Rings (metres)", "500,1000,2000,5000")
        )
        self.addParameter(
            QgsProcessingParameterEnum("MEASURE", "Distance measure", list(MEASURES), False, 0)
        )
        self.add_decay_parameters("m")

    def add_layer_parameters(self) -> None:
        """Add the site layers, their id and name fields, the boundary and context layers."""
        vector = QgsProcessing.TypeVectorAnyGeometry
        self.addParameter(QgsProcessingParameterMultipleLayers("SITES", "Site layers", vector))
        self.addParameter(QgsProcessingParameterString("ID_FIELD", "Site id field", "id"))
        self.addParameter(
            QgsProcessingParameterString("NAME_FIELD", "Site name field", "name", optional=True)
        )
        self.addParameter(
            QgsProcessingParameterVectorLayer(
                "BOUNDARY",
                "Study boundary",
                [QgsProcessing.TypeVectorPolygon],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterMultipleLayers(
                "CONTEXT", "Context layers (drawn, not scored)", vector, optional=True
            )
        )

    def add_decay_parameters(self, unit: str) -> None:
        """Add the decay and its distance and steepness, in ``unit`` (``m`` or ``min``)."""
        self.addParameter(QgsProcessingParameterEnum("DECAY", "Decay", list(DECAYS), False, 0))
        self.addParameter(
            QgsProcessingParameterNumber(
                "DECAY_DISTANCE",
                f"Decay distance ({unit}): linear max, exponential half, gaussian sigma, "
                "logistic inflection; empty for siteplan's default",
                QgsProcessingParameterNumber.Double,
                None,
                optional=True,
                minValue=0.0,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                "STEEPNESS",
                f"Logistic steepness ({unit}); empty for siteplan's default",
                QgsProcessingParameterNumber.Double,
                None,
                optional=True,
                minValue=0.0,
            )
        )

    def analyze(
        self,
        parameters: dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> siteplan.Result:
        """Write the inputs as a study and return ``siteplan.analyze``'s result."""
        sites = self.parameterAsLayerList(parameters, "SITES", context)
        if not sites:
            raise QgsProcessingException("SITES: give at least one site layer")
        boundary = self.parameterAsVectorLayer(parameters, "BOUNDARY", context)
        others = self.parameterAsLayerList(parameters, "CONTEXT", context)
        study = write_study(
            [_vector(layer) for layer in sites],
            boundary,
            [_vector(layer) for layer in others],
            name=sites[0].name() if len(sites) == 1 else "QGIS layers",
            id_field=self.parameterAsString(parameters, "ID_FIELD", context).strip(),
            name_field=self.parameterAsString(parameters, "NAME_FIELD", context).strip(),
            network=self.network_input(parameters, context),
            context=context,
            feedback=feedback,
        )
        options = self.analysis_options(parameters, context)
        try:
            result = siteplan.analyze(study, **options)
        except siteplan.SiteplanError as exc:
            raise QgsProcessingException(str(exc)) from exc
        for warning in result.warnings:
            feedback.pushWarning(warning)
        feedback.pushInfo(f"{len(result.sites)} sites measured in {result.crs_name}")
        return result

    def network_input(
        self,
        parameters: dict[str, Any],  # noqa: ARG002 - the travel-time algorithm reads them
        context: QgsProcessingContext,  # noqa: ARG002
    ) -> NetworkInput | None:
        """Return the road network to write into the study (none but for travel time)."""
        return None

    def analysis_options(
        self, parameters: dict[str, Any], context: QgsProcessingContext
    ) -> dict[str, Any]:
        """Return ``siteplan.analyze``'s keyword arguments: measure, rings and decay."""
        options: dict[str, Any] = {
            "measure": MEASURES[self.parameterAsEnum(parameters, "MEASURE", context)],
            "rings_m": _rings(self.parameterAsString(parameters, "RINGS", context)),
        }
        return {**options, **self.decay_options(parameters, context, "m")}

    def decay_options(
        self, parameters: dict[str, Any], context: QgsProcessingContext, unit: str
    ) -> dict[str, Any]:
        """Return the decay and its parameters, named in ``unit`` (``half_m``, ``half_min``)."""
        decay = DECAYS[self.parameterAsEnum(parameters, "DECAY", context)]
        options: dict[str, Any] = {"decay": decay}
        if decay in DECAY_DISTANCE and _given(parameters, "DECAY_DISTANCE"):
            distance = self.parameterAsDouble(parameters, "DECAY_DISTANCE", context)
            options[_in_unit(DECAY_DISTANCE[decay], unit)] = distance
        if decay == "logistic" and _given(parameters, "STEEPNESS"):
            steepness = self.parameterAsDouble(parameters, "STEEPNESS", context)
            options[_in_unit("steepness_m", unit)] = steepness
        return options


class ProximityReport(SiteplanAlgorithm):
    """Score every pair of sites; an HTML report and the scored sites layer."""

    NAME = "proximity_report"
    TITLE = "Proximity report"
    HELP = (
        "Measures every pair of sites (in a metric CRS chosen for the study), scores them "
        "with the chosen decay and writes siteplan's HTML report. The sites, ring bands and "
        "pair lines are returned as GeoPackage layers styled by score."
    )

    def initAlgorithm(self, config: Any = None) -> None:  # noqa: N802, ARG002 - QGIS's API
        """Declare the inputs and outputs."""
        self.add_study_parameters()
        self.addParameter(
            QgsProcessingParameterFileDestination("OUTPUT_HTML", "Report", "HTML files (*.html)")
        )
        _add_layer_outputs(self, ("SITES", "RINGS", "PAIRS"))
        self.addOutput(QgsProcessingOutputNumber("CLUSTER_SCORE", "Cluster score"))

    def processAlgorithm(  # noqa: N802 - QGIS's API
        self,
        parameters: dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> dict[str, Any]:
        """Analyse, write the report and a styled GeoPackage, return their paths."""
        result = self.analyze(parameters, context, feedback)
        html = self.parameterAsFileOutput(parameters, "OUTPUT_HTML", context)
        gpkg = QgsProcessingUtils.generateTempFilename("siteplan_analysis.gpkg")
        with _library_errors():
            siteplan.write_report(result, html, "html")
            siteplan.export_result(result, gpkg)
        outputs = _load_layers(gpkg, ("sites", "rings", "pairs"), context)
        return {
            "OUTPUT_HTML": html,
            "CLUSTER_SCORE": float(result.cluster_score),
            **outputs,
        }


class ScoreCandidates(SiteplanAlgorithm):
    """Score a grid of candidate locations; the surface, the picks and a map."""

    NAME = "score_candidates"
    TITLE = "Score candidate sites"
    HELP = (
        "Scores every cell of a square grid over the study boundary against the sites "
        "(siteplan.score_candidates) and picks the best TOP cells at least MIN_SEPARATION "
        "apart. Returns the candidates GeoPackage (surface graduated by score, numbered "
        "picks, hatched excluded areas) and siteplan's HTML map of the candidates."
    )

    def initAlgorithm(self, config: Any = None) -> None:  # noqa: N802, ARG002 - QGIS's API
        """Declare the inputs and outputs."""
        self.add_study_parameters()
        double = QgsProcessingParameterNumber.Double
        self.addParameter(
            QgsProcessingParameterNumber("CELL", "Grid cell (m)", double, 50.0, minValue=1.0)
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                "TOP", "Number of picks", QgsProcessingParameterNumber.Integer, 10, minValue=1
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                "MIN_SEPARATION", "Minimum separation of picks (m)", double, 200.0, minValue=0
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                "OUTPUT", "Candidates GeoPackage", "GeoPackage (*.gpkg)"
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                "OUTPUT_HTML", "Candidates map", "HTML files (*.html)"
            )
        )
        _add_layer_outputs(self, ("SURFACE", "PICKS", "EXCLUDED_AREAS"))

    def processAlgorithm(  # noqa: N802 - QGIS's API
        self,
        parameters: dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> dict[str, Any]:
        """Analyse, score the candidates, write the GeoPackage and the map."""
        result = self.analyze(parameters, context, feedback)
        gpkg = self.parameterAsFileOutput(parameters, "OUTPUT", context)
        html = self.parameterAsFileOutput(parameters, "OUTPUT_HTML", context)
        with _library_errors():
            cres = siteplan.score_candidates(
                result,
                cell_m=self.parameterAsDouble(parameters, "CELL", context),
                top=self.parameterAsInt(parameters, "TOP", context),
                min_separation_m=self.parameterAsDouble(parameters, "MIN_SEPARATION", context),
            )
            siteplan.write_candidates(cres, gpkg, "gpkg")
            siteplan.write_map(result, html, candidates=cres, offline=True)
        feedback.pushInfo(f"{len(cres.picks)} picks among {len(cres)} candidates")
        outputs = _load_layers(gpkg, ("surface", "picks", "excluded_areas"), context)
        return {"OUTPUT": gpkg, "OUTPUT_HTML": html, **outputs}


class ExportAnalysis(SiteplanAlgorithm):
    """Export the analysis as siteplan's styled GeoPackage, with an HTML report."""

    NAME = "export_analysis"
    TITLE = "Export analysis"
    HELP = (
        "Writes siteplan's GeoPackage (siteplan.export_result): sites with scores and "
        "ranks, ring bands, pair lines, the boundary and context layers, and a parameters "
        "table, each layer with its QGIS style as the default; plus the HTML report."
    )

    def initAlgorithm(self, config: Any = None) -> None:  # noqa: N802, ARG002 - QGIS's API
        """Declare the inputs and outputs."""
        self.add_study_parameters()
        self.addParameter(
            QgsProcessingParameterFileDestination("OUTPUT", "GeoPackage", "GeoPackage (*.gpkg)")
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                "OUTPUT_HTML", "Report", "HTML files (*.html)", optional=True
            )
        )
        _add_layer_outputs(self, ("SITES", "RINGS", "PAIRS"))

    def processAlgorithm(  # noqa: N802 - QGIS's API
        self,
        parameters: dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> dict[str, Any]:
        """Analyse and export; return the GeoPackage, its layers and the report."""
        result = self.analyze(parameters, context, feedback)
        gpkg = self.parameterAsFileOutput(parameters, "OUTPUT", context)
        html = self.parameterAsFileOutput(parameters, "OUTPUT_HTML", context)
        with _library_errors():
            siteplan.export_result(result, gpkg)
            if html:
                siteplan.write_report(result, html, "html")
        outputs = _load_layers(gpkg, ("sites", "rings", "pairs"), context)
        return {"OUTPUT": gpkg, "OUTPUT_HTML": html or None, **outputs}


#: The straight-line algorithms; the provider registers them and "Travel-time analysis"
#: (travel_time.py, siteplan's network measures).
ALGORITHMS: tuple[type[SiteplanAlgorithm], ...] = (ProximityReport, ScoreCandidates, ExportAnalysis)


@contextlib.contextmanager
def _library_errors() -> Iterator[None]:
    """Turn siteplan's errors into Processing errors (one line, no traceback)."""
    try:
        yield
    except siteplan.SiteplanError as exc:
        raise QgsProcessingException(str(exc)) from exc


def _add_layer_outputs(algorithm: QgsProcessingAlgorithm, names: tuple[str, ...]) -> None:
    for name in names:
        title = name.replace("_", " ").capitalize()
        algorithm.addOutput(QgsProcessingOutputVectorLayer(name, title))


def _load_layers(
    gpkg: str,
    tables: tuple[str, ...],
    context: QgsProcessingContext,
) -> dict[str, str]:
    """Load GeoPackage layers with their default (siteplan) styles, for the project.

    Returns each output's layer URI; the layers themselves are handed to QGIS to
    add to the project when the algorithm finishes.
    """
    outputs = {}
    for table in tables:
        uri = f"{gpkg}|layername={table}"
        layer = QgsVectorLayer(uri, table, "ogr")  # reads the default style (layer_styles)
        if not layer.isValid():
            raise QgsProcessingException(f"siteplan wrote {gpkg} without a {table} layer")
        context.temporaryLayerStore().addMapLayer(layer)
        details = QgsProcessingContext.LayerDetails(table, context.project(), table.upper())
        context.addLayerToLoadOnCompletion(layer.id(), details)
        outputs[table.upper()] = uri
    return outputs


def _vector(layer: Any) -> QgsVectorLayer:
    if not isinstance(layer, QgsVectorLayer):
        raise QgsProcessingException(f"{layer.name()} is not a vector layer")
    return layer


def _given(parameters: dict[str, Any], name: str) -> bool:
    return parameters.get(name) not in (None, "")


def _in_unit(name: str, unit: str) -> str:
    """Return a ``_m`` parameter name in ``unit`` (``half_m`` -> ``half_min``)."""
    return name if unit == "m" else name.removesuffix("_m") + "_" + unit


def _rings(
    text: str, example: str = "distances in metres (e.g. 500,1000,2000,5000)"
) -> list[float]:
    try:
        return [float(part) for part in text.replace(";", ",").split(",") if part.strip()]
    except ValueError:
        raise QgsProcessingException(f"RINGS: {text!r} is not a list of {example}") from None
