"""The dask engine: the exact candidate scoring on a dask-geopandas frame over dask.distributed.

The candidates are sorted along a Hilbert curve over their extent (the curve of
:meth:`geopandas.GeoSeries.hilbert_distance` and of dask-geopandas'
``spatial_shuffle(by="hilbert")``) and cut into partitions of at most
:data:`DEFAULT_PARTITION` candidates, so that each partition is a compact patch
of the study area that only nearby sites can reach. The partitions (columns
``x``, ``y`` and ``i``, each candidate's position) are sent to the workers as
data (``Client.scatter``), never inside the task graph, and become a
:class:`dask_geopandas.GeoDataFrame` whose point geometries are made on the
workers. ``map_partitions`` runs the in-memory engine
(:func:`siteplan.candidates.engines.score_surface`: the same exact kernel on the
partition's coordinate arrays, cutoff pruning and nearest-site search) on
every partition; the prepared sites are sent to every worker once. Each
candidate's numbers depend only on that candidate, so once put back in
candidate order (by ``i``) the results are identical to the in-memory
engine's, bit for bit.

Without a scheduler address, a :class:`distributed.LocalCluster` of worker
processes (one thread each, no dashboard, nothing on the network beyond the
loopback) is started for the run and shut down after it. With an address
(``tcp://host:8786``), the run uses that cluster; its workers need siteplan
(the same version) and the ``dask`` extra (dask-geopandas, distributed) installed.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import logging
import math
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from siteplan.candidates.engines import DEFAULT_CHUNK, SurfaceScores, progress_bar, score_surface
from siteplan.errors import ParameterError

if TYPE_CHECKING:
    from siteplan.measure._kernel import Targets
    from siteplan.measure.network.places import SiteCosts
    from siteplan.score.decay import DecayFunction

__all__ = [
    "DEFAULT_PARTITION",
    "dask_client",
    "default_partition_size",
    "hilbert_distance",
    "hilbert_order",
    "score_surface_dask",
]

FloatArray: TypeAlias = npt.NDArray[np.float64]

#: Candidates per partition, at most (more partitions than workers keeps them all busy).
DEFAULT_PARTITION: Final = 100_000
#: How long to wait for a scheduler given by address.
CONNECT_TIMEOUT = "10s"
#: The fewest candidates worth a partition of their own.
_MIN_PARTITION: Final = 5_000
#: The dask setting that gives worker processes a small glibc trim threshold.
_MALLOC_TRIM: Final = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"
_INSTALL: Final = (
    "the dask engine needs dask-geopandas and distributed: pip install 'siteplan[dask]' "
    "(or use the default in-memory engine)"
)


def _import_distributed() -> Any:
    try:
        import distributed  # lazy: the optional dask extra
    except ImportError as exc:  # pragma: no cover - the test extras install them
        raise ParameterError(f"{_INSTALL} ({exc})") from None
    return distributed


@contextlib.contextmanager
def dask_client(
    scheduler: str | None = None, *, workers: int | None = None, processes: bool = True
) -> Iterator[Any]:
    """Connect to a dask cluster, or start a local one, for the length of a ``with`` block.

    Parameters
    ----------
    scheduler
        A scheduler address such as ``tcp://10.0.0.5:8786``; None starts a
        :class:`distributed.LocalCluster` (no dashboard) that is closed at the end.
    workers
        Worker processes of the local cluster (default: one per CPU). With a
        scheduler address, wait until at least this many workers have joined.
    processes
        Local cluster only: workers in processes (default) or threads.

    Yields
    ------
    distributed.Client
        The client.

    Raises
    ------
    ParameterError
        When dask is not installed, ``workers`` is not a whole number >= 1, or the
        scheduler cannot be reached.
    """
    distributed = _import_distributed()
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
    ):
        raise ParameterError(f"workers {workers!r} is not a whole number >= 1", argument="workers")
    if scheduler is None:
        import dask  # lazy: the optional dask extra

        n = workers or os.cpu_count() or 1
        # distributed's nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536, which
        # makes glibc map and unmap every large numpy temporary: the kernel ran 1.7x
        # slower in such a worker (measured). The cluster's workers keep glibc's defaults.
        with dask.config.set({_MALLOC_TRIM: None}):
            cluster = distributed.LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=processes,
                # worker processes talk over the loopback only
                **({"host": "127.0.0.1"} if processes else {}),
                dashboard_address=None,
                # no dashboard; the scheduler's small HTTP server on a free loopback port
                scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
                silence_logs=logging.ERROR,
            )
        with cluster, distributed.Client(cluster) as client:
            yield client
        return
    try:
        client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ParameterError(
            f"cannot reach the dask scheduler at {scheduler!r} ({exc}); check the address "
            "(tcp://host:port) and that the scheduler runs, or leave out scheduler to run "
            "a local cluster",
            argument="scheduler",
        ) from None
    try:
        if workers is not None:
            client.wait_for_workers(workers, timeout=60)
        yield client
    finally:
        client.close()


def _import_engine() -> tuple[Any, Any, Any]:
    """Return the modules the engine runs on: distributed, dask.dataframe, dask_geopandas."""
    distributed = _import_distributed()
    try:
        import dask.dataframe as dd  # lazy: the optional dask extra
        import dask_geopandas
    except ImportError as exc:  # pragma: no cover - the test extras install them
        raise ParameterError(f"{_INSTALL} ({exc})") from None
    return distributed, dd, dask_geopandas


def hilbert_distance(x: FloatArray, y: FloatArray) -> npt.NDArray[np.uint32]:
    """Return each point's distance along geopandas' Hilbert curve over the points' extent.

    Equal to ``GeoSeries(points_from_xy(x, y)).hilbert_distance()`` (level 16,
    the curve of dask-geopandas' ``spatial_shuffle(by="hilbert")``), computed
    from the coordinates by geopandas' own encoder without making a Point per
    candidate (0.05 s instead of 0.9 s at 1e6); falls back to the public method
    if geopandas' private encoder moves. The coordinates must be finite.

    Parameters
    ----------
    x, y
        Finite point coordinates.

    Returns
    -------
    numpy.ndarray
        The distances, ``uint32``.
    """
    try:
        # geopandas' private encoder, guarded: it may move between versions
        from geopandas.tools.hilbert_curve import _continuous_to_discrete_coords, _encode

        ix, iy = _continuous_to_discrete_coords(np.column_stack([x, y, x, y]), 16, None)
        return np.asarray(_encode(16, ix, iy), dtype=np.uint32)
    except (ImportError, AttributeError, TypeError, ValueError):  # pragma: no cover
        points = gpd.GeoSeries(gpd.points_from_xy(x, y))
        return np.asarray(points.hilbert_distance().to_numpy(), dtype=np.uint32)


def hilbert_order(x: FloatArray, y: FloatArray) -> npt.NDArray[np.int64]:
    """Return the candidates' positions sorted along a Hilbert curve over their extent.

    The curve is geopandas' (:func:`hilbert_distance`); ties keep candidate
    order, and candidates with a non-finite coordinate come last.

    Parameters
    ----------
    x, y
        Candidate coordinates (metric CRS).

    Returns
    -------
    numpy.ndarray
        A permutation of ``range(len(x))``.

    Examples
    --------
    >>> import numpy as np
    >>> hilbert_order(np.array([9.0, 0.0, 0.0, 9.0]), np.array([0.0, 0.0, 9.0, 9.0])).tolist()
    [1, 2, 3, 0]
    """
    finite = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    key = np.full(len(x), 2**32, dtype=np.int64)  # above every level-16 distance
    if len(finite):
        key[finite] = hilbert_distance(x[finite], y[finite])
    return np.argsort(key, kind="stable").astype(np.int64)


def default_partition_size(n: int, workers: int) -> int:
    """Return the candidates per partition for ``n`` candidates on ``workers`` workers.

    Four partitions per worker (so that a slow one does not hold up the run), at
    most :data:`DEFAULT_PARTITION` candidates each (memory stays bounded), and
    no partition under 5,000 candidates unless there are fewer.

    Examples
    --------
    >>> default_partition_size(1_000_000, 2), default_partition_size(20_000, 2)
    (100000, 5000)
    """
    parts = max(4 * max(workers, 1), math.ceil(n / DEFAULT_PARTITION))
    parts = max(1, min(parts, math.ceil(n / _MIN_PARTITION)))
    return max(1, math.ceil(n / parts))


def _result_meta(m: int, keep_breakdown: bool, network: bool = False) -> pd.DataFrame:
    """Return the (empty) frame one partition's scores come back in."""
    columns: dict[str, Any] = {
        "i": np.zeros(0, dtype=np.int64),
        "score": np.zeros(0),
        "nearest": np.zeros(0, dtype=np.int64),
        "nearest_m": np.zeros(0),
    }
    columns |= {"connector_m": np.zeros(0)} if network else {}
    if keep_breakdown:
        columns |= {f"b{j}": np.zeros(0) for j in range(m)}
    return pd.DataFrame(columns)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a partition's work.

    Making 100,000 shapely Points (the partition's geometry, the kernel's point
    index) while other Points are alive sets off collections that walk them all
    again and again: at 1e6 x 300 the partitions took 4.1 s with the collector
    and 2.4 s without. Nothing in this work makes reference cycles.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _with_points(part: pd.DataFrame, crs: Any) -> gpd.GeoDataFrame:
    """Give one partition of the candidates its point geometry (from ``x`` and ``y``)."""
    with _gc_paused():
        geometry = gpd.points_from_xy(part["x"], part["y"], crs=crs)
    return gpd.GeoDataFrame(part, geometry=geometry)


def _score_partition(
    part: pd.DataFrame,
    *,
    targets: Targets | SiteCosts,
    weights: FloatArray,
    decay: DecayFunction,
    chunk_size: int,
    keep_breakdown: bool,
    index: str,
) -> pd.DataFrame:
    """Score one partition of the candidates with the in-memory engine.

    The kernel takes the partition's coordinate arrays (``x``, ``y``), not its
    Point geometries; the scores come back with each candidate's position ``i``.
    """
    with _gc_paused():
        scores = score_surface(
            part["x"].to_numpy(dtype=np.float64),
            part["y"].to_numpy(dtype=np.float64),
            targets,
            weights,
            decay,
            chunk_size=chunk_size,
            keep_breakdown=keep_breakdown,
            index=index,
            progress=False,
        )
    columns: dict[str, Any] = {
        "i": part["i"].to_numpy(dtype=np.int64),
        "score": scores.score,
        "nearest": scores.nearest.astype(np.int64),
        "nearest_m": scores.nearest_m,
    }
    if scores.connector_m is not None:
        columns["connector_m"] = scores.connector_m
    frame = pd.DataFrame(columns)
    if keep_breakdown and scores.breakdown is not None:
        names = [f"b{j}" for j in range(len(targets))]
        breakdown = pd.DataFrame(scores.breakdown.T, columns=names, index=frame.index)
        frame = pd.concat([frame, breakdown], axis=1)
    return frame


def _candidate_frame(
    x: FloatArray,
    y: FloatArray,
    client: Any,
    *,
    partition_size: int,
    crs: Any = None,
) -> Any:
    """Partition candidates (at least one) along a Hilbert curve into a dask-geopandas frame.

    Parameters
    ----------
    x, y
        Candidate coordinates (metric CRS).
    client
        The :class:`distributed.Client`; the partitions are scattered to its workers.
    partition_size
        Candidates per partition, at most.
    crs
        The coordinates' CRS, given to the frame's geometry.

    Returns
    -------
    dask_geopandas.GeoDataFrame
        Columns ``x``, ``y``, ``i`` (the candidate's position in ``x``) and
        ``geometry`` (points); its index is the position along the curve, and
        each partition a contiguous stretch of it.
    """
    _, dd, _ = _import_engine()
    n = len(x)
    order = hilbert_order(x, y)
    cuts = [*range(0, n, partition_size), n]
    parts = [
        pd.DataFrame(
            {"x": x[order[a:b]], "y": y[order[a:b]], "i": order[a:b]},
            index=pd.RangeIndex(a, b),
        )
        for a, b in itertools.pairwise(cuts)
    ]
    meta = parts[0].iloc[:0]
    # Sent to the workers as data: a graph that holds the data would pass through the
    # scheduler (dask_geopandas.from_geopandas warns "Sending large graph" at 1e6 points).
    futures = client.scatter(parts, hash=False)
    del parts
    frame = dd.from_delayed(futures, meta=meta, divisions=[*cuts[:-1], n - 1])
    # A frame with GeoDataFrame metadata is a dask_geopandas.GeoDataFrame (the same as
    # dask_geopandas.points_from_xy and from_dask_dataframe, with the CRS kept and the
    # Points made with the garbage collector paused).
    geo_meta = gpd.GeoDataFrame(meta, geometry=gpd.points_from_xy([], [], crs=crs))
    return frame.map_partitions(_with_points, crs, meta=geo_meta)


def score_surface_dask(
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
    scheduler: str | None = None,
    workers: int | None = None,
    client: Any = None,
    partition_size: int | None = None,
    crs: Any = None,
) -> SurfaceScores:
    """Score points against every target on a dask cluster (results as the in-memory engine).

    Parameters
    ----------
    x, y, targets, weights, decay, chunk_size, keep_breakdown, index
        As :func:`siteplan.candidates.engines.score_surface` (``chunk_size`` applies
        within each partition).
    progress
        Show a progress bar of finished partitions (terminal only).
    scheduler
        A scheduler address (``tcp://host:port``); None: a local cluster.
    workers
        Local cluster size, or the workers to wait for on a remote one.
    client
        An existing :class:`distributed.Client` to use instead (``scheduler``
        and ``workers`` are then ignored).
    partition_size
        Candidates per partition (default: enough partitions to give every
        worker four, at most :data:`DEFAULT_PARTITION` candidates each).
    crs
        The coordinates' CRS, for the partitions' point geometries (optional).

    Returns
    -------
    SurfaceScores
        Equal, array for array, to what the in-memory engine returns.

    Raises
    ------
    ParameterError
        When dask is not installed, ``partition_size`` is not a whole number >= 1,
        or the cluster cannot be reached (see :func:`dask_client`).
    """
    if partition_size is not None and (
        isinstance(partition_size, bool)
        or not isinstance(partition_size, int)
        or partition_size < 1
    ):
        raise ParameterError(
            f"partition_size {partition_size!r} is not a whole number >= 1",
            argument="partition_size",
        )
    if client is None:
        with dask_client(scheduler, workers=workers) as own:
            return score_surface_dask(
                x,
                y,
                targets,
                weights,
                decay,
                chunk_size=chunk_size,
                keep_breakdown=keep_breakdown,
                index=index,
                progress=progress,
                client=own,
                partition_size=partition_size,
                crs=crs,
            )
    distributed, _, _ = _import_engine()

    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, m = len(x), len(targets)
    score = np.zeros(n)
    nearest = np.full(n, -1, dtype=np.intp)
    nearest_m = np.full(n, np.inf)
    breakdown = np.zeros((m, n)) if keep_breakdown else None
    network = hasattr(targets, "node_cost")  # joined to the road network: connectors too
    connector = np.full(n, np.nan) if network else None
    if n == 0:
        return SurfaceScores(score, nearest, nearest_m, breakdown, connector)
    if partition_size is None:
        nworkers = len(client.scheduler_info().get("workers", {}))
        partition_size = default_partition_size(n, nworkers)
    frame = _candidate_frame(x, y, client, partition_size=partition_size, crs=crs)
    # The sites, weights and decay go to every worker once, not into every task.
    shared = client.scatter(
        [targets, np.asarray(weights, dtype=np.float64), decay], broadcast=True, hash=False
    )
    scored = frame.map_partitions(
        _score_partition,
        targets=shared[0],
        weights=shared[1],
        decay=shared[2],
        chunk_size=chunk_size,
        keep_breakdown=keep_breakdown,
        index=index,
        meta=_result_meta(m, keep_breakdown, network),
    )
    futures = client.compute(scored.to_delayed())
    names = [f"b{j}" for j in range(m)]
    bar = progress_bar(n, progress)
    try:
        for future in distributed.as_completed(futures):
            got = future.result()
            pos = got["i"].to_numpy()
            score[pos] = got["score"].to_numpy()
            nearest[pos] = got["nearest"].to_numpy()
            nearest_m[pos] = got["nearest_m"].to_numpy()
            if connector is not None:
                connector[pos] = got["connector_m"].to_numpy()
            if breakdown is not None:
                breakdown[:, pos] = got[names].to_numpy().T
            bar.update(len(pos))
            future.release()
    finally:
        bar.close()
    return SurfaceScores(score, nearest, nearest_m, breakdown, connector)
