"""GEOS's shortest segment of far-apart simple polygons, measured without GEOS."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import CRS

from siteplan.measure import _shortest
from siteplan.measure._shortest import Rings
from siteplan.measure.reach import measure_pairs


def _footprints(seed: int, n: int) -> list[shapely.Geometry]:
    """Convex and concave footprints, boxes with parallel edges, a repeated vertex."""
    rng = np.random.default_rng(seed)
    out: list[shapely.Geometry] = []
    for k in range(n):
        cx, cy = rng.uniform(350_000.0, 352_000.0), rng.uniform(3_440_000.0, 3_442_000.0)
        kind = k % 4
        if kind == 0:  # round footprint, 20 vertices, radius 20-60 m
            angles = 2 * np.pi * np.arange(20) / 20
            radius = rng.uniform(20.0, 60.0) * rng.uniform(0.8, 1.0, 20)
            out.append(
                shapely.Polygon(
                    np.column_stack([cx + radius * np.cos(angles), cy + radius * np.sin(angles)])
                )
            )
        elif kind == 1:  # a star (concave)
            angles = 2 * np.pi * np.arange(16) / 16
            radius = np.where(np.arange(16) % 2 == 0, 50.0, 15.0)
            out.append(
                shapely.Polygon(
                    np.column_stack([cx + radius * np.cos(angles), cy + radius * np.sin(angles)])
                )
            )
        elif kind == 2:  # an axis-aligned box on a 10 m grid: parallel edges, exact ties
            x0, y0 = round(cx, -1), round(cy, -1)
            out.append(shapely.box(x0, y0, x0 + 40.0, y0 + 30.0))
        else:  # a triangle with a repeated vertex
            out.append(
                shapely.Polygon([(cx, cy), (cx + 30, cy), (cx + 30, cy), (cx + 10, cy + 25)])
            )
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_settled_pairs_are_geos_shortest_lines_bit_for_bit(seed: int) -> None:
    polys = np.array(_footprints(seed, 120), dtype=object)
    rings = Rings(polys)
    i, j = np.triu_indices(len(polys), k=1)
    eligible = rings.eligible(i, j)
    i, j = i[eligible], j[eligible]
    ok, ends = rings.nearest(i, j)
    geos = shapely.get_coordinates(shapely.shortest_line(polys[i], polys[j])).reshape(-1, 4)
    assert ok.mean() > 0.8
    assert (ends[ok] == geos[ok]).all()


def test_parallel_edges_are_left_to_geos() -> None:
    # the facing edges are parallel: many segments are shortest, GEOS's choice is its own
    a, b = shapely.box(0.0, 0.0, 10.0, 10.0), shapely.box(20.0, 2.0, 30.0, 8.0)
    ok, _ = Rings(np.array([a, b], dtype=object)).nearest(np.array([0]), np.array([1]))
    assert ok.tolist() == [False]


def test_too_many_candidate_edges_are_left_to_geos(monkeypatch: pytest.MonkeyPatch) -> None:
    polys = np.array(_footprints(4, 40), dtype=object)
    i, j = np.triu_indices(len(polys), k=1)
    monkeypatch.setattr(_shortest, "MAX_CANDIDATES", 0)
    ok, _ = Rings(polys).nearest(i, j)
    assert not ok.any()


@pytest.mark.parametrize("reach", [None, 400.0])
def test_measure_pairs_keeps_geos_numbers_and_segments(reach: float | None) -> None:
    polys = _footprints(5, 90)
    polys[7] = shapely.Point(351_000.0, 3_441_000.0)  # a point among the polygons
    polys[9] = shapely.Polygon(  # a polygon with a hole
        shapely.box(351_500.0, 3_441_500.0, 351_600.0, 3_441_600.0).exterior,
        [shapely.box(351_520.0, 3_441_520.0, 351_540.0, 3_441_540.0).exterior.coords],
    )
    arr = np.array(polys, dtype=object)
    ids = [f"s{k:02d}" for k in range(len(polys))]
    frame, lines = measure_pairs(
        gpd.GeoSeries(polys, crs=32651), ids, CRS(32651), reach_m=reach, chunk=997
    )
    i, j = np.triu_indices(len(polys), k=1)
    seg = shapely.shortest_line(arr[i], arr[j])
    expected = shapely.distance(arr[i], arr[j]) if reach is None else shapely.length(seg)
    assert frame["edge_m"].to_numpy().tolist() == expected.tolist()
    kept = np.flatnonzero([line is not None for line in lines])
    assert len(kept) > 0
    assert shapely.equals_identical(np.asarray(lines[kept], dtype=object), seg[kept]).all()
