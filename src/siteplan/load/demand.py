"""Read demand layers (who is served) and the sites' supply (capacity).

A demand layer (``role = "demand"`` in a study) holds points or polygons with a population, or
another demand, in the property named by ``population_field`` (default ``population``). It is
read through :func:`siteplan.load.layers.read_layer` (the same structural checks, datum
conversion, geometry repair and unique ids as every layer), then its demand values are checked:
a missing, NaN, infinite, non-numeric (text, boolean, array) or negative value is refused with
a one-line :class:`~siteplan.errors.LayerError` naming the file, the feature and the field.
Numeric text such as ``"1200"`` is read as the number. Sites may give a supply (beds, floor
area) in ``capacity_field``; :func:`read_capacity` checks it the same way.

:func:`demand_points` places the demand in the study's metric CRS: a point's demand sits on the
point (a MultiPoint's at its centroid); a polygon's at its centroid, or, when ``spread_cell_m``
is given, spread over the square cells of a grid (aligned to the lower-left corner of the
layer's bounds) in proportion to the area of the polygon inside each cell, at the centroid of
that piece. The demand of a feature is preserved exactly up to rounding.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from siteplan.errors import LayerError, ParameterError
from siteplan.load._geojson import check_geojson_text
from siteplan.load.layers import LayerSpec, read_layer

__all__ = [
    "DEFAULT_POPULATION_FIELD",
    "MAX_SPREAD_CELLS",
    "DemandLayer",
    "DemandSpec",
    "demand_points",
    "read_capacity",
    "read_demand",
]

DEFAULT_POPULATION_FIELD: Final = "population"
#: The most grid cells :func:`demand_points` makes when spreading polygons.
MAX_SPREAD_CELLS: Final = 2_000_000
_DEMAND_TYPES: Final = frozenset({"Point", "MultiPoint", "Polygon", "MultiPolygon"})
_POLYGONAL: Final = frozenset({"Polygon", "MultiPolygon"})


@dataclass(frozen=True)
class DemandSpec:
    """How a demand layer file takes part in a study (a ``[[layers]]`` table, role demand).

    Parameters
    ----------
    path
        The layer file (GeoJSON or GeoPackage).
    datum
        ``wgs84``, ``gcj02`` or ``bd09``.
    id_field, name_field
        The properties that hold each feature's id and display name.
    population_field
        The property that holds each feature's demand (default ``population``).
    spread_cell_m
        Spread polygons over a grid of this cell size in metres; None for their centroids.
    """

    path: Path
    datum: str = "wgs84"
    id_field: str = "id"
    name_field: str = "name"
    population_field: str = DEFAULT_POPULATION_FIELD
    spread_cell_m: float | None = None
    role: str = field(default="demand", init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.population_field, str) or not self.population_field:
            raise LayerError(
                f"population_field {self.population_field!r} is not a property name",
                path=self.path,
            )
        cell = self.spread_cell_m
        if cell is not None and (
            isinstance(cell, bool)
            or not isinstance(cell, int | float)
            or not np.isfinite(cell)
            or cell <= 0
        ):
            raise LayerError(
                f"spread_cell_m {cell!r} is not a cell size in metres > 0, e.g. 250",
                path=self.path,
            )

    def layer_spec(self) -> LayerSpec:
        """Return the spec :func:`read_layer` reads the file with (role context: any geometry)."""
        return LayerSpec(
            path=self.path,
            role="context",
            datum=self.datum,
            id_field=self.id_field,
            name_field=self.name_field,
        )


@dataclass(frozen=True)
class DemandLayer:
    """One validated demand layer.

    ``frame`` has the columns ``id``, ``name``, ``population`` (float >= 0), ``placement``,
    the file's other properties and ``geometry`` in EPSG:4326.
    """

    spec: DemandSpec
    frame: gpd.GeoDataFrame
    source_crs: str
    warnings: tuple[str, ...] = ()

    @property
    def total(self) -> float:
        """The layer's total demand."""
        return float(self.frame["population"].sum())


def _raw_values(path: Path, frame: pd.DataFrame, name: str, id_field: str) -> list[Any]:
    """Return a property's values as written: GeoJSON's own JSON values, else the frame's.

    GDAL reads a ``true`` among integers as 1 and an array as its items, so GeoJSON values are
    taken from the parsed text.
    """
    if path.suffix.lower() in (".geojson", ".json"):
        features = check_geojson_text(path, id_field)
        if len(features) == len(frame):
            return [
                (f.get("properties") or {}).get(name) if isinstance(f, dict) else None
                for f in features
            ]
    return frame[name].tolist() if name in frame.columns else [None] * len(frame)


def _has_field(path: Path, frame: pd.DataFrame, name: str, id_field: str) -> bool:
    if name in frame.columns:
        return True
    if path.suffix.lower() in (".geojson", ".json"):
        return any(
            isinstance(f, dict) and name in (f.get("properties") or {})
            for f in check_geojson_text(path, id_field)
        )
    return False


def _amount(value: Any, name: str, what: str, path: Path, label: str) -> float:
    """Return ``value`` as a finite number >= 0, or refuse it naming file, feature and field."""
    where = f"the '{name}' property"
    if value is None or (isinstance(value, float) and np.isnan(value)):
        problem = "is missing" if value is None else "is NaN"
        raise LayerError(
            f"{where} {problem}; give every feature its {what} as a number >= 0",
            path=path,
            feature=label,
        )
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | str | np.number):
        shown = json.dumps(value) if isinstance(value, bool | list | dict) else repr(value)
        raise LayerError(
            f"{where} is {shown[:40]}, not a number; give the {what} as a number >= 0",
            path=path,
            feature=label,
        )
    try:
        number = float(value)
    except ValueError:
        raise LayerError(
            f"{where} is {str(value)[:40]!r}, not a number; give the {what} as a number >= 0",
            path=path,
            feature=label,
        ) from None
    if not np.isfinite(number) or number < 0:
        problem = "is NaN" if np.isnan(number) else f"is {number:g}, not a finite number >= 0"
        raise LayerError(
            f"{where} {problem}; give the {what} as a number >= 0", path=path, feature=label
        )
    return number


def _amounts(
    path: Path, frame: pd.DataFrame, name: str, id_field: str, what: str
) -> np.ndarray[Any, np.dtype[np.float64]]:
    if not _has_field(path, frame, name, id_field):
        raise LayerError(
            f"no feature has a '{name}' property; add the {what} to every feature, or name the "
            f"property that holds it",
            path=path,
        )
    labels = [repr(str(v)) for v in frame["id"]]
    values = _raw_values(path, frame, name, id_field)
    return np.array(
        [_amount(v, name, what, path, labels[i]) for i, v in enumerate(values)], dtype=np.float64
    )


def read_demand(spec: DemandSpec, *, strict: bool = False) -> DemandLayer:
    """Read, check and convert one demand layer.

    Parameters
    ----------
    spec
        The file, its datum, its id/name fields and its population field.
    strict
        Refuse invalid polygons instead of repairing them.

    Returns
    -------
    DemandLayer
        The features in WGS84 with ``id``, ``name`` and ``population``.

    Raises
    ------
    LayerError
        As :func:`~siteplan.load.layers.read_layer`, for a geometry other than points and
        polygons, and for a missing, NaN, non-numeric or negative demand.

    Examples
    --------
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "towns.geojson"
    >>> _ = path.write_text(json.dumps({"type": "FeatureCollection", "features": [
    ...     {"type": "Feature", "properties": {"id": "t1", "population": 1200},
    ...      "geometry": {"type": "Point", "coordinates": [121.6, 31.1]}}]}))
    >>> read_demand(DemandSpec(path)).total
    1200.0
    """
    layer = read_layer(spec.layer_spec(), strict=strict)
    frame = layer.frame
    for i, gtype in enumerate(frame.geom_type):
        if gtype not in _DEMAND_TYPES:
            raise LayerError(
                f"a {gtype} does not fit a demand layer, which takes points and polygons "
                "(MultiPoint, MultiPolygon, Point, Polygon); fix the geometry",
                path=spec.path,
                feature=repr(str(frame["id"].iloc[i])),
            )
    population = _amounts(spec.path, frame, spec.population_field, spec.id_field, "demand")
    out = frame.drop(columns=["weight"])
    if spec.population_field in out.columns:
        out = out.drop(columns=[spec.population_field])
    out.insert(2, "population", population)
    return DemandLayer(spec=spec, frame=out, source_crs=layer.source_crs, warnings=layer.warnings)


def read_capacity(
    frame: pd.DataFrame, capacity_field: str, *, path: Path, id_field: str = "id"
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Return the sites' supply from ``capacity_field``, one finite number >= 0 per site.

    Parameters
    ----------
    frame
        One site layer's features (``Layer.frame``, with its ``id`` column).
    capacity_field
        The property that holds the supply (beds, floor area, ...).
    path
        The layer file, for messages and for reading GeoJSON values as written.
    id_field
        The layer's id property.

    Returns
    -------
    numpy.ndarray
        One capacity per feature, in the frame's order.

    Raises
    ------
    LayerError
        For a missing field, or a missing, NaN, non-numeric or negative value.
    """
    return _amounts(Path(path), frame, capacity_field, id_field, "capacity")


def demand_points(
    layer: DemandLayer | gpd.GeoDataFrame, crs: Any, *, spread_cell_m: float | None = None
) -> gpd.GeoDataFrame:
    """Place the demand as points in a metric CRS.

    Parameters
    ----------
    layer
        A demand layer (or its frame: ``id``, ``name``, ``population``, geometry).
    crs
        The study's metric CRS.
    spread_cell_m
        Spread polygons over a grid of this cell size (metres); None for centroids. Default:
        the layer spec's ``spread_cell_m``.

    Returns
    -------
    geopandas.GeoDataFrame
        ``id`` (the feature's id, or ``ID#k`` for the k-th piece of a spread polygon),
        ``source_id``, ``name``, ``population`` and Point geometry in ``crs``.

    Raises
    ------
    ParameterError
        For a bad cell size, or a grid of more than ``MAX_SPREAD_CELLS`` cells.
    """
    if isinstance(layer, DemandLayer):
        frame = layer.frame
        if spread_cell_m is None:
            spread_cell_m = layer.spec.spread_cell_m
    else:
        frame = layer
    if spread_cell_m is not None and (not np.isfinite(spread_cell_m) or spread_cell_m <= 0):
        raise ParameterError(
            f"spread_cell_m must be a cell size in metres > 0, got {spread_cell_m!r}"
        )
    projected = frame.to_crs(crs)
    geoms = np.asarray(projected.geometry.array)
    ids = projected["id"].astype(str).to_numpy(dtype=object)
    names = projected["name"].astype(str).to_numpy(dtype=object)
    pops = projected["population"].to_numpy(dtype=np.float64)
    polygonal = np.flatnonzero(shapely.get_type_id(geoms) >= 3)  # Polygon 3, MultiPolygon 6
    if spread_cell_m is None or not len(polygonal):
        return _frame([(ids, ids, names, pops, shapely.centroid(geoms))], projected.crs)
    origin = (float(projected.total_bounds[0]), float(projected.total_bounds[1]))
    cell = float(spread_cell_m)
    chunks: list[_Chunk] = []
    start = 0
    for i in polygonal.tolist():
        if start < i:
            run = slice(start, i)
            chunks.append((ids[run], ids[run], names[run], pops[run], shapely.centroid(geoms[run])))
        chunks.append(_spread(ids[i], names[i], pops[i], geoms[i], origin=origin, cell=cell))
        start = i + 1
    if start < len(geoms):
        run = slice(start, len(geoms))
        chunks.append((ids[run], ids[run], names[run], pops[run], shapely.centroid(geoms[run])))
    return _frame(chunks, projected.crs)


_Chunk = tuple[
    np.ndarray[Any, Any],
    np.ndarray[Any, Any],
    np.ndarray[Any, Any],
    np.ndarray[Any, np.dtype[np.float64]],
    np.ndarray[Any, Any],
]


def _spread(
    fid: str, name: str, population: float, geom: Any, *, origin: tuple[float, float], cell: float
) -> _Chunk:
    """Split one polygon's demand over the grid cells it covers, by area."""
    minx, miny, maxx, maxy = geom.bounds
    ox, oy = origin
    i0, i1 = int(np.floor((minx - ox) / cell)), int(np.ceil((maxx - ox) / cell))
    j0, j1 = int(np.floor((miny - oy) / cell)), int(np.ceil((maxy - oy) / cell))
    count = max(i1 - i0, 1) * max(j1 - j0, 1)
    if count > MAX_SPREAD_CELLS:
        raise ParameterError(
            f"spreading feature {fid!r} over {cell:g} m cells needs {count:,} cells, more than "
            f"{MAX_SPREAD_CELLS:,}; choose a larger spread_cell_m"
        )
    xs = ox + np.arange(i0, max(i1, i0 + 1)) * cell
    ys = oy + np.arange(j0, max(j1, j0 + 1)) * cell
    gx, gy = np.meshgrid(xs, ys)
    boxes = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + cell, gy.ravel() + cell)
    pieces = shapely.intersection(boxes, geom)
    areas = shapely.area(pieces)
    inside = areas > 0
    pieces, areas = pieces[inside], areas[inside]
    n = len(pieces)
    piece_ids = np.array([f"{fid}#{k + 1}" for k in range(n)], dtype=object)
    return (
        piece_ids,
        np.full(n, fid, dtype=object),
        np.full(n, name, dtype=object),
        population * areas / areas.sum(),
        shapely.centroid(pieces),
    )


def _frame(chunks: list[_Chunk], crs: Any) -> gpd.GeoDataFrame:
    columns = [np.concatenate([chunk[k] for chunk in chunks]) for k in range(5)]
    return gpd.GeoDataFrame(
        {
            "id": pd.array(columns[0].tolist(), dtype=object),
            "source_id": pd.array(columns[1].tolist(), dtype=object),
            "name": pd.array(columns[2].tolist(), dtype=object),
            "population": columns[3].astype(np.float64),
        },
        geometry=gpd.GeoSeries(columns[4], crs=crs),
        crs=crs,
    )
