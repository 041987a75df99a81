"""The exact distance kernel: equal to shapely.distance, pruning that loses no pair."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from siteplan.measure._kernel import (
    distance_matrix,
    nearest_targets,
    prepare_targets,
    reach_pairs,
    target_distances,
)

X0, Y0 = 367_000.0, 3_440_000.0  # UTM 51N, near SIMZ: realistic magnitudes for rounding

TARGETS = [
    shapely.box(X0, Y0, X0 + 200, Y0 + 100),
    # a polygon with a hole
    shapely.Polygon(
        [(X0 + 500, Y0), (X0 + 800, Y0), (X0 + 800, Y0 + 300), (X0 + 500, Y0 + 300)],
        [[(X0 + 550, Y0 + 50), (X0 + 750, Y0 + 50), (X0 + 750, Y0 + 250), (X0 + 550, Y0 + 250)]],
    ),
    # two parts
    shapely.MultiPolygon(
        [
            shapely.box(X0 - 400, Y0 - 400, X0 - 300, Y0 - 350),
            shapely.box(X0 - 100, Y0 + 600, X0, Y0 + 700),
        ]
    ),
    # a concave polygon with many vertices
    shapely.Point(X0 + 300, Y0 + 900)
    .buffer(150, quad_segs=40)
    .difference(shapely.box(X0 + 300, Y0 + 900, X0 + 500, Y0 + 1100)),
    shapely.Point(X0 + 1200, Y0 + 1200),
    shapely.MultiPoint([(X0 + 1500, Y0), (X0 + 1520, Y0 + 10)]),
    shapely.LineString([(X0 - 600, Y0 + 200), (X0 - 500, Y0 + 500), (X0 - 450, Y0 + 300)]),
]


def _special_points() -> tuple[np.ndarray, np.ndarray]:
    """Vertices, edge midpoints, hole interiors, inside points: the hard cases."""
    pts = []
    for geom in TARGETS:
        coords = shapely.get_coordinates(geom)
        pts.append(coords)
        if len(coords) > 1:
            pts.append((coords[:-1] + coords[1:]) / 2.0)
        pts.append(shapely.get_coordinates(shapely.point_on_surface(geom)))
    pts.append(np.array([[X0 + 650, Y0 + 150], [X0 + 560, Y0 + 60], [X0 + 100, Y0 + 50]]))
    arr = np.concatenate(pts)
    return arr[:, 0].copy(), arr[:, 1].copy()


def _reference(x: np.ndarray, y: np.ndarray, geoms: list[shapely.Geometry]) -> np.ndarray:
    return shapely.distance(shapely.points(x, y)[:, None], np.asarray(geoms, dtype=object)[None, :])


def test_distances_equal_shapely_on_random_and_special_points() -> None:
    rng = np.random.default_rng(7)
    rx = rng.uniform(X0 - 1000, X0 + 2000, 5000)
    ry = rng.uniform(Y0 - 1000, Y0 + 2000, 5000)
    sx, sy = _special_points()
    x, y = np.concatenate([rx, sx]), np.concatenate([ry, sy])
    got = distance_matrix(prepare_targets(TARGETS), x, y)
    want = _reference(x, y, TARGETS)
    assert np.abs(got - want).max() < 1e-6  # far below the 1 mm contract
    # on a boundary or inside: exactly 0, as shapely says
    assert np.array_equal(got == 0.0, want == 0.0)


def test_hole_interior_is_measured_to_the_hole_edge() -> None:
    t = prepare_targets(TARGETS[1:2])
    d = target_distances(t, 0, np.array([X0 + 650.0]), np.array([Y0 + 150.0]))
    assert d.tolist() == [100.0]  # 100 m from each side of the 200 m square hole


def test_far_points_stay_exact() -> None:
    rng = np.random.default_rng(3)
    x = X0 + rng.uniform(-30_000, 30_000, 2000)
    y = Y0 + rng.uniform(-30_000, 30_000, 2000)
    got = distance_matrix(prepare_targets(TARGETS), x, y)
    assert np.abs(got - _reference(x, y, TARGETS)).max() < 1e-6


@pytest.mark.parametrize("n", [1, 100, 512, 513, 70_000])
def test_block_and_loop_paths_agree(n: int) -> None:
    """Few points use broadcast blocks, many use the segment loop in tiles."""
    rng = np.random.default_rng(n)
    x = rng.uniform(X0 - 200, X0 + 600, n)
    y = rng.uniform(Y0 + 700, Y0 + 1100, n)
    got = target_distances(prepare_targets(TARGETS), 3, x, y)
    assert np.abs(got - _reference(x, y, TARGETS[3:4])[:, 0]).max() < 1e-6


def test_empty_inputs() -> None:
    t = prepare_targets(TARGETS)
    assert distance_matrix(t, np.zeros(0), np.zeros(0)).shape == (0, len(TARGETS))
    assert list(reach_pairs(t, np.zeros(0), np.zeros(0), 100.0)) == []
    j, d = nearest_targets(t, np.zeros(0), np.zeros(0))
    assert len(j) == len(d) == 0
    with pytest.raises(ValueError, match="empty"):
        prepare_targets([shapely.Polygon()])


def test_callers_geometries_are_not_prepared() -> None:
    geom = shapely.box(0, 0, 1, 1)
    prepare_targets([geom])
    assert not shapely.is_prepared(geom)


@pytest.mark.parametrize("index", ["box", "strtree"])
@pytest.mark.parametrize("cutoff", [0.0, 75.0, 400.0, 5000.0])
def test_reach_pairs_keeps_exactly_the_pairs_within_the_cutoff(index: str, cutoff: float) -> None:
    rng = np.random.default_rng(11)
    x = rng.uniform(X0 - 1000, X0 + 2000, 3000)
    y = rng.uniform(Y0 - 1000, Y0 + 2000, 3000)
    sx, sy = _special_points()
    x, y = np.concatenate([x, sx]), np.concatenate([y, sy])
    want = _reference(x, y, TARGETS)
    seen = []
    for j, idx, d in reach_pairs(prepare_targets(TARGETS), x, y, cutoff, index=index):
        seen.append(j)
        assert np.array_equal(np.sort(idx), np.flatnonzero(want[:, j] <= cutoff))
        assert np.abs(d - want[idx, j]).max(initial=0.0) < 1e-6
        if index == "box":
            assert np.all(np.diff(idx) > 0)
    assert seen == sorted(seen)
    reached = {j for j in range(len(TARGETS)) if (want[:, j] <= cutoff).any()}
    assert set(seen) == reached


def test_reach_pairs_without_cutoff_yields_every_point() -> None:
    x = np.array([X0, X0 + 10_000.0])
    y = np.array([Y0, Y0])
    out = list(reach_pairs(prepare_targets(TARGETS[:2]), x, y, None))
    assert [j for j, _, _ in out] == [0, 1]
    assert all(idx.tolist() == [0, 1] for _, idx, _ in out)


def test_strtree_is_used_for_many_targets_and_agrees() -> None:
    rng = np.random.default_rng(5)
    centres = rng.uniform(0, 20_000, (200, 2))
    geoms = list(shapely.buffer(shapely.points(centres), 50.0, quad_segs=2))
    t = prepare_targets(geoms)
    x = rng.uniform(0, 20_000, 4000)
    y = rng.uniform(0, 20_000, 4000)
    auto = {j: (i, d) for j, i, d in reach_pairs(t, x, y, 1000.0)}
    box = {j: (i, d) for j, i, d in reach_pairs(t, x, y, 1000.0, index="box")}
    assert auto.keys() == box.keys()
    for j in auto:
        order = np.argsort(auto[j][0])
        assert np.array_equal(auto[j][0][order], box[j][0])
        assert np.array_equal(auto[j][1][order], box[j][1])


def test_nearest_targets_ties_go_to_the_smaller_position() -> None:
    twins = [shapely.Point(0, 0), shapely.Point(10, 0), shapely.Point(10, 0)]
    j, d = nearest_targets(prepare_targets(twins), np.array([5.0, 9.0, 20.0]), np.zeros(3))
    assert j.tolist() == [0, 1, 1]
    assert d.tolist() == [5.0, 1.0, 10.0]


def test_nearest_targets_match_the_distance_matrix() -> None:
    rng = np.random.default_rng(2)
    x = rng.uniform(X0 - 1000, X0 + 2000, 1000)
    y = rng.uniform(Y0 - 1000, Y0 + 2000, 1000)
    t = prepare_targets(TARGETS)
    j, d = nearest_targets(t, x, y)
    full = distance_matrix(t, x, y)
    assert np.abs(d - full.min(axis=1)).max() < 1e-6
    assert np.array_equal(j, full.argmin(axis=1))


coordinate = st.floats(-500.0, 500.0, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(
    triangle=st.lists(st.tuples(coordinate, coordinate), min_size=3, max_size=3),
    points=st.lists(st.tuples(coordinate, coordinate), min_size=1, max_size=40),
)
def test_any_triangle_and_points_match_shapely(
    triangle: list[tuple[float, float]], points: list[tuple[float, float]]
) -> None:
    poly = shapely.Polygon([(X0 + a, Y0 + b) for a, b in triangle])
    if poly.area < 1.0 or not poly.is_valid:
        return
    x = X0 + np.array([p[0] for p in points])
    y = Y0 + np.array([p[1] for p in points])
    got = target_distances(prepare_targets([poly]), 0, x, y)
    assert np.abs(got - _reference(x, y, [poly])[:, 0]).max() < 1e-6


def test_doctests_pass() -> None:
    import doctest

    import siteplan.measure._kernel as module

    assert doctest.testmod(module).failed == 0
