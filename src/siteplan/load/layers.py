"""Read and validate layer files into WGS84 GeoDataFrames.

A layer is one GeoJSON or GeoPackage file with a role in a study: ``site``
(the places that are scored), ``boundary`` (the study area, where candidates may
go), ``context`` (drawn on maps only, e.g. metro stations), ``exclusion``
(areas where no candidate may go), ``network`` (roads, read by
:mod:`siteplan.load.network`) or ``entrance`` (points where sites join the
network). Every layer is read through pyogrio, checked, converted from its
declared datum to WGS84 and handed back with unique, non-empty ``id`` and
``name`` columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from siteplan.errors import LayerError
from siteplan.load._coords import (
    POLYGONAL,
    WGS84,
    check_extent,
    check_geometries,
    check_role_keys,
    to_wgs84,
)
from siteplan.load._datum import DATUMS
from siteplan.load._files import (
    MAX_LAYER_ENV,
    MAX_LAYER_MB,
    check_size,
    max_layer_bytes,
    read_frame,
)

__all__ = [
    "LAYER_SUFFIXES",
    "MAX_DISTANCE_M",
    "MAX_LAYER_ENV",
    "MAX_LAYER_MB",
    "MAX_WEIGHT",
    "ROLES",
    "WGS84",
    "Layer",
    "LayerSpec",
    "max_layer_bytes",
    "read_layer",
]

ROLES: Final = ("site", "boundary", "context", "exclusion", "demand", "network", "entrance")
LAYER_SUFFIXES: Final = (".geojson", ".json", ".gpkg")

#: The largest distance option or ring radius siteplan measures, in metres. A study is
#: measured in one transverse Mercator (UTM) zone: its scale error grows to about 1 %
#: 1,000 km from the central meridian and the projection breaks down beyond about
#: 2,000-3,000 km, so no radius, constraint or separation may exceed 2,000 km.
MAX_DISTANCE_M: Final = 2_000_000.0
#: The largest weight of a layer or a feature: weights are relative importances, and
#: sums of weights near 1e308 overflow to infinity and turn every score into 0.
MAX_WEIGHT: Final = 1e6


@dataclass(frozen=True)
class LayerSpec:
    """How one layer file takes part in a study (a ``[[layers]]`` table).

    Parameters
    ----------
    path
        The layer file (GeoJSON or GeoPackage).
    role
        ``site``, ``boundary``, ``context``, ``exclusion``, ``demand`` (read by
        :func:`siteplan.load.demand.read_demand`), ``network`` or ``entrance``.
    datum
        ``wgs84``, ``gcj02`` (Amap/Gaode, Tencent) or ``bd09`` (Baidu).
    weight
        The weight of the layer's features in scoring, unless a feature has its own.
    id_field, name_field
        The properties that hold each feature's id and display name.
    layer
        The layer to read from a GeoPackage that holds several; None for a file
        with one layer (a GeoPackage with several is then refused).
    population_field, spread_cell_m
        Demand layers: the property holding each feature's demand, and the grid cell
        (metres) to spread polygons over (None: their centroids).
    capacity_field
        Site layers: the property holding each site's supply (beds, floor area), or None.
    oneway_field, speed_field, class_field
        A ``network`` layer's one-way, speed (km/h) and road-class fields.
    site_field
        An ``entrance`` layer's field with the id of the site each point serves.
    """

    path: Path
    role: str = "site"
    datum: str = "wgs84"
    weight: float = 1.0
    id_field: str = "id"
    name_field: str = "name"
    layer: str | None = None
    population_field: str = "population"
    spread_cell_m: float | None = None
    capacity_field: str | None = None
    oneway_field: str = "oneway"
    speed_field: str = "maxspeed"
    class_field: str = "highway"
    site_field: str = "site_id"

    def __post_init__(self) -> None:
        for key in ("id_field", "name_field"):
            if str(getattr(self, key)).strip().lower() in ("geometry", "geom"):
                raise LayerError(
                    f"{key} {getattr(self, key)!r} names the geometry, not a property; give "
                    "the property that holds each feature's "
                    f"{'id' if key == 'id_field' else 'display name'}",
                    path=self.path,
                )
        if self.layer is not None and (not isinstance(self.layer, str) or not self.layer):
            raise LayerError(
                f"layer {self.layer!r} is not a layer name; give the GeoPackage layer to read",
                path=self.path,
            )
        if self.role not in ROLES:
            raise LayerError(f"role {self.role!r} is not one of {', '.join(ROLES)}", path=self.path)
        check_role_keys(self)
        if self.datum not in DATUMS:
            raise LayerError(
                f"datum {self.datum!r} is not one of {', '.join(DATUMS)} "
                "(gcj02 for Amap/Gaode or Tencent coordinates, bd09 for Baidu)",
                path=self.path,
            )
        if (
            isinstance(self.weight, bool)
            or not isinstance(self.weight, int | float)
            or not np.isfinite(self.weight)
            or not 0 <= self.weight <= MAX_WEIGHT
        ):
            raise LayerError(
                f"weight {self.weight!r} is not a number >= 0 and <= {MAX_WEIGHT:g}; give the "
                "layer a weight such as 1 or 2.5",
                path=self.path,
            )

    @property
    def name(self) -> str:
        """The layer's name: its file name without the suffix (or the GeoPackage layer's)."""
        return self.path.stem if self.layer is None else self.layer


@dataclass(frozen=True)
class Layer:
    """One validated layer: its spec, its WGS84 features and what was repaired.

    ``frame`` has the columns ``id`` and ``name`` (str, unique, non-empty),
    ``weight`` (float), ``placement`` (``surveyed``, ``schematic`` or
    ``unknown``), the file's other properties, and ``geometry`` in EPSG:4326.
    """

    spec: LayerSpec
    frame: gpd.GeoDataFrame
    source_crs: str
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def schematic(self) -> bool:
        """Whether any feature of the layer is placed schematically."""
        return bool((self.frame["placement"] == "schematic").any())

    def summary(self) -> dict[str, Any]:
        """Return the facts ``siteplan validate`` prints about the layer."""
        minx, miny, maxx, maxy = (float(v) for v in self.frame.total_bounds)
        counts = self.frame["placement"].value_counts().sort_index()
        return {
            "path": str(self.spec.path),
            "role": self.spec.role,
            "features": len(self.frame),
            "geometry_types": sorted(set(self.frame.geom_type)),
            "bounds": [minx, miny, maxx, maxy],
            "datum": self.spec.datum,
            "source_crs": self.source_crs,
            "placement": {str(k): int(v) for k, v in counts.items()},
            "warnings": list(self.warnings),
        }


def _labels(frame: gpd.GeoDataFrame, spec: LayerSpec) -> list[str]:
    if spec.id_field in frame.columns:
        return [
            repr(str(v)) if _is_present(v) else f"#{i + 1}"
            for i, v in enumerate(frame[spec.id_field])
        ]
    return [f"#{i + 1}" for i in range(len(frame))]


def _is_present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and np.isnan(value):
        return False
    return str(value).strip() != ""


def _repair(
    frame: gpd.GeoDataFrame, spec: LayerSpec, labels: list[str], *, strict: bool
) -> tuple[gpd.GeoDataFrame, list[str]]:
    geoms = np.asarray(frame.geometry.array)
    invalid = ~shapely.is_valid(geoms)
    notes: list[str] = []
    if not invalid.any():
        return frame, notes
    repaired = geoms.copy()
    for i in np.flatnonzero(invalid):
        reason = shapely.is_valid_reason(geoms[i])
        if strict:
            raise LayerError(
                f"the geometry is invalid ({reason}); repair it (e.g. QGIS Fix geometries) "
                "or run without --strict to repair it with make_valid",
                path=spec.path,
                feature=labels[i],
            )
        fixed = shapely.make_valid(geoms[i])
        if frame.geom_type.iloc[i] in POLYGONAL:
            parts = shapely.get_parts(fixed)
            polys = [p for p in parts if p.geom_type in POLYGONAL]
            fixed = shapely.multipolygons(polys) if len(polys) > 1 else (polys or [None])[0]
            if fixed is None or fixed.area == 0:
                raise LayerError(
                    f"the geometry is invalid ({reason}) and has no area once repaired; "
                    "redraw the footprint",
                    path=spec.path,
                    feature=labels[i],
                )
        repaired[i] = fixed
        notes.append(
            f"{spec.path}: feature {labels[i]}: invalid geometry ({reason}) repaired with "
            "make_valid; check the footprint, or use --strict to refuse it"
        )
    return frame.set_geometry(gpd.GeoSeries(repaired, index=frame.index, crs=frame.crs)), notes


def _ids_and_names(
    frame: gpd.GeoDataFrame, spec: LayerSpec, labels: list[str]
) -> tuple[list[str], list[str], list[str]]:
    notes: list[str] = []
    if spec.id_field in frame.columns:
        ids = []
        for i, value in enumerate(frame[spec.id_field]):
            if not _is_present(value):
                raise LayerError(
                    f"the '{spec.id_field}' property is missing or empty; give every feature "
                    "a unique id",
                    path=spec.path,
                    feature=labels[i],
                )
            ids.append(_as_text(value))
    else:
        stem = spec.path.stem
        ids = [stem] if len(frame) == 1 else [f"{stem}_{i + 1}" for i in range(len(frame))]
        notes.append(
            f"{spec.path}: no '{spec.id_field}' property; ids made from the file name "
            f"({ids[0]}{', ...' if len(ids) > 1 else ''}); set id_field to use another property"
        )
    seen: dict[str, int] = {}
    for i, fid in enumerate(ids):
        if fid in seen:
            raise LayerError(
                f"id {fid!r} is used by features #{seen[fid] + 1} and #{i + 1}; "
                "give every feature a unique id",
                path=spec.path,
                feature=labels[i],
            )
        seen[fid] = i
    if spec.name_field in frame.columns:
        names = [
            _as_text(v) if _is_present(v) else ids[i] for i, v in enumerate(frame[spec.name_field])
        ]
    else:
        names = list(ids)
    return ids, names, notes


def _as_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _weights(frame: gpd.GeoDataFrame, spec: LayerSpec, labels: list[str]) -> list[float]:
    if "weight" not in frame.columns:
        return [float(spec.weight)] * len(frame)
    out = []
    for i, value in enumerate(frame["weight"]):
        if not _is_present(value):
            out.append(float(spec.weight))
            continue
        try:
            weight = float(value)
        except (TypeError, ValueError):
            weight = float("nan")
        if (
            isinstance(value, bool | np.bool_)
            or not np.isfinite(weight)
            or not 0 <= weight <= MAX_WEIGHT
        ):
            raise LayerError(
                f"weight {value!r} is not a number >= 0 and <= {MAX_WEIGHT:g}; fix the "
                "feature's 'weight' property",
                path=spec.path,
                feature=labels[i],
            )
        out.append(weight)
    return out


def read_layer(spec: LayerSpec, *, strict: bool = False) -> Layer:
    """Read, check and convert one layer file.

    Parameters
    ----------
    spec
        The file and how it takes part in the study.
    strict
        Refuse invalid (e.g. self-intersecting) polygons instead of repairing them.

    Returns
    -------
    Layer
        The layer's features in WGS84 with unique ``id`` and ``name`` columns.

    Raises
    ------
    LayerError
        With the file, the feature where there is one, what is wrong and what to do.

    Examples
    --------
    >>> from siteplan.load.study import bundled_study_path
    >>> layer = read_layer(LayerSpec(bundled_study_path().parent / "cgt_park.geojson"))
    >>> layer.frame["id"].tolist()
    ['cgt_park']
    """
    path = spec.path
    if not path.exists():
        raise LayerError(
            "no such file; check the path (study paths are relative to the study file)",
            path=path,
        )
    if not path.is_file():
        raise LayerError("not a file; give a GeoJSON or GeoPackage layer file", path=path)
    check_size(path)
    frame = read_frame(path, spec.layer, spec.id_field)
    labels = _labels(frame, spec)
    check_geometries(frame, spec, labels)
    source_crs = "none (RFC 7946 lon/lat)" if frame.crs is None else str(frame.crs.to_string())
    frame = to_wgs84(frame, spec, labels)
    check_extent(frame, spec, labels)
    frame, notes = _repair(frame, spec, labels, strict=strict)
    ids, names, id_notes = _ids_and_names(frame, spec, labels)
    weights = _weights(frame, spec, labels)
    placement = (
        frame["placement"].where(frame["placement"].notna(), "unknown").astype(str).tolist()
        if "placement" in frame.columns
        else ["unknown"] * len(frame)
    )
    props = frame.drop(
        columns=[c for c in ("id", "name", "weight", "placement") if c in frame.columns]
    )
    out = gpd.GeoDataFrame(
        {
            "id": pd.array(ids, dtype=object),
            "name": pd.array(names, dtype=object),
            "weight": np.asarray(weights, dtype=float),
            "placement": pd.array(placement, dtype=object),
        },
        index=frame.index,
    )
    out = gpd.GeoDataFrame(pd.concat([out, props], axis=1), geometry="geometry", crs=WGS84)
    return Layer(spec=spec, frame=out, source_crs=source_crs, warnings=tuple(id_notes + notes))


def find_layer_files(folder: Path) -> list[Path]:
    """Return the layer files (``.geojson``, ``.json``, ``.gpkg``) in a folder, sorted."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in LAYER_SUFFIXES)
