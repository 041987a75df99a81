"""Start a headless QGIS application (and Processing) for the scripts in this folder."""

from __future__ import annotations

import os
import sys
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import QgsApplication

PROCESSING_PLUGINS = "/usr/share/qgis/python/plugins"


def start(*, processing: bool = False) -> Any:
    """Return an initialised QgsApplication; with Processing's native algorithms if asked."""
    app = QgsApplication([], False)
    app.initQgis()
    if processing:
        sys.path.append(PROCESSING_PLUGINS)
        from processing.core.Processing import Processing  # QGIS's bundled plugin

        Processing.initialize()
    return app
