"""The scoring engines' shared interface, their options, and the in-memory engine.

An engine scores candidate centres against every site and returns
:class:`SurfaceScores`. Three engines plug in behind it:

- ``memory`` (default): :func:`score_surface`, exact, in chunks of candidates;
- ``dask``: the same exact pass partitioned over a dask.distributed cluster
  (:mod:`siteplan.candidates._dask`), identical results;
- an approximation, ``raster`` or ``coarse``, by explicit choice only
  (:mod:`siteplan.candidates._approx`), in memory, with its error measured.

:class:`EngineOptions` holds the choice and its settings, validated in one place.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeAlias

import numpy as np
import numpy.typing as npt

from siteplan.errors import ParameterError
from siteplan.measure._kernel import (
    DISTANCE_TOLERANCE_M,
    Targets,
    nearest_targets,
    reach_pairs,
    settle_ties,
)
from siteplan.measure.pairs import check_distance
from siteplan.score.points import add_weighted, finish_weighted, weight_total

if TYPE_CHECKING:
    from siteplan.measure.network.places import SiteCosts
    from siteplan.score.decay import DecayFunction

__all__ = [
    "APPROX_METHODS",
    "DEFAULT_CHUNK",
    "ENGINES",
    "INDEXES",
    "EngineOptions",
    "ProgressBar",
    "SurfaceScores",
    "progress_bar",
    "score_surface",
]

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.intp]

#: Candidates scored per chunk: bounds the memory of one pass.
DEFAULT_CHUNK: Final = 100_000
#: The exact engines, by name.
ENGINES: Final = ("memory", "dask")
#: The approximations, by name.
APPROX_METHODS: Final = ("raster", "coarse")
#: How pairs beyond a decay's cutoff are pruned (see :func:`siteplan.measure._kernel.reach_pairs`).
INDEXES: Final = ("auto", "box", "strtree")


@dataclass(frozen=True)
class SurfaceScores:
    """What the scoring pass returns for every candidate.

    ``breakdown`` is ``(M, N)``: row ``j`` holds every candidate's score against
    site ``j`` (None when it was not kept). With a network measure ``nearest_m``
    is in the measure's unit (``inf`` and ``nearest`` -1 when no site can be
    reached) and ``connector_m`` each candidate's walk to the network (NaN
    beyond ``snap_max_m``); None for straight lines.
    """

    score: FloatArray
    nearest: IntArray
    nearest_m: FloatArray
    breakdown: FloatArray | None
    connector_m: FloatArray | None = None


def _whole(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int) and value >= 1


@dataclass(frozen=True)
class EngineOptions:
    """How candidates are scored: the engine and its settings, checked on creation.

    Attributes
    ----------
    engine
        ``memory`` (default) or ``dask`` (the same exact scoring, partitioned
        over a dask.distributed cluster; identical results).
    approx
        None (exact, default), or an approximation by explicit choice:
        ``raster`` (a distance transform on a raster) or ``coarse`` (exact on a
        coarser lattice, interpolated); it runs in memory and states its
        measured error.
    approx_step_m
        The approximation's lattice step in metres (default: the cell size for
        ``raster``, four cells for ``coarse``; 10 m and 40 m for parcels).
    scheduler
        ``engine="dask"`` only: a scheduler address (``tcp://host:8786``);
        None runs a local cluster for the call.
    workers
        ``engine="dask"`` only: local cluster size (default one per CPU), or the
        workers to wait for on a remote cluster.
    chunk_size
        Candidates per chunk of the scoring pass.
    index
        ``auto``, ``box`` or ``strtree``: how pairs beyond a cutoff are pruned.

    Raises
    ------
    ParameterError
        For a value out of range or settings that exclude each other; its
        ``argument`` names the field.

    Examples
    --------
    >>> EngineOptions(approx="coarse").step_for(50.0)
    200.0
    >>> try:
    ...     EngineOptions(workers=2)
    ... except ParameterError as error:
    ...     print(error.argument, "|", error)
    workers | workers 2 needs engine='dask'; give engine='dask' or leave out scheduler and workers
    """

    engine: str = "memory"
    approx: str | None = None
    approx_step_m: float | None = None
    scheduler: str | None = None
    workers: int | None = None
    chunk_size: int = DEFAULT_CHUNK
    index: str = "auto"

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ParameterError(
                f"engine {self.engine!r} is not one of {', '.join(ENGINES)}", argument="engine"
            )
        for name, value in (("scheduler", self.scheduler), ("workers", self.workers)):
            if value is not None and self.engine != "dask":
                raise ParameterError(
                    f"{name} {value!r} needs engine='dask'; give engine='dask' or leave out "
                    "scheduler and workers",
                    argument=name,
                )
        if self.workers is not None and not _whole(self.workers):
            raise ParameterError(
                f"workers {self.workers!r} is not a whole number >= 1", argument="workers"
            )
        if self.approx is not None:
            if self.approx not in APPROX_METHODS:
                raise ParameterError(
                    f"approx {self.approx!r} is not one of {', '.join(APPROX_METHODS)}",
                    argument="approx",
                )
            if self.engine == "dask":
                raise ParameterError(
                    f"approx {self.approx!r} runs in memory: leave out engine='dask', or approx",
                    argument="approx",
                )
        if self.approx_step_m is not None:
            if self.approx is None:
                raise ParameterError(
                    f"approx_step_m {self.approx_step_m!r} needs approx='raster' or "
                    "approx='coarse'",
                    argument="approx_step_m",
                )
            step = self.approx_step_m
            if not (isinstance(step, int | float) and math.isfinite(step) and step > 0):
                raise ParameterError(
                    f"approx_step_m {step!r} is not a number of metres > 0",
                    argument="approx_step_m",
                )
            check_distance("approx_step_m", step)
        if not _whole(self.chunk_size):
            raise ParameterError(
                f"chunk_size {self.chunk_size!r} is not a whole number >= 1", argument="chunk_size"
            )
        if self.index not in INDEXES:
            raise ParameterError(
                f"index {self.index!r} is not one of {', '.join(INDEXES)}", argument="index"
            )

    def step_for(self, cell_m: float | None) -> float:
        """Return the approximation's lattice step for a grid of ``cell_m`` (None: parcels)."""
        if self.approx_step_m is not None:
            return float(self.approx_step_m)
        cells = 10.0 if cell_m is None else cell_m
        return cells * (4 if self.approx == "coarse" else 1)


class ProgressBar(Protocol):
    """What a progress bar offers the engines."""

    def update(self, n: int, /) -> Any:
        """Count ``n`` more candidates done."""

    def close(self) -> Any:
        """Remove the bar."""


class _NoBar:
    def update(self, _n: int) -> None:
        return None

    def close(self) -> None:
        return None


def progress_bar(total: int, progress: bool) -> ProgressBar:
    """Return a tqdm bar shown after 2 s on a terminal, or a silent stand-in.

    Examples
    --------
    >>> bar = progress_bar(10, False)
    >>> bar.update(10); bar.close()
    """
    if not progress or not sys.stderr.isatty():
        return _NoBar()
    from tqdm import tqdm  # lazy: only a terminal run shows a bar

    bar: ProgressBar = tqdm(
        total=total, unit=" candidates", delay=2.0, file=sys.stderr, leave=False, unit_scale=True
    )
    return bar


def score_surface(
    x: FloatArray,
    y: FloatArray,
    targets: Targets | SiteCosts,
    weights: FloatArray,
    decay: DecayFunction,
    *,
    chunk_size: int = DEFAULT_CHUNK,
    keep_breakdown: bool = True,
    index: str = "auto",
    progress: bool = False,
) -> SurfaceScores:
    """Score points against every target: weighted mean of per-target decay scores.

    This is the in-memory engine; the dask engine runs it on partitions. The
    score is :mod:`siteplan.score.points`' weighted mean, accumulated site by site.

    Parameters
    ----------
    x, y
        Candidate centres in the metric CRS.
    targets
        The sites prepared for the kernel (footprints or centroids), or joined
        to the road network for a network measure
        (:func:`siteplan.candidates._network.score_network_surface` then scores).
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

    Examples
    --------
    >>> import numpy as np, shapely
    >>> from siteplan.measure._kernel import prepare_targets
    >>> from siteplan.score.decay import make_decay
    >>> t = prepare_targets([shapely.box(0, 0, 10, 10)])
    >>> out = score_surface(np.array([5.0, 600.0]), np.zeros(2), t, np.ones(1), make_decay("rings"))
    >>> out.score.tolist(), out.nearest_m.tolist()
    ([100.0, 75.0], [0.0, 590.0])
    """
    if not isinstance(targets, Targets):
        # lazy: the road network needs scipy, which straight-line candidates never load
        from siteplan.candidates._network import score_network_surface

        return score_network_surface(
            x,
            y,
            targets,
            weights,
            decay,
            chunk_size=chunk_size,
            keep_breakdown=keep_breakdown,
            progress=progress,
        )
    n, m = len(x), len(targets)
    score = np.zeros(n)
    nearest = np.full(n, -1, dtype=np.intp)
    nearest_m = np.full(n, np.inf)
    tied = np.zeros(n, dtype=bool)  # another target within the tie tolerance of the nearest
    breakdown = np.zeros((m, n)) if keep_breakdown else None
    cutoff = decay.cutoff_m
    # Chunks follow y so that each chunk is a band that only some sites can reach.
    order = (
        np.arange(n, dtype=np.intp)
        if n < 2 or bool(np.all(y[1:] >= y[:-1]))
        else np.argsort(y, kind="stable").astype(np.intp)
    )
    bar = progress_bar(n, progress)
    try:
        for start in range(0, n, chunk_size):
            sel = order[start : start + chunk_size]
            for j, idx, d in reach_pairs(targets, x[sel], y[sel], cutoff, index=index):
                s = decay(d)
                g = sel[idx]
                add_weighted(score, weights[j], s, g)
                if breakdown is not None:
                    breakdown[j, g] = s
                tied[g[np.abs(d - nearest_m[g]) <= DISTANCE_TOLERANCE_M]] = True
                better = d < nearest_m[g]
                nearest_m[g[better]] = d[better]
                nearest[g[better]] = j
            bar.update(len(sel))
    finally:
        bar.close()
    score = finish_weighted(score, weight_total(weights))
    settle_ties(targets, (x, y), nearest, nearest_m, np.flatnonzero(tied & (nearest >= 0)))
    missing = np.flatnonzero(nearest < 0)
    if len(missing):
        nearest[missing], nearest_m[missing] = nearest_targets(targets, x[missing], y[missing])
    return SurfaceScores(score=score, nearest=nearest, nearest_m=nearest_m, breakdown=breakdown)
