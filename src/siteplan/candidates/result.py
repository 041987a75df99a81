"""The scored candidates: :class:`CandidateResult` and the candidate :class:`Grid`.

Per-candidate values are numpy arrays aligned to each other, in candidate
order; tables and WGS84 geometries are built from them on demand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from siteplan._io import input_paths
from siteplan.candidates.areas import excluded_areas
from siteplan.candidates.grid import Grid
from siteplan.candidates.locations import score_lonlat, score_network_lonlat, site_names
from siteplan.load.projection import to_wgs84

if TYPE_CHECKING:
    from siteplan.analysis import Result
    from siteplan.candidates.plan import Plan
    from siteplan.measure._kernel import Targets
    from siteplan.measure.network.places import SiteCosts
    from siteplan.score.constraints import Constraint
    from siteplan.score.decay import DecayFunction

__all__ = ["CandidateResult"]

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.intp]

_WGS84: Final = "EPSG:4326"


def _nan_inf(values: FloatArray) -> FloatArray:
    """Return the values with ``inf`` (no site reached) as NaN, for tables."""
    return np.where(np.isfinite(values), values, np.nan)


def _to_wgs84(crs: Any, x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    lon, lat = to_wgs84(crs).transform(x, y)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


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
    plan
        With ``--method mclp|pmedian|pcenter``: how the optimal picks were chosen and how
        they compare with the greedy ones (:class:`siteplan.candidates.plan.Plan`).
    pick_breakdown, pick_distances
        ``(picks, M)`` per-site scores and distances of the picks.
    excluded
        Constraint name -> how many candidates it excluded (see
        :data:`siteplan.score.constraints.COUNTING_RULE`).
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
    connector_m
        With a network measure: each candidate's straight walk to the network
        (NaN beyond ``snap_max_m``); None for straight lines.
    network
        With a network measure: the sites joined to the network
        (:class:`~siteplan.measure.network.places.SiteCosts`); None otherwise.

    With a network measure, ``nearest_m``, :attr:`pick_distances` and the
    ``nearest_m`` / ``distance_m_<site>`` columns hold values in :attr:`unit`
    (minutes for ``time``; the outputs name them by unit), ``inf`` (NaN in the
    tables) where no site can be reached, with ``nearest`` -1.
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
    plan: Plan | None = field(default=None, repr=False, compare=False)
    connector_m: FloatArray | None = field(default=None, repr=False, compare=False)
    network: SiteCosts | None = field(default=None, repr=False, compare=False)

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
            nearest_m=_nan_inf(self.nearest_m),
            excluded_by=pd.Categorical.from_codes(self.excluded_code, categories=pd.Index(names)),
            rank=ranks,
        )
        if self.connector_m is not None:
            columns["connector_m"] = self.connector_m
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
            "nearest_id": site_names(self.site_ids, self.nearest[p]),
            "nearest_m": _nan_inf(self.nearest_m[p]),
        }
        if self.connector_m is not None:
            columns["connector_m"] = self.connector_m[p]
        # all at once: inserting 2 columns per site fragments the frame (a pandas
        # PerformanceWarning from about 50 sites on)
        for j, sid in enumerate(self.site_ids):
            columns[f"score_{sid}"] = self.pick_breakdown[:, j]
        for j, sid in enumerate(self.site_ids):
            columns[f"distance_m_{sid}"] = _nan_inf(self.pick_distances[:, j])
        return pd.DataFrame(columns)

    @property
    def inputs(self) -> tuple[Path, ...]:
        """Every file the candidates come from: the study's inputs and the parcels layer.

        An output written from these candidates may be none of them.
        """
        return input_paths(self.result.inputs, [self.parameters.get("parcels")])

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
        """``edge``, ``centroid``, ``network`` or ``time``: what candidate distances follow."""
        return self.result.parameters.measure

    @property
    def unit(self) -> str:
        """The unit of the distances: ``m``, or ``min`` for the time measure."""
        return self.result.parameters.unit

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
        frame = self.picks.copy()
        points = shapely.points(frame["lon"].to_numpy(), frame["lat"].to_numpy())
        return gpd.GeoDataFrame(frame, geometry=points, crs=_WGS84)

    def constraint_areas(self) -> gpd.GeoDataFrame:
        """Return the area each enabled constraint excludes, in WGS84, for maps.

        The areas are drawn with buffers of 32 segments per quarter circle and
        clipped to the candidates' extent; which candidates are excluded is
        decided exactly from their centres, not from these polygons.
        """
        if self.grid is not None:
            g = self.grid
            extent = shapely.box(g.x0, g.y0, g.x0 + g.cols * g.cell_m, g.y0 + g.rows * g.cell_m)
        else:
            x, y = self.candidates["x"], self.candidates["y"]
            extent = shapely.box(x.min(), y.min(), x.max(), y.max()).buffer(1.0, join_style="mitre")
        areas = excluded_areas(self.result, self.constraints, extent)
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
            every site, ``score_<site>`` and ``distance_m_<site>`` (with a network
            measure named by unit and with ``connector_m``, as
            :func:`siteplan.candidates.locations.score_locations`).

        Examples
        --------
        >>> from siteplan import analyze
        >>> from siteplan.candidates import score_candidates
        >>> cres = score_candidates(analyze(), cell_m=200)
        >>> row = cres.score_locations([121.615], [31.1]).iloc[0]
        >>> str(row["nearest_id"]), float(row["nearest_m"]), float(row["score"])
        ('cancer_center', 0.0, 93.75)
        """
        if self.network is not None:
            return score_network_lonlat(
                lon,
                lat,
                result=self.result,
                sites=self.network,
                site_ids=self.site_ids,
                weights=self.site_weights,
                decay=self.decay,
            )
        return score_lonlat(
            lon,
            lat,
            crs=self.result.crs,
            site_ids=self.site_ids,
            targets=self.targets,
            weights=self.site_weights,
            decay=self.decay,
        )
