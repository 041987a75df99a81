"""Score candidate locations for a new facility, rank the best, honour constraints.

:func:`score_candidates` orchestrates private steps, in the manner of
geopandas' ``sjoin``: :func:`_check_arguments` -> :func:`_candidate_points`
-> :func:`_constraints` -> :func:`_score` -> :func:`_picks` -> assemble the
:class:`~siteplan.candidates.result.CandidateResult`.

Each candidate is scored against every site with the study's decay function
and site weights: its score is the weighted mean of its per-site scores
``decay(d_j)`` (:mod:`siteplan.score.points`; 0 when every weight is 0), where
``d_j`` follows the study's measure (``edge``: to the site's footprint, 0 on or
inside it; ``centroid``: to the site's centroid). The per-site scores are the
breakdown; the nearest site (ties: the smaller id) and its distance come with it.

Distances are exact (those of ``shapely.distance``, see :mod:`siteplan.measure._kernel`)
unless an approximation is asked for (:class:`~siteplan.candidates.engines.EngineOptions`);
candidates stay coordinate arrays, processed in chunks; decays with a cutoff
only measure the pairs within reach.

Picks are the ``top`` eligible candidates in rank order (score, ties within
1e-9 by id, which for grid cells is the cell further south, then further
west), each at least ``min_separation_m`` (centre to centre) from every better pick.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import numpy as np
import numpy.typing as npt
import shapely

from siteplan.candidates._approx import approx_surface, error_warning
from siteplan.candidates._dask import score_surface_dask
from siteplan.candidates.engines import EngineOptions, SurfaceScores, score_surface
from siteplan.candidates.grid import Grid, grid_cells, read_parcels
from siteplan.candidates.picks import select_picks
from siteplan.candidates.result import CandidateResult
from siteplan.candidates.sites import (
    SiteTargets,
    boundary_geometry,
    exclusion_geometries,
    site_targets,
)
from siteplan.errors import ParameterError, StudyError
from siteplan.load.layers import MAX_DISTANCE_M
from siteplan.load.projection import check_crs_fits, check_within_reach
from siteplan.measure._kernel import Targets, distance_matrix
from siteplan.measure.pairs import check_distance
from siteplan.score.constraints import Constraint, evaluate_constraints, resolve_constraints

if TYPE_CHECKING:
    import geopandas as gpd

    from siteplan.analysis import Result
    from siteplan.measure.network.places import SiteCosts

__all__ = ["BREAKDOWN_LIMIT", "score_candidates"]

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.intp]

#: The per-site breakdown of every candidate is kept up to this many values.
BREAKDOWN_LIMIT: Final = 8_000_000


def score_candidates(
    result: Result,
    *,
    cell_m: float = 50.0,
    parcels: str | Path | gpd.GeoDataFrame | None = None,
    top: int = 10,
    min_separation_m: float = 200.0,
    constraints: Sequence[Constraint] | None = None,
    engine: EngineOptions | str = "memory",
    progress: bool = False,
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
        How to score: an :class:`~siteplan.candidates.engines.EngineOptions`
        (engine ``memory`` or ``dask``, an approximation, chunking), or just the
        engine's name (``"memory"``, the default, or ``"dask"``).
    progress
        Show a progress bar on standard error for long runs (terminal only).

    Returns
    -------
    CandidateResult
        Every candidate with its score, breakdown and exclusion; the picks.

    Raises
    ------
    StudyError
        When the study has no boundary layer and no parcels are given.
    ParameterError
        For a bad cell size, separation, count, engine or constraint; its
        ``argument`` names the argument (or options field).

    Examples
    --------
    >>> from siteplan import analyze
    >>> cres = score_candidates(analyze(), cell_m=100, top=3)
    >>> cres.picks["rank"].tolist()
    [1, 2, 3]
    >>> sorted(cres.excluded)
    ['inside_site', 'outside_boundary']
    """
    options, separation = _check_arguments(top, min_separation_m, engine)
    sites = site_targets(result)
    exclusions = exclusion_geometries(result)
    resolved = resolve_constraints(
        result.study.constraints,
        tuple(constraints or ()),
        site_ids=sites.ids,
        exclusion_layers=sorted(exclusions),
        study_path=result.study.path,
    )
    points = _candidate_points(result, resolved, cell_m=cell_m, parcels=parcels)
    network = _network_sites(result, options)
    first, excluded = _constraints(resolved, points, sites, exclusions)
    keep_breakdown = len(points.x) * len(sites.ids) <= BREAKDOWN_LIMIT
    if not keep_breakdown:
        points.warnings.append(
            f"{len(points.x):,} candidates x {len(sites.ids):,} sites: the per-site breakdown is "
            "kept for the picks only"
        )
    scores, approx_error = _score(
        result,
        points,
        sites.scoring if network is None else network,
        sites.weights,
        options,
        keep_breakdown=keep_breakdown,
        progress=progress,
    )
    if approx_error is not None:
        points.warnings.append(error_warning(approx_error))
    picks = _picks(points, scores, first, top=int(top), separation=separation)
    if network is None:
        pick_d = distance_matrix(sites.scoring, points.x[picks], points.y[picks])
    else:
        # lazy: the road network needs scipy, which straight-line candidates never load
        from siteplan.candidates._network import location_costs

        pick_d, _ = location_costs(network, points.x[picks], points.y[picks])
    parameters: dict[str, Any] = {
        "candidates": "grid" if points.grid is not None else "parcels",
        "cell_m": points.grid.cell_m if points.grid is not None else None,
        "parcels": (str(parcels) if isinstance(parcels, str | Path) else None),
        "top": int(top),
        "min_separation_m": separation,
        **result.parameters.as_dict(),
        "crs": result.crs_name,
        "engine": options.engine,
    }
    if approx_error is not None:
        parameters["approx"] = approx_error
    frame = points.parcel_frame
    return CandidateResult(
        result=result,
        site_ids=sites.ids,
        x=points.x,
        y=points.y,
        score=scores.score,
        nearest=scores.nearest,
        nearest_m=scores.nearest_m,
        excluded_code=first,
        pick_index=picks,
        breakdown=None if scores.breakdown is None else scores.breakdown.T,
        pick_breakdown=result.parameters.decay(pick_d),
        pick_distances=pick_d,
        excluded=excluded,
        constraints=resolved,
        parameters=parameters,
        decay=result.parameters.decay,
        grid=points.grid,
        row=points.row,
        col=points.col,
        parcel_ids=None if frame is None else tuple(frame["id"].astype(str)),
        parcels=None if frame is None else frame.geometry.reset_index(drop=True),
        warnings=tuple(points.warnings),
        targets=sites.scoring,
        site_weights=sites.weights,
        connector_m=scores.connector_m,
        network=network,
    )


# -- the steps -------------------------------------------------------------------------


@dataclass
class _Points:
    """The candidate centres (metric CRS) and where they come from."""

    x: FloatArray
    y: FloatArray
    boundary: shapely.Geometry | None
    grid: Grid | None = None
    row: IntArray | None = None
    col: IntArray | None = None
    outside: int = 0
    parcel_frame: gpd.GeoDataFrame | None = None
    warnings: list[str] = field(default_factory=list)


def _check_arguments(
    top: Any, min_separation_m: Any, engine: EngineOptions | str
) -> tuple[EngineOptions, float]:
    """Check the arguments that need no study; return the engine options and the separation."""
    if isinstance(top, bool) or not isinstance(top, numbers.Integral) or top < 1:
        raise ParameterError(
            f"top {top!r} is not a whole number >= 1; give e.g. 10", argument="top"
        )
    separation = check_distance("min_separation_m", min_separation_m, allow_zero=True)
    if isinstance(engine, EngineOptions):
        return engine, separation
    if isinstance(engine, str):
        return EngineOptions(engine=engine), separation
    raise ParameterError(
        f"engine {engine!r} is neither an engine's name nor an EngineOptions", argument="engine"
    )


def _candidate_points(
    result: Result,
    resolved: Sequence[Constraint],
    *,
    cell_m: Any,
    parcels: str | Path | gpd.GeoDataFrame | None,
) -> _Points:
    """Return the candidates: the parcels' centroids, else the grid cells' centres."""
    boundary = boundary_geometry(result)
    outside_on = any(c.kind == "outside_boundary" and c.enabled for c in resolved)
    if parcels is not None:
        frame, notes = read_parcels(parcels)
        _check_parcels_measurable(frame, result, parcels)
        centres = shapely.centroid(
            np.asarray(frame.to_crs(result.crs).geometry.array, dtype=object)
        )
        points = _Points(
            x=shapely.get_x(centres).astype(float),
            y=shapely.get_y(centres).astype(float),
            boundary=boundary,
            parcel_frame=frame,
            warnings=[*result.warnings, *notes],
        )
        if boundary is None and outside_on:
            points.warnings.append(
                "the study has no boundary layer: the outside_boundary constraint excludes "
                "no parcel"
            )
        return points
    cell = check_distance("cell_m", cell_m)
    if boundary is None:
        raise StudyError(
            "candidates need a study area: the study has no boundary layer "
            '(role = "boundary"); add one to the study file, or give candidate parcels '
            "(parcels=...)",
            path=result.study.path,
            argument="parcels",
        )
    grid, row, col, outside = grid_cells(boundary, cell, clip=outside_on)
    return _Points(
        x=np.asarray(grid.x0 + (col + 0.5) * grid.cell_m, dtype=np.float64),
        y=np.asarray(grid.y0 + (row + 0.5) * grid.cell_m, dtype=np.float64),
        boundary=boundary,
        grid=grid,
        row=row,
        col=col,
        outside=outside,
        warnings=list(result.warnings),
    )


def _check_parcels_measurable(
    frame: gpd.GeoDataFrame, result: Result, parcels: str | Path | gpd.GeoDataFrame
) -> None:
    """Refuse parcels the study's CRS cannot measure: far from the study, at a pole."""
    where = {
        "path": str(parcels) if isinstance(parcels, str | Path) else None,
        "argument": "parcels",
    }
    check_within_reach(
        frame, result.sites.to_crs(4326), reach_m=MAX_DISTANCE_M, what="the parcels", **where
    )
    check_crs_fits(
        frame,
        result.crs,
        what="the parcels",
        hint="give parcels near the study, or measure in a CRS that covers them (crs=...)",
        **where,
    )


def _constraints(
    resolved: Sequence[Constraint],
    points: _Points,
    sites: SiteTargets,
    exclusions: dict[str, npt.NDArray[np.object_]],
) -> tuple[IntArray, dict[str, int]]:
    """Return each candidate's first failing constraint (-1: none) and the counts."""
    if exclusions and not any(c.kind == "exclusion" for c in resolved):
        points.warnings.append(
            f"the study has exclusion layers ({', '.join(sorted(exclusions))}) but no exclusion "
            'constraint: they are not applied; add [[constraints]] kind = "exclusion" or '
            "use --exclusions"
        )
    first = evaluate_constraints(
        tuple(resolved),
        points.x,
        points.y,
        footprints=sites.footprints,
        site_ids=sites.ids,
        boundary=points.boundary if points.grid is None else None,
        exclusions=exclusions,
    )
    excluded = {c.name: 0 for c in resolved if c.enabled}
    outside_on = any(c.kind == "outside_boundary" and c.enabled for c in resolved)
    if points.grid is not None and outside_on:
        excluded["outside_boundary"] = points.outside
    for k, count in zip(*np.unique(first[first >= 0], return_counts=True), strict=True):
        excluded[resolved[int(k)].name] += int(count)
    return first, excluded


def _network_sites(result: Result, options: EngineOptions) -> SiteCosts | None:
    """Join the sites to the road network for a network measure (None for straight lines)."""
    if result.network is None:
        return None
    if options.approx is not None:
        raise ParameterError(
            f"approx {options.approx!r} measures straight lines and cannot follow measure "
            f"{result.parameters.measure!r}; leave out approx, or use measure edge or centroid",
            argument="approx",
        )
    # lazy: the road network needs scipy, which straight-line candidates never load
    from siteplan.candidates._network import network_sites

    return network_sites(result, limit=result.parameters.decay.cutoff_m)


def _score(
    result: Result,
    points: _Points,
    targets: Targets | SiteCosts,
    weights: FloatArray,
    options: EngineOptions,
    *,
    keep_breakdown: bool,
    progress: bool,
) -> tuple[SurfaceScores, dict[str, Any] | None]:
    """Run the chosen engine; return the scores and, for an approximation, its error."""
    decay = result.parameters.decay
    if options.approx is not None:
        assert isinstance(targets, Targets)
        done = approx_surface(
            points.x,
            points.y,
            targets,
            weights,
            decay,
            method=options.approx,
            step_m=options.step_for(None if points.grid is None else points.grid.cell_m),
            keep_breakdown=keep_breakdown,
        )
        return done.scores, done.error
    run = score_surface_dask if options.engine == "dask" else score_surface
    extra: dict[str, Any] = (
        {"scheduler": options.scheduler, "workers": options.workers, "crs": result.crs}
        if options.engine == "dask"
        else {}
    )
    scores = run(
        points.x,
        points.y,
        targets,
        weights,
        decay,
        chunk_size=options.chunk_size,
        keep_breakdown=keep_breakdown,
        index=options.index,
        progress=progress,
        **extra,
    )
    return scores, None


def _picks(
    points: _Points, scores: SurfaceScores, first: IntArray, *, top: int, separation: float
) -> IntArray:
    """Pick the best eligible candidates; warn when fewer than ``top`` fit."""
    picks = select_picks(
        points.x, points.y, scores.score, first < 0, top=top, min_separation_m=separation
    )
    if not (first < 0).any():
        points.warnings.append("no candidate passes every constraint: there are no picks")
    elif len(picks) < top:
        points.warnings.append(
            f"only {len(picks)} of the {top} picks asked for fit: the other eligible "
            f"candidates are within {separation:g} m of a pick"
        )
    return picks
