"""A study's road network: the ``[network]`` table, network layers and entrances.

The study file names its roads with ``role = "network"`` layers (field names in
``oneway_field``, ``speed_field`` and ``class_field``, the OpenStreetMap tag names
by default), the points where sites join them with ``role = "entrance"`` layers
(``site_field`` names the site each point serves, ``site_id`` by default), and how
the network is travelled in a ``[network]`` table::

    [network]
    mode = "walk"            # walk | bike | drive
    snap_max_m = 300         # farther from every road than this: unreachable
    snap_tolerance_m = 1     # line ENDPOINTS closer than this join
    walk_kmh = 4.8
    bike_kmh = 15
    drive_kmh = 30           # roads with neither a speed nor a known class
    [network.class_kmh]      # driving speeds by road class
    primary = 50
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import geopandas as gpd
import pandas as pd

from siteplan.errors import LayerError, ParameterError, StudyError
from siteplan.load.layers import LayerSpec
from siteplan.load.network import NetworkLayer, NetworkParams, NetworkSpec, read_network

if TYPE_CHECKING:
    from siteplan.load.study import StudyData

__all__ = [
    "FIELD_KEYS",
    "NETWORK_KEYS",
    "combine_networks",
    "field_options",
    "network_params",
    "network_spec",
    "read_networks",
    "with_network",
]

#: The ``[[layers]]`` keys of network and entrance layers, with their defaults.
FIELD_KEYS: Final = {
    "oneway_field": "oneway",
    "speed_field": "maxspeed",
    "class_field": "highway",
    "site_field": "site_id",
}
#: The keys of the ``[network]`` table.
NETWORK_KEYS: Final = frozenset(
    {"mode", "snap_max_m", "snap_tolerance_m", "walk_kmh", "bike_kmh", "drive_kmh", "class_kmh"}
)


def field_options(table: Mapping[str, Any], where: str, path: Path) -> dict[str, str]:
    """Return the field-name keys of a ``[[layers]]`` table (only those given).

    Raises
    ------
    StudyError
        When a field name is not a non-empty string.
    """
    out: dict[str, str] = {}
    for key in FIELD_KEYS:
        if key not in table:
            continue
        value = table[key]
        if not isinstance(value, str) or not value.strip():
            raise StudyError(f"{where} {key} is {value!r}; give a field name", path=path)
        out[key] = value
    return out


def network_params(table: Any, path: Path | None) -> NetworkParams:
    """Parse a study's ``[network]`` table.

    Raises
    ------
    StudyError
        For an unknown key or a value out of range, in one line.
    """
    if not isinstance(table, dict):
        raise StudyError("[network] is not a table", path=path)
    unknown = sorted(set(table) - NETWORK_KEYS)
    if unknown:
        raise StudyError(
            f"[network] has unknown key(s) {', '.join(unknown)}; allowed: "
            f"{', '.join(sorted(NETWORK_KEYS))}",
            path=path,
        )
    classes = table.get("class_kmh", {})
    if not isinstance(classes, dict):
        raise StudyError(
            "[network] class_kmh is not a table; give [network.class_kmh] with "
            "class = km/h lines, e.g. primary = 50",
            path=path,
        )
    values = {k: v for k, v in table.items() if k != "class_kmh"}
    try:
        return NetworkParams(**values, class_kmh=classes)
    except (ParameterError, TypeError) as exc:
        raise StudyError(f"[network] {exc}", path=path) from None


def network_spec(spec: LayerSpec) -> NetworkSpec:
    """Return the reader's description of a ``role = "network"`` layer."""
    return NetworkSpec(
        path=spec.path,
        datum=spec.datum,
        oneway_field=spec.oneway_field,
        speed_field=spec.speed_field,
        class_field=spec.class_field,
        id_field=spec.id_field,
        name_field=spec.name_field,
    )


def combine_networks(layers: Sequence[NetworkLayer]) -> NetworkLayer | None:
    """Return one network of several network layers (None for none).

    Line ids are prefixed with their layer's name when there are several, so
    that they stay unique.
    """
    if not layers:
        return None
    if len(layers) == 1:
        return layers[0]
    frames = [
        layer.frame.assign(id=[f"{layer.spec.path.stem}:{i}" for i in layer.frame["id"]])
        for layer in layers
    ]
    frame = gpd.GeoDataFrame(
        pd.concat(frames, ignore_index=True), geometry="geometry", crs=layers[0].frame.crs
    )
    notes = tuple(w for layer in layers for w in layer.warnings)
    schematic = any(layer.schematic for layer in layers)
    return NetworkLayer(spec=layers[0].spec, frame=frame, warnings=notes, schematic=schematic)


def read_networks(specs: Sequence[LayerSpec], *, strict: bool = False) -> NetworkLayer | None:
    """Read every ``role = "network"`` layer of a study into one network (None for none)."""
    return combine_networks([read_network(network_spec(s), strict=strict) for s in specs])


def with_network(data: StudyData, path: str | Path) -> StudyData:
    """Return the study with its network replaced by the layer at ``path`` (``--network``).

    Raises
    ------
    LayerError
        When the file cannot be read as a network layer.
    """
    layer_path = Path(path).expanduser()
    if not layer_path.is_file():
        raise LayerError(
            "no such network file; give a GeoJSON, GeoPackage or .osm.pbf of roads", path=layer_path
        )
    spec = LayerSpec(path=layer_path, role="network")
    network = read_networks([spec])
    return dataclasses.replace(data, network=network, network_paths=(layer_path,))
