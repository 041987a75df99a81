"""Read a layer file from disk: the size limit, the GeoPackage layer, GDAL's features.

Examples
--------
>>> MAX_LAYER_MB
256.0
"""

from __future__ import annotations

import math
import os
import warnings
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import pyogrio

from siteplan.errors import LayerError, ParameterError
from siteplan.load._geojson import check_geojson_text

__all__ = ["MAX_LAYER_ENV", "MAX_LAYER_MB", "check_size", "max_layer_bytes", "read_frame"]

#: The largest layer file read, in MB (10**6 bytes), unless SITEPLAN_MAX_LAYER_MB says otherwise.
#: Reading GeoJSON takes about 10 times the file's size in memory (see benchmarks/).
MAX_LAYER_MB: Final = 256.0
MAX_LAYER_ENV: Final = "SITEPLAN_MAX_LAYER_MB"
_MAX_OFFSET: Final = 2**63 - 1


def max_layer_bytes() -> int:
    """Return the largest layer file size read, in bytes.

    ``MAX_LAYER_MB`` (256 MB) unless the environment variable
    ``SITEPLAN_MAX_LAYER_MB`` gives another number of MB.

    Raises
    ------
    ParameterError
        When ``SITEPLAN_MAX_LAYER_MB`` is not a number > 0.
    """
    raw = os.environ.get(MAX_LAYER_ENV, "").strip()
    if not raw:
        return int(MAX_LAYER_MB * 1e6)
    try:
        mb = float(raw)
    except ValueError:
        mb = math.nan
    if not math.isfinite(mb) or mb <= 0:
        raise ParameterError(
            f"{MAX_LAYER_ENV}={raw!r} is not a size in MB > 0; set it to a number such as "
            f"1024, or unset it for the default {MAX_LAYER_MB:g} MB"
        )
    # A huge limit (1e308 MB) means "no limit": no file is larger than the largest offset.
    return _MAX_OFFSET if mb * 1e6 >= _MAX_OFFSET else int(mb * 1e6)


def check_size(path: Path) -> None:
    """Refuse a file past the size limit before reading it (instead of swapping)."""
    size = path.stat().st_size
    limit = max_layer_bytes()
    if size > limit:
        raise LayerError(
            f"the file is {size / 1e6:,.1f} MB, more than the {limit / 1e6:,g} MB limit for a "
            "layer (reading takes about 10 times the file's size in memory); clip or simplify "
            f"the layer, or raise the limit with the environment variable {MAX_LAYER_ENV}",
            path=path,
        )


def _choose_layer(path: Path, layer: str | None) -> str | None:
    """Return the GeoPackage layer to read: the one named, or the file's only spatial layer."""
    try:
        listed = pyogrio.list_layers(path)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        detail = " ".join(str(exc).split())[:200]
        raise LayerError(
            f"GDAL cannot read this file ({detail}); give a GeoJSON or GeoPackage layer",
            path=path,
        ) from None
    names = [str(name) for name, _ in listed]
    spatial = [str(name) for name, gtype in listed if gtype is not None]
    if layer is not None:
        if layer not in names:
            raise LayerError(
                f"the GeoPackage has no layer {layer!r}; its layers are "
                f"{', '.join(map(repr, names)) or 'none'}",
                path=path,
            )
        return layer
    if len(spatial) > 1:
        raise LayerError(
            f"the GeoPackage holds {len(spatial)} layers ({', '.join(map(repr, spatial))}); "
            'say which one to read with layer = "NAME" in the study\'s [[layers]] table',
            path=path,
        )
    return spatial[0] if spatial else None


def read_frame(path: Path, layer: str | None, id_field: str) -> gpd.GeoDataFrame:
    """Read a layer file's features (the GeoPackage ``layer``, or its only spatial layer)."""
    fids = None
    options: dict[str, Any] = {}
    if layer is not None and path.suffix.lower() != ".gpkg":
        raise LayerError(
            f"layer = {layer!r} applies to GeoPackages, and this file holds one layer; "
            "remove the layer key",
            path=path,
        )
    if path.suffix.lower() == ".gpkg":
        chosen = _choose_layer(path, layer)
        if chosen is not None:
            options["layer"] = chosen
    if path.suffix.lower() in (".geojson", ".json"):
        # Keep only the Feature ids, so the parsed JSON is freed before GDAL reads the file.
        fids = [f.get("id") for f in check_geojson_text(path, id_field)]
        # Keep date-like text as written: GDAL would turn an id "2024-01-01" into a datetime.
        options["DATE_AS_STRING"] = "YES"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = pyogrio.read_dataframe(path, **options)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        detail = " ".join(str(exc).split())[:200]
        raise LayerError(
            f"GDAL cannot read this file ({detail}); give a GeoJSON or GeoPackage layer",
            path=path,
        ) from None
    if not isinstance(frame, gpd.GeoDataFrame):
        raise LayerError("the file has no geometry column; give a spatial layer", path=path)
    if frame.empty:
        raise LayerError("the layer has no features; add at least one feature", path=path)
    frame = frame.reset_index(drop=True)
    # GDAL turns integer Feature "id" members (RFC 7946 3.2) into FIDs and drops them.
    if (
        fids is not None
        and id_field not in frame.columns
        and len(fids) == len(frame)
        and all(isinstance(v, str | int) and not isinstance(v, bool) for v in fids)
    ):
        frame[id_field] = [str(v) for v in fids]
    return frame
