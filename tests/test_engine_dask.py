"""The dask engine gives the in-memory engine's results, array for array.

The candidates are partitioned with dask-geopandas (a Hilbert-sorted
dask_geopandas.GeoDataFrame whose partitions are scattered to the workers).
One small in-process LocalCluster (threads, no dashboard) serves the module;
the engine reaches it by its scheduler address, the path a real cluster takes.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import shapely

pytest.importorskip("distributed")

import siteplan.candidates._dask as engine
from siteplan.candidates._dask import (
    dask_client,
    hilbert_distance,
    hilbert_order,
    score_surface_dask,
)
from siteplan.candidates.engines import score_surface
from siteplan.errors import ParameterError
from siteplan.measure._kernel import prepare_targets
from siteplan.score.decay import make_decay


def _layout(n: int = 6000, m: int = 12, seed: int = 3) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 8000, size=(m, 2))
    sites = [shapely.Point(cx, cy).buffer(rng.uniform(30, 200), quad_segs=4) for cx, cy in centres]
    sites[0] = shapely.box(100, 100, 400, 250)  # a corner site, and a point site
    sites[1] = shapely.Point(7000, 7000)
    xy = rng.uniform(-500, 8500, size=(n, 2))
    xy[:50] = [200.0, 150.0]  # inside the first site: distance 0
    return xy[:, 0].copy(), xy[:, 1].copy(), np.asarray(sites, dtype=object)


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with dask_client(None, workers=2, processes=False) as client:
        yield client.scheduler.address


@pytest.mark.parametrize(
    "decay",
    [make_decay("rings"), make_decay("linear", max_m=1500.0), make_decay("exponential")],
    ids=lambda d: d.kind,
)
def test_results_equal_the_in_memory_engine(scheduler: str, decay) -> None:
    x, y, sites = _layout()
    targets = prepare_targets(sites)
    weights = np.linspace(0.5, 2.0, len(sites))
    ref = score_surface(x, y, targets, weights, decay, chunk_size=1000, keep_breakdown=True)
    out = score_surface_dask(
        x,
        y,
        targets,
        weights,
        decay,
        chunk_size=700,
        keep_breakdown=True,
        scheduler=scheduler,
        partition_size=1100,  # six partitions of different chunkings
    )
    np.testing.assert_array_equal(out.score, ref.score)
    np.testing.assert_array_equal(out.nearest, ref.nearest)
    np.testing.assert_array_equal(out.nearest_m, ref.nearest_m)
    assert out.breakdown is not None
    assert ref.breakdown is not None
    np.testing.assert_array_equal(out.breakdown, ref.breakdown)
    assert np.all(out.nearest_m[:50] == 0.0)
    assert np.all(out.nearest[:50] == 0)


def test_without_breakdown_and_with_a_client(scheduler: str) -> None:
    x, y, sites = _layout(n=2500)
    targets = prepare_targets(sites)
    decay = make_decay("gaussian")
    ref = score_surface(x, y, targets, np.ones(len(sites)), decay, keep_breakdown=False)
    with dask_client(scheduler, workers=2) as client:
        out = score_surface_dask(
            x, y, targets, np.ones(len(sites)), decay, keep_breakdown=False, client=client
        )
    assert out.breakdown is None
    np.testing.assert_array_equal(out.score, ref.score)
    np.testing.assert_array_equal(out.nearest, ref.nearest)


def test_empty_candidates(scheduler: str) -> None:
    *_, sites = _layout(n=10)
    targets = prepare_targets(sites)
    e = np.zeros(0)
    out = score_surface_dask(
        e, e, targets, np.ones(len(sites)), make_decay("rings"), scheduler=scheduler
    )
    assert len(out.score) == 0
    assert out.breakdown is not None
    assert out.breakdown.shape == (len(sites), 0)


def test_default_local_cluster() -> None:
    # no address: a LocalCluster is started for the run and closed after it
    x, y, sites = _layout(n=1500, m=5)
    targets = prepare_targets(sites)
    decay = make_decay("rings")
    ref = score_surface(x, y, targets, np.ones(5), decay)
    with dask_client(None, workers=1, processes=False) as client:
        out = score_surface_dask(x, y, targets, np.ones(5), decay, client=client)
    np.testing.assert_array_equal(out.score, ref.score)


def test_default_engine_runs_worker_processes() -> None:
    # the CLI's default: a LocalCluster of worker processes on the loopback
    x, y, sites = _layout(n=3000, m=6)
    targets = prepare_targets(sites)
    decay = make_decay("linear")
    ref = score_surface(x, y, targets, np.ones(6), decay)
    out = score_surface_dask(x, y, targets, np.ones(6), decay, workers=2)
    np.testing.assert_array_equal(out.score, ref.score)
    np.testing.assert_array_equal(out.nearest_m, ref.nearest_m)


def test_local_worker_processes_keep_glibc_memory_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # distributed's nanny would start them with MALLOC_TRIM_THRESHOLD_=65536, which made
    # the kernel 1.7x slower; the spawning process's environment is left alone too
    import os

    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    with dask_client(None, workers=1) as client:
        seen = client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
        omp = client.run(lambda: os.environ.get("OMP_NUM_THREADS"))
    assert list(seen.values()) == [None]
    assert list(omp.values()) == ["1"]  # distributed's other settings stay
    assert "MALLOC_TRIM_THRESHOLD_" not in os.environ


def test_unreachable_scheduler_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "CONNECT_TIMEOUT", "1s")
    with (
        pytest.raises(
            ParameterError, match=r"cannot reach the dask scheduler at 'tcp://127\.0\.0\.1:9'"
        ),
        dask_client("tcp://127.0.0.1:9"),
    ):
        pass


@pytest.mark.parametrize("workers", [0, -1, 1.5, True])
def test_bad_worker_count(workers) -> None:
    with pytest.raises(ParameterError, match="workers"), dask_client(None, workers=workers):
        pass


def test_bad_partition_size(scheduler: str) -> None:
    x, y, sites = _layout(n=10)
    with pytest.raises(ParameterError, match="partition_size"):
        score_surface_dask(
            x,
            y,
            prepare_targets(sites),
            np.ones(len(sites)),
            make_decay("rings"),
            scheduler=scheduler,
            partition_size=0,
        )


def test_candidates_engine_dask_equals_memory(scheduler: str) -> None:
    from siteplan.analysis import analyze
    from siteplan.candidates import EngineOptions, score_candidates

    result = analyze(decay="linear", max_m=800.0)
    ref = score_candidates(result, cell_m=40)
    out = score_candidates(
        result, cell_m=40, engine=EngineOptions(engine="dask", scheduler=scheduler)
    )
    np.testing.assert_array_equal(out.score, ref.score)
    np.testing.assert_array_equal(out.nearest_m, ref.nearest_m)
    np.testing.assert_array_equal(out.pick_index, ref.pick_index)
    assert out.parameters["engine"] == "dask"


def test_cli_engine_dask(scheduler: str, tmp_path) -> None:
    import json

    from click.testing import CliRunner

    from siteplan.cli import main

    args = ["candidates", "--cell", "60", "-q", "-f", "json"]
    ref = CliRunner().invoke(main, args)
    out = CliRunner().invoke(main, [*args, "--engine", "dask", "--scheduler", scheduler])
    assert ref.exit_code == 0, ref.output
    assert out.exit_code == 0, out.output
    a, b = json.loads(ref.stdout), json.loads(out.stdout)
    assert a["candidates"] == b["candidates"]
    assert b["parameters"]["engine"] == "dask"


def test_cli_scheduler_needs_engine_dask() -> None:
    from click.testing import CliRunner

    from siteplan.cli import main

    run = CliRunner().invoke(main, ["candidates", "--scheduler", "tcp://127.0.0.1:8786"])
    assert run.exit_code == 1
    assert "needs --engine dask" in run.output


def test_candidates_are_a_hilbert_partitioned_dask_geopandas_frame(scheduler: str) -> None:
    import dask_geopandas

    x, y, _ = _layout(n=4000)
    with dask_client(scheduler) as client:
        frame = engine._candidate_frame(x, y, client, partition_size=500, crs="EPSG:32651")
        assert isinstance(frame, dask_geopandas.GeoDataFrame)
        assert frame.npartitions == 8
        assert frame.crs == "EPSG:32651"
        assert list(frame.columns) == ["x", "y", "i", "geometry"]
        parts = [frame.get_partition(k).compute() for k in range(frame.npartitions)]
    assert [len(p) for p in parts] == [500] * 8
    got = np.concatenate([p["i"].to_numpy() for p in parts])
    np.testing.assert_array_equal(got, hilbert_order(x, y))  # every candidate once, in curve order
    for p in parts:
        i = p["i"].to_numpy()
        np.testing.assert_array_equal(p["x"].to_numpy(), x[i])
        np.testing.assert_array_equal(p.geometry.x.to_numpy(), x[i])
        np.testing.assert_array_equal(p.geometry.y.to_numpy(), y[i])
        assert p.crs == "EPSG:32651"
    # Hilbert partitions are compact patches: their boxes cover the extent about once,
    # where bands of the unsorted candidates would each cover all of it.
    area = np.ptp(x) * np.ptp(y)
    covered = sum(np.ptp(p["x"].to_numpy()) * np.ptp(p["y"].to_numpy()) for p in parts)
    assert covered < 2.0 * area


def test_the_engine_scores_the_dask_geopandas_partitions(
    scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []
    real = engine._candidate_frame

    def spy(*args, **kwargs):
        frame = real(*args, **kwargs)
        seen.append(frame.npartitions)
        return frame

    monkeypatch.setattr(engine, "_candidate_frame", spy)
    x, y, sites = _layout(n=3000)
    targets = prepare_targets(sites)
    decay = make_decay("rings")
    out = score_surface_dask(
        x, y, targets, np.ones(len(sites)), decay, scheduler=scheduler, partition_size=1000
    )
    ref = score_surface(x, y, targets, np.ones(len(sites)), decay)
    assert seen == [3]
    np.testing.assert_array_equal(out.score, ref.score)


@pytest.mark.parametrize("partition_size", [1, 7, 64, 1000])
def test_any_partitioning_gives_the_same_numbers(scheduler: str, partition_size: int) -> None:
    x, y, sites = _layout(n=120 if partition_size < 10 else 2000, m=40, seed=11)
    x[3], y[3] = x[2], y[2]  # duplicate candidates
    targets = prepare_targets(sites)
    weights = np.arange(1.0, 41.0)
    decay = make_decay("linear", max_m=900.0)  # most candidates have no site within reach
    ref = score_surface(x, y, targets, weights, decay)
    out = score_surface_dask(
        x, y, targets, weights, decay, scheduler=scheduler, partition_size=partition_size
    )
    for name in ("score", "nearest", "nearest_m", "breakdown"):
        np.testing.assert_array_equal(getattr(out, name), getattr(ref, name), err_msg=name)


def test_a_large_candidate_set_is_scattered_not_put_in_the_graph(scheduler: str) -> None:
    # 600,000 candidates are 14 MB of coordinates: inside the task graph, distributed
    # would warn "Sending large graph" (an error under filterwarnings = error)
    rng = np.random.default_rng(5)
    x, y = rng.uniform(0, 5000, size=(2, 600_000))
    targets = prepare_targets(np.asarray([shapely.Point(2500, 2500)], dtype=object))
    decay = make_decay("rings")
    ref = score_surface(x, y, targets, np.ones(1), decay, keep_breakdown=False)
    out = score_surface_dask(
        x, y, targets, np.ones(1), decay, keep_breakdown=False, scheduler=scheduler
    )
    np.testing.assert_array_equal(out.score, ref.score)
    np.testing.assert_array_equal(out.nearest_m, ref.nearest_m)


@pytest.mark.parametrize("layout", ["random", "grid", "line", "one"])
def test_hilbert_distance_is_geopandas_curve(layout: str) -> None:
    import geopandas as gpd

    rng = np.random.default_rng(8)
    if layout == "random":
        x, y = rng.uniform(-5e3, 4e4, size=(2, 5000))
        x[10:20] = x[0]  # duplicates and shared coordinates
    elif layout == "grid":
        x, y = (a.ravel() + 0.5 for a in np.meshgrid(np.arange(70.0), np.arange(50.0)))
    elif layout == "line":
        x, y = np.full(300, 7.0), np.linspace(0, 1, 300)  # zero width
    else:
        x, y = np.array([3.0]), np.array([4.0])
    ref = gpd.GeoSeries(gpd.points_from_xy(x, y)).hilbert_distance().to_numpy()
    np.testing.assert_array_equal(hilbert_distance(x, y), ref)


def test_hilbert_order_puts_non_finite_candidates_last() -> None:
    x = np.array([5.0, np.nan, 0.0, 1.0, np.inf])
    y = np.array([5.0, 0.0, 0.0, 1.0, 2.0])
    order = hilbert_order(x, y)
    assert sorted(order.tolist()) == list(range(5))
    assert order[-2:].tolist() == [1, 4]
    assert hilbert_order(np.zeros(0), np.zeros(0)).tolist() == []


@pytest.mark.parametrize("partition_size", [1.5, "10", False])
def test_partition_size_must_be_a_whole_number(partition_size) -> None:
    x, y, sites = _layout(n=10)
    with pytest.raises(ParameterError, match="partition_size"):
        score_surface_dask(
            x,
            y,
            prepare_targets(sites),
            np.ones(len(sites)),
            make_decay("rings"),
            scheduler="tcp://127.0.0.1:9",  # checked before connecting
            partition_size=partition_size,
        )


def test_gc_pause_restores_the_collector() -> None:
    import gc

    assert gc.isenabled()
    with engine._gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(KeyError), engine._gc_paused():
        raise KeyError("x")
    assert gc.isenabled()
    gc.disable()
    try:
        with engine._gc_paused():
            pass
        assert not gc.isenabled()  # a collector paused by the caller stays paused
    finally:
        gc.enable()


def test_doctests_pass() -> None:
    import doctest

    outcome = doctest.testmod(engine, optionflags=doctest.ELLIPSIS)
    assert outcome.attempted > 0
    assert outcome.failed == 0
