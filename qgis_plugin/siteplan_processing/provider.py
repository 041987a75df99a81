"""The siteplan Processing provider: the algorithms under "siteplan" in the toolbox."""

from __future__ import annotations

from qgis.core import Qgis, QgsMessageLog, QgsProcessingProvider


class SiteplanProvider(QgsProcessingProvider):
    """Provide siteplan's algorithms (ids ``siteplan:<name>``)."""

    def id(self) -> str:
        """Return the provider id, the prefix of the algorithm ids."""
        return "siteplan"

    def name(self) -> str:
        """Return the name shown in the toolbox."""
        return "siteplan"

    def longName(self) -> str:  # noqa: N802 - QGIS's API
        """Return the name with the siteplan version, when siteplan can be imported."""
        try:
            import siteplan  # optional: the provider lists nothing without it
        except ImportError:
            return "siteplan (not installed in QGIS's Python)"
        return f"siteplan {siteplan.__version__}"

    def loadAlgorithms(self) -> None:  # noqa: N802 - QGIS's API
        """Add the algorithms; none, with a logged reason, when siteplan is missing."""
        try:
            from .algorithms import ALGORITHMS  # imports siteplan
            from .travel_time import TravelTimeAnalysis
        except ImportError as exc:
            QgsMessageLog.logMessage(
                f"siteplan cannot be imported by QGIS's Python ({exc}); see the plugin's "
                "README for setting up a virtual environment",
                "siteplan",
                Qgis.Warning,
            )
            return
        for algorithm in (*ALGORITHMS, TravelTimeAnalysis):
            self.addAlgorithm(algorithm())
