"""siteplan: proximity scoring and site planning for GeoJSON layers.

Load a study (the bundled Shanghai International Medical Zone study by
default), measure every pair of sites in a metric CRS, score them with a
distance-decay function, and render reports, Folium maps and GeoPackages.

Examples
--------
>>> import siteplan
>>> data = siteplan.read_study()
>>> len(data.sites)
4
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from siteplan.errors import (
    CRSError,
    LayerError,
    OutputError,
    ParameterError,
    SiteplanError,
    StudyError,
)

if TYPE_CHECKING:
    from siteplan.analysis import Result, analyze
    from siteplan.candidates.api import score_candidates
    from siteplan.candidates.engines import EngineOptions
    from siteplan.candidates.locations import score_locations
    from siteplan.candidates.result import CandidateResult
    from siteplan.load.layers import Layer, LayerSpec, read_layer
    from siteplan.load.study import Study, StudyData, bundled_study_path, load_study, read_study
    from siteplan.load.validate import validate_paths
    from siteplan.maps.make import make_map, write_map
    from siteplan.render.candidates import render_candidates, write_candidates
    from siteplan.render.compare import render_comparison, write_comparison
    from siteplan.render.export import export_result
    from siteplan.render.report import render_report, write_report
    from siteplan.render.sensitivity import render_sensitivity, write_sensitivity
    from siteplan.scenarios.compare import Comparison, compare_studies
    from siteplan.scenarios.sensitivity import SensitivityResult, analyze_sensitivity
    from siteplan.score.constraints import Constraint, make_constraint
    from siteplan.score.decay import make_decay

# The public API is imported on first use (PEP 562), so that ``import siteplan``
# and the command line start fast: the heavy modules (folium for maps, pyogrio
# for exports, ...) load only when a program touches them. Add every new public
# name here as well as under TYPE_CHECKING above and in __all__.
_LAZY: dict[str, str] = {
    "Result": "siteplan.analysis",
    "analyze": "siteplan.analysis",
    "CandidateResult": "siteplan.candidates.result",
    "EngineOptions": "siteplan.candidates.engines",
    "render_candidates": "siteplan.render.candidates",
    "score_candidates": "siteplan.candidates.api",
    "score_locations": "siteplan.candidates.locations",
    "write_candidates": "siteplan.render.candidates",
    "Comparison": "siteplan.scenarios.compare",
    "compare_studies": "siteplan.scenarios.compare",
    "render_comparison": "siteplan.render.compare",
    "write_comparison": "siteplan.render.compare",
    "Constraint": "siteplan.score.constraints",
    "make_constraint": "siteplan.score.constraints",
    "SensitivityResult": "siteplan.scenarios.sensitivity",
    "analyze_sensitivity": "siteplan.scenarios.sensitivity",
    "render_sensitivity": "siteplan.render.sensitivity",
    "write_sensitivity": "siteplan.render.sensitivity",
    "make_decay": "siteplan.score.decay",
    "export_result": "siteplan.render.export",
    "Layer": "siteplan.load.layers",
    "LayerSpec": "siteplan.load.layers",
    "read_layer": "siteplan.load.layers",
    "make_map": "siteplan.maps.make",
    "write_map": "siteplan.maps.make",
    "render_report": "siteplan.render.report",
    "write_report": "siteplan.render.report",
    "Study": "siteplan.load.study",
    "StudyData": "siteplan.load.study",
    "bundled_study_path": "siteplan.load.study",
    "load_study": "siteplan.load.study",
    "read_study": "siteplan.load.study",
    "validate_paths": "siteplan.load.validate",
}


def __getattr__(name: str) -> Any:
    """Import a public name's module on first access (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'siteplan' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the public API with the module's own names."""
    return sorted(set(globals()) | set(__all__))


try:
    __version__ = version("siteplan")
except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    __version__ = "0+unknown"

__all__ = [
    "CRSError",
    "CandidateResult",
    "Comparison",
    "Constraint",
    "EngineOptions",
    "Layer",
    "LayerError",
    "LayerSpec",
    "OutputError",
    "ParameterError",
    "Result",
    "SensitivityResult",
    "SiteplanError",
    "Study",
    "StudyData",
    "StudyError",
    "__version__",
    "analyze",
    "analyze_sensitivity",
    "bundled_study_path",
    "compare_studies",
    "export_result",
    "load_study",
    "make_constraint",
    "make_decay",
    "make_map",
    "read_layer",
    "read_study",
    "render_candidates",
    "render_comparison",
    "render_report",
    "render_sensitivity",
    "score_candidates",
    "score_locations",
    "validate_paths",
    "write_candidates",
    "write_comparison",
    "write_map",
    "write_report",
    "write_sensitivity",
]
