"""Per-node travel costs to a site (isochrones, and the map page's click-to-score).

A hand network: a street with vertices every 100 m between two junctions, the site
joined in its middle. Walking is 80 m/min. The nodes between the junctions must get
their direct costs along the street (a search entering the site's street only at its
junctions would send them round through a junction and overstate them).
"""

from __future__ import annotations

import math

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely

from siteplan.load.network import NetworkParams, NetworkSpec, read_network
from siteplan.load.projection import utm_crs_for
from siteplan.measure.network import places as places_module
from siteplan.measure.network.graph import Network, build_network
from siteplan.measure.network.isochrones import node_costs_to
from siteplan.measure.network.places import SiteCosts, node_costs, place_costs, site_costs
from siteplan.measure.network.snap import snap_places
from tests.test_js_network import _roads, grid, river
from tests.test_network_engine import helsinki_pbf

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


def _site(net: object, cost: str, limit: float | None = None) -> SiteCosts:
    """The one site at ``SITE``, searched towards (measure/network/places.py)."""
    places = snap_places(net, [SITE])  # type: ignore[arg-type]
    return site_costs(net, places, np.array([0]), 1, cost=cost, limit=limit)  # type: ignore[arg-type]


def test_nodes_on_the_sites_street_get_their_direct_cost() -> None:
    net = _net()
    site = snap_places(net, [SITE])
    by_length = node_costs_to(net, site, cost="length")
    assert by_length[_node(net, 100, 0)] == pytest.approx(50.0)
    assert by_length[_node(net, 200, 0)] == pytest.approx(50.0)
    assert by_length[_node(net, 0, 0)] == pytest.approx(150.0)
    assert by_length[_node(net, 300, 100)] == pytest.approx(250.0)
    per_node = node_costs(_site(net, "time"))
    # the site's 10 m connector included, in minutes at 80 m/min
    assert per_node[_node(net, 100, 0), 0] == pytest.approx(60 / 80)
    assert per_node[_node(net, 0, 100), 0] == pytest.approx(260 / 80)


def test_places_cost_their_connector_and_the_cheaper_end() -> None:
    net = _net()
    costs = _site(net, "length")
    clicks = snap_places(net, shapely.points([(120, -5), (10, 90), (250, 3), (900, 900)]))
    got = place_costs(costs, clicks)[:, 0]
    # 5 + 30 + 10 (same street, direct); 10 + 90 + 150 + 10; 3 + 100 + 10; beyond snap_max_m
    assert got[:3] == pytest.approx([45.0, 260.0, 113.0])
    assert math.isinf(got[3])
    limited = _site(net, "length", limit=100.0)
    assert np.isinf(place_costs(limited, clicks)[1, 0])  # 260 m is beyond the limit


def test_one_way_streets_are_honoured_when_driving() -> None:
    net = _net(oneway=1, mode="drive")  # the street runs east only
    costs = _site(net, "length")
    clicks = snap_places(net, shapely.points([(120, -5), (250, 3)]))
    got = place_costs(costs, clicks)[:, 0]
    assert got[0] == pytest.approx(45.0)  # east along the street to the site
    assert math.isinf(got[1])  # would have to drive west: no way back
    by_length = node_costs_to(net, snap_places(net, [SITE]), cost="length")
    assert math.isinf(by_length[_node(net, 200, 0)])
    assert by_length[_node(net, 100, 0)] == pytest.approx(50.0)


# Every node's cost against networkx: a reverse Dijkstra on the SEGMENT graph (every node
# its own vertex), the sites joined by shapely independently of siteplan's snap.


def _chained_roads() -> gpd.GeoDataFrame:
    """Long chains of pass-through nodes: curves, a one-way chain drawn backwards, a loop."""
    ring = [(600 + 120 * math.cos(a), 400 + 120 * math.sin(a)) for a in np.linspace(0, 6.2, 9)]
    lines = [
        ([(0, 0), (100, 20), (200, 0), (300, 30), (400, 0)], 0, math.nan),
        ([(400, 0), (420, 150), (400, 300), (380, 400)], -1, 30.0),  # one way, north to south
        ([(0, 0), (-10, 200), (0, 400), (380, 400)], 0, 50.0),
        ([(380, 400), (480, 400)], 0, math.nan),
        ([(480, 400), *ring, (480, 400)], 1, 20.0),  # a one-way loop back to its junction
        ([(400, 0), (700, -40), (900, 0)], 1, math.nan),  # a one-way dead end
    ]
    return _roads(lines)


def _networkx_node_costs(
    net: Network,
    places: list[shapely.Geometry],
    owner: list[int],
    extra: list[float] | None,
    cost: str,
) -> np.ndarray:
    """(nodes, sites) costs to the sites from networkx, the sites' walks included.

    ``extra``: the metres walked before each place's connector; None: no walk at all.
    """
    segments = shapely.linestrings(
        np.stack([net.node_xy[net.seg_u], net.node_xy[net.seg_v]], axis=1)
    )
    speed = net.seg_kmh * 1000 / 60
    weight = net.seg_length if cost == "length" else net.seg_length / speed
    walk = net.params.walk_kmh * 1000 / 60
    graph = nx.DiGraph()  # reversed: an arc b -> a for each way a -> b
    for s in range(net.n_segments):
        u, v, w = int(net.seg_u[s]), int(net.seg_v[s]), float(weight[s])
        for a, b, ok in ((u, v, net.seg_forward[s]), (v, u, net.seg_backward[s])):
            if ok and (not graph.has_edge(b, a) or graph[b][a]["w"] > w):
                graph.add_edge(b, a, w=w)
    out = np.full((net.n_nodes, max(owner) + 1), np.inf)
    for site in range(out.shape[1]):
        graph.add_node("site")
        for place, k, x in zip(places, owner, extra or [0.0] * len(places), strict=True):
            gap = shapely.distance(segments, place)
            s = int(np.argmin(gap))
            if k != site or gap[s] > net.params.snap_max_m:
                continue
            t = segments[s].project(place, normalized=True)
            conn = (gap[s] + x) / walk if cost == "time" else gap[s] + x
            conn = conn if extra is not None else 0.0
            for node, part, ok in (
                (int(net.seg_u[s]), t, net.seg_forward[s]),
                (int(net.seg_v[s]), 1 - t, net.seg_backward[s]),
            ):
                if ok:
                    graph.add_edge("site", node, w=conn + part * float(weight[s]))
        dist = nx.single_source_dijkstra_path_length(graph, "site", weight="w")
        graph.remove_node("site")
        for node, value in dist.items():
            if node != "site":
                out[node, site] = value
    return out


def _check_against_networkx(net: Network, seed: int, n_places: int = 6) -> None:
    rng = np.random.default_rng(seed)
    near = net.node_xy[rng.integers(net.n_nodes, size=n_places)] + rng.uniform(
        -60, 60, (n_places, 2)
    )
    places = list(shapely.points(near))
    far = net.node_xy.max(axis=0) + 5000
    places.append(shapely.Point(far))  # beyond snap_max_m: its site cannot be reached
    owner = sorted([*range(n_places - 1), int(rng.integers(n_places - 1)), n_places - 1])
    extra = list(rng.uniform(0, 30, len(places)))
    snapped = snap_places(net, places)
    for cost in ("length", "time"):
        want = _networkx_node_costs(net, places, owner, extra, cost)
        sites = site_costs(
            net, snapped, np.asarray(owner), max(owner) + 1, cost=cost, extra_m=np.asarray(extra)
        )
        got = node_costs(sites)
        assert np.array_equal(np.isfinite(got), np.isfinite(want))
        assert np.isfinite(want).mean() > 0.2
        np.testing.assert_allclose(got[np.isfinite(want)], want[np.isfinite(want)], rtol=1e-9)
        # cut at a limit: the same values within it, inf beyond (none within 1e-6 of it)
        limit = float(np.median(want[np.isfinite(want)]))
        limit += 1e-3 if np.any(np.abs(want - limit) < 1e-6 * limit) else 0.0
        cut = node_costs(
            site_costs(
                net,
                snapped,
                np.asarray(owner),
                max(owner) + 1,
                cost=cost,
                extra_m=np.asarray(extra),
                limit=limit,
            )
        )
        assert np.array_equal(cut, np.where(want <= limit, got, np.inf))
        # one place, its connector left out (isochrones)
        first = int(np.flatnonzero(snapped.reachable)[0])
        alone = node_costs_to(net, snapped.take([first]), cost=cost)  # type: ignore[arg-type]
        ref = _networkx_node_costs(net, [places[first]], [0], None, cost)
        # (the join point's position, from shapely, differs by ~1e-12 of the segment)
        np.testing.assert_allclose(alone, ref[:, 0], rtol=1e-9, atol=1e-6)


@pytest.mark.parametrize(
    "name", ["street", "street one way", "river", "grid", "chains walk", "chains drive"]
)
def test_every_node_cost_matches_networkx_on_hand_networks(name: str) -> None:
    roads = {
        "street": _net,
        "street one way": lambda: _net(oneway=1, mode="drive"),
        "river": river,
        "grid": grid,
        "chains walk": lambda: build_network(_chained_roads(), CRS, NetworkParams(mode="walk")),
        "chains drive": lambda: build_network(_chained_roads(), CRS, NetworkParams(mode="drive")),
    }
    _check_against_networkx(roads[name](), seed=len(name))  # type: ignore[no-untyped-call]


@pytest.mark.slow
def test_every_node_cost_matches_networkx_on_helsinki() -> None:
    frame = read_network(NetworkSpec(helsinki_pbf())).frame
    net = build_network(frame, utm_crs_for(24.94, 60.17), NetworkParams(mode="walk"))
    assert net.n_nodes > 5_000
    _check_against_networkx(net, seed=12, n_places=4)


def test_node_costs_in_chunks_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    net = river()
    sites = site_costs(net, snap_places(net, [SITE]), np.array([0]), 1, cost="time")
    whole = node_costs(sites)
    monkeypatch.setattr(places_module, "PLACE_CHUNK", 3)  # the river's 8 nodes in 3 chunks
    assert net.n_nodes > 6
    assert np.isfinite(whole).sum() > 4
    assert np.array_equal(node_costs(sites), whole)
