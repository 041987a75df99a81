"""Candidate locations: grids and parcels, scoring engines and picks.

- :mod:`~siteplan.candidates.api`: :func:`score_candidates`, the orchestrator;
- :mod:`~siteplan.candidates.result`: :class:`CandidateResult`;
- :mod:`~siteplan.candidates.grid`: the grid (:class:`Grid`) and parcels;
- :mod:`~siteplan.candidates.engines`: :class:`EngineOptions`, :class:`SurfaceScores`
  and the in-memory engine :func:`score_surface`; the dask engine
  (:mod:`~siteplan.candidates._dask`) and the approximations
  (:mod:`~siteplan.candidates._approx`) plug in behind the same interface;
- :mod:`~siteplan.candidates.picks`: :func:`select_picks`;
- :mod:`~siteplan.candidates.locations`: :func:`score_locations`.

The outputs (json, csv, markdown, GeoJSON, GeoPackage) are rendered by
:mod:`siteplan.render.candidates`. Names are imported on first use (PEP 562),
so that importing this package stays light.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from siteplan.candidates.api import score_candidates
    from siteplan.candidates.engines import EngineOptions, SurfaceScores, score_surface
    from siteplan.candidates.grid import Grid
    from siteplan.candidates.locations import score_locations
    from siteplan.candidates.picks import select_picks
    from siteplan.candidates.result import CandidateResult

_LAZY: dict[str, str] = {
    "CandidateResult": "siteplan.candidates.result",
    "EngineOptions": "siteplan.candidates.engines",
    "Grid": "siteplan.candidates.grid",
    "SurfaceScores": "siteplan.candidates.engines",
    "score_candidates": "siteplan.candidates.api",
    "score_locations": "siteplan.candidates.locations",
    "score_surface": "siteplan.candidates.engines",
    "select_picks": "siteplan.candidates.picks",
}

__all__ = [
    "CandidateResult",
    "EngineOptions",
    "Grid",
    "SurfaceScores",
    "score_candidates",
    "score_locations",
    "score_surface",
    "select_picks",
]


def __getattr__(name: str) -> Any:
    """Import a public name's module on first access (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'siteplan.candidates' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the public API with the module's own names."""
    return sorted(set(globals()) | set(__all__))
