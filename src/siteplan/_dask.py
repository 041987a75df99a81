"""The dask engine: the exact candidate scoring, partitioned over a dask.distributed cluster.

The candidates are sorted south to north and split into partitions of
coordinate arrays (``x``, ``y`` and each candidate's position), so that each
partition is a band that only some sites can reach; the partitions are sent to
the workers as data (``Client.scatter``), never inside the task graph.
Every partition runs the in-memory engine
(:func:`siteplan.candidates.score_surface`: the same exact kernel, cutoff
pruning and nearest-site search) on a worker; the prepared sites are sent to
every worker once. Each candidate's numbers depend only on that candidate, so
the results are identical to the in-memory engine's, bit for bit.

Without a scheduler address, a :class:`distributed.LocalCluster` of worker
processes (one thread each, no dashboard, nothing on the network beyond the
loopback) is started for the run and shut down after it. With an address
(``tcp://host:8786``), the run uses that cluster; its workers need siteplan
(the same version) and the ``dask`` extra installed.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import numpy as np
import numpy.typing as npt

from siteplan.errors import ParameterError

if TYPE_CHECKING:
    from siteplan._kernel import Targets
    from siteplan.candidates import SurfaceScores
    from siteplan.decay import DecayFunction

__all__ = ["DEFAULT_PARTITION", "dask_client", "score_surface_dask"]

FloatArray: TypeAlias = npt.NDArray[np.float64]

#: Candidates per partition, at most (more partitions than workers keeps them all busy).
DEFAULT_PARTITION: Final = 250_000
#: How long to wait for a scheduler given by address.
CONNECT_TIMEOUT = "10s"
#: The fewest candidates worth a partition of their own.
_MIN_PARTITION: Final = 5_000
_INSTALL: Final = (
    "the dask engine needs dask and distributed: pip install 'siteplan[dask]' "
    "(or use the default in-memory engine)"
)


def _import_distributed() -> Any:
    try:
        import distributed
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
        raise ParameterError(f"workers {workers!r} is not a whole number >= 1")
    if scheduler is None:
        n = workers or os.cpu_count() or 1
        with (
            distributed.LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=processes,
                # worker processes talk over the loopback only
                **({"host": "127.0.0.1"} if processes else {}),
                dashboard_address=None,
                # no dashboard; the scheduler's small HTTP server on a free loopback port
                scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
                silence_logs=logging.ERROR,
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            yield client
        return
    try:
        client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ParameterError(
            f"cannot reach the dask scheduler at {scheduler!r} ({exc}); check the address "
            "(tcp://host:port) and that the scheduler runs, or leave out --scheduler to run "
            "a local cluster"
        ) from None
    try:
        if workers is not None:
            client.wait_for_workers(workers, timeout=60)
        yield client
    finally:
        client.close()


def _score_partition(
    part: tuple[FloatArray, FloatArray, npt.NDArray[np.int64]],
    *,
    targets: Targets,
    weights: FloatArray,
    decay: DecayFunction,
    chunk_size: int,
    keep_breakdown: bool,
    index: str,
) -> tuple[npt.NDArray[np.int64], SurfaceScores]:
    """Score one partition (x, y and the candidates' positions) with the in-memory engine."""
    from siteplan.candidates import score_surface

    x, y, pos = part
    scores = score_surface(
        x,
        y,
        targets,
        weights,
        decay,
        chunk_size=chunk_size,
        keep_breakdown=keep_breakdown,
        index=index,
        progress=False,
    )
    return pos, scores


def score_surface_dask(
    x: FloatArray,
    y: FloatArray,
    targets: Targets,
    weights: FloatArray,
    decay: DecayFunction,
    *,
    chunk_size: int = 100_000,
    keep_breakdown: bool = True,
    index: str = "auto",
    progress: bool = False,
    scheduler: str | None = None,
    workers: int | None = None,
    client: Any = None,
    partition_size: int | None = None,
) -> SurfaceScores:
    """Score points against every target on a dask cluster (results as the in-memory engine).

    Parameters
    ----------
    x, y, targets, weights, decay, chunk_size, keep_breakdown, index
        As :func:`siteplan.candidates.score_surface` (``chunk_size`` applies
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

    Returns
    -------
    SurfaceScores
        Equal, array for array, to what the in-memory engine returns.
    """
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
            )
    distributed = _import_distributed()
    from siteplan.candidates import SurfaceScores, _progress_bar

    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, m = len(x), len(targets)
    if partition_size is None:
        nworkers = max(len(client.scheduler_info().get("workers", {})), 1)
        parts = max(4 * nworkers, math.ceil(n / DEFAULT_PARTITION))
        parts = max(1, min(parts, math.ceil(n / _MIN_PARTITION)))
    else:
        if isinstance(partition_size, bool) or partition_size < 1:
            raise ParameterError(f"partition_size {partition_size!r} is not a whole number >= 1")
        parts = max(1, math.ceil(n / partition_size))
    if n == 0:
        return SurfaceScores(
            score=np.zeros(0),
            nearest=np.zeros(0, dtype=np.intp),
            nearest_m=np.zeros(0),
            breakdown=np.zeros((m, 0)) if keep_breakdown else None,
        )
    order = np.argsort(y, kind="stable").astype(np.int64)
    # Partitions are sent to the workers as data (scatter), never inside the task graph.
    partitions = [(x[pos], y[pos], pos) for pos in np.array_split(order, min(parts, n)) if len(pos)]
    shared = client.scatter(
        [targets, np.asarray(weights, dtype=np.float64), decay], broadcast=True, hash=False
    )
    futures = [
        client.submit(
            _score_partition,
            part,
            targets=shared[0],
            weights=shared[1],
            decay=shared[2],
            chunk_size=chunk_size,
            keep_breakdown=keep_breakdown,
            index=index,
            pure=False,
        )
        for part in client.scatter(partitions, hash=False)
    ]
    score = np.zeros(n)
    nearest = np.full(n, -1, dtype=np.intp)
    nearest_m = np.full(n, np.inf)
    breakdown = np.zeros((m, n)) if keep_breakdown else None
    bar = _progress_bar(n, progress)
    try:
        for future in distributed.as_completed(futures):
            pos, got = future.result()
            score[pos] = got.score
            nearest[pos] = got.nearest
            nearest_m[pos] = got.nearest_m
            if breakdown is not None and got.breakdown is not None:
                breakdown[:, pos] = got.breakdown
            bar.update(len(pos))
            future.release()
    finally:
        bar.close()
    return SurfaceScores(score=score, nearest=nearest, nearest_m=nearest_m, breakdown=breakdown)
