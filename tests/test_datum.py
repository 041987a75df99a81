"""Tests for siteplan.load._datum: GCJ-02 / BD-09 reference values, inverses and geometries.

Reference values: ../shared/GEODATA_FACTS.md (the standard public forward
formula), cross-checked against the independent ``prcoords`` package.
"""

from __future__ import annotations

import numpy as np
import prcoords
import pytest
import shapely
from geometries import MULTIPOLYGON, POINT, WITH_HOLE
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod
from shapely.geometry import shape

from siteplan.load._datum import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    geometries_from_wgs84,
    geometries_to_wgs84,
    in_china,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

GEOD = Geod(ellps="WGS84")

# WGS84 (lon, lat), GCJ-02 (lon, lat), BD-09 (lon, lat), offset WGS84 -> GCJ-02 in metres.
REFERENCE = {
    "simz_nw_corner": ((121.6024, 31.1117), (121.606591, 31.109437), (121.613182, 31.115164), 472),
    "central_shanghai": (
        (121.4737, 31.2304),
        (121.478223, 31.228458),
        (121.484781, 31.234311),
        481,
    ),
    "beijing": ((116.3975, 39.9087), (116.403744, 39.910103), (116.410117, 39.916443), 555),
    "guangzhou": ((113.2644, 23.1291), (113.269730, 23.126423), (113.276151, 23.132711), 621),
}
OUTSIDE_CHINA = {
    "london": (-0.1276, 51.5072),
    "new_york": (-74.006, 40.7128),
    "sydney": (151.2093, -33.8688),
    "tokyo": (139.6917, 35.6895),
    "singapore_south_of_box": (103.8198, 0.5),
}
SHANGHAI_LON = st.floats(min_value=120.8, max_value=122.2)
SHANGHAI_LAT = st.floats(min_value=30.6, max_value=31.9)


def distance_m(lon1: object, lat1: object, lon2: object, lat2: object) -> np.ndarray:
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2])


@pytest.mark.parametrize("place", list(REFERENCE))
def test_wgs84_to_gcj02_matches_reference(place: str) -> None:
    (lon, lat), gcj, _, offset_m = REFERENCE[place]
    got = wgs84_to_gcj02(lon, lat)
    assert (round(float(got[0]), 6), round(float(got[1]), 6)) == gcj
    # The table gives the offset rounded, measured on some sphere or ellipsoid: within 1 %.
    assert float(distance_m(lon, lat, *got)) == pytest.approx(offset_m, rel=0.01)


@pytest.mark.parametrize("place", list(REFERENCE))
def test_wgs84_to_bd09_matches_reference(place: str) -> None:
    (lon, lat), _, bd, _ = REFERENCE[place]
    got = wgs84_to_bd09(lon, lat)
    assert (round(float(got[0]), 6), round(float(got[1]), 6)) == bd


@pytest.mark.parametrize("place", list(REFERENCE))
def test_gcj02_to_wgs84_brings_reference_back(place: str) -> None:
    (lon, lat), gcj, _, _ = REFERENCE[place]
    back = gcj02_to_wgs84(*gcj)
    # The table's 6 decimals alone account for up to ~0.07 m.
    assert float(distance_m(lon, lat, *back)) < 0.5


@pytest.mark.parametrize("place", list(REFERENCE))
def test_bd09_to_wgs84_brings_reference_back(place: str) -> None:
    (lon, lat), _, bd, _ = REFERENCE[place]
    back = bd09_to_wgs84(*bd)
    assert float(distance_m(lon, lat, *back)) < 0.5


@pytest.mark.parametrize("place", list(REFERENCE))
def test_bd09_to_gcj02_inverts_gcj02_to_bd09(place: str) -> None:
    _, gcj, _, _ = REFERENCE[place]
    back = bd09_to_gcj02(*gcj02_to_bd09(*gcj))
    assert float(distance_m(*gcj, *back)) < 1e-3


@pytest.mark.filterwarnings("ignore:Non-Chinese coords found:UserWarning")
@pytest.mark.parametrize(
    ("lon", "lat"),
    [wgs for wgs, _, _, _ in REFERENCE.values()]
    + [(121.61, 31.10), (87.6, 43.8), (126.6, 45.75), (109.5, 18.25)]
    + list(OUTSIDE_CHINA.values()),
)
def test_forward_agrees_with_prcoords(lon: float, lat: float) -> None:
    gcj = prcoords.wgs_gcj((lat, lon))
    bd = prcoords.wgs_bd((lat, lon))
    ours_gcj = wgs84_to_gcj02(lon, lat)
    ours_bd = wgs84_to_bd09(lon, lat)
    assert float(ours_gcj[0]) == pytest.approx(gcj.lon, abs=1e-9)
    assert float(ours_gcj[1]) == pytest.approx(gcj.lat, abs=1e-9)
    assert float(ours_bd[0]) == pytest.approx(bd.lon, abs=1e-9)
    assert float(ours_bd[1]) == pytest.approx(bd.lat, abs=1e-9)


@pytest.mark.parametrize(("lon", "lat"), [wgs for wgs, _, _, _ in REFERENCE.values()])
def test_inverse_is_at_least_as_good_as_prcoords_precise_inverse(lon: float, lat: float) -> None:
    gcj_lon, gcj_lat = (float(v) for v in wgs84_to_gcj02(lon, lat))
    theirs = prcoords.gcj_wgs_bored((gcj_lat, gcj_lon))
    ours = gcj02_to_wgs84(gcj_lon, gcj_lat)
    assert float(distance_m(lon, lat, *ours)) < 1e-3
    assert float(distance_m(theirs.lon, theirs.lat, *ours)) < 0.5


@settings(max_examples=300, deadline=None)
@given(lon=SHANGHAI_LON, lat=SHANGHAI_LAT)
def test_gcj02_round_trip_within_half_a_metre_over_shanghai(lon: float, lat: float) -> None:
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert float(distance_m(lon, lat, *back)) < 0.5


@settings(max_examples=300, deadline=None)
@given(lon=SHANGHAI_LON, lat=SHANGHAI_LAT)
def test_bd09_round_trip_within_half_a_metre_over_shanghai(lon: float, lat: float) -> None:
    back = bd09_to_wgs84(*wgs84_to_bd09(lon, lat))
    assert float(distance_m(lon, lat, *back)) < 0.5


@settings(max_examples=100, deadline=None)
@given(lon=SHANGHAI_LON, lat=SHANGHAI_LAT)
def test_offset_over_shanghai_is_hundreds_of_metres(lon: float, lat: float) -> None:
    gcj_m = float(distance_m(lon, lat, *wgs84_to_gcj02(lon, lat)))
    bd_m = float(distance_m(lon, lat, *wgs84_to_bd09(lon, lat)))
    assert 300 < gcj_m < 800
    assert 800 < bd_m < 1500


@pytest.mark.parametrize("place", list(OUTSIDE_CHINA))
def test_outside_china_is_identity(place: str) -> None:
    lon, lat = OUTSIDE_CHINA[place]
    assert not in_china(lon, lat)
    for convert in (wgs84_to_gcj02, gcj02_to_wgs84):
        got = convert(lon, lat)
        assert (float(got[0]), float(got[1])) == (lon, lat)


def test_in_china_box_edges() -> None:
    lon = np.array([72.004, 137.8347, 72.0039, 137.8348, 121.6, 121.6])
    lat = np.array([0.8293, 55.8271, 30.0, 30.0, 0.8292, 55.8272])
    assert in_china(lon, lat).tolist() == [True, True, False, False, False, False]


def test_conversions_are_vectorised() -> None:
    rng = np.random.default_rng(20230410)
    lon = rng.uniform(120.8, 122.2, size=(50, 4))
    lat = rng.uniform(30.6, 31.9, size=(50, 4))
    gcj_lon, gcj_lat = wgs84_to_gcj02(lon, lat)
    assert gcj_lon.shape == gcj_lat.shape == (50, 4)
    one_by_one = [wgs84_to_gcj02(x, y) for x, y in zip(lon.ravel(), lat.ravel(), strict=True)]
    assert np.array_equal(gcj_lon.ravel(), [float(a) for a, _ in one_by_one])
    assert np.array_equal(gcj_lat.ravel(), [float(b) for _, b in one_by_one])
    back_lon, back_lat = gcj02_to_wgs84(gcj_lon, gcj_lat)
    assert back_lon.shape == (50, 4)
    assert distance_m(lon.ravel(), lat.ravel(), back_lon.ravel(), back_lat.ravel()).max() < 0.5
    bd_lon, bd_lat = wgs84_to_bd09(lon, lat)
    back_lon, back_lat = bd09_to_wgs84(bd_lon, bd_lat)
    assert distance_m(lon.ravel(), lat.ravel(), back_lon.ravel(), back_lat.ravel()).max() < 0.5


def test_mixed_array_converts_only_points_inside_china() -> None:
    lon = np.array([121.6024, -0.1276])
    lat = np.array([31.1117, 51.5072])
    got_lon, got_lat = wgs84_to_gcj02(lon, lat)
    assert got_lon[1] == lon[1]
    assert got_lat[1] == lat[1]
    assert round(float(got_lon[0]), 6) == 121.606591


def test_empty_arrays_convert_to_empty_arrays() -> None:
    got_lon, got_lat = gcj02_to_wgs84(np.array([]), np.array([]))
    assert got_lon.shape == got_lat.shape == (0,)


@pytest.mark.parametrize("datum", ["gcj02", "bd09"])
def test_geometries_to_wgs84_inverts_geometries_from_wgs84(datum: str) -> None:
    original = np.array([shape(WITH_HOLE), shape(MULTIPOLYGON), shape(POINT)], dtype=object)
    shifted = geometries_from_wgs84(original, datum)
    back = geometries_to_wgs84(shifted, datum)
    for before, moved, after in zip(original, shifted, back, strict=True):
        assert after.geom_type == before.geom_type
        assert shapely.get_num_coordinates(after) == shapely.get_num_coordinates(before)
        assert shapely.get_num_interior_rings(after) == shapely.get_num_interior_rings(before)
        a = shapely.get_coordinates(before)
        m = shapely.get_coordinates(moved)
        b = shapely.get_coordinates(after)
        assert distance_m(a[:, 0], a[:, 1], m[:, 0], m[:, 1]).min() > 400
        assert distance_m(a[:, 0], a[:, 1], b[:, 0], b[:, 1]).max() < 0.5
    assert all(g.is_valid for g in back)


def test_geometries_to_wgs84_moves_each_vertex_like_the_point_function() -> None:
    polygon = shape(WITH_HOLE)
    converted = geometries_to_wgs84([polygon], "gcj02")[0]
    coords = shapely.get_coordinates(polygon)
    expected = np.column_stack(gcj02_to_wgs84(coords[:, 0], coords[:, 1]))
    assert np.array_equal(shapely.get_coordinates(converted), expected)


def test_geometries_in_wgs84_are_returned_unchanged() -> None:
    polygon = shape(WITH_HOLE)
    assert geometries_to_wgs84([polygon], "wgs84")[0] is polygon
