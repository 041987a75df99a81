"""Hand-built networks whose distances and times are worked out by hand.

Coordinates are metres in EPSG:32651 (UTM 51N). ``residential`` roads drive at
their class default, 30 km/h = 500 m/min; walking is 4.8 km/h = 80 m/min, cycling
15 km/h = 250 m/min.

The river layout used by several tests (the river runs along y = 0 and is not
part of the network)::

    A (100, 130)
    north road  y = +100   vertices x = 0, 800, 1000
                 |bridge x = 800       |bridge x = 1000
    south road  y = -100   vertices x = 0, 800, 1000
    B (100, -130)
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely

from siteplan.errors import LayerError, ParameterError
from siteplan.load.network import NetworkParams
from siteplan.measure.network.graph import build_network
from siteplan.measure.network.paths import od_costs
from siteplan.measure.network.quality import component_warnings, network_quality
from siteplan.measure.network.snap import snap_places, unreachable_warnings

CRS = "EPSG:32651"
NAN = math.nan


def roads(
    *lines: tuple[str, list[tuple[float, float]], str | None, int, float],
) -> gpd.GeoDataFrame:
    """Return a roads frame from (id, coordinates, highway, oneway, maxspeed_kmh)."""
    return gpd.GeoDataFrame(
        {
            "id": [r[0] for r in lines],
            "highway": [r[2] for r in lines],
            "oneway": np.asarray([r[3] for r in lines], dtype=np.int8),
            "maxspeed_kmh": [r[4] for r in lines],
        },
        geometry=[shapely.LineString(r[1]) for r in lines],
        crs=CRS,
    )


def river_roads(bridge_oneway: int = 0, *, flip: bool = False) -> gpd.GeoDataFrame:
    bridge = [(800.0, 100.0), (800.0, -100.0)]
    if flip:
        bridge.reverse()
    return roads(
        ("north", [(0, 100), (800, 100), (1000, 100)], "residential", 0, NAN),
        ("south", [(0, -100), (800, -100), (1000, -100)], "residential", 0, NAN),
        ("bridge1", bridge, "residential", bridge_oneway, NAN),
        ("bridge2", [(1000, 100), (1000, -100)], "residential", 0, NAN),
    )


def pts(*xy: tuple[float, float]) -> list[shapely.Point]:
    return [shapely.Point(x, y) for x, y in xy]


A, B = (100.0, 130.0), (100.0, -130.0)


def test_river_with_one_bridge() -> None:
    frame = roads(
        ("north", [(0, 100), (800, 100), (1000, 100)], "residential", 0, NAN),
        ("south", [(0, -100), (800, -100), (1000, -100)], "residential", 0, NAN),
        ("bridge", [(800, 100), (800, -100)], "residential", 0, NAN),
    )
    net = build_network(frame, CRS, NetworkParams(mode="walk"))
    places = snap_places(net, pts(A, B))
    od = od_costs(net, places, places)
    # 30 connector + 700 along the north road + 200 bridge + 700 back + 30 connector.
    assert od.metres[0, 1] == pytest.approx(1660.0)
    assert od.metres[1, 0] == pytest.approx(1660.0)
    assert od.minutes[0, 1] == pytest.approx(1660.0 / 80.0)
    # A place to itself walks to the road and back: the connector twice.
    assert od.metres[0, 0] == 60.0
    straight = shapely.distance(shapely.Point(A), shapely.Point(B))
    assert od.metres[0, 1] >= straight
    assert places.connector_m.tolist() == [30.0, 30.0]


@pytest.mark.parametrize(("oneway", "flip"), [(1, False), (-1, True)])
def test_one_way_bridge_drive_differs_by_direction_walk_does_not(oneway: int, flip: bool) -> None:
    frame = river_roads(oneway, flip=flip)
    drive = build_network(frame, CRS, NetworkParams(mode="drive"))
    s = snap_places(drive, pts(A, B))
    od = od_costs(drive, s, s, cost="time")
    # A -> B over the one-way bridge: 1600 m at 500 m/min + 60 m of connectors at 80 m/min.
    assert od.minutes[0, 1] == pytest.approx(1600 / 500 + 60 / 80)
    assert od.metres[0, 1] == pytest.approx(1660.0)
    # B -> A must use the two-way bridge at x = 1000: 900 + 200 + 900 m.
    assert od.minutes[1, 0] == pytest.approx(2000 / 500 + 60 / 80)
    assert od.metres[1, 0] == pytest.approx(2060.0)
    by_length = od_costs(drive, s, s, cost="length")
    assert by_length.metres[1, 0] == pytest.approx(2060.0)
    walk = build_network(frame, CRS, NetworkParams(mode="walk"))
    w = snap_places(walk, pts(A, B))
    wod = od_costs(walk, w, w)
    assert wod.metres[0, 1] == pytest.approx(1660.0)
    assert wod.metres[1, 0] == pytest.approx(1660.0)


def test_site_too_far_from_any_road_is_unreachable_with_a_warning() -> None:
    net = build_network(river_roads(), CRS, NetworkParams(mode="walk"))
    s = snap_places(net, pts(A, (500.0, 600.0)))
    assert s.reachable.tolist() == [True, False]
    od = od_costs(net, s, s)
    assert np.isinf(od.metres[0, 1])
    assert np.isinf(od.minutes[1, 0])
    assert not od.reachable[0, 1]
    warnings = unreachable_warnings(net, ["cgt_park", "far_site"], s)
    assert warnings == [
        "far_site is farther than snap_max_m 300 m from every road usable in mode walk; "
        "it is unreachable"
    ]
    # A larger snap_max_m brings it in: 500 m connector + 400 m + 30 m connector.
    near = build_network(river_roads(), CRS, NetworkParams(mode="walk", snap_max_m=600))
    s2 = snap_places(near, pts(A, (500.0, 600.0)))
    assert od_costs(near, s2, s2).metres[0, 1] == pytest.approx(930.0)


def test_disconnected_component() -> None:
    frame = river_roads()
    island = roads(("island", [(5000, 0), (6000, 0)], "residential", 0, NAN))
    net = build_network(pd_concat(frame, island), CRS, NetworkParams(mode="walk"))
    s = snap_places(net, pts(A, B, (5500.0, 20.0)))
    od = od_costs(net, s, s)
    assert np.isinf(od.metres[0, 2])
    assert np.isinf(od.metres[2, 1])
    assert od.metres[0, 1] == pytest.approx(1660.0)
    quality = network_quality(net)
    assert quality.components == 2
    assert quality.largest_share == pytest.approx(2400 / 3400)
    assert component_warnings(net, ["a", "b", "island_site"], s) == [
        "island_site lie on a network component not connected to the others; "
        "2 pairs with places outside it are unreachable"
    ]


def pd_concat(*frames: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        np.concatenate([f.to_numpy() for f in frames]), columns=frames[0].columns, crs=CRS
    ).astype({"oneway": np.int8, "maxspeed_kmh": float})


@pytest.mark.parametrize(
    ("gap", "tolerance", "joined"),
    [(0.5, 1.0, True), (0.9, 1.0, True), (2.0, 1.0, False), (0.5, 0.1, False), (0.0, 0.0, True)],
)
def test_endpoint_snapping_within_tolerance(gap: float, tolerance: float, joined: bool) -> None:
    frame = roads(
        ("west", [(0, 0), (100, 0)], None, 0, NAN),
        ("east", [(100 + gap, 0), (200, 0)], None, 0, NAN),
    )
    net = build_network(frame, CRS, NetworkParams(snap_tolerance_m=tolerance))
    s = snap_places(net, pts((10.0, 0.0), (190.0, 0.0)))
    metres = od_costs(net, s, s).metres[0, 1]
    if joined:
        # The joined node sits at the lower vertex (100, 0): 90 + 90 m.
        assert metres == pytest.approx(180.0)
        assert network_quality(net).components == 1
    else:
        assert np.isinf(metres)


def test_crossing_lines_without_a_shared_vertex_do_not_join() -> None:
    frame = roads(
        ("road", [(0, 0), (100, 0)], None, 0, NAN),
        ("overpass", [(50, -50), (50, 50)], None, 0, NAN),
    )
    net = build_network(frame, CRS, NetworkParams())
    s = snap_places(net, pts((0.0, 5.0), (50.0, 45.0)))
    assert np.isinf(od_costs(net, s, s).metres[0, 1])
    quality = network_quality(net)
    assert (quality.crossings, quality.components, quality.dangling_ends) == (1, 2, 4)
    assert quality.crossing_points.tolist() == [[50.0, 0.0]]
    # With a shared vertex they join: 5 + 50 + 45 m.
    joined = roads(
        ("road", [(0, 0), (50, 0), (100, 0)], None, 0, NAN),
        ("cross", [(50, -50), (50, 0), (50, 50)], None, 0, NAN),
    )
    net2 = build_network(joined, CRS, NetworkParams())
    s2 = snap_places(net2, pts((0.0, 5.0), (50.0, 45.0)))
    assert od_costs(net2, s2, s2).metres[0, 1] == pytest.approx(100.0)
    assert network_quality(net2).crossings == 0


@pytest.mark.parametrize(("mode", "m_per_min"), [("walk", 80.0), ("bike", 250.0), ("drive", 500.0)])
def test_connector_leg_is_walked_in_every_mode(mode: str, m_per_min: float) -> None:
    frame = roads(("road", [(0, 0), (1000, 0)], "residential", 0, NAN))
    net = build_network(frame, CRS, NetworkParams(mode=mode))
    a = snap_places(net, pts((100.0, 100.0)))
    b = snap_places(net, pts((900.0, -50.0)))
    od = od_costs(net, a, b, cost="time")
    assert (a.connector_m.tolist(), b.connector_m.tolist()) == ([100.0], [50.0])
    assert od.minutes[0, 0] == pytest.approx(800 / m_per_min + 150 / 80)
    assert od.metres[0, 0] == pytest.approx(950.0)


def test_same_segment_travel_and_one_way_direction() -> None:
    frame = roads(("road", [(0, 0), (1000, 0)], "residential", 1, NAN))
    net = build_network(frame, CRS, NetworkParams(mode="drive"))
    s = snap_places(net, pts((100.0, 10.0), (300.0, 10.0)))
    od = od_costs(net, s, s)
    assert od.metres[0, 1] == pytest.approx(220.0)
    assert np.isinf(od.metres[1, 0])


def test_polygon_footprint_joins_from_its_nearest_edge_point() -> None:
    frame = roads(("road", [(0, 0), (1000, 0)], None, 0, NAN))
    net = build_network(frame, CRS, NetworkParams())
    s = snap_places(net, [shapely.box(200, 40, 300, 140), shapely.box(600, -90, 700, -20)])
    assert s.connector_m.tolist() == [40.0, 20.0]
    # The south edge of each footprint is nearest: the join point lies below it.
    assert s.point_xy[0][1] == 0.0
    assert 200.0 <= s.point_xy[0][0] <= 300.0
    od = od_costs(net, s, s)
    # At least 40 + 300 + 20 m (the gap between x = 300 and x = 600), never less
    # than the straight edge-to-edge distance.
    assert od.metres[0, 1] >= 360.0 - 1e-9
    gap = shapely.distance(shapely.box(200, 40, 300, 140), shapely.box(600, -90, 700, -20))
    assert od.metres[0, 1] >= gap


def test_drive_speeds_maxspeed_class_default_fallback_and_override() -> None:
    frame = roads(
        ("fast", [(0, 0), (1000, 0)], "primary", 0, 120.0),
        ("class", [(1000, 0), (2000, 0)], "primary", 0, NAN),
        ("none", [(2000, 0), (3000, 0)], None, 0, NAN),
    )
    net = build_network(frame, CRS, NetworkParams(mode="drive"))
    assert net.seg_kmh.tolist() == [120.0, 60.0, 30.0]
    net2 = build_network(
        frame, CRS, NetworkParams(mode="drive", drive_kmh=20.0, class_kmh={"primary": 45.0})
    )
    assert net2.seg_kmh.tolist() == [120.0, 45.0, 20.0]
    walk = build_network(frame, CRS, NetworkParams(mode="walk"))
    assert walk.seg_kmh.tolist() == [4.8, 4.8, 4.8]


def test_mode_access_rules() -> None:
    frame = roads(
        ("s3", [(0, 0), (1000, 0)], "motorway", 1, NAN),
        ("path", [(0, 100), (1000, 100)], "footway", 0, NAN),
    )
    assert build_network(frame, CRS, NetworkParams(mode="walk")).line_ids.tolist() == ["path"]
    with pytest.raises(LayerError, match="mode 'bike'"):
        build_network(frame, CRS, NetworkParams(mode="bike"))
    assert build_network(frame, CRS, NetworkParams(mode="drive")).line_ids.tolist() == ["s3"]


def test_no_usable_road_is_an_error() -> None:
    frame = roads(("path", [(0, 100), (1000, 100)], "footway", 0, NAN))
    with pytest.raises(LayerError, match="mode 'drive'"):
        build_network(frame, CRS, NetworkParams(mode="drive"))


def test_parameters_are_checked() -> None:
    with pytest.raises(ParameterError, match="mode 'fly'"):
        NetworkParams(mode="fly")
    with pytest.raises(ParameterError, match="snap_max_m -1"):
        NetworkParams(snap_max_m=-1)
    with pytest.raises(ParameterError, match="class_kmh"):
        NetworkParams(class_kmh={"primary": 0})
    net = build_network(river_roads(), CRS, NetworkParams())
    s = snap_places(net, pts(A))
    with pytest.raises(ParameterError, match="cost 'speed'"):
        od_costs(net, s, s, cost="speed")  # type: ignore[arg-type]


def test_cutoff_drops_pairs_beyond_it() -> None:
    net = build_network(river_roads(), CRS, NetworkParams())
    s = snap_places(net, pts(A, B, (700.0, 130.0)))
    od = od_costs(net, s, s, cutoff=1000.0)
    assert np.isinf(od.metres[0, 1])
    assert od.metres[0, 2] == pytest.approx(660.0)


def test_closed_ring_without_junctions() -> None:
    ring = [(0, 0), (100, 0), (100, 100), (0, 100), (0, 0)]
    net = build_network(roads(("ring", ring, None, 0, NAN)), CRS, NetworkParams())
    s = snap_places(net, pts((50.0, -5.0), (50.0, 105.0), (10.0, -5.0), (90.0, -5.0)))
    od = od_costs(net, s, s)
    # Half way round either way: 5 + 50 + 100 + 50 + 5 m.
    assert od.metres[0, 1] == pytest.approx(210.0)
    assert od.metres[1, 0] == pytest.approx(210.0)
    # Along the bottom edge directly: 5 + 80 + 5 m; round the ring the long way is 330 m.
    assert od.metres[2, 3] == pytest.approx(90.0)
    assert od.metres[3, 2] == pytest.approx(90.0)


def test_one_way_rules_split_chains_at_pass_through_nodes() -> None:
    frame = roads(
        ("oneway", [(0, 0), (50, 0), (100, 0)], "residential", 1, NAN),
        ("twoway", [(100, 0), (150, 0), (200, 0)], "residential", 0, NAN),
    )
    drive = build_network(frame, CRS, NetworkParams(mode="drive"))
    s = snap_places(drive, pts((25.0, 5.0), (175.0, 5.0)))
    od = od_costs(drive, s, s)
    assert od.metres[0, 1] == pytest.approx(160.0)
    assert np.isinf(od.metres[1, 0])
    walk = build_network(frame, CRS, NetworkParams(mode="walk"))
    w = snap_places(walk, pts((25.0, 5.0), (175.0, 5.0)))
    assert od_costs(walk, w, w).metres[1, 0] == pytest.approx(160.0)
