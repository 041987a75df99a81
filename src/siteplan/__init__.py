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

from importlib.metadata import PackageNotFoundError, version

from siteplan.analysis import Result, analyze
from siteplan.decay import make_decay
from siteplan.errors import (
    CRSError,
    LayerError,
    OutputError,
    ParameterError,
    SiteplanError,
    StudyError,
)
from siteplan.export import export_result
from siteplan.layers import Layer, LayerSpec, read_layer
from siteplan.maps import make_map, write_map
from siteplan.report import render_report, write_report
from siteplan.study import Study, StudyData, bundled_study_path, load_study, read_study
from siteplan.validate import validate_paths

try:
    __version__ = version("siteplan")
except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    __version__ = "0+unknown"

__all__ = [
    "CRSError",
    "Layer",
    "LayerError",
    "LayerSpec",
    "OutputError",
    "ParameterError",
    "Result",
    "SiteplanError",
    "Study",
    "StudyData",
    "StudyError",
    "__version__",
    "analyze",
    "bundled_study_path",
    "export_result",
    "load_study",
    "make_decay",
    "make_map",
    "read_layer",
    "read_study",
    "render_report",
    "validate_paths",
    "write_map",
    "write_report",
]
