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
    from siteplan.candidates import (
        CandidateResult,
        render_candidates,
        score_candidates,
        write_candidates,
    )
    from siteplan.compare import Comparison, compare_studies, render_comparison
    from siteplan.constraints import Constraint, make_constraint
    from siteplan.decay import make_decay
    from siteplan.export import export_result
    from siteplan.layers import Layer, LayerSpec, read_layer
    from siteplan.maps import make_map, score_locations, write_map
    from siteplan.report import render_report, write_report
    from siteplan.sensitivity import SensitivityResult, analyze_sensitivity, render_sensitivity
    from siteplan.study import Study, StudyData, bundled_study_path, load_study, read_study
    from siteplan.validate import validate_paths

# The public API is imported on first use (PEP 562), so that ``import siteplan``
# and the command line start fast: the heavy modules (folium for maps, pyogrio
# for exports, ...) load only when a program touches them. Add every new public
# name here as well as under TYPE_CHECKING above and in __all__.
_LAZY: dict[str, str] = {
    "Result": "siteplan.analysis",
    "analyze": "siteplan.analysis",
    "CandidateResult": "siteplan.candidates",
    "render_candidates": "siteplan.candidates",
    "score_candidates": "siteplan.candidates",
    "write_candidates": "siteplan.candidates",
    "Comparison": "siteplan.compare",
    "compare_studies": "siteplan.compare",
    "render_comparison": "siteplan.compare",
    "Constraint": "siteplan.constraints",
    "make_constraint": "siteplan.constraints",
    "SensitivityResult": "siteplan.sensitivity",
    "analyze_sensitivity": "siteplan.sensitivity",
    "render_sensitivity": "siteplan.sensitivity",
    "make_decay": "siteplan.decay",
    "export_result": "siteplan.export",
    "Layer": "siteplan.layers",
    "LayerSpec": "siteplan.layers",
    "read_layer": "siteplan.layers",
    "make_map": "siteplan.maps",
    "score_locations": "siteplan.maps",
    "write_map": "siteplan.maps",
    "render_report": "siteplan.report",
    "write_report": "siteplan.report",
    "Study": "siteplan.study",
    "StudyData": "siteplan.study",
    "bundled_study_path": "siteplan.study",
    "load_study": "siteplan.study",
    "read_study": "siteplan.study",
    "validate_paths": "siteplan.validate",
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
    "write_map",
    "write_report",
]
