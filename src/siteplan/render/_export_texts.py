"""The descriptions an exported GeoPackage gives its layers (QGIS shows them as abstracts).

Straight-line exports describe ring bands and metres; network and time exports
describe reached-network bands and name the fields that carry the measure by
its unit (``ring_min``, ``distance_min`` with time).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from siteplan.score.units import unit_name

if TYPE_CHECKING:
    from siteplan.analysis import Result

__all__ = ["layer_descriptions"]


def layer_descriptions(result: Result) -> dict[str, str]:
    """Return the description of each exported layer (the GeoPackage stores them)."""
    measured = (
        f"Distances and areas measured in {result.crs_name}; "
        f"{result.parameters.measure} distances, {result.parameters.decay.kind} decay."
    )
    if result.network is not None:
        return _network_descriptions(result, measured)
    return _descriptions_plain(result, measured)


def _descriptions_plain(result: Result, measured: str) -> dict[str, str]:
    return {
        "sites": f"{result.name}: sites with proximity scores and ranks. {measured} "
        f"{result.caveat}",
        "rings": "Ring bands around each site (the area between consecutive rings; the first "
        "starts at the footprint); reaches lists the other sites within ring_m. " + measured,
        "pairs": "The shortest edge-to-edge segment of every pair of sites, with distances (m) "
        "and the pair score; ring_m is NULL beyond the last ring. " + measured,
        "boundary": f"{result.name}: study boundary.",
        "context": f"{result.name}: context features (drawn on maps, not scored).",
        "parameters": "Scoring parameters, metric CRS, warnings and accuracy caveat of the "
        "analysis.",
    }


def _network_descriptions(result: Result, measured: str) -> dict[str, str]:
    """Return the layer descriptions of a network or time export (fields named by unit)."""
    unit = result.parameters.unit
    ring, inner = unit_name("ring_m", unit), unit_name("inner_m", unit)
    what = "travel time (min)" if unit == "min" else "network distance (m)"
    base = {
        key: text
        for key, text in _descriptions_plain(result, measured).items()
        if key in ("boundary", "context", "parameters")
    }
    return {
        "sites": f"{result.name}: sites with proximity scores and ranks by {what} along the "
        f"roads; connector_m is the walked leg to the network. {measured} {result.caveat}",
        "rings": f"Reached-network bands (isochrones) around each site, {inner} to {ring} "
        f"({what}); reaches lists the other sites within {ring}. " + measured,
        "pairs": "The shortest edge-to-edge segment of every pair of sites, with the "
        f"straight-line distances (m), the network fields and the pair score; "
        f"{unit_name('distance_m', unit)} and {ring} carry the {what}, {ring} is NULL beyond "
        "the last ring; unreachable pairs have NULL network fields. " + measured,
        **base,
    }
