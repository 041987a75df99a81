"""The plugin object: registers the siteplan Processing provider with QGIS."""

from __future__ import annotations

from typing import Any

from qgis.core import QgsApplication

from .provider import SiteplanProvider


class SiteplanPlugin:
    """Add the siteplan provider to the Processing registry while the plugin is loaded."""

    def __init__(self, iface: Any) -> None:
        self.iface = iface
        self.provider: SiteplanProvider | None = None

    def initProcessing(self) -> None:  # noqa: N802 - QGIS's plugin API
        """Register the provider (QGIS calls this for hasProcessingProvider plugins)."""
        if self.provider is None:
            self.provider = SiteplanProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self) -> None:  # noqa: N802 - QGIS's plugin API
        """Register the provider when QGIS's interface starts."""
        self.initProcessing()

    def unload(self) -> None:
        """Remove the provider when the plugin is unloaded."""
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
