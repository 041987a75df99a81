"""Tests for siteplan.measure.pairs and .reach: distances, areas, rings, overlaps vs pyproj.Geod.

Every expected value here is computed independently of siteplan, on the WGS84
ellipsoid with :class:`pyproj.Geod`:

- fixtures are built from geodesic offsets (``Geod.fwd``) so that the true gap
  is known by construction: two lon/lat rectangles whose facing edges lie on
  parallels ``G`` metres apart along a meridian are exactly ``G`` apart;
- otherwise the two boundaries are densified in WGS84 (about 1 m steps) and the
  smallest ``Geod.inv`` distance between their vertices is taken;
- centroids are taken in an azimuthal equidistant projection centred on each
  footprint, and measured with ``Geod.inv``.

The tolerance is the issue's: within 0.1 % or 0.5 m, whichever is larger.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import CRS, Geod, Transformer
from shapely.geometry.base import BaseGeometry

from siteplan.load.projection import choose_crs
from siteplan.measure.overlaps import overlap_table
from siteplan.measure.pairs import (
    GEODESIC_TOLERANCE,
    QUAD_SEGS,
    disagreement_warnings,
    geodesic_areas,
    pair_index,
    reach_table,
    ring_bands,
    ring_reached,
)
from siteplan.measure.reach import measure_pairs

GEOD = Geod(ellps="WGS84")
SIMZ = (121.61, 31.10)
VIENNA = (16.37, 48.21)
STEP_DEG = 1e-5  # densification step, about 1 m


# --- independent geodesic helpers ------------------------------------------------------


def offset(lon: float, lat: float, azimuth: float, metres: float) -> tuple[float, float]:
    """Return the point ``metres`` from (lon, lat) along ``azimuth`` on the ellipsoid."""
    lon2, lat2, _ = GEOD.fwd(lon, lat, azimuth, metres)
    return float(lon2), float(lat2)


def rect(lon0: float, lat0: float, width_m: float = 200.0, height_m: float = 200.0) -> BaseGeometry:
    """Return a lon/lat rectangle with its south-west corner at (lon0, lat0)."""
    lon1, _ = offset(lon0, lat0, 90.0, width_m)
    _, lat1 = offset(lon0, lat0, 0.0, height_m)
    return shapely.box(lon0, lat0, lon1, lat1)


def north_of(geom: BaseGeometry, gap_m: float, height_m: float = 200.0) -> BaseGeometry:
    """Return a rectangle over the same longitudes, exactly ``gap_m`` north of ``geom``."""
    minx, _, maxx, maxy = geom.bounds
    south = maxy if gap_m == 0.0 else offset(minx, maxy, 0.0, gap_m)[1]  # 0: share the edge
    _, north = offset(minx, south, 0.0, height_m)
    return shapely.box(minx, south, maxx, north)


def boundary_points(geom: BaseGeometry) -> np.ndarray:
    if geom.geom_type in ("Point", "MultiPoint"):
        return shapely.get_coordinates(geom)
    return shapely.get_coordinates(shapely.segmentize(geom.boundary, STEP_DEG))


def geodesic_gap(g1: BaseGeometry, g2: BaseGeometry) -> float:
    """Return the geodesic distance between two WGS84 geometries (0 when they meet)."""
    if g1.intersects(g2):
        return 0.0
    p1, p2 = boundary_points(g1), boundary_points(g2)
    lon1 = np.repeat(p1[:, 0], len(p2))
    lat1 = np.repeat(p1[:, 1], len(p2))
    lon2 = np.tile(p2[:, 0], len(p1))
    lat2 = np.tile(p2[:, 1], len(p1))
    _, _, dist = GEOD.inv(lon1, lat1, lon2, lat2)
    return float(np.min(dist))


def geodesic_centroid(geom: BaseGeometry) -> tuple[float, float]:
    """Return a footprint's centroid, taken in an equidistant projection centred on it."""
    lon, lat = geom.envelope.centroid.coords[0]
    local = CRS.from_proj4(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m")
    to_local = Transformer.from_crs(4326, local, always_xy=True)
    to_wgs84 = Transformer.from_crs(local, 4326, always_xy=True)
    centre = shapely.transform(geom, lambda xy: np.column_stack(to_local.transform(*xy.T)))
    c = centre.centroid
    x, y = to_wgs84.transform(c.x, c.y)
    return float(x), float(y)


def geodesic_centroid_distance(g1: BaseGeometry, g2: BaseGeometry) -> float:
    (lon1, lat1), (lon2, lat2) = geodesic_centroid(g1), geodesic_centroid(g2)
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2])


def ring_area(geom: BaseGeometry) -> float:
    """Return a WGS84 polygon's geodesic area from its rings (holes subtracted)."""
    polygons = geom.geoms if geom.geom_type == "MultiPolygon" else [geom]
    total = 0.0
    for polygon in polygons:
        rings = [polygon.exterior, *polygon.interiors]
        areas = [abs(GEOD.polygon_area_perimeter(*np.asarray(r.coords).T)[0]) for r in rings]
        total += areas[0] - sum(areas[1:])
    return total


def close(value: float, truth: float, rel: float = GEODESIC_TOLERANCE, abs_m: float = 0.5) -> bool:
    return abs(value - truth) <= max(abs_m, rel * abs(truth))


def measure(*geoms: BaseGeometry, crs: str = "auto") -> pd.DataFrame:
    """Run measure_pairs on WGS84 geometries, projected like analyze() does."""
    frame = gpd.GeoDataFrame(geometry=list(geoms), crs=4326)
    metric = choose_crs(frame, crs)
    ids = [f"s{k}" for k in range(len(geoms))]
    pairs, _ = measure_pairs(frame.to_crs(metric).geometry, ids, metric)
    return pairs


# --- fixtures --------------------------------------------------------------------------

A_SIMZ = rect(*SIMZ)
A_VIENNA = rect(*VIENNA)


def fixtures(base: BaseGeometry) -> dict[str, tuple[BaseGeometry, BaseGeometry, float | None]]:
    """Return named pairs (g1, g2, known gap or None) around a 200 m base square."""
    minx, miny, maxx, maxy = base.bounds
    east_3km = rect(*offset(maxx, maxy, 45.0, 3000.0))
    lon_mid = (minx + maxx) / 2.0
    _, lat_point = offset(lon_mid, maxy, 0.0, 777.7)
    hole_outer = rect(*offset(minx, miny, 225.0, 1500.0), width_m=600.0, height_m=600.0)
    ominx, ominy, omaxx, omaxy = hole_outer.bounds
    hole = shapely.box(
        *offset(ominx, ominy, 45.0, 150.0 * math.sqrt(2.0)),
        *offset(omaxx, omaxy, 225.0, 150.0 * math.sqrt(2.0)),
    )
    with_hole = shapely.Polygon(hole_outer.exterior.coords, [hole.exterior.coords])
    inner_site = rect(*offset(hole.bounds[0], hole.bounds[1], 45.0, 80.0), 60.0, 60.0)
    near_part = north_of(base, 321.0)
    far_part = rect(*offset(minx, maxy, 270.0, 5000.0))
    return {
        "touching": (base, north_of(base, 0.0), 0.0),
        "overlapping": (base, shapely.affinity.translate(base, 0.0005, 0.0005), 0.0),
        "nested": (base, base.buffer(-0.0003), 0.0),
        "gap_1234.5_m": (base, north_of(base, 1234.5), 1234.5),
        "apart_3_km": (base, east_3km, None),
        "apart_40_km": (base, rect(*offset(maxx, maxy, 60.0, 40_000.0)), None),
        "point_to_polygon": (base, shapely.Point(lon_mid, lat_point), 777.7),
        "multipolygon": (base, shapely.MultiPolygon([near_part, far_part]), 321.0),
        "inside_a_hole": (with_hole, inner_site, None),
    }


CASES = [
    pytest.param(place, name, id=f"{place}-{name}")
    for place in ("simz", "vienna")
    for name in fixtures(A_SIMZ)
]
BASES = {"simz": A_SIMZ, "vienna": A_VIENNA}
PLACES = {"simz": SIMZ, "vienna": VIENNA}


@pytest.mark.parametrize(("place", "name"), CASES)
def test_edge_distance_matches_the_geodesic_gap(place: str, name: str) -> None:
    g1, g2, known = fixtures(BASES[place])[name]
    truth = geodesic_gap(g1, g2)
    if known is not None:
        assert close(truth, known, rel=1e-6, abs_m=0.01)  # the independent method agrees
    pairs = measure(g1, g2)
    edge, geodesic = float(pairs["edge_m"].iloc[0]), float(pairs["geodesic_m"].iloc[0])
    assert close(edge, truth), (edge, truth)
    assert close(geodesic, truth), (geodesic, truth)
    if truth == 0.0:
        assert edge == 0.0
        assert geodesic == 0.0
    else:
        assert edge > 0.0


@pytest.mark.parametrize(("place", "name"), CASES)
def test_centroid_distance_matches_geodesic_centroids(place: str, name: str) -> None:
    g1, g2, _ = fixtures(BASES[place])[name]
    truth = geodesic_centroid_distance(g1, g2)
    centroid = float(measure(g1, g2)["centroid_m"].iloc[0])
    assert close(centroid, truth), (centroid, truth)


def test_gap_built_along_a_meridian_is_exact_on_the_ellipsoid() -> None:
    g1, g2, _ = fixtures(A_SIMZ)["gap_1234.5_m"]
    pairs = measure(g1, g2)
    assert pairs["geodesic_m"].iloc[0] == pytest.approx(1234.5, abs=0.01)
    # projected UTM distances are scaled by about 0.9998 this far from zone 51's meridian
    assert pairs["edge_m"].iloc[0] == pytest.approx(1234.5, rel=5e-4)


def test_the_fixtures_are_what_their_names_say() -> None:
    cases = fixtures(A_SIMZ)
    assert cases["touching"][0].touches(cases["touching"][1])
    assert cases["overlapping"][0].overlaps(cases["overlapping"][1])
    assert cases["nested"][0].contains(cases["nested"][1])
    assert cases["inside_a_hole"][0].envelope.contains(cases["inside_a_hole"][1])
    assert not cases["inside_a_hole"][0].intersects(cases["inside_a_hole"][1])
    assert 2900 < geodesic_gap(*cases["apart_3_km"][:2]) < 3100
    assert 39_000 < geodesic_gap(*cases["apart_40_km"][:2]) < 41_000


def test_pair_rows_cover_every_unordered_pair_in_input_order() -> None:
    geoms = [rect(*offset(*SIMZ, 90.0, 500.0 * k)) for k in range(4)]
    frame = gpd.GeoDataFrame(geometry=geoms, crs=4326)
    metric = choose_crs(frame)
    pairs, lines = measure_pairs(frame.to_crs(metric).geometry, ["d", "c", "b", "a"], metric)
    assert list(zip(pairs["a"], pairs["b"], strict=True)) == [
        ("d", "c"),
        ("d", "b"),
        ("d", "a"),
        ("c", "b"),
        ("c", "a"),
        ("b", "a"),
    ]
    assert len(lines) == 6
    # the line drawn for a pair is the shortest segment: its length is the edge distance
    np.testing.assert_allclose(shapely.length(lines), pairs["edge_m"], rtol=1e-9)


def test_measure_pairs_of_one_or_no_geometry_are_empty() -> None:
    crs = CRS.from_epsg(32651)
    for n in (0, 1):
        geoms = gpd.GeoSeries([shapely.Point(0, 0)] * n, crs=crs)
        pairs, lines = measure_pairs(geoms, ["x"] * n, crs)
        assert len(pairs) == 0
        assert list(pairs.columns) == ["a", "b", "edge_m", "centroid_m", "geodesic_m"]
        assert len(lines) == 0


def test_pair_index() -> None:
    i, j = pair_index(4)
    assert list(zip(i.tolist(), j.tolist(), strict=True)) == [
        (0, 1),
        (0, 2),
        (0, 3),
        (1, 2),
        (1, 3),
        (2, 3),
    ]
    assert len(pair_index(0)[0]) == 0
    assert len(pair_index(1)[0]) == 0


# --- areas -----------------------------------------------------------------------------


@pytest.mark.parametrize("place", ["simz", "vienna"])
def test_projected_area_matches_the_geodesic_area(place: str) -> None:
    cases = fixtures(BASES[place])
    geoms = [
        cases["gap_1234.5_m"][0],
        cases["multipolygon"][1],
        cases["inside_a_hole"][0],
        rect(*PLACES[place], width_m=2000.0, height_m=1500.0),
    ]
    frame = gpd.GeoDataFrame(geometry=geoms, crs=4326)
    projected = frame.to_crs(choose_crs(frame)).area.to_numpy()
    truth = np.array([ring_area(g) for g in geoms])
    np.testing.assert_allclose(projected, truth, rtol=GEODESIC_TOLERANCE)
    np.testing.assert_allclose(geodesic_areas(frame.geometry), truth, rtol=1e-9)
    assert truth[2] < ring_area(shapely.Polygon(geoms[2].exterior))  # the hole counts


def test_geodesic_area_does_not_depend_on_ring_winding() -> None:
    outer = rect(*SIMZ, width_m=600.0, height_m=600.0)
    hole = rect(*offset(*SIMZ, 45.0, 200.0), width_m=150.0, height_m=150.0)
    right_hand = shapely.Polygon(outer.exterior.coords, [hole.exterior.coords[::-1]])
    same_winding = shapely.Polygon(outer.exterior.coords, [hole.exterior.coords])
    clockwise = shapely.Polygon(outer.exterior.coords[::-1], [hole.exterior.coords])
    other = rect(*offset(*SIMZ, 90.0, 2000.0))
    mixed = shapely.MultiPolygon(
        [shapely.Polygon(outer.exterior.coords), shapely.Polygon(other.exterior.coords[::-1])]
    )
    areas = geodesic_areas(gpd.GeoSeries([right_hand, same_winding, clockwise, mixed], crs=4326))
    expected = ring_area(outer) - ring_area(hole)
    np.testing.assert_allclose(areas[:3], expected, rtol=1e-9)
    assert areas[3] == pytest.approx(ring_area(outer) + ring_area(other), rel=1e-9)


def test_geodesic_area_of_points_and_lines_is_zero() -> None:
    frame = gpd.GeoSeries(
        [shapely.Point(*SIMZ), shapely.LineString([SIMZ, (121.62, 31.11)])], crs=4326
    )
    assert geodesic_areas(frame).tolist() == [0.0, 0.0]


# --- ring bands ------------------------------------------------------------------------


def bands_for(
    geoms: Sequence[BaseGeometry], rings_m: Sequence[float]
) -> tuple[pd.DataFrame, gpd.GeoSeries, np.ndarray]:
    frame = gpd.GeoDataFrame(geometry=list(geoms), crs=4326)
    metric = choose_crs(frame)
    projected = frame.to_crs(metric).geometry
    table, band_geoms, buffers = ring_bands(
        projected, [f"s{k}" for k in range(len(geoms))], rings_m
    )
    wgs84 = gpd.GeoSeries(band_geoms, crs=metric).to_crs(4326)
    return table, wgs84, buffers


RINGS = (100.0, 500.0, 1000.0, 2000.0, 5000.0)


@pytest.mark.parametrize("place", ["simz", "vienna"])
def test_a_point_sites_bands_match_circles(place: str) -> None:
    table, wgs84, _ = bands_for([shapely.Point(*PLACES[place])], RINGS)
    radii = np.asarray(RINGS)
    expected = math.pi * (radii**2 - np.concatenate([[0.0], radii[:-1]]) ** 2)
    np.testing.assert_allclose(table["area_m2"], expected, rtol=GEODESIC_TOLERANCE)
    # ... and on the ground, measured on the ellipsoid
    ground = np.array([ring_area(g) for g in wgs84])
    np.testing.assert_allclose(ground, expected, rtol=GEODESIC_TOLERANCE)
    assert table["inner_m"].tolist() == [0.0, *RINGS[:-1]]
    assert table["ring_m"].tolist() == list(RINGS)


def test_quad_segs_keep_a_circle_well_within_0_1_percent() -> None:
    n = 4 * QUAD_SEGS
    polygon_share = n / (2.0 * math.pi) * math.sin(2.0 * math.pi / n)
    assert 0.0004 < 1.0 - polygon_share < 0.00041
    table, _, _ = bands_for([shapely.Point(*SIMZ)], [1000.0])
    shortfall = 1.0 - table["area_m2"].iloc[0] / (math.pi * 1000.0**2)
    assert shortfall == pytest.approx(1.0 - polygon_share, rel=1e-3)


@pytest.mark.parametrize("place", ["simz", "vienna"])
def test_a_square_sites_buffers_match_a_plus_pr_plus_pi_r2(place: str) -> None:
    site = rect(*PLACES[place], width_m=300.0, height_m=200.0)
    frame = gpd.GeoDataFrame(geometry=[site], crs=4326)
    projected = frame.to_crs(choose_crs(frame)).geometry.iloc[0]
    area, perimeter = projected.area, projected.length
    table, _, buffers = bands_for([site], RINGS)
    radii = np.asarray(RINGS)
    expected = area + perimeter * radii + math.pi * radii**2
    cumulative = area + np.cumsum(table["area_m2"].to_numpy())
    np.testing.assert_allclose(cumulative, expected, rtol=GEODESIC_TOLERANCE)
    np.testing.assert_allclose(shapely.area(buffers[0]), expected, rtol=GEODESIC_TOLERANCE)
    # the first band starts at the footprint: it does not cover it
    assert table["area_m2"].iloc[0] == pytest.approx(perimeter * 100.0 + math.pi * 1e4, rel=1e-3)


def test_bands_are_disjoint_rings_around_the_footprint() -> None:
    site = rect(*SIMZ)
    _, wgs84, _ = bands_for([site], RINGS)
    bands = list(wgs84)
    for k, band in enumerate(bands):
        assert not band.intersection(site).area > 1e-12
        for other in bands[k + 1 :]:
            assert band.intersection(other).area < 1e-12
    assert wgs84.geom_type.tolist() == ["Polygon"] * len(RINGS)
    # the first band has the footprint as its hole; later bands hold the previous ring
    assert len(bands[0].interiors) == 1
    assert all(len(b.interiors) == 1 for b in bands)


def test_ring_bands_of_several_sites_are_grouped_per_site() -> None:
    table, _, buffers = bands_for([shapely.Point(*SIMZ), rect(*VIENNA)], [100.0, 200.0])
    assert table["site_id"].tolist() == ["s0", "s0", "s1", "s1"]
    assert buffers.shape == (2, 2)


# --- overlaps --------------------------------------------------------------------------


def lens_area(r: float, d: float) -> float:
    """The area where two discs of radius r, d apart, overlap."""
    if d >= 2.0 * r:
        return 0.0
    return 2.0 * r * r * math.acos(d / (2.0 * r)) - 0.5 * d * math.sqrt(4.0 * r * r - d * d)


def test_buffer_overlaps_of_two_points_are_lenses() -> None:
    a = shapely.Point(*SIMZ)
    b = shapely.Point(*offset(*SIMZ, 30.0, 600.0))
    frame = gpd.GeoDataFrame(geometry=[a, b], crs=4326)
    metric = choose_crs(frame)
    projected = frame.to_crs(metric).geometry
    pairs, _ = measure_pairs(projected, ["a", "b"], metric)
    rings = [250.0, 500.0, 1000.0]
    _, _, buffers = ring_bands(projected, ["a", "b"], rings)
    overlaps = overlap_table(buffers, pairs, rings)
    d = float(pairs["edge_m"].iloc[0])
    assert overlaps["ring_m"].tolist() == rings
    assert overlaps["overlap_m2"].iloc[0] == 0.0  # 2 x 250 < 600
    for r, got in zip(rings[1:], overlaps["overlap_m2"].iloc[1:], strict=True):
        assert got == pytest.approx(lens_area(r, d), rel=2e-3)


def test_overlaps_of_no_rings_or_no_pairs_are_empty() -> None:
    crs = CRS.from_epsg(32651)
    geoms = gpd.GeoSeries([shapely.Point(0, 0)], crs=crs)
    pairs, _ = measure_pairs(geoms, ["a"], crs)
    _, _, buffers = ring_bands(geoms, ["a"], [100.0])
    assert len(overlap_table(buffers, pairs, [100.0])) == 0
    assert list(overlap_table(buffers, pairs, []).columns) == ["a", "b", "ring_m", "overlap_m2"]


# --- which ring reaches ----------------------------------------------------------------


def test_a_ring_reaches_a_site_exactly_at_its_radius() -> None:
    rings = [500.0, 1000.0, 2000.0, 5000.0]
    above = float(np.nextafter(500.0, np.inf))
    below = float(np.nextafter(500.0, -np.inf))
    last = float(np.nextafter(5000.0, np.inf))
    got = ring_reached([0.0, below, 500.0, above, 1000.0, 4999.0, 5000.0, last, 1e9], rings)
    expected = [500.0, 500.0, 500.0, 1000.0, 1000.0, 5000.0, 5000.0, np.nan, np.nan]
    np.testing.assert_array_equal(got, expected)


def test_ring_reached_of_empty_input_and_single_ring() -> None:
    assert ring_reached([], [500.0]).shape == (0,)
    np.testing.assert_array_equal(ring_reached([10.0, 600.0], [500.0]), [500.0, np.nan])
    np.testing.assert_array_equal(ring_reached([np.nan], [500.0]), [np.nan])


def test_reach_table_agrees_with_ring_reached() -> None:
    pairs = pd.DataFrame(
        {
            "a": ["a", "a", "b"],
            "b": ["b", "c", "c"],
            "edge_m": [500.0, 1000.0 + 1e-9, 7000.0],
            "centroid_m": [600.0, 1100.0, 7100.0],
        }
    )
    rings = [500.0, 1000.0, 2000.0]
    table = reach_table(pairs, "edge_m", rings)
    assert list(table.columns) == ["site_id", "ring_m", "other_id", "distance_m"]
    reached = set(zip(table["site_id"], table["ring_m"], table["other_id"], strict=True))
    assert reached == {
        ("a", 500.0, "b"),
        ("b", 500.0, "a"),
        ("a", 1000.0, "b"),
        ("b", 1000.0, "a"),
        ("a", 2000.0, "b"),
        ("b", 2000.0, "a"),
        ("a", 2000.0, "c"),
        ("c", 2000.0, "a"),
    }
    # the smallest ring listed for a pair is ring_reached's answer
    smallest = table.groupby(["site_id", "other_id"])["ring_m"].min()
    for (a, b), ring in zip(
        zip(pairs["a"], pairs["b"], strict=True),
        ring_reached(pairs["edge_m"], rings),
        strict=True,
    ):
        assert smallest.get((a, b), np.nan) == ring or (np.isnan(ring) and (a, b) not in smallest)
    # the centroid measure reaches fewer sites at 500 m
    by_centroid = reach_table(pairs, "centroid_m", rings)
    assert not (by_centroid["ring_m"] == 500.0).any()


# --- disagreement warnings -------------------------------------------------------------


def test_disagreement_warnings_past_0_1_percent_and_0_5_m() -> None:
    projected = [1001.1, 1000.9, 0.3, 100_000.0, 0.0]
    geodesic = [1000.0, 1000.0, 0.1, 100_200.0, 0.0]
    labels = ["p1", "p2", "p3", "p4", "p5"]
    warnings = disagreement_warnings(projected, geodesic, labels, "edge distance (m)", "EPSG:1")
    assert [w.split(":")[0] for w in warnings] == ["p1", "p4"]
    assert "1001.1 but 1000.0" in warnings[0]
    assert "0.11 %" in warnings[0]
    assert "EPSG:1" in warnings[0]
    assert "set crs" in warnings[0]
