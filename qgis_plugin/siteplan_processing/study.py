"""Write QGIS layers as a temporary siteplan study: GeoJSON in WGS84 plus a study TOML."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingUtils,
    QgsVectorFileWriter,
    QgsVectorLayer,
)

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")


@dataclass(frozen=True)
class NetworkInput:
    """A road network for the study: the line layer, its field names, how it joins.

    The fields and the snap distances are written as the study's ``role =
    "network"`` layer keys and its ``[network]`` table; empty field names are
    left out, so the library's defaults (the OpenStreetMap tag names) apply.
    """

    layer: QgsVectorLayer
    oneway_field: str = ""
    speed_field: str = ""
    class_field: str = ""
    snap_max_m: float | None = None
    snap_tolerance_m: float | None = None


def write_study(
    sites: Sequence[QgsVectorLayer],
    boundary: QgsVectorLayer | None,
    context_layers: Sequence[QgsVectorLayer],
    *,
    name: str,
    id_field: str,
    name_field: str,
    network: NetworkInput | None = None,
    context: QgsProcessingContext,
    feedback: QgsProcessingFeedback,
) -> Path:
    """Write the layers under a new temporary folder and return its ``study.toml``.

    Every layer is written with all its attributes as GeoJSON in WGS84 (lon,
    lat; QGIS transforms from the layer's CRS), with full coordinate precision.
    Site layers name their id and name fields, the network layer its oneway,
    speed and class fields; empty names are left out, so the library's defaults
    apply.
    """
    folder = Path(tempfile.mkdtemp(prefix="siteplan_", dir=QgsProcessingUtils.tempFolder()))
    lines = [f"name = {_toml(name)}", 'crs = "auto"', ""]
    layers: list[tuple[QgsVectorLayer, str]] = [(layer, "site") for layer in sites]
    if boundary is not None:
        layers.append((boundary, "boundary"))
    layers += [(layer, "context") for layer in context_layers]
    if network is not None:
        layers.append((network.layer, "network"))
    for k, (layer, role) in enumerate(layers):
        if feedback.isCanceled():
            raise QgsProcessingException("cancelled")
        path = folder / f"{role}_{k}.geojson"
        _write_geojson(layer, path, context)
        lines += ["[[layers]]", f"path = {_toml(path.name)}", f"role = {_toml(role)}"]
        lines.append('datum = "wgs84"')
        if role == "site":
            lines += [f"id_field = {_toml(id_field)}"] if id_field else []
            lines += [f"name_field = {_toml(name_field)}"] if name_field else []
        if role == "network" and network is not None:
            lines += _network_fields(network)
        lines.append("")
    if network is not None:
        lines += _network_table(network)
    study = folder / "study.toml"
    study.write_text("\n".join(lines), encoding="utf-8")
    feedback.pushInfo(f"study written to {study}")
    return study


def _write_geojson(layer: QgsVectorLayer, path: Path, context: QgsProcessingContext) -> None:
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GeoJSON"
    options.fileEncoding = "UTF-8"
    options.ct = QgsCoordinateTransform(layer.crs(), WGS84, context.transformContext())
    options.layerOptions = ["WRITE_BBOX=NO"]  # GDAL's 17 significant figures: exact
    error, message, *_ = QgsVectorFileWriter.writeAsVectorFormatV3(
        layer, str(path), context.transformContext(), options
    )
    if error != QgsVectorFileWriter.NoError:
        raise QgsProcessingException(f"cannot write layer {layer.name()!r}: {message}")


def _network_fields(network: NetworkInput) -> list[str]:
    fields = {
        "oneway_field": network.oneway_field,
        "speed_field": network.speed_field,
        "class_field": network.class_field,
    }
    return [f"{key} = {_toml(value)}" for key, value in fields.items() if value]


def _network_table(network: NetworkInput) -> list[str]:
    snaps = {"snap_max_m": network.snap_max_m, "snap_tolerance_m": network.snap_tolerance_m}
    given = [f"{key} = {value!r}" for key, value in snaps.items() if value is not None]
    return ["[network]", *given, ""] if given else []


def _toml(text: str) -> str:
    """Return ``text`` as a TOML basic string (controls and DEL escaped)."""
    escaped = "".join(
        "\\" + char if char in '"\\' else f"\\u{ord(char):04x}" if _control(char) else char
        for char in text
    )
    return f'"{escaped}"'


def _control(char: str) -> bool:
    return ord(char) < 0x20 or ord(char) == 0x7F
