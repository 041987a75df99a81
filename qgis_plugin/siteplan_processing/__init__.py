"""siteplan in the QGIS Processing toolbox: the plugin's entry point.

QGIS calls :func:`classFactory` when the plugin is enabled. The plugin only
registers a Processing provider; the algorithms call the siteplan library,
which must be importable from QGIS's Python (see ``qgis_plugin/README.md``).
"""

from __future__ import annotations

from typing import Any


def classFactory(iface: Any) -> Any:  # noqa: N802 - the name QGIS calls
    """Return the plugin object QGIS loads (the name and signature QGIS expects)."""
    from .plugin import SiteplanPlugin  # QGIS imports plugins lazily

    return SiteplanPlugin(iface)
