"""Approximate candidate scoring: opt-in fast paths with a measured error.

Two approximations of the exact engine (:func:`siteplan.candidates.engines.score_surface`),
used only when asked for (``--approx raster`` or ``--approx coarse``):

``raster``
    Each site is rasterised on a lattice of ``step_m`` metres (nodes whose
    position is inside the site, plus the nodes nearest to points every
    ``step_m / 2`` along its outline) and a Euclidean distance transform
    (:func:`scipy.ndimage.distance_transform_edt`) gives every node its
    distance to the nearest site node. This is what a GIS "Euclidean distance"
    raster tool computes; it errs by up to about one step near the sites.
``coarse``
    The exact kernel measures every site's distance at the nodes of a coarser
    lattice (``step_m``, by default four grid cells), and each candidate's
    distance is interpolated bilinearly between the four nodes around it;
    candidates within two steps of a site's bounding box, where the distance
    field bends most, are measured exactly. Further out the field is smooth
    (its curvature falls as 1 / distance), so the error is small and falls
    off with distance.

Lattices are aligned to the lower-left candidate, so that with a step equal to
the grid's cell size the raster nodes are the cell centres (read directly,
with no interpolation). With a cutoff decay, a site's lattice covers only the
candidates within the cutoff of its bounding box.

Every run measures its own error: a seeded sample of candidates is measured
exactly, and the largest and 99th-percentile distance and score differences
are returned (and shown in the outputs' parameters and warnings).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import numpy as np
import numpy.typing as npt
import shapely

from siteplan.candidates.engines import APPROX_METHODS, SurfaceScores
from siteplan.errors import ParameterError
from siteplan.measure._kernel import (
    DISTANCE_TOLERANCE_M,
    Targets,
    _box_distance2,
    distance_matrix,
    nearest_targets,
    settle_ties,
    target_distances,
)
from siteplan.score.points import add_weighted, finish_weighted, weight_total, weighted_mean

if TYPE_CHECKING:
    from siteplan.score.decay import DecayFunction

__all__ = ["APPROX_METHODS", "ERROR_SAMPLE", "ApproxScores", "approx_surface", "error_warning"]

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.intp]

#: Candidates measured exactly to state each run's error.
ERROR_SAMPLE: Final = 2000
#: The largest lattice (nodes) built for one site.
MAX_LATTICE: Final = 50_000_000
_SEED: Final = 0
#: ``coarse``: candidates within this many steps of a site's bounding box are measured exactly.
_NEAR: Final = 2.0


@dataclass(frozen=True)
class ApproxScores:
    """An approximate scoring pass and its measured error.

    Attributes
    ----------
    scores
        Scores, nearest site and distance, breakdown, as the exact engine returns them.
    error
        ``method``, ``step_m``, ``sample`` (candidates measured exactly),
        ``max_error_m`` and ``p99_error_m`` (distance error over the sample's
        candidate-site pairs that matter: all of them, or those within the
        cutoff), ``max_score_error`` and ``p99_score_error`` (score points, 0-100).
    """

    scores: SurfaceScores
    error: dict[str, Any]


@dataclass(frozen=True)
class _Lattice:
    """Nodes ``(x0 + i * step, y0 + k * step)``, ``i < nx``, ``k < ny``."""

    x0: float
    y0: float
    step: float
    nx: int
    ny: int

    def coords(self) -> tuple[FloatArray, FloatArray]:
        """Return the node coordinates, row-major (rows run south to north)."""
        xs = self.x0 + self.step * np.arange(self.nx)
        ys = self.y0 + self.step * np.arange(self.ny)
        gx, gy = np.meshgrid(xs, ys)
        return gx.ravel(), gy.ravel()


def _lattice(
    origin: tuple[float, float], step: float, box: tuple[float, float, float, float]
) -> _Lattice:
    """Return the lattice aligned to ``origin`` whose nodes span ``box`` (at least 2 x 2)."""
    ox, oy = origin
    i0 = math.floor((box[0] - ox) / step)
    k0 = math.floor((box[1] - oy) / step)
    i1 = math.ceil((box[2] - ox) / step)
    k1 = math.ceil((box[3] - oy) / step)
    nx = max(i1 - i0 + 1, 2)
    ny = max(k1 - k0 + 1, 2)
    if nx * ny > MAX_LATTICE:
        raise ParameterError(
            f"the approximation's lattice would have {nx * ny:,} nodes at {step:g} m; "
            "give a larger approximation step or score exactly (no approximation)"
        )
    return _Lattice(ox + i0 * step, oy + k0 * step, step, nx, ny)


def _node_index(
    origin: tuple[float, float], step: float, x: FloatArray, y: FloatArray
) -> tuple[IntArray, IntArray] | None:
    """Return the points' node indices on the lattice aligned to ``origin``, if all are nodes."""
    fx = (x - origin[0]) / step
    fy = (y - origin[1]) / step
    ix = np.rint(fx)
    iy = np.rint(fy)
    if np.abs(fx - ix).max(initial=0.0) < 1e-6 and np.abs(fy - iy).max(initial=0.0) < 1e-6:
        return ix.astype(np.intp), iy.astype(np.intp)
    return None


def _sample(
    values: FloatArray,
    lat: _Lattice,
    x: FloatArray,
    y: FloatArray,
    *,
    nodes: tuple[IntArray, IntArray] | None,
    origin: tuple[float, float],
) -> FloatArray:
    """Read a lattice's values at points: directly when they are nodes, else bilinearly."""
    if nodes is not None:
        i0 = round((lat.x0 - origin[0]) / lat.step)
        k0 = round((lat.y0 - origin[1]) / lat.step)
        flat = (nodes[1] - k0) * lat.nx + (nodes[0] - i0)
        return np.asarray(values[flat], dtype=np.float64)
    fx = (x - lat.x0) / lat.step
    fy = (y - lat.y0) / lat.step
    grid = values.reshape(lat.ny, lat.nx)
    i = np.clip(np.floor(fx), 0, lat.nx - 2).astype(np.intp)
    k = np.clip(np.floor(fy), 0, lat.ny - 2).astype(np.intp)
    tx = np.clip(fx - i, 0.0, 1.0)
    ty = np.clip(fy - k, 0.0, 1.0)
    v00 = grid[k, i]
    v10 = grid[k, i + 1]
    v01 = grid[k + 1, i]
    v11 = grid[k + 1, i + 1]
    low = v00 + tx * (v10 - v00)
    high = v01 + tx * (v11 - v01)
    return np.asarray(low + ty * (high - low), dtype=np.float64)


def _raster_field(t: Targets, j: int, lat: _Lattice) -> FloatArray:
    """Distance transform of target ``j`` rasterised on the lattice (metres, row-major)."""
    from scipy.ndimage import distance_transform_edt  # lazy: scipy is heavy, raster only

    geom = t.geoms[j]
    mask = np.zeros((lat.ny, lat.nx), dtype=bool)
    minx, miny, maxx, maxy = t.bounds[j]
    if t.polygonal[j]:
        i0 = max(math.ceil((minx - lat.x0) / lat.step), 0)
        i1 = min(math.floor((maxx - lat.x0) / lat.step), lat.nx - 1)
        k0 = max(math.ceil((miny - lat.y0) / lat.step), 0)
        k1 = min(math.floor((maxy - lat.y0) / lat.step), lat.ny - 1)
        if i1 >= i0 and k1 >= k0:
            xs = lat.x0 + lat.step * np.arange(i0, i1 + 1)
            ys = lat.y0 + lat.step * np.arange(k0, k1 + 1)
            gx, gy = np.meshgrid(xs, ys)
            mask[k0 : k1 + 1, i0 : i1 + 1] = shapely.contains_xy(geom, gx, gy)
    outline = shapely.segmentize(shapely.boundary(geom) if t.polygonal[j] else geom, lat.step / 2)
    coords = shapely.get_coordinates(outline)
    if len(coords) == 0:  # a point target
        coords = shapely.get_coordinates(geom)
    ci = np.clip(np.rint((coords[:, 0] - lat.x0) / lat.step), 0, lat.nx - 1).astype(np.intp)
    ck = np.clip(np.rint((coords[:, 1] - lat.y0) / lat.step), 0, lat.ny - 1).astype(np.intp)
    mask[ck, ci] = True
    field = distance_transform_edt(~mask, sampling=lat.step)
    return np.asarray(field, dtype=np.float64).ravel()


def approx_surface(
    x: FloatArray,
    y: FloatArray,
    targets: Targets,
    weights: FloatArray,
    decay: DecayFunction,
    *,
    method: str,
    step_m: float,
    keep_breakdown: bool = True,
    sample: int = ERROR_SAMPLE,
) -> ApproxScores:
    """Score points approximately, and measure the error on a sample.

    Parameters
    ----------
    x, y
        Candidate centres in the metric CRS.
    targets
        The sites prepared for the kernel.
    weights
        The sites' weights, aligned to the targets.
    decay
        The decay function; with a cutoff, each site's lattice covers only
        the candidates within reach.
    method
        ``raster`` or ``coarse`` (see the module's description).
    step_m
        The lattice step in metres.
    keep_breakdown
        Keep every candidate's per-site scores.
    sample
        How many candidates (seeded) to measure exactly for the error statement.

    Returns
    -------
    ApproxScores
        The approximate scores and their measured error.

    Raises
    ------
    ParameterError
        For an unknown method, a step that is not a positive number, or a
        lattice too large to build.

    Examples
    --------
    >>> import numpy as np, shapely
    >>> from siteplan.measure._kernel import prepare_targets
    >>> from siteplan.score.decay import make_decay
    >>> t = prepare_targets([shapely.box(0, 0, 100, 100)])
    >>> x, y = np.meshgrid(np.arange(-500.0, 600, 10), np.arange(-500.0, 600, 10))
    >>> out = approx_surface(x.ravel(), y.ravel(), t, np.ones(1), make_decay("linear"),
    ...                      method="coarse", step_m=40.0)
    >>> out.error["max_error_m"] < 10
    True
    """
    if method not in APPROX_METHODS:
        raise ParameterError(
            f"method {method!r} is not one of {', '.join(APPROX_METHODS)}", argument="method"
        )
    if not (isinstance(step_m, int | float) and math.isfinite(step_m) and step_m > 0):
        raise ParameterError(f"step_m {step_m!r} is not a number of metres > 0", argument="step_m")
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, m = len(x), len(targets)
    score = np.zeros(n)
    nearest = np.full(n, -1, dtype=np.intp)
    nearest_m = np.full(n, np.inf)
    tied = np.zeros(n, dtype=bool)  # another target within the tie tolerance of the nearest
    breakdown = np.zeros((m, n)) if keep_breakdown else None
    cutoff = decay.cutoff_m
    rng = np.random.default_rng(_SEED)
    picked = np.sort(rng.choice(n, size=min(sample, n), replace=False)) if n else np.zeros(0)
    picked = picked.astype(np.intp)
    approx_d = np.full((len(picked), m), np.inf)
    if n and m:
        origin = (float(x.min()), float(y.min()))
        cbox = (origin[0], origin[1], float(x.max()), float(y.max()))
        on_nodes = _node_index(origin, step_m, x, y)
        every = np.arange(n, dtype=np.intp)
        for j in range(m):
            minx, miny, maxx, maxy = targets.bounds[j]
            if cutoff is not None:
                box = (
                    max(cbox[0], minx - cutoff),
                    max(cbox[1], miny - cutoff),
                    min(cbox[2], maxx + cutoff),
                    min(cbox[3], maxy + cutoff),
                )
                if box[0] > box[2] or box[1] > box[3]:
                    continue
                idx = np.flatnonzero(
                    (x >= box[0]) & (x <= box[2]) & (y >= box[1]) & (y <= box[3])
                ).astype(np.intp)
                if len(idx) == 0:
                    continue
            else:
                box = cbox
                idx = every
            if method == "raster":
                lat = _lattice(
                    origin,
                    step_m,
                    (min(box[0], minx), min(box[1], miny), max(box[2], maxx), max(box[3], maxy)),
                )
                field = _raster_field(targets, j, lat)
            else:
                lat = _lattice(origin, step_m, box)
                field = target_distances(targets, j, *lat.coords())
            nodes = None if on_nodes is None else (on_nodes[0][idx], on_nodes[1][idx])
            d = _sample(field, lat, x[idx], y[idx], nodes=nodes, origin=origin)
            if method == "coarse":
                # exact near the site, where the distance field bends most
                near = np.flatnonzero(
                    _box_distance2(x[idx], y[idx], targets.bounds[j]) <= (_NEAR * step_m) ** 2
                )
                if len(near):
                    d[near] = target_distances(targets, j, x[idx[near]], y[idx[near]])
            at = np.searchsorted(idx, picked)
            hit = at < len(idx)
            hit[hit] = idx[at[hit]] == picked[hit]
            approx_d[hit, j] = d[at[hit]]
            if cutoff is not None:
                keep = d <= cutoff
                idx, d = idx[keep], d[keep]
            s = decay(d)
            if idx is every:  # no cutoff: whole arrays, no fancy indexing
                add_weighted(score, weights[j], s)
                if breakdown is not None:
                    breakdown[j] = s
                tied |= np.abs(d - nearest_m) <= DISTANCE_TOLERANCE_M
                better = d < nearest_m
                np.copyto(nearest_m, d, where=better)
                nearest[better] = j
                continue
            add_weighted(score, weights[j], s, idx)
            if breakdown is not None:
                breakdown[j, idx] = s
            tied[idx[np.abs(d - nearest_m[idx]) <= DISTANCE_TOLERANCE_M]] = True
            better = d < nearest_m[idx]
            nearest_m[idx[better]] = d[better]
            nearest[idx[better]] = j
    score = finish_weighted(score, weight_total(weights))
    # The tie rule, as the exact engine applies it: a candidate whose two nearest sites
    # are within 1e-6 m is settled by the exact distances (the smaller id wins a tie).
    settle_ties(targets, (x, y), nearest, nearest_m, np.flatnonzero(tied & (nearest >= 0)))
    missing = np.flatnonzero(nearest < 0)
    if len(missing):
        nearest[missing], nearest_m[missing] = nearest_targets(targets, x[missing], y[missing])
    error = _measure_error(
        x[picked],
        y[picked],
        approx_d=approx_d,
        approx_score=score[picked],
        targets=targets,
        weights=weights,
        decay=decay,
    )
    error = {"method": method, "step_m": float(step_m), **error}
    return ApproxScores(
        scores=SurfaceScores(
            score=score, nearest=nearest, nearest_m=nearest_m, breakdown=breakdown
        ),
        error=error,
    )


def _measure_error(
    x: FloatArray,
    y: FloatArray,
    *,
    approx_d: FloatArray,
    approx_score: FloatArray,
    targets: Targets,
    weights: FloatArray,
    decay: DecayFunction,
) -> dict[str, Any]:
    """Compare a sample's approximate distances and scores with exact ones."""
    if len(x) == 0 or len(targets) == 0:
        return {
            "sample": 0,
            "max_error_m": 0.0,
            "p99_error_m": 0.0,
            "max_score_error": 0.0,
            "p99_score_error": 0.0,
        }
    exact = distance_matrix(targets, x, y)
    exact_score = weighted_mean(decay(exact), weights)
    cutoff = decay.cutoff_m
    matters = (
        np.ones(exact.shape, dtype=bool)
        if cutoff is None
        else (exact <= cutoff) | (approx_d <= cutoff)
    )
    # a pair beyond the cutoff on one side only: count its error up to the cutoff
    capped_a = approx_d if cutoff is None else np.minimum(approx_d, cutoff)
    capped_e = exact if cutoff is None else np.minimum(exact, cutoff)
    d_err = np.abs(capped_a - capped_e)[matters]
    s_err = np.abs(approx_score - exact_score)
    return {
        "sample": len(x),
        "max_error_m": float(d_err.max(initial=0.0)),
        "p99_error_m": float(np.quantile(d_err, 0.99)) if len(d_err) else 0.0,
        "max_score_error": float(s_err.max()),
        "p99_score_error": float(np.quantile(s_err, 0.99)),
    }


def error_warning(error: dict[str, Any]) -> str:
    """Return the warning that states an approximation's measured error."""
    return (
        f"approximate distances (--approx {error['method']}, {error['step_m']:g} m step): "
        f"on {error['sample']:,} candidates measured exactly, the distance error was at most "
        f"{error['max_error_m']:.3g} m (99 % within {error['p99_error_m']:.3g} m) and the "
        f"score error at most {error['max_score_error']:.3g} points (99 % within "
        f"{error['p99_score_error']:.3g}); leave out --approx for exact scores"
    )
