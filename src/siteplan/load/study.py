"""Study files: which layers make up a study and how it is scored.

A study is a TOML file, a folder of layer files (each a site layer), or, when
nothing is given, the bundled Shanghai International Medical Zone study. A
study file looks like::

    name = "My study"
    crs = "auto"            # or an EPSG code such as "EPSG:32651" or 32651
    focus = "cgt_park"      # optional: the site drawn first on maps

    [scoring]               # optional; every key has a default
    measure = "edge"        # edge | centroid
    rings_m = [500, 1000, 2000, 5000]
    decay = "rings"         # rings | linear | exponential | gaussian | logistic
    # the decay's parameters by name: max_m, half_m, sigma_m, inflection_m, steepness_m

    [[layers]]
    path = "sites.geojson"  # relative to this file, or absolute
    role = "site"           # site | boundary | context | exclusion | demand (docs/study-files.md)
    datum = "wgs84"         # wgs84 | gcj02 | bd09
    weight = 1.0
    id_field = "id"
    name_field = "name"
    # layer = "sites"       # a GeoPackage with several layers: the one to read
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import pandas as pd

from siteplan.errors import LayerError, StudyError
from siteplan.load import network_study
from siteplan.load._base import base_path_of, merge_base
from siteplan.load._toml import MAX_STUDY_BYTES
from siteplan.load._toml import read_toml as _read_toml
from siteplan.load.constraints import check_constraint_table
from siteplan.load.demand import DemandLayer, demand_warnings, read_demand_layers, site_capacities
from siteplan.load.layers import (
    LAYER_SUFFIXES,
    ROLES,
    WGS84,
    Layer,
    LayerSpec,
    find_layer_files,
    read_layer,
)
from siteplan.load.network import NetworkLayer, NetworkParams

__all__ = [
    "MAX_STUDY_BYTES",
    "Study",
    "StudyData",
    "bundled_study_path",
    "check_unique_ids",
    "load_study",
    "read_study",
]

_TOP_KEYS: Final = frozenset(
    {"name", "crs", "focus", "scoring", "layers", "constraints", "network", "base"}
)
_DEMAND_KEYS: Final = ("population_field", "spread_cell_m", "capacity_field")
_LAYER_KEYS: Final = frozenset(
    {"path", "role", "datum", "weight", "id_field", "name_field", "layer", *_DEMAND_KEYS}
    | set(network_study.FIELD_KEYS)
)
SCORING_KEYS: Final = frozenset(
    {"measure", "rings_m", "decay", "max_m", "half_m", "sigma_m", "inflection_m", "steepness_m"}
    # with measure = "time", the same keys in minutes
    | {"rings_min", "max_min", "half_min", "sigma_min", "inflection_min", "steepness_min"}
)


def bundled_study_path() -> Path:
    """Return the path of the bundled SIMZ study file.

    The study ships inside the installed package (``siteplan/_bundled/simz``); in
    a source checkout installed in editable mode it is read from ``geodata/simz``.
    """
    packaged = resources.files("siteplan") / "_bundled" / "simz" / "study.toml"
    if packaged.is_file():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[3] / "geodata" / "simz" / "study.toml"
    if checkout.is_file():
        return checkout
    raise StudyError(
        "the bundled SIMZ study is missing from this installation; reinstall siteplan",
        path=str(packaged),
    )


@dataclass(frozen=True)
class Study:
    """A study's configuration, before any layer is read.

    Parameters
    ----------
    name
        A title for reports and maps.
    layers
        The layer files and their roles.
    crs
        ``"auto"`` (UTM zone from the study's extent) or a CRS such as ``"EPSG:32651"``.
    focus
        A site id drawn first on maps, or None.
    scoring
        Scoring parameters from the study file (see :mod:`siteplan.score.scoring`).
    constraints
        Candidate constraints from ``[[constraints]]`` tables.
    path
        The study file or folder, or None for a study built in code.
    network
        How the road network is travelled (the ``[network]`` table).
    """

    name: str
    layers: tuple[LayerSpec, ...]
    crs: str = "auto"
    focus: str | None = None
    scoring: Mapping[str, Any] = field(default_factory=dict)
    constraints: tuple[Mapping[str, Any], ...] = ()
    path: Path | None = None
    network: NetworkParams = field(default_factory=NetworkParams)

    @property
    def is_bundled(self) -> bool:
        """Whether this is the bundled SIMZ study."""
        return self.path is not None and self.path == bundled_study_path()


def _expect(value: Any, kind: type | tuple[type, ...], where: str, path: Path, hint: str) -> Any:
    if isinstance(value, bool) and kind is not bool:
        raise StudyError(f"{where} is {value!r}; {hint}", path=path)
    if not isinstance(value, kind):
        raise StudyError(f"{where} is {value!r}; {hint}", path=path)
    return value


def _layer_spec(table: Any, index: int, study_path: Path) -> LayerSpec:
    where = f"[[layers]] #{index + 1}"
    if not isinstance(table, dict):
        raise StudyError(f"{where} is not a table", path=study_path)
    unknown = sorted(set(table) - _LAYER_KEYS)
    if unknown:
        raise StudyError(
            f"{where} has unknown key(s) {', '.join(unknown)}; allowed: "
            f"{', '.join(sorted(_LAYER_KEYS))}",
            path=study_path,
        )
    if "path" not in table:
        raise StudyError(f"{where} has no 'path'; give the layer file", path=study_path)
    raw = _expect(table["path"], str, f"{where} path", study_path, "give a file path")
    layer_path = Path(raw).expanduser()
    if not layer_path.is_absolute():
        layer_path = study_path.parent / layer_path
    role = _expect(
        table.get("role", "site"),
        str,
        f"{where} role",
        study_path,
        f"use one of {', '.join(ROLES)}",
    )
    weight = _expect(
        table.get("weight", 1.0), (int, float), f"{where} weight", study_path, "give a number >= 0"
    )
    try:
        return LayerSpec(
            path=layer_path,
            role=role,
            datum=_expect(
                table.get("datum", "wgs84"),
                str,
                f"{where} datum",
                study_path,
                "use wgs84, gcj02 or bd09",
            ),
            weight=float(weight),
            id_field=_expect(
                table.get("id_field", "id"), str, f"{where} id_field", study_path, "give a name"
            ),
            name_field=_expect(
                table.get("name_field", "name"),
                str,
                f"{where} name_field",
                study_path,
                "give a name",
            ),
            layer=_expect(
                table.get("layer", ""),
                str,
                f"{where} layer",
                study_path,
                "give the name of a GeoPackage layer",
            )
            or None,
            **_role_options(table, where, study_path),
        )
    except LayerError as exc:
        raise StudyError(f"{where}: {exc.message}", path=study_path) from None


def _role_options(table: Mapping[str, Any], where: str, study_path: Path) -> dict[str, Any]:
    """Return a layer table's role-specific keys (demand, capacity, network fields)."""
    options: dict[str, Any] = {k: table[k] for k in _DEMAND_KEYS if k in table}
    options.update(network_study.field_options(table, where, study_path))
    return options


def _crs_value(value: Any, path: Path) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"EPSG:{value}"
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise StudyError(
        f'crs is {value!r}; use "auto" or an EPSG code such as "EPSG:32651"', path=path
    )


def _study_from_file(path: Path, doc: dict[str, Any] | None = None) -> Study:
    doc = _read_toml(path) if doc is None else doc
    if "base" in doc:
        return _based_study(doc, path)
    unknown = sorted(set(doc) - _TOP_KEYS)
    if unknown:
        raise StudyError(
            f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_TOP_KEYS))}",
            path=path,
        )
    tables = doc.get("layers")
    if not isinstance(tables, list) or not tables:
        raise StudyError(
            "the study has no [[layers]]; add at least one [[layers]] table with a path",
            path=path,
        )
    specs = tuple(_layer_spec(t, i, path) for i, t in enumerate(tables))
    scoring = doc.get("scoring", {})
    if not isinstance(scoring, dict):
        raise StudyError("[scoring] is not a table", path=path)
    bad = sorted(set(scoring) - SCORING_KEYS)
    if bad:
        raise StudyError(
            f"[scoring] has unknown key(s) {', '.join(bad)}; allowed: "
            f"{', '.join(sorted(SCORING_KEYS))}",
            path=path,
        )
    constraints = doc.get("constraints", [])
    if not isinstance(constraints, list) or not all(isinstance(c, dict) for c in constraints):
        raise StudyError("constraints must be [[constraints]] tables", path=path)
    for index, table in enumerate(constraints):
        check_constraint_table(table, index, path)
    focus = doc.get("focus")
    if focus is not None and not isinstance(focus, str):
        raise StudyError(f"focus is {focus!r}; give a site id", path=path)
    name = doc.get("name", path.stem)
    if not isinstance(name, str):
        raise StudyError(f"name is {name!r}; give a title", path=path)
    return Study(
        name=name,
        layers=specs,
        crs=_crs_value(doc.get("crs", "auto"), path),
        focus=focus,
        scoring=scoring,
        constraints=tuple(constraints),
        path=path,
        network=network_study.network_params(doc.get("network", {}), path),
    )


def _based_study(doc: dict[str, Any], path: Path) -> Study:
    """Return a study on a ``base`` study (see :mod:`siteplan.load._base`)."""
    base_path = base_path_of(doc.pop("base"), path, bundled_study_path, _read_toml)
    return merge_base(_study_from_file(path, doc), load_study(base_path), set(doc))


def _study_from_folder(path: Path) -> Study:
    files = find_layer_files(path)
    if not files:
        raise StudyError(
            f"the folder holds no layer files ({', '.join(LAYER_SUFFIXES)}); "
            "add GeoJSON or GeoPackage layers, or give a study file",
            path=path,
        )
    name = path.resolve().name or str(path.resolve())
    return Study(name=name, layers=tuple(LayerSpec(path=f) for f in files), path=path)


def load_study(path: str | Path | None = None) -> Study:
    """Return a study's configuration from a TOML file, a folder, or the bundled study.

    Parameters
    ----------
    path
        A study TOML file, or a folder of layer files (every file is a site
        layer). None means the bundled SIMZ study.

    Returns
    -------
    Study
        The study's configuration; no layer has been read yet.

    Examples
    --------
    >>> study = load_study()
    >>> [spec.role for spec in study.layers].count("site")
    4
    """
    if path is None:
        return _study_from_file(bundled_study_path())
    path = Path(path).expanduser()
    if not path.exists():
        raise StudyError(
            "no such study file or folder; give a study .toml, a folder of layers, "
            "or nothing for the bundled SIMZ study",
            path=path,
        )
    if path.is_dir():
        return _study_from_folder(path)
    if path.suffix.lower() == ".toml":
        return _study_from_file(path)
    if path.suffix.lower() in LAYER_SUFFIXES:
        return Study(name=path.stem, layers=(LayerSpec(path=path),), path=path)
    raise StudyError(
        "not a study: give a .toml study file, a folder of layers, or a .geojson/.gpkg layer",
        path=path,
    )


@dataclass(frozen=True)
class StudyData:
    """A study with every layer read, checked and converted to WGS84.

    ``sites`` combines the site layers; besides each layer's properties it has
    the columns ``id``, ``name``, ``layer`` (the layer's name), ``weight`` and
    ``placement``. ``boundary``, ``context``, ``exclusions``, ``entrances``
    and ``network`` are None when the study has no layer of that role;
    ``network_paths`` are the files the network was read from. ``demand``: the
    demand layers (not in ``layers``); ``capacity``: the supply by site id, for
    sites whose layer has a ``capacity_field``.
    """

    study: Study
    layers: tuple[Layer, ...]
    sites: gpd.GeoDataFrame
    boundary: gpd.GeoDataFrame | None
    context: gpd.GeoDataFrame | None
    exclusions: gpd.GeoDataFrame | None
    warnings: tuple[str, ...]
    demand: tuple[DemandLayer, ...] = ()
    capacity: Mapping[str, float] = field(default_factory=dict)
    entrances: gpd.GeoDataFrame | None = None
    network: NetworkLayer | None = None
    network_paths: tuple[Path, ...] = ()

    @property
    def schematic(self) -> bool:
        """Whether any site or boundary feature is placed schematically."""
        return any(layer.schematic for layer in self.layers)


def _combine(layers: Sequence[Layer]) -> gpd.GeoDataFrame | None:
    if not layers:
        return None
    frames = [layer.frame.assign(layer=layer.spec.name) for layer in layers]
    combined = pd.concat(frames, ignore_index=True)
    return gpd.GeoDataFrame(combined, geometry="geometry", crs=WGS84)


def _same_source(a: LayerSpec, b: LayerSpec) -> bool:
    """Whether two specs read the same layer of the same file (by any spelling)."""
    if a.layer != b.layer:
        return False
    try:
        return a.path.resolve() == b.path.resolve() or a.path.samefile(b.path)
    except OSError:
        return False


def _check_listed_once(layers: Sequence[Layer]) -> None:
    for k, layer in enumerate(layers):
        for other in layers[:k]:
            if _same_source(layer.spec, other.spec):
                what = "file" if layer.spec.layer is None else f"layer {layer.spec.layer!r}"
                raise LayerError(
                    f"the {what} is listed twice in the study; remove one of the two entries",
                    path=layer.spec.path,
                )


def check_unique_ids(layers: Sequence[Layer]) -> None:
    """Refuse a feature id used twice across ``layers``, naming both files."""
    _check_listed_once(layers)
    owner: dict[str, Path] = {}
    for layer in layers:
        for fid in layer.frame["id"]:
            if fid in owner:
                other = owner[fid]
                raise LayerError(
                    f"id {fid!r} is also used in {other}; ids must be unique across the "
                    "whole study: rename one of them",
                    path=layer.spec.path,
                    feature=repr(fid),
                )
            owner[fid] = layer.spec.path


def read_study(study: Study | str | Path | None = None, *, strict: bool = False) -> StudyData:
    """Read and validate every layer of a study.

    Parameters
    ----------
    study
        A :class:`Study`, a path accepted by :func:`load_study`, or None for the
        bundled SIMZ study.
    strict
        Refuse invalid polygons instead of repairing them.

    Returns
    -------
    StudyData
        Every layer in WGS84, the sites combined into one frame.

    Raises
    ------
    LayerError, StudyError
        When a layer cannot be used, with the file and feature named.

    Examples
    --------
    >>> data = read_study()
    >>> sorted(data.sites["id"])
    ['cancer_center', 'cgt_park', 'childrens_center', 'proton_center']
    """
    if not isinstance(study, Study):
        study = load_study(study)
    layers = tuple(
        read_layer(spec, strict=strict)
        for spec in study.layers
        if spec.role not in ("network", "demand")
    )
    check_unique_ids(layers)
    demand = read_demand_layers(study.layers, strict=strict)
    roads = [spec for spec in study.layers if spec.role == "network"]
    network = network_study.read_networks(roads, strict=strict)
    by_role = {role: [lay for lay in layers if lay.spec.role == role] for role in ROLES}
    sites = _combine(by_role["site"])
    if sites is None:
        raise StudyError(
            'the study has no site layer; give at least one layer with role = "site"',
            path=study.path,
        )
    if study.focus is not None and study.focus not in set(sites["id"]):
        raise StudyError(
            f"focus {study.focus!r} is not a site id; use one of {', '.join(sites['id'])}",
            path=study.path,
        )
    return StudyData(
        study=study,
        layers=layers,
        sites=sites,
        boundary=_combine(by_role["boundary"]),
        context=_combine(by_role["context"]),
        exclusions=_combine(by_role["exclusion"]),
        warnings=tuple(w for layer in layers for w in layer.warnings)
        + (network.warnings if network is not None else ())
        + demand_warnings(demand),
        demand=demand,
        capacity=site_capacities(layers),
        entrances=_combine(by_role["entrance"]),
        network=network,
        network_paths=tuple(spec.path for spec in roads),
    )
