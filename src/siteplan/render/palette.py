"""The colours every output shares: the HTML map and the GeoPackage's QGIS styles.

Examples
--------
>>> COLOUR_SCALE, SURFACE_SCALE
('viridis', 'YlOrRd_09')
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "COLOUR_SCALE",
    "CONTEXT_COLOUR",
    "FOCUS_OUTLINE",
    "HATCH_COLOURS",
    "RING_COLOUR",
    "RING_FILL",
    "SURFACE_SCALE",
]

COLOUR_SCALE: Final = "viridis"
"""The named colour scale of site scores (0 to 100)."""
SURFACE_SCALE: Final = "YlOrRd_09"
"""The named colour scale of candidate scores (stretched from the lowest to the highest
eligible score)."""
RING_COLOUR: Final = "#2c7fb8"
"""The outline colour of ring bands."""
RING_FILL: Final = (0.22, 0.15, 0.10, 0.06)
"""Fill opacities of the ring bands, innermost first."""
FOCUS_OUTLINE: Final = "#d7301f"
"""The outline of the focus site."""
CONTEXT_COLOUR: Final = "#e41a1c"
"""Context features (e.g. metro stations)."""
HATCH_COLOURS: Final = {
    "outside_boundary": "#636363",
    "inside_site": "#252525",
    "exclusion": "#b2182b",
    "setback": "#e6550d",
    "within": "#6a51a3",
    "beyond": "#3182bd",
}
"""The hatch colour of each kind of excluded area."""
