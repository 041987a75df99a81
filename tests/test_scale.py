"""Scale (issue 14): chunked measures, streamed reports, shortened human formats."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import CRS, Geod, Transformer

from siteplan import analyze
from siteplan.analysis import LARGE_STUDY
from siteplan.errors import ParameterError
from siteplan.measure import overlaps as overlaps_module
from siteplan.measure import reach as reach_module
from siteplan.measure.pairs import reach_table
from siteplan.measure.reach import measure_pairs
from siteplan.render.report import render_report, report_dict, write_report
from siteplan.render.text import json_text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import scale_inputs


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scale_inputs.points_study(tmp_path_factory.mktemp("large"), LARGE_STUDY + 10)


def test_chunked_and_unchunked_give_identical_numbers() -> None:
    whole = analyze(chunk=10**9)
    small = analyze(chunk=1)
    pd.testing.assert_frame_equal(
        whole.pairs.drop(columns="geometry"), small.pairs.drop(columns="geometry")
    )
    pd.testing.assert_frame_equal(whole.overlaps, small.overlaps)
    pd.testing.assert_frame_equal(whole.breakdown, small.breakdown)
    assert whole.cluster_score == small.cluster_score


def test_chunked_and_unchunked_agree_on_a_large_study(large: Path) -> None:
    a = analyze(large, chunk=7)
    b = analyze(large, chunk=100_000)
    pd.testing.assert_frame_equal(
        a.pairs.drop(columns="geometry"), b.pairs.drop(columns="geometry")
    )
    pd.testing.assert_frame_equal(a.overlaps, b.overlaps)
    pd.testing.assert_frame_equal(
        a.sites.drop(columns="geometry"), b.sites.drop(columns="geometry")
    )


def test_streamed_json_equals_the_whole_document(large: Path) -> None:
    result = analyze(large)
    assert render_report(result, "json") == json_text(report_dict(result))
    assert render_report(analyze(), "json") == json_text(report_dict(analyze()))


def test_pairs_within_keeps_pairs_within_reach(large: Path, tmp_path: Path) -> None:
    result = analyze(large, rings_m=[200, 400])
    doc = json.loads(render_report(result, "json", pairs="within"))
    assert doc["pairs"]
    assert all(p["distance_m"] <= 400 for p in doc["pairs"])
    assert len(doc["pairs"]) < len(result.pairs)
    assert doc["cluster_score"] == result.cluster_score  # always every pair
    out = write_report(result, tmp_path / "r.csv", pairs="within")
    assert len(out.read_text().splitlines()) == len(doc["pairs"]) + 1


def test_pairs_within_is_refused_for_human_formats() -> None:
    with pytest.raises(ParameterError, match="pairs 'within' applies to the json and csv"):
        render_report(analyze(), "markdown", pairs="within")


def test_human_formats_say_what_they_left_out(large: Path) -> None:
    result = analyze(large)
    text = render_report(result, "markdown")
    assert f"Shortened for {LARGE_STUDY + 10} sites" in text
    assert "are not listed here: see the json or csv report" in text
    assert len(text) < len(render_report(result, "csv"))
    assert "Shortened" not in render_report(analyze(), "markdown")


def test_large_study_keeps_lines_within_the_first_ring_only(large: Path) -> None:
    result = analyze(large)
    has_line = result.pairs.geometry.notna().to_numpy()
    within = result.pairs["distance_m"].to_numpy() <= result.parameters.rings_m[0]
    assert np.array_equal(has_line, within)
    assert any("buffer overlaps" in w for w in result.warnings)


@pytest.mark.parametrize("reach", [None, 150.0])
def test_point_pairs_are_measured_as_geos_and_the_ellipsoid_measure_them(
    reach: float | None,
) -> None:
    # point-point pairs skip shapely.shortest_line; their numbers must be GEOS's and Geod's
    rng = np.random.default_rng(14)
    xy = rng.uniform([350_000.0, 3_440_000.0], [353_000.0, 3_443_000.0], (40, 2))
    geoms = list(shapely.points(xy))
    geoms[3] = shapely.buffer(geoms[3], 30.0)  # a polygon among the points
    geoms[7] = shapely.buffer(geoms[7], 5.0)
    series = gpd.GeoSeries(geoms, crs=32651)
    ids = [f"s{k:02d}" for k in range(len(geoms))]
    pairs, lines = measure_pairs(series, ids, CRS(32651), reach_m=reach, chunk=37)
    i, j = np.triu_indices(len(geoms), k=1)
    arr = np.asarray(geoms, dtype=object)
    seg = shapely.shortest_line(arr[i], arr[j])
    expected_edge = shapely.distance(arr[i], arr[j]) if reach is None else shapely.length(seg)
    ends = shapely.get_coordinates(seg)
    lon, lat = Transformer.from_crs(32651, 4326, always_xy=True).transform(ends[:, 0], ends[:, 1])
    geodesic = Geod(ellps="WGS84").inv(lon[0::2], lat[0::2], lon[1::2], lat[1::2])[2]
    assert pairs["edge_m"].to_numpy().tolist() == expected_edge.tolist()
    assert pairs["geodesic_m"].to_numpy().tolist() == geodesic.tolist()
    kept = np.flatnonzero([line is not None for line in lines])
    expected_kept = np.arange(len(i)) if reach is None else np.flatnonzero(expected_edge <= reach)
    assert kept.tolist() == expected_kept.tolist()
    assert all(shapely.equals_identical(lines[k], seg[k]) for k in kept)


def test_threaded_geos_calls_give_the_same_pairs_as_one_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Splitting a chunk's GEOS calls over threads changes no number (same bits)."""
    rng = np.random.default_rng(7)
    x, y, r = rng.uniform(0, 5000, 300), rng.uniform(0, 5000, 300), rng.uniform(5, 80, 300)
    centres = np.column_stack([x, y])
    polys = [shapely.Point(c).buffer(q, quad_segs=3) for c, q in zip(centres, r, strict=True)]
    geoms = gpd.GeoSeries(polys, crs=32651)
    ids = [f"s{k:03d}" for k in range(len(polys))]
    monkeypatch.setattr(reach_module, "THREAD_MIN_PAIRS", 1_000)
    threaded, lines_t = measure_pairs(geoms, ids, CRS(32651), chunk=20_000)
    monkeypatch.setattr(reach_module, "THREAD_MIN_PAIRS", 10**12)
    single, lines_s = measure_pairs(geoms, ids, CRS(32651), chunk=20_000)
    pd.testing.assert_frame_equal(threaded, single, check_exact=True)
    assert all(a.equals_exact(b, 0) for a, b in zip(lines_t, lines_s, strict=True))


def test_overlaps_in_small_blocks_over_threads_are_geos_areas(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Buffer overlaps taken a few at a time over threads are GEOS's areas, bit for bit."""
    rng = np.random.default_rng(11)
    centres = rng.uniform(0, 3000, (60, 2))
    polys = np.array([shapely.Point(c).buffer(40.0, quad_segs=4) for c in centres], dtype=object)
    rings = [300.0, 900.0]
    buffers = np.stack([shapely.buffer(polys, r, quad_segs=8) for r in rings], axis=1)
    i, j = np.triu_indices(len(polys), k=1)
    ids = np.array([f"s{k:02d}" for k in range(len(polys))], dtype=object)
    pairs = pd.DataFrame({"a": ids[i], "b": ids[j], "edge_m": shapely.distance(polys[i], polys[j])})
    monkeypatch.setattr(reach_module, "THREAD_MIN_PAIRS", 100)
    monkeypatch.setattr(overlaps_module, "_OVERLAP_BLOCK", 7)
    table = overlaps_module.overlap_table(buffers, pairs, rings, chunk=500)
    got = table["overlap_m2"].to_numpy().reshape(-1, len(rings))
    for k, r in enumerate(rings):
        near = pairs["edge_m"].to_numpy() <= 2.0 * r
        expected = shapely.area(shapely.intersection(buffers[i, k], buffers[j, k]))
        assert got[near, k].tolist() == expected[near].tolist()
        assert (got[~near, k] == 0.0).all()
    assert near.sum() > 100  # the threaded path ran


@pytest.mark.parametrize(
    ("n", "rings"), [(0, [500.0]), (1, [500.0]), (7, []), (40, [300.0, 900.0])]
)
def test_ordered_reach_matches_the_sorted_pandas_table(n: int, rings: list[float]) -> None:
    """The sort-free reach table equals pairs.reach_table's sort of both directions."""
    rng = np.random.default_rng(n)
    ids = np.array([f"s{k:02d}" for k in range(n)], dtype=object)
    i, j = np.triu_indices(n, k=1)
    d = np.round(rng.uniform(0.0, 1200.0, len(i)), 1)
    pairs = pd.DataFrame({"a": ids[i], "b": ids[j], "distance_m": d})
    full = np.zeros((n, n))
    full[i, j] = full[j, i] = d
    site = np.repeat(ids, max(n - 1, 0))
    keep = ~np.eye(n, dtype=bool)
    other = np.broadcast_to(ids, (n, n))[keep]
    frame, texts = reach_module.ordered_reach(site, other, full[keep], n, rings)
    expected = reach_table(pairs, "distance_m", rings)
    pd.testing.assert_frame_equal(frame, expected, check_dtype=False)
    joined = expected.groupby(["site_id", "ring_m"])["other_id"].agg(",".join)
    assert texts == [joined.get((s, r), "") for s in ids for r in rings]
