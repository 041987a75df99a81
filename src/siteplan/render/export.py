"""Export an analysis to a GeoPackage or a GeoJSON file for GIS software.

- ``.gpkg``: one GeoPackage with the layers ``sites`` (footprints with scores),
  ``rings`` (ring bands), ``pairs`` (the shortest edge-to-edge segment of every
  pair, with distances and scores), ``boundary`` and ``context`` when the study
  has them, and an attribute table ``parameters`` (key, value) recording the
  metric CRS the study was measured in, the scoring parameters, the warnings
  and the accuracy caveat. GeoPackage version 1.3; each spatial layer's
  default QGIS style (QML and SLD) is in ``layer_styles`` (see
  :mod:`siteplan.render.styles`).
- ``.geojson``: one RFC 7946 FeatureCollection (WGS84 lon/lat, no ``crs``
  member) of sites, ring bands and pair lines; each feature says which it is
  in its ``feature_type`` property (``site``, ``ring`` or ``pair``).

Spatial layers are in EPSG:4326 (QGIS reprojects on the fly); distances and
areas in their attributes were measured in the study's metric CRS. Files are
written through pyogrio (GDAL) to a temporary file and renamed into place, and
the same result always gives byte-identical files.
"""

from __future__ import annotations

import contextlib
import json
import numbers
from collections.abc import Iterator, Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from siteplan._formats import SUFFIX_FORMATS, suffix_format
from siteplan._io import atomic_path, is_stdout
from siteplan.analysis import PAIR_COLUMNS
from siteplan.errors import OutputError, ParameterError
from siteplan.load.layers import WGS84
from siteplan.measure.network.columns import NETWORK_PAIR_COLUMNS
from siteplan.render._antimeridian import split_at_antimeridian
from siteplan.render._export_texts import layer_descriptions
from siteplan.render.styles import analysis_styles, write_layer_styles
from siteplan.score.units import unit_name

if TYPE_CHECKING:
    from siteplan.analysis import Result

__all__ = [
    "EXPORT_SUFFIXES",
    "SITE_COLUMNS",
    "export_driver",
    "export_layers",
    "export_result",
    "layer_columns",
    "parameter_rows",
]

#: Export formats and the GDAL driver each is written with.
_DRIVERS: Final = {"gpkg": "GPKG", "geojson": "GeoJSON"}
#: Output suffixes and the GDAL driver each is written with.
EXPORT_SUFFIXES: Final = {s: _DRIVERS[f] for s, f in SUFFIX_FORMATS.items() if f in _DRIVERS}
#: The attribute columns of the ``sites`` layer, in order.
SITE_COLUMNS: Final = (
    "id",
    "name",
    "name_zh",
    "layer",
    "weight",
    "placement",
    "accuracy_m",
    "source",
    "area_m2",
    "geodesic_area_m2",
    "score",
    "rank",
    "nearest_id",
    "nearest_m",
)
RING_COLUMNS: Final = ("site_id", "inner_m", "ring_m", "area_m2", "reaches")
#: Optional site properties written as NULL when the study's layers lack them.
_OPTIONAL_SITE_COLUMNS: Final = {"name_zh": "str", "source": "str", "accuracy_m": "float64"}
#: GeoPackage version: QGIS 3.22 and GDAL 3.6 warn on 1.4 (GDAL's default from 3.7).
_GPKG_OPTIONS: Final = {"VERSION": "1.3"}
#: GDAL stamps GeoPackages with the current time unless told otherwise.
_FIXED_DATE: Final = "2000-01-01T00:00:00.000Z"
#: Column names GeoPackage reserves for the feature id and the geometry.
_RESERVED: Final = frozenset({"fid", "geom"})
#: GDAL version from which GeoJSON takes FOREIGN_MEMBERS_COLLECTION.
_FOREIGN_MEMBERS_GDAL: Final = (3, 9, 0)


def export_result(result: Result, path: str | Path, *, force: bool = False) -> Path:
    """Write an analysis to a GeoPackage (``.gpkg``) or GeoJSON (``.geojson``) file.

    Parameters
    ----------
    result
        The analysis to export (see :func:`siteplan.analyze`).
    path
        The output file; its suffix chooses the format. Missing parent folders
        are created; an existing file is replaced atomically and keeps its
        permission bits. ``-`` (standard output) takes GeoJSON only.
    force
        Replace an existing read-only output.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ParameterError
        For a suffix other than ``.gpkg`` or ``.geojson``.
    OutputError
        When the path is one of the study's inputs, is not a regular file, is
        read-only (without ``force``), lies under a regular file, is standard
        output for a GeoPackage, or cannot be written. Nothing is left behind on
        failure.

    Examples
    --------
    >>> import tempfile, pyogrio, siteplan
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = export_result(siteplan.analyze(), Path(folder) / "simz.gpkg")
    ...     [str(name) for name, _ in pyogrio.list_layers(out)]
    ['sites', 'rings', 'pairs', 'boundary', 'context', 'parameters', 'layer_styles']
    """
    path = Path(path).expanduser()
    driver = export_driver(path)
    layers = export_layers(result)
    # GDAL errors are turned into OutputError outside atomic_path (which has removed the
    # temporary file by then): an OSError raised inside it would be re-worded.
    try:
        with atomic_path(path, result.inputs, force=force, stdout=driver == "GeoJSON") as tmp:
            if driver == "GPKG":
                _write_geopackage(tmp, layers, result)
            else:
                _write_geojson(tmp, "siteplan" if is_stdout(path) else path.stem, layers, result)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        detail = " ".join(str(exc).split())[:200]
        raise OutputError(
            f"GDAL cannot write the {driver} file ({detail}); check the folder and free space",
            path=path,
        ) from None
    return path


def export_driver(path: str | Path) -> str:
    """Return the GDAL driver an output path is written with (from its suffix).

    Standard output (``-`` or a link to ``/dev/stdout``) is GeoJSON, the text
    format, unless the link's name ends in ``.gpkg`` (refused when written).

    Raises
    ------
    ParameterError
        For a suffix other than ``.gpkg`` or ``.geojson`` (in any case).

    Examples
    --------
    >>> export_driver("results.GPKG")
    'GPKG'
    """
    path = Path(path)
    if is_stdout(path) and path.suffix.lower() != ".gpkg":
        return "GeoJSON"
    fmt = suffix_format(path)
    if fmt not in _DRIVERS:
        suffix = path.suffix.lower()
        allowed = " or ".join(f"{s} ({d})" for s, d in EXPORT_SUFFIXES.items())
        given = repr(suffix) if suffix else "a file without a suffix"
        raise ParameterError(f"cannot export to {given}; name the output {allowed}", path=path)
    return _DRIVERS[fmt]


def export_layers(result: Result) -> dict[str, gpd.GeoDataFrame]:
    """Return the spatial layers an export writes, in WGS84, with clean column types.

    The keys are ``sites``, ``rings``, ``pairs`` and, when the study has them,
    ``boundary`` and ``context``. Strings are ``str``, whole numbers integer and
    other numbers float64; a missing value (e.g. ``ring_m`` beyond the last
    ring) is written as NULL.
    """
    sites = result.sites.copy()
    for column, dtype in _OPTIONAL_SITE_COLUMNS.items():
        if column not in sites.columns:
            sites[column] = pd.Series(np.nan, index=sites.index, dtype=dtype)
    columns = layer_columns(result)
    unit = result.parameters.unit
    layers = {
        name: _select(frame, columns[name]).rename(columns=lambda c: unit_name(str(c), unit))
        for name, frame in (("sites", sites), ("rings", result.rings), ("pairs", result.pairs))
    }
    for name, frame in (("boundary", result.data.boundary), ("context", result.data.context)):
        if frame is not None:
            renamed = {c: f"{c}_" for c in frame.columns if str(c).lower() in _RESERVED}
            layers[name] = _select(frame.rename(columns=renamed), None)
    return _unify_empty_fields(layers, ("boundary", "context"))


def layer_columns(result: Result) -> dict[str, tuple[str, ...]]:
    """Return the attribute columns of ``sites``, ``rings`` and ``pairs``, internal names.

    A network measure adds ``connector_m`` to the sites and the network pair
    fields (``network_m_ab`` ... ``reachable``, ``connector_m``) to the pairs.
    The export names the columns that carry the measure by its unit
    (:func:`~siteplan.score.units.unit_name`: ``ring_min``, ... with time).
    """
    sites: tuple[str, ...] = SITE_COLUMNS
    pairs: tuple[str, ...] = PAIR_COLUMNS
    if result.network is not None:
        sites = (*sites, *(c for c in ("connector_m",) if c in result.sites.columns))
        pairs = (*pairs, *(c for c in NETWORK_PAIR_COLUMNS if c in result.pairs.columns))
    return {"sites": sites, "rings": RING_COLUMNS, "pairs": pairs}


def _unify_empty_fields(
    layers: dict[str, gpd.GeoDataFrame], names: tuple[str, ...]
) -> dict[str, gpd.GeoDataFrame]:
    """Give a field with no value in one of the layers ``names`` the type it has in another.

    A property missing from every feature of one layer (all null) would be
    written as text there and as, say, an integer in a layer that has values;
    it takes the other layer's type instead. A field empty in every layer stays
    text.
    """
    typed: dict[str, Any] = {}
    for frame in (layers[name] for name in names if name in layers):
        for column in frame.columns:
            if column != frame.geometry.name and frame[column].notna().any():
                typed.setdefault(str(column), frame[column].dtype)
    out = dict(layers)
    for name, frame in layers.items():
        if name not in names:
            continue
        empty = {
            str(c): pd.Series(index=frame.index, dtype=_nullable_dtype(typed[str(c)]))
            for c in frame.columns
            if c != frame.geometry.name and str(c) in typed and not frame[c].notna().any()
        }
        out[name] = frame.assign(**empty) if empty else frame
    return out


def _nullable_dtype(dtype: Any) -> Any:
    """Return a dtype that can hold missing values: integers and booleans become nullable."""
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype) and isinstance(dtype, np.dtype):
        return f"{'U' if dtype.kind == 'u' else ''}Int{dtype.itemsize * 8}"  # int32 -> Int32
    return dtype


def _select(frame: gpd.GeoDataFrame, columns: tuple[str, ...] | None) -> gpd.GeoDataFrame:
    """Return ``columns`` (or every attribute column) with clean types, plus the geometry."""
    names = [c for c in frame.columns if c != frame.geometry.name] if columns is None else columns
    data = {str(c): _clean(frame[c]) for c in names}
    geometry = frame.geometry.to_crs(WGS84).reset_index(drop=True)
    return gpd.GeoDataFrame(
        pd.DataFrame(data).reset_index(drop=True), geometry=geometry.array, crs=WGS84
    )


def _clean(column: pd.Series) -> pd.Series:
    """Return a column with one sensible type: str, integer, float, boolean or datetime."""
    column = column.reset_index(drop=True)
    if column.dtype != object:
        if pd.api.types.is_string_dtype(column.dtype):
            return column.astype("str")
        return column
    values = [v for v in column if not _missing(v)]
    if values and all(isinstance(v, bool | np.bool_) for v in values):
        return column.astype("boolean")
    if values and all(
        isinstance(v, numbers.Integral) and not isinstance(v, bool | np.bool_) for v in values
    ):
        return column.astype("Int64")
    if values and all(
        isinstance(v, numbers.Real) and not isinstance(v, bool | np.bool_) for v in values
    ):
        return column.astype("float64")
    text = [None if _missing(v) else _text(v) for v in column]
    return pd.Series(pd.array(text, dtype="str"), name=column.name)


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and np.isnan(value)


def _text(value: Any) -> str:
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def parameter_rows(result: Result) -> list[tuple[str, str]]:
    """Return the ``parameters`` table of a GeoPackage export as (key, value) rows.

    The keys are those docs/commands/export.md lists: ``study``, ``metric_crs``,
    ``layer_crs``, the scoring parameters, ``cluster_score``, ``schematic``,
    ``caveat``, ``warnings`` (a JSON list of text) and ``siteplan_version``.
    """
    rows: list[tuple[str, str]] = [
        ("study", result.name),
        ("metric_crs", result.crs_name),
        ("layer_crs", "EPSG:4326"),
    ]
    rows += [(key, _value_text(value)) for key, value in result.parameters.as_dict().items()]
    rows += [
        ("cluster_score", repr(float(result.cluster_score))),
        ("schematic", "true" if result.schematic else "false"),
        ("caveat", result.caveat),
    ]
    rows.append(("warnings", json.dumps(list(result.warnings), ensure_ascii=False)))
    rows.append(("siteplan_version", _version()))
    return rows


def _value_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return repr(value)
    return json.dumps(value)


def _version() -> str:
    try:
        return version("siteplan")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0+unknown"


def _write_geopackage(tmp: Path, layers: Mapping[str, gpd.GeoDataFrame], result: Result) -> None:
    descriptions = layer_descriptions(result)
    with _fixed_gdal_date():
        for name, layer in layers.items():
            frame, geometry_type = _split_antimeridian(name, layer)
            pyogrio.write_dataframe(
                frame,
                tmp,
                layer=name,
                driver="GPKG",
                geometry_type=geometry_type,
                promote_to_multi=True if geometry_type and "Multi" in geometry_type else None,
                layer_options={"DESCRIPTION": descriptions[name]},
                dataset_options=_GPKG_OPTIONS,
            )
        table = pd.DataFrame(parameter_rows(result), columns=["key", "value"]).astype("str")
        pyogrio.write_dataframe(
            table,
            tmp,
            layer="parameters",
            driver="GPKG",
            layer_options={"DESCRIPTION": descriptions["parameters"]},
        )
    write_layer_styles(tmp, analysis_styles(result))


def _split_antimeridian(name: str, frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, str | None]:
    """Return a layer with geometries crossing 180° split there, and its geometry type.

    Ring bands are always MultiPolygon; pair lines are LineString unless a pair
    crosses the antimeridian, when the layer is MultiLineString.
    """
    geoms = np.asarray(frame.geometry.array, dtype=object)
    split = split_at_antimeridian(geoms)
    changed = any(a is not b for a, b in zip(geoms, split, strict=True))
    geometry_type = {"rings": "MultiPolygon", "pairs": "LineString"}.get(name)
    if not changed:
        return frame, geometry_type
    if name == "pairs":
        geometry_type = "MultiLineString"
    return frame.set_geometry(gpd.GeoSeries(split, crs=WGS84, index=frame.index)), geometry_type


def _write_geojson(
    tmp: Path, name: str, layers: Mapping[str, gpd.GeoDataFrame], result: Result
) -> None:
    parts = [
        _nullable(layers[key]).assign(feature_type=kind)
        for key, kind in (("sites", "site"), ("rings", "ring"), ("pairs", "pair"))
    ]
    combined = pd.concat(parts, ignore_index=True)
    columns = ["feature_type", *(c for c in combined.columns if c not in ("feature_type",))]
    frame = gpd.GeoDataFrame(combined[columns], geometry="geometry", crs=WGS84)
    options = {"RFC7946": "YES", "COORDINATE_PRECISION": "7", "WRITE_BBOX": "NO"}
    if pyogrio.__gdal_version__ >= _FOREIGN_MEMBERS_GDAL:
        options["FOREIGN_MEMBERS_COLLECTION"] = json.dumps(
            {"siteplan": _summary(result)}, ensure_ascii=False
        )
    pyogrio.write_dataframe(frame, tmp, layer=name, driver="GeoJSON", layer_options=options)


def _nullable(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``frame`` with integer and boolean columns made nullable (for concatenation)."""
    out = frame.copy()
    for column in out.columns:
        dtype = out[column].dtype
        if pd.api.types.is_bool_dtype(dtype):
            out[column] = out[column].astype("boolean")
        elif pd.api.types.is_integer_dtype(dtype):
            out[column] = out[column].astype("Int64")
    return out


def _summary(result: Result) -> dict[str, Any]:
    """Return the FeatureCollection's ``siteplan`` member: how the numbers were made."""
    return {
        "study": result.name,
        "metric_crs": result.crs_name,
        "parameters": result.parameters.as_dict(),
        "cluster_score": float(result.cluster_score),
        "schematic": bool(result.schematic),
        "caveat": result.caveat,
        "warnings": list(result.warnings),
        "siteplan_version": _version(),
    }


@contextlib.contextmanager
def _fixed_gdal_date() -> Iterator[None]:
    """Make GDAL stamp GeoPackages with a fixed date, then restore the setting."""
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": _FIXED_DATE})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})
