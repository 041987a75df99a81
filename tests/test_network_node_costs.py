"""Per-node travel costs to a site (isochrones, and the map page's click-to-score).

A hand network: a street with vertices every 100 m between two junctions, the site
joined in its middle. Walking is 80 m/min. The nodes between the junctions must get
their direct costs along the street (a search entering the site's street only at its
junctions would send them round through a junction and overstate them).
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely

from siteplan.load.network import NetworkParams
from siteplan.measure.network.graph import build_network
from siteplan.measure.network.isochrones import node_costs_to
from siteplan.measure.network.node_costs import place_costs, site_node_costs
from siteplan.measure.network.snap import snap_places

CRS = "EPSG:32651"


def _net(oneway: int = 0, mode: str = "walk") -> object:
    lines = [
        [(0, 0), (100, 0), (200, 0), (300, 0)],  # (100, 0) and (200, 0) are not junctions
        [(0, 0), (0, 100)],
        [(300, 0), (300, 100)],
    ]
    frame = gpd.GeoDataFrame(
        {
            "id": ["street", "west", "east"],
            "highway": ["residential"] * 3,
            "oneway": np.asarray([oneway, 0, 0], dtype=np.int8),
            "maxspeed_kmh": [math.nan] * 3,
        },
        geometry=[shapely.LineString(c) for c in lines],
        crs=CRS,
    )
    return build_network(frame, CRS, NetworkParams(mode=mode))


def _node(net: object, x: float, y: float) -> int:
    xy = net.node_xy  # type: ignore[attr-defined]
    return int(np.flatnonzero((xy[:, 0] == x) & (xy[:, 1] == y))[0])


SITE = shapely.Point(150, 10)  # joins the street at (150, 0), 10 m connector


def test_nodes_on_the_sites_street_get_their_direct_cost() -> None:
    net = _net()
    site = snap_places(net, [SITE])
    by_length = node_costs_to(net, site, cost="length")
    assert by_length[_node(net, 100, 0)] == pytest.approx(50.0)
    assert by_length[_node(net, 200, 0)] == pytest.approx(50.0)
    assert by_length[_node(net, 0, 0)] == pytest.approx(150.0)
    assert by_length[_node(net, 300, 100)] == pytest.approx(250.0)
    costs = site_node_costs(net, [SITE], np.array([0]), np.array([0.0]), 1, cost="time")
    # the site's 10 m connector included, in minutes at 80 m/min
    assert costs.node_cost[0, _node(net, 100, 0)] == pytest.approx(60 / 80)
    assert costs.node_cost[0, _node(net, 0, 100)] == pytest.approx(260 / 80)


def test_places_cost_their_connector_and_the_cheaper_end() -> None:
    net = _net()
    costs = site_node_costs(net, [SITE], np.array([0]), np.array([0.0]), 1, cost="length")
    clicks = snap_places(net, shapely.points([(120, -5), (10, 90), (250, 3), (900, 900)]))
    got = place_costs(net, costs, clicks)[:, 0]
    # 5 + 30 + 10 (same street, direct); 10 + 90 + 150 + 10; 3 + 100 + 10; beyond snap_max_m
    assert got[:3] == pytest.approx([45.0, 260.0, 113.0])
    assert math.isinf(got[3])
    limited = site_node_costs(
        net, [SITE], np.array([0]), np.array([0.0]), 1, cost="length", limit=100.0
    )
    assert np.isinf(place_costs(net, limited, clicks)[1, 0])  # 260 m is beyond the limit


def test_one_way_streets_are_honoured_when_driving() -> None:
    net = _net(oneway=1, mode="drive")  # the street runs east only
    costs = site_node_costs(net, [SITE], np.array([0]), np.array([0.0]), 1, cost="length")
    clicks = snap_places(net, shapely.points([(120, -5), (250, 3)]))
    got = place_costs(net, costs, clicks)[:, 0]
    assert got[0] == pytest.approx(45.0)  # east along the street to the site
    assert math.isinf(got[1])  # would have to drive west: no way back
    by_length = node_costs_to(net, snap_places(net, [SITE]), cost="length")
    assert math.isinf(by_length[_node(net, 200, 0)])
    assert by_length[_node(net, 100, 0)] == pytest.approx(50.0)
