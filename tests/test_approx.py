"""The opt-in approximations (``--approx raster`` / ``coarse``) and their measured error."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from siteplan.candidates._approx import (
    _Lattice,
    _node_index,
    _sample,
    approx_surface,
    error_warning,
)
from siteplan.candidates.engines import score_surface
from siteplan.errors import ParameterError
from siteplan.measure._kernel import distance_matrix, prepare_targets
from siteplan.score.decay import make_decay

SITES = [
    shapely.box(0, 0, 120, 80),
    shapely.Polygon([(400, 300), (520, 320), (480, 420), (390, 390)]),
    shapely.Point(-300, 250),
]


def _grid(cell: float = 10.0, lo: float = -600.0, hi: float = 900.0) -> tuple[np.ndarray, ...]:
    xs = np.arange(lo + cell / 2, hi, cell)
    gx, gy = np.meshgrid(xs, xs)
    return gx.ravel(), gy.ravel()


@pytest.fixture(scope="module")
def targets():  # type: ignore[no-untyped-def]
    return prepare_targets(SITES)


@pytest.mark.parametrize("decay", [make_decay("linear", max_m=600.0), make_decay("exponential")])
@pytest.mark.parametrize(
    ("method", "step", "bound"), [("raster", 10.0, 10.0), ("coarse", 40.0, 30.0)]
)
def test_distances_within_the_step_and_error_stated_honestly(
    targets, decay, method: str, step: float, bound: float
) -> None:
    x, y = _grid()
    w = np.array([1.0, 2.0, 1.0])
    exact = score_surface(x, y, targets, w, decay, keep_breakdown=True)
    out = approx_surface(x, y, targets, w, decay, method=method, step_m=step)
    err = out.error
    assert err["method"] == method
    assert err["step_m"] == step
    assert err["sample"] == 2000
    # the true error over every candidate-site pair that matters
    d_exact = distance_matrix(targets, x, y)
    assert out.scores.breakdown is not None
    assert exact.breakdown is not None
    s_err = np.abs(out.scores.score - exact.score)
    # the decays' steepest slope (score points per metre) bounds the score error
    slope = 100.0 / 600.0 if decay.kind == "linear" else 100.0 * np.log(2) / 1000.0
    assert s_err.max() <= slope * bound + 1e-9
    assert err["max_score_error"] <= s_err.max() + 1e-12  # a sample never beats the whole
    assert 0.0 < err["max_error_m"] <= bound
    assert err["p99_error_m"] <= err["max_error_m"]
    # nearest site: the exact one wherever the two nearest are clearly apart
    top2 = np.sort(d_exact, axis=1)[:, :2]
    clear = top2[:, 1] - top2[:, 0] > 2 * bound
    assert np.array_equal(out.scores.nearest[clear], exact.nearest[clear])


def test_raster_reads_the_grid_cells_directly() -> None:
    # candidates on the lattice's nodes: no interpolation, each value is a node's
    t = prepare_targets([shapely.box(0, 0, 100, 100)])
    x, y = _grid(cell=10.0, lo=-200.0, hi=300.0)
    out = approx_surface(x, y, t, np.ones(1), make_decay("exponential"), method="raster", step_m=10)
    d = -np.log2(out.scores.score / 100.0) * 1000.0  # invert the exponential decay
    # distances between node centres: (d / step)^2 is a whole number
    k2 = (d / 10.0) ** 2
    assert np.allclose(k2, np.round(k2), atol=1e-6)
    assert np.abs(d - distance_matrix(t, x, y)[:, 0]).max() <= 10.0
    inside = (x > 0) & (x < 100) & (y > 0) & (y < 100)
    assert np.all(out.scores.nearest_m[inside] == 0.0)


def test_bilinear_equals_direct_reading_on_nodes() -> None:
    lat = _Lattice(x0=0.0, y0=0.0, step=10.0, nx=5, ny=4)
    values = np.arange(20, dtype=float) ** 1.5
    gx, gy = lat.coords()
    nodes = _node_index((0.0, 0.0), 10.0, gx, gy)
    assert nodes is not None
    direct = _sample(values, lat, gx, gy, nodes=nodes, origin=(0.0, 0.0))
    bilinear = _sample(values, lat, gx, gy, nodes=None, origin=(0.0, 0.0))
    assert np.allclose(direct, values)
    assert np.allclose(bilinear, values)
    # half way between two nodes: their mean
    mid = _sample(values, lat, np.array([15.0]), np.array([0.0]), nodes=None, origin=(0.0, 0.0))
    assert mid[0] == pytest.approx((values[1] + values[2]) / 2)
    assert _node_index((0.0, 0.0), 10.0, np.array([15.0]), np.array([0.0])) is None


def test_beyond_the_cutoff_scores_zero_and_nearest_is_exact(targets) -> None:
    x = np.array([5000.0, 60.0])
    y = np.array([5000.0, 40.0])
    decay = make_decay("rings", rings_m=[500, 1000])
    out = approx_surface(x, y, targets, np.ones(3), decay, method="coarse", step_m=40)
    assert out.scores.score[0] == 0.0
    d = distance_matrix(targets, x[:1], y[:1])[0]
    assert out.scores.nearest[0] == int(np.argmin(d))
    assert out.scores.nearest_m[0] == pytest.approx(d.min())


def test_deterministic(targets) -> None:
    x, y = _grid(cell=25.0)
    a = approx_surface(
        x, y, targets, np.ones(3), make_decay("gaussian"), method="raster", step_m=25
    )
    b = approx_surface(
        x, y, targets, np.ones(3), make_decay("gaussian"), method="raster", step_m=25
    )
    assert np.array_equal(a.scores.score, b.scores.score)
    assert a.error == b.error


def test_empty_candidates(targets) -> None:
    e = np.zeros(0)
    out = approx_surface(e, e, targets, np.ones(3), make_decay("linear"), method="coarse", step_m=5)
    assert len(out.scores.score) == 0
    assert out.error["sample"] == 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "blur", "step_m": 10.0}, "raster, coarse"),
        ({"method": "raster", "step_m": 0.0}, "step"),
        ({"method": "coarse", "step_m": float("nan")}, "step"),
        ({"method": "raster", "step_m": 0.001}, "larger approximation step"),
    ],
)
def test_refusals(targets, kwargs, match: str) -> None:
    x, y = _grid(cell=100.0)
    with pytest.raises(ParameterError, match=match):
        approx_surface(x, y, targets, np.ones(3), make_decay("exponential"), **kwargs)


def test_error_warning_states_the_numbers() -> None:
    text = error_warning(
        {
            "method": "raster",
            "step_m": 10.0,
            "sample": 2000,
            "max_error_m": 5.17,
            "p99_error_m": 5.1,
            "max_score_error": 0.2,
            "p99_score_error": 0.1,
        }
    )
    assert "--approx raster" in text
    assert "10 m" in text
    assert "5.17 m" in text
    assert "2,000" in text
    assert "leave out --approx" in text


def test_candidates_cli_states_the_error(tmp_path) -> None:
    import json

    from click.testing import CliRunner

    from siteplan.cli import main

    out = tmp_path / "c.json"
    run = CliRunner().invoke(
        main, ["candidates", "--cell", "50", "--approx", "coarse", "-q", "-o", str(out)]
    )
    assert run.exit_code == 0, run.output
    assert "approximate distances (--approx coarse, 200 m step)" in run.output
    doc = json.loads(out.read_text())
    approx = doc["parameters"]["approx"]
    assert approx["method"] == "coarse"
    assert approx["step_m"] == 200.0
    assert 0.0 <= approx["p99_error_m"] <= approx["max_error_m"] < 200.0
    assert any("--approx coarse" in w for w in doc["warnings"])
    exact = CliRunner().invoke(main, ["candidates", "--cell", "50", "-q", "-f", "json"])
    assert exact.exit_code == 0
    assert "approx" not in json.loads(exact.stdout)["parameters"]


def test_candidates_approx_step_and_refusals() -> None:
    from siteplan.analysis import analyze
    from siteplan.candidates import EngineOptions, score_candidates

    result = analyze()
    options = EngineOptions(approx="raster", approx_step_m=50.0)
    cres = score_candidates(result, cell_m=100, engine=options)
    assert cres.parameters["approx"]["step_m"] == 50.0
    with pytest.raises(ParameterError, match=r"approx_step_m 50.0 needs approx=") as e:
        EngineOptions(approx_step_m=50.0)
    assert e.value.argument == "approx_step_m"
    with pytest.raises(ParameterError, match="leave out engine='dask'") as e:
        EngineOptions(approx="raster", engine="dask")
    assert e.value.argument == "approx"
    with pytest.raises(ParameterError, match="raster, coarse"):
        EngineOptions(approx="fast")
    with pytest.raises(ParameterError, match="approx_step_m 0 is not a number of metres > 0"):
        EngineOptions(approx="coarse", approx_step_m=0)


@pytest.mark.parametrize(("method", "step"), [("raster", 10.0), ("coarse", 40.0)])
def test_equidistant_sites_are_a_tie_broken_by_position(method: str, step: float) -> None:
    # Two mirrored sites: on the mirror line both are nearest, and the first (the
    # smaller id) wins, as in the exact engine; the sampled fields alone differ there.
    mirrored = prepare_targets(
        [
            shapely.Polygon([(-130, -40), (-70, -55), (-60, 35), (-140, 20)]),
            shapely.Polygon([(130, -40), (70, -55), (60, 35), (140, 20)]),
        ]
    )
    y = np.linspace(-333.3, 417.7, 211)
    x = np.zeros_like(y)
    w = np.array([1.0, 1.0])
    decay = make_decay("exponential")
    exact = score_surface(x, y, mirrored, w, decay)
    out = approx_surface(x, y, mirrored, w, decay, method=method, step_m=step)
    assert (exact.nearest == 0).all()
    assert (out.scores.nearest == 0).all()
    assert np.allclose(out.scores.nearest_m, exact.nearest_m, rtol=0, atol=1e-9)
