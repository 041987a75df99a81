"""The dask engine gives the in-memory engine's results, array for array.

One small in-process LocalCluster (threads, no dashboard) serves the module;
the engine reaches it by its scheduler address, the path a real cluster takes.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import shapely

pytest.importorskip("distributed")

from siteplan._dask import dask_client, score_surface_dask
from siteplan._kernel import prepare_targets
from siteplan.candidates import score_surface
from siteplan.decay import make_decay
from siteplan.errors import ParameterError


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


def test_unreachable_scheduler_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import siteplan._dask as engine

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
    from siteplan.candidates import score_candidates

    result = analyze(decay="linear", max_m=800.0)
    ref = score_candidates(result, cell_m=40)
    out = score_candidates(result, cell_m=40, engine="dask", scheduler=scheduler)
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
    assert "need --engine dask" in run.output
