"""Score candidate locations for a new facility, rank the best, honour constraints.

Candidates are a regular grid of square cells over the study boundary, or a
user's parcel or point layer:

- grid cells are aligned to the lower-left corner of the boundary's bounds in
  the study's metric CRS; a cell is a candidate when its centre is on or inside
  the boundary, and it is measured from its centre;
- a parcel polygon is measured from its centroid, a point from itself.

Each candidate is scored against every site with the study's decay function
and site weights: its score is the weighted mean of its per-site scores
``decay(d_j)`` (weights: the sites' weights; 0 when every weight is 0), where
``d_j`` follows the study's measure (``edge``: to the site's footprint, 0 on or
inside it; ``centroid``: to the site's centroid). The per-site scores are the
breakdown; the nearest site (ties: the smaller id) and its distance come with it.

Distances are exact (those of ``shapely.distance``, see :mod:`siteplan.measure._kernel`);
candidates stay coordinate arrays, processed in chunks of ``chunk_size``; decays
with a cutoff only measure the pairs within reach.

Picks are the ``top`` eligible candidates by score (ties: the smaller id, which
for grid cells is the cell further south, then further west), each at least
``min_separation_m`` (centre to centre) from every better pick.
"""

from __future__ import annotations

import csv
import io
import json
import math
import numbers
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import Transformer

from siteplan._values import json_value
from siteplan.errors import LayerError, OutputError, ParameterError, StudyError
from siteplan.measure._kernel import (
    Targets,
    distance_matrix,
    nearest_targets,
    prepare_targets,
    reach_pairs,
)
from siteplan.measure.pairs import QUAD_SEGS
from siteplan.render.styles import candidate_styles, write_layer_styles
from siteplan.score.constraints import (
    COUNTING_RULE,
    Constraint,
    evaluate_constraints,
    resolve_constraints,
)

if TYPE_CHECKING:
    import geopandas as gpd

    from siteplan.analysis import Result
    from siteplan.scenarios.sensitivity import SensitivityResult
    from siteplan.score.decay import DecayFunction

__all__ = [
    "BREAKDOWN_LIMIT",
    "CANDIDATE_FORMATS",
    "DEFAULT_CHUNK",
    "ENGINES",
    "MAX_CELLS",
    "CandidateResult",
    "Grid",
    "SurfaceScores",
    "render_candidates",
    "score_candidates",
    "score_surface",
    "select_picks",
    "write_candidates",
]

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.intp]

#: Text formats (standard output without -o) and file formats (need -o).
CANDIDATE_FORMATS: Final = ("json", "csv", "markdown", "geojson", "gpkg")
TEXT_FORMATS: Final = ("json", "csv", "markdown")
#: Candidates scored per chunk: bounds the memory of one pass.
DEFAULT_CHUNK: Final = 100_000
#: The per-site breakdown of every candidate is kept up to this many values.
BREAKDOWN_LIMIT: Final = 8_000_000
#: The largest grid (cells over the boundary's bounds) the in-memory engine builds.
MAX_CELLS: Final = 25_000_000
_WGS84: Final = "EPSG:4326"
_GPKG_DATE: Final = "2000-01-01T00:00:00.000Z"


# --------------------------------------------------------------------------------------
# the result


@dataclass(frozen=True)
class Grid:
    """The candidate grid: square cells aligned to the boundary's lower-left corner.

    Cell ``(row, col)`` spans ``x0 + col * cell_m`` to ``x0 + (col + 1) * cell_m``
    and likewise in y (rows run south to north), in the metric CRS.
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


@dataclass(frozen=True)
class SurfaceScores:
    """What the scoring pass returns for every candidate.

    ``breakdown`` is ``(M, N)``: row ``j`` holds every candidate's score against
    site ``j`` (None when it would exceed :data:`BREAKDOWN_LIMIT` values).
    """

    score: FloatArray
    nearest: IntArray
    nearest_m: FloatArray
    breakdown: FloatArray | None


@dataclass(frozen=True)
class CandidateResult:
    """Scored candidates, the picks, the constraints and what a map needs to draw them.

    Per-candidate values are numpy arrays aligned to each other, in candidate
    order (grid: row-major from the south-west corner, which is also id order;
    parcels: id order); :attr:`candidates` assembles them into a table on demand.

    Attributes
    ----------
    result
        The study's proximity analysis (sites in WGS84 and metric, the caveat, ...).
    site_ids
        The sites, in id order: the columns of :attr:`breakdown`.
    x, y
        Candidate centres in the metric CRS (``result.crs``).
    score
        Each candidate's score: the weighted mean of its per-site scores.
    nearest, nearest_m
        Each candidate's nearest site (position in :attr:`site_ids`) and distance.
    excluded_code
        The position in :attr:`constraints` of the constraint that excluded
        each candidate, or -1.
    pick_index
        The picks' candidate positions, in rank order.
    breakdown
        ``(N, M)`` per-site scores of every candidate, or None for very large runs
        (the picks always have theirs: :attr:`pick_breakdown`).
    pick_breakdown, pick_distances
        ``(picks, M)`` per-site scores and distances of the picks.
    excluded
        Constraint name -> how many candidates it excluded (see :data:`COUNTING_RULE`).
    constraints
        Every constraint, in evaluation order.
    parameters
        The run's parameters (JSON-ready).
    decay
        The decay function (``decay.to_js()`` scores in a web page).
    grid, row, col
        The grid and each candidate's cell, or None for parcels.
    parcel_ids, parcels
        The parcels' ids and geometries (WGS84), or None for a grid.
    warnings
        The study's warnings and the run's own, in a stable order.
    targets, site_weights
        The sites as the distance kernel sees them (footprints, or centroids
        for the centroid measure) and their weights, in :attr:`site_ids` order.
    """

    result: Result
    site_ids: tuple[str, ...]
    x: FloatArray
    y: FloatArray
    score: FloatArray
    nearest: IntArray
    nearest_m: FloatArray
    excluded_code: IntArray
    pick_index: IntArray
    breakdown: FloatArray | None
    pick_breakdown: FloatArray
    pick_distances: FloatArray
    excluded: dict[str, int]
    constraints: tuple[Constraint, ...]
    parameters: dict[str, Any]
    decay: DecayFunction
    grid: Grid | None
    row: IntArray | None
    col: IntArray | None
    parcel_ids: tuple[str, ...] | None
    parcels: gpd.GeoSeries | None
    warnings: tuple[str, ...]
    targets: Targets = field(repr=False, compare=False)
    site_weights: FloatArray = field(repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.x)

    def ids(self, index: npt.ArrayLike | None = None) -> list[str]:
        """Return the ids of the candidates at ``index`` (all when None)."""
        where = np.arange(len(self)) if index is None else np.asarray(index, dtype=np.intp)
        if self.parcel_ids is not None:
            return [self.parcel_ids[i] for i in where.tolist()]
        assert self.grid is not None
        assert self.row is not None
        assert self.col is not None
        return self.grid.cell_id(self.row[where], self.col[where])

    @cached_property
    def lonlat(self) -> tuple[FloatArray, FloatArray]:
        """The candidates' centres in WGS84: ``(lon, lat)``."""
        return _to_wgs84(self.result.crs, self.x, self.y)

    @cached_property
    def candidates(self) -> pd.DataFrame:
        """The candidates as a table, one row per candidate (built on first use).

        Columns: ``id``, (grid: ``row``, ``col``), ``x``, ``y``, ``lon``, ``lat``,
        ``score``, ``nearest_id``, ``nearest_m``, ``excluded_by`` (categorical:
        the constraint's name, missing when eligible), ``rank`` (the pick's
        rank, else <NA>).
        """
        lon, lat = self.lonlat
        rank = np.zeros(len(self), dtype=np.int64)
        rank[self.pick_index] = np.arange(1, len(self.pick_index) + 1)
        names = [c.name for c in self.constraints]
        ranks = pd.array(rank, dtype="Int64")
        ranks[rank == 0] = pd.NA
        columns: dict[str, Any] = {"id": np.asarray(self.ids(), dtype=object)}
        if self.row is not None and self.col is not None:
            columns.update(row=self.row, col=self.col)
        columns.update(
            x=self.x,
            y=self.y,
            lon=lon,
            lat=lat,
            score=self.score,
            nearest_id=pd.Categorical.from_codes(self.nearest, categories=pd.Index(self.site_ids)),
            nearest_m=self.nearest_m,
            excluded_by=pd.Categorical.from_codes(self.excluded_code, categories=pd.Index(names)),
            rank=ranks,
        )
        return pd.DataFrame(columns)

    @cached_property
    def picks(self) -> pd.DataFrame:
        """The picks in rank order (built on first use).

        Columns: ``rank``, ``id``, ``x``, ``y``, ``lon``, ``lat``, ``score``,
        ``nearest_id``, ``nearest_m``, then ``score_<site>`` and
        ``distance_m_<site>`` for every site.
        """
        p = self.pick_index
        lon, lat = _to_wgs84(self.result.crs, self.x[p], self.y[p])
        columns: dict[str, Any] = {
            "rank": np.arange(1, len(p) + 1, dtype=np.int64),
            "id": np.asarray(self.ids(p), dtype=object),
            "x": self.x[p],
            "y": self.y[p],
            "lon": lon,
            "lat": lat,
            "score": self.score[p],
            "nearest_id": np.asarray(self.site_ids, dtype=object)[self.nearest[p]],
            "nearest_m": self.nearest_m[p],
        }
        # all at once: inserting 2 columns per site fragments the frame (a pandas
        # PerformanceWarning from about 50 sites on)
        for j, sid in enumerate(self.site_ids):
            columns[f"score_{sid}"] = self.pick_breakdown[:, j]
        for j, sid in enumerate(self.site_ids):
            columns[f"distance_m_{sid}"] = self.pick_distances[:, j]
        return pd.DataFrame(columns)

    @property
    def eligible(self) -> npt.NDArray[np.bool_]:
        """Whether each candidate passes every constraint."""
        return np.asarray(self.excluded_code < 0)

    @property
    def crs_name(self) -> str:
        """The metric CRS as ``AUTHORITY:CODE``."""
        return self.result.crs_name

    @property
    def measure(self) -> str:
        """``edge`` or ``centroid``: what candidate distances follow."""
        return self.result.parameters.measure

    @property
    def caveat(self) -> str:
        """The accuracy statement every output carries."""
        centre = (
            f"Candidates are {self.grid.cell_m:g} m grid cells measured from their centres."
            if self.grid is not None
            else "Candidates are parcels measured from their centroids (points from themselves)."
        )
        return f"{self.result.caveat} {centre}"

    @property
    def sites_wgs84(self) -> gpd.GeoDataFrame:
        """The site footprints (WGS84) in id order, with ``id``, ``name`` and ``weight``."""
        sites = self.result.sites.set_index("id", drop=False).loc[list(self.site_ids)]
        return sites[["id", "name", "weight", "geometry"]].reset_index(drop=True)

    def cells_wgs84(self) -> gpd.GeoSeries:
        """Return every candidate's cell (grid) or parcel geometry in WGS84, built on demand."""
        import geopandas as gpd

        if self.parcels is not None:
            return self.parcels
        assert self.grid is not None
        half = self.grid.cell_m / 2.0
        x = self.candidates["x"].to_numpy()
        y = self.candidates["y"].to_numpy()
        cx = np.stack([x - half, x + half, x + half, x - half, x - half], axis=1)
        cy = np.stack([y - half, y - half, y + half, y + half, y - half], axis=1)
        lon, lat = _to_wgs84(self.result.crs, cx.ravel(), cy.ravel())
        rings = np.stack([lon, lat], axis=1).reshape(-1, 5, 2)
        return gpd.GeoSeries(shapely.polygons(rings), crs=_WGS84)

    def surface(self) -> gpd.GeoDataFrame:
        """Return the scored surface: every candidate as a WGS84 cell or parcel.

        Columns: the :attr:`candidates` columns and, when the breakdown was
        kept, ``score_<site>`` for every site.
        """
        import geopandas as gpd

        frame = self.candidates.copy()
        for column in ("excluded_by", "nearest_id"):
            values = frame[column].astype(object)
            frame[column] = values.where(values.notna(), None)
        if self.breakdown is not None:  # all at once (see picks)
            scores = {f"score_{sid}": self.breakdown[:, j] for j, sid in enumerate(self.site_ids)}
            frame = pd.concat([frame, pd.DataFrame(scores, index=frame.index)], axis=1)
        return gpd.GeoDataFrame(frame, geometry=self.cells_wgs84().array, crs=_WGS84)

    def picks_wgs84(self) -> gpd.GeoDataFrame:
        """Return the picks as WGS84 points (their centres) with every pick column."""
        import geopandas as gpd

        frame = self.picks.copy()
        points = shapely.points(frame["lon"].to_numpy(), frame["lat"].to_numpy())
        return gpd.GeoDataFrame(frame, geometry=points, crs=_WGS84)

    def constraint_areas(self) -> gpd.GeoDataFrame:
        """Return the area each enabled constraint excludes, in WGS84, for maps.

        The areas are drawn with buffers of 32 segments per quarter circle and
        clipped to the candidates' extent; which candidates are excluded is
        decided exactly from their centres, not from these polygons.
        """
        import geopandas as gpd

        areas = _constraint_areas(self)
        rows = [
            {
                "name": c.name,
                "kind": c.kind,
                "rule": c.rule,
                "note": c.note,
                "source": c.source,
                "excluded": self.excluded.get(c.name, 0),
            }
            for c in self.constraints
            if c.enabled
        ]
        frame = pd.DataFrame(rows, columns=["name", "kind", "rule", "note", "source", "excluded"])
        return gpd.GeoDataFrame(
            frame, geometry=gpd.GeoSeries(areas, crs=self.result.crs).to_crs(_WGS84).array
        )

    def score_locations(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> pd.DataFrame:
        """Score arbitrary WGS84 locations the way candidates are scored.

        Returns
        -------
        pandas.DataFrame
            ``lon``, ``lat``, ``score``, ``nearest_id``, ``nearest_m`` and, for
            every site, ``score_<site>`` and ``distance_m_<site>``.

        Examples
        --------
        >>> from siteplan import analyze
        >>> cres = score_candidates(analyze(), cell_m=200)
        >>> row = cres.score_locations([121.615], [31.1]).iloc[0]
        >>> str(row["nearest_id"]), float(row["nearest_m"]), float(row["score"])
        ('cancer_center', 0.0, 93.75)
        """
        lon_arr = np.atleast_1d(np.asarray(lon, dtype=float))
        lat_arr = np.atleast_1d(np.asarray(lat, dtype=float))
        to_metric = Transformer.from_crs(_WGS84, self.result.crs, always_xy=True)
        x, y = (np.asarray(v, dtype=float) for v in to_metric.transform(lon_arr, lat_arr))
        d = distance_matrix(self.targets, x, y)
        s = self.decay(d)
        total = float(self.site_weights.sum())
        score = (s @ self.site_weights) / total if total > 0 else np.zeros(len(x))
        nearest = np.argmin(d, axis=1)
        columns: dict[str, Any] = {
            "lon": lon_arr,
            "lat": lat_arr,
            "score": score,
            "nearest_id": np.asarray(self.site_ids, dtype=object)[nearest],
            "nearest_m": d[np.arange(len(x)), nearest],
        }
        for j, sid in enumerate(self.site_ids):  # all at once (see picks)
            columns[f"score_{sid}"] = s[:, j]
            columns[f"distance_m_{sid}"] = d[:, j]
        return pd.DataFrame(columns)

    def to_dict(self) -> dict[str, Any]:
        """Return the json output as a dict (see :func:`render_candidates`)."""
        return _json_dict(self)


# --------------------------------------------------------------------------------------
# scoring


def _to_wgs84(crs: Any, x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    lon, lat = Transformer.from_crs(crs, _WGS84, always_xy=True).transform(x, y)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def score_surface(
    x: FloatArray,
    y: FloatArray,
    targets: Targets,
    weights: FloatArray,
    decay: DecayFunction,
    *,
    chunk_size: int = DEFAULT_CHUNK,
    keep_breakdown: bool = True,
    index: str = "auto",
    progress: bool = False,
) -> SurfaceScores:
    """Score points against every target: weighted mean of per-target decay scores.

    This is the in-memory engine; a distributed engine runs it on partitions.

    Parameters
    ----------
    x, y
        Candidate centres in the metric CRS.
    targets
        The sites prepared for the kernel (footprints or centroids).
    weights
        The sites' weights, aligned to the targets.
    decay
        The decay function; with a cutoff, only pairs within it are measured.
    chunk_size
        Candidates per chunk.
    keep_breakdown
        Keep every candidate's per-site scores (``(M, N)`` values).
    index
        Pruning index for :func:`siteplan.measure._kernel.reach_pairs`.
    progress
        Show a progress bar on standard error once a run takes over 2 s.

    Returns
    -------
    SurfaceScores
        Scores, nearest target (position) and distance, and the breakdown.
    """
    n, m = len(x), len(targets)
    total = float(np.sum(weights))
    score = np.zeros(n)
    nearest = np.full(n, -1, dtype=np.intp)
    nearest_m = np.full(n, np.inf)
    breakdown = np.zeros((m, n)) if keep_breakdown else None
    cutoff = decay.cutoff_m
    # Chunks follow y so that each chunk is a band that only some sites can reach.
    order = (
        np.arange(n, dtype=np.intp)
        if n < 2 or bool(np.all(y[1:] >= y[:-1]))
        else np.argsort(y, kind="stable").astype(np.intp)
    )
    bar = _progress_bar(n, progress)
    try:
        for start in range(0, n, chunk_size):
            sel = order[start : start + chunk_size]
            for j, idx, d in reach_pairs(targets, x[sel], y[sel], cutoff, index=index):
                s = decay(d)
                g = sel[idx]
                score[g] += weights[j] * s
                if breakdown is not None:
                    breakdown[j, g] = s
                better = d < nearest_m[g]
                nearest_m[g[better]] = d[better]
                nearest[g[better]] = j
            bar.update(len(sel))
    finally:
        bar.close()
    score = score / total if total > 0 else np.zeros(n)
    missing = np.flatnonzero(nearest < 0)
    if len(missing):
        nearest[missing], nearest_m[missing] = nearest_targets(targets, x[missing], y[missing])
    return SurfaceScores(score=score, nearest=nearest, nearest_m=nearest_m, breakdown=breakdown)


class _NoBar:
    def update(self, _n: int) -> None:
        return None

    def close(self) -> None:
        return None


def _progress_bar(total: int, progress: bool) -> Any:
    """Return a tqdm bar shown after 2 s on a terminal, or a silent stand-in."""
    if not progress or not sys.stderr.isatty():
        return _NoBar()
    from tqdm import tqdm

    return tqdm(
        total=total, unit=" candidates", delay=2.0, file=sys.stderr, leave=False, unit_scale=True
    )


ScoreEngine: TypeAlias = Callable[..., SurfaceScores]
#: Scoring engines by name; each has the signature of :func:`score_surface`.
ENGINES: dict[str, ScoreEngine] = {"memory": score_surface}


def select_picks(
    x: FloatArray,
    y: FloatArray,
    score: FloatArray,
    eligible: npt.NDArray[np.bool_],
    *,
    top: int,
    min_separation_m: float,
    block: int = 1024,
) -> IntArray:
    """Pick the best candidates greedily, each at least ``min_separation_m`` from the others.

    Candidates are taken by score (descending), ties by position (the smaller
    first); one closer than ``min_separation_m`` (centre to centre) to an
    earlier pick is skipped. The cost follows the candidates scanned, not all of them.

    Returns
    -------
    numpy.ndarray
        The picks' positions, in rank order (at most ``top``).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([0.0, 10.0, 300.0]); y = np.zeros(3)
    >>> select_picks(
    ...     x, y, np.array([90.0, 95.0, 50.0]), np.ones(3, bool), top=3, min_separation_m=200.0
    ... ).tolist()
    [1, 2]
    """
    pool = np.flatnonzero(eligible & np.isfinite(score))
    ranked = pool[np.lexsort((pool, -score[pool]))]
    limit2 = float(min_separation_m) ** 2
    picked: list[int] = []
    start = 0
    while len(picked) < top and start < len(ranked):
        chunk = ranked[start : start + block]
        if picked and limit2 > 0:
            px = x[picked]
            py = y[picked]
            d2 = (x[chunk, None] - px[None, :]) ** 2 + (y[chunk, None] - py[None, :]) ** 2
            ok = (d2 >= limit2).all(axis=1)
        else:
            ok = np.ones(len(chunk), dtype=bool)
        if not ok.any():
            start += len(chunk)
            continue
        first = int(np.argmax(ok))
        picked.append(int(chunk[first]))
        start += first + 1
    return np.asarray(picked, dtype=np.intp)


# --------------------------------------------------------------------------------------
# candidate sets


def _check_positive(name: str, value: Any, *, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterError(f"{name} {value!r} is not a number of metres")
    number = float(value)
    if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        raise ParameterError(
            f"{name} {value!r} is not a finite number {'>= 0' if allow_zero else '> 0'}; "
            "give metres, e.g. 50"
        )
    return number


def _grid_candidates(
    boundary: shapely.Geometry, cell_m: float, clip: bool
) -> tuple[Grid, IntArray, IntArray, int]:
    """Return the grid, the (row, col) of its candidate cells and how many fell outside."""
    minx, miny, maxx, maxy = (float(v) for v in shapely.bounds(boundary))
    # A sliver thinner than a millionth of a cell (reprojection noise) gets no column/row.
    cols = max(1, math.ceil((maxx - minx) / cell_m - 1e-6))
    rows = max(1, math.ceil((maxy - miny) / cell_m - 1e-6))
    if rows * cols > MAX_CELLS:
        raise ParameterError(
            f"--cell {cell_m:g} gives {rows * cols:,} cells over the boundary's bounds, more "
            f"than the in-memory engine's {MAX_CELLS:,}; give a larger cell (at least "
            f"{math.ceil(cell_m * math.sqrt(rows * cols / MAX_CELLS))} m) or a smaller boundary"
        )
    grid = Grid(x0=minx, y0=miny, cell_m=cell_m, rows=rows, cols=cols)
    xs = minx + (np.arange(cols) + 0.5) * cell_m
    if not clip:
        r, c = np.divmod(np.arange(rows * cols, dtype=np.intp), cols)
        return grid, r.astype(np.intp), c.astype(np.intp), 0
    shapely.prepare(boundary)
    keep_r: list[IntArray] = []
    keep_c: list[IntArray] = []
    step = max(1, DEFAULT_CHUNK // cols)
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


def _read_parcels(parcels: Any) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Return parcels (WGS84, sorted by id) from a layer path or a GeoDataFrame."""
    import geopandas as gpd

    from siteplan.load.layers import LayerSpec, read_layer

    notes: list[str] = []
    if isinstance(parcels, gpd.GeoDataFrame):
        if parcels.crs is None:
            raise ParameterError(
                "parcels: the GeoDataFrame has no CRS; set one (e.g. frame.set_crs(4326))"
            )
        frame = parcels.to_crs(_WGS84).reset_index(drop=True)
        if "id" not in frame.columns:
            frame["id"] = [f"parcel_{i + 1}" for i in range(len(frame))]
        frame["id"] = frame["id"].astype(str)
        if frame["id"].duplicated().any():
            raise ParameterError("parcels: ids are not unique; give every parcel its own id")
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


def _site_targets(result: Result) -> tuple[tuple[str, ...], Targets, Targets, FloatArray]:
    """Return site ids (sorted), footprint targets, scoring targets and weights."""
    sites = result.sites_m.sort_values("id", kind="stable", ignore_index=True)
    ids = tuple(str(v) for v in sites["id"])
    geoms = np.asarray(sites.geometry.array, dtype=object)
    footprints = prepare_targets(geoms)
    scoring = (
        footprints
        if result.parameters.measure == "edge"
        else prepare_targets(shapely.centroid(geoms))
    )
    weights = sites["weight"].to_numpy(dtype=float)
    return ids, footprints, scoring, weights


def _exclusion_geoms(result: Result) -> dict[str, npt.NDArray[np.object_]]:
    frame = result.data.exclusions
    if frame is None:
        return {}
    metric = frame.to_crs(result.crs)
    return {
        str(name): np.asarray(group.geometry.array, dtype=object)
        for name, group in metric.groupby("layer", sort=True)
    }


def score_candidates(
    result: Result,
    *,
    cell_m: float = 50.0,
    parcels: str | Path | gpd.GeoDataFrame | None = None,
    top: int = 10,
    min_separation_m: float = 200.0,
    constraints: Sequence[Constraint] | None = None,
    engine: str = "memory",
    chunk_size: int = DEFAULT_CHUNK,
    index: str = "auto",
    progress: bool = False,
    scheduler: str | None = None,
    workers: int | None = None,
    approx: str | None = None,
    approx_step_m: float | None = None,
) -> CandidateResult:
    """Score candidate locations against a study's sites and pick the best.

    Parameters
    ----------
    result
        The study's analysis (:func:`siteplan.analyze`): sites, boundary,
        exclusion layers, scoring parameters and metric CRS.
    cell_m
        The grid's cell size in metres (ignored with ``parcels``).
    parcels
        A polygon or point layer (path, or GeoDataFrame with a CRS) to use as
        candidates instead of a grid.
    top
        How many picks to make.
    min_separation_m
        The smallest distance between two picks' centres.
    constraints
        Extra constraints (see :mod:`siteplan.score.constraints`), added to the
        study's ``[[constraints]]`` and the defaults.
    engine
        The scoring engine: ``memory`` (default) or ``dask`` (the same exact
        scoring, partitioned over a dask.distributed cluster, see
        :mod:`siteplan.candidates._dask`; identical results).
    chunk_size
        Candidates per chunk of the scoring pass.
    index
        ``auto``, ``box`` or ``strtree``: how pairs beyond a cutoff are pruned.
    progress
        Show a progress bar on standard error for long runs (terminal only).
    scheduler
        ``engine="dask"`` only: a scheduler address (``tcp://host:8786``);
        without one, a local cluster runs for the call.
    workers
        ``engine="dask"`` only: local cluster size (default one per CPU), or the
        workers to wait for on a remote cluster.
    approx
        An approximation instead of exact distances, by explicit choice only:
        ``raster`` (a distance transform on a raster) or ``coarse`` (exact on a
        coarser lattice, interpolated); see :mod:`siteplan.candidates._approx`. The error,
        measured on a sample, is stated in ``parameters["approx"]`` and the warnings.
    approx_step_m
        The approximation's lattice step (default: the cell size for
        ``raster``, four cells for ``coarse``; 10 m and 40 m for parcels).

    Returns
    -------
    CandidateResult
        Every candidate with its score, breakdown and exclusion; the picks.

    Raises
    ------
    StudyError
        When the study has no boundary layer and no parcels are given.
    ParameterError
        For a bad cell size, separation, count, engine or constraint.

    Examples
    --------
    >>> from siteplan import analyze
    >>> cres = score_candidates(analyze(), cell_m=100, top=3)
    >>> cres.picks["rank"].tolist()
    [1, 2, 3]
    >>> sorted(cres.excluded)
    ['inside_site', 'outside_boundary']
    """
    if isinstance(top, bool) or not isinstance(top, numbers.Integral) or top < 1:
        raise ParameterError(f"top {top!r} is not a whole number >= 1; give e.g. 10")
    separation = _check_positive("min_separation_m", min_separation_m, allow_zero=True)
    if engine not in (*ENGINES, "dask"):
        raise ParameterError(f"engine {engine!r} is not one of {', '.join((*ENGINES, 'dask'))}")
    if engine != "dask" and (scheduler is not None or workers is not None):
        raise ParameterError("--scheduler and --workers need --engine dask")
    if approx is not None and engine == "dask":
        raise ParameterError("--approx runs in memory: leave out --engine dask, or --approx")
    if approx is None and approx_step_m is not None:
        raise ParameterError("--approx-step needs --approx raster or --approx coarse")
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise ParameterError(f"chunk_size {chunk_size!r} is not a whole number >= 1")
    if index not in ("auto", "box", "strtree"):
        raise ParameterError(f"index {index!r} is not one of auto, box, strtree")
    data = result.data
    ids, footprints, targets, weights = _site_targets(result)
    exclusions = _exclusion_geoms(result)
    resolved = resolve_constraints(
        result.study.constraints,
        tuple(constraints or ()),
        site_ids=ids,
        exclusion_layers=sorted(exclusions),
        study_path=result.study.path,
    )
    warnings: list[str] = list(result.warnings)
    boundary = (
        None
        if data.boundary is None
        else shapely.union_all(np.asarray(data.boundary.to_crs(result.crs).geometry.array))
    )
    outside_on = any(c.kind == "outside_boundary" and c.enabled for c in resolved)
    parcel_frame = None
    grid: Grid | None = None
    row: IntArray | None = None
    col: IntArray | None = None
    dropped = 0
    if parcels is not None:
        parcel_frame, notes = _read_parcels(parcels)
        warnings += notes
        metric = parcel_frame.to_crs(result.crs)
        centres = shapely.centroid(np.asarray(metric.geometry.array, dtype=object))
        x = shapely.get_x(centres).astype(float)
        y = shapely.get_y(centres).astype(float)
        if boundary is None and outside_on:
            warnings.append(
                "the study has no boundary layer: the outside_boundary constraint excludes "
                "no parcel"
            )
    else:
        cell = _check_positive("cell_m", cell_m)
        if boundary is None:
            raise StudyError(
                "candidates need a study area: the study has no boundary layer "
                '(role = "boundary"); add one to the study file, or give candidate parcels '
                "with --parcels",
                path=result.study.path,
            )
        grid, row, col, dropped = _grid_candidates(boundary, cell, clip=outside_on)
        x = grid.x0 + (col + 0.5) * grid.cell_m
        y = grid.y0 + (row + 0.5) * grid.cell_m
    if exclusions and not any(c.kind == "exclusion" for c in resolved):
        warnings.append(
            f"the study has exclusion layers ({', '.join(sorted(exclusions))}) but no exclusion "
            'constraint: they are not applied; add [[constraints]] kind = "exclusion" or '
            "use --exclusions"
        )

    first = evaluate_constraints(
        resolved,
        x,
        y,
        footprints=footprints,
        site_ids=ids,
        boundary=boundary if parcels is not None else None,
        exclusions=exclusions,
    )
    keep_breakdown = len(x) * len(ids) <= BREAKDOWN_LIMIT
    if not keep_breakdown:
        warnings.append(
            f"{len(x):,} candidates x {len(ids):,} sites: the per-site breakdown is kept for "
            "the picks only"
        )
    approx_error: dict[str, Any] | None = None
    if approx is not None:
        from siteplan.candidates._approx import approx_surface, error_warning

        cells = grid.cell_m if grid is not None else 10.0
        step = (
            approx_step_m if approx_step_m is not None else cells * (4 if approx == "coarse" else 1)
        )
        done = approx_surface(
            x,
            y,
            targets,
            weights,
            result.parameters.decay,
            method=approx,
            step_m=step,
            keep_breakdown=keep_breakdown,
        )
        scores, approx_error = done.scores, done.error
        warnings.append(error_warning(approx_error))
    elif engine == "dask":
        from siteplan.candidates._dask import score_surface_dask

        scores = score_surface_dask(
            x,
            y,
            targets,
            weights,
            result.parameters.decay,
            chunk_size=chunk_size,
            keep_breakdown=keep_breakdown,
            index=index,
            progress=progress,
            scheduler=scheduler,
            workers=workers,
            crs=result.crs,
        )
    else:
        scores = ENGINES[engine](
            x,
            y,
            targets,
            weights,
            result.parameters.decay,
            chunk_size=chunk_size,
            keep_breakdown=keep_breakdown,
            index=index,
            progress=progress,
        )
    excluded = {c.name: 0 for c in resolved if c.enabled}
    if grid is not None and outside_on:
        excluded["outside_boundary"] = dropped
    for k, count in zip(*np.unique(first[first >= 0], return_counts=True), strict=True):
        excluded[resolved[int(k)].name] += int(count)

    picks = select_picks(x, y, scores.score, first < 0, top=int(top), min_separation_m=separation)
    pick_d = distance_matrix(targets, x[picks], y[picks])
    pick_s = result.parameters.decay(pick_d)
    eligible = int((first < 0).sum())
    if eligible == 0:
        warnings.append("no candidate passes every constraint: there are no picks")
    elif len(picks) < top:
        warnings.append(
            f"only {len(picks)} of the {top} picks asked for fit: the other eligible "
            f"candidates are within {separation:g} m of a pick"
        )
    parameters: dict[str, Any] = {
        "candidates": "grid" if grid is not None else "parcels",
        "cell_m": grid.cell_m if grid is not None else None,
        "parcels": (str(parcels) if isinstance(parcels, str | Path) else None),
        "top": int(top),
        "min_separation_m": separation,
        **result.parameters.as_dict(),
        "crs": result.crs_name,
        "engine": engine,
    }
    if approx_error is not None:
        parameters["approx"] = approx_error
    return CandidateResult(
        result=result,
        site_ids=ids,
        x=x,
        y=y,
        score=scores.score,
        nearest=scores.nearest,
        nearest_m=scores.nearest_m,
        excluded_code=first,
        pick_index=picks,
        breakdown=None if scores.breakdown is None else scores.breakdown.T,
        pick_breakdown=pick_s,
        pick_distances=pick_d,
        excluded=excluded,
        constraints=resolved,
        parameters=parameters,
        decay=result.parameters.decay,
        grid=grid,
        row=row,
        col=col,
        parcel_ids=None if parcel_frame is None else tuple(parcel_frame["id"].astype(str)),
        parcels=None if parcel_frame is None else parcel_frame.geometry.reset_index(drop=True),
        warnings=tuple(warnings),
        targets=targets,
        site_weights=weights,
    )


# --------------------------------------------------------------------------------------
# constraint areas (for maps)


def _constraint_areas(cres: CandidateResult) -> list[shapely.Geometry]:
    """Return, per enabled constraint, the area it excludes (metric CRS)."""
    result = cres.result
    if cres.grid is not None:
        g = cres.grid
        extent = shapely.box(g.x0, g.y0, g.x0 + g.cols * g.cell_m, g.y0 + g.rows * g.cell_m)
    else:
        x, y = cres.candidates["x"], cres.candidates["y"]
        extent = shapely.box(x.min(), y.min(), x.max(), y.max()).buffer(1.0, join_style="mitre")
    sites = result.sites_m.set_index("id")
    boundary = (
        None
        if result.data.boundary is None
        else shapely.union_all(np.asarray(result.data.boundary.to_crs(result.crs).geometry.array))
    )
    exclusions = _exclusion_geoms(result)

    def footprint(site: str | None) -> Any:
        if site is None:
            return shapely.union_all(np.asarray(sites.geometry.array))
        return sites.geometry.loc[site]

    out: list[Any] = []
    for c in cres.constraints:
        if not c.enabled:
            continue
        if c.kind == "outside_boundary":
            area = shapely.Polygon() if boundary is None else extent.difference(boundary)
        elif c.kind == "inside_site":
            area = footprint(None)
        elif c.kind == "exclusion":
            names = [c.layer] if c.layer else sorted(exclusions)
            area = shapely.union_all(np.concatenate([exclusions[n] for n in names]))
        else:
            assert c.distance_m is not None
            disc = shapely.buffer(footprint(c.site), c.distance_m, quad_segs=QUAD_SEGS)
            area = extent.difference(disc) if c.kind == "within" else disc
        out.append(_multipolygon(shapely.intersection(area, extent)))
    return out


def _multipolygon(geom: Any) -> Any:
    """Return the polygonal part of a geometry as one MultiPolygon (empty when none)."""
    polygons = [
        part
        for part in shapely.get_parts(shapely.get_parts(geom))
        if part.geom_type == "Polygon" and not part.is_empty
    ]
    return shapely.MultiPolygon(polygons)


# --------------------------------------------------------------------------------------
# outputs


def _stability(sres: SensitivityResult | None) -> FloatArray | None:
    return None if sres is None else sres.pick_stability


def _pick_records(
    cres: CandidateResult, stability: FloatArray | None = None
) -> list[dict[str, Any]]:
    records = []
    picks = cres.picks
    for i in range(len(picks)):
        row = picks.iloc[i]
        record: dict[str, Any] = {
            "rank": int(row["rank"]),
            "lon": float(row["lon"]),
            "lat": float(row["lat"]),
            "score": float(row["score"]),
            "breakdown": {
                sid: float(cres.pick_breakdown[i, j]) for j, sid in enumerate(cres.site_ids)
            },
            "nearest_id": str(row["nearest_id"]),
            "nearest_m": float(row["nearest_m"]),
            "id": str(row["id"]),
            "x": float(row["x"]),
            "y": float(row["y"]),
            "distances_m": {
                sid: float(cres.pick_distances[i, j]) for j, sid in enumerate(cres.site_ids)
            },
        }
        if stability is not None:
            record["stability"] = float(stability[i])
        records.append(record)
    return records


def _counting_text(cres: CandidateResult) -> str:
    return COUNTING_RULE + (
        "; outside_boundary counts the cells of the boundary's bounding grid whose "
        "centre is outside the boundary (they are not candidates)"
        if cres.grid is not None
        else ""
    )


def _json_dict(cres: CandidateResult, sres: SensitivityResult | None = None) -> dict[str, Any]:
    constraints = []
    for c in cres.constraints:
        entry = c.as_dict()
        entry["excluded"] = cres.excluded.get(c.name, 0) if c.enabled else None
        constraints.append(entry)
    summary: dict[str, Any] = {
        "candidates": len(cres),
        "eligible": int(cres.eligible.sum()),
        "picked": len(cres.picks),
    }
    if cres.grid is not None:
        summary["grid_cells"] = cres.grid.cells
        summary["grid_rows"] = cres.grid.rows
        summary["grid_cols"] = cres.grid.cols
        summary["grid_origin"] = [cres.grid.x0, cres.grid.y0]
    out: dict[str, Any] = {
        "study": cres.result.name,
        "crs": cres.crs_name,
        "candidates": _pick_records(cres, _stability(sres)),
        "excluded": dict(cres.excluded),
        "parameters": dict(cres.parameters),
        "constraints": constraints,
        "counting": _counting_text(cres),
        "summary": summary,
        "caveat": cres.caveat,
        "warnings": list(cres.warnings),
    }
    if sres is not None:
        out["sensitivity"] = sres.to_dict()
    return out


def _csv_text(cres: CandidateResult, sres: SensitivityResult | None = None) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    header = ["rank", "id", "lon", "lat", "x", "y", "score", "nearest_id", "nearest_m"]
    has_stability = _stability(sres) is not None
    header += [f"score_{sid}" for sid in cres.site_ids]
    header += [f"distance_m_{sid}" for sid in cres.site_ids]
    if has_stability:
        header.append("stability")
    writer.writerow(header)
    for record in _pick_records(cres, _stability(sres)):
        row = [record[k] for k in header[:9]]
        row += [repr(record["breakdown"][sid]) for sid in cres.site_ids]
        row += [repr(record["distances_m"][sid]) for sid in cres.site_ids]
        if has_stability:
            row.append(repr(record["stability"]))
        writer.writerow([repr(v) if isinstance(v, float) else v for v in row])
    return buffer.getvalue()


def _md(text: Any) -> str:
    """Make user text safe inside a markdown table cell (one line, markup escaped)."""
    from siteplan.render.report import escape_markdown

    if text is None:
        return ""
    return escape_markdown(" ".join(str(text).split()))


def _markdown_text(cres: CandidateResult, sres: SensitivityResult | None = None) -> str:
    p = cres.parameters
    lines = [f"# Candidate sites: {_md(cres.result.name)}", "", f"> {_md(cres.caveat)}", ""]
    what = (
        f"{p['cell_m']:g} m grid cells"
        if cres.grid is not None
        else f"parcels{' from ' + _md(p['parcels']) if p['parcels'] else ''}"
    )
    decay_params = ", ".join(
        f"{k} {v:g}" for k, v in cres.decay.params.items() if isinstance(v, float)
    )
    lines.append(
        f"Top {len(cres.picks)} of {int(cres.eligible.sum()):,} eligible candidates "
        f"({len(cres):,} {what}), picks at least {p['min_separation_m']:g} m apart. "
        f"Scored with the {cres.decay.kind} decay"
        + (f" ({decay_params})" if decay_params else "")
        + f", rings {', '.join(f'{r:g}' for r in p['rings_m'])} m, {p['measure']} distances, "
        f"in {cres.crs_name}; a candidate's score is the weighted mean of its per-site scores."
    )
    lines.append("")
    head = ["rank", "id", "lon", "lat", "score", "nearest site", *cres.site_ids]
    stability = _stability(sres)
    if stability is not None:
        head.append("stability")
    lines.append("| " + " | ".join(_md(h) for h in head) + " |")
    lines.append("|" + "|".join(["---:", "---", "---:", "---:", "---:", "---"]) + "|")
    lines[-1] += "".join("---:|" for _ in range(len(head) - 6))
    for record in _pick_records(cres, stability):
        cells = [
            str(record["rank"]),
            _md(record["id"]),
            f"{record['lon']:.6f}",
            f"{record['lat']:.6f}",
            f"{record['score']:.1f}",
            f"{_md(record['nearest_id'])} ({record['nearest_m']:,.0f} m)",
            *(f"{record['breakdown'][sid]:.1f}" for sid in cres.site_ids),
        ]
        if "stability" in record:
            cells.append(f"{100 * record['stability']:.0f} %")
        lines.append("| " + " | ".join(cells) + " |")
    if not len(cres.picks):
        lines.append("")
        lines.append("No candidate passes every constraint.")
    lines += ["", "## Constraints", ""]
    lines.append("| constraint | excludes | excluded | note | source |")
    lines.append("|---|---|---:|---|---|")
    for c in cres.constraints:
        count = f"{cres.excluded.get(c.name, 0):,}" if c.enabled else "off"
        lines.append(
            f"| {_md(c.name)} | {_md(c.rule)} | {count} | {_md(c.note)} | {_md(c.source)} |"
        )
    lines += ["", _md(_counting_text(cres)).capitalize() + ".", ""]
    if cres.warnings:
        lines += ["## Warnings", ""]
        lines += [f"- {_md(w)}" for w in cres.warnings]
        lines.append("")
    if sres is not None:
        from siteplan.scenarios.sensitivity import markdown_section

        lines.append(markdown_section(sres))
    return "\n".join(lines)


def render_candidates(
    cres: CandidateResult, fmt: str = "markdown", *, sensitivity: SensitivityResult | None = None
) -> str:
    """Render the picks as ``json``, ``csv`` or ``markdown`` text.

    - json: ``{"study", "crs", "candidates": [{"rank", "lon", "lat", "score",
      "breakdown": {site_id: score}, "nearest_id", "nearest_m", "id", "x", "y",
      "distances_m": {site_id: m}}], "excluded": {constraint: count},
      "parameters", "constraints", "counting", "summary", "caveat", "warnings"}``,
      picks sorted by rank, numbers at full precision;
    - csv: one row per pick, breakdown as ``score_<site>`` and ``distance_m_<site>``;
    - markdown: the picks table, the constraints with notes and sources, the caveat.

    With ``sensitivity`` (:func:`siteplan.scenarios.sensitivity.analyze_sensitivity` run on these
    candidates), each pick gets its ``stability`` (the share of scenarios it
    survives) and json a ``sensitivity`` member, markdown a section.

    Raises
    ------
    ParameterError
        For another format (geojson and gpkg are files: :func:`write_candidates`).
    """
    if fmt == "json":
        text = json.dumps(
            _json_dict(cres, sensitivity), ensure_ascii=False, indent=2, allow_nan=False
        )
        return text + "\n"
    if fmt == "csv":
        return _csv_text(cres, sensitivity)
    if fmt == "markdown":
        return _markdown_text(cres, sensitivity)
    if fmt in ("geojson", "gpkg"):
        raise ParameterError(f"format {fmt} is a file: give an output path (-o PATH.{fmt})")
    raise ParameterError(f"format {fmt!r} is not one of {', '.join(CANDIDATE_FORMATS)}")


def _feature(props: dict[str, Any], geometry: str) -> str:
    text = json.dumps(props, ensure_ascii=False, allow_nan=False)
    return f'{{"type": "Feature", "properties": {text}, "geometry": {geometry}}}'


def _geojson_text(cres: CandidateResult, sres: SensitivityResult | None) -> str:
    surface = cres.surface()
    picks = cres.picks_wgs84()
    stability = _stability(sres)
    if stability is not None:
        picks["stability"] = stability
    parts = []
    for frame, kind in ((surface, "cell"), (picks, "pick")):
        columns = [c for c in frame.columns if c != "geometry"]
        values = {c: frame[c].tolist() for c in columns}
        geoms = shapely.to_geojson(np.asarray(frame.geometry.array, dtype=object))
        for i in range(len(frame)):
            props: dict[str, Any] = {"feature_type": kind}
            props.update({c: json_value(values[c][i]) for c in columns})
            parts.append(_feature(props, str(geoms[i])))
    meta = {k: v for k, v in _json_dict(cres, sres).items() if k != "candidates"}
    head = json.dumps(
        {"type": "FeatureCollection", "name": cres.result.name, "siteplan": meta},
        ensure_ascii=False,
        allow_nan=False,
    )
    return head[:-1] + ', "features": [\n' + ",\n".join(parts) + "\n]}\n"


def _write_gpkg(cres: CandidateResult, tmp: Path, sres: SensitivityResult | None) -> None:
    import pyogrio

    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": _GPKG_DATE})
    try:
        surface = cres.surface()
        surface["rank"] = surface["rank"].astype("float64")
        pyogrio.write_dataframe(
            surface, tmp, layer="surface", driver="GPKG", dataset_options={"VERSION": "1.3"}
        )
        picks = cres.picks_wgs84()
        picks["rank"] = picks["rank"].astype("int64")
        stability = _stability(sres)
        if stability is not None:
            picks["stability"] = stability
        pyogrio.write_dataframe(picks, tmp, layer="picks", driver="GPKG")
        areas = cres.constraint_areas()
        areas["excluded"] = areas["excluded"].astype("int64")
        pyogrio.write_dataframe(areas, tmp, layer="excluded_areas", driver="GPKG")
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})
    write_layer_styles(tmp, candidate_styles(cres))


def write_candidates(
    cres: CandidateResult,
    path: str | Path,
    fmt: str | None = None,
    *,
    sensitivity: SensitivityResult | None = None,
) -> Path:
    """Write the candidates to ``path`` atomically and return it.

    Parameters
    ----------
    cres
        The scored candidates.
    path
        The output file; its parents are created; it may not be an input.
    fmt
        ``json``, ``csv``, ``markdown`` (the picks), ``geojson`` (the scored
        surface: every candidate as a cell or parcel polygon with
        ``feature_type`` ``cell``, and the picks as points with ``feature_type``
        ``pick``) or ``gpkg`` (layers ``surface``, ``picks`` and
        ``excluded_areas``). None guesses from the suffix (``.md`` is markdown).
    sensitivity
        A sensitivity sweep of these candidates: adds each pick's ``stability``.

    Raises
    ------
    OutputError
        When the path cannot be written or is an input.
    ParameterError
        For an unknown format.
    """
    from siteplan._io import atomic_path, write_text

    path = Path(path)
    if fmt is None:
        suffix = path.suffix.lower().lstrip(".")
        fmt = {"md": "markdown", "json": "json", "csv": "csv", "geojson": "geojson"}.get(
            suffix, "gpkg" if suffix == "gpkg" else ""
        )
        if not fmt:
            raise OutputError(
                "cannot tell the format from the suffix; give one of "
                f"{', '.join(CANDIDATE_FORMATS)}",
                path=path,
            )
    inputs = cres.result.inputs
    if fmt in TEXT_FORMATS:
        return write_text(path, render_candidates(cres, fmt, sensitivity=sensitivity), inputs)
    if fmt == "geojson":
        return write_text(path, _geojson_text(cres, sensitivity), inputs)
    if fmt == "gpkg":
        import pyogrio

        # GDAL errors become OutputError outside atomic_path (which has removed the
        # temporary file by then), as in siteplan.render.export
        try:
            with atomic_path(path, inputs) as tmp:
                _write_gpkg(cres, tmp, sensitivity)
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
            detail = " ".join(str(exc).split())[:200]
            hint = (
                "its field names ignore case, so site ids that differ only in case collide "
                "(score_<site> columns): rename one, or write .geojson or .csv"
                if isinstance(exc, pyogrio.errors.FieldError)
                else "check the folder and free space"
            )
            raise OutputError(
                f"GDAL cannot write the GeoPackage ({detail}); {hint}", path=path
            ) from None
        return path
    raise ParameterError(f"format {fmt!r} is not one of {', '.join(CANDIDATE_FORMATS)}")
