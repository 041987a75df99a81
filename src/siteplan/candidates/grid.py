"""Candidate sets: the grid over the study boundary, or a user's parcel layer.

- grid cells are aligned to the lower-left corner of the boundary's bounds in
  the study's metric CRS; a cell is a candidate when its centre is on or inside
  the boundary, and it is measured from its centre;
- a parcel polygon is measured from its centroid, a point from itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TypeAlias

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely

from siteplan.errors import LayerError, ParameterError
from siteplan.load.layers import LayerSpec, read_layer

__all__ = [
    "MAX_CELLS",
    "Grid",
    "check_output_size",
    "grid_cells",
    "read_parcels",
    "surface_bytes",
    "surface_cells",
]

IntArray: TypeAlias = npt.NDArray[np.intp]

#: The largest grid (cells over the boundary's bounds) the in-memory engine builds.
MAX_CELLS: Final = 25_000_000
#: A surface file's bytes per cell, and per site column: ``(base, per site + id length)``,
#: measured on the bundled study (4 sites; 678 and 336 bytes per cell).
_SURFACE_BYTES: Final = {"geojson": (540, 22), "gpkg": (270, 16)}
#: A picks file's bytes per pick (json, csv, markdown), and per site.
_PICK_BYTES: Final = (400, 60)
#: Grid cells tested against the boundary per pass.
_ROWS_CHUNK: Final = 100_000
_WGS84: Final = "EPSG:4326"


@dataclass(frozen=True)
class Grid:
    """The candidate grid: square cells aligned to the boundary's lower-left corner.

    Cell ``(row, col)`` spans ``x0 + col * cell_m`` to ``x0 + (col + 1) * cell_m``
    and likewise in y (rows run south to north), in the metric CRS.

    Examples
    --------
    >>> Grid(x0=0.0, y0=0.0, cell_m=50.0, rows=12, cols=3).cell_id([0, 11], [2, 0])
    ['r00c02', 'r11c00']
    """

    x0: float
    y0: float
    cell_m: float
    rows: int
    cols: int

    @property
    def cells(self) -> int:
        """The number of cells over the boundary's bounds."""
        return self.rows * self.cols

    def cell_id(self, row: npt.ArrayLike, col: npt.ArrayLike) -> list[str]:
        """Return cell ids ``r<row>c<col>``, zero-padded so that id order is row-major order."""
        width = len(str(max(self.rows, self.cols) - 1))
        return [
            f"r{r:0{width}d}c{c:0{width}d}"
            for r, c in zip(np.asarray(row).tolist(), np.asarray(col).tolist(), strict=True)
        ]


def _shape(bounds: tuple[float, float, float, float], cell_m: float) -> tuple[int, int]:
    """Return the grid's (rows, cols) over ``bounds``."""
    minx, miny, maxx, maxy = bounds
    # A sliver thinner than a millionth of a cell (reprojection noise) gets no column/row.
    cols = max(1, math.ceil((maxx - minx) / cell_m - 1e-6))
    rows = max(1, math.ceil((maxy - miny) / cell_m - 1e-6))
    return rows, cols


def surface_cells(boundary: shapely.Geometry, cell_m: float) -> int:
    """Return about how many grid cells of ``cell_m`` have their centre in ``boundary``.

    Computed from the boundary's area, without building the grid.

    Examples
    --------
    >>> surface_cells(shapely.box(0, 0, 1000, 500), 1.0)
    500000
    """
    minx, miny, maxx, maxy = (float(v) for v in shapely.bounds(boundary))
    rows, cols = _shape((minx, miny, maxx, maxy), cell_m)
    box = (maxx - minx) * (maxy - miny)
    share = min(1.0, float(shapely.area(boundary)) / box) if box > 0 else 1.0
    return math.ceil(rows * cols * share)


def surface_bytes(rows: int, site_ids: Sequence[str], fmt: str) -> int:
    """Return about how many bytes ``rows`` candidates take in format ``fmt``.

    ``geojson`` and ``gpkg`` are the scored surface (one feature per candidate);
    the other formats list the picks, ``rows`` being their number.

    Examples
    --------
    >>> surface_bytes(1000, ["a", "b"], "geojson")
    586000
    """
    base, per_site = _SURFACE_BYTES.get(fmt, _PICK_BYTES)
    return int(rows) * (base + sum(per_site + len(str(i)) for i in site_ids))


def check_output_size(
    estimate: int, max_output_mb: float, what: str, advice: str, option: str = "--max-output-mb"
) -> None:
    """Refuse an output estimated past ``max_output_mb``, in one line naming the option.

    Raises
    ------
    ParameterError
        When ``estimate`` bytes exceed ``max_output_mb`` megabytes (10^6 bytes).

    Examples
    --------
    >>> check_output_size(2_500_000_000, 1000, "-f geojson", "give a larger --cell")
    Traceback (most recent call last):
    ...
    siteplan.errors.ParameterError: -f geojson would write about 2.5 GB, past the 1,000 MB limit: give a larger --cell, or raise the limit with --max-output-mb
    """  # noqa: E501
    if estimate <= max_output_mb * 1e6:
        return
    if estimate >= 1e9:
        size = f"{estimate / 1e9:,.1f} GB"
    elif estimate >= 1e6:
        size = f"{estimate / 1e6:,.{0 if estimate >= 1e7 else 1}f} MB"
    else:
        size = f"{estimate / 1e3:,.0f} kB"
    raise ParameterError(
        f"{what} would write about {size}, past the {max_output_mb:,g} MB limit: {advice}, "
        f"or raise the limit with {option}",
        argument="max_output_mb",
    )


def grid_cells(
    boundary: shapely.Geometry, cell_m: float, *, clip: bool
) -> tuple[Grid, IntArray, IntArray, int]:
    """Return the grid over ``boundary``, the (row, col) of its candidate cells, and the rest.

    Parameters
    ----------
    boundary
        The study boundary in the metric CRS.
    cell_m
        The cell size in metres (> 0).
    clip
        Keep only cells whose centre is on or inside the boundary; else all.

    Returns
    -------
    tuple
        The grid, the candidates' rows and columns (row-major), and how many
        cells fell outside the boundary.

    Raises
    ------
    ParameterError
        When the grid would have more than :data:`MAX_CELLS` cells.

    Examples
    --------
    >>> grid, row, col, outside = grid_cells(shapely.box(0, 0, 100, 50), 50.0, clip=True)
    >>> (grid.rows, grid.cols), row.tolist(), col.tolist(), outside
    ((1, 2), [0, 0], [0, 1], 0)
    """
    minx, miny, maxx, maxy = (float(v) for v in shapely.bounds(boundary))
    rows, cols = _shape((minx, miny, maxx, maxy), cell_m)
    if rows * cols > MAX_CELLS:
        raise ParameterError(
            f"cell_m={cell_m:g} gives {rows * cols:,} cells over the boundary's bounds, more "
            f"than the in-memory engine's {MAX_CELLS:,}; give a larger cell (at least "
            f"{math.ceil(cell_m * math.sqrt(rows * cols / MAX_CELLS))} m) or a smaller boundary",
            argument="cell_m",
        )
    grid = Grid(x0=minx, y0=miny, cell_m=cell_m, rows=rows, cols=cols)
    xs = minx + (np.arange(cols) + 0.5) * cell_m
    if not clip:
        r, c = np.divmod(np.arange(rows * cols, dtype=np.intp), cols)
        return grid, r.astype(np.intp), c.astype(np.intp), 0
    shapely.prepare(boundary)
    keep_r: list[IntArray] = []
    keep_c: list[IntArray] = []
    step = max(1, _ROWS_CHUNK // cols)
    for r0 in range(0, rows, step):
        rr = np.arange(r0, min(rows, r0 + step), dtype=np.intp)
        yy = miny + (rr + 0.5) * cell_m
        gx = np.tile(xs, len(rr))
        gy = np.repeat(yy, cols)
        inside = shapely.intersects_xy(boundary, gx, gy)
        flat = np.flatnonzero(inside)
        keep_r.append(rr[flat // cols])
        keep_c.append((flat % cols).astype(np.intp))
    row = np.concatenate(keep_r)
    col = np.concatenate(keep_c)
    return grid, row, col, rows * cols - len(row)


def read_parcels(
    parcels: str | Path | gpd.GeoDataFrame | Any,
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Return parcels (WGS84, sorted by id) from a layer path or a GeoDataFrame, and notes.

    A frame without an ``id`` column gets ids ``parcel_1``, ``parcel_2``, ...

    Raises
    ------
    ParameterError
        For a GeoDataFrame without a CRS or with duplicate ids.
    LayerError
        When the layer cannot be read or holds lines.
    """
    notes: list[str] = []
    if isinstance(parcels, gpd.GeoDataFrame):
        if parcels.crs is None:
            raise ParameterError(
                "parcels: the GeoDataFrame has no CRS; set one (e.g. frame.set_crs(4326))",
                argument="parcels",
            )
        frame = parcels.to_crs(_WGS84).reset_index(drop=True)
        if "id" not in frame.columns:
            frame["id"] = [f"parcel_{i + 1}" for i in range(len(frame))]
        frame["id"] = frame["id"].astype(str)
        if frame["id"].duplicated().any():
            raise ParameterError(
                "parcels: ids are not unique; give every parcel its own id", argument="parcels"
            )
        label = "parcels"
    else:
        layer = read_layer(LayerSpec(path=Path(parcels), role="context"))
        frame = layer.frame
        notes += list(layer.warnings)
        label = str(parcels)
    kinds = set(frame.geom_type)
    allowed = {"Polygon", "MultiPolygon", "Point", "MultiPoint"}
    if not kinds <= allowed or frame.geometry.is_empty.any() or frame.geometry.isna().any():
        raise LayerError(
            f"parcels are {', '.join(sorted(kinds))}; give polygons or points (lines "
            "cannot be candidates)",
            path=label,
        )
    frame = frame.sort_values("id", kind="stable", ignore_index=True)
    return frame, notes
